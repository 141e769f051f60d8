/**
 * Cold start of each gallery API handler: the bundle LambdaFunction deploys (esbuild,
 * minified, tree-shaken, ESM) against the same handler loaded unbundled — its own
 * TypeScript transpiled, every dependency imported from node_modules — in one run.
 * Each sample is a fresh `node` process: time from spawn to the handler's first
 * response, the handler talking to a local DynamoDB (dynalite) as it would to DynamoDB.
 * Targets (issue 6): bundled ≤ 0.5× unbundled, bundle ≤ 500 KB.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { bundleEntry } from "../components/lambda/bundle";
import { apiBundleOptions } from "../components/serverless-api/args";
import { PROJECT_DIR } from "../local/offline/program";
import { apiEvent } from "../tests/handlers/gallery-table";
import { startGalleryTable } from "../tests/handlers/gallery-table";
import { startTestIssuer } from "../tests/harness/test-issuer";
import type { BenchTable } from "./run";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 7);
const TARGET_RATIO = 0.5;
const TARGET_BYTES = 500 * 1024;

const RUNNER = `
const [file, exportName] = process.argv.slice(2);
const mod = await import(file);
const result = await mod[exportName](JSON.parse(process.env.BENCH_EVENT), { functionName: "bench", awsRequestId: "bench", getRemainingTimeInMillis: () => 10000 });
process.stdout.write(JSON.stringify({ statusCode: result?.statusCode ?? (result?.policyDocument ? "policy" : "?") }) + "\\n");
process.exit(0);
`;

interface Case {
  name: string;
  entry: string;
  exportName: string;
  event: unknown;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeColdStart(runner: string, file: string, exportName: string, env: Record<string, string>, event: unknown): Promise<{ ms: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [runner, file, exportName], { env: { ...env, BENCH_EVENT: JSON.stringify(event) }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let errors = "";
    let done = false;
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (!done && output.includes("\n")) {
        done = true;
        resolve({ ms: performance.now() - started, output: output.trim() });
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    child.on("exit", (code) => {
      if (!done) reject(new Error(`${file} ${exportName} exited ${code} without a response: ${errors.slice(0, 500)}`));
    });
  });
}

export async function run(): Promise<BenchTable[]> {
  const table = await startGalleryTable();
  const issuer = await startTestIssuer();
  const dir = join(PROJECT_DIR, ".local", "bench", "cold-start");
  mkdirSync(dir, { recursive: true });
  const runner = join(dir, "runner.mjs");
  writeFileSync(runner, RUNNER);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    TABLE_NAME: "gallery",
    UPLOAD_BUCKET_NAME: "uploads",
    POWERTOOLS_DEV: "true",
    POWERTOOLS_LOG_LEVEL: "ERROR",
    POWERTOOLS_METRICS_DISABLED: "true",
    JWT_ISSUER: issuer.issuer("bench"),
    USER_POOL_CLIENT_ID: "bench-client",
  };
  const token = issuer.token({ sub: "bench-user", poolId: "bench", clientId: "bench-client" });
  const cases: Case[] = [
    { name: "health", entry: "handlers/api/health.ts", exportName: "handler", event: apiEvent({ method: "GET", resource: "/api/health" }) },
    { name: "albums (list)", entry: "handlers/api/albums.ts", exportName: "list", event: apiEvent({ method: "GET", resource: "/api/albums", sub: "bench-user" }) },
    { name: "albums (create)", entry: "handlers/api/albums.ts", exportName: "create", event: apiEvent({ method: "POST", resource: "/api/albums", body: { title: "Bench" }, sub: "bench-user" }) },
    { name: "photos (list)", entry: "handlers/api/photos.ts", exportName: "list", event: apiEvent({ method: "GET", resource: "/api/albums/{albumId}/photos", pathParameters: { albumId: "01HZZZZZZZZZZZZZZZZZZZZZZZ" }, sub: "bench-user" }) },
    { name: "authorizer", entry: "handlers/api/authorizer.ts", exportName: "handler", event: { type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/api/albums" } },
  ];

  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  // Node's own start (and the runner) with a handler that does nothing: both variants pay it.
  const noop = join(dir, "noop.mjs");
  writeFileSync(noop, "export const handler = async () => ({ statusCode: 200 });\n");
  const baseline: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) baseline.push((await timeColdStart(runner, noop, "handler", env, {})).ms);
    const nodeMs = median(baseline);
    notes.push(`node start + runner with a no-op handler: ${Math.round(nodeMs)} ms (in both columns; "net ratio" leaves it out)`);
    for (const c of cases) {
      const slug = c.name.replace(/[^a-z]+/g, "-");
      // Built exactly as ServerlessApi builds the route's function.
      const bundle = bundleEntry(c.entry, apiBundleOptions(undefined));
      const bundled = join(dir, `${slug}.bundled.mjs`);
      writeFileSync(bundled, bundle.code);
      const unbundled = join(dir, `${slug}.unbundled.mjs`);
      // Our own modules transpiled into one file; every package imported from node_modules at run time.
      buildSync({ entryPoints: [join(PROJECT_DIR, c.entry)], bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", outfile: unbundled, logLevel: "silent" });

      const times = { bundled: [] as number[], unbundled: [] as number[] };
      let outputs = "";
      // Warm the file system cache once, then alternate so drift hits both equally.
      await timeColdStart(runner, bundled, c.exportName, env, c.event);
      await timeColdStart(runner, unbundled, c.exportName, env, c.event);
      for (let i = 0; i < SAMPLES; i++) {
        const b = await timeColdStart(runner, bundled, c.exportName, env, c.event);
        const u = await timeColdStart(runner, unbundled, c.exportName, env, c.event);
        times.bundled.push(b.ms);
        times.unbundled.push(u.ms);
        outputs = `${b.output} / ${u.output}`;
      }
      const bundledMs = median(times.bundled);
      const unbundledMs = median(times.unbundled);
      const ratio = bundledMs / unbundledMs;
      const codeBytes = Buffer.byteLength(bundle.code);
      const netRatio = Math.max(0, bundledMs - nodeMs) / Math.max(1, unbundledMs - nodeMs);
      // The fastest run of each is the least disturbed by other processes on a shared machine.
      const minRatio = Math.min(...times.bundled) / Math.min(...times.unbundled);
      rows.push([c.name, Math.round(codeBytes / 1024), Math.round(bundle.zippedBytes / 1024), Math.round(bundledMs), Math.round(unbundledMs), ratio, minRatio, netRatio, JSON.parse(outputs.split(" / ")[0]).statusCode]);
      notes.push(
        `${c.name}: ratio ${ratio.toFixed(2)} ${ratio <= TARGET_RATIO ? "meets" : "misses"} ≤ ${TARGET_RATIO} (fastest runs ${minRatio.toFixed(2)}, net of node start ${netRatio.toFixed(2)}); ` +
          `bundle ${Math.round(codeBytes / 1024)} KB ${codeBytes <= TARGET_BYTES ? "meets" : "misses"} ≤ 500 KB (deployment zip ${Math.round(bundle.zippedBytes / 1024)} KB ${bundle.zippedBytes <= TARGET_BYTES ? "meets" : "misses"})`,
      );
    }
  } finally {
    await table.stop();
    await issuer.stop();
  }
  return [
    {
      title: `API handler cold start: bundled vs unbundled (median of ${SAMPLES} fresh processes, spawn → first response)`,
      columns: ["handler", "bundle KB", "zip KB", "bundled ms", "unbundled ms", "ratio", "min ratio", "net ratio", "status"],
      rows,
      notes,
    },
  ];
}
