/**
 * Dead-letter queues: where events that could not be delivered or processed end up (a stream
 * batch, an asynchronous invocation, a scheduled invocation, a MessageQueue's failed messages). One shape for all of
 * them: SQS queues (standard, or FIFO for a FIFO source), encrypted at rest with SQS-managed keys, TLS only, kept for a
 * bounded number of days — ready for an alarm on ApproximateNumberOfMessagesVisible.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";

/** SQS keeps a message 60 seconds to 14 days (MessageRetentionPeriod, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html). */
export const DEAD_LETTER_RETENTION_DAYS = { min: 1, max: 14 } as const;

export function checkRetentionDays(fail: ArgFailure, argument: string, days: number | undefined): void {
  if (days === undefined) return;
  const { min, max } = DEAD_LETTER_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < min || days > max) fail(argument, days, `is outside SQS's message retention of ${min}–${max} days`, `Use a whole number from ${min} to ${max}.`);
}

/** What a dead-letter queue is made with: retention, region, type, size, and grants for its one policy. */
export interface DeadLetterQueueArgs {
  retentionDays: number;
  region?: string;
  fifo?: boolean;
  maxMessageBytes?: number;
  /** Statements the queue's policy holds besides the TLS-only one (a queue has one policy: see requireTls). */
  allow?: (queue: aws.sqs.Queue) => QueuePolicyStatement[];
}

/**
 * A dead-letter queue with its TLS-only policy (`<name>-policy`). `fifo` for a FIFO queue's (SQS requires the same
 * type), `maxMessageBytes` to take every message its source queue takes.
 */
export function createDeadLetterQueue(name: string, args: DeadLetterQueueArgs, opts: pulumi.CustomResourceOptions): aws.sqs.Queue {
  return createDeadLetterQueueWithPolicy(name, args, opts).queue;
}

/** createDeadLetterQueue, with the queue's policy too: for a sender that must wait for its grant (`dependsOn`). */
export function createDeadLetterQueueWithPolicy(name: string, args: DeadLetterQueueArgs, opts: pulumi.CustomResourceOptions): { queue: aws.sqs.Queue; policy: aws.sqs.QueuePolicy } {
  const queue = new aws.sqs.Queue(
    name,
    { fifoQueue: args.fifo || undefined, sqsManagedSseEnabled: true, messageRetentionSeconds: args.retentionDays * 24 * 60 * 60, maxMessageSize: args.maxMessageBytes, region: args.region },
    opts,
  );
  const policy = requireTls(`${name}-policy`, queue, args.region, opts, args.allow?.(queue));
  return { queue, policy };
}

/** A statement of a queue's resource policy, in IAM's JSON (`Sid`, `Effect`, `Principal`, `Action`, `Resource`, `Condition`). */
export type QueuePolicyStatement = Record<string, pulumi.Input<unknown>>;

/**
 * The statement that lets SNS deliver from the given topics to `queue`: sqs:SendMessage for the service principal
 * sns.amazonaws.com, only on behalf of those topics (aws:SourceArn, "Give permission to your Amazon SNS topic to send
 * messages to the Amazon SQS queue", https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html).
 * Without it SNS's deliveries to the queue fail; for a subscription's dead-letter queue, SNS cannot move what it failed
 * to deliver there (https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html).
 */
export function snsSendStatement(queue: aws.sqs.Queue, topicArns: pulumi.Input<string>[]): QueuePolicyStatement {
  return {
    Sid: "TopicsSend",
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queue.arn,
    Condition: { ArnEquals: { "aws:SourceArn": topicArns } },
  };
}

/**
 * The queue's policy: every request made without TLS is denied, whoever makes it (security rule SQS4, after cdk-nag's
 * AwsSolutions-SQS4; the statement the CDK's `enforceSSL` writes). Lambda, EventBridge Scheduler and SNS call SQS over
 * HTTPS, so nothing the components send is refused. A queue has one policy: grants (`allow`, e.g. snsSendStatement)
 * go into this one.
 */
export function requireTls(name: string, queue: aws.sqs.Queue, region: string | undefined, opts: pulumi.CustomResourceOptions, allow: QueuePolicyStatement[] = []): aws.sqs.QueuePolicy {
  const policy = pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } }, ...allow],
  });
  return new aws.sqs.QueuePolicy(name, { queueUrl: queue.id, policy, region }, opts);
}
