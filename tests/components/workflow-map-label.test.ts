/**
 * A Distributed Map's Label as CreateStateMachine takes it (components/workflow/definition.ts mapLabelProblems): at most
 * 40 characters, no whitespace, wildcard, bracket, special or control character, and one Label per Map of the
 * definition. Refused by aslProblems (so by the Workflow at plan time, and by the StatesDefinition deploy rule) and by
 * the local runtime's CreateStateMachine (tests/local/sfn-map-runs.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Workflow } from "../../components/workflow";
import { aslProblems, MAP_LABEL_LIMITS, mapLabelProblems } from "../../components/workflow/definition";
import { record, useMocks } from "../harness/mocks";

beforeAll(() => useMocks());

const processor = (mode: "DISTRIBUTED" | "INLINE") => ({ ProcessorConfig: { Mode: mode, ...(mode === "DISTRIBUTED" ? { ExecutionType: "STANDARD" } : {}) }, StartAt: "Ok", States: { Ok: { Type: "Pass", End: true } } });
const mapped = (label: unknown, mode: "DISTRIBUTED" | "INLINE" = "DISTRIBUTED") => ({ StartAt: "Fan", States: { Fan: { Type: "Map", ItemProcessor: processor(mode), Label: label, End: true } } });

describe("a Distributed Map's Label", () => {
  it("takes up to 40 characters of letters, digits and the other characters AWS takes", () => {
    for (const label of ["Fanned", "resize-photos_2", "a".repeat(MAP_LABEL_LIMITS.length), "ünï.cødé/ok@+=!'()", "é".repeat(40)]) {
      expect(mapLabelProblems(mapped(label)), label).toEqual([]);
      expect(aslProblems(mapped(label)), label).toEqual([]);
    }
  });

  it("refuses one over 40 characters, or with whitespace, a wildcard, a bracket, a special or a control character", () => {
    expect(mapLabelProblems(mapped("a".repeat(41)))).toEqual([{ name: "Fan", path: "definition.States.Fan.Label", code: "INVALID_LABEL_NAME", problem: expect.stringMatching(/^is 41 characters long, over the 40 a Distributed Map's Label takes/), fix: expect.stringMatching(/^Shorten the Label/) }]);
    for (const char of [" ", "\t", "\u00a0", "?", "*", "<", ">", "{", "}", "[", "]", ":", ";", ",", "\\", "|", "^", "~", "$", "#", "%", "&", "`", '"', "\u0000", "\u001f", "\u007f", "\u009f"]) {
      const problems = mapLabelProblems(mapped(`a${char}b`));
      expect(problems, JSON.stringify(char)).toEqual([expect.objectContaining({ code: "INVALID_LABEL_NAME", problem: expect.stringMatching(/^holds (U\+[0-9A-F]{4}|'.'), which/) })]);
    }
    expect(mapLabelProblems(mapped("a b"))[0].problem).toMatch(/^holds U\+0020, which a Distributed Map's Label may not/);
    expect(mapLabelProblems(mapped("a:b"))[0].problem).toMatch(/^holds ':', which/);
    expect(aslProblems(mapped("two words"))).toEqual([expect.stringMatching(/^state "Fan" \(definition\.States\.Fan\.Label\) holds U\+0020, .*INVALID_LABEL_NAME\); Write the Label with letters, digits, - and _/)]);
  });

  it("refuses a Label two Distributed Maps share, in branches and processors too", () => {
    const inner = { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Deep", States: { Deep: { Type: "Map", ItemProcessor: processor("DISTRIBUTED"), Label: "same", End: true } } };
    const definition = { StartAt: "Fan", States: { Fan: { Type: "Map", ItemProcessor: inner, Label: "same", End: true } } };
    expect(mapLabelProblems(definition)).toEqual([{ name: "Deep", path: "definition.States.Fan.ItemProcessor.States.Deep.Label", code: "DUPLICATE_LABEL_NAME", problem: expect.stringContaining('is "same", the Label of the Map state "Fan" (definition.States.Fan) too'), fix: expect.any(String) }]);
  });

  it("leaves alone an Inline Map's Label, an empty one, one that is no string (the schema's) and a deploy-time one", () => {
    expect(mapLabelProblems(mapped("two words", "INLINE"))).toEqual([]);
    expect(mapLabelProblems(mapped(""))).toEqual([]);
    expect(mapLabelProblems(mapped(7))).toEqual([]);
    expect(aslProblems(mapped(7))).toContain("/States/Fan/Label is invalid. must be string");
  });

  it("is refused by the Workflow at plan time, naming the component, the argument, the value and the fix; a deploy-time Label is not", async () => {
    expect(() => new Workflow("labelled", { definition: mapped("photos [resized]") as never })).toThrow(/^Workflow "labelled": definition .* is not valid Amazon States Language: state "Fan" \(definition\.States\.Fan\.Label\) holds U\+0020, which a Distributed Map's Label may not.*Write the Label with letters, digits, - and _/);
    const graph = await record(() => {
      new Workflow("deployTimeLabel", { definition: mapped(pulumi.output("from-config")) as never });
    });
    expect(graph.some((r) => r.type === "aws:sfn/stateMachine:StateMachine")).toBe(true);
  });
});
