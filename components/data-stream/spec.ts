/**
 * DataStream's arguments, their validation and normalisation, and the specs it registers (kinds "DataStream" and
 * "DataStreamSubscription") for the local runtime: a Kinesis data stream, KMS-encrypted, read by LambdaFunctions
 * through event source mappings. One spec serves `pulumi up` and `npm start` (local/services/data-streams.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { checkRange, streamMappingDefaults } from "../data-tier/stream";
import type { ArgFailure } from "../errors";
import { KMS_KEY_ARN } from "../kms";
import type { LambdaFunction, LambdaFunctionSpec } from "../lambda/function";
import { checkRetentionDays } from "../queues";
import { arnRegion, validateRegionArg } from "../region";
import { checkSubscribedFunction } from "../subscriptions";

export type DataStreamMode = "ON_DEMAND" | "PROVISIONED";
export type DataStreamStartingPosition = "LATEST" | "TRIM_HORIZON" | "AT_TIMESTAMP";

/**
 * The ranges AWS takes, each checked at construction and by the deploy rules (testing/deploy-rules/kinesis.ts):
 * - retention: "The minimum value of a stream's retention period is 24 hours", "The maximum value … is 8760 hours"
 *   (API_IncreaseStreamRetentionPeriod; terraform-provider-aws internal/service/kinesis/stream.go retention_period
 *   IntBetween(24, 8760));
 * - shards: a PROVISIONED stream has at least one shard, an ON_DEMAND one takes none ("shard_count must not be set when
 *   stream_mode is ON_DEMAND", "shard_count must be at least 1 when stream_mode is PROVISIONED", stream.go CustomizeDiff);
 * - the event source mapping (API_CreateEventSourceMapping; terraform-provider-aws internal/service/lambda/
 *   event_source_mapping.go): BatchSize 1–10000 for Kinesis, MaximumBatchingWindowInSeconds 0–300,
 *   ParallelizationFactor 1–10 (IntBetween(1, 10)), MaximumRetryAttempts -1–10000 (IntBetween(-1, 10_000)),
 *   MaximumRecordAgeInSeconds -1 or 60–604800 (Any(IntInSlice(-1), IntBetween(60, 604_800)));
 * - enhanced fan-out: "You can register up to 20 consumers per data stream" (API_RegisterStreamConsumer).
 */
export const DATA_STREAM_LIMITS = {
  retentionHours: { min: 24, max: 8760 },
  shardCount: { min: 1 },
  batchSize: { min: 1, max: 10_000 },
  maximumBatchingWindowInSeconds: { min: 0, max: 300 },
  parallelizationFactor: { min: 1, max: 10 },
  maximumRetryAttempts: { min: -1, max: 10_000 },
  maximumRecordAgeInSeconds: { min: 60, max: 604_800 },
  consumersPerStream: 20,
} as const;

export interface DataStreamArgs {
  /**
   * `ON_DEMAND`: Kinesis scales the shards with the traffic (billed per GB and per stream-hour); `PROVISIONED`: a fixed
   * `shardCount` (1 MB/s or 1,000 records/s in, 2 MB/s out each).
   * @default "ON_DEMAND"
   */
  mode?: DataStreamMode;
  /** The shards of a PROVISIONED stream, at least 1; required with, and only with, `mode: "PROVISIONED"`. */
  shardCount?: number;
  /**
   * Hours a record stays readable, 24–8760. Above 24 hours Kinesis bills extended retention.
   * @default 24
   */
  retentionHours?: number;
  /**
   * A customer managed KMS key's ARN, in the stream's region: producers then get kms:GenerateDataKey on it and
   * subscribers kms:Decrypt.
   * @default the AWS managed key `alias/aws/kinesis`
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** The region of the stream and its mappings (the subscribers' region); absent: the provider's. */
  region?: string;
  /**
   * The stream's physical name, 1–128 of `[a-zA-Z0-9_.-]`: for what must name the stream in plain text, such as a
   * ServerlessApi route's PutRecord request template (API Gateway → Kinesis). Changing it replaces the stream.
   * @default generated: `<name>-stream-<random suffix>`
   */
  streamName?: string;
  /**
   * Keep the stream when it leaves the program (`pulumi destroy`, a rename). A stream is a buffer of at most
   * `retentionHours`, not a store: off by default, as for queues. A kept stream keeps billing.
   * @default false
   */
  retainOnDelete?: boolean;
}

/** A function that consumes the stream: how Lambda polls it for the function. */
export interface DataStreamSubscriptionArgs {
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
   * Batches per shard processed at once, 1–10 (records of one partition key stay in order).
   * @default 1
   */
  parallelizationFactor?: number;
  /**
   * Split a failing batch in two and retry each half, to isolate a poison record.
   * @default true
   */
  bisectBatchOnFunctionError?: boolean;
  /**
   * Retries of a failing batch before its records' description goes to the dead-letter queue, -1 (until the record
   * expires) to 10000.
   * @default 3
   */
  maximumRetryAttempts?: number;
  /**
   * Records older than this are skipped to the dead-letter queue, 60–604800 (-1: never).
   * @default 86400
   */
  maximumRecordAgeInSeconds?: number;
  /**
   * Where the mapping starts reading when it is created: `LATEST` (records written after it starts polling),
   * `TRIM_HORIZON` (the oldest record the stream keeps) or `AT_TIMESTAMP` (with `startingPositionTimestamp`). Lambda
   * cannot change it on a mapping: changing it re-creates the mapping (delete first), as for DataTier's subscriptions.
   * @default "LATEST"
   */
  startingPosition?: DataStreamStartingPosition;
  /** With `AT_TIMESTAMP` only: an RFC 3339 time, e.g. "2026-12-01T00:00:00Z". */
  startingPositionTimestamp?: string;
  /**
   * Days the dead-letter queue keeps the descriptions of failed batches, 1–14.
   * @default 14
   */
  deadLetterRetentionDays?: number;
  /**
   * Read through an enhanced fan-out consumer (a dedicated 2 MB/s per shard, pushed over HTTP/2) instead of polling
   * the shared throughput. At most 20 per stream.
   * @default false
   */
  enhancedFanOut?: boolean;
}

/** What the local runtime needs of the stream. */
export interface DataStreamSpec {
  name: string;
  /** The stream's physical name (its autoname), what PutRecord's StreamName takes. */
  streamName: pulumi.Input<string>;
  mode: DataStreamMode;
  /** PROVISIONED only. */
  shardCount?: number;
  retentionHours: number;
  /** The customer managed key; absent: `alias/aws/kinesis`. */
  kmsKeyArn?: pulumi.Input<string>;
  region?: string;
  retainOnDelete: boolean;
}

/** What the local runtime needs to drive one subscription. */
export interface DataStreamSubscriptionSpec {
  name: string;
  /** The DataStream's name. */
  dataStream: string;
  function: LambdaFunctionSpec;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  parallelizationFactor: number;
  bisectBatchOnFunctionError: boolean;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  startingPosition: DataStreamStartingPosition;
  startingPositionTimestamp?: string;
  deadLetterRetentionDays: number;
  /** The dead-letter queue's physical name (the on-failure destination). */
  deadLetterQueueName: pulumi.Input<string>;
  enhancedFanOut: boolean;
  /** Always on: a handler answers `{ batchItemFailures: [{ itemIdentifier: sequenceNumber }] }`. */
  reportBatchItemFailures: true;
}

const MODES: readonly DataStreamMode[] = ["ON_DEMAND", "PROVISIONED"];
const POSITIONS: readonly DataStreamStartingPosition[] = ["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"];
/** RFC 3339 date-time, what terraform-provider-aws takes for starting_position_timestamp (validation.IsRFC3339Time). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function validateArgs(fail: ArgFailure, name: string, args: DataStreamArgs, streamRegion: string | undefined): void {
  validateRegionArg(fail, "region", args.region);
  // The stream is autonamed `<name>-stream-<7 hex>` unless named (Kinesis: 1–128 of [a-zA-Z0-9_.-], API_CreateStream).
  if (args.streamName === undefined) validateAutonames(fail, name, [{ resource: `${name}-stream`, kind: "kinesis-stream" }]);
  else if (typeof args.streamName !== "string" || !/^[a-zA-Z0-9_.-]{1,128}$/.test(args.streamName)) {
    fail("streamName", args.streamName, "is not a Kinesis stream name (1–128 letters, digits, _, . and -)", 'Use e.g. "clicks", or leave it out for a generated name.');
  } else if (args.retainOnDelete === true) {
    // A kept stream keeps its name: the next `pulumi up` after a destroy (or a replacement) cannot create it
    // (CreateStream: ResourceInUseException), as for DataTier's kept tables.
    fail("streamName", args.streamName, "is a fixed name on a stream kept on delete (retainOnDelete: true): after `pulumi destroy` the kept stream still holds the name, so the next `pulumi up` cannot create it (Kinesis answers ResourceInUseException)", "Leave streamName unset (a generated name), or retainOnDelete: false.");
  }
  const mode = args.mode ?? "ON_DEMAND";
  if (!MODES.includes(mode)) fail("mode", args.mode, "is not a Kinesis capacity mode", 'Use "ON_DEMAND" or "PROVISIONED".');
  if (mode === "ON_DEMAND" && args.shardCount !== undefined) {
    fail("shardCount", args.shardCount, "is set on an ON_DEMAND stream, whose shards Kinesis manages (CreateStream refuses a ShardCount with ON_DEMAND)", 'Leave shardCount out, or set mode: "PROVISIONED".');
  }
  if (mode === "PROVISIONED" && (typeof args.shardCount !== "number" || !Number.isInteger(args.shardCount) || args.shardCount < DATA_STREAM_LIMITS.shardCount.min)) {
    fail("shardCount", args.shardCount, "is not a whole number of at least 1, which a PROVISIONED stream needs", "Set shardCount: 1 or more (each shard takes 1 MB/s in), or use the default ON_DEMAND mode.");
  }
  const { retentionHours } = DATA_STREAM_LIMITS;
  checkRange(fail, "retentionHours", args.retentionHours, retentionHours.min, retentionHours.max);
  if (typeof args.kmsKeyArn === "string") {
    if (!KMS_KEY_ARN.test(args.kmsKeyArn)) fail("kmsKeyArn", args.kmsKeyArn, "is not a KMS key's ARN", "Pass the key's ARN (arn:aws:kms:<region>:<account>:key/<id>), e.g. key.arn; leave it out for the AWS managed key alias/aws/kinesis.");
    const keyRegion = arnRegion(args.kmsKeyArn);
    if (streamRegion && keyRegion !== streamRegion) fail("kmsKeyArn", args.kmsKeyArn, `is a key in ${keyRegion}, but the stream is in ${streamRegion}; Kinesis encrypts with a key of its own region`, `Use a key in ${streamRegion}.`);
  }
  if (args.retainOnDelete !== undefined && typeof args.retainOnDelete !== "boolean") fail("retainOnDelete", args.retainOnDelete, "is not true or false", "Set it to true or false.");
}

export function normalise(name: string, args: DataStreamArgs, streamName: pulumi.Input<string>): DataStreamSpec {
  const mode = args.mode ?? "ON_DEMAND";
  return {
    name,
    streamName,
    mode,
    ...(mode === "PROVISIONED" ? { shardCount: args.shardCount } : {}),
    retentionHours: args.retentionHours ?? 24,
    ...(args.kmsKeyArn !== undefined ? { kmsKeyArn: args.kmsKeyArn } : {}),
    ...(args.region ? { region: args.region } : {}),
    retainOnDelete: args.retainOnDelete ?? false,
  };
}

export function validateSubscription(fail: ArgFailure, name: string, fn: LambdaFunction, args: DataStreamSubscriptionArgs): void {
  checkSubscribedFunction(fail, `subscribe("${name}")`, fn, "Lambda's event source mapping");
  const at = (argument: string) => `subscribe("${name}").${argument}`;
  const limits = DATA_STREAM_LIMITS;
  checkRange(fail, at("batchSize"), args.batchSize, limits.batchSize.min, limits.batchSize.max);
  checkRange(fail, at("maximumBatchingWindowInSeconds"), args.maximumBatchingWindowInSeconds, limits.maximumBatchingWindowInSeconds.min, limits.maximumBatchingWindowInSeconds.max);
  checkRange(fail, at("parallelizationFactor"), args.parallelizationFactor, limits.parallelizationFactor.min, limits.parallelizationFactor.max);
  checkRange(fail, at("maximumRetryAttempts"), args.maximumRetryAttempts, limits.maximumRetryAttempts.min, limits.maximumRetryAttempts.max);
  checkRange(fail, at("maximumRecordAgeInSeconds"), args.maximumRecordAgeInSeconds, limits.maximumRecordAgeInSeconds.min, limits.maximumRecordAgeInSeconds.max, [-1]);
  checkRetentionDays(fail, at("deadLetterRetentionDays"), args.deadLetterRetentionDays);
  const position = args.startingPosition ?? "LATEST";
  if (!POSITIONS.includes(position)) fail(at("startingPosition"), args.startingPosition, "is not a Kinesis starting position", 'Use "LATEST", "TRIM_HORIZON" or "AT_TIMESTAMP".');
  // StartingPositionTimestamp: "With StartingPosition set to AT_TIMESTAMP, the time from which to start reading"
  // (API_CreateEventSourceMapping); Lambda refuses one without the other.
  if (position === "AT_TIMESTAMP" && (typeof args.startingPositionTimestamp !== "string" || !RFC3339.test(args.startingPositionTimestamp))) {
    fail(at("startingPositionTimestamp"), args.startingPositionTimestamp, "is not an RFC 3339 time, which AT_TIMESTAMP needs", 'Set e.g. startingPositionTimestamp: "2026-12-01T00:00:00Z".');
  }
  if (position !== "AT_TIMESTAMP" && args.startingPositionTimestamp !== undefined) {
    fail(at("startingPositionTimestamp"), args.startingPositionTimestamp, `is set with startingPosition ${position}; Lambda takes it with AT_TIMESTAMP only`, 'Set startingPosition: "AT_TIMESTAMP", or leave startingPositionTimestamp out.');
  }
  for (const key of ["bisectBatchOnFunctionError", "enhancedFanOut"] as const) {
    if (args[key] !== undefined && typeof args[key] !== "boolean") fail(at(key), args[key], "is not true or false", "Set it to true or false.");
  }
}

/** The subscription's spec but the dead-letter queue's name, which its creation gives. */
export function normaliseSubscription(dataStream: string, name: string, fn: LambdaFunction, args: DataStreamSubscriptionArgs): Omit<DataStreamSubscriptionSpec, "deadLetterQueueName"> {
  return {
    name,
    dataStream,
    function: fn.spec,
    ...streamMappingDefaults(args),
    parallelizationFactor: args.parallelizationFactor ?? 1,
    ...(args.startingPositionTimestamp !== undefined ? { startingPositionTimestamp: args.startingPositionTimestamp } : {}),
    enhancedFanOut: args.enhancedFanOut ?? false,
    reportBatchItemFailures: true,
  };
}
