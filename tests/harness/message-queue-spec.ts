/**
 * A MessageQueueSpec for local runtime tests: what MessageQueue normalises to for a standard queue `jobs-1a2b3c`
 * (dead-letter queue `jobs-dlq-4d5e6f`) with AWS's defaults, consumed by `consumer` in batches of 10.
 */
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import type { MessageQueueSpec } from "../../components/message-queue/spec";

export function messageQueueSpec(consumer: LambdaFunctionSpec, overrides: Partial<MessageQueueSpec> = {}): MessageQueueSpec {
  return {
    name: "jobs",
    queueName: "jobs-1a2b3c",
    deadLetterQueueName: "jobs-dlq-4d5e6f",
    fifo: false,
    contentBasedDeduplication: false,
    visibilityTimeoutSeconds: 60,
    messageRetentionSeconds: 345_600,
    deadLetterRetentionSeconds: 1_209_600,
    delaySeconds: 0,
    maximumMessageBytes: 1_048_576,
    maxReceiveCount: 5,
    consumer: { function: consumer, batchSize: 10, maxBatchingWindowSeconds: 0, reportBatchItemFailures: true },
    ...overrides,
  };
}
