/**
 * An SQS queue consumed by a LambdaFunction: the queue and its dead-letter queue (same type, FIFO or standard),
 * encrypted at rest with SQS-managed keys and reachable over TLS only; the consumer's role allowed exactly what Lambda
 * polls with; an event source mapping with partial batch responses, created after that permission. Producers get
 * `grants.send()` for their `permissions` and `environment()` for the queue's URL. `npm start` emulates the same spec
 * (local/sqs-server.ts, local/services/queues.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateAutonames } from "../autoname";
import { argFailer, type ArgFailure } from "../errors";
import { policyJson, type PolicyStatement } from "../iam";
import { checkRetentionDays, createDeadLetterQueue, DEAD_LETTER_RETENTION_DAYS, requireTls, serviceSendStatement } from "../queues";
import { checkWholeNumberInRange } from "../ranges";
import { environmentVariable, type LambdaFunction } from "../lambda/function";
import { describeRegion, regionWhereCreated, validateRegionArg } from "../region";
import { EVENTS_PRINCIPAL } from "../event-bus/rules-arn";
import { registerSpec } from "../spec-registry";
import type { MessageQueueArgs, MessageQueueConsumer, MessageQueueEventBus, MessageQueueSpec, MessageQueueTopic } from "./spec";

export type { MessageQueueArgs, MessageQueueConsumer, MessageQueueEventBus, MessageQueueSpec, MessageQueueTopic } from "./spec";

const DAY_SECONDS = 24 * 60 * 60;

/**
 * The ranges AWS takes, each checked at construction:
 * - SQS CreateQueue attributes (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html;
 *   terraform-provider-aws internal/service/sqs/queue.go validates the same: delay_seconds IntBetween(0, 900),
 *   message_retention_seconds IntBetween(60, 1_209_600), visibility_timeout_seconds IntBetween(0, 43_200)):
 *   DelaySeconds 0–900, MessageRetentionPeriod 60 s–14 days (here whole days), VisibilityTimeout 0–43,200.
 * - RedrivePolicy maxReceiveCount: 1–1000 (the SQS console's range; SQS documents no other).
 * - Lambda's SQS event source mapping (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html):
 *   BatchSize "For standard queues, the maximum is 10,000. For FIFO queues, the maximum is 10"; MaximumBatchingWindowInSeconds
 *   0–300 (API_CreateEventSourceMapping); ScalingConfig MaximumConcurrency 2–1000 (API_ScalingConfig).
 */
export const MESSAGE_QUEUE_LIMITS = {
  batchSize: { min: 1, max: 10_000 },
  fifoBatchSize: { min: 1, max: 10 },
  /** Above this many messages a batch needs a batching window of at least 1 second. */
  batchSizeWithoutWindow: 10,
  maxBatchingWindowSeconds: { min: 0, max: 300 },
  maxConcurrency: { min: 2, max: 1000 },
  visibilityTimeoutSeconds: { min: 0, max: 43_200 },
  retentionDays: DEAD_LETTER_RETENTION_DAYS,
  delaySeconds: { min: 0, max: 900 },
  maxReceiveCount: { min: 1, max: 1000 },
} as const;

/**
 * SQS's largest message: 1 MiB since August 2025 (the @pulumi/aws 7.48 docs of `maxMessageSize`: "An integer from 1024
 * bytes (1 KiB) up to 1048576 bytes (1024 KiB)"; terraform-provider-aws validates IntBetween(1024, 1_048_576)). Set on
 * the queue explicitly: the provider's default for an unset `maxMessageSize` is 262,144 (consts.go,
 * DefaultQueueMaximumMessageSize), which it sends on create, so a queue left at the default refuses messages over 256 KiB.
 */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** The actions Lambda polls an SQS queue with, as the function's role: the AWSLambdaSQSQueueExecutionRole managed policy's. */
export const QUEUE_CONSUME_ACTIONS: readonly string[] = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/** What a producer needs: SendMessage (SendMessageBatch is authorised by it too). */
export const QUEUE_SEND_ACTIONS: readonly string[] = ["sqs:SendMessage"];

/** Grants on this queue, for a LambdaFunction's `permissions`. */
export interface MessageQueueGrants {
  /** sqs:SendMessage on the queue (SendMessage and SendMessageBatch). */
  send(): PolicyStatement[];
}

/**
 * An SQS queue consumed by a LambdaFunction: a dead-letter queue of the same type, SQS-managed encryption, TLS-only
 * queue policies, the consumer's role allowed ReceiveMessage, DeleteMessage and GetQueueAttributes on this queue only,
 * and an event source mapping with partial batch responses (the handler answers `{ batchItemFailures }`).
 *
 * @example
 * const worker = new LambdaFunction("thumbnail-worker", { entry: "handlers/thumbnail-worker/index.ts", timeout: 60 });
 * const jobs = new MessageQueue("thumbnail-jobs", { consumer: { function: worker, batchSize: 5 } });
 * const api = new LambdaFunction("api", { entry: "handlers/api/index.ts", permissions: jobs.grants.send(), environment: jobs.environment("JOBS_QUEUE_URL") });
 */
export class MessageQueue extends pulumi.ComponentResource {
  /** What the local runtime emulates (registered as kind "MessageQueue"). */
  readonly spec: MessageQueueSpec;
  /** The queue producers send to and the consumer polls. */
  readonly queue: aws.sqs.Queue;
  /** Where SQS moves a message after `maxReceiveCount` receives: alarm on its ApproximateNumberOfMessagesVisible. */
  readonly deadLetterQueue: aws.sqs.Queue;
  /** The consumer role's permission to poll this queue. */
  readonly consumerPolicy: aws.iam.RolePolicy;
  /** The event source mapping that invokes the consumer with batches of messages. */
  readonly mapping: aws.lambda.EventSourceMapping;
  /** The queue's one access policy: TLS only, and sqs:SendMessage for the SNS topics of `topics`. */
  readonly queuePolicy: aws.sqs.QueuePolicy;
  /** The topics whose deliveries the queue's policy allows (`topics`): what `Topic.subscribeQueue` checks. */
  readonly topics: readonly MessageQueueTopic[];
  /** The event buses whose rules the queue's policy lets send (`eventBuses`): what `EventBus.subscribe` checks. */
  readonly eventBuses: readonly MessageQueueEventBus[];
  /** The queue's URL, what SendMessage takes. */
  readonly queueUrl: pulumi.Output<string>;
  readonly queueArn: pulumi.Output<string>;
  /** The queue's physical name (`.fifo` last for a FIFO queue). */
  readonly queueName: pulumi.Output<string>;
  /** Grants on the queue for producers' `permissions`. */
  readonly grants: MessageQueueGrants;

  constructor(name: string, args: MessageQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-fullstack:index:MessageQueue", name, {}, opts);
    const fail = argFailer("MessageQueue", name);
    validate(fail, name, args ?? ({} as MessageQueueArgs), this);
    const fn = args.consumer.function;
    const spec = normalise(name, args);
    const region = args.region || undefined;

    // A FIFO queue's dead-letter queue must be FIFO too, a standard queue's standard ("The dead-letter queue of a FIFO
    // queue must also be a FIFO queue. Similarly, the dead-letter queue of a standard queue must also be a standard
    // queue", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
    // Both are autonamed: pulumi-aws appends `.fifo` to a FIFO queue's autoname (provider/resource_overrides.go,
    // "aws_sqs_queue": PostTransform on fifoQueue), checked against SQS's 80 characters by validate.
    const deadLetterQueue = createDeadLetterQueue(
      `${name}-dlq`,
      { retentionDays: spec.deadLetterRetentionSeconds / DAY_SECONDS, fifo: spec.fifo, maxMessageBytes: spec.maximumMessageBytes, region },
      { parent: this },
    );
    const queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        fifoQueue: spec.fifo || undefined,
        contentBasedDeduplication: spec.fifo ? spec.contentBasedDeduplication : undefined,
        sqsManagedSseEnabled: true,
        visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
        messageRetentionSeconds: spec.messageRetentionSeconds,
        delaySeconds: spec.delaySeconds,
        maxMessageSize: spec.maximumMessageBytes,
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: spec.maxReceiveCount }),
        region,
      },
      { parent: this },
    );
    // Only this queue may move messages to the dead-letter queue ("byQueue": "Only queues specified by the
    // sourceQueueArns parameter can specify this queue as the dead-letter queue",
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html). Its own
    // resource, not the queue's `redriveAllowPolicy`: that would name the source queue, which names the dead-letter queue.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-redrive-allow`,
      { queueUrl: deadLetterQueue.id, redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [queue.arn] }), region },
      { parent: this },
    );
    // A queue has one access policy (deploy rule SqsOneQueuePolicy): the topics' grant goes into the TLS-only one.
    const topics = [...(args.topics ?? [])];
    // An EventBus's rules send under a statement of events.amazonaws.com with aws:SourceArn the bus's rules
    // (`arn:…:rule/<bus name>/*`: a custom bus's rule ARN is `rule/<bus>/<rule>`, eb-manage-iam-access.html; ArnEquals
    // takes wildcards as ArnLike does, reference_policies_elements_condition_operators.html): a rule is made after the
    // queue, by `bus.subscribe`, and the queue has one policy. "For EventBridge event bus rule targets, the value of
    // aws:SourceArn must be the rule ARN" (cross-service-confused-deputy-prevention.html): the bus's rules, named by
    // the bus, which only the bus's owners may add rules to. The default bus's rules are `rule/<name>` (no bus
    // segment): a DefaultEventBus gives its own rules' names, `rule/<component>-<token>-*` (its `rulesArn`; the token,
    // random and kept in its state, keeps out the rules of other DefaultEventBuses and of other stacks).
    const eventBuses = [...(args.eventBuses ?? [])];
    const queuePolicy = requireTls(`${name}-queue-policy`, queue, region, { parent: this }, [
      ...(topics.length > 0 ? [serviceSendStatement(queue, "sns.amazonaws.com", topics.map((t) => t.topicArn), "TopicsSend")] : []),
      ...(eventBuses.length > 0 ? [serviceSendStatement(queue, EVENTS_PRINCIPAL, eventBuses.map((b) => b.rulesArn), "EventBusRulesSend")] : []),
    ]);

    // CreateEventSourceMapping checks the function's role first: without these it fails with InvalidParameterValueException
    // "The provided execution role does not have permissions to call ReceiveMessage on SQS" (aws/aws-cdk#6770). Lambda
    // needs ReceiveMessage, DeleteMessage and GetQueueAttributes (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
    // "Execution role permissions"); it changes no visibility, so ChangeMessageVisibility is not granted. It is deleted with
    // the queue and the mapping even when the function is kept on delete: a kept grant would name a deleted queue, and an
    // inline policy the stack no longer tracks makes a later DeleteRole fail (deploy rule LambdaRetainedFunctionParts
    // exempts grants only on deleted resources).
    const consumerPolicy = new aws.iam.RolePolicy(
      `${name}-consume-policy`,
      { role: fn.role.id, policy: policyJson([{ sid: "ConsumeQueue", actions: [...QUEUE_CONSUME_ACTIONS], resources: [queue.arn] }]) },
      { parent: this },
    );
    // Only what applies to SQS (services-sqs-parameters.html): StartingPosition, bisecting, retries, record age and
    // destinations are stream settings, and CreateEventSourceMapping refuses them for a queue ("StartingPosition is not
    // valid for SQS event sources", boto/boto3#1613); retries and failures are the queue's redrive policy. A FIFO queue
    // takes no batching window ("Batching window is not supported for FIFO queues"), so none is sent for one.
    // Lambda keeps one mapping per event source and function (ResourceConflictException "… provided mapping already
    // exists", localstack/localstack#9996 for SQS), but this mapping needs no deleteBeforeReplace: of its inputs only
    // eventSourceArn forces a replacement (terraform-provider-aws lambda/event_source_mapping.go; starting_position and
    // the Kafka/MQ inputs are not sent for a queue), and a new queue ARN is a new pair. Each MessageQueue has its own
    // queue, and renaming one renames its autonamed queue too, so no two mappings of a program share a queue.
    const mapping = new aws.lambda.EventSourceMapping(
      `${name}-mapping`,
      {
        eventSourceArn: queue.arn,
        functionName: fn.arn,
        batchSize: spec.consumer.batchSize,
        maximumBatchingWindowInSeconds: spec.fifo ? undefined : spec.consumer.maxBatchingWindowSeconds,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: spec.consumer.maxConcurrency === undefined ? undefined : { maximumConcurrency: spec.consumer.maxConcurrency },
        region,
      },
      { parent: this, dependsOn: [consumerPolicy] },
    );

    this.spec = { ...spec, queueName: queue.name, deadLetterQueueName: deadLetterQueue.name };
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;
    this.consumerPolicy = consumerPolicy;
    this.mapping = mapping;
    this.queuePolicy = queuePolicy;
    this.topics = topics;
    this.eventBuses = eventBuses;
    this.queueUrl = queue.url;
    this.queueArn = queue.arn;
    this.queueName = queue.name;
    this.grants = { send: () => [{ actions: [...QUEUE_SEND_ACTIONS], resources: [queue.arn] }] };
    registerSpec("MessageQueue", name, this.spec);
    this.registerOutputs({ queueUrl: this.queueUrl, queueArn: this.queueArn, queueName: this.queueName });
  }

  /**
   * The queue's URL under `key`, for a producer's `environment` (SendMessage takes the URL).
   * @param key The variable's name. @default "QUEUE_URL"
   */
  environment(key = "QUEUE_URL"): Record<string, pulumi.Output<string>> {
    return environmentVariable(argFailer("MessageQueue", this.spec.name), key, this.queueUrl, "QUEUE_URL");
  }
}

/** The visibility timeout AWS advises for a Lambda consumer: six times its timeout plus the batching window, within SQS's 43,200. */
export function defaultVisibilityTimeout(functionTimeout: number, batchingWindowSeconds: number): number {
  // "We recommend setting your queue's visibility timeout to six times your function timeout, plus the value of
  // MaximumBatchingWindowInSeconds" (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
  return Math.min(6 * functionTimeout + batchingWindowSeconds, MESSAGE_QUEUE_LIMITS.visibilityTimeoutSeconds.max);
}

function normalise(name: string, args: MessageQueueArgs): Omit<MessageQueueSpec, "queueName" | "deadLetterQueueName"> {
  const fn = args.consumer.function;
  const fifo = args.fifo ?? false;
  const window = fifo ? 0 : (args.consumer.maxBatchingWindowSeconds ?? 0);
  return {
    name,
    fifo,
    contentBasedDeduplication: fifo && (args.contentBasedDeduplication ?? false),
    visibilityTimeoutSeconds: args.visibilityTimeoutSeconds ?? defaultVisibilityTimeout(fn.spec.timeout, window),
    messageRetentionSeconds: (args.retentionDays ?? 4) * DAY_SECONDS,
    deadLetterRetentionSeconds: (args.deadLetterRetentionDays ?? 14) * DAY_SECONDS,
    delaySeconds: args.delaySeconds ?? 0,
    maximumMessageBytes: SQS_MAX_MESSAGE_BYTES,
    maxReceiveCount: args.maxReceiveCount ?? 5,
    ...(args.region ? { region: args.region } : {}),
    consumer: {
      function: fn.spec,
      batchSize: args.consumer.batchSize ?? 10,
      maxBatchingWindowSeconds: window,
      ...(args.consumer.maxConcurrency === undefined ? {} : { maxConcurrency: args.consumer.maxConcurrency }),
      reportBatchItemFailures: true,
    },
  };
}

function validate(fail: ArgFailure, name: string, args: MessageQueueArgs, component: pulumi.Resource): void {
  validateRegionArg(fail, "region", args.region);
  const fifo = args.fifo;
  if (fifo !== undefined && typeof fifo !== "boolean") fail("fifo", fifo, "is not true or false", "Set fifo: true for a FIFO queue, or leave it out for a standard one.");
  // Both queues are autonamed `<name>-queue-<7 hex>` and `<name>-dlq-<7 hex>` (SQS: 1–80 letters, digits, - and _,
  // a FIFO queue's `.fifo` included: CreateQueue QueueName).
  const kind = fifo ? ("sqs-fifo-queue" as const) : ("sqs-queue" as const);
  validateAutonames(fail, name, [{ resource: `${name}-queue`, kind }, { resource: `${name}-dlq`, kind }]);
  const consumer: Partial<MessageQueueConsumer> = args.consumer ?? {};
  const fn = consumer.function as LambdaFunction | undefined;
  if (!fn?.spec || !fn.role) fail("consumer.function", fn, "is not a LambdaFunction", "Pass the LambdaFunction that processes the queue's messages: consumer: { function: worker }.");
  if (fn.spec.edge) fail("consumer.function", fn.spec.name, "is a Lambda@Edge function, which only CloudFront invokes", "Consume the queue with a regional function.");

  if (args.eventBuses !== undefined && (!Array.isArray(args.eventBuses) || args.eventBuses.some((b) => !pulumi.Output.isInstance(b?.busArn) || !pulumi.Output.isInstance(b?.rulesArn)))) {
    fail("eventBuses", args.eventBuses, "is not a list of EventBuses", "Pass the EventBus components whose rules send to this queue, e.g. eventBuses: [events], then subscribe it with events.subscribe(...).");
  }
  if (args.topics !== undefined && (!Array.isArray(args.topics) || args.topics.some((t) => !pulumi.Output.isInstance(t?.topicArn)))) {
    fail("topics", args.topics, "is not a list of Topics", "Pass the Topic components that deliver to this queue, e.g. topics: [photoEvents], then subscribe it with photoEvents.subscribeQueue(...).");
  }
  const limits = MESSAGE_QUEUE_LIMITS;
  const lambda = "Lambda's range";
  const sqs = "SQS's range";
  checkWholeNumberInRange(fail, "consumer.batchSize", consumer.batchSize, fifo ? limits.fifoBatchSize : limits.batchSize, { limit: lambda, unit: fifo ? "messages per batch of a FIFO queue" : "messages per batch" });
  checkWholeNumberInRange(fail, "consumer.maxBatchingWindowSeconds", consumer.maxBatchingWindowSeconds, limits.maxBatchingWindowSeconds, { limit: lambda, unit: "seconds" });
  checkWholeNumberInRange(fail, "consumer.maxConcurrency", consumer.maxConcurrency, limits.maxConcurrency, { limit: lambda, unit: "concurrent invocations" });
  checkWholeNumberInRange(fail, "visibilityTimeoutSeconds", args.visibilityTimeoutSeconds, limits.visibilityTimeoutSeconds, { limit: sqs, unit: "seconds" });
  checkRetentionDays(fail, "retentionDays", args.retentionDays);
  checkRetentionDays(fail, "deadLetterRetentionDays", args.deadLetterRetentionDays);
  checkWholeNumberInRange(fail, "delaySeconds", args.delaySeconds, limits.delaySeconds, { limit: sqs, unit: "seconds" });
  checkWholeNumberInRange(fail, "maxReceiveCount", args.maxReceiveCount, limits.maxReceiveCount, { limit: sqs, unit: "receives" });

  // "Content-based deduplication can only be set for FIFO queue" (terraform-provider-aws queue.go CustomizeDiff; SQS
  // CreateQueue: ContentBasedDeduplication "applies only to FIFO (first-in-first-out) queues").
  if (args.contentBasedDeduplication !== undefined && typeof args.contentBasedDeduplication !== "boolean") {
    fail("contentBasedDeduplication", args.contentBasedDeduplication, "is not true or false", "Set it to true or false, with fifo: true.");
  }
  if (args.contentBasedDeduplication && !fifo) fail("contentBasedDeduplication", true, "applies only to FIFO queues, and this queue is standard", "Set fifo: true, or leave contentBasedDeduplication out.");
  // "Batching window is not supported for FIFO queues" (services-sqs-parameters.html).
  if (fifo && consumer.maxBatchingWindowSeconds) {
    fail("consumer.maxBatchingWindowSeconds", consumer.maxBatchingWindowSeconds, "is set for a FIFO queue, which Lambda batches without a window", "Leave maxBatchingWindowSeconds out (or 0) for a FIFO queue.");
  }
  // "For streams and Amazon SQS event sources, when you set BatchSize to a value greater than 10, you must set
  // MaximumBatchingWindowInSeconds to at least 1" (API_CreateEventSourceMapping, MaximumBatchingWindowInSeconds).
  if (!fifo && (consumer.batchSize ?? 10) > limits.batchSizeWithoutWindow && (consumer.maxBatchingWindowSeconds ?? 0) < 1) {
    fail("consumer.batchSize", consumer.batchSize, `is over ${limits.batchSizeWithoutWindow} without a batching window, which Lambda refuses`, `Set consumer.maxBatchingWindowSeconds to at least 1, or use a batchSize of at most ${limits.batchSizeWithoutWindow}.`);
  }
  // "Your function's timeout must be less than or equal to the queue's visibility timeout. Lambda validates this
  // requirement when you create or update an event source mapping" (services-sqs-configure.html): it fails with
  // InvalidParameterValueException "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds".
  if (args.visibilityTimeoutSeconds !== undefined && args.visibilityTimeoutSeconds < fn.spec.timeout) {
    const advised = defaultVisibilityTimeout(fn.spec.timeout, fifo ? 0 : (consumer.maxBatchingWindowSeconds ?? 0));
    fail(
      "visibilityTimeoutSeconds",
      args.visibilityTimeoutSeconds,
      `is less than the consumer's timeout (${fn.spec.timeout} seconds); Lambda refuses the mapping ("Queue visibility timeout: ${args.visibilityTimeoutSeconds} seconds is less than Function timeout: ${fn.spec.timeout} seconds")`,
      `Leave it out for AWS's advice, ${advised} seconds (six times the timeout plus the batching window), or use at least ${fn.spec.timeout}.`,
    );
  }
  // A standard queue's message keeps its original enqueue time in the dead-letter queue, so a dead-letter queue that
  // keeps messages for less time than the queue drops them early ("it is a best practice to always set the retention
  // period of a dead-letter queue to be longer than the retention period of the original queue",
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html).
  // A FIFO message's time resets there, but one rule for both keeps the argument's meaning plain.
  const retention = args.retentionDays ?? 4;
  const deadLetterRetention = args.deadLetterRetentionDays ?? 14;
  if (deadLetterRetention < retention) {
    fail(
      "deadLetterRetentionDays",
      deadLetterRetention,
      `is shorter than retentionDays (${retention}); a message keeps its enqueue time when it moves to a standard queue's dead-letter queue, so it could expire there on arrival`,
      `Use at least ${retention} (14, the most, by default).`,
    );
  }
  // "The Lambda function and the Amazon SQS queue must be in the same AWS Region" (services-sqs-configure.html). An
  // explicit provider's region is unknown here.
  const queueRegion = regionWhereCreated(args.region || undefined, component, "aws:sqs/queue:Queue");
  const fnRegion = regionWhereCreated(fn.spec.region, fn, "aws:lambda/function:Function");
  if (queueRegion.region && fnRegion.region && queueRegion.region !== fnRegion.region) {
    fail(
      "consumer.function",
      fn.spec.name,
      `is in ${describeRegion(fnRegion)}, but the queue is in ${describeRegion(queueRegion)}; Lambda polls only queues in the function's region`,
      `Set region: "${fnRegion.region}" on the MessageQueue, or create the function in ${queueRegion.region}.`,
    );
  }
}
