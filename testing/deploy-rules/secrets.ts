/** Secrets Manager deploy rules: replicas (and the KMS replica keys that encrypt them) in other regions than their primary; description length; fixed names a deleted secret keeps through its recovery window; a secret version's value, present and at most 64 KB. */
import { SECRET_DESCRIPTION_LENGTH, SECRET_VALUE_LENGTH, secretValueBytes } from "../../components/stack-secret";
import { unwrapSecretInput } from "../../local/secret-wire";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { textLengthFindings } from "./names";
import { KMS_KEY, KMS_REPLICA_KEY } from "./key-policy";
import { SECRETS_MANAGER_ONE_SECRET_POLICY } from "./one-policy";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";

const SECRET = "aws:secretsmanager/secret:Secret";

/** The region of a replica key's primary: the primary in the graph, else the region of its ARN. */
function primaryRegion(graph: Graph, replica: RecordedResource, context: DeployRuleContext): { region?: string; primary?: RecordedResource } {
  const primary = referenced(graph, KMS_KEY, replica.inputs.primaryKeyArn);
  if (primary) return { region: regionOf(graph, primary, context), primary };
  return { region: typeof replica.inputs.primaryKeyArn === "string" ? arnRegion(replica.inputs.primaryKeyArn) : undefined };
}

/**
 * A replica lives in another region than its primary. KMS ReplicateKey: "The replica must be in a different Amazon Web
 * Services Region than its primary key and other replicas of that primary key". A replica secret's ARN "is the same as
 * the primary secret except for the Region"
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html); CreateSecret
 * is reported to answer "Invalid replica region." for the primary's own region
 * (https://github.com/aws-samples/aws-health-aware/pull/32). StackSecret refuses both at construction.
 */
export const SECRET_REPLICA_REGION: DeployRule = {
  id: "SecretReplicaRegion",
  title: "Secret replicas and KMS replica keys are in other regions than their primary",
  source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const secret of ofType(graph, SECRET)) {
      const home = regionOf(graph, secret, context);
      for (const replica of (secret.inputs.replicas ?? []) as Array<Record<string, any>>) {
        if (replica.region !== home) continue;
        findings.push(
          finding("SecretReplicaRegion", secret, `is in ${home} and lists a replica in ${home}, its own region: Secrets Manager refuses the replica ("Invalid replica region.")`, `list only other regions in replicas (StackSecret: replicaRegions other than ${home})`),
        );
      }
    }
    for (const replica of ofType(graph, KMS_REPLICA_KEY)) {
      const { region, primary } = primaryRegion(graph, replica, context);
      const at = regionOf(graph, replica, context);
      if (region === undefined || at !== region) continue;
      findings.push(
        finding(
          "SecretReplicaRegion",
          replica,
          `replicates primary key ${primary?.name ?? replica.inputs.primaryKeyArn} into ${at}, the primary's own region: a replica key must be in a different region than its primary`,
          "create the replica key in another region, or use the primary key there",
        ),
      );
    }
    return findings;
  },
};

/**
 * CreateSecret's Description: "Length Constraints: Maximum length of 2048"
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html; the service model's
 * `"DescriptionType":{"type":"string","max":2048}`, boto/botocore botocore/data/secretsmanager/2017-10-17/service-2.json).
 * The provider does not check it, so a longer description passes `pulumi preview` and fails at `pulumi up`.
 * StackSecret refuses one at construction (SECRET_DESCRIPTION_LENGTH); this rule covers any program's secrets.
 */
export const SECRET_DESCRIPTION: DeployRule = {
  id: "SecretDescription",
  title: "Secrets Manager secrets have a description of at most 2048 characters",
  source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
  check(graph) {
    return textLengthFindings(graph, "SecretDescription", {
      type: SECRET,
      property: "description",
      what: "a secret description",
      call: "CreateSecret",
      maxLength: SECRET_DESCRIPTION_LENGTH,
      source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
    });
  },
};


/** The provider's recovery window when `recoveryWindowInDays` is unset (terraform-provider-aws secretsmanager/secret.go, `Default: 30`). */
export const SECRET_DEFAULT_RECOVERY_WINDOW_DAYS = 30;

/**
 * DeleteSecret schedules the deletion: "You can specify a recovery window during which you can restore the secret. The
 * minimum recovery window is 7 days. The default recovery window is 30 days" (DeleteSecret), and the provider deletes
 * with `ForceDeleteWithoutRecovery` only when `recovery_window_in_days` is 0 (secretsmanager/secret.go delete:
 * `if recoveryWindowInDays == 0 { input.ForceDeleteWithoutRecovery = aws.Bool(true) }`, hashicorp/terraform-provider-aws#5583,
 * which also retries the create for two minutes after such a delete). Until the window ends the name stays taken:
 * CreateSecret of it answers "InvalidRequestException: You can't create this secret because a secret with this name is
 * already scheduled for deletion" (observed: hashicorp/terraform-provider-aws#10259 "terraform destroy followed quickly
 * by a terraform apply", aws/copilot-cli#655; LocalStack matched the code after a parity check against AWS,
 * localstack/localstack#6547). So a secret with a fixed `name`, a recovery window and no retainOnDelete cannot be created
 * again for 7–30 days after `pulumi destroy`, after the program drops it, or after a replacement that keeps its name
 * (the bridge replaces it delete-first because `name` is its autoname field). A `namePrefix` or an autoname gives each
 * deployment a new name. A retained secret is left out: a destroy keeps it, name and all (the next CreateSecret finds
 * the name held by it, and the way back is an import, not a wait).
 */
export const SECRET_NAMED_WITH_RECOVERY: DeployRule = {
  id: "SecretNamedWithRecovery",
  title: "A secret with a fixed name is deleted without a recovery window, or kept",
  source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html",
  check(graph) {
    return ofType(graph, SECRET)
      .filter((secret) => typeof secret.inputs.name === "string" && secret.inputs.name !== "" && !secret.retainOnDelete && secret.inputs.recoveryWindowInDays !== 0)
      .map((secret) => {
        const days: number = secret.inputs.recoveryWindowInDays ?? SECRET_DEFAULT_RECOVERY_WINDOW_DAYS;
        return finding(
          "SecretNamedWithRecovery",
          secret,
          `has the fixed name "${secret.inputs.name}" and a ${days}-day recovery window${secret.inputs.recoveryWindowInDays === undefined ? " (the provider's default)" : ""}: \`pulumi destroy\` (or a replacement, or dropping it from the program) only schedules its deletion, and for ${days} days CreateSecret of that name is refused ("You can't create this secret because a secret with this name is already scheduled for deletion"), so the next deployment fails`,
          "leave name unset for Pulumi's autoname or use namePrefix (StackSecret always autonames); or set recoveryWindowInDays: 0 where the secret's value can be set again (dev); or retainOnDelete: true to keep it through a destroy (and import it into the next deployment, which would otherwise find the name taken)",
        );
      });
  },
};

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

/** A string input the provider sends: SDKv2's `d.GetOk` takes "" for unset, so only a non-empty string is sent. */
function sentString(value: unknown): string | undefined {
  const plain = unwrapSecretInput(value);
  return typeof plain === "string" && plain !== "" ? plain : undefined;
}

/**
 * A SecretVersion puts one value, SecretString or SecretBinary: PutSecretValue "You must include SecretBinary or
 * SecretString, but not both", and each has "Length Constraints: ... Maximum length of 65536"
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html; the quota "Secret value size",
 * 64 KB). The provider sends each only when it is not empty (terraform-provider-aws
 * internal/service/secretsmanager/secret_version.go, resourceSecretVersionCreate: `if v, ok := d.GetOk("secret_string")`,
 * likewise secret_binary, and `if secretStringWO != ""` for secret_string_wo) and its schema has no ExactlyOneOf or
 * AtLeastOneOf (only ConflictsWith among the three), so a version whose value is "" or unset passes `pulumi preview`
 * and PutSecretValue refuses it at `pulumi up`, after the secret itself was created
 * (hashicorp/terraform-provider-aws#19731 "Cannot create Secrets Manager secret with an empty string as value").
 * StackSecret refuses an empty, unset or over-long value at construction (checkSecretValue); this rule covers a program's
 * own SecretVersion. The value is secret: a finding gives its size, never the value. SecretString is counted in UTF-8
 * bytes as StackSecret counts it (SECRET_VALUE_LENGTH); SecretBinary (base64 in the program, ValidBase64String at plan)
 * in its decoded bytes.
 */
export const SECRET_VERSION_VALUE: DeployRule = {
  id: "SecretVersionValue",
  title: "Secrets Manager secret versions put a value, of at most 65536 bytes",
  source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const version of ofType(graph, SECRET_VERSION)) {
      const text = sentString(version.inputs.secretString) ?? sentString(version.inputs.secretStringWo);
      const binary = sentString(version.inputs.secretBinary);
      if (text === undefined && binary === undefined) {
        const given = unwrapSecretInput(version.inputs.secretString) === "" ? 'secretString is ""' : "secretString is unset";
        findings.push(
          finding(
            "SecretVersionValue",
            version,
            `puts no value (${given}, and no secretBinary or secretStringWo): the provider sends SecretString only when it is not empty, so PutSecretValue gets neither SecretString nor SecretBinary and refuses the version ("You must include SecretBinary or SecretString, but not both"), after the secret was created`,
            "set secretString to the value (a config value that is unset gives an empty one: require it, e.g. config.requireSecret), or leave the SecretVersion out; StackSecret refuses an empty value at construction",
          ),
        );
        continue;
      }
      const [what, bytes] = text !== undefined ? ["secretString", secretValueBytes(text)] : ["secretBinary", Buffer.from(binary!, "base64").length];
      if (bytes <= SECRET_VALUE_LENGTH) continue;
      findings.push(
        finding(
          "SecretVersionValue",
          version,
          `has a ${what} of ${bytes} bytes (${text !== undefined ? "UTF-8" : "decoded from base64"}; the value is not shown): Secrets Manager takes at most ${SECRET_VALUE_LENGTH} bytes in a secret's value, so PutSecretValue refuses it at \`pulumi up\``,
          "store a smaller value (e.g. a key to a larger object in S3)",
        ),
      );
    }
    return findings;
  },
};

export const SECRET_RULES: DeployRule[] = [SECRET_REPLICA_REGION, SECRET_DESCRIPTION, SECRET_NAMED_WITH_RECOVERY, SECRET_VERSION_VALUE, SECRETS_MANAGER_ONE_SECRET_POLICY];
