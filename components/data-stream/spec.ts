/**
 * DataStream's arguments, their validation and normalisation, and the specs it registers (kinds "DataStream" and
 * "DataStreamSubscription") for the local runtime: a Kinesis data stream, KMS-encrypted, read by LambdaFunctions
 * through event source mappings. One spec serves `pulumi up` and `npm start` (local/services/data-streams.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { ComponentArgError, type ArgFailure } from "../errors";
import { KMS_KEY_ARN } from "../kms";
import type { LambdaFunction, LambdaFunctionSpec } from "../lambda/function";
import { checkWholeNumberInRange } from "../ranges";
import { DATA_STREAM_LIMITS } from "./limits";
import { arnRegion, validateRegionArg } from "../region";
import { startingPositionTimestampProblem, streamMappingDefaults, validateStreamMappingArgs, type StreamMappingArgs } from "../stream-mapping";
import { checkSubscribedFunction } from "../subscriptions";

export type DataStreamMode = "ON_DEMAND" | "PROVISIONED";
export type DataStreamStartingPosition = "LATEST" | "TRIM_HORIZON" | "AT_TIMESTAMP";

/** The ranges AWS takes for the stream (components/data-stream/limits.ts, which imports nothing: the local Kinesis endpoint reads it too). */
export { DATA_STREAM_LIMITS } from "./limits";

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
   * The largest record the stream takes, its data and partition key together, in KiB: 1024–10240 (1–10 MiB). Kinesis
   * refuses a larger PutRecord or PutRecords. Raise it only when every subscriber takes such records: a Lambda
   * subscriber's event is at most 6 MB ("up to the payload limit for synchronous invocation (6 MB)",
   * API_CreateEventSourceMapping BatchSize), and its records' data is base64 there, so a record of more than about
   * 4.5 MiB of data (above 4607 KiB) may fit no event with the rest of the event (DATA_STREAM_LIMITS). What Lambda
   * does with such a record is not documented: for a mapping that cannot invoke its function, Lambda's guide says it retries until the records pass
   * `maximumRecordAgeInSeconds` or expire, holding up the shard, then sends them to the on-failure queue (no retry count,
   * no bisection); under `npm start` the refused invocation is likewise retried, with no retry count and no bisection,
   * until the record is older than `maximumRecordAgeInSeconds` or the stream's retention, then given up on to the subscription's on-failure queue
   * (`RecordAgeExceeded`). `subscribe` warns when the maximum
   * is above 4607. The shard's 1 MB/s of writes is the same (a large record borrows burst capacity; AWS advises keeping large records under 2% of the
   * traffic). `npm start`'s local stream takes and refuses records by the same maximum, and answers at most 10 MiB a
   * GetRecords call, as Kinesis does.
   * https://docs.aws.amazon.com/streams/latest/dev/large-records.html
   * @default 1024
   */
  maxRecordSizeInKib?: number;
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
export interface DataStreamSubscriptionArgs extends StreamMappingArgs {
  /**
   * Batches per shard processed at once, 1–10 (records of one partition key stay in order).
   * @default 1
   */
  parallelizationFactor?: number;
  /**
   * Where the mapping starts reading when it is created: `LATEST` (records written after it starts polling),
   * `TRIM_HORIZON` (the oldest record the stream keeps) or `AT_TIMESTAMP` (with `startingPositionTimestamp`). Lambda
   * cannot change it on a mapping: changing it re-creates the mapping (delete first), as for DataTier's subscriptions.
   * @default "LATEST"
   */
  startingPosition?: DataStreamStartingPosition;
  /**
   * With `AT_TIMESTAMP` only: a UTC time in whole seconds, `YYYY-MM-DDTHH:MM:SSZ` (e.g. "2026-12-01T00:00:00Z"), the
   * form the provider reads back; another spelling of the same time would replace the mapping at every deploy, so it
   * is refused.
   */
  startingPositionTimestamp?: string;
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
  /** The largest record (data and partition key) in KiB, 1024–10240. */
  maxRecordSizeInKib: number;
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
  checkWholeNumberInRange(fail, "retentionHours", args.retentionHours, DATA_STREAM_LIMITS.retentionHours, { limit: "Kinesis's range", unit: "hours" });
  checkWholeNumberInRange(fail, "maxRecordSizeInKib", args.maxRecordSizeInKib, DATA_STREAM_LIMITS.maxRecordSizeInKib, { limit: "Kinesis's maximum record size", unit: "KiB", fix: "Use a whole number from 1024 (1 MiB, the default) to 10240 (10 MiB), e.g. 2048." });
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
    maxRecordSizeInKib: args.maxRecordSizeInKib ?? DATA_STREAM_LIMITS.maxRecordSizeInKib.default,
    ...(args.kmsKeyArn !== undefined ? { kmsKeyArn: args.kmsKeyArn } : {}),
    ...(args.region ? { region: args.region } : {}),
    retainOnDelete: args.retainOnDelete ?? false,
  };
}

export function validateSubscription(fail: ArgFailure, name: string, fn: LambdaFunction, args: DataStreamSubscriptionArgs): void {
  checkSubscribedFunction(fail, `subscribe("${name}")`, fn, "Lambda's event source mapping");
  const at = (argument: string) => `subscribe("${name}").${argument}`;
  validateStreamMappingArgs(fail, at, args);
  const position = args.startingPosition ?? "LATEST";
  if (!POSITIONS.includes(position)) fail(at("startingPosition"), args.startingPosition, "is not a Kinesis starting position", 'Use "LATEST", "TRIM_HORIZON" or "AT_TIMESTAMP".');
  // StartingPositionTimestamp: "With StartingPosition set to AT_TIMESTAMP, the time from which to start reading"
  // (API_CreateEventSourceMapping); Lambda refuses one without the other.
  // Refused rather than normalised: the program then holds the value the provider reads back (components/stream-mapping.ts
  // CANONICAL_TIMESTAMP), and what the user wrote is what `pulumi preview` shows and the local emulator starts from.
  const timestamp = position === "AT_TIMESTAMP" ? startingPositionTimestampProblem(args.startingPositionTimestamp) : undefined;
  if (timestamp) fail(at("startingPositionTimestamp"), args.startingPositionTimestamp, timestamp.problem, timestamp.fix);
  if (position !== "AT_TIMESTAMP" && args.startingPositionTimestamp !== undefined) {
    fail(at("startingPositionTimestamp"), args.startingPositionTimestamp, `is set with startingPosition ${position}; Lambda takes it with AT_TIMESTAMP only`, 'Set startingPosition: "AT_TIMESTAMP", or leave startingPositionTimestamp out.');
  }
  if (args.enhancedFanOut !== undefined && typeof args.enhancedFanOut !== "boolean") fail(at("enhancedFanOut"), args.enhancedFanOut, "is not true or false", "Set it to true or false.");
}

/**
 * What may become of a record too large for any Lambda event, for the warnings below and KinesisLambdaRecordSize: not
 * documented for such a record; Lambda's guide says a Kinesis mapping "unable to invoke the function due to throttling
 * or other issues" retries until the records expire or exceed MaximumRecordAgeInSeconds (not counted against
 * MaximumRetryAttempts and not bisected: those act on function errors), blocking the shard, then discards them to the
 * on-failure destination (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html; limits.ts).
 * `maximumRecordAgeInSeconds` is the mapping's (undefined: Lambda's default, -1).
 */
export function oversizedRecordFate(maximumRecordAgeInSeconds: unknown): string {
  const age = maximumRecordAgeInSeconds ?? -1;
  const until =
    age === -1
      ? "expire from the stream (maximumRecordAgeInSeconds -1: no age limit)"
      : typeof age === "number" && Number.isInteger(age)
        ? `are older than maximumRecordAgeInSeconds (${age}) or expire`
        : "pass maximumRecordAgeInSeconds or expire";
  return `what Lambda then does is not documented: for a mapping that cannot invoke its function, Lambda's guide says it retries until the records ${until}, holding up the shard, then sends them to the on-failure destination`;
}

/**
 * The warning for a Lambda subscription of a stream whose largest record does not fit one Lambda event
 * (DATA_STREAM_LIMITS.lambdaDeliverableRecordKib, limits.ts: the 6 MB synchronous payload, the data base64-encoded);
 * undefined when it fits. A warning, not a refusal: Kinesis and Lambda accept both, the producers may never write such a
 * record, and what Lambda does with one is not documented (oversizedRecordFate). What the sources say, and all the
 * warning claims: Lambda gathers a batch "until it has gathered a full batch, the batching window expires, or the batch
 * reaches the payload limit of 6 MB" (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html) and "passes all
 * of the records in the batch to the function in a single call, up to the payload limit for synchronous invocation
 * (6 MB)" (API_CreateEventSourceMapping, BatchSize), with each record's data base64-encoded; Kinesis asks that before
 * raising the maximum record size you "verify that all downstream applications can handle larger records"
 * (https://docs.aws.amazon.com/streams/latest/dev/large-records.html). Neither says a larger record is never delivered,
 * so the warning says it may not reach the function. The deploy rule KinesisLambdaRecordSize warns of a hand-built
 * mapping.
 */
export function largeRecordSubscriberWarning(dataStream: string, subscription: string, maxRecordSizeInKib: number, maximumRecordAgeInSeconds: number): string | undefined {
  const deliverable = DATA_STREAM_LIMITS.lambdaDeliverableRecordKib;
  if (maxRecordSizeInKib <= deliverable) return undefined;
  return new ComponentArgError(
    "DataStream",
    dataStream,
    "maxRecordSizeInKib",
    maxRecordSizeInKib,
    `lets producers write records above ${deliverable} KiB, but subscribe("${subscription}") reads the stream with a Lambda function, and Lambda's guide gives a batch at most 6 MB (the synchronous invocation payload) with each record's data base64-encoded (4 bytes for every 3): such a record, base64-encoded with the rest of its event (about 1 KiB), can be over that, so it may not reach the function (${oversizedRecordFate(maximumRecordAgeInSeconds)}, the subscription's dead-letter queue); Kinesis asks that consumers be checked before the maximum is raised ("verify that all downstream applications can handle larger records")`,
    `Set maxRecordSizeInKib to ${deliverable} or less, or keep large payloads in S3 and put their keys on the stream.`,
  ).message;
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
