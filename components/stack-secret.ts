/**
 * StackSecret: a value the program generates or receives (e.g. a `random.RandomPassword`), kept in Secrets Manager
 * instead of any function's environment, optionally encrypted with its own customer managed KMS key. `functionSecret`
 * hands it to LambdaFunction `secrets`, which grants exactly this secret (and its key) and names it in the environment.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "./autoname";
import { argFailer, type ArgFailure } from "./errors";
import type { FunctionSecret } from "./lambda/secrets";
import { checkWholeNumberInRange } from "./ranges";
import { regionSource, regionWhereCreated, validateRegionArg, validateRegionName } from "./region";

/**
 * The most characters a secret's description may have: CreateSecret's Description, "Length Constraints: Maximum length
 * of 2048" (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html), from the service
 * model's `"DescriptionType":{"type":"string","max":2048}` (boto/botocore
 * botocore/data/secretsmanager/2017-10-17/service-2.json). A longer one passes `pulumi preview` and fails at `pulumi up`.
 */
export const SECRET_DESCRIPTION_LENGTH = 2048;

/**
 * The most bytes a secret's value may have, counted in UTF-8 (review 117 F7): PutSecretValue's (and CreateSecret's)
 * SecretString, "Length Constraints: Maximum length of 65536"
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html), and the quota "Secret value
 * size", 64 KB (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html): a length in the API
 * reference, a size in the quotas; nitrictech/nitric#119 reads the limit as "65,536 bytes". Counted in
 * characters, a value of multi-byte characters (40,000 "é": 80,000 bytes) would pass the plan and fail PutSecretValue at
 * `pulumi up`; counted in bytes, ASCII values are judged as before. Not confirmed here: the quota row's wording (the
 * page was found, its table row was not read); if Secrets Manager counted characters, a value of 65,537–262,144 UTF-8 bytes but at most
 * 65,536 characters would be refused here although AWS takes it.
 */
export const SECRET_VALUE_LENGTH = 65536;

/** A secret value's size as SECRET_VALUE_LENGTH counts it: its UTF-8 bytes. */
export function secretValueBytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * The value as StackSecret stores it, or its refusal. The SecretVersion sends SecretString only when it is not empty
 * (terraform-provider-aws internal/service/secretsmanager/secret_version.go, resourceSecretVersionCreate:
 * `if v, ok := d.GetOk("secret_string"); ok`), so an empty value puts neither SecretString nor SecretBinary, which
 * PutSecretValue refuses ("You must include SecretBinary or SecretString, but not both", API_PutSecretValue.html;
 * reported as hashicorp/terraform-provider-aws#19731 "Cannot create Secrets Manager secret with an empty string as
 * value"), after the secret itself was created. The refusal never shows the value: it is a secret.
 */
function checkSecretValue(fail: ArgFailure, value: unknown): string {
  if (value === undefined || value === null) fail("value", value, "is not set; Secrets Manager refuses a secret version with no value (PutSecretValue needs a SecretString)", "Pass the value, a string or an Output of one (JSON.stringify an object).");
  const text = value as string;
  if (typeof text !== "string") return text;
  if (text === "") fail("value", "", "is empty; Secrets Manager refuses a secret version with no value (PutSecretValue needs a SecretString)", "Pass the value (a config value that is unset gives an empty one: require it, e.g. config.requireSecret), or leave the StackSecret out.");
  const bytes = secretValueBytes(text);
  if (bytes > SECRET_VALUE_LENGTH) fail("value", `<${bytes} bytes, not shown>`, `is over the ${SECRET_VALUE_LENGTH} bytes Secrets Manager takes in a secret's value (counted in UTF-8)`, "Store a smaller value (e.g. a key to a larger object in S3).");
  return text;
}

/** The recovery windows Secrets Manager takes besides 0 (StackSecret's recoveryWindowDays check cites them). */
const SECRET_RECOVERY_WINDOW_DAYS = { min: 7, max: 30 } as const;

export interface StackSecretArgs {
  /** The secret's value (a string; store JSON as its text). Kept secret in Pulumi state. */
  value: pulumi.Input<string>;
  /** The secret's description in the Secrets Manager console, at most 2048 characters (CreateSecret's limit). @default none */
  description?: string;
  /**
   * Encrypt with a customer managed KMS key of its own (rotated yearly; about $1 a month) instead of Secrets Manager's
   * AWS managed key `aws/secretsmanager` (free). The function reading it is granted kms:Decrypt through Secrets Manager.
   * Changing it on an existing secret replaces the secret (new ARN, same value; readers follow), then deletes the old
   * secret and, when turning it off, schedules the old key's deletion.
   * @default false
   */
  customerKey?: boolean;
  /**
   * Days a deleted secret can still be restored: 0 deletes it at once (dev), 7–30 keep it (prod).
   * Secrets Manager refuses other values (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html).
   * @default 30
   */
  recoveryWindowDays?: number;
  /** @default the provider's region */
  region?: string;
  /**
   * Other regions the secret is replicated to (Secrets Manager replica secrets: same name and ARN suffix, only the
   * region differs), for functions deployed there, e.g. by RegionalApis, which points each region's functions at its
   * own replica. With `customerKey`, the key is a multi-Region key replicated to the same regions (same key id), so
   * each replica is encrypted with the key's replica in its region.
   * https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
   * https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
   * @default none
   */
  replicaRegions?: string[];
}

export interface StackSecretSpec {
  name: string;
  description?: string;
  customerKey: boolean;
  recoveryWindowDays: number;
  region?: string;
  replicaRegions: string[];
}

/**
 * @example
 * const key = new random.RandomPassword("signing-key", { length: 48, special: false });
 * const secret = new StackSecret("signing-key", { value: key.result, customerKey: true });
 * new LambdaFunction("api", { entry: "handlers/api.ts", secrets: { SIGNING_KEY_ID: secret.functionSecret } });
 */
export class StackSecret extends pulumi.ComponentResource {
  readonly spec: StackSecretSpec;
  readonly arn: pulumi.Output<string>;
  /** The customer managed key's ARN, when `customerKey`. */
  readonly kmsKeyArn?: pulumi.Output<string>;
  /** What LambdaFunction `secrets` takes to read this secret. */
  readonly functionSecret: FunctionSecret;
  readonly nodes: { readonly secret: aws.secretsmanager.Secret; readonly version: aws.secretsmanager.SecretVersion; readonly key?: aws.kms.Key; readonly replicaKeys: aws.kms.ReplicaKey[] };

  constructor(name: string, args: StackSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:StackSecret", name, {}, opts);
    const fail = argFailer("StackSecret", name);
    validateRegionArg(fail, "region", args.region);
    if (args.description !== undefined && (typeof args.description !== "string" || args.description.length > SECRET_DESCRIPTION_LENGTH)) {
      fail("description", args.description, `is ${String(args.description).length} characters; Secrets Manager takes a secret description of at most ${SECRET_DESCRIPTION_LENGTH}`, `Shorten the description to ${SECRET_DESCRIPTION_LENGTH} characters or fewer.`);
    }
    // DeleteSecret's RecoveryWindowInDays: "The number of days from 7 to 30"
    // (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html); the provider takes 7–30 or
    // 0, which it sends as ForceDeleteWithoutRecovery (terraform-provider-aws secretsmanager/secret.go:
    // `validation.Any(validation.IntBetween(7, 30), validation.IntInSlice([]int{0}))`).
    checkWholeNumberInRange(fail, "recoveryWindowDays", args.recoveryWindowDays, SECRET_RECOVERY_WINDOW_DAYS, {
      limit: "Secrets Manager's range",
      unit: "days",
      allowed: [0],
      fix: "Use 0 to delete at once, or 7 to 30 days.",
    });
    // A value known now is checked here; an Output once known (a failing Output stops `pulumi up` at the SecretVersion,
    // before PutSecretValue), kept secret.
    const value = pulumi.Output.isInstance(args.value) || args.value instanceof Promise ? pulumi.secret(pulumi.output(args.value).apply((v) => checkSecretValue(fail, v))) : pulumi.secret(checkSecretValue(fail, args.value));
    const window = args.recoveryWindowDays ?? 30;
    // The secret is autonamed "<name>-secret-<random suffix>": CreateSecret's characters, pulumi-aws's 255 (autoname.ts "secret").
    validateAutonames(fail, name, [{ resource: `${name}-secret`, kind: "secret" }]);
    const replicaRegions = args.replicaRegions ?? [];
    // The secret lives in args.region, else the provider's: the stack's aws:region under the default provider; under an
    // explicit one its region is unknown here and left to the deploy rule SecretReplicaRegion. A replica there is
    // refused at deploy: a replica's ARN "is the same as the primary secret except for the Region"
    // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html; CreateSecret
    // is reported to answer "Invalid replica region.", https://github.com/aws-samples/aws-health-aware/pull/32), and a
    // KMS replica key "must be in a different Amazon Web Services Region than its primary key"
    // (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html).
    const ownRegion = regionWhereCreated(args.region, this, "aws:secretsmanager/secret:Secret");
    for (const [index, region] of replicaRegions.entries()) {
      validateRegionName(fail, `replicaRegions[${index}]`, region);
      if (region === ownRegion.region) fail("replicaRegions", region, `is the secret's own region${regionSource(ownRegion)}`, "List only the other regions.");
    }
    if (new Set(replicaRegions).size !== replicaRegions.length) fail("replicaRegions", replicaRegions, "lists a region twice", "List each region once.");
    this.spec = { name, description: args.description, customerKey: args.customerKey ?? false, recoveryWindowDays: window, region: args.region, replicaRegions };

    const key = this.spec.customerKey
      ? new aws.kms.Key(
          `${name}-key`,
          // The default key policy (the account administers it through IAM) is enough: readers get kms:Decrypt through Secrets Manager in IAM.
          {
            description: `${name}: encrypts the Secrets Manager secret ${name}`,
            enableKeyRotation: true,
            deletionWindowInDays: Math.max(window, 7),
            // A replica secret needs a key in its own region; a multi-Region key's replicas share its key id, so the
            // ARN a function is granted differs only by region. (multiRegion cannot change after creation.)
            multiRegion: replicaRegions.length > 0 || undefined,
            region: args.region,
          },
          { parent: this },
        )
      : undefined;
    const replicaKeys = key
      ? replicaRegions.map(
          (region) =>
            new aws.kms.ReplicaKey(
              `${name}-key-${region}`,
              { primaryKeyArn: key.arn, description: `${name}: encrypts the ${region} replica of the Secrets Manager secret ${name}`, deletionWindowInDays: Math.max(window, 7), region },
              { parent: this },
            ),
        )
      : [];
    // Auto-named: a deleted secret's name stays taken for its recovery window, so a replacement needs a new one.
    const secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        description: args.description,
        kmsKeyId: key?.arn,
        recoveryWindowInDays: window,
        region: args.region,
        // On delete, the provider removes the replicas before DeleteSecret, which AWS refuses for a primary that has any
        // (terraform-provider-aws resourceSecretDelete); the replica keys outlive the secret, which depends on them.
        replicas: replicaRegions.length ? replicaRegions.map((region, index) => ({ region, kmsKeyId: replicaKeys[index]?.arn })) : undefined,
      },
      // The provider's update leaves KmsKeyId out of UpdateSecret when it is unset (terraform-provider-aws
      // resourceSecretUpdate), so turning customerKey off would keep the secret on the old key while Pulumi schedules
      // that key's deletion, and nobody could read it. A new secret (auto-named, so created before the old one goes)
      // is encrypted under the new key from its first version; the SecretVersion (secret_id is ForceNew) and every
      // reader of `arn` follow it.
      { parent: this, replaceOnChanges: ["kmsKeyId"] },
    );
    const version = new aws.secretsmanager.SecretVersion(`${name}-value`, { secretId: secret.id, secretString: value, region: args.region }, { parent: this });

    this.nodes = { secret, version, key, replicaKeys };
    this.arn = secret.arn;
    this.kmsKeyArn = key?.arn;
    this.functionSecret = { secretsManager: secret.arn, kmsKeyArn: key?.arn };
    this.registerOutputs({ arn: this.arn });
  }
}
