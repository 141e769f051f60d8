/**
 * The reference app (index.ts, stack dev) started on the local runtime, for the test files that drive the whole app.
 * Running index.ts under the mocks cost each such file 0.5–1.1 CPU-seconds (issue 15), and every file ran the same program
 * with the same committed config: now the first file of a test run runs it and leaves its result, as plain data, in
 * the run's shared folder (tests/setup/shared-stack-runs.ts, removed when the run ends, so nothing outlives the
 * sources it was made from); the others start from that record, as `npm start` starts from its program cache.
 * Every file, the first included, gets the same JSON copy (the first record written), so no result depends
 * on which file came first or raced it. In watch
 * mode (no shared folder) each file runs the program.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgramOffline, type OfflineRun } from "../../local/offline/program";
import { startLocalApp, type LocalApp, type StartOptions } from "../../local/start";
import { devAppRecordFile, recordDevAppRun } from "./dev-app-record";

/**
 * This file's text of the run: without a record (watch mode, or a record that could not be written) a second
 * call would import the already-evaluated index.ts, which registers nothing, so the run is made once per file.
 */
let text: Promise<string> | undefined;

/** index.ts's run for stack dev, as plain data (Outputs resolved, assets as markers): once per test run. */
export async function devAppRun(): Promise<OfflineRun> {
  return JSON.parse(await (text ??= runOrRead())) as OfflineRun;
}

async function runOrRead(): Promise<string> {
  const file = devAppRecordFile();
  if (file && existsSync(file)) return readFileSync(file, "utf8");
  const run = await runProgramOffline({ stack: "dev", load: () => import("../../index.js") });
  const recorded = await recordDevAppRun(run);
  // The stack tests run the same program: recording it for them too runs it once per test run, not twice. Imported
  // here, not at the top: the deploy and security rules it loads are of no use to the files that read a record. A
  // failure there is the stack files' to report: they then run the program themselves.
  if (file) {
    try {
      await (await import("../stacks/run-stack.js")).recordStackRun(run);
    } catch (error) {
      console.warn(`tests/setup/dev-app.ts: the dev stack's record for the stack tests was not made (they run the program themselves): ${(error as Error).message}`);
    }
  }
  return recorded;
}

/** The app on free ports, with fresh state in a new temporary folder named from `prefix` (its queues on `queueClock`, its Step Functions' timers on `stepFunctionsClock`). */
export async function startDevApp(prefix: string, options: Pick<StartOptions, "queueClock" | "stepFunctionsClock"> = {}): Promise<LocalApp> {
  return startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: mkdtempSync(join(tmpdir(), prefix)), recordedRun: await devAppRun(), ...options });
}
