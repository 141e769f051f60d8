/**
 * The Aurora security rules (RDS2, RdsNotPublic, RDS10, RdsBackupRetention, RdsLogExports, RdsDataLeastPrivilege) pass on
 * an Aurora PostgreSQL Serverless v2 cluster behind the Data API as RelationalDatabase builds it (dev, and prod with its
 * protection and backups), and each fails on the one thing it checks.
 */
import { describe, expect, it } from "vitest";
import { SECURITY_RULES } from "../../testing/security-rules";
import { RDS_SECURITY_RULES, RDS10, RDS2, RDS_BACKUP_RETENTION, RDS_DATA_LEAST_PRIVILEGE, RDS_LOG_EXPORTS, RDS_NOT_PUBLIC } from "../../testing/security-rules/rds";
import type { RecordedResource } from "../../local/offline/mocks";
import { CLUSTER, CLUSTER_ARN, CLUSTER_ID, databaseNeighbours, INSTANCE, productionInputs, serverlessDatabase } from "../deploy-rules/fixtures/rds";

const dev = { stack: "dev", production: false };
const prod = { stack: "prod", production: true };
const run = (graph: RecordedResource[], context = dev) => RDS_SECURITY_RULES.flatMap((rule) => rule.check(graph, context));
const patched = (graph: RecordedResource[], name: string, patch: Record<string, unknown>) => graph.map((r) => (r.name === name ? { ...r, inputs: { ...r.inputs, ...patch } } : r));
const withPolicy = (statement: Record<string, unknown>) =>
  patched([...serverlessDatabase(), ...databaseNeighbours()], "api-fn-policy", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) });

describe("Aurora security rules", () => {
  it("are in the pack and pass on the cluster, its writer, log group and grants, in dev and in prod", () => {
    expect(SECURITY_RULES).toEqual(expect.arrayContaining(RDS_SECURITY_RULES));
    expect(run([...serverlessDatabase(), ...databaseNeighbours()])).toEqual([]);
    expect(run([...serverlessDatabase(productionInputs), ...databaseNeighbours()], prod)).toEqual([]);
  });

  it("RDS2 fails on an unencrypted cluster", () => {
    expect(RDS2.check(serverlessDatabase({ storageEncrypted: undefined }), dev)).toEqual([{ rule: "RDS2", resource: `${CLUSTER} db-cluster`, problem: "stores data unencrypted (storageEncrypted is not true)" }]);
  });

  it("RdsNotPublic fails on a publicly accessible instance", () => {
    expect(RDS_NOT_PUBLIC.check(serverlessDatabase({}, { publiclyAccessible: true }), dev)).toEqual([{ rule: "RdsNotPublic", resource: `${INSTANCE} db-writer`, problem: "is publicly accessible (publiclyAccessible: true)" }]);
  });

  it("RDS10 and RdsBackupRetention fail in production only, on a cluster without deletion protection keeping 1 day of backups", () => {
    const graph = serverlessDatabase();
    expect(RDS10.check(graph, dev)).toEqual([]);
    expect(RDS10.check(graph, prod)).toEqual([{ rule: "RDS10", resource: `${CLUSTER} db-cluster`, problem: "can be deleted (deletionProtection is not true)" }]);
    expect(RDS_BACKUP_RETENTION.check(graph, dev)).toEqual([]);
    expect(RDS_BACKUP_RETENTION.check(graph, prod)).toEqual([{ rule: "RdsBackupRetention", resource: `${CLUSTER} db-cluster`, problem: "keeps backups 1 day(s), fewer than 7" }]);
    expect(RDS_BACKUP_RETENTION.check(serverlessDatabase({ ...productionInputs, backupRetentionPeriod: undefined }), prod).map((f) => f.problem)).toEqual(["keeps backups 1 day(s), fewer than 7"]);
  });

  it("RdsLogExports fails without the postgresql export, without the log group, and on a group without retention", () => {
    const neighbours = databaseNeighbours();
    expect(RDS_LOG_EXPORTS.check([...serverlessDatabase({ enabledCloudwatchLogsExports: undefined }), ...neighbours], dev).map((f) => f.problem)).toEqual(['does not export its postgresql log (enabledCloudwatchLogsExports lacks "postgresql")']);
    expect(RDS_LOG_EXPORTS.check(serverlessDatabase(), dev).map((f) => f.problem)).toEqual([`exports its postgresql log to /aws/rds/cluster/${CLUSTER_ID}/postgresql, which the program does not create, so RDS creates it without retention`]);
    expect(RDS_LOG_EXPORTS.check(patched([...serverlessDatabase(), ...neighbours], "db-postgresql-logs", { retentionInDays: undefined }), dev)).toEqual([
      { rule: "RdsLogExports", resource: "aws:cloudwatch/logGroup:LogGroup db-postgresql-logs", problem: "keeps the cluster's postgresql log forever (no retentionInDays)" },
    ]);
  });

  it("RdsDataLeastPrivilege fails on rds-data on every cluster or *, and on GetSecretValue on every secret", () => {
    const policy = "aws:iam/rolePolicy:RolePolicy api-fn-policy";
    expect(RDS_DATA_LEAST_PRIVILEGE.check(withPolicy({ Effect: "Allow", Action: "rds-data:ExecuteStatement", Resource: "*" }), dev)).toEqual([{ rule: "RdsDataLeastPrivilege", resource: policy, problem: "allows rds-data:ExecuteStatement on *, not on the clusters it queries" }]);
    expect(RDS_DATA_LEAST_PRIVILEGE.check(withPolicy({ Effect: "Allow", Action: ["rds-data:ExecuteStatement"], Resource: [CLUSTER_ARN, "arn:aws:rds:us-east-1:123456789012:cluster:*"] }), dev).map((f) => f.problem)).toEqual([
      "allows rds-data:ExecuteStatement on arn:aws:rds:us-east-1:123456789012:cluster:*, not on the clusters it queries",
    ]);
    expect(RDS_DATA_LEAST_PRIVILEGE.check(withPolicy({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:*" }), dev).map((f) => f.problem)).toEqual([
      "allows secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:123456789012:secret:*, not on the secrets it reads",
    ]);
    expect(RDS_DATA_LEAST_PRIVILEGE.check(withPolicy({ Effect: "Deny", Action: "rds-data:*", Resource: "*" }), dev)).toEqual([]);
  });
});

describe("RdsDataLeastPrivilege on a recording", () => {
  it("takes the ARN of a cluster of the plan, whatever its form", () => {
    const graph = serverlessDatabase().map((r) => (r.type === CLUSTER ? { ...r, state: { ...r.state, arn: "arn:aws:rds:us-east-1:123456789012:db-cluster-1a2b3c4" } } : r));
    const grant = { Effect: "Allow", Action: "rds-data:ExecuteStatement", Resource: "arn:aws:rds:us-east-1:123456789012:db-cluster-1a2b3c4" };
    const withGrant = patched([...graph, ...databaseNeighbours()], "api-fn-policy", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [grant] }) });
    expect(RDS_DATA_LEAST_PRIVILEGE.check(withGrant, dev)).toEqual([]);
    expect(RDS_DATA_LEAST_PRIVILEGE.check(withPolicy(grant), dev).map((f) => f.rule)).toEqual(["RdsDataLeastPrivilege"]);
  });
});
