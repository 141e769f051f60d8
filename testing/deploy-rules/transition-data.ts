/**
 * Transition checks of the data components' stores and networks that the engine's diff cannot show (review 90):
 * TransitionTableKeyRemoved here, TransitionVpcSubnetLayout below (vpcSubnetLayoutFindings).
 *
 * TransitionTableKeyRemoved: a DynamoDB table updated in place whose deployed `serverSideEncryption.kmsKeyArn` (a
 * customer managed key) is gone from the new plan. terraform-provider-aws internal/service/dynamodb/table.go declares
 * `server_side_encryption.kms_key_arn` Optional and Computed, and its read stores the table's customer key ARN (only
 * the AWS managed key is cleared, `clearSSEDefaultKey`), so an unset value keeps the state's ARN: no diff, no
 * UpdateTable, and the table stays on the customer key (hashicorp/terraform#35540, "dynamodb sse change doesn't get
 * planned when from customer managed kms to aws managed kms"; hashicorp/terraform-provider-aws#29811, open: "The same
 * also applies to `kms_key_arn`"). Deleting that key later, believing it unused, makes the table unreadable.
 * **Inferred:** that pulumi-aws's bridge keeps an unset Optional+Computed input at its state value as Terraform does (not
 * re-read in pulumi-aws). A key changed to another ARN re-keys in place (UpdateTable SSESpecification) and is not this
 * check's; a replaced table (TransitionStatefulReplaced's) is created on the key the program gives.
 *
 * A plan that turns the encryption off (`enabled: false`) is not judged: the provider sends that change (UpdateTable
 * to the AWS owned key; encryptionTurnedOff).
 *
 * A deployed plan that does not hold the table's `serverSideEncryption` (a saved plan keeps only the inputs the
 * transition checks listed when it was saved) is not judged.
 */
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { RDS_CLUSTER, RDS_CLUSTER_INSTANCE, RDS_SUBNET_GROUP } from "./rds";
import { finding as deployFinding } from "./rule";
import type { SavedResource, TransitionFinding } from "./transition";

export const TRANSITION_TABLE_KEY_REMOVED_RULE = {
  id: "TransitionTableKeyRemoved",
  title: "A table's customer managed key is not dropped from the program as if that re-keyed the table",
  source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/dynamodb/table.go",
} as const;

export const TRANSITION_VPC_SUBNET_LAYOUT_RULE = {
  id: "TransitionVpcSubnetLayout",
  title: "A deployed awsx VPC's zones do not change so that a new subnet takes a CIDR an old one still holds",
  source: "https://github.com/pulumi/pulumi-awsx/issues/910",
} as const;

/** The rules of this file, as PLAN_TRANSITION_RULES lists transition rules (id, title, source). */
export const TRANSITION_DATA_RULES = [TRANSITION_TABLE_KEY_REMOVED_RULE, TRANSITION_VPC_SUBNET_LAYOUT_RULE] as const;

const TABLE = "aws:dynamodb/table:Table";

const keyOf = (r: RecordedResource): string | undefined => {
  const arn = r.inputs.serverSideEncryption?.kmsKeyArn;
  return typeof arn === "string" && arn !== "" ? arn : undefined;
};

/**
 * Whether the deployed plan holds input `spec` of `r` (set or unset): a recording holds all; a saved plan those it
 * lists (`SavedResource.savedInputs`). The one copy: transition.ts imports it from here (this module is a leaf that
 * transition.ts imports, so it cannot import transition.ts's).
 */
export function holds(r: RecordedResource, spec: string): boolean {
  const saved = (r as SavedResource).savedInputs;
  return saved === undefined || saved.includes("*") || saved.includes(spec);
}

/**
 * Whether the plan turns the table's encryption off (`serverSideEncryption.enabled` false). Then the block differs
 * from the deployed one, so the provider's `d.HasChange("server_side_encryption")` holds and resourceTableUpdate sends
 * UpdateTable with `expandEncryptAtRestOptions`' `SSESpecification{Enabled: false}` (the KMS ARN is sent only when
 * enabled): the table moves to the AWS owned key, and the removed ARN is not kept (terraform-provider-aws
 * internal/service/dynamodb/table.go; review 96 F5). #29811 and terraform#35540 are `enabled` staying true.
 */
const encryptionTurnedOff = (r: RecordedResource): boolean => {
  const enabled = r.inputs.serverSideEncryption?.enabled;
  return enabled === false || enabled === "false";
};

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** How a finding names the table: its DataTier and key when a DataTier built it. */
function tableLabel(graph: Graph, table: RecordedResource): string {
  const owner = graph.find((c) => c.urn === table.parent && !c.custom);
  if (owner?.type.endsWith(":DataTier") && table.name.startsWith(`${owner.name}-`)) return `DataTier "${owner.name}" table ${table.name.slice(owner.name.length + 1)}`;
  return `DynamoDB table ${table.name}`;
}

/** TransitionTableKeyRemoved's findings: see the file's comment. */
export function tableKeyRemovedFindings(deployed: Graph, after: Graph, stack: string | undefined, replaced: (table: RecordedResource) => boolean): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const table of ofType(after, TABLE)) {
    const old = deployedByUrn.get(table.urn);
    if (!old || !holds(old, "serverSideEncryption")) continue;
    const was = keyOf(old);
    if (was === undefined || keyOf(table) !== undefined || encryptionTurnedOff(table) || replaced(table)) continue;
    // An ignoreChanges on the encryption keeps the deployed value on purpose.
    if ((table.ignoreChanges ?? []).some((path) => path === "serverSideEncryption" || path.startsWith("serverSideEncryption."))) continue;
    const physical = typeof table.inputs.name === "string" ? table.inputs.name : (old.state?.name ?? "<table name>");
    findings.push({
      ...deployFinding(
        TRANSITION_TABLE_KEY_REMOVED_RULE.id,
        table,
        `${tableLabel(after, table)}: kmsKeyArn (serverSideEncryption.kmsKeyArn) was removed, but the provider keeps the deployed key (kms_key_arn is Optional and Computed in terraform-provider-aws dynamodb/table.go, and its read stores a customer key's ARN): \`pulumi up\` changes nothing and the table stays encrypted with ${was}. Deleting that key (or scheduling its deletion) would make the table unreadable`,
        `to go back to the AWS managed key, run \`aws dynamodb update-table --table-name ${physical} --sse-specification Enabled=true,SSEType=KMS\` (no KMSMasterKeyId: "you should only provide this parameter if the key is different from the default DynamoDB key alias/aws/dynamodb", SSESpecification), wait until \`aws dynamodb describe-table --table-name ${physical}\` shows SSEDescription with the AWS managed key, then remove kmsKeyArn and run \`pulumi refresh\`; keep the old key until then. Or keep kmsKeyArn as deployed`,
        stack,
      ),
      urn: table.urn,
    });
  }
  return findings;
}

const AWSX_VPC = "awsx:ec2:Vpc";

/** One isolated subnet as awsx's Legacy layout places it: its index (named `<vpc>-<spec name>-<index + 1>`), block and zone. */
interface LaidOutSubnet {
  index: number;
  start: number;
  mask: number;
  /** The zone's name when the VPC names its zones, else `#<index>` (the index-th zone the region lists). */
  zone: string;
}

const ipv4 = (text: string): number | undefined => {
  const parts = text.split(".").map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts.reduce((sum, p) => sum * 256 + p, 0) : undefined;
};
const ipv4Text = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/**
 * The isolated subnets awsx's Vpc lays out for `vpc`'s inputs (one isolated subnet spec, the default Legacy strategy;
 * PrivateNetwork's shape): pulumi/pulumi-awsx awsx/ec2/subnetDistributorLegacy.ts `getSubnetSpecsLegacy` splits the VPC
 * into nextPow2(zones) equal blocks (`cidrSubnetV4(vpcCidr, newBitsPerAZ, i)`) and puts zone i's isolated subnet at the
 * start of block i, a /24 or the whole block when that is smaller (`Math.max(baseSubnetMask + newBitsPerSubnet, 24)`).
 * Undefined for another shape (subnet specs other than one isolated one, an explicit strategy) or an unreadable CIDR.
 */
function laidOut(vpc: RecordedResource): LaidOutSubnet[] | undefined {
  const specs = vpc.inputs.subnetSpecs;
  if (!Array.isArray(specs) || specs.length !== 1 || specs[0]?.type !== "Isolated" || specs[0]?.cidrMask !== undefined || vpc.inputs.subnetStrategy !== undefined) return undefined;
  const [address, bits] = String(vpc.inputs.cidrBlock ?? "10.0.0.0/16").split("/");
  const base = ipv4(address);
  const vpcMask = Number(bits);
  if (base === undefined || !Number.isInteger(vpcMask)) return undefined;
  const names: string[] | undefined = Array.isArray(vpc.inputs.availabilityZoneNames) ? vpc.inputs.availabilityZoneNames : undefined;
  const zones = names?.length ?? (typeof vpc.inputs.numberOfAvailabilityZones === "number" ? vpc.inputs.numberOfAvailabilityZones : 3);
  const azMask = vpcMask + Math.ceil(Math.log2(Math.max(zones, 1)));
  const mask = Math.max(azMask, 24);
  return Array.from({ length: zones }, (_, index) => ({ index, start: base + index * 2 ** (32 - azMask), mask, zone: names?.[index] ?? `#${index}` }));
}

const overlaps = (a: LaidOutSubnet, b: LaidOutSubnet) => a.start < b.start + 2 ** (32 - b.mask) && b.start < a.start + 2 ** (32 - a.mask);
const cidr = (s: LaidOutSubnet) => `${ipv4Text(s.start)}/${s.mask}`;
const zoneCount = (vpc: RecordedResource) => (Array.isArray(vpc.inputs.availabilityZoneNames) ? JSON.stringify(vpc.inputs.availabilityZoneNames) : String(vpc.inputs.numberOfAvailabilityZones ?? 3));

/**
 * TransitionVpcSubnetLayout: an awsx VPC of both plans (the same URN, the same cidrBlock) whose zones change (how many,
 * or which by name). awsx re-lays its isolated subnets (laidOut): a subnet whose CIDR or zone changes is replaced (both
 * are ForceNew on aws_subnet), create-first, and a zone added is a new subnet; every old subnet still exists while they
 * are created (the engine deletes replaced and removed resources at the end of the update), so a new subnet overlapping
 * an old one's CIDR is refused, "InvalidSubnet.Conflict: The CIDR '10.0.0.0/24' conflicts with another subnet"
 * (pulumi/pulumi-awsx#910, open; #520 for classic awsx; aws/aws-cdk#24708 the same in CDK), and the update stops part-way.
 * The subnets are inferred from awsx's Legacy code (the copy read is not matched to the awsx version installed), not
 * deployed. A zone count that becomes zone names (or back) is compared by CIDR only: whether the named zones are the
 * ones the region lists first is not in the plan. A cidrBlock change replaces the VPC itself (ForceNew), whose new
 * subnets are in the new VPC: not this check's (TransitionStatefulReplaced follows the replacement into a database in
 * it). Under mocks awsx's children are absent, so only the Vpc's own inputs are compared; a deployed plan that does not
 * hold them (a saved plan) is not judged.
 */
export function vpcSubnetLayoutFindings(deployed: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const vpc of ofType(after, AWSX_VPC)) {
    const old = deployedByUrn.get(vpc.urn);
    if (!old || !holds(old, "cidrBlock") || !same(old.inputs.cidrBlock, vpc.inputs.cidrBlock)) continue;
    const [was, is] = [laidOut(old), laidOut(vpc)];
    if (!was || !is) continue;
    const bothNamed = Array.isArray(old.inputs.availabilityZoneNames) === Array.isArray(vpc.inputs.availabilityZoneNames);
    const created = is.filter((subnet) => {
      const before = was.find((w) => w.index === subnet.index);
      return !before || before.start !== subnet.start || before.mask !== subnet.mask || (bothNamed && before.zone !== subnet.zone);
    });
    const conflicts = created.flatMap((subnet) => was.filter((w) => overlaps(subnet, w)).map((w) => ({ subnet, holder: w })));
    if (conflicts.length === 0) continue;
    const owner = after.find((c) => c.urn === vpc.parent && !c.custom);
    const label = owner?.type.endsWith(":PrivateNetwork") ? `PrivateNetwork "${owner.name}"` : `awsx VPC ${vpc.name}`;
    const argument = owner?.type.endsWith(":PrivateNetwork") ? "availabilityZones" : "numberOfAvailabilityZones/availabilityZoneNames";
    const specName = String(vpc.inputs.subnetSpecs[0]?.name ?? "isolated");
    const subnetName = (s: LaidOutSubnet) => `${vpc.name}-${specName}-${s.index + 1}`;
    const clashes = conflicts.map(({ subnet, holder }) => {
      const before = was.find((w) => w.index === subnet.index);
      const what = before ? `${subnetName(subnet)} is replaced (${cidr(before)}${before.zone !== subnet.zone && bothNamed ? ` in ${before.zone}` : ""} → ${cidr(subnet)}${bothNamed && subnet.zone.startsWith("#") ? "" : ` in ${subnet.zone}`})` : `${subnetName(subnet)} is created (${cidr(subnet)})`;
      return `${what} while ${holder.index === subnet.index ? "its old copy" : subnetName(holder)} still holds ${cidr(holder)}`;
    });
    findings.push({
      ...deployFinding(
        TRANSITION_VPC_SUBNET_LAYOUT_RULE.id,
        vpc,
        `${label}: ${argument} ${zoneCount(old)} → ${zoneCount(vpc)} re-lays the VPC's isolated subnets (awsx's Legacy layout, inferred from its code): ${clashes.join("; ")}. The subnets are replaced create-first and the old ones are deleted only at the end of the update, so CreateSubnet meets the CIDR an old subnet still holds ("InvalidSubnet.Conflict: The CIDR … conflicts with another subnet", pulumi/pulumi-awsx#910) and the update stops part-way`,
        `keep ${argument} as deployed; for other zones, create a new ${owner?.type.endsWith(":PrivateNetwork") ? "PrivateNetwork" : "VPC"} (a new name) with the zones you want, move the functions and databases to it, then remove the old one`,
        stack,
      ),
      urn: vpc.urn,
    });
  }
  return findings;
}

/**
 * TransitionDbSubnetInUse, a WARNING (not in PLAN_TRANSITION_RULES, never fails the plan): a DB subnet group of both
 * plans, used by an Aurora cluster or instance of both plans, that the update gives fewer subnets in place. subnet_ids is
 * not ForceNew (terraform-provider-aws internal/service/rds/subnet_group.go: a TypeSet changed with
 * ModifyDBSubnetGroup), and RDS lets a subnet leave a DB subnet group only when no DB instance is "launched in the
 * subnet that you're trying to delete" (AWS Knowledge Center, "How can I delete a subnet that is in an Amazon RDS DB
 * subnet group?", https://aws.amazon.com/premiumsupport/knowledge-center/rds-db-subnet-group/): RDS refuses ("Some of
 * the subnets to be deleted are currently in use: subnet-…") and the update stops part-way. **Not confirmed:** that
 * exact wording and its error code (ModifyDBSubnetGroup lists InvalidSubnet and SubnetAlreadyInUse; none of the
 * corpora searched quotes the message), and that Aurora instances count as the page says (its steps, "Modify the DB
 * instance to be a Multi-AZ deployment", are for RDS instances, "This resolution doesn't apply to Amazon Aurora").
 *
 * A warning because the subnet each instance's network interface is in is not in any plan: when the writer (and every
 * reader) is elsewhere, RDS takes the change. The ways here: `existingVpc.subnetIds` shortened or swapped; a
 * PrivateNetwork whose zones drop without a re-layout (4 → 3, 6 → 5) or whose named zones are shortened at the end
 * (TransitionVpcSubnetLayout reports only re-layouts that conflict).
 *
 * Subnet ids not known in the next plan (new subnets) are compared as far as they are known: a deployed subnet is
 * leaving when the next plan's known ids lack it. A subnet group the update replaces (its name or namePrefix changes,
 * or a resource its replaceWith names is replaced: RelationalDatabase's moves with its security group to a new VPC) is
 * created anew with the cluster, not modified: not this check's; whether the update replaces it is the transition checks'
 * one judgement (transition.ts planUpdate), which also follows a group or cluster renamed by aliases. A deployed plan
 * that does not hold the group's subnetIds (saved before they were kept) is not judged.
 */
export const TRANSITION_DB_SUBNET_IN_USE_RULE = {
  id: "TransitionDbSubnetInUse",
  title: "A DB subnet group a database uses does not lose a subnet in place (warning: which subnet the database's instances are in is not in the plan)",
  source: "https://aws.amazon.com/premiumsupport/knowledge-center/rds-db-subnet-group/",
} as const;

/** The transition rules whose findings are warnings (checkPlanTransitionWarnings): printed, never failing the plan. */
export const PLAN_TRANSITION_WARNING_RULES = [TRANSITION_DB_SUBNET_IN_USE_RULE] as const;

/** A group's subnet ids: those known (strings), and how many are not (a value a recording left unresolved). */
const subnetIdsOf = (r: RecordedResource): { known: string[]; unknown: number } => {
  const ids: unknown[] = Array.isArray(r.inputs.subnetIds) ? r.inputs.subnetIds : [];
  const known = ids.filter((id): id is string => typeof id === "string" && id !== "");
  return { known, unknown: ids.length - known.length };
};

/**
 * TransitionDbSubnetInUse's warnings: see TRANSITION_DB_SUBNET_IN_USE_RULE. `deployed` and `after` as the transition
 * checks match them (transition.ts planUpdate: renamed by aliases, replacements cascaded) and `replaced`, that
 * judgement's whether the update replaces a resource of both plans (its own inputs, replaceOnChanges, ignoreChanges,
 * replaceWith): checkPlanTransitionWarnings passes them.
 */
export function dbSubnetInUseWarnings(deployed: Graph, after: Graph, stack: string | undefined, replaced: (urn: string) => boolean): TransitionFinding[] {
  const deployedByUrn = new Map(deployed.map((r) => [r.urn, r]));
  const afterByUrn = new Map(after.map((r) => [r.urn, r]));
  // The deployed clusters and instances the update keeps: the users a group can have.
  const kept = [...ofType(deployed, RDS_CLUSTER), ...ofType(deployed, RDS_CLUSTER_INSTANCE)].filter((r) => afterByUrn.has(r.urn));
  const findings: TransitionFinding[] = [];
  for (const group of ofType(after, RDS_SUBNET_GROUP)) {
    const old = deployedByUrn.get(group.urn);
    if (!old || !holds(old, "subnetIds") || replaced(group.urn)) continue;
    const names = [old.id, old.inputs.name, old.state?.name].filter((n): n is string => typeof n === "string" && n !== "");
    const users = kept.filter((r) => names.includes(r.inputs.dbSubnetGroupName));
    if (users.length === 0) continue;
    const next = subnetIdsOf(group);
    const leaving = subnetIdsOf(old).known.filter((id) => !next.known.includes(id));
    if (leaving.length === 0) continue;
    const parent = group.parent === undefined ? undefined : afterByUrn.get(group.parent);
    const owner = parent?.custom ? undefined : parent;
    const label = owner?.type.endsWith(":RelationalDatabase") ? `RelationalDatabase "${owner.name}" (its DB subnet group ${group.name})` : `DB subnet group ${group.name}`;
    const usedBy = users.map((u) => `${u.type === RDS_CLUSTER ? "cluster" : "instance"} ${u.name}`).join(", ");
    findings.push({
      ...deployFinding(
        TRANSITION_DB_SUBNET_IN_USE_RULE.id,
        group,
        `${label}, used by ${usedBy}, loses subnet${leaving.length === 1 ? "" : "s"} ${leaving.join(", ")} in place (subnetIds is changed with ModifyDBSubnetGroup${next.unknown > 0 ? `; ${next.unknown} new subnet id${next.unknown === 1 ? " is" : "s are"} not known yet, compared as far as known` : ""}). RDS refuses to take a subnet out of a DB subnet group while a DB instance is launched in it (AWS Knowledge Center, rds-db-subnet-group), and the update stops part-way; the plan cannot tell which subnet the writer and readers are in, so this is a warning: it fails only when one of them is in a subnet leaving`,
        "keep the subnets a database uses in its network for its life; or move the database: restore a snapshot into a RelationalDatabase on the new subnets",
        stack,
      ),
      urn: group.urn,
    });
  }
  return findings;
}

