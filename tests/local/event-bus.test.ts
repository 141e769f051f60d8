/**
 * Local EventBridge (`npm start`): PutEvents through the real @aws-sdk/client-eventbridge (awsJson1_1, SigV4), found
 * through AWS_ENDPOINT_URL_EVENTBRIDGE as a handler finds it; the entries' checks and EventBridge's own size; events
 * delivered in EventBridge's envelope to the rules whose pattern they match, asynchronously; the target's retry policy
 * and dead-letter queue when Lambda does not take an event; events:PutEvents authorised by the function's role; and
 * pattern matching against the examples of AWS's documentation. Functions are fakes, the queues an in-process LocalSqs.
 */
import { AccessDeniedException, EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBus, type EventBusLambdaSubscriptionSpec, type EventBusSpec } from "../../components/event-bus";
import { LambdaFunction, type LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { parseWildcard } from "../../components/event-bus/event-pattern";
import { matchesEventPattern, matchesWildcard, wildcardProblem } from "../../local/event-pattern";
import { entrySize, LocalEventBridge, startLocalEventBridge, type EventBridgeEvent, type LocalEventBridgeServer } from "../../local/eventbridge-server";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { LocalQueues } from "../../local/queues";
import { deliverToTarget, localBusDefinitions } from "../../local/services/event-buses";
import { LocalSqs } from "../../local/sqs-server";
import type { RecordedResource } from "../../local/offline/mocks";
import { record } from "../harness/mocks";
import { signedFetch } from "../harness/signed-fetch";
import { queueDefinition } from "./sqs-helpers";

const REGION = "us-east-1";
const entry = "tests/fixtures/handlers/echo.ts";
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

let graph: RecordedResource[];
let server: LocalEventBridgeServer;
let client: EventBridgeClient;
let busName: string;
let busArn: string;
const invocations: Array<{ fn: string; event: any }> = [];
const pending: Array<Promise<unknown>> = [];

beforeAll(async () => {
  graph = await record(() => {
    const bus = new EventBus("local-bus", {});
    bus.subscribe("photos", new LambdaFunction("local-bus-photos", { entry }), { pattern: { source: ["gallery.photos"], detail: { size: [{ numeric: [">", 100] }] } } });
    bus.subscribe("all", new LambdaFunction("local-bus-all", { entry }), { pattern: { source: [{ prefix: "gallery." }] } });
    new LambdaFunction("local-bus-producer", { entry, permissions: bus.grants.put() });
    new LambdaFunction("local-bus-stranger", { entry });
  });
  const specs = registeredSpecs<EventBusSpec>("EventBus").filter(({ name }) => name === "local-bus").map(({ spec }) => spec);
  const definitions = await localBusDefinitions(specs, REGION, graph, {
    invoke: (spec: LambdaFunctionSpec) => async (event) => {
      invocations.push({ fn: spec.name, event });
      return null;
    },
    sqs: () => undefined,
    async: { queues: new LocalQueues(), region: REGION, retryDelaysMs: [0], log: () => undefined },
    log: () => undefined,
    track: (delivery) => pending.push(delivery),
  });
  const bus = graph.find((r) => r.type === "aws:cloudwatch/eventBus:EventBus" && r.name === "local-bus-bus")!;
  [busName, busArn] = [bus.state.name, bus.state.arn];
  const roles = FunctionRoles.fromGraph(graph);
  server = await startLocalEventBridge({ buses: definitions, credentials: [CREDENTIALS, ...roles.credentials()], authorise: roles.authorise });
  // As a handler's client finds the endpoint under `npm start`: the SDK reads AWS_ENDPOINT_URL_EVENTBRIDGE (service id "EventBridge").
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = server.endpoint;
  client = new EventBridgeClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  client?.destroy();
  await server?.stop();
});

const drained = async () => {
  while (pending.length > 0) await Promise.allSettled(pending.splice(0));
};
const take = () => invocations.splice(0);

describe("local EventBridge with @aws-sdk/client-eventbridge", () => {
  it("puts events by bus name and ARN; each rule whose pattern matches invokes its function with EventBridge's event", async () => {
    const time = new Date("2026-12-05T01:02:03Z");
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: busName, Source: "gallery.photos", DetailType: "PhotoUploaded", Detail: JSON.stringify({ size: 250 }), Resources: ["arn:aws:s3:::photos/a.png"], Time: time },
          { EventBusName: busArn, Source: "gallery.albums", DetailType: "AlbumCreated", Detail: JSON.stringify({ size: 5 }) },
          { EventBusName: busName, Source: "other", DetailType: "Ignored", Detail: "{}" },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    const [photo, album, ignored] = result.Entries!.map((e) => e.EventId!);
    expect([photo, album, ignored].every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    await drained();
    const calls = take();
    expect(calls.map((c) => `${c.fn} ${c.event.id}`).sort()).toEqual([`local-bus-all ${album}`, `local-bus-all ${photo}`, `local-bus-photos ${photo}`].sort());
    expect(calls.find((c) => c.fn === "local-bus-photos")!.event).toEqual({
      version: "0",
      id: photo,
      "detail-type": "PhotoUploaded",
      source: "gallery.photos",
      account: "123456789012",
      time: "2026-12-05T01:02:03Z",
      region: REGION,
      resources: ["arn:aws:s3:::photos/a.png"],
      detail: { size: 250 },
    });
  });

  it("fails entries one by one as EventBridge does: a missing field, a Detail that is not a JSON object, an unknown bus", async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: busName, DetailType: "x", Detail: "{}" },
          { EventBusName: busName, Source: "gallery.x", DetailType: "x", Detail: "not json" },
          { EventBusName: busName, Source: "gallery.x", DetailType: "x", Detail: "[1]" },
          { EventBusName: "nowhere", Source: "gallery.x", DetailType: "x", Detail: "{}" },
          { EventBusName: busName, Source: "gallery.x", DetailType: "x", Detail: "{}" },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries!.slice(0, 4)).toEqual([
      { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus nowhere does not exist." },
    ]);
    expect(result.Entries![4].EventId).toMatch(/^[0-9a-f-]{36}$/);
    await drained();
    expect(take().map((c) => c.fn)).toEqual(["local-bus-all"]);
  });

  it("refuses more than 10 entries, and entries over 256 KB by EventBridge's size, as a ValidationException", async () => {
    const one = { EventBusName: busName, Source: "gallery.x", DetailType: "x", Detail: "{}" };
    await expect(client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => one) }))).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("Member must have length less than or equal to 10") });
    const big = { ...one, Detail: JSON.stringify({ blob: "x".repeat(130 * 1024) }) };
    await expect(client.send(new PutEventsCommand({ Entries: [big, big] }))).rejects.toMatchObject({ name: "ValidationException", message: "Total size of the entries in the request is over the limit." });
    expect(take()).toEqual([]);
  });

  it("measures an entry as EventBridge does: Time 14 bytes, Source, DetailType, Detail and Resources in UTF-8", () => {
    expect(entrySize({ Time: 1, Source: "é", DetailType: "ab", Detail: "{}", Resources: ["r1", "r2"] })).toBe(14 + 2 + 2 + 2 + 4);
    expect(entrySize({ Source: "a", DetailType: "b", Detail: "{}" })).toBe(4);
  });

  it("authorises events:PutEvents by the function's role: the producer puts, a function without the grant gets AccessDeniedException", async () => {
    const name = (component: string) => graph.find((r) => r.type === "aws:lambda/function:Function" && r.name === `${component}-function`)!.state.name;
    const as = (fn: string) => new EventBridgeClient({ region: REGION, endpoint: server.endpoint, credentials: functionCredentials(name(fn)), maxAttempts: 1 });
    const producer = as("local-bus-producer");
    const stranger = as("local-bus-stranger");
    try {
      const put = new PutEventsCommand({ Entries: [{ EventBusName: busName, Source: "gallery.x", DetailType: "x", Detail: "{}" }] });
      expect((await producer.send(put)).FailedEntryCount).toBe(0);
      const refused = stranger.send(put);
      await expect(refused).rejects.toBeInstanceOf(AccessDeniedException);
      await expect(refused).rejects.toMatchObject({ message: expect.stringContaining(`is not authorized to perform: events:PutEvents on resource: ${busArn} because no identity-based policy allows the events:PutEvents action`) });
    } finally {
      producer.destroy();
      stranger.destroy();
    }
    await drained();
    take();
  });

  it("refuses a request signed with a wrong secret, and one that is not signed", async () => {
    const wrong = new EventBridgeClient({ region: REGION, endpoint: server.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "nope" }, maxAttempts: 1 });
    try {
      await expect(wrong.send(new PutEventsCommand({ Entries: [{ Source: "a", DetailType: "b", Detail: "{}" }] }))).rejects.toMatchObject({ name: "InvalidSignatureException" });
    } finally {
      wrong.destroy();
    }
    const unsigned = await fetch(server.endpoint, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.PutEvents" }, body: "{}" });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
  });
});

describe("a rule target's retry policy and dead-letter queue", () => {
  it("retries a target Lambda does not take, then moves the event to the dead-letter queue with EventBridge's attributes", async () => {
    const spec = registeredSpecs<EventBusSpec>("EventBus").find(({ name }) => name === "local-bus")!.spec;
    const subscription = { ...spec.subscriptions[0], retryAttempts: 2, deadLetterQueueName: "local-bus-photos-dlq" };
    const sqs = new LocalSqs([queueDefinition("local-bus-photos-dlq", REGION)]);
    let attempts = 0;
    const event = { version: "0", id: "e1", "detail-type": "x", source: "gallery.photos", account: "123456789012", time: "2026-12-05T00:00:00Z", region: REGION, resources: [], detail: { size: 500 } } satisfies EventBridgeEvent;
    const outcome = await deliverToTarget(spec, subscription, "arn:aws:events:us-east-1:123456789012:rule/b/r", event, {
      invoke: () => async () => null,
      sqs: () => sqs,
      async: { queues: new LocalQueues(), retryDelaysMs: [0] },
      log: () => undefined,
      track: () => undefined,
      retryDelaysMs: [0],
      accept: () => {
        attempts += 1;
        throw Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
      },
    });
    expect(outcome).toBe("dead-lettered");
    expect(attempts).toBe(3);
    const [message] = await sqs.receive("local-bus-photos-dlq", { max: 10 });
    expect(JSON.parse(message.body)).toEqual(event);
    expect(message.messageAttributes).toEqual({
      RULE_ARN: { DataType: "String", StringValue: "arn:aws:events:us-east-1:123456789012:rule/b/r" },
      TARGET_ARN: { DataType: "String", StringValue: `arn:aws:lambda:us-east-1:123456789012:function:${(spec.subscriptions[0] as EventBusLambdaSubscriptionSpec).function.name}` },
      ERROR_CODE: { DataType: "String", StringValue: "TooManyRequestsException" },
      ERROR_MESSAGE: { DataType: "String", StringValue: "Rate exceeded" },
      // eb-rule-dlq.html: "the Exhausted Retry Condition … Retry Attempts": 2 retries after the first attempt.
      RETRY_ATTEMPTS: { DataType: "String", StringValue: "2" },
      EXHAUSTED_RETRY_CONDITION: { DataType: "String", StringValue: "MaximumRetryAttempts" },
    });
  });
});

// The examples of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
// eb-create-pattern-operators.html, against the documentation's EC2 state-change event.
describe("event patterns, as AWS's documentation matches them", () => {
  const ec2 = {
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: "111122223333",
    time: "2017-12-22T18:43:48Z",
    region: "us-west-1",
    resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    detail: { "instance-id": "i-1234567890abcdef0", state: "terminated", "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.123", "source-ip6": "2001:db8::7", FileName: "photo.PNG", LastName: "", UserID: null, location: "us-east-1/lib/a" },
  };
  it.each<[string, Record<string, unknown>, boolean]>([
    ["source, detail-type and a nested field", { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], detail: { state: ["terminated"] } }, true],
    ["a value not in the list", { detail: { state: ["running", "pending"] } }, false],
    ["an array field matches when one element does", { resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"] }, true],
    ["prefix", { region: [{ prefix: "us-" }] }, true],
    ["prefix, ignoring case", { source: [{ prefix: { "equals-ignore-case": "AWS." } }] }, true],
    ["suffix", { detail: { FileName: [{ suffix: ".PNG" }] } }, true],
    ["suffix, ignoring case", { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } }, true],
    ["anything-but a value", { detail: { state: [{ "anything-but": "initializing" }] } }, true],
    ["anything-but the value itself", { detail: { state: [{ "anything-but": ["terminated", "stopped"] }] } }, false],
    ["anything-but a prefix", { region: [{ "anything-but": { prefix: "us-" } }] }, false],
    ["anything-but a suffix", { detail: { FileName: [{ "anything-but": { suffix: ".jpg" } }] } }, true],
    ["anything-but the suffix it has", { detail: { FileName: [{ "anything-but": { suffix: ".PNG" } }] } }, false],
    ["anything-but ignoring case", { detail: { state: [{ "anything-but": { "equals-ignore-case": "TERMINATED" } }] } }, false],
    ["anything-but a wildcard", { detail: { location: [{ "anything-but": { wildcard: "*/lib/*" } }] } }, false],
    ["anything-but does not match a missing field", { detail: { missing: [{ "anything-but": "x" }] } }, false],
    ["numeric ranges", { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }], "d-count": [{ numeric: ["<", 10] }], "x-limit": [{ numeric: ["=", 3.018e2] }] } }, true],
    ["numeric out of range", { detail: { "c-count": [{ numeric: [">", 5] }] } }, false],
    ["cidr (IPv4)", { detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } }, true],
    ["cidr (IPv6)", { detail: { "source-ip6": [{ cidr: "2001:db8::/32" }] } }, true],
    ["cidr outside", { detail: { "source-ip": [{ cidr: "10.0.1.0/24" }] } }, false],
    ["exists true", { detail: { state: [{ exists: true }] } }, true],
    ["exists false on an absent field", { detail: { missing: [{ exists: false }] } }, true],
    ["exists false on a present field", { detail: { state: [{ exists: false }] } }, false],
    ["equals-ignore-case", { detail: { state: [{ "equals-ignore-case": "TERMINATED" }] } }, true],
    ["wildcard", { detail: { location: [{ wildcard: "us-*/lib/*" }] } }, true],
    ["wildcard that does not match", { detail: { location: [{ wildcard: "eu-*" }] } }, false],
    ["empty value", { detail: { LastName: [""] } }, true],
    ["null value", { detail: { UserID: [null] } }, true],
    ["a number does not equal its string", { detail: { "c-count": ["5"] } }, false],
    ["$or of branches", { detail: { $or: [{ "c-count": [{ numeric: [">", 10] }] }, { "d-count": [{ numeric: ["<", 10] }] }] } }, true],
    ["$or of no matching branch", { detail: { $or: [{ "c-count": [{ numeric: [">", 10] }] }, { state: ["running"] }] } }, false],
  ])("%s", (_, pattern, expected) => {
    expect(matchesEventPattern(pattern, ec2)).toBe(expected);
  });
});

describe("event patterns, edge cases (review 36c)", () => {
  const event = (detail: Record<string, unknown>) => ({ source: "a", "detail-type": "b", detail });

  it("matches a wildcard without backtracking: a pathological pattern against 20,000 characters gives the right answer", () => {
    const many = "a".repeat(20_000);
    expect(matchesEventPattern({ detail: { s: [{ wildcard: "*a*a*a*a*b" }] } }, event({ s: many }))).toBe(false);
    expect(matchesEventPattern({ detail: { s: [{ wildcard: "*a*a*a*a*b" }] } }, event({ s: `${many}b` }))).toBe(true);
    expect(matchesEventPattern({ detail: { s: [{ "anything-but": { wildcard: "*a*a*a*a*b" } }] } }, event({ s: many }))).toBe(true);
    expect(matchesEventPattern({ detail: { s: [{ wildcard: "a*a" }] } }, event({ s: "a" }))).toBe(false);
    expect(matchesEventPattern({ detail: { s: [{ wildcard: "ab*ba" }] } }, event({ s: "aba" }))).toBe(false);
    expect(matchesEventPattern({ detail: { s: [{ wildcard: "*" }] } }, event({ s: "" }))).toBe(true);
  });

  it("reads a wildcard's escapes as EventBridge does (\\* a star, \\\\ a backslash) and refuses ** and other escapes", () => {
    const wild = (operand: string, text: string) => matchesWildcard(operand, text);
    expect([wild("a\\*b", "a*b"), wild("a\\*b", "axb"), wild("a\\\\*", "a\\xyz"), wild("a\\\\*", "axyz"), wild("\\**", "*tail")]).toEqual([true, false, true, false, true]);
    expect(parseWildcard("a**b")).toEqual({ problem: "Consecutive wildcard characters at pos 1" });
    expect(parseWildcard("a\\b")).toEqual({ problem: "Invalid escape character at pos 1" });
    expect(parseWildcard("a\\")).toEqual({ problem: "Invalid escape character at pos 1" });
    expect(wild("a**b", "ab")).toBe(false);
    expect(wildcardProblem({ detail: { $or: [{ s: [{ "anything-but": { wildcard: ["ok*", "x**"] } }] }] } })).toBe('the wildcard "x**" of "s": Consecutive wildcard characters at pos 1');
    expect(wildcardProblem({ detail: { s: [{ wildcard: "a*b*c" }], wildcard: ["**"] } })).toBeUndefined();
    const bus = { name: "b", arn: "arn:aws:events:us-east-1:123456789012:event-bus/b", region: "us-east-1", account: "123456789012" };
    expect(() => new LocalEventBridge([{ ...bus, rules: [{ arn: "arn:aws:events:us-east-1:123456789012:rule/b/r", pattern: { source: [{ wildcard: "a**" }] }, deliver: () => undefined }] }])).toThrow(
      'EventBridge refuses the pattern of arn:aws:events:us-east-1:123456789012:rule/b/r: the wildcard "a**" of "source": Consecutive wildcard characters at pos 1',
    );
  });

  it("counts only the event's own fields: constructor, toString or __proto__ of an event without them are absent", () => {
    for (const field of ["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"]) {
      expect(matchesEventPattern({ [field]: [{ exists: true }] }, event({}))).toBe(false);
      expect(matchesEventPattern({ [field]: [{ exists: false }] }, event({}))).toBe(true);
      expect(matchesEventPattern({ detail: { [field]: [{ exists: true }] } }, event({}))).toBe(false);
      expect(matchesEventPattern({ detail: { [field]: [{ "anything-but": "x" }] } }, event({}))).toBe(false);
    }
    // An event that has such a field (JSON.parse makes __proto__ an own property) matches on it.
    // (The pattern is parsed too: in an object literal, __proto__ sets the prototype instead of naming a field.)
    expect(matchesEventPattern(JSON.parse('{"detail":{"__proto__":["y"],"constructor":[{"exists":true}]}}'), event(JSON.parse('{"__proto__":"y","constructor":1}')))).toBe(true);
    expect(matchesEventPattern(JSON.parse('{"detail":{"__proto__":["z"]}}'), event(JSON.parse('{"__proto__":"y"}')))).toBe(false);
  });

  it("reads a nested field under a missing (or scalar) parent as absent: exists false holds, every other matcher fails", () => {
    expect(matchesEventPattern({ detail: { photo: { size: [{ exists: false }] } } }, event({}))).toBe(true);
    expect(matchesEventPattern({ detail: { photo: { size: [{ exists: false }] } } }, event({ photo: "gone" }))).toBe(true);
    expect(matchesEventPattern({ detail: { photo: { size: [{ exists: true }] } } }, event({}))).toBe(false);
    expect(matchesEventPattern({ detail: { photo: { size: [{ "anything-but": 0 }] } } }, event({}))).toBe(false);
    expect(matchesEventPattern({ detail: { photo: { size: [{ exists: false }] } } }, event({ photo: { size: 3 } }))).toBe(false);
  });

  it("treats a field without a leaf value (an empty array, an array of objects) as absent, as AWS's matcher flattens events", () => {
    expect(matchesEventPattern({ detail: { n: [{ exists: true }] } }, event({ n: [] }))).toBe(false);
    expect(matchesEventPattern({ detail: { n: [{ exists: false }] } }, event({ n: [] }))).toBe(true);
    expect(matchesEventPattern({ detail: { n: [{ exists: true }] } }, event({ n: [{ a: 1 }] }))).toBe(false);
    expect(matchesEventPattern({ detail: { n: [{ "anything-but": "x" }] } }, event({ n: [] }))).toBe(false);
    expect(matchesEventPattern({ detail: { n: [{ exists: true }] } }, event({ n: [null] }))).toBe(true);
    expect(matchesEventPattern({ detail: { n: [2] } }, event({ n: [[1, 2]] }))).toBe(true);
  });
});

describe("PutEvents: an entry of the wrong type refuses the whole request before anything is delivered (review 36c)", () => {
  const busArn = "arn:aws:events:us-east-1:123456789012:event-bus/b";
  const delivered: string[] = [];
  const buses = [{ name: "b", arn: busArn, region: "us-east-1", account: "123456789012", rules: [{ arn: `${busArn}/r`, pattern: { source: ["s"] }, deliver: (e: EventBridgeEvent) => void delivered.push(e.id) }] }];
  const good = { EventBusName: "b", Source: "s", DetailType: "d", Detail: "{}" };

  it.each<[string, Record<string, unknown>]>([
    ["a Time no date holds", { Time: 1e20 }],
    ["a Time of another type", { Time: { seconds: 1 } }],
    ["a Resources element that is not a string", { Resources: [{ toString: 1 }] }],
    ["Resources that is not a list", { Resources: "arn:aws:s3:::b" }],
    ["an EventBusName object", { EventBusName: { toString: 1 } }],
    ["a Detail object", { Detail: { a: 1 } }],
    ["a Source number", { Source: 5 }],
    ["a DetailType list", { DetailType: ["d"] }],
  ])("%s: 400 SerializationException, no entry delivered", (_, bad) => {
    delivered.length = 0;
    const eventBridge = new LocalEventBridge(buses);
    expect(() => eventBridge.putEvents([good, { ...good, ...bad }])).toThrow(expect.objectContaining({ code: "SerializationException", status: 400 }));
    expect(delivered).toEqual([]);
  });

  it("answers the request over HTTP with 400, and delivers nothing", async () => {
    delivered.length = 0;
    const local = await startLocalEventBridge({ buses });
    try {
      const response = await signedFetch(local.endpoint, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.PutEvents" }, body: JSON.stringify({ Entries: [good, { ...good, Time: 1e20 }] }) }, { service: "events" });
      expect([response.status, ((await response.json()) as { __type: string }).__type]).toEqual([400, "SerializationException"]);
      expect(delivered).toEqual([]);
      // Sound entries are accepted: a string Time that does not parse stamps the event now, a null entry fails alone.
      const result = new LocalEventBridge(buses, () => Date.UTC(2026, 11, 5)).putEvents([good, { ...good, Time: "yesterday", Resources: ["r"] }, null]);
      expect([result.FailedEntryCount, delivered.length]).toEqual([1, 2]);
    } finally {
      await local.stop();
    }
  });
});
