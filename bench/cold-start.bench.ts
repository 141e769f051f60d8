/**
 * Cold start of each gallery API handler: the bundle LambdaFunction deploys (esbuild,
 * minified, tree-shaken, ESM) against the same handler loaded unbundled — its own
 * TypeScript transpiled, every dependency imported from node_modules — paired and
 * interleaved in one run. Each sample is a fresh `node` process: time from spawn to the
 * handler's first response, the handler talking to a local DynamoDB (dynalite) as it would
 * to DynamoDB, and the authorizer fetching its JWKS over HTTPS as it does from Cognito
 * (a loopback issuer with a self-signed certificate the runner trusts via NODE_EXTRA_CA_CERTS).
 * Targets (issue 15): bundled ≤ 0.5× unbundled, bundle ≤ 350 KB minified, every case answers 200.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { bundleEntry } from "../components/lambda/bundle";
import { apiBundleOptions } from "../components/serverless-api/args";
import { PROJECT_DIR } from "../local/offline/program";
import { apiEvent } from "../tests/handlers/gallery-table";
import { startGalleryTable } from "../tests/handlers/gallery-table";
import { startTestIssuer } from "../tests/harness/test-issuer";
import type { BenchTable } from "./run";
import { check, formatSummary, machineLoad, pairedRatios, SAMPLES, summarise, verdict } from "./stats";

const TARGET_RATIO = 0.5;
const TARGET_BYTES = 350 * 1024;

const RUNNER = `
const [file, exportName] = process.argv.slice(2);
const mod = await import(file);
const result = await mod[exportName](JSON.parse(process.env.BENCH_EVENT), { functionName: "bench", awsRequestId: "bench", getRemainingTimeInMillis: () => 10000 });
const effect = result?.policyDocument?.Statement?.[0]?.Effect;
process.stdout.write(JSON.stringify({ statusCode: result?.statusCode ?? effect ?? "?", body: result?.body }) + "\\n");
process.exit(0);
`;

/** A self-signed certificate for 127.0.0.1 (openssl), made once per checkout under .local/bench. */
function loopbackCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, "issuer-key.pem");
  const certFile = join(dir, "issuer-cert.pem");
  if (!existsSync(certFile)) {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "3650", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  }
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

interface Case {
  name: string;
  entry: string;
  exportName: string;
  event: unknown;
  /** Build-time constants of the bundled variant (the unbundled one runs without them). */
  define?: Record<string, string>;
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
  const load = machineLoad();
  // Lambda runs Node 22; only this Node 20 process would print the SDK's version notice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const table = await startGalleryTable();
  const dir = join(PROJECT_DIR, ".local", "bench", "cold-start");
  mkdirSync(dir, { recursive: true });
  const tls = loopbackCertificate(dir);
  const issuer = await startTestIssuer({ tls });
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
    // An https:// issuer: aws-jwt-verify's own HTTPS fetch of the JWKS, as from cognito-idp.<region>.amazonaws.com.
    JWT_ISSUER: issuer.issuer("bench"),
    USER_POOL_CLIENT_ID: "bench-client",
    NODE_EXTRA_CA_CERTS: tls.certFile,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const token = issuer.token({ sub: "bench-user", poolId: "bench", clientId: "bench-client" });
  const build = (entry: string, slug: string, define?: Record<string, string>) => {
    // Built exactly as ServerlessApi builds the route's function.
    const bundle = bundleEntry(entry, apiBundleOptions(define ? { define } : undefined));
    const bundled = join(dir, `${slug}.bundled.mjs`);
    writeFileSync(bundled, bundle.code);
    const unbundled = join(dir, `${slug}.unbundled.mjs`);
    // Our own modules transpiled into one file; every package imported from node_modules at run time.
    buildSync({ entryPoints: [join(PROJECT_DIR, entry)], bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", outfile: unbundled, logLevel: "silent" });
    return { bundle, bundled, unbundled };
  };

  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  try {
    // A real album of the bench user, so listing its photos answers 200 (not 404).
    const albums = build("handlers/api/albums.ts", "albums");
    const created = await timeColdStart(runner, albums.bundled, "create", env, apiEvent({ method: "POST", resource: "/api/albums", body: { title: "Bench album" }, sub: "bench-user" }));
    const albumId = (JSON.parse(JSON.parse(created.output).body) as { albumId: string }).albumId;
    const cases: Case[] = [
      { name: "health", entry: "handlers/api/health.ts", exportName: "handler", event: apiEvent({ method: "GET", resource: "/api/health" }) },
      { name: "albums (list)", entry: "handlers/api/albums.ts", exportName: "list", event: apiEvent({ method: "GET", resource: "/api/albums", sub: "bench-user" }) },
      { name: "albums (create)", entry: "handlers/api/albums.ts", exportName: "create", event: apiEvent({ method: "POST", resource: "/api/albums", body: { title: "Bench" }, sub: "bench-user" }) },
      { name: "photos (list)", entry: "handlers/api/photos.ts", exportName: "list", event: apiEvent({ method: "GET", resource: "/api/albums/{albumId}/photos", pathParameters: { albumId }, sub: "bench-user" }) },
      { name: "authorizer (HTTPS JWKS)", entry: "handlers/api/authorizer.ts", exportName: "handler", event: { type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/api/albums" } },
      // The JWKS baked into the bundle (handlers/api/authorizer.ts __AUTHORIZER_JWKS__): no HTTPS fetch on a cold
      // start; the unbundled handler still fetches it over HTTPS, as the issue's target compares.
      {
        name: "authorizer (JWKS baked; unbundled fetches over HTTPS)",
        entry: "handlers/api/authorizer.ts",
        exportName: "handler",
        event: { type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/api/albums" },
        define: { __AUTHORIZER_JWKS__: JSON.stringify(JSON.stringify(issuer.jwks)) },
      },
    ];
    // Node's own start (and the runner) with a handler that does nothing: both variants pay it.
    const noop = join(dir, "noop.mjs");
    writeFileSync(noop, "export const handler = async () => ({ statusCode: 200 });\n");
    const baseline: number[] = [];
    for (let i = 0; i < SAMPLES; i++) baseline.push((await timeColdStart(runner, noop, "handler", env, {})).ms);
    const nodeMs = summarise(baseline).median;
    notes.push(`node start + runner with a no-op handler: ${formatSummary(summarise(baseline), 0)} ms (in both columns; "net ratio" leaves it out)`);
    for (const c of cases) {
      const { bundle, bundled, unbundled } = build(c.entry, c.name.replace(/[^a-z]+/g, "-"), c.define);
      const times = { bundled: [] as number[], unbundled: [] as number[] };
      const statuses = new Set<string>();
      // Warm the file system cache once, then alternate so drift hits both equally.
      await timeColdStart(runner, bundled, c.exportName, env, c.event);
      await timeColdStart(runner, unbundled, c.exportName, env, c.event);
      for (let i = 0; i < SAMPLES; i++) {
        const b = await timeColdStart(runner, bundled, c.exportName, env, c.event);
        const u = await timeColdStart(runner, unbundled, c.exportName, env, c.event);
        times.bundled.push(b.ms);
        times.unbundled.push(u.ms);
        statuses.add(String(JSON.parse(b.output).statusCode));
        statuses.add(String(JSON.parse(u.output).statusCode));
      }
      const ratios = summarise(pairedRatios(times.bundled, times.unbundled));
      const net = summarise(times.bundled.map((b, i) => Math.max(0, b - nodeMs) / Math.max(1, times.unbundled[i] - nodeMs)));
      const codeBytes = Buffer.byteLength(bundle.code);
      rows.push([c.name, Math.round(codeBytes / 1024), Math.round(bundle.zippedBytes / 1024), formatSummary(summarise(times.bundled), 0), formatSummary(summarise(times.unbundled), 0), formatSummary(ratios), net.median, [...statuses].join(",")]);
      notes.push(verdict(`${c.name}: bundled vs unbundled cold start, paired`, ratios, "<=", TARGET_RATIO, "×"));
      notes.push(verdict(`${c.name}: the same net of node's own start (both pay it)`, net, "<=", TARGET_RATIO, "×"));
      notes.push(check(`${c.name}: bundle ≤ 350 KB minified`, codeBytes <= TARGET_BYTES, `${Math.round(codeBytes / 1024)} KB (deployment zip ${Math.round(bundle.zippedBytes / 1024)} KB)`));
      const authorizer = c.entry.endsWith("authorizer.ts");
      const answered = [...statuses];
      const ok = answered.length > 0 && answered.every((status) => (authorizer ? status === "Allow" : /^2\d\d$/.test(status)));
      notes.push(check(`${c.name}: answers ${authorizer ? "Allow" : "2xx"} bundled and unbundled`, ok, answered.join(", ")));
    }
  } finally {
    await table.stop();
    await issuer.stop();
  }
  return [
    {
      title: `API handler cold start: bundled vs unbundled (${SAMPLES} interleaved pairs of fresh processes, spawn → first response; ${load})`,
      columns: ["handler", "bundle KB", "zip KB", "bundled ms min/med/max", "unbundled ms min/med/max", "ratio min/med/max", "net ratio (med)", "status"],
      // Targets apply to every API handler; the issue names the authorizer's and the bundle sizes.
      rows,
      notes,
    },
  ];
}
