/**
 * RelationalDatabase's arguments, their validation and normalisation into the spec it registers (kind
 * "RelationalDatabase", the shared contract in ./contract.ts): an Aurora PostgreSQL Serverless v2 cluster reached
 * through the RDS Data API. One spec serves `pulumi up` and `npm start`.
 */
import { resolve } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import type { ArgFailure } from "../errors";
import { checkedKmsKey, checkKmsKeyArn } from "../kms";
import { validateLogRetention } from "../log-retention";
import { PrivateNetwork } from "../private-network";
import { checkWholeNumberInRange } from "../ranges";
import { arnRegion, validateRegionArg } from "../region";
import type { Migration, RelationalDatabaseSpec } from "./contract";
import { featureVersionsText, offersFeature, parseEngineVersion } from "./versions";

/**
 * The Aurora PostgreSQL version a cluster gets unless `engineVersion` says otherwise: one with all this component asks
 * of it (the Data API, auto-pause; AURORA_POSTGRESQL_FEATURE_VERSIONS in ./versions.ts, which RDS refuses otherwise at
 * `pulumi up`).
 */
export const DEFAULT_ENGINE_VERSION = "16.9";

/**
 * The ranges AWS takes, each checked at construction:
 * - capacity: ServerlessV2ScalingConfiguration "MinCapacity … the smallest value that you can use is 0" (with
 *   auto-pause versions, else 0.5), "MaxCapacity … The largest value that you can use is 256 for recent Aurora
 *   versions, or 128 for older versions", both "in half-step increments"
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html);
 *   terraform-provider-aws internal/service/rds/cluster.go: max_capacity FloatBetween(1, 256), min_capacity
 *   FloatBetween(0, 256);
 * - secondsUntilAutoPause: "Specify a value between 300 seconds (five minutes) and 86,400 seconds (one day)" (same
 *   page; cluster.go IntBetween(300, 86400));
 * - backup retention: CreateDBCluster BackupRetentionPeriod "Must be a value from 1 to 35"
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html; cluster.go IntAtMost(35));
 * - names: CreateDBCluster MasterUsername "Must be 1 to 16 letters or numbers. First character must be a letter. Can't
 *   be a reserved word for the chosen database engine." (same page); DatabaseName for Aurora PostgreSQL "must contain 1
 *   to 63 alphanumeric characters. Must begin with a letter. Subsequent characters can be letters, underscores, or
 *   digits (0 to 9). Can't be a word reserved by the database engine." (API_CreateDBInstance DBName, "Amazon Aurora
 *   PostgreSQL").
 */
export const RELATIONAL_DATABASE_LIMITS = {
  minCapacity: { min: 0, minWithoutAutoPause: 0.5, max: 256 },
  maxCapacity: { min: 1, max: 256, maxOnOlderVersions: 128 },
  secondsUntilAutoPause: { min: 300, max: 86_400 },
  backupRetentionDays: { min: 1, max: 35 },
  masterUsernameLength: 16,
  databaseNameLength: 63,
} as const;

/**
 * PostgreSQL's reserved key words ("reserved" and "reserved (can be function or type)" in the PostgreSQL column of
 * https://www.postgresql.org/docs/current/sql-keywords-appendix.html), which RDS refuses as a database or user name,
 * and the names RDS and PostgreSQL keep for themselves: `postgres` (Aurora PostgreSQL "A database named postgres is
 * always created"), the templates, RDS's `rdsadmin` user and database, and the role names PostgreSQL reserves
 * (`public`, `none`).
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary", "both", "case", "cast", "check",
  "collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
  "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
  "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner",
  "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp", "natural", "not",
  "notnull", "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning", "right",
  "select", "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then", "to", "trailing", "true", "union",
  "unique", "user", "using", "variadic", "verbose", "when", "where", "window", "with",
  "postgres", "template0", "template1", "rdsadmin", "rdsrepladmin", "rdsproxyadmin", "public", "none",
]);

export interface RelationalDatabaseArgs {
  /**
   * The VPC the cluster's network interfaces are placed in: its subnets must span at least two Availability Zones (an
   * RDS DB subnet group needs subnets in two). Nothing connects to it there: the Data API reaches the cluster without
   * any ingress rule. Keep the subnets the database uses in this network for its life: fewer subnets (a shorter
   * `existingVpc.subnetIds`, fewer `availabilityZones`) change the DB subnet group in place, which RDS refuses while an
   * instance is in a subnet leaving, and the update stops part-way (`npm run plan -- --since` warns:
   * TransitionDbSubnetInUse). To move the database, restore a snapshot into a RelationalDatabase on the new subnets.
   * Another VPC replaces the subnet group and the cluster (a final snapshot of the old one when finalSnapshot is on).
   */
  network: PrivateNetwork;
  /**
   * The Aurora PostgreSQL version, `<major>.<minor>` (e.g. "16.9"), one the Data API supports (16.1+, 17.4+, …).
   * Minor upgrades are not applied automatically: raise this to take one (RDS then upgrades in place). Looked up in
   * RDS at preview (describe-db-engine-versions): a version RDS does not have in the region is refused then; a
   * deprecated one, which RDS may no longer create a cluster of, warns (a deployed cluster on it keeps deploying).
   * @default DEFAULT_ENGINE_VERSION ("16.9")
   */
  engineVersion?: string;
  /**
   * The database created with the cluster, what Data API calls name: a letter, then letters, digits and underscores,
   * at most 63, not a PostgreSQL reserved word nor `postgres` (always created beside it). Changing it replaces the
   * cluster (a new, empty database).
   * @default "app"
   */
  databaseName?: string;
  /**
   * The master user, whose credentials RDS keeps in a Secrets Manager secret it manages and rotates: a letter, then
   * letters and digits, at most 16, not a reserved word. Changing it replaces the cluster.
   * @default "postgres"
   */
  masterUsername?: string;
  /**
   * The fewest Aurora capacity units (ACUs, about 2 GiB of memory each) the instance scales down to, in steps of 0.5; 0
   * pauses it after `secondsUntilAutoPause` without connections and needs an engine version with auto-pause (16.3+).
   * A paused writer does not make the first call wait: the Data API refuses calls with `DatabaseResumingException`
   * while it resumes (about 15 seconds), which the SDK does not retry, so handlers catch it and retry with back-off
   * (docs/components/relational-database.md shows how); schema migrations do.
   * @default 0.5
   */
  minCapacity?: number;
  /** The most ACUs, 1–256 in steps of 0.5 (above 128 on versions with 256 ACU support only). @default 4 */
  maxCapacity?: number;
  /** With `minCapacity: 0` only: idle seconds before the instance pauses, 300–86400. @default 300 (RDS's) */
  secondsUntilAutoPause?: number;
  /**
   * A customer managed KMS key's ARN, in the cluster's region, for the storage (and snapshots) and the master user
   * secret; grants.dataApi() then adds kms:Decrypt on it. Changing it replaces the cluster.
   * @default the AWS managed keys aws/rds and aws/secretsmanager
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Days of automated backups (point-in-time restore), 1–35. @default 7 */
  backupRetentionDays?: number;
  /**
   * RDS refuses to delete the cluster while set, and Pulumi protects the cluster and its writer (`protect`), so
   * `pulumi destroy` (or a change that would replace either) stops before deleting anything, the writer included. To
   * delete the database: set it to false and `pulumi up` (which lifts both), then `pulumi destroy`. Prod should.
   * @default false
   */
  deletionProtection?: boolean;
  /**
   * Keep the cluster, its instance, subnet group, security group and log group when they leave the program (`pulumi
   * destroy`, a replacement); a kept cluster keeps billing and keeps its VPC in use, so it needs a `network` over an
   * existing VPC (`existingVpc`): a VPC this stack created could not be destroyed with the cluster still in it.
   * @default false
   */
  retainOnDelete?: boolean;
  /**
   * Leave a final snapshot, `<cluster identifier>-final`, when the cluster is deleted (each cluster's identifier is
   * unique, so is its snapshot's). A snapshot is kept, and billed, until you delete it.
   * @default true
   */
  finalSnapshot?: boolean;
  /**
   * A folder of `.sql` files applied in name order through the Data API at each deployment, each once (the
   * schema_migrations table records them); an applied file that changed is refused.
   */
  migrations?: string;
  /** Days the cluster's PostgreSQL log (exported to CloudWatch Logs) is kept; one CloudWatch Logs offers. @default 30 */
  logRetentionDays?: number;
  /** The cluster's region; that of `network`. @default the network's region, else the provider's */
  region?: string;
}

const HALF_STEPS = (value: number) => Number.isInteger(value * 2);

export function validateArgs(fail: ArgFailure, name: string, args: RelationalDatabaseArgs): void {
  validateRegionArg(fail, "region", args.region);
  // The cluster and its instance are named by the component (the log group must know the identifier first).
  validateAutonames(fail, name, [
    { resource: `${name}-cluster`, kind: "rds-cluster" },
    { resource: `${name}-instance`, kind: "rds-instance" },
    // Its security group, `<name>-cluster-<7 hex>`: EC2 refuses a group name starting with "sg-", which RDS takes.
    { resource: `${name}-cluster`, kind: "security-group" },
  ]);
  validateNetwork(fail, args);

  const version = args.engineVersion ?? DEFAULT_ENGINE_VERSION;
  const parsed = parseEngineVersion(version);
  if (!parsed) fail("engineVersion", args.engineVersion, "is not an Aurora PostgreSQL version of the form <major>.<minor>", `Use e.g. "${DEFAULT_ENGINE_VERSION}", or leave it out.`);
  if (!offersFeature("dataApi", parsed)) {
    fail("engineVersion", version, "is an Aurora PostgreSQL version without the RDS Data API, which RDS then refuses to enable (enableHttpEndpoint)", `Use ${featureVersionsText("dataApi")}, e.g. "${DEFAULT_ENGINE_VERSION}".`);
  }
  const scalesToZero = offersFeature("autoPause", parsed);
  const limits = RELATIONAL_DATABASE_LIMITS;

  const min = args.minCapacity ?? 0.5;
  if (typeof min !== "number" || !HALF_STEPS(min) || min < limits.minCapacity.min || min > limits.minCapacity.max) {
    fail("minCapacity", args.minCapacity, `is not a capacity Aurora Serverless v2 takes (${limits.minCapacity.min}–${limits.minCapacity.max} ACUs in steps of 0.5)`, "Use e.g. 0.5, or 0 to pause when idle.");
  }
  if (min === 0 && !scalesToZero) {
    fail("minCapacity", 0, `pauses the instance when idle, which Aurora PostgreSQL ${version} cannot (its smallest capacity is 0.5)`, `Use minCapacity 0.5, or an engine version with auto-pause: ${featureVersionsText("autoPause")}, e.g. "${DEFAULT_ENGINE_VERSION}".`);
  }
  const max = args.maxCapacity ?? 4;
  if (typeof max !== "number" || !HALF_STEPS(max) || max < limits.maxCapacity.min || max > limits.maxCapacity.max) {
    fail("maxCapacity", args.maxCapacity, `is not a capacity Aurora Serverless v2 takes (${limits.maxCapacity.min}–${limits.maxCapacity.max} ACUs in steps of 0.5)`, "Use e.g. 4.");
  }
  if (max > limits.maxCapacity.maxOnOlderVersions && !scalesToZero) {
    fail("maxCapacity", max, `is over ${limits.maxCapacity.maxOnOlderVersions} ACUs, the most Aurora PostgreSQL ${version} scales to`, `Use at most ${limits.maxCapacity.maxOnOlderVersions}, or a version with 256 ACUs: ${featureVersionsText("autoPause")}.`);
  }
  if (max < min) fail("maxCapacity", max, `is below minCapacity ${min}`, `Use a maxCapacity of at least ${Math.max(min, limits.maxCapacity.min)}.`);

  if (args.secondsUntilAutoPause !== undefined) {
    if (min !== 0) fail("secondsUntilAutoPause", args.secondsUntilAutoPause, `is set but minCapacity is ${min}; only an instance that scales to 0 ACUs pauses`, "Set minCapacity: 0, or leave secondsUntilAutoPause out.");
    checkWholeNumberInRange(fail, "secondsUntilAutoPause", args.secondsUntilAutoPause, limits.secondsUntilAutoPause, { limit: "Aurora Serverless v2's range", unit: "seconds" });
  }

  const databaseName = args.databaseName ?? "app";
  if (typeof databaseName !== "string" || !new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${limits.databaseNameLength - 1}}$`).test(databaseName)) {
    fail("databaseName", args.databaseName, `is not an Aurora PostgreSQL database name (a letter, then letters, digits and underscores, at most ${limits.databaseNameLength})`, 'Use e.g. "app" or "gallery".');
  }
  if (RESERVED_NAMES.has(databaseName.toLowerCase())) fail("databaseName", databaseName, "is a name PostgreSQL or RDS reserves, which RDS refuses for the cluster's database", 'Use another name, e.g. "app".');
  const masterUsername = args.masterUsername ?? "postgres";
  // "Must be 1 to 16 letters, numbers, or underscores. First character must be a letter." (CreateDBInstance's
  // MasterUsername for PostgreSQL engines; the deploy rule RdsClusterCredentials takes the same.)
  if (typeof masterUsername !== "string" || !new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${limits.masterUsernameLength - 1}}$`).test(masterUsername)) {
    fail("masterUsername", args.masterUsername, `is not an RDS master user name (a letter, then letters, digits and underscores, at most ${limits.masterUsernameLength})`, 'Use e.g. "postgres" or "app_admin".');
  }
  // "postgres" is Aurora PostgreSQL's own default master user ("By default, its name is postgres",
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.html); the
  // reserved names hold it only as a database name.
  if (masterUsername !== "postgres" && RESERVED_NAMES.has(masterUsername.toLowerCase())) {
    fail("masterUsername", masterUsername, "is a name PostgreSQL or RDS reserves, which RDS refuses for the master user", 'Use another name, e.g. "postgres".');
  }

  checkWholeNumberInRange(fail, "backupRetentionDays", args.backupRetentionDays, limits.backupRetentionDays, { limit: "RDS's range", unit: "days" });
  for (const flag of ["deletionProtection", "retainOnDelete", "finalSnapshot"] as const) {
    if (args[flag] !== undefined && typeof args[flag] !== "boolean") fail(flag, args[flag], "is not true or false", "Set it to true or false.");
  }
  validateLogRetention(fail, "logRetentionDays", args.logRetentionDays);
  if (args.migrations !== undefined && (typeof args.migrations !== "string" || args.migrations.trim() === "")) {
    fail("migrations", args.migrations, "is not a folder path", 'Name the folder of .sql files, relative to the Pulumi project, e.g. "migrations".');
  }
}

/**
 * The customer key as the cluster takes it: a KMS key's ARN (one check of its form, ../kms.ts) in the cluster's region
 * (KMS keys are regional; RDS encrypts a cluster with a key of its own region). Checked at construction for a string,
 * once known for an Output (the same refusals either way).
 */
export function checkedClusterKey(fail: ArgFailure, key: pulumi.Input<string> | undefined, clusterRegion: string | undefined): pulumi.Input<string> | undefined {
  return checkedKmsKey(key, (given) => {
    const arn = checkKmsKeyArn(fail, given, { argument: "kmsKeyArn", problem: "is not a KMS key's ARN", fix: "Pass the key's ARN (arn:aws:kms:<region>:<account>:key/<id>), e.g. key.arn; leave it out for the AWS managed keys." });
    const keyRegion = arnRegion(arn);
    if (clusterRegion && keyRegion !== clusterRegion) fail("kmsKeyArn", arn, `is a key in ${keyRegion}, but the cluster is in ${clusterRegion}; RDS encrypts with a key of its own region`, `Use a key in ${clusterRegion}.`);
    return arn;
  });
}

/**
 * How terraform-provider-aws's aws_rds_engine_version data source says that DescribeDBEngineVersions lists no version
 * matching the criteria (internal/service/rds/engine_version_data_source.go: "no RDS engine versions found: …", and
 * "no RDS engine versions match the criteria…"): the invoke fails with it, which is how a version RDS does not have
 * reads at preview. "multiple RDS engine versions (…) match the criteria" cannot come back with `preferredVersions`
 * set (the data source then takes the exact match), but reads the same way if it does. Any other failure
 * (credentials, throttling) becomes the component's own message, naming the permission.
 */
const NO_ENGINE_VERSION = /no RDS engine versions (found|match)|multiple RDS engine versions/;

/**
 * The cluster's engine version, once RDS has been asked about it at preview: one lookup per cluster
 * (aws.rds.getEngineVersion, DescribeDBEngineVersions with the engine and the version, kept only on an exact match, IncludeAll so a
 * deprecated version is listed too, in the cluster's region).
 * - Not listed at all: refused, also for a deployed cluster RDS has already upgraded off a removed version (its state
 *   still names the old one). RDS has no such version in the region, so CreateDBCluster would answer "Cannot find
 *   version <v> for aurora-postgresql" (aws-samples/sample-apj-sup-sa#163 for 15.8, langfuse/langfuse-terraform-aws#34
 *   for 15.5) at `pulumi up`, after the subnet group, security group and log group exist. The fix names the newest
 *   available version of the same major (a second lookup, on this path only: `latest` in the major's parameter group
 *   family).
 * - Listed as "deprecated" (DBEngineVersion.Status "available or deprecated",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBEngineVersion.html): a warning, not a refusal. A
 *   deployed cluster on it keeps running, and `pulumi up` of that stack must keep working (the provider sends no
 *   engine version to RDS while it is unchanged); only a new cluster (a new stack, or a replacement) would be refused,
 *   which the program cannot tell apart at preview.
 * The version as given is what the cluster gets: nothing is rewritten.
 */
export function checkedEngineVersion(fail: ArgFailure, name: string, version: string, region: string | undefined, parent: pulumi.Resource): pulumi.Output<string> {
  const engine = "aurora-postgresql";
  const where = region ?? "the provider's region";
  const major = parseEngineVersion(version)?.[0];
  // `version` goes to DescribeDBEngineVersions' EngineVersion, which RDS matches as a prefix (the data source is used
  // with a bare major, `version = "16"`), so "16.1" could also list 16.10 and 16.11 and the data source would fail with
  // "multiple RDS engine versions". `preferredVersions: [version]` keeps only the exact string
  // (terraform-provider-aws internal/service/rds/engine_version_data_source.go: `preferredVersion ==
  // aws.StringValue(engineVersion.EngineVersion)`, else "no RDS engine versions match the criteria and preferred
  // versions"). Not confirmed: whether RDS's EngineVersion filter is a prefix match (the data source's docs suggest so).
  const found = aws.rds.getEngineVersion({ engine, version, preferredVersions: [version], includeAll: true, ...(region ? { region } : {}) }, { parent }).then(
    (answer) => answer,
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!NO_ENGINE_VERSION.test(message)) {
        fail("engineVersion", version, `could not be looked up in RDS (${where}) at preview: ${message}`,
          "Give the role that runs preview rds:DescribeDBEngineVersions (RelationalDatabase checks the version with it), or run it again if RDS throttled the call.");
      }
      return undefined;
    },
  );
  return pulumi.output(
    found.then(async (answer) => {
      if (answer === undefined) {
        const newest = await aws.rds
          .getEngineVersion({ engine, parameterGroupFamily: `${engine}${major}`, latest: true, ...(region ? { region } : {}) }, { parent })
          .then((latest) => latest.version, () => undefined);
        fail(
          "engineVersion",
          version,
          `is not an Aurora PostgreSQL version RDS has in ${where} (describe-db-engine-versions lists no such version, not even with --include-all), so CreateDBCluster would answer "Cannot find version ${version} for aurora-postgresql" at \`pulumi up\``,
          `Use a current minor version of ${major}${newest ? `, e.g. "${newest}"` : ""} (aws rds describe-db-engine-versions --engine aurora-postgresql --query "DBEngineVersions[].EngineVersion"), or leave engineVersion out for "${DEFAULT_ENGINE_VERSION}".`,
        );
      }
      if (answer.status !== undefined && answer.status !== "available") {
        pulumi.log.warn(
          `RelationalDatabase "${name}": engineVersion "${version}" is ${answer.status} in RDS (${where}): a cluster already on it keeps running and deploying, ` +
            `but RDS may create no new cluster of it, so a new stack, or a change that replaces the cluster, can fail at \`pulumi up\` ("Cannot find version ${version} for aurora-postgresql"). ` +
            `Raise engineVersion to a current minor version of ${major} (an in-place upgrade of a deployed cluster).`,
          parent,
        );
      }
      return version;
    }),
  );
}

/**
 * The subnets of an existing VPC's network as the DB subnet group takes them, once their zones are known (getSubnet, at
 * preview): refused when they are all in one Availability Zone, which CreateDBSubnetGroup would answer with
 * DBSubnetGroupDoesNotCoverEnoughAZs at `pulumi up`, after the network's endpoints and the database's security group
 * and log group exist ("DB subnet groups must contain at least one subnet in at least two AZs in an AWS Region",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html). A new
 * VPC's zones are checked at construction (validateNetwork); its subnets pass as they are.
 */
export function checkedSubnetIds(fail: ArgFailure, network: PrivateNetwork): pulumi.Output<string[]> {
  const zones = network.subnetZones;
  if (!network.spec.existing || zones === undefined) return network.subnetIds;
  return pulumi.all([network.subnetIds, zones, network.vpcId]).apply(([ids, found, vpcId]) => {
    const distinct = [...new Set(found)];
    if (distinct.length < 2) {
      fail(
        "network",
        network.spec.name,
        `(existingVpc ${vpcId}) has its subnets (${ids.join(", ")}) in ${distinct.length} Availability Zone${distinct.length === 1 ? "" : "s"} (${distinct.join(", ")}); an RDS DB subnet group needs subnets in at least two (DBSubnetGroupDoesNotCoverEnoughAZs)`,
        "Add a subnet of another Availability Zone of the VPC to existingVpc.subnetIds.",
      );
    }
    return ids;
  });
}

/**
 * The network: a PrivateNetwork, whose subnets span two Availability Zones or more ("DB subnet groups must contain at
 * least one subnet in at least two AZs in an AWS Region",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html; CreateDBSubnetGroup
 * answers DBSubnetGroupDoesNotCoverEnoughAZs), in the cluster's region.
 */
function validateNetwork(fail: ArgFailure, args: RelationalDatabaseArgs): void {
  const network = args.network;
  if (!(network instanceof PrivateNetwork)) fail("network", network === undefined ? undefined : "(not a PrivateNetwork)", "is not a PrivateNetwork", 'Pass one, e.g. network: new PrivateNetwork("network").');
  if (!network.spec.existing && network.spec.availabilityZones < 2) {
    fail("network", network.spec.name, `has subnets in ${network.spec.availabilityZones} Availability Zone; an RDS DB subnet group needs subnets in at least two (DBSubnetGroupDoesNotCoverEnoughAZs)`, `Create the PrivateNetwork with availabilityZones: 2 or more.`);
  }
  // A kept cluster's writer keeps its network interfaces in the subnets, and the kept security group stays in the
  // VPC: deleting a subnet or VPC in use fails (DependencyViolation, https://docs.aws.amazon.com/vpc/latest/userguide/delete-vpc.html
  // "you must first delete or detach all resources in the VPC"), so a destroy of a stack that created the network
  // would stop half done, with the network's endpoints and routes gone and its subnets and VPC left in the state.
  if (args.retainOnDelete === true && !network.spec.existing) {
    fail(
      "retainOnDelete",
      true,
      `keeps the cluster in the VPC of PrivateNetwork "${network.spec.name}", which this stack creates: \`pulumi destroy\` would then fail deleting its subnets and VPC (DependencyViolation: the kept cluster still uses them)`,
      "Place a kept database in a VPC that outlives the stack (a PrivateNetwork with existingVpc), or leave retainOnDelete off and rely on deletionProtection and the final snapshot.",
    );
  }
  if (args.region && network.spec.region && args.region !== network.spec.region) {
    fail("region", args.region, `is not the network's region (${network.spec.region}); a cluster's subnets are in its own region`, `Leave region out (the network's), or use a PrivateNetwork in ${args.region}.`);
  }
}

/** The spec but what creation gives (identifier, ARNs) and the migrations read from the folder. */
export function normalise(
  name: string,
  args: RelationalDatabaseArgs,
  created: { clusterIdentifier: pulumi.Input<string>; clusterArn: pulumi.Input<string>; secretArn: pulumi.Input<string> },
  migrations: Migration[],
): RelationalDatabaseSpec {
  const region = args.region || args.network.spec.region;
  return {
    name,
    engine: "aurora-postgresql",
    engineVersion: args.engineVersion ?? DEFAULT_ENGINE_VERSION,
    databaseName: args.databaseName ?? "app",
    masterUsername: args.masterUsername ?? "postgres",
    ...created,
    migrations,
    ...(args.migrations !== undefined ? { migrationsDirectory: resolve(args.migrations) } : {}),
    minCapacity: args.minCapacity ?? 0.5,
    maxCapacity: args.maxCapacity ?? 4,
    ...(region ? { region } : {}),
  };
}
