/**
 * Monitoring under a stack name CloudWatch would not take as a dashboard name, and under an explicit provider for
 * another region than the stack's: where the dashboard's name and each alarm's topic end up.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Monitoring } from "../../components/monitoring";
import { regionOf } from "../../testing/deploy-rules";
import { ofType, record, resource, useMocks, type RecordedResource } from "../harness/mocks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
// The stack's aws:region, which the mocks also report as the default provider's.
const stackContext = { stack: "prod.eu", production: true, region: "us-east-1" };

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

describe("Monitoring on the default provider", () => {
  it("puts an alarm whose region is the stack's aws:region on the one topic there, beside the alarms without a region", async () => {
    const graph = await record(() => new Monitoring("one", { functions: { fn: { functionName: "fn" } }, distributions: { site: { distributionId: "E1" } }, dashboard: false }));
    const topics = ofType(graph, TOPIC);
    expect(topics.map((t) => [t.name, t.inputs.region])).toEqual([["one-alarms", undefined]]);
    for (const alarm of ofType(graph, ALARM)) expect(alarm.inputs.alarmActions).toEqual([topics[0].state.arn]);
  });
});

describe("Monitoring given a provider for another region than the stack's", () => {
  let graph: RecordedResource[];
  beforeAll(async () => {
    graph = await record(() => {
      const provider = new aws.Provider("eu-west-1", { region: "eu-west-1" });
      return new Monitoring("ops", { functions: { fn: { functionName: "fn" } }, distributions: { site: { distributionId: "E1" } }, dashboard: false }, { provider });
    });
  });

  const topicOf = (alarm: RecordedResource) => graph.find((r) => r.type === TOPIC && r.state.arn === alarm.inputs.alarmActions[0])!;

  it("puts the CloudFront alarm (us-east-1, the stack's region) on a topic in us-east-1, not in the provider's eu-west-1", () => {
    const cdn = resource(graph, ALARM, "ops-cdn-site-cloud-front-server-errors");
    expect(regionOf(graph, cdn, stackContext)).toBe("us-east-1");
    expect(regionOf(graph, topicOf(cdn), stackContext)).toBe("us-east-1");
  });

  it("puts every alarm on a topic of its own region, for ALARM and OK alike", () => {
    const placements = ofType(graph, ALARM).map((alarm) => {
      expect(alarm.inputs.okActions).toEqual(alarm.inputs.alarmActions);
      return [alarm.name, regionOf(graph, alarm, stackContext), regionOf(graph, topicOf(alarm), stackContext)];
    });
    expect(placements).toEqual(placements.map(([name, region]) => [name, region, region]));
    expect(new Set(placements.map(([, region]) => region))).toEqual(new Set(["us-east-1", "eu-west-1"]));
  });
});
