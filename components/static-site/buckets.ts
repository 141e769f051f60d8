/** The site bucket and its separate log bucket (seed 000), both private, encrypted and TLS-only. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StaticSiteSpec } from "./spec";

export interface SiteBuckets {
  site: aws.s3.Bucket;
  logs: aws.s3.Bucket;
  /** Resources that must exist before CloudFront writes logs or the bucket policy applies. */
  logsReady: pulumi.Resource[];
  siteReady: pulumi.Resource[];
}

/** Denies every request that does not use TLS (cdk-nag S10). `except` keeps one action open over HTTP (website hosting). */
export function tlsOnlyStatement(bucketArn: pulumi.Input<string>, except?: string): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    ...(except ? { NotAction: except } : { Action: "s3:*" }),
    Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

export function createBuckets(name: string, spec: StaticSiteSpec, parent: pulumi.Resource): SiteBuckets {
  const opts = { parent, retainOnDelete: spec.retainOnDelete };
  const region = spec.region;

  // --- log bucket: receives S3 access logs and CloudFront logs, and never logs into itself.
  const logs = new aws.s3.Bucket(`${name}-logs`, { bucket: spec.logs.bucketName, forceDestroy: !spec.retainOnDelete, region }, opts);
  const logsAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-logs-access`,
    { bucket: logs.id, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true, region },
    { parent },
  );
  // CloudFront's standard logs are delivered through an ACL grant, which needs ACLs enabled.
  const logsOwnership = new aws.s3.BucketOwnershipControls(`${name}-logs-ownership`, { bucket: logs.id, rule: { objectOwnership: "BucketOwnerPreferred" }, region }, { parent });
  // SSE-S3: CloudFront standard logging cannot write to SSE-KMS buckets.
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-logs-encryption`,
    { bucket: logs.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }], region },
    { parent },
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-logs-lifecycle`,
    {
      bucket: logs.id,
      rules: [
        { id: "expire-logs", status: "Enabled", filter: { prefix: spec.logs.prefix }, expiration: { days: spec.logs.retentionDays } },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
      ],
      region,
    },
    { parent },
  );

  // --- site bucket
  const site = new aws.s3.Bucket(`${name}-bucket`, { bucket: spec.bucketName, forceDestroy: !spec.retainOnDelete, region }, opts);
  const website = spec.hosting === "s3-website";
  const siteAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-bucket-access`,
    {
      bucket: site.id,
      blockPublicAcls: true,
      ignorePublicAcls: true,
      // Website endpoints are anonymous HTTP: the policy must be allowed to grant reads (only with CloudFront's secret Referer).
      blockPublicPolicy: !website,
      restrictPublicBuckets: !website,
      region,
    },
    { parent },
  );
  new aws.s3.BucketOwnershipControls(`${name}-bucket-ownership`, { bucket: site.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, { parent });
  new aws.s3.BucketVersioning(`${name}-bucket-versioning`, { bucket: site.id, versioningConfiguration: { status: "Enabled" }, region }, { parent });
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-bucket-encryption`,
    { bucket: site.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }], region },
    { parent },
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-bucket-lifecycle`,
    {
      bucket: site.id,
      rules: [
        // Old versions let a bad publish be rolled back; a month is plenty.
        { id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
      ],
      region,
    },
    { parent },
  );
  const siteLogging = new aws.s3.BucketLogging(
    `${name}-bucket-logging`,
    { bucket: site.id, targetBucket: logs.id, targetPrefix: `${spec.logs.prefix}s3/`, region },
    { parent, dependsOn: [logsOwnership] },
  );

  // The log bucket accepts S3 server access logs from this site bucket only, and nothing over plain HTTP.
  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const logsPolicy = new aws.s3.BucketPolicy(
    `${name}-logs-policy`,
    {
      bucket: logs.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AllowSiteAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${logs.arn}/${spec.logs.prefix}s3/*`,
            Condition: { ArnLike: { "aws:SourceArn": site.arn }, StringEquals: { "aws:SourceAccount": accountId } },
          },
          tlsOnlyStatement(logs.arn),
        ],
      }),
      region,
    },
    { parent, dependsOn: [logsAccess] },
  );

  return { site, logs, logsReady: [logsOwnership, logsPolicy], siteReady: [siteAccess, siteLogging] };
}
