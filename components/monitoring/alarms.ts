/**
 * The alarms Monitoring creates, as plain descriptions: which metric (or Metrics Insights query) of which
 * resource, with what statistic, threshold and timing. One list feeds the alarms and the dashboard.
 */
import * as pulumi from "@pulumi/pulumi";
import { arnRegion } from "../arn";

/** Each kind of alarm; the values name the override fields (`alarms: { lambdaErrors: { threshold: 5 } }`). */
export enum AlarmKind {
  LambdaErrors = "lambdaErrors",
  LambdaThrottles = "lambdaThrottles",
  StreamIteratorAge = "streamIteratorAge",
  ApiServerErrors = "apiServerErrors",
  ApiLatencyP99 = "apiLatencyP99",
  TableThrottles = "tableThrottles",
  TableSystemErrors = "tableSystemErrors",
  QueueDepth = "queueDepth",
  CloudFrontServerErrors = "cloudFrontServerErrors",
  CognitoAccountTakeoverRisk = "cognitoAccountTakeoverRisk",
  CognitoCompromisedCredentialRisk = "cognitoCompromisedCredentialRisk",
  WorkflowExecutionsFailed = "workflowExecutionsFailed",
  WorkflowExecutionsTimedOut = "workflowExecutionsTimedOut",
  WorkflowExecutionThrottled = "workflowExecutionThrottled",
  RuleFailedInvocations = "ruleFailedInvocations",
  RuleDeadLetterFailures = "ruleDeadLetterFailures",
}

/** Alarm kinds that are Metrics Insights queries (which look back at most three hours). */
export const QUERY_ALARM_KINDS: ReadonlySet<AlarmKind> = new Set([
  AlarmKind.TableThrottles, AlarmKind.TableSystemErrors, AlarmKind.CognitoAccountTakeoverRisk, AlarmKind.CognitoCompromisedCredentialRisk,
]);

/** Changes to one alarm's defaults. */
export interface AlarmOverride {
  /** The value the alarm compares the metric with (it fires at metric ≥ threshold), above 0, in the alarm kind's unit (ALARM_DEFAULTS says which). @default per alarm kind (ALARM_DEFAULTS) */
  threshold?: number;
  /** Seconds per datapoint: 10, 20, 30 or a multiple of 60. @default per alarm kind */
  periodSeconds?: number;
  /** Datapoints the alarm looks at. @default per alarm kind */
  evaluationPeriods?: number;
  /** How many of those must breach ("M out of N"). @default evaluationPeriods */
  datapointsToAlarm?: number;
  /** `false` drops the alarm. @default true */
  enabled?: boolean;
  /**
   * Text added to this alarm's description after "; ", in place of the target's `description`: for what the alarm
   * means and what to do when that differs between a target's alarms (a workflow's failed executions leave work
   * behind, its throttled ones carry on). In `defaults`: for the alarms of this kind whose target has no description.
   * @default the target's `description`
   */
  description?: string;
}

/** Overrides by alarm kind; fields are AlarmKind values. */
export interface AlarmOverrides {
  /** A function's Errors (Sum). */
  lambdaErrors?: AlarmOverride;
  /** A function's Throttles (Sum). */
  lambdaThrottles?: AlarmOverride;
  /** A stream consumer's IteratorAge (Maximum, ms). */
  streamIteratorAge?: AlarmOverride;
  /** An API stage's 5XXError (Average: the share of requests). */
  apiServerErrors?: AlarmOverride;
  /** An API stage's Latency at p99 (ms). */
  apiLatencyP99?: AlarmOverride;
  /** A table's throttled requests. */
  tableThrottles?: AlarmOverride;
  /** A table's system errors. */
  tableSystemErrors?: AlarmOverride;
  /** Messages waiting in a dead-letter queue. */
  queueDepth?: AlarmOverride;
  /** A distribution's 5xx error rate (%). */
  cloudFrontServerErrors?: AlarmOverride;
  cognitoAccountTakeoverRisk?: AlarmOverride;
  cognitoCompromisedCredentialRisk?: AlarmOverride;
  /** A workflow's failed executions (ExecutionsFailed, Sum). */
  workflowExecutionsFailed?: AlarmOverride;
  /** A workflow's timed-out executions (ExecutionsTimedOut, Sum). */
  workflowExecutionsTimedOut?: AlarmOverride;
  /** A workflow's throttled state transitions (ExecutionThrottled, Sum). */
  workflowExecutionThrottled?: AlarmOverride;
  /** An EventBridge rule's invocations that failed permanently (FailedInvocations, Sum). */
  ruleFailedInvocations?: AlarmOverride;
  /** An EventBridge rule's events it could neither deliver nor move to its dead-letter queue: lost (InvocationsFailedToBeSentToDlq, Sum). */
  ruleDeadLetterFailures?: AlarmOverride;
}

interface AlarmDefault {
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  comparisonOperator: string;
  /** What the threshold means, for the alarm's description. */
  unit: string;
}

const atLeast = (threshold: number, periodSeconds: number, evaluationPeriods: number, unit: string, datapointsToAlarm = evaluationPeriods): AlarmDefault => ({
  threshold, periodSeconds, evaluationPeriods, datapointsToAlarm, comparisonOperator: "GreaterThanOrEqualToThreshold", unit,
});

/**
 * Defaults: page on any function error, throttle, server-side DynamoDB error or dead-lettered record within five
 * minutes; on an API whose 5xx rate reaches 5% or whose p99 latency stays at 3 s or more for 15 minutes; on a stream
 * consumer 5 minutes behind for 10 minutes; on a distribution serving 5% 5xx; on any sign-in, sign-up or password
 * change Cognito's threat protection rates as an account take-over or compromised-credentials risk; on any workflow
 * execution that failed or timed out, or state transition Step Functions throttled; on any event a rule failed to
 * deliver for good, or could not even put in its dead-letter queue.
 */
export const ALARM_DEFAULTS: Readonly<Record<AlarmKind, AlarmDefault>> = {
  [AlarmKind.LambdaErrors]: atLeast(1, 300, 1, "errors"),
  [AlarmKind.LambdaThrottles]: atLeast(1, 300, 1, "throttled invocations"),
  [AlarmKind.StreamIteratorAge]: atLeast(300_000, 300, 2, "ms behind the stream"),
  [AlarmKind.ApiServerErrors]: atLeast(0.05, 300, 1, "of requests answered 5xx (0.05 = 5%)"),
  [AlarmKind.ApiLatencyP99]: atLeast(3000, 300, 3, "ms at p99"),
  [AlarmKind.TableThrottles]: atLeast(1, 300, 1, "throttled requests"),
  [AlarmKind.TableSystemErrors]: atLeast(1, 300, 1, "requests failed by DynamoDB"),
  [AlarmKind.QueueDepth]: atLeast(1, 300, 1, "messages waiting in the dead-letter queue"),
  [AlarmKind.CloudFrontServerErrors]: atLeast(5, 300, 1, "% of requests answered 5xx"),
  [AlarmKind.CognitoAccountTakeoverRisk]: atLeast(1, 300, 1, "requests with account take-over risk"),
  [AlarmKind.CognitoCompromisedCredentialRisk]: atLeast(1, 300, 1, "requests with compromised credentials"),
  [AlarmKind.WorkflowExecutionsFailed]: atLeast(1, 300, 1, "failed executions"),
  [AlarmKind.WorkflowExecutionsTimedOut]: atLeast(1, 300, 1, "timed-out executions"),
  [AlarmKind.WorkflowExecutionThrottled]: atLeast(1, 300, 1, "throttled state transitions"),
  [AlarmKind.RuleFailedInvocations]: atLeast(1, 300, 1, "events not delivered"),
  [AlarmKind.RuleDeadLetterFailures]: atLeast(1, 300, 1, "events lost (neither delivered nor dead-lettered)"),
};

/** A metric alarm, or (with `query`) a Metrics Insights alarm, before it is created. */
export interface AlarmSpec {
  /** Resource name suffix, unique in the component: `<target kind>-<target key>-<alarm>`. */
  name: string;
  kind: AlarmKind;
  /** The target's kind and key, e.g. `function gallery-counters`. */
  target: string;
  /** Region of the metric (and so of the alarm): CloudFront's metrics are in us-east-1. Undefined: the provider's. */
  region?: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  /** Exactly one of statistic and extendedStatistic ("You must specify either Statistic or ExtendedStatistic, but not both"). */
  statistic?: string;
  extendedStatistic?: string;
  /** A Metrics Insights query returning one series, when the metric has dimensions the alarm sums over (e.g. Operation). */
  query?: pulumi.Input<string>;
  threshold: number;
  comparisonOperator: string;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: string;
  description: string;
}

/** What every target takes beside what names its metrics: changes to its alarms, and text its alarms' descriptions add. */
export interface MonitoredTarget {
  /** Changes to this target's alarms, by alarm kind (over `defaults`). @default none */
  alarms?: AlarmOverrides;
  /**
   * Text added to the description of each of this target's alarms (the description is in the alarm's email), after
   * "; ": what the alarm means for the app and what to do. An alarm whose override has a `description` gets that
   * instead (`alarms: { <kind>: { description } }`): give each its own where what is true differs between them. Each
   * description must stay within CloudWatch's 1024 characters. @default none
   */
  description?: string;
}

export interface MonitoredFunction extends MonitoredTarget {
  /** The function's name (FunctionName dimension): `LambdaFunction.functionName`. */
  functionName: pulumi.Input<string>;
  /** Region of the target (the alarm goes there too). @default the provider's region */
  region?: string;
  /** Reads a DynamoDB or Kinesis stream: also alarm on IteratorAge. @default false */
  streamConsumer?: boolean;
}

export interface MonitoredApiStage extends MonitoredTarget {
  /** The REST API's name (ApiName dimension): `ServerlessApi.nodes.restApi.name`. */
  apiName: pulumi.Input<string>;
  /** The stage's name (Stage dimension). */
  stage: string;
  /** Region of the target (the alarm goes there too). @default the provider's region */
  region?: string;
}

export interface MonitoredTable extends MonitoredTarget {
  /** The table's name (TableName dimension): `DataTier.tables[key].name`. */
  tableName: pulumi.Input<string>;
  /** Region of the target (the alarm goes there too). @default the provider's region */
  region?: string;
}

export interface MonitoredQueue extends MonitoredTarget {
  /** A dead-letter queue's name: anything in it is a failed record or event. */
  queueName: pulumi.Input<string>;
  /** Region of the target (the alarm goes there too). @default the provider's region */
  region?: string;
}

export interface MonitoredDistribution extends MonitoredTarget {
  /** The distribution's id (DistributionId dimension): `StaticSite.distributionId`. */
  distributionId: pulumi.Input<string>;
}

/** A user pool with threat protection (AUDIT or ENFORCED), which publishes its risk metrics only then. */
export interface MonitoredUserPool extends MonitoredTarget {
  userPoolId: pulumi.Input<string>;
  /** @default the provider's region */
  region?: string;
}

/** A Step Functions state machine, STANDARD or EXPRESS: both publish the execution metrics by StateMachineArn. */
export interface MonitoredWorkflow extends MonitoredTarget {
  /** The state machine's ARN (StateMachineArn dimension): `Workflow.stateMachineArn`. */
  stateMachineArn: pulumi.Input<string>;
  /**
   * Region of the target (the alarms and graphs go there too): the state machine's; `""` is the provider's.
   * @default the region of `stateMachineArn` when it is a plain string, else the provider's region
   */
  region?: string;
}

/**
 * An EventBridge rule (an EventBus subscription's `rule`): its events that reached no target. EventBridge publishes a
 * rule's metrics "only if it isn't zero", so the alarms treat no data as no failure.
 */
export interface MonitoredRule extends MonitoredTarget {
  /** The rule's name (RuleName dimension): `EventBus.subscribe(...).rule.name`. */
  ruleName: pulumi.Input<string>;
  /**
   * The custom bus the rule is on (EventBusName dimension): `EventBus.busName`. "Metrics that specify both the
   * EventBusName and RuleName dimensions refer to a custom event bus", those with RuleName alone to the default bus
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html): leave it out for a DefaultEventBus
   * rule, and never leave it out for a custom bus's, whose alarm would watch a metric that is never published.
   * @default none: a rule on the default bus
   */
  eventBusName?: pulumi.Input<string>;
  /** Region of the rule (the alarms go there too): the bus's. @default the provider's region */
  region?: string;
}

/** What Monitoring watches, by key (keys name the alarms); `monitoringTargets()` reads them off the components. */
export interface MonitoringTargets {
  /** Lambda functions: errors, throttles (and iterator age for stream consumers). @default none */
  functions?: Record<string, MonitoredFunction>;
  /** API Gateway stages: 5XX errors and p99 latency. @default none */
  apiStages?: Record<string, MonitoredApiStage>;
  /** DynamoDB tables: throttled requests and system errors. @default none */
  tables?: Record<string, MonitoredTable>;
  /** Dead-letter queues: anything waiting in them. @default none */
  queues?: Record<string, MonitoredQueue>;
  /** CloudFront distributions: 5XX error rate. @default none */
  distributions?: Record<string, MonitoredDistribution>;
  userPools?: Record<string, MonitoredUserPool>;
  /** Step Functions state machines: failed, timed-out and throttled executions. @default none */
  workflows?: Record<string, MonitoredWorkflow>;
  /** EventBridge rules: events not delivered, and events lost on the way to the dead-letter queue. @default none */
  rules?: Record<string, MonitoredRule>;
}

/** What a target's alarm measures, before its threshold and action: the metric part of an AlarmSpec. */
type Metric = Pick<AlarmSpec, "namespace" | "metricName" | "dimensions" | "statistic" | "extendedStatistic" | "query" | "treatMissingData"> & { what: string };

/** Sums a DynamoDB metric reported per Operation over every operation on one table (Metrics Insights). */
function tableQuery(metricName: string, tableName: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`SELECT SUM(${metricName}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) WHERE TableName = '${tableName}'`;
}

/**
 * The timing an alarm of `kind` is created with: the kind's defaults, then `defaults`' override, then the target's
 * `own`. datapointsToAlarm not set by either is the kind's own M, cut to the evaluation periods. Monitoring's argument
 * check (validate.ts) judges this, not each override alone: an override's fields meet the other's at the alarm.
 */
export function alarmTiming(kind: AlarmKind, defaults?: AlarmOverride, own?: AlarmOverride): { periodSeconds: number; evaluationPeriods: number; datapointsToAlarm: number } {
  const base = ALARM_DEFAULTS[kind];
  const evaluationPeriods = own?.evaluationPeriods ?? defaults?.evaluationPeriods ?? base.evaluationPeriods;
  return {
    periodSeconds: own?.periodSeconds ?? defaults?.periodSeconds ?? base.periodSeconds,
    evaluationPeriods,
    datapointsToAlarm: own?.datapointsToAlarm ?? defaults?.datapointsToAlarm ?? Math.min(base.datapointsToAlarm, evaluationPeriods),
  };
}

/** Every alarm for `targets`: defaults, then `defaults` overrides, then each target's own. */
export function alarmSpecs(targets: MonitoringTargets, defaults: AlarmOverrides = {}): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  const add = (kind: AlarmKind, target: string, name: string, region: string | undefined, watched: MonitoredTarget, metric: Metric) => {
    const own = watched.alarms;
    const settings = { ...ALARM_DEFAULTS[kind], ...defaults[kind], ...own?.[kind], ...alarmTiming(kind, defaults[kind], own?.[kind]) };
    if (settings.enabled === false) return;
    const note = own?.[kind]?.description ?? watched.description ?? defaults[kind]?.description;
    specs.push({
      name: `${name}-${kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      kind,
      target,
      region,
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      statistic: metric.statistic,
      extendedStatistic: metric.extendedStatistic,
      query: metric.query,
      threshold: settings.threshold,
      comparisonOperator: settings.comparisonOperator,
      periodSeconds: settings.periodSeconds,
      evaluationPeriods: settings.evaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm,
      treatMissingData: metric.treatMissingData,
      description: `${target}: ${metric.what} ≥ ${settings.threshold} ${ALARM_DEFAULTS[kind].unit} in ${settings.datapointsToAlarm} of ${settings.evaluationPeriods} periods of ${settings.periodSeconds} s${note ? `; ${note}` : ""}`,
    });
  };
  // No data means no invocations, requests or messages: not a failure.
  const quiet = "notBreaching";

  for (const [key, fn] of Object.entries(targets.functions ?? {})) {
    const dimensions = { FunctionName: fn.functionName };
    const target = `function ${key}`;
    add(AlarmKind.LambdaErrors, target, `fn-${key}`, fn.region, fn, { namespace: "AWS/Lambda", metricName: "Errors", dimensions, statistic: "Sum", treatMissingData: quiet, what: "Errors (Sum)" });
    add(AlarmKind.LambdaThrottles, target, `fn-${key}`, fn.region, fn, { namespace: "AWS/Lambda", metricName: "Throttles", dimensions, statistic: "Sum", treatMissingData: quiet, what: "Throttles (Sum)" });
    if (fn.streamConsumer) {
      add(AlarmKind.StreamIteratorAge, target, `fn-${key}`, fn.region, fn, { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions, statistic: "Maximum", treatMissingData: quiet, what: "IteratorAge (Maximum)" });
    }
  }
  for (const [key, stage] of Object.entries(targets.apiStages ?? {})) {
    const dimensions = { ApiName: stage.apiName, Stage: stage.stage };
    const target = `API stage ${key}`;
    add(AlarmKind.ApiServerErrors, target, `api-${key}`, stage.region, stage, { namespace: "AWS/ApiGateway", metricName: "5XXError", dimensions, statistic: "Average", treatMissingData: quiet, what: "5XXError (Average: the share of requests)" });
    add(AlarmKind.ApiLatencyP99, target, `api-${key}`, stage.region, stage, { namespace: "AWS/ApiGateway", metricName: "Latency", dimensions, extendedStatistic: "p99", treatMissingData: quiet, what: "Latency (p99)" });
  }
  for (const [key, table] of Object.entries(targets.tables ?? {})) {
    const target = `table ${key}`;
    // ThrottledRequests counts a request once when any of its events (table or index) is throttled; both metrics come per Operation.
    add(AlarmKind.TableThrottles, target, `table-${key}`, table.region, table, {
      namespace: "AWS/DynamoDB", metricName: "ThrottledRequests", dimensions: { TableName: table.tableName }, query: tableQuery("ThrottledRequests", table.tableName), treatMissingData: quiet, what: "ThrottledRequests (Sum over operations)",
    });
    add(AlarmKind.TableSystemErrors, target, `table-${key}`, table.region, table, {
      namespace: "AWS/DynamoDB", metricName: "SystemErrors", dimensions: { TableName: table.tableName }, query: tableQuery("SystemErrors", table.tableName), treatMissingData: quiet, what: "SystemErrors (Sum over operations)",
    });
  }
  for (const [key, queue] of Object.entries(targets.queues ?? {})) {
    add(AlarmKind.QueueDepth, `dead-letter queue ${key}`, `queue-${key}`, queue.region, queue, {
      namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: queue.queueName }, statistic: "Maximum", treatMissingData: quiet, what: "ApproximateNumberOfMessagesVisible (Maximum)",
    });
  }
  for (const [key, distribution] of Object.entries(targets.distributions ?? {})) {
    // CloudFront publishes its metrics in us-east-1 with Region=Global, and an alarm must be in its metric's region.
    add(AlarmKind.CloudFrontServerErrors, `distribution ${key}`, `cdn-${key}`, "us-east-1", distribution, {
      namespace: "AWS/CloudFront", metricName: "5xxErrorRate", dimensions: { DistributionId: distribution.distributionId, Region: "Global" }, statistic: "Average", treatMissingData: quiet, what: "5xxErrorRate (Average)",
    });
  }
  for (const [key, pool] of Object.entries(targets.userPools ?? {})) {
    // Threat protection's metrics come per Operation (SignIn, SignUp, PasswordChange), UserPoolId and RiskLevel
    // (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-viewing-threat-protection-metrics.html): summed over operations and levels.
    for (const [kind, metricName] of [[AlarmKind.CognitoAccountTakeoverRisk, "AccountTakeoverRisk"], [AlarmKind.CognitoCompromisedCredentialRisk, "CompromisedCredentialRisk"]] as const) {
      add(kind, `user pool ${key}`, `pool-${key}`, pool.region, pool, {
        namespace: "AWS/Cognito", metricName, dimensions: { UserPoolId: pool.userPoolId }, query: cognitoRiskQuery(metricName, pool.userPoolId), treatMissingData: quiet, what: `${metricName} (Sum over operations and risk levels)`,
      });
    }
  }
  for (const [key, workflow] of Object.entries(targets.workflows ?? {})) {
    const dimensions = { StateMachineArn: workflow.stateMachineArn };
    for (const [kind, metricName] of WORKFLOW_ALARM_METRICS) {
      add(kind, `workflow ${key}`, `workflow-${key}`, workflowRegion(workflow), workflow, { namespace: "AWS/States", metricName, dimensions, statistic: "Sum", treatMissingData: quiet, what: `${metricName} (Sum)` });
    }
  }
  for (const [key, rule] of Object.entries(targets.rules ?? {})) {
    const dimensions: Record<string, pulumi.Input<string>> = rule.eventBusName === undefined ? { RuleName: rule.ruleName } : { EventBusName: rule.eventBusName, RuleName: rule.ruleName };
    for (const [kind, metricName] of RULE_ALARM_METRICS) {
      add(kind, `rule ${key}`, `rule-${key}`, rule.region, rule, { namespace: "AWS/Events", metricName, dimensions, statistic: "Sum", treatMissingData: quiet, what: `${metricName} (Sum)` });
    }
  }
  return specs;
}

/**
 * The AWS/Events metrics a rule is alarmed on (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html):
 * FailedInvocations, "invocations that failed permanently" (not those retried or that succeeded on a retry; with a
 * dead-letter queue the event is then sent there, eb-rule-dlq.html), and InvocationsFailedToBeSentToDlq, events the
 * dead-letter queue did not take either ("permissions errors, unavailable resources, or size limits"): lost. Not
 * ThrottledRules: the page describes no event lost by it (a lost one shows in the two above); nor DeadLetterInvocations,
 * "a rule's target isn't invoked", such as an invocation that would run the same rule again (a loop), not a delivery failure.
 */
const RULE_ALARM_METRICS = [
  [AlarmKind.RuleFailedInvocations, "FailedInvocations"],
  [AlarmKind.RuleDeadLetterFailures, "InvocationsFailedToBeSentToDlq"],
] as const;

/**
 * The AWS/States metrics a workflow is alarmed on, by StateMachineArn ("Execution metrics for all state machines":
 * "All state machines emit metrics", Standard and Express; ExecutionThrottled "will only be emitted in the case of
 * throttled execution", https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html). Not
 * ExecutionsAborted: an execution is aborted by a StopExecution someone or something asked for, not by a fault; the
 * dashboard draws it.
 */
const WORKFLOW_ALARM_METRICS = [
  [AlarmKind.WorkflowExecutionsFailed, "ExecutionsFailed"],
  [AlarmKind.WorkflowExecutionsTimedOut, "ExecutionsTimedOut"],
  [AlarmKind.WorkflowExecutionThrottled, "ExecutionThrottled"],
] as const;

/**
 * The region of a workflow's metrics, so of its alarms and graphs: the target's `region`, else the region of a
 * written-out ARN (a state machine reports its execution metrics in its own region, and an alarm or graph elsewhere
 * would watch a metric that never comes), else undefined: the provider's. `""` is the provider's region, as everywhere.
 */
export function workflowRegion(workflow: Pick<MonitoredWorkflow, "stateMachineArn" | "region">): string | undefined {
  return workflow.region || (typeof workflow.stateMachineArn === "string" ? arnRegion(workflow.stateMachineArn) : undefined);
}

/** Sums a threat-protection metric over every operation and risk level of one user pool (Metrics Insights). */
function cognitoRiskQuery(metricName: string, userPoolId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`SELECT SUM(${metricName}) FROM SCHEMA("AWS/Cognito", Operation, RiskLevel, UserPoolId) WHERE UserPoolId = '${userPoolId}'`;
}
