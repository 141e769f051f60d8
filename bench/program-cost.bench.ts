/**
 * What the program costs to run offline (issue 15): `npm run plan -- --stack prod` against
 * the floor, a node process that only loads `@pulumi/pulumi` and `@pulumi/aws` — paired,
 * interleaved fresh processes. Target: the plan ≤ 3× the floor, CPU and wall time, with the
 * offline caches warm (bundles, minified CloudFront Functions, transpiled TypeScript, V8's code
 * cache), as every run after the first, in a cache folder of the bench's own (a warm-up round
 * fills it). The plan still runs index.ts and the site's build (a child process whose wall time
 * counts, its CPU not). Also shown, not targets: the same plan without the site's build, the
 * first run (empty caches), and the same plan loaded through ts-node (how `pulumi up` loads it), each with the node
 * flags of package.json's `plan` script.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_DIR } from "../local/offline/program";
import type { BenchTable } from "./run";
import { formatSummary, interleaved, machineLoad, pairedRatios, runNode, summarise, verdict, type ProcessRun } from "./stats";

const TARGET = 3;
const PLAN = ["scripts/plan.ts", "--stack", "prod"];

/** `node <flags> -r ./local/offline/register.cjs scripts/plan.ts` → the flags before `-r`. */
export function planNodeFlags(script: string): string[] {
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) -r \.\/local\/offline\/register\.cjs scripts\/plan\.ts$/.exec(script);
  if (!match) throw new Error(`package.json's plan script is not "node [flags] -r ./local/offline/register.cjs scripts/plan.ts": ${script}`);
  return match[1].split(" ").filter(Boolean);
}

export async function run(): Promise<BenchTable[]> {
  const load = machineLoad();
  // Node's own flags in package.json's `plan` script, so the bench runs what `npm run plan` runs.
  const PLAN_NODE_FLAGS = planNodeFlags(JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")).scripts.plan);
  const node = (args: string[], env: Record<string, string> = {}) => async () => {
    const result = await runNode(args, { cwd: PROJECT_DIR, env });
    // The plan exits 1 on deploy-rule findings; it must still have planned the whole program.
    if (args.includes("scripts/plan.ts") && !result.stdout.includes("Resources by type:")) throw new Error(`the plan did not run: ${result.stdout.slice(-800)}`);
    return result;
  };
  // Not node_modules/.cache: other checkouts sharing node_modules would evict this one's bundles.
  const warm = { SERVERLESS_FULLSTACK_CACHE_DIR: join(PROJECT_DIR, ".local", "bench", "program-cost-cache") };
  const runs = await interleaved({
    floor: node(["-e", 'require("@pulumi/pulumi"); require("@pulumi/aws");']),
    plan: node([...PLAN_NODE_FLAGS, "-r", "./local/offline/register.cjs", ...PLAN], warm),
    noSiteBuild: node([...PLAN_NODE_FLAGS, "-r", "./local/offline/register.cjs", ...PLAN], { ...warm, STATIC_SITE_SKIP_BUILD: "1" }),
    tsNode: node([...PLAN_NODE_FLAGS, "-r", "ts-node/register/transpile-only", ...PLAN], warm),
    // Empty build and transpile caches: what the very first run (or a run after `npm ci`) pays.
    firstRun: () =>
      node([...PLAN_NODE_FLAGS, "-r", "./local/offline/register.cjs", ...PLAN], { SERVERLESS_FULLSTACK_CACHE_DIR: mkdtempSync(join(tmpdir(), "sf-bench-cache-")) })(),
  });
  const cpu = (key: keyof typeof runs) => runs[key].map((r: ProcessRun) => r.cpuMs);
  const wall = (key: keyof typeof runs) => runs[key].map((r: ProcessRun) => r.wallMs);
  const row = (label: string, key: keyof typeof runs) => [
    label,
    formatSummary(summarise(cpu(key)), 0),
    formatSummary(summarise(wall(key)), 0),
    formatSummary(summarise(pairedRatios(cpu(key), cpu("floor")))),
    formatSummary(summarise(pairedRatios(wall(key), wall("floor")))),
    Math.round(summarise(runs[key].map((r: ProcessRun) => r.maxRssMb)).median),
  ];
  return [
    {
      title: `Program cost: the prod plan against loading the Pulumi SDKs (${runs.floor.length} interleaved rounds of fresh processes; ${load})`,
      columns: ["process", "CPU ms min/med/max", "wall ms min/med/max", "CPU × floor", "wall × floor", "peak RSS MB"],
      rows: [
        row("floor: require @pulumi/pulumi + @pulumi/aws", "floor"),
        row(`npm run plan -- --stack prod (warm caches${PLAN_NODE_FLAGS.length ? `; node ${PLAN_NODE_FLAGS.join(" ")}` : ""})`, "plan"),
        row("same, without the site's build (STATIC_SITE_SKIP_BUILD=1)", "noSiteBuild"),
        row("same, first run (empty caches)", "firstRun"),
        row(`same plan through ts-node/register/transpile-only${PLAN_NODE_FLAGS.length ? ` (and node ${PLAN_NODE_FLAGS.join(" ")})` : ""}`, "tsNode"),
      ],
      notes: [
        verdict("prod plan CPU time vs the floor, paired", summarise(pairedRatios(cpu("plan"), cpu("floor"))), "<=", TARGET, "×"),
        verdict("prod plan wall time vs the floor, paired", summarise(pairedRatios(wall("plan"), wall("floor"))), "<=", TARGET, "×"),
        "CPU: user + system time of the node process and its threads (child processes not counted: esbuild's, which only runs on a cache miss, and the site's build, `vite build`); wall: spawn to exit",
      ],
    },
  ];
}
