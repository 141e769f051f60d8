/**
 * Lambda's event source mapping for a stream, shared by DataTier's table-stream subscriptions (DynamoDB Streams,
 * components/data-tier/stream.ts) and DataStream's (Kinesis, components/data-stream): the arguments both take, one
 * set of limits, their validation and defaults, and the resources a subscription creates (an encrypted SQS
 * dead-letter queue, the role policy, the mapping).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";
import { policyJson, type PolicyStatement } from "./iam";
import type { LambdaFunction } from "./lambda/function";
import { checkRetentionDays, createDeadLetterQueue } from "./queues";
import { checkWholeNumberInRange } from "./ranges";

/**
 * The ranges Lambda takes on a stream's event source mapping, DynamoDB or Kinesis alike (API_CreateEventSourceMapping;
 * terraform-provider-aws internal/service/lambda/event_source_mapping.go, whose validation names no source type):
 * - BatchSize 1–10000 ("Amazon Kinesis – Default 100. Max 10,000", "Amazon DynamoDB Streams – Default 100. Max 10,000");
 * - MaximumBatchingWindowInSeconds 0–300;
 * - ParallelizationFactor 1–10 (IntBetween(1, 10); "(Kinesis and DynamoDB Streams only)");
 * - MaximumRetryAttempts -1–10000 (IntBetween(-1, 10_000); "(Kinesis and DynamoDB Streams only) Discard records after
 *   the specified number of retries. The default value is -1, which sets the maximum number of retries to infinite");
 * - MaximumRecordAgeInSeconds -1 or 60–604800 (Any(IntInSlice(-1), IntBetween(60, 604_800))).
 */
export const STREAM_MAPPING_LIMITS = {
  batchSize: { min: 1, max: 10_000 },
  maximumBatchingWindowInSeconds: { min: 0, max: 300 },
  parallelizationFactor: { min: 1, max: 10 },
  maximumRetryAttempts: { min: -1, max: 10_000 },
  maximumRecordAgeInSeconds: { min: 60, max: 604_800, also: -1 },
} as const;

/** How Lambda reads a stream for a subscribed function: what DataTier's and DataStream's subscriptions both take. */
export interface StreamMappingArgs {
  /**
   * Records per invocation, 1–10000.
   * @default 100
   */
  batchSize?: number;
  /**
   * Seconds to gather records before invoking, 0–300.
   * @default 0
   */
  maximumBatchingWindowInSeconds?: number;
  /**
   * Split a failing batch in two and retry each half, to isolate a poison record. "Splitting a batch does not count
   * towards the retry quota" (Lambda's with-kinesis and with-ddb pages).
   * @default true
   */
  bisectBatchOnFunctionError?: boolean;
  /**
   * Retries of a failing batch before its description goes to the dead-letter queue, -1 (until the records expire or
   * pass `maximumRecordAgeInSeconds`) to 10000.
   * @default 3
   */
  maximumRetryAttempts?: number;
  /**
   * Records older than this are not delivered (checked before each try): their description goes to the dead-letter
   * queue, 60–604800 (-1: never).
   * @default 86400
   */
  maximumRecordAgeInSeconds?: number;
  /**
   * Days the dead-letter queue keeps the descriptions of failed batches, 1–14.
   * @default 14
   */
  deadLetterRetentionDays?: number;
}

/** Checks the shared arguments (and `parallelizationFactor` where the caller takes it) against STREAM_MAPPING_LIMITS; `at` names each argument. */
export function validateStreamMappingArgs(fail: ArgFailure, at: (argument: string) => string, args: StreamMappingArgs & { parallelizationFactor?: number }): void {
  const limits = STREAM_MAPPING_LIMITS;
  const limit = "Lambda's range";
  checkWholeNumberInRange(fail, at("batchSize"), args.batchSize, limits.batchSize, { limit, unit: "records per batch" });
  checkWholeNumberInRange(fail, at("maximumBatchingWindowInSeconds"), args.maximumBatchingWindowInSeconds, limits.maximumBatchingWindowInSeconds, { limit, unit: "seconds" });
  // ParallelizationFactor: "The number of batches to process from each shard concurrently" (API_CreateEventSourceMapping).
  checkWholeNumberInRange(fail, at("parallelizationFactor"), args.parallelizationFactor, limits.parallelizationFactor, { limit, unit: "concurrent batches per shard" });
  checkWholeNumberInRange(fail, at("maximumRetryAttempts"), args.maximumRetryAttempts, limits.maximumRetryAttempts, { limit, unit: "retries" });
  checkWholeNumberInRange(fail, at("maximumRecordAgeInSeconds"), args.maximumRecordAgeInSeconds, limits.maximumRecordAgeInSeconds, { limit, unit: "seconds", allowed: [limits.maximumRecordAgeInSeconds.also] });
  checkRetentionDays(fail, at("deadLetterRetentionDays"), args.deadLetterRetentionDays);
  if (args.bisectBatchOnFunctionError !== undefined && typeof args.bisectBatchOnFunctionError !== "boolean") {
    fail(at("bisectBatchOnFunctionError"), args.bisectBatchOnFunctionError, "is not true or false", "Set it to true or false.");
  }
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ`: the one form of StartingPositionTimestamp that a second deploy reads back unchanged.
 * terraform-provider-aws sends `time.Parse(time.RFC3339, v)` and reads the mapping back as
 * `aws.ToTime(output.StartingPositionTimestamp).Format(time.RFC3339)` (event_source_mapping.go Create and Read): UTC
 * with `Z`, no fraction of a second. The attribute is ForceNew with no DiffSuppressFunc, so any other spelling of the
 * same time ("+01:00", ".000Z") differs from state at every `pulumi up` and replaces the mapping, which then reads
 * again from that time.
 */
const CANONICAL_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
/** Any RFC 3339 date-time (what validation.IsRFC3339Time takes), to suggest its canonical spelling. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The time as the provider reads it back (UTC, whole seconds, `Z`), or undefined when it is no RFC 3339 time of a real date. */
function canonicalTimestamp(value: string): string | undefined {
  if (!RFC3339.test(value)) return undefined;
  const date = realDate(value.slice(0, 10)) && Number(value.slice(11, 13)) < 24 && Number(value.slice(14, 16)) < 60 && Number(value.slice(17, 19)) < 60;
  const time = Date.parse(value);
  if (!date || Number.isNaN(time)) return undefined;
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function realDate(ymd: string): boolean {
  const [y, m, d] = ymd.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Why `value` cannot be a mapping's StartingPositionTimestamp, with the fix, or undefined when it is canonical
 * (`YYYY-MM-DDTHH:MM:SSZ` of a real date and time).
 */
export function startingPositionTimestampProblem(value: unknown): { problem: string; fix: string; canonical?: string } | undefined {
  if (typeof value === "string" && CANONICAL_TIMESTAMP.test(value) && canonicalTimestamp(value) === value) return undefined;
  const canonical = typeof value === "string" ? canonicalTimestamp(value) : undefined;
  if (canonical) {
    return {
      problem: `is not in the form the provider reads back (UTC, whole seconds, "Z": it stores ${JSON.stringify(canonical)}), so every later deploy would see a change and replace the mapping, which then reads the stream again from that time`,
      fix: `Write it as ${JSON.stringify(canonical)}.`,
      canonical,
    };
  }
  return { problem: "is not a real UTC time of the form YYYY-MM-DDTHH:MM:SSZ", fix: 'Set e.g. "2026-12-01T00:00:00Z" (UTC, whole seconds).' };
}

/** What Lambda reads a stream with (DynamoDB or Kinesis): the settings createStreamMapping sends on the mapping. */
export interface StreamMappingSettings {
  startingPosition: "LATEST" | "TRIM_HORIZON" | "AT_TIMESTAMP";
  /** `YYYY-MM-DDTHH:MM:SSZ`, with AT_TIMESTAMP only (Kinesis). */
  startingPositionTimestamp?: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** Kinesis and DynamoDB streams, 1–10; absent: Lambda's 1. */
  parallelizationFactor?: number;
  bisectBatchOnFunctionError: boolean;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  deadLetterRetentionDays: number;
}

/** The settings a stream subscription (DataTier's, DataStream's) gets when its arguments leave them out. */
export function streamMappingDefaults<P extends string>(
  args: StreamMappingArgs & { startingPosition?: P },
): Omit<StreamMappingSettings, "startingPosition" | "startingPositionTimestamp" | "parallelizationFactor"> & { startingPosition: P | "LATEST" } {
  return {
    batchSize: args.batchSize ?? 100,
    maximumBatchingWindowInSeconds: args.maximumBatchingWindowInSeconds ?? 0,
    bisectBatchOnFunctionError: args.bisectBatchOnFunctionError ?? true,
    maximumRetryAttempts: args.maximumRetryAttempts ?? 3,
    maximumRecordAgeInSeconds: args.maximumRecordAgeInSeconds ?? 86400,
    startingPosition: args.startingPosition ?? "LATEST",
    deadLetterRetentionDays: args.deadLetterRetentionDays ?? 14,
  };
}

/** The stream a mapping reads: its ARN (a DynamoDB stream, a Kinesis stream or its enhanced fan-out consumer) and the grants Lambda polls it with. */
export interface StreamMappingSource {
  eventSourceArn: pulumi.Input<string>;
  readGrants: PolicyStatement[];
  fn: LambdaFunction;
  region: string | undefined;
  settings: StreamMappingSettings;
}

/** What createStreamMapping creates. */
export interface StreamMappingResources {
  mapping: aws.lambda.EventSourceMapping;
  deadLetterQueue: aws.sqs.Queue;
  policy: aws.iam.RolePolicy;
}

/**
 * `<prefix>-dlq` (an encrypted SQS queue, components/queues.ts), `<prefix>-stream-policy` (the stream reads and the
 * queue send, on the function's role) and `<prefix>-mapping`: what DataTier.subscribe and DataStream.subscribe share.
 */
export function createStreamMapping(prefix: string, source: StreamMappingSource, parent: pulumi.Resource): StreamMappingResources {
  const { fn, region, settings: spec } = source;
  const deadLetterQueue = createDeadLetterQueue(`${prefix}-dlq`, { retentionDays: spec.deadLetterRetentionDays, region }, { parent });
  // The mapping polls with the function's role: it must read the stream and send failures to the queue before it is created.
  const statements: PolicyStatement[] = [
    ...source.readGrants,
    { sid: "SendFailedStreamBatches", actions: ["sqs:SendMessage"], resources: [deadLetterQueue.arn] },
  ];
  const policy = new aws.iam.RolePolicy(`${prefix}-stream-policy`, { role: fn.role.id, policy: policyJson(statements) }, { parent });
  const mapping = new aws.lambda.EventSourceMapping(
    `${prefix}-mapping`,
    {
      eventSourceArn: source.eventSourceArn,
      functionName: fn.arn,
      startingPosition: spec.startingPosition,
      startingPositionTimestamp: spec.startingPositionTimestamp,
      batchSize: spec.batchSize,
      maximumBatchingWindowInSeconds: spec.maximumBatchingWindowInSeconds,
      parallelizationFactor: spec.parallelizationFactor,
      bisectBatchOnFunctionError: spec.bisectBatchOnFunctionError,
      maximumRetryAttempts: spec.maximumRetryAttempts,
      maximumRecordAgeInSeconds: spec.maximumRecordAgeInSeconds,
      functionResponseTypes: ["ReportBatchItemFailures"],
      destinationConfig: { onFailure: { destinationArn: deadLetterQueue.arn } },
      region,
    },
    // Delete-first on replacement. Lambda keeps one mapping per event source and function: a second
    // CreateEventSourceMapping for the pair is refused with ResourceConflictException "The event source arn (…) and
    // function (…) provided mapping already exists" (aws/serverless-application-model#1320, after a StartingPosition
    // change; hashicorp/terraform-provider-aws#33352 for a DynamoDB stream; LocalStack checked it against AWS for SQS,
    // Kinesis and DynamoDB streams, localstack/localstack#9996). terraform-provider-aws marks starting_position,
    // starting_position_timestamp and event_source_arn ForceNew (internal/service/lambda/event_source_mapping.go;
    // UpdateEventSourceMapping takes no StartingPosition), and pulumi-aws asks for no delete-first replacement of
    // aws_lambda_event_source_mapping, which has no name to autoname: Pulumi would create the new mapping on the same
    // stream and function before deleting the old one, and that create is refused (`npm run plan -- --since`
    // reports it: TransitionNameTaken).
    { parent, dependsOn: [policy], deleteBeforeReplace: true },
  );
  return { mapping, deadLetterQueue, policy };
}
