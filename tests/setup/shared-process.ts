/**
 * Setup for the "shared" vitest project (vitest.config.mts): its files run one after another in
 * a reused worker process (isolate: false) instead of a fresh process each, so the packages they
 * load (the Pulumi SDK ≈0.6 s, the AWS SDK clients, vitest's runtime) load once per worker (issue 15).
 * Before each file this puts back what a fresh process would give it:
 * - this repository's modules are evaluated again on import (`vi.resetModules`, which keeps module mocks: a file
 *   with `vi.mock` runs isolated, and vitest.config.mts refuses a shared one; packages under
 *   node_modules stay loaded): module-level state (handler clients built from the environment at
 *   import, in-memory caches) starts fresh;
 * - process.env as the worker started (files that set variables need not restore them);
 * - no component specs registered (the registry lives on globalThis);
 * - Pulumi: no config, and before the file's hooks and tests new update-mode mocks (stack "test",
 *   what the harness's first `record` installs), so no monitor, stack resource or options of an
 *   earlier file (a whole-program run is stack "dev", in a root stack) are left. A file may still
 *   install its own (`useMocks`, a whole-program run);
 * - real timers.
 * After each file, its Pulumi registrations settle (as `record` settles them before it starts), so none lands in the
 * next file's mocks. Runs before handler-logs.ts, which then installs its sink in the freshly
 * evaluated sink module. Whatever else a file changes in a package, or leaves open, stays: see
 * vitest.config.mts.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, vi } from "vitest";
import { clearRegisteredSpecs } from "../../components/spec-registry";

const INITIAL_ENV = Symbol.for("serverless-fullstack.tests.initial-env");
const holder = globalThis as unknown as Record<symbol, Record<string, string | undefined> | undefined>;
const initialEnv = (holder[INITIAL_ENV] ??= { ...process.env });

vi.resetModules();
vi.useRealTimers();

for (const key of Object.keys(process.env)) if (!(key in initialEnv)) delete process.env[key];
Object.assign(process.env, initialEnv);

clearRegisteredSpecs();
pulumi.runtime.setAllConfig({}, []);

// Before the file's own hooks and tests; imported after the reset, so it is the harness instance the file
// imports, whose `record` then uses these mocks.
// `startProgram` settles them without the duplicate-URN check: the file's constructions outside `record` (a refused
// `new X("bad", ...)` per test) are each a program of their own, and `record` checks its own.
let settle: (() => Promise<void>) | undefined;
beforeAll(async () => {
  const { useMocks } = await import("../../testing/harness.js");
  const mocks = await useMocks();
  settle = () => mocks.startProgram();
});
afterAll(() => settle?.());
