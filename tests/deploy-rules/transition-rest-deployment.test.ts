/**
 * TransitionRestRouteStillServed: a ServerlessApi route removed by an update. The deployment the update takes snapshots
 * the REST API before the removed method is deleted (removed resources go at the end of the update), so the stages keep
 * serving it, and nothing redeploys afterwards. While a canary runs, the fix must not replace the frozen deployment.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { record as recordProgram } from "../../testing/harness";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { saved, transition } from "./fixture";

const DEPLOYMENT = "aws:apigateway/deployment:Deployment";
const echo = "tests/fixtures/handlers/echo.ts";
const health = { "GET /health": { handler: echo, auth: "none" as const } };
const albums = { "GET /albums/{albumId}": { handler: echo, auth: "none" as const } };
const status = { "GET /status": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
const api = (routes: ServerlessApiArgs["routes"], stages: ServerlessApiArgs["stages"] = { prod: {} }) =>
  recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, stages, routes }));
const canary = { prod: { canary: { percentTraffic: 10 } } };
const urnOf = (graph: { type: string; name: string; urn: string }[], name: string) => graph.find((r) => r.type === DEPLOYMENT && r.name === name)!.urn;

describe("TransitionRestRouteStillServed", () => {
  it("finds a removed route and gives the command that takes a fresh deployment", async () => {
    const before = await api({ ...health, ...albums });
    const after = await api(health);
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestRouteStillServed", `${DEPLOYMENT} api-deployment`]]);
    expect(findings[0].problem).toMatch(/^removes route GET \/albums\/\{albumId\} of REST API api-api, but the deployment this update takes \(api-deployment\) snapshots the API before/);
    expect(findings[0].problem).toMatch(/pulumi\/pulumi#9979/);
    expect(findings[0].fix).toBe(`after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${urnOf(after, "api-deployment")}" (docs/api-gateway-deployments.md, "Removing a route: one more step")`);
    // Through the file `npm run plan -- --save` writes, which keeps no method inputs: the route is named by its resource.
    const fromFile = transition(saved(before), after);
    expect(fromFile.map((f) => f.rule)).toEqual(["TransitionRestRouteStillServed"]);
    expect(fromFile[0].problem).toMatch(/^removes route api-method-get-albums-albumId of REST API api-api/);
    // A new base path removes every method under the old one, which the new deployment still serves.
    const moved = transition(before, await recordProgram(() => new ServerlessApi("api", { accountCloudWatchRole: false, basePath: "v1", stages: { prod: {} }, routes: { ...health, ...albums } })));
    expect(moved.filter((f) => f.rule === "TransitionRestRouteStillServed").map((f) => f.problem.split(" of ")[0])).toEqual(["removes route GET /health", "removes route GET /albums/{albumId}"]);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionRestRouteStillServed")?.source).toBe("https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html");
  });

  it("while a canary runs, replaces only the canary's deployment and sends the frozen one's traffic to promotion", async () => {
    const before = await api({ ...health, ...status }, canary);
    const after = await api(health, canary);
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionRestRouteStillServed", `${DEPLOYMENT} api-canary-deployment`]]);
    expect(findings[0].problem).toMatch(/^removes route GET \/status of REST API api-api/);
    expect(findings[0].problem).toMatch(/api-deployment, frozen while the canary runs, still serves it to the stage's other traffic until promotion/);
    expect(findings[0].fix).toMatch(new RegExp(`^after this \`pulumi up\`, take a fresh deployment: pulumi up --replace "${urnOf(after, "api-canary-deployment").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
    expect(findings[0].fix).toMatch(/never --replace api-deployment while the canary runs/);
  });

  it("passes adding or keeping routes, a renamed path parameter, a changed route, and the whole API removed", async () => {
    const deployed = await api({ ...health, ...albums });
    expect(transition(deployed, await api({ ...health, ...albums, ...status }))).toEqual([]);
    expect(transition(deployed, deployed)).toEqual([]);
    expect(transition(deployed, await api({ ...health, "GET /albums/{id}": albums["GET /albums/{albumId}"] })).filter((f) => f.rule === "TransitionRestRouteStillServed")).toEqual([]);
    expect(transition(deployed, await api({ ...health, "GET /albums/{albumId}": { handler: echo, auth: "none", function: { memorySize: 256 } } }))).toEqual([]);
    expect(transition(deployed, [])).toEqual([]);
  });
});
