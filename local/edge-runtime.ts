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
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { EdgeAssociation, EdgeEventType } from "../components/edge-logic/associations";
import type { EdgeLogicRegisteredSpec } from "../components/edge-logic";
import { sandboxScriptSource } from "../components/edge-logic/function-code";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { registeredSpecs } from "../components/spec-registry";
import {
  changedResponseFromFunction, changedResponseFromLambda, type EdgeNotice, functionEvent, generatedResponseFromFunction, generatedResponseFromLambda, InvalidEdgeResult,
  isLambdaResponse, lambdaEvent, requestFromFunction, requestFromLambda, type EdgeRequest, type EdgeResponse,
} from "./edge-events";
import { workerModuleUrl } from "./worker-module-url";

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

export class EdgeFunctionError extends Error {
  constructor(readonly functionName: string, readonly eventType: EdgeEventType, message: string) {
    super(`${functionName} (${eventType}): ${message}`);
    this.name = "EdgeFunctionError";
  }
}

/** What a function's code threw, for the log: its type too when it says more than "Error" (a TypeError, a RangeError). */
function thrownText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
}

// ---------------------------------------------------------------- CloudFront Functions sandbox

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
   * Reads CPU time in milliseconds; invocations are then measured as the difference around the round trip to the
   * sandbox's thread. Tests inject a clock. By default the thread measures its own CPU time around each run.
   */
  cpuClock?: () => number;
  /**
   * Where the compute warning goes.
   * @default console.warn
   */
  warn?: (message: string) => void;
  /** Called with each worker thread the sandbox starts (tests watch them end). */
  onThread?: (worker: Worker) => void;
  name?: string;
}

/**
 * How long the caller waits for a new sandbox thread to start running the function's code: node's bootstrap of a
 * worker, which a loaded machine can make slow. Generous; only a thread that never starts reaches it.
 */
const THREAD_START_TIMEOUT_MS = 30_000;

/**
 * A sandbox thread's heap limits: room for a KeyValueStore's data (up to 5 MB, EDGE_LIMITS.keyValueStore, parsed in the
 * thread) and a function's own garbage, while a function that allocates without bound ends its own thread (the caller
 * is woken as soon as it has ended, THREAD_ENDS, and told why once node has said: outOfMemoryError) instead of growing
 * the local runtime's memory.
 */
const THREAD_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 };

/** Atomics.waitAsync (node 16 and later), which TypeScript declares from lib es2024 only, past this project's. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: unknown } }).waitAsync;

/** The values of a sandbox thread's signal word (cloudfront-function-worker.mjs sets RUNNING and ANSWERED too). */
const STARTING = 0;
const RUNNING = 1;
const ANSWERED = 2;
/** Set once the thread has ended, whatever ended it (by THREAD_ENDS, or on its 'exit'); final. */
const ENDED = 3;

/**
 * The watcher's code (an eval'd worker): each sandbox thread holds one end of a lifeline channel for as long as it
 * runs, and node closes it when the thread ends, however it ends (its memory limit included). The watcher holds the
 * other end, and on its 'close' marks the thread's signal word ENDED and wakes whoever waits on it. Its own event loop
 * is free to see that close while the caller's thread sleeps in Atomics.wait, which delivers no event: a sandbox's
 * 'error' and 'exit' reach the caller only once it stops waiting.
 */
const THREAD_END_WATCHER_SOURCE = `
const { workerData } = require("node:worker_threads");
// Held, so that no lifeline is collected (and closed) while its thread runs.
const lifelines = new Set();
workerData.inbox.on("message", ({ signal, lifeline }) => {
  const word = new Int32Array(signal);
  lifelines.add(lifeline);
  lifeline.once("close", () => {
    lifelines.delete(lifeline);
    Atomics.store(word, 0, ${ENDED});
    Atomics.notify(word, 0);
  });
});
`;

/**
 * One watcher thread for every sandbox thread of the process (THREAD_END_WATCHER_SOURCE), started before the first
 * synchronous wait (an invocation; not at npm start, where it would be one more thread to start before serving) and
 * ended with the last sandbox thread: no thread is left behind once every sandbox has closed.
 */
class ThreadEndWatcher {
  /**
   * The lifelines on their way to the watcher: queued in transit, where this thread never handles their close (it
   * would, and they could no longer be handed on, were they held here), until the watcher takes the inbox.
   */
  private inbox?: MessageChannel;
  private watcher?: Worker;
  private watched = 0;

  /**
   * Marks `signal` ENDED once the thread holding the other end of `lifeline` has ended (once the watcher runs: start).
   * Returns what to call once that thread is gone (terminated), which ends the watcher when it watched the last one.
   */
  watch(signal: SharedArrayBuffer, lifeline: MessagePort): () => Promise<void> {
    this.inbox ??= new MessageChannel();
    this.inbox.port1.postMessage({ signal, lifeline }, [lifeline]);
    this.watched++;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (--this.watched > 0) return;
      const { watcher, inbox } = this;
      this.watcher = undefined;
      this.inbox = undefined;
      inbox?.port1.close();
      await watcher?.terminate();
    };
  }

  /** Starts the watcher, if it is not running; it takes the lifelines posted so far, and the later ones. */
  start(): void {
    if (this.watcher || !this.inbox) return;
    const watcher = new Worker(THREAD_END_WATCHER_SOURCE, { eval: true, workerData: { inbox: this.inbox.port2 }, transferList: [this.inbox.port2] });
    // Should node fail to run it, waits fall back to their time limits, and the next sandbox thread starts another
    // (with an inbox of its own): its error must not end the process (an 'error' without a listener is thrown).
    watcher.on("error", () => {
      if (this.watcher !== watcher) return;
      this.watcher = undefined;
      this.inbox = undefined;
    });
    // It never keeps the process alive.
    watcher.unref();
    this.watcher = watcher;
  }
}

const THREAD_ENDS = new ThreadEndWatcher();

/** What a sandbox thread answers: an error the function's code threw (its name and message), or an invocation's outcome. */
interface ThreadReply {
  error?: { name: string; message: string };
  /** The invocation's settled result as JSON ({ ok, value }); undefined when the handler's promise never settled. */
  outcome?: string;
  logs?: string[];
  computeMs?: number;
}

/** What a sandbox thread needs to compile the function (cloudfront-function-worker.mjs reads it as workerData). */
interface ThreadSetup {
  name: string;
  filename: string;
  source: string;
  kvsJson: string;
}

/**
 * One worker thread running a CloudFront Function (cloudfront-function-worker.mjs). Its compile is waited for without
 * blocking (a site's first request waits for it, not the start), its invocations synchronously: the caller posts, then
 * sleeps in Atomics.wait until the thread has posted its reply and notified, or has ended (THREAD_ENDS), and reads the
 * reply with receiveMessageOnPort. Holds nothing of its sandbox, so a sandbox nobody closed can still be collected
 * (and its thread terminated: SANDBOX_THREADS).
 */
class SandboxThread {
  readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  /** What ended the thread, as node reports it ('error', before 'exit'): its memory limit, say. */
  private endedBy?: Error & { code?: string };
  /** Settles once the thread has ended and node has said why. */
  private readonly exited: Promise<void>;
  /** The compile's outcome, read once (compile). */
  private compileOutcome?: Promise<Error | undefined>;
  /** Set by terminate(): wakes a compile still being waited for. */
  private stopped = false;
  /** Tells THREAD_ENDS that this thread is gone. */
  private readonly unwatch: () => Promise<void>;
  /** Set once the function compiled in this thread. */
  compiled = false;

  constructor(private readonly setup: ThreadSetup) {
    const { port1, port2 } = new MessageChannel();
    const lifeline = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerModuleUrl(__dirname, "cloudfront-function-worker.mjs"), {
      workerData: { ...setup, signal: this.signal.buffer, port: port2, lifeline: lifeline.port2 },
      transferList: [port2, lifeline.port2],
      resourceLimits: THREAD_RESOURCE_LIMITS,
    });
    // Without a listener a dead thread's error would be thrown in the caller's thread, ending the process.
    this.worker.on("error", (error: Error & { code?: string }) => (this.endedBy = error));
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", () => {
        // For a compile being waited for: its wait lets events through, and the watcher may not be running yet.
        Atomics.store(this.signal, 0, ENDED);
        Atomics.notify(this.signal, 0);
        resolve();
      }),
    );
    this.unwatch = THREAD_ENDS.watch(this.signal.buffer, lifeline.port1);
    // Idle sandboxes never keep the process alive.
    this.worker.unref();
  }

  /** The thread has ended (died, or was terminated); it answers nothing more. */
  get ended(): boolean {
    return Atomics.load(this.signal, 0) === ENDED;
  }

  /** Node said the thread died of its memory limit (known once it has ended: `exited`). */
  get outOfMemory(): boolean {
    return this.endedBy?.code === "ERR_WORKER_OUT_OF_MEMORY";
  }

  /**
   * Waits, without blocking this thread, for the function's compile; what failed it (the function's own error, a
   * thread that did not start, or ended, or did not answer within `timeoutMs`), or undefined once it compiled or was
   * stopped by terminate(). Every caller shares the first one's wait.
   */
  compile(timeoutMs: number): Promise<Error | undefined> {
    return (this.compileOutcome ??= this.awaitCompile(timeoutMs));
  }

  private async awaitCompile(timeoutMs: number): Promise<Error | undefined> {
    const started = await this.waitAsyncWhile(STARTING, THREAD_START_TIMEOUT_MS);
    if (started === "timed out") return new Error(`${this.setup.name}: the sandbox's worker thread did not start within ${THREAD_START_TIMEOUT_MS} ms`);
    const waited = started === "changed" ? await this.waitAsyncWhile(RUNNING, timeoutMs) : started;
    // Not the function's failure: its sandbox stopped the thread, and knows why.
    if (waited === "stopped") return undefined;
    if (waited === "timed out") return compileStoppedError(timeoutMs);
    const reply = this.takeReply();
    if (!reply) return this.endedError();
    if (reply.error) return threadError(reply.error);
    this.compiled = true;
    return undefined;
  }

  /**
   * Posts an event to the handler; its reply, or undefined when the thread did not answer within `timeoutMs`
   * (runaway code), or ended first (`ended`: its memory limit).
   */
  invoke(eventJson: string, timeoutMs: number): ThreadReply | undefined {
    // From ANSWERED only: a thread that has ended since its last answer keeps ENDED, and is posted nothing.
    if (Atomics.compareExchange(this.signal, 0, ANSWERED, RUNNING) !== ANSWERED) return undefined;
    THREAD_ENDS.start();
    this.port.postMessage(eventJson);
    if (!this.waitWhile(RUNNING, timeoutMs)) return undefined;
    return this.takeReply();
  }

  /** Why the thread ended by itself, once node has said. */
  async endedError(): Promise<Error> {
    await this.exited;
    if (this.outOfMemory) return outOfMemoryError();
    return new Error(`its sandbox's worker thread ended${this.endedBy ? `: ${this.endedBy.message}` : ""}`);
  }

  /** The reply the thread posted, if it did (it posts before it signals ANSWERED; one that ended may not have). */
  private takeReply(): ThreadReply | undefined {
    return receiveMessageOnPort(this.port)?.message as ThreadReply | undefined;
  }

  /**
   * Sleeps while the signal word holds `state`; false when it still does after `timeoutMs`. A wake-up alone proves
   * nothing: the thread's notify for the previous answer can arrive after this thread has read that answer (seen
   * ANSWERED before the notify) and is waiting for the next one.
   */
  private waitWhile(state: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    while (Atomics.load(this.signal, 0) === state) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.signal, 0, state, left);
    }
    return true;
  }

  /** waitWhile without blocking this thread: "changed", or "timed out" after `timeoutMs`, or "stopped" by terminate(). */
  private async waitAsyncWhile(state: number, timeoutMs: number): Promise<"changed" | "timed out" | "stopped"> {
    let timedOut = false;
    // A pending Atomics.waitAsync does not keep node's event loop alive: this timer does (a compile keeps the process
    // alive, as the wait in this thread did), and wakes the wait at the deadline.
    const deadline = setTimeout(() => {
      timedOut = true;
      Atomics.notify(this.signal, 0);
    }, timeoutMs);
    try {
      while (Atomics.load(this.signal, 0) === state) {
        if (this.stopped) return "stopped";
        if (timedOut) return "timed out";
        const wait = waitAsync(this.signal, 0, state);
        if (wait.async) await wait.value;
      }
      return "changed";
    } finally {
      clearTimeout(deadline);
    }
  }

  async terminate(): Promise<void> {
    this.stopped = true;
    Atomics.notify(this.signal, 0);
    this.port.close();
    await this.worker.terminate();
    await this.unwatch();
  }
}

/** Terminates the thread of a sandbox that was dropped without close() (StaticSite's own function in a front door). */
const SANDBOX_THREADS = new FinalizationRegistry<SandboxThread>((thread) => void thread.terminate());

/** An invocation still running after `ms` milliseconds of wall-clock time, stopped (the bench tells it from a function's own errors). */
export class RunawayError extends Error {
  constructor(ms: number) {
    super(`was stopped after ${ms} ms of wall-clock time: runaway code (an endless loop?). CloudFront would fail it for exceeding its compute budget.`);
  }
}

/** The error of a thread that died of its memory limit (THREAD_RESOURCE_LIMITS). */
function outOfMemoryError(): Error {
  return new Error(`was stopped for exceeding the local sandbox's memory limit (${THREAD_RESOURCE_LIMITS.maxOldGenerationSizeMb} MB of heap): does it allocate without bound?`);
}

/** The error of a compile still running after `ms` milliseconds (a thread that died of its memory limit is told apart: outOfMemoryError). */
function compileStoppedError(ms: number): Error {
  return new Error(`was stopped after ${ms} ms of wall-clock time: its top-level code ran away (an endless loop?).`);
}

/** An error the function's code threw in its thread, rebuilt with its name and message. */
function threadError({ name, message }: { name: string; message: string }): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * One CloudFront Function, compiled once into a context of a worker thread of its own and invoked per event. The
 * constructor starts the thread; the compile is waited for by compiled() or the first invocation, without blocking
 * this thread. Each invocation waits for the thread synchronously, as when the context lived in this thread, and that
 * wait is the runaway guard: a thread that has not answered in time is terminated, and the next invocation compiles
 * the function again in a fresh one. A thread that ends first (its memory limit) wakes the wait at once.
 */
export class CloudFrontFunctionSandbox {
  private readonly setup: ThreadSetup;
  private readonly compileTimeoutMs: number;
  /** What failed the function's compile, given to every later invocation (compiledThread). */
  private compileFailure?: Error;
  private readonly cpuClock?: () => number;
  private readonly warn: (message: string) => void;
  private readonly onThread?: (worker: Worker) => void;
  /** The running thread; undefined once it was stopped (the next invocation starts a fresh one) or closed. */
  private thread?: SandboxThread;
  /** Terminations of threads stopped without waiting (a failed compile, a dead thread): close() waits for them too. */
  private readonly stopping = new Set<Promise<void>>();
  private closed = false;
  private invocations = 0;
  private readonly recentComputeMs: number[] = [];
  private warned = false;
  readonly name: string;
  /** Wall-clock time after which an invocation is stopped as runaway code; read by each invocation. */
  runawayTimeoutMs: number;
  readonly computeBudgetMs: number;
  /** Lines the function logged during the last invocation. */
  logs: string[] = [];
  /**
   * CPU time of the last invocation, in milliseconds (the JSON bridge in and out of the sandbox included); for one
   * stopped as runaway code, the wall-clock time it was given, and for one whose thread died, the time it ran.
   */
  lastComputeMs = 0;

  constructor(code: string, options: CloudFrontFunctionOptions = {}) {
    this.name = options.name ?? "function";
    this.runawayTimeoutMs = options.runawayTimeoutMs ?? RUNAWAY_TIMEOUT_MS;
    this.compileTimeoutMs = options.compileTimeoutMs ?? this.runawayTimeoutMs;
    this.computeBudgetMs = options.computeBudgetMs ?? COMPUTE_BUDGET_MS;
    this.cpuClock = options.cpuClock;
    this.warn = options.warn ?? ((message) => console.warn(message));
    this.onThread = options.onThread;
    this.setup = { name: this.name, filename: `${this.name}.js`, source: sandboxScriptSource(code), kvsJson: JSON.stringify(options.keyValueStore ?? null) };
    // Starting a thread costs tens to hundreds of milliseconds: started now, and waited for only when needed.
    this.thread = this.startThread();
  }

  /** Waits until the function has compiled in its thread; rejects with what failed the compile. */
  async compiled(): Promise<void> {
    await this.compiledThread();
  }

  /** Runs `handler(event)`; resolves with what it returned (as JSON data) or rejects with why it failed. */
  async invoke<T = unknown>(event: unknown): Promise<T> {
    const eventJson = JSON.stringify(event);
    let thread = await this.compiledThread();
    // The invocations that waited for the compile with this one can have run first (each synchronously), and one of
    // them lost the thread (runaway code, its memory limit): this one has not run, and runs in a fresh thread rather
    // than being failed with that one's error (or stopping the fresh thread as if it were its own).
    while (thread !== this.thread) thread = await this.compiledThread();
    const startedAt = performance.now();
    const cpuBefore = this.cpuClock?.();
    const reply = thread.invoke(eventJson, this.runawayTimeoutMs);
    if (!reply) {
      const died = thread.ended;
      this.lastComputeMs = this.cpuClock ? this.cpuClock() - cpuBefore! : died ? performance.now() - startedAt : this.runawayTimeoutMs;
      this.logs = [];
      // Once terminated, the thread has told (or not) that its memory limit ended it, even as its time ran out.
      await this.stopThread();
      throw died || thread.outOfMemory ? await thread.endedError() : new RunawayError(this.runawayTimeoutMs);
    }
    this.lastComputeMs = this.cpuClock ? this.cpuClock() - cpuBefore! : reply.computeMs!;
    this.logs = reply.logs ?? [];
    if (reply.error) throw threadError(reply.error);
    this.invocations++;
    this.checkCompute();
    if (reply.outcome === undefined) throw new Error("returned a promise that never settled (CloudFront Functions cannot wait on timers or network)");
    const parsed = JSON.parse(reply.outcome) as { ok: boolean; value: unknown };
    if (!parsed.ok) throw new Error(String(parsed.value));
    return parsed.value as T;
  }

  /** Terminates the sandbox's thread, and waits until every thread it started has ended; later invocations fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.stopThread(), ...this.stopping]);
  }

  /** Starts a thread, which compiles the function (waited for by compiledThread). */
  private startThread(): SandboxThread {
    const thread = new SandboxThread(this.setup);
    this.onThread?.(thread.worker);
    SANDBOX_THREADS.register(this, thread, this);
    return thread;
  }

  /**
   * The thread, the function compiled in it: a fresh one when the last was stopped or died. Throws what failed the
   * compile (to every caller waiting for it, and to every later one) and terminates that thread. A failed compile is
   * not tried again: the code cannot change while the sandbox lives (npm start reads it when index.ts runs), and each
   * try cost a thread's start, or the whole compile time limit for top-level code that never ends, before its 503.
   */
  private async compiledThread(): Promise<SandboxThread> {
    for (;;) {
      if (this.closed) throw new Error("the sandbox is closed");
      if (this.compileFailure) throw this.compileFailure;
      if (this.thread?.ended) void this.stopThread();
      const thread = (this.thread ??= this.startThread());
      if (thread.compiled) return thread;
      const failure = await thread.compile(this.compileTimeoutMs);
      if (failure) {
        // Every caller that waited for this compile is told; the first stops the thread.
        if (this.thread === thread) void this.stopThread();
        this.compileFailure ??= failure;
        throw failure;
      }
      if (this.thread === thread) return thread;
      // Stopped while compiling or since (closed, or a runaway invocation meanwhile): start over.
    }
  }

  /** Terminates the thread (runaway code, or a thread that died); the next invocation starts a fresh one. */
  private async stopThread(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    SANDBOX_THREADS.unregister(this);
    if (!thread) return;
    const stopped = thread.terminate();
    this.stopping.add(stopped);
    try {
      await stopped;
    } finally {
      this.stopping.delete(stopped);
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

/** What CloudFront takes from a function's result; a validation error names the function for the log. */
function validated<T>(kind: "lambda" | "function", name: string, eventType: EdgeEventType, take: () => T): T {
  try {
    return take();
  } catch (error) {
    if (error instanceof InvalidEdgeResult) throw new InvalidEdgeResult(`${name} (${eventType}): ${error.message}`);
    // A result of the wrong shape (headers that are not lists, a null entry) fails as it is read: CloudFront refuses it
    // as a validation error too, and the log should say which function returned it.
    const validation = kind === "lambda" ? "Lambda validation error" : "Function validation error";
    throw new InvalidEdgeResult(`${name} (${eventType}): ${validation}: the result could not be read: ${thrownText(error)}`);
  }
}

export function cloudFrontFunctionRunner(name: string, eventType: "viewer-request" | "viewer-response", sandbox: CloudFrontFunctionSandbox): EdgeRunner {
  const run = async (event: unknown) => {
    try {
      return await sandbox.invoke<any>(event);
    } catch (error) {
      throw new EdgeFunctionError(name, eventType, thrownText(error));
    }
  };
  return {
    name,
    kind: "function",
    eventType,
    async onRequest(request, host) {
      const result = await run(functionEvent("viewer-request", request, undefined, host));
      if (result && typeof result === "object" && "statusCode" in result) return { response: validated("function", name, eventType, () => generatedResponseFromFunction(result)) };
      if (!result || typeof result !== "object" || typeof result.uri !== "string") throw new EdgeFunctionError(name, eventType, "returned neither a request nor a response object");
      return { request: validated("function", name, eventType, () => requestFromFunction(result, request)) };
    },
    async onResponse(request, response, host) {
      const result = await run(functionEvent("viewer-response", request, response, host));
      if (!result || typeof result !== "object" || !("statusCode" in result)) throw new EdgeFunctionError(name, eventType, "did not return a response object");
      return validated("function", name, eventType, () => changedResponseFromFunction(result, response));
    },
  };
}

/** How many distinct once-only notices (EdgeNotice) a Lambda@Edge function's runner logs. */
const TOLD_KEYS = 100;

/**
 * Runs a Lambda@Edge function at `eventType`. `warn` gets what a user should know of a result the local runtime takes
 * otherwise than CloudFront, or that CloudFront cut (requestFromLambda's notices), naming the function.
 */
export function lambdaEdgeRunner(
  name: string, eventType: EdgeEventType, spec: LambdaFunctionSpec, host: LambdaHost, includeBody: boolean, warn: (message: string) => void = (message) => console.warn(message),
): EdgeRunner {
  /**
   * The onceKeys already told: each origin the function changes requests to, and a replaced body CloudFront would cut,
   * is logged once, not on every request; past
   * the first TOLD_KEYS (a function picking an origin per request) no more are, so the set stays small.
   */
  const told = new Set<string>();
  const notice: EdgeNotice = (message, onceKey) => {
    if (onceKey !== undefined) {
      if (told.has(onceKey) || told.size >= TOLD_KEYS) return;
      told.add(onceKey);
    }
    warn(`Lambda@Edge ${name} (${eventType}): ${message}`);
  };
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
      if (isLambdaResponse(result)) return { response: validated("lambda", name, eventType, () => generatedResponseFromLambda(result, eventType)) };
      if (!result || typeof result.uri !== "string") throw new EdgeFunctionError(name, eventType, "returned neither a request nor a response object");
      return { request: validated("lambda", name, eventType, () => requestFromLambda(result, request, eventType, includeBody, notice, distributionHost)) };
    },
    async onResponse(request, response, distributionHost) {
      const result = await run(lambdaEvent(eventType, request, response, distributionHost, false));
      if (!isLambdaResponse(result)) throw new EdgeFunctionError(name, eventType, "did not return a response object");
      return validated("lambda", name, eventType, () => changedResponseFromLambda(result, response, eventType));
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
 * The edge runtime of a site: its runners; `compileFailures` to wait for its CloudFront Functions' compiles, and
 * `close` to terminate their sandbox threads.
 */
export interface SiteEdgeRuntime extends EdgeRuntime {
  /**
   * Waits for each CloudFront Function's compile in its thread (the first request a function handles waits for it
   * too); what failed, one error per function that failed to load (its top-level code threw, ran away or ran out of
   * memory, or its thread failed). Empty when the runtime was closed meanwhile.
   */
  compileFailures(): Promise<EdgeFunctionError[]>;
  close(): Promise<void>;
}

/**
 * Builds the runners for a site's associations from the EdgeLogic specs registered while
 * index.ts ran. Fails loudly when an association names an EdgeLogic or key that no spec has.
 * Starts each CloudFront Function's thread, all before any compile is waited for (by the first request each function
 * handles, or compileFailures): a site's functions cost about one thread's start, and none is waited for to serve.
 */
export function createEdgeRuntime(
  associations: readonly EdgeAssociation[],
  lambdaHost: LambdaHost,
  options: Pick<CloudFrontFunctionOptions, "runawayTimeoutMs" | "computeBudgetMs" | "warn" | "onThread"> = {},
): SiteEdgeRuntime {
  const specs = new Map(registeredSpecs<EdgeLogicRegisteredSpec>("EdgeLogic").map((entry) => [entry.name, entry.spec]));
  const sandboxes = new Map<string, { sandbox: CloudFrontFunctionSandbox; eventType: "viewer-request" | "viewer-response" }>();
  const byBehaviour = new Map<string, BehaviourRunners>();
  let closed = false;
  const close = async () => {
    closed = true;
    await Promise.all([...sandboxes.values()].map(({ sandbox }) => sandbox.close()));
  };
  try {
    addRunners();
  } catch (error) {
    void close();
    throw error;
  }
  return {
    behaviour: (pathPattern) => byBehaviour.get(pathPattern) ?? {},
    compileFailures: async () => {
      const failures = await Promise.all(
        [...sandboxes].map(([name, { sandbox, eventType }]) => sandbox.compiled().then(
          () => undefined,
          (error: unknown) => new EdgeFunctionError(name, eventType, thrownText(error)),
        )),
      );
      return closed ? [] : failures.filter((failure) => failure !== undefined);
    },
    close,
  };

  function addRunners(): void {
    for (const association of associations) {
      const spec = specs.get(association.edgeLogic);
      if (!spec) throw new Error(`No EdgeLogic "${association.edgeLogic}" was constructed by index.ts, but a StaticSite attaches its ${association.key}.`);
      const name = `${association.edgeLogic}-${association.key}`;
      let runner: EdgeRunner;
      if (association.kind === "function") {
        const fn = spec.functions.find((f) => f.key === association.key);
        if (!fn) throw new Error(`EdgeLogic "${association.edgeLogic}" has no CloudFront Function "${association.key}".`);
        let sandbox = sandboxes.get(name)?.sandbox;
        if (!sandbox) {
          sandbox = new CloudFrontFunctionSandbox(fn.code, { ...options, name, keyValueStore: fn.keyValueStore ? spec.keyValueStore?.data : undefined });
          sandboxes.set(name, { sandbox, eventType: fn.eventType });
        }
        runner = cloudFrontFunctionRunner(name, fn.eventType, sandbox);
      } else {
        const lambda = spec.lambdas.find((l) => l.key === association.key);
        if (!lambda) throw new Error(`EdgeLogic "${association.edgeLogic}" has no Lambda@Edge function "${association.key}".`);
        runner = lambdaEdgeRunner(name, association.eventType, lambda.function, lambdaHost, association.includeBody ?? false, options.warn);
      }
      const runners = byBehaviour.get(association.pathPattern) ?? {};
      runners[association.eventType] = runner;
      byBehaviour.set(association.pathPattern, runners);
    }
  }
}
