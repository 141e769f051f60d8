/** Monitoring under a stack name CloudWatch would not take as a dashboard name. */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Monitoring } from "../../components/monitoring";
import { record, resource, useMocks } from "../harness/mocks";

beforeAll(async () => {
  // Pulumi allows periods in stack names (https://www.pulumi.com/docs/iac/concepts/stacks/); CloudWatch does not in dashboard names.
  await useMocks({ stack: "prod.eu" });
  pulumi.runtime.setConfig("aws:region", "us-east-1");
});

describe("Monitoring's default dashboard name", () => {
  it("is <project>-<stack> with every character PutDashboard refuses (here the stack's period) made a hyphen", async () => {
    const graph = await record(() => new Monitoring("ops", { functions: { fn: { functionName: "fn" } } }));
    const name = resource(graph, "aws:cloudwatch/dashboard:Dashboard", "ops-dashboard").inputs.dashboardName;
    expect(name).toBe("serverless-fullstack-prod-eu");
    expect(name).toMatch(/^[0-9A-Za-z_-]{1,255}$/);
  });
});
