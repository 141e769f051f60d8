import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { EDGE_LOG_REGIONS } from "../../components/edge-logic";
import { expectEdgeAttached, expectEdgeLogRetention, expectEdgeRolesRetained, expectNoMixedViewerEvents, expectSiteErrorsFromTheEdge, functionCode, lambdaCode } from "./edge-checks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("prod");
});

describe("prod stack edge logic", () => {
  it("attaches the edge functions to the site's behaviours", () => expectEdgeAttached(run));

  it("keeps each Lambda@Edge function's role and policy with the function when it leaves the stack", () => expectEdgeRolesRetained(run));

  it("never combines CloudFront Functions and Lambda@Edge on one behaviour's viewer events; the extra headers come from the response headers policy", () =>
    expectNoMixedViewerEvents(run));

  it("leaves the API's 404 bodies alone: the site's error document comes from origin-response, not a distribution-wide rule", () => expectSiteErrorsFromTheEdge(run));

  it("keeps Lambda@Edge logs 365 days in every edge region", () => expectEdgeLogRetention(run, 365, EDGE_LOG_REGIONS));

  it("redirects other hosts to its domain and lets search engines index all but signed-in pages", async () => {
    expect(functionCode(run, "edge-viewer-request")).toContain('"canonicalHost":"gallery.example.com"');
    expect(await lambdaCode(run, "edge-origin-response-function")).toContain('noindexPrefixes:["/account/"]');
  });

  it("pins the auth check to the stack's user pool and app client (the custom domain breaks the client ← distribution cycle)", async () => {
    const code = await lambdaCode(run, "edge-auth-function");
    expect(code.includes(`{issuer:"${run.outputs.authIssuerUrl}",clientId:"${run.outputs.userPoolClientId}",`)).toBe(true);
  });
});
