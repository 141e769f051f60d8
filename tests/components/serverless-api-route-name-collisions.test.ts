/**
 * ServerlessApi names a route's API Gateway resources after the route's method and path (routes.ts `routeSlug`), a
 * body model after the route's operation name (`operationName`), and a usage plan's key after the plan and the key
 * (usage-plans.ts). Where two different routes, or two plan/key pairs, would give two resources of one type one logical
 * name, Pulumi refuses the second at preview ("Duplicate resource URN"); ServerlessApi refuses those arguments at
 * construction instead, naming both and the fix, and keeps the names (deployed stacks know their resources by them).
 * Where no two resources meet (an HTTP API's routes of different methods), it takes the routes. Fuzz 16, findings 1,
 * 3, 4 and 5.
 */
import { describe, expect, it } from "vitest";
import { ApiKind, type ApiRoute, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, record } from "../harness/mocks";
import { apiRefusal, buildApi } from "../harness/serverless-api-refusals";

const echo = "tests/fixtures/handlers/echo.ts";
const handler: ApiRoute = { handler: echo, auth: "none" };
const mock: ApiRoute = { integration: { type: "mock", body: { ok: true } }, auth: "none" };
const s3Get: ApiRoute = {
  integration: { type: "aws", service: "s3", method: "GET", path: "bucket/key", permissions: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/key"] }] },
  auth: "none",
};
const schema = { type: "object" };

/** The ComponentArgError constructing `args` throws, or a failed test (harness/refusals). */
const refusalOf = (args: ServerlessApiArgs) => apiRefusal("api", args, "ServerlessApi took arguments that give two resources one name");

const recorded = (args: ServerlessApiArgs) => record(buildApi("api", args));
const namesOf = async (args: ServerlessApiArgs, type: string) => ofType(await recorded(args), type).map((r) => r.name);

describe("HTTP kind: routes are named by method and path slug, so only one method on paths of one slug meets", () => {
  it("takes GET /a-b beside POST /a/b, and GET /items/{item} beside POST /items/item, each route under its own name", async () => {
    const routes = await namesOf({ kind: ApiKind.Http, routes: { "GET /a-b": handler, "POST /a/b": handler, "GET /items/{item}": handler, "POST /items/item": handler } }, "aws:apigatewayv2/route:Route");
    expect(routes.sort()).toEqual(["api-route-get-a-b", "api-route-get-items-item", "api-route-post-a-b", "api-route-post-items-item"]);
  });

  it("still refuses GET /a-b beside GET /a/b (one route name), naming both routes", () => {
    const error = refusalOf({ kind: ApiKind.Http, routes: { "GET /a-b": handler, "GET /a/b": { ...handler, name: "other" } } });
    expect(error.argument).toBe('routes["GET /a/b"]');
    expect(error.message).toMatch(/as route "GET \/a-b" does/);
  });

  it("still refuses GET /a-b beside POST /a/b on the REST kind, whose resource tree is named by path alone", () => {
    expect(refusalOf({ routes: { "GET /a-b": handler, "POST /a/b": handler } }).argument).toBe('routes["POST /a/b"]');
  });
});

describe("REST: an AWS-service route's responses (<slug>-<status>) beside a route at <path>/<status>", () => {
  it("refuses a mock route at GET /a/400 beside an S3 route at GET /a, naming both routes and the fix", () => {
    const error = refusalOf({ routes: { "GET /a": s3Get, "GET /a/400": mock } });
    expect(error).toMatchObject({ component: "ServerlessApi", argument: 'routes["GET /a/400"]', value: "GET /a/400" });
    expect(error.message).toContain('"api-response-get-a-400"');
    expect(error.message).toContain('route "GET /a"');
    expect(error.message).toContain("Duplicate resource URN");
    expect(error.fix).toMatch(/Rename a path segment of route "GET \/a\/400" or route "GET \/a"/);
    expect(error.fix).toMatch(/a deployed stack knows its resources by them/);
  });

  it("refuses GET /a-400 too, and names the later route whichever is declared first", () => {
    expect(refusalOf({ routes: { "GET /a": s3Get, "GET /a-400": mock } }).argument).toBe('routes["GET /a-400"]');
    const reversed = refusalOf({ routes: { "GET /a/200": mock, "GET /a": s3Get } });
    expect(reversed.argument).toBe('routes["GET /a"]');
    expect(reversed.message).toContain('"api-response-get-a-200"');
    expect(reversed.message).toContain('route "GET /a/200"');
  });

  it("refuses a CORS preflight at /a/400 beside an S3 route at OPTIONS /a", () => {
    const error = refusalOf({ cors: { allowOrigins: ["https://gallery.example.com"] }, routes: { "OPTIONS /a": s3Get, "GET /a/400": handler } });
    expect(error.argument).toBe('routes["GET /a/400"]');
    expect(error.message).toContain('"api-response-options-a-400"');
    expect(error.message).toContain("CORS preflight");
    expect(error.message).toContain('route "OPTIONS /a"');
  });

  it("takes a Lambda route at GET /a/400 (a proxy integration has no method responses) and a mock at GET /a/404 (no such status)", async () => {
    const responses = await namesOf({ routes: { "GET /a": s3Get, "GET /a/400": handler, "GET /a/404": mock } }, "aws:apigateway/methodResponse:MethodResponse");
    expect(responses.sort()).toEqual(["api-response-get-a-200", "api-response-get-a-400", "api-response-get-a-404", "api-response-get-a-500"]);
  });
});

describe("REST: body models are named by operation name, which drops the path's punctuation", () => {
  it("refuses POST /a_b beside POST /a/b, both with a request schema, naming both routes", () => {
    const error = refusalOf({ routes: { "POST /a_b": { ...mock, requestSchema: schema }, "POST /a/b": { ...mock, requestSchema: schema } } });
    expect(error).toMatchObject({ component: "ServerlessApi", argument: 'routes["POST /a/b"]', value: "POST /a/b" });
    expect(error.message).toContain('"api-model-PostABBody"');
    expect(error.message).toContain('route "POST /a_b"');
    expect(error.fix).toMatch(/Rename a path segment of route "POST \/a\/b" or route "POST \/a_b"/);
  });

  it("refuses /a.b beside /a/b with handlers and route names", () => {
    const error = refusalOf({ routes: { "PATCH /a.b": { ...handler, name: "one", requestSchema: schema }, "PATCH /a/b": { ...handler, name: "two", requestSchema: schema } } });
    expect(error.argument).toBe('routes["PATCH /a/b"]');
    expect(error.message).toContain('"api-model-PatchABBody"');
  });

  it("takes them when one has no schema, or the methods differ", async () => {
    expect(await namesOf({ routes: { "POST /a_b": mock, "POST /a/b": { ...mock, requestSchema: schema } } }, "aws:apigateway/model:Model")).toEqual(["api-model-PostABBody"]);
    const models = await namesOf({ routes: { "PUT /a_b": { ...mock, requestSchema: schema }, "POST /a/b": { ...mock, requestSchema: schema } } }, "aws:apigateway/model:Model");
    expect(models.sort()).toEqual(["api-model-PostABBody", "api-model-PutABBody"]);
  });
});

describe("REST: a usage plan's key is named <api>-plan-<plan>-<key>", () => {
  const keyed = { "GET /a": { ...handler, apiKeyRequired: true } };

  it('refuses plan "pro-eu" with key "mobile" beside plan "pro" with key "eu-mobile", naming both', () => {
    const error = refusalOf({ routes: keyed, usagePlans: { "pro-eu": { apiKeys: ["mobile"] }, pro: { apiKeys: ["eu-mobile"] } } });
    expect(error).toMatchObject({ component: "ServerlessApi", argument: "usagePlans.pro.apiKeys", value: "eu-mobile" });
    expect(error.message).toContain('"api-plan-pro-eu-mobile"');
    expect(error.message).toContain('key "mobile" of usage plan "pro-eu"');
    expect(error.fix).toMatch(/Rename usage plan "pro" or "pro-eu", or key "eu-mobile" or "mobile"/);
  });

  it("refuses a key listed twice in one plan", () => {
    const error = refusalOf({ routes: keyed, usagePlans: { pro: { apiKeys: ["mobile", "mobile"] } } });
    expect(error).toMatchObject({ argument: "usagePlans.pro.apiKeys", value: "mobile" });
    expect(error.message).toMatch(/is listed twice in usage plan "pro"/);
  });

  // On different stages: "a given API key can only be associated with one usage plan for each stage of your API", so
  // one key in two plans of one stage is refused (serverless-api-usage-plans.test.ts).
  it("takes one key in two plans whose names share a prefix", async () => {
    const stages = { eu: {}, us: {} };
    const keys = await namesOf({ routes: keyed, stages, usagePlans: { "pro-eu": { apiKeys: ["mobile"], stages: ["eu"] }, pro: { apiKeys: ["mobile"], stages: ["us"] } } }, "aws:apigateway/usagePlanKey:UsagePlanKey");
    expect(keys.sort()).toEqual(["api-plan-pro-eu-mobile", "api-plan-pro-mobile"]);
  });
});
