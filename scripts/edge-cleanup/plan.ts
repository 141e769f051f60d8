/**
 * What `npm run edge-cleanup` deletes, and deleting it. Lambda@Edge functions are retained when their
 * stack deletes them, because CloudFront's replicas block the deletion for hours: "You can delete a
 * Lambda@Edge function only when the replicas of the function have been deleted by CloudFront ...
 * Replicas are typically deleted within a few hours."
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-delete-replicas.html
 *
 * Garbage is exactly: Lambda@Edge functions tagged for the stack (EdgeLogic tags them) that the stack's
 * state no longer holds — all of them after `pulumi destroy`, replaced ones while it lives — with their
 * log groups in every edge region; and the old numbered versions of the functions it still holds.
 * The planning works over a small port (EdgeCleanupAws), so it is tested without AWS.
 */
import { EDGE_TAGS } from "../../components/edge-logic/resources";

export interface FunctionSummary {
  name: string;
  arn: string;
}

/** The AWS calls the clean-up makes (scripts/edge-cleanup/aws.ts implements them with the SDK). */
export interface EdgeCleanupAws {
  /** Every Lambda function in us-east-1, where Lambda@Edge functions live. */
  listFunctions(): Promise<FunctionSummary[]>;
  listTags(arn: string): Promise<Record<string, string>>;
  /** The function's numbered versions (not `$LATEST`). */
  listVersions(name: string): Promise<string[]>;
  /** Deletes the function with all its versions, or one version. */
  deleteFunction(name: string, version?: string): Promise<void>;
  /** Log group names in `region` that start with `prefix`. */
  listLogGroups(region: string, prefix: string): Promise<string[]>;
  deleteLogGroup(region: string, name: string): Promise<void>;
}

/** A Lambda function the stack's state still holds, with the version its distribution runs. */
export interface LiveFunction {
  name: string;
  version: string;
}

export interface CleanupPlan {
  /** The `serverless-fullstack:stack` tag value the plan was made for. */
  stack: string;
  /** Functions the stack no longer holds: each log group first, then the function with every version. */
  functions: Array<{ name: string; versions: string[]; logGroups: Array<{ region: string; name: string }> }>;
  /** Versions of functions the stack still holds, other than the one it runs. */
  versions: Array<{ name: string; version: string }>;
}

export type OutcomeResult = "deleted" | "waiting" | "failed";

export interface Outcome {
  /** What was deleted: a function, `function:version`, or `region log-group`. */
  target: string;
  result: OutcomeResult;
  detail?: string;
}

/** "Lambda@Edge writes to /aws/lambda/us-east-1.<FunctionName> in every region" (edge-functions-logs.html). */
export function edgeLogGroupName(functionName: string): string {
  return `/aws/lambda/us-east-1.${functionName}`;
}

export async function planCleanup(aws: EdgeCleanupAws, options: { stack: string; live: readonly LiveFunction[]; regions: readonly string[] }): Promise<CleanupPlan> {
  const live = new Map(options.live.map((fn) => [fn.name, fn.version]));
  const plan: CleanupPlan = { stack: options.stack, functions: [], versions: [] };
  for (const fn of await aws.listFunctions()) {
    const tags = await aws.listTags(fn.arn);
    if (tags[EDGE_TAGS.stack] !== options.stack) continue;
    const versions = await aws.listVersions(fn.name);
    const running = live.get(fn.name);
    if (running !== undefined) {
      for (const version of versions) if (version !== running) plan.versions.push({ name: fn.name, version });
      continue;
    }
    const logGroups: CleanupPlan["functions"][number]["logGroups"] = [];
    for (const region of options.regions) {
      const name = edgeLogGroupName(fn.name);
      // A prefix search: `...-abc1234` also finds `...-abc12345`; only the exact name is this function's.
      if ((await aws.listLogGroups(region, name)).includes(name)) logGroups.push({ region, name });
    }
    plan.functions.push({ name: fn.name, versions, logGroups });
  }
  return plan;
}

/**
 * Deletes what the plan names. Deleting a version (or a function) that still has replicas fails with
 * "... because it is a replicated function"; that is `waiting`, and a later run finishes the job
 * (the function keeps its tag until it is gone, so the next run finds it again).
 */
export async function executeCleanup(aws: EdgeCleanupAws, plan: CleanupPlan): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const attempt = async (target: string, call: () => Promise<void>): Promise<OutcomeResult> => {
    const outcome = await call().then(
      (): Outcome => ({ target, result: "deleted" }),
      (error: unknown): Outcome => {
        if (isNotFound(error)) return { target, result: "deleted", detail: "already gone" };
        if (isReplicated(error)) return { target, result: "waiting", detail: "CloudFront still holds replicas; they go within hours of the distribution's deletion. Run again later." };
        return { target, result: "failed", detail: error instanceof Error ? error.message : String(error) };
      },
    );
    outcomes.push(outcome);
    return outcome.result;
  };
  for (const { name, version } of plan.versions) await attempt(`${name}:${version}`, () => aws.deleteFunction(name, version));
  for (const fn of plan.functions) {
    // Log groups first: once the function is gone, nothing links them to the stack any more.
    let groupsDeleted = true;
    for (const { region, name } of fn.logGroups) groupsDeleted = (await attempt(`${region} ${name}`, () => aws.deleteLogGroup(region, name))) === "deleted" && groupsDeleted;
    if (groupsDeleted) await attempt(fn.name, () => aws.deleteFunction(fn.name));
    else outcomes.push({ target: fn.name, result: "failed", detail: "kept until its log groups are deleted, so a later run still finds them" });
  }
  return outcomes;
}

/** Lambda's answer for a version CloudFront still replicates (InvalidParameterValueException). */
export function isReplicated(error: unknown): boolean {
  return error instanceof Error && /replicated function/i.test(error.message);
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === "ResourceNotFoundException";
}

export function describePlan(plan: CleanupPlan): string[] {
  const lines: string[] = [];
  for (const fn of plan.functions) {
    lines.push(`function ${fn.name} (versions ${fn.versions.join(", ") || "none"}) — no longer in the stack`);
    for (const group of fn.logGroups) lines.push(`  log group ${group.region} ${group.name}`);
  }
  for (const { name, version } of plan.versions) lines.push(`version ${name}:${version} — the stack runs another version`);
  return lines.length > 0 ? lines : [`Nothing to delete for ${plan.stack}.`];
}
