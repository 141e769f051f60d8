/**
 * A canary release across `pulumi up`s (docs/api-gateway-deployments.md): the recorded program of each step is applied
 * to the state the previous one left (api-update-model.ts), and no step may leave a DeleteDeployment that API Gateway
 * refuses. The release adds a route in the same `up` that turns the canary on, as the documented flow invites.
 */
import { describe, expect, it } from "vitest";
import { ServerlessApi, type ServerlessApiArgs } from "../../components/serverless-api";
import { ofType, record, resource, type RecordedResource } from "../harness/mocks";
import { expectDeploymentAfterEveryPart } from "../stacks/api-checks";
import { applyUpdate, emptyApiState, type ApiState, type UpdateResult } from "./api-update-model";
import { asEarlierCanaryVersion } from "../harness/earlier-canary";

const echo = "tests/fixtures/handlers/echo.ts";
const DEPLOYMENT = "aws:apigateway/deployment:Deployment";

const health = { "GET /health": { handler: echo, auth: "none" as const } };
const status = { "GET /status": { integration: { type: "mock" as const, body: { ok: true } }, auth: "none" as const } };
const config = { "GET /config": { integration: { type: "mock" as const, body: { version: 2 } }, auth: "none" as const } };

/**
 * The API under one name (ids, and so digests, are comparable between steps), with `stages` and `routes`, recorded
 * when called (recordings share the mocks: one at a time).
 */
const program = (stages: ServerlessApiArgs["stages"], routes: ServerlessApiArgs["routes"]) => () =>
  record(() => new ServerlessApi("rel", { accountCloudWatchRole: false, stages, routes }));

/** The snapshot (trigger digest) a deployment of exactly these routes has. */
const snapshotOf = async (routes: ServerlessApiArgs["routes"]) => {
  const graph = await program({ prod: {} }, routes)();
  return JSON.stringify(resource(graph, DEPLOYMENT, "rel-deployment").inputs.triggers);
};

/** Applies each program in turn, failing on the first update API Gateway would refuse. */
async function release(...steps: Array<() => Promise<RecordedResource[]>>): Promise<UpdateResult[]> {
  let state: ApiState = emptyApiState();
  const results: UpdateResult[] = [];
  for (const [index, step] of steps.entries()) {
    const result = applyUpdate(state, await step());
    expect(result.refused, `update ${index} (${result.steps.join(", ")})`).toEqual([]);
    results.push(result);
    state = result.state;
  }
  return results;
}

describe("a canary release across updates", () => {
  it("turns the canary on in the up that adds a route: the stage keeps the old snapshot, the canary serves the new one, nothing is deleted", async () => {
    const [, on] = await release(program({ prod: {} }, health), program({ prod: { canary: { percentTraffic: 10 } } }, { ...health, ...status }));
    const prod = on.state.stages.get("prod")!;
    expect(prod.deployment.snapshot).toBe(await snapshotOf(health));
    expect(prod.canary?.snapshot).toBe(await snapshotOf({ ...health, ...status }));
    expect(on.steps).toEqual(["create rel-canary-deployment"]);
  });

  it("ships more changes to the canary while it runs, deleting only the canary's previous deployment", async () => {
    const [, , more] = await release(
      program({ prod: {} }, health),
      program({ prod: { canary: { percentTraffic: 10 } } }, { ...health, ...status }),
      program({ prod: { canary: { percentTraffic: 10 } } }, { ...health, ...status, ...config }),
    );
    const prod = more.state.stages.get("prod")!;
    expect(prod.deployment.snapshot).toBe(await snapshotOf(health));
    expect(prod.canary?.snapshot).toBe(await snapshotOf({ ...health, ...status, ...config }));
    expect(more.steps).toEqual(["replace rel-canary-deployment", "delete rel-canary-deployment"]);
    expect(more.state.live).toHaveLength(2);
  });

  it("rolls back to 0 % without touching a deployment, then promotes: the stage serves the newest snapshot and no deployment is left behind", async () => {
    const canary = (percentTraffic: number) => program({ prod: { canary: { percentTraffic } } }, { ...health, ...status });
    const [, , rolledBack, promoted] = await release(program({ prod: {} }, health), canary(10), canary(0), program({ prod: {} }, { ...health, ...status }));
    expect(rolledBack.steps).toEqual([]);
    expect(rolledBack.state.stages.get("prod")!.deployment.snapshot).toBe(await snapshotOf(health));
    const prod = promoted.state.stages.get("prod")!;
    expect(prod.deployment.snapshot).toBe(await snapshotOf({ ...health, ...status }));
    expect(prod.canary).toBeUndefined();
    expect(promoted.steps).toEqual(["replace rel-deployment", "delete rel-deployment", "delete rel-canary-deployment"]);
    expect(promoted.state.live).toEqual([prod.deployment]);
  });

  it("keeps a stage without a canary on the newest snapshot while another stage runs one", async () => {
    const [, on] = await release(program({ dev: {}, prod: {} }, health), program({ dev: {}, prod: { canary: { percentTraffic: 10 } } }, { ...health, ...status }));
    expect(on.state.stages.get("dev")!.deployment.snapshot).toBe(await snapshotOf({ ...health, ...status }));
    expect(on.state.stages.get("prod")!.deployment.snapshot).toBe(await snapshotOf(health));
  });
});

describe("the resource options that make each step of the release valid", () => {
  it("freezes the stage's deployment while a canary runs and snapshots the API anew for the canary, after every part", async () => {
    const graph = await program({ prod: { canary: { percentTraffic: 10 } } }, { ...health, ...status })();
    const stable = resource(graph, DEPLOYMENT, "rel-deployment");
    const canary = resource(graph, DEPLOYMENT, "rel-canary-deployment");
    // No replacement (triggers are ForceNew) and no description patch while the stage still serves it.
    expect(stable.ignoreChanges).toEqual(["triggers", "description"]);
    // Deleted for real when it is replaced after promotion: nothing is leaked.
    expect(stable.retainOnDelete).toBe(false);
    expect(canary.retainOnDelete).toBe(false);
    expect(canary.ignoreChanges ?? []).toEqual([]);
    expect(canary.inputs.triggers).toEqual(stable.inputs.triggers);
    const stage = resource(graph, "aws:apigateway/stage:Stage", "rel-stage-prod");
    expect(stage.inputs.deployment).toBe(stable.id);
    expect(stage.inputs.canarySettings.deploymentId).toBe(canary.id);
    expect(stage.ignoreChanges).toEqual(["deployment"]);
    expectDeploymentAfterEveryPart(graph, resource(graph, "aws:apigateway/restApi:RestApi", "rel-api"), { canary: true });
  });

  it("has one deployment, not frozen, when no canary runs", async () => {
    const graph = await program({ dev: {}, prod: {} }, health)();
    expect(ofType(graph, DEPLOYMENT).map((d) => [d.name, d.ignoreChanges ?? [], d.retainOnDelete])).toEqual([["rel-deployment", [], false]]);
  });
});

describe("a stack that ran into the earlier version's canary failure", () => {
  const asEarlierVersion = (graph: RecordedResource[]) => asEarlierCanaryVersion(graph, "rel");

  it("failed there, keeps failing on the pending delete while the canary runs, and recovers at promotion", async () => {
    const routes = { ...health, ...status };
    const deployed = applyUpdate(emptyApiState(), await program({ prod: {} }, health)());
    const earlier = applyUpdate(deployed.state, asEarlierVersion(await program({ prod: { canary: { percentTraffic: 10 } } }, routes)()));
    expect(earlier.refused).toEqual([expect.stringMatching(/^DeleteDeployment of rel-deployment #\d+: Active stages pointing to this deployment must be moved or deleted \(stage prod/)]);
    const upgraded = applyUpdate(earlier.state, await program({ prod: { canary: { percentTraffic: 10 } } }, routes)());
    expect(upgraded.refused).toEqual([expect.stringMatching(/^DeleteDeployment of rel-deployment #\d+: Active stages pointing to this deployment must be moved or deleted \(stage prod/)]);
    const promoted = applyUpdate(upgraded.state, await program({ prod: {} }, routes)());
    expect(promoted.refused).toEqual([]);
    expect(promoted.state.stages.get("prod")!.deployment.snapshot).toBe(await snapshotOf(routes));
    expect(promoted.state.live).toEqual([promoted.state.stages.get("prod")!.deployment]);
  });
});
