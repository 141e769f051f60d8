/**
 * What a mapping template's JSONPath costs under `npm start` (local/vtl.ts), counted, never timed: a `=~` filter's
 * pattern runs in one sandbox call for all the values it tests (each call costs a watchdog thread), and a path is
 * parsed once while it stays in a bounded cache. Results and errors stay those of testing each value alone.
 */
import { Script } from "node:vm";
import { describe, expect, it, vi } from "vitest";
import { AHEAD_TEXTS, jsonPath, MappingTemplateError, PARSED_PATH_CHARS, PARSED_PATH_ENTRIES, renderMappingTemplate, type MappingTemplateInput } from "../../local/vtl";

const input = (body: unknown): MappingTemplateInput => ({ body: JSON.stringify(body), params: { path: {}, querystring: {}, header: {} }, context: {}, stageVariables: {} });

/**
 * How often `run` has `paths` parsed: the reader (components/serverless-api/jsonpath.ts parseJsonPath) trims each
 * path's text once as it starts, and nothing else in an evaluation trims a whole path. (vi.mock of the reader would
 * keep it mocked for the other files of a shared worker.)
 */
function parsesOf(paths: string[], run: () => void): number {
  const trim = vi.spyOn(String.prototype, "trim");
  try {
    run();
    return trim.mock.contexts.filter((text) => paths.includes(String(text))).length;
  } finally {
    trim.mockRestore();
  }
}

/** The sandbox calls (each a compile of the pattern) made while `run` runs. */
function sandboxCalls(run: () => unknown): { calls: number; result: unknown } {
  const spy = vi.spyOn(Script.prototype, "runInContext");
  try {
    const result = run();
    return { calls: spy.mock.calls.length, result };
  } finally {
    spy.mockRestore();
  }
}

/** The texts of each sandbox call that tests texts ahead, counted as the call is made. */
function batchesOf(run: () => unknown): { result: unknown; batches: number[] } {
  const original = Script.prototype.runInContext;
  const batches: number[] = [];
  const spy = vi.spyOn(Script.prototype, "runInContext").mockImplementation(function (this: Script, ...args: Parameters<Script["runInContext"]>) {
    const context = args[0] as { op?: string; texts?: string[] };
    if (context.op === "tests") batches.push(context.texts!.length);
    return original.apply(this, args);
  });
  try {
    return { result: run(), batches };
  } finally {
    spy.mockRestore();
  }
}

/**
 * `$input.json(path)` over `doc` with no wall-time or regular-expression budget (Infinity): no call is ever stopped,
 * so how many calls a render makes does not depend on how loaded the machine is.
 */
const pathJson = (doc: unknown, path: string): unknown => JSON.parse(renderMappingTemplate(`$input.json('${path}')`, input(doc), Infinity, Infinity).output);

const HOSTILE = `${"a".repeat(40)}!`;

/**
 * Runs `run` with a stand-in for a pattern that backtracks for minutes on HOSTILE, on a clock that moves only when a
 * sandbox call is stopped: a call that reaches HOSTILE "runs" until its timeout, moves the clock (Date.now and
 * performance.now) by it, and fails as vm's watchdog does; every other text is tested for real. What a render spends on
 * the hostile value is then counted (`stalled`), and whether its budgets stop it does not depend on the machine.
 */
function withHostile(run: () => unknown): { calls: number; stalled: number; result?: unknown; error?: string } {
  const original = Script.prototype.runInContext;
  let now = 1_000_000;
  let stalled = 0;
  const stall = (timeout: number | undefined) => {
    if (timeout === undefined) throw new Error("the stand-in would run for minutes: the call has no timeout");
    now += timeout;
    stalled += timeout;
    throw new Error(`Script execution timed out after ${timeout}ms`);
  };
  const clock = vi.spyOn(Date, "now").mockImplementation(() => now);
  const fine = vi.spyOn(performance, "now").mockImplementation(() => now);
  const spy = vi.spyOn(Script.prototype, "runInContext").mockImplementation(function (this: Script, ...args: Parameters<Script["runInContext"]>) {
    const [context, options] = args as [Record<string, unknown>, { timeout?: number } | undefined];
    if (context.op === "tests") {
      const re = new RegExp(context.source as string, context.flags as string);
      for (const text of context.texts as string[]) {
        if (text === HOSTILE) stall(options?.timeout);
        (context.results as boolean[]).push(re.test(text));
      }
      return undefined;
    }
    if (context.op === "test" && context.text === HOSTILE) stall(options?.timeout);
    return original.apply(this, args);
  });
  try {
    return { result: run(), calls: spy.mock.calls.length, stalled };
  } catch (error) {
    return { error: (error as Error).message, calls: spy.mock.calls.length, stalled };
  } finally {
    spy.mockRestore();
    clock.mockRestore();
    fine.mockRestore();
  }
}

describe("jsonPath: a =~ filter tests its values in one sandbox call", () => {
  const values = [0, 1, true, false, null, { o: 1 }, "item-1", "ITEM-12", "item-2", "item-1\nx", "", "item-10"];
  const items = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: i % 7 === 0 ? values[i % values.length] : `item-${i}`, tags: [`t${i % 5}`, i % 3] }));
  // Java's matches() on the value's text (a string, number or boolean; anything else as ""), flags applied.
  const matches = (re: RegExp, value: unknown) => re.test(typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "");

  it("gives what testing each value alone gives, over 3000 items, compiling the pattern once", () => {
    const { calls, result } = sandboxCalls(() => pathJson({ items }, "$.items[?(@.name =~ /item-1.*/i)].id"));
    expect(result).toEqual(items.filter((item) => matches(/^(?:item-1.*)$/i, item.name)).map((item) => item.id));
    expect((result as unknown[]).length).toBeGreaterThan(100);
    expect(calls).toBe(1);
  });

  it("a list's values, a pattern on the left, and several patterns: one call per pattern", () => {
    const { calls, result } = sandboxCalls(() => pathJson({ items }, "$.items[?(/t[13]/ =~ @.tags && (@.tags =~ /2/ || @.name =~ /item-.*5/))].id"));
    const expected = items.filter((item) => item.tags.some((t) => matches(/^(?:t[13])$/, t)) && (item.tags.some((t) => matches(/^(?:2)$/, t)) || matches(/^(?:item-.*5)$/, item.name)));
    expect(result).toEqual(expected.map((item) => item.id));
    expect(expected.length).toBeGreaterThan(50);
    expect(calls).toBe(3);
  });

  it("a scan's filter (every map and list below): one call", () => {
    const doc = { a: { name: "x1", b: [{ name: "y" }, { c: { name: "x2" } }] }, name: "x3" };
    const { calls, result } = sandboxCalls(() => pathJson(doc, "$..[?(@.name =~ /x.*/)].name"));
    expect(result).toEqual(["x3", "x1", "x2"]);
    expect(calls).toBe(1);
  });

  it(`collects the texts ${AHEAD_TEXTS} items at a time: one call per pattern per ${AHEAD_TEXTS} items, never every text at once (review 53, A4)`, () => {
    const numbers = Array.from({ length: 3 * AHEAD_TEXTS + 5 }, (_, i) => 1_000_000 + i);
    const { result, batches } = batchesOf(() => pathJson({ numbers }, "$.numbers[?(@ =~ /.*7/ || @ =~ /.*12.*/)]"));
    expect(result).toEqual(numbers.filter((n) => /7$/.test(String(n)) || /12/.test(String(n))));
    // Two patterns, four windows; each call's texts are what one window of items gives.
    expect(batches).toEqual([AHEAD_TEXTS, AHEAD_TEXTS, AHEAD_TEXTS, AHEAD_TEXTS, AHEAD_TEXTS, AHEAD_TEXTS, 5, 5]);
  });

  it("a scan collects in the order its filter tests, a window at a time; a list's values, a window of texts at a time", () => {
    const maps = Array.from({ length: 3 * AHEAD_TEXTS }, (_, i) => ({ n: 1_000_000 + i }));
    const scan = batchesOf(() => pathJson({ l: maps }, "$..[?(@.n =~ /.*77/)]"));
    expect(scan.result).toEqual(maps.filter((map) => map.n % 100 === 77));
    // The filter tests the document, the list (both "" as @.n is absent) and each map, in that order.
    expect(scan.batches).toEqual([AHEAD_TEXTS - 1, AHEAD_TEXTS, AHEAD_TEXTS, 2]);
    // `=~` tests each value of a list: a window ends once a pattern has AHEAD_TEXTS texts, past it by one item's list.
    const lists = Array.from({ length: 9 }, (_, j) => ({ v: Array.from({ length: 1000 }, (_, i) => 1_000_000 + 1000 * j + i) }));
    const any = batchesOf(() => pathJson({ lists }, "$.lists[?(@.v =~ /.*77/)]"));
    expect(any.result).toEqual(lists.filter((list) => list.v.some((n) => n % 100 === 77)));
    // Five lists of 1000 reach AHEAD_TEXTS (4096); the other four make the second call.
    expect(any.batches).toEqual([5000, 4000]);
  });

  it("a hostile pattern on a value the filter tests still fails the template, with the same error", () => {
    const hostile = [...Array.from({ length: 200 }, (_, i) => `a${i}b`), HOSTILE];
    // A 20 ms regex budget (the default is 1000 ms): the pattern backtracks for minutes on the last value.
    const render = () => renderMappingTemplate("$input.json('$.items[?(@ =~ /(a+)+b/)]')", input({ items: hostile }), Infinity, 20);
    expect(render).toThrow(MappingTemplateError);
    expect(render).toThrow(/^\.=~\("\(a\+\)\+b"\) ran for more than 20 ms; the local renderer stops it$/);
  });
});

// Review 53, A1-A3: running ahead is a guess, and must never make a render slower than testing each value alone was.
// Counted on the stand-in's clock, with the default budgets (1000 ms per regular-expression call, 5000 ms per render).
describe("jsonPath: running =~ tests ahead costs at most a small budget per render", () => {
  const guarded = { items: [{ check: false, s: HOSTILE }, ...Array.from({ length: 100 }, (_, i) => ({ check: true, s: i % 2 ? "aab" : "aa" }))] };
  const guard = "$.items[?(@.check == true && @.s =~ /(a+)+b/)]";

  it("a hostile value the filter never tests (&& stops before it) fails nothing, as before", () => {
    const { calls, stalled, result, error } = withHostile(() => renderMappingTemplate(`$input.json('${guard}')`, input(guarded)).output);
    expect(error).toBeUndefined();
    expect(JSON.parse(result as string)).toEqual(guarded.items.filter((item) => item.check && item.s === "aab"));
    // The call ahead stops on the hostile value after the look-ahead budget (10 ms); "aab", which it did not reach, is
    // then tested alone once. The hostile value is never tested alone.
    expect(calls).toBe(2);
    expect(stalled).toBe(10);
  });

  it("the same guarded path read 6 times, or a scan skipping a hostile value, spends the look-ahead budget once per render", () => {
    const loop = withHostile(() => renderMappingTemplate(`#foreach($i in [1..6])$input.json('${guard}')#end`, input(guarded)).output);
    expect(loop.error).toBeUndefined();
    expect(loop.result).toBe(JSON.stringify(guarded.items.filter((item) => item.check && item.s === "aab")).repeat(6));
    expect(loop.stalled).toBe(10);
    // A scan's filter tests maps, lists and a list's items; the hostile text is a map's value it never tests, nor collects.
    const scan = withHostile(() => renderMappingTemplate("#foreach($i in [1..6])$input.json('$..[?(@ =~ /(a+)+b/)]')#end", input({ a: { other: HOSTILE }, l: ["aab"] })).output);
    expect(scan.error).toBeUndefined();
    expect(scan.result).toBe('["aab"]'.repeat(6));
    expect(scan.stalled).toBe(0);
  });

  it("8 patterns over a hostile value fail after one regular-expression budget, with the first pattern's error, as before (A2)", () => {
    const filter = Array.from({ length: 8 }, (_, i) => `@ =~ /(a+)+b${i}/`).join(" || ");
    const { error, stalled } = withHostile(() => renderMappingTemplate(`$input.json('$.items[?(${filter})]')`, input({ items: ["ok", HOSTILE] })));
    expect(error).toBe('.=~("(a+)+b0") ran for more than 1000 ms; the local renderer stops it');
    // 10 ms ahead (shared by all 8 patterns), then the hostile value alone under the 1000 ms budget.
    expect(stalled).toBe(1010);
  });

  it("a hostile value the filter needs costs one regular-expression budget in all before the template fails (A3)", () => {
    const { error, stalled } = withHostile(() => renderMappingTemplate("$input.json('$.items[?(@ =~ /(a+)+b/)]')", input({ items: [HOSTILE, "ok"] })));
    expect(error).toBe('.=~("(a+)+b") ran for more than 1000 ms; the local renderer stops it');
    // 10 ms in the call ahead, stopped on it, then 990 ms alone.
    expect(stalled).toBe(1000);
  });
});

/**
 * Review 53's differential check, seeded: random filters (`&&`, `||`, `!`, a pattern on either side, list and `$`
 * operands, scans, a pattern that does not compile) give the same results and errors when their tests run ahead as when
 * every value is tested alone (every call ahead made to stop at once, as the code before batching did).
 */
describe("jsonPath: =~ tests run ahead give what testing each value alone gives", () => {
  it("over 800 seeded random filters", () => {
    let seed = 41;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
    const scalars = ["a", "ab", "b", "A", "", "x\ny", 1, 12, true, false, null, "1"];
    const value = (depth: number): unknown => (depth > 0 && rnd() < 0.3 ? (rnd() < 0.5 ? Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => value(depth - 1)) : { s: value(depth - 1), t: value(depth - 1) }) : pick(scalars));
    const patterns = ["/a.*/", "/a/i", "/[ab]+/", "/1/", "/true/", "/(/", "/x.y/s", "/^$/m", "/b/"];
    const comparison = () => {
      const [pattern, other] = [pick(patterns), pick(["@.s", "@.t", "@", "$.k", "@.s[0]", "@.t.s"])];
      return rnd() < 0.5 ? `${other} =~ ${pattern}` : `${pattern} =~ ${other}`;
    };
    const filter = (depth: number): string => (depth > 0 && rnd() < 0.6 ? `(${filter(depth - 1)} ${pick(["&&", "||"])} ${rnd() < 0.2 ? "!" : ""}${filter(depth - 1)})` : rnd() < 0.8 ? comparison() : pick(["@.s", "@.s == 'a'", "@.t"]));
    const evaluate = (doc: unknown, path: string) => {
      try {
        return JSON.stringify(jsonPath(doc, path, Infinity));
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    };
    const original = Script.prototype.runInContext;
    let errors = 0;
    for (let i = 0; i < 800; i++) {
      const doc = { k: pick(scalars), items: Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => ({ s: value(2), t: value(2) })) };
      const path = rnd() < 0.7 ? `$.items[?(${filter(3)})]` : `$..[?(${filter(2)})]`;
      const ahead = evaluate(doc, path);
      const alone = vi.spyOn(Script.prototype, "runInContext").mockImplementation(function (this: Script, ...args: Parameters<Script["runInContext"]>) {
        if ((args[0] as { op?: string }).op === "tests") throw new Error("Script execution timed out after 1ms");
        return original.apply(this, args);
      });
      try {
        expect(evaluate(doc, path), `${path} over ${JSON.stringify(doc)}`).toBe(ahead);
      } finally {
        alone.mockRestore();
      }
      if (ahead.startsWith("error")) errors++;
    }
    // Some filters fail (the pattern that does not compile, when a value reaches it), so errors are compared too.
    expect(errors).toBeGreaterThan(50);
  });
});

describe("jsonPath: parsed paths are cached, bounded", () => {
  it("a path read in a loop, and in the next render, is parsed once", () => {
    const path = "$.items[?(@.n > 1)].n";
    const template = `#foreach($i in [1..50])$input.json('${path}')#end`;
    const parsed = parsesOf([path], () => {
      expect(renderMappingTemplate(template, input({ items: [{ n: 2 }] })).output).toBe("[2]".repeat(50));
      expect(renderMappingTemplate(template, input({ items: [{ n: 1 }] })).output).toBe("[]".repeat(50));
    });
    expect(parsed).toBe(1);
  });

  it(`keeps the ${PARSED_PATH_ENTRIES} paths read last; a path over ${PARSED_PATH_CHARS} characters is parsed on every read`, () => {
    const paths = Array.from({ length: PARSED_PATH_ENTRIES + 1 }, (_, i) => `$.cache${i}`);
    expect(parsesOf(paths, () => paths.forEach((path) => jsonPath({}, path)))).toBe(PARSED_PATH_ENTRIES + 1);
    // The last ones read are kept; the first was dropped to keep the bound.
    expect(parsesOf(paths, () => paths.slice(1).forEach((path) => jsonPath({}, path)))).toBe(0);
    expect(parsesOf(paths, () => jsonPath({}, paths[0]))).toBe(1);
    // A path read again counts as read last: a new path then drops the one read longest ago (paths[3]), not it.
    expect(parsesOf(paths, () => [2, 1, 2].forEach((i) => jsonPath({}, paths[i])))).toBe(1);
    const long = `$.${"x".repeat(PARSED_PATH_CHARS)}`;
    expect(parsesOf([long], () => [1, 2].forEach(() => expect(jsonPath({ [long.slice(2)]: 5 }, long)).toBe(5)))).toBe(2);
  });

  it("a path that does not parse fails every read with its error", () => {
    const path = "$.items.length()";
    const parsed = parsesOf([path], () => {
      for (let i = 0; i < 2; i++) expect(() => jsonPath({}, path)).toThrow(/JSONPath functions \(\.length\(\)\) are not offered/);
    });
    expect(parsed).toBe(2);
  });
});
