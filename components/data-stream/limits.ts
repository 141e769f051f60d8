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
 */
export const DATA_STREAM_LIMITS = {
  retentionHours: { min: 24, max: 8760 },
  shardCount: { min: 1 },
  onDemandInitialShards: 4,
  consumersPerStream: 20,
  maxRecordSizeInKib: { min: 1024, max: 10240, default: 1024 },
} as const;
