/**
 * A canary is stack config: the prod stack with `apiCanaryStage: prod` and `apiCanaryPercent: 10`
 * (what a user sets in Pulumi.prod.yaml to start a release), run through index.ts under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { loadStackConfig } from "../../local/offline/config";
import { installRecordingMocks, type RecordedResource } from "../../local/offline/mocks";
import { PROJECT_DIR } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";

let resources: RecordedResource[];

beforeAll(async () => {
  const config = loadStackConfig(PROJECT_DIR, "prod");
  const mocks = await installRecordingMocks({ project: config.project, stack: "prod", region: config.region });
  pulumi.runtime.setAllConfig(
    { ...config.values, "serverless-fullstack:apiCanaryStage": "prod", "serverless-fullstack:apiCanaryPercent": "10" },
    config.secretKeys,
  );
  clearRegisteredSpecs();
  await import("../../index.js");
  await mocks.settle();
  resources = mocks.resources;
});

describe("a canary release from stack config (prod)", () => {
  it("sends 10 % of the prod stage to the new deployment with the canary alias", () => {
    const stage = resource(resources, "aws:apigateway/stage:Stage", "api-stage-prod");
    const deployment = resource(resources, "aws:apigateway/deployment:Deployment", "api-deployment");
    const canaryDeployment = resource(resources, "aws:apigateway/deployment:Deployment", "api-canary-deployment");
    expect(stage.inputs.canarySettings).toEqual({ deploymentId: canaryDeployment.id, percentTraffic: 10, stageVariableOverrides: { alias: "prod-canary" }, useStageCache: false });
    expect(stage.inputs.deployment).toBe(deployment.id);
    expect(stage.ignoreChanges).toEqual(["deployment"]);
    // The stage's deployment is frozen, not replaced, so the release may change the API in the same up (docs/api-gateway-deployments.md).
    expect(deployment.ignoreChanges).toEqual(["triggers", "description"]);
    expect(deployment.retainOnDelete).toBe(false);
    expect(deployment.inputs.triggers).toEqual({ snapshot: expect.any(String) });
    expect(canaryDeployment.inputs.triggers).toEqual(deployment.inputs.triggers);
  });

  it("gives every route function a canary alias on its newest version and freezes the stage's own alias", () => {
    const aliases = ofType(resources, "aws:lambda/alias:Alias");
    const canaries = aliases.filter((a) => a.inputs.name === "prod-canary");
    const stable = aliases.filter((a) => a.inputs.name === "prod");
    // 11 route functions in each of prod's two regions (docs/multi-region.md): the canary runs in both.
    expect(canaries).toHaveLength(22);
    expect(stable).toHaveLength(22);
    for (const alias of stable) expect(alias.ignoreChanges).toEqual(["functionVersion"]);
    for (const alias of canaries) expect(alias.ignoreChanges).toEqual([]);
    // The canary alias follows the function's newest published version.
    const functions = new Map(ofType(resources, "aws:lambda/function:Function").map((f) => [f.state.name, f]));
    for (const alias of canaries) {
      expect(alias.inputs.functionVersion).toMatch(/^\d+$/);
      expect(alias.inputs.functionVersion).toBe(functions.get(alias.inputs.functionName)?.state.version);
    }
    expect(ofType(resources, "aws:lambda/permission:Permission").filter((p) => p.inputs.qualifier === "prod-canary")).toHaveLength(22);
  });
});
