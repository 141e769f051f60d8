/**
 * One plan-cost measurement in a fresh process (so peak memory is this run's own):
 * the StaticSite program under mocks for a generated site, with the publisher or
 * with one resource per file. Prints one JSON line.
 *   node -r ./local/offline/register.cjs bench/publish-plan-worker.ts <publisher|per-file> <siteDir> <emptyDir>
 */
import { installRecordingMocks } from "../local/offline/mocks";
import { StaticSite } from "../components/static-site";
import { publishFilesPerObject } from "./per-file-publish";

async function main(): Promise<void> {
  const [mode, siteDir, emptyDir] = process.argv.slice(2);
  const mocks = await installRecordingMocks({ stack: "bench" });
  const started = process.hrtime.bigint();
  if (mode === "publisher") {
    new StaticSite("site", { path: siteDir });
  } else {
    // The same component with nothing to publish, plus one object per file, as before the publisher.
    const site = new StaticSite("site", { path: emptyDir });
    publishFilesPerObject("site", siteDir, [], site.bucketName, site);
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
