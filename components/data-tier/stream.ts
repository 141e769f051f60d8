/**
 * A LambdaFunction subscribed to a table's stream: an event source mapping with
 * partial batch responses, bisect-on-error, bounded retries and an encrypted SQS
 * queue as the on-failure destination; the function's role gets exactly the stream
 * read and the queue send it needs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { checkRetentionDays, createDeadLetterQueue } from "../queues";
import { policyJson, type PolicyStatement } from "../iam";
import type { LambdaFunction, LambdaFunctionSpec } from "../lambda/function";
import type { TableSpec } from "./spec";

/** A function that consumes a table's stream. */
export interface StreamSubscriptionArgs {
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
   * Split a failing batch in two and retry each half, to isolate a poison record.
   * @default true
   */
  bisectBatchOnFunctionError?: boolean;
  /**
   * Retries of a failing batch before its records go to the dead-letter queue, 0–10000.
   * @default 3
   */
  maximumRetryAttempts?: number;
  /**
   * Records older than this are sent to the dead-letter queue unprocessed, 60–604800 (-1: never).
   * @default 86400
   */
  maximumRecordAgeInSeconds?: number;
  /**
   * Where the mapping starts reading the stream when it is created: `LATEST` (records written after it starts polling)
   * or `TRIM_HORIZON` (the oldest record the stream keeps, up to 24 hours back: "In DynamoDB Streams, there is a 24 hour
   * limit on data retention", DynamoDB Streams API TrimmedDataAccessException). Lambda cannot change it on a mapping
   * (UpdateEventSourceMapping has no StartingPosition), so changing it on a deployed subscription re-creates the mapping:
   * at `TRIM_HORIZON` the new mapping reads again up to 24 hours of records the old one already delivered (a subscriber
   * that keeps counters, as the gallery's does, counts them twice); at `LATEST` it skips what was written between the
   * old mapping's delete and the new one's first poll. Set it when the subscription is created, or in the update that
   * changes the table's stream view type (docs/components/data-tier.md).
   * @default "LATEST"
   */
  startingPosition?: "LATEST" | "TRIM_HORIZON";
  /**
   * Days the dead-letter queue keeps records of failed batches, 1–14.
   * @default 14
   */
  deadLetterRetentionDays?: number;
}

/** What the local stream emulator needs: which function gets which table's records, and how. */
export interface StreamSubscriptionSpec {
  name: string;
  dataTier: string;
  table: string;
  function: LambdaFunctionSpec;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  startingPosition: "LATEST" | "TRIM_HORIZON";
  deadLetterRetentionDays: number;
  reportBatchItemFailures: true;
}

export interface StreamSubscription {
  spec: StreamSubscriptionSpec;
  mapping: aws.lambda.EventSourceMapping;
  deadLetterQueue: aws.sqs.Queue;
  policy: aws.iam.RolePolicy;
}

export function checkRange(fail: ArgFailure, argument: string, value: number | undefined, min: number, max: number, allowed: number[] = []): void {
  if (value === undefined || allowed.includes(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) fail(argument, value, `is outside ${min}–${max}`, `Use a whole number from ${min} to ${max}.`);
}

export function validateSubscription(fail: ArgFailure, name: string, table: string, tableSpec: TableSpec | undefined, tables: string[], args: StreamSubscriptionArgs): void {
  if (!/^[a-z][a-zA-Z0-9-]*$/.test(name)) fail("subscribe name", name, "is not a usable subscription name", 'Use e.g. "counters"; it names child resources.');
  if (!tableSpec) return fail(`subscribe("${name}").table`, table, "is not a table of this DataTier", `Use one of ${tables.join(", ")}.`);
  if (!tableSpec.stream) {
    fail(`tables.${table}.stream`, tableSpec.stream, `is off, but subscription "${name}" reads it`, 'Set stream: "NEW_AND_OLD_IMAGES" (or another view type) on the table.');
  }
  checkRange(fail, `subscribe("${name}").batchSize`, args.batchSize, 1, 10000);
  checkRange(fail, `subscribe("${name}").maximumBatchingWindowInSeconds`, args.maximumBatchingWindowInSeconds, 0, 300);
  checkRange(fail, `subscribe("${name}").maximumRetryAttempts`, args.maximumRetryAttempts, 0, 10000);
  checkRange(fail, `subscribe("${name}").maximumRecordAgeInSeconds`, args.maximumRecordAgeInSeconds, 60, 604800, [-1]);
  checkRetentionDays(fail, `subscribe("${name}").deadLetterRetentionDays`, args.deadLetterRetentionDays);
  if (args.startingPosition !== undefined && !["LATEST", "TRIM_HORIZON"].includes(args.startingPosition)) {
    fail(`subscribe("${name}").startingPosition`, args.startingPosition, "is not a stream starting position", 'Use "LATEST" or "TRIM_HORIZON".');
  }
}

export function normaliseSubscription(dataTier: string, name: string, table: string, fn: LambdaFunction, args: StreamSubscriptionArgs): StreamSubscriptionSpec {
  return { name, dataTier, table, function: fn.spec, ...streamMappingDefaults(args), reportBatchItemFailures: true };
}

/** The settings a stream subscription (DataTier's, DataStream's) gets when its arguments leave them out. */
export function streamMappingDefaults<P extends string>(args: {
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  bisectBatchOnFunctionError?: boolean;
  maximumRetryAttempts?: number;
  maximumRecordAgeInSeconds?: number;
  startingPosition?: P;
  deadLetterRetentionDays?: number;
}): Omit<StreamMappingSettings, "startingPosition" | "startingPositionTimestamp" | "parallelizationFactor"> & { startingPosition: P | "LATEST" } {
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

export function createSubscription(
  name: string,
  spec: StreamSubscriptionSpec,
  table: aws.dynamodb.Table,
  streamGrants: PolicyStatement[],
  fn: LambdaFunction,
  region: string | undefined,
  parent: pulumi.Resource,
): Omit<StreamSubscription, "spec"> {
  return createStreamMapping(`${name}-${spec.name}`, { eventSourceArn: table.streamArn, readGrants: streamGrants, fn, region, settings: spec }, parent);
}

/** What Lambda reads a stream with (DynamoDB or Kinesis): the settings createStreamMapping sends on the mapping. */
export interface StreamMappingSettings {
  startingPosition: "LATEST" | "TRIM_HORIZON" | "AT_TIMESTAMP";
  /** RFC 3339, with AT_TIMESTAMP only (Kinesis). */
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

/** The stream a mapping reads: its ARN (a DynamoDB stream, a Kinesis stream or its enhanced fan-out consumer) and the grants Lambda polls it with. */
export interface StreamMappingSource {
  eventSourceArn: pulumi.Input<string>;
  readGrants: PolicyStatement[];
  fn: LambdaFunction;
  region: string | undefined;
  settings: StreamMappingSettings;
}

/**
 * `<prefix>-dlq` (an encrypted SQS queue, components/queues.ts), `<prefix>-stream-policy` (the stream reads and the
 * queue send, on the function's role) and `<prefix>-mapping`: what DataTier.subscribe and DataStream.subscribe share.
 */
export function createStreamMapping(prefix: string, source: StreamMappingSource, parent: pulumi.Resource): Omit<StreamSubscription, "spec"> {
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
