/**
 * S3 cross-region replication of a bucket (or a prefix of it) into a replica bucket in another region: the replica
 * versioned, private, TLS-only and SSE-S3 encrypted, and a replication role of its own holding exactly the actions
 * replication needs. Used by StaticSite (the site for its origin failover) and UploadBucket (originals).
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html — versioning must be enabled
 * on both buckets before the replication configuration is put; the role must be assumable by s3.amazonaws.com.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html — the role's actions.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html — replicas of SSE-S3
 * objects are SSE-S3 whatever the destination's default encryption, and a replica KMS key applies only to SSE-KMS
 * objects selected with SourceSelectionCriteria. The sources here are SSE-S3 (s3-hardening), so replicas are too:
 * a replica key would encrypt nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AutonamedResource } from "./autoname";
import { assumeRolePolicy, policyJson, type PolicyStatement } from "./iam";
import { ABORT_INCOMPLETE_UPLOADS, blockPublicAccess, bucketSettingOptions, encryptByDefault, logAccess, tlsOnlyStatement } from "./s3-hardening";

/** The resources replicateBucket(`name`, …) lets Pulumi name, for the components to check their names fit. */
export function replicationAutonames(name: string): AutonamedResource[] {
  return [
    { resource: `${name}-replica`, kind: "bucket" },
    { resource: `${name}-replica-logs`, kind: "bucket" },
    { resource: `${name}-replication-role`, kind: "role" },
  ];
}

export interface BucketReplicationArgs {
  source: aws.s3.Bucket;
  /** The source's versioning resource: replication is configured only once it exists. */
  sourceVersioning: aws.s3.BucketVersioning;
  /** Region of the source bucket. @default the provider's region */
  sourceRegion?: string;
  /** Region of the replica. */
  region: string;
  /** Only keys under this prefix replicate. @default "" (everything) */
  prefix?: string;
  retainOnDelete: boolean;
  /** Days a replica's old versions are kept. @default 30 */
  noncurrentVersionDays?: number;
  /** Days the replica's server access logs are kept (in a log bucket beside it: logging stays within a region). @default 90 */
  logRetentionDays?: number;
  /**
   * Pulumi name of the source's replication configuration, when `name` changes with the replica's region (UploadBucket's
   * `<name>-<region>`): S3 keeps one configuration per bucket, so it must keep its name across a region change. Under
   * a new name the engine creates the new configuration (PutBucketReplication replaces the bucket's) and then deletes the
   * old one, whose delete is DeleteBucketReplication on the same bucket (terraform-provider-aws
   * internal/service/s3/bucket_replication_configuration.go, resourceBucketReplicationConfigurationDelete;
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketReplication.html "Deletes the replication
   * configuration from the bucket"), which leaves the bucket replicating nowhere. `${name}-replication`, its earlier
   * name, is kept as its alias, so a deployed configuration is renamed in place.
   * @default `${name}-replication`
   */
  configurationResource?: string;
}

export interface BucketReplica {
  bucket: aws.s3.Bucket;
  versioning: aws.s3.BucketVersioning;
  /**
   * @deprecated Always undefined: replicas are SSE-S3 like their source, so there is no replica key to grant.
   * Kept so that callers which still read it compile; it will be removed.
   */
  key?: aws.kms.Key;
  role: aws.iam.Role;
  configuration: aws.s3.BucketReplicationConfig;
  /**
   * Writes the replica's bucket policy: `statements` (e.g. CloudFront's read, which needs the distribution's ARN and so
   * comes later) and the TLS-only deny. Call it exactly once.
   */
  writePolicy(statements: pulumi.Input<Record<string, unknown>>[]): aws.s3.BucketPolicy;
}

/** `name` prefixes every child: `${name}-replica`, `${name}-replication-role`, `${name}-replication`. */
export function replicateBucket(name: string, args: BucketReplicationArgs, parent: pulumi.Resource): BucketReplica {
  const region = args.region;
  const opts = { parent, retainOnDelete: args.retainOnDelete };
  const bucket = new aws.s3.Bucket(`${name}-replica`, { forceDestroy: !args.retainOnDelete, region }, opts);
  const access = blockPublicAccess(`${name}-replica-access`, bucket, { region }, parent);
  new aws.s3.BucketOwnershipControls(`${name}-replica-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, bucketSettingOptions(bucket, parent));
  const versioning = new aws.s3.BucketVersioning(`${name}-replica-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" }, region }, bucketSettingOptions(bucket, parent));
  // SSE-S3 like the source: CloudFront's OAC reads the site's replica without a key grant, and replicas of SSE-S3 objects keep SSE-S3 anyway.
  encryptByDefault(`${name}-replica-encryption`, bucket, { region, bucketKey: true }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-replica-lifecycle`,
    { bucket: bucket.id, rules: [{ id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 30 } }, ABORT_INCOMPLETE_UPLOADS], region },
    bucketSettingOptions(bucket, parent),
  );
  createAccessLogs(name, bucket, region, args, parent);

  const writePolicy = (statements: pulumi.Input<Record<string, unknown>>[]) =>
    new aws.s3.BucketPolicy(
      `${name}-replica-policy`,
      { bucket: bucket.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [...statements, tlsOnlyStatement(bucket.arn)] }), region },
      bucketSettingOptions(bucket, parent, [access]),
    );

  const prefix = args.prefix ?? "";
  const statements: PolicyStatement[] = [
    { sid: "ReadReplicationConfiguration", actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [args.source.arn] },
    { sid: "ReadSourceVersions", actions: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], resources: [pulumi.interpolate`${args.source.arn}/${prefix}*`] },
    { sid: "WriteReplicas", actions: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], resources: [pulumi.interpolate`${bucket.arn}/${prefix}*`] },
  ];
  // With a kept source, the role and its inline policy (together: IAM refuses to delete a role that still has one) go
  // unless the source goes too: a destroy keeps them, so the configuration kept on the kept source still replicates
  // into the kept replica, and dropping only the replication (its region) deletes them. A source the stack deletes
  // takes nothing IAM with it, so then they are deleted as usual.
  const roleOpts = { parent, ...(args.retainOnDelete ? { deletedWith: args.source } : {}) };
  const role = new aws.iam.Role(`${name}-replication-role`, { assumeRolePolicy: assumeRolePolicy(["s3.amazonaws.com"]), description: `${name}: S3 replication to ${region}` }, roleOpts);
  const rolePolicy = new aws.iam.RolePolicy(`${name}-replication-policy`, { role: role.id, policy: policyJson(statements) }, roleOpts);
  const perRegionName = `${name}-replication`;
  const configurationResource = args.configurationResource ?? perRegionName;
  const configuration = new aws.s3.BucketReplicationConfig(
    configurationResource,
    {
      bucket: args.source.id,
      role: role.arn,
      rules: [
        {
          id: `to-${region}`,
          status: "Enabled",
          // A filter (even empty) selects the V2 schema, which needs deleteMarkerReplication stated.
          filter: { prefix },
          deleteMarkerReplication: { status: "Enabled" },
          destination: { bucket: bucket.arn },
        },
      ],
      region: args.sourceRegion,
    },
    {
      ...bucketSettingOptions(args.source, parent, [args.sourceVersioning, versioning, rolePolicy]),
      ...(configurationResource !== perRegionName ? { aliases: [{ name: perRegionName }] } : {}),
    },
  );
  return { bucket, versioning, role, configuration, writePolicy };
}

/** The replica's server access logs (cdk-nag S1), in a log bucket of its own region: S3 logs only within a region. */
function createAccessLogs(name: string, replica: aws.s3.Bucket, region: string, args: BucketReplicationArgs, parent: pulumi.Resource): void {
  const logs = new aws.s3.Bucket(`${name}-replica-logs`, { forceDestroy: !args.retainOnDelete, region }, { parent, retainOnDelete: args.retainOnDelete });
  const access = blockPublicAccess(`${name}-replica-logs-access`, logs, { region }, parent);
  const ownership = new aws.s3.BucketOwnershipControls(`${name}-replica-logs-ownership`, { bucket: logs.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, bucketSettingOptions(logs, parent));
  encryptByDefault(`${name}-replica-logs-encryption`, logs, { region }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-replica-logs-lifecycle`,
    { bucket: logs.id, rules: [{ id: "expire-logs", status: "Enabled", filter: {}, expiration: { days: args.logRetentionDays ?? 90 } }, ABORT_INCOMPLETE_UPLOADS], region },
    bucketSettingOptions(logs, parent),
  );
  logAccess({ policyResource: `${name}-replica-logs-policy`, loggingResource: `${name}-replica-logging`, bucket: replica, logBucket: logs, logBucketAccess: access, logBucketOwnership: ownership, prefix: "s3/", region }, parent);
}
