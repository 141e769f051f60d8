/**
 * Bucket hardening every component shares (StaticSite, the upload bucket, DataTier's export bucket):
 * public access blocked, default encryption, the TLS-only deny (cdk-nag S10), server access
 * logging once the log bucket accepts it, and every setting deleted with its bucket.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Options of a setting of `bucket` (public access block, policy, ownership, encryption, versioning, lifecycle, logging,
 * replication, CORS, website): `deletedWith: bucket`. Deleting a setting is an S3 call on the bucket
 * (DeletePublicAccessBlock, DeleteBucketPolicy, DeleteBucketOwnershipControls, DeleteBucketEncryption, ...:
 * terraform-provider-aws internal/service/s3/bucket_public_access_block.go and its siblings). With deletedWith the
 * engine skips that call exactly when the bucket is deleted in the same operation, and a retained bucket's delete
 * step counts (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply;
 * https://www.pulumi.com/docs/iac/concepts/resources/options/deletedwith/). So a destroy keeps a retained bucket
 * with its public access block and TLS-only policy, while a setting removed from the program on its own (the
 * replication of a dropped region, the website configuration of a site moved to OAC) is still deleted, which
 * retainOnDelete on the setting would not do.
 *
 * Right for a bucket the stack deletes too: its settings go with it, and the buckets it deletes are forceDestroy,
 * whose delete empties the bucket and retries until S3 accepts (terraform-provider-aws resourceBucketDelete),
 * whatever settings it still has. The separate deletes are redundant, and skipping them keeps the bucket private
 * and TLS-only while it is emptied. Should the bucket's delete fail, the bucket keeps its settings, and the next
 * `up` creates them again with a Put of the whole setting (PutBucketPolicy, ...).
 *
 * Not for the bucket's notification configuration (BucketEvents): it names functions a destroy deletes.
 */
export function bucketSettingOptions(bucket: aws.s3.Bucket, parent: pulumi.Resource, dependsOn?: pulumi.Resource[]): pulumi.CustomResourceOptions {
  return { parent, deletedWith: bucket, ...(dependsOn ? { dependsOn } : {}) };
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

/**
 * Blocks public ACLs (always) and public policies (unless `allowPublicPolicy`): `${resourceName}` is the child's name.
 * `after`: what the block waits for, when closing it must wait for something (StaticSite's switch to OAC hosting).
 */
export function blockPublicAccess(resourceName: string, bucket: aws.s3.Bucket, options: HardeningOptions, parent: pulumi.Resource, after?: pulumi.Resource[]) {
  const open = options.allowPublicPolicy ?? false;
  return new aws.s3.BucketPublicAccessBlock(
    resourceName,
    { bucket: bucket.id, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: !open, restrictPublicBuckets: !open, region: options.region },
    bucketSettingOptions(bucket, parent, after),
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
    bucketSettingOptions(bucket, parent),
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

export interface AccessLoggingArgs {
  /** Pulumi name of the log bucket's policy. */
  policyResource: string;
  /** Pulumi name of the source bucket's logging configuration. */
  loggingResource: string;
  bucket: aws.s3.Bucket;
  logBucket: aws.s3.Bucket;
  /** The log bucket's public access block (its policy waits for it) and ownership setting (logging waits for it). */
  logBucketAccess: pulumi.Resource;
  logBucketOwnership: pulumi.Resource;
  /** Key prefix of the access logs in the log bucket. */
  prefix: string;
  region?: string;
  /** Statement id of the delivery grant. */
  sid?: string;
  /** More statements for the log bucket's policy (S3 keeps one policy per bucket). */
  statements?: pulumi.Input<Record<string, unknown>>[];
}

/**
 * Server access logging of `bucket` into `logBucket`: the log bucket's policy (S3's delivery grant for exactly this
 * bucket and account, and the TLS-only deny), then the logging configuration. Logging waits for that policy and for
 * the log bucket's ownership setting, so S3 never starts delivering into a bucket that does not accept it yet.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export function logAccess(args: AccessLoggingArgs, parent: pulumi.Resource): { policy: aws.s3.BucketPolicy; logging: aws.s3.BucketLogging } {
  const { bucket, logBucket, region } = args;
  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const policy = new aws.s3.BucketPolicy(
    args.policyResource,
    {
      bucket: logBucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [accessLogDeliveryStatement(logBucket.arn, args.prefix, bucket.arn, accountId, args.sid), ...(args.statements ?? []), tlsOnlyStatement(logBucket.arn)],
      }),
      region,
    },
    bucketSettingOptions(logBucket, parent, [args.logBucketAccess]),
  );
  const logging = new aws.s3.BucketLogging(
    args.loggingResource,
    { bucket: bucket.id, targetBucket: logBucket.id, targetPrefix: args.prefix, region },
    bucketSettingOptions(bucket, parent, [policy, args.logBucketOwnership]),
  );
  return { policy, logging };
}

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
  const logsOwnership = new aws.s3.BucketOwnershipControls(`${logs}-ownership`, { bucket: logBucket.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, bucketSettingOptions(logBucket, parent));
  encryptByDefault(`${logs}-encryption`, logBucket, { region }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${logs}-lifecycle`,
    { bucket: logBucket.id, rules: [{ id: "expire-logs", status: "Enabled", filter: {}, expiration: { days: args.logRetentionDays } }, ABORT_INCOMPLETE_UPLOADS], region },
    bucketSettingOptions(logBucket, parent),
  );

  const bucket = new aws.s3.Bucket(main, { bucket: args.bucketName, forceDestroy: !args.retainOnDelete, region }, opts);
  const access = blockPublicAccess(`${main}-access`, bucket, { region }, parent);
  new aws.s3.BucketOwnershipControls(`${main}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, bucketSettingOptions(bucket, parent));
  const versioning = args.versioned
    ? new aws.s3.BucketVersioning(`${main}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" }, region }, bucketSettingOptions(bucket, parent))
    : undefined;
  encryptByDefault(`${main}-encryption`, bucket, { region, bucketKey: true }, parent);
  new aws.s3.BucketLifecycleConfiguration(`${main}-lifecycle`, { bucket: bucket.id, rules: [...args.lifecycleRules, ABORT_INCOMPLETE_UPLOADS], region }, bucketSettingOptions(bucket, parent));
  logAccess(
    { policyResource: `${logs}-policy`, loggingResource: `${main}-logging`, bucket, logBucket, logBucketAccess: logsAccess, logBucketOwnership: logsOwnership, prefix: ACCESS_LOG_PREFIX, region, sid: args.logDeliverySid },
    parent,
  );
  new aws.s3.BucketPolicy(
    `${main}-policy`,
    { bucket: bucket.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(bucket.arn)] }), region },
    bucketSettingOptions(bucket, parent, [access]),
  );
  return { bucket, logBucket, versioning };
}
