/**
 * SQS SendMessage, signed with SigV4 and sent with `fetch` over SQS's AWS JSON 1.0 protocol (./aws-json.ts), instead of
 * `@aws-sdk/client-sqs`: that client adds ≈27 KB minified to the photos bundle (316 → 343 KB, against the 350 KB every
 * API bundle must stay under; docs/performance.md) for this one call. What it did that matters here is kept: the
 * request goes to the queue URL's origin (the SDK's queueUrlMiddleware does the same, and locally that URL is the
 * local SQS server's), it is signed for the queue's region (not the function's: RegionalApis' other regions send to
 * the home region's queue), errors carry SQS's error code as `name` and `$metadata.httpStatusCode` as the SDK's do,
 * throttling, faults, network failures and stalled attempts are retried as the SDK's standard retry mode does, each
 * attempt with its own time limit (./retries.ts), and each call is an X-Ray subsegment.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
import { createHash } from "node:crypto";
import { awsJsonCall, type AwsJsonAnswer } from "./aws-json";
import { AwsServiceError } from "./retries";

export interface SentMessage {
  messageId: string;
  $metadata: AwsJsonAnswer["$metadata"];
}

/** Sends `body` to the queue at `queueUrl`, which is in `region`; resolves with SQS's message id once SQS has the message. */
export async function sendMessage(queueUrl: string, region: string, body: string): Promise<SentMessage> {
  // SQS answers the MD5 of the body it stored; a mismatch means the message was changed on the way (checked per attempt).
  const md5 = createHash("md5").update(body, "utf8").digest("hex");
  const { answer, $metadata } = await awsJsonCall(
    {
      service: "sqs",
      traceName: "SQS",
      operation: "SendMessage",
      target: "AmazonSQS.SendMessage",
      contentType: "application/x-amz-json-1.0",
      endpoint: queueUrl,
      region,
      traceInput: { QueueUrl: queueUrl },
      body: { QueueUrl: queueUrl, MessageBody: body },
    },
    ({ answer, $metadata }) => {
      if (answer.MD5OfMessageBody !== md5) throw new AwsServiceError("InvalidChecksum", `SQS stored a body whose MD5 is ${String(answer.MD5OfMessageBody)}, not ${md5}`, $metadata);
    },
  );
  return { messageId: String(answer.MessageId ?? ""), $metadata };
}
