/**
 * Route53AliasTargetHealth on the alias's hosted zone id (AliasTarget.HostedZoneId): an alias to an API Gateway
 * custom domain of the plan names that domain's own zone (regionalZoneId; v2: domainNameConfiguration.hostedZoneId),
 * an alias to a distribution of the plan Z2FDTNDATAQYW2. Route 53 refuses any other zone ("the alias target name does
 * not lie within the target zone").
 */
import { describe, expect, it } from "vitest";
import { RoutingPolicy } from "../../components/dns-routing";
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
    const broken = rezoned(rezoned(graph, "az-routing-a-uswest2", ZONE), "az-routing-aaaa-useast1", "/hostedzone/Z2OJLYMUO9EFXC");
    expect(findings(broken)).toEqual([
      ["aws:route53/record:Record az-routing-aaaa-useast1", expect.stringMatching(/under hosted zone \/hostedzone\/Z2OJLYMUO9EFXC, but that domain's zone is Z1UJRXOUMOOFQ8/), expect.any(String)],
      [
        "aws:route53/record:Record az-routing-a-uswest2",
        `aliases ${target.state.regionalDomainName}, the target of API Gateway domain api.example.com (az-usw2-domain), under hosted zone ${ZONE}, but that domain's zone is Z1UJRXOUMOOFQ8: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
        "set the alias zoneId to az-usw2-domain's regionalZoneId (ServerlessApi: customDomain.regionalZoneId, beside customDomain.regionalDomainName), not the record's own zone or another region's domain's",
      ],
    ]);
    // The same zone written with the /hostedzone/ prefix the API returns is the same zone.
    expect(findings(rezoned(graph, "az-routing-a-uswest2", "/hostedzone/Z1UJRXOUMOOFQ8"))).toEqual([]);
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
