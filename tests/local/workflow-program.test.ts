/**
 * A Workflow under `npm start`, end to end: the program's real Workflow component, recorded and served by the local
 * runtime (startLocalApp), started by a handler through the ARN `workflow.environment()` gives it and the permission
 * `workflow.grants.start()` gives its role, its Task states invoking the program's functions in their sandboxes; and
 * a STANDARD workflow of optimized integrations (lambda:invoke, dynamodb:putItem/getItem/updateItem/deleteItem,
 * sqs:sendMessage, sns:publish, events:putEvents) started and read through @aws-sdk/client-sfn, running against the local emulators under its role;
 * and a Wait for Callback Task whose token a queue's consumer answers through the SDK, under `workflow.grantTaskResponse()`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { LambdaFunction } from "../../components/lambda/function";
import { EventBus } from "../../components/event-bus";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import { Workflow } from "../../components/workflow";
import { acceptedCredentials } from "../../local/services/credentials";
import { startLocalApp, type LocalApp } from "../../local/start";

const entry = "tests/fixtures/handlers/workflow-steps.ts";
const dir = mkdtempSync(join(tmpdir(), "sf-workflow-program-"));
let app: LocalApp;
let outputs: { workflowArn: string; integrationsArn: string; sdkArn: string; approvalArn: string; tableName: string };

const invoke = (name: string, event: Record<string, unknown>) => app.context.lambda(app.context.run.specs.find((s) => s.name === name)!.spec as never).invoke<Record<string, unknown>>(event);

beforeAll(async () => {
  const program = () => {
    const double = new LambdaFunction("wfp-double", { entry, timeout: 10 });
    const increment = new LambdaFunction("wfp-increment", { entry, timeout: 10 });
    const workflow = new Workflow("wfp-chain", {
      type: "EXPRESS",
      definition: {
        StartAt: "Double",
        States: {
          Double: { Type: "Task", Resource: double, Parameters: { step: "double", "n.$": "$.n" }, Next: "Increment" },
          Increment: { Type: "Task", Resource: increment, End: true },
        },
      },
    });
    new LambdaFunction("wfp-starter", { entry, timeout: 10, permissions: workflow.grants.start(), environment: workflow.environment("WORKFLOW_ARN") });
    new LambdaFunction("wfp-outsider", { entry, timeout: 10, environment: workflow.environment("WORKFLOW_ARN") });
    const data = new DataTier("wfp-data", { tables: { items: { attributes: { pk: "S" }, partitionKey: "pk" }, other: { attributes: { pk: "S" }, partitionKey: "pk" } } });
    const jobs = new MessageQueue("wfp-jobs", { consumer: { function: new LambdaFunction("wfp-consumer", { entry: "tests/fixtures/handlers/echo.ts", timeout: 10 }) } });
    const news = new Topic("wfp-news", {});
    const bus = new EventBus("wfp-bus", {});
    const integrations = new Workflow("wfp-tasks", {
      // DeleteItem on the other table only: the Forbidden state's delete on `items` is refused by the role.
      permissions: [{ actions: ["dynamodb:DeleteItem"], resources: [data.tables.other.arn] }],
      definition: {
        StartAt: "Invoke",
        States: {
          Invoke: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: double, "Payload.$": "$.payload" }, ResultPath: "$.invoked", Next: "Put" },
          Put: {
            Type: "Task",
            Resource: "arn:aws:states:::dynamodb:putItem",
            Parameters: { TableName: data.tables.items, Item: { pk: { "S.$": "$.id" }, n: { "N.$": "States.Format('{}', $.invoked.Payload.n)" } }, ConditionExpression: "attribute_not_exists(pk)" },
            ResultPath: "$.put",
            Catch: [{ ErrorEquals: ["DynamoDB.ConditionalCheckFailedException"], ResultPath: "$.conflict", Next: "Get" }],
            Next: "Get",
          },
          Get: { Type: "Task", Resource: "arn:aws:states:::dynamodb:getItem", Parameters: { TableName: data.tables.items, Key: { pk: { "S.$": "$.id" } } }, ResultSelector: { "Item.$": "$.Item" }, ResultPath: "$.got", Next: "Send" },
          Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: jobs, "MessageBody.$": "$.got.Item" }, ResultSelector: { "MessageId.$": "$.MessageId", "MD5OfMessageBody.$": "$.MD5OfMessageBody" }, ResultPath: "$.sent", Next: "Update" },
          Update: {
            Type: "Task",
            Resource: "arn:aws:states:::dynamodb:updateItem",
            Parameters: { TableName: data.tables.items, Key: { pk: { "S.$": "$.id" } }, UpdateExpression: "SET seen = :t", ExpressionAttributeValues: { ":t": { BOOL: true } }, ReturnValues: "UPDATED_NEW" },
            ResultPath: "$.updated",
            Next: "Publish",
          },
          Publish: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: news, "Message.$": "$.got.Item" }, ResultPath: "$.published", Next: "Emit" },
          Emit: { Type: "Task", Resource: "arn:aws:states:::events:putEvents", Parameters: { Entries: [{ EventBusName: bus, Source: "wfp", DetailType: "stored", "Detail.$": "$.got.Item" }] }, ResultPath: "$.emitted", Next: "Forbidden" },
          Forbidden: {
            Type: "Task",
            Resource: "arn:aws:states:::dynamodb:deleteItem",
            Parameters: { TableName: data.tables.items.name, Key: { pk: { "S.$": "$.id" } } },
            ResultPath: "$.deleted",
            Catch: [{ ErrorEquals: ["DynamoDB.AmazonDynamoDBException"], ResultPath: "$.denied", Next: "Done" }],
            Next: "Done",
          },
          Done: { Type: "Succeed" },
        },
      },
    });
    // aws-sdk:lambda:invoke reaches the program's function through the local Invoke API npm start wires in
    // (local/services/workflows.ts: AWS_ENDPOINT_URL_LAMBDA), granted as lambda:InvokeFunction on the function.
    const sdkInvoke = new Workflow("wfp-sdk", {
      definition: { StartAt: "Invoke", States: { Invoke: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:lambda:invoke", Parameters: { FunctionName: double, "Payload.$": "$.payload" }, End: true } } },
    });
    // The worker is made before the workflow that names its queue, and granted the answers after it (grantTaskResponse).
    const replier = new LambdaFunction("wfp-replier", { entry: "tests/fixtures/handlers/workflow-replier.ts", timeout: 10 });
    const approvals = new MessageQueue("wfp-approvals", { consumer: { function: replier } });
    const approval = new Workflow("wfp-approval", {
      definition: {
        StartAt: "Ask",
        States: {
          Ask: {
            Type: "Task",
            Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            Parameters: { QueueUrl: approvals, MessageBody: { "TaskToken.$": "$$.Task.Token", "request.$": "$" } },
            Catch: [{ ErrorEquals: ["Rejected"], ResultPath: "$.rejected", Next: "Done" }],
            Next: "Done",
          },
          Done: { Type: "Succeed" },
        },
      },
    });
    approval.grantTaskResponse(replier);
    return { workflowArn: workflow.stateMachineArn, integrationsArn: integrations.stateMachineArn, sdkArn: sdkInvoke.stateMachineArn, approvalArn: approval.stateMachineArn, tableName: data.tables.items.name };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  outputs = app.context.run.outputs as typeof outputs;
});
afterAll(async () => {
  await app?.stop();
});

describe("a Workflow under npm start", () => {
  it("has the ARN Step Functions gives a state machine", () => {
    expect(outputs.workflowArn).toMatch(/^arn:aws:states:us-east-1:\d{12}:stateMachine:wfp-chain-state-machine-[A-Za-z0-9_-]{7}$/);
  });

  it("runs for a handler granted grants.start(), through the ARN environment() gives it: each Task a function of the program", async () => {
    expect(await invoke("wfp-starter", { step: "start-sync", input: { n: 20 } })).toEqual({ status: "SUCCEEDED", output: { n: 41 } });
  });

  it("refuses a handler whose role was not granted it, as IAM does", async () => {
    expect(await invoke("wfp-outsider", { step: "start-sync", input: { n: 1 }, reportErrors: true })).toEqual({
      error: "AccessDeniedException",
      message: expect.stringMatching(/is not authorized to perform: states:StartSyncExecution on resource: arn:aws:states:us-east-1:\d{12}:stateMachine:wfp-chain-state-machine-/),
    });
  });
});

describe("a Workflow of optimized integrations under npm start", () => {
  /** Starts an execution through the local endpoint as any SDK client would, and reads it until it closes. */
  const execute = async (input: unknown, stateMachineArn = outputs.integrationsArn) => {
    const { accessKeyId, secretAccessKey } = acceptedCredentials(app.context)[0];
    const sfn = new SFNClient({ region: "us-east-1", endpoint: app.context.environment.AWS_ENDPOINT_URL_SFN, credentials: { accessKeyId, secretAccessKey } });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== "RUNNING") return { ...described, output: described.output ? JSON.parse(described.output) : undefined };
    }
  };

  it("invokes the function with lambda:invoke's output shape, puts, gets and updates the item, sends it to the queue, publishes it, puts it on the bus, and catches the role's refusal of DeleteItem as DynamoDB's AccessDenied", async () => {
    const result = await execute({ id: "photo-1", payload: { step: "double", n: 3 } });
    expect(result.status).toBe("SUCCEEDED");
    const { invoked, put, got, sent, updated, published, emitted, denied, conflict, deleted } = result.output;
    expect(invoked).toEqual({
      ExecutedVersion: "$LATEST",
      Payload: { step: "increment", n: 6 },
      StatusCode: 200,
      SdkHttpMetadata: expect.objectContaining({ HttpStatusCode: 200 }),
      SdkResponseMetadata: { RequestId: expect.any(String) },
    });
    const metadata = { SdkHttpMetadata: expect.objectContaining({ HttpStatusCode: 200 }), SdkResponseMetadata: { RequestId: expect.any(String) } };
    expect(put).toEqual(metadata);
    // A top-level BOOL comes back as the API spells it: Step Functions renames it inside M and L only (local/sfn-integrations.ts retyped, nestedOnly).
    expect(updated).toEqual({ Attributes: { seen: { BOOL: true } }, ...metadata });
    expect(published).toEqual({ MessageId: expect.any(String), ...metadata });
    // putEvents' result carries no SDK metadata (LocalStack's StateTaskServiceEvents, parity-tested against AWS).
    expect(emitted).toEqual({ Entries: [{ EventId: expect.any(String) }], FailedEntryCount: 0 });
    expect(conflict).toBeUndefined();
    expect(got).toEqual({ Item: { pk: { S: "photo-1" }, n: { N: "6" } } });
    // The body is the item's JSON text, as Step Functions sends JSON in MessageBody.
    expect(sent).toEqual({ MessageId: expect.any(String), MD5OfMessageBody: createHash("md5").update(JSON.stringify(got.Item)).digest("hex") });
    expect(deleted).toBeUndefined();
    expect(denied).toEqual({
      Error: "DynamoDB.AmazonDynamoDBException",
      Cause: expect.stringMatching(
        new RegExp(
          `^User: arn:aws:sts::\\d{12}:assumed-role/wfp-tasks-role-\\w+/\\w+ is not authorized to perform: dynamodb:DeleteItem on resource: arn:aws:dynamodb:us-east-1:\\d{12}:table/${outputs.tableName} because no identity-based policy allows the dynamodb:DeleteItem action \\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: AccessDeniedException; Request ID: [\\w-]+; Proxy: null\\)$`,
        ),
      ),
    });
  });

  it("runs aws-sdk:lambda:invoke on the program's function through the local Invoke API npm start wires in: Invoke's response, the Payload as text", async () => {
    const result = await execute({ payload: { step: "double", n: 4 } }, outputs.sdkArn);
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ StatusCode: 200, Payload: expect.any(String), ExecutedVersion: "$LATEST" });
    expect(JSON.parse(result.output.Payload)).toEqual({ step: "increment", n: 8 });
  });

  it("maps DynamoDB's ConditionalCheckFailedException to the Task error Catch matches", async () => {
    await execute({ id: "photo-2", payload: { step: "double", n: 1 } });
    const again = await execute({ id: "photo-2", payload: { step: "double", n: 5 } });
    expect(again.status).toBe("SUCCEEDED");
    expect(again.output.conflict).toEqual({ Error: "DynamoDB.ConditionalCheckFailedException", Cause: expect.stringMatching(/^The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: .+; Proxy: null\)$/) });
    // The first execution's item stays (as its Update left it).
    expect(again.output.got).toEqual({ Item: { pk: { S: "photo-2" }, n: { N: "2" }, seen: { BOOL: true } } });
  });
});

describe("a Wait for Callback Task under npm start", () => {
  it("sends its token to the queue, whose consumer answers through the SDK under the role grantTaskResponse() grants: SendTaskSuccess is the Task's result, SendTaskFailure its caught error", async () => {
    const { accessKeyId, secretAccessKey } = acceptedCredentials(app.context)[0];
    const sfn = new SFNClient({ region: "us-east-1", endpoint: app.context.environment.AWS_ENDPOINT_URL_SFN, credentials: { accessKeyId, secretAccessKey } });
    const execute = async (input: unknown) => {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: outputs.approvalArn, input: JSON.stringify(input) }));
      for (;;) {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (described.status !== "RUNNING") return { status: described.status, output: described.output ? JSON.parse(described.output) : undefined };
        // The consumer's turn comes when the local SQS delivers the message: read again shortly, not in a busy loop.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    expect(await execute({ answer: "yes" })).toEqual({ status: "SUCCEEDED", output: { answer: "yes" } });
    expect(await execute({ reject: "over budget" })).toEqual({ status: "SUCCEEDED", output: { reject: "over budget", rejected: { Error: "Rejected", Cause: "over budget" } } });
  });
});
