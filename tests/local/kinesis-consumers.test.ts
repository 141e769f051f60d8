/**
 * Local Kinesis enhanced fan-out (local/kinesis-consumers.ts behind local/kinesis-server.ts), through the real
 * @aws-sdk/client-kinesis over its default HTTP/2 handler: the program's consumers (DataStream subscribe(...,
 * { enhancedFanOut: true })) exist at the start; Register/Describe/List/Deregister with AWS's shapes, ARNs, states,
 * limit and errors; SubscribeToShard's event stream (initial response, records, continuation, child shards of a split
 * shard), its 5-second rule and take-over, its lifetime; IAM on the stream or the consumer; bad requests answered 4xx.
 */
import {
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEvent,
  type SubscribeToShardEventStream,
} from "@aws-sdk/client-kinesis";
import { EventEmitter } from "node:events";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DataStream, type DataStreamSpec } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { Subscriptions, type LocalConsumer } from "../../local/kinesis-consumers";
import { startLocalKinesis, type LocalKinesis } from "../../local/kinesis-server";
import { localStreamDefinitions } from "../../local/services/data-streams";
import type { RecordedResource } from "../../local/offline/mocks";
import { record } from "../harness/mocks";

const REGION = "us-east-1";
const entry = "tests/fixtures/handlers/echo.ts";
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

let graph: RecordedResource[];
let server: LocalKinesis;
let streamName: string;
let streamArn: string;
/** The endpoint's clock (its consumers' creation times and the 5-second rule), moved by the tests. */
let clock = Date.parse("2026-12-06T12:00:00Z");

const fnName = (name: string) => graph.find((r) => r.type === "aws:lambda/function:Function" && r.name === `${name}-function`)!.state.name as string;
const client = (credentials = CREDENTIALS) => new KinesisClient({ region: REGION, endpoint: server.endpoint, credentials, maxAttempts: 1 });
const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);

/** Reads a subscription's events until `enough` says so (or the stream ends); what ended it, if an error. */
async function read(stream: AsyncIterable<SubscribeToShardEventStream>, enough: (events: SubscribeToShardEvent[]) => boolean): Promise<{ events: SubscribeToShardEvent[]; error?: Error }> {
  const events: SubscribeToShardEvent[] = [];
  try {
    for await (const event of stream) {
      if (event.SubscribeToShardEvent) events.push(event.SubscribeToShardEvent);
      if (enough(events)) break;
    }
  } catch (error) {
    return { events, error: error as Error };
  }
  return { events };
}
const recordsOf = (events: SubscribeToShardEvent[]) => events.flatMap((e) => e.Records ?? []);
const text = (data: Uint8Array | undefined) => Buffer.from(data!).toString("utf8");

beforeAll(async () => {
  graph = await record(() => {
    const stream = new DataStream("local-kc", { mode: "PROVISIONED", shardCount: 2 });
    stream.subscribe("fan", new LambdaFunction("local-kc-fan", { entry }), { enhancedFanOut: true, startingPosition: "TRIM_HORIZON" });
    new LambdaFunction("local-kc-stranger", { entry });
  });
  const streams = await localStreamDefinitions(registeredSpecs<DataStreamSpec>("DataStream").filter((s) => s.name === "local-kc").map((s) => s.spec), REGION, graph);
  const roles = FunctionRoles.fromGraph(graph);
  server = await startLocalKinesis({ streams, credentials: [CREDENTIALS, ...roles.credentials()], authorise: roles.authorise, now: () => clock, subscriptionPollIntervalMs: 10 });
  [streamName, streamArn] = [streams[0].name, streams[0].arn];
});

afterAll(async () => {
  await server?.stop();
});

describe("local Kinesis stream consumers", () => {
  it("has the program's enhanced fan-out consumer at the start, ACTIVE, under its recorded ARN", async () => {
    const recorded = graph.find((r) => r.type === "aws:kinesis/streamConsumer:StreamConsumer")!;
    const kinesis = client();
    const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    kinesis.destroy();
    expect(Consumers).toEqual([{ ConsumerName: recorded.state.name, ConsumerARN: recorded.state.arn, ConsumerStatus: "ACTIVE", ConsumerCreationTimestamp: expect.any(Date) }]);
  });

  it("registers (CREATING, then ACTIVE), describes, lists by pages, refuses a taken name and a 21st consumer, deregisters", async () => {
    const kinesis = client();
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "app-1" }));
    const seconds = Math.floor(clock / 1000);
    expect(Consumer).toEqual({ ConsumerName: "app-1", ConsumerARN: `${streamArn}/consumer/app-1:${seconds}`, ConsumerStatus: "CREATING", ConsumerCreationTimestamp: new Date(seconds * 1000) });
    const described = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "app-1" }));
    expect(described.ConsumerDescription).toEqual({ ...Consumer, ConsumerStatus: "ACTIVE", StreamARN: streamArn });
    expect((await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }))).ConsumerDescription).toEqual(described.ConsumerDescription);

    expect(await refusal(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "app-1" })))).toMatchObject({ name: "ResourceInUseException" });
    expect(await refusal(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "no spaces" })))).toMatchObject({ name: "ValidationException" });
    // The program's consumer and app-1 are two: 18 more make 20, the limit.
    for (let n = 2; n <= 19; n += 1) await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `app-${n}` }));
    expect(await refusal(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "app-20" })))).toMatchObject({ name: "LimitExceededException" });

    const first = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, MaxResults: 15 }));
    expect(first.Consumers).toHaveLength(15);
    const second = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: first.NextToken, MaxResults: 15 }));
    expect(second.NextToken).toBeUndefined();
    expect([...first.Consumers!, ...second.Consumers!].map((c) => c.ConsumerName)).toHaveLength(20);

    for (let n = 2; n <= 19; n += 1) await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `app-${n}` }));
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers).toHaveLength(1);
    kinesis.destroy();
  });

  it("answers bad requests 4xx with a reason: an ARN that is no consumer's, another account's stream, an unknown consumer", async () => {
    const kinesis = client();
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: "arn:aws:kinesis:us-east-1:123:stream/x" })))).toMatchObject({ name: "InvalidArgumentException", $metadata: { httpStatusCode: 400 } });
    expect(await refusal(kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn.replace(/:\d{12}:/, ":999999999999:") })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(await refusal(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: `${streamArn}/consumer/nobody:1`, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(await refusal(kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: "bogus" })))).toMatchObject({ name: "InvalidArgumentException" });
    // All three parameters may be given, "as long as they don't conflict with each other".
    const recorded = graph.find((r) => r.type === "aws:kinesis/streamConsumer:StreamConsumer")!.state;
    expect(await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: recorded.arn as string, StreamARN: streamArn, ConsumerName: recorded.name as string }))).toMatchObject({ ConsumerDescription: { ConsumerARN: recorded.arn } });
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: recorded.arn as string, ConsumerName: "other" })))).toMatchObject({ name: "InvalidArgumentException" });
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: recorded.arn as string, StreamARN: `${streamArn}-other` })))).toMatchObject({ name: "InvalidArgumentException" });
    // SubscribeToShard's own checks, before any event stream: the shard and the starting position.
    const subscribe = (ShardId: string, StartingPosition: Record<string, unknown>) => refusal(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: recorded.arn as string, ShardId, StartingPosition: StartingPosition as never })));
    expect(await subscribe("shardId-000000000099", { Type: "LATEST" })).toMatchObject({ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 400 } });
    expect(await subscribe("shardId-000000000000", { Type: "SOMEWHERE" })).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect(await subscribe("shardId-000000000000", { Type: "AT_SEQUENCE_NUMBER" })).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    // The endpoint still answers.
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers).toHaveLength(1);
    kinesis.destroy();
  });
});

describe("local SubscribeToShard", () => {
  it("pushes a shard's records as AWS's event stream: records, continuation sequence number, millis behind latest", async () => {
    const kinesis = client();
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "reader" }));
    const put = await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [1, 2, 3].map((n) => ({ PartitionKey: "alpha", Data: Buffer.from(`alpha-${n}`) })) }));
    const shardId = put.Records![0].ShardId!;
    const subscribed = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "TRIM_HORIZON" } }));
    // More records after the subscription began arrive on it too.
    const late = kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [{ PartitionKey: "alpha", Data: Buffer.from("alpha-4") }] }));
    const { events, error } = await read(subscribed.EventStream!, (e) => recordsOf(e).length >= 4);
    await late;
    expect(error).toBeUndefined();
    const records = recordsOf(events);
    expect(records.map((r) => text(r.Data))).toEqual(["alpha-1", "alpha-2", "alpha-3", "alpha-4"]);
    expect(records[0]).toMatchObject({ PartitionKey: "alpha", SequenceNumber: put.Records![0].SequenceNumber, ApproximateArrivalTimestamp: expect.any(Date) });
    const last = events[events.length - 1];
    expect(last.ContinuationSequenceNumber).toBe(records[3].SequenceNumber);
    expect(typeof last.MillisBehindLatest).toBe("number");

    // The same consumer and shard again within 5 s of the first subscription: refused, as AWS does.
    const after = await refusal(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: put.Records![1].SequenceNumber } })));
    expect(after).toMatchObject({ name: "ResourceInUseException" });
    kinesis.destroy();
  });

  it("continues a LATEST subscription that read nothing from the shard's newest record: resubscribing after it reads only what came since", async () => {
    const kinesis = client();
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "latest" }));
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamARN: streamArn }));
    const shard = Shards![1];
    const put = (data: string) => kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [{ PartitionKey: "q", Data: Buffer.from(data), ExplicitHashKey: shard.HashKeyRange!.StartingHashKey }] }));
    const old = await put("old");
    const latest = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: shard.ShardId, StartingPosition: { Type: "LATEST" } }));
    const first = (await latest.EventStream![Symbol.asyncIterator]().next()).value.SubscribeToShardEvent as SubscribeToShardEvent;
    expect(first).toMatchObject({ Records: [], ContinuationSequenceNumber: old.Records![0].SequenceNumber });
    await put("new");
    clock += 5_000;
    const resumed = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: shard.ShardId, StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: first.ContinuationSequenceNumber } }));
    const { events } = await read(resumed.EventStream!, (e) => recordsOf(e).length >= 1);
    expect(recordsOf(events).map((r) => text(r.Data))).toEqual(["new"]);
    kinesis.destroy();
  });

  it("lets a subscription 5 s or more later take over, ending the earlier one with ResourceInUseException", async () => {
    const kinesis = client();
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "taker" }));
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamARN: streamArn }));
    const shardId = Shards![1].ShardId!;
    const put = await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [{ PartitionKey: "p", Data: Buffer.from("p-1"), ExplicitHashKey: Shards![1].HashKeyRange!.StartingHashKey }] }));
    const earlier = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "AT_SEQUENCE_NUMBER", SequenceNumber: put.Records![0].SequenceNumber } }));
    const iterator = earlier.EventStream![Symbol.asyncIterator]();
    expect(recordsOf([(await iterator.next()).value.SubscribeToShardEvent])).toHaveLength(1);
    clock += 5_000;
    const later = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: put.Records![0].SequenceNumber } }));
    const ended = await read({ [Symbol.asyncIterator]: () => iterator }, () => false);
    expect(ended.error).toMatchObject({ name: "ResourceInUseException" });
    const first = await later.EventStream![Symbol.asyncIterator]().next();
    expect(first.value.SubscribeToShardEvent).toMatchObject({ Records: [], ContinuationSequenceNumber: put.Records![0].SequenceNumber });
    kinesis.destroy();
  });

  it("ends a deregistered consumer's subscriptions with ResourceNotFoundException", async () => {
    const kinesis = client();
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "leaver" }));
    const subscribed = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: "shardId-000000000001", StartingPosition: { Type: "LATEST" } }));
    const iterator = subscribed.EventStream![Symbol.asyncIterator]();
    await iterator.next();
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
    expect((await read({ [Symbol.asyncIterator]: () => iterator }, () => false)).error).toMatchObject({ name: "ResourceNotFoundException" });
    kinesis.destroy();
  });

  it("ends a split shard's subscription with its child shards", async () => {
    const kinesis = client();
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "splitter" }));
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamARN: streamArn }));
    const parent = Shards![0];
    const middle = ((BigInt(parent.HashKeyRange!.StartingHashKey!) + BigInt(parent.HashKeyRange!.EndingHashKey!)) / 2n).toString();
    await kinesis.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: parent.ShardId, NewStartingHashKey: middle }));
    const subscribed = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: parent.ShardId, StartingPosition: { Type: "TRIM_HORIZON" } }));
    const { events, error } = await read(subscribed.EventStream!, () => false);
    expect(error).toBeUndefined();
    const children = events[events.length - 1].ChildShards!;
    expect(children).toHaveLength(2);
    for (const child of children) expect(child.ParentShards).toEqual([parent.ShardId]);
    kinesis.destroy();
  });

  it("authorises kinesis:SubscribeToShard on the consumer and kinesis:RegisterStreamConsumer on the stream", async () => {
    const recorded = graph.find((r) => r.type === "aws:kinesis/streamConsumer:StreamConsumer")!.state.arn as string;
    const stranger = client(functionCredentials(fnName("local-kc-stranger")));
    expect(await refusal(stranger.send(new SubscribeToShardCommand({ ConsumerARN: recorded, ShardId: "shardId-000000000001", StartingPosition: { Type: "LATEST" } })))).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(`kinesis:SubscribeToShard on resource: ${recorded} `),
    });
    expect(await refusal(stranger.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "sneak" })))).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(`kinesis:RegisterStreamConsumer on resource: ${streamArn} `),
    });
    stranger.destroy();
    // The subscriber's role (DataStream's grant on its consumer) subscribes.
    const subscriber = client(functionCredentials(fnName("local-kc-fan")));
    const subscribed = await subscriber.send(new SubscribeToShardCommand({ ConsumerARN: recorded, ShardId: "shardId-000000000001", StartingPosition: { Type: "TRIM_HORIZON" } }));
    const { events, error } = await read(subscribed.EventStream!, (e) => e.length >= 1);
    expect(error).toBeUndefined();
    expect(events).toHaveLength(1);
    subscriber.destroy();
  });
});

describe("a SubscribeToShard subscription's lifetime", () => {
  it("sends an idle subscription's empty events, so the client sees it alive and the connection is not idle", async () => {
    const streams = [{ name: "idle", arn: `arn:aws:kinesis:${REGION}:123456789012:stream/idle`, region: REGION, shardCount: 1, retentionHours: 24, consumers: [{ name: "quiet" }] }];
    const idle = await startLocalKinesis({ streams, credentials: [CREDENTIALS], subscriptionHeartbeatMs: 0, subscriptionPollIntervalMs: 10 });
    const kinesis = new KinesisClient({ region: REGION, endpoint: idle.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streams[0].arn }));
      const subscribed = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumers![0].ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }));
      const { events, error } = await read(subscribed.EventStream!, (e) => e.length >= 3);
      expect(error).toBeUndefined();
      expect(events.map((e) => e.Records)).toEqual([[], [], []]);
    } finally {
      kinesis.destroy();
      await idle.stop();
    }
  });

  it("ends the event stream once its lifetime is over (AWS: 5 minutes), the client's iteration finishing", async () => {
    const streams = [{ name: "lifetime", arn: `arn:aws:kinesis:${REGION}:123456789012:stream/lifetime`, region: REGION, shardCount: 1, retentionHours: 24, consumers: [{ name: "short" }] }];
    const short = await startLocalKinesis({ streams, credentials: [CREDENTIALS], subscriptionLifetimeMs: 50, subscriptionPollIntervalMs: 10 });
    const kinesis = new KinesisClient({ region: REGION, endpoint: short.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streams[0].arn }));
      const subscribed = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumers![0].ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }));
      const { error } = await read(subscribed.EventStream!, () => false);
      expect(error).toBeUndefined();
    } finally {
      kinesis.destroy();
      await short.stop();
    }
  });
});

describe("a SubscribeToShard whose client goes while it is set up", () => {
  it("opens no event stream and reads nothing (the close event that would end it has passed)", async () => {
    let handOut!: (answer: unknown) => void;
    let readCalled!: () => void;
    const read = new Promise<void>((resolve) => (readCalled = resolve));
    const admin = vi.fn(async (operation: string) => {
      if (operation === "GetShardIterator") return new Promise((resolve) => (handOut = resolve));
      if (operation === "ListShards") return { Shards: [{ ShardId: "shardId-000000000000", HashKeyRange: {}, SequenceNumberRange: { StartingSequenceNumber: "1" } }] };
      readCalled();
      return { Records: [], NextShardIterator: "next" };
    });
    const subscriptions = new Subscriptions({ admin, pollIntervalMs: 10, log: () => {} });
    const response = Object.assign(new EventEmitter(), { writeHead: vi.fn(), write: vi.fn(), end: vi.fn(), writableEnded: false, destroyed: false });
    const consumer: LocalConsumer = { ConsumerName: "c", ConsumerARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1", ConsumerStatus: "ACTIVE", ConsumerCreationTimestamp: 1, StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s" };
    const subscribed = subscriptions.subscribe(consumer, "s", { ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }, response as never);
    // subscribe() runs to its GetShardIterator synchronously: the client goes while that answer is awaited.
    response.emit("close");
    handOut({ ShardIterator: "first" });
    await Promise.race([subscribed, read]);
    subscriptions.stopAll();
    expect(response.writeHead).not.toHaveBeenCalled();
    expect(admin.mock.calls.map(([operation]) => operation)).not.toContain("GetRecords");
  });
});
