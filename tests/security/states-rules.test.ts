/**
 * The state machine security rules pass on what Workflow builds and fail on a graph broken the way each guards
 * against; IAM5 accepts Step Functions' log-delivery actions on "*" in a state machine role's policy only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { Workflow } from "../../components/workflow";
import { STATES_LOG_DELIVERY_ACTIONS } from "../../components/workflow/actions";
import { IAM5 } from "../../testing/security-rules/iam";
import type { RuleContext, SecurityRule } from "../../testing/security-rules/rule";
import { STATE_MACHINE_LAMBDA_INVOKE, STATE_MACHINE_LOG_RETENTION, STATE_MACHINE_SERVICE_GRANTS } from "../../testing/security-rules/states";
import { byName, mutate, record, type RecordedResource } from "../harness/mocks";

const prod: RuleContext = { stack: "prod", production: true };
const ids = (rule: SecurityRule, graph: RecordedResource[]) => rule.check(graph, prod).map((f) => `${f.rule} ${f.resource}`);
const entry = "tests/fixtures/handlers/echo.ts";

let flow: RecordedResource[];
beforeAll(async () => {
  flow = await record(() => new Workflow("sec", { definition: { StartAt: "A", States: { A: { Type: "Task", Resource: new LambdaFunction("sec-step", { entry }), End: true } } } }));
});

const withPolicy = (graph: RecordedResource[], name: string, statements: (current: any[]) => any[]) =>
  mutate(graph, byName(name), (p) => {
    const document = JSON.parse(p.inputs.policy);
    return { ...p, inputs: { ...p.inputs, policy: JSON.stringify({ ...document, Statement: statements(document.Statement) }) } };
  });

describe("state machine security rules", () => {
  it("StateMachineLogRetention: a log group without retention, logs outside the program, an EXPRESS state machine that does not log", () => {
    expect(ids(STATE_MACHINE_LOG_RETENTION, flow)).toEqual([]);
    expect(ids(STATE_MACHINE_LOG_RETENTION, mutate(flow, byName("sec-logs"), (r) => ({ ...r, inputs: { ...r.inputs, retentionInDays: undefined } })))).toEqual(["StateMachineLogRetention aws:cloudwatch/logGroup:LogGroup sec-logs"]);
    expect(ids(STATE_MACHINE_LOG_RETENTION, flow.filter((r) => r.name !== "sec-logs"))).toEqual(["StateMachineLogRetention aws:sfn/stateMachine:StateMachine sec-state-machine"]);
    const expressSilent = mutate(flow, byName("sec-state-machine"), (r) => ({ ...r, inputs: { ...r.inputs, type: "EXPRESS", loggingConfiguration: { level: "OFF" } } }));
    expect(ids(STATE_MACHINE_LOG_RETENTION, expressSilent)).toEqual(["StateMachineLogRetention aws:sfn/stateMachine:StateMachine sec-state-machine"]);
    // A STANDARD state machine keeps its history in Step Functions (90 days) without logging.
    expect(ids(STATE_MACHINE_LOG_RETENTION, mutate(flow, byName("sec-state-machine"), (r) => ({ ...r, inputs: { ...r.inputs, loggingConfiguration: { level: "OFF" } } })))).toEqual([]);
  });

  it("StateMachineLambdaInvoke: a role that may invoke every function, or a name pattern; a qualifier wildcard of one function is fine", () => {
    expect(ids(STATE_MACHINE_LAMBDA_INVOKE, flow)).toEqual([]);
    const any = withPolicy(flow, "sec-policy", (s) => [...s, { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*" }]);
    expect(ids(STATE_MACHINE_LAMBDA_INVOKE, any)).toEqual(["StateMachineLambdaInvoke aws:iam/rolePolicy:RolePolicy sec-policy"]);
    const pattern = withPolicy(flow, "sec-policy", (s) => [...s, { Effect: "Allow", Action: "lambda:Invoke*", Resource: "arn:aws:lambda:us-east-1:123456789012:function:sec-*" }]);
    expect(ids(STATE_MACHINE_LAMBDA_INVOKE, pattern)).toEqual(["StateMachineLambdaInvoke aws:iam/rolePolicy:RolePolicy sec-policy"]);
    const qualifier = withPolicy(flow, "sec-policy", (s) => [...s, { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:other:*" }]);
    expect(ids(STATE_MACHINE_LAMBDA_INVOKE, qualifier)).toEqual([]);
  });

  it("StateMachineServiceGrants: a service action no Task calls; the ones an optimized or AWS SDK integration Task calls are fine", async () => {
    expect(ids(STATE_MACHINE_SERVICE_GRANTS, flow)).toEqual([]);
    const unused = withPolicy(flow, "sec-policy", (s) => [...s, { Effect: "Allow", Action: ["sqs:SendMessage", "dynamodb:PutItem"], Resource: "arn:aws:sqs:us-east-1:123456789012:q" }]);
    expect(ids(STATE_MACHINE_SERVICE_GRANTS, unused)).toEqual(["StateMachineServiceGrants aws:iam/rolePolicy:RolePolicy sec-policy"]);
    expect(STATE_MACHINE_SERVICE_GRANTS.check(unused, prod)[0].problem).toBe(
      'grants the state machine role sec-role sqs:SendMessage, dynamodb:PutItem, which no Task of its state machines calls: list only the actions its Tasks call (a DataTier table\'s grants narrow to them, e.g. grants.write(["dynamodb:PutItem"]) rather than grants.write()), or name the table, queue, topic or bus in the Task and let Workflow grant exactly its action',
    );
    const calling = await record(() =>
      new Workflow("sec-calls", {
        permissions: [
          { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:q"] },
          { actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"] },
        ],
        definition: {
          StartAt: "Send",
          States: {
            Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", MessageBody: "m" }, Next: "Put" },
            Put: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:putItem", Parameters: { TableName: "t", Item: {} }, End: true },
          },
        },
      }),
    );
    expect(ids(STATE_MACHINE_SERVICE_GRANTS, calling)).toEqual([]);
    // Publishing, which no Task of sec-calls does.
    expect(ids(STATE_MACHINE_SERVICE_GRANTS, withPolicy(calling, "sec-calls-policy", (s) => [...s, { Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:123456789012:t" }]))).toEqual(["StateMachineServiceGrants aws:iam/rolePolicy:RolePolicy sec-calls-policy"]);
  });

  it("StateMachineServiceGrants: a DynamoDB transaction's items are authorised as their own actions, so the grants of those actions are used", async () => {
    const transacting = await record(() =>
      new Workflow("sec-tx", {
        permissions: [{ actions: ["dynamodb:PutItem", "dynamodb:ConditionCheckItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"] }],
        definition: {
          StartAt: "Write",
          States: { Write: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:transactWriteItems", Parameters: { TransactItems: [{ Put: { TableName: "t", Item: {} } }, { ConditionCheck: { TableName: "t", Key: {}, ConditionExpression: "attribute_exists(pk)" } }] }, End: true } },
        },
      }),
    );
    expect(ids(STATE_MACHINE_SERVICE_GRANTS, transacting)).toEqual([]);
    // An UpdateItem no item of the transaction makes.
    expect(ids(STATE_MACHINE_SERVICE_GRANTS, withPolicy(transacting, "sec-tx-policy", (s) => [...s, { Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/t" }]))).toEqual(["StateMachineServiceGrants aws:iam/rolePolicy:RolePolicy sec-tx-policy"]);
    // Items a path gives at run time may be of any kind.
    const byPath = await record(() =>
      new Workflow("sec-txp", {
        permissions: [{ actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"] }],
        definition: { StartAt: "Write", States: { Write: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:transactWriteItems", Parameters: { "TransactItems.$": "$.items" }, End: true } } },
      }),
    );
    expect(ids(STATE_MACHINE_SERVICE_GRANTS, byPath)).toEqual([]);
  });

  it("IAM5 accepts exactly the log-delivery actions on * in a state machine role's policy", () => {
    expect(ids(IAM5, flow)).toEqual([]);
    // Another action on "*" beside them is still refused.
    const more = withPolicy(flow, "sec-policy", (s) => s.map((statement: any) => (statement.Sid === "DeliverLogs" ? { ...statement, Action: [...statement.Action, "logs:DeleteLogGroup"] } : statement)));
    expect(ids(IAM5, more)).toEqual(["IAM5 aws:iam/rolePolicy:RolePolicy sec-policy"]);
    // The same actions on "*" in a role Step Functions does not assume are refused.
    const lambdaRole = mutate(flow, byName("sec-role"), (r) => ({ ...r, inputs: { ...r.inputs, assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } }));
    expect(ids(IAM5, lambdaRole)).toEqual(["IAM5 aws:iam/rolePolicy:RolePolicy sec-policy"]);
    expect(STATES_LOG_DELIVERY_ACTIONS).toHaveLength(8);
  });
});
