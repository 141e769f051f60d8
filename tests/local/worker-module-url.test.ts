/**
 * The local runtime's worker threads (a function's sandbox, a CloudFront Function's, a database's PGlite, Step Functions' JSONata) find
 * their module in a project folder whose path has `#` or `%` (local/worker-module-url.ts; every worker is started through it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { workerModuleUrl } from "../../local/worker-module-url";

describe("workerModuleUrl", () => {
  it("names the module file itself for folders with # and % in their path", () => {
    for (const folder of ["/work/a#b/local", "/work/100%25/local", "/work/50% off/local"]) expect(fileURLToPath(workerModuleUrl(folder, "lambda-worker.mjs"))).toBe(join(folder, "lambda-worker.mjs"));
  });

  it("is how every worker is started", () => {
    for (const [source, worker] of [["lambda-runtime.ts", "lambda-worker.mjs"], ["rds-data-server.ts", "rds-data-worker.mjs"], ["sfn-jsonata.ts", "sfn-jsonata-worker.mjs"], ["edge-runtime.ts", "cloudfront-function-worker.mjs"]]) {
      expect(readFileSync(join(__dirname, "..", "..", "local", source), "utf8")).toContain(`new Worker(workerModuleUrl(__dirname, "${worker}"), {`);
    }
  });
});
