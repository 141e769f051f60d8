/**
 * fast-check generators of plausible arguments for the smaller components (RealtimeApi, UploadBucket, BucketEvents,
 * ...), in the style of ./component-args-arbitraries.ts: mostly well-formed, with the edges people hit and now and
 * then a value the component must refuse. Used by tests/fuzz/component-args-misc.test.ts.
 */
import fc from "fast-check";
import type { RealtimeApiArgs, RealtimeRoute } from "../../components/realtime-api";
import type { StackSecretArgs } from "../../components/stack-secret";
import type { UploadBucketArgs } from "../../components/upload-bucket";
import { region, STACK_REGION } from "./component-args-arbitraries";

/** Usually `valid`, now and then `edge` (a value at or past a limit, or one the component must refuse). */
export function mostly<T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: edge });
}

/** A handler file that exists (bundles of one entry are cached, so runs stay cheap), rarely one that does not. */
export const ENTRY = "tests/fixtures/handlers/echo.ts";
const handler = mostly(fc.constant(ENTRY), fc.constantFrom("tests/fixtures/handlers/missing.ts", ""));
const certificateArn = (certRegion: string) => `arn:aws:acm:${certRegion}:123456789012:certificate/abc`;
const retentionDays = mostly(fc.constantFrom(1, 7, 14, 30, 365, 3653), fc.constantFrom(2, 0, 30.5));

// ------------------------------------------------------------------------------------------------------------- RealtimeApi

const routeKey = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom("$connect", "$disconnect", "$default", "ping", "chat.send", "send_message", "join:room", "Ping") },
  { weight: 1, arbitrary: fc.constantFrom("$foo", "a b", "authorizer", "k".repeat(128), "k".repeat(129), "ping!", "ünï") },
);
const apiFunction = fc.record(
  {
    memorySize: mostly(fc.integer({ min: 128, max: 10240 }), fc.constantFrom(127, 10241)),
    timeout: mostly(fc.integer({ min: 1, max: 29 }), fc.constantFrom(0, 30, 900)),
    environment: fc.dictionary(fc.constantFrom("STAGE", "LOG_LEVEL"), fc.constantFrom("prod", "", "ünï")),
  },
  { requiredKeys: [] },
);
const route: fc.Arbitrary<RealtimeRoute> = fc.record(
  {
    handler,
    export: mostly(fc.constant("handler"), fc.constantFrom("message", "index.handler", "1st")),
    function: apiFunction,
    postsToConnections: fc.boolean(),
  },
  { requiredKeys: ["handler"] },
);
const webSocketDomain = fc.record(
  {
    name: mostly(fc.constantFrom("live.gallery.example.com", "ws.example.com", "a-b.example.co.uk"), fc.constantFrom("Live.Example.com", "live.example.com.", "bücher.example", "*.example.com")),
    certRegion: fc.option(region, { nil: undefined, freq: 6 }),
    ipAddressType: fc.option(mostly(fc.constantFrom("dualstack" as const, "ipv4" as const), fc.constant("ipv6" as any)), { nil: undefined }),
  },
  { requiredKeys: ["name"] },
);

export const realtimeApiArgs: fc.Arbitrary<RealtimeApiArgs> = fc
  .record(
    {
      routes: mostly<Record<string, RealtimeRoute>>(fc.dictionary(routeKey, route, { minKeys: 1, maxKeys: 4 }), fc.constant({})),
      withConnect: mostly(fc.constant(true), fc.constant(false)),
      routeSelectionExpression: fc.option(mostly(fc.constantFrom("$request.body.action", "$request.body.message.type", "$request.body.op_2"), fc.constantFrom("request.body.action", "$request.body", "$request.header.x")), { nil: undefined, freq: 2 }),
      authorizer: fc.option(
        fc.record(
          {
            handler,
            export: mostly(fc.constant("handler"), fc.constant("authorize")),
            function: apiFunction,
            identitySources: mostly<string[]>(fc.constantFrom(["route.request.querystring.token"], ["route.request.header.Sec-WebSocket-Protocol"], ["route.request.querystring.token", "route.request.header.Auth"]), fc.constantFrom([], ["token"], ["route.request.querystring.a b"])),
          },
          { requiredKeys: ["handler"] },
        ),
        { nil: undefined, freq: 5 },
      ),
      anonymousEdge: mostly(fc.constant(false), fc.constant(true)),
      stage: fc.option(mostly(fc.constantFrom("prod", "v1", "dev_2", "Prod", "s".repeat(128)), fc.constantFrom("prod-1", "$default", "", "s".repeat(129))), { nil: undefined }),
      throttle: fc.option(mostly<{ rateLimit: number; burstLimit: number }>(fc.record({ rateLimit: fc.constantFrom(1, 0.5, 100, 10000), burstLimit: fc.constantFrom(1, 200, 5000) }), fc.constantFrom({ rateLimit: 0, burstLimit: 1 }, { rateLimit: 10, burstLimit: 1.5 })), { nil: undefined }),
      logRetentionDays: fc.option(retentionDays, { nil: undefined }),
      executionLogLevel: fc.option(mostly(fc.constantFrom("ERROR", "INFO", "OFF"), fc.constantFrom("error", "DEBUG")), { nil: undefined }),
      domain: fc.option(webSocketDomain, { nil: undefined, freq: 4 }),
      region: fc.option(region, { nil: undefined, freq: 3 }),
      tableArnRegion: region,
    },
    { requiredKeys: ["routes", "withConnect", "anonymousEdge", "tableArnRegion"] },
  )
  .map((a) => {
    const routes = { ...a.routes };
    if (a.withConnect && routes.$connect === undefined) routes.$connect = { handler: ENTRY };
    const args: RealtimeApiArgs = {
      routes,
      connectionsTable: { name: "connections", arn: `arn:aws:dynamodb:${a.region ?? a.tableArnRegion}:123456789012:table/connections` },
    };
    // Without an authorizer the API must say it is public (anonymous); now and then both, which must be refused.
    if (a.authorizer) args.authorizer = a.authorizer;
    if (!a.authorizer || a.anonymousEdge) args.anonymous = true;
    for (const key of ["routeSelectionExpression", "stage", "throttle", "logRetentionDays", "executionLogLevel", "region"] as const) if (a[key] !== undefined) (args as any)[key] = a[key];
    if (a.domain) args.domain = { name: a.domain.name, certificateArn: certificateArn(a.domain.certRegion ?? a.region ?? STACK_REGION), ...(a.domain.ipAddressType ? { ipAddressType: a.domain.ipAddressType } : {}) };
    return args;
  });

// ----------------------------------------------------------------------------------------------- UploadBucket, BucketEvents

const bucketName = mostly(
  fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/), fc.constantFrom("b".repeat(63), "uploads-2026", "123")),
  fc.constantFrom("Uploads", "my..bucket", "b".repeat(64), "xn--uploads", "uploads.example.com", "ab", "uploads-s3alias", "sthree-x", "192.168.1.1"),
);

export const uploadBucketArgs: fc.Arbitrary<UploadBucketArgs> = fc.record(
  {
    bucketName,
    noncurrentVersionDays: mostly(fc.integer({ min: 1, max: 3650 }), fc.constantFrom(0, 1.5, -1)),
    logRetentionDays: mostly(fc.integer({ min: 1, max: 3650 }), fc.constantFrom(0, 2.5)),
    retainOnDelete: fc.boolean(),
    region,
  },
  { requiredKeys: [] },
);

const eventType = mostly(
  fc.constantFrom("s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRestore:Completed", "s3:ObjectTagging:*", "s3:LifecycleExpiration:*"),
  fc.constantFrom("ObjectCreated:*", "s3:ObjectCreated", "s3:*", "s3:ObjectCreated:Put "),
);
export type SubscriptionArgs = { events: string[]; filterPrefix?: string; filterSuffix?: string; functionElsewhere?: boolean };
export const subscription: fc.Arbitrary<SubscriptionArgs> = fc.record(
  {
    events: mostly<string[]>(fc.uniqueArray(eventType, { minLength: 1, maxLength: 3 }), fc.constantFrom([], ["s3:ObjectCreated:Put", "s3:ObjectCreated:Put"])),
    filterPrefix: fc.option(mostly(fc.constantFrom("originals/", "thumbs/", "uploads/2026/", "ünï/", "a b/", "p".repeat(1024)), fc.constantFrom("", "p".repeat(1025))), { nil: undefined }),
    filterSuffix: fc.option(mostly(fc.constantFrom(".jpg", ".png", ".JPG", "/"), fc.constantFrom("", "s".repeat(1025))), { nil: undefined }),
    functionElsewhere: mostly(fc.constant(false), fc.constant(true)),
  },
  { requiredKeys: ["events"] },
);
export const subscriptionId = mostly(fc.constantFrom("thumbnails", "index", "audit-log", "Scan2", "s".repeat(41)), fc.constantFrom("1st", "thumb_nails", "s".repeat(42), "a b"));
/** Subscriptions whose prefixes mostly differ (S3 refuses overlapping filters on one event type), rarely none at all. */
export const subscriptions = mostly<Record<string, SubscriptionArgs>>(fc.dictionary(subscriptionId, subscription, { minKeys: 1, maxKeys: 3 }), fc.constant({})).map((subs) =>
  Object.fromEntries(Object.entries(subs).map(([id, s], i) => [id, s.filterPrefix === undefined && i > 0 ? { ...s, filterPrefix: `part-${i}/` } : s])),
);

// -------------------------------------------------------------------------------------------------------------- StackSecret

export const stackSecretArgs: fc.Arbitrary<StackSecretArgs> = fc.record(
  {
    value: fc.constantFrom("s3cr3t", "", '{"key":"ünï ✓"}', "v".repeat(4096)),
    description: mostly(fc.constantFrom("Signing key", "", "ünïcode ✓", "d".repeat(2048)), fc.constant("d".repeat(2049))),
    customerKey: fc.boolean(),
    recoveryWindowDays: mostly(fc.constantFrom(0, 7, 14, 30), fc.constantFrom(1, 6, 31, 7.5)),
    region: fc.option(region, { nil: undefined, freq: 2 }),
    replicaRegions: mostly<string[]>(fc.uniqueArray(region, { maxLength: 2 }), fc.constantFrom(["us-west-2", "us-west-2"], [STACK_REGION])),
  },
  { requiredKeys: ["value"] },
).map((a) => a as StackSecretArgs);

// ------------------------------------------------------------------------------------------------------------------ Topic

const filterPolicy = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<Record<string, unknown>>({ kind: ["uploaded"] }, { kind: ["a", "b"], size: [{ numeric: [">", 0, "<=", 100] }] }, { kind: [{ prefix: "photo/" }], owner: [{ exists: true }] }, { $or: [{ a: ["1"] }, { b: [{ "anything-but": ["x"] }] }] }) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, unknown>>({}, { a: "x" }, { a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] }, { a: [{ wildcard: "x*" }] }, { a: { b: ["1"] } }, { a: Array.from({ length: 151 }, String) }) },
);

/** A Topic's arguments and its subscriptions: functions, and queues that list the topic (or, rarely, not), FIFO or standard. */
export const topicCase = fc.record(
  {
    fifo: fc.option(fc.boolean(), { nil: undefined }),
    contentBasedDeduplication: fc.option(fc.boolean(), { nil: undefined, freq: 3 }),
    kmsKeyId: fc.option(mostly(fc.constant("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), fc.constantFrom("alias/aws/sns", "1234abcd")), { nil: undefined, freq: 3 }),
    functions: fc.array(
      fc.record({
        name: mostly(fc.constantFrom("index", "thumbs", "audit-log"), fc.constantFrom("a.b", "", "x".repeat(42))),
        filterPolicy: fc.option(filterPolicy, { nil: undefined }),
        filterPolicyScope: fc.option(fc.constantFrom("MessageAttributes" as const, "MessageBody" as const), { nil: undefined, freq: 3 }),
        deadLetterRetentionDays: fc.option(mostly(fc.integer({ min: 1, max: 14 }), fc.constantFrom(0, 15)), { nil: undefined, freq: 3 }),
      }),
      { maxLength: 2 },
    ),
    queues: fc.array(
      fc.record({
        fifo: fc.boolean(),
        listsTopic: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        filterPolicy: fc.option(filterPolicy, { nil: undefined }),
        rawMessageDelivery: fc.option(fc.boolean(), { nil: undefined }),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ["functions", "queues"] },
);
