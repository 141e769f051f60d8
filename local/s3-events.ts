/**
 * S3 event notifications for `npm start`: the local S3 server reports each object written or
 * deleted; this turns it into S3's event message (eventVersion 2.1, the key URL-encoded with
 * spaces as `+` by local/s3-key-encoding.ts, as a listing's encoding-type=url encodes it) and invokes, asynchronously, every function whose subscription (BucketEvents
 * spec: event types, prefix, suffix) matches — one event per object, as S3 sends them, with the
 * function's retries and failure queue (local/async-invoke.ts). For a bucket with EventBridge on, also S3's
 * EventBridge event (s3EventBridgeEvent), which the events service puts on the local default bus.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { S3Event, S3EventRecord } from "aws-lambda";
import { subscriptionMatches, type ObjectEventSubscriptionSpec } from "../components/bucket-events";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { invokeAsync, type AsyncInvokeOptions, type Invoke } from "./async-invoke";
import { s3UrlEncodeKey } from "./s3-key-encoding";
import type { EventBridgeEvent } from "./eventbridge-server";

/** What the local S3 server reports after a write or delete. */
export interface ObjectEvent {
  /** `ObjectCreated:Put`, `:Post`, `:Copy` (CopyObject), `:CompleteMultipartUpload` (parts uploaded or copied), `ObjectRemoved:Delete`. */
  eventName: string;
  bucket: string;
  key: string;
  size?: number;
  /** Without quotes, as S3 events carry it. */
  eTag?: string;
  versionId?: string;
  /** Orders events of one key (hex, growing). */
  sequencer: string;
  time: Date;
  sourceIp?: string;
}

export function s3EventRecord(event: ObjectEvent, options: { region: string; configurationId: string }): S3EventRecord {
  const created = event.eventName.startsWith("ObjectCreated");
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: options.region,
    eventTime: event.time.toISOString(),
    eventName: event.eventName as S3EventRecord["eventName"],
    userIdentity: { principalId: "AWS:LOCAL" },
    requestParameters: { sourceIPAddress: event.sourceIp ?? "127.0.0.1" },
    responseElements: { "x-amz-request-id": event.sequencer, "x-amz-id-2": "local" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: options.configurationId,
      bucket: { name: event.bucket, ownerIdentity: { principalId: "LOCAL" }, arn: `arn:aws:s3:::${event.bucket}` },
      object: {
        key: s3UrlEncodeKey(event.key),
        ...(created ? { size: event.size ?? 0, eTag: event.eTag ?? "" } : {}),
        ...(event.versionId ? { versionId: event.versionId } : {}),
        sequencer: event.sequencer,
      } as S3EventRecord["s3"]["object"],
    },
  };
}

/**
 * The API S3 names as an EventBridge event's `reason` for each of its event names (EventBridge.html, "Object Created").
 * The local server reports DeleteObjects' objects as `ObjectRemoved:Delete` too, so they say `DeleteObject`: what AWS
 * says for them is not confirmed (ev-events.html shows DeleteObject's event only; docs/local-vs-aws.md).
 */
const EVENTBRIDGE_REASONS: Record<string, string> = {
  "ObjectCreated:Put": "PutObject",
  "ObjectCreated:Post": "POST Object",
  "ObjectCreated:Copy": "CopyObject",
  "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
  "ObjectRemoved:Delete": "DeleteObject",
};

/**
 * The event S3 sends to its region's default EventBridge bus for a bucket with EventBridge on
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html): "Object Created" with the object's size,
 * etag and sequencer, "Object Deleted" with the deletion type, the key as stored (not URL-encoded, unlike a
 * notification's; not confirmed), the request id, requester (the account), source IP and the API as `reason`. A local
 * delete removes the object, so it is "Permanently Deleted" (a versioned bucket in AWS would say "Delete Marker Created").
 */
export function s3EventBridgeEvent(event: ObjectEvent, options: { region: string; account: string }): EventBridgeEvent {
  const created = event.eventName.startsWith("ObjectCreated");
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": created ? "Object Created" : "Object Deleted",
    source: "aws.s3",
    account: options.account,
    time: event.time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: options.region,
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail: {
      version: "0",
      bucket: { name: event.bucket },
      object: {
        key: event.key,
        ...(created ? { size: event.size ?? 0, etag: event.eTag ?? "" } : {}),
        ...(event.versionId ? { "version-id": event.versionId } : {}),
        sequencer: event.sequencer,
      },
      "request-id": randomBytes(8).toString("hex").toUpperCase(),
      requester: options.account,
      "source-ip-address": event.sourceIp ?? "127.0.0.1",
      reason: EVENTBRIDGE_REASONS[event.eventName] ?? event.eventName,
      ...(created ? {} : { "deletion-type": "Permanently Deleted" }),
    },
  };
}

export interface BucketSubscription {
  bucketName: string;
  subscription: ObjectEventSubscriptionSpec;
  invoke: Invoke;
}

/** Delivers object events to the matching subscriptions; `drained()` waits for deliveries under way (retries included). */
export class LocalBucketEvents {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly subscriptions: BucketSubscription[], private readonly options: AsyncInvokeOptions & { region: string }) {}

  /** Called by the S3 server; never waits for the functions, as S3 does not. */
  deliver(event: ObjectEvent): void {
    for (const { bucketName, subscription, invoke } of this.subscriptions) {
      if (bucketName !== event.bucket || !subscriptionMatches(subscription, event.eventName, event.key)) continue;
      const message: S3Event = { Records: [s3EventRecord(event, { region: this.options.region, configurationId: subscription.id })] };
      this.track(invokeAsync(subscription.function as LambdaFunctionSpec, invoke, message, this.options));
    }
  }

  async drained(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
