/**
 * Retries and per-attempt time limits for the AWS requests the gallery's functions sign and send themselves with
 * `fetch` (S3 in photo-objects.ts, SQS in queue-messages.ts) instead of through an SDK client.
 *
 * What the SDK's standard retry mode does is kept: three attempts in all, exponential backoff with full jitter, and
 * the SDK's own classification of what is worth another attempt (throttling, transient and server errors, from
 * `@smithy/core/retry`, which the DynamoDB client already brings into each bundle). A request that never got an answer
 * (DNS, a reset connection, the attempt's time limit) is retried too; these requests are reads, idempotent deletes and
 * SendMessage (whose duplicate a consumer already tolerates: SQS delivers at least once).
 *
 * Each attempt also has its own time limit, answer body included: fetch alone would wait up to undici's 300 s for
 * headers, so one stalled connection would hold the caller until its Lambda or API Gateway timed out. The SDK has no
 * such limit by default either; its retries only help once a request has failed.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";

/** The SDK's standard retry mode: three attempts in all. */
export const MAX_ATTEMPTS = 3;
/** Base backoff of the SDK's standard retry mode (ms): attempt n waits up to base · 2ⁿ, at random. */
const BASE_DELAY_MS = 100;
/**
 * Time limit of one attempt, answer body included (ms). These requests answer in milliseconds, also across regions;
 * three stalled attempts and their backoff (≤ 3 × 2 s + 0.6 s) still leave an API route's 10 s (LambdaFunction's
 * default timeout) room to answer 500 rather than time out, and a removal batch's 10 s room to report its failures.
 */
export const ATTEMPT_TIMEOUT_MS = 2_000;

export interface AwsMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  /** Attempts made, the last one included. */
  attempts?: number;
}

/** An error the service answered with, as the SDK would throw it: name (the service's error code) and `$metadata`. */
export class AwsServiceError extends Error {
  /** Narrowed as the SDK's errors declare it (`SdkError`), so the SDK's classifiers take this error. */
  declare readonly cause?: Error;
  constructor(
    readonly name: string,
    message: string,
    readonly $metadata: AwsMetadata,
  ) {
    super(message);
  }
}

/**
 * Worth another attempt: the SDK's throttling, transient and server errors, and requests that never got an answer — the
 * attempt's time limit (TimeoutError) or fetch's own failure (undici's TypeError "fetch failed": DNS, a refused or reset
 * connection; "terminated": dropped mid-answer). Not what failed before the request left (signing, credentials): the next attempt would fail the same.
 */
export function retryable(error: unknown): boolean {
  if (error instanceof AwsServiceError) return isThrottlingError(error) || isTransientError(error) || isServerError(error);
  const name = (error as Error | undefined)?.name;
  // undici's TypeErrors for no answer: "fetch failed" (no response) and "terminated" (the connection dropped while
  // the answer's body was read).
  return name === "TimeoutError" || (error instanceof TypeError && (error.message === "fetch failed" || error.message === "terminated"));
}

/**
 * The pause between attempts and its random source: the real clock and Math.random unless a test hands in its own, to
 * see the delays drawn without waiting them out.
 */
export interface Backoff {
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1), as Math.random draws it. */
  random(): number;
}

/** What production uses: setTimeout and Math.random (looked up at each call, so a spy on Math.random still applies). */
export const realBackoff: Backoff = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/**
 * Runs `attempt` until it succeeds, fails with an error not worth retrying, or has run MAX_ATTEMPTS times. Each run gets
 * its own time-limit signal, to hand to fetch. The result's and the last error's `$metadata.attempts` say how many ran.
 * Between attempts it pauses with full jitter, as the SDK's standard mode does: after attempt n, random · base · 2ⁿ ms
 * (the SDK's own draw, @smithy/core DefaultRetryBackoffStrategy, is random · min(base · 2ⁿ⁻¹, 20 s), with a larger base
 * for throttling errors: these pauses are up to twice its first ones, and the same for every error).
 */
export async function withRetries<T extends { $metadata: AwsMetadata }>(
  attempt: (signal: AbortSignal) => Promise<T>,
  backoff: Backoff = realBackoff,
): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      const result = await attempt(AbortSignal.timeout(ATTEMPT_TIMEOUT_MS));
      result.$metadata.attempts = attempts;
      return result;
    } catch (error) {
      if (error instanceof AwsServiceError) error.$metadata.attempts = attempts;
      if (attempts >= MAX_ATTEMPTS || !retryable(error)) throw error;
      await backoff.sleep(backoff.random() * BASE_DELAY_MS * 2 ** attempts);
    }
  }
}
