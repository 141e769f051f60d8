/**
 * Workflow's AWS SDK integration Tasks (`arn:aws:states:::aws-sdk:<service>:<apiAction>`): a component in the member
 * whose value the API reads as that resource (a DataTier's table as a Query's or Scan's TableName, a MessageQueue as
 * sendMessageBatch's QueueUrl, …) is deployed as the value the optimized form gets, and the role is granted exactly the
 * API's IAM action (the single action for SQS's and SNS's batch APIs) on exactly that target (a Query on an index: the
 * index's ARN); a component anywhere else in an SDK Task is refused, naming the Task, the member and the fix.
 */
import * as aws from "@pulumi/aws";
import { beforeAll, describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { EventBus } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import { STATES_LOG_DELIVERY_ACTIONS, Workflow } from "../../components/workflow";
import { grantedIntegration, optimizedIntegration, sdkIamAction, sdkTask, taskResource } from "../../components/workflow/integrations";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { policyDocument, record, resource, useMocks } from "../harness/mocks";

const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TABLE = "aws:dynamodb/table:Table";
const DELIVER_LOGS = { Sid: "DeliverLogs", Effect: "Allow", Action: [...STATES_LOG_DELIVERY_ACTIONS], Resource: ["*"] };
const gallery = { attributes: { pk: "S" as const, owner: "S" as const }, partitionKey: "pk", globalIndexes: { byOwner: { partitionKey: "owner" } } };

beforeAll(() => useMocks());

type Graph = Awaited<ReturnType<typeof record>>;
const securityFindings = (graph: Graph) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Graph) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
const statements = (graph: Graph, name: string) => policyDocument(resource(graph, ROLE_POLICY, `${name}-policy`).inputs.policy).Statement;
const definitionOf = (graph: Graph, name: string) => JSON.parse(resource(graph, STATE_MACHINE, `${name}-state-machine`).inputs.definition);

describe("Workflow AWS SDK integration Tasks", () => {
  it("takes a DataTier's table as a Query's TableName: its name deployed, dynamodb:Query on the index the Task names and nothing more", async () => {
    const graph = await record(() => {
      const data = new DataTier("ws-data", { tables: { gallery }, deletionProtection: true, retainOnDelete: true });
      new Workflow("ws-q", {
        definition: {
          StartAt: "Query",
          States: {
            Query: {
              Type: "Task",
              Resource: "arn:aws:states:::aws-sdk:dynamodb:query",
              Parameters: { TableName: data.tables.gallery, IndexName: "byOwner", KeyConditionExpression: "#o = :o", ExpressionAttributeNames: { "#o": "owner" }, ExpressionAttributeValues: { ":o": { "S.$": "$.owner" } } },
              End: true,
            },
          },
        },
      });
    });
    const table = resource(graph, TABLE, "ws-data-gallery");
    expect(definitionOf(graph, "ws-q").States.Query.Parameters.TableName).toBe(table.state.name);
    expect(statements(graph, "ws-q")).toEqual([DELIVER_LOGS, { Effect: "Allow", Action: ["dynamodb:Query"], Resource: [`${table.state.arn}/index/byOwner`] }]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants a Query on the table itself when it names no index, and on every index when a path names it (JSONPath IndexName.$)", async () => {
    const graph = await record(() => {
      const data = new DataTier("ws-d2", { tables: { gallery }, deletionProtection: true, retainOnDelete: true });
      new Workflow("ws-q2", {
        definition: {
          StartAt: "ByKey",
          States: {
            ByKey: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Parameters: { TableName: data.tables.gallery, KeyConditionExpression: "pk = :k", ExpressionAttributeValues: { ":k": { S: "a" } } }, Next: "ByIndex" },
            ByIndex: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Parameters: { TableName: data.tables.gallery, "IndexName.$": "$.index", KeyConditionExpression: "#o = :o", ExpressionAttributeNames: { "#o": "owner" }, ExpressionAttributeValues: { ":o": { S: "b" } } }, End: true },
          },
        },
      });
    });
    const table = resource(graph, TABLE, "ws-d2-gallery");
    expect(statements(graph, "ws-q2")).toEqual([
      DELIVER_LOGS,
      { Effect: "Allow", Action: ["dynamodb:Query"], Resource: [`${table.state.arn}/index/*`] },
      { Effect: "Allow", Action: ["dynamodb:Query"], Resource: [table.state.arn] },
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("takes a table as a JSONata Scan's TableName beside an optimized getItem: one statement for the table's actions", async () => {
    const graph = await record(() => {
      const data = new DataTier("ws-d3", { tables: { gallery }, deletionProtection: true, retainOnDelete: true });
      new Workflow("ws-scan", {
        definition: {
          QueryLanguage: "JSONata",
          StartAt: "Scan",
          States: {
            Scan: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:scan", Arguments: { TableName: data.tables.gallery, Limit: 10 }, Next: "Get" },
            Get: { Type: "Task", Resource: "arn:aws:states:::dynamodb:getItem", Arguments: { TableName: data.tables.gallery, Key: { pk: { S: "x" } } }, End: true },
          },
        },
      });
    });
    const table = resource(graph, TABLE, "ws-d3-gallery");
    expect(definitionOf(graph, "ws-scan").States.Scan.Arguments.TableName).toBe(table.state.name);
    expect(statements(graph, "ws-scan")).toEqual([DELIVER_LOGS, { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Scan"], Resource: [table.state.arn] }]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("takes a MessageQueue as sendMessageBatch's QueueUrl, a Topic as publishBatch's TopicArn, an EventBus as an SDK putEvents entry's bus and a function as SDK invoke's FunctionName: each granted its single action", async () => {
    const graph = await record(() => {
      const jobs = new MessageQueue("ws-jobs", { consumer: { function: new LambdaFunction("ws-worker", { entry: "tests/fixtures/handlers/echo.ts" }) } });
      const news = new Topic("ws-news", {});
      const bus = new EventBus("ws-bus", {});
      const step = new LambdaFunction("ws-step", { entry: "tests/fixtures/handlers/echo.ts" });
      new Workflow("ws-b", {
        definition: {
          StartAt: "Send",
          States: {
            Send: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:sqs:sendMessageBatch", Parameters: { QueueUrl: jobs, Entries: [{ Id: "1", MessageBody: "a" }, { Id: "2", MessageBody: "b" }] }, Next: "Publish" },
            Publish: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:sns:publishBatch", Parameters: { TopicArn: news, PublishBatchRequestEntries: [{ Id: "1", Message: "m" }] }, Next: "Emit" },
            Emit: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:eventbridge:putEvents", Parameters: { Entries: [{ EventBusName: bus, Source: "ws", DetailType: "done", Detail: "{}" }] }, Next: "Invoke" },
            Invoke: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:lambda:invoke", Parameters: { FunctionName: step, Payload: "{}" }, End: true },
          },
        },
      });
    });
    const queue = resource(graph, "aws:sqs/queue:Queue", "ws-jobs-queue");
    const topic = resource(graph, "aws:sns/topic:Topic", "ws-news-topic").state.arn as string;
    const bus = resource(graph, "aws:cloudwatch/eventBus:EventBus", "ws-bus-bus");
    const step = resource(graph, "aws:lambda/function:Function", "ws-step-function").state.arn as string;
    const states = definitionOf(graph, "ws-b").States;
    expect(states.Send.Parameters.QueueUrl).toBe(queue.state.url);
    expect(states.Publish.Parameters.TopicArn).toBe(topic);
    expect(states.Emit.Parameters.Entries[0].EventBusName).toBe(bus.state.name);
    expect(states.Invoke.Parameters.FunctionName).toBe(step);
    expect(statements(graph, "ws-b")).toEqual([
      DELIVER_LOGS,
      { Sid: "InvokeFunctions", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [step, `${step}:*`] },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queue.state.arn] },
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [topic] },
      { Effect: "Allow", Action: ["events:PutEvents"], Resource: [bus.state.arn] },
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("accepts an SDK Task whose target is a plain value no statement of permissions grants: a policy attached to workflow.role may grant it, and StatesServiceTasks reads it", async () => {
    const build = (name: string, attach: boolean) =>
      record(() => {
        const workflow = new Workflow(name, {
          definition: {
            StartAt: "Q",
            States: {
              Q: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Parameters: { TableName: "photos", KeyConditionExpression: "pk = :k" }, Next: "P" },
              // A path names the table at run time: not checked by the rule, and no refusal either.
              P: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:putItem", Parameters: { "TableName.$": "$.table", Item: {} }, End: true },
            },
          },
        });
        if (!attach) return;
        const read = new aws.iam.Policy(`${name}-read`, { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/photos" }] }) });
        new aws.iam.RolePolicyAttachment(`${name}-read`, { role: workflow.role.name, policyArn: read.arn });
      });
    expect(deployFindings(await build("ws-att", true))).toEqual([]);
    expect(deployFindings(await build("ws-bare", false)).map((f) => `${f.rule} ${f.problem}`)).toEqual([
      expect.stringMatching(/^StatesServiceTasks has a Task Q \(aws-sdk:dynamodb:query\) on arn:aws:dynamodb:us-east-1:123456789012:table\/photos, but its role ws-bare-role may not dynamodb:Query on it/),
    ]);
  });

  it("grants a Scan with a literal IndexName on that index, and a Query whose IndexName is JSONata on every index", async () => {
    const graph = await record(() => {
      const data = new DataTier("ws-ix", { tables: { gallery }, deletionProtection: true, retainOnDelete: true });
      new Workflow("ws-ix", {
        definition: {
          QueryLanguage: "JSONata",
          StartAt: "Scan",
          States: {
            Scan: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:scan", Arguments: { TableName: data.tables.gallery, IndexName: "byOwner" }, Next: "Query" },
            Query: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Arguments: { TableName: data.tables.gallery, IndexName: "{% $states.input.index %}", KeyConditionExpression: "pk = :k" }, End: true },
          },
        },
      });
    });
    const table = resource(graph, TABLE, "ws-ix-gallery");
    expect(statements(graph, "ws-ix")).toEqual([
      DELIVER_LOGS,
      { Effect: "Allow", Action: ["dynamodb:Query"], Resource: [`${table.state.arn}/index/*`] },
      { Effect: "Allow", Action: ["dynamodb:Scan"], Resource: [`${table.state.arn}/index/byOwner`] },
    ]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("names the IAM action of each AWS SDK Task as IAM authorises it (sdkIamAction)", () => {
    expect(
      [
        "arn:aws:states:::aws-sdk:eventbridge:putEvents",
        "arn:aws:states:::aws-sdk:sfn:startExecution",
        "arn:aws-cn:states:::aws-sdk:sqs:deleteMessageBatch",
        "arn:aws:states:::aws-sdk:sns:publishBatch.waitForTaskToken",
        "aws-sdk:dynamodb:batchWriteItem",
        "arn:aws:states:::sqs:sendMessage",
        "arn:aws:states:::aws-sdk:sfn:startExecution.sync",
        "arn:aws:states:::aws-sdk:lambda:invoke",
        "aws-sdk:lambda:getFunction",
        "aws-sdk:lambda:invokeWithResponseStream",
        "aws-sdk:s3:listObjectsV2",
        "aws-sdk:s3:headObject",
        "aws-sdk:s3:listBuckets",
        "aws-sdk:s3:getObject",
      ].map(sdkIamAction),
    ).toEqual(["events:PutEvents", "states:StartExecution", "sqs:DeleteMessage", "sns:Publish", "dynamodb:BatchWriteItem", undefined, undefined, "lambda:InvokeFunction", "lambda:GetFunction", "lambda:InvokeFunction", "s3:ListBucket", "s3:GetObject", "s3:ListAllMyBuckets", "s3:GetObject"]);
  });

  it("reads an AWS SDK Task's Resource as its service, action and pattern (sdkTask), and nothing else as one", () => {
    expect(sdkTask("arn:aws-us-gov:states:::aws-sdk:dynamodb:query.waitForTaskToken")).toEqual({ service: "dynamodb", action: "query", pattern: ".waitForTaskToken" });
    expect(sdkTask("arn:aws:states:::aws-sdk:ec2:describeVpcs")).toEqual({ service: "ec2", action: "describeVpcs", pattern: "" });
    expect(sdkTask("arn:aws:states:::aws-sdk:sfn:startExecution.sync:2")).toEqual({ service: "sfn", action: "startExecution", pattern: ".sync:2" });
    expect(["arn:aws:states:::dynamodb:getItem", "aws-sdk:dynamodb:query", "arn:aws:states:::aws-sdk:dynamodb:query.waitForTaskToken.x", 7].map(sdkTask)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("reads every integration Task's Resource one way (taskResource): optimized and AWS SDK ones name their integration only with a pattern it offers", () => {
    expect(taskResource("arn:aws:states:::sqs:sendMessage.waitForTaskToken")).toEqual({ api: "sqs:sendMessage", sdk: false, service: "sqs", action: "sendMessage", pattern: ".waitForTaskToken" });
    expect(taskResource("arn:aws-cn:states:::aws-sdk:s3:putObject")).toEqual({ api: "aws-sdk:s3:putObject", sdk: true, service: "s3", action: "putObject", pattern: "" });
    // Two segments after aws-sdk: an optimized-looking api, which no integration is.
    expect(taskResource("arn:aws:states:::aws-sdk:query")).toEqual({ api: "aws-sdk:query", sdk: false, service: "aws-sdk", action: "query", pattern: "" });
    expect(["arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:states:::sqs:sendMessage.sync:3", "arn:aws:states:::sqs:send-message", undefined].map(taskResource)).toEqual([undefined, undefined, undefined, undefined]);
    expect(optimizedIntegration("arn:aws:states:::sns:publish.waitForTaskToken")).toMatchObject({ integration: { api: "sns:publish" }, pattern: ".waitForTaskToken" });
    expect(grantedIntegration("arn:aws:states:::aws-sdk:dynamodb:query")).toMatchObject({ integration: { api: "aws-sdk:dynamodb:query", action: "dynamodb:Query" }, pattern: "" });
    // DynamoDB's optimized integrations take no callback; SDK integrations no .sync; an SDK api is not an optimized one.
    expect(["arn:aws:states:::dynamodb:getItem.waitForTaskToken", "arn:aws:states:::aws-sdk:sqs:sendMessage.sync", "arn:aws:states:::aws-sdk:dynamodb:query"].map(optimizedIntegration)).toEqual([undefined, undefined, undefined]);
    expect(["arn:aws:states:::dynamodb:getItem.waitForTaskToken", "arn:aws:states:::aws-sdk:sqs:sendMessage.sync", "arn:aws:states:::aws-sdk:ec2:describeVpcs"].map(grantedIntegration)).toEqual([undefined, undefined, undefined]);
  });

  describe("refuses at construction", () => {
    it.each([
      [
        "a table in a member the API does not read as the table (a Query's IndexName)",
        () => {
          const data = new DataTier("ws-r1", { tables: { gallery } });
          return new Workflow("w", { definition: { StartAt: "Q", States: { Q: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Parameters: { TableName: "t", IndexName: data.tables.gallery, KeyConditionExpression: "pk = :k" }, End: true } } }, permissions: [{ actions: ["dynamodb:Query"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"] }] });
        },
        /^Workflow "w": definition "definition\.States\.Q\.Parameters\.IndexName" holds a DataTable where it cannot stand: a DataTier's table stands only as the TableName of a Task whose Resource is "arn:aws:states:::dynamodb:getItem" \(putItem, updateItem, deleteItem\) or "arn:aws:states:::aws-sdk:dynamodb:query".* Move it there/,
      ],
      [
        "a table as a transaction item's TableName (each item is authorised as its own action)",
        () => {
          const data = new DataTier("ws-r2", { tables: { gallery } });
          return new Workflow("w", { definition: { StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:transactWriteItems", Parameters: { TransactItems: [{ Put: { TableName: data.tables.gallery, Item: {} } }] }, End: true } } } });
        },
        /^Workflow "w": definition "definition\.States\.T\.Parameters\.TransactItems\[0\]\.Put\.TableName" holds a DataTable where it cannot stand: .*a transaction's items are each authorised as their own action/,
      ],
      [
        "a queue in an SDK action the component does not grant (sqs:purgeQueue)",
        () => new Workflow("w", { definition: { StartAt: "P", States: { P: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:sqs:purgeQueue", Parameters: { QueueUrl: new MessageQueue("ws-r3", { consumer: { function: new LambdaFunction("ws-r3w", { entry: "tests/fixtures/handlers/echo.ts" }) } }) }, End: true } } } }),
        /^Workflow "w": definition "definition\.States\.P\.Parameters\.QueueUrl" holds a MessageQueue where it cannot stand: a MessageQueue stands only as the QueueUrl of a Task whose Resource is "arn:aws:states:::sqs:sendMessage", "arn:aws:states:::aws-sdk:sqs:sendMessage" or "arn:aws:states:::aws-sdk:sqs:sendMessageBatch"/,
      ],
    ])("%s", (_what, build, message) => {
      expect(build).toThrow(message);
    });
  });
});
