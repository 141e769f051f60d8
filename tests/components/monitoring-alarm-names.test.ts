/**
 * Review 109 #6: CloudWatch takes alarm names of 1–255 characters (PutMetricAlarm AlarmName,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html), and pulumi-aws autonames an
 * alarm within its default 255 (no override for aws_cloudwatch_metric_alarm), failing `pulumi preview` beyond. Monitoring
 * needs no alarm-name check of its own: its alarm topic's autoname (`<name>-alarms-<7 hex>` within SNS's 80, autoname.ts
 * "sns-topic") keeps the component name to 65 characters, and target keys are at most 63 (validate.ts KEY), so its
 * longest alarm autoname, `<name>-pool-<key>-cognito-compromised-credential-risk-<7 hex>`, is 178. These tests pin that
 * margin: should either limit grow, they fail, and the alarms need a "cloudwatch-alarm" kind in validateAutonames.
 */
import { describe, expect, it } from "vitest";
import { autonameLength } from "../../components/autoname";
import { AlarmKind, Monitoring, type MonitoringArgs } from "../../components/monitoring";
import { record } from "../harness/mocks";

const ALARM_NAME_LENGTH = 255;
const LONGEST_KEY = "k".repeat(63);
/**
 * Every target kind, each with a key of the longest KEY takes, so every alarm kind is made with its longest name; all in
 * the provider's region (us-east-1, where CloudFront's alarms are), so one topic `<name>-alarms`. A topic of another
 * region (`<name>-alarms-<region>`) holds the component name shorter still.
 */
const longestTargets: MonitoringArgs = {
  providerRegion: "us-east-1",
  functions: { [LONGEST_KEY]: { functionName: "f", streamConsumer: true } },
  apiStages: { [LONGEST_KEY]: { apiName: "a", stage: "prod" } },
  tables: { [LONGEST_KEY]: { tableName: "t" } },
  queues: { [LONGEST_KEY]: { queueName: "q" } },
  distributions: { [LONGEST_KEY]: { distributionId: "E123" } },
  userPools: { [LONGEST_KEY]: { userPoolId: "us-east-1_Pool1" } },
  workflows: { [LONGEST_KEY]: { stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:orders" } },
  rules: { [LONGEST_KEY]: { ruleName: "r" } },
};

describe("Monitoring's alarm names stay within CloudWatch's 255 (review 109 #6)", () => {
  it("the longest component name and keys Monitoring takes make every alarm kind, each autonamed within 255", async () => {
    const graph = await record(() => new Monitoring("m".repeat(65), { ...longestTargets, dashboard: false }));
    const alarms = graph.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    const kinds = new Set(Object.values(AlarmKind).map((kind) => kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
    expect(new Set(alarms.map((a) => [...kinds].find((kind) => a.name.endsWith(`-${kind}`))))).toEqual(kinds);
    const longest = Math.max(...alarms.map((a) => autonameLength(a.name)));
    expect(longest).toBe(178);
    expect(longest).toBeLessThanOrEqual(ALARM_NAME_LENGTH);
  });

  it("a component name one longer is refused by Monitoring's own message (the alarm topic's SNS name), before any alarm", () => {
    expect(() => new Monitoring("m".repeat(66), { tables: { t: { tableName: "t" } } })).toThrow(/^Monitoring "m{66}": name "m{66}" makes the SNS topic name "m{66}-alarms-<random suffix>" 81 characters, over the 80 pulumi-aws autonames an SNS topic within\. Use a component name of at most 65 characters\./);
  });

  it("a target key one longer than 63 is refused as a key", () => {
    expect(() => new Monitoring("m", { tables: { ["k".repeat(64)]: { tableName: "t" } } })).toThrow(/tables key "k{64}" is not a usable target key/);
  });
});
