/**
 * TransitionDbSubnetInUse (a transition WARNING): a RelationalDatabase's DB subnet group that loses a subnet in place
 * (ModifyDBSubnetGroup) while its cluster stays; RDS refuses when an instance of the cluster is in that subnet, which no
 * plan shows. Recorded plans before and after (existingVpc.subnetIds shortened or swapped; a PrivateNetwork's zones
 * 4 → 3 and a named-zone list shortened at its end, which awsx does not re-lay), a saved plan, and what it leaves alone.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PrivateNetwork } from "../../components/private-network";
import { reportTransitionWarnings } from "../../scripts/plan";
import { RelationalDatabase } from "../../components/relational-database";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkPlanTransition, checkPlanTransitionWarnings, formatFinding, PLAN_TRANSITION_RULES, PLAN_TRANSITION_WARNING_RULES, planUpdate } from "../../testing/deploy-rules";
import { record, useMocks } from "../harness/mocks";
import { handBuilt, onceEach, saved } from "./fixture";
import { serverlessDatabase, SUBNET_GROUP } from "./fixtures/rds";

const ZONES: Record<string, string> = { "subnet-1a": "us-east-1a", "subnet-1b": "us-east-1b", "subnet-1c": "us-east-1c", "subnet-1d": "us-east-1d" };
beforeAll(() => useMocks({ invokes: { "aws:ec2/getSubnet:getSubnet": ({ id }) => (ZONES[id] ? { id, availabilityZone: ZONES[id] } : undefined) } }));

const onExisting = onceEach((subnetIds: string[], vpcId: string = "vpc-0abc") =>
  record(() => new RelationalDatabase("db", { network: new PrivateNetwork("net", { existingVpc: { vpcId, subnetIds } }), finalSnapshot: false })),
);
const onCreated = onceEach((availabilityZones: number | string[]) => record(() => new RelationalDatabase("db", { network: new PrivateNetwork("net", { availabilityZones }), finalSnapshot: false })));

const warnings = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransitionWarnings(before, after, { stack: "prod" });
const leaving = (before: RecordedResource[], after: RecordedResource[]) => warnings(before, after).map((f) => f.problem.match(/loses subnets? (.*?) in place/)?.[1]);

describe("TransitionDbSubnetInUse (warning)", () => {
  it("is a warning rule with its source, not a transition failure", () => {
    expect(PLAN_TRANSITION_WARNING_RULES.map((r) => [r.id, r.source])).toEqual([["TransitionDbSubnetInUse", "https://aws.amazon.com/premiumsupport/knowledge-center/rds-db-subnet-group/"]]);
    expect(PLAN_TRANSITION_RULES.map((r) => r.id)).not.toContain("TransitionDbSubnetInUse");
  });

  it("warns when existingVpc.subnetIds is shortened, naming the database, the subnet leaving, RDS's refusal and the fix; the plan does not fail", async () => {
    const [before, after] = [await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"]), await onExisting(["subnet-1a", "subnet-1b"])];
    expect(warnings(before, after).map(formatFinding)).toEqual([
      'prod: [TransitionDbSubnetInUse] aws:rds/subnetGroup:SubnetGroup db-subnets: RelationalDatabase "db" (its DB subnet group db-subnets), used by cluster db-cluster, loses subnet subnet-1c in place (subnetIds is changed with ModifyDBSubnetGroup). RDS refuses to take a subnet out of a DB subnet group while a DB instance is launched in it (AWS Knowledge Center, rds-db-subnet-group), and the update stops part-way; the plan cannot tell which subnet the writer and readers are in, so this is a warning: it fails only when one of them is in a subnet leaving. Fix: keep the subnets a database uses in its network for its life; or move the database: restore a snapshot into a RelationalDatabase on the new subnets',
    ]);
    expect(warnings(before, after)[0].urn).toMatch(/\$aws:rds\/subnetGroup:SubnetGroup::db-subnets$/);
    expect(checkPlanTransition(before, after, { stack: "prod" })).toEqual([]);
  });

  it("reads an update already judged (planUpdate of the same plans, as scripts/plan.ts passes one to both checks) instead of judging the plans again", async () => {
    const [before, after] = [await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"]), await onExisting(["subnet-1a", "subnet-1b"])];
    const update = planUpdate(before, after);
    expect(checkPlanTransitionWarnings(before, after, { stack: "prod" }, { update })).toEqual(warnings(before, after));
    expect(checkPlanTransition(before, after, { stack: "prod" }, { update })).toEqual([]);
    // The update is what is read: with it, the plans given beside it are not judged again.
    expect(checkPlanTransitionWarnings([], [], { stack: "prod" }, { update })).toEqual(warnings(before, after));
  });

  it("warns when a subnet is swapped for another (the new one added, the old one leaving)", async () => {
    expect(leaving(await onExisting(["subnet-1a", "subnet-1b"]), await onExisting(["subnet-1a", "subnet-1c"]))).toEqual(["subnet-1b"]);
    expect(leaving(await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"]), await onExisting(["subnet-1c", "subnet-1d"]))).toEqual(["subnet-1a, subnet-1b"]);
  });

  it("warns when a new PrivateNetwork's zones drop without a re-layout (4 → 3) or its named zones are shortened at the end; TransitionVpcSubnetLayout has nothing to say", async () => {
    const [four, three] = [await onCreated(4), await onCreated(3)];
    expect(warnings(four, three).map((f) => f.rule)).toEqual(["TransitionDbSubnetInUse"]);
    expect(leaving(four, three)).toEqual([expect.stringMatching(/^subnet-[0-9a-f]{17}$/)]);
    expect(checkPlanTransition(four, three, { stack: "prod" })).toEqual([]);
    const [abc, ab] = [await onCreated(["us-east-1a", "us-east-1b", "us-east-1c"]), await onCreated(["us-east-1a", "us-east-1b"])];
    expect(warnings(abc, ab).map((f) => f.rule)).toEqual(["TransitionDbSubnetInUse"]);
  });

  it("judges a saved plan (it keeps the group's subnetIds and the cluster's dbSubnetGroupName)", async () => {
    const before = saved(await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"]));
    expect(before.find((r) => r.type === "aws:rds/subnetGroup:SubnetGroup")?.inputs.subnetIds).toEqual(["subnet-1a", "subnet-1b", "subnet-1c"]);
    expect(leaving(before, await onExisting(["subnet-1a", "subnet-1b"]))).toEqual(["subnet-1c"]);
    // A plan saved before the group's subnetIds were kept is not judged.
    const older = before.map((r) => (r.type === "aws:rds/subnetGroup:SubnetGroup" ? { ...r, inputs: {}, savedInputs: ["name", "namePrefix"] } : r));
    expect(warnings(older, await onExisting(["subnet-1a", "subnet-1b"]))).toEqual([]);
  });

  it("passes subnets kept or added, zones added (3 → 4), and a new VPC (the subnet group is replaced with the security group: replaceWith)", async () => {
    expect(warnings(await onExisting(["subnet-1a", "subnet-1b"]), await onExisting(["subnet-1a", "subnet-1b"]))).toEqual([]);
    expect(warnings(await onExisting(["subnet-1a", "subnet-1b"]), await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"]))).toEqual([]);
    expect(warnings(await onCreated(3), await onCreated(4))).toEqual([]);
    expect(warnings(await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"]), await onExisting(["subnet-1a", "subnet-1b"], "vpc-0def"))).toEqual([]);
    // Also from a saved plan, which keeps the security group's vpcId.
    expect(warnings(saved(await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"])), await onExisting(["subnet-1a", "subnet-1b"], "vpc-0def"))).toEqual([]);
  });

  it("compares the known ids when new ones are unknown, and leaves a group no database of both plans uses alone", () => {
    const group = (subnetIds: unknown[]) => handBuilt("aws:rds/subnetGroup:SubnetGroup", "db-subnets", { subnetIds }, { id: "db-subnets-5d6e7f8" });
    const cluster = handBuilt("aws:rds/cluster:Cluster", "db-cluster", { engine: "aurora-postgresql", dbSubnetGroupName: "db-subnets-5d6e7f8" });
    const problem = (before: RecordedResource[], after: RecordedResource[]) => warnings(before, after).map((f) => f.problem.match(/loses subnets? (.*?) in place \(subnetIds is changed with ModifyDBSubnetGroup(.*?)\)\./)?.slice(1));
    // A new subnet's id not known yet: the one known to leave is still leaving; the unknown one is said.
    expect(problem([group(["subnet-a", "subnet-b", "subnet-c"]), cluster], [group(["subnet-a", "subnet-b", undefined]), cluster])).toEqual([["subnet-c", "; 1 new subnet id is not known yet, compared as far as known"]]);
    expect(warnings([group(["subnet-a", "subnet-b"]), cluster], [group(["subnet-a", "subnet-b", undefined]), cluster])).toEqual([]);
    // No cluster, or the cluster removed with it (its subnets go with it), or a cluster of another group.
    expect(warnings([group(["subnet-a", "subnet-b", "subnet-c"])], [group(["subnet-a", "subnet-b"])])).toEqual([]);
    expect(warnings([group(["subnet-a", "subnet-b", "subnet-c"]), cluster], [group(["subnet-a", "subnet-b"])])).toEqual([]);
    const elsewhere = { ...cluster, inputs: { ...cluster.inputs, dbSubnetGroupName: "other-group" } };
    expect(warnings([group(["subnet-a", "subnet-b", "subnet-c"]), elsewhere], [group(["subnet-a", "subnet-b"]), elsewhere])).toEqual([]);
    // The hand-built database of the Aurora fixtures (fixtures/rds.ts): its group loses subnet-b.
    const database = serverlessDatabase();
    const shortened = database.map((r) => (r.type === SUBNET_GROUP ? { ...r, inputs: { ...r.inputs, subnetIds: ["subnet-a"] } } : r));
    expect(warnings(database, shortened).map((f) => [f.resource, f.problem.split(" in place")[0]])).toEqual([[`${SUBNET_GROUP} db-subnets`, "DB subnet group db-subnets, used by cluster db-cluster, loses subnet subnet-b"]]);
    // A hand-built group used by an instance of its own is named as a DB subnet group.
    const instance = handBuilt("aws:rds/clusterInstance:ClusterInstance", "db-writer", { clusterIdentifier: "db-cluster-id", engine: "aurora-postgresql", dbSubnetGroupName: "db-subnets-5d6e7f8" });
    expect(warnings([group(["subnet-a", "subnet-b", "subnet-c"]), instance], [group(["subnet-a", "subnet-b"]), instance]).map((f) => f.problem.split(" in place")[0])).toEqual(["DB subnet group db-subnets, used by instance db-writer, loses subnet subnet-c"]);
  });

  it("judges the group's replacement as the transition checks do: aliases followed, ignoreChanges and replaceOnChanges read", () => {
    const group = (subnetIds: string[], more: Partial<RecordedResource> = {}) => handBuilt("aws:rds/subnetGroup:SubnetGroup", "db-subnets", { name: "db-subnets-5d6e7f8", subnetIds }, { id: "db-subnets-5d6e7f8", ...more });
    const cluster = (more: Partial<RecordedResource> = {}) => handBuilt("aws:rds/cluster:Cluster", "db-cluster", { engine: "aurora-postgresql", dbSubnetGroupName: "db-subnets-5d6e7f8" }, more);
    const before = [group(["subnet-a", "subnet-b", "subnet-c"]), cluster()];
    const rules = (after: RecordedResource[]) => warnings(before, after).map((f) => f.rule);
    // Group and cluster renamed with aliases: the deployed ones, updated in place; the group still loses subnet-c.
    const renamed = (r: RecordedResource) => ({ ...r, name: `${r.name}-2`, urn: `${r.urn}-2`, aliases: [r.urn] });
    expect(warnings(before, [renamed(group(["subnet-a", "subnet-b"])), renamed(cluster())]).map((f) => [f.resource, f.urn])).toEqual([["aws:rds/subnetGroup:SubnetGroup db-subnets-2", "urn:pulumi:dev::fixture::aws:rds/subnetGroup:SubnetGroup::db-subnets-2"]]);
    // A new name that ignoreChanges holds at the deployed one: not replaced, so modified in place.
    expect(rules([group(["subnet-a", "subnet-b"], { inputs: { name: "db-subnets-other", subnetIds: ["subnet-a", "subnet-b"] }, ignoreChanges: ["name"] }), cluster()])).toEqual(["TransitionDbSubnetInUse"]);
    // replaceOnChanges on subnetIds: the group is replaced (created anew with its new subnets), not modified.
    expect(rules([group(["subnet-a", "subnet-b"], { replaceOnChanges: ["subnetIds"] }), cluster()])).toEqual([]);
    // A replaceWith naming a resource replaced only through its own replaceWith (the cascade followed further).
    const sg = (vpcId: string) => handBuilt("aws:ec2/securityGroup:SecurityGroup", "db-sg", { description: "Managed by Pulumi", vpcId }, { id: "sg-0123456789" });
    const marker = handBuilt("aws:s3/bucket:Bucket", "db-marker", {}, { replaceWith: [sg("vpc-1").urn] });
    const via = [group(["subnet-a", "subnet-b"], { replaceWith: [marker.urn] }), cluster()];
    expect(warnings([...before, sg("vpc-1"), marker], [...via, sg("vpc-1"), marker])).toHaveLength(1);
    expect(warnings([...before, sg("vpc-1"), marker], [...via, sg("vpc-2"), marker])).toEqual([]);
  });

  it("is printed by `npm run plan -- --since` as a warning under its own heading, and nothing when there is none", async () => {
    const lines: string[] = [];
    reportTransitionWarnings(warnings(await onExisting(["subnet-1a", "subnet-1b", "subnet-1c"]), await onExisting(["subnet-1a", "subnet-1b"])), "main.json", (line) => lines.push(line));
    expect(lines).toEqual([
      "\nSince main.json: 1 warning(s), what AWS refuses only in a state the plans do not show; they never fail the plan:",
      expect.stringMatching(/^  - warning: prod: \[TransitionDbSubnetInUse\] aws:rds\/subnetGroup:SubnetGroup db-subnets: RelationalDatabase "db" .* loses subnet subnet-1c in place/),
    ]);
    const none: string[] = [];
    reportTransitionWarnings([], "main.json", (line) => none.push(line));
    expect(none).toEqual([]);
  });
});
