/** Runs index.ts for one stack under mocks (as `pulumi up` would with that stack's config) and checks every security (component and stack) and deploy rule. */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect, inject, vi } from "vitest";
import { runProgramOffline, type OfflineRun } from "../../local/offline/program";
import { isProductionStack } from "../../scripts/plan";
import { checkDeployRules, formatFinding, planOf } from "../../testing/deploy-rules";
import { ALL_RULES, STACK_RULES } from "../../testing/security-rules";

/**
 * The stack's committed config, run once per test run: the first file to ask runs index.ts and
 * leaves the recorded graph, outputs and config in the run's shared folder
 * (tests/setup/shared-stack-runs.ts); the others read it. Every file gets the same JSON copy,
 * whichever ran it, so no result depends on which file came first. Specs (live Outputs) are not
 * kept: tests of the local runtime run the program themselves.
 */
export async function runStack(stack: string): Promise<OfflineRun> {
  const folder = inject("sharedStackRuns");
  const file = folder && join(folder, `${stack}.json`);
  if (file && existsSync(file)) return sharedRun(readFileSync(file, "utf8"));
  const run = await runProgramOffline({ stack, load: () => import("../../index.js") });
  const recorded = JSON.stringify(await withAssetsEncoded({ config: run.config, resources: run.resources, outputs: run.outputs }));
  if (!file) return sharedRun(recorded);
  // Two files may run the same stack at once: each writes whole, then renames.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, recorded);
  renameSync(partial, file);
  return sharedRun(recorded);
}

function sharedRun(recorded: string): OfflineRun {
  const run = withAssetsDecoded(JSON.parse(recorded)) as Omit<OfflineRun, "specs">;
  return Object.defineProperty(run, "specs", {
    get: () => {
      throw new Error("runStack keeps no component specs (they hold live Outputs): call runProgramOffline for them");
    },
  }) as OfflineRun;
}

export function expectAllRulesPass(run: OfflineRun): void {
  const context = { stack: run.config.stack, production: isProductionStack(run.config.stack) };
  const findings = [...ALL_RULES, ...STACK_RULES].flatMap((rule) => rule.check(run.resources, context));
  expect(findings).toEqual([]);
}

/** Lambda code and other Pulumi assets survive the JSON copy: tagged with their kind, their promised fields resolved. */
const ASSET_TAG = "$pulumiAsset";

/** `value` with every Pulumi asset as plain JSON (its kind, its text or path): what runStack shares, and what tests compare. */
export async function withAssetsEncoded(value: unknown): Promise<unknown> {
  const { asset } = pulumi;
  if (value instanceof asset.StringAsset) return { [ASSET_TAG]: "string", text: await value.text };
  if (value instanceof asset.FileAsset) return { [ASSET_TAG]: "file", path: await value.path };
  if (value instanceof asset.RemoteAsset) return { [ASSET_TAG]: "remote", uri: await value.uri };
  if (value instanceof asset.AssetArchive) return { [ASSET_TAG]: "archive", assets: await withAssetsEncoded(await value.assets) };
  if (value instanceof asset.FileArchive) return { [ASSET_TAG]: "file-archive", path: await value.path };
  if (value instanceof asset.RemoteArchive) return { [ASSET_TAG]: "remote-archive", uri: await value.uri };
  if (Array.isArray(value)) return Promise.all(value.map(withAssetsEncoded));
  if (value && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([key, field]) => [key, await withAssetsEncoded(field)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

function withAssetsDecoded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withAssetsDecoded);
  if (!value || typeof value !== "object") return value;
  const fields = value as Record<string, any>;
  switch (fields[ASSET_TAG]) {
    case "string":
      return new pulumi.asset.StringAsset(fields.text);
    case "file":
      return new pulumi.asset.FileAsset(fields.path);
    case "remote":
      return new pulumi.asset.RemoteAsset(fields.uri);
    case "archive":
      return new pulumi.asset.AssetArchive(withAssetsDecoded(fields.assets) as Record<string, pulumi.asset.Asset | pulumi.asset.Archive>);
    case "file-archive":
      return new pulumi.asset.FileArchive(fields.path);
    case "remote-archive":
      return new pulumi.asset.RemoteArchive(fields.uri);
  }
  return Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, withAssetsDecoded(field)]));
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
