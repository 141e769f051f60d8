/**
 * The local SQS server (local/sqs-server.ts) through the real @aws-sdk/client-sqs: sends, receives and deletes,
 * batch limits, FIFO order and deduplication, visibility, redrive to the dead-letter queue, retention, and errors in
 * SQS's shape. Time is an injected clock; long polls are woken by sends, never waited out.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LocalSqs, md5OfMessageAttributes, startLocalSqs, type LocalQueueDefinition, type LocalSqsServer, type StoredMessage } from "../../local/sqs-server";
import { signedSqsFetch } from "./sqs-helpers";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const MiB = 1024 * 1024;
const queue = (name: string, more: Partial<LocalQueueDefinition> = {}): LocalQueueDefinition => ({
  name,
  fifo: name.endsWith(".fifo"),
  contentBasedDeduplication: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 4 * 86_400,
  delaySeconds: 0,
  maximumMessageBytes: MiB,
  region: "eu-west-1",
  ...more,
});

let now = Date.UTC(2026, 0, 1);
const servers: LocalSqsServer[] = [];
const clients: SQSClient[] = [];

const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

async function start(queues: LocalQueueDefinition[], stateDir?: string) {
  const server = await startLocalSqs({ queues, now: () => now, stateDir, credentials: [CREDENTIALS] });
  servers.push(server);
  const sqs = new SQSClient({ endpoint: server.endpoint, region: "eu-west-1", credentials: CREDENTIALS });
  clients.push(sqs);
  return { server, sqs, url: (name: string) => server.queueUrl(name) };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.stop();
  now = Date.UTC(2026, 0, 1);
});

/** Resolves once `condition` holds, checking after each turn of the event loop (no timer: the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Messages to restore into a queue (sent now, receivable now unless `more` says otherwise), each a Proxy that adds its
 * id to `read` whenever the server reads one of its fields: what a request touched, counted without a clock.
 */
function watchedMessages(entries: Array<[id: string, more?: Partial<StoredMessage>]>) {
  const read = new Set<string>();
  const messages = entries.map(([id, more]): StoredMessage => {
    const message: StoredMessage = { messageId: id, body: id, md5OfBody: createHash("md5").update(id).digest("hex"), messageAttributes: {}, senderId: "local", sentTimestamp: now, enqueuedAt: now, delayUntil: now, invisibleUntil: 0, receiveCount: 0, ...more };
    return new Proxy(message, { get: (target, key, receiver) => (read.add(target.messageId), Reflect.get(target, key, receiver)) });
  });
  return { read, messages };
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => expect.unreachable("the call succeeded"), (error: { name: string; Code?: string; $metadata: { httpStatusCode?: number } }) => error);

describe("local SQS server", () => {
  it("sends, receives and deletes a message with AWS's MD5s, ids and attributes", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "jobs" }));
    expect(QueueUrl).toBe(`${server.endpoint}/123456789012/jobs`);
    const attributes = { kind: { DataType: "String", StringValue: "resize" }, blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) } };
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "héllo", MessageAttributes: attributes }));
    expect(sent.MD5OfMessageBody).toBe(createHash("md5").update("héllo").digest("hex"));
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    // The known digest of AWS's algorithm for these attributes, computed independently of the server's encoder.
    expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ kind: { DataType: "String", StringValue: "resize" }, blob: { DataType: "Binary", BinaryValue: "AQID" } }));

    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
    expect(Messages).toHaveLength(1);
    const [message] = Messages!;
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: "héllo", MD5OfBody: sent.MD5OfMessageBody, MD5OfMessageAttributes: sent.MD5OfMessageAttributes });
    expect(message.MessageAttributes?.kind).toEqual({ DataType: "String", StringValue: "resize" });
    expect([...(message.MessageAttributes?.blob.BinaryValue ?? [])]).toEqual([1, 2, 3]);
    expect(message.Attributes).toEqual({ ApproximateReceiveCount: "1", SentTimestamp: String(now), SenderId: "AKIDLOCAL", ApproximateFirstReceiveTimestamp: String(now) });

    // Hidden while in flight; gone once deleted.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    now += 31_000;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs") }))).Messages).toBeUndefined();
  });

  it("brings a message back after its visibility timeout, counting receives, and ChangeMessageVisibility moves it", async () => {
    const { sqs, url } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a" }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 10 }))).Messages![0];
    now += 9_999;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    now += 1;
    const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }))).Messages![0];
    expect(second.Attributes).toEqual({ ApproximateReceiveCount: "2" });
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    // The first receive's handle no longer deletes it (and is no error).
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0 }));
    const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0];
    expect(third.MessageId).toBe(first.MessageId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: third.ReceiptHandle }));
    const notInFlight = await errorOf(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: third.ReceiptHandle, VisibilityTimeout: 5 })));
    expect([notInFlight.name, notInFlight.Code, notInFlight.$metadata.httpStatusCode]).toEqual(["MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400]);
  });

  it("answers GetQueueAttributes for every attribute name SQS has, leaving out those the queue does not have", async () => {
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    const { sqs, url } = await start([queue("jobs", { policy }), queue("jobs.fifo", { sqsManagedSseEnabled: false })]);
    const ask = async (name: string, AttributeNames: string[]) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url(name), AttributeNames: AttributeNames as never }))).Attributes;
    expect(await ask("jobs", ["SqsManagedSseEnabled", "Policy"])).toEqual({ SqsManagedSseEnabled: "true", Policy: policy });
    // A FIFO queue's attributes and encryption keys of a queue that has none are known names, answered with nothing.
    expect(await ask("jobs", ["FifoQueue", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "RedriveAllowPolicy"])).toBeUndefined();
    expect(await ask("jobs.fifo", ["All"])).toMatchObject({ SqsManagedSseEnabled: "false", FifoQueue: "true" });
    expect((await ask("jobs.fifo", ["All"]))?.Policy).toBeUndefined();
    const unknown = await errorOf(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url("jobs"), AttributeNames: ["Colour" as never] })));
    expect([unknown.name, unknown.$metadata.httpStatusCode]).toEqual(["InvalidAttributeName", 400]);
  });

  it("long-polls until a message arrives", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }));
    // The send comes only once the receive waits on the empty queue: the message is found by the long poll.
    await until(() => server.sqs.waiting("jobs") === 1);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "late" }));
    expect((await polling).Messages?.map((m) => m.Body)).toEqual(["late"]);
    expect(server.sqs.waiting("jobs")).toBe(0);
  });

  it("ends a long poll of an empty queue with no messages once WaitTimeSeconds have passed on the queue's clock", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs"), WaitTimeSeconds: 20 }));
    await until(() => server.sqs.waiting("jobs") === 1);
    now += 19_999;
    server.sqs.wake();
    // Woken before its deadline, it waits again.
    await until(() => server.sqs.waiting("jobs") === 1);
    now += 1;
    server.sqs.wake();
    expect((await polling).Messages).toBeUndefined();
  });

  it("holds delayed messages back and reports the queue's counts", async () => {
    const { sqs, url } = await start([queue("jobs", { delaySeconds: 5 })]);
    const QueueUrl = url("jobs");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "queue delay" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "no delay", DelaySeconds: 0 }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body)).toEqual(["no delay"]);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1", ApproximateNumberOfMessagesDelayed: "1", QueueArn: "arn:aws:sqs:eu-west-1:123456789012:jobs", DelaySeconds: "5" });
    now += 5_000;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.map((m) => m.Body)).toEqual(["queue delay"]);
  });

  it("applies batch limits: at most 10 distinct, valid entries, 1 MiB in all", async () => {
    const { sqs, url } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const entries = (n: number, body = "x") => Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: body }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [...entries(9), { Id: "bad", MessageBody: "x", DelaySeconds: 901 }] }));
    expect(sent.Successful).toHaveLength(9);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: "bad", SenderFault: true, Code: "InvalidParameterValue" })]);
    const cases: Array<[unknown[], string]> = [
      [entries(11), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"],
      [[], "AWS.SimpleQueueService.EmptyBatchRequest"],
      [[{ Id: "a", MessageBody: "x" }, { Id: "a", MessageBody: "y" }], "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"],
      [[{ Id: "no spaces", MessageBody: "x" }], "AWS.SimpleQueueService.InvalidBatchEntryId"],
      [entries(2, "x".repeat(MiB / 2 + 1)), "AWS.SimpleQueueService.BatchRequestTooLong"],
    ];
    for (const [Entries, code] of cases) {
      const error = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Entries as never })));
      expect([error.Code, error.$metadata.httpStatusCode]).toEqual([code, 400]);
    }
    const received = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
    expect(received).toHaveLength(9);
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [...received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: "junk", ReceiptHandle: "not-a-handle" }] }));
    expect(deleted.Successful).toHaveLength(9);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: "junk", Code: "ReceiptHandleIsInvalid", SenderFault: true })]);
    const tooMany = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })));
    expect(tooMany.Code).toBe("InvalidParameterValue");
  });

  it("limits a batch to 1 MiB in all whatever the queue's MaximumMessageSize, which limits each entry (API_SendMessageBatch)", async () => {
    // A topic subscription's dead-letter queue recorded at the provider's default, 256 KiB.
    const { sqs, url } = await start([queue("small", { maximumMessageBytes: 262_144 })]);
    const QueueUrl = url("small");
    const body = "x".repeat(200 * 1024);
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: body }, { Id: "b", MessageBody: body }, { Id: "big", MessageBody: body + body }] }));
    expect(sent.Successful?.map((e) => e.Id)).toEqual(["a", "b"]);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: "big", Code: "InvalidParameterValue", Message: expect.stringContaining("Message must be shorter than 262144 bytes.") })]);
    const tooLong = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: `m${i}`, MessageBody: body })) })));
    expect([tooLong.Code, tooLong.$metadata.httpStatusCode]).toEqual(["AWS.SimpleQueueService.BatchRequestTooLong", 400]);
  });

  it("fails a batch entry with malformed attributes on its own (InvalidParameterValue, a sender fault, not a 500), and sends the rest", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const response = await signedSqsFetch(
      server.endpoint,
      "AmazonSQS.SendMessageBatch",
      JSON.stringify({
        QueueUrl,
        Entries: [
          { Id: "null-value", MessageBody: "a", MessageAttributes: { kind: null } },
          { Id: "no-type", MessageBody: "b", MessageAttributes: { kind: { StringValue: "x" } } },
          { Id: "not-a-map", MessageBody: "c", MessageAttributes: 5 },
          { Id: "fine", MessageBody: "d", MessageAttributes: { kind: { DataType: "String", StringValue: "x" } } },
        ],
      }),
      { credentials: CREDENTIALS },
    );
    expect(response.status).toBe(200);
    const { Successful, Failed } = (await response.json()) as { Successful: Array<{ Id: string }>; Failed: Array<{ Id: string; Code: string; SenderFault: boolean }> };
    expect(Successful.map((e) => e.Id)).toEqual(["fine"]);
    expect(Failed.map((e) => [e.Id, e.Code, e.SenderFault])).toEqual(["null-value", "no-type", "not-a-map"].map((id) => [id, "InvalidParameterValue", true]));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body)).toEqual(["d"]);
  });

  it("refuses a message over the queue's maximum size, and accepts one of exactly that size", async () => {
    const { sqs, url } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(MiB) }));
    const error = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(MiB - 2), MessageAttributes: { a: { DataType: "String", StringValue: "x" } } })));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["InvalidParameterValue", 400]);
  });

  it("keeps FIFO order per group, one batch in flight per group, and deduplicates for five minutes", async () => {
    const { sqs, url } = await start([queue("orders.fifo", { contentBasedDeduplication: true })]);
    const QueueUrl = url("orders.fifo");
    const send = (body: string, group: string, MessageDeduplicationId?: string) => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: group, MessageDeduplicationId }));
    const a1 = await send("a1", "a");
    await send("b1", "b");
    await send("a2", "a");
    const duplicate = await send("a1", "a");
    expect(duplicate.MessageId).toBe(a1.MessageId);
    expect(a1.SequenceNumber).toMatch(/^\d{20,}$/);
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["MessageGroupId", "SequenceNumber"] }))).Messages!;
    expect(first.map((m) => m.Body)).toEqual(["a1", "b1", "a2"]);
    expect(first[0].Attributes).toEqual({ MessageGroupId: "a", SequenceNumber: a1.SequenceNumber });
    await send("a3", "a");
    await send("c1", "c");
    // Groups a and b are in flight: only c's message comes out.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body)).toEqual(["c1"]);
    // a1 fails (its visibility runs out) while a2 was deleted: a1 comes back before a3.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first[2].ReceiptHandle }));
    now += 30_000;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body)).toEqual(["a1", "b1", "a3", "c1"]);
    now += 5 * 60_000;
    const again = await send("a1", "a");
    expect(again.MessageId).not.toBe(a1.MessageId);

    const noGroup = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
    expect([noGroup.name, noGroup.Code]).toEqual(["MissingParameter", "MissingParameter"]);
    const perMessageDelay = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g", DelaySeconds: 1 })));
    expect(perMessageDelay.name).toBe("InvalidParameterValue");
  });

  it("refuses to extend a message's visibility past 12 hours from the receive, as SQS does; a new receive starts a new 12 hours", async () => {
    const { sqs, url } = await start([queue("jobs", { visibilityTimeoutSeconds: 60 })]);
    const QueueUrl = url("jobs");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "long job" }));
    const receive = async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0].ReceiptHandle!;
    const handle = await receive();
    // A heartbeat: every hour, two more hours; 11 hours after the receive, that is beyond its 12.
    for (let hour = 0; hour < 11; hour++) {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 7200 }));
      now += 3600_000;
    }
    const beyond = await errorOf(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 7200 })));
    expect([beyond.Code, beyond.$metadata.httpStatusCode, (beyond as unknown as Error).message]).toEqual([
      "InvalidParameterValue",
      400,
      "Value 7200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
    ]);
    // Up to exactly 12 hours is taken.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 3600 }));
    const batch = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [{ Id: "a", ReceiptHandle: handle, VisibilityTimeout: 3601 }] }));
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: "a", Code: "InvalidParameterValue", SenderFault: true })]);
    // Still in flight until the 12 hours pass; then received again, with 12 hours of its own.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    now += 3600_000;
    const again = await receive();
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again, VisibilityTimeout: 43_200 }));
  });

  it("takes DelaySeconds 0 on a FIFO queue and ignores it, the queue's delay applying, as SQS does; any other per-message delay is refused", async () => {
    const { sqs, url } = await start([queue("slow.fifo", { contentBasedDeduplication: true, delaySeconds: 5 })]);
    const QueueUrl = url("slow.fifo");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "zero", MessageGroupId: "g", DelaySeconds: 0 }));
    const batch = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "b", MessageBody: "batched", MessageGroupId: "g", DelaySeconds: 0 }, { Id: "late", MessageBody: "late", MessageGroupId: "g", DelaySeconds: 3 }] }));
    expect([batch.Successful?.map((e) => e.Id), batch.Failed?.map((e) => [e.Id, e.Code])]).toEqual([["b"], [["late", "InvalidParameterValue"]]]);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages).toBeUndefined();
    now += 5_000;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body)).toEqual(["zero", "batched"]);
  });

  it("refuses a FIFO delete with a receipt handle whose visibility timeout has passed, as SQS does; a standard queue takes it", async () => {
    const { sqs, url } = await start([queue("jobs.fifo", { contentBasedDeduplication: true, visibilityTimeoutSeconds: 30 }), queue("jobs", { visibilityTimeoutSeconds: 30 })]);
    await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs.fifo"), MessageBody: "fifo", MessageGroupId: "g" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "standard" }));
    const [fifo] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs.fifo") }))).Messages!;
    const [standard] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs") }))).Messages!;
    now += 30_000;
    const expired = await errorOf(sqs.send(new DeleteMessageCommand({ QueueUrl: url("jobs.fifo"), ReceiptHandle: fifo.ReceiptHandle })));
    expect([expired.name, expired.$metadata.httpStatusCode]).toEqual(["InvalidParameterValue", 400]);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs.fifo") }))).Messages?.map((m) => m.Body)).toEqual(["fifo"]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url("jobs"), ReceiptHandle: standard.ReceiptHandle }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs") }))).Messages).toBeUndefined();
  });

  it("deletes and changes the visibility of exactly the messages a batch names, out of order, behind a backlog, reading no other message", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    // A backlog of 990 delayed messages, then 10 receivable ones.
    const ids = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    const { read, messages } = watchedMessages(ids.map((id, i) => [id, i < 990 ? { delayUntil: now + 900_000 } : {}]));
    server.sqs.restore({ version: 1, sequence: "0", queues: { jobs: { messages, deduplication: {} } } });
    const received = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages!;
    expect(received.map((m) => m.Body)).toEqual(Array.from({ length: 10 }, (_, i) => `m${990 + i}`));
    read.clear();

    const handle = (body: string) => received.find((m) => m.Body === body)!.ReceiptHandle;
    const changed = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: ["m991", "m990"].map((body) => ({ Id: body, ReceiptHandle: handle(body), VisibilityTimeout: 0 })) }));
    expect([changed.Successful?.map((e) => e.Id), changed.Failed]).toEqual([["m991", "m990"], []]);
    // The rest deleted last to first; a handle named twice deletes once and is no error (a standard queue).
    const deleting = ["m999", "m995", "m992", "m998", "m993", "m997", "m994", "m996"];
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [...deleting, "m999"].map((body, i) => ({ Id: `d${i}`, ReceiptHandle: handle(body) })) }));
    expect([deleted.Successful?.length, deleted.Failed]).toEqual([9, []]);
    // Each handle went straight to its message: no message of the backlog was read.
    expect([...read].filter((id) => !received.some((m) => m.MessageId === id))).toEqual([]);

    expect(server.sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "2", ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "990" });
    expect(server.sqs.snapshot().queues.jobs.messages.map((m) => m.messageId)).toEqual(ids.slice(0, 992));
    now += 900_000;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body)).toEqual(ids.slice(0, 10));
  });

  it("in a FIFO queue, deletes a batch out of order behind a backlog, refuses the entry whose receipt handle has expired, and keeps the group's order", async () => {
    const { sqs, url, server } = await start([queue("jobs.fifo", { contentBasedDeduplication: true })]);
    const QueueUrl = url("jobs.fifo");
    // A backlog of group z, in flight for 10 minutes, then a1, a2, b1 and c1 in their groups.
    const backlog = Array.from({ length: 500 }, (_, i): [string, Partial<StoredMessage>] => [`z${i}`, { messageGroupId: "z", invisibleUntil: now + 600_000, receiveCount: 1, firstReceiveTimestamp: now }]);
    const { read, messages } = watchedMessages([...backlog, ["a1", { messageGroupId: "a" }], ["a2", { messageGroupId: "a" }], ["b1", { messageGroupId: "b" }], ["c1", { messageGroupId: "c" }]]);
    server.sqs.restore({ version: 1, sequence: "0", queues: { "jobs.fifo": { messages, deduplication: {} } } });
    const receive = async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
    const first = await receive();
    expect(first.map((m) => m.Body)).toEqual(["a1", "a2", "b1", "c1"]);
    now += 30_000;
    const second = await receive();
    expect(second.map((m) => m.Body)).toEqual(["a1", "a2", "b1", "c1"]);
    const handle = (messages: typeof first, body: string) => messages.find((m) => m.Body === body)!.ReceiptHandle;
    read.clear();
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: "c1", ReceiptHandle: handle(second, "c1") }, { Id: "a1-expired", ReceiptHandle: handle(first, "a1") }, { Id: "b1", ReceiptHandle: handle(second, "b1") }, { Id: "a1", ReceiptHandle: handle(second, "a1") }] }),
    );
    expect(deleted.Successful?.map((e) => e.Id)).toEqual(["c1", "b1", "a1"]);
    expect(deleted.Failed).toEqual([{ Id: "a1-expired", SenderFault: true, Code: "InvalidParameterValue", Message: expect.stringMatching(/Reason: The receipt handle has expired\.$/) }]);
    expect([...read].sort()).toEqual(["a1", "b1", "c1"]);
    // a2 is still in flight with its second receive; once it comes back it is the group's next, and all that is left.
    expect(await receive()).toEqual([]);
    now += 30_000;
    expect((await receive()).map((m) => m.Body)).toEqual(["a2"]);
  });

  it("requires a deduplication id on a FIFO queue without content-based deduplication, and refuses one on a standard queue", async () => {
    const { sqs, url } = await start([queue("plain.fifo"), queue("jobs")]);
    const fifo = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: url("plain.fifo"), MessageBody: "x", MessageGroupId: "g" })));
    expect(fifo.name).toBe("InvalidParameterValue");
    const standard = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "x", MessageDeduplicationId: "d" })));
    expect(standard.name).toBe("InvalidParameterValue");
  });

  it("moves a message to the dead-letter queue after maxReceiveCount receives, keeping its id", async () => {
    const { sqs, url } = await start([queue("jobs", { redrive: { deadLetterQueueName: "jobs-dlq", maxReceiveCount: 2 } }), queue("jobs-dlq")]);
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "poison" }));
    for (let i = 0; i < 2; i++) {
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs") }))).Messages).toHaveLength(1);
      now += 30_000;
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs") }))).Messages).toBeUndefined();
    const dead = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs-dlq"), MessageSystemAttributeNames: ["DeadLetterQueueSourceArn"] }))).Messages!;
    expect(dead.map((m) => [m.MessageId, m.Body, m.Attributes?.DeadLetterQueueSourceArn])).toEqual([[MessageId, "poison", "arn:aws:sqs:eu-west-1:123456789012:jobs"]]);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url("jobs"), AttributeNames: ["RedrivePolicy"] }));
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:jobs-dlq", maxReceiveCount: 2 });
  });

  it("drops messages past the retention period", async () => {
    const { sqs, url } = await start([queue("jobs", { messageRetentionSeconds: 60 })]);
    await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "old" }));
    now += 60_000;
    await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "new" }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs"), MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body)).toEqual(["new"]);
  });

  it("lists queues, purges once a minute, and answers an unknown queue with QueueDoesNotExist", async () => {
    const { sqs, url } = await start([queue("jobs"), queue("jobs-dlq"), queue("other")]);
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "jobs" }))).QueueUrls).toEqual([url("jobs"), url("jobs-dlq")]);
    await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "x" }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url("jobs") }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url("jobs") }))).Messages).toBeUndefined();
    const purging = await errorOf(sqs.send(new PurgeQueueCommand({ QueueUrl: url("jobs") })));
    expect([purging.name, purging.$metadata.httpStatusCode]).toEqual(["PurgeQueueInProgress", 403]);
    for (const call of [sqs.send(new GetQueueUrlCommand({ QueueName: "missing" })), sqs.send(new SendMessageCommand({ QueueUrl: url("missing"), MessageBody: "x" }))]) {
      const error = await errorOf(call);
      expect([error.name, error.Code, error.$metadata.httpStatusCode]).toEqual(["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400]);
    }
  });

  it("answers malformed requests with 400 in SQS's error shape and keeps serving", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const post = (target: string | undefined, body: string) => signedSqsFetch(server.endpoint, target, body, { credentials: CREDENTIALS });
    const cases: Array<[string | undefined, string, string]> = [
      ["AmazonSQS.SendMessage", "{not json", "com.amazonaws.sqs#SerializationException"],
      ["AmazonSQS.SendMessage", "[1]", "com.amazonaws.sqs#SerializationException"],
      ["AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: url("jobs") }), "com.amazonaws.sqs#MissingParameter"],
      ["AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: url("jobs"), MessageBody: 5 }), "com.amazonaws.sqs#InvalidParameterValue"],
      ["AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: url("jobs"), MessageBody: "x", MessageAttributes: { a: null } }), "com.amazonaws.sqs#InvalidParameterValue"],
      ["AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: url("jobs"), MessageBody: "\u0000" }), "com.amazonaws.sqs#InvalidMessageContents"],
      ["AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: "::", MessageBody: "x" }), "com.amazonaws.sqs#InvalidAddress"],
      ["AmazonSQS.DeleteMessage", JSON.stringify({ QueueUrl: url("jobs"), ReceiptHandle: "junk" }), "com.amazonaws.sqs#ReceiptHandleIsInvalid"],
      ["AmazonSQS.ReceiveMessage", JSON.stringify({ QueueUrl: url("jobs"), WaitTimeSeconds: 21 }), "com.amazonaws.sqs#InvalidParameterValue"],
      ["AmazonSQS.SendMessageBatch", JSON.stringify({ QueueUrl: url("jobs"), Entries: [null] }), "com.amazonaws.sqs#InvalidParameterValue"],
      ["AmazonSQS.CreateQueue", "{}", "com.amazonaws.sqs#UnknownOperationException"],
      // Names Object.prototype has are no SQS actions.
      ...["toString", "hasOwnProperty", "valueOf", "__proto__", "constructor", "isPrototypeOf"].map((name): [string, string, string] => [`AmazonSQS.${name}`, JSON.stringify({ QueueUrl: url("jobs") }), "com.amazonaws.sqs#UnknownOperationException"]),
    ];
    for (const [target, body, type] of cases) {
      const response = await post(target, body);
      expect([response.status >= 400 && response.status < 500, ((await response.json()) as { __type: string }).__type]).toEqual([true, type]);
    }
    const query = await post(undefined, "Action=SendMessage&MessageBody=x");
    expect([query.status, await query.text()]).toEqual([400, expect.stringContaining("<Code>InvalidAction</Code>")]);
    expect((await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "still here" }))).MessageId).toBeDefined();
  });

  it("checks a request's signature before its body: a malformed body is refused as a signature or as a serialisation error", async () => {
    const { url, server } = await start([queue("jobs")]);
    const post = (body: string, region?: string) => signedSqsFetch(server.endpoint, "AmazonSQS.SendMessage", body, { credentials: CREDENTIALS, region });
    expect((await post(JSON.stringify({ QueueUrl: url("jobs"), MessageBody: "signed for the queue's region" }))).status).toBe(200);
    // Not JSON: signed for a region no queue is in, the signature check answers first; signed for the queue's, the body.
    const answer = async (response: Response) => [response.status, ((await response.json()) as { __type: string }).__type];
    expect(await answer(await post("{not json", "ap-south-1"))).toEqual([403, "com.amazonaws.sqs#SignatureDoesNotMatch"]);
    expect(await answer(await post("{not json"))).toEqual([400, "com.amazonaws.sqs#SerializationException"]);
  });

  it("answers a body over 16 MiB with 413 before the signature check (which a body cut at the limit could only fail), and keeps serving", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const limit = 16 * MiB;
    const tooLarge = [413, "RequestEntityTooLarge;Sender", { __type: "com.amazonaws.sqs#RequestEntityTooLarge", message: `HTTP content length exceeded ${limit} bytes.` }];
    const answer = async (response: Response) => [response.status, response.headers.get("x-amzn-query-error"), await response.json()];
    const sendBody = (bytes: number) => {
      const text = (body: string) => JSON.stringify({ QueueUrl, MessageBody: body });
      return text("x".repeat(bytes - Buffer.byteLength(text(""))));
    };
    // Signed (a MiB over, or a byte: the server keeps one byte past the limit), and unsigned: the size is what is refused.
    for (const bytes of [limit + MiB, limit + 1]) {
      expect(await answer(await signedSqsFetch(server.endpoint, "AmazonSQS.SendMessage", sendBody(bytes), { credentials: CREDENTIALS }))).toEqual(tooLarge);
    }
    expect(await answer(await fetch(server.endpoint, { method: "POST", headers: { "x-amz-target": "AmazonSQS.SendMessage" }, body: sendBody(2 * limit) }))).toEqual(tooLarge);
    // At the limit the request is read, its signature checked, and the message refused for its own size.
    const atLimit = await answer(await signedSqsFetch(server.endpoint, "AmazonSQS.SendMessage", sendBody(limit), { credentials: CREDENTIALS }));
    expect(atLimit.slice(0, 2)).toEqual([400, "InvalidParameterValue;Sender"]);
    // Through the SDK: an error named for what was refused.
    const error = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(limit) })));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(["RequestEntityTooLarge", 413]);
    expect((await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "still here" }))).MessageId).toBeDefined();
  });

  it("checks the whole ReceiveMessage request before it hands out a message: a refused one hides none and counts no receive", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "kept visible" }));
    const post = (body: object) => signedSqsFetch(server.endpoint, "AmazonSQS.ReceiveMessage", JSON.stringify(body), { credentials: CREDENTIALS });
    for (const bad of [{ MessageAttributeNames: [5] }, { AttributeNames: "All" }, { MessageSystemAttributeNames: [null] }]) {
      const response = await post({ QueueUrl, ...bad });
      expect([response.status, ((await response.json()) as { __type: string }).__type]).toEqual([400, "com.amazonaws.sqs#InvalidParameterValue"]);
    }
    expect(server.sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesNotVisible: "0" });
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    expect(Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([["kept visible", "1"]]);
  });

  /**
   * Receives (10 at a time) and deletes until `name` gives nothing, checking that each receive read no message but
   * those it handed out and those it moved to `deadLetterQueue`: what draining a backlog costs, counted without a clock.
   * Returns the ids received, in order.
   */
  async function drainReading(sqs: LocalSqs, name: string, deadLetterQueue: string, read: Set<string>): Promise<string[]> {
    const received: string[] = [];
    for (;;) {
      read.clear();
      const batch = await sqs.receive(name, { max: 10 });
      const dead = new Set(sqs.snapshot().queues[deadLetterQueue].messages.map((m) => m.messageId));
      expect([...read].filter((id) => !batch.some((m) => m.messageId === id) && !dead.has(id))).toEqual([]);
      if (batch.length === 0) return received;
      for (const message of batch) {
        sqs.delete(name, message.receiptHandle);
        received.push(message.messageId);
      }
    }
  }

  it("receives from the front of a backlog: a receive reads only the messages it hands out or moves to the dead-letter queue, so a drain reads each once", async () => {
    const sqs = new LocalSqs([queue("jobs", { redrive: { deadLetterQueueName: "jobs-dlq", maxReceiveCount: 3 } }), queue("jobs-dlq")], { now: () => now });
    // 3000 messages: a third in flight for a minute, a third delayed for 15 minutes, a third receivable (every 100th of
    // them received three times already: the next receive moves it to the dead-letter queue).
    const ids = Array.from({ length: 3000 }, (_, i) => `m${i}`);
    const { read, messages } = watchedMessages(
      ids.map((id, i): [string, Partial<StoredMessage>] => [
        id,
        i % 3 === 1 ? { invisibleUntil: now + 60_000, receiveCount: 1, firstReceiveTimestamp: now } : i % 3 === 2 ? { delayUntil: now + 900_000 } : i % 300 === 0 ? { receiveCount: 3, firstReceiveTimestamp: now } : {},
      ]),
    );
    sqs.restore({ version: 1, sequence: "0", queues: { jobs: { messages, deduplication: {} } } });
    read.clear();
    expect(sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "1000", ApproximateNumberOfMessagesNotVisible: "1000", ApproximateNumberOfMessagesDelayed: "1000" });
    expect(read.size).toBe(0);
    const third = (remainder: number) => ids.filter((_, i) => i % 3 === remainder);

    expect(await drainReading(sqs, "jobs", "jobs-dlq", read)).toEqual(third(0).filter((_, i) => i % 100 !== 0));
    expect(sqs.snapshot().queues["jobs-dlq"].messages.map((m) => m.messageId)).toEqual(third(0).filter((_, i) => i % 100 === 0));
    // A long poll of what is left (all in flight or delayed) reads none of it either.
    read.clear();
    const stop = new AbortController();
    const polling = sqs.receive("jobs", { max: 10, waitSeconds: 20, signal: stop.signal });
    stop.abort();
    expect([await polling, read.size]).toEqual([[], 0]);
    // The visibility timeout passes: the messages in flight come back, in send order, ahead of the delayed ones.
    now += 60_000;
    expect(sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "1000", ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "1000" });
    expect(await drainReading(sqs, "jobs", "jobs-dlq", read)).toEqual(third(1));
    now += 840_000;
    expect(await drainReading(sqs, "jobs", "jobs-dlq", read)).toEqual(third(2));
    expect(sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "0" });
  });

  it("in a FIFO queue, receives from the groups that can give a message without reading a blocked group's backlog", async () => {
    const sqs = new LocalSqs(
      [queue("jobs.fifo", { contentBasedDeduplication: true, redrive: { deadLetterQueueName: "jobs-dlq.fifo", maxReceiveCount: 2 } }), queue("jobs-dlq.fifo", { contentBasedDeduplication: true })],
      { now: () => now },
    );
    // Group z: z0 in flight for a minute and 1000 messages behind it. Then groups a–e, 20 messages each, interleaved;
    // b0 was received twice already (the next receive moves it to the dead-letter queue).
    const z = Array.from({ length: 1001 }, (_, i): [string, Partial<StoredMessage>] => [`z${i}`, { messageGroupId: "z", ...(i === 0 ? { invisibleUntil: now + 60_000, receiveCount: 1, firstReceiveTimestamp: now } : {}) }]);
    const others = Array.from({ length: 100 }, (_, i): [string, Partial<StoredMessage>] => {
      const [group, n] = ["abcde"[i % 5], Math.floor(i / 5)];
      return [`${group}${n}`, { messageGroupId: group, ...(group === "b" && n === 0 ? { receiveCount: 2, firstReceiveTimestamp: now } : {}) }];
    });
    const { read, messages } = watchedMessages([...z, ...others]);
    sqs.restore({ version: 1, sequence: "0", queues: { "jobs.fifo": { messages, deduplication: {} } } });
    read.clear();
    expect(sqs.attributes("jobs.fifo")).toMatchObject({ ApproximateNumberOfMessages: "1100", ApproximateNumberOfMessagesNotVisible: "1" });
    expect(read.size).toBe(0);

    // One receive takes several messages of a group, in order, and the groups' messages in send order.
    read.clear();
    const first = await sqs.receive("jobs.fifo", { max: 10 });
    expect(first.map((m) => m.messageId)).toEqual(["a0", "c0", "d0", "e0", "a1", "b1", "c1", "d1", "e1", "a2"]);
    expect([...read].sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "c0", "c1", "d0", "d1", "e0", "e1"]);
    // Every group now has a message in flight.
    expect(await sqs.receive("jobs.fifo", { max: 10 })).toEqual([]);
    for (const message of first) sqs.delete("jobs.fifo", message.receiptHandle);
    expect(await drainReading(sqs, "jobs.fifo", "jobs-dlq.fifo", read)).toEqual(others.map(([id]) => id).filter((id) => id !== "b0" && !first.some((m) => m.messageId === id)));
    expect(sqs.snapshot().queues["jobs-dlq.fifo"].messages.map((m) => m.messageId)).toEqual(["b0"]);
    // z0's visibility timeout passes: group z comes out whole, in order.
    now += 60_000;
    expect(await drainReading(sqs, "jobs.fifo", "jobs-dlq.fifo", read)).toEqual(z.map(([id]) => id));
  });

  it("long-polls a queue of hundreds of thousands of messages none of which is receivable yet", async () => {
    const sqs = new LocalSqs([queue("jobs", { delaySeconds: 900 })], { now: () => now });
    const delayed = { body: "later", md5OfBody: "", messageAttributes: {}, senderId: "local", sentTimestamp: now, enqueuedAt: now, delayUntil: now + 900_000, invisibleUntil: 0, receiveCount: 0 };
    sqs.restore({ version: 1, sequence: "0", queues: { jobs: { messages: Array.from({ length: 300_000 }, (_, i) => ({ ...delayed, messageId: `m${i}` })), deduplication: {} } } });
    const stop = new AbortController();
    const polling = sqs.receive("jobs", { max: 10, waitSeconds: 20, signal: stop.signal });
    stop.abort();
    expect(await polling).toEqual([]);
  });

  it("saves messages at a stop and restores them at the next start", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "sqs-state-"));
    const first = await start([queue("jobs")], stateDir);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.url("jobs"), MessageBody: "kept" }));
    await first.server.stop();
    servers.splice(servers.indexOf(first.server), 1);
    const second = await start([queue("jobs")], stateDir);
    expect((await second.sqs.send(new ReceiveMessageCommand({ QueueUrl: second.url("jobs") }))).Messages?.map((m) => m.Body)).toEqual(["kept"]);
  });
});

/** SQS's attribute digest, written out byte by byte here (length-prefixed name, type, transport 1, value) to check the server's encoder. */
function stringAttributeDigest(name: string, dataType: string, value: string): string {
  const field = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, bytes];
  };
  return createHash("md5").update(Buffer.concat([...field(name), ...field(dataType), Buffer.from([1]), ...field(value)])).digest("hex");
}

describe("local SQS message system attributes (AWSTraceHeader)", () => {
  const TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

  it("keeps AWSTraceHeader, answers its MD5 and returns it when asked by name or All", async () => {
    const { sqs, url } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a", MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: TRACE } } }));
    expect(sent.MD5OfMessageSystemAttributes).toBe(stringAttributeDigest("AWSTraceHeader", "String", TRACE));
    expect(sent.MD5OfMessageAttributes).toBeUndefined();
    const batch = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "b", MessageBody: "b", MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: TRACE } } }, { Id: "c", MessageBody: "c" }] }),
    );
    expect(batch.Successful?.map((e) => [e.Id, e.MD5OfMessageSystemAttributes])).toEqual([["b", sent.MD5OfMessageSystemAttributes], ["c", undefined]]);

    const byName = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["AWSTraceHeader"] }))).Messages!;
    expect(byName.map((m) => [m.Body, m.Attributes])).toEqual([["a", { AWSTraceHeader: TRACE }]]);
    // The deprecated AttributeNames asks for it too; a message sent without one has none.
    const rest = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ["All"] }))).Messages!;
    expect(rest.map((m) => [m.Body, m.Attributes?.AWSTraceHeader])).toEqual([["b", TRACE], ["c", undefined]]);
    now += 31_000;
    const unasked = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["SenderId"] }))).Messages!;
    expect(unasked.map((m) => m.Attributes)).toEqual([{ SenderId: "AKIDLOCAL" }, { SenderId: "AKIDLOCAL" }, { SenderId: "AKIDLOCAL" }]);
  });

  it("refuses a system attribute other than AWSTraceHeader, or one not of type String, with InvalidParameterValue", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const unknown = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a", MessageSystemAttributes: { SenderId: { DataType: "String", StringValue: "x" } } as never })));
    expect([unknown.name, unknown.$metadata.httpStatusCode, (unknown as unknown as Error).message]).toEqual(["InvalidParameterValue", 400, "Message system attribute name 'SenderId' is invalid."]);
    const binary = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a", MessageSystemAttributes: { AWSTraceHeader: { DataType: "Binary", BinaryValue: new Uint8Array([1]) } } })));
    expect([binary.name, binary.$metadata.httpStatusCode]).toEqual(["InvalidParameterValue", 400]);
    const response = await signedSqsFetch(
      server.endpoint,
      "AmazonSQS.SendMessageBatch",
      JSON.stringify({ QueueUrl, Entries: [{ Id: "bad", MessageBody: "a", MessageSystemAttributes: { Colour: { DataType: "String", StringValue: "x" } } }, { Id: "fine", MessageBody: "b" }] }),
      { credentials: CREDENTIALS },
    );
    const { Successful, Failed } = (await response.json()) as { Successful: Array<{ Id: string }>; Failed: Array<{ Id: string; Code: string }> };
    expect([Successful.map((e) => e.Id), Failed.map((e) => [e.Id, e.Code])]).toEqual([["fine"], [["bad", "InvalidParameterValue"]]]);
    expect(server.sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "1" });
  });

  it("takes a request's X-Amzn-Trace-Id header as the AWSTraceHeader of each message it sends, unless the message has its own", async () => {
    const { sqs, url, server } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const own = "Root=1-00000000-000000000000000000000001;Parent=0000000000000001;Sampled=0";
    const body = JSON.stringify({ QueueUrl, Entries: [{ Id: "a", MessageBody: "a" }, { Id: "b", MessageBody: "b", MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: own } } }] });
    const response = await signedSqsFetch(server.endpoint, "AmazonSQS.SendMessageBatch", body, { credentials: CREDENTIALS, headers: { "x-amzn-trace-id": TRACE } });
    expect(response.status).toBe(200);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["AWSTraceHeader"] }));
    expect(Messages?.map((m) => [m.Body, m.Attributes?.AWSTraceHeader])).toEqual([["a", TRACE], ["b", own]]);
  });

  it("does not count AWSTraceHeader against the message size", async () => {
    const { sqs, url } = await start([queue("jobs", { maximumMessageBytes: 1024 })]);
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url("jobs"), MessageBody: "x".repeat(1024), MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: TRACE } } }));
    expect(sent.MessageId).toBeDefined();
  });
});

describe("local SQS message attribute rules", () => {
  const send = (sqs: SQSClient, QueueUrl: string, MessageAttributes: Record<string, { DataType: string; StringValue?: string }>) => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a", MessageAttributes }));

  it("takes a Number of up to 38 significant digits from 10^-128 to 10^126 and delivers it as sent, refusing others with InvalidParameterValue", async () => {
    const { sqs, url } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const accepted = ["1e126", "-1E+126", "1e-128", "-0.1e-127", "0", "-0.000e999", "007.50", "12345678901234567890123456789012345678", "000123456789012345678901234567890123456780000e-5"];
    for (const value of accepted) await send(sqs, QueueUrl, { n: { DataType: "Number", StringValue: value } });
    const refused = ["1.1e126", "1e127", "9e-129", "1e-129", "123456789012345678901234567890123456789", "1.23456789012345678901234567890123456789"];
    for (const value of refused) {
      const error = await errorOf(send(sqs, QueueUrl, { n: { DataType: "Number.float", StringValue: value } }));
      expect([value, error.name, error.$metadata.httpStatusCode]).toEqual([value, "InvalidParameterValue", 400]);
    }
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }));
    expect(Messages?.map((m) => m.MessageAttributes?.n.StringValue)).toEqual(accepted);
  });
});

describe("local SQS message attribute names and types", () => {
  const send = (sqs: SQSClient, QueueUrl: string, MessageAttributes: Record<string, { DataType: string; StringValue?: string }>) => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a", MessageAttributes }));
  const refusal = async (promise: Promise<unknown>) => {
    const error = await errorOf(promise);
    return [error.name, error.$metadata.httpStatusCode];
  };

  it("takes a data type of up to 256 characters with a custom label of body characters, and refuses a longer or invalid one", async () => {
    const { sqs, url } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const longest = `Number.${"x".repeat(256 - 7)}`;
    const labelled = "String.my label/v1 (é)";
    await send(sqs, QueueUrl, { n: { DataType: longest, StringValue: "1" }, s: { DataType: labelled, StringValue: "x" } });
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"] }));
    expect([Messages?.[0].MessageAttributes?.n.DataType, Messages?.[0].MessageAttributes?.s.DataType]).toEqual([longest, labelled]);
    expect(await refusal(send(sqs, QueueUrl, { n: { DataType: `${longest}x`, StringValue: "1" } }))).toEqual(["InvalidParameterValue", 400]);
    expect(await refusal(send(sqs, QueueUrl, { s: { DataType: "String.\u0001", StringValue: "x" } }))).toEqual(["InvalidMessageContents", 400]);
    expect(await refusal(send(sqs, QueueUrl, { s: { DataType: "Text", StringValue: "x" } }))).toEqual(["InvalidParameterValue", 400]);
  });

  it("takes names of up to 256 letters, digits, _, - and ., and up to 10 attributes; refuses other names and an 11th", async () => {
    const { sqs, url } = await start([queue("jobs")]);
    const QueueUrl = url("jobs");
    const value = { DataType: "String", StringValue: "x" };
    await send(sqs, QueueUrl, { ["n".repeat(256)]: value, "a.b-c_D9": value, "AWSx": value, "amazonian.x": value });
    await send(sqs, QueueUrl, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, value])));
    for (const name of ["n".repeat(257), "AWS.x", "aws.x", "Amazon.x", "AMAZON.x", ".a", "a.", "a..b", "a b", "é"]) {
      expect([name.slice(0, 10), ...(await refusal(send(sqs, QueueUrl, { [name]: value })))]).toEqual([name.slice(0, 10), "InvalidParameterValue", 400]);
    }
    expect(await refusal(send(sqs, QueueUrl, Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, value]))))).toEqual(["InvalidParameterValue", 400]);
  });
});
