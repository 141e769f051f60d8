/**
 * JSONata states (`QueryLanguage: "JSONata"`, https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)
 * for the local Step Functions runtime. aws-local-stepfunctions 3.0.0 reads JSONPath only, and JSONata (jsonata 2.x)
 * evaluates asynchronously, where the library resolves every JSONPath field synchronously: so local/sfn-server.ts
 * runs a JSONata state, whole, as the state handler the library calls for it (jsonataState, runJsonataState), which
 * evaluates its fields with these, runs the library's own handler of its type with what they gave (a Task's
 * integration, a Wait's timer, a Map's iterations, a Parallel's branches), and applies its Retry and Catch, whose
 * `Output` and `Assign` read `$states.errorOutput`.
 */
import { createHash, randomUUID } from "node:crypto";
import jsonata from "jsonata";
import { mulberry32 } from "./seeded-random.cjs";
import { ServiceTaskFailure } from "./sfn-integrations";

/** A field's value as AWS reads it in a JSONata state: a string `{% … %}` is an expression, anything else data. */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("{%") && value.endsWith("%}");
}

/** An expression's text, as AWS's causes quote it (`{% %}` left out); a literal field's value as it is. */
export function expressionText(value: unknown): string {
  return isExpression(value) ? value.slice(2, -2).trim() : String(value);
}

const compiled = new Map<string, ReturnType<typeof jsonata>>();

/**
 * The local runtime's bounds on one evaluation (jsonata 2.2's `timeout` and `stack` options, checked synchronously at
 * each step of the evaluation, as jsonata's own test suite timeboxes its tail-recursion cases with 1000 ms and 500):
 * JSONata runs a tail call in a loop of microtasks that no timer interrupts, and a deep recursion fills the heap, either
 * of which would stop every emulator sharing the process. A breach is the evaluation's error (D1012, D1011), so its
 * state fails with States.QueryEvaluationError. AWS's own bounds are not documented.
 */
export const EVALUATION_BOUNDS = { timeout: 1000, stack: 500 } as const;

/**
 * AWS's States.QueryEvaluationError for an expression of `field` (`Output`, `Arguments/FunctionName`, `Assign/x`):
 * the cause as LocalStack's tests recorded it against AWS (test_assign_reference_variables BASE_UNDEFINED_OUTPUT: "The
 * JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."; test_base_map
 * "… returned an unexpected result type. Expected 'array', but was 'number' for value: 1"; test_math_random_seeded "…
 * threw an error during evaluation. T1006: Attempted to invoke a non-function"). AWS's leading "An error occurred
 * while executing the state '…' (entered at the event id #…)." is left out: the state does not know its event's id.
 * A Catch and a Retry take it as any state failure.
 */
export function queryEvaluationError(expression: string, field: string, what: string): QueryEvaluationFailure {
  return new QueryEvaluationFailure(field, `The JSONata expression '${expression}' specified for the field '${field}' ${what}`);
}

/**
 * An expression's failure, which AWS records as EvaluationFailed with the field as its `location`: told by its class,
 * not its text, since a Task's integration may fail with any error name and cause (those of its TaskFailed).
 */
export class QueryEvaluationFailure extends ServiceTaskFailure {
  constructor(
    readonly location: string,
    cause: string,
  ) {
    super("States.QueryEvaluationError", cause, { terminal: false });
  }
}

/**
 * The cause for an expression whose value is not of the type its field takes (`expected`: "'array'", "a positive
 * integer"): AWS's wording as recorded for Items (test_base_map "… returned an unexpected result type. Expected
 * 'array', but was 'number' for value: 1"); for other fields and types the runtime's own, AWS's unrecorded.
 */
export function unexpectedResultType(text: unknown, field: string, expected: string, value: unknown): ServiceTaskFailure {
  return queryEvaluationError(expressionText(text), field, `returned an unexpected result type. Expected ${expected}, but was '${jsonType(value)}' for value: ${JSON.stringify(value)}`);
}

/**
 * Whether `value` is a timestamp a Wait's Timestamp takes ("must conform to the RFC3339 profile of ISO 8601",
 * state-wait.html): the test aws-local-stepfunctions 3.0.0 applies to a JSONPath Wait's TimestampPath
 * (isRFC3339Timestamp, not exported), so both query languages take the same.
 */
export function isWaitTimestamp(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.\d+)?(Z|(\+|-)([01][0-9]|2[0-3]):([0-5][0-9]))$/.test(value);
}

/** JSON's name for a value's type, as AWS's "Expected 'array', but was '…'" words it. */
export function jsonType(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** States.Hash's algorithms, which $hash takes, by Node's names for them. */
const HASHES: Record<string, string> = { MD5: "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

/**
 * The functions Step Functions adds to JSONata (transforming-data.html, "JSONata functions provided by Step
 * Functions"), each the JSONata counterpart of an intrinsic function: $partition (States.ArrayPartition), $range
 * (States.ArrayRange: its end included; a single value is no array, as JSONata's sequences are: LocalStack's
 * AWS-recorded test_array_range, $range(1, 9, 9) gives 1), $hash (States.Hash, hexadecimal), $random (States.MathRandom;
 * seeded, the same seed gives the same number, not AWS's), $uuid (States.UUID, version 4) and $parse (JSON text to its
 * value, in place of JSONata's $eval: LocalStack's AWS-recorded test_parse). Bound beneath the workflow's variables.
 */
/**
 * The most items $range gives: States.ArrayRange's, its counterpart ("The newly generated array can't contain more
 * than 1000 items", intrinsic-functions.html). AWS's page for $range states no limit of its own (not confirmed).
 */
const RANGE_ITEMS = 1000;

const STEP_FUNCTIONS_FUNCTIONS: Record<string, (...args: any[]) => unknown> = {
  partition: (array: unknown[], size: number) => {
    if (!Array.isArray(array) || !Number.isSafeInteger(size) || size < 1) throw new Error("$partition takes an array and a chunk size of at least 1");
    const chunks: unknown[][] = [];
    for (let at = 0; at < array.length; at += size) chunks.push(array.slice(at, at + size));
    return chunks;
  },
  range: (first: number, last: number, step: number) => {
    if (![first, last, step].every(Number.isSafeInteger) || step === 0) throw new Error("$range takes an integer start, end and step, the step other than 0 (as States.ArrayRange)");
    // Counted before any is made: a range of 1e9 would fill the heap in one step, which no evaluation bound interrupts.
    const count = Math.max(0, Math.floor((last - first) / step) + 1);
    if (count > RANGE_ITEMS) throw new Error(`$range gives at most ${RANGE_ITEMS} items (as States.ArrayRange), but ${count} were asked for`);
    const values: number[] = [];
    for (let value = first; step > 0 ? value <= last : value >= last; value += step) values.push(value);
    return values.length === 1 ? values[0] : values;
  },
  hash: (value: string, algorithm: string) => {
    if (typeof value !== "string" || !Object.hasOwn(HASHES, algorithm)) throw new Error(`$hash takes a string and one of ${Object.keys(HASHES).join(", ")}`);
    return createHash(HASHES[algorithm]).update(value).digest("hex");
  },
  random: (seed?: number) => {
    // States.MathRandom's seed is an integer (intrinsic-functions.html).
    if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error("$random takes an integer seed, or none");
    return seed === undefined ? Math.random() : mulberry32(seed)();
  },
  uuid: () => randomUUID(),
  parse: (text: string) => JSON.parse(text),
};

/** What `{% … %}` in `field` evaluates to with `bindings` (`$states`, the variables), as JSON. */
async function evaluated(text: string, field: string, bindings: Record<string, unknown>): Promise<unknown> {
  const expression = expressionText(text);
  let result: unknown;
  try {
    let program = compiled.get(expression);
    // The options are the program's, the clock and the depth each evaluation's own: a cached program is shared safely.
    if (!program) compiled.set(expression, (program = jsonata(expression, EVALUATION_BOUNDS)));
    // No `$` of its own: AWS's expressions read the state's data through $states (transforming-data.html).
    // A workflow variable named as one of them (`range`) shadows it here; whether AWS refuses the name is not recorded.
    result = await program.evaluate(undefined, { ...STEP_FUNCTIONS_FUNCTIONS, ...bindings });
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const bound = code === "D1011" || code === "D1012" ? ` (a bound of the local runtime: ${EVALUATION_BOUNDS.timeout} ms, ${EVALUATION_BOUNDS.stack} nested steps)` : "";
    throw queryEvaluationError(expression, field, `threw an error during evaluation. ${code ? `${code}: ` : ""}${message ?? String(error)}${bound}`);
  }
  if (result === undefined) throw queryEvaluationError(expression, field, "returned nothing (undefined).");
  if (typeof result === "function") throw queryEvaluationError(expression, field, "returned an unsupported result type.");
  // A JSONata sequence is an array with flags of its own: its JSON is the data. JSON has no Infinity or NaN (`1/0`),
  // which it would write as null: the runtime's own cause, AWS's not recorded.
  let nonFinite: number | undefined;
  const json = JSON.stringify(result, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? ((nonFinite ??= value), null) : value));
  if (nonFinite !== undefined) throw queryEvaluationError(expression, field, `returned a number JSON cannot hold: ${nonFinite}.`);
  return JSON.parse(json);
}

/**
 * A JSONata field's value (`Output`, `Arguments`, an `Assign` entry, …): each string `{% … %}` within, at any depth,
 * replaced by what it evaluates to ("Any string value, including those inside objects or arrays, will be evaluated as
 * JSONata if surrounded by {% %} characters", the CDK's JsonataCommonOptions); other values are data. `field` names
 * where it is, as AWS's causes do (`Output/result`).
 */
export async function evaluateField(value: unknown, field: string, bindings: Record<string, unknown>): Promise<unknown> {
  if (isExpression(value)) return evaluated(value, field, bindings);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [i, item] of value.entries()) items.push(await evaluateField(item, `${field}[${i}]`, bindings));
    return items;
  }
  if (typeof value !== "object" || value === null) return value;
  // Without a prototype, a key `__proto__` is set like any other.
  const fields: Record<string, unknown> = Object.create(null);
  for (const [key, item] of Object.entries(value)) fields[key] = await evaluateField(item, `${field}/${key}`, bindings);
  return fields;
}

/** An `Assign`'s values, each evaluated (all before any is set: every one reads the variables as they were). */
export async function assignedValues(assign: unknown, bindings: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  if (typeof assign !== "object" || assign === null || Array.isArray(assign)) return undefined;
  return (await evaluateField(assign, "Assign", bindings)) as Record<string, unknown>;
}
