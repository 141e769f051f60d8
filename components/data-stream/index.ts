/**
 * A Kinesis data stream for continuous event processing: ON_DEMAND (or PROVISIONED) capacity, KMS encryption at rest
 * (the AWS managed key, or a customer key), bounded retention; producers get `grants.put()` and `environment()`;
 * LambdaFunctions subscribe through event source mappings with partial batch responses, bisect on error, bounded
 * retries and an encrypted SQS dead-letter queue as the on-failure destination (the mapping DataTier's stream
 * subscriptions use: components/data-tier/stream.ts), optionally through an enhanced fan-out consumer. `npm start`
 * emulates the same spec on kinesalite (local/services/data-streams.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { createStreamMapping } from "../stream-mapping";
import { argFailer } from "../errors";
import { grantStatement, statementSid, type PolicyStatement } from "../iam";
import { checkedKmsKey, checkKmsKeyArn } from "../kms";
import { environmentVariable, type LambdaFunction } from "../lambda/function";
import { describeRegion, regionWhereCreated } from "../region";
import { registerSpec } from "../spec-registry";
import { SubscriptionNames } from "../subscriptions";
import {
  DATA_STREAM_LIMITS, largeRecordSubscriberWarning, normalise, normaliseSubscription, validateArgs, validateSubscription,
  type DataStreamArgs, type DataStreamSpec, type DataStreamSubscriptionArgs, type DataStreamSubscriptionSpec,
} from "./spec";

export type { DataStreamArgs, DataStreamMode, DataStreamSpec, DataStreamStartingPosition, DataStreamSubscriptionArgs, DataStreamSubscriptionSpec } from "./spec";
export { DATA_STREAM_LIMITS } from "./spec";

/** The AWS managed key Kinesis encrypts with when no customer key is given (StartStreamEncryption KeyId: "the alias aws/kinesis"). */
export const KINESIS_MANAGED_KEY = "alias/aws/kinesis";

/**
 * What Lambda reads a stream with, as the function's role, on the stream's ARN: the stream actions Lambda lists for a
 * Kinesis mapping, "a standard iterator or enhanced fan-out consumer" alike ("Lambda needs the following permissions
 * …: kinesis:DescribeStream, kinesis:DescribeStreamSummary, kinesis:GetRecords, kinesis:GetShardIterator,
 * kinesis:ListShards, kinesis:SubscribeToShard", https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html)
 * but SubscribeToShard, whose resource type is the consumer (Service Authorization Reference,
 * list_amazonkinesisdatastreams.html): granted on an enhanced fan-out subscriber's consumer only, and to no polling
 * subscriber. Not kinesis:ListStreams: an account-level action, authorised on `*` only (the Kinesis developer guide's
 * policy examples grant it on "*"), so on a stream's ARN it grants nothing, and IAM5/KinesisLeastPrivilege refuse `*`.
 * Not confirmed: that the reference's current table gives ListShards the stream resource type (copies of it from
 * 2019–2021 list none for ListShards).
 */
export const STREAM_READ_ACTIONS: readonly string[] = [
  "kinesis:DescribeStream",
  "kinesis:DescribeStreamSummary",
  "kinesis:GetRecords",
  "kinesis:GetShardIterator",
  "kinesis:ListShards",
];

/** What a producer needs: PutRecord and PutRecords on the stream. */
export const STREAM_PUT_ACTIONS: readonly string[] = ["kinesis:PutRecord", "kinesis:PutRecords"];

/** Grants on this stream, for a LambdaFunction's `permissions`. */
export interface DataStreamGrants {
  /** kinesis:PutRecord and kinesis:PutRecords on the stream (and kms:GenerateDataKey on a customer key). */
  put(): PolicyStatement[];
}

/** One function's subscription: its mapping, dead-letter queue, role policy and (enhanced fan-out) consumer. */
export interface DataStreamSubscription {
  spec: DataStreamSubscriptionSpec;
  mapping: aws.lambda.EventSourceMapping;
  deadLetterQueue: aws.sqs.Queue;
  policy: aws.iam.RolePolicy;
  consumer?: aws.kinesis.StreamConsumer;
}

/**
 * A Kinesis data stream, encrypted with KMS, read by LambdaFunctions (`subscribe`) and written by producers
 * (`grants.put()`, `environment()`).
 *
 * @example
 * const clicks = new DataStream("clicks", { retentionHours: 48 });
 * const aggregator = new LambdaFunction("click-aggregator", { entry: "handlers/clicks/index.ts" });
 * clicks.subscribe("aggregate", aggregator, { batchSize: 500, maximumBatchingWindowInSeconds: 5 });
 * const api = new LambdaFunction("api", { entry: "handlers/api/index.ts", permissions: clicks.grants.put(), environment: clicks.environment("CLICKS_STREAM") });
 */
export class DataStream extends pulumi.ComponentResource {
  /** What the local runtime emulates (registered as kind "DataStream"). */
  readonly spec: DataStreamSpec;
  /** The `aws.kinesis.Stream`, for what the component does not cover (e.g. shard-level metrics). */
  readonly stream: aws.kinesis.Stream;
  /** The stream's ARN, what IAM statements and event source mappings name. */
  readonly streamArn: pulumi.Output<string>;
  /** The stream's physical name, what PutRecord's StreamName takes. */
  readonly streamName: pulumi.Output<string>;
  /** Grants on the stream for producers' `permissions`. */
  readonly grants: DataStreamGrants;
  /** What each `subscribe` made, in order. */
  readonly subscriptions: DataStreamSubscription[] = [];
  private readonly names: SubscriptionNames;
  private readonly kmsKey?: pulumi.Input<string>;
  private readonly streamRegion: ReturnType<typeof regionWhereCreated>;

  constructor(name: string, args: DataStreamArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:DataStream", name, {}, opts);
    const fail = argFailer("DataStream", name);
    this.streamRegion = regionWhereCreated(args.region || undefined, this, "aws:kinesis/stream:Stream");
    validateArgs(fail, name, args ?? {}, this.streamRegion.region);
    const refusal = { argument: "kmsKeyArn", problem: "is not a KMS key's ARN", fix: "Pass the key's ARN (arn:aws:kms:<region>:<account>:key/<id>), e.g. key.arn." };
    this.kmsKey = checkedKmsKey(args.kmsKeyArn, (key) => checkKmsKeyArn(fail, key, refusal));
    const region = args.region || undefined;
    const mode = args.mode ?? "ON_DEMAND";

    // Encrypted at rest with KMS, the AWS managed key unless a customer key is given (terraform-provider-aws starts
    // encryption after create: StartStreamEncryption with EncryptionType KMS and the KeyId; "KMS Key ID required when
    // setting encryption_type is not set as NONE"). enforceConsumerDeletion: DeleteStream deregisters the stream's
    // consumers (also ones made outside the program), so `pulumi destroy` is never refused with ResourceInUseException.
    const stream = new aws.kinesis.Stream(
      `${name}-stream`,
      {
        name: args.streamName,
        streamModeDetails: { streamMode: mode },
        shardCount: mode === "PROVISIONED" ? args.shardCount : undefined,
        retentionPeriod: args.retentionHours ?? 24,
        // Always sent, the default too: the provider's max_record_size_in_kib is Optional and Computed, so leaving it
        // unset after a raise would keep the raised size (no diff) instead of going back to 1 MiB. CreateStream takes
        // MaxRecordSizeInKiB; a change is UpdateMaxRecordSize (terraform-provider-aws stream.go), in place.
        maxRecordSizeInKib: args.maxRecordSizeInKib ?? DATA_STREAM_LIMITS.maxRecordSizeInKib.default,
        encryptionType: "KMS",
        kmsKeyId: this.kmsKey ?? KINESIS_MANAGED_KEY,
        enforceConsumerDeletion: true,
        region,
      },
      { parent: this, retainOnDelete: args.retainOnDelete ?? false },
    );

    this.spec = normalise(name, args, stream.name);
    this.stream = stream;
    this.streamArn = stream.arn;
    this.streamName = stream.name;
    const sid = statementSid(name);
    this.grants = {
      put: () =>
        [
          { sid: `${sid}Put`, actions: [...STREAM_PUT_ACTIONS], resources: [stream.arn] },
          // A customer key: PutRecord encrypts with a data key of it ("kms:GenerateDataKey", Kinesis server-side
          // encryption, "Permissions to use user-generated KMS keys": https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html).
          ...(this.kmsKey ? [{ sid: `${sid}PutKey`, actions: ["kms:GenerateDataKey"], resources: [this.kmsKey] }] : []),
        ].map(grantStatement),
    };
    this.names = new SubscriptionNames(fail, "this stream", "the subscription's mapping, dead-letter queue and policy", { type: "DataStream", name });
    registerSpec("DataStream", name, this.spec);
    this.registerOutputs({ streamArn: this.streamArn, streamName: this.streamName });
  }

  /**
   * The stream's name under `key`, for a producer's `environment` (PutRecord takes the StreamName).
   * @param key The variable's name. @default "STREAM_NAME"
   */
  environment(key = "STREAM_NAME"): Record<string, pulumi.Output<string>> {
    return environmentVariable(argFailer("DataStream", this.spec.name), key, this.streamName, "STREAM_NAME");
  }

  /**
   * Subscribes `fn` to the stream: an event source mapping with partial batch responses (the handler returns
   * `{ batchItemFailures: [{ itemIdentifier: <sequence number> }] }`; Lambda resumes from the first failed record),
   * bisect on error, bounded retries and an encrypted SQS dead-letter queue for the failed batches' descriptions; the
   * function's role gets exactly the stream reads (kms:Decrypt on a customer key; kinesis:SubscribeToShard on an
   * enhanced fan-out consumer) and the queue send. A function subscribes once (Lambda keeps one mapping per source and
   * function).
   */
  subscribe(subscription: string, fn: LambdaFunction, args: DataStreamSubscriptionArgs = {}): DataStreamSubscription {
    const name = this.spec.name;
    const fail = argFailer("DataStream", name);
    this.names.claim(subscription);
    validateSubscription(fail, subscription, fn, args);
    // Lambda keeps one event source mapping per event source and function (ResourceConflictException "provided mapping
    // already exists", localstack/localstack#9996 for Kinesis): two polling subscriptions of one function are refused
    // (an enhanced fan-out one has its own consumer ARN as the source).
    const twin = this.subscriptions.find((s) => s.spec.function.name === fn.spec.name && !s.spec.enhancedFanOut && !args.enhancedFanOut);
    if (twin) {
      fail(`subscribe("${subscription}").fn`, fn.spec.name, `is already subscribed by "${twin.spec.name}", and Lambda refuses a second event source mapping of one stream and one function (ResourceConflictException)`, `Handle both in "${twin.spec.name}", or subscribe another LambdaFunction.`);
    }
    if (args.enhancedFanOut && this.subscriptions.filter((s) => s.spec.enhancedFanOut).length >= DATA_STREAM_LIMITS.consumersPerStream) {
      fail(`subscribe("${subscription}").enhancedFanOut`, true, `would register a ${DATA_STREAM_LIMITS.consumersPerStream + 1}st consumer; Kinesis registers at most ${DATA_STREAM_LIMITS.consumersPerStream} per stream`, "Poll the stream (enhancedFanOut: false) for some subscriptions.");
    }
    // "The Lambda function and the stream must be in the same Region" as for queues; an explicit provider's region is unknown here.
    const fnRegion = regionWhereCreated(fn.spec.region, fn, "aws:lambda/function:Function");
    if (this.streamRegion.region && fnRegion.region && this.streamRegion.region !== fnRegion.region) {
      fail(`subscribe("${subscription}").fn`, fn.spec.name, `is in ${describeRegion(fnRegion)}, but the stream is in ${describeRegion(this.streamRegion)}; Lambda reads only streams in the function's region`, `Set region: "${fnRegion.region}" on the DataStream, or create the function in ${this.streamRegion.region}.`);
    }
    const prefix = `${name}-${subscription}`;
    if (args.enhancedFanOut) validateAutonames(fail, name, [{ resource: `${prefix}-consumer`, kind: "kinesis-consumer" }]);
    const region = this.spec.region;
    const sid = statementSid(name);
    // An enhanced fan-out consumer: the mapping reads it (its ARN is the event source), which Lambda does with
    // SubscribeToShard on the consumer and the stream reads on the stream (services-kinesis-create.html, above).
    // Not kinesis:DescribeStreamConsumer: neither Lambda's list nor AWSLambdaKinesisExecutionRole (v2: the list and
    // ListStreams, on "*") has it; CDK's StreamConsumer.grantRead and KCL grant it for their own DescribeStreamConsumer calls.
    const consumer = args.enhancedFanOut ? new aws.kinesis.StreamConsumer(`${prefix}-consumer`, { streamArn: this.stream.arn, region }, { parent: this }) : undefined;
    const readGrants: PolicyStatement[] = [
      { sid: `${sid}Read`, actions: [...STREAM_READ_ACTIONS], resources: [this.stream.arn] },
      ...(consumer ? [{ sid: `${sid}SubscribeToShard`, actions: ["kinesis:SubscribeToShard"], resources: [consumer.arn] }] : []),
      // A customer key: GetRecords decrypts with it ("kms:Decrypt", permissions-user-key-KMS.html).
      ...(this.kmsKey ? [{ sid: `${sid}ReadKey`, actions: ["kms:Decrypt"], resources: [this.kmsKey] }] : []),
    ].map(grantStatement);
    const normalised = normaliseSubscription(name, subscription, fn, args);
    const largeRecords = largeRecordSubscriberWarning(name, subscription, this.spec.maxRecordSizeInKib, normalised.maximumRecordAgeInSeconds);
    if (largeRecords) pulumi.log.warn(largeRecords, this);
    const created = createStreamMapping(prefix, { eventSourceArn: consumer ? consumer.arn : this.stream.arn, readGrants, fn, region, settings: normalised }, this);
    const spec: DataStreamSubscriptionSpec = { ...normalised, deadLetterQueueName: created.deadLetterQueue.name };
    const result: DataStreamSubscription = { spec, ...created, ...(consumer ? { consumer } : {}) };
    this.subscriptions.push(result);
    registerSpec("DataStreamSubscription", prefix, spec);
    return result;
  }
}
