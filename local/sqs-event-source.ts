/**
 * Lambda's side of a MessageQueue under `npm start`: the event source mapping that polls the local queue
 * (local/sqs-server.ts), invokes the consumer with batches in the SQS event shape, deletes what succeeded and,
 * with ReportBatchItemFailures (always on for MessageQueue), leaves only the failed messages to come back after the
 * visibility timeout and, after maxReceiveCount receives, to go to the dead-letter queue.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { LAMBDA_SYNC_PAYLOAD_LIMITS } from "./lambda-runtime";
import { retryDelayOf } from "./retry-delay";
import { systemAttributes, type LocalSqs, type ReceivedMessage } from "./sqs-server";

export interface SqsEventSourceOptions {
  sqs: LocalSqs;
  queueName: string;
  /** The queue's region, as the records' awsRegion. */
  region: string;
  /** Messages per invocation (1–10000; up to 10 per receive, gathered for up to the batching window). */
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /**
   * Batches in flight at once.
   * @default LOCAL_SQS_CONCURRENCY
   */
  maxConcurrency?: number;
  /** Invokes the consumer; resolves with its response, rejects when it fails (a thrown error, a timeout). */
  invoke(event: SQSEvent): Promise<unknown>;
  log(message: string): void;
  /**
   * How long polling pauses after an unexpected error before it receives again (it never stops before `stop()`),
   * 0–2147483647 ms (retry-delay.ts). @default 1000
   */
  retryDelayMs?: number;
  /**
   * How long `stop()` waits for the batches in flight. A consumer still running after it is left to finish on its own:
   * its messages stay in flight and, unless it deletes them, come back after the visibility timeout, as in SQS.
   * @default LOCAL_SQS_DRAIN_MS
   */
  drainTimeoutMs?: number;
}

/** How long stopping `npm start` waits for a consumer's batches in flight, rather than up to its full timeout (15 minutes at most). */
export const LOCAL_SQS_DRAIN_MS = 10_000;

/**
 * Concurrent batches when the queue sets no maxConcurrency: Lambda's pollers start at five ("Lambda begins … with
 * five concurrent batches", https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html) and scale up;
 * locally they stay at five.
 */
export const LOCAL_SQS_CONCURRENCY = 5;

/** What became of one batch. */
export interface BatchOutcome {
  /** Message ids deleted. */
  deleted: string[];
  /** Message ids left on the queue, to come back after the visibility timeout. */
  failed: string[];
  /** Why the whole batch failed, if it did. */
  error?: string;
}

export class SqsEventSource {
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<BatchOutcome>>();
  private loop?: Promise<void>;
  private slotFreed?: () => void;

  /** options.retryDelayMs, checked (local/retry-delay.ts). */
  private readonly retryDelayMs: number;

  constructor(private readonly options: SqsEventSourceOptions) {
    this.retryDelayMs = retryDelayOf(options.retryDelayMs, `local SQS: ${options.queueName}`);
  }

  /** Starts polling (`npm start`) until `stop()`. */
  start(): void {
    this.loop ??= this.poll();
  }

  /** Stops polling and waits for the batches in flight to finish (their deletes included), for `drainTimeoutMs` at most. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.slotFreed?.();
    await this.loop;
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.all(this.inFlight).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.options.drainTimeoutMs ?? LOCAL_SQS_DRAIN_MS))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.options.log(`local SQS: ${this.options.queueName}: stopped without waiting for ${this.inFlight.size} batch(es) still running; their messages come back after the visibility timeout`);
    }
  }

  private get concurrency(): number {
    return this.options.maxConcurrency ?? LOCAL_SQS_CONCURRENCY;
  }

  /**
   * Receives batches and processes them, at most `concurrency` at once, until stopped. An unexpected error is logged
   * and polling goes on after `retryDelayMs`: one failure never ends the consumer for the rest of the session, as
   * Lambda's pollers keep polling.
   */
  private async poll(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      try {
        await this.turn(signal);
      } catch (error) {
        this.options.log(`local SQS: ${this.options.queueName}: polling failed (${(error as Error)?.message ?? String(error)}); polling again shortly`);
        await this.pause(this.retryDelayMs, signal);
      }
    }
  }

  /** Waits `ms`, or less if the source stops. */
  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(ms, undefined, { signal }).catch(() => undefined);
  }

  /** One turn of the loop: waits for a free slot, or receives a batch and starts processing it. */
  private async turn(signal: AbortSignal): Promise<void> {
    if (this.inFlight.size >= this.concurrency) {
      await new Promise<void>((resolve) => (this.slotFreed = resolve));
      return;
    }
    const batch = await this.gather(signal);
    if (batch.length === 0) return;
    // A batch that fails unexpectedly is logged and its messages come back after the visibility timeout; a rejection
    // never escapes (an unhandled one would end the runtime).
    const processing: Promise<BatchOutcome> = this.process(batch).catch((error: unknown) => {
      const reason = (error as Error)?.message ?? String(error);
      this.options.log(`local SQS: ${this.options.queueName}: a batch of ${batch.length} could not be processed (${reason}); it returns after the visibility timeout`);
      return { deleted: [], failed: batch.map((m) => m.messageId), error: reason };
    });
    this.inFlight.add(processing);
    void processing.finally(() => {
      this.inFlight.delete(processing);
      this.slotFreed?.();
    });
  }

  /**
   * One batch: long-polls for the first messages, then, with a batching window, keeps receiving until the batch is
   * full or the window has passed ("Lambda … invokes … when the batch size is met, the batching window expires, or the
   * payload reaches 6 MB").
   */
  private async gather(signal: AbortSignal): Promise<ReceivedMessage[]> {
    const { sqs, queueName, batchSize, maxBatchingWindowSeconds } = this.options;
    const batch = await sqs.receive(queueName, { max: Math.min(10, batchSize), waitSeconds: 20, signal });
    if (batch.length === 0 || maxBatchingWindowSeconds === 0) return batch;
    const deadline = sqs.now() + maxBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && !signal.aborted) {
      const left = Math.ceil((deadline - sqs.now()) / 1000);
      if (left <= 0) break;
      batch.push(...(await sqs.receive(queueName, { max: Math.min(10, batchSize - batch.length), waitSeconds: Math.min(20, left), signal })));
    }
    return batch;
  }

  /** Receives what is visible now (no long poll, no window) and processes it as one batch; for tests and drills. */
  async pollOnce(): Promise<BatchOutcome | undefined> {
    const { sqs, queueName, batchSize } = this.options;
    const batch: ReceivedMessage[] = [];
    while (batch.length < batchSize) {
      const received = await sqs.receive(queueName, { max: Math.min(10, batchSize - batch.length) });
      if (received.length === 0) break;
      batch.push(...received);
    }
    return batch.length > 0 ? this.process(batch) : undefined;
  }

  /**
   * Invokes the consumer with the messages and deletes those that succeeded. Messages that would make the event larger
   * than Lambda's synchronous payload limit go in a further invocation ("Lambda … invokes your function when … the
   * payload reaches 6 MB"); in a FIFO queue a failed invocation fails the ones after it too, so no group skips ahead.
   */
  async process(messages: ReceivedMessage[]): Promise<BatchOutcome> {
    const { sqs, queueName } = this.options;
    const failedIds = new Set<string>();
    let error: string | undefined;
    for (const batch of payloadBatches(messages.map((message) => this.record(message)))) {
      const ids = batch.map((record) => record.messageId);
      if (error && sqs.definition(queueName).fifo) {
        for (const id of ids) failedIds.add(id);
        continue;
      }
      const failure = await this.invoke(batch);
      if (failure instanceof Set) for (const id of failure) failedIds.add(id);
      else {
        error = failure;
        for (const id of ids) failedIds.add(id);
        this.options.log(`local SQS: ${queueName}: a batch of ${batch.length} failed (${failure}); it returns after the visibility timeout`);
      }
    }
    const deleted: string[] = [];
    for (const message of messages) {
      if (failedIds.has(message.messageId)) continue;
      try {
        sqs.delete(queueName, message.receiptHandle);
        deleted.push(message.messageId);
      } catch (deleteError) {
        this.options.log(`local SQS: ${queueName}: could not delete ${message.messageId}: ${(deleteError as Error).message}`);
      }
    }
    return { deleted, failed: [...failedIds], ...(error ? { error } : {}) };
  }

  /** One invocation: the ids its partial batch response fails, or why the whole batch failed. */
  private async invoke(records: SQSRecord[]): Promise<Set<string> | string> {
    try {
      const response = await this.options.invoke({ Records: records });
      const failures = batchItemFailures(response, new Set(records.map((r) => r.messageId)));
      return failures instanceof Error ? failures.message : failures;
    } catch (thrown) {
      // A function error or a timeout: the whole batch comes back after the visibility timeout.
      return (thrown as Error)?.message ?? String(thrown);
    }
  }

  /** A message as Lambda's SQS event record (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event). */
  private record(message: ReceivedMessage): SQSRecord {
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, value] of Object.entries(message.messageAttributes)) {
      messageAttributes[name] = {
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
        stringListValues: value.StringListValues ?? [],
        binaryListValues: value.BinaryListValues ?? [],
        dataType: value.DataType,
      };
    }
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: systemAttributes(message) as unknown as SQSRecord["attributes"],
      messageAttributes,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      eventSource: "aws:sqs",
      eventSourceARN: this.options.sqs.arn(this.options.queueName),
      awsRegion: this.options.region,
    };
  }
}

/**
 * Splits records (an SQS or Kinesis event's `Records`) into events of at most Lambda's synchronous request size (each
 * record alone may fill one).
 */
export function payloadBatches<R>(records: R[], largestEventBytes: number = LAMBDA_SYNC_PAYLOAD_LIMITS.largestRequestBytes): R[][] {
  // Each record is counted with the comma before the next; the last has none.
  const envelope = Buffer.byteLength(JSON.stringify({ Records: [] })) - 1;
  const batches: R[][] = [];
  let current: R[] = [];
  let size = envelope;
  for (const record of records) {
    const bytes = Buffer.byteLength(JSON.stringify(record)) + 1;
    if (current.length > 0 && size + bytes > largestEventBytes) {
      batches.push(current);
      current = [];
      size = envelope;
    }
    current.push(record);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The messages a partial batch response fails, or an Error when it fails the whole batch. Lambda "treats a batch as a
 * complete success" for an empty or null `batchItemFailures` or response, and "as a complete failure" for an invalid
 * response, an empty or null itemIdentifier, a bad key name or an id that is not in the batch
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting).
 */
export function batchItemFailures(response: unknown, messageIds: ReadonlySet<string>): Set<string> | Error {
  if (response === null || response === undefined || typeof response !== "object") return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return new Set();
  if (!Array.isArray(failures)) return new Error("batchItemFailures is not a list");
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "") return new Error(`invalid batch item failure ${JSON.stringify(failure)?.slice(0, 100)}`);
    if (!messageIds.has(id)) return new Error(`batch item failure ${JSON.stringify(id).slice(0, 100)} names no message of the batch`);
    failed.add(id);
  }
  return failed;
}
