/**
 * `npm run bench -- edge`: the reference app's edge functions in both stacks (dev, prod),
 * taken from the EdgeLogic specs index.ts registers under mocks (one process per stack:
 * Pulumi's mocks are process-wide).
 * - CloudFront Functions: code bytes (target ≤ 3 KB each, issue 15; AWS's limit is 10 KB)
 *   and time per invocation in the cloudfront-js-2.0 sandbox (target: median under 0.5 ms),
 *   in interleaved rounds against a baseline function that returns the request;
 * - Lambda@Edge: zipped bytes against the limit of the event it runs on (1 MB viewer,
 *   50 MB origin), and a warm invocation in the local Lambda runtime against an echo function.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EdgeLogicRegisteredSpec } from "../components/edge-logic";
import { EDGE_LIMITS } from "../components/edge-logic/spec";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { registeredSpecs } from "../components/spec-registry";
import { CloudFrontFunctionSandbox, functionEvent, lambdaEvent, RUNAWAY_TIMEOUT_MS, RunawayError, type EdgeRequest } from "../local/edge-runtime";
import { LocalLambda } from "../local/lambda-runtime";
import { PROJECT_DIR, runProgramOffline } from "../local/offline/program";
import type { BenchTable } from "./run";
import { check, formatSummary, machineLoad, pairedRatios, SAMPLES, summarise, verdict } from "./stats";

const STACKS = ["dev", "prod"];
const HOST = "d111111abcdef8.cloudfront.net";
const BASELINE_CODE = "function handler(event) { return event.request; }";
const TARGET_CODE_BYTES = 3 * 1024;
const TARGET_MEDIAN_MS = 0.5;
const CALLS_PER_ROUND = { cloudFront: 2000, lambda: 200 };

function request(uri: string, cookie?: string): EdgeRequest {
  return {
    method: "GET", uri, querystring: "ref=bench",
    headers: { host: [HOST], accept: ["text/html"], "user-agent": ["bench"], ...(cookie ? { cookie: [cookie] } : {}) },
    clientIp: "198.51.100.11",
  };
}

/**
 * Calls the sandbox stopped as runaway code (no answer within RUNAWAY_TIMEOUT_MS of wall-clock time: a stall of the
 * shared machine): counted, timed, not fatal. Any other error is the function's, and fails the bench.
 */
let stoppedCalls = 0;

/** Median time of one call over `calls` calls (after as many warm-up calls). */
async function medianCall(call: () => Promise<unknown>, calls: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < calls * 2; i++) {
    const start = performance.now();
    try {
      await call();
    } catch (error) {
      if (!(error instanceof RunawayError)) throw error;
      stoppedCalls++;
    }
    if (i >= calls) samples.push(performance.now() - start);
  }
  return summarise(samples).median;
}

/** `rounds` interleaved rounds of (baseline, subject): each round's median call time of both. */
async function paired(baseline: () => Promise<unknown>, subject: () => Promise<unknown>, calls: number): Promise<{ base: number[]; subject: number[] }> {
  const result = { base: [] as number[], subject: [] as number[] };
  for (let round = 0; round < SAMPLES; round++) {
    result.base.push(await medianCall(baseline, calls));
    result.subject.push(await medianCall(subject, calls));
  }
  return result;
}

async function cloudFrontFunctions(stack: string, specs: EdgeLogicRegisteredSpec[]): Promise<BenchTable> {
  const baseline = new CloudFrontFunctionSandbox(BASELINE_CODE, { name: "baseline" });
  // Each sandbox runs in a worker thread: terminated once measured.
  const sandboxes = [baseline];
  const baselineEvent = functionEvent("viewer-request", request("/index.html"), undefined, HOST);
  const rows: BenchTable["rows"] = [];
  const notes: string[] = [];
  try {
    for (const spec of specs) {
      for (const fn of spec.functions) {
        const name = `${spec.name}-${fn.key}`;
        notes.push(check(`${stack} ${name}: code ≤ 3 KB`, fn.codeBytes <= TARGET_CODE_BYTES, `${fn.codeBytes} bytes (${((fn.codeBytes / EDGE_LIMITS.functionCodeBytes) * 100).toFixed(0)}% of AWS's 10 KB)`));
        const sandbox = new CloudFrontFunctionSandbox(fn.code, { name: fn.key, keyValueStore: fn.keyValueStore ? spec.keyValueStore?.data : undefined });
        sandboxes.push(sandbox);
        const cases = fn.eventType === "viewer-request"
          ? [["new visitor on /", request("/")], ["sticky visitor on /", request("/", "gallery-ab-home=b")], ["clean URL /about", request("/about")], ["KVS redirect /about-us", request("/about-us")]] as const
          : [["page response", request("/index.html", "x=1")]] as const;
        for (const [label, req] of cases) {
          const event = fn.eventType === "viewer-request"
            ? functionEvent("viewer-request", req, undefined, HOST)
            : functionEvent("viewer-response", { ...req, headers: { ...req.headers, "x-experiment-assigned": ["gallery-ab-home=b"] } }, { status: 200, headers: { "content-type": ["text/html"] } }, HOST);
          const times = await paired(() => baseline.invoke(baselineEvent), () => sandbox.invoke(event), CALLS_PER_ROUND.cloudFront);
          const micros = summarise(times.subject.map((ms) => ms * 1000));
          rows.push([`${name}: ${label}`, fn.codeBytes, formatSummary(micros, 0), formatSummary(summarise(times.base.map((ms) => ms * 1000)), 0), formatSummary(summarise(pairedRatios(times.subject, times.base)))]);
          notes.push(verdict(`${stack} ${name} (${label}): median per invocation`, summarise(times.subject), "<=", TARGET_MEDIAN_MS, " ms", 3));
        }
      }
    }
  } finally {
    await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
  }
  notes.push("times include the JSON bridge into and out of the sandbox and the round trip to its worker thread (a message each way, a wake-up); CloudFront's runtime pays neither");
  if (stoppedCalls > 0) notes.push(`${stoppedCalls} call(s) were stopped as runaway code, unanswered after ${RUNAWAY_TIMEOUT_MS} ms (timed like the others): the machine stalled`);
  return {
    title: `${stack}: CloudFront Functions (cloudfront-js-2.0 sandbox, node:vm in a worker thread; ${SAMPLES} interleaved rounds of ${CALLS_PER_ROUND.cloudFront} calls against the baseline)`,
    columns: ["function: case", "code bytes", "median µs min/med/max", "baseline µs min/med/max", "× baseline min/med/max"],
    rows,
    notes,
  };
}

async function lambdaEdge(stack: string, specs: EdgeLogicRegisteredSpec[]): Promise<BenchTable> {
  const buildDir = mkdtempSync(join(tmpdir(), "sf-bench-edge-"));
  const local = (spec: LambdaFunctionSpec) => new LocalLambda(spec, { buildDir, sharedEnvironment: { AWS_REGION: "us-east-1" } });
  const rows: BenchTable["rows"] = [];
  const notes: string[] = [];
  const sandboxes: LocalLambda[] = [];
  try {
    const first = specs.flatMap((spec) => spec.lambdas)[0]?.function;
    if (!first) return { title: `${stack}: Lambda@Edge`, columns: ["function"], rows: [], notes: [`${stack} declares no Lambda@Edge function`] };
    // Baseline: the same runtime round trip to a function that does next to nothing (tests/fixtures/handlers/echo.ts).
    const baseline = local({ ...first, name: "edge-bench-baseline", entry: join(__dirname, "../tests/fixtures/handlers/echo.ts"), handler: "handler", bundle: {} });
    sandboxes.push(baseline);
    for (const spec of specs) {
      for (const lambda of spec.lambdas) {
        const viewer = lambda.eventType.startsWith("viewer-");
        const limit = viewer ? EDGE_LIMITS.viewer.zippedBytes : EDGE_LIMITS.origin.zippedBytes;
        const sandbox = local(lambda.function);
        sandboxes.push(sandbox);
        const req = request(viewer ? "/account/" : "/about.html", "gallery-id-token=not-a-token");
        const event = lambda.eventType.endsWith("-response")
          ? lambdaEvent(lambda.eventType, req, { status: 200, headers: { "content-type": ["text/html"] } }, HOST, false)
          : lambdaEvent(lambda.eventType, req, undefined, HOST, false);
        const times = await paired(() => baseline.invoke({ message: "x" }), () => sandbox.invoke(event), CALLS_PER_ROUND.lambda);
        const name = `${spec.name}-${lambda.key} (${lambda.eventType})`;
        rows.push([name, lambda.zippedBytes, `${((lambda.zippedBytes / limit) * 100).toFixed(2)}% of ${viewer ? "1 MB" : "50 MB"}`, `${lambda.memorySize} MB / ${lambda.timeout} s`, formatSummary(summarise(times.subject.map((ms) => ms * 1000)), 0), formatSummary(summarise(pairedRatios(times.subject, times.base)))]);
        notes.push(check(`${stack} ${name}: zipped bundle within Lambda@Edge's ${viewer ? "1 MB viewer" : "50 MB origin"} limit`, lambda.zippedBytes <= limit, `${lambda.zippedBytes} bytes`));
      }
    }
  } finally {
    for (const sandbox of sandboxes) await sandbox.stop();
  }
  notes.push("local times are a worker-thread round trip, not Lambda@Edge latency; sizes are what CloudFront's limits apply to");
  return {
    title: `${stack}: Lambda@Edge (zipped bundle against the event's limit; warm invocation in the local Lambda runtime, ${SAMPLES} interleaved rounds against an echo function)`,
    columns: ["function", "zipped bytes", "of limit", "memory / timeout", "median µs min/med/max", "× echo min/med/max"],
    rows,
    notes,
  };
}

/** This process measures one stack (BENCH_EDGE_STACK) and prints its tables as JSON. */
async function measureStack(stack: string): Promise<BenchTable[]> {
  await runProgramOffline({ stack });
  const specs = registeredSpecs<EdgeLogicRegisteredSpec>("EdgeLogic").map((entry) => entry.spec);
  if (specs.length === 0) return [{ title: `${stack}: edge`, columns: ["function"], rows: [], notes: [`${stack}: index.ts constructed no EdgeLogic (edgeEnabled is false)`] }];
  return [await cloudFrontFunctions(stack, specs), await lambdaEdge(stack, specs)];
}

export async function run(): Promise<BenchTable[]> {
  const tables: BenchTable[] = [];
  for (const stack of STACKS) {
    const child = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", __filename], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      env: { ...process.env, BENCH_EDGE_STACK: stack },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 600_000,
    });
    const line = child.stdout.trim().split("\n").at(-1) ?? "";
    if (child.status !== 0 || !line.startsWith("[")) throw new Error(`edge bench for ${stack} failed (${child.status}): ${child.stderr.slice(-1500)}`);
    tables.push(...(JSON.parse(line) as BenchTable[]));
  }
  tables[0].notes = [...(tables[0].notes ?? []), machineLoad()];
  return tables;
}

if (require.main === module && process.env.BENCH_EDGE_STACK) {
  measureStack(process.env.BENCH_EDGE_STACK).then(
    (tables) => {
      console.log(JSON.stringify(tables));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
