/**
 * vitest globalSetup: a folder, for this run only, where the first test file that runs index.ts
 * for a stack with its committed config leaves the recorded result for the other files
 * (tests/stacks/run-stack.ts). About twenty files check the dev and prod graphs; each running
 * the whole program again was most of their time. Watch mode gets no folder: files change
 * between its runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    sharedStackRuns: string | undefined;
  }
}

export default function setup(project: TestProject): (() => void) | void {
  if (project.config.watch) return project.provide("sharedStackRuns", undefined);
  const folder = mkdtempSync(join(tmpdir(), "sf-stack-runs-"));
  project.provide("sharedStackRuns", folder);
  return () => rmSync(folder, { recursive: true, force: true });
}
