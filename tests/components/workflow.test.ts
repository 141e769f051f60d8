/**
 * Workflow: the state machine and its inputs (definition with each LambdaFunction as its ARN, logging to a vended log
 * group with retention, tracing, encryption), the role trusted by Step Functions from the account's state machines,
 * its one policy (invoke exactly the functions, log delivery, X-Ray, the key) created before the state machine, the
 * callers' grants and environment, the spec the local runtime reads, and every construction-time refusal.
 */
import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { ComponentArgError } from "../../components/errors";
import { assertDefinitionSize, assertWorkflowKmsKeyId, STATES_LOG_DELIVERY_ACTIONS, Workflow, workflowLogGroupName, type WorkflowSpec } from "../../components/workflow";
import { aslProblems, failPathEscapeWarnings } from "../../components/workflow/definition";
import { MessageQueue } from "../../components/message-queue";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { dependencyClosure, policyDocument, record, resource, useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const RANDOM_STRING = "random:index/randomString:RandomString";
/** The state machine's name: its logical name and a 7-character RandomString result (lowercase letters and digits). */
const MACHINE_NAME = (logical: string) => new RegExp(`^${logical}-[a-z0-9]{7}$`);
const DELIVER_LOGS = { Sid: "DeliverLogs", Effect: "Allow", Action: [...STATES_LOG_DELIVERY_ACTIONS], Resource: ["*"] };
const FUNCTION = "aws:lambda/function:Function";
const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

beforeAll(() => useMocks());

type Graph = Awaited<ReturnType<typeof record>>;
const securityFindings = (graph: Graph) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Graph) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
const fn = (name: string, args: Partial<ConstructorParameters<typeof LambdaFunction>[1]> = {}) => new LambdaFunction(name, { entry, ...args });

describe("Workflow", () => {
  it("creates a state machine whose Tasks invoke the functions by ARN, logging to a vended log group with retention, after its role's policy", async () => {
    const graph = await record(() => {
      const resize = fn("wf-resize");
      const index = fn("wf-index");
      new Workflow("photos", {
        definition: {
          Comment: "resize, then index and notify in parallel",
          StartAt: "Resize",
          States: {
            Resize: { Type: "Task", Resource: resize, Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }], Next: "Fan" },
            Fan: {
              Type: "Parallel",
              Branches: [
                { StartAt: "Index", States: { Index: { Type: "Task", Resource: index, End: true } } },
                { StartAt: "Each", States: { Each: { Type: "Map", ItemProcessor: { StartAt: "Again", States: { Again: { Type: "Task", Resource: resize, End: true } } }, End: true } } },
              ],
              End: true,
            },
          },
        },
        logRetentionDays: 14,
      });
    });
    const resize = resource(graph, FUNCTION, "wf-resize-function");
    const index = resource(graph, FUNCTION, "wf-index-function");
    const logs = resource(graph, LOG_GROUP, "photos-logs");
    expect(logs.inputs).toEqual({ name: "/aws/vendedlogs/states/serverless-fullstack-test-photos", retentionInDays: 14 });
    const role = resource(graph, ROLE, "photos-role");
    const policy = resource(graph, ROLE_POLICY, "photos-policy");
    expect(policy.inputs.role).toBe(role.id);
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      DELIVER_LOGS,
      { Sid: "InvokeFunctions", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [resize.state.arn, `${resize.state.arn}:*`, index.state.arn, `${index.state.arn}:*`] },
    ]);
    const machine = resource(graph, STATE_MACHINE, "photos-state-machine");
    const definition = JSON.parse(machine.inputs.definition);
    expect(definition.States.Resize).toEqual({ Type: "Task", Resource: resize.state.arn, Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }], Next: "Fan" });
    expect(definition.States.Fan.Branches[0].States.Index.Resource).toBe(index.state.arn);
    expect(definition.States.Fan.Branches[1].States.Each.ItemProcessor.States.Again.Resource).toBe(resize.state.arn);
    expect({ ...machine.inputs, definition: undefined }).toEqual({
      definition: undefined,
      name: expect.stringMatching(MACHINE_NAME("photos-state-machine")),
      type: "STANDARD",
      roleArn: role.state.arn,
      loggingConfiguration: { level: "ERROR", includeExecutionData: false, logDestination: `${logs.state.arn}:*` },
      tracingConfiguration: { enabled: false },
      encryptionConfiguration: { type: "AWS_OWNED_KEY" },
    });
    expect(dependencyClosure(graph, machine).has(policy.urn)).toBe(true);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("trusts states.amazonaws.com only from the account's state machines in the workflow's region (confused deputy), without naming its own state machine", async () => {
    const graph = await record(() => new Workflow("trusting", { region: "eu-west-1", definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } } }));
    const trust = policyDocument(resource(graph, ROLE, "trusting-role").inputs.assumeRolePolicy).Statement;
    expect(trust).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "states.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:*` } },
      },
    ]);
    expect(resource(graph, STATE_MACHINE, "trusting-state-machine").inputs.region).toBe("eu-west-1");
    expect(resource(graph, LOG_GROUP, "trusting-logs").inputs.region).toBe("eu-west-1");
    // No Task names a function: the policy only delivers logs.
    expect(policyDocument(resource(graph, ROLE_POLICY, "trusting-policy").inputs.policy).Statement.map((s) => s.Sid)).toEqual(["DeliverLogs"]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("traces with X-Ray, logs everything with execution data, and encrypts with a customer managed key under the state machine's encryption context", async () => {
    const graph = await record(() => new Workflow("secret", { type: "EXPRESS", logLevel: "ALL", includeExecutionData: true, tracing: true, kmsKeyId: KEY, permissions: [{ actions: ["dynamodb:PutItem"], resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/photos`] }], definition: { StartAt: "Put", States: { Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Arguments: { TableName: "photos", Item: {} }, End: true } }, QueryLanguage: "JSONata" } }));
    const machine = resource(graph, STATE_MACHINE, "secret-state-machine");
    expect(machine.inputs.type).toBe("EXPRESS");
    expect(machine.inputs.loggingConfiguration).toMatchObject({ level: "ALL", includeExecutionData: true });
    expect(machine.inputs.tracingConfiguration).toEqual({ enabled: true });
    // The data-key reuse period sent as the CDK sends it (300, AWS's default): what DescribeStateMachine reads back.
    expect(machine.inputs.encryptionConfiguration).toEqual({ type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: KEY, kmsDataKeyReusePeriodSeconds: 300 });
    expect(policyDocument(resource(graph, ROLE_POLICY, "secret-policy").inputs.policy).Statement.slice(1)).toEqual([
      { Sid: "WriteTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], Resource: ["*"] },
      {
        Sid: "UseKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: [KEY],
        // The exact ARN of the name the component gives the state machine, known before it.
        Condition: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": machine.state.arn } },
      },
      { Sid: "EncryptLogs", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [KEY], Condition: { StringEquals: { "kms:EncryptionContext:SourceArn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` } } },
      { Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/photos`] },
    ]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("turns logging off for a STANDARD workflow: no log group, but the log-delivery grant, so the policy is never empty and logging may be turned on by an update", async () => {
    let workflow: Workflow | undefined;
    const graph = await record(() => {
      workflow = new Workflow("quiet", { logLevel: "OFF", definition: { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } } });
    });
    expect(workflow!.logGroup).toBeUndefined();
    expect(graph.filter((r) => r.type === LOG_GROUP)).toEqual([]);
    expect(resource(graph, STATE_MACHINE, "quiet-state-machine").inputs.loggingConfiguration).toEqual({ level: "OFF" });
    // IAM refuses a policy of no statement (MalformedPolicyDocument); the provider retries AccessDenied on create only.
    expect(policyDocument(resource(graph, ROLE_POLICY, "quiet-policy").inputs.policy).Statement).toEqual([DELIVER_LOGS]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants callers StartExecution (and StartSyncExecution for EXPRESS) on the state machine, reads on its executions, and its ARN in their environment", async () => {
    const graph = await record(() => {
      const standard = new Workflow("std", { definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } } });
      const express = new Workflow("fast", { type: "EXPRESS", definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } } });
      fn("starter", { permissions: [...standard.grants.start(), ...standard.grants.read(), ...express.grants.start()], environment: { ...standard.environment(), ...express.environment("FAST_ARN") } });
    });
    const std = resource(graph, STATE_MACHINE, "std-state-machine");
    const fast = resource(graph, STATE_MACHINE, "fast-state-machine");
    const statements = policyDocument(graph.find((r) => r.type === ROLE_POLICY && r.name === "starter-policy")!.inputs.policy).Statement;
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("states:")))).toEqual([
      { Effect: "Allow", Action: ["states:StartExecution"], Resource: [std.state.arn] },
      { Effect: "Allow", Action: ["states:ListExecutions"], Resource: [std.state.arn] },
      { Effect: "Allow", Action: ["states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeStateMachineForExecution"], Resource: [`arn:aws:states:us-east-1:${ACCOUNT}:execution:${std.state.name}:*`] },
      { Effect: "Allow", Action: ["states:StartExecution", "states:StartSyncExecution"], Resource: [fast.state.arn] },
    ]);
    expect(resource(graph, FUNCTION, "starter-function").inputs.environment.variables).toMatchObject({ STATE_MACHINE_ARN: std.state.arn, FAST_ARN: fast.state.arn });
  });

  it("adds the key to callers' grants for this state machine's encryption context", async () => {
    let workflow: Workflow | undefined;
    const graph = await record(() => {
      workflow = new Workflow("keyed", { kmsKeyId: KEY, definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } } });
    });
    const arn = resource(graph, STATE_MACHINE, "keyed-state-machine").state.arn;
    const resolved = await new Promise<unknown>((done) => pulumi.output([...workflow!.grants.start(), ...workflow!.grants.read()] as unknown as pulumi.Input<unknown>[]).apply(done));
    expect((resolved as Array<{ actions: string[]; conditions?: unknown }>).filter((s) => s.actions[0].startsWith("kms:"))).toEqual([
      { actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [KEY], conditions: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": arn } } },
      { actions: ["kms:Decrypt"], resources: [KEY], conditions: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": arn } } },
    ]);
  });

  it("grants a function that is one of its Tasks the answers to its callback Tasks on the state machine's ARN, without waiting for the state machine, and no KMS action on its customer managed key (the workflow's role encrypts the answers)", async () => {
    let granted: unknown[] = [];
    const graph = await record(() => {
      // The cycle grantTaskResponse breaks: the workflow needs the function, and the function answers the workflow's Task.
      const approver = fn("wf-approver");
      const workflow = new Workflow("approval", {
        kmsKeyId: KEY,
        definition: { StartAt: "Ask", States: { Ask: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: approver, Payload: { "token.$": "$$.Task.Token" } }, End: true } } },
      });
      granted = [workflow.grantTaskResponse(approver), workflow.grantTaskResponse(approver)];
    });
    expect(granted[0]).toBe(granted[1]);
    const machine = resource(graph, STATE_MACHINE, "approval-state-machine");
    const policies = graph.filter((r) => r.type === ROLE_POLICY && r.name.startsWith("approval-task-response"));
    expect(policies.map((p) => p.name)).toEqual(["approval-task-response-wf-approver"]);
    const policy = policies[0];
    expect(policy.inputs.role).toBe(resource(graph, ROLE, "wf-approver-role").id);
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([
      { Sid: "AnswerTasks", Effect: "Allow", Action: ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"], Resource: [machine.state.arn] },
    ]);
    // What encrypts the answers: the workflow's role may use the key under this state machine's encryption context.
    expect(policyDocument(resource(graph, ROLE_POLICY, "approval-policy").inputs.policy).Statement).toContainEqual({
      Sid: "UseKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [KEY],
      Condition: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": machine.state.arn } },
    });
    expect(dependencyClosure(graph, policy).has(machine.urn)).toBe(false);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants the consumer of the queue a callback Task sends its token to, without a key: the answers only", async () => {
    const graph = await record(() => {
      const replier = fn("wf-replier");
      const replies = new MessageQueue("wf-replies", { consumer: { function: replier } });
      new Workflow("asking", {
        definition: { StartAt: "Ask", States: { Ask: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", Parameters: { QueueUrl: replies, MessageBody: { "TaskToken.$": "$$.Task.Token" } }, End: true } } },
      }).grantTaskResponse(replier);
    });
    const machine = resource(graph, STATE_MACHINE, "asking-state-machine");
    const policy = resource(graph, ROLE_POLICY, "asking-task-response-wf-replier");
    expect(policy.inputs.role).toBe(resource(graph, ROLE, "wf-replier-role").id);
    expect(policyDocument(policy.inputs.policy).Statement).toEqual([{ Sid: "AnswerTasks", Effect: "Allow", Action: ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"], Resource: [machine.state.arn] }]);
    expect(dependencyClosure(graph, policy).has(machine.urn)).toBe(false);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants a function of another region too (IAM is global; its handler sends the answer to the workflow's region), under the function's provider", async () => {
    const graph = await record(() => {
      const remote = fn("wf-remote", { region: "eu-west-1" });
      new Workflow("far", { definition: { StartAt: "Ask", States: { Ask: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: fn("wf-near"), Payload: { "token.$": "$$.Task.Token" } }, End: true } } } }).grantTaskResponse(remote);
    });
    const policy = resource(graph, ROLE_POLICY, "far-task-response-wf-remote");
    expect(policy.inputs.role).toBe(resource(graph, ROLE, "wf-remote-role").id);
    expect(policy.parent).toBe(resource(graph, "serverless-fullstack:index:LambdaFunction", "wf-remote").urn);
    expect(policyDocument(policy.inputs.policy).Statement[0].Resource).toEqual([resource(graph, STATE_MACHINE, "far-state-machine").state.arn]);
  });

  it("keeps deploy-time values in the definition and checks them as placeholders", async () => {
    const table = pulumi.output("photos");
    const graph = await record(() => new Workflow("late", { definition: { StartAt: "Put", States: { Put: { Type: "Task", Resource: pulumi.output("arn:aws:states:::dynamodb:putItem"), Parameters: { TableName: table, Item: {} }, TimeoutSeconds: pulumi.output(30), End: true } } } }));
    expect(JSON.parse(resource(graph, STATE_MACHINE, "late-state-machine").inputs.definition).States.Put).toEqual({ Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: "photos", Item: {} }, TimeoutSeconds: 30, End: true });
  });

  it("checks each deploy-time value as a placeholder its field takes: a path in *Path, Variable and \"key.$\" fields, a timestamp, a number, a boolean", async () => {
    const late = <T>(value: T) => pulumi.output(value);
    const graph = await record(
      () =>
        new Workflow("fields", {
          permissions: [{ actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/photos"] }],
          definition: {
            StartAt: "Choose",
            States: {
              Choose: {
                Type: "Choice",
                Choices: [
                  { Variable: late("$.kind"), StringEquals: "photo", Next: "Put" },
                  { Variable: "$.size", NumericGreaterThan: late(10), Next: "Put" },
                  { Variable: "$.flag", BooleanEquals: late(true), Next: "Put" },
                  { Variable: "$.size", NumericEqualsPath: late("$.limit"), Next: "Put" },
                ],
                Default: "Until",
              },
              Until: { Type: "Wait", Timestamp: late("2030-01-01T00:00:00Z"), Next: "Put" },
              Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", TimeoutSecondsPath: late("$.timeout"), Parameters: { TableName: "photos", Item: { pk: { "S.$": late("$.id") } } }, ResultPath: late("$.put"), End: true },
            },
          },
        }),
    );
    const definition = JSON.parse(resource(graph, STATE_MACHINE, "fields-state-machine").inputs.definition);
    expect(definition.States.Choose.Choices[0].Variable).toBe("$.kind");
    expect(definition.States.Until.Timestamp).toBe("2030-01-01T00:00:00Z");
    expect(definition.States.Put).toMatchObject({ TimeoutSecondsPath: "$.timeout", ResultPath: "$.put", Parameters: { Item: { pk: { "S.$": "$.id" } } } });
    expect(deployFindings(graph)).toEqual([]);
  });

  it("takes a JSONPath Assign whose arrays hold null and '{% …' strings, as AWS created and ran it (LocalStack's AWS-recorded BASE_VAR), with no deploy finding", async () => {
    const listed = [null, 0, 0.1, true, "$.no.such.path", "$varname", "{% $varname %}", "$$", "States.Format('{}', $varname)", [], { constant: 0 }];
    const graph = await record(
      () =>
        new Workflow("vars", {
          definition: {
            StartAt: "Keep",
            States: {
              Keep: { Type: "Pass", Assign: { "varname.$": "$.input_value", constant_lst: listed, constant_obj: { in_obj_constant_lst: listed } }, Next: "Read" },
              Read: { Type: "Pass", Assign: { "copied.$": "$constant_lst" }, End: true },
            },
          },
        }),
    );
    expect(JSON.parse(resource(graph, STATE_MACHINE, "vars-state-machine").inputs.definition).States.Keep.Assign.constant_lst).toEqual(listed);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("names the state machine itself, so the key grant is on its exact ARN whatever the stack's autonaming; the name's random part is drawn again when a type change replaces it", async () => {
    const graph = await record(() => new Workflow("named", { region: "eu-west-1", kmsKeyId: KEY, definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } } }));
    const machine = resource(graph, STATE_MACHINE, "named-state-machine");
    expect(machine.inputs.name).toMatch(MACHINE_NAME("named-state-machine"));
    expect(machine.state.arn).toBe(`arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:${machine.inputs.name}`);
    const suffix = resource(graph, RANDOM_STRING, "named-state-machine-suffix");
    expect(suffix.inputs).toMatchObject({ length: 7, special: false, upper: false, keepers: { type: "STANDARD" } });
    expect(dependencyClosure(graph, machine).has(suffix.urn)).toBe(true);
    const useKey = policyDocument(resource(graph, ROLE_POLICY, "named-policy").inputs.policy).Statement.find((s) => s.Sid === "UseKey");
    expect(useKey?.Condition).toEqual({ StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": machine.state.arn } });
  });

  it("keeps the log destination within the 256 characters Step Functions takes, for the longest project and stack names, in any region", async () => {
    await useMocks({ project: "p".repeat(100), stack: "s".repeat(100) });
    try {
      const graph = await record(() => new Workflow("w".repeat(51), { region: "us-gov-west-1", definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } } }));
      const name = resource(graph, LOG_GROUP, `${"w".repeat(51)}-logs`).inputs.name as string;
      expect(name).toBe(workflowLogGroupName("w".repeat(51)));
      expect(name).toMatch(/^\/aws\/vendedlogs\/states\/p+-s+-[0-9a-f]{8}$/);
      // The longest partition (aws-us-gov) and a region name of 20 characters (today's longest are 14).
      expect(`arn:aws-us-gov:logs:${"r".repeat(20)}:${ACCOUNT}:log-group:${name}:*`).toHaveLength(256);
      const machine = resource(graph, STATE_MACHINE, `${"w".repeat(51)}-state-machine`);
      expect(machine.inputs.loggingConfiguration.logDestination.length).toBeLessThanOrEqual(256);
      expect(deployFindings(graph).filter((f) => f.rule.startsWith("States"))).toEqual([]);
    } finally {
      await useMocks();
    }
  });

  it("registers the spec the local runtime reads", async () => {
    await record(() => {
      const step = fn("spec-step");
      new Workflow("spec-flow", { type: "EXPRESS", logLevel: "ALL", tracing: true, definition: { StartAt: "A", States: { A: { Type: "Task", Resource: step, Next: "B" }, B: { Type: "Task", Resource: step, End: true } } } });
    });
    const spec = registeredSpecs<WorkflowSpec>("Workflow").find((s) => s.name === "spec-flow")!.spec;
    const definition = await new Promise<string>((done) => pulumi.output(spec.definition).apply(done));
    expect(JSON.parse(definition).States.A.Resource).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:spec-step-function-/);
    expect({ ...spec, stateMachineName: typeof spec.stateMachineName, definition: typeof spec.definition, functions: spec.functions.map((f) => f.name) }).toEqual({
      name: "spec-flow",
      stateMachineName: "object",
      type: "EXPRESS",
      definition: "object",
      functions: ["spec-step"],
      logLevel: "ALL",
      includeExecutionData: false,
      logRetentionDays: 30,
      tracing: true,
      encryption: "aws-owned",
      permissions: [],
    });
  });

  it("checks a kmsKeyId given as an Output once known, and the definition's size once its deploy-time values are", async () => {
    expect(() => assertWorkflowKmsKeyId("late", "alias/my-key")).toThrow(/^Workflow "late": kmsKeyId "alias\/my-key" is not a KMS key's ARN; .* Pass a customer managed key's ARN/);
    expect(assertWorkflowKmsKeyId("late", KEY)).toBe(KEY);
    expect(() => assertDefinitionSize("big", `{"Comment":"${"x".repeat(1024 * 1024)}"}`)).toThrow(/^Workflow "big": definition "1048590 bytes" is, as JSON once its deploy-time values are known, over Step Functions' 1048576-byte \(1 MB\) limit for a state machine definition\. Move large constants/);
    expect(() => assertDefinitionSize("big", `{"Comment":"${"x".repeat(1024 * 1024)}"}`)).toThrow(ComponentArgError);
    const graph = await record(() => new Workflow("late-key", { kmsKeyId: pulumi.output(KEY), definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } } }));
    expect(resource(graph, STATE_MACHINE, "late-key-state-machine").inputs.encryptionConfiguration).toEqual({ type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: KEY, kmsDataKeyReusePeriodSeconds: 300 });
  });

  it("loads asl-validator only when a definition is validated: a program importing the package without a Workflow never pays for it (issue 15)", () => {
    // A fresh process: this one's module cache holds whatever other tests loaded.
    const script = [
      'require("./components/index.ts");',
      'const loaded = () => Object.keys(require.cache).some((file) => file.includes("/asl-validator/"));',
      "const before = loaded();",
      'require("./components/workflow/definition.ts").aslProblems({ StartAt: "A", States: { A: { Type: "Succeed" } } });',
      "process.stdout.write(JSON.stringify([before, loaded()]));",
    ].join("\n");
    expect(JSON.parse(execFileSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { encoding: "utf8" }))).toEqual([false, true]);
  });

  describe("refuses at construction", () => {
    const ok = { StartAt: "Done", States: { Done: { Type: "Succeed" as const } } };
    it.each([
      ["a definition that is not ASL (StartAt names no state)", () => new Workflow("w", { definition: { StartAt: "Nowhere", States: { Done: { Type: "Succeed" } } } }), /^Workflow "w": definition .* is not valid Amazon States Language: .*Missing 'StartAt'\|'Next'\|'Default' target: Nowhere.* Fix the definition \(https:\/\/states-language\.net\/spec\.html/],
      ["a state without Next or End", () => new Workflow("w", { definition: { StartAt: "A", States: { A: { Type: "Pass" } } } }), /is not valid Amazon States Language: State machine fsm1 is missing a terminal state; State "A" MUST contain exactly one of "End", "Next"\. Fix the definition/],
      ["a Task whose Resource is not an ARN", () => new Workflow("w", { definition: { StartAt: "A", States: { A: { Type: "Task", Resource: "resize", End: true } } } }), /is not valid Amazon States Language: \/States\/A\/Resource is invalid/],
      ["a JSONPath state in a JSONata definition", () => new Workflow("w", { definition: { QueryLanguage: "JSONata", StartAt: "A", States: { A: { Type: "Pass", QueryLanguage: "JSONPath", End: true } } } }), /^Workflow "w": definition "definition\.States\.A" sets QueryLanguage "JSONPath", but the state machine's QueryLanguage is "JSONata", and a JSONata state machine may not hold JSONPath states \(CreateStateMachine answers "SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"\)\. Write the state in JSONata .* set QueryLanguage "JSONata" on each JSONata state\.$/],
      [
        "a JSONPath state in a Map processor of a JSONata definition",
        () => new Workflow("w", { definition: { QueryLanguage: "JSONata", StartAt: "Each", States: { Each: { Type: "Map", Items: "{% [1] %}", ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "Old", States: { Old: { Type: "Pass", QueryLanguage: "JSONPath", End: true } } }, End: true } } } }),
        /^Workflow "w": definition "definition\.States\.Each\.ItemProcessor\.States\.Old" sets QueryLanguage "JSONPath", but the state machine's QueryLanguage is "JSONata"/,
      ],
      [
        "a JSONPath state in a Parallel branch of a JSONata definition",
        () => new Workflow("w", { definition: { QueryLanguage: "JSONata", StartAt: "Fan", States: { Fan: { Type: "Parallel", Branches: [{ StartAt: "Old", States: { Old: { Type: "Pass", QueryLanguage: "JSONPath", End: true } } }], End: true } } } }),
        /^Workflow "w": definition "definition\.States\.Fan\.Branches\[0\]\.States\.Old" sets QueryLanguage "JSONPath"/,
      ],
      ["a definition over 1 MB", () => new Workflow("w", { definition: { ...ok, Comment: "x".repeat(1024 * 1024) } }), /^Workflow "w": definition "1048\d+ bytes" is over Step Functions' 1048576-byte \(1 MB\) limit for a state machine definition, measured as its JSON\. Move large constants/],
      ["a LambdaFunction outside a Task's Resource", () => new Workflow("w", { definition: { StartAt: "A", States: { A: { Type: "Pass", Parameters: { fn: fn("rw1") }, End: true } } } }), /^Workflow "w": definition "definition\.States\.A\.Parameters\.fn" holds the LambdaFunction "rw1" where only a Task state's Resource, or the FunctionName of a lambda:invoke \(or aws-sdk:lambda:invoke\) Task's Parameters or Arguments, may name one\. Make it a Task state's Resource/],
      ["a Lambda@Edge function", () => new Workflow("w", { definition: { StartAt: "A", States: { A: { Type: "Task", Resource: fn("rw2", { edge: true, define: undefined } as never), End: true } } } }), /^Workflow "w": definition "definition\.States\.A\.Resource" names the Lambda@Edge function "rw2", which only CloudFront invokes/],
      ["a function of another region", () => new Workflow("w", { region: "eu-west-1", definition: { StartAt: "A", States: { A: { Type: "Task", Resource: fn("rw3", { region: "us-west-2" }), End: true } } } }), /^Workflow "w": definition "definition\.States\.A\.Resource" names the LambdaFunction "rw3" of us-west-2, but the workflow is in eu-west-1; a state machine invokes functions of its own region only.* Create the function in eu-west-1/],
      ["an unknown type", () => new Workflow("w", { type: "FAST" as never, definition: ok }), /^Workflow "w": type "FAST" is not a state machine type\. Use "STANDARD"/],
      ["an unknown log level", () => new Workflow("w", { logLevel: "DEBUG" as never, definition: ok }), /^Workflow "w": logLevel "DEBUG" is not a Step Functions log level\. Use one of ALL, ERROR, FATAL, OFF/],
      ["an EXPRESS workflow that does not log", () => new Workflow("w", { type: "EXPRESS", logLevel: "OFF", definition: ok }), /^Workflow "w": logLevel "OFF" leaves an EXPRESS workflow without any record of its executions: Step Functions keeps no execution history of Express workflows, only their logs\. Use "ERROR"/],
      ["a retention CloudWatch Logs does not offer", () => new Workflow("w", { logRetentionDays: 10, definition: ok }), /^Workflow "w": logRetentionDays 10 is not a retention CloudWatch Logs offers/],
      ["a retention without logs", () => new Workflow("w", { logLevel: "OFF", logRetentionDays: 14, definition: ok }), /^Workflow "w": logRetentionDays 14 is set but logLevel is "OFF"/],
      ["a KMS alias as the key", () => new Workflow("w", { kmsKeyId: "alias/my-key", definition: ok }), /^Workflow "w": kmsKeyId "alias\/my-key" is not a KMS key's ARN; the workflow's role and callers' grants name the key by its ARN/],
      ["a key that is not a string", () => new Workflow("w", { kmsKeyId: 123 as unknown as string, definition: ok }), /^Workflow "w": kmsKeyId 123 is not a KMS key's ARN/],
      ["a region that is not a region", () => new Workflow("w", { region: "Europe", definition: ok }), /^Workflow "w": region "Europe" is not an AWS region name/],
      ["a wildcard permission", () => new Workflow("w", { permissions: [{ actions: ["dynamodb:*"], resources: ["*"] }], definition: ok }), /^Workflow "w": permissions\[0\]\.actions "dynamodb:\*" is a wildcard/],
      ["a permission reusing the workflow's statement id", () => new Workflow("w", { permissions: [{ sid: "DeliverLogs", actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:q"] }], definition: ok }), /^Workflow "w": permissions "DeliverLogs" is a statement id the workflow's own statements use/],
      ["a name Step Functions refuses", () => new Workflow("w.v2", { definition: ok }), /^Workflow "w\.v2": name "w\.v2" makes the Step Functions state machine name "w\.v2-state-machine-<random suffix>" hold "\."/],
      // The role (IAM's 64) binds before the state machine (80): `<name>-role-` and 7 random characters.
      ["a name too long for the role", () => new Workflow("w".repeat(60), { definition: ok }), /makes the IAM role name "w{60}-role-<random suffix>" 73 characters, over IAM's 64\. Use a component name of at most 51 characters/],
      ["no definition", () => new Workflow("w", {} as never), /^Workflow "w": definition \(not set\) is required/],
      ["an environment key Lambda refuses", () => new Workflow("w", { definition: ok }).environment("1X"), /^Workflow "w": environment key "1X" is not a Lambda environment variable name/],
      ["task answers by something that is not a LambdaFunction", () => new Workflow("w", { definition: { StartAt: "A", States: { A: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", Parameters: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", MessageBody: { "TaskToken.$": "$$.Task.Token" } }, End: true } } }, permissions: [{ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:q"] }] }).grantTaskResponse("arn:aws:lambda:us-east-1:123456789012:function:approver" as never), /^Workflow "w": grantTaskResponse\(fn\) "arn:aws:lambda:us-east-1:123456789012:function:approver" is not a LambdaFunction\. Pass the LambdaFunction whose handler calls SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat with a Task's token, e\.g\. workflow\.grantTaskResponse\(approver\)\./],
      ["task answers of a workflow no Task of which waits for a token", () => new Workflow("w", { definition: { StartAt: "A", States: { A: { Type: "Task", Resource: fn("rw4"), End: true } } } }).grantTaskResponse(fn("rw5")), /^Workflow "w": grantTaskResponse\(fn\) "rw5" is asked of a workflow none of whose Tasks waits for a task token \(a Resource ending \.waitForTaskToken\) or runs a job \(\.sync\).* Grant it on the workflow whose Task waits/],
      ["reads of an EXPRESS workflow", () => new Workflow("w", { type: "EXPRESS", definition: ok }).grants.read(), /^Workflow "w": grants\.read\(\) "EXPRESS" is asked of an EXPRESS workflow, whose executions Step Functions keeps no history of/],
    ])("%s", (_, build, message) => {
      expect(build).toThrow(message);
    });
  });

  it("takes a JSONata state in a JSONPath definition (converting one state at a time), and JSONata states that say so in a JSONata one", () => {
    const pass = (language: string) => ({ Type: "Pass" as const, QueryLanguage: language, End: true });
    expect(() => new Workflow("convert", { definition: { StartAt: "A", States: { A: pass("JSONata") } } })).not.toThrow();
    expect(() => new Workflow("convert2", { definition: { QueryLanguage: "JSONPath", StartAt: "A", States: { A: pass("JSONata") } } })).not.toThrow();
    expect(() => new Workflow("all", { definition: { QueryLanguage: "JSONata", StartAt: "A", States: { A: pass("JSONata") } } })).not.toThrow();
  });
});

/**
 * The escapes of an intrinsic function's quoted argument as AWS reads them: `\'`, `\{`, `\}` and `\\` and no other
 * ("Reserved characters in intrinsic functions", the developer guide's intrinsic functions page; `\"` refused with
 * InvalidDefinition in LocalStack's AWS-recorded test_illegal_escapes). Each value below is the definition's string as
 * the state machine reads it (one backslash of `\\` in the TypeScript source).
 */
describe("aslProblems reads the escapes of an intrinsic function's quoted arguments as AWS does", () => {
  const pass = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ StartAt: "P", States: { P: { Type: "Pass" as const, ...fields, End: true } }, ...extra });

  it("takes \\\\ (an escaped backslash), \\', \\{ and \\}, in Parameters, nested templates, ItemSelector, ResultSelector and Assign", () => {
    expect(aslProblems(pass({ Parameters: { "path.$": "States.Format('C:\\\\temp\\\\{}', $.name)" } }))).toEqual([]);
    expect(aslProblems(pass({ Parameters: { body: { "text.$": "States.Format('It\\'s \\{\\} or {}', $.name)", list: [{ "one.$": "States.Array('\\\\', 'a\\'b')" }] } } }))).toEqual([]);
    const map = {
      StartAt: "M",
      States: {
        M: {
          Type: "Map",
          ItemSelector: { "key.$": "States.Format('{}\\\\{}', $.a, $.b)" },
          ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f", ResultSelector: { "s.$": "States.Format('\\\\{}', $.x)" }, Assign: { "v.$": "States.Array('\\}')" }, End: true } } },
          End: true,
        },
      },
    };
    expect(aslProblems(map)).toEqual([]);
  });

  it("refuses \\\" (the escape AWS is recorded refusing), naming the state, the field, the value, what AWS answers and the fix", () => {
    const quoted = "States.Format('He said, \\\"Hello, {}!\\\"', $.name)";
    expect(aslProblems(pass({ Parameters: { "greeting.$": quoted } }))).toEqual([
      `state "P" field Parameters["greeting.$"] ${JSON.stringify(quoted)} escapes '"' with a backslash in a quoted argument, which Step Functions refuses: only \\', \\{, \\} and \\\\ are escapes in an intrinsic function's quoted argument (CreateStateMachine answers "SCHEMA_VALIDATION_FAILED: The value for the field 'greeting.$' must be a valid JSONPath or a valid intrinsic function call"); write '"' without the backslash, or \\\\" ("\\\\\\\\\\"" in the definition's JSON) for a backslash before it`,
    ]);
    // Once each, in a nested state.
    const nested = { StartAt: "F", States: { F: { Type: "Parallel", Branches: [{ StartAt: "T", States: { T: { Type: "Pass", Parameters: { list: [{ "lines.$": "States.Format('\\\"a\\\" \\\"{}\\\"', $.x)" }] }, End: true } } }], End: true } } };
    const problems = aslProblems(nested);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^state "T" field Parameters\.list\[0\]\["lines\.\$"\] .* escapes '"' with a backslash in a quoted argument, which Step Functions refuses: .*; write '"' without the backslash/);
  });

  it("does not judge an escape AWS is not recorded refusing (\\n, \\t, \\d): no finding on a guess, where asl-path-validator alone refused \\n", () => {
    expect(aslProblems(pass({ Parameters: { "lines.$": "States.Format('a\\nb\\tc\\d{}', $.x)" } }))).toEqual([]);
  });

  it("leaves escapes outside intrinsic functions' quoted arguments alone: plain strings, paths, a Pass state's Result, JSONata states", () => {
    expect(aslProblems(pass({ Parameters: { text: "a \\\" b \\n c \\\\", "name.$": "$['a\\\"b']", "fn.$": "States.Format($.template, $['x\\\"y'])" } }))).toEqual([]);
    expect(aslProblems(pass({ Result: { "not_an_intrinsic_function.$": "States.StringToJson('{\"text\":\"An \\\"escaped\\\" quote\"}')" } }))).toEqual([]);
    expect(aslProblems(pass({ Assign: { "v.$": "States.Format('\\\"')" } }, { QueryLanguage: "JSONata" }))).toEqual([]);
  });

  it("warns of a Fail state's ErrorPath and CausePath escape, inferred (not recorded) refused: no refusal, and a Workflow is built", () => {
    const fail = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ StartAt: "F", States: { F: { Type: "Fail" as const, ...fields } }, ...extra });
    const quoted = "States.Format('said \\\"{}\\\"', $.why)";
    const both = fail({ ErrorPath: "States.Format('a\\\\{}', $.code)", CausePath: quoted });
    expect(aslProblems(both)).toEqual([]);
    expect(failPathEscapeWarnings(both)).toEqual([
      {
        problem: `state "F" field CausePath ${JSON.stringify(quoted)} escapes '"' with a backslash in a quoted argument, which Step Functions is inferred to refuse (its refusal of \\" is recorded for a payload template's intrinsic function, and a Fail state's path is read by the same intrinsic function parser; not recorded here): only \\', \\{, \\} and \\\\ are escapes in an intrinsic function's quoted argument`,
        fix: `write '"' without the backslash, or \\\\" ("\\\\\\\\\\"" in the definition's JSON) for a backslash before it`,
      },
    ]);
    expect(failPathEscapeWarnings(fail({ ErrorPath: quoted }))[0].problem).toMatch(/^state "F" field ErrorPath /);
    // A Fail state inside a Parallel branch is read too, as asl-validator reads it.
    expect(failPathEscapeWarnings({ StartAt: "P", States: { P: { Type: "Parallel", End: true, Branches: [fail({ CausePath: quoted })] } } })).toHaveLength(1);
    expect(failPathEscapeWarnings(fail({ ErrorPath: "$['a\\\"b']", CausePath: "$.why" }))).toEqual([]);
    expect(failPathEscapeWarnings(fail({ CausePath: quoted }, { QueryLanguage: "JSONata" }))).toEqual([]);
    expect(() => new Workflow("fail-esc", { definition: fail({ CausePath: quoted }) })).not.toThrow();
  });

  it("refuses a Workflow whose definition has one, at construction", () => {
    const build = () => new Workflow("esc", { definition: pass({ Parameters: { "greeting.$": "States.Format('\\\"{}\\\"', $.name)" } }) });
    expect(build).toThrow(ComponentArgError);
    expect(build).toThrow(/^Workflow "esc": definition .* is not valid Amazon States Language: state "P" field Parameters\["greeting\.\$"\] .* escapes '"' with a backslash in a quoted argument, which Step Functions refuses: .*; write '"' without the backslash.*\. Fix the definition/);
  });
});
