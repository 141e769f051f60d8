/**
 * TransitionRoutingSlotTaken (review 100 #1): a Route 53 routing slot — a latency region, a failover role, a
 * geolocation location of one name and type — written to one record while another still holds it. Failing: the cases
 * of the review (RegionalApis' failover standby moved to another region; DnsRouting's PRIMARY and SECONDARY swapped;
 * latency regions swapped between records; a record's id renamed with its slot kept). Passing: a region added to a free
 * slot, the same slots with new targets, a record renamed with aliases, a replacement with deleteBeforeReplace, a record
 * that waits for the holder, weighted records renamed, and no change.
 */
import { describe, expect, it } from "vitest";
import { DnsRouting, FailoverRole, RoutingPolicy, type DnsRoutingRecord } from "../../components/dns-routing";
import { RegionalApis, type RegionalApisArgs } from "../../components/regional-apis";
import type { RecordedResource } from "../../local/offline/mocks";
import { PLAN_TRANSITION_RULES } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { handBuilt, onceEach, saved, transition } from "./fixture";
import { API_GATEWAY_REGIONAL_ZONE_IDS } from "../../components/dns-routing/api-gateway-zones";

const RULE = "TransitionRoutingSlotTaken";
const RECORD = "aws:route53/record:Record";
const zoneId = "Z0123456789EXAMPLE0000";
const name = "api.gallery.example.com";
/** A regional API domain in `region` under that region's API Gateway zone (DnsRouting refuses another zone). */
const target = (region: string) => ({ name: `d-abc.execute-api.${region}.amazonaws.com`, zoneId: API_GATEWAY_REGIONAL_ZONE_IDS[region]! });
const healthCheck = (region: string) => ({ fqdn: `abc.execute-api.${region}.amazonaws.com`, path: "/prod/health" });

const routing = onceEach((policy: RoutingPolicy, records: DnsRoutingRecord[]) => record(() => new DnsRouting("api-routing", { zoneId, name, policy, records })));
const latency = (...records: Array<[id: string, region: string]>) => routing(RoutingPolicy.Latency, records.map(([id, region]) => ({ id, region, target: target(region), healthCheck: healthCheck(region) })));
const failover = (...records: Array<[id: string, region: string, role: "PRIMARY" | "SECONDARY"]>) =>
  routing(RoutingPolicy.Failover, records.map(([id, region, role]) => ({ id, failover: role === "PRIMARY" ? FailoverRole.Primary : FailoverRole.Secondary, target: target(region), healthCheck: healthCheck(region) })));
const geolocation = (...records: Array<[id: string, location: DnsRoutingRecord["location"]]>) => routing(RoutingPolicy.Geolocation, records.map(([id, location]) => ({ id, location, target: target("us-east-1") })));

/** [resource, problem] of each finding of the rule, and nothing of any other rule. */
function slotFindings(before: RecordedResource[], after: RecordedResource[]) {
  const findings = transition(before, after);
  expect(findings.filter((f) => f.rule !== RULE).map((f) => f.rule)).toEqual([]);
  return findings.map((f) => [f.resource, f.problem, f.fix] as const);
}
const names = (findings: ReadonlyArray<readonly [string, string, string]>) => findings.map(([resource]) => resource.replace(`${RECORD} `, "")).sort();

describe("TransitionRoutingSlotTaken", () => {
  it("finds RegionalApis' failover standby moved from us-west-2 to eu-west-1: the new SECONDARY is created while us-west-2's still holds the role", async () => {
    const args = (standby: string): RegionalApisArgs => ({
      regions: ["us-east-1", standby],
      api: { basePath: "api", stages: { prod: {} }, routes: { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } } },
      domain: { name, hostedZoneId: zoneId },
      routing: { policy: RoutingPolicy.Failover },
    });
    const [before, after] = [await record(() => new RegionalApis("api", args("us-west-2"))), await record(() => new RegionalApis("api", args("eu-west-1")))];
    const findings = transition(before, after).filter((f) => f.rule === RULE);
    expect(findings.map((f) => f.resource)).toEqual([`${RECORD} api-routing-a-euwest1`, `${RECORD} api-routing-aaaa-euwest1`]);
    expect(findings[0].problem).toBe(
      "is created by the update in the SECONDARY failover slot (api.gallery.example.com A, set eu-west-1); api-routing-a-uswest2 (api.gallery.example.com A, set us-west-2) of the deployed plan holds it until the end of the update: it is removed from the program, and Pulumi deletes removed resources only after every create and update. " +
        'Route 53 keeps one PRIMARY and one SECONDARY record per name and type (ResourceRecordSet, Failover: "you add the Failover element to two resource record sets", one PRIMARY, the other SECONDARY) and refuses the change (its wording is not confirmed; the console says "RRset for same type with Primary (or Sec) exists", boto/boto3#1347), and the update stops part-way',
    );
    expect(findings[0].fix).toMatch(/^if api-routing-a-euwest1 takes api-routing-a-uswest2's place, keep it on the deployed resource: .* Otherwise take it in two updates: remove api-routing-a-uswest2 first \(pulumi destroy --target 'urn:pulumi:\S+api-routing-a-uswest2', or a pulumi up without it\), then pulumi up adds api-routing-a-euwest1/);
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === RULE)?.source).toBe("https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html");
  });

  it("finds DnsRouting's PRIMARY and SECONDARY swapped in place: two updates in no set order, the first leaves two records of one role", async () => {
    const findings = slotFindings(await failover(["east", "us-east-1", "PRIMARY"], ["west", "us-west-2", "SECONDARY"]), await failover(["east", "us-east-1", "SECONDARY"], ["west", "us-west-2", "PRIMARY"]));
    expect(names(findings)).toEqual(["api-routing-a-east", "api-routing-a-west", "api-routing-aaaa-east", "api-routing-aaaa-west"]);
    const east = findings.find(([r]) => r.endsWith(" api-routing-a-east"))!;
    expect(east[1]).toMatch(/^moves in place from the PRIMARY failover slot to the SECONDARY failover slot \(api\.gallery\.example\.com A, set east\); api-routing-a-west \(api\.gallery\.example\.com A, set west\) holds it in the deployed plan and leaves it \(for the PRIMARY failover slot\) in its own update, which api-routing-a-east does not wait for/);
    expect(east[2]).toMatch(/^make api-routing-a-east dependOn api-routing-a-west, .*Where records trade slots \(a swap\) no order works: keep each record in its slot and swap what the records point to instead .*DnsRouting: swap the records' target and healthCheck between the ids/);
  });

  it("finds latency regions swapped between two records in place, and a latency record's id renamed with its region kept (the refusal AWS printed)", async () => {
    const deployed = await latency(["east", "us-east-1"], ["west", "us-west-2"]);
    expect(names(slotFindings(deployed, await latency(["east", "us-west-2"], ["west", "us-east-1"])))).toEqual(["api-routing-a-east", "api-routing-a-west", "api-routing-aaaa-east", "api-routing-aaaa-west"]);
    const renamed = slotFindings(deployed, await latency(["us-east-1", "us-east-1"], ["us-west-2", "us-west-2"]));
    expect(names(renamed)).toEqual(["api-routing-a-useast1", "api-routing-a-uswest2", "api-routing-aaaa-useast1", "api-routing-aaaa-uswest2"]);
    expect(renamed.find(([r]) => r.endsWith(" api-routing-a-useast1"))![1]).toMatch(
      /^is created by the update in the latency slot of us-east-1 \(api\.gallery\.example\.com A, set us-east-1\); api-routing-a-east .* Route 53 keeps one latency record per region of a name and type \("You can only create one latency resource record set for each Amazon EC2 Region", ResourceRecordSet\) and refuses the change \("InvalidChangeBatch: … cannot be created because a latency RRSet with the same name, type and region already exists", hashicorp\/terraform-provider-aws#1668\)/,
    );
    // The same from a saved plan (records keep their inputs there).
    expect(names(slotFindings(saved(deployed), await latency(["us-east-1", "us-east-1"], ["us-west-2", "us-west-2"])))).toEqual(names(renamed));
  });

  it("finds a geolocation record's id renamed with its location kept", async () => {
    const findings = slotFindings(await geolocation(["europe", { continent: "EU" }], ["rest", { default: true }]), await geolocation(["eu", { continent: "EU" }], ["rest", { default: true }]));
    expect(names(findings)).toEqual(["api-routing-a-eu", "api-routing-aaaa-eu"]);
    expect(findings[0][1]).toMatch(/^is created by the update in the geolocation slot of continent EU .*You can't create two geolocation resource record sets that specify the same geographic location/);
  });

  it("passes a region added to a free slot, the same ids and slots with new targets, a new default location, and no change", async () => {
    const one = await latency(["us-east-1", "us-east-1"]);
    expect(transition(one, await latency(["us-east-1", "us-east-1"], ["us-west-2", "us-west-2"]))).toEqual([]);
    const pair = await failover(["east", "us-east-1", "PRIMARY"], ["west", "us-west-2", "SECONDARY"]);
    expect(transition(pair, await failover(["east", "us-east-1", "PRIMARY"], ["west", "eu-west-1", "SECONDARY"]))).toEqual([]);
    expect(transition(pair, pair)).toEqual([]);
    expect(transition(await geolocation(["europe", { continent: "EU" }], ["rest", { default: true }]), await geolocation(["europe", { continent: "EU" }], ["other", { country: "US" }], ["rest", { default: true }]))).toEqual([]);
  });
});

describe("TransitionRoutingSlotTaken on hand-built records", () => {
  const latencyRecord = (logical: string, setIdentifier: string, region: string, more: Partial<RecordedResource> = {}, inputs: Record<string, unknown> = {}) =>
    handBuilt(RECORD, logical, { zoneId, name, type: "A", setIdentifier, latencyRoutingPolicies: [{ region }], aliases: [{ ...target(region), evaluateTargetHealth: true }], ...inputs }, more);
  const weighted = (logical: string, setIdentifier: string) => handBuilt(RECORD, logical, { zoneId, name, type: "A", setIdentifier, weightedRoutingPolicies: [{ weight: 1 }], records: ["192.0.2.1"], ttl: 60 });

  it("passes a record renamed with aliases to its deployed name (one in-place batch), and weighted records renamed", () => {
    const east = latencyRecord("east", "east", "us-east-1");
    expect(transition([east], [latencyRecord("us-east-1", "us-east-1", "us-east-1", { aliases: [east.urn] })])).toEqual([]);
    expect(slotFindings([east], [latencyRecord("us-east-1", "us-east-1", "us-east-1")]).map(([r]) => r)).toEqual([`${RECORD} us-east-1`]);
    expect(transition([weighted("a", "a")], [weighted("b", "b")]).filter((f) => f.rule === RULE)).toEqual([]);
  });

  it("finds a record replaced create-before-delete into its own slot under another set identifier, and passes it with deleteBeforeReplace", () => {
    // A set identifier changes in place unless the program asks otherwise (review 102 F7: replaceOnChanges, as a real program would).
    const deployed = latencyRecord("east", "east", "us-east-1");
    expect(transition([deployed], [latencyRecord("east", "us-east-1", "us-east-1")])).toEqual([]);
    const findings = slotFindings([deployed], [latencyRecord("east", "us-east-1", "us-east-1", { replaceOnChanges: ["setIdentifier"] })]);
    expect(findings.map(([r]) => r)).toEqual([`${RECORD} east`]);
    expect(findings[0][1]).toMatch(/^is replaced create-before-delete, its new copy created in the latency slot of us-east-1 \(api\.gallery\.example\.com A, set us-east-1\); its deployed copy east \(api\.gallery\.example\.com A, set east\) holds it until the end of the update/);
    expect(findings[0][2]).toMatch(/^set deleteBeforeReplace: true on east/);
    expect(transition([deployed], [latencyRecord("east", "us-east-1", "us-east-1", { replaceOnChanges: ["setIdentifier"], deleteBeforeReplace: true })])).toEqual([]);
    // Replaced for its replaceWith: create-first when the security group it names is, delete-first when that is replaced
    // delete-first, whose branch deletes the record before it (pulumi step_generator.go findDependentCascadeReplacements).
    const sg = (vpcId: string, more: Partial<RecordedResource> = {}) => handBuilt("aws:ec2/securityGroup:SecurityGroup", "api-sg", { description: "Managed by Pulumi", vpcId }, { id: "sg-0123456789", ...more });
    const withSg = latencyRecord("east", "east", "us-east-1", { replaceWith: [sg("vpc-1").urn] });
    const moved = latencyRecord("east", "us-east-1", "us-east-1", { replaceWith: [sg("vpc-1").urn] });
    expect(slotFindings([sg("vpc-1"), withSg], [sg("vpc-2"), moved]).map(([r]) => r)).toEqual([`${RECORD} east`]);
    expect(transition([sg("vpc-1"), withSg], [sg("vpc-2", { deleteBeforeReplace: true, deleteBeforeReplaceDefined: true }), moved])).toEqual([]);
  });

  it("passes a record that waits (dependsOn) for the holder's own move, and finds one whose holder is retained", () => {
    const before = [latencyRecord("east", "east", "us-east-1")];
    const moved = latencyRecord("east", "east", "eu-west-1");
    expect(transition(before, [moved, latencyRecord("new-east", "new-east", "us-east-1", { dependencies: [moved.urn] })])).toEqual([]);
    expect(slotFindings(before, [moved, latencyRecord("new-east", "new-east", "us-east-1")]).map(([r]) => r)).toEqual([`${RECORD} new-east`]);
    const retained = slotFindings([latencyRecord("east", "east", "us-east-1", { retainOnDelete: true })], [latencyRecord("new-east", "new-east", "us-east-1")]);
    expect(retained.map(([, problem]) => problem)).toEqual([expect.stringMatching(/east \(api\.gallery\.example\.com A, set east\) of the deployed plan holds it and keeps it: it is removed from the program without being deleted/)]);
  });

  it("finds a record created into a slot whose holder ignoreChanges keeps there, though the program moves it (review 102 F3)", () => {
    const before = [latencyRecord("east", "east", "us-east-1")];
    const findings = slotFindings(before, [latencyRecord("east", "east", "eu-west-1", { ignoreChanges: ["latencyRoutingPolicies"] }), latencyRecord("new", "new", "us-east-1")]);
    expect(findings).toEqual([
      [
        `${RECORD} new`,
        expect.stringMatching(/^is created by the update in the latency slot of us-east-1 \(api\.gallery\.example\.com A, set new\); east \(api\.gallery\.example\.com A, set east\) holds it in the deployed plan and keeps it: its ignoreChanges "latencyRoutingPolicies" puts the deployed latencyRoutingPolicies \[\{"region":"us-east-1"\}\] back whatever the program gives it/),
        'drop "latencyRoutingPolicies" from the ignoreChanges of east, so that the update moves it out of the slot (and make new dependOn east), or give new another slot',
      ],
    ]);
    // The program keeping the holder in the slot is that plan's own duplicate (Route53RoutingRecords), not this rule's.
    expect(transition(before, [latencyRecord("east", "east", "us-east-1"), latencyRecord("new", "new", "us-east-1")]).map((f) => f.rule)).toEqual([]);
  });
});
