/**
 * PutRecords' whole-request limit on the local Kinesis endpoint: "Each record in the request can be as large as 10 MiB,
 * up to a limit of 10 MiB for the entire request, including partition keys" (API_PutRecords since Kinesis took records
 * of up to 10 MiB; it was 5 MiB before), answered with InvalidArgumentException, nothing stored. A request over
 * kinesalite's own 7 MiB body is put in parts, after kinesalite's validation of the whole. Raw signed requests, so the
 * sizes are exact.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalKinesis, type LocalKinesis } from "../../local/kinesis-server";
import { CREDENTIALS, signedKinesisCall, streamDefinition } from "./kinesis-helpers";

let server: LocalKinesis;

beforeAll(async () => {
  const stream = streamDefinition("sized");
  server = await startLocalKinesis({ streams: [stream], credentials: [CREDENTIALS] });
});

afterAll(async () => {
  await server?.stop();
});

const call = (operation: string, body: unknown) => signedKinesisCall(server.endpoint, operation, body);

const MIB = 1024 * 1024;
/** A record of `dataBytes` of data under the one-byte key "k". */
const record = (dataBytes: number) => ({ PartitionKey: "k", Data: Buffer.alloc(dataBytes, 1).toString("base64") });

/** The shard's records counted so far, and the sequence number of the last of them (stored). */
let counted = 0;
let countedUpTo: string | undefined;

/**
 * How many records the shard holds: those counted before, and those after the last of them, read once each (a shard
 * only gains records: re-reading the megabytes already counted, from TRIM_HORIZON, cost seconds: issue 15).
 */
const stored = async () => {
  const position = countedUpTo ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: countedUpTo } : { ShardIteratorType: "TRIM_HORIZON" };
  const { body: iterator } = await call("GetShardIterator", { StreamName: "sized", ShardId: "shardId-000000000000", ...position });
  let next = iterator.ShardIterator as string;
  for (;;) {
    const { body } = await call("GetRecords", { ShardIterator: next, Limit: 10 });
    const records = body.Records as Array<{ SequenceNumber: string }>;
    if (records.length === 0) return counted;
    counted += records.length;
    countedUpTo = records.at(-1)!.SequenceNumber;
    next = body.NextShardIterator as string;
  }
};

it("takes a PutRecords of exactly 10 MiB, partition keys included, and refuses one a byte over with InvalidArgumentException, storing none of it", async () => {
  const before = await stored();
  // Ten records of 1 MiB - 1 byte of data and a 1-byte key: 10 MiB in all (a body of over 13 MiB, past kinesalite's 7 MiB).
  const exact = await call("PutRecords", { StreamName: "sized", Records: Array.from({ length: 10 }, () => record(MIB - 1)) });
  expect(exact).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
  expect((exact.body.Records as Array<{ SequenceNumber?: string }>).filter((r) => r.SequenceNumber)).toHaveLength(10);
  // The same and an eleventh record of no data: its 1-byte key is the byte over (each record within 1 MiB, key included).
  const over = await call("PutRecords", { StreamName: "sized", Records: [...Array.from({ length: 10 }, () => record(MIB - 1)), record(0)] });
  expect(over).toEqual({ status: 400, body: { __type: "InvalidArgumentException", message: "Records size exceeds 10 MB limit" } });
  // Only the ten records of the first request are stored.
  expect((await stored()) - before).toBe(10);
});

it("takes a PutRecords between 5 and 10 MiB, which Kinesis took no more before its limit went to 10 MiB", async () => {
  const before = await stored();
  const answer = await call("PutRecords", { StreamName: "sized", Records: [...Array.from({ length: 5 }, () => record(MIB - 1)), record(0)] });
  expect(answer).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
  expect((await stored()) - before).toBe(6);
});

it("refuses a request too large for kinesalite's body as kinesalite would, when one of its records is invalid, storing none of it", async () => {
  const before = await stored();
  const answer = await call("PutRecords", { StreamName: "sized", Records: [...Array.from({ length: 9 }, () => record(MIB - 1)), { PartitionKey: "", Data: "AA==" }] });
  expect(answer).toMatchObject({ status: 400, body: { __type: "ValidationException", message: expect.stringContaining("partitionKey") } });
  expect((await stored()) - before).toBe(0);
});

it("leaves a record over 1 MiB of data to the JSON protocol's ValidationException, as before", async () => {
  const response = await call("PutRecords", { StreamName: "sized", Records: [record(MIB + 1)] });
  expect(response).toMatchObject({ status: 400, body: { __type: "ValidationException" } });
});
