// The JSONata evaluations of the local Step Functions runtime (local/sfn-jsonata.ts), in a worker thread. jsonata
// checks its own bounds (timeout, stack) only between expression steps, so one built-in call ran unchecked on the main
// thread: `$sort` of 40,000 numbers blocked every emulator for 6 s and of 100,000 ended the process (heap), a
// backtracking regex in `$contains` ran for minutes. Here such a call can only stall or exhaust this worker
// (resourceLimits), which the runtime terminates and replaces. Plain JavaScript so the worker needs no TypeScript loader.
import { createHash, randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import jsonata from "jsonata";
import { mulberry32 } from "./seeded-random.cjs";

/** jsonata's own bounds (timeout, stack, sequence), the first line: a loop or a deep recursion fails with its code. */
const { bounds } = workerData;

/** States.Hash's algorithms, which $hash takes, by Node's names for them. */
const HASHES = { MD5: "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

/**
 * The most items $range gives: States.ArrayRange's, its counterpart ("The newly generated array can't contain more
 * than 1000 items", intrinsic-functions.html). AWS's page for $range states no limit of its own (not confirmed).
 */
const RANGE_ITEMS = 1000;

/**
 * The functions Step Functions adds to JSONata (transforming-data.html, "JSONata functions provided by Step
 * Functions"), each the JSONata counterpart of an intrinsic function: $partition (States.ArrayPartition), $range
 * (States.ArrayRange: its end included; a single value is no array, as JSONata's sequences are: LocalStack's
 * AWS-recorded test_array_range, $range(1, 9, 9) gives 1), $hash (States.Hash, hexadecimal), $random (States.MathRandom;
 * seeded, the same seed gives the same number, not AWS's), $uuid (States.UUID, version 4) and $parse (JSON text to its
 * value, in place of JSONata's $eval: LocalStack's AWS-recorded test_parse). Bound beneath the workflow's variables.
 */
const STEP_FUNCTIONS_FUNCTIONS = {
  partition: (array, size) => {
    if (!Array.isArray(array) || !Number.isSafeInteger(size) || size < 1) throw new Error("$partition takes an array and a chunk size of at least 1");
    const chunks = [];
    for (let at = 0; at < array.length; at += size) chunks.push(array.slice(at, at + size));
    return chunks;
  },
  range: (first, last, step) => {
    if (![first, last, step].every(Number.isSafeInteger) || step === 0) throw new Error("$range takes an integer start, end and step, the step other than 0 (as States.ArrayRange)");
    // Counted before any is made: a range of 1e9 would fill the heap in one step, which no evaluation bound interrupts.
    const count = Math.max(0, Math.floor((last - first) / step) + 1);
    if (count > RANGE_ITEMS) throw new Error(`$range gives at most ${RANGE_ITEMS} items (as States.ArrayRange), but ${count} were asked for`);
    const values = [];
    for (let value = first; step > 0 ? value <= last : value >= last; value += step) values.push(value);
    return values.length === 1 ? values[0] : values;
  },
  hash: (value, algorithm) => {
    if (typeof value !== "string" || !Object.hasOwn(HASHES, algorithm)) throw new Error(`$hash takes a string and one of ${Object.keys(HASHES).join(", ")}`);
    return createHash(HASHES[algorithm]).update(value).digest("hex");
  },
  random: (seed) => {
    // States.MathRandom's seed is an integer (intrinsic-functions.html).
    if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error("$random takes an integer seed, or none");
    return seed === undefined ? Math.random() : mulberry32(seed)();
  },
  uuid: () => randomUUID(),
  parse: (text) => JSON.parse(text),
};

const compiled = new Map();

/**
 * One evaluation's reply: its value as JSON text, or what kept it from one. The runtime sends one evaluation at a time,
 * so a cached program's clock ($now, $millis: jsonata keeps it in the program, set by each evaluate) is this one's.
 */
async function evaluate(expression, bindings) {
  try {
    let program = compiled.get(expression);
    if (!program) compiled.set(expression, (program = jsonata(expression, bounds)));
    // No `$` of its own: AWS's expressions read the state's data through $states (transforming-data.html).
    // A workflow variable named as one of them (`range`) shadows it here; whether AWS refuses the name is not recorded.
    const result = await program.evaluate(undefined, { ...STEP_FUNCTIONS_FUNCTIONS, ...bindings });
    if (result === undefined) return { nothing: true };
    if (typeof result === "function") return { unsupported: true };
    // A JSONata sequence is an array with flags of its own: its JSON is the data. JSON has no Infinity or NaN (`1/0`),
    // which it would write as null.
    let nonFinite;
    const json = JSON.stringify(result, (_key, value) => (typeof value === "number" && !Number.isFinite(value) ? ((nonFinite ??= value), null) : value));
    return nonFinite === undefined ? { json } : { nonFinite: String(nonFinite) };
  } catch (error) {
    return { error: { code: error?.code, message: error?.message ?? String(error) } };
  }
}

/**
 * The variables and `$states` objects the runtime sent, by id (SentOnce in local/sfn-jsonata.ts): each message names
 * one of each, carrying it only when this worker does not hold it yet, and the ids to let go.
 */
const held = { variables: new Map(), states: new Map() };

function take(kind, { id, value, drop }) {
  for (const gone of drop ?? []) held[kind].delete(gone);
  if (value !== undefined) held[kind].set(id, value);
  return held[kind].get(id);
}

parentPort.on("message", async ({ id, expression, variables, states, item }) => {
  const own = take("variables", variables);
  const state = take("states", states);
  if (own === undefined || state === undefined) return parentPort.postMessage({ id, error: { message: "The local runtime's evaluation worker does not hold the bindings it was sent (a fault of the local runtime)." } });
  // An ItemSelector's item, as `$states.context.Map.Item` (Bindings.item).
  const read = item === undefined ? state : { ...state, context: { ...state.context, Map: { Item: item } } };
  parentPort.postMessage({ id, ...(await evaluate(expression, { ...own, states: read })) });
});
