import { createHook } from "node:async_hooks";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Worker } from "node:worker_threads";
import { afterEach, assert, describe, expect, it } from "vitest";
import type { EdgeLogicRegisteredSpec } from "../../components/edge-logic";
import { codeProblem } from "../../components/edge-logic/function-code";
import { clearRegisteredSpecs, registerSpec } from "../../components/spec-registry";
import { normalise, withBehaviourPatterns } from "../../components/static-site/spec";
import {
  CloudFrontFunctionSandbox, createEdgeRuntime, EdgeFunctionError, functionEvent, lambdaEvent, requestFromFunction, responseFromFunction, RUNAWAY_TIMEOUT_MS, RunawayError,
  type CloudFrontFunctionOptions, type EdgeRequest,
} from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";
import { siteService } from "../../local/services/site";
import type { LocalContext } from "../../local/services/types";
import { openDoor } from "../harness/front-door";
import { startDevApp } from "../setup/dev-app";

const fixture = (name: string) => readFileSync(`tests/fixtures/edge/${name}`, "utf8");
const viewerRequest = (uri: string): EdgeRequest => ({ method: "GET", uri, querystring: "", headers: { host: ["localhost"] }, clientIp: "127.0.0.1" });
const event = functionEvent("viewer-request", viewerRequest("/"), undefined, "localhost");

/** Sandboxes this file started: each runs in a worker thread, which is terminated after its test. */
const started: CloudFrontFunctionSandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});

/** This process's threads, as the kernel lists them (Linux). */
const threadCount = () => readdirSync("/proc/self/task").length;

/** An EdgeLogic spec's CloudFront Function on the default behaviour. */
const edgeFunction = (key: "viewer-request" | "viewer-response", code: string) => ({ key, file: `${key}.js`, eventType: key, pathPatterns: ["default"], config: {}, code, codeBytes: code.length, keyValueStore: false, comment: "" });
/** Associations of both of an EdgeLogic's viewer functions with the default behaviour. */
const viewerAssociations = (edgeLogic: string) =>
  (["viewer-request", "viewer-response"] as const).map((key) => ({ pathPattern: "default", eventType: key, kind: "function" as const, edgeLogic, key, arn: "arn" }));

function sandboxOf(code: string, options?: CloudFrontFunctionOptions): CloudFrontFunctionSandbox {
  const sandbox = new CloudFrontFunctionSandbox(code, options);
  started.push(sandbox);
  return sandbox;
}

describe("the CloudFront Functions sandbox is as strict as cloudfront-js-2.0", () => {
  it.each([
    ["require('fs')", "uses-fs.js", /Cannot find module 'fs': cloudfront-js-2\.0 has no module 'fs' \(only 'cloudfront'\)/],
    ["setTimeout", "uses-timer.js", /ReferenceError: setTimeout is not defined/],
    ["fetch", "uses-fetch.js", /ReferenceError: fetch is not defined/],
    ["eval", "uses-eval.js", /EvalError: Code generation from strings disallowed/],
    ["the host's Function constructor", "escape.js", /EvalError: Code generation from strings disallowed/],
    ["an endless loop", "busy-loop.js", /was stopped after 20 ms of wall-clock time: runaway code/],
  ])("fails a function that uses %s", async (_, file, message) => {
    // Only the endless loop's invocation gets the short runaway timeout: on a loaded machine a compile or another
    // fixture's first run can take longer than 20 ms of wall-clock time, and the timeout would then hide the error the
    // test is about (a compile stopped at 20 ms failed this test under load).
    const sandbox = sandboxOf(fixture(file), { name: file, runawayTimeoutMs: file === "busy-loop.js" ? 20 : undefined, compileTimeoutMs: RUNAWAY_TIMEOUT_MS });
    await expect(sandbox.invoke(event)).rejects.toThrow(message);
  });

  it("refuses a module import other than cloudfront when compiling", async () => {
    await expect(sandboxOf(fixture("imports-module.js")).compiled()).rejects.toThrow(/Cannot use import statement/);
  });

  it("offers the cloudfront module's KeyValueStore helpers over the spec's data, and captures console output", async () => {
    const code = `import cf from 'cloudfront';
      const kvs = cf.kvs();
      async function handler(event) {
        console.log('looking up', event.request.uri);
        const flags = await kvs.get('flags', { format: 'json' });
        let missing;
        try { await kvs.get('nope'); } catch (e) { missing = e.message; }
        return { statusCode: 200, headers: { 'x-beta': { value: String(flags.beta) }, 'x-missing': { value: missing }, 'x-exists': { value: String(await kvs.exists('flags')) } } };
      }`;
    const sandbox = sandboxOf(code, { keyValueStore: { flags: JSON.stringify({ beta: true }) } });
    const result: any = await sandbox.invoke(event);
    expect(result.headers).toEqual({ "x-beta": { value: "true" }, "x-missing": { value: "Key nope not found" }, "x-exists": { value: "true" } });
    expect(sandbox.logs).toEqual(["looking up /"]);
    await expect(sandboxOf(code).compiled()).rejects.toThrow(/No KeyValueStore is associated with this function/);
  });

  it("keeps nothing from the host: state set by one invocation's event never leaks into the host", async () => {
    const sandbox = sandboxOf("function handler(event) { event.request.uri = '/changed'; return event.request; }");
    const result: any = await sandbox.invoke(event);
    expect(result.uri).toBe("/changed");
    expect((event as any).request.uri).toBe("/");
  });
});

describe("the sandbox limits compute as CloudFront does, not the machine's wall-clock time", () => {
  const passThrough = "function handler(event) { return event.request; }";
  /** A CPU clock for injected per-invocation costs: the sandbox reads it before and after each invocation. */
  const cpuClock = (costs: (invocation: number) => number) => {
    let now = 0;
    let reads = 0;
    return () => {
      if (reads++ % 2 === 1) now += costs(Math.floor(reads / 2));
      return now;
    };
  };

  it("serves a function that is slow in wall time because the thread was held up, but light on CPU (a busy machine)", async () => {
    // Atomics.wait parks the thread for 300 ms without using CPU, as a descheduled thread on a
    // loaded machine does; the old 100 ms wall-clock budget failed such requests with a 503.
    const code = "function handler(event) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300); return event.request; }";
    const warnings: string[] = [];
    const sandbox = sandboxOf(code, { name: "held-up", cpuClock: cpuClock(() => 0.05), warn: (m) => warnings.push(m) });
    for (let i = 0; i < 2; i++) expect(await sandbox.invoke<{ uri: string }>(event)).toMatchObject({ uri: "/" });
    expect(warnings).toEqual([]);
  });

  it("warns once when a function is heavy: each of 10 warm invocations used more CPU than CloudFront's budget; it still answers", async () => {
    const warnings: string[] = [];
    // The first (cold) invocation includes V8's lazy compile and is not judged.
    const sandbox = sandboxOf(passThrough, { name: "heavy", cpuClock: cpuClock((n) => (n === 1 ? 20 : 1.5)), warn: (m) => warnings.push(m) });
    for (let i = 0; i < 10; i++) expect(await sandbox.invoke<{ uri: string }>(event)).toMatchObject({ uri: "/" });
    expect(sandbox.lastComputeMs).toBe(1.5);
    expect(warnings).toEqual([]);
    for (let i = 0; i < 5; i++) expect(await sandbox.invoke<{ uri: string }>(event)).toMatchObject({ uri: "/" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^CloudFront Function heavy used at least 1\.50 ms of CPU in each of its last 10 invocations, over CloudFront's compute budget of about 1 ms/);
    expect(warnings[0]).toContain("aws cloudfront test-function");
  });

  it("does not warn for a light function, even when some invocations are slow (GC, other threads, a loaded machine)", async () => {
    const warnings: string[] = [];
    const sandbox = sandboxOf(passThrough, { name: "light", cpuClock: cpuClock((n) => (n % 3 === 0 ? 8 : 0.3)), warn: (m) => warnings.push(m) });
    for (let i = 0; i < 30; i++) await sandbox.invoke(event);
    expect(warnings).toEqual([]);
  });

  it("stops runaway code after an await and in the function's top-level code", async () => {
    const afterAwait = `import cf from 'cloudfront';
      const kvs = cf.kvs();
      async function handler(event) { await kvs.get('flags'); for (;;) {} }`;
    const sandbox = sandboxOf(afterAwait, { name: "after-await", runawayTimeoutMs: 20, compileTimeoutMs: RUNAWAY_TIMEOUT_MS, keyValueStore: { flags: "{}" } });
    await expect(sandbox.invoke(event)).rejects.toThrow(/was stopped after 20 ms of wall-clock time: runaway code/);
    await expect(sandboxOf(`for (;;) {}\n${passThrough}`, { name: "top-level", runawayTimeoutMs: 20 }).compiled()).rejects.toThrow(/^was stopped after 20 ms of wall-clock time: its top-level code ran away/);
  });
});

describe("each sandbox runs in a worker thread of its own", () => {
  /**
   * A compile's time limit no test waits out: the compile is waited for without blocking, so vitest's own timeout ends
   * the test first, and only the thread's end can answer.
   */
  const NEVER_MS = 60 * 60_000;
  /**
   * An invocation's time limit, for a test where the thread's end must wake the caller. The caller waits in
   * Atomics.wait, where vitest's timeout cannot fire: one not woken by the thread's end waits this limit out (and then
   * reports it as the compute it gave, lastComputeMs), bounded well within vitest's timeout, never an hour.
   */
  const WAITED_OUT_MS = 60_000;
  /** A sandbox, and the worker threads it starts. */
  function watched(code: string, options: CloudFrontFunctionOptions) {
    const threads: Worker[] = [];
    const sandbox = sandboxOf(code, { ...options, onThread: (worker) => threads.push(worker) });
    return { sandbox, threads };
  }
  const on = (uri: string) => functionEvent("viewer-request", viewerRequest(uri), undefined, "localhost");

  it("stops code that runs away after an await while promise hooks are on, without aborting the process, and serves the next request", async () => {
    // Promise hooks on, as the Pulumi SDK's AsyncLocalStorage has them in `npm start` (and in a shared test worker
    // after a file that ran a program). With the context in this thread, node's vm timeout ended a microtask of the
    // context's own queue and node aborted the whole process ("async hook stack has become corrupted", nodejs/node#38503).
    const hook = createHook({ init() {} }).enable();
    try {
      const code = `import cf from 'cloudfront';
        const kvs = cf.kvs();
        async function handler(event) { await kvs.get('flags'); if (event.request.uri === '/loop') for (;;) {} return event.request; }`;
      const { sandbox, threads } = watched(code, { name: "after-await", runawayTimeoutMs: 20, compileTimeoutMs: RUNAWAY_TIMEOUT_MS, keyValueStore: { flags: "{}" } });
      const stopped = once(threads[0], "exit");
      await expect(sandbox.invoke(on("/loop"))).rejects.toThrow(/^was stopped after 20 ms of wall-clock time: runaway code/);
      // Node found its async context stack corrupted at the next callback from native code (an immediate) and aborted there.
      await new Promise((resolve) => setImmediate(resolve));
      expect(await stopped).toEqual([1]);
      // The next request compiles the function in a fresh thread and is served (with the default limit: a request
      // that must succeed is never given 20 ms of a loaded machine's wall-clock time).
      sandbox.runawayTimeoutMs = RUNAWAY_TIMEOUT_MS;
      expect(await sandbox.invoke<{ uri: string }>(on("/"))).toMatchObject({ uri: "/" });
      expect(threads).toHaveLength(2);
    } finally {
      hook.disable();
    }
  });

  it("terminates a thread that never answers, and compiles the function in a fresh thread for the next request", async () => {
    // Atomics.wait on a buffer nobody notifies: the thread sleeps for good, answering nothing.
    const code = "function handler(event) { if (event.request.uri === '/stuck') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); return event.request; }";
    const { sandbox, threads } = watched(code, { name: "stuck", runawayTimeoutMs: 20, compileTimeoutMs: RUNAWAY_TIMEOUT_MS });
    const stopped = once(threads[0], "exit");
    const stuck = sandbox.invoke(on("/stuck"));
    await expect(stuck).rejects.toThrow(/^was stopped after 20 ms of wall-clock time: runaway code/);
    // What the bench tolerates (a stall of the machine), told from the function's own errors by its class.
    await expect(stuck).rejects.toBeInstanceOf(RunawayError);
    expect(await stopped).toEqual([1]);
    sandbox.runawayTimeoutMs = RUNAWAY_TIMEOUT_MS;
    expect(await sandbox.invoke<{ uri: string }>(on("/about"))).toMatchObject({ uri: "/about" });
    expect(threads).toHaveLength(2);
  });

  it("answers a function that redefines the bridge's globals, instead of losing its thread to an exception there", async () => {
    // A getter that is a string when checked and a function when read again; then a setter that throws. Either ended
    // the thread with an exception outside the function's run, and the caller waited out the runaway timeout.
    const outcomeTwice = `var reads = 0;
      Object.defineProperty(globalThis, "__outcome", { get: function () { return ++reads % 2 ? '{"ok":true,"value":"first read"}' : function () {}; }, set: function () {} });
      function handler(event) { return event.request; }`;
    const { sandbox, threads } = watched(outcomeTwice, { name: "outcome-getter" });
    expect(await sandbox.invoke(event)).toBe("first read");
    const throwingSetter = `Object.defineProperty(globalThis, "__event", { get: function () { return "{}"; }, set: function () { throw new Error("no event here"); } });
      function handler(event) { return event.request; }`;
    const second = watched(throwingSetter, { name: "event-setter" });
    await expect(second.sandbox.invoke(event)).rejects.toThrow(/^no event here$/);
    expect([...threads, ...second.threads]).toHaveLength(2);
  });

  it("tells a function stopped by its thread's memory limit from runaway code as soon as the thread dies, and serves the next request in a fresh thread", async () => {
    // Arrays of a million numbers (8 MB each) fill the thread's 64 MB heap within a few. The runaway timeout is longer
    // than this test may run: the caller, asleep in Atomics.wait, must be woken by the thread's death, not wait it out.
    const code = "function handler(event) { if (event.request.uri === '/hoard') { var kept = []; for (;;) kept.push(new Array(1e6).fill(0)); } return event.request; }";
    const { sandbox, threads } = watched(code, { name: "hoarder", runawayTimeoutMs: WAITED_OUT_MS, compileTimeoutMs: RUNAWAY_TIMEOUT_MS });
    const died = once(threads[0], "error");
    const hoarding = sandbox.invoke(on("/hoard"));
    await expect(hoarding).rejects.not.toBeInstanceOf(RunawayError);
    await expect(hoarding).rejects.toThrow(/^was stopped for exceeding the local sandbox's memory limit \(64 MB of heap\): does it allocate without bound\?$/);
    // Woken by the thread's end: what it ran, not the limit waited out.
    expect(sandbox.lastComputeMs).toBeLessThan(WAITED_OUT_MS);
    expect(((await died)[0] as { code: string }).code).toBe("ERR_WORKER_OUT_OF_MEMORY");
    expect(await sandbox.invoke<{ uri: string }>(on("/"))).toMatchObject({ uri: "/" });
    expect(threads).toHaveLength(2);
  });

  it("tells a compile stopped by the thread's memory limit as soon as the thread dies", async () => {
    // The top-level code hoards; the compile's time limit is longer than this test may run.
    const code = "var kept = []; for (;;) kept.push(new Array(1e6).fill(0));\nfunction handler(event) { return event.request; }";
    const { sandbox, threads } = watched(code, { name: "hoarding-top-level", compileTimeoutMs: NEVER_MS });
    await expect(sandbox.invoke(event)).rejects.toThrow(/^was stopped for exceeding the local sandbox's memory limit \(64 MB of heap\)/);
    // A failed compile is not tried again (the code cannot change while the sandbox lives): later requests are told at
    // once, with no new thread.
    await expect(sandbox.invoke(event)).rejects.toThrow(/^was stopped for exceeding the local sandbox's memory limit/);
    await expect(sandbox.compiled()).rejects.toThrow(/^was stopped for exceeding the local sandbox's memory limit/);
    expect(threads).toHaveLength(1);
  });

  it("does not compile a function whose compile failed again: later requests are told at once, with no new thread", async () => {
    const { sandbox, threads } = watched('throw new Error("broken at the top");\nfunction handler(event) { return event.request; }', { name: "broken-top-level" });
    await expect(sandbox.invoke(event)).rejects.toThrow(/broken at the top/);
    await expect(sandbox.invoke(event)).rejects.toThrow(/broken at the top/);
    await expect(sandbox.compiled()).rejects.toThrow(/broken at the top/);
    expect(threads).toHaveLength(1);
  });

  it("runs each request that waited for the compile, in a fresh thread when another of them lost the thread first", async () => {
    // Both wait for the compile; the first to run fills the thread's heap. The second had not run when the thread died:
    // it is served in a fresh thread, not failed with the first one's error (nor does it stop that fresh thread).
    const code = "function handler(event) { if (event.request.uri === '/hoard') { var kept = []; for (;;) kept.push(new Array(1e6).fill(0)); } return event.request; }";
    const { sandbox, threads } = watched(code, { name: "hoarder-and-neighbour", runawayTimeoutMs: WAITED_OUT_MS, compileTimeoutMs: RUNAWAY_TIMEOUT_MS });
    const [hoarding, neighbour] = await Promise.allSettled([sandbox.invoke(on("/hoard")), sandbox.invoke<{ uri: string }>(on("/neighbour"))]);
    expect(hoarding).toMatchObject({ status: "rejected", reason: { message: expect.stringMatching(/^was stopped for exceeding the local sandbox's memory limit/) } });
    expect(neighbour).toMatchObject({ status: "fulfilled", value: { uri: "/neighbour" } });
    expect(threads).toHaveLength(2);
  });

  it("close() terminates the thread; a closed sandbox refuses invocations", async () => {
    const { sandbox, threads } = watched("function handler(event) { return event.request; }", { name: "closing" });
    expect(await sandbox.invoke<{ uri: string }>(event)).toMatchObject({ uri: "/" });
    const stopped = once(threads[0], "exit");
    await sandbox.close();
    expect(await stopped).toEqual([1]);
    await expect(sandbox.invoke(event)).rejects.toThrow("the sandbox is closed");
    expect(threads).toHaveLength(1);
  });

  it("terminates the thread of a sandbox dropped without close() once it is collected (StaticSite's own function in a front door)", async () => {
    // A gc() of this test's own: --expose-gc for one new context only, then off again (V8's flags are process-wide,
    // and every later context, a sandbox's too, would get a global gc).
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    setFlagsFromString("--no-expose-gc");
    const threads: Worker[] = [];
    // In a function of its own, so that nothing here still holds the sandbox once it has answered.
    const serveOnce = async () => {
      const sandbox = new CloudFrontFunctionSandbox("function handler(event) { return event.request; }", { name: "dropped", onThread: (worker) => threads.push(worker) });
      return sandbox.invoke<{ uri: string }>(event);
    };
    expect(await serveOnce()).toMatchObject({ uri: "/" });
    const stopped = once(threads[0], "exit");
    gc();
    expect(await stopped).toEqual([1]);
  });

  it("closes a site's CloudFront Functions with its edge runtime", async () => {
    const spec: EdgeLogicRegisteredSpec = {
      name: "edge",
      functions: [{ key: "viewer-request", file: "viewer-request.js", eventType: "viewer-request", pathPatterns: ["default"], config: {}, code: "function handler(event) { return event.request; }", codeBytes: 50, keyValueStore: false, comment: "" }],
      lambdas: [],
      logs: { regions: [], retentionDays: 30 },
    };
    registerSpec("EdgeLogic", "edge", spec);
    const runtime = createEdgeRuntime([{ pathPattern: "default", eventType: "viewer-request", kind: "function", edgeLogic: "edge", key: "viewer-request", arn: "arn" }], () => {
      throw new Error("no Lambda@Edge here");
    });
    const runner = runtime.behaviour("default")["viewer-request"]!;
    expect(await runner.onRequest(viewerRequest("/a"), "localhost")).toMatchObject({ request: { uri: "/a" } });
    await runtime.close();
    await expect(runner.onRequest(viewerRequest("/a"), "localhost")).rejects.toThrow(new EdgeFunctionError("edge-viewer-request", "viewer-request", "the sandbox is closed"));
  });

  it("starts all of a site's CloudFront Functions' threads before waiting for any compile; compileFailures() tells which failed", async () => {
    // The first function's top-level code never finishes: a runtime that waited for each compile in turn started the
    // second thread only after giving up on the first.
    const spec: EdgeLogicRegisteredSpec = {
      name: "together",
      functions: [edgeFunction("viewer-request", "for (;;) {}\nfunction handler(event) { return event.request; }"), edgeFunction("viewer-response", "function handler(event) { return event.response; }")],
      lambdas: [],
      logs: { regions: [], retentionDays: 30 },
    };
    registerSpec("EdgeLogic", "together", spec);
    const threads: Worker[] = [];
    const runtime = createEdgeRuntime(
      viewerAssociations("together"),
      () => {
        throw new Error("no Lambda@Edge here");
      },
      { runawayTimeoutMs: 20, onThread: (worker) => threads.push(worker) },
    );
    try {
      expect(threads).toHaveLength(2);
      const failures = await runtime.compileFailures();
      expect(failures.map((failure) => failure.message)).toEqual(["together-viewer-request (viewer-request): was stopped after 20 ms of wall-clock time: its top-level code ran away (an endless loop?)."]);
      expect(failures[0]).toBeInstanceOf(EdgeFunctionError);
    } finally {
      await runtime.close();
    }
  });

  /** A site of its own (this test's only: a program's run clears them too) whose viewer functions are `viewerRequest` and `viewerResponse`. */
  function siteWithFunctions(name: string, viewerRequest: string, viewerResponse: string) {
    clearRegisteredSpecs();
    registerSpec<EdgeLogicRegisteredSpec>("EdgeLogic", name, {
      name,
      functions: [edgeFunction("viewer-request", viewerRequest), edgeFunction("viewer-response", viewerResponse)],
      lambdas: [],
      logs: { regions: [], retentionDays: 30 },
    });
    registerSpec("StaticSite", `${name}-site`, normalise(`${name}-site`, withBehaviourPatterns({ path: "tests/fixtures/multi-page-site", edge: viewerAssociations(name) })));
    const logged: string[] = [];
    const waiting: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
    const log = (line: string) => {
      logged.push(line);
      for (const waiter of waiting.filter((w) => w.pattern.test(line))) waiter.resolve(line);
    };
    /** The first line logged that matches `pattern`, once it is. */
    const logLine = (pattern: RegExp) => new Promise<string>((resolve) => (logged.some((line) => pattern.test(line)) ? resolve(logged.find((line) => pattern.test(line))!) : waiting.push({ pattern, resolve })));
    const context = { port: 0, watch: false, origins: new Map(), siteUrls: new Map(), environment: {}, log, lambda: () => assert.fail("no Lambda@Edge here") };
    return { context: context as unknown as LocalContext, logged, logLine };
  }

  it.runIf(existsSync("/proc/self/task"))("serves a site before its CloudFront Functions have compiled: a function whose top-level code never finishes does not hold up the start, and its thread ends with the site", async () => {
    // The compile never answers (its time limit, 5 s, is what a start that waited for it failed with); the other
    // function compiles. The start does not wait for either.
    const { context, logged } = siteWithFunctions("slow", "for (;;) {}\nfunction handler(event) { return event.request; }", "function handler(event) { return event.response; }");
    const before = threadCount();
    const started = await siteService.start(context);
    try {
      expect(started?.urls?.["slow-site"]).toMatch(/^http:\/\/localhost:\d+$/);
    } finally {
      await started?.stop();
    }
    // Stopped while compiling: nothing was reported as a failure, and the looping thread was terminated.
    expect(logged.filter((line) => /CloudFront Function/.test(line))).toEqual([]);
    expect(threadCount()).toBeLessThanOrEqual(before);
  });

  it.runIf(existsSync("/proc/self/task"))("a site whose function throws at load starts, logs that it failed to load, fails the requests it handles with CloudFront's 503, and ends its threads when stopped", async () => {
    // Code the program's own check lets through (it parses, and has its handler): only running its top level fails it.
    const broken = "throw new TypeError('broken at the top');\nfunction handler(event) { return event.response; }";
    expect(codeProblem(broken)).toBeUndefined();
    const { context, logLine } = siteWithFunctions("half", "function handler(event) { return event.request; }", broken);
    const before = threadCount();
    const started = await siteService.start(context);
    try {
      expect(await logLine(/CloudFront Function/)).toBe('site "half-site": CloudFront Function half-viewer-response (viewer-response): TypeError: broken at the top\n  It failed to load: the requests it handles answer 503.');
      // The viewer-response function fails each response it handles, as CloudFront fails a function that throws.
      const response = await fetch(`${started!.urls!["half-site"]}/index.html`);
      expect(response.status).toBe(503);
      expect(await logLine(/answered 503/)).toMatch(/^front door: GET \/index\.html answered 503: EdgeFunctionError: half-viewer-response \(viewer-response\): TypeError: broken at the top/);
    } finally {
      await started?.stop();
    }
    // The viewer-request function's thread and the broken one's (each request tries a fresh one), and the watcher, ended.
    expect(threadCount()).toBeLessThanOrEqual(before);
  });

  it("closes StaticSite's own function (the SPA fallback) with the front door", async () => {
    const door = createFrontDoor(normalise("spa", withBehaviourPatterns({ path: "tests/fixtures/multi-page-site", spa: true })), new Map(), { log: () => undefined });
    const open = await openDoor(door);
    // The SPA fallback (StaticSite's own viewer-request function) serves the index document for a client route.
    expect((await fetch(`${open.base}/some/client/route`)).status).toBe(200);
    await open.close();
    // Served again by the closed door: the function's sandbox was closed with it (its thread terminated), so CloudFront's 503.
    const reopened = await openDoor(door);
    try {
      expect((await fetch(`${reopened.base}/some/client/route`)).status).toBe(503);
    } finally {
      await reopened.close();
    }
  });
});

describe("npm start's CloudFront Functions' threads end with the app", () => {
  it.runIf(existsSync("/proc/self/task"))("leaves no thread behind when the dev app stops, the thread-end watcher its requests started included", async () => {
    /** A page the dev site's viewer-request and viewer-response functions run for: the first run starts the watcher. */
    const servePage = async (app: Awaited<ReturnType<typeof startDevApp>>) => expect((await fetch(`${app.urls.site}/`)).status).toBe(200);
    // A first start, request and stop: what node and the SDKs start once per process (and keep: libuv's pool, which
    // resolving localhost starts) is then running already.
    const first = await startDevApp("sf-edge-threads-");
    try {
      await servePage(first);
    } finally {
      await first.stop();
    }
    const before = threadCount();
    const app = await startDevApp("sf-edge-threads-");
    try {
      // The dev stack's CloudFront Functions (viewer-request, viewer-response) run in threads of their own.
      expect(threadCount()).toBeGreaterThanOrEqual(before + 2);
      await servePage(app);
    } finally {
      await app.stop();
    }
    // At most as many: a sandbox an earlier file of this process dropped may be collected meanwhile, and its thread end.
    expect(threadCount()).toBeLessThanOrEqual(before);
  });
});

describe("CloudFront event shapes", () => {
  const request = { method: "GET", uri: "/a", querystring: "x=1&x=2&y=", headers: { host: ["d.cloudfront.net"], cookie: ["a=1; b=2"], accept: ["text/html"] }, clientIp: "203.0.113.1" };

  it("gives CloudFront Functions lower-case headers, parsed cookies and multi-value query strings, and reads them back", () => {
    const e: any = functionEvent("viewer-request", request, undefined, "d.cloudfront.net");
    expect(e).toMatchObject({ version: "1.0", context: { eventType: "viewer-request", distributionDomainName: "d.cloudfront.net" }, viewer: { ip: "203.0.113.1" } });
    expect(e.request.headers).toEqual({ host: { value: "d.cloudfront.net" }, accept: { value: "text/html" } });
    expect(e.request.cookies).toEqual({ a: { value: "1" }, b: { value: "2" } });
    expect(e.request.querystring).toEqual({ x: { value: "1", multiValue: [{ value: "1" }, { value: "2" }] }, y: { value: "" } });
    const back = requestFromFunction(e.request, request);
    expect(back.headers.cookie).toEqual(["a=1; b=2"]);
    expect(back.querystring).toBe("x=1&x=2&y=");
    expect(responseFromFunction({ statusCode: 302, headers: { location: { value: "/x" } }, cookies: { s: { value: "1", attributes: "Path=/" } } }).headers)
      .toEqual({ location: ["/x"], "set-cookie": ["s=1; Path=/"] });
  });

  it("gives Lambda@Edge Records[0].cf with key/value header lists and a raw query string", () => {
    const e: any = lambdaEvent("origin-request", request, undefined, "d.cloudfront.net", false);
    expect(e.Records[0].cf.config).toMatchObject({ distributionDomainName: "d.cloudfront.net", eventType: "origin-request" });
    expect(e.Records[0].cf.request).toMatchObject({ clientIp: "203.0.113.1", method: "GET", uri: "/a", querystring: "x=1&x=2&y=" });
    expect(e.Records[0].cf.request.headers.host).toEqual([{ key: "Host", value: "d.cloudfront.net" }]);
    expect(e.Records[0].cf.request.origin.s3).toMatchObject({ authMethod: "origin-access-control", domainName: expect.any(String), path: "" });
    const response: any = lambdaEvent("origin-response", request, { status: 404, headers: { "content-type": ["text/html"] } }, "d", false);
    expect(response.Records[0].cf.response).toEqual({ status: "404", statusDescription: "", headers: { "content-type": [{ key: "Content-Type", value: "text/html" }] } });
  });
});
