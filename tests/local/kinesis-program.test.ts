/**
 * A DataStream under `npm start`, end to end: the program's real DataStream, recorded and served by the local runtime
 * (startLocalApp); a handler granted grants.put() puts through the SDK (AWS_ENDPOINT_URL_KINESIS, the stream name
 * environment() gives it) with the SDK's default client (HTTP/2), the subscribed function in its sandbox gets the
 * records, a failing subscriber's batch is described on its dead-letter queue; a handler without the grant is refused
 * as IAM refuses it.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SubscribeToShardCommand } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataStream } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { functionCredentials } from "../../local/function-roles";
import type { LocalDataStreamsService } from "../../local/services/data-streams";
import { startLocalApp, type LocalApp } from "../../local/start";
import { functionName, kinesisClient } from "./kinesis-helpers";

const entry = "tests/fixtures/handlers/kinesis-steps.ts";
const dir = mkdtempSync(join(tmpdir(), "sf-kinesis-program-"));
const out = join(dir, "received.jsonl");
const fanOut = join(dir, "fan-received.jsonl");
let app: LocalApp;
let outputs: { streamArn: string };

const invoke = (name: string, event: Record<string, unknown>) => app.context.lambda(app.context.run.specs.find((s) => s.name === name)!.spec as never).invoke<Record<string, unknown>>(event);
const received = () => readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { data: string; key: string; source: string; identity: string });

beforeAll(async () => {
  const program = () => {
    const stream = new DataStream("ksp-clicks");
    stream.subscribe("count", new LambdaFunction("ksp-counter", { entry, timeout: 10, environment: { OUT: out } }), { startingPosition: "TRIM_HORIZON" });
    stream.subscribe("poison", new LambdaFunction("ksp-poison", { entry, timeout: 10, environment: { FAIL: "1" } }), { startingPosition: "TRIM_HORIZON", maximumRetryAttempts: 0, bisectBatchOnFunctionError: false });
    stream.subscribe("fan", new LambdaFunction("ksp-fan", { entry, timeout: 10, environment: { OUT: fanOut } }), { startingPosition: "TRIM_HORIZON", enhancedFanOut: true });
    new LambdaFunction("ksp-producer", { entry, timeout: 10, permissions: stream.grants.put(), environment: stream.environment() });
    new LambdaFunction("ksp-outsider", { entry, timeout: 10, environment: stream.environment() });
    return { streamArn: stream.streamArn };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  outputs = app.context.run.outputs as typeof outputs;
});
afterAll(async () => {
  await app?.stop();
});

describe("a DataStream under npm start", () => {
  it("takes a granted handler's records and delivers them to the subscribed function, per key in order", async () => {
    for (const data of ["one", "two", "three"]) expect(await invoke("ksp-producer", { data, key: "user-1" })).toEqual({ sequenceNumber: expect.stringMatching(/^\d+$/) });
    await (app.services.find((s) => s.name === "kinesis") as LocalDataStreamsService).kinesis.drained();
    const records = received();
    expect(records.map((r) => r.data)).toEqual(["one", "two", "three"]);
    expect(records[0].source).toBe(outputs.streamArn);
    expect(records[0].identity).toMatch(/^arn:aws:iam::\d{12}:role\/ksp-counter-role-/);
    // The failing subscriber's batches (one or more, as the polls met the puts), retries spent (0), are described on
    // its dead-letter queue.
    const dlq = app.context.run.resources.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "ksp-clicks-poison-dlq")!.state.name as string;
    const failures = app.context.queues().messages(dlq).map((m) => m.body as { requestContext: Record<string, unknown>; KinesisBatchInfo: { batchSize: number; streamArn: string } });
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.requestContext).toMatchObject({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 1 });
      expect(failure.KinesisBatchInfo.streamArn).toBe(outputs.streamArn);
    }
    expect(failures.reduce((sum, f) => sum + f.KinesisBatchInfo.batchSize, 0)).toBe(3);
  });

  it("has the program's enhanced fan-out consumer registered at the start, for its function's role to subscribe to (SubscribeToShard)", async () => {
    const consumer = app.context.run.resources.find((r) => r.type === "aws:kinesis/streamConsumer:StreamConsumer" && r.name === "ksp-clicks-fan-consumer")!.state;
    const fan = app.context.run.specs.find((s) => s.name === "ksp-fan")!.spec as { name: string };
    const kinesis = kinesisClient(app.context.environment.AWS_ENDPOINT_URL_KINESIS!, functionCredentials(functionName(app.context.run.resources, fan.name)));
    // The SDK runs the event stream on an HTTP/2 session of its own, which destroy() leaves open: aborting ends it.
    const controller = new AbortController();
    try {
      const subscribed = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer.arn as string, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" } }), { abortSignal: controller.signal });
      for await (const event of subscribed.EventStream!) {
        expect(event.SubscribeToShardEvent).toMatchObject({ Records: expect.any(Array), ContinuationSequenceNumber: expect.stringMatching(/^\d+$/) });
        break;
      }
    } finally {
      controller.abort();
      kinesis.destroy();
    }
  });

  it("refuses a handler whose role was not granted grants.put()", async () => {
    expect(await invoke("ksp-outsider", { data: "x" })).toEqual({
      error: "AccessDeniedException",
      message: expect.stringMatching(/is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:\d{12}:stream\/ksp-clicks-stream-/),
    });
  });
});
