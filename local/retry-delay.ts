/**
 * The local event source mappings' wait before a failed batch or poll is tried again (retryDelayMs): DynamoDB's stream
 * pump (local/dynamodb/streams.ts), the Kinesis mapping (local/kinesis-server.ts) and the SQS event source
 * (local/sqs-event-source.ts). Lambda documents no such interval; locally it is 1000 ms unless a caller (a test) says.
 */

/**
 * The default wait. Retries can last until the records' maximum age (a day by default): a record whose event Lambda
 * refuses as over 6 MB or throttles (stream-batches.ts: "unable to invoke", no retry count), maximumRetryAttempts -1,
 * an SQS poll that keeps failing. With no wait, such a retry would loop, holding a core, and a stop would wait on it.
 */
export const RETRY_DELAY_MS = 1000;

/** The most Node's timers keep: a longer delay is 1 ms to setTimeout (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * `ms` (an option named retryDelayMs; RETRY_DELAY_MS when absent) if Node's timers keep it: a negative or
 * over-2147483647 delay is 1 ms to setTimeout, and NaN none at all (stream-batches.ts pause), so such a retry would
 * loop as if there were no wait. Refused with a RangeError naming `owner` (e.g. "local Kinesis") and the option.
 */
export function retryDelayOf(ms: number | undefined, owner: string): number {
  if (ms === undefined) return RETRY_DELAY_MS;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    throw new RangeError(`${owner}: retryDelayMs must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${String(ms)}`);
  }
  return ms;
}
