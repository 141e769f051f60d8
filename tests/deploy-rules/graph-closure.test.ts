/**
 * dependencyClosure keeps a look-up per graph (resources by URN) instead of building it at every call, and ofType answers
 * from one made per rule run while the deploy-rule runners hold the graph (holdingGraphs): the answers are pinned
 * against the unindexed algorithms on both stacks' plans (every resource, with and without ancestors; every type), and
 * the look-ups follow a graph that changes between calls, or between rule runs, as a fresh pass would.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dependencyClosure, holdingGraphs, ofType, type Graph } from "../../local/offline/graph";
import { checkDeployRules, referenced, type DeployRule } from "../../testing/deploy-rules";
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

describe("ofType while a rule run holds the graph (holdingGraphs)", () => {
  it.each(["dev", "prod"])("%s: every type's resources, in the plan's order, each answer a new array", (stack) => {
    const graph = runs.get(stack)!.resources;
    const types = [...new Set(graph.map((r) => r.type)), "aws:none/absent:Absent"];
    const unheld = types.map((type) => graph.filter((r) => r.type === type));
    holdingGraphs([graph], () => {
      expect(types.map((type) => ofType(graph, type))).toEqual(unheld);
      const first = ofType(graph, types[0]);
      first.push(first[0]);
      expect(ofType(graph, types[0])).toEqual(unheld[0]);
      expect(graph.every((r) => listed(dependencyClosure(graph, r)).join() === listed(unindexedClosure(graph, r)).join())).toBe(true);
    });
  });

  it("a graph changed before the hold is read as changed; after the hold (even one a rule ended by throwing), changes are read again", () => {
    const bucket = handBuilt("aws:s3/bucket:Bucket", "first", {}, { urn: "urn:first" });
    const graph: RecordedResource[] = [bucket];
    expect(dependencyClosure(graph, bucket)).toEqual(new Set());
    const second = handBuilt("aws:s3/bucket:Bucket", "second", {}, { urn: "urn:second", dependencies: ["urn:first"] });
    const user = handBuilt("aws:s3/bucketPolicy:BucketPolicy", "user", {}, { urn: "urn:user", dependencies: ["urn:second"] });
    graph.push(second, user);
    holdingGraphs([graph], () => {
      expect(ofType(graph, "aws:s3/bucket:Bucket").map((r) => r.name)).toEqual(["first", "second"]);
      expect(listed(dependencyClosure(graph, user))).toEqual(["urn:second", "urn:first"]);
    });
    const throwing: DeployRule = {
      id: "Throws",
      title: "reads the plan, then throws",
      source: "https://example.com",
      check(held) {
        expect(ofType(held, "aws:s3/bucket:Bucket")).toHaveLength(2);
        throw new Error("rule failed");
      },
    };
    expect(() => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" }, [throwing])).toThrow("rule failed");
    const third = handBuilt("aws:s3/bucket:Bucket", "third", {}, { urn: "urn:third", dependencies: ["urn:first"] });
    graph.push(third);
    expect(ofType(graph, "aws:s3/bucket:Bucket").map((r) => r.name)).toEqual(["first", "second", "third"]);
    const child = handBuilt("aws:s3/bucketPolicy:BucketPolicy", "child", {}, { urn: "urn:child", dependencies: ["urn:third"] });
    graph.push(child);
    expect(listed(dependencyClosure(graph, child))).toEqual(["urn:third", "urn:first"]);
  });

  it("referenced answers the first resource of the type the reference names, in the plan's order, held or not", () => {
    const other = handBuilt("aws:sqs/queue:Queue", "other", {}, { id: "shared" });
    const first = handBuilt("aws:s3/bucket:Bucket", "first", {}, { id: "shared" });
    const second = handBuilt("aws:s3/bucket:Bucket", "second", {}, { id: "shared" });
    const graph = [other, first, second];
    expect(referenced(graph, "aws:s3/bucket:Bucket", "shared")).toBe(first);
    expect(holdingGraphs([graph], () => [referenced(graph, "aws:s3/bucket:Bucket", "shared"), referenced(graph, "aws:s3/bucket:Bucket", "absent")])).toEqual([first, undefined]);
  });

  it("referenced outside a rule run (the transition checks hold no graph) stops at the first match: it reads no resource after it", () => {
    const first = handBuilt("aws:s3/bucket:Bucket", "first", {}, { id: "shared" });
    const graph: RecordedResource[] = [first, handBuilt("aws:s3/bucket:Bucket", "second", {}, { id: "other" })];
    // A resource read after the match throws: a filter over the whole plan (and a copy) per call reads it.
    Object.defineProperty(graph, 1, { get: () => { throw new Error("read past the first match"); } });
    expect(referenced(graph, "aws:s3/bucket:Bucket", "shared")).toBe(first);
  });

  it("a hold inside a hold ends with the outer one", () => {
    const graph = [handBuilt("aws:s3/bucket:Bucket", "first", {})];
    holdingGraphs([graph], () => {
      holdingGraphs([graph, graph], () => ofType(graph, "aws:s3/bucket:Bucket"));
      // Still held: the outer run's look-up answers (nothing changed, so the same as a pass).
      expect(ofType(graph, "aws:s3/bucket:Bucket")).toEqual([graph[0]]);
    });
    graph.push(handBuilt("aws:s3/bucket:Bucket", "second", {}));
    expect(ofType(graph, "aws:s3/bucket:Bucket")).toHaveLength(2);
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
