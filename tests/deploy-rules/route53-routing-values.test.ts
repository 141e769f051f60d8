/**
 * Route53RoutingRecords on values the provider passes to the apply unchecked (terraform-provider-aws
 * internal/service/route53/record.go): a setIdentifier on a record without a routing policy (set_identifier has no
 * RequiredWith), and weighted records' weights (a TypeInt without ValidateFunc) and count. Hand-built records: no
 * component writes weighted records or a simple record with a setIdentifier.
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, ROUTE53_ROUTING_RECORDS } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

const ZONE = "Z0123456789EXAMPLE0000";
const record = (logical: string, inputs: Record<string, unknown>) =>
  handBuilt("aws:route53/record:Record", logical, { zoneId: ZONE, name: "w.example.com", type: "A", ttl: 60, records: ["192.0.2.1"], ...inputs });
const weighted = (logical: string, weight: unknown) => record(logical, { setIdentifier: logical, weightedRoutingPolicies: [{ weight }] });
const findings = (graph: Parameters<typeof checkDeployRules>[0]) => checkDeployRules(graph, devContext, [ROUTE53_ROUTING_RECORDS]).map((f) => [f.resource, f.problem, f.fix]);

describe("Route53RoutingRecords on setIdentifiers and weights", () => {
  it("fails a simple record that carries a setIdentifier, which Route 53 refuses for want of a routing policy", () => {
    expect(findings([record("tagged", { setIdentifier: "blue" })])).toEqual([
      [
        "aws:route53/record:Record tagged",
        'has setIdentifier "blue" but no routing policy; Route 53 refuses the change ("Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none")',
        "drop setIdentifier from a simple record, or give the record the routing policy of the other records of its name and type",
      ],
    ]);
    expect(findings([record("plain", {}), record("empty", { name: "v.example.com", setIdentifier: "" })])).toEqual([]);
  });

  it("passes a setIdentifier on multivalue answer, geoproximity and CIDR records, and a weight the plan does not know", () => {
    expect(
      findings([
        record("mv", { name: "mv.example.com", setIdentifier: "mv-1", multivalueAnswerRoutingPolicy: true }),
        record("gp", { name: "gp.example.com", setIdentifier: "gp-1", geoproximityRoutingPolicy: { awsRegion: "us-east-1", bias: 10 } }),
        record("cidr", { name: "cidr.example.com", setIdentifier: "cidr-1", cidrRoutingPolicy: { collectionId: "c-1", locationName: "office" } }),
        // A weight computed from an output the preview does not know is undefined in the recording.
        weighted("later", undefined),
      ]),
    ).toEqual([]);
  });

  it("fails a weight outside 0–255 or not whole, and passes 0 and 255", () => {
    const graph = [weighted("zero", 0), weighted("full", 255), weighted("over", 256), weighted("negative", -1), weighted("half", 1.5)];
    expect(findings(graph).map(([resource, problem]) => [resource, problem])).toEqual([
      ["aws:route53/record:Record over", "is a weighted record with weight 256, outside Route 53's whole numbers 0–255"],
      ["aws:route53/record:Record negative", "is a weighted record with weight -1, outside Route 53's whole numbers 0–255"],
      ["aws:route53/record:Record half", "is a weighted record with weight 1.5, outside Route 53's whole numbers 0–255"],
    ]);
    expect(findings(graph)[0][2]).toMatch(/^set weightedRoutingPolicies\[0\]\.weight to a whole number from 0 to 255/);
  });

  it("fails the 101st weighted record of a name and type, and passes 100", () => {
    const many = (count: number) => Array.from({ length: count }, (_, index) => weighted(`w${index}`, 1));
    expect(findings(many(100))).toEqual([]);
    expect(findings(many(101)).map(([resource, problem]) => [resource, problem])).toEqual([
      ["aws:route53/record:Record w100", "is weighted record 101 of 101 of w.example.com A; Route 53 takes at most 100 weighted records of a name and type"],
    ]);
  });
});
