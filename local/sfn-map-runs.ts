/**
 * Map Runs of the local Step Functions server (local/sfn-server.ts): "When you run a Map state in Distributed mode,
 * Step Functions creates a Map Run resource. A Map Run refers to a set of child workflow executions that a Distributed
 * Map state starts, and the runtime settings that control these executions"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html). One is made each time a
 * `DISTRIBUTED` Map starts, a Retry's start too ("When you retry a Map state, it creates a new Map Run",
 * state-map-distributed.html, Retry), and read by ListMapRuns, DescribeMapRun and changed by UpdateMapRun. A redrive of
 * its execution redrives it rather than making a new one ("The parent workflow redrives all the unsuccessful states,
 * including a failed Map Run", API_RedriveExecution; redriveMapRun).
 *
 * The local runtime runs a Distributed Map's children as the iterations of an inline one (no child execution is
 * made: ListExecutions by mapRunArn is not answered, docs/local-vs-aws.md), so the counts are its iterations'.
 */
import { randomUUID } from "node:crypto";

export type MapRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED";

/**
 * API_MapRunItemCounts / API_MapRunExecutionCounts: pending, running, succeeded, failed, timedOut, aborted, total,
 * resultsWritten (items whose results a ResultWriter wrote: none locally, no ResultWriter is run), and the redrive
 * ones failuresNotRedrivable (0: every unsuccessful one is redriven locally) and pendingRedrive (the unsuccessful ones
 * a redrive has not started again yet, redriveMapRun).
 */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

/** The settings UpdateMapRun changes, as the running Map reads them (maxConcurrency from here; its tolerated failure threshold is the Map's own, MapRun.update). */
export interface MapRunSettings {
  maxConcurrency: number;
  /** A Long (API_DescribeMapRun), held exactly: a double past 2^53 is not the count UpdateMapRun was given. */
  toleratedFailureCount: bigint;
  toleratedFailurePercentage: number;
}

export interface MapRun extends MapRunSettings {
  arn: string;
  executionArn: string;
  /** Its child workflows' state machine: `<the execution's state machine ARN>/<label>` (mapRunArns). */
  stateMachineArn: string;
  status: MapRunStatus;
  startDate: Date;
  stopDate?: Date;
  items: MapRunCounts;
  executions: MapRunCounts;
  /** Times redriven with its execution, and when last (API_DescribeMapRun redriveCount, redriveDate). */
  redriveCount: number;
  redriveDate?: Date;
  /** Each started child's item count (a batch's items, else 1), by its index: what it moves from running on. */
  readonly childItems: Map<number, number>;
  /** Its children are counted as they start (a batched Map's: its batches are not known at its start). */
  readonly countedAsStarted: boolean;
  /**
   * UpdateMapRun's changes reach the Map under way through this: its maxConcurrency, read by the gate of its children
   * not yet started (local/sfn-server.ts ChildGate), and its tolerated failure threshold (one given to a Map that
   * declared none too), read at its next failed item.
   */
  update?(settings: Partial<MapRunSettings>): void;
}

const counts = (total: number): MapRunCounts => ({ pending: total, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0 });

/**
 * A Map Run's ARN: `arn:<partition>:states:<region>:<account>:mapRun:<stateMachineName>/<label>:<id>` — "The following
 * is an example of a Map Run ARN with a custom label named demoLabel:
 * arn:aws:states:region:account-id:mapRun:demoWorkflow/demoLabel:3c39a231-69bb-3d89-8607-9e124eddbb0b" and "If you
 * don't specify a label, Step Functions automatically generates a unique label" (state-map-distributed.html, Label).
 * The form of a generated label is not documented: 8 hex digits here (not confirmed). The id is a UUID, as the example's.
 * Its child workflows' state machine is `stateMachine:<stateMachineName>/<label>` (MapRunListItem stateMachineArn in
 * LocalStack's test_sfn_api_map_run snapshot, recorded against AWS: `stateMachine:<name>/<the Map Run ARN's label>`).
 */
export function mapRunArns(stateMachineArn: string, label: unknown): { arn: string; stateMachineArn: string } {
  const [partition = "aws", , region = "", account = "", , name = ""] = stateMachineArn.split(":").slice(1);
  const own = typeof label === "string" && label !== "" ? label : randomUUID().slice(0, 8);
  return { arn: `arn:${partition}:states:${region}:${account}:mapRun:${name}/${own}:${randomUUID()}`, stateMachineArn: `${stateMachineArn}/${own}` };
}

/** A new Map Run of `items` items in `children` child runs (a batched Map's children are its batches, counted as they start). */
export function startMapRun(fields: { executionArn: string; stateMachineArn: string; label: unknown; at: Date; items: number; children?: number } & MapRunSettings): MapRun {
  const { executionArn, stateMachineArn, label, at, items, children, ...settings } = fields;
  return { ...mapRunArns(stateMachineArn, label), executionArn, status: "RUNNING", startDate: at, ...settings, redriveCount: 0, items: counts(items), executions: counts(children ?? 0), childItems: new Map(), countedAsStarted: children === undefined };
}

/** A child of `run` started (`index`, of `items` items). */
export function childStarted(run: MapRun, index: number, items: number): void {
  if (run.status !== "RUNNING" || run.childItems.has(index)) return;
  run.childItems.set(index, items);
  // A batched Map's children are known as they start (its total grows); an unbatched one's were counted at its start.
  if (run.countedAsStarted) run.executions.total++;
  else take(run.executions, 1);
  run.executions.running++;
  take(run.items, items);
  run.items.running += items;
}

/** `count` leave the waiting: those a redrive is to run again first (pendingRedrive), then those never started (pending). */
function take(counts: MapRunCounts, count: number): void {
  const redriven = Math.min(counts.pendingRedrive, count);
  counts.pendingRedrive -= redriven;
  counts.pending = Math.max(0, counts.pending - (count - redriven));
}

/**
 * `run` (FAILED or ABORTED) redriven with its execution (RedriveExecution: "The parent workflow redrives all the
 * unsuccessful states, including a failed Map Run"): RUNNING again under its ARN, its redriveCount one more ("The
 * number of times the Map Run has been redriven at this point in the execution's history including this event",
 * API_MapRunRedrivenEventDetails) and redriveDate `at`; its unsuccessful children (failed, aborted, timed out) wait to
 * run again (pendingRedrive: "The number of unsuccessful items in child workflow executions currently waiting to be
 * redriven", API_MapRunItemCounts), its succeeded ones stay (the redrive does not run them again). That the failed
 * count drops as they wait is not confirmed. A batched Map's batches are counted again as they start.
 */
export function redriveMapRun(run: MapRun, at: Date, settings: MapRunSettings): void {
  if (run.status === "RUNNING" || run.status === "SUCCEEDED") return;
  for (const counts of [run.items, run.executions]) {
    const unsuccessful = counts.failed + counts.aborted + counts.timedOut;
    counts.failed = counts.aborted = counts.timedOut = 0;
    if (counts === run.executions && run.countedAsStarted) counts.total -= unsuccessful;
    else counts.pendingRedrive += unsuccessful;
  }
  Object.assign(run, settings, { status: "RUNNING", redriveCount: run.redriveCount + 1, redriveDate: at, stopDate: undefined });
}

/** A child of `run` ended: succeeded, failed (a failure tolerated or not) or aborted. */
export function childEnded(run: MapRun, index: number, outcome: "succeeded" | "failed" | "aborted"): void {
  const items = run.childItems.get(index);
  if (items === undefined) return;
  run.childItems.delete(index);
  run.executions.running--;
  run.executions[outcome]++;
  run.items.running -= items;
  run.items[outcome] += items;
}

/** `run` ended with its Map: its children still running were stopped ("aborted … by Step Functions because the Map Run failed", API_MapRunExecutionCounts). */
export function endMapRun(run: MapRun, status: Exclude<MapRunStatus, "RUNNING">, at: Date): void {
  if (run.status !== "RUNNING") return;
  for (const index of [...run.childItems.keys()]) childEnded(run, index, "aborted");
  // Those a redrive did not get to run again stay in pendingRedrive: the next redrive's to run.
  // A Map that succeeded has run every item: any it did not start here are those a redrive kept from the attempt
  // before (RedriveExecution: the iterations that succeeded are not run again, local/sfn-server.ts) when the redrive
  // made this Map Run new rather than redriving one (a Map within an iteration or a branch, MapRunTracker).
  if (status === "SUCCEEDED") {
    for (const counts of [run.items, run.executions]) {
      counts.succeeded += counts.pending;
      counts.pending = 0;
    }
  }
  run.status = status;
  run.stopDate = at;
}

/** A JSON value as the local Step Functions server answers it (local/sfn-server.ts uses this one too). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON protocol timestamps: epoch seconds (every date the local Step Functions server answers, local/sfn-server.ts). */
export const epoch = (date: Date) => date.getTime() / 1000;

/** API_MapRunListItem. */
export function mapRunListItem(run: MapRun): Record<string, Json> {
  return { executionArn: run.executionArn, mapRunArn: run.arn, stateMachineArn: run.stateMachineArn, startDate: epoch(run.startDate), ...(run.stopDate ? { stopDate: epoch(run.stopDate) } : {}) };
}

/**
 * API_DescribeMapRun's answer (redriveDate "null" until it is redriven: left out). Its toleratedFailureCount, a Long,
 * is a number while a double holds it exactly, else the bigint itself (the server writes its digits).
 */
export function describeMapRun(run: MapRun): Record<string, Json | bigint> {
  return {
    mapRunArn: run.arn,
    executionArn: run.executionArn,
    status: run.status,
    startDate: epoch(run.startDate),
    ...(run.stopDate ? { stopDate: epoch(run.stopDate) } : {}),
    maxConcurrency: run.maxConcurrency,
    toleratedFailurePercentage: run.toleratedFailurePercentage,
    toleratedFailureCount: run.toleratedFailureCount <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(run.toleratedFailureCount) : run.toleratedFailureCount,
    itemCounts: { ...run.items },
    executionCounts: { ...run.executions },
    redriveCount: run.redriveCount,
    ...(run.redriveDate ? { redriveDate: epoch(run.redriveDate) } : {}),
  };
}
