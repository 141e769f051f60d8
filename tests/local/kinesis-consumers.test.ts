/**
 * Local Kinesis enhanced fan-out (local/kinesis-consumers.ts behind local/kinesis-server.ts), through the real
 * @aws-sdk/client-kinesis over its default HTTP/2 handler: the program's consumers (DataStream subscribe(...,
 * { enhancedFanOut: true })) exist at the start; Register/Describe/List/Deregister with AWS's shapes, ARNs, states,
 * limit and errors; SubscribeToShard's event stream (initial response, records, continuation, child shards of a split
 * shard), its 5-second rule and take-over, its lifetime; IAM on the stream or the consumer; bad requests answered 4xx.
 */
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamSummaryCommand,
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
import { EventStreamCodec } from "@smithy/core/event-streams";
import { EventEmitter } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DataStream, type DataStreamSpec } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { CONSUMER_SETTLE_MS, ConsumerRegistry, EVENT_MAX_BYTES, KinesisError, NEXT_TOKEN_LIFETIME_MS, nextReadLimit, readBudget, split, Subscriptions, type KinesaliteRecord, type LocalConsumer } from "../../local/kinesis-consumers";
import { startLocalKinesis, type LocalKinesis, type LocalKinesisOptions, type LocalStreamDefinition } from "../../local/kinesis-server";
import { localStreamDefinitions } from "../../local/services/data-streams";
import type { RecordedResource } from "../../local/offline/mocks";
import { record } from "../harness/mocks";
import { CREDENTIALS, ECHO_ENTRY, functionName, kinesisClient, REGION, streamDefinition } from "./kinesis-helpers";


let graph: RecordedResource[];
let server: LocalKinesis;
let streamName: string;
let streamArn: string;
/** The endpoint's clock (its consumers' creation times and the 5-second rule), moved by the tests. */
let clock = Date.parse("2026-12-06T12:00:00Z");

const fnName = (name: string) => functionName(graph, name);
/** The program's enhanced fan-out consumer (DataStream's `fan` subscription) as recorded: its ARN and name. */
const programConsumer = () => graph.find((r) => r.type === "aws:kinesis/streamConsumer:StreamConsumer")!.state as { arn: string; name: string };
const client = (credentials = CREDENTIALS) => kinesisClient(server.endpoint, credentials);
const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);
/**
 * The subscriptions a test opened, ended after it: the SDK runs an event stream on an HTTP/2 session of its own that
 * neither client.destroy() nor leaving `for await` closes, so only aborting the request ends it.
 */
const opened: AbortController[] = [];
/** The consumers the program defines (there from the start); a test's own are deregistered after it, so no test sees another's. */
let programConsumers: Set<string>;
afterEach(async () => {
  for (const controller of opened.splice(0)) controller.abort();
  const kinesis = client();
  const { Consumers = [] } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
  for (const consumer of Consumers) {
    if (programConsumers.has(consumer.ConsumerName!)) continue;
    if (consumer.ConsumerStatus !== "DELETING") await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }));
    // Waited for as AWS asks (DescribeStreamConsumer until ResourceNotFoundException): a DELETING consumer still holds its name and place.
    while (!(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN }))))) continue;
  }
  kinesis.destroy();
});
/**
 * Registers a consumer and waits for it as AWS asks (DescribeStreamConsumer until ACTIVE; locally the first look), as a
 * client must before SubscribeToShard, which refuses a CREATING consumer.
 */
const registerActive = async (kinesis: KinesisClient, ConsumerName: string) => {
  const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName }));
  const { ConsumerDescription } = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
  expect(ConsumerDescription!.ConsumerStatus).toBe("ACTIVE");
  return { Consumer: ConsumerDescription! };
};
const subscribe = (kinesis: KinesisClient, input: ConstructorParameters<typeof SubscribeToShardCommand>[0]) => {
  const controller = new AbortController();
  opened.push(controller);
  return kinesis.send(new SubscribeToShardCommand(input), { abortSignal: controller.signal });
};
/** Sends a request with its JSON body changed after the SDK serialised it (and before it is signed): what no SDK sends. */
const tampered = (patch: (body: Record<string, unknown>) => Record<string, unknown>, credentials = CREDENTIALS) => {
  const kinesis = client(credentials);
  kinesis.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body: string | Uint8Array; headers: Record<string, string> };
      request.body = JSON.stringify(patch(JSON.parse(typeof request.body === "string" ? request.body : Buffer.from(request.body).toString("utf8"))));
      request.headers["content-length"] = String(Buffer.byteLength(request.body));
      return next(args);
    },
    { step: "build", priority: "low" },
  );
  return kinesis;
};

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
/**
 * Runs `use` on a Kinesis endpoint of its own (not the program's): one stream `name` of one shard, whose program
 * defines the consumer `consumer`, polled every 10 ms unless `options` say otherwise; the client and the endpoint are
 * ended after, whatever `use` did.
 */
async function onOwnStream(name: string, consumer: string, options: Omit<LocalKinesisOptions, "streams" | "credentials">, use: (kinesis: KinesisClient, stream: LocalStreamDefinition) => Promise<void>): Promise<void> {
  const stream = streamDefinition(name, { consumers: [{ name: consumer }] });
  const own = await startLocalKinesis({ streams: [stream], credentials: [CREDENTIALS], subscriptionPollIntervalMs: 10, ...options });
  const kinesis = kinesisClient(own.endpoint);
  try {
    await use(kinesis, stream);
  } finally {
    kinesis.destroy();
    await own.stop();
  }
}
const recordsOf = (events: SubscribeToShardEvent[]) => events.flatMap((e) => e.Records ?? []);
const text = (data: Uint8Array | undefined) => Buffer.from(data!).toString("utf8");

beforeAll(async () => {
  graph = await record(() => {
    const stream = new DataStream("local-kc", { mode: "PROVISIONED", shardCount: 2 });
    stream.subscribe("fan", new LambdaFunction("local-kc-fan", { entry: ECHO_ENTRY }), { enhancedFanOut: true, startingPosition: "TRIM_HORIZON" });
    new LambdaFunction("local-kc-stranger", { entry: ECHO_ENTRY });
  });
  const streams = await localStreamDefinitions(registeredSpecs<DataStreamSpec>("DataStream").filter((s) => s.name === "local-kc").map((s) => s.spec), REGION, graph);
  const roles = FunctionRoles.fromGraph(graph);
  server = await startLocalKinesis({ streams, credentials: [CREDENTIALS, ...roles.credentials()], authorise: roles.authorise, now: () => clock, subscriptionPollIntervalMs: 10 });
  [streamName, streamArn] = [streams[0].name, streams[0].arn];
  const kinesis = client();
  programConsumers = new Set(((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers ?? []).map((c) => c.ConsumerName!));
  kinesis.destroy();
});

afterAll(async () => {
  await server?.stop();
});

describe("local Kinesis stream consumers", () => {
  it("has the program's enhanced fan-out consumer at the start, ACTIVE, under its recorded ARN", async () => {
    const recorded = programConsumer();
    const kinesis = client();
    const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    kinesis.destroy();
    expect(Consumers).toEqual([{ ConsumerName: recorded.name, ConsumerARN: recorded.arn, ConsumerStatus: "ACTIVE", ConsumerCreationTimestamp: expect.any(Date) }]);
  });

  it("registers (CREATING, then ACTIVE), describes, lists by pages (a NextToken expiring after 300 s), refuses a taken name and a 21st consumer, deregisters", async () => {
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
    // A NextToken is good for 300 seconds (API_ListStreamConsumers), on the endpoint's clock: then ExpiredNextTokenException.
    clock += NEXT_TOKEN_LIFETIME_MS - 1;
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: first.NextToken, MaxResults: 15 }))).Consumers).toEqual(second.Consumers);
    clock += 1;
    expect(await refusal(kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: first.NextToken, MaxResults: 15 })))).toMatchObject({ name: "ExpiredNextTokenException", $metadata: { httpStatusCode: 400 } });

    for (let n = 2; n <= 19; n += 1) await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `app-${n}` }));
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
    // DELETING, as AWS leaves them for a while (listed so), until DescribeStreamConsumer has shown it so: then gone.
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers!.filter((c) => c.ConsumerStatus === "DELETING")).toHaveLength(19);
    expect((await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }))).ConsumerDescription).toMatchObject({ ConsumerStatus: "DELETING" });
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers).toHaveLength(19);
    // The others, not described, are gone once CONSUMER_SETTLE_MS passed on the endpoint's clock.
    clock += CONSUMER_SETTLE_MS;
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers).toHaveLength(1);
    kinesis.destroy();
  });

  it("holds a consumer CREATING and DELETING as AWS does: SubscribeToShard refused (ResourceInUseException) until a look or CONSUMER_SETTLE_MS makes it ACTIVE, and once it is DELETING", async () => {
    const kinesis = client();
    const shard = (ConsumerARN: string, ShardId: string) => ({ ConsumerARN, ShardId, StartingPosition: { Type: "LATEST" as const } });
    const refusedSubscribe = (ConsumerARN: string, ShardId: string) => refusal(kinesis.send(new SubscribeToShardCommand(shard(ConsumerARN, ShardId))));
    // Subscribing right after registering, without waiting for ACTIVE: refused, as AWS refuses it while CREATING.
    const { Consumer: early } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "early" }));
    expect(early!.ConsumerStatus).toBe("CREATING");
    expect(await refusedSubscribe(early!.ConsumerARN!, "shardId-000000000000")).toMatchObject({ name: "ResourceInUseException", $metadata: { httpStatusCode: 400 } });
    // A client that waits as AWS asks (ListStreamConsumers or DescribeStreamConsumer until ACTIVE) waits one look.
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers!.find((c) => c.ConsumerName === "early")).toMatchObject({ ConsumerStatus: "ACTIVE" });
    await subscribe(kinesis, shard(early!.ConsumerARN!, "shardId-000000000000"));

    // Deregistered: DELETING, refused a subscription; its name held until it is gone.
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: early!.ConsumerARN }));
    expect(await refusedSubscribe(early!.ConsumerARN!, "shardId-000000000001")).toMatchObject({ name: "ResourceInUseException", message: expect.stringContaining("DELETING") });
    expect(await refusal(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "early" })))).toMatchObject({ name: "ResourceInUseException" });
    expect(await refusal(kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: early!.ConsumerARN })))).toMatchObject({ name: "ResourceInUseException" });
    expect((await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: early!.ConsumerARN }))).ConsumerDescription).toMatchObject({ ConsumerStatus: "DELETING" });
    expect(await refusedSubscribe(early!.ConsumerARN!, "shardId-000000000001")).toMatchObject({ name: "ResourceNotFoundException" });
    // Registered again within the second the first was created in: another ARN ("consumer ARNs contain the creation timestamp", API_Consumer).
    expect(Math.floor(clock / 1000)).toBe(early!.ConsumerCreationTimestamp!.getTime() / 1000);
    const { Consumer: again } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "early" }));
    const seconds = early!.ConsumerCreationTimestamp!.getTime() / 1000 + 1;
    expect(again).toMatchObject({ ConsumerARN: `${streamArn}/consumer/early:${seconds}`, ConsumerCreationTimestamp: new Date(seconds * 1000), ConsumerStatus: "CREATING" });

    // One that never looks: ACTIVE once CONSUMER_SETTLE_MS passed on the endpoint's clock.
    const { Consumer: patient } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "patient" }));
    clock += CONSUMER_SETTLE_MS - 1;
    expect(await refusedSubscribe(patient!.ConsumerARN!, "shardId-000000000000")).toMatchObject({ name: "ResourceInUseException" });
    clock += 1;
    await subscribe(kinesis, shard(patient!.ConsumerARN!, "shardId-000000000000"));
    kinesis.destroy();
  });

  it("answers bad requests 4xx with a reason: an ARN that is no consumer's, another account's stream, an unknown consumer", async () => {
    const kinesis = client();
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: "arn:aws:kinesis:us-east-1:123:stream/x" })))).toMatchObject({ name: "InvalidArgumentException", $metadata: { httpStatusCode: 400 } });
    expect(await refusal(kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn.replace(/:\d{12}:/, ":999999999999:") })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(await refusal(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: `${streamArn}/consumer/nobody:1`, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(await refusal(kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: "bogus" })))).toMatchObject({ name: "InvalidArgumentException" });
    // All three parameters may be given, "as long as they don't conflict with each other".
    const recorded = programConsumer();
    expect(await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: recorded.arn, StreamARN: streamArn, ConsumerName: recorded.name }))).toMatchObject({ ConsumerDescription: { ConsumerARN: recorded.arn } });
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: recorded.arn, ConsumerName: "other" })))).toMatchObject({ name: "InvalidArgumentException" });
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: recorded.arn, StreamARN: `${streamArn}-other` })))).toMatchObject({ name: "InvalidArgumentException" });
    // SubscribeToShard's own checks, before any event stream: the shard and the starting position.
    const refusedSubscribe = (ShardId: string, StartingPosition: Record<string, unknown>) => refusal(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: recorded.arn, ShardId, StartingPosition: StartingPosition as never })));
    expect(await refusedSubscribe("shardId-000000000099", { Type: "LATEST" })).toMatchObject({ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 400 } });
    expect(await refusedSubscribe("shardId-000000000000", { Type: "SOMEWHERE" })).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect(await refusedSubscribe("shardId-000000000000", { Type: "AT_SEQUENCE_NUMBER" })).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    // The endpoint still answers.
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers).toHaveLength(1);
    kinesis.destroy();
  });

  it("answers SubscribeToShard's bad members in its own words (startingPosition.type, not GetShardIterator's), without echoing a huge value", async () => {
    const kinesis = client();
    const recorded = programConsumer().arn;
    const refused = (ShardId: string, StartingPosition: Record<string, unknown>) => refusal(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: recorded, ShardId, StartingPosition: StartingPosition as never }))) as Promise<Error>;
    const huge = await refused("s".repeat(100_000), { Type: "LATEST" });
    expect(huge).toMatchObject({ name: "ValidationException", message: expect.stringContaining("at 'shardId'") });
    expect(huge.message.length).toBeLessThan(1000);
    expect(await refused("shardId-000000000000", { Type: "SOMEWHERE" })).toMatchObject({ name: "ValidationException", message: expect.stringContaining("at 'startingPosition.type'") });
    expect(await refused("shardId-000000000000", { Type: "AT_SEQUENCE_NUMBER", SequenceNumber: "abc" })).toMatchObject({ name: "ValidationException", message: expect.stringContaining("at 'startingPosition.sequenceNumber'") });
    // What kinesalite still checks (a sequence number the shard does not have, none given) comes without its operation's name.
    for (const position of [{ Type: "AT_SEQUENCE_NUMBER" }, { Type: "AT_SEQUENCE_NUMBER", SequenceNumber: "1" }]) {
      const answer = await refused("shardId-000000000000", position);
      expect((answer as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
      expect(answer.message).not.toMatch(/GetShardIterator|shardIteratorType|startingSequenceNumber/);
    }
    kinesis.destroy();
  });

  it("refuses what AWS refuses: RegisterStreamConsumer without StreamARN (a ConsumerARN does not stand for it) or ConsumerName, members of the wrong JSON type", async () => {
    const recorded = programConsumer().arn;
    const byConsumerArn = tampered(() => ({ ConsumerARN: recorded, ConsumerName: "by-consumer-arn" }));
    expect(await refusal(byConsumerArn.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "by-consumer-arn" })))).toMatchObject({ name: "ValidationException", message: expect.stringContaining("at 'streamARN'") });
    byConsumerArn.destroy();
    const kinesis = client();
    expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "by-consumer-arn" })))).toMatchObject({ name: "ResourceNotFoundException" });
    expect(await refusal(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn } as never)))).toMatchObject({ name: "ValidationException", message: expect.stringContaining("Value null at 'consumerName'") });
    kinesis.destroy();
    const stringMax = tampered((body) => ({ ...body, MaxResults: "5" }));
    expect(await refusal(stringMax.send(new ListStreamConsumersCommand({ StreamARN: streamArn, MaxResults: 5 })))).toMatchObject({ name: "SerializationException" });
    stringMax.destroy();
    const numberArn = tampered((body) => ({ ...body, StreamARN: 5 }));
    expect(await refusal(numberArn.send(new SubscribeToShardCommand({ ConsumerARN: recorded, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } })))).toMatchObject({ name: "SerializationException" });
    numberArn.destroy();
  });
});

describe("local SubscribeToShard", () => {
  it("pushes a shard's records as AWS's event stream: records, continuation sequence number, millis behind latest", async () => {
    const kinesis = client();
    const { Consumer } = await registerActive(kinesis, "reader");
    const put = await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [1, 2, 3].map((n) => ({ PartitionKey: "alpha", Data: Buffer.from(`alpha-${n}`) })) }));
    const shardId = put.Records![0].ShardId!;
    const subscribed = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "TRIM_HORIZON" } });
    // More records after the subscription began arrive on it too.
    const late = kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [{ PartitionKey: "alpha", Data: Buffer.from("alpha-4") }] }));
    // TRIM_HORIZON reads the shard from its start: records other tests put there come first, in whatever order the
    // tests ran, so this test reads its own by their partition key.
    const ours = (e: SubscribeToShardEvent[]) => recordsOf(e).filter((r) => r.PartitionKey === "alpha");
    const { events, error } = await read(subscribed.EventStream!, (e) => ours(e).length >= 4);
    await late;
    expect(error).toBeUndefined();
    const records = ours(events);
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
    const { Consumer } = await registerActive(kinesis, "latest");
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamARN: streamArn }));
    const shard = Shards![1];
    const put = (data: string) => kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [{ PartitionKey: "q", Data: Buffer.from(data), ExplicitHashKey: shard.HashKeyRange!.StartingHashKey }] }));
    const old = await put("old");
    const latest = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: shard.ShardId, StartingPosition: { Type: "LATEST" } });
    const first = (await latest.EventStream![Symbol.asyncIterator]().next()).value.SubscribeToShardEvent as SubscribeToShardEvent;
    expect(first).toMatchObject({ Records: [], ContinuationSequenceNumber: old.Records![0].SequenceNumber });
    await put("new");
    clock += 5_000;
    const resumed = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: shard.ShardId, StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: first.ContinuationSequenceNumber } });
    const { events } = await read(resumed.EventStream!, (e) => recordsOf(e).length >= 1);
    expect(recordsOf(events).map((r) => text(r.Data))).toEqual(["new"]);
    kinesis.destroy();
  });

  it("notes each record put through the endpoint with its size (data and partition key), its shard's read budget", async () => {
    const noted = vi.spyOn(Subscriptions.prototype, "notePut");
    const kinesis = client();
    try {
      const put = await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [{ PartitionKey: "pk", Data: Buffer.alloc(1000) }, { PartitionKey: "p", Data: Buffer.alloc(3) }] }));
      expect(noted.mock.calls).toEqual(put.Records!.map((r, index) => [streamName, r.ShardId, r.SequenceNumber, index === 0 ? 1002 : 4]));
    } finally {
      noted.mockRestore();
      kinesis.destroy();
    }
  });

  it("lets a subscription 5 s or more later take over, ending the earlier one with ResourceInUseException", async () => {
    const kinesis = client();
    const { Consumer } = await registerActive(kinesis, "taker");
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamARN: streamArn }));
    const shardId = Shards![1].ShardId!;
    const put = await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [{ PartitionKey: "p", Data: Buffer.from("p-1"), ExplicitHashKey: Shards![1].HashKeyRange!.StartingHashKey }] }));
    const earlier = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "AT_SEQUENCE_NUMBER", SequenceNumber: put.Records![0].SequenceNumber } });
    const iterator = earlier.EventStream![Symbol.asyncIterator]();
    expect(recordsOf([(await iterator.next()).value.SubscribeToShardEvent])).toHaveLength(1);
    clock += 5_000;
    const later = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: put.Records![0].SequenceNumber } });
    const ended = await read({ [Symbol.asyncIterator]: () => iterator }, () => false);
    expect(ended.error).toMatchObject({ name: "ResourceInUseException" });
    const first = await later.EventStream![Symbol.asyncIterator]().next();
    expect(first.value.SubscribeToShardEvent).toMatchObject({ Records: [], ContinuationSequenceNumber: put.Records![0].SequenceNumber });
    kinesis.destroy();
  });

  it("ends a deregistered consumer's subscriptions with ResourceNotFoundException", async () => {
    const kinesis = client();
    const { Consumer } = await registerActive(kinesis, "leaver");
    const subscribed = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: "shardId-000000000001", StartingPosition: { Type: "LATEST" } });
    const iterator = subscribed.EventStream![Symbol.asyncIterator]();
    await iterator.next();
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
    expect((await read({ [Symbol.asyncIterator]: () => iterator }, () => false)).error).toMatchObject({ name: "ResourceNotFoundException" });
    kinesis.destroy();
  });

  it("ends a split shard's subscription with its child shards", async () => {
    const kinesis = client();
    const { Consumer } = await registerActive(kinesis, "splitter");
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamARN: streamArn }));
    const parent = Shards![0];
    const middle = ((BigInt(parent.HashKeyRange!.StartingHashKey!) + BigInt(parent.HashKeyRange!.EndingHashKey!)) / 2n).toString();
    await kinesis.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: parent.ShardId, NewStartingHashKey: middle }));
    const subscribed = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: parent.ShardId, StartingPosition: { Type: "TRIM_HORIZON" } });
    const { events, error } = await read(subscribed.EventStream!, () => false);
    expect(error).toBeUndefined();
    const children = events[events.length - 1].ChildShards!;
    expect(children).toHaveLength(2);
    for (const child of children) expect(child.ParentShards).toEqual([parent.ShardId]);
    kinesis.destroy();
  });

  it("authorises kinesis:SubscribeToShard on the consumer and kinesis:RegisterStreamConsumer on the stream", async () => {
    const recorded = programConsumer().arn;
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
    const subscribed = await subscribe(subscriber, { ConsumerARN: recorded, ShardId: "shardId-000000000001", StartingPosition: { Type: "TRIM_HORIZON" } });
    const { events, error } = await read(subscribed.EventStream!, (e) => e.length >= 1);
    expect(error).toBeUndefined();
    expect(events).toHaveLength(1);
    subscriber.destroy();
  });
});

describe("concurrent SubscribeToShard calls of one consumer and shard", () => {
  it("lets exactly one succeed, the others answered ResourceInUseException (the 5-second rule holds across the set-up's awaits)", async () => {
    const kinesis = client();
    const { Consumer } = await registerActive(kinesis, "racer");
    const input = { ConsumerARN: Consumer!.ConsumerARN, ShardId: "shardId-000000000001", StartingPosition: { Type: "LATEST" as const } };
    const outcomes = await Promise.allSettled([subscribe(kinesis, input), subscribe(kinesis, input), subscribe(kinesis, input)]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => ((o as PromiseRejectedResult).reason as Error).name)).toEqual(["ResourceInUseException", "ResourceInUseException"]);
    kinesis.destroy();
  });
});

describe("a SubscribeToShard subscription's lifetime", () => {
  it("sends an idle subscription's empty events, so the client sees it alive and the connection is not idle", async () => {
    await onOwnStream("idle", "quiet", { subscriptionHeartbeatMs: 0 }, async (kinesis, stream) => {
      const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: stream.arn }));
      const subscribed = await subscribe(kinesis, { ConsumerARN: Consumers![0].ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } });
      const { events, error } = await read(subscribed.EventStream!, (e) => e.length >= 3);
      expect(error).toBeUndefined();
      expect(events.map((e) => e.Records)).toEqual([[], [], []]);
    });
  });

  it("ends the event stream once its lifetime is over (AWS: 5 minutes), the client's iteration finishing", async () => {
    await onOwnStream("lifetime", "short", { subscriptionLifetimeMs: 50 }, async (kinesis, stream) => {
      const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: stream.arn }));
      const subscribed = await subscribe(kinesis, { ConsumerARN: Consumers![0].ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } });
      const { error } = await read(subscribed.EventStream!, () => false);
      expect(error).toBeUndefined();
    });
  });
});

describe("ListStreamConsumers' pages and the registry's memory (ConsumerRegistry on its own; review 101)", () => {
  const stream = `arn:aws:kinesis:${REGION}:123456789012:stream/pages`;
  const names = (page: { Consumers: Array<{ ConsumerName: string }> }) => page.Consumers.map((c) => c.ConsumerName);
  /** Every page from `first` on, one consumer a page. */
  const rest = (registry: ConsumerRegistry, token: string | undefined) => {
    const shown: string[] = [];
    while (token) {
      const page = registry.list(stream, { MaxResults: 1, NextToken: token });
      shown.push(...names(page));
      token = page.NextToken;
    }
    return shown;
  };

  it("resumes after the last consumer shown: one removed between pages (its DELETING time over, or described) makes no live one skipped", () => {
    let now = Date.parse("2026-12-06T12:00:00Z");
    const registry = new ConsumerRegistry(() => now);
    for (const name of ["a", "b", "c"]) registry.register(stream, name);
    const first = registry.list(stream, { MaxResults: 1 });
    expect(names(first)).toEqual(["a"]);
    registry.deregister(registry.find({ ConsumerName: "a" }, stream)!);
    now += CONSUMER_SETTLE_MS;
    expect(rest(registry, first.NextToken)).toEqual(["b", "c"]);

    // The same when a DescribeStreamConsumer removes the DELETING one, and when the consumer last shown leaves.
    const described = new ConsumerRegistry(() => now);
    for (const name of ["a", "b", "c", "d"]) described.register(stream, name);
    const page = described.list(stream, { MaxResults: 2 });
    expect(names(page)).toEqual(["a", "b"]);
    for (const name of ["a", "b"]) {
      described.deregister(described.find({ ConsumerName: name }, stream)!);
      described.describe({ ConsumerName: name }, stream);
    }
    expect(rest(described, page.NextToken)).toEqual(["c", "d"]);
  });

  it("pages on a fractional clock (the token's time is written in whole milliseconds)", () => {
    const registry = new ConsumerRegistry(() => 1_700_000_000_000.5);
    for (const name of ["a", "b"]) registry.register(stream, name);
    expect(rest(registry, registry.list(stream, { MaxResults: 1 }).NextToken)).toEqual(["b"]);
  });

  it("keeps a name's creation second only while a registration could still need it, and still gives a name registered again within its second a later one", () => {
    let now = Date.parse("2026-12-06T12:00:00Z");
    const registry = new ConsumerRegistry(() => now);
    const remembered = () => (registry as unknown as { lastCreated: Map<string, number> }).lastCreated.size;
    for (let i = 0; i < 100; i++) {
      const consumer = registry.register(stream, `run-${i}`);
      registry.deregister(registry.find({ ConsumerARN: consumer.ConsumerARN }, undefined)!);
      now += CONSUMER_SETTLE_MS;
    }
    expect(remembered()).toBe(1);
    // Within one second: deregistered, described away, registered again, each time a second later.
    const created: number[] = [];
    for (let i = 0; i < 3; i++) {
      const consumer = registry.register(stream, "again");
      created.push(consumer.ConsumerCreationTimestamp);
      registry.deregister(registry.find({ ConsumerARN: consumer.ConsumerARN }, undefined)!);
      registry.describe({ ConsumerARN: consumer.ConsumerARN }, undefined);
    }
    const second = Math.floor(now / 1000);
    expect(created).toEqual([second, second + 1, second + 2]);
  });
});

describe("a stream deleted and created again through the endpoint", () => {
  it("refuses DeleteStream while consumers are registered unless EnforceConsumerDeletion, which deletes them; continues a LATEST subscription before the new stream's first put from the new stream, not the old one's newest record", async () => {
    await onOwnStream("again", "anew", {}, async (kinesis, stream) => {
      const old = await kinesis.send(new PutRecordsCommand({ StreamARN: stream.arn, Records: [{ PartitionKey: "p", Data: Buffer.from("old") }] }));
      const [defined] = (await kinesis.send(new ListStreamConsumersCommand({ StreamARN: stream.arn }))).Consumers!;
      // A stream with registered consumers is deleted only with EnforceConsumerDeletion (API_DeleteStream), and they with it.
      expect(await refusal(kinesis.send(new DeleteStreamCommand({ StreamARN: stream.arn })))).toMatchObject({ name: "ResourceInUseException", $metadata: { httpStatusCode: 400 } });
      expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }))).StreamDescriptionSummary!.StreamStatus).toBe("ACTIVE");
      await kinesis.send(new DeleteStreamCommand({ StreamARN: stream.arn, EnforceConsumerDeletion: true }));
      await kinesis.send(new CreateStreamCommand({ StreamName: stream.name, ShardCount: 1 }));
      // kinesalite (createStreamMs 0) makes it ACTIVE on its next turn.
      while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }))).StreamDescriptionSummary!.StreamStatus !== "ACTIVE");
      // The new stream has no consumers: the old one's went with it.
      expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: stream.arn }))).Consumers).toEqual([]);
      expect(await refusal(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: defined.ConsumerARN })))).toMatchObject({ name: "ResourceNotFoundException" });
      const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: stream.arn, ConsumerName: "anew" }));
      expect(Consumer!.ConsumerARN).not.toBe(defined.ConsumerARN);
      await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
      const subscribed = await subscribe(kinesis, { ConsumerARN: Consumer!.ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } });
      const first = (await subscribed.EventStream![Symbol.asyncIterator]().next()).value.SubscribeToShardEvent as SubscribeToShardEvent;
      const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: stream.name }));
      expect(first.ContinuationSequenceNumber).not.toBe(old.Records![0].SequenceNumber);
      expect(first.ContinuationSequenceNumber).toBe(Shards![0].SequenceNumberRange!.StartingSequenceNumber);
    });
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

describe("a SubscribeToShard subscription, on its own (kinesalite's answers given, the response a stand-in)", () => {
  const codec = new EventStreamCodec((bytes) => Buffer.from(bytes).toString("utf8"), (text) => new Uint8Array(Buffer.from(text, "utf8")));
  const consumer: LocalConsumer = { ConsumerName: "c", ConsumerARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1", ConsumerStatus: "ACTIVE", ConsumerCreationTimestamp: 1, StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s" };
  const SHARD = "shardId-000000000000";
  const input = { ShardId: SHARD, StartingPosition: { Type: "LATEST" } };
  /** Runs every callback the stand-ins' promises queue: nothing here waits on a timer or I/O, so a few turns do. */
  const settle = async () => {
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  /** A subscribe's outcome once it has done what it can: its error, "ended", or "open" (still streaming). */
  const outcome = async (subscribed: Promise<void>) => Promise.race([subscribed.then(() => "ended", (error: Error) => error), settle().then(() => "open")]);
  const record = (n: number, data = Buffer.from(`r-${n}`)): KinesaliteRecord => ({ SequenceNumber: String(n), PartitionKey: "p", Data: data.toString("base64"), ApproximateArrivalTimestamp: 1 });
  function standIn(writeAnswers = true) {
    const written: Array<{ type: string; body: { Records?: unknown[]; ContinuationSequenceNumber?: string; message?: string } }> = [];
    const response = Object.assign(new EventEmitter(), {
      writeHead: vi.fn(),
      writableEnded: false,
      destroyed: false,
      end: vi.fn(() => void (response.writableEnded = true)),
      write: vi.fn((bytes: Uint8Array) => {
        const message = codec.decode(bytes);
        written.push({ type: String((message.headers[":event-type"] ?? message.headers[":exception-type"]).value), body: JSON.parse(Buffer.from(message.body).toString("utf8")) });
        return writeAnswers;
      }),
    });
    return { response, written, events: () => written.filter((w) => w.type === "SubscribeToShardEvent") };
  }
  /** Subscriptions over a stand-in kinesalite whose GetRecords answers `reads(n)` for its n-th call; no timer fires during a test. */
  function subscriptions(reads: (call: number) => unknown, options: { now?: () => number; shardIterator?: () => Promise<unknown> } = {}) {
    const admin = vi.fn(async (operation: string) => {
      if (operation === "GetShardIterator") return options.shardIterator ? options.shardIterator() : { ShardIterator: "first" };
      if (operation === "ListShards") return { Shards: [{ ShardId: SHARD, HashKeyRange: {}, SequenceNumberRange: { StartingSequenceNumber: "1" } }] };
      return reads(admin.mock.calls.filter(([op]) => op === "GetRecords").length);
    });
    const made = new Subscriptions({ admin, pollIntervalMs: 1_000_000_000, heartbeatMs: 1_000_000_000, now: options.now, log: () => {} });
    const limits = () => admin.mock.calls.filter(([op]) => op === "GetRecords").map((call) => (call as unknown as [string, { Limit: number }])[1].Limit);
    return { made, reads: () => limits().length, limits };
  }
  const nothing = { Records: [], NextShardIterator: "next", MillisBehindLatest: 0 };
  let stop: Subscriptions | undefined;
  afterEach(() => stop?.stopAll());

  it("holds the 5-second rule from the last successful call, though that subscription has ended (AWS: ResourceInUseException)", async () => {
    let now = 1_000_000;
    const { made } = subscriptions(() => nothing, { now: () => now });
    stop = made;
    const first = standIn();
    const running = made.subscribe(consumer, "s", input, first.response as never);
    expect(await outcome(running)).toBe("open");
    // The client goes (it aborted): the subscription ends.
    first.response.emit("close");
    expect(await outcome(running)).toBe("ended");
    now += 4_999;
    expect(await outcome(made.subscribe(consumer, "s", input, standIn().response as never))).toMatchObject({ code: "ResourceInUseException" });
    now += 1;
    const later = standIn();
    expect(await outcome(made.subscribe(consumer, "s", input, later.response as never))).toBe("open");
    expect(later.response.writeHead).toHaveBeenCalledWith(200, expect.anything());
  });

  it("ends at once for an HTTP/2 client gone before subscribe() ran or while a write waits, though no 'close' or 'drain' comes (the endpoint awaits the signature check after reading the body)", async () => {
    const { made, reads } = subscriptions(() => nothing);
    stop = made;
    // An Http2ServerResponse has no `destroyed`: its stream has. Gone before the call: nothing claimed or written.
    const http2 = (stream: { destroyed: boolean; closed: boolean }) => {
      const { response } = standIn(false);
      Reflect.deleteProperty(response, "destroyed");
      return Object.assign(response, { stream });
    };
    const before = http2({ destroyed: true, closed: true });
    expect(await outcome(made.subscribe(consumer, "s", input, before as never))).toBe("ended");
    expect(before.writeHead).not.toHaveBeenCalled();
    // Its 5-second rule was not started: the next call is served; its client goes while the initial response waits.
    const stream = { destroyed: false, closed: false };
    const during = http2(stream);
    during.write.mockImplementation(() => {
      stream.closed = stream.destroyed = true;
      return false;
    });
    expect(await outcome(made.subscribe(consumer, "s", input, during as never))).toBe("ended");
    expect(during.writeHead).toHaveBeenCalledWith(200, expect.anything());
    expect(reads()).toBe(0);
  });

  it("refuses a subscription whose consumer was deregistered while it was set up (ResourceNotFoundException), opening no stream", async () => {
    let handOut!: (answer: unknown) => void;
    const { made, reads } = subscriptions(() => nothing, { shardIterator: () => new Promise((resolve) => (handOut = resolve)) });
    stop = made;
    const { response } = standIn();
    const subscribed = made.subscribe(consumer, "s", input, response as never);
    made.endConsumer(consumer.ConsumerARN);
    handOut({ ShardIterator: "first" });
    expect(await outcome(subscribed)).toMatchObject({ code: "ResourceNotFoundException" });
    expect(response.writeHead).not.toHaveBeenCalled();
    expect(reads()).toBe(0);
  });

  it("waits for 'drain' when the client reads slowly, reading no more of the shard until then", async () => {
    const { made, reads } = subscriptions((call) => (call <= 3 ? { Records: [record(call)], NextShardIterator: "next", MillisBehindLatest: 0 } : nothing));
    stop = made;
    const { response, written } = standIn(false);
    void made.subscribe(consumer, "s", input, response as never);
    await settle();
    // The initial response filled the stand-in's window: nothing read yet.
    expect([reads(), written.length]).toEqual([0, 1]);
    response.emit("drain");
    await settle();
    expect([reads(), written.length]).toEqual([1, 2]);
    response.emit("drain");
    await settle();
    expect([reads(), written.length]).toEqual([2, 3]);
  });

  it("caps one event at 10 MiB of records (GetRecords' most), splitting a larger read, and reads about that much at a time; the continuation follows each event", async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    const { made, limits } = subscriptions((call) => (call === 1 ? { Records: [record(1, big), record(2, big), record(3, big)], NextShardIterator: "next", MillisBehindLatest: 0 } : nothing));
    stop = made;
    const { response, events } = standIn();
    void made.subscribe(consumer, "s", input, response as never);
    await settle();
    expect(events().slice(0, 2).map((e) => [e.body.Records!.length, e.body.ContinuationSequenceNumber])).toEqual([
      [2, "2"],
      [1, "3"],
    ]);
    // kinesalite caps a read by count only: the reads ask for about 10 MiB (10 records of at most 1 MiB first; fewer
    // after a read over 10 MiB, twice as many after a full read under half of it).
    expect(limits().slice(0, 2)).toEqual([10, 2]);
    expect(nextReadLimit(10, Array.from({ length: 10 }, (_, n) => record(n)))).toBe(20);
    expect(nextReadLimit(10_000, Array.from({ length: 10_000 }, (_, n) => record(n)))).toBe(10_000);
    expect(nextReadLimit(10, Array.from({ length: 10 }, (_, n) => record(n, Buffer.alloc(1024 * 1024))))).toBeLessThanOrEqual(10);
    expect(split(Array.from({ length: 10_001 }, (_, n) => record(n))).map((event) => event.length)).toEqual([10_000, 1]);
    expect(split([record(1, Buffer.alloc(EVENT_MAX_BYTES - 1))]).map((event) => event.length)).toEqual([1]);
  });

  it("asks a read for no more than 10 MiB of the largest record seen: a limit grown over small records drops when a 1 MiB record is put, before it is read", async () => {
    let asked: () => number[] = () => [];
    const { made, limits } = subscriptions((call) => (call <= 4 ? { Records: Array.from({ length: asked()[call - 1] }, (_, n) => record(n)), NextShardIterator: "next", MillisBehindLatest: 0 } : nothing));
    asked = limits;
    stop = made;
    void made.subscribe(consumer, "s", input, standIn().response as never);
    await settle();
    expect(limits()).toEqual([10, 20, 40, 80, 160]);
    // kinesalite would answer the next read with up to 160 records of 1 MiB: it asks for 10 MiB of them.
    made.notePut("s", SHARD, "9", 1024 * 1024 + 1);
    await settle();
    expect(limits()).toEqual([10, 20, 40, 80, 160, 9]);
    expect(readBudget(1024 * 1024 + 256)).toBe(9);
    expect(readBudget(0)).toBeGreaterThanOrEqual(10_000);
  });

  it("reads its shard at once when a put through the endpoint reaches it, though the fallback read is far off", async () => {
    let inFlight!: (answer: unknown) => void;
    const { made, reads } = subscriptions((call) => (call === 2 ? new Promise((resolve) => (inFlight = resolve)) : call === 3 ? { Records: [record(7)], NextShardIterator: "next", MillisBehindLatest: 0 } : nothing));
    stop = made;
    const { response, events } = standIn();
    void made.subscribe(consumer, "s", input, response as never);
    await settle();
    expect(reads()).toBe(1);
    // A put on another shard wakes nothing; one on this shard reads it.
    made.notePut("s", "shardId-000000000001", "5");
    await settle();
    expect(reads()).toBe(1);
    made.notePut("s", SHARD, "6");
    await settle();
    expect(reads()).toBe(2);
    // A put while a read is under way: the loop reads again instead of pausing.
    made.notePut("s", SHARD, "7");
    inFlight(nothing);
    await settle();
    expect(reads()).toBeGreaterThanOrEqual(3);
    expect(events().flatMap((e) => e.body.Records)).toHaveLength(1);
  });

  it("forgets a stream's newest record once it is deleted or created again: a LATEST subscription then continues from the new stream's start", async () => {
    const { made } = subscriptions(() => nothing);
    stop = made;
    made.notePut("s", SHARD, "99");
    made.notePut("other", SHARD, "98");
    made.forgetStream("s");
    const { response, events } = standIn();
    void made.subscribe(consumer, "s", input, response as never);
    await settle();
    expect(events()[0].body.ContinuationSequenceNumber).toBe("1");
    const elsewhere = standIn();
    void made.subscribe({ ...consumer, ConsumerARN: `${consumer.ConsumerARN}0` }, "other", input, elsewhere.response as never);
    await settle();
    expect(elsewhere.events()[0].body.ContinuationSequenceNumber).toBe("98");
  });

  it("sends a failed read as InternalFailureException, the event stream's modelled exception, with kinesalite's reason", async () => {
    const { made } = subscriptions(() => Promise.reject(new KinesisError("ExpiredIteratorException", "GetRecords: ExpiredIteratorException: Iterator expired.", 400, "Iterator expired.")));
    stop = made;
    const { response, written } = standIn();
    expect(await outcome(made.subscribe(consumer, "s", input, response as never))).toBe("ended");
    expect(written[written.length - 1]).toEqual({ type: "InternalFailureException", body: { message: "Iterator expired." } });
  });
});
