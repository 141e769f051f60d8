import { beforeAll, describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { expectEdgeAttached, functionCode, lambdaCode } from "./edge-checks";
import { runStack } from "./run-stack";

let run: OfflineRun;
beforeAll(async () => {
  run = await runStack("dev");
});

describe("dev stack edge logic", () => {
  it("attaches the edge functions to the site's behaviours", () => expectEdgeAttached(run));

  it("redirects no host, keeps the whole stack out of search indexes, and fails closed without a user pool", async () => {
    expect(functionCode(run, "edge-viewer-request")).not.toContain('"canonicalHost":');
    expect(await lambdaCode(run, "edge-origin-response-function")).toContain('noindexPrefixes:["/"]');
    expect(await lambdaCode(run, "edge-auth-function")).toContain("https://cognito-idp.us-east-1.amazonaws.com/unconfigured");
  });
});
