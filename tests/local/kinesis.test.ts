/**
 * Local Kinesis (`npm start`): a DataStream's stream on kinesalite behind the local endpoint, written through the real
 * @aws-sdk/client-kinesis (awsJson1_1, SigV4); subscribed functions get Kinesis's event with each shard's records in
 * order, a partial batch response resumes from the first failed record, retries end at the on-failure destination
 * with Lambda's batch description; an unsigned request and a function whose role lacks grants.put() are refused, as is
 * every operation a role may not (ListStreams on *, GetRecords on its iterator's stream, a consumer's on its ARN).
 * Clients use the SDK's default HTTP/2 handler, one HTTP/1.1. Then Lambda's retry rules on a hand-built stream:
 * bisection, record age before each try, AT_TIMESTAMP, -1 retries until stop, a batch read again when its on-failure
 * record could not be sent. Functions are fakes; the queues an in-memory LocalQueues.
 */
import { DescribeStreamConsumerCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, ListStreamsCommand, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataStream, type DataStreamSpec, type DataStreamSubscriptionSpec } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { LAMBDA_SYNC_PAYLOAD_LIMITS } from "../../local/lambda-runtime";
import { startLocalKinesis, type KinesisEventRecord, type LocalKinesis, type LocalStreamSubscription } from "../../local/kinesis-server";
import { LocalQueues } from "../../local/queues";
import { localStreamDefinitions, localStreamSubscriptions } from "../../local/services/data-streams";
import type { RecordedResource } from "../../local/offline/mocks";
import { record } from "../harness/mocks";
import { CREDENTIALS, ECHO_ENTRY, functionName, kinesisClient, REGION, streamDefinition } from "./kinesis-helpers";

let graph: RecordedResource[];
let server: LocalKinesis;
let streamName: string;
let streamArn: string;
const queues = new LocalQueues();
const received: Record<string, KinesisEventRecord[][]> = {};
/** What each fake function answers, by function name: a response, or a thrown error. */
const behaviour: Record<string, (records: KinesisEventRecord[]) => unknown> = {};

const fnName = (name: string) => functionName(graph, name);
/** The client's default handler (HTTP/2, with prior knowledge on http://), as a production handler makes it. */
const client = (credentials = CREDENTIALS) => kinesisClient(server.endpoint, credentials);
/** Over HTTP/1.1, as other SDKs and tools call the endpoint. */
const http1Client = (credentials = CREDENTIALS) => kinesisClient(server.endpoint, credentials, { requestHandler: new NodeHttpHandler() });
const decode = (records: KinesisEventRecord[]) => records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));
const take = (fn: string) => (received[fn] ?? []).splice(0);

beforeAll(async () => {
  graph = await record(() => {
    const stream = new DataStream("local-ks", { mode: "PROVISIONED", shardCount: 2 });
    stream.subscribe("ordered", new LambdaFunction("local-ks-ordered", { entry: ECHO_ENTRY }), { startingPosition: "TRIM_HORIZON" });
    stream.subscribe("partial", new LambdaFunction("local-ks-partial", { entry: ECHO_ENTRY }), { maximumRetryAttempts: 1, bisectBatchOnFunctionError: false });
    new LambdaFunction("local-ks-producer", { entry: ECHO_ENTRY, permissions: stream.grants.put() });
    new LambdaFunction("local-ks-stranger", { entry: ECHO_ENTRY });
    // May get an iterator but not read with it.
    new LambdaFunction("local-ks-iterator-only", { entry: ECHO_ENTRY, permissions: [{ sid: "Iterator", actions: ["kinesis:GetShardIterator", "kinesis:ListShards"], resources: [stream.streamArn] }] });
  });
  const streams = await localStreamDefinitions(registeredSpecs<DataStreamSpec>("DataStream").filter((s) => s.name === "local-ks").map((s) => s.spec), REGION, graph);
  const subscriptions = await localStreamSubscriptions(
    registeredSpecs<DataStreamSubscriptionSpec>("DataStreamSubscription").filter((s) => s.spec.dataStream === "local-ks").map((s) => s.spec),
    streams,
    graph,
    {
      invoke: async (fn, event) => {
        (received[fn.name] ??= []).push(event.Records);
        return behaviour[fn.name]?.(event.Records) ?? null;
      },
      functionArn: (fn) => `arn:aws:lambda:${REGION}:123456789012:function:${fn.name}`,
      send: (queue, body) => void queues.send(queue, body),
    },
  );
  const roles = FunctionRoles.fromGraph(graph);
  // No background polling: each test reads what was put with drained().
  server = await startLocalKinesis({ streams, subscriptions, credentials: [CREDENTIALS, ...roles.credentials()], authorise: roles.authorise, retryDelayMs: 0 });
  [streamName, streamArn] = [streams[0].name, streams[0].arn];
});

afterAll(async () => {
  await server?.stop();
});

describe("local Kinesis with @aws-sdk/client-kinesis", () => {
  it("delivers each shard's records in order, in Kinesis's event shape, to every subscriber", async () => {
    const kinesis = client();
    for (const n of [1, 2, 3]) {
      await kinesis.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "alpha", Data: Buffer.from(`alpha-${n}`) }));
    }
    // By ARN too (kinesalite takes names only: the endpoint passes it the name).
    await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: [1, 2, 3].map((n) => ({ PartitionKey: "beta", Data: Buffer.from(`beta-${n}`) })) }));
    kinesis.destroy();
    await server.drained();
    const batches = take("local-ks-ordered");
    const records = batches.flat();
    expect(records).toHaveLength(6);
    // One key lands on one shard; each shard's records come in put order, with rising sequence numbers.
    for (const key of ["alpha", "beta"]) {
      const ofKey = records.filter((r) => r.kinesis.partitionKey === key);
      expect(decode(ofKey)).toEqual([1, 2, 3].map((n) => `${key}-${n}`));
      expect(new Set(ofKey.map((r) => r.eventID.split(":")[0])).size).toBe(1);
      const sequences = ofKey.map((r) => BigInt(r.kinesis.sequenceNumber));
      expect(sequences).toEqual([...sequences].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    const role = graph.find((r) => r.type === "aws:lambda/function:Function" && r.name === "local-ks-ordered-function")!.inputs.role;
    const first = records[0];
    expect(first).toMatchObject({ eventSource: "aws:kinesis", eventVersion: "1.0", eventName: "aws:kinesis:record", eventSourceARN: streamArn, awsRegion: REGION, invokeIdentityArn: role });
    expect(first.kinesis.kinesisSchemaVersion).toBe("1.0");
    expect(first.eventID).toBe(`${first.eventID.split(":")[0]}:${first.kinesis.sequenceNumber}`);
    expect(first.eventID).toMatch(/^shardId-\d{12}:\d+$/);
    expect(typeof first.kinesis.approximateArrivalTimestamp).toBe("number");
    take("local-ks-partial");
  });

  it("resumes from the first failed record of a partial batch response, and sends a batch whose retries ran out to the on-failure destination", async () => {
    let calls = 0;
    behaviour["local-ks-partial"] = (records) => {
      calls += 1;
      // First call: the second record fails. Second call (from it on): all succeed.
      if (calls === 1) return { batchItemFailures: [{ itemIdentifier: records[1].kinesis.sequenceNumber }] };
      return { batchItemFailures: [] };
    };
    const kinesis = client();
    await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: [1, 2, 3].map((n) => ({ PartitionKey: "gamma", Data: Buffer.from(`gamma-${n}`) })) }));
    await server.drained();
    expect(take("local-ks-partial").map(decode)).toEqual([
      ["gamma-1", "gamma-2", "gamma-3"],
      ["gamma-2", "gamma-3"],
    ]);

    // Always failing, one retry: two invocations, then Lambda's description of the batch goes to the dead-letter queue.
    behaviour["local-ks-partial"] = () => {
      throw new Error("poison");
    };
    await kinesis.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "gamma", Data: Buffer.from("gamma-4") }));
    kinesis.destroy();
    await server.drained();
    expect(take("local-ks-partial").map(decode)).toEqual([["gamma-4"], ["gamma-4"]]);
    const dlq = graph.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "local-ks-partial-dlq")!.state.name as string;
    const [failure] = queues.messages(dlq);
    expect(failure.body).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 2 },
      responseContext: { functionError: "Unhandled" },
      version: "1.0",
      KinesisBatchInfo: { batchSize: 1, streamArn, shardId: expect.stringMatching(/^shardId-/) },
    });
    delete behaviour["local-ks-partial"];
    take("local-ks-ordered");
  });

  it("refuses an unsigned PutRecord and one by a function whose role lacks grants.put(); takes the producer's", async () => {
    const unsigned = await fetch(server.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.PutRecord" },
      body: JSON.stringify({ StreamName: streamName, PartitionKey: "x", Data: Buffer.from("x").toString("base64") }),
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: "MissingAuthenticationTokenException" });

    const stranger = client(functionCredentials(fnName("local-ks-stranger")));
    const refused = await stranger.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "x", Data: Buffer.from("x") })).catch((error: Error) => error);
    stranger.destroy();
    expect(refused).toMatchObject({ name: "AccessDeniedException" });
    expect((refused as Error).message).toMatch(/is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:\d+:stream\/local-ks-stream-\w+ because no identity-based policy allows the kinesis:PutRecord action/);

    const producer = client(functionCredentials(fnName("local-ks-producer")));
    const put = await producer.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "x", Data: Buffer.from("x") }));
    producer.destroy();
    expect(put.SequenceNumber).toMatch(/^\d+$/);
    await server.drained();
    expect(decode(take("local-ks-ordered").flat())).toEqual(["x"]);
    take("local-ks-partial");
  });

  it("authorises every operation: one naming no stream on *, GetRecords on its iterator's stream, a consumer's on its ARN", async () => {
    const stranger = client(functionCredentials(fnName("local-ks-stranger")));
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);
    expect(await refusal(stranger.send(new ListStreamsCommand({})))).toMatchObject({ name: "AccessDeniedException", message: expect.stringMatching(/not authorized to perform: kinesis:ListStreams on resource: \* because no identity-based policy allows/) });
    const consumerArn = `${streamArn}/consumer/fan:1733356800`;
    expect(await refusal(stranger.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn })))).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(`kinesis:DescribeStreamConsumer on resource: ${consumerArn} `),
    });
    stranger.destroy();

    // A role that may get an iterator but not read: GetRecords is refused on the iterator's stream.
    const iteratorOnly = client(functionCredentials(fnName("local-ks-iterator-only")));
    const { Shards } = await iteratorOnly.send(new ListShardsCommand({ StreamName: streamName }));
    const { ShardIterator } = await iteratorOnly.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: Shards![0].ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    expect(await refusal(iteratorOnly.send(new GetRecordsCommand({ ShardIterator })))).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(`kinesis:GetRecords on resource: ${streamArn} `),
    });
    iteratorOnly.destroy();

    // The subscriber's role reads (DataStream's grants): by the iterator it got, then by the next one.
    const reader = client(functionCredentials(fnName("local-ks-ordered")));
    const first = await reader.send(new GetShardIteratorCommand({ StreamARN: streamArn, ShardId: Shards![0].ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    const read = await reader.send(new GetRecordsCommand({ ShardIterator: first.ShardIterator }));
    expect(await reader.send(new GetRecordsCommand({ ShardIterator: read.NextShardIterator }))).toMatchObject({ Records: expect.any(Array) });
    // An iterator the endpoint did not hand out names no stream: expired, as Kinesis answers an old one (not refused on *).
    expect(await refusal(reader.send(new GetRecordsCommand({ ShardIterator: "AAAAAAAAAAFnot-issued-here" })))).toMatchObject({ name: "ExpiredIteratorException" });
    reader.destroy();
  });

  it("answers ResourceNotFoundException for a StreamARN of another account or region, and serves HTTP/1.1 too", async () => {
    const kinesis = http1Client();
    for (const arn of [streamArn.replace(/:\d{12}:/, ":111111111111:"), streamArn.replace(":us-east-1:", ":eu-west-1:")]) {
      const error = await kinesis.send(new PutRecordCommand({ StreamARN: arn, PartitionKey: "x", Data: Buffer.from("x") })).catch((e: Error) => e);
      expect(error).toMatchObject({ name: "ResourceNotFoundException" });
    }
    await kinesis.send(new PutRecordCommand({ StreamARN: streamArn, PartitionKey: "x", Data: Buffer.from("over HTTP/1.1") }));
    kinesis.destroy();
    await server.drained();
    expect(decode(take("local-ks-ordered").flat())).toEqual(["over HTTP/1.1"]);
    take("local-ks-partial");
  });
});

/**
 * One stream of one shard and one subscription, hand-built (no program): Lambda's retry rules one at a time. The
 * function's answer is given by `behaviour` (its records, decoded, and the call's number).
 */
async function soloStream(spec: Partial<LocalStreamSubscription["spec"]>, behaviour: (data: string[], call: number) => unknown, options: { now?: () => number; onFailure?: (record: unknown) => void; onInvoke?: (event: unknown) => void } = {}) {
  const calls: string[][] = [];
  const failures: Array<Record<string, any>> = [];
  const logs: string[] = [];
  const stream = streamDefinition("solo");
  const subscription: LocalStreamSubscription = {
    id: "solo-sub",
    streamName: "solo",
    spec: { batchSize: 10, bisectBatchOnFunctionError: false, maximumRetryAttempts: 0, maximumRecordAgeInSeconds: -1, startingPosition: "TRIM_HORIZON", ...spec },
    functionArn: `arn:aws:lambda:${REGION}:123456789012:function:solo`,
    roleArn: "arn:aws:iam::123456789012:role/solo",
    invoke: async (event) => {
      options.onInvoke?.(event);
      const data = decode(event.Records);
      calls.push(data);
      return behaviour(data, calls.length);
    },
    onFailure: (record) => {
      options.onFailure?.(record);
      failures.push(record as Record<string, any>);
    },
  };
  const solo = await startLocalKinesis({ streams: [stream], subscriptions: [subscription], credentials: [CREDENTIALS], retryDelayMs: 0, log: (m) => logs.push(m), ...(options.now ? { now: options.now } : {}) });
  const put = async (...data: string[]) => {
    const kinesis = kinesisClient(solo.endpoint);
    await kinesis.send(new PutRecordsCommand({ StreamName: "solo", Records: data.map((d) => ({ PartitionKey: "k", Data: Buffer.from(d) })) }));
    kinesis.destroy();
  };
  return { solo, calls, failures, logs, put };
}

const poison = (data: string[]) => {
  if (data.includes("p")) throw new Error("poison");
  return { batchItemFailures: [] };
};

describe("local Kinesis retries, as Lambda's event source mapping", () => {
  it("bisects a failing batch without spending a retry: the poison record alone gets its retries, then goes to the destination", async () => {
    const { solo, calls, failures, put } = await soloStream({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 }, poison);
    await put("a", "b", "p", "d");
    await solo.drained();
    await solo.stop();
    expect(calls).toEqual([["a", "b", "p", "d"], ["a", "b"], ["p", "d"], ["p"], ["p"], ["d"]]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 2 }, KinesisBatchInfo: { batchSize: 1 } });
  });

  it("checks the record age before each retry: a record that ages past maximumRecordAgeInSeconds while retried goes to the destination", async () => {
    let skew = 0;
    const { solo, calls, failures, put } = await soloStream({ maximumRetryAttempts: 3, maximumRecordAgeInSeconds: 60 }, () => {
      skew = 120_000; // The first try fails, and the record is 2 minutes old when the retry would come.
      throw new Error("down");
    }, { now: () => Date.now() + skew });
    await put("late");
    await solo.drained();
    await solo.stop();
    expect(calls).toEqual([["late"]]);
    expect(failures.map((f) => f.requestContext)).toEqual([expect.objectContaining({ condition: "RecordAgeExceeded", approximateInvokeCount: 1 })]);
  });

  it("gives up on records already past maximumRecordAgeInSeconds without invoking", async () => {
    const { solo, calls, failures, put } = await soloStream({ maximumRecordAgeInSeconds: 60 }, () => ({}), { now: () => Date.now() + 120_000 });
    await put("old");
    await solo.drained();
    await solo.stop();
    expect(calls).toEqual([]);
    expect(failures).toEqual([expect.objectContaining({ requestContext: expect.objectContaining({ condition: "RecordAgeExceeded", approximateInvokeCount: 0 }), KinesisBatchInfo: expect.objectContaining({ batchSize: 1 }) })]);
  });

  it("reads AT_TIMESTAMP from that time: a past one reads what was put, a time to come reads nothing yet (and fails nothing)", async () => {
    const past = await soloStream({ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2000-01-01T00:00:00Z" }, () => ({}));
    await past.put("one", "two");
    await past.solo.drained();
    await past.solo.stop();
    expect(past.calls).toEqual([["one", "two"]]);
    const future = await soloStream({ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: "2099-01-01T00:00:00Z" }, () => ({}));
    await future.put("one", "two");
    await future.solo.drained();
    await future.solo.stop();
    expect(future.calls).toEqual([]);
    expect(future.logs).toEqual([]);
  });

  it("retries the whole batch, unsplit and as no function error, for a partial batch response it cannot read", async () => {
    for (const response of [{ batchItemFailures: [null] }, { batchItemFailures: "all" }, { batchItemFailures: { itemIdentifier: "1" } }]) {
      const { solo, calls, failures, logs, put } = await soloStream({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 }, (_data, call) => (call === 1 ? response : {}));
      await put("a", "b");
      await solo.drained();
      await solo.stop();
      expect(calls).toEqual([["a", "b"], ["a", "b"]]);
      expect(failures).toEqual([]);
      expect(logs).toEqual([]);
    }
  });

  it("splits a batch whose event would pass Lambda's 6 MB payload limit into events under it, in order", async () => {
    const sizes: number[] = [];
    const { solo, calls, failures } = await soloStream({ batchSize: 100 }, () => ({}), {
      onInvoke: (event) => sizes.push(Buffer.byteLength(JSON.stringify(event))),
    });
    // 7 records of 900,000 bytes: 1.2 MB each in base64, 8.4 MB in one event.
    const kinesis = kinesisClient(solo.endpoint);
    for (const n of [1, 2, 3, 4, 5, 6, 7]) await kinesis.send(new PutRecordCommand({ StreamName: "solo", PartitionKey: "k", Data: Buffer.alloc(900_000, String(n)) }));
    kinesis.destroy();
    await solo.drained();
    await solo.stop();
    expect(calls.length).toBeGreaterThan(1);
    expect(sizes.every((size) => size <= LAMBDA_SYNC_PAYLOAD_LIMITS.largestRequestBytes)).toBe(true);
    expect(calls.flat().map((data) => data[0])).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(failures).toEqual([]);
  });

  it("retries without end at maximumRetryAttempts -1 until the endpoint stops, giving up on nothing", async () => {
    let third: () => void;
    const thirdCall = new Promise<void>((resolve) => (third = resolve));
    const { solo, calls, failures, put } = await soloStream({ maximumRetryAttempts: -1 }, (_data, call) => {
      if (call === 3) third();
      throw new Error("down");
    });
    await put("stuck");
    const pass = solo.drained();
    await thirdCall;
    await solo.stop();
    await pass;
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(calls.flat())).toEqual(new Set(["stuck"]));
    expect(failures).toEqual([]);
  });

  it("reads a batch again when its on-failure record could not be sent: the iterator passes a batch only once handled", async () => {
    let refusals = 1;
    const { solo, calls, failures, logs, put } = await soloStream({}, () => {
      throw new Error("down");
    }, {
      onFailure: () => {
        if (refusals-- > 0) throw new Error("queue unavailable");
      },
    });
    await put("kept");
    await solo.drained();
    expect(failures).toEqual([]);
    expect(logs).toEqual([expect.stringMatching(/failed on shardId-000000000000: down/), expect.stringMatching(/queue unavailable/)]);
    await solo.drained();
    await solo.stop();
    expect(calls).toEqual([["kept"], ["kept"]]);
    expect(failures).toHaveLength(1);
  });
});

describe("the local Kinesis endpoint's connections", () => {
  it("closes one that stays silent, and one that stops half-way through a request, after idleTimeoutMs (nothing held until stop)", async () => {
    const endpoint = await startLocalKinesis({ streams: [], credentials: [CREDENTIALS], idleTimeoutMs: 20 });
    const { port } = new URL(endpoint.endpoint);
    const closed = (send: string) =>
      new Promise<void>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1", () => socket.write(send));
        // On a busy machine the connect callback can run after the endpoint already closed the connection at
        // idleTimeoutMs, and the write then meets a reset: that is the close this test waits for, not a failure.
        socket.on("error", () => {});
        socket.on("close", () => resolve());
      });
    // Silent: no bytes say HTTP/1.1 or HTTP/2. Half-sent: a request line and no end of headers. Stalled after "PRI".
    await Promise.all([closed(""), closed("POST / HTTP/1.1\r\nHost: x\r\n"), closed("PRI")]);
    await endpoint.stop();
  });

  it("closes one that trickles a request's head or body a byte at a time, each byte well within idleTimeoutMs (a deadline, not an idle timer)", async () => {
    const endpoint = await startLocalKinesis({ streams: [], credentials: [CREDENTIALS], idleTimeoutMs: 200 });
    const { port } = new URL(endpoint.endpoint);
    const trickled = (start: string) =>
      new Promise<void>((resolve) => {
        let ticker: NodeJS.Timeout | undefined;
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write(start);
          ticker = setInterval(() => socket.write("x"), 2);
        });
        // Writing on as the endpoint closes the connection resets it: the close that follows is what is awaited.
        socket.on("error", () => {});
        socket.on("close", () => {
          clearInterval(ticker);
          resolve();
        });
      });
    // HTTP/1.1: a header that never ends; a body that never ends; the same after a whole request was answered (a
    // kept-alive connection). (HTTP/2 cannot trickle for long before the deadline ends at the client's SETTINGS: only
    // the 24-byte preface and that frame come before it.)
    const answered = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
    await Promise.all([
      trickled("POST / HTTP/1.1\r\nHost: x\r\nX-Slow: "),
      trickled("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"),
      trickled(`${answered}POST / HTTP/1.1\r\nHost: x\r\nX-Slow: `),
    ]);
    await endpoint.stop();
  });
});

describe("the local Kinesis endpoint's modules", () => {
  it("load DataStream's limits from the module that imports nothing, not the component's modules (nor @pulumi/aws they load)", async () => {
    const script = `require("./local/kinesis-server.ts"); const files = Object.keys(require.cache); console.log(JSON.stringify({ dataStream: files.filter((f) => /[\\\\/]components[\\\\/]data-stream[\\\\/]/.test(f)).map((f) => f.replace(/^.*[\\\\/]components[\\\\/]/, "")), pulumiAws: files.filter((f) => /[\\\\/]@pulumi[\\\\/]aws[\\\\/]/.test(f)).length }));`;
    const result = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: join(__dirname, "..", ".."), encoding: "utf8", timeout: 60_000 });
    expect(JSON.parse(result.stdout.trim())).toEqual({ dataStream: ["data-stream/limits.ts"], pulumiAws: 0 });
  });
});
