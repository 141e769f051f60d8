/**
 * Security rules for Aurora clusters (RelationalDatabase's Aurora PostgreSQL Serverless v2 behind the RDS Data API, or
 * hand-built), after cdk-nag's AwsSolutions-RDS rules where one matches (RDS2, RDS10).
 */
import { asArray, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { allowStatements, finding, type Finding, type SecurityRule } from "./rule";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** Days of automated backups a production cluster keeps at least (AWS Backup's and Security Hub RDS.11's 7-day floor). */
export const RDS_MIN_PRODUCTION_BACKUP_DAYS = 7;

const clusters = (graph: Graph) => ofType(graph, CLUSTER);
/** The names a cluster is known by in the plan: what a log group name or an instance's clusterIdentifier uses. */
const identifiersOf = (cluster: RecordedResource) => [cluster.inputs.clusterIdentifier, cluster.state.clusterIdentifier, cluster.id].filter((v): v is string => typeof v === "string" && v !== "");

/**
 * RDS2 (cdk-nag AwsSolutions-RDS2): Aurora clusters encrypt storage at rest (`storageEncrypted: true`, with the AWS
 * managed `aws/rds` key or a customer key). A provisioned-mode cluster (Serverless v2) is unencrypted unless asked
 * ("The default is `false` for `provisioned` `engineMode`", pulumi-aws Cluster `storageEncrypted`), and encryption is set at creation
 * only (ForceNew).
 */
export const RDS2: SecurityRule = {
  id: "RDS2",
  title: "Aurora clusters encrypt storage at rest",
  check(graph) {
    return clusters(graph)
      .filter((cluster) => cluster.inputs.storageEncrypted !== true)
      .map((cluster) => finding("RDS2", cluster, "stores data unencrypted (storageEncrypted is not true)"));
  },
};

/** RdsNotPublic: no cluster instance is publicly accessible (the Data API needs no network path to the instances). */
export const RDS_NOT_PUBLIC: SecurityRule = {
  id: "RdsNotPublic",
  title: "Aurora instances are not publicly accessible",
  check(graph) {
    return ofType(graph, INSTANCE)
      .filter((instance) => instance.inputs.publiclyAccessible === true)
      .map((instance) => finding("RdsNotPublic", instance, "is publicly accessible (publiclyAccessible: true)"));
  },
};

/** RDS10 (cdk-nag AwsSolutions-RDS10): in production, clusters have deletion protection. */
export const RDS10: SecurityRule = {
  id: "RDS10",
  title: "Production Aurora clusters have deletion protection",
  check(graph, context) {
    if (!context.production) return [];
    return clusters(graph)
      .filter((cluster) => cluster.inputs.deletionProtection !== true)
      .map((cluster) => finding("RDS10", cluster, "can be deleted (deletionProtection is not true)"));
  },
};

/** RdsBackupRetention: in production, clusters keep automated backups RDS_MIN_PRODUCTION_BACKUP_DAYS days or more (unset is RDS's default of 1). */
export const RDS_BACKUP_RETENTION: SecurityRule = {
  id: "RdsBackupRetention",
  title: "Production Aurora clusters keep 7 days of backups or more",
  check(graph, context) {
    if (!context.production) return [];
    return clusters(graph)
      .filter((cluster) => !(typeof cluster.inputs.backupRetentionPeriod === "number" && cluster.inputs.backupRetentionPeriod >= RDS_MIN_PRODUCTION_BACKUP_DAYS))
      .map((cluster) => finding("RdsBackupRetention", cluster, `keeps backups ${cluster.inputs.backupRetentionPeriod ?? 1} day(s), fewer than ${RDS_MIN_PRODUCTION_BACKUP_DAYS}`));
  },
};

/**
 * RdsLogExports: an Aurora PostgreSQL cluster exports its `postgresql` log to CloudWatch Logs, into a log group of the
 * program named `/aws/rds/cluster/<cluster identifier>/postgresql` with a retention (RDS otherwise creates the group
 * itself, kept forever). The group's name is the one RDS writes to (the convention of terraform-aws-modules/rds-aurora and
 * AWS's Aurora logging examples; **not confirmed** on an AWS page).
 */
export const RDS_LOG_EXPORTS: SecurityRule = {
  id: "RdsLogExports",
  title: "Aurora PostgreSQL clusters export the postgresql log to a log group with retention",
  check(graph) {
    const findings: Finding[] = [];
    const groups = ofType(graph, LOG_GROUP);
    for (const cluster of clusters(graph)) {
      if (cluster.inputs.engine !== "aurora-postgresql") continue;
      if (!asArray<string>(cluster.inputs.enabledCloudwatchLogsExports).includes("postgresql")) {
        findings.push(finding("RdsLogExports", cluster, 'does not export its postgresql log (enabledCloudwatchLogsExports lacks "postgresql")'));
        continue;
      }
      const names = identifiersOf(cluster).map((id) => `/aws/rds/cluster/${id}/postgresql`);
      const group = groups.find((g) => names.includes(g.inputs.name));
      if (!group) findings.push(finding("RdsLogExports", cluster, `exports its postgresql log to ${names[0] ?? "/aws/rds/cluster/<id>/postgresql"}, which the program does not create, so RDS creates it without retention`));
      else if (!(typeof group.inputs.retentionInDays === "number" && group.inputs.retentionInDays > 0)) findings.push(finding("RdsLogExports", group, "keeps the cluster's postgresql log forever (no retentionInDays)"));
    }
    return findings;
  },
};

/** An Aurora cluster's ARN, `arn:<partition>:rds:<region>:<account>:cluster:<identifier>`, with no wildcard. */
export const RDS_CLUSTER_ARN = /^arn:[^:*?]+:rds:[^:*?]+:\d{12}:cluster:[a-z][a-z0-9-]*$/;

/**
 * RdsDataLeastPrivilege: a policy's Data API grants name clusters: every Resource of a statement allowing an `rds-data:`
 * action is a cluster ARN without wildcards (of the form RDS_CLUSTER_ARN, or the `arn` of a cluster of the plan) (never `*`, nor `cluster:*`: "rds-data" actions take the cluster as their
 * resource, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsdataapi.html), and
 * `secretsmanager:GetSecretValue` is allowed on named secrets only (no `*` in the Resource; a secret ARN's `-??????`
 * suffix is fine). IAM5 already refuses wildcard actions.
 */
export const RDS_DATA_LEAST_PRIVILEGE: SecurityRule = {
  id: "RdsDataLeastPrivilege",
  title: "Data API grants name their clusters and GetSecretValue names its secrets",
  check(graph) {
    const findings: Finding[] = [];
    const planClusters = new Set(clusters(graph).map((c) => c.state.arn).filter((arn): arn is string => typeof arn === "string" && !arn.includes("*")));
    for (const { carrier, statement } of allowStatements(graph)) {
      const actions = asArray<string>(statement.Action);
      const resources = asArray<string>(statement.Resource);
      const dataApi = actions.filter((a) => a.toLowerCase().startsWith("rds-data:"));
      const notClusters = resources.filter((r) => !RDS_CLUSTER_ARN.test(r) && !planClusters.has(r));
      if (dataApi.length > 0 && notClusters.length > 0) findings.push(finding("RdsDataLeastPrivilege", carrier, `allows ${dataApi.join(", ")} on ${notClusters.join(", ")}, not on the clusters it queries`));
      const wideSecrets = resources.filter((r) => r.includes("*"));
      if (actions.some((a) => a.toLowerCase() === "secretsmanager:getsecretvalue") && wideSecrets.length > 0) findings.push(finding("RdsDataLeastPrivilege", carrier, `allows secretsmanager:GetSecretValue on ${wideSecrets.join(", ")}, not on the secrets it reads`));
    }
    return findings;
  },
};

export const RDS_SECURITY_RULES: SecurityRule[] = [RDS2, RDS_NOT_PUBLIC, RDS10, RDS_BACKUP_RETENTION, RDS_LOG_EXPORTS, RDS_DATA_LEAST_PRIVILEGE];
