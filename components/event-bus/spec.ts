/**
 * EventBus's arguments, its subscriptions' options and the normalised spec it registers (kind "EventBus"): an
 * EventBridge custom event bus whose rules route events by pattern to LambdaFunctions.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LambdaFunctionSpec } from "../lambda/function";

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
   * preferably on the condition `kms:EncryptionContext:aws:events:event-bus:arn` = the bus's ARN. The component does
   * not write the key policy, and gives the bus no dead-letter queue of its own, which AWS recommends with a customer
   * managed key (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-event-bus-cmkey.html).
   * @default an AWS owned key (EventBridge always encrypts at rest)
   */
  kmsKeyId?: pulumi.Input<string>;
  /** The bus's region; absent: the provider's. */
  region?: string;
}

/** Options of a LambdaFunction's subscription (`bus.subscribe`). */
export interface EventBusSubscribeOptions {
  /**
   * The event pattern: a JSON object whose leaves are arrays of values or operators (prefix, suffix, anything-but,
   * numeric, exists, cidr, equals-ignore-case, wildcard, $or), at most 2048 bytes as JSON (UTF-8); an anything-but list is all
   * strings or all numbers.
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
}

export interface EventBusSubscriptionSpec {
  name: string;
  function: LambdaFunctionSpec;
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

export interface EventBusSpec {
  name: string;
  /** The bus's physical name (its autoname). */
  busName: pulumi.Input<string>;
  /** "aws-owned", or "customer" for a customer managed key. */
  encryption: "aws-owned" | "customer";
  archiveRetentionDays?: number;
  region?: string;
  /** Filled as `subscribe` is called. */
  subscriptions: EventBusSubscriptionSpec[];
}
