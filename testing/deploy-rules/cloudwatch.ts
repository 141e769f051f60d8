/** CloudWatch alarm deploy rules: timing and statistics PutMetricAlarm accepts, CloudFront's metric region, topics alarms can publish to. */
import { alarmTimingProblem, ALARM_LIMITS } from "../../components/monitoring/validate";
import { asArray, ofType, policyDocument, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, referenced, regionOf, type DeployFinding, type DeployRule } from "./rule";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html";
const METRIC_PERIODS = [1, 5, 10, 20, 30];

const queries = (alarm: RecordedResource): Array<Record<string, any>> => alarm.inputs.metricQueries ?? [];
const isInsights = (query: Record<string, any>) => /^\s*SELECT\s/i.test(String(query.expression ?? ""));

/**
 * PutMetricAlarm: Period "Valid values are 10, 20, 30, and any multiple of 60"; Period × EvaluationPeriods at most
 * 604,800 s, and 86,400 s for periods under an hour; DatapointsToAlarm is the M of "M out of N". Metrics Insights
 * alarms look back three hours (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html).
 */
export const ALARM_TIMING: DeployRule = {
  id: "AlarmTiming",
  title: "Alarm periods, evaluation periods and datapoints are ones PutMetricAlarm accepts",
  source: PUT_METRIC_ALARM,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const alarm of ofType(graph, ALARM)) {
      const evaluations = Number(alarm.inputs.evaluationPeriods);
      const fix = "use a period of 10, 20, 30 or a multiple of 60 s, at most a day of evaluation for periods under an hour, and datapointsToAlarm ≤ evaluationPeriods";
      if (queries(alarm).length === 0) {
        const problem = alarmTimingProblem(Number(alarm.inputs.period), evaluations, alarm.inputs.datapointsToAlarm);
        if (problem) findings.push(finding("AlarmTiming", alarm, problem, fix));
      } else {
        // A metric query's period may also be 1 or 5 s (MetricStat); the totals are the alarm's, counted in those periods.
        const periods = [...new Set(queries(alarm).map((q) => Number(q.metric?.period ?? q.period)).filter((p) => !Number.isNaN(p)))];
        for (const period of periods) {
          if (!(METRIC_PERIODS.includes(period) || (period > 0 && period % 60 === 0))) findings.push(finding("AlarmTiming", alarm, `has a metric query period of ${period} s, not 1, 5, 10, 20, 30 or a multiple of 60`, fix));
          else {
            const problem = alarmTimingProblem(period % 60 === 0 ? period : 60, evaluations, alarm.inputs.datapointsToAlarm);
            if (problem && !problem.startsWith("period")) findings.push(finding("AlarmTiming", alarm, problem, fix));
          }
        }
      }
      const insightsPeriod = queries(alarm).filter(isInsights).map((q) => Number(q.period))[0];
      if (insightsPeriod && insightsPeriod * evaluations > ALARM_LIMITS.maxInsightsEvaluationSeconds) {
        findings.push(finding("AlarmTiming", alarm, `evaluates a Metrics Insights query over ${insightsPeriod * evaluations} s; such alarms look back ${ALARM_LIMITS.maxInsightsEvaluationSeconds} s`, "shorten period × evaluationPeriods to three hours"));
      }
    }
    return findings;
  },
};

/**
 * PutMetricAlarm: "You must specify either Statistic or ExtendedStatistic, but not both"; ExtendedStatistic is a
 * percentile p0.0–p100; an alarm on Metrics (queries) names no MetricName, Namespace, Statistic or Period of its own.
 */
export const ALARM_STATISTIC: DeployRule = {
  id: "AlarmStatistic",
  title: "An alarm has either a statistic or a percentile, and a metric or metric queries, not both",
  source: PUT_METRIC_ALARM,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const alarm of ofType(graph, ALARM)) {
      const { statistic, extendedStatistic, metricName, namespace, period } = alarm.inputs;
      if (queries(alarm).length > 0) {
        const own = Object.entries({ metricName, namespace, statistic, extendedStatistic, period }).filter(([, v]) => v !== undefined).map(([k]) => k);
        if (own.length > 0) findings.push(finding("AlarmStatistic", alarm, `has metricQueries and also ${own.join(", ")}`, "move them into the metric queries"));
        continue;
      }
      if ((statistic === undefined) === (extendedStatistic === undefined)) {
        findings.push(finding("AlarmStatistic", alarm, statistic === undefined ? "has neither statistic nor extendedStatistic" : "has both statistic and extendedStatistic", "set exactly one"));
      }
      const p = /^p(\d+(\.\d+)?)$/.exec(String(extendedStatistic ?? "p0"));
      if (!p || Number(p[1]) > 100) findings.push(finding("AlarmStatistic", alarm, `has extendedStatistic ${extendedStatistic}, not a percentile p0–p100`, 'use e.g. "p99"'));
    }
    return findings;
  },
};

const usesCloudFrontMetrics = (alarm: RecordedResource) =>
  alarm.inputs.namespace === "AWS/CloudFront" || queries(alarm).some((q) => q.metric?.namespace === "AWS/CloudFront" || /AWS\/CloudFront/.test(String(q.expression ?? "")));

/** "To get the CloudFront metrics from the CloudWatch API, you must use the US East (N. Virginia) Region (us-east-1)". */
export const ALARM_CLOUDFRONT_REGION: DeployRule = {
  id: "AlarmCloudFrontRegion",
  title: "Alarms on CloudFront metrics are created in us-east-1",
  source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html",
  check(graph, context) {
    return ofType(graph, ALARM)
      .filter((alarm) => usesCloudFrontMetrics(alarm) && regionOf(graph, alarm, context) !== "us-east-1")
      .map((alarm) => finding("AlarmCloudFrontRegion", alarm, `watches CloudFront metrics from ${regionOf(graph, alarm, context)}; CloudFront publishes them in us-east-1 only, so the alarm never sees data`, 'set region: "us-east-1" on the alarm (and give it a topic in us-east-1)'));
  },
};

const AWS_MANAGED_SNS_KEY = /(^|:)alias\/aws\/sns$/;

/**
 * Alarms publish to an encrypted topic only with a customer managed key whose policy lets cloudwatch.amazonaws.com
 * call kms:Decrypt and kms:GenerateDataKey*; the AWS managed key alias/aws/sns does not, and cannot be changed
 * (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). The alarm then fails every action, silently.
 */
export const ALARM_TOPIC_KEY: DeployRule = {
  id: "AlarmTopicKey",
  title: "Alarm topics are unencrypted or encrypted with a customer managed key CloudWatch may use",
  source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
  check(graph: Graph) {
    const findings: DeployFinding[] = [];
    const topics = new Set<RecordedResource>();
    for (const alarm of ofType(graph, ALARM)) {
      for (const arn of [...asArray(alarm.inputs.alarmActions), ...asArray(alarm.inputs.okActions), ...asArray(alarm.inputs.insufficientDataActions)]) {
        const topic = referenced(graph, "aws:sns/topic:Topic", arn);
        if (topic) topics.add(topic);
      }
    }
    for (const topic of topics) {
      const keyId = topic.inputs.kmsMasterKeyId;
      if (!keyId) continue;
      if (AWS_MANAGED_SNS_KEY.test(String(keyId))) {
        findings.push(finding("AlarmTopicKey", topic, "is an alarm action encrypted with the AWS managed key alias/aws/sns, which CloudWatch may not use: the alarms' notifications fail", "encrypt the topic with a customer managed key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*"));
        continue;
      }
      const key = referenced(graph, "aws:kms/key:Key", keyId) ?? ofType(graph, "aws:kms/key:Key").find((k) => [k.state.keyId, k.state.arn, k.id].includes(keyId));
      if (!key) continue;
      const granted = policyDocument(key.inputs.policy).Statement.some((s) => (s.Effect ?? "Allow") === "Allow"
        && asArray<string>(s.Principal?.Service).includes("cloudwatch.amazonaws.com")
        && ["kms:Decrypt", "kms:GenerateDataKey*"].every((action) => asArray<string>(s.Action).some((a) => a === action || a === "kms:*" || (action.startsWith("kms:GenerateDataKey") && a.startsWith("kms:GenerateDataKey")))));
      if (!granted) findings.push(finding("AlarmTopicKey", topic, `is an alarm action encrypted with key ${key.name}, whose policy does not let cloudwatch.amazonaws.com use it`, "allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* in the key policy"));
    }
    return findings;
  },
};

export const CLOUDWATCH_RULES: DeployRule[] = [ALARM_TIMING, ALARM_STATISTIC, ALARM_CLOUDFRONT_REGION, ALARM_TOPIC_KEY];
