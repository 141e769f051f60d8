/**
 * Monitoring under a stack name CloudWatch would not take as a dashboard name, and under an explicit provider for the
 * stack's region or another: where the dashboard's name and each alarm's topic end up.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { assertProviderRegion, dashboardNameOf, Monitoring } from "../../components/monitoring";
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
  it("is <project>-<stack> with every character PutDashboard refuses (here the stack's period) made a hyphen, and a hash of the original so it stays apart", async () => {
    const graph = await record(() => new Monitoring("ops", { functions: { fn: { functionName: "fn" } } }));
    const name = resource(graph, "aws:cloudwatch/dashboard:Dashboard", "ops-dashboard").inputs.dashboardName;
    expect(name).toMatch(/^serverless-fullstack-prod-eu-[0-9a-f]{8}$/);
    expect(name).toBe(dashboardNameOf("serverless-fullstack-prod.eu"));
  });

  it("differs between stacks whose names differ only in characters PutDashboard refuses (prod.eu and prod-eu), whose dashboards would replace each other", () => {
    expect(dashboardNameOf("gallery-prod-eu")).toBe("gallery-prod-eu");
    expect(dashboardNameOf("gallery-prod.eu")).not.toBe(dashboardNameOf("gallery-prod-eu"));
    expect(dashboardNameOf("gallery-prod.eu")).not.toBe(dashboardNameOf("gallery-prod/eu"));
    expect(dashboardNameOf("gallery-prod.eu")).toBe(dashboardNameOf("gallery-prod.eu"));
  });

  it("keeps a name PutDashboard takes exactly as it is, and cuts a longer one to 255 with the hash at the end", () => {
    expect(dashboardNameOf("x".repeat(255))).toBe("x".repeat(255));
    const long = dashboardNameOf("x".repeat(300));
    expect(long).toMatch(/^x{246}-[0-9a-f]{8}$/);
    expect(dashboardNameOf("x".repeat(299) + "y")).not.toBe(long);
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

describe("Monitoring given a provider in the stack's own region", () => {
  // As in 0.2.0: an existing stack keeps its one topic, key and confirmed email subscriptions, and its CloudFront
  // alarm keeps notifying them (a new topic's subscriptions notify nobody until each address confirms again).
  it("puts the CloudFront alarm (us-east-1) on the one topic, beside the alarms without a region", async () => {
    const graph = await record(() => {
      const provider = new aws.Provider("same-region", { region: "us-east-1" });
      return new Monitoring("same", { functions: { fn: { functionName: "fn" } }, distributions: { site: { distributionId: "E1" } }, alarmEmails: ["ops@example.com"], dashboard: false }, { provider });
    });
    const topics = ofType(graph, TOPIC);
    expect(topics.map((t) => t.name)).toEqual(["same-alarms"]);
    expect(ofType(graph, "aws:sns/topicSubscription:TopicSubscription").map((s) => s.name)).toEqual(["same-alarms-email-af3c8254"]); // named by its address (tests/components/monitoring-subscriptions.test.ts)
    for (const alarm of ofType(graph, ALARM)) expect([alarm.name, alarm.inputs.alarmActions, alarm.inputs.okActions]).toEqual([alarm.name, [topics[0].state.arn], [topics[0].state.arn]]);
  });
});

describe("Monitoring given a provider for another region than the stack's", () => {
  let graph: RecordedResource[];
  beforeAll(async () => {
    graph = await record(() => {
      const provider = new aws.Provider("eu-west-1", { region: "eu-west-1" });
      return new Monitoring(
        "ops",
        { functions: { fn: { functionName: "fn" }, here: { functionName: "here", region: "eu-west-1" } }, distributions: { site: { distributionId: "E1" } }, providerRegion: "eu-west-1", dashboard: false },
        { provider },
      );
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

  it("shares the provider's topic with an alarm whose region is providerRegion: one topic per region", () => {
    expect(ofType(graph, TOPIC).map((t) => t.name).sort()).toEqual(["ops-alarms", "ops-alarms-us-east-1"]);
    expect(topicOf(resource(graph, ALARM, "ops-fn-here-lambda-errors")).name).toBe("ops-alarms");
  });
});

/**
 * `record`, with the unhandled rejections it causes (a resource input that throws) collected instead of failing the run,
 * and with what was registered when the run itself fails with one (the mocks' settle takes it as the run's failure).
 */
async function recordRejections(build: () => unknown): Promise<{ graph: RecordedResource[]; errors: unknown[] }> {
  const errors: unknown[] = [];
  const others = process.listeners("unhandledRejection");
  const collect = (error: unknown) => errors.push(error);
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", collect);
  const mocks = await useMocks({ stack: "prod.eu" });
  try {
    const graph = await record(build).catch((error: unknown) => {
      errors.push(error);
      return mocks.resources;
    });
    await new Promise((resolve) => setImmediate(resolve)); // let Node report rejections left unhandled by that turn
    return { graph, errors };
  } finally {
    process.off("unhandledRejection", collect);
    for (const listener of others) process.on("unhandledRejection", listener);
  }
}

describe("Monitoring's providerRegion", () => {
  const cdnUnder = (provider: aws.Provider, providerRegion?: string) =>
    new Monitoring("wrong", { distributions: { site: { distributionId: "E1" } }, providerRegion, dashboard: false }, { provider });

  it("is checked against the provider's region once known, before an alarm is told to notify a topic in another region", () => {
    // The provider is for eu-west-1 and nothing says so: the CloudFront alarm (us-east-1) would go on the topic in eu-west-1.
    expect(() => assertProviderRegion("wrong", "us-east-1", "eu-west-1")).toThrow(
      /Monitoring "wrong": providerRegion "us-east-1" is not the region of the provider it runs under, eu-west-1, so alarms in us-east-1 would notify a topic in eu-west-1, which CloudWatch refuses\. Set providerRegion: "eu-west-1"/,
    );
    expect(assertProviderRegion("right", "eu-west-1", "eu-west-1")).toBe("eu-west-1");
  });

  it("stops the CloudFront alarm's registration under a provider for another region when nothing says that region", async () => {
    // Pulumi fails the program on a registration whose input throws; here that is an unhandled rejection, caught for the test.
    const { graph, errors } = await recordRejections(() => cdnUnder(new aws.Provider("unsaid", { region: "eu-west-1" })));
    expect(ofType(graph, ALARM)).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(String(error)).toMatch(/Monitoring "wrong": providerRegion \(not set\) is taken to be aws:region, us-east-1, which is not the region of the provider it runs under, eu-west-1, so alarms in us-east-1 would notify a topic in eu-west-1, which CloudWatch refuses\. Set providerRegion: "eu-west-1"/);
    }
  });

  it("lets the alarm notify once providerRegion says the provider's region", async () => {
    const { graph, errors } = await recordRejections(() => cdnUnder(new aws.Provider("said", { region: "eu-west-1" }), "eu-west-1"));
    expect(errors).toEqual([]);
    expect(ofType(graph, ALARM).map((a) => a.name)).toEqual(["wrong-cdn-site-cloud-front-server-errors"]);
  });

  it("is refused on the default provider when it is not the stack's aws:region", () => {
    expect(() => new Monitoring("bad", { functions: { fn: { functionName: "fn" } }, providerRegion: "eu-west-1" })).toThrow(
      /Monitoring "bad": providerRegion "eu-west-1" is not the default provider's region, aws:region "us-east-1"\. Remove it, or give Monitoring \(or its parent\) the provider for eu-west-1/,
    );
  });
});
