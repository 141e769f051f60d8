/**
 * The component-argument fuzz (./component-args.test.ts, docs/testing.md) for the operations components: for arguments
 * a user might plausibly write (./component-args-ops-arbitraries.ts), constructing Monitoring, BackupPlan, DnsRouting,
 * WebAcl or PrivateNetwork must EITHER refuse with a ComponentArgError naming the component, the argument and a fix,
 * OR record a plan that every deploy rule and every security rule passes. Monitoring gets its targets as plain values
 * (names, ids, regions), as its own tests give them. Seeded and short; explore with
 * `FUZZ_SEED=7 FUZZ_RUNS=500 npx vitest run tests/fuzz/component-args-ops.test.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { BackupPlan } from "../../components/backup-plan";
import { DnsRouting, RoutingPolicy } from "../../components/dns-routing";
import { Monitoring } from "../../components/monitoring";
import { PrivateNetwork } from "../../components/private-network";
import { WebAcl } from "../../components/web-acl";
import { checkDeployRules, formatFinding } from "../../testing/deploy-rules";
import { STACK_REGION } from "./component-args-arbitraries";
import { context, SEED, useComponentFuzz } from "./component-args-harness";
import { backupPlanArgs, dnsRoutingArgs, monitoringArgs, privateNetworkArgs, webAclArgs } from "./component-args-ops-arbitraries";

const { construct, fuzzComponent } = useComponentFuzz();

// A stack names its region (Pulumi.<stack>.yaml's aws:region), the one the mocks report: components compare regions
// against it at construction (components/region.ts regionWhereCreated).
beforeAll(() => pulumi.runtime.setConfig("aws:region", STACK_REGION));

describe(`component arguments are refused with a fix or deploy cleanly (seed ${SEED}): the operations components`, () => {
  it("Monitoring", async () => {
    await fuzzComponent("Monitoring", monitoringArgs, (name, args) => new Monitoring(name, args), 30);
  });

  it("BackupPlan", async () => {
    await fuzzComponent("BackupPlan", backupPlanArgs, (name, args) => new BackupPlan(name, args), 30);
  });

  it("DnsRouting", async () => {
    await fuzzComponent("DnsRouting", dnsRoutingArgs, (name, args) => new DnsRouting(name, args), 30);
  });

  it("WebAcl", async () => {
    await fuzzComponent("WebAcl", webAclArgs, (name, args) => new WebAcl(name, args), 30);
  });

  it("PrivateNetwork", async () => {
    await fuzzComponent("PrivateNetwork", privateNetworkArgs, (name, args) => new PrivateNetwork(name, args), 30);
  });
});

/** What the fuzz found, each shrunk counterexample pinned as a regular test (and the seed that found it). */
describe("counterexamples the fuzz found", () => {
  it('PrivateNetwork gives each gateway endpoint a route table listed twice in existingVpc.routeTableIds once, as the provider sends it (seed 20260611)', async () => {
    const existingVpc = { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-app-1a"], routeTableIds: ["rtb-1a2b3c4d", "rtb-1a2b3c4d"] };
    const outcome = await construct(() => new PrivateNetwork("data", { existingVpc }));
    const gateways = "graph" in outcome ? outcome.graph.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && r.inputs.vpcEndpointType === "Gateway") : [];
    expect(gateways.map((r) => [r.name, r.inputs.routeTableIds])).toEqual([["data-dynamodb", ["rtb-1a2b3c4d"]], ["data-s3", ["rtb-1a2b3c4d"]]]);
    expect("graph" in outcome && checkDeployRules(outcome.graph, context).map(formatFinding)).toEqual([]);
  });

  it('DnsRouting names a health check "<name> <record id>" in the characters tags take: the record id "site (CloudFront)" becomes "site -CloudFront-" (seed 20260611)', async () => {
    const record = { id: "site (CloudFront)", region: "us-east-1", target: { name: "d-east.execute-api.amazonaws.com", zoneId: "Z1UJRXOUMOOFQ8" }, healthCheck: { fqdn: "east.execute-api.amazonaws.com", path: "/prod/api/health" } };
    const outcome = await construct(() => new DnsRouting("a", { zoneId: "Z0123456789EXAMPLE0000", name: "api.gallery.example.com", policy: RoutingPolicy.Latency, records: [record] }));
    const check = "graph" in outcome ? outcome.graph.find((r) => r.type === "aws:route53/healthCheck:HealthCheck") : undefined;
    expect(check?.inputs.tags).toMatchObject({ Name: "api.gallery.example.com site -CloudFront-" });
    expect("graph" in outcome && checkDeployRules(outcome.graph, context).map(formatFinding)).toEqual([]);
  });

  it('Monitoring refuses the name "my.data", whose alarm topic would be autonamed "my.data-alarms-<suffix>", which SNS refuses (seed 5)', async () => {
    const outcome = await construct(() => new Monitoring("my.data", { queues: { gallery: { queueName: "counters-dlq" } } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(
      /^Monitoring "my\.data": name "my\.data" makes the SNS topic name "my\.data-alarms-<random suffix>" hold "\.", which SNS refuses \(it takes letters, digits, "-" and "_"\)\. Use a component name of letters, digits, "-" and "_", e\.g\. "my-data"\.$/,
    );
    expect("refused" in (await construct(() => new Monitoring("Données", { queues: { gallery: { queueName: "counters-dlq" } } })))).toBe(true);
  });

  it("Monitoring refuses a name of 56 characters when an alarm in another region makes its topic \"<name>-alarms-us-west-2-<suffix>\" 81 characters, over pulumi-aws's 80 (seed 1)", async () => {
    const name = "n".repeat(56);
    const outcome = await construct(() => new Monitoring(name, { queues: { gallery: { queueName: "counters-dlq", region: "us-west-2" } } }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/makes the SNS topic name "n{56}-alarms-us-west-2-<random suffix>" 81 characters, over the 80 pulumi-aws autonames an SNS topic within\. Use a component name of at most 55 characters\.$/);
    // Without an alarm elsewhere the topic is "<name>-alarms-<suffix>", 71 characters: taken.
    expect("graph" in (await construct(() => new Monitoring(name, { queues: { gallery: { queueName: "counters-dlq" } } })))).toBe(true);
  });
});
