/**
 * tests/setup/dev-app.ts's record of the dev stack's run, apart from the local runtime it starts: tests/stacks/run-stack.ts
 * records it too when it ran the dev stack first, and needs only this (not local/start and every local service).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { toPlain } from "../../local/offline/program-cache";
import { byUrn, recordFirst } from "./cache-folders";

/** Beside tests/stacks/run-stack.ts's `dev.json` of the same run, which keeps no specs (the local runtime needs them). */
const RECORD = "dev.local-app.json";

/** The record's path in the test run's shared folder; undefined without one (watch mode). */
export function devAppRecordFile(): string | undefined {
  const folder = inject("sharedStackRuns");
  return folder && join(folder, RECORD);
}

/**
 * `run` (the dev stack's, as the program left it) as devAppRun shares it: the record's text, resources in URN order.
 * The first file to record it wins; every file, that one included, gets the record on disk.
 */
export async function recordDevAppRun(run: OfflineRun): Promise<string> {
  const file = devAppRecordFile();
  if (file && existsSync(file)) return readFileSync(file, "utf8");
  const text = JSON.stringify(await toPlain({ ...run, resources: byUrn(run.resources) }, "run", new Set()));
  return file ? recordFirst(file, text) : text;
}
