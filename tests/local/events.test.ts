/**
 * `npm start`'s asynchronous side: S3-shaped notifications from the local S3 server to the
 * program's subscribed functions (the real thumbnail function, with sharp), Lambda's async retries
 * ending in the failure queue for a poison event, the local scheduler (rates, triggerNow), and the photo-removals
 * queue the API's DELETE and the scheduled clean-up hand photos' objects to.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { S3Event } from "aws-lambda";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { albumItem, newId, originalKey, photoItem, photoKey, type PhotoItem } from "../../handlers/shared/gallery-keys";
import { signedInApi } from "./signed-in-api";
import { LambdaInvokeError } from "../../local/lambda-runtime";
import { LocalQueues } from "../../local/queues";
import { LocalBucketEvents, type ObjectEvent } from "../../local/s3-events";
import { LocalScheduler } from "../../local/scheduler";
import { LOCAL_CREDENTIALS, startLocalS3 } from "../../local/s3-server";
import { eventsService, type LocalEvents } from "../../local/services/events";
import type { LocalQueuesService } from "../../local/services/queues";
import type { LocalContext } from "../../local/services/types";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { LambdaFunction } from "../../components/lambda/function";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { record } from "../harness/mocks";
import type { LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";
import { QueueClock, untilDrained } from "./queue-clock";

const fn = (name: string, more: Partial<LambdaFunctionSpec> = {}) => ({ name, asyncInvoke: { maxRetryAttempts: 2, maxEventAgeSeconds: 3600, failureQueueRetentionDays: 14 }, ...more }) as LambdaFunctionSpec;
const created = (key: string) => ({ eventName: "ObjectCreated:Put", bucket: "b", key, size: 3, eTag: "e", sequencer: "01", time: new Date("2026-01-01T00:00:00Z") });

describe("local S3 notifications and asynchronous invocation", () => {
  it("has the S3 server report writes, multipart completions and deletes that succeeded, and nothing it refused", async () => {
    const reported: ObjectEvent[] = [];
    const server = await startLocalS3({ buckets: ["b"], onObjectEvent: (e) => reported.push(e) });
    const client = new S3Client({ endpoint: server.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
    try {
      await client.send(new PutObjectCommand({ Bucket: "b", Key: "originals/a.png", Body: "abc" }));
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: "big.bin" }));
      const part = await client.send(new UploadPartCommand({ Bucket: "b", Key: "big.bin", UploadId, PartNumber: 1, Body: "xyz" }));
      await client.send(new CompleteMultipartUploadCommand({ Bucket: "b", Key: "big.bin", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      await client.send(new DeleteObjectCommand({ Bucket: "b", Key: "originals/a.png" }));
      expect((await fetch(`${server.endpoint}/b/unsigned.png`, { method: "PUT", body: "x" })).status).toBe(403);
    } finally {
      client.destroy();
      await server.close();
    }
    expect(reported.map((e) => [e.eventName, e.key, e.size])).toEqual([
      ["ObjectCreated:Put", "originals/a.png", 3],
      ["ObjectCreated:CompleteMultipartUpload", "big.bin", 3],
      ["ObjectRemoved:Delete", "originals/a.png", undefined],
    ]);
    expect(reported[0].eTag).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(new Set(reported.map((e) => e.sequencer)).size).toBe(3);
  });

  it("delivers S3's event shape to matching subscriptions only, one event per object", async () => {
    const received: S3Event[] = [];
    const events = new LocalBucketEvents(
      [{ bucketName: "b", subscription: { id: "thumbs", function: fn("t"), events: ["s3:ObjectCreated:*"], filterPrefix: "originals/", filterSuffix: "" }, invoke: async (e) => void received.push(e as S3Event) }],
      { queues: new LocalQueues(), region: "eu-west-1", retryDelaysMs: [0] },
    );
    events.deliver(created("originals/a b/c+d.png"));
    events.deliver(created("thumbnails/x.webp"));
    events.deliver({ ...created("originals/x.png"), eventName: "ObjectRemoved:Delete" });
    events.deliver({ ...created("originals/y.png"), bucket: "other" });
    await events.drained();
    expect(received).toHaveLength(1);
    expect(received[0].Records[0]).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "eu-west-1",
      eventName: "ObjectCreated:Put",
      s3: { s3SchemaVersion: "1.0", configurationId: "thumbs", bucket: { name: "b", arn: "arn:aws:s3:::b" }, object: { key: "originals/a+b/c%2Bd.png", size: 3, eTag: "e", sequencer: "01" } },
    });
  });

  it("retries a poison event twice, then sends Lambda's invocation record to the failure queue", async () => {
    const queues = new LocalQueues();
    let attempts = 0;
    const events = new LocalBucketEvents(
      [{ bucketName: "b", subscription: { id: "s", function: fn("poisoned"), events: ["s3:ObjectCreated:*"], filterPrefix: "", filterSuffix: "" }, invoke: async () => {
        attempts += 1;
        throw new LambdaInvokeError("poisoned", "TypeError", "Cannot read properties of undefined");
      } }],
      { queues, region: "us-east-1", retryDelaysMs: [0, 0] },
    );
    events.deliver(created("k"));
    await events.drained();
    expect(attempts).toBe(3);
    const [message] = queues.messages("poisoned-failures");
    expect(message.body).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { Records: [{ s3: { object: { key: "k" } } }] },
      responseContext: { functionError: "Unhandled" },
      responsePayload: { errorType: "TypeError", errorMessage: "Cannot read properties of undefined" },
    });
  });

  it("sends a handled event's record to the on-success destination, and a failed one's to the on-failure destination's queue", async () => {
    const queues = new LocalQueues();
    const destinations = { maxRetryAttempts: 0, maxEventAgeSeconds: 3600, onSuccess: { type: "sqs", arn: "arn:aws:sqs:us-east-1:123456789012:thumbnails-done" }, onFailure: { type: "lambda", arn: "arn:aws:lambda:us-east-1:123456789012:function:alert" } } as const;
    const events = new LocalBucketEvents(
      [{ bucketName: "b", subscription: { id: "s", function: fn("thumb", { asyncInvoke: destinations }), events: ["s3:ObjectCreated:*"], filterPrefix: "", filterSuffix: "" }, invoke: async (event) => {
        if ((event as S3Event).Records[0].s3.object.key === "bad") throw new LambdaInvokeError("thumb", "Error", "unreadable image");
        return { thumbnail: "small.webp" };
      } }],
      { queues, region: "us-east-1", retryDelaysMs: [] },
    );
    events.deliver(created("good"));
    events.deliver(created("bad"));
    await events.drained();
    expect(queues.messages("thumbnails-done").map((m) => m.body)).toEqual([
      expect.objectContaining({ requestContext: expect.objectContaining({ condition: "Success", approximateInvokeCount: 1 }), requestPayload: { Records: [expect.objectContaining({ s3: expect.objectContaining({ object: expect.objectContaining({ key: "good" }) }) })] }, responseContext: { statusCode: 200, executedVersion: "$LATEST" }, responsePayload: { thumbnail: "small.webp" } }),
    ]);
    // A function destination is not invoked locally: its records stay in the function's own queue file.
    expect(queues.messages("thumb-on-failure").map((m) => m.body)).toEqual([expect.objectContaining({ requestContext: expect.objectContaining({ condition: "RetriesExhausted" }), responsePayload: { errorType: "Error", errorMessage: "unreadable image" } })]);
  });

  it("does not run a handled event again when its success record cannot be written (Lambda counts a failed delivery, it does not retry the event)", async () => {
    const queues = new LocalQueues();
    const send = queues.send.bind(queues);
    vi.spyOn(queues, "send").mockImplementation((queue, body) => {
      if (queue === "done") throw new Error("disk full");
      return send(queue, body);
    });
    let runs = 0;
    const events = new LocalBucketEvents(
      [{ bucketName: "b", subscription: { id: "s", function: fn("once", { asyncInvoke: { maxRetryAttempts: 2, maxEventAgeSeconds: 3600, onSuccess: { type: "sqs", arn: "arn:aws:sqs:us-east-1:123456789012:done" } } }), events: ["s3:ObjectCreated:*"], filterPrefix: "", filterSuffix: "" }, invoke: async () => {
        runs += 1;
        return "ok";
      } }],
      { queues, region: "us-east-1", retryDelaysMs: [0, 0] },
    );
    events.deliver(created("k"));
    await events.drained();
    expect(runs).toBe(1);
    expect(queues.queues()).toEqual([]);
  });

  it("stops retrying once an attempt succeeds, and drops what fails without a destination", async () => {
    const queues = new LocalQueues();
    let attempts = 0;
    const flaky = new LocalBucketEvents(
      [{ bucketName: "b", subscription: { id: "s", function: fn("flaky"), events: ["s3:ObjectCreated:*"], filterPrefix: "", filterSuffix: "" }, invoke: async () => {
        if (++attempts === 1) throw new Error("throttled");
      } }],
      { queues, region: "us-east-1", retryDelaysMs: [0] },
    );
    flaky.deliver(created("k"));
    await flaky.drained();
    expect(attempts).toBe(2);
    const dropped = new LocalBucketEvents(
      [{ bucketName: "b", subscription: { id: "s", function: fn("plain", { asyncInvoke: undefined }), events: ["s3:ObjectCreated:*"], filterPrefix: "", filterSuffix: "" }, invoke: async () => Promise.reject(new Error("no")) }],
      { queues, region: "us-east-1", retryDelaysMs: [0] },
    );
    dropped.deliver(created("k"));
    await dropped.drained();
    expect(queues.queues()).toEqual([]);
  });
});

describe("local scheduler", () => {
  afterEach(() => vi.useRealTimers());

  it("fires a rate schedule at its rate with its input, and fires on demand", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const inputs: unknown[] = [];
    const job = fn("job", { schedule: { expression: "rate(5 minutes)", timezone: "UTC", input: { run: "cleanup", at: "<aws.scheduler.scheduled-time>" }, maxRetryAttempts: 3, maxEventAgeSeconds: 3600, deadLetterRetentionDays: 14, minimumIntervalMinutes: 1, enabled: true } });
    const scheduler = new LocalScheduler([{ name: "job", function: job, invoke: async (e) => void inputs.push(e) }], { queues: new LocalQueues(), region: "us-east-1" });
    scheduler.start();
    expect(scheduler.nextFireTimes().job?.toISOString()).toBe("2026-01-01T00:05:00.000Z");
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(inputs).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    // Scheduler's context attributes are replaced, as in AWS: the scheduled time, to the minute.
    expect(inputs).toEqual([{ run: "cleanup", at: "2026-01-01T00:05:00Z" }]);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(inputs).toHaveLength(3);
    expect(await scheduler.triggerNow("job")).toBe("succeeded");
    expect(inputs).toHaveLength(4);
    await expect(scheduler.triggerNow("nope")).rejects.toThrow(/no schedule named nope; schedules: job/);
    scheduler.stop();
  });
});

describe("local scheduler, its clock behind its timers", () => {
  afterEach(() => vi.useRealTimers());

  it("fires a schedule once per fire time when its timer runs a few ms before the clock reaches it (a wall clock set back, timers on a monotonic clock)", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const inputs: unknown[] = [];
    let behindMs = 0;
    const job = fn("job", { schedule: { expression: "rate(5 minutes)", timezone: "UTC", input: { at: "<aws.scheduler.scheduled-time>" }, maxRetryAttempts: 0, maxEventAgeSeconds: 3600, deadLetterRetentionDays: 14, minimumIntervalMinutes: 1, enabled: true } });
    const scheduler = new LocalScheduler([{ name: "job", function: job, invoke: async (e) => void inputs.push(e) }], { queues: new LocalQueues(), region: "us-east-1", now: () => Date.now() - behindMs });
    scheduler.start();
    behindMs = 3;
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 1_000);
    expect(inputs).toEqual([{ at: "2026-01-01T00:05:00Z" }]);
    expect(scheduler.nextFireTimes().job?.toISOString()).toBe("2026-01-01T00:10:00.000Z");
    scheduler.stop();
  });
});

describe("local schedules in a program", () => {
  afterEach(() => clearRegisteredSpecs());

  it("replaces <aws.scheduler.schedule-arn> with the schedule's recorded ARN (arn:aws:scheduler:<region>:<account>:schedule/default/<name>)", async () => {
    const graph = await record(() => new LambdaFunction("nightly-job", { entry: "tests/fixtures/handlers/echo.ts", schedule: { expression: "rate(1 day)", input: { schedule: "<aws.scheduler.schedule-arn>" } } }));
    const recorded = graph.find((r) => r.type === "aws:scheduler/schedule:Schedule")!;
    const inputs: unknown[] = [];
    const context = {
      run: { resources: graph },
      environment: { AWS_REGION: "us-east-1" },
      queues: () => new LocalQueues(),
      lambda: () => ({ invoke: async (event: unknown) => void inputs.push(event), arn: () => "arn" }),
      log: () => undefined,
    } as unknown as LocalContext;
    const events = (await eventsService.start(context)) as LocalEvents;
    try {
      expect(await events.scheduler.triggerNow("nightly-job")).toBe("succeeded");
    } finally {
      await events.stop();
    }
    expect(recorded.state.arn).toBe(`arn:aws:scheduler:us-east-1:${MOCK_ACCOUNT_ID}:schedule/default/${recorded.state.name}`);
    expect(inputs).toEqual([{ schedule: recorded.state.arn }]);
  });
});

describe.sequential("npm start: uploads become thumbnails, the clean-up runs on its schedule, deleted photos' objects go through a queue", () => {
  let app: LocalApp;
  const queueClock = new QueueClock();
  let doc: DynamoDBDocumentClient;
  let s3: S3Client;
  let table: string;
  let bucket: string;
  const sub = "5d1c7e2a-0000-4000-8000-00000000e2e5";
  const album = albumItem({ sub, title: "Local events" });

  beforeAll(async () => {
    app = await startDevApp("sf-events-", { queueClock: queueClock.now });
    Object.assign(app.context.environment, { POWERTOOLS_LOG_LEVEL: "ERROR" });
    const env = app.context.environment;
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS }), { marshallOptions: { removeUndefinedValues: true } });
    s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
    table = app.context.run.outputs.galleryTableName as string;
    bucket = app.context.run.outputs.uploadBucketName as string;
    await doc.send(new PutCommand({ TableName: table, Item: album }));
  }, 120_000);
  afterAll(async () => {
    doc?.destroy();
    s3?.destroy();
    await app?.stop();
  });

  const events = () => app.services.find((s) => s.name === "events") as LocalEvents;

  async function uploadOriginal(body: Buffer, contentType: string, createdAt?: string): Promise<PhotoItem> {
    const draft = photoItem({ sub, albumId: album.albumId, objectKey: "", contentType, size: body.length, photoId: newId(), createdAt });
    const photo = { ...draft, objectKey: originalKey(sub, album.albumId, draft.photoId, contentType) };
    await doc.send(new PutCommand({ TableName: table, Item: photo }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: photo.objectKey, Body: body, ContentType: contentType }));
    return photo;
  }
  const stored = async (photo: PhotoItem) => (await doc.send(new GetCommand({ TableName: table, Key: photoKey(sub, photo.albumId, photo.photoId), ConsistentRead: true }))).Item as PhotoItem | undefined;

  it("runs the thumbnail function on each upload: a PNG and a JPEG become ready, a corrupt file failed", async () => {
    const png = await sharp({ create: { width: 1600, height: 900, channels: 3, background: "#3a7" } }).png().toBuffer();
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#a37" } }).jpeg().toBuffer();
    const photos = [await uploadOriginal(png, "image/png"), await uploadOriginal(jpeg, "image/jpeg"), await uploadOriginal(Buffer.from("not an image at all"), "image/png")];
    await events().bucketEvents.drained();
    const [readyPng, readyJpeg, broken] = await Promise.all(photos.map(stored));
    expect(readyPng).toMatchObject({ status: "ready", width: 1600, height: 900, format: "png" });
    expect(readyPng!.thumbnails!.map((t) => [t.width, t.height])).toEqual([[320, 180], [1280, 720]]);
    expect(readyJpeg).toMatchObject({ status: "ready", width: 640, height: 480, format: "jpeg" });
    expect(broken).toMatchObject({ status: "failed" });
    expect(broken!.failureReason).toMatch(/^The file is not an image the gallery can read/);
    expect(events().queues.queues()).toEqual([]);
  }, 120_000);

  const objectExists = (key: string) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, (error: Error) => (error.name === "NotFound" ? false : Promise.reject(error)));
  const sqs = () => (app.services.find((service) => service.name === "sqs") as LocalQueuesService).server.sqs;
  /** Whether the queue has nothing visible, in flight or delayed. */
  const empty = (name: string) => {
    const a = sqs().attributes(name);
    return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0" && a.ApproximateNumberOfMessagesDelayed === "0";
  };
  /** Until the queue is empty: its consumer deletes what a message names, then the event source deletes the message, so an empty queue means it ran. */
  const drained = (name: string) => untilDrained(app, queueClock, name);

  it("fires the program's clean-up schedule on demand: only the stale pending photo goes, its original through the photo-removals queue", async () => {
    expect(events().scheduler.names()).toContain("photo-cleanup");
    const stale = await uploadOriginal(Buffer.from("x"), "image/gif", new Date(Date.now() - 48 * 3600_000).toISOString());
    await events().bucketEvents.drained(); // it is processed (and fails: not a GIF) — failed photos go too
    const fresh = await uploadOriginal(await sharp({ create: { width: 10, height: 10, channels: 3, background: "#000" } }).png().toBuffer(), "image/png");
    await events().bucketEvents.drained();
    const queueName = app.context.run.outputs.photoRemovalsQueueName as string;
    // What the local SQS server is sent while the clean-up runs (mockRestore forgets the calls: they are copied first).
    const spy = vi.spyOn(sqs(), "send");
    let sent: unknown[] = [];
    try {
      expect(await events().scheduler.triggerNow("photo-cleanup")).toBe("succeeded");
    } finally {
      sent = spy.mock.calls.map(([queue, input]) => [queue, JSON.parse(input.body)]);
      spy.mockRestore();
    }
    expect(await stored(stale)).toBeUndefined();
    expect(await stored(fresh)).toMatchObject({ status: "ready" });
    // The clean-up deleted the item and sent the removal; the queue's consumer deleted the original.
    expect(sent).toEqual([[queueName, { sub, albumId: album.albumId, photoId: stale.photoId, objectKeys: [stale.objectKey], region: app.context.environment.AWS_REGION }]]);
    await drained(queueName);
    expect(await objectExists(stale.objectKey)).toBe(false);
    expect(await objectExists(fresh.objectKey)).toBe(true);
    expect(empty(app.context.run.outputs.photoRemovalsDeadLetterQueueName as string)).toBe(true);
  }, 150_000);

  it("deletes a photo through the API at once (204), and its original and thumbnails once the photo-removals queue's consumer ran", async () => {
    const { owner, api } = await signedInApi(app, "remover@example.com");
    const album = await api("POST", "/albums", { title: "To empty" });
    expect(album.status).toBe(201);
    const image = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#37a" } }).png().toBuffer();
    const created = await api("POST", `/albums/${album.body.albumId}/photos`, { contentType: "image/png", size: image.length });
    expect(created.status).toBe(201);
    expect((await fetch(created.body.upload.url, { method: "PUT", headers: created.body.upload.headers, body: image })).status).toBe(200);
    await events().bucketEvents.drained();
    const photo = (await doc.send(new GetCommand({ TableName: table, Key: photoKey(owner, album.body.albumId, created.body.photo.photoId), ConsistentRead: true }))).Item as PhotoItem;
    expect(photo).toMatchObject({ status: "ready" });
    const keys = [photo.objectKey, ...photo.thumbnails!.map((t) => t.key)];
    expect(await Promise.all(keys.map(objectExists))).toEqual([true, true, true]);

    expect((await api("DELETE", `/albums/${album.body.albumId}/photos/${photo.photoId}`)).status).toBe(204);
    expect((await api("GET", `/albums/${album.body.albumId}/photos/${photo.photoId}`)).status).toBe(404);
    await drained(app.context.run.outputs.photoRemovalsQueueName as string);
    expect(await Promise.all(keys.map(objectExists))).toEqual([false, false, false]);
    expect(empty(app.context.run.outputs.photoRemovalsDeadLetterQueueName as string)).toBe(true);
  }, 150_000);
});
