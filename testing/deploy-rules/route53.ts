/** Route 53 and regional API custom domain deploy rules: routing records, health checks, certificates per region. */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { aliasTargetZone, bareZoneId, CLOUDFRONT_ALIAS_ZONE_ID, healthCheckProblem } from "../../components/dns-routing/spec";
import { dnsName } from "./names";
import { ownedRecordSetKey, plannedZone, policyName, policyOf, RECORD, recordName, recordSetKey, routingPolicies, sharedAcrossStacks } from "./record-sets";
import { arnRegion, finding, regionOf, type DeployFinding, type DeployRule, type ProjectDeployRule, type StackPlan } from "./rule";

const RECORD_SET = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html";

// Defined beside the record-set keys, for the transition rules too; exported from here as before.
export { policyOf } from "./record-sets";

export interface RoutingSlot {
  /** The record set (zone, full name, type) and the slot in it: what Route 53 holds once. */
  key: string;
  policy: "latency" | "failover" | "geolocation";
  /** "the SECONDARY failover slot", "the latency slot of us-east-1". */
  label: string;
}

const text = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * The routing slot a record holds in `graph` (Route53RoutingRecords, and TransitionRoutingSlotTaken across an update), or undefined: no slot (weighted, simple, …) or a value the plan does not know. */
export function slotOf(graph: Graph, r: RecordedResource): RoutingSlot | undefined {
  const set = ownedRecordSetKey(graph, r, { setIdentifier: false });
  if (set === undefined) return undefined;
  const policy = policyOf(r);
  if (policy === "latency") {
    const region = r.inputs.latencyRoutingPolicies[0]?.region;
    return text(region) ? { key: `${set} latency ${region}`, policy, label: `the latency slot of ${region}` } : undefined;
  }
  if (policy === "failover") {
    const role = r.inputs.failoverRoutingPolicies[0]?.type;
    return text(role) ? { key: `${set} failover ${role}`, policy, label: `the ${role} failover slot` } : undefined;
  }
  if (policy === "geolocation") {
    const g = r.inputs.geolocationRoutingPolicies[0] ?? {};
    const parts = [g.continent, g.country, g.subdivision];
    if (parts.some((p) => p !== undefined && p !== null && typeof p !== "string")) return undefined;
    const [continent, country, subdivision] = parts.map((p) => (p ? String(p) : ""));
    const where = country === "*" ? 'the default location (country "*")' : [continent && `continent ${continent}`, country && `country ${country}`, subdivision && `subdivision ${subdivision}`].filter(Boolean).join(", ");
    return { key: `${set} geolocation ${JSON.stringify([continent, country, subdivision])}`, policy, label: `the geolocation slot of ${where}` };
  }
  return undefined;
}

/** Why Route 53 refuses a second record of a slot, per policy (sources: transition-route53.ts's file comment). */
export const ROUTING_SLOT_REFUSAL: Record<RoutingSlot["policy"], string> = {
  latency:
    'Route 53 keeps one latency record per region of a name and type ("You can only create one latency resource record set for each Amazon EC2 Region", ResourceRecordSet) and refuses the change ("InvalidChangeBatch: … cannot be created because a latency RRSet with the same name, type and region already exists", hashicorp/terraform-provider-aws#1668)',
  failover:
    'Route 53 keeps one PRIMARY and one SECONDARY record per name and type (ResourceRecordSet, Failover: "you add the Failover element to two resource record sets", one PRIMARY, the other SECONDARY) and refuses the change (its wording is not confirmed; the console says "RRset for same type with Primary (or Sec) exists", boto/boto3#1347)',
  geolocation:
    'Route 53 keeps one geolocation record per location of a name and type ("You can\'t create two geolocation resource record sets that specify the same geographic location", ResourceRecordSet) and refuses the change (its wording is not confirmed)',
};

/** Records by zone, name and type: the record set Route 53 routes among. */
function recordSets(graph: Graph): RecordedResource[][] {
  const sets = new Map<string, RecordedResource[]>();
  for (const r of ofType(graph, RECORD)) {
    const key = recordSetKey(graph, r, { setIdentifier: false });
    sets.set(key, [...(sets.get(key) ?? []), r]);
  }
  return [...sets.values()];
}

/** ResourceRecordSet, Weight: 0–255, and at most 100 weighted records of a name and type. */
const WEIGHT_RANGE = { min: 0, max: 255 } as const;
const WEIGHTED_RECORDS_MAX = 100;
/** "api.example.com A". */
const nameAndType = (r: RecordedResource) => `${r.inputs.name} ${r.inputs.type}`;

/**
 * ResourceRecordSet: a record with a routing policy needs a SetIdentifier (1–128 characters, unique among the
 * records of its name and type), all records of one name and type use the same policy, a latency record
 * names an AWS region ("Region ... Latency-based resource record sets only"), and no two records of a name and type
 * share a latency region ("You can only create one latency resource record set for each Amazon EC2 Region") or a
 * geolocation location ("You can't create two geolocation resource record sets that specify the same geographic
 * location"); Route 53 refuses the second's CREATE (hashicorp/terraform-provider-aws#1668). DnsRouting refuses a
 * repeated region or location itself; this is for hand-built records. A repeated failover role is Route53FailoverPair's.
 *
 * And the other way round, and the weights (hand-built records only: no component writes weighted records):
 * - a SetIdentifier without a routing policy: Route 53 refuses the change, "InvalidInput: Invalid request: Expected
 *   exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none in Change with
 *   [Action=…, Name=…, Type=A, SetIdentifier=…]" (as AWS printed it, hashicorp/terraform-provider-aws#1668). The
 *   provider lets it through to the apply: its set_identifier has no RequiredWith, only the routing policies require
 *   set_identifier (internal/service/route53/record.go).
 * - a weight outside 0–255 ("Weight … Valid Range: Minimum value of 0. Maximum value of 255", ResourceRecordSet; that
 *   line was not in the stored copy read for this rule) or not a whole number: the provider's weight is a TypeInt
 *   without ValidateFunc (record.go), so Route 53 is the first to refuse it, at the apply.
 * - more than 100 weighted records of a name and type ("You can create a maximum of 100 weighted resource record sets
 *   that have the same values for the Name and Type elements", ResourceRecordSet, Weight).
 */
export const ROUTE53_ROUTING_RECORDS: DeployRule = {
  id: "Route53RoutingRecords",
  title: "Routing records have a unique setIdentifier (simple ones none), one policy per name and type, latency records a region, weighted ones a weight of 0–255 (at most 100 per name and type), and one record per latency region or geolocation location",
  source: RECORD_SET,
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const set of recordSets(graph)) {
      for (const r of set) {
        const id = r.inputs.setIdentifier;
        if (!policyOf(r) && id !== undefined && id !== null && id !== "") {
          findings.push(finding("Route53RoutingRecords", r, `has setIdentifier ${JSON.stringify(id)} but no routing policy; Route 53 refuses the change ("Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none")`, "drop setIdentifier from a simple record, or give the record the routing policy of the other records of its name and type"));
        }
      }
      const routed = set.filter((r) => policyOf(r));
      if (routed.length === 0) continue;
      const weighted = routed.filter((r) => policyOf(r) === "weighted");
      if (weighted.length > WEIGHTED_RECORDS_MAX) {
        findings.push(finding("Route53RoutingRecords", weighted[WEIGHTED_RECORDS_MAX], `is weighted record ${WEIGHTED_RECORDS_MAX + 1} of ${weighted.length} of ${nameAndType(weighted[0])}; Route 53 takes at most ${WEIGHTED_RECORDS_MAX} weighted records of a name and type`, `keep at most ${WEIGHTED_RECORDS_MAX} weighted records of the name and type`));
      }
      for (const r of weighted) {
        const weight = r.inputs.weightedRoutingPolicies[0]?.weight;
        if (typeof weight === "number" && !(Number.isInteger(weight) && weight >= WEIGHT_RANGE.min && weight <= WEIGHT_RANGE.max)) {
          findings.push(finding("Route53RoutingRecords", r, `is a weighted record with weight ${JSON.stringify(weight)}, outside Route 53's whole numbers ${WEIGHT_RANGE.min}–${WEIGHT_RANGE.max}`, `set weightedRoutingPolicies[0].weight to a whole number from ${WEIGHT_RANGE.min} to ${WEIGHT_RANGE.max} (the weights are relative: 1 and 3 send a quarter and three quarters; 0 on every record shares equally)`));
        }
      }
      const policies = routingPolicies(set);
      if (policies.length > 1) {
        findings.push(finding("Route53RoutingRecords", routed[0], `records of ${routed[0].inputs.name} ${routed[0].inputs.type} mix routing policies (${policies.join(", ")})`, "give every record of one name and type the same routing policy"));
      }
      const ids = new Set<string>();
      const slots = new Map<string, RecordedResource>();
      for (const r of routed) {
        const id = r.inputs.setIdentifier;
        const reused = typeof id === "string" && ids.has(id);
        if (typeof id !== "string" || id.length < 1 || id.length > 128) {
          findings.push(finding("Route53RoutingRecords", r, `has a ${policyOf(r)} routing policy but setIdentifier ${JSON.stringify(id)}`, "set setIdentifier (1–128 characters) on every routing record"));
        } else if (reused) {
          findings.push(finding("Route53RoutingRecords", r, `reuses setIdentifier "${id}" of another ${r.inputs.name} ${r.inputs.type} record`, "give each record of a name and type its own setIdentifier"));
        }
        if (typeof id === "string") ids.add(id);
        // One record per latency region or geolocation location of a name and type (a repeated failover role is
        // Route53FailoverPair's); a repeated setIdentifier is one record set, reported above.
        const slot = slotOf(graph, r);
        if (slot && slot.policy !== "failover" && !reused) {
          const holder = slots.get(slot.key);
          if (holder) findings.push(finding("Route53RoutingRecords", r, `is a second record in ${slot.label} of ${r.inputs.name} ${r.inputs.type}, beside ${holder.name}: ${ROUTING_SLOT_REFUSAL[slot.policy]}`, slot.policy === "latency" ? "give each region one latency record of a name and type (drop one, or set it to the region of its own target)" : "give each location one geolocation record of a name and type (drop one, or give it another location)"));
          else slots.set(slot.key, r);
        }
        for (const policy of r.inputs.latencyRoutingPolicies ?? []) {
          if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(String(policy?.region ?? ""))) {
            findings.push(finding("Route53RoutingRecords", r, `is a latency record with region ${JSON.stringify(policy?.region)}`, "set latencyRoutingPolicies[0].region to the AWS region of the record's target"));
          }
        }
      }
    }
    return findings;
  },
};

/**
 * One Route 53 record set (zone, name, type, setIdentifier) is one Pulumi resource. Route 53 holds one set per name and
 * type (and setIdentifier, with a routing policy): two resources of one set are one record in AWS, created twice
 * (the second create fails with "Tried to create resource record set … but it already exists", or with
 * allowOverwrite both UPSERT it), and the delete of either lists the set by name and type and deletes it
 * (terraform-provider-aws internal/service/route53/record.go resourceRecordDelete), so removing one later removes the
 * record the other still claims. That is how an ACM validation CNAME goes missing: ACM gives a name and its wildcard
 * one record ("ACM removes the wildcard label (*) when generating CNAME records for wildcard names", ACM FAQ quoted in
 * hashicorp/terraform-provider-aws#2418), and certificate renewal needs it to stay
 * (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html). Records with a routing policy that share a
 * setIdentifier are Route53RoutingRecords' finding. Names compare as Route 53 does: case-insensitive, with or without
 * the trailing dot.
 */
export const ROUTE53_RECORD_OWNED_ONCE: DeployRule = {
  id: "Route53RecordOwnedOnce",
  title: "Every Route 53 record set (zone, name, type, setIdentifier) is one resource of the plan",
  source: RECORD_SET,
  check(graph) {
    const findings: DeployFinding[] = [];
    const owners = new Map<string, RecordedResource>();
    for (const r of ofType(graph, RECORD)) {
      const key = policyOf(r) ? undefined : ownedRecordSetKey(graph, r);
      if (key === undefined) continue;
      const { zoneId, name, type } = r.inputs;
      const owner = owners.get(key);
      if (!owner) {
        owners.set(key, r);
        continue;
      }
      findings.push(
        finding(
          "Route53RecordOwnedOnce",
          r,
          `is the ${type} record ${name} in zone ${zoneId}, which ${owner.name} (${owner.urn}) also writes: Route 53 holds one record set for both, and removing either resource later deletes the set the other still needs`,
          "write the record from one resource (a certificate's validation CNAME is the same for a name and its wildcard, and for certificates of one name in several regions or components)",
        ),
      );
    }
    return findings;
  },
};

/** One stack's record, in a zone that stack does not create. */
interface RecordClaim {
  stack: string;
  graph: Graph;
  record: RecordedResource;
}

/**
 * The records of each stack that another stack's could write beside: a record in a zone its own stack creates is left
 * out, since CreateHostedZone makes a new zone with a new id every time, even under a name another zone has ("You can
 * create a hosted zone that has the same name as an existing hosted zone", DelegationSetNotAvailable), so no other
 * stack's record can be in it, and the mocks' ids, the same for one logical name in every stack, must not say otherwise.
 */
function recordClaims(stacks: readonly StackPlan[]): RecordClaim[] {
  return stacks.flatMap(({ graph, context }) => ofType(graph, RECORD).filter((record) => !plannedZone(graph, record.inputs.zoneId)).map((record) => ({ stack: context.stack, graph, record })));
}

/** A record's type and full name, as a cross-stack finding names them. */
const describeRecord = ({ graph, record }: RecordClaim) => `${record.inputs.type} record ${recordName(graph, record)}`;

/**
 * Route53RecordOwnedOnce over the stacks of a project: a staging stack copied from prod's config writes prod's records
 * into prod's zone. ChangeResourceRecordSets' CREATE of a set that exists is refused ("Tried to create resource record
 * set … but it already exists"), so the stack deployed second fails; with allowOverwrite the provider UPSERTs
 * (terraform-provider-aws internal/service/route53/record.go resourceRecordCreate), so it silently takes the record
 * over, and `pulumi destroy` of either stack deletes the set by its four-part key (resourceRecordDelete), prod's DNS
 * with it. Whatever the stacks' accounts: a hosted zone's id names one zone in the partition (its ARN,
 * arn:aws:route53:::hostedzone/<id>, has no account: record.go's sibling zone.go resourceZoneRead), so a stack of
 * another account that can write into it writes the same set. Records in a zone their own stack creates are left out
 * (recordClaims). Routing records are compared too (Route53RoutingRecords sees one plan only): a latency record per
 * stack with its own setIdentifier is a set of its own, one setIdentifier in two stacks is one set.
 */
export const ROUTE53_RECORD_OWNED_ONCE_ACROSS_STACKS: ProjectDeployRule = {
  id: "Route53RecordOwnedOnceAcrossStacks",
  title: "No two stacks of the project write one Route 53 record set (zone, name, type, setIdentifier)",
  source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html",
  check(stacks) {
    // Two records of one stack are Route53RecordOwnedOnce's (or Route53RoutingRecords').
    return sharedAcrossStacks(recordClaims(stacks), (c) => ownedRecordSetKey(c.graph, c.record)).map(({ claim, others }) => {
      const { setIdentifier, zoneId } = claim.record.inputs;
      const set = `${describeRecord(claim)}${setIdentifier === undefined ? "" : ` (setIdentifier ${JSON.stringify(setIdentifier)})`} in hosted zone ${zoneId}`;
      return finding(
        "Route53RecordOwnedOnceAcrossStacks",
        claim.record,
        `writes the ${set}, as do ${others.map((c) => `${c.stack}: ${c.record.name}`).join(", ")}; Route 53 holds one record set for them, so the stack deployed second fails its create ("already exists") or, with allowOverwrite, takes the record over, and destroying either stack deletes the record the other still serves`,
        `give each stack its own domain from its config (a stack-specific subdomain such as ${claim.stack}.<domain>, so that its records get names of their own), or let one stack own the record and leave the domain unset in the others`,
        claim.stack,
      );
    });
  },
};

/**
 * Route53RoutingRecords' one routing policy per name and type, over the stacks of a project: a simple record in one
 * stack beside weighted, latency, failover or other routing records of the same name and type in another stack's
 * records of that zone. They are different record sets (the routing ones have a setIdentifier), so
 * Route53RecordOwnedOnceAcrossStacks does not see them, but Route 53 refuses the mix (ResourceRecordSet, Region: "You
 * cannot create non-latency resource record sets that have the same values for the Name and Type elements as latency
 * resource record sets"): the stack deployed second fails its create, e.g. a staging stack's simple record for a name
 * prod serves with latency records per region. Records of one stack that mix policies are Route53RoutingRecords'; a
 * record is reported only beside another stack's records of another policy.
 */
export const ROUTE53_ROUTING_POLICY_ACROSS_STACKS: ProjectDeployRule = {
  id: "Route53RoutingPolicyAcrossStacks",
  title: "No two stacks of the project give one Route 53 name and type different routing policies",
  source: RECORD_SET,
  check(stacks) {
    return sharedAcrossStacks(recordClaims(stacks), (c) => ownedRecordSetKey(c.graph, c.record, { setIdentifier: false })).flatMap(({ claim, others }) => {
      const policy = policyName(claim.record);
      const clashing = others.filter((c) => policyName(c.record) !== policy);
      if (clashing.length === 0) return [];
      return [
        finding(
          "Route53RoutingPolicyAcrossStacks",
          claim.record,
          `is a ${policy} ${describeRecord(claim)} in hosted zone ${claim.record.inputs.zoneId}, beside ${clashing.map((c) => `${c.stack}: ${c.record.name} (${policyName(c.record)})`).join(", ")} of the same name and type; Route 53 keeps one routing policy per name and type, so the stack deployed second fails its create`,
          `give each stack its own domain from its config (a stack-specific subdomain such as ${claim.stack}.<domain>), or let one stack write all the records of the name and type with one routing policy`,
          claim.stack,
        ),
      ];
    });
  },
};

/** An alias's hosted zone id without the `/hostedzone/` prefix Route 53 also takes; undefined when not known. */
const aliasZoneId = (alias: any): string | undefined => (typeof alias?.zoneId === "string" ? bareZoneId(alias.zoneId) : undefined);
/** An alias to a CloudFront distribution (Route 53 refuses to evaluate its health). */
const aliasesCloudFront = (alias: any) => aliasZoneId(alias) === CLOUDFRONT_ALIAS_ZONE_ID;

/**
 * AliasTarget.EvaluateTargetHealth: "You can't set EvaluateTargetHealth to true when the alias target is a CloudFront
 * distribution" (hosted zone Z2FDTNDATAQYW2, the same for every distribution).
 *
 * And AliasTarget.HostedZoneId, for targets of the plan: an alias to an API Gateway custom domain names API Gateway's
 * hosted zone of the domain's region, the domain's `regionalZoneId` (v2: `domainNameConfiguration.hostedZoneId`) —
 * AliasTarget, HostedZoneId: for "API Gateway custom regional APIs ... specify the value of regionalHostedZoneId" —
 * and an alias to a CloudFront distribution Z2FDTNDATAQYW2. Another zone (the record's own zone, as in
 * aws/aws-cdk#19643, or another region's API Gateway zone copied from a sibling domain) is refused: "Tried to create an
 * alias that targets d-….execute-api.us-west-2.amazonaws.com., type A in zone Z…, but the alias target name does not
 * lie within the target zone" (as AWS printed it, aws/aws-cdk#19643 and GSA-TTS/dns#588). API Gateway's zones differ
 * by region, so only the target domain's own value is right. Zone ids the plan does not know are left alone.
 *
 * An edge-optimized REST domain of the plan is aliased by its `cloudfrontDomainName` under its `cloudfrontZoneId`
 * (Z2FDTNDATAQYW2: AliasTarget, HostedZoneId: "For edge-optimized APIs, specify the value of
 * distributionHostedZoneId"; "For edge-optimized endpoints, the Route 53 Hosted Zone ID is Z2FDTNDATAQYW2 for all
 * Regions", https://docs.aws.amazon.com/general/latest/gr/apigateway.html), never a regional zone.
 *
 * Any other target (a distribution of the plan, or a target outside the plan) is checked when its name shows its zone,
 * by aliasTargetZone (components/dns-routing/spec.ts), the reader DnsRouting's construction check uses too:
 * `d-….execute-api.<region>.amazonaws.com` (a regional custom domain's target, e.g. one another stack created) names
 * API Gateway's zone of that region, from the General Reference's table (API_GATEWAY_REGIONAL_ZONE_IDS: the regions two
 * copies of the table agree on; other regions are left alone), and `*.cloudfront.net` (a distribution's domain name, or
 * an edge-optimized API domain's of another stack) Z2FDTNDATAQYW2, the zone of every distribution (AliasTarget,
 * HostedZoneId: "CloudFront distribution: Specify Z2FDTNDATAQYW2"). S3 website endpoints, load balancers and other
 * records of the zone are left alone.
 */
export const ROUTE53_ALIAS_TARGET_HEALTH: DeployRule = {
  id: "Route53AliasTargetHealth",
  title: "Aliases to a CloudFront distribution do not evaluate target health, and aliases to API Gateway domains (of the plan, or execute-api targets of a known region) and CloudFront names name the target's own hosted zone",
  source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const { regional: apiTargets, edge: edgeApiTargets } = apiDomainTargets(graph);
    const distributions = distributionTargets(graph);
    for (const r of ofType(graph, RECORD)) {
      for (const alias of r.inputs.aliases ?? []) {
        if (aliasesCloudFront(alias) && alias.evaluateTargetHealth === true) {
          findings.push(finding("Route53AliasTargetHealth", r, `aliases CloudFront distribution ${alias.name} (zone ${CLOUDFRONT_ALIAS_ZONE_ID}) with evaluateTargetHealth true, which Route 53 refuses`, "set evaluateTargetHealth to false, and give the record a healthCheckId on the distribution if it needs a health signal"));
        }
        const zoneId = aliasZoneId(alias);
        if (zoneId === undefined) continue;
        const targetName = dnsName(alias.name);
        // A domain of the plan: its own zone, as the plan records it.
        const api = apiTargets.get(targetName);
        if (api) {
          if (typeof api.zoneId === "string" && zoneId !== api.zoneId) {
            const v1 = api.domain.type === "aws:apigateway/domainName:DomainName";
            findings.push(
              finding(
                "Route53AliasTargetHealth",
                r,
                `aliases ${alias.name}, the target of API Gateway domain ${api.domain.inputs.domainName} (${api.domain.name}), under hosted zone ${alias.zoneId}, but that domain's zone is ${api.zoneId}: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
                `set the alias zoneId to ${api.domain.name}'s ${v1 ? "regionalZoneId" : "domainNameConfiguration.hostedZoneId"} (ServerlessApi: customDomain.regionalZoneId, beside customDomain.regionalDomainName), not the record's own zone or another region's domain's`,
              ),
            );
          }
          continue;
        }
        const edge = edgeApiTargets.get(targetName);
        if (edge) {
          if (typeof edge.state.cloudfrontZoneId === "string" && zoneId !== edge.state.cloudfrontZoneId) {
            findings.push(
              finding(
                "Route53AliasTargetHealth",
                r,
                `aliases ${alias.name}, the target of edge-optimized API Gateway domain ${edge.inputs.domainName} (${edge.name}), under hosted zone ${alias.zoneId}, but an edge-optimized domain's zone is its cloudfrontZoneId ${edge.state.cloudfrontZoneId}: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
                `set the alias zoneId to ${edge.name}'s cloudfrontZoneId (${edge.state.cloudfrontZoneId}), not a regional API Gateway zone or the record's own zone`,
              ),
            );
          }
          continue;
        }
        // Any other target whose name shows its zone (an execute-api target of a confirmed region, a *.cloudfront.net
        // name): the zone DnsRouting holds its records to at construction, from the same reader.
        const expected = aliasTargetZone(targetName);
        if (expected === undefined || zoneId === expected.zoneId) continue;
        const distribution = distributions.get(targetName);
        findings.push(
          finding(
            "Route53AliasTargetHealth",
            r,
            `aliases ${alias.name}, ${distribution ? `the domain name of CloudFront distribution ${distribution.name}` : expected.target}, under hosted zone ${alias.zoneId}, but ${expected.zone}: Route 53 refuses it ("the alias target name does not lie within the target zone")`,
            distribution ? `set the alias zoneId to the distribution's hostedZoneId (${expected.zoneId})` : `set the alias zoneId to ${expected.setTo}`,
          ),
        );
      }
    }
    return findings;
  },
};

/**
 * Active-passive failover: "create two records ... one with a Failover value of Primary and one of Secondary"; a
 * second primary is refused and a lone primary has nowhere to fail over to. The primary needs a health check
 * (its own, or an alias evaluating its target's health), or Route 53 always considers it healthy. An alias to a
 * CloudFront distribution cannot evaluate its target (Route53AliasTargetHealth), so it is no health signal.
 */
export const ROUTE53_FAILOVER_PAIR: DeployRule = {
  id: "Route53FailoverPair",
  title: "Failover records come as one health-checked PRIMARY and one SECONDARY per name and type",
  source: "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const set of recordSets(graph)) {
      const failover = set.filter((r) => r.inputs.failoverRoutingPolicies?.length);
      if (failover.length === 0) continue;
      const role = (r: RecordedResource) => String(r.inputs.failoverRoutingPolicies[0]?.type);
      const primaries = failover.filter((r) => role(r) === "PRIMARY");
      const secondaries = failover.filter((r) => role(r) === "SECONDARY");
      if (primaries.length !== 1 || secondaries.length !== 1 || failover.length !== 2) {
        findings.push(finding("Route53FailoverPair", failover[0], `${failover[0].inputs.name} ${failover[0].inputs.type} has ${primaries.length} PRIMARY and ${secondaries.length} SECONDARY failover records`, "give the name and type exactly one PRIMARY and one SECONDARY record"));
      }
      for (const primary of primaries) {
        const aliases = primary.inputs.aliases ?? [];
        const evaluatesTarget = aliases.some((a: any) => a?.evaluateTargetHealth === true && !aliasesCloudFront(a));
        if (!primary.inputs.healthCheckId && !evaluatesTarget) {
          const why = aliases.some(aliasesCloudFront) ? "its alias targets a CloudFront distribution, whose health Route 53 does not evaluate" : "its alias does not evaluate target health";
          findings.push(finding("Route53FailoverPair", primary, `is a PRIMARY failover record without a health check (and ${why}), so it never fails over`, "set healthCheckId to a health check of the primary's endpoint"));
        }
      }
    }
    return findings;
  },
};

/**
 * HealthCheckConfig: FailureThreshold 1–10, RequestInterval 10 or 30, SearchString ≤ 255 characters and required by the
 * *_STR_MATCH types, ResourcePath starting with "/"; and referenceName ≤ 27 characters, which terraform-provider-aws
 * (internal/service/route53/health_check.go) enforces because it makes the ≤ 64-character CallerReference from it
 * plus a 37-character suffix. The same limits DnsRouting validates (healthCheckProblem).
 */
export const ROUTE53_HEALTH_CHECK: DeployRule = {
  id: "Route53HealthCheck",
  title: "Health checks use thresholds, intervals, paths and search strings Route 53 accepts",
  source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const check of ofType(graph, "aws:route53/healthCheck:HealthCheck")) {
      const i = check.inputs;
      const problem = healthCheckProblem({ failureThreshold: i.failureThreshold, requestInterval: i.requestInterval, searchString: i.searchString, resourcePath: i.resourcePath, referenceName: i.referenceName });
      if (problem) findings.push(finding("Route53HealthCheck", check, `has ${problem}`, "use failureThreshold 1–10, requestInterval 10 or 30, a searchString of 1–255 characters, a resourcePath starting with / and a referenceName of at most 27 characters"));
      if (/_STR_MATCH$/.test(String(i.type)) && !i.searchString) {
        findings.push(finding("Route53HealthCheck", check, `is ${i.type} without a searchString`, "set searchString to text the healthy response body contains, or use type HTTPS"));
      }
    }
    return findings;
  },
};

/** A regional custom domain's certificate ARN: REST (v1) domains name it at the top, HTTP and WebSocket (v2) domains in their configuration. */
function regionalCertificateArn(domain: RecordedResource): unknown {
  if (domain.type === "aws:apigateway/domainName:DomainName") return domain.inputs.regionalCertificateArn;
  const configuration = domain.inputs.domainNameConfiguration ?? {};
  return (configuration.endpointType ?? "REGIONAL") === "REGIONAL" ? configuration.certificateArn : undefined;
}

/**
 * "The certificate must be in the same Region as your API" for a regional custom domain name: an API in us-west-2
 * cannot present a us-east-1 certificate (only edge-optimized names use us-east-1's). The same holds for the v2 domains
 * of HTTP and WebSocket APIs, which are regional only.
 */
export const APIGATEWAY_DOMAIN_CERTIFICATE_REGION: DeployRule = {
  id: "ApiGatewayDomainCertificateRegion",
  title: "A regional API custom domain uses an ACM certificate from its own region",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const domain of [...ofType(graph, "aws:apigateway/domainName:DomainName"), ...ofType(graph, "aws:apigatewayv2/domainName:DomainName")]) {
      const arn = regionalCertificateArn(domain);
      if (typeof arn !== "string" || !arn.startsWith("arn:")) continue;
      const region = regionOf(graph, domain, context);
      if (arnRegion(arn) !== region) {
        findings.push(finding("ApiGatewayDomainCertificateRegion", domain, `is a regional domain in ${region} with certificate ${arn} from ${arnRegion(arn)}`, `request (or import) a certificate for ${domain.inputs.domainName} in ${region} (region: "${region}" on the aws.acm.Certificate)`));
      }
    }
    return findings;
  },
};

/** An API Gateway custom domain as an alias target: the domain, its IP address type and the hosted zone id an alias to it names. */
interface ApiDomainTarget {
  domain: RecordedResource;
  ipAddressType: string;
  /** `regionalZoneId` of a REST (v1) domain, `domainNameConfiguration.hostedZoneId` of a v2 one: API Gateway's zone in the domain's region. */
  zoneId: unknown;
}

/**
 * The API Gateway custom domains of the plan by the name a Route 53 alias targets, in one pass over the domains:
 * - `regional`: a REST (v1) domain's `regionalDomainName`, an HTTP or WebSocket (v2) domain's
 *   `domainNameConfiguration.targetDomainName`, each with its IP address type (unset is API Gateway's default, IPv4)
 *   and its hosted zone id;
 * - `edge`: an edge-optimized REST (v1) domain's `cloudfrontDomainName` (a regional domain has none: API Gateway
 *   answers distributionDomainName only for EDGE).
 */
function apiDomainTargets(graph: Graph): { regional: Map<string, ApiDomainTarget>; edge: Map<string, RecordedResource> } {
  const regional = new Map<string, ApiDomainTarget>();
  const edge = new Map<string, RecordedResource>();
  for (const domain of ofType(graph, "aws:apigateway/domainName:DomainName")) {
    const target = dnsName(domain.state.regionalDomainName);
    if (target) regional.set(target, { domain, ipAddressType: String(domain.inputs.endpointConfiguration?.ipAddressType ?? "ipv4"), zoneId: domain.state.regionalZoneId });
    const cloudfront = dnsName(domain.state.cloudfrontDomainName);
    if (cloudfront) edge.set(cloudfront, domain);
  }
  for (const domain of ofType(graph, "aws:apigatewayv2/domainName:DomainName")) {
    const target = dnsName(domain.state.domainNameConfiguration?.targetDomainName);
    if (target) regional.set(target, { domain, ipAddressType: String(domain.inputs.domainNameConfiguration?.ipAddressType ?? "ipv4"), zoneId: domain.state.domainNameConfiguration?.hostedZoneId });
  }
  return { regional, edge };
}

/** The CloudFront distributions of the plan by their domain name (`d111111abcdef8.cloudfront.net`), which an alias targets. */
function distributionTargets(graph: Graph): Map<string, RecordedResource> {
  const targets = new Map<string, RecordedResource>();
  for (const distribution of ofType(graph, "aws:cloudfront/distribution:Distribution")) {
    const target = dnsName(distribution.state.domainName);
    if (target) targets.set(target, distribution);
  }
  return targets;
}

/**
 * An AAAA alias to a target without an IPv6 address gives IPv6 clients nothing. Two such targets:
 *
 * - an API Gateway custom domain: "The default IP address type for API Gateway custom domain names for public APIs is
 *   IPv4"; only a `dualstack` domain lets "both IPv4 and IPv6 addresses ... invoke your domain". Whether Route 53
 *   refuses an AAAA alias to an IPv4-only domain's target or accepts it and answers without an address is not
 *   documented; either way the record serves no one.
 * - a CloudFront distribution (alias zone Z2FDTNDATAQYW2, the distribution's domain name) whose `isIpv6Enabled` is not
 *   true: the Route 53 guide has the AAAA record only for a distribution with IPv6 on ("If IPv6 is enabled, you'll need
 *   to create two alias records for the distribution, one to route IPv4 traffic to the distribution, and one to route
 *   IPv6 traffic", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-cloudfront-distribution.html, as
 *   awsdocs/amazon-route53-docs doc_source/routing-to-cloudfront-distribution.md has it), and with it off "CloudFront
 *   responds to IPv6 DNS requests with the DNS response code NOERROR and with no IP addresses" (DistributionConfig
 *   IsIPV6Enabled, https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html, the API
 *   model's text as the AWS SDKs' references carry it).
 *   Unset is off: terraform-provider-aws declares `is_ipv6_enabled` Optional with `Default: false`
 *   (internal/service/cloudfront/distribution.go). No AWS page says Route 53 refuses the record; the API reference's
 *   NOERROR answer says it is served, empty.
 */
export const ROUTE53_ALIAS_IPV6_TARGET: DeployRule = {
  id: "Route53AliasIpv6Target",
  title: "AAAA aliases point at a target with an IPv6 address: a dualstack API Gateway custom domain, or a CloudFront distribution with isIpv6Enabled true",
  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-custom-domain-ip-address-type.html",
  check(graph) {
    const apiTargets = apiDomainTargets(graph).regional;
    const distributions = distributionTargets(graph);
    const findings: DeployFinding[] = [];
    for (const r of ofType(graph, RECORD)) {
      if (r.inputs.type !== "AAAA") continue;
      for (const alias of r.inputs.aliases ?? []) {
        const target = apiTargets.get(dnsName(alias?.name));
        if (target && target.ipAddressType !== "dualstack") {
          const v1 = target.domain.type === "aws:apigateway/domainName:DomainName";
          const setting = v1 ? "endpointConfiguration.ipAddressType" : "domainNameConfiguration.ipAddressType";
          findings.push(
            finding(
              "Route53AliasIpv6Target",
              r,
              `is an AAAA alias to ${alias.name}, the target of API Gateway domain ${target.domain.inputs.domainName} (${target.domain.name}), whose IP address type is ${target.ipAddressType}: it has no IPv6 address, so IPv6 clients get nothing`,
              `set ${setting} "dualstack" on ${target.domain.name} (ServerlessApi, RegionalApis and RealtimeApi: domain.ipAddressType "dualstack", the default), or drop the AAAA record (DnsRouting ipv6: false)`,
            ),
          );
        }
        const distribution = aliasesCloudFront(alias) ? distributions.get(dnsName(alias.name)) : undefined;
        if (distribution && distribution.inputs.isIpv6Enabled !== true) {
          const setting = distribution.inputs.isIpv6Enabled === undefined ? "unset (false)" : String(distribution.inputs.isIpv6Enabled);
          findings.push(
            finding(
              "Route53AliasIpv6Target",
              r,
              `is an AAAA alias to ${alias.name}, the domain name of CloudFront distribution ${distribution.name}, whose isIpv6Enabled is ${setting}: CloudFront answers its IPv6 queries with no address (NOERROR, no records), so the record gives IPv6 clients nothing`,
              `set isIpv6Enabled: true on ${distribution.name} (StaticSite does), or drop the AAAA record`,
            ),
          );
        }
      }
    }
    return findings;
  },
};

/**
 * A TXT (or SPF) record's value is one or more character strings of at most 255 characters each: Route 53 refuses a
 * longer string with CharacterStringTooLong, "Value is too long" (AWS Knowledge Center,
 * https://repost.aws/knowledge-center/route53-resolve-dkim-text-record-error: split the value into strings of up to 255
 * characters, each in double quotes). terraform-provider-aws does not check it (hashicorp/terraform-provider-aws#14941,
 * "Route53 doesn't validate TXT record lengths") and sends each `records` entry wrapped in double quotes
 * (route53 flattenTxtEntry: `"%s"`), so `abc""def` or `abc" "def` is two strings and a DKIM key written whole is one too
 * long: `pulumi preview` passes and ChangeResourceRecordSets fails at `pulumi up`. A string's length counts an escaped
 * character (`\"`, `\\`, an octal code `\ddd`: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat) as one.
 */
const TXT_STRING_CHARACTERS = 255;

/** The character strings Route 53 reads from a TXT entry as terraform-provider-aws sends it (the entry in double quotes). */
function txtCharacterStrings(entry: string): string[] {
  // An escape is one character: \" or \\, and a \ddd code ("ex\344mple.com", Route 53's TXT record format).
  return [...`"${entry}"`.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(\d{3}|.)/g, (_, escaped: string) => (escaped.length === 3 ? String.fromCharCode(parseInt(escaped, 8) || 0) : escaped)));
}

export const ROUTE53_TXT_STRINGS: DeployRule = {
  id: "Route53TxtStrings",
  title: "A TXT or SPF record's value is strings of at most 255 characters each",
  source: "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const record of ofType(graph, RECORD).filter((r) => r.inputs.type === "TXT" || r.inputs.type === "SPF")) {
      for (const entry of (record.inputs.records ?? []) as unknown[]) {
        if (typeof entry !== "string") continue;
        const long = txtCharacterStrings(entry).filter((string) => string.length > TXT_STRING_CHARACTERS);
        if (long.length === 0) continue;
        findings.push(
          finding(
            this.id,
            record,
            `has a ${record.inputs.type} value holding a string of ${Math.max(...long.map((string) => string.length))} characters (${JSON.stringify(entry.slice(0, 24))}…); Route 53 takes strings of at most ${TXT_STRING_CHARACTERS} and refuses it (CharacterStringTooLong, "Value is too long") at \`pulumi up\``,
            `split the value into strings of at most ${TXT_STRING_CHARACTERS} characters with "" between them in the records entry (first255characters""therest); DNS clients join them back`,
          ),
        );
      }
    }
    return findings;
  },
};

/** ResourceRecord Value: "The current or new DNS record value, not to exceed 4,000 characters" (Length Constraints: Maximum length of 4000). */
const RECORD_VALUE_CHARACTERS = 4000;

/**
 * Each value of a record set is at most 4,000 characters (Route 53 API reference, ResourceRecord `Value`). Read on every
 * `records` entry of an `aws.route53.Record` as terraform-provider-aws sends it: a TXT or SPF entry wrapped in double
 * quotes (flattenTxtEntry, as Route53TxtStrings reads it), so two characters more than written; other types as written.
 * Counted in characters (code points). A TXT value of many 255-character strings (a long SPF or a 4096-bit DKIM key
 * split right) passes Route53TxtStrings and can still be over this. terraform-provider-aws's `records` is a set of strings
 * with no ValidateFunc (route53 record.go), so `pulumi preview` passes and ChangeResourceRecordSets refuses it at `pulumi up`.
 */
export const ROUTE53_RECORD_VALUE_LENGTH: DeployRule = {
  id: "Route53RecordValueLength",
  title: "Each value of a Route 53 record is at most 4,000 characters",
  source: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecord.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const record of ofType(graph, RECORD)) {
      const quoted = record.inputs.type === "TXT" || record.inputs.type === "SPF";
      for (const entry of (record.inputs.records ?? []) as unknown[]) {
        if (typeof entry !== "string") continue;
        const sent = quoted ? `"${entry}"` : entry;
        const characters = [...sent].length;
        if (characters <= RECORD_VALUE_CHARACTERS) continue;
        findings.push(
          finding(
            this.id,
            record,
            `has a ${record.inputs.type} value of ${characters} characters${quoted ? " as sent (the entry in double quotes)" : ""} (${JSON.stringify(entry.slice(0, 24))}…); Route 53 takes a record value of at most ${RECORD_VALUE_CHARACTERS} characters and refuses it at \`pulumi up\``,
            // Each records entry is a TXT record of its own, and SPF and DKIM read one record (RFC 7208 4.5: more than one
            // "v=spf1" record is a permerror; RFC 6376 3.6.2.2: the strings of one record are joined, not records), so
            // splitting the value across entries would break the very records that grow this long.
            quoted
              ? `shorten the value to at most ${RECORD_VALUE_CHARACTERS - 2} characters (an SPF include: instead of listed addresses, a 2048-bit DKIM key); several records entries are several TXT records, which an SPF or DKIM lookup does not join`
              : `shorten the value to at most ${RECORD_VALUE_CHARACTERS} characters`,
          ),
        );
      }
    }
    return findings;
  },
};

export const ROUTE53_RULES: DeployRule[] = [ROUTE53_ROUTING_RECORDS, ROUTE53_RECORD_OWNED_ONCE, ROUTE53_ALIAS_TARGET_HEALTH, ROUTE53_ALIAS_IPV6_TARGET, ROUTE53_FAILOVER_PAIR, ROUTE53_HEALTH_CHECK, APIGATEWAY_DOMAIN_CERTIFICATE_REGION, ROUTE53_TXT_STRINGS, ROUTE53_RECORD_VALUE_LENGTH];
export const ROUTE53_PROJECT_RULES: ProjectDeployRule[] = [ROUTE53_RECORD_OWNED_ONCE_ACROSS_STACKS, ROUTE53_ROUTING_POLICY_ACROSS_STACKS];
