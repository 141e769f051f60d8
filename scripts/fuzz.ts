/**
 * `npm run fuzz [-- --seed N --requests N --stack dev]`: starts the app as `npm start` does (fresh
 * state in a temporary folder, a port from the OS), runs the seeded fuzz run of local/fuzz.ts
 * against it, prints the report, and exits 1 on any failure. The test suite runs the same with a
 * fixed seed (tests/fuzz/local-app.test.ts); a new seed here explores further, and any failure it
 * finds replays exactly with that seed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runMain } from "./exit";
import { ensureLambdaNative } from "../local/lambda-native";
import { runFuzz } from "../local/fuzz";
import { startLocalApp } from "../local/start";

async function main(): Promise<number> {
  ensureLambdaNative(process.cwd());
  const { values } = parseArgs({ options: { seed: { type: "string", default: String(Date.now() % 100000) }, requests: { type: "string", default: "5000" }, stack: { type: "string", default: "dev" } } });
  const seed = Number(values.seed);
  const stateDir = mkdtempSync(join(tmpdir(), "sf-fuzz-"));
  const app = await startLocalApp({ stack: values.stack, port: 0, quiet: true, stateDir });
  try {
    console.log(`Fuzzing the local ${values.stack} stack with seed ${seed}, ${values.requests} requests...`);
    const report = await runFuzz(app, { seed, requests: Number(values.requests) });
    console.log(`requests by target: ${JSON.stringify(report.byTarget)}`);
    console.log(`answers by status:  ${JSON.stringify(report.byStatus)}`);
    for (const failure of report.failures) console.log(`FAIL ${failure.status} ${failure.request}\n     ${failure.problem}`);
    console.log(`${report.requests - report.failures.length} passed, ${report.failures.length} failed`);
    return report.failures.length === 0 ? 0 : 1;
  } finally {
    await app.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

runMain(main);
