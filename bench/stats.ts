/**
 * What every benchmark reports the same way: samples from paired, interleaved runs
 * (A, B, A, B, ... so a busy moment on a shared machine hits both), summarised as
 * min / median / max, and a verdict for each target that can go either way.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

export const SAMPLES = Math.max(5, Number(process.env.BENCH_SAMPLES ?? 5));

export interface Summary {
  min: number;
  median: number;
  max: number;
  n: number;
}

export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("no samples");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], n: sorted.length };
}

/** "1.23 / 1.31 / 1.50" (min / median / max) with `digits` decimals. */
export function formatSummary(summary: Summary, digits = 2): string {
  return `${summary.min.toFixed(digits)} / ${summary.median.toFixed(digits)} / ${summary.max.toFixed(digits)}`;
}

/**
 * Runs each variant `samples` times, interleaved (one of each per round), after one unrecorded warm-up round.
 * `alternate`: every other round runs the variants in reverse order (A B, B A, A B, …), so neither always runs right
 * after the other (and pays for what the other left: garbage to collect, a busier machine's tail).
 */
export async function interleaved<V extends Record<string, () => Promise<unknown>>>(variants: V, samples = SAMPLES, { alternate = false }: { alternate?: boolean } = {}): Promise<{ [K in keyof V]: Array<Awaited<ReturnType<V[K]>>> }> {
  const keys = Object.keys(variants) as Array<keyof V>;
  for (const key of keys) await variants[key]();
  const results = Object.fromEntries(keys.map((key) => [key, [] as unknown[]])) as { [K in keyof V]: Array<Awaited<ReturnType<V[K]>>> };
  for (let round = 0; round < samples; round++) {
    for (const key of alternate && round % 2 === 1 ? [...keys].reverse() : keys) results[key].push((await variants[key]()) as Awaited<ReturnType<V[keyof V]>>);
  }
  return results;
}

/** Per-round ratios a[i] / b[i] of paired samples. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / b[i]);
}

/** One target's verdict line, e.g. "prod plan CPU vs SDK load: median 2.41× (min 2.2, max 2.9) ≤ 3× — met". */
export function verdict(label: string, summary: Summary, comparison: "<=" | ">=", target: number, unit = "", digits = 2): string {
  const met = comparison === "<=" ? summary.median <= target : summary.median >= target;
  const value = (v: number) => `${v.toFixed(digits)}${unit}`;
  return `${label}: median ${value(summary.median)} (min ${value(summary.min)}, max ${value(summary.max)}, n=${summary.n}) ${comparison === "<=" ? "≤" : "≥"} ${target}${unit} — ${met ? "met" : "NOT met"}`;
}

/** A yes/no target, e.g. a status code, with what was seen. */
export function check(label: string, met: boolean, seen: string): string {
  return `${label}: ${seen} — ${met ? "met" : "NOT met"}`;
}

/** The machine's load when a table was measured (the machine may be shared). */
export function machineLoad(): string {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} on a ${require("node:os").cpus().length}-core machine`;
}

export interface ProcessRun {
  /** Spawn to exit. */
  wallMs: number;
  /** User + system CPU of the node process (all its threads; not its child processes). */
  cpuMs: number;
  maxRssMb: number;
  stdout: string;
  code: number | null;
}

const USAGE_REPORTER = join(__dirname, "usage-reporter.cjs");

/** Runs `node <args>` to completion and measures it (see usage-reporter.cjs). */
export function runNode(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<ProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), "sf-bench-usage-"));
  const usageFile = join(dir, "usage.json");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["-r", USAGE_REPORTER, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, BENCH_USAGE_FILE: usageFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      try {
        const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { cpuMs: number; maxRssKb: number };
        resolve({ wallMs, cpuMs: usage.cpuMs, maxRssMb: usage.maxRssKb / 1024, stdout, code });
      } catch {
        reject(new Error(`node ${args.join(" ")} exited ${code} without reporting its usage: ${stderr.slice(0, 800)}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
