/**
 * dynalite's expression parsers with PEG.js's packrat cache (local/dynamodb/dynalite-packrat.ts): every rule function
 * cached, answers identical to the uncached parsers' (results, errors, the names and values taken out of the unused
 * sets), rule calls linear in the nesting depth where uncached they grow exponentially, and deeply nested
 * expressions answered by the local DynamoDB.
 */
import { ScanCommand, UpdateItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalDynamo, type LocalDynamo } from "../../local/dynamodb";
import { compileParser, DYNALITE_PARSERS, packratInUse, packratParser, packratSource, parserSource, ruleNames, type ParserName, type PegParser } from "../../local/dynamodb/dynalite-packrat";
import { tableSpec } from "./dynamodb-helpers";

const NAMES = Object.keys(DYNALITE_PARSERS) as ParserName[];

/** A parse's context as dynalite's validations give it (its reserved words: a few of DynamoDB's). */
const context = () => ({
  attrNames: { "#n": "name", "#a": "a", "#s": "size" },
  attrVals: { ":p": { S: "a" }, ":q": { N: "1" }, ":l": { L: [] }, ":b": { B: "AA==" }, ":ss": { SS: ["x"] }, ":t": { S: "S" } },
  unusedAttrNames: { "#n": true, "#a": true, "#s": true, "#zz": true } as Record<string, boolean>,
  unusedAttrVals: { ":p": true, ":q": true, ":l": true, ":zz": true } as Record<string, boolean>,
  isReserved: (name: string) => ["name", "size", "and", "value", "data"].includes(name.toLowerCase()),
  compare: (_op: string, x: unknown, y: unknown) => JSON.stringify(x) > JSON.stringify(y),
});

/** Everything dynalite takes from a parse: the result or the error's name and message, and what is left unused. */
function outcome(parser: PegParser, input: string, isKeyCondition: boolean): string {
  const ctx = { ...context(), isKeyCondition };
  let answer: string;
  try {
    answer = `ok ${JSON.stringify(parser.parse(input, { context: ctx }))}`;
  } catch (error) {
    const e = error as { name: string; message: string; found?: unknown; location?: unknown };
    answer = `${e.name}: ${e.message} ${JSON.stringify([e.found, e.location])}`;
  }
  return `${answer} unused ${JSON.stringify([ctx.unusedAttrNames, ctx.unusedAttrVals])}`;
}

/** A deterministic generator (mulberry32): the same corpus on every run. */
function random(seed: number) {
  let state = seed;
  const next = (n: number) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  return { next, pick: <T>(items: T[]) => items[next(items.length)] };
}

/** Expressions of each parser's kind, most of them almost valid, some mangled by a character. */
function corpus(seed: number, size: number): Array<{ name: ParserName; input: string; key: boolean }> {
  const { next, pick } = random(seed);
  const path = (depth: number): string => {
    let s = pick(["a", "b", "#n", "#a", "#x", "name", "a1", "_b"]);
    for (let i = next(3); i > 0; i--) s += pick([".c", "[0]", "[12]", ".#n", ".size", "[x]", "."]);
    return depth > 0 && next(8) === 0 ? `(${s})` : s;
  };
  const operand = (depth: number): string => {
    const r = next(7);
    if (r < 3) return path(depth);
    if (r < 5) return pick([":p", ":q", ":l", ":b", ":ss", ":zz", ":t"]);
    const args = Array.from({ length: next(3) + 1 }, () => operand(depth - 1));
    return `${pick(["size", "attribute_exists", "attribute_type", "begins_with", "contains", "foo", "attribute_not_exists"])}(${args.join(pick([", ", ","]))})`;
  };
  const condition = (depth: number): string => {
    switch (depth <= 0 ? next(3) + 4 : next(9)) {
      case 0: return condition(depth - 1) + pick([" AND ", " OR ", " and ", " AND", " OR  "]) + condition(depth - 1);
      case 1: return `NOT ${condition(depth - 1)}`;
      case 2: return `(${condition(depth - 1)})`;
      case 3: return `((${condition(depth - 1)}))`;
      case 4: return operand(depth) + pick([" = ", " <> ", " < ", "<=", " >= ", " > ", " == ", " "]) + operand(depth);
      case 5: return `${operand(depth)} BETWEEN ${operand(depth)} AND ${operand(depth)}`;
      case 6: return `${operand(depth)} IN (${Array.from({ length: next(3) + 1 }, () => operand(depth)).join(", ")})`;
      case 7: return `(${operand(depth)}) = ${operand(depth)}`;
      default: return operand(depth);
    }
  };
  const value = (depth: number): string => {
    const r = next(6);
    if (r < 3 || depth <= 0) return operand(depth);
    if (r === 3) return operand(depth) + pick([" + ", " - ", "+"]) + operand(depth);
    if (r === 4) return `${pick(["if_not_exists", "list_append", "foo"])}(${value(depth - 1)}, ${value(depth - 1)})`;
    return `(${value(depth - 1)})`;
  };
  const update = () =>
    Array.from({ length: next(3) + 1 }, () => {
      const section = pick(["SET", "REMOVE", "ADD", "DELETE", "set", "FOO"]);
      const items = Array.from({ length: next(3) + 1 }, () => (/set/i.test(section) ? path(1) + pick([" = ", "="]) + value(2) : section === "REMOVE" ? path(1) : `${path(1)} ${operand(0)}`));
      return `${section} ${items.join(pick([", ", ","]))}`;
    }).join(" ");
  const projection = () => Array.from({ length: next(4) + 1 }, () => path(1)).join(pick([", ", ","]));
  const mangle = (s: string) => {
    if (next(3)) return s;
    const at = next(s.length + 1);
    return next(2) ? s.slice(0, at) + pick(["(", ")", ",", " AND ", "#", ":", ".", "[", "]", " ", "x"]) + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
  };
  return Array.from({ length: size }, () => {
    const name = pick<ParserName>(["condition", "condition", "update", "projection"]);
    return { name, input: mangle(name === "condition" ? condition(next(4)) : name === "update" ? update() : projection()), key: next(4) === 0 };
  });
}

/** Expressions worth naming: each kind of answer, and the cases the cache's two departures from PEG.js's are for. */
const NAMED: Array<{ name: ParserName; input: string }> = [
  { name: "condition", input: "#n = :p" },
  { name: "condition", input: "a = :p AND (b < :q OR NOT c = :p)" },
  { name: "condition", input: "size(a) > :q AND begins_with(b, :p) AND a BETWEEN :q AND :q AND a IN (:p, :q)" },
  // Operand replaces #n in the path PathExpression gave it; GroupedPathExpression then takes the same path.
  { name: "condition", input: "((#n) = a)" },
  { name: "condition", input: "((b.#n) = #n)" },
  { name: "condition", input: "((a1.#n[0]) = :zz)" },
  { name: "condition", input: "(a = :p)" },
  // Identifier is first tried inside a lookahead (recording no expectations): with PEG.js's key, its cached entry would
  // drop `"_", or [a-zA-Z]` from this message.
  { name: "condition", input: "a = :p AND" },
  { name: "condition", input: "a[x] = :p" },
  { name: "condition", input: "name = :p" },
  { name: "condition", input: "#x = :zz" },
  { name: "condition", input: "foo(a) = :p" },
  { name: "update", input: "SET a = list_append(a, :l), b = if_not_exists(b, :q) + :q REMOVE c[0] ADD d :q DELETE e :ss" },
  { name: "update", input: "SET a = :p SET b = :p" },
  { name: "update", input: "SET a = :p, a = :q" },
  { name: "update", input: "SET a = (:q + :q)" },
  { name: "update", input: "REMOVE #n, name" },
  { name: "projection", input: "a, b.c[0], #n" },
  { name: "projection", input: "a, a.b" },
  { name: "projection", input: "a.(b)" },
];

const uncached = Object.fromEntries(NAMES.map((name) => [name, compileParser(parserSource(name))])) as Record<ParserName, PegParser>;
const packrat = Object.fromEntries(NAMES.map((name) => [name, packratParser(name)])) as Record<ParserName, PegParser>;

describe("the packrat parsers' answers", () => {
  it("are the uncached parsers' on the named expressions", () => {
    for (const { name, input } of NAMED) {
      for (const key of [false, true]) expect(outcome(packrat[name], input, key), `${name}: ${input}`).toBe(outcome(uncached[name], input, key));
    }
  });

  it("are the uncached parsers' on a generated corpus of valid and invalid expressions", () => {
    const inputs = corpus(20261206, 2000);
    const answers = { ok: 0, error: 0 };
    for (const { name, input, key } of inputs) {
      const expected = outcome(uncached[name], input, key);
      expect(outcome(packrat[name], input, key), `${name}: ${input}`).toBe(expected);
      answers[expected.startsWith("ok") ? "ok" : "error"]++;
    }
    // Both kinds of answer are well represented (the corpus is not all syntax errors).
    expect(answers.ok).toBeGreaterThan(400);
    expect(answers.error).toBeGreaterThan(400);
  });

  it("would not be without the exceptions: PEG.js's plain cache of PathExpression answers a reserved-word error", () => {
    const plain = compileParser(packratSource(parserSource("condition"), []));
    expect(outcome(uncached.condition, "((#n) = a)", false)).toMatch(/^ok \{"expression"/);
    expect(outcome(plain, "((#n) = a)", false)).toMatch(/reserved keyword: name/);
  });
});

/** The parser with a count of rule-function calls (hits on the cache included) in `options.calls`. */
function counting(source: string): (input: string) => number {
  const parser = compileParser(source.replace(/^ {2}function peg\$parse\w+\(\) \{\n/gm, "$&    options.calls.n++;\n"));
  return (input) => {
    const calls = { n: 0 };
    parser.parse(input, { context: context(), calls });
    return calls.n;
  };
}

const andNest = (depth: number) => "a = :p AND (".repeat(depth) + "a = :p" + ")".repeat(depth);
const parensNest = (depth: number) => "(".repeat(depth) + "a = :p" + ")".repeat(depth);
const notNest = (depth: number) => "NOT (".repeat(depth) + "a = :p" + ")".repeat(depth);

describe("the packrat rewrite", () => {
  it("caches every rule function of every parser but the ones results of are changed in place", () => {
    for (const name of NAMES) {
      const source = packratSource(parserSource(name), name === "condition" ? ["PathExpression"] : []);
      const rules = ruleNames(source).length;
      expect(rules).toBeGreaterThan(5);
      const lookups = source.match(/ peg\$cached = peg\$resultsCache\[peg\$key\];\n/g)?.length;
      const stores = source.match(/\n {4}peg\$resultsCache\[peg\$key\] = \{ nextPos: peg\$currPos, result: s0 \};\n {4}return s0;\n/g)?.length;
      expect([lookups, stores]).toEqual(name === "condition" ? [rules - 1, rules - 1] : [rules, rules]);
    }
  });

  // Uncached, two levels more are 4 (`((…))`) to 16 (`AND (…)`, `NOT (…)`) times the calls: about 4^40 at 40 levels.
  it("makes rule calls grow linearly with nesting, where uncached they grow exponentially", () => {
    const cached = counting(packratSource(parserSource("condition"), ["PathExpression"]));
    const plain = counting(parserSource("condition"));
    for (const nest of [andNest, parensNest, notNest]) {
      expect(plain(nest(5)) / plain(nest(3))).toBeGreaterThan(3.5);
      expect(cached(nest(5)) / cached(nest(3))).toBeLessThan(2);
      // Where uncached no test could wait for it.
      expect(cached(nest(40)) / cached(nest(20))).toBeLessThan(2.2);
    }
  });

  it("refuses a source of another shape, naming the parser", () => {
    const source = parserSource("update");
    expect(() => packratSource(source.replace("Generated by PEG.js 0.10.0.", "Generated by Peggy 4.0.0."), [], "update parser")).toThrow(/update parser: not generated by PEG.js 0.10.0.*was dynalite upgraded/);
    expect(() => packratSource(packratSource(source), [])).toThrow(/has a result cache already/);
    expect(() => packratSource(source.replace("\n    return s0;\n  }\n", "\n    return s0 || null;\n  }\n"))).toThrow(/does not end in its one `return s0;`/);
    expect(() => packratSource(source, ["NoSuchRule"])).toThrow(/no rule NoSuchRule/);
    // A rule function in another indentation would be skipped, uncached, by the rewrite: refused instead.
    const reindented = source.replace(/^ {2}function peg\$parse(\w+)\(\) \{$/m, "    function peg$parse$1() {");
    expect(reindented).not.toBe(source);
    expect(() => packratSource(reindented)).toThrow(/rule functions are declared, \d+ of them in the shape expected/);
  });
});

describe("the local DynamoDB", () => {
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;
  const TableName = "items-packrat";
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tables: [{ id: "t.items", tableName: TableName, spec: tableSpec() }], region: "us-east-1" });
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  it("parses with dynalite's parser modules made packrat", () => {
    expect(packratInUse()).toEqual(NAMES);
  });

  // 40 levels: uncached, 2^40 times the work of one level, a parse that could not finish in any test's time.
  it("answers a filter nested 40 levels deep", async () => {
    await client.send(new UpdateItemCommand({ TableName, Key: { pk: { S: "a" }, sk: { S: "1" } }, UpdateExpression: "SET a = :p", ExpressionAttributeValues: { ":p": { S: "a" } } }));
    for (const FilterExpression of [andNest(40), notNest(40)]) {
      const { Items } = await client.send(new ScanCommand({ TableName, FilterExpression, ExpressionAttributeValues: { ":p": { S: "a" } } }));
      expect(Items?.map((item) => item.sk.S)).toEqual(["1"]);
    }
    await expect(client.send(new ScanCommand({ TableName, FilterExpression: parensNest(40), ExpressionAttributeValues: { ":p": { S: "a" } } }))).rejects.toThrow(
      "Invalid FilterExpression: The expression has redundant parentheses;",
    );
  });

  it("answers an update nested 40 levels deep", async () => {
    const UpdateExpression = "SET b = " + "if_not_exists(b, ".repeat(40) + ":l" + ")".repeat(40) + ", c = " + "list_append(".repeat(40) + ":l" + ", :l)".repeat(40);
    await client.send(new UpdateItemCommand({ TableName, Key: { pk: { S: "a" }, sk: { S: "2" } }, UpdateExpression, ExpressionAttributeValues: { ":l": { L: [{ S: "x" }] } } }));
    const { Items } = await client.send(new ScanCommand({ TableName, FilterExpression: "sk = :s", ExpressionAttributeValues: { ":s": { S: "2" } } }));
    expect(Items?.[0].b).toEqual({ L: [{ S: "x" }] });
    expect(Items?.[0].c.L).toHaveLength(41);
  });
});
