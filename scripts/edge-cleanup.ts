/**
 * `npm run edge-cleanup -- --stack <stack> [--dry-run] [--regions us-east-1,eu-west-1] [--stack-removed]`
 *
 * Deletes what a stack leaves of its Lambda@Edge functions: `pulumi destroy` (and a replacement on
 * update) retains them, because CloudFront's replicas block their deletion for hours after the
 * distribution lets go of them. Run it a few hours after `pulumi destroy`; it deletes every Lambda@Edge
 * function tagged for the stack that the stack's state no longer holds, with its log groups
 * (`/aws/lambda/us-east-1.<function>`) in every edge region and then its execution role (its policies
 * first), which the stack retains with it, and old versions of the functions the stack still runs.
 * What still has replicas is reported as waiting, with its role; run again later. See docs/edge.md.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { EDGE_LOG_REGIONS } from "../components/edge-logic/spec";
import { edgeStackTagValue } from "../components/edge-logic/resources";
import { loadStackConfig } from "../local/offline/config";
import { exitAfterOutput } from "./exit";
import { createEdgeCleanupAws } from "./edge-cleanup/aws";
import { describePlan, executeCleanup, planCleanup, type LiveFunction } from "./edge-cleanup/plan";

/** The Lambda functions in a `pulumi stack export` (a v3 deployment), with the version each runs. */
export function liveFunctionsFromState(exported: { deployment?: { resources?: Array<{ type: string; outputs?: Record<string, unknown> }> } }): LiveFunction[] {
  return (exported.deployment?.resources ?? [])
    .filter((resource) => resource.type === "aws:lambda/function:Function" && typeof resource.outputs?.name === "string")
    .map((resource) => ({ name: String(resource.outputs!.name), version: String(resource.outputs!.version ?? "") }));
}

/** The IAM roles in a `pulumi stack export`, by name: a retained function's role the stack still holds is not garbage. */
export function liveRolesFromState(exported: { deployment?: { resources?: Array<{ type: string; outputs?: Record<string, unknown> }> } }): string[] {
  return (exported.deployment?.resources ?? [])
    .filter((resource) => resource.type === "aws:iam/role:Role" && typeof resource.outputs?.name === "string")
    .map((resource) => String(resource.outputs!.name));
}

/** Every region Lambda@Edge may have logged in: CloudFront's edge regions and any the stack configures. */
export function cleanupRegions(configured: readonly string[] = []): string[] {
  return [...new Set([...EDGE_LOG_REGIONS, ...configured])];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      regions: { type: "string" },
      "stack-removed": { type: "boolean", default: false },
    },
  });
  if (!values.stack) {
    console.error("Usage: npm run edge-cleanup -- --stack <stack> [--dry-run] [--regions us-east-1,eu-west-1] [--stack-removed]");
    return 2;
  }
  // Functions are tagged with the bare stack name (pulumi.getStack()), whatever the organisation.
  const stack = values.stack.split("/").pop()!;
  const config = loadStackConfig(process.cwd(), stack);
  const configured = config.values[`${config.project}:edgeLogRegions`];
  const regions = values.regions ? values.regions.split(",").map((r) => r.trim()).filter(Boolean) : cleanupRegions(configured ? (JSON.parse(configured) as string[]) : []);

  let live: LiveFunction[] = [];
  let liveRoles: string[] = [];
  if (!values["stack-removed"]) {
    try {
      const exported = JSON.parse(execFileSync("pulumi", ["stack", "export", "--stack", values.stack], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 }));
      live = liveFunctionsFromState(exported);
      liveRoles = liveRolesFromState(exported);
    } catch (error) {
      console.error(`Cannot read the state of stack ${values.stack} (pulumi stack export: ${(error as Error).message.split("\n")[0]}).`);
      console.error("If the stack was removed (pulumi stack rm), pass --stack-removed: every function tagged for it is then deleted.");
      return 1;
    }
  }

  const aws = await createEdgeCleanupAws({ profile: config.values["aws:profile"] });
  try {
    const plan = await planCleanup(aws, { stack: edgeStackTagValue(config.project, stack), live, liveRoles, regions });
    console.log(`Lambda@Edge leftovers of ${plan.stack} (log groups searched in ${regions.join(", ")}):`);
    for (const line of describePlan(plan)) console.log(`  ${line}`);
    if (values["dry-run"]) return 0;
    const outcomes = await executeCleanup(aws, plan);
    for (const outcome of outcomes) console.log(`${outcome.result.padEnd(8)} ${outcome.target}${outcome.detail ? ` — ${outcome.detail}` : ""}`);
    return outcomes.some((outcome) => outcome.result === "failed") ? 1 : 0;
  } finally {
    aws.close();
  }
}

if (require.main === module) {
  main().then(exitAfterOutput, (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    exitAfterOutput(1);
  });
}
