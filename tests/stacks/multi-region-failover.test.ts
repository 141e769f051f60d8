/**
 * The active-passive variant of docs/multi-region.md is config only: prod with `apiRouting: failover` and a 10-second
 * health check interval gets a PRIMARY (us-east-1, health-checked) and SECONDARY (us-west-2) pair instead of latency records.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { loadStackConfig } from "../../local/offline/config";
import { installRecordingMocks, type RecordedResource } from "../../local/offline/mocks";
import { PROJECT_DIR } from "../../local/offline/program";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { ofType } from "../harness/mocks";

let resources: RecordedResource[];

beforeAll(async () => {
  const config = loadStackConfig(PROJECT_DIR, "prod");
  const mocks = await installRecordingMocks({ project: config.project, stack: "prod", region: config.region });
  pulumi.runtime.setAllConfig(
    { ...config.values, "serverless-fullstack:apiRouting": "failover", "serverless-fullstack:apiHealthCheckInterval": "10" },
    config.secretKeys,
  );
  clearRegisteredSpecs();
  await import("../../index.js");
  await mocks.settle();
  resources = mocks.resources;
});

describe("prod with apiRouting: failover", () => {
  it("routes api.<domain> to us-east-1 while its health check passes, to us-west-2 otherwise", () => {
    const records = ofType(resources, "aws:route53/record:Record").filter((r) => r.inputs.name === "api.gallery.example.com" && r.inputs.type === "A");
    expect(records.map((r) => [r.inputs.setIdentifier, r.inputs.failoverRoutingPolicies[0].type, r.inputs.latencyRoutingPolicies])).toEqual([
      ["us-east-1", "PRIMARY", undefined],
      ["us-west-2", "SECONDARY", undefined],
    ]);
    const checks = ofType(resources, "aws:route53/healthCheck:HealthCheck").filter((c) => c.name.startsWith("api-routing"));
    expect(checks.map((c) => c.inputs.requestInterval)).toEqual([10, 10]);
    expect(checks.map((c) => c.id)).toContain(records[0].inputs.healthCheckId);
  });

  it("passes the deploy rules", () => {
    expect(checkDeployRules(resources, { stack: "prod", production: true, region: "us-east-1" }).map(formatFinding)).toEqual([]);
  });
});
