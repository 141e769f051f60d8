/**
 * aslProblems keeps its answers by the definition's JSON text (components/workflow/definition.ts): a Workflow checks
 * its definition when constructed and the StatesDefinition deploy rule checks the recorded one again. A kept answer is
 * the one a new check gives, each call returns an array of its own (a caller that changes it changes no later answer),
 * and at most ASL_PROBLEMS_CACHE_ENTRIES answers are kept.
 */
import { describe, expect, it } from "vitest";
import { ASL_PROBLEMS_CACHE_ENTRIES, aslProblems, aslProblemsCached } from "../../components/workflow/definition";

const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:resize";
const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ StartAt: Object.keys(states)[0], States: states, ...extra });

/** One definition of each kind of answer, with the answer (pinned, as the other aslProblems tests pin them). */
const CASES: Array<[string, unknown, string[]]> = [
  ["valid", machine({ A: { Type: "Task", Resource: FUNCTION, End: true } }), []],
  ["not a path", machine({ A: { Type: "Task", Resource: FUNCTION, InputPath: "photo.key", End: true } }), ['/States/A/InputPath is invalid. must match format "asl_path"']],
];

describe("aslProblems keeps its answers by the definition's JSON text", () => {
  it("answers the same the second time, with an array of its own, and keeps one answer per JSON text", () => {
    for (const [name, definition, expected] of CASES) {
      const before = aslProblemsCached();
      const first = aslProblems(definition);
      expect(first, name).toEqual(expected);
      // A copy of the same definition (same JSON text) is answered from what was kept.
      const second = aslProblems(JSON.parse(JSON.stringify(definition)));
      expect(second, name).toEqual(expected);
      expect(second, name).not.toBe(first);
      expect(aslProblemsCached(), name).toBe(Math.min(before + 1, ASL_PROBLEMS_CACHE_ENTRIES));
      // A caller that changes its answer changes no later one.
      first.push("changed by the caller");
      second.length = 0;
      expect(aslProblems(definition), name).toEqual(expected);
    }
  });

  it("answers a JSONata downgrade and a refused escape as a new check does, and leaves the caller's definition as it was", () => {
    const downgrade = machine({ A: { Type: "Pass", QueryLanguage: "JSONPath", End: true } }, { QueryLanguage: "JSONata" });
    const escape = machine({ A: { Type: "Pass", Parameters: { "greeting.$": "States.Format('say \\\"hi\\\"')" }, End: true } });
    for (const definition of [downgrade, escape]) {
      const text = JSON.stringify(definition);
      const first = aslProblems(definition);
      expect(first.length).toBeGreaterThan(0);
      expect(aslProblems(definition)).toEqual(first);
      // asl-validator writes each state's QueryLanguage into what it is given, and the escape check rewrites the
      // invocation: both work on a copy of their own.
      expect(JSON.stringify(definition)).toBe(text);
    }
    expect(aslProblems(downgrade)[0]).toMatch(/^state "A" \(definition\.States\.A\) sets QueryLanguage "JSONPath"/);
    expect(aslProblems(escape)[0]).toMatch(/escapes '"' with a backslash/);
  });

  it("throws for a definition that is no JSON value at all, as before, and keeps nothing for it", () => {
    const before = aslProblemsCached();
    expect(() => aslProblems(undefined)).toThrow(SyntaxError);
    expect(aslProblemsCached()).toBe(before);
  });

  it("keeps at most ASL_PROBLEMS_CACHE_ENTRIES answers, and still answers each definition it dropped", () => {
    const nth = (i: number) => machine({ [`S${i}`]: { Type: "Succeed" } });
    for (let i = 0; i < ASL_PROBLEMS_CACHE_ENTRIES + 5; i++) expect(aslProblems(nth(i))).toEqual([]);
    expect(aslProblemsCached()).toBe(ASL_PROBLEMS_CACHE_ENTRIES);
    // The first ones were dropped (least recently asked): asked again, they are checked anew, with the same answer.
    expect(aslProblems(nth(0))).toEqual([]);
    expect(aslProblems(CASES[1][1])).toEqual(CASES[1][2]);
    expect(aslProblemsCached()).toBe(ASL_PROBLEMS_CACHE_ENTRIES);
  });
});
