/**
 * With hosting "s3-website" and both bucket names given nothing bounds StaticSite's component name (review 99 #6), and
 * CloudFront takes comments of at most 128 characters (CachePolicyConfig, ResponseHeadersPolicyConfig,
 * DistributionConfig), Route 53 set identifiers of at most 128: the component name is cut in those texts the way
 * components/names.ts fits names, and a name that fits leaves them as they were.
 */
import { describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { record, resource } from "../harness/mocks";

const path = "tests/fixtures/site";
const CLOUDFRONT = ["aws:cloudfront/cachePolicy:CachePolicy", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "aws:cloudfront/distribution:Distribution"];
const FUNCTION = "aws:cloudfront/function:Function";
const RECORD = "aws:route53/record:Record";
const site = (name: string, spa = false) =>
  record(() =>
    new StaticSite(name, {
      path,
      spa,
      hosting: "s3-website",
      bucketName: "m99-comments-site",
      logs: { bucketName: "m99-comments-logs" },
      domain: { name: "gallery.example.com", hostedZoneId: "Z0123456789EXAMPLE0000", failover: { domainName: "standby.example.net", hostedZoneId: "Z1UJRXOUMOOFQ8" } },
    }),
  );

describe("StaticSite: its CloudFront comments and Route 53 set identifiers fit, whatever the component name", () => {
  it("cuts a long component name in each comment to 128 characters, ending the cut name in its hash", async () => {
    const name = `site-${"x".repeat(130)}`;
    const graph = await site(name);
    for (const type of CLOUDFRONT) {
      for (const r of graph.filter((g) => g.type === type)) {
        expect(r.inputs.comment.length, type).toBeLessThanOrEqual(128);
        expect(r.inputs.comment, type).toMatch(/^site-x+-[0-9a-f]{8}[: ]/);
      }
    }
    const cachePolicy = graph.find((r) => r.type === CLOUDFRONT[0])!.inputs.comment;
    expect(cachePolicy).toMatch(/^site-x+-[0-9a-f]{8}: TTL from each object's Cache-Control$/);
    expect(cachePolicy).toHaveLength(128);
    const identifiers = graph.filter((r) => r.type === RECORD && r.inputs.setIdentifier).map((r) => r.inputs.setIdentifier as string);
    expect(identifiers).toHaveLength(4);
    for (const id of identifiers) expect(id.length).toBeLessThanOrEqual(128);
    // PRIMARY and SECONDARY of one name and type need identifiers of their own (Route 53 refuses a duplicate).
    const primaries = graph.filter((r) => r.type === RECORD && r.inputs.failoverRoutingPolicies?.[0]?.type === "PRIMARY").map((r) => r.inputs.setIdentifier as string);
    const secondaries = graph.filter((r) => r.type === RECORD && r.inputs.failoverRoutingPolicies?.[0]?.type === "SECONDARY").map((r) => r.inputs.setIdentifier as string);
    expect(primaries).toHaveLength(2);
    expect(secondaries).toHaveLength(2);
    for (const id of primaries) expect(id).toMatch(/^site-x+-[0-9a-f]{8}-primary$/);
    for (const id of secondaries) expect(id).toMatch(/^site-x+-[0-9a-f]{8}-secondary$/);
    expect(secondaries[0]).toHaveLength(128);
  });

  it("needs no cut in a CloudFront Function's comment: the function's name (at most 64) bounds the component name first", async () => {
    // review 104 F5.2: a long name with spa: true never reaches the function's comment; it is refused by the name.
    await expect(site(`site-${"x".repeat(130)}`, true)).rejects.toThrow(/makes the CloudFront Function name .* over CloudFront's 64\. Use a component name of at most 52 characters/);
    const longest = `site-${"x".repeat(47)}`;
    const comment = (await site(longest, true)).find((r) => r.type === FUNCTION)!.inputs.comment as string;
    expect(comment).toBe(`${longest}: single-page app fallback`);
    expect(comment.length).toBeLessThanOrEqual(128);
  });

  it("leaves the texts of a name that fits as they were", async () => {
    const graph = await site("web");
    expect(CLOUDFRONT.map((type) => graph.find((r) => r.type === type)!.inputs.comment)).toEqual(["web: TTL from each object's Cache-Control", "web: security headers", "web static site"]);
    expect((await site("spa", true)).find((r) => r.type === FUNCTION)!.inputs.comment).toBe("spa: single-page app fallback");
    expect(resource(graph, RECORD, "web-a-gallery.example.com").inputs.setIdentifier).toBe("web-primary");
    expect(resource(graph, RECORD, "web-a-gallery.example.com-secondary").inputs.setIdentifier).toBe("web-secondary");
  });
});
