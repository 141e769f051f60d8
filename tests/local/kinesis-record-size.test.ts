/**
 * A stream's maximum record size on the local Kinesis endpoint (MaxRecordSizeInKiB, the DataStream's
 * maxRecordSizeInKib): it counts the data and the partition key ("When the data blob … is added to the partition key
 * size, the total size must not exceed the maximum record size", API_PutRecord / API_PutRecords), 1 MiB unless raised;
 * a stream raised to 10 MiB takes records of more than kinesalite's 1 MiB of data, stored and read back whole (by
 * GetRecords, at most 10 MiB a call, by a mapping's invocations and by SubscribeToShard). Raw signed requests, so the
 * sizes are exact.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LargeRecords, startLocalKinesis, type KinesisEventRecord, type LocalKinesis } from "../../local/kinesis-server";
import { localStreamDefinitions } from "../../local/services/data-streams";
import { ListStreamConsumersCommand, PutRecordCommand, SubscribeToShardCommand } from "@aws-sdk/client-kinesis";
import { CREDENTIALS, kinesisClient, readerSubscription, REGION, signedKinesisCall, streamDefinition } from "./kinesis-helpers";

let server: LocalKinesis;
const MIB = 1024 * 1024;
const delivered: KinesisEventRecord[] = [];

beforeAll(async () => {
  const stream = (name: string, maxRecordSizeInKib?: number) => streamDefinition(name, maxRecordSizeInKib ? { maxRecordSizeInKib } : {});
  server = await startLocalKinesis({
    // "refused" takes only requests refused whole: its shard stays empty, so that nothing was stored is read without
    // reading back the 13 MiB of records "large" holds (each such read cost about half a CPU-second; issue 15).
    streams: [stream("default-size"), stream("large", 10240), stream("refused", 10240), stream("paged", 10240), stream("paged-small")],
    credentials: [CREDENTIALS],
    subscriptions: [
      readerSubscription("large", { bisectBatchOnFunctionError: false, maximumRetryAttempts: 0, maximumRecordAgeInSeconds: -1 }, async (event) => void delivered.push(...event.Records)),
    ],
  });
});

afterAll(async () => {
  await server?.stop();
});

const call = (operation: string, body: unknown) => signedKinesisCall(server.endpoint, operation, body);

/** `bytes` of data, different in each record (its first bytes are `seed`), base64 as the JSON protocol sends it. */
const data = (bytes: number, seed = "x") => {
  const buffer = Buffer.alloc(bytes, 7);
  buffer.write(seed);
  return buffer.toString("base64");
};
/**
 * A LargeRecords on a clock the test moves (`pass(ms)`), its streams kept as `retentions` says (hours), and `put`: a
 * large PutRecord (1 MiB and a byte of data) to a stream.
 */
const largeRecordsOnClock = (retentions: Record<string, number> = {}) => {
  let now = Date.parse("2026-12-07T00:00:00Z");
  const large = new LargeRecords(() => now);
  for (const [stream, hours] of Object.entries(retentions)) large.retain(stream, hours);
  const put = (stream: string) => large.stand("PutRecord", { StreamName: stream, PartitionKey: "k", Data: data(MIB + 1) }, 10 * MIB, stream);
  return { large, put, pass: (ms: number) => void (now += ms) };
};
const digest = (base64: string) => createHash("sha256").update(Buffer.from(base64, "base64")).digest("hex");

/** The records the stream's shard holds, read from its start. */
const stored = async (stream: string) => {
  const { body: iterator } = await call("GetShardIterator", { StreamName: stream, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
  const records: Array<{ Data: string; PartitionKey: string; SequenceNumber: string }> = [];
  let next = iterator.ShardIterator as string;
  for (;;) {
    const { body } = await call("GetRecords", { ShardIterator: next, Limit: 5 });
    const page = body.Records as typeof records;
    if (page.length === 0) return records;
    records.push(...page);
    next = body.NextShardIterator as string;
  }
};

it("counts the partition key in a 1 MiB stream's maximum: 1 MiB of data under a 1-byte key is refused whole, a byte less is taken", async () => {
  const before = (await stored("default-size")).length;
  const one = await call("PutRecord", { StreamName: "default-size", PartitionKey: "k", Data: data(MIB) });
  expect(one).toEqual({ status: 400, body: { __type: "InvalidArgumentException", message: "Record size (data and partition key) of 1048577 bytes exceeds the stream's maximum record size of 1048576 bytes (MaxRecordSizeInKiB 1024)" } });
  const batch = await call("PutRecords", { StreamName: "default-size", Records: [{ PartitionKey: "k", Data: data(10) }, { PartitionKey: "kk", Data: data(MIB - 1) }] });
  expect(batch).toEqual({ status: 400, body: { __type: "InvalidArgumentException", message: "Record size of records.2 (data and partition key) of 1048577 bytes exceeds the stream's maximum record size of 1048576 bytes (MaxRecordSizeInKiB 1024)" } });
  expect((await stored("default-size")).length - before).toBe(0);
  expect(await call("PutRecord", { StreamName: "default-size", PartitionKey: "k", Data: data(MIB - 1) })).toMatchObject({ status: 200 });
  expect((await stored("default-size")).length - before).toBe(1);
});

it("leaves over 1 MiB of data on a 1 MiB stream to the JSON protocol's ValidationException (kinesalite's, as Kinesis answers it)", async () => {
  const answer = await call("PutRecord", { StreamName: "default-size", PartitionKey: "k", Data: data(MIB + 1) });
  expect(answer).toMatchObject({ status: 400, body: { __type: "ValidationException", message: expect.stringContaining("Member must have length less than or equal to 1048576") } });
});

it("takes records of up to 10 MiB on a stream raised to 10240 KiB, stores them whole and in order, and hands them whole to its mapping", async () => {
  const largest = data(10 * MIB - 1, "largest");
  const put = await call("PutRecord", { StreamName: "large", PartitionKey: "k", Data: largest });
  expect(put).toMatchObject({ status: 200, body: { ShardId: "shardId-000000000000" } });
  const [small, three] = [data(100, "small"), data(3 * MIB, "three")];
  const batch = await call("PutRecords", { StreamName: "large", Records: [{ PartitionKey: "a", Data: small }, { PartitionKey: "b", Data: three }] });
  expect(batch).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
  const records = await stored("large");
  expect(records.map((r) => [r.PartitionKey, digest(r.Data)])).toEqual([["k", digest(largest)], ["a", digest(small)], ["b", digest(three)]]);
  expect(records[0].SequenceNumber).toBe((put.body as { SequenceNumber: string }).SequenceNumber);
  // The mapping reads through the same store: each record's data arrives whole (this invoke does not apply Lambda's 6 MB
  // payload limit, which the local function does: there the 10 MiB record's event is refused with
  // RequestEntityTooLargeException and retried, as a mapping unable to invoke its function, until it passes
  // maximumRecordAgeInSeconds, then given up on to the on-failure destination: stream-batches-oversize.test.ts).
  await server.drained();
  expect(delivered.map((r) => [r.kinesis.partitionKey, digest(r.kinesis.data)])).toEqual([["k", digest(largest)], ["a", digest(small)], ["b", digest(three)]]);
});

it("refuses on a 10240 KiB stream data over 10 MiB (ValidationException) and 10 MiB of data under a key (InvalidArgumentException), storing nothing", async () => {
  const overData = await call("PutRecords", { StreamName: "refused", Records: [{ PartitionKey: "k", Data: data(10 * MIB + 1) }] });
  expect(overData).toEqual({ status: 400, body: { __type: "ValidationException", message: "1 validation error detected: Value at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 10485760" } });
  const overKey = await call("PutRecord", { StreamName: "refused", PartitionKey: "k", Data: data(10 * MIB) });
  expect(overKey).toEqual({ status: 400, body: { __type: "InvalidArgumentException", message: "Record size (data and partition key) of 10485761 bytes exceeds the stream's maximum record size of 10485760 bytes (MaxRecordSizeInKiB 10240)" } });
  expect(await stored("refused")).toEqual([]);
});

it("gives `npm start`'s local stream the DataStream's maxRecordSizeInKib", async () => {
  const spec = { name: "sized", streamName: "sized-stream", mode: "ON_DEMAND" as const, retentionHours: 24, maxRecordSizeInKib: 4096, retainOnDelete: false };
  const [definition] = await localStreamDefinitions([spec], REGION, []);
  expect(definition).toMatchObject({ name: "sized-stream", maxRecordSizeInKib: 4096 });
});

it("answers DescribeStreamSummary with each stream's MaxRecordSizeInKiB (kinesalite knows none)", async () => {
  const summary = async (stream: string) => ((await call("DescribeStreamSummary", { StreamName: stream })).body.StreamDescriptionSummary as Record<string, unknown>).MaxRecordSizeInKiB;
  expect([await summary("default-size"), await summary("large")]).toEqual([1024, 10240]);
});

it("answers a GetRecords of large records with at most 10 MiB, as Kinesis does, the next call reading on from there", async () => {
  // "GetRecords can retrieve up to 10 MiB of data per call from a single shard" (API_GetRecords): kinesalite caps by
  // count only, and its records here are tokens, so without the cap one call answered every large record whole.
  const [first, second] = [data(6 * MIB, "first"), data(6 * MIB, "second")];
  for (const [key, record] of [["p", first], ["q", second]]) expect(await call("PutRecord", { StreamName: "paged", PartitionKey: key, Data: record })).toMatchObject({ status: 200 });
  const { body: iterator } = await call("GetShardIterator", { StreamName: "paged", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
  const one = await call("GetRecords", { ShardIterator: iterator.ShardIterator });
  expect((one.body.Records as Array<{ Data: string }>).map((r) => digest(r.Data))).toEqual([digest(first)]);
  expect(one.body.MillisBehindLatest).toEqual(expect.any(Number));
  const two = await call("GetRecords", { ShardIterator: one.body.NextShardIterator });
  expect((two.body.Records as Array<{ Data: string }>).map((r) => digest(r.Data))).toEqual([digest(second)]);
  const three = await call("GetRecords", { ShardIterator: two.body.NextShardIterator });
  expect(three.body.Records).toEqual([]);
});

it("answers a GetRecords of 1 MiB records (kinesalite's own, no large records) with at most 10 MiB too, the next call reading on with none skipped or repeated", async () => {
  // The cap counts every record answered, not only the large records kept beside kinesalite: eleven records of 1 MiB
  // (data and key) are 11 MiB, which kinesalite answered in one call (it caps by count: Limit, 10,000 at most).
  const records = Array.from({ length: 11 }, (_, n) => ({ PartitionKey: "k", Data: data(MIB - 1, `small-${n}`) }));
  expect(await call("PutRecords", { StreamName: "paged-small", Records: records.slice(0, 10) })).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
  expect(await call("PutRecord", { StreamName: "paged-small", ...records[10] })).toMatchObject({ status: 200 });
  const { body: iterator } = await call("GetShardIterator", { StreamName: "paged-small", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
  const one = await call("GetRecords", { ShardIterator: iterator.ShardIterator });
  const first = one.body.Records as Array<{ Data: string; PartitionKey: string; SequenceNumber: string }>;
  // Exactly 10 MiB is within the cap; the eleventh would exceed it.
  expect(first.map((r) => digest(r.Data))).toEqual(records.slice(0, 10).map((r) => digest(r.Data)));
  expect(first.reduce((sum, r) => sum + Buffer.byteLength(r.Data, "base64") + r.PartitionKey.length, 0)).toBe(10 * MIB);
  const two = await call("GetRecords", { ShardIterator: one.body.NextShardIterator });
  const second = two.body.Records as Array<{ Data: string; SequenceNumber: string }>;
  expect(second.map((r) => digest(r.Data))).toEqual([digest(records[10].Data)]);
  expect(BigInt(second[0].SequenceNumber) > BigInt(first[9].SequenceNumber)).toBe(true);
  expect((await call("GetRecords", { ShardIterator: two.body.NextShardIterator })).body.Records).toEqual([]);
});

it("keeps a large record's data only while kinesalite can answer its record: not past its stream's deletion nor its retention", () => {
  const { large, put, pass } = largeRecordsOnClock({ a: 24, b: 48 });
  put("a");
  put("b");
  put("c");
  expect(large.size).toBe(3);
  large.forgetStream("c");
  expect(large.size).toBe(2);
  // 25 hours on, a large put sweeps what kinesalite no longer answers: "a"'s record (24 hours), not "b"'s (48).
  pass(25 * 3_600_000);
  put("b");
  expect(large.size).toBe(2);
  const refused = put("b");
  refused.forget();
  expect(large.size).toBe(2);
  // A request refused for a later record's Data keeps none of the earlier ones'.
  expect(() => large.stand("PutRecords", { Records: [{ PartitionKey: "k", Data: data(MIB + 1) }, { PartitionKey: "k", Data: `${data(MIB + 4).slice(0, -4)}!!!!` }] }, 10 * MIB, "b")).toThrow(/Invalid Base64 character/);
  expect(large.size).toBe(2);
});

it("keeps a stream created again under a deleted stream's name to its own retention, not the deleted stream's", () => {
  const { large, put, pass } = largeRecordsOnClock();
  // Raised to 48 hours, then deleted; CreateStream under the name makes a stream of 24 hours (the endpoint does not
  // `retain` it: kinesalite's default), whose records kinesalite stops answering after 24 hours.
  large.retain("again", 48);
  large.forgetStream("again");
  put("again");
  expect(large.size).toBe(1);
  pass(24 * 3_600_000 + 60_000 + 1);
  large.sweep();
  expect(large.size).toBe(0);
});

it("leaves a large record whose data was swept out of a GetRecords answer, as Kinesis does not bring back expired records when retention is raised", async () => {
  // kinesalite leaves out records older than the retention a stream has at the read, so raising it after a record
  // expired answers that record again (Kinesis does not: "it does not make previous, expired data (older than the
  // stream's previous retention period) accessible", API_IncreaseStreamRetentionPeriod); a large record's data is gone
  // by then, and its token is no data the producer put.
  const { large, put, pass } = largeRecordsOnClock({ raised: 24 });
  const { input } = put("raised");
  pass(24 * 3_600_000 + 60_000 + 1);
  large.sweep();
  large.retain("raised", 48);
  const small = data(10, "small");
  const answer = { Records: [{ Data: input.Data, PartitionKey: "k", SequenceNumber: "1" }, { Data: small, PartitionKey: "k", SequenceNumber: "2" }] };
  await large.read(answer, undefined, async () => ({}));
  expect(answer.Records.map((r) => r.Data)).toEqual([small]);
});

it("leaves a GetRecords answer none of whose records is a large one as it came: the same text, the same records, not copied", async () => {
  const { large, put } = largeRecordsOnClock({ a: 24 });
  const admin = async () => ({});
  const small = (n: number) => ({ Data: data(10, `small-${n}`), PartitionKey: "k", SequenceNumber: String(n) });
  // Nothing held yet, then a large record held (of another answer): neither touches an answer of small records only.
  for (const step of ["nothing held", "a large record held"]) {
    if (step === "a large record held") put("a");
    const answer = { Records: [small(1), small(2)], NextShardIterator: "next", MillisBehindLatest: 0 };
    const records = answer.Records;
    const copy = structuredClone(answer);
    const changed = await large.read(answer, undefined, admin);
    expect(answer.Records, step).toBe(records);
    expect(answer, step).toEqual(copy);
    // kinesalite's text as it sent it (its spacing, its members' order), not parsed and written again.
    const text = `{"NextShardIterator": "next", "Records": ${JSON.stringify([small(3)])}, "MillisBehindLatest": 0}`;
    expect(await large.readText(text, undefined, admin), step).toBe(text);
    expect(changed, step).toBe(false);
  }
  // An answer with a large record's token is read as before: its data back in place, the text written again.
  const { input } = put("a");
  const text = JSON.stringify({ Records: [small(4), { Data: input.Data, PartitionKey: "k", SequenceNumber: "5" }], MillisBehindLatest: 0 });
  const answered = JSON.parse(await large.readText(text, undefined, admin)) as { Records: Array<{ Data: string }> };
  expect(answered.Records.map((r) => digest(r.Data))).toEqual([digest(small(4).Data), digest(data(MIB + 1))]);
});

it("sweeps large records past their stream's retention at a GetRecords answer and on an unref'd timer, not only at the next large put", async () => {
  const { large, put, pass } = largeRecordsOnClock({ a: 24, b: 48 });
  put("a");
  put("b");
  // The timer's schedule, injected: no time passes in the test, the clock is moved instead.
  const timers: Array<{ run: () => void; ms: number; unref: () => void; unrefs: number }> = [];
  const stop = large.sweepEvery(60_000, (run, ms) => {
    const timer = { run, ms, unrefs: 0, unref: () => void (timer.unrefs += 1) };
    timers.push(timer);
    return timer;
  });
  expect(timers.map((t) => [t.ms, t.unrefs])).toEqual([[60_000, 1]]);
  // Within retention (and its minute's margin) nothing goes.
  pass(24 * 3_600_000 + 60_000);
  timers[0].run();
  await large.read({ Records: [] }, undefined, async () => ({}));
  expect(large.size).toBe(2);
  // A GetRecords answer read (here of no large record) sweeps "a"'s record, past its 24 hours; "b"'s 48 hours keep it.
  pass(1);
  await large.read({ Records: [] }, undefined, async () => ({}));
  expect(large.size).toBe(1);
  // The timer alone sweeps "b"'s once it is past 48 hours.
  pass(24 * 3_600_000);
  timers[0].run();
  expect(large.size).toBe(0);
  stop();
});

it("pushes a large record whole to an enhanced fan-out consumer (SubscribeToShard reads through the same store)", async () => {
  const name = "fanned";
  const arn = `arn:aws:kinesis:${REGION}:123456789012:stream/${name}`;
  const own = await startLocalKinesis({ streams: [{ name, arn, region: REGION, shardCount: 1, retentionHours: 24, maxRecordSizeInKib: 4096, consumers: [{ name: "fan" }] }], credentials: [CREDENTIALS], subscriptionPollIntervalMs: 10 });
  const kinesis = kinesisClient(own.endpoint);
  const controller = new AbortController();
  try {
    const large = Buffer.alloc(3 * MIB, 3);
    large.write("fanned");
    await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: large }));
    const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn }));
    const { EventStream } = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumers![0].ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" } }), { abortSignal: controller.signal });
    const received: Uint8Array[] = [];
    for await (const event of EventStream!) {
      received.push(...(event.SubscribeToShardEvent?.Records ?? []).map((r) => r.Data!));
      if (received.length > 0) break;
    }
    expect(received.map((d) => createHash("sha256").update(d).digest("hex"))).toEqual([createHash("sha256").update(large).digest("hex")]);
  } finally {
    controller.abort();
    kinesis.destroy();
    await own.stop();
  }
});

it("refuses a large record's Data that is not base64 as kinesalite refuses a small one's (SerializationException), storing nothing", async () => {
  const notBase64 = `${data(2 * MIB).slice(0, -4)}!!!!`;
  const answer = await call("PutRecords", { StreamName: "refused", Records: [{ PartitionKey: "k", Data: notBase64 }] });
  // kinesalite's answer names its message `Message`, the endpoint's own `message` (the SDK reads either).
  expect([answer.status, answer.body.__type, answer.body.message]).toEqual([400, "SerializationException", expect.stringContaining("can not be converted to a Blob: Invalid Base64 character: '!'")]);
  const small = await call("PutRecord", { StreamName: "refused", PartitionKey: "k", Data: "!!!!" });
  expect(small).toMatchObject({ status: 400, body: { __type: "SerializationException", Message: "'!!!!' can not be converted to a Blob: Invalid Base64 character: '!'" } });
  expect(await stored("refused")).toEqual([]);
});

it("takes a stream's maximum record size from CreateStream's MaxRecordSizeInKiB and UpdateMaxRecordSize, as Kinesis does", async () => {
  const arn = (name: string) => `arn:aws:kinesis:${REGION}:123456789012:stream/${name}`;
  const summary = async (name: string) => ((await call("DescribeStreamSummary", { StreamName: name })).body.StreamDescriptionSummary as Record<string, unknown>).MaxRecordSizeInKiB;
  // A stream a client creates: its MaxRecordSizeInKiB, 1024 without it (kinesalite dropped the member).
  expect(await call("CreateStream", { StreamName: "made-large", ShardCount: 1, MaxRecordSizeInKiB: 2048 })).toMatchObject({ status: 200 });
  expect(await call("CreateStream", { StreamName: "made-plain", ShardCount: 1 })).toMatchObject({ status: 200 });
  expect([await summary("made-large"), await summary("made-plain")]).toEqual([2048, 1024]);
  expect(await call("PutRecord", { StreamName: "made-large", PartitionKey: "k", Data: data(MIB + MIB / 2) })).toMatchObject({ status: 200 });
  expect(await call("CreateStream", { StreamName: "made-wrong", ShardCount: 1, MaxRecordSizeInKiB: 10241 })).toEqual({ status: 400, body: { __type: "ValidationException", message: "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240" } });
  // UpdateMaxRecordSize (by StreamARN): the program's 1 MiB stream raised, then lowered again.
  expect(await call("PutRecord", { StreamName: "default-size", PartitionKey: "k", Data: data(MIB + 1) })).toMatchObject({ status: 400 });
  expect(await call("UpdateMaxRecordSize", { StreamARN: arn("default-size"), MaxRecordSizeInKiB: 2048 })).toEqual({ status: 200, body: {} });
  expect(await summary("default-size")).toBe(2048);
  expect(await call("PutRecord", { StreamName: "default-size", PartitionKey: "k", Data: data(MIB + 1) })).toMatchObject({ status: 200 });
  expect(await call("UpdateMaxRecordSize", { StreamARN: arn("default-size"), MaxRecordSizeInKiB: 1023 })).toEqual({ status: 400, body: { __type: "ValidationException", message: "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024" } });
  expect(await call("UpdateMaxRecordSize", { StreamARN: arn("default-size") })).toMatchObject({ status: 400, body: { __type: "ValidationException" } });
  expect(await call("UpdateMaxRecordSize", { StreamARN: arn("no-such-stream"), MaxRecordSizeInKiB: 2048 })).toMatchObject({ status: 400, body: { __type: "ResourceNotFoundException" } });
  expect(await call("UpdateMaxRecordSize", { StreamARN: arn("default-size"), MaxRecordSizeInKiB: 1024 })).toEqual({ status: 200, body: {} });
  expect(await summary("default-size")).toBe(1024);
});
