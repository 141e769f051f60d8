/**
 * Concurrency controls of ServerlessApi's route functions (review 28 F11): a route's reservedConcurrency (over
 * functionDefaults'), and provisioned concurrency per REST stage on the stage's alias of each route function.
 */
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, record, resource } from "../harness/mocks";

const echo = "tests/fixtures/handlers/echo.ts";
const CONFIG = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig";
const FUNCTION = "aws:lambda/function:Function";
const ALIAS = "aws:lambda/alias:Alias";

const routes: ServerlessApiArgs["routes"] = {
  "GET /albums": { handler: echo, auth: "none" },
  "POST /albums": { handler: echo, auth: "none" },
  "GET /config": { integration: { type: "mock", body: { ok: true } }, auth: "none" },
};

describe("ServerlessApi route functions' reservedConcurrency", () => {
  it("passes functionDefaults.reservedConcurrency to every route function, a route's own replacing it", async () => {
    const graph = await record(
      () => new ServerlessApi("rc", { routes: { ...routes, "POST /albums": { handler: echo, auth: "none", function: { reservedConcurrency: 0 } } }, functionDefaults: { reservedConcurrency: 20 } }),
    );
    expect(resource(graph, FUNCTION, "rc-get-albums-function").inputs.reservedConcurrentExecutions).toBe(20);
    expect(resource(graph, FUNCTION, "rc-post-albums-function").inputs.reservedConcurrentExecutions).toBe(0);
  });

  it("refuses a route's reservedConcurrency LambdaFunction refuses, under the route's argument", () => {
    expect(() => new ServerlessApi("rcbad", { routes: { "GET /a": { handler: echo, auth: "none", function: { reservedConcurrency: -1 } } } })).toThrow(
      /^ServerlessApi "rcbad": routes\["GET \/a"\]\.function\.reservedConcurrency -1 is not a whole number of at least 0/,
    );
  });
});

describe("ServerlessApi stages' provisionedConcurrency", () => {
  it("a number gives every route function that much on the stage's alias, and nothing on other stages", async () => {
    const graph = await record(() => new ServerlessApi("pc", { routes, stages: { dev: {}, prod: { provisionedConcurrency: 2 } } }));
    const configs = ofType(graph, CONFIG);
    expect(configs.map((c) => c.name).sort()).toEqual(["pc-get-albums-prod-provisioned", "pc-post-albums-prod-provisioned"]);
    const alias = resource(graph, ALIAS, "pc-get-albums-prod");
    const fn = resource(graph, FUNCTION, "pc-get-albums-function");
    expect(resource(graph, CONFIG, "pc-get-albums-prod-provisioned").inputs).toMatchObject({ functionName: fn.state.name, qualifier: alias.state.name, provisionedConcurrentExecutions: 2 });
    expect(alias.inputs.name).toBe("prod");
  });

  it("a record by route key gives only those routes' functions provisioned concurrency", async () => {
    const graph = await record(() => new ServerlessApi("pcr", { routes, stages: { prod: { provisionedConcurrency: { "GET /albums": 5 } } } }));
    expect(ofType(graph, CONFIG).map((c) => [c.name, c.inputs.provisionedConcurrentExecutions])).toEqual([["pcr-get-albums-prod-provisioned", 5]]);
  });

  it("while the stage runs a canary, it stays on the stage's own (frozen) alias; the canary alias runs on demand", async () => {
    const graph = await record(() => new ServerlessApi("pcc", { routes: { "GET /albums": { handler: echo, auth: "none" } }, stages: { prod: { provisionedConcurrency: 1, canary: { percentTraffic: 10 } } } }));
    expect(ofType(graph, CONFIG).map((c) => c.name)).toEqual(["pcc-get-albums-prod-provisioned"]);
    expect(resource(graph, CONFIG, "pcc-get-albums-prod-provisioned").inputs.qualifier).toBe(resource(graph, ALIAS, "pcc-get-albums-prod").state.name);
  });

  it.each<[string, Partial<ServerlessApiArgs>, RegExp]>([
    ["zero", { stages: { prod: { provisionedConcurrency: 0 } } }, /^ServerlessApi "bad": stages\.prod\.provisionedConcurrency 0 is not a whole number of at least 1/],
    ["a fraction in a record", { stages: { prod: { provisionedConcurrency: { "GET /albums": 1.5 } } } }, /stages\.prod\.provisionedConcurrency\["GET \/albums"\] 1\.5 is not a whole number of at least 1/],
    ["an unknown route", { stages: { prod: { provisionedConcurrency: { "GET /photos": 1 } } } }, /stages\.prod\.provisionedConcurrency "GET \/photos" is not a route of this API\. Use one of its function routes: GET \/albums, POST \/albums\./],
    ["a route without a function", { stages: { prod: { provisionedConcurrency: { "GET /config": 1 } } } }, /stages\.prod\.provisionedConcurrency "GET \/config" is a route without a function \(a mock, HTTP or AWS service integration\), which has nothing to keep warm/],
    [
      "two stages for one function",
      { stages: { dev: { provisionedConcurrency: { "GET /albums": 1 } }, prod: { provisionedConcurrency: 2 } } },
      /^ServerlessApi "bad": stages\.prod\.provisionedConcurrency 2 gives route "GET \/albums" provisioned concurrency on stage "prod" as well as on stage "dev": every stage's alias points at the same published version of the route's function, and Lambda allows one provisioned concurrency configuration per version \("Two aliases can't allocate provisioned concurrency for the same version"\)\. Give it provisioned concurrency on one stage only/,
    ],
    [
      "more than the route's reservation",
      { routes: { ...routes, "GET /albums": { handler: echo, auth: "none", function: { reservedConcurrency: 3 } } }, stages: { prod: { provisionedConcurrency: 4 } } },
      /^ServerlessApi "bad": stages\.prod\.provisionedConcurrency 4 is more than route "GET \/albums"'s reservedConcurrency \(3\): Lambda cannot allocate more provisioned concurrency than the function reserves\. Use at most 3 for it \(a record by route key sets routes apart\), or raise its reservedConcurrency\.$/,
    ],
    ["the HTTP kind", { kind: ApiKind.Http, routes: { "GET /albums": { handler: echo, auth: "none" } }, stages: { prod: { provisionedConcurrency: 1 } } }, /^ServerlessApi "bad": stages\.prod\.provisionedConcurrency 1 is set on an HTTP API, which has no per-stage function aliases: its routes call each function's unpublished \$LATEST, which Lambda gives no provisioned concurrency/],
  ])("refuses %s", (_, bad, message) => {
    expect(() => new ServerlessApi("bad", { routes, ...bad })).toThrow(message);
  });
});
