/**
 * ApiDeploymentTriggerReplacedFirst beyond its failing fixtures (fixtures/deployment-triggers.ts): what it leaves alone,
 * and the components' own deployments, whose triggers name no part (snapshot.ts withoutPropertyDependencies).
 */
import { describe, expect, it } from "vitest";
import { RealtimeApi } from "../../components/realtime-api";
import { ServerlessApi } from "../../components/serverless-api";
import { record } from "../../testing/harness";
import { API_DEPLOYMENT_TRIGGER_REPLACED_FIRST, NAMED_DELETE_FIRST } from "../../testing/deploy-rules/deployment-triggers";
import { checkDeployRules, TRANSITION_NAMED_TYPES } from "../../testing/deploy-rules";
import type { RecordedResource } from "../../local/offline/mocks";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { devContext, handBuilt } from "./fixture";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readSavedPlan, toSavedPlan } from "../../testing/deploy-rules/transition";
import { handBuiltNamedAuthorizer, handBuiltRest, handBuiltWebSocket } from "./fixtures/deployment-triggers";

const check = (graph: RecordedResource[]) => checkDeployRules(graph, devContext, [API_DEPLOYMENT_TRIGGER_REPLACED_FIRST]);
const echo = "tests/fixtures/handlers/echo.ts";

describe("ApiDeploymentTriggerReplacedFirst", () => {
  it("names only the parts replaced delete-first: an integration always, a method only with deleteBeforeReplace", () => {
    const [found] = check(handBuiltRest({ methodDeleteFirst: false }));
    expect(found.problem).toMatch(/delete-first: get-integration \(in triggers; aws\.apigateway\.Integration/);
    expect(found.problem).not.toMatch(/\bget \(in/);
    expect(found.fix).toMatch(/^order the deployment with dependsOn and keep the parts' outputs out of triggers/);
  });

  it("reads a REST deployment's variables too (ForceNew)", () => {
    const graph = handBuiltRest({ detached: true }).map((r) =>
      r.name === "deployment" ? { ...r, propertyDependencies: { ...r.propertyDependencies, variables: ["urn:pulumi:dev::fixture::aws:apigateway/integration:Integration::get-integration"] } } : r,
    );
    expect(check(graph).map((f) => f.problem)).toEqual([expect.stringMatching(/get-integration \(in variables;/)]);
  });

  it("finds a deployment a stage names only through property dependencies (its id unknown at preview), and names every stage serving it", () => {
    const DEPLOYMENT = "urn:pulumi:dev::fixture::aws:apigateway/deployment:Deployment::deployment";
    const unknownId = { __pulumiUnknown: true };
    const graph = handBuiltRest({ methodDeleteFirst: true }).flatMap((r) =>
      r.type === "aws:apigateway/stage:Stage"
        ? ["prod", "beta"].map((stageName) => ({ ...r, name: stageName, urn: `${r.urn}-${stageName}`, inputs: { ...r.inputs, stageName, deployment: unknownId }, propertyDependencies: { deployment: [DEPLOYMENT] } }))
        : [r],
    );
    expect(check(graph).map((f) => f.problem)).toEqual([expect.stringMatching(/; and prod, beta serves it\./)]);
  });

  it("finds a REST deployment only a stage's canary serves (canarySettings.deploymentId), by id or by property dependency", () => {
    const canaryOnly = (byDependency: boolean) =>
      handBuiltRest({ methodDeleteFirst: true }).map((r) =>
        r.type === "aws:apigateway/stage:Stage"
          ? {
              ...r,
              inputs: { ...r.inputs, deployment: "d0", canarySettings: { deploymentId: byDependency ? { __pulumiUnknown: true } : "d1", percentTraffic: 10 } },
              propertyDependencies: byDependency ? { canarySettings: ["urn:pulumi:dev::fixture::aws:apigateway/deployment:Deployment::deployment"] } : {},
            }
          : r,
      );
    for (const byDependency of [false, true]) expect(check(canaryOnly(byDependency)).map((f) => f.resource)).toEqual(["aws:apigateway/deployment:Deployment deployment"]);
  });

  it("leaves alone a v2 autoDeploy stage, which names no deployment", () => {
    const graph = handBuiltWebSocket().map((r) => (r.type === "aws:apigatewayv2/stage:Stage" ? { ...r, inputs: { apiId: "ws1", name: "prod", autoDeploy: true }, propertyDependencies: {} } : r));
    expect(check(graph)).toEqual([]);
  });

  it("leaves a deployment ordered by dependsOn alone, one no stage serves, and a v2 route replaced create-first", () => {
    expect(check(handBuiltRest({ methodDeleteFirst: true, detached: true }))).toEqual([]);
    expect(check(handBuiltRest({ methodDeleteFirst: true, stage: false }))).toEqual([]);
    expect(check(handBuiltWebSocket(false))).toEqual([]);
  });

  it("finds nothing on ServerlessApi's and RealtimeApi's deployments, whose methods and integrations are replaced delete-first", async () => {
    const graph = await record(() => {
      new ServerlessApi("rest", { routes: { "GET /a": { handler: echo, auth: "none" }, "POST /b": { integration: { type: "mock", body: { ok: true } }, auth: "none" } } });
      new RealtimeApi("live", { connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" }, authorizer: { handler: echo }, routes: { $connect: { handler: echo } } });
    });
    expect(graph.some((r) => r.type === "aws:apigateway/integration:Integration")).toBe(true);
    expect(check(graph)).toEqual([]);
  });

  it("leaves alone an authorizer left to pulumi-aws's autonaming (replaced create-first), and finds a named one under a component", () => {
    expect(check(handBuiltNamedAuthorizer({ named: false }))).toEqual([]);
    // The part's URN carries its parent's type (`parent$type`): found by its own type.
    expect(check(handBuiltNamedAuthorizer({ parent: "serverless-fullstack:index:Custom" })).map((f) => f.problem)).toEqual([expect.stringMatching(/delete-first: ws-authorizer \(in triggers; its name set by hand/)]);
  });

  it("finds a REST model named by hand in a REST deployment's triggers, beside the integration", () => {
    const MODEL = "aws:apigateway/model:Model";
    const modelUrn = `urn:pulumi:dev::fixture::${MODEL}::body`;
    const graph = [
      ...handBuiltRest({ methodDeleteFirst: false }).map((r) =>
        r.name === "deployment" ? { ...r, propertyDependencies: { ...r.propertyDependencies, triggers: [...(r.propertyDependencies?.triggers ?? []), modelUrn] } } : r,
      ),
      handBuilt(MODEL, "body", { restApi: "api1", name: "Body", contentType: "application/json", schema: "{}" }, { id: "mo1" }),
    ];
    expect(check(graph).map((f) => f.problem)).toEqual([expect.stringMatching(/get-integration \(in triggers; aws\.apigateway\.Integration.*, body \(in triggers; its name set by hand \("Body"\)/)]);
  });

  it("names as delete-first for a hand-set name exactly the API Gateway types with a `name` argument in @pulumi/aws, less the APIs", () => {
    // Every such type gets pulumi-aws's AutoName (provider/autonaming.go), so the list must follow the SDK's declarations.
    const root = join(process.cwd(), "node_modules/@pulumi/aws");
    const named = ["apigateway", "apigatewayv2"].flatMap((folder) =>
      readdirSync(join(root, folder))
        .filter((file) => file.endsWith(".js"))
        .flatMap((file) => {
          const type = /__pulumiType = '([^']+)'/.exec(readFileSync(join(root, folder, file), "utf8"))?.[1];
          if (!type) return [];
          const declarations = readFileSync(join(root, folder, file.replace(/\.js$/, ".d.ts")), "utf8");
          const args = /^export interface \w+Args \{[\s\S]*?^\}/m.exec(declarations)?.[0] ?? "";
          return /^\s+name\?: /m.test(args) ? [type] : [];
        }),
    );
    expect(named.length).toBeGreaterThan(0);
    expect([...NAMED_DELETE_FIRST].sort()).toEqual(named.filter((type) => !["aws:apigateway/restApi:RestApi", "aws:apigatewayv2/api:Api"].includes(type)).sort());
  });

  it("is the one list of autonamed API Gateway types: the transition checks' API Gateway kinds take their autoname field from it", () => {
    const apiGateway = TRANSITION_NAMED_TYPES.filter((kind) => /^aws:apigateway(v2)?\//.test(kind.type));
    expect(apiGateway.filter((kind) => kind.autonameField !== undefined).map((kind) => [kind.type, kind.autonameField])).toEqual([
      ["aws:apigateway/model:Model", "name"],
      ["aws:apigateway/authorizer:Authorizer", "name"],
    ]);
    for (const kind of apiGateway) expect(kind.autonameField !== undefined).toBe(NAMED_DELETE_FIRST.has(kind.type));
  });

  it("would find RealtimeApi's deployment if its trigger named the authorizer (whose name the component sets) as a property dependency", async () => {
    const graph = await record(() => new RealtimeApi("live", { connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" }, authorizer: { handler: echo }, routes: { $connect: { handler: echo } } }));
    const authorizer = graph.find((r) => r.type === "aws:apigatewayv2/authorizer:Authorizer")!;
    expect(typeof authorizer.inputs.name).toBe("string");
    const named = graph.map((r) => (r.type === "aws:apigatewayv2/deployment:Deployment" ? { ...r, propertyDependencies: { ...r.propertyDependencies, triggers: [authorizer.urn] } } : r));
    expect(check(named).map((f) => f.problem)).toEqual([expect.stringMatching(new RegExp(`delete-first: ${authorizer.name} \\(in triggers; its name set by hand`))]);
  });

  it("honours an explicit deleteBeforeReplace: false on a part named by hand (the engine then replaces it create-first), as recorded and as saved", async () => {
    // A hand-built WebSocket API as a program writes it: the deployment's triggers take the authorizer's id.
    const program = (options: pulumi.CustomResourceOptions) => () => {
      const api = new aws.apigatewayv2.Api("ws", { protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" });
      const authorizer = new aws.apigatewayv2.Authorizer("ws-authorizer", { apiId: api.id, name: "ws-authorizer", authorizerType: "REQUEST", identitySources: ["route.request.querystring.token"], authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations" }, options);
      const deployment = new aws.apigatewayv2.Deployment("ws-deployment", { apiId: api.id, triggers: { authorizer: authorizer.id } });
      new aws.apigatewayv2.Stage("ws-stage", { apiId: api.id, name: "prod", deploymentId: deployment.id });
    };
    const named = await record(program({}));
    expect(check(named).map((f) => f.problem)).toEqual([expect.stringMatching(/delete-first: ws-authorizer \(in triggers; its name set by hand/)]);
    const createFirst = await record(program({ deleteBeforeReplace: false }));
    expect(createFirst.find((r) => r.name === "ws-authorizer")).toMatchObject({ deleteBeforeReplace: false, deleteBeforeReplaceDefined: true });
    expect(check(createFirst)).toEqual([]);
    // A saved plan (npm run plan -- --save) keeps whether it was given; a recording without it reads as not given.
    expect(readSavedPlan(JSON.stringify(toSavedPlan(createFirst, devContext))).resources.find((r) => r.name === "ws-authorizer")).toMatchObject({ deleteBeforeReplace: false, deleteBeforeReplaceDefined: true });
    expect(check(createFirst.map(({ deleteBeforeReplaceDefined: _, ...r }) => r))).toHaveLength(1);
    // deleteBeforeReplace: true is delete-first, given or not.
    expect(check(await record(program({ deleteBeforeReplace: true }))).map((f) => f.problem)).toEqual([expect.stringMatching(/ws-authorizer \(in triggers; its deleteBeforeReplace option\)/)]);
  });
});
