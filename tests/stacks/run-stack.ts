/** Runs index.ts for one stack under mocks (as `pulumi up` would with that stack's config) and checks every security rule. */
import { expect } from "vitest";
import { runProgramOffline, type OfflineRun } from "../../local/offline/program";
import { ALL_RULES } from "../security/rules/index";

export async function runStack(stack: string): Promise<OfflineRun> {
  return runProgramOffline({ stack, load: () => import("../../index.js") });
}

export function expectAllRulesPass(run: OfflineRun): void {
  const context = { stack: run.config.stack, production: run.config.stack === "prod" };
  const findings = ALL_RULES.flatMap((rule) => rule.check(run.resources, context));
  expect(findings).toEqual([]);
}
