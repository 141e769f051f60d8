/**
 * EventBus targets under `npm start`, end to end: the program's real EventBus, MessageQueues and Workflow, recorded and
 * served by the local runtime (startLocalApp). PutEvents through @aws-sdk/client-eventbridge; the matched event read
 * from the queues with @aws-sdk/client-sqs (a standard queue's message shaped by an input transformer, a FIFO queue's
 * the event's detail in the subscription's message group) and the execution it started with @aws-sdk/client-sfn
 * (ListExecutions, DescribeExecution). Then input shaping as EventBridge documents it, and a Workflow target whose role
 * may not start the state machine: not retried, moved to the dead-letter queue. A Topic target: the local SNS gets each
 * matched event as the message (the whole event, or the input transformer's output) and fans it out to a queue
 * subscribed raw; a topic that is not served is not retried, its event moved to the dead-letter queue.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EventBus, type EventBusSpec, type EventBusTopicSubscriptionSpec, type EventBusWorkflowSubscriptionSpec } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import { Workflow } from "../../components/workflow";
import { fillTemplate, jsonPath, targetInputText } from "../../local/eventbridge-input";
import type { EventBridgeEvent } from "../../local/eventbridge-server";
import { deliverToTarget, localBusDefinitions, type EventBusDelivery } from "../../local/services/event-buses";
import type { RecordedResource } from "../../local/offline/mocks";
import type { LocalQueuesService } from "../../local/services/queues";
import { LocalSns } from "../../local/sns-server";
import { LocalSqs } from "../../local/sqs-server";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { startLocalApp, type LocalApp } from "../../local/start";
import { queueDefinition } from "./sqs-helpers";

const entry = "tests/fixtures/handlers/echo.ts";
const REGION = "us-east-1";
const PASS = { StartAt: "Done", States: { Done: { Type: "Pass" as const, End: true } } };
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const dir = mkdtempSync(join(tmpdir(), "sf-event-bus-targets-"));
let app: LocalApp;
let outputs: { busName: string; jobsQueue: string; orderedQueue: string; flowArn: string; ruleName: string; inboxQueue: string; topicRuleName: string };

/**
 * Deliveries for localBusDefinitions retried at once, to `sqs`'s dead-letter queues, through a graph that counts each
 * scan the deliveries make of `resources` (Array find or filter).
 */
function countingScans(resources: RecordedResource[], sqs: LocalSqs) {
  let scans = 0;
  const graph = new Proxy(resources, { get: (target, key, receiver) => ((scans += key === "find" || key === "filter" ? 1 : 0), Reflect.get(target, key, receiver)) });
  const tracked: Array<Promise<unknown>> = [];
  const delivery: EventBusDelivery = {
    invoke: () => async () => null,
    sqs: () => sqs,
    async: { queues: undefined as never, region: REGION, log: () => undefined },
    log: () => undefined,
    track: (pending) => void tracked.push(pending),
    retryDelaysMs: [0],
    graph,
  };
  return { delivery, settled: () => Promise.all(tracked), scans: () => scans };
}

beforeAll(async () => {
  const program = () => {
    const bus = new EventBus("ebl", {});
    const worker = new LambdaFunction("ebl-worker", { entry });
    const jobs = new MessageQueue("ebl-jobs", { consumer: { function: worker }, eventBuses: [bus] });
    const ordered = new MessageQueue("ebl-ordered", { fifo: true, contentBasedDeduplication: true, consumer: { function: worker }, eventBuses: [bus] });
    const flow = new Workflow("ebl-flow", { definition: PASS });
    const pattern = { source: ["gallery.photos"] };
    const transformed = bus.subscribe("jobs", jobs, { pattern, inputTransformer: { inputPaths: { id: "$.detail.id", size: "$.detail.size" }, inputTemplate: '{"photo": <id>, "size": <size>, "note": "photo <id> from <aws.events.rule-name>"}' } });
    bus.subscribe("ordered", ordered, { pattern, messageGroupId: "photos", inputPath: "$.detail" });
    bus.subscribe("flow", flow, { pattern });
    // A Topic whose policy lets the bus's rules publish, fanning out to a queue subscribed raw.
    const alerts = new Topic("ebl-alerts", { kmsKeyId: KEY, servicePublishers: [{ service: "events.amazonaws.com", sourceArn: bus.rulesArn }] });
    const inbox = new MessageQueue("ebl-inbox", { consumer: { function: worker }, topics: [alerts] });
    alerts.subscribeQueue("inbox", inbox, { rawMessageDelivery: true });
    const alertPattern = { source: ["gallery.alerts"] };
    bus.subscribe("alerts", alerts, { pattern: alertPattern });
    const shaped = bus.subscribe("alert-notes", alerts, { pattern: alertPattern, inputTransformer: { inputPaths: { id: "$.detail.id" }, inputTemplate: '"photo <id> from <aws.events.rule-name>"' } });
    return { busName: bus.busName, jobsQueue: jobs.queueName, orderedQueue: ordered.queueName, flowArn: flow.stateMachineArn, ruleName: transformed.rule.name, inboxQueue: inbox.queueName, topicRuleName: shaped.rule.name };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  outputs = app.context.run.outputs as typeof outputs;
  // The queues' consumers would take the messages first: the test reads the queues itself.
  const queues = app.services.find((s) => s.name === "sqs") as LocalQueuesService;
  await Promise.all([...queues.eventSources.values()].map((source) => source.stop()));
});
afterAll(async () => {
  await app?.stop();
});

describe("EventBus targets under npm start", () => {
  it("delivers a matched event to a queue, a FIFO queue in its message group, and a workflow's new execution", async () => {
    const events = new EventBridgeClient({ region: REGION, endpoint: app.urls.eventbridge, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs.busName, Source: "gallery.photos", DetailType: "PhotoUploaded", Detail: JSON.stringify({ id: "p-1", size: 2048 }) }] }));
    expect(put.FailedEntryCount).toBe(0);
    const eventId = put.Entries![0].EventId;

    const queues = app.services.find((s) => s.name === "sqs") as LocalQueuesService;
    const sqs = new SQSClient({ region: REGION, endpoint: app.urls.sqs, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    // Long polls: each answers as soon as EventBridge's message is there.
    const jobs = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.server.queueUrl(outputs.jobsQueue), WaitTimeSeconds: 10 }));
    expect(jobs.Messages?.map((m) => JSON.parse(m.Body!))).toEqual([{ photo: "p-1", size: 2048, note: `photo p-1 from ${outputs.ruleName}` }]);
    const ordered = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.server.queueUrl(outputs.orderedQueue), WaitTimeSeconds: 10, MessageSystemAttributeNames: ["MessageGroupId"] }));
    expect(ordered.Messages?.map((m) => [JSON.parse(m.Body!), m.Attributes?.MessageGroupId])).toEqual([[{ id: "p-1", size: 2048 }, "photos"]]);

    const sfn = new SFNClient({ region: REGION, endpoint: app.urls.sfn, credentials: LOCAL_CREDENTIALS, disableHostPrefix: true, maxAttempts: 1 });
    // The execution is started by the delivery in flight: wait for the condition (ListExecutions), not for a time.
    const listed = await vi.waitFor(
      async () => {
        const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: outputs.flowArn }));
        expect(executions).toHaveLength(1);
        return executions!;
      },
      { timeout: 10_000, interval: 20 },
    );
    const execution = await vi.waitFor(
      async () => {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn: listed[0].executionArn }));
        expect(described.status).toBe("SUCCEEDED");
        return described;
      },
      { timeout: 10_000, interval: 20 },
    );
    // The whole event, as EventBridge starts a state machine with it.
    expect(JSON.parse(execution.input!)).toMatchObject({ id: eventId, source: "gallery.photos", "detail-type": "PhotoUploaded", detail: { id: "p-1", size: 2048 } });
    expect(JSON.parse(execution.output!)).toEqual(JSON.parse(execution.input!));
  });
});

describe("input shaping, as EventBridge documents it (eb-transform-target-input.html)", () => {
  const event: EventBridgeEvent = {
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: "123456789012",
    time: "2015-11-11T21:29:54Z",
    region: "us-east-1",
    resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    detail: { "instance-id": "i-0123456789", state: "RUNNING" },
  };
  const rule = { arn: "arn:aws:events:us-east-2:123456789012:rule/example", name: "example" };
  const paths = { instance: "$.detail.instance-id", state: "$.detail.state" };
  const transform = (inputTemplate: string) => targetInputText({ inputTransformer: { inputPaths: paths, inputTemplate } }, event, rule);

  it.each([
    ["a simple string", '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    ["simple JSON", '{ "instance" : <instance>, "state": <state> }', '{"instance":"i-0123456789","state":"RUNNING"}'],
    ["JSON with strings and variables", '{ "instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>" }', '{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}'],
    ["JSON with variables and static information", '{ "instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes" }', '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}'],
    ["reserved variables in a string", '"<aws.events.rule-name> triggered"', '"example triggered"'],
  ])("%s", (_, template, expected) => {
    expect(transform(template)).toBe(expected);
  });

  it("puts in the rule, the event without detail, the whole event and its time as the predefined variables", () => {
    expect(JSON.parse(transform('{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>, "whole": <aws.events.event.json>}'))).toEqual({
      ruleArn: rule.arn,
      ruleName: "example",
      at: "2015-11-11T21:29:54Z",
      event: { version: "0", id: event.id, "detail-type": event["detail-type"], source: "aws.ec2", account: "123456789012", time: event.time, region: "us-east-1", resources: event.resources },
      whole: event,
    });
  });

  it("sends a constant input, or the part an input path selects", () => {
    expect(targetInputText({ input: '{"kind":"refresh"}' }, event, rule)).toBe('{"kind":"refresh"}');
    expect(targetInputText({ inputPath: "$.detail" }, event, rule)).toBe('{"instance-id":"i-0123456789","state":"RUNNING"}');
    expect(targetInputText({}, event, rule)).toBe(JSON.stringify(event));
    expect(jsonPath(event, "$.resources[0]")).toBe("arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111");
    expect(jsonPath({ items: [{ id: 1 }, { id: 2 }] }, "$.items[*].id")).toEqual([1, 2]);
  });

  it("leaves a variable whose path matches nothing empty in a string and null outside one", () => {
    expect(fillTemplate('{"a": <missing>, "b": "x<missing>y"}', new Map())).toBe('{"a":null,"b":"xy"}');
  });
});

describe("a Workflow target's deliveries", () => {
  const event = { version: "0", id: "e-1", "detail-type": "T", source: "s", account: "123456789012", time: "2026-01-01T00:00:00Z", region: REGION, resources: [], detail: {} } as EventBridgeEvent;
  const bus = () => app.context.run.specs.find((s) => s.kind === "EventBus" && s.name === "ebl")!.spec as EventBusSpec;
  const flow = () => bus().subscriptions.find((s) => s.name === "flow") as EventBusWorkflowSubscriptionSpec;

  /** One event delivered to the `flow` subscription with `graph` as the recorded plan: the outcome, the executions started and the dead-lettered message. */
  const deliverWith = async (graph: RecordedResource[]) => {
    const dlq = String(graph.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "ebl-flow-dlq")!.state.name);
    const sqs = new LocalSqs([queueDefinition(dlq, REGION)]);
    const started: string[] = [];
    const outcome = await deliverToTarget(bus(), flow(), "arn:aws:events:us-east-1:123456789012:rule/b/r", event, {
      invoke: () => async () => null,
      sqs: () => sqs,
      async: { queues: undefined as never, region: REGION, log: () => undefined },
      log: () => undefined,
      track: () => undefined,
      retryDelaysMs: [0],
      graph,
      startExecution: async (arn) => void started.push(arn),
    });
    const [message] = await sqs.receive(dlq, { max: 10 });
    return { outcome, started, message };
  };

  it("are refused without states:StartExecution in the target role's policy: not retried, moved to the dead-letter queue", async () => {
    const { outcome, started, message } = await deliverWith(app.context.run.resources.filter((r) => !(r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "ebl-flow-target-policy")));
    expect(outcome).toBe("dead-lettered");
    expect(started).toEqual([]);
    expect(message.messageAttributes?.ERROR_CODE).toEqual({ DataType: "String", StringValue: "AccessDeniedException" });
    expect(message.messageAttributes?.TARGET_ARN?.StringValue).toBe(outputs.flowArn);
  });

  it("are decided as every role of the plan is: a customer managed policy of the plan grants, an AWS managed one leaves the role unchecked, the refusal in AWS's words", async () => {
    const resources = app.context.run.resources;
    const targetPolicy = resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "ebl-flow-target-policy")!;
    const withoutGrant = resources.filter((r) => r !== targetPolicy);
    const deliver = async (graph: RecordedResource[]) => {
      const { outcome, started, message } = await deliverWith(graph);
      return { outcome, started, error: message?.messageAttributes?.ERROR_MESSAGE?.StringValue };
    };
    const attach = (policyArn: string) => ({ ...targetPolicy, type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "ebl-flow-target-attachment", inputs: { role: targetPolicy.inputs.role, policyArn } }) as RecordedResource;
    const customer = { ...targetPolicy, type: "aws:iam/policy:Policy", name: "ebl-flow-start", inputs: { policy: targetPolicy.inputs.policy }, state: { arn: "arn:aws:iam::123456789012:policy/ebl-flow-start" } } as RecordedResource;
    expect(await deliver([...withoutGrant, customer, attach(String(customer.state.arn))])).toEqual({ outcome: "delivered", started: [outputs.flowArn], error: undefined });
    expect(await deliver([...withoutGrant, attach("arn:aws:iam::aws:policy/AWSStepFunctionsFullAccess")])).toEqual({ outcome: "delivered", started: [outputs.flowArn], error: undefined });
    const refused = await deliver(withoutGrant);
    expect(refused).toMatchObject({ outcome: "dead-lettered", started: [] });
    expect(refused.error).toMatch(new RegExp(`^User: arn:aws:sts::\\d{12}:assumed-role/[^/]+/\\w+ is not authorized to perform: states:StartExecution on resource: ${outputs.flowArn} because no identity-based policy allows the states:StartExecution action$`));
  });

  it("read the state machine and its role's policies once per subscription and region, not per event: one role allowed, one refused", async () => {
    const resources = app.context.run.resources;
    const dlq = String(resources.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "ebl-flow-dlq")!.state.name);
    const sqs = new LocalSqs([queueDefinition(dlq, REGION)]);
    // The worker function's role: its policies do not grant states:StartExecution.
    const otherRole = String(resources.find((r) => r.type === "aws:iam/role:Role" && r.name.startsWith("ebl-worker"))!.state.name);
    const counted = countingScans(resources, sqs);
    const started: string[] = [];
    const refused = { ...flow(), name: "flow-refused", roleName: otherRole };
    const [definition] = await localBusDefinitions([{ ...bus(), subscriptions: [flow(), refused] }], REGION, resources, { ...counted.delivery, startExecution: async (arn) => void started.push(arn) });
    for (const [id, region] of [["e-1", "us-east-1"], ["e-2", "us-east-1"], ["e-3", "eu-west-1"], ["e-4", "eu-west-1"]]) for (const rule of definition.rules) rule.deliver({ ...event, id, region });
    await counted.settled();
    // Per subscription and region: the state machine (find) and the role (find; its policies are one pass, not a find).
    expect(counted.scans()).toBe(2 * 2 * 2);
    expect(started).toEqual([outputs.flowArn, outputs.flowArn, outputs.flowArn, outputs.flowArn]);
    const messages = await sqs.receive(dlq, { max: 10 });
    expect(messages.map((m) => [JSON.parse(m.body).id, m.messageAttributes?.ERROR_CODE?.StringValue]).sort()).toEqual([
      ["e-1", "AccessDeniedException"],
      ["e-2", "AccessDeniedException"],
      ["e-3", "AccessDeniedException"],
      ["e-4", "AccessDeniedException"],
    ]);
  });

  it("hand the shaped input to StartExecution, whatever the workflow's type (EventBridge starts EXPRESS ones asynchronously too)", async () => {
    const started: Array<[string, string]> = [];
    const express = { ...flow(), workflowType: "EXPRESS" as const, input: '{"n":1}' };
    const outcome = await deliverToTarget(bus(), express, "arn:aws:events:us-east-1:123456789012:rule/b/r", event, {
      invoke: () => async () => null,
      sqs: () => undefined,
      async: { queues: undefined as never, region: REGION, log: () => undefined },
      log: () => undefined,
      track: () => undefined,
      graph: app.context.run.resources,
      startExecution: async (arn, input) => void started.push([arn, input]),
    });
    expect(outcome).toBe("delivered");
    expect(started).toEqual([[outputs.flowArn, '{"n":1}']]);
  });
});

describe("a Topic target under npm start", () => {
  it("publishes each matched event to the topic as the message: the whole event, or the transformer's output", async () => {
    const events = new EventBridgeClient({ region: REGION, endpoint: app.urls.eventbridge, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs.busName, Source: "gallery.alerts", DetailType: "PhotoFailed", Detail: JSON.stringify({ id: "p-9" }) }] }));
    expect(put.FailedEntryCount).toBe(0);
    const queues = app.services.find((s) => s.name === "sqs") as LocalQueuesService;
    const sqs = new SQSClient({ region: REGION, endpoint: app.urls.sqs, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const bodies: string[] = [];
    // Long polls: each answers as soon as a message is there; the two rules deliver independently.
    for (let poll = 0; poll < 3 && bodies.length < 2; poll++) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.server.queueUrl(outputs.inboxQueue), WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }));
      bodies.push(...(received.Messages ?? []).map((m) => m.Body!));
    }
    const whole = bodies.find((b) => b.startsWith("{"));
    expect(JSON.parse(whole!)).toMatchObject({ id: put.Entries![0].EventId, source: "gallery.alerts", "detail-type": "PhotoFailed", detail: { id: "p-9" } });
    // A string template is delivered as written, quotes and all.
    expect(bodies.filter((b) => b !== whole)).toEqual([`"photo p-9 from ${outputs.topicRuleName}"`]);
  });

  it("delivers to a topic the server serves, and refuses one it does not (another set of topics)", async () => {
    const bus = app.context.run.specs.find((s) => s.kind === "EventBus" && s.name === "ebl")!.spec as EventBusSpec;
    const alerts = bus.subscriptions.find((s) => s.name === "alerts") as EventBusTopicSubscriptionSpec;
    const served = app.context.sns!;
    // The app's topics, without subscribers: nothing reaches its queues.
    const sns = new LocalSns(served.arns().map((arn) => ({ ...served.topic(arn), subscriptions: [] })));
    const event = { version: "0", id: "e-2", "detail-type": "T", source: "s", account: "123456789012", time: "2026-01-01T00:00:00Z", region: REGION, resources: [], detail: {} } as EventBridgeEvent;
    const delivery = (server: LocalSns) => ({
      invoke: () => async () => null,
      sqs: () => undefined,
      sns: () => server,
      async: { queues: undefined as never, region: REGION, log: () => undefined },
      log: () => undefined,
      track: () => undefined,
      retryDelaysMs: [0, 0],
      graph: app.context.run.resources,
    });
    expect(await deliverToTarget(bus, alerts, "arn:aws:events:us-east-1:123456789012:rule/b/r", event, delivery(sns))).toBe("delivered");
    expect(await deliverToTarget(bus, alerts, "arn:aws:events:us-east-1:123456789012:rule/b/r", event, delivery(new LocalSns([])))).toBe("dropped");
  });

  it("reads the recorded graph once per region, not per event: a topic no resource names has its ARN in each event's region", async () => {
    const bus = app.context.run.specs.find((s) => s.kind === "EventBus" && s.name === "ebl")!.spec as EventBusSpec;
    const alerts = bus.subscriptions.find((s) => s.name === "alerts") as EventBusTopicSubscriptionSpec;
    const resources = app.context.run.resources;
    const dlq = String(resources.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "ebl-alerts-dlq")!.state.name);
    const sqs = new LocalSqs([queueDefinition(dlq, REGION)]);
    const counted = countingScans(resources, sqs);
    const [definition] = await localBusDefinitions([{ ...bus, subscriptions: [{ ...alerts, topicName: "ebl-missing" }] }], REGION, resources, { ...counted.delivery, sns: () => undefined });
    const event = { version: "0", id: "", "detail-type": "T", source: "s", account: "123456789012", time: "2026-01-01T00:00:00Z", region: REGION, resources: [], detail: {} } as EventBridgeEvent;
    for (const [id, region] of [["e-1", "us-east-1"], ["e-2", "us-east-1"], ["e-3", "eu-west-1"], ["e-4", "eu-west-1"]]) definition.rules[0].deliver({ ...event, id, region });
    await counted.settled();
    expect(counted.scans()).toBe(2);
    const messages = await sqs.receive(dlq, { max: 10 });
    const targets = messages.map((m) => [JSON.parse(m.body).id, m.messageAttributes?.TARGET_ARN?.StringValue, m.messageAttributes?.ERROR_CODE?.StringValue]).sort();
    expect(targets).toEqual([
      ["e-1", "arn:aws:sns:us-east-1:123456789012:ebl-missing", "NotFound"],
      ["e-2", "arn:aws:sns:us-east-1:123456789012:ebl-missing", "NotFound"],
      ["e-3", "arn:aws:sns:eu-west-1:123456789012:ebl-missing", "NotFound"],
      ["e-4", "arn:aws:sns:eu-west-1:123456789012:ebl-missing", "NotFound"],
    ]);
  });

  it("moves an event for a topic that is not served to the target's dead-letter queue, without retries", async () => {
    const bus = app.context.run.specs.find((s) => s.kind === "EventBus" && s.name === "ebl")!.spec as EventBusSpec;
    const alerts = bus.subscriptions.find((s) => s.name === "alerts") as EventBusTopicSubscriptionSpec;
    const dlq = String(app.context.run.resources.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "ebl-alerts-dlq")!.state.name);
    const sqs = new LocalSqs([queueDefinition(dlq, REGION)]);
    const event = { version: "0", id: "e-1", "detail-type": "T", source: "s", account: "123456789012", time: "2026-01-01T00:00:00Z", region: REGION, resources: [], detail: {} } as EventBridgeEvent;
    // Each attempt looks the topic up once: retries, were there any, would come at once (delays of 0) and be counted.
    let attempts = 0;
    const outcome = await deliverToTarget(bus, alerts, "arn:aws:events:us-east-1:123456789012:rule/b/r", event, {
      invoke: () => async () => null,
      sqs: () => sqs,
      sns: () => {
        attempts += 1;
        return undefined;
      },
      async: { queues: undefined as never, region: REGION, log: () => undefined },
      log: () => undefined,
      track: () => undefined,
      retryDelaysMs: [0, 0],
      graph: app.context.run.resources,
    });
    expect(outcome).toBe("dead-lettered");
    expect(attempts).toBe(1);
    const [message] = await sqs.receive(dlq, { max: 10 });
    expect(JSON.parse(message.body)).toEqual(event);
    expect(message.messageAttributes?.ERROR_CODE).toEqual({ DataType: "String", StringValue: "NotFound" });
    expect(message.messageAttributes?.TARGET_ARN?.StringValue).toMatch(/^arn:aws:sns:us-east-1:\d{12}:ebl-alerts-topic-/);
    // Not retried: no retries made, and no retry limit ended it (eb-rule-dlq.html's "Retry Attempts", "Exhausted Retry Condition").
    expect(message.messageAttributes?.RETRY_ATTEMPTS).toEqual({ DataType: "String", StringValue: "0" });
    expect(message.messageAttributes).not.toHaveProperty("EXHAUSTED_RETRY_CONDITION");
  });
});
