/**
 * `npm run drill [-- --stack prod] [--writes 10] [--fail-at 3]`: the region-failure drill (local/drill.ts) on the
 * stack's local app. Prints the timeline and exits 1 when a write was lost or duplicated or the client's data differs.
 */
import { parseArgs } from "node:util";
import { formatDrill, runDrill } from "../local/drill";
import { runMain } from "./exit";

runMain(async () => {
  const { values } = parseArgs({ options: { stack: { type: "string", default: "prod" }, writes: { type: "string", default: "10" }, "fail-at": { type: "string", default: "3" } } });
  console.log(`Starting stack "${values.stack}" locally with one API per region...`);
  const report = await runDrill({ stack: values.stack, writes: Number(values.writes), failAt: Number(values["fail-at"]), log: (line) => console.log(line) });
  const lines = formatDrill(report);
  console.log(`\n${lines.join("\n")}`);
  const titles = Object.keys(report.created).sort();
  const intact = report.listed.length === titles.length && [...report.listed].sort().every((title, i) => title === titles[i]);
  const moved = report.answeredBy.includes(report.survivingRegion);
  console.log(intact && moved ? "\nDrill passed: requests moved to the surviving region, nothing lost or duplicated." : "\nDrill FAILED: see the data line above.");
  return intact && moved ? 0 : 1;
});
