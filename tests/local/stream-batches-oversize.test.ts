/**
 * A stream mapping's batches and Lambda's 6 MB synchronous payload limit (local/stream-batches.ts): a batch is cut into
 * events that fit ("up to the payload limit for synchronous invocation (6 MB)", API_CreateEventSourceMapping BatchSize),
 * and a record whose event alone is refused (RequestEntityTooLargeException) is the mapping "unable to invoke the
 * function": retried until it is older than maximumRecordAgeInSeconds, no retry count, no bisection, then the on-failure
 * destination (kinesis-on-failure-destination.html). Function errors keep their retries and bisection. Clocks are
 * injected: a refused try moves the clock on, nothing waits.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { LAMBDA_SYNC_PAYLOAD_LIMITS, LambdaInvokeError } from "../../local/lambda-runtime";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient, PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { startLocalDynamo } from "../../local/dynamodb";
import { startLocalKinesis, type KinesisEventRecord } from "../../local/kinesis-server";
import { streamSubscriptionSpec } from "../harness/stream-subscription";
import { tableSpec } from "./dynamodb-helpers";
import { deliverStreamBatch, type GiveUpCondition, type StreamBatchDelivery } from "../../local/stream-batches";
import { CREDENTIALS, readerSubscription, signedKinesisCall, streamDefinition } from "./kinesis-helpers";

const MB = 1_000_000;

interface Item {
  seq: string;
  data: string;
  /** Seconds since the epoch the record arrived (the injected clock's). */
  at: number;
}
const item = (seq: string, bytes: number, at = 0): Item => ({ seq, data: "x".repeat(bytes), at });

/** Lambda's Invoke as the local function applies it (LocalLambda.invoke): an event over the limit is refused unrun. */
const refuseOversized = (event: unknown) => {
  if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_SYNC_PAYLOAD_LIMITS.largestRequestBytes) {
    throw new LambdaInvokeError("reader", "RequestEntityTooLargeException", `Request must be smaller than ${LAMBDA_SYNC_PAYLOAD_LIMITS.largestRequestBytes + 1} bytes for the InvokeFunction operation`);
  }
};

/** A delivery of items on a clock that `tick` seconds pass on each try; what was invoked and given up on. */
function harness(settings: { bisectBatchOnFunctionError: boolean; maximumRetryAttempts: number }, options: { maxAge: number; tick: number; handler?: (seqs: string[]) => unknown; stopAfter?: number }) {
  let now = 0;
  const tries: string[][] = [];
  const givenUp: Array<{ seqs: string[]; attempts: number; condition: GiveUpCondition; error?: string }> = [];
  const failures: string[] = [];
  const delivery: StreamBatchDelivery<Item> = {
    settings,
    invoke: async (batch) => {
      tries.push(batch.map((r) => r.seq));
      now += options.tick;
      refuseOversized({ Records: batch });
      return options.handler?.(batch.map((r) => r.seq));
    },
    sequenceOf: (r) => r.seq,
    expired: (r) => options.maxAge >= 0 && now - r.at > options.maxAge,
    giveUp: (records, attempts, condition, error) => void givenUp.push({ seqs: records.map((r) => r.seq), attempts, condition, ...(error ? { error: error.message } : {}) }),
    failed: (error) => void failures.push(error.message),
    ...(options.stopAfter !== undefined ? { stopped: () => tries.length >= options.stopAfter! } : {}),
  };
  return { delivery, tries, givenUp, failures };
}

describe("deliverStreamBatch and the 6 MB payload limit", () => {
  it("cuts a batch whose event would pass 6 MB into events that fit, in order, each invoked once", async () => {
    const { delivery, tries, givenUp } = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, { maxAge: -1, tick: 1 });
    const records = [item("1", 2.5 * MB), item("2", 2.5 * MB), item("3", 2.5 * MB), item("4", 10)];
    expect(await deliverStreamBatch(records, delivery)).toBe(true);
    expect(tries).toEqual([["1", "2"], ["3", "4"]]);
    expect(givenUp).toEqual([]);
  });

  it("tells `handled` each event once handled, in order, and not one the emulator stopped before; each record is serialised once to cut them", async () => {
    const serialised = new Map<string, number>();
    // A record that counts its serialisations (JSON.stringify calls toJSON); the fake invoke serialises none.
    const counted = (seq: string, bytes: number) => ({ ...item(seq, bytes), toJSON() { serialised.set(seq, (serialised.get(seq) ?? 0) + 1); return { seq, data: this.data }; } });
    const records = [counted("1", 2.5 * MB), counted("2", 2.5 * MB), counted("3", 2.5 * MB), counted("4", 10)];
    const events: string[][] = [];
    const all = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, { maxAge: -1, tick: 1 });
    all.delivery.invoke = async (batch) => void all.tries.push(batch.map((r) => r.seq));
    expect(await deliverStreamBatch(records, { ...all.delivery, handled: (event) => void events.push(event.map((r) => r.seq)) })).toBe(true);
    expect(events).toEqual([["1", "2"], ["3", "4"]]);
    expect(Object.fromEntries(serialised)).toEqual({ 1: 1, 2: 1, 3: 1, 4: 1 });

    const stoppedEvents: string[][] = [];
    const stopped = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, { maxAge: -1, tick: 1, stopAfter: 1 });
    expect(await deliverStreamBatch(records.map(({ seq, data, at }) => ({ seq, data, at })), { ...stopped.delivery, handled: (event) => void stoppedEvents.push(event.map((r) => r.seq)) })).toBe(false);
    expect(stopped.tries).toEqual([["1", "2"]]);
    expect(stoppedEvents).toEqual([["1", "2"]]);
  });

  it("keeps two records whose event is exactly the largest Lambda takes in one event, and cuts them one byte over", async () => {
    const limit = LAMBDA_SYNC_PAYLOAD_LIMITS.largestRequestBytes;
    const first = item("1", 3 * MB);
    const second = item("2", limit - Buffer.byteLength(JSON.stringify({ Records: [first, item("2", 0)] })));
    expect(Buffer.byteLength(JSON.stringify({ Records: [first, second] }))).toBe(limit);
    const exact = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, { maxAge: -1, tick: 1 });
    expect(await deliverStreamBatch([first, second], exact.delivery)).toBe(true);
    expect(exact.tries).toEqual([["1", "2"]]);
    const over = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, { maxAge: -1, tick: 1 });
    expect(await deliverStreamBatch([first, { ...second, data: `${second.data}x` }], over.delivery)).toBe(true);
    expect(over.tries).toEqual([["1"], ["2"]]);
    expect([...exact.failures, ...over.failures]).toEqual([]);
  });

  it("retries a lone record too large for any event until it passes the maximum age, spending no retry and not bisected, then gives it up as RecordAgeExceeded; the records around it are delivered", async () => {
    const { delivery, tries, givenUp, failures } = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, { maxAge: 60, tick: 20 });
    expect(await deliverStreamBatch([item("1", 10), item("2", 7 * MB), item("3", 10, 100)], delivery)).toBe(true);
    // The first record at 0 s, the large one refused at 20, 40 and 60 s of age, given up by the age check at 80 s; the
    // third (arrived at 100 s) is delivered after it.
    expect(tries).toEqual([["1"], ["2"], ["2"], ["2"], ["3"]]);
    expect(givenUp).toEqual([{ seqs: ["2"], attempts: 0, condition: "RecordAgeExceeded" }]);
    // The refusal is reported once, not on every try.
    expect(failures).toEqual([expect.stringContaining("Request must be smaller than 6291456 bytes")]);
  });

  it("keeps retrying a refused record with no maximum age (-1) until the emulator stops, giving nothing up", async () => {
    const { delivery, tries, givenUp } = harness({ bisectBatchOnFunctionError: false, maximumRetryAttempts: 1 }, { maxAge: -1, tick: 3600, stopAfter: 20 });
    expect(await deliverStreamBatch([item("1", 7 * MB)], delivery)).toBe(false);
    expect(tries).toHaveLength(20);
    expect(givenUp).toEqual([]);
  });

  it("still retries a function error up to maximumRetryAttempts, bisecting first, then gives it up as RetryAttemptsExhausted", async () => {
    const handler = (seqs: string[]) => {
      if (seqs.includes("2")) throw new Error("poison");
    };
    const { delivery, tries, givenUp } = harness({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 }, { maxAge: 3600, tick: 1, handler });
    expect(await deliverStreamBatch([item("1", 10), item("2", 10)], delivery)).toBe(true);
    expect(tries).toEqual([["1", "2"], ["1"], ["2"], ["2"]]);
    expect(givenUp).toEqual([{ seqs: ["2"], attempts: 1, condition: "RetryAttemptsExhausted", error: "poison" }]);
  });
});

/**
 * A local stream "large" (10240 KiB records) whose mapping's function refuses an event over 6 MB (refuseOversized); each
 * refused try moves the mapping's clock on `tick` seconds (arrival stamps are kinesalite's, real time). After
 * `refusalsAtMost` refusals the event is taken, so a mapping that never gives up fails its test instead of hanging.
 */
async function refusingMapping(options: { retentionHours: number; maximumRetryAttempts: number; maximumRecordAgeInSeconds: number; tick: number; refusalsAtMost?: number }) {
  let offset = 0;
  const refused: string[] = [];
  const delivered: string[] = [];
  const failures: Array<Record<string, any>> = [];
  const server = await startLocalKinesis({
    streams: [streamDefinition("large", { retentionHours: options.retentionHours, maxRecordSizeInKib: 10240 })],
    credentials: [CREDENTIALS],
    retryDelayMs: 0,
    now: () => Date.now() + offset * 1000,
    subscriptions: [
      readerSubscription("large", { bisectBatchOnFunctionError: true, maximumRetryAttempts: options.maximumRetryAttempts, maximumRecordAgeInSeconds: options.maximumRecordAgeInSeconds }, async (event) => {
        if (refused.length < (options.refusalsAtMost ?? Infinity)) {
          try {
            refuseOversized(event);
          } catch (error) {
            refused.push(event.Records[0].kinesis.partitionKey);
            offset += options.tick;
            throw error;
          }
        }
        delivered.push(...event.Records.map((r: KinesisEventRecord) => r.kinesis.partitionKey));
      }, (record) => void failures.push(record as Record<string, any>)),
    ],
  });
  return { server, refused, delivered, failures };
}

/** 5 MiB of data: about 7 MB in the event (base64), so no event holds it. */
const HUGE_DATA = Buffer.alloc(5 * 1024 * 1024, 1).toString("base64");

describe("a Kinesis mapping and a record too large for any Lambda event", () => {
  it("retries the refused record past maximumRetryAttempts until maximumRecordAgeInSeconds, then sends its RecordAgeExceeded on-failure record", async () => {
    const { server, refused, delivered, failures } = await refusingMapping({ retentionHours: 24, maximumRetryAttempts: 0, maximumRecordAgeInSeconds: 3600, tick: 1000 });
    try {
      const records = [{ PartitionKey: "before", Data: "AAAA" }, { PartitionKey: "huge", Data: HUGE_DATA }];
      const put = await signedKinesisCall(server.endpoint, "PutRecords", { StreamName: "large", Records: records });
      expect(put).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
      const hugeSequence = (put.body.Records as Array<{ SequenceNumber: string }>)[1].SequenceNumber;
      await server.drained();
      expect(delivered).toEqual(["before"]);
      // Tried at 0, 1000, 2000 and 3000 s of age (maximumRetryAttempts 0 would have stopped after one), never split.
      expect(refused).toEqual(["huge", "huge", "huge", "huge"]);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        requestContext: { condition: "RecordAgeExceeded", approximateInvokeCount: 0 },
        KinesisBatchInfo: { shardId: "shardId-000000000000", startSequenceNumber: hugeSequence, endSequenceNumber: hugeSequence, batchSize: 1 },
      });
      expect(failures[0].responseContext.functionError).toBeUndefined();
    } finally {
      await server.stop();
    }
  });

  it("with no maximum record age (-1), retries it until it is past the stream's retention (48 hours), then sends its RecordAgeExceeded on-failure record", async () => {
    // Each refused try is 20,000 s later (48 hours: 172,800 s); without a bound the 21st try takes the record.
    const { server, refused, delivered, failures } = await refusingMapping({ retentionHours: 48, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, tick: 20_000, refusalsAtMost: 20 });
    try {
      const put = await signedKinesisCall(server.endpoint, "PutRecords", { StreamName: "large", Records: [{ PartitionKey: "huge", Data: HUGE_DATA }] });
      expect(put).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
      await server.drained();
      // Tried at 0, 20,000 … 160,000 s of age; at 180,000 s it is past 48 hours.
      expect(refused).toHaveLength(9);
      expect(delivered).toEqual([]);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ requestContext: { condition: "RecordAgeExceeded" }, KinesisBatchInfo: { batchSize: 1 } });
    } finally {
      await server.stop();
    }
  });
});

describe("a Kinesis mapping stopped during a retry's wait", () => {
  it("stop() ends the wait at once (the retry's timer cleared), not after retryDelayMs", async () => {
    let firstTry!: () => void;
    const tried = new Promise<void>((resolve) => (firstTry = resolve));
    const server = await startLocalKinesis({
      streams: [streamDefinition("failing")],
      credentials: [CREDENTIALS],
      // An hour between tries: a stop that waited for the timer would outlast the test.
      retryDelayMs: 3_600_000,
      pollIntervalMs: 5,
      subscriptions: [
        readerSubscription("failing", { bisectBatchOnFunctionError: false, maximumRetryAttempts: 5, maximumRecordAgeInSeconds: -1 }, async () => {
          firstTry();
          throw new Error("the function failed");
        }),
      ],
    });
    const put = await signedKinesisCall(server.endpoint, "PutRecords", { StreamName: "failing", Records: [{ PartitionKey: "k", Data: "AAAA" }] });
    expect(put).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
    server.start();
    await tried;
    await server.stop();
  });
});

describe("a DynamoDB stream mapping and the 6 MB payload limit", () => {
  it("delivers a batch of stream records over 6 MB as several events that fit, in order, none refused or given up on", async () => {
    const events: string[][] = [];
    const logged: string[] = [];
    const dynamo = await startLocalDynamo({
      tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec({ stream: "NEW_IMAGE" }) }],
      subscribers: [
        {
          spec: streamSubscriptionSpec({ maximumRetryAttempts: 0, bisectBatchOnFunctionError: false }),
          tableName: "items-local",
          invoke: async (event) => {
            refuseOversized(event);
            events.push(event.Records.map((r) => String(r.dynamodb.Keys.pk.S)));
          },
        },
      ],
      region: "us-east-1",
      log: (message) => void logged.push(message),
    });
    try {
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" } }));
      // Twenty items of 350 KB in one write: one batch of twenty records (batchSize 100), about 7 MB as one event.
      const keys = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, "0")}`);
      await doc.send(new BatchWriteCommand({ RequestItems: { "items-local": keys.map((pk) => ({ PutRequest: { Item: { pk, sk: "1", blob: "x".repeat(350_000) } } })) } }));
      await dynamo.drained();
      expect(events.length).toBeGreaterThan(1);
      expect(events.flat()).toEqual(keys);
      expect(logged.filter((m) => m.includes("gave up") || m.includes("failed"))).toEqual([]);
    } finally {
      await dynamo.stop();
    }
  });
});

describe("a DynamoDB stream mapping and a record too large for any Lambda event", () => {
  it("retries the refused record with a pause between tries (the process stays responsive), and stop() ends the retries at once", async () => {
    let refusals = 0;
    let firstRefusal!: () => void;
    const refused = new Promise<void>((resolve) => (firstRefusal = resolve));
    const logged: string[] = [];
    const dynamo = await startLocalDynamo({
      tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec({ stream: "NEW_AND_OLD_IMAGES" }) }],
      subscribers: [
        {
          // A minute's maximum age: without a pause between tries, the refusals (rejected at once, as LocalLambda.invoke
          // rejects an event over 6 MB before any I/O) would hold the event loop for that minute.
          spec: streamSubscriptionSpec({ maximumRetryAttempts: 0, maximumRecordAgeInSeconds: 60 }),
          tableName: "items-local",
          invoke: async (event) => {
            try {
              refuseOversized(event);
            } catch (error) {
              refusals += 1;
              firstRefusal();
              throw error;
            }
          },
        },
      ],
      region: "us-east-1",
      log: (message) => void logged.push(message),
      // An hour between tries: a stop that waited for the retry's timer (its abort broken) would outlast the test.
      retryDelayMs: 3_600_000,
    });
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= dynamo.stop());
    try {
      const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" } });
      // An item under DynamoDB's 400 KB (as dynalite sizes it: maps of one-character names, each a false BOOL, 3 bytes
      // each) whose JSON in the event is about 8 times larger: its MODIFY record, with both images, is over 6 MB (6.3 MB).
      const names = [...Array(32).keys()].filter((c) => ![8, 9, 10, 12, 13].includes(c)).map((c) => String.fromCharCode(c));
      const level = (depth: number): AttributeValue => ({ M: Object.fromEntries(names.map((n) => [n, depth === 0 ? { BOOL: false } : level(depth - 1)])) });
      const item: Record<string, AttributeValue> = { pk: { S: "huge" }, sk: { S: "1" } };
      for (let i = 0; i < 6; i++) item[`a${i}`] = level(2);
      for (let i = 0; i < 14; i++) item[`b${i}`] = level(1);
      await client.send(new PutItemCommand({ TableName: "items-local", Item: item }));
      await client.send(new PutItemCommand({ TableName: "items-local", Item: { ...item, v: { N: "2" } } }));
      await refused;
      // The test runs on between tries (a timer, not a loop of promises), and stopping ends the retries and their pause
      // at once: no second try within the hour.
      await stop();
      expect(refusals).toBe(1);
      expect(logged.filter((m) => m.includes("gave up"))).toEqual([]);
      expect(logged.filter((m) => m.includes("failed"))).toEqual([expect.stringContaining("Request must be smaller than 6291456 bytes")]);
    } finally {
      await stop();
    }
  });
});

describe("a DynamoDB stream mapping with no maximum record age (-1) and a failing function", () => {
  afterEach(() => void vi.useRealTimers());

  it("retries the batch until its record is past the stream's 24-hour lifetime, then gives it up", async () => {
    // Only Date is faked (timers run): each try moves it on 50,000 s, so the third check finds the record 100,000 s old.
    vi.useFakeTimers({ toFake: ["Date"] });
    let tries = 0;
    let gaveUp!: (message: string) => void;
    const givenUp = new Promise<string>((resolve) => (gaveUp = resolve));
    const dynamo = await startLocalDynamo({
      tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec({ stream: "NEW_AND_OLD_IMAGES" }) }],
      subscribers: [
        {
          spec: streamSubscriptionSpec({ maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1 }),
          tableName: "items-local",
          invoke: async () => {
            tries += 1;
            vi.setSystemTime(Date.now() + 50_000_000);
            // Without a bound it would be retried for ever: the fourth try succeeds, and the test fails.
            if (tries >= 4) return void gaveUp("delivered on the fourth try");
            throw new Error("failing");
          },
        },
      ],
      region: "us-east-1",
      log: (message) => {
        if (message.includes("gave up")) gaveUp(message);
      },
      // The record's age is the faked Date's, moved on by each try, not the pause's: with none the tries and the give-up
      // are the same.
      retryDelayMs: 0,
    });
    try {
      const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" } });
      await client.send(new PutItemCommand({ TableName: "items-local", Item: { pk: { S: "a" }, sk: { S: "1" } } }));
      expect(await givenUp).toContain("gave up on 1 record(s) older than 86400 s");
      expect(tries).toBe(2);
    } finally {
      await dynamo.stop();
    }
  });
});
