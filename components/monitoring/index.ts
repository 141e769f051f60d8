/**
 * Monitoring: CloudWatch alarms with sensible defaults for the functions, API stages, tables, dead-letter queues,
 * distributions, user pools (threat protection's risk metrics), workflows (Step Functions) and EventBridge rules of a stack (overridable per alarm kind and per target), their actions on an encrypted SNS topic
 * with optional email subscriptions, and one dashboard drawn from the same list of alarms.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { argFailer, ComponentArgError } from "../errors";
import { checkWholeNumberInRange } from "../ranges";
import { regionWhereCreated } from "../region";
import { type AlarmOverrides, type AlarmSpec, type MonitoringTargets } from "./alarms";
import { graphSpecs, type GraphSpec } from "./graphs";
import { alarmEmailKey, checkDashboardWidgets, dashboardNameOf, validateMonitoringArgs } from "./validate";

export { ALARM_DEFAULTS, AlarmKind, alarmSpecs, QUERY_ALARM_KINDS } from "./alarms";
export type { AlarmOverride, AlarmOverrides, AlarmSpec, MonitoredApiStage, MonitoredDistribution, MonitoredFunction, MonitoredQueue, MonitoredRule, MonitoredTable, MonitoredTarget, MonitoredUserPool, MonitoredWorkflow, MonitoringTargets } from "./alarms";
export { monitoringTargets, type MonitoredComponents } from "./targets";
export { ALARM_LIMITS, alarmTimingProblem, DASHBOARD_NAME, dashboardNameOf } from "./validate";

export interface MonitoringArgs extends MonitoringTargets {
  /**
   * Addresses subscribed (by email) to the alarm topic; each must confirm the subscription AWS mails it. Each is named
   * by its address, so changing the list leaves the remaining addresses subscribed; an address listed twice (ignoring
   * case) is refused. @default []
   */
  alarmEmails?: string[];
  /** Overrides of the defaults (ALARM_DEFAULTS) for every target, by alarm kind. @default {} */
  defaults?: AlarmOverrides;
  /** One CloudWatch dashboard with a graph per alarm, and per workflow its executions (Sum) and their ExecutionTime (p99). @default true */
  dashboard?: boolean;
  /**
   * The dashboard's name: letters, digits, - and _, at most 255. Dashboards are global to the account, and one put
   * under a name another stack uses replaces that one's. @default `<project>-<stack>`, other characters made hyphens
   */
  dashboardName?: string;
  /** Days a deleted topic key waits before it is gone (7–30). @default 30 */
  keyDeletionWindowDays?: number;
  /**
   * The region of the explicit provider Monitoring runs under (given to it or to a parent), which the program cannot
   * read when it runs. Alarms in this region (CloudFront's are in us-east-1, or a target's `region`) share the topic
   * created in the provider's region; an alarm in another region gets a topic there. Checked against the provider once
   * its region is known, before any alarm is pointed at a topic. On the default provider it can only be `aws:region`.
   * @default the stack's `aws:region`
   */
  providerRegion?: string;
}

export interface MonitoringSpec {
  name: string;
  alarms: AlarmSpec[];
  alarmEmails: string[];
  dashboardName?: string;
  /** Regions that get a topic (and key): every region with an alarm; "" stands for the provider's (see `topicRegion`). */
  topicRegions: string[];
  keyDeletionWindowDays: number;
}

/**
 * The topic an alarm notifies, by region: CloudWatch refuses an action on a topic in another region than the alarm's
 * ("Invalid region X specified. Only Y is supported."). "" is the topic created without a `region`, in the provider's
 * region, where the alarms without a region of their own go too. An alarm with a region shares it only when that is
 * `providerRegion`, the provider's region as the program is told it (undefined when not known).
 */
function topicRegion(alarm: Pick<AlarmSpec, "region">, providerRegion: string | undefined): string {
  return alarm.region && alarm.region !== providerRegion ? alarm.region : "";
}

/**
 * A subscription's part of its logical name: 8 hex digits of the sha256 of the address's key (trimmed, lower case).
 * Keyed by the address, adding, removing or reordering addresses leaves the other subscriptions be: keyed by
 * position, the subscriptions after a change were replaced onto other addresses, and a replacement that subscribed
 * an address already subscribed got that subscription, which the removed one's delete then ended, so nobody got
 * alarms. A hash rather than the address keeps addresses out of URNs (and their characters out of names).
 */
function emailSubscriptionKey(email: string): string {
  return createHash("sha256").update(alarmEmailKey(email)).digest("hex").slice(0, 8);
}

/** The logical name of the alarm topic of `region` ("" for the provider's), which Pulumi autonames the topic from. */
function topicResourceName(name: string, region: string): string {
  return `${name}-alarms${region ? `-${region}` : ""}`;
}

/**
 * SNS takes a display name of at most 100 characters ("The display name must be maximum 100 characters long, including
 * hyphens (-), underscores (_), spaces, and tabs",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html#cfn-sns-topic-displayname;
 * a longer one failed a deployment in getlift/lift#348; the SNS API reference gives no length), and a Pulumi project and
 * stack name together can be longer.
 */
const TOPIC_DISPLAY_NAME_MAX = 100;

/**
 * The alarm topic's display name, the "From" name of its alarm emails: `<project> <stack> alarms`, the project and stack
 * cut so that it fits SNS's 100 characters (the names of a stack that fits are kept whole, as before). The cut counts
 * UTF-16 units, never fewer than characters, so the result fits however SNS counts; a cut that would keep the first
 * half of a surrogate pair (a character outside the BMP, such as an emoji) drops that half too: a lone surrogate is not
 * text, and has no UTF-8 form to send.
 */
function alarmTopicDisplayName(project: string, stack: string): string {
  const suffix = " alarms";
  const kept = `${project} ${stack}`.slice(0, TOPIC_DISPLAY_NAME_MAX - suffix.length);
  return `${kept.replace(/[\uD800-\uDBFF]$/, "").trimEnd()}${suffix}`;
}

/** One topic per alarm region: an alarm notifies a topic in its own region. */
interface AlarmTopic {
  key: aws.kms.Key;
  topic: aws.sns.Topic;
  subscriptions: aws.sns.TopicSubscription[];
}

/**
 * CloudWatch alarms with defaults for a stack's functions, API stages, tables, dead-letter queues, distributions, user
 * pools, workflows and EventBridge rules (overridable per alarm kind and target), an encrypted SNS topic for their actions, and a dashboard.
 *
 * @example
 * const monitoring = new Monitoring("ops", {
 *   ...monitoringTargets({ apis: [api], dataTiers: [data], sites: [site], auth: [auth], functions: [counters], workflows: [orders], eventBuses: [bus] }),
 *   alarmEmails: ["ops@example.com"],
 *   defaults: { apiLatencyP99: { threshold: 1500 } },
 * });
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly spec: MonitoringSpec;
  /** Alarm topic ARN by region ("" for the provider's region). */
  readonly topicArns: pulumi.Output<Record<string, string>>;
  readonly nodes: {
    readonly topics: ReadonlyMap<string, AlarmTopic>;
    readonly alarms: ReadonlyMap<string, aws.cloudwatch.MetricAlarm>;
    readonly dashboard?: aws.cloudwatch.Dashboard;
  };

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:Monitoring", name, {}, opts);
    const fail = argFailer("Monitoring", name);
    const targets: MonitoringTargets = { functions: args.functions, apiStages: args.apiStages, tables: args.tables, queues: args.queues, distributions: args.distributions, userPools: args.userPools, workflows: args.workflows, rules: args.rules };
    // Only the name of a dashboard that is created is checked: with `dashboard: false` the name is unused.
    // The alarms, built by the checks that read them; `targets` lists its groups in alarmSpecs' order.
    const alarms = validateMonitoringArgs(fail, targets, args.defaults, args.alarmEmails, args.dashboard === false ? undefined : args.dashboardName);
    const window = args.keyDeletionWindowDays ?? 30;
    // ScheduleKeyDeletion PendingWindowInDays: "If you include a value, it must be between 7 and 30, inclusive"
    // (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html).
    checkWholeNumberInRange(fail, "keyDeletionWindowDays", window, { min: 7, max: 30 }, { limit: "KMS's range", unit: "days" });
    // The default provider creates in the stack's aws:region. An explicit one (given to this component or a parent)
    // has its region as an Output, unknown here: `providerRegion` says it, and by default it is taken to be aws:region,
    // as in 0.2.0, so a stack whose provider is for its own region keeps its one topic and confirmed subscriptions.
    const topicRegionKnown = regionWhereCreated(undefined, this, "aws:sns/topic:Topic");
    const explicitProvider = topicRegionKnown.from === "provider";
    if (topicRegionKnown.region !== undefined && args.providerRegion !== undefined && args.providerRegion !== topicRegionKnown.region) {
      fail("providerRegion", args.providerRegion, `is not the default provider's region, aws:region "${topicRegionKnown.region}"`, `Remove it, or give Monitoring (or its parent) the provider for ${args.providerRegion}.`);
    }
    const providerRegion = args.providerRegion ?? aws.config.region;
    const topicOf = (alarm: AlarmSpec) => topicRegion(alarm, providerRegion);
    // An alarm with a region of its own on the provider's topic relies on providerRegion being right: under an explicit
    // provider it notifies only once the provider's region is known to be providerRegion (at preview when the
    // provider's region is plain), so a wrong one stops the deployment instead of creating alarms CloudWatch refuses.
    const reliesOnProviderRegion = (alarm: AlarmSpec) => alarm.region !== undefined && topicOf(alarm) === "";
    const checkedRegion =
      (explicitProvider || args.providerRegion !== undefined) && alarms.some(reliesOnProviderRegion)
        ? aws.getRegionOutput({}, { parent: this }).region.apply((actual) => assertProviderRegion(name, providerRegion, actual, args.providerRegion === undefined))
        : undefined;
    const topicArnFor = (alarm: AlarmSpec, topic: aws.sns.Topic): pulumi.Input<string> => (checkedRegion && reliesOnProviderRegion(alarm) ? checkedRegion.apply(() => topic.arn) : topic.arn);
    const topicRegions = [...new Set(alarms.map(topicOf))];
    // Each region's alarm topic is autonamed `<name>-alarms[-<region>]-<7 hex>` (autoname.ts "sns-topic").
    validateAutonames(fail, name, topicRegions.map((region) => ({ resource: topicResourceName(name, region), kind: "sns-topic" })));
    this.spec = {
      name,
      alarms,
      alarmEmails: args.alarmEmails ?? [],
      dashboardName: args.dashboard === false ? undefined : args.dashboardName ?? dashboardNameOf(`${pulumi.getProject()}-${pulumi.getStack()}`),
      topicRegions,
      keyDeletionWindowDays: window,
    };

    const graphs = graphSpecs(targets, alarms);
    if (this.spec.dashboardName) checkDashboardWidgets(fail, alarms.length, graphs.length);
    const topics = new Map(this.spec.topicRegions.map((region) => [region, this.createTopic(name, region)]));
    const created = new Map(alarms.map((alarm) => [alarm.name, this.createAlarm(name, alarm, topicArnFor(alarm, topics.get(topicOf(alarm))!.topic))]));
    const dashboard = this.spec.dashboardName
      ? new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName: this.spec.dashboardName, dashboardBody: dashboardBody(alarms, graphs, aws.getRegionOutput({}, { parent: this }).region) }, { parent: this })
      : undefined;

    this.nodes = { topics, alarms: created, dashboard };
    this.topicArns = pulumi.all(Object.fromEntries([...topics].map(([region, t]) => [region, t.topic.arn])));
    this.registerOutputs({ topicArns: this.topicArns });
  }

  /**
   * The alarm topic of one region, encrypted with a customer managed key that CloudWatch may use: alarms cannot
   * publish to a topic encrypted with the AWS managed key alias/aws/sns, whose policy does not let CloudWatch call
   * kms:Decrypt and kms:GenerateDataKey (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns).
   */
  private createTopic(name: string, region: string): AlarmTopic {
    const suffix = region ? `-${region}` : "";
    const at = region || undefined;
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const key = new aws.kms.Key(
      `${name}-alarm-key${suffix}`,
      {
        description: `${name}: encrypts the alarm topic${suffix}; CloudWatch alarms may use it`,
        enableKeyRotation: true,
        deletionWindowInDays: this.spec.keyDeletionWindowDays,
        region: at,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            // The account administers the key through IAM, as with a key created in the console.
            { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root` }, Action: "kms:*", Resource: "*" },
            { Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
          ],
        }),
      },
      { parent: this },
    );
    const topic = new aws.sns.Topic(topicResourceName(name, region), { displayName: alarmTopicDisplayName(pulumi.getProject(), pulumi.getStack()), kmsMasterKeyId: key.arn, region: at }, { parent: this });
    const subscriptions = this.spec.alarmEmails.map(
      (email, index) =>
        new aws.sns.TopicSubscription(
          `${topicResourceName(name, region)}-email-${emailSubscriptionKey(email)}`,
          { topic: topic.arn, protocol: "email", endpoint: email, region: at },
          {
            parent: this,
            // Earlier versions named subscriptions by position; the name of this address's position keeps a stack
            // deployed then unchanged when it upgrades with the same list.
            aliases: [{ name: `${topicResourceName(name, region)}-email-${index}` }],
            // Only a new topic or a change of the address's case replaces it (endpoint, protocol and topic_arn are
            // ForceNew in terraform-provider-aws internal/service/sns/topic_subscription.go). Subscribe for an
            // endpoint already subscribed returns that subscription (https://github.com/getmoto/moto/pull/1418), so
            // were SNS to take both cases for one address, a create-first replacement would hold the subscription its
            // old copy's delete then ends. Delete-first, the address only confirms again, as it must for any new one.
            deleteBeforeReplace: true,
          },
        ),
    );
    return { key, topic, subscriptions };
  }

  /** ALARM and OK both notify, so the team learns when a problem is over as well as when it starts. */
  private createAlarm(name: string, alarm: AlarmSpec, topicArn: pulumi.Input<string>): aws.cloudwatch.MetricAlarm {
    const metric = alarm.query
      ? { metricQueries: [{ id: "q1", expression: alarm.query, period: alarm.periodSeconds, returnData: true, label: alarm.metricName }] }
      : {
          namespace: alarm.namespace,
          metricName: alarm.metricName,
          dimensions: alarm.dimensions,
          statistic: alarm.statistic,
          extendedStatistic: alarm.extendedStatistic,
          period: alarm.periodSeconds,
        };
    return new aws.cloudwatch.MetricAlarm(
      `${name}-${alarm.name}`,
      {
        alarmDescription: alarm.description,
        ...metric,
        threshold: alarm.threshold,
        comparisonOperator: alarm.comparisonOperator,
        evaluationPeriods: alarm.evaluationPeriods,
        datapointsToAlarm: alarm.datapointsToAlarm,
        treatMissingData: alarm.treatMissingData,
        alarmActions: [topicArn],
        okActions: [topicArn],
        region: alarm.region,
      },
      { parent: this },
    );
  }
}

/**
 * Throws unless the provider Monitoring runs under is in `providerRegion`, the region its topic was assumed to be in;
 * returns the provider's region. `defaulted`: providerRegion was not set, but taken from aws:region.
 */
export function assertProviderRegion(name: string, providerRegion: string | undefined, actual: string, defaulted = false): string {
  if (providerRegion === undefined || providerRegion === actual) return actual;
  const assumed = defaulted ? `is taken to be aws:region, ${providerRegion}, which ` : "";
  throw new ComponentArgError(
    "Monitoring",
    name,
    "providerRegion",
    defaulted ? undefined : providerRegion,
    `${assumed}is not the region of the provider it runs under, ${actual}, so alarms in ${providerRegion} would notify a topic in ${actual}, which CloudWatch refuses`,
    `Set providerRegion: "${actual}"; alarms in ${providerRegion} then get a topic there.`,
  );
}

/** Where the `index`th graph goes: two to a row. */
const place = (index: number) => ({ type: "metric", x: (index % 2) * 12, y: Math.floor(index / 2) * 6, width: 12, height: 6 });

/**
 * The periods under a minute a dashboard graph takes ("Valid Values: 1, 5, 10, 30, 60, and any multiple of 60",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html, "period");
 * an alarm's are 10, 20 and 30 (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 * Also the deploy rule CloudWatchDashboardPeriod's list (testing/deploy-rules/cloudwatch.ts); not re-exported by components/index.ts.
 * @internal
 */
export const GRAPH_PERIODS_UNDER_A_MINUTE: readonly number[] = [1, 5, 10, 30];

/**
 * The period a graph of `periodSeconds` is drawn with: that one when a graph takes it, else the nearest longer one a
 * graph takes (a 20 s alarm's graph is drawn per 30 s: a Sum there is over 30 s, the alarm's over 20 s).
 */
function graphPeriod(periodSeconds: number): number {
  if (periodSeconds >= 60) return Math.ceil(periodSeconds / 60) * 60;
  return GRAPH_PERIODS_UNDER_A_MINUTE.find((period) => period >= periodSeconds) ?? 60;
}

/** A graph per alarm, with the alarm's threshold drawn on it, then the other graphs; each in its metrics' region. */
function dashboardBody(alarms: readonly AlarmSpec[], graphs: readonly GraphSpec[], region: pulumi.Input<string>): pulumi.Output<string> {
  const alarmWidgets = alarms.map((alarm, index) => ({
    ...place(index),
    properties: {
      title: `${alarm.target} — ${alarm.metricName}`,
      // "" is the provider's region, as for the topics.
      region: alarm.region || region,
      period: graphPeriod(alarm.periodSeconds),
      stat: alarm.extendedStatistic ?? alarm.statistic ?? "Sum",
      metrics: alarm.query
        ? [[{ expression: alarm.query, label: alarm.metricName, id: "q1" }]]
        : [[alarm.namespace, alarm.metricName, ...Object.entries(alarm.dimensions).flat()]],
      annotations: { horizontal: [{ value: alarm.threshold, label: "alarm threshold" }] },
    },
  }));
  const graphWidgets = graphs.map((graph, index) => ({
    ...place(alarms.length + index),
    properties: {
      title: graph.title,
      region: graph.region || region,
      period: graphPeriod(graph.periodSeconds),
      stat: graph.stat,
      metrics: graph.metrics.map((metric) => [metric.namespace, metric.metricName, ...Object.entries(metric.dimensions).flat()]),
    },
  }));
  return pulumi.jsonStringify({ widgets: [...alarmWidgets, ...graphWidgets] });
}
