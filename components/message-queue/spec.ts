/**
 * MessageQueue's arguments and the normalised spec it registers (kind "MessageQueue") for the local runtime: an SQS
 * queue with a dead-letter queue, consumed by a LambdaFunction through an event source mapping with partial batch
 * responses. One spec serves `pulumi up` and `npm start` (local/sqs-server.ts, local/services/queues.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LambdaFunction, LambdaFunctionSpec } from "../lambda/function";

/** The function that processes the queue's messages, and how Lambda polls for it. */
export interface MessageQueueConsumer {
  function: LambdaFunction;
  /**
   * Messages per invocation: 1–10 for a FIFO queue, 1–10000 for a standard one (above 10 needs
   * `maxBatchingWindowSeconds` ≥ 1).
   * @default 10
   */
  batchSize?: number;
  /**
   * Seconds Lambda gathers messages before invoking, 0–300.
   * @default 0
   */
  maxBatchingWindowSeconds?: number;
  /**
   * The most concurrent invocations this queue drives, 2–1000; absent: Lambda's own scaling.
   */
  maxConcurrency?: number;
}

export interface MessageQueueArgs {
  consumer: MessageQueueConsumer;
  /**
   * A FIFO queue: exactly-once processing and order per message group. Changing it on a deployed queue replaces the
   * queue and its dead-letter queue (SQS cannot change a queue's type): their messages are deleted with them.
   * @default false
   */
  fifo?: boolean;
  /**
   * FIFO only: deduplicate by a SHA-256 of the body when a sender gives no deduplication id.
   * @default false
   */
  contentBasedDeduplication?: boolean;
  /**
   * Seconds a received message stays hidden from other consumers, 0–43200; at least the consumer's timeout.
   * @default six times the consumer's timeout plus the batching window (AWS's advice for Lambda consumers), at most 43200
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Days the queue keeps an unprocessed message, 1–14.
   * @default 4
   */
  retentionDays?: number;
  /**
   * Seconds every new message waits before it can be received, 0–900.
   * @default 0
   */
  delaySeconds?: number;
  /**
   * Receives of a message before SQS moves it to the dead-letter queue, 1–1000.
   * @default 5
   */
  maxReceiveCount?: number;
  /**
   * Days the dead-letter queue keeps a message, 1–14; at least `retentionDays`.
   * @default 14
   */
  deadLetterRetentionDays?: number;
  /** The region of the queue and its mapping (the consumer's region); absent: the provider's. */
  region?: string;
  /**
   * SNS topics that deliver to this queue: its one access policy lets each send (sqs:SendMessage for
   * sns.amazonaws.com on behalf of that topic). Subscribe the queue with `topic.subscribeQueue(name, queue)`, which
   * refuses a queue that does not list its topic here.
   * @default none
   */
  topics?: MessageQueueTopic[];
  /**
   * EventBuses whose rules send to this queue: its one access policy lets each bus's rules send (sqs:SendMessage for
   * events.amazonaws.com, aws:SourceArn the bus's rules, `arn:…:rule/<bus>/*`; a DefaultEventBus's `arn:…:rule/<name>-<token>-*`). Subscribe the queue with
   * `bus.subscribe(name, queue, options)`, which refuses a queue that does not list its bus here.
   * @default none
   */
  eventBuses?: MessageQueueEventBus[];
}

/** An event bus whose rules may send to a MessageQueue: an EventBus or DefaultEventBus component (only its ARNs are read). */
export interface MessageQueueEventBus {
  readonly busArn: pulumi.Output<string>;
  /**
   * Its rules' ARNs as the queue's policy names them: an EventBus's `arn:…:rule/<bus>/*`, a custom bus's every rule; a
   * DefaultEventBus's `arn:…:rule/<name>-<token>-*`, its rules on the default bus, whose rule ARNs have no bus segment.
   */
  readonly rulesArn: pulumi.Output<string>;
}

/** A topic that may deliver to a MessageQueue: a Topic component (only its ARN is read). */
export interface MessageQueueTopic {
  readonly topicArn: pulumi.Output<string>;
}

/** What the local runtime needs to emulate the queue and drive its consumer. */
export interface MessageQueueSpec {
  /** The component's name. */
  name: string;
  /** The queue's physical name (its autoname; `.fifo` last for a FIFO queue), what `GetQueueUrl` takes. */
  queueName: pulumi.Input<string>;
  /** The dead-letter queue's physical name. */
  deadLetterQueueName: pulumi.Input<string>;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  deadLetterRetentionSeconds: number;
  delaySeconds: number;
  /** SQS's largest message, in bytes. */
  maximumMessageBytes: number;
  maxReceiveCount: number;
  region?: string;
  consumer: {
    function: LambdaFunctionSpec;
    batchSize: number;
    maxBatchingWindowSeconds: number;
    maxConcurrency?: number;
    /** Always on: a handler answers `{ batchItemFailures: [{ itemIdentifier: messageId }] }` and only those are retried. */
    reportBatchItemFailures: true;
  };
}
