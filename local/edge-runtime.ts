/**
 * The local edge: CloudFront Functions in a `node:vm` sandbox as strict as
 * cloudfront-js-2.0, and Lambda@Edge functions in the local Lambda runtime, both
 * fed CloudFront's event shapes. Which function runs where comes from the specs:
 * StaticSite's `edge` associations name an EdgeLogic and a key, and the EdgeLogic's
 * registered spec holds the exact code (or LambdaFunction spec) that deploys.
 *
 * The CloudFront Functions sandbox: a fresh V8 context whose global has no prototype
 * link to the host; no `require` but the `cloudfront` module (KeyValueStore helpers over
 * the spec's data), no timers, no fetch or other network, no `eval`/`new Function`
 * (code generation from strings is disabled). The context has its own microtask queue,
 * drained inside the same `runInContext` call, so an async handler (one that awaits
 * KeyValueStore reads) runs to completion in one synchronous, interruptible step.
 *
 * Time: CloudFront limits a function's compute, not the wall-clock time a request takes
 * (see COMPUTE_BUDGET_MS). Each invocation's CPU time is measured and a function that
 * would exceed CloudFront's budget gets a warning; a busy machine that makes an
 * invocation slow in wall time never fails a request. Only code that is still running
 * after RUNAWAY_TIMEOUT_MS of wall time (an endless loop) is stopped, and fails.
 */
import { Script, createContext, type Context } from "node:vm";
import type { EdgeAssociation, EdgeEventType } from "../components/edge-logic/associations";
import type { EdgeLogicRegisteredSpec } from "../components/edge-logic";
import { sandboxScriptSource } from "../components/edge-logic/function-code";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { registeredSpecs } from "../components/spec-registry";
import {
  functionEvent, isLambdaResponse, lambdaEvent, requestFromFunction, requestFromLambda, responseFromFunction, responseFromLambda,
  type EdgeRequest, type EdgeResponse,
} from "./edge-events";

export * from "./edge-events";

/**
 * CloudFront's compute budget for one invocation, as CPU time. CloudFront limits how long a
 * function may compute and reports it as compute utilization, "the amount of time that the
 * function took to run as a percentage of the maximum allowed time"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-function-restrictions.html#cloudfront-function-restrictions-compute-utilization,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_TestResult.html). AWS does not
 * publish the maximum in milliseconds; about 1 ms is the commonly reported figure, and this
 * machine's CPU is not CloudFront's, so the local warning is a hint: confirm with
 * `aws cloudfront test-function`, whose result carries ComputeUtilization.
 */
export const COMPUTE_BUDGET_MS = 1;

/** How many warm invocations the compute warning judges together (see checkCompute). */
const COMPUTE_SAMPLES = 10;

/**
 * Wall-clock limit that only stops runaway code (an endless loop): far above any real
 * invocation, so a loaded machine, a GC pause or a descheduled thread never trips it.
 */
export const RUNAWAY_TIMEOUT_MS = 5_000;

/** Milliseconds of CPU this thread (or, on Node versions without `process.threadCpuUsage`, this process) has used. */
export function cpuTimeMs(): number {
  const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  const usage = typeof threadCpuUsage === "function" ? threadCpuUsage.call(process) : process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export class EdgeFunctionError extends Error {
  constructor(readonly functionName: string, readonly eventType: EdgeEventType, message: string) {
    super(`${functionName} (${eventType}): ${message}`);
    this.name = "EdgeFunctionError";
  }
}

// ---------------------------------------------------------------- CloudFront Functions sandbox

/** Runs inside the context before the function: console, require('cloudfront') and the JSON bridge. */
const PRELUDE = `
var __logs = [];
var console = (function () {
  function write() { var parts = []; for (var i = 0; i < arguments.length; i++) parts.push(typeof arguments[i] === "string" ? arguments[i] : JSON.stringify(arguments[i])); __logs.push(parts.join(" ")); }
  return { log: write, info: write, warn: write, error: write, debug: write };
})();
var __kvsData = JSON.parse(__kvsJson);
var require = function (name) {
  if (name !== "cloudfront") throw new Error("Cannot find module '" + name + "': cloudfront-js-2.0 has no module '" + name + "' (only 'cloudfront')");
  return {
    kvs: function () {
      if (__kvsData === null) throw new Error("No KeyValueStore is associated with this function");
      function lookup(key) {
        if (!Object.prototype.hasOwnProperty.call(__kvsData, key)) throw new Error("Key " + key + " not found");
        return __kvsData[key];
      }
      return {
        get: function (key, options) {
          return new Promise(function (resolve) {
            var value = lookup(key);
            var format = options && options.format;
            resolve(format === "json" ? JSON.parse(value) : value);
          });
        },
        exists: function (key) { return Promise.resolve(Object.prototype.hasOwnProperty.call(__kvsData, key)); },
        meta: function () { return Promise.resolve({ creationDateTime: "1970-01-01T00:00:00Z", lastUpdatedDateTime: "1970-01-01T00:00:00Z", keyCount: Object.keys(__kvsData).length }); },
      };
    },
  };
};
`;

const INVOKE = `
__outcome = undefined; __logs = [];
(function () {
  function settle(ok, value) { __outcome = JSON.stringify({ ok: ok, value: ok ? value : String(value && value.stack || value) }); }
  try {
    var result = handler(JSON.parse(__event));
    if (result && typeof result.then === "function") result.then(function (v) { settle(true, v); }, function (e) { settle(false, e); });
    else settle(true, result);
  } catch (e) { settle(false, e); }
})();
`;

export interface CloudFrontFunctionOptions {
  /** KeyValueStore contents; undefined when no store is associated. */
  keyValueStore?: Record<string, string>;
  /**
   * Wall-clock time after which a still-running invocation is stopped as runaway code.
   * @default RUNAWAY_TIMEOUT_MS
   */
  runawayTimeoutMs?: number;
  /**
   * The same for the compile (the function's top-level code). Separate so a test can stop an invocation after a few
   * milliseconds without its compile, slow on a loaded machine, being stopped first.
   * @default runawayTimeoutMs
   */
  compileTimeoutMs?: number;
  /**
   * CPU time per invocation above which the function gets a warning (it would likely exceed CloudFront's compute budget).
   * @default COMPUTE_BUDGET_MS
   */
  computeBudgetMs?: number;
  /**
   * Reads CPU time in milliseconds; invocations are measured as the difference around the run. Tests inject a clock.
   * @default cpuTimeMs
   */
  cpuClock?: () => number;
  /**
   * Where the compute warning goes.
   * @default console.warn
   */
  warn?: (message: string) => void;
  name?: string;
}

/** One CloudFront Function, compiled once into its own context and invoked per event. */
export class CloudFrontFunctionSandbox {
  private readonly context: Context;
  private readonly invokeScript = new Script(INVOKE, { filename: "cloudfront-invoke.js" });
  private readonly cpuClock: () => number;
  private readonly warn: (message: string) => void;
  private invocations = 0;
  private readonly recentComputeMs: number[] = [];
  private warned = false;
  readonly name: string;
  readonly runawayTimeoutMs: number;
  readonly computeBudgetMs: number;
  /** Lines the function logged during the last invocation. */
  logs: string[] = [];
  /** CPU time of the last invocation, in milliseconds (the JSON bridge in and out of the sandbox included). */
  lastComputeMs = 0;

  constructor(code: string, options: CloudFrontFunctionOptions = {}) {
    this.name = options.name ?? "function";
    this.runawayTimeoutMs = options.runawayTimeoutMs ?? RUNAWAY_TIMEOUT_MS;
    this.computeBudgetMs = options.computeBudgetMs ?? COMPUTE_BUDGET_MS;
    this.cpuClock = options.cpuClock ?? cpuTimeMs;
    this.warn = options.warn ?? ((message) => console.warn(message));
    // A null-prototype global: nothing in the context leads back to the host's Function constructor.
    const global = Object.create(null) as Record<string, unknown>;
    global.__kvsJson = JSON.stringify(options.keyValueStore ?? null);
    // afterEvaluate: the context's own microtask queue, drained before runInContext returns and under its timeout.
    this.context = createContext(global, { codeGeneration: { strings: false, wasm: false }, name: this.name, microtaskMode: "afterEvaluate" });
    new Script(PRELUDE, { filename: "cloudfront-prelude.js" }).runInContext(this.context);
    delete global.__kvsJson;
    this.run(new Script(sandboxScriptSource(code), { filename: `${this.name}.js` }), options.compileTimeoutMs ?? this.runawayTimeoutMs);
    if (new Script("typeof handler").runInContext(this.context) !== "function") {
      throw new Error(`${this.name}: the code defines no handler function`);
    }
  }

  /** Runs `handler(event)`; resolves with what it returned (as JSON data) or rejects with why it failed. */
  async invoke<T = unknown>(event: unknown): Promise<T> {
    const global = this.context as Record<string, unknown>;
    global.__event = JSON.stringify(event);
    const cpuBefore = this.cpuClock();
    try {
      this.run(this.invokeScript);
    } finally {
      this.lastComputeMs = this.cpuClock() - cpuBefore;
      this.logs = [...(global.__logs as string[])];
    }
    this.invocations++;
    this.checkCompute();
    const outcome = global.__outcome as string | undefined;
    if (outcome === undefined) throw new Error("returned a promise that never settled (CloudFront Functions cannot wait on timers or network)");
    const parsed = JSON.parse(outcome) as { ok: boolean; value: unknown };
    if (!parsed.ok) throw new Error(String(parsed.value));
    return parsed.value as T;
  }

  /** Runs a script in the sandbox (its microtasks included), stopping it only when it runs away. */
  private run(script: Script, timeoutMs = this.runawayTimeoutMs): void {
    try {
      script.runInContext(this.context, { timeout: timeoutMs });
    } catch (error) {
      if (/Script execution timed out/.test((error as Error).message)) {
        throw new Error(`was stopped after ${timeoutMs} ms of wall-clock time: runaway code (an endless loop?). CloudFront would fail it for exceeding its compute budget.`);
      }
      throw error;
    }
  }

  /**
   * Warns (once per function) when the function is heavy: even the cheapest of its last
   * COMPUTE_SAMPLES warm invocations used more CPU than CloudFront allows. Noise only adds CPU
   * (GC, other threads of this process, a loaded machine's cache misses), so the minimum is the
   * function's own cost. The first invocation is not judged: it includes V8 compiling lazily.
   */
  private checkCompute(): void {
    if (this.warned || this.invocations < 2) return;
    this.recentComputeMs.push(this.lastComputeMs);
    if (this.recentComputeMs.length > COMPUTE_SAMPLES) this.recentComputeMs.shift();
    const cheapest = Math.min(...this.recentComputeMs);
    if (this.recentComputeMs.length < COMPUTE_SAMPLES || cheapest <= this.computeBudgetMs) return;
    this.warned = true;
    this.warn(
      `CloudFront Function ${this.name} used at least ${cheapest.toFixed(2)} ms of CPU in each of its last ${COMPUTE_SAMPLES} invocations, over CloudFront's compute budget of about ${this.computeBudgetMs} ms: ` +
        "on AWS it may fail or be throttled. Check its ComputeUtilization with `aws cloudfront test-function`. (Measured locally; not repeated for this function.)",
    );
  }
}

// ---------------------------------------------------------------- runners

/** What a request-side function decided: carry on with a (possibly changed) request, or answer now. */
export type RequestOutcome = { request: EdgeRequest; response?: undefined } | { response: EdgeResponse; request?: undefined };

export interface EdgeRunner {
  name: string;
  kind: "function" | "lambda";
  eventType: EdgeEventType;
  onRequest(request: EdgeRequest, host: string): Promise<RequestOutcome>;
  onResponse(request: EdgeRequest, response: EdgeResponse, host: string): Promise<EdgeResponse>;
}

/** Invokes Lambda@Edge handlers; `context.lambda` from the local app. */
export type LambdaHost = (spec: LambdaFunctionSpec) => { invoke<T = unknown>(event: unknown): Promise<T> };

export function cloudFrontFunctionRunner(name: string, eventType: "viewer-request" | "viewer-response", sandbox: CloudFrontFunctionSandbox): EdgeRunner {
  const run = async (event: unknown) => {
    try {
      return await sandbox.invoke<any>(event);
    } catch (error) {
      throw new EdgeFunctionError(name, eventType, (error as Error).message);
    }
  };
  return {
    name,
    kind: "function",
    eventType,
    async onRequest(request, host) {
      const result = await run(functionEvent("viewer-request", request, undefined, host));
      if (result && typeof result === "object" && "statusCode" in result) return { response: responseFromFunction(result) };
      if (!result || typeof result !== "object" || typeof result.uri !== "string") throw new EdgeFunctionError(name, eventType, "returned neither a request nor a response object");
      return { request: requestFromFunction(result, request) };
    },
    async onResponse(request, response, host) {
      const result = await run(functionEvent("viewer-response", request, response, host));
      if (!result || typeof result !== "object" || !("statusCode" in result)) throw new EdgeFunctionError(name, eventType, "did not return a response object");
      return { ...responseFromFunction(result), body: response.body };
    },
  };
}

export function lambdaEdgeRunner(name: string, eventType: EdgeEventType, spec: LambdaFunctionSpec, host: LambdaHost, includeBody: boolean): EdgeRunner {
  const run = async (event: unknown) => {
    try {
      return await host(spec).invoke<any>(event);
    } catch (error) {
      throw new EdgeFunctionError(name, eventType, (error as Error).message);
    }
  };
  return {
    name,
    kind: "lambda",
    eventType,
    async onRequest(request, distributionHost) {
      const result = await run(lambdaEvent(eventType, request, undefined, distributionHost, includeBody));
      if (isLambdaResponse(result)) return { response: responseFromLambda(result) };
      if (!result || typeof result.uri !== "string") throw new EdgeFunctionError(name, eventType, "returned neither a request nor a response object");
      return { request: requestFromLambda(result, request) };
    },
    async onResponse(request, response, distributionHost) {
      const result = await run(lambdaEvent(eventType, request, response, distributionHost, false));
      if (!isLambdaResponse(result)) throw new EdgeFunctionError(name, eventType, "did not return a response object");
      // Lambda@Edge cannot read an origin's body; it keeps it unless it generates one.
      const changed = responseFromLambda(result);
      return { ...changed, body: result.body === undefined ? response.body : changed.body };
    },
  };
}

/** The functions of one behaviour, by event type. */
export type BehaviourRunners = Partial<Record<EdgeEventType, EdgeRunner>>;

export interface EdgeRuntime {
  /** Runners for a behaviour (`"default"` or a path pattern); empty when none are attached. */
  behaviour(pathPattern: string): BehaviourRunners;
}

/**
 * Builds the runners for a site's associations from the EdgeLogic specs registered while
 * index.ts ran. Fails loudly when an association names an EdgeLogic or key that no spec has.
 */
export function createEdgeRuntime(associations: readonly EdgeAssociation[], lambdaHost: LambdaHost, options: Pick<CloudFrontFunctionOptions, "runawayTimeoutMs" | "computeBudgetMs" | "warn"> = {}): EdgeRuntime {
  const specs = new Map(registeredSpecs<EdgeLogicRegisteredSpec>("EdgeLogic").map((entry) => [entry.name, entry.spec]));
  const sandboxes = new Map<string, CloudFrontFunctionSandbox>();
  const byBehaviour = new Map<string, BehaviourRunners>();
  for (const association of associations) {
    const spec = specs.get(association.edgeLogic);
    if (!spec) throw new Error(`No EdgeLogic "${association.edgeLogic}" was constructed by index.ts, but a StaticSite attaches its ${association.key}.`);
    const name = `${association.edgeLogic}-${association.key}`;
    let runner: EdgeRunner;
    if (association.kind === "function") {
      const fn = spec.functions.find((f) => f.key === association.key);
      if (!fn) throw new Error(`EdgeLogic "${association.edgeLogic}" has no CloudFront Function "${association.key}".`);
      let sandbox = sandboxes.get(name);
      if (!sandbox) {
        sandbox = new CloudFrontFunctionSandbox(fn.code, { ...options, name, keyValueStore: fn.keyValueStore ? spec.keyValueStore?.data : undefined });
        sandboxes.set(name, sandbox);
      }
      runner = cloudFrontFunctionRunner(name, fn.eventType, sandbox);
    } else {
      const lambda = spec.lambdas.find((l) => l.key === association.key);
      if (!lambda) throw new Error(`EdgeLogic "${association.edgeLogic}" has no Lambda@Edge function "${association.key}".`);
      runner = lambdaEdgeRunner(name, association.eventType, lambda.function, lambdaHost, association.includeBody ?? false);
    }
    const runners = byBehaviour.get(association.pathPattern) ?? {};
    runners[association.eventType] = runner;
    byBehaviour.set(association.pathPattern, runners);
  }
  return { behaviour: (pathPattern) => byBehaviour.get(pathPattern) ?? {} };
}
