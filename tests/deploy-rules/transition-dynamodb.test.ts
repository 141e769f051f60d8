/**
 * checkPlanTransition on DynamoDB table updates that AWS, the provider or Pulumi's `ignoreChanges` refuse in one
 * `pulumi up` although the table is updated in place: each a pair of DataTier recordings (the deployed plan and the
 * next), the finding it must give, and the documented procedure (docs/components/data-tier.md, "Changing a deployed
 * table") that passes.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { DataTier, type TableArgs } from "../../components/data-tier";
import { record as recordProgram } from "../../testing/harness";
import { formatFinding, type SavedResource } from "../../testing/deploy-rules";
import { handBuilt, rules, saved, transition } from "./fixture";

const TABLE = "aws:dynamodb/table:Table";

const gallery = { attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk" };
/** The reference app's gallery table in DataTier "data", with `table` merged into its spec and `tier` into the tier's. */
const dataTier = (table: Record<string, unknown> = {}, tier: Record<string, unknown> = {}, opts?: pulumi.ComponentResourceOptions) =>
  recordProgram(() => new DataTier("data", { tables: { gallery: { ...gallery, ...table } as TableArgs }, region: "us-east-1", ...tier }, opts));

describe("TransitionTtlAttributeMoved: TTL moved to another attribute while it is on", () => {
  it("finds ttlAttribute expiresAt → ttl in one update, and points at the three-step procedure", async () => {
    const findings = transition(await dataTier({ ttlAttribute: "expiresAt" }), await dataTier({ ttlAttribute: "ttl" }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionTtlAttributeMoved", `${TABLE} data-gallery`]]);
    expect(findings[0].problem).toMatch(/^moves the TTL of DynamoDB table data-gallery from attribute expiresAt, on which the deployed plan has it enabled, to ttl in one update/);
    expect(findings[0].problem).toMatch(/TimeToLive is active on a different AttributeName/);
    expect(findings[0].problem).toMatch(/Any additional UpdateTimeToLive calls for the same table during this one hour duration result in a ValidationException/);
    expect(findings[0].fix).toMatch(/^1\. ttlEnabled: false with ttlAttribute still "expiresAt"; pulumi up\. 2\. Wait at least one hour \([^)]*\)\. 3\. ttlAttribute: "ttl" without ttlEnabled: false; pulumi up/);
    expect(findings[0].fix).toContain("docs/components/data-tier.md#turning-ttl-off-moving-it");
    // Through the file npm run plan -- --save writes, which keeps the table's ttl.
    expect(rules(saved(await dataTier({ ttlAttribute: "expiresAt" })), await dataTier({ ttlAttribute: "ttl" }))).toEqual([["TransitionTtlAttributeMoved", `${TABLE} data-gallery`]]);
  });

  it("passes each step of the procedure, TTL turned on, and a table that keeps its attribute", async () => {
    const on = await dataTier({ ttlAttribute: "expiresAt" });
    const off = await dataTier({ ttlAttribute: "expiresAt", ttlEnabled: false });
    expect(transition(on, off).map(formatFinding)).toEqual([]);
    // Step 3: enabling another attribute once TTL is off is allowed (the hour since step 1 is not in a plan).
    expect(transition(off, await dataTier({ ttlAttribute: "ttl" })).map(formatFinding)).toEqual([]);
    expect(transition(await dataTier(), await dataTier({ ttlAttribute: "ttl" })).map(formatFinding)).toEqual([]);
    expect(transition(on, on).map(formatFinding)).toEqual([]);
  });

  it("finds TTL turned off on another attribute than the one it is on (inferred), and leaves a missing ttl setting alone", () => {
    const table = (ttl: unknown, more: Partial<RecordedResource> = {}) => handBuilt(TABLE, "orders", { hashKey: "pk", ...(ttl ? { ttl } : {}) }, more);
    const deployed = table({ enabled: true, attributeName: "expiresAt" });
    const findings = transition([deployed], [table({ enabled: false, attributeName: "ttl" })]);
    expect(findings.map((f) => f.rule)).toEqual(["TransitionTtlAttributeMoved"]);
    expect(findings[0].problem).toMatch(/inferred, not confirmed/);
    // No ttl block: the provider suppresses the diff (SuppressMissingOptionalConfigurationBlock), so nothing is sent.
    expect(transition([deployed], [table(undefined)])).toEqual([]);
    // The engine keeps the deployed ttl of a table that ignores it.
    expect(transition([deployed], [table({ enabled: true, attributeName: "ttl" }, { ignoreChanges: ["ttl"] })])).toEqual([]);
    expect(transition([deployed], [table({ enabled: true, attributeName: "ttl" })]).map((f) => f.rule)).toEqual(["TransitionTtlAttributeMoved"]);
  });
});

describe("TransitionBillingToProvisioned: an indexed table switched from on-demand to provisioned while it ignores its indexes' capacities", () => {
  const indexed = { attributes: { ...gallery.attributes, gsi1pk: "S" }, globalIndexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "sk" } } };
  const capacity = { read: { min: 5, max: 50 }, write: { min: 5, max: 50 } };

  it("finds gallery with gsi1 given billing provisioned: Pulumi drops the indexes' capacities, which the switching UpdateTable needs", async () => {
    const findings = transition(await dataTier(indexed), await dataTier({ ...indexed, billing: "provisioned", capacity }));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionBillingToProvisioned", `${TABLE} data-gallery`]]);
    expect(findings[0].problem).toMatch(/^switches DynamoDB table data-gallery from PAY_PER_REQUEST to PROVISIONED billing while its ignoreChanges holds globalSecondaryIndexes\[\*\]\.readCapacity, globalSecondaryIndexes\[\*\]\.writeCapacity/);
    expect(findings[0].problem).toMatch(/index gsi1/);
    expect(findings[0].problem).toMatch(/When switching from pay-per-request to provisioned capacity, initial provisioned capacity values must be set/);
    expect(findings[0].problem).toMatch(/Must update all indexes when switching BillingMode from PAY_PER_REQUEST to PROVISIONED/);
    expect(findings[0].fix).toMatch(/pulumi refresh/);
    expect(findings[0].fix).toMatch(/transformations: \[\(r\) => \(r\.type === "aws:dynamodb\/table:Table" && r\.name === "data-gallery" \? \{ props: r\.props, opts: \{ \.\.\.r\.opts, ignoreChanges: \[\] \} \} : undefined\)\]/);
    expect(findings[0].fix).toContain("docs/components/data-tier.md#capacity-of-a-provisioned-table-with-global-indexes");
    expect(rules(saved(await dataTier(indexed)), await dataTier({ ...indexed, billing: "provisioned", capacity }))).toEqual([["TransitionBillingToProvisioned", `${TABLE} data-gallery`]]);
  });

  it("passes the switch with the documented transformation, a table without indexes, and the provisioned table redeployed", async () => {
    const sendsCapacities: pulumi.ResourceTransformation = (r) => (r.type === TABLE && r.name === "data-gallery" ? { props: r.props, opts: { ...r.opts, ignoreChanges: [] } } : undefined);
    expect(transition(await dataTier(indexed), await dataTier({ ...indexed, billing: "provisioned", capacity }, {}, { transformations: [sendsCapacities] })).map(formatFinding)).toEqual([]);
    // The provider fills a table's own missing capacity on that switch (expandProvisionedThroughputField, "Assuming changes are being ignored").
    expect(transition(await dataTier(), await dataTier({ billing: "provisioned", capacity })).map(formatFinding)).toEqual([]);
    const provisioned = await dataTier({ ...indexed, billing: "provisioned", capacity });
    expect(transition(provisioned, provisioned).map(formatFinding)).toEqual([]);
  });
});

describe("TransitionIgnoredArrayResized: an array under a wildcard ignoreChanges path changes length", () => {
  const capacity = { read: { min: 5, max: 50 }, write: { min: 5, max: 50 } };
  const provisioned = (indexes: string[]) =>
    dataTier({
      attributes: { ...gallery.attributes, ...Object.fromEntries(indexes.map((name) => [`${name}pk`, "S"])) },
      globalIndexes: Object.fromEntries(indexes.map((name) => [name, { partitionKey: `${name}pk`, sortKey: "sk" }])),
      billing: "provisioned",
      capacity,
    });

  it("finds a provisioned gallery whose indexes move: one dropped or added before another, so a kept capacity lands on another index", async () => {
    const findings = transition(await provisioned(["gsi1", "gsi2"]), await provisioned(["gsi2"]));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionIgnoredArrayResized", `${TABLE} data-gallery`]]);
    expect(findings[0].problem).toMatch(
      /^ignores globalSecondaryIndexes\[\*\]\.readCapacity, globalSecondaryIndexes\[\*\]\.writeCapacity \(ignoreChanges\), but globalSecondaryIndexes has 2 elements in the deployed inputs and 1 in the new ones/,
    );
    expect(findings[0].problem).toMatch(/keeps the deployed values by position/);
    expect(findings[0].problem).toMatch(/cannot ignore changes to the following properties because one or more elements of the path are missing/);
    expect(findings[0].problem).toMatch(/pulumi\/pulumi#20278/);
    expect(findings[0].problem).toMatch(/pulumi\/pulumi#20465/);
    expect(findings[0].fix).toContain("docs/components/data-tier.md#capacity-of-a-provisioned-table-with-global-indexes");
    expect(rules(await provisioned(["gsi2"]), await provisioned(["gsi1", "gsi2"]))).toEqual([["TransitionIgnoredArrayResized", `${TABLE} data-gallery`]]);
    // Through the saved plan.
    expect(rules(saved(await provisioned(["gsi1", "gsi2"])), await provisioned(["gsi2"]))).toEqual([["TransitionIgnoredArrayResized", `${TABLE} data-gallery`]]);
  });

  it("passes indexes appended or dropped at the end, and the first index: on Pulumi CLI 3.194.0 and later every kept capacity stays on its own index", async () => {
    expect(transition(await provisioned(["gsi1"]), await provisioned(["gsi1", "gsi2"])).map(formatFinding)).toEqual([]);
    expect(transition(await provisioned(["gsi1", "gsi2"]), await provisioned(["gsi1"])).map(formatFinding)).toEqual([]);
    expect(transition(await provisioned([]), await provisioned(["gsi1"])).map(formatFinding)).toEqual([]);
    expect(transition(saved(await provisioned(["gsi1"])), await provisioned(["gsi1", "gsi2"])).map(formatFinding)).toEqual([]);
  });

  it("passes the same indexes, an on-demand table (no ignoreChanges) gaining an index, and the documented transformation", async () => {
    expect(transition(await provisioned(["gsi1"]), await provisioned(["gsi1"])).map(formatFinding)).toEqual([]);
    expect(transition(await provisioned([]), await provisioned([])).map(formatFinding)).toEqual([]);
    const onDemand = (indexes: string[]) =>
      dataTier({ attributes: { ...gallery.attributes, ...Object.fromEntries(indexes.map((name) => [`${name}pk`, "S"])) }, globalIndexes: Object.fromEntries(indexes.map((name) => [name, { partitionKey: `${name}pk` }])) });
    expect(transition(await onDemand(["gsi1"]), await onDemand(["gsi1", "gsi2"])).map(formatFinding)).toEqual([]);
    const withTransformation = await recordProgram(
      () =>
        new DataTier(
          "data",
          { tables: { gallery: { ...gallery, attributes: { ...gallery.attributes, gsi1pk: "S", gsi2pk: "S" }, globalIndexes: { gsi1: { partitionKey: "gsi1pk", sortKey: "sk" }, gsi2: { partitionKey: "gsi2pk", sortKey: "sk" } }, billing: "provisioned", capacity } as TableArgs }, region: "us-east-1" },
          { transformations: [(r) => (r.type === TABLE && r.name === "data-gallery" ? { props: r.props, opts: { ...r.opts, ignoreChanges: [] } } : undefined)] },
        ),
    );
    expect(transition(await provisioned(["gsi1"]), withTransformation).map(formatFinding)).toEqual([]);
  });

  it("is generic: a security group ignoring ingress[*].cidrBlocks gains a rule (pulumi/pulumi#20227), through a saved plan that keeps the path's shape, not its values", () => {
    const SG = "aws:ec2/securityGroup:SecurityGroup";
    const rule = (port: number) => ({ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["10.0.0.0/16"] });
    const group = (ports: number[]) => handBuilt(SG, "db-sg", { ingress: ports.map(rule), description: "db" }, { ignoreChanges: ["ingress[*].cidrBlocks"] });
    const findings = transition([group([5432])], [group([5432, 8000])]);
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionIgnoredArrayResized", `${SG} db-sg`]]);
    expect(findings[0].problem).toMatch(/^ignores ingress\[\*\]\.cidrBlocks \(ignoreChanges\), but ingress has 1 element in the deployed inputs and 2 in the new ones/);
    expect(transition([group([5432])], [group([8000])])).toEqual([]);
    const kept = saved([group([5432])]);
    // Besides the shape along the path, the group's replace-forcing inputs (vpcId, name, namePrefix, description: the replacement cascade's).
    expect(kept[0].inputs).toEqual({ description: "db", ingress: [{ cidrBlocks: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }] });
    expect(transition(kept, [group([5432, 8000])]).map((f) => f.rule)).toEqual(["TransitionIgnoredArrayResized"]);
    expect(transition(kept, [group([8000])])).toEqual([]);
    // A plan saved before the shapes were kept tells nothing about the array.
    const savedBefore: SavedResource = { ...kept[0], inputs: {}, savedInputs: undefined };
    expect(transition([savedBefore], [group([5432, 8000])])).toEqual([]);
  });
});

describe("TransitionReplicaRekeyed: a replica whose KMS key changes is deleted and created again", () => {
  const preferences = { attributes: { identityId: "S", key: "S" }, partitionKey: "identityId", sortKey: "key", stream: "NEW_AND_OLD_IMAGES", replicaRegions: ["us-west-2"] };
  const key = (region: string, id: string) => `arn:aws:kms:${region}:123456789012:key/${id}`;
  const keyed = (id: string) => ({ kmsKeyArn: key("us-east-1", id), replicaKmsKeyArns: { "us-west-2": key("us-west-2", id) } });
  const tier = (table: Record<string, unknown>, deletionProtection: boolean) =>
    recordProgram(() => new DataTier("data", { tables: { preferences: { ...preferences, ...table } as TableArgs }, region: "us-east-1", deletionProtection, retainOnDelete: deletionProtection }));

  it("finds a customer key set on a deletion-protected global table: the replica's delete is refused (inferred), and the update stops", async () => {
    const findings = transition(await tier({}, true), await tier(keyed("a"), true));
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionReplicaRekeyed", `${TABLE} data-preferences`]]);
    expect(findings[0].problem).toMatch(/^changes the KMS key of the replica of DynamoDB table data-preferences in us-west-2 \(the AWS managed key → arn:aws:kms:us-west-2:123456789012:key\/a\)/);
    expect(findings[0].problem).toMatch(/like "ForceNew" for the replica - KMS change/);
    expect(findings[0].problem).toMatch(/deletion protection/);
    expect(findings[0].problem).toMatch(/inferred, not confirmed/);
    expect(findings[0].fix).toMatch(/^1\. Take us-west-2 out of service/);
    expect(findings[0].fix).toContain("docs/components/data-tier.md#re-keying-a-global-table");
    expect(rules(saved(await tier({}, true)), await tier(keyed("a"), true))).toEqual([["TransitionReplicaRekeyed", `${TABLE} data-preferences`]]);
  });

  it("finds another key and the key removed on an unprotected table: the region has no table until the new replica is copied", async () => {
    const findings = transition(await tier(keyed("a"), false), await tier(keyed("b"), false));
    expect(findings.map((f) => f.rule)).toEqual(["TransitionReplicaRekeyed"]);
    expect(findings[0].problem).toMatch(/\(arn:aws:kms:us-west-2:123456789012:key\/a → arn:aws:kms:us-west-2:123456789012:key\/b\)/);
    expect(findings[0].problem).toMatch(/us-west-2 has no table until the new replica has copied the whole table/);
    expect(findings[0].problem).not.toMatch(/inferred/);
    // The home table keeps its customer key when kmsKeyArn goes (TransitionTableKeyRemoved, transition-data.test.ts).
    expect(rules(await tier(keyed("a"), false), await tier({}, false))).toEqual([
      ["TransitionReplicaRekeyed", `${TABLE} data-preferences`],
      ["TransitionTableKeyRemoved", `${TABLE} data-preferences`],
    ]);
  });

  it("passes the documented re-keying: replicas removed, the table re-keyed alone, the replicas added back with their keys", async () => {
    const deployed = await tier({}, false);
    const noReplicas = await tier({ replicaRegions: [] }, false);
    const rekeyed = await tier({ replicaRegions: [], kmsKeyArn: key("us-east-1", "a") }, false);
    expect(transition(deployed, noReplicas).map(formatFinding)).toEqual([]);
    expect(transition(noReplicas, rekeyed).map(formatFinding)).toEqual([]);
    expect(transition(rekeyed, await tier(keyed("a"), false)).map(formatFinding)).toEqual([]);
    expect(transition(await tier(keyed("a"), false), await tier(keyed("a"), false)).map(formatFinding)).toEqual([]);
  });
});

describe("the in-place table rules read the inputs the engine sends: each ignoreChanges path reset to its deployed value", () => {
  const table = (inputs: Record<string, unknown>, ignoreChanges?: string[]) => handBuilt(TABLE, "prefs", { name: "prefs", hashKey: "pk", billingMode: "PAY_PER_REQUEST", ...inputs }, { ignoreChanges });
  const global = { streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES", replicas: [{ regionName: "us-west-2", deletionProtectionEnabled: true }] };

  it("passes replicas and a stream dropped by the program while ignoreChanges keeps them: the engine puts the deployed ones back, so nothing changes", () => {
    const dropped = { streamEnabled: false, replicas: [] };
    expect(rules([table(global)], [table(dropped)])).toEqual([
      ["TransitionReplicaStreamOff", `${TABLE} prefs`],
      ["TransitionProtectedReplicaRemoved", `${TABLE} prefs`],
    ]);
    expect(rules([table(global)], [table(dropped, ["replicas", "streamEnabled", "streamViewType"])])).toEqual([]);
    expect(rules([table(global)], [table(dropped, ["replicas"])])).toEqual([]);
    // The stream alone ignored: the replicas still go, with the stream kept on, as the documented first step does.
    expect(rules([table(global)], [table(dropped, ["streamEnabled"])])).toEqual([["TransitionProtectedReplicaRemoved", `${TABLE} prefs`]]);
  });

  it("passes a key attribute retyped under ignoreChanges", () => {
    const keyed = (type: string, ignoreChanges?: string[]) => table({ attributes: [{ name: "pk", type }] }, ignoreChanges);
    expect(rules([keyed("S")], [keyed("N")])).toEqual([["TransitionKeyAttributeRetyped", `${TABLE} prefs`]]);
    expect(rules([keyed("S")], [keyed("N", ["attributes"])])).toEqual([]);
  });
});
