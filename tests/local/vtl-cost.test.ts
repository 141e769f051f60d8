/**
 * What a mapping template's JSONPath costs under `npm start` (local/vtl.ts), counted, never timed: a `=~` filter's
 * pattern runs in one sandbox call for all the values it tests (each call costs a watchdog thread), and a path is
 * parsed once while it stays in a bounded cache. Results and errors stay those of testing each value alone.
 */
import { Script } from "node:vm";
import { describe, expect, it, vi } from "vitest";
import { jsonPath, MappingTemplateError, PARSED_PATH_CHARS, PARSED_PATH_ENTRIES, renderMappingTemplate, type MappingTemplateInput } from "../../local/vtl";

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

describe("jsonPath: a =~ filter tests its values in one sandbox call", () => {
  const values = [0, 1, true, false, null, { o: 1 }, "item-1", "ITEM-12", "item-2", "item-1\nx", "", "item-10"];
  const items = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: i % 7 === 0 ? values[i % values.length] : `item-${i}`, tags: [`t${i % 5}`, i % 3] }));
  // Java's matches() on the value's text (a string, number or boolean; anything else as ""), flags applied.
  const matches = (re: RegExp, value: unknown) => re.test(typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "");

  it("gives what testing each value alone gives, over 3000 items, compiling the pattern once", () => {
    const { calls, result } = sandboxCalls(() => jsonPath({ items }, "$.items[?(@.name =~ /item-1.*/i)].id"));
    expect(result).toEqual(items.filter((item) => matches(/^(?:item-1.*)$/i, item.name)).map((item) => item.id));
    expect((result as unknown[]).length).toBeGreaterThan(100);
    expect(calls).toBe(1);
  });

  it("a list's values, a pattern on the left, and several patterns: one call per pattern", () => {
    const { calls, result } = sandboxCalls(() => jsonPath({ items }, "$.items[?(/t[13]/ =~ @.tags && (@.tags =~ /2/ || @.name =~ /item-.*5/))].id"));
    const expected = items.filter((item) => item.tags.some((t) => matches(/^(?:t[13])$/, t)) && (item.tags.some((t) => matches(/^(?:2)$/, t)) || matches(/^(?:item-.*5)$/, item.name)));
    expect(result).toEqual(expected.map((item) => item.id));
    expect(expected.length).toBeGreaterThan(50);
    expect(calls).toBe(3);
  });

  it("a scan's filter (every map and list below): one call", () => {
    const doc = { a: { name: "x1", b: [{ name: "y" }, { c: { name: "x2" } }] }, name: "x3" };
    const { calls, result } = sandboxCalls(() => jsonPath(doc, "$..[?(@.name =~ /x.*/)].name"));
    expect(result).toEqual(["x3", "x1", "x2"]);
    expect(calls).toBe(1);
  });

  it("a hostile pattern on a value the filter tests still fails the template, with the same error", () => {
    const hostile = [...Array.from({ length: 200 }, (_, i) => `a${i}b`), `${"a".repeat(40)}!`];
    // A 20 ms regex budget (the default is 1000 ms): the pattern backtracks for minutes on the last value.
    const render = () => renderMappingTemplate("$input.json('$.items[?(@ =~ /(a+)+b/)]')", input({ items: hostile }), Infinity, 20);
    expect(render).toThrow(MappingTemplateError);
    expect(render).toThrow(/^\.=~\("\(a\+\)\+b"\) ran for more than 20 ms; the local renderer stops it$/);
  });

  it("a hostile value the filter never tests (&& stops before it) fails nothing, as before", () => {
    const list = [{ check: false, s: `${"a".repeat(40)}!` }, ...Array.from({ length: 100 }, (_, i) => ({ check: true, s: i % 2 ? "aab" : "aa" }))];
    const { calls, result } = sandboxCalls(() => renderMappingTemplate("$input.json('$.items[?(@.check == true && @.s =~ /(a+)+b/)]')", input({ items: list }), Infinity).output);
    expect(JSON.parse(result as string)).toEqual(list.filter((item) => item.check && item.s === "aab"));
    // The call ahead is stopped on the hostile value after the regex budget (the default 1000 ms: a smaller one could
    // also stop an ordinary value tested alone on a loaded machine); the values it did not reach are tested alone, as
    // before. The hostile value is never tested alone.
    expect(calls).toBeLessThanOrEqual(3);
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
