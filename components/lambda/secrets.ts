/**
 * Secrets a function reads at run time: Secrets Manager secrets and SSM SecureString parameters, by name or ARN.
 * The function gets the secret's name (or ARN) in an environment variable — never its value — and a read grant on
 * exactly that secret, plus kms:Decrypt through that service when a customer managed key encrypts it. Handlers read
 * the value with Powertools parameters (`@aws-lambda-powertools/parameters/secrets` or `/ssm`), which caches it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import type { PolicyStatement } from "../iam";

/** Where a secret lives. */
export enum SecretStore {
  SecretsManager = "secretsmanager",
  Ssm = "ssm",
}

/** One secret a function reads; set exactly one of `secretsManager` and `ssmParameter`. */
export interface FunctionSecret {
  /**
   * A Secrets Manager secret: its name, or its full ARN (with the 6-character suffix Secrets Manager appends),
   * e.g. `secret.arn`. A name is granted as `…:secret:<name>-??????`, the form AWS documents for policies.
   * @default none
   */
  secretsManager?: pulumi.Input<string>;
  /** An SSM Parameter Store SecureString: its name (`/gallery/api-token`) or ARN. @default none */
  ssmParameter?: pulumi.Input<string>;
  /**
   * ARN of the customer managed KMS key the secret is encrypted with: the function may then call kms:Decrypt on it,
   * only through Secrets Manager or SSM (kms:ViaService). Not needed for the AWS managed keys.
   * @default the service's AWS managed key (no KMS grant)
   */
  kmsKeyArn?: pulumi.Input<string>;
}

/** A secret after normalisation: what the local runtime resolves and the role is granted. */
export interface FunctionSecretSpec {
  store: SecretStore;
  /** Name or ARN, as given; also the environment variable's value. */
  id: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
}

/** A full Secrets Manager ARN ends in `-` and six random characters (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources). */
const FULL_SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
/** Parameter names: letters, digits and `_.-/`, up to 2048 characters (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html). */
const SSM_NAME = /^[A-Za-z0-9_.\-/]{1,2048}$/;
/** Secret names: letters, digits and `/_+=.@-`, up to 512 characters (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export function validateSecrets(fail: ArgFailure, secrets: Record<string, FunctionSecret>, environment: Record<string, unknown>): void {
  for (const [variable, secret] of Object.entries(secrets)) {
    const at = `secrets.${variable}`;
    if (variable in environment) fail(at, variable, "is also set in environment", "Keep the variable in one of secrets and environment.");
    const given = [secret.secretsManager, secret.ssmParameter].filter((v) => v !== undefined);
    if (given.length !== 1) fail(at, secret, "does not name exactly one secret", "Set either secretsManager (a secret's name or ARN) or ssmParameter (a SecureString's name or ARN).");
    const id = secret.secretsManager ?? secret.ssmParameter;
    if (typeof id !== "string") continue; // an Output: checked when known (secretArns)
    if (secret.secretsManager !== undefined) {
      if (id.startsWith("arn:")) {
        // A partial ARN (no suffix) matches no secret in an IAM policy: GetSecretValue would be denied at run time.
        if (!FULL_SECRET_ARN.test(id)) fail(`${at}.secretsManager`, id, "is not a full secret ARN (…:secret:<name>-<6 characters>)", "Pass the full ARN Secrets Manager shows, or just the secret's name.");
      } else if (!SECRET_NAME.test(id)) {
        fail(`${at}.secretsManager`, id, "is not a Secrets Manager secret name", "Use 1–512 letters, digits and /_+=.@- characters.");
      }
    } else if (!id.startsWith("arn:") && !SSM_NAME.test(id)) {
      fail(`${at}.ssmParameter`, id, "is not an SSM parameter name", "Use letters, digits and _.-/ (e.g. /gallery/api-token).");
    }
  }
}

export function normaliseSecrets(secrets: Record<string, FunctionSecret> | undefined): Record<string, FunctionSecretSpec> {
  return Object.fromEntries(
    Object.entries(secrets ?? {}).map(([variable, secret]) => [
      variable,
      secret.secretsManager !== undefined
        ? { store: SecretStore.SecretsManager, id: secret.secretsManager, kmsKeyArn: secret.kmsKeyArn }
        : { store: SecretStore.Ssm, id: secret.ssmParameter!, kmsKeyArn: secret.kmsKeyArn },
    ]),
  );
}

/** The resource ARN IAM matches for a secret given by name or ARN, in the function's region and account. */
export function secretResourceArn(store: SecretStore, id: string, where: { partition: string; region: string; accountId: string }): string {
  if (id.startsWith("arn:")) return id;
  const base = `arn:${where.partition}:${store}:${where.region}:${where.accountId}`;
  // Secrets Manager appends "-" and six random characters to the ARN; `??????` matches exactly those six
  // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/permissions_grant-limited-resources.html).
  if (store === SecretStore.SecretsManager) return `${base}:secret:${id}-??????`;
  // A parameter ARN has no leading slash of its own: /a/b → parameter/a/b (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html).
  return `${base}:parameter/${id.replace(/^\//, "")}`;
}

/** Exact read grants for the secrets, and kms:Decrypt via the owning service for customer managed keys. */
export function secretStatements(secrets: Record<string, FunctionSecretSpec> | undefined, region: string | undefined, parent: pulumi.Resource): PolicyStatement[] {
  const entries = Object.values(secrets ?? {});
  if (entries.length === 0) return [];
  const where = pulumi
    .all([aws.getPartitionOutput({}, { parent }).partition, region ?? aws.getRegionOutput({}, { parent }).region, aws.getCallerIdentityOutput({}, { parent }).accountId])
    .apply(([partition, resolvedRegion, accountId]) => ({ partition, region: resolvedRegion, accountId }));
  const statements: PolicyStatement[] = [];
  for (const store of [SecretStore.SecretsManager, SecretStore.Ssm]) {
    const own = entries.filter((s) => s.store === store);
    if (own.length === 0) continue;
    statements.push({
      sid: store === SecretStore.SecretsManager ? "ReadSecrets" : "ReadParameters",
      // GetParameter only: Powertools' getParameter with decrypt calls it with WithDecryption.
      actions: [store === SecretStore.SecretsManager ? "secretsmanager:GetSecretValue" : "ssm:GetParameter"],
      resources: own.map((s) => pulumi.all([s.id, where]).apply(([id, w]) => secretResourceArn(store, id, w))),
    });
    const keys = own.filter((s) => s.kmsKeyArn !== undefined).map((s) => s.kmsKeyArn!);
    if (keys.length > 0) {
      statements.push({
        sid: store === SecretStore.SecretsManager ? "DecryptSecrets" : "DecryptParameters",
        actions: ["kms:Decrypt"],
        resources: keys,
        // The key decrypts only when the secret's own service asks on the function's behalf
        // (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
        conditions: { StringEquals: { "kms:ViaService": where.apply((w) => `${store === SecretStore.SecretsManager ? "secretsmanager" : "ssm"}.${w.region}.amazonaws.com`) } },
      });
    }
  }
  return statements;
}
