/**
 * Runs the Pulumi program (`index.ts`) for one stack without a Pulumi engine or a
 * cloud: stack config loaded as the CLI would, every resource registration recorded
 * by mocks, and the specs the components registered collected for the local runtime.
 * `npm run plan`, `npm start` and the whole-program tests all go through here.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bundleCache, buildAsync } from "../../components/lambda/bundle";
import { clearRegisteredSpecs, registeredSpecs, type RegisteredSpec } from "../../components/spec-registry";
import { loadStackConfig, StackConfigError, type StackConfig } from "./config";
import { installRecordingMocks, type RecordedResource } from "./mocks";

/**
 * The program's directory: the working directory, as `pulumi up` runs a program from its project folder (its
 * Pulumi.yaml, stack files and the relative paths in index.ts — handler entries, site folders). This repository
 * for `npm start` and the tests; a consumer's project for `serverless-fullstack start`.
 */
export const PROJECT_DIR = process.cwd();
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface OfflineRun {
  config: StackConfig;
  resources: RecordedResource[];
  specs: RegisteredSpec[];
  /** The program's exports (stack outputs), resolved. */
  outputs: Record<string, unknown>;
}

export interface OfflineRunOptions {
  stack: string;
  /** Where Pulumi.yaml, Pulumi.<stack>.yaml and index.ts are. @default the working directory */
  projectDir?: string;
  /** Run as `pulumi preview` would: unknown outputs stay unknown. */
  preview?: boolean;
  /**
   * Loads the program module. Defaults to `require` of `<projectDir>/index.ts`
   * (needs ts-node registered); vitest passes `() => import("../index.js")`.
   */
  load?: () => unknown;
}

export async function runProgramOffline(options: OfflineRunOptions): Promise<OfflineRun> {
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const config = loadStackConfig(projectDir, options.stack);
  if (config.errors.length > 0) throw new StackConfigError(options.stack, config.errors);

  const mocks = await installRecordingMocks({
    project: config.project,
    stack: options.stack,
    preview: options.preview ?? false,
    region: config.region,
  });
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  clearRegisteredSpecs();

  // Rebuild, in parallel, the bundles the last run of this stack used that have gone stale
  // since: the program's constructors then find every bundle they check in the cache.
  const builds = bundleCache();
  const label = JSON.stringify([projectDir, options.stack, options.preview ?? false]);
  await builds.prewarm(label, buildAsync);

  const load = options.load ?? (() => require(join(projectDir, "index.ts")));
  // Inside a root stack resource, as `pulumi up` runs a program: stack transformations (registerStackTags) hang off it,
  // and Pulumi's mocks create none (pulumi/pulumi#4669). The stack itself is not part of the recorded plan.
  // A program error is carried out of the stack's init rather than thrown in it, where the SDK would also report it unhandled.
  const outcome: Array<{ exports: Record<string, unknown> } | { error: unknown }> = [];
  await pulumi.runtime.runInPulumiStack(async () => {
    outcome.push(await Promise.resolve().then(load).then((exports) => ({ exports: exports as Record<string, unknown> }), (error: unknown) => ({ error })));
    return {};
  });
  const loaded = outcome[0];
  if ("error" in loaded) throw loaded.error;
  const programExports = loaded.exports;
  await mocks.settle();
  const outputs = await resolveOutputs(programExports);
  await mocks.settle();
  builds.remember(label);
  return { config, resources: mocks.resources.filter((r) => r.type !== ROOT_STACK_TYPE), specs: registeredSpecs(), outputs };
}

async function resolveOutputs(exports: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exports)) {
    if (key === "default" || key === "__esModule" || typeof value === "function") continue;
    resolved[key] = await resolveValue(value);
  }
  return resolved;
}

/** Resolves an Output (or a promise, or a plain value) without the engine. */
export function resolveValue<T>(value: pulumi.Input<T> | unknown): Promise<T> {
  return new Promise((done) => {
    pulumi.output(value as pulumi.Input<T>).apply((v) => {
      done(v as T);
      return v;
    });
  });
}
