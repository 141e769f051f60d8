/**
 * The default event bus of every region under `npm start` (review 38d 4, 6): a program's DefaultEventBuses in two
 * regions, recorded and defined as the local runtime defines them (localBusDefinitions), behind the local EventBridge
 * endpoint. PutEvents to `default` (or with EventBusName omitted) reaches the rules of the region the request is
 * signed for only; in a region without DefaultEventBus rules the default bus still exists (every region has its own):
 * the entry is accepted and matches nothing, and IAM is asked about that region's default bus. S3's events go to the
 * default bus of the bucket's region.
 */
import { readFileSync } from "node:fs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventBusSpec } from "../../components/event-bus";
import { DEFAULT_EVENT_BUS_NAME, DefaultEventBus } from "../../components/event-bus";
import { LambdaFunction, type LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import { LocalEventBridge, startLocalEventBridge, type LocalEventBridgeServer } from "../../local/eventbridge-server";
import { LocalQueues } from "../../local/queues";
import { localBusDefinitions } from "../../local/services/event-buses";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { record } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const defaultBus = (region: string) => `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:event-bus/default`;

let server: LocalEventBridgeServer;
const invoked: string[] = [];
const pending: Array<Promise<unknown>> = [];
const authorised: string[] = [];

beforeAll(async () => {
  const graph = await record(() => {
    new DefaultEventBus("dr-us", {}).subscribe("all", new LambdaFunction("dr-us-fn", { entry }), { pattern: { source: ["gallery.test"] } });
    new DefaultEventBus("dr-eu", { region: "eu-west-1" }).subscribe("all", new LambdaFunction("dr-eu-fn", { entry, region: "eu-west-1" }), { pattern: { source: [{ prefix: "" }] } });
  });
  const specs = registeredSpecs<EventBusSpec>("EventBus").filter(({ name }) => name.startsWith("dr-")).map(({ spec }) => spec);
  const definitions = await localBusDefinitions(specs, "us-east-1", graph, {
    invoke: (spec: LambdaFunctionSpec) => async () => {
      invoked.push(spec.name);
      return null;
    },
    sqs: () => undefined,
    async: { queues: new LocalQueues(), region: "us-east-1", retryDelaysMs: [0], log: () => undefined },
    log: () => undefined,
    track: (delivery) => pending.push(delivery),
  });
  expect(definitions.map((d) => d.arn)).toEqual([defaultBus("us-east-1"), defaultBus("eu-west-1")]);
  server = await startLocalEventBridge({
    buses: definitions,
    authorise: (_key, _action, arn) => {
      authorised.push(arn);
      return undefined;
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

const drained = async () => {
  while (pending.length > 0) await Promise.allSettled(pending.splice(0));
  return invoked.splice(0);
};

async function put(region: string, entries: Array<Record<string, unknown>>) {
  const client = new EventBridgeClient({ region, endpoint: server.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  try {
    return await client.send(new PutEventsCommand({ Entries: entries.map((e) => ({ Source: "gallery.test", DetailType: "Tested", Detail: "{}", ...e })) as never }));
  } finally {
    client.destroy();
  }
}

describe("the default bus of each region", () => {
  it("reaches the rules of the signing region's default bus only, by name or omitted, and asks IAM about that bus", async () => {
    authorised.length = 0;
    expect((await put("eu-west-1", [{}])).FailedEntryCount).toBe(0);
    expect(await drained()).toEqual(["dr-eu-fn"]);
    expect((await put("us-east-1", [{ EventBusName: "default" }])).FailedEntryCount).toBe(0);
    expect(await drained()).toEqual(["dr-us-fn"]);
    expect(authorised).toEqual([defaultBus("eu-west-1"), defaultBus("us-east-1")]);
  });

  it("accepts PutEvents to the default bus of a region without DefaultEventBus rules, matching nothing, with IAM asked about that region's bus", async () => {
    authorised.length = 0;
    const result = await put("ap-southeast-2", [{}, { EventBusName: "default" }, { EventBusName: defaultBus("ap-southeast-2") }]);
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries!.every((e) => typeof e.EventId === "string")).toBe(true);
    expect(await drained()).toEqual([]);
    expect([...new Set(authorised)]).toEqual([defaultBus("ap-southeast-2")]);
  });

  it("names the request's region's default bus for IAM whatever buses the program has", () => {
    const eventBridge = new LocalEventBridge([{ name: "default", arn: defaultBus("eu-west-1"), region: "eu-west-1", account: MOCK_ACCOUNT_ID, rules: [] }]);
    expect(eventBridge.busArn("default", "us-east-1")).toBe(defaultBus("us-east-1"));
    expect(eventBridge.busArn(undefined, "eu-west-1")).toBe(defaultBus("eu-west-1"));
    expect(eventBridge.bus("default", "us-east-1")).toEqual({ name: "default", arn: defaultBus("us-east-1"), region: "us-east-1", account: MOCK_ACCOUNT_ID, rules: [] });
    expect(eventBridge.putEvents([{ Source: "a", DetailType: "b", Detail: "{}" }], "us-east-1").FailedEntryCount).toBe(0);
  });

  it("finds a bus by name in the request's region only: a bus of that name in another region is not found, as in AWS", () => {
    const orders = (region: string) => `arn:aws:events:${region}:${MOCK_ACCOUNT_ID}:event-bus/orders`;
    const delivered: string[] = [];
    const eventBridge = new LocalEventBridge([{ name: "orders", arn: orders("eu-west-1"), region: "eu-west-1", account: MOCK_ACCOUNT_ID, rules: [{ arn: "arn:aws:events:eu-west-1:123456789012:rule/orders/all", pattern: { source: ["a"] }, deliver: (event) => delivered.push(event.region) }] }]);
    expect(eventBridge.bus("orders", "us-east-1")).toBeUndefined();
    expect(eventBridge.busArn("orders", "us-east-1")).toBe(orders("us-east-1"));
    const entry = { EventBusName: "orders", Source: "a", DetailType: "b", Detail: "{}" };
    expect(eventBridge.putEvents([entry], "us-east-1").Entries).toEqual([{ ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus orders does not exist." }]);
    expect(delivered).toEqual([]);
    // Its own region's request, or its ARN, finds it.
    expect(eventBridge.putEvents([entry, { ...entry, EventBusName: orders("eu-west-1") }], "eu-west-1").FailedEntryCount).toBe(0);
    expect(delivered).toEqual(["eu-west-1", "eu-west-1"]);
  });

  it("names the default bus by the component's DEFAULT_EVENT_BUS_NAME, not a name of its own (review 40c 7)", () => {
    // A source pin: the constant's value is "default" on both sides, so only the text tells whether they are one.
    const source = readFileSync("local/eventbridge-server.ts", "utf8");
    expect(source).toMatch(/^import \{ DEFAULT_EVENT_BUS_NAME \} from "\.\.\/components\/event-bus\/spec";$/m);
    expect(source.match(/"default"/g)).toBeNull();
    expect(new LocalEventBridge([]).bus(undefined, "us-east-1")?.name).toBe(DEFAULT_EVENT_BUS_NAME);
  });

  it("puts S3's event on the default bus of the bucket's region", async () => {
    const event = { version: "0", id: "1", "detail-type": "Object Created", source: "aws.s3", account: MOCK_ACCOUNT_ID, time: "2026-12-05T00:00:00Z", resources: [], detail: {} } as const;
    expect(server.eventBridge.putServiceEvent({ ...event, region: "eu-west-1", resources: [], detail: {} })).toBe(1);
    expect(await drained()).toEqual(["dr-eu-fn"]);
    expect(server.eventBridge.putServiceEvent({ ...event, region: "ap-southeast-2", resources: [], detail: {} })).toBe(0);
    expect(await drained()).toEqual([]);
  });
});
