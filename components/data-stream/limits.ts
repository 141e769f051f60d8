/**
 * DataStream's limits, in a module that imports nothing: the component (spec.ts, index.ts), the deploy rules
 * (testing/deploy-rules/kinesis.ts) and the local Kinesis endpoint (local/kinesis-consumers.ts, which must not load
 * @pulumi/aws through the component's modules) read the one copy.
 *
 * The ranges AWS takes for the stream, each checked at construction and by the deploy rules
 * (testing/deploy-rules/kinesis.ts); a subscription's mapping takes STREAM_MAPPING_LIMITS (components/stream-mapping.ts):
 * - retention: "The minimum value of a stream's retention period is 24 hours", "The maximum value … is 8760 hours"
 *   (API_IncreaseStreamRetentionPeriod; terraform-provider-aws internal/service/kinesis/stream.go retention_period
 *   IntBetween(24, 8760));
 * - shards: a PROVISIONED stream has at least one shard, an ON_DEMAND one takes none ("shard_count must not be set when
 *   stream_mode is ON_DEMAND", "shard_count must be at least 1 when stream_mode is PROVISIONED", stream.go CustomizeDiff);
 *   an ON_DEMAND stream is created with 4 shards ("4 MB/s of write capacity" at creation, how-do-i-size-a-stream), which
 *   a switch to PROVISIONED scales from (testing/deploy-rules/kinesis.ts kinesisShardScalingFindings);
 * - enhanced fan-out: "You can register up to 20 consumers per data stream" (API_RegisterStreamConsumer);
 * - the largest record, data and partition key together: MaxRecordSizeInKiB "Valid Range: Minimum value of 1024. Maximum
 *   value of 10240" (API_CreateStream, API_UpdateMaxRecordSize; terraform-provider-aws stream.go max_record_size_in_kib
 *   IntBetween(1024, 10240)), "The default maximum record size for existing, and newly created streams is set to 1 MiB"
 *   (https://docs.aws.amazon.com/streams/latest/dev/large-records.html); "The record size limit applies to the total
 *   size of the partition key and data blob" (API_PutRecords).
 * - the largest record a Lambda subscriber can be given, 4607 KiB: "Lambda passes all of the records in the batch to
 *   the function in a single call, up to the payload limit for synchronous invocation (6 MB)"
 *   (API_CreateEventSourceMapping BatchSize; API_Invoke "For synchronous invocations, the maximum payload size is
 *   6 MB"; Invoke refuses a larger request with RequestEntityTooLargeException "Request must be smaller than 6291456
 *   bytes for the InvokeFunction operation" (JupiterOne/sdk#565, pelmers/streetwarp-web#14), so 6,291,455 bytes at
 *   most, local/lambda-runtime.ts LAMBDA_SYNC_PAYLOAD_LIMITS), and a Kinesis event carries each record's data
 *   base64-encoded (`Records[].kinesis.data`, https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html), 4 bytes
 *   for every 3. A record of one event alone: (6,291,455 bytes − 1 KiB for the rest of the event) × 3/4 = 4,717,823
 *   bytes, 4607 KiB. The 1 KiB is an estimate, measured on with-kinesis.html's example event: `{"Records":[…]}` and
 *   every field but `data` (kinesisSchemaVersion, partitionKey, sequenceNumber, approximateArrivalTimestamp,
 *   eventSource, eventVersion, eventID = shard ID + sequence number, eventName, invokeIdentityArn = the role's ARN,
 *   awsRegion, eventSourceARN) take 546 bytes with the example's names, a 1-character partition key and a 56-digit
 *   sequence number; 724 with a 128-character stream name and a 64-character role name; 870 with 129-digit sequence
 *   numbers too (the most API_Record's SequenceNumber allows). The partition key counts in the record's size but is
 *   not base64-encoded, so the worst record is all data (a longer key only shrinks the event): the bound takes the whole
 *   maxRecordSizeInKib as data. A record of exactly 4607 KiB leaves 1,363 bytes for the rest of the event; not covered:
 *   a role ARN with a 512-character path (1,234–1,380 bytes) or partition-key characters JSON escapes (\u0001: 6 bytes
 *   for 1), with which such a record may still fit no event. Not confirmed: that the event source mapping's own
 *   invocation is measured as Invoke's request is. What Lambda does with a larger record is not documented. Lambda's guide says a Kinesis mapping that "is unable to
 *   invoke the function due to throttling or other issues ... retries until the records expire or exceed the maximum
 *   age configured on the event source mapping (MaximumRecordAgeInSeconds)" (before invocation: no retry count and no
 *   bisection, which act on function errors), holding the shard meanwhile, then sends them to the on-failure destination
 *   (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html); whether an oversized batch is
 *   such a failure is not confirmed. A stream whose maximum is above it is a warning, not a refusal
 *   (DataStream.subscribe, and the deploy rule KinesisLambdaRecordSize).
 */
export const DATA_STREAM_LIMITS = {
  retentionHours: { min: 24, max: 8760 },
  shardCount: { min: 1 },
  onDemandInitialShards: 4,
  consumersPerStream: 20,
  maxRecordSizeInKib: { min: 1024, max: 10240, default: 1024 },
  lambdaDeliverableRecordKib: 4607,
} as const;
