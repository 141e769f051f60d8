/**
 * fast-check generators of plausible arguments for the operations components (Monitoring, BackupPlan, DnsRouting,
 * WebAcl, PrivateNetwork), in the style of ./component-args-arbitraries.ts: mostly well-formed, with the edges people
 * hit and now and then a value the component must refuse. Used by tests/fuzz/component-args-ops.test.ts.
 */
import fc from "fast-check";
import type { BackupPlanArgs } from "../../components/backup-plan";
import { FailoverRole, RoutingPolicy, type DnsRoutingArgs, type DnsRoutingRecord, type GeoLocation } from "../../components/dns-routing";
import type { AlarmOverride, AlarmOverrides, MonitoringArgs } from "../../components/monitoring";
import type { PrivateNetworkArgs } from "../../components/private-network";
import { WebAclScope, type WebAclArgs } from "../../components/web-acl";
import { region } from "./component-args-arbitraries";

/** Usually `valid`, now and then `edge` (a value at or past a limit, or one the component must refuse). */
function mostly<T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: edge });
}

/** An optional field: `undefined` a third of the time (fast-check's `freq` is the chance of nil, 1 in freq), so defaults are reached. */
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });
/** An optional field that is usually left out: set about one time in `oneIn`. */
const seldom = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number) => fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** Drops the undefined fields, so `{ a: undefined }` reads as the user leaving `a` out. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const retentionDays = mostly(fc.constantFrom(1, 7, 14, 30, 365, 3653), fc.constantFrom(2, 0, 30.5));

// ---------------------------------------------------------------------------------------------------------- Monitoring

const alarmOverride: fc.Arbitrary<AlarmOverride> = fc
  .record(
    {
      threshold: mostly(fc.constantFrom(1, 0.05, 5, 3000, 300_000), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, -1)),
      periodSeconds: mostly(fc.constantFrom(10, 20, 30, 60, 300, 900, 3600), fc.constantFrom(0, 45, 90, 61, 300.5, 21600, 86400)),
      evaluationPeriods: mostly(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 10, 24, 288, 1.5)),
      datapointsToAlarm: mostly(fc.constant(1), fc.constantFrom(0, 2, 11)),
      enabled: mostly(fc.constant(true), fc.constant(false)),
      // This alarm's own text, in place of its target's: at its edges, one that makes the description pass CloudWatch's 1024, or not a string.
      description: mostly(fc.constantFrom("executions carry on, delayed: nothing to do unless it lasts", "events lost: replay them from the archive"), fc.constantFrom("", "x".repeat(1000), 5 as unknown as string)),
    },
    { requiredKeys: [] },
  )
  .map(defined);
const alarmKind = fc.constantFrom<keyof AlarmOverrides>(
  "lambdaErrors", "lambdaThrottles", "streamIteratorAge", "apiServerErrors", "apiLatencyP99", "tableThrottles", "tableSystemErrors", "queueDepth", "cloudFrontServerErrors", "cognitoAccountTakeoverRisk", "cognitoCompromisedCredentialRisk", "ruleFailedInvocations", "ruleDeadLetterFailures",
);
const alarmOverrides: fc.Arbitrary<AlarmOverrides> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.dictionary(alarmKind, alarmOverride, { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.constant({ lambdaError: { threshold: 2 } } as AlarmOverrides) },
);
/** A target key: it names the alarms (`<kind>-<key>-<alarm>`), so mostly lowercase, and its edges. */
const targetKey = mostly(fc.oneof(fc.constantFrom("gallery", "counters", "api-prod", "thumbnail-dlq", "k".repeat(63)), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)), fc.constantFrom("Gallery", "a_b", "k".repeat(64), "-x", ""));
/** A target's region: mostly the provider's (unset), sometimes another or the home one named. */
const targetRegion = fc.option(fc.constantFrom("us-east-1", "us-west-2", "eu-west-1"), { nil: undefined, freq: 2 });
const targets = <T>(target: fc.Arbitrary<T>) => maybe(fc.dictionary(targetKey, target, { maxKeys: 2 }));
/** A target's `description`: mostly a runbook note; at its edges, empty, one that makes an alarm description pass CloudWatch's 1024, or not a string. */
const targetDescription = mostly(fc.constantFrom("Runbook: https://example.com/runbook", "the album stays marked deleting: DELETE starts it over"), fc.constantFrom("", "x".repeat(1000), 5 as unknown as string));
const withAlarms = <T extends object>(value: fc.Arbitrary<T>) =>
  fc.tuple(value, seldom(alarmOverrides, 4), seldom(targetDescription, 4)).map(([v, alarms, description]) => defined({ ...v, alarms, description }));

export const monitoringArgs: fc.Arbitrary<MonitoringArgs> = fc
  .record(
    {
      functions: targets(withAlarms(fc.record({ functionName: fc.constantFrom("gallery-counters-fn", "thumbnail-function-1a2b3c4"), region: targetRegion, streamConsumer: fc.boolean() }).map(defined))),
      apiStages: targets(withAlarms(fc.record({ apiName: fc.constantFrom("gallery-api", "Gallery API"), stage: fc.constantFrom("prod", "dev", "v1"), region: targetRegion }).map(defined))),
      tables: targets(withAlarms(fc.record({ tableName: fc.constantFrom("gallery-table", "Gallery.v2"), region: targetRegion }).map(defined))),
      queues: targets(withAlarms(fc.record({ queueName: fc.constantFrom("counters-dlq", "thumbnail-failures.fifo"), region: targetRegion }).map(defined))),
      distributions: targets(withAlarms(fc.record({ distributionId: fc.constantFrom("E123EXAMPLE", "E2QWRUHEXAMPLE") }))),
      userPools: targets(withAlarms(fc.record({ userPoolId: fc.constantFrom("us-east-1_Pool1", "eu-west-1_Pool2"), region: targetRegion }).map(defined))),
      // A state machine's own ARN, mostly; sometimes a name, an execution's ARN, an alias's, or another region's named.
      workflows: targets(
        withAlarms(
          fc
            .record({
              stateMachineArn: mostly(fc.constantFrom("arn:aws:states:us-east-1:123456789012:stateMachine:album-deletion", "arn:aws:states:eu-west-1:123456789012:stateMachine:Orders_v2"), fc.constantFrom("album-deletion", "arn:aws:states:us-east-1:123456789012:execution:album-deletion:run-1", "arn:aws:states:us-east-1:123456789012:stateMachine:album-deletion:live", "")),
              region: targetRegion,
            })
            .map(defined),
        ),
      ),
      // An EventBridge rule, on the default bus or (by its name) a custom one; sometimes "default" or the bus's ARN, which Monitoring refuses.
      rules: targets(
        withAlarms(
          fc
            .record({
              ruleName: fc.constantFrom("gallery-events-photo-removed", "Orders.Placed_v2"),
              eventBusName: maybe(mostly(fc.constantFrom("gallery-events-bus-1a2b3c4", "orders_bus.v2"), fc.constantFrom("default", "arn:aws:events:us-east-1:123456789012:event-bus/gallery-events"))),
              region: targetRegion,
            })
            .map(defined),
        ),
      ),
      alarmEmails: maybe(fc.array(mostly(fc.constantFrom("ops@example.com", "Ops@Example.com", "oncall+alarms@example.co.uk", "ünï@example.com"), fc.constantFrom("ops", "ops@example", " ops@example.com", "")), { maxLength: 3 })),
      defaults: seldom(alarmOverrides, 3),
      dashboard: maybe(fc.boolean()),
      dashboardName: maybe(mostly(fc.constantFrom("gallery-ops", "Gallery_Prod", "d".repeat(255)), fc.constantFrom("gallery ops", "gallery.prod", "d".repeat(256), ""))),
      keyDeletionWindowDays: maybe(mostly(fc.integer({ min: 7, max: 30 }), fc.constantFrom(6, 31, 7.5))),
      // Under the default provider only aws:region (us-east-1) is right; another is refused.
      providerRegion: seldom(mostly(fc.constant("us-east-1"), fc.constant("eu-west-1")), 8),
    },
    { requiredKeys: [] },
  )
  .map(defined);

// ---------------------------------------------------------------------------------------------------------- BackupPlan

const tableArn = (tableRegion: string, table: string) => `arn:aws:dynamodb:${tableRegion}:123456789012:table/${table}`;
const backupSchedule = mostly(fc.constantFrom("cron(0 5 ? * * *)", "cron(0 3 * * ? *)", "cron(30 1 ? * MON-FRI *)", "cron(0 */12 ? * * *)"), fc.constantFrom("rate(1 day)", "cron(0 5 * * *)", "daily", "", " cron(0 5 ? * * *)"));

export const backupPlanArgs: fc.Arbitrary<BackupPlanArgs> = fc
  .record({
    resources: mostly(fc.array(fc.constantFrom(tableArn("us-east-1", "gallery"), tableArn("us-east-1", "counters"), tableArn("us-east-1", "Gallery.v2")), { minLength: 1, maxLength: 3 }), fc.constant<string[]>([])),
    schedule: maybe(backupSchedule),
    retentionDays: maybe(mostly(fc.constantFrom(1, 7, 35, 90, 365, 3650, 36500), fc.constantFrom(0, 1.5, -1))),
    copyRegion: fc.option(region, { nil: undefined, freq: 2 }),
    vaultLock: fc.option(
      fc
        .record(
          {
            minRetentionDays: mostly(fc.constantFrom(1, 7, 35), fc.constantFrom(0, 2.5)),
            maxRetentionDays: maybe(mostly(fc.constantFrom(35, 90, 365, 36500), fc.constantFrom(1, 0))),
            changeableForDays: maybe(mostly(fc.constantFrom(3, 7, 30), fc.constantFrom(0, 2, 3.5))),
          },
          { requiredKeys: ["minRetentionDays"] },
        )
        .map(defined),
      { nil: undefined, freq: 3 },
    ),
    roleArn: fc.option(fc.constant("arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"), { nil: undefined, freq: 2 }),
    region: fc.option(region, { nil: undefined, freq: 3 }),
    retainOnDelete: maybe(fc.boolean()),
  })
  .map(defined);

// ---------------------------------------------------------------------------------------------------------- DnsRouting

const apiTarget = fc.constantFrom("east", "west", "eu").map((host) => ({ name: `d-${host}.execute-api.amazonaws.com`, zoneId: "Z1UJRXOUMOOFQ8" }));
const cloudFrontTarget = fc.constant({ name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" });
const aliasTarget = fc.oneof({ weight: 4, arbitrary: apiTarget }, { weight: 1, arbitrary: cloudFrontTarget });
const healthCheck = fc
  .record(
    {
      fqdn: fc.constantFrom("east.execute-api.amazonaws.com", "gallery.example.com", "d111111abcdef8.cloudfront.net"),
      path: mostly(fc.constantFrom("/prod/api/health", "/health", "/", "/prod/api/health?deep=1", `/${"p".repeat(254)}`), fc.constantFrom("health", "", `/${"p".repeat(255)}`)),
      searchString: maybe(mostly(fc.constantFrom('"status":"ok"', "OK", "ünï ✓", "s".repeat(255)), fc.constantFrom("", "s".repeat(256)))),
      failureThreshold: maybe(mostly(fc.integer({ min: 1, max: 10 }), fc.constantFrom(0, 11, 2.5))),
      requestInterval: maybe(mostly(fc.constantFrom(10, 30), fc.constantFrom(15, 60))),
    },
    { requiredKeys: ["fqdn", "path"] },
  )
  .map(defined);
const recordId = mostly(fc.constantFrom("us-east-1", "us-west-2", "primary", "secondary", "Europe", "default", "site (CloudFront)", "i".repeat(128)), fc.constantFrom("", "i".repeat(129)));
const baseRecord = fc.record({ id: recordId, target: aliasTarget, healthCheck: fc.option(healthCheck, { nil: undefined, freq: 4 }) });
const geoLocation: fc.Arbitrary<GeoLocation> = fc.oneof<fc.Arbitrary<GeoLocation>[]>(
  fc.constant({ default: true }),
  fc.constantFrom("EU", "NA", "AS", "OC").map((continent) => ({ continent })),
  fc.constantFrom("DE", "US", "JP", "GB").map((country) => ({ country })),
  fc.constantFrom("CA", "NY").map((subdivision) => ({ country: "US", subdivision })),
  fc.constantFrom({ continent: "Europe" }, { country: "de" }, { country: "DE", subdivision: "BY" }, { continent: "EU", country: "DE" }, {}),
);
/** Records for one policy: mostly the shape the policy needs (regions, a failover pair, a default location), now and then a stray field. */
const recordsFor = (policy: RoutingPolicy): fc.Arbitrary<DnsRoutingRecord[]> => {
  if (policy === RoutingPolicy.Latency) {
    return fc.array(fc.tuple(baseRecord, region, mostly(fc.constant(undefined), fc.constant(FailoverRole.Primary))).map(([r, recordRegion, failover]) => defined({ ...r, region: recordRegion, failover })), { minLength: 1, maxLength: 3 });
  }
  if (policy === RoutingPolicy.Failover) {
    return fc
      .tuple(baseRecord, baseRecord, mostly(fc.constant("pair"), fc.constantFrom("one", "two primaries", "no check")))
      .map(([primary, secondary, shape]) => {
        const pair = [defined({ ...primary, failover: FailoverRole.Primary, healthCheck: shape === "no check" ? undefined : primary.healthCheck ?? { fqdn: "east.execute-api.amazonaws.com", path: "/prod/api/health" } }), defined({ ...secondary, failover: shape === "two primaries" ? FailoverRole.Primary : FailoverRole.Secondary })];
        return shape === "one" ? pair.slice(0, 1) : pair;
      });
  }
  return fc
    .tuple(fc.array(fc.tuple(baseRecord, geoLocation).map(([r, location]) => ({ ...r, location })), { minLength: 1, maxLength: 3 }), mostly(fc.constant(true), fc.constant(false)))
    .map(([records, withDefault]) => (withDefault && !records.some((r) => r.location.default) ? [...records, { id: "default", target: { name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" }, location: { default: true } }] : records).map(defined));
};
const dnsName = mostly(fc.constantFrom("api.gallery.example.com", "api.gallery.example.com.", "gallery.example.com", "x.y.example.co.uk", `${"a".repeat(63)}.example.com`), fc.constantFrom("API.gallery.example.com", "api.bücher.example", "*.gallery.example.com", "api..example.com", "api", ""));

export const dnsRoutingArgs: fc.Arbitrary<DnsRoutingArgs> = fc
  .constantFrom(RoutingPolicy.Latency, RoutingPolicy.Failover, RoutingPolicy.Geolocation)
  .chain((policy) =>
    fc.record({
      zoneId: fc.constant("Z0123456789EXAMPLE0000"),
      name: dnsName,
      policy: fc.constant(policy),
      records: recordsFor(policy),
      ipv6: maybe(fc.boolean()),
      evaluateTargetHealth: maybe(fc.boolean()),
    }),
  )
  .map(defined);

// -------------------------------------------------------------------------------------------------------------- WebAcl

export const webAclArgs: fc.Arbitrary<WebAclArgs> = fc
  .record({
    scope: maybe(mostly(fc.constantFrom(WebAclScope.CloudFront, WebAclScope.Regional), fc.constant("cloudfront" as WebAclScope))),
    region: fc.option(region, { nil: undefined, freq: 3 }),
    rateLimit: maybe(mostly(fc.constantFrom(10, 100, 2000, 20_000_000, 2_000_000_000), fc.constantFrom(9, 0, 100.5))),
    rateWindowSeconds: maybe(mostly(fc.constantFrom(60, 120, 300, 600), fc.constantFrom(30, 3600))),
    maxBodyBytes: maybe(mostly(fc.constantFrom(1, 1024, 8192, 8193, 16384), fc.constantFrom(0, 16385, 65536))),
    managedRuleGroups: maybe(
      mostly<string[]>(
        fc.uniqueArray(fc.constantFrom("AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAnonymousIpList"), { maxLength: 5 }),
        fc.constantFrom<string[]>(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"], ["AWSManagedRulesBotControlRuleSet"], ["CommonRuleSet"]),
      ),
    ),
    logRetentionDays: maybe(retentionDays),
  })
  .map(defined);

// ------------------------------------------------------------------------------------------------------ PrivateNetwork

const interfaceService = mostly(fc.constantFrom("secretsmanager", "ssm", "xray", "sqs", "logs", "sts", "kms", "sns", "ecr.api", "ecr.dkr"), fc.constantFrom("com.amazonaws.us-east-1.sqs", "S3", "dynamodb", "execute-api", "secrets manager", ""));
const existingVpc = fc
  .record({
    vpcId: fc.constantFrom("vpc-0123456789abcdef0", "vpc-1a2b3c4d"),
    subnetIds: mostly(fc.uniqueArray(fc.constantFrom("subnet-app-1a", "subnet-app-1b", "subnet-data-1a", "subnet-0123456789abcdef0"), { minLength: 1, maxLength: 3 }), fc.constant<string[]>([])),
    routeTableIds: maybe(fc.array(fc.constantFrom("rtb-0123456789abcdef0", "rtb-1a2b3c4d"), { minLength: 1, maxLength: 2 })),
    gatewayEndpoints: maybe(mostly(fc.subarray(["dynamodb", "s3"] as ("dynamodb" | "s3")[]), fc.constant(["sqs"] as unknown as ("dynamodb" | "s3")[]))),
  })
  .map(defined);

export const privateNetworkArgs: fc.Arbitrary<PrivateNetworkArgs> = fc
  .record({
    existingVpc: fc.option(existingVpc, { nil: undefined, freq: 3 }),
    cidrBlock: maybe(mostly(fc.constantFrom("10.0.0.0/16", "10.1.0.0/16", "172.16.0.0/16", "192.168.0.0/20", "10.0.0.0/24"), fc.constantFrom("10.0.0.0/8", "10.0.0.0/29", "10.0.0.1/16", "300.0.0.0/16", "10.0.0.0"))),
    availabilityZones: maybe(mostly(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 4, 6, 7, 2.5))),
    executeApiEndpoint: maybe(fc.boolean()),
    interfaceEndpoints: maybe(fc.array(interfaceService, { maxLength: 3 })),
    region: fc.option(region, { nil: undefined, freq: 3 }),
    // cidrBlock and availabilityZones shape a new VPC only: with an existing one they are refused, so kept now and then.
    shapeWithExisting: mostly(fc.constant(false), fc.constant(true)),
  })
  .map(({ shapeWithExisting, ...args }) => defined(args.existingVpc && !shapeWithExisting ? { ...args, cidrBlock: undefined, availabilityZones: undefined } : args));
