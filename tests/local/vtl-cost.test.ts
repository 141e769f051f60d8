/**
 * What a mapping template's JSONPath costs under `npm start` (local/vtl.ts), counted, never timed: a path is parsed
 * once while it stays in a bounded cache.
 */
import { describe, expect, it, vi } from "vitest";
import { jsonPath, PARSED_PATH_CHARS, PARSED_PATH_ENTRIES, renderMappingTemplate, type MappingTemplateInput } from "../../local/vtl";

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
