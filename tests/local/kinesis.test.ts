/**
 * Local Kinesis (`npm start`): a DataStream's stream on kinesalite behind the local endpoint, written through the real
 * @aws-sdk/client-kinesis (awsJson1_1, SigV4); subscribed functions get Kinesis's event with each shard's records in
 * order, a partial batch response resumes from the first failed record, retries end at the on-failure destination
 * with Lambda's batch description; an unsigned request and a function whose role lacks grants.put() are refused.
 * Functions are fakes; the queues an in-memory LocalQueues.
 */
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataStream, type DataStreamSpec, type DataStreamSubscriptionSpec } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { startLocalKinesis, type KinesisEventRecord, type LocalKinesis } from "../../local/kinesis-server";
import { LocalQueues } from "../../local/queues";
import { localStreamDefinitions, localStreamSubscriptions } from "../../local/services/data-streams";
import type { RecordedResource } from "../../local/offline/mocks";
import { record } from "../harness/mocks";

const REGION = "us-east-1";
const entry = "tests/fixtures/handlers/echo.ts";
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

let graph: RecordedResource[];
let server: LocalKinesis;
let streamName: string;
let streamArn: string;
const queues = new LocalQueues();
const received: Record<string, KinesisEventRecord[][]> = {};
/** What each fake function answers, by function name: a response, or a thrown error. */
const behaviour: Record<string, (records: KinesisEventRecord[]) => unknown> = {};

const fnName = (name: string) => graph.find((r) => r.type === "aws:lambda/function:Function" && r.name === `${name}-function`)!.state.name as string;
/** The client's default handler (HTTP/2, with prior knowledge on http://), as a production handler makes it. */
const client = (credentials = CREDENTIALS) => new KinesisClient({ region: REGION, endpoint: server.endpoint, credentials, maxAttempts: 1 });
/** Over HTTP/1.1, as other SDKs and tools call the endpoint. */
const http1Client = (credentials = CREDENTIALS) => new KinesisClient({ region: REGION, endpoint: server.endpoint, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
const decode = (records: KinesisEventRecord[]) => records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));
const take = (fn: string) => (received[fn] ?? []).splice(0);

beforeAll(async () => {
  graph = await record(() => {
    const stream = new DataStream("local-ks", { mode: "PROVISIONED", shardCount: 2 });
    stream.subscribe("ordered", new LambdaFunction("local-ks-ordered", { entry }), { startingPosition: "TRIM_HORIZON" });
    stream.subscribe("partial", new LambdaFunction("local-ks-partial", { entry }), { maximumRetryAttempts: 1, bisectBatchOnFunctionError: false });
    new LambdaFunction("local-ks-producer", { entry, permissions: stream.grants.put() });
    new LambdaFunction("local-ks-stranger", { entry });
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
    const spec = registeredSpecs<DataStreamSubscriptionSpec>("DataStreamSubscription").find((s) => s.name === "local-ks-partial")!.spec;
    const dlq = graph.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "local-ks-partial-dlq")!.state.name as string;
    expect(spec.name).toBe("partial");
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
});
