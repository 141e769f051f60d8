/**
 * Lambda's asynchronous invocation, as S3 events and schedules use it: the event is queued and the
 * caller does not wait; a failed attempt is retried (asyncInvoke.maxRetryAttempts, 0–2, default 2)
 * while the event is younger than maxEventAgeSeconds; then it goes to the on-failure destination —
 * the local queue of the function's failure queue (or of `onFailure`'s queue) — as Lambda's
 * invocation record, or is dropped when there is none.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { randomUUID } from "node:crypto";
import type { LambdaFunctionSpec } from "../components/lambda/function";
import { LambdaInvokeError } from "./lambda-runtime";
import type { LocalQueues } from "./queues";

export interface AsyncInvokeOptions {
  queues: LocalQueues;
  /** Milliseconds before each retry. Lambda waits about 1 and 2 minutes; locally a second or two keeps `npm start` responsive. @default [1000, 2000] */
  retryDelaysMs?: number[];
  region?: string;
  log?(message: string): void;
}

/** The local queue a function's failed events go to, or undefined when it has no on-failure destination. */
export function failureQueueOf(spec: LambdaFunctionSpec): string | undefined {
  if (spec.asyncInvoke?.failureQueueRetentionDays) return `${spec.name}-failures`;
  const arn = spec.asyncInvoke?.onFailure;
  if (arn?.type === "sqs" && typeof arn.arn === "string") return arn.arn.split(":").pop();
  return spec.asyncInvoke?.onFailure ? `${spec.name}-on-failure` : undefined;
}

export type Invoke = (event: unknown) => Promise<unknown>;

/** Queues `event` for `spec`'s function; resolves once it succeeded, or was given up on (the caller need not wait). */
export async function invokeAsync(spec: LambdaFunctionSpec, invoke: Invoke, event: unknown, options: AsyncInvokeOptions): Promise<"succeeded" | "failed"> {
  const maxRetries = spec.asyncInvoke?.maxRetryAttempts ?? 2;
  const maxAgeMs = (spec.asyncInvoke?.maxEventAgeSeconds ?? 21600) * 1000;
  const delays = options.retryDelaysMs ?? [1000, 2000];
  const started = Date.now();
  const requestId = randomUUID();
  let lastError: LambdaInvokeError | Error | undefined;
  let attempts = 0;
  let condition = "RetriesExhausted";
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    if (attempt > 0) {
      await new Promise((resolve) => setTimeout(resolve, delays[Math.min(attempt - 1, delays.length - 1)] ?? 0));
      if (Date.now() - started > maxAgeMs) {
        condition = "EventAgeExceeded";
        break;
      }
    }
    attempts += 1;
    try {
      await invoke(event);
      return "succeeded";
    } catch (error) {
      lastError = error as Error;
      options.log?.(`  ${spec.name}: asynchronous invocation ${attempts} of ${maxRetries + 1} failed: ${lastError.message}`);
    }
  }
  const queue = failureQueueOf(spec);
  const errorType = lastError instanceof LambdaInvokeError ? lastError.errorType : (lastError?.name ?? "Error");
  const errorMessage = lastError instanceof LambdaInvokeError ? lastError.message.replace(`${lastError.functionName}: ${lastError.errorType}: `, "") : (lastError?.message ?? "");
  if (!queue) {
    options.log?.(`  ${spec.name}: event dropped after ${attempts} attempts (no on-failure destination)`);
    return "failed";
  }
  options.queues.send(queue, {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId,
      functionArn: `arn:aws:lambda:${options.region ?? "us-east-1"}:000000000000:function:${spec.name}:$LATEST`,
      condition,
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType, errorMessage },
  });
  options.log?.(`  ${spec.name}: event sent to ${queue} after ${attempts} attempts`);
  return "failed";
}
