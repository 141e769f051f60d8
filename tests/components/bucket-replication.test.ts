/** Site and originals replicated to a second region: replication with its own role, versioning on both sides, replica encryption, and the site's origin failover. */
import { describe, expect, it } from "vitest";
import { StaticSite } from "../../components/static-site";
import { UploadBucket } from "../../components/upload-bucket";
import { checkPlanTransition } from "../../testing/deploy-rules";
import { ofType, policyDocument, record, resource } from "../harness/mocks";

const CONFIG = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";

describe("StaticSite replicaRegion", () => {
  it("replicates the site bucket to a versioned replica in the other region and fails the site behaviours over to it", async () => {
    const graph = await record(() => new StaticSite("rep", { path: "tests/fixtures/site", replicaRegion: "us-west-2" }));
    const source = resource(graph, "aws:s3/bucket:Bucket", "rep-bucket");
    const replica = resource(graph, "aws:s3/bucket:Bucket", "rep-bucket-replica");
    expect(replica.inputs.region).toBe("us-west-2");
    expect(resource(graph, "aws:s3/bucketVersioning:BucketVersioning", "rep-bucket-replica-versioning").inputs).toMatchObject({ bucket: replica.id, versioningConfiguration: { status: "Enabled" }, region: "us-west-2" });

    const config = resource(graph, CONFIG, "rep-bucket-replication");
    expect(config.inputs).toMatchObject({ bucket: source.id, rules: [{ status: "Enabled", filter: { prefix: "" }, deleteMarkerReplication: { status: "Enabled" }, destination: { bucket: replica.state.arn } }] });
    // Versioning must be on, on both sides, before S3 accepts the configuration.
    const versioning = ofType(graph, "aws:s3/bucketVersioning:BucketVersioning").filter((v) => ["rep-bucket-versioning", "rep-bucket-replica-versioning"].includes(v.name));
    expect(versioning.every((v) => config.dependencies.includes(v.urn))).toBe(true);
    const role = resource(graph, "aws:iam/role:Role", "rep-bucket-replication-role");
    expect(config.inputs.role).toBe(role.state.arn);
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: ["s3.amazonaws.com"] });
    expect(policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "rep-bucket-replication-policy").inputs.policy).Statement.map((s) => [s.Action, s.Resource])).toEqual([
      [["s3:GetReplicationConfiguration", "s3:ListBucket"], [source.state.arn]],
      [["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], [`${source.state.arn}/*`]],
      [["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], [`${replica.state.arn}/*`]],
    ]);

    const cdn = resource(graph, "aws:cloudfront/distribution:Distribution", "rep-cdn");
    expect(cdn.inputs.originGroups).toEqual([{ originId: "site-failover", failoverCriteria: { statusCodes: [500, 502, 503, 504] }, members: [{ originId: "site" }, { originId: "site-replica" }] }]);
    expect(cdn.inputs.origins.find((o: { originId: string }) => o.originId === "site-replica")).toMatchObject({ domainName: replica.state.bucketRegionalDomainName });
    expect(cdn.inputs.defaultCacheBehavior.targetOriginId).toBe("site-failover");
    // The replica answers CloudFront's reads from this distribution only, over TLS.
    const policy = policyDocument(resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "rep-bucket-replica-policy").inputs.policy);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["AllowCloudFrontRead", "AllowCloudFrontList", "DenyInsecureTransport"]);
    expect(policy.Statement[0].Condition).toEqual({ StringEquals: { "AWS:SourceArn": cdn.state.arn } });
  });

  it("refuses a replica with website hosting, or in the bucket's own region", () => {
    expect(() => new StaticSite("bad", { path: "tests/fixtures/site", hosting: "s3-website", replicaRegion: "us-west-2" })).toThrow(/StaticSite "bad": replicaRegion "us-west-2" needs hosting "oac"/);
    expect(() => new StaticSite("bad", { path: "tests/fixtures/site", region: "us-west-2", replicaRegion: "us-west-2" })).toThrow(/replicaRegion "us-west-2" is the site bucket's own region/);
  });
});

describe("UploadBucket.replicate", () => {
  it("replicates a prefix into an SSE-S3 replica, as the SSE-S3 originals are: no replica KMS key, which would encrypt nothing", async () => {
    const graph = await record(() => new UploadBucket("up").replicate("us-west-2", "originals/"));
    expect(ofType(graph, "aws:kms/key:Key")).toEqual([]);
    const config = resource(graph, CONFIG, "up-replication");
    expect(config.inputs.rules[0]).toMatchObject({ filter: { prefix: "originals/" }, destination: { bucket: resource(graph, "aws:s3/bucket:Bucket", "up-us-west-2-replica").state.arn } });
    expect(config.inputs.rules[0].destination.encryptionConfiguration).toBeUndefined();
    expect(config.dependencies).toContain(resource(graph, "aws:s3/bucketVersioning:BucketVersioning", "up-bucket-versioning").urn);
    const encryption = (name: string) => resource(graph, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name).inputs.rules[0].applyServerSideEncryptionByDefault;
    expect(encryption("up-bucket-encryption")).toEqual({ sseAlgorithm: "AES256" });
    expect(encryption("up-us-west-2-replica-encryption")).toEqual({ sseAlgorithm: "AES256" });
    const statements = policyDocument(resource(graph, "aws:iam/rolePolicy:RolePolicy", "up-us-west-2-replication-policy").inputs.policy).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(["ReadReplicationConfiguration", "ReadSourceVersions", "WriteReplicas"]);
  });

  it("logs the replica's access once its log bucket's policy and ownership exist", async () => {
    const graph = await record(() => new UploadBucket("lg").replicate("us-west-2"));
    expect(resource(graph, "aws:s3/bucketLogging:BucketLogging", "lg-us-west-2-replica-logging").dependencies).toEqual(expect.arrayContaining([
      resource(graph, "aws:s3/bucketPolicy:BucketPolicy", "lg-us-west-2-replica-logs-policy").urn,
      resource(graph, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "lg-us-west-2-replica-logs-ownership").urn,
    ]));
  });

  it("deletes the configuration with the source bucket only: dropping the replica region deletes it, while a destroy keeps it on a kept source", async () => {
    const graph = await record(() => new UploadBucket("kept", { retainOnDelete: true }).replicate("us-west-2", "originals/"));
    const source = resource(graph, "aws:s3/bucket:Bucket", "kept-bucket");
    const replica = resource(graph, "aws:s3/bucket:Bucket", "kept-us-west-2-replica");
    const config = resource(graph, CONFIG, "kept-replication");
    expect([config.deletedWith, config.retainOnDelete]).toEqual([source.urn, false]);
    for (const name of ["access", "ownership", "versioning", "encryption", "lifecycle", "policy", "logging"]) {
      const setting = graph.find((r) => r.name === `kept-us-west-2-replica-${name}`)!;
      expect([name, setting.deletedWith, setting.retainOnDelete]).toEqual([name, replica.urn, false]);
    }
    // The role and its inline policy go only with the source, together (IAM refuses to delete a role that still has one):
    // kept through a destroy, deleted when the replication alone is dropped.
    for (const iam of [resource(graph, "aws:iam/role:Role", "kept-us-west-2-replication-role"), resource(graph, "aws:iam/rolePolicy:RolePolicy", "kept-us-west-2-replication-policy")]) {
      expect([iam.name, iam.deletedWith, iam.retainOnDelete]).toEqual([iam.name, source.urn, false]);
    }
  });

  it("names the source's one replication configuration per bucket, not per region, with its earlier per-region name as alias: a region change updates it in place instead of creating a new one whose old one's delete (DeleteBucketReplication) removes it", async () => {
    const west = await record(() => new UploadBucket("moved").replicate("us-west-2"));
    const east = await record(() => new UploadBucket("moved").replicate("eu-west-1"));
    const westConfig = resource(west, CONFIG, "moved-replication");
    const eastConfig = resource(east, CONFIG, "moved-replication");
    // One logical resource across the two programs: the engine diffs it (a new destination and role) and updates it.
    expect(westConfig.urn).toBe(eastConfig.urn);
    expect(eastConfig.inputs.rules[0].destination.bucket).toBe(resource(east, "aws:s3/bucket:Bucket", "moved-eu-west-1-replica").state.arn);
    // A stack deployed under the per-region name renames it in place.
    expect(westConfig.aliases).toContain(westConfig.urn.replace(/::moved-replication$/, "::moved-us-west-2-replication"));
    expect(ofType(west, CONFIG).map((c) => c.name)).toEqual(["moved-replication"]);
  });

  it("has the transition rules flag an upgrade from the per-region name that also moves the replica: its alias names the new region, so the old configuration's delete would end the replication (review 117 F1)", async () => {
    const west = await record(() => new UploadBucket("moved").replicate("us-west-2"));
    // The deployed plan as a release before the rename recorded it: the configuration under its per-region name, no alias.
    const old = west.map((r) => (r.type === CONFIG ? { ...r, name: "moved-us-west-2-replication", urn: r.urn.replace(/::moved-replication$/, "::moved-us-west-2-replication"), aliases: undefined } : r));
    const east = await record(() => new UploadBucket("moved").replicate("eu-west-1"));
    const findings = checkPlanTransition(old, east, { stack: "prod", region: "us-east-1" });
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([["TransitionNameOverwritten", `${CONFIG} moved-replication`]]);
    expect(findings[0].problem).toMatch(/PutBucketReplication replaces the bucket's one replication configuration/);
    expect(findings[0].fix).toMatch(/deploy the upgrade with the replica's region unchanged first, then change the region in a later deploy/);
    // The upgrade with the region kept renames it in place (its alias), and a region change after it updates it in place.
    expect(checkPlanTransition(old, west, { stack: "prod", region: "us-east-1" })).toEqual([]);
    expect(checkPlanTransition(west, east, { stack: "prod", region: "us-east-1" })).toEqual([]);
  });

  it("keeps to one replication configuration per bucket", async () => {
    let error: unknown;
    await record(() => {
      const bucket = new UploadBucket("twice");
      bucket.replicate("us-west-2");
      try {
        bucket.replicate("eu-west-1");
      } catch (e) {
        error = e;
      }
    });
    expect(String(error)).toMatch(/UploadBucket "twice": replicate\(region\) "eu-west-1" would be a second replication configuration/);
  });
});
