/**
 * Bucket hardening every component shares (StaticSite, the upload bucket, DataTier's export bucket):
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

export interface PrivateBucketArgs {
  /** Pulumi name of the bucket; its settings are named `${bucketResource}-access`, `-encryption`, `-policy`, ... */
  bucketResource: string;
  /** Pulumi name of its access-log bucket, whose settings are named the same way. */
  logBucketResource: string;
  /** Physical name of the bucket. @default generated */
  bucketName?: string;
  region?: string;
  retainOnDelete: boolean;
  /** Keep old object versions (with a lifecycle rule that expires them). */
  versioned: boolean;
  /** The bucket's lifecycle rules; incomplete multipart uploads are always aborted after 7 days. */
  lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
  logRetentionDays: number;
  /** Statement id of the log bucket's delivery grant. */
  logDeliverySid?: string;
}

const ACCESS_LOG_PREFIX = "s3/";

/**
 * A private bucket for data (public access blocked, bucket-owner-enforced, SSE-S3 with
 * bucket keys, TLS-only) that writes access logs to its own log bucket (hardened the same
 * way, logs expiring). Used by the upload bucket and DataTier's export bucket.
 */
export function createPrivateBucketWithLogs(args: PrivateBucketArgs, parent: pulumi.Resource): { bucket: aws.s3.Bucket; logBucket: aws.s3.Bucket; versioning?: aws.s3.BucketVersioning } {
  const { region, bucketResource: main, logBucketResource: logs } = args;
  const opts = { parent, retainOnDelete: args.retainOnDelete };

  const logBucket = new aws.s3.Bucket(logs, { forceDestroy: !args.retainOnDelete, region }, opts);
  const logsAccess = blockPublicAccess(`${logs}-access`, logBucket, { region }, parent);
  new aws.s3.BucketOwnershipControls(`${logs}-ownership`, { bucket: logBucket.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, { parent });
  encryptByDefault(`${logs}-encryption`, logBucket, { region }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${logs}-lifecycle`,
    { bucket: logBucket.id, rules: [{ id: "expire-logs", status: "Enabled", filter: {}, expiration: { days: args.logRetentionDays } }, ABORT_INCOMPLETE_UPLOADS], region },
    { parent },
  );

  const bucket = new aws.s3.Bucket(main, { bucket: args.bucketName, forceDestroy: !args.retainOnDelete, region }, opts);
  const access = blockPublicAccess(`${main}-access`, bucket, { region }, parent);
  new aws.s3.BucketOwnershipControls(`${main}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, { parent });
  const versioning = args.versioned ? new aws.s3.BucketVersioning(`${main}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" }, region }, { parent }) : undefined;
  encryptByDefault(`${main}-encryption`, bucket, { region, bucketKey: true }, parent);
  new aws.s3.BucketLifecycleConfiguration(`${main}-lifecycle`, { bucket: bucket.id, rules: [...args.lifecycleRules, ABORT_INCOMPLETE_UPLOADS], region }, { parent });
  new aws.s3.BucketLogging(`${main}-logging`, { bucket: bucket.id, targetBucket: logBucket.id, targetPrefix: ACCESS_LOG_PREFIX, region }, { parent });

  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  new aws.s3.BucketPolicy(
    `${logs}-policy`,
    {
      bucket: logBucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [accessLogDeliveryStatement(logBucket.arn, ACCESS_LOG_PREFIX, bucket.arn, accountId, args.logDeliverySid), tlsOnlyStatement(logBucket.arn)],
      }),
      region,
    },
    { parent, dependsOn: [logsAccess] },
  );
  new aws.s3.BucketPolicy(
    `${main}-policy`,
    { bucket: bucket.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(bucket.arn)] }), region },
    { parent, dependsOn: [access] },
  );
  return { bucket, logBucket, versioning };
}
