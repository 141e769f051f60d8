/**
 * dependencyClosure keeps a look-up per graph (resources by URN) instead of building it at every call: the answers are
 * pinned against the unindexed algorithm on both stacks' plans, for every resource, with and without ancestors, and the
 * look-up follows a graph that changes between calls as a fresh build would.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dependencyClosure, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import type { OfflineRun } from "../../local/offline/program";
import { runStacks } from "../stacks/run-stack";
import { handBuilt } from "./fixture";

/** dependencyClosure as it was before the index (the URN map built at every call), the reference the answers must equal. */
function unindexedClosure(graph: Graph, resource: RecordedResource, options: { ancestors?: boolean } = {}): Set<string> {
  const byUrn = new Map(graph.map((r) => [r.urn, r]));
  const followAncestors = options.ancestors ?? true;
  const waitsFor = (r: RecordedResource | undefined): string[] => {
    const urns: string[] = [];
    const ancestors = new Set<string>();
    for (let at = r; at && !ancestors.has(at.urn); at = !followAncestors || at.parent === undefined ? undefined : byUrn.get(at.parent)) {
      ancestors.add(at.urn);
      urns.push(...at.dependencies);
    }
    return urns;
  };
  const seen = new Set<string>();
  const pending = waitsFor(resource);
  while (pending.length > 0) {
    const urn = pending.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    pending.push(...waitsFor(byUrn.get(urn)));
  }
  return seen;
}

/** The closure in the order it was found (the Set's order is part of the answer a caller may print). */
const listed = (closure: Set<string>) => [...closure];

let runs: Map<string, OfflineRun>;

beforeAll(async () => {
  runs = await runStacks(["dev", "prod"]);
});

describe("dependencyClosure on the project's plans (the per-graph look-up answers as the unindexed algorithm)", () => {
  it.each(["dev", "prod"])("%s: every resource's closure, with ancestors and with { ancestors: false }", (stack) => {
    const graph = runs.get(stack)!.resources;
    expect(graph.length).toBeGreaterThan(100);
    let followed = 0;
    for (const r of graph) {
      const withAncestors = dependencyClosure(graph, r);
      expect(listed(withAncestors), `${r.type} ${r.name}`).toEqual(listed(unindexedClosure(graph, r)));
      expect(listed(dependencyClosure(graph, r, { ancestors: false })), `${r.type} ${r.name} (ancestors: false)`).toEqual(listed(unindexedClosure(graph, r, { ancestors: false })));
      expect(listed(dependencyClosure(graph, r, { ancestors: true })), `${r.type} ${r.name} (ancestors: true)`).toEqual(listed(withAncestors));
      followed += withAncestors.size;
    }
    // The plans do order resources (not a comparison of empty sets).
    expect(followed).toBeGreaterThan(graph.length);
  });
});

describe("dependencyClosure on a graph that changes between calls (read as it is at each call)", () => {
  const chain = () => {
    const base = handBuilt("aws:s3/bucket:Bucket", "base", {}, { urn: "urn:base" });
    const parent = handBuilt("pkg:index:Component", "parent", {}, { urn: "urn:parent", custom: false, dependencies: ["urn:base"] });
    const child = handBuilt("aws:s3/bucketPolicy:BucketPolicy", "child", {}, { urn: "urn:child", parent: "urn:parent" });
    return { base, parent, child };
  };

  it("a parent appended after a first question counts from then on", () => {
    const { base, parent, child } = chain();
    const graph = [base, child];
    expect(listed(dependencyClosure(graph, child))).toEqual([]);
    graph.push(parent);
    expect(listed(dependencyClosure(graph, child))).toEqual(["urn:base"]);
  });

  it("a resource replaced in place (same length) is read as replaced", () => {
    const { base, parent, child } = chain();
    const graph = [base, parent, child];
    expect(listed(dependencyClosure(graph, child))).toEqual(["urn:base"]);
    graph[1] = { ...parent, dependencies: [] };
    expect(listed(dependencyClosure(graph, child))).toEqual([]);
  });

  it("a URN filled in after a first question (as the recording mocks fill them) is found by it", () => {
    const { base, parent, child } = chain();
    const pending = { ...parent, urn: "" };
    const graph = [base, pending, child];
    expect(listed(dependencyClosure(graph, child))).toEqual([]);
    pending.urn = "urn:parent";
    expect(listed(dependencyClosure(graph, child))).toEqual(["urn:base"]);
  });

  it("each answer is a Set of its own: changing one leaves the next answer as it was", () => {
    const { base, parent, child } = chain();
    const graph = [base, parent, child];
    dependencyClosure(graph, child).add("urn:added-by-a-caller");
    expect(listed(dependencyClosure(graph, child))).toEqual(["urn:base"]);
  });
});
