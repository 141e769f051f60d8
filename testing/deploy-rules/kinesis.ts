/**
 * Deploy rules for Kinesis data streams, their enhanced fan-out consumers and Lambda's event source mappings that read
 * them, hand-built or DataStream's: what CreateStream, StartStreamEncryption, RegisterStreamConsumer and
 * CreateEventSourceMapping refuse. The role's reads of a polled stream and the on-failure queue's SendMessage are
 * LambdaFailureDestination's (events.ts), a consumer's stream reads and SubscribeToShard KinesisConsumerAccess's; the
 * names' lengths and characters are PhysicalNameLimits' (names.ts).
 */
import { DATA_STREAM_LIMITS, oversizedRecordFate } from "../../components/data-stream/spec";
import { STREAM_MAPPING_LIMITS, startingPositionTimestampProblem } from "../../components/stream-mapping";
import { dependencyClosure, ofType, type Graph } from "../../local/offline/graph";
import type { RecordedResource } from "../../local/offline/mocks";
import { functionOf } from "./lambda-ref";
import { granting, roleGrants } from "./iam";
import { KINESIS_ONE_RESOURCE_POLICY } from "./one-policy";
import { arnRegion, finding, referenced, regionOf, type DeployFinding, type DeployRule } from "./rule";
import type { TransitionFinding } from "./transition";

const STREAM = "aws:kinesis/stream:Stream";
const CONSUMER = "aws:kinesis/streamConsumer:StreamConsumer";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const ROLE = "aws:iam/role:Role";

/** A Kinesis stream's ARN, `arn:<partition>:kinesis:<region>:<account>:stream/<name>`. */
export const KINESIS_STREAM_ARN = /^arn:[^:]+:kinesis:[^:]*:\d*:stream\/[^/]+$/;
/** An enhanced fan-out consumer's ARN: the stream's, `/consumer/<name>:<creation timestamp>`. */
export const KINESIS_CONSUMER_ARN = /^arn:[^:]+:kinesis:[^:]*:\d*:stream\/[^/]+\/consumer\/[^/]+$/;

const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
const within = (value: unknown, min: number, max: number) => isInteger(value) && value >= min && value <= max;

/**
 * A stream as CreateStream and the calls pulumi-aws makes after it take it (terraform-provider-aws
 * internal/service/kinesis/stream.go):
 * - capacity mode: PROVISIONED when `streamModeDetails` is unset; "shard_count must not be set when stream_mode is
 *   ON_DEMAND" and "shard_count must be at least 1 when stream_mode is PROVISIONED" (CustomizeDiff);
 * - retention_period IntBetween(24, 8760) ("The minimum value of a stream's retention period is 24 hours", "maximum
 *   … 8760 hours", API_IncreaseStreamRetentionPeriod);
 * - encryption: `encryptionType` KMS or NONE, and KMS needs a key ("KMS Key ID required when setting encryption_type is
 *   not set as NONE", refused after the stream was created); a key given by ARN is in the stream's region
 *   (StartStreamEncryption takes a key of the stream's region: the ARN's region must match);
 * - max_record_size_in_kib IntBetween(1024, 10240).
 */
export const KINESIS_STREAM_SETTINGS: DeployRule = {
  id: "KinesisStreamSettings",
  title: "Kinesis streams set a capacity mode with its shards, a retention of 24–8760 hours and a KMS key with KMS encryption",
  source: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html",
  check(graph, context) {
    const findings: DeployFinding[] = [];
    for (const stream of ofType(graph, STREAM)) {
      const report = (problem: string, fix: string) => findings.push(finding(this.id, stream, problem, fix));
      const i = stream.inputs;
      const mode = i.streamModeDetails?.streamMode ?? "PROVISIONED";
      if (mode !== "ON_DEMAND" && mode !== "PROVISIONED") report(`has stream mode ${JSON.stringify(mode)}; Kinesis takes ON_DEMAND or PROVISIONED`, "set streamModeDetails.streamMode to ON_DEMAND or PROVISIONED");
      else if (mode === "ON_DEMAND" && i.shardCount !== undefined && i.shardCount !== 0) report(`sets shardCount ${i.shardCount} on an ON_DEMAND stream, whose shards Kinesis manages ("shard_count must not be set when stream_mode is ON_DEMAND")`, "remove shardCount, or make the stream PROVISIONED");
      else if (mode === "PROVISIONED" && !(isInteger(i.shardCount) && i.shardCount >= DATA_STREAM_LIMITS.shardCount.min)) {
        report(`is PROVISIONED with shardCount ${i.shardCount ?? "(not set)"} ("shard_count must be at least 1 when stream_mode is PROVISIONED")`, "set shardCount to 1 or more, or streamModeDetails.streamMode to ON_DEMAND");
      }
      const { min, max } = DATA_STREAM_LIMITS.retentionHours;
      if (i.retentionPeriod !== undefined && !within(i.retentionPeriod, min, max)) report(`keeps records ${i.retentionPeriod} hours; Kinesis keeps them ${min}–${max}`, `set retentionPeriod between ${min} and ${max}`);
      const encryption = String(i.encryptionType ?? "NONE").toUpperCase();
      if (encryption !== "KMS" && encryption !== "NONE") report(`has encryptionType ${JSON.stringify(i.encryptionType)}; Kinesis takes KMS or NONE`, "set encryptionType to KMS");
      if (encryption === "KMS" && !i.kmsKeyId) report('encrypts with KMS but names no key ("KMS Key ID required when setting encryption_type is not set as NONE"): the stream is created, then the update fails', 'set kmsKeyId ("alias/aws/kinesis" for the AWS managed key, or a customer key\'s ARN)');
      const keyRegion = typeof i.kmsKeyId === "string" ? arnRegion(i.kmsKeyId) : undefined;
      const region = regionOf(graph, stream, context);
      if (keyRegion && i.kmsKeyId.startsWith("arn:") && keyRegion !== region) report(`encrypts with the key ${i.kmsKeyId} of ${keyRegion}, but the stream is in ${region}; Kinesis encrypts with a key of the stream's region`, `use a key in ${region}`);
      const record = DATA_STREAM_LIMITS.maxRecordSizeInKib;
      if (i.maxRecordSizeInKib !== undefined && !within(i.maxRecordSizeInKib, record.min, record.max)) report(`has maxRecordSizeInKib ${i.maxRecordSizeInKib}; Kinesis takes ${record.min}–${record.max}`, `set it between ${record.min} and ${record.max}, or leave it unset`);
    }
    return findings;
  },
};

/** The Kinesis stream or consumer an event source mapping reads, or undefined when it reads something else. */
function kinesisSource(graph: Graph, mapping: RecordedResource): { arn: string; consumer?: RecordedResource; name: string } | undefined {
  const arn = mapping.inputs.eventSourceArn;
  if (typeof arn !== "string") return undefined;
  const consumer = referenced(graph, CONSUMER, arn);
  const stream = referenced(graph, STREAM, arn);
  if (consumer || KINESIS_CONSUMER_ARN.test(arn)) return { arn, consumer, name: consumer?.name ?? arn };
  if (stream || KINESIS_STREAM_ARN.test(arn)) return { arn, name: stream?.name ?? arn };
  return undefined;
}

/**
 * The settings of an event source mapping that reads a Kinesis stream or consumer
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html, API_CreateEventSourceMapping;
 * terraform-provider-aws internal/service/lambda/event_source_mapping.go):
 * - StartingPosition is required for a stream ("Required for Amazon Kinesis, Amazon DynamoDB, and Amazon MSK Streams
 *   sources"): TRIM_HORIZON, LATEST or AT_TIMESTAMP; AT_TIMESTAMP needs StartingPositionTimestamp, which goes with it only,
 *   spelt `YYYY-MM-DDTHH:MM:SSZ`: the provider reads it back as `Format(time.RFC3339)` of the UTC time (ForceNew, no
 *   diff suppression), so another spelling replaces the mapping at every deploy (components/stream-mapping.ts);
 * - BatchSize 1–10000, MaximumBatchingWindowInSeconds 0–300, ParallelizationFactor 1–10 (IntBetween(1, 10)),
 *   MaximumRetryAttempts -1–10000 (IntBetween(-1, 10_000)), MaximumRecordAgeInSeconds -1 or 60–604800;
 * - ScalingConfig (MaximumConcurrency) is for SQS sources only ("Amazon SQS only", API_ScalingConfig);
 * - FunctionResponseTypes takes ReportBatchItemFailures only.
 */
export const KINESIS_MAPPING_SETTINGS: DeployRule = {
  id: "KinesisMappingSettings",
  title: "Event source mappings of Kinesis streams set a starting position and only what Lambda takes for a stream, within its ranges",
  source: "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const limits = STREAM_MAPPING_LIMITS;
    for (const mapping of ofType(graph, EVENT_SOURCE_MAPPING)) {
      const source = kinesisSource(graph, mapping);
      if (!source) continue;
      const report = (problem: string, fix: string) => findings.push(finding(this.id, mapping, problem, fix));
      const i = mapping.inputs;
      if (i.startingPosition === undefined) report(`reads ${source.name} with no startingPosition, which Lambda requires for a Kinesis source`, "set startingPosition to LATEST, TRIM_HORIZON or AT_TIMESTAMP");
      else if (!["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"].includes(i.startingPosition)) report(`has startingPosition ${JSON.stringify(i.startingPosition)}; Lambda takes LATEST, TRIM_HORIZON or AT_TIMESTAMP for Kinesis`, "set one of those");
      else if (i.startingPosition === "AT_TIMESTAMP" && !i.startingPositionTimestamp) report("starts AT_TIMESTAMP with no startingPositionTimestamp", "set startingPositionTimestamp (RFC 3339), or another startingPosition");
      else if (i.startingPosition === "AT_TIMESTAMP" && typeof i.startingPositionTimestamp === "string") {
        const timestamp = startingPositionTimestampProblem(i.startingPositionTimestamp);
        if (timestamp) report(`has startingPositionTimestamp ${JSON.stringify(i.startingPositionTimestamp)}, which ${timestamp.problem}`, timestamp.canonical ? `set it to ${JSON.stringify(timestamp.canonical)}` : 'set it to a real UTC time of the form YYYY-MM-DDTHH:MM:SSZ, e.g. "2026-12-01T00:00:00Z"');
      } else if (i.startingPosition !== "AT_TIMESTAMP" && i.startingPositionTimestamp !== undefined) report(`sets startingPositionTimestamp with startingPosition ${i.startingPosition}; Lambda takes it with AT_TIMESTAMP only`, "remove startingPositionTimestamp, or start AT_TIMESTAMP");
      const ranges: Array<[key: string, min: number, max: number, also?: number]> = [
        ["batchSize", limits.batchSize.min, limits.batchSize.max],
        ["maximumBatchingWindowInSeconds", limits.maximumBatchingWindowInSeconds.min, limits.maximumBatchingWindowInSeconds.max],
        ["parallelizationFactor", limits.parallelizationFactor.min, limits.parallelizationFactor.max],
        ["maximumRetryAttempts", limits.maximumRetryAttempts.min, limits.maximumRetryAttempts.max],
        ["maximumRecordAgeInSeconds", limits.maximumRecordAgeInSeconds.min, limits.maximumRecordAgeInSeconds.max, limits.maximumRecordAgeInSeconds.also],
      ];
      for (const [key, min, max, also] of ranges) {
        const value = i[key];
        if (value === undefined || value === also || within(value, min, max)) continue;
        report(`has ${key} ${value}; Lambda takes ${also !== undefined ? `${also} or ` : ""}${min}–${max} for a Kinesis source`, `set ${key} ${also !== undefined ? `to ${also} or ` : ""}between ${min} and ${max}`);
      }
      if (i.scalingConfig !== undefined) report(`reads ${source.name} with a scalingConfig, which Lambda takes for SQS sources only`, "remove scalingConfig (parallelizationFactor scales a stream's processing)");
      const unknownTypes = (Array.isArray(i.functionResponseTypes) ? i.functionResponseTypes : []).filter((t: unknown) => t !== "ReportBatchItemFailures");
      if (unknownTypes.length > 0) report(`has functionResponseTypes ${JSON.stringify(unknownTypes)}; Lambda takes ReportBatchItemFailures only`, 'set functionResponseTypes: ["ReportBatchItemFailures"]');
    }
    return findings;
  },
};

/**
 * What the role of a mapping that reads an enhanced fan-out consumer must allow, by a policy created first:
 * - Lambda's list for a Kinesis mapping, "a standard iterator or enhanced fan-out consumer" alike: "Before you create an
 *   event source mapping, you need to give your Lambda function permission to read from a Kinesis data stream. Lambda
 *   needs the following permissions …: kinesis:DescribeStream, kinesis:DescribeStreamSummary, kinesis:GetRecords,
 *   kinesis:GetShardIterator, kinesis:ListShards, kinesis:SubscribeToShard"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html; AWSLambdaKinesisExecutionRole v2 holds
 *   these, ListStreams, and no kinesis:DescribeStreamConsumer);
 * - on which ARN (Service Authorization Reference, list_amazonkinesisdatastreams.html): SubscribeToShard takes the
 *   consumer resource type only; DescribeStream, GetRecords and GetShardIterator the stream.
 * Held, as for a polled stream (LambdaFailureDestination, events.ts STREAM_SOURCES), to the stream reads that Lambda's
 * refusal "Cannot access stream … Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream,
 * ListShards, and ListStreams Actions on your stream" and the docs both name, on the consumer's stream (the consumer
 * ARN's stream part), and to SubscribeToShard on the consumer. Not confirmed: which of these CreateEventSourceMapping
 * itself checks for a consumer source (AWS documents no refusal wording for one); all are documented as needed before
 * the mapping is created. kinesis:DescribeStreamConsumer is not required: no Lambda page and not the managed policy
 * name it (CDK's StreamConsumer.grantRead and KCL grant it, for their own calls).
 */
const CONSUMER_STREAM_READS = ["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator"];

/** The stream an enhanced fan-out consumer's ARN names: the ARN up to `/consumer/`. */
export function consumerStreamArn(consumerArn: string): string {
  return consumerArn.replace(/\/consumer\/[^/]+$/, "");
}

/**
 * A mapping that reads an enhanced fan-out consumer reads its stream's shards and subscribes to them as the function's
 * role (CONSUMER_STREAM_READS above): the role allows the stream reads on the consumer's stream and
 * kinesis:SubscribeToShard on the consumer, by policies the mapping depends on. A role with a managed policy this pack
 * cannot read is not checked (iam.ts's roleGrants reads the program's policies and the AWS managed ones it lists,
 * AWSLambdaBasicExecutionRole and AWSLambdaKinesisExecutionRole among them).
 */
export const KINESIS_CONSUMER_ACCESS: DeployRule = {
  id: "KinesisConsumerAccess",
  title: "Mappings of a Kinesis enhanced fan-out consumer come after grants of the stream reads on its stream and kinesis:SubscribeToShard on it",
  // docs/deploy-rules.md cites this page; services-kinesis-create.html now holds the permission list quoted above.
  source: "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    for (const mapping of ofType(graph, EVENT_SOURCE_MAPPING)) {
      const source = kinesisSource(graph, mapping);
      if (!source || !KINESIS_CONSUMER_ARN.test(source.arn)) continue;
      const fn = functionOf(graph, mapping.inputs.functionName);
      const role = fn && referenced(graph, ROLE, fn.inputs.role);
      if (!role) continue;
      const { grants, complete } = roleGrants(graph, role);
      if (!complete) continue;
      const streamArn = consumerStreamArn(source.arn);
      const needs = [
        { actions: CONSUMER_STREAM_READS, arn: streamArn, on: `the stream ${streamArn}`, it: "the stream" },
        { actions: ["kinesis:SubscribeToShard"], arn: source.arn, on: `the consumer ${source.name}`, it: "it" },
      ];
      const closure = dependencyClosure(graph, mapping);
      for (const need of needs) {
        const allowing = need.actions.map((action) => ({ action, grants: granting(grants, action, need.arn) }));
        const missing = allowing.filter((a) => a.grants.length === 0).map((a) => a.action);
        const late = allowing.find((a) => a.grants.length > 0 && !a.grants.some((g) => closure.has(g.carrier.urn)));
        if (missing.length > 0) {
          const reads = need.arn === source.arn ? `reads the consumer ${source.name}` : `reads the consumer ${source.name} of ${need.on}`;
          findings.push(finding(this.id, mapping, `${reads}, but its function's role ${role.name} may not ${missing.join(", ")} on ${need.it}; Lambda needs ${missing.length > 1 ? "them" : "it"} before the mapping is created`, `allow ${missing.join(", ")} on ${need.arn} in a policy of ${role.name}, and make the mapping depend on it`));
        } else if (late) {
          const carrier = late.grants[0].carrier;
          findings.push(finding(this.id, mapping, `does not depend on ${carrier.name}, which grants ${role.name} ${late.action} on ${need.on}; the engine may create the mapping first, and Lambda refuses it`, `add dependsOn: [${carrier.name}] to the mapping`));
        }
      }
    }
    return findings;
  },
};

/** "You can register up to 20 consumers per data stream" (API_RegisterStreamConsumer): the 21st registration is refused (LimitExceededException). */
export const KINESIS_CONSUMERS_PER_STREAM: DeployRule = {
  id: "KinesisConsumersPerStream",
  title: "A Kinesis stream has at most 20 enhanced fan-out consumers",
  source: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html",
  check(graph) {
    const byStream = new Map<string, RecordedResource[]>();
    for (const consumer of ofType(graph, CONSUMER)) {
      const key = String(consumer.inputs.streamArn);
      byStream.set(key, [...(byStream.get(key) ?? []), consumer]);
    }
    const max = DATA_STREAM_LIMITS.consumersPerStream;
    return [...byStream.entries()]
      .filter(([, consumers]) => consumers.length > max)
      .map(([arn, consumers]) => finding(this.id, consumers[max], `is consumer ${consumers.length} of the stream ${referenced(graph, STREAM, arn)?.name ?? arn}; Kinesis registers at most ${max} per stream (LimitExceededException)`, `keep at most ${max} consumers on the stream: poll it from the other mappings`));
  },
};

/**
 * The stream of the plan a Kinesis mapping reads: directly, through a consumer of the plan (its streamArn), or through a
 * consumer given by its ARN (the stream's ARN is the consumer's up to `/consumer/`); undefined for a stream outside the plan.
 */
function mappedStream(graph: Graph, mapping: RecordedResource): RecordedResource | undefined {
  const source = kinesisSource(graph, mapping);
  if (!source) return undefined;
  if (source.consumer) return referenced(graph, STREAM, source.consumer.inputs.streamArn);
  return referenced(graph, STREAM, KINESIS_CONSUMER_ARN.test(source.arn) ? consumerStreamArn(source.arn) : source.arn);
}

/**
 * A Lambda mapping that reads a stream of the plan whose maxRecordSizeInKib is above what one Lambda event can carry
 * (DATA_STREAM_LIMITS.lambdaDeliverableRecordKib, 4607 KiB: the 6 MB synchronous payload, "Lambda passes all of the
 * records in the batch to the function in a single call, up to the payload limit for synchronous invocation (6 MB)",
 * API_CreateEventSourceMapping BatchSize, with the record's data base64-encoded in the event). A record written above
 * it may fit no event (with the rest of the event). A warning: Kinesis and Lambda accept the settings, the stream's
 * producers may never write such a
 * record, and what Lambda does with one is not documented (oversizedRecordFate: retried until too old or expired,
 * holding up the shard, if Lambda treats it as a mapping that cannot invoke its function; not confirmed). Streams
 * outside the plan are not judged (their maximum is not known).
 */
export const KINESIS_LAMBDA_RECORD_SIZE: DeployRule = {
  id: "KinesisLambdaRecordSize",
  title: "A Lambda mapping reads a Kinesis stream whose largest record (maxRecordSizeInKib) fits one Lambda event, at most 4607 KiB",
  source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html",
  check(graph) {
    const findings: DeployFinding[] = [];
    const deliverable = DATA_STREAM_LIMITS.lambdaDeliverableRecordKib;
    for (const mapping of ofType(graph, EVENT_SOURCE_MAPPING)) {
      const stream = mappedStream(graph, mapping);
      const size = stream?.inputs.maxRecordSizeInKib;
      if (!stream || !isInteger(size) || size <= deliverable) continue;
      findings.push(
        finding(
          this.id,
          mapping,
          `reads the stream ${stream.name}, whose maxRecordSizeInKib is ${size}; a Lambda event is at most 6 MB (the synchronous invocation payload) and carries each record's data base64-encoded (4 bytes for every 3), so a record above ${deliverable} KiB can be over that once encoded with the rest of its event (about 1 KiB) and may not reach the function (${oversizedRecordFate(mapping.inputs.maximumRecordAgeInSeconds)})`,
          `set the stream's maxRecordSizeInKib to ${deliverable} or less, or keep large payloads in S3 and put their keys on the stream; if no producer writes records above ${deliverable} KiB, lower the maximum to say so`,
        ),
      );
    }
    return findings;
  },
};

/** Kinesis's warning rules: part of DEPLOY_WARNING_RULES. */
export const KINESIS_WARNING_RULES: DeployRule[] = [KINESIS_LAMBDA_RECORD_SIZE];

export const KINESIS_RULES: DeployRule[] = [KINESIS_STREAM_SETTINGS, KINESIS_MAPPING_SETTINGS, KINESIS_CONSUMER_ACCESS, KINESIS_CONSUMERS_PER_STREAM, KINESIS_ONE_RESOURCE_POLICY];

/**
 * A stream whose shards, as one update sets them, are more than UpdateShardCount takes in one call: "By default, you
 * cannot … Scale up to more than double your current shard count for a stream", "Scale down below half your current
 * shard count for a stream" (API_UpdateShardCount; pulumi-aws sends the new count in one UpdateShardCount,
 * terraform-provider-aws kinesis/stream.go). Judged for a PROVISIONED stream of both plans, and for an ON_DEMAND stream
 * made PROVISIONED: the provider runs UpdateStreamMode, then (shard_count changed from none to N) UpdateShardCount(N)
 * against the stream's open shards, 4 for an on-demand stream as created (DATA_STREAM_LIMITS.onDemandInitialShards;
 * more if Kinesis scaled it). The update fails at the stream (LimitExceededException) and the rest of it stops, the
 * stream left PROVISIONED with its old shards (and "two switches … per 24 hours" spent, API_UpdateStreamMode). A plan
 * saved without the streams' inputs is not judged. Checked by checkPlanTransition.
 */
export function kinesisShardScalingFindings(before: Graph, after: Graph, stack: string | undefined): TransitionFinding[] {
  const beforeByUrn = new Map(before.map((r) => [r.urn, r]));
  const findings: TransitionFinding[] = [];
  const modeOf = (r: RecordedResource) => r.inputs.streamModeDetails?.streamMode ?? "PROVISIONED";
  const provisioned = (r: RecordedResource) => modeOf(r) === "PROVISIONED" && isInteger(r.inputs.shardCount);
  for (const stream of ofType(after, STREAM)) {
    const old = beforeByUrn.get(stream.urn);
    if (!old || !provisioned(stream) || old.inputs.name !== stream.inputs.name) continue;
    const fromOnDemand = modeOf(old) === "ON_DEMAND";
    if (!fromOnDemand && !provisioned(old)) continue;
    const [from, to] = [fromOnDemand ? DATA_STREAM_LIMITS.onDemandInitialShards : (old.inputs.shardCount as number), stream.inputs.shardCount as number];
    if (to <= 2 * from && 2 * to >= from) continue;
    const step = to > from ? `at most ${2 * from} (double)` : `at least ${Math.ceil(from / 2)} (half)`;
    const change = fromOnDemand ? `switches from ON_DEMAND (created with ${from} shards, more if Kinesis scaled it) to PROVISIONED with shardCount ${to}` : `changes shardCount ${from} → ${to}`;
    const fix = fromOnDemand
      ? `switch to PROVISIONED with a shardCount from ${Math.ceil(from / 2)} to ${2 * from} (the stream's open shards, 4 as created, within half and double), then change shardCount in steps of at most double or half, one update each; a scaled on-demand stream has more shards: check ListShards first`
      : `change shardCount in steps of at most double or half (${from} → ${step.split(" ")[2]} first), one update each; Kinesis scales a stream at most 10 times a rolling 24 hours`;
    findings.push({
      ...finding("TransitionKinesisShardScaling", stream, `${change}; one UpdateShardCount goes to ${step} of the ${fromOnDemand ? "stream's open shards" : "deployed count"}, so Kinesis refuses it (LimitExceededException) and the update stops at the stream`, fix, stack),
      urn: stream.urn,
    });
  }
  return findings;
}
