/**
 * Export to S3 (seed 002): a private, encrypted, TLS-only export bucket with a
 * lifecycle (and its own access-log bucket), and a scheduled function that calls
 * ExportTableToPointInTime for each exported table.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LambdaFunction } from "../lambda/function";
import { ABORT_INCOMPLETE_UPLOADS, accessLogDeliveryStatement, blockPublicAccess, encryptByDefault, tlsOnlyStatement } from "../s3-hardening";
import type { DataTierSpec, ExportSpec } from "./spec";

/** The export function's source, found from this file (in the source tree, or from dist/ in the published package). */
export const EXPORT_HANDLER_ENTRY =
  [join(__dirname, "..", "..", "handlers", "data", "export.ts"), join(__dirname, "..", "..", "..", "handlers", "data", "export.ts")].find(existsSync) ??
  join(__dirname, "..", "..", "handlers", "data", "export.ts");

export const EXPORT_PREFIX = "exports/";
const ACCESS_LOG_PREFIX = "s3/";

export interface CreatedExport {
  bucket: aws.s3.Bucket;
  logBucket: aws.s3.Bucket;
  function: LambdaFunction;
  rule: aws.cloudwatch.EventRule;
  deadLetterQueue: aws.sqs.Queue;
}

export function createExport(
  name: string,
  tier: DataTierSpec,
  tables: Record<string, aws.dynamodb.Table>,
  parent: pulumi.Resource,
): CreatedExport {
  const spec = tier.export!;
  const { bucket, logBucket } = createExportBuckets(name, tier, spec, parent);
  const exported = spec.tables.map((key) => tables[key]);
  const deadLetterQueue = new aws.sqs.Queue(
    `${name}-export-dlq`,
    { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 60 * 60, region: tier.region },
    { parent },
  );
  const fn = new LambdaFunction(
    `${name}-export`,
    {
      entry: EXPORT_HANDLER_ENTRY,
      description: `Exports ${spec.tables.join(", ")} to S3`,
      timeout: 60,
      memorySize: 256,
      logRetentionDays: spec.logRetentionDays,
      region: tier.region,
      environment: {
        EXPORT_BUCKET_NAME: bucket.bucket,
        EXPORT_PREFIX,
        EXPORT_FORMAT: spec.format,
        TABLE_ARNS: pulumi.jsonStringify(exported.map((t) => t.arn)),
        POWERTOOLS_SERVICE_NAME: `${name}-export`,
      },
      permissions: [
        { sid: "ExportTables", actions: ["dynamodb:ExportTableToPointInTime"], resources: exported.map((t) => t.arn) },
        // What DynamoDB's export writes with the caller's permissions (AWS docs, "Requesting a table export").
        { sid: "WriteExports", actions: ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"], resources: [pulumi.interpolate`${bucket.arn}/${EXPORT_PREFIX}*`] },
      ],
      asyncInvoke: { maxRetryAttempts: 2, onFailure: { type: "sqs", arn: deadLetterQueue.arn } },
    },
    { parent },
  );
  const rule = new aws.cloudwatch.EventRule(
    `${name}-export-schedule`,
    { description: `Export ${spec.tables.join(", ")} to S3`, scheduleExpression: spec.schedule, region: tier.region },
    { parent },
  );
  new aws.lambda.Permission(
    `${name}-export-invoke`,
    { action: "lambda:InvokeFunction", function: fn.functionName, principal: "events.amazonaws.com", sourceArn: rule.arn, region: tier.region },
    { parent },
  );
  new aws.cloudwatch.EventTarget(`${name}-export-target`, { rule: rule.name, arn: fn.arn, region: tier.region }, { parent });
  return { bucket, logBucket, function: fn, rule, deadLetterQueue };
}

function createExportBuckets(name: string, tier: DataTierSpec, spec: ExportSpec, parent: pulumi.Resource) {
  const region = tier.region;
  const opts = { parent, retainOnDelete: tier.retainOnDelete };

  const logBucket = new aws.s3.Bucket(`${name}-export-logs`, { forceDestroy: !tier.retainOnDelete, region }, opts);
  const logsAccess = blockPublicAccess(`${name}-export-logs-access`, logBucket, { region }, parent);
  new aws.s3.BucketOwnershipControls(`${name}-export-logs-ownership`, { bucket: logBucket.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, { parent });
  encryptByDefault(`${name}-export-logs-encryption`, logBucket, { region }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-export-logs-lifecycle`,
    { bucket: logBucket.id, rules: [{ id: "expire-logs", status: "Enabled", filter: {}, expiration: { days: 90 } }, ABORT_INCOMPLETE_UPLOADS], region },
    { parent },
  );

  const bucket = new aws.s3.Bucket(`${name}-export`, { bucket: spec.bucketName, forceDestroy: !tier.retainOnDelete, region }, opts);
  const access = blockPublicAccess(`${name}-export-access`, bucket, { region }, parent);
  new aws.s3.BucketOwnershipControls(`${name}-export-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" }, region }, { parent });
  encryptByDefault(`${name}-export-encryption`, bucket, { region, bucketKey: true }, parent);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-export-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        { id: "expire-exports", status: "Enabled", filter: { prefix: EXPORT_PREFIX }, expiration: { days: spec.retentionDays } },
        ABORT_INCOMPLETE_UPLOADS,
      ],
      region,
    },
    { parent },
  );
  new aws.s3.BucketLogging(`${name}-export-logging`, { bucket: bucket.id, targetBucket: logBucket.id, targetPrefix: ACCESS_LOG_PREFIX, region }, { parent });

  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  new aws.s3.BucketPolicy(
    `${name}-export-logs-policy`,
    {
      bucket: logBucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [accessLogDeliveryStatement(logBucket.arn, ACCESS_LOG_PREFIX, bucket.arn, accountId, "AllowExportAccessLogs"), tlsOnlyStatement(logBucket.arn)],
      }),
      region,
    },
    { parent, dependsOn: [logsAccess] },
  );
  new aws.s3.BucketPolicy(
    `${name}-export-policy`,
    { bucket: bucket.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(bucket.arn)] }), region },
    { parent, dependsOn: [access] },
  );
  return { bucket, logBucket };
}
