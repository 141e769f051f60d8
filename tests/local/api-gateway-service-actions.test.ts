/**
 * ServerlessApi AWS-service routes with VTL mapping templates under `npm start`, end to end: a program's real
 * DataStream, MessageQueue and DataTier table served by the local runtime (startLocalApp), and REST routes calling them
 * as API Gateway does — Kinesis PutRecord and DynamoDB GetItem action-style (X-Amz-Target added, the JSON protocol's
 * Content-Type mapped), SQS SendMessage path-style with a form-encoded template — the integration role's permissions
 * enforced (the service's AccessDenied through the integration responses: 400), a response template shaping
 * DynamoDB's answer (with $context.responseOverride.status), and passthroughBehavior NEVER answering 415.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataStream } from "../../components/data-stream";
import { DataTier } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import type { LocalQueuesService } from "../../local/services/queues";
import { ServerlessApi } from "../../components/serverless-api";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { startLocalApp, type LocalApp } from "../../local/start";

const dir = mkdtempSync(join(tmpdir(), "sf-vtl-program-"));
let app: LocalApp;
let base: string;
let outputs: { queueUrl: string; clicksArn: string; openUrl: string; closedUrl: string };

const PUT_RECORD = JSON.stringify({ StreamName: "vtl-clicks", Data: "$util.base64Encode($input.json('$'))", PartitionKey: "$input.path('$.user')" });
const GET_ITEM = `{"TableName":"vtl-items","Key":{"id":{"S":"$util.escapeJavaScript($input.params('id'))"}}}`;
// DynamoDB answers {} for a key it does not hold: the template turns that into a 404.
const ITEM_RESPONSE = `#set($item = $input.path('$.Item'))
#if("$!item" == "")#set($context.responseOverride.status = 404){"message":"no item $input.params('id')"}#else{"id":"$item.id.S","name":"$util.escapeJavaScript($item.name.S)","stage":"$context.stage"}#end`;

beforeAll(async () => {
  const program = () => {
    const stream = new DataStream("vtl-clicks", { streamName: "vtl-clicks" });
    new DataStream("vtl-secret", { streamName: "vtl-secret" });
    const queue = new MessageQueue("vtl-jobs", { consumer: { function: new LambdaFunction("vtl-worker", { entry: "tests/fixtures/handlers/echo.ts" }) } });
    const data = new DataTier("vtl-data", { tables: { items: { tableName: "vtl-items", attributes: { id: "S" }, partitionKey: "id" } } });
    // Queues whose own policies decide: one allows everyone to send (the route's role is granted nothing on it), one
    // denies everyone (the route's role is granted it).
    const open = new MessageQueue("vtl-open", { consumer: { function: new LambdaFunction("vtl-open-worker", { entry: "tests/fixtures/handlers/echo.ts" }) } });
    const closed = new MessageQueue("vtl-closed", { consumer: { function: new LambdaFunction("vtl-closed-worker", { entry: "tests/fixtures/handlers/echo.ts" }) } });
    for (const [name, target, Effect] of [["vtl-open-policy", open, "Allow"], ["vtl-closed-policy", closed, "Deny"]] as const) {
      new aws.sqs.QueuePolicy(name, {
        queueUrl: target.queueUrl,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect, Principal: { AWS: "*" }, Action: "sqs:SendMessage", Resource: target.queueArn }] }),
      });
    }
    const sendMessage = (passthroughBehavior?: "NEVER" | "WHEN_NO_MATCH", target = queue, granted = queue) => ({
      integration: {
        type: "aws" as const,
        service: "sqs",
        method: "POST",
        path: target.queueUrl.apply((url) => new URL(url).pathname.slice(1)),
        requestParameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
        requestTemplates: { "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=requestId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$context.requestId" },
        ...(passthroughBehavior ? { passthroughBehavior } : {}),
        permissions: [{ actions: ["sqs:SendMessage"], resources: [granted.queueArn] }],
      },
      auth: "none" as const,
    });
    new ServerlessApi("vtl", {
      accountCloudWatchRole: false,
      routes: {
        "POST /clicks": {
          integration: { type: "aws", service: "kinesis", action: "PutRecord", requestTemplates: { "application/json": PUT_RECORD }, permissions: [{ actions: ["kinesis:PutRecord"], resources: [stream.streamArn] }] },
          auth: "none",
        },
        // The role may put records, but into another stream only.
        "POST /elsewhere": {
          integration: { type: "aws", service: "kinesis", action: "PutRecord", requestTemplates: { "application/json": PUT_RECORD }, permissions: [{ actions: ["kinesis:PutRecord"], resources: ["arn:aws:kinesis:us-east-1:123456789012:stream/other"] }] },
          auth: "none",
        },
        "POST /jobs": sendMessage(),
        "POST /strict-jobs": sendMessage("NEVER"),
        "POST /lenient-jobs": sendMessage("WHEN_NO_MATCH"),
        // The role may send to vtl-jobs only; vtl-open's policy allows it, vtl-closed's denies it.
        "POST /open-jobs": sendMessage(undefined, open, queue),
        "POST /closed-jobs": sendMessage(undefined, closed, closed),
        // No templates (the client writes the PutRecord body); the role may put records into vtl-clicks only.
        "POST /raw-clicks": {
          integration: { type: "aws", service: "kinesis", action: "PutRecord", permissions: [{ actions: ["kinesis:PutRecord"], resources: [stream.streamArn] }] },
          auth: "none",
        },
        "GET /items/{id}": {
          integration: { type: "aws", service: "dynamodb", action: "GetItem", permissions: [{ actions: ["dynamodb:GetItem"], resources: [data.tables.items.arn] }], requestTemplates: { "application/json": GET_ITEM }, responseTemplates: { "application/json": ITEM_RESPONSE } },
          auth: "none",
        },
      },
    });
    return { queueUrl: queue.queueUrl, clicksArn: stream.streamArn, openUrl: open.queueUrl, closedUrl: closed.queueUrl };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  base = Object.entries(app.urls).find(([key]) => key.startsWith("vtl "))![1];
  outputs = app.context.run.outputs as typeof outputs;
  // The queue's consumer stays idle: the test receives what the route sent itself.
  for (const source of (app.services.find((s) => s.name === "sqs") as LocalQueuesService).eventSources.values()) await source.stop();
});
afterAll(async () => {
  await app?.stop();
});

const env = () => app.context.environment;
const credentials = () => ({ accessKeyId: env().AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: env().AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey });
const client = <T>(Client: new (config: Record<string, unknown>) => T, endpoint: string | undefined) => new Client({ region: "us-east-1", endpoint, credentials: credentials(), maxAttempts: 1, requestHandler: new NodeHttpHandler() });
const post = (path: string, body: unknown, contentType = "application/json") => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) });

async function streamRecords(stream = "vtl-clicks"): Promise<Array<{ data: string; key: string }>> {
  const kinesis = client(KinesisClient, env().AWS_ENDPOINT_URL_KINESIS);
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
  const records: Array<{ data: string; key: string }> = [];
  for (const shard of Shards) {
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    records.push(...Records.map((r) => ({ data: Buffer.from(r.Data!).toString("utf8"), key: r.PartitionKey! })));
  }
  return records;
}

// The tests share the app's stream, queue and table, and each expects exactly what it and the tests before it wrote
// (a refused request writes nothing): in this order, also with --sequence.shuffle.
describe("AWS-service routes with mapping templates under npm start", { shuffle: false }, () => {
  it("POST → Kinesis PutRecord: the template's record lands in the DataStream; Kinesis's answer passes through", async () => {
    const response = await post("/clicks", { user: "ann", page: "/home" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(await response.json()).toEqual({ ShardId: expect.stringMatching(/^shardId-/), SequenceNumber: expect.stringMatching(/^\d+$/) });
    expect(await streamRecords()).toEqual([{ data: JSON.stringify({ user: "ann", page: "/home" }), key: "ann" }]);
  });

  it("a role whose permissions do not cover the stream is refused as Kinesis refuses it (AccessDeniedException → 400), and nothing is written", async () => {
    const before = (await streamRecords()).length;
    const response = await post("/elsewhere", { user: "bob" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: "Bad request", requestId: response.headers.get("x-amzn-requestid") });
    expect(await streamRecords()).toHaveLength(before);
  });

  it("POST → SQS SendMessage (path-style, form-encoded template): the client's body is the message, the request id an attribute", async () => {
    const response = await post("/jobs", { job: "resize", photo: "a b&c.jpg" });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { SendMessageResponse: { SendMessageResult: { MessageId: string; MD5OfMessageBody: string } } };
    expect(answer.SendMessageResponse.SendMessageResult).toMatchObject({ MessageId: expect.any(String), MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const queueUrl = `${env().AWS_ENDPOINT_URL_SQS}${new URL(outputs.queueUrl).pathname}`;
    const { Messages = [] } = await client(SQSClient, env().AWS_ENDPOINT_URL_SQS).send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }));
    expect(Messages.map((m) => m.Body)).toEqual([JSON.stringify({ job: "resize", photo: "a b&c.jpg" })]);
    expect(Messages[0].MessageId).toBe(answer.SendMessageResponse.SendMessageResult.MessageId);
    expect(Messages[0].MessageAttributes?.requestId?.StringValue).toBe(response.headers.get("x-amzn-requestid"));
  });

  it("the integration role is the recorded role, decided with the queue's policy: one that allows everyone lets it send, one that denies everyone refuses it (AccessDenied → 400)", async () => {
    const sqs = client(SQSClient, env().AWS_ENDPOINT_URL_SQS);
    const received = async (url: string) => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${env().AWS_ENDPOINT_URL_SQS}${new URL(url).pathname}`, MaxNumberOfMessages: 10 }))).Messages ?? [];
    const opened = await post("/open-jobs", { job: "open" });
    expect(opened.status).toBe(200);
    expect((await received(outputs.openUrl)).map((m) => m.Body)).toEqual([JSON.stringify({ job: "open" })]);
    const refused = await post("/closed-jobs", { job: "closed" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ message: "Bad request", requestId: refused.headers.get("x-amzn-requestid") });
    expect(await received(outputs.closedUrl)).toEqual([]);
  });

  it("passthroughBehavior NEVER answers a Content-Type without a template 415, and nothing is sent; WHEN_NO_MATCH passes it through", async () => {
    const form = "Action=SendMessage&MessageBody=passed-through";
    const response = await post("/strict-jobs", form, "text/plain");
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ message: "Unsupported Media Type" });
    // The default (WHEN_NO_TEMPLATES with templates) refuses it too; WHEN_NO_MATCH sends the body as the client wrote it.
    expect((await post("/jobs", form, "text/plain")).status).toBe(415);
    expect((await post("/lenient-jobs", form, "text/plain")).status).toBe(200);
    const queueUrl = `${env().AWS_ENDPOINT_URL_SQS}${new URL(outputs.queueUrl).pathname}`;
    const { Messages = [] } = await client(SQSClient, env().AWS_ENDPOINT_URL_SQS).send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => m.Body)).toEqual(["passed-through"]);
    expect((await post("/strict-jobs", { job: "ok" })).status).toBe(200);
  });

  it("a body naming an allowed StreamARN and another StreamName is refused on the StreamName too; nothing lands in either stream", async () => {
    const before = (await streamRecords()).length;
    const response = await post("/raw-clicks", { StreamARN: outputs.clicksArn, StreamName: "vtl-secret", Data: Buffer.from("x").toString("base64"), PartitionKey: "k" }, "application/json");
    expect(response.status).toBe(400);
    expect(await streamRecords("vtl-secret")).toEqual([]);
    expect(await streamRecords()).toHaveLength(before);
    expect((await post("/raw-clicks", { StreamName: "vtl-clicks", Data: Buffer.from("x").toString("base64"), PartitionKey: "k" })).status).toBe(200);
  });

  it("GET → DynamoDB GetItem with a response template: the item shaped, and a missing one 404 through responseOverride", async () => {
    const dynamo = client(DynamoDBClient, env().AWS_ENDPOINT_URL_DYNAMODB);
    await dynamo.send(new PutItemCommand({ TableName: "vtl-items", Item: { id: { S: "i-1" }, name: { S: 'Ann\'s "first"' } } }));
    const found = await fetch(`${base}/items/i-1`);
    expect(found.status).toBe(200);
    expect(found.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse((await found.text()).replace(/\\'/g, "'"))).toEqual({ id: "i-1", name: 'Ann\'s "first"', stage: expect.any(String) });
    const missing = await fetch(`${base}/items/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "no item nope" });
  });
});
