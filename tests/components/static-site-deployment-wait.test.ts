/**
 * StaticSite's distribution waits for CloudFront to deploy each change (`waitForDeployment`, default true), so the
 * CloudFront Functions, key value stores and origin access control an update stops using are deleted only once no
 * edge location runs the old configuration; and the site bucket keeps CloudFront's OAC grant in website hosting too,
 * so hosting "oac" → "s3-website" has no window in which edges still on OAC are refused.
 */
import { describe, expect, it } from "vitest";
import { StaticSite, type StaticSiteArgs } from "../../components/static-site";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { dependencyClosure, policyDocument, record, resource, type RecordedResource } from "../harness/mocks";

const path = "tests/fixtures/site";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const PUBLISHER = "pulumi-nodejs:dynamic/serverless-fullstack:SitePublisher";

async function build(name: string, args: Partial<StaticSiteArgs> = {}) {
  const graph = await record(() => new StaticSite(name, { path, ...args }));
  return { graph, distribution: resource(graph, DISTRIBUTION, `${name}-cdn`), policy: resource(graph, POLICY, `${name}-bucket-policy`) };
}

describe("StaticSite waitForDeployment", () => {
  it("waits for CloudFront to deploy every change by default", async () => {
    const { distribution } = await build("waits");
    expect(distribution.inputs.waitForDeployment).toBe(true);
  });

  it("returns as soon as CloudFront accepts the change when the program opts out", async () => {
    const { distribution } = await build("nowait", { waitForDeployment: false });
    expect(distribution.inputs.waitForDeployment).toBe(false);
  });

  it("refuses a value that is not a boolean, naming the argument", async () => {
    await expect(build("badwait", { waitForDeployment: "no" as unknown as boolean })).rejects.toThrow(/StaticSite "badwait".*waitForDeployment/s);
  });
});

describe("StaticSite website hosting keeps CloudFront's OAC grant", () => {
  it("grants the account's CloudFront distributions GetObject (not ListBucket: the keys stay unlisted) beside the Referer grant, written before the distribution", async () => {
    const { graph, distribution, policy } = await build("webgrant", { hosting: "s3-website" });
    const site = resource(graph, "aws:s3/bucket:Bucket", "webgrant-bucket");
    const statements = policyDocument(policy.inputs.policy).Statement;
    const fromThisAccount = { StringEquals: { "AWS:SourceAccount": MOCK_ACCOUNT_ID } };
    expect(statements.find((s) => s.Sid === "AllowCloudFrontRead")).toMatchObject({
      Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: `${site.state.arn}/*`, Condition: fromThisAccount,
    });
    expect(statements.some((s) => [s.Action].flat().includes("s3:ListBucket"))).toBe(false);
    expect(statements.find((s) => s.Sid === "AllowCloudFrontWebsiteRead")).toBeDefined();
    // The Referer grant must be in place before the distribution moves to the website origin.
    expect(distribution.dependencies).toContain(policy.urn);
  });
});

describe("StaticSite uploads do not wait for CloudFront", () => {
  /** The names of what the site's publisher waits for before its first upload (the engine's order, dependencyClosure). */
  const uploadsWaitFor = (graph: RecordedResource[], name: string) => {
    const waits = dependencyClosure(graph, resource(graph, PUBLISHER, `${name}-publish`));
    return graph.filter((r) => waits.has(r.urn)).map((r) => r.name);
  };

  it("oac with publish.invalidate false: uploads start once the bucket and its logging exist, not after the distribution has deployed and the block closed", async () => {
    const { graph } = await build("quick", { publish: { invalidate: false } });
    const waits = uploadsWaitFor(graph, "quick");
    expect(waits).toEqual(expect.arrayContaining(["quick-bucket", "quick-bucket-logging"]));
    // The distribution waits for CloudFront's Deployed status (5–15 minutes on a first deploy); the OAC policy names its
    // ARN and the public access block closes after that policy. The bucket is private throughout, so uploads need none of them.
    expect(waits).not.toContain("quick-cdn");
    expect(waits).not.toContain("quick-bucket-policy");
    expect(waits).not.toContain("quick-bucket-access");
  });

  it("oac with a replica: uploads wait for the replication configuration, so the first deploy's objects reach the replica", async () => {
    const { graph } = await build("copied", { publish: { invalidate: false }, replicaRegion: "us-west-2" });
    const waits = uploadsWaitFor(graph, "copied");
    expect(waits).toContain("copied-bucket-replication");
    expect(waits).not.toContain("copied-cdn");
  });

  it("invalidating (the default), the publisher waits for the distribution, whose id the invalidation needs", async () => {
    const { graph } = await build("fresh");
    expect(uploadsWaitFor(graph, "fresh")).toContain("fresh-cdn");
  });
});
