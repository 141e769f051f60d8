/**
 * A REST ServerlessApi names its per-stage resources by joining names with "-" (`<api>-execution-logs-<stage>`, its
 * canary's `…-canary`, each route function's alias `<function>-<stage>` and its canary's `…-canary`, each alias's
 * `…-invoke` Permission), and a stage name may hold "-" too (API_Stage: "alphanumeric characters, hyphens, and
 * underscores"). Two different stages can then give two resources one logical name, which Pulumi refuses at preview
 * ("Duplicate resource URN …; try giving it a unique name"). ServerlessApi refuses those arguments at construction,
 * naming both stages (and routes) and the fix; the names themselves stay as they are, since deployed stacks know their
 * resources by them. Review 14, findings 1 and 12. The recording mocks refuse a duplicate URN too, so every accepted
 * case below is also checked for one.
 */
import { describe, expect, it } from "vitest";
import { ApiKind, ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record } from "../harness/mocks";
import { buildApi, recordedApiRefusal } from "../harness/serverless-api-refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const health = { "GET /health": { handler: echo, auth: "none" as const } };
const healthAndX = { ...health, "GET /health/x": { handler: echo, auth: "none" as const } };
const canaryNext = { canary: { percentTraffic: 10, stageVariableOverrides: { alias: "next" } } };

/** The refusal of constructing `args` (under record), or a failed test when there is none. */
const refusal = (args: ServerlessApiArgs) => recordedApiRefusal("cm", args, "ServerlessApi accepted arguments that give two resources one name");

describe("ServerlessApi refuses stage names that give two per-stage resources one logical name", () => {
  it("refuses a stage <stage>-canary beside a stage <stage> whose canary has an overridden alias (execution log groups and aliases)", async () => {
    const error = await refusal({ routes: health, stages: { prod: canaryNext, "prod-canary": {} } });
    expect(error.argument).toBe("stages");
    expect(error.message).toContain('"cm-execution-logs-prod-canary"');
    expect(error.message).toContain('stage "prod-canary"');
    expect(error.message).toContain('stage "prod"\'s canary');
    expect(error.fix).toMatch(/Rename stage "prod-canary" or stage "prod"/);
  });

  it("refuses it for the execution log groups alone, on an API without route functions, and with the canary set by the top-level canary argument", async () => {
    const status = { "GET /status": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
    expect((await refusal({ routes: status, stages: { prod: {}, "prod-canary": {} }, canary: { stage: "prod", percentTraffic: 10, stageVariableOverrides: { alias: "next" } } })).message).toContain(
      '"cm-execution-logs-prod-canary"',
    );
  });

  it("refuses routes GET /health and GET /health/x with stages prod and x-prod (the route function's alias)", async () => {
    const error = await refusal({ routes: healthAndX, stages: { prod: {}, "x-prod": {} } });
    expect(error.argument).toBe("stages");
    expect(error.message).toContain('"cm-get-health-x-prod"');
    expect(error.message).toContain('route "GET /health" for stage "x-prod"');
    expect(error.message).toContain('route "GET /health/x" for stage "prod"');
    expect(error.fix).toMatch(/Rename stage "x-prod" or stage "prod", e\.g\. "x-prod" to "x_prod"/);
  });

  it("refuses a route's canary alias meeting another route's stage alias, even without a hyphen in any stage name", async () => {
    const routes = { ...health, "GET /health/prod": { handler: echo, auth: "none" as const } };
    const error = await refusal({ routes, stages: { prod: canaryNext, canary: {} } });
    expect(error.message).toContain('"cm-get-health-prod-canary"');
    expect(error.message).toContain('route "GET /health" for stage "prod"\'s canary');
    expect(error.message).toContain('route "GET /health/prod" for stage "canary"');
  });

  it("refuses a route named auth-<authorizer>, whose function has the Lambda authorizer's function's name", async () => {
    const error = await refusal({ routes: { "GET /a": { handler: echo, auth: "none", name: "auth-check" } }, authorizers: { check: { type: "token", handler: echo } } });
    expect(error.argument).toBe('routes["GET /a"].name');
    expect(error.message).toContain('"cm-auth-check"');
    expect(error.message).toContain("authorizers.check");
  });
});

describe("ServerlessApi accepts stage names whose per-stage resources keep distinct names", () => {
  const accepted = (args: ServerlessApiArgs) => record(buildApi("cm", args));

  for (const kind of [ApiKind.Rest, ApiKind.Http]) {
    it(`takes the stage name my-stage (${kind})`, async () => {
      expect((await accepted({ kind, routes: healthAndX, stages: { "my-stage": {}, prod: {} } })).length).toBeGreaterThan(0);
    });
  }

  it("takes stages prod and prod-canary when prod runs no canary", async () => {
    expect((await accepted({ routes: health, stages: { prod: {}, "prod-canary": {} } })).length).toBeGreaterThan(0);
  });

  it("takes routes GET /health and GET /health/x with stages prod and x-prod on the HTTP kind, which makes no per-stage aliases", async () => {
    expect((await accepted({ kind: ApiKind.Http, routes: healthAndX, stages: { prod: {}, "x-prod": {} } })).length).toBeGreaterThan(0);
  });

  it("takes a canary with an overridden alias beside other hyphenated stages", async () => {
    expect((await accepted({ routes: healthAndX, stages: { prod: canaryNext, "pre-prod": {}, "prod_canary": {} } })).length).toBeGreaterThan(0);
  });
});

/**
 * Collisions the duplicate-URN check of the recording mocks exposed beyond stage names: paths of one slug, whose
 * resources share logical names, and a route named "authorizer" whose alias permission is a Lambda authorizer's.
 */
describe("ServerlessApi refuses other arguments that give two resources one logical name", () => {
  it("refuses REST routes /a-b and /a/b (their resources are both named -a-b), naming both routes", async () => {
    const error = await refusal({ routes: { "GET /a-b": { handler: echo, auth: "none", name: "one" }, "GET /a/b": { handler: echo, auth: "none", name: "two" } } });
    expect([error.argument, error.message]).toEqual(['routes["GET /a/b"]', expect.stringMatching(/makes resources named "cm-…-a-b" for the path \/a\/b, as route "GET \/a-b" does for \/a-b: .*Rename a path segment/)]);
  });

  it("refuses an HTTP API's /items/{item} beside /items/item, and takes /a-b beside /a (REST prefixes differ)", async () => {
    const error = await refusal({ kind: ApiKind.Http, routes: { "GET /items/{item}": { handler: echo, auth: "none", name: "one" }, "GET /items/item": { handler: echo, auth: "none", name: "two" } } });
    expect(error.argument).toBe('routes["GET /items/item"]');
    const graph = await record(() => new ServerlessApi("ok", { accountCloudWatchRole: false, routes: { "GET /a-b": { handler: echo, auth: "none" }, "GET /a": { handler: echo, auth: "none" } } }));
    expect(graph.length).toBeGreaterThan(0);
  });

  it("refuses a route named authorizer whose alias permission for stage x is the Lambda authorizer x's invoke permission", async () => {
    const error = await refusal({ stages: { x: {} }, authorizers: { x: { type: "token", handler: echo } }, routes: { "GET /p": { handler: echo, name: "authorizer", auth: "none" } } });
    expect([error.argument, error.message]).toEqual(['routes["GET /p"]', expect.stringMatching(/"cm-authorizer-x-invoke", which the invoke permission of the Lambda authorizer x also gets.*Give the route another name/)]);
  });
});

/**
 * Every canary of a REST API is a Lambda alias of every route function (its `stageVariableOverrides.alias`, or
 * `<stage>-canary`), as every stage is. Two canaries of one alias would make two aliases of one name on each function,
 * under different logical names, so preview passes and the second CreateAlias fails at `up` with
 * "ResourceConflictException: The resource already exists" (https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html).
 * Fuzz 16, finding 2.
 */
describe("ServerlessApi refuses two canaries of one Lambda alias", () => {
  const next = (alias: string) => ({ canary: { percentTraffic: 5, stageVariableOverrides: { alias } } });

  it("refuses two stages' canaries overriding the alias to one name, as the later stage's override", async () => {
    const error = await refusal({ routes: health, stages: { a: next("next"), b: next("next") } });
    expect(error).toMatchObject({ component: "ServerlessApi", argument: "stages.b.canary.stageVariableOverrides.alias", value: "next" });
    expect(error.message).toContain("the canary of stage a");
    expect(error.message).toContain("ResourceConflictException");
    expect(error.fix).toMatch(/Give each canary its own alias/);
  });

  it("refuses an override that is another stage's default canary alias, as the override, whichever stage comes first", async () => {
    const later = await refusal({ routes: health, stages: { a: { canary: { percentTraffic: 5 } }, b: next("a-canary") } });
    expect(later).toMatchObject({ argument: "stages.b.canary.stageVariableOverrides.alias", value: "a-canary" });
    const earlier = await refusal({ routes: health, stages: { b: next("a-canary"), a: { canary: { percentTraffic: 5 } } } });
    expect(earlier).toMatchObject({ argument: "stages.b.canary.stageVariableOverrides.alias", value: "a-canary" });
  });

  it("refuses the top-level canary's override as canary.stageVariableOverrides.alias", async () => {
    const error = await refusal({ routes: health, stages: { a: next("next"), b: {} }, canary: { stage: "b", percentTraffic: 5, stageVariableOverrides: { alias: "next" } } });
    expect(error).toMatchObject({ argument: "canary.stageVariableOverrides.alias", value: "next" });
  });

  it("takes canaries with aliases of their own", async () => {
    const graph = await record(() => new ServerlessApi("cm", { accountCloudWatchRole: false, routes: health, stages: { a: next("a-next"), b: { canary: { percentTraffic: 5 } } } }));
    const aliases = graph.filter((r) => r.type === "aws:lambda/alias:Alias").map((r) => r.inputs.name);
    expect(aliases.sort()).toEqual(["a", "a-next", "b", "b-canary"]);
  });
});
