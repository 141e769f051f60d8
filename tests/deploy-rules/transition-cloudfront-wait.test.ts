/**
 * TransitionCloudFrontDeletedWhileDeploying: an update that stops a distribution using a CloudFront Function, key value
 * store or origin access control deletes it at the end, right after UpdateDistribution returns. With the
 * distribution's `waitForDeployment: false` that is while CloudFront still deploys the old configuration, and
 * DeleteFunction is sent once (terraform-provider-aws function.go `resourceFunctionDelete`). StaticSite waits by
 * default; a program that opts out gets this finding.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { EdgeLogic, type EdgeLogicArgs } from "../../components/edge-logic";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import { record as recordProgram } from "../../testing/harness";
import { formatFinding } from "../../testing/deploy-rules";
import { rules, saved, transition } from "./fixture";

const FUNCTION = "aws:cloudfront/function:Function";
const STORE = "aws:cloudfront/keyValueStore:KeyValueStore";
const OAC = "aws:cloudfront/originAccessControl:OriginAccessControl";

const site = (args: Partial<StaticSiteArgs>) => recordProgram(() => new StaticSite("site", { path: "tests/fixtures/site", ...args }));
const edgeArgs: EdgeLogicArgs = {
  keyValueStore: { data: { "/about-us": "/about" } },
  functions: { redirects: { file: "handlers/edge/viewer-request.js", eventType: "viewer-request", keyValueStore: true, config: { cleanUrls: "html", redirects: true } } },
};
/** The app's `edgeEnabled`: EdgeLogic's functions on the site, or none. */
const app = (edgeEnabled: boolean, waitForDeployment?: boolean) =>
  recordProgram(() => {
    const edge = edgeEnabled ? new EdgeLogic("edge", edgeArgs) : undefined;
    new StaticSite("site", { path: "tests/fixtures/site", edge: edge?.associations, waitForDeployment });
  });

describe("TransitionCloudFrontDeletedWhileDeploying", () => {
  it("finds spa true → false with waitForDeployment false: the SPA function is deleted while edges still run it", async () => {
    const findings = transition(await site({ spa: true, waitForDeployment: false }), await site({ spa: false, waitForDeployment: false }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionCloudFrontDeletedWhileDeploying", `${FUNCTION} site-spa`]]);
    expect(findings[0].problem).toMatch(/distribution site-cdn/);
    expect(findings[0].problem).toMatch(/waitForDeployment: false/);
    expect(findings[0].problem).toMatch(/FunctionInUse/);
    expect(findings[0].fix).toMatch(/waitForDeployment/);
    expect(findings[0].fix).toMatch(/two updates/);
    // The same from the file npm run plan -- --save writes: it keeps every resource's dependencies.
    expect(rules(saved(await site({ spa: true, waitForDeployment: false })), await site({ spa: false, waitForDeployment: false })))
      .toEqual([["TransitionCloudFrontDeletedWhileDeploying", `${FUNCTION} site-spa`]]);
  });

  it("finds the delete in the update that also stops waiting (the deployed distribution waited)", async () => {
    expect(rules(await site({ spa: true }), await site({ spa: false, waitForDeployment: false }))).toEqual([["TransitionCloudFrontDeletedWhileDeploying", `${FUNCTION} site-spa`]]);
  });

  it("finds hosting oac → s3-website with waitForDeployment false: the folder-index function and the origin access control", async () => {
    expect(rules(await site({ waitForDeployment: false }), await site({ hosting: "s3-website", waitForDeployment: false })))
      .toEqual([["TransitionCloudFrontDeletedWhileDeploying", `${FUNCTION} site-idx`], ["TransitionCloudFrontDeletedWhileDeploying", `${OAC} site-oac`]]);
  });

  it("finds spa false → true with waitForDeployment false: the folder-index function, which the SPA fallback replaces", async () => {
    expect(rules(await site({ waitForDeployment: false }), await site({ spa: true, waitForDeployment: false })))
      .toEqual([["TransitionCloudFrontDeletedWhileDeploying", `${FUNCTION} site-idx`]]);
  });

  it("finds edgeEnabled true → false with waitForDeployment false: the function and the key value store it reads", async () => {
    expect(rules(await app(true, false), await app(false, false)).sort()).toEqual([
      ["TransitionCloudFrontDeletedWhileDeploying", `${FUNCTION} edge-redirects`],
      ["TransitionCloudFrontDeletedWhileDeploying", `${STORE} edge-kvs`],
    ]);
  });

  it("passes the same updates when the distribution waits for deployment (the default), or is told to in that update", async () => {
    expect(transition(await site({ spa: true }), await site({ spa: false })).map(formatFinding)).toEqual([]);
    expect(transition(await site({}), await site({ hosting: "s3-website" })).map(formatFinding)).toEqual([]);
    expect(transition(await app(true), await app(false)).map(formatFinding)).toEqual([]);
    expect(transition(await app(true, false), await app(false, true)).map(formatFinding)).toEqual([]);
  });
});
