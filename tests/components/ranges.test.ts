/**
 * checkWholeNumberInRange (components/ranges.ts): the one range check the components share, and the wording of its
 * refusals. The components' own tests pin the messages each argument gives; these pin the cases no component test
 * reaches alone (allowed values, values that are not numbers, the limit and unit in both problem and fix).
 */
import { describe, expect, it } from "vitest";
import { argFailer } from "../../components/errors";
import { checkNumberInRange, checkWholeNumberInRange, wholeNumberRangeRefusal, type WholeNumberRangeOptions } from "../../components/ranges";

const fail = argFailer("Test", "t");
const check = (value: unknown, options?: WholeNumberRangeOptions) => () => checkWholeNumberInRange(fail, "count", value, { min: 60, max: 600 }, options);

describe("checkWholeNumberInRange", () => {
  it.each([undefined, 60, 600, 300])("takes %j", (value) => {
    expect(check(value)).not.toThrow();
  });

  it.each<[string, unknown, WholeNumberRangeOptions | undefined, RegExp]>([
    ["a whole number outside", 601, undefined, /^Test "t": count 601 is outside 60–600\. Use a whole number from 60 to 600\.$/],
    ["a whole number below, with whose limit and the unit", 59, { limit: "Lambda's range", unit: "seconds" }, /^Test "t": count 59 is outside Lambda's range of 60–600 seconds\. Use a whole number from 60 to 600 seconds\.$/],
    ["a fraction inside (not \"outside\" a range it lies in)", 60.5, { unit: "seconds" }, /^Test "t": count 60\.5 is not a whole number\. Use a whole number from 60 to 600 seconds\.$/],
    ["a fraction outside", 0.5, { limit: "SQS's range", unit: "days" }, /^Test "t": count 0\.5 is not a whole number, nor in SQS's range of 60–600 days\. Use a whole number from 60 to 600 days\.$/],
    ["a number written as a string", "300", undefined, /^Test "t": count "300" is not a number\. Use a whole number from 60 to 600\.$/],
    ["true", true, { limit: "Lambda's range", unit: "seconds" }, /^Test "t": count true is not a number\. Use a whole number from 60 to 600 seconds\.$/],
    ["null", null, undefined, /^Test "t": count null is not a number\. Use a whole number from 60 to 600\.$/],
    ["NaN (a number, but neither in nor outside a range)", Number.NaN, undefined, /^Test "t": count NaN is not a whole number\. Use a whole number from 60 to 600\.$/],
    ["Infinity (outside every range)", Number.POSITIVE_INFINITY, { limit: "SQS's range", unit: "days" }, /^Test "t": count Infinity is not a whole number, nor in SQS's range of 60–600 days\. Use a whole number from 60 to 600 days\.$/],
    ["-Infinity", Number.NEGATIVE_INFINITY, undefined, /^Test "t": count -Infinity is not a whole number, nor in 60–600\. Use a whole number from 60 to 600\.$/],
    ["with the argument's own fix", 0.5, { fix: "Use e.g. 120." }, /^Test "t": count 0\.5 is not a whole number, nor in 60–600\. Use e\.g\. 120\.$/],
    ["with why the range is what it is", 0.5, { unit: "seconds", reason: "a REST API writes it into a header" }, /^Test "t": count 0\.5 is not a whole number, nor in 60–600 seconds; a REST API writes it into a header\. Use a whole number from 60 to 600 seconds\.$/],
    ["a value outside that is not one of the allowed ones", -2, { allowed: [-1] }, /^Test "t": count -2 is outside 60–600\. Use a whole number from 60 to 600 \(or -1\)\.$/],
  ])("refuses %s", (_, value, options, message) => {
    expect(check(value, options)).toThrow(message);
  });

  it("takes an allowed value outside the range, and only a number as one", () => {
    expect(check(-1, { allowed: [-1] })).not.toThrow();
    expect(check("-1", { allowed: [-1] })).toThrow(/count "-1" is not a number\. Use a whole number from 60 to 600 \(or -1\)\./);
  });

  it("words the same refusal as a problem and a fix for a check that reports instead of throwing (wholeNumberRangeRefusal)", () => {
    expect(wholeNumberRangeRefusal(300, { min: 60, max: 600 })).toBeUndefined();
    expect(wholeNumberRangeRefusal(undefined, { min: 60, max: 600 })).toBeUndefined();
    expect(wholeNumberRangeRefusal(0, { min: 1, max: 10 }, { limit: "Route 53's range", unit: "consecutive checks", reason: "why" })).toEqual({
      problem: "is outside Route 53's range of 1–10 consecutive checks; why",
      fix: "Use a whole number from 1 to 10 consecutive checks.",
    });
  });
});

describe("checkNumberInRange (fractions allowed)", () => {
  const percent = (value: unknown) => () => checkNumberInRange(fail, "share", value, { min: 0, max: 100 }, { limit: "API Gateway's range", unit: "percent" });

  it.each([undefined, 0, 100, 12.5, 0.1])("takes %j", (value) => {
    expect(percent(value)).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    ["a number outside, in the shared words", 100.5, /^Test "t": share 100\.5 is outside API Gateway's range of 0–100 percent\. Use a number from 0 to 100 percent\.$/],
    ["a number below", -1, /^Test "t": share -1 is outside API Gateway's range of 0–100 percent\./],
    ["Infinity", Number.POSITIVE_INFINITY, /^Test "t": share Infinity is outside API Gateway's range of 0–100 percent\./],
    ["NaN", Number.NaN, /^Test "t": share NaN is not a number\. Use a number from 0 to 100 percent\.$/],
    ["a number written as a string", "10", /^Test "t": share "10" is not a number\. Use a number from 0 to 100 percent\.$/],
  ])("refuses %s", (_, value, message) => {
    expect(percent(value)).toThrow(message);
  });
});
