/**
 * Lambda's asynchronous invocation, as S3 events and schedules use it: the event is queued and the
 * caller does not wait; a failed attempt is retried (asyncInvoke.maxRetryAttempts, 0–2, default 2)
 * while the event is younger than maxEventAgeSeconds; then it goes to the on-failure destination —
 * the local queue of the function's failure queue (or of `onFailure`'s queue) — as Lambda's
 * invocation record, or is dropped when there is none. A handled event's record (condition
 * "Success", the function's result as responsePayload) goes to `onSuccess`'s queue the same way.
 * A destination that is not an SQS queue named by a known ARN (a topic, a function, an event bus)
 * is the function's own local queue file: nothing is published or invoked (docs/local-vs-aws.md).
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { randomUUID } from "node:crypto";
import type { AsyncDestination, LambdaFunctionSpec } from "../components/lambda/function";
import { LambdaInvokeError, type InvocationTarget } from "./lambda-runtime";
import { lambdaFunctionArn } from "./offline/mocks";
import type { LocalQueues } from "./queues";

export interface AsyncInvokeOptions {
  queues: LocalQueues;
  /** Milliseconds before each retry. Lambda waits about 1 and 2 minutes; locally a second or two keeps `npm start` responsive. @default [1000, 2000] */
  retryDelaysMs?: number[];
  region?: string;
  /**
   * The function's ARN with a qualifier, as the invocation record names it: the local app's sandbox's
   * (`context.lambda(spec).arn(qualifier)`, the ARN `fn.arn` resolves to).
   * @default lambdaFunctionArn(region, spec.name, qualifier), for a function outside a program run (unit tests)
   */
  functionArn?(spec: LambdaFunctionSpec, qualifier: string): string;
  log?(message: string): void;
}

/** The local queue a function's failed events go to, or undefined when it has no on-failure destination. */
export function failureQueueOf(spec: LambdaFunctionSpec): string | undefined {
  if (spec.asyncInvoke?.failureQueueRetentionDays) return `${spec.name}-failures`;
  return destinationQueue(spec.asyncInvoke?.onFailure, `${spec.name}-on-failure`);
}

/** The local queue the records of a function's succeeded events go to, or undefined when it has no on-success destination. */
export function successQueueOf(spec: LambdaFunctionSpec): string | undefined {
  return destinationQueue(spec.asyncInvoke?.onSuccess, `${spec.name}-on-success`);
}

/** A destination's local queue: an SQS queue named by a known ARN is that queue; anything else, the function's own file. */
function destinationQueue(destination: AsyncDestination | undefined, fallback: string): string | undefined {
  if (!destination) return undefined;
  if (destination.type === "sqs" && typeof destination.arn === "string") return destination.arn.split(":").pop();
  return fallback;
}

export type Invoke = (event: unknown, target?: InvocationTarget) => Promise<unknown>;

/**
 * Queues `event` for `spec`'s function, as invoked by `target` (the Invoke API's qualifier and the version it names;
 * unqualified, $LATEST, for S3 events and schedules); resolves once it succeeded, or was given up on (the caller need not wait).
 */
export async function invokeAsync(spec: LambdaFunctionSpec, invoke: Invoke, event: unknown, options: AsyncInvokeOptions, target: InvocationTarget = {}): Promise<"succeeded" | "failed"> {
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
    let result: unknown;
    try {
      result = await invoke(event, target);
    } catch (error) {
      lastError = error as Error;
      options.log?.(`  ${spec.name}: asynchronous invocation ${attempts} of ${maxRetries + 1} failed: ${lastError.message}`);
      continue;
    }
    sendSuccessRecord(spec, options, target, { requestId, attempts, event, result });
    return "succeeded";
  }
  const queue = failureQueueOf(spec);
  const errorType = lastError instanceof LambdaInvokeError ? lastError.errorType : (lastError?.name ?? "Error");
  const errorMessage = lastError instanceof LambdaInvokeError ? lastError.message.replace(`${lastError.functionName}: ${lastError.errorType}: `, "") : (lastError?.message ?? "");
  if (!queue) {
    options.log?.(`  ${spec.name}: event dropped after ${attempts} attempts (no on-failure destination)`);
    return "failed";
  }
  options.queues.send(queue, invocationRecord(spec, options, target, { requestId, condition, attempts, event, responseContext: { statusCode: 200, executedVersion: target.version ?? "$LATEST", functionError: "Unhandled" }, responsePayload: { errorType, errorMessage } }));
  options.log?.(`  ${spec.name}: event sent to ${queue} after ${attempts} attempts`);
  return "failed";
}

/**
 * The handled event's record to the on-success destination. A delivery that fails is logged, not retried as the
 * event: Lambda never runs a handled event again because its destination refused the record (it counts
 * DestinationDeliveryFailures).
 */
function sendSuccessRecord(spec: LambdaFunctionSpec, options: AsyncInvokeOptions, target: InvocationTarget, record: { requestId: string; attempts: number; event: unknown; result: unknown }): void {
  const queue = successQueueOf(spec);
  if (!queue) return;
  try {
    options.queues.send(queue, invocationRecord(spec, options, target, { requestId: record.requestId, condition: "Success", attempts: record.attempts, event: record.event, responseContext: { statusCode: 200, executedVersion: target.version ?? "$LATEST" }, responsePayload: record.result ?? null }));
    options.log?.(`  ${spec.name}: record of the handled event sent to ${queue}`);
  } catch (error) {
    options.log?.(`  ${spec.name}: the record of the handled event could not be sent to ${queue}: ${(error as Error).message}`);
  }
}

/**
 * Lambda's invocation record, the message a destination receives (invocation-async-retain-records.html, whose example
 * names the function `"functionArn": "arn:aws:lambda:sa-east-1:123456789123:function:event-destinations:$LATEST"`).
 */
function invocationRecord(
  spec: LambdaFunctionSpec,
  options: AsyncInvokeOptions,
  target: InvocationTarget,
  record: { requestId: string; condition: string; attempts: number; event: unknown; responseContext: Record<string, unknown>; responsePayload: unknown },
) {
  return {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: record.requestId,
      functionArn: (options.functionArn ?? ((s, qualifier) => lambdaFunctionArn(options.region ?? "us-east-1", s.name, qualifier)))(spec, target.qualifier ?? "$LATEST"),
      condition: record.condition,
      approximateInvokeCount: record.attempts,
    },
    requestPayload: record.event,
    responseContext: record.responseContext,
    responsePayload: record.responsePayload,
  };
}
