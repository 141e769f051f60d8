/**
 * DynamoDbTableDestroyable on what users build right and the cases its fixture leaves out: DataTier's tables by
 * default, kept or protect'ed; a DataTier table a transformation protected (named by the component in the fix); a
 * separate aws.dynamodb.TableReplica; and the production fix.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkDeployRules, DEPLOY_RULES, DYNAMODB_RULES, DYNAMODB_TABLE_DESTROYABLE, formatFinding } from "../../testing/deploy-rules";
import { record } from "../../testing/harness";
import { devContext, handBuilt } from "./fixture";

const TABLE = "aws:dynamodb/table:Table";
const gallery = { attributes: { pk: "S" as const }, partitionKey: "pk" };
const destroyable = (graph: RecordedResource[], context = devContext) => checkDeployRules(graph, context, [DYNAMODB_TABLE_DESTROYABLE]);
const prod = { ...devContext, stack: "prod", production: true };

describe("DynamoDbTableDestroyable", () => {
  it("is in DYNAMODB_RULES and DEPLOY_RULES", () => {
    expect(DYNAMODB_RULES).toContain(DYNAMODB_TABLE_DESTROYABLE);
    expect(DEPLOY_RULES).toContain(DYNAMODB_TABLE_DESTROYABLE);
  });

  it("passes DataTier's tables unprotected, protected and kept, and protected under { protect: true }", async () => {
    const graph = await record(() => {
      new DataTier("plain", { tables: { gallery } });
      new DataTier("kept", { tables: { gallery }, deletionProtection: true, retainOnDelete: true });
      new DataTier("guarded", { tables: { gallery, other: { ...gallery, replicaRegions: ["us-west-2"] } }, deletionProtection: true }, { protect: true });
    });
    expect(graph.filter((r) => r.type === TABLE).map((r) => [r.name, r.inputs.deletionProtectionEnabled, r.protect])).toEqual([
      ["plain-gallery", false, false],
      ["kept-gallery", true, false],
      ["guarded-gallery", true, true],
      ["guarded-other", true, true],
    ]);
    expect(destroyable(graph)).toEqual([]);
    expect(destroyable(graph, prod)).toEqual([]);
  });

  it("reports a DataTier table a transformation protected, naming the DataTier and the transformation", async () => {
    const protectTable = (args: { type: string; props: Record<string, unknown>; opts: object }) =>
      args.type === TABLE ? { props: { ...args.props, deletionProtectionEnabled: true }, opts: args.opts } : undefined;
    const graph = await record(() => new DataTier("data", { tables: { gallery } }, { transformations: [protectTable] }));
    expect(destroyable(graph).map(formatFinding)).toEqual([
      expect.stringMatching(
        /^dev: \[DynamoDbTableDestroyable\] aws:dynamodb\/table:Table data-gallery: has deletion protection \(the table\) .* fails part-way, after its dependents \(stream subscriptions, export, autoscaling, policies\) are deleted\. Fix: set retainOnDelete: true on DataTier data, or give it the resource option \{ protect: true \}, or set deletionProtection: false on the DataTier, or remove deletionProtectionEnabled from the transformation/,
      ),
    ]);
    expect(destroyable(graph, prod).map((f) => f.fix)).toEqual(["set retainOnDelete: true on DataTier data, or give it the resource option { protect: true }, so the table and its items outlive a destroy"]);
  });

  // Review 95 (F2): DataTier only warns about deletionProtection without retainOnDelete when transformations are in play,
  // so the rule is the verdict then: a transformation that keeps or protects the tables passes, one that does not is reported.
  it("judges a DataTier's deletionProtection under transformations: reports the tables left unkept, passes kept or protected ones", async () => {
    const tagTables = (a: { props: Record<string, unknown>; opts: pulumi.CustomResourceOptions }) => ({ props: { ...a.props, tags: { team: "gallery" } }, opts: a.opts });
    const keepTables = (a: { type: string; props: Record<string, unknown>; opts: pulumi.CustomResourceOptions }) => (a.type === TABLE ? { props: a.props, opts: { ...a.opts, retainOnDelete: true } } : undefined);
    const protectTables = (a: { type: string; props: Record<string, unknown>; opts: pulumi.CustomResourceOptions }) => (a.type === TABLE ? { props: a.props, opts: { ...a.opts, protect: true } } : undefined);
    const graph = await record(() => {
      new DataTier("tagged", { tables: { gallery }, deletionProtection: true }, { transformations: [tagTables] });
      new DataTier("keptby", { tables: { gallery }, deletionProtection: true }, { transformations: [keepTables] });
      new DataTier("protectedby", { tables: { gallery }, deletionProtection: true }, { transformations: [protectTables] });
    });
    expect(destroyable(graph).map((f) => `${f.resource} | ${f.fix}`)).toEqual([
      "aws:dynamodb/table:Table tagged-gallery | set retainOnDelete: true on DataTier tagged, or give it the resource option { protect: true }, or set deletionProtection: false on the DataTier, or remove deletionProtectionEnabled from the transformation that sets it, on a table this stack may delete (DataTier's deletionProtection with transformations is left to this rule)",
    ]);
  });

  it("reports a protected aws.dynamodb.TableReplica the stack deletes, not an unprotected or kept one", async () => {
    const graph = await record(() => {
      const table = new aws.dynamodb.Table("orders", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }], billingMode: "PAY_PER_REQUEST", streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
      new aws.dynamodb.TableReplica("orders-west", { globalTableArn: table.arn, deletionProtectionEnabled: true, region: "us-west-2" });
      new aws.dynamodb.TableReplica("orders-eu", { globalTableArn: table.arn, region: "eu-west-1" });
      new aws.dynamodb.TableReplica("orders-ap", { globalTableArn: table.arn, deletionProtectionEnabled: true, region: "ap-southeast-2" }, { retainOnDelete: true });
    });
    expect(destroyable(graph).map((f) => `${f.resource}: ${f.problem.split(":")[0]} | ${f.fix}`)).toEqual([
      "aws:dynamodb/tableReplica:TableReplica orders-west: has deletion protection (the replica) but is neither retainOnDelete nor protect | set retainOnDelete: true (or protect: true) on the replica, or deletionProtectionEnabled: false on a replica this stack may delete",
    ]);
  });

  it("ignores a table whose protection is off or unset", () => {
    expect(destroyable([handBuilt(TABLE, "off", { hashKey: "pk", deletionProtectionEnabled: false }), handBuilt(TABLE, "unset", { hashKey: "pk", replicas: [{ regionName: "us-west-2" }] })])).toEqual([]);
  });
});
