/** Runs index.ts for one stack under mocks (as `pulumi up` would with that stack's config) and checks every security (component and stack) and deploy rule. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect, inject, vi } from "vitest";
import { digest, writeAtomically } from "../../components/lambda/bundle-cache";
import { runProgramOffline, type OfflineRun } from "../../local/offline/program";
import { isProductionStack } from "../../scripts/plan";
import { checkDeployRules, formatFinding, planOf } from "../../testing/deploy-rules";
import { SECURITY_RULES, STACK_SECURITY_RULES } from "../../testing/security-rules";
import { byUrn, recordFirst } from "../setup/cache-folders";

/**
 * The stack's committed config, run once per test run: the first file to ask runs index.ts and
 * leaves the recorded graph, outputs and config in the run's shared folder
 * (tests/setup/shared-stack-runs.ts); the others read it. Every file gets the same JSON copy
 * (the first record written; resources in URN order), whichever ran it or raced it, so no result depends
 * on which file came first. Specs (live Outputs) are not
 * kept here: the files that start the app read the dev stack's from tests/setup/dev-app.ts's
 * record of the same run.
 */
export async function runStack(stack: string): Promise<OfflineRun> {
  const folder = inject("sharedStackRuns");
  const file = folder && join(folder, `${stack}.json`);
  if (file && existsSync(file)) return sharedRun(readFileSync(file, "utf8"), folder);
  const run = await runProgramOffline({ stack, load: () => import("../../index.js") });
  // The app's files run the same program for dev: recording it for them too runs it once per test run, not twice.
  // Imported here, not at the top: the program cache's serialiser it loads (toPlain) is of no use to the files that read a record.
  // A failure there (a spec that is not plain data) is the app files' to report: they then run the program themselves.
  if (stack === "dev" && folder) {
    try {
      await (await import("../setup/dev-app-record.js")).recordDevAppRun(run);
    } catch (error) {
      console.warn(`tests/stacks/run-stack.ts: the dev app's record was not made (its files run the program themselves): ${(error as Error).message}`);
    }
  }
  return sharedRun(await recordStackRun(run), folder);
}

/**
 * `run` recorded as runStack shares it (when the test run has a shared folder and no file has yet), and the record's
 * text. tests/setup/dev-app.ts calls it too when it ran the dev stack first.
 */
export async function recordStackRun(run: OfflineRun): Promise<string> {
  const folder = inject("sharedStackRuns");
  const file = folder && join(folder, `${run.config.stack}.json`);
  // In URN order: the registration order differs between a cold and a warm bundle cache.
  const recorded = { config: run.config, resources: byUrn(run.resources), outputs: run.outputs };
  if (!file) return JSON.stringify(await withAssetsEncoded(recorded));
  if (existsSync(file)) return readFileSync(file, "utf8");
  return recordFirst(file, JSON.stringify(await withAssetsEncoded(recorded, (assetText) => storeAssetText(folder, assetText))));
}

/**
 * A StringAsset's text in a file of its own, named by its hash: every function's code and source map (about 1 MB
 * each, the same in the function's inputs and state) would make each stack's JSON tens of megabytes that about twenty
 * files each read and parse, while few tests read code.
 */
function storeAssetText(folder: string, text: string): string {
  const name = digest(text);
  const path = join(folder, "assets", name);
  // Named by its text: whichever file writes it, the text is the same, so it need not be read back (about 1 MB each).
  if (!existsSync(path)) writeAtomically(path, text);
  return name;
}

function sharedRun(recorded: string, folder?: string): OfflineRun {
  const run = withAssetsDecoded(JSON.parse(recorded), folder) as Omit<OfflineRun, "specs">;
  return Object.defineProperty(run, "specs", {
    get: () => {
      throw new Error("runStack keeps no component specs (they hold live Outputs): call runProgramOffline for them");
    },
  }) as OfflineRun;
}

export function expectAllRulesPass(run: OfflineRun): void {
  const context = { stack: run.config.stack, production: isProductionStack(run.config.stack) };
  const findings = [...SECURITY_RULES, ...STACK_SECURITY_RULES].flatMap((rule) => rule.check(run.resources, context));
  expect(findings).toEqual([]);
}

/** Lambda code and other Pulumi assets survive the JSON copy: tagged with their kind, their promised fields resolved. */
const ASSET_TAG = "$pulumiAsset";

/**
 * `value` with every Pulumi asset as plain JSON (its kind, its text or path): what runStack shares, and what tests
 * compare. With `storeText`, a StringAsset's text is stored apart and the JSON names it (`textFile`).
 */
export async function withAssetsEncoded(value: unknown, storeText?: (text: string) => string): Promise<unknown> {
  const { asset } = pulumi;
  const encode = (field: unknown) => withAssetsEncoded(field, storeText);
  if (value instanceof asset.StringAsset) {
    const text = await value.text;
    return storeText ? { [ASSET_TAG]: "string", textFile: storeText(text) } : { [ASSET_TAG]: "string", text };
  }
  if (value instanceof asset.FileAsset) return { [ASSET_TAG]: "file", path: await value.path };
  if (value instanceof asset.RemoteAsset) return { [ASSET_TAG]: "remote", uri: await value.uri };
  if (value instanceof asset.AssetArchive) return { [ASSET_TAG]: "archive", assets: await encode(await value.assets) };
  if (value instanceof asset.FileArchive) return { [ASSET_TAG]: "file-archive", path: await value.path };
  if (value instanceof asset.RemoteArchive) return { [ASSET_TAG]: "remote-archive", uri: await value.uri };
  if (Array.isArray(value)) return Promise.all(value.map(encode));
  if (value && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([key, field]) => [key, await encode(field)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

function withAssetsDecoded(value: unknown, folder: string | undefined): unknown {
  const decode = (field: unknown) => withAssetsDecoded(field, folder);
  if (Array.isArray(value)) return value.map(decode);
  if (!value || typeof value !== "object") return value;
  const fields = value as Record<string, any>;
  switch (fields[ASSET_TAG]) {
    case "string":
      return "textFile" in fields ? storedStringAsset(join(folder!, "assets", fields.textFile)) : new pulumi.asset.StringAsset(fields.text);
    case "file":
      return new pulumi.asset.FileAsset(fields.path);
    case "remote":
      return new pulumi.asset.RemoteAsset(fields.uri);
    case "archive":
      return new pulumi.asset.AssetArchive(decode(fields.assets) as Record<string, pulumi.asset.Asset | pulumi.asset.Archive>);
    case "file-archive":
      return new pulumi.asset.FileArchive(fields.path);
    case "remote-archive":
      return new pulumi.asset.RemoteArchive(fields.uri);
  }
  return Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, decode(field)]));
}

/** A StringAsset whose text is read from its file when first asked for. */
function storedStringAsset(path: string): pulumi.asset.StringAsset {
  const stored = new pulumi.asset.StringAsset("");
  let text: Promise<string> | undefined;
  return Object.defineProperty(stored, "text", { get: () => (text ??= Promise.resolve().then(() => readFileSync(path, "utf8"))) });
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
