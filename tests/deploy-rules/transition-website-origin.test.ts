/**
 * TransitionWebsiteOriginClosedWhileDeploying: StaticSite switches hosting "s3-website" → "oac" in one update by
 * moving the distribution first and closing the bucket's website access after it (tests/components/
 * static-site-hosting-switch.test.ts). That order is only safe when the distribution step waits for CloudFront's
 * Deployed status: with `waitForDeployment: false` it returns while edge locations still fetch from the website
 * endpoint, and the steps after it take the Referer grant away and block public access under them.
 */
import { describe, expect, it } from "vitest";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import { record as recordProgram } from "../../testing/harness";
import { formatFinding } from "../../testing/deploy-rules";
import { rules, saved, transition } from "./fixture";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const OAC = "aws:cloudfront/originAccessControl:OriginAccessControl";
const site = (args: Partial<StaticSiteArgs>) => recordProgram(() => new StaticSite("site", { path: "tests/fixtures/site", ...args }));

describe("TransitionWebsiteOriginClosedWhileDeploying", () => {
  it("finds hosting s3-website → oac with waitForDeployment false: edges still on the website origin answer 403", async () => {
    const before = await site({ hosting: "s3-website", waitForDeployment: false });
    const after = await site({ hosting: "oac", waitForDeployment: false });
    const findings = transition(before, after);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionWebsiteOriginClosedWhileDeploying", `${DISTRIBUTION} site-cdn`]]);
    expect(findings[0].problem).toMatch(/website configuration site-website/);
    expect(findings[0].problem).toMatch(/waitForDeployment: false/);
    expect(findings[0].problem).toMatch(/403/);
    expect(findings[0].fix).toMatch(/waitForDeployment/);
    expect(findings[0].fix).toMatch(/second, later update/);
    // The same from the file npm run plan -- --save writes: it keeps every resource's dependencies.
    expect(rules(saved(before), after)).toEqual([["TransitionWebsiteOriginClosedWhileDeploying", `${DISTRIBUTION} site-cdn`]]);
  });

  it("finds the switch in the update that also stops waiting (the deployed distribution waited)", async () => {
    expect(rules(await site({ hosting: "s3-website" }), await site({ hosting: "oac", waitForDeployment: false }))).toEqual([["TransitionWebsiteOriginClosedWhileDeploying", `${DISTRIBUTION} site-cdn`]]);
  });

  it("passes the switch when the distribution waits (the default), or is told to in that update", async () => {
    expect(transition(await site({ hosting: "s3-website" }), await site({ hosting: "oac" })).map(formatFinding)).toEqual([]);
    expect(transition(await site({ hosting: "s3-website", waitForDeployment: false }), await site({ hosting: "oac" })).map(formatFinding)).toEqual([]);
  });

  it("passes oac → s3-website without waiting as far as 403s go (the kept CloudFront grant serves the OAC edges): only the deletes of the OAC and the folder-index function are reported", async () => {
    expect(rules(await site({ waitForDeployment: false }), await site({ hosting: "s3-website", waitForDeployment: false })))
      .toEqual([["TransitionCloudFrontDeletedWhileDeploying", `aws:cloudfront/function:Function site-idx`], ["TransitionCloudFrontDeletedWhileDeploying", `${OAC} site-oac`]]);
  });

  it("passes a website site that stays on its website origin without waiting", async () => {
    expect(transition(await site({ hosting: "s3-website", waitForDeployment: false }), await site({ hosting: "s3-website", waitForDeployment: false, spa: true })).map(formatFinding)).toEqual([]);
  });
});
