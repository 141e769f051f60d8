import { resolve } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { argFailer, checkSourceFile, type ArgFailure } from "../errors";
import { assertLeastPrivilege, assumeRolePolicy, policyJson, type PolicyStatement } from "../iam";
import { validateLogRetention } from "../log-retention";
import { checkRetentionDays } from "../queues";
import { checkWholeNumberInRange } from "../ranges";
import { registeredSpecs, registerSpec } from "../spec-registry";
import { createFailureQueue } from "./async";
import { resolveNativeModules, withNativeModules, type NativeModules } from "./native-modules";
import { normaliseSecrets, secretStatements, validateSecrets, type FunctionSecret, type FunctionSecretSpec } from "./secrets";
import { createSchedule, normaliseSchedule, SCHEDULE_ROLE_SUFFIX, validateSchedule, type CreatedSchedule, type FunctionScheduleArgs, type FunctionScheduleSpec } from "./schedule";
import { buildErrorDetail, bundleArchive, bundleCache, bundleEntry, bundleEntryAsync, hasDeployTimeValues, planTimeOptions, resolvedOptions, type Bundle, type DeployBundleOptions } from "./bundle";
import { checkedKmsKey, checkKmsKeyArn } from "../kms";
import { arnRegion, regionWhereCreated, validateRegionArg } from "../region";

/** A function's timeout when its arguments give none (an edge function's is 5 s: viewer events allow 5). */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 10;

/**
 * Lambda's published limits: Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
 * the async retry and event-age ranges from FunctionEventInvokeConfig ("MaximumRetryAttempts … Minimum value of 0.
 * Maximum value of 2", "MaximumEventAgeInSeconds … Minimum value of 60. Maximum value of 21600",
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionEventInvokeConfig.html).
 */
export const LAMBDA_LIMITS = {
  memoryMb: { min: 128, max: 10240 },
  timeoutSeconds: { min: 1, max: 900 },
  ephemeralStorageMb: { min: 512, max: 10240 },
  environmentBytes: 4096,
  /** CreateFunction Description: "Length Constraints: Minimum length of 0. Maximum length of 256." */
  descriptionCharacters: 256,
  layers: 5,
  zippedBytes: 50 * 1024 * 1024,
  unzippedBytes: 250 * 1024 * 1024,
  asyncRetries: { min: 0, max: 2 },
  asyncEventAgeSeconds: { min: 60, max: 21600 },
  /**
   * VpcConfig: SubnetIds "Maximum number of 16 items", SecurityGroupIds "Maximum number of 5 items" (Lambda API
   * reference, https://docs.aws.amazon.com/lambda/latest/api/API_VpcConfig.html; the same counts in Inspector's
   * LambdaVpcConfig, which mirrors it).
   */
  vpcIds: { subnetIds: 16, securityGroupIds: 5 },
  /**
   * Lambda@Edge: "Lambda functions with more than 512 MB of ephemeral storage" are not supported (Restrictions on
   * Lambda@Edge, "Lambda features", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-features).
   */
  edgeEphemeralStorageMb: 512,
} as const;

/**
 * Edge functions run it too: Lambda@Edge's "Supported runtimes" list Node.js 22
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-runtime).
 */
export const LAMBDA_RUNTIME = "nodejs22.x";
/** A LambdaFunction's function is `<name>-function`, which Pulumi autonames `<name>-function-<7 hex>`. */
export const FUNCTION_NAME_SUFFIX = "-function";
/**
 * Environment variable names: Environment Variables "Key Pattern: [a-zA-Z]([a-zA-Z0-9_])+"
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html): "Keys start with a letter and are at least two
 * characters" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). A one-letter key fails
 * CreateFunction ("Map keys must satisfy constraint"); deploy rule LambdaLimits.
 */
export const LAMBDA_ENVIRONMENT_KEY = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/**
 * `{ [key]: value }`, for a producer's `environment` (a component's `environment(key)`), after refusing a `key` Lambda
 * does not take; `example` is the component's default key.
 */
export function environmentVariable(fail: ArgFailure, key: string, value: pulumi.Output<string>, example: string): Record<string, pulumi.Output<string>> {
  if (!LAMBDA_ENVIRONMENT_KEY.test(key)) {
    fail("environment key", key, "is not a Lambda environment variable name (a letter, then letters, digits and underscores, at least two characters)", `Use e.g. "${example}".`);
  }
  return { [key]: value };
}

/**
 * A layer as CreateFunction takes it: a layer *version* ARN. API_Layer Arn "Pattern:
 * arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+"
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Layer.html); the service's ValidationException for `layers` quotes
 * "(arn:(aws[a-zA-Z-]*)?:lambda:…:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)".
 * ListLayers' LayerArn (no version) is the usual mistake. Read by LambdaFunction and deploy rule LambdaLimits.
 */
export const LAMBDA_LAYER_VERSION_ARN = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]+:\d+|arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9_-]+)$/;

/**
 * The runtime's variables, which "are reserved and cannot be set in your function configuration" (Lambda guide, "Defined
 * runtime environment variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html):
 * CreateFunction refuses them ("contains reserved keys that are currently not supported for modification"). Read by
 * LambdaFunction and by deploy rule LambdaLimits (hand-built functions).
 */
export const RESERVED_ENVIRONMENT_KEYS: ReadonlySet<string> = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

/**
 * Variables every (non-edge) function gets unless its `environment` sets them: stack traces through the bundle's source
 * maps. They count towards Lambda's 4 KB like the user's own, so they are checked with them before anything is created.
 */
const COMPONENT_ENVIRONMENT: Readonly<Record<string, string>> = { NODE_OPTIONS: "--enable-source-maps" };

/** Where Lambda sends the invocation records of a function's asynchronous events (failed ones, or succeeded ones). */
export interface AsyncDestination {
  /** The kind of destination, which decides the send permission the function's role gets. */
  type: "sqs" | "sns" | "lambda" | "eventbridge";
  /** ARN of the queue, topic, function or event bus. */
  arn: pulumi.Input<string>;
}

/** Where a function's failed asynchronous events go (the name before `onSuccess` existed). */
export type FailureDestination = AsyncDestination;

const SEND_ACTION: Record<AsyncDestination["type"], string> = {
  sqs: "sqs:SendMessage",
  sns: "sns:Publish",
  lambda: "lambda:InvokeFunction",
  eventbridge: "events:PutEvents",
};

/** Arguments of LambdaFunction. */
export interface LambdaFunctionArgs {
  /** TypeScript (or JavaScript) entry file, relative to the working directory (the Pulumi project). */
  entry: string;
  /**
   * Name of the exported handler function in the entry file.
   * @default "handler"
   */
  handler?: string;
  /** The function's description in the Lambda console, at most 256 characters. @default none ("Lambda@Edge <name>" for edge functions) */
  description?: string;
  /**
   * Memory in MB, 128–10240.
   * @default 512
   */
  memorySize?: number;
  /**
   * Timeout in seconds, 1–900.
   * @default 10
   */
  timeout?: number;
  /**
   * Size of /tmp in MB, 512–10240 (512 at most with `edge`: Lambda@Edge allows no more).
   * @default 512
   */
  ephemeralStorageSize?: number;
  /** Environment variables; 4 KB in total, keys and values together. Not allowed with `edge`. */
  environment?: Record<string, pulumi.Input<string>>;
  /** Least-privilege statements for the function's own role; no wildcard actions. */
  permissions?: PolicyStatement[];
  /**
   * Secrets the function reads at run time, by environment variable: the variable holds the secret's name or ARN
   * (never its value), and the role may read exactly that secret (and decrypt it with `kmsKeyArn`). Read the value with
   * `getSecret(process.env.X)` from `@aws-lambda-powertools/parameters/secrets` (or `getParameter(…, { decrypt: true })`
   * from `/ssm`), which caches it. Locally `npm start` serves them (docs/secrets.md). Not allowed with `edge`.
   * @default {}
   */
  secrets?: Record<string, FunctionSecret>;
  /**
   * Days to keep the function's logs. Not allowed with `edge` (its logs go to a group in each region that runs it; EdgeLogic's `logs.retentionDays`).
   * @default 30
   */
  logRetentionDays?: number;
  /**
   * ARN of a symmetric KMS key, in the function's region, to encrypt the log group with. Its key policy must let
   * `logs.<region>.amazonaws.com` use it (deploy rule LogGroupKeyPolicy; CloudWatch Logs guide, "Encrypt log data in
   * CloudWatch Logs using AWS KMS"): KMS's default key policy does not, and the log group is then never created.
   * Not allowed with `edge` (its logs go to a group in each region that runs it, which one regional key cannot encrypt).
   * @default CloudWatch Logs' own encryption
   */
  logKmsKeyArn?: pulumi.Input<string>;
  /**
   * Instruction set. Graviton (arm64) is cheaper per GB-second and starts as fast. Lambda@Edge runs x86_64 only, so
   * `edge` refuses "arm64".
   * @default "arm64" ("x86_64" when `edge`)
   */
  architecture?: "arm64" | "x86_64";
  /** AWS region for the function and everything it owns. @default the provider's region */
  region?: string;
  /**
   * Publish a numbered version on each change (needed for aliases and Lambda@Edge).
   * @default false (true when `edge`)
   */
  publish?: boolean;
  /**
   * Run the function in a VPC: its subnets (at least one; two or more AZs for availability) and security groups (at
   * least one). The role gets the ENI permissions (AWSLambdaVPCAccessExecutionRole) before the function is created.
   * The subnets need a route (NAT or VPC endpoints) to every AWS service the handler calls. Not allowed with `edge`.
   * @default not in a VPC
   */
  vpc?: FunctionVpc;
  /** Layer version ARNs (`arn:aws:lambda:<region>:<account>:layer:<name>:<version>`), at most 5. */
  layers?: pulumi.Input<string>[];
  /**
   * Reserved concurrent executions: a whole number, 0 or more (0 throttles every invocation). Lambda refuses a
   * reservation that leaves the account's unreserved concurrency below its minimum ("You can reserve up to the
   * Unreserved account concurrency value that is shown, minus 100 for functions that don't have reserved
   * concurrency", https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), so a new account with a
   * concurrency quota of 10 or 50 cannot reserve any; `pulumi up` then fails with "Specified ReservedConcurrentExecutions
   * for function decreases account's UnreservedConcurrentExecution below its minimum value". The program cannot read the
   * quota: check it (Service Quotas, "Concurrent executions") against the sum of the reservations in the account and region.
   * @default unreserved
   */
  reservedConcurrency?: number;
  /**
   * Active X-Ray tracing. `true` is refused with `edge`: Lambda@Edge does not support X-Ray.
   * @default true (false when `edge`)
   */
  tracing?: boolean;
  /** Asynchronous invocation: retries (0–2), event age, and where failed events go. Not allowed with `edge` (CloudFront invokes synchronously). */
  asyncInvoke?: {
    /** Retries after a failed asynchronous invocation, 0–2. @default 2 */
    maxRetryAttempts?: number;
    /** Seconds an event may wait to be processed before it is discarded (or sent on failure), 60–21600. @default 21600 */
    maxEventAgeSeconds?: number;
    /** Where events that still fail go; the function's role gets exactly the permission to send there. Not with `failureQueue`. */
    onFailure?: AsyncDestination;
    /**
     * Where the records of events the function handled go (the event and the function's result, as Lambda's invocation
     * record with condition "Success"); the function's role gets exactly the permission to send there.
     */
    onSuccess?: AsyncDestination;
    /**
     * Create an encrypted SQS queue for events that still fail, kept `retentionDays` (1–14), as the
     * on-failure destination (exposed as `failureQueue`, for alarms). Not with `onFailure`.
     * @default no queue
     */
    failureQueue?: { retentionDays?: number };
  };
  /** Invoke the function on a rate or cron schedule (EventBridge Scheduler), with retries and a dead-letter queue. @default not scheduled */
  schedule?: FunctionScheduleArgs;
  /**
   * Packages with native code (e.g. `"sharp"`) shipped in the zip's node_modules, built for the
   * function's architecture, instead of bundled (components/lambda/native-modules.ts).
   * @default none
   */
  nativeModules?: string[];
  /**
   * Lambda@Edge: trusted by edgelambda.amazonaws.com, published, no environment
   * or layers, placed in us-east-1, and retained on delete together with its role and policy (CloudFront's replicas
   * outlive the distribution's hold on them; `npm run edge-cleanup` deletes all three, docs/edge.md).
   * EdgeLogic sets this; configure at build time via `define`.
   * @default false
   */
  edge?: boolean;
  /**
   * A compressed-size limit below Lambda's 50 MB, applied to the bundle built at deploy time when `bundle.define` holds
   * Outputs (the construction-time check cannot see their values). EdgeLogic passes Lambda@Edge's per-event quota.
   * @default Lambda's 50 MB
   */
  packageLimit?: PackageLimit;
  /**
   * esbuild options: external modules and compile-time constants (which may be Outputs: the code is then built at deploy time).
   * `LAMBDA_BUNDLE_EXTERNALS` (the SDK's credential providers Lambda never loads) are external in every function.
   * @default { external: LAMBDA_BUNDLE_EXTERNALS, define: {} }
   */
  bundle?: DeployBundleOptions;
  /**
   * Keep the function when it is removed from the program (Lambda@Edge replicas take hours to go), with what it runs
   * with: its role, inline policy, VPC access attachment and log group. @default false
   */
  retainOnDelete?: boolean;
}

/** Where a function in a VPC runs. */
export interface FunctionVpc {
  /** Subnet ids (`subnet-…`), at least one. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security group ids (`sg-…`), at least one. */
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Read by RealtimeApi only: the subnets route to the internet (a NAT gateway), so the function reaches public AWS
   * endpoints such as a WebSocket API's PostToConnection. The plan cannot see a VPC it does not create: this only
   * silences `RealtimeApi`'s warning for posting routes; the function's VPC configuration is the same either way.
   * @default false
   */
  internetEgress?: boolean;
}

/** Normalised, plain description of the function: what the local runtime runs. */
export interface LambdaFunctionSpec {
  name: string;
  /** The description the function is given; absent: none. */
  description?: string;
  entry: string;
  handler: string;
  memorySize: number;
  timeout: number;
  ephemeralStorageSize: number;
  architecture: "arm64" | "x86_64";
  region?: string;
  publish: boolean;
  tracing: boolean;
  edge: boolean;
  /** A zipped-size limit below Lambda's (LambdaFunctionArgs.packageLimit); absent: Lambda's 50 MB. */
  packageLimit?: PackageLimit;
  logRetentionDays: number;
  environment: Record<string, pulumi.Input<string>>;
  permissions: PolicyStatement[];
  /** The VPC the function runs in; absent: none (locally it changes nothing). */
  vpc?: FunctionVpc;
  /** Secrets by environment variable (whose value is the secret's name or ARN); absent: none. */
  secrets?: Record<string, FunctionSecretSpec>;
  layers: pulumi.Input<string>[];
  reservedConcurrency?: number;
  asyncInvoke?: { maxRetryAttempts: number; maxEventAgeSeconds: number; onFailure?: AsyncDestination; onSuccess?: AsyncDestination; failureQueueRetentionDays?: number };
  schedule?: FunctionScheduleSpec;
  /** Packages shipped as files in the zip (and linked into the local build folder); absent: none. */
  nativeModules?: string[];
  bundle: DeployBundleOptions;
  retainOnDelete: boolean;
}

/**
 * A Node.js Lambda function from a TypeScript entry file, with its own
 * least-privilege role and a log group with retention.
 *
 * @example
 * const fn = new LambdaFunction("thumbnail", {
 *   entry: "handlers/thumbnail/index.ts",
 *   memorySize: 1024,
 *   permissions: [{ actions: ["s3:GetObject"], resources: [pulumi.interpolate`${bucket.arn}/*`] }],
 * });
 */
export class LambdaFunction extends pulumi.ComponentResource {
  readonly spec: LambdaFunctionSpec;
  readonly bundle: Bundle;
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup?: aws.cloudwatch.LogGroup;
  /** The queue failed asynchronous events go to, when `asyncInvoke.failureQueue` asked for one. */
  readonly failureQueue?: aws.sqs.Queue;
  /** The schedule, its role and dead-letter queue, when `schedule` is set. */
  readonly schedule?: CreatedSchedule;
  readonly arn: pulumi.Output<string>;
  /** ARN of the published version (`arn:...:function:name:N`); use for Lambda@Edge and aliases. */
  readonly qualifiedArn: pulumi.Output<string>;
  readonly invokeArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: LambdaFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:LambdaFunction", name, {}, opts);
    const fail = argFailer("LambdaFunction", name);
    validateArgs(fail, name, args);
    this.spec = normalise(name, args);
    this.bundle = bundleAndCheck(fail, name, this.spec);
    const native = this.spec.nativeModules?.length ? resolveNativeModules(fail, this.spec.nativeModules, this.spec.architecture) : undefined;
    checkPackageSize(fail, this.spec, this.bundle, native);

    const logKey = this.spec.edge ? undefined : checkedLogKey(fail, args.logKmsKeyArn, regionWhereCreated(this.spec.region, this, "aws:cloudwatch/logGroup:LogGroup").region);
    const logGroup = this.spec.edge ? undefined : createLogGroup(name, this.spec, logKey, this);
    const failures = this.spec.asyncInvoke?.failureQueueRetentionDays ? createFailureQueue(name, this.spec.asyncInvoke.failureQueueRetentionDays, this.spec.region, this) : undefined;
    const role = createRole(name, this.spec, logGroup, this, [...(failures ? [failures.grant] : []), ...secretStatements(this.spec.secrets, this.spec.region, this)]);
    const fn = createFunction(name, this.spec, this.bundle, native, role, logGroup, this);
    if (this.spec.asyncInvoke) createAsyncInvokeConfig(name, this.spec, fn, this, failures?.queue);
    this.failureQueue = failures?.queue;
    this.schedule = this.spec.schedule && createSchedule(name, this.spec.schedule, fn.function.arn, this.spec.region, this);

    this.function = fn.function;
    this.role = role.role;
    this.logGroup = logGroup;
    this.arn = fn.function.arn;
    this.qualifiedArn = fn.function.qualifiedArn;
    this.invokeArn = fn.function.invokeArn;
    this.functionName = fn.function.name;
    this.version = fn.function.version;
    registerSpec("LambdaFunction", name, this.spec);
    this.registerOutputs({ arn: this.arn, qualifiedArn: this.qualifiedArn, functionName: this.functionName });
  }
}

function validateArgs(fail: ArgFailure, name: string, args: LambdaFunctionArgs): void {
  validateRegionArg(fail, "region", args.region);
  // The function is autonamed `<name>-function-<7 hex>` (Lambda: 64 of letters, digits, - and _), a schedule's role
  // `<name>-schedule-role-<7 hex>` (IAM: 64): one check, so one error gives the characters and length both take.
  validateAutonames(fail, name, [
    { resource: `${name}${FUNCTION_NAME_SUFFIX}`, kind: "lambda-function" },
    ...(args.schedule ? [{ resource: `${name}${SCHEDULE_ROLE_SUFFIX}`, kind: "role" as const }] : []),
  ]);
  checkSourceFile(fail, "entry", args.entry, "Point entry at the handler's source file");
  // CreateFunction Description: "Length Constraints: Minimum length of 0. Maximum length of 256." (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html)
  if (args.description !== undefined && args.description.length > LAMBDA_LIMITS.descriptionCharacters) {
    fail("description", args.description, `is ${args.description.length} characters, over Lambda's ${LAMBDA_LIMITS.descriptionCharacters}`, "Shorten it.");
  }
  checkWholeNumberInRange(fail, "memorySize", args.memorySize, LAMBDA_LIMITS.memoryMb, { limit: "Lambda's range", unit: "MB" });
  checkWholeNumberInRange(fail, "timeout", args.timeout, LAMBDA_LIMITS.timeoutSeconds, { limit: "Lambda's range", unit: "seconds" });
  checkWholeNumberInRange(fail, "ephemeralStorageSize", args.ephemeralStorageSize, LAMBDA_LIMITS.ephemeralStorageMb, { limit: "Lambda's range", unit: "MB" });
  // Concurrency.ReservedConcurrentExecutions: "Minimum value of 0" (https://docs.aws.amazon.com/lambda/latest/api/API_Concurrency.html).
  if (args.reservedConcurrency !== undefined && (!Number.isInteger(args.reservedConcurrency) || args.reservedConcurrency < 0)) {
    fail(
      "reservedConcurrency",
      args.reservedConcurrency,
      "is not a whole number of at least 0",
      "Use e.g. 10 (0 stops the function from running); any reservation needs account concurrency above 100 plus the sum of every function's reservation in the account and region (Service Quotas, Lambda concurrent executions).",
    );
  }
  if ((args.layers?.length ?? 0) > LAMBDA_LIMITS.layers) {
    fail("layers", `${args.layers!.length} layers`, `exceeds Lambda's limit of ${LAMBDA_LIMITS.layers}`, "Merge layers or bundle the code into the function.");
  }
  (args.layers ?? []).forEach((layer, index) => {
    if (typeof layer === "string" && !LAMBDA_LAYER_VERSION_ARN.test(layer)) {
      fail(`layers[${index}]`, layer, "is not a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>), which CreateFunction requires", `Add the version number, e.g. "${/:layer:[a-zA-Z0-9_-]+$/.test(layer) ? `${layer}:1` : "arn:aws:lambda:us-east-1:123456789012:layer:shared:1"}" (the layer's LayerVersionArn).`);
    }
  });
  validateLogRetention(fail, "logRetentionDays", args.logRetentionDays);
  if (args.asyncInvoke) {
    checkWholeNumberInRange(fail, "asyncInvoke.maxRetryAttempts", args.asyncInvoke.maxRetryAttempts, LAMBDA_LIMITS.asyncRetries, { limit: "Lambda's range", unit: "retries" });
    checkWholeNumberInRange(fail, "asyncInvoke.maxEventAgeSeconds", args.asyncInvoke.maxEventAgeSeconds, LAMBDA_LIMITS.asyncEventAgeSeconds, { limit: "Lambda's range", unit: "seconds" });
    if (args.asyncInvoke.failureQueue && args.asyncInvoke.onFailure) {
      fail("asyncInvoke.failureQueue", args.asyncInvoke.failureQueue, "is set together with onFailure; a function has one on-failure destination", "Keep one of them.");
    }
    checkRetentionDays(fail, "asyncInvoke.failureQueue.retentionDays", args.asyncInvoke.failureQueue?.retentionDays);
  }
  if (args.schedule) {
    validateSchedule(fail, args.schedule, args.edge ?? false);
  }
  for (const module of args.nativeModules ?? []) {
    if (!/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/.test(module)) fail("nativeModules", module, "is not an npm package name", 'Name the package, e.g. "sharp".');
  }
  if (args.edge) {
    if (args.environment && Object.keys(args.environment).length > 0) {
      fail("environment", Object.keys(args.environment), "is set on a Lambda@Edge function, which cannot have environment variables", "Bake configuration in at build time with bundle.define.");
    }
    if (args.layers?.length) fail("layers", args.layers, "is set on a Lambda@Edge function, which cannot use layers", "Bundle the code into the function.");
    if (args.vpc) fail("vpc", args.vpc, "is set on a Lambda@Edge function, which cannot run in a VPC", "Remove vpc; reach private resources from an origin function instead.");
    if (args.secrets && Object.keys(args.secrets).length > 0) {
      fail("secrets", Object.keys(args.secrets), "is set on a Lambda@Edge function, which cannot have environment variables to name them", "Read the secret in an origin function, or bake non-secret configuration in with bundle.define.");
    }
    if (args.region && args.region !== "us-east-1") fail("region", args.region, "is not us-east-1; Lambda@Edge functions must be created there", "Remove region or set it to \"us-east-1\".");
    // Lambda@Edge restrictions, "The following Lambda features are not supported by Lambda@Edge": the arm64 architecture
    // among them (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html,
    // as deploy rule LambdaEdgeFeatures reads it). Lambda creates such a function; CloudFront refuses to associate it, and
    // the rule sees only functions a distribution of this program associates.
    if (args.architecture === "arm64") fail("architecture", args.architecture, "is set on a Lambda@Edge function, which runs on x86_64 only", "Remove architecture (edge functions default to x86_64).");
    // The same list has "Using AWS X-Ray" and "Lambda functions with more than 512 MB of ephemeral storage": Lambda
    // creates either, and CloudFront refuses the association (deploy rule LambdaEdgeFeatures, for any program's functions).
    // tracing: false and 512 MB are what an edge function runs with anyway, so they are taken.
    if (args.tracing === true) fail("tracing", args.tracing, "is set on a Lambda@Edge function, which does not support X-Ray tracing", "Remove tracing (edge functions run without X-Ray).");
    if (args.ephemeralStorageSize !== undefined && args.ephemeralStorageSize > LAMBDA_LIMITS.edgeEphemeralStorageMb) {
      fail("ephemeralStorageSize", args.ephemeralStorageSize, `is over the ${LAMBDA_LIMITS.edgeEphemeralStorageMb} MB of /tmp Lambda@Edge allows`, `Remove ephemeralStorageSize (edge functions get ${LAMBDA_LIMITS.edgeEphemeralStorageMb} MB).`);
    }
    // CloudFront invokes an edge function synchronously, waiting for its answer ("Amazon CloudFront via Lambda@Edge" under
    // synchronous invocation, https://docs.aws.amazon.com/lambda/latest/operatorguide/invocation-modes.html). Retries,
    // event age and destinations configure asynchronous invocation only, so none of them would ever act. Lambda would
    // take the configuration; it is refused because it cannot take effect. Provisioned concurrency, which the same
    // "Lambda features" list does not support, is no argument of LambdaFunction; reserved concurrency is not on the list.
    if (args.asyncInvoke !== undefined) {
      fail(
        "asyncInvoke",
        args.asyncInvoke,
        "is set on a Lambda@Edge function, which CloudFront invokes synchronously; retries, event age and on-failure or on-success destinations apply to asynchronous invocations only, so they would never act",
        "Remove asyncInvoke; an edge function's errors go back to CloudFront with the request, so handle them in the function and watch its logs and metrics.",
      );
    }
    // Lambda@Edge writes its logs to /aws/lambda/us-east-1.<function name> in each region where a replica runs, creating
    // the group there on first use (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html);
    // the function's own log group would get nothing, so an edge function has none (createRole's WriteEdgeLogs). A KMS
    // key is regional and CloudWatch Logs encrypts a group only with a key of its own region (checkedLogKey), so one key
    // cannot cover them, and the retention would apply to no group: both are refused rather than dropped. EdgeLogic
    // creates the regional groups with its logs.retentionDays.
    if (args.logKmsKeyArn !== undefined) {
      fail(
        "logKmsKeyArn",
        typeof args.logKmsKeyArn === "string" ? args.logKmsKeyArn : "(an Output)",
        "is set on a Lambda@Edge function, whose logs go to a /aws/lambda/us-east-1.<function> group in every region that runs it, not to a log group of the function's; a KMS key encrypts log groups of its own region only",
        "Remove logKmsKeyArn; to encrypt edge logs, create each region's /aws/lambda/us-east-1.<function> group yourself with a key of that region.",
      );
    }
    if (args.logRetentionDays !== undefined) {
      fail(
        "logRetentionDays",
        args.logRetentionDays,
        "is set on a Lambda@Edge function, whose logs go to a /aws/lambda/us-east-1.<function> group in every region that runs it, not to a log group of the function's",
        "Remove logRetentionDays; EdgeLogic's logs.retentionDays sets the retention of the regional groups it creates (logs.regions).",
      );
    }
  }
  if (args.vpc) validateVpc(fail, args.vpc);
  validateSecrets(fail, args.secrets ?? {}, args.environment ?? {});
  // The environment as the function will get it: a check of the user's variables alone let NODE_OPTIONS tip it over
  // 4 KB, which only the deploy-time check in the function's inputs caught, after the role and log group were registered.
  checkEnvironment(fail, args.edge ? {} : { ...COMPONENT_ENVIRONMENT, ...(args.environment ?? {}), ...secretVariables(normaliseSecrets(args.secrets)) }, args.environment ?? {});
  assertLeastPrivilege(fail, "permissions", args.permissions ?? []);
  (args.permissions ?? []).forEach((statement, index) => {
    if (statement.sid !== undefined && OWN_STATEMENT_IDS.includes(statement.sid)) {
      fail(`permissions[${index}].sid`, statement.sid, "is a statement id the function's own policy uses (for its logs, traces, async destinations or secrets), so the policy would not say which statement is whose (policyJson would number the second)", "Use another sid.");
    }
  });
}

/** The statement ids of what the component adds to a function's policy (createRole, async.ts, secrets.ts): a caller's permissions may not use them. */
export const OWN_STATEMENT_IDS: readonly string[] = ["WriteOwnLogs", "WriteEdgeLogs", "WriteTraces", "SendFailedEvents", "SendSucceededEvents", "ReadSecrets", "ReadParameters", "DecryptSecrets", "DecryptParameters"];

/**
 * CreateFunction's VpcConfig: subnets and security groups, both needed for a VPC function (an empty list of either
 * detaches the function from the VPC). https://docs.aws.amazon.com/lambda/latest/api/API_VpcConfig.html
 * Lists that are Outputs are checked on the recorded plan (deploy rule LambdaVpcConfig).
 */
function validateVpc(fail: ArgFailure, vpc: FunctionVpc): void {
  const lists = [
    ["vpc.subnetIds", vpc.subnetIds, "subnet-", LAMBDA_LIMITS.vpcIds.subnetIds, "Use at most 16 subnets (one or two per Availability Zone is enough)."],
    ["vpc.securityGroupIds", vpc.securityGroupIds, "sg-", LAMBDA_LIMITS.vpcIds.securityGroupIds, "Merge the groups' rules into at most 5 security groups."],
  ] as const;
  for (const [argument, ids, prefix, limit, fewer] of lists) {
    if (!Array.isArray(ids)) continue;
    if (ids.length === 0) fail(argument, ids, "is empty; a function in a VPC needs at least one", `Name the ${prefix}… ids, or drop vpc.`);
    if (ids.length > limit) fail(argument, `${ids.length} ids`, `is more than the ${limit} Lambda accepts`, fewer);
    for (const id of ids) if (typeof id === "string" && !id.startsWith(prefix)) fail(argument, id, `is not a ${prefix}… id`, `Use the ${prefix}… id.`);
  }
  if (vpc.internetEgress !== undefined && typeof vpc.internetEgress !== "boolean") fail("vpc.internetEgress", vpc.internetEgress, "is not true or false", "Use true when the subnets route to a NAT gateway, or leave it out.");
}

/**
 * Lambda's 4 KB "for all environment variables associated with the function, in aggregate"
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) is measured on the variables' JSON: its
 * refusal quotes the "String measured: {"KEY":"value",…}" (seen in github-aws-runners/terraform-aws-github-runner#3594),
 * and deploy rule LambdaLimits measures the same. Quotes, colons and commas count, so keys and values alone fall short.
 */
function environmentBytes(variables: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(variables));
}

/** `environment`: every variable the function gets (the component's own and the secrets' included); `given`: the user's. */
function checkEnvironment(fail: ArgFailure, environment: Record<string, pulumi.Input<string>>, given: Record<string, pulumi.Input<string>>): void {
  for (const key of Object.keys(environment)) {
    if (!LAMBDA_ENVIRONMENT_KEY.test(key)) fail("environment", key, "is not a variable name Lambda takes (at least two letters, digits and underscores, starting with a letter)", `Use e.g. "${/^[a-zA-Z]/.test(key) ? key.replace(/[^a-zA-Z0-9_]/g, "_").padEnd(2, "_") : `V_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`}".`);
    if (RESERVED_ENVIRONMENT_KEYS.has(key)) fail("environment", key, "is reserved by the Lambda runtime", "Pick another name.");
  }
  // Values that are Outputs count as "" here (their keys and quotes still count); the deploy-time check sees them whole.
  const knownBytes = environmentBytes(Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, typeof value === "string" ? value : ""])));
  if (knownBytes > LAMBDA_LIMITS.environmentBytes) {
    const added = Object.entries(COMPONENT_ENVIRONMENT).filter(([key]) => !(key in given) && key in environment);
    const addedNote = added.length ? ` (with ${added.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(", ")}, which the component adds)` : "";
    fail(
      "environment",
      `${knownBytes} bytes`,
      `exceeds Lambda's ${LAMBDA_LIMITS.environmentBytes}-byte limit for all variables together, measured as their JSON${addedNote}`,
      "Move large values to SSM Parameter Store or a config file in the bundle.",
    );
  }
}

/** The environment variables naming the secrets. */
function secretVariables(secrets: Record<string, FunctionSecretSpec>): Record<string, pulumi.Input<string>> {
  return Object.fromEntries(Object.entries(secrets).map(([variable, secret]) => [variable, secret.id]));
}

/** A zipped-size limit, what it is (for the message) and the fix. */
export interface PackageLimit {
  zippedBytes: number;
  what: string;
  fix: string;
}

function normalise(name: string, args: LambdaFunctionArgs): LambdaFunctionSpec {
  const edge = args.edge ?? false;
  const secrets = edge ? {} : normaliseSecrets(args.secrets);
  return {
    name,
    description: args.description ?? (edge ? `Lambda@Edge ${name}` : undefined),
    entry: resolve(args.entry),
    handler: args.handler ?? "handler",
    memorySize: args.memorySize ?? (edge ? 128 : 512),
    timeout: args.timeout ?? (edge ? 5 : DEFAULT_FUNCTION_TIMEOUT_SECONDS),
    ephemeralStorageSize: args.ephemeralStorageSize ?? 512,
    architecture: args.architecture ?? (edge ? "x86_64" : "arm64"),
    region: edge ? "us-east-1" : args.region,
    publish: edge || (args.publish ?? false),
    tracing: !edge && (args.tracing ?? true),
    edge,
    ...(args.packageLimit && { packageLimit: args.packageLimit }),
    logRetentionDays: args.logRetentionDays ?? 30,
    // Secrets travel as names (or ARNs); the handler fetches the value.
    environment: edge ? {} : { ...COMPONENT_ENVIRONMENT, ...(args.environment ?? {}), ...secretVariables(secrets) },
    secrets,
    permissions: [
      ...(args.permissions ?? []),
      ...(args.asyncInvoke?.onFailure
        ? [{ sid: "SendFailedEvents", actions: [SEND_ACTION[args.asyncInvoke.onFailure.type]], resources: [args.asyncInvoke.onFailure.arn] }]
        : []),
      ...(args.asyncInvoke?.onSuccess
        ? [{ sid: "SendSucceededEvents", actions: [SEND_ACTION[args.asyncInvoke.onSuccess.type]], resources: [args.asyncInvoke.onSuccess.arn] }]
        : []),
    ],
    layers: args.layers ?? [],
    reservedConcurrency: args.reservedConcurrency,
    asyncInvoke: args.asyncInvoke && {
      maxRetryAttempts: args.asyncInvoke.maxRetryAttempts ?? 2,
      maxEventAgeSeconds: args.asyncInvoke.maxEventAgeSeconds ?? 21600,
      onFailure: args.asyncInvoke.onFailure,
      onSuccess: args.asyncInvoke.onSuccess,
      failureQueueRetentionDays: args.asyncInvoke.failureQueue ? (args.asyncInvoke.failureQueue.retentionDays ?? 14) : undefined,
    },
    schedule: args.schedule && normaliseSchedule(name, args.schedule),
    nativeModules: args.nativeModules?.length ? [...args.nativeModules] : undefined,
    // Native packages load from the zip's node_modules at run time, never from the bundle.
    bundle: args.nativeModules?.length ? { ...args.bundle, external: [...(args.bundle?.external ?? []), ...args.nativeModules] } : (args.bundle ?? {}),
    retainOnDelete: edge || (args.retainOnDelete ?? false),
    vpc: edge ? undefined : args.vpc,
  };
}

/**
 * The bundle each function's spec checked: functions with one entry and equal plan-time options (bundle external and
 * define, deploy-time constants as null) get one cache key, and so one Bundle object (bundle-cache.ts).
 */
const bundleOfSpec = new WeakMap<LambdaFunctionSpec, Bundle>();

/**
 * The functions of the running program that share `bundle`, in the order constructed: those in the spec registry,
 * which holds the constructions that passed every check and is emptied before each run of the program
 * (runProgramOffline), so a function a later check refused, or one of an earlier run in this process (the bundle
 * cache is the process's), is not among them.
 */
function functionsSharing(bundle: Bundle): string[] {
  return registeredSpecs<LambdaFunctionSpec>("LambdaFunction")
    .filter(({ spec }) => bundleOfSpec.get(spec) === bundle)
    .map(({ name }) => name);
}

function bundleAndCheck(fail: ArgFailure, name: string, spec: LambdaFunctionSpec): Bundle {
  // The same refusal when the build fails now and when it fails as the bundle's code is first read (`this.bundle.code`,
  // the archive) and the cache builds it again because its file was damaged meanwhile. That later build is the
  // bundle's, not one function's: its refusal names every function sharing the bundle, whichever read the code (and
  // this one, whose error the cache holds, even when it reads the code before it is registered).
  const doesNotBundle = (error: unknown): never => {
    // Unset while the first build runs: a refusal then is this function's alone.
    const shared = bundleOfSpec.get(spec);
    const sharing = shared ? [...new Set([...functionsSharing(shared), name])] : [];
    const sharedBy = sharing.length > 1 ? `; the bundle is shared by LambdaFunction ${sharing.map((n) => JSON.stringify(n)).join(", ")}` : "";
    return fail("entry", spec.entry, `does not bundle: ${buildErrorDetail(error)}${sharedBy}`, "Fix the error in the handler source (npm run typecheck shows it too).");
  };
  const bundle = bundleEntry(spec.entry, planTimeOptions(spec.bundle), bundleCache(), doesNotBundle);
  if (!bundle.exports.includes(spec.handler)) {
    fail("handler", spec.handler, `is not exported by ${spec.entry}`, `Export a function named ${spec.handler}, or set handler to the exported name.`);
  }
  bundleOfSpec.set(spec, bundle);
  return bundle;
}

/** The deployment package (bundle plus native packages) within Lambda's zipped and unzipped limits. Exported for its tests. */
export function checkPackageSize(fail: ArgFailure, spec: LambdaFunctionSpec, bundle: Bundle, native: NativeModules | undefined): void {
  const zipped = bundle.zippedBytes + (native?.zippedBytes ?? 0);
  const unzipped = bundle.unzippedBytes + (native?.unzippedBytes ?? 0);
  if (zipped > LAMBDA_LIMITS.zippedBytes) {
    fail("entry", spec.entry, `bundles to ${zipped} zipped bytes, over Lambda's 50 MB limit`, "Mark large dependencies external (bundle.external) and ship them in a layer of your own, passed by ARN in layers.");
  }
  if (unzipped > LAMBDA_LIMITS.unzippedBytes) {
    fail("entry", spec.entry, `unpacks to ${unzipped} bytes, over Lambda's 250 MB limit`, "Ship fewer native packages (nativeModules), or mark large dependencies external and ship them in a layer of your own (layers); layers count towards the 250 MB too.");
  }
}

/**
 * The log group's key as CloudWatch Logs takes it: a KMS key's ARN (AssociateKmsKey/CreateLogGroup kmsKeyId: "The
 * Amazon Resource Name (ARN) of the KMS key to use when encrypting log data"; an alias is not taken) of the log
 * group's own region (KMS keys are regional; the log group is the function's region). Checked at construction for a
 * string, once known for an Output. The key policy is the deploy rule LogGroupKeyPolicy's (the plan shows it).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
function checkedLogKey(fail: ArgFailure, key: pulumi.Input<string> | undefined, logRegion: string | undefined): pulumi.Input<string> | undefined {
  return checkedKmsKey(key, (given) => {
    const arn = checkKmsKeyArn(fail, given, {
      argument: "logKmsKeyArn",
      problem: "is not a KMS key's ARN; CloudWatch Logs takes the key's ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id",
      fix: "Pass the key's ARN, e.g. key.arn of an aws.kms.Key whose policy lets logs.<region>.amazonaws.com use it; leave it out for CloudWatch Logs' own encryption.",
    });
    const keyRegion = arnRegion(arn);
    if (logRegion && keyRegion !== logRegion) {
      fail("logKmsKeyArn", arn, `is a key in ${keyRegion}, but the function's log group is in ${logRegion}; CloudWatch Logs encrypts with a key of the log group's own region`, `Use a key in ${logRegion}.`);
    }
    return arn;
  });
}

function createLogGroup(name: string, spec: LambdaFunctionSpec, kmsKeyArn: pulumi.Input<string> | undefined, parent: pulumi.Resource) {
  return new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { retentionInDays: spec.logRetentionDays, kmsKeyId: kmsKeyArn, region: spec.region },
    // A kept function keeps writing here; without the group its logs would go nowhere (its role may not create one).
    { parent, retainOnDelete: spec.retainOnDelete },
  );
}

function createRole(name: string, spec: LambdaFunctionSpec, logGroup: aws.cloudwatch.LogGroup | undefined, parent: pulumi.Resource, extra: PolicyStatement[]) {
  const services = spec.edge ? ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] : ["lambda.amazonaws.com"];
  // A Lambda@Edge function is retained (normalise), and so is what its replicas run as. When the distribution lets go of
  // it (edgeEnabled off, a removed EdgeLogic lambda, a destroy), edge locations keep invoking the old replicas until
  // the change has propagated, which the update does not wait for under StaticSite's waitForDeployment: false: "Lambda
  // automatically assumes your execution role when you invoke your function"
  // (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html), so a role deleted at the end of the
  // update would fail their cold starts. The role and its policy stay with the function until `npm run edge-cleanup`
  // deletes all three. Nothing else is needed at run time: edge functions have no LambdaFunction log group, and the
  // policy lets a replica create its own /aws/lambda/us-east-1.<function> group in any region (WriteEdgeLogs); an
  // edge function is never in a VPC (normalise), so it has no vpc-access attachment.
  // A kept role blocks no later deploy: it is autonamed `<name>-role-<7 hex>`, so the next one gets a new name.
  // Any function kept on delete (retainOnDelete) keeps its role and permissions for the same reason: it cannot run without them.
  const keepWithFunction = spec.retainOnDelete;
  const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy(services) }, { parent, retainOnDelete: keepWithFunction });
  const statements: PolicyStatement[] = [...spec.permissions, ...extra];
  if (logGroup) {
    statements.push({ sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${logGroup.arn}:*`] });
  } else {
    // Lambda@Edge writes to /aws/lambda/us-east-1.<name> in whichever region served the request.
    statements.push({
      sid: "WriteEdgeLogs",
      actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [pulumi.interpolate`arn:aws:logs:*:${aws.getCallerIdentityOutput({}, { parent }).accountId}:log-group:/aws/lambda/us-east-1.${name}-function*`],
    });
  }
  if (spec.tracing) statements.push({ sid: "WriteTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] });
  const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: policyJson(statements) }, { parent, retainOnDelete: keepWithFunction });
  // Lambda checks at CreateFunction that the role may create and delete the function's network interfaces
  // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
  const vpcAccess = spec.vpc
    ? new aws.iam.RolePolicyAttachment(
        `${name}-vpc-access`,
        { role: role.name, policyArn: pulumi.interpolate`arn:${aws.getPartitionOutput({}, { parent }).partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole` },
        { parent, retainOnDelete: keepWithFunction },
      )
    : undefined;
  return { role, policy, vpcAccess };
}

function createFunction(
  name: string,
  spec: LambdaFunctionSpec,
  bundle: Bundle,
  native: NativeModules | undefined,
  role: { role: aws.iam.Role; policy: aws.iam.RolePolicy; vpcAccess?: aws.iam.RolePolicyAttachment },
  logGroup: aws.cloudwatch.LogGroup | undefined,
  parent: pulumi.Resource,
) {
  const environment = Object.keys(spec.environment).length > 0 ? { variables: checkedEnvironment(name, spec.environment) } : undefined;
  const fn = new aws.lambda.Function(
    `${name}${FUNCTION_NAME_SUFFIX}`,
    {
      description: spec.description,
      runtime: LAMBDA_RUNTIME,
      handler: `index.${spec.handler}`,
      code: withNativeModules(hasDeployTimeValues(spec.bundle) ? deployTimeArchive(name, spec) : bundleArchive(bundle), native),
      role: role.role.arn,
      architectures: [spec.architecture],
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      // An edge function's is 512 MB, the most Lambda@Edge takes (validateArgs).
      ephemeralStorage: { size: spec.ephemeralStorageSize },
      environment,
      layers: spec.layers.length > 0 ? spec.layers : undefined,
      publish: spec.publish,
      reservedConcurrentExecutions: spec.reservedConcurrency,
      // tracing_config is Optional+Computed in the provider (function.go): left out, it keeps a deployed Active mode, so
      // turning tracing off must send PassThrough. Lambda@Edge functions have never been Active (LambdaEdgeFeatures).
      tracingConfig: spec.edge ? undefined : { mode: spec.tracing ? "Active" : "PassThrough" },
      // The levels AWS fills in for the JSON format, stated: without them the provider diffed INFO against unset on every
      // deploy (hashicorp/terraform-provider-aws#35301, #42181; since suppressed there), which published a new version.
      loggingConfig: logGroup ? { logGroup: logGroup.name, logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO" } : undefined,
      vpcConfig: spec.vpc ? { subnetIds: spec.vpc.subnetIds, securityGroupIds: spec.vpc.securityGroupIds } : undefined,
      region: spec.region,
    },
    // The policy must exist before the first invocation tries to log, and the ENI permissions before a VPC function is created.
    { parent, dependsOn: [role.policy, ...(role.vpcAccess ? [role.vpcAccess] : [])], retainOnDelete: spec.retainOnDelete },
  );
  return { function: fn };
}

/** Code whose build-time constants are Outputs: built once they resolve, and checked against the limit again. */
function deployTimeArchive(name: string, spec: LambdaFunctionSpec): pulumi.Output<pulumi.asset.AssetArchive> {
  return resolvedOptions(spec.bundle).apply(async (options) => {
    const bundle = await bundleEntryAsync(spec.entry, options);
    const limit = spec.packageLimit ?? { zippedBytes: LAMBDA_LIMITS.zippedBytes, what: "Lambda's 50 MB limit", fix: "Trim the constants' values or the dependencies." };
    if (bundle.zippedBytes > limit.zippedBytes) {
      throw new Error(`LambdaFunction "${name}": the bundle is ${bundle.zippedBytes} zipped bytes once its constants resolved, over ${limit.what}. ${limit.fix}`);
    }
    return bundleArchive(bundle);
  });
}

/** Values that are Outputs are only known at deploy time; check the 4 KB limit once they are. */
function checkedEnvironment(name: string, environment: Record<string, pulumi.Input<string>>): pulumi.Output<Record<string, string>> {
  return pulumi.output(environment).apply((resolved) => {
    const bytes = environmentBytes(resolved);
    if (bytes > LAMBDA_LIMITS.environmentBytes) {
      throw new Error(
        `LambdaFunction "${name}": environment is ${bytes} bytes once resolved (as JSON), over Lambda's ${LAMBDA_LIMITS.environmentBytes}-byte limit. Move large values to SSM Parameter Store.`,
      );
    }
    return resolved;
  });
}

function createAsyncInvokeConfig(name: string, spec: LambdaFunctionSpec, fn: { function: aws.lambda.Function }, parent: pulumi.Resource, failureQueue: aws.sqs.Queue | undefined) {
  const asyncInvoke = spec.asyncInvoke!;
  const onFailure = failureQueue?.arn ?? asyncInvoke.onFailure?.arn;
  const onSuccess = asyncInvoke.onSuccess?.arn;
  return new aws.lambda.FunctionEventInvokeConfig(
    `${name}-async`,
    {
      functionName: fn.function.name,
      maximumRetryAttempts: asyncInvoke.maxRetryAttempts,
      maximumEventAgeInSeconds: asyncInvoke.maxEventAgeSeconds,
      destinationConfig:
        onFailure || onSuccess
          ? { ...(onFailure ? { onFailure: { destination: onFailure } } : {}), ...(onSuccess ? { onSuccess: { destination: onSuccess } } : {}) }
          : undefined,
      region: spec.region,
    },
    { parent },
  );
}
