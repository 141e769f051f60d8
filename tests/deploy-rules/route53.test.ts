/**
 * A failover PRIMARY whose only health signal would be an alias evaluating a CloudFront distribution: Route 53 refuses
 * that alias (Route53AliasTargetHealth) and, without it, the primary has no health signal (Route53FailoverPair). The
 * graph fails two rules, so it is checked here rather than as a one-rule fixture in fixtures.test.ts.
 */
import { describe, expect, it } from "vitest";
import { byName, mutate } from "../../testing/harness";
import { checkDeployRules, ROUTE53_ALIAS_IPV6_TARGET, ROUTE53_RECORD_OWNED_ONCE } from "../../testing/deploy-rules";
import { devContext, handBuilt, of, withInputs } from "./fixture";
import { domainSite } from "./fixtures/cloudfront";
import { cloudFrontPrimary } from "./fixtures/route53";

describe("Route 53 rules on a failover PRIMARY aliasing a CloudFront distribution with evaluateTargetHealth true", () => {
  it("do not count the alias as the primary's health signal, and refuse the alias itself", async () => {
    const findings = checkDeployRules(await cloudFrontPrimary(), devContext).map((f) => [f.rule, f.resource, f.problem]);
    expect(findings).toEqual([
      ["Route53AliasTargetHealth", "aws:route53/record:Record rx-routing-a-useast1", expect.stringMatching(/^aliases CloudFront distribution \S+ \(zone Z2FDTNDATAQYW2\) with evaluateTargetHealth true/)],
      [
        "Route53FailoverPair",
        "aws:route53/record:Record rx-routing-a-useast1",
        "is a PRIMARY failover record without a health check (and its alias targets a CloudFront distribution, whose health Route 53 does not evaluate), so it never fails over",
      ],
    ]);
  });
});

describe("Route53AliasTargetHealth on a CloudFront alias zone written with its /hostedzone/ prefix", () => {
  it("refuses evaluateTargetHealth there too", async () => {
    const prefixed = mutate(await cloudFrontPrimary(), byName("rx-routing-a-useast1"), (r) => withInputs(r, { aliases: r.inputs.aliases.map((a: Record<string, unknown>) => ({ ...a, zoneId: `/hostedzone/${String(a.zoneId)}` })) }));
    expect(checkDeployRules(prefixed, devContext).filter((f) => f.rule === "Route53AliasTargetHealth").map((f) => f.resource)).toEqual(["aws:route53/record:Record rx-routing-a-useast1"]);
  });
});

describe("Route53AliasIpv6Target on aliases to CloudFront distributions", () => {
  const ipv6Findings = async (graph: Parameters<typeof checkDeployRules>[0]) => checkDeployRules(graph, devContext, [ROUTE53_ALIAS_IPV6_TARGET]).map((f) => f.resource);
  const ipv6Off = async () => mutate(await domainSite(), of("aws:cloudfront/distribution:Distribution"), (d) => withInputs(d, { isIpv6Enabled: false }));

  it("passes StaticSite's AAAA alias to its own distribution, which has IPv6 on", async () => {
    expect(await ipv6Findings(await domainSite())).toEqual([]);
  });

  it("leaves A aliases to a distribution with IPv6 off alone: only the AAAA record gives IPv6 clients nothing", async () => {
    expect(await ipv6Findings(await ipv6Off())).toEqual(["aws:route53/record:Record c-aaaa-a.example.com"]);
  });

  it("does not judge a distribution outside the plan, nor a distribution's name under another alias zone", async () => {
    const graph = await ipv6Off();
    const distributionName = graph.find(of("aws:cloudfront/distribution:Distribution"))!.state.domainName;
    const elsewhere = mutate(graph, byName("c-aaaa-a.example.com"), (r) => withInputs(r, { aliases: [{ name: "d0000000000000.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }] }));
    expect(await ipv6Findings(elsewhere)).toEqual([]);
    const otherZone = handBuilt("aws:route53/record:Record", "other-zone-aaaa", { zoneId: "Z0123456789EXAMPLE0000", name: "b.example.com", type: "AAAA", aliases: [{ name: distributionName, zoneId: "Z0123456789EXAMPLE0000", evaluateTargetHealth: false }] });
    expect(await ipv6Findings([...graph.filter((r) => r.name !== "c-aaaa-a.example.com"), otherZone])).toEqual([]);
  });
});

describe("Route53RecordOwnedOnce on hosted zone ids", () => {
  const cname = (name: string, zoneId: string, recordName = "www.example.com") => handBuilt("aws:route53/record:Record", name, { zoneId, name: recordName, type: "CNAME", ttl: 300, records: ["origin.example.net"] });
  const owners = (graph: Parameters<typeof checkDeployRules>[0]) => checkDeployRules(graph, devContext, [ROUTE53_RECORD_OWNED_ONCE]).map((f) => [f.resource, f.problem.split(":")[0]]);

  it("reads /hostedzone/Z123 as Z123, as the provider does (it strips the prefix)", () => {
    expect(owners([cname("www", "Z123"), cname("www-prefixed", "/hostedzone/Z123")])).toEqual([["aws:route53/record:Record www-prefixed", "is the CNAME record www.example.com in zone /hostedzone/Z123, which www (urn"]]);
    expect(owners([cname("www", "Z123"), cname("www-other", "/hostedzone/Z456")])).toEqual([]);
  });

  it("finds the plan's zone under the prefixed id, so a name relative to it is completed", () => {
    const zone = handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "Z0FIXTUREZONE", state: { zoneId: "Z0FIXTUREZONE" } });
    expect(owners([zone, cname("www-full", "Z0FIXTUREZONE"), cname("www-short", "/hostedzone/Z0FIXTUREZONE", "www")]).map(([resource]) => resource)).toEqual(["aws:route53/record:Record www-short"]);
  });
});
