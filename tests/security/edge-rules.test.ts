/** The edge rules pass on what EdgeLogic + StaticSite build, and fail on a graph broken the way each guards against. */
import { beforeAll, describe, expect, it } from "vitest";
import { EdgeLogic } from "../../components/edge-logic";
import { StaticSite } from "../../components/static-site";
import { record, type RecordedResource } from "../harness/mocks";
import type { RuleContext } from "../../testing/security-rules/rule";
import { CLOUDFRONT_FUNCTIONS, EDGE_FUNCTIONS, EDGE_VERSIONED } from "../../testing/security-rules/edge";

const prod: RuleContext = { stack: "prod", production: true };
let graph: RecordedResource[];

beforeAll(async () => {
  graph = await record(() => {
    const edge = new EdgeLogic("e", {
      functions: { vr: { file: "handlers/edge/viewer-response.js", eventType: "viewer-response" } },
      lambdas: { ors: { entry: "handlers/edge/origin-response.ts", eventType: "origin-response", define: { __EDGE_ORIGIN_RESPONSE_CONFIG__: "{}" } } },
    });
    // No folder-index function: the CloudFront Function checks below change the one EdgeLogic function.
    new StaticSite("s", { path: "tests/fixtures/site", edge: edge.associations, directoryIndex: false });
  });
});

function changed(pick: (r: RecordedResource) => boolean, change: (r: RecordedResource) => RecordedResource): RecordedResource[] {
  return graph.map((r) => (pick(r) ? change(r) : r));
}
const isCdn = (r: RecordedResource) => r.type === "aws:cloudfront/distribution:Distribution";
const isEdgeLambda = (r: RecordedResource) => r.type === "aws:lambda/function:Function";
const isFunction = (r: RecordedResource) => r.type === "aws:cloudfront/function:Function";

describe("edge security rules", () => {
  it("pass on what the components build", () => {
    for (const rule of [EDGE_VERSIONED, EDGE_FUNCTIONS, CLOUDFRONT_FUNCTIONS]) expect(rule.check(graph, prod), rule.id).toEqual([]);
  });

  it("EdgeVersioned fails on an unversioned Lambda@Edge ARN", () => {
    const broken = changed(isCdn, (d) => {
      const arn = d.inputs.defaultCacheBehavior.lambdaFunctionAssociations[0].lambdaArn.replace(/:\d+$/, ":$LATEST");
      return { ...d, inputs: { ...d.inputs, defaultCacheBehavior: { ...d.inputs.defaultCacheBehavior, lambdaFunctionAssociations: [{ eventType: "origin-response", lambdaArn: arn }] } } };
    });
    expect(EDGE_VERSIONED.check(broken, prod)).toEqual([expect.objectContaining({ problem: expect.stringMatching(/origin-response runs .*:\$LATEST, not a numbered version/) })]);
  });

  it("EdgeFunctions fails on an edge function that is not retained or not published", () => {
    const broken = changed(isEdgeLambda, (f) => ({ ...f, retainOnDelete: false, inputs: { ...f.inputs, publish: false } }));
    expect(EDGE_FUNCTIONS.check(broken, prod).map((f) => f.problem)).toEqual(["does not publish versions", "is not retained on delete; its replicas would block the deletion"]);
  });

  it("CloudFrontFunctions fails on an old runtime, oversized or unpublished code", () => {
    const broken = changed(isFunction, (f) => ({ ...f, inputs: { ...f.inputs, runtime: "cloudfront-js-1.0", code: "x".repeat(10241), publish: false } }));
    expect(CLOUDFRONT_FUNCTIONS.check(broken, prod).map((f) => f.problem)).toEqual(["runs cloudfront-js-1.0, not cloudfront-js-2.0", "is over 10 KB", "is not published, so distributions run a stale LIVE stage"]);
  });
});
