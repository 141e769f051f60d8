/**
 * The optimized service integrations the local Step Functions runs (local/sfn-integrations.ts), against the local SNS,
 * EventBridge and SQS servers: what each Task's result is (the API's answer with the SDK's metadata), how JSON in a
 * message or an event's Detail is sent (as its JSON text), what putEvents adds to each entry (the execution's and the
 * state machine's ARNs), and each failure as Step Functions names it — a service error, a role's refusal — for Retry
 * and Catch to match.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalDynamo, type LocalDynamo } from "../../local/dynamodb";
import { startLocalEventBridge, type EventBridgeEvent, type LocalEventBridgeServer } from "../../local/eventbridge-server";
import { localServiceIntegrations, localServiceTask, ServiceTaskFailure, type ServiceTaskContext } from "../../local/sfn-integrations";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { startLocalSns, type LocalSnsServer, type SnsNotification } from "../../local/sns-server";
import { startLocalSqs, type LocalSqsServer } from "../../local/sqs-server";
import { tableSpec } from "./dynamodb-helpers";
import { queueDefinition } from "./sqs-helpers";

const ACCOUNT = "123456789012";
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:news`;
const BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`;
const EXECUTION = `arn:aws:states:us-east-1:${ACCOUNT}:execution:flow:run-1`;
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:flow`;

let sns: LocalSnsServer;
let events: LocalEventBridgeServer;
let sqs: LocalSqsServer;
let dynamo: LocalDynamo;
const published: SnsNotification[] = [];
const delivered: EventBridgeEvent[] = [];

beforeAll(async () => {
  sns = await startLocalSns({ topics: [{ arn: TOPIC, region: "us-east-1", fifo: false, contentBasedDeduplication: false, subscriptions: [{ arn: `${TOPIC}:1`, protocol: "lambda", filterPolicyScope: "MessageAttributes", deliver: (n) => published.push(n) }] }] });
  events = await startLocalEventBridge({ buses: [{ name: "orders", arn: BUS, region: "us-east-1", account: ACCOUNT, rules: [{ arn: `${BUS}/all`, pattern: { source: [{ prefix: "" }] }, deliver: (e) => delivered.push(e) }] }] });
  sqs = await startLocalSqs({ queues: [queueDefinition("orders", "us-east-1")], accountId: ACCOUNT });
  dynamo = await startLocalDynamo({ tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec({ ttlEnabled: false, pointInTimeRecovery: false }) }], region: "us-east-1" });
});
afterAll(async () => {
  await Promise.all([sns?.stop(), events?.stop(), sqs?.stop(), dynamo?.stop()]);
});

const integrations = () => localServiceIntegrations({ endpoints: () => ({ sns: sns.endpoint, eventbridge: events.endpoint, sqs: sqs.endpoint, dynamodb: dynamo.endpoint }), credentials: LOCAL_CREDENTIALS });
const context = (authorise?: ServiceTaskContext["authorise"]): ServiceTaskContext => ({ region: "us-east-1", account: ACCOUNT, executionArn: EXECUTION, stateMachineArn: MACHINE, ...(authorise ? { authorise } : {}) });
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ServiceTaskFailure);
  return { error: (error as Error).name, cause: (error as Error).message };
};

describe("local optimized service integrations", () => {
  it("reads the integration a Task's Resource names, the request-response pattern only", () => {
    expect(localServiceTask("arn:aws:states:::dynamodb:putItem")).toBe("dynamodb:putItem");
    expect(localServiceTask("arn:aws:states:::sns:publish")).toBe("sns:publish");
    expect(localServiceTask("arn:aws:states:::sqs:sendMessage.waitForTaskToken")).toBeUndefined();
    expect(localServiceTask("arn:aws:states:::ecs:runTask.sync")).toBeUndefined();
  });

  it("publishes to the topic, a JSON Message as its JSON text, with its attributes, answering MessageId and the SDK's metadata", async () => {
    const result = (await integrations().run("sns:publish", { TopicArn: TOPIC, Message: { id: 7 }, Subject: "done", MessageAttributes: { kind: { DataType: "String", StringValue: "photo" } } }, context())) as Record<string, unknown>;
    expect(result).toEqual({ MessageId: expect.any(String), SdkHttpMetadata: expect.objectContaining({ HttpStatusCode: 200 }), SdkResponseMetadata: { RequestId: expect.any(String) } });
    expect(published.at(-1)).toMatchObject({ message: '{"id":7}', subject: "done", attributes: { kind: { DataType: "String", StringValue: "photo" } } });
  });

  it("puts events on the bus, Detail as its JSON text and the state machine's and execution's ARNs after the entry's Resources, answering Entries and FailedEntryCount only", async () => {
    const result = (await integrations().run("events:putEvents", { Entries: [{ EventBusName: "orders", Source: "flow", DetailType: "done", Detail: { id: 7 }, Resources: ["arn:aws:s3:::photos"] }] }, context())) as Record<string, unknown>;
    // LocalStack's StateTaskServiceEvents drops the response metadata, and appends the state machine's ARN, then the execution's.
    expect(result).toEqual({ Entries: [{ EventId: expect.any(String) }], FailedEntryCount: 0 });
    expect(delivered.at(-1)).toMatchObject({ source: "flow", "detail-type": "done", detail: { id: 7 } });
    expect(delivered.at(-1)!.resources).toEqual(["arn:aws:s3:::photos", MACHINE, EXECUTION]);
  });

  it("fails a putEvents whose entry failed with EventBridge.FailedEntry", async () => {
    // An entry EventBridge fails on its own (a Detail that is not JSON): a request none of whose entries has Source,
    // DetailType and Detail fails whole instead (API_PutEventsRequestEntry), not as a FailedEntry.
    const result = await failure(integrations().run("events:putEvents", { Entries: [{ EventBusName: "orders", Source: "flow", DetailType: "done", Detail: "not json" }] }, context()));
    expect(result.error).toBe("EventBridge.FailedEntry");
    expect(JSON.parse(result.cause)).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: expect.any(String) }] });
  });

  it("returns DynamoDB's BOOL and NULL as Bool and Nul inside M and L only from getItem and updateItem, as the SDK integrations do, and takes either spelling", async () => {
    const key = { pk: { S: "typed" }, sk: { S: "1" } };
    const put = (await integrations().run("dynamodb:putItem", { TableName: "items-local", Item: { ...key, flag: { Bool: true }, gone: { Nul: true }, upper: { BOOL: false }, nested: { M: { inner: { NULL: true } } }, M: { BOOL: true } } }, context())) as Record<string, unknown>;
    expect(put).toEqual({ SdkHttpMetadata: expect.objectContaining({ HttpStatusCode: 200 }), SdkResponseMetadata: { RequestId: expect.any(String) } });
    // Stored as the API spells it: Bool reached DynamoDB as BOOL.
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
    expect((await client.send(new GetItemCommand({ TableName: "items-local", Key: key }))).Item).toMatchObject({ flag: { BOOL: true }, gone: { NULL: true }, upper: { BOOL: false } });
    const read = (await integrations().run("dynamodb:getItem", { TableName: "items-local", Key: key }, context())) as Record<string, unknown>;
    expect(read.Item).toEqual({ ...key, flag: { BOOL: true }, gone: { NULL: true }, upper: { BOOL: false }, nested: { M: { inner: { Nul: true } } }, M: { BOOL: true } });
    // An item of one attribute named M is `{"M": <AttributeValue>}`, shaped as an M value is: told apart by its value,
    // one AttributeValue, where an M value maps names to AttributeValues. Its BOOL is an item's own and stays.
    const projected = (await integrations().run("dynamodb:getItem", { TableName: "items-local", Key: key, ProjectionExpression: "#m", ExpressionAttributeNames: { "#m": "M" } }, context())) as Record<string, unknown>;
    expect(projected.Item).toEqual({ M: { BOOL: true } });
    expect(read.SdkResponseMetadata).toEqual({ RequestId: expect.any(String) });
    const updated = (await integrations().run("dynamodb:updateItem", { TableName: "items-local", Key: key, UpdateExpression: "SET flag = :f", ExpressionAttributeValues: { ":f": { Bool: false } }, ReturnValues: "UPDATED_NEW" }, context())) as Record<string, unknown>;
    expect(updated.Attributes).toEqual({ flag: { BOOL: false } });
  });

  it("names a service error as Step Functions does: SQS's missing queue as SQS.QueueDoesNotExistException", async () => {
    const result = await failure(integrations().run("sqs:sendMessage", { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/missing`, MessageBody: "m" }, context()));
    expect(result.error).toBe("SQS.QueueDoesNotExistException");
    expect(result.cause).toMatch(/ \(Service: AmazonSQS; Status Code: 400; Error Code: AWS\.SimpleQueueService\.NonExistentQueue; Request ID: .+; Proxy: null\)$/);
  });

  it("fails a Task the role may not perform with the service's AccessDenied, before calling it", async () => {
    const refuse: ServiceTaskContext["authorise"] = (action) => ({ caller: `arn:aws:sts::${ACCOUNT}:assumed-role/flow-role/s`, reason: `because no identity-based policy allows the ${action} action` });
    const before = published.length;
    expect(await failure(integrations().run("sns:publish", { TopicArn: TOPIC, Message: "m" }, context(refuse)))).toEqual({
      error: "SNS.AuthorizationErrorException",
      cause: expect.stringMatching(new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/flow-role/s is not authorized to perform: sns:Publish on resource: ${TOPIC} because no identity-based policy allows the sns:Publish action \\(Service: AmazonSNS; Status Code: 403; Error Code: AuthorizationError; Request ID: .+; Proxy: null\\)$`)),
    });
    expect(published.length).toBe(before);
    expect((await failure(integrations().run("events:putEvents", { Entries: [{ EventBusName: "orders", Source: "a", DetailType: "b", Detail: {} }] }, context(refuse)))).error).toBe("EventBridge.AmazonEventBridgeException");
    expect((await failure(integrations().run("sqs:sendMessage", { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/q`, MessageBody: "m" }, context(refuse)))).cause).toContain(`sqs:SendMessage on resource: arn:aws:sqs:us-east-1:${ACCOUNT}:q`);
  });

  it("refuses a QueueUrl of no queue URL's form as a missing queue, without sending, whatever the role (no unchecked way to a queue)", async () => {
    const refuse: ServiceTaskContext["authorise"] = (action) => ({ caller: `arn:aws:sts::${ACCOUNT}:assumed-role/flow-role/s`, reason: `because no identity-based policy allows the ${action} action` });
    for (const QueueUrl of ["orders", `https://sqs.us-east-1.amazonaws.com/queue/orders`, `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders?x=1`]) {
      const result = await failure(integrations().run("sqs:sendMessage", { QueueUrl, MessageBody: "m" }, context(refuse)));
      expect(result.error, QueueUrl).toBe("SQS.QueueDoesNotExistException");
    }
    expect(await sqs.sqs.receive("orders", { max: 10 })).toEqual([]);
  });

  it("fails with States.Runtime, which Retry and Catch do not match, when an endpoint answers something other than JSON or is not a URL", async () => {
    const server = createServer((_, response) => response.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const html = localServiceIntegrations({ endpoints: () => ({ dynamodb: endpoint, eventbridge: endpoint, lambda: endpoint }), credentials: LOCAL_CREDENTIALS });
      const error = await html.run("dynamodb:getItem", { TableName: "t", Key: {} }, context()).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceTaskFailure);
      expect(error).toMatchObject({ name: "States.Runtime", message: 'The local DynamoDB endpoint answered 502 with a body that is not JSON: "<html>bad gateway</html>".', isCatchable: false, isRetryable: false });
      expect((await failure(html.run("events:putEvents", { Entries: [{ Source: "a", DetailType: "b", Detail: {} }] }, context()))).error).toBe("States.Runtime");
      expect(await failure(html.run("aws-sdk:lambda:invoke", { FunctionName: "f", Payload: {} }, context()))).toEqual({ error: "States.Runtime", cause: 'The local Lambda endpoint answered 502 with a body that is not JSON: "<html>bad gateway</html>".' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const nowhere = localServiceIntegrations({ endpoints: () => ({ sqs: "not a url" }), credentials: LOCAL_CREDENTIALS });
    expect(await failure(nowhere.run("sqs:sendMessage", { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/q`, MessageBody: "m" }, context()))).toEqual({ error: "States.Runtime", cause: 'The local SQS endpoint "not a url" is not a URL.' });
  });

  it("names DynamoDB's wire codes without Exception by the Java SDK's classes: InternalServerError and RequestLimitExceeded", async () => {
    // The local DynamoDB answers its own faults 500 InternalServerError (local/dynamodb); AWS's Java SDK, whose class
    // names Step Functions reports, maps that code and RequestLimitExceeded to …Exception classes.
    const answers: Array<[number, string]> = [
      [500, "InternalServerError"],
      [400, "RequestLimitExceeded"],
    ];
    const server = createServer((_, response) => {
      const [status, code] = answers.shift()!;
      response.writeHead(status, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message: "m" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const dynamodb = localServiceIntegrations({ endpoints: () => ({ dynamodb: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }), credentials: LOCAL_CREDENTIALS });
      const get = () => failure(dynamodb.run("dynamodb:getItem", { TableName: "t", Key: { pk: { S: "a" } } }, context()));
      expect((await get()).error).toBe("DynamoDB.InternalServerErrorException");
      expect((await get()).error).toBe("DynamoDB.RequestLimitExceededException");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("names an aws-sdk:lambda:invoke failure by x-amzn-ErrorType without the `:<url>` AWS may append, and by its request id", async () => {
    // Smithy's REST JSON error code: a `<namespace>#` prefix and a `:<url>` suffix are not the code (smithy-rs
    // aws_smithy_schema::error_envelope sanitize_error_code). The local Invoke API sends neither: a stand-in sends both.
    const server = createServer((_, response) =>
      response.writeHead(429, { "content-type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.awslambda/", "x-amzn-RequestId": "req-1" }).end('{"Type":"User","message":"Rate Exceeded."}'),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const lambda = localServiceIntegrations({ endpoints: () => ({ lambda: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }), credentials: LOCAL_CREDENTIALS });
      expect(await failure(lambda.run("aws-sdk:lambda:invoke", { FunctionName: "f", Payload: {} }, context()))).toEqual({ error: "Lambda.TooManyRequestsException", cause: "Rate Exceeded. (Service: Lambda, Status Code: 429, Request ID: req-1)" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails with a clear cause when the program has no emulator for the service", async () => {
    const none = localServiceIntegrations({ endpoints: () => ({}), credentials: LOCAL_CREDENTIALS });
    expect(await failure(none.run("dynamodb:getItem", { TableName: "t", Key: {} }, context()))).toEqual({ error: "States.Runtime", cause: expect.stringContaining("The local runtime has no DynamoDB endpoint") });
  });
});
