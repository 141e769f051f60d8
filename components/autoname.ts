/**
 * The names Pulumi makes for resources the components do not name, and the services' rules they must meet: the
 * components check a component name against them at construction, and the PhysicalNameLimits deploy rule checks plans.
 */
import type { ArgFailure } from "./errors";

/**
 * How Pulumi names a resource that is not given a name: its logical (Pulumi) name, a `-`, and 7 random lowercase hex
 * characters (pulumi-terraform-bridge `AutoName`: Separator "-", Randlen 7; pulumi/pulumi `resource.NewUniqueName`).
 * A stack's `pulumi:autonaming` config may name them otherwise; the components' checks measure this default (they do
 * not read that config), and the plan's deploy rules measure the names the config makes
 * (testing/deploy-rules/autonaming.ts).
 */
export const AUTONAME_RANDOM_LENGTH = 7;
/** What an autoname adds to the logical name: `-` and the random characters. */
export const AUTONAME_SUFFIX_LENGTH = 1 + AUTONAME_RANDOM_LENGTH;

/** S3's general purpose bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
export const S3_BUCKET_NAME_LENGTH = 63;
/** IAM role names: 1–64 of letters, digits and `_+=,.@-` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
export const IAM_ROLE_NAME_LENGTH = 64;
/** CloudFront Function and origin access control names: 1–64 characters. */
export const CLOUDFRONT_NAME_LENGTH = 64;
/** The characters besides letters and digits in an IAM role name (API_CreateRole: `[\w+=,.@-]+`). */
export const IAM_NAME_SYMBOLS = "-_.+=,@";
/**
 * EC2 CreateSecurityGroup GroupName (a VPC's group): "Constraints: Up to 255 characters in length. Cannot start with sg-.
 * Valid characters: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html). pulumi-aws has no autoname
 * override for aws_security_group, so it autonames within its default 255 too (provider/autonaming.go setAutonaming).
 */
export const SECURITY_GROUP_NAME_LENGTH = 255;
/** The characters besides letters and digits in a security group's name (CreateSecurityGroup GroupName). */
export const SECURITY_GROUP_NAME_SYMBOLS = " ._-:/()#,@[]+=&;{}!$*";
/** The characters besides letters and digits in a CloudFront Function's or key value store's name (`[a-zA-Z0-9-_]`). */
export const CLOUDFRONT_NAME_SYMBOLS = "-_";
/**
 * Lambda CreateFunction FunctionName: "The length constraint applies only to the full ARN. If you specify only the
 * function name, it is limited to 64 characters in length", the name part of its pattern `[a-zA-Z0-9-_]+`
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html). pulumi-aws autonames a function within the
 * same 64 (testing/deploy-rules/names.ts), so a longer autoname fails `pulumi preview`.
 */
export const LAMBDA_FUNCTION_NAME_LENGTH = 64;
/** The characters besides letters and digits in a Lambda function's name. */
export const LAMBDA_FUNCTION_NAME_SYMBOLS = "-_";
/**
 * A Lambda permission's statement id: pulumi-aws autonames it from the permission's logical name within 100 characters
 * (pulumi/pulumi-aws provider/resources.go, "aws_lambda_permission": `"statement_id": tfbridge.AutoName("statementId",
 * 100, "-")`) and fails `pulumi preview` beyond; 100 is also the most AddPermission's StatementId takes
 * (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html).
 */
export const LAMBDA_STATEMENT_ID_LENGTH = 100;

/**
 * How long Pulumi's autoname of a resource is, from its logical name (after the resource's transform: a bucket's is
 * lower-cased), before any postfix (`.fifo`): the name, "-" and the random characters, in characters. The components'
 * checks measure with it (their names are ASCII, held to each service's characters first); the PhysicalNameLimits deploy
 * rule, which sees any program's names, measures pulumi-aws's maximum in UTF-8 bytes, as pulumi does (Go's len).
 */
export function autonameLength(logicalName: string): number {
  return logicalName.length + AUTONAME_SUFFIX_LENGTH;
}

/** The inside of a regex character class of letters, digits and `symbols` (the hyphen last, so it stands for itself). */
export function nameCharacters(symbols: string): string {
  const others = [...symbols].filter((symbol) => symbol !== "-").map((symbol) => (/[\\\]^]/.test(symbol) ? `\\${symbol}` : symbol));
  return `A-Za-z0-9${others.join("")}${symbols.includes("-") ? "-" : ""}`;
}

/** S3's rules for a general purpose bucket name, in the order bucketNameBreach checks them. */
export type BucketNameRule = "length" | "characters" | "ends" | "adjacent-periods" | "ip-address" | "reserved-prefix" | "reserved-suffix";

/** A rule of S3's that a bucket name breaks, why, and for the reserved rules the prefix or suffix it has. */
export interface BucketNameBreach {
  rule: BucketNameRule;
  problem: string;
  affix?: string;
}

/**
 * The first of S3's general purpose bucket naming rules `name` breaks, and why, or undefined when S3 accepts it. The
 * one check of those rules: bucketNameProblem (the deploy rules) reports `problem` as it is, and validateBucketName (a
 * given `bucketName`) and bucketAutonameProblem (an autonamed bucket) word their refusal and fix by `rule`.
 */
export function bucketNameBreach(name: string): BucketNameBreach | undefined {
  if (name.length < 3 || name.length > S3_BUCKET_NAME_LENGTH) return { rule: "length", problem: `is ${name.length} characters long; bucket names are 3–63` };
  if (!/^[a-z0-9.-]+$/.test(name)) return { rule: "characters", problem: "has characters other than lowercase letters, digits, periods and hyphens" };
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return { rule: "ends", problem: "does not begin and end with a letter or digit" };
  if (name.includes("..")) return { rule: "adjacent-periods", problem: "has two adjacent periods" };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return { rule: "ip-address", problem: "is formatted as an IP address" };
  return bucketReservedBreach(name);
}

/** Why S3 refuses `name` for a general purpose bucket, or undefined when it accepts it. */
export function bucketNameProblem(name: string): string | undefined {
  return bucketNameBreach(name)?.problem;
}

/** The prefixes and suffixes S3 reserves (same page, "Naming rules for general purpose buckets"). */
const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const S3_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** The reserved prefix or suffix `name` has, as a breach of that rule, or undefined. */
function bucketReservedBreach(name: string): BucketNameBreach | undefined {
  const prefix = S3_RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) return { rule: "reserved-prefix", problem: `starts with the reserved prefix ${prefix}`, affix: prefix };
  const suffix = S3_RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) return { rule: "reserved-suffix", problem: `ends with the reserved suffix ${suffix}`, affix: suffix };
  return undefined;
}

/** A resource a component lets Pulumi name: its logical name, which starts with the component's name. */
export interface AutonamedResource {
  resource: string;
  kind: AutonamedKind;
  /**
   * The part of the logical name another argument gives (a route's key or `name`, an EdgeLogic lambda's key, an
   * authorizer's name): a name too long is that argument's to shorten while it alone can make the name fit, and the
   * refusal names it, with the longest it and the component name may be; else the component name's. Its characters
   * are that argument's own check.
   */
  part?: AutonamedPart;
}

export interface AutonamedPart {
  argument: string;
  value: unknown;
  /** The characters of the logical name the argument gives. */
  text: string;
  /** What the argument names, for the fix "Use <what> of at most 26 characters": "a key", "an authorizer name". */
  what: string;
}

export type AutonamedKind = "bucket" | "role" | "cloudfront-function" | "origin-access-control" | "cognito-client" | "log-group" | "lambda-function" | "lambda-permission" | "sns-topic" | "secret" | "dynamodb-table" | "sqs-queue" | "sqs-fifo-queue" | "state-machine" | "kinesis-stream" | "kinesis-consumer" | "rds-cluster" | "rds-instance" | "security-group" | "scaling-policy";

interface KindRules {
  what: string;
  /** What the service calls the autonamed property, after `what`: "the IAM role name", "the Lambda permission statement id". @default "name" */
  called?: string;
  service: string;
  maxLength: number;
  /** Whose maximum `maxLength` is, when it is not the service's: "the 80 pulumi-aws autonames an SNS topic within". */
  limit?: string;
  /** The characters besides letters and digits the service takes in the name; undefined when it documents no limit. */
  symbols?: string;
  /** What pulumi-aws does to the logical name before it adds the suffix. */
  transform?: (name: string) => string;
  /** The service's other rules on the whole name (S3's reserved prefixes and the like), with their fixes. */
  problem?: (whole: string) => { text: string; fix: string } | undefined;
}

const KINDS: Record<AutonamedKind, KindRules> = {
  // pulumi-aws lower-cases a bucket's autoname and refuses one over 63 at preview.
  bucket: { what: "bucket", service: "S3", maxLength: S3_BUCKET_NAME_LENGTH, symbols: "-.", transform: (name) => name.toLowerCase(), problem: bucketAutonameProblem },
  role: { what: "IAM role", service: "IAM", maxLength: IAM_ROLE_NAME_LENGTH, symbols: IAM_NAME_SYMBOLS },
  // CloudFront Functions: 1–64 of letters, digits, - and _ (API_FunctionSummary); origin access controls: up to 64
  // characters, no pattern documented (API_OriginAccessControlConfig). pulumi-aws allows 255: these fail at `pulumi up`.
  "cloudfront-function": { what: "CloudFront Function", service: "CloudFront", maxLength: CLOUDFRONT_NAME_LENGTH, symbols: CLOUDFRONT_NAME_SYMBOLS },
  "origin-access-control": { what: "origin access control", service: "CloudFront", maxLength: CLOUDFRONT_NAME_LENGTH },
  // Cognito CreateUserPoolClient ClientName: 1–128 of `[\w\s+=,.@-]+` (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
  "cognito-client": { what: "Cognito app client", service: "Cognito", maxLength: 128, symbols: ` ${IAM_NAME_SYMBOLS}` },
  // CloudWatch Logs CreateLogGroup logGroupName: 1–512 of `[\.\-_/#A-Za-z0-9]+` (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
  // pulumi-aws has no autoname override for aws_cloudwatch_log_group either: its default 255 is the limit (as secrets).
  "log-group": { what: "CloudWatch log group", service: "CloudWatch Logs", maxLength: 255, limit: "the 255 pulumi-aws autonames a log group within (CloudWatch Logs takes 512)", symbols: "._/#-" },
  "lambda-function": { what: "Lambda function", service: "Lambda", maxLength: LAMBDA_FUNCTION_NAME_LENGTH, symbols: LAMBDA_FUNCTION_NAME_SYMBOLS },
  // Only the length: a permission's logical name is made of names whose characters their own checks keep to Lambda's
  // (function names, stage and alias names: letters, digits, "-" and "_").
  "lambda-permission": {
    what: "Lambda permission",
    called: "statement id",
    service: "Lambda",
    maxLength: LAMBDA_STATEMENT_ID_LENGTH,
    limit: `the ${LAMBDA_STATEMENT_ID_LENGTH} pulumi-aws autonames a statement id within (Lambda's AddPermission takes ${LAMBDA_STATEMENT_ID_LENGTH})`,
  },
  // SNS CreateTopic Name: "Topic names must be made up of only uppercase and lowercase ASCII letters, numbers,
  // underscores, and hyphens, and must be between 1 and 256 characters long"
  // (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html); pulumi-aws autonames a topic within 80
  // (provider/resource_overrides.go, "aws_sns_topic": AutoNameOptions{Separator: "-", Maxlen: 80, Randlen: 7}) and
  // fails `pulumi preview` beyond.
  "sns-topic": { what: "SNS topic", service: "SNS", maxLength: 80, limit: "the 80 pulumi-aws autonames an SNS topic within", symbols: "-_" },
  // Secrets Manager CreateSecret Name: "The secret name can contain ASCII letters, numbers, and the following
  // characters: /_+=.@-", "Maximum length of 512" (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
  // pulumi-aws has no override for aws_secretsmanager_secret, so it autonames within its default 255
  // (provider/autonaming.go, setAutonaming: `maxLength := 255`) and fails `pulumi preview` beyond: 255 is the limit.
  // DynamoDB table names: "Names can be between 3 and 255 characters long" of "a-z A-Z 0-9 _ (underscore) - (dash) .
  // (dot)" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html);
  // pulumi-aws has no autoname override for aws_dynamodb_table, so its default 255 is the limit, as DynamoDB's.
  "dynamodb-table": { what: "DynamoDB table", service: "DynamoDB", maxLength: 255, symbols: "_.-" },
  // SQS CreateQueue QueueName: "A queue name can have up to 80 characters. Valid values: alphanumeric characters,
  // hyphens (-), and underscores (_)", and "A FIFO queue name must end with the .fifo suffix"
  // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html). pulumi-aws autonames a
  // queue within 80 and appends `.fifo` after the random part when fifoQueue is true (provider/resource_overrides.go,
  // "aws_sqs_queue": Maxlen 80, PostTransform), so a FIFO queue's autoname has 75 before its suffix;
  // terraform-provider-aws refuses a longer one at preview (queue.go CustomizeDiff: `^[0-9A-Za-z_-]{1,75}\.fifo$`).
  "sqs-queue": { what: "SQS queue", service: "SQS", maxLength: 80, symbols: "-_" },
  "sqs-fifo-queue": { what: "SQS FIFO queue", service: "SQS", maxLength: 75, limit: "the 75 SQS leaves a FIFO queue's name before its .fifo suffix (80 in all)", symbols: "-_" },
  // Step Functions: "State machine, execution, and activity names must be 1–80 characters"
  // (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); terraform-provider-aws takes
  // `^[0-9A-Za-z_-]+$` of 1–80 only (internal/service/sfn/state_machine.go) and refuses the rest at preview.
  "state-machine": { what: "Step Functions state machine", service: "Step Functions", maxLength: 80, symbols: "-_" },
  // Kinesis CreateStream StreamName and RegisterStreamConsumer ConsumerName: 1–128 of `[a-zA-Z0-9_.-]+`
  // (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html,
  // https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html). pulumi-aws has no
  // autoname override for either, so it autonames within its default 255 and Kinesis refuses the name at `pulumi up`.
  "kinesis-stream": { what: "Kinesis stream", service: "Kinesis", maxLength: 128, symbols: "_.-" },
  "kinesis-consumer": { what: "Kinesis stream consumer", service: "Kinesis", maxLength: 128, symbols: "_.-" },
  // RDS DBClusterIdentifier and DBInstanceIdentifier: "Must contain from 1 to 63 letters, numbers, or hyphens", "First
  // character must be a letter", "Can't end with a hyphen or contain two consecutive hyphens"
  // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html, API_CreateDBInstance.html);
  // RDS stores them in lower case, and terraform-provider-aws refuses anything else at preview (internal/service/rds/
  // validate.go validIdentifier: `^[0-9a-z-]+$`, `^[a-z]`, no `--`, no trailing `-`). RelationalDatabase names both
  // itself, `<logical name>-<7 random lowercase letters and digits>` lower-cased, so the random part ends them.
  "rds-cluster": { what: "Aurora DB cluster", called: "identifier", service: "RDS", maxLength: 63, symbols: "-", transform: (name) => name.toLowerCase(), problem: rdsAutonameProblem },
  "rds-instance": { what: "Aurora DB instance", called: "identifier", service: "RDS", maxLength: 63, symbols: "-", transform: (name) => name.toLowerCase(), problem: rdsAutonameProblem },
  // EC2 CreateSecurityGroup GroupName (SECURITY_GROUP_NAME_LENGTH): pulumi-aws autonames within its default 255, the
  // same as EC2's, and fails `pulumi preview` beyond.
  "security-group": { what: "security group", service: "EC2", maxLength: SECURITY_GROUP_NAME_LENGTH, symbols: SECURITY_GROUP_NAME_SYMBOLS, problem: securityGroupAutonameProblem },
  // Application Auto Scaling PutScalingPolicy PolicyName: "Minimum length of 1. Maximum length of 256. Pattern:
  // \p{Print}+" (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html); pulumi-aws
  // autonames aws_appautoscaling_policy within its default 255 (provider/autonaming.go) and fails `pulumi preview` beyond.
  "scaling-policy": { what: "scaling policy", service: "Application Auto Scaling", maxLength: 255, limit: "the 255 pulumi-aws autonames a scaling policy within (PutScalingPolicy takes 256)" },
  secret: { what: "secret", service: "Secrets Manager", maxLength: 255, limit: "the 255 pulumi-aws autonames a secret within (Secrets Manager takes 512)", symbols: "/_+=.@-" },
};

/**
 * Refuses a component name that makes a resource's autoname impossible. Characters come first (as the service sees
 * them), naming those refused and the characters every one of the component's generated names takes; then length,
 * with the longest component name that fits them all (over pulumi-aws's maximum `pulumi preview` fails, over the
 * service's `pulumi up`); then the service's other rules on the whole name, each with its own fix. A name too long
 * because of another argument's part (`part`) is refused last, as that argument's.
 */
export function validateAutonames(fail: ArgFailure, componentName: string, resources: readonly AutonamedResource[]): void {
  const named = nameEach(componentName, resources);
  // Every problem in one error: a name both too long and with a refused character is fixed in one try.
  const problems: Array<{ text: string; fix: string }> = [];
  const characters = characterProblem(componentName, named);
  if (characters) problems.push(characters);
  const tooLong = named.filter(({ over }) => over > 0);
  // Another argument's part is at fault while shortening it (to at least one character) makes the name fit.
  const partAtFault = ({ part, over }: Named) => part !== undefined && part.text.length - over >= 1;
  const tightest = tooLong.filter((each) => !partAtFault(each)).reduce<Named | undefined>((least, next) => (!least || next.longestComponentName < least.longestComponentName ? next : least), undefined);
  if (tightest) problems.push({ text: lengthText(tightest), fix: `Use a component name of at most ${characterCount(tightest.longestComponentName)}.` });
  // S3's other rules on the whole name, once its characters and length are right (its rules re-check both).
  if (problems.length === 0) for (const { rules, base } of named) {
    // The random part is lowercase hex: a stand-in of the same kind shows what the service makes of the whole name.
    const problem = rules.problem?.(`${base}-${"0".repeat(AUTONAME_RANDOM_LENGTH)}`);
    if (problem) {
      // Every bucket of the component starts with its name: the first says what the others would.
      problems.push({ text: `makes the ${nameOf(rules)} "${base}-<random suffix>", which ${rules.service} refuses: it ${problem.text}`, fix: problem.fix });
      break;
    }
  }
  if (problems.length > 0) fail("name", componentName, problems.map(({ text }) => text).join("; it also "), problems.map(({ fix }) => fix).join(" "));
  const byPart = tooLong.find(partAtFault);
  if (byPart) {
    const { part, over, longestComponentName } = byPart;
    const orName = longestComponentName >= 1 ? `, or a component name of at most ${characterCount(longestComponentName)}` : "";
    fail(part!.argument, part!.value, lengthText(byPart), `Use ${part!.what} of at most ${characterCount(part!.text.length - over)}${orName}.`);
  }
}

interface Named {
  rules: KindRules;
  /** The logical name as the service sees it (a bucket's lower-cased). */
  base: string;
  part?: AutonamedPart;
  /** How many characters the autoname is over the kind's maximum (0 or less when it fits). */
  over: number;
  longestComponentName: number;
}

function nameEach(componentName: string, resources: readonly AutonamedResource[]): Named[] {
  return resources.map(({ resource, kind, part }) => {
    const rules = KINDS[kind];
    const base = rules.transform ? rules.transform(resource) : resource;
    const over = autonameLength(base) - rules.maxLength;
    return { rules, base, part, over, longestComponentName: componentName.length - over };
  });
}

function characterProblem(componentName: string, named: readonly Named[]): { text: string; fix: string } | undefined {
  const refusing = named.find(({ rules }) => rules.symbols !== undefined && refusedCharacters(componentName, rules).length > 0);
  if (!refusing) return undefined;
  const allSymbols = [...new Set(Object.values(KINDS).flatMap(({ symbols }) => [...(symbols ?? "")]))];
  const symbolsEveryoneTakes = allSymbols.filter((symbol) => named.every(({ rules }) => rules.symbols === undefined || rules.symbols.includes(symbol)));
  const { rules, base } = refusing;
  // An example only where the length is right too: the length's own fix follows otherwise.
  const fitsEveryName = named.every(({ longestComponentName }) => componentName.length <= longestComponentName);
  return {
    text: `makes the ${nameOf(rules)} "${base}-<random suffix>" hold ${listOf(refusedCharacters(componentName, rules))}, which ${rules.service} refuses (it takes ${lettersDigitsAnd(rules.symbols!)})`,
    fix: `Use a component name of ${lettersDigitsAnd(symbolsEveryoneTakes)}${symbolsEveryoneTakes.includes("-") && fitsEveryName ? `, e.g. "${withHyphens(componentName, named)}"` : ""}.`,
  };
}

function lengthText({ rules, base }: Named): string {
  return `makes the ${nameOf(rules)} "${base}-<random suffix>" ${autonameLength(base)} characters, over ${rules.limit ?? `${rules.service}'s ${rules.maxLength}`}`;
}

/** "IAM role name", "Lambda permission statement id". */
function nameOf(rules: KindRules): string {
  return `${rules.what} ${rules.called ?? "name"}`;
}

/** "1 character", "47 characters". */
function characterCount(count: number): string {
  return `${count} character${count === 1 ? "" : "s"}`;
}

/** The characters of `componentName`, as the service sees it (a bucket's lower-cased), that the kind's names may not hold. */
function refusedCharacters(componentName: string, rules: KindRules): string[] {
  const seen = rules.transform ? rules.transform(componentName) : componentName;
  const allowed = new RegExp(`[${nameCharacters(rules.symbols!)}]`);
  return [...new Set([...seen].filter((character) => !allowed.test(character)))];
}

/** `componentName` with each character one of the kinds refuses replaced by `-`, which every kind takes. */
function withHyphens(componentName: string, named: readonly Named[]): string {
  const refusedBySome = (character: string) => named.some(({ rules }) => rules.symbols !== undefined && refusedCharacters(character, rules).length > 0);
  return [...componentName].map((character) => (refusedBySome(character) ? "-" : character)).join("");
}

/** `"-"`, `"-" and "."`, `"-", "_" and "."`: symbols quoted, so a comma among them reads as one. */
function listOf(symbols: readonly string[]): string {
  return series(symbols.map((symbol) => JSON.stringify(symbol)));
}

/** `letters, digits, "-" and "_"`: what a name may hold, symbols quoted. */
function lettersDigitsAnd(symbols: Iterable<string>): string {
  return series(["letters", "digits", ...[...symbols].map((symbol) => JSON.stringify(symbol))]);
}

/** `a`, `a and b`, `a, b and c` (also the deploy rules' lists of names: testing/deploy-rules/transition-moved-off.ts). */
export function series(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * The fix for each of S3's bucket naming rules, for an autonamed bucket: `<component name>-<part>-<random hex>`, so a
 * reserved prefix or a bad first character comes from the component's name. Length and characters are checked before
 * this (validateAutonames: maxLength, symbols), and the random hex at the end keeps the name from an IP address or a
 * reserved suffix, so those fixes are not reached from there.
 */
const BUCKET_AUTONAME_FIXES: Record<BucketNameRule, (breach: BucketNameBreach) => string> = {
  length: () => "Use a shorter component name.",
  characters: () => "Use a component name of letters, digits, periods and hyphens.",
  ends: () => "Start the component name with a letter or digit.",
  "adjacent-periods": () => "Use a component name without two periods in a row.",
  "ip-address": () => "Use another component name.",
  // The part after the component name starts with "-": a component name ending where the prefix's last "-" begins hits it.
  "reserved-prefix": ({ affix }) => `Use a component name that does not begin with "${affix!.replace(/-$/, "")}" (the bucket name would start with ${affix}).`,
  "reserved-suffix": () => "Use another component name.",
};

/** bucketNameBreach for a component's autonamed bucket, with the fix its rule has (BUCKET_AUTONAME_FIXES). */
export function bucketAutonameProblem(whole: string): { text: string; fix: string } | undefined {
  const breach = bucketNameBreach(whole);
  return breach && { text: breach.problem, fix: BUCKET_AUTONAME_FIXES[breach.rule](breach) };
}

/** RDS's rules for an identifier, in the order rdsIdentifierBreach checks them. */
type RdsIdentifierRule = "length" | "characters" | "first-letter" | "consecutive-hyphens" | "trailing-hyphen";

/**
 * The first of RDS's identifier rules `value` breaks, and why, or undefined: 1–`max` letters, digits and hyphens, a
 * letter first, no `--`, no trailing hyphen ("Must contain from 1 to 63 letters, numbers, or hyphens. First character
 * must be a letter. Can't end with a hyphen or contain two consecutive hyphens", API_CreateDBCluster
 * DBClusterIdentifier; API_DeleteDBCluster FinalDBSnapshotIdentifier the same with 255); `lowercase` for what
 * terraform-provider-aws's validIdentifier takes (cluster and instance identifiers, validate.go `^[0-9a-z-]+$`). One
 * check for RelationalDatabase's autonames (rdsAutonameProblem, which words its fix by `rule`) and the deploy rules
 * (testing/deploy-rules/rds.ts RdsClusterSettings, names.ts), which report `problem` as it is (rdsIdentifierProblem).
 */
export function rdsIdentifierBreach(value: string, max: number, lowercase: boolean): { rule: RdsIdentifierRule; problem: string } | undefined {
  if (value.length < 1 || value.length > max) return { rule: "length", problem: `is ${value.length} characters; RDS takes 1–${max}` };
  if (!(lowercase ? /^[a-z0-9-]+$/ : /^[A-Za-z0-9-]+$/).test(value)) return { rule: "characters", problem: `is not ${lowercase ? "lower-case " : ""}letters, digits and hyphens starting with a letter` };
  if (!/^[A-Za-z]/.test(value)) return { rule: "first-letter", problem: "does not begin with a letter" };
  if (value.includes("--")) return { rule: "consecutive-hyphens", problem: "has two consecutive hyphens" };
  if (value.endsWith("-")) return { rule: "trailing-hyphen", problem: "ends with a hyphen" };
  return undefined;
}

/** Why RDS refuses an identifier, or undefined (rdsIdentifierBreach's problem). */
export function rdsIdentifierProblem(value: string, max: number, lowercase: boolean): string | undefined {
  return rdsIdentifierBreach(value, max, lowercase)?.problem;
}

/**
 * The fix for each RDS identifier rule, for an identifier that starts with the component's name. Length and characters
 * are checked before this (validateAutonames: maxLength, symbols), so their fixes are not reached from there.
 */
const RDS_AUTONAME_FIXES: Record<RdsIdentifierRule, string> = {
  length: "Use a shorter component name.",
  characters: "Use a component name of letters, digits and hyphens.",
  "first-letter": "Start the component name with a letter.",
  "consecutive-hyphens": "Use a component name without two hyphens in a row.",
  // Not reached from an autoname ending in "-cluster" or "-instance"; kept so every rule has its own words.
  "trailing-hyphen": "Use a component name that does not end with a hyphen.",
};

/** rdsIdentifierBreach for a component's autonamed cluster or instance, with the fix its rule has (RDS_AUTONAME_FIXES). */
export function rdsAutonameProblem(whole: string): { text: string; fix: string } | undefined {
  const breach = rdsIdentifierBreach(whole, 63, true);
  return breach && { text: breach.problem, fix: RDS_AUTONAME_FIXES[breach.rule] };
}

/**
 * EC2's rules on a security group's whole name beyond length and characters. One check for the components' autonames
 * (securityGroupAutonameProblem) and the deploy rules (testing/deploy-rules/names.ts, any name a plan gives a group):
 * - "Cannot start with sg-" (CreateSecurityGroup GroupName: the prefix of group ids; EC2 answers InvalidParameterValue
 *   "Group names may not be in the format sg-*", as pulumi/pulumi-awsx#328 quotes it). Only lower-case "sg-" is refused:
 *   AWS's text, its error and terraform-provider-aws's check (vpc_security_group.go, `^sg-`) all say "sg-", and a
 *   group named "SG-QA" was created in a VPC (hashicorp/terraform#23367). No AWS text says "SG-" is refused or taken;
 *   that it is taken rests on that one report.
 * - not "default": "InvalidGroup.Reserved: The name 'default' is reserved, and cannot be used to create a new security
 *   group" (Error codes for the Amazon EC2 API, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 *   In any letter case: every VPC has its group "default" ("You cannot delete the 'default' security group in your VPC",
 *   CannotDelete, the same page) and GroupName "Names are case-insensitive and must be unique within the VPC" (the API
 *   model's text, as the AWS SDK for Kotlin renders it), so "Default" is refused too, as reserved or as a duplicate
 *   (which of the two errors EC2 answers was not confirmed). terraform-provider-aws does not check it: `pulumi up` fails.
 *   An autoname (`<name>-<7 hex>`) is never "default"; a plan's explicit or `pulumi:autonaming` verbatim name may be.
 */
export function securityGroupNameProblem(whole: string): string | undefined {
  if (whole.startsWith("sg-")) return 'starts with "sg-" ("Cannot start with sg-", CreateSecurityGroup GroupName: the prefix of group ids)';
  if (whole.toLowerCase() === "default") return `is ${JSON.stringify(whole)}, the name of every VPC's default group ("The name 'default' is reserved, and cannot be used to create a new security group", InvalidGroup.Reserved; group names are case-insensitive)`;
  return undefined;
}

/**
 * securityGroupNameProblem for a component's autonamed security group, with its fix. An autoname (`<name>-<7 random>`)
 * is never "default", so the one problem it can have is its component name's "sg-" start.
 */
function securityGroupAutonameProblem(whole: string): { text: string; fix: string } | undefined {
  const text = securityGroupNameProblem(whole);
  return text === undefined ? undefined : { text, fix: 'Use a component name that does not start with "sg-".' };
}
