/**
 * `npm run fuzz [-- --seed N --requests N --stack dev]` (5,000 requests, fewer under a web ACL's rate limit):
 * starts the app as `npm start` does (fresh state in a temporary folder, a port from the OS), runs the seeded
 * fuzz run of local/fuzz.ts against it, prints the report, and exits 1 on any failure. CI runs it with the suite's seed
 * (5,000 requests; the suite itself sends 1,000: tests/fuzz/local-app.test.ts); a new seed here explores further, and any
 * failure it finds replays exactly with that seed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runMain } from "./exit";
import { ensureLambdaNative } from "../local/lambda-native";
import { runFuzz } from "../local/fuzz";
import { startLocalApp } from "../local/start";
import { registeredSpecs } from "../components/spec-registry";
import type { StaticSiteSpec } from "../components/static-site/spec";

/** Requests a run makes besides its fuzzed ones (sign-ins, the owner's albums before and after): kept under a web ACL's rate limit. */
const FUZZ_SETUP_REQUESTS = 200;
/** Without --requests: this many, or fewer under a web ACL's rate limit. */
const DEFAULT_REQUESTS = 5000;

async function main(): Promise<number> {
  ensureLambdaNative(process.cwd());
  const { values } = parseArgs({ options: { seed: { type: "string", default: String(Date.now() % 100000) }, requests: { type: "string" }, stack: { type: "string", default: "dev" } } });
  const seed = Number(values.seed);
  const stateDir = mkdtempSync(join(tmpdir(), "sf-fuzz-"));
  const app = await startLocalApp({ stack: values.stack, port: 0, quiet: true, stateDir });
  try {
    // The fuzz sends everything from one address: past a site's web ACL rate limit the local WAF blocks it, as AWS WAF
    // would, and the run's own checks (the owner's albums before and after) would read WAF's 403.
    const wafLimits = registeredSpecs<StaticSiteSpec>("StaticSite").flatMap(({ spec }) => (spec.waf ? [spec.waf.rateLimit] : []));
    const budget = wafLimits.length > 0 ? Math.min(...wafLimits) - FUZZ_SETUP_REQUESTS : Infinity;
    const requests = values.requests === undefined ? Math.min(DEFAULT_REQUESTS, budget) : Number(values.requests);
    if (requests > budget) {
      console.error(`The ${values.stack} stack's web ACL blocks a client after ${budget + FUZZ_SETUP_REQUESTS} requests in its rate window, and the fuzz sends all of its requests from one address: run at most --requests ${budget}, or fuzz a stack without a web ACL (dev).`);
      return 2;
    }
    console.log(`Fuzzing the local ${values.stack} stack with seed ${seed}, ${requests} requests...`);
    const report = await runFuzz(app, { seed, requests });
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
