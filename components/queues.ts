/**
 * Dead-letter queues: where events that could not be delivered or processed end up (a stream
 * batch, an asynchronous invocation, a scheduled invocation). One shape for all of them: SQS
 * standard queues, encrypted at rest with SQS-managed keys, kept for a bounded number of days —
 * ready for an alarm on ApproximateNumberOfMessagesVisible.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "./errors";

/** SQS keeps a message 60 seconds to 14 days (MessageRetentionPeriod, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html). */
export const DEAD_LETTER_RETENTION_DAYS = { min: 1, max: 14 } as const;

export function checkRetentionDays(fail: ArgFailure, argument: string, days: number | undefined): void {
  if (days === undefined) return;
  const { min, max } = DEAD_LETTER_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < min || days > max) fail(argument, days, `is outside SQS's message retention of ${min}–${max} days`, `Use a whole number from ${min} to ${max}.`);
}

export function createDeadLetterQueue(name: string, args: { retentionDays: number; region?: string }, opts: pulumi.CustomResourceOptions): aws.sqs.Queue {
  return new aws.sqs.Queue(name, { sqsManagedSseEnabled: true, messageRetentionSeconds: args.retentionDays * 24 * 60 * 60, region: args.region }, opts);
}
