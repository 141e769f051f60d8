/**
 * Route53AliasTargetHealth on the alias's hosted zone id (AliasTarget.HostedZoneId): an alias to an API Gateway
 * custom domain of the plan names that domain's own zone (regionalZoneId; v2: domainNameConfiguration.hostedZoneId),
 * an alias to a distribution of the plan Z2FDTNDATAQYW2. Route 53 refuses any other zone ("the alias target name does
 * not lie within the target zone").
 */
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { RoutingPolicy } from "../../components/dns-routing";
import { aliasTargetZone, CLOUDFRONT_ALIAS_ZONE_ID } from "../../components/dns-routing/spec";
import { RegionalApis } from "../../components/regional-apis";
import { byName, mutate, record } from "../../testing/harness";
import { checkDeployRules, ROUTE53_ALIAS_TARGET_HEALTH } from "../../testing/deploy-rules";
import { devContext, handBuilt, of, withInputs } from "./fixture";
import { domainSite } from "./fixtures/cloudfront";
import { realtimeOnDomain } from "./fixtures/route53";

const ZONE = "Z0123456789EXAMPLE0000";
const regional = () =>
  record(
    () =>
      new RegionalApis("az", {
        regions: ["us-east-1", "us-west-2"],
        api: { basePath: "api", stages: { prod: {} }, routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } } },
        domain: { name: "api.example.com", hostedZoneId: ZONE },
        routing: { policy: RoutingPolicy.Latency },
      }),
  );
type Graph = Parameters<typeof checkDeployRules>[0];
const findings = (graph: Graph) => checkDeployRules(graph, devContext, [ROUTE53_ALIAS_TARGET_HEALTH]).map((f) => [f.resource, f.problem, f.fix]);
/** The record's alias with another zone id. */
const rezoned = (graph: Graph, name: string, zoneId: string) => mutate(graph, byName(name), (r) => withInputs(r, { aliases: [{ ...r.inputs.aliases[0], zoneId }] }));

describe("Route53AliasTargetHealth on alias hosted zone ids", () => {
  it("passes RegionalApis' routing records and StaticSite's records as the components write them", async () => {
    expect(findings(await regional())).toEqual([]);
    expect(findings(await domainSite())).toEqual([]);
  });

  it("fails an alias to a regional API domain under the record's own zone, or under another zone (us-west-2's API Gateway zone), naming the domain's", async () => {
    const graph = await regional();
    const target = graph.find((r) => r.name === "az-usw2-domain")!;
    // The mocks answer each region's own API Gateway zone (AWS General Reference): us-west-2's is Z2OJLYMUO9EFXC.
    expect(target.state.regionalZoneId).toBe("Z2OJLYMUO9EFXC");
    const broken = rezoned(rezoned(graph, "az-routing-a-uswest2", ZONE), "az-routing-aaaa-useast1", "/hostedzone/Z2OJLYMUO9EFXC");
    expect(findings(broken)).toEqual([
      ["aws:route53/record:Record az-routing-aaaa-useast1", expect.stringMatching(/under hosted zone \/hostedzone\/Z2OJLYMUO9EFXC, but that domain's zone is Z1UJRXOUMOOFQ8/), expect.any(String)],
      [
        "aws:route53/record:Record az-routing-a-uswest2",
        `aliases ${target.state.regionalDomainName}, the target of API Gateway domain api.example.com (az-usw2-domain), under hosted zone ${ZONE}, but that domain's zone is Z2OJLYMUO9EFXC: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
        "set the alias zoneId to az-usw2-domain's regionalZoneId (ServerlessApi: customDomain.regionalZoneId, beside customDomain.regionalDomainName), not the record's own zone or another region's domain's",
      ],
    ]);
    // The same zone written with the /hostedzone/ prefix the API returns is the same zone.
    expect(findings(rezoned(graph, "az-routing-a-uswest2", "/hostedzone/Z2OJLYMUO9EFXC"))).toEqual([]);
  });

  it("fails a us-west-2 alias copied from the us-east-1 record: the sibling domain's regionalZoneId is another region's zone", async () => {
    const graph = await regional();
    const east = graph.find((r) => r.name === "az-domain")!;
    const west = graph.find((r) => r.name === "az-usw2-domain")!;
    expect(east.state.regionalZoneId).not.toBe(west.state.regionalZoneId);
    expect(findings(rezoned(graph, "az-routing-a-uswest2", east.state.regionalZoneId))).toEqual([
      [
        "aws:route53/record:Record az-routing-a-uswest2",
        `aliases ${west.state.regionalDomainName}, the target of API Gateway domain api.example.com (az-usw2-domain), under hosted zone Z1UJRXOUMOOFQ8, but that domain's zone is Z2OJLYMUO9EFXC: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
        expect.any(String),
      ],
    ]);
  });

  it("fails an alias to an execute-api target outside the plan under another zone than its region's, and leaves other targets alone", () => {
    const alias = (logical: string, name: unknown, zoneId: unknown) =>
      handBuilt("aws:route53/record:Record", logical, { zoneId: ZONE, name: `${logical}.example.com`, type: "A", aliases: [{ name, zoneId, evaluateTargetHealth: false }] });
    const west = "d-abc123defg.execute-api.us-west-2.amazonaws.com";
    expect(
      findings([
        alias("copied", west, "Z1UJRXOUMOOFQ8"),
        alias("own-zone", `${west.toUpperCase()}.`, ZONE),
        alias("right", west, "Z2OJLYMUO9EFXC"),
        alias("prefixed", west, "/hostedzone/Z2OJLYMUO9EFXC"),
        // ap-northeast-3: the copies of AWS's table disagree, so it is not checked.
        alias("unlisted", "d-abc123defg.execute-api.ap-northeast-3.amazonaws.com", "Z0000000000000000000"),
        alias("unknown-zone", west, undefined),
        alias("unknown-name", undefined, "Z1UJRXOUMOOFQ8"),
        alias("s3-website", "s3-website-us-west-2.amazonaws.com", "Z3BJ6K6RIION7M"),
        alias("elb", "my-lb-1234567890.us-west-2.elb.amazonaws.com", "Z1H1FL5HABSF5"),
        alias("in-zone", "www.example.com", ZONE),
        alias("cloudfront", "d111111abcdef8.cloudfront.net", "Z2FDTNDATAQYW2"),
        alias("private-api", "vpce-0123456789abcdef0-abcdefgh.execute-api.us-west-2.vpce.amazonaws.com", "Z1YPZ5EXAMPLE"),
      ]).map(([resource, problem]) => [resource, problem]),
    ).toEqual([
      [
        "aws:route53/record:Record copied",
        `aliases ${west}, an API Gateway regional target in us-west-2, under hosted zone Z1UJRXOUMOOFQ8, but API Gateway's zone in us-west-2 is Z2OJLYMUO9EFXC (AWS General Reference, Amazon API Gateway endpoints and quotas): Route 53 refuses it ("the alias target name does not lie within the target zone")`,
      ],
      ["aws:route53/record:Record own-zone", expect.stringMatching(/under hosted zone Z0123456789EXAMPLE0000, but API Gateway's zone in us-west-2 is Z2OJLYMUO9EFXC/)],
    ]);
  });

  it("fails an execute-api target of a region two named copies of AWS's table agree on (eu-north-1, us-gov-west-1, me-central-1) under another zone", () => {
    const alias = (logical: string, name: string, zoneId: string) =>
      handBuilt("aws:route53/record:Record", logical, { zoneId: ZONE, name: `${logical}.example.com`, type: "A", aliases: [{ name, zoneId, evaluateTargetHealth: false }] });
    const target = (region: string) => `d-abc123defg.execute-api.${region}.amazonaws.com`;
    expect(
      findings([
        alias("stockholm", target("eu-north-1"), "Z1UJRXOUMOOFQ8"),
        alias("govwest", target("us-gov-west-1"), "Z3SE9ATJYCRCZJ"),
        alias("uae", target("me-central-1"), "Z08780021BKYYY8U0YHTV"),
        // Regions only one named copy has stay unjudged.
        alias("spain", target("eu-south-2"), "Z1UJRXOUMOOFQ8"),
      ]).map(([resource, problem]) => [resource, problem]),
    ).toEqual([
      ["aws:route53/record:Record stockholm", expect.stringMatching(/, an API Gateway regional target in eu-north-1, under hosted zone Z1UJRXOUMOOFQ8, but API Gateway's zone in eu-north-1 is Z3UWIKFBOOGXPP /)],
      ["aws:route53/record:Record govwest", expect.stringMatching(/under hosted zone Z3SE9ATJYCRCZJ, but API Gateway's zone in us-gov-west-1 is Z1K6XKP9SAGWDV /)],
    ]);
  });

  it("fails an alias to a *.cloudfront.net name outside the plan under another zone than Z2FDTNDATAQYW2, as DnsRouting refuses it at construction", () => {
    // A distribution (or an edge-optimized API domain) another stack created: its name shows its zone, the one every
    // distribution has (AliasTarget, HostedZoneId: "CloudFront distribution: Specify Z2FDTNDATAQYW2").
    const alias = (logical: string, name: string, zoneId: string) =>
      handBuilt("aws:route53/record:Record", logical, { zoneId: ZONE, name: `${logical}.example.com`, type: "A", aliases: [{ name, zoneId, evaluateTargetHealth: false }] });
    const elsewhere = "d2222222abcdef8.cloudfront.net";
    expect(aliasTargetZone(elsewhere)?.zoneId).toBe(CLOUDFRONT_ALIAS_ZONE_ID);
    expect(CLOUDFRONT_ALIAS_ZONE_ID).toBe("Z2FDTNDATAQYW2");
    expect(findings([alias("copied", elsewhere, "Z1UJRXOUMOOFQ8"), alias("own-zone", `${elsewhere.toUpperCase()}.`, ZONE), alias("right", elsewhere, "Z2FDTNDATAQYW2"), alias("prefixed", elsewhere, "/hostedzone/Z2FDTNDATAQYW2")])).toEqual([
      [
        "aws:route53/record:Record copied",
        `aliases ${elsewhere}, a CloudFront distribution's name, under hosted zone Z1UJRXOUMOOFQ8, but every distribution's alias zone is Z2FDTNDATAQYW2: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
        "set the alias zoneId to the distribution's hostedZoneId (Z2FDTNDATAQYW2), or an edge-optimized API domain's cloudfrontZoneId (the same zone)",
      ],
      ["aws:route53/record:Record own-zone", expect.stringMatching(/^aliases D2222222ABCDEF8\.CLOUDFRONT\.NET\., a CloudFront distribution's name, under hosted zone Z0123456789EXAMPLE0000, but every distribution's alias zone is Z2FDTNDATAQYW2/), expect.any(String)],
    ]);
  });

  it("passes an alias to an edge-optimized REST domain under its cloudfrontZoneId, and fails it under a regional zone", async () => {
    const graph = await record(
      () =>
        new aws.apigateway.DomainName("edge", { domainName: "edge.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/edge", endpointConfiguration: { types: "EDGE" } }),
    );
    const domain = graph.find(of("aws:apigateway/domainName:DomainName"))!;
    expect(domain.state.cloudfrontZoneId).toBe("Z2FDTNDATAQYW2");
    expect(domain.state.regionalZoneId).toBeUndefined();
    const alias = (zoneId: string) => handBuilt("aws:route53/record:Record", "edge-a", { zoneId: ZONE, name: "edge.example.com", type: "A", aliases: [{ name: domain.state.cloudfrontDomainName, zoneId, evaluateTargetHealth: false }] });
    expect(findings([...graph, alias("Z2FDTNDATAQYW2")])).toEqual([]);
    expect(findings([...graph, alias("Z1UJRXOUMOOFQ8")])).toEqual([
      [
        "aws:route53/record:Record edge-a",
        `aliases ${domain.state.cloudfrontDomainName}, the target of edge-optimized API Gateway domain edge.example.com (edge), under hosted zone Z1UJRXOUMOOFQ8, but an edge-optimized domain's zone is its cloudfrontZoneId Z2FDTNDATAQYW2: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
        "set the alias zoneId to edge's cloudfrontZoneId (Z2FDTNDATAQYW2), not a regional API Gateway zone or the record's own zone",
      ],
    ]);
  });

  it("fails an alias to an HTTP or WebSocket (v2) domain under another zone than its domainNameConfiguration.hostedZoneId", async () => {
    const graph = await realtimeOnDomain("arn:aws:acm:us-east-1:123456789012:certificate/live");
    const domain = graph.find(of("aws:apigatewayv2/domainName:DomainName"))!;
    const target = domain.state.domainNameConfiguration.targetDomainName;
    const alias = (zoneId: string) => handBuilt("aws:route53/record:Record", "live-a", { zoneId: ZONE, name: "live.example.com", type: "A", aliases: [{ name: target, zoneId, evaluateTargetHealth: false }] });
    expect(findings([...graph, alias(domain.state.domainNameConfiguration.hostedZoneId)])).toEqual([]);
    expect(findings([...graph, alias(ZONE)]).map(([resource, problem]) => [resource, problem])).toEqual([
      ["aws:route53/record:Record live-a", expect.stringMatching(/^aliases \S+, the target of API Gateway domain live\.example\.com \(rd-domain\), under hosted zone Z0123456789EXAMPLE0000, but that domain's zone is Z1UJRXOUMOOFQ8/)],
    ]);
  });

  it("fails an alias to a distribution of the plan under a zone other than Z2FDTNDATAQYW2", async () => {
    const graph = await domainSite();
    const aliased = graph.filter(of("aws:route53/record:Record")).filter((r) => r.inputs.aliases?.[0]?.zoneId === "Z2FDTNDATAQYW2");
    expect(aliased.length).toBeGreaterThan(0);
    const broken = rezoned(graph, aliased[0].name, aliased[0].inputs.zoneId);
    expect(findings(broken)).toEqual([
      [
        `aws:route53/record:Record ${aliased[0].name}`,
        expect.stringMatching(/^aliases \S+, the domain name of CloudFront distribution \S+, under hosted zone \S+, but every distribution's alias zone is Z2FDTNDATAQYW2: Route 53 refuses it/),
        "set the alias zoneId to the distribution's hostedZoneId (Z2FDTNDATAQYW2)",
      ],
    ]);
  });
});
