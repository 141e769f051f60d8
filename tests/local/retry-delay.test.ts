/**
 * The local event source mappings' retry delay (local/retry-delay.ts): DynamoDB's stream pump, the Kinesis mapping and
 * the SQS event source each refuse a retryDelayMs Node's timers would not keep (a negative or over-2^31-1 delay is 1 ms
 * to setTimeout, NaN none at all: a retry loop holding a core), naming the option, before anything is left running;
 * absent, it is 1000 ms; 0 and an hour are taken.
 */
import { expect, it } from "vitest";
import { startLocalKinesis } from "../../local/kinesis-server";
import { retryDelayOf } from "../../local/retry-delay";
import { SqsEventSource } from "../../local/sqs-event-source";
import { LocalSqs } from "../../local/sqs-server";
import { CREDENTIALS, readerSubscription, streamDefinition } from "./kinesis-helpers";

const SETTINGS = { bisectBatchOnFunctionError: false, maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1 };
const WRONG = [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31];

it.each(WRONG)("retryDelayOf refuses %s, naming the owner and the option", (ms) => {
  expect(() => retryDelayOf(ms, "local X")).toThrow(RangeError);
  expect(() => retryDelayOf(ms, "local X")).toThrow(/^local X: retryDelayMs must be a number of milliseconds from 0 to 2147483647, got /);
});

it("retryDelayOf takes 0 and an hour, and is 1000 ms when absent", () => {
  expect(retryDelayOf(0, "x")).toBe(0);
  expect(retryDelayOf(3_600_000, "x")).toBe(3_600_000);
  expect(retryDelayOf(2_147_483_647, "x")).toBe(2_147_483_647);
  expect(retryDelayOf(undefined, "x")).toBe(1000);
});

it.each(WRONG)("the Kinesis mapping refuses retryDelayMs %s", async (retryDelayMs) => {
  await expect(
    startLocalKinesis({ streams: [streamDefinition("events")], subscriptions: [readerSubscription("events", SETTINGS, async () => undefined)], credentials: [CREDENTIALS], retryDelayMs }),
  ).rejects.toThrow(/^local Kinesis: retryDelayMs must be .*milliseconds/);
});

it("the Kinesis mapping takes 0", async () => {
  const kinesis = await startLocalKinesis({ streams: [streamDefinition("events")], subscriptions: [readerSubscription("events", SETTINGS, async () => undefined)], credentials: [CREDENTIALS], retryDelayMs: 0 });
  await kinesis.stop();
});

const sqsSource = (retryDelayMs: number) =>
  new SqsEventSource({
    sqs: new LocalSqs([{ name: "jobs", fifo: false, contentBasedDeduplication: false, visibilityTimeoutSeconds: 30, messageRetentionSeconds: 345_600, delaySeconds: 0, maximumMessageBytes: 1_048_576, region: "eu-west-1" }]),
    queueName: "jobs",
    region: "eu-west-1",
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    invoke: async () => undefined,
    log: () => {},
    retryDelayMs,
  });

it.each(WRONG)("the SQS event source refuses retryDelayMs %s", (retryDelayMs) => {
  expect(() => sqsSource(retryDelayMs)).toThrow(/^local SQS: jobs: retryDelayMs must be .*milliseconds/);
});

it("the SQS event source takes 0 and an hour", () => {
  for (const retryDelayMs of [0, 3_600_000]) expect(sqsSource(retryDelayMs)).toBeInstanceOf(SqsEventSource);
});
