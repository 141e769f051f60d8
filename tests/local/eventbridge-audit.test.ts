/**
 * Local EventBridge against AWS's documentation (audit evb): a Detail nested deeper than PutEvents processes is refused
 * on its own entry instead of overflowing the matcher mid-request; no entry is delivered when the request fails; and an
 * input transformer's <aws.events.event.ingestion-time> is when the event was received, not the entry's own Time; a
 * pattern walks into objects inside nested arrays.
 */
import { describe, expect, it, vi } from "vitest";
import type { EventBusSpec, EventBusSubscriptionSpec } from "../../components/event-bus/spec";
import { matchesEventPattern } from "../../local/event-pattern";
import { targetInputText } from "../../local/eventbridge-input";
import { LocalEventBridge, PUT_EVENTS_LIMITS, type EventBridgeEvent, type LocalRule } from "../../local/eventbridge-server";
import { jsonDepth } from "../../local/json-depth";
import { deliverToTarget } from "../../local/services/event-buses";
import { LocalSqs } from "../../local/sqs-server";
import { queueDefinition } from "./sqs-helpers";

const REGION = "us-east-1";
const NOW = Date.parse("2026-12-07T03:30:00Z");

function bridge(rules: Array<Omit<LocalRule, "deliver">>, delivered: Array<{ rule: string; event: EventBridgeEvent }>) {
  const bus = { name: "default", arn: `arn:aws:events:${REGION}:123456789012:event-bus/default`, region: REGION, account: "123456789012" };
  return new LocalEventBridge([{ ...bus, rules: rules.map((rule) => ({ ...rule, deliver: (event: EventBridgeEvent) => delivered.push({ rule: rule.arn, event }) })) }], () => NOW);
}

const nested = (levels: number) => `{"x":${"[".repeat(levels - 1)}1${"]".repeat(levels - 1)}}`;

describe("PutEvents: a Detail's nesting (API_PutEvents: \"PutEvents will only process nested JSON up to 1000 levels deep\")", () => {
  it("measures nesting in one pass, strings' brackets not counted", () => {
    expect(jsonDepth("{}")).toBe(1);
    expect(jsonDepth('{"a":[{"b":"[[[{{{\\"]]"}]}')).toBe(3);
    expect(jsonDepth(nested(20_000))).toBe(20_000);
  });

  it("accepts 1000 levels and refuses a deeper Detail as that entry's MalformedDetail; the other entries are delivered, nothing throws", () => {
    const delivered: Array<{ rule: string; event: EventBridgeEvent }> = [];
    const eventBridge = bridge([{ arn: "any", pattern: { source: ["app"] } }, { arn: "x", pattern: { detail: { x: [{ exists: true }] } } }], delivered);
    const result = eventBridge.putEvents(
      [
        { Source: "app", DetailType: "t", Detail: "{}" },
        { Source: "app", DetailType: "t", Detail: nested(20_000) },
        { Source: "app", DetailType: "t", Detail: nested(PUT_EVENTS_LIMITS.nesting) },
        { Source: "app", DetailType: "t", Detail: nested(PUT_EVENTS_LIMITS.nesting + 1) },
      ],
      REGION,
    );
    expect(PUT_EVENTS_LIMITS.nesting).toBe(1000);
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries[1]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(result.Entries[3]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(delivered.map(({ rule }) => rule)).toEqual(["any", "any", "x"]);
  });

  it("delivers nothing when matching fails for a later entry: the request is answered as an error before any delivery", () => {
    const delivered: Array<{ rule: string; event: EventBridgeEvent }> = [];
    // A matcher the component never writes (an empty operator object) makes the matcher throw, as any fault would.
    const eventBridge = bridge([{ arn: "first", pattern: { source: ["a"] } }, { arn: "broken", pattern: { source: ["b"], detail: { x: [{}] } } }], delivered);
    expect(() =>
      eventBridge.putEvents(
        [
          { Source: "a", DetailType: "t", Detail: "{}" },
          { Source: "b", DetailType: "t", Detail: '{"x":1}' },
        ],
        REGION,
      ),
    ).toThrow();
    expect(delivered).toEqual([]);
  });
});

describe("input transformer: <aws.events.event.ingestion-time> (eb-transform-target-input.html: \"The time at which the event was received by EventBridge\")", () => {
  it("is when the local EventBridge received the event, not the entry's Time", () => {
    const delivered: Array<{ rule: string; event: EventBridgeEvent }> = [];
    const eventBridge = bridge([{ arn: "r", pattern: { source: ["app"] } }], delivered);
    eventBridge.putEvents([{ Source: "app", DetailType: "t", Detail: "{}", Time: Date.parse("2020-01-02T03:04:05Z") / 1000 }], REGION);
    const [{ event }] = delivered;
    expect(event.time).toBe("2020-01-02T03:04:05Z");
    const shaped = targetInputText({ inputTransformer: { inputPaths: { t: "$.time" }, inputTemplate: '{"received": <aws.events.event.ingestion-time>, "time": <t>}' } }, event, { arn: "arn:rule", name: "r" });
    expect(JSON.parse(shaped)).toEqual({ received: "2026-12-07T03:30:00Z", time: "2020-01-02T03:04:05Z" });
  });
});

describe("event patterns: arrays of arrays (aws/event-ruler flattens an event's arrays to their leaves)", () => {
  it("walks into objects inside nested arrays as it reads values inside them", () => {
    const event = { source: "app", detail: { values: [["a"], ["b"]], items: [[{ id: "x" }], [{ id: "y" }]] } };
    expect(matchesEventPattern({ detail: { values: ["b"] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { items: { id: ["y"] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { items: { id: ["z"] } } }, event)).toBe(false);
  });
});

describe("dead-letter queue attributes: the retry limit that ended the delivery (eb-rule-dlq.html: \"the Exhausted Retry Condition … Retry Attempts\")", () => {
  it("names MaximumEventAgeInSeconds when the event grew too old before its next retry", async () => {
    const sqs = new LocalSqs([queueDefinition("age-dlq", REGION)]);
    const bus = { name: "b", busName: "b", encryption: "aws-owned", subscriptions: [] } as EventBusSpec;
    const subscription = { name: "s", ruleName: "r", retryAttempts: 5, maximumEventAgeSeconds: 60, deadLetterQueueName: "age-dlq", function: { name: "fn" } } as unknown as EventBusSubscriptionSpec;
    const event = { version: "0", id: "e", "detail-type": "t", source: "app", account: "123456789012", time: "2026-12-07T00:00:00Z", region: REGION, resources: [], detail: {} } satisfies EventBridgeEvent;
    // The clock: the first attempt now, the retry's check 61 s later (no waiting: the delays are 0, the clock is stubbed).
    let clock = Date.now();
    const now = vi.spyOn(Date, "now").mockImplementation(() => clock);
    let attempts = 0;
    try {
      const outcome = await deliverToTarget(bus, subscription, "arn:aws:events:us-east-1:123456789012:rule/b/r", event, {
        invoke: () => async () => null,
        sqs: () => sqs,
        async: { queues: undefined as never, region: REGION },
        log: () => undefined,
        track: () => undefined,
        retryDelaysMs: [0],
        accept: () => {
          attempts += 1;
          clock += 61_000;
          throw Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
        },
      });
      expect(outcome).toBe("dead-lettered");
    } finally {
      now.mockRestore();
    }
    expect(attempts).toBe(1);
    const [message] = await sqs.receive("age-dlq", { max: 10 });
    expect(message.messageAttributes?.EXHAUSTED_RETRY_CONDITION).toEqual({ DataType: "String", StringValue: "MaximumEventAgeInSeconds" });
    expect(message.messageAttributes?.RETRY_ATTEMPTS).toEqual({ DataType: "String", StringValue: "0" });
  });
});
