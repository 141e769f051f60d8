/**
 * A LambdaFunction subscribed to a table's stream: an event source mapping with
 * partial batch responses, bisect-on-error, bounded retries and an encrypted SQS
 * queue as the on-failure destination; the function's role gets exactly the stream
 * read and the queue send it needs.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import type { PolicyStatement } from "../iam";
import type { LambdaFunction, LambdaFunctionSpec } from "../lambda/function";
import { createStreamMapping, streamMappingDefaults, validateStreamMappingArgs, type StreamMappingArgs, type StreamMappingResources } from "../stream-mapping";
import type { TableSpec } from "./spec";

/** A function that consumes a table's stream. */
export interface StreamSubscriptionArgs extends StreamMappingArgs {
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

export interface StreamSubscription extends StreamMappingResources {
  spec: StreamSubscriptionSpec;
}

export function validateSubscription(fail: ArgFailure, name: string, table: string, tableSpec: TableSpec | undefined, tables: string[], args: StreamSubscriptionArgs): void {
  if (!/^[a-z][a-zA-Z0-9-]*$/.test(name)) fail("subscribe name", name, "is not a usable subscription name", 'Use e.g. "counters"; it names child resources.');
  if (!tableSpec) return fail(`subscribe("${name}").table`, table, "is not a table of this DataTier", `Use one of ${tables.join(", ")}.`);
  if (!tableSpec.stream) {
    fail(`tables.${table}.stream`, tableSpec.stream, `is off, but subscription "${name}" reads it`, 'Set stream: "NEW_AND_OLD_IMAGES" (or another view type) on the table.');
  }
  // The ranges DataStream's subscriptions take too (STREAM_MAPPING_LIMITS: Lambda and terraform-provider-aws take the
  // same for DynamoDB and Kinesis streams, maximumRetryAttempts -1 included).
  validateStreamMappingArgs(fail, (argument) => `subscribe("${name}").${argument}`, args);
  if (args.startingPosition !== undefined && !["LATEST", "TRIM_HORIZON"].includes(args.startingPosition)) {
    fail(`subscribe("${name}").startingPosition`, args.startingPosition, "is not a stream starting position", 'Use "LATEST" or "TRIM_HORIZON".');
  }
}

export function normaliseSubscription(dataTier: string, name: string, table: string, fn: LambdaFunction, args: StreamSubscriptionArgs): StreamSubscriptionSpec {
  return { name, dataTier, table, function: fn.spec, ...streamMappingDefaults(args), reportBatchItemFailures: true };
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
