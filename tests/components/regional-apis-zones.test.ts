/**
 * RegionalApis' alias records under the offline mocks: each region's domain answers API Gateway's hosted zone of its own
 * region (AWS General Reference, "Amazon API Gateway endpoints and quotas"), so each region's records name a different
 * zone, and a record that named a sibling region's (or one fixed) zone would show in the plan as it fails in AWS.
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { RoutingPolicy } from "../../components/dns-routing";
import { API_GATEWAY_REGIONAL_ZONE_IDS } from "../../components/dns-routing/api-gateway-zones";
import { RegionalApis } from "../../components/regional-apis";
import { apiGatewayRegionalZoneId } from "../../local/offline/mocks";
import { ofType, record } from "../harness/mocks";

describe("RegionalApis alias zones under the mocks", () => {
  it("names each region's own API Gateway zone in that region's alias records", async () => {
    const graph = await record(
      () =>
        new RegionalApis("zn", {
          regions: ["us-east-1", "us-west-2", "eu-west-1"],
          api: { stages: { prod: {} }, routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } } },
          domain: { name: "api.example.com", hostedZoneId: "Z0123456789EXAMPLE0000" },
          routing: { policy: RoutingPolicy.Latency },
        }),
    );
    const zones = Object.fromEntries(ofType(graph, "aws:apigateway/domainName:DomainName").map((d) => [d.name, d.state.regionalZoneId]));
    expect(zones).toEqual({ "zn-domain": "Z1UJRXOUMOOFQ8", "zn-usw2-domain": "Z2OJLYMUO9EFXC", "zn-euw1-domain": "ZLY8HYME6SFDD" });
    const aliasZones = Object.fromEntries(ofType(graph, "aws:route53/record:Record").filter((r) => r.inputs.aliases).map((r) => [r.name, r.inputs.aliases[0].zoneId]));
    expect(aliasZones).toEqual({
      "zn-routing-a-useast1": "Z1UJRXOUMOOFQ8",
      "zn-routing-aaaa-useast1": "Z1UJRXOUMOOFQ8",
      "zn-routing-a-uswest2": "Z2OJLYMUO9EFXC",
      "zn-routing-aaaa-uswest2": "Z2OJLYMUO9EFXC",
      "zn-routing-a-euwest1": "ZLY8HYME6SFDD",
      "zn-routing-aaaa-euwest1": "ZLY8HYME6SFDD",
    });
  });

  it("answers a v2 domain's domainNameConfiguration.hostedZoneId by its region, and an edge-optimized REST domain CloudFront's zone", async () => {
    const graph = await record(() => {
      new aws.apigatewayv2.DomainName("v2west", {
        domainName: "ws.example.com",
        region: "us-west-2",
        domainNameConfiguration: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/ws", endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
      });
      new aws.apigateway.DomainName("edge", { domainName: "edge.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/edge", endpointConfiguration: { types: "EDGE" } });
    });
    expect(ofType(graph, "aws:apigatewayv2/domainName:DomainName")[0].state.domainNameConfiguration).toMatchObject({ targetDomainName: expect.stringMatching(/\.execute-api\.us-west-2\.amazonaws\.com$/), hostedZoneId: "Z2OJLYMUO9EFXC" });
    const edge = ofType(graph, "aws:apigateway/domainName:DomainName")[0].state;
    expect(edge).toMatchObject({ cloudfrontDomainName: expect.stringMatching(/^d[0-9a-f]{8}\.cloudfront\.net$/), cloudfrontZoneId: "Z2FDTNDATAQYW2" });
    expect(edge.regionalDomainName).toBeUndefined();
  });

  it("gives a region missing from AWS's table a made-up zone of its own, never another region's", () => {
    const unlisted = ["xx-test-1", "xx-test-2"].map(apiGatewayRegionalZoneId);
    expect(unlisted[0]).toMatch(/^ZUNLISTEDAPIGW[0-9A-F]{8}$/);
    expect(unlisted[0]).not.toBe(unlisted[1]);
    expect(Object.values(API_GATEWAY_REGIONAL_ZONE_IDS)).not.toContain(unlisted[0]);
    expect(apiGatewayRegionalZoneId("us-east-2")).toBe("ZOJJZC49E0EPZ");
  });
});
