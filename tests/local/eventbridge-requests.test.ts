/**
 * Local EventBridge against AWS's API reference: which PutEvents failures are the whole request's and which one entry's
 * (API_PutEventsRequestEntry: "If you submit a request in which none of the entries have each of these properties,
 * EventBridge fails the entire request"), DetailType's 128 characters, and TestEventPattern (API_TestEventPattern) by
 * the matcher the rules use.
 */
import { EventBridgeClient, InvalidEventPatternException, PutEventsCommand, TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEventBridge, PUT_EVENTS_LIMITS, startLocalEventBridge, type EventBridgeEvent, type LocalEventBridgeServer } from "../../local/eventbridge-server";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const BUS = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;

function bridge(delivered: EventBridgeEvent[] = []) {
  return new LocalEventBridge([{ name: "default", arn: BUS, region: REGION, account: ACCOUNT, rules: [{ arn: `${BUS}/all`, pattern: { source: [{ prefix: "" }] }, deliver: (event) => delivered.push(event) }] }]);
}

const complete = { Source: "gallery.photos", DetailType: "PhotoUploaded", Detail: "{}" };

describe("PutEvents: the whole request or one entry", () => {
  it("fails the whole request when no entry has Source, DetailType and Detail, and delivers nothing", () => {
    const delivered: EventBridgeEvent[] = [];
    const eventBridge = bridge(delivered);
    for (const entries of [[{}], [{ Source: "a", DetailType: "t" }], [{ DetailType: "t", Detail: "{}" }, { Source: "a", Detail: "{}" }], [null], [{ ...complete, Detail: "" }]]) {
      expect(() => eventBridge.putEvents(entries, REGION), JSON.stringify(entries)).toThrow(expect.objectContaining({ code: "ValidationException", status: 400 }));
    }
    expect(delivered).toEqual([]);
  });

  it("refuses a request without Entries, or with none, as the model's constraints word it", () => {
    const eventBridge = bridge();
    expect(() => eventBridge.putEvents(undefined, REGION)).toThrow(expect.objectContaining({ code: "ValidationException", message: expect.stringContaining("Member must not be null") }));
    expect(() => eventBridge.putEvents([], REGION)).toThrow(expect.objectContaining({ code: "ValidationException", message: expect.stringContaining("Member must have length greater than or equal to 1") }));
  });

  it("fails only the incomplete entries when one entry has all three, and delivers that one", () => {
    const delivered: EventBridgeEvent[] = [];
    const result = bridge(delivered).putEvents([{ Source: "a", DetailType: "t" }, complete, {}], REGION);
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries[0]).toEqual({ ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument." });
    expect(result.Entries[1]).toEqual({ EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(result.Entries[2]).toEqual({ ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument." });
    expect(delivered.map((event) => event.source)).toEqual(["gallery.photos"]);
  });

  it("takes a DetailType of 128 characters and fails that entry alone for a longer one (\"with a maximum of 128 characters\")", () => {
    const delivered: EventBridgeEvent[] = [];
    const longest = "é".repeat(PUT_EVENTS_LIMITS.detailTypeCharacters);
    const result = bridge(delivered).putEvents([{ ...complete, DetailType: longest }, { ...complete, DetailType: `${longest}x` }], REGION);
    expect(PUT_EVENTS_LIMITS.detailTypeCharacters).toBe(128);
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[1]).toEqual({ ErrorCode: "InvalidArgument", ErrorMessage: expect.stringContaining("Parameter DetailType is not valid.") });
    expect(delivered.map((event) => event["detail-type"])).toEqual([longest]);
  });
});

const event = { version: "0", id: "e1", "detail-type": "PhotoUploaded", source: "gallery.photos", account: ACCOUNT, time: "2026-12-07T05:00:00Z", region: REGION, resources: ["arn:aws:s3:::photos/a.png"], detail: { size: 250, tags: ["cat"] } };

describe("TestEventPattern: EventPattern and Event → { Result }", () => {
  const eventBridge = bridge();
  const test = (pattern: unknown, tested: unknown = event) => eventBridge.testEventPattern(typeof pattern === "string" ? pattern : JSON.stringify(pattern), typeof tested === "string" ? tested : JSON.stringify(tested));

  it("answers whether the event matches, by the rules' matcher", () => {
    expect(test({ source: ["gallery.photos"], detail: { size: [{ numeric: [">", 100] }] } })).toEqual({ Result: true });
    expect(test({ source: ["gallery.photos"], detail: { size: [{ numeric: ["<", 100] }] } })).toEqual({ Result: false });
    expect(test({ detail: { tags: [{ wildcard: "c*t" }] }, resources: [{ prefix: "arn:aws:s3:::photos/" }] })).toEqual({ Result: true });
    expect(test({ $or: [{ source: ["other"] }, { "detail-type": [{ "equals-ignore-case": "photouploaded" }] }] })).toEqual({ Result: true });
  });

  it("refuses a pattern PutRule refuses as InvalidEventPatternException", () => {
    for (const bad of ["not json", "[]", "{}", { source: "gallery.photos" }, { source: [{ nonsense: 1 }] }, { source: [{ wildcard: "a**b" }] }]) {
      expect(() => test(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: "InvalidEventPatternException", message: expect.stringMatching(/^Event pattern is not valid\. Reason: /) }));
    }
  });

  it("refuses a missing EventPattern or Event as \"must not be null\", and one of another JSON type as the protocol's SerializationException", () => {
    expect(() => eventBridge.testEventPattern(undefined, JSON.stringify(event))).toThrow(expect.objectContaining({ code: "ValidationException", message: expect.stringContaining("Value null at 'eventPattern'") }));
    expect(() => eventBridge.testEventPattern(JSON.stringify({ source: ["x"] }), null)).toThrow(expect.objectContaining({ code: "ValidationException", message: expect.stringContaining("Value null at 'event'") }));
    for (const wrong of [5, true, { source: ["x"] }, ["x"]]) {
      expect(() => eventBridge.testEventPattern(wrong, JSON.stringify(event)), JSON.stringify(wrong)).toThrow(expect.objectContaining({ code: "SerializationException", message: "EventPattern: expected a string" }));
      expect(() => eventBridge.testEventPattern(JSON.stringify({ source: ["x"] }), wrong), JSON.stringify(wrong)).toThrow(expect.objectContaining({ code: "SerializationException", message: "Event: expected a string" }));
    }
  });

  it("refuses an EventPattern over 4096 characters as the request's ValidationException", () => {
    const long = JSON.stringify({ source: ["x".repeat(5000)] });
    expect(() => test(long)).toThrow(expect.objectContaining({ code: "ValidationException", message: expect.stringContaining("less than or equal to 4096") }));
  });

  it("refuses an Event without id, account, source, time, region, resources or detail-type, or not a JSON object, as ValidationException \"Parameter Event is not valid.\"", () => {
    for (const field of ["id", "account", "source", "time", "region", "resources", "detail-type"]) {
      const { [field]: _omitted, ...without } = event as Record<string, unknown>;
      expect(() => test({ source: ["gallery.photos"] }, without), field).toThrow(expect.objectContaining({ code: "ValidationException", message: `Parameter Event is not valid. Reason: Provided Event is missing required field ${field}.` }));
    }
    for (const bad of ["not json", "[]", "1"]) expect(() => test({ source: ["gallery.photos"] }, bad)).toThrow(expect.objectContaining({ code: "ValidationException", message: "Parameter Event is not valid." }));
    expect(() => test({ source: ["gallery.photos"] }, `{"id":"1","account":"a","source":"s","time":"t","region":"r","resources":[],"detail-type":"d","detail":{"x":${"[".repeat(5000)}${"]".repeat(5000)}}}`)).toThrow(
      expect.objectContaining({ code: "ValidationException" }),
    );
  });
});

describe("TestEventPattern over HTTP with @aws-sdk/client-eventbridge", () => {
  let server: LocalEventBridgeServer;
  const asked: Array<[string, string]> = [];
  let refuse = false;
  beforeAll(async () => {
    server = await startLocalEventBridge({
      buses: [],
      authorise: (_key, action, resource) => {
        asked.push([action, resource]);
        return refuse ? { caller: "arn:aws:sts::123456789012:assumed-role/r/fn", reason: "because no identity-based policy allows the events:TestEventPattern action" } : undefined;
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers Result, maps InvalidEventPatternException to the client's class, and asks IAM for events:TestEventPattern on *", async () => {
    const client = new EventBridgeClient({ region: REGION, endpoint: server.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
    try {
      expect((await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ["gallery.photos"] }), Event: JSON.stringify(event) }))).Result).toBe(true);
      expect((await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ["other"] }), Event: JSON.stringify(event) }))).Result).toBe(false);
      await expect(client.send(new TestEventPatternCommand({ EventPattern: "{}", Event: JSON.stringify(event) }))).rejects.toBeInstanceOf(InvalidEventPatternException);
      await expect(client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ["x"] }), Event: "{}" }))).rejects.toMatchObject({ name: "ValidationException" });
      expect(asked.every(([action, resource]) => action === "events:TestEventPattern" && resource === "*")).toBe(true);
      refuse = true;
      await expect(client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ["x"] }), Event: JSON.stringify(event) }))).rejects.toMatchObject({ name: "AccessDeniedException" });
      // PutEvents is still answered, its whole-request failure as the client's ValidationException.
      refuse = false;
      await expect(client.send(new PutEventsCommand({ Entries: [{ Source: "a", DetailType: "t" }] }))).rejects.toMatchObject({ name: "ValidationException" });
    } finally {
      client.destroy();
    }
  });
});
