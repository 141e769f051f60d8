/**
 * Topic's arguments, its subscriptions' options and the normalised spec it registers (kind "Topic"): an SNS topic
 * encrypted at rest, reachable over TLS only, fanning out to LambdaFunctions and MessageQueues.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LambdaFunctionSpec } from "../lambda/function";
import type { FilterPolicyScope } from "./filter-policy";

export interface TopicArgs {
  /**
   * A FIFO topic: ordered, deduplicated delivery per message group. Only SQS queues subscribe to one (`subscribeQueue`).
   * @default false
   */
  fifo?: boolean;
  /**
   * FIFO only: deduplicate by a SHA-256 of the message body when a publisher gives no deduplication id.
   * @default false
   */
  contentBasedDeduplication?: boolean;
  /**
   * The ARN of a customer managed KMS key (symmetric) that encrypts the topic's messages at rest; producers'
   * `grants.publish()` then include kms:GenerateDataKey* and kms:Decrypt on it. AWS services (CloudWatch alarms,
   * EventBridge, S3 event notifications) can publish only to a topic under a customer managed key whose key policy lets
   * their service principal use it (kms:GenerateDataKey*, kms:Decrypt), and listed in `servicePublishers`. An alias or
   * key id is refused, also when it arrives as an Output (checked once known).
   * @default the AWS managed key alias/aws/sns
   */
  kmsKeyId?: pulumi.Input<string>;
  /**
   * AWS services that may publish to the topic: each gets an Allow of sns:Publish in the topic's one policy, for its
   * service principal, conditioned on `aws:SourceArn` (its `sourceArn`) and, for CloudWatch, S3, Budgets and CodeStar
   * Notifications, on `aws:SourceAccount` (the stack's account), which lets those go without a `sourceArn`. The topic policy
   * replaces SNS's default policy (which let same-account services publish), so a service must be listed here. Needs
   * `kmsKeyId`: a customer managed key whose key policy allows the service kms:GenerateDataKey* and kms:Decrypt (the
   * AWS managed key's policy cannot be changed, so no service can publish to a topic under it).
   * @example [{ service: "cloudwatch.amazonaws.com", sourceArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" }]
   * @default none
   */
  servicePublishers?: TopicServicePublisher[];
  /** The topic's region; absent: the provider's. */
  region?: string;
}

/** An AWS service allowed to publish to a Topic (`servicePublishers`). */
export interface TopicServicePublisher {
  /** The service principal, e.g. "cloudwatch.amazonaws.com", "events.amazonaws.com", "s3.amazonaws.com". */
  service: TopicServicePrincipal;
  /**
   * The ARN (wildcards `*` `?` allowed: ArnLike) of what publishes: the alarm(s), the EventBridge rule (an EventBus's
   * `rulesArn`), the bucket, the budgets. Without it, cloudwatch.amazonaws.com, s3.amazonaws.com, budgets.amazonaws.com
   * and codestar-notifications.amazonaws.com may publish from any source of the stack's account (aws:SourceAccount);
   * any other service is refused without it, or with one whose account is a wildcard, as it would publish for any
   * account's resources (confused deputy; security rule ServicePrincipalSource); an Output is checked once known.
   * Refused for codestar-notifications.amazonaws.com: no AWS page found says it sends aws:SourceArn, and a condition on a
   * key the service does not send would refuse every notification silently.
   * @default any source of the stack's account (CloudWatch, S3, Budgets and CodeStar Notifications only)
   */
  sourceArn?: pulumi.Input<string>;
}

/** The service principals that publish to SNS topics that AWS documents; any other `<service>.amazonaws.com` is taken too. */
export type TopicServicePrincipal = "cloudwatch.amazonaws.com" | "events.amazonaws.com" | "s3.amazonaws.com" | "budgets.amazonaws.com" | "codestar-notifications.amazonaws.com" | (string & {});

/** Options of a LambdaFunction's subscription (`topic.subscribe`). */
export interface TopicSubscribeOptions {
  /**
   * Only messages that match this filter policy are delivered (a JSON object: keys ≤ 5, combinations of values ≤ 150,
   * ≤ 256 KB).
   * @default every message
   */
  filterPolicy?: Record<string, unknown>;
  /**
   * What `filterPolicy` matches: the message's attributes, or its body (JSON).
   * @default "MessageAttributes"
   */
  filterPolicyScope?: FilterPolicyScope;
  /**
   * Days the subscription's dead-letter queue keeps a message SNS could not deliver, 1–14.
   * @default 14
   */
  deadLetterRetentionDays?: number;
}

/** Options of a MessageQueue's subscription (`topic.subscribeQueue`). */
export interface TopicSubscribeQueueOptions {
  /** Only messages that match this filter policy are delivered. @default every message */
  filterPolicy?: Record<string, unknown>;
  /** What `filterPolicy` matches. @default "MessageAttributes" */
  filterPolicyScope?: FilterPolicyScope;
  /**
   * Deliver the message body as it was published, without SNS's JSON envelope.
   * @default false
   */
  rawMessageDelivery?: boolean;
  /**
   * Days the subscription's dead-letter queue keeps a message SNS could not deliver to the queue (the queue gone, or
   * its policy refusing SNS), 1–14.
   * @default 14
   */
  deadLetterRetentionDays?: number;
}

export interface TopicLambdaSubscriptionSpec {
  name: string;
  protocol: "lambda";
  function: LambdaFunctionSpec;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope: FilterPolicyScope;
  /** The subscription's dead-letter queue's physical name. */
  deadLetterQueueName: pulumi.Input<string>;
  deadLetterRetentionSeconds: number;
}

export interface TopicQueueSubscriptionSpec {
  name: string;
  protocol: "sqs";
  /** The MessageQueue's component name and the queue's physical name. */
  queue: string;
  queueName: pulumi.Input<string>;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope: FilterPolicyScope;
  rawMessageDelivery: boolean;
  /** The subscription's dead-letter queue's physical name (`.fifo` last when the subscribed queue is FIFO). */
  deadLetterQueueName: pulumi.Input<string>;
  deadLetterRetentionSeconds: number;
}

export type TopicSubscriptionSpec = TopicLambdaSubscriptionSpec | TopicQueueSubscriptionSpec;

export interface TopicSpec {
  name: string;
  /** The topic's physical name (its autoname; `.fifo` last for a FIFO topic). */
  topicName: pulumi.Input<string>;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  /** "alias/aws/sns", or "customer" for a customer managed key. */
  encryption: "alias/aws/sns" | "customer";
  region?: string;
  /** Filled as `subscribe` and `subscribeQueue` are called. */
  subscriptions: TopicSubscriptionSpec[];
}
