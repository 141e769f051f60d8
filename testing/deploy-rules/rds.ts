/**
 * Deploy rules for Aurora PostgreSQL Serverless v2 clusters reached through the RDS Data API (RelationalDatabase's, or
 * hand-built): what CreateDBCluster, CreateDBInstance, CreateDBSubnetGroup, EnableHttpEndpoint and DeleteDBCluster refuse,
 * and what pulumi-aws (terraform-provider-aws internal/service/rds cluster.go, cluster_instance.go, validate.go) refuses
 * before it calls them. Checked on the recorded inputs; a value not set is not judged unless AWS needs it.
 */
import { rdsIdentifierProblem } from "../../components/autoname";
import { featureVersionsText, offersFeature, parseEngineVersion } from "../../components/relational-database/versions";
import { ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { ignoredBy } from "./property-paths";
import { finding, type DeployFinding, type DeployRule } from "./rule";
import type { TransitionFinding } from "./transition";

export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
export const RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";
const SUBNET = "aws:ec2/subnet:Subnet";

/**
 * Serverless v2 limits (API_ServerlessV2ScalingConfiguration; terraform-provider-aws cluster.go
 * `serverlessv2_scaling_configuration`: max_capacity FloatBetween(1, 256), min_capacity FloatBetween(0, 256),
 * seconds_until_auto_pause IntBetween(300, 86400)): "You can specify ACU values in half-step increments"; "The largest
 * value that you can use is 256 for recent Aurora versions, or 128 for older versions"; SecondsUntilAutoPause "between
 * 300 seconds (five minutes) and 86,400 seconds (one day)". RDS refuses SecondsUntilAutoPause with a minimum capacity above
 * 0 ("InvalidParameterValue: SecondsUntilAutoPause can only be specified when minimum capacity is 0", anomalyco/sst#5276,
 * with pulumi-aws 6.66.2), but terraform-provider-aws no longer sends it then: expandServerlessV2ScalingConfiguration sets
 * SecondsUntilAutoPause only when min_capacity is 0 (hashicorp/terraform-provider-aws#41180, merged 2025-04, closing
 * #40637), and pulumi-aws 7 bridges a later provider, so the value is dropped, not refused. Backup retention "Must be a value from 1 to 35" (API_CreateDBCluster BackupRetentionPeriod; the provider:
 * IntAtMost(35)).
 */
export const AURORA_SERVERLESS_V2_LIMITS = {
  capacity: { min: 0, max: 256, step: 0.5, maxAtLeast: 1 },
  secondsUntilAutoPause: { min: 300, max: 86_400 },
  backupRetentionDays: { min: 1, max: 35 },
};

/** The cluster an instance joins: its `clusterIdentifier` names the cluster's id (the identifier) or identifier input. */
export function clusterOf(graph: Graph, instance: RecordedResource): RecordedResource | undefined {
  const reference = instance.inputs.clusterIdentifier;
  if (typeof reference !== "string" || !reference) return undefined;
  return ofType(graph, RDS_CLUSTER).find((c) => [c.id, c.inputs.clusterIdentifier, c.state.clusterIdentifier].includes(reference));
}

/** The instances of `cluster` in the plan. */
export function instancesOf(graph: Graph, cluster: RecordedResource): RecordedResource[] {
  return ofType(graph, RDS_CLUSTER_INSTANCE).filter((i) => clusterOf(graph, i) === cluster);
}

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isHalfStep = (value: number) => Number.isInteger(value * 2);
const scalingOf = (cluster: RecordedResource): Record<string, any> | undefined => {
  const s = cluster.inputs.serverlessv2ScalingConfiguration;
  return s && typeof s === "object" ? s : undefined;
};

/**
 * The shape of a Serverless v2 cluster and its instances:
 * - a cluster with `serverlessv2ScalingConfiguration` has `engineMode` "provisioned" or none (the provider's default):
 *   "Serverless v2 — uses engine_mode = "provisioned" … with a serverlessv2_scaling_configuration block" (the
 *   pulumi-aws Cluster docs: "To create a Serverless v2 RDS cluster, you must additionally specify the engineMode and
 *   serverlessv2ScalingConfiguration attributes"); `serverless` is Serverless v1's mode (end of life 2025-03-31);
 * - an instance of class `db.serverless` joins a cluster with `serverlessv2ScalingConfiguration` ("you must set this
 *   attribute before you add a DB instance that uses the db.serverless DB instance class", AWS::RDS::DBCluster
 *   ServerlessV2ScalingConfiguration; aurora-serverless-v2.requirements, "Clusters that use Aurora Serverless v2 must
 *   have a capacity range specified"); a provisioned class beside it is allowed (a mixed cluster), so not refused;
 * - an instance's `engine` is its cluster's (an instance of engine `aurora` in an aurora-postgresql 9.6.6 cluster:
 *   "InvalidParameterCombination: Cannot find version 9.6.6 for aurora", hashicorp/terraform-provider-aws#4779), and its
 *   `engineVersion`, when set, the cluster's (API_CreateDBInstance EngineVersion, Amazon Aurora: "Not applicable. The
 *   version number of the database engine to be used by the DB instance is managed by the DB cluster"; changing it on an
 *   instance: "The specified DB Instance is a member of a cluster. Modify the DB engine version for the DB Cluster using
 *   the ModifyDbCluster API", aws-quickstart/quickstart-amazon-aurora-postgresql#46).
 */
export const RDS_SERVERLESS_V2_SHAPE: DeployRule = {
  id: "RdsServerlessV2Shape",
  title: "Serverless v2 clusters are provisioned-mode, and their instances match their cluster's engine and version",
  source: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.requirements.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const cluster of ofType(graph, RDS_CLUSTER)) {
      const mode = cluster.inputs.engineMode;
      if (scalingOf(cluster) && mode !== undefined && mode !== "" && mode !== "provisioned") {
        findings.push(finding(this.id, cluster, `sets serverlessv2ScalingConfiguration with engineMode ${JSON.stringify(mode)}; Serverless v2 runs in provisioned mode`, 'set engineMode to "provisioned" (or leave it unset)'));
      }
    }
    for (const instance of ofType(graph, RDS_CLUSTER_INSTANCE)) {
      const cluster = clusterOf(graph, instance);
      if (!cluster) continue;
      const report = (problem: string, fix: string) => findings.push(finding(this.id, instance, problem, fix));
      if (instance.inputs.instanceClass === "db.serverless" && !scalingOf(cluster)) report(`is db.serverless in ${cluster.name}, which has no serverlessv2ScalingConfiguration; RDS refuses a Serverless v2 instance in a cluster without a capacity range`, `set serverlessv2ScalingConfiguration (minCapacity, maxCapacity) on ${cluster.name}`);
      if (instance.inputs.engine !== undefined && cluster.inputs.engine !== undefined && instance.inputs.engine !== cluster.inputs.engine) report(`has engine ${JSON.stringify(instance.inputs.engine)} in ${cluster.name}, whose engine is ${JSON.stringify(cluster.inputs.engine)}`, `set engine to ${JSON.stringify(cluster.inputs.engine)} (pass the cluster's engine output)`);
      const version = instance.inputs.engineVersion;
      if (version !== undefined && version !== "" && version !== cluster.inputs.engineVersion) report(`has engineVersion ${JSON.stringify(version)} in ${cluster.name}, whose engineVersion is ${JSON.stringify(cluster.inputs.engineVersion ?? "(the default)")}; an Aurora instance runs its cluster's version`, "remove engineVersion from the instance, or pass the cluster's engineVersion output");
    }
    return findings;
  },
};

/**
 * A Serverless v2 capacity range (AURORA_SERVERLESS_V2_LIMITS): minCapacity 0–256 and maxCapacity 1–256 in 0.5 steps,
 * maxCapacity ≥ minCapacity ("The maximum capacity must be greater than or equal to the minimum capacity", pulumi-aws
 * ClusterServerlessv2ScalingConfiguration); minCapacity 0 (auto-pause) only on an engine version that offers it
 * (AURORA_POSTGRESQL_FEATURE_VERSIONS.autoPause, components/relational-database/versions.ts; aurora-postgresql only: other engines' versions, and an unset version,
 * which RDS picks, are not judged);
 * secondsUntilAutoPause 300–86400 (the provider's IntBetween; with minCapacity above 0 the provider drops it, see
 * AURORA_SERVERLESS_V2_LIMITS, so it is not judged against minCapacity). maxCapacity above 128 on a version whose limit is 128
 * is not judged (which versions those are is not confirmed).
 */
export const RDS_SERVERLESS_V2_CAPACITY: DeployRule = {
  id: "RdsServerlessV2Capacity",
  title: "Serverless v2 capacity is 0–256 ACUs in 0.5 steps, max ≥ min and ≥ 1, 0 only where auto-pause is offered",
  source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const { capacity, secondsUntilAutoPause } = AURORA_SERVERLESS_V2_LIMITS;
    for (const cluster of ofType(graph, RDS_CLUSTER)) {
      const scaling = scalingOf(cluster);
      if (!scaling) continue;
      const report = (problem: string, fix: string) => findings.push(finding(this.id, cluster, problem, fix));
      const { minCapacity: min, maxCapacity: max, secondsUntilAutoPause: seconds } = scaling;
      if (!isNumber(min) || min < capacity.min || min > capacity.max || !isHalfStep(min)) report(`has minCapacity ${min ?? "(not set)"}; Serverless v2 takes 0–256 ACUs in steps of 0.5`, "set minCapacity to 0.5 or more in 0.5 steps (0 only for auto-pause)");
      if (!isNumber(max) || max < capacity.maxAtLeast || max > capacity.max || !isHalfStep(max)) report(`has maxCapacity ${max ?? "(not set)"}; Serverless v2 takes 1–256 ACUs in steps of 0.5`, "set maxCapacity between 1 and 256 in 0.5 steps");
      else if (isNumber(min) && max < min) report(`has maxCapacity ${max} below minCapacity ${min}`, `set maxCapacity to ${min} or more`);
      if (min === 0 && cluster.inputs.engine === "aurora-postgresql") {
        const version = parseEngineVersion(cluster.inputs.engineVersion);
        if (version && !offersFeature("autoPause", version)) report(`scales to 0 ACUs (auto-pause) on aurora-postgresql ${cluster.inputs.engineVersion}, which has no auto-pause; RDS takes minCapacity 0 only on ${featureVersionsText("autoPause")}`, "upgrade engineVersion, or set minCapacity to 0.5");
      }
      if (seconds !== undefined) {
        if (!Number.isInteger(seconds) || seconds < secondsUntilAutoPause.min || seconds > secondsUntilAutoPause.max) report(`has secondsUntilAutoPause ${seconds}; RDS takes 300–86400`, "set secondsUntilAutoPause between 300 and 86400");
      }
    }
    return findings;
  },
};

/**
 * The RDS Data API (`enableHttpEndpoint: true`) on a cluster in provisioned mode (Serverless v2 or provisioned
 * instances): aurora-postgresql from the versions of AURORA_POSTGRESQL_FEATURE_VERSIONS.dataApi (components/relational-database/versions.ts, "Data API with Aurora
 * PostgreSQL Serverless v2 and provisioned"); earlier majors and versions have none; "Data API isn't supported on T DB
 * instance classes" (data-api.limitations), so no instance of such a cluster is `db.t*`. An unset engineVersion (RDS's
 * default, a recent one) is not judged. The provider turns it on with
 * CreateDBCluster's EnableHttpEndpoint, and later with EnableHttpEndpoint ("This operation applies only to Aurora
 * PostgreSQL Serverless v2 and provisioned DB clusters"; terraform-provider-aws cluster.go `enableHTTPEndpointProvisioned`).
 * Aurora MySQL's Data API versions and the Regions without it are not judged (not confirmed here).
 */
export const RDS_DATA_API_SUPPORT: DeployRule = {
  id: "RdsDataApiSupport",
  title: "The Data API is enabled only on Aurora PostgreSQL versions that offer it, without T instance classes",
  source: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.Data_API.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const cluster of ofType(graph, RDS_CLUSTER)) {
      if (cluster.inputs.enableHttpEndpoint !== true) continue;
      const report = (r: RecordedResource, problem: string, fix: string) => findings.push(finding(this.id, r, problem, fix));
      if (cluster.inputs.engine === "aurora-postgresql") {
        const version = parseEngineVersion(cluster.inputs.engineVersion);
        if (version && !offersFeature("dataApi", version)) report(cluster, `enables the Data API on aurora-postgresql ${cluster.inputs.engineVersion}, which has none; it is on ${featureVersionsText("dataApi")}`, "upgrade engineVersion to such a version, or leave enableHttpEndpoint off");
      }
      for (const instance of instancesOf(graph, cluster)) {
        const instanceClass = instance.inputs.instanceClass;
        if (typeof instanceClass === "string" && /^db\.t\d/.test(instanceClass)) report(instance, `is ${instanceClass} in ${cluster.name}, whose Data API is on; "Data API isn't supported on T DB instance classes"`, 'use "db.serverless" (or a non-T class)');
      }
    }
    return findings;
  },
};

/**
 * A DB subnet group's subnets cover at least two Availability Zones: "DB subnet groups must contain at least one subnet
 * in at least two AZs in the AWS Region" (API_CreateDBSubnetGroup; DBSubnetGroupDoesNotCoverEnoughAZs "Subnets in the DB
 * subnet group should cover at least two Availability Zones unless there is only one Availability Zone"). Judged on the
 * plan's subnets whose `availabilityZone` (or `availabilityZoneId`) is set; a group naming a subnet the plan does not
 * hold, or one without a zone, is not judged.
 */
export const RDS_SUBNET_GROUP_AZS: DeployRule = {
  id: "RdsSubnetGroupAzs",
  title: "DB subnet groups span at least two Availability Zones",
  source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const subnets = ofType(graph, SUBNET);
    for (const group of ofType(graph, RDS_SUBNET_GROUP)) {
      const ids: unknown[] = Array.isArray(group.inputs.subnetIds) ? group.inputs.subnetIds : [];
      const zones = ids.map((id) => {
        const subnet = subnets.find((s) => s.id === id || s.state.id === id);
        return subnet?.inputs.availabilityZone ?? subnet?.inputs.availabilityZoneId;
      });
      if (ids.length === 0 || zones.some((z) => typeof z !== "string" || !z)) continue;
      const distinct = new Set(zones);
      if (distinct.size < 2) findings.push(finding(this.id, group, `has ${ids.length} subnet(s), all in ${[...distinct][0]}; RDS needs subnets in at least two Availability Zones (DBSubnetGroupDoesNotCoverEnoughAZs)`, "add a subnet in another Availability Zone of the region"));
    }
    return findings;
  },
};

/**
 * Words an Aurora PostgreSQL database or master user name may not be: "Can't be a word reserved by the database engine"
 * (API_CreateDBCluster DatabaseName, MasterUsername). PostgreSQL's reserved key words (PostgreSQL docs, "SQL Key
 * Words", the "reserved" entries); **not confirmed** that RDS refuses exactly these. `admin` and `rdsadmin` as a master
 * user: "MasterUsername admin cannot be used as it is a reserved word used by the engine" (InvalidParameterValue, for
 * aurora-postgresql: aws/aws-cdk#10597, aws-cloudformation/cfn-lint#4425 checked against CloudFormation: `admin` fails on
 * aurora-postgresql, `rdsadmin` on every engine, `postgres` succeeds).
 */
export const POSTGRES_RESERVED_WORDS: ReadonlySet<string> = new Set(
  ("all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog current_date current_role current_time " +
    "current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect into " +
    "lateral leading limit localtime localtimestamp not null offset on only or order placing primary references returning select session_user some symmetric " +
    "system_user table then to trailing true union unique user using variadic when where window with").split(" "),
);
const RESERVED_MASTER_USERNAMES = new Set(["admin", "rdsadmin"]);

/** Whether a cluster is created from something that brings its own master user (a snapshot, a point in time, a replica source, a global cluster). */
function restored(cluster: RecordedResource): boolean {
  const i = cluster.inputs;
  return Boolean(i.snapshotIdentifier || i.restoreToPointInTime || i.replicationSourceIdentifier || i.globalClusterIdentifier);
}

/**
 * The master user and the database of an Aurora PostgreSQL cluster:
 * - `manageMasterUserPassword` with `masterPassword` (or `masterPasswordWo`) is refused before any call
 *   ("manage_master_user_password" ConflictsWith "master_password", "master_password_wo", terraform-provider-aws
 *   cluster.go); a new cluster (not restored from a snapshot, a point in time, a replica source or a global cluster) has
 *   one of them and a `masterUsername` ("Username and password credentials are required and valid unless the cluster
 *   password is managed by RDS, or it is a read-replica", cluster.go; CreateDBCluster MasterUsername "Required for Aurora
 *   DB clusters");
 * - `masterUsername`: "Must be 1 to 16 letters, numbers, or underscores. First character must be a letter. Can't be a
 *   reserved word for the chosen database engine" (the RDS API model, botocore rds service-2.json
 *   CreateDBInstanceMessage.MasterUsername; API_CreateDBCluster's older text says "letters or numbers", but
 *   CloudFormation's AWS::RDS::DBCluster schema accepts underscores, aws-cloudformation-resource-providers-rds#150),
 *   POSTGRES_RESERVED_WORDS and `admin`, `rdsadmin`. The 16-character cap is the documented one; a live RDS for
 *   PostgreSQL instance took longer names (floci-io/floci#3729), which is **not confirmed** for Aurora clusters;
 * - `databaseName` (aurora-postgresql): "It must contain 1 to 63 alphanumeric characters. Must begin with a letter.
 *   Subsequent characters can be letters, underscores, or digits (0 to 9). Can't be a word reserved by the database
 *   engine" (API_CreateDBInstance DBName, "Amazon Aurora PostgreSQL").
 */
export const RDS_CLUSTER_CREDENTIALS: DeployRule = {
  id: "RdsClusterCredentials",
  title: "Aurora PostgreSQL clusters have a master user with one kind of password, and a valid database name",
  source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const cluster of ofType(graph, RDS_CLUSTER)) {
      const i = cluster.inputs;
      const report = (problem: string, fix: string) => findings.push(finding(this.id, cluster, problem, fix));
      const password = Boolean(i.masterPassword || i.masterPasswordWo);
      if (i.manageMasterUserPassword === true && password) report("sets manageMasterUserPassword with a masterPassword; the provider refuses the two together (ConflictsWith)", "remove masterPassword: RDS keeps the password in Secrets Manager");
      if (!restored(cluster)) {
        if (i.manageMasterUserPassword !== true && !password) report("has neither manageMasterUserPassword nor a masterPassword; CreateDBCluster needs the master user's password", "set manageMasterUserPassword: true (RDS keeps it in Secrets Manager)");
        if (i.masterUsername === undefined || i.masterUsername === "") report("has no masterUsername, which CreateDBCluster requires for a new Aurora cluster", 'set masterUsername, e.g. "app"');
      }
      if (i.engine !== "aurora-postgresql") continue;
      const user = i.masterUsername;
      if (typeof user === "string" && user !== "") {
        if (!/^[A-Za-z][A-Za-z0-9_]{0,15}$/.test(user)) report(`has masterUsername ${JSON.stringify(user)}; RDS takes 1–16 letters, digits or underscores, starting with a letter`, 'use letters, digits and underscores, starting with a letter, e.g. "app_admin"');
        else if (RESERVED_MASTER_USERNAMES.has(user.toLowerCase()) || POSTGRES_RESERVED_WORDS.has(user.toLowerCase())) report(`has masterUsername ${JSON.stringify(user)}, a word reserved by the engine ("cannot be used as it is a reserved word used by the engine")`, 'choose another name, e.g. "app" or "postgres"');
      }
      const database = i.databaseName;
      if (typeof database === "string" && database !== "") {
        if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(database)) report(`has databaseName ${JSON.stringify(database)}; Aurora PostgreSQL takes 1–63 letters, digits or underscores, starting with a letter`, 'use letters, digits and underscores, e.g. "app"');
        else if (POSTGRES_RESERVED_WORDS.has(database.toLowerCase())) report(`has databaseName ${JSON.stringify(database)}, a PostgreSQL reserved word`, 'choose another name, e.g. "app"');
      }
    }
    return findings;
  },
};


const EXPORTABLE_LOGS: Readonly<Record<string, readonly string[]>> = {
  "aurora-postgresql": ["instance", "postgresql", "iam-db-auth-error"],
  "aurora-mysql": ["audit", "error", "general", "instance", "slowquery", "iam-db-auth-error"],
};

/**
 * An Aurora cluster's settings that AWS or the provider refuses (its and its instances' identifiers are
 * PhysicalNameLimits', names.ts, with the same check, components/autoname.ts rdsIdentifierProblem):
 * - `skipFinalSnapshot` false (the provider's default) needs `finalSnapshotIdentifier`: DeleteDBCluster is never sent
 *   without it ("RDS Cluster final_snapshot_identifier is required when skip_final_snapshot is false", cluster.go
 *   resourceClusterDelete), so `pulumi destroy` and a replacement fail; the identifier: "Must be 1 to 255 letters,
 *   numbers, or hyphens. First character must be a letter. Can't end with a hyphen or contain two consecutive hyphens"
 *   (API_DeleteDBCluster FinalDBSnapshotIdentifier); a fixed one is taken once per account and region: a replacement
 *   that keeps it is TransitionRdsClusterNameReused's; a second destroy of the stack (DBClusterSnapshotAlreadyExistsFault)
 *   is not visible in a plan, not judged;
 * - `backupRetentionPeriod` 1–35 days (AURORA_SERVERLESS_V2_LIMITS);
 * - `enabledCloudwatchLogsExports` of the engine's log types: "Aurora PostgreSQL - instance | postgresql |
 *   iam-db-auth-error", "Aurora MySQL - audit | error | general | instance | slowquery | iam-db-auth-error"
 *   (API_CreateDBCluster EnableCloudwatchLogsExports).
 */
export const RDS_CLUSTER_SETTINGS: DeployRule = {
  id: "RdsClusterSettings",
  title: "Aurora clusters have a valid final snapshot identifier unless skipped, 1–35 days of backups and their engine's log exports",
  source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const { backupRetentionDays } = AURORA_SERVERLESS_V2_LIMITS;
    for (const cluster of ofType(graph, RDS_CLUSTER)) {
      const i = cluster.inputs;
      const report = (problem: string, fix: string) => findings.push(finding(this.id, cluster, problem, fix));
      if (i.skipFinalSnapshot !== true) {
        if (typeof i.finalSnapshotIdentifier !== "string" || i.finalSnapshotIdentifier === "") report("keeps a final snapshot (skipFinalSnapshot is not true) but names no finalSnapshotIdentifier; the provider refuses to delete the cluster, so `pulumi destroy` and any replacement fail", "set finalSnapshotIdentifier (unique per deletion), or skipFinalSnapshot: true outside production");
        else {
          const problem = rdsIdentifierProblem(i.finalSnapshotIdentifier, 255, false);
          if (problem) report(`has finalSnapshotIdentifier ${JSON.stringify(i.finalSnapshotIdentifier)}, which ${problem}`, "use 1–255 letters, digits and single hyphens, starting with a letter");
        }
      }
      const retention = i.backupRetentionPeriod;
      if (retention !== undefined && !(Number.isInteger(retention) && retention >= backupRetentionDays.min && retention <= backupRetentionDays.max)) report(`keeps backups ${retention} days; RDS takes 1–35`, "set backupRetentionPeriod between 1 and 35");
      const allowed = EXPORTABLE_LOGS[i.engine];
      const exports: unknown[] = Array.isArray(i.enabledCloudwatchLogsExports) ? i.enabledCloudwatchLogsExports : [];
      const unknown = allowed ? exports.filter((e) => typeof e !== "string" || !allowed.includes(e)) : [];
      if (unknown.length > 0) report(`exports ${JSON.stringify(unknown)} to CloudWatch Logs; ${i.engine} exports ${allowed!.join(", ")}`, `keep enabledCloudwatchLogsExports to ${allowed!.map((a) => JSON.stringify(a)).join(", ")}`);
    }
    return findings;
  },
};

/**
 * An Aurora cluster's `availabilityZones`, when the program sets them, are three. AWS: "each Aurora DB cluster hosts
 * copies of its storage in three separate Availability Zones" (API_CreateDBInstance, AvailabilityZone) and "Can't
 * specify more than three AZs" (API_CreateDBCluster, AvailabilityZones). The provider: "RDS automatically assigns 3 AZs
 * if less than 3 AZs are configured, which will show as a difference requiring resource recreation next pulumi up. We
 * recommend specifying 3 AZs or using the `lifecycle` configuration block `ignoreChanges` argument if necessary"
 * (pulumi-aws 7 `aws.rds.Cluster` availabilityZones). The input is ForceNew
 * (RDS_CLUSTER_REPLACE_ON), so one or two zones deploy once and replace the cluster, its data with it, at the next
 * `pulumi up`. Unset (RelationalDatabase's way: RDS picks them) or ignored whole (`availabilityZones`, `["availabilityZones"]`,
 * `*`; not one element), nothing is judged.
 */
export const RDS_CLUSTER_ZONES: DeployRule = {
  id: "RdsClusterZones",
  title: "An Aurora cluster that names its Availability Zones names three",
  source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const cluster of ofType(graph, RDS_CLUSTER)) {
      const zones = cluster.inputs.availabilityZones;
      if (!Array.isArray(zones) || zones.length === 0 || zones.length === 3) continue;
      // Only an entry holding the whole input drops its diff: the bridge ignores the TF keys an entry's path reaches, so
      // `availabilityZones[0]` leaves the set's count diff (1 → 3), which replaces (pulumi-terraform-bridge
      // pkg/tfbridge/diff.go doIgnoreChanges; "set indexing doesn't work", pkg/tfbridge/ignore_changes_test.go).
      if (ignoredBy(cluster, ["availabilityZones"]).length > 0) continue;
      const [problem, fix] =
        zones.length < 3
          ? [`names ${zones.length} Availability Zone(s) (${zones.join(", ")}); RDS assigns three, so the next \`pulumi up\` sees a difference in this replace-forcing input and replaces the cluster`, "name three Availability Zones, leave availabilityZones unset (RDS picks them), or add availabilityZones to ignoreChanges"]
          : [`names ${zones.length} Availability Zones (${zones.join(", ")}); a cluster takes at most three`, "name three Availability Zones, or leave availabilityZones unset (RDS picks them)"];
      findings.push(finding(this.id, cluster, problem, fix));
    }
    return findings;
  },
};

export const RDS_RULES: DeployRule[] = [RDS_SERVERLESS_V2_SHAPE, RDS_SERVERLESS_V2_CAPACITY, RDS_DATA_API_SUPPORT, RDS_SUBNET_GROUP_AZS, RDS_CLUSTER_CREDENTIALS, RDS_CLUSTER_SETTINGS, RDS_CLUSTER_ZONES];

/**
 * An aurora-postgresql cluster of both plans whose `engineVersion` changes across majors without
 * `allowMajorVersionUpgrade: true` ("InvalidParameterCombination: The AllowMajorVersionUpgrade flag must be present when
 * upgrading to a new major version", hashicorp/terraform-provider-aws#13389, #13490: ModifyDBCluster refuses it), or to
 * a lower version ("InvalidParameterCombination: Cannot upgrade aurora-postgresql from 12.8 to 12.4",
 * ministryofjustice/cloud-platform-environments#7615; "from 17.5 to 17.4", hashicorp/terraform-provider-aws#45026). The
 * update stops at the cluster. Not visible in a plan: RDS's automatic minor upgrades move the deployed version above the
 * program's, and the next deploy then sends that downgrade (terraform-aws-modules/terraform-aws-rds-aurora#228). Plans
 * saved without the cluster's versions are not judged. Checked by checkPlanTransition.
 */
export function rdsEngineVersionFindings(before: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  for (const cluster of ofType(after, RDS_CLUSTER)) {
    const old = beforeByUrn.get(cluster.urn);
    if (!old || old.inputs.engine !== "aurora-postgresql" || cluster.inputs.engine !== "aurora-postgresql") continue;
    const [from, to] = [parseEngineVersion(old.inputs.engineVersion), parseEngineVersion(cluster.inputs.engineVersion)];
    if (!from || !to) continue;
    const change = `changes engineVersion ${old.inputs.engineVersion} → ${cluster.inputs.engineVersion}`;
    if (to[0] < from[0] || (to[0] === from[0] && to[1] < from[1])) {
      findings.push({ ...finding("TransitionRdsEngineVersion", cluster, `${change}, a downgrade; ModifyDBCluster refuses it ("Cannot upgrade aurora-postgresql from ${old.inputs.engineVersion} to ${cluster.inputs.engineVersion}") and the update stops at the cluster`, `keep engineVersion ${old.inputs.engineVersion} (or higher); to go back, restore a snapshot into a new cluster`, stack), urn: cluster.urn });
    } else if (to[0] > from[0] && cluster.inputs.allowMajorVersionUpgrade !== true) {
      findings.push({ ...finding("TransitionRdsEngineVersion", cluster, `${change}, a major version upgrade without allowMajorVersionUpgrade; ModifyDBCluster refuses it ("The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version")`, "set allowMajorVersionUpgrade: true in the same update (and a parameter group of the new family if the cluster names one)", stack), urn: cluster.urn });
    }
  }
  return findings;
}

/**
 * The inputs whose change replaces an Aurora cluster: every `ForceNew` input of terraform-provider-aws
 * internal/service/rds/cluster.go (read at commit 0168cf6844f393420326f1426bf18ed357b56a77), which pulumi-aws 7 wraps;
 * `s3Import` and `restoreToPointInTime` for their fields. Of these, RDS_CLUSTER_REPLACE_WHEN_SET replace only when set.
 * Not listed: `storage_type`, ForceNew only for an engine not starting "aurora" (CustomizeDiff `ForceNewIf`); a region
 * change: the new cluster is in another scope, where none of its names is taken.
 */
export const RDS_CLUSTER_REPLACE_ON: readonly string[] = [
  "availabilityZones", "clusterIdentifier", "clusterIdentifierPrefix", "clusterScalabilityType", "databaseName", "dbSubnetGroupName", "dbSystemId",
  "engine", "engineMode", "kmsKeyId", "masterUsername", "restoreToPointInTime", "s3Import", "snapshotIdentifier", "sourceRegion", "storageEncrypted",
];

/**
 * Of RDS_CLUSTER_REPLACE_ON, the inputs a program can stop setting without replacing the cluster, so only a new value
 * that is set replaces it (cluster.go, same commit):
 * - `Optional, Computed, ForceNew`: availability_zones (a TypeSet), cluster_identifier, cluster_identifier_prefix,
 *   cluster_scalability_type, database_name, db_subnet_group_name, db_system_id, kms_key_id, master_username,
 *   storage_encrypted. Unset, the provider keeps the state's value: no diff ("The provider will only perform drift
 *   detection if a configuration value is provided", pulumi-aws Cluster `storageEncrypted`). cluster_identifier too:
 *   pulumi-aws 7 maps aws_rds_cluster with no AutoName (provider/resource_overrides.go; its autonaming was reverted in
 *   pulumi/pulumi-aws#1301), so no Pulumi default is drawn for an unset identifier.
 * - snapshot_identifier: `Optional, ForceNew` with a DiffSuppressFunc `return new == ""` ("allow snapshot_identifier to
 *   be removed without forcing re-creation").
 * The others replace on any change: engine (Required); engine_mode (Optional, Default "provisioned": unset is
 * "provisioned" to the provider, so "provisioned" → unset is no change and a deployed "serverless" → unset replaces);
 * restore_to_point_in_time, source_region (Optional, not Computed); s3_import (its fields ForceNew).
 */
export const RDS_CLUSTER_REPLACE_WHEN_SET: readonly string[] = [
  "availabilityZones", "clusterIdentifier", "clusterIdentifierPrefix", "clusterScalabilityType", "databaseName", "dbSubnetGroupName", "dbSystemId", "kmsKeyId", "masterUsername", "snapshotIdentifier", "storageEncrypted",
];

/**
 * What replaces an Aurora cluster and how it is compared, for every transition check that judges one (the stateful
 * rule, the replacement cascade, TransitionRdsClusterNameReused): RDS_CLUSTER_REPLACE_ON, those of
 * RDS_CLUSTER_REPLACE_WHEN_SET only when set, as cluster.go's SDKv2 schema compares them, availability_zones a TypeSet.
 */
export const RDS_CLUSTER_REPLACEMENT = {
  replaceOn: RDS_CLUSTER_REPLACE_ON.filter((input) => !RDS_CLUSTER_REPLACE_WHEN_SET.includes(input)),
  replaceWhenSet: RDS_CLUSTER_REPLACE_WHEN_SET,
  emptyIsUnset: true,
  sets: { availabilityZones: String },
  defaults: { engineMode: "provisioned" },
} as const;
