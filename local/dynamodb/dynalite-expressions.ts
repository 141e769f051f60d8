/**
 * dynalite parses every expression of every request (KeyConditionExpression, FilterExpression,
 * ConditionExpression, UpdateExpression, ProjectionExpression) with its PEG parsers, from scratch:
 * for the gallery's list query that was the largest single cost of dynalite's request handling on
 * `npm start`'s main thread, ≈10% of it under load (issue 15, bench/memory.bench.ts). A handler
 * sends the same few expressions over and over, so the parse results are remembered here.
 *
 * A parse is a pure function of what it is given: the expression, the parser, whether it is a key
 * condition, and the request's ExpressionAttributeNames and ExpressionAttributeValues (the parser
 * resolves `#name` and `:value` into its result and reports undefined or mistyped ones); the other
 * inputs (`isReserved`, `compare`) are dynalite's fixed functions. Its one side effect is to delete
 * the names and values it used from the request's "unused" sets (dynalite then reports any left
 * over). So the key holds all of those inputs, an entry keeps the result (an AST or an error) and the
 * names and values it uses (parsed on sets of all of them: see cached), and a hit replays the deletions and hands out its own copy of the AST
 * (dynalite rewrites key-condition ASTs in place). Syntax errors are thrown again as the parser
 * threw them. At most MAX_ENTRIES entries, oldest out first: memory stays bounded however many
 * different values requests carry.
 *
 * Before any parse, DynamoDB's limit on an expression's length, which dynalite does not have: "The
 * maximum length of any expression string is 4 KB" (developer guide, "Service, account, and table
 * quotas", Expression parameters, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters-lengths),
 * counted in UTF-8 bytes of the string as sent, 4,096 accepted and 4,097 refused on every expression
 * (paritysuite/dynamodb-conformance tests/tier3/limits/expressionSize.test.ts, captured in four
 * regions). dynalite's parser recursion also met no bound: 20,000 nested parentheses answered "Maximum
 * call stack size exceeded". The refusal is DynamoDB's 400 ValidationException "Invalid
 * <parameter>: Expression size has exceeded the maximum allowed size; expression size: <bytes>" for a
 * condition, filter or key condition (captured: "Invalid ConditionExpression: … expression size: 4109",
 * the same suite's deepRequests.test.ts; scylladb/scylladb's Alternator tests, written against DynamoDB, "… expression
 * size: 200004"), and without the size for an update or projection expression ("Invalid
 * UpdateExpression: Expression size has exceeded the maximum allowed size;", aws/aws-sdk-java-v2#4597,
 * a service trace; ProjectionExpression's the same form as ExtendDB reproduces it, not confirmed by a
 * capture here). The suite notes the wording varies by operation and region (a "1 validation error
 * detected:" envelope in some): not reproduced. Not enforced (their wording is not confirmed here): the
 * 255-byte limit on one expression attribute name or value placeholder, the 2 MB total of
 * substitution variables, the 300 operators of an expression (DynamoDB answers "… The expression
 * contains too many operators; operator count: 301", scylladb/scylladb#14473, but what it counts as an
 * operator is not documented).
 *
 * dynalite's validations call `parser.parse` on the parser module objects at each request, so
 * wrapping that export is enough; once per process.
 */
import { useDynalitePackratParsers } from "./dynalite-packrat";

// dynalite ships no typings.
/* eslint-disable @typescript-eslint/no-require-imports */
type Parser = { parse(input: string, options: { context: ParseContext }): unknown; __cached?: true };
const PARSERS: Array<[string, Parser]> = [
  ["condition", require("dynalite/db/conditionParser") as Parser],
  ["update", require("dynalite/db/updateParser") as Parser],
  ["projection", require("dynalite/db/projectionParser") as Parser],
];
/* eslint-enable @typescript-eslint/no-require-imports */

interface ParseContext {
  attrNames?: Record<string, unknown>;
  attrVals?: Record<string, unknown>;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isKeyCondition?: boolean;
}

interface Entry {
  outcome: { result: unknown } | { error: Error };
  usedNames: string[];
  usedVals: string[];
}

/** DynamoDB's limit on one expression, in UTF-8 bytes. */
export const MAX_EXPRESSION_BYTES = 4096;

/**
 * DynamoDB's refusal of an expression over its length limit (dynalite puts "Invalid <parameter>: " before a parser's
 * error message, and takes it as is when the error is not a SyntaxError), or undefined.
 */
function sizeRefusal(parser: string, input: string): Error | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most expressions need no count.
  if (input.length * 3 <= MAX_EXPRESSION_BYTES) return undefined;
  const bytes = Buffer.byteLength(input);
  if (bytes <= MAX_EXPRESSION_BYTES) return undefined;
  return new Error(`Expression size has exceeded the maximum allowed size;${parser === "condition" ? ` expression size: ${bytes}` : ""}`);
}

/** Parses remembered at most (each a small AST and its key). */
export const MAX_ENTRIES = 2000;

const cache = new Map<string, Entry>();

function keyOf(parser: string, input: string, context: ParseContext): string {
  return JSON.stringify([parser, input, context.isKeyCondition === true, context.attrNames ?? null, context.attrVals ?? null]);
}

function deleted(before: string[], after: Record<string, boolean> | undefined): string[] {
  return before.filter((key) => !after || !(key in after));
}

function remember(key: string, entry: Entry): void {
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, entry);
}

/** Takes what the expression uses out of the request's unused names and values, as the parser does. */
function replayDeletions(entry: Pick<Entry, "usedNames" | "usedVals">, context: ParseContext): void {
  for (const name of entry.usedNames) delete context.unusedAttrNames?.[name];
  for (const value of entry.usedVals) delete context.unusedAttrVals?.[value];
}

/** The entry's result as the parser would have returned it (its own copy), or its error thrown. */
function replay(entry: Entry, context: ParseContext): unknown {
  replayDeletions(entry, context);
  if ("error" in entry.outcome) throw entry.outcome.error;
  const { result } = entry.outcome;
  return typeof result === "object" && result !== null ? structuredClone(result) : result;
}

function cached(name: string, parse: Parser["parse"]): Parser["parse"] {
  return (input, options) => {
    const tooLong = typeof input === "string" ? sizeRefusal(name, input) : undefined;
    if (tooLong) throw tooLong;
    const context = options.context;
    let key: string;
    try {
      key = keyOf(name, input, context);
    } catch {
      return parse(input, options);
    }
    const hit = cache.get(key);
    if (hit) return replay(hit, context);
    // The parse runs on sets holding every name and value the request gives, so what it deletes is all the expression
    // uses, including what another expression of the request (an UpdateExpression parsed first) took out already: a
    // later request with this expression alone must have those taken out too.
    const names = Object.keys(context.attrNames ?? {});
    const vals = Object.keys(context.attrVals ?? {});
    const probe: ParseContext = { ...context, unusedAttrNames: Object.fromEntries(names.map((n) => [n, true])), unusedAttrVals: Object.fromEntries(vals.map((v) => [v, true])) };
    // What the parse took out of the probe's sets, taken out of the request's as the parser would have.
    const used = () => {
      const usage = { usedNames: deleted(names, probe.unusedAttrNames), usedVals: deleted(vals, probe.unusedAttrVals) };
      replayDeletions(usage, context);
      return usage;
    };
    let result: unknown;
    try {
      result = parse(input, { ...options, context: probe });
    } catch (error) {
      const usage = used();
      if (error instanceof Error) remember(key, { outcome: { error }, ...usage });
      throw error;
    }
    const usage = used();
    try {
      // Kept as a copy: the caller may change the one it gets.
      remember(key, { outcome: { result: typeof result === "object" && result !== null ? structuredClone(result) : result }, ...usage });
    } catch {
      // Not cloneable: not remembered.
    }
    return result;
  };
}

/** How many parses are remembered now. */
export function rememberedParses(): number {
  return cache.size;
}

export function cacheDynaliteExpressions(): void {
  // The parsers with PEG.js's packrat cache first: the results remembered here are those parsers' (see dynalite-packrat.ts).
  useDynalitePackratParsers();
  for (const [name, parser] of PARSERS) {
    if (parser.__cached) continue;
    parser.parse = cached(name, parser.parse.bind(parser));
    parser.__cached = true;
  }
}
