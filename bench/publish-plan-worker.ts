/**
 * One plan-cost measurement in a fresh process (so peak memory is this run's own):
 * the StaticSite program under mocks for a generated site, with the publisher or
 * with one resource per file, or the floor: the same modules loaded and the mocks
 * installed, nothing declared. Prints one JSON line.
 *   node -r ./local/offline/register.cjs bench/publish-plan-worker.ts <publisher|publisher-cold|per-file|floor> <siteDir> <emptyDir>
 * publisher-cold: the publisher with no hashes kept from earlier runs (its site store removed first, untimed).
 */
import { rmSync } from "node:fs";
import { installRecordingMocks } from "../local/offline/mocks";
import { StaticSite } from "../components/static-site";
import { siteHashStoreFile } from "../components/static-site/publisher/manifest";
import { publishFilesPerObject } from "./per-file-publish";

async function main(): Promise<void> {
  const [mode, siteDir, emptyDir] = process.argv.slice(2);
  const mocks = await installRecordingMocks({ stack: "bench" });
  if (mode === "publisher-cold") rmSync(siteHashStoreFile(siteDir) ?? "", { force: true });
  const started = process.hrtime.bigint();
  if (mode === "publisher" || mode === "publisher-cold") {
    new StaticSite("site", { path: siteDir });
  } else if (mode === "per-file") {
    // The same component with nothing to publish, plus one object per file, as before the publisher.
    const site = new StaticSite("site", { path: emptyDir });
    publishFilesPerObject("site", siteDir, [], site.bucketName, site);
  } else if (mode !== "floor") {
    throw new Error(`unknown mode ${mode}`);
  }
  await mocks.settle();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const state = mocks.resources.reduce((bytes, r) => bytes + JSON.stringify(r.state).length, 0);
  console.log(JSON.stringify({ ms, peakRssMb: process.resourceUsage().maxRSS / 1024, resources: mocks.resources.length, stateBytes: state }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
