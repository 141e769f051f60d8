/**
 * A relational database for serverless handlers: Aurora PostgreSQL Serverless v2 (one `db.serverless` writer that
 * scales between `minCapacity` and `maxCapacity` ACUs, optionally pausing at 0), reached through the RDS Data API
 * (HTTPS calls signed with the caller's IAM role: no connections, no VPC for the functions, no ingress rule), its
 * master user's password kept and rotated by RDS in Secrets Manager, storage encrypted with KMS, automated backups, a
 * final snapshot on delete, its PostgreSQL log in CloudWatch Logs with a retention, and schema migrations from a folder
 * of .sql files applied at each deployment. Functions get `grants.dataApi()` and `environment()`. `npm start` emulates
 * the same spec on PGlite.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AUTONAME_RANDOM_LENGTH } from "../autoname";
import { argFailer } from "../errors";
import { grantStatement, statementSid, type PolicyStatement } from "../iam";
import { environmentVariable } from "../lambda/function";
import { arnRegion, regionWhereCreated } from "../region";
import { registerSpec } from "../spec-registry";
import type { DataApiTarget, RelationalDatabaseSpec } from "./contract";
import { readMigrations } from "./migrations";
import { SchemaMigrations } from "./migrations-resource";
import { checkedClusterKey, checkedEngineVersion, checkedSubnetIds, DEFAULT_ENGINE_VERSION, normalise, validateArgs, type RelationalDatabaseArgs } from "./spec";

export type { DataApiTarget, Migration, RelationalDatabaseSpec } from "./contract";
export type { RelationalDatabaseArgs } from "./spec";
export { DEFAULT_ENGINE_VERSION, RELATIONAL_DATABASE_LIMITS } from "./spec";

/**
 * What a Data API caller needs on the cluster: the five statement and transaction actions of AWS's minimum Data API
 * policy ("the minimum required permissions for a user to access Data API for the DB cluster identified by its ARN",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.access.html), on the cluster's ARN.
 */
export const DATA_API_ACTIONS: readonly string[] = [
  "rds-data:BatchExecuteStatement",
  "rds-data:BeginTransaction",
  "rds-data:CommitTransaction",
  "rds-data:ExecuteStatement",
  "rds-data:RollbackTransaction",
];

/** Grants on this database, for a LambdaFunction's `permissions`. */
export interface RelationalDatabaseGrants {
  /**
   * The Data API on the cluster, secretsmanager:GetSecretValue on the master user secret (the Data API reads it as the
   * caller), and kms:Decrypt on a customer key that encrypts the secret.
   */
  dataApi(): PolicyStatement[];
}

/**
 * The cluster's replace-forcing inputs (ForceNew in terraform-provider-aws internal/service/rds/cluster.go, the deploy
 * rules' RDS_CLUSTER_REPLACE_ON) as the component sets them. `kept`: those that vary with the arguments, each under
 * the name the identifier suffix's keepers give it (the names of earlier versions: a new name would draw a new suffix,
 * and so replace every deployed cluster); the keepers are made from this map, so a varying input it lacks is no
 * keeper. `constant`: those set to one value always. The component sets no other (tests/components/relational-database.test.ts
 * pins that every input of RDS_CLUSTER_REPLACE_ON is one of these or unset).
 */
export const CLUSTER_REPLACING_INPUTS = {
  kept: { databaseName: "databaseName", masterUsername: "masterUsername", kmsKeyId: "kmsKeyArn", dbSubnetGroupName: "subnetGroup" },
  constant: ["engine", "engineMode", "storageEncrypted"],
} as const;

/**
 * An Aurora PostgreSQL Serverless v2 database reached through the RDS Data API.
 *
 * @example
 * const network = new PrivateNetwork("network", { executeApiEndpoint: false }); // the Data API needs no endpoint in the VPC
 * const db = new RelationalDatabase("gallery-db", { network, migrations: "migrations" });
 * new LambdaFunction("api", { entry: "handlers/api/index.ts", permissions: db.grants.dataApi(), environment: db.environment() });
 * // in the handler: new RDSDataClient().send(new ExecuteStatementCommand({ resourceArn: process.env.DATABASE_ARN,
 * //   secretArn: process.env.DATABASE_SECRET_ARN, database: process.env.DATABASE_NAME, sql: "select 1" }))
 */
export class RelationalDatabase extends pulumi.ComponentResource {
  /** What the local runtime emulates (registered as kind "RelationalDatabase"). */
  readonly spec: RelationalDatabaseSpec;
  /** The cluster's ARN, the Data API's resourceArn. */
  readonly clusterArn: pulumi.Output<string>;
  /** The writer endpoint (for tools that connect over PostgreSQL's protocol from inside the VPC; no ingress rule allows it by default). */
  readonly clusterEndpoint: pulumi.Output<string>;
  /** The RDS-managed master user secret's ARN, the Data API's secretArn. */
  readonly secretArn: pulumi.Output<string>;
  /** The database Data API calls name. */
  readonly databaseName: pulumi.Output<string>;
  /** Grants on the cluster for functions' `permissions`. */
  readonly grants: RelationalDatabaseGrants;
  /** The underlying resources, for what the component does not cover. */
  readonly nodes: {
    readonly subnetGroup: aws.rds.SubnetGroup;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly cluster: aws.rds.Cluster;
    readonly instance: aws.rds.ClusterInstance;
    readonly migrations?: SchemaMigrations;
  };

  constructor(name: string, args: RelationalDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:RelationalDatabase", name, {}, opts);
    const fail = argFailer("RelationalDatabase", name);
    const given = args ?? ({} as RelationalDatabaseArgs);
    const region = given.region || given.network?.spec?.region || undefined;
    validateArgs(fail, name, given);
    const kmsKey = checkedClusterKey(fail, given.kmsKeyArn, regionWhereCreated(region, this, "aws:rds/cluster:Cluster").region);
    const migrations = given.migrations !== undefined ? readMigrations(fail, "migrations", given.migrations) : [];
    const network = given.network;
    const retainOnDelete = given.retainOnDelete ?? false;
    // With deletion protection, Pulumi protects the cluster and its writer too: otherwise `pulumi destroy` deletes the
    // writer first (DeleteDBInstance has no protection of its own here) and only then finds RDS refusing the cluster,
    // leaving a cluster without a writer, where every Data API call fails until the next `pulumi up` makes one.
    // Undefined otherwise, so a `protect` given to the component still reaches them.
    const protect = given.deletionProtection === true ? true : undefined;
    const databaseName = given.databaseName ?? "app";
    const masterUsername = given.masterUsername ?? "postgres";
    const minCapacity = given.minCapacity ?? 0.5;

    // Subnets in two Availability Zones at least: checked at construction for a new VPC, and at preview for an existing
    // one, once getSubnet has given its subnets' zones (checkedSubnetIds).
    const subnetIds = checkedSubnetIds(fail, network);
    // A kept cluster keeps using its subnet group and security group: RDS refuses to delete a subnet group a cluster
    // uses (InvalidDBSubnetGroupStateFault), EC2 a security group an interface uses (DependencyViolation), so they are
    // kept with it.
    // No ingress: the Data API reaches the cluster on AWS's side, not through the VPC, so no rule opens PostgreSQL's
    // port; no egress either (the provider removes EC2's default allow-all rule from a group it creates).
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-cluster`,
      { vpcId: network.vpcId, description: `${name}: Aurora cluster reached through the RDS Data API only (no ingress)`, region },
      { parent: this, retainOnDelete },
    );
    // Another VPC (a new `network`) replaces the security group (vpc_id is ForceNew, terraform-provider-aws
    // ec2/vpc_security_group.go) but would only modify the subnet group in place, which RDS refuses (a DB subnet group's
    // subnets stay in its VPC; a cluster does not move VPC by ModifyDBCluster): replaceWith replaces the subnet group
    // with the security group, under a new name (namePrefix), so the cluster (db_subnet_group_name is ForceNew) and its
    // identifier suffix (kept by the subnet group's name) are replaced too, with a final snapshot of the old one.
    // namePrefix: the provider draws a unique name (prefix and a 26-character id), so a replacement's name never
    // collides; the provider refuses upper case (validate.go validSubnetGroupNamePrefix: `^[0-9a-z_ .-]+$`).
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { namePrefix: `${name.toLowerCase()}-`, description: `${name}: subnets of the Aurora cluster`, subnetIds, region },
      { parent: this, retainOnDelete, replaceWith: [securityGroup] },
    );

    // The cluster's inputs that replace it (ForceNew in terraform-provider-aws internal/service/rds/cluster.go:
    // availability_zones, cluster_identifier(_prefix), cluster_scalability_type, database_name, db_subnet_group_name,
    // db_system_id, engine, engine_mode, kms_key_id, master_username, restore_to_point_in_time, s3_import's fields,
    // snapshot_identifier, source_region, storage_encrypted; and region, pulumi-aws 7's per-resource region). Those the
    // component sets and that vary are here, spread into the cluster and kept by the identifier suffix; the others it
    // sets are constants (engine, engineMode, storageEncrypted), and a new region is a new scope for every name.
    // Exactly CLUSTER_REPLACING_INPUTS.kept's inputs (`satisfies` refuses another), each kept under its keeper's name;
    // the AWS managed key (no kmsKeyId) is kept as "aws/rds".
    const replacing = { databaseName, masterUsername, kmsKeyId: kmsKey, dbSubnetGroupName: subnetGroup.name } satisfies Record<keyof typeof CLUSTER_REPLACING_INPUTS.kept, unknown>;
    const kept = { ...replacing, kmsKeyId: replacing.kmsKeyId ?? "aws/rds" };
    const keepers: Record<string, pulumi.Input<string>> = Object.fromEntries(Object.entries(CLUSTER_REPLACING_INPUTS.kept).map(([input, keeper]) => [keeper, kept[input as keyof typeof kept]]));
    // The cluster's identifier, known before the log group that names it: `<name>-cluster-<7 random lowercase letters
    // and digits>`, the suffix kept in the stack's state (so an update keeps it), drawn again whenever an input of
    // `replacing` changes, so the replacement, created before the old cluster is deleted, never asks for the identifier
    // the old one still holds (DBClusterAlreadyExistsFault), nor for its `-final` snapshot's name
    // (DBClusterSnapshotAlreadyExistsFault). The keepers' names and values are those of earlier versions: a change
    // there would draw a new suffix, and so replace every deployed cluster.
    const suffix = new random.RandomString(
      `${name}-identifier-suffix`,
      {
        length: AUTONAME_RANDOM_LENGTH,
        special: false,
        upper: false,
        keepers,
      },
      { parent: this },
    ).result;
    const clusterIdentifier = pulumi.interpolate`${name.toLowerCase()}-cluster-${suffix}`;
    const instanceIdentifier = pulumi.interpolate`${name.toLowerCase()}-instance-${suffix}`;

    // RDS writes an exported log to /aws/rds/cluster/<cluster identifier>/<log type>, creating the group (without a
    // retention) when it does not exist (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.CloudWatch.html):
    // created first, with the retention.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-postgresql-logs`,
      { name: pulumi.interpolate`/aws/rds/cluster/${clusterIdentifier}/postgresql`, retentionInDays: given.logRetentionDays ?? 30, region },
      { parent: this, retainOnDelete },
    );

    const finalSnapshot = given.finalSnapshot ?? true;
    const cluster = new aws.rds.Cluster(
      `${name}-cluster`,
      {
        clusterIdentifier,
        engine: "aurora-postgresql",
        // Aurora Serverless v2 is the provisioned engine mode with db.serverless instances and a scaling configuration.
        engineMode: "provisioned",
        // Looked up at preview: a version RDS does not have is refused then (checkedEngineVersion).
        engineVersion: checkedEngineVersion(fail, name, given.engineVersion ?? DEFAULT_ENGINE_VERSION, region, this),
        allowMajorVersionUpgrade: false,
        ...replacing,
        // RDS generates the password and keeps it in a secret it manages (rds!cluster-…), the Data API's secretArn.
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: kmsKey,
        storageEncrypted: true,
        vpcSecurityGroupIds: [securityGroup.id],
        serverlessv2ScalingConfiguration: {
          minCapacity,
          maxCapacity: given.maxCapacity ?? 4,
          ...(given.secondsUntilAutoPause !== undefined ? { secondsUntilAutoPause: given.secondsUntilAutoPause } : {}),
        },
        enableHttpEndpoint: true,
        backupRetentionPeriod: given.backupRetentionDays ?? 7,
        copyTagsToSnapshot: true,
        deletionProtection: given.deletionProtection ?? false,
        // DeleteDBCluster FinalDBSnapshotIdentifier: 1–255 letters, digits and hyphens, a letter first, no two hyphens
        // in a row nor a trailing one (API_DeleteDBCluster; cluster.go final_snapshot_identifier), which the
        // identifier and "-final" keep; unique because the identifier is.
        skipFinalSnapshot: !finalSnapshot,
        finalSnapshotIdentifier: finalSnapshot ? pulumi.interpolate`${clusterIdentifier}-final` : undefined,
        enabledCloudwatchLogsExports: ["postgresql"],
        // A change (capacity, backups, a new engine version) is made by `pulumi up`, not left pending until the next
        // maintenance window (ModifyDBCluster ApplyImmediately, which the provider defaults to false).
        applyImmediately: true,
        region,
      },
      { parent: this, retainOnDelete, dependsOn: [logGroup], ...(protect ? { protect } : {}) },
    );
    // One writer. Not publicly accessible. Minor versions are not upgraded automatically: the provider would then read
    // back a newer engine_version than the program's, and the next `pulumi up` would ask RDS to downgrade (refused);
    // raising engineVersion upgrades instead. Named by the component (lower case, as RDS stores it): replaced
    // delete-first, so a replacement never asks for the name the old instance holds.
    const instance = new aws.rds.ClusterInstance(
      `${name}-instance`,
      {
        identifier: instanceIdentifier,
        clusterIdentifier: cluster.id,
        instanceClass: "db.serverless",
        engine: "aurora-postgresql",
        engineVersion: cluster.engineVersion,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: false,
        region,
      },
      { parent: this, retainOnDelete, deleteBeforeReplace: true, ...(protect ? { protect } : {}) },
    );

    const secretArn = cluster.masterUserSecrets.apply((secrets) => {
      const arn = secrets?.[0]?.secretArn;
      if (!arn) {
        throw new Error(
          `RelationalDatabase "${name}": the cluster reports no master user secret, which manageMasterUserPassword makes. ` +
            "If it was changed outside the program, run `pulumi refresh`, then `pulumi up` (which turns manageMasterUserPassword back on).",
        );
      }
      return arn;
    });
    const schemaMigrations =
      given.migrations !== undefined
        ? new SchemaMigrations(
            `${name}-migrations`,
            { target: pulumi.all([cluster.arn, secretArn]).apply(([resourceArn, secret]): DataApiTarget => ({ resourceArn, secretArn: secret, database: databaseName })), migrations, ...(region ? { region } : {}) },
            { parent: this, dependsOn: [instance] },
          )
        : undefined;

    this.spec = normalise(name, given, { clusterIdentifier, clusterArn: cluster.arn, secretArn }, migrations);
    this.clusterArn = cluster.arn;
    this.clusterEndpoint = cluster.endpoint;
    this.secretArn = secretArn;
    this.databaseName = pulumi.output(databaseName);
    this.nodes = { subnetGroup, securityGroup, logGroup, cluster, instance, ...(schemaMigrations ? { migrations: schemaMigrations } : {}) };
    const sid = statementSid(name);
    this.grants = {
      dataApi: () =>
        [
          { sid: `${sid}DataApi`, actions: [...DATA_API_ACTIONS], resources: [cluster.arn] },
          // "Data API transparently calls Secrets Manager, which allows (or denies) the user's request for the secret"
          // (data-api.access.html): the caller's own GetSecretValue on the secret.
          { sid: `${sid}Secret`, actions: ["secretsmanager:GetSecretValue"], resources: [secretArn] },
          // A secret encrypted with a customer key: GetSecretValue decrypts it as the caller ("To retrieve a secret
          // encrypted with a customer managed key, kms:Decrypt", https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
          // Only through Secrets Manager (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service),
          // as components/lambda/secrets.ts grants it: the key also encrypts the cluster's storage and snapshots. The
          // secret's region (its ARN's) is the cluster's.
          ...(kmsKey
            ? [{ sid: `${sid}SecretKey`, actions: ["kms:Decrypt"], resources: [kmsKey], conditions: { StringEquals: { "kms:ViaService": secretArn.apply((arn) => `secretsmanager.${arnRegion(arn)}.amazonaws.com`) } } }]
            : []),
        ].map(grantStatement),
    };
    registerSpec("RelationalDatabase", name, this.spec);
    this.registerOutputs({ clusterArn: this.clusterArn, clusterEndpoint: this.clusterEndpoint, secretArn: this.secretArn, databaseName: this.databaseName });
  }

  /**
   * The Data API's three parameters under `<prefix>_ARN` (resourceArn), `<prefix>_SECRET_ARN` (secretArn) and
   * `<prefix>_NAME` (database), for a function's `environment`.
   * @param prefix @default "DATABASE"
   */
  environment(prefix = "DATABASE"): Record<string, pulumi.Output<string>> {
    const fail = argFailer("RelationalDatabase", this.spec.name);
    return {
      ...environmentVariable(fail, `${prefix}_ARN`, this.clusterArn, "DATABASE_ARN"),
      ...environmentVariable(fail, `${prefix}_SECRET_ARN`, this.secretArn, "DATABASE_SECRET_ARN"),
      ...environmentVariable(fail, `${prefix}_NAME`, this.databaseName, "DATABASE_NAME"),
    };
  }
}
