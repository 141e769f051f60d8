/**
 * The JSONPath reader of API Gateway's JSONPath, shared by the plan (ServerlessApi refuses a
 * `method.request.body.<JSONPath>` mapping source whose path Jayway cannot parse, validate.ts) and by `npm start`, which
 * evaluates what it reads (local/vtl.ts `jsonPath`, in mapping templates and in those mapping sources): one parser, so
 * the plan and the local runtime cannot disagree on what a path is. The grammar is Jayway JsonPath's, which API Gateway
 * reads (see local/vtl.ts `jsonPath` for what is read and how values compare).
 *
 * A path the reader does not take fails with a JsonPathError that says whether Jayway refuses it too
 * (`jaywayRefuses`, decided against json-path/JsonPath's PathCompiler, FilterCompiler and RelationalOperator) or only
 * the local reader does (functions, `['a','b']`, slice steps, some operators, regular expressions JavaScript does not
 * compile, …): the plan refuses the first kind only, since API Gateway may read the second.
 */

/** A path the reader does not take: `jaywayRefuses` when Jayway cannot parse it either, not only the local reader. */
export class JsonPathError extends Error {
  constructor(
    message: string,
    readonly jaywayRefuses: boolean,
  ) {
    super(message);
    this.name = "JsonPathError";
  }
}

/** A JSONPath from `$`, read as Jayway reads it (JsonPathError when it does not read). */
export function parseJsonPath(path: string): ParsedPath {
  return new PathReader(path.trim()).readPath("top");
}

/**
 * Why Jayway cannot parse this path, or undefined when it can or may (a path only the local reader refuses is left to
 * AWS, as is one nesting deeper than V8's stack, which Jayway's compiler need not reach).
 */
export function jaywayRefusal(path: string): string | undefined {
  try {
    parseJsonPath(path);
  } catch (error) {
    if (error instanceof JsonPathError && error.jaywayRefuses) return error.message;
    if (error instanceof JsonPathError || (error instanceof RangeError && /call stack/i.test(error.message))) return undefined;
    throw error;
  }
  return undefined;
}

export type PathStep =
  | { kind: "name"; name: string }
  | { kind: "index"; indexes: number[] }
  | { kind: "wildcard" }
  /** `..` then a step: the step applied at every level the scan reaches (Jayway's ScanPathToken). */
  | { kind: "deep"; then: Exclude<PathStep, { kind: "deep" }> }
  | { kind: "slice"; from?: number; to?: number }
  | { kind: "filter"; test: FilterNode };
export interface ParsedPath {
  root: "$" | "@";
  steps: PathStep[];
  definite: boolean;
}
/** A regular expression literal of a filter (`/re/flags`): a class, so no value of the body can pass for one. */
export class FilterPattern {
  /** The pattern as `=~` runs it: on the whole value (wholeValuePattern), refused at parse when it does not compile. */
  readonly whole: string;
  constructor(
    readonly pattern: string,
    readonly flags: string,
  ) {
    this.whole = wholeValuePattern("=~", pattern, flags);
  }
}
export type FilterOperand = { kind: "path"; path: ParsedPath; exists: boolean } | { kind: "value"; value: unknown } | { kind: "pattern"; pattern: FilterPattern };
export type FilterNode =
  | { kind: "or" | "and"; parts: FilterNode[] }
  | { kind: "not"; part: FilterNode }
  | { kind: "compare"; left: FilterOperand; operator: string; right: FilterOperand }
  | { kind: "exists"; path: ParsedPath; exists: boolean };

const SYMBOL_OPERATORS = new Set(["==", "!=", "===", "!==", "<", "<=", ">", ">=", "=~"]);
const WORD_OPERATORS = new Set(["in", "nin", "subsetof", "anyof", "noneof", "size", "empty", "contains"]);
/** Jayway operators the local renderer does not offer. */
const REFUSED_OPERATORS = new Set(["all", "matches", "type", "exists"]);
/** Java Pattern flags that mean the same in JavaScript; Jayway's others (x, u, d, U) are refused. */
const PATTERN_FLAGS = /^[ims]*$/;

class PathReader {
  pos = 0;
  constructor(readonly text: string) {}

  /** What Jayway cannot parse either (json-path/JsonPath's PathCompiler, FilterCompiler, RelationalOperator). */
  fail(why: string): never {
    throw new JsonPathError(this.located(why), true);
  }

  /** What the local reader does not take, though Jayway may parse it (the plan leaves it to AWS). */
  unsupported(why: string): never {
    throw new JsonPathError(this.located(why), false);
  }

  located(why: string): string {
    return `JSONPath ${JSON.stringify(this.text)}: ${why} (at ${JSON.stringify(this.text.slice(this.pos, this.pos + 40))})`;
  }

  /**
   * Where a dot-name was expected: Jayway's PathCompiler refuses a path that ends there ("Path must not end with a '.'
   * or '..'") or a space there ("Use bracket notion ['my prop'] if your property contains blank characters", and a
   * name does not start with one); any other character it reads into the name, which the local reader does not.
   */
  failName(why: string): never {
    if (this.text[this.pos] === " ") this.fail(`${why}: a name with a space is written in brackets, ['a name']`);
    return this.pos >= this.text.length ? this.fail(why) : this.unsupported(why);
  }

  match(pattern: RegExp): RegExpExecArray | null {
    const sticky = new RegExp(pattern.source, "y");
    sticky.lastIndex = this.pos;
    const found = sticky.exec(this.text);
    if (found) this.pos = sticky.lastIndex;
    return found;
  }

  blanks() {
    this.match(/\s*/);
  }

  /** A path from `$` (or, in a filter, `@`): to the text's end at the top, to an operator, blank or `)` in a filter. */
  readPath(where: "top" | "filter"): ParsedPath {
    this.blanks();
    const root = this.text[this.pos];
    // Jayway reads a path without a root as under `$.`; the local reader asks for the `$`.
    if (root !== "$" && !(root === "@" && where === "filter")) this.unsupported(where === "top" ? "a JSONPath starts with $" : "expected a value");
    this.pos++;
    const steps: PathStep[] = [];
    for (;;) {
      if (this.pos >= this.text.length || (where === "filter" && /[\s<>=~!)&|,\]]/.test(this.text[this.pos]))) break;
      steps.push(this.readStep());
    }
    const definite = steps.every((step) => step.kind === "name" || (step.kind === "index" && step.indexes.length === 1));
    if (where === "filter" && !definite) this.unsupported("a path inside a filter reads names and single indexes only here (no wildcard, deep scan, slice or filter)");
    return { root, steps, definite };
  }

  // Jayway's readDotToken: `..` (a scan) or `.`, then any next token, a bracket one included (`$..[?(…)]`,
  // `$..['x']`, `$.a.['b']`, `$.[0]`); a third `.` is refused.
  readStep(): PathStep {
    if (this.match(/\.\./)) {
      if (this.text[this.pos] === ".") this.fail("a third . is not JSONPath");
      if (this.match(/\*/)) return { kind: "deep", then: { kind: "wildcard" } };
      if (this.text[this.pos] === "[") return { kind: "deep", then: this.readBracket() };
      const name = this.match(/[^.[\]()\s'"<>=!~&|,*]+/);
      if (!name) this.failName("a deep scan reads ..name, ..* or ..[…] here");
      return { kind: "deep", then: { kind: "name", name: name[0] } };
    }
    if (this.match(/\.\*/)) return { kind: "wildcard" };
    if (this.match(/\./)) {
      if (this.text[this.pos] === "[") return this.readBracket();
      const name = this.match(/[^.[\]()\s'"<>=!~&|,*]+/);
      // Jayway reads any character but `.`, `[`, `(` and a blank into a dot-name; the local reader fewer.
      if (!name) this.failName("expected a name after .");
      if (this.text[this.pos] === "(") this.unsupported(`JSONPath functions (.${name[0]}()) are not offered by the local renderer; use the result's own methods, such as .size()`);
      return { kind: "name", name: name[0] };
    }
    return this.readBracket();
  }

  readBracket(): Exclude<PathStep, { kind: "deep" }> {
    if (!this.match(/\[\s*/)) this.failName("not JSONPath API Gateway reads");
    let step: Exclude<PathStep, { kind: "deep" }>;
    if (this.match(/\?\s*\(/)) {
      step = { kind: "filter", test: this.readOr() };
      this.blanks();
      // Jayway's FilterCompiler reads some filters the local reader does not (a term after a term, read as the last one).
      if (!this.match(/\)/)) this.unsupported("expected ) closing the filter");
    } else if (this.match(/\*/)) step = { kind: "wildcard" };
    else if (this.text[this.pos] === "'" || this.text[this.pos] === '"') {
      const name = this.readString();
      if (this.match(/\s*,/)) this.unsupported("['a','b'] (several names) is not offered by the local renderer");
      step = { kind: "name", name };
    } else if (this.text[this.pos] === "(") this.fail("script expressions [(...)] are not JSONPath API Gateway's Jayway reads");
    else {
      const slice = this.match(/(-?\d*)\s*:\s*(-?\d*)(\s*:)?/);
      if (slice) {
        if (slice[3] !== undefined) this.unsupported("slice steps ([a:b:c]) are not offered by the local renderer");
        if (slice[1] === "" && slice[2] === "") this.unsupported("a slice needs a start or an end");
        step = { kind: "slice", from: slice[1] === "" ? undefined : Number(slice[1]), to: slice[2] === "" ? undefined : Number(slice[2]) };
      } else {
        const indexes = this.match(/-?\d+(\s*,\s*-?\d+)*/);
        // Jayway's readNextToken refuses a bracket that is no name, index, slice, wildcard or filter ("Could not parse
        // token"), and `[?]` too: a placeholder for a Filter argument, which API Gateway passes none of ("Not enough
        // predicates supplied for filter").
        if (!indexes) this.fail("not JSONPath API Gateway reads");
        step = { kind: "index", indexes: indexes[0].split(",").map((i) => Number(i.trim())) };
      }
    }
    if (!this.match(/\s*\]/)) this.fail("expected ]");
    return step;
  }

  readString(): string {
    const quote = this.text[this.pos];
    let out = "";
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === quote) {
        this.pos = i + 1;
        return out;
      }
      if (c === "\\" && i + 1 < this.text.length) {
        const next = this.text[++i];
        if (next === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(i + 1, i + 5))) {
          out += String.fromCharCode(parseInt(this.text.slice(i + 1, i + 5), 16));
          i += 4;
        } else out += { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" }[next] ?? next;
      } else out += c;
    }
    return this.fail("a string is not closed");
  }

  // Jayway's filter grammar: LogicalOR = LogicalAND { '||' LogicalAND }; LogicalAND = Operand { '&&' Operand };
  // Operand = '!' Operand | '(' LogicalOR ')' | Value [ RelationalOperator Value ].
  readOr(): FilterNode {
    const parts = [this.readAnd()];
    while ((this.blanks(), this.match(/\|\|/))) parts.push(this.readAnd());
    return parts.length === 1 ? parts[0] : { kind: "or", parts };
  }

  readAnd(): FilterNode {
    const parts = [this.readOperand()];
    while ((this.blanks(), this.match(/&&/))) parts.push(this.readOperand());
    return parts.length === 1 ? parts[0] : { kind: "and", parts };
  }

  readOperand(): FilterNode {
    this.blanks();
    // `!` before a path is that path's "does not exist"; before anything else it negates.
    if (this.text[this.pos] === "!" && !/^!\s*[$@]/.test(this.text.slice(this.pos))) {
      this.pos++;
      return { kind: "not", part: this.readOperand() };
    }
    if (this.match(/\(/)) {
      const inner = this.readOr();
      this.blanks();
      if (!this.match(/\)/)) this.unsupported("expected )");
      return inner;
    }
    const left = this.readValue();
    this.blanks();
    let operator = this.match(/[<>=~!]+/)?.[0];
    if (operator === undefined) {
      // Jayway's FilterCompiler.readRelationalOperator reads a word operator up to the next space, so `in[1]` or
      // `contains'x'` is one unknown operator to it ("Filter operator in[1]) is not supported!"), not `in` then a value.
      const word = this.match(/[A-Za-z]+/)?.[0];
      if (word !== undefined && this.pos < this.text.length && this.text[this.pos] !== " ") {
        this.fail(`the filter operator ${word} is followed by ${JSON.stringify(this.text[this.pos])}, not a space: Jayway reads an operator up to the next space, so it finds no operator it knows; write a space after ${word}`);
      }
      operator = word?.toLowerCase();
    }
    if (operator === undefined) {
      if (left.kind !== "path") this.fail("a filter term is a comparison or a path (whether it exists)");
      return { kind: "exists", path: left.path, exists: left.exists };
    }
    if (REFUSED_OPERATORS.has(operator)) this.unsupported(`the filter operator ${operator} is not offered by the local renderer`);
    if (!SYMBOL_OPERATORS.has(operator) && !WORD_OPERATORS.has(operator)) this.fail(`${operator} is not a filter operator`);
    return { kind: "compare", left, operator, right: this.readValue() };
  }

  readValue(): FilterOperand {
    this.blanks();
    const c = this.text[this.pos];
    if (c === "!" || c === "$" || c === "@") {
      const negated = this.match(/!\s*/) !== null;
      return { kind: "path", path: this.readPath("filter"), exists: !negated };
    }
    if (c === "'" || c === '"') return { kind: "value", value: this.readString() };
    if (c === "/") {
      const literal = this.match(/\/((?:[^/\\]|\\.)*)\/([A-Za-z]*)/);
      if (!literal) this.fail("a regular expression is not closed");
      if (!PATTERN_FLAGS.test(literal[2])) this.unsupported(`regular-expression flags other than i, m and s (${literal[2]}) are not offered by the local renderer`);
      return { kind: "pattern", pattern: new FilterPattern(literal[1], literal[2]) };
    }
    if (c === "[") {
      this.pos++;
      const items: unknown[] = [];
      while ((this.blanks(), !this.match(/\]/))) {
        // Jayway reads a list as JSON when it compares, not when it compiles the filter.
        if (items.length > 0 && !this.match(/,\s*/)) this.unsupported("expected , or ] in a list");
        const item = this.readValue();
        if (item.kind !== "value") this.unsupported("a list in a filter holds strings, numbers, true, false and null here");
        items.push(item.value);
      }
      return { kind: "value", value: items };
    }
    if (c === "{") this.unsupported("object literals in filters are not offered by the local renderer");
    const literal = this.match(/true\b|false\b|null\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/);
    if (!literal) this.unsupported("expected a value");
    const word = literal[0];
    return { kind: "value", value: word === "true" ? true : word === "false" ? false : word === "null" ? null : Number(word) };
  }
}

/** What wholeValuePattern puts around a pattern. */
export const WHOLE_VALUE = ["(?<![\\s\\S])(?:", ")(?![\\s\\S])"] as const;

/**
 * A pattern anchored to the whole input (Java's Matcher.matches(), which MULTILINE does not change): not `^…$`, which
 * match at line ends under `m`, but "no character before, none after". The pattern must compile on its own first, as
 * Java compiles it, so one that closes the wrapper's group (`a)|(.*`) is refused rather than read as another pattern.
 */
export function wholeValuePattern(method: string, source: string, flags: string): string {
  try {
    new RegExp(source, flags);
  } catch (error) {
    // JavaScript's and Java's regular expressions differ (possessive quantifiers, \p{Alpha}, …): a pattern JavaScript
    // refuses may be one Jayway reads, so it is the local renderer's limit, not a path Jayway refuses.
    throw new JsonPathError(`${method} ${JSON.stringify(source.slice(0, 100))}: not a regular expression (${(error as Error).message})`, false);
  }
  return `${WHOLE_VALUE[0]}${source}${WHOLE_VALUE[1]}`;
}
