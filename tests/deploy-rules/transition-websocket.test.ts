/**
 * TransitionWebSocketRouteStillServed: a RealtimeApi route removed by an update. The deployment the update takes
 * snapshots the API before the removed route is deleted (removed resources go at the end of the update), so the stage
 * keeps serving it, and nothing redeploys afterwards.
 */
import { describe, expect, it } from "vitest";
import { RealtimeApi, type RealtimeApiArgs } from "../../components/realtime-api";
import { ApiKind, ServerlessApi } from "../../components/serverless-api";
import { record as recordProgram } from "../../testing/harness";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { handBuilt, saved, transition } from "./fixture";

const DEPLOYMENT = "aws:apigatewayv2/deployment:Deployment";
const ROUTE = "aws:apigatewayv2/route:Route";
const STAGE = "aws:apigatewayv2/stage:Stage";
const echo = { handler: "tests/fixtures/handlers/echo.ts" };
const table = { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" };
const live = (routes: RealtimeApiArgs["routes"], more: Partial<RealtimeApiArgs> = {}) =>
  recordProgram(() => new RealtimeApi("live", { connectionsTable: table, authorizer: echo, routes, ...more }));

describe("TransitionWebSocketRouteStillServed", () => {
  it("finds a removed message route and gives the command that takes a fresh deployment", async () => {
    const before = await live({ $connect: echo, $default: echo, ping: echo });
    const after = await live({ $connect: echo, $default: echo });
    const findings = transition(before, after);
    // On the removed route: an acceptance names this one removal.
    const routeUrn = before.find((r) => r.type === ROUTE && r.name === "live-route-ping")!.urn;
    expect(findings.map((f) => [f.rule, f.resource, f.urn])).toEqual([["TransitionWebSocketRouteStillServed", `${ROUTE} live-route-ping`, routeUrn]]);
    expect(findings[0].problem).toMatch(/^removes route "ping" of WebSocket API live-api, but the deployment this update takes \(live-deployment\) snapshots the API before/);
    expect(findings[0].problem).toMatch(/instead of reaching \$default/);
    const urn = after.find((r) => r.type === DEPLOYMENT)!.urn;
    expect(findings[0].fix).toBe(`after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${urn}" (docs/realtime.md, "Removing a route: one more step")`);
    // Through the file `npm run plan -- --save` writes, which keeps each route's routeKey.
    const fromFile = transition(saved(before), after);
    expect(fromFile.map((f) => f.rule)).toEqual(["TransitionWebSocketRouteStillServed"]);
    expect(fromFile[0].problem).toMatch(/^removes route "ping" of WebSocket API live-api, but the deployment this update takes \(live-deployment\)/);
    // A file saved before routeKey was kept: the route is named by its resource.
    const older = saved(before).map((r) => (r.type === ROUTE ? { ...r, inputs: {}, savedInputs: [] } : r));
    expect(transition(older, after)[0].problem).toMatch(/^removes route live-route-ping of WebSocket API live-api/);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionWebSocketRouteStillServed")?.source).toBe("https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-set-up-websocket-deployment.html");
  });

  it("says every connection fails when an anonymous API drops $connect", async () => {
    const findings = transition(await live({ $connect: echo, $default: echo }, { authorizer: undefined, anonymous: true }), await live({ $default: echo }, { authorizer: undefined, anonymous: true }));
    expect(findings.map((f) => f.rule)).toEqual(["TransitionWebSocketRouteStillServed"]);
    expect(findings[0].problem).toMatch(/^removes route "\$connect" .*EVERY connection attempt to the API fails/);
    // From a file saved before routeKey was kept, told by RealtimeApi's name for the $connect route.
    const before = saved(await live({ $connect: echo, $default: echo }, { authorizer: undefined, anonymous: true })).map((r) => (r.type === ROUTE ? { ...r, inputs: {}, savedInputs: [] } : r));
    const older = transition(before, await live({ $default: echo }, { authorizer: undefined, anonymous: true }));
    expect(older[0].problem).toMatch(/^removes route live-route-connect .*EVERY connection attempt to the API fails/);
  });

  it("takes a route kept under a new URN (the same routeKey) as no removal, from the saved file too; its create is TransitionNameTaken's", () => {
    const api = handBuilt("aws:apigatewayv2/api:Api", "chat", { protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" }, { id: "chat-id" });
    const on = { dependencies: [api.urn] };
    const route = (name: string, routeKey = "ping") => handBuilt(ROUTE, name, { apiId: "chat-id", routeKey }, on);
    const deployment = handBuilt(DEPLOYMENT, "chat-deployment", { apiId: "chat-id", triggers: { routes: "1" } }, on);
    const before = [api, route("ping-route"), deployment];
    const after = [api, route("ping"), deployment];
    // CreateRoute of "ping" while ping-route still holds the key: ConflictException (anomalyco/sst#5031).
    const taken = [["TransitionNameTaken", `${ROUTE} ping`]];
    expect(transition(before, after).map((f) => [f.rule, f.resource])).toEqual(taken);
    expect(transition(before, after)[0].problem).toMatch(/^is created by the update as API Gateway v2 route "ping" of API chat-id; aws:apigatewayv2\/route:Route ping-route of the deployed plan holds the name and is removed from the program, .*CreateRoute is refused: an API holds each route key once/);
    expect(transition(before, after)[0].fix).toMatch(/add aliases: \[\{ name: "ping-route" \}\] to ping/);
    expect(transition(saved(before), after).map((f) => [f.rule, f.resource])).toEqual(taken);
    expect(transition(before, [api, deployment]).map((f) => f.resource)).toEqual([`${ROUTE} ping-route`]);
    // The same route under its deployed URN (an alias), with its key changed in place (route_key is not ForceNew), and a new key beside it: no conflict.
    expect(transition(before, [api, route("ping-route"), route("pong", "pong"), deployment])).toEqual([]);
    expect(transition(before, [api, route("ping-route", "ping2"), deployment]).map((f) => f.rule)).not.toContain("TransitionNameTaken");
    // On another API (a new apiId: the API replaced) the key is free.
    expect(transition(before, [api, handBuilt(ROUTE, "ping", { apiId: "chat2-id", routeKey: "ping" }, on), deployment]).map((f) => f.rule)).not.toContain("TransitionNameTaken");
  });

  it("passes adding or keeping routes, and changing a route's function", async () => {
    expect(transition(await live({ $connect: echo, $default: echo }), await live({ $connect: echo, $default: echo, ping: echo }))).toEqual([]);
    expect(transition(await live({ $connect: echo, ping: echo }), await live({ $connect: echo, ping: echo }))).toEqual([]);
    expect(transition(await live({ $connect: echo, ping: echo }), await live({ $connect: echo, ping: { ...echo, function: { memorySize: 256 } } }))).toEqual([]);
  });
});

/** A v2 API built by hand: routes `keys`, one deployment whose triggers digest them, and a stage with `stage` inputs. */
function v2Api(protocolType: "HTTP" | "WEBSOCKET", keys: string[], stage: Record<string, unknown>) {
  const api = handBuilt("aws:apigatewayv2/api:Api", "shop", { protocolType }, { id: "shop-id" });
  const on = { dependencies: [api.urn] };
  const routes = keys.map((key) => handBuilt(ROUTE, `route-${key.replace(/\W+/g, "-")}`, { apiId: "shop-id", routeKey: key, target: "integrations/int-id" }, on));
  const deployment = handBuilt(DEPLOYMENT, "shop-deployment", { apiId: "shop-id", triggers: { routes: keys.join(",") } }, { ...on, dependencies: [api.urn, ...routes.map((r) => r.urn)] });
  return [api, ...routes, deployment, handBuilt(STAGE, "shop-stage", { apiId: "shop-id", name: "prod", ...stage }, on)];
}

describe("TransitionHttpRouteStillServed", () => {
  it("finds a route removed from a hand-built HTTP API whose stage serves an explicit deployment", () => {
    const before = v2Api("HTTP", ["GET /items", "DELETE /items/{id}"], { deploymentId: "shop-deployment-id" });
    const after = v2Api("HTTP", ["GET /items"], { deploymentId: "shop-deployment-id" });
    const findings = transition(before, after);
    const removed = before.find((r) => r.name === "route-DELETE-items-id-")!;
    expect(findings.map((f) => [f.rule, f.resource, f.urn])).toEqual([["TransitionHttpRouteStillServed", `${ROUTE} route-DELETE-items-id-`, removed.urn]]);
    expect(findings[0].problem).toMatch(/^removes route "DELETE \/items\/\{id\}" of HTTP API shop, but the deployment this update takes \(shop-deployment\) snapshots the API before the removed route/);
    expect(findings[0].problem).toMatch(/a stage without `autoDeploy` does not release the deletes/);
    expect(findings[0].fix).toBe(`after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${after.find((r) => r.type === DEPLOYMENT)!.urn}"`);
    // From the saved file, which keeps each route's routeKey.
    expect(transition(saved(before), after).map((f) => f.rule)).toEqual(["TransitionHttpRouteStillServed"]);
    // One stage of two that does not auto-deploy still serves the snapshot.
    const twoStages = [...after, handBuilt(STAGE, "shop-beta", { apiId: "shop-id", name: "beta", autoDeploy: true }, { dependencies: [after[0].urn] })];
    expect(transition(before, twoStages).map((f) => f.rule)).toEqual(["TransitionHttpRouteStillServed"]);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionHttpRouteStillServed")?.source).toBe("https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html");
  });

  it("passes a stage that auto-deploys without a deploymentId (HTTP or WebSocket), and ServerlessApi's HTTP kind, which has no deployment", async () => {
    const auto = { autoDeploy: true };
    expect(transition(v2Api("HTTP", ["GET /items", "DELETE /items/{id}"], auto), v2Api("HTTP", ["GET /items"], auto))).toEqual([]);
    expect(transition(v2Api("WEBSOCKET", ["$default", "ping"], auto), v2Api("WEBSOCKET", ["$default"], auto))).toEqual([]);
    // Auto-deploying but pinned to the deployment: the update that moves it is refused (ApiV2StageAutoDeployDeployment),
    // so the removed route is still reported.
    const pinned = { autoDeploy: true, deploymentId: "dep-id" };
    expect(transition(v2Api("HTTP", ["GET /items", "DELETE /items/{id}"], pinned), v2Api("HTTP", ["GET /items"], pinned)).map((f) => f.rule)).toEqual(["TransitionHttpRouteStillServed"]);
    expect(transition(v2Api("WEBSOCKET", ["$default", "ping"], pinned), v2Api("WEBSOCKET", ["$default"], pinned)).map((f) => f.rule)).toEqual(["TransitionWebSocketRouteStillServed"]);
    const httpApi = (routes: Record<string, { handler: string; auth: "none" }>) => recordProgram(() => new ServerlessApi("api", { kind: ApiKind.Http, stages: { prod: {} }, routes }));
    const before = await httpApi({ "GET /health": { handler: echo.handler, auth: "none" }, "GET /albums": { handler: echo.handler, auth: "none" } });
    expect(before.some((r) => r.type === ROUTE)).toBe(true);
    expect(transition(before, await httpApi({ "GET /health": { handler: echo.handler, auth: "none" } }))).toEqual([]);
  });
});
