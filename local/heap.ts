/**
 * How much the local runtime's process lets its V8 heaps grow between major collections.
 *
 * Serving requests allocates a lot that dies young, but under load enough survives two
 * scavenges to be promoted, and V8 lets the old generation grow up to 4× its live size before
 * collecting it: the main thread (≈85 MiB live: the program's state, the emulators) grew to
 * ≈370 MiB over a few load runs and the process's RSS by 40–60 %, falling back only when a
 * major GC finally ran (issue 15, bench/memory.bench.ts). A growing factor of 1.5 keeps RSS
 * within ≈10 % across load runs for the cost of more frequent (incremental) major GCs.
 *
 * The flag is V8's and process-wide (every isolate: the main thread and the functions' worker
 * threads); V8 reads it each time it sets the next collection's limit, so setting it at start
 * (before the emulators and workers allocate) is enough.
 */
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 50;

export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
