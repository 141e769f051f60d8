/** components/outputs.ts: what holds Outputs (an Output, a promise or any thenable, at any depth) and its serialised form now or once known. */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { holdsOutputs, serialisedWhenKnown } from "../../components/outputs";
import { useMocks } from "../harness/mocks";

beforeAll(() => useMocks());

describe("holdsOutputs and serialisedWhenKnown (EventBus patterns, ServerlessApi mock bodies)", () => {
  it("finds an Output, a promise or a thenable at any depth, and nothing in plain data", () => {
    expect(holdsOutputs({ a: [{ b: pulumi.output("x") }] })).toBe(true);
    expect(holdsOutputs([Promise.resolve(1)])).toBe(true);
    expect(holdsOutputs({ a: { then: (done: (v: number) => void) => done(1) } })).toBe(true);
    expect(holdsOutputs({ a: [1, "x", null, { b: true }] })).toBe(false);
  });

  it("serialises plain data now, and data holding Outputs once they are known, in the given key order", async () => {
    expect(serialisedWhenKnown({ z: 1, a: [2] }, JSON.stringify)).toBe('{"z":1,"a":[2]}');
    const later = serialisedWhenKnown({ z: pulumi.output([1]), a: "b" }, JSON.stringify) as pulumi.Output<string>;
    expect(await new Promise((done) => later.apply(done))).toBe('{"z":[1],"a":"b"}');
  });
});
