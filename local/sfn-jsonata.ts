/**
 * JSONata states (`QueryLanguage: "JSONata"`, https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)
 * for the local Step Functions runtime. aws-local-stepfunctions 3.0.0 reads JSONPath only, and JSONata (jsonata 2.x)
 * evaluates asynchronously, where the library resolves every JSONPath field synchronously: so local/sfn-server.ts
 * runs a JSONata state, whole, as the state handler the library calls for it (jsonataState, runJsonataState), which
 * evaluates its fields with these, runs the library's own handler of its type with what they gave (a Task's
 * integration, a Wait's timer, a Map's iterations, a Parallel's branches), and applies its Retry and Catch, whose
 * `Output` and `Assign` read `$states.errorOutput`.
 */
import * as v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { ServiceTaskFailure } from "./sfn-integrations";
import { thrownText } from "./thrown-text.cjs";
import { workerModuleUrl } from "./worker-module-url";

/** A field's value as AWS reads it in a JSONata state: a string `{% … %}` is an expression, anything else data. */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("{%") && value.endsWith("%}");
}

/** An expression's text, as AWS's causes quote it (`{% %}` left out); a literal field's value as it is. */
export function expressionText(value: unknown): string {
  return isExpression(value) ? value.slice(2, -2).trim() : String(value);
}

/**
 * The local runtime's bounds on one evaluation. jsonata 2.2's own (`timeout`, `stack`, `sequence`: jsonata's test suite
 * timeboxes its tail-recursion cases with 1000 ms and 500) are checked at each expression step: a tail call runs in a
 * loop of microtasks that no timer interrupts, a deep recursion fills the heap, and both fail with their code (D1012,
 * D1011). A single built-in call is not interrupted by them (`$sort` of 40,000 numbers, a backtracking regex, `$string`
 * of a huge sequence), so every evaluation runs in a worker thread (local/sfn-jsonata-worker.mjs) with a heap cap
 * (`heapMb`) and a wall clock (`deadlineMs`, past jsonata's timeout so a loop keeps its D1012), past either of which
 * the worker is terminated and replaced. A breach is the evaluation's error, so its state fails with
 * States.QueryEvaluationError. AWS's own bounds are not documented.
 */
export const EVALUATION_BOUNDS = { timeout: 1000, stack: 500, sequence: 1_000_000, deadlineMs: 2000, heapMb: 256 } as const;

/** The worker's answer to one evaluation (local/sfn-jsonata-worker.mjs), or `lost`: why the runtime stopped it. */
interface EvaluationReply {
  id: number;
  json?: string;
  nothing?: true;
  unsupported?: true;
  nonFinite?: string;
  error?: { code?: string; message: string };
  lost?: string;
  /** Not the answer: the worker has deserialized the bindings the message carried, and evaluates now. */
  taken?: true;
}

/**
 * What an expression reads: the run's variables (`$name`) and `$states`. Each object is copied to the worker once,
 * then named by its id (HeldBindings), so neither may change once evaluated with: a state's evaluations share one of
 * each (runJsonataState makes a new `states` for a Task's result, an item, an error output), and a Map iteration or
 * Parallel branch that has assigned nothing shares its outer run's variables. Let go with releaseBindings.
 */
export interface Bindings {
  variables: Record<string, unknown>;
  states: Record<string, unknown>;
  /**
   * A Map's item, which an ItemSelector reads as `$states.context.Map.Item` (`states` the Map state's own): sent with
   * each evaluation, so the state's input is not copied again for each item.
   */
  item?: { Index: number; Value: unknown };
}

/** A part of the bindings as a message carries it: its id, and the value serialized (v8.serialize) when the worker holds none. */
interface SentPart {
  id: number;
  data?: Uint8Array;
}

/**
 * What the worker holds of the bindings (local/sfn-jsonata-worker.mjs), in bytes of their serialized form: at most
 * `bytes` in all (the least recently used let go first), but always the two an evaluation reads, however large. A
 * set of variables is up to 10 MiB as JSON (the execution's quota, SFN_LIMITS.variablesBytes), several times that
 * as objects in the worker's 256 MB heap (10 MB of `[{},…]` takes about 166 MB), and before the worker held any
 * (each message carried its own copy) an evaluation needed its own bindings only: so the rest held is kept small, and
 * a message lets go what it makes room for before the worker deserializes what it carries. `count` bounds tiny ones.
 */
const HELD = { bytes: 4 * 1024 * 1024, count: 32 } as const;

/**
 * The bindings objects the worker holds, by id (HELD): what an evaluation sends of each (parts). Each expression used
 * to carry a copy of every variable and `$states` (a state of ten expressions, ten copies); now each object is
 * copied once while the worker holds it, and the worker stores and drops objects as each message says, so both sides
 * agree without a reply. Forgotten with its worker; an object let go (release) is dropped at once.
 */
class HeldBindings {
  private readonly ids = new WeakMap<object, number>();
  /** The ids the worker holds and their serialized sizes, least recently used first. */
  private held = new Map<number, number>();
  private nextId = 0;

  forget(): void {
    this.held.clear();
  }

  /** `value`'s id if the worker holds it, which it may now let go. */
  release(value: object): number | undefined {
    const id = this.ids.get(value);
    return id !== undefined && this.held.delete(id) ? id : undefined;
  }

  /**
   * The parts of a message for `values`, the ids the worker lets go first, and `sent`, which records what the worker
   * then holds (called once the message is posted).
   */
  parts(values: object[]): { parts: SentPart[]; drop: number[]; sent(): void } {
    const sizes = new Map<number, number>();
    const parts = values.map((value): SentPart => {
      const known = this.ids.get(value);
      if (known !== undefined && this.held.has(known)) return sizes.set(known, this.held.get(known)!), { id: known };
      const id = this.nextId++;
      this.ids.set(value, id);
      const data = serialize(value);
      sizes.set(id, data.byteLength);
      return { id, data };
    });
    let bytes = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    let count = sizes.size;
    const kept = [...this.held].filter(([id]) => !sizes.has(id));
    for (const [, size] of kept) (bytes += size), count++;
    const drop: number[] = [];
    for (const [id, size] of kept) {
      if (bytes <= HELD.bytes && count <= HELD.count) break;
      drop.push(id);
      bytes -= size;
      count--;
    }
    return {
      parts,
      drop,
      sent: () => {
        for (const id of [...drop, ...sizes.keys()]) this.held.delete(id);
        for (const [id, size] of sizes) this.held.set(id, size);
      },
    };
  }
}

/**
 * The process's JSONata worker, long-lived (jsonata loaded and programs compiled once), replaced after a breach. One
 * evaluation at a time: the one under way when the deadline passes is the one that stalled the worker, and a cached
 * program's clock ($now) is not shared by two. Unreferenced, so an idle worker keeps no process alive.
 */
class EvaluationWorker {
  private worker?: Worker;
  private nextId = 0;
  /** The heap cap and jsonata timeout of the workers spawned from now on, and the deadline of evaluations (withEvaluationLimitsForTests). */
  limits: EvaluationLimits = { heapMb: EVALUATION_BOUNDS.heapMb, deadlineMs: EVALUATION_BOUNDS.deadlineMs, timeout: EVALUATION_BOUNDS.timeout };
  private queue: Promise<unknown> = Promise.resolve();
  readonly held = new HeldBindings();

  evaluate(expression: string, bindings: Bindings): Promise<EvaluationReply> {
    const turn = this.queue.then(() => this.run(expression, bindings));
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Lets `value` go: the worker drops it at once (a message of its own, which an evaluation under way is not affected by). */
  release(value: object): void {
    const id = this.held.release(value);
    if (id !== undefined) this.worker?.postMessage({ drop: [id] });
  }

  /** Stops the current worker between evaluations: the next evaluation spawns one anew. */
  retire(): Promise<void> {
    const turn = this.queue.then(async () => {
      const worker = this.worker;
      this.worker = undefined;
      await worker?.terminate();
    });
    this.queue = turn.catch(() => {});
    return turn;
  }

  private spawn(): Worker {
    const { stack, sequence } = EVALUATION_BOUNDS;
    const { timeout } = this.limits;
    const worker = new Worker(workerModuleUrl(__dirname, "sfn-jsonata-worker.mjs"), { workerData: { bounds: { timeout, stack, sequence } }, resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb } });
    worker.unref();
    this.held.forget();
    // One that ends between evaluations is replaced by the next, not handed it to time out.
    worker.once("exit", () => this.worker === worker && (this.worker = undefined));
    // An evaluation's own listener turns an error into its state's failure. An error with none listening comes from a
    // worker already given up on (its deadline passed, so terminate() is under way, and it runs out of heap first) or
    // from an idle one: either way it is ended and let go. Unheard, the 'error' event would be
    // thrown as an uncaught exception and stop the local runtime (seen once in the suite under load).
    worker.on("error", () => {
      if (this.worker !== worker) return;
      // An idle worker that failed (an uncaught exception in it) is let go now, not handed the next evaluation.
      this.worker = undefined;
      void worker.terminate();
    });
    return worker;
  }

  private run(expression: string, bindings: Bindings): Promise<EvaluationReply> {
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<EvaluationReply>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (reply: EvaluationReply) => {
        clearTimeout(timer);
        worker.off("message", answered).off("error", failed).off("exit", stopped);
        resolve(reply);
      };
      // The deadline runs from when the worker holds what the expression reads: deserializing 10 MiB of variables
      // takes seconds on a busy machine, and is bounded by their size (and the heap cap), not stalled by the expression.
      const { deadlineMs } = this.limits;
      const clock = () => (timer = setTimeout(() => lost(`It ran for more than ${deadlineMs} ms`), deadlineMs));
      const answered = (reply: EvaluationReply) => reply.id === id && (reply.taken ? clock() : done(reply));
      const lost = (why: string) => {
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
        done({ id, lost: why });
      };
      const failed = (error: unknown) => lost((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY" ? `It used more than ${this.limits.heapMb} MB of heap` : `Its worker failed: ${thrownText(error)}`);
      const stopped = (code: number) => lost(`Its worker stopped (exit code ${code})`);
      worker.on("message", answered).on("error", failed).on("exit", stopped);
      try {
        const {
          parts: [variables, states],
          drop,
          sent,
        } = this.held.parts([bindings.variables, bindings.states]);
        // The serialized values' memory handed over, not copied again.
        const transfer = [variables, states].flatMap(({ data }) => (data ? [data.buffer as ArrayBuffer] : []));
        worker.postMessage({ id, expression, drop, variables, states, ...(bindings.item ? { item: bindings.item } : {}) }, transfer);
        sent();
        if (transfer.length === 0) clock();
      } catch (error) {
        done({ id, error: { message: thrownText(error) } });
      }
    });
  }
}

/** `value` as the worker deserializes it (v8's structured clone), in a buffer of its own, which a message can transfer. */
function serialize(value: object): Uint8Array {
  const data = v8.serialize(value);
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data);
}

const evaluations = new EvaluationWorker();

/** The bounds of EVALUATION_BOUNDS that a test may lower (withEvaluationLimitsForTests). */
type EvaluationLimits = { heapMb: number; deadlineMs: number; timeout: number };

/**
 * Tests only: runs `run` with evaluations bound by `limits` in place of EVALUATION_BOUNDS' (the worker replaced before
 * and after, so its heap cap is the one given), so a test shows a bound's effect at a fraction of its cost: the heap's
 * with a fraction of the 10 MiB of variables that fill 256 MB (deserializing them is most of such a test's time), a
 * stalled worker's replacement without waiting out the whole deadline, a loop's D1012 without waiting out jsonata's
 * whole timeout (keep the deadline past it, as EVALUATION_BOUNDS does).
 */
export async function withEvaluationLimitsForTests<T>(limits: Partial<EvaluationLimits>, run: () => Promise<T>): Promise<T> {
  await evaluations.retire();
  const before = evaluations.limits;
  evaluations.limits = { ...before, ...limits };
  try {
    return await run();
  } finally {
    evaluations.limits = before;
    await evaluations.retire();
  }
}

/**
 * Lets a bindings object go (Bindings: a run's variables once an Assign replaced them or the run ended, a state's
 * `$states` once it ran): the worker drops it now, not when it needs the room, so an idle worker holds no finished
 * execution's. One sent again later is copied anew.
 */
export function releaseBindings(value: object | undefined): void {
  if (value) evaluations.release(value);
}

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

/** What `{% … %}` in `field` evaluates to with `bindings` (`$states`, the variables), as JSON. */
async function evaluated(text: string, field: string, bindings: Bindings): Promise<unknown> {
  const expression = expressionText(text);
  const reply = await evaluations.evaluate(expression, bindings);
  if (reply.lost !== undefined) throw queryEvaluationError(expression, field, `threw an error during evaluation. ${reply.lost} (a bound of the local runtime, which stopped its evaluation worker and started another).`);
  if (reply.error) {
    const { code, message } = reply.error;
    const bound = code === "D1011" || code === "D1012" || code === "D2015" ? ` (a bound of the local runtime: ${evaluations.limits.timeout} ms, ${EVALUATION_BOUNDS.stack} nested steps, ${EVALUATION_BOUNDS.sequence} items in a sequence)` : "";
    throw queryEvaluationError(expression, field, `threw an error during evaluation. ${code ? `${code}: ` : ""}${message}${bound}`);
  }
  if (reply.nothing) throw queryEvaluationError(expression, field, "returned nothing (undefined).");
  if (reply.unsupported) throw queryEvaluationError(expression, field, "returned an unsupported result type.");
  // JSON has no Infinity or NaN (`1/0`), which it would write as null: the runtime's own cause, AWS's not recorded.
  if (reply.nonFinite !== undefined) throw queryEvaluationError(expression, field, `returned a number JSON cannot hold: ${reply.nonFinite}.`);
  return JSON.parse(reply.json!);
}

/**
 * A JSONata field's value (`Output`, `Arguments`, an `Assign` entry, …): each string `{% … %}` within, at any depth,
 * replaced by what it evaluates to ("Any string value, including those inside objects or arrays, will be evaluated as
 * JSONata if surrounded by {% %} characters", the CDK's JsonataCommonOptions); other values are data. `field` names
 * where it is, as AWS's causes do (`Output/result`).
 */
export async function evaluateField(value: unknown, field: string, bindings: Bindings): Promise<unknown> {
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
export async function assignedValues(assign: unknown, bindings: Bindings): Promise<Record<string, unknown> | undefined> {
  if (typeof assign !== "object" || assign === null || Array.isArray(assign)) return undefined;
  return (await evaluateField(assign, "Assign", bindings)) as Record<string, unknown>;
}
