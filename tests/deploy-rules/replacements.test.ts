/**
 * The replacement cascade (withCascadedReplacements) rewrites a value a replacement draws anew where the next plan
 * holds it: whole values anywhere, and a longer string around it only in a resource that depends on the drawing one
 * (an identifier interpolated from a RandomString's result); a string that merely contains the value is left alone.
 */
import { describe, expect, it } from "vitest";
import { withCascadedReplacements } from "../../testing/deploy-rules/replacements";
import { handBuilt } from "./fixture";

const RANDOM = "random:index/randomString:RandomString";
const PARAMETER = "aws:ssm/parameter:Parameter";

describe("the replacement cascade's rewriting of drawn values", () => {
  it("rewrites the drawn value whole anywhere and inside a dependent's interpolated string, and leaves a containing-but-different string of an unrelated resource alone", () => {
    const suffix = (keepers: Record<string, string>) => handBuilt(RANDOM, "suffix", { length: 8, keepers }, { state: { result: "abc1234x" } });
    const before = [suffix({ subnetGroup: "one" })];
    const drawn = suffix({ subnetGroup: "two" });
    // Interpolated from the suffix (depends on it): `${name}-${suffix}`.
    const dependent = handBuilt(PARAMETER, "dependent", { name: "app-abc1234x", value: "abc1234x" }, { dependencies: [drawn.urn] });
    // Depends on nothing: its exact copy of the value is a reference (rewritten), its longer string that contains it is not.
    const bystander = handBuilt(PARAMETER, "bystander", { name: "note-abc1234x-z", value: "abc1234x", tags: { about: "xabc1234x" } });
    const replaced = (_kind: unknown, old: { inputs: Record<string, unknown> }, next: { inputs: Record<string, unknown> }) => JSON.stringify(old.inputs.keepers) !== JSON.stringify(next.inputs.keepers);
    const { after } = withCascadedReplacements([...before, dependent, bystander], [drawn, dependent, bystander], replaced);
    const inputsOf = (name: string) => after.find((r) => r.name === name)!.inputs;
    expect(after.find((r) => r.name === "suffix")!.state.result).toBe("<new abc1234x>");
    expect(inputsOf("dependent")).toEqual({ name: "app-<new abc1234x>", value: "<new abc1234x>" });
    expect(inputsOf("bystander")).toEqual({ name: "note-abc1234x-z", value: "<new abc1234x>", tags: { about: "xabc1234x" } });
  });
});
