// The JSONata evaluations of the local Step Functions runtime (local/sfn-jsonata.ts), in a worker thread. jsonata
// checks its own bounds (timeout, stack) only between expression steps, so one built-in call ran unchecked on the main
// thread: `$sort` of 40,000 numbers blocked every emulator for 6 s and of 100,000 ended the process (heap), a
// backtracking regex in `$contains` ran for minutes. Here such a call can only stall or exhaust this worker
// (resourceLimits), which the runtime terminates and replaces. Plain JavaScript so the worker needs no TypeScript loader.
import { createHash, randomUUID } from "node:crypto";
import { deserialize } from "node:v8";
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

/** Each expression's program, and the names of the variables it reads (readNames). */
const compiled = new Map();

/**
 * The names `ast` reads as variables (`$name`, `$states`, a function's `$string`, `$eval`). A lambda's parameters
 * are among them: a variable of that name is copied needlessly, none is missed.
 */
function readNames(ast) {
  const names = new Set();
  const seen = new Set();
  const walk = (node) => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    if (node.type === "variable" && typeof node.value === "string") names.add(node.value);
    for (const value of Object.values(node)) walk(value);
  };
  walk(ast);
  return names;
}

/**
 * What an evaluation binds: a copy of each held object it reads. jsonata writes into the objects it is given, which
 * the runtime holds for later evaluations (`held`): a group-by over an empty list pushes `undefined` into it
 * (evaluateGroupExpression: `$items{…}` over `[]` leaves `$items` `[null]`), and calling an object as a function
 * adds `token` and `position` keys to it (evaluateFunction, T1006). So only copies reach jsonata, of the variables
 * the expression names only (a state reading `$states.input.x` copies none of 10 MiB of variables); a call of
 * `$eval`, which names them in its text, copies them all.
 */
function bound(names, variables, states) {
  const all = names.has("eval") && !Object.hasOwn(variables, "eval");
  const bindings = {};
  for (const name of all ? Object.keys(variables) : names) if (Object.hasOwn(variables, name)) bindings[name] = structuredClone(variables[name]);
  if (all || names.has("states")) bindings.states = structuredClone(states);
  return bindings;
}

/**
 * One evaluation's reply: its value as JSON text, or what kept it from one. The runtime sends one evaluation at a time,
 * so a cached program's clock ($now, $millis: jsonata keeps it in the program, set by each evaluate) is this one's.
 */
async function evaluate(expression, variables, states) {
  try {
    let entry = compiled.get(expression);
    if (!entry) {
      const program = jsonata(expression, bounds);
      compiled.set(expression, (entry = { program, names: readNames(program.ast()) }));
    }
    const { program, names } = entry;
    // No `$` of its own: AWS's expressions read the state's data through $states (transforming-data.html).
    // A workflow variable named as one of them (`range`) shadows it here; whether AWS refuses the name is not recorded.
    const bindings = bound(names, variables, states);
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
 * The variables and `$states` objects the runtime sent, by id (HeldBindings in local/sfn-jsonata.ts): each message
 * names one of each, carrying it (serialized) only when this worker does not hold it yet, and the ids to let go,
 * which are dropped before it is deserialized, so that the heap need not hold both. A message of drops alone lets go
 * what the runtime released.
 */
const held = new Map();

function take({ id, data }) {
  if (data !== undefined) held.set(id, deserialize(data));
  return held.get(id);
}

parentPort.on("message", async ({ id, expression, drop, variables, states, item }) => {
  for (const gone of drop ?? []) held.delete(gone);
  if (expression === undefined) return;
  const own = take(variables);
  const state = take(states);
  // The runtime's deadline starts once what it sent is deserialized (EvaluationWorker.run).
  if (variables.data !== undefined || states.data !== undefined) parentPort.postMessage({ id, taken: true });
  if (own === undefined || state === undefined) return parentPort.postMessage({ id, error: { message: "The local runtime's evaluation worker does not hold the bindings it was sent (a fault of the local runtime)." } });
  // An ItemSelector's item, as `$states.context.Map.Item` (Bindings.item).
  const read = item === undefined ? state : { ...state, context: { ...state.context, Map: { Item: item } } };
  parentPort.postMessage({ id, ...(await evaluate(expression, own, read)) });
});
