/**
 * Bucket hardening every component shares (StaticSite, DataTier's export bucket):
 * public access blocked, default encryption, the TLS-only deny (cdk-nag S10), and
 * the statement letting S3 deliver server access logs into a log bucket.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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

/** Lets S3 server access logging write `${prefix}*` into the log bucket, for `sourceBucketArn` in this account only. */
export function accessLogDeliveryStatement(
  logBucketArn: pulumi.Input<string>,
  prefix: string,
  sourceBucketArn: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
  sid = "AllowAccessLogs",
): Record<string, unknown> {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: pulumi.interpolate`${logBucketArn}/${prefix}*`,
    Condition: { ArnLike: { "aws:SourceArn": sourceBucketArn }, StringEquals: { "aws:SourceAccount": accountId } },
  };
}

/** Lifecycle rule every bucket gets: abandoned multipart uploads cost money and never finish. */
export const ABORT_INCOMPLETE_UPLOADS = { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } };

export interface HardeningOptions {
  region?: string;
  /** Website endpoints are anonymous HTTP, so their policy must be allowed to grant reads. @default false */
  allowPublicPolicy?: boolean;
  /** S3 Bucket Keys cut KMS request costs; harmless with SSE-S3. @default false */
  bucketKey?: boolean;
}

/** Blocks public ACLs (always) and public policies (unless `allowPublicPolicy`): `${resourceName}` is the child's name. */
export function blockPublicAccess(resourceName: string, bucket: aws.s3.Bucket, options: HardeningOptions, parent: pulumi.Resource) {
  const open = options.allowPublicPolicy ?? false;
  return new aws.s3.BucketPublicAccessBlock(
    resourceName,
    { bucket: bucket.id, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: !open, restrictPublicBuckets: !open, region: options.region },
    { parent },
  );
}

/** SSE-S3 (AES256) default encryption; CloudFront standard logging cannot write to SSE-KMS buckets, and exports need no key grants. */
export function encryptByDefault(resourceName: string, bucket: aws.s3.Bucket, options: HardeningOptions, parent: pulumi.Resource) {
  return new aws.s3.BucketServerSideEncryptionConfiguration(
    resourceName,
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, ...(options.bucketKey ? { bucketKeyEnabled: true } : {}) }],
      region: options.region,
    },
    { parent },
  );
}
