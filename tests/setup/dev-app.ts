/**
 * The reference app (index.ts, stack dev) started on the local runtime, for the test files that drive the whole app.
 * Running index.ts under the mocks cost each such file 0.5–1.1 CPU-seconds (issue 15), and every file ran the same program
 * with the same committed config: now the first file of a test run runs it and leaves its result, as plain data, in
 * the run's shared folder (tests/setup/shared-stack-runs.ts, removed when the run ends, so nothing outlives the
 * sources it was made from); the others start from that record, as `npm start` starts from its program cache.
 * Every file, the first included, gets the same JSON copy, so no result depends on which file came first. In watch
 * mode (no shared folder) each file runs the program.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { writeAtomically } from "../../components/file-hashes";
import { runProgramOffline, type OfflineRun } from "../../local/offline/program";
import { toPlain } from "../../local/offline/program-cache";
import { startLocalApp, type LocalApp } from "../../local/start";

/** Beside tests/stacks/run-stack.ts's `dev.json` of the same run, which keeps no specs (the local runtime needs them). */
const RECORD = "dev.local-app.json";

/** index.ts's run for stack dev, as plain data (Outputs resolved, assets as markers): once per test run. */
export async function devAppRun(): Promise<OfflineRun> {
  const folder = inject("sharedStackRuns");
  const file = folder && join(folder, RECORD);
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as OfflineRun;
  const run = await runProgramOffline({ stack: "dev", load: () => import("../../index.js") });
  const text = await recordDevAppRun(run);
  // The stack tests run the same program: recording it for them too runs it once per test run, not twice. Imported
  // here, not at the top: the deploy and security rules it loads are of no use to the files that read a record.
  if (folder) await (await import("../stacks/run-stack.js")).recordStackRun(run);
  return JSON.parse(text) as OfflineRun;
}

/**
 * `run` (the dev stack's, as the program left it) as devAppRun shares it, recorded in the test run's shared folder
 * when it has one and no file has yet. tests/stacks/run-stack.ts calls it too when it ran the dev stack first.
 */
export async function recordDevAppRun(run: OfflineRun): Promise<string> {
  const folder = inject("sharedStackRuns");
  const file = folder && join(folder, RECORD);
  if (file && existsSync(file)) return readFileSync(file, "utf8");
  // Two files running it at once each write whole, then rename: a reader sees one whole record.
  const text = JSON.stringify(await toPlain(run, "run", new Set()));
  if (file) writeAtomically(file, text);
  return text;
}

/** The app on free ports, with fresh state in a new temporary folder named from `prefix`. */
export async function startDevApp(prefix: string): Promise<LocalApp> {
  return startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: mkdtempSync(join(tmpdir(), prefix)), recordedRun: await devAppRun() });
}
