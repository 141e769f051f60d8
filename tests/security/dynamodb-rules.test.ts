/** DynamoDB security rules: each passes on what DataTier builds and fails on the one thing it guards. */
import { beforeAll, describe, expect, it } from "vitest";
import { DataTier } from "../../components/data-tier";
import { record, type RecordedResource } from "../harness/mocks";
import type { RuleContext } from "../../testing/security-rules/rule";
import { DDB3, DYNAMODB_DELETION_PROTECTION, DYNAMODB_ENCRYPTION } from "../../testing/security-rules/dynamodb";
import { SECURITY_RULES } from "../../testing/security-rules";

const dev: RuleContext = { stack: "dev", production: false };
const prod: RuleContext = { stack: "prod", production: true };

let devTier: RecordedResource[];
let prodTier: RecordedResource[];

beforeAll(async () => {
  const tables = { gallery: { attributes: { pk: "S" as const, sk: "S" as const }, partitionKey: "pk", sortKey: "sk", replicaRegions: ["us-west-2"] } };
  devTier = await record(() => new DataTier("devdata", { region: "us-east-1", tables, export: { schedule: "rate(1 day)" } }));
  prodTier = await record(() => new DataTier("proddata", { region: "us-east-1", tables, export: { schedule: "rate(1 day)" }, deletionProtection: true, retainOnDelete: true }));
});

function changeTable(graph: RecordedResource[], change: (inputs: Record<string, any>) => Record<string, any>): RecordedResource[] {
  return graph.map((r) => (r.type === "aws:dynamodb/table:Table" ? { ...r, inputs: change(r.inputs) } : r));
}
const ids = (findings: Array<{ rule: string; resource: string; problem: string }>) => findings.map((f) => `${f.rule} ${f.resource}: ${f.problem}`);

describe("DynamoDB security rules", () => {
  it("every rule in SECURITY_RULES passes on DataTier's dev and prod graphs", () => {
    expect(SECURITY_RULES.flatMap((rule) => rule.check(devTier, dev))).toEqual([]);
    expect(SECURITY_RULES.flatMap((rule) => rule.check(prodTier, prod))).toEqual([]);
  });

  it("DDB3: a table or a replica without point-in-time recovery", () => {
    const off = changeTable(devTier, (i) => ({ ...i, pointInTimeRecovery: { enabled: false } }));
    expect(ids(DDB3.check(off, dev))).toEqual(["DDB3 aws:dynamodb/table:Table devdata-gallery: has no point-in-time recovery"]);
    const replicaOff = changeTable(devTier, (i) => ({ ...i, replicas: [{ ...i.replicas[0], pointInTimeRecovery: false }] }));
    expect(ids(DDB3.check(replicaOff, dev))).toEqual(["DDB3 aws:dynamodb/table:Table devdata-gallery: replica in us-west-2 has no point-in-time recovery"]);
  });

  it("DynamoDBEncryption: a table without KMS encryption at rest", () => {
    const plain = changeTable(devTier, (i) => ({ ...i, serverSideEncryption: { enabled: false } }));
    expect(ids(DYNAMODB_ENCRYPTION.check(plain, dev))).toEqual([
      "DynamoDBEncryption aws:dynamodb/table:Table devdata-gallery: does not encrypt with KMS (serverSideEncryption.enabled is not true)",
    ]);
  });

  it("DynamoDBDeletionProtection: production tables and replicas must be protected; dev may delete", () => {
    expect(ids(DYNAMODB_DELETION_PROTECTION.check(devTier, prod))).toEqual([
      "DynamoDBDeletionProtection aws:dynamodb/table:Table devdata-gallery: can be deleted (no deletion protection)",
      "DynamoDBDeletionProtection aws:dynamodb/table:Table devdata-gallery: replica in us-west-2 can be deleted",
    ]);
    expect(DYNAMODB_DELETION_PROTECTION.check(devTier, dev)).toEqual([]);
    const replicaOpen = changeTable(prodTier, (i) => ({ ...i, replicas: [{ ...i.replicas[0], deletionProtectionEnabled: false }] }));
    expect(ids(DYNAMODB_DELETION_PROTECTION.check(replicaOpen, prod))).toEqual(["DynamoDBDeletionProtection aws:dynamodb/table:Table proddata-gallery: replica in us-west-2 can be deleted"]);
  });
});
