/** Runs index.ts for one stack under mocks (as `pulumi up` would with that stack's config) and checks every security (component and stack) and deploy rule. */
import { expect, vi } from "vitest";
import { runProgramOffline, type OfflineRun } from "../../local/offline/program";
import { isProductionStack } from "../../scripts/plan";
import { checkDeployRules, formatFinding, planOf } from "../../testing/deploy-rules";
import { ALL_RULES, STACK_RULES } from "../../testing/security-rules";

export async function runStack(stack: string): Promise<OfflineRun> {
  return runProgramOffline({ stack, load: () => import("../../index.js") });
}

export function expectAllRulesPass(run: OfflineRun): void {
  const context = { stack: run.config.stack, production: isProductionStack(run.config.stack) };
  const findings = [...ALL_RULES, ...STACK_RULES].flatMap((rule) => rule.check(run.resources, context));
  expect(findings).toEqual([]);
}

/** No deploy rule finds anything AWS would reject at `pulumi up` (findings print one per line, with their fix). */
export function expectNoDeployFindings(run: OfflineRun): void {
  const plan = planOf(run, isProductionStack(run.config.stack));
  expect(checkDeployRules(plan.graph, plan.context).map(formatFinding)).toEqual([]);
}

/**
 * Several stacks in one test file: index.ts registers its resources when it is first imported, so
 * each stack runs it again from a fresh module registry.
 */
export async function runStacks(stacks: readonly string[]): Promise<Map<string, OfflineRun>> {
  const runs = new Map<string, OfflineRun>();
  for (const stack of stacks) {
    vi.resetModules();
    const fresh = (await import("./run-stack.js")) as typeof import("./run-stack");
    runs.set(stack, await fresh.runStack(stack));
  }
  return runs;
}
