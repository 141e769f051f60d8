/**
 * Export to S3: a private, encrypted, TLS-only export bucket with a
 * lifecycle (and its own access-log bucket), and a function that calls
 * ExportTableToPointInTime for each exported table, on its EventBridge Scheduler schedule
 * (LambdaFunction's `schedule`: the expression checked when the program runs, retries, a DLQ).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_LIMITS, LambdaFunction } from "../lambda/function";
import { createDeadLetterQueue } from "../queues";
import { createPrivateBucketWithLogs } from "../s3-hardening";
import type { DataTierSpec, ExportSpec } from "./spec";

/** The export function's source, found from this file (in the source tree, or from dist/ in the published package). */
export const EXPORT_HANDLER_ENTRY =
  [join(__dirname, "..", "..", "handlers", "data", "export.ts"), join(__dirname, "..", "..", "..", "handlers", "data", "export.ts")].find(existsSync) ??
  join(__dirname, "..", "..", "handlers", "data", "export.ts");

export const EXPORT_PREFIX = "exports/";

export interface CreatedExport {
  bucket: aws.s3.Bucket;
  logBucket: aws.s3.Bucket;
  function: LambdaFunction;
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
  const deadLetterQueue = createDeadLetterQueue(`${name}-export-dlq`, { retentionDays: 14, region: tier.region }, { parent });
  const fn = new LambdaFunction(
    `${name}-export`,
    {
      entry: EXPORT_HANDLER_ENTRY,
      description: exportDescription(spec.tables),
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
      schedule: { expression: spec.schedule },
    },
    { parent },
  );
  return { bucket, logBucket, function: fn, deadLetterQueue };
}

function createExportBuckets(name: string, tier: DataTierSpec, spec: ExportSpec, parent: pulumi.Resource) {
  return createPrivateBucketWithLogs(
    {
      bucketResource: `${name}-export`,
      logBucketResource: `${name}-export-logs`,
      bucketName: spec.bucketName,
      region: tier.region,
      retainOnDelete: tier.retainOnDelete,
      versioned: false,
      lifecycleRules: [{ id: "expire-exports", status: "Enabled", filter: { prefix: EXPORT_PREFIX }, expiration: { days: spec.retentionDays } }],
      logRetentionDays: 90,
      logDeliverySid: "AllowExportAccessLogs",
    },
    parent,
  );
}

/** The export function's description: the tables by key while they fit Lambda's limit, else how many. */
function exportDescription(tables: readonly string[]): string {
  const listed = `Exports ${tables.join(", ")} to S3`;
  return listed.length <= LAMBDA_LIMITS.descriptionCharacters ? listed : `Exports ${tables.length} DynamoDB tables to S3`;
}
