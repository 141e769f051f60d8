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
 * - A consumer's life (API_ConsumerDescription: "A consumer can't read data while in the CREATING or DELETING states"):
 *   RegisterStreamConsumer answers it CREATING (AWS registers asynchronously), DeregisterStreamConsumer leaves it
 *   DELETING; SubscribeToShard on a consumer in either is ResourceInUseException ("For successful operation, the
 *   resource must be in the ACTIVE state"). AWS takes seconds (not documented: not confirmed); locally the states are
 *   held deterministically — see CONSUMER_SETTLE_MS — so a client that waits as AWS asks (DescribeStreamConsumer or
 *   ListStreamConsumers until ACTIVE, DescribeStreamConsumer until ResourceNotFoundException, as terraform-provider-aws
 *   waitStreamConsumerCreated/Deleted do) works at once, and one that subscribes without waiting is refused, as on AWS.
 * - "If you delete a consumer and then create a new one with the same name, it won't have the same ARN. That's because
 *   consumer ARNs contain the creation timestamp" (API_Consumer): a consumer registered again within the second its
 *   predecessor was created is created a second after it (its ARN and ConsumerCreationTimestamp).
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
// The component's limits from the module that imports nothing (the component's own modules load @pulumi/aws).
import { DATA_STREAM_LIMITS } from "../components/data-stream/limits";

/** A Kinesis error as the JSON protocol answers it (`__type`, `message`). */
export class KinesisError extends Error {
  /**
   * @param message the error as the runtime logs it (kinesalite's, with the operation the runtime asked it)
   * @param reason the error as a client is answered it; the message when not given
   */
  constructor(readonly code: string, message: string, readonly status = 400, readonly reason = message) {
    super(message);
  }
}

/**
 * A ListStreamConsumers NextToken's life: "Tokens expire after 300 seconds. When you obtain a value for NextToken in the
 * response to a call to ListStreamConsumers, you have 300 seconds to use that value. If you specify an expired token in
 * a call to ListStreamConsumers, you get ExpiredNextTokenException." (API_ListStreamConsumers, NextToken;
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListStreamConsumers.html)
 */
export const NEXT_TOKEN_LIFETIME_MS = 300_000;
/**
 * How long a consumer stays CREATING or DELETING on the registry's clock unless a look settles it first: a CREATING
 * consumer is ACTIVE at the first DescribeStreamConsumer or ListStreamConsumers that shows it (which shows it ACTIVE),
 * a DELETING one is gone after the first DescribeStreamConsumer that shows it DELETING (ListStreamConsumers shows it
 * DELETING without removing it; a NextToken names the last consumer shown, not a position, so one removed between pages
 * shifts nothing). AWS's durations are not documented (not confirmed: "a few seconds" assumed); only a
 * client that neither looks nor waits this long sees the difference.
 */
export const CONSUMER_SETTLE_MS = 5_000;
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

/** A consumer's ARN, as parseConsumerArn reads it; `nameKey` its stream and name, the consumers of that name's key. */
const consumerArn = (streamArn: string, name: string, created: number) => `${streamArn}/consumer/${name}:${created}`;
const nameKey = (streamArn: string, name: string) => `${streamArn}/consumer/${name}`;

/** The consumers of the served streams, by stream ARN. */
export class ConsumerRegistry {
  private readonly byStream = new Map<string, LocalConsumer[]>();
  /** When each CREATING or DELETING consumer settles (ACTIVE, or gone) on the clock, unless a look settles it first. */
  private readonly settles = new Map<LocalConsumer, number>();
  /**
   * The newest creation second of each stream's consumer names (`<stream ARN>/consumer/<name>`), that a consumer
   * registered again gets a later one; only seconds not yet past are kept (an earlier one cannot be chosen again).
   */
  private readonly lastCreated = new Map<string, number>();
  /** Each consumer's place in the order of registration (ListStreamConsumers' NextToken names the last one shown). */
  private readonly sequence = new WeakMap<LocalConsumer, number>();
  private registered = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A consumer the program defines (its recorded ARN), ACTIVE from the start. */
  define(streamArn: string, name: string, arn?: string): void {
    const parsed = arn ? parseConsumerArn(arn) : undefined;
    const created = parsed?.created ?? Math.floor(this.now() / 1000);
    this.noteCreated(nameKey(streamArn, name), created);
    this.add({ ConsumerName: name, ConsumerARN: arn ?? consumerArn(streamArn, name, created), ConsumerStatus: "ACTIVE", ConsumerCreationTimestamp: created, StreamARN: streamArn });
  }

  /** A consumer into its stream's list, last in the order of registration. */
  private add(consumer: LocalConsumer): void {
    this.sequence.set(consumer, ++this.registered);
    this.consumers(consumer.StreamARN).push(consumer);
  }

  /** Notes a name's creation second, and forgets the names' seconds now past (a later registration takes the current one). */
  private noteCreated(named: string, created: number): void {
    const second = Math.floor(this.now() / 1000);
    for (const [key, at] of this.lastCreated) if (at < second) this.lastCreated.delete(key);
    if (created >= second) this.lastCreated.set(named, created);
  }

  /** Whether the stream has consumers (any state: a DELETING one is still registered until it is gone; not confirmed). */
  hasConsumers(streamArn: string): boolean {
    return this.existing(streamArn).length > 0;
  }

  /**
   * DeleteStream with EnforceConsumerDeletion: the stream's consumers are gone with it (API_DeleteStream), so a stream
   * created again under the name has none. The deleted consumers, for their subscriptions to be ended.
   */
  forgetStream(streamArn: string): LocalConsumer[] {
    const gone = this.byStream.get(streamArn) ?? [];
    for (const consumer of gone) this.settles.delete(consumer);
    this.byStream.delete(streamArn);
    return gone;
  }

  private consumers(streamArn: string): LocalConsumer[] {
    let list = this.byStream.get(streamArn);
    if (!list) this.byStream.set(streamArn, (list = []));
    this.settleDue(list);
    return list;
  }

  /** As consumers, for a look that adds no stream: a stream never registered to has none. */
  private existing(streamArn: string): LocalConsumer[] {
    return this.byStream.has(streamArn) ? this.consumers(streamArn) : [];
  }

  /** Settles the consumers whose CONSUMER_SETTLE_MS passed: CREATING ones ACTIVE, DELETING ones gone. */
  private settleDue(list: LocalConsumer[]): void {
    const now = this.now();
    for (const consumer of [...list]) {
      const at = this.settles.get(consumer);
      if (at !== undefined && now >= at) this.settle(consumer);
    }
  }

  /** A CREATING consumer ACTIVE, a DELETING one gone. */
  private settle(consumer: LocalConsumer): void {
    this.settles.delete(consumer);
    if (consumer.ConsumerStatus === "CREATING") consumer.ConsumerStatus = "ACTIVE";
    else if (consumer.ConsumerStatus === "DELETING") {
      const list = this.byStream.get(consumer.StreamARN) ?? [];
      const index = list.indexOf(consumer);
      if (index >= 0) list.splice(index, 1);
    }
  }

  register(streamArn: string, name: unknown): LocalConsumer {
    if (name === undefined || name === null) throw new KinesisError("ValidationException", "1 validation error detected: Value null at 'consumerName' failed to satisfy constraint: Member must not be null");
    if (typeof name !== "string" || !CONSUMER_NAME.test(name)) {
      throw new KinesisError("ValidationException", `1 validation error detected: Value '${String(name)}' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128`);
    }
    const list = this.consumers(streamArn);
    // A DELETING consumer still holds its name and its place under the limit (not confirmed: AWS does not say).
    if (list.some((c) => c.ConsumerName === name)) throw new KinesisError("ResourceInUseException", `Consumer ${name} under stream ${streamArn} already exists.`);
    const limit = DATA_STREAM_LIMITS.consumersPerStream;
    if (list.length >= limit) throw new KinesisError("LimitExceededException", `Consumer limit of ${limit} per stream reached for stream ${streamArn}.`);
    // A later second than the name's previous consumer's, so their ARNs differ (API_Consumer).
    const named = nameKey(streamArn, name);
    const created = Math.max(Math.floor(this.now() / 1000), (this.lastCreated.get(named) ?? -1) + 1);
    this.noteCreated(named, created);
    const consumer: LocalConsumer = { ConsumerName: name, ConsumerARN: consumerArn(streamArn, name, created), ConsumerStatus: "CREATING", ConsumerCreationTimestamp: created, StreamARN: streamArn };
    this.add(consumer);
    this.settles.set(consumer, this.now() + CONSUMER_SETTLE_MS);
    return { ...consumer };
  }

  /** The consumer an operation names: by ConsumerARN, or by StreamARN and ConsumerName; undefined when none is. */
  find(input: Record<string, unknown>, streamArn: string | undefined): LocalConsumer | undefined {
    if (typeof input.ConsumerARN === "string") {
      const parsed = parseConsumerArn(input.ConsumerARN);
      return parsed ? this.existing(parsed.streamArn).find((c) => c.ConsumerARN === input.ConsumerARN) : undefined;
    }
    return streamArn && typeof input.ConsumerName === "string" ? this.existing(streamArn).find((c) => c.ConsumerName === input.ConsumerName) : undefined;
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

  /** As get, for SubscribeToShard: ResourceInUseException unless the consumer is ACTIVE (API_ConsumerDescription, API_SubscribeToShard). */
  getActive(input: Record<string, unknown>): LocalConsumer {
    const consumer = this.get(input, undefined);
    if (consumer.ConsumerStatus !== "ACTIVE") {
      throw new KinesisError("ResourceInUseException", `Consumer ${consumer.ConsumerARN} is ${consumer.ConsumerStatus}, not ACTIVE: a consumer can't read data while CREATING or DELETING. Wait for DescribeStreamConsumer to say ACTIVE.`);
    }
    return consumer;
  }

  /** DeregisterStreamConsumer: the consumer DELETING (ResourceInUseException if it is already: not confirmed). */
  deregister(consumer: LocalConsumer): void {
    if (consumer.ConsumerStatus === "DELETING") throw new KinesisError("ResourceInUseException", `Consumer ${consumer.ConsumerARN} is being deleted already.`);
    consumer.ConsumerStatus = "DELETING";
    this.settles.set(consumer, this.now() + CONSUMER_SETTLE_MS);
  }

  /**
   * ListStreamConsumers' page: MaxResults (1-10000, default 100) from NextToken (the last consumer shown, by its place in
   * the order of registration, so a consumer removed between pages shifts nothing; the stream; and when it was given,
   * in whole milliseconds whatever the clock gives). As AWS's, a NextToken is good for NEXT_TOKEN_LIFETIME_MS on the
   * registry's clock: ExpiredNextTokenException after. A CREATING consumer it shows is ACTIVE from then on (and shown so); a DELETING one is shown DELETING.
   */
  list(streamArn: string, input: Record<string, unknown>): { Consumers: Array<Omit<LocalConsumer, "StreamARN">>; NextToken?: string } {
    const max = input.MaxResults === undefined ? 100 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 10_000) throw new KinesisError("ValidationException", `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10000`);
    let after = 0;
    const now = this.now();
    if (input.NextToken !== undefined) {
      const decoded = /^(\d+)\|(\d+)\|(.+)$/.exec(Buffer.from(String(input.NextToken), "base64url").toString("utf8"));
      if (!decoded || decoded[3] !== streamArn) throw new KinesisError("InvalidArgumentException", "The NextToken is not one ListStreamConsumers gave for this stream.");
      if (now - Number(decoded[2]) >= NEXT_TOKEN_LIFETIME_MS) throw new KinesisError("ExpiredNextTokenException", `The NextToken expired: it is good for ${NEXT_TOKEN_LIFETIME_MS / 1000} seconds. List from the start again.`);
      after = Number(decoded[1]);
    }
    const all = this.consumers(streamArn);
    const from = all.findIndex((consumer) => this.sequence.get(consumer)! > after);
    const start = from < 0 ? all.length : from;
    const shown = all.slice(start, start + max);
    for (const consumer of shown) if (consumer.ConsumerStatus === "CREATING") this.settle(consumer);
    const page = shown.map(({ StreamARN: _, ...consumer }) => consumer);
    const last = shown.length > 0 ? this.sequence.get(shown[shown.length - 1])! : after;
    const next = start + max < all.length ? Buffer.from(`${last}|${Math.floor(now)}|${streamArn}`).toString("base64url") : undefined;
    return { Consumers: page, ...(next ? { NextToken: next } : {}) };
  }

  /**
   * DescribeStreamConsumer's ConsumerDescription of the consumer the request names: a CREATING one is ACTIVE from then
   * on (and described so); a DELETING one is described DELETING, and is gone after.
   */
  describe(input: Record<string, unknown>, streamArn: string | undefined): { ConsumerDescription: LocalConsumer } {
    const consumer = this.get(input, streamArn);
    if (consumer.ConsumerStatus === "CREATING") this.settle(consumer);
    const description = { ...consumer };
    if (consumer.ConsumerStatus === "DELETING") this.settle(consumer);
    return { ConsumerDescription: description };
  }
}

type Admin = (operation: string, body: Record<string, unknown>) => Promise<any>;

export interface KinesaliteRecord {
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

/**
 * Whether a response's client is gone (or the response ended), whether or not its 'close' was heard: an
 * Http2ServerResponse has no `destroyed`, its stream does (`destroyed`, `closed`); a ServerResponse's socket goes.
 */
function responseGone(response: ServerResponse | Http2ServerResponse): boolean {
  if (response.writableEnded) return true;
  if ("stream" in response) return response.stream?.destroyed === true || response.stream?.closed === true;
  return response.destroyed === true || response.socket?.destroyed === true;
}

/** A record's size as Kinesis counts it: its data blob and partition key. */
export const recordBytes = (record: Pick<KinesaliteRecord, "Data" | "PartitionKey">) => Buffer.byteLength(record.Data, "base64") + Buffer.byteLength(record.PartitionKey, "utf8");

/**
 * The next read's Limit: kinesalite caps GetRecords by count only, so the reads ask for about EVENT_MAX_BYTES' worth —
 * from 10 records (at most 1 MiB each: 10 MiB), doubling while full reads stay under half of it, shrinking after a read
 * over it; each read asks for no more than `readBudget` allows.
 */
export function nextReadLimit(limit: number, records: KinesaliteRecord[]): number {
  const bytes = records.reduce((sum, record) => sum + recordBytes(record), 0);
  if (bytes > EVENT_MAX_BYTES) return Math.max(1, Math.floor((records.length * EVENT_MAX_BYTES) / bytes));
  return records.length === limit && bytes * 2 <= EVENT_MAX_BYTES ? Math.min(EVENT_MAX_RECORDS, limit * 2) : limit;
}
/**
 * The most records a read asks for, given the largest record seen on the shard (put through the endpoint, or read):
 * EVENT_MAX_BYTES' worth of it. Without it, a limit grown to 10,000 over small records would read a later burst of
 * 1 MiB records 10,000 at once (10,000 MiB held while a slow client drains it). A read is at most Limit × the largest
 * record: about EVENT_MAX_BYTES whenever every record was put through the endpoint (as in `npm start`); a record put
 * otherwise is seen only once read, and shrinks the reads after it. (The endpoint's store answers no read over
 * EVENT_MAX_BYTES either: local/kinesis-server.ts LargeRecords.read.)
 */
export function readBudget(largest: number): number {
  return Math.max(1, Math.floor(EVENT_MAX_BYTES / Math.max(1, largest)));
}
/**
 * The first read's Limit: 10 records of 1 MiB (a stream's default maximum record size) are EVENT_MAX_BYTES; a stream
 * raised to larger records reads fewer, by readBudget of the largest put.
 */
export const FIRST_READ_LIMIT = 10;

/** A read's records as SubscribeToShardEvents' (EVENT_MAX_BYTES, EVENT_MAX_RECORDS each); one empty event for none. */
export function split(records: KinesaliteRecord[]): KinesaliteRecord[][] {
  const events: KinesaliteRecord[][] = [[]];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    const current = events[events.length - 1];
    if (current.length > 0 && (bytes + size > EVENT_MAX_BYTES || current.length >= EVENT_MAX_RECORDS)) {
      events.push([record]);
      bytes = size;
    } else {
      current.push(record);
      bytes += size;
    }
  }
  return events;
}

export interface SubscriptionOptions {
  admin: Admin;
  /**
   * Milliseconds between reads of a shard that had nothing new, when no put wakes it first. Every put through the
   * endpoint wakes its shard's subscriptions (`notePut`, `wake`); this slower read is the fallback for records that
   * reach kinesalite another way (none does in the runtime: only the endpoint's clients write).
   */
  pollIntervalMs: number;
  /** A subscription's life. @default SUBSCRIPTION_LIFETIME_MS */
  lifetimeMs?: number;
  /** An idle subscription's empty event at least this often. @default HEARTBEAT_MS */
  heartbeatMs?: number;
  now?(): number;
  log(message: string): void;
}

interface Subscription {
  /** `<stream> <shard>`: what `wake` names. */
  shard: string;
  end(exception?: { code: string; message: string }): void;
  /** A put reached its shard: read it now (or as soon as the read under way is done). */
  wake(): void;
}

/** A SubscribeToShard being set up (its checks await kinesalite): holds its consumer and shard against another. */
interface Claim {
  cancelled?: { code: string; message: string };
}

/**
 * One SubscribeToShardEvent carries at most what one GetRecords call may answer: "GetRecords can retrieve up to 10 MiB
 * of data per call from a single shard, and up to 10,000 records per call"
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html). AWS does not document a
 * SubscribeToShardEvent's own size (not confirmed); it pushes "up to 2 MB per second per shard" per consumer, so its
 * events are no larger. kinesalite applies no size cap, so a read is split into events of these sizes.
 */
export const EVENT_MAX_BYTES = 10 * 1024 * 1024;
export const EVENT_MAX_RECORDS = 10_000;

/** The exceptions SubscribeToShardEventStream models (the SDK's union); any other failure is sent as InternalFailureException. */
const STREAM_EXCEPTIONS = new Set(["ResourceNotFoundException", "ResourceInUseException", "KMSDisabledException", "KMSInvalidStateException", "KMSAccessDeniedException", "KMSNotFoundException", "KMSOptInRequired", "KMSThrottlingException", "InternalFailureException"]);

/** SubscribeToShard's StartingPosition.Type values (API_StartingPosition). */
const POSITION_TYPES = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];

/** A value for a validation message: at most 64 characters of it (a 1 MB ShardId is not echoed whole). */
const shown = (value: unknown) => {
  const text = String(value);
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
};

/**
 * SubscribeToShard's members as AWS's model constrains them (API_SubscribeToShard: ShardId 1-128 of [a-zA-Z0-9_.-]+;
 * API_StartingPosition: Type's enum, SequenceNumber 0|([1-9]\d{0,128}), Timestamp a timestamp), checked before kinesalite
 * is asked so the errors name SubscribeToShard's members (startingPosition.type, not GetShardIterator's
 * shardIteratorType). A member of the wrong JSON type is a SerializationException, as in the JSON protocol.
 */
function checkSubscribeInput(input: Record<string, unknown>): { shardId: string; position: Record<string, unknown> } {
  const invalid = (message: string) => new KinesisError("ValidationException", `1 validation error detected: ${message}`);
  if (input.ShardId === undefined || input.ShardId === null) throw invalid("Value null at 'shardId' failed to satisfy constraint: Member must not be null");
  if (typeof input.ShardId !== "string") throw new KinesisError("SerializationException", "ShardId must be a string");
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(input.ShardId)) throw invalid(`Value '${shown(input.ShardId)}' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128`);
  const position = input.StartingPosition;
  if (position === undefined || position === null) throw invalid("Value null at 'startingPosition' failed to satisfy constraint: Member must not be null");
  if (typeof position !== "object" || Array.isArray(position)) throw new KinesisError("SerializationException", "StartingPosition must be a structure");
  const { Type, SequenceNumber, Timestamp } = position as Record<string, unknown>;
  if (Type === undefined || Type === null) throw invalid("Value null at 'startingPosition.type' failed to satisfy constraint: Member must not be null");
  if (typeof Type !== "string") throw new KinesisError("SerializationException", "StartingPosition.Type must be a string");
  if (!POSITION_TYPES.includes(Type)) throw invalid(`Value '${shown(Type)}' at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set: [${POSITION_TYPES.join(", ")}]`);
  if (SequenceNumber !== undefined && SequenceNumber !== null) {
    if (typeof SequenceNumber !== "string") throw new KinesisError("SerializationException", "StartingPosition.SequenceNumber must be a string");
    if (!/^(0|[1-9]\d{0,128})$/.test(SequenceNumber)) throw invalid(`Value '${shown(SequenceNumber)}' at 'startingPosition.sequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})`);
  }
  if (Timestamp !== undefined && Timestamp !== null && typeof Timestamp !== "number") throw new KinesisError("SerializationException", "StartingPosition.Timestamp must be a timestamp (epoch seconds)");
  return { shardId: input.ShardId, position: position as Record<string, unknown> };
}

/** A shard's key in the subscriptions' maps (`<stream> <shard>`); with an empty shard, the prefix of its stream's keys. */
const shardKey = (streamName: string, shardId: string) => `${streamName} ${shardId}`;

/** The live SubscribeToShard subscriptions, by consumer ARN and shard. */
export class Subscriptions {
  private readonly live = new Map<string, Subscription>();
  /** The subscriptions being set up, by consumer ARN and shard: one at a time (A later one is ResourceInUseException). */
  private readonly claims = new Map<string, Claim>();
  /**
   * When each consumer and shard last subscribed successfully, for the 5-second rule, which holds whether or not that
   * subscription is still open. Entries older than RESUBSCRIBE_AFTER_MS are dropped as each SubscribeToShard looks.
   */
  private readonly lastSuccess = new Map<string, number>();
  /** The newest sequence number put on each shard (`<stream> <shard>`), as the puts through the endpoint answered. */
  private readonly newest = new Map<string, string>();
  /** The largest record put on each shard through the endpoint or read from it (`<stream> <shard>`, bytes): its reads' budget (readBudget). */
  private readonly largest = new Map<string, number>();

  constructor(private readonly options: SubscriptionOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Answers SubscribeToShard for a consumer already found (and authorised): errors before the stream opens are thrown
   * as KinesisErrors (the endpoint's JSON error answer), the events then go down `response` until the lifetime ends,
   * the shard closes, the client goes, a later subscription takes over, the consumer is deregistered, or `stopAll`.
   */
  async subscribe(consumer: LocalConsumer, streamName: string, input: Record<string, unknown>, response: ServerResponse | Http2ServerResponse): Promise<void> {
    const { admin } = this.options;
    const { shardId, position } = checkSubscribeInput(input);
    const key = `${consumer.ConsumerARN} ${shardId}`;
    // A client gone before this was called (the endpoint awaits the signature check after reading the body) emitted
    // its 'close' already: it gets nothing, and claims nothing.
    if (responseGone(response)) return;
    // The 5-second rule and the claim are decided in one synchronous step, before any await: of concurrent calls for
    // one consumer and shard, the first claims it and the others are refused, as AWS refuses a second call "within 5
    // seconds of a successful call".
    const now = this.now();
    for (const [earlier, at] of this.lastSuccess) if (now - at >= RESUBSCRIBE_AFTER_MS) this.lastSuccess.delete(earlier);
    if (this.claims.has(key) || this.lastSuccess.has(key)) {
      throw new KinesisError("ResourceInUseException", `Another active subscription exists for consumer ${consumer.ConsumerARN} and shard ${shardId}; subscribe again 5 seconds or more after the last successful SubscribeToShard.`);
    }
    const claim: Claim = {};
    this.claims.set(key, claim);
    // A client gone while the subscription is being set up (its checks await kinesalite) gets none: the close event
    // would not come again to end it.
    let gone = false;
    const onGone = () => void (gone = true);
    response.once("close", onGone);
    let iterator: string | undefined;
    let continuation: string;
    try {
      // GetShardIterator checks the shard and position (ResourceNotFoundException, InvalidArgumentException) before
      // the stream opens.
      const iteratorInput: Record<string, unknown> = { StreamName: streamName, ShardId: shardId, ShardIteratorType: position.Type };
      if (position.SequenceNumber != null) iteratorInput.StartingSequenceNumber = position.SequenceNumber;
      if (position.Timestamp != null) iteratorInput.Timestamp = position.Timestamp;
      iterator = (await admin("GetShardIterator", iteratorInput)).ShardIterator;
      // The continuation before any record (where a subscription AFTER_SEQUENCE_NUMBER it goes on from): the number
      // asked for; else, as no record was read, the shard's newest (nothing after it yet), or its first when it has none.
      continuation = typeof position.SequenceNumber === "string" ? position.SequenceNumber : (this.newest.get(shardKey(streamName, shardId)) ?? (await this.shardStart(streamName, shardId)));
    } catch (error) {
      // kinesalite's answer, without its operation (the client asked SubscribeToShard).
      if (error instanceof KinesisError) throw new KinesisError(error.code, error.reason, error.status);
      throw error;
    } finally {
      response.off("close", onGone);
      if (this.claims.get(key) === claim) this.claims.delete(key);
    }
    // The consumer deregistered (or the endpoint stopping) while this was set up: endConsumer cancelled the claim.
    if (claim.cancelled) throw new KinesisError(claim.cancelled.code, claim.cancelled.message);
    if (gone || responseGone(response)) return;
    this.lastSuccess.set(key, this.now());
    this.live.get(key)?.end({ code: "ResourceInUseException", message: `A newer subscription of consumer ${consumer.ConsumerARN} to shard ${shardId} took over.` });

    let ended = false;
    let woken = false;
    let timer: NodeJS.Timeout | undefined;
    /** Ends the pause under way (no records: until a put, the fallback read or the heartbeat). */
    let resume: (() => void) | undefined;
    /** Ends the wait for 'drain' under way. */
    let drained: (() => void) | undefined;
    const lifetime = setTimeout(() => subscription.end(), this.options.lifetimeMs ?? SUBSCRIPTION_LIFETIME_MS);
    const subscription: Subscription = {
      shard: shardKey(streamName, shardId),
      end: (exception) => {
        if (ended) return;
        ended = true;
        clearTimeout(lifetime);
        clearTimeout(timer);
        resume?.();
        drained?.();
        if (this.live.get(key) === subscription) this.live.delete(key);
        response.off("drain", onDrain);
        if (exception && !responseGone(response)) (response as ServerResponse).write(eventMessage("exception", exception.code, { message: exception.message }));
        if (!response.writableEnded) response.end();
      },
      wake: () => {
        woken = true;
        resume?.();
      },
    };
    const onDrain = () => drained?.();
    response.on("drain", onDrain);
    this.live.set(key, subscription);
    response.once("close", () => subscription.end());
    const wait = (ms?: number) =>
      new Promise<void>((resolve) => {
        resume = () => {
          resume = undefined;
          clearTimeout(timer);
          resolve();
        };
        if (ms !== undefined) timer = setTimeout(resume, ms);
      });
    // Back-pressure: a client that reads slowly (its HTTP/2 window full) holds the loop, not a growing buffer here.
    const send = async (message: Uint8Array) => {
      if ((response as ServerResponse).write(message) || ended) return;
      // A client gone without a 'close' this heard (one before the listener) sends no 'drain' either: end at once.
      if (responseGone(response)) return subscription.end();
      await new Promise<void>((resolve) => (drained = resolve));
      drained = undefined;
    };
    response.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": randomUUID() });
    await send(eventMessage("event", "initial-response", {}));
    const heartbeat = this.options.heartbeatMs ?? HEARTBEAT_MS;
    // The heartbeat is read on the process's clock (options.now is the endpoint's, which tests may hold still).
    let lastSent = performance.now();
    try {
      let first = true;
      let limit = FIRST_READ_LIMIT;
      while (!ended && iterator) {
        woken = false;
        const answer = (await admin("GetRecords", { ShardIterator: iterator, Limit: Math.min(limit, readBudget(this.largest.get(subscription.shard) ?? 0)) })) as { Records: KinesaliteRecord[]; NextShardIterator?: string; MillisBehindLatest?: number };
        if (ended) break;
        limit = nextReadLimit(limit, answer.Records);
        for (const record of answer.Records) this.noteSize(subscription.shard, recordBytes(record));
        iterator = answer.NextShardIterator;
        // A closed shard (no next iterator) ends with its children, as AWS's last event of a shard does.
        const children = iterator ? undefined : await this.children(streamName, shardId);
        if (ended) break;
        if (first || answer.Records.length > 0 || children || performance.now() - lastSent >= heartbeat) {
          const events = split(answer.Records);
          for (const [index, records] of events.entries()) {
            if (records.length > 0) continuation = records[records.length - 1].SequenceNumber;
            const last = index === events.length - 1;
            await send(
              eventMessage("event", "SubscribeToShardEvent", {
                Records: records.map((r) => ({ SequenceNumber: r.SequenceNumber, ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp, Data: r.Data, PartitionKey: r.PartitionKey })),
                ContinuationSequenceNumber: continuation,
                MillisBehindLatest: answer.MillisBehindLatest ?? 0,
                ...(children && last ? { ChildShards: children } : {}),
              }),
            );
            if (ended) break;
          }
          first = false;
          lastSent = performance.now();
        }
        // Nothing new: wait for a put on the shard (wake), the fallback read, or the next heartbeat, whichever is first.
        if (answer.Records.length === 0 && iterator && !ended && !woken) await wait(Math.max(0, Math.min(this.options.pollIntervalMs, heartbeat - (performance.now() - lastSent))));
      }
    } catch (error) {
      // A read failing because the subscription ended (the endpoint stopping) is no news.
      if (ended) return;
      const failure = error as KinesisError;
      this.options.log(`local Kinesis: SubscribeToShard ${consumer.ConsumerName} on ${shardId}: ${failure.message}`);
      // Only the exceptions the event stream models reach a client as themselves (the SDK makes others a bare Error).
      const code = STREAM_EXCEPTIONS.has(failure.code) ? failure.code : "InternalFailureException";
      subscription.end({ code, message: failure.reason ?? failure.message });
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

  /**
   * Notes a record put (PutRecord, PutRecords' answers; `bytes` its size as Kinesis counts it): a LATEST subscription's
   * continuation before any record; the shard's largest record (its reads' budget); and wakes the shard's subscriptions, which then read it at once instead of at their next fallback read.
   */
  notePut(streamName: string, shardId: unknown, sequenceNumber: unknown, bytes = 0): void {
    if (typeof shardId !== "string" || typeof sequenceNumber !== "string" || !/^\d+$/.test(sequenceNumber)) return;
    const key = shardKey(streamName, shardId);
    this.noteSize(key, bytes);
    const known = this.newest.get(key);
    if (known === undefined || BigInt(sequenceNumber) > BigInt(known)) this.newest.set(key, sequenceNumber);
    this.wake(streamName, shardId);
  }

  /**
   * Forgets a stream's newest sequence numbers (DeleteStream, CreateStream through the endpoint): a stream created again
   * under the name starts its sequence numbers anew, and a continuation from the old one is refused by its GetShardIterator.
   */
  forgetStream(streamName: string): void {
    for (const key of [...this.newest.keys()]) if (key.startsWith(shardKey(streamName, ""))) this.newest.delete(key);
    for (const key of [...this.largest.keys()]) if (key.startsWith(shardKey(streamName, ""))) this.largest.delete(key);
  }

  /** Notes a record's size on a shard (`<stream> <shard>`) if the largest yet. */
  private noteSize(shard: string, bytes: number): void {
    if (bytes > (this.largest.get(shard) ?? 0)) this.largest.set(shard, bytes);
  }

  /** Wakes the subscriptions of a stream's shard (or of all its shards: a split or merge closes some). */
  wake(streamName: string, shardId?: string): void {
    for (const subscription of this.live.values()) {
      if (shardId === undefined ? subscription.shard.startsWith(shardKey(streamName, "")) : subscription.shard === shardKey(streamName, shardId)) subscription.wake();
    }
  }

  /**
   * Ends a deregistered consumer's subscriptions with ResourceNotFoundException (what AWS sends them is not documented:
   * not confirmed), so none reads on for a consumer that is gone; one being set up is refused so once its checks are
   * done. Its 5-second rule goes with it.
   */
  endConsumer(consumerArn: string): void {
    const exception = { code: "ResourceNotFoundException", message: `Consumer ${consumerArn} was deregistered.` };
    const ofConsumer = (key: string) => key.startsWith(`${consumerArn} `);
    for (const [key, claim] of this.claims) if (ofConsumer(key)) claim.cancelled = exception;
    for (const [key, subscription] of [...this.live]) if (ofConsumer(key)) subscription.end(exception);
    for (const key of [...this.lastSuccess.keys()]) if (ofConsumer(key)) this.lastSuccess.delete(key);
  }

  /** Ends every subscription (the endpoint stops), and refuses those being set up. */
  stopAll(): void {
    for (const claim of this.claims.values()) claim.cancelled = { code: "ResourceNotFoundException", message: "The local Kinesis endpoint stopped." };
    for (const subscription of [...this.live.values()]) subscription.end();
  }
}
