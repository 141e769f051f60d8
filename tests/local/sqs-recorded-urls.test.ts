/**
 * The queue URL a program hands its functions, under the mocks `npm start` runs it with: an AWS URL
 * (`https://sqs.<region>.amazonaws.com/<account>/<name>`, also the queue's id), which the queues service maps to the
 * local server's URL for that queue, and only for the queues it serves.
 */
import * as aws from "@pulumi/aws";
import type { SQSEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import type { MessageQueueSpec } from "../../components/message-queue/spec";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { clearRegisteredSpecs, registeredSpecs } from "../../components/spec-registry";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { invokeAsync } from "../../local/async-invoke";
import { LocalQueues } from "../../local/queues";
import { forwardDestinations, localQueueDefinitions, recordedQueueUrls } from "../../local/services/queues";
import { SqsEventSource } from "../../local/sqs-event-source";
import { LocalSqs } from "../../local/sqs-server";
import { record, useMocks } from "../harness/mocks";
import { queueDefinition } from "./sqs-helpers";

const value = <T>(o: { apply: (f: (v: T) => unknown) => unknown }) => new Promise<T>((done) => o.apply((v) => done(v)));
afterEach(() => clearRegisteredSpecs());

const definition = (name: string) => queueDefinition(name, "eu-west-1");

describe("recorded queue URLs", () => {
  it("records a queue's AWS URL and maps it, for the queues the local server serves, to the local URL", async () => {
    await useMocks({ region: "eu-west-1" });
    const graph = await record(() => {
      new aws.sqs.Queue("jobs", { name: "jobs-1a2b3c" });
      new aws.sqs.Queue("elsewhere", { name: "not-served" });
    });
    const recorded = `https://sqs.eu-west-1.amazonaws.com/${MOCK_ACCOUNT_ID}/jobs-1a2b3c`;
    expect(graph.find((r) => r.name === "jobs")).toMatchObject({ id: recorded, state: { url: recorded, arn: `arn:aws:sqs:eu-west-1:${MOCK_ACCOUNT_ID}:jobs-1a2b3c` } });
    const sqs = new LocalSqs([definition("jobs-1a2b3c")]);
    const urls = recordedQueueUrls(graph, { sqs, queueUrl: (name) => `http://127.0.0.1:1234/123456789012/${name}` });
    expect([...urls]).toEqual([[recorded, "http://127.0.0.1:1234/123456789012/jobs-1a2b3c"]]);
  });

  it("serves a FIFO MessageQueue's queues under the .fifo names, URLs and ARNs AWS gives them", async () => {
    await useMocks({ region: "eu-west-1" });
    let queue!: MessageQueue;
    const graph = await record(() => {
      queue = new MessageQueue("orders", { fifo: true, consumer: { function: new LambdaFunction("orders-worker", { entry: "tests/fixtures/handlers/echo.ts" }) } });
    });
    const [name, url, arn] = await Promise.all([value<string>(queue.queueName), value<string>(queue.queueUrl), value<string>(queue.queueArn)]);
    expect(name).toMatch(/^orders-queue-[0-9a-f]{8}\.fifo$/);
    const specs = registeredSpecs<MessageQueueSpec>("MessageQueue").map(({ spec }) => spec);
    const [{ queue: local, deadLetterQueue }] = await localQueueDefinitions(specs, "eu-west-1", graph);
    expect([local.name, local.fifo, deadLetterQueue.name.endsWith(".fifo"), deadLetterQueue.fifo]).toEqual([name, true, true, true]);
    const sqs = new LocalSqs([local, deadLetterQueue]);
    const urls = recordedQueueUrls(graph, { sqs, queueUrl: (n) => `http://127.0.0.1:1234/123456789012/${n}` });
    expect(urls.get(url)).toBe(`http://127.0.0.1:1234/123456789012/${name}`);
    expect(sqs.attributes(name)).toMatchObject({ QueueArn: arn, FifoQueue: "true" });
    expect(arn.endsWith(`:${name}`)).toBe(true);
  });

  it("serves each queue under the ARN the program recorded: an event's eventSourceARN and QueueArn are the MessageQueue's queueArn", async () => {
    await useMocks({ region: "eu-west-1" });
    let queue!: MessageQueue;
    const graph = await record(() => {
      queue = new MessageQueue("orders", { consumer: { function: new LambdaFunction("orders-worker", { entry: "tests/fixtures/handlers/echo.ts" }) } });
    });
    const queueArn = await value<string>(queue.queueArn);
    const specs = registeredSpecs<MessageQueueSpec>("MessageQueue").map(({ spec }) => spec);
    const [{ queue: local, deadLetterQueue }] = await localQueueDefinitions(specs, "eu-west-1", graph);
    const sqs = new LocalSqs([local, deadLetterQueue]);
    const events: SQSEvent[] = [];
    const source = new SqsEventSource({ sqs, queueName: local.name, region: "eu-west-1", batchSize: 10, maxBatchingWindowSeconds: 0, invoke: async (event) => void events.push(event), log: () => undefined });
    sqs.send(local.name, { body: "hello" });
    await source.pollOnce();
    expect(events.flatMap((e) => e.Records.map((r) => r.eventSourceARN))).toEqual([queueArn]);
    expect(sqs.attributes(local.name)).toMatchObject({ QueueArn: queueArn });
    // The dead-letter queue's RedrivePolicy names the dead-letter queue's recorded ARN, as the program's redrivePolicy does.
    const dlq = graph.find((r) => r.type === "aws:sqs/queue:Queue" && r.state.name === deadLetterQueue.name)!;
    expect(JSON.parse(String(sqs.attributes(local.name).RedrivePolicy)).deadLetterTargetArn).toBe(dlq.state.arn);
    // The attributes the queues have in AWS: SSE-SQS, the TLS-only access policy on both, the dead-letter queue's byQueue RedriveAllowPolicy.
    const policyOf = (url: unknown) => graph.find((r) => r.type === "aws:sqs/queuePolicy:QueuePolicy" && r.inputs.queueUrl === url)!.inputs.policy;
    const queueRecorded = graph.find((r) => r.type === "aws:sqs/queue:Queue" && r.state.name === local.name)!;
    expect(sqs.attributes(local.name)).toMatchObject({ SqsManagedSseEnabled: "true", Policy: policyOf(queueRecorded.id) });
    expect(sqs.attributes(local.name).RedriveAllowPolicy).toBeUndefined();
    expect(JSON.parse(String(sqs.attributes(local.name).Policy)).Statement[0]).toMatchObject({ Effect: "Deny", Resource: queueArn });
    expect(sqs.attributes(deadLetterQueue.name)).toMatchObject({ SqsManagedSseEnabled: "true", Policy: policyOf(dlq.id) });
    expect(JSON.parse(String(sqs.attributes(deadLetterQueue.name).RedriveAllowPolicy))).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [queueArn] });
  });

  it("sends a Lambda destination's invocation records to a MessageQueue's queue on the local SQS server, where its consumer receives them", async () => {
    await useMocks({ region: "eu-west-1" });
    let uploader!: LambdaFunction;
    const graph = await record(() => {
      const failures = new MessageQueue("failures", { consumer: { function: new LambdaFunction("failures-worker", { entry: "tests/fixtures/handlers/echo.ts" }) } });
      uploader = new LambdaFunction("uploader", { entry: "tests/fixtures/handlers/echo.ts", asyncInvoke: { maxRetryAttempts: 0, onFailure: { type: "sqs", arn: failures.queueArn } } });
      new LambdaFunction("elsewhere", { entry: "tests/fixtures/handlers/echo.ts", asyncInvoke: { onFailure: { type: "sqs", arn: "arn:aws:sqs:eu-west-1:123456789012:not-served" } } });
    });
    const specs = registeredSpecs<MessageQueueSpec>("MessageQueue").map(({ spec }) => spec);
    const [{ queue: local, deadLetterQueue }] = await localQueueDefinitions(specs, "eu-west-1", graph);
    const sqs = new LocalSqs([local, deadLetterQueue]);
    const files = new LocalQueues();
    const lines: string[] = [];
    const functions = registeredSpecs<LambdaFunctionSpec>("LambdaFunction").map(({ spec }) => spec);
    const stops = await forwardDestinations(functions, sqs, () => files, (line) => lines.push(line));
    expect(lines).toEqual([`  ${uploader.spec.name}'s on-failure destination → ${local.name} (the local SQS server)`]);
    const failing = async () => Promise.reject(new Error("boom"));
    expect(await invokeAsync(uploader.spec, failing, { key: "a.jpg" }, { queues: files, retryDelaysMs: [0] })).toBe("failed");
    const [message] = await sqs.receive(local.name, { max: 10 });
    expect(JSON.parse(message.body)).toMatchObject({ requestContext: { condition: "RetriesExhausted" }, requestPayload: { key: "a.jpg" }, responsePayload: { errorMessage: "boom" } });
    expect(files.queues()).toEqual([]);
    // Once stopped (npm start stopping), records go to the local file again.
    for (const stop of stops) stop();
    await invokeAsync(uploader.spec, failing, { key: "b.jpg" }, { queues: files, retryDelaysMs: [0] });
    expect(files.queues()).toHaveLength(1);
  });
});
