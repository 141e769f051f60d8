/**
 * TransitionTableKeyRemoved (review 90 #5): a table's customer key dropped from the program does not re-key it (the
 * provider keeps the deployed kms_key_arn); recorded DataTier plans before and after, and what the check leaves alone.
 * TransitionVpcSubnetLayout (review 90 #7): a PrivateNetwork's zones changed on a deployed network re-lay awsx's subnets
 * onto CIDRs the old ones still hold.
 */
import { describe, expect, it } from "vitest";
import { DataTier, type TableArgs } from "../../components/data-tier";
import { PrivateNetwork } from "../../components/private-network";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkPlanTransition, formatFinding, readSavedPlan, toSavedPlan, TRANSITION_DATA_RULES } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { handBuilt, onceEach } from "./fixture";

const TABLE = "aws:dynamodb/table:Table";
const KEY_A = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_B = "arn:aws:kms:us-east-1:123456789012:key/abcd1234-ab12-cd34-ef56-abcdef123456";
const gallery = { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk" };
// Each arrangement recorded once for the file (issue 15): the rules never change a recording.
const tier = onceEach((table: Record<string, unknown> = {}) => record(() => new DataTier("data", { tables: { gallery: { ...gallery, ...table } as TableArgs }, region: "us-east-1" })));
const transition = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, { stack: "prod" });

describe("TransitionTableKeyRemoved", () => {
  it("is listed with its source", () => {
    expect(TRANSITION_DATA_RULES.map((r) => r.id)).toEqual(["TransitionTableKeyRemoved", "TransitionVpcSubnetLayout"]);
  });

  it("finds a DataTier table's kmsKeyArn removed: the table stays on the customer key, and the fix re-keys it by hand first", async () => {
    const findings = transition(await tier({ kmsKeyArn: KEY_A }), await tier());
    expect(findings.map(formatFinding)).toEqual([
      expect.stringMatching(
        new RegExp(
          "^prod: \\[TransitionTableKeyRemoved\\] aws:dynamodb/table:Table data-gallery: DataTier \"data\" table gallery: kmsKeyArn \\(serverSideEncryption\\.kmsKeyArn\\) was removed, but the provider keeps the deployed key .*`pulumi up` changes nothing and the table stays encrypted with " +
            KEY_A.replace(/[/.]/g, "\\$&") +
            "\\. Deleting that key \\(or scheduling its deletion\\) would make the table unreadable\\. Fix: to go back to the AWS managed key, run `aws dynamodb update-table --table-name \\S+ --sse-specification Enabled=true,SSEType=KMS`.*then remove kmsKeyArn and run `pulumi refresh`; keep the old key until then",
        ),
      ),
    ]);
    expect(findings[0].urn).toMatch(/\$aws:dynamodb\/table:Table::data-gallery$/);
  });

  it("passes a key changed to another (re-keyed in place), a key added, no key either side, and a key kept", async () => {
    expect(transition(await tier({ kmsKeyArn: KEY_A }), await tier({ kmsKeyArn: KEY_B }))).toEqual([]);
    expect(transition(await tier(), await tier({ kmsKeyArn: KEY_A }))).toEqual([]);
    expect(transition(await tier(), await tier())).toEqual([]);
    expect(transition(await tier({ kmsKeyArn: KEY_A }), await tier({ kmsKeyArn: KEY_A }))).toEqual([]);
  });

  it("leaves a replaced table (created on the key the program gives), a removed table, and an ignored encryption alone", async () => {
    const resorted = { attributes: { pk: "S", createdAt: "S" }, sortKey: "createdAt" };
    // The replacement itself is TransitionStatefulReplaced's finding.
    expect(transition(await tier({ kmsKeyArn: KEY_A }), await tier(resorted)).map((f) => f.rule)).toEqual(["TransitionStatefulReplaced"]);
    const table = (inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(TABLE, "orders", { hashKey: "pk", ...inputs }, { ignoreChanges });
    expect(transition([table({ serverSideEncryption: { enabled: true, kmsKeyArn: KEY_A } })], [])).toEqual([]);
    expect(transition([table({ serverSideEncryption: { enabled: true, kmsKeyArn: KEY_A } })], [table({ serverSideEncryption: { enabled: true } }, ["serverSideEncryption"])])).toEqual([]);
    // A hand-built table is named as a DynamoDB table, by its given name in the fix.
    expect(transition([table({ name: "orders-prod", serverSideEncryption: { enabled: true, kmsKeyArn: KEY_A } })], [table({ name: "orders-prod", serverSideEncryption: { enabled: true, kmsKeyArn: "" } })]).map((f) => [f.problem.split(":")[0], f.fix.match(/--table-name (\S+)/)?.[1]])).toEqual([
      ["DynamoDB table orders", "orders-prod"],
    ]);
  });

  it("passes a hand-built table whose encryption is turned off (enabled: false): the provider sends UpdateTable to the AWS owned key", () => {
    const table = (sse: Record<string, unknown>) => handBuilt(TABLE, "orders", { hashKey: "pk", serverSideEncryption: sse });
    expect(transition([table({ enabled: true, kmsKeyArn: KEY_A })], [table({ enabled: false })])).toEqual([]);
    // Still enabled with the ARN dropped is the case the provider keeps (review 90 #5).
    expect(transition([table({ enabled: true, kmsKeyArn: KEY_A })], [table({ enabled: true })]).map((f) => f.rule)).toEqual(["TransitionTableKeyRemoved"]);
  });

  it("judges a saved plan, which keeps the table's encryption, and not one saved before it was kept", async () => {
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(await tier({ kmsKeyArn: KEY_A }), { stack: "prod", region: "us-east-1" }))).resources;
    expect(saved.find((r) => r.type === TABLE)?.inputs.serverSideEncryption).toEqual({ enabled: true, kmsKeyArn: KEY_A });
    expect(transition(saved, await tier()).map((f) => f.rule)).toEqual(["TransitionTableKeyRemoved"]);
    const older = saved.map((r) => (r.type === TABLE ? { ...r, inputs: { ...r.inputs, serverSideEncryption: undefined }, savedInputs: (r as { savedInputs?: string[] }).savedInputs?.filter((i) => i !== "serverSideEncryption") } : r));
    expect(transition(older, await tier())).toEqual([]);
  });
});

describe("TransitionVpcSubnetLayout", () => {
  const network = onceEach((args: ConstructorParameters<typeof PrivateNetwork>[1] = {}) => record(() => new PrivateNetwork("net", args)));

  it("is listed with its source", () => {
    expect(TRANSITION_DATA_RULES.map((r) => r.id)).toContain("TransitionVpcSubnetLayout");
  });

  it("judges a saved plan: it keeps the awsx VPC's layout inputs", async () => {
    const saved = readSavedPlan(JSON.stringify(toSavedPlan(await network({ availabilityZones: 2 }), { stack: "prod", region: "us-east-1" }))).resources;
    expect(transition(saved, await network({ availabilityZones: 3 })).map((f) => f.rule)).toEqual(["TransitionVpcSubnetLayout"]);
    expect(transition(saved, await network({ availabilityZones: 2 }))).toEqual([]);
  });

  it("finds 2 → 3 zones: zone 3's new subnet takes the CIDR zone 2's old subnet still holds", async () => {
    const findings = transition(await network({ availabilityZones: 2 }), await network({ availabilityZones: 3 }));
    expect(findings.map(formatFinding)).toEqual([
      expect.stringMatching(
        /^prod: \[TransitionVpcSubnetLayout\] awsx:ec2:Vpc net-vpc: PrivateNetwork "net": availabilityZones 2 → 3 re-lays the VPC's isolated subnets \(awsx's Legacy layout, inferred from its code\): net-vpc-private-3 is created \(10\.0\.128\.0\/24\) while net-vpc-private-2 still holds 10\.0\.128\.0\/24\. .*InvalidSubnet\.Conflict.* the update stops part-way\. Fix: keep availabilityZones as deployed; for other zones, create a new PrivateNetwork \(a new name\)/,
      ),
    ]);
    // 3 → 2 is the mirror image: zone 2's subnet moves back onto 10.0.128.0/24, which old zone 3's still holds.
    expect(transition(await network({ availabilityZones: 3 }), await network({ availabilityZones: 2 })).map((f) => f.problem.split(": ").slice(2).join(": ").split(". ")[0])).toEqual([
      "net-vpc-private-2 is replaced (10.0.64.0/24 → 10.0.128.0/24) while net-vpc-private-3 still holds 10.0.128.0/24",
    ]);
  });

  it("finds a named zone swapped: the subnet is replaced in the new zone with the CIDR its old copy holds", async () => {
    const findings = transition(await network({ availabilityZones: ["us-east-1a", "us-east-1b"] }), await network({ availabilityZones: ["us-east-1a", "us-east-1c"] }));
    expect(findings.map((f) => f.problem)).toEqual([expect.stringContaining("net-vpc-private-2 is replaced (10.0.128.0/24 in us-east-1b → 10.0.128.0/24 in us-east-1c) while its old copy still holds 10.0.128.0/24")]);
  });

  it("passes the zones unchanged, 3 → 4 zones (the layout keeps every block), a count that becomes the names, and a new cidrBlock (a new VPC)", async () => {
    expect(transition(await network({ availabilityZones: 2 }), await network({ availabilityZones: 2 }))).toEqual([]);
    expect(transition(await network({ availabilityZones: 3 }), await network({ availabilityZones: 4 }))).toEqual([]);
    expect(transition(await network({ availabilityZones: 2 }), await network({ availabilityZones: ["us-east-1a", "us-east-1b"] }))).toEqual([]);
    expect(transition(await network({ availabilityZones: 2 }), await network({ availabilityZones: 3, cidrBlock: "10.1.0.0/16" }))).toEqual([]);
  });
});
