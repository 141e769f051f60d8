/**
 * Lambda's event source mapping for a stream (DynamoDB Streams, Kinesis), as the local emulators drive it: one batch of
 * a shard's records is delivered before the next, in order; a partial batch response
 * (`{ batchItemFailures: [{ itemIdentifier: <sequence number> }] }`) retries from the lowest failed record on ("Lambda
 * uses the record with the lowest sequence number as the checkpoint", an identifier of no record of the batch fails
 * the whole batch); a function error retries the whole batch, first split in two when `bisectBatchOnFunctionError` is
 * on ("Splitting a batch does not count towards the retry quota", Lambda's with-kinesis and with-ddb pages); after
 * `maximumRetryAttempts` retries (-1: until the caller stops) the rest of the batch is given up on (`giveUp`: the
 * on-failure destination). Before each try, records older than the mapping's maximum record age are given up on
 * ("Lambda retries until the records in the batch expire, exceed the maximum age, or reach the configured retry
 * quota"). https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-batchfailurereporting.html
 *
 * Lambda's 6 MB synchronous payload limit: a batch is first cut into events that fit it ("Lambda passes all of the
 * records in the batch to the function in a single call, up to the payload limit for synchronous invocation (6 MB)",
 * API_EventSourceMappingConfiguration / API_CreateEventSourceMapping, BatchSize), in order; a record whose event alone
 * does not fit is refused by Lambda's Invoke (RequestEntityTooLargeException, "Request must be smaller than 6291456
 * bytes"), which is the mapping being "unable to invoke the function": "it retries until the records expire or exceed
 * the maximum age configured on the event source mapping (MaximumRecordAgeInSeconds)", with no retry quota and no
 * bisection, which the guide gives for function errors only ("During invocation: If the function is invoked but returns
 * an error, Lambda retries until the records expire, exceed the maximum age …, or reach the configured retry quota …
 * For function errors, you can also configure BisectBatchOnFunctionError")
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). A throttled invocation (Invoke's
 * TooManyRequestsException, what the local function throws for `reservedConcurrency: 0`) is the same case, the
 * guide's "unable to invoke the function due to throttling". What Lambda does with such records is not documented
 * beyond that; the on-failure record's condition (RecordAgeExceeded, the one the age check gives) and
 * approximateInvokeCount (the invocations that did run) are this reading's, not confirmed.
 */
import { LambdaInvokeError } from "./lambda-runtime";
import { payloadBatches } from "./sqs-event-source";

/**
 * Lambda's refusals of an invocation that make a stream mapping "unable to invoke the function": retried until the
 * records are older than the maximum age (or the caller stops), no retry spent, no bisection. The payload limit
 * (RequestEntityTooLargeException) and a throttle: Invoke's TooManyRequestsException (HTTP 429, "The request throughput
 * limit was exceeded", https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html), whose Reason
 * (ReservedFunctionConcurrentInvocationLimitExceeded, ConcurrentInvocationLimitExceeded, …) names which limit, not
 * another error type; locally it is thrown for a reservation of 0 (LocalLambda.invoke), the only limit emulated.
 */
const UNABLE_TO_INVOKE: ReadonlySet<string> = new Set(["RequestEntityTooLargeException", "TooManyRequestsException"]);

export interface StreamBatchSettings {
  bisectBatchOnFunctionError: boolean;
  /** -1: retry until `stopped()`. */
  maximumRetryAttempts: number;
}

/**
 * The age in seconds past which a record is given up on (RecordAgeExceeded) before a try: the mapping's
 * maximumRecordAgeInSeconds or the stream's retention, whichever is shorter, the retention alone for -1 ("-1 means
 * infinite: Lambda doesn't discard records (Kinesis Data Streams data retention settings still apply)",
 * services-kinesis-parameters.html).
 */
export function maximumAgeSeconds(maximumRecordAgeInSeconds: number, retentionSeconds: number): number {
  return maximumRecordAgeInSeconds >= 0 ? Math.min(maximumRecordAgeInSeconds, retentionSeconds) : retentionSeconds;
}

/** Why records were given up on, as Lambda's on-failure record names it (requestContext.condition). */
export type GiveUpCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

export interface StreamBatchDelivery<R> {
  settings: StreamBatchSettings;
  /** Invokes the function with a batch; resolves with its response, rejects when it fails. */
  invoke(batch: R[]): Promise<unknown>;
  /** The record's sequence number, what a partial batch response names it by. */
  sequenceOf(record: R): string;
  /**
   * The records given up on: after `attempts` retries (RetryAttemptsExhausted, with the last function error if any),
   * or for their age (RecordAgeExceeded). Resolves once they are recorded (the on-failure destination).
   */
  giveUp(records: R[], attempts: number, condition: GiveUpCondition, error?: Error): void | Promise<void>;
  /** Whether a record is past the mapping's maximum record age now; checked before each try. @default never */
  expired?(record: R): boolean;
  /** Called when an invocation fails (a thrown error, a timeout); a refusal Lambda repeats (unable to invoke), once a batch. */
  failed?(error: Error): void;
  /** Milliseconds before each retry. @default 0 (the retry still waits for the event loop's next turn) */
  retryDelayMs?: number;
  /** True once the stream's emulator stops: retries end (the records are neither delivered nor given up on). */
  stopped?(): boolean;
  /** Aborted when the emulator stops: a retry's wait ends at once, its timer cleared (a stop never waits on it). */
  signal?: AbortSignal;
  /** Called once each event (an in-order run of the records, cut to the payload limit) was handled, before the next is tried: a checkpoint may pass it. */
  handled?(records: R[]): void;
}

/**
 * Delivers `records` (one shard's, in order) as one batch, cut into events that fit Lambda's synchronous payload limit,
 * with Lambda's retries. Resolves true once each record succeeded or was given up on, false when the emulator stopped
 * first (the batch is not handled: a checkpoint must not pass it).
 */
export async function deliverStreamBatch<R>(records: R[], delivery: StreamBatchDelivery<R>): Promise<boolean> {
  // Each record is serialised once, here, to cut the events; each event is then delivered (and retried) as it is.
  for (const event of payloadBatches(records)) {
    if (!(await deliverEvent(event, delivery))) return false;
    delivery.handled?.(event);
  }
  return true;
}

/** Delivers one event's records with Lambda's retries: true once each succeeded or was given up on, false when the emulator stopped first. */
async function deliverEvent<R>(records: R[], delivery: StreamBatchDelivery<R>): Promise<boolean> {
  const { settings } = delivery;
  // Batches still to deliver, in order; bisecting replaces one with its two halves. `refused`: Lambda refused the
  // batch's last try (unable to invoke), which spends no retry.
  const pending: Array<{ records: R[]; attempts: number; refused?: boolean }> = [{ records, attempts: 0 }];
  while (pending.length > 0) {
    if (delivery.stopped?.()) return false;
    const batch = pending[0];
    const expired = delivery.expired ? batch.records.filter((r) => delivery.expired!(r)) : [];
    if (expired.length > 0) {
      await delivery.giveUp(expired, batch.attempts, "RecordAgeExceeded");
      batch.records = batch.records.filter((r) => !expired.includes(r));
      if (batch.records.length === 0) pending.shift();
      continue;
    }
    pending.shift();
    const outcome = await deliverOnce(batch.records, delivery);
    if (outcome.retryFrom === undefined) continue;
    const rest = batch.records.slice(outcome.retryFrom);
    const refused = outcome.error instanceof LambdaInvokeError && UNABLE_TO_INVOKE.has(outcome.error.errorType);
    if (outcome.error && !(refused && batch.refused)) delivery.failed?.(outcome.error);
    if (refused) {
      // Unable to invoke: tried again as it is until its records pass the maximum age (checked above) or the emulator
      // stops; not a retry of the function (maximumRetryAttempts) and not bisected.
      await pause(delivery.retryDelayMs, delivery.signal);
      pending.unshift({ records: rest, attempts: batch.attempts, refused: true });
      continue;
    }
    if (outcome.error && settings.bisectBatchOnFunctionError && rest.length > 1) {
      // Bisect on function error: each half is tried next, so a poison record is isolated. Not a retry: the halves
      // keep the batch's retry count.
      const half = Math.ceil(rest.length / 2);
      pending.unshift({ records: rest.slice(0, half), attempts: batch.attempts }, { records: rest.slice(half), attempts: batch.attempts });
      continue;
    }
    if (settings.maximumRetryAttempts >= 0 && batch.attempts >= settings.maximumRetryAttempts) {
      await delivery.giveUp(rest, batch.attempts, "RetryAttemptsExhausted", outcome.error);
      continue;
    }
    await pause(delivery.retryDelayMs, delivery.signal);
    // Retry: from the first failed record of a partial batch response, or the whole (unsplittable) batch.
    pending.unshift({ records: rest, attempts: batch.attempts + 1 });
  }
  return true;
}

/**
 * The wait before a retry: `ms`, or until `signal` aborts (the timer is cleared). With no delay it still waits for the
 * event loop's next turn: a refusal (LocalLambda.invoke rejects an event over 6 MB, or any event of a function that
 * reserves no concurrency, before any I/O) retried in a loop of settled promises alone would hold the process until
 * the records' maximum age, answering nothing, stop included.
 */
function pause(ms: number | undefined, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  if (!ms) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Where to retry from (undefined: the whole batch succeeded), and the function's error when it failed. */
async function deliverOnce<R>(batch: R[], delivery: StreamBatchDelivery<R>): Promise<{ retryFrom?: number; error?: Error }> {
  try {
    const response = (await delivery.invoke(batch)) as { batchItemFailures?: unknown } | null | undefined;
    const failures = response?.batchItemFailures;
    // "Lambda treats a batch as a complete success if … empty batchItemFailures list, null batchItemFailures list"; a
    // response it cannot read as one (not a list, an entry that is no object, an empty, null or unknown identifier) is
    // "a complete failure" of the batch: retried whole, as the function's answer, not its error (no bisection)
    // (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html; bisection is for a failed
    // invocation, "If the invocation fails and BisectBatchOnFunctionError is turned on").
    if (failures === null || failures === undefined || (Array.isArray(failures) && failures.length === 0)) return {};
    if (!Array.isArray(failures)) return { retryFrom: 0 };
    const indexes = failures.map((f: unknown) => (f !== null && typeof f === "object" ? batch.findIndex((r) => delivery.sequenceOf(r) === (f as { itemIdentifier?: unknown }).itemIdentifier) : -1));
    return { retryFrom: indexes.some((i) => i < 0) ? 0 : Math.min(...indexes) };
  } catch (error) {
    return { retryFrom: 0, error: error as Error };
  }
}
