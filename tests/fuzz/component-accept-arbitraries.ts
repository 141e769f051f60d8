/**
 * fast-check generators of component arguments AWS documents as VALID, for the must-accept properties
 * (./component-accept.test.ts, ./component-accept-web.test.ts). Unlike ./component-args-arbitraries.ts, no value here
 * may be refused: each bound is AWS's (a comment cites the page and its words) or the component's documented contract
 * (its args JSDoc, an error it documents, docs/components/*). Where a component refuses on purpose something AWS would
 * take (a product decision, e.g. secure by default), the generator leaves it out and says where that is decided.
 */
import fc from "fast-check";
import type { DataTierArgs, TableArgs } from "../../components/data-tier";
import type { EdgeLogicArgs } from "../../components/edge-logic";
import type { LambdaFunctionArgs } from "../../components/lambda/function";
import { ApiKind, type ApiRoute, type ApiStage, type ServerlessApiArgs } from "../../components/serverless-api";
import { routeSlug } from "../../components/serverless-api/routes";
import type { StaticSiteArgs } from "../../components/static-site";
import type { UserAuthArgs } from "../../components/user-auth";
import { ACM_COMMON_NAME_MAX_LENGTH } from "../../components/certificate-validation";
import { STACK_REGION } from "./component-args-arbitraries";

/** A handler file that exists; bundles of one entry are cached, so runs stay cheap. */
export const ACCEPT_ENTRY = "tests/fixtures/handlers/echo.ts";
/** The folder tests/components/static-site.test.ts publishes: index.html, error.html, docs/index.html, assets/. */
export const ACCEPT_SITE_FOLDER = "tests/fixtures/site";

/** `arbitrary` or, one run in `oneIn`, unset (unset first, so shrinking drops the argument). */
export const optional = <T>(arbitrary: fc.Arbitrary<T>, oneIn = 2): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
/** An object without its undefined properties (so `"x" in args` means the user set x). */
export const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
/** A string of `characters` of length `min`–`max`, its lengths at the bounds now and then (where limits bite). */
export function within(characters: string, min: number, max: number): fc.Arbitrary<string> {
  const character = fc.constantFrom(...characters);
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: character, minLength: min, maxLength: Math.min(max, min + 12) }) },
    { weight: 1, arbitrary: fc.string({ unit: character, minLength: max, maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ unit: character, minLength: min, maxLength: max }) },
  );
}
export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const UPPER = LOWER.toUpperCase();
export const DIGITS = "0123456789";

/** The stack's region in the mocks (local/offline/mocks.ts) and the deploy rules' context. */
export { STACK_REGION };
/** Commercial regions, by their codes (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html). */
export const REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1", "sa-east-1", "ca-central-1"] as const;
export const region = fc.constantFrom(...REGIONS);

/**
 * PutRetentionPolicy retentionInDays: "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
 * 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653." (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html)
 */
export const retentionDays = fc.constantFrom(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653);

// ------------------------------------------------------------------------------------------------------- LambdaFunction

/**
 * A LambdaFunction name: CreateFunction FunctionName "Pattern: ... ([a-zA-Z0-9-_]+)", at most 64 characters
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html); the function is autonamed
 * `<name>-function-<7 random>` (components/autoname.ts), so the name takes 64 − 17 = 47 (LambdaFunction's args contract).
 */
export const lambdaName = within(LOWER + UPPER + DIGITS + "-_", 1, 47);

/**
 * Environment variables: Lambda's Environment.Variables keys "Pattern: [a-zA-Z]([a-zA-Z0-9_])+"
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html), none of the reserved ones
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime, "Lambda
 * reserves ..."), and 4 KB in all: short values here.
 */
const envKey = fc
  .tuple(fc.constantFrom(...LOWER + UPPER), fc.string({ unit: fc.constantFrom(...LOWER + UPPER + DIGITS + "_"), minLength: 1, maxLength: 20 }))
  .map(([first, rest]) => first + rest)
  .filter((key) => !/^(AWS_|LAMBDA_|_)/.test(key));
const envValue = fc.oneof(fc.constantFrom("gallery", "", "ünïcode ✓", "a=b;c", "https://example.com/x?y=1"), fc.string({ maxLength: 200 }));

export const lambdaFunctionArgs: fc.Arbitrary<LambdaFunctionArgs> = fc
  .record({
    // CreateFunction Description: "Length Constraints: Minimum length of 0. Maximum length of 256." (no pattern)
    description: optional(fc.oneof(fc.string({ maxLength: 256 }), fc.string({ unit: "grapheme", maxLength: 256 }).filter((d) => d.length <= 256), fc.constant("d".repeat(256)))),
    // CreateFunction MemorySize: "Valid Range: Minimum value of 128. Maximum value of 10240."
    memorySize: optional(fc.integer({ min: 128, max: 10240 })),
    // CreateFunction Timeout: "Valid Range: Minimum value of 1." and 900 seconds (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "Function timeout: 900 seconds (15 minutes)").
    timeout: optional(fc.integer({ min: 1, max: 900 })),
    // EphemeralStorage Size: "Valid Range: Minimum value of 512. Maximum value of 10240." (API_EphemeralStorage)
    ephemeralStorageSize: optional(fc.integer({ min: 512, max: 10240 })),
    environment: optional(fc.dictionary(envKey, envValue, { maxKeys: 5 })),
    logRetentionDays: optional(retentionDays),
    // CreateFunction Architectures: "Valid Values: x86_64 | arm64"
    architecture: optional(fc.constantFrom("arm64" as const, "x86_64" as const)),
    region: optional(region),
    publish: optional(fc.boolean()),
    // Concurrency ReservedConcurrentExecutions: "Valid Range: Minimum value of 0." (API_PutFunctionConcurrency)
    reservedConcurrency: optional(fc.integer({ min: 0, max: 1000 }), 3),
    tracing: optional(fc.boolean()),
    asyncInvoke: optional(
      fc
        .record({
          // PutFunctionEventInvokeConfig MaximumRetryAttempts: "Valid Range: Minimum value of 0. Maximum value of 2."; MaximumEventAgeInSeconds: "Minimum value of 60. Maximum value of 21600."
          maxRetryAttempts: optional(fc.integer({ min: 0, max: 2 })),
          maxEventAgeSeconds: optional(fc.integer({ min: 60, max: 21600 })),
          // SQS MessageRetentionPeriod: "from 60 seconds (1 minute) to 1,209,600 seconds (14 days)" (API_SetQueueAttributes); whole days by the args contract.
          failureQueue: optional(fc.record({ retentionDays: optional(fc.integer({ min: 1, max: 14 })) }).map(defined)),
        })
        .map(defined),
      3,
    ),
    retainOnDelete: optional(fc.boolean()),
    layerCount: fc.integer({ min: 0, max: 5 }),
    // OnSuccess: "an Amazon SNS topic, Amazon SQS queue, Lambda function, or Amazon EventBridge event bus" (AWS::Lambda::EventInvokeConfig OnSuccess).
    onSuccess: optional(fc.constantFrom("sqs" as const, "sns" as const, "lambda" as const, "eventbridge" as const), 3),
  })
  .map(({ layerCount, onSuccess, ...args }) => {
    // Layers: "You can add up to five layers" and a layer is used from the function's own region
    // (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html).
    const layers = Array.from({ length: layerCount }, (_, i) => `arn:aws:lambda:${args.region ?? STACK_REGION}:123456789012:layer:shared-${i}:${i + 1}`);
    const home = args.region ?? STACK_REGION;
    const destinationArn = { sqs: `arn:aws:sqs:${home}:123456789012:done`, sns: `arn:aws:sns:${home}:123456789012:done`, lambda: `arn:aws:lambda:${home}:123456789012:function:done`, eventbridge: `arn:aws:events:${home}:123456789012:event-bus/done` };
    const asyncInvoke = onSuccess ? { ...args.asyncInvoke, onSuccess: { type: onSuccess, arn: destinationArn[onSuccess] } } : args.asyncInvoke;
    return defined({ entry: ACCEPT_ENTRY, ...args, asyncInvoke, layers: layers.length ? layers : undefined }) as LambdaFunctionArgs;
  });

// ------------------------------------------------------------------------------------------------------------ DataTier

/**
 * A DataTier name. Without export: its tables are autonamed `<name>-<key>-<7 random>` and CreateTable's TableName is
 * "3–255 ... Pattern: [a-zA-Z0-9_.-]+" (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html).
 * With export: its buckets `<name>-export-logs-<7 random>` take S3's lowercase letters, digits, "." and "-", 3–63,
 * starting with a letter or digit, not "xn--" or "sthree-" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html;
 * pulumi-aws lower-cases the autoname, components/autoname.ts), and its function `<name>-export` is a LambdaFunction
 * (letters, digits, "-", "_") whose schedule's role `<name>-export-schedule-role-<7 random>` takes IAM's 64 characters
 * (API_CreateRole), so: `[a-zA-Z0-9-]`, at most 64 − 29 = 35.
 */
export const dataTierName = fc.record({ export: fc.boolean(), plain: within(LOWER + UPPER + DIGITS + "_.-", 1, 40), exported: fc.tuple(fc.constantFrom(...LOWER + UPPER + DIGITS), within(LOWER + UPPER + DIGITS + "-", 0, 34)) });

/** DynamoDB AttributeName: "Length Constraints: Minimum length of 1. Maximum length of 255." (API_AttributeDefinition), any UTF-8. */
const attributeName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("pk", "sk", "id", "owner", "createdAt", "gsi1pk", "gsi1sk", "type", "status") },
  { weight: 3, arbitrary: within(LOWER + UPPER + DIGITS + "_.-#", 1, 255) },
  { weight: 1, arbitrary: fc.constantFrom("a b", "é", "日付", "#hash", "x".repeat(255)) },
);
/** GlobalSecondaryIndex IndexName: "Minimum length of 3. Maximum length of 255. Pattern: [a-zA-Z0-9_.-]+" (API_GlobalSecondaryIndex). */
const indexName = within(LOWER + UPPER + DIGITS + "_.-", 3, 255);
/** ScalingPolicy TargetValue: Application Auto Scaling takes 20–90 for DynamoDB utilization (CapacityArgs JSDoc: "20–90"). */
const capacity = fc
  .record({ min: fc.integer({ min: 1, max: 100 }), extra: fc.integer({ min: 0, max: 1000 }), targetUtilization: optional(fc.integer({ min: 20, max: 90 })) })
  .map(({ min, extra, targetUtilization }) => defined({ min, max: min + extra, targetUtilization }));
const kmsKey = (keyRegion: string) => `arn:aws:kms:${keyRegion}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** A table: keys from distinct attribute names, every declared attribute a key (DynamoDB refuses unused definitions). */
const table = (home: string) =>
  fc
    .record({
      names: fc.uniqueArray(attributeName, { minLength: 6, maxLength: 6 }),
      types: fc.array(fc.constantFrom("S" as const, "N" as const, "B" as const), { minLength: 6, maxLength: 6 }),
      sorted: fc.boolean(),
      globals: fc.uniqueArray(fc.record({ name: indexName, sorted: fc.boolean(), projection: fc.constantFrom<"ALL" | "KEYS_ONLY" | "INCLUDE" | undefined>(undefined, "ALL", "KEYS_ONLY", "INCLUDE") }), { maxLength: 2, selector: (g) => g.name }),
      local: fc.option(fc.record({ name: indexName, projection: fc.constantFrom<"ALL" | "KEYS_ONLY" | undefined>(undefined, "ALL", "KEYS_ONLY") }), { nil: undefined }),
      provisioned: fc.option(fc.record({ read: capacity, write: capacity }), { nil: undefined, freq: 4 }),
      stream: optional(fc.constantFrom("NEW_IMAGE" as const, "OLD_IMAGE" as const, "NEW_AND_OLD_IMAGES" as const, "KEYS_ONLY" as const), 3),
      ttl: optional(fc.record({ attribute: fc.constantFrom("expiresAt", "ttl", "expires_at"), enabled: optional(fc.boolean()) }), 3),
      pointInTimeRecovery: optional(fc.boolean()),
      tableName: optional(within(LOWER + UPPER + DIGITS + "_.-", 3, 200), 4),
      tableClass: optional(fc.constantFrom("STANDARD" as const, "STANDARD_INFREQUENT_ACCESS" as const)),
      replicas: fc.option(fc.uniqueArray(region, { maxLength: 2 }), { nil: undefined, freq: 4 }),
      kms: fc.boolean(),
    })
    .map((t) => {
      const [pk, sk, g0pk, g0sk, g1pk, lsk] = t.names;
      const used = new Map<string, "S" | "N" | "B">();
      const key = (name: string, index: number) => (used.set(name, t.types[index]), name);
      const args: TableArgs = { attributes: {}, partitionKey: key(pk, 0) };
      if (t.sorted || t.local) args.sortKey = key(sk, 1);
      const projection = (p: string | undefined) => (p === "INCLUDE" ? ["title", "size"] : (p as "ALL" | "KEYS_ONLY" | undefined));
      // A provisioned table's global index names its autoscaling policies, "<name>-<key>-<index>-write-policy-<7>",
      // which pulumi-aws keeps within 255: DataTier's documented refusal of a longer one. With names of at most 40 and
      // keys of at most 13 here, an index of at most 179 characters fits (a longer one is cut, its place appended).
      const provisioned = t.provisioned !== undefined && !(t.replicas ?? []).some((r) => r !== home);
      const globalName = (name: string, i: number) => (provisioned && name.length > 179 ? `${name.slice(0, 178)}${i}` : name);
      if (t.globals.length) {
        args.globalIndexes = Object.fromEntries(
          t.globals.map((g, i) => [globalName(g.name, i), defined({ partitionKey: key(i === 0 ? g0pk : g1pk, i === 0 ? 2 : 4), sortKey: g.sorted && i === 0 ? key(g0sk, 3) : undefined, projection: projection(g.projection) })]),
        );
      }
      // A local index: the table's partition key with another sort key; global and local names unique within the table.
      if (t.local && !t.globals.some((g, i) => globalName(g.name, i) === t.local!.name)) args.localIndexes = { [t.local.name]: defined({ sortKey: key(lsk, 5), projection: projection(t.local.projection) }) };
      args.attributes = Object.fromEntries(used);
      // Global tables: replicas in other regions, on-demand (the component's documented refusal of provisioned replicas:
      // spec.ts validateReplicas, DynamoDB's "Table write capacity should either be Pay-Per-Request or AutoScaled"), streams NEW_AND_OLD_IMAGES
      // ("the stream must be enabled with NEW_AND_OLD_IMAGES", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_reqs_bestpractices.html).
      const replicas = (t.replicas ?? []).filter((r) => r !== home);
      if (replicas.length) args.replicaRegions = replicas;
      if (t.provisioned && !replicas.length) Object.assign(args, { billing: "provisioned", capacity: t.provisioned });
      if (t.stream) args.stream = replicas.length ? "NEW_AND_OLD_IMAGES" : t.stream;
      if (t.ttl && !used.has(t.ttl.attribute)) Object.assign(args, defined({ ttlAttribute: t.ttl.attribute, ttlEnabled: t.ttl.enabled }));
      if (t.pointInTimeRecovery !== undefined) args.pointInTimeRecovery = t.pointInTimeRecovery;
      if (t.tableName) args.tableName = t.tableName;
      if (t.tableClass) args.tableClass = t.tableClass;
      // A customer managed key is regional: "The key must be created in the same region as the replica" (CloudFormation ReplicaSSESpecification).
      if (t.kms) Object.assign(args, { kmsKeyArn: kmsKey(home), ...(replicas.length ? { replicaKmsKeyArns: Object.fromEntries(replicas.map((r) => [r, kmsKey(r)])) } : {}) });
      return args;
    });

/**
 * Table keys are camelCase identifiers: DataTier's documented contract ("Use a camelCase identifier such as "gallery";
 * it names child resources", components/data-tier/spec.ts), not an AWS rule.
 */
const tableKey = fc.tuple(fc.constantFrom(...LOWER), fc.string({ unit: fc.constantFrom(...LOWER + UPPER + DIGITS), maxLength: 12 })).map(([a, b]) => a + b);

export const dataTierArgs = (home: string): fc.Arbitrary<{ args: DataTierArgs; export: boolean }> =>
  fc
    .record({
      tables: fc.dictionary(tableKey, table(home), { minKeys: 1, maxKeys: 3 }),
      export: fc.option(
        fc.record({
          // EventBridge schedule expressions: "rate(value unit)" and "cron(fields)" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
          schedule: fc.constantFrom("rate(1 day)", "rate(12 hours)", "rate(7 days)", "cron(0 3 * * ? *)", "cron(15 2 ? * MON *)"),
          retentionDays: optional(fc.integer({ min: 1, max: 3650 })),
          format: optional(fc.constantFrom("DYNAMODB_JSON" as const, "ION" as const)),
          // S3 bucket names without ".": StaticSite's and DataTier's documented refusal of dotted names ("HTTPS to S3 fails on
          // dotted bucket names", components/static-site/spec.ts validateBucketName), not S3's rule.
          bucketName: optional(fc.tuple(fc.constantFrom(...LOWER + DIGITS), within(LOWER + DIGITS + "-", 1, 61), fc.constantFrom(...LOWER + DIGITS)).map((p) => p.join("")).filter((b) => !/^(xn--|sthree-|amzn-s3-demo-)|-s3alias$|--ol-s3$|--x-s3$|--table-s3$/.test(b)), 3),
          logRetentionDays: optional(retentionDays),
        }).map(defined),
        { nil: undefined, freq: 3 },
      ),
      idempotency: fc.option(fc.record({ tableName: optional(within(LOWER + UPPER + DIGITS + "_.-", 3, 100), 3), pointInTimeRecovery: optional(fc.boolean()) }).map(defined), { nil: undefined, freq: 3 }),
      deletionProtection: optional(fc.boolean()),
      retainOnDelete: optional(fc.boolean()),
    })
    .map((a) => {
      const tables = Object.fromEntries(Object.entries(a.tables).filter(([key]) => !(a.idempotency && key === "idempotency")));
      // Physical table names are unique in a region (CreateTable: ResourceInUseException); and a fixed name on a kept
      // table is DataTier's documented refusal (validateKeptTableName: the next `pulumi up` could not create it again),
      // as is a fixed export bucket name on a kept DataTier (validateKeptBucketName).
      for (const [key, t] of Object.entries(tables)) {
        if (a.retainOnDelete) delete t.tableName;
        else if (t.tableName) t.tableName = `${t.tableName.slice(0, 200)}-${key}`.slice(0, 255);
        // ExportTableToPointInTime needs point-in-time recovery on (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.HowItWorks.html).
        if (a.export) delete t.pointInTimeRecovery;
      }
      if (a.idempotency && a.retainOnDelete) delete a.idempotency.tableName;
      if (a.export && a.retainOnDelete) delete a.export.bucketName;
      // Deletion protection without retainOnDelete (or protect) is DataTier's documented refusal: a destroy would delete
      // the subscriptions, export and autoscaling and then fail on the protected tables.
      const deletionProtection = a.deletionProtection === true && !a.retainOnDelete ? undefined : a.deletionProtection;
      const args = defined({ tables: Object.keys(tables).length ? tables : { gallery: { attributes: { pk: "S" as const }, partitionKey: "pk" } }, export: a.export, idempotency: a.idempotency, deletionProtection, retainOnDelete: a.retainOnDelete, region: home === STACK_REGION ? undefined : home }) as DataTierArgs;
      return { args, export: a.export !== undefined };
    });

// ------------------------------------------------------------------------------------------------------------ UserAuth

/**
 * A UserAuth name: its app client `<name>-client-<7 random>` takes Cognito's ClientName `[\w\s+=,.@-]+` (1–128,
 * API_CreateUserPoolClient) and its identity pool's role `<name>-authenticated-<7 random>` IAM's `[\w+=,.@-]+`, 1–64
 * (API_CreateRole): ASCII letters, digits and `_+=,.@-`, at most 64 − 22 = 42.
 */
export const userAuthName = within(LOWER + UPPER + DIGITS + "_+=,.@-", 1, 42);

/** CreateGroup GroupName: "Minimum length of 1. Maximum length of 128. Pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+" (API_CreateGroup). */
const groupName = fc.oneof(
  fc.constantFrom("admin", "editors", "Admins", "read-only", "team@example.com", "ünï", "g".repeat(128), "日本語", "a/b:c"),
  within(LOWER + UPPER + DIGITS + "_-.@!", 1, 128),
);

/**
 * Redirect URLs: CreateUserPoolClient CallbackURLs "A redirect URI must: Be an absolute URI ... Not include a fragment
 * component ... Amazon Cognito requires HTTPS over HTTP except for http://localhost for testing purposes only. App
 * callback URLs such as myapp://example are also supported." (API_CreateUserPoolClient)
 */
const redirectUrl = fc.constantFrom(
  "https://gallery.example.com/",
  "https://gallery.example.com",
  "https://app.example.com/callback",
  "https://a.example.com/cb?x=1",
  "https://GALLERY.example.com/",
  "http://localhost:3000/",
  "http://localhost/signed-in",
  "myapp://signed-in",
  "com.example.gallery://callback",
);

/**
 * A lowercase host name of LDH labels (RFC 1123; the form Route 53, ACM and Cognito take). Upper case is left out:
 * UserAuth and StaticSite take host names lowercase by contract ("is not a lowercase DNS host name",
 * components/user-auth/domain.ts, components/static-site/spec.ts), as DNS compares them case-insensitively.
 */
export const hostName = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...LOWER + DIGITS), within(LOWER + DIGITS + "-", 0, 20), fc.constantFrom(...LOWER + DIGITS)).map(([a, b, c]) => (b ? a + b + c : a)), { minLength: 1, maxLength: 3 }),
    fc.constantFrom("example.com", "example.org", "example.co.uk", "gallery.example.net"),
  )
  .map(([labels, zone]) => `${labels.join(".")}.${zone}`);

/** A host name ACM takes as a certificate's Common Name, at most 64 characters: for a domain whose certificate a component may request. */
export const certificateHostName = hostName.filter((name) => name.length <= ACM_COMMON_NAME_MAX_LENGTH);

export const userAuthArgs: fc.Arbitrary<UserAuthArgs> = fc
  .record({
    // CreateUserPool UsernameAttributes: "Valid Values: phone_number | email"
    usernameAttributes: optional(fc.subarray(["email", "phone_number"] as ("email" | "phone_number")[])),
    selfSignUp: optional(fc.boolean()),
    passwordPolicy: optional(
      fc
        .record({
          // PasswordPolicyType MinimumLength 6–99; UserAuth refuses below 8 and any of requireUppercase/Numbers/Symbols
          // false on purpose: cdk-nag COG1, secure by default (components/user-auth/spec.ts validatePasswordPolicy,
          // docs/components/user-auth.md), so they are drawn from 8 and left at true.
          minimumLength: optional(fc.integer({ min: 8, max: 99 })),
          requireLowercase: optional(fc.boolean()),
          requireUppercase: optional(fc.constant(true)),
          // TemporaryPasswordValidityDays: 1–365 by UserAuth's contract (its JSDoc; Cognito documents 0–365, 0 unconfirmed as usable).
          temporaryPasswordValidityDays: optional(fc.integer({ min: 1, max: 365 })),
        })
        .map(defined),
    ),
    mfa: optional(fc.constantFrom("OFF" as const, "OPTIONAL" as const, "ON" as const)),
    // TOTP only: the component configures no SMS or email factor (UserAuthArgs.mfaFactors JSDoc, spec.ts validateMfa).
    threatProtection: optional(fc.constantFrom("OFF" as const, "AUDIT" as const, "ENFORCED" as const)),
    groups: optional(
      fc.uniqueArray(
        // CreateGroup Description "Maximum length of 2048"; Precedence "Valid Range: Minimum value of 0" (a 32-bit integer).
        fc.record({ name: groupName, description: optional(fc.constantFrom("Admins", "Ünïcode ✓", "d".repeat(2048))), precedence: optional(fc.integer({ min: 1, max: 2147483647 })) }).map(defined),
        { maxLength: 3, selector: (g) => g.name },
      ),
    ),
    callbackUrls: fc.uniqueArray(redirectUrl, { minLength: 1, maxLength: 3 }),
    logoutUrls: optional(fc.uniqueArray(redirectUrl, { maxLength: 2 })),
    tokenValidity: optional(
      fc
        .record({
          // CreateUserPoolClient: access and ID tokens "between 5 minutes and 1 day", refresh tokens "between 60 minutes and 10 years"; whole days here by UserAuth's contract.
          accessTokenMinutes: optional(fc.integer({ min: 5, max: 1440 })),
          idTokenMinutes: optional(fc.integer({ min: 5, max: 1440 })),
          refreshTokenDays: optional(fc.integer({ min: 1, max: 3650 })),
        })
        .map(defined),
    ),
    // RefreshTokenRotation RetryGracePeriodSeconds: "Valid Range: Minimum value of 0. Maximum value of 60." (API_RefreshTokenRotationType)
    refreshTokenRotation: optional(fc.record({ enabled: optional(fc.boolean()), retryGracePeriodSeconds: optional(fc.integer({ min: 0, max: 60 })) }).map(defined)),
    domain: optional(
      fc.oneof(
        // A prefix domain: "lowercase letters, numbers, and hyphens ... cannot ... begin or end with a hyphen", without
        // "aws", "amazon" or "cognito" (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html).
        fc.record({ prefix: fc.tuple(fc.constantFrom(...LOWER + DIGITS), within(LOWER + DIGITS + "-", 0, 61), fc.constantFrom(...LOWER + DIGITS)).map(([a, b, c]) => a + b + c).filter((p) => !/aws|amazon|cognito/.test(p)) }),
        // A custom domain with an ACM certificate in us-east-1: "the ACM certificate must be in US East (N. Virginia)" (cognito-user-pools-add-custom-domain.html).
        fc.record({ name: hostName, certificateArn: fc.constant("arn:aws:acm:us-east-1:123456789012:certificate/abc"), hostedZoneId: optional(fc.constant("Z0123456789EXAMPLE0000")) }).map(defined),
      ),
    ),
    identityPool: optional(fc.record({ enabled: optional(fc.boolean()) }).map(defined)),
    deletionProtection: optional(fc.boolean()),
    retainOnDelete: optional(fc.boolean()),
    region: optional(region),
  })
  // Refused on purpose (spec.ts validateArgs): a destroy would delete the pool's dependents before Cognito refuses the protected pool.
  .filter((args) => !(args.deletionProtection === true && !args.retainOnDelete))
  .map((args) => defined(args) as UserAuthArgs);

// ----------------------------------------------------------------------------------------------------- ServerlessApi

/**
 * A ServerlessApi name: its route functions are LambdaFunctions `<name>-<route slug>` (letters, digits, "-", "_", at
 * most 47 with the slug: Lambda's 64 less "-function" and the autoname suffix) and its access log group `<name>-access-logs-<7
 * random>` takes CloudWatch Logs' `[\.\-_/#A-Za-z0-9]+` (API_CreateLogGroup). Short, so a route's slug fits.
 */
export const apiName = within(LOWER + UPPER + DIGITS + "-_", 1, 12);

/**
 * REST and HTTP methods: PutMethod httpMethod "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, or ANY"
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html); HTTP API route keys take the same
 * ("{httpMethod} {path}", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
 */
const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY");
/** Plain literal path parts. */
const PLAIN_WORDS = ["albums", "photos", "health", "v1", "items", "me", "search", "users", "tags"] as const;
/**
 * Literal path parts that read alike once ServerlessApi names resources after them: a REST path's resources are named
 * by the path with "/" read as "-" (routes.ts `resourceSlug`), a route's function by its key's letters and digits
 * joined with "-" (args.ts `routeFunctionName`), its body model by the path's words (routes.ts `operationName`). So
 * `/a-b` sits beside `/a` and `/a/c`, `/a_b` and `/a.b` beside `/a/b`, `v-1` beside `v1`. Path parts of letters, digits
 * and `._~-` (ServerlessApi's documented path segment, "Use letters, digits, ._~- or a parameter"; RFC 3986's
 * unreserved characters). At most 6 characters, so a route's function name stays within 47 with a 12-character API name.
 */
const PREFIX_WORDS = ["a", "b", "c", "a-b", "b-c", "a_b", "a.b", "v1", "v-1", "v_1"] as const;
/**
 * Path parts: literal words, path variables `{id}` and a greedy `{proxy+}` last ("a greedy path variable ... {proxy+}",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html) under "files/" of
 * its own: a resource has at most one variable child (API Gateway refuses a sibling `{id}` next to `{proxy+}`: "A
 * sibling ({id}) of this resource already has a variable path part -- only one is allowed"), so every variable at one
 * place has one name.
 */
const literal = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PLAIN_WORDS) }, { weight: 2, arbitrary: fc.constantFrom(...PREFIX_WORDS) });
const path = fc
  .tuple(fc.uniqueArray(fc.oneof({ weight: 3, arbitrary: literal }, { weight: 1, arbitrary: fc.constant("{id}") }), { maxLength: 2 }), fc.boolean())
  .map(([parts, greedy]) => `/${[...parts, ...(greedy ? ["files", "{proxy+}"] : [])].join("/")}`);
/**
 * A route's twin: the same method on the path with its first "/" between two literal parts read as `separator`, or
 * its first "-", "_" or "." read as "/" (`/a/b` and `/a_b`, `/a.b` and `/a/b`, `/v-1` and `/v/1`): paths API Gateway
 * tells apart that ServerlessApi's names may not.
 */
function twinPath(p: string, separator: string): string | undefined {
  const joined = p.replace(/([A-Za-z0-9._~-])\/([A-Za-z0-9._~-])/, `$1${separator}$2`);
  if (joined !== p) return joined;
  const split = p.replace(/(\/[^/{}]*?[A-Za-z0-9])[-_.]([A-Za-z0-9])/, "$1/$2");
  return split !== p ? split : undefined;
}

/**
 * Stage names: "can only contain alphanumeric characters, hyphens, and underscores. Maximum length is 128 characters."
 * (API_Stage, API_CreateStage). ServerlessApi once refused "-" in them (the false refusal pinned in
 * ./component-accept-web.test.ts). At most 30 here: a REST stage names each route function's alias permission
 * `<function>-<stage>[-canary]-invoke`, which pulumi-aws autonames (a "-" and 7 random characters) within Lambda's
 * 100-character statement id, and ServerlessApi refuses a stage that overflows it on purpose; with a route function's
 * name of at most 47 (its own check), 47 + 1 + 30 + 14 + 8 = 100 always fits.
 */
const STAGE_CHARACTERS = LOWER + UPPER + DIGITS + "_-";
export const stageName = within(STAGE_CHARACTERS, 1, 30);
/**
 * Stage names that share prefixes once ServerlessApi joins them to other names with "-" (stages.ts
 * `stageResourceNames`: `<api>-execution-logs-<stage>[-canary]`, `<function>-<stage>[-canary]`): `v1` beside `v-1` and
 * `v_1`, `prod` beside `pre-prod`, `prod-eu`, `x-prod` and `prod-canary`, and names of path parts (PREFIX_WORDS).
 */
const TRICKY_STAGES = ["prod", "pre-prod", "prod-eu", "prod_eu", "x-prod", "prod-canary", "prod_canary", "canary", "next", "dev", "dev-canary", "v1", "v-1", "v_1", "a-b", "b", "b-c", "c"] as const;
const stageCandidate = fc.oneof({ weight: 2, arbitrary: stageName }, { weight: 3, arbitrary: fc.constantFrom(...TRICKY_STAGES) });

/**
 * Stage variables: "Variable names can have alphanumeric and underscore characters, and the values must match
 * [A-Za-z0-9-._~:/?#&=,]+" (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html), names of at
 * most 64 characters and values of at most 512, at most 100 a stage ("Stage variables per stage | 100", "Length, in
 * characters, of the key in a stage variable | 64", "... of the value in a stage variable | 512",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
 * `alias` is left out: ServerlessApi sets it for the stage (ApiStage.variables: "`alias` is set for you").
 */
const stageVariableName = fc
  .oneof({ weight: 2, arbitrary: fc.constantFrom("backend", "TABLE", "log_level", "v".repeat(64), "9lives") }, { weight: 1, arbitrary: within(LOWER + UPPER + DIGITS + "_", 1, 64) })
  // `toString` and `__proto__` too, which AWS takes but a map input cannot carry (components/errors.ts
  // unsendableMapKeyProblem; listed here, not imported, so the property checks that helper refuses no more).
  .filter((key) => !["alias", "toString", "__proto__"].includes(key));
const stageVariableValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom("gallery", "https://backend.example.com/x?y=1#z", "a,b=c&d", "-._~:/?#&=,", "v".repeat(512)) },
  { weight: 1, arbitrary: within(LOWER + UPPER + DIGITS + "-._~:/?#&=,", 1, 512) },
);
const stageVariables = fc.dictionary(stageVariableName, stageVariableValue, { maxKeys: 3 });

/**
 * A canary on a REST stage (HTTP APIs have none: "Canary deployments" is a REST-only row of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html, and ServerlessApi refuses them on
 * the HTTP kind). CanarySettings percentTraffic: "The percent (0-100) of traffic diverted to a canary deployment.
 * Type: Double"; stageVariableOverrides: "Stage variables overridden for a canary release deployment, including new
 * stage variables introduced in the canary" (https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html),
 * so the same names and values as stage variables, old or new. useStageCache ("A Boolean flag to indicate whether the
 * canary deployment uses the stage cache or not") is not an argument of ServerlessApi (stages.ts sets it false; its
 * stages run no cache), so it is not drawn.
 * `alias`, an override ServerlessApi reads as the canary's Lambda alias (ApiCanary.stageVariableOverrides), is drawn
 * apart: CreateAlias Name "(?!^[0-9]+$)([a-zA-Z0-9-_]+)", 1–128 (https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html).
 */
const canary = fc.record({
  percentTraffic: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(0, 0.1, 5, 10, 12.5, 99.99, 100)),
  stageVariableOverrides: optional(stageVariables),
  alias: optional(fc.constantFrom("next", "canary", "prod-canary", "v-1", "blue_green", "prod")),
});
type DrawnCanary = { percentTraffic: number; stageVariableOverrides?: Record<string, string>; alias?: string };

/** A path's slug as ServerlessApi names a REST path's resources (and HTTP routes) by it: "/" read as "-", braces and "+" dropped (routes.ts `resourceSlug`). */
const pathSlug = (p: string) => (p === "/" ? "-root" : p.replace(/[{}+]/g, "").replace(/\//g, "-"));
/** A route function's name after `<api>-` without a route `name`: the key lower-cased, braces and "+" dropped, other runs of non-alphanumerics one "-" (args.ts `routeFunctionName`). */
const functionSlug = (key: string) => key.toLowerCase().replace(/[{}+]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
/** A route's operation name, which names its body model `<Operation>Body` (routes.ts `operationName`, `modelIdentifier`): the method and the path's words. */
const operationOf = (m: string, p: string) => [m.toLowerCase(), ...p.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1))].join("");

/**
 * The routes drawn, but for those whose names would meet an earlier route's where ServerlessApi refuses that on
 * purpose (each re-derived above from the component's documented naming, not taken from its code), and with a route
 * `name` where two routes' functions would share one (the fix ServerlessApi's refusal names: "Give the route a
 * distinct name").
 * - REST: a path whose prefix has the slug of another prefix (`/a-b` beside `/a/b`): validate.ts `validatePathSlugs`
 *   refuses it ("Rename a path segment"), as the resources' names would meet.
 * - HTTP: a path of another path's slug with the same method (`GET /a-b` beside `GET /a/b`): the HTTP kind names routes
 *   and integrations by method and slug, so those meet, and validatePathSlugs refuses them. Other methods on paths of
 *   one slug (`GET /a-b` beside `POST /a/b`) meet nowhere and API Gateway takes them ("Routes consist of two parts: an
 *   HTTP method and a resource path", http-api-develop-routes.html): they are drawn.
 * - REST body routes (they get a request schema) whose operation names meet (`POST /a_b` beside `POST /a/b`): both
 *   models would be `<api>-model-PostABBody`, which validate.ts `validateModelNames` refuses ("Rename a path segment").
 */
function routesApart(kind: ApiKind, drawn: ReadonlyArray<{ method: string; path: string }>): Array<{ index: number; name?: string }> {
  const slugOwner = new Map<string, string>();
  const operations = new Set<string>();
  const functions = new Set<string>();
  const kept: Array<{ index: number; name?: string }> = [];
  drawn.forEach(({ method: m, path: p }, index) => {
    const segments = p === "/" ? [] : p.slice(1).split("/");
    const named = kind === ApiKind.Rest ? segments.map((_, i) => `/${segments.slice(0, i + 1).join("/")}`) : [p];
    // REST resources are named by the path alone, HTTP routes by the method and the path.
    const slugOf = (prefix: string) => (kind === ApiKind.Rest ? pathSlug(prefix) : `${m} ${pathSlug(prefix)}`);
    if (named.some((prefix) => (slugOwner.get(slugOf(prefix)) ?? prefix) !== prefix)) return;
    const body = kind === ApiKind.Rest && ["POST", "PUT", "PATCH", "ANY"].includes(m);
    if (body && operations.has(operationOf(m, p))) return;
    for (const prefix of named) slugOwner.set(slugOf(prefix), prefix);
    if (body) operations.add(operationOf(m, p));
    const slug = functionSlug(`${m} ${p}`);
    // A route `name` is not a method-led slug (those begin "get-", "post-", ...), so it meets none of them.
    if (functions.has(slug)) kept.push({ index, name: `route${index}` });
    else kept.push({ index });
    functions.add(slug);
  });
  return kept;
}

/**
 * The stages drawn, each REST stage's canary given a Lambda alias no other stage or canary has, and without stages whose
 * per-stage resources would meet an earlier stage's. A REST stage is a Lambda alias of every route function named like
 * it, and a canary another (`<stage>-canary`, or its `alias` override): a second alias of one name on one function
 * fails CreateAlias ("ResourceConflictException: The resource already exists", API_CreateAlias). ServerlessApi refuses
 * a canary alias that is a stage's name (validate.ts validateCanary, with the fix "Use a name no stage has") and one
 * that is another canary's (validateCanaryAliases, "Give each canary its own alias"), which is what is done here. The
 * per-stage resources' logical names join names with "-" (stages.ts `stageResourceNames`): `prod` with a canary and
 * `prod-canary` both make `<api>-execution-logs-prod-canary`, and ServerlessApi refuses that on purpose (deployed
 * stacks know their resources by those names), so such a later stage, or its canary, is left out. `functionSlugs`: the
 * route functions' names after `<api>-`; RegionalApis adds a `GET /health` route, counted too.
 */
function stagesApart(names: readonly string[], drawn: ReadonlyArray<{ variables?: Record<string, string>; canary?: DrawnCanary }>, functionSlugs: readonly string[]): Record<string, ApiStage> {
  const functions = [...new Set([...functionSlugs, functionSlug("GET /health")])];
  const logical = new Set<string>();
  const aliases = new Set(names);
  const stages: Record<string, ApiStage> = {};
  names.forEach((stage, i) => {
    const own = (suffix: string) => [`LogGroup execution-logs-${stage}${suffix}`, ...functions.map((fn) => `Alias ${fn}-${stage}${suffix}`)];
    if (own("").some((n) => logical.has(n))) {
      aliases.delete(stage);
      return;
    }
    own("").forEach((n) => logical.add(n));
    const settings: ApiStage = defined({ variables: drawn[i].variables && Object.keys(drawn[i].variables!).length ? drawn[i].variables : undefined });
    const c = drawn[i].canary;
    if (c && !own("-canary").some((n) => logical.has(n))) {
      const alias = [c.alias, `${stage}-canary`, `${stage}-next`, `${stage}_c${i}`].find((a) => a !== undefined && !aliases.has(a))!;
      aliases.add(alias);
      own("-canary").forEach((n) => logical.add(n));
      const overrides = { ...(c.stageVariableOverrides ?? {}), ...(alias === `${stage}-canary` && c.alias === undefined ? {} : { alias }) };
      settings.canary = defined({ percentTraffic: c.percentTraffic, stageVariableOverrides: Object.keys(overrides).length ? overrides : undefined });
    }
    stages[stage] = settings;
  });
  return stages;
}

const functionArgs = fc
  .record({
    memorySize: optional(fc.integer({ min: 128, max: 10240 })),
    // "Integration timeout: 50 milliseconds - 29 seconds" for REST and HTTP APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html); whole seconds for Lambda.
    timeout: optional(fc.integer({ min: 1, max: 29 })),
  })
  .map(defined);

/**
 * Private HTTP integrations (`integration.vpcLink`, docs/http-api.md "Private integrations"), drawn per route and made
 * into the kind's link in the map below (`privateIntegration`):
 * - Load balancer names: "This name must be unique per region per account, can have a maximum of 32 characters, must
 *   contain only alphanumeric characters or hyphens, must not begin or end with a hyphen, and must not begin with
 *   "internal-"." (ELBv2 CreateLoadBalancer Name, https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html).
 *   Unique per region and account, so one name is one load balancer: a name drawn twice keeps its first id and type.
 * - ARNs as AWS gives them, with the 16-hex-digit ids of its examples: "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener-rule/app/my-load-balancer/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-listenerrule.html),
 *   in the stack's region: a VPC link is created "under the caller's account in a selected region"
 *   (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateVpcLink.html) and reaches a load balancer there.
 * - REST: `{ targetArn }` of a Network Load Balancer ("targetArns: The ARN of the network load balancer of the VPC
 *   targeted by the VPC link", API_CreateVpcLink), or `{ id }` of a link that exists. HTTP: a listener of an ALB or
 *   an NLB ("provide the listener ARN of the load balancer",
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html) with the
 *   subnets and security groups of the VPC link v2 to create (SubnetIds required,
 *   https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/vpclinks.html), or with an existing link's id.
 *   Subnet and security group ids `subnet-`/`sg-` and 17 hex digits, as EC2 gives them.
 * - `uri`: http or https, the path's `{name}`s only those the route has (a greedy route's `{proxy+}` is read as
 *   `{proxy}`), no query string and no greedy `{x+}`: ServerlessApi's documented refusals (args.ts `vpcLink`,
 *   docs/http-api.md: "`uri` itself may not carry one", "nor a greedy `{x+}`").
 */
const ALNUM = LOWER + UPPER + DIGITS;
const hex = (length: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });
const loadBalancerName = fc
  .oneof(
    fc.constantFrom(...ALNUM),
    fc.tuple(fc.constantFrom(...ALNUM), within(ALNUM + "-", 0, 30), fc.constantFrom(...ALNUM)).map(([first, middle, last]) => `${first}${middle}${last}`),
    fc.constantFrom("gallery-nlb", "orders", "a-b", "internal", "n".repeat(32)),
  )
  .filter((name) => !name.startsWith("internal-"));
const privateRoute = fc.record({
  scheme: fc.constantFrom("http", "https"),
  host: fc.constantFrom("orders.internal.example.com", "backend.example.com:8443", "internal-orders-1234567890.us-east-1.elb.amazonaws.com"),
  uriPath: fc.constantFrom("none", "root", "literal", "parameters", "suffixed"),
  lbName: loadBalancerName,
  lbId: hex(16),
  listenerId: hex(16),
  lbType: fc.constantFrom("app", "net"),
  existingId: optional(fc.constantFrom("a1b2c3", "0abcde", "xyz789"), 3),
  subnetIds: fc.uniqueArray(hex(17).map((h) => `subnet-${h}`), { minLength: 1, maxLength: 3 }),
  securityGroupIds: fc.uniqueArray(hex(17).map((h) => `sg-${h}`), { minLength: 1, maxLength: 2 }),
});
type PrivateRoute = typeof privateRoute extends fc.Arbitrary<infer T> ? T : never;

/** The route's private integration, its load balancer the one of its name already drawn (`loadBalancers`). */
function privateIntegration(kind: ApiKind, routePath: string, drawn: PrivateRoute, loadBalancers: Map<string, { lbId: string; lbType: string }>): ApiRoute["integration"] {
  const lb = loadBalancers.get(drawn.lbName) ?? { lbId: drawn.lbId, lbType: kind === ApiKind.Rest ? "net" : drawn.lbType };
  loadBalancers.set(drawn.lbName, lb);
  const parameters = [...routePath.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1]);
  const uriPath = {
    none: "",
    root: "/",
    literal: "/orders",
    parameters: parameters.length ? `/backend/${parameters.map((p) => `{${p}}`).join("/")}` : "/backend",
    suffixed: parameters.length ? `/backend/{${parameters[0]}}.json` : "/backend.json",
  }[drawn.uriPath];
  const uri = `${drawn.scheme}://${drawn.host}${uriPath}`;
  const arn = `arn:aws:elasticloadbalancing:${STACK_REGION}:123456789012`;
  if (kind === ApiKind.Rest) {
    // REST links target Network Load Balancers only; a name drawn for an ALB on the HTTP kind is not reused across kinds (one API, one kind).
    const vpcLink = drawn.existingId ? { id: drawn.existingId } : { targetArn: `${arn}:loadbalancer/net/${drawn.lbName}/${lb.lbId}` };
    return { type: "http", uri, vpcLink };
  }
  const listenerArn = `${arn}:listener/${lb.lbType}/${drawn.lbName}/${lb.lbId}/${drawn.listenerId}`;
  const vpcLink = drawn.existingId ? { id: drawn.existingId, listenerArn } : { listenerArn, subnetIds: drawn.subnetIds, securityGroupIds: drawn.securityGroupIds };
  return { type: "http", uri, vpcLink };
}

/**
 * `routes` for an API deployed in `region`, or in several regions (undefined): a private route's load balancer moved to
 * `region`, or, across several regions, the route a Lambda one. A VPC link reaches a load balancer in its own region
 * ("you must have a network load balancer running in the region where you create the VpcLink",
 * https://docs.aws.amazon.com/apigateway/api-reference/link-relation/vpclink-create/), and one set of arguments names
 * one load balancer (or one existing link's id), so it is valid in one region only. For RegionalApis.
 */
export function routesInRegion(routes: Record<string, ApiRoute>, region: string | undefined): Record<string, ApiRoute> {
  return Object.fromEntries(
    Object.entries(routes).map(([key, route], index) => {
      const integration = route.integration;
      if (integration?.type !== "http" || !integration.vpcLink) return [key, route];
      // Named, as its function's name from the key may be another route's (routesApart named only Lambda routes);
      // "private-" leads no method-led slug, and stagesApart's checks hold for every function alike.
      if (region === undefined) return [key, defined({ handler: ACCEPT_ENTRY, name: `private-${index}`, auth: route.auth, requestSchema: route.requestSchema })];
      const link = Object.fromEntries(Object.entries(integration.vpcLink).map(([k, v]) => [k, typeof v === "string" ? v.replace(`:elasticloadbalancing:${STACK_REGION}:`, `:elasticloadbalancing:${region}:`) : v]));
      return [key, { ...route, integration: { ...integration, vpcLink: link as typeof integration.vpcLink } }];
    }),
  );
}

/**
 * An action-style AWS-service route (REST only; the HTTP kind refuses `aws` routes, docs/http-api.md): Kinesis PutRecord
 * or DynamoDB GetItem/PutItem with a request template, now and then a 200 response template, `permissions` granting the
 * action (ServerlessApi refuses a grant without it), the method left to its POST default or set to POST.
 */
const serviceActionRoute: fc.Arbitrary<NonNullable<ApiRoute["integration"]>> = fc
  .record({
    call: fc.constantFrom(
      { service: "kinesis", action: "PutRecord", resource: `arn:aws:kinesis:${STACK_REGION}:123456789012:stream/events`, template: '{"StreamName":"events","Data":"$util.base64Encode($input.json(\'$\'))","PartitionKey":"$context.requestId"}' },
      { service: "dynamodb", action: "GetItem", resource: `arn:aws:dynamodb:${STACK_REGION}:123456789012:table/items`, template: '{"TableName":"items","Key":{"id":{"S":"$context.requestId"}}}' },
      { service: "dynamodb", action: "PutItem", resource: `arn:aws:dynamodb:${STACK_REGION}:123456789012:table/items`, template: '{"TableName":"items","Item":{"id":{"S":"$context.requestId"},"body":{"S":"$util.escapeJavaScript($input.body)"}}}' },
    ),
    contentType: fc.constantFrom("application/json", "text/plain", "application/vnd.api+json"),
    responseTemplate: optional(fc.constant('{"ok":true,"requestId":"$context.requestId"}')),
    post: fc.boolean(),
  })
  .map(({ call, contentType, responseTemplate, post }) => ({
    type: "aws" as const,
    service: call.service,
    action: call.action,
    ...(post ? { method: "POST" } : {}),
    requestTemplates: { [contentType]: call.template },
    ...(responseTemplate ? { responseTemplates: { "application/json": responseTemplate } } : {}),
    permissions: [{ actions: [`${call.service}:${call.action}`], resources: [call.resource] }],
  }));

/**
 * Where an AWS-service route goes without a refusal ServerlessApi makes on purpose: its IAM role is named after the
 * method and path (routes.ts integrationRoleName), and IAM takes no "~" (validateIntegrationRolePath); an OPTIONS
 * route's responses (`options-<path>-<status>`) could meet a CORS preflight's (validatePathSlugs' response names).
 */
function serviceActionFits(routeMethod: string, routePath: string): boolean {
  // IAM's 64-character role name less Pulumi's 8-character suffix, with the longest apiName (12) and "-integration-role-".
  const roleNameRoom = 64 - 8 - 12 - "-integration-role-".length;
  return routeMethod !== "OPTIONS" && !routePath.includes("~") && routeSlug(routeMethod, routePath).length <= roleNameRoom;
}

export const serverlessApiArgs = (kind: ApiKind): fc.Arbitrary<ServerlessApiArgs> =>
  fc
    .record({
      routes: fc.uniqueArray(fc.record({ method, path, function: optional(functionArgs, 3), auth: optional(fc.constantFrom("none" as const, "iam" as const)), private: optional(privateRoute, 4), serviceAction: optional(serviceActionRoute, 4) }), {
        minLength: 1,
        maxLength: 3,
        // One route per method and path; API Gateway takes one variable name per place in the path (sibling `{id}` and `{key}` are refused).
        selector: (r) => `${r.method} ${r.path}`,
      }),
      // Now and then the first route's twin (twinPath), whose names are where the component's naming is tested hardest.
      twin: optional(fc.constantFrom("_", ".", "-"), 2),
      // The twin's method: another (drawn), or (unset) the first route's.
      twinMethod: optional(method),
      stages: optional(fc.uniqueArray(fc.record({ name: stageCandidate, variables: optional(stageVariables, 3), canary: optional(canary) }), { minLength: 1, maxLength: 3, selector: (s) => s.name }), 3),
      // The canary of the default stage (prod) or of the first canary stage through the top-level `canary` argument
      // ("the same as setting stages[stage].canary", ServerlessApiArgs.canary), as stack config gives it.
      topLevelCanary: fc.boolean(),
      defaultStageCanary: optional(canary, 3),
      // ThrottleSettings: rateLimit a double, burstLimit an integer (API_ThrottleSettings); positive here.
      throttle: optional(fc.record({ rateLimit: fc.integer({ min: 1, max: 10000 }), burstLimit: fc.integer({ min: 1, max: 5000 }) })),
      logRetentionDays: optional(retentionDays),
      functionDefaults: optional(fc.record({ memorySize: optional(fc.integer({ min: 128, max: 10240 })), timeout: optional(fc.integer({ min: 1, max: 29 })), logRetentionDays: optional(retentionDays) }).map(defined), 3),
      // One origin: ServerlessApi's documented refusal of several ("a response's Access-Control-Allow-Origin names exactly one", validate.ts).
      cors: optional(fc.record({ allowOrigins: fc.constantFrom<string[]>(["https://gallery.example.com"], ["http://localhost:5173"]), maxAgeSeconds: optional(fc.integer({ min: 0, max: 86_400 })) }).map(defined), 3),
      rest: fc.record({
        // REST only (the HTTP kind refuses these, docs/http-api.md): endpoint types REGIONAL and EDGE, tracing, execution logging.
        endpointType: optional(fc.constantFrom("REGIONAL" as const, "EDGE" as const)),
        tracing: optional(fc.boolean()),
        executionLogLevel: optional(fc.constantFrom("ERROR" as const, "INFO" as const)),
      }),
    })
    .map(({ routes: drawn0, twin, twinMethod, stages: drawnStages, topLevelCanary, defaultStageCanary, rest, ...a }) => {
      const twinned = twin === undefined ? undefined : twinPath(drawn0[0].path, twin);
      const twinRoute = twinned === undefined ? undefined : { ...drawn0[0], method: twinMethod ?? drawn0[0].method, path: twinned };
      const drawnRoutes = !twinRoute || drawn0.some((r) => r.method === twinRoute.method && r.path === twinRoute.path) ? drawn0 : [...drawn0, twinRoute];
      const routes = routesApart(kind, drawnRoutes).map(({ index, name }) => ({ ...drawnRoutes[index], name }));
      const loadBalancers = new Map<string, { lbId: string; lbType: string }>();
      const args: ServerlessApiArgs = {
        kind,
        routes: Object.fromEntries(
          routes.map(({ method: m, path: p, private: drawnPrivate, serviceAction: drawnAction, ...r }) => {
            // A private or service-action route has no function: its function arguments and name are left off.
            const action = kind === ApiKind.Rest && !drawnPrivate && drawnAction && serviceActionFits(m, p) ? drawnAction : undefined;
            const route: ApiRoute = drawnPrivate
              ? defined({ integration: privateIntegration(kind, p, drawnPrivate, loadBalancers), auth: r.auth })
              : action
                ? defined({ integration: action, auth: r.auth })
                : defined({ handler: ACCEPT_ENTRY, ...r });
            // A body method of a REST API validates its body (security rule APIG2), unless the user opts out by leaving the schema off.
            if (kind === ApiKind.Rest && ["POST", "PUT", "PATCH", "ANY"].includes(m)) route.requestSchema = { type: "object" };
            return [`${m} ${p}`, route];
          }),
        ),
        ...defined(a),
        ...(kind === ApiKind.Rest ? defined(rest) : {}),
      };
      // REST stages are Lambda aliases of every route function: CreateAlias Name "(?!^[0-9]+$)([a-zA-Z0-9-_]+)" (API_CreateAlias), so not all digits.
      const drawn = (drawnStages ?? []).filter((s) => !/^[0-9]+$/.test(s.name)).map((s) => (kind === ApiKind.Rest ? s : { ...s, canary: undefined }));
      if (drawn.length) {
        const functionSlugs = routes.map((r) => (r.name ? r.name : functionSlug(`${r.method} ${r.path}`)));
        args.stages = stagesApart(drawn.map((s) => s.name), drawn, functionSlugs);
        const first = Object.entries(args.stages).find(([, s]) => s.canary);
        if (topLevelCanary && first) {
          const [stage, { canary: moved, ...settings }] = first;
          args.stages[stage] = settings;
          args.canary = { stage, ...moved! };
        }
      } else if (kind === ApiKind.Rest && defaultStageCanary) {
        // No stages: the one stage is prod; its canary alias prod-canary meets no other.
        const c = defaultStageCanary;
        const overrides = { ...(c.stageVariableOverrides ?? {}), ...(c.alias !== undefined && c.alias !== "prod" ? { alias: c.alias } : {}) };
        const settings = defined({ percentTraffic: c.percentTraffic, stageVariableOverrides: Object.keys(overrides).length ? overrides : undefined });
        if (topLevelCanary) args.canary = { stage: "prod", ...settings };
        else args.stages = { prod: { canary: settings } };
      }
      return args;
    });

// ---------------------------------------------------------------------------------------------------------- StaticSite

/**
 * A StaticSite name: its buckets `<name>-bucket-<7 random>` and `<name>-logs-<7 random>` (lower-cased by pulumi-aws)
 * take S3's names (lowercase letters, digits, "-", starting with a letter or digit, not "xn--" or "sthree-";
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), its SPA function CloudFront's
 * `[a-zA-Z0-9-_]{1,64}` (API_FunctionSummary): letters, digits and "-", short.
 */
export const staticSiteName = fc
  .tuple(fc.constantFrom(...LOWER + UPPER + DIGITS), within(LOWER + UPPER + DIGITS + "-", 0, 20))
  .map(([a, b]) => a + b)
  .filter((n) => !/^(xn--|sthree-|amzn-s3-demo-)/i.test(n));

/**
 * CloudFront path patterns of extra behaviours: "/images/*.jpg", "*.gif" and the like
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern).
 * CloudFront takes them with or without a leading "/" ("CloudFront behavior is the same with or without the leading /",
 * API_CacheBehavior PathPattern); StaticSite once refused them without one (the false refusal pinned in
 * ./component-accept-web.test.ts).
 */
const routePattern = fc.constantFrom("/api/*", "/images/*", "/v1/*", "/api", "/auth/*.json", "/API/*", "/docs/*.pdf", "api/*", "v1/*", "docs/*.pdf");

export const staticSiteArgs: fc.Arbitrary<StaticSiteArgs> = fc
  .record({
    spa: optional(fc.boolean()),
    hosting: optional(fc.constantFrom("oac" as const, "s3-website" as const)),
    // PriceClass: "Valid Values: PriceClass_100 | PriceClass_200 | PriceClass_All" (API_DistributionConfig)
    priceClass: optional(fc.constantFrom("PriceClass_100" as const, "PriceClass_200" as const, "PriceClass_All" as const)),
    logs: optional(
      fc.record({
        // S3 server access log TargetPrefix: a key prefix; ending in "/" by StaticSite's contract (logs.prefix JSDoc).
        prefix: optional(fc.constantFrom("logs/", "site-logs/", "a/b/")),
        retentionDays: optional(fc.integer({ min: 1, max: 3650 })),
      }).map(defined),
    ),
    domain: optional(
      fc
        .record({
          name: hostName,
          // Aliases are the certificate's Subject Alternative Names, up to 253 characters.
          aliases: optional(fc.uniqueArray(hostName, { maxLength: 2 })),
          // "the certificate must be in the US East (N. Virginia) Region (us-east-1)" for CloudFront (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html).
          certificateArn: optional(fc.constant("arn:aws:acm:us-east-1:123456789012:certificate/abc")),
          hostedZoneId: fc.constant("Z0123456789EXAMPLE0000"),
        })
        // The name is the Common Name of a certificate StaticSite requests (at most 64 characters); with the caller's own
        // certificate it may be longer.
        .filter((d) => d.certificateArn !== undefined || d.name.length <= ACM_COMMON_NAME_MAX_LENGTH)
        .map((d) => defined({ ...d, aliases: d.aliases?.filter((alias) => alias !== d.name) })),
      3,
    ),
    securityHeaders: optional(
      fc.record({
        // ResponseHeadersPolicy StrictTransportSecurity AccessControlMaxAgeSec: an integer (seconds).
        hstsMaxAgeSeconds: optional(fc.constantFrom(1, 300, 31536000, 63072000, 2_147_483_647)),
        frameOptions: optional(fc.constantFrom("DENY" as const, "SAMEORIGIN" as const)),
        referrerPolicy: optional(fc.constantFrom("no-referrer" as const, "same-origin" as const, "strict-origin" as const, "strict-origin-when-cross-origin" as const)),
      }).map(defined),
      3,
    ),
    routes: optional(
      fc.uniqueArray(
        fc.record({
          pathPattern: routePattern,
          // Origin Id: unique within the distribution; StaticSite takes `[A-Za-z0-9_-]{1,64}` other than its own ids (spec.ts).
          originId: fc.constantFrom("api", "images", "auth_v2", "API-1", "o".repeat(64)),
          domainName: fc.constantFrom("abc123.execute-api.us-east-1.amazonaws.com", "api.example.com", "images.example.org"),
          // OriginPath: "beginning with a slash (/) ... Do not add a slash (/) at the end" (DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath).
          originPath: optional(fc.constantFrom("/prod", "", "/v1/api", "/stage_2")),
          cached: optional(fc.boolean()),
        }).map(defined),
        { maxLength: 2, selector: (r) => r.pathPattern.replace(/^\//, "") },
      ).map((routes) => routes.map((r, i) => ({ ...r, originId: `${r.originId.slice(0, 62)}-${i}` }))),
      3,
    ),
    region: optional(region, 3),
    replicaRegion: optional(region, 3),
    // WAF RateBasedStatement Limit: "Valid Range: Minimum value of 10. Maximum value of 2000000000." EvaluationWindowSec: "60 | 120 | 300 | 600" (API_RateBasedStatement).
    waf: optional(fc.record({ rateLimit: optional(fc.integer({ min: 10, max: 2_000_000_000 })), rateWindowSeconds: optional(fc.constantFrom(60, 120, 300, 600)), logRetentionDays: optional(retentionDays) }).map(defined), 3),
    retainOnDelete: optional(fc.boolean()),
  })
  .map((a) => {
    // A replica sits in another region behind OAC: StaticSite's documented contract (validateReplicaRegion: "a website
    // endpoint cannot sit in an origin group behind OAC"; S3 replication needs another region's bucket).
    if (a.replicaRegion !== undefined && (a.hosting === "s3-website" || a.replicaRegion === (a.region ?? STACK_REGION))) delete a.replicaRegion;
    return defined({ path: ACCEPT_SITE_FOLDER, indexDocument: "index.html", errorDocument: "error.html", ...a }) as StaticSiteArgs;
  });

// ----------------------------------------------------------------------------------------------------------- EdgeLogic

/** An EdgeLogic name: its Lambda@Edge functions are LambdaFunctions `<name>-<key>` (at most 47) and its CloudFront Functions `[a-zA-Z0-9-_]{1,64}` with the suffix. */
export const edgeLogicName = within(LOWER + UPPER + DIGITS + "-_", 1, 12);

/** Keys: 1–30 lowercase letters, digits and "-" by EdgeLogic's contract ("it names the function's resources", edge-logic/spec.ts KEY). */
const edgeKey = fc.tuple(fc.constantFrom(...LOWER + DIGITS), within(LOWER + DIGITS + "-", 0, 16)).map(([a, b]) => a + b);

/**
 * One function per event type on a behaviour ("you can associate ... one function per event type", CloudFront's
 * quotas on Lambda@Edge and CloudFront Functions), so each entry draws its own event type. Lambda@Edge: viewer events
 * 128 MB and 5 s, origin events 128–10,240 MB and 30 s (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html#lambda-at-edge-function-restrictions, "Quotas on Lambda@Edge").
 */
export const edgeLogicArgs: fc.Arbitrary<EdgeLogicArgs> = fc
  .record({
    slots: fc.shuffledSubarray(["viewer-request", "viewer-response", "origin-request", "origin-response"] as const, { minLength: 1 }),
    asFunction: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    keys: fc.uniqueArray(edgeKey, { minLength: 4, maxLength: 4 }),
    // A CloudFront Function comment: "The comment cannot be longer than 128 characters" (API_FunctionConfig).
    comments: fc.array(optional(fc.oneof(fc.constantFrom("Redirects and clean URLs", "c".repeat(128)), fc.string({ maxLength: 128 }))), { minLength: 4, maxLength: 4 }),
    memory: fc.array(optional(fc.integer({ min: 128, max: 10240 })), { minLength: 4, maxLength: 4 }),
    timeouts: fc.array(optional(fc.integer({ min: 1, max: 30 })), { minLength: 4, maxLength: 4 }),
    // Lambda@Edge writes logs in the region that served the request; the retention from CloudWatch's list.
    logs: optional(fc.record({ regions: optional(fc.uniqueArray(fc.constantFrom("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1", "ap-south-1"), { maxLength: 3 })), retentionDays: optional(retentionDays) }).map(defined), 3),
  })
  .map(({ slots, asFunction, keys, comments, memory, timeouts, logs }) => {
    const functions: NonNullable<EdgeLogicArgs["functions"]> = {};
    const lambdas: NonNullable<EdgeLogicArgs["lambdas"]> = {};
    slots.forEach((eventType, i) => {
      const viewer = eventType.startsWith("viewer-");
      // CloudFront Functions run on viewer events only ("viewer request and viewer response", CloudFront Functions' event
      // types), and one behaviour's viewer events run one kind: CloudFront Functions or Lambda@Edge, not both (EdgeLogic's
      // documented refusal, edge-logic/spec.ts validateSlots), so the first entry's kind is every viewer entry's.
      if (viewer && asFunction[0]) functions[keys[i]] = defined({ file: `handlers/edge/${eventType}.js`, eventType, comment: comments[i] }) as (typeof functions)[string];
      else lambdas[keys[i]] = defined({ entry: ACCEPT_ENTRY, eventType, memorySize: viewer ? (memory[i] === undefined ? undefined : 128) : memory[i], timeout: viewer && timeouts[i] !== undefined ? Math.min(timeouts[i]!, 5) : timeouts[i] }) as (typeof lambdas)[string];
    });
    return defined({ functions: Object.keys(functions).length ? functions : undefined, lambdas: Object.keys(lambdas).length ? lambdas : undefined, logs }) as EdgeLogicArgs;
  });
