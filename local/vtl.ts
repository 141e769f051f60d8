/**
 * API Gateway's mapping templates (VTL) under `npm start`, rendered with velocityjs (as serverless-offline renders
 * them) with the variables API Gateway gives a template
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 *
 * - `$input.body`: "the raw request payload as a string"; `$input.json(x)`: "evaluates a JSONPath expression and returns
 *   the results as a JSON string"; `$input.path(x)`: the result as an object, "to access and manipulate elements of the
 *   payload natively"; `$input.params()`: "a map of all the request parameters" (`path`, `querystring`, `header`);
 *   `$input.params(x)`: "the value of a method request parameter from the path, query string, or header value
 *   (searched in that order)".
 * - `$util.escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`, `base64Decode`.
 * - `$context.*` (the request's context: requestId, identity.sourceIp, requestTimeEpoch, stage, httpMethod,
 *   resourcePath, authorizer.*, …), with `$context.responseOverride.status` and `.header.<name>` a response template
 *   may set, and `$context.requestOverride.header.<name>`, `.querystring.<name>`, `.path.<name>` a request template may;
 *   `$stageVariables.<name>`.
 *
 * What differs from AWS's Velocity (1.7, on Java) is listed in docs/local-vs-aws.md: velocityjs runs JavaScript values,
 * so Java methods on strings (`replaceAll`, `matches`, `length()`, …) are emulated here for the common ones only.
 */
import { createContext, Script } from "node:vm";
import velocity from "velocityjs";
import { FilterPattern, JsonPathError, parseJsonPath, WHOLE_VALUE, wholeValuePattern, type FilterNode, type FilterOperand, type ParsedPath, type PathStep } from "../components/serverless-api/jsonpath";

const { Compile, parse } = velocity;

/** The request (or, for a response template, the integration's answer) a template reads. */
export interface MappingTemplateInput {
  /** `$input.body`: the payload as text. */
  body: string;
  /** `$input.params()`: the method request's parameters, one value each (the last of a repeated one). */
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
  /** `$context`: the request context (as the proxy event's requestContext carries it). */
  context: Record<string, unknown>;
  /** `$stageVariables`. */
  stageVariables: Record<string, string>;
}

/** What a template set through `$context.responseOverride` (response templates; AWS ignores it in request templates). */
export interface ResponseOverride {
  status?: number;
  header: Record<string, string>;
}

/** What a request template set through `$context.requestOverride`: the integration request's headers, query string and path parameters. */
export interface RequestOverride {
  header: Record<string, string>;
  querystring: Record<string, string>;
  path: Record<string, string>;
}

export interface RenderedTemplate {
  output: string;
  responseOverride: ResponseOverride;
  requestOverride: RequestOverride;
}

/** A template API Gateway would refuse to run (a body `$input.json` cannot parse, a template that does not parse). */
export class MappingTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MappingTemplateError";
  }
}

/**
 * JSONPath as API Gateway reads it in `$input.json` / `$input.path`: its reference page points to Jayway JsonPath
 * ("JSONPath for Java", https://github.com/jayway/JsonPath), whose grammar and filter semantics this follows
 * (json-path/JsonPath: README's operators, internal/filter/FilterCompiler, EvaluatorFactory, ValueNodes;
 * internal/path/ArraySliceToken, PredicatePathToken). Read here: `$`, `.name`, `['name']`/`["name"]`, `[n]` (negative
 * from the end), `[n,m]`, `[*]`/`.*`, `..name`/`..*`, slices `[a:b]`/`[a:]`/`[:b]`, and filters `[?(...)]` with `&&`,
 * `||`, `!`, parentheses, `==`, `!=`, `===`, `!==`, `<`, `<=`, `>`, `>=`, `=~ /re/flags`, `in`, `nin`, `subsetof`, `anyof`,
 * `noneof`, `size`, `empty`, `contains`, and existence (`@.x`, `!@.x`). Anything else (functions such as `.length()`,
 * `['a','b']`, slice steps, script expressions `[(...)]`, the operators `all`, `matches`, `type`, object
 * literals, wildcards or filters inside a filter's paths) fails the template naming it, rather than meaning something
 * else than in AWS. A definite path (names and single indexes only) gives its value (undefined when absent); any other
 * gives a list, empty when nothing matches, as Jayway reads an indefinite path. Not jsonpath-plus (in node_modules for
 * the Step Functions libraries): its filters follow JavaScript, not Jayway (`@.x` tests truthiness, not presence; `==`
 * is loose; a missing `@.a.b` throws; no `=~` or `in`), a filter may call methods that change the body
 * (`@.list.sort()`), and its path cache keyed by text never shrinks (a template can build paths from the body).
 */
export function jsonPath(document: unknown, path: string, milliseconds = RENDER_MILLISECONDS): unknown {
  const run = new PathRun(path, Math.min(renderDeadline, Date.now() + milliseconds));
  // Outside a render (an AWS-service route's `method.request.body.*` parameter), each evaluation gets its own look-ahead budget.
  const ownAhead = aheadLeft === undefined;
  if (ownAhead) [aheadLeft, aheadStopped] = [aheadBudget(), new Map()];
  try {
    const parsed = parsedPath(path);
    const values = walk([document], parsed.steps, document, run);
    return parsed.definite ? values[0] : values;
  } catch (error) {
    // Deep bodies and deeply nested filters recurse in the parser, the filter evaluation and the comparisons: a
    // template that reaches V8's stack limit fails naming its path rather than with a bare RangeError.
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw new MappingTemplateError(`JSONPath ${JSON.stringify(path.slice(0, 100))}: the path or the values it compares nest too deeply for the local renderer`);
    if (error instanceof JsonPathError) throw new MappingTemplateError(error.message);
    throw error;
  } finally {
    if (ownAhead) [aheadLeft, aheadStopped] = [undefined, undefined];
  }
}

/**
 * Paths already parsed, by their text, the most recently read last: a template reads the same few paths on every
 * request, and a loop reads one path per item. Bounded in entries and in each path's length (a longer one is parsed
 * on every read), since a template can build its paths from the body. A parsed path is only read, never changed, by
 * the evaluations that share it.
 */
const PARSED_PATHS = new Map<string, ParsedPath>();
export const PARSED_PATH_ENTRIES = 256;
export const PARSED_PATH_CHARS = 1_000;

function parsedPath(path: string): ParsedPath {
  const cached = PARSED_PATHS.get(path);
  if (cached) {
    PARSED_PATHS.delete(path);
    PARSED_PATHS.set(path, cached);
    return cached;
  }
  const parsed = parseJsonPath(path);
  if (path.length <= PARSED_PATH_CHARS) {
    PARSED_PATHS.set(path, parsed);
    if (PARSED_PATHS.size > PARSED_PATH_ENTRIES) PARSED_PATHS.delete(PARSED_PATHS.keys().next().value!);
  }
  return parsed;
}

/** The wall-time deadline of the render under way (renderMappingTemplate sets it), which every path evaluation checks too. */
let renderDeadline = Infinity;

/**
 * The most values one step of a path may produce (a local safeguard; no AWS figure). A 10 MB body (API Gateway's payload
 * quota) holds at most about 5 million values, and every step but a scan after a scan (`$..*..*`, which revisits each
 * value once per level above it) or repeated indexes gives each of them at most once; past this, the template fails
 * rather than the local runtime running out of memory.
 */
export const PATH_VALUES = 10_000_000;
/** How many values or comparisons pass between two checks of the deadline (Date.now() per value would dominate). */
const CHECK_EVERY = 4096;
/**
 * How many of a filter's items, or texts for one pattern, are collected at a time for its `=~` tests (PathRun.refill):
 * memory stays at about this many texts per pattern however long the list (past it by one item's list at most, `=~`
 * testing each value of a list), and it is still one sandbox call per pattern per this many values.
 */
export const AHEAD_TEXTS = 4096;

/** One evaluation of a path: the deadline it runs under, and what its filters built (lookups over lists, `=~` tests). */
class PathRun {
  private ticks = 0;
  /** A filter compares every item against the same list (`@.tags anyof $.allowed`): its lookup is built once. */
  private readonly lookups = new Map<unknown[], ListLookup>();
  /** A filter tests every item against the same `=~` pattern: its tests are run together. Keyed by the pattern's text and flags, so one written twice shares them. */
  private readonly patterns = new Map<string, PatternTests>();
  /** The filter under way: its `=~` comparisons, and the items whose texts are not collected yet. */
  private feed?: { comparisons: Array<{ tests: PatternTests; other: FilterOperand }>; items: Iterator<unknown>; root: unknown };

  constructor(
    readonly path: string,
    readonly deadline: number,
  ) {}

  /** Counts one unit of work, checking the deadline every CHECK_EVERY units (`now` checks it at once). */
  tick(now = false) {
    if ((now || ++this.ticks % CHECK_EVERY === 0) && Date.now() > this.deadline) throw new MappingTemplateError(`JSONPath ${JSON.stringify(this.path.slice(0, 100))} runs past the render's time budget; the local renderer stops it`);
  }

  /** Adds a step's values to its result, refusing past PATH_VALUES. */
  add(out: unknown[], values: Iterable<unknown>) {
    for (const value of values) {
      if (out.length >= PATH_VALUES) throw new MappingTemplateError(`JSONPath ${JSON.stringify(this.path.slice(0, 100))} matches more than ${PATH_VALUES} values; the local renderer stops it`);
      this.tick();
      out.push(value);
    }
  }

  lookup(list: unknown[]): ListLookup {
    let found = this.lookups.get(list);
    if (!found) this.lookups.set(list, (found = new ListLookup(list, this)));
    return found;
  }

  tests(pattern: FilterPattern): PatternTests {
    const key = `${pattern.flags}/${pattern.whole}`;
    let found = this.patterns.get(key);
    if (!found) {
      // The texts a call ahead stopped on are the render's, shared by every evaluation that tests this pattern.
      let stopped = aheadStopped!.get(key);
      if (!stopped) aheadStopped!.set(key, (stopped = new Set()));
      this.patterns.set(key, (found = new PatternTests(pattern, this, stopped)));
    }
    return found;
  }

  /**
   * The values a filter is about to test, in the order it meets them (a step's items, or every value a scan reaches):
   * what its `=~` comparisons will match is collected AHEAD_TEXTS items at a time (refill), as the filter reaches them.
   */
  expect(filter: FilterNode, items: Iterable<unknown>, root: unknown) {
    const comparisons = regexComparisons(filter).map((node) => {
      const [pattern, other] = node.left.kind === "pattern" ? [node.left.pattern, node.right] : [(node.right as { pattern: FilterPattern }).pattern, node.left];
      return { tests: this.tests(pattern), other };
    });
    for (const { tests } of comparisons) tests.forget();
    this.feed = comparisons.length > 0 ? { comparisons, items: items[Symbol.iterator](), root } : undefined;
  }

  /** Collects the `=~` texts of the filter's next items (AHEAD_TEXTS at most), for each pattern to test in one call. */
  refill() {
    const feed = this.feed;
    if (!feed) return;
    for (const { tests } of feed.comparisons) tests.forget();
    for (let n = 0; n < AHEAD_TEXTS && feed.comparisons.every(({ tests }) => tests.collected < AHEAD_TEXTS); n++) {
      const next = feed.items.next();
      if (next.done) {
        this.feed = undefined;
        return;
      }
      this.tick();
      for (const { tests, other } of feed.comparisons) {
        const input = operand(other, next.value, feed.root, this);
        for (const value of Array.isArray(input) ? input : [input]) tests.expect(regexText(value));
      }
    }
  }
}

/** A filter's `=~` comparisons of a pattern with a value (two patterns, or no pattern, test nothing). */
function regexComparisons(filter: FilterNode): Array<Extract<FilterNode, { kind: "compare" }>> {
  const found: Array<Extract<FilterNode, { kind: "compare" }>> = [];
  // With a stack, not recursion: a filter nests as deeply as the parser allows.
  const stack = [filter];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === "or" || node.kind === "and") for (const part of node.parts) stack.push(part);
    else if (node.kind === "not") stack.push(node.part);
    else if (node.kind === "compare" && node.operator === "=~" && (node.left.kind === "pattern") !== (node.right.kind === "pattern")) found.push(node);
  }
  return found;
}

/** What `=~` matches of a value: a string, number or boolean as text, anything else as "". */
const regexText = (value: unknown): string => (typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "");

/**
 * One path evaluation's `=~` tests of one pattern. A sandbox call with a timeout costs about 70 µs whatever it runs (vm
 * starts a watchdog for each), so the texts a filter may test next (PathRun.refill) are tested ahead in one call, the
 * pattern compiled once, and their results kept (a text's test does not change: flags i, m and s keep no state).
 * Running ahead is a guess, since `&&`, `||` and a list's any-match may never need a text, so it must never cost more
 * than testing each value alone did: every call ahead in a render shares one budget (aheadLeft: AHEAD_MILLISECONDS,
 * not per pattern or per read, plus SAVED_CALL_MILLISECONDS for each call a result kept saved), the render's deadline
 * is checked before each, and the text a call stops on is never run ahead again in the render. A text not tested
 * ahead is tested alone when the filter needs it, as every text was before: under the regular-expression budget, less
 * what the call ahead already spent on it, failing the template with the same error.
 */
class PatternTests {
  private readonly known = new Map<string, boolean>();
  /** Texts collected and not yet tested, in the order the filter meets them. */
  private readonly ahead = new Set<string>();

  constructor(
    private readonly pattern: FilterPattern,
    private readonly run: PathRun,
    /** The texts a call ahead stopped on in this render (by time: maybe hostile), kept out of later calls ahead. */
    private readonly stopped: Set<string>,
  ) {}

  expect(text: string) {
    if (!this.known.has(text) && !this.stopped.has(text)) this.ahead.add(text);
  }

  get collected() {
    return this.ahead.size;
  }

  /** Drops what was collected for items the filter has passed (memory stays at AHEAD_TEXTS items' texts). */
  forget() {
    this.ahead.clear();
    if (this.known.size > AHEAD_TEXTS) this.known.clear();
  }

  test(text: string): boolean {
    const known = this.known.get(text);
    if (known !== undefined) {
      // A sandbox call saved: running ahead may spend what it cost.
      aheadLeft! += SAVED_CALL_MILLISECONDS;
      return known;
    }
    // Not collected: the filter has reached items past those collected.
    if (!this.ahead.has(text) && aheadLeft! >= 1) this.run.refill();
    let spentOnIt = 0;
    if (this.ahead.has(text)) {
      spentOnIt = this.runAhead(text);
      const result = this.known.get(text);
      if (result !== undefined) return result;
    }
    const result = templateRegex("test", "=~", text, this.pattern.whole, this.pattern.flags, "", regexMilliseconds - spentOnIt) === true;
    // Kept too (a list repeats its values), within a bound: past it the oldest results go, not the template's memory.
    if (this.known.size >= 2 * AHEAD_TEXTS) this.known.clear();
    this.known.set(text, result);
    return result;
  }

  /** Tests `needed` and the texts collected after it in one call; how long the call spent on `needed` if it did not get past it. */
  private runAhead(needed: string): number {
    this.ahead.delete(needed);
    this.run.tick(true);
    const milliseconds = Math.floor(Math.min(aheadLeft!, this.run.deadline - Date.now()));
    if (!(milliseconds >= 1)) return 0;
    const texts = [needed, ...this.ahead];
    this.ahead.clear();
    const started = performance.now();
    const { done, results } = regexTestsAhead(texts, this.pattern.whole, this.pattern.flags, milliseconds);
    const spent = performance.now() - started;
    aheadLeft! -= spent;
    for (let i = 0; i < done; i++) this.known.set(texts[i], results[i]);
    if (done === texts.length) return 0;
    // Stopped (by time, or a pattern that does not compile) on texts[done]: that text is never run ahead again in this
    // render (tested alone if the filter needs it); the rest may be, as the budget allows.
    this.stopped.add(texts[done]);
    for (let i = done + 1; i < texts.length; i++) this.ahead.add(texts[i]);
    return done === 0 ? spent : 0;
  }
}

function walk(start: unknown[], steps: PathStep[], root: unknown, run: PathRun): unknown[] {
  let values = start;
  for (const [at, step] of steps.entries()) {
    const next: unknown[] = [];
    run.tick(true);
    if (step.kind === "filter") run.expect(step.test, itemsOf(values), root);
    else if (step.kind === "deep" && step.then.kind === "filter") run.expect(step.then.test, scanned(values), root);
    for (const value of values) {
      run.tick();
      if (step.kind === "deep") deepScan(value, step.then, at === steps.length - 1, root, run, next);
      else run.add(next, applyStep(step, value, root, run));
    }
    values = next;
  }
  return values;
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

function applyStep(step: Exclude<PathStep, { kind: "deep" }>, value: unknown, root: unknown, run: PathRun): unknown[] {
  switch (step.kind) {
    case "name":
      return isMap(value) && Object.hasOwn(value, step.name) ? [value[step.name]] : [];
    case "index":
      if (!Array.isArray(value)) return [];
      return step.indexes.map((i) => (i < 0 ? value.length + i : i)).filter((i) => i >= 0 && i < value.length).map((i) => value[i]);
    case "wildcard":
      return Array.isArray(value) ? value : isMap(value) ? Object.values(value) : [];
    case "slice":
      return Array.isArray(value) ? sliceOf(value, step.from, step.to) : [];
    case "filter":
      return filterItems(value).filter((item) => {
        run.tick(true);
        return passes(step.test, item, root, run);
      });
  }
}

/** Jayway applies a filter to a map as to one item, and to each item of a list. */
const filterItems = (value: unknown): unknown[] => (Array.isArray(value) ? value : isMap(value) ? [value] : []);

function* itemsOf(values: unknown[]): Generator<unknown> {
  for (const value of values) yield* filterItems(value);
}

/**
 * Jayway's slices (ArraySliceToken): `[a:]` and `[:b]` count a negative bound from the end; `[a:b]` takes the indexes
 * from a up to min(b, length), each negative one then counted from the end (so `[1:-1]` is empty, unlike Python's).
 * An index below -length hits nothing there (handleArrayIndex skips it), so `a` is clamped to -length before any
 * index is made: a bound from the request (`[$from:2]`) never walks more than twice the list.
 */
function sliceOf(list: unknown[], from: number | undefined, to: number | undefined): unknown[] {
  const length = list.length;
  let start: number;
  let end: number;
  if (to === undefined) [start, end] = [Math.max(0, from! < 0 ? length + from! : from!), length];
  else if (from === undefined) [start, end] = [0, Math.min(length, to < 0 ? length + to : to)];
  else [start, end] = [Math.max(from, -length), Math.min(length, to)];
  const out: unknown[] = [];
  for (let i = start; i < end; i++) out.push(list[i < 0 ? length + i : i]);
  return out;
}

function passes(node: FilterNode, item: unknown, root: unknown, run: PathRun): boolean {
  switch (node.kind) {
    case "or":
      return node.parts.some((part) => passes(part, item, root, run));
    case "and":
      return node.parts.every((part) => passes(part, item, root, run));
    case "not":
      return !passes(node.part, item, root, run);
    case "exists":
      return (read(node.path, item, root, run) !== undefined) === node.exists;
    case "compare":
      return compare(node.operator, operand(node.left, item, root, run), operand(node.right, item, root, run), run);
  }
}

/** A definite path inside a filter, from the item (`@`) or the document (`$`): its value, undefined when absent. */
function read(path: ParsedPath, item: unknown, root: unknown, run: PathRun): unknown {
  return walk([path.root === "@" ? item : root], path.steps, root, run)[0];
}

function operand(value: FilterOperand, item: unknown, root: unknown, run: PathRun): unknown {
  if (value.kind === "path") return read(value.path, item, root, run);
  return value.kind === "pattern" ? value.pattern : value.value;
}

/** Jayway's number syntax for a string compared with a number (jaywayEquals). */
const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Jayway's equality of two filter values (ValueNodes' equals): an absent value equals nothing; a number equals a string
 * that reads as the same number, and a string a number that prints as it; lists and maps equal by content.
 */
function jaywayEquals(left: unknown, right: unknown): boolean {
  if (left === undefined || right === undefined) return false;
  if (left instanceof FilterPattern || right instanceof FilterPattern) return left instanceof FilterPattern && right instanceof FilterPattern && left.pattern === right.pattern && left.flags === right.flags;
  if (typeof left === "number" && typeof right === "string") return NUMERIC_TEXT.test(right) && Number(right) === left;
  if (typeof left === "string" && typeof right === "number") return left === String(right);
  return sameJson(left, right);
}

function sameJson(left: unknown, right: unknown): boolean {
  if (left === null || right === null || typeof left !== "object" || typeof right !== "object") return left === right;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  return leftKeys.length === rightKeys.length && leftKeys.every((k) => Object.hasOwn(right, k) && sameJson((left as Record<string, unknown>)[k], (right as Record<string, unknown>)[k]));
}

/**
 * A list's items keyed so that `lookup.has(x)` is `list.some((r) => jaywayEquals(x, r))` in one lookup: `in`, `nin`,
 * `subsetof`, `anyof` and `noneof` between two lists from the body are then linear, not one comparison per pair. Each
 * side of jaywayEquals' loose rules has its own set (a number finds a string that reads as it; a string finds a
 * number that prints as it), and a list or map its content with keys sorted, which is sameJson's equality.
 */
class ListLookup {
  private readonly same = new Set<unknown>();
  /** The numbers the list's numeric strings read as, for a number on the left. */
  private readonly numbersOfTexts = new Set<number>();
  /** The list's numbers as text, for a string on the left. */
  private readonly textsOfNumbers = new Set<string>();
  private readonly contents = new Set<string>();
  /** Lists and maps holding Infinity (a body's 1e400), which JSON text cannot tell from null: compared one by one. */
  private readonly unkeyed: object[] = [];

  constructor(list: unknown[], run: PathRun) {
    for (const item of list) {
      run.tick();
      if (typeof item === "string" && NUMERIC_TEXT.test(item)) this.numbersOfTexts.add(Number(item));
      if (typeof item === "number") this.textsOfNumbers.add(String(item));
      if (item !== null && typeof item === "object") {
        const key = contentKey(item);
        if (key === undefined) this.unkeyed.push(item);
        else this.contents.add(key);
      } else if (item !== undefined) this.same.add(item);
    }
  }

  has(value: unknown): boolean {
    if (value === undefined || value instanceof FilterPattern) return false;
    if (value !== null && typeof value === "object") {
      const key = contentKey(value);
      return key === undefined ? this.unkeyed.some((item) => sameJson(value, item)) : this.contents.has(key);
    }
    if (typeof value === "number" && this.numbersOfTexts.has(value)) return true;
    if (typeof value === "string" && this.textsOfNumbers.has(value)) return true;
    return this.same.has(value);
  }
}

/**
 * A list's or map's content as text, map keys sorted: equal for two values exactly when sameJson holds. Undefined for
 * one holding a number JSON text cannot write (Infinity prints as null).
 */
function contentKey(value: object): string | undefined {
  let writable = true;
  const key = JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v)) writable = false;
    return isMap(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v;
  });
  return writable ? key : undefined;
}

/** One relational operator, as Jayway's EvaluatorFactory evaluates it. */
function compare(operator: string, left: unknown, right: unknown, run: PathRun): boolean {
  const bothNumbers = typeof left === "number" && typeof right === "number";
  const bothStrings = typeof left === "string" && typeof right === "string";
  const every = (list: unknown[], test: (value: unknown) => boolean) => list.every((value) => (run.tick(), test(value)));
  switch (operator) {
    case "==":
      return jaywayEquals(left, right);
    case "!=":
      return !jaywayEquals(left, right);
    // Type-safe (Jayway 2.2.0, with the loose == above): equal only between values of one kind.
    case "===":
      return kindOf(left) === kindOf(right) && jaywayEquals(left, right);
    case "!==":
      return !(kindOf(left) === kindOf(right) && jaywayEquals(left, right));
    // Ordering holds between two numbers or two strings (Java's String.compareTo, UTF-16 units as JavaScript's <).
    case "<":
      return (bothNumbers || bothStrings) && (left as number) < (right as number);
    case "<=":
      return (bothNumbers || bothStrings) && (left as number) <= (right as number);
    case ">":
      return (bothNumbers || bothStrings) && (left as number) > (right as number);
    case ">=":
      return (bothNumbers || bothStrings) && (left as number) >= (right as number);
    case "=~": {
      if (left instanceof FilterPattern === right instanceof FilterPattern) return false;
      const [pattern, input] = left instanceof FilterPattern ? [left, right] : [right as FilterPattern, left];
      const inputs = Array.isArray(input) ? input : [input];
      const tests = run.tests(pattern);
      return inputs.some((value) => tests.test(regexText(value)));
    }
    case "in":
      return Array.isArray(right) && run.lookup(right).has(left);
    case "nin":
      return !(Array.isArray(right) && run.lookup(right).has(left));
    case "subsetof":
      return Array.isArray(left) && Array.isArray(right) && every(left, (l) => run.lookup(right).has(l));
    case "anyof":
      return Array.isArray(left) && Array.isArray(right) && !every(left, (l) => !run.lookup(right).has(l));
    case "noneof":
      return Array.isArray(left) && Array.isArray(right) && every(left, (l) => !run.lookup(right).has(l));
    case "size":
      return typeof right === "number" && (typeof left === "string" || Array.isArray(left)) && left.length === Math.trunc(right);
    case "empty": {
      if (typeof right !== "boolean") return false;
      if (typeof left === "string" || Array.isArray(left)) return (left.length === 0) === right;
      return isMap(left) && (Object.keys(left).length === 0) === right;
    }
    case "contains":
      if (typeof left === "string" && typeof right === "string") return left.includes(right);
      return Array.isArray(left) && !every(left, (l) => !jaywayEquals(l, right));
  }
  return false;
}

/**
 * `..` then a step, as Jayway's ScanPathToken walks: every map and list from `value` down, each before its children
 * (in key order), gets the step where the step's predicate holds (a name: a map with that key; an index or slice: a
 * list; a wildcard: any; a filter: a value the filter accepts, whose items it then filters as usual). A list the step
 * applies to, when more steps follow (`$..[0].x`), gives all its items, not the step's: Jayway's walkArray hands
 * every item to the next token. With an explicit stack, not recursion: a body nested 100,000 deep or a scan of
 * 150,000 matches is an ordinary request.
 */
function deepScan(value: unknown, then: Exclude<PathStep, { kind: "deep" }>, leaf: boolean, root: unknown, run: PathRun, out: unknown[]) {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    run.tick();
    const list = Array.isArray(node);
    const applies = then.kind === "name" ? !list && Object.hasOwn(node, then.name) : then.kind === "index" || then.kind === "slice" ? list : then.kind === "wildcard" || passes(then.test, node, root, run);
    if (applies) run.add(out, list && !leaf ? node : applyStep(then, node, root, run));
    const children = list ? node : Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/**
 * What a scan's filter tests, in the order deepScan tests it: every map and list from `values` down, each before its
 * children, a list followed by its items that are not maps or lists (which a list the filter accepts has filtered
 * next; its maps and lists come as the scan reaches them). A map's other values are never tested, so never collected:
 * a hostile one costs nothing, as before `=~` tests ran ahead.
 */
function* scanned(values: unknown[]): Generator<unknown> {
  const stack = values.slice().reverse();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    yield node;
    const list = Array.isArray(node);
    if (list) for (const item of node) if (item === null || typeof item !== "object") yield item;
    const children = list ? node : Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/** The pattern a template wrote, for messages: without wholeValuePattern's anchors. */
const writtenPattern = (source: string) => (source.startsWith(WHOLE_VALUE[0]) && source.endsWith(WHOLE_VALUE[1]) ? source.slice(WHOLE_VALUE[0].length, -WHOLE_VALUE[1].length) : source);

/**
 * A value as Java's Velocity prints it: a map as `{key=value, ...}` (java.util.Map's toString), a list as JSON (what
 * API Gateway prints for `$input.path` lists, as LocalStack's parity tests recorded it: VTLJsonList,
 * localstack-core/localstack/services/apigateway/next_gen/execute_api/template_mapping.py). Applied to what
 * `$input.path` and `$util.parseJson` return, so `"$input.path('$')"` does not print `[object Object]`.
 */
function javaLike(value: unknown): unknown {
  if (Array.isArray(value)) {
    const list = value.map(javaLike);
    Object.defineProperty(list, "toString", { value: () => JSON.stringify(value), enumerable: false });
    return list;
  }
  if (value && typeof value === "object") return javaMap(Object.entries(value).map(([k, v]) => [k, javaLike(v)]));
  return value;
}

/**
 * A map with no prototype (so a template reads only its own keys, never Object.prototype's, and a body key
 * `"__proto__"` is an ordinary key), printed as java.util.Map's toString.
 */
function javaMap(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const map: Record<string, unknown> = Object.create(null);
  // Assigned, not defined: with no prototype there is no `__proto__` setter, so each key (that one too) becomes an own
  // enumerable, writable, configurable property, as defineProperty made it, at a fraction of the cost ($foreach makes
  // one map per iteration).
  for (const [k, v] of entries) map[k] = v;
  Object.defineProperty(map, "toString", { value: printJavaMap, enumerable: false });
  return map;
}

/** java.util.Map's toString of the map it is called on (one function for every map, not a closure each). */
function printJavaMap(this: Record<string, unknown>): string {
  return `{${Object.entries(this).map(([k, v]) => `${k}=${String(v)}`).join(", ")}}`;
}

/**
 * `$util.escapeJavaScript`: "Escapes the characters in a string using JavaScript string rules. Note: This function will
 * turn any regular single quotes (') into escaped ones (\')" (the reference page). As Apache Commons Lang's
 * StringEscapeUtils.escapeJavaScript (which the name and the quote rule match; AWS does not name its implementation):
 * `"`, `'`, `\` and `/` get a backslash, \b \t \n \f \r their escapes, other control characters and everything beyond
 * ASCII `\uXXXX` (upper-case hex).
 */
export function escapeJavaScript(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  let out = "";
  for (const ch of text) {
    for (let i = 0; i < ch.length; i++) {
      const code = ch.charCodeAt(i);
      const c = ch[i];
      if (code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
      else if (c === "\b") out += "\\b";
      else if (c === "\n") out += "\\n";
      else if (c === "\t") out += "\\t";
      else if (c === "\f") out += "\\f";
      else if (c === "\r") out += "\\r";
      else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
      else if (c === '"' || c === "'" || c === "\\" || c === "/") out += `\\${c}`;
      else out += c;
    }
  }
  return out;
}

/** `$util`: the functions API Gateway documents. */
const UTIL_METHODS: Record<string, (...args: unknown[]) => unknown> = {
  escapeJavaScript,
  parseJson: (text: unknown) => {
    try {
      return javaLike(JSON.parse(String(text)));
    } catch {
      throw new MappingTemplateError(`$util.parseJson: ${JSON.stringify(String(text).slice(0, 60))} is not JSON`);
    }
  },
  // "Converts a string into "application/x-www-form-urlencoded" format": Java's URLEncoder, spaces as +, and only
  // letters, digits and . - * _ kept (encodeURIComponent also keeps ! ' ( ) ~).
  urlEncode: (text: unknown) => encodeURIComponent(String(text ?? "")).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+"),
  urlDecode: (text: unknown) => decodeURIComponent(String(text ?? "").replace(/\+/g, " ")),
  base64Encode: (text: unknown) => Buffer.from(String(text ?? ""), "utf8").toString("base64"),
  base64Decode: (text: unknown) => Buffer.from(String(text ?? ""), "base64").toString("utf8"),
};

/**
 * AWS's quota: "Number of iterations in a #foreach ... #end loop in mapping templates: 1000", not adjustable
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html, API Gateway quotas for REST APIs).
 * Locally a loop (or a `[a..b]` range) over more items fails the template (a 500), before anything is built.
 */
export const FOREACH_LIMIT = 1000;
/** Local safety budgets for one render (no AWS figure): loop iterations and macro calls in all, output characters (10 MB, API Gateway's payload quota), wall time. */
export const RENDER_STEPS = 1_000_000;
const RENDER_CHARS = 10 * 1024 * 1024;
const RENDER_MILLISECONDS = 5_000;

type Method<T> = (self: T, ...args: unknown[]) => unknown;
const table = <T>(methods: Record<string, Method<T>>): Record<string, Method<T>> => Object.assign(Object.create(null), methods);
const str = (value: unknown) => String(value ?? "");

/** How long one regular-expression call of a template may run (a local safeguard; no AWS figure). */
const REGEX_MILLISECONDS = 1_000;
/** The budget of the render under way (renderMappingTemplate's `regexBudget`; a render is synchronous, so one at a time). */
let regexMilliseconds = REGEX_MILLISECONDS;
/**
 * What all of a render's `=~` tests run ahead may spend together, beyond what their kept results saved
 * (PatternTests; a local safeguard, no AWS figure): hostile values the filter skips then cost at most this in all per
 * render, where testing each value alone cost nothing. A call of 4096 ordinary texts takes about a millisecond.
 */
const AHEAD_MILLISECONDS = 10;
/**
 * What each test answered without a sandbox call adds to the look-ahead budget: a call costs about 70 µs (200 µs on a
 * loaded machine) whatever it runs, so with a quarter of that, a long list's calls ahead keep running while they save
 * more than they spend, and a render never spends more than testing each value alone did, plus AHEAD_MILLISECONDS.
 */
const SAVED_CALL_MILLISECONDS = 0.02;
/** The look-ahead budget left in the render (or path evaluation outside one) under way; undefined between them. */
let aheadLeft: number | undefined;
/** By pattern (flags/source), the texts a call ahead stopped on in the render under way (PatternTests.stopped). */
let aheadStopped: Map<string, Set<string>> | undefined;
/** No more than a regular-expression call may run; none when that budget is not finite (a test's, so no machine's speed decides what it counts). */
const aheadBudget = () => (Number.isFinite(regexMilliseconds) ? Math.min(AHEAD_MILLISECONDS, regexMilliseconds) : Infinity);
/** vm's timeout option: whole milliseconds from 1 to 2³²−1; none for a budget past that (a test's Infinity). */
const timeoutOf = (milliseconds: number) => (milliseconds <= 2 ** 32 - 1 ? { timeout: Math.max(1, Math.floor(milliseconds)) } : {});
// `tests` fills `results` in order, so a call stopped part-way has still tested the first results.length texts. The
// sandbox's globals are read through its context's interceptors, so the loop reads them into constants first.
const REGEX_SCRIPT = new Script(`{
  const re = new RegExp(source, flags);
  if (op === "tests") {
    const all = texts, out = results;
    for (let i = 0; i < all.length; i++) out.push(re.test(all[i]));
  } else op === "test" ? re.test(text) : op === "split" ? Array.from(text.split(re)) : text.replace(re, replacement);
}`);
let regexSandbox: Record<string, unknown> | undefined;

/**
 * A template's regular expression, run where it can be stopped: a pattern taken from the template (or the body, through
 * a variable) may backtrack for minutes on a short input (`(a+)+$`), and a regex call is one step for the render's
 * budgets, which cannot interrupt it. vm's timeout can; the call then fails the template.
 */
function templateRegex(op: "test" | "split" | "replace", method: string, text: string, source: string, flags: string, replacement = "", milliseconds = regexMilliseconds): unknown {
  regexSandbox ??= createContext(Object.create(null)) as Record<string, unknown>;
  Object.assign(regexSandbox, { op, text, source, flags, replacement });
  try {
    const result = REGEX_SCRIPT.runInContext(regexSandbox, timeoutOf(milliseconds));
    return Array.isArray(result) ? Array.from(result as unknown[]) : result;
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (/timed out/.test(message)) throw new MappingTemplateError(`.${method}(${JSON.stringify(writtenPattern(source).slice(0, 100))}) ran for more than ${regexMilliseconds} ms; the local renderer stops it`);
    throw new MappingTemplateError(`.${method}(): ${message}`);
  } finally {
    Object.assign(regexSandbox, { text: "", replacement: "" });
  }
}

/**
 * Tests `texts` against one pattern in a single sandbox call, the pattern compiled once, stopped after `milliseconds`:
 * how many texts it tested (all, unless it was stopped or failed) and their results. It never fails (see PatternTests).
 */
function regexTestsAhead(texts: string[], source: string, flags: string, milliseconds: number): { done: number; results: boolean[] } {
  regexSandbox ??= createContext(Object.create(null)) as Record<string, unknown>;
  const results: boolean[] = [];
  Object.assign(regexSandbox, { op: "tests", texts, results, source, flags });
  try {
    REGEX_SCRIPT.runInContext(regexSandbox, timeoutOf(milliseconds));
  } catch {
    // Stopped or failed on texts[results.length]: PatternTests tests that one alone if the filter needs it, failing then.
  } finally {
    Object.assign(regexSandbox, { texts: [], results: [] });
  }
  return { done: results.length, results };
}

/**
 * The Java String methods a template may call (Java's regex semantics assumed close to JavaScript's). Every other
 * method on a string fails the template.
 */
const STRING_METHODS = table<string>({
  replaceAll: (text, regex, replacement) => templateRegex("replace", "replaceAll", text, str(regex), "g", str(replacement).replace(/\$(\d)/g, "$$$1")),
  replaceFirst: (text, regex, replacement) => templateRegex("replace", "replaceFirst", text, str(regex), "", str(replacement)),
  // Java's replace(CharSequence, CharSequence) replaces every occurrence, literally.
  replace: (text, target, replacement) => text.split(str(target)).join(str(replacement)),
  matches: (text, regex) => templateRegex("test", "matches", text, wholeValuePattern(".matches()", str(regex), ""), ""),
  contains: (text, part) => text.includes(str(part)),
  equals: (text, other) => text === other,
  equalsIgnoreCase: (text, other) => typeof other === "string" && text.toLowerCase() === other.toLowerCase(),
  length: (text) => text.length,
  isEmpty: (text) => text.length === 0,
  split: (text, regex) => templateRegex("split", "split", text, str(regex), ""),
  toLowerCase: (text) => text.toLowerCase(),
  toUpperCase: (text) => text.toUpperCase(),
  trim: (text) => text.trim(),
  substring: (text, begin, end) => text.substring(Number(begin), end === undefined ? undefined : Number(end)),
  indexOf: (text, part) => text.indexOf(str(part)),
  lastIndexOf: (text, part) => text.lastIndexOf(str(part)),
  startsWith: (text, part) => text.startsWith(str(part)),
  endsWith: (text, part) => text.endsWith(str(part)),
  charAt: (text, index) => text.charAt(Number(index)),
  concat: (text, other) => text + str(other),
  toString: (text: string) => text,
});
const NUMBER_METHODS = table<number>({
  toString: (n: number) => String(n),
  intValue: (n) => Math.trunc(n),
  longValue: (n) => Math.trunc(n),
  doubleValue: (n) => n,
  equals: (n, other) => n === other,
});
const BOOLEAN_METHODS = table<boolean>({ toString: (b: boolean) => String(b), booleanValue: (b) => b, equals: (b, other) => b === other });
/** java.util.List's methods a template may call. */
const LIST_METHODS = table<unknown[]>({
  size: (list) => list.length,
  get: (list, index) => (Number.isInteger(index) && (index as number) >= 0 ? list[index as number] : undefined),
  contains: (list, item) => list.includes(item),
  isEmpty: (list) => list.length === 0,
  indexOf: (list, item) => list.indexOf(item),
  add: (list, item) => (list.push(item), true),
  subList: (list, from, to) => javaLike(list.slice(Number(from), Number(to))),
  toString: (list: unknown[]) => String(list),
});
const own = (map: object, key: unknown): key is string => typeof key === "string" && Object.hasOwn(map, key);
/** java.util.Map's methods a template may call (on `$input.path` objects, `$input.params()`, `$context.*`, literal maps). */
const MAP_METHODS = table<Record<string, unknown>>({
  get: (map, key) => (own(map, String(key)) ? map[String(key)] : undefined),
  containsKey: (map, key) => own(map, String(key)),
  put: (map, key, value) => {
    const previous = own(map, String(key)) ? map[String(key)] : undefined;
    Object.defineProperty(map, String(key), { value, enumerable: true, writable: true, configurable: true });
    return previous;
  },
  remove: (map, key) => {
    const previous = own(map, String(key)) ? map[String(key)] : undefined;
    if (own(map, String(key))) delete map[String(key)];
    return previous;
  },
  keySet: (map) => Object.keys(map),
  values: (map) => Object.values(map),
  entrySet: (map) => Object.entries(map).map(([key, value]) => javaMap([["key", key], ["value", value]])),
  size: (map) => Object.keys(map).length,
  isEmpty: (map) => Object.keys(map).length === 0,
  toString: (map: Record<string, unknown>) => String(map),
});

/** `$input` over one payload and its request's parameters: a fresh object per render, with its methods. */
function inputVariable(input: MappingTemplateInput): { value: Record<string, unknown>; methods: Record<string, Method<unknown>> } {
  let parsed: { value: unknown } | undefined;
  const document = () => {
    if (!parsed) {
      // An empty body reads as {} (LocalStack's VelocityInput: `if not self.value: return {}`).
      if (input.body.trim() === "") parsed = { value: {} };
      else {
        try {
          parsed = { value: JSON.parse(input.body) };
        } catch {
          throw new MappingTemplateError("the payload is not JSON, which $input.json and $input.path read");
        }
      }
    }
    return parsed.value;
  };
  const headerOf = (name: string) => Object.entries(input.params.header).find(([header]) => header.toLowerCase() === name.toLowerCase())?.[1];
  const methods = table<unknown>({
    json: (_, path) => JSON.stringify(jsonPath(document(), String(path ?? "$"))) ?? "null",
    path: (_, path) => javaLike(jsonPath(document(), String(path ?? "$"))),
    params: (_, name) => {
      if (name === undefined) return javaLike(input.params);
      const key = String(name);
      return (Object.hasOwn(input.params.path, key) ? input.params.path[key] : undefined) ?? (Object.hasOwn(input.params.querystring, key) ? input.params.querystring[key] : undefined) ?? headerOf(key) ?? "";
    },
  });
  return { value: javaMap([["body", input.body]]), methods };
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "null";
  return typeof value === "object" ? "map" : typeof value;
}

/**
 * velocityjs's compiler with every way out of the template closed: a template reads only own keys of the values it
 * is given (null-prototype copies), calls only the methods listed above (anything else — `call`, `constructor`,
 * `__lookupGetter__`, velocityjs's `eval` — fails the template with MappingTemplateError naming it), defines and
 * calls only its own macros (no `#eval`), and loops at most FOREACH_LIMIT times per #foreach within the render budgets.
 */
class SafeCompile extends (Compile as unknown as new (asts: unknown, config: unknown) => Record<string, any>) {
  hosts = new Map<object, { name: string; methods: Record<string, Method<unknown>> }>();
  steps = 0;
  deadline: number;
  loops = 0;

  constructor(asts: unknown, config: unknown, readonly milliseconds: number, readonly stepBudget: number) {
    super(asts, config);
    this.deadline = Date.now() + milliseconds;
  }

  step(what: string) {
    if (++this.steps > this.stepBudget) throw new MappingTemplateError(`the template runs more than ${this.stepBudget} loop iterations and macro calls in one render (${what}); the local renderer stops it`);
    if (Date.now() > this.deadline) throw new MappingTemplateError(`the template renders for more than ${this.milliseconds} ms (${what}); the local renderer stops it`);
  }

  checkSize<T>(value: T): T {
    if (typeof value === "string" && value.length > RENDER_CHARS) throw new MappingTemplateError(`the template builds a string over ${RENDER_CHARS} characters (API Gateway's payload quota is 10 MB)`);
    return value;
  }

  renderAstList(asts: unknown, contextId: unknown) {
    if (Date.now() > this.deadline) throw new MappingTemplateError(`the template renders for more than ${this.milliseconds} ms; the local renderer stops it`);
    return this.checkSize(super.renderAstList(asts, contextId));
  }

  getExpression(ast: unknown) {
    return this.checkSize(super.getExpression(ast));
  }

  /**
   * A reference printed whole: velocityjs prints every list as `[a, b]` itself, without the list's own toString; a
   * list from `$input.path` prints as JSON in AWS (javaLike), so it prints through its toString here.
   */
  getReferences(ast: unknown, isVal?: boolean) {
    const value = super.getReferences(ast, isVal);
    return isVal && Array.isArray(value) && Object.hasOwn(value, "toString") ? String(value) : value;
  }

  /** Property or index reads: own keys of maps, integer indices of lists, nothing on strings, numbers, functions. */
  readKey(baseRef: unknown, key: unknown): unknown {
    if (baseRef === null || baseRef === undefined) return undefined;
    let value: unknown;
    if (Array.isArray(baseRef)) {
      const i = typeof key === "number" ? key : /^\d+$/.test(String(key)) ? Number(key) : NaN;
      value = Number.isInteger(i) && i < baseRef.length ? baseRef[i] : undefined;
    } else if (typeof baseRef === "object" && own(baseRef, String(key))) value = (baseRef as Record<string, unknown>)[String(key)];
    return typeof value === "function" ? undefined : value;
  }

  getAttributes(property: { type: string; id: any }, baseRef: unknown, ast: unknown) {
    if (baseRef === null || baseRef === undefined) return undefined;
    if (property.type === "method") return this.getPropMethod(property, baseRef);
    if (property.type === "property") return this.readKey(baseRef, property.id);
    return this.getPropIndex(property, baseRef);
  }

  getPropIndex(property: { id: any }, baseRef: unknown) {
    const key = property.id.type === "references" ? this.getReferences(property.id) : property.id.value;
    return this.readKey(baseRef, key);
  }

  getPropMethod(property: { id: string; args?: unknown[] }, baseRef: unknown) {
    const name = property.id;
    const host = typeof baseRef === "object" && baseRef !== null ? this.hosts.get(baseRef) : undefined;
    const kind = host ? host.name : kindOf(baseRef);
    const methods: Record<string, Method<any>> | undefined = host
      ? host.methods
      : { string: STRING_METHODS, number: NUMBER_METHODS, boolean: BOOLEAN_METHODS, list: LIST_METHODS, map: MAP_METHODS }[kind];
    if (!methods || !Object.hasOwn(methods, name)) {
      const offered = methods ? Object.keys(methods).join(", ") : "none";
      throw new MappingTemplateError(`.${name}() is not a method the local renderer offers on ${host ? host.name : `a ${kind}`} (offered: ${offered})`);
    }
    const args = (Array.isArray(property.args) ? property.args : []).map((exp) => this.getLiteral(exp));
    return this.checkSize(methods[name](baseRef, ...args));
  }

  /** Map literals (`{"a": 1}`) as prototype-free maps, like every other map a template sees. */
  getLiteral(literal: any): unknown {
    if (literal?.type !== "map") return super.getLiteral(literal);
    return javaMap(Object.entries((literal.value ?? {}) as Record<string, unknown>).map(([key, value]): [string, unknown] => [key, this.getLiteral(value)]));
  }

  /**
   * A `#set` path (`#set($m.a[$k] = …)`) walked as reads are: own keys of maps and integer indices of lists only
   * (velocityjs walks it with plain property reads, which reach a map literal's or a list's built-in methods and let
   * a template change them for the whole process). The value is set only on a map (not $input or $util) or at an
 * index within a list; any other #set is ignored, as Velocity ignores one it cannot make.
   */
  resolveSetPath(context: Record<string, unknown>, ref: { id: string }, pathKeys: string[]) {
    if (pathKeys.length === 0) return super.resolveSetPath(context, ref, pathKeys);
    let rootRef = own(context, ref.id) ? context[ref.id] : undefined;
    let shouldSetRoot = false;
    if (rootRef === undefined || rootRef === null || typeof rootRef !== "object") {
      rootRef = javaMap([]);
      shouldSetRoot = true;
    }
    let baseRef: unknown = rootRef;
    for (let i = 0; i < pathKeys.length; i++) {
      const key = pathKeys[i];
      if (i === pathKeys.length - 1) {
        const settable = Array.isArray(baseRef) ? /^\d+$/.test(key) && Number(key) < baseRef.length : typeof baseRef === "object" && baseRef !== null && !this.hosts.has(baseRef);
        // Velocity ignores a #set it cannot make (no such property to set); so does the local renderer.
        if (!settable) return { blocked: true };
        return { blocked: false, rootRef, shouldSetRoot, baseRef, key };
      }
      baseRef = this.readKey(baseRef, key);
      if (baseRef === undefined || baseRef === null || typeof baseRef !== "object") return { blocked: false, rootRef, shouldSetRoot };
    }
    return { blocked: false, rootRef, shouldSetRoot };
  }

  /** Only the template's own #macro definitions; velocityjs's built-in `#eval` (which renders a string as a template) and others are refused. */
  getMacro(ast: { id: string }, bodyContent: unknown) {
    if (!Object.hasOwn(this.macrosStore, ast.id)) throw new MappingTemplateError(`#${ast.id}(): the template defines no such macro (the local renderer offers no built-in macros such as velocityjs's #eval)`);
    this.step(`#${ast.id}`);
    return super.getMacro(ast, bodyContent);
  }

  /** `[a..b]` ranges: refused past FOREACH_LIMIT items before they are built. */
  getArray(literal: { isRange?: boolean; value: unknown[] }) {
    if (literal.isRange === true) {
      const [begin, end] = literal.value.map((exp) => (typeof exp === "string" ? parseInt(exp, 10) : typeof exp === "number" ? exp : Number(this.getReferences(exp))));
      if (!Number.isFinite(begin) || !Number.isFinite(end)) return [];
      if (Math.abs(end - begin) + 1 > FOREACH_LIMIT) throw new MappingTemplateError(`the range [${begin}..${end}] has more than ${FOREACH_LIMIT} items, the most one #foreach may iterate in API Gateway`);
      const step = begin <= end ? 1 : -1;
      return Array.from({ length: Math.abs(end - begin) + 1 }, (_, i) => begin + i * step);
    }
    return super.getArray(literal);
  }

  getBlockEach(block: Array<{ from: object; pos: unknown; to: string }>) {
    const ast = block[0];
    const from = this.getLiteral({ ...ast.from, pos: ast.pos });
    if (!from || typeof from !== "object") return "";
    const items = (Array.isArray(from) ? from : Object.values(from)).filter((item) => typeof item !== "function");
    if (items.length > FOREACH_LIMIT) throw new MappingTemplateError(`#foreach over ${items.length} items: API Gateway iterates a #foreach at most ${FOREACH_LIMIT} times`);
    const body = block.slice(1);
    const contextId = `foreach:safe:${this.loops++}`;
    const local: Record<string, unknown> = {};
    let out = "";
    for (let i = 0; i < items.length && !this.runState.break; i++) {
      this.step("#foreach");
      local[ast.to] = items[i];
      local.foreach = javaMap([["count", i + 1], ["index", i], ["hasNext", i + 1 < items.length]]);
      local.velocityCount = i + 1;
      this.local[contextId] = local;
      out = this.checkSize(out + this.renderAstList(body, contextId));
    }
    if (items.length > 0) {
      this.runState.break = false;
      this.local[contextId] = {};
      this.conditions.shift();
      this.contextId = this.conditions[0] || "";
    }
    return out;
  }
}

/**
 * Renders one mapping template. References with no value render empty (as `$!ref`), as API Gateway prints a missing
 * `$context.authorizer.claims.<claim>` or `$input.params('<absent>')`; a template velocityjs cannot parse, an
 * `$input.json`/`$input.path` over a body that is not JSON, a method the renderer does not offer, or a loop past
 * AWS's 1000 iterations throws MappingTemplateError. Every render gets its own copies of `$input`, `$util`,
 * `$context` and `$stageVariables`, so a `#set` in one request is not seen by the next.
 */
/**
 * `renderMilliseconds`: the wall-time budget (RENDER_MILLISECONDS); a test of the other budgets passes Infinity, so
 * what stops a render does not depend on how loaded the machine is. `regexBudget`: one regular-expression call's
 * budget (REGEX_MILLISECONDS); a test passes a small one, or Infinity (no call is ever stopped, so a test counting
 * calls does not depend on the machine either). `renderSteps`: the loop iterations and macro calls a render may run
 * (RENDER_STEPS); a test shows that bound with a smaller one, at a fraction of a million iterations' CPU.
 */
export function renderMappingTemplate(template: string, input: MappingTemplateInput, renderMilliseconds = RENDER_MILLISECONDS, regexBudget = REGEX_MILLISECONDS, renderSteps = RENDER_STEPS): RenderedTemplate {
  const context = javaLike(structuredClone(input.context)) as Record<string, unknown>;
  const responseOverride = javaMap([["header", javaMap([])]]);
  const requestOverride = javaMap([["header", javaMap([])], ["querystring", javaMap([])], ["path", javaMap([])]]);
  context.responseOverride = responseOverride;
  context.requestOverride = requestOverride;
  let compiled: SafeCompile;
  try {
    compiled = new SafeCompile(parse(template), { escape: false }, renderMilliseconds, renderSteps);
  } catch (error) {
    throw new MappingTemplateError(`the template does not parse: ${(error as Error).message.split("\n")[0]}`);
  }
  const $input = inputVariable(input);
  const $util = javaMap([]);
  compiled.hosts.set($input.value, { name: "$input", methods: $input.methods });
  compiled.hosts.set($util, { name: "$util", methods: table<unknown>(Object.fromEntries(Object.entries(UTIL_METHODS).map(([name, fn]) => [name, (_: unknown, ...args: unknown[]) => fn(...args)]))) });
  const variables = javaMap([["input", $input.value], ["util", $util], ["context", context], ["stageVariables", javaLike(input.stageVariables)]]);
  let output: string;
  regexMilliseconds = regexBudget;
  [aheadLeft, aheadStopped] = [aheadBudget(), new Map()];
  renderDeadline = compiled.deadline;
  try {
    output = compiled.render(variables, {}, true);
  } catch (error) {
    if (error instanceof MappingTemplateError) throw error;
    // $input.json and $input.path print and copy a path's value recursively: a body nested too deeply for that fails
    // the template saying so, not with V8's bare "Maximum call stack size exceeded".
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw new MappingTemplateError("a value the template prints or reads nests too deeply for the local renderer");
    throw new MappingTemplateError((error as Error).message);
  } finally {
    regexMilliseconds = REGEX_MILLISECONDS;
    [aheadLeft, aheadStopped] = [undefined, undefined];
    renderDeadline = Infinity;
  }
  const status = Number(responseOverride.status);
  const override = requestOverride as Record<string, Record<string, unknown> | undefined>;
  return {
    output,
    responseOverride: { ...(Number.isInteger(status) && status >= 100 && status <= 599 ? { status } : {}), header: strings(responseOverride.header as Record<string, unknown>) },
    requestOverride: { header: strings(override.header), querystring: strings(override.querystring), path: strings(override.path) },
  };
}

/** The values a template set, as strings (unset ones dropped). */
function strings(values: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(values && typeof values === "object" ? values : {}).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}

/** The media type a Content-Type names, lower-cased, without parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0].trim().toLowerCase();
  return type ? type : undefined;
}

export type PassthroughBehavior = "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";

/**
 * The request template API Gateway picks for a request, or what it does without one
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html): the template
 * keyed by the request's Content-Type (none: application/json); with no such template, WHEN_NO_MATCH passes the body
 * through, WHEN_NO_TEMPLATES passes it through only when no template is defined at all, and NEVER (and
 * WHEN_NO_TEMPLATES with templates) rejects it with 415 Unsupported Media Type.
 */
export function selectRequestTemplate(templates: Record<string, string>, contentType: string | undefined, passthrough: PassthroughBehavior): { template: string } | "passthrough" | "unsupported" {
  const type = mediaType(contentType) ?? "application/json";
  const key = Object.keys(templates).find((k) => k.toLowerCase() === type);
  if (key !== undefined) return { template: templates[key] };
  if (passthrough === "WHEN_NO_MATCH") return "passthrough";
  if (passthrough === "WHEN_NO_TEMPLATES" && Object.keys(templates).length === 0) return "passthrough";
  return "unsupported";
}

/**
 * The response template of an integration response, by the client's Accept header: a template keyed by one of the
 * media types it accepts, else application/json's, else the first (API Gateway's default content type is
 * application/json). Undefined without templates.
 */
export function selectResponseTemplate(templates: Record<string, string>, accept: string | undefined): { contentType: string; template: string } | undefined {
  const keys = Object.keys(templates);
  if (keys.length === 0) return undefined;
  const accepted = (accept ?? "").split(",").map((part) => mediaType(part)).filter((t): t is string => Boolean(t));
  const key = keys.find((k) => accepted.includes(k.toLowerCase())) ?? keys.find((k) => k.toLowerCase() === "application/json") ?? keys[0];
  return { contentType: key, template: templates[key] };
}
