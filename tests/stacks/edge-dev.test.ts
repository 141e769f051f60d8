import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { EDGE_LOG_REGIONS } from "../../components/edge-logic";
import { expectEdgeAttached, expectEdgeLogRetention, expectEdgeRolesRetained, expectNoMixedViewerEvents, expectSiteErrorsFromTheEdge, functionCode, lambdaCode } from "./edge-checks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("dev");
});

describe("dev stack edge logic", () => {
  it("attaches the edge functions to the site's behaviours", () => expectEdgeAttached(run));

  it("keeps each Lambda@Edge function's role and policy with the function when it leaves the stack", () => expectEdgeRolesRetained(run));

  it("never combines CloudFront Functions and Lambda@Edge on one behaviour's viewer events; the extra headers come from the response headers policy", () =>
    expectNoMixedViewerEvents(run));

  it("leaves the API's 404 bodies alone: the site's error document comes from origin-response, not a distribution-wide rule", () => expectSiteErrorsFromTheEdge(run));

  it("keeps Lambda@Edge logs 14 days in every edge region", () => expectEdgeLogRetention(run, 14, EDGE_LOG_REGIONS));

  it("redirects no host and keeps the whole stack out of search indexes", async () => {
    expect(functionCode(run, "edge-viewer-request")).not.toContain('"canonicalHost":');
    expect(await lambdaCode(run, "edge-origin-response-function")).toContain('noindexPrefixes:["/"]');
  });

  it("bakes the stack's user pool issuer into the auth check; on the CloudFront domain any client of that pool", async () => {
    const code = await lambdaCode(run, "edge-auth-function");
    expect(run.outputs.authIssuerUrl).toMatch(/^https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/.+/);
    expect(code.includes(`{issuer:"${run.outputs.authIssuerUrl}",clientId:null,`)).toBe(true);
  });
});
