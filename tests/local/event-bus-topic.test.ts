/**
 * An EventBus's Topic target under `npm start`, end to end: the program's real EventBus, Topic (listing the bus's rules
 * as a publisher) and a MessageQueue subscribed to the topic raw, recorded and served by the local runtime
 * (startLocalApp). PutEvents through @aws-sdk/client-eventbridge; the local SNS gets each matched event as the message
 * (the whole event, or the input transformer's output), which it fans out to the queue, read with @aws-sdk/client-sqs.
 * Then a delivery to a topic that is not served: not retried, moved to the target's dead-letter queue.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBus, type EventBusSpec, type EventBusTopicSubscriptionSpec } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { MessageQueue } from "../../components/message-queue";
import { Topic } from "../../components/topic";
import type { EventBridgeEvent } from "../../local/eventbridge-server";
import { deliverToTarget } from "../../local/services/event-buses";
import type { LocalQueuesService } from "../../local/services/queues";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { LocalSqs } from "../../local/sqs-server";
import { startLocalApp, type LocalApp } from "../../local/start";
import { queueDefinition } from "./sqs-helpers";

const entry = "tests/fixtures/handlers/echo.ts";
const REGION = "us-east-1";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const dir = mkdtempSync(join(tmpdir(), "sf-event-bus-topic-"));
let app: LocalApp;
let outputs: { busName: string; inboxQueue: string; ruleName: string };

beforeAll(async () => {
  const program = () => {
    const bus = new EventBus("ebtl", {});
    const alerts = new Topic("ebtl-alerts", { kmsKeyId: KEY, servicePublishers: [{ service: "events.amazonaws.com", sourceArn: bus.rulesArn }] });
    const inbox = new MessageQueue("ebtl-inbox", { consumer: { function: new LambdaFunction("ebtl-worker", { entry }) }, topics: [alerts] });
    alerts.subscribeQueue("inbox", inbox, { rawMessageDelivery: true });
    bus.subscribe("whole", alerts, { pattern: { source: ["gallery.photos"] } });
    const shaped = bus.subscribe("shaped", alerts, { pattern: { source: ["gallery.photos"] }, inputTransformer: { inputPaths: { id: "$.detail.id" }, inputTemplate: '"photo <id> from <aws.events.rule-name>"' } });
    return { busName: bus.busName, inboxQueue: inbox.queueName, ruleName: shaped.rule.name };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  outputs = app.context.run.outputs as typeof outputs;
  // The queue's consumer would take the messages first: the test reads the queue itself.
  const queues = app.services.find((s) => s.name === "sqs") as LocalQueuesService;
  await Promise.all([...queues.eventSources.values()].map((source) => source.stop()));
});
afterAll(async () => {
  await app?.stop();
});

describe("an EventBus's Topic target under npm start", () => {
  it("publishes each matched event to the topic as the message: the whole event, or the transformer's output", async () => {
    const events = new EventBridgeClient({ region: REGION, endpoint: app.urls.eventbridge, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs.busName, Source: "gallery.photos", DetailType: "PhotoUploaded", Detail: JSON.stringify({ id: "p-1" }) }] }));
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
    expect(JSON.parse(whole!)).toMatchObject({ id: put.Entries![0].EventId, source: "gallery.photos", "detail-type": "PhotoUploaded", detail: { id: "p-1" } });
    // A string template is delivered as written, quotes and all.
    expect(bodies.filter((b) => b !== whole)).toEqual([`"photo p-1 from ${outputs.ruleName}"`]);
  });

  it("moves an event for a topic that is not served to the target's dead-letter queue, without retries", async () => {
    const bus = app.context.run.specs.find((s) => s.kind === "EventBus" && s.name === "ebtl")!.spec as EventBusSpec;
    const whole = bus.subscriptions.find((s) => s.name === "whole") as EventBusTopicSubscriptionSpec;
    const dlq = String(app.context.run.resources.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === "ebtl-whole-dlq")!.state.name);
    const sqs = new LocalSqs([queueDefinition(dlq, REGION)]);
    const event = { version: "0", id: "e-1", "detail-type": "T", source: "s", account: "123456789012", time: "2026-01-01T00:00:00Z", region: REGION, resources: [], detail: {} } as EventBridgeEvent;
    const outcome = await deliverToTarget(bus, whole, "arn:aws:events:us-east-1:123456789012:rule/b/r", event, {
      invoke: () => async () => null,
      sqs: () => sqs,
      sns: () => undefined,
      async: { queues: undefined as never, region: REGION, log: () => undefined },
      log: () => undefined,
      track: () => undefined,
      retryDelaysMs: [60_000],
      graph: app.context.run.resources,
    });
    expect(outcome).toBe("dead-lettered");
    const [message] = await sqs.receive(dlq, { max: 10 });
    expect(JSON.parse(message.body)).toEqual(event);
    expect(message.messageAttributes?.ERROR_CODE).toEqual({ DataType: "String", StringValue: "NotFound" });
    expect(message.messageAttributes?.TARGET_ARN?.StringValue).toMatch(/^arn:aws:sns:us-east-1:\d{12}:ebtl-alerts-topic-/);
  });
});
