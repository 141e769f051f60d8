/**
 * SQS SendMessage, signed with SigV4 (./sigv4.ts) and sent with `fetch` over SQS's AWS JSON 1.0 protocol, instead of
 * `@aws-sdk/client-sqs`: that client adds ≈27 KB minified to the photos bundle (316 → 343 KB, against the 350 KB every
 * API bundle must stay under; docs/performance.md) for this one call. What it did that matters here is kept: the
 * request goes to the queue URL's origin (the SDK's queueUrlMiddleware does the same, and locally that URL is the
 * local SQS server's), it is signed for the queue's region (not the function's: RegionalApis' other regions send to
 * the home region's queue), errors carry SQS's error code as `name` and `$metadata.httpStatusCode` as the SDK's do,
 * throttling, 5xx and network failures are retried (three attempts, exponential backoff with full jitter, as the
 * SDK's standard retry mode), and each call is an X-Ray subsegment. Each attempt also has its own time limit
 * (ATTEMPT_TIMEOUT_MS; fetch itself would wait up to undici's 300 s for headers): a stalled connection is abandoned
 * and retried like any other network failure, instead of holding the caller until its Lambda or API Gateway times out.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import { createHash } from "node:crypto";
import { signerFor } from "./sigv4";
import { traceCall } from "./xray";

const JSON_10 = "application/x-amz-json-1.0";
/** The SDK's standard retry mode: three attempts in all. */
const MAX_ATTEMPTS = 3;
/** Base backoff of the SDK's standard retry mode (ms): attempt n waits up to base · 2ⁿ, at random. */
const BASE_DELAY_MS = 100;
/**
 * Time limit of one attempt, answer body included (ms). SendMessage answers in milliseconds, also across regions; three
 * stalled attempts and their backoff (≤ 3 × 2 s + 0.6 s) still leave an API route's 10 s (LambdaFunction's default
 * timeout) room to answer 500 rather than time out.
 */
export const ATTEMPT_TIMEOUT_MS = 2_000;

/** An SQS error as the SDK would throw it: name (SQS's error code) and `$metadata`. */
export class SqsError extends Error {
  constructor(
    readonly name: string,
    message: string,
    readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number },
  ) {
    super(message);
  }
}

export interface SentMessage {
  messageId: string;
  $metadata: { httpStatusCode: number; requestId?: string; attempts: number };
}

/** Errors worth another attempt: throttling, SQS's faults, and requests that never got an answer. */
function retryable(error: unknown): boolean {
  if (!(error instanceof SqsError)) return true; // fetch failed: DNS, connection reset, the attempt's time limit (TimeoutError)
  const status = error.$metadata.httpStatusCode ?? 0;
  return status >= 500 || status === 429 || /Throttl/.test(error.name);
}

async function attempt(queueUrl: string, region: string, payload: string, traceHeader: string | undefined): Promise<{ status: number; requestId?: string; body: Record<string, unknown> }> {
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
  // The signal also ends the body's read below: an answer that stalls half-way is a timed-out attempt too.
  const response = await fetch(`${origin.origin}/`, { method: "POST", headers: signed.headers, body: payload, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
  const requestId = response.headers.get("x-amzn-requestid") ?? undefined;
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // An answer that is not JSON (a proxy's error page): its status says what happened.
  }
  if (response.status >= 300) {
    // "com.amazonaws.sqs#QueueDoesNotExist" → QueueDoesNotExist, as the SDK names the error.
    const type = String(body.__type ?? `SQS ${response.status}`).split("#").pop()!;
    throw new SqsError(type, String(body.message ?? body.Message ?? `SendMessage to ${queueUrl} failed`), { httpStatusCode: response.status, requestId });
  }
  return { status: response.status, requestId, body };
}

/** Sends `body` to the queue at `queueUrl`, which is in `region`; resolves with SQS's message id once SQS has the message. */
export function sendMessage(queueUrl: string, region: string, body: string): Promise<SentMessage> {
  const payload = JSON.stringify({ QueueUrl: queueUrl, MessageBody: body });
  return traceCall(
    { service: "SQS", operation: "SendMessage", input: { QueueUrl: queueUrl }, region: async () => region },
    async (traceHeader) => {
      for (let attempts = 1; ; attempts++) {
        try {
          const sent = await attempt(queueUrl, region, payload, traceHeader);
          const messageId = String(sent.body.MessageId ?? "");
          // SQS answers the MD5 of the body it stored; a mismatch means the message was changed on the way.
          const md5 = createHash("md5").update(body, "utf8").digest("hex");
          if (sent.body.MD5OfMessageBody !== md5) throw new SqsError("InvalidChecksum", `SQS stored a body whose MD5 is ${String(sent.body.MD5OfMessageBody)}, not ${md5}`, { httpStatusCode: sent.status, requestId: sent.requestId, attempts });
          return { messageId, $metadata: { httpStatusCode: sent.status, requestId: sent.requestId, attempts } };
        } catch (error) {
          if (error instanceof SqsError) error.$metadata.attempts = attempts;
          if (attempts >= MAX_ATTEMPTS || !retryable(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * BASE_DELAY_MS * 2 ** attempts));
        }
      }
    },
    (sent) => sent.$metadata,
  );
}
