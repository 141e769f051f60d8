/**
 * The AWS SDK integrations the local Step Functions runs (`arn:aws:states:::aws-sdk:<service>:<action>`,
 * local/sfn-integrations.ts), in executions against the local DynamoDB and SQS: the Parameters sent as the API's
 * request and its answer the result, a service error named `<Service>.<Exception>` for Catch to match, the state
 * machine role's refusal as the service's AccessDenied, a service without a local emulator as States.Runtime, and the
 * Task's history events (resourceType `aws-sdk:<service>`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalDynamo, type LocalDynamo } from "../../local/dynamodb";
import { startLocalEventBridge, type EventBridgeEvent, type LocalEventBridgeServer } from "../../local/eventbridge-server";
import { startLocalSecrets, type LocalSecretsServer } from "../../local/secrets-server";
import { assumedRoleAuthorise } from "../../local/function-roles";
import { startLocalLambdaApi, type LocalLambdaApi } from "../../local/lambda-invoke-server";
import { LambdaInvokeError, type InvocationTarget } from "../../local/lambda-runtime";
import { LocalQueues } from "../../local/queues";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { localServiceIntegrations } from "../../local/sfn-integrations";
import { LocalStepFunctions, type LocalStateMachineDefinition } from "../../local/sfn-server";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { startLocalSqs, type LocalSqsServer } from "../../local/sqs-server";
import { startLocalSns, type LocalSnsServer, type SnsNotification } from "../../local/sns-server";
import { startLocalKinesis, type LocalKinesis } from "../../local/kinesis-server";
import { startLocalSfn, type LocalSfnServer } from "../../local/sfn-server";
import { tableSpec } from "./dynamodb-helpers";
import { queueDefinition } from "./sqs-helpers";
import { localLambdaSpec } from "../harness/lambda-spec";

const REGION = "eu-west-1";
const ACCOUNT = MOCK_ACCOUNT_ID;
const TABLE = "items-local";
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/flow-role`;

const spec = tableSpec({ ttlEnabled: false, pointInTimeRecovery: false });

const BUS = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/orders`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:news`;
const STREAM = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/clicks`;
const CHILD = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:child`;
const FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:resize-fn`;
let lambdaApi: LocalLambdaApi;
/** What the function `resize-fn` was invoked with: its event and the Invoke API's target (qualifier, version). */
const invocations: Array<{ event: unknown; target?: InvocationTarget }> = [];
let sns: LocalSnsServer;
let kinesis: LocalKinesis;
let sfnServer: LocalSfnServer;
const notified: SnsNotification[] = [];
let dynamo: LocalDynamo;
let sqs: LocalSqsServer;
let eventBridge: LocalEventBridgeServer;
let secrets: LocalSecretsServer;
const delivered: EventBridgeEvent[] = [];

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tables: [{ id: "t.items", tableName: TABLE, spec }], region: REGION });
  sqs = await startLocalSqs({ queues: [queueDefinition("orders", REGION)], accountId: ACCOUNT });
  eventBridge = await startLocalEventBridge({ buses: [{ name: "orders", arn: BUS, region: REGION, account: ACCOUNT, rules: [{ arn: `${BUS}/all`, pattern: { source: [{ prefix: "" }] }, deliver: (e) => delivered.push(e) }] }] });
  secrets = await startLocalSecrets({ secretsManager: new Map([["api-key", "s3cret"]]), ssm: new Map() });
  sns = await startLocalSns({ topics: [{ arn: TOPIC, region: REGION, fifo: false, contentBasedDeduplication: false, subscriptions: [{ arn: `${TOPIC}:1`, protocol: "lambda", filterPolicyScope: "MessageAttributes", deliver: (n) => notified.push(n) }] }] });
  kinesis = await startLocalKinesis({ streams: [{ name: "clicks", arn: STREAM, region: REGION, shardCount: 1, retentionHours: 24 }], credentials: [LOCAL_CREDENTIALS], retryDelayMs: 0 });
  const pass = JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Pass", End: true } } });
  lambdaApi = await startLocalLambdaApi({
    functions: [
      {
        name: "resize",
        functionName: "resize-fn",
        arn: FUNCTION,
        version: "1",
        aliases: new Map([["live", "1"]]),
        spec: localLambdaSpec({ name: "resize", entry: "tests/fixtures/handlers/echo.ts" }),
        invoke: async (event, target) => {
          invocations.push({ event, target });
          if ((event as { fail?: boolean } | null)?.fail) throw new LambdaInvokeError("resize", "RangeError", "too big", "RangeError: too big\n    at handler (index.js:1:1)");
          return { resized: event };
        },
      },
    ],
    async: { queues: new LocalQueues(), retryDelaysMs: [0] },
    region: REGION,
  });
  sfnServer = await startLocalSfn({ stateMachines: [{ arn: CHILD, name: "child", type: "STANDARD", definition: pass, roleArn: ROLE, logLevel: "OFF", includeExecutionData: false, tracing: false, functions: new Map() }] });
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), sqs?.stop(), eventBridge?.stop(), secrets?.stop(), sns?.stop(), kinesis?.stop(), sfnServer?.stop(), lambdaApi?.stop()]);
});

/** The state machine's role with one inline policy allowing `actions` on `resource` (as Workflow's rolePolicy records it). */
const roleAllowing = (actions: string[], resource = "*") =>
  assumedRoleAuthorise(
    {
      graph: [
        { type: "aws:iam/role:Role", id: "flow-role", state: { arn: ROLE, name: "flow-role" }, inputs: {} },
        { type: "aws:iam/rolePolicy:RolePolicy", id: "flow-policy", state: {}, inputs: { role: "flow-role", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: resource }] }) } },
      ] as never,
      stackRegion: REGION,
    },
    ROLE,
  );

/** Runs the definition to its end; `during` acts on the execution while it runs (a callback Task's SendTaskSuccess). */
const run = async (definition: object, input: object, authorise?: LocalStateMachineDefinition["authorise"], during?: (sfn: LocalStepFunctions, executionArn: string) => Promise<void>) => {
  const integrations = localServiceIntegrations({ endpoints: () => ({ dynamodb: dynamo.endpoint, sqs: sqs.endpoint, eventbridge: eventBridge.endpoint, secretsmanager: secrets.endpoint, sns: sns.endpoint, kinesis: kinesis.endpoint, sfn: sfnServer.endpoint, lambda: lambdaApi.endpoint }), credentials: LOCAL_CREDENTIALS });
  const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:flow`;
  const machine: LocalStateMachineDefinition = {
    arn,
    name: "flow",
    type: "STANDARD",
    definition: JSON.stringify(definition),
    roleArn: ROLE,
    logLevel: "ERROR",
    includeExecutionData: false,
    tracing: false,
    functions: new Map(),
    serviceTasks: integrations.run,
    ...(authorise ? { authorise } : {}),
  };
  const sfn = new LocalStepFunctions([machine], { retryIntervalMs: 0 });
  const { executionArn } = await sfn.start({ stateMachineArn: arn, input: JSON.stringify(input) }, false);
  await during?.(sfn, executionArn as string);
  await sfn.drained();
  const described = sfn.describeExecution({ executionArn }) as Record<string, any>;
  const { events } = sfn.getExecutionHistory({ executionArn, maxResults: 1000 }) as { events: Array<Record<string, any>> };
  const result: Record<string, any> = { ...described, output: typeof described.output === "string" ? JSON.parse(described.output) : undefined, events };
  return result;
};

const task = (Resource: string, Parameters: object, rest: object = { End: true }) => ({ StartAt: "Call", States: { Call: { Type: "Task", Resource, Parameters, ...rest } } });
const failedTask = (result: Record<string, any>) => result.events.find((e: Record<string, any>) => e.type === "TaskFailed")?.taskFailedEventDetails;
/** The definition with a Catch on States.ALL to a Succeed state: what a terminal error passes by. */
const caughtByAll = (definition: { States: Record<string, object> }) => {
  Object.assign(definition.States.Call, { Catch: [{ ErrorEquals: ["States.ALL"], Next: "Caught" }] });
  definition.States.Caught = { Type: "Succeed" };
  return definition;
};

describe("local Step Functions, AWS SDK integrations", () => {
  it("queries a local table through aws-sdk:dynamodb:query: the API's Items and Count, without the SDK's metadata, and the Task's aws-sdk events", async () => {
    const put = await run(task("arn:aws:states:::aws-sdk:dynamodb:batchWriteItem", { RequestItems: { [TABLE]: ["a", "b"].map((sk) => ({ PutRequest: { Item: { pk: { S: "photo" }, sk: { S: sk } } } })) } }), {});
    expect(put.status).toBe("SUCCEEDED");
    const result = await run(
      task("arn:aws:states:::aws-sdk:dynamodb:query", { TableName: TABLE, KeyConditionExpression: "pk = :pk", "ExpressionAttributeValues": { ":pk": { "S.$": "$.pk" } } }),
      { pk: "photo" },
    );
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ Items: [{ pk: { S: "photo" }, sk: { S: "a" } }, { pk: { S: "photo" }, sk: { S: "b" } }], Count: 2, ScannedCount: 2 });
    const named = { resourceType: "aws-sdk:dynamodb", resource: "query" };
    expect(result.events.filter((e: Record<string, any>) => e.type.startsWith("Task") && e.type !== "TaskStateEntered" && e.type !== "TaskStateExited").map((e: Record<string, any>) => [e.type, e.taskScheduledEventDetails ?? e.taskStartedEventDetails ?? e.taskSucceededEventDetails])).toEqual([
      ["TaskScheduled", expect.objectContaining({ ...named, region: REGION, parameters: JSON.stringify({ TableName: TABLE, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: "photo" } } }) })],
      ["TaskStarted", named],
      ["TaskSucceeded", expect.objectContaining(named)],
    ]);
  });

  it("fails a PutItem whose ConditionExpression fails with DynamoDb.ConditionalCheckFailedException, which a Catch on that name takes", async () => {
    const item = { pk: { S: "lock" }, sk: { S: "1" } };
    const definition = task("arn:aws:states:::aws-sdk:dynamodb:putItem", { TableName: TABLE, Item: item, ConditionExpression: "attribute_not_exists(pk)" }, {
      Catch: [{ ErrorEquals: ["DynamoDb.ConditionalCheckFailedException"], ResultPath: "$.held", Next: "Held" }],
      End: true,
    });
    (definition.States as Record<string, object>).Held = { Type: "Succeed" };
    expect((await run(definition, {})).output).toEqual({});
    const second = await run(definition, {});
    expect(second.status).toBe("SUCCEEDED");
    expect(second.output.held).toEqual({ Error: "DynamoDb.ConditionalCheckFailedException", Cause: expect.stringMatching(/ \(Service: DynamoDb, Status Code: 400, Request ID: .+\)$/) });
    expect(second.events.find((e: Record<string, any>) => e.type === "TaskFailed")?.taskFailedEventDetails).toMatchObject({ resourceType: "aws-sdk:dynamodb", resource: "putItem", error: "DynamoDb.ConditionalCheckFailedException" });
  });

  it("sends a message to the local queue through aws-sdk:sqs:sendMessage, its deployed QueueUrl the local queue's", async () => {
    const result = await run(task("arn:aws:states:::aws-sdk:sqs:sendMessage", { QueueUrl: QUEUE_URL, "MessageBody.$": "$.body" }), { body: "hello" });
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ MessageId: expect.any(String), MD5OfMessageBody: "5d41402abc4b2a76b9719d911017c592" });
    expect((await sqs.sqs.receive("orders", { max: 10 })).map((m) => m.body)).toEqual(["hello"]);
  });

  it("authorises aws-sdk:sqs:sendMessageBatch as sqs:SendMessage (SQS has no batch actions), as AWS does for the grant Workflow gives", async () => {
    const batch = task("arn:aws:states:::aws-sdk:sqs:sendMessageBatch", { QueueUrl: QUEUE_URL, Entries: [{ Id: "1", MessageBody: "one" }, { Id: "2", MessageBody: "two" }] });
    const result = await run(batch, {}, roleAllowing(["sqs:SendMessage"], `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`));
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output.Successful.map((entry: { Id: string }) => entry.Id)).toEqual(["1", "2"]);
    expect((await sqs.sqs.receive("orders", { max: 10 })).map((m) => m.body).sort()).toEqual(["one", "two"]);
  });

  it("fails a Task whose role lacks the action with the service's AccessDenied, as the optimized integrations do, before calling it", async () => {
    const result = await run(task("arn:aws:states:::aws-sdk:dynamodb:query", { TableName: TABLE, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: "photo" } } }), {}, roleAllowing(["dynamodb:PutItem"]));
    expect(result.status).toBe("FAILED");
    const failed = result.events.find((e: Record<string, any>) => e.type === "TaskFailed")?.taskFailedEventDetails;
    expect(failed).toMatchObject({ resourceType: "aws-sdk:dynamodb", resource: "query", error: "DynamoDb.DynamoDbException" });
    expect(failed.cause).toMatch(
      new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/flow-role/\\w+ is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE} because no identity-based policy allows the dynamodb:Query action \\(Service: DynamoDb, Status Code: 400, Request ID: .+\\)$`),
    );
    const allowed = await run(task("arn:aws:states:::aws-sdk:dynamodb:query", { TableName: TABLE, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: "none" } } }), {}, roleAllowing(["dynamodb:Query"]));
    expect(allowed.output).toMatchObject({ Count: 0 });
    // Refused before the call: a message the role may not send never reaches the queue.
    const unsent = await run(task("arn:aws:states:::aws-sdk:sqs:sendMessage", { QueueUrl: QUEUE_URL, MessageBody: "refused" }), {}, roleAllowing(["dynamodb:Query"]));
    expect(failedTask(unsent)).toMatchObject({ resourceType: "aws-sdk:sqs", error: "SQS.SQSException", cause: expect.stringContaining(`sqs:SendMessage on resource: arn:aws:sqs:${REGION}:${ACCOUNT}:orders `) });
    expect(await sqs.sqs.receive("orders", { max: 10 })).toEqual([]);
  });

  it("puts events through aws-sdk:eventbridge:putEvents as given (no ARNs appended: that is the optimized integration's), and reads a secret by name where the role allows secret:<name>-*", async () => {
    const put = await run(task("arn:aws:states:::aws-sdk:eventbridge:putEvents", { Entries: [{ EventBusName: "orders", Source: "flow", DetailType: "done", Detail: '{"id":7}' }] }), {}, roleAllowing(["events:PutEvents"], BUS));
    expect(put.output).toEqual({ Entries: [{ EventId: expect.any(String) }], FailedEntryCount: 0 });
    expect(delivered.at(-1)).toMatchObject({ source: "flow", detail: { id: 7 }, resources: [] });
    const secretArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:api-key-*`;
    const read = await run(task("arn:aws:states:::aws-sdk:secretsmanager:getSecretValue", { SecretId: "api-key" }), {}, roleAllowing(["secretsmanager:GetSecretValue"], secretArn));
    expect(read.output).toMatchObject({ Name: "api-key", SecretString: "s3cret" });
    const missing = await run(task("arn:aws:states:::aws-sdk:secretsmanager:getSecretValue", { SecretId: "other" }), {});
    expect(missing.events.find((e: Record<string, any>) => e.type === "TaskFailed")?.taskFailedEventDetails).toMatchObject({ resourceType: "aws-sdk:secretsmanager", resource: "getSecretValue", error: "SecretsManager.ResourceNotFoundException" });
  });

  it("publishes a batch through aws-sdk:sns:publishBatch, authorised as sns:Publish (SNS has no batch action), the answer the API's Successful and Failed", async () => {
    const batch = task("arn:aws:states:::aws-sdk:sns:publishBatch", { TopicArn: TOPIC, PublishBatchRequestEntries: [{ Id: "a", Message: "one" }, { Id: "b", Message: { n: 2 }, Subject: "two" }] });
    const result = await run(batch, {}, roleAllowing(["sns:Publish"], TOPIC));
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ Successful: [{ Id: "a", MessageId: expect.any(String) }, { Id: "b", MessageId: expect.any(String) }], Failed: [] });
    expect(notified.slice(-2).map((n) => n.message)).toEqual(["one", '{"n":2}']);
    // An entry the topic refuses is the answer's Failed member, read as the API's: its Code, Message and SenderFault.
    const partly = await run(task("arn:aws:states:::aws-sdk:sns:publishBatch", { TopicArn: TOPIC, PublishBatchRequestEntries: [{ Id: "ok", Message: "three" }, { Id: "empty", Message: "" }] }), {}, roleAllowing(["sns:Publish"], TOPIC));
    expect(partly.output).toEqual({ Successful: [{ Id: "ok", MessageId: expect.any(String) }], Failed: [{ Id: "empty", Code: "InvalidParameter", Message: "Invalid parameter: Empty message", SenderFault: true }] });
  });

  it("fails an SNS action the local server does not serve with States.Runtime before IAM is asked, which no Catch takes", async () => {
    const result = await run(caughtByAll(task("arn:aws:states:::aws-sdk:sns:listTopics", {})), {}, roleAllowing(["sns:Publish"], TOPIC));
    expect([result.status, result.error]).toEqual(["FAILED", "States.Runtime"]);
    expect(result.cause).toContain("takes Publish and PublishBatch only; aws-sdk:sns:listTopics runs in AWS alone");
  });

  it("starts and describes an execution through aws-sdk:sfn with Step Functions' PascalCase members, authorised on the state machine and the execution, its answer PascalCase", async () => {
    const started = await run(task("arn:aws:states:::aws-sdk:sfn:startExecution", { StateMachineArn: CHILD, Input: '{"a":1}' }), {}, roleAllowing(["states:StartExecution"], CHILD));
    expect(started.status).toBe("SUCCEEDED");
    expect(started.output).toEqual({ ExecutionArn: expect.stringMatching(/^arn:aws:states:eu-west-1:\d+:execution:child:/), StartDate: expect.anything() });
    await sfnServer.sfn.drained();
    const executionArn = started.output.ExecutionArn as string;
    const described = await run(task("arn:aws:states:::aws-sdk:sfn:describeExecution", { ExecutionArn: executionArn }), {}, roleAllowing(["states:DescribeExecution"], `arn:aws:states:${REGION}:${ACCOUNT}:execution:child:*`));
    expect(described.output).toMatchObject({ ExecutionArn: executionArn, StateMachineArn: CHILD, Status: "SUCCEEDED", Input: '{"a":1}' });
    const refused = await run(task("arn:aws:states:::aws-sdk:sfn:startExecution", { StateMachineArn: CHILD }), {}, roleAllowing(["states:StartExecution"], `${CHILD}-other`));
    expect(failedTask(refused)).toMatchObject({ error: "Sfn.SfnException", cause: expect.stringContaining(`is not authorized to perform: states:StartExecution on resource: ${CHILD} `) });
  });

  it("puts a record through aws-sdk:kinesis:putRecord (the API's PascalCase members), authorised on the stream", async () => {
    const data = Buffer.from("click").toString("base64");
    const put = await run(task("arn:aws:states:::aws-sdk:kinesis:putRecord", { StreamName: "clicks", PartitionKey: "k", Data: data }), {}, roleAllowing(["kinesis:PutRecord"], STREAM));
    expect(put.status).toBe("SUCCEEDED");
    expect(put.output).toMatchObject({ ShardId: "shardId-000000000000", SequenceNumber: expect.any(String) });
    const refused = await run(task("arn:aws:states:::aws-sdk:kinesis:putRecord", { StreamName: "clicks", PartitionKey: "k", Data: data }), {}, roleAllowing(["kinesis:PutRecords"], STREAM));
    expect(failedTask(refused)).toMatchObject({ error: "Kinesis.AccessDeniedException", cause: expect.stringContaining(`kinesis:PutRecord on resource: ${STREAM} `) });
  });

  it("returns DynamoDB's BOOL and NULL as Bool and Nul inside M and L only (boto/boto3#4253), takes either spelling (Ss accepted as SS)", async () => {
    const item = { pk: { S: "typed" }, sk: { S: "1" }, flag: { Bool: true }, gone: { Nul: true }, upper: { BOOL: false }, tags: { Ss: ["a", "b"] }, nested: { M: { Bool: { Bool: false } } }, list: { L: [{ NULL: true }, { M: { x: { BOOL: true } } }] } };
    expect((await run(task("arn:aws:states:::aws-sdk:dynamodb:putItem", { TableName: TABLE, Item: item }), {})).status).toBe("SUCCEEDED");
    const read = await run(task("arn:aws:states:::aws-sdk:dynamodb:getItem", { TableName: TABLE, Key: { pk: { S: "typed" }, sk: { S: "1" } } }), {});
    expect(read.output).toEqual({ Item: { pk: { S: "typed" }, sk: { S: "1" }, flag: { BOOL: true }, gone: { NULL: true }, upper: { BOOL: false }, tags: { SS: ["a", "b"] }, nested: { M: { Bool: { Bool: false } } }, list: { L: [{ Nul: true }, { M: { x: { Bool: true } } }] } } });
  });

  it("invokes a program's function through aws-sdk:lambda:invoke: the Payload sent as JSON, the result Invoke's response with the Payload as its JSON text, authorised as lambda:InvokeFunction on the function", async () => {
    const definition = task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: "resize-fn", Payload: { "size.$": "$.size" } });
    const result = await run(definition, { size: 3 }, roleAllowing(["lambda:InvokeFunction"], FUNCTION));
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ StatusCode: 200, Payload: '{"resized":{"size":3}}', ExecutedVersion: "$LATEST" });
    expect(invocations.at(-1)).toEqual({ event: { size: 3 }, target: { version: "$LATEST" } });
    expect(result.events.find((e: Record<string, any>) => e.type === "TaskSucceeded")?.taskSucceededEventDetails).toMatchObject({ resourceType: "aws-sdk:lambda", resource: "invoke" });
    // A string Payload is a JSON string, as Step Functions writes any blob member: the function gets the string.
    const text = await run(task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: FUNCTION, Payload: '{"size":4}' }), {});
    expect(text.output).toMatchObject({ Payload: '{"resized":"{\\"size\\":4}"}' });
    expect(invocations.at(-1)!.event).toBe('{"size":4}');
  });

  it("checks the qualified ARN an alias names (FunctionName's or Qualifier's) and reports the version it ran; an Event invocation answers 202 with an empty Payload", async () => {
    const aliased = task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: "resize-fn", Qualifier: "live", Payload: {} });
    const refused = await run(aliased, {}, roleAllowing(["lambda:InvokeFunction"], FUNCTION));
    expect(failedTask(refused)).toMatchObject({
      resourceType: "aws-sdk:lambda",
      error: "Lambda.LambdaException",
      cause: expect.stringMatching(new RegExp(`is not authorized to perform: lambda:InvokeFunction on resource: ${FUNCTION}:live .* \\(Service: Lambda, Status Code: 403, Request ID: .+\\)$`)),
    });
    const allowed = await run(aliased, {}, roleAllowing(["lambda:InvokeFunction"], `${FUNCTION}:*`));
    expect(allowed.output).toEqual({ StatusCode: 200, Payload: '{"resized":{}}', ExecutedVersion: "1" });
    expect(invocations.at(-1)!.target).toEqual({ qualifier: "live", version: "1" });
    const before = invocations.length;
    const queued = await run(task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: `${FUNCTION}:live`, InvocationType: "Event", Payload: { n: 1 } }), {}, roleAllowing(["lambda:InvokeFunction"], `${FUNCTION}:live`));
    expect(queued.output).toEqual({ StatusCode: 202, Payload: "" });
    await lambdaApi.drained();
    expect(invocations.slice(before)).toEqual([{ event: { n: 1 }, target: { qualifier: "live", version: "1" } }]);
  });

  it("checks and invokes the same qualifier when Qualifier is not a string (a version number as its text), and runs DryRun without invoking", async () => {
    const numbered = task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: "resize-fn", "Qualifier.$": "$.version", Payload: {} });
    const refused = await run(numbered, { version: 1 }, roleAllowing(["lambda:InvokeFunction"], FUNCTION));
    expect(failedTask(refused)).toMatchObject({ error: "Lambda.LambdaException", cause: expect.stringContaining(`lambda:InvokeFunction on resource: ${FUNCTION}:1 `) });
    const allowed = await run(numbered, { version: 1 }, roleAllowing(["lambda:InvokeFunction"], `${FUNCTION}:1`));
    expect(allowed.output).toEqual({ StatusCode: 200, Payload: '{"resized":{}}', ExecutedVersion: "1" });
    expect(invocations.at(-1)!.target).toEqual({ qualifier: "1", version: "1" });
    const before = invocations.length;
    const dry = await run(task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: "resize-fn", InvocationType: "DryRun", Payload: {} }), {});
    // API_Invoke: "For the DryRun invocation type, the status code is 204"; the empty Payload is the local reading (docs/local-vs-aws.md).
    expect(dry.output).toEqual({ StatusCode: 204, Payload: "" });
    expect(invocations.length).toBe(before);
  });

  it("runs aws-sdk:lambda:invoke.waitForTaskToken: the function gets $$.Task.Token, the Task waits for SendTaskSuccess", async () => {
    const before = invocations.length;
    const definition = task("arn:aws:states:::aws-sdk:lambda:invoke.waitForTaskToken", { FunctionName: "resize-fn", Payload: { "token.$": "$$.Task.Token" } });
    const result = await run(definition, {}, undefined, async (sfn) => {
      for (let i = 0; i < 100 && invocations.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      sfn.sendTaskSuccess({ taskToken: (invocations.at(-1)!.event as { token: string }).token, output: '{"done":true}' });
    });
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ done: true });
    expect(result.events.find((e: Record<string, any>) => e.type === "TaskScheduled")?.taskScheduledEventDetails).toMatchObject({ resourceType: "aws-sdk:lambda", resource: "invoke.waitForTaskToken" });
  });

  it("fails with Lambda's own error by its name, which a Catch on it takes: a Qualifier differing from the name's is Lambda.InvalidParameterValueException", async () => {
    const definition = task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: "resize-fn:live", Qualifier: "1", Payload: {} }, { Catch: [{ ErrorEquals: ["Lambda.InvalidParameterValueException"], Next: "Caught" }], End: true });
    (definition.States as Record<string, object>).Caught = { Type: "Succeed" };
    const result = await run(definition, {});
    expect(result.status).toBe("SUCCEEDED");
    expect(failedTask(result)).toMatchObject({ error: "Lambda.InvalidParameterValueException", cause: expect.stringMatching(/^The derived qualifier from the function name does not match the specified qualifier\. \(Service: Lambda, Status Code: 400, Request ID: .+\)$/) });
  });

  it("returns a function's error as the result's FunctionError and error document, the Task succeeding (the optimized lambda:invoke fails it)", async () => {
    const result = await run(task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: "resize-fn", Payload: { fail: true } }), {});
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ StatusCode: 200, FunctionError: "Unhandled", Payload: expect.any(String), ExecutedVersion: "$LATEST" });
    expect(JSON.parse(result.output.Payload)).toEqual({ errorType: "RangeError", errorMessage: "too big", trace: ["RangeError: too big", "    at handler (index.js:1:1)"] });
  });

  it("fails aws-sdk:lambda:invoke of a function the program does not define Lambda.ResourceNotFoundException (a Catch takes it), and any other Lambda action States.Runtime, which no Catch takes", async () => {
    const missing = await run(caughtByAll(task("arn:aws:states:::aws-sdk:lambda:invoke", { FunctionName: "elsewhere", Payload: {} })), {});
    expect(missing.status).toBe("SUCCEEDED");
    expect(missing.output).toMatchObject({ Error: "Lambda.ResourceNotFoundException", Cause: expect.stringMatching(/^Function not found: arn:aws:lambda:eu-west-1:\d+:function:elsewhere:\$LATEST\. Functions of this program, by name or ARN: resize-fn.* \(Service: Lambda, Status Code: 404, Request ID: .+\)$/) });
    const other = await run(caughtByAll(task("arn:aws:states:::aws-sdk:lambda:getFunction", { FunctionName: "resize-fn" })), {});
    expect([other.status, other.error, other.cause]).toEqual(["FAILED", "States.Runtime", "The local Lambda API takes Invoke only; aws-sdk:lambda:getFunction runs in AWS alone."]);
  });

  it("authorises PartiQL statements as dynamodb:PartiQLSelect/Insert/… on the table the statement names (there is no dynamodb:ExecuteStatement), then leaves them to the local DynamoDB", async () => {
    const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
    const select = task("arn:aws:states:::aws-sdk:dynamodb:executeStatement", { Statement: `SELECT * FROM "${TABLE}" WHERE pk = ?`, Parameters: [{ S: "typed" }] });
    // Allowed, the call reaches the local DynamoDB, which serves no PartiQL (UnknownOperation), not a 403.
    const allowed = await run(select, {}, roleAllowing(["dynamodb:PartiQLSelect"], tableArn));
    expect(failedTask(allowed)).toMatchObject({ error: "DynamoDb.DynamoDbException", cause: expect.stringContaining("UnknownOperationException") });
    const insert = task("arn:aws:states:::aws-sdk:dynamodb:executeStatement", { Statement: `INSERT INTO "${TABLE}" VALUE {'pk': 'partiql', 'sk': '1'}` });
    const refused = await run(insert, {}, roleAllowing(["dynamodb:PartiQLSelect"], tableArn));
    expect(failedTask(refused)).toMatchObject({ error: "DynamoDb.DynamoDbException", cause: expect.stringContaining(`dynamodb:PartiQLInsert on resource: ${tableArn} `) });
  });

  it("runs the .waitForTaskToken form of an SDK Task: the call with $$.Task.Token, then the wait for SendTaskSuccess", async () => {
    const definition = task("arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken", { QueueUrl: QUEUE_URL, "MessageBody.$": "$$.Task.Token" });
    const result = await run(definition, {}, undefined, async (sfn) => {
      let messages: Array<{ body: string }> = [];
      for (let i = 0; i < 100 && messages.length === 0; i++) {
        messages = await sqs.sqs.receive("orders", { max: 1 });
        if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      sfn.sendTaskSuccess({ taskToken: messages[0].body, output: '{"done":true}' });
    });
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ done: true });
    expect(result.events.find((e: Record<string, any>) => e.type === "TaskScheduled")?.taskScheduledEventDetails).toMatchObject({ resourceType: "aws-sdk:sqs", resource: "sendMessage.waitForTaskToken" });
  });

  it("fails an SDK result over 256 KiB with States.DataLimitExceeded (TaskFailed), which a Catch on States.ALL takes, as AWS recorded it", async () => {
    const big = "x".repeat(100_000);
    // One item a Task: the three in one Task's Parameters would be over the quota themselves.
    for (const sk of ["1", "2", "3"]) {
      const put = await run(task("arn:aws:states:::aws-sdk:dynamodb:putItem", { TableName: TABLE, Item: { pk: { S: "big" }, sk: { S: sk }, body: { S: big } } }), {});
      expect(put.status).toBe("SUCCEEDED");
    }
    const query = task("arn:aws:states:::aws-sdk:dynamodb:query", { TableName: TABLE, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: "big" } } });
    const uncaught = await run(query, {});
    expect([uncaught.status, uncaught.error, uncaught.cause]).toEqual(["FAILED", "States.DataLimitExceeded", "The state/task 'aws-sdk:dynamodb' returned a result with a size exceeding the maximum number of bytes service limit."]);
    const caught = await run(caughtByAll(query), {});
    expect(caught.status).toBe("SUCCEEDED");
    expect(failedTask(caught)).toMatchObject({ resourceType: "aws-sdk:dynamodb", resource: "query", error: "States.DataLimitExceeded" });
  });

  it("refuses a QueueUrl of no queue's form with SQS.QueueDoesNotExistException, as the optimized sqs Task does, never forwarding it", async () => {
    const result = await run(task("arn:aws:states:::aws-sdk:sqs:sendMessage", { QueueUrl: "orders", MessageBody: "lost" }), {});
    expect(failedTask(result)).toMatchObject({ resourceType: "aws-sdk:sqs", error: "SQS.QueueDoesNotExistException" });
    expect(await sqs.sqs.receive("orders", { max: 10 })).toEqual([]);
  });

  it("fails a Task of a service with no local emulator with States.Runtime, naming it, which no Catch takes", async () => {
    const definition = task("arn:aws:states:::aws-sdk:ec2:describeInstances", {}, { Catch: [{ ErrorEquals: ["States.ALL"], Next: "Caught" }], End: true });
    (definition.States as Record<string, object>).Caught = { Type: "Succeed" };
    const result = await run(definition, {});
    expect(result.status).toBe("FAILED");
    expect(result.error).toBe("States.Runtime");
    expect(result.cause).toContain("no emulator for the AWS SDK integration aws-sdk:ec2:describeInstances");
  });
});
