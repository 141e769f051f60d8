/**
 * Switching a deployed StaticSite's `hosting` takes one `pulumi up` in either direction, with no window in which edge
 * locations get 403 for objects the site has. What makes it so is the order the engine runs the steps in: it
 * creates and updates a resource once everything it depends on is done ("The dependsOn option ensures that resource
 * creation, update, and deletion operations are executed in the correct order",
 * https://www.pulumi.com/docs/iac/concepts/resources/options/dependson/), and it deletes what the program no longer
 * has at the end. So the recorded dependencies of the target program are the update's order, and these tests pin it
 * (docs/deploy-guide.md, "Switching siteHosting", says why each step must come where it does).
 */
import { describe, expect, it } from "vitest";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { dependencyClosure, policyDocument, record, type RecordedResource } from "../harness/mocks";

const path = "tests/fixtures/site";
const site = (hosting: StaticSiteArgs["hosting"], args: Partial<StaticSiteArgs> = {}) => record(() => new StaticSite("site", { path, hosting, ...args }));
const named = (graph: RecordedResource[], name: string) => {
  const found = graph.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
  return found[0];
};

/**
 * The steps of `steps` (resource names) that do not wait for the step before them: empty when the engine can only run
 * them in this order, each once the one before is done.
 */
function unordered(graph: RecordedResource[], steps: string[]): string[] {
  return steps.slice(1).flatMap((step, i) => (dependencyClosure(graph, named(graph, step)).has(named(graph, steps[i]).urn) ? [] : [`${step} does not wait for ${steps[i]}`]));
}

/** What the update deletes at its end: the deployed resources the program no longer registers. */
const removed = (before: RecordedResource[], after: RecordedResource[]) => before.filter((r) => !after.some((a) => a.urn === r.urn)).map((r) => r.name).sort();

describe("StaticSite hosting s3-website → oac in one update", () => {
  it("moves the distribution to OAC while the website grants stand, then narrows the policy, then blocks public access", async () => {
    const before = await site("s3-website");
    const after = await site("oac");
    // The distribution's step waits for the OAC only, not for the public access block: it moves while the deployed
    // block is still open and the deployed policy still grants the Referer reads. It waits for CloudFront's Deployed
    // status (the default), so the next step starts once no edge location fetches from the website endpoint.
    expect(unordered(after, ["site-oac", "site-cdn", "site-bucket-policy", "site-bucket-access"])).toEqual([]);
    expect(named(after, "site-cdn").inputs.waitForDeployment).toBe(true);
    // While it deploys, edge locations already on the OAC origin read through the deployed policy's CloudFront grant
    // (this account's distributions), which the website policy keeps.
    const deployedPolicy = policyDocument(named(before, "site-bucket-policy").inputs.policy).Statement;
    expect(deployedPolicy.find((s) => s.Sid === "AllowCloudFrontRead")).toMatchObject({
      Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Condition: { StringEquals: { "AWS:SourceAccount": MOCK_ACCOUNT_ID } },
    });
    // Block and policy are updated in place (same URN, no delete-first replacement); only the website configuration and
    // the Referer secret are deleted, at the end.
    for (const name of ["site-bucket-access", "site-bucket-policy"]) {
      expect(named(after, name).urn, name).toBe(named(before, name).urn);
      expect(named(after, name).deleteBeforeReplace, name).toBe(false);
    }
    expect(removed(before, after)).toEqual(["site-referer", "site-website"]);
    expect(named(after, "site-bucket-access").inputs).toMatchObject({ blockPublicPolicy: true, restrictPublicBuckets: true });
  });

  it("keeps that order when the site also gains a replica region (an origin group) in the same update", async () => {
    const after = await site("oac", { replicaRegion: "us-west-2" });
    expect(unordered(after, ["site-oac", "site-cdn", "site-bucket-policy", "site-bucket-access"])).toEqual([]);
  });
});

describe("StaticSite hosting oac → s3-website in one update", () => {
  it("opens the block, then writes the website policy that keeps CloudFront's grant, then moves the distribution; deletes only the OAC and the folder-index function, at the end", async () => {
    const before = await site("oac");
    const after = await site("s3-website");
    // S3 refuses a public policy while the block blocks public policies, so the block opens first; the distribution
    // moves to the website endpoint once the Referer grant (and the website configuration) exist.
    expect(unordered(after, ["site-bucket-access", "site-bucket-policy", "site-cdn"])).toEqual([]);
    expect(unordered(after, ["site-website", "site-cdn"])).toEqual([]);
    // Edge locations still on the OAC origin read through the new policy's CloudFront grant until CloudFront has moved them.
    const policy = policyDocument(named(after, "site-bucket-policy").inputs.policy).Statement;
    expect(policy.find((s) => s.Sid === "AllowCloudFrontRead")).toMatchObject({ Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject" });
    // The website endpoint serves folder index documents itself (directoryIndex), so the function goes with the OAC.
    expect(removed(before, after)).toEqual(["site-idx", "site-oac"]);
  });
});
