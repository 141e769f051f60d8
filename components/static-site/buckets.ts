/** The site bucket and its separate log bucket, both private, encrypted and TLS-only. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { replicateBucket, type BucketReplica } from "../bucket-replication";
import { ABORT_INCOMPLETE_UPLOADS, blockPublicAccess, bucketSettingOptions, encryptByDefault, logAccess } from "../s3-hardening";
import type { StaticSiteSpec } from "./spec";

export interface SiteBuckets {
  site: aws.s3.Bucket;
  logs: aws.s3.Bucket;
  /** Resources that must exist before CloudFront writes logs or the bucket policy applies. */
  logsReady: pulumi.Resource[];
  /** The site bucket's access logging: its policy and its content wait for it. */
  siteReady: pulumi.Resource[];
  /**
   * Creates the site bucket's public access block once `after` is done. When is the origin's call (distribution.ts):
   * website hosting opens the block before its policy grants the Referer reads, OAC closes it only after its policy
   * has stopped granting them, so a switch between the two takes one update.
   */
  blockSitePublicAccess(after: pulumi.Resource[]): aws.s3.BucketPublicAccessBlock;
  /** The site's copy in `replicaRegion`, the origin group's secondary. */
  replica?: BucketReplica;
}

export function createBuckets(name: string, spec: StaticSiteSpec, parent: pulumi.Resource): SiteBuckets {
  const opts = { parent, retainOnDelete: spec.retainOnDelete };
  const region = spec.region;

  // --- log bucket: receives S3 access logs and CloudFront logs, and never logs into itself.
  const logs = new aws.s3.Bucket(`${name}-logs`, { bucket: spec.logs.bucketName, forceDestroy: !spec.retainOnDelete, region }, opts);
  const logsAccess = blockPublicAccess(`${name}-logs-access`, logs, { region }, parent);
  // CloudFront's standard logs are delivered through an ACL grant, which needs ACLs enabled.
  const logsOwnership = new aws.s3.BucketOwnershipControls(`${name}-logs-ownership`, { bucket: logs.id, rule: { objectOwnership: "BucketOwnerPreferred" }, region }, bucketSettingOptions(logs, parent));
  // SSE-S3: CloudFront standard logging cannot write to SSE-KMS buckets.
  encryptByDefault(`${name}-logs-encryption`, logs, { region }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-logs-lifecycle`,
    {
      bucket: logs.id,
      rules: [
        { id: "expire-logs", status: "Enabled", filter: { prefix: spec.logs.prefix }, expiration: { days: spec.logs.retentionDays } },
        ABORT_INCOMPLETE_UPLOADS,
      ],
      region,
    },
    bucketSettingOptions(logs, parent),
  );

  // --- site bucket
  const site = new aws.s3.Bucket(`${name}-bucket`, { bucket: spec.bucketName, forceDestroy: !spec.retainOnDelete, region }, opts);
  const website = spec.hosting === "s3-website";
  // Website endpoints are anonymous HTTP: the policy must be allowed to grant reads (only with CloudFront's secret Referer).
  const blockSitePublicAccess = (after: pulumi.Resource[]) => blockPublicAccess(`${name}-bucket-access`, site, { region, allowPublicPolicy: website }, parent, after);
  new aws.s3.BucketOwnershipControls(`${name}-bucket-ownership`, { bucket: site.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, bucketSettingOptions(site, parent));
  const versioning = new aws.s3.BucketVersioning(`${name}-bucket-versioning`, { bucket: site.id, versioningConfiguration: { status: "Enabled" }, region }, bucketSettingOptions(site, parent));
  encryptByDefault(`${name}-bucket-encryption`, site, { region, bucketKey: true }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-bucket-lifecycle`,
    {
      bucket: site.id,
      rules: [
        // Old versions let a bad publish be rolled back; a month is plenty.
        { id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
        ABORT_INCOMPLETE_UPLOADS,
      ],
      region,
    },
    bucketSettingOptions(site, parent),
  );

  // The log bucket accepts S3 server access logs from this site bucket only, and nothing over plain HTTP.
  const { policy: logsPolicy, logging: siteLogging } = logAccess(
    {
      policyResource: `${name}-logs-policy`,
      loggingResource: `${name}-bucket-logging`,
      bucket: site,
      logBucket: logs,
      logBucketAccess: logsAccess,
      logBucketOwnership: logsOwnership,
      prefix: `${spec.logs.prefix}s3/`,
      region,
      sid: "AllowSiteAccessLogs",
    },
    parent,
  );

  // SSE-S3 like the site bucket (bucket-replication): CloudFront's OAC reads the replica without a key grant.
  const replica = spec.replicaRegion
    ? replicateBucket(`${name}-bucket`, { source: site, sourceVersioning: versioning, sourceRegion: region, region: spec.replicaRegion, retainOnDelete: spec.retainOnDelete, logRetentionDays: spec.logs.retentionDays }, parent)
    : undefined;

  return { site, logs, logsReady: [logsOwnership, logsPolicy], siteReady: [siteLogging], blockSitePublicAccess, replica };
}
