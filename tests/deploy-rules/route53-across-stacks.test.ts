/**
 * Route53RecordOwnedOnceAcrossStacks and Route53RoutingPolicyAcrossStacks (their failing fixtures are in
 * fixtures/route53.ts): what two stacks may write into one hosted zone, what they may not, and a StaticSite per stack
 * as users build it.
 */
import { describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { checkProjectDeployRules, ROUTE53_RECORD_OWNED_ONCE_ACROSS_STACKS, ROUTE53_ROUTING_POLICY_ACROSS_STACKS, type DeployRuleContext, type StackPlan } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import type { RecordedResource } from "../../local/offline/mocks";
import { devContext, handBuilt } from "./fixture";

const RECORD = "aws:route53/record:Record";
const prod: DeployRuleContext = { ...devContext, stack: "prod", production: true };
const staging: DeployRuleContext = { ...devContext, stack: "staging" };
const a = (name: string, inputs: Record<string, any>) => handBuilt(RECORD, name, { zoneId: "Z123", type: "A", ttl: 300, records: ["192.0.2.1"], ...inputs });
const findings = (stacks: StackPlan[]) => checkProjectDeployRules(stacks, [ROUTE53_RECORD_OWNED_ONCE_ACROSS_STACKS]).map((f) => `${f.stack} ${f.resource}`);
const twoStacks = (prodGraph: RecordedResource[], stagingGraph: RecordedResource[]) => findings([{ graph: prodGraph, context: prod }, { graph: stagingGraph, context: staging }]);

describe("Route53RecordOwnedOnceAcrossStacks", () => {
  it("passes stacks writing their own names, or one name with other types, into one zone", () => {
    expect(twoStacks([a("site", { name: "gallery.example.com" })], [a("site", { name: "staging.gallery.example.com" })])).toEqual([]);
    expect(twoStacks([a("site", { name: "gallery.example.com" })], [a("site", { name: "gallery.example.com", type: "AAAA", records: ["2001:db8::1"] })])).toEqual([]);
  });

  it("passes one name in two zones the stacks are given (Z123 and Z456)", () => {
    expect(twoStacks([a("site", { name: "gallery.example.com" })], [a("site", { name: "gallery.example.com", zoneId: "Z456" })])).toEqual([]);
  });

  it("reports one name spelled in capitals with the trailing dot in the other stack, and whatever the accounts", () => {
    const stacks = [
      { graph: [a("site", { name: "gallery.example.com" })], context: { ...prod, account: "123456789012" } },
      { graph: [a("www", { name: "GALLERY.example.com." })], context: { ...staging, account: "210987654321" } },
    ];
    expect(findings(stacks)).toEqual([`prod ${RECORD} site`, `staging ${RECORD} www`]);
  });

  it("reads a zone id written /hostedzone/Z123 in one stack as the other stack's Z123 (the provider strips the prefix)", () => {
    expect(twoStacks([a("site", { name: "gallery.example.com" })], [a("site", { name: "gallery.example.com", zoneId: "/hostedzone/Z123" })])).toEqual([`prod ${RECORD} site`, `staging ${RECORD} site`]);
    // The zone a stack creates is its own under either spelling of its id.
    const zone = () => handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "zone-3f2a9c1b", state: { name: "example.com", zoneId: "zone-3f2a9c1b" } });
    expect(twoStacks([zone(), a("site", { zoneId: "/hostedzone/zone-3f2a9c1b", name: "gallery" })], [zone(), a("site", { zoneId: "zone-3f2a9c1b", name: "gallery" })])).toEqual([]);
  });

  it("passes a latency record per stack with its own setIdentifier, and reports one setIdentifier in both", () => {
    const latency = (region: string, setIdentifier = region) => a(`api-${region}`, { name: "api.example.com", setIdentifier, latencyRoutingPolicies: [{ region }] });
    expect(twoStacks([latency("us-east-1")], [latency("us-west-2")])).toEqual([]);
    expect(twoStacks([latency("us-east-1")], [latency("us-west-2", "us-east-1")])).toEqual([`prod ${RECORD} api-us-east-1`, `staging ${RECORD} api-us-west-2`]);
  });

  it("passes a record in a zone each stack creates, though the mocks give both zones one id", () => {
    // CreateHostedZone makes a new zone (a new id) each time, so each stack's zone is its own.
    const zone = () => handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "zone-3f2a9c1b", state: { name: "example.com", zoneId: "zone-3f2a9c1b" } });
    const inOwnZone = () => [zone(), a("site", { zoneId: "zone-3f2a9c1b", name: "gallery" })];
    expect(twoStacks(inOwnZone(), inOwnZone())).toEqual([]);
  });

  it("passes records whose zone, name or type the plan does not know", () => {
    expect(twoStacks([a("site", { name: "gallery.example.com", zoneId: undefined })], [a("site", { name: "gallery.example.com", zoneId: undefined })])).toEqual([]);
  });

  it("leaves one stack's two records of one set to Route53RecordOwnedOnce, and names the other stack's records in each finding", () => {
    expect(findings([{ graph: [a("one", { name: "gallery.example.com" }), a("two", { name: "gallery.example.com" })], context: prod }])).toEqual([]);
    const all = checkProjectDeployRules(
      [
        { graph: [a("one", { name: "gallery.example.com" }), a("two", { name: "gallery.example.com" })], context: prod },
        { graph: [a("site", { name: "gallery.example.com" })], context: staging },
      ],
      [ROUTE53_RECORD_OWNED_ONCE_ACROSS_STACKS],
    );
    expect(all.map((f) => [f.stack, f.resource, f.problem.split("; Route 53 holds")[0]])).toEqual([
      ["prod", `${RECORD} one`, "writes the A record gallery.example.com in hosted zone Z123, as do staging: site"],
      ["prod", `${RECORD} two`, "writes the A record gallery.example.com in hosted zone Z123, as do staging: site"],
      ["staging", `${RECORD} site`, "writes the A record gallery.example.com in hosted zone Z123, as do prod: one, prod: two"],
    ]);
  });

  describe("on a StaticSite per stack in one zone", () => {
    const site = (domain: string) => record(() => new StaticSite("site", { path: "tests/fixtures/site", domain: { name: domain, hostedZoneId: "Z0123456789EXAMPLE0000" } }));

    it("passes prod on gallery.example.com beside staging on staging.gallery.example.com", async () => {
      expect(twoStacks(await site("gallery.example.com"), await site("staging.gallery.example.com"))).toEqual([]);
    });

    it("reports each record of a staging stack copied from prod's config: the A and AAAA aliases and the validation CNAME", async () => {
      const graph = await site("gallery.example.com");
      const records = graph.filter((r) => r.type === RECORD).map((r) => r.name);
      expect(records).toHaveLength(3);
      expect(twoStacks(graph, graph).sort()).toEqual([...records.map((name) => `prod ${RECORD} ${name}`), ...records.map((name) => `staging ${RECORD} ${name}`)].sort());
    });
  });
});

describe("Route53RoutingPolicyAcrossStacks", () => {
  const mixes = (stacks: StackPlan[]) => checkProjectDeployRules(stacks, [ROUTE53_ROUTING_POLICY_ACROSS_STACKS]).map((f) => `${f.stack} ${f.resource}`);
  const weighted = (name: string, setIdentifier: string, inputs: Record<string, any> = {}) => a(name, { name: "api.example.com", setIdentifier, weightedRoutingPolicies: [{ weight: 10 }], ...inputs });
  const simple = (name: string, inputs: Record<string, any> = {}) => a(name, { name: "api.example.com", ...inputs });
  const two = (prodGraph: RecordedResource[], stagingGraph: RecordedResource[]) => mixes([{ graph: prodGraph, context: prod }, { graph: stagingGraph, context: staging }]);

  it("passes weighted records of one name in both stacks, and a simple record of another name or type", () => {
    expect(two([weighted("api-blue", "blue")], [weighted("api-green", "green")])).toEqual([]);
    expect(two([weighted("api-blue", "blue")], [simple("api", { name: "staging.api.example.com" })])).toEqual([]);
    expect(two([weighted("api-blue", "blue")], [simple("api", { type: "AAAA", records: ["2001:db8::1"] })])).toEqual([]);
    expect(two([weighted("api-blue", "blue")], [simple("api", { zoneId: "Z456" })])).toEqual([]);
  });

  it("reports a simple record in one stack beside another stack's weighted records of the name and type, the zone id spelled either way", () => {
    expect(two([weighted("api-blue", "blue"), weighted("api-green", "green")], [simple("api", { name: "API.example.com.", zoneId: "/hostedzone/Z123" })])).toEqual([
      `prod ${RECORD} api-blue`,
      `prod ${RECORD} api-green`,
      `staging ${RECORD} api`,
    ]);
    const [, , stagingFinding] = checkProjectDeployRules([{ graph: [weighted("api-blue", "blue"), weighted("api-green", "green")], context: prod }, { graph: [simple("api")], context: staging }], [ROUTE53_ROUTING_POLICY_ACROSS_STACKS]);
    expect(stagingFinding.problem).toMatch(/^is a simple A record api\.example\.com in hosted zone Z123, beside prod: api-blue \(weighted\), prod: api-green \(weighted\) of the same name and type; Route 53 keeps one routing policy per name and type/);
  });

  it("reports latency records in one stack beside failover records in another", () => {
    const latency = a("api-east", { name: "api.example.com", setIdentifier: "east", latencyRoutingPolicies: [{ region: "us-east-1" }] });
    const failover = a("api-primary", { name: "api.example.com", setIdentifier: "primary", failoverRoutingPolicies: [{ type: "PRIMARY" }] });
    expect(two([latency], [failover])).toEqual([`prod ${RECORD} api-east`, `staging ${RECORD} api-primary`]);
  });

  it("leaves one stack's own mix to Route53RoutingRecords, and names only the other stacks' records of another policy", () => {
    expect(mixes([{ graph: [weighted("api-blue", "blue"), simple("api")], context: prod }])).toEqual([]);
    const findings = checkProjectDeployRules([{ graph: [weighted("api-blue", "blue"), simple("api")], context: prod }, { graph: [weighted("api-green", "green")], context: staging }], [ROUTE53_ROUTING_POLICY_ACROSS_STACKS]);
    expect(findings.map((f) => [f.stack, f.resource, f.problem.split(" of the same")[0]])).toEqual([
      ["prod", `${RECORD} api`, "is a simple A record api.example.com in hosted zone Z123, beside staging: api-green (weighted)"],
      ["staging", `${RECORD} api-green`, "is a weighted A record api.example.com in hosted zone Z123, beside prod: api (simple)"],
    ]);
  });

  it("passes records in a zone each stack creates, and records whose zone the plan does not know", () => {
    const zone = () => handBuilt("aws:route53/zone:Zone", "zone", { name: "example.com" }, { id: "zone-3f2a9c1b", state: { name: "example.com", zoneId: "zone-3f2a9c1b" } });
    expect(two([zone(), weighted("api-blue", "blue", { zoneId: "zone-3f2a9c1b" })], [zone(), simple("api", { zoneId: "zone-3f2a9c1b" })])).toEqual([]);
    expect(two([weighted("api-blue", "blue", { zoneId: undefined })], [simple("api", { zoneId: undefined })])).toEqual([]);
  });

  it("reports a StaticSite of one stack beside another stack's StaticSite with domain.failover on the same name and zone", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/site";
    const failover = { domainName: "standby.cloudfront.net", hostedZoneId: "Z2FDTNDATAQYW2" };
    const site = (withFailover: boolean) => record(() => new StaticSite("site", { path: "tests/fixtures/site", domain: { name: "app.example.com", hostedZoneId: "Z1", certificateArn, failover: withFailover ? failover : undefined } }));
    const stacks = [
      { graph: await site(true), context: prod },
      { graph: await site(false), context: staging },
    ];
    const found = checkProjectDeployRules(stacks, [ROUTE53_ROUTING_POLICY_ACROSS_STACKS]).map((f) => [f.stack, f.problem.split(" in hosted zone")[0]]);
    expect(found).toEqual(expect.arrayContaining([["staging", "is a simple A record app.example.com"], ["staging", "is a simple AAAA record app.example.com"], ["prod", "is a failover A record app.example.com"]]));
    // Both stacks without failover write the same simple records: that is Route53RecordOwnedOnceAcrossStacks', not this rule's.
    expect(checkProjectDeployRules([{ graph: await site(false), context: prod }, stacks[1]], [ROUTE53_ROUTING_POLICY_ACROSS_STACKS])).toEqual([]);
  });
});
