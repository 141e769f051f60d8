/**
 * Helpers for the benchmarks of `npm start`: run the local app in its own process (as a
 * user does), know when it is ready, read its memory, and drive load at it — loopback
 * only, every loop bounded in requests and time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { summarise } from "./stats";

export interface RunningApp {
  child: ChildProcess;
  /** The URLs the app printed, by name (`site`, `api (dev)`, `cognito`, ...). */
  urls: Record<string, string>;
  /** Spawn → the URLs printed. */
  urlsMs: number;
  /** Spawn → `/api/health` answering 200 through the site's front door. */
  readyMs: number;
  /** How many lines the process printed after its URLs (request logs, say). */
  linesPrinted(): number;
  /** The next line after its URLs that starts with `prefix` (without it); other lines are counted and dropped. */
  nextLine(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `node <args>` and waits until it printed its URLs and `/api/health` answers. */
export function startApp(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunningApp> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const marked: Array<{ prefix: string; line: string }> = [];
  const waiting: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  let printedLines = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`not ready within ${options.timeoutMs ?? 120_000} ms`)), options.timeoutMs ?? 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n${stdout.slice(-1500)}\n${stderr.slice(-1500)}`));
    };
    let printed = false;
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => {
      if (!printed) fail(new Error(`exited ${code} before it was ready`));
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (printed) {
        const complete = stdout.split("\n");
        stdout = complete.pop() ?? "";
        for (const line of complete.filter(Boolean)) {
          printedLines++;
          const at = waiting.findIndex((w) => line.startsWith(w.prefix));
          if (at >= 0) {
            const waiter = waiting.splice(at, 1)[0];
            waiter.resolve(line.slice(waiter.prefix.length));
          } else if (line.startsWith("BENCH ")) marked.push({ prefix: "BENCH ", line });
        }
        return;
      }
      if (!stdout.includes("Press Ctrl+C")) return;
      printed = true;
      const urlsMs = performance.now() - started;
      const urls = Object.fromEntries(
        [...stdout.matchAll(/^ {2}(\S.*?)\s+(https?:\/\/\S+)$/gm)].map((m) => [m[1].trim(), m[2]]),
      );
      stdout = stdout.slice(stdout.indexOf("Press Ctrl+C") + "Press Ctrl+C to stop.".length + 1);
      if (!urls.site) return fail(new Error("no site URL printed"));
      waitForHealth(`${urls.site}/api/health`).then(
        () => {
          clearTimeout(timer);
          resolve({
            child,
            urls,
            urlsMs,
            readyMs: performance.now() - started,
            linesPrinted: () => printedLines,
            nextLine: (prefix: string) => {
              const at = marked.findIndex((m) => m.line.startsWith(prefix));
              if (at >= 0) return Promise.resolve(marked.splice(at, 1)[0].line.slice(prefix.length));
              return new Promise((resolve) => waiting.push({ prefix, resolve }));
            },
            stop: () =>
              new Promise((done) => {
                if (child.exitCode !== null) return done();
                const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
                child.once("exit", () => {
                  clearTimeout(kill);
                  done();
                });
                child.kill("SIGINT");
              }),
          });
        },
        (error: Error) => fail(error),
      );
    });
  });
}

/** Polls `url` until it answers 200: at most 1,000 tries, 10 ms apart. */
async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const status = await get(url).catch(() => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not answer 200`);
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Resident set size of a process, from /proc (Linux). */
export function rssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no VmRSS for process ${pid}`);
  return kib / 1024;
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Responses other than `expectStatus`. */
  unexpected: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Keep-alive GETs of `url` from `connections` concurrent clients, until `durationMs` passed
 * or `maxRequests` were sent, whichever comes first.
 */
export async function loadRun(url: string, options: { headers?: Record<string, string>; connections: number; durationMs: number; maxRequests: number; expectStatus: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  try {
    return await loadLoop(
      () =>
        new Promise<boolean>((resolve, reject) => {
          const req = request(url, { agent, headers: options.headers }, (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode === options.expectStatus));
          });
          req.on("error", reject);
          req.end();
        }),
      options,
    );
  } finally {
    agent.destroy();
  }
}

/**
 * `call` from `connections` concurrent loops, until `durationMs` passed or `maxRequests` calls were
 * made, whichever comes first. `call` resolves true for an expected answer, false for another one,
 * and rejects for an error.
 */
export async function loadLoop(call: () => Promise<boolean>, options: { connections: number; durationMs: number; maxRequests: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  let unexpected = 0;
  const started = performance.now();
  const client = async () => {
    while (sent < options.maxRequests && performance.now() - started < options.durationMs) {
      sent++;
      const at = performance.now();
      try {
        if (!(await call())) unexpected++;
        latencies.push(performance.now() - at);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  const elapsed = performance.now() - started;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    unexpected,
    perSecond: (latencies.length / elapsed) * 1000,
    p50Ms: latencies.length ? summarise(latencies).median : NaN,
    p99Ms: latencies.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] : NaN,
  };
}
