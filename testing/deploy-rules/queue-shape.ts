/**
 * How the SQS and SNS deploy rules read a queue's type and a redrive policy (internal to the rule pack; not exported
 * from serverless-fullstack/testing).
 */
import type { RecordedResource } from "../../local/offline/mocks";

/** Whether the queue (or, outside the plan, the queue its ARN names) is FIFO. */
export const isFifo = (queue: RecordedResource | undefined, arn: string): boolean => (queue ? queue.inputs.fifoQueue === true : arn.endsWith(".fifo"));

/** A redrive policy (JSON text or object, a queue's or an SNS subscription's) as read, or undefined when it is not one. */
export function redriveTarget(policy: unknown): { deadLetterTargetArn?: unknown } | undefined {
  if (typeof policy === "string") {
    try {
      return JSON.parse(policy) as { deadLetterTargetArn?: unknown };
    } catch {
      return undefined;
    }
  }
  return policy && typeof policy === "object" ? (policy as { deadLetterTargetArn?: unknown }) : undefined;
}
