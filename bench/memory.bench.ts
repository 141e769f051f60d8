/**
 * `npm start`'s memory and local API throughput (issue 15): the local app in its own
 * process (bench/app-worker.ts: what `npm start` runs, plus one signed-up user with an
 * album), its resident memory after start and after each of ten load runs of an
 * authenticated list route (GET /api/albums through the site's front door), interleaved
 * with load runs of /api/health through the same front door and of a bare node server
 * (the ceiling of this machine). Loopback only; every run bounded in time and requests.
 * Targets: RSS after start ≤ 400 MiB; RSS growth over the ten runs ≤ 10%; the list route
 * ≥ 5,000 requests/s.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { PROJECT_DIR } from "../local/offline/program";
import { loadRun, rssMib, startApp, type LoadResult } from "./local-app";
import type { BenchTable } from "./run";
import { check, formatSummary, machineLoad, pairedRatios, summarise, verdict } from "./stats";

const ROUNDS = 10;
const LOAD = { connections: 16, durationMs: 2000, maxRequests: 20_000 };
const TARGETS = { startRssMib: 400, growth: 0.1, perSecond: 5000 };

/** A node server that answers like /api/health, with nothing behind it. */
async function startBareServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ["-e", `const s = require("node:http").createServer((q, r) => { r.setHeader("content-type", "application/json"); r.end('{"status":"ok"}'); }); s.listen(0, "127.0.0.1", () => console.log(s.address().port));`], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) => child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

export async function run(): Promise<BenchTable[]> {
  const load = machineLoad();
  const stateDir = join(PROJECT_DIR, ".local", "bench", "memory-state");
  const app = await startApp(["-r", "./local/offline/register.cjs", "bench/app-worker.ts", stateDir], { cwd: PROJECT_DIR });
  const bare = await startBareServer();
  const pid = app.child.pid!;
  try {
    const afterStart = rssMib(pid);
    app.child.stdin!.write("user\n");
    const { token } = JSON.parse(await app.nextLine("BENCH ")) as { token: string };
    const site = app.urls.site;
    const runs = { bare: [] as LoadResult[], health: [] as LoadResult[], albums: [] as LoadResult[] };
    const rss: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      runs.bare.push(await loadRun(bare.url, { ...LOAD, expectStatus: 200 }));
      runs.health.push(await loadRun(`${site}/api/health`, { ...LOAD, expectStatus: 200 }));
      runs.albums.push(await loadRun(`${site}/api/albums`, { ...LOAD, headers: { authorization: `Bearer ${token}` }, expectStatus: 200 }));
      rss.push(rssMib(pid));
    }
    // Idle for a while: does the memory come back?
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const idle = rssMib(pid);

    const row = (label: string, list: LoadResult[]) => [
      label,
      formatSummary(summarise(list.map((r) => r.perSecond)), 0),
      formatSummary(summarise(list.map((r) => r.p50Ms))),
      formatSummary(summarise(list.map((r) => r.p99Ms))),
      list.reduce((sum, r) => sum + r.requests, 0),
      list.reduce((sum, r) => sum + r.errors + r.unexpected, 0),
    ];
    const growth = rss[rss.length - 1] / rss[0] - 1;
    const albumsPerSecond = summarise(runs.albums.map((r) => r.perSecond));
    const failures = runs.albums.reduce((sum, r) => sum + r.errors + r.unexpected, 0);
    return [
      {
        title: `npm start under load: ${ROUNDS} interleaved rounds of ${LOAD.durationMs / 1000} s (≤ ${LOAD.maxRequests} requests), ${LOAD.connections} keep-alive connections (${load})`,
        columns: ["route", "req/s min/med/max", "p50 ms min/med/max", "p99 ms min/med/max", "requests", "errors or non-200"],
        rows: [
          row("bare node server (ceiling)", runs.bare),
          row("GET /api/health via the front door", runs.health),
          row("GET /api/albums (authenticated) via the front door", runs.albums),
        ],
        notes: [
          verdict("authenticated list route throughput", albumsPerSecond, ">=", TARGETS.perSecond, " req/s", 0),
          `  … as a share of /api/health: median ${summarise(pairedRatios(runs.albums.map((r) => r.perSecond), runs.health.map((r) => r.perSecond))).median.toFixed(2)}; of the bare server: median ${summarise(pairedRatios(runs.albums.map((r) => r.perSecond), runs.bare.map((r) => r.perSecond))).median.toFixed(3)}`,
          check("every authenticated list request answered 200", failures === 0, `${failures} errors or other statuses`),
        ],
      },
      {
        title: "npm start resident memory (VmRSS of the app's process)",
        columns: ["when", "RSS MiB"],
        rows: [["after start", afterStart], ...rss.map((value, i) => [`after load round ${i + 1}`, value]), ["after 5 s idle", idle]],
        notes: [
          check(`RSS after start ≤ ${TARGETS.startRssMib} MiB`, afterStart <= TARGETS.startRssMib, `${afterStart.toFixed(0)} MiB`),
          check(`RSS growth from round 1 to round ${ROUNDS} ≤ ${TARGETS.growth * 100}%`, growth <= TARGETS.growth, `${(growth * 100).toFixed(1)}% (${rss[0].toFixed(0)} → ${rss[rss.length - 1].toFixed(0)} MiB)`),
          `from start to round ${ROUNDS}: ${((rss[rss.length - 1] / afterStart - 1) * 100).toFixed(1)}%; after 5 s idle ${idle.toFixed(0)} MiB; the app printed ${app.linesPrinted()} lines during the runs`,
        ],
      },
    ];
  } finally {
    bare.stop();
    await app.stop();
  }
}
