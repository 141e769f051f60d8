/**
 * The Aurora rules pass on an Aurora PostgreSQL Serverless v2 cluster behind the Data API as RelationalDatabase builds
 * it (dev and prod), with the capacity range, versions and settings AWS takes at their limits; and
 * TransitionRdsEngineVersion finds a major upgrade without allowMajorVersionUpgrade and a downgrade, also through a saved
 * plan. (The failing fixtures are in fixtures/rds.ts.)
 */
import { describe, expect, it } from "vitest";
import { checkDeployRules, formatFinding, PLAN_TRANSITION_RULES, RDS_RULES, rdsReplacementFindings } from "../../testing/deploy-rules";
import { devContext, handBuilt, rules, transition, saved } from "./fixture";
import { CLUSTER, CLUSTER_ID, clusterInputs, databaseNeighbours, productionInputs, serverlessDatabase } from "./fixtures/rds";

const prod = { ...devContext, stack: "prod", production: true };
const clean = (graph: ReturnType<typeof serverlessDatabase>, context = devContext) => checkDeployRules(graph, context).map(formatFinding);

describe("Aurora deploy rules pass on", () => {
  it("a Serverless v2 cluster behind the Data API with its writer, subnet group, log group and grants (dev and prod)", () => {
    expect(RDS_RULES.length).toBe(7);
    expect(clean([...serverlessDatabase(), ...databaseNeighbours()])).toEqual([]);
    expect(clean([...serverlessDatabase(productionInputs), ...databaseNeighbours()], prod)).toEqual([]);
  });

  it("the limits AWS takes: 0.5–256 ACUs, 0 with a pause of 86400 s, the first version of each major with the Data API and auto-pause", () => {
    expect(clean(serverlessDatabase({ serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 256 } }))).toEqual([]);
    expect(clean(serverlessDatabase({ serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 1, secondsUntilAutoPause: 86_400 } }))).toEqual([]);
    // pulumi-aws 7 drops secondsUntilAutoPause when minCapacity is above 0 (hashicorp/terraform-provider-aws#41180): prod's 0.5 beside dev's pause setting, and auto-pause turned off by raising minCapacity.
    expect(clean(serverlessDatabase({ serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4, secondsUntilAutoPause: 600 } }))).toEqual([]);
    for (const version of ["13.15", "14.12", "15.7", "16.3", "17.4", "18.1"]) expect(clean(serverlessDatabase({ engineVersion: version }, { engineVersion: version })), version).toEqual([]);
    const dataApiOnly = { serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 } };
    for (const version of ["13.11", "14.8", "15.3", "16.1"]) expect(clean(serverlessDatabase({ ...dataApiOnly, engineVersion: version }, { engineVersion: undefined })), version).toEqual([]);
    expect(clean(serverlessDatabase({ engineVersion: undefined }, { engineVersion: undefined })), "RDS's default version").toEqual([]);
  });

  it("an Aurora cluster's Availability Zones: unset (RDS picks them), three, or two that ignoreChanges holds whole (any spelling of the path); one element ignored still replaces", () => {
    for (const graph of [serverlessDatabase(), serverlessDatabase({ availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] })]) expect(clean(graph)).toEqual([]);
    const ignoring = (ignoreChanges: string[]) => serverlessDatabase({ availabilityZones: ["us-east-1a", "us-east-1b"] }).map((r) => (r.type === CLUSTER ? { ...r, ignoreChanges } : r));
    for (const entry of ["availabilityZones", '["availabilityZones"]', "*"]) expect(clean(ignoring([entry])), entry).toEqual([]);
    // The bridge drops only the keys an entry reaches: the set's count diff (2 → RDS's 3) stays, and replaces the cluster.
    for (const entry of ["availabilityZones[0]", "availabilityZones[*]", "availabilityZonesOld"]) expect(clean(ignoring([entry])).filter((f) => f.includes("[RdsClusterZones]")), entry).toHaveLength(1);
  });

  it("a password of the program's with no managed one, a restored cluster without credentials, a mixed cluster, 1 and 35 days of backups, every Aurora PostgreSQL log export", () => {
    expect(clean(serverlessDatabase({ manageMasterUserPassword: undefined, masterPassword: "s3cret-from-config", masterUsername: "postgres" }))).toEqual([]);
    for (const user of ["app_admin", "db_user_2026", "a234567890123456"]) expect(clean(serverlessDatabase({ masterUsername: user })), user).toEqual([]);
    expect(clean(serverlessDatabase({ manageMasterUserPassword: undefined, masterUsername: undefined, snapshotIdentifier: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:before" }))).toEqual([]);
    const reader = handBuilt("aws:rds/clusterInstance:ClusterInstance", "db-reader", { clusterIdentifier: "db-cluster-1a2b3c4", engine: "aurora-postgresql", instanceClass: "db.r6g.large" });
    expect(clean([...serverlessDatabase(), reader])).toEqual([]);
    for (const days of [1, 35]) expect(clean(serverlessDatabase({ backupRetentionPeriod: days }))).toEqual([]);
    expect(clean(serverlessDatabase({ enabledCloudwatchLogsExports: ["instance", "postgresql", "iam-db-auth-error"], clusterIdentifier: "gallery-db-1" }))).toEqual([]);
  });
});

describe("TransitionRdsEngineVersion: an Aurora PostgreSQL version change ModifyDBCluster refuses", () => {
  const at = (engineVersion: string, more: Record<string, unknown> = {}) => serverlessDatabase({ engineVersion, ...more }, { engineVersion: undefined });

  it("is in the transition rules with its source", () => {
    expect(PLAN_TRANSITION_RULES.find((r) => r.id === "TransitionRdsEngineVersion")?.source).toBe("https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html");
  });

  it("finds 15.7 → 16.6 without allowMajorVersionUpgrade, also from a saved plan", () => {
    const found = transition(at("15.7"), at("16.6"));
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionRdsEngineVersion", `${CLUSTER} db-cluster`]]);
    expect(found[0].problem).toBe('changes engineVersion 15.7 → 16.6, a major version upgrade without allowMajorVersionUpgrade; ModifyDBCluster refuses it ("The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version")');
    expect(transition(saved(at("15.7")), at("16.6")).map((f) => f.rule)).toEqual(["TransitionRdsEngineVersion"]);
  });

  it("keeps only the cluster's engine, version, allowMajorVersionUpgrade, deletion protection and the inputs that replace it or name its final snapshot in a saved plan, never its password", () => {
    const cluster = saved(at("15.7", { manageMasterUserPassword: undefined, masterPassword: "s3cret-from-config", allowMajorVersionUpgrade: false })).find((r) => r.type === CLUSTER)!;
    expect(cluster.inputs).toEqual({
      engine: "aurora-postgresql",
      engineVersion: "15.7",
      allowMajorVersionUpgrade: false,
      engineMode: "provisioned",
      databaseName: "gallery",
      masterUsername: "app",
      storageEncrypted: true,
      dbSubnetGroupName: "db-subnets-5d6e7f8",
      skipFinalSnapshot: true,
      deletionProtection: false,
    });
  });

  it("finds a downgrade, 16.6 → 16.2 and 16.6 → 15.7 with the flag", () => {
    expect(transition(at("16.6"), at("16.2")).map((f) => f.problem)).toEqual([expect.stringMatching(/^changes engineVersion 16.6 → 16.2, a downgrade; ModifyDBCluster refuses it \("Cannot upgrade aurora-postgresql from 16.6 to 16.2"\)/)]);
    expect(transition(at("16.6"), at("15.7", { allowMajorVersionUpgrade: true })).map((f) => f.rule)).toEqual(["TransitionRdsEngineVersion"]);
  });

  it("passes a minor upgrade, a major one with allowMajorVersionUpgrade, and an unchanged version", () => {
    expect(transition(at("16.2"), at("16.6")).map(formatFinding)).toEqual([]);
    expect(transition(at("15.7"), at("16.6", { allowMajorVersionUpgrade: true })).map(formatFinding)).toEqual([]);
    expect(transition(saved(at("16.6")), at("16.6")).map(formatFinding)).toEqual([]);
    expect(clusterInputs.engineVersion).toBe("16.6");
  });
});

describe("TransitionRdsClusterNameReused: a replaced Aurora cluster that takes the names its old self holds", () => {
  const cluster = (more: Record<string, unknown>) => serverlessDatabase({ ...productionInputs, clusterIdentifier: "db-cluster-1a2b3c4", ...more });

  it("finds a new databaseName under the same identifier and final snapshot name, also from a saved plan", () => {
    const found = transition(cluster({ databaseName: "app" }), cluster({ databaseName: "gallery" })).filter((f) => f.rule === "TransitionRdsClusterNameReused");
    expect(found.map((f) => f.problem)).toEqual([
      `is replaced (databaseName (app → gallery) forces a new Aurora cluster) under the same clusterIdentifier "db-cluster-1a2b3c4": the new cluster is created while the old one still holds it, and CreateDBCluster refuses it (DBClusterAlreadyExistsFault)`,
      // The refused create deletes nothing in this update: the snapshot name is the next attempt's, once the identifier is changed.
      `is replaced (databaseName (app → gallery) forces a new Aurora cluster) with the same finalSnapshotIdentifier "db-cluster-final-1a2b3c4": once the clusterIdentifier is changed too (the create above is refused first, so this update deletes nothing), deleting the old cluster writes that snapshot, so the new cluster's own deletion (its replacement, \`pulumi destroy\`) is refused (DBClusterSnapshotAlreadyExistsFault)`,
    ]);
    // A new identifier with the deployed snapshot name: this update does delete the old cluster.
    expect(transition(cluster({ databaseName: "app" }), cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6" })).filter((f) => f.rule === "TransitionRdsClusterNameReused").map((f) => f.problem)).toEqual([
      expect.stringMatching(/ with the same finalSnapshotIdentifier "db-cluster-final-1a2b3c4": deleting the old cluster writes that snapshot/),
    ]);
    expect(transition(saved(cluster({ databaseName: "app" })), cluster({ databaseName: "gallery" })).filter((f) => f.rule === "TransitionRdsClusterNameReused")).toHaveLength(2);
  });

  it("is exported as before: rdsReplacementFindings(before, after, stack) resets the ignored inputs itself", () => {
    const ignoring = (graph: ReturnType<typeof cluster>) => graph.map((r) => (r.type === CLUSTER ? { ...r, ignoreChanges: ["clusterIdentifier"] } : r));
    const renamed = cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6", finalSnapshotIdentifier: "db-cluster-9z8y7x6-final" });
    expect(rdsReplacementFindings(cluster({ databaseName: "app" }), renamed, "prod")).toEqual([]);
    // The replacement is checked anew from the program's inputs (pulumi step_generator.go continueStepsFromDiff): an
    // ignored identifier the program changes is not put back in the new cluster.
    expect(rdsReplacementFindings(cluster({ databaseName: "app" }), ignoring(renamed), "prod")).toEqual([]);
    expect(rdsReplacementFindings(cluster({ databaseName: "app" }), ignoring(cluster({ databaseName: "gallery" })), "prod").map((f) => [f.rule, f.stack])).toEqual([
      ["TransitionRdsClusterNameReused", "prod"],
      ["TransitionRdsClusterNameReused", "prod"],
    ]);
  });

  it("passes a replacement under new names (as RelationalDatabase draws them), an in-place change, and a delete-first one without a final snapshot", () => {
    const renamed = cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6", finalSnapshotIdentifier: "db-cluster-9z8y7x6-final" });
    expect(transition(cluster({ databaseName: "app" }), renamed).filter((f) => f.rule === "TransitionRdsClusterNameReused")).toEqual([]);
    expect(transition(cluster({ backupRetentionPeriod: 7 }), cluster({ backupRetentionPeriod: 14 })).filter((f) => f.rule === "TransitionRdsClusterNameReused")).toEqual([]);
    const deleteFirst = (inputs: Record<string, unknown>) => cluster({ skipFinalSnapshot: true, finalSnapshotIdentifier: undefined, ...inputs }).map((r) => (r.type === CLUSTER ? { ...r, deleteBeforeReplace: true } : r));
    expect(transition(deleteFirst({ masterUsername: "postgres" }), deleteFirst({ masterUsername: "owner" })).filter((f) => f.rule === "TransitionRdsClusterNameReused")).toEqual([]);
    // availabilityZones is a set (cluster.go TypeSet): the same zones in another order replace nothing, as for TransitionStatefulReplaced.
    const zones = (availabilityZones: string[]) => cluster({ availabilityZones });
    expect(transition(zones(["us-east-1a", "us-east-1b"]), zones(["us-east-1b", "us-east-1a"])).map(formatFinding)).toEqual([]);
    expect(transition(zones(["us-east-1a", "us-east-1b"]), zones(["us-east-1a", "us-east-1c"])).filter((f) => f.rule === "TransitionRdsClusterNameReused")).toHaveLength(2);
  });

  it("passes a change of an input the cluster ignores (ignoreChanges: the engine keeps the deployed value, so nothing is replaced), and finds it once no longer ignored or listed in replaceOnChanges", () => {
    const nameReused = (before: ReturnType<typeof cluster>, after: ReturnType<typeof cluster>) => transition(before, after).filter((f) => f.rule === "TransitionRdsClusterNameReused");
    const withOptions = (graph: ReturnType<typeof cluster>, options: Record<string, unknown>) => graph.map((r) => (r.type === CLUSTER ? { ...r, ...options } : r));
    const [before, after] = [cluster({ databaseName: "app" }), cluster({ databaseName: "gallery" })];
    expect(nameReused(before, withOptions(after, { ignoreChanges: ["databaseName"] }))).toEqual([]);
    expect(nameReused(saved(before), withOptions(after, { ignoreChanges: ["databaseName"] }))).toEqual([]);
    // Another input ignored does not hide this one; an input outside RDS_CLUSTER_REPLACE_ON that replaceOnChanges names replaces the cluster.
    expect(nameReused(before, withOptions(after, { ignoreChanges: ["masterUsername"] }))).toHaveLength(2);
    const retention = (days: number) => withOptions(cluster({ backupRetentionPeriod: days }), { replaceOnChanges: ["backupRetentionPeriod"] });
    expect(nameReused(retention(7), retention(14)).map((f) => f.problem)).toEqual([expect.stringMatching(/^is replaced \(backupRetentionPeriod \(7 → 14\) forces a new Aurora cluster\) under the same clusterIdentifier/), expect.stringMatching(/with the same finalSnapshotIdentifier/)]);
  });

  it("reads the names the program gives the new cluster: an identifier, final snapshot name or skipFinalSnapshot that ignoreChanges holds keeps nothing out of a replacement (continueStepsFromDiff checks it anew from goal.Properties)", () => {
    const nameReused = (before: ReturnType<typeof cluster>, after: ReturnType<typeof cluster>) => transition(before, after).filter((f) => f.rule === "TransitionRdsClusterNameReused").map((f) => f.problem);
    const ignoring = (graph: ReturnType<typeof cluster>, ignoreChanges: string[]) => graph.map((r) => (r.type === CLUSTER ? { ...r, ignoreChanges } : r));
    const before = cluster({ databaseName: "app" });
    // New names drawn, as RelationalDatabase draws them, ignored or not: the new cluster takes them.
    const renamed = cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6", finalSnapshotIdentifier: "db-cluster-9z8y7x6-final" });
    expect(nameReused(before, renamed)).toEqual([]);
    expect(nameReused(before, ignoring(renamed, ["clusterIdentifier", "finalSnapshotIdentifier"]))).toEqual([]);
    expect(nameReused(saved(before), ignoring(renamed, ["clusterIdentifier", "finalSnapshotIdentifier"]))).toEqual([]);
    // The final snapshot turned off, ignored or not: the new cluster's deletion writes none.
    const skipping = cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6", skipFinalSnapshot: true });
    expect(nameReused(before, skipping)).toEqual([]);
    expect(nameReused(before, ignoring(skipping, ["skipFinalSnapshot"]))).toEqual([]);
    // Names the program itself keeps: the fix is to draw new ones, whatever ignoreChanges holds.
    const fixes = (after: ReturnType<typeof cluster>) => transition(before, after).filter((f) => f.rule === "TransitionRdsClusterNameReused").map((f) => f.fix);
    const drawNew = [expect.stringMatching(/^derive clusterIdentifier from the replacing inputs/), expect.stringMatching(/^name the final snapshot after the cluster's identifier/)];
    expect(fixes(cluster({ databaseName: "gallery" }))).toEqual(drawNew);
    expect(fixes(ignoring(cluster({ databaseName: "gallery" }), ["clusterIdentifier", "finalSnapshotIdentifier"]))).toEqual(drawNew);
  });

  it("replaces a cluster whose identifier is set by hand create-first, as pulumi-aws declares no autoname field for it: the same identifier is this rule's finding alone, a new one TransitionStatefulReplaced's with the new cluster created first", () => {
    const withOptions = (graph: ReturnType<typeof cluster>, options: Record<string, unknown>) => graph.map((r) => (r.type === CLUSTER ? { ...r, ...options } : r));
    // CreateDBCluster is refused before anything moves to the new cluster: not "a new, empty one takes over".
    expect(rules(cluster({ databaseName: "app" }), cluster({ databaseName: "gallery" }))).toEqual([
      ["TransitionRdsClusterNameReused", `${CLUSTER} db-cluster`],
      ["TransitionRdsClusterNameReused", `${CLUSTER} db-cluster`],
    ]);
    const renamed = cluster({ databaseName: "gallery", clusterIdentifier: "db-cluster-9z8y7x6", finalSnapshotIdentifier: "db-cluster-9z8y7x6-final" });
    const found = transition(cluster({ databaseName: "app" }), renamed);
    expect(found.map((f) => f.rule)).toEqual(["TransitionStatefulReplaced"]);
    expect(found[0].problem).toMatch(/\. The update creates the new, empty cluster, everything that uses the cluster moves to the new, empty one, and then it deletes the deployed one: its delete is refused \(deletion protection/);
    // deleteBeforeReplace is what deletes it first.
    expect(transition(cluster({ databaseName: "app" }), withOptions(renamed, { deleteBeforeReplace: true }))[0].problem).toMatch(/\. The deployed one is deleted first \(deleteBeforeReplace\): its delete is refused/);
  });
});

describe("TransitionStatefulReplaced on an Aurora cluster whose identifier the program leaves to the provider", () => {
  const zones = (availabilityZones: string[]) => serverlessDatabase({ availabilityZones });
  /** With the bucket the cluster exports to, named after the cluster's identifier (a value a replacement would draw anew). */
  const withExports = (graph: ReturnType<typeof zones>) => {
    const cluster = graph.find((r) => r.type === CLUSTER)!;
    return [...graph, handBuilt("aws:s3/bucket:Bucket", "db-exports", { bucket: `${CLUSTER_ID}-exports`, forceDestroy: true }, { dependencies: [cluster.urn] })];
  };

  it("cascades no replacement from zones in another order: the cascade compares the cluster as its stateful rule does, so a bucket named after it stays", () => {
    expect(clusterInputs).not.toHaveProperty("clusterIdentifier");
    expect(transition(withExports(zones(["us-east-1a", "us-east-1b"])), withExports(zones(["us-east-1b", "us-east-1a"]))).map(formatFinding)).toEqual([]);
    // Another zone replaces the cluster, which draws a new identifier, and so the bucket named after it.
    expect(rules(withExports(zones(["us-east-1a", "us-east-1b"])), withExports(zones(["us-east-1a", "us-east-1c"])))).toEqual([
      ["TransitionStatefulReplaced", `${CLUSTER} db-cluster`],
      ["TransitionStatefulReplaced", "aws:s3/bucket:Bucket db-exports"],
    ]);
  });

  it("passes an input RDS keeps when the program stops setting it (Optional+Computed in cluster.go: zones, database name, encryption), also in the cascade and from a saved plan, and finds another value set", () => {
    const deployed = withExports(zones(["us-east-1a", "us-east-1b", "us-east-1c"]));
    const unset = withExports(serverlessDatabase({ availabilityZones: undefined }));
    expect(transition(deployed, unset).map(formatFinding)).toEqual([]);
    expect(transition(saved(deployed), unset).map(formatFinding)).toEqual([]);
    for (const input of ["databaseName", "masterUsername", "storageEncrypted", "dbSubnetGroupName"]) expect(transition(deployed, withExports(serverlessDatabase({ availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"], [input]: undefined }))).map(formatFinding), input).toEqual([]);
    // The identifier too: pulumi-aws declares no autoname field for the cluster, so none is drawn for an unset one and the deployed one is kept.
    expect(transition(serverlessDatabase({ clusterIdentifier: CLUSTER_ID }), serverlessDatabase()).map(formatFinding)).toEqual([]);
    // Other zones set: a new cluster, and with its new identifier a new bucket.
    const found = transition(deployed, withExports(zones(["us-east-1a", "us-east-1b", "us-east-1d"])));
    expect(found.map((f) => [f.rule, f.resource])).toEqual([
      ["TransitionStatefulReplaced", `${CLUSTER} db-cluster`],
      ["TransitionStatefulReplaced", "aws:s3/bucket:Bucket db-exports"],
    ]);
    expect(found[0].problem).toMatch(/^replaces Aurora DB cluster db-cluster: availabilityZones \(us-east-1a, us-east-1b, us-east-1c → us-east-1a, us-east-1b, us-east-1d\)/);
    // Zones set where none were (RDS picked them): the program asks for these, which the provider compares with the state's.
    expect(rules(withExports(serverlessDatabase()), deployed).map(([rule]) => rule)).toEqual(["TransitionStatefulReplaced", "TransitionStatefulReplaced"]);
    // `[]` is no zones to the provider (emptyIsUnset): unset → [] is no change.
    expect(transition(withExports(serverlessDatabase()), withExports(zones([]))).map(formatFinding)).toEqual([]);
    // A snapshot identifier emptied is removed, which the provider suppresses (`new == ""`), as unset is.
    expect(transition(serverlessDatabase({ snapshotIdentifier: "snap-1" }), serverlessDatabase({ snapshotIdentifier: "" })).map(formatFinding)).toEqual([]);
    expect(rules(serverlessDatabase({ snapshotIdentifier: "snap-1" }), serverlessDatabase({ snapshotIdentifier: "snap-2" }))).toEqual([["TransitionStatefulReplaced", `${CLUSTER} db-cluster`]]);
  });

  it("compares an unset engineMode as the provider's default, provisioned: no change from provisioned, a replacement from serverless", () => {
    const mode = (engineMode: string | undefined) => serverlessDatabase({ engineMode });
    expect(transition(mode("provisioned"), mode(undefined)).map(formatFinding)).toEqual([]);
    expect(transition(mode(undefined), mode("provisioned")).map(formatFinding)).toEqual([]);
    const found = transition(mode("serverless"), mode(undefined));
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${CLUSTER} db-cluster`]]);
    expect(found[0].problem).toMatch(/engineMode \(serverless → none \(provisioned\)\)/);
  });

  it("reads a cluster renamed without aliases by its inputs as made: its own ignoreChanges and replaceOnChanges do not apply to a resource the update creates", () => {
    const renamed = (graph: ReturnType<typeof zones>, options: Record<string, unknown> = {}) =>
      graph.map((r) => (r.type === CLUSTER ? { ...r, name: "aurora", urn: r.urn.replace(/::db-cluster$/, "::aurora"), ...options } : r));
    const deployed = zones(["us-east-1a", "us-east-1b"]);
    const found = [["TransitionStatefulReplaced", `${CLUSTER} aurora`]];
    // Made alike (the zones in another order): the deployed cluster renamed.
    expect(rules(deployed, renamed(zones(["us-east-1b", "us-east-1a"])))).toEqual(found);
    // Another database is another cluster, though the new one ignores databaseName.
    expect(rules(deployed, renamed(serverlessDatabase({ availabilityZones: ["us-east-1a", "us-east-1b"], databaseName: "photos" }), { ignoreChanges: ["databaseName"] }))).toEqual([]);
    // A replaceOnChanges input that differs does not make it another cluster: it is made as the deployed one was.
    expect(rules(deployed, renamed(serverlessDatabase({ availabilityZones: ["us-east-1a", "us-east-1b"], backupRetentionPeriod: 7 }), { replaceOnChanges: ["backupRetentionPeriod"] }))).toEqual(found);
  });
});

describe("TransitionStatefulReplaced on an Aurora cluster renamed without aliases under its hand-set identifier", () => {
  const hand = serverlessDatabase({ ...productionInputs, clusterIdentifier: "db-cluster-1a2b3c4", finalSnapshotIdentifier: undefined, skipFinalSnapshot: true });
  const renamedTo = (graph: typeof hand, name: string) => graph.map((r) => (r.type === CLUSTER ? { ...r, name, urn: r.urn.replace(/db-cluster$/, name) } : r));

  it("says CreateDBCluster is refused while the removed cluster, deleted only at the end of the update, holds the identifier: nothing moves to a new, empty one", () => {
    const found = transition(hand, renamedTo(hand, "db-cluster2"));
    expect(found.map((f) => [f.rule, f.resource])).toEqual([["TransitionStatefulReplaced", `${CLUSTER} db-cluster2`]]);
    expect(found[0].problem).toMatch(/so it still holds its name db-cluster-1a2b3c4, which the new one asks for too: CreateDBCluster is refused \(DBClusterAlreadyExistsFault, API_CreateDBCluster\), and the update stops before anything moves to the new cluster/);
    expect(found[0].problem).not.toMatch(/new, empty one/);
    expect(found[0].fix).toMatch(/add aliases: \[\{ name: "db-cluster" \}\] to db-cluster2/);
  });
});
