/**
 * How the Route 53, Cognito and transition rules name a record and its record set, and how the project rules group
 * the stacks' claims (internal to the rule pack; not exported from serverless-fullstack/testing).
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { dnsName } from "./names";

export const RECORD = "aws:route53/record:Record";
const ZONE = "aws:route53/zone:Zone";

/**
 * A hosted zone id as Route 53 takes it: the provider strips the "/hostedzone/" prefix the API returns ids with
 * (terraform-provider-aws internal/service/route53/clean.go cleanZoneID, on zone_id in every record.go CRUD function),
 * so "/hostedzone/Z123" and "Z123" write into one zone.
 */
function hostedZoneId(zoneId: unknown): unknown {
  return typeof zoneId === "string" ? zoneId.replace(/^\/hostedzone\//, "") : zoneId;
}

/**
 * The plan's hosted zone a zoneId names (by its id or zoneId), or undefined for a zone outside the plan. Read from the
 * graph on every call, with no cache: a plan holds few zones and records, and a graph a caller changes after a first
 * lookup (a zone appended to the array) is read as it is now.
 */
export function plannedZone(graph: Graph, zoneId: unknown): RecordedResource | undefined {
  if (zoneId === undefined) return undefined;
  const id = hostedZoneId(zoneId);
  return ofType(graph, ZONE).find((z) => z.id === id || (z.state.zoneId !== undefined && z.state.zoneId === id));
}

/** The name of the plan's hosted zone a zoneId names, or "" for a zone outside the plan. */
function zoneName(graph: Graph, zoneId: unknown): string {
  const zone = plannedZone(graph, zoneId);
  return zone ? dnsName(zone.state.name ?? zone.inputs.name) : "";
}

/**
 * The full name a record writes, as the provider makes it (terraform-provider-aws internal/service/route53/record.go
 * expandRecordName): a name that does not end with its zone's name gets the zone's appended, and an empty one is the
 * zone's apex. The provider compares as strings, so "wwwexample.com" in zone example.com stays as it is. A zone
 * outside the plan has no known name: the record's name is taken as written.
 */
export function recordName(graph: Graph, record: RecordedResource): string {
  const name = dnsName(record.inputs.name);
  const zone = zoneName(graph, record.inputs.zoneId);
  if (!zone || name.endsWith(zone)) return name;
  return name ? `${name}.${zone}` : zone;
}

/**
 * The record set a record belongs to, as Route 53 tells them apart: zone, full name and type, and, with
 * `setIdentifier`, the set identifier (record.go findResourceRecordSetByFourPartKey).
 */
export function recordSetKey(graph: Graph, record: RecordedResource, { setIdentifier }: { setIdentifier: boolean }): string {
  const zoneId = hostedZoneId(record.inputs.zoneId);
  const { type } = record.inputs;
  return JSON.stringify(setIdentifier ? [zoneId, recordName(graph, record), type, record.inputs.setIdentifier ?? null] : [zoneId, recordName(graph, record), type]);
}

/**
 * The record set a record writes (recordSetKey, with its setIdentifier unless told otherwise), or undefined while its
 * zone, name or type is not a string: a value the plan does not know cannot be told equal to another record's.
 */
export function ownedRecordSetKey(graph: Graph, record: RecordedResource, { setIdentifier = true }: { setIdentifier?: boolean } = {}): string | undefined {
  const { zoneId, name, type } = record.inputs;
  if (typeof zoneId !== "string" || typeof name !== "string" || typeof type !== "string") return undefined;
  return recordSetKey(graph, record, { setIdentifier });
}

/** The routing policy a record uses, or undefined for a simple record. */
export function policyOf(r: RecordedResource): string | undefined {
  const i = r.inputs;
  if (i.latencyRoutingPolicies?.length) return "latency";
  if (i.failoverRoutingPolicies?.length) return "failover";
  if (i.geolocationRoutingPolicies?.length) return "geolocation";
  if (i.weightedRoutingPolicies?.length) return "weighted";
  if (i.geoproximityRoutingPolicy) return "geoproximity";
  if (i.cidrRoutingPolicy) return "cidr";
  if (i.multivalueAnswerRoutingPolicy) return "multivalue";
  return undefined;
}

/** The routing policy of a record, "simple" without one. */
export const policyName = (r: RecordedResource): string => policyOf(r) ?? "simple";

/**
 * The routing policies of records of one name and type, each once. Route 53 takes one per name and type
 * (ResourceRecordSet: "You cannot create non-latency resource record sets that have the same values for the Name and
 * Type elements as latency resource record sets"), so more than one is a set it refuses.
 */
export function routingPolicies(records: readonly RecordedResource[]): string[] {
  return [...new Set(records.map(policyName))];
}

/**
 * Each claim that another stack's claim shares a key with, and those other stacks' claims: what a project rule reports,
 * one finding per claim, in the order the keys were first claimed. Claims of a single stack are left to that plan's
 * own rule; a claim without a key (a value the plan does not know) is left out.
 */
export function sharedAcrossStacks<C extends { stack: string }>(claims: Iterable<C>, key: (claim: C) => string | undefined): Array<{ key: string; claim: C; others: C[] }> {
  const byKey = new Map<string, C[]>();
  for (const claim of claims) {
    const k = key(claim);
    if (k !== undefined) byKey.set(k, [...(byKey.get(k) ?? []), claim]);
  }
  return [...byKey].flatMap(([k, list]) =>
    list.flatMap((claim) => {
      const others = list.filter((c) => c.stack !== claim.stack);
      return others.length > 0 ? [{ key: k, claim, others }] : [];
    }),
  );
}
