/**
 * SQS for `npm start`: the program's MessageQueues (and their dead-letter queues) in memory, served over the AWS
 * JSON 1.0 protocol that @aws-sdk/client-sqs sends (a POST to `/` whose `X-Amz-Target: AmazonSQS.<Action>` names the
 * operation, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html),
 * as AWS CLI v2 does after 2.13.33 (its changelog: "This release enables customers to call SQS using AWS JSON-1.0
 * protocol") and botocore since 1.31.81 (reverted, then again from boto/botocore#3165). Query-protocol requests
 * (form-encoded `Action=`) of older clients get an error naming the fix.
 * Local Lambdas get AWS_ENDPOINT_URL_SQS pointing here; queue URLs are `<endpoint>/<account>/<name>`, so a URL the
 * program hands a function has the endpoint's origin and the SDK sends to it (with AWS_ENDPOINT_URL_SQS and not an
 * explicit `endpoint`, the SDK's queueUrlMiddleware sends every call to its QueueUrl's origin).
 *
 * Hand-written, not a library: fauxqs (the maintained in-process emulator) needs Node ≥ 22.5 since 2.x (node:sqlite),
 * and its last Node 20 release served (1.9.2) keeps messages past MessageRetentionPeriod, hands out one message per
 * FIFO group per receive, reads the wall clock (no clock to inject in tests) and brings fastify and the S3 and SNS
 * clients; ElasticMQ and LocalStack need a JVM or Docker.
 *
 * The store (LocalSqs) is also what the event source (local/sqs-event-source.ts) receives from, in process, as
 * Lambda's pollers call ReceiveMessage.
 *
 * Every request must be signed (SigV4) as SQS checks it: for service `sqs`, in the region of the queue it names, within
 * 15 minutes of the wall clock, `host` (and `x-amz-date`, when sent) signed, and the signature the SDK's signer computes
 * with the server's credentials (local/sigv4-verify.ts, which the local S3 server shares) — so a client that signs
 * wrongly fails here as it would in AWS.
 */
import { iamActionOf } from "../components/iam-match";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { readBody } from "./http";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import type { Authorise } from "./function-roles";
import { LOCAL_CREDENTIALS, verifySignedHeaders, wrongRegion as signatureWrongRegion, type SigV4Credentials, type VerifiedSigner } from "./sigv4-verify";

/** What the local server needs of a queue (a MessageQueueSpec's queue or its dead-letter queue, names resolved). */
export interface LocalQueueDefinition {
  name: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  delaySeconds: number;
  maximumMessageBytes: number;
  region: string;
  /**
   * The queue's ARN as the program recorded it (the queue's `arn`, MessageQueue's `queueArn`): its `QueueArn`, its
   * events' `eventSourceARN`. @default `arn:aws:sqs:<region>:<the server's account>:<name>`, for a queue outside a program run
   */
  arn?: string;
  /** Where a message goes once it has been received `maxReceiveCount` times (SQS's RedrivePolicy). */
  redrive?: { deadLetterQueueName: string; maxReceiveCount: number };
  /**
   * SSE-SQS, as GetQueueAttributes reports it (SqsManagedSseEnabled); nothing is encrypted locally. MessageQueue sets it
   * on both queues. @default true, SQS's for a queue created without encryption attributes ("SSE-SQS … enabled by
   * default" for new queues, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html)
   */
  sqsManagedSseEnabled?: boolean;
  /** The queue's access policy (its QueuePolicy's `policy`) as GetQueueAttributes' Policy; not enforced locally. */
  policy?: string;
  /** The queue's RedriveAllowPolicy (a dead-letter queue's `byQueue` policy) as GetQueueAttributes reports it; not enforced locally. */
  redriveAllowPolicy?: string;
}

/** A message attribute as SQS's JSON protocol carries it (BinaryValue base64). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  senderId: string;
  /** When SQS accepted it (SentTimestamp), ms. */
  sentTimestamp: number;
  /** From when retention counts, ms: the send, or for a FIFO queue's message moved to its dead-letter queue, the move. */
  enqueuedAt: number;
  /** Not receivable before (DelaySeconds), ms. */
  delayUntil: number;
  /** Hidden by a receive until, ms (0: never received or made visible again). */
  invisibleUntil: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** When the latest receive took it, ms: its visibility may not be extended past 12 hours from then. */
  receivedAt?: number;
  /** The receipt handle of the latest receive. */
  receiptHandle?: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
  /** The queue a dead-lettered message came from. */
  deadLetterQueueSourceArn?: string;
  /** The message system attribute AWSTraceHeader it was sent with (the X-Ray trace header), returned as a system attribute. */
  awsTraceHeader?: string;
}

/** What ReceiveMessage hands out: the message as it is at that receive (a copy). */
export type ReceivedMessage = Readonly<StoredMessage> & { receiptHandle: string; firstReceiveTimestamp: number };

/** An SQS error as the JSON protocol answers it: `__type`, status, and the query-compatible code SDKs read from `x-amzn-query-error`. */
export class SqsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400, readonly queryCode = type) {
    super(message);
    this.name = type;
  }
}

// Status codes and query-compatible codes as the SQS model gives them (@aws-sdk/client-sqs awsQueryError traits).
const nonExistentQueue = () => new SqsError("QueueDoesNotExist", "The specified queue does not exist.", 400, "AWS.SimpleQueueService.NonExistentQueue");
const invalidParameter = (message: string) => new SqsError("InvalidParameterValue", message);
const missingParameter = (name: string) => new SqsError("MissingParameter", `The request must contain the parameter ${name}.`);
const invalidReceiptHandle = (handle: string) => new SqsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle.slice(0, 100)}" is not a valid receipt handle.`, 404);
const batchError = (type: string, message: string) => new SqsError(type, message, 400, `AWS.SimpleQueueService.${type}`);

/** SQS quotas (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html). */
export const SQS_LIMITS = {
  /** Entries in one batch request. */
  batchEntries: 10,
  /** ReceiveMessage MaxNumberOfMessages, 1–10. */
  receiveMax: 10,
  /** ReceiveMessage WaitTimeSeconds, 0–20. */
  longPollSeconds: 20,
  /** VisibilityTimeout, 0–43200 (12 hours). */
  visibilitySeconds: 43_200,
  /** DelaySeconds, 0–900 (15 minutes). */
  delaySeconds: 900,
  /** Message attributes per message. */
  messageAttributes: 10,
  /** A message attribute's name: up to 256 characters (sqs-message-metadata.html). */
  attributeNameLength: 256,
  /** A message attribute's data type: up to 256 characters (sqs-message-metadata.html). */
  attributeTypeLength: 256,
  /** FIFO deduplication interval: 5 minutes. */
  deduplicationMs: 5 * 60 * 1000,
  /** One PurgeQueue per 60 seconds (PurgeQueueInProgress). */
  purgeIntervalMs: 60 * 1000,
  /**
   * A SendMessageBatch's messages together: 1 MiB whatever the queue's MaximumMessageSize ("The maximum allowed
   * individual message size and the maximum total payload size (the sum of the individual lengths of all of the batched
   * messages) are both 1 MiB 1,048,576 bytes", API_SendMessageBatch): a queue of a smaller maximum limits each entry.
   */
  batchBytes: 1_048_576,
  /** MessageGroupId / MessageDeduplicationId length, 1–128. */
  idLength: 128,
} as const;

/** Characters SQS accepts in a body or string attribute: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
const INVALID_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/**
 * Batch entry ids: "alphanumeric characters, hyphens and underscores", at most 80; SNS's PublishBatch entries the same
 * ("up to 80 characters … alphanumeric characters, hyphens(-), and underscores (_)", API_PublishBatchRequestEntry).
 */
export const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** Group and deduplication ids: alphanumeric and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~); SNS's the same (API_Publish). */
export const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");

/**
 * SQS's MD5OfMessageAttributes: per attribute in name order, the name, the data type, a transport byte (1 string,
 * 2 binary) and the value, each string or value prefixed with its length as 4 bytes big-endian
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation).
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const value = attributes[name];
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(value.DataType, "utf8"));
    if (value.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(value.BinaryValue, "base64"));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(value.StringValue ?? "", "utf8"));
    }
  }
  return md5(Buffer.concat(parts));
}

/** A message's size as SQS counts it against MaximumMessageSize: the body plus each attribute's name, type and value. */
/** What counts against a message's size: the body, and each attribute's name, type and value (Binary as its bytes); SNS counts the same. */
export function messageBytes(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.BinaryValue !== undefined ? Buffer.from(value.BinaryValue, "base64").length : Buffer.byteLength(value.StringValue ?? "");
  }
  return size;
}

/**
 * A binary min-heap whose items know their place in it (`place`: an item's index, -1 when it is not in this heap), so
 * that one can be removed, or moved when its key changes, in O(log n), as well as taken from the front.
 */
class PlacedHeap<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly before: (a: T, b: T) => boolean,
    private readonly place: { get(item: T): number; set(item: T, index: number): void },
  ) {}

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return this.place.get(item) >= 0;
  }

  push(item: T): void {
    this.items.push(item);
    // A new leaf has no children: it can only move up.
    this.up(this.items.length - 1);
  }

  /** Takes the item out, wherever it is; nothing if it is not in this heap. */
  remove(item: T): void {
    const index = this.place.get(item);
    if (index < 0) return;
    this.place.set(item, -1);
    const last = this.items.pop()!;
    if (index === this.items.length) return;
    this.items[index] = last;
    this.down(this.up(index));
  }

  /** Puts the item back in order after its key changed. */
  update(item: T): void {
    const index = this.place.get(item);
    if (index >= 0) this.down(this.up(index));
  }

  private up(index: number): number {
    const item = this.items[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(item, this.items[parent])) break;
      this.set(index, this.items[parent]);
      index = parent;
    }
    this.set(index, item);
    return index;
  }

  private down(index: number): void {
    const item = this.items[index];
    for (;;) {
      let child = 2 * index + 1;
      if (child >= this.items.length) break;
      if (child + 1 < this.items.length && this.before(this.items[child + 1], this.items[child])) child += 1;
      if (!this.before(this.items[child], item)) break;
      this.set(index, this.items[child]);
      index = child;
    }
    this.set(index, item);
  }

  private set(index: number, item: T): void {
    this.items[index] = item;
    this.place.set(item, index);
  }
}

/** Where a message is: receivable (though a FIFO group may hold it back), delayed (DelaySeconds), or in flight (received). */
type SlotState = "visible" | "delayed" | "inFlight";

/** A message in its queue's MessageIndex. */
interface Slot {
  id: string;
  message: StoredMessage;
  /** Arrival in the queue (send, move to the dead-letter queue, restore): the order receives hand messages out in. */
  order: number;
  state: SlotState;
  /** While delayed or in flight: when it becomes visible, ms. */
  visibleAt: number;
  /** When retention drops it, ms. */
  expiresAt: number;
  /** A FIFO queue's message: its group. */
  group?: MessageGroup;
  /** Its place in the queue's visible messages (standard) or its group's pending ones (FIFO); -1: not there. */
  atVisible: number;
  /** Its place among the messages waiting to become visible; -1: not there. */
  atWaiting: number;
  /** Its place among the messages by retention. */
  atRetained: number;
}

/** A FIFO queue's message group. */
interface MessageGroup {
  key: string | Slot;
  /** Its messages not in flight (visible or delayed), by arrival. */
  pending: PlacedHeap<Slot>;
  /** How many of its messages are in flight: while any is, the group gives none. */
  inFlight: number;
  /** Its first pending message's arrival, while the group can give a message. */
  head: number;
  /** Its place among the groups that can give a message; -1: not there. */
  atReady: number;
}

const byArrival = (a: Slot, b: Slot) => a.order < b.order;
const messageIndex = (definition: LocalQueueDefinition) => new MessageIndex(definition.fifo, definition.messageRetentionSeconds * 1000);
const visiblePlace = { get: (slot: Slot) => slot.atVisible, set: (slot: Slot, index: number) => void (slot.atVisible = index) };

/**
 * A queue's messages and what a receive can take from them, kept up to date as they change, so that a receive costs
 * what it hands out (or moves to the dead-letter queue), each taken from the front in O(log n), not a scan of the
 * queue (one per receive made draining a backlog of N messages, ten at a time, read N² / 20 messages):
 * - standard queue: the visible messages, by arrival;
 * - FIFO queue: each group's messages not in flight, by arrival, and the groups that can give one now (none in flight,
 *   the first one visible), by their first message's arrival — so groups interleave in send order, as they did;
 * - the delayed and in-flight messages by when they become visible, made visible when that time has come (`settle`);
 * - every message by when retention drops it.
 * The messages' own fields (delayUntil, invisibleUntil, receiveCount, …) are what is saved and restored; the index is
 * built from them and reads a message only when it is added or taken.
 */
class MessageIndex {
  /** By message id, in arrival order (the snapshot's order): a receipt handle names its message's id. */
  private readonly slots = new Map<string, Slot>();
  private arrivals = 0;
  private readonly visible = new PlacedHeap<Slot>(byArrival, visiblePlace);
  private readonly groups = new Map<string | Slot, MessageGroup>();
  private readonly ready = new PlacedHeap<MessageGroup>((a, b) => a.head < b.head, { get: (group) => group.atReady, set: (group, index) => void (group.atReady = index) });
  private readonly waiting = new PlacedHeap<Slot>((a, b) => a.visibleAt < b.visibleAt || (a.visibleAt === b.visibleAt && a.order < b.order), {
    get: (slot) => slot.atWaiting,
    set: (slot, index) => void (slot.atWaiting = index),
  });
  private readonly retained = new PlacedHeap<Slot>((a, b) => a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.order < b.order), {
    get: (slot) => slot.atRetained,
    set: (slot, index) => void (slot.atRetained = index),
  });
  /** During a receive, the FIFO groups it has taken a message from: they may give their next visible one to the same receive. */
  private receiving?: Set<MessageGroup>;
  inFlight = 0;
  delayed = 0;

  constructor(
    private readonly fifo: boolean,
    private readonly retentionMs: number,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  get(messageId: string): Slot | undefined {
    return this.slots.get(messageId);
  }

  /** The messages in arrival order. */
  messages(): StoredMessage[] {
    return Array.from(this.slots.values(), (slot) => slot.message);
  }

  /** When the next delayed or in-flight message becomes visible, if any is waiting. */
  nextVisibleAt(): number | undefined {
    return this.waiting.peek()?.visibleAt;
  }

  add(message: StoredMessage, now: number): void {
    // One message per id, as in a Map (a saved file naming an id twice keeps the later).
    const previous = this.slots.get(message.messageId);
    if (previous) this.remove(previous);
    const slot: Slot = { id: message.messageId, message, order: this.arrivals++, state: "visible", visibleAt: 0, expiresAt: message.enqueuedAt + this.retentionMs, atVisible: -1, atWaiting: -1, atRetained: -1 };
    this.slots.set(slot.id, slot);
    this.retained.push(slot);
    if (this.fifo) {
      // A FIFO message without a group (none is sent without one) is a group of its own.
      const key = message.messageGroupId ?? slot;
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = { key, pending: new PlacedHeap(byArrival, visiblePlace), inFlight: 0, head: 0, atReady: -1 }));
      slot.group = group;
    }
    if (message.invisibleUntil > now) this.enter(slot, "inFlight", Math.max(message.invisibleUntil, message.delayUntil));
    else if (message.delayUntil > now) this.enter(slot, "delayed", message.delayUntil);
    else this.enter(slot, "visible");
  }

  remove(slot: Slot): void {
    this.leave(slot);
    this.retained.remove(slot);
    this.slots.delete(slot.id);
    if (slot.group) this.refresh(slot.group);
  }

  /** Drops the messages retention has expired and makes visible those whose delay or visibility timeout has passed. */
  settle(now: number): void {
    for (let slot = this.retained.peek(); slot && slot.expiresAt <= now; slot = this.retained.peek()) this.remove(slot);
    for (let slot = this.waiting.peek(); slot && slot.visibleAt <= now; slot = this.waiting.peek()) {
      this.leave(slot);
      this.enter(slot, "visible");
    }
  }

  /** The message a receive takes next, if any: the first visible one (standard), the first of the first group that can give one (FIFO). */
  front(): Slot | undefined {
    return this.fifo ? this.ready.peek()?.pending.peek() : this.visible.peek();
  }

  /**
   * Runs a receive: a FIFO group it takes a message from may give its next visible messages to it too (a group with
   * a message in flight before it started gives none). Then the messages it took with a visibility timeout of 0 are
   * visible again.
   */
  receive<T>(now: number, run: () => T): T {
    this.receiving = new Set();
    try {
      return run();
    } finally {
      const taken = this.receiving;
      this.receiving = undefined;
      for (const group of taken) this.refresh(group);
      this.settle(now);
    }
  }

  /**
   * Hides the message until `until` (received, or its visibility changed); visible at once when that is not after
   * `now`, or, for a message a receive takes, once that receive ends (it hands a message out once).
   */
  hide(slot: Slot, until: number, now: number): void {
    // Before the group is looked at again: it stays open to the receive taking its message.
    if (this.receiving && slot.group) this.receiving.add(slot.group);
    this.leave(slot);
    if (until > now || this.receiving) this.enter(slot, "inFlight", until);
    else this.enter(slot, "visible");
  }

  private enter(slot: Slot, state: SlotState, visibleAt = 0): void {
    slot.state = state;
    slot.visibleAt = visibleAt;
    if (state === "inFlight") this.inFlight += 1;
    if (state === "delayed") this.delayed += 1;
    if (state !== "visible") this.waiting.push(slot);
    const { group } = slot;
    if (!group) {
      if (state === "visible") this.visible.push(slot);
      return;
    }
    if (state === "inFlight") group.inFlight += 1;
    else group.pending.push(slot);
    this.refresh(group);
  }

  private leave(slot: Slot): void {
    if (slot.state === "inFlight") this.inFlight -= 1;
    if (slot.state === "delayed") this.delayed -= 1;
    this.waiting.remove(slot);
    const { group } = slot;
    if (!group) return this.visible.remove(slot);
    if (slot.state === "inFlight") group.inFlight -= 1;
    else group.pending.remove(slot);
  }

  /** Puts a FIFO group among those that can give a message (in order of its first one), or takes it out. */
  private refresh(group: MessageGroup): void {
    const first = group.pending.peek();
    if (first?.state === "visible" && (group.inFlight === 0 || this.receiving?.has(group))) {
      group.head = first.order;
      if (this.ready.has(group)) this.ready.update(group);
      else this.ready.push(group);
      return;
    }
    this.ready.remove(group);
    if (!first && group.inFlight === 0 && this.groups.get(group.key) === group) this.groups.delete(group.key);
  }
}

interface QueueState {
  definition: LocalQueueDefinition;
  arn: string;
  createdTimestamp: number;
  /**
   * Its messages, by message id and in send order (FIFO: sequence order), which is the order receives hand them out,
   * with what a receive can take. A receipt handle names its message's id, so DeleteMessage and
   * ChangeMessageVisibility find a message without a scan of the queue, as ReceiveMessage takes one.
   */
  messages: MessageIndex;
  /** By deduplication id, in the order they were recorded (`at`), so expired ones are dropped from the front. */
  deduplication: Map<string, { messageId: string; sequenceNumber?: string; at: number }>;
  lastPurge?: number;
  waiters: Set<() => void>;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
  /** MessageSystemAttributes: only AWSTraceHeader, of type String. */
  messageSystemAttributes?: Record<string, MessageAttributeValue>;
  /** The request's X-Amzn-Trace-Id header: the message's AWSTraceHeader when it has no such system attribute. */
  traceHeader?: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  senderId?: string;
}

export interface SendResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  sequenceNumber?: string;
}

export interface ReceiveOptions {
  /** 1–10. */
  max: number;
  /** @default the queue's */
  visibilityTimeoutSeconds?: number;
  /** Long polling: wait up to this many seconds for a message. @default 0 */
  waitSeconds?: number;
  /** Ends a long poll early (with what is there: nothing). */
  signal?: AbortSignal;
}

/** The local queues and their messages. `now` is the clock (ms), injectable for tests. */
export class LocalSqs {
  private readonly queues = new Map<string, QueueState>();
  private sequence = 0n;
  private closed = false;

  constructor(
    definitions: LocalQueueDefinition[],
    readonly options: { accountId?: string; now?: () => number } = {},
  ) {
    const now = this.now();
    for (const definition of definitions) {
      this.queues.set(definition.name, {
        definition,
        arn: definition.arn ?? `arn:aws:sqs:${definition.region}:${this.accountId}:${definition.name}`,
        createdTimestamp: now,
        messages: messageIndex(definition),
        deduplication: new Map(),
        waiters: new Set(),
      });
    }
  }

  get accountId(): string {
    return this.options.accountId ?? MOCK_ACCOUNT_ID;
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  names(): string[] {
    return [...this.queues.keys()];
  }

  has(name: string): boolean {
    return this.queues.has(name);
  }

  arn(name: string): string {
    return this.queue(name).arn;
  }

  definition(name: string): LocalQueueDefinition {
    return this.queue(name).definition;
  }

  private queue(name: string): QueueState {
    const queue = this.queues.get(name);
    if (!queue) throw nonExistentQueue();
    return queue;
  }

  /** Validates and enqueues one message (SendMessage, or one entry of SendMessageBatch). */
  send(name: string, input: SendInput): SendResult {
    const queue = this.queue(name);
    const { definition } = queue;
    const attributes = input.messageAttributes ?? {};
    validateAttributes(attributes);
    const sentSystemAttributes = input.messageSystemAttributes ?? {};
    validateSystemAttributes(sentSystemAttributes);
    if (input.body.length === 0) throw missingParameter("MessageBody");
    if (INVALID_CHARACTER.test(input.body)) {
      throw new SqsError("InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
    }
    const size = messageBytes(input.body, attributes);
    // SQS's answer, word for word: 400 InvalidParameterValue (not MessageTooLong: the SQS model has no such error),
    // e.g. "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    // (artillery/artillery#3683, 2026; 262144 before 2025, getmoto/moto#450), though the maximum itself is accepted
    // ("The maximum is 1,048,576 bytes", quotas-messages.html).
    if (size > definition.maximumMessageBytes) {
      throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${definition.maximumMessageBytes} bytes.`);
    }
    if (input.delaySeconds !== undefined) {
      checkInteger("DelaySeconds", input.delaySeconds, 0, SQS_LIMITS.delaySeconds);
      // "FIFO queues don't support per-message delays, only per-queue delays" (SendMessage DelaySeconds); SQS takes 0
      // and ignores it, the queue's delay applying (localstack/localstack#6612, confirmed against AWS, and #12941;
      // softwaremill/elasticmq#273, #1009), so a client that always sends DelaySeconds works with a FIFO queue.
      if (definition.fifo && input.delaySeconds !== 0) throw invalidParameter(`Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
    }
    let deduplicationId: string | undefined;
    if (definition.fifo) {
      if (input.messageGroupId === undefined) throw missingParameter("MessageGroupId");
      if (!FIFO_ID.test(input.messageGroupId)) throw invalidParameter(`Value ${input.messageGroupId} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
      if (input.messageDeduplicationId !== undefined && !FIFO_ID.test(input.messageDeduplicationId)) {
        throw invalidParameter(`Value ${input.messageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
      }
      deduplicationId = input.messageDeduplicationId ?? (definition.contentBasedDeduplication ? createHash("sha256").update(input.body).digest("hex") : undefined);
      if (deduplicationId === undefined) throw invalidParameter("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    } else if (input.messageDeduplicationId !== undefined) {
      throw invalidParameter(`Value ${input.messageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.`);
    }

    const now = this.now();
    const md5OfAttributes = md5OfMessageAttributes(attributes);
    // MD5OfMessageSystemAttributes: "An MD5 digest of the non-URL-encoded message system attribute string" (API_SendMessage),
    // encoded as message attributes are (SQS's developer guide gives no other algorithm; what AWS answers is unconfirmed).
    const md5OfSystemAttributes = md5OfMessageAttributes(sentSystemAttributes);
    const digests = { md5OfMessageAttributes: md5OfAttributes, md5OfMessageSystemAttributes: md5OfSystemAttributes };
    const awsTraceHeader = sentSystemAttributes.AWSTraceHeader?.StringValue ?? input.traceHeader;
    if (deduplicationId !== undefined) {
      // "If a message with a particular message deduplication ID is sent successfully, any messages sent with the same
      // message deduplication ID are accepted successfully but aren't delivered during the 5-minute deduplication interval."
      const seen = queue.deduplication.get(deduplicationId);
      if (seen && now - seen.at < SQS_LIMITS.deduplicationMs) {
        return { messageId: seen.messageId, md5OfMessageBody: md5(input.body), ...digests, sequenceNumber: seen.sequenceNumber };
      }
    }
    this.sequence += 1n;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5(input.body),
      messageAttributes: attributes,
      md5OfMessageAttributes: md5OfAttributes,
      // "Default HTTP Header – … carried by X-Amzn-Trace-Id and corresponds to all messages included in a SendMessage or
      // SendMessageBatch request … If both headers are set, the message system attribute overrides the HTTP trace header"
      // (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sqs.html). The header adds no MD5OfMessageSystemAttributes here
      // (whether SQS answers one for it is unconfirmed).
      ...(awsTraceHeader !== undefined ? { awsTraceHeader } : {}),
      senderId: input.senderId ?? this.accountId,
      sentTimestamp: now,
      enqueuedAt: now,
      delayUntil: now + (definition.fifo ? definition.delaySeconds : (input.delaySeconds ?? definition.delaySeconds)) * 1000,
      invisibleUntil: 0,
      receiveCount: 0,
      ...(definition.fifo ? { messageGroupId: input.messageGroupId, messageDeduplicationId: deduplicationId, sequenceNumber: sequenceNumber(this.sequence) } : {}),
    };
    queue.messages.add(message, now);
    if (deduplicationId !== undefined) {
      // Deleted first, so the record moves to the end and the map stays in time order.
      queue.deduplication.delete(deduplicationId);
      queue.deduplication.set(deduplicationId, { messageId: message.messageId, sequenceNumber: message.sequenceNumber, at: now });
    }
    this.wake(queue);
    return { messageId: message.messageId, md5OfMessageBody: message.md5OfBody, ...digests, sequenceNumber: message.sequenceNumber };
  }

  /**
   * Hands out up to `max` visible messages and hides them for the visibility timeout; a long poll waits for one.
   * A message already received `maxReceiveCount` times moves to the dead-letter queue instead. In a FIFO queue a
   * group with a message in flight gives none, and a group's messages come out in order.
   */
  async receive(name: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const queue = this.queue(name);
    checkInteger("MaxNumberOfMessages", options.max, 1, SQS_LIMITS.receiveMax);
    if (options.visibilityTimeoutSeconds !== undefined) checkInteger("VisibilityTimeout", options.visibilityTimeoutSeconds, 0, SQS_LIMITS.visibilitySeconds);
    const waitSeconds = options.waitSeconds ?? 0;
    checkInteger("WaitTimeSeconds", waitSeconds, 0, SQS_LIMITS.longPollSeconds);
    // On the queue's clock, as every other time here: a poll woken after the clock passed its deadline returns.
    const deadline = this.now() + waitSeconds * 1000;
    for (;;) {
      const received = this.receiveNow(queue, options.max, options.visibilityTimeoutSeconds ?? queue.definition.visibilityTimeoutSeconds);
      const left = deadline - this.now();
      if (received.length > 0 || left <= 0 || options.signal?.aborted || this.closed) return received;
      await this.waitForChange(queue, left, options.signal);
    }
  }

  /**
   * Takes visible messages from the front of the queue (messages.front()): a receive reads the messages it hands out
   * and those it moves to the dead-letter queue, and no other.
   */
  private receiveNow(queue: QueueState, max: number, visibilityTimeoutSeconds: number): ReceivedMessage[] {
    const now = this.now();
    this.expire(queue, now);
    const { definition, messages } = queue;
    const received: ReceivedMessage[] = [];
    // A queue naming itself as its dead-letter queue redrives nothing, so that a receive always ends (a message moved
    // would come back to it). MessageQueue's dead-letter queue is always another queue.
    const redrive = definition.redrive && definition.redrive.deadLetterQueueName !== definition.name && this.queues.has(definition.redrive.deadLetterQueueName) ? definition.redrive : undefined;
    return messages.receive(now, () => {
      for (let slot = messages.front(); slot && received.length < max; slot = messages.front()) {
        const { message } = slot;
        if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
          this.moveToDeadLetterQueue(queue, slot, now);
          continue;
        }
        message.receiveCount += 1;
        message.firstReceiveTimestamp ??= now;
        message.receivedAt = now;
        message.invisibleUntil = now + visibilityTimeoutSeconds * 1000;
        message.receiptHandle = encodeReceiptHandle(definition.name, message.messageId);
        messages.hide(slot, message.invisibleUntil, now);
        received.push({ ...message, receiptHandle: message.receiptHandle, firstReceiveTimestamp: message.firstReceiveTimestamp });
      }
      return received;
    });
  }

  /**
   * "When the ReceiveCount for a message exceeds the maxReceiveCount for a queue, Amazon SQS moves the message to a
   * dead-letter queue (with its original message ID)"; a standard queue's message keeps its enqueue timestamp, a
   * FIFO queue's gets a new one (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
   */
  private moveToDeadLetterQueue(queue: QueueState, slot: Slot, now: number): void {
    const target = this.queue(queue.definition.redrive!.deadLetterQueueName);
    const { message } = slot;
    queue.messages.remove(slot);
    this.sequence += 1n;
    target.messages.add(
      {
        ...message,
        invisibleUntil: 0,
        delayUntil: 0,
        receiptHandle: undefined,
        receivedAt: undefined,
        enqueuedAt: queue.definition.fifo ? now : message.enqueuedAt,
        deadLetterQueueSourceArn: queue.arn,
        ...(target.definition.fifo ? { sequenceNumber: sequenceNumber(this.sequence) } : {}),
      },
      now,
    );
    this.wake(target);
  }

  /**
   * Drops messages older than the queue's retention period ("after the retention period, messages are deleted
   * automatically"), makes visible those whose delay or visibility timeout has passed, and forgets deduplication ids
   * older than the deduplication interval. Each costs what it drops or moves.
   */
  private expire(queue: QueueState, now: number): void {
    queue.messages.settle(now);
    for (const [id, seen] of queue.deduplication) {
      if (now - seen.at < SQS_LIMITS.deduplicationMs) break;
      queue.deduplication.delete(id);
    }
  }

  /**
   * Deletes the message a receipt handle names. In a standard queue a handle of an earlier receive, or of a message
   * already deleted, deletes nothing and is no error ("the request succeeds, but the message will not be deleted",
   * DeleteMessage). In a FIFO queue a handle expires with its receive's visibility timeout: SQS answers
   * InvalidParameterValue "The receipt handle has expired" ("The receipt handle expires after the visibility timeout
   * period … older receipt handles might succeed if you use standard queues",
   * https://repost.aws/knowledge-center/sqs-receipt-handle-error; FIFO: awsdocs/aws-doc-sdk-examples#165), and the
   * message, visible again or received again, stays.
   */
  delete(name: string, receiptHandle: string): void {
    const queue = this.queue(name);
    const slot = this.slotOf(queue, receiptHandle);
    const message = slot?.message;
    if (message && queue.definition.fifo && (message.receiptHandle !== receiptHandle || message.invisibleUntil <= this.now())) {
      throw invalidParameter(`Value ${receiptHandle.slice(0, 100)} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    }
    if (!message || message.receiptHandle !== receiptHandle) return;
    queue.messages.remove(slot);
    // A FIFO group's next message may now be receivable.
    if (message.messageGroupId !== undefined) this.wake(queue);
  }

  /** ChangeMessageVisibility: 0 makes the message receivable at once. */
  changeVisibility(name: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const queue = this.queue(name);
    checkInteger("VisibilityTimeout", visibilityTimeoutSeconds, 0, SQS_LIMITS.visibilitySeconds);
    const slot = this.slotOf(queue, receiptHandle);
    const message = slot?.message;
    const now = this.now();
    if (!message || message.receiptHandle !== receiptHandle || message.invisibleUntil <= now) {
      throw new SqsError("MessageNotInflight", "The message referred to isn't in flight.", 400, "AWS.SimpleQueueService.MessageNotInflight");
    }
    // "The maximum visibility timeout is 12 hours from the time that Amazon SQS receives the ReceiveMessage request.
    // Extending the visibility timeout does not reset the 12-hour maximum" (sqs-visibility-timeout.html); SQS's answer
    // as a client reported it (localstack/localstack#3956; aws/aws-sdk-net#794). A message restored from a snapshot
    // of before receivedAt was recorded is not checked.
    if (message.receivedAt !== undefined && now + visibilityTimeoutSeconds * 1000 > message.receivedAt + SQS_LIMITS.visibilitySeconds * 1000) {
      throw invalidParameter(`Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${SQS_LIMITS.visibilitySeconds} seconds]`);
    }
    message.invisibleUntil = now + visibilityTimeoutSeconds * 1000;
    queue.messages.hide(slot, message.invisibleUntil, now);
    this.wake(queue);
  }

  private slotOf(queue: QueueState, receiptHandle: string): Slot | undefined {
    const decoded = decodeReceiptHandle(receiptHandle);
    if (!decoded || decoded.queue !== queue.definition.name) throw invalidReceiptHandle(receiptHandle);
    return queue.messages.get(decoded.messageId);
  }

  /** PurgeQueue: deletes every message; a second purge within 60 seconds fails (PurgeQueueInProgress). */
  purge(name: string): void {
    const queue = this.queue(name);
    const now = this.now();
    if (queue.lastPurge !== undefined && now - queue.lastPurge < SQS_LIMITS.purgeIntervalMs) {
      throw new SqsError("PurgeQueueInProgress", `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`, 403, "AWS.SimpleQueueService.PurgeQueueInProgress");
    }
    queue.lastPurge = now;
    queue.messages = messageIndex(queue.definition);
  }

  /** GetQueueAttributes' counts and settings. */
  attributes(name: string): Record<string, string> {
    const queue = this.queue(name);
    const now = this.now();
    this.expire(queue, now);
    const { definition } = queue;
    const { inFlight, delayed } = queue.messages;
    const visible = queue.messages.size - inFlight - delayed;
    const created = String(Math.floor(queue.createdTimestamp / 1000));
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: created,
      LastModifiedTimestamp: created,
      VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
      MaximumMessageSize: String(definition.maximumMessageBytes),
      MessageRetentionPeriod: String(definition.messageRetentionSeconds),
      DelaySeconds: String(definition.delaySeconds),
      ReceiveMessageWaitTimeSeconds: "0",
      ...(definition.redrive
        ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: this.arn(definition.redrive.deadLetterQueueName), maxReceiveCount: definition.redrive.maxReceiveCount }) }
        : {}),
      ...(definition.fifo ? { FifoQueue: "true", ContentBasedDeduplication: String(definition.contentBasedDeduplication), DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" } : {}),
      SqsManagedSseEnabled: String(definition.sqsManagedSseEnabled ?? true),
      ...(definition.policy !== undefined ? { Policy: definition.policy } : {}),
      ...(definition.redriveAllowPolicy !== undefined ? { RedriveAllowPolicy: definition.redriveAllowPolicy } : {}),
    };
  }

  /** How many long polls wait on the queue now. */
  waiting(name: string): number {
    return this.queue(name).waiters.size;
  }

  /** Wakes long polls on the queue (after a send, a visibility change, or a test moving its clock). */
  wake(queue?: QueueState): void {
    for (const q of queue ? [queue] : this.queues.values()) {
      const waiters = [...q.waiters];
      q.waiters.clear();
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves at the next change to the queue, when its next message becomes visible, after `ms`, or on abort. */
  private waitForChange(queue: QueueState, ms: number, signal?: AbortSignal): Promise<void> {
    const next = queue.messages.nextVisibleAt();
    const wait = Math.max(0, Math.min(ms, next !== undefined ? next - this.now() : ms));
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        queue.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      queue.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Ends every long poll (the server is stopping). */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The queues' messages and deduplication records, for saving at a stop. */
  snapshot(): PersistedQueues {
    const queues: PersistedQueues["queues"] = {};
    for (const [name, queue] of this.queues) queues[name] = { messages: queue.messages.messages(), deduplication: Object.fromEntries(queue.deduplication) };
    return { version: 1, sequence: this.sequence.toString(), queues };
  }

  /** Restores a snapshot's messages into the queues still defined (a queue the program no longer has is dropped). */
  restore(snapshot: PersistedQueues): void {
    if (snapshot.version !== 1) return;
    this.sequence = BigInt(snapshot.sequence);
    for (const [name, saved] of Object.entries(snapshot.queues)) {
      const queue = this.queues.get(name);
      if (!queue) continue;
      const now = this.now();
      queue.messages = messageIndex(queue.definition);
      for (const message of saved.messages) queue.messages.add(message, now);
      // In time order (an object lists integer-like keys first), as send() keeps them.
      queue.deduplication = new Map(Object.entries(saved.deduplication).sort(([, a], [, b]) => a.at - b.at));
    }
  }
}

export interface PersistedQueues {
  version: 1;
  sequence: string;
  queues: Record<string, { messages: StoredMessage[]; deduplication: Record<string, { messageId: string; sequenceNumber?: string; at: number }> }>;
}

/** A FIFO SequenceNumber: "a large, non-consecutive number", 20 digits here and growing with each send. */
function sequenceNumber(sequence: bigint): string {
  return (10n ** 19n + sequence * 7n).toString();
}

function checkInteger(parameter: string, value: unknown, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`Value ${String(value)} for parameter ${parameter} is invalid. Reason: Must be between ${min} and ${max}.`);
  }
}

/** Message attribute names: up to 256 of A-Z a-z 0-9 _ - . ; not starting with AWS./Amazon., no leading/trailing/double period. */
function validateAttributes(attributes: Record<string, MessageAttributeValue>): void {
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) throw invalidParameter("MessageAttributes must be a map of name to value.");
  const names = Object.keys(attributes);
  if (names.length > SQS_LIMITS.messageAttributes) throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [${SQS_LIMITS.messageAttributes}].`);
  for (const name of names) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.length > SQS_LIMITS.attributeNameLength || /^(aws\.|amazon\.)/i.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
      throw new SqsError("InvalidParameterValue", `Message attribute name '${name.slice(0, 260)}' is invalid.`);
    }
    const value = attributes[name] as MessageAttributeValue | undefined;
    if (typeof value !== "object" || value === null) throw invalidParameter(`The message attribute '${name}' must contain a non-empty attribute value.`);
    // "Type – … Supported types include String, Number, and Binary. You can also add custom information for any data
    // type. The data type has the same restrictions as the message body … Can be up to 256 characters long" (sqs-message-metadata.html):
    // a custom label after the type and a period, of the characters a body may have. The wording for a type too long is unconfirmed.
    if (typeof value.DataType !== "string" || !/^(String|Number|Binary)(\..+)?$/s.test(value.DataType)) {
      throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    if ([...value.DataType].length > SQS_LIMITS.attributeTypeLength) throw invalidParameter(`The message attribute '${name}' has a type longer than ${SQS_LIMITS.attributeTypeLength} characters.`);
    if (INVALID_CHARACTER.test(value.DataType)) throw new SqsError("InvalidMessageContents", `Message attribute '${name}' type contains invalid characters.`);
    const binary = value.DataType.startsWith("Binary");
    const present = binary ? typeof value.BinaryValue === "string" && value.BinaryValue.length > 0 : typeof value.StringValue === "string" && value.StringValue.length > 0;
    if (!present) throw invalidParameter(`The message attribute '${name}' with type '${binary ? "Binary" : value.DataType.split(".")[0]}' must use field '${binary ? "Binary" : "String"}'.`);
    if (!binary && INVALID_CHARACTER.test(value.StringValue!)) throw new SqsError("InvalidMessageContents", `Message attribute '${name}' contains invalid characters.`);
    if (value.DataType.startsWith("Number") && !isSqsNumber(value.StringValue!)) {
      throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
}

/**
 * A Number attribute's value: "A number can have up to 38 digits of precision, and it can be between 10^-128 and
 * 10^+126. Leading and trailing zeroes are trimmed." (sqs-message-metadata.html, "Message attribute data types"): a
 * decimal, its significant digits (leading and trailing zeroes not counted) at most 38, its magnitude, unless 0, from
 * 10^-128 to 10^126. The value is delivered as sent (the guide does not say the trimming changes what is delivered).
 * Outside that, SQS's error for a value it cannot take as a number (its wording for these values is unconfirmed).
 * Local SNS checks its Number attributes with it too (sns-server.ts validatePublish), as its raw delivery sends them here.
 */
export function isSqsNumber(text: string): boolean {
  const match = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || (match[1] + (match[2] ?? "")).length === 0) return false;
  const fraction = match[2] ?? "";
  const digits = (match[1] + fraction).replace(/^0+/, "");
  if (digits.length === 0) return true; // zero
  const significant = digits.replace(/0+$/, "");
  if (significant.length > 38) return false;
  // value = significant × 10^power; its magnitude is in [10^top, 10^(top+1)).
  const power = Number(match[3] ?? 0) - fraction.length + (digits.length - significant.length);
  const top = power + significant.length - 1;
  return top >= -128 && (top < 126 || (top === 126 && significant === "1"));
}

/**
 * MessageSystemAttributes: "Currently, the only supported message system attribute is AWSTraceHeader. Its type must be
 * String and its value must be a correctly formatted X-Ray trace header string. The size of a message system attribute
 * doesn't count towards the total size of a message." (API_SendMessage). Another name is InvalidParameterValue
 * "Message system attribute name '<name>' is invalid." (the wording the emulators give; AWS's is unconfirmed). The
 * trace header's format is not checked: SQS took and returned "Root=1-abc-def", no well-formed trace id
 * (floci-io/floci#909, checked against AWS); which values it refuses is unconfirmed.
 */
function validateSystemAttributes(attributes: Record<string, MessageAttributeValue>): void {
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) throw invalidParameter("MessageSystemAttributes must be a map of name to value.");
  for (const [name, value] of Object.entries(attributes) as Array<[string, MessageAttributeValue | null]>) {
    if (name !== "AWSTraceHeader") throw invalidParameter(`Message system attribute name '${name.slice(0, 260)}' is invalid.`);
    if (typeof value !== "object" || value === null) throw invalidParameter(`The message system attribute '${name}' must contain a non-empty attribute value.`);
    if (value.DataType !== "String") throw invalidParameter(`The message system attribute '${name}' must be of type String.`);
    if (typeof value.StringValue !== "string" || value.StringValue.length === 0) throw invalidParameter(`The message system attribute '${name}' with type 'String' must use field 'String'.`);
    if (INVALID_CHARACTER.test(value.StringValue)) throw new SqsError("InvalidMessageContents", `Message system attribute '${name}' contains invalid characters.`);
  }
}

function encodeReceiptHandle(queue: string, messageId: string): string {
  return Buffer.from(JSON.stringify({ q: queue, m: messageId, n: randomUUID() })).toString("base64url");
}

function decodeReceiptHandle(handle: string): { queue: string; messageId: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(handle, "base64url").toString("utf8")) as { q?: unknown; m?: unknown };
    return typeof parsed.q === "string" && typeof parsed.m === "string" ? { queue: parsed.q, messageId: parsed.m } : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The HTTP server

export interface LocalSqsServer {
  endpoint: string;
  sqs: LocalSqs;
  /** `<endpoint>/<account>/<name>`. */
  queueUrl(name: string): string;
  /** With a state directory, saves the messages there now (in flight ones too: they come back after their visibility timeout). */
  save(): void;
  /** Ends long polls, closes the server; with a state directory, saves the messages there. */
  stop(): Promise<void>;
}

export interface LocalSqsServerOptions {
  queues: LocalQueueDefinition[];
  /**
   * The credentials requests must be signed with (SigV4); anything else is refused as SQS refuses it.
   * @default [LOCAL_CREDENTIALS], what local Lambdas get (local/start.ts)
   */
  credentials?: readonly SigV4Credentials[];
  /**
   * IAM for signed requests (local/function-roles.ts: the program's functions, by their roles): why the signer may
   * not perform the request's action on the queue it names, or undefined when it may. A refusal is 403 AccessDenied
   * with that message, as SQS answers ("User: … is not authorized to perform: sqs:sendmessage on resource:
   * arn:aws:sqs:… because no identity-based policy allows the sqs:sendmessage action", aws/serverless-application-model#3633,
   * where a SendMessageBatch was refused so): a batch is authorised as its single action, in SQS's lower case.
   * ListQueues, which names no queue, is not checked.
   * @default every signed request is allowed
   */
  authorise?: Authorise;
  /** Where messages are saved at a stop and read back at a start (`.local/<stack>/sqs`); absent: memory only. */
  stateDir?: string;
  now?: () => number;
  accountId?: string;
  log?(message: string): void;
}

const JSON_10 = "application/x-amz-json-1.0";
/** Larger than any valid request (a batch of ten 1 MiB messages is refused by size first). */
const LARGEST_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * The answer to a body over LARGEST_REQUEST_BYTES. SQS's front end answers a body over its limit with 413 and a plain
 * text body, "HTTP content length exceeded 1662976 bytes." (no error code, no request id: aws/aws-sdk-js#479, 2015;
 * subscribepro/subscribepro-magento2-ext#280, 2024, both while messages were at most 256 KiB), which
 * @aws-sdk/client-sqs reports as a SyntaxError (the body is no JSON) with `$metadata.httpStatusCode` 413. Here: the
 * same status and wording, in the JSON error shape of every other answer, so a client sees what was refused
 * (RequestEntityTooLarge is this server's name: the SQS model has no error for it). Unconfirmed: SQS's limit since
 * messages may be 1 MiB (2025), and whether its answer is still that text. A message over the queue's maximum inside
 * an accepted request is not this: it is 400 InvalidParameterValue (send()).
 */
const requestTooLarge = () => new SqsError("RequestEntityTooLarge", `HTTP content length exceeded ${LARGEST_REQUEST_BYTES} bytes.`, 413);

export async function startLocalSqs(options: LocalSqsServerOptions): Promise<LocalSqsServer> {
  const sqs = new LocalSqs(options.queues, { accountId: options.accountId, now: options.now });
  const stateFile = options.stateDir ? join(options.stateDir, "messages.json") : undefined;
  if (stateFile && existsSync(stateFile)) {
    try {
      sqs.restore(JSON.parse(readFileSync(stateFile, "utf8")) as PersistedQueues);
    } catch (error) {
      options.log?.(`local SQS: ignoring ${stateFile} (${(error as Error).message})`);
    }
  }
  let endpoint = "";
  const queueUrl = (name: string) => `${endpoint}/${sqs.accountId}/${name}`;
  const credentials = options.credentials ?? [LOCAL_CREDENTIALS];
  const server = createServer((request, response) => {
    handle(sqs, queueUrl, { credentials, authorise: options.authorise }, request, response).catch((error: unknown) => {
      // Nothing a client sends may stop the runtime: an unexpected failure is a 500 in SQS's shape.
      options.log?.(`local SQS: ${(error as Error).message}`);
      if (!response.headersSent) reply(response, new SqsError("InternalFailure", "We encountered an internal error. Please try again.", 500));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const save = () => {
    if (!stateFile) return;
    mkdirSync(options.stateDir!, { recursive: true });
    // Written whole and renamed: a process killed while saving leaves the previous snapshot, never half of one.
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(sqs.snapshot()));
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  return {
    endpoint,
    sqs,
    queueUrl,
    save,
    async stop() {
      sqs.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      save();
    },
  };
}

type Input = Record<string, unknown>;
type Action = (sqs: LocalSqs, input: Input, context: { queueUrl(name: string): string; senderId: string; traceHeader?: string; signal: AbortSignal }) => unknown;

async function handle(
  sqs: LocalSqs,
  queueUrl: (name: string) => string,
  { credentials, authorise }: { credentials: readonly SigV4Credentials[]; authorise?: Authorise },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, LARGEST_REQUEST_BYTES);
  // First, as SQS's front end refuses it: the body kept is cut after LARGEST_REQUEST_BYTES + 1 bytes (the rest was
  // drained), so its signature could only fail to match.
  if (body.length > LARGEST_REQUEST_BYTES) return reply(response, requestTooLarge());
  const target = request.headers["x-amz-target"];
  if (typeof target !== "string") {
    // The query protocol (form-encoded Action=...) of older SDKs and AWS CLI releases: answered in its XML error shape.
    response.writeHead(400, { "content-type": "text/xml" });
    response.end(
      `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>InvalidAction</Code>` +
        `<Message>The local SQS server speaks the AWS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.&lt;Action&gt;) of AWS SDK v3 and current AWS CLI v2; upgrade the client.</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
    return;
  }
  // Who is asking, before what is asked is read: an unsigned or badly signed request gets its auth error whatever the
  // body says (AWS authenticates a request before acting on it; SQS's order for a malformed body is unconfirmed).
  // Until then the body is only bytes, hashed for the signature.
  let signer: VerifiedSigner;
  try {
    signer = await authenticate(sqs, request, body, credentials);
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    return reply(response, error);
  }
  const input = requestInput(body);
  // The region of the queue the request names, which only the body tells (one local endpoint serves every region's
  // queues), is checked once the signature is known to be good: an answer SQS gives as a signature error.
  if (!servesRegion(sqs, signer.region, input instanceof SqsError ? undefined : input)) return reply(response, wrongRegion(signer.region));
  if (request.method !== "POST") return reply(response, new SqsError("UnknownOperationException", `${request.method} is not supported; SQS's JSON protocol is a POST to /.`));
  const [service, operation] = target.split(".");
  // Own properties only: `AmazonSQS.toString`, `constructor` or `__proto__` name no action (Object.prototype's are not SQS's).
  const action = service === "AmazonSQS" && operation !== undefined && Object.hasOwn(ACTIONS, operation) ? ACTIONS[operation] : undefined;
  if (!action) return reply(response, new SqsError("UnknownOperationException", `The local SQS server does not support ${target.slice(0, 100)}.`));
  if (input instanceof SqsError) return reply(response, input);
  const permission = queuePermission(sqs, operation, input);
  const refused = permission && authorise?.(signer.accessKeyId, permission.action, permission.resource);
  // SQS words it without quotes around the resource (aws/serverless-application-model#3633).
  if (refused) return reply(response, new SqsError("AccessDenied", `User: ${refused.caller} is not authorized to perform: ${permission.action} on resource: ${permission.resource} ${refused.reason}`, 403));
  const aborted = new AbortController();
  response.on("close", () => aborted.abort());
  try {
    const trace = request.headers["x-amzn-trace-id"];
    const output = await action(sqs, input, { queueUrl, senderId: signer.accessKeyId, traceHeader: typeof trace === "string" && trace.length > 0 ? trace : undefined, signal: aborted.signal });
    if (response.destroyed) return;
    response.writeHead(200, { "content-type": JSON_10, "x-amzn-requestid": randomUUID() });
    response.end(JSON.stringify(output ?? {}));
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    if (!response.destroyed) reply(response, error);
  }
}

/** The request's JSON object (an empty body is `{}`), or the SerializationException that answers a body that is not one. */
function requestInput(body: Buffer): Input | SqsError {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    return new SqsError("SerializationException", "Start of structure or map found where not expected.");
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) return new SqsError("SerializationException", "The request body must be a JSON object.");
  return input as Input;
}

function reply(response: ServerResponse, error: SqsError): void {
  response.writeHead(error.status, {
    "content-type": JSON_10,
    "x-amzn-requestid": randomUUID(),
    // Query-compatible code and fault, which SDKs report as the error's Code (awsQueryCompatible).
    "x-amzn-query-error": `${error.queryCode};${error.status >= 500 ? "Receiver" : "Sender"}`,
  });
  response.end(JSON.stringify({ __type: `com.amazonaws.sqs#${error.type}`, message: error.message }));
}

// ---------------------------------------------------------------------------------------------------------------
// Authentication

/**
 * Checks the request's SigV4 signature as SQS does (local/sigv4-verify.ts verifySignedHeaders, AWS's errors for
 * service `sqs`) and returns the access key id it was signed with (the messages' SenderId) and the region it was
 * signed for; throws the SqsError SQS answers with. The body is read only as bytes, for the payload hash: the region
 * must be one of the server's queues' (any, as for a request naming no queue), and the caller checks it against the
 * queue the body names once the request is authenticated. None of these errors is in the SQS model, so each is its
 * own query-compatible code.
 */
async function authenticate(sqs: LocalSqs, request: IncomingMessage, body: Buffer, credentials: readonly SigV4Credentials[]): Promise<VerifiedSigner> {
  const verdict = await verifySignedHeaders(request, body, { service: "sqs", credentials, servesRegion: (region) => servesRegion(sqs, region) });
  if (!verdict.ok) throw new SqsError(verdict.failure.code, verdict.failure.message, verdict.failure.status);
  return verdict.signer;
}

const wrongRegion = (region: string) => {
  const failure = signatureWrongRegion(region);
  return new SqsError(failure.code, failure.message, failure.status);
};

/**
 * Whether a request may be signed for `region`: SQS wants the region of the endpoint, which is the queue's. The local
 * server is one endpoint for every region's queues, so it is the region of the queue the request names (QueueUrl, or
 * GetQueueUrl's QueueName), or any queue's for a request that names none (ListQueues), an unknown one, or whose body
 * is no JSON object, and any region at all for a server without queues. Without `input` (the body not read yet: the
 * request is not authenticated yet), any queue's region.
 */
function servesRegion(sqs: LocalSqs, region: string, input?: Input): boolean {
  const names = sqs.names();
  if (names.length === 0) return true;
  const { QueueUrl, QueueName } = input ?? {};
  let name = typeof QueueName === "string" ? QueueName : undefined;
  if (typeof QueueUrl === "string") {
    try {
      name = new URL(QueueUrl).pathname.split("/")[2];
    } catch {
      name = undefined;
    }
  }
  if (name !== undefined && sqs.has(name)) return sqs.definition(name).region === region;
  return names.some((queue) => sqs.definition(queue).region === region);
}

function string(input: Input, name: string, required: true): string;
function string(input: Input, name: string, required?: false): string | undefined;
function string(input: Input, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    if (required) throw missingParameter(name);
    return undefined;
  }
  if (typeof value !== "string") throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a string.`);
  return value;
}

function integer(input: Input, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw invalidParameter(`Value ${String(value).slice(0, 40)} for parameter ${name} is invalid. Reason: must be an integer.`);
  return value;
}

function list(input: Input, name: string): unknown[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a list.`);
  return value;
}

/**
 * The IAM action a request is, on the queue it names (QueueUrl, or GetQueueUrl's QueueName): `sqs:<action>` in SQS's
 * lower case, a batch as its single action (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
 * has no *Batch actions). Undefined for a request that names no queue of this server (its own answer follows).
 */
function queuePermission(sqs: LocalSqs, operation: string, input: Input): { action: string; resource: string } | undefined {
  let name = operation === "GetQueueUrl" && typeof input.QueueName === "string" ? input.QueueName : undefined;
  if (typeof input.QueueUrl === "string") {
    try {
      name = new URL(input.QueueUrl).pathname.split("/")[2];
    } catch {
      return undefined;
    }
  }
  if (name === undefined || !sqs.has(name)) return undefined;
  return { action: `sqs:${iamActionOf("sqs", operation).toLowerCase()}`, resource: sqs.arn(name) };
}

/** The queue a QueueUrl names: `<any origin>/<account>/<name>`, the account this server's. */
function queueName(sqs: LocalSqs, input: Input): string {
  const url = string(input, "QueueUrl", true);
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw new SqsError("InvalidAddress", `The address ${url.slice(0, 200)} is not valid for this endpoint.`, 404);
  }
  const [, account, name, ...rest] = path.split("/");
  if (account !== sqs.accountId || !name || rest.length > 0 || !sqs.has(name)) throw nonExistentQueue();
  return name;
}

/** Validates a batch request's entries: present, at most 10, distinct valid ids. */
function batchEntries(input: Input): Input[] {
  const entries = list(input, "Entries");
  if (entries === undefined) throw missingParameter("Entries");
  if (entries.length === 0) throw batchError("EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.");
  if (entries.length > SQS_LIMITS.batchEntries) throw batchError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are ${SQS_LIMITS.batchEntries}. You have sent ${entries.length}.`);
  const ids = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== "object" || entry === null) throw invalidParameter("Each batch entry must be an object.");
    const id = (entry as Input).Id;
    if (typeof id !== "string" || !BATCH_ENTRY_ID.test(id)) {
      throw batchError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
    }
    if (ids.has(id)) throw batchError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as Input[];
}

/**
 * A batch's answer: each entry's result in `Successful` with its Id, or its SqsError in `Failed` as a sender fault with
 * the error's query-compatible code.
 */
function eachEntry(entries: Input[], run: (entry: Input) => object | void): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...(run(entry) ?? {}) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: error.status < 500, Code: error.queryCode, Message: error.message });
    }
  }
  return { Successful, Failed };
}

/** An action on one message of the queue a request names (DeleteMessage, ChangeMessageVisibility). */
function onEntry(run: (sqs: LocalSqs, name: string, input: Input) => void): Action {
  return (sqs, input) => (run(sqs, queueName(sqs, input), input), {});
}

/** Its batch form: each entry of `Entries` on its own, answered per entry. */
function onEntries(run: (sqs: LocalSqs, name: string, input: Input) => void): Action {
  return (sqs, input) => {
    const name = queueName(sqs, input);
    return eachEntry(batchEntries(input), (entry) => run(sqs, name, entry));
  };
}

function deleteMessage(sqs: LocalSqs, name: string, input: Input): void {
  sqs.delete(name, string(input, "ReceiptHandle", true));
}

function changeVisibility(sqs: LocalSqs, name: string, input: Input): void {
  const receiptHandle = string(input, "ReceiptHandle", true);
  const timeout = integer(input, "VisibilityTimeout");
  if (timeout === undefined) throw missingParameter("VisibilityTimeout");
  sqs.changeVisibility(name, receiptHandle, timeout);
}

function sendInput(input: Input, sender: string, traceHeader?: string): SendInput {
  const body = input.MessageBody;
  if (body === undefined || body === null) throw missingParameter("MessageBody");
  if (typeof body !== "string") throw invalidParameter("Value for parameter MessageBody is invalid. Reason: must be a string.");
  return {
    body,
    delaySeconds: integer(input, "DelaySeconds"),
    messageAttributes: (input.MessageAttributes ?? undefined) as Record<string, MessageAttributeValue> | undefined,
    messageSystemAttributes: (input.MessageSystemAttributes ?? undefined) as Record<string, MessageAttributeValue> | undefined,
    messageGroupId: string(input, "MessageGroupId"),
    messageDeduplicationId: string(input, "MessageDeduplicationId"),
    senderId: sender,
    traceHeader,
  };
}

/** A batch entry's size as SQS counts it, or 0 for an entry whose body or attributes are malformed (it fails on its own). */
function entryBytes(entry: Input): number {
  if (typeof entry.MessageBody !== "string") return 0;
  const attributes = (entry.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>;
  try {
    validateAttributes(attributes);
  } catch (error) {
    if (error instanceof SqsError) return 0;
    throw error;
  }
  return messageBytes(entry.MessageBody, attributes);
}

function sendOutput(result: SendResult) {
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfMessageBody,
    ...(result.md5OfMessageAttributes ? { MD5OfMessageAttributes: result.md5OfMessageAttributes } : {}),
    ...(result.md5OfMessageSystemAttributes ? { MD5OfMessageSystemAttributes: result.md5OfMessageSystemAttributes } : {}),
    ...(result.sequenceNumber ? { SequenceNumber: result.sequenceNumber } : {}),
  };
}

/**
 * A received message's system attributes, as SQS reports them (strings; FIFO ones only on FIFO queues; AWSTraceHeader
 * when it was sent with one, as ReceiveMessage's "AWSTraceHeader – Returns the AWS X-Ray trace header string" and
 * Lambda's SQS records carry it, https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sqs.html).
 */
export function systemAttributes(message: ReceivedMessage): Record<string, string> {
  return {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentTimestamp),
    SenderId: message.senderId,
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
    ...(message.sequenceNumber !== undefined ? { SequenceNumber: message.sequenceNumber } : {}),
    ...(message.messageGroupId !== undefined ? { MessageGroupId: message.messageGroupId } : {}),
    ...(message.messageDeduplicationId !== undefined ? { MessageDeduplicationId: message.messageDeduplicationId } : {}),
    ...(message.deadLetterQueueSourceArn !== undefined ? { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn } : {}),
    ...(message.awsTraceHeader !== undefined ? { AWSTraceHeader: message.awsTraceHeader } : {}),
  };
}

function selected(names: string[], all: Record<string, string>): Record<string, string> | undefined {
  const wanted = names.includes("All") ? Object.keys(all) : names;
  const picked = Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name)));
  return Object.keys(picked).length > 0 ? picked : undefined;
}

/** MessageAttributeNames: "All", ".*", a name, or a prefix ending in ".*". */
function selectedMessageAttributes(names: string[], attributes: Record<string, MessageAttributeValue>): Record<string, MessageAttributeValue> | undefined {
  const picked = Object.fromEntries(
    Object.entries(attributes).filter(([name]) => names.some((wanted) => wanted === "All" || wanted === ".*" || wanted === name || (wanted.endsWith(".*") && name.startsWith(wanted.slice(0, -1))))),
  );
  return Object.keys(picked).length > 0 ? picked : undefined;
}

function stringList(input: Input, name: string): string[] {
  const values = list(input, name) ?? [];
  if (values.some((v) => typeof v !== "string")) throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a list of strings.`);
  return values as string[];
}

/** GetQueueAttributes' AttributeNames (the SQS model's QueueAttributeName, @aws-sdk/client-sqs `QueueAttributeName`). */
const QUEUE_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  "All",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesDelayed",
  "ApproximateNumberOfMessagesNotVisible",
  "ContentBasedDeduplication",
  "CreatedTimestamp",
  "DeduplicationScope",
  "DelaySeconds",
  "FifoQueue",
  "FifoThroughputLimit",
  "KmsDataKeyReusePeriodSeconds",
  "KmsMasterKeyId",
  "LastModifiedTimestamp",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "Policy",
  "QueueArn",
  "ReceiveMessageWaitTimeSeconds",
  "RedriveAllowPolicy",
  "RedrivePolicy",
  "SqsManagedSseEnabled",
  "VisibilityTimeout",
]);

const ACTIONS: Record<string, Action> = {
  GetQueueUrl(sqs, input, { queueUrl }) {
    const name = string(input, "QueueName", true);
    const owner = string(input, "QueueOwnerAWSAccountId");
    if ((owner !== undefined && owner !== sqs.accountId) || !sqs.has(name)) throw nonExistentQueue();
    return { QueueUrl: queueUrl(name) };
  },

  ListQueues(sqs, input, { queueUrl }) {
    const prefix = string(input, "QueueNamePrefix") ?? "";
    const maxResults = integer(input, "MaxResults");
    if (maxResults !== undefined) checkInteger("MaxResults", maxResults, 1, 1000);
    const names = sqs.names().filter((name) => name.startsWith(prefix)).sort();
    // Without MaxResults SQS lists at most 1000; a local program has far fewer, so there is never a NextToken.
    const urls = names.slice(0, maxResults ?? 1000).map(queueUrl);
    return urls.length > 0 ? { QueueUrls: urls } : {};
  },

  GetQueueAttributes(sqs, input) {
    const name = queueName(sqs, input);
    const names = stringList(input, "AttributeNames");
    const all = sqs.attributes(name);
    // Any name SQS has may be asked for; one the queue does not have (FifoQueue of a standard queue, KmsMasterKeyId
    // of an SSE-SQS queue, a Policy never set) is left out of the answer, as SQS leaves it out.
    const unknown = names.find((n) => !QUEUE_ATTRIBUTE_NAMES.has(n));
    if (unknown) throw new SqsError("InvalidAttributeName", `Unknown Attribute ${unknown}.`);
    const attributes = selected(names, all);
    return attributes ? { Attributes: attributes } : {};
  },

  SendMessage(sqs, input, { senderId, traceHeader }) {
    const name = queueName(sqs, input);
    return sendOutput(sqs.send(name, sendInput(input, senderId, traceHeader)));
  },

  SendMessageBatch(sqs, input, { senderId, traceHeader }) {
    const name = queueName(sqs, input);
    const entries = batchEntries(input);
    // The batch's total against SQS_LIMITS.batchBytes (1 MiB), not the queue's MaximumMessageSize, which each entry meets on its own.
    // Only well-formed entries count: a malformed one fails on its own, in Failed, as it would alone (400, not a 500).
    const total = entries.reduce((sum, entry) => sum + entryBytes(entry), 0);
    const largest = SQS_LIMITS.batchBytes;
    if (total > largest) throw batchError("BatchRequestTooLong", `Batch requests cannot be longer than ${largest} bytes. You have sent ${total} bytes.`);
    return eachEntry(entries, (entry) => sendOutput(sqs.send(name, sendInput(entry, senderId, traceHeader))));
  },

  async ReceiveMessage(sqs, input, { signal }) {
    const name = queueName(sqs, input);
    // The whole request is checked before any message is handed out: a refused request hides none and counts no receive.
    const attributeNames = [...stringList(input, "AttributeNames"), ...stringList(input, "MessageSystemAttributeNames")];
    const messageAttributeNames = stringList(input, "MessageAttributeNames");
    const messages = await sqs.receive(name, {
      max: integer(input, "MaxNumberOfMessages") ?? 1,
      visibilityTimeoutSeconds: integer(input, "VisibilityTimeout"),
      waitSeconds: integer(input, "WaitTimeSeconds") ?? 0,
      signal,
    });
    if (messages.length === 0) return {};
    return {
      Messages: messages.map((message) => {
        const attributes = selected(attributeNames, systemAttributes(message));
        const messageAttributes = selectedMessageAttributes(messageAttributeNames, message.messageAttributes);
        return {
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: message.md5OfBody,
          Body: message.body,
          ...(attributes ? { Attributes: attributes } : {}),
          ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
          ...(messageAttributes ? { MessageAttributes: messageAttributes } : {}),
        };
      }),
    };
  },

  DeleteMessage: onEntry(deleteMessage),
  DeleteMessageBatch: onEntries(deleteMessage),
  ChangeMessageVisibility: onEntry(changeVisibility),
  ChangeMessageVisibilityBatch: onEntries(changeVisibility),

  PurgeQueue(sqs, input) {
    sqs.purge(queueName(sqs, input));
    return {};
  },
};

/** The SQS actions the local server answers. */
export const LOCAL_SQS_ACTIONS: readonly string[] = Object.keys(ACTIONS);
