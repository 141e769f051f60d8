/**
 * `npm run bench -- edge`: the reference app's edge functions, taken from the EdgeLogic
 * spec index.ts registers (dev stack, under mocks).
 * - size: CloudFront Function code bytes against the 10 KB limit; Lambda@Edge zipped
 *   bytes against the limit of the event it runs on (1 MB viewer, 50 MB origin);
 * - time per invocation in the local sandboxes, with CloudFront's event shapes, as a
 *   ratio to a baseline measured in the same run (a function that returns the request
 *   unchanged). Target: CloudFront Functions well under 1 ms.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EdgeLogicRegisteredSpec } from "../components/edge-logic";
import { EDGE_LIMITS } from "../components/edge-logic/spec";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { registeredSpecs } from "../components/spec-registry";
import { CloudFrontFunctionSandbox, functionEvent, lambdaEvent, type EdgeRequest } from "../local/edge-runtime";
import { LocalLambda } from "../local/lambda-runtime";
import { runProgramOffline } from "../local/offline/program";
import type { BenchTable } from "./run";

const HOST = "d111111abcdef8.cloudfront.net";
const BASELINE_CODE = "function handler(event) { return event.request; }";

function request(uri: string, cookie?: string): EdgeRequest {
  return {
    method: "GET", uri, querystring: "ref=bench",
    headers: { host: [HOST], accept: ["text/html"], "user-agent": ["bench"], ...(cookie ? { cookie: [cookie] } : {}) },
    clientIp: "198.51.100.11",
  };
}

/** Median and 99th percentile of `iterations` timed calls, after a warm-up. */
async function time(call: () => Promise<unknown>, iterations: number): Promise<{ median: number; p99: number }> {
  for (let i = 0; i < Math.min(200, iterations); i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], p99: samples[Math.floor(samples.length * 0.99)] };
}

async function edgeSpecs(): Promise<EdgeLogicRegisteredSpec[]> {
  await runProgramOffline({ stack: "dev" });
  const specs = registeredSpecs<EdgeLogicRegisteredSpec>("EdgeLogic").map((entry) => entry.spec);
  if (specs.length === 0) throw new Error("index.ts constructed no EdgeLogic (is edgeEnabled false?)");
  return specs;
}

async function cloudFrontFunctions(specs: EdgeLogicRegisteredSpec[]): Promise<BenchTable> {
  const baseline = new CloudFrontFunctionSandbox(BASELINE_CODE, { name: "baseline" });
  const baselineEvent = functionEvent("viewer-request", request("/index.html"), undefined, HOST);
  const base = await time(() => baseline.invoke(baselineEvent), 5000);
  const rows: BenchTable["rows"] = [["baseline (returns the request)", Buffer.byteLength(BASELINE_CODE), "-", base.median * 1000, base.p99 * 1000, 1]];
  let worst = 0;
  let worstTail = 0;
  for (const spec of specs) {
    for (const fn of spec.functions) {
      const sandbox = new CloudFrontFunctionSandbox(fn.code, { name: fn.key, keyValueStore: fn.keyValueStore ? spec.keyValueStore?.data : undefined });
      const cases = fn.eventType === "viewer-request"
        ? [["new visitor on /", request("/")], ["sticky visitor on /", request("/", "gallery-ab-home=b")], ["clean URL /about", request("/about")], ["KVS redirect /about-us", request("/about-us")]] as const
        : [["page response", request("/index.html", "x=1")]] as const;
      for (const [label, req] of cases) {
        const event = fn.eventType === "viewer-request"
          ? functionEvent("viewer-request", req, undefined, HOST)
          : functionEvent("viewer-response", { ...req, headers: { ...req.headers, "x-experiment-assigned": ["gallery-ab-home=b"] } }, { status: 200, headers: { "content-type": ["text/html"] } }, HOST);
        const t = await time(() => sandbox.invoke(event), 5000);
        worst = Math.max(worst, t.median);
        worstTail = Math.max(worstTail, t.p99);
        rows.push([`${spec.name}-${fn.key}: ${label}`, fn.codeBytes, `${((fn.codeBytes / EDGE_LIMITS.functionCodeBytes) * 100).toFixed(1)}%`, t.median * 1000, t.p99 * 1000, t.median / base.median]);
      }
    }
  }
  return {
    title: "CloudFront Functions (cloudfront-js-2.0 sandbox, node:vm)",
    columns: ["function: case", "code bytes", "of 10 KB", "median µs", "p99 µs", "× baseline"],
    rows,
    notes: [
      `target: well under 1 ms per invocation — worst median ${(worst * 1000).toFixed(0)} µs: ${worst < 0.5 ? "met" : "NOT met"} (worst p99 ${(worstTail * 1000).toFixed(0)} µs: GC and a shared machine show in the tail)`,
      "times include the JSON bridge into and out of the sandbox and the vm timeout's per-call watchdog (the time budget); CloudFront's runtime pays neither",
    ],
  };
}

async function lambdaEdge(specs: EdgeLogicRegisteredSpec[]): Promise<BenchTable> {
  const buildDir = mkdtempSync(join(tmpdir(), "sf-bench-edge-"));
  const local = (spec: LambdaFunctionSpec) => new LocalLambda(spec, { buildDir, sharedEnvironment: { AWS_REGION: "us-east-1" } });
  const rows: BenchTable["rows"] = [];
  const sandboxes: LocalLambda[] = [];
  try {
    // Baseline: the same runtime round trip to a function that does next to nothing (tests/fixtures/handlers/echo.ts).
    const first = specs[0].lambdas[0]?.function;
    if (!first) throw new Error("index.ts declares no Lambda@Edge function");
    const baseline = local({ ...first, name: "edge-bench-baseline", entry: join(__dirname, "../tests/fixtures/handlers/echo.ts"), handler: "handler", bundle: {} });
    sandboxes.push(baseline);
    const base = await time(() => baseline.invoke({ message: "x" }), 300);
    rows.push(["baseline (echo)", "-", "-", `${first.memorySize} MB / ${first.timeout} s`, base.median * 1000, base.p99 * 1000, 1]);
    for (const spec of specs) {
      for (const lambda of spec.lambdas) {
        const viewer = lambda.eventType.startsWith("viewer-");
        const limit = viewer ? EDGE_LIMITS.viewer.zippedBytes : EDGE_LIMITS.origin.zippedBytes;
        const sandbox = local(lambda.function);
        sandboxes.push(sandbox);
        const req = request(lambda.eventType.startsWith("viewer-") ? "/account/" : "/about.html", "gallery-id-token=not-a-token");
        const event = lambda.eventType.endsWith("-response")
          ? lambdaEvent(lambda.eventType, req, { status: 200, headers: { "content-type": ["text/html"] } }, HOST, false)
          : lambdaEvent(lambda.eventType, req, undefined, HOST, false);
        const t = await time(() => sandbox.invoke(event), 300);
        rows.push([`${spec.name}-${lambda.key} (${lambda.eventType})`, lambda.zippedBytes, `${((lambda.zippedBytes / limit) * 100).toFixed(2)}% of ${viewer ? "1 MB" : "50 MB"}`, `${lambda.memorySize} MB / ${lambda.timeout} s`, t.median * 1000, t.p99 * 1000, t.median / base.median]);
      }
    }
  } finally {
    for (const sandbox of sandboxes) await sandbox.stop();
  }
  return {
    title: "Lambda@Edge (zipped bundle against the event's limit; warm invocation in the local Lambda runtime)",
    columns: ["function", "zipped bytes", "of limit", "memory / timeout", "median µs", "p99 µs", "× baseline"],
    rows,
    notes: ["local times are a worker-thread round trip, not Lambda@Edge latency; sizes are what CloudFront's limits apply to"],
  };
}

export async function run(): Promise<BenchTable[]> {
  const specs = await edgeSpecs();
  return [await cloudFrontFunctions(specs), await lambdaEdge(specs)];
}
