/**
 * LambdaFailureDestination beyond its failing fixtures (fixtures/events.ts): no false alarm on what LambdaFunction and
 * DataTier build, on IAM wildcards or on a grant from an AWS managed policy; every destination type and on-success
 * destinations are checked; a role whose policies cannot all be read is left alone. And ApiGatewayDomainCertificateRegion
 * passes a v2 domain with a certificate from its own region.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { LambdaFunction } from "../../components/lambda/function";
import { mutate, record } from "../../testing/harness";
import { checkDeployRules, formatFinding, LAMBDA_FAILURE_DESTINATION } from "../../testing/deploy-rules";
import { devContext, handBuilt, of, withInputs } from "./fixture";
import { bucketEvents, scheduledFunction, streamSubscription } from "./fixtures/events";
import { realtimeOnDomain } from "./fixtures/route53";

const INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const DYNAMODB_EXECUTION_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole";

const all = (graph: readonly RecordedResource[]) => checkDeployRules(graph, devContext).map(formatFinding);
const problems = (graph: readonly RecordedResource[]) => LAMBDA_FAILURE_DESTINATION.check(graph, devContext).map((f) => f.problem);

/** `graph` with the statements of role policy `name` replaced by `change(statements)`. */
function withStatements(graph: readonly RecordedResource[], name: string, change: (statements: Array<Record<string, any>>) => Array<Record<string, any>>) {
  return mutate(graph, (r) => r.type === ROLE_POLICY && r.name === name, (p) => withInputs(p, { policy: JSON.stringify({ Version: "2012-10-17", Statement: change(JSON.parse(p.inputs.policy).Statement) }) }));
}

/** The stream subscription with its stream statement taken out, and AWSLambdaDynamoDBExecutionRole attached to the role instead. */
async function streamReadFromManagedPolicy(mappingWaits: boolean) {
  const graph = withStatements(await streamSubscription(), "ds-counters-stream-policy", (s) => s.filter((x) => x.Sid !== "GalleryStream"));
  const role = graph.find((r) => r.type === "aws:iam/role:Role" && r.name === "ds-counters-role")!;
  const attachment = handBuilt("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ds-counters-stream-read", { role: role.id, policyArn: DYNAMODB_EXECUTION_ROLE });
  return [...mutate(graph, of(MAPPING), (m) => (mappingWaits ? { ...m, dependencies: [...m.dependencies, attachment.urn] } : m)), attachment];
}

describe("LambdaFailureDestination", () => {
  it("passes what LambdaFunction and DataTier build: a failure queue, and a stream subscription with its queue", async () => {
    expect(all(await bucketEvents())).toEqual([]);
    expect(all(await streamSubscription())).toEqual([]);
  });

  it("passes LambdaFunction's on-failure and on-success destinations of every kind", async () => {
    for (const [type, arn] of [
      ["sqs", "arn:aws:sqs:us-east-1:123456789012:records"],
      ["sns", "arn:aws:sns:us-east-1:123456789012:records"],
      ["lambda", "arn:aws:lambda:us-east-1:123456789012:function:records"],
      ["eventbridge", "arn:aws:events:us-east-1:123456789012:event-bus/records"],
    ] as const) {
      const graph = await record(() => new LambdaFunction("dest", { entry: "tests/fixtures/handlers/echo.ts", asyncInvoke: { onFailure: { type, arn: `${arn}-failed` }, onSuccess: { type, arn } } }));
      expect(all(graph)).toEqual([]);
    }
  });

  it("takes IAM wildcards in actions and resources for a grant", async () => {
    const graph = withStatements(await bucketEvents(), "ev-thumb-policy", (s) => s.map((x) => (x.Sid === "SendFailedEvents" ? { ...x, Action: "SQS:Send*", Resource: "arn:aws:sqs:us-east-1:123456789012:ev-thumb-*" } : x)));
    expect(problems(graph)).toEqual([]);
  });

  it("takes the stream reads from AWSLambdaDynamoDBExecutionRole, and wants the mapping to wait for its attachment", async () => {
    expect(problems(await streamReadFromManagedPolicy(true))).toEqual([]);
    expect(problems(await streamReadFromManagedPolicy(false))).toEqual([
      expect.stringMatching(/^does not depend on ds-counters-stream-read, which grants ds-counters-role dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator, dynamodb:ListStreams on the stream /),
    ]);
  });

  it("leaves a role alone when one of its policies cannot be read (a managed policy from outside the program)", async () => {
    const graph = withStatements(await bucketEvents(), "ev-thumb-policy", (s) => s.filter((x) => x.Sid !== "SendFailedEvents"));
    const role = graph.find((r) => r.type === "aws:iam/role:Role")!;
    const unknown = handBuilt("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ev-thumb-shared", { role: role.id, policyArn: "arn:aws:iam::123456789012:policy/shared-by-another-stack" });
    expect(problems([...graph, unknown])).toEqual([]);
  });

  it.each([
    ["an SNS topic", "arn:aws:sns:us-east-1:123456789012:outcomes", "sns:Publish on it"],
    ["a function", "arn:aws:lambda:us-east-1:123456789012:function:outcomes", "lambda:InvokeFunction on it"],
    ["an event bus", "arn:aws:events:us-east-1:123456789012:event-bus/outcomes", "events:PutEvents on it"],
  ])("wants the send action on an on-success destination that is %s", async (_, destination, missing) => {
    const graph = mutate(await bucketEvents(), of(INVOKE_CONFIG), (c) => withInputs(c, { destinationConfig: { ...c.inputs.destinationConfig, onSuccess: { destination } } }));
    expect(problems(graph)).toEqual([expect.stringMatching(new RegExp(`^sends on-success records to the \\S+( bus)? ${destination}, but its function's role ev-thumb-role may not ${missing};`))]);
  });

  it("wants s3:PutObject on the objects and s3:ListBucket on an S3 bucket destination (Lambda's table of destination permissions)", async () => {
    const graph = mutate(await bucketEvents(), of(INVOKE_CONFIG), (c) => withInputs(c, { destinationConfig: { onFailure: { destination: "arn:aws:s3:::failed-events" } } }));
    expect(problems(graph)).toEqual([
      expect.stringMatching(/^sends on-failure records to the bucket arn:aws:s3:::failed-events, but its function's role ev-thumb-role may not s3:PutObject on arn:aws:s3:::failed-events\/\*;/),
      expect.stringMatching(/^sends on-failure records to the bucket arn:aws:s3:::failed-events, but its function's role ev-thumb-role may not s3:ListBucket on it;/),
    ]);
    const allowed = withStatements(graph, "ev-thumb-policy", (s) => [...s, { Effect: "Allow", Action: ["s3:PutObject", "s3:ListBucket"], Resource: ["arn:aws:s3:::failed-events", "arn:aws:s3:::failed-events/*"] }]);
    expect(problems(allowed)).toEqual([]);
  });

  it("passes a stream mapping whose FIFO queue destination its role may send to (no FIFO rule for event source mappings in Lambda's docs)", async () => {
    const fifo = "arn:aws:sqs:us-east-1:123456789012:ds-counters-failures.fifo";
    const graph = withStatements(
      mutate(await streamSubscription(), of(MAPPING), (m) => withInputs(m, { destinationConfig: { onFailure: { destinationArn: fifo } } })),
      "ds-counters-stream-policy",
      (s) => [...s, { Effect: "Allow", Action: "sqs:SendMessage", Resource: fifo }],
    );
    expect(problems(graph)).toEqual([]);
  });
});

describe("SchedulerTarget", () => {
  const SCHEDULER_TARGET = "SchedulerTarget";
  const schedulerProblems = (graph: readonly RecordedResource[]) => checkDeployRules(graph, devContext).filter((f) => f.rule === SCHEDULER_TARGET).map((f) => f.problem);

  it("does not say a role may not invoke the target when one of its managed policies cannot be read (AWSLambdaRole, or another stack's)", async () => {
    const graph = withStatements(await scheduledFunction(), "ev-cron-schedule-policy", (s) => s.filter((x) => x.Sid !== "InvokeScheduledFunction"));
    expect(schedulerProblems(graph)).toEqual([expect.stringMatching(/may not lambda:InvokeFunction/)]);
    const role = graph.find((r) => r.type === "aws:iam/role:Role" && r.name === "ev-cron-schedule-role")!;
    const unknown = handBuilt("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ev-cron-invoke", { role: role.id, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaRole" });
    expect(schedulerProblems([...graph, unknown])).toEqual([]);
  });

  it("still checks that scheduler.amazonaws.com may assume such a role", async () => {
    const graph = await scheduledFunction();
    const role = graph.find((r) => r.type === "aws:iam/role:Role" && r.name === "ev-cron-schedule-role")!;
    const unknown = handBuilt("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ev-cron-invoke", { role: role.id, policyArn: "arn:aws:iam::123456789012:policy/shared-by-another-stack" });
    const untrusted = mutate([...graph, unknown], (r) => r === role, (r) => withInputs(r, { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
    expect(schedulerProblems(untrusted)).toEqual([expect.stringMatching(/^runs as ev-cron-schedule-role, which scheduler\.amazonaws\.com cannot assume/)]);
  });
});

describe("ApiGatewayDomainCertificateRegion on an API Gateway v2 domain", () => {
  it("passes a certificate from the domain's own region", async () => {
    expect(all(await realtimeOnDomain("arn:aws:acm:us-east-1:123456789012:certificate/live"))).toEqual([]);
  });
});
