/**
 * S3 object events → LambdaFunctions, on any bucket: the bucket's one notification configuration
 * (event types and key prefix/suffix filters per function), each function's resource-based
 * permission for s3.amazonaws.com from exactly this bucket and account, and the order AWS needs:
 * S3 checks the permission when the configuration is put, so the notification waits for every
 * permission. S3 invokes asynchronously: retries, event age and the failure queue are the
 * function's `asyncInvoke`. `npm start` delivers the same events (local/s3-events.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argFailer, type ArgFailure } from "./errors";
import { validateAutonames } from "./autoname";
import type { LambdaFunction, LambdaFunctionSpec } from "./lambda/function";
import { describeRegion, type KnownRegion, regionWhereCreated, validateRegionArg } from "./region";
import { registerSpec } from "./spec-registry";

/**
 * The event types S3 publishes to Lambda (a `*` type covers its subtypes).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
 */
export const S3_EVENT_TYPES: readonly string[] = [
  "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
  "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
  "s3:ReducedRedundancyLostObject",
  "s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold", "s3:Replication:OperationNotTracked",
  "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
  "s3:LifecycleTransition", "s3:IntelligentTiering",
  "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
  "s3:ObjectAcl:Put",
];

/** FilterRule values are at most 1,024 characters (https://docs.aws.amazon.com/AmazonS3/latest/API/API_FilterRule.html). */
const FILTER_MAX_LENGTH = 1024;

/** One function subscribed to a bucket's object events, with key filters. */
export interface ObjectEventSubscription {
  /** The function S3 invokes (asynchronously) with each event; give it `asyncInvoke` for retries and a failure queue. */
  function: LambdaFunction;
  /** S3 event types, e.g. `["s3:ObjectCreated:*"]`. */
  events: string[];
  /** Only keys that start with this, e.g. `"originals/"`. @default every key */
  filterPrefix?: string;
  /** Only keys that end with this, e.g. `".jpg"`. @default every key */
  filterSuffix?: string;
}

/** Arguments of BucketEvents. */
export interface BucketEventsArgs {
  /** The bucket whose object events are delivered; it gets exactly one notification configuration, this one. */
  bucket: aws.s3.Bucket;
  /**
   * Subscriptions by name (the name is the configuration's id; a function's first subscription names its one
   * permission). May be empty with `eventBridge`. @default none
   */
  subscriptions?: Record<string, ObjectEventSubscription>;
  /**
   * Also send every object event to EventBridge (the bucket region's default bus: "Object Created", "Object Deleted",
   * ...), in the same notification configuration, where rules of a DefaultEventBus route them
   * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html): no overlap limits, many consumers,
   * content filtering. Build their patterns with `objectCreated` and `objectDeleted`. @default false
   */
  eventBridge?: boolean;
  /** The bucket's region, when it is not the provider's. @default the provider's region */
  region?: string;
}

/** One subscription as the local S3 server delivers it. */
export interface ObjectEventSubscriptionSpec {
  id: string;
  function: LambdaFunctionSpec;
  events: string[];
  filterPrefix: string;
  filterSuffix: string;
}

export interface BucketEventsSpec {
  name: string;
  /** The bucket's physical name, as the program resolves it. */
  bucketName: pulumi.Output<string>;
  subscriptions: ObjectEventSubscriptionSpec[];
  /** Whether S3 also sends the bucket's events to its region's default EventBridge bus. Absent in older specs: false. */
  eventBridge?: boolean;
  /** The bucket's region, when given (else the provider's). */
  region?: string;
}

/** Key filters of an S3 EventBridge pattern (BucketEvents.objectCreated, objectDeleted). */
export interface S3EventBridgeKeyFilter {
  /** Only keys that start with this, e.g. "originals/". @default every key */
  prefix?: string;
  /** Only keys that end with this, e.g. ".jpg". @default every key */
  suffix?: string;
}

/** Where an S3 pattern built by BucketEvents comes from: EventBus.subscribe checks the bus (the default one) and its region. */
export interface S3PatternOrigin {
  /** The BucketEvents component's name. */
  name: string;
  bucketRegion: KnownRegion;
}

const patternOrigins = new WeakMap<object, S3PatternOrigin>();

/**
 * The BucketEvents whose `objectCreated`/`objectDeleted` built `pattern`, if one did: the pattern they returned, or a
 * copy of it that keeps its `detail` object (`{ ...events.objectCreated(), account: [...] }`) and S3's `source`. A
 * pattern whose `detail` is rebuilt too is not recognised (the deploy rule EventBridgeS3Delivery still checks, in a
 * plan, that the bucket sends its events to EventBridge in the rule's region).
 */
export function s3PatternOrigin(pattern: unknown): S3PatternOrigin | undefined {
  if (typeof pattern !== "object" || pattern === null) return undefined;
  const own = patternOrigins.get(pattern);
  if (own) return own;
  const { detail, source } = pattern as { detail?: unknown; source?: unknown };
  const fromS3 = Array.isArray(source) && source.includes("aws.s3");
  return fromS3 && typeof detail === "object" && detail !== null ? patternOrigins.get(detail) : undefined;
}

/** Escapes a literal for an EventBridge wildcard: `*` and the backslash (eb-create-pattern-operators.html, "Wildcard matching"). */
const wildcardLiteral = (text: string) => text.replace(/[\\*]/g, (c) => `\\${c}`);

/**
 * S3 object events to LambdaFunctions on any bucket: the bucket's one notification configuration, each
 * function's invoke permission from exactly this bucket and account, created in the order S3 needs.
 *
 * @example
 * const thumbnails = new LambdaFunction("thumbnail", { entry: "handlers/thumbnail/index.ts", asyncInvoke: { maxRetryAttempts: 2, failureQueue: {} } });
 * new BucketEvents("uploads-events", {
 *   bucket: uploads.nodes.bucket,
 *   subscriptions: { thumbnails: { function: thumbnails, events: ["s3:ObjectCreated:*"], filterPrefix: "originals/" } },
 * });
 */
export class BucketEvents extends pulumi.ComponentResource {
  readonly spec: BucketEventsSpec;
  readonly notification: aws.s3.BucketNotification;
  /** The invoke permission of each subscription's function, by subscription: one per function, shared by its subscriptions. */
  readonly permissions: Readonly<Record<string, aws.lambda.Permission>>;
  private readonly fail: ArgFailure;
  private readonly bucketRegion: KnownRegion;

  constructor(name: string, args: BucketEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:BucketEvents", name, {}, opts);
    const fail = argFailer("BucketEvents", name);
    validateRegionArg(fail, "region", args.region);
    const bucketRegion = regionWhereCreated(args.region, args.bucket, "aws:s3/bucket:Bucket");
    if (args.eventBridge !== undefined && typeof args.eventBridge !== "boolean") fail("eventBridge", args.eventBridge, "is not true or false", "Set eventBridge: true to send the bucket's events to EventBridge, or leave it out.");
    const subscriptions = args.subscriptions ?? {};
    validateSubscriptions(fail, subscriptions, bucketRegion, args.eventBridge === true);
    this.fail = fail;
    this.bucketRegion = bucketRegion;
    // Each permission's statement id is autonamed from `<name>-<subscription>-invoke`, within pulumi-aws's 100.
    validateAutonames(
      fail,
      name,
      Object.keys(subscriptions).map((id) => ({ resource: invokePermissionName(name, id), kind: "lambda-permission" as const, part: { argument: "subscriptions", value: id, text: id, what: "a subscription name" } })),
    );
    this.spec = {
      name,
      bucketName: args.bucket.bucket,
      subscriptions: Object.entries(subscriptions).map(([id, s]) => ({
        id,
        function: s.function.spec,
        events: [...s.events],
        filterPrefix: s.filterPrefix ?? "",
        filterSuffix: s.filterSuffix ?? "",
      })),
      ...(args.eventBridge ? { eventBridge: true } : {}),
      ...(args.region ? { region: args.region } : {}),
    };
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    // One permission per function, not per subscription: every subscription of one function to this bucket would add
    // the same statement (principal s3.amazonaws.com, this bucket's ARN, this account), and Lambda keeps a function's
    // resource-based policy within 20 KB, "Function resource-based policy | 20 KB", a quota that "cannot be changed"
    // (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). The shared permission keeps the
    // logical name of the function's first subscription, which it had before (an upgrade keeps that one and deletes the
    // others, after the notification is put, as Pulumi deletes last; no replacement, so no aliases are needed).
    const firstSubscription = new Map<LambdaFunction, string>();
    for (const [id, s] of Object.entries(subscriptions)) if (!firstSubscription.has(s.function)) firstSubscription.set(s.function, id);
    const byFunction = new Map(
      [...firstSubscription].map(([fn, id]) => [
        fn,
        // Only this bucket, in this account, may invoke: sourceArn alone would not pin the account
        // (bucket ARNs carry none). https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html
        new aws.lambda.Permission(
          invokePermissionName(name, id),
          { action: "lambda:InvokeFunction", function: fn.functionName, principal: "s3.amazonaws.com", sourceArn: args.bucket.arn, sourceAccount: account, region: args.region },
          { parent: this },
        ),
      ]),
    );
    this.permissions = Object.fromEntries(Object.entries(subscriptions).map(([id, s]) => [id, byFunction.get(s.function)!]));
    // PutBucketNotificationConfiguration "verifies that the Lambda function permissions grant Amazon S3
    // permission to invoke the function from the Amazon S3 bucket", and replaces the bucket's whole
    // configuration: one resource per bucket, created after every permission.
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html
    this.notification = new aws.s3.BucketNotification(
      `${name}-notification`,
      {
        bucket: args.bucket.id,
        lambdaFunctions: Object.entries(subscriptions).map(([id, s]) => ({
          id,
          lambdaFunctionArn: s.function.arn,
          events: s.events,
          filterPrefix: s.filterPrefix,
          filterSuffix: s.filterSuffix,
        })),
        // EventBridge delivery is part of the same configuration (EventBridgeConfiguration, an empty element:
        // API_NotificationConfiguration); S3 checks no permission for it, events go to the region's default bus.
        eventbridge: args.eventBridge || undefined,
        region: args.region,
      },
      // Neither retained nor deletedWith the bucket, unlike its other settings (s3-hardening bucketSettingOptions): a
      // destroy deletes the invoke permissions above (and the functions, unless retained), so it deletes this too, and
      // a kept bucket is left with no notification naming functions that are gone.
      { parent: this, dependsOn: [...byFunction.values()] },
    );
    registerSpec("BucketEvents", name, this.spec);
    this.registerOutputs({});
  }

  /**
   * An EventBridge pattern for this bucket's "Object Created" events (PutObject, POST Object, CopyObject,
   * CompleteMultipartUpload), for a DefaultEventBus's `subscribe`: `source` aws.s3, the bucket's name, and the key
   * filters (a prefix, a suffix, or both as one wildcard). Needs `eventBridge: true`.
   */
  objectCreated(filter: S3EventBridgeKeyFilter = {}): Record<string, unknown> {
    return this.eventPattern("objectCreated", "Object Created", filter);
  }

  /** Like `objectCreated`, for "Object Deleted" events (DeleteObject, DeleteObjects, lifecycle expiration). */
  objectDeleted(filter: S3EventBridgeKeyFilter = {}): Record<string, unknown> {
    return this.eventPattern("objectDeleted", "Object Deleted", filter);
  }

  private eventPattern(method: string, detailType: string, filter: S3EventBridgeKeyFilter): Record<string, unknown> {
    if (!this.spec.eventBridge) {
      this.fail(method, detailType, "is an EventBridge event, but the bucket does not send its events to EventBridge, so a rule on it would never fire", "Set eventBridge: true (UploadBucket: notify(subscriptions, { eventBridge: true })).");
    }
    const { prefix, suffix } = filter ?? {};
    for (const [field, value] of [["prefix", prefix], ["suffix", suffix]] as const) {
      if (value !== undefined && (typeof value !== "string" || value === "" || value.length > FILTER_MAX_LENGTH)) {
        this.fail(`${method}(${field})`, value, `is not 1–${FILTER_MAX_LENGTH} characters`, `Leave ${field} out to match every key, or shorten it.`);
      }
    }
    // Two entries in one value list match either (EventBridge ORs a list), so a prefix and a suffix together are one
    // wildcard: "<prefix>*<suffix>" (eb-create-pattern-operators.html). A key shorter than both together (prefix
    // "ab", suffix "bc", key "abc") is not matched.
    const key = prefix !== undefined && suffix !== undefined ? [{ wildcard: `${wildcardLiteral(prefix)}*${wildcardLiteral(suffix)}` }] : prefix !== undefined ? [{ prefix }] : suffix !== undefined ? [{ suffix }] : undefined;
    const pattern = {
      source: ["aws.s3"],
      "detail-type": [detailType],
      detail: { bucket: { name: [this.spec.bucketName] }, ...(key ? { object: { key } } : {}) },
    };
    const origin = { name: this.spec.name, bucketRegion: this.bucketRegion };
    patternOrigins.set(pattern, origin);
    // The inner `detail` too: a spread of the pattern (another field added) keeps it, and so its origin.
    patternOrigins.set(pattern.detail, origin);
    return pattern;
  }
}

function validateSubscriptions(fail: ArgFailure, subscriptions: Record<string, ObjectEventSubscription>, bucketRegion: KnownRegion, eventBridge: boolean): void {
  const entries = Object.entries(subscriptions);
  if (entries.length === 0 && !eventBridge) fail("subscriptions", subscriptions, "is empty", 'Subscribe at least one function, e.g. { thumbnails: { function, events: ["s3:ObjectCreated:*"] } }, or set eventBridge: true.');
  for (const [id, s] of entries) {
    const at = `subscriptions.${id}`;
    if (!/^[a-zA-Z][a-zA-Z0-9-]{0,40}$/.test(id)) fail("subscriptions", id, "is not a usable subscription name", 'Use letters, digits and hyphens, e.g. "thumbnails"; it names the configuration and its permission.');
    if (!s.function?.spec) fail(`${at}.function`, s.function, "is not a LambdaFunction", "Pass the LambdaFunction S3 should invoke.");
    if (s.function.spec.edge) fail(`${at}.function`, s.function.spec.name, "is a Lambda@Edge function, which only CloudFront invokes", "Subscribe a regional function.");
    if (!Array.isArray(s.events) || s.events.length === 0) fail(`${at}.events`, s.events, "is empty", 'Name the event types, e.g. ["s3:ObjectCreated:*"].');
    for (const event of s.events) {
      if (!S3_EVENT_TYPES.includes(event)) fail(`${at}.events`, event, "is not an S3 event type", `Use one of ${S3_EVENT_TYPES.slice(0, 6).join(", ")}, ... (S3 User Guide, "Event notification types and destinations").`);
    }
    for (const [field, value] of [["filterPrefix", s.filterPrefix], ["filterSuffix", s.filterSuffix]] as const) {
      if (value !== undefined && (value === "" || value.length > FILTER_MAX_LENGTH)) fail(`${at}.${field}`, value, `is not 1–${FILTER_MAX_LENGTH} characters`, `Leave ${field} unset to match every key, or shorten it.`);
    }
    // "The Lambda function must be in the same region as your S3 bucket" (Amazon S3 User Guide, "How Do I Set Up a
    // Destination to Receive Event Notifications?", awsdocs/amazon-s3-user-guide setup-event-notification-destination.md;
    // AWS Prescriptive Guidance: "the Lambda function can't directly subscribe to notifications from S3 buckets that are
    // hosted in different AWS Regions"). A region left unset is the stack's, so compare where each is created; an
    // explicit provider's region is unknown here and left to the deploy rule S3NotificationFunctionRegion.
    const fnRegion = regionWhereCreated(s.function.spec.region, s.function, "aws:lambda/function:Function");
    if (fnRegion.region && bucketRegion.region && fnRegion.region !== bucketRegion.region) {
      fail(
        `${at}.function`,
        s.function.spec.name,
        `is in ${describeRegion(fnRegion)}, but the bucket is in ${describeRegion(bucketRegion)}; S3 invokes only Lambda functions in the bucket's region`,
        `Create the function in ${bucketRegion.region} (region: "${bucketRegion.region}"), or the bucket in ${fnRegion.region}.`,
      );
    }
  }
  for (const [i, [a, first]] of entries.entries()) {
    for (const [b, second] of entries.slice(i + 1)) {
      const shared = sharedEventTypes(first.events, second.events);
      if (shared.length > 0 && keysOverlap(first, second)) {
        fail(
          `subscriptions.${b}`,
          { events: second.events, filterPrefix: second.filterPrefix, filterSuffix: second.filterSuffix },
          `overlaps subscription "${a}" on ${shared.join(", ")}; S3 refuses configurations whose filters can match the same key for the same event type`,
          "Give them prefixes (or suffixes) that cannot match the same key, or different event types (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html).",
        );
      }
    }
  }
}

/** Event types two configurations share, counting `s3:ObjectCreated:*` as sharing with each `s3:ObjectCreated:...`. */
export function sharedEventTypes(a: readonly string[], b: readonly string[]): string[] {
  const covers = (x: string, y: string) => x === y || (x.endsWith(":*") && y.startsWith(x.slice(0, -1)));
  return [...new Set(a.flatMap((x) => b.filter((y) => covers(x, y) || covers(y, x)).map((y) => (covers(x, y) ? y : x))))];
}

/** Whether some key can pass both filters: prefixes where one starts the other, and suffixes where one ends the other (unset matches all). */
export function keysOverlap(a: { filterPrefix?: string; filterSuffix?: string }, b: { filterPrefix?: string; filterSuffix?: string }): boolean {
  const p1 = a.filterPrefix ?? "";
  const p2 = b.filterPrefix ?? "";
  const s1 = a.filterSuffix ?? "";
  const s2 = b.filterSuffix ?? "";
  return (p1.startsWith(p2) || p2.startsWith(p1)) && (s1.endsWith(s2) || s2.endsWith(s1));
}

/** Whether `eventName` (e.g. `ObjectCreated:Put`) and `key` match a subscription, as S3 decides which configurations fire. */
export function subscriptionMatches(subscription: Pick<ObjectEventSubscriptionSpec, "events" | "filterPrefix" | "filterSuffix">, eventName: string, key: string): boolean {
  const type = `s3:${eventName}`;
  const typeMatches = subscription.events.some((e) => e === type || (e.endsWith(":*") && type.startsWith(e.slice(0, -1))));
  return typeMatches && key.startsWith(subscription.filterPrefix) && key.endsWith(subscription.filterSuffix);
}

/** The logical name of the permission that lets the bucket invoke a subscription's function. */
function invokePermissionName(name: string, subscription: string): string {
  return `${name}-${subscription}-invoke`;
}
