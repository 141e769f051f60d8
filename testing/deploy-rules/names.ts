/**
 * Physical names: the name AWS sees for each resource, checked against the length and characters the service
 * takes. One table for every named resource type the components create, so a component name that is too long,
 * or holds a character a service refuses, is caught for every resource it names — in the components and in
 * user programs alike.
 *
 * A resource's physical name is its explicit name input when the program sets one, otherwise Pulumi's autoname.
 * How Pulumi autonames (pulumi-terraform-bridge pkg/tfbridge/info/autonaming.go, ComputeAutoNameDefault, and
 * pulumi/pulumi sdk/go/common/resource/resource_id.go, NewUniqueName):
 *
 * - the URN's name (the logical name the program gave the resource), through the resource's Transform if any
 *   (S3 buckets: lower case), then the separator `-`, then `Randlen` random characters: 7 lowercase hex digits
 *   for every resource here (`AutoName(name, maxlen, "-")` sets Randlen 7). So `<name>-<7 hex>`: 8 characters
 *   more than the logical name.
 * - if `len(prefix) + Randlen > Maxlen` (Go's len: UTF-8 bytes), NewUniqueName fails ("name '<name>-' plus 7 random
 *   chars is longer than maximum length <Maxlen>"), and the bridge wraps it ("could not make instance of '<type>'").
 *   Defaults are computed in the provider's Check, so `pulumi preview` already fails.
 * - a PostTransform runs last: SQS queues and SNS topics append `.fifo` when FIFO, KMS aliases prepend `alias/`.
 * - Maxlen is per resource (pulumi/pulumi-aws provider/resource_overrides.go): Lambda functions and IAM roles 64,
 *   S3 buckets 63 (lower-cased), SQS queues and SNS topics 80; every other resource with a `name` input gets
 *   `AutoName("name", 255, "-")` (provider/autonaming.go, setAutonaming). Where 255 is more than the service takes,
 *   Pulumi's autoname passes preview and the create call fails at `pulumi up`.
 * - a stack may replace all this with the `pulumi:autonaming` config (an engine feature): autonaming.ts reads it, and
 *   `physicalNameLimits(naming)` measures the names it makes (a pattern's proposal goes through the transform, the
 *   Maxlen check and the postfix; an enforced one or verbatim is taken as it is). PHYSICAL_NAME_LIMITS is the default.
 *
 * The offline mocks record `<logical>-<8 hex>` as a resource's name (local/offline/mocks.ts, fakeId), not what
 * Pulumi would make, so the autoname is rebuilt here from the logical name and never read from the recording.
 *
 * Types left out because this rule's author could not confirm their limits in AWS's documentation: Cognito user
 * pools (PoolName) and identity pools (IdentityPoolName), CloudFront cache and response headers policies (the API
 * reference documents no limit), API Gateway REST APIs and apigatewayv2 APIs (no documented limit), CloudWatch
 * metric alarms, and KMS aliases (no component creates one). Explicit names of S3 buckets, backup vaults, web
 * ACLs and key value stores are already checked by S3BucketName, BackupNames, WafRuleNames and
 * CloudFrontKeyValueStore; for those types this rule checks only the autoname, so a finding is reported once.
 */
// bucketNameProblem from autoname.ts itself (s3.ts re-exports it), so that s3.ts reads PROVIDER_UNIQUE_ID_SUFFIX_LENGTH without an import loop.
import { AUTONAME_RANDOM_LENGTH, bucketNameProblem, CLOUDFRONT_NAME_LENGTH, CLOUDFRONT_NAME_SYMBOLS, IAM_NAME_SYMBOLS, IAM_ROLE_NAME_LENGTH, LAMBDA_STATEMENT_ID_LENGTH, nameCharacters, rdsIdentifierProblem, S3_BUCKET_NAME_LENGTH, SECURITY_GROUP_NAME_LENGTH, SECURITY_GROUP_NAME_SYMBOLS, securityGroupNameProblem } from "../../components/autoname";
import { LAMBDA_LIMITS } from "../../components/lambda/function";
import { ALARM_LIMITS } from "../../components/monitoring/validate";
import type { Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type DeployFinding, type DeployRule } from "./rule";
import { goLength } from "./go-length";

/**
 * What terraform-provider-aws adds to a `namePrefix` / `bucketPrefix`: id.PrefixedUniqueId's suffix,
 * id.UniqueIDSuffixLength = 26 characters (terraform-plugin-sdk helper/id; a timestamp and a counter, all digits).
 * The mocks' stand-in is local/offline/mocks.ts providerUniqueId. Read by S3BucketName (s3.ts) and StatesStateMachineName (states.ts).
 */
export const PROVIDER_UNIQUE_ID_SUFFIX_LENGTH = 26;

/**
 * A DNS name as the rules compare it: without its trailing dot (Route 53 takes a name with or without it) and in lower
 * case (DNS names are case-insensitive); an absent name is "". For record, alias-target and domain names alike.
 */
export const dnsName = (name: unknown): string => String(name ?? "").replace(/\.$/, "").toLowerCase();

const SEPARATOR = "-";
/** A stand-in for the random part when checking an autoname's characters: lowercase hex digits, like the real one. */
const RANDOM_STAND_IN = "0".repeat(AUTONAME_RANDOM_LENGTH);

/** How pulumi-aws autonames a type's name property (provider/resource_overrides.go, provider/autonaming.go). */
interface Autoname {
  /** Pulumi's Maxlen: over it, `pulumi preview` fails. */
  maxLength: number;
  /** Applied to the logical name before the suffix (S3 lower-cases bucket names). */
  transform?: (name: string) => string;
  /** Appended after the random part (SQS and SNS add `.fifo` to a FIFO queue or topic). */
  postfix?: (r: RecordedResource) => string;
}

export interface PhysicalNameSpec {
  type: string;
  /** The input that names the resource in AWS. */
  property: string;
  /** What AWS calls the name, with its article, for messages ("a Lambda function name"). */
  what: string;
  /** The most characters AWS takes; with lengthUndocumented, pulumi-aws's autoname maximum instead (AWS documents none). */
  maxLength: number;
  /**
   * AWS documents no length for the name: `maxLength` is pulumi-aws's autoname maximum, which bounds the names it makes
   * (and a configured pattern's, unless enforced), never an explicit or enforced name. Messages then give no length as AWS's.
   */
  lengthUndocumented?: true;
  /** Why AWS refuses `name`, or undefined when it takes it. */
  problem(name: string, r: RecordedResource): string | undefined;
  /** How Pulumi names the resource when `property` is unset; absent when the property is required. */
  autoname?: Autoname;
  /** The rule that already checks explicit names of this type; this rule then checks only autonames. */
  explicitCheckedBy?: string;
  /**
   * The rule that already checks explicit names and Pulumi's default `<name>-<7 hex>` of this type; this rule then
   * checks only the names the stack's `pulumi:autonaming` makes.
   */
  defaultAutonameCheckedBy?: string;
  /** The AWS documentation of the limits. */
  source: string;
  /**
   * The fix for a default autoname the service refuses for a character Pulumi itself adds (the `-` before the random
   * part), which no logical name avoids; unset, the fix is to change the logical name's characters.
   */
  autonameRefusedFix?: string;
  /** Who refuses a name the service does not take, and when: "AWS refuses it at `pulumi up`" unless set. */
  refusal?: string;
  /** Who refuses `name` before AWS sees it, and when: the provider's own check of the name input, where it has one. */
  providerRefusal?: (name: string) => string | undefined;
  /**
   * The prefix input the provider completes with its unique suffix (`namePrefix`: the name is the prefix and
   * PROVIDER_UNIQUE_ID_SUFFIX_LENGTH digits, terraform-provider-aws internal/create Name), which this rule measures as
   * that whole name; and the provider's own check of the prefix, which fails `pulumi preview`. Types without it: a
   * `<property>Prefix` set leaves the name unmeasured.
   */
  prefix?: NamePrefix;
}

/**
 * A `<property>Prefix` input terraform-provider-aws completes with its unique suffix (internal/create Name /
 * NewNameGenerator: the prefix, id.PrefixedUniqueId's PROVIDER_UNIQUE_ID_SUFFIX_LENGTH digits, then any suffix the
 * resource adds), and the provider's own check of it, which fails `pulumi preview`.
 */
export interface NamePrefix {
  property: string;
  /** Whether the provider refuses `prefix` (its ValidateFunc, or a CustomizeDiff that checks the whole name it makes). */
  providerRefuses(prefix: string, r: RecordedResource): boolean;
  /** The provider's rule, for messages ("at most 38 characters of letters, digits and _+=,.@-"). */
  providerRule: string;
  /** What the provider appends after its suffix (SQS and SNS: `.fifo` for a FIFO queue or topic). */
  postfix?: (r: RecordedResource) => string;
}

/** A length-and-characters check: `min`–`max` characters, each matching `chars` (a one-character class). */
function limits(min: number, max: number, chars: RegExp, allowed: string): (name: string) => string | undefined {
  return (name) => {
    if (name.length < min || name.length > max) return `is ${name.length} characters; ${min === max ? max : `${min}–${max}`} allowed`;
    return characterProblem(name, chars, allowed);
  };
}

function characterProblem(name: string, chars: RegExp, allowed: string): string | undefined {
  const bad = [...new Set([...name].filter((c) => !chars.test(c)))];
  return bad.length > 0 ? `has ${bad.map((c) => JSON.stringify(c)).join(", ")}; only ${allowed} allowed` : undefined;
}

/**
 * A spec's `problem` and `maxLength` for a name whose service documents its characters but no length: an explicit name
 * is judged by its characters only (a length limit would be a guess that could refuse what AWS takes), and `maxLength`
 * is pulumi-aws's autoname maximum, which bounds only autonames.
 */
function charactersOnly(autonameMaximum: number, chars: RegExp, allowed: string): Pick<PhysicalNameSpec, "problem" | "maxLength" | "lengthUndocumented"> {
  return { problem: (name) => (name.length === 0 ? "is empty" : characterProblem(name, chars, allowed)), maxLength: autonameMaximum, lengthUndocumented: true };
}

/** A spec's `problem` check and `maxLength` from one limit: names of `min`–`max` characters from `chars`. */
function withinLimits(min: number, max: number, chars: RegExp, allowed: string): Pick<PhysicalNameSpec, "problem" | "maxLength"> {
  return { problem: limits(min, max, chars, allowed), maxLength: max };
}

const fifo = (flag: string) => (r: RecordedResource) => (r.inputs[flag] === true ? ".fifo" : "");

/** SQS and SNS: 1–`max` letters, digits, - and _, with `.fifo` ending a FIFO queue's or topic's name and no other's. */
function withFifo(flag: string, max: number): PhysicalNameSpec["problem"] {
  const check = limits(1, max, /[A-Za-z0-9_-]/, "letters, digits, - and _ (and the .fifo suffix)");
  return (name, r) => {
    const isFifo = r.inputs[flag] === true;
    if (isFifo !== name.endsWith(".fifo")) return isFifo ? "does not end in .fifo, which a FIFO name must" : "ends in .fifo, which only a FIFO name may";
    return name.length > max ? check(name) : check(name.replace(/\.fifo$/, ""));
  };
}

/** EC2 security group names: up to 255 of letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`, not starting with `sg-`, not `default` (components/autoname.ts). */
function securityGroupName(): Pick<PhysicalNameSpec, "problem" | "maxLength"> {
  const check = limits(1, SECURITY_GROUP_NAME_LENGTH, new RegExp(`[${nameCharacters(SECURITY_GROUP_NAME_SYMBOLS)}]`), `letters, digits, spaces and ${SECURITY_GROUP_NAME_SYMBOLS.trim()}`);
  return { problem: (name) => check(name) ?? securityGroupNameProblem(name), maxLength: SECURITY_GROUP_NAME_LENGTH };
}

/**
 * A security group's `name` as terraform-provider-aws checks it (vpc_security_group.go, name: StringLenBetween(0, 255)
 * and StringDoesNotMatch(^sg-), "cannot begin with sg-"): such a name, explicit or made by `pulumi:autonaming`, fails
 * `pulumi preview` (the bridge's Check validates the name with the defaults it set). StringLenBetween measures Go's
 * `len(v)`, UTF-8 bytes (terraform-plugin-sdk helper/validation/strings.go). "default" and EC2's characters are not
 * checked there: EC2 refuses those at `pulumi up`.
 */
const securityGroupProviderRefusal = (name: string): string | undefined =>
  goLength(name) > SECURITY_GROUP_NAME_LENGTH || name.startsWith("sg-") ? 'terraform-provider-aws refuses it at `pulumi preview` (name: at most 255 characters, "cannot begin with sg-")' : undefined;

/** Who refuses `name`, and when: the provider at preview where it checks the name, else the service (`spec.refusal`, or AWS at `pulumi up`). */
export const refusalOf = (spec: Pick<PhysicalNameSpec, "refusal" | "providerRefusal">, name: string) => spec.providerRefusal?.(name) ?? spec.refusal ?? "AWS refuses it at `pulumi up`";

/**
 * A security group's `namePrefix` as terraform-provider-aws checks it before any call (internal/service/ec2/
 * vpc_security_group.go, name_prefix: `validation.StringLenBetween(0, 255-id.UniqueIDSuffixLength)`, in UTF-8 bytes, and
 * `StringDoesNotMatch(^sg-)`, "cannot begin with sg-"), so a longer prefix or one starting with "sg-" fails `pulumi preview`.
 */
const SECURITY_GROUP_PREFIX: NamePrefix = {
  property: "namePrefix",
  providerRefuses: (prefix) => goLength(prefix) > SECURITY_GROUP_NAME_LENGTH - PROVIDER_UNIQUE_ID_SUFFIX_LENGTH || prefix.startsWith("sg-"),
  providerRule: `at most ${SECURITY_GROUP_NAME_LENGTH - PROVIDER_UNIQUE_ID_SUFFIX_LENGTH} characters, not starting with "sg-"`,
};

const LETTERS_DIGITS_DASH_UNDERSCORE = new RegExp(`[${nameCharacters(CLOUDFRONT_NAME_SYMBOLS)}]`);
const IAM_NAME = new RegExp(`[${nameCharacters(IAM_NAME_SYMBOLS)}]`);

/** Names of `min`–`max` letters, digits, - and _: Lambda functions, CloudFront Functions and key value stores, web ACLs, stages, backup vaults. */
const lettersDigitsDashUnderscore = (min: number, max: number) => withinLimits(min, max, LETTERS_DIGITS_DASH_UNDERSCORE, "letters, digits, - and _");

/** Names of 1–`max` characters of any kind, where AWS documents only a length (origin access controls, Lambda statement ids). */
function lengthWithin(max: number): Pick<PhysicalNameSpec, "problem" | "maxLength"> {
  return { problem: (name) => (name.length < 1 || name.length > max ? `is ${name.length} characters; 1–${max} allowed` : undefined), maxLength: max };
}

/**
 * A prefix terraform-provider-aws checks with a ValidateFunc of its own: 1 to `max` bytes (Go's len) matching `pattern`,
 * the whole prefix. Its sources, per type (hashicorp/terraform-provider-aws, internal/service/…):
 * - iam/validate.go validResourceName(max): StringLenBetween(1, max) and `^[\w+=,.@-]*$`; role.go name_prefix
 *   roleNamePrefixMaxLen = 64 − 26, policy.go policyNamePrefixMaxLen and role_policy.go rolePolicyNamePrefixMaxLen
 *   = 128 − 26.
 * - lambda/validate.go validPolicyStatementID, which permission.go applies to statement_id_prefix as to statement_id:
 *   `^[0-9A-Za-z_-]+$`, 1–100 (the statement id's own maximum, so a prefix of 75–100 passes preview and AddPermission
 *   refuses the 101–126-character id at `pulumi up`).
 * - logs/validate.go validLogGroupNamePrefix: at most 483, `^[0-9A-Za-z_./#-]+$`.
 * - scheduler/schedule.go name_prefix: StringLenBetween(1, 64 − 26), `^[0-9A-Za-z_.-]+$`.
 * - secretsmanager/validate.go validSecretNamePrefix: `^[0-9A-Za-z/_+=.@-]+$`, at most 512 − 26.
 * - rds/validate.go validSubnetGroupNamePrefix: `^[0-9a-z_ .-]+$`, at most 229 (255 − 26; not "a letter first", which
 *   RDS then refuses at `pulumi up`); validIdentifierPrefix (cluster_identifier_prefix, identifier_prefix):
 *   `^[0-9a-z-]+$`, a letter first, no `--`, and no length (RDS refuses an identifier over 63 at `pulumi up`, so a
 *   prefix over 37).
 */
function checkedPrefix(property: string, max: number, pattern: RegExp, providerRule: string): NamePrefix {
  return { property, providerRefuses: (prefix) => goLength(prefix) < 1 || goLength(prefix) > max || !pattern.test(prefix), providerRule };
}

const PREFIX_MAX = (nameMax: number) => nameMax - PROVIDER_UNIQUE_ID_SUFFIX_LENGTH;
const iamPrefix = (nameMax: number) => checkedPrefix("namePrefix", PREFIX_MAX(nameMax), /^[\w+=,.@-]*$/, `1–${PREFIX_MAX(nameMax)} characters of letters, digits and _+=,.@-`);
const RDS_IDENTIFIER_PREFIX = (property: string) => checkedPrefix(property, Infinity, /^[a-z](?!.*--)[0-9a-z-]*$/, "lower-case letters, digits and hyphens, a letter first, no two hyphens in a row");

/**
 * SQS and SNS: terraform-provider-aws checks the whole name it makes from the prefix (the prefix, its 26 digits and
 * `.fifo` when FIFO) in a CustomizeDiff at `pulumi preview`: sqs/queue.go resourceQueueCustomizeDiff
 * (`^[0-9A-Za-z_-]{1,75}\.fifo$` or `^[0-9A-Za-z_-]{1,80}$`, "invalid queue name") and sns/topic.go
 * resourceTopicCustomizeDiff (`{1,251}\.fifo` or `{1,256}`, "invalid topic name"): the names withFifo checks.
 */
function wholeNamePrefix(flag: string, max: number): NamePrefix {
  const check = withFifo(flag, max);
  const postfix = fifo(flag);
  return {
    property: "namePrefix",
    postfix,
    providerRefuses: (prefix, r) => check(`${prefix}${UNIQUE_SUFFIX_STAND_IN}${postfix(r)}`, r) !== undefined,
    providerRule: `a name (the prefix, its ${PROVIDER_UNIQUE_ID_SUFFIX_LENGTH}-digit suffix and .fifo when FIFO) of at most ${max} letters, digits, - and _`,
  };
}

/**
 * Most of the table: a type AWS names by its `name` input, which pulumi-aws autonames with its default for a `name`
 * without an override of its own, `AutoName("name", 255, "-")` (provider/autonaming.go, setAutonaming). Where the
 * service takes fewer than 255 characters, such an autoname passes preview and the create call fails at `pulumi up`.
 */
function namedByName(type: string, what: string, check: Pick<PhysicalNameSpec, "problem" | "maxLength" | "lengthUndocumented">, source: string, explicitCheckedBy?: string): PhysicalNameSpec {
  return { type, property: "name", what, ...check, autoname: { maxLength: 255 }, ...(explicitCheckedBy === undefined ? {} : { explicitCheckedBy }), source };
}

/**
 * Types pulumi-aws autonames with its default (`AutoName("name", 255, "-")`) whose AWS limits were not confirmed: only
 * pulumi-aws's 255 is measured (a longer configured name fails Check, so `pulumi preview`), and the `pulumi:autonaming`
 * rules (autonaming.ts) see them when the program leaves them unnamed.
 */
function autonamedOnly(types: ReadonlyArray<[type: string, what: string, source: string]>): PhysicalNameSpec[] {
  return types.map(([type, what, source]) => ({ type, property: "name", what, maxLength: 255, lengthUndocumented: true, problem: () => undefined, autoname: { maxLength: 255 }, source }));
}

/**
 * The table. Sources, per type:
 * - Lambda CreateFunction: "If you specify only the function name, it is limited to 64 characters in length",
 *   pattern `[a-zA-Z0-9-_]+`.
 * - IAM CreateRole RoleName 1–64 `[\w+=,.@-]+`; PutRolePolicy / CreatePolicy PolicyName `[\w+=,.@-]+` of 1–128 (the
 *   128 from the API reference's Length Constraints; the pages this was checked against showed the pattern).
 * - S3 general purpose bucket naming rules (bucketNameProblem, shared with S3BucketName).
 * - SQS CreateQueue: "up to 80 characters", "alphanumeric characters, hyphens (-), and underscores (_)", FIFO ends in .fifo.
 * - SNS CreateTopic: "only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be
 *   between 1 and 256 characters long"; FIFO ends in .fifo.
 * - CloudWatch Logs CreateLogGroup: 1–512 of `[\.\-_/#A-Za-z0-9]`.
 * - DynamoDB naming rules: table names 3–255 of a-z, A-Z, 0-9, _, -, .
 * - Cognito UserPoolClient ClientName: 1–128 of `[\w\s+=,.@-]`.
 * - EventBridge Scheduler CreateSchedule Name: 1–64 of `[0-9a-zA-Z-_.]`.
 * - CloudFront CreateFunction / CreateKeyValueStore Name: `[a-zA-Z0-9-_]{1,64}`; OriginAccessControlConfig Name:
 *   "You can specify up to 64 characters" (no character set documented: only the length is checked).
 * - WAFv2 CreateWebACL Name: 1–128 of `[\w-]`.
 * - Secrets Manager CreateSecret Name: "ASCII letters, numbers, and the following characters: /_+=.@-", at most 512.
 * - API Gateway CreateStage stageName and apigatewayv2 stages: "Stage names can only contain alphanumeric characters,
 *   hyphens, and underscores. Maximum length is 128 characters" (HTTP APIs also take `$default`).
 * - AWS Backup: vault names `^[a-zA-Z0-9\-\_]{2,50}$` (CreateBackupVault); BackupPlanName "alphanumeric or '-_.'",
 *   "through CLI or API, it can contain 1 to 200 characters"; SelectionName "1 to 50 alphanumeric or '-_.'".
 * - Kinesis CreateStream StreamName, RegisterStreamConsumer ConsumerName: 1–128 of `[a-zA-Z0-9_.-]+`.
 * - RDS (components/autoname.ts rdsIdentifierProblem, one check with RelationalDatabase's autonames): CreateDBCluster
 *   DBClusterIdentifier and CreateDBInstance DBInstanceIdentifier "Must contain from 1 to 63 letters, numbers, or
 *   hyphens. First character must be a letter. Can't end with a hyphen or contain two consecutive hyphens", lower case
 *   for terraform-provider-aws (validate.go validIdentifier); CreateDBSubnetGroup DBSubnetGroupName "Must contain no
 *   more than 255 letters, numbers, periods, underscores, spaces, or hyphens. Must not be default. First character
 *   must be a letter", lower case for terraform-provider-aws (validate.go validSubnetGroupName); DeleteDBCluster FinalDBSnapshotIdentifier "Must be 1 to 255 letters, numbers, or hyphens"
 *   (the identifier's other rules), whose explicit value RdsClusterSettings judges with whether one is needed. Explicit
 *   names and prefixes (RelationalDatabase's subnet group has `namePrefix`): pulumi-aws's autonaming of these types
 *   (maximum, case) was not read.
 * - Step Functions CreateStateMachine `name`: "Length Constraints: Minimum length of 1. Maximum length of 80", no white
 *   space, brackets, wildcards or `" # % \ ^ | ~ \` $ & , ; : /`, and "To enable logging with CloudWatch Logs, the name
 *   should only contain 0-9, A-Z, a-z, - and _" (API_CreateStateMachine, API_StateMachineListItem), which
 *   terraform-provider-aws enforces at preview (StatesStateMachineName, states.ts, which checks explicit names and the
 *   default autoname; this table adds the names `pulumi:autonaming` makes, and the type for its rules).
 * - API Gateway CreateModel name: "The name of the model. Must be alphanumeric." (no length documented: an explicit
 *   name's characters are judged, its length not; pulumi-aws's 255 bounds autonames). An autonamed model always holds the autoname's "-" (autonameRefusedFix).
 * - AUTONAMED_ONLY: types the components leave unnamed that pulumi-aws autonames with its default `AutoName("name",
 *   255, "-")` (provider/autonaming.go setAutonaming: every resource with a `name` input; the metric alarm's
 *   `alarm_name`, Pulumi's `name`, by provider/resource_overrides.go `tfbridge.AutoName("name", 255, "-")`), whose own
 *   AWS limits this table's author could not confirm: only pulumi-aws's 255 is measured.
 * - EC2 CreateSecurityGroup GroupName: "Up to 255 characters in length. Cannot start with sg-. Valid characters: a-z,
 *   A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", and not "default" in any letter case (InvalidGroup.Reserved; EC2's
 *   error codes page) (components/autoname.ts SECURITY_GROUP_NAME_LENGTH and securityGroupNameProblem, the one check with
 *   PrivateNetwork's and RelationalDatabase's kind "security-group", which refuse a component name whose default
 *   autoname breaks it); pulumi-aws autonames a group within its default 255 (no override for aws_security_group). A
 *   `namePrefix` is measured with terraform-provider-aws's 26-digit suffix (SECURITY_GROUP_PREFIX).
 * - Prefixes (`prefix`): a type's `namePrefix` (a Lambda permission's `statementIdPrefix`, an RDS cluster's
 *   `clusterIdentifierPrefix`, an RDS instance's `identifierPrefix`) is measured as the name the provider makes of it
 *   (the prefix and 26 digits, `.fifo` after for a FIFO queue or topic) against the service's limits above, and against
 *   the provider's own check of the prefix (checkedPrefix, wholeNamePrefix). S3's `bucketPrefix` is S3BucketName's and a
 *   state machine's StatesStateMachineName's (those types have no `prefix` here, and a name from their prefix is left unknown);
 *   wafv2/web_acl.go name_prefix: StringLenBetween(1, 128 − 26), `^[0-9A-Za-z_-]+$`.
 */
export const PHYSICAL_NAMES: readonly PhysicalNameSpec[] = [
  {
    type: "aws:lambda/function:Function",
    property: "name",
    what: "a Lambda function name",
    ...lettersDigitsDashUnderscore(1, 64),
    autoname: { maxLength: 64 },
    source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
  },
  {
    // pulumi-aws autonames a permission's statement id from its logical name within 100 (provider resources.go:
    // `"statement_id": tfbridge.AutoName("statementId", 100, "-")`), AddPermission's StatementId maximum: a component
    // whose permission names grow with its arguments (a route function's alias for a long stage name) fails preview.
    type: "aws:lambda/permission:Permission",
    property: "statementId",
    what: "a Lambda permission statement id",
    ...lengthWithin(LAMBDA_STATEMENT_ID_LENGTH),
    autoname: { maxLength: LAMBDA_STATEMENT_ID_LENGTH },
    prefix: checkedPrefix("statementIdPrefix", LAMBDA_STATEMENT_ID_LENGTH, /^[0-9A-Za-z_-]+$/, `1–${LAMBDA_STATEMENT_ID_LENGTH} letters, digits, - and _`),
    source: "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html",
  },
  {
    type: "aws:iam/role:Role",
    property: "name",
    what: "an IAM role name",
    ...withinLimits(1, IAM_ROLE_NAME_LENGTH, IAM_NAME, "letters, digits and _+=,.@-"),
    autoname: { maxLength: IAM_ROLE_NAME_LENGTH },
    prefix: iamPrefix(IAM_ROLE_NAME_LENGTH),
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  },
  { ...namedByName("aws:iam/rolePolicy:RolePolicy", "an IAM inline policy name", withinLimits(1, 128, IAM_NAME, "letters, digits and _+=,.@-"), "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html"), prefix: iamPrefix(128) },
  { ...namedByName("aws:iam/policy:Policy", "an IAM policy name", withinLimits(1, 128, IAM_NAME, "letters, digits and _+=,.@-"), "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html"), prefix: iamPrefix(128) },
  ...["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"].map(
    (type): PhysicalNameSpec => ({
      type,
      property: "bucket",
      what: "an S3 bucket name",
      problem: (name) => bucketNameProblem(name),
      maxLength: S3_BUCKET_NAME_LENGTH,
      autoname: { maxLength: S3_BUCKET_NAME_LENGTH, transform: (name) => name.toLowerCase() },
      explicitCheckedBy: "S3BucketName",
      source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    }),
  ),
  {
    type: "aws:sqs/queue:Queue",
    property: "name",
    what: "an SQS queue name",
    problem: withFifo("fifoQueue", 80),
    maxLength: 80,
    autoname: { maxLength: 80, postfix: fifo("fifoQueue") },
    prefix: wholeNamePrefix("fifoQueue", 80),
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
  },
  {
    type: "aws:sns/topic:Topic",
    property: "name",
    what: "an SNS topic name",
    problem: withFifo("fifoTopic", 256),
    maxLength: 256,
    autoname: { maxLength: 80, postfix: fifo("fifoTopic") },
    prefix: wholeNamePrefix("fifoTopic", 256),
    source: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
  },
  {
    ...namedByName("aws:cloudwatch/logGroup:LogGroup", "a log group name", withinLimits(1, 512, /[.\-_/#A-Za-z0-9]/, "letters, digits and . - _ / #"), "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"),
    prefix: checkedPrefix("namePrefix", 483, /^[0-9A-Za-z_./#-]+$/, "1–483 characters of letters, digits and . - _ / #"),
  },
  namedByName("aws:dynamodb/table:Table", "a DynamoDB table name", withinLimits(3, 255, /[A-Za-z0-9_.-]/, "letters, digits, _, - and ."), "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"),
  namedByName("aws:cognito/userPoolClient:UserPoolClient", "a Cognito app client name", withinLimits(1, 128, /[\w\s+=,.@-]/, "letters, digits, spaces and _+=,.@-"), "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientDescription.html"),
  {
    ...namedByName("aws:scheduler/schedule:Schedule", "a schedule name", withinLimits(1, 64, /[0-9a-zA-Z_.-]/, "letters, digits, -, _ and ."), "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html"),
    prefix: checkedPrefix("namePrefix", PREFIX_MAX(64), /^[0-9A-Za-z_.-]+$/, `1–${PREFIX_MAX(64)} letters, digits, -, _ and .`),
  },
  namedByName("aws:cloudfront/function:Function", "a CloudFront Function name", lettersDigitsDashUnderscore(1, CLOUDFRONT_NAME_LENGTH), "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateFunction.html"),
  namedByName("aws:cloudfront/keyValueStore:KeyValueStore", "a key value store name", lettersDigitsDashUnderscore(1, CLOUDFRONT_NAME_LENGTH), "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateKeyValueStore.html", "CloudFrontKeyValueStore"),
  namedByName("aws:cloudfront/originAccessControl:OriginAccessControl", "an origin access control name", lengthWithin(CLOUDFRONT_NAME_LENGTH), "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html"),
  {
    // WafRuleNames checks an explicit `name`; a `namePrefix` (web_acl.go: StringLenBetween(1, 128 − 26), `^[0-9A-Za-z_-]+$`) is measured here.
    ...namedByName("aws:wafv2/webAcl:WebAcl", "a web ACL name", lettersDigitsDashUnderscore(1, 128), "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html", "WafRuleNames"),
    prefix: checkedPrefix("namePrefix", PREFIX_MAX(128), /^[0-9A-Za-z_-]+$/, `1–${PREFIX_MAX(128)} letters, digits, - and _`),
  },
  {
    ...namedByName("aws:secretsmanager/secret:Secret", "a secret name", withinLimits(1, 512, /[A-Za-z0-9/_+=.@-]/, "letters, digits and /_+=.@-"), "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"),
    prefix: checkedPrefix("namePrefix", PREFIX_MAX(512), /^[0-9A-Za-z/_+=.@-]+$/, `1–${PREFIX_MAX(512)} letters, digits and /_+=.@-`),
  },
  {
    type: "aws:apigateway/stage:Stage",
    property: "stageName",
    what: "a stage name",
    ...lettersDigitsDashUnderscore(1, 128),
    source: "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html",
  },
  namedByName(
    "aws:apigatewayv2/stage:Stage",
    "a stage name",
    { problem: (name) => (name === "$default" ? undefined : limits(1, 128, LETTERS_DIGITS_DASH_UNDERSCORE, "letters, digits, - and _ (or the name $default)")(name)), maxLength: 128 },
    "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html",
  ),
  namedByName("aws:backup/vault:Vault", "a backup vault name", lettersDigitsDashUnderscore(2, 50), "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html", "BackupNames"),
  namedByName("aws:backup/plan:Plan", "a backup plan name", withinLimits(1, 200, /[A-Za-z0-9_.-]/, "letters, digits, -, _ and ."), "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlan.html"),
  namedByName("aws:backup/selection:Selection", "a backup selection name", withinLimits(1, 50, /[A-Za-z0-9_.-]/, "letters, digits, -, _ and ."), "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html"),
  // Kinesis CreateStream StreamName and RegisterStreamConsumer ConsumerName: 1–128 of `[a-zA-Z0-9_.-]+`.
  namedByName("aws:kinesis/stream:Stream", "a Kinesis stream name", withinLimits(1, 128, /[a-zA-Z0-9_.-]/, "letters, digits, _, . and -"), "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html"),
  namedByName("aws:kinesis/streamConsumer:StreamConsumer", "a Kinesis stream consumer name", withinLimits(1, 128, /[a-zA-Z0-9_.-]/, "letters, digits, _, . and -"), "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html"),
  {
    type: "aws:rds/cluster:Cluster",
    property: "clusterIdentifier",
    what: "an Aurora DB cluster identifier",
    problem: (name) => rdsIdentifierProblem(name, 63, true),
    maxLength: 63,
    prefix: RDS_IDENTIFIER_PREFIX("clusterIdentifierPrefix"),
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
  },
  {
    type: "aws:rds/clusterInstance:ClusterInstance",
    property: "identifier",
    what: "an Aurora DB instance identifier",
    problem: (name) => rdsIdentifierProblem(name, 63, true),
    maxLength: 63,
    prefix: RDS_IDENTIFIER_PREFIX("identifierPrefix"),
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
  },
  {
    // RelationalDatabase names its subnet group by namePrefix (`<name>-`, lower case), measured with the provider's suffix.
    type: "aws:rds/subnetGroup:SubnetGroup",
    property: "name",
    what: "a DB subnet group name",
    problem: rdsSubnetGroupNameProblem,
    maxLength: 255,
    prefix: checkedPrefix("namePrefix", PREFIX_MAX(255), /^[0-9a-z_ .-]+$/, `1–${PREFIX_MAX(255)} lower-case letters, digits, hyphens, underscores, periods and spaces`),
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "name",
    what: "a state machine name",
    ...withinLimits(1, 80, /[0-9A-Za-z_-]/, "letters, digits, - and _"),
    autoname: { maxLength: 255 },
    defaultAutonameCheckedBy: "StatesStateMachineName",
    source: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
  },
  { ...namedByName("aws:ec2/securityGroup:SecurityGroup", "a security group name", securityGroupName(), "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"), prefix: SECURITY_GROUP_PREFIX, providerRefusal: securityGroupProviderRefusal },
  {
    // CreateModel name: "The name of the model. Must be alphanumeric." No length is documented: an explicit name is judged by
    // its characters only, and pulumi-aws's 255 bounds autonames. terraform-provider-aws leaves `name` unchecked (apigateway/model.go), and Pulumi's default autoname,
    // `<name>-<7 hex>`, always holds the "-" CreateModel refuses: a hand-written model must be named.
    ...namedByName("aws:apigateway/model:Model", "a REST API model name", charactersOnly(255, /[A-Za-z0-9]/, "letters and digits"), "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateModel.html"),
    autonameRefusedFix: 'set name explicitly, of letters and digits only (e.g. "PostAlbumsBody"): Pulumi\'s autoname puts a "-" before its random part',
  },
  ...autonamedOnly([
    ["aws:cognito/userPool:UserPool", "a user pool name", "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html"],
    ["aws:cloudfront/cachePolicy:CachePolicy", "a cache policy name", "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html"],
    ["aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "a response headers policy name", "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html"],
    ["aws:apigateway/restApi:RestApi", "a REST API name", "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html"],
    ["aws:apigatewayv2/api:Api", "an API name", "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html"],
    ["aws:cloudwatch/metricAlarm:MetricAlarm", "an alarm name", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"],
    ["aws:apigateway/usagePlan:UsagePlan", "a usage plan name", "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateUsagePlan.html"],
    ["aws:apigateway/apiKey:ApiKey", "an API key name", "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateApiKey.html"],
    ["aws:apigateway/vpcLink:VpcLink", "a VPC link name", "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateVpcLink.html"],
    ["aws:apigatewayv2/vpcLink:VpcLink", "a VPC link name", "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/vpclinks.html"],
    ["aws:appautoscaling/policy:Policy", "a scaling policy name", "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html"],
  ]),
  {
    type: "aws:rds/cluster:Cluster",
    property: "finalSnapshotIdentifier",
    what: "a final snapshot identifier",
    problem: (name) => rdsIdentifierProblem(name, 255, false),
    maxLength: 255,
    explicitCheckedBy: "RdsClusterSettings",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html",
  },
];

/**
 * CreateDBSubnetGroup DBSubnetGroupName: 1–255 letters, digits, periods, underscores, spaces or hyphens, a letter first,
 * not `default`; lower case only for terraform-provider-aws, which refuses the name before it calls RDS
 * (internal/service/rds/validate.go validSubnetGroupName: `^[0-9a-z_ .-]+$`, "only lowercase alphanumeric characters,
 * hyphens, underscores, periods, and spaces allowed", at most 255, not `(?i)^default$`).
 */
function rdsSubnetGroupNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 255) return `is ${name.length} characters; 1–255 allowed`;
  if (!/^[a-z0-9._ -]+$/.test(name)) return "has characters other than lower-case letters, digits, periods, underscores, spaces and hyphens";
  if (!/^[a-z]/.test(name)) return "does not begin with a letter";
  if (name.toLowerCase() === "default") return "is default, which RDS keeps for itself";
  return undefined;
}

/**
 * The name a stack's `pulumi:autonaming` gives a resource the program leaves unnamed (autonaming.ts): the name proposed
 * or enforced, with stand-ins for its random parts (`shown` with them as written), and the setting, for messages.
 */
export interface ConfiguredAutoname {
  proposed: string;
  shown: string;
  /** Taken as it is (`enforce: true`, or mode verbatim); else pulumi-aws transforms, measures and postfixes it. */
  enforce: boolean;
  /** The name has a random part that draws characters (so it differs on each draw). */
  random: boolean;
  /** The engine replaces create-first: the pattern has a random expression, even one of zero length (else delete-first). */
  createFirst: boolean;
  /** The pattern has `${stack}`. */
  perStack: boolean;
  /** The key that set it: `pulumi:autonaming`, `pulumi:autonaming.providers.aws.resources["aws:s3/bucket:Bucket"]`. */
  key: string;
  /** `pulumi:autonaming pattern "${name}-${stack}"`: the key and value that made the name. */
  setting: string;
}
/** The stack config key that sets how Pulumi names what the program leaves unnamed (autonaming.ts). */
export const AUTONAMING_KEY = "pulumi:autonaming";

/** The fix for a configured name with no random part: the key that set it, or the type's own key. */
export const configuredNameFix = (key: string, type: string) =>
  `set ${key} to a pattern with a random part, e.g. pattern: \${name}-\${hex(7)}, or to mode: default${key.includes(".resources[") ? "" : ` (for ${type} alone: ${AUTONAMING_KEY}.providers.aws.resources["${type}"])`}`;

/** How the stack's config names `r` when it is unnamed; undefined for Pulumi's default. */
export type ConfiguredNaming = (r: RecordedResource) => ConfiguredAutoname | { disabled: true; key: string; setting: string } | undefined;

/** A stand-in for terraform-provider-aws's unique suffix when checking a prefixed name: digits, like the real one. */
const UNIQUE_SUFFIX_STAND_IN = "0".repeat(PROVIDER_UNIQUE_ID_SUFFIX_LENGTH);

/**
 * The name AWS will see: the explicit input, or Pulumi's autoname with `<random suffix>` for its random part, or the
 * name `naming` (the stack's `pulumi:autonaming`) makes; undefined when it makes none (mode disabled: AutonamingDisabled).
 * A `<property>Prefix` input (`namePrefix`, `bucketPrefix`) stops Pulumi's autoname: pulumi-terraform-bridge sets no
 * default on a property that ConflictsWith one the program set (pkg/tfbridge/schema.go applyDefaults,
 * buildConflictsWith), and terraform-provider-aws completes the prefix; the name is then the prefix and its suffix
 * (`prefixed`) where the spec says how (`spec.prefix`), and unknown otherwise.
 */
export function physicalName(spec: PhysicalNameSpec, r: RecordedResource, naming?: ConfiguredNaming): { name: string; shown: string; autonamed: boolean; configured?: ConfiguredAutoname; prefixed?: string } | undefined {
  const explicit = r.inputs[spec.property];
  if (typeof explicit === "string") return { name: explicit, shown: explicit, autonamed: false };
  if (explicit !== undefined) return undefined;
  const given = r.inputs[spec.prefix?.property ?? `${spec.property}Prefix`];
  if (given !== undefined) {
    if (!spec.prefix || typeof given !== "string") return undefined;
    const after = spec.prefix.postfix?.(r) ?? "";
    return { name: `${given}${UNIQUE_SUFFIX_STAND_IN}${after}`, shown: `${given}<${PROVIDER_UNIQUE_ID_SUFFIX_LENGTH}-digit unique suffix>${after}`, autonamed: false, prefixed: given };
  }
  if (!spec.autoname) return undefined;
  const transform = spec.autoname.transform ?? ((n: string) => n);
  const postfix = spec.autoname.postfix?.(r) ?? "";
  const configured = naming?.(r);
  if (configured && "disabled" in configured) return undefined;
  if (configured) {
    // pulumi-terraform-bridge ComputeAutoNameDefault: ModeEnforce returns the name before the PostTransform.
    if (configured.enforce) return { name: configured.proposed, shown: configured.shown, autonamed: true, configured };
    return { name: `${transform(configured.proposed)}${postfix}`, shown: `${transform(configured.shown)}${postfix}`, autonamed: true, configured };
  }
  const prefix = `${transform(r.name)}${SEPARATOR}`;
  return { name: `${prefix}${RANDOM_STAND_IN}${postfix}`, shown: `${prefix}<random suffix>${postfix}`, autonamed: true };
}

/** "70 characters", or "256 bytes (132 characters)" where pulumi-aws's byte count differs from the characters. */
function measured(text: string): string {
  const bytes = goLength(text);
  return bytes === text.length ? `${bytes} characters` : `${bytes} bytes (${text.length} characters)`;
}

/** The component (type and name) that created `r`, for the fix: the resource's parent, when it is a component. */
function owner(graph: Graph, r: RecordedResource): RecordedResource | undefined {
  const parent = r.parent ? graph.find((p) => p.urn === r.parent) : undefined;
  return parent && !parent.custom && parent.type !== "pulumi:pulumi:Stack" ? parent : undefined;
}

/**
 * How long the logical name may be: the autoname adds `-`, 7 random characters and any postfix, and must fit both
 * Pulumi's Maxlen (else preview fails) and the service's maximum (else the create call fails).
 */
function logicalNameRoom(spec: PhysicalNameSpec, r: RecordedResource): number {
  const autoname = spec.autoname!;
  const suffix = SEPARATOR.length + AUTONAME_RANDOM_LENGTH;
  return Math.min(autoname.maxLength - suffix, spec.maxLength - suffix - (autoname.postfix?.(r).length ?? 0));
}

function checkResource(graph: Graph, spec: PhysicalNameSpec, r: RecordedResource, naming?: ConfiguredNaming): DeployFinding | undefined {
  const physical = physicalName(spec, r, naming);
  // explicitCheckedBy rules read the explicit name input only: a prefixed name is this rule's.
  if (!physical || (!physical.autonamed && physical.prefixed === undefined && spec.explicitCheckedBy) || (!physical.configured && spec.defaultAutonameCheckedBy)) return undefined;
  const component = owner(graph, r);
  const from = component ? ` (it comes from the ${component.type.split(":").pop()} named "${component.name}")` : "";
  const report = (problem: string, fix: string) => finding("PhysicalNameLimits", r, problem, fix);
  if (physical.configured) return checkConfigured(spec, r, physical, physical.configured, report, from);

  if (physical.prefixed !== undefined && spec.prefix) {
    // The provider's check of the prefix and AWS's of the name it makes: either one stops the create.
    const problem = spec.problem(physical.name, r);
    const atPreview = spec.prefix.providerRefuses(physical.prefixed, r);
    if (!problem && !atPreview) return undefined;
    return report(
      `has ${spec.prefix.property} ${JSON.stringify(physical.prefixed)}, so its name is ${physical.shown} (${physical.name.length} characters), ${problem ? `${spec.what} that ${problem}` : `${spec.what} AWS takes`}: ${atPreview ? `terraform-provider-aws refuses the prefix (${spec.prefix.providerRule}) at \`pulumi preview\`` : "AWS refuses it at `pulumi up`"}`,
      `use a ${spec.prefix.property} ${atPreview ? `of ${spec.prefix.providerRule}` : physical.name.length > spec.maxLength ? `of at most ${spec.maxLength - (physical.name.length - physical.prefixed.length)} characters` : `of characters ${spec.what} takes`}${from}, or leave it unset${spec.autoname ? " for Pulumi's autonaming" : ` and set ${spec.property}`}`,
    );
  }

  if (!physical.autonamed) {
    const problem = spec.problem(physical.name, r);
    if (!problem) return undefined;
    return report(
      `has ${spec.property} ${JSON.stringify(physical.name)}, ${spec.what} that ${problem}: ${refusalOf(spec, physical.name)}`,
      // A type whose autoname the service refuses (autonameRefusedFix) must keep an explicit name; its maxLength bounds autonames only.
      spec.autonameRefusedFix ? `set ${spec.what} AWS takes${from}` : `set ${nameAwsTakes(spec)}${from}, or leave ${spec.property} unset for Pulumi's autonaming`,
    );
  }

  const room = logicalNameRoom(spec, r);
  // pulumi-aws's maximum counts UTF-8 bytes, so a name of other letters is measured and given room in bytes too (every
  // limit is then met: a name's bytes are at least its characters).
  const ascii = goLength(r.name) === r.name.length;
  const size = ascii ? `${r.name.length} characters` : `${goLength(r.name)} bytes, ${r.name.length} characters`;
  const shorten = `shorten the resource name "${r.name}" (${size}) to at most ${room}${ascii ? "" : " bytes"}${from}: a shorter component name or key, or set ${spec.property} explicitly`;
  const overMaximum = autonamerRefusal(spec, physical);
  if (overMaximum) return report(`is autonamed ${physical.shown}, ${overMaximum}`, shorten);
  const problem = spec.problem(physical.name, r);
  if (!problem) return undefined;
  const tooLong = physical.name.length > spec.maxLength;
  return report(
    `is autonamed ${physical.shown} (${physical.name.length} characters), ${spec.what} that ${problem}: ${refusalOf(spec, physical.name)}`,
    tooLong ? shorten : (spec.autonameRefusedFix ?? `use only characters ${spec.what} takes in the resource name "${r.name}"${from}, or set ${spec.property} explicitly`),
  );
}

/**
 * "a Lambda function name of at most 64 characters AWS takes", for fixes: the shorter of AWS's length and `autonameMaximum`
 * (pulumi-aws's, for a name it makes). Where AWS documents no length (lengthUndocumented), only pulumi-aws's maximum is
 * given, as pulumi-aws's; an explicit or enforced name (no `autonameMaximum`) then gets no length.
 */
function nameAwsTakes(spec: Pick<PhysicalNameSpec, "what" | "maxLength" | "lengthUndocumented">, autonameMaximum?: number): string {
  if (spec.lengthUndocumented) return autonameMaximum === undefined ? `${spec.what} AWS takes` : `${spec.what} AWS takes, at most ${autonameMaximum} characters: pulumi-aws's maximum for a name it makes`;
  return `${spec.what} of at most ${Math.min(spec.maxLength, autonameMaximum ?? spec.maxLength)} characters AWS takes`;
}

/**
 * Pulumi's autonamer's refusal of a default autoname (`physical`, `<name>-<random suffix>`) whose prefix and random part
 * exceed pulumi-aws's maximum for the type, for a finding's text; undefined when it fits. pulumi/pulumi
 * sdk/go/common/resource/resource_id.go NewUniqueName: `len(prefix)+randlen > maxlen`, Go's len, in bytes; the bridge
 * computes the default in the provider's Check, so `pulumi preview` fails. The components' construction checks count
 * characters (components/autoname.ts autonameLength): their names are ASCII, held to each service's characters first.
 */
export function autonamerRefusal(spec: Pick<PhysicalNameSpec, "what" | "autoname">, physical: { name: string; shown: string }): string | undefined {
  const prefix = physical.shown.slice(0, physical.shown.indexOf("<random suffix>"));
  const maximum = spec.autoname!.maxLength;
  if (goLength(prefix) + AUTONAME_RANDOM_LENGTH <= maximum) return undefined;
  return `${measured(physical.name)}: over the ${maximum} pulumi-aws allows for ${spec.what}, so \`pulumi preview\` fails ("name '${prefix}' plus ${AUTONAME_RANDOM_LENGTH} random chars is longer than maximum length ${maximum}")`;
}

/**
 * A name the stack's `pulumi:autonaming` makes: a proposed one over pulumi-aws's maximum fails Check (pulumi-terraform-
 * bridge ComputeAutoNameDefault, ModePropose: "calculated name '…' exceeds maximum length of N"), so `pulumi preview`;
 * one the service refuses fails its create at `pulumi up`. The fix is the config's to change. PhysicalNameLimits and
 * EventBridgeNames (eventbridge.ts) measure configured names with it.
 */
export function checkConfigured(
  spec: Pick<PhysicalNameSpec, "what" | "maxLength" | "lengthUndocumented" | "problem" | "autoname" | "refusal" | "providerRefusal">,
  r: RecordedResource,
  physical: { name: string; shown: string },
  configured: ConfiguredAutoname,
  report: (problem: string, fix: string) => DeployFinding,
  from: string,
): DeployFinding | undefined {
  const fix = `change ${configured.key} so the name fits (${nameAwsTakes(spec, configured.enforce ? undefined : spec.autoname!.maxLength)})${configured.key.includes(".resources[") ? "" : `, set it for ${r.type} alone (providers.aws.resources["${r.type}"])`}, or shorten the resource name "${r.name}"${from}`;
  // ComputeAutoNameDefault measures the transformed proposal, before the postfix, with Go's len: in bytes (UTF-8), so a
  // logical name of non-ASCII letters counts 2–4 per letter ("if options.Maxlen > 0 && len(vs) > options.Maxlen").
  const proposal = physical.name.slice(0, physical.name.length - (spec.autoname!.postfix?.(r).length ?? 0));
  if (!configured.enforce && goLength(proposal) > spec.autoname!.maxLength) {
    return report(`is named ${physical.shown} by ${configured.setting}, ${measured(proposal)}: over the ${spec.autoname!.maxLength} pulumi-aws allows for ${spec.what}, so \`pulumi preview\` fails ("calculated name exceeds maximum length of ${spec.autoname!.maxLength}")`, fix);
  }
  const problem = spec.problem(physical.name, r);
  return problem ? report(`is named ${physical.shown} (${physical.name.length} characters) by ${configured.setting}, ${spec.what} that ${problem}: ${refusalOf(spec, physical.name)}`, fix) : undefined;
}

/** PhysicalNameLimits measuring the names `naming` (a stack's `pulumi:autonaming`, autonaming.ts) makes; Pulumi's default without. */
export function physicalNameLimits(naming?: ConfiguredNaming): DeployRule {
  return {
    id: "PhysicalNameLimits",
    title: "Every named resource's physical name (its explicit name, or Pulumi's `<name>-<7 hex>` autoname, or the name the stack's `pulumi:autonaming` makes) fits the length and characters its service takes",
    source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    check(graph) {
      return PHYSICAL_NAMES.flatMap((spec) => graph.filter((r) => r.type === spec.type).flatMap((r) => checkResource(graph, spec, r, naming) ?? []));
    },
  };
}

export const PHYSICAL_NAME_LIMITS: DeployRule = physicalNameLimits();

/** The most characters SNS takes in a topic's DisplayName (DESCRIPTION_LIMITS_TABLE's source). */
const SNS_DISPLAY_NAME_CHARACTERS = 100;

/** A free-text field (description, comment) whose length the service limits, and where that limit is stated. */
export interface DescriptionLimitSpec {
  type: string;
  /** The input holding the text. */
  property: string;
  /** What AWS calls the field, with its article, for messages ("an alarm description"). */
  what: string;
  /** The API call that refuses a longer one. */
  call: string;
  /** The most characters AWS takes. */
  maxLength: number;
  /** The AWS documentation of the limit. */
  source: string;
}

/**
 * Free-text fields the provider passes to AWS unchecked, so a longer text passes `pulumi preview` and fails at
 * `pulumi up`. Fields a component already refuses at construction and a rule of their service checks for any program
 * (CloudFront Function comments: CloudFrontFunctionComment; key value store comments: CloudFrontKeyValueStore; secret
 * descriptions: SecretDescription) are left to those rules. Sources, per type:
 * - CloudWatch PutMetricAlarm AlarmDescription: "The description of the alarm. Type: String. Length Constraints:
 *   Minimum length of 0. Maximum length of 1024." (API_MetricAlarm, the alarm as PutMetricAlarm stores it; an old SDK
 *   for .NET page said 0–255, superseded.)
 * - Lambda CreateFunction Description: "Length Constraints: Minimum length of 0. Maximum length of 256."
 *   (API_CreateFunction; LambdaFunction refuses a longer one at construction, LAMBDA_LIMITS.descriptionCharacters.)
 * - Lambda CreateAlias Description: "Length Constraints: Minimum length of 0. Maximum length of 256." (API_CreateAlias);
 *   terraform-provider-aws leaves an alias's `description` unchecked (lambda/alias.go).
 * - IAM CreatePolicy Description: "The policy description is immutable", "Length Constraints: Maximum length of 1000."
 *   (API_CreatePolicy); terraform-provider-aws gives a policy's `description` no ValidateFunc (iam/policy.go), unlike a
 *   role's, so a longer one passes `pulumi preview` and fails CreatePolicy at `pulumi up`.
 * - SNS topic DisplayName: "The display name must be maximum 100 characters long, including hyphens (-), underscores
 *   (_), spaces, and tabs" (AWS::SNS::Topic, the same attribute CreateTopic and SetTopicAttributes take). terraform-
 *   provider-aws gives `display_name` no ValidateFunc (internal/service/sns/topic.go) and sets it with
 *   SetTopicAttributes after CreateTopic, so a longer one passes `pulumi preview` and fails at `pulumi up`.
 * Left out: fields the provider itself refuses at `pulumi preview`, so no plan that deploys holds them (an IAM role's
 * description, `validRoleDescription`: at most 1000 characters; a distribution's comment, `StringLenBetween(0, 128)`,
 * terraform-provider-aws iam/role.go and cloudfront/distribution.go, review 24); and fields whose limits could not be
 * confirmed in AWS's documentation: EventBridge Scheduler (512 in a
 * schema generated from AWS's API model, not AWS's page) and KMS key descriptions.
 */
export const DESCRIPTION_LIMITS_TABLE: readonly DescriptionLimitSpec[] = [
  {
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    property: "alarmDescription",
    what: "an alarm description",
    call: "PutMetricAlarm",
    maxLength: ALARM_LIMITS.maxDescriptionCharacters,
    source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html",
  },
  {
    type: "aws:lambda/function:Function",
    property: "description",
    what: "a function description",
    call: "CreateFunction",
    maxLength: LAMBDA_LIMITS.descriptionCharacters,
    source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
  },
  {
    type: "aws:lambda/alias:Alias",
    property: "description",
    what: "an alias description",
    call: "CreateAlias",
    maxLength: 256,
    source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html",
  },
  {
    type: "aws:iam/policy:Policy",
    property: "description",
    what: "a managed policy description",
    call: "CreatePolicy",
    maxLength: 1000,
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html",
  },
  {
    type: "aws:sns/topic:Topic",
    property: "displayName",
    what: "a topic display name",
    call: "SetTopicAttributes",
    maxLength: SNS_DISPLAY_NAME_CHARACTERS,
    source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html#cfn-sns-topic-displayname",
  },
];

/** The findings of `rule` for each resource of `spec.type` whose text field is longer than AWS takes: one check for every length-limited text rule. */
export function textLengthFindings(graph: Graph, rule: string, spec: DescriptionLimitSpec): DeployFinding[] {
  return graph
    .filter((r) => r.type === spec.type && typeof r.inputs[spec.property] === "string" && r.inputs[spec.property].length > spec.maxLength)
    .map((r) => finding(rule, r, `has ${spec.property} of ${r.inputs[spec.property].length} characters; ${spec.call} takes ${spec.what} of at most ${spec.maxLength}`, `shorten ${spec.property} to ${spec.maxLength} characters or fewer`));
}

export const DESCRIPTION_LIMITS: DeployRule = {
  id: "DescriptionLimits",
  title: "Descriptions, comments and display names fit the length their service takes (CloudWatch alarm descriptions ≤ 1024 characters, SNS display names ≤ 100)",
  source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html",
  check(graph) {
    return DESCRIPTION_LIMITS_TABLE.flatMap((spec) => textLengthFindings(graph, "DescriptionLimits", spec));
  },
};

export const NAME_RULES: DeployRule[] = [PHYSICAL_NAME_LIMITS, DESCRIPTION_LIMITS];
