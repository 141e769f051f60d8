/**
 * RelationalDatabase: the Aurora PostgreSQL Serverless v2 cluster and its writer as `pulumi up` would create them (Data
 * API on, RDS-managed secret, encrypted storage, log group with a retention created first, final snapshot named after
 * the cluster), its subnet group and ingress-free security group, the Data API grants and environment, the spec the
 * local runtime reads, and the construction-time refusals.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { rdsAutonameProblem } from "../../components/autoname";
import { argFailer } from "../../components/errors";
import { LambdaFunction } from "../../components/lambda/function";
import { PrivateNetwork } from "../../components/private-network";
import { CLUSTER_REPLACING_INPUTS, DATA_API_ACTIONS, DEFAULT_ENGINE_VERSION, RelationalDatabase, type RelationalDatabaseArgs, type RelationalDatabaseSpec } from "../../components/relational-database";
import { registeredSpecs } from "../../components/spec-registry";
import { checkDeployRules, checkPlanTransition, toSavedPlan } from "../../testing/deploy-rules";
import { checkedClusterKey } from "../../components/relational-database/spec";
import { RDS_CLUSTER_REPLACE_ON } from "../../testing/deploy-rules/rds";
import { SECURITY_RULES } from "../../testing/security-rules";
import { serverlessDatabase } from "../deploy-rules/fixtures/rds";
import { dependencyClosure, policyDocument, record, resource, useMocks } from "../harness/mocks";

const entry = "tests/fixtures/handlers/echo.ts";
const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SUFFIX = "random:index/randomString:RandomString";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

beforeAll(() => useMocks());

type Graph = Awaited<ReturnType<typeof record>>;
const securityFindings = (graph: Graph) => SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true }).filter((f) => f.rule !== "DataRetention" && f.rule !== "RDS10"));
const deployFindings = (graph: Graph) => checkDeployRules(graph, { stack: "dev", production: false, region: "us-east-1" });
const database = (name: string, args: Partial<RelationalDatabaseArgs> = {}, network = new PrivateNetwork(`${name}-net`)) => new RelationalDatabase(name, { network, ...args });

describe("RelationalDatabase", () => {
  it("creates an Aurora PostgreSQL Serverless v2 cluster with the Data API, an RDS-managed secret and encrypted storage, its log group first", async () => {
    const graph = await record(() => database("db"));
    const suffix = resource(graph, SUFFIX, "db-identifier-suffix");
    const subnets = resource(graph, SUBNET_GROUP, "db-subnets");
    const securityGroup = resource(graph, SECURITY_GROUP, "db-cluster");
    expect(suffix.inputs).toEqual({ length: 7, special: false, upper: false, keepers: { databaseName: "app", masterUsername: "postgres", kmsKeyArn: "aws/rds", subnetGroup: subnets.state.name } });
    const identifier = `db-cluster-${suffix.state.result}`;
    expect(identifier).toMatch(/^db-cluster-[a-z0-9]{7}$/);
    const vpc = resource(graph, "awsx:ec2:Vpc", "db-net-vpc");
    expect(subnets.inputs).toEqual({ namePrefix: "db-", description: "db: subnets of the Aurora cluster", subnetIds: vpc.state.isolatedSubnetIds });
    expect(securityGroup.inputs).toEqual({ vpcId: vpc.state.vpcId, description: "db: Aurora cluster reached through the RDS Data API only (no ingress)" });
    const logGroup = resource(graph, LOG_GROUP, "db-postgresql-logs");
    expect(logGroup.inputs).toEqual({ name: `/aws/rds/cluster/${identifier}/postgresql`, retentionInDays: 30 });
    const cluster = resource(graph, CLUSTER, "db-cluster");
    expect(cluster.inputs).toEqual({
      clusterIdentifier: identifier,
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion: DEFAULT_ENGINE_VERSION,
      allowMajorVersionUpgrade: false,
      databaseName: "app",
      masterUsername: "postgres",
      manageMasterUserPassword: true,
      storageEncrypted: true,
      dbSubnetGroupName: subnets.state.name,
      vpcSecurityGroupIds: [securityGroup.id],
      serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 },
      enableHttpEndpoint: true,
      backupRetentionPeriod: 7,
      copyTagsToSnapshot: true,
      deletionProtection: false,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      enabledCloudwatchLogsExports: ["postgresql"],
      applyImmediately: true,
    });
    expect(dependencyClosure(graph, cluster).has(logGroup.urn)).toBe(true);
    const instance = resource(graph, INSTANCE, "db-instance");
    expect(instance.inputs).toEqual({
      identifier: `db-instance-${suffix.state.result}`,
      clusterIdentifier: cluster.id,
      instanceClass: "db.serverless",
      engine: "aurora-postgresql",
      engineVersion: DEFAULT_ENGINE_VERSION,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: false,
    });
    expect(instance.deleteBeforeReplace).toBe(true);
    for (const kept of [cluster, instance, subnets, securityGroup, logGroup]) expect(kept.retainOnDelete).toBe(false);
    // Without deletionProtection, nothing is protected (a destroy deletes it all).
    for (const unprotected of [cluster, instance]) expect(unprotected.protect).toBe(false);
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("grants the Data API on the cluster and the secret's GetSecretValue, and gives a function the three Data API parameters", async () => {
    let environment: ReturnType<RelationalDatabase["environment"]> = {};
    const graph = await record(() => {
      const db = database("grants-db");
      environment = db.environment();
      new LambdaFunction("grants-api", { entry, permissions: db.grants.dataApi(), environment });
    });
    expect(DATA_API_ACTIONS).toEqual(["rds-data:BatchExecuteStatement", "rds-data:BeginTransaction", "rds-data:CommitTransaction", "rds-data:ExecuteStatement", "rds-data:RollbackTransaction"]);
    const cluster = resource(graph, CLUSTER, "grants-db-cluster");
    const secretArn = cluster.state.masterUserSecrets[0].secretArn;
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:rds!cluster-/);
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "grants-api-policy").inputs.policy).Statement;
    expect(statements.filter((s: { Sid?: string }) => s.Sid?.startsWith("grantsdb"))).toEqual([
      { Sid: "grantsdbDataApi", Effect: "Allow", Action: [...DATA_API_ACTIONS], Resource: [cluster.state.arn] },
      { Sid: "grantsdbSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretArn] },
    ]);
    expect(Object.keys(environment)).toEqual(["DATABASE_ARN", "DATABASE_SECRET_ARN", "DATABASE_NAME"]);
    const variables = resource(graph, "aws:lambda/function:Function", "grants-api-function").inputs.environment.variables;
    expect(variables).toMatchObject({ DATABASE_ARN: cluster.state.arn, DATABASE_SECRET_ARN: secretArn, DATABASE_NAME: "app" });
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("encrypts storage and the secret with a customer key, and then grants kms:Decrypt on it", async () => {
    const graph = await record(() => {
      const db = database("keyed", { kmsKeyArn: KEY, databaseName: "gallery", masterUsername: "gallery_owner", minCapacity: 0, secondsUntilAutoPause: 600, maxCapacity: 8, backupRetentionDays: 14, logRetentionDays: 90 });
      new LambdaFunction("keyed-api", { entry, permissions: db.grants.dataApi(), environment: db.environment("GALLERY_DB") });
    });
    const cluster = resource(graph, CLUSTER, "keyed-cluster");
    expect(cluster.inputs).toMatchObject({
      kmsKeyId: KEY,
      masterUserSecretKmsKeyId: KEY,
      databaseName: "gallery",
      masterUsername: "gallery_owner",
      serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 600 },
      backupRetentionPeriod: 14,
    });
    expect(resource(graph, LOG_GROUP, "keyed-postgresql-logs").inputs.retentionInDays).toBe(90);
    expect(resource(graph, SUFFIX, "keyed-identifier-suffix").inputs.keepers).toMatchObject({ databaseName: "gallery", masterUsername: "gallery_owner", kmsKeyArn: KEY });
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "keyed-api-policy").inputs.policy).Statement;
    // Only through Secrets Manager: the key also encrypts the storage and snapshots.
    expect(statements).toContainEqual({ Sid: "keyedSecretKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [KEY], Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } } });
    expect(Object.keys(resource(graph, "aws:lambda/function:Function", "keyed-api-function").inputs.environment.variables)).toEqual(expect.arrayContaining(["GALLERY_DB_ARN", "GALLERY_DB_SECRET_ARN", "GALLERY_DB_NAME"]));
    expect(securityFindings(graph)).toEqual([]);
    expect(deployFindings(graph)).toEqual([]);
  });

  it("keeps everything the cluster uses on delete when asked, protects it, and can skip the final snapshot", async () => {
    const existing = () => new PrivateNetwork("kept-net", { existingVpc: { vpcId: "vpc-0abc", subnetIds: ["subnet-a", "subnet-b"] } });
    const graph = await record(() => database("kept", { retainOnDelete: true, deletionProtection: true, finalSnapshot: false }, existing()));
    for (const [type, name] of [[CLUSTER, "kept-cluster"], [INSTANCE, "kept-instance"], [SUBNET_GROUP, "kept-subnets"], [SECURITY_GROUP, "kept-cluster"], [LOG_GROUP, "kept-postgresql-logs"]]) {
      expect(resource(graph, type, name).retainOnDelete).toBe(true);
    }
    const cluster = resource(graph, CLUSTER, "kept-cluster");
    expect(cluster.inputs).toMatchObject({ deletionProtection: true, skipFinalSnapshot: true });
    expect(cluster.inputs.finalSnapshotIdentifier).toBeUndefined();
    // Pulumi refuses to delete (or replace) the cluster and its writer before any delete runs, so a destroy never
    // deletes the writer of a cluster RDS then refuses to delete.
    expect(cluster.protect).toBe(true);
    expect(resource(graph, INSTANCE, "kept-instance").protect).toBe(true);
    // A production stack asks for deletion protection (RDS10): this one passes it (that it fails an unprotected
    // cluster is tests/security/rds-rules.test.ts's).
    expect(SECURITY_RULES.flatMap((rule) => rule.check(graph, { stack: "prod", production: true })).filter((f) => f.rule === "RDS10")).toEqual([]);
  });

  it("refuses to keep a cluster on delete in a VPC the stack creates, whose destroy it would block", async () => {
    await expect(record(() => database("stuck", { retainOnDelete: true }))).rejects.toThrow(
      /RelationalDatabase "stuck": retainOnDelete true keeps the cluster in the VPC of PrivateNetwork "stuck-net", which this stack creates: `pulumi destroy` would then fail deleting its subnets and VPC \(DependencyViolation[^]*existingVpc/,
    );
  });

  it("names the cluster and instance in lower case, as RDS stores them, and in the network's region", async () => {
    const graph = await record(() => database("GalleryDb", {}, new PrivateNetwork("eu-net", { region: "eu-west-1" })));
    const suffix = resource(graph, SUFFIX, "GalleryDb-identifier-suffix").state.result;
    const cluster = resource(graph, CLUSTER, "GalleryDb-cluster");
    expect(cluster.inputs).toMatchObject({ clusterIdentifier: `gallerydb-cluster-${suffix}`, finalSnapshotIdentifier: `gallerydb-cluster-${suffix}-final`, region: "eu-west-1" });
    expect(cluster.state.arn).toBe(`arn:aws:rds:eu-west-1:123456789012:cluster:gallerydb-cluster-${suffix}`);
    expect(resource(graph, INSTANCE, "GalleryDb-instance").inputs).toMatchObject({ identifier: `gallerydb-instance-${suffix}`, region: "eu-west-1" });
    expect(resource(graph, SUBNET_GROUP, "GalleryDb-subnets").inputs).toMatchObject({ namePrefix: "gallerydb-", region: "eu-west-1" });
    expect(resource(graph, LOG_GROUP, "GalleryDb-postgresql-logs").inputs).toMatchObject({ name: `/aws/rds/cluster/gallerydb-cluster-${suffix}/postgresql`, region: "eu-west-1" });
  });

  it("registers the spec the local runtime reads", async () => {
    let db: RelationalDatabase | undefined;
    const graph = await record(() => {
      db = database("spec-db", { minCapacity: 1, maxCapacity: 2 });
    });
    const entryOf = registeredSpecs<RelationalDatabaseSpec>("RelationalDatabase").find((e) => e.name === "spec-db");
    expect(entryOf?.spec).toBe(db!.spec);
    const cluster = resource(graph, CLUSTER, "spec-db-cluster");
    const resolved = await new Promise<unknown[]>((done) =>
      // The Output fields resolve to what the cluster reports.
      (require("@pulumi/pulumi") as typeof import("@pulumi/pulumi")).all([db!.spec.clusterIdentifier, db!.spec.clusterArn, db!.spec.secretArn]).apply(done),
    );
    expect(resolved).toEqual([cluster.inputs.clusterIdentifier, cluster.state.arn, cluster.state.masterUserSecrets[0].secretArn]);
    const { clusterIdentifier: _i, clusterArn: _a, secretArn: _s, ...plain } = db!.spec;
    expect(plain).toEqual({ name: "spec-db", engine: "aurora-postgresql", engineVersion: DEFAULT_ENGINE_VERSION, databaseName: "app", masterUsername: "postgres", migrations: [], minCapacity: 1, maxCapacity: 2 });
  });

  it.each([
    [{ engineVersion: "16" }, /RelationalDatabase "bad": engineVersion "16" is not an Aurora PostgreSQL version of the form <major>\.<minor>\. Use e\.g\. "16\.9"/],
    [{ engineVersion: "15.2" }, /engineVersion "15\.2" is an Aurora PostgreSQL version without the RDS Data API.*Use 17\.4, 16\.1, 15\.3, 14\.8 or 13\.11 or a later minor version of the same major, or any version of a major above 17, e\.g\. "16\.9"\./],
    [{ engineVersion: "12.22" }, /engineVersion "12\.22" is an Aurora PostgreSQL version without the RDS Data API/],
    [{ minCapacity: 0.3 }, /minCapacity 0\.3 is not a capacity Aurora Serverless v2 takes \(0–256 ACUs in steps of 0\.5\)/],
    [{ minCapacity: -1 }, /minCapacity -1 is not a capacity/],
    [{ engineVersion: "16.2", minCapacity: 0 }, /minCapacity 0 pauses the instance when idle, which Aurora PostgreSQL 16\.2 cannot.*auto-pause: any 17, 16\.3, 15\.7, 14\.12 or 13\.15 or a later minor version of the same major, or any version of a major above 17, e\.g\. "16\.9"\./],
    [{ maxCapacity: 0.5 }, /maxCapacity 0\.5 is not a capacity Aurora Serverless v2 takes \(1–256/],
    [{ maxCapacity: 256.5 }, /maxCapacity 256\.5 is not a capacity/],
    [{ engineVersion: "16.1", maxCapacity: 200 }, /maxCapacity 200 is over 128 ACUs, the most Aurora PostgreSQL 16\.1 scales to/],
    [{ minCapacity: 8, maxCapacity: 4 }, /maxCapacity 4 is below minCapacity 8\. Use a maxCapacity of at least 8\./],
    [{ secondsUntilAutoPause: 600 }, /secondsUntilAutoPause 600 is set but minCapacity is 0\.5; only an instance that scales to 0 ACUs pauses\. Set minCapacity: 0/],
    [{ minCapacity: 0, secondsUntilAutoPause: 299 }, /secondsUntilAutoPause 299 is outside Aurora Serverless v2's range of 300–86400 seconds\. Use a whole number from 300 to 86400 seconds\./],
    [{ minCapacity: 0, secondsUntilAutoPause: 86_401 }, /secondsUntilAutoPause 86401 is outside Aurora Serverless v2's range of 300–86400 seconds/],
    [{ minCapacity: 0, secondsUntilAutoPause: 300.5 }, /secondsUntilAutoPause 300\.5 is not a whole number\. Use a whole number from 300 to 86400 seconds\./],
    [{ databaseName: "1app" }, /databaseName "1app" is not an Aurora PostgreSQL database name \(a letter, then letters, digits and underscores, at most 63\)/],
    [{ databaseName: "my-app" }, /databaseName "my-app" is not an Aurora PostgreSQL database name/],
    [{ databaseName: "a".repeat(64) }, /databaseName "a{64}" is not an Aurora PostgreSQL database name/],
    [{ databaseName: "postgres" }, /databaseName "postgres" is a name PostgreSQL or RDS reserves/],
    [{ databaseName: "Select" }, /databaseName "Select" is a name PostgreSQL or RDS reserves/],
    [{ masterUsername: "app-owner" }, /masterUsername "app-owner" is not an RDS master user name \(a letter, then letters, digits and underscores, at most 16\)/],
    [{ masterUsername: "a".repeat(17) }, /masterUsername "a{17}" is not an RDS master user name/],
    [{ masterUsername: "rdsadmin" }, /masterUsername "rdsadmin" is a name PostgreSQL or RDS reserves, which RDS refuses for the master user/],
    [{ masterUsername: "user" }, /masterUsername "user" is a name PostgreSQL or RDS reserves/],
    [{ backupRetentionDays: 0 }, /backupRetentionDays 0 is outside RDS's range of 1–35 days\. Use a whole number from 1 to 35 days\./],
    [{ backupRetentionDays: 36 }, /backupRetentionDays 36 is outside RDS's range of 1–35 days/],
    [{ backupRetentionDays: 7.5 }, /backupRetentionDays 7\.5 is not a whole number\. Use a whole number from 1 to 35 days\./],
    [{ backupRetentionDays: 0.5 }, /backupRetentionDays 0\.5 is not a whole number, nor in RDS's range of 1–35 days\. Use a whole number from 1 to 35 days\./],
    [{ retainOnDelete: "yes" }, /retainOnDelete "yes" is not true or false/],
    [{ finalSnapshot: 1 }, /finalSnapshot 1 is not true or false/],
    [{ logRetentionDays: 10 }, /logRetentionDays 10 is not a retention CloudWatch Logs offers/],
    [{ migrations: "" }, /migrations "" is not a folder path/],
    [{ kmsKeyArn: "alias/aws/rds" }, /kmsKeyArn "alias\/aws\/rds" is not a KMS key's ARN\. Pass the key's ARN \(arn:aws:kms:<region>:<account>:key\/<id>\), e\.g\. key\.arn; leave it out for the AWS managed keys\./],
    [{ kmsKeyArn: KEY.replace("us-east-1", "eu-west-1") }, /kmsKeyArn ".*" is a key in eu-west-1, but the cluster is in us-east-1; RDS encrypts with a key of its own region\. Use a key in us-east-1\./],
    [{ region: "eu-west-1" }, /region "eu-west-1" is not the network's region/],
  ])("refuses %j", async (args, message) => {
    await expect(record(() => database("bad", args as never, new PrivateNetwork("bad-net", { region: "us-east-1" })))).rejects.toThrow(message);
  });

  it("takes the Aurora PostgreSQL versions the deploy rules take, and refuses those they refuse (one version table)", async () => {
    // 18.x is above the table's newest major (17), so taken as having the Data API and auto-pause (not confirmed by AWS).
    const judged = (findings: { rule: string }[]) => findings.filter((f) => f.rule === "RdsDataApiSupport" || f.rule === "RdsServerlessV2Capacity").length === 0;
    const taken: Record<string, [component: boolean, rule: boolean]> = {};
    for (const [engineVersion, minCapacity] of [["13.10", 0.5], ["13.11", 0.5], ["17.3", 0.5], ["17.4", 0], ["18.1", 0], ["18.1", 0.5], ["16.2", 0], ["16.3", 0]] as const) {
      const component = await record(() => database(`v${engineVersion.replace(".", "-")}-${minCapacity * 2}`, { engineVersion, minCapacity })).then((graph) => judged(deployFindings(graph)), () => false);
      const rule = judged(deployFindings(serverlessDatabase({ engineVersion, serverlessv2ScalingConfiguration: { minCapacity, maxCapacity: 4 } }, { engineVersion })));
      taken[`${engineVersion}/${minCapacity}`] = [component, rule];
    }
    const both = (verdict: boolean): [boolean, boolean] => [verdict, verdict];
    expect(taken).toEqual({ "13.10/0.5": both(false), "13.11/0.5": both(true), "17.3/0.5": both(false), "17.4/0": both(true), "18.1/0": both(true), "18.1/0.5": both(true), "16.2/0": both(false), "16.3/0": both(true) });
  });

  it("replaces the subnet group, and so the cluster under a new identifier, with the security group (another VPC); the suffix keeps every replacing input the cluster takes", async () => {
    const graph = await record(() => database("moving"));
    const securityGroup = resource(graph, SECURITY_GROUP, "moving-cluster");
    const subnets = resource(graph, SUBNET_GROUP, "moving-subnets");
    expect(subnets.replaceWith).toEqual([securityGroup.urn]);
    const cluster = resource(graph, CLUSTER, "moving-cluster");
    const keepers = resource(graph, SUFFIX, "moving-identifier-suffix").inputs.keepers;
    expect(keepers).toEqual({ databaseName: cluster.inputs.databaseName, masterUsername: cluster.inputs.masterUsername, kmsKeyArn: "aws/rds", subnetGroup: cluster.inputs.dbSubnetGroupName });
    // The cluster's other replace-forcing inputs the component sets are constants (RDS_CLUSTER_REPLACE_ON).
    expect(Object.fromEntries(CLUSTER_REPLACING_INPUTS.constant.map((input) => [input, cluster.inputs[input]]))).toEqual({ engine: "aurora-postgresql", engineMode: "provisioned", storageEncrypted: true });
  });

  it("keeps, in the identifier suffix's keepers, every input of RDS_CLUSTER_REPLACE_ON it sets that varies with its arguments: each is kept, a constant, or never set", async () => {
    // The default, and every argument changed (another VPC too): an input that varies between the two must be kept.
    const [plain, varied] = [
      await record(() => database("keep-a")),
      await record(() => database("keep-b", { databaseName: "other", masterUsername: "owner", kmsKeyArn: KEY, engineVersion: "15.7", minCapacity: 1, maxCapacity: 8, backupRetentionDays: 14, deletionProtection: true, finalSnapshot: false, logRetentionDays: 7 })),
    ];
    const [a, b] = [resource(plain, CLUSTER, "keep-a-cluster"), resource(varied, CLUSTER, "keep-b-cluster")];
    const [keptA, keptB] = [resource(plain, SUFFIX, "keep-a-identifier-suffix").inputs.keepers, resource(varied, SUFFIX, "keep-b-identifier-suffix").inputs.keepers];
    const kept: Record<string, string> = CLUSTER_REPLACING_INPUTS.kept;
    const constant: readonly string[] = CLUSTER_REPLACING_INPUTS.constant;
    const unclassified: string[] = [];
    for (const input of RDS_CLUSTER_REPLACE_ON) {
      if (input === "clusterIdentifier") continue; // drawn from the suffix itself
      if (input in kept) {
        // The keeper holds the cluster's value (the AWS managed key, no kmsKeyId, as "aws/rds").
        expect([keptA[kept[input]], keptB[kept[input]]], input).toEqual([a.inputs[input] ?? "aws/rds", b.inputs[input] ?? "aws/rds"]);
      } else if (constant.includes(input)) {
        expect(b.inputs[input], input).toEqual(a.inputs[input]);
      } else if (input in a.inputs || input in b.inputs) {
        unclassified.push(`${input} (${JSON.stringify(a.inputs[input])}, ${JSON.stringify(b.inputs[input])})`);
      }
    }
    expect(unclassified, "set by RelationalDatabase but neither kept by the identifier suffix nor a constant: add it to CLUSTER_REPLACING_INPUTS").toEqual([]);
    // Every kept input does vary, and the suffix's keepers are exactly those.
    for (const input of Object.keys(kept)) expect(b.inputs[input], input).not.toEqual(a.inputs[input]);
    expect(Object.keys(keptA).sort()).toEqual(Object.values(kept).sort());
  });

  it("draws a new identifier and final snapshot name when a replacing input changes, so TransitionRdsClusterNameReused finds nothing; a cluster that keeps them is still found", async () => {
    const plan = async (args: Partial<RelationalDatabaseArgs>) => record(() => database("renamed", args));
    const nameReused = (before: Graph, after: Graph) => checkPlanTransition(before, after, { stack: "prod", region: "us-east-1" }).filter((f) => f.rule === "TransitionRdsClusterNameReused");
    const before = await plan({ databaseName: "app" });
    const old = resource(before, CLUSTER, "renamed-cluster").inputs;
    for (const change of [{ databaseName: "gallery" }, { masterUsername: "owner" }, { kmsKeyArn: KEY }]) {
      const after = await plan({ databaseName: "app", ...change });
      const cluster = resource(after, CLUSTER, "renamed-cluster");
      expect(cluster.inputs.clusterIdentifier, JSON.stringify(change)).not.toBe(old.clusterIdentifier);
      expect(cluster.inputs.finalSnapshotIdentifier).toBe(`${cluster.inputs.clusterIdentifier}-final`);
      expect(nameReused(before, after).map((f) => f.problem), JSON.stringify(change)).toEqual([]);
      // The reverse: a cluster built by hand that keeps its identifier and final snapshot name through the replacement.
      const kept = after.map((r) => (r.urn === cluster.urn ? { ...r, inputs: { ...r.inputs, clusterIdentifier: old.clusterIdentifier, finalSnapshotIdentifier: old.finalSnapshotIdentifier } } : r));
      expect(nameReused(before, kept).map((f) => f.problem)).toEqual([
        expect.stringContaining(`under the same clusterIdentifier "${old.clusterIdentifier}"`),
        expect.stringContaining(`with the same finalSnapshotIdentifier "${old.finalSnapshotIdentifier}"`),
      ]);
    }
    // An unchanged program keeps its suffix (the keepers are the same), so the identifier stays.
    expect(resource(await plan({ databaseName: "app" }), CLUSTER, "renamed-cluster").inputs.clusterIdentifier).toBe(old.clusterIdentifier);
  });

  it("moved to another VPC, is replaced by an empty cluster: the plan transition follows replaceWith from the security group through the subnet group and the suffix (TransitionStatefulReplaced), also from a saved plan", async () => {
    const plan = (network: string, args: Partial<RelationalDatabaseArgs> = {}) => record(() => database("vpcmove", args, new PrivateNetwork(network)));
    const [before, after] = [await plan("vpcmove-net"), await plan("vpcmove-net2")];
    const found = (deployed: Graph) => checkPlanTransition(deployed, after, { stack: "prod", region: "us-east-1" }).map((f) => [f.rule, f.resource, f.problem]);
    for (const deployed of [before, toSavedPlan(before, { stack: "prod", region: "us-east-1" }).resources]) {
      expect(found(deployed)).toEqual([
        [
          "TransitionStatefulReplaced",
          `${CLUSTER} vpcmove-cluster`,
          expect.stringMatching(/^replaces Aurora DB cluster vpcmove-cluster: clusterIdentifier \(vpcmove-cluster-[a-z0-9]{7} → vpcmove-cluster-<new [a-z0-9]{7}>\), dbSubnetGroupName \(vpcmove-\d{18}[0-9a-f]{8} → <new vpcmove-\d{18}[0-9a-f]{8}>\) force a new cluster .*The deployed data is left only in the deployed cluster's final snapshot/),
        ],
      ]);
    }
    // The same network: nothing is replaced.
    expect(found(await plan("vpcmove-net2"))).toEqual([]);
  });

  it("checks a key given as an Output once known, with the checks and words a string gets (checkedClusterKey)", async () => {
    // What the Output's apply runs: a failing Output fails `pulumi up` at the cluster.
    const fail = argFailer("RelationalDatabase", "late");
    expect(() => checkedClusterKey(fail, "alias/aws/rds", "us-east-1")).toThrow(/^RelationalDatabase "late": kmsKeyArn "alias\/aws\/rds" is not a KMS key's ARN\. Pass the key's ARN .*; leave it out for the AWS managed keys\./);
    expect(() => checkedClusterKey(fail, KEY.replace("us-east-1", "eu-west-1"), "us-east-1")).toThrow(/kmsKeyArn ".*" is a key in eu-west-1, but the cluster is in us-east-1; RDS encrypts with a key of its own region\. Use a key in us-east-1\./);
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const graph = await record(() => database("late", { kmsKeyArn: pulumi.output(KEY) }, new PrivateNetwork("late-net", { region: "us-east-1" })));
    expect(resource(graph, CLUSTER, "late-cluster").inputs).toMatchObject({ kmsKeyId: KEY, masterUserSecretKmsKeyId: KEY });
  });

  it("refuses a component name whose identifier RDS refuses with the words the deploy rule uses for that identifier", async () => {
    const rule = (identifier: string) => deployFindings(serverlessDatabase({ clusterIdentifier: identifier })).find((f) => f.rule === "PhysicalNameLimits")?.problem;
    const refused = (identifier: string, problem: string) => `has clusterIdentifier "${identifier}", an Aurora DB cluster identifier that ${problem}: AWS refuses it at \`pulumi up\``;
    expect(rule("1db-cluster-abc1234")).toBe(refused("1db-cluster-abc1234", "does not begin with a letter"));
    await expect(record(() => database("1db"))).rejects.toThrow(/which RDS refuses: it does not begin with a letter\./);
    expect(rule("db--main-cluster-abc1234")).toBe(refused("db--main-cluster-abc1234", "has two consecutive hyphens"));
    await expect(record(() => database("db--main"))).rejects.toThrow(/which RDS refuses: it has two consecutive hyphens\./);
  });

  it('refuses a component name starting with "sg-": RDS takes the identifier, EC2 refuses the cluster security group\'s name', async () => {
    await expect(record(() => database("sg-db", {}, new PrivateNetwork("db-net", { region: "us-east-1" })))).rejects.toThrow(/^RelationalDatabase "sg-db": .*starts with "sg-"/);
  });

  it("words an autonamed identifier's fix by the rule it breaks (rdsIdentifierBreach), not by the problem's words", () => {
    expect(rdsAutonameProblem("1db-cluster-abc1234")).toEqual({ text: "does not begin with a letter", fix: "Start the component name with a letter." });
    expect(rdsAutonameProblem("db--main-cluster-abc1234")).toEqual({ text: "has two consecutive hyphens", fix: "Use a component name without two hyphens in a row." });
    // Each hyphen rule has its own fix (RDS: "Can't end with a hyphen or contain two consecutive hyphens").
    expect(rdsAutonameProblem("db-main-")).toEqual({ text: "ends with a hyphen", fix: "Use a component name that does not end with a hyphen." });
    // Checked before by validateAutonames, but worded by their own rules: the characters' words mention hyphens, the length's none.
    expect(rdsAutonameProblem("db_main-cluster")).toEqual({ text: "is not lower-case letters, digits and hyphens starting with a letter", fix: "Use a component name of letters, digits and hyphens." });
    expect(rdsAutonameProblem(`db${"a".repeat(62)}`)).toEqual({ text: "is 64 characters; RDS takes 1–63", fix: "Use a shorter component name." });
    expect(rdsAutonameProblem("db-cluster-abc1234")).toBeUndefined();
  });

  it("refuses a network that cannot hold a DB subnet group, and something that is not a PrivateNetwork", async () => {
    await expect(record(() => database("one-az", {}, new PrivateNetwork("one-az-net", { availabilityZones: 1 })))).rejects.toThrow(
      /RelationalDatabase "one-az": network "one-az-net" has subnets in 1 Availability Zone; an RDS DB subnet group needs subnets in at least two.*Create the PrivateNetwork with availabilityZones: 2 or more\./,
    );
    await expect(record(() => new RelationalDatabase("no-net", {} as never))).rejects.toThrow(/RelationalDatabase "no-net": network \(not set\) is not a PrivateNetwork/);
    await expect(record(() => new RelationalDatabase("vpc-net", { network: { vpcId: "vpc-1" } } as never))).rejects.toThrow(/network "\(not a PrivateNetwork\)" is not a PrivateNetwork/);
  });

  it("refuses a component name RDS would refuse in the cluster's identifier", async () => {
    await expect(record(() => database("a".repeat(47)))).rejects.toThrow(/Aurora DB (cluster|instance) identifier .* over RDS's 63\. Use a component name of at most 46 characters\./);
    await expect(record(() => database("db_main"))).rejects.toThrow(/identifier "db_main-(cluster|instance)-<random suffix>" hold "_", which RDS refuses/);
    await expect(record(() => database("1db"))).rejects.toThrow(/which RDS refuses: it does not begin with a letter\. Start the component name with a letter\./);
    await expect(record(() => database("db--main"))).rejects.toThrow(/it has two consecutive hyphens/);
  });
});
