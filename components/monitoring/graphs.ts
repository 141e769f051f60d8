/**
 * Graphs the dashboard draws beside the alarms' own: the traffic an alarm's count is read against (how many executions
 * started and how they ended) and how long they take, which no alarm watches.
 */
import type * as pulumi from "@pulumi/pulumi";
import { workflowRegion, type AlarmSpec, type MonitoringTargets } from "./alarms";

export interface GraphSpec {
  title: string;
  /** Region of the metrics: the target's. Undefined: the provider's. */
  region?: string;
  periodSeconds: number;
  /** One statistic for every line: counts are summed, times are percentiles. */
  stat: string;
  metrics: Array<{ namespace: string; metricName: string; dimensions: Record<string, pulumi.Input<string>> }>;
}

/**
 * The AWS/States execution metrics of every state machine, by StateMachineArn: counts, which AWS advises reading as
 * Sum, and ExecutionTime, the "interval, in milliseconds, between the time the execution starts and the time it
 * closes" (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html), at p99.
 */
const WORKFLOW_COUNTS = ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"];

/**
 * Every graph for `targets` that is not an alarm's. A count an alarm of the same target already draws (failed, timed
 * out) is left off the executions graph, so the dashboard draws each metric once; with that alarm disabled it is drawn there.
 */
export function graphSpecs(targets: MonitoringTargets, alarms: readonly Pick<AlarmSpec, "target" | "metricName">[]): GraphSpec[] {
  const graphs: GraphSpec[] = [];
  for (const [key, workflow] of Object.entries(targets.workflows ?? {})) {
    const dimensions = { StateMachineArn: workflow.stateMachineArn };
    const region = workflowRegion(workflow);
    const target = `workflow ${key}`;
    const counts = WORKFLOW_COUNTS.filter((metricName) => !alarms.some((alarm) => alarm.target === target && alarm.metricName === metricName));
    graphs.push(
      { title: `${target} — executions`, region, periodSeconds: 300, stat: "Sum", metrics: counts.map((metricName) => ({ namespace: "AWS/States", metricName, dimensions })) },
      { title: `${target} — ExecutionTime (ms)`, region, periodSeconds: 300, stat: "p99", metrics: [{ namespace: "AWS/States", metricName: "ExecutionTime", dimensions }] },
    );
  }
  return graphs;
}
