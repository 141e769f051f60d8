/**
 * "It deploys" as a tested property: the plans of dev and prod (index.ts with each stack's config,
 * as `pulumi up` would run it) have no deploy-rule findings, alone or together (the project rules
 * look at both stacks: account-wide settings, globally unique names).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { isProductionStack } from "../../scripts/plan";
import { checkDeployWarnings, checkProjectDeployRules, checkProjectDeployWarnings, formatFinding, planOf } from "../../testing/deploy-rules";
import { expectNoDeployFindings, runStacks } from "./run-stack";

let runs: Map<string, OfflineRun>;

beforeAll(async () => {
  runs = await runStacks(["dev", "prod"]);
});

describe("deploy rules on the project's stacks", () => {
  it("records both stacks, each with its own config", () => {
    expect(runs.get("dev")!.config.stack).toBe("dev");
    expect(runs.get("prod")!.outputs.siteUrl).toBe("https://gallery.example.com");
    expect(runs.get("dev")!.outputs.siteUrl).toMatch(/^https:\/\/d[0-9a-z]+\.cloudfront\.net$/);
  });

  it("dev has no deploy-rule findings", () => expectNoDeployFindings(runs.get("dev")!));

  it("prod has no deploy-rule findings", () => expectNoDeployFindings(runs.get("prod")!));

  it("dev and prod have no warning-rule findings either (quotas an account may have raised: the reference app stays within the defaults)", () => {
    for (const run of runs.values()) {
      const plan = planOf(run, isProductionStack(run.config.stack));
      expect(checkDeployWarnings(plan.graph, plan.context).map(formatFinding), run.config.stack).toEqual([]);
    }
  });

  it("dev and prod together have no project deploy-rule findings", () => {
    const plans = [...runs.values()].map((run) => planOf(run, isProductionStack(run.config.stack)));
    expect(checkProjectDeployRules(plans).map(formatFinding)).toEqual([]);
  });

  it("dev and prod together stay within the account-wide default quotas (no project warning-rule findings)", () => {
    const plans = [...runs.values()].map((run) => planOf(run, isProductionStack(run.config.stack)));
    expect(checkProjectDeployWarnings(plans).map(formatFinding)).toEqual([]);
  });
});
