/**
 * How a ComponentArgError shows the bad value (components/errors.ts formatArgValue): JSON, except for the numbers JSON
 * cannot write, which JSON.stringify turns into `null` — a message saying "retentionDays null is not a whole number"
 * for NaN sends the user looking for a null they never wrote.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { ComponentArgError, formatArgValue } from "../../components/errors";

describe("formatArgValue", () => {
  it.each<[string, unknown, string]>([
    ["NaN", Number.NaN, "NaN"],
    ["Infinity", Number.POSITIVE_INFINITY, "Infinity"],
    ["-Infinity", Number.NEGATIVE_INFINITY, "-Infinity"],
    ["non-finite numbers inside an object and an array, beside a real null", { rate: Number.NaN, limits: [Number.NEGATIVE_INFINITY, 1, null], cap: Number.POSITIVE_INFINITY }, '{"rate":NaN,"limits":[-Infinity,1,null],"cap":Infinity}'],
    ["a string that reads like the marker, kept as it is", { note: "~non-finite~NaN", n: Number.NaN }, '{"note":"~non-finite~NaN","n":NaN}'],
    ["a string", "NaN", '"NaN"'],
    ["null", null, "null"],
    ["undefined", undefined, "(not set)"],
    ["a bigint, which JSON cannot hold", 10n, "10"],
    // Known only at deploy (an app client id, a table's ARN): not the text of Output's toJSON ("Calling [toJSON] on an [Output<T>] ...").
    ["an Output", pulumi.output("client"), '"(Output)"'],
    ["Outputs and a promise inside an array and an object, beside a non-finite number", { audience: [pulumi.output("client"), "web"], later: Promise.resolve(1), n: Number.NaN }, '{"audience":["(Output)","web"],"later":"(Output)","n":NaN}'],
  ])("shows %s", (_, value, shown) => {
    expect(formatArgValue(value)).toBe(shown);
  });

  // PULUMI_ERROR_OUTPUT_STRING=1 (read once into @pulumi/pulumi's utils.errorOutputString) makes an Output's toJSON and
  // toString throw. JSON.stringify calls toJSON before a replacer sees the entry, so an Output inside an array or object
  // must be shown before JSON.stringify reaches it, or the ComponentArgError gives way to Pulumi's toJSON error.
  describe("with Pulumi's PULUMI_ERROR_OUTPUT_STRING", () => {
    const utils = require("@pulumi/pulumi/utils") as { errorOutputString: boolean };
    const before = utils.errorOutputString;
    afterEach(() => {
      utils.errorOutputString = before;
    });
    it("still shows an Output inside an array or object as (Output)", () => {
      utils.errorOutputString = true;
      expect(formatArgValue([pulumi.output("client"), Number.NaN])).toBe('["(Output)",NaN]');
      expect(formatArgValue({ audience: [pulumi.output("client")] })).toBe('{"audience":["(Output)"]}');
    });
  });

  it("shows a value that holds itself as String(value), as JSON cannot write it", () => {
    const loop: Record<string, unknown> = { out: pulumi.output("x") };
    loop.self = loop;
    expect(formatArgValue(loop)).toBe("[object Object]");
  });

  it("cuts a long value at 120 characters after writing its non-finite numbers", () => {
    const shown = formatArgValue(Array.from({ length: 40 }, () => Number.NaN));
    expect(shown).toHaveLength(120);
    expect(shown).toMatch(/^\[NaN,NaN,.*\.\.\.$/);
  });

  it("is how every ComponentArgError message shows the value", () => {
    expect(new ComponentArgError("Test", "t", "throttle", { rateLimit: Number.POSITIVE_INFINITY }, "is not a throttle", "Use a finite rate.").message).toBe(
      'Test "t": throttle {"rateLimit":Infinity} is not a throttle. Use a finite rate.',
    );
  });
});
