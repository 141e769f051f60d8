/**
 * Runs a LambdaFunction's real bundle locally, the way Lambda would: a worker thread
 * is a sandbox (own `process.env`, module loaded once and kept warm) that runs one
 * invocation at a time, concurrent invocations get more sandboxes of the same function
 * (up to MAX_LOCAL_SANDBOXES, then they wait for one), functions never share one, the
 * configured timeout is enforced by terminating the sandbox, and
 * handler errors come back as Lambda's `{ errorType, errorMessage }`. What the handler
 * writes (console, Powertools Logger: Lambda's CloudWatch log stream) goes to a log sink:
 * the terminal for `npm start`, a per-test buffer in the test suite.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { bundleEntry, BUNDLE_FILE, resolvedOptions } from "../components/lambda/bundle";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { PROJECT_DIR, resolveValue } from "./offline/program";
import { createTerminalLogSink } from "./terminal-logs";

/** `dir/node_modules` → the project's, so a bundle built outside the project (a test's temporary state) finds its external packages. */
function linkProjectModules(dir: string): void {
  const link = join(dir, "node_modules");
  if (!existsSync(link)) symlinkSync(join(PROJECT_DIR, "node_modules"), link, "dir");
}

export class LambdaInvokeError extends Error {
  constructor(readonly functionName: string, readonly errorType: string, message: string, readonly errorStack?: string) {
    super(`${functionName}: ${errorType}: ${message}`);
    this.name = "LambdaInvokeError";
  }
}

/** One chunk of a handler's output, as its sandbox wrote it (not necessarily whole lines). */
export interface HandlerLogChunk {
  functionName: string;
  stream: "stdout" | "stderr";
  text: string;
}

export type HandlerLogSink = (chunk: HandlerLogChunk) => void;

/** Handler output to this process's stdout/stderr, as `npm start` shows it: one line per Powertools record, errors whole (local/terminal-logs.ts). */
export const terminalLogSink: HandlerLogSink = createTerminalLogSink();

let defaultLogSink: HandlerLogSink = terminalLogSink;

/**
 * Sets where handler output goes for every LocalLambda given no `logs` option (the process-wide
 * default, as the terminal is; looked up per chunk, so it applies to sandboxes already running).
 * The test suite installs a buffer here (tests/setup/handler-logs.ts); undefined restores the
 * terminal. Returns the sink it replaced.
 */
export function setDefaultHandlerLogSink(sink: HandlerLogSink | undefined): HandlerLogSink {
  const previous = defaultLogSink;
  defaultLogSink = sink ?? terminalLogSink;
  return previous;
}

export interface LocalLambdaOptions {
  /** Folder to write the bundle into (under the git-ignored .local/). */
  buildDir: string;
  /** Variables every local function gets on top of its own (AWS endpoints, region, fake credentials). */
  sharedEnvironment: Record<string, string>;
  /** The deployed function name, as AWS_LAMBDA_FUNCTION_NAME. */
  functionName?: string;
  /**
   * Where the handler's stdout and stderr go.
   * @default the process-wide default (setDefaultHandlerLogSink): the terminal unless a test setup changed it
   */
  logs?: HandlerLogSink;
}

/** The young generation of each function's worker (see createSandbox()). */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * Sandboxes one function runs at most at once locally. Lambda runs each invocation in a sandbox of its
 * own and starts more for concurrent ones (up to the account's or function's concurrency); here every
 * sandbox is a worker in this process (its own heap, JIT and GC), so concurrent invocations beyond this
 * many wait for a sandbox to be free instead of failing as throttled. One per core left after the main
 * thread (which runs the front door, the gateway and the emulators), at most 4: on the 2-core machine of
 * the memory bench that is one sandbox per function — a second one answered ≈15% more list requests
 * but grew the process by 36 MiB over the ten load runs (10% against the bench's ≤10%).
 */
export const MAX_LOCAL_SANDBOXES = Math.max(1, Math.min(4, availableParallelism() - 1));

/** One warm sandbox: a worker that runs one invocation at a time, as a Lambda execution environment does. */
interface Sandbox {
  worker: Worker;
  current?: { id: string; resolve: (v: unknown) => void; reject: (e: Error) => void };
}

export class LocalLambda {
  /** Every live sandbox; `idle` holds those without an invocation, the most recently used last. */
  private readonly sandboxes = new Set<Sandbox>();
  private readonly idle: Sandbox[] = [];
  private readonly waiting: Array<{ resolve: (sandbox: Sandbox) => void; reject: (error: Error) => void }> = [];
  private starting = 0;
  /** Bumped by stop(): a sandbox that finishes starting after it is ended at once. */
  private generation = 0;
  private readonly file: string;
  private environment?: Promise<Record<string, string>>;
  private built?: Promise<void>;
  /** What a sandbox gets as its Lambda context, apart from the request id. */
  private readonly contextBase: Record<string, unknown>;
  readonly functionName: string;

  constructor(readonly spec: LambdaFunctionSpec, private readonly options: LocalLambdaOptions) {
    this.functionName = options.functionName ?? spec.name;
    this.file = join(options.buildDir, spec.name, BUNDLE_FILE);
    this.contextBase = {
      functionName: this.functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${options.sharedEnvironment.AWS_REGION ?? "us-east-1"}:000000000000:function:${this.functionName}`,
      memoryLimitInMB: String(spec.memorySize),
      logGroupName: `/aws/lambda/${this.functionName}`,
      logStreamName: "local",
      timeoutMs: spec.timeout * 1000,
    };
  }

  /** Writes the bundle, with build-time constants that are Outputs resolved (as the deploy builds it). */
  private async build(): Promise<void> {
    const bundle = bundleEntry(this.spec.entry, await resolveValue(resolvedOptions(this.spec.bundle)));
    mkdirSync(join(this.options.buildDir, this.spec.name), { recursive: true });
    writeFileSync(this.file, bundle.code);
    writeFileSync(`${this.file}.map`, bundle.sourceMap);
    // Native packages (nativeModules) are external to the bundle: resolve them from the project, as the zip's node_modules would.
    if (this.spec.nativeModules?.length) linkProjectModules(join(this.options.buildDir, this.spec.name));
  }

  /**
   * Invokes the handler with `event` in a free warm sandbox (a new one while fewer than MAX_LOCAL_SANDBOXES
   * run, else the next to finish); resolves with its result or rejects with a LambdaInvokeError.
   */
  async invoke<T = unknown>(event: unknown): Promise<T> {
    const sandbox = await this.acquire();
    const id = randomUUID();
    const timeoutMs = this.spec.timeout * 1000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        sandbox.current = undefined;
        // Lambda discards a sandbox whose invocation timed out; so do we (only that one).
        this.discard(sandbox);
        reject(new LambdaInvokeError(this.functionName, "Sandbox.Timedout", `Task timed out after ${this.spec.timeout}.00 seconds`));
      }, timeoutMs);
      sandbox.current = {
        id,
        resolve: (v) => (clearTimeout(timer), this.release(sandbox), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      sandbox.worker.postMessage({ id, event, context: { ...this.contextBase, awsRequestId: id } });
    });
  }

  async stop(): Promise<void> {
    this.generation++;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new LambdaInvokeError(this.functionName, "Runtime.ExitError", "the function was stopped"));
    const sandboxes = [...this.sandboxes];
    this.sandboxes.clear();
    this.idle.length = 0;
    await Promise.all(sandboxes.map((sandbox) => sandbox.worker.terminate()));
  }

  /** A free sandbox: the most recently used idle one, a new one while there is room, or the next one freed. */
  private acquire(): Promise<Sandbox> {
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.grow();
    });
  }

  /** Starts sandboxes for waiting invocations while there is room. */
  private grow(): void {
    while (this.waiting.length > this.starting && this.sandboxes.size + this.starting < MAX_LOCAL_SANDBOXES) {
      this.starting++;
      const generation = this.generation;
      this.createSandbox().then(
        (sandbox) => {
          this.starting--;
          if (generation !== this.generation) {
            void sandbox.worker.terminate();
            return;
          }
          this.sandboxes.add(sandbox);
          this.release(sandbox);
        },
        (error: Error) => {
          this.starting--;
          this.waiting.shift()?.reject(error);
        },
      );
    }
  }

  /** The sandbox is free: to the longest-waiting invocation, or idle. */
  private release(sandbox: Sandbox): void {
    if (!this.sandboxes.has(sandbox)) return;
    const next = this.waiting.shift();
    if (next) next.resolve(sandbox);
    else this.idle.push(sandbox);
  }

  /** Ends a sandbox (timed out or crashed); waiting invocations get a new one. */
  private discard(sandbox: Sandbox): void {
    if (!this.sandboxes.delete(sandbox)) return;
    const at = this.idle.indexOf(sandbox);
    if (at >= 0) this.idle.splice(at, 1);
    void sandbox.worker.terminate();
    this.grow();
  }

  private async createSandbox(): Promise<Sandbox> {
    this.built ??= this.build();
    await this.built;
    this.environment ??= this.resolveEnvironment();
    const env = await this.environment;
    const worker = new Worker(new URL("./lambda-worker.mjs", `file://${__dirname}/`), {
      workerData: { file: this.file, handler: this.spec.handler },
      env,
      // The young generation capped at 8 MB (V8 defaults to up to 48 MB, three 16 MB semi-spaces): every warm
      // function is a worker in this one process, and their young generations grown under load were the rest of
      // npm start's RSS growth after local/heap.ts (issue 15). Short-lived garbage still dies there.
      resourceLimits: { maxOldGenerationSizeMb: this.spec.memorySize, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      // Piped to us instead of straight to process.stdout, so the output can go to the log sink.
      stdout: true,
      stderr: true,
    });
    const sandbox: Sandbox = { worker };
    for (const stream of ["stdout", "stderr"] as const) {
      worker[stream].setEncoding("utf8");
      worker[stream].on("data", (text: string) => (this.options.logs ?? defaultLogSink)({ functionName: this.functionName, stream, text }));
    }
    worker.on("message", (message: { id: string; ok: boolean; result?: unknown; error?: { errorType: string; errorMessage: string; stack?: string } }) => {
      const current = sandbox.current;
      if (!current || current.id !== message.id) return;
      sandbox.current = undefined;
      if (message.ok) current.resolve(message.result);
      else {
        // A handler error leaves the sandbox warm (Lambda reuses it): free for the next invocation.
        current.reject(new LambdaInvokeError(this.functionName, message.error!.errorType, message.error!.errorMessage, message.error!.stack));
        this.release(sandbox);
      }
    });
    const crashed = (message: string) => {
      const current = sandbox.current;
      sandbox.current = undefined;
      current?.reject(new LambdaInvokeError(this.functionName, "Runtime.ExitError", message));
      this.discard(sandbox);
    };
    worker.on("error", (error) => crashed(error.message));
    worker.on("exit", (code) => crashed(`the sandbox exited with code ${code}`));
    worker.unref();
    return sandbox;
  }

  private async resolveEnvironment(): Promise<Record<string, string>> {
    const own: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.spec.environment)) own[key] = String(await resolveValue(value));
    return {
      PATH: process.env.PATH ?? "",
      TZ: "UTC",
      AWS_LAMBDA_FUNCTION_NAME: this.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.spec.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      ...this.options.sharedEnvironment,
      ...own,
    };
  }
}
