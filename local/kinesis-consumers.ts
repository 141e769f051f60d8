/**
 * The local Kinesis endpoint's enhanced fan-out (local/kinesis-server.ts), which kinesalite lacks: the stream consumers
 * (RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer) and SubscribeToShard,
 * whose records it reads from kinesalite (GetShardIterator, GetRecords) and pushes as AWS's event stream
 * (application/vnd.amazon.eventstream, encoded by @smithy/core's EventStreamCodec): an `initial-response`, then
 * `SubscribeToShardEvent`s {Records, ContinuationSequenceNumber, MillisBehindLatest, ChildShards}.
 *
 * As AWS (API_RegisterStreamConsumer, API_SubscribeToShard, API_ConsumerDescription):
 * - "You can register up to 20 consumers per stream" (LimitExceededException); "For a given Kinesis data stream, each
 *   consumer must have a unique name", ConsumerName pattern [a-zA-Z0-9_.-]+ of 1-128 characters; a taken name is
 *   ResourceInUseException. A consumer's ARN is its stream's, `/consumer/<name>:<creation epoch seconds>`.
 * - RegisterStreamConsumer answers the consumer CREATING, as AWS does (it registers asynchronously); locally it is
 *   ACTIVE at once (DescribeStreamConsumer and ListStreamConsumers say ACTIVE right after), where AWS takes seconds.
 *   DeregisterStreamConsumer removes it at once (AWS shows it DELETING for a while).
 * - "your consumer starts receiving events of type SubscribeToShardEvent over the HTTP/2 connection for up to 5
 *   minutes"; "If you call SubscribeToShard again with the same ConsumerARN and ShardId within 5 seconds of a
 *   successful call, you'll get a ResourceInUseException. If you call SubscribeToShard 5 seconds or more after a
 *   successful call, the second call takes over the subscription and the previous connection expires or fails with a
 *   ResourceInUseException." https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html
 */
import { EventStreamCodec } from "@smithy/core/event-streams";
import { randomUUID } from "node:crypto";
import type { Http2ServerResponse } from "node:http2";
import type { ServerResponse } from "node:http";

/** A Kinesis error as the JSON protocol answers it (`__type`, `message`). */
export class KinesisError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** "You can register up to 20 consumers per stream" (API_RegisterStreamConsumer). */
export const CONSUMERS_PER_STREAM = 20;
/** A subscription's life: "for up to 5 minutes" (API_SubscribeToShard). */
export const SUBSCRIPTION_LIFETIME_MS = 5 * 60_000;
/** A second SubscribeToShard of a consumer and shard within 5 s of a successful one is ResourceInUseException. */
export const RESUBSCRIBE_AFTER_MS = 5_000;
/**
 * An idle subscription's event (no records) at least this often, so a client sees the subscription alive and the
 * connection outlives the endpoint's idle timeout. AWS's cadence is not documented (not confirmed: 5 s assumed).
 */
export const HEARTBEAT_MS = 5_000;
const CONSUMER_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

export interface LocalConsumer {
  ConsumerName: string;
  ConsumerARN: string;
  ConsumerStatus: "CREATING" | "ACTIVE" | "DELETING";
  /** Epoch seconds (the JSON protocol's timestamps). */
  ConsumerCreationTimestamp: number;
  StreamARN: string;
}

/** A consumer ARN's parts: `<stream ARN>/consumer/<name>:<creation epoch seconds>`. */
export function parseConsumerArn(arn: string): { streamArn: string; name: string; created: number } | undefined {
  const match = /^(arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/[^/]+)\/consumer\/([^:/]+):(\d+)$/.exec(arn);
  return match ? { streamArn: match[1], name: match[2], created: Number(match[3]) } : undefined;
}

/** The consumers of the served streams, by stream ARN. */
export class ConsumerRegistry {
  private readonly byStream = new Map<string, LocalConsumer[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A consumer the program defines (its recorded ARN), ACTIVE from the start. */
  define(streamArn: string, name: string, arn?: string): void {
    const parsed = arn ? parseConsumerArn(arn) : undefined;
    const created = parsed?.created ?? Math.floor(this.now() / 1000);
    this.consumers(streamArn).push({ ConsumerName: name, ConsumerARN: arn ?? `${streamArn}/consumer/${name}:${created}`, ConsumerStatus: "ACTIVE", ConsumerCreationTimestamp: created, StreamARN: streamArn });
  }

  private consumers(streamArn: string): LocalConsumer[] {
    let list = this.byStream.get(streamArn);
    if (!list) this.byStream.set(streamArn, (list = []));
    return list;
  }

  register(streamArn: string, name: unknown): LocalConsumer {
    if (typeof name !== "string" || !CONSUMER_NAME.test(name)) {
      throw new KinesisError("ValidationException", `1 validation error detected: Value '${String(name)}' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128`);
    }
    const list = this.consumers(streamArn);
    if (list.some((c) => c.ConsumerName === name)) throw new KinesisError("ResourceInUseException", `Consumer ${name} under stream ${streamArn} already exists.`);
    if (list.length >= CONSUMERS_PER_STREAM) throw new KinesisError("LimitExceededException", `Consumer limit of ${CONSUMERS_PER_STREAM} per stream reached for stream ${streamArn}.`);
    const created = Math.floor(this.now() / 1000);
    const consumer: LocalConsumer = { ConsumerName: name, ConsumerARN: `${streamArn}/consumer/${name}:${created}`, ConsumerStatus: "ACTIVE", ConsumerCreationTimestamp: created, StreamARN: streamArn };
    list.push(consumer);
    // AWS answers CREATING (the registration is asynchronous); the local one is ACTIVE already.
    return { ...consumer, ConsumerStatus: "CREATING" };
  }

  /** The consumer an operation names: by ConsumerARN, or by StreamARN and ConsumerName; undefined when none is. */
  find(input: Record<string, unknown>, streamArn: string | undefined): LocalConsumer | undefined {
    if (typeof input.ConsumerARN === "string") {
      const parsed = parseConsumerArn(input.ConsumerARN);
      return parsed ? this.byStream.get(parsed.streamArn)?.find((c) => c.ConsumerARN === input.ConsumerARN) : undefined;
    }
    return streamArn && typeof input.ConsumerName === "string" ? this.byStream.get(streamArn)?.find((c) => c.ConsumerName === input.ConsumerName) : undefined;
  }

  /** As find, or ResourceNotFoundException; InvalidArgumentException when the request names no consumer. */
  get(input: Record<string, unknown>, streamArn: string | undefined): LocalConsumer {
    if (typeof input.ConsumerARN !== "string" && !(streamArn && typeof input.ConsumerName === "string")) {
      throw new KinesisError("InvalidArgumentException", "Name the consumer by ConsumerARN, or by StreamARN and ConsumerName.");
    }
    // "You may also provide all three parameters, as long as they don't conflict with each other" (API_DescribeStreamConsumer).
    const parsed = typeof input.ConsumerARN === "string" ? parseConsumerArn(input.ConsumerARN) : undefined;
    if (parsed && typeof input.ConsumerName === "string" && input.ConsumerName !== parsed.name) {
      throw new KinesisError("InvalidArgumentException", `ConsumerName ${input.ConsumerName} conflicts with ConsumerARN ${String(input.ConsumerARN)}.`);
    }
    const found = this.find(input, streamArn);
    if (!found) throw new KinesisError("ResourceNotFoundException", `Consumer ${String(input.ConsumerARN ?? input.ConsumerName)} not found.`);
    return found;
  }

  deregister(consumer: LocalConsumer): void {
    const list = this.consumers(consumer.StreamARN);
    list.splice(list.indexOf(consumer), 1);
  }

  /** ListStreamConsumers' page: MaxResults (1-10000, default 100) from NextToken (an offset). */
  list(streamArn: string, input: Record<string, unknown>): { Consumers: Array<Omit<LocalConsumer, "StreamARN">>; NextToken?: string } {
    const max = input.MaxResults === undefined ? 100 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 10_000) throw new KinesisError("ValidationException", `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10000`);
    let start = 0;
    if (input.NextToken !== undefined) {
      const decoded = /^(\d+)\|(.+)$/.exec(Buffer.from(String(input.NextToken), "base64url").toString("utf8"));
      if (!decoded || decoded[2] !== streamArn) throw new KinesisError("InvalidArgumentException", "The NextToken is not one ListStreamConsumers gave for this stream.");
      start = Number(decoded[1]);
    }
    const all = this.byStream.get(streamArn) ?? [];
    const page = all.slice(start, start + max).map(({ StreamARN: _, ...consumer }) => consumer);
    const next = start + max < all.length ? Buffer.from(`${start + max}|${streamArn}`).toString("base64url") : undefined;
    return { Consumers: page, ...(next ? { NextToken: next } : {}) };
  }

  /** DescribeStreamConsumer's ConsumerDescription. */
  static describe(consumer: LocalConsumer): { ConsumerDescription: LocalConsumer } {
    return { ConsumerDescription: { ...consumer } };
  }
}

type Admin = (operation: string, body: Record<string, unknown>) => Promise<any>;

interface KinesaliteRecord {
  SequenceNumber: string;
  PartitionKey: string;
  Data: string;
  ApproximateArrivalTimestamp: number;
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString("utf8"),
  (text) => new Uint8Array(Buffer.from(text, "utf8")),
);

/** One event stream message: an event (`:event-type`) or an exception (`:exception-type`), with a JSON body. */
export function eventMessage(kind: "event" | "exception", type: string, body: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: kind },
      [kind === "event" ? ":event-type" : ":exception-type"]: { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(body), "utf8")),
  });
}

export interface SubscriptionOptions {
  admin: Admin;
  /** Milliseconds between reads of a shard that had nothing new. */
  pollIntervalMs: number;
  /** A subscription's life. @default SUBSCRIPTION_LIFETIME_MS */
  lifetimeMs?: number;
  /** An idle subscription's empty event at least this often. @default HEARTBEAT_MS */
  heartbeatMs?: number;
  now?(): number;
  log(message: string): void;
}

interface Subscription {
  started: number;
  end(exception?: { code: string; message: string }): void;
}

/** The live SubscribeToShard subscriptions, by consumer ARN and shard. */
export class Subscriptions {
  private readonly live = new Map<string, Subscription>();
  /** The newest sequence number put on each shard (`<stream> <shard>`), as the puts through the endpoint answered. */
  private readonly newest = new Map<string, string>();

  constructor(private readonly options: SubscriptionOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Answers SubscribeToShard for a consumer already found (and authorised): errors before the stream opens are thrown
   * as KinesisErrors (the endpoint's JSON error answer), the events then go down `response` until the lifetime ends,
   * the shard closes, the client goes, a later subscription takes over, or `stopAll`.
   */
  async subscribe(consumer: LocalConsumer, streamName: string, input: Record<string, unknown>, response: ServerResponse | Http2ServerResponse): Promise<void> {
    const { admin } = this.options;
    if (typeof input.ShardId !== "string") throw new KinesisError("ValidationException", "1 validation error detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null");
    const position = input.StartingPosition as Record<string, unknown> | undefined;
    if (!position || typeof position !== "object" || typeof position.Type !== "string") throw new KinesisError("ValidationException", "1 validation error detected: Value null at 'startingPosition.type' failed to satisfy constraint: Member must not be null");
    // A client gone while the subscription is being set up (its checks await kinesalite) gets none: the close event
    // would not come again to end it.
    let gone = false;
    const onGone = () => void (gone = true);
    response.once("close", onGone);
    const key = `${consumer.ConsumerARN} ${input.ShardId}`;
    const previous = this.live.get(key);
    if (previous && this.now() - previous.started < RESUBSCRIBE_AFTER_MS) {
      throw new KinesisError("ResourceInUseException", `Another active subscription exists for consumer ${consumer.ConsumerARN} and shard ${input.ShardId}; subscribe again 5 seconds or more after it began.`);
    }
    // GetShardIterator checks the shard and position (ResourceNotFoundException, InvalidArgumentException) before the
    // stream opens.
    const iteratorInput: Record<string, unknown> = { StreamName: streamName, ShardId: input.ShardId, ShardIteratorType: position.Type };
    if (position.SequenceNumber !== undefined) iteratorInput.StartingSequenceNumber = position.SequenceNumber;
    if (position.Timestamp !== undefined) iteratorInput.Timestamp = position.Timestamp;
    let iterator: string | undefined = (await admin("GetShardIterator", iteratorInput)).ShardIterator;
    // The continuation before any record (where a subscription AFTER_SEQUENCE_NUMBER it goes on from): the number
    // asked for; else, as no record was read, the shard's newest (nothing after it yet), or its first when it has none.
    let continuation = typeof position.SequenceNumber === "string" ? position.SequenceNumber : (this.newest.get(`${streamName} ${input.ShardId}`) ?? (await this.shardStart(streamName, input.ShardId)));
    response.off("close", onGone);
    if (gone) return;
    previous?.end({ code: "ResourceInUseException", message: `A newer subscription of consumer ${consumer.ConsumerARN} to shard ${input.ShardId} took over.` });

    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const lifetime = setTimeout(() => subscription.end(), this.options.lifetimeMs ?? SUBSCRIPTION_LIFETIME_MS);
    const subscription: Subscription = {
      started: this.now(),
      end: (exception) => {
        if (ended) return;
        ended = true;
        clearTimeout(lifetime);
        clearTimeout(timer);
        wake?.();
        if (this.live.get(key) === subscription) this.live.delete(key);
        if (exception && !response.writableEnded && !response.destroyed) (response as ServerResponse).write(eventMessage("exception", exception.code, { message: exception.message }));
        if (!response.writableEnded) response.end();
      },
    };
    this.live.set(key, subscription);
    response.once("close", () => subscription.end());
    response.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": randomUUID() });
    (response as ServerResponse).write(eventMessage("event", "initial-response", {}));
    const pause = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, this.options.pollIntervalMs);
      });
    const heartbeat = this.options.heartbeatMs ?? HEARTBEAT_MS;
    // The heartbeat is read on the process's clock (options.now is the endpoint's, which tests may hold still).
    let lastSent = performance.now();
    try {
      let first = true;
      while (!ended && iterator) {
        const answer = (await admin("GetRecords", { ShardIterator: iterator, Limit: 10_000 })) as { Records: KinesaliteRecord[]; NextShardIterator?: string; MillisBehindLatest?: number };
        if (ended) break;
        iterator = answer.NextShardIterator;
        if (answer.Records.length > 0) continuation = answer.Records[answer.Records.length - 1].SequenceNumber;
        // A closed shard (no next iterator) ends with its children, as AWS's last event of a shard does.
        const children = iterator ? undefined : await this.children(streamName, input.ShardId);
        if (ended) break;
        if (first || answer.Records.length > 0 || children || performance.now() - lastSent >= heartbeat) {
          (response as ServerResponse).write(
            eventMessage("event", "SubscribeToShardEvent", {
              Records: answer.Records.map((r) => ({ SequenceNumber: r.SequenceNumber, ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp, Data: r.Data, PartitionKey: r.PartitionKey })),
              ContinuationSequenceNumber: continuation,
              MillisBehindLatest: answer.MillisBehindLatest ?? 0,
              ...(children ? { ChildShards: children } : {}),
            }),
          );
          first = false;
          lastSent = performance.now();
        }
        if (answer.Records.length === 0 && iterator) await pause();
      }
    } catch (error) {
      // A read failing because the subscription ended (the endpoint stopping) is no news.
      if (ended) return;
      this.options.log(`local Kinesis: SubscribeToShard ${consumer.ConsumerName} on ${input.ShardId}: ${(error as Error).message}`);
      subscription.end({ code: (error as KinesisError).code ?? "InternalFailure", message: (error as Error).message });
      return;
    }
    subscription.end();
  }

  private async shards(streamName: string): Promise<Array<{ ShardId: string; ParentShardId?: string; AdjacentParentShardId?: string; HashKeyRange: unknown; SequenceNumberRange: { StartingSequenceNumber: string } }>> {
    return (await this.options.admin("ListShards", { StreamName: streamName })).Shards;
  }

  private async shardStart(streamName: string, shardId: string): Promise<string> {
    return (await this.shards(streamName)).find((s) => s.ShardId === shardId)?.SequenceNumberRange.StartingSequenceNumber ?? "0";
  }

  /** A closed shard's children (ChildShards: ShardId, ParentShards, HashKeyRange). */
  private async children(streamName: string, shardId: string): Promise<Array<{ ShardId: string; ParentShards: string[]; HashKeyRange: unknown }>> {
    return (await this.shards(streamName))
      .filter((s) => s.ParentShardId === shardId || s.AdjacentParentShardId === shardId)
      .map((s) => ({ ShardId: s.ShardId, ParentShards: [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p), HashKeyRange: s.HashKeyRange }));
  }

  /** Notes a record put (PutRecord, PutRecords' answers): a LATEST subscription's continuation before any record. */
  notePut(streamName: string, shardId: unknown, sequenceNumber: unknown): void {
    if (typeof shardId !== "string" || typeof sequenceNumber !== "string" || !/^\d+$/.test(sequenceNumber)) return;
    const key = `${streamName} ${shardId}`;
    const known = this.newest.get(key);
    if (known === undefined || BigInt(sequenceNumber) > BigInt(known)) this.newest.set(key, sequenceNumber);
  }

  /**
   * Ends a deregistered consumer's subscriptions with ResourceNotFoundException (what AWS sends them is not documented:
   * not confirmed), so none reads on for a consumer that is gone.
   */
  endConsumer(consumerArn: string): void {
    for (const [key, subscription] of [...this.live]) {
      if (key.startsWith(`${consumerArn} `)) subscription.end({ code: "ResourceNotFoundException", message: `Consumer ${consumerArn} was deregistered.` });
    }
  }

  /** Ends every subscription (the endpoint stops). */
  stopAll(): void {
    for (const subscription of [...this.live.values()]) subscription.end();
  }
}
