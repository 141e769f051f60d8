/**
 * Dead-letter queues: where events that could not be delivered or processed end up (a stream
 * batch, an asynchronous invocation, a scheduled invocation, a MessageQueue's failed messages). One shape for all of
 * them: SQS queues (standard, or FIFO for a FIFO source), encrypted at rest with SQS-managed keys, TLS only, kept for a
 * bounded number of days — ready for an alarm on ApproximateNumberOfMessagesVisible.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";
import { checkWholeNumberInRange } from "./ranges";

/** SQS keeps a message 60 seconds to 14 days (MessageRetentionPeriod, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html). */
export const DEAD_LETTER_RETENTION_DAYS = { min: 1, max: 14 } as const;

/** A dead-letter queue's retention, in days: "is outside SQS's message retention of 1–14 days". */
export function checkRetentionDays(fail: ArgFailure, argument: string, days: number | undefined): void {
  checkWholeNumberInRange(fail, argument, days, DEAD_LETTER_RETENTION_DAYS, { limit: "SQS's message retention", unit: "days" });
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

/** The AWS services that send to the components' queues under a statement of the queue's policy (serviceSendStatement). */
export type QueueSendingService = "sns.amazonaws.com" | "events.amazonaws.com";

/**
 * The statement that lets an AWS service send to `queue` on behalf of the given sources only: sqs:SendMessage for the
 * service principal, with aws:SourceArn the sources' ARNs (the confused-deputy guard both services' pages write).
 * - sns.amazonaws.com, the topics' ARNs: SNS's deliveries to a subscribed queue ("Give permission to your Amazon SNS
 *   topic to send messages to the Amazon SQS queue", https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html)
 *   and to a subscription's dead-letter queue (https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html);
 * - events.amazonaws.com, a rule's ARN: what EventBridge could not deliver to the rule's target, moved to the target's
 *   dead-letter queue (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
 * Without it the service's sends fail (and a dead-letter queue's messages are dropped). `sourceArns` is written as
 * given (one ARN, or a list); `sid` names the statement.
 */
export function serviceSendStatement(queue: aws.sqs.Queue, service: QueueSendingService, sourceArns: pulumi.Input<string> | pulumi.Input<string>[], sid: string): QueuePolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sqs:SendMessage",
    Resource: queue.arn,
    Condition: { ArnEquals: { "aws:SourceArn": sourceArns } },
  };
}

/**
 * The queue's policy: every request made without TLS is denied, whoever makes it (security rule SQS4, after cdk-nag's
 * AwsSolutions-SQS4; the statement the CDK's `enforceSSL` writes). Lambda, EventBridge Scheduler and SNS call SQS over
 * HTTPS, so nothing the components send is refused. A queue has one policy: grants (`allow`, e.g. serviceSendStatement)
 * go into this one.
 */
export function requireTls(name: string, queue: aws.sqs.Queue, region: string | undefined, opts: pulumi.CustomResourceOptions, allow: QueuePolicyStatement[] = []): aws.sqs.QueuePolicy {
  const policy = pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } }, ...allow],
  });
  return new aws.sqs.QueuePolicy(name, { queueUrl: queue.id, policy, region }, opts);
}
