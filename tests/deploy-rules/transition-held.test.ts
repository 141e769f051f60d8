/**
 * checkPlanTransition holds the plans it reads (local/offline/graph.ts holdingGraphs) only while it reads them: after it
 * returns, or throws, ofType and dependencyClosure follow each plan as it changes, as a fresh pass would.
 */
import { describe, expect, it } from "vitest";
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkPlanTransition } from "../../testing/deploy-rules";
import { handBuilt } from "./fixture";

const BUCKET = "aws:s3/bucket:Bucket";

describe("checkPlanTransition releases the plans it holds", () => {
  it("answers ofType and dependencyClosure from the plans as they are after it returns", () => {
    const kept = handBuilt(BUCKET, "kept", { bucket: "kept-bucket" });
    const before: RecordedResource[] = [kept];
    const after: RecordedResource[] = [{ ...kept }];
    expect(checkPlanTransition(before, after, { stack: "dev", region: "us-east-1" })).toEqual([]);
    const added = handBuilt(BUCKET, "added", { bucket: "added-bucket" }, { dependencies: [kept.urn] });
    after.push(added);
    before.push(handBuilt(BUCKET, "other", { bucket: "other-bucket" }));
    expect(ofType(after, BUCKET).map((r) => r.name)).toEqual(["kept", "added"]);
    expect(ofType(before, BUCKET).map((r) => r.name)).toEqual(["kept", "other"]);
    expect([...dependencyClosure(after, added)]).toEqual([kept.urn]);
  });

  it("releases them when it throws", () => {
    const before: RecordedResource[] = [handBuilt(BUCKET, "kept", { bucket: "kept-bucket" })];
    // A resource whose inputs are no object: reading it throws inside the run.
    const broken = { ...before[0], inputs: null } as unknown as RecordedResource;
    const after: Graph = [broken];
    let threw = false;
    try {
      checkPlanTransition(before, after, { stack: "dev", region: "us-east-1" });
    } catch {
      threw = true;
    }
    before.push(handBuilt(BUCKET, "other", { bucket: "other-bucket" }));
    expect(ofType(before, BUCKET).map((r) => r.name)).toEqual(["kept", "other"]);
    expect(threw).toBe(true);
  });
});
