/**
 * Workflow's optimized service integrations: a LambdaFunction as lambda:invoke's FunctionName (JSONPath Parameters and
 * JSONata Arguments), a DataTier's table as a DynamoDB Task's TableName, a MessageQueue as sqs:sendMessage's QueueUrl,
 * a Topic as sns:publish's TopicArn, an EventBus as a putEvents entry's EventBusName — each deployed as the value the
 * field takes, and granted exactly the integration's action on exactly that target — and the refusals: a component
 * where it cannot stand, and an integration whose target the component cannot grant when `permissions` grant nothing for it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { EventBus } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import { STATES_LOG_DELIVERY_ACTIONS, Workflow } from "../../components/workflow";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { policyDocument, record, resource, useMocks } from "../harness/mocks";
import { recordWarnings as warningsWhile } from "../harness/warnings";

const entry = "tests/fixtures/handlers/echo.ts";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const DELIVER_LOGS = { Sid: "DeliverLogs", Effect: "Allow", Action: [...STATES_LOG_DELIVERY_ACTIONS], Resource: ["*"] };
const gallery = { attributes: { pk: "S" as const }, partitionKey: "pk" };

beforeAll(() => useMocks());

type Graph = Awaited<ReturnType<typeof record>>;
const securityFindings = (graph: Graph) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Graph) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
const fn = (name: string) => new LambdaFunction(name, { entry });

/** The graph `build` records, and the warnings pulumi.log.warn was given meanwhile that name the Workflow `name`. */
const recordWarnings = (name: string, build: () => unknown) => warningsWhile(build, (message) => message.startsWith(`Workflow "${name}"`));

describe("Workflow optimized integrations", () => {
  it("takes the program's components as the integrations' targets, deploys the value each field takes, and grants exactly each action on exactly each target", async () => {
    const graph = await record(() => {
      const step = fn("wi-step");
      const data = new DataTier("wi-data", { tables: { gallery, other: gallery }, deletionProtection: true, retainOnDelete: true });
      const jobs = new MessageQueue("wi-jobs", { consumer: { function: fn("wi-worker") } });
      const news = new Topic("wi-news", {});
      const bus = new EventBus("wi-bus", {});
      new Workflow("wi", {
        definition: {
          StartAt: "Invoke",
          States: {
            Invoke: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: step, "Payload.$": "$" }, Next: "Put" },
            Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: data.tables.gallery, Item: { pk: { "S.$": "$.Payload.id" } } }, Next: "Get" },
            Get: { Type: "Task", Resource: "arn:aws:states:::dynamodb:getItem", Parameters: { TableName: data.tables.gallery, Key: { pk: { S: "x" } } }, Next: "Send" },
            Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: jobs, "MessageBody.$": "$" }, Next: "Publish" },
            Publish: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: news, Message: "done" }, Next: "Emit" },
            Emit: { Type: "Task", Resource: "arn:aws:states:::events:putEvents", Parameters: { Entries: [{ EventBusName: bus, Source: "wi", DetailType: "done", Detail: {} }] }, End: true },
          },
        },
      });
    });
    const arnOf = (type: string, name: string) => resource(graph, type, name).state.arn as string;
    const step = arnOf("aws:lambda/function:Function", "wi-step-function");
    const table = resource(graph, "aws:dynamodb/table:Table", "wi-data-gallery");
    const queue = resource(graph, "aws:sqs/queue:Queue", "wi-jobs-queue");
    const topic = arnOf("aws:sns/topic:Topic", "wi-news-topic");
    const bus = resource(graph, "aws:cloudwatch/eventBus:EventBus", "wi-bus-bus");
    const definition = JSON.parse(resource(graph, STATE_MACHINE, "wi-state-machine").inputs.definition);
    expect(definition.States.Invoke.Parameters).toEqual({ FunctionName: step, "Payload.$": "$" });
    expect(definition.States.Put.Parameters.TableName).toBe(table.state.name);
    expect(definition.States.Get.Parameters.TableName).toBe(table.state.name);
    expect(definition.States.Send.Parameters.QueueUrl).toBe(queue.state.url);
    expect(definition.States.Publish.Parameters.TopicArn).toBe(topic);
    expect(definition.States.Emit.Parameters.Entries[0].EventBusName).toBe(bus.state.name);
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-policy").inputs.policy).Statement).toEqual([
      DELIVER_LOGS,
      { Sid: "InvokeFunctions", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [step, `${step}:*`] },
      // Only the actions the definition calls, on the one table it names (not the DataTier's other table).
      { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: [table.state.arn] },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queue.state.arn] },
      { Effect: "Allow", Action: ["sns:Publish"], Resource: [topic] },
      { Effect: "Allow", Action: ["events:PutEvents"], Resource: [bus.state.arn] },
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("takes a LambdaFunction as the FunctionName of a JSONata lambda:invoke.waitForTaskToken's Arguments", async () => {
    const graph = await record(() => {
      const review = fn("wi-review");
      new Workflow("wi-jsonata", {
        definition: {
          QueryLanguage: "JSONata",
          StartAt: "Review",
          States: {
            Review: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Arguments: { FunctionName: review, Payload: { token: "{% $states.context.Task.Token %}" } }, End: true },
          },
        },
      });
    });
    const review = resource(graph, "aws:lambda/function:Function", "wi-review-function").state.arn;
    const definition = JSON.parse(resource(graph, STATE_MACHINE, "wi-jsonata-state-machine").inputs.definition);
    expect(definition.States.Review.Arguments.FunctionName).toBe(review);
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-jsonata-policy").inputs.policy).Statement[1]).toEqual({ Sid: "InvokeFunctions", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [review, `${review}:*`] });
  });

  it("keeps a plain target the caller grants through permissions (as before): no derived statement, no warning", async () => {
    const { graph, warned } = await recordWarnings("wi-plain", () => {
      new Workflow("wi-plain", {
        permissions: [{ actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/audit"] }],
        definition: { StartAt: "Put", States: { Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: "audit", "Item.$": "$.item" }, End: true } } },
      });
    });
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-plain-policy").inputs.policy).Statement).toEqual([
      DELIVER_LOGS,
      { Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: ["arn:aws:dynamodb:us-east-1:123456789012:table/audit"] },
    ]);
    expect(warned).toEqual([]);
  });

  it("lets a Distributed Map run its child executions, and grants.read() cover them and its Map Runs", async () => {
    let reads: unknown;
    const graph = await record(() => {
      const item = fn("wi-item");
      const workflow = new Workflow("wi-dmap", {
        definition: {
          StartAt: "Each",
          States: { Each: { Type: "Map", ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Item", States: { Item: { Type: "Task", Resource: item, End: true } } }, Label: "items", End: true } },
        },
      });
      new LambdaFunction("wi-reader", { entry, permissions: workflow.grants.read() });
      reads = workflow.grants.read();
    });
    expect(reads).toBeDefined();
    const machine = resource(graph, STATE_MACHINE, "wi-dmap-state-machine");
    const { arn, name } = machine.state as { arn: string; name: string };
    const base = arn.replace(`:stateMachine:${name}`, "");
    const statements = policyDocument(resource(graph, ROLE_POLICY, "wi-dmap-policy").inputs.policy).Statement;
    expect(statements).toContainEqual({ Sid: "RunMapChildren", Effect: "Allow", Action: ["states:StartExecution"], Resource: [arn] });
    expect(statements).toContainEqual({ Sid: "SuperviseMapChildren", Effect: "Allow", Action: ["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"], Resource: [`${base}:execution:${name}/*`] });
    const reader = graph.find((r) => r.type === ROLE_POLICY && r.name.startsWith("wi-reader"))!;
    expect(policyDocument(reader.inputs.policy).Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ["states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeStateMachineForExecution", "states:ListMapRuns"], Resource: [`${base}:execution:${name}:*`, `${base}:execution:${name}/*`] }),
        expect.objectContaining({ Action: ["states:DescribeMapRun"], Resource: [`${base}:mapRun:${name}/*`] }),
      ]),
    );
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("takes a lambda:invoke whose FunctionName is the arn of a function a Task names (before or after it): the component's own grant covers it", async () => {
    const graph = await record(() => {
      const review = fn("wi-arn-review");
      new Workflow("wi-arn", {
        definition: {
          StartAt: "Ask",
          States: {
            Ask: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: review.arn, Payload: { "token.$": "$$.Task.Token" } }, Next: "Check" },
            Check: { Type: "Task", Resource: review, Next: "Again" },
            Again: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: review.arn, "Payload.$": "$" }, End: true },
          },
        },
      });
    });
    const review = resource(graph, "aws:lambda/function:Function", "wi-arn-review-function").state.arn;
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-arn-policy").inputs.policy).Statement).toEqual([DELIVER_LOGS, { Sid: "InvokeFunctions", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [review, `${review}:*`] }]);
    expect(JSON.parse(resource(graph, STATE_MACHINE, "wi-arn-state-machine").inputs.definition).States.Ask.Parameters.FunctionName).toBe(review);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants the workflow's role only sts:AssumeRole on the role a Task's Credentials names, nothing for its action: it acts as the role it assumes", async () => {
    const credentials = { RoleArn: "arn:aws:iam::987654321098:role/writer" };
    const graph = await record(() => {
      const data = new DataTier("wi-cred-data", { tables: { gallery } });
      new Workflow("wi-cred", {
        definition: {
          StartAt: "Audit",
          States: {
            Audit: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Credentials: credentials, Parameters: { TableName: "audit", "Item.$": "$.item" }, Next: "Own" },
            Own: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Credentials: credentials, Parameters: { TableName: data.tables.gallery, Item: { pk: { S: "a" } } }, Next: "Call" },
            Call: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Credentials: credentials, Parameters: { FunctionName: fn("wi-cred-step"), "Payload.$": "$" }, End: true },
          },
        },
      });
    });
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-cred-policy").inputs.policy).Statement).toEqual([DELIVER_LOGS, { Sid: "AssumeTaskRoles", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: [credentials.RoleArn] }]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants sts:AssumeRole on exactly each role the Tasks' Credentials name (a role ARN, a role's arn Output; in Parallel branches too), and on none the execution gives, of which it warns unless permissions allows sts:AssumeRole", async () => {
    const { graph, warned } = await recordWarnings("wi-roles", () => {
      const own = new aws.iam.Role("wi-roles-target", { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }] }) });
      new Workflow("wi-roles", {
        definition: {
          StartAt: "Fan",
          States: {
            Fan: {
              Type: "Parallel",
              Branches: [
                { StartAt: "Far", States: { Far: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Credentials: { RoleArn: "arn:aws:iam::111122223333:role/target" }, Parameters: { TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Message: "m" }, End: true } } },
                { StartAt: "Again", States: { Again: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Credentials: { RoleArn: "arn:aws:iam::111122223333:role/target" }, Parameters: { TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Message: "m" }, End: true } } },
                { StartAt: "Own", States: { Own: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Credentials: { RoleArn: own.arn }, Parameters: { TopicArn: "arn:aws:sns:us-east-1:123456789012:t", Message: "m" }, End: true } } },
              ],
              Next: "ByPath",
            },
            ByPath: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Credentials: { "RoleArn.$": "$.role" }, Parameters: { TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Message: "m" }, Next: "ByExpression" },
            ByExpression: { Type: "Task", QueryLanguage: "JSONata", Resource: "arn:aws:states:::sns:publish", Credentials: { RoleArn: "{% $states.input.role %}" }, Arguments: { TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Message: "m" }, End: true },
          },
        },
      });
    });
    const target = resource(graph, "aws:iam/role:Role", "wi-roles-target").state.arn;
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-roles-policy").inputs.policy).Statement).toEqual([
      DELIVER_LOGS,
      { Sid: "AssumeTaskRoles", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["arn:aws:iam::111122223333:role/target", target] },
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(warned).toEqual([
      'Workflow "wi-roles": definition "definition.States.ByPath.Credentials.RoleArn, definition.States.ByExpression.Credentials.RoleArn" holds Tasks "ByPath", "ByExpression" whose Credentials.RoleArn is given by the execution (a path or expression) or is no IAM role ARN, so the workflow\'s role is granted no sts:AssumeRole for them; Step Functions must assume that role before the Task\'s call, and the Task fails at every execution if it may not. Grant it with permissions on the roles the executions may name, e.g. permissions: [{ actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::111122223333:role/target"] }]; if a policy attached to the workflow\'s role grants it, this warning does not apply.',
    ]);
    expect(deployFindings(graph)).toEqual([]);

    const granted = await recordWarnings("wi-roles-granted", () => {
      new Workflow("wi-roles-granted", {
        permissions: [{ actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::111122223333:role/tenant-*"] }],
        definition: { StartAt: "ByPath", States: { ByPath: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Credentials: { "RoleArn.$": "$.role" }, Parameters: { TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Message: "m" }, End: true } } },
      });
    });
    expect(granted.warned).toEqual([]);
    expect(policyDocument(resource(granted.graph, ROLE_POLICY, "wi-roles-granted-policy").inputs.policy).Statement.map((s) => s.Sid)).toEqual(["DeliverLogs", undefined]);
  });

  it("refuses a Task's Credentials role of another partition than the workflow's region's (review 102 F4)", async () => {
    const task = (roleArn: string) => ({ StartAt: "Far", States: { Far: { Type: "Task" as const, Resource: "arn:aws:states:::sns:publish", Credentials: { RoleArn: roleArn }, Parameters: { TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Message: "m" }, End: true } } });
    expect(() => new Workflow("wi-cn-role", { region: "us-east-1", definition: task("arn:aws-cn:iam::111122223333:role/cn") })).toThrow(
      'Workflow "wi-cn-role": definition "definition.States.Far.Credentials.RoleArn" names role arn:aws-cn:iam::111122223333:role/cn (Task "Far"), of partition aws-cn, but the workflow is in us-east-1, partition aws; Step Functions cannot assume a role across partitions ("direct role assumption with the AssumeRole API doesn\'t work across partition boundaries", IAM), so the Task would fail at every execution. Name a role of partition aws (arn:aws:iam::<account>:role/<name>), or create the workflow in a region of partition aws-cn.',
    );
    expect(() => new Workflow("wi-gov-role", { region: "us-east-1", definition: task("arn:aws-us-gov:iam::111122223333:role/gov") })).toThrow(/names role arn:aws-us-gov:iam::111122223333:role\/gov \(Task "Far"\), of partition aws-us-gov, but the workflow is in us-east-1/);
    expect(() => new Workflow("wi-gov-here", { region: "us-gov-west-1", definition: task("arn:aws:iam::111122223333:role/commercial") })).toThrow(/of partition aws, but the workflow is in us-gov-west-1, partition aws-us-gov/);
    const graph = await record(() => new Workflow("wi-gov-ok", { region: "us-gov-west-1", definition: task("arn:aws-us-gov:iam::111122223333:role/gov") }));
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-gov-ok-policy").inputs.policy).Statement.at(-1)).toEqual({ Sid: "AssumeTaskRoles", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["arn:aws-us-gov:iam::111122223333:role/gov"] });
  });

  it("lists a role once that one Task names by its arn Output and another by its ARN (review 102 F5)", async () => {
    const graph = await record(() => {
      const role = new aws.iam.Role("wi-same-target", { name: "tr", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }] }) });
      const step = (roleArn: pulumi.Input<string>, next?: string) => ({ Type: "Task" as const, Resource: "arn:aws:states:::sns:publish", Credentials: { RoleArn: roleArn }, Parameters: { TopicArn: "arn:aws:sns:us-east-1:123456789012:t", Message: "m" }, ...(next ? { Next: next } : { End: true }) });
      new Workflow("wi-same", { definition: { StartAt: "A", States: { A: step(role.arn, "B"), B: step("arn:aws:iam::123456789012:role/tr") } } });
    });
    expect(resource(graph, "aws:iam/role:Role", "wi-same-target").state.arn).toBe("arn:aws:iam::123456789012:role/tr");
    expect(policyDocument(resource(graph, ROLE_POLICY, "wi-same-policy").inputs.policy).Statement.at(-1)).toEqual({ Sid: "AssumeTaskRoles", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["arn:aws:iam::123456789012:role/tr"] });
  });

  it("refuses AssumeTaskRoles as a sid of permissions: the component's own statement has it", () => {
    expect(() => new Workflow("wi-roles-sid", { permissions: [{ sid: "AssumeTaskRoles", actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::111122223333:role/x"] }], definition: { StartAt: "D", States: { D: { Type: "Succeed" } } } })).toThrow(
      /Workflow "wi-roles-sid": permissions "AssumeTaskRoles" is a statement id the workflow's own statements use/,
    );
  });

  it("accepts a Task whose target is a plain value no statement of permissions grants (a policy attached to workflow.role, or the target's resource policy, may), and warns of it as StatesServiceTasks reports it", async () => {
    const { graph, warned } = await recordWarnings("wi-out", () => {
      new Workflow("wi-out", {
        definition: {
          StartAt: "S",
          States: {
            S: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", MessageBody: "m" }, Next: "E" },
            E: { Type: "Task", Resource: "arn:aws:states:::events:putEvents", Parameters: { Entries: [{ EventBusName: new EventBus("wi-out-b", {}), Source: "a", DetailType: "b", Detail: {} }, { Source: "a", DetailType: "b", Detail: {} }] }, End: true },
          },
        },
      });
    });
    expect(deployFindings(graph).map((f) => `${f.rule} ${f.problem}`)).toEqual([
      expect.stringMatching(/^StatesServiceTasks has a Task S \(sqs:sendMessage\) on arn:aws:sqs:us-east-1:123456789012:q, but its role wi-out-role may not sqs:SendMessage on it/),
      expect.stringMatching(/^StatesServiceTasks has a Task E \(events:putEvents\) on arn:aws:events:us-east-1:123456789012:event-bus\/default, but its role wi-out-role may not events:PutEvents on it/),
    ]);
    // What `pulumi up` shows, where no deploy rule runs; the bus component's entry is granted by the component.
    expect(warned).toEqual([
      'Workflow "wi-out": definition "definition.States.S" holds the Task "S" (sqs:sendMessage) on "https://sqs.us-east-1.amazonaws.com/123456789012/q" (arn:aws:sqs:us-east-1:123456789012:q), but the role the workflow builds is not granted sqs:SendMessage on it: Step Functions does not check it when it creates the state machine, and every execution fails at that Task with AccessDenied. Grant it with permissions, e.g. permissions: [{ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:q"] }]; if a policy attached to the workflow\'s role or the target\'s resource policy grants it, this warning does not apply.',
      expect.stringMatching(/^Workflow "wi-out": definition "definition\.States\.E" holds the Task "E" \(events:putEvents\) on the default bus \(arn:aws:events:us-east-1:123456789012:event-bus\/default\), but the role the workflow builds is not granted events:PutEvents on it: .* resources: \["arn:aws:events:us-east-1:123456789012:event-bus\/default"\] \}\]/),
    ]);
  });

  it("warns once per Task of each literal target the role it builds does not grant, and of nothing a grant (a pattern, an Output, a component's), a path, an expression or Credentials covers", async () => {
    const news = "arn:aws:sns:us-east-1:123456789012:news";
    const { graph, warned } = await recordWarnings("wi-lit", () => {
      const data = new DataTier("wi-lit-data", { tables: { gallery } });
      new Workflow("wi-lit", {
        permissions: [
          { actions: ["dynamodb:PutItem"], resources: [pulumi.output("arn:aws:dynamodb:us-east-1:123456789012:table/audit")] },
          { actions: ["dynamodb:Query"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/audit"] },
          { actions: ["events:PutEvents"], resources: ["arn:aws:events:us-east-1:123456789012:event-bus/app-*"] },
          { actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::987654321098:role/writer"] },
        ],
        definition: {
          StartAt: "Put",
          States: {
            Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: "audit", "Item.$": "$.item" }, Next: "Own" },
            Own: { Type: "Task", Resource: "arn:aws:states:::dynamodb:updateItem", Parameters: { TableName: data.tables.gallery, Key: {}, UpdateExpression: "SET a = :a" }, Next: "ByPath" },
            ByPath: { Type: "Task", Resource: "arn:aws:states:::dynamodb:deleteItem", Parameters: { "TableName.$": "$.table", Key: {} }, Next: "ByExpression" },
            ByExpression: { Type: "Task", QueryLanguage: "JSONata", Resource: "arn:aws:states:::sqs:sendMessage", Arguments: { QueueUrl: "{% $states.input.queue %}", MessageBody: "m" }, Next: "Assumed" },
            Assumed: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Credentials: { RoleArn: "arn:aws:iam::987654321098:role/writer" }, Parameters: { TopicArn: news, Message: "m" }, Next: "ByIndex" },
            ByIndex: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:query", Parameters: { TableName: "audit", IndexName: "byDay", KeyConditionExpression: "d = :d" }, Next: "Fan" },
            Fan: {
              Type: "Parallel",
              Branches: [
                {
                  StartAt: "Emit",
                  States: {
                    Emit: {
                      Type: "Task",
                      Resource: "arn:aws:states:::events:putEvents",
                      Parameters: { Entries: [{ EventBusName: "app-orders", Source: "a", DetailType: "b", Detail: {} }, { EventBusName: "audit", Source: "a", DetailType: "b", Detail: {} }, { "EventBusName.$": "$.bus", Source: "a", DetailType: "b", Detail: {} }, { EventBusName: "partners", Source: "a", DetailType: "b", Detail: {} }] },
                      End: true,
                    },
                  },
                },
              ],
              End: true,
            },
          },
        },
      });
    });
    expect(warned).toEqual([
      expect.stringMatching(/^Workflow "wi-lit": definition "definition\.States\.ByIndex" holds the Task "ByIndex" \(aws-sdk:dynamodb:query\) on "audit" \(arn:aws:dynamodb:us-east-1:123456789012:table\/audit\/index\/byDay\), but the role the workflow builds is not granted dynamodb:Query on it:/),
      expect.stringMatching(
        /^Workflow "wi-lit": definition "definition\.States\.Fan\.Branches\[0\]\.States\.Emit" holds the Task "Emit" \(events:putEvents\) on "audit" \(arn:aws:events:us-east-1:123456789012:event-bus\/audit\), "partners" \(arn:aws:events:us-east-1:123456789012:event-bus\/partners\), but the role the workflow builds is not granted events:PutEvents on them: .* permissions: \[\{ actions: \["events:PutEvents"\], resources: \["arn:aws:events:us-east-1:123456789012:event-bus\/audit","arn:aws:events:us-east-1:123456789012:event-bus\/partners"\] \}\]/,
      ),
    ]);
    // The deploy rule reads the same targets (literalTargets): a path entry beside literal ones leaves those checked.
    expect(deployFindings(graph).map((f) => `${f.rule} ${f.problem}`)).toEqual([
      expect.stringMatching(/^StatesServiceTasks has a Task ByIndex \(aws-sdk:dynamodb:query\) on arn:aws:dynamodb:us-east-1:123456789012:table\/audit\/index\/byDay/),
      expect.stringMatching(/^StatesServiceTasks has a Task Emit \(events:putEvents\) on arn:aws:events:us-east-1:123456789012:event-bus\/audit,/),
      expect.stringMatching(/^StatesServiceTasks has a Task Emit \(events:putEvents\) on arn:aws:events:us-east-1:123456789012:event-bus\/partners,/),
    ]);
  });

  it("never fails the program over its warning: a permissions resource that resolves to undefined grants nothing, and no rejection goes unhandled", async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      const { warned } = await recordWarnings("wi-undef", () => {
        new Workflow("wi-undef", {
          permissions: [{ actions: ["sqs:SendMessage"], resources: [pulumi.output(undefined as unknown as string)] }],
          definition: { StartAt: "S", States: { S: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", MessageBody: "m" }, End: true } } },
        });
      });
      // Let a rejection of the warning's Output surface before looking.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
      expect(warned).toEqual([expect.stringMatching(/^Workflow "wi-undef": definition "definition\.States\.S" holds the Task "S" \(sqs:sendMessage\) on "https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\/q"/)]);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  it("reads a table or bus named by its name as StatesServiceTasks does: a grant on that name in another account (the real one, offline) covers it; a queue URL's own account must match; a bus named twice is listed once", async () => {
    const { graph, warned } = await recordWarnings("wi-acct", () => {
      new Workflow("wi-acct", {
        permissions: [
          { actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:us-east-1:111122223333:table/audit"] },
          { actions: ["events:PutEvents"], resources: ["arn:aws:events:us-east-1:111122223333:event-bus/audit"] },
          { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:111122223333:q"] },
        ],
        definition: {
          StartAt: "Put",
          States: {
            Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: "audit", "Item.$": "$.item" }, Next: "Emit" },
            Emit: { Type: "Task", Resource: "arn:aws:states:::events:putEvents", Parameters: { Entries: [{ EventBusName: "audit", Source: "a", DetailType: "b", Detail: {} }, { EventBusName: "x", Source: "a", DetailType: "b", Detail: {} }, { EventBusName: "x", Source: "a", DetailType: "c", Detail: {} }] }, Next: "Send" },
            Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", MessageBody: "m" }, End: true },
          },
        },
      });
    });
    expect(warned).toEqual([
      expect.stringMatching(/^Workflow "wi-acct": definition "definition\.States\.Emit" holds the Task "Emit" \(events:putEvents\) on "x" \(arn:aws:events:us-east-1:123456789012:event-bus\/x\), but the role the workflow builds is not granted events:PutEvents on it: .* resources: \["arn:aws:events:us-east-1:123456789012:event-bus\/x"\] \}\]/),
      expect.stringMatching(/^Workflow "wi-acct": definition "definition\.States\.Send" holds the Task "Send" \(sqs:sendMessage\) on "https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\/q" \(arn:aws:sqs:us-east-1:123456789012:q\), but/),
    ]);
    // The rule reports per entry (the bus "x" twice); the names it reports are the ones warned of.
    expect([...new Set(deployFindings(graph).map((f) => `${f.rule} ${f.problem}`))]).toEqual([
      expect.stringMatching(/^StatesServiceTasks has a Task Emit \(events:putEvents\) on arn:aws:events:us-east-1:123456789012:event-bus\/x,/),
      expect.stringMatching(/^StatesServiceTasks has a Task Send \(sqs:sendMessage\) on arn:aws:sqs:us-east-1:123456789012:q,/),
    ]);
  });

  describe("refuses at construction", () => {
    it.each([
      [
        "a table where only a DynamoDB Task's TableName may stand",
        () => new Workflow("w", { definition: { StartAt: "S", States: { S: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: new DataTier("wi-d1", { tables: { gallery } }).tables.gallery, MessageBody: "m" }, End: true } } } }),
        /^Workflow "w": definition "definition\.States\.S\.Parameters\.QueueUrl" holds a DataTable where it cannot stand: a DataTier's table stands only as the TableName of a Task whose Resource is "arn:aws:states:::dynamodb:getItem"/,
      ],
      [
        "a LambdaFunction as the FunctionName of a Pass state",
        () => new Workflow("w", { definition: { StartAt: "S", States: { S: { Type: "Pass", Parameters: { FunctionName: fn("wi-f1") }, End: true } } } }),
        /holds the LambdaFunction "wi-f1" where only a Task state's Resource, or the FunctionName of a lambda:invoke \(or aws-sdk:lambda:invoke\) Task's Parameters or Arguments, may name one/,
      ],
      [
        "a Topic in a DynamoDB Task",
        () => new Workflow("w", { definition: { StartAt: "S", States: { S: { Type: "Task", Resource: "arn:aws:states:::dynamodb:getItem", Parameters: { TableName: new Topic("wi-t1", {}), Key: {} }, End: true } } } }),
        /holds a Topic where it cannot stand: a Topic stands only as the TopicArn of a Task whose Resource is "arn:aws:states:::sns:publish"/,
      ],
      [
        "a callback Task in an EXPRESS workflow, however deep",
        () => new Workflow("w", { type: "EXPRESS", definition: { StartAt: "P", States: { P: { Type: "Parallel", Branches: [{ StartAt: "R", States: { R: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: fn("wi-f2"), Payload: { "token.$": "$$.Task.Token" } }, End: true } } }], End: true } } } }),
        /^Workflow "w": definition "definition\.States\.P\.Branches\[0\]\.States\.R" has a Task whose Resource arn:aws:states:::lambda:invoke\.waitForTaskToken asks for the Wait for Callback pattern \(\.waitForTaskToken\), which an EXPRESS workflow does not support/,
      ],
      [
        "a callback Task inside a Distributed Map whose children are EXPRESS, in a STANDARD workflow",
        () =>
          new Workflow("w", {
            definition: {
              StartAt: "Each",
              States: {
                Each: {
                  Type: "Map",
                  ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "EXPRESS" }, StartAt: "Ask", States: { Ask: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: fn("wi-f3"), Payload: { "token.$": "$$.Task.Token" } }, End: true } } },
                  End: true,
                },
              },
            },
          }),
        /^Workflow "w": definition "definition\.States\.Each\.ItemProcessor\.States\.Ask" has a Task whose Resource arn:aws:states:::lambda:invoke\.waitForTaskToken asks for the Wait for Callback pattern \(\.waitForTaskToken\) inside a Distributed Map whose ProcessorConfig\.ExecutionType is "EXPRESS"/,
      ],
      [
        "a DataTier table of another region",
        () => new Workflow("w", { region: "us-east-1", definition: { StartAt: "S", States: { S: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: new DataTier("wi-eu-data", { region: "eu-west-1", tables: { gallery } }).tables.gallery, Item: {} }, End: true } } } }),
        /^Workflow "w": definition "definition\.States\.S" names the DataTier "wi-eu-data"'s table "gallery" of eu-west-1, but the workflow is in us-east-1; a state machine's service integrations call the services of its own region only, and the Task would fail at every execution\. Create the DataTier in us-east-1 \(its region argument\), or the workflow in eu-west-1\.$/,
      ],
      [
        "a MessageQueue of another region",
        () => new Workflow("w", { region: "us-east-1", definition: { StartAt: "S", States: { S: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: new MessageQueue("wi-eu-q", { region: "eu-west-1", consumer: { function: new LambdaFunction("wi-eu-w", { entry, region: "eu-west-1" }) } }), MessageBody: "m" }, End: true } } } }),
        /names the MessageQueue "wi-eu-q" of eu-west-1, but the workflow is in us-east-1; a state machine's service integrations call the services of its own region only/,
      ],
      [
        "a Topic of another region",
        () => new Workflow("w", { region: "eu-west-1", definition: { StartAt: "S", States: { S: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: new Topic("wi-us-t", { region: "us-east-1" }), Message: "m" }, End: true } } } }),
        /names the Topic "wi-us-t" of us-east-1, but the workflow is in eu-west-1;/,
      ],
      [
        "an EventBus of another region",
        () => new Workflow("w", { region: "us-east-1", definition: { StartAt: "S", States: { S: { Type: "Task", Resource: "arn:aws:states:::events:putEvents", Parameters: { Entries: [{ EventBusName: new EventBus("wi-eu-b", { region: "eu-west-1" }), Source: "a", DetailType: "b", Detail: {} }] }, End: true } } } }),
        /names the EventBus "wi-eu-b" of eu-west-1, but the workflow is in us-east-1;/,
      ],
    ])("%s", (_, build, message) => {
      expect(build).toThrow(message);
    });
  });
});
