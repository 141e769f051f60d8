/**
 * One request in AWS's JSON protocols (a POST with `X-Amz-Target` and a JSON body), signed with SigV4 (./sigv4.ts) and
 * sent with `fetch`, for the calls the gallery's functions make without an SDK client (SQS SendMessage in
 * queue-messages.ts, EventBridge PutEvents and Step Functions DescribeExecution in album-events.ts): each client would
 * add tens of KB to an API bundle that must stay under 350 KB (docs/performance.md) for one call. What the SDK does
 * that matters here is kept: errors carry
 * the service's error code as `name` and `$metadata.httpStatusCode`, throttling, faults, network failures and stalled
 * attempts are retried as the SDK's standard retry mode does, each attempt with its own time limit (./retries.ts), and
 * each call is an X-Ray subsegment.
 */
import { AwsServiceError, withRetries, type AwsMetadata } from "./retries";
import { signerFor } from "./sigv4";
import { traceCall } from "./xray";

export interface AwsJsonCall {
  /** The signing name (`sqs`, `events`, `states`). */
  service: string;
  /** The service's name in X-Ray (`SQS`, `EventBridge`, `SFN`). */
  traceName: string;
  /** The operation, for X-Ray and errors (`SendMessage`). */
  operation: string;
  /** `X-Amz-Target` (`AmazonSQS.SendMessage`). */
  target: string;
  /** `application/x-amz-json-1.0` or `-1.1`, as the service's protocol is. */
  contentType: string;
  /** Where to send: the service's endpoint (or a queue URL, whose origin SQS takes requests at). */
  endpoint: string;
  region: string;
  /** What X-Ray records of the request (no message bodies). */
  traceInput: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface AwsJsonAnswer {
  answer: Record<string, unknown>;
  $metadata: AwsMetadata & { httpStatusCode: number };
}

async function attempt(call: AwsJsonCall, payload: string, traceHeader: string | undefined, signal: AbortSignal): Promise<AwsJsonAnswer> {
  const origin = new URL(call.endpoint);
  const signed = await signerFor(call.service, call.region).sign({
    method: "POST",
    protocol: origin.protocol,
    hostname: origin.hostname,
    ...(origin.port ? { port: Number(origin.port) } : {}),
    path: "/",
    query: {},
    headers: { host: origin.host, "content-type": call.contentType, "x-amz-target": call.target, ...(traceHeader ? { "x-amzn-trace-id": traceHeader } : {}) },
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
    const type = String(answer.__type ?? `${call.traceName} ${response.status}`).split("#").pop()!;
    throw new AwsServiceError(type, String(answer.message ?? answer.Message ?? `${call.operation} at ${call.endpoint} failed`), $metadata);
  }
  return { answer, $metadata };
}

/** Sends `call`, retried as the SDK's standard mode retries; resolves with the service's JSON answer. */
export function awsJsonCall(call: AwsJsonCall, check: (answer: AwsJsonAnswer) => void = () => {}): Promise<AwsJsonAnswer> {
  const payload = JSON.stringify(call.body);
  return traceCall(
    { service: call.traceName, operation: call.operation, input: call.traceInput, region: async () => call.region },
    (traceHeader) =>
      withRetries(async (signal) => {
        const answered = await attempt(call, payload, traceHeader, signal);
        check(answered);
        return answered;
      }),
    (answered) => answered.$metadata,
  );
}
