/**
 * A stream mapping and a throttled function (local/stream-batches.ts): Lambda's Invoke refuses every invocation of a
 * function that reserves no concurrency (reservedConcurrency 0: TooManyRequestsException, "Rate Exceeded.", as
 * LocalLambda.invoke throws it), which is the mapping "unable to invoke the function due to throttling": "it retries
 * until the records expire or exceed the maximum age configured on the event source mapping
 * (MaximumRecordAgeInSeconds)", with no retry quota and no bisection (those are for errors "during invocation")
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). The throttled function here is a real
 * LocalLambda with reservedConcurrency 0 (it refuses before any sandbox or bundle); clocks are injected and the
 * mappings' pauses between tries are 0 (retryDelayMs: a retry still waits for the event loop's next turn), no
 * assertion is timed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startLocalDynamo } from "../../local/dynamodb";
import { LocalLambda } from "../../local/lambda-runtime";
import { startLocalKinesis } from "../../local/kinesis-server";
import { deliverStreamBatch, type GiveUpCondition } from "../../local/stream-batches";
import { localLambdaSpec } from "../harness/lambda-spec";
import { streamSubscriptionSpec } from "../harness/stream-subscription";
import { tableSpec } from "./dynamodb-helpers";
import { CREDENTIALS, readerSubscription, signedKinesisCall, streamDefinition } from "./kinesis-helpers";

const buildDir = mkdtempSync(join(tmpdir(), "sf-stream-throttle-"));
/** A function that reserves no concurrency: every invocation is throttled by LocalLambda itself. */
const throttled = () => new LocalLambda(localLambdaSpec({ name: "reader", entry: "tests/fixtures/handlers/echo.ts", reservedConcurrency: 0 }), { buildDir, sharedEnvironment: {} });

interface Item {
  seq: string;
  /** Seconds (the injected clock's) the record arrived. */
  at: number;
}

describe("deliverStreamBatch and a throttled function (reservedConcurrency 0)", () => {
  it("retries the whole batch, not bisected and spending no retry, until its records pass the maximum age, then gives them up as RecordAgeExceeded", async () => {
    const fn = throttled();
    let now = 0;
    const tries: string[][] = [];
    const givenUp: Array<{ seqs: string[]; attempts: number; condition: GiveUpCondition; error?: string }> = [];
    const failures: string[] = [];
    const handled = await deliverStreamBatch<Item>([{ seq: "1", at: 0 }, { seq: "2", at: 0 }, { seq: "3", at: 0 }, { seq: "4", at: 0 }], {
      // Bisection on and no retries: a function error would be split, then given up on after the first try.
      settings: { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 },
      invoke: async (batch) => {
        tries.push(batch.map((r) => r.seq));
        now += 25;
        return fn.invoke({ Records: batch });
      },
      sequenceOf: (r) => r.seq,
      expired: (r) => now - r.at > 60,
      giveUp: (records, attempts, condition, error) => void givenUp.push({ seqs: records.map((r) => r.seq), attempts, condition, ...(error ? { error: error.message } : {}) }),
      failed: (error) => void failures.push(error.message),
    });
    expect(handled).toBe(true);
    // Tried at 0, 25 and 50 s of age, whole each time; at 75 s the age check gives the batch up.
    expect(tries).toEqual([["1", "2", "3", "4"], ["1", "2", "3", "4"], ["1", "2", "3", "4"]]);
    expect(givenUp).toEqual([{ seqs: ["1", "2", "3", "4"], attempts: 0, condition: "RecordAgeExceeded" }]);
    // The throttle is reported once, not on every try.
    expect(failures).toEqual(["reader: TooManyRequestsException: Rate Exceeded."]);
    expect(fn.coldStarts).toBe(0);
  });

  it("keeps retrying with no maximum age until the emulator stops, giving nothing up", async () => {
    const fn = throttled();
    let tries = 0;
    const givenUp: string[][] = [];
    const handled = await deliverStreamBatch<Item>([{ seq: "1", at: 0 }, { seq: "2", at: 0 }], {
      settings: { bisectBatchOnFunctionError: true, maximumRetryAttempts: 2 },
      invoke: async (batch) => {
        tries += 1;
        return fn.invoke({ Records: batch });
      },
      sequenceOf: (r) => r.seq,
      giveUp: (records) => void givenUp.push(records.map((r) => r.seq)),
      stopped: () => tries >= 10,
    });
    expect(handled).toBe(false);
    expect(tries).toBe(10);
    expect(givenUp).toEqual([]);
  });
});

describe("a Kinesis mapping on a function with reservedConcurrency 0", () => {
  it("retries past maximumRetryAttempts, never split, until maximumRecordAgeInSeconds, then sends one RecordAgeExceeded on-failure record for the whole batch", async () => {
    const fn = throttled();
    let offset = 0;
    let tries = 0;
    const sizes: number[] = [];
    const failures: Array<Record<string, any>> = [];
    const server = await startLocalKinesis({
      streams: [streamDefinition("events")],
      credentials: [CREDENTIALS],
      retryDelayMs: 0,
      now: () => Date.now() + offset * 1000,
      subscriptions: [
        readerSubscription("events", { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0, maximumRecordAgeInSeconds: 3600 }, async (event) => {
          tries += 1;
          sizes.push(event.Records.length);
          offset += 1000;
          // A mapping that never gives up fails the test (the fifth try would be taken) instead of hanging.
          if (tries > 4) return undefined;
          return fn.invoke(event);
        }, (record) => void failures.push(record as Record<string, any>)),
      ],
    });
    try {
      const put = await signedKinesisCall(server.endpoint, "PutRecords", { StreamName: "events", Records: [{ PartitionKey: "a", Data: "AAAA" }, { PartitionKey: "b", Data: "AAAA" }] });
      expect(put).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
      const [first, last] = (put.body.Records as Array<{ SequenceNumber: string }>).map((r) => r.SequenceNumber);
      await server.drained();
      // Tried whole at 0, 1000, 2000 and 3000 s of age (maximumRetryAttempts 0 would have stopped after one, bisection
      // would have split it); at 4000 s it is past the maximum age.
      expect(sizes).toEqual([2, 2, 2, 2]);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        requestContext: { condition: "RecordAgeExceeded", approximateInvokeCount: 0 },
        KinesisBatchInfo: { startSequenceNumber: first, endSequenceNumber: last, batchSize: 2 },
      });
      expect(failures[0].responseContext.functionError).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});

describe("a DynamoDB stream mapping on a function with reservedConcurrency 0", () => {
  afterEach(() => void vi.useRealTimers());

  it("retries the whole batch past maximumRetryAttempts, never split, until maximumRecordAgeInSeconds, then gives it up for its age", async () => {
    // Only Date is faked (the pump's retry timer runs): each try moves it on 25 s.
    vi.useFakeTimers({ toFake: ["Date"] });
    const fn = throttled();
    const sizes: number[] = [];
    const logged: string[] = [];
    let gaveUp!: () => void;
    const givenUp = new Promise<void>((resolve) => (gaveUp = resolve));
    const dynamo = await startLocalDynamo({
      tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec({ stream: "NEW_IMAGE" }) }],
      subscribers: [
        {
          spec: streamSubscriptionSpec({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0, maximumRecordAgeInSeconds: 60 }),
          tableName: "items-local",
          invoke: async (event) => {
            sizes.push(event.Records.length);
            vi.setSystemTime(Date.now() + 25_000);
            // A mapping that never gives up fails the test (the fifth try would be taken) instead of hanging.
            if (sizes.length > 4) return void gaveUp();
            return fn.invoke(event);
          },
        },
      ],
      region: "us-east-1",
      log: (message) => {
        logged.push(message);
        if (message.includes("gave up")) gaveUp();
      },
      // The age is the faked Date's, moved on by each try, not the pause's: with none the tries and the give-up are the same.
      retryDelayMs: 0,
    });
    try {
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" } }));
      await doc.send(new BatchWriteCommand({ RequestItems: { "items-local": ["a", "b"].map((pk) => ({ PutRequest: { Item: { pk, sk: "1" } } })) } }));
      await givenUp;
      // Tried whole at 0, 25 and 50 s of age; at 75 s the age check gives both records up.
      expect(sizes).toEqual([2, 2, 2]);
      expect(logged.filter((m) => m.includes("gave up"))).toEqual([expect.stringContaining("gave up on 2 record(s) older than 60 s")]);
      expect(logged.filter((m) => m.includes("failed"))).toEqual([expect.stringContaining("TooManyRequestsException: Rate Exceeded.")]);
    } finally {
      await dynamo.stop();
    }
  });
});
