/**
 * The test workers' larger semi-spaces are theirs alone (tests/setup/worker-young-generation.ts): a worker thread that
 * code under test starts gets the young generation it asks for (a local Lambda sandbox's resourceLimits), or V8's
 * default, as under `npm start`; the test worker's own heap keeps the size vitest.config.mts gives it.
 */
import { getHeapSpaceStatistics } from "node:v8";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";

/**
 * Allocates while keeping up to 200,000 objects alive (what makes V8 grow its new space to the most it may), then
 * answers the new space's size in MB.
 */
const CHURN = `
  const { getHeapSpaceStatistics } = require("node:v8");
  let keep = [];
  for (let i = 0; i < 3e6; i++) {
    keep.push({ i, s: "x" + i });
    if (keep.length > 2e5) keep = [];
  }
  const newSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === "new_space").space_size / 1048576;
`;

function newSpaceOfWorker(resourceLimits?: { maxYoungGenerationSizeMb: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`${CHURN}; require("node:worker_threads").parentPort.postMessage(newSpace());`, { eval: true, resourceLimits });
    worker.once("message", (size: number) => void worker.terminate().then(() => resolve(size), reject));
    worker.once("error", reject);
  });
}

/** The same allocations in the test worker itself. */
function newSpaceHere(): number {
  let keep: object[] = [];
  for (let i = 0; i < 3e6; i++) {
    keep.push({ i, s: `x${i}` });
    if (keep.length > 2e5) keep = [];
  }
  return getHeapSpaceStatistics().find((space) => space.space_name === "new_space")!.space_size / 1048576;
}

/** The semi-space size vitest.config.mts gives the test workers, in MB. */
const configured = Number(process.execArgv.find((flag) => flag.startsWith("--max-semi-space-size="))?.split("=")[1]);

describe("the test workers' young generation", () => {
  it("is the larger one vitest.config.mts gives them, in the test worker itself", () => {
    expect(configured).toBeGreaterThan(16);
    // V8 may shrink a new space when the allocation rate it measures (in time) looks low, as on a loaded machine: a few
    // rounds of the same allocations, not a wait, give it every chance to grow again.
    let size = newSpaceHere();
    for (let round = 1; round < 5 && size <= 32; round++) size = newSpaceHere();
    // V8's default semi-spaces (16 MB each on 64-bit) make at most a 32 MB new space.
    expect(size).toBeGreaterThan(32);
    expect(size).toBeLessThanOrEqual(2 * configured);
  });

  it("is what a worker thread asks for (a Lambda sandbox's 8 MB), or V8's default, in the threads a test starts", async () => {
    expect(await newSpaceOfWorker({ maxYoungGenerationSizeMb: 8 })).toBeLessThanOrEqual(8);
    expect(await newSpaceOfWorker()).toBeLessThan(2 * configured);
  });
});
