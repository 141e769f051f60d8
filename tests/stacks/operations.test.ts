/**
 * The operations pieces in the reference app (docs/operations.md): what prod gets (web ACL on the distribution,
 * alarms with their SNS action, the dashboard, the backup plan) and what dev goes without, so it stays cheap.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { ofType, resource } from "../harness/mocks";
import { runStacks } from "./run-stack";

const ROOT = join(__dirname, "..", "..");
let runs: Map<string, OfflineRun>;

beforeAll(async () => {
  runs = await runStacks(["dev", "prod"]);
});

describe("prod", () => {
  it("puts the site's distribution behind a CLOUDFRONT web ACL in us-east-1 with the configured rate limit, logging for logRetentionDays", () => {
    const run = runs.get("prod")!;
    const acl = resource(run.resources, "aws:wafv2/webAcl:WebAcl", "site-waf-acl");
    expect(resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn").inputs.webAclId).toBe(acl.state.arn);
    expect(acl.inputs).toMatchObject({ scope: "CLOUDFRONT", region: "us-east-1" });
    expect(acl.inputs.rules[0].statement.rateBasedStatement).toEqual({ limit: 2000, evaluationWindowSec: 300, aggregateKeyType: "IP" });
    expect(resource(run.resources, "aws:cloudwatch/logGroup:LogGroup", "site-waf-logs").inputs).toEqual({
      name: "aws-waf-logs-serverless-fullstack-prod-site-waf",
      retentionInDays: 365,
      region: "us-east-1",
      tags: expect.objectContaining({ stack: "prod" }),
    });
  });
});

describe("prod alarms and dashboard", () => {
  // The API's functions in each of prod's regions (docs/multi-region.md): api-* in us-east-1, api-usw2-* in us-west-2.
  const apiFunctions = [
    "auth-jwt", "delete-albums-albumid", "delete-albums-albumid-photos-photoid", "get-albums", "get-albums-albumid", "get-albums-albumid-photos",
    "get-albums-albumid-photos-photoid", "get-health", "patch-albums-albumid", "patch-albums-albumid-photos-photoid", "post-albums", "post-albums-albumid-photos",
  ];
  const functions = [
    ...["api", "api-usw2"].flatMap((api) => apiFunctions.map((fn) => `${api}-${fn}`)),
    "auth-post-confirmation", "data-export", "gallery-counters", "photo-cleanup", "photo-object-removal", "thumbnail",
    // The WebSocket API's functions (RealtimeApi "live").
    "live-authorizer", "live-connect", "live-default", "live-disconnect", "live-ping",
  ];

  it("alarms on every function, the API stage, every table, every dead-letter and failure queue and the distribution", () => {
    const names = ofType(runs.get("prod")!.resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name).sort();
    expect(names).toEqual([
      "ops-api-api-prod-api-latency-p99", "ops-api-api-prod-api-server-errors", "ops-api-api-usw2-prod-api-latency-p99", "ops-api-api-usw2-prod-api-server-errors",
      "ops-cdn-site-cloud-front-server-errors",
      ...functions.flatMap((fn) => [`ops-fn-${fn}-lambda-errors`, `ops-fn-${fn}-lambda-throttles`, ...(fn === "gallery-counters" ? [`ops-fn-${fn}-stream-iterator-age`] : [])]),
      "ops-pool-auth-cognito-account-takeover-risk", "ops-pool-auth-cognito-compromised-credential-risk",
      "ops-queue-data-counters-dlq-queue-depth", "ops-queue-data-export-dlq-queue-depth", "ops-queue-thumbnail-failures-queue-depth",
      // The Scheduler dead-letter queues of the scheduled functions.
      "ops-queue-data-export-schedule-dlq-queue-depth", "ops-queue-photo-cleanup-schedule-dlq-queue-depth",
      // The photo-removals MessageQueue's dead-letter queue, and the album-deletion rule's (an event it never delivered).
      "ops-queue-photo-removals-dlq-queue-depth", "ops-queue-gallery-events-album-deletions-dlq-queue-depth",
      // The album-deletion workflow's executions that failed or timed out, and its throttled state transitions.
      "ops-workflow-album-deletion-workflow-executions-failed", "ops-workflow-album-deletion-workflow-executions-timed-out", "ops-workflow-album-deletion-workflow-execution-throttled",
      // The album-deletion rule's events that never started the workflow, and those its dead-letter queue refused too (lost).
      "ops-rule-gallery-events-album-deletions-rule-failed-invocations", "ops-rule-gallery-events-album-deletions-rule-dead-letter-failures",
      "ops-table-data-connections-table-system-errors", "ops-table-data-connections-table-throttles",
      "ops-table-data-gallery-table-system-errors", "ops-table-data-gallery-table-throttles",
      "ops-table-data-idempotency-table-system-errors", "ops-table-data-idempotency-table-throttles", "ops-table-data-preferences-table-system-errors", "ops-table-data-preferences-table-throttles",
    ].sort());
  });

  it("is the alarm count the README's and the deploy guide's cost tables give (at $0.10 an alarm-month)", () => {
    const count = ofType(runs.get("prod")!.resources, "aws:cloudwatch/metricAlarm:MetricAlarm").length;
    const dollars = (count * 0.1).toFixed(2);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(`${count} alarms ~$${dollars}`);
    const guide = readFileSync(join(ROOT, "docs", "deploy-guide.md"), "utf8");
    expect(guide).toContain(`${count} in the reference app`);
    expect(guide).toContain(`≈ $${dollars}`);
  });

  it("points every alarm's ALARM and OK actions at its region's alarm topic (the home one in us-east-1, CloudFront's metric region), mailed to alarmEmails", () => {
    const run = runs.get("prod")!;
    const topic = resource(run.resources, "aws:sns/topic:Topic", "ops-alarms");
    // An alarm notifies a topic in its own region: the us-west-2 API's alarms have a topic there.
    const westTopic = resource(run.resources, "aws:sns/topic:Topic", "ops-alarms-us-west-2");
    for (const alarm of ofType(run.resources, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      const expected = alarm.inputs.region === "us-west-2" ? westTopic : topic;
      expect(alarm.inputs.alarmActions, alarm.name).toEqual([expected.state.arn]);
      expect(alarm.inputs.okActions, alarm.name).toEqual([expected.state.arn]);
    }
    expect(topic.inputs.kmsMasterKeyId).toBe(resource(run.resources, "aws:kms/key:Key", "ops-alarm-key").state.arn);
    // Named by its address; aliased to its name by position in 0.2.0, so prod upgrades without a change.
    const subscription = resource(run.resources, "aws:sns/topicSubscription:TopicSubscription", "ops-alarms-email-b8ba1e06");
    expect(subscription.inputs).toMatchObject({ protocol: "email", endpoint: "ops@gallery.example.com" });
    expect(subscription.aliases).toEqual([subscription.urn.replace(/-email-b8ba1e06$/, "-email-0")]);
  });

  it("watches the real resources: function names, the REST API's name and stage, table names, queue names, the distribution id", () => {
    const run = runs.get("prod")!;
    const alarm = (name: string) => resource(run.resources, "aws:cloudwatch/metricAlarm:MetricAlarm", `ops-${name}`).inputs;
    expect(alarm("fn-gallery-counters-stream-iterator-age").dimensions).toEqual({ FunctionName: resource(run.resources, "aws:lambda/function:Function", "gallery-counters-function").state.name });
    expect(alarm("api-api-prod-api-latency-p99").dimensions).toEqual({ ApiName: resource(run.resources, "aws:apigateway/restApi:RestApi", "api-api").state.name, Stage: "prod" });
    expect(alarm("table-data-gallery-table-throttles").metricQueries[0].expression).toContain(`WHERE TableName = '${resource(run.resources, "aws:dynamodb/table:Table", "data-gallery").state.name}'`);
    expect(alarm("queue-data-counters-dlq-queue-depth").dimensions).toEqual({ QueueName: resource(run.resources, "aws:sqs/queue:Queue", "data-counters-dlq").state.name });
    expect(alarm("queue-photo-cleanup-schedule-dlq-queue-depth").dimensions).toEqual({ QueueName: resource(run.resources, "aws:sqs/queue:Queue", "photo-cleanup-schedule-dlq").state.name });
    expect(alarm("queue-photo-removals-dlq-queue-depth").dimensions).toEqual({ QueueName: resource(run.resources, "aws:sqs/queue:Queue", "photo-removals-dlq").state.name });
    expect(alarm("fn-photo-object-removal-lambda-errors").dimensions).toEqual({ FunctionName: resource(run.resources, "aws:lambda/function:Function", "photo-object-removal-function").state.name });
    expect(alarm("queue-gallery-events-album-deletions-dlq-queue-depth").dimensions).toEqual({ QueueName: resource(run.resources, "aws:sqs/queue:Queue", "gallery-events-album-deletions-dlq").state.name });
    const machine = resource(run.resources, "aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").state.arn;
    for (const [name, metricName] of [["executions-failed", "ExecutionsFailed"], ["executions-timed-out", "ExecutionsTimedOut"], ["execution-throttled", "ExecutionThrottled"]]) {
      const inputs = alarm(`workflow-album-deletion-workflow-${name}`);
      expect(inputs, name).toMatchObject({ namespace: "AWS/States", metricName, dimensions: { StateMachineArn: machine }, statistic: "Sum", threshold: 1, period: 300, evaluationPeriods: 1, datapointsToAlarm: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching" });
      // In the workflow's region, the home one, on its topic.
      expect(inputs.region, name).toBeUndefined();
    }
    // Each email says what is true of that alarm: what became of the album, and what to do.
    const note = (name: string) => alarm(name).alarmDescription.replace(/^[^;]*; /, "");
    expect(note("workflow-album-deletion-workflow-executions-failed")).toMatch(/^one the definition caught is marked failed on the album .*; one it could not \(the history limit\) leaves the album marked deleting\. Either way DELETE starts it over where it stopped$/);
    expect(note("workflow-album-deletion-workflow-executions-timed-out")).toMatch(/^an execution ran past its 4 h bound .*: the album stays marked deleting, nothing is told on album-notices; DELETE starts it over 10 minutes later$/);
    // Throttled transitions are delayed, not lost: nothing is left marked.
    expect(note("workflow-album-deletion-workflow-execution-throttled")).toMatch(/the executions carry on, slower, and nothing is left marked/);
    expect(note("workflow-album-deletion-workflow-execution-throttled")).not.toMatch(/stays marked|starts it over/);
    expect(note("queue-gallery-events-album-deletions-dlq-queue-depth")).toMatch(/^an AlbumDeletionRequested the rule could not deliver waits there .*the album stays deleting until its owner deletes it again/);
    // The rule, by the custom bus's name and its own: a metric by RuleName alone is the default bus's.
    const rule = resource(run.resources, "aws:cloudwatch/eventRule:EventRule", "gallery-events-album-deletions").state.name;
    const bus = resource(run.resources, "aws:cloudwatch/eventBus:EventBus", "gallery-events-bus").state.name;
    for (const [name, metricName] of [["rule-failed-invocations", "FailedInvocations"], ["rule-dead-letter-failures", "InvocationsFailedToBeSentToDlq"]]) {
      const inputs = alarm(`rule-gallery-events-album-deletions-${name}`);
      expect(inputs, name).toMatchObject({ namespace: "AWS/Events", metricName, dimensions: { EventBusName: bus, RuleName: rule }, statistic: "Sum", threshold: 1, period: 300, evaluationPeriods: 1, datapointsToAlarm: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching" });
      expect(inputs.region, name).toBeUndefined();
    }
    expect(note("rule-gallery-events-album-deletions-rule-failed-invocations")).toMatch(/^an AlbumDeletionRequested never started the workflow .*waits in the rule's dead-letter queue .*DELETE starts it over/);
    expect(note("rule-gallery-events-album-deletions-rule-dead-letter-failures")).toMatch(/^an AlbumDeletionRequested was neither delivered nor kept: .*it is lost\. Fix the queue; .*DELETE starts it over/);
    expect(alarm("cdn-site-cloud-front-server-errors").dimensions).toEqual({ DistributionId: resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn").id, Region: "Global" });
  });

  it("draws one dashboard for the stack with a graph per alarm, and the album-deletion workflow's executions and their p99 time", () => {
    const run = runs.get("prod")!;
    const dashboard = resource(run.resources, "aws:cloudwatch/dashboard:Dashboard", "ops-dashboard");
    expect(dashboard.inputs.dashboardName).toBe("serverless-fullstack-prod");
    const alarms = ofType(run.resources, "aws:cloudwatch/metricAlarm:MetricAlarm").length;
    const widgets = JSON.parse(dashboard.inputs.dashboardBody).widgets;
    expect(widgets).toHaveLength(alarms + 2);
    const machine = ["StateMachineArn", resource(run.resources, "aws:sfn/stateMachine:StateMachine", "album-deletion-state-machine").state.arn];
    expect(widgets.slice(alarms).map((w: any) => w.properties)).toEqual([
      {
        title: "workflow album-deletion — executions", region: "us-east-1", period: 300, stat: "Sum",
        // Failed and timed out are drawn once, on their alarms' graphs.
        metrics: ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsAborted"].map((metric) => ["AWS/States", metric, ...machine]),
      },
      { title: "workflow album-deletion — ExecutionTime (ms)", region: "us-east-1", period: 300, stat: "p99", metrics: [["AWS/States", "ExecutionTime", ...machine]] },
    ]);
  });
});

describe("prod backups", () => {
  it("backs up both tables daily for 35 days into a locked vault, copied to the replica region's locked vault, and keeps the vaults", () => {
    const run = runs.get("prod")!;
    const table = (name: string) => resource(run.resources, "aws:dynamodb/table:Table", name).state.arn;
    expect(resource(run.resources, "aws:backup/selection:Selection", "backup-selection").inputs.resources).toEqual([table("data-gallery"), table("data-preferences")]);
    const copyVault = resource(run.resources, "aws:backup/vault:Vault", "backup-copy-vault");
    expect(copyVault.inputs.region).toBe("us-west-2");
    expect(resource(run.resources, "aws:backup/plan:Plan", "backup-plan").inputs.rules).toEqual([
      { ruleName: "daily", targetVaultName: expect.stringMatching(/^serverless-fullstack-prod-backup-[a-zA-Z0-9_-]{6}$/), schedule: "cron(0 5 ? * * *)", lifecycle: { deleteAfter: 35 }, copyActions: [{ destinationVaultArn: copyVault.state.arn, lifecycle: { deleteAfter: 35 } }] },
    ]);
    for (const lock of ofType(run.resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration")) expect(lock.inputs).toMatchObject({ minRetentionDays: 35, maxRetentionDays: 35 });
    for (const vault of ofType(run.resources, "aws:backup/vault:Vault")) expect(vault.retainOnDelete, vault.name).toBe(true);
  });
});

describe("dev stays cheap", () => {
  it("has no alarms, alarm topic or dashboard", () => {
    const run = runs.get("dev")!;
    // The album-deletion workflow's notices topic (index.ts) is no alarm topic: SNS charges per request, not per topic.
    const alarmResources = (type: string) => ofType(run.resources, type).filter((r) => r.name !== "album-notices-topic");
    for (const type of ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic", "aws:cloudwatch/dashboard:Dashboard"]) expect(alarmResources(type), type).toEqual([]);
  });

  it("has no backup plan or vault", () => {
    const run = runs.get("dev")!;
    for (const type of ["aws:backup/plan:Plan", "aws:backup/vault:Vault", "aws:kms/key:Key"]) expect(ofType(run.resources, type), type).toEqual([]);
  });

  it("has no web ACL", () => {
    const run = runs.get("dev")!;
    expect(ofType(run.resources, "aws:wafv2/webAcl:WebAcl")).toEqual([]);
    expect(resource(run.resources, "aws:cloudfront/distribution:Distribution", "site-cdn").inputs.webAclId).toBeUndefined();
  });
});
