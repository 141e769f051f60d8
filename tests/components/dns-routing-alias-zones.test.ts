/**
 * DnsRouting refuses, at construction, an alias whose target name shows its hosted zone (an API Gateway regional
 * domain's `d-….execute-api.<region>.amazonaws.com`, a `*.cloudfront.net` distribution) under another zone id, which
 * Route 53 refuses at `pulumi up` ("the alias target name does not lie within the target zone"); the same zones the
 * deploy rule Route53AliasTargetHealth holds a plan to.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { DnsRouting, FailoverRole, RoutingPolicy, type DnsRoutingArgs, type DnsRoutingRecord } from "../../components/dns-routing";
import { API_GATEWAY_REGIONAL_ZONE_IDS, API_GATEWAY_REGIONAL_ZONE_IDS_UNCONFIRMED } from "../../components/dns-routing/api-gateway-zones";
import { checkDeployRules } from "../../testing/deploy-rules";
import { record, resource } from "../harness/mocks";
import { refusalOf } from "../harness/refusals";

const base = { zoneId: "Z0123456789EXAMPLE0000", name: "api.gallery.example.com" };
const health = { fqdn: "abc123.execute-api.us-east-1.amazonaws.com", path: "/prod/api/health" };
const east = (target: DnsRoutingRecord["target"]): DnsRoutingRecord => ({ id: "us-east-1", region: "us-east-1", target, healthCheck: health });
const west = (target: DnsRoutingRecord["target"]): DnsRoutingRecord => ({ id: "us-west-2", region: "us-west-2", target, healthCheck: health });
const latency = (records: DnsRoutingRecord[]): DnsRoutingArgs => ({ ...base, policy: RoutingPolicy.Latency, records });
const site = (target: DnsRoutingRecord["target"]): DnsRoutingArgs => ({
  ...base,
  policy: RoutingPolicy.Failover,
  ipv6: false,
  records: [
    { ...east({ name: "d-east.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" }), region: undefined, failover: FailoverRole.Primary },
    { id: "site", failover: FailoverRole.Secondary, target },
  ],
});

describe("DnsRouting alias target zones", () => {
  it("refuses an API Gateway regional target under another region's zone, naming the argument, the value and that region's zone", () => {
    // us-west-2's target under us-east-1's zone: copied from the sibling domain.
    const args = latency([east({ name: "d-east.execute-api.us-east-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" }), west({ name: "d-west.execute-api.us-west-2.amazonaws.com.", zoneId: "Z1UJRXOUMOOFQ8" })]);
    const fix = "Set it to Z2OJLYMUO9EFXC, the regionalZoneId of the domain whose target this is (ServerlessApi: customDomain.regionalZoneId, beside customDomain.regionalDomainName), not a sibling region's domain's, nor the record's own zone.";
    expect(refusalOf(() => new DnsRouting("lat", args), "took us-east-1's zone for a us-west-2 target")).toMatchObject({
      component: "DnsRouting",
      resourceName: "lat",
      argument: "records[1].target.zoneId",
      value: "Z1UJRXOUMOOFQ8",
      fix,
      message:
        `DnsRouting "lat": records[1].target.zoneId "Z1UJRXOUMOOFQ8" is not the hosted zone of the alias target d-west.execute-api.us-west-2.amazonaws.com., an API Gateway regional target in us-west-2: API Gateway's zone in us-west-2 is Z2OJLYMUO9EFXC (AWS General Reference, Amazon API Gateway endpoints and quotas), and ` +
        `Route 53 refuses the record ("the alias target name does not lie within the target zone"). ${fix}`,
    });
  });

  it("refuses a target in a region the named copies of AWS's table agree on beyond the first 15 (af-south-1) under another region's zone", () => {
    const refusal = refusalOf(
      () => new DnsRouting("cpt", latency([{ ...east({ name: "d-cpt.execute-api.af-south-1.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" }), id: "af-south-1", region: "af-south-1" }])),
      "took us-east-1's zone for an af-south-1 target",
    );
    expect(refusal).toMatchObject({ argument: "records[0].target.zoneId", value: "Z1UJRXOUMOOFQ8" });
    expect(refusal.fix).toMatch(/^Set it to Z2DHW2332DAMTN,/);
  });

  it("keeps the confirmed and the unconfirmed regions apart: a region is judged from one table or mocked from the other, never both", () => {
    const confirmed = Object.keys(API_GATEWAY_REGIONAL_ZONE_IDS);
    expect(confirmed).toHaveLength(23);
    expect(Object.keys(API_GATEWAY_REGIONAL_ZONE_IDS_UNCONFIRMED).filter((region) => confirmed.includes(region))).toEqual([]);
    // Every zone belongs to one region.
    const zones = [...Object.values(API_GATEWAY_REGIONAL_ZONE_IDS), ...Object.values(API_GATEWAY_REGIONAL_ZONE_IDS_UNCONFIRMED)];
    expect(new Set(zones).size).toBe(zones.length);
  });

  it("refuses a regional target under the record's own zone", () => {
    const refusal = refusalOf(() => new DnsRouting("own", latency([east({ name: "d-east.execute-api.us-east-1.amazonaws.com", zoneId: base.zoneId })])), "took the record's own zone");
    expect(refusal).toMatchObject({ argument: "records[0].target.zoneId", value: base.zoneId });
    expect(refusal.fix).toMatch(/^Set it to Z1UJRXOUMOOFQ8,/);
  });

  it("refuses a CloudFront distribution's name under an API Gateway zone", () => {
    expect(refusalOf(() => new DnsRouting("tosite", site({ name: "d111111abcdef8.cloudfront.net", zoneId: "Z1UJRXOUMOOFQ8" })), "took an API Gateway zone for a distribution")).toMatchObject({
      component: "DnsRouting",
      resourceName: "tosite",
      argument: "records[1].target.zoneId",
      value: "Z1UJRXOUMOOFQ8",
      fix: "Set it to the distribution's hostedZoneId (Z2FDTNDATAQYW2), or an edge-optimized API domain's cloudfrontZoneId (the same zone).",
      message: expect.stringMatching(/^DnsRouting "tosite": records\[1\]\.target\.zoneId "Z1UJRXOUMOOFQ8" is not the hosted zone of the alias target d111111abcdef8\.cloudfront\.net, a CloudFront distribution's name: every distribution's alias zone is Z2FDTNDATAQYW2, and Route 53 refuses the record/),
    });
  });

  it("reads a /hostedzone/ prefixed Z2FDTNDATAQYW2 as a distribution's zone: evaluateTargetHealth true is refused, as without the prefix", () => {
    const args = { ...site({ name: "d111111abcdef8.cloudfront.net", zoneId: "/hostedzone/Z2FDTNDATAQYW2" }), evaluateTargetHealth: true };
    expect(refusalOf(() => new DnsRouting("tosite", args), "took evaluateTargetHealth for a prefixed CloudFront zone")).toMatchObject({ argument: "evaluateTargetHealth", value: true });
  });

  it("takes the right zones, with or without the /hostedzone/ prefix, and leaves Outputs, other names and unconfirmed regions to the plan", async () => {
    const graph = await record(() => {
      new DnsRouting("lat", latency([east({ name: "D-EAST.execute-api.us-east-1.amazonaws.com", zoneId: "/hostedzone/Z1UJRXOUMOOFQ8" }), west({ name: "d-west.execute-api.us-west-2.amazonaws.com", zoneId: "Z2OJLYMUO9EFXC" })]));
      new DnsRouting("tosite", site({ name: "d111111abcdef8.cloudfront.net", zoneId: "/hostedzone/Z2FDTNDATAQYW2" }));
      // Not checked at construction: an Output zone id, a load balancer, a region outside the confirmed table.
      new DnsRouting("out", latency([east({ name: "d-east.execute-api.us-east-1.amazonaws.com", zoneId: pulumi.output("Z1UJRXOUMOOFQ8") })]));
      new DnsRouting("alb", latency([east({ name: "my-alb-123.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K" })]));
      new DnsRouting("osaka", latency([{ ...east({ name: "d-x.execute-api.ap-northeast-3.amazonaws.com", zoneId: "Z2YQB5RD63NC85" }), id: "osaka", region: "ap-northeast-3" }]));
    });
    expect(resource(graph, "aws:route53/record:Record", "lat-a-useast1").inputs.aliases[0].zoneId).toBe("/hostedzone/Z1UJRXOUMOOFQ8");
    expect(checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" }).filter((f) => f.rule === "Route53AliasTargetHealth")).toEqual([]);
  });
});
