/**
 * Resources whose access policy is one whole document: each writer (a policy resource, or the resource's own `policy`
 * input, or a REST API's OpenAPI `body` holding one) puts the whole document, so two writers of one resource replace
 * each other on every deploy, the last applied decides what is allowed, and destroying one removes every statement. One
 * check, read from a table: where a type's writers are, and how its finding reads. The rules of the table live in their
 * services' lists (SQS_RULES, S3_RULES, ...).
 */
import { parse as parseYaml } from "yaml";
import { attachedIndex, identitiesOf, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { BUCKET, BUCKET_POLICY, BUCKET_V2, TABLE_POLICY } from "../../local/resource-policies";
import { KEY_POLICY, KMS_KEY, KMS_KEY_POLICY_SIZE, KMS_REPLICA_KEY } from "./key-policy";
import { functionNameParts } from "../../local/lambda-function-name";
import { KMS_KEY_ARN } from "../../components/kms";
import { functionIndex, permissionFunction, unqualified } from "./lambda-ref";
import { REST_API } from "./transition-rest-deployment";
import { finding, regionOf, type DeployFinding, type DeployRule, type DeployRuleContext } from "./rule";

/** The writers of one resource's policy, in the order a finding lists them. */
export interface PolicyTarget {
  /** The resource as a finding names it: its name in the plan, or the reference its writers give. */
  target: string;
  /** The resource, when it is in the plan. */
  holder?: RecordedResource;
  writers: RecordedResource[];
  /** For a resource outside the plan, the key its writers are grouped by (byReference): its region and reference, normalised by the rule. */
  key?: string;
}

/** How a finding reads. */
export type OnePolicyWording =
  /** On the resource: "has its one <policy> written by a, b; …" (SqsOneQueuePolicy's and SnsOneTopicPolicy's words); on the first writer of one outside the plan. */
  | { on: "holder"; policy: string; fix: string }
  /**
   * On the first whole writer: "writes the whole <of(target)>, which b also writes: …, and destroying one removes
   * <removes>"; `explain` words a writer whose way of writing that sentence misdescribes (undefined: the sentence).
   */
  | { on: "writer"; of: (target: string) => string; removes: string; fix: (target: string) => string; explain?: (whole: RecordedResource, target: string, others: readonly RecordedResource[]) => { problem: string; fix: string } | undefined };

export interface OnePolicySpec {
  id: string;
  title: string;
  source: string;
  targets(graph: Graph, context: DeployRuleContext): PolicyTarget[];
  /**
   * Whether a writer puts the whole document, not one statement of it (EventBridge's EventPermission, Lambda's
   * Permission add one): a resource is reported only with a whole writer among two or more. All, unless given.
   */
  whole?(writer: RecordedResource): boolean;
  wording: OnePolicyWording;
}

/** Each rule's writer lookup, so that a second-deploy check reads writers as the rule does (transition.ts TransitionPolicyWriterDeleted). */
const lookups = new WeakMap<DeployRule, OnePolicySpec["targets"]>();

/** The writer lookup of a rule of the table (onePolicyRule). */
export function onePolicyTargets(rule: DeployRule): OnePolicySpec["targets"] {
  const targets = lookups.get(rule);
  if (!targets) throw new Error(`${rule.id} is not a one-writer rule (onePolicyRule): it has no writer lookup`);
  return targets;
}

/** The deploy rule of one row of the table. */
export function onePolicyRule(spec: OnePolicySpec): DeployRule {
  const rule: DeployRule = {
    id: spec.id,
    title: spec.title,
    source: spec.source,
    check(graph, context) {
      return spec.targets(graph, context).flatMap(({ target, holder, writers }): DeployFinding[] => {
        const whole = writers.find((w) => spec.whole?.(w) ?? true);
        if (!whole || writers.length < 2) return [];
        const { wording } = spec;
        const others = writers.filter((w) => w !== whole);
        const alsoWrite = `${others.map((w) => w.name).join(", ")} also write${others.length > 1 ? "" : "s"}`;
        if (wording.on === "holder") {
          // A resource outside the plan (named by its policy resources) is reported on the first of them.
          if (!holder) return [finding(spec.id, whole, `writes the whole ${wording.policy} of ${target}, which ${alsoWrite}; each replaces the others, so the last applied decides what is allowed`, wording.fix)];
          return [finding(spec.id, holder, `has its one ${wording.policy} written by ${writers.map((w) => w.name).join(", ")}; each replaces the others, so the last applied decides what is allowed`, wording.fix)];
        }
        const explained = wording.explain?.(whole, target, others);
        if (explained) return [finding(spec.id, whole, explained.problem, explained.fix)];
        return [
          finding(
            spec.id,
            whole,
            `writes the whole ${wording.of(target)}, which ${alsoWrite}: each replaces the others on every deploy, the last applied decides what is allowed, and destroying one removes ${wording.removes}`,
            wording.fix(target),
          ),
        ];
      });
    },
  };
  lookups.set(rule, spec.targets);
  return rule;
}

/**
 * The targets of resources of `holderTypes` (writers themselves when `own` says so: when they set their own `policy`, for
 * `true`) and of the `policyType` resources whose `field` names them (by id, name or ARN, as local/resource-policies.ts
 * policyWriters finds them); policy resources naming a resource outside the plan are grouped by that reference within
 * their region (a name is one resource per account and region; an ARN names its region).
 */
export function writersByHolder(
  holderTypes: readonly string[],
  policyType: string,
  field: string,
  own: boolean | ((holder: RecordedResource) => boolean),
  keyOf: (reference: string, region: string) => string = regionalKey,
) {
  const writes = own === true ? (holder: RecordedResource) => Boolean(holder.inputs.policy) : own || (() => false);
  return (graph: Graph, context: DeployRuleContext): PolicyTarget[] => {
    // The policy resources are read once and looked up per holder: a plan holds hundreds of resources.
    const attachedOf = attachedIndex(graph, policyType, field);
    const claimed = new Set<RecordedResource>();
    const held = holderTypes.flatMap((type) => ofType(graph, type)).map((holder): PolicyTarget => {
      const attached = attachedOf(holder);
      attached.forEach((w) => claimed.add(w));
      // The holder itself first, then its policy resources.
      return { target: holder.name, holder, writers: [...(writes(holder) ? [holder] : []), ...attached] };
    });
    return [...held, ...byReference(graph, context, ofType(graph, policyType).filter((w) => !claimed.has(w)), (w) => w.inputs[field], keyOf)];
  };
}

/** A reference as one resource in a region, when the rule compares references as they are. */
const regionalKey = (reference: string, region: string) => `${region} ${reference}`;

/**
 * The keys that name `target`'s resource, comparable across plans: its group's key (byReference, normalised as the rule
 * groups writers), or, for a resource in `graph`, each of its identities (id, name, ARN) in its region, as a writer
 * outside the plan naming it would be grouped (writersByHolder). What a writer's delete acts on is its deployed
 * reference's resource, so two plans' targets are one resource when their keys meet (transition.ts
 * TransitionPolicyWriterDeleted); a URN does not say that (a replaced holder keeps its URN, not its identities).
 */
export function policyTargetKeys(graph: Graph, context: DeployRuleContext, target: PolicyTarget): string[] {
  if (target.key !== undefined) return [target.key];
  if (!target.holder) return [];
  const region = regionOf(graph, target.holder, context);
  return identitiesOf(target.holder).map((identity) => regionalKey(String(identity), region));
}

/**
 * `writers` grouped by the reference `of` reads (its region first: see writersByHolder); writers without one are left
 * out. `keyOf` says which references name one resource in a region (by default, equal ones); the group is named by its
 * first writer's reference.
 */
export function byReference(
  graph: Graph,
  context: DeployRuleContext,
  writers: readonly RecordedResource[],
  of: (writer: RecordedResource) => unknown,
  keyOf: (reference: string, region: string) => string = regionalKey,
): PolicyTarget[] {
  const groups = new Map<string, PolicyTarget>();
  for (const writer of writers) {
    const reference = of(writer);
    if (typeof reference !== "string" || reference === "") continue;
    const key = keyOf(reference, regionOf(graph, writer, context));
    const group = groups.get(key) ?? { target: reference, writers: [], key };
    group.writers.push(writer);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/*
 * The rows below. Each writer type's provider code (terraform-provider-aws internal/service/<svc>) puts the whole
 * document on create and update and deletes it (or, for a key, puts the default back) on delete; the holder's own
 * `policy` input writes the same document.
 */

/**
 * A bucket has one bucket policy: PutBucketPolicy "If a policy already exists for the specified bucket, the new policy
 * will replace the existing policy" (AWS SDK for .NET, PutBucketPolicy); each aws.s3.BucketPolicy puts it and deletes
 * it with DeleteBucketPolicy (bucket_policy.go), and a bucket's deprecated `policy` puts it too. The local runtime reads
 * a bucket's policies together (local/resource-policies.ts bucketPolicies), which holds only for one writer.
 */
export const S3_ONE_BUCKET_POLICY = onePolicyRule({
  id: "S3OneBucketPolicy",
  title: "A bucket's policy is written by one resource only",
  source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html",
  targets: writersByHolder([BUCKET, BUCKET_V2], BUCKET_POLICY, "bucket", true),
  wording: { on: "writer", of: (bucket) => `bucket policy of ${bucket}`, removes: "every statement", fix: (bucket) => `write every statement for ${bucket} into one aws.s3.BucketPolicy (and no \`policy\` on the bucket)` },
});

/**
 * A secret has one resource policy: PutResourcePolicy "Attaches a resource-based permission policy to a secret",
 * GetResourcePolicy returns it, DeleteResourcePolicy removes it; each aws.secretsmanager.SecretPolicy puts it and deletes
 * it (secret_policy.go), and a Secret's `policy` puts it too (pulumi-aws: removing it "will not delete the policy since
 * it could have been set by aws.secretsmanager.SecretPolicy").
 */
export const SECRETS_MANAGER_ONE_SECRET_POLICY = onePolicyRule({
  id: "SecretsManagerOneSecretPolicy",
  title: "A secret's resource policy is written by one resource only",
  source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html",
  targets: writersByHolder(["aws:secretsmanager/secret:Secret"], "aws:secretsmanager/secretPolicy:SecretPolicy", "secretArn", true),
  wording: { on: "writer", of: (secret) => `resource policy of the secret ${secret}`, removes: "the policy", fix: (secret) => `write every statement for ${secret} into one aws.secretsmanager.SecretPolicy (and no \`policy\` on the secret)` },
});

/**
 * A data stream or consumer has one resource policy: PutResourcePolicy "Attaches a resource-based policy to a data
 * stream or registered consumer"; each aws.kinesis.ResourcePolicy puts it and deletes it with DeleteResourcePolicy
 * (resource_policy.go, the resource ARN as its id). A Stream has no `policy` of its own.
 */
export const KINESIS_ONE_RESOURCE_POLICY = onePolicyRule({
  id: "KinesisOneResourcePolicy",
  title: "A data stream's or consumer's resource policy is written by one resource only",
  source: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutResourcePolicy.html",
  targets: writersByHolder(["aws:kinesis/stream:Stream", "aws:kinesis/streamConsumer:StreamConsumer"], "aws:kinesis/resourcePolicy:ResourcePolicy", "resourceArn", false),
  wording: { on: "writer", of: (stream) => `resource policy of ${stream}`, removes: "the policy", fix: (stream) => `write every statement for ${stream} into one aws.kinesis.ResourcePolicy` },
});

const OPEN_API_POLICY = "x-amazon-apigateway-policy";

/**
 * The resource policy a RestApi's OpenAPI `body` holds: its top-level x-amazon-apigateway-policy ("Specifies a resource
 * policy for a REST API", openapi-extensions-policy.html). PutRestApi takes "OpenAPI definition JSON/YAML files", so the
 * body is read as JSON, else YAML (CloudFormation tags such as `!Sub` read as plain values, without a warning on
 * stderr); a body neither reads as, or one without the extension (or with it `null`), holds none. Any other value of
 * it, even `""` or `{}`, is one that PutRestApi is given, so it counts.
 */
function openApiPolicy(body: unknown): unknown {
  if (typeof body !== "string" || body === "") return undefined;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    try {
      document = parseYaml(body, { logLevel: "error" });
    } catch {
      return undefined;
    }
  }
  return document && typeof document === "object" ? ((document as Record<string, unknown>)[OPEN_API_POLICY] ?? undefined) : undefined;
}

/**
 * How a RestApi writes its resource policy: `policy` (its own input), `body` (the body's x-amazon-apigateway-policy),
 * `clears` (a body without it, put in overwrite mode, which deletes the policy), or not at all. pulumi-aws RestApi
 * `putRestApiMode` "defaults to `overwrite`" (restApi.d.ts), and terraform-provider-aws rest_api.go (create and update,
 * before PutRestApi): "Overwrite mode will delete existing literal properties if they are not explicitly set in the
 * OpenAPI definition … Impacted properties: ApiKeySourceType, BinaryMediaTypes, Description, EndpointConfiguration,
 * MinimumCompressionSize, Name, Policy. The `merge` mode will not delete literal properties"; a RestApiPolicy beside it
 * loses its policy at each body change (pulumi/pulumi-aws#4296, hashicorp/terraform-provider-aws#49672). In merge mode a
 * body's extension is still written: "items from the existing API that aren't specifically defined in the imported
 * definition are left alone" (api-gateway-import-api-update.html), and the extension is defined. Read by the one-writer
 * rule and by transition.ts TransitionPolicyWriterDeleted (a writer that only clears holds no document to lose).
 */
export function restApiPolicyWrite(api: RecordedResource): "policy" | "body" | "clears" | undefined {
  if (api.inputs.policy) return "policy";
  if (openApiPolicy(api.inputs.body) !== undefined) return "body";
  if (typeof api.inputs.body === "string" && api.inputs.body !== "" && api.inputs.putRestApiMode !== "merge") return "clears";
  return undefined;
}

/**
 * A REST API has one resource policy, its `policy` property: aws.apigateway.RestApiPolicy sets it with UpdateRestApi's
 * `replace /policy` patch and, on delete, replaces it with nothing (rest_api_policy.go); a RestApi's own `policy` sets
 * the same property, and so does its OpenAPI `body` (restApiPolicyWrite): the provider puts the body with PutRestApi on
 * create and whenever the body changes (rest_api.go), and pulumi-aws's RestApi `policy` "corresponds to the
 * x-amazon-apigateway-policy extension. If the argument value is provided and is different than the OpenAPI value, the
 * argument value will override the OpenAPI value" (one resource, then: a body's policy beside the API's own is not
 * reported).
 */
export const API_GATEWAY_ONE_REST_API_POLICY = onePolicyRule({
  id: "ApiGatewayOneRestApiPolicy",
  title: "A REST API's resource policy is written by one resource only",
  source: "https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateRestApi.html",
  targets: writersByHolder([REST_API], "aws:apigateway/restApiPolicy:RestApiPolicy", "restApiId", (api) => restApiPolicyWrite(api) !== undefined),
  wording: {
    on: "writer",
    of: (api) => `resource policy of the REST API ${api}`,
    removes: "the policy",
    fix: (api) => `write every statement for ${api} into one aws.apigateway.RestApiPolicy (and neither \`policy\` nor an OpenAPI ${OPEN_API_POLICY} in the \`body\` of the RestApi)`,
    explain: (api, target, others) => {
      const write = api.type === REST_API ? restApiPolicyWrite(api) : undefined;
      const names = others.map((w) => w.name).join(", ");
      const also = `${names} also write${others.length > 1 ? "" : "s"}`;
      if (write === "body") {
        return {
          problem: `writes the whole resource policy of the REST API ${target} through its body's ${OPEN_API_POLICY} (on create and each time the body changes), which ${also}: each replaces the others, the last applied decides what is allowed, and destroying one removes the policy`,
          fix: `write every statement for ${target} into one place: the body's ${OPEN_API_POLICY}, the RestApi's \`policy\`, or one aws.apigateway.RestApiPolicy`,
        };
      }
      if (write === "clears") {
        return {
          problem: `clears the resource policy of the REST API ${target}, which ${names} write${others.length > 1 ? "" : "s"}: its body has no ${OPEN_API_POLICY}, and PutRestApi in overwrite mode (putRestApiMode's default) deletes the policy the body leaves out, each time the body changes; Pulumi does not refresh, so nothing puts it back and the API is left without its policy`,
          fix: `set putRestApiMode: "merge" on ${target}, or move the policy into its body's ${OPEN_API_POLICY} or its \`policy\` (and drop ${names})`,
        };
      }
      return undefined;
    },
  },
});

/**
 * A backup vault has one access policy: PutBackupVaultAccessPolicy "Sets a resource-based policy that is used to manage
 * access permissions on the target backup vault"; each aws.backup.VaultPolicy puts it and deletes it with
 * DeleteBackupVaultAccessPolicy (vault_policy.go, the vault's name as its id). A Vault has no `policy` of its own.
 */
export const BACKUP_ONE_VAULT_POLICY = onePolicyRule({
  id: "BackupOneVaultPolicy",
  title: "A backup vault's access policy is written by one resource only",
  source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultAccessPolicy.html",
  targets: writersByHolder(["aws:backup/vault:Vault"], "aws:backup/vaultPolicy:VaultPolicy", "backupVaultName", false),
  wording: { on: "writer", of: (vault) => `access policy of the backup vault ${vault}`, removes: "the policy", fix: (vault) => `write every statement for ${vault} into one aws.backup.VaultPolicy` },
});

/**
 * A DynamoDB table's resource-based policies, by the table they name: a table of the plan whose ARN a
 * aws.dynamodb.ResourcePolicy's `resourceArn` gives is their holder (writersByHolder); one naming a table outside the
 * plan, a stream or a replica's ARN is grouped by that ARN (byReference), as DynamoDbOneResourcePolicy (dynamodb.ts)
 * groups them. Read by
 * transition.ts TransitionPolicyWriterDeleted, so that a replaced table is judged as a holder.
 */
export const DYNAMODB_TABLE_POLICY_TARGETS = writersByHolder(["aws:dynamodb/table:Table"], TABLE_POLICY, "resourceArn", false);

/** A KMS key's id, from its ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`) or as given: PutKeyPolicy's KeyId takes either. */
export const kmsKeyId = (reference: unknown) => (typeof reference === "string" && KMS_KEY_ARN.test(reference) ? reference.slice(reference.lastIndexOf("/") + 1) : reference);

/** A key outside the plan named by id or by ARN is one key: its id, in the ARN's region, else the writer's (byReference). */
const kmsKeyKey = (reference: string, region: string) => regionalKey(String(kmsKeyId(reference)), KMS_KEY_ARN.test(reference) ? reference.split(":")[3] : region);

/**
 * A KMS key has one key policy: PutKeyPolicy "Attaches a key policy to the specified KMS key", whose PolicyName's "only
 * valid value is default"; aws.kms.KeyPolicy puts it and, on delete, puts the default key policy back (key_policy.go),
 * and a key's own `policy` puts it too ("KMS Key Policy can be configured in either the standalone resource
 * aws.kms.KeyPolicy or with the parameter policy", pulumi-aws kms.Key). The deploy rules that read a key's policy read
 * its one writer's (key-policy.ts keyPolicyDocument).
 */
export const KMS_ONE_KEY_POLICY = onePolicyRule({
  id: "KmsOneKeyPolicy",
  title: "A KMS key's key policy is written by one resource only",
  source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html",
  targets: writersByHolder([KMS_KEY, KMS_REPLICA_KEY, "aws:kms/externalKey:ExternalKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"], KEY_POLICY, "keyId", true, kmsKeyKey),
  wording: { on: "writer", of: (key) => `key policy of the KMS key ${key}`, removes: "its statements (the provider puts KMS's default key policy back)", fix: (key) => `write every statement for ${key} into the key's \`policy\` or one aws.kms.KeyPolicy, not both` },
});

/**
 * An ECR repository has one repository policy: SetRepositoryPolicy "Applies a repository policy to the specified
 * repository"; each aws.ecr.RepositoryPolicy sets it and deletes it with DeleteRepositoryPolicy (repository_policy.go,
 * the repository's name as its id). A Repository has no `policy` of its own.
 */
export const ECR_ONE_REPOSITORY_POLICY = onePolicyRule({
  id: "EcrOneRepositoryPolicy",
  title: "An ECR repository's policy is written by one resource only",
  source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html",
  targets: writersByHolder(["aws:ecr/repository:Repository"], "aws:ecr/repositoryPolicy:RepositoryPolicy", "repository", false),
  wording: { on: "writer", of: (repository) => `policy of the ECR repository ${repository}`, removes: "the policy", fix: (repository) => `write every statement for ${repository} into one aws.ecr.RepositoryPolicy` },
});

const LOG_RESOURCE_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy";

/**
 * A CloudWatch Logs resource policy is one document by its name (account-scoped: PutResourcePolicy "Creates or updates
 * a resource policy", DeleteResourcePolicy by name; the provider takes the name as its id) or by its log group's ARN
 * (resource-scoped: "Only one policy can be attached per log group resource ARN", pulumi-aws cloudwatch.LogResourcePolicy).
 * Two aws.cloudwatch.LogResourcePolicy of one name in one region, or on one log group, write the same policy.
 */
export const CLOUDWATCH_LOGS_ONE_RESOURCE_POLICY = onePolicyRule({
  id: "CloudWatchLogsOneResourcePolicy",
  title: "A CloudWatch Logs resource policy (by name, or on a log group) is written by one resource only",
  source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html",
  targets: (graph, context) =>
    byReference(graph, context, ofType(graph, LOG_RESOURCE_POLICY), (policy) => policy.inputs.resourceArn || (typeof policy.inputs.policyName === "string" && policy.inputs.policyName ? `named ${policy.inputs.policyName}` : undefined)),
  wording: { on: "writer", of: (policy) => `CloudWatch Logs resource policy ${policy}`, removes: "the policy", fix: (policy) => `write every statement of the resource policy ${policy} into one aws.cloudwatch.LogResourcePolicy` },
});

const LAMBDA_RESOURCE_POLICY = "aws:lambda/resourcePolicy:ResourcePolicy";
const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";

/**
 * What a Lambda policy writer is on: a ResourcePolicy's `resourceArn` (a function, version or alias ARN); a
 * Permission's function and qualifier (permissionFunction: by the function's ARN when the plan holds it in the
 * Permission's region).
 */
function lambdaPolicyTarget(graph: Graph, context: DeployRuleContext, lookUp: (reference: unknown) => RecordedResource | undefined, writer: RecordedResource): unknown {
  if (writer.type === LAMBDA_RESOURCE_POLICY) return writer.inputs.resourceArn;
  const target = permissionFunction(graph, context, writer, lookUp);
  if (!target) return undefined;
  const { reference, qualifier, fn } = target;
  const base = typeof fn?.state.arn === "string" ? fn.state.arn : (unqualified(reference) ?? reference);
  return qualifier ? `${base}:${qualifier}` : base;
}

/**
 * The policy a Lambda writer's target names, as a key: its function's name and qualifier in its region. FunctionName
 * takes a name (`my-function`), an ARN or a partial ARN (`123456789012:function:my-function`), and "You can append a
 * version number or alias to any of the formats" (API_AddPermission), so a Permission naming a function outside the
 * plan by name writes the policy a ResourcePolicy names by ARN. The region is the ARN's, else the writer's. The account
 * is not compared (a name carries none; as in lambda.ts eventSourceMappingPair): same-named functions of two accounts
 * in one region would count as one. A target that is no Lambda reference is its own key.
 */
function lambdaPolicyKey(reference: string, region: string): string {
  const named = functionNameParts(reference);
  return named ? JSON.stringify([named.region ?? region, named.name, named.qualifier ?? ""]) : JSON.stringify([region, reference]);
}

/**
 * A function's (or version's, or alias's) resource-based policy: PutResourcePolicy "replaces any existing policy on the
 * Lambda resource. If you previously added permissions using the AddPermission operation, the new policy overwrites
 * those permissions"; aws.lambda.ResourcePolicy puts it whole and deletes it (terraform-provider-aws lambda policy.go:
 * "This replaces the entire policy, including any statements added with aws_lambda_permission"). A Permission adds one
 * statement (AddPermission): several are fine, but one beside a ResourcePolicy is dropped by it — the components'
 * triggers (API routes, subscriptions, bucket notifications) grant their services so.
 */
export const LAMBDA_ONE_RESOURCE_POLICY = onePolicyRule({
  id: "LambdaOneResourcePolicy",
  title: "A function's resource-based policy is written whole by one resource, and not beside Permissions",
  source: "https://docs.aws.amazon.com/lambda/latest/api/API_PutResourcePolicy.html",
  targets: (graph, context) => {
    const lookUp = functionIndex(graph);
    return byReference(graph, context, [...ofType(graph, LAMBDA_RESOURCE_POLICY), ...ofType(graph, LAMBDA_PERMISSION)], (writer) => lambdaPolicyTarget(graph, context, lookUp, writer), lambdaPolicyKey);
  },
  whole: (writer) => writer.type === LAMBDA_RESOURCE_POLICY,
  wording: {
    on: "writer",
    of: (fn) => `resource-based policy of ${fn}`,
    removes: "every statement",
    fix: (fn) => `grant through aws.lambda.Permission only (one per grant), or write every statement for ${fn} into one aws.lambda.ResourcePolicy and no Permission beside it`,
  },
});

/** The table's rules of services with no rule list of their own. */
export const KMS_RULES: DeployRule[] = [KMS_ONE_KEY_POLICY, KMS_KEY_POLICY_SIZE];
export const ECR_RULES: DeployRule[] = [ECR_ONE_REPOSITORY_POLICY];
