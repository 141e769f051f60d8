/**
 * Lambda's event source mapping for a stream (DynamoDB Streams, Kinesis), as the local emulators drive it: one batch of
 * a shard's records is delivered before the next, in order; a partial batch response
 * (`{ batchItemFailures: [{ itemIdentifier: <sequence number> }] }`) retries from the lowest failed record on ("Lambda
 * uses the record with the lowest sequence number as the checkpoint", an identifier of no record of the batch fails
 * the whole batch); a function error retries the whole batch, bisected when `bisectBatchOnFunctionError` is on; after
 * `maximumRetryAttempts` retries (-1: until the caller stops) the rest of the batch is given up on (`giveUp`: the
 * on-failure destination). https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-batchfailurereporting.html
 */

export interface StreamBatchSettings {
  bisectBatchOnFunctionError: boolean;
  /** -1: retry until `stopped()`. */
  maximumRetryAttempts: number;
}

export interface StreamBatchDelivery<R> {
  settings: StreamBatchSettings;
  /** Invokes the function with a batch; resolves with its response, rejects when it fails. */
  invoke(batch: R[]): Promise<unknown>;
  /** The record's sequence number, what a partial batch response names it by. */
  sequenceOf(record: R): string;
  /** The records given up on after `attempts` retries, and the last error (a function error) if any. */
  giveUp(records: R[], attempts: number, error?: Error): void | Promise<void>;
  /** Called when an invocation fails (a thrown error, a timeout). */
  failed?(error: Error): void;
  /** Milliseconds before each retry. @default 0 */
  retryDelayMs?: number;
  /** True once the stream's emulator stops: retries end (the records are neither delivered nor given up on). */
  stopped?(): boolean;
}

/** Delivers `records` (one shard's, in order) as one batch, with Lambda's retries; resolves once each record succeeded or was given up on. */
export async function deliverStreamBatch<R>(records: R[], delivery: StreamBatchDelivery<R>): Promise<void> {
  const { settings } = delivery;
  // Batches still to deliver, in order; bisecting replaces one with its two halves.
  const pending: Array<{ records: R[]; attempts: number }> = records.length > 0 ? [{ records, attempts: 0 }] : [];
  while (pending.length > 0) {
    if (delivery.stopped?.()) return;
    const batch = pending.shift()!;
    const outcome = await deliverOnce(batch.records, delivery);
    if (outcome.retryFrom === undefined) continue;
    const rest = batch.records.slice(outcome.retryFrom);
    if (settings.maximumRetryAttempts >= 0 && batch.attempts >= settings.maximumRetryAttempts) {
      await delivery.giveUp(rest, batch.attempts, outcome.error);
      continue;
    }
    if (delivery.retryDelayMs) await new Promise((resolve) => setTimeout(resolve, delivery.retryDelayMs));
    if (outcome.error && settings.bisectBatchOnFunctionError && rest.length > 1) {
      // Bisect on function error: retry each half, so a poison record is isolated.
      const half = Math.ceil(rest.length / 2);
      pending.unshift({ records: rest.slice(0, half), attempts: batch.attempts + 1 }, { records: rest.slice(half), attempts: batch.attempts + 1 });
    } else {
      // Partial batch response: retry from the first failed record on.
      pending.unshift({ records: rest, attempts: batch.attempts + 1 });
    }
  }
}

/** Where to retry from (undefined: the whole batch succeeded), and the function's error when it failed. */
async function deliverOnce<R>(batch: R[], delivery: StreamBatchDelivery<R>): Promise<{ retryFrom?: number; error?: Error }> {
  try {
    const response = (await delivery.invoke(batch)) as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | undefined;
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return {};
    const indexes = failures.map((f) => batch.findIndex((r) => delivery.sequenceOf(r) === f.itemIdentifier));
    // An identifier that names no record of the batch fails the whole batch, as in Lambda.
    return { retryFrom: indexes.some((i) => i < 0) ? 0 : Math.min(...indexes) };
  } catch (error) {
    delivery.failed?.(error as Error);
    return { retryFrom: 0, error: error as Error };
  }
}
