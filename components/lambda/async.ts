/**
 * A LambdaFunction's own failure queue for asynchronous invocations (S3 events, schedules,
 * `InvocationType: Event`): Lambda retries a failed event 0–2 times, then sends it — with the
 * request, the response and the error — to the on-failure destination.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../iam";
import { createDeadLetterQueue } from "../queues";

/** The queue, and the statement that lets the function's role send to it (Lambda sends with the execution role). */
export function createFailureQueue(name: string, retentionDays: number, region: string | undefined, parent: pulumi.Resource): { queue: aws.sqs.Queue; grant: PolicyStatement } {
  const queue = createDeadLetterQueue(`${name}-failures`, { retentionDays, region }, { parent });
  return { queue, grant: { sid: "SendFailedEvents", actions: ["sqs:SendMessage"], resources: [queue.arn] } };
}
