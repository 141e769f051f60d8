/**
 * SQS SendMessage, signed with SigV4 (./sigv4.ts) and sent with `fetch` over SQS's AWS JSON 1.0 protocol, instead of
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
import { AwsServiceError, withRetries } from "./retries";
import { signerFor } from "./sigv4";
import { traceCall } from "./xray";

const JSON_10 = "application/x-amz-json-1.0";

export interface SentMessage {
  messageId: string;
  $metadata: { httpStatusCode: number; requestId?: string; attempts?: number };
}

/** One SendMessage request; `signal` ends it, answer body included, when the attempt's time is up. */
async function attempt(queueUrl: string, region: string, body: string, payload: string, traceHeader: string | undefined, signal: AbortSignal): Promise<SentMessage> {
  const origin = new URL(queueUrl);
  const signed = await signerFor("sqs", region).sign({
    method: "POST",
    protocol: origin.protocol,
    hostname: origin.hostname,
    ...(origin.port ? { port: Number(origin.port) } : {}),
    path: "/",
    query: {},
    headers: {
      host: origin.host,
      "content-type": JSON_10,
      "x-amz-target": "AmazonSQS.SendMessage",
      ...(traceHeader ? { "x-amzn-trace-id": traceHeader } : {}),
    },
    body: payload,
  });
  const response = await fetch(`${origin.origin}/`, { method: "POST", headers: signed.headers, body: payload, signal });
  const $metadata = { httpStatusCode: response.status, requestId: response.headers.get("x-amzn-requestid") ?? undefined };
  const text = await response.text();
  let answer: Record<string, unknown> = {};
  try {
    answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // An answer that is not JSON (a proxy's error page): its status says what happened.
  }
  if (response.status >= 300) {
    // "com.amazonaws.sqs#QueueDoesNotExist" → QueueDoesNotExist, as the SDK names the error.
    const type = String(answer.__type ?? `SQS ${response.status}`).split("#").pop()!;
    throw new AwsServiceError(type, String(answer.message ?? answer.Message ?? `SendMessage to ${queueUrl} failed`), $metadata);
  }
  // SQS answers the MD5 of the body it stored; a mismatch means the message was changed on the way.
  const md5 = createHash("md5").update(body, "utf8").digest("hex");
  if (answer.MD5OfMessageBody !== md5) throw new AwsServiceError("InvalidChecksum", `SQS stored a body whose MD5 is ${String(answer.MD5OfMessageBody)}, not ${md5}`, $metadata);
  return { messageId: String(answer.MessageId ?? ""), $metadata };
}

/** Sends `body` to the queue at `queueUrl`, which is in `region`; resolves with SQS's message id once SQS has the message. */
export function sendMessage(queueUrl: string, region: string, body: string): Promise<SentMessage> {
  const payload = JSON.stringify({ QueueUrl: queueUrl, MessageBody: body });
  return traceCall(
    { service: "SQS", operation: "SendMessage", input: { QueueUrl: queueUrl }, region: async () => region },
    (traceHeader) => withRetries((signal) => attempt(queueUrl, region, body, payload, traceHeader, signal)),
    (sent) => sent.$metadata,
  );
}
