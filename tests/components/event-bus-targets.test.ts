/**
 * EventBus targets beyond LambdaFunctions: a MessageQueue (standard, and FIFO with a message group) under the queue's
 * one policy, which lets the bus's rules send; a Workflow (STANDARD or EXPRESS) started as a role of its own trusted by
 * events.amazonaws.com from the rule, allowed StartExecution on that state machine alone; input shaping (input,
 * inputPath, inputTransformer) for any target; and every construction-time refusal.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { EventBus, type EventBusSpec } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { registeredSpecs } from "../../components/spec-registry";
import { Workflow } from "../../components/workflow";
import { checkDeployRules } from "../../testing/deploy-rules";
import { SECURITY_RULES } from "../../testing/security-rules";
import { dependencyClosure, policyDocument, record, resource, useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const PATTERN = { source: ["gallery.photos"] };
const PASS = { StartAt: "Done", States: { Done: { Type: "Pass" as const, End: true } } };

beforeAll(() => useMocks());

const securityFindings = (graph: Awaited<ReturnType<typeof record>>) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention"));
const deployFindings = (graph: Awaited<ReturnType<typeof record>>) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
const specOf = (name: string) => registeredSpecs<EventBusSpec>("EventBus").find((s) => s.name === name)!.spec;

describe("EventBus targets", () => {
  it("sends to a standard MessageQueue that lists the bus: the queue's one policy lets the bus's rules send, and the target waits for it", async () => {
    const graph = await record(() => {
      const bus = new EventBus("ebq", {});
      const queue = new MessageQueue("ebq-work", { consumer: { function: new LambdaFunction("ebq-worker", { entry }) }, eventBuses: [bus] });
      bus.subscribe("jobs", queue, { pattern: PATTERN, inputPath: "$.detail" });
    });
    const bus = graph.find((r) => r.type === "aws:cloudwatch/eventBus:EventBus" && r.name === "ebq-bus")!;
    const queue = resource(graph, QUEUE, "ebq-work-queue");
    const policy = resource(graph, QUEUE_POLICY, "ebq-work-queue-policy");
    expect(policyDocument(policy.inputs.policy).Statement).toContainEqual({
      Sid: "EventBusRulesSend",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queue.state.arn,
      Condition: { ArnEquals: { "aws:SourceArn": [`arn:aws:events:us-east-1:123456789012:rule/${bus.state.name}/*`] } },
    });
    const target = resource(graph, TARGET, "ebq-jobs");
    // The rule's own ARN is one the policy's pattern covers.
    expect(String(resource(graph, "aws:cloudwatch/eventRule:EventRule", "ebq-jobs").state.arn).startsWith(`arn:aws:events:us-east-1:123456789012:rule/${bus.state.name}/`)).toBe(true);
    expect(target.inputs).toMatchObject({ targetId: "queue", arn: queue.state.arn, inputPath: "$.detail" });
    expect(target.inputs.sqsTarget).toBeUndefined();
    expect(target.inputs.roleArn).toBeUndefined();
    expect(dependencyClosure(graph, target).has(policy.urn)).toBe(true);
    expect(specOf("ebq").subscriptions).toEqual([expect.objectContaining({ name: "jobs", target: "sqs", queue: "ebq-work", fifo: false, inputPath: "$.detail", targetId: "queue" })]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("sends to a FIFO MessageQueue in the subscription's message group", async () => {
    const graph = await record(() => {
      const bus = new EventBus("ebfifo", {});
      const queue = new MessageQueue("ebfifo-work", { fifo: true, contentBasedDeduplication: true, consumer: { function: new LambdaFunction("ebfifo-worker", { entry }) }, eventBuses: [bus] });
      bus.subscribe("jobs", queue, { pattern: PATTERN, messageGroupId: "photos" });
    });
    expect(resource(graph, TARGET, "ebfifo-jobs").inputs.sqsTarget).toEqual({ messageGroupId: "photos" });
    expect(specOf("ebfifo").subscriptions).toEqual([expect.objectContaining({ target: "sqs", fifo: true, messageGroupId: "photos" })]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("sends to a FIFO MessageQueue through an input transformer that carries the event's id, and a detail path: bodies that differ per event", async () => {
    const graph = await record(() => {
      const bus = new EventBus("ebfx", {});
      const queue = new MessageQueue("ebfx-work", { fifo: true, contentBasedDeduplication: true, consumer: { function: new LambdaFunction("ebfx-worker", { entry }) }, eventBuses: [bus] });
      bus.subscribe("jobs", queue, { pattern: PATTERN, messageGroupId: "g", inputTransformer: { inputPaths: { kind: "$.detail-type", id: "$.id" }, inputTemplate: '{"kind":"<kind>","id":"<id>","rule":"<aws.events.rule-name>"}' } });
      bus.subscribe("details", queue, { pattern: PATTERN, messageGroupId: "g", inputPath: "$.detail" });
    });
    expect(resource(graph, TARGET, "ebfx-jobs").inputs.inputTransformer.inputPaths).toEqual({ kind: "$.detail-type", id: "$.id" });
    expect(deployFindings(graph)).toEqual([]);
  });

  it.each(["STANDARD", "EXPRESS"] as const)("starts a %s Workflow as a role trusted by events.amazonaws.com from the rule, allowed StartExecution on that state machine only", async (type) => {
    const name = `ebw${type[0].toLowerCase()}`;
    const graph = await record(() => {
      const bus = new EventBus(name, {});
      const workflow = new Workflow(`${name}-flow`, { type, definition: PASS });
      bus.subscribe("flow", workflow, { pattern: PATTERN, inputTransformer: { inputPaths: { photo: "$.detail.id" }, inputTemplate: '{"photo": <photo>, "rule": "<aws.events.rule-name>"}' } });
    });
    const rule = resource(graph, RULE, `${name}-flow`);
    const machine = resource(graph, "aws:sfn/stateMachine:StateMachine", `${name}-flow-state-machine`);
    const role = resource(graph, ROLE, `${name}-flow-target-role`);
    expect(policyDocument(role.inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnEquals: { "aws:SourceArn": rule.state.arn } } },
    ]);
    const rolePolicy = resource(graph, ROLE_POLICY, `${name}-flow-target-policy`);
    expect(policyDocument(rolePolicy.inputs.policy).Statement).toEqual([{ Sid: "StartWorkflow", Effect: "Allow", Action: ["states:StartExecution"], Resource: [machine.state.arn] }]);
    const target = resource(graph, TARGET, `${name}-flow`);
    expect(target.inputs).toMatchObject({ targetId: "workflow", arn: machine.state.arn, roleArn: role.state.arn, inputTransformer: { inputPaths: { photo: "$.detail.id" }, inputTemplate: '{"photo": <photo>, "rule": "<aws.events.rule-name>"}' } });
    expect(dependencyClosure(graph, target).has(rolePolicy.urn)).toBe(true);
    expect(specOf(name).subscriptions).toEqual([expect.objectContaining({ target: "sfn", workflow: `${name}-flow`, workflowType: type })]);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("sends a constant input to a function", async () => {
    const graph = await record(() => new EventBus("ebi", {}).subscribe("fn", new LambdaFunction("ebi-fn", { entry }), { pattern: PATTERN, input: { kind: "refresh" } }));
    expect(resource(graph, TARGET, "ebi-fn").inputs).toMatchObject({ targetId: "function", input: '{"kind":"refresh"}' });
    expect(specOf("ebi").subscriptions[0]).toMatchObject({ target: "lambda", input: '{"kind":"refresh"}' });
  });

  describe("refuses at construction", () => {
    const worker = (name: string) => new LambdaFunction(name, { entry });
    const ok = { pattern: PATTERN };
    it.each([
      [
        "a queue that does not list the bus",
        () => new EventBus("r1", {}).subscribe("q", new MessageQueue("r1-q", { consumer: { function: worker("r1-w") } }), ok),
        /^EventBus "r1": subscribe\("q"\) queue "r1-q" does not list this bus in its eventBuses, so its policy would not let EventBridge send to it and every delivery would fail\. Add the bus to the MessageQueue's arguments: eventBuses: \[r1\]\./,
      ],
      [
        "a FIFO queue without a message group",
        () => {
          const bus = new EventBus("r2", {});
          bus.subscribe("q", new MessageQueue("r2-q", { fifo: true, contentBasedDeduplication: true, consumer: { function: worker("r2-w") }, eventBuses: [bus] }), ok);
        },
        /^EventBus "r2": subscribe\("q"\) messageGroupId \(not set\) is required: "r2-q" is a FIFO queue, and SQS refuses a FIFO message without a message group/,
      ],
      [
        "a FIFO queue without content-based deduplication",
        () => {
          const bus = new EventBus("r3", {});
          bus.subscribe("q", new MessageQueue("r3-q", { fifo: true, consumer: { function: worker("r3-w") }, eventBuses: [bus] }), { ...ok, messageGroupId: "g" });
        },
        /queue "r3-q" is a FIFO queue without content-based deduplication; EventBridge sends no deduplication id.*Set contentBasedDeduplication: true/,
      ],
      [
        "a message group of 129 characters",
        () => {
          const bus = new EventBus("r4", {});
          bus.subscribe("q", new MessageQueue("r4-q", { fifo: true, contentBasedDeduplication: true, consumer: { function: worker("r4-w") }, eventBuses: [bus] }), { ...ok, messageGroupId: "g".repeat(129) });
        },
        /messageGroupId "g{129}" is not 1–128 letters, digits and punctuation/,
      ],
      [
        "a constant input for a FIFO queue, whose deduplication would drop every event after the first",
        () => {
          const bus = new EventBus("r4c", {});
          bus.subscribe("q", new MessageQueue("r4c-q", { fifo: true, contentBasedDeduplication: true, consumer: { function: worker("r4c-w") }, eventBuses: [bus] }), { ...ok, messageGroupId: "g", input: { kind: "tick" } });
        },
        /^EventBus "r4c": subscribe\("q"\) input .* is a constant body for the FIFO queue "r4c-q", whose content-based deduplication would drop every event after the first in each 5 minutes\. Leave input out/,
      ],
      [
        "an input transformer for a FIFO queue whose template reads only the rule's name, and a detail-type path: the same body for every event",
        () => {
          const bus = new EventBus("r4t", {});
          const inputTransformer = { inputPaths: { kind: "$.detail-type" }, inputTemplate: '{"kind":"<kind>","rule":"<aws.events.rule-name>"}' };
          bus.subscribe("q", new MessageQueue("r4t-q", { fifo: true, contentBasedDeduplication: true, consumer: { function: worker("r4t-w") }, eventBuses: [bus] }), { ...ok, messageGroupId: "g", inputTransformer });
        },
        /^EventBus "r4t": subscribe\("q"\) inputTransformer\.inputTemplate .* reads nothing that differs between events of an event type .* for the FIFO queue "r4t-q", whose content-based deduplication would drop every event after the first in each 5 minutes\. Leave inputTransformer out.*inputPaths: \{ id: "\$\.id" \}/,
      ],
      [
        "an input path to the detail-type for a FIFO queue",
        () => {
          const bus = new EventBus("r4p", {});
          bus.subscribe("q", new MessageQueue("r4p-q", { fifo: true, contentBasedDeduplication: true, consumer: { function: worker("r4p-w") }, eventBuses: [bus] }), { ...ok, messageGroupId: "g", inputPath: "$.detail-type" });
        },
        /^EventBus "r4p": subscribe\("q"\) inputPath "\$\.detail-type" selects a field that takes one or a few values for the events of an event type, so the body repeats for the FIFO queue "r4p-q".*Leave inputPath out/,
      ],
      [
        "a message group for a function",
        () => new EventBus("r5", {}).subscribe("f", worker("r5-w"), { ...ok, messageGroupId: "g" }),
        /^EventBus "r5": subscribe\("f"\) messageGroupId "g" is set for the function "r5-w"; a message group is a FIFO queue's \(EventBridge's SqsParameters apply to an SQS target only\)\. Leave messageGroupId out/,
      ],
      [
        "a message group for a workflow",
        () => new EventBus("r5w", {}).subscribe("w", new Workflow("r5w-w", { definition: PASS }), { ...ok, messageGroupId: "g" }),
        /^EventBus "r5w": subscribe\("w"\) messageGroupId "g" is set for the workflow "r5w-w"; a message group is a FIFO queue's/,
      ],
      [
        "a message group for a standard queue",
        () => {
          const bus = new EventBus("r6", {});
          bus.subscribe("q", new MessageQueue("r6-q", { consumer: { function: worker("r6-w") }, eventBuses: [bus] }), { ...ok, messageGroupId: "g" });
        },
        /messageGroupId "g" is set for the standard queue "r6-q"; a message group is a FIFO queue's/,
      ],
      [
        "a queue of another region",
        () => {
          const bus = new EventBus("r7", { region: "us-west-2" });
          bus.subscribe("q", new MessageQueue("r7-q", { region: "eu-west-1", consumer: { function: new LambdaFunction("r7-w", { entry, region: "eu-west-1" }) }, eventBuses: [bus] }), ok);
        },
        /^EventBus "r7": subscribe\("q"\) queue "r7-q" is in eu-west-1, but the bus is in us-west-2; EventBridge sends to an SQS target in the rule's region only\. Create the queue in us-west-2/,
      ],
      [
        "a workflow of another region",
        () => new EventBus("r8", { region: "us-west-2" }).subscribe("w", new Workflow("r8-w", { region: "eu-west-1", definition: PASS }), ok),
        /^EventBus "r8": subscribe\("w"\) workflow "r8-w" is in eu-west-1, but the bus is in us-west-2; EventBridge starts a Step Functions target in the rule's region only/,
      ],
      ["input and inputPath together", () => new EventBus("r9", {}).subscribe("f", worker("r9-w"), { ...ok, input: {}, inputPath: "$.detail" }), /^EventBus "r9": subscribe\("f"\) input, inputPath \["input","inputPath"\] are given together; a rule target takes one of input, inputPath and inputTransformer\. Keep one of them\./],
      ["an input over 8192 characters", () => new EventBus("r10", {}).subscribe("f", worker("r10-w"), { ...ok, input: "x".repeat(8191) }), /input "8193 characters" is over the 8192 characters EventBridge takes/],
      ["an input path that is no JSON path", () => new EventBus("r11", {}).subscribe("f", worker("r11-w"), { ...ok, inputPath: "detail" }), /inputPath "detail" is not a JSON path of at most 256 characters/],
      [
        "101 input paths",
        () => new EventBus("r12", {}).subscribe("f", worker("r12-w"), { ...ok, inputTransformer: { inputPaths: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, "$.id"])), inputTemplate: "<v0>" } }),
        /inputTransformer\.inputPaths "101 variables" is over the 100 variables an input transformer takes/,
      ],
      ["a variable named with a dot", () => new EventBus("r13", {}).subscribe("f", worker("r13-w"), { ...ok, inputTransformer: { inputPaths: { "a.b": "$.id" }, inputTemplate: "<a.b>" } }), /inputTransformer\.inputPaths "a\.b" is not a variable name EventBridge takes/],
      ["a variable starting with AWS", () => new EventBus("r14", {}).subscribe("f", worker("r14-w"), { ...ok, inputTransformer: { inputPaths: { AWSid: "$.id" }, inputTemplate: "<AWSid>" } }), /inputPaths "AWSid" is not a variable name/],
      ["a template over 8192 characters", () => new EventBus("r15", {}).subscribe("f", worker("r15-w"), { ...ok, inputTransformer: { inputTemplate: "x".repeat(8193) } }), /inputTransformer\.inputTemplate "x{8193}" is not a template of 1–8192 characters/],
      ["an undefined placeholder", () => new EventBus("r16", {}).subscribe("f", worker("r16-w"), { ...ok, inputTransformer: { inputPaths: { a: "$.id" }, inputTemplate: '{"b": <b>}' } }), /inputTransformer\.inputTemplate "<b>" names a variable that inputPaths does not define and that is not predefined/],
    ])("%s", (_, build, message) => {
      expect(build).toThrow(message);
    });
  });
});
