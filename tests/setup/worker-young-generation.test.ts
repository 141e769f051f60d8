/**
 * The test workers' larger semi-spaces are theirs alone (tests/setup/worker-young-generation.ts): a worker thread that
 * code under test starts gets the young generation it asks for (a local Lambda sandbox's resourceLimits), or V8's
 * default, as under `npm start`; the test worker's own heap keeps the size vitest.config.mts gives it.
 */
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";

/** The new space's size in MB. */
const NEW_SPACE = `
  const newSpace = () => require("node:v8").getHeapSpaceStatistics().find((space) => space.space_name === "new_space").space_size / 1048576;
`;

/** Allocates while keeping up to 200,000 objects alive (what makes V8 grow its new space to the most it may). */
const CHURN = `
  let keep = [];
  for (let i = 0; i < 3e6; i++) {
    keep.push({ i, s: "x" + i });
    if (keep.length > 2e5) keep = [];
  }
`;

/** The new space's size in MB of a worker thread started with `resourceLimits`: after CHURN, or as it started (`churn: false`). */
function newSpaceOfWorker(resourceLimits?: { maxYoungGenerationSizeMb: number }, churn = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`${NEW_SPACE}${churn ? CHURN : ""}; require("node:worker_threads").parentPort.postMessage(newSpace());`, { eval: true, resourceLimits });
    worker.once("message", (size: number) => void worker.terminate().then(() => resolve(size), reject));
    worker.once("error", reject);
  });
}

/** The semi-space size vitest.config.mts gives the test workers, in MB. */
const configured = Number(process.execArgv.find((flag) => flag.startsWith("--max-semi-space-size="))?.split("=")[1]);

describe("the test workers' young generation", () => {
  it("is the larger one vitest.config.mts gives them, on the test worker's command line", () => {
    // Only the flag is checked here: how far V8 then grows the worker's own new space depends on the allocation rate it
    // measures in time, which a loaded machine changes (a size check here could flake).
    expect(configured).toBeGreaterThan(16);
  });

  it("is what a worker thread asks for (a Lambda sandbox's 8 MB), or V8's default, in the threads a test starts", async () => {
    expect(await newSpaceOfWorker({ maxYoungGenerationSizeMb: 8 })).toBeLessThanOrEqual(8);
    expect(await newSpaceOfWorker()).toBeLessThan(2 * configured);
  });

  it("starts as large as under a plain `node`, not at the test worker's minimum, in the threads a test starts", async () => {
    expect(process.execArgv).toContain(`--min-semi-space-size=${configured}`);
    // Before any scavenge: a thread given the test worker's minimum starts at the most its limits allow.
    const limits = [{ maxYoungGenerationSizeMb: 8 }, undefined];
    const plain = spawnSync(process.execPath, ["-e", `const { Worker } = require("node:worker_threads");
      Promise.all(${JSON.stringify(limits)}.map((resourceLimits) => new Promise((resolve) => {
        const worker = new Worker(${JSON.stringify(`${NEW_SPACE}; require("node:worker_threads").parentPort.postMessage(newSpace());`)}, { eval: true, resourceLimits: resourceLimits ?? undefined });
        worker.once("message", (size) => void worker.terminate().then(() => resolve(size)));
      }))).then((sizes) => console.log(JSON.stringify(sizes)));`], { encoding: "utf8" });
    expect(plain.stderr).toBe("");
    const here = await Promise.all(limits.map((resourceLimits) => newSpaceOfWorker(resourceLimits, false)));
    expect(here).toEqual(JSON.parse(plain.stdout));
  });
});
