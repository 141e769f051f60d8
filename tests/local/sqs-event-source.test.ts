/**
 * Lambda's SQS event source under `npm start` (local/sqs-event-source.ts) with a fake consumer: the event shape,
 * partial batch responses, whole-batch failures, the dead-letter queue after maxReceiveCount, and the queues service
 * that starts it all and gives functions AWS_ENDPOINT_URL_SQS. Time is an injected clock.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { clearRegisteredSpecs, registerSpec } from "../../components/spec-registry";
import { batchItemFailures, SqsEventSource } from "../../local/sqs-event-source";
import { LocalSqs, type LocalQueueDefinition, type PersistedQueues } from "../../local/sqs-server";
import { queuesService, type LocalQueuesService } from "../../local/services/queues";
import { FunctionRoles } from "../../local/function-roles";
import type { LocalContext } from "../../local/services/types";
import { messageQueueSpec } from "../harness/message-queue-spec";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

let now = Date.UTC(2026, 0, 1);
const queue = (name: string, more: Partial<LocalQueueDefinition> = {}): LocalQueueDefinition => ({
  name,
  fifo: name.endsWith(".fifo"),
  contentBasedDeduplication: true,
  visibilityTimeoutSeconds: 60,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  maximumMessageBytes: 1_048_576,
  region: "eu-west-1",
  ...more,
});

function setup(consumer: (event: SQSEvent) => Promise<unknown>, options: { fifo?: boolean; batchSize?: number; maxReceiveCount?: number } = {}) {
  const name = options.fifo ? "jobs.fifo" : "jobs";
  const dlq = options.fifo ? "jobs-dlq.fifo" : "jobs-dlq";
  const sqs = new LocalSqs([queue(name, { redrive: { deadLetterQueueName: dlq, maxReceiveCount: options.maxReceiveCount ?? 3 } }), queue(dlq)], { now: () => now });
  const events: SQSEvent[] = [];
  const logs: string[] = [];
  const source = new SqsEventSource({
    sqs,
    queueName: name,
    region: "eu-west-1",
    batchSize: options.batchSize ?? 10,
    maxBatchingWindowSeconds: 0,
    invoke: (event) => (events.push(event), consumer(event)),
    log: (line) => logs.push(line),
  });
  return { sqs, source, events, logs, name, dlq };
}

/** A consumer whose invocations stay open until the test releases them. */
function heldInvocations() {
  const releases: Array<() => void> = [];
  const waiting = new Map<number, () => void>();
  return {
    invoke: () =>
      new Promise<unknown>((resolve) => {
        releases.push(() => resolve(undefined));
        waiting.get(releases.length)?.();
      }),
    /** Resolves once `count` invocations have started. */
    started: (count: number) => new Promise<void>((resolve) => (releases.length >= count ? resolve() : waiting.set(count, resolve))),
    release: (index: number) => releases[index](),
  };
}

const bodies = (event: SQSEvent | undefined) => event?.Records.map((r) => r.body);

afterEach(() => {
  now = Date.UTC(2026, 0, 1);
  clearRegisteredSpecs();
});

describe("local SQS event source", () => {
  it("invokes the consumer with Lambda's SQS record shape and deletes the batch it processed", async () => {
    const { sqs, source, events, name } = setup(async () => undefined);
    sqs.send(name, { body: "one", senderId: "AROALOCAL:fn", messageAttributes: { kind: { DataType: "String", StringValue: "resize" }, raw: { DataType: "Binary", BinaryValue: "AQID" } } });
    sqs.send(name, { body: "two" });
    expect(await source.pollOnce()).toEqual({ deleted: expect.any(Array), failed: [] });
    expect(events).toHaveLength(1);
    const [record] = events[0].Records;
    expect(record).toEqual({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      receiptHandle: expect.any(String),
      body: "one",
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(now), SenderId: "AROALOCAL:fn", ApproximateFirstReceiveTimestamp: String(now) },
      messageAttributes: {
        kind: { stringValue: "resize", stringListValues: [], binaryListValues: [], dataType: "String" },
        raw: { binaryValue: "AQID", stringListValues: [], binaryListValues: [], dataType: "Binary" },
      },
      md5OfBody: "f97c5d29941bfb1b2fdab0874906ab82",
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:jobs",
      awsRegion: "eu-west-1",
    });
    expect(bodies(events[0])).toEqual(["one", "two"]);
    now += 60_000;
    expect(await source.pollOnce()).toBeUndefined();
  });

  it("gives FIFO records their group, deduplication id and sequence number", async () => {
    const { sqs, source, events, name } = setup(async () => undefined, { fifo: true });
    const { sequenceNumber } = sqs.send(name, { body: "a", messageGroupId: "g1" });
    await source.pollOnce();
    expect(events[0].Records[0].attributes).toMatchObject({ MessageGroupId: "g1", MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/), SequenceNumber: sequenceNumber });
  });

  it("passes a message's AWSTraceHeader on in its record's attributes, as Lambda's SQS records carry it", async () => {
    const { sqs, source, events, name } = setup(async () => undefined);
    const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    sqs.send(name, { body: "traced", messageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: trace } } });
    sqs.send(name, { body: "plain" });
    await source.pollOnce();
    expect(events[0].Records.map((r) => [r.body, r.attributes.AWSTraceHeader])).toEqual([["traced", trace], ["plain", undefined]]);
  });

  it("with a partial batch response keeps only the failed messages, which return after the visibility timeout", async () => {
    const failing = new Set(["b"]);
    const { sqs, source, events, name } = setup(async (event) => ({ batchItemFailures: event.Records.filter((r) => failing.has(r.body)).map((r) => ({ itemIdentifier: r.messageId })) }));
    for (const body of ["a", "b", "c"]) sqs.send(name, { body });
    const outcome = await source.pollOnce();
    expect(outcome?.deleted).toHaveLength(2);
    expect(outcome?.failed).toEqual([events[0].Records[1].messageId]);
    expect(await source.pollOnce()).toBeUndefined();
    now += 60_000;
    failing.clear();
    await source.pollOnce();
    expect(bodies(events[1])).toEqual(["b"]);
    expect(events[1].Records[0].attributes.ApproximateReceiveCount).toBe("2");
  });

  it("fails the whole batch when the consumer throws or names a message not in the batch", async () => {
    let answer: () => Promise<unknown> = async () => {
      throw new Error("boom");
    };
    const { sqs, source, events, logs, name } = setup(() => answer());
    for (const body of ["a", "b"]) sqs.send(name, { body });
    expect((await source.pollOnce())?.error).toBe("boom");
    now += 60_000;
    answer = async () => ({ batchItemFailures: [{ itemIdentifier: "not-in-the-batch" }] });
    expect((await source.pollOnce())?.deleted).toEqual([]);
    now += 60_000;
    answer = async () => ({ batchItemFailures: [] });
    expect((await source.pollOnce())?.deleted).toHaveLength(2);
    expect(events.map(bodies)).toEqual([["a", "b"], ["a", "b"], ["a", "b"]]);
    expect(logs).toHaveLength(2);
  });

  it("moves a message that keeps failing to the dead-letter queue after maxReceiveCount receives", async () => {
    const { sqs, source, events, name, dlq } = setup(
      async (event) => ({ batchItemFailures: event.Records.filter((r) => r.body === "poison").map((r) => ({ itemIdentifier: r.messageId })) }),
      { maxReceiveCount: 2 },
    );
    sqs.send(name, { body: "poison" });
    sqs.send(name, { body: "fine" });
    await source.pollOnce();
    now += 60_000;
    await source.pollOnce();
    now += 60_000;
    expect(await source.pollOnce()).toBeUndefined();
    expect(events.map(bodies)).toEqual([["poison", "fine"], ["poison"]]);
    const dead = await sqs.receive(dlq, { max: 10 });
    expect(dead.map((m) => [m.body, m.messageId])).toEqual([["poison", events[0].Records[0].messageId]]);
  });

  it("keeps a FIFO group's later messages back while its batch is in flight", async () => {
    const held = heldInvocations();
    const { sqs, source, events, name } = setup(held.invoke, { fifo: true, batchSize: 1 });
    sqs.send(name, { body: "g1-first", messageGroupId: "g1" });
    sqs.send(name, { body: "g1-second", messageGroupId: "g1" });
    sqs.send(name, { body: "g2-first", messageGroupId: "g2" });
    const batches = [source.pollOnce(), source.pollOnce()];
    await held.started(2);
    expect(events.map(bodies)).toEqual([["g1-first"], ["g2-first"]]);
    expect(await source.pollOnce()).toBeUndefined();
    held.release(0);
    await batches[0];
    const third = source.pollOnce();
    await held.started(3);
    expect(bodies(events[2])).toEqual(["g1-second"]);
    held.release(1);
    held.release(2);
    await Promise.all([...batches, third]);
  });

  it("splits a batch whose event would pass Lambda's 6 MB payload limit into several invocations", async () => {
    const { sqs, source, events, name } = setup(async () => undefined);
    const big = "x".repeat(1_000_000);
    for (let i = 0; i < 10; i++) sqs.send(name, { body: `${i}${big}` });
    expect((await source.pollOnce())?.deleted).toHaveLength(10);
    expect(events.map((e) => e.Records.length)).toEqual([6, 4]);
    expect(events.every((e) => Buffer.byteLength(JSON.stringify(e)) <= 6_291_455)).toBe(true);
  });

  it("in a FIFO queue, fails the invocations after a failed one instead of letting a group skip ahead", async () => {
    let calls = 0;
    const { sqs, source, events, name } = setup(async () => {
      calls += 1;
      if (calls === 1) throw new Error("first part failed");
    }, { fifo: true });
    const big = "x".repeat(1_000_000);
    for (let i = 0; i < 10; i++) sqs.send(name, { body: `${i}${big}`, messageGroupId: "g" });
    const outcome = await source.pollOnce();
    expect([outcome?.deleted.length, outcome?.failed.length, events.length]).toEqual([0, 10, 1]);
  });

  it("reads batchItemFailures as Lambda does", () => {
    const ids = new Set(["m1", "m2"]);
    expect(batchItemFailures(undefined, ids)).toEqual(new Set());
    expect(batchItemFailures({ batchItemFailures: null }, ids)).toEqual(new Set());
    expect(batchItemFailures({ batchItemFailures: [{ itemIdentifier: "m2" }] }, ids)).toEqual(new Set(["m2"]));
    for (const invalid of [{ batchItemFailures: "m1" }, { batchItemFailures: [{ itemIdentifier: "" }] }, { batchItemFailures: [{ itemIdentifier: null }] }, { batchItemFailures: [{ id: "m1" }] }, { batchItemFailures: [{ itemIdentifier: "m3" }] }]) {
      expect(batchItemFailures(invalid, ids)).toBeInstanceOf(Error);
    }
  });

  it("polls on its own once started, never more batches at once than maxConcurrency, and drains at stop", async () => {
    const sqs = new LocalSqs([queue("jobs")], { now: () => now });
    const held = heldInvocations();
    const source = new SqsEventSource({ sqs, queueName: "jobs", region: "eu-west-1", batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 2, invoke: held.invoke, log: () => undefined });
    source.start();
    for (const body of ["a", "b", "c"]) sqs.send("jobs", { body });
    await held.started(2);
    // Two invocations hold both slots; the third message waits on the queue.
    expect(sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesNotVisible: "2" });
    held.release(0);
    await held.started(3);
    const stopping = source.stop();
    held.release(1);
    held.release(2);
    await stopping;
    expect(sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("keeps polling after an unexpected error: it logs it and receives again, and only stop() ends it", async () => {
    const sqs = new LocalSqs([queue("jobs")], { now: () => now });
    const receive = sqs.receive.bind(sqs);
    let failures = 1;
    sqs.receive = (name, options) => (failures-- > 0 ? Promise.reject(new RangeError("Maximum call stack size exceeded")) : receive(name, options));
    const logs: string[] = [];
    let ended!: (line: string) => void;
    const stopped = new Promise<string>((resolve) => (ended = resolve));
    let delivered!: (event: SQSEvent) => void;
    const delivery = new Promise<SQSEvent>((resolve) => (delivered = resolve));
    const source = new SqsEventSource({
      sqs,
      queueName: "jobs",
      region: "eu-west-1",
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      retryDelayMs: 0,
      invoke: async (event) => delivered(event),
      log: (line) => (logs.push(line), /stopped/.test(line) && ended(line)),
    });
    sqs.send("jobs", { body: "after the error" });
    source.start();
    const first = await Promise.race([delivery, stopped]);
    await source.stop();
    expect(typeof first === "string" ? first : bodies(first)).toEqual(["after the error"]);
    expect(logs).toEqual(["local SQS: jobs: polling failed (Maximum call stack size exceeded); polling again shortly"]);
  });

  it("gathers a batch for the batching window on the queue's clock, then invokes with what came", async () => {
    // Visibility longer than the window, as Lambda requires of a mapping (the messages stay hidden while gathered).
    const sqs = new LocalSqs([queue("jobs", { visibilityTimeoutSeconds: 900 })], { now: () => now });
    let delivered!: (event: SQSEvent) => void;
    const delivery = new Promise<SQSEvent>((resolve) => (delivered = resolve));
    const source = new SqsEventSource({ sqs, queueName: "jobs", region: "eu-west-1", batchSize: 100, maxBatchingWindowSeconds: 60, invoke: async (event) => delivered(event), log: () => undefined });
    sqs.send("jobs", { body: "first" });
    source.start();
    // The first receive took the message; the window's receive waits for more.
    while (sqs.waiting("jobs") === 0) await new Promise((resolve) => setImmediate(resolve));
    sqs.send("jobs", { body: "second" });
    while (sqs.waiting("jobs") === 0) await new Promise((resolve) => setImmediate(resolve));
    now += 60_000;
    sqs.wake();
    expect(bodies(await delivery)).toEqual(["first", "second"]);
    await source.stop();
  });

  it("logs a batch whose processing rejects, never leaving the rejection unhandled, and keeps polling", async () => {
    const sqs = new LocalSqs([queue("jobs")], { now: () => now });
    const logs: string[] = [];
    let delivered!: (event: SQSEvent) => void;
    const delivery = new Promise<SQSEvent>((resolve) => (delivered = resolve));
    const source = new SqsEventSource({ sqs, queueName: "jobs", region: "eu-west-1", batchSize: 1, maxBatchingWindowSeconds: 0, invoke: async (event) => delivered(event), log: (line) => logs.push(line) });
    const process = source.process.bind(source);
    let failures = 1;
    source.process = (messages) => (failures-- > 0 ? Promise.reject(new Error("unexpected")) : process(messages));
    sqs.send("jobs", { body: "a" });
    sqs.send("jobs", { body: "b" });
    source.start();
    expect(bodies(await delivery)).toEqual(["b"]);
    await source.stop();
    expect(logs).toEqual(["local SQS: jobs: a batch of 1 could not be processed (unexpected); it returns after the visibility timeout"]);
    expect(sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" });
  });

  it("stops without waiting out a consumer that runs past the drain time; its message stays in flight", async () => {
    const sqs = new LocalSqs([queue("jobs")], { now: () => now });
    const held = heldInvocations();
    const logs: string[] = [];
    const source = new SqsEventSource({ sqs, queueName: "jobs", region: "eu-west-1", batchSize: 1, maxBatchingWindowSeconds: 0, drainTimeoutMs: 0, invoke: held.invoke, log: (line) => logs.push(line) });
    source.start();
    sqs.send("jobs", { body: "slow" });
    await held.started(1);
    await source.stop();
    expect(logs).toEqual(["local SQS: jobs: stopped without waiting for 1 batch(es) still running; their messages come back after the visibility timeout"]);
    expect(sqs.attributes("jobs")).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" });
    held.release(0);
  });
});

describe("local queues service", () => {
  const consumerSpec = { name: "worker", timeout: 10 } as LambdaFunctionSpec;
  const spec = messageQueueSpec(consumerSpec);

  it("starts nothing without a MessageQueue", async () => {
    expect(await queuesService.start({} as LocalContext)).toBeUndefined();
  });

  it("serves the program's queues, gives functions AWS_ENDPOINT_URL_SQS, and drives each consumer once every service has started", async () => {
    registerSpec("MessageQueue", "jobs", spec);
    const invoked: SQSEvent[] = [];
    let delivered!: () => void;
    const delivery = new Promise<void>((resolve) => (delivered = resolve));
    const lines: string[] = [];
    const context = {
      stateDir: mkdtempSync(join(tmpdir(), "queues-service-")),
      environment: { AWS_REGION: "eu-west-1" } as Record<string, string>,
      localAddresses: new Map<string, string>(),
      functionRoles: new FunctionRoles([]),
      run: { resources: [] },
      lambda: (fn: LambdaFunctionSpec) => ({
        invoke: async (event: SQSEvent) => {
          expect(fn).toBe(consumerSpec);
          invoked.push(event);
          delivered();
        },
      }),
      log: (line: string) => lines.push(line),
    } as unknown as LocalContext;
    const started = (await queuesService.start(context)) as LocalQueuesService;
    try {
      const endpoint = context.environment.AWS_ENDPOINT_URL_SQS;
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines).toEqual([`  ${endpoint}/123456789012/jobs-1a2b3c → worker (batch 10; after 5 receives → jobs-dlq-4d5e6f)`]);
      const sqs = new SQSClient({ endpoint, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      await sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint}/123456789012/jobs-1a2b3c`, MessageBody: "hello" }));
      // Nothing is delivered before every service has started.
      expect(invoked).toEqual([]);
      started.afterStart!();
      await delivery;
      expect(invoked[0].Records.map((r) => [r.body, r.eventSourceARN])).toEqual([["hello", "arn:aws:sqs:eu-west-1:123456789012:jobs-1a2b3c"]]);
      // The dead-letter queue is served too.
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${endpoint}/123456789012/jobs-dlq-4d5e6f` }))).Messages).toBeUndefined();
      sqs.destroy();
    } finally {
      await started.stop();
    }
  });

  it("saves the messages as soon as it starts stopping, before it waits for the batches in flight", async () => {
    registerSpec("MessageQueue", "jobs", spec);
    const held = heldInvocations();
    const stateDir = mkdtempSync(join(tmpdir(), "queues-service-"));
    const context = {
      stateDir,
      environment: { AWS_REGION: "eu-west-1" } as Record<string, string>,
      localAddresses: new Map<string, string>(),
      functionRoles: new FunctionRoles([]),
      run: { resources: [] },
      lambda: () => ({ invoke: held.invoke }),
      log: () => undefined,
    } as unknown as LocalContext;
    const started = (await queuesService.start(context)) as LocalQueuesService;
    started.server.sqs.send("jobs-1a2b3c", { body: "in flight" });
    started.afterStart!();
    await held.started(1);
    const stopping = started.stop();
    // What a second Ctrl+C, ending the process now, leaves: the message, in flight, to come back at the next start.
    const saved = JSON.parse(readFileSync(join(stateDir, "sqs", "messages.json"), "utf8")) as PersistedQueues;
    expect(saved.queues["jobs-1a2b3c"].messages.map((m) => [m.body, m.receiveCount])).toEqual([["in flight", 1]]);
    held.release(0);
    await stopping;
    // The batch finished and deleted its message before the second save.
    expect((JSON.parse(readFileSync(join(stateDir, "sqs", "messages.json"), "utf8")) as PersistedQueues).queues["jobs-1a2b3c"].messages).toEqual([]);
  });
});
