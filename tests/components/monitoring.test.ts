/**
 * Monitoring: every alarm kind pinned (metric or query, namespace, dimensions, statistic, threshold, timing, actions),
 * overrides, the encrypted topic per region with its email subscriptions, the dashboard, and the validation.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { DefaultEventBus, EventBus } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { Monitoring, monitoringTargets, type MonitoringArgs } from "../../components/monitoring";
import { MessageQueue } from "../../components/message-queue";
import { ServerlessApi } from "../../components/serverless-api";
import { StaticSite } from "../../components/static-site";
import { Topic } from "../../components/topic";
import { UserAuth } from "../../components/user-auth";
import { Workflow } from "../../components/workflow";
import { ALARM_DIMENSION_LIMITS } from "../../testing/deploy-rules";
import { ofType, record, resource, type RecordedResource } from "../harness/mocks";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ORDERS_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";
const targets: MonitoringArgs = {
  functions: { counters: { functionName: "counters-fn", streamConsumer: true }, health: { functionName: "health-fn" } },
  apiStages: { "api-prod": { apiName: "gallery-api", stage: "prod" } },
  tables: { gallery: { tableName: "gallery-table" } },
  queues: { "counters-dlq": { queueName: "counters-dlq-queue" } },
  distributions: { site: { distributionId: "E123" } },
  userPools: { auth: { userPoolId: "us-east-1_Pool1" } },
  workflows: { orders: { stateMachineArn: ORDERS_ARN } },
  rules: { orders: { ruleName: "orders-rule", eventBusName: "orders-bus" } },
};

let graph: RecordedResource[];
let topicArn: string;
let cdnTopicArn: string;

beforeAll(async () => {
  graph = await record(() => new Monitoring("ops", { ...targets, alarmEmails: ["ops@example.com", "oncall@example.com"] }));
  topicArn = resource(graph, "aws:sns/topic:Topic", "ops-alarms").state.arn;
  cdnTopicArn = resource(graph, "aws:sns/topic:Topic", "ops-alarms-us-east-1").state.arn;
});

const alarm = (name: string) => resource(graph, ALARM, `ops-${name}`).inputs;
const timing = (threshold: number, period: number, evaluations: number, datapoints = evaluations) => ({
  threshold, period, evaluationPeriods: evaluations, datapointsToAlarm: datapoints, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching",
});
const actions = () => ({ alarmActions: [topicArn], okActions: [topicArn] });

describe("Monitoring alarms (defaults)", () => {
  it("creates exactly these alarms", () => {
    expect(ofType(graph, ALARM).map((a) => a.name).sort()).toEqual([
      "ops-api-api-prod-api-latency-p99", "ops-api-api-prod-api-server-errors",
      "ops-cdn-site-cloud-front-server-errors",
      "ops-fn-counters-lambda-errors", "ops-fn-counters-lambda-throttles", "ops-fn-counters-stream-iterator-age",
      "ops-fn-health-lambda-errors", "ops-fn-health-lambda-throttles",
      "ops-pool-auth-cognito-account-takeover-risk", "ops-pool-auth-cognito-compromised-credential-risk",
      "ops-queue-counters-dlq-queue-depth",
      "ops-rule-orders-rule-dead-letter-failures", "ops-rule-orders-rule-failed-invocations",
      "ops-table-gallery-table-system-errors", "ops-table-gallery-table-throttles",
      "ops-workflow-orders-workflow-execution-throttled", "ops-workflow-orders-workflow-executions-failed", "ops-workflow-orders-workflow-executions-timed-out",
    ]);
  });

  it("Lambda: Errors and Throttles (Sum ≥ 1 in 5 minutes) per function; IteratorAge (Maximum ≥ 5 minutes, twice) for stream consumers", () => {
    expect(alarm("fn-counters-lambda-errors")).toMatchObject({ namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "counters-fn" }, statistic: "Sum", ...timing(1, 300, 1), ...actions() });
    expect(alarm("fn-counters-lambda-throttles")).toMatchObject({ namespace: "AWS/Lambda", metricName: "Throttles", dimensions: { FunctionName: "counters-fn" }, statistic: "Sum", ...timing(1, 300, 1), ...actions() });
    expect(alarm("fn-counters-stream-iterator-age")).toMatchObject({ namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: "counters-fn" }, statistic: "Maximum", ...timing(300_000, 300, 2), ...actions() });
    expect(graph.some((r) => r.name === "ops-fn-health-stream-iterator-age")).toBe(false);
  });

  it("API Gateway: 5XXError rate (Average ≥ 0.05) and p99 Latency (≥ 3000 ms for 15 minutes) per stage", () => {
    const dimensions = { ApiName: "gallery-api", Stage: "prod" };
    expect(alarm("api-api-prod-api-server-errors")).toMatchObject({ namespace: "AWS/ApiGateway", metricName: "5XXError", dimensions, statistic: "Average", ...timing(0.05, 300, 1), ...actions() });
    const latency = alarm("api-api-prod-api-latency-p99");
    expect(latency).toMatchObject({ namespace: "AWS/ApiGateway", metricName: "Latency", dimensions, extendedStatistic: "p99", ...timing(3000, 300, 3), ...actions() });
    expect(latency.statistic).toBeUndefined();
  });

  it("DynamoDB: throttled requests and system errors summed over every operation of the table (Metrics Insights)", () => {
    for (const [name, metric] of [["table-gallery-table-throttles", "ThrottledRequests"], ["table-gallery-table-system-errors", "SystemErrors"]]) {
      const inputs = alarm(name);
      // A query alarm's period is its query's.
      const { period, ...rest } = timing(1, 300, 1);
      expect(inputs).toMatchObject({ ...rest, ...actions() });
      expect(inputs.period).toBeUndefined();
      expect(period).toBe(300);
      expect(inputs.metricQueries).toEqual([
        { id: "q1", expression: `SELECT SUM(${metric}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) WHERE TableName = 'gallery-table'`, period: 300, returnData: true, label: metric },
      ]);
      expect(inputs.metricName).toBeUndefined();
      expect(inputs.namespace).toBeUndefined();
    }
  });

  it("Cognito: any request threat protection rates an account take-over or compromised-credentials risk, summed over operations and risk levels (Metrics Insights)", () => {
    for (const [name, metric] of [["pool-auth-cognito-account-takeover-risk", "AccountTakeoverRisk"], ["pool-auth-cognito-compromised-credential-risk", "CompromisedCredentialRisk"]]) {
      const inputs = alarm(name);
      const { period, ...rest } = timing(1, 300, 1);
      expect(inputs).toMatchObject({ ...rest, ...actions() });
      expect(inputs.metricQueries).toEqual([
        { id: "q1", expression: `SELECT SUM(${metric}) FROM SCHEMA("AWS/Cognito", Operation, RiskLevel, UserPoolId) WHERE UserPoolId = 'us-east-1_Pool1'`, period, returnData: true, label: metric },
      ]);
      expect(inputs.namespace).toBeUndefined();
    }
  });

  it("SQS: anything visible in a dead-letter queue (Maximum ≥ 1)", () => {
    expect(alarm("queue-counters-dlq-queue-depth")).toMatchObject({
      namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "counters-dlq-queue" }, statistic: "Maximum", ...timing(1, 300, 1), ...actions(),
    });
  });

  it("Step Functions: failed and timed-out executions and throttled state transitions (Sum ≥ 1 in 5 minutes) by StateMachineArn; not aborted ones", () => {
    for (const [name, metricName] of [["executions-failed", "ExecutionsFailed"], ["executions-timed-out", "ExecutionsTimedOut"], ["execution-throttled", "ExecutionThrottled"]]) {
      const inputs = alarm(`workflow-orders-workflow-${name}`);
      // In the ARN's region, with no `region` given: its metrics are reported there (workflowRegion).
      expect(inputs, name).toMatchObject({ namespace: "AWS/States", metricName, dimensions: { StateMachineArn: ORDERS_ARN }, statistic: "Sum", ...timing(1, 300, 1), region: "us-east-1", alarmActions: [cdnTopicArn], okActions: [cdnTopicArn] });
      expect(inputs.alarmDescription).toBe(`workflow orders: ${metricName} (Sum) ≥ 1 ${{ ExecutionsFailed: "failed executions", ExecutionsTimedOut: "timed-out executions", ExecutionThrottled: "throttled state transitions" }[metricName]} in 1 of 1 periods of 300 s`);
    }
    expect(ofType(graph, ALARM).filter((a) => a.inputs.metricName === "ExecutionsAborted")).toEqual([]);
  });

  it("EventBridge: a rule's permanently failed invocations and its events the dead-letter queue refused (Sum ≥ 1 in 5 minutes), by EventBusName and RuleName on a custom bus", () => {
    for (const [name, metricName, unit] of [["rule-failed-invocations", "FailedInvocations", "events not delivered"], ["rule-dead-letter-failures", "InvocationsFailedToBeSentToDlq", "events lost (neither delivered nor dead-lettered)"]]) {
      const inputs = alarm(`rule-orders-${name}`);
      // Published only when not zero: no data is no failure.
      expect(inputs, name).toMatchObject({ namespace: "AWS/Events", metricName, dimensions: { EventBusName: "orders-bus", RuleName: "orders-rule" }, statistic: "Sum", ...timing(1, 300, 1), ...actions() });
      expect(inputs.alarmDescription).toBe(`rule orders: ${metricName} (Sum) ≥ 1 ${unit} in 1 of 1 periods of 300 s`);
    }
  });

  it("EventBridge: a default bus's rule by RuleName alone, the dimension its metrics have", async () => {
    const plain = await record(() => new Monitoring("dflt", { rules: { s3: { ruleName: "uploads-rule" } }, dashboard: false }));
    expect(ofType(plain, ALARM).map((a) => [a.name, a.inputs.dimensions])).toEqual([
      ["dflt-rule-s3-rule-failed-invocations", { RuleName: "uploads-rule" }],
      ["dflt-rule-s3-rule-dead-letter-failures", { RuleName: "uploads-rule" }],
    ]);
  });

  it("CloudFront: 5xxErrorRate (Average ≥ 5%) with Region=Global, alarmed in us-east-1 on a us-east-1 topic", () => {
    expect(alarm("cdn-site-cloud-front-server-errors")).toMatchObject({
      namespace: "AWS/CloudFront", metricName: "5xxErrorRate", dimensions: { DistributionId: "E123", Region: "Global" }, statistic: "Average", ...timing(5, 300, 1),
      region: "us-east-1", alarmActions: [cdnTopicArn], okActions: [cdnTopicArn],
    });
  });
});

describe("Monitoring topics", () => {
  it("encrypts each region's topic with its own rotating customer managed key that CloudWatch alarms may use (not alias/aws/sns)", () => {
    for (const [suffix, region] of [["", undefined], ["-us-east-1", "us-east-1"]] as const) {
      const key = resource(graph, "aws:kms/key:Key", `ops-alarm-key${suffix}`);
      expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
      expect(key.inputs.region).toBe(region);
      const policy = JSON.parse(key.inputs.policy);
      expect(policy.Statement).toContainEqual({ Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" });
      expect(policy.Statement).toContainEqual({ Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" });
      expect(resource(graph, "aws:sns/topic:Topic", `ops-alarms${suffix}`).inputs.kmsMasterKeyId).toBe(key.state.arn);
    }
  });

  it("subscribes every alarm email to every topic", () => {
    const subscriptions = ofType(graph, "aws:sns/topicSubscription:TopicSubscription").map((s) => [s.name, s.inputs.topic, s.inputs.protocol, s.inputs.endpoint]);
    expect(subscriptions).toEqual([
      // Named by 8 hex digits of the sha256 of the address in lower case, so a change of the list leaves the others be.
      ["ops-alarms-email-af3c8254", topicArn, "email", "ops@example.com"],
      ["ops-alarms-email-d876c66b", topicArn, "email", "oncall@example.com"],
      ["ops-alarms-us-east-1-email-af3c8254", cdnTopicArn, "email", "ops@example.com"],
      ["ops-alarms-us-east-1-email-d876c66b", cdnTopicArn, "email", "oncall@example.com"],
    ]);
  });
});

describe("Monitoring dashboard", () => {
  it("draws one graph per alarm, in the alarm's region, with its threshold", () => {
    const dashboard = resource(graph, "aws:cloudwatch/dashboard:Dashboard", "ops-dashboard");
    expect(dashboard.inputs.dashboardName).toBe("serverless-fullstack-test");
    const widgets = JSON.parse(dashboard.inputs.dashboardBody).widgets;
    // The graphs with a threshold drawn: the alarms' (the workflow's two others follow them).
    expect(widgets.filter((w: any) => w.properties.annotations)).toHaveLength(ofType(graph, ALARM).length);
    const cdn = widgets.find((w: any) => w.properties.metrics[0][1] === "5xxErrorRate");
    expect(cdn.properties).toMatchObject({ region: "us-east-1", stat: "Average", period: 300, metrics: [["AWS/CloudFront", "5xxErrorRate", "DistributionId", "E123", "Region", "Global"]], annotations: { horizontal: [{ value: 5, label: "alarm threshold" }] } });
    const latency = widgets.find((w: any) => w.properties.metrics[0][1] === "Latency");
    expect(latency.properties).toMatchObject({ region: "us-east-1", stat: "p99" });
  });

  it("draws each workflow's executions (started, succeeded, aborted: failed and timed out have their alarms' graphs, Sum) and their ExecutionTime at p99 after the alarms' graphs", () => {
    const widgets = JSON.parse(resource(graph, "aws:cloudwatch/dashboard:Dashboard", "ops-dashboard").inputs.dashboardBody).widgets;
    const alarms = ofType(graph, ALARM).length;
    expect(widgets).toHaveLength(alarms + 2);
    const arn = ["StateMachineArn", ORDERS_ARN];
    expect(widgets.slice(alarms)).toEqual([
      {
        type: "metric", x: (alarms % 2) * 12, y: Math.floor(alarms / 2) * 6, width: 12, height: 6,
        properties: {
          title: "workflow orders — executions", region: "us-east-1", period: 300, stat: "Sum",
          metrics: ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsAborted"].map((metric) => ["AWS/States", metric, ...arn]),
        },
      },
      {
        type: "metric", x: ((alarms + 1) % 2) * 12, y: Math.floor((alarms + 1) / 2) * 6, width: 12, height: 6,
        properties: { title: "workflow orders — ExecutionTime (ms)", region: "us-east-1", period: 300, stat: "p99", metrics: [["AWS/States", "ExecutionTime", ...arn]] },
      },
    ]);
  });
});

describe("Monitoring dashboard periods", () => {
  // An alarm takes a period of 10, 20, 30 or a multiple of 60 s (API_PutMetricAlarm.html), a dashboard graph 1, 5, 10,
  // 30, 60 or a multiple of 60 (CloudWatch-Dashboard-Body-Structure.html, "period"): 20 is an alarm's only.
  it("draws a 20 s alarm's graph per 30 s, the nearest period a graph takes above it; 10 and 60 s alarms' graphs keep theirs", async () => {
    const graph = await record(() =>
      new Monitoring("hires", {
        queues: {
          twenty: { queueName: "twenty", alarms: { queueDepth: { periodSeconds: 20 } } },
          ten: { queueName: "ten", alarms: { queueDepth: { periodSeconds: 10 } } },
          minute: { queueName: "minute", alarms: { queueDepth: { periodSeconds: 60 } } },
        },
      }),
    );
    expect(resource(graph, ALARM, "hires-queue-twenty-queue-depth").inputs.period).toBe(20);
    const widgets = JSON.parse(resource(graph, "aws:cloudwatch/dashboard:Dashboard", "hires-dashboard").inputs.dashboardBody).widgets;
    const periodOf = (queue: string) => widgets.find((w: any) => w.properties.metrics[0].includes(queue)).properties.period;
    expect([periodOf("twenty"), periodOf("ten"), periodOf("minute")]).toEqual([30, 10, 60]);
  });
});

describe("Monitoring workflows in another region", () => {
  const EU_ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:eu";
  it("alarms on and draws a written-out ARN's workflow in the ARN's region when `region` is left out or \"\" (the provider's), with a topic there", async () => {
    const eu = await record(() => new Monitoring("eu", { workflows: { far: { stateMachineArn: EU_ARN }, blank: { stateMachineArn: EU_ARN, region: "" } } }));
    const euTopic = resource(eu, "aws:sns/topic:Topic", "eu-alarms-eu-west-1").state.arn;
    const alarms = ofType(eu, ALARM);
    expect(alarms.map((a) => a.name).sort()).toEqual(["blank", "far"].flatMap((key) => ["execution-throttled", "executions-failed", "executions-timed-out"].map((name) => `eu-workflow-${key}-workflow-${name}`)).sort());
    for (const a of alarms) expect(a.inputs, a.name).toMatchObject({ region: "eu-west-1", alarmActions: [euTopic], okActions: [euTopic] });
    const widgets = JSON.parse(resource(eu, "aws:cloudwatch/dashboard:Dashboard", "eu-dashboard").inputs.dashboardBody).widgets;
    expect(widgets).toHaveLength(alarms.length + 4);
    for (const w of widgets) expect(w.properties.region, w.properties.title).toBe("eu-west-1");
  });

  it("draws a count on the executions graph when its alarm is disabled, so it is still drawn once", async () => {
    const off = await record(() => new Monitoring("off", { workflows: { orders: { stateMachineArn: ORDERS_ARN, alarms: { workflowExecutionsFailed: { enabled: false } } } } }));
    const widgets = JSON.parse(resource(off, "aws:cloudwatch/dashboard:Dashboard", "off-dashboard").inputs.dashboardBody).widgets;
    const executions = widgets.find((w: any) => w.properties.title === "workflow orders — executions");
    expect(executions.properties.metrics.map((m: string[]) => m[1])).toEqual(["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsAborted"]);
  });
});

describe("Monitoring target descriptions", () => {
  it("adds a target's description after \"; \" to the description of each of its alarms, for every kind of target", async () => {
    const note = "Runbook: https://example.com/runbook";
    const described = Object.fromEntries(
      Object.entries(targets).map(([group, entries]) => [group, Object.fromEntries(Object.entries(entries as object).map(([key, target]) => [key, { ...target, description: note }]))]),
    ) as MonitoringArgs;
    const plain = await record(() => new Monitoring("plain", { ...targets, dashboard: false }));
    const noted = await record(() => new Monitoring("noted", { ...described, dashboard: false }));
    const kinds = new Set(ofType(noted, ALARM).map((a) => a.name.split("-")[1]));
    expect(kinds).toEqual(new Set(["fn", "api", "table", "queue", "cdn", "pool", "workflow", "rule"]));
    for (const a of ofType(plain, ALARM)) {
      expect(a.inputs.alarmDescription, a.name).not.toContain(";");
      expect(resource(noted, ALARM, a.name.replace(/^plain-/, "noted-")).inputs.alarmDescription).toBe(`${a.inputs.alarmDescription}; ${note}`);
    }
  });
});

describe("Monitoring alarm descriptions", () => {
  it("adds an alarm's own description in place of its target's, to that alarm only, and defaults' to the alarms of a kind whose target has none", async () => {
    const graph = await record(() => new Monitoring("own", {
      workflows: {
        orders: { stateMachineArn: ORDERS_ARN, description: "the order stays open", alarms: { workflowExecutionThrottled: { description: "executions carry on, delayed" } } },
        refunds: { stateMachineArn: ORDERS_ARN.replace("orders", "refunds") },
      },
      defaults: { workflowExecutionThrottled: { description: "nothing to do unless it lasts" } },
      dashboard: false,
    }));
    const note = (name: string) => resource(graph, ALARM, `own-workflow-${name}`).inputs.alarmDescription.split("; ")[1];
    expect(note("orders-workflow-execution-throttled")).toBe("executions carry on, delayed");
    expect(note("orders-workflow-executions-failed")).toBe("the order stays open");
    expect(note("orders-workflow-executions-timed-out")).toBe("the order stays open");
    expect(note("refunds-workflow-execution-throttled")).toBe("nothing to do unless it lasts");
    expect(note("refunds-workflow-executions-failed")).toBeUndefined();
  });
});

describe("Monitoring overrides and validation", () => {
  it("applies defaults for every target, then a target's own, and drops disabled alarms", async () => {
    const overridden = await record(() => new Monitoring("tuned", {
      functions: { a: { functionName: "a-fn", alarms: { lambdaErrors: { threshold: 10, evaluationPeriods: 3, datapointsToAlarm: 2 }, lambdaThrottles: { enabled: false } } }, b: { functionName: "b-fn" } },
      defaults: { lambdaErrors: { threshold: 5, periodSeconds: 60 } },
      dashboard: false,
    }));
    expect(resource(overridden, ALARM, "tuned-fn-a-lambda-errors").inputs).toMatchObject({ threshold: 10, period: 60, evaluationPeriods: 3, datapointsToAlarm: 2 });
    expect(resource(overridden, ALARM, "tuned-fn-b-lambda-errors").inputs).toMatchObject({ threshold: 5, period: 60, evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(overridden.some((r) => r.name === "tuned-fn-a-lambda-throttles")).toBe(false);
    expect(ofType(overridden, "aws:cloudwatch/dashboard:Dashboard")).toEqual([]);
  });

  it.each([
    [{ defaults: { lambdaErrors: { periodSeconds: 45 } } }, /Monitoring "bad": defaults\.lambdaErrors .* would make an alarm CloudWatch refuses: period 45 s is not 10, 20, 30 or a multiple of 60/],
    [{ defaults: { apiLatencyP99: { periodSeconds: 3000, evaluationPeriods: 30 } } }, /evaluates 90000 s \(period × evaluationPeriods\); CloudWatch allows 86400 s for periods under an hour/],
    [{ defaults: { apiLatencyP99: { evaluationPeriods: 2, datapointsToAlarm: 3 } } }, /datapointsToAlarm 3 is not 1–2/],
    [{ tables: { t: { tableName: "t", alarms: { tableThrottles: { periodSeconds: 3600, evaluationPeriods: 4 } } } } }, /tables\.t\.alarms\.tableThrottles .* the table and user pool alarms are Metrics Insights queries, which look back three hours/],
    [{ userPools: { p: { userPoolId: "us-east-1_x", alarms: { cognitoAccountTakeoverRisk: { periodSeconds: 3600, evaluationPeriods: 4 } } } } }, /userPools\.p\.alarms\.cognitoAccountTakeoverRisk .* Metrics Insights queries, which look back three hours/],
    [{ defaults: { lambdaErrors: { threshold: 0 } } }, /^Monitoring "bad": defaults\.lambdaErrors\.threshold 0 is not above 0: every alarm fires at metric ≥ threshold, so 0 is in alarm whenever the metric has a datapoint \(a function's Errors is 0 on every invoked minute\)\. Use 1 to alarm on any error, or a fraction such as 0\.5 for a rate\.$/],
    [{ functions: { f: { functionName: "f", alarms: { apiServerErrors: { threshold: -1 } } } } }, /functions\.f\.alarms\.apiServerErrors\.threshold -1 is not above 0/],
    [{ defaults: { lambdaErorrs: { threshold: 1 } } as never }, /defaults\.lambdaErorrs .* is not an alarm kind/],
    [{ functions: { "Bad Key": { functionName: "x" } } }, /functions key "Bad Key" is not a usable target key/],
    [{ workflows: { orders: { stateMachineArn: "orders" } } }, /^Monitoring "bad": workflows\.orders\.stateMachineArn "orders" is not a state machine's ARN .*Use Workflow\.stateMachineArn, or list the Workflow in monitoringTargets\(\{ workflows \}\)\.$/],
    [{ workflows: { orders: { stateMachineArn: "arn:aws:states:us-east-1:123456789012:execution:orders:run-1" } } }, /workflows\.orders\.stateMachineArn "arn:aws:states:us-east-1:123456789012:execution:orders:run-1" is not a state machine's ARN/],
    [{ workflows: { orders: { stateMachineArn: `${ORDERS_ARN}:live` } } }, /workflows\.orders\.stateMachineArn ".*:stateMachine:orders:live" is not a state machine's ARN \(.*without a version or alias\)/],
    [{ workflows: { orders: { stateMachineArn: ORDERS_ARN, region: "eu-west-1" } } }, /^Monitoring "bad": workflows\.orders\.region "eu-west-1" is not the region of the state machine ".*", where its metrics are .*Use "us-east-1"\.$/],
    [{ workflows: { orders: { stateMachineArn: ORDERS_ARN, alarms: { workflowExecutionsFailed: { periodSeconds: 45 } } } } }, /workflows\.orders\.alarms\.workflowExecutionsFailed .* period 45 s is not 10, 20, 30 or a multiple of 60/],
    [{ workflows: { Orders: { stateMachineArn: ORDERS_ARN } } }, /workflows key "Orders" is not a usable target key/],
    [{ functions: { f: { functionName: "f", description: "x".repeat(1000) } } }, /^Monitoring "bad": functions\.f\.description "x{1000}" makes the description of the alarm fn-f-lambda-throttles 10\d\d characters; CloudWatch takes at most 1024 \(AlarmDescription\)\. Shorten it to 9\d\d characters or fewer\.$/],
    [{ workflows: { orders: { stateMachineArn: ORDERS_ARN, description: 5 as never } } }, /workflows\.orders\.description 5 is not a string/],
    [{ workflows: { orders: { stateMachineArn: ORDERS_ARN, alarms: { workflowExecutionsFailed: { description: 5 as never } } } } }, /^Monitoring "bad": workflows\.orders\.alarms\.workflowExecutionsFailed\.description 5 is not a string\./],
    [{ functions: { f: { functionName: "f", description: "short", alarms: { lambdaErrors: { description: "x".repeat(1000) } } } } }, /^Monitoring "bad": functions\.f\.alarms\.lambdaErrors\.description "x{1000}" makes the description of the alarm fn-f-lambda-errors 10\d\d characters; .*Shorten it to 9\d\d characters or fewer\.$/],
    [{ functions: { f: { functionName: "f" } }, defaults: { lambdaErrors: { description: "x".repeat(1000) } } }, /^Monitoring "bad": defaults\.lambdaErrors\.description "x{1000}" makes the description of the alarm fn-f-lambda-errors 10\d\d characters/],
    [{ rules: { r: { ruleName: "r", eventBusName: "default" } } }, /^Monitoring "bad": rules\.r\.eventBusName "default" names the default bus, whose rules' metrics have the RuleName dimension alone; .*Leave eventBusName out for a rule on the default bus\.$/],
    [{ rules: { r: { ruleName: "r", eventBusName: "arn:aws:events:us-east-1:123456789012:event-bus/orders" } } }, /^Monitoring "bad": rules\.r\.eventBusName "arn:aws:events:.*" is an ARN; the EventBusName dimension is the bus's name\. Use "orders" \(EventBus\.busName\)\.$/],
    // A partner bus's name holds slashes: the whole of it follows event-bus/ (CreateEventBus Name).
    [{ rules: { r: { ruleName: "r", eventBusName: "arn:aws:events:us-east-1:123456789012:event-bus/aws.partner/example.com/1234/orders" } } }, /^Monitoring "bad": rules\.r\.eventBusName "arn:aws:events:.*" is an ARN; the EventBusName dimension is the bus's name\. Use "aws\.partner\/example\.com\/1234\/orders" \(EventBus\.busName\)\.$/],
    [{ rules: { r: { ruleName: "r", eventBusName: "arn:aws:events:us-east-1:123456789012:rule/orders/r" } } }, /^Monitoring "bad": rules\.r\.eventBusName "arn:aws:events:.*:rule\/orders\/r" is an ARN, not an event bus's; the EventBusName dimension is the bus's name\. Use the name of the bus the rule is on \(EventBus\.busName\)\.$/],
    [{ rules: { r: { ruleName: "r", eventBusName: "arn:aws:events:us-east-1:123456789012:event-bus/default" } } }, /^Monitoring "bad": rules\.r\.eventBusName "arn:aws:events:.*:event-bus\/default" names the default bus, .*Leave eventBusName out for a rule on the default bus\.$/],
    [{ rules: { r: { ruleName: "" } } }, /^Monitoring "bad": rules\.r\.ruleName "" is empty: it is the RuleName dimension of the alarm rule-r-rule-failed-invocations, and CloudWatch takes 1–1024 printable ASCII characters, not blank\. Use the RuleName of the watched resource as AWS names it \(monitoringTargets\(\) reads it off the component\)\.$/],
    [{ rules: { r: { ruleName: "r", eventBusName: "  " } } }, /^Monitoring "bad": rules\.r\.eventBusName " {2}" is whitespace only: it is the EventBusName dimension/],
    [{ rules: { r: { ruleName: "r", eventBusName: "commandes-reçues" } } }, /rules\.r\.eventBusName "commandes-reçues" has characters other than printable ASCII/],
    [{ rules: { r: { ruleName: "règle" } } }, /rules\.r\.ruleName "règle" has characters other than printable ASCII/],
    [{ functions: { f: { functionName: "" } } }, /functions\.f\.functionName "" is empty: it is the FunctionName dimension/],
    // A description or region equal to the bad value, listed first, is not the argument the dimension came from.
    [{ workflows: { w: { description: "", region: "", stateMachineArn: "" } } }, /^Monitoring "bad": workflows\.w\.stateMachineArn "" is empty: it is the StateMachineArn dimension/],
    [{ queues: { q: { queueName: " " } } }, /queues\.q\.queueName " " is whitespace only: it is the QueueName dimension/],
    [{ tables: { t: { tableName: "" } } }, /tables\.t\.tableName "" is empty: it is the TableName dimension/],
    [{ apiStages: { a: { apiName: "api", stage: "" } } }, /apiStages\.a\.stage "" is empty: it is the Stage dimension/],
    [{ distributions: { d: { distributionId: "" } } }, /distributions\.d\.distributionId "" is empty: it is the DistributionId dimension/],
    [{ userPools: { p: { userPoolId: "" } } }, /userPools\.p\.userPoolId "" is empty: it is the UserPoolId dimension/],
    [{ workflows: { w: { stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:commandes-reçues" } } }, /workflows\.w\.stateMachineArn ".*" has characters other than printable ASCII \(non-ASCII or control characters\): it is the StateMachineArn dimension/],
    [{ alarmEmails: ["ops"] }, /alarmEmails\[0\] "ops" is not an email address/],
    [{ alarmEmails: ["ops@example.com", "oncall@example.com", "Ops@Example.COM"] }, /^Monitoring "bad": alarmEmails\[2\] "Ops@Example\.COM" repeats alarmEmails\[0\] \("ops@example\.com"\), ignoring case: .*List each address once\.$/],
    [{ keyDeletionWindowDays: 3 }, /keyDeletionWindowDays 3 is outside KMS's range of 7–30 days\. Use a whole number from 7 to 30 days\./],
    [{ dashboardName: "ops.prod" }, /Monitoring "bad": dashboardName "ops\.prod" is not a CloudWatch dashboard name \(letters, digits, - and _, at most 255\)\. Use e\.g\. "ops-prod"/],
    [{ dashboardName: "x".repeat(256) }, /dashboardName "x{256}" is not a CloudWatch dashboard name .*Use e\.g\. "x{255}"/],
    [{ dashboardName: "" }, /dashboardName "" is not a CloudWatch dashboard name/],
  ] as Array<[MonitoringArgs, RegExp]>)("refuses %j at construction", (args, message) => {
    expect(() => new Monitoring("bad", args)).toThrow(message);
  });

  it("leaves a name an Output gives to the deploy rule AlarmDimensionLimits, as it is known only at deploy", async () => {
    const graph = await record(() => new Monitoring("later", { rules: { r: { ruleName: pulumi.output("") } }, dashboard: false }));
    expect(ALARM_DIMENSION_LIMITS.check(graph, { stack: "dev", production: false, region: "us-east-1" }).map((f) => f.resource)).toEqual([`${ALARM} later-rule-r-rule-failed-invocations`, `${ALARM} later-rule-r-rule-dead-letter-failures`]);
  });

  it("takes a description that makes the target's longest alarm description exactly 1024 characters, and names the length to shorten one more to", async () => {
    // "function f: Throttles (Sum) ≥ 1 throttles in 1 of 1 periods of 300 s; " is 82 characters: the longest of fn-f's.
    const fits = await record(() => new Monitoring("fits", { functions: { f: { functionName: "f", description: "x".repeat(942) } }, dashboard: false }));
    expect(ofType(fits, ALARM).map((a) => a.inputs.alarmDescription.length).sort()).toEqual([1006, 1024]);
    expect(() => new Monitoring("over", { functions: { f: { functionName: "f", description: "x".repeat(943) } } })).toThrow(
      /functions\.f\.description "x{943}" makes the description of the alarm fn-f-lambda-throttles 1025 characters; CloudWatch takes at most 1024 \(AlarmDescription\)\. Shorten it to 942 characters or fewer\.$/,
    );
  });

  // "It can include an array of between 0 and 500 widget objects"
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
  it("refuses a dashboard of more than 500 widgets (one per alarm, plus graphs); 500 are taken, and dashboard: false takes any number", async () => {
    const functions = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, { functionName: `f${i}` }]));
    // Two alarms per function (errors, throttles), no graphs: 250 functions fill the dashboard exactly.
    const full = await record(() => new Monitoring("full", { functions: functions(250) }));
    expect(JSON.parse(resource(full, "aws:cloudwatch/dashboard:Dashboard", "full-dashboard").inputs.dashboardBody).widgets).toHaveLength(500);
    expect(() => new Monitoring("over", { functions: functions(251) })).toThrow(
      /^Monitoring "over": dashboard true would hold 502 widgets \(502 alarms, 0 graphs\); CloudWatch takes at most 500 per dashboard\. Set dashboard: false, or split the targets over two Monitoring components, each with its own dashboardName\.$/,
    );
    expect(() => new Monitoring("quiet", { functions: functions(251), dashboard: false })).not.toThrow();
  });

  it("does not check a dashboardName it does not use: with dashboard: false there is no dashboard to name", async () => {
    const off = await record(() => new Monitoring("off", { functions: { fn: { functionName: "fn" } }, dashboard: false, dashboardName: "ops.prod" }));
    expect(ofType(off, "aws:cloudwatch/dashboard:Dashboard")).toEqual([]);
  });
});

describe("monitoringTargets", () => {
  it("watches a Workflow's state machine by its ARN, in the workflow's region", async () => {
    let found: MonitoringArgs = {};
    const graph = await record(() => {
      const definition = { StartAt: "Done", States: { Done: { Type: "Succeed" as const } } };
      found = monitoringTargets({ workflows: [new Workflow("Orders", { definition }), new Workflow("fast", { type: "EXPRESS", logLevel: "ERROR", region: "us-west-2", definition })] });
      return new Monitoring("wf", found);
    });
    expect(Object.keys(found.workflows ?? {})).toEqual(["orders", "fast"]);
    const arn = (name: string) => resource(graph, "aws:sfn/stateMachine:StateMachine", `${name}-state-machine`).state.arn;
    expect(resource(graph, ALARM, "wf-workflow-orders-workflow-executions-failed").inputs).toMatchObject({ namespace: "AWS/States", metricName: "ExecutionsFailed", dimensions: { StateMachineArn: arn("Orders") } });
    expect(resource(graph, ALARM, "wf-workflow-orders-workflow-executions-failed").inputs.region).toBeUndefined();
    // An EXPRESS state machine publishes the same execution metrics; its alarms go to its region, with a topic there.
    const fast = resource(graph, ALARM, "wf-workflow-fast-workflow-executions-failed").inputs;
    expect(fast).toMatchObject({ metricName: "ExecutionsFailed", dimensions: { StateMachineArn: arn("fast") }, region: "us-west-2", alarmActions: [resource(graph, "aws:sns/topic:Topic", "wf-alarms-us-west-2").state.arn] });
    // Express has no state transition throttling (its StateTransition bucket is unlimited): no ExecutionThrottled alarm.
    expect(ofType(graph, ALARM).filter((a) => a.inputs.metricName === "ExecutionThrottled").map((a) => a.name)).toEqual(["wf-workflow-orders-workflow-execution-throttled"]);
    // Its graphs, by an ARN not known at construction, are in the workflow's region too.
    const widgets = JSON.parse(resource(graph, "aws:cloudwatch/dashboard:Dashboard", "wf-dashboard").inputs.dashboardBody).widgets;
    const fastGraphs = widgets.filter((w: any) => w.properties.title.startsWith("workflow fast"));
    expect(fastGraphs.map((w: any) => [w.properties.title, w.properties.region])).toEqual([
      ["workflow fast — ExecutionsFailed", "us-west-2"], ["workflow fast — ExecutionsTimedOut", "us-west-2"], ["workflow fast — executions", "us-west-2"], ["workflow fast — ExecutionTime (ms)", "us-west-2"],
    ]);
  });

  it("watches each EventBus subscription's rule by bus and rule name, and its dead-letter queue, in the bus's region; a DefaultEventBus's rule by rule name", async () => {
    let found: MonitoringArgs = {};
    const graph = await record(() => {
      const fn = new LambdaFunction("indexer", { entry: "tests/fixtures/handlers/echo.ts", region: "us-west-2" });
      const bus = new EventBus("orders", { region: "us-west-2" });
      bus.subscribe("placed", fn, { pattern: { source: ["shop.orders"] } });
      const aws = new DefaultEventBus("aws", { region: "us-west-2" });
      aws.subscribe("uploads", fn, { pattern: { source: ["aws.s3"] } });
      found = monitoringTargets({ eventBuses: [bus, aws] });
      return new Monitoring("eb", { ...found, dashboard: false });
    });
    expect(Object.keys(found.rules ?? {})).toEqual(["orders-placed", "aws-uploads"]);
    expect(Object.keys(found.queues ?? {})).toEqual(["orders-placed-dlq", "aws-uploads-dlq"]);
    const rule = (name: string) => resource(graph, "aws:cloudwatch/eventRule:EventRule", name).state.name;
    expect(resource(graph, ALARM, "eb-rule-orders-placed-rule-dead-letter-failures").inputs).toMatchObject({
      namespace: "AWS/Events", metricName: "InvocationsFailedToBeSentToDlq", dimensions: { EventBusName: resource(graph, "aws:cloudwatch/eventBus:EventBus", "orders-bus").state.name, RuleName: rule("orders-placed") }, region: "us-west-2",
    });
    expect(resource(graph, ALARM, "eb-rule-aws-uploads-rule-failed-invocations").inputs).toMatchObject({ metricName: "FailedInvocations", dimensions: { RuleName: rule("aws-uploads") }, region: "us-west-2" });
    expect(resource(graph, ALARM, "eb-rule-aws-uploads-rule-failed-invocations").inputs.dimensions.EventBusName).toBeUndefined();
    expect(resource(graph, ALARM, "eb-queue-orders-placed-dlq-queue-depth").inputs).toMatchObject({ dimensions: { QueueName: resource(graph, "aws:sqs/queue:Queue", "orders-placed-dlq").state.name }, region: "us-west-2" });
  });

  it("alarms on each Topic subscription's dead-letter queue (deliveries SNS gave up on), in the topic's region", async () => {
    let found: MonitoringArgs = {};
    const graph = await record(() => {
      const fn = new LambdaFunction("notice-indexer", { entry: "tests/fixtures/handlers/echo.ts", region: "us-west-2" });
      const notices = new Topic("notices", { region: "us-west-2" });
      notices.subscribe("index", fn);
      const jobs = new MessageQueue("notice-jobs", { consumer: { function: fn }, topics: [notices], region: "us-west-2" });
      notices.subscribeQueue("jobs", jobs);
      found = monitoringTargets({ topics: [notices] });
      return new Monitoring("tp", { ...found, dashboard: false });
    });
    // The subscribers are not added: list them under their own kinds (as an EventBus's targets).
    expect(found.functions).toEqual({});
    expect(Object.keys(found.queues ?? {})).toEqual(["notices-index-dlq", "notices-jobs-dlq"]);
    for (const key of ["notices-index-dlq", "notices-jobs-dlq"]) {
      expect(resource(graph, ALARM, `tp-queue-${key}-queue-depth`).inputs).toMatchObject({
        metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: resource(graph, "aws:sqs/queue:Queue", key).state.name }, region: "us-west-2",
      });
    }
  });

  it("refuses a subscription made after monitoringTargets read its topic, bus or data tier (its dead-letter queue would go unwatched)", async () => {
    await record(() => {
      const fn = new LambdaFunction("late-worker", { entry: "tests/fixtures/handlers/echo.ts" });
      const notices = new Topic("late-notices", {});
      const bus = new EventBus("late-bus", {});
      const tier = new DataTier("late-data", { tables: { items: { attributes: { id: "S" }, partitionKey: "id", stream: "NEW_AND_OLD_IMAGES" } } });
      notices.subscribe("early", fn);
      monitoringTargets({ topics: [notices], eventBuses: [bus], dataTiers: [tier] });
      const fix = "Make every subscription before calling monitoringTargets: call it after the last subscribe.";
      const late = (component: string, argument: string, name: string) =>
        new RegExp(`^${component} "[^"]+": ${argument} "${name}" is added after monitoringTargets read this component, so its dead-letter queue \\(and rule\\) would go unwatched\\. ${fix.replace(/[.'()]/g, "\\$&")}$`);
      expect(() => notices.subscribe("late", fn)).toThrow(late("Topic", "subscribe name", "late"));
      const jobs = new MessageQueue("late-jobs", { consumer: { function: fn } });
      expect(() => notices.subscribeQueue("late-queue", jobs)).toThrow(late("Topic", "subscribeQueue name", "late-queue"));
      expect(() => bus.subscribe("late-rule", fn, { pattern: { source: ["shop"] } })).toThrow(late("EventBus", "subscribe name", "late-rule"));
      expect(() => tier.subscribe("late-stream", "items", fn)).toThrow(late("DataTier", "subscribe name", "late-stream"));
      // A component monitoringTargets did not read takes subscriptions as before.
      expect(() => new Topic("unread", {}).subscribe("any", fn)).not.toThrow();
    });
  });

  it("refuses two dead-letter queues that would share a key (the second would replace the first, which nothing would watch)", async () => {
    await record(() => {
      const fn = new LambdaFunction("clash-worker", { entry: "tests/fixtures/handlers/echo.ts" });
      const photo = new Topic("photo", {});
      photo.subscribe("events", fn);
      const photoEvents = new MessageQueue("photo-events", { consumer: { function: fn } });
      expect(() => monitoringTargets({ messageQueues: [photoEvents], topics: [photo] })).toThrow(
        /^monitoringTargets: queues key "photo-events-dlq" is MessageQueue "photo-events"'s dead-letter queue and Topic "photo" subscription "events"'s dead-letter queue; one would replace the other and go unwatched\. Rename one of the components \(or the subscription\), or list the queues under Monitoring's queues with keys of your own\.$/,
      );
      // The same component listed twice is one queue, not a clash.
      expect(Object.keys(monitoringTargets({ messageQueues: [photoEvents, photoEvents] }).queues ?? {})).toEqual(["photo-events-dlq"]);
    });
  });

  it("refuses two functions whose names make one key (the second's alarms would replace the first's)", async () => {
    await record(() => {
      const entry = "tests/fixtures/handlers/echo.ts";
      const snake = new LambdaFunction("thumb_worker", { entry });
      const kebab = new LambdaFunction("thumb-worker", { entry });
      expect(() => monitoringTargets({ functions: [snake, kebab] })).toThrow(
        /^monitoringTargets: functions key "thumb-worker" is LambdaFunction "thumb_worker" and LambdaFunction "thumb-worker"; one would replace the other and go unwatched\. Rename one of them, or list the functions under Monitoring's functions with keys of your own\.$/,
      );
      // A function reached twice (listed, and a queue's consumer) is one target.
      const jobs = new MessageQueue("thumb-jobs", { consumer: { function: kebab } });
      expect(Object.keys(monitoringTargets({ functions: [kebab], messageQueues: [jobs] }).functions ?? {})).toEqual(["thumb-worker"]);
    });
  });

  // Keys fold case and `_` into `-`, and join a component's name to a stage's, table's or subscription's with `-`: two
  // different targets whose names meet would share a key, and the second would replace the first, unwatched.
  const health = { "GET /health": { handler: "handlers/api/health.ts", auth: "none" as const } };
  const table = { attributes: { pk: "S" as const }, partitionKey: "pk" };
  const definition = { StartAt: "Done", States: { Done: { Type: "Succeed" as const } } };
  const clashes: Array<[string, () => Parameters<typeof monitoringTargets>[0], RegExp]> = [
    [
      "functions: a LambdaFunction named as an API's route function (one name, two functions)",
      () => ({ functions: [new LambdaFunction("api-get-health", { entry: "tests/fixtures/handlers/echo.ts" })], apis: [new ServerlessApi("api", { routes: health })] }),
      /functions key "api-get-health" is LambdaFunction "api-get-health" and LambdaFunction "api-get-health"; one would replace the other and go unwatched\. Rename one of them, or list the functions under Monitoring's functions/,
    ],
    [
      "apiStages: API \"shop-v1\" stage \"prod\" and API \"shop\" stage \"v1-prod\"",
      () => ({ apis: [new ServerlessApi("shop-v1", { routes: health, stages: { prod: {} } }), new ServerlessApi("shop", { routes: health, stages: { "v1-prod": {} } })] }),
      /apiStages key "shop-v1-prod" is ServerlessApi "shop-v1" stage "prod" and ServerlessApi "shop" stage "v1-prod"; one would replace the other and go unwatched\. Rename one of the APIs \(or the stage\), or list the stages under Monitoring's apiStages/,
    ],
    [
      "tables: DataTiers \"Media\" and \"media\", each with a table \"albums\"",
      () => ({ dataTiers: ["Media", "media"].map((name) => new DataTier(name, { tables: { albums: table } })) }),
      /tables key "media-albums" is DataTier "Media" table "albums" and DataTier "media" table "albums"; one would replace the other and go unwatched\. Rename one of the DataTiers \(or the table\), or list the tables under Monitoring's tables/,
    ],
    [
      "distributions: StaticSites \"Gallery\" and \"gallery\"",
      () => ({ sites: [new StaticSite("Gallery", { path: "tests/fixtures/site" }), new StaticSite("gallery", { path: "tests/fixtures/site" })] }),
      /distributions key "gallery" is StaticSite "Gallery"'s distribution and StaticSite "gallery"'s distribution; one would replace the other and go unwatched\. Rename one of the sites, or list the distributions under Monitoring's distributions/,
    ],
    [
      "userPools: UserAuths \"Members\" and \"members\"",
      () => ({ auth: ["Members", "members"].map((name) => new UserAuth(name, { callbackUrls: ["https://gallery.example.com/"], threatProtection: "AUDIT" })) }),
      /userPools key "members" is UserAuth "Members"'s user pool and UserAuth "members"'s user pool; one would replace the other and go unwatched\. Rename one of them, or list the user pools under Monitoring's userPools/,
    ],
    [
      "workflows: Workflows \"Orders\" and \"orders\"",
      () => ({ workflows: [new Workflow("Orders", { definition }), new Workflow("orders", { definition })] }),
      /workflows key "orders" is Workflow "Orders" and Workflow "orders"; one would replace the other and go unwatched\. Rename one of them, or list the workflows under Monitoring's workflows/,
    ],
    [
      "rules: EventBuses \"Shop\" and \"shop\", each with a subscription \"placed\"",
      () => {
        const fn = new LambdaFunction("clash-handler", { entry: "tests/fixtures/handlers/echo.ts" });
        const buses = ["Shop", "shop"].map((name) => new EventBus(name, {}));
        for (const bus of buses) bus.subscribe("placed", fn, { pattern: { source: ["shop.orders"] } });
        return { eventBuses: buses };
      },
      /rules key "shop-placed" is EventBus "Shop" subscription "placed"'s rule and EventBus "shop" subscription "placed"'s rule; one would replace the other and go unwatched\. Rename one of the buses \(or the subscription\), or list the rules under Monitoring's rules/,
    ],
  ];
  it.each(clashes)("refuses two targets of one key, naming both and the fix — %s", async (_, build, refusal) => {
    await record(() => {
      const components = build();
      expect(() => monitoringTargets(components)).toThrow(refusal);
    });
  });

  it("takes a component reached twice as one target of each kind (listed twice, or a function listed and an API's)", async () => {
    await record(() => {
      const api = new ServerlessApi("api", { routes: health });
      const tier = new DataTier("media", { tables: { albums: table } });
      const site = new StaticSite("gallery", { path: "tests/fixtures/site" });
      const auth = new UserAuth("members", { callbackUrls: ["https://gallery.example.com/"], threatProtection: "AUDIT" });
      const flow = new Workflow("orders", { definition });
      const fn = api.nodes.functions.values().next().value!;
      const bus = new EventBus("shop", {});
      bus.subscribe("placed", fn, { pattern: { source: ["shop.orders"] } });
      const found = monitoringTargets({ functions: [fn], apis: [api, api], dataTiers: [tier, tier], sites: [site, site], auth: [auth, auth], workflows: [flow, flow], eventBuses: [bus, bus] });
      expect(Object.keys(found.apiStages ?? {})).toEqual(["api-prod"]);
      expect(Object.keys(found.tables ?? {})).toEqual(["media-albums"]);
      expect(Object.keys(found.distributions ?? {})).toEqual(["gallery"]);
      expect(Object.keys(found.userPools ?? {})).toEqual(["members"]);
      expect(Object.keys(found.workflows ?? {})).toEqual(["orders"]);
      expect(Object.keys(found.rules ?? {})).toEqual(["shop-placed"]);
      expect(Object.keys(found.queues ?? {})).toEqual(["shop-placed-dlq"]);
    });
  });

  it("alarms on a scheduled function's Scheduler dead-letter queue (undelivered invocations never reach the function's Errors alarm)", async () => {
    let found: MonitoringArgs = {};
    const graph = await record(() => {
      const fn = new LambdaFunction("cleanup", { entry: "tests/fixtures/handlers/echo.ts", schedule: { expression: "rate(1 hour)" } });
      found = monitoringTargets({ functions: [fn] });
      return new Monitoring("sched", { ...found, dashboard: false });
    });
    const dlq = resource(graph, "aws:sqs/queue:Queue", "cleanup-schedule-dlq");
    expect(Object.keys(found.queues ?? {})).toEqual(["cleanup-schedule-dlq"]);
    expect(resource(graph, ALARM, "sched-queue-cleanup-schedule-dlq-queue-depth").inputs).toMatchObject({ metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: dlq.state.name } });
  });
});
