/**
 * TransitionApiV2PartInUse: an API Gateway v2 authorizer or integration deleted by an update while a route still
 * references it afterwards (an ignored authorizerId or target, a route removed but retained): API Gateway refuses the
 * delete (ConflictException) and the update fails. A REST authorizer in the same place is not reported: the provider
 * ignores that ConflictException, so the update succeeds.
 */
import { describe, expect, it } from "vitest";
import { RealtimeApi } from "../../components/realtime-api";
import { record as recordProgram } from "../../testing/harness";
import type { RecordedResource } from "../../local/offline/mocks";
import { handBuilt, saved, transition } from "./fixture";

const RULE = "TransitionApiV2PartInUse";
const AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
const INTEGRATION = "aws:apigatewayv2/integration:Integration";
const ROUTE = "aws:apigatewayv2/route:Route";

const api = handBuilt("aws:apigatewayv2/api:Api", "api", { name: "api", protocolType: "HTTP" }, { id: "api-id" });
const on = { dependencies: [api.urn], propertyDependencies: { apiId: [api.urn] } };
const authorizer = handBuilt(AUTHORIZER, "jwt", { apiId: "api-id", authorizerType: "JWT", name: "jwt" }, on);
const integration = (name: string) => handBuilt(INTEGRATION, name, { apiId: "api-id", integrationType: "HTTP_PROXY", integrationUri: "https://example.com" }, on);
const items = integration("items-integration");
/** The route `GET /items` on `target` (an integration), with `auth` (an authorizer) or none. */
const route = (target: RecordedResource, auth: RecordedResource | undefined, more: Partial<RecordedResource> = {}) =>
  handBuilt(
    ROUTE,
    "items-route",
    { apiId: "api-id", routeKey: "GET /items", target: `integrations/${target.id}`, authorizationType: auth ? "JWT" : "NONE", authorizerId: auth?.id },
    {
      dependencies: [api.urn, target.urn, ...(auth ? [auth.urn] : [])],
      propertyDependencies: { apiId: [api.urn], target: [target.urn], ...(auth ? { authorizerId: [auth.urn] } : {}) },
      ...more,
    },
  );
const of = (rule: string) => (findings: ReturnType<typeof transition>) => findings.filter((f) => f.rule === rule);
const inUse = of(RULE);

describe("TransitionApiV2PartInUse", () => {
  it("finds an authorizer removed while its route's ignoreChanges keeps the deployed authorizerId", () => {
    const before = [api, authorizer, items, route(items, authorizer)];
    const after = [api, items, route(items, undefined, { ignoreChanges: ["authorizerId"] })];
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource, f.urn])).toEqual([[RULE, `${AUTHORIZER} jwt`, authorizer.urn]]);
    expect(findings[0].problem).toBe(
      `deletes authorizer jwt, but route "GET /items" (items-route) still references it: its ignoreChanges holds "authorizerId", so the engine keeps the deployed authorizerId. The delete runs at the end of the update (pulumi/pulumi#9979), and DeleteAuthorizer is refused ("ConflictException: Cannot delete authorizer '…', is referenced in route: …", here "GET /items" (items-route), anomalyco/sst#5586); the provider retries it for the delete timeout (30 minutes unless customTimeouts.delete says otherwise, hashicorp/terraform-provider-aws#37732) and then the update fails, with the authorizer still in the stack`,
    );
    expect(findings[0].fix).toBe(
      `take "authorizerId" out of items-route's ignoreChanges for this update, so the route moves to what the program gives it before the delete; or keep the authorizer (give it retainOnDelete, or leave it in the program) until no route references it`,
    );
    // From the saved file, which keeps property dependencies, and from one saved before them (dependencies stand in).
    expect(transition(saved(before), after).map((f) => f.rule)).toEqual([RULE]);
    const older = saved(before).map((r) => ({ ...r, propertyDependencies: undefined }));
    expect(transition(older, after).map((f) => f.rule)).toEqual([RULE]);
    // An ignoreChanges that holds the whole object does too.
    expect(inUse(transition(before, [api, items, route(items, undefined, { ignoreChanges: ["*"] })])).length).toBe(1);
  });

  it("finds an integration removed while its route's ignoreChanges keeps the deployed target: no retry, the update fails at the delete", () => {
    const next = integration("items-integration-2");
    const findings = transition([api, items, route(items, undefined)], [api, next, route(next, undefined, { ignoreChanges: ["target"] })]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([[RULE, `${INTEGRATION} items-integration`]]);
    expect(findings[0].problem).toMatch(/^deletes integration items-integration, but route "GET \/items" \(items-route\) still references it: its ignoreChanges holds "target"/);
    expect(findings[0].problem).toMatch(/DeleteIntegration is refused \("ConflictException: Cannot delete Integration because it is referenced by the following Routes", here "GET \/items" \(items-route\), milliHQ\/terraform-aws-next-js#247\), which the provider does not retry: the update fails at that delete/);
  });

  it("finds an authorizer and an integration removed with a route that is retained: the route stays in API Gateway", () => {
    const before = [api, authorizer, items, route(items, authorizer, { retainOnDelete: true })];
    const findings = transition(before, [api]);
    expect(inUse(findings).map((f) => f.resource)).toEqual([`${AUTHORIZER} jwt`, `${INTEGRATION} items-integration`]);
    expect(inUse(findings)[0].problem).toMatch(/still references it: it is removed without being deleted \(retainOnDelete\), so it stays in API Gateway as deployed/);
    expect(inUse(findings)[0].fix).toMatch(/^delete items-route first \(an update without its retainOnDelete, then remove it\), or delete it by hand before this update; or keep the authorizer/);
  });

  it("offers deletedWith on the parts when the route is deletedWith the API the update removes", () => {
    const findings = inUse(transition([api, authorizer, items, route(items, authorizer, { deletedWith: api.urn })], []));
    expect(findings.map((f) => f.resource)).toEqual([`${AUTHORIZER} jwt`, `${INTEGRATION} items-integration`]);
    expect(findings[0].problem).toMatch(/it is removed without being deleted \(deletedWith a resource the update also deletes or replaces\)/);
    expect(findings[0].fix).toMatch(
      /^delete items-route first \(an update without its deletedWith, then remove it\), or give the authorizer deletedWith: api as well \(its delete is then skipped too, and api's DeleteApi removes the API with its routes, integrations and authorizers\), or delete it by hand before this update/,
    );
    expect(findings[1].fix).toMatch(/or give the integration deletedWith: api as well/);
  });

  it("passes a route moved off the removed part, a route deleted with it, and a removed part that is retained", async () => {
    const before = [api, authorizer, items, route(items, authorizer)];
    // The route's update runs before the delete: it is off the authorizer and on the new integration by then.
    const next = integration("items-integration-2");
    expect(inUse(transition(before, [api, next, route(next, undefined)]))).toEqual([]);
    // Removed with them: deleted first (reverse dependency order).
    expect(inUse(transition(before, [api]))).toEqual([]);
    // An authorizer deployed retained and removed is not deleted (the same without retainOnDelete is the finding); an
    // ignoreChanges on another input keeps no reference.
    const ignoring = [api, items, route(items, undefined, { ignoreChanges: ["authorizerId"] })];
    expect(inUse(transition([api, { ...authorizer, retainOnDelete: true }, items, route(items, authorizer)], ignoring))).toEqual([]);
    expect(inUse(transition(before, ignoring)).map((f) => f.resource)).toEqual([`${AUTHORIZER} jwt`]);
    // A retained route with its parts deployed retained: none is deleted.
    const retained = <T extends RecordedResource>(r: T) => ({ ...r, retainOnDelete: true });
    expect(inUse(transition([api, retained(authorizer), retained(items), route(items, authorizer, { retainOnDelete: true })], [api]))).toEqual([]);
    // The whole API removed, the route and its parts deletedWith it: every delete is skipped, and DeleteApi takes them.
    const withApi = <T extends RecordedResource>(r: T) => ({ ...r, deletedWith: api.urn });
    expect(inUse(transition([api, withApi(authorizer), withApi(items), route(items, authorizer, { deletedWith: api.urn })], []))).toEqual([]);
    expect(inUse(transition(before, [api, items, route(items, undefined, { ignoreChanges: ["operationName"] })]))).toEqual([]);
    // A RealtimeApi made anonymous: its $connect route leaves the authorizer in the update, before the delete.
    const echo = { handler: "tests/fixtures/handlers/echo.ts" };
    const table = { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" };
    const withAuth = await recordProgram(() => new RealtimeApi("live", { connectionsTable: table, authorizer: echo, routes: { $connect: echo, $default: echo } }));
    const anonymous = await recordProgram(() => new RealtimeApi("live", { connectionsTable: table, anonymous: true, routes: { $connect: echo, $default: echo } }));
    expect(withAuth.some((r) => r.type === AUTHORIZER)).toBe(true);
    expect(inUse(transition(withAuth, anonymous))).toEqual([]);
  });

  it("passes a REST authorizer a method still uses: the provider's delete ignores API Gateway's ConflictException", () => {
    const restApi = handBuilt("aws:apigateway/restApi:RestApi", "rest", { name: "rest" }, { id: "rest-id" });
    const onRest = { dependencies: [restApi.urn] };
    const restAuthorizer = handBuilt("aws:apigateway/authorizer:Authorizer", "auth", { restApi: "rest-id", name: "auth", type: "TOKEN" }, onRest);
    const method = (more: Partial<RecordedResource>) =>
      handBuilt("aws:apigateway/method:Method", "get", { restApi: "rest-id", resourceId: "root-id", httpMethod: "GET", authorization: "CUSTOM", authorizerId: "auth-id" }, { ...onRest, ...more });
    const before = [restApi, restAuthorizer, method({ dependencies: [restApi.urn, restAuthorizer.urn], propertyDependencies: { authorizerId: [restAuthorizer.urn] } })];
    expect(transition(before, [restApi, method({ ignoreChanges: ["authorizerId"] })])).toEqual([]);
  });
});
