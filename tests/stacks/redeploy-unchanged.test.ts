/**
 * A second `pulumi up` of an unchanged program is a no-op only if the program gives the same inputs every time: the
 * engine diffs the inputs it is given against the ones in state. So the prod program, run again later (the clock a
 * month and more ahead) from a fresh module registry, must give every resource the same inputs, Lambda code and
 * asset paths included, as the run the other stack tests share. A timestamp, a random value or an unordered walk in an
 * input would make every deploy update (or publish a new Lambda version, or a new API deployment) without any change.
 * The bundle cache stays on: a fresh esbuild build's bytes are pinned by tests/components/lambda-function.test.ts, and
 * without the cache the site publisher's provider is serialised anew, which loads TypeScript into this shared worker.
 */
import { describe, expect, it, vi } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { runStack, withAssetsEncoded } from "./run-stack";

const MONTH_AND_MORE_MS = 53 * 24 * 3600 * 1000;

/** Each resource's inputs and resource options, by URN, as JSON. */
async function inputsByUrn(resources: readonly RecordedResource[]): Promise<Map<string, string>> {
  const encoded = (await withAssetsEncoded(resources.map(({ urn, inputs, ignoreChanges, replaceOnChanges, deleteBeforeReplace, aliases }) => ({ urn, inputs, ignoreChanges, replaceOnChanges, deleteBeforeReplace, aliases })))) as Array<{ urn: string }>;
  return new Map(encoded.map((resource) => [resource.urn, JSON.stringify(resource)]));
}

describe("the prod program run again unchanged", () => {
  it("gives every resource the same inputs, a month later", async () => {
    const shared = await inputsByUrn((await runStack("prod")).resources);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + MONTH_AND_MORE_MS });
    try {
      vi.resetModules();
      const { runProgramOffline } = (await import("../../local/offline/program.js")) as typeof import("../../local/offline/program");
      const again = await inputsByUrn((await runProgramOffline({ stack: "prod", load: () => import("../../index.js") })).resources);

      expect([...again.keys()].sort()).toEqual([...shared.keys()].sort());
      const differing = [...shared].filter(([urn, inputs]) => again.get(urn) !== inputs).map(([urn]) => urn);
      expect(differing).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
