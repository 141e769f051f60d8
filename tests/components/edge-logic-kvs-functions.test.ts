/**
 * One EdgeLogic key value store associated with more than 10 CloudFront Functions (review 28, finding 9): CloudFront's
 * "Maximum number of functions that a single key value store can be associated with | 10" has no increase, and the
 * 11th function's CreateFunction fails at `pulumi up` after the others exist.
 */
import { describe, expect, it } from "vitest";
import { EdgeLogic, type EdgeLogicArgs } from "../../components/edge-logic";
import { ofType, record } from "../harness/mocks";

const functionsWithStore = (count: number): EdgeLogicArgs["functions"] =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`rewrite-${i}`, { file: "handlers/edge/viewer-request.js", eventType: "viewer-request" as const, keyValueStore: true, pathPatterns: [`/p${i}/*`], config: { cleanUrls: "html", redirects: true } }]),
  );

describe("EdgeLogic: functions sharing the key value store", () => {
  it("refuses more than 10 functions with keyValueStore: true", () => {
    expect(() => new EdgeLogic("kvs", { keyValueStore: { data: {} }, functions: functionsWithStore(11) })).toThrow(
      /^EdgeLogic "kvs": functions "11 functions with keyValueStore: true" is over the 10 functions CloudFront associates with one key value store \("Maximum number of functions that a single key value store can be associated with \| 10", with no quota increase offered\)\. Set keyValueStore on at most 10 functions: merge functions that read the store into one, or give the others their own EdgeLogic \(and key value store\)\.$/,
    );
  });

  it("creates 10 functions associated with the store", async () => {
    const graph = await record(() => new EdgeLogic("kvs10", { keyValueStore: { data: {} }, functions: functionsWithStore(10) }));
    expect(ofType(graph, "aws:cloudfront/function:Function").filter((f) => f.inputs.keyValueStoreAssociations?.length === 1)).toHaveLength(10);
  });
});
