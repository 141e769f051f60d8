/**
 * fast-check generators of arguments AWS documents as VALID for the must-accept properties of the smaller and the
 * operations components (./component-accept-ops.test.ts): RealtimeApi, UploadBucket, StackSecret, Monitoring, WebAcl
 * and BackupPlan. The rules of ./component-accept-arbitraries.ts hold: every bound is AWS's (a comment cites the page
 * and its words) or the component's documented contract, and what a component refuses on purpose is left out with a
 * comment saying where that is decided.
 */
import fc from "fast-check";
import type { BackupPlanArgs } from "../../components/backup-plan";
import { AlarmKind, ALARM_DEFAULTS, QUERY_ALARM_KINDS, type AlarmOverride, type AlarmOverrides, type MonitoringArgs } from "../../components/monitoring";
import type { RealtimeApiArgs, RealtimeRoute } from "../../components/realtime-api";
import type { StackSecretArgs } from "../../components/stack-secret";
import type { UploadBucketArgs } from "../../components/upload-bucket";
import { WebAclScope, type WebAclArgs } from "../../components/web-acl";
import { ACCEPT_ENTRY, defined, DIGITS, hostName, LOWER, optional, region, REGIONS, retentionDays, STACK_REGION, UPPER, within } from "./component-accept-arbitraries";

const certificateArn = (certRegion: string) => `arn:aws:acm:${certRegion}:123456789012:certificate/abc`;
/** Another region than `home`, drawn from `pick` (an index into REGIONS). */
const otherRegion = (home: string, pick: number) => REGIONS.filter((r) => r !== home)[pick % (REGIONS.length - 1)];

// ---------------------------------------------------------------------------------------------------------- RealtimeApi

/**
 * A RealtimeApi name: its route functions are LambdaFunctions `<name>-<route slug>`, autonamed
 * `<name>-<slug>-function-<7 random>` (letters, digits, "-", "_", at most Lambda's 64: spec.ts functionResources,
 * components/autoname.ts) and its access log group `<name>-access-logs-<7 random>`
 * takes CloudWatch Logs' `[\.\-_/#A-Za-z0-9]+` (API_CreateLogGroup). Short, so "-authorizer" and a route slug fit.
 */
export const realtimeApiName = within(LOWER + UPPER + DIGITS + "-_", 1, 12);

/**
 * Custom route keys: RealtimeApi's contract is 1–128 of letters, digits and `_ . : -` (spec.ts CUSTOM_ROUTE_KEY; the
 * key names the route's function) with keys that differ in more than case and punctuation ("Use route keys that differ
 * in more than case and punctuation"), and not "authorizer" beside an authorizer (its function's name). API Gateway
 * selects a custom route by the value messages carry ("the value of the action field",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html). Short here, so
 * `<name>-<slug>-function-<7 random>` stays within 64.
 */
const customRouteKey = fc.oneof(
  fc.constantFrom("ping", "chat.send", "send_message", "join:room", "Ping2", "a", "x-1", "sendMessage"),
  fc.tuple(fc.constantFrom(...LOWER + UPPER + DIGITS), within(LOWER + UPPER + DIGITS + "_.:-", 0, 20)).map(([a, b]) => a + b),
);
const slugOf = (key: string) => key.replace(/^\$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** A route function: CreateFunction MemorySize 128–10240; "Integration timeout: 50 milliseconds - 29 seconds" for WebSocket APIs too (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). */
const realtimeFunction = fc.record({ memorySize: optional(fc.integer({ min: 128, max: 10240 })), timeout: optional(fc.integer({ min: 1, max: 29 })) }).map(defined);
const realtimeRoute: fc.Arbitrary<RealtimeRoute> = fc
  .record({ function: optional(realtimeFunction, 3), postsToConnections: optional(fc.boolean()) })
  .map((r) => defined({ handler: ACCEPT_ENTRY, ...r }) as RealtimeRoute);

/**
 * Route selection: "$request.body.{path_to_body_element}" for WebSocket APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html#apigateway-websocket-api-route-selection-expressions),
 * a JSON path of member names.
 */
const routeSelection = fc.constantFrom("$request.body.action", "$request.body.message.type", "$request.body.op_2", "$request.body.Action", "$request.body._t");

/**
 * WebSocket REQUEST authorizer identity sources: "route.request.header.<name>" and "route.request.querystring.<name>"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html); the stage
 * and context variables API Gateway also takes are left out, as RealtimeApi does not offer them (spec.ts IDENTITY_SOURCE).
 */
const identitySource = fc.constantFrom("route.request.querystring.token", "route.request.header.Sec-WebSocket-Protocol", "route.request.header.Authorization", "route.request.querystring.access_token", "route.request.header.x-api.key");

export const realtimeApiArgs: fc.Arbitrary<RealtimeApiArgs> = fc
  .record({
    predefined: fc.subarray(["$disconnect", "$default"] as const),
    custom: fc.uniqueArray(customRouteKey, { maxLength: 3, selector: slugOf }),
    routes: fc.array(realtimeRoute, { minLength: 6, maxLength: 6 }),
    routeSelectionExpression: optional(routeSelection),
    authorizer: optional(fc.record({ function: optional(realtimeFunction, 3), identitySources: optional(fc.uniqueArray(identitySource, { minLength: 1, maxLength: 2 })) }).map(defined)),
    // API_Stage (v2) StageName: "can only contain alphanumeric characters, hyphens, and underscores. Maximum length is 128 characters."
    stage: optional(within(LOWER + UPPER + DIGITS + "_-", 1, 128)),
    // RouteSettings ThrottlingRateLimit a double, ThrottlingBurstLimit an integer (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html); positive by RealtimeApi's contract ("requests/second > 0", "whole number ≥ 1").
    throttle: optional(fc.record({ rateLimit: fc.oneof(fc.integer({ min: 1, max: 10000 }), fc.constantFrom(0.5, 2.5)), burstLimit: fc.integer({ min: 1, max: 5000 }) })),
    logRetentionDays: optional(retentionDays),
    // LoggingLevel: "ERROR", "INFO" or "OFF" (apis-apiid-stages.html, RouteSettings).
    executionLogLevel: optional(fc.constantFrom("ERROR", "INFO", "OFF")),
    // A regional custom domain: "the certificate must be in the same Region as your API"
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html);
    // IpAddressType "ipv4 | dualstack" (API_DomainNameConfiguration).
    domain: optional(fc.record({ name: hostName, ipAddressType: optional(fc.constantFrom("ipv4" as const, "dualstack" as const)) }).map(defined), 3),
    functionDefaults: optional(realtimeFunction, 3),
    region: optional(region, 3),
  })
  .map(({ predefined, custom, routes, authorizer, domain, ...a }) => {
    const keys = ["$connect", ...predefined, ...custom.filter((k) => !(authorizer && slugOf(k) === "authorizer"))];
    const apiRegion = a.region ?? STACK_REGION;
    const args: RealtimeApiArgs = {
      routes: Object.fromEntries(keys.map((key, i) => [key, routes[i]])),
      // The connections table is in the API's region (a DataTier table beside it).
      connectionsTable: { name: "connections", arn: `arn:aws:dynamodb:${apiRegion}:123456789012:table/connections` },
      ...defined(a),
      // Secure by default: without an authorizer the API says it is public (RealtimeApiArgs.anonymous; spec.ts refuses neither set, and both).
      ...(authorizer ? { authorizer: { handler: ACCEPT_ENTRY, ...authorizer } } : { anonymous: true }),
      ...(domain ? { domain: { ...domain, certificateArn: certificateArn(apiRegion) } } : {}),
    };
    // A selection expression picks among custom routes ("selects among custom routes, but there are none" is RealtimeApi's documented refusal without them or $default).
    if (args.routeSelectionExpression && !keys.some((k) => !k.startsWith("$") || k === "$default")) delete args.routeSelectionExpression;
    return args;
  });

// -------------------------------------------------------------------------------------------------------- UploadBucket

/**
 * An UploadBucket name: its buckets `<name>-bucket-<7 random>` and `<name>-logs-<7 random>` take S3's names
 * (lower-cased by pulumi-aws; https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), short.
 */
export const uploadBucketName = fc
  .tuple(fc.constantFrom(...LOWER + UPPER + DIGITS), within(LOWER + UPPER + DIGITS + "-", 0, 20))
  .map(([a, b]) => a + b)
  .filter((n) => !/^(xn--|sthree-|amzn-s3-demo-)/i.test(n));

/**
 * A bucket name: "between 3 (min) and 63 (max) characters long", "only of lowercase letters, numbers, periods (.), and
 * hyphens (-)", "must begin and end with a letter or number", not the reserved prefixes "xn--", "sthree-",
 * "amzn-s3-demo-" nor suffixes "-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). Periods are left out: UploadBucket
 * refuses them on purpose ("3–63 characters, lowercase, no periods", UploadBucketArgs.bucketName; validateBucketName:
 * virtual-hosted HTTPS fails on a dotted name, as the same page warns).
 */
const bucketName = fc
  .tuple(fc.constantFrom(...LOWER + DIGITS), within(LOWER + DIGITS + "-", 1, 61), fc.constantFrom(...LOWER + DIGITS))
  .map(([a, b, c]) => a + b + c)
  .filter((n) => !/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(n));

export interface UploadBucketDraw {
  args: UploadBucketArgs;
  /** `replicate(region, prefix)`: S3 replication to a bucket in another region ("Cross-Region Replication (CRR) ... across different AWS Regions", https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html). */
  replicate?: { region: string; prefix: string };
  /** `allowBrowserUploads("site", origins)`: CORSRule AllowedOrigins, origins such as "http://www.example.com" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html). */
  origins?: string[];
}

export const uploadBucketDraw: fc.Arbitrary<UploadBucketDraw> = fc
  .record({
    bucketName: optional(bucketName, 3),
    // NoncurrentVersionExpiration NoncurrentDays and Expiration Days: positive whole days ("must be a positive integer",
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html; API_NoncurrentVersionExpiration).
    noncurrentVersionDays: optional(fc.oneof(fc.integer({ min: 1, max: 3650 }), fc.constant(1))),
    logRetentionDays: optional(fc.oneof(fc.integer({ min: 1, max: 3650 }), fc.constant(1))),
    retainOnDelete: optional(fc.boolean()),
    region: optional(region, 3),
    replicate: optional(fc.record({ pick: fc.nat(), prefix: fc.constantFrom("", "originals/", "uploads/2026/", "ünï/") }), 3),
    origins: optional(fc.uniqueArray(fc.constantFrom("https://gallery.example.com", "http://localhost:5173", "https://admin.example.co.uk", "https://GALLERY.example.com"), { minLength: 1, maxLength: 3 }), 3),
  })
  .map(({ replicate, origins, ...a }) => {
    // A fixed name on a kept bucket is refused on purpose (the next `pulumi up` after a destroy could not create it:
    // validateKeptBucketName, docs/components/upload-bucket.md "A fixed bucketName is not kept on delete").
    if (a.bucketName !== undefined && a.retainOnDelete) delete a.retainOnDelete;
    const args = defined(a) as UploadBucketArgs;
    return defined({ args, replicate: replicate && { region: otherRegion(args.region ?? STACK_REGION, replicate.pick), prefix: replicate.prefix }, origins });
  });

// --------------------------------------------------------------------------------------------------------- StackSecret

/**
 * A StackSecret name: its secret is autonamed `<name>-secret-<7 random>`, and CreateSecret Name "can contain ASCII
 * letters, numbers, and the following characters: /_+=.@-" (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
 */
export const stackSecretName = within(LOWER + UPPER + DIGITS + "/_+=.@-", 1, 40);

export const stackSecretArgs: fc.Arbitrary<StackSecretArgs> = fc
  .record({
    // SecretString: "Maximum length of 65536" (API_CreateSecret).
    value: fc.oneof(fc.constantFrom("s3cr3t", '{"key":"ünï ✓"}', "v".repeat(65536)), fc.string({ minLength: 1, maxLength: 100 })),
    // Description: "Maximum length of 2048" (API_CreateSecret), no pattern.
    description: optional(fc.oneof(fc.constantFrom("Signing key", "", "ünïcode ✓", "d".repeat(2048)), fc.string({ maxLength: 200 }))),
    customerKey: optional(fc.boolean()),
    // DeleteSecret RecoveryWindowInDays: "from 7 to 30 days"; ForceDeleteWithoutRecovery deletes at once (0 by StackSecret's contract)
    // (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html).
    recoveryWindowDays: optional(fc.oneof(fc.constant(0), fc.integer({ min: 7, max: 30 }))),
    region: optional(region, 3),
    // Replica regions: other regions than the primary's, each once ("replicate a secret to other Regions",
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html).
    replicaPicks: optional(fc.uniqueArray(fc.nat({ max: REGIONS.length - 2 }), { minLength: 1, maxLength: 3 }), 3),
  })
  .map(({ replicaPicks, ...a }) => {
    const home = a.region ?? STACK_REGION;
    const others = REGIONS.filter((r) => r !== home);
    return defined({ ...a, replicaRegions: replicaPicks?.map((i) => others[i]) }) as StackSecretArgs;
  });

// ---------------------------------------------------------------------------------------------------------- Monitoring

/**
 * A Monitoring name: its alarm topic is autonamed `<name>-alarms[-<region>]-<7 random>`; CreateTopic Name "uppercase
 * and lowercase ASCII letters, numbers, underscores, and hyphens" (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html),
 * within the 80 pulumi-aws autonames a topic in (components/autoname.ts).
 */
export const monitoringName = within(LOWER + UPPER + DIGITS + "-_", 1, 40);

/**
 * PutMetricAlarm Period: "Valid values are 10, 20, 30, and any multiple of 60"; EvaluationPeriods and DatapointsToAlarm
 * "Minimum value of 1"; "Period multiplied by EvaluationPeriods can't be more than 604,800 seconds. For alarms with a
 * period of less than one hour (3,600 seconds), the total evaluation period can't be longer than one day (86,400
 * seconds)"; DatapointsToAlarm is the M of "M out of N" (at most EvaluationPeriods)
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html). Metrics Insights alarms
 * (the table and user pool kinds) query "the most recent three hours" (Create_Metrics_Insights_Alarm.html).
 */
export function alarmTimingIsValid(kind: AlarmKind, period: number, evaluations: number, datapoints: number): boolean {
  const periodOk = [10, 20, 30].includes(period) || (period > 0 && period % 60 === 0);
  const total = period * evaluations;
  const windowOk = total <= (period < 3600 ? 86_400 : 604_800) && (!QUERY_ALARM_KINDS.has(kind) || total <= 10_800);
  return periodOk && evaluations >= 1 && windowOk && datapoints >= 1 && datapoints <= evaluations;
}

/**
 * What an alarm of `kind` is created with from `defaults` and a target's `own` overrides: Monitoring's documented
 * merge ("Every alarm for `targets`: defaults, then `defaults` overrides, then each target's own", alarms.ts
 * alarmSpecs; datapointsToAlarm "@default evaluationPeriods", the kind's own M-of-N cut to fit).
 */
export function effectiveTiming(kind: AlarmKind, defaults: AlarmOverride | undefined, own: AlarmOverride | undefined): [number, number, number] {
  const base = ALARM_DEFAULTS[kind];
  const period = own?.periodSeconds ?? defaults?.periodSeconds ?? base.periodSeconds;
  const evaluations = own?.evaluationPeriods ?? defaults?.evaluationPeriods ?? base.evaluationPeriods;
  const datapoints = own?.datapointsToAlarm ?? defaults?.datapointsToAlarm ?? Math.min(base.datapointsToAlarm, evaluations);
  return [period, evaluations, datapoints];
}

/**
 * A target's `description`, added to each of its alarms' descriptions, or an override's, in place of it for that alarm
 * (or, in `defaults`, for the kind's alarms whose target has none): what an operator would write, or any text of up to
 * 600 characters. What an alarm's description says before it stays under 250 characters (a 63-character key, every
 * override at its widest, the longest metric and unit: a rule's InvocationsFailedToBeSentToDlq), so each fits
 * CloudWatch's 1024 (PutMetricAlarm AlarmDescription "Maximum length of 1024") and is accepted; "" adds nothing.
 */
const targetDescription = fc.oneof(
  fc.constantFrom("Runbook: https://example.com/runbook#dlq", "the album stays marked deleting: DELETE starts it over", "", `Page the on-call. ${"Then see the runbook. ".repeat(27)}`.slice(0, 600)),
  fc.string({ maxLength: 600 }),
);

const alarmOverride: fc.Arbitrary<AlarmOverride> = fc
  .record({
    // Threshold: a double (PutMetricAlarm); finite.
    threshold: optional(fc.oneof(fc.constantFrom(1, 0.05, 5, 3000, 300_000), fc.double({ noNaN: true, noDefaultInfinity: true, min: 1e-9, max: 1e9 }))),
    periodSeconds: optional(fc.constantFrom(10, 20, 30, 60, 120, 300, 900, 3600, 7200, 21600, 86400)),
    evaluationPeriods: optional(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(12, 144, 1440))),
    datapointsToAlarm: optional(fc.integer({ min: 1, max: 5 })),
    enabled: optional(fc.boolean(), 4),
    description: optional(targetDescription, 4),
  })
  .map(defined);
const alarmKind = fc.constantFrom(...Object.values(AlarmKind));
const alarmOverrides: fc.Arbitrary<AlarmOverrides> = fc.dictionary(alarmKind, alarmOverride, { maxKeys: 2 }) as fc.Arbitrary<AlarmOverrides>;
/** Target keys: Monitoring's contract, "lowercase letters, digits and hyphens" starting with a letter or digit, at most 63 (validate.ts KEY): they name the alarms. */
const targetKey = fc.tuple(fc.constantFrom(...LOWER + DIGITS), within(LOWER + DIGITS + "-", 0, 62)).map(([a, b]) => a + b);
const targetRegion = optional(fc.constantFrom("us-east-1", "us-west-2", "eu-west-1"), 2);
const targets = <T extends object>(target: fc.Arbitrary<T>) =>
  optional(
    fc.dictionary(targetKey, fc.tuple(target, optional(alarmOverrides, 3), optional(targetDescription, 3)).map(([t, alarms, description]) => defined({ ...t, alarms, description })), { minKeys: 1, maxKeys: 2 }),
    2,
  );

/**
 * Email endpoints: SNS Subscribe Endpoint "an email address" (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html),
 * each once ignoring case (Monitoring's contract: "an address listed twice (ignoring case) is refused").
 */
const alarmEmail = fc.constantFrom("ops@example.com", "oncall+alarms@example.co.uk", "Team.Lead@Example.com", "a@b.io");

export const monitoringArgs: fc.Arbitrary<MonitoringArgs> = fc
  .record({
    functions: targets(fc.record({ functionName: fc.constantFrom("gallery-counters-fn", "thumbnail-function-1a2b3c4"), region: targetRegion, streamConsumer: optional(fc.boolean()) }).map(defined)),
    apiStages: targets(fc.record({ apiName: fc.constantFrom("gallery-api", "Gallery API"), stage: fc.constantFrom("prod", "dev", "v1"), region: targetRegion }).map(defined)),
    tables: targets(fc.record({ tableName: fc.constantFrom("gallery-table", "Gallery.v2"), region: targetRegion }).map(defined)),
    queues: targets(fc.record({ queueName: fc.constantFrom("counters-dlq", "thumbnail-failures.fifo"), region: targetRegion }).map(defined)),
    distributions: targets(fc.record({ distributionId: fc.constantFrom("E123EXAMPLE", "E2QWRUHEXAMPLE") })),
    userPools: targets(fc.record({ userPoolId: fc.constantFrom("us-east-1_Pool1", "us-west-2_Pool2"), region: targetRegion }).map(defined)),
    // A state machine's own ARN (no version or alias), its region named or left to the ARN's.
    workflows: targets(
      fc
        .tuple(fc.constantFrom("us-east-1", "us-west-2", "eu-west-1"), fc.constantFrom("album-deletion", "Orders_v2-Flow"), fc.boolean())
        .map(([region, name, named]) => defined({ stateMachineArn: `arn:aws:states:${region}:123456789012:stateMachine:${name}`, region: named ? region : undefined })),
    ),
    // An EventBridge rule: PutRule Name "[\.\-_A-Za-z0-9]+", 1–64 (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html);
    // on a custom bus (CreateEventBus Name "[/\.\-_A-Za-z0-9]+", 1–256, API_CreateEventBus.html, and "The names of custom
    // event buses can't contain the / character", pulumi-aws EventBus: both quoted in testing/deploy-rules/eventbridge.ts)
    // by EventBusName and RuleName, on the default bus by RuleName alone (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
    // eventBusName "default" and a bus's ARN are refused on purpose: the alarm would watch a metric never published
    // (components/monitoring/validate.ts validateRule).
    rules: targets(
      fc
        .record({
          ruleName: fc.oneof(fc.constantFrom("gallery-events-photo-removed", "Orders.Placed_v2", "r", "x".repeat(64)), within(LOWER + UPPER + DIGITS + ".-_", 1, 64)),
          eventBusName: optional(fc.oneof(fc.constantFrom("gallery-events-bus-1a2b3c4", "orders_bus.v2", "b".repeat(256)), within(LOWER + UPPER + DIGITS + ".-_", 1, 256).filter((n) => n !== "default")), 2),
          region: targetRegion,
        })
        .map(defined),
    ),
    alarmEmails: optional(fc.uniqueArray(alarmEmail, { maxLength: 3, selector: (e) => e.toLowerCase() })),
    defaults: optional(alarmOverrides, 2),
    dashboard: optional(fc.boolean()),
    // PutDashboard DashboardName: "The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"" (API_PutDashboard).
    dashboardName: optional(within(LOWER + UPPER + DIGITS + "-_", 1, 255), 3),
    // KMS ScheduleKeyDeletion PendingWindowInDays: "between 7 and 30, inclusive" (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html).
    keyDeletionWindowDays: optional(fc.integer({ min: 7, max: 30 })),
  })
  .map(defined)
  .filter((args) => everyAlarmTimingIsValid(args));

/** Whether every alarm CloudWatch would be asked for (every kind the defaults or a target override touches) has a timing it takes. */
export function everyAlarmTimingIsValid(args: MonitoringArgs): boolean {
  const defaults = args.defaults ?? {};
  const checks: Array<[AlarmKind, AlarmOverride | undefined]> = [];
  for (const kind of Object.keys(defaults) as AlarmKind[]) checks.push([kind, undefined]);
  for (const group of [args.functions, args.apiStages, args.tables, args.queues, args.distributions, args.userPools, args.workflows, args.rules]) {
    for (const target of Object.values(group ?? {})) for (const [kind, own] of Object.entries(target.alarms ?? {})) checks.push([kind as AlarmKind, own as AlarmOverride | undefined]);
  }
  return checks.every(([kind, own]) => alarmTimingIsValid(kind, ...effectiveTiming(kind, defaults[kind], own)));
}

// -------------------------------------------------------------------------------------------------------------- WebAcl

/** A WebAcl name: its web ACL is named within WAF's `^[0-9A-Za-z_-]+$` (the component fits longer names), its log group `aws-waf-logs-<project>-<stack>-<name>` takes CloudWatch Logs' characters. */
export const webAclName = within(LOWER + UPPER + DIGITS + "-_", 1, 40);

export const webAclArgs: fc.Arbitrary<WebAclArgs> = fc
  .record({
    // Scope: "CLOUDFRONT | REGIONAL" (https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html).
    scope: optional(fc.constantFrom(WebAclScope.CloudFront, WebAclScope.Regional)),
    region: optional(region, 3),
    // RateBasedStatement Limit: "Minimum value of 10. Maximum value of 2000000000."; EvaluationWindowSec "60 | 120 | 300 | 600" (https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html).
    rateLimit: optional(fc.oneof(fc.integer({ min: 10, max: 2_000_000_000 }), fc.constantFrom(10, 2_000_000_000))),
    rateWindowSeconds: optional(fc.constantFrom(60, 120, 300, 600)),
    // WebAcl's contract: 1–16384, "what CloudFront and API Gateway pass WAF by default" (WebAclArgs.maxBodyBytes); AWS's SizeConstraintStatement takes more, a product decision (spec.ts).
    maxBodyBytes: optional(fc.oneof(fc.integer({ min: 1, max: 16_384 }), fc.constantFrom(1, 8192, 8193, 16_384))),
    // WebAcl's contract: any of MANAGED_RULE_GROUPS, each once (spec.ts; the AWS managed rule groups pages it cites).
    managedRuleGroups: optional(fc.shuffledSubarray(["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAnonymousIpList"])),
    logRetentionDays: optional(retentionDays),
  })
  .map(defined);

// ---------------------------------------------------------------------------------------------------------- BackupPlan

/**
 * A BackupPlan name: its vault is `<project>-<stack>-<name>` ("serverless-fullstack-test-" under the mocks), and
 * CreateBackupVault BackupVaultName is `^[a-zA-Z0-9\-\_]{2,50}$` (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html):
 * 50 − 26 = 24.
 */
export const backupPlanName = within(LOWER + UPPER + DIGITS + "-_", 1, 24);

/**
 * Schedules: "cron(Minutes Hours Day-of-month Month Day-of-week Year)" in UTC, AWS Backup's ScheduleExpression
 * (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html; the cron fields of
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/events/ScheduledEvents.html#CronExpressions).
 */
const backupSchedule = fc.constantFrom("cron(0 5 ? * * *)", "cron(0 3 * * ? *)", "cron(30 1 ? * MON-FRI *)", "cron(0 */12 ? * * *)", "cron(0 0 1 * ? *)", "cron(15 23 ? * SUN *)");

export const backupPlanArgs: fc.Arbitrary<BackupPlanArgs> = fc
  .record({
    tables: fc.uniqueArray(fc.constantFrom("gallery", "counters", "Gallery.v2", "a_b-c"), { minLength: 1, maxLength: 3 }),
    schedule: optional(backupSchedule),
    // Lifecycle DeleteAfterDays: "Type: Long" days (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html, no
    // maximum given there); drawn up to 36500, the longest vault lock MaxRetentionDays (API_PutBackupVaultLockConfiguration).
    retentionDays: optional(fc.oneof(fc.integer({ min: 1, max: 36500 }), fc.constantFrom(1, 35, 36500))),
    copyPick: optional(fc.nat(), 2),
    // Vault lock: MinRetentionDays and MaxRetentionDays in days, ChangeableForDays "3 or greater"
    // (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html), and a backup job
    // whose retention is outside minimum–maximum fails (built below around the drawn retention).
    vaultLock: optional(fc.record({ below: fc.integer({ min: 0, max: 30 }), above: optional(fc.integer({ min: 0, max: 3650 })), changeableForDays: optional(fc.integer({ min: 3, max: 30 })) }), 3),
    roleArn: optional(fc.constant("arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"), 3),
    region: optional(region, 3),
    retainOnDelete: optional(fc.boolean()),
  })
  .map(({ tables, copyPick, vaultLock, ...a }) => {
    const home = a.region ?? STACK_REGION;
    const retention = a.retentionDays ?? 35;
    const args: BackupPlanArgs = {
      // Backed-up tables are in the plan's region (a plan backs up resources of its own region).
      resources: tables.map((t) => `arn:aws:dynamodb:${home}:123456789012:table/${t}`),
      ...defined(a),
      ...(copyPick !== undefined ? { copyRegion: otherRegion(home, copyPick) } : {}),
    };
    if (vaultLock) {
      args.vaultLock = defined({ minRetentionDays: Math.max(1, retention - vaultLock.below), maxRetentionDays: vaultLock.above === undefined ? undefined : Math.min(36500, retention + vaultLock.above), changeableForDays: vaultLock.changeableForDays });
      // A compliance lock makes the vault undeletable until its points expire: BackupPlan's contract asks retainOnDelete then (backup-plan.ts validate).
      if (vaultLock.changeableForDays !== undefined) args.retainOnDelete = true;
    }
    return args;
  });
