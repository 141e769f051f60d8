/**
 * EventBus's arguments, its subscriptions' options and the normalised spec it registers (kind "EventBus"): an
 * EventBridge custom event bus whose rules route events by pattern to LambdaFunctions, MessageQueues, Workflows and
 * Topics.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LambdaFunctionSpec } from "../lambda/function";
import type { WorkflowType } from "../workflow/spec";

export { DEFAULT_EVENT_BUS_NAME } from "../arn";

export interface EventBusArgs {
  /**
   * Keep every event the bus receives in an archive for this many days (EventBridge can replay them), 1 or more.
   * @default no archive
   */
  archiveRetentionDays?: number;
  /**
   * A customer managed KMS key's ARN (aws.kms.Key's arn) that encrypts the bus's custom events, its rules' patterns
   * and targets, and its archive. Only the ARN is taken: the provider reads the key back as EventBridge reports it,
   * with no diff suppression, and an alias or key id reported as the ARN would show a change on every deploy. Its key policy must let events.amazonaws.com kms:DescribeKey,
   * kms:GenerateDataKey and kms:Decrypt (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html)
   * and, with `archiveRetentionDays`, kms:ReEncrypt* too (https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-archives.html),
   * preferably on the condition `kms:EncryptionContext:aws:events:event-bus:arn` = the bus's ARN. Those conditions do not
   * apply to a key shared with a Topic this bus publishes to: its statement for the topic takes no aws:SourceAccount,
   * aws:SourceArn or aws:SourceOrgID ("not supported for EventBridge-to-encrypted topics",
   * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html), nor the bus's encryption context. The component does
   * not write the key policy, and gives the bus no dead-letter queue of its own, which AWS recommends with a customer
   * managed key (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-event-bus-cmkey.html).
   * @default an AWS owned key (EventBridge always encrypts at rest)
   */
  kmsKeyId?: pulumi.Input<string>;
  /** The bus's region; absent: the provider's. */
  region?: string;
}

/**
 * An input transformer: values read from the event by JSON path (`inputPaths`), put into `inputTemplate` at their
 * `<name>` placeholders (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 */
export interface EventBusInputTransformer {
  /**
   * Variables by name: JSON paths into the event (dot notation, e.g. "$.detail.photoId"), at most 100; names of
   * letters, digits, _ and -, not starting with "AWS".
   * @default none (the template uses only the predefined variables)
   */
  inputPaths?: Record<string, string>;
  /**
   * What the target gets, 1–8192 characters: JSON (`{"photo": <photoId>, "note": "id <photoId>"}`: a placeholder
   * outside quotes is the value as JSON, inside quotes its text), or a quoted string (`"<photoId> uploaded"`).
   * Predefined placeholders: <aws.events.rule-arn>, <aws.events.rule-name>, <aws.events.event.ingestion-time>,
   * <aws.events.event> (the event without `detail`), <aws.events.event.json> (the whole event).
   */
  inputTemplate: string;
}

/** What a rule target receives instead of the whole event: at most one of the three (EventBridge's Target Input, InputPath, InputTransformer). */
export interface EventBusTargetInputOptions {
  /** A constant JSON value sent instead of the event (at most 8192 characters as JSON). */
  input?: unknown;
  /** A JSON path (at most 256 characters, e.g. "$.detail"): the part of the event sent. */
  inputPath?: string;
  /** Values of the event put into a template. */
  inputTransformer?: EventBusInputTransformer;
}

/** Options of a subscription (`bus.subscribe`): a LambdaFunction's, a MessageQueue's, a Workflow's or a Topic's. */
export interface EventBusSubscribeOptions extends EventBusTargetInputOptions {
  /**
   * The event pattern: a JSON object whose leaves are arrays of values or operators (prefix, suffix, anything-but,
   * numeric, exists, cidr, equals-ignore-case, wildcard, $or), at most 2048 bytes as JSON (UTF-8); an anything-but list is all
   * strings or all numbers. Values may be Outputs (a bucket's name: BucketEvents.objectCreated builds such a pattern),
   * checked again once known.
   * @example { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"], detail: { size: [{ numeric: [">", 0] }] } }
   */
  pattern: Record<string, unknown>;
  /**
   * How many times EventBridge retries a delivery that failed with a retriable error (e.g. throttling), 0–185
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html). A missing permission or a
   * function that no longer exists is not retried: the event goes to the dead-letter queue at once
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html). The function's own errors are Lambda's
   * asynchronous retries (its `asyncInvoke`).
   * @default 185
   */
  retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying an event, 60–86400 seconds.
   * @default 86400
   */
  maximumEventAgeSeconds?: number;
  /**
   * Days the rule target's dead-letter queue keeps an event EventBridge could not deliver, 1–14.
   * @default 14
   */
  deadLetterRetentionDays?: number;
  /**
   * A FIFO MessageQueue's message group (SqsParameters MessageGroupId): required for a FIFO queue, refused for any
   * other target; 1–128 letters, digits and punctuation. Every event of this subscription goes to this one group.
   */
  messageGroupId?: string;
}

/** What the target receives, as EventBridge's Target takes it (at most one field). */
export interface EventBusTargetInputSpec {
  /** The constant input, as JSON text. */
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPaths: Record<string, string>; inputTemplate: string };
}

interface EventBusSubscriptionSpecBase extends EventBusTargetInputSpec {
  name: string;
  pattern: Record<string, unknown>;
  /** The rule's physical name. */
  ruleName: pulumi.Input<string>;
  /** The target's id within its rule. */
  targetId: string;
  retryAttempts: number;
  maximumEventAgeSeconds: number;
  /** The target's dead-letter queue's physical name. */
  deadLetterQueueName: pulumi.Input<string>;
  deadLetterRetentionSeconds: number;
}

/** A LambdaFunction's subscription: EventBridge invokes it asynchronously. */
export interface EventBusLambdaSubscriptionSpec extends EventBusSubscriptionSpecBase {
  /** Absent in specs recorded before MessageQueue and Workflow targets: "lambda". */
  target?: "lambda";
  function: LambdaFunctionSpec;
}

/** A MessageQueue's subscription: EventBridge sends each event to the queue (SendMessage) under the queue's policy. */
export interface EventBusQueueSubscriptionSpec extends EventBusSubscriptionSpecBase {
  target: "sqs";
  /** The MessageQueue component's name. */
  queue: string;
  /** The queue's physical name. */
  queueName: pulumi.Input<string>;
  fifo: boolean;
  /** A FIFO queue's message group. */
  messageGroupId?: string;
}

/** A Workflow's subscription: EventBridge starts an execution (StartExecution, asynchronous for EXPRESS too) as the target's role. */
export interface EventBusWorkflowSubscriptionSpec extends EventBusSubscriptionSpecBase {
  target: "sfn";
  /** The Workflow component's name. */
  workflow: string;
  /** The state machine's physical name. */
  stateMachineName: pulumi.Input<string>;
  workflowType: WorkflowType;
  /** The role EventBridge assumes to start executions: its physical name. */
  roleName: pulumi.Input<string>;
}

/** A Topic's subscription: EventBridge publishes each event (or the shaped input) to the topic as the message, under the topic's policy. */
export interface EventBusTopicSubscriptionSpec extends EventBusSubscriptionSpecBase {
  target: "sns";
  /** The Topic component's name. */
  topic: string;
  /** The topic's physical name. */
  topicName: pulumi.Input<string>;
}

export type EventBusSubscriptionSpec = EventBusLambdaSubscriptionSpec | EventBusQueueSubscriptionSpec | EventBusWorkflowSubscriptionSpec | EventBusTopicSubscriptionSpec;

export interface EventBusSpec {
  name: string;
  /** The bus's physical name (its autoname). */
  busName: pulumi.Input<string>;
  /** "aws-owned", or "customer" for a customer managed key. */
  encryption: "aws-owned" | "customer";
  /** The account's default bus (DefaultEventBus): its rules' ARNs are `rule/<name>`, AWS services' events arrive there. */
  default?: boolean;
  archiveRetentionDays?: number;
  region?: string;
  /** Filled as `subscribe` is called. */
  subscriptions: EventBusSubscriptionSpec[];
}
