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

/**
 * A dead-letter queue with its TLS-only policy (`<name>-policy`). `fifo` for a FIFO queue's (SQS requires the same
 * type), `maxMessageBytes` to take every message its source queue takes.
 */
export function createDeadLetterQueue(
  name: string,
  args: { retentionDays: number; region?: string; fifo?: boolean; maxMessageBytes?: number },
  opts: pulumi.CustomResourceOptions,
): aws.sqs.Queue {
  const queue = new aws.sqs.Queue(
    name,
    { fifoQueue: args.fifo || undefined, sqsManagedSseEnabled: true, messageRetentionSeconds: args.retentionDays * 24 * 60 * 60, maxMessageSize: args.maxMessageBytes, region: args.region },
    opts,
  );
  requireTls(`${name}-policy`, queue, args.region, opts);
  return queue;
}

/**
 * The queue's policy: every request made without TLS is denied, whoever makes it (security rule SQS4, after cdk-nag's
 * AwsSolutions-SQS4; the statement the CDK's `enforceSSL` writes). Lambda, EventBridge Scheduler and SNS call SQS over
 * HTTPS, so nothing the components send is refused. A queue has one policy: a grant added later goes into this one.
 */
export function requireTls(name: string, queue: aws.sqs.Queue, region: string | undefined, opts: pulumi.CustomResourceOptions): aws.sqs.QueuePolicy {
  const policy = pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } }],
  });
  return new aws.sqs.QueuePolicy(name, { queueUrl: queue.id, policy, region }, opts);
}
