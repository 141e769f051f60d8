import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { finding, type Finding, type SecurityRule } from "./rule";

const TABLE = "aws:dynamodb/table:Table";

function tables(graph: Graph): RecordedResource[] {
  return ofType(graph, TABLE);
}

function replicas(table: RecordedResource): Array<Record<string, any>> {
  return Array.isArray(table.inputs.replicas) ? table.inputs.replicas : [];
}

/** DDB3: point-in-time recovery on every table and every global-table replica. */
export const DDB3: SecurityRule = {
  id: "DDB3",
  title: "DynamoDB tables have point-in-time recovery",
  check(graph) {
    const findings: Finding[] = [];
    for (const table of tables(graph)) {
      if (table.inputs.pointInTimeRecovery?.enabled !== true) findings.push(finding("DDB3", table, "has no point-in-time recovery"));
      for (const replica of replicas(table)) {
        if (replica.pointInTimeRecovery !== true) findings.push(finding("DDB3", table, `replica in ${replica.regionName} has no point-in-time recovery`));
      }
    }
    return findings;
  },
};

/** Encryption at rest with KMS (the AWS managed key or a customer key), so key use is auditable in CloudTrail. */
export const DYNAMODB_ENCRYPTION: SecurityRule = {
  id: "DynamoDBEncryption",
  title: "DynamoDB tables encrypt at rest with KMS",
  check(graph) {
    return tables(graph)
      .filter((table) => table.inputs.serverSideEncryption?.enabled !== true)
      .map((table) => finding("DynamoDBEncryption", table, "does not encrypt with KMS (serverSideEncryption.enabled is not true)"));
  },
};

/** In production every table, and every replica, has deletion protection. */
export const DYNAMODB_DELETION_PROTECTION: SecurityRule = {
  id: "DynamoDBDeletionProtection",
  title: "Production DynamoDB tables have deletion protection",
  check(graph, context) {
    if (!context.production) return [];
    const findings: Finding[] = [];
    for (const table of tables(graph)) {
      if (table.inputs.deletionProtectionEnabled !== true) findings.push(finding("DynamoDBDeletionProtection", table, "can be deleted (no deletion protection)"));
      for (const replica of replicas(table)) {
        if (replica.deletionProtectionEnabled !== true) findings.push(finding("DynamoDBDeletionProtection", table, `replica in ${replica.regionName} can be deleted`));
      }
    }
    return findings;
  },
};
