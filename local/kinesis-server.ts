/**
 * Local Kinesis Data Streams (`npm start`): kinesalite in memory (its streams made from the program's DataStreams), behind
 * a front endpoint that speaks HTTP/1.1 and HTTP/2 cleartext on one port (the AWS SDK v3 Kinesis client's default
 * handler is HTTP/2, which it speaks with prior knowledge to an http:// endpoint), and checks what Kinesis checks
 * first — a SigV4 signature of a known credential, scoped to `kinesis` and a served region (local/sigv4-verify.ts) —
 * and, for a function's request, its role (local/function-roles.ts), answered with Kinesis's AccessDeniedException:
 * `kinesis:<Operation>` on the stream the request names (by StreamName, or by StreamARN, whose account and region must
 * be the served stream's: ResourceNotFoundException otherwise), on the stream of the shard iterator GetRecords reads
 * (remembered from the iterators this endpoint handed out), on the consumer an operation names by ConsumerARN, and on
 * `*` for an operation that names none (ListStreams, DescribeLimits). A stream named by its ARN is handed to
 * kinesalite by name, which is all it takes. Enhanced fan-out, which kinesalite lacks (RegisterStreamConsumer,
 * DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer, SubscribeToShard as an event stream over
 * HTTP/2 or HTTP/1.1), the endpoint answers itself (local/kinesis-consumers.ts), the program's consumers registered at
 * the start; IAM authorises RegisterStreamConsumer and ListStreamConsumers on the stream, the others on the consumer.
 * Each stream takes records up to its maximum record size, data and partition key together (the DataStream's
 * maxRecordSizeInKib, 1 MiB by default, up to 10 MiB; CreateStream's MaxRecordSizeInKiB and UpdateMaxRecordSize, which
 * kinesalite lacks, answered here: refuseOverRecordSize, checkMaxRecordSize), records of more than kinesalite's 1 MiB of
 * data kept beside it (LargeRecords); GetRecords answers at most 10 MiB of records a call.
 *
 * Lambda's side: each subscription polls each shard of its stream from its starting position (and, after a split or
 * merge made through the endpoint, each closed shard to its end, then its children: ShardLineage) and invokes the
 * function with Kinesis's event (Records[].kinesis.{kinesisSchemaVersion, partitionKey, sequenceNumber, data (base64),
 * approximateArrivalTimestamp}, eventSource "aws:kinesis", eventID "<shard id>:<sequence number>", ...), one batch of a
 * shard after the other, with partial batch responses, bisection and retries (local/stream-batches.ts); a batch given
 * up on (retries exhausted, or records older than maximumRecordAgeInSeconds) goes to the on-failure destination as
 * Lambda describes it there (KinesisBatchInfo, not the records).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
import { createDecipheriv, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { DATA_STREAM_LIMITS } from "../components/data-stream/limits";
import type { DataStreamSubscriptionSpec } from "../components/data-stream/spec";
import type { Authorise } from "./function-roles";
import { readBody } from "./http";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import { ConsumerRegistry, EVENT_MAX_BYTES, KinesisError, parseConsumerArn, recordBytes, Subscriptions } from "./kinesis-consumers";
import { listShards, listShardsTokenStream } from "./kinesis-list-shards";
import { deliverStreamBatch, maximumAgeSeconds, type GiveUpCondition } from "./stream-batches";
import { retryDelayOf } from "./retry-delay";
import { jsonProtocolFailure, verifySignedHeaders, type SigV4Credentials } from "./sigv4-verify";


const TARGET_PREFIX = "Kinesis_20131202.";
/**
 * The largest body the endpoint reads: PutRecords' 10 MiB of records (PUT_RECORDS_LARGEST_TOTAL_BYTES) as base64 JSON
 * (4/3 of it) with the keys JSON-escaped and the JSON around them. kinesalite reads at most KINESALITE_LARGEST_BODY.
 */
const LARGEST_REQUEST_BYTES = 16 * 1024 * 1024;
/** kinesalite's own largest body (index.js MAX_REQUEST_BYTES, 7 MiB: a larger one is answered 413 with no body). */
const KINESALITE_LARGEST_BODY = 7 * 1024 * 1024;
/** The HTTP/2 connection preface's first bytes ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", RFC 9113 §3.4), which a client speaking HTTP/2 with prior knowledge sends first; no HTTP/1.1 request starts so. */
const HTTP2_PREFACE_START = Buffer.from("PRI ");
/** What a large record's token (LargeRecords.stand) starts with before its UUID, and the token's length as base64. */
const LARGE_RECORD_TOKEN = "local-kinesis-large-record:";
const LARGE_RECORD_TOKEN_BASE64_LENGTH = Buffer.from(`${LARGE_RECORD_TOKEN}${"0".repeat(36)}`).toString("base64").length;
/** How often the large records' side store drops the data of records past their stream's retention (LargeRecords.sweep). */
const LARGE_RECORD_SWEEP_MS = 60_000;
/** Shard iterators remembered (their stream, for GetRecords' authorisation); Kinesis's expire after 5 minutes. */
const REMEMBERED_ITERATORS = 10_000;

export interface LocalStreamDefinition {
  /** The stream's physical name. */
  name: string;
  /** Its ARN as the program recorded it (what grants and events name). */
  arn: string;
  region: string;
  /** kinesalite's shards: a PROVISIONED stream's count, or 4 for an ON_DEMAND one (Kinesis starts one with 4). */
  shardCount: number;
  retentionHours: number;
  /**
   * The largest record the stream takes, data and partition key together, in KiB (the DataStream's maxRecordSizeInKib,
   * CreateStream's MaxRecordSizeInKiB). @default 1024
   */
  maxRecordSizeInKib?: number;
  /** The enhanced fan-out consumers the program defines (their recorded names and ARNs): registered at the start. */
  consumers?: Array<{ name: string; arn?: string }>;
}

/** One Kinesis event record, as Lambda delivers it. */
export interface KinesisEventRecord {
  kinesis: { kinesisSchemaVersion: "1.0"; partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
  eventSource: "aws:kinesis";
  eventVersion: "1.0";
  eventID: string;
  eventName: "aws:kinesis:record";
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export interface LocalStreamSubscription {
  /** `<DataStream>-<subscription>`, for logs. */
  id: string;
  streamName: string;
  spec: Pick<DataStreamSubscriptionSpec, "batchSize" | "bisectBatchOnFunctionError" | "maximumRetryAttempts" | "maximumRecordAgeInSeconds" | "startingPosition" | "startingPositionTimestamp">;
  /** The function's ARN (the on-failure record's functionArn) and its role's (the records' invokeIdentityArn). */
  functionArn: string;
  roleArn: string;
  invoke(event: { Records: KinesisEventRecord[] }): Promise<unknown>;
  /** Sends Lambda's on-failure record to the subscription's dead-letter queue; the batch counts as handled once it resolves. */
  onFailure(record: unknown): void | Promise<void>;
}

export interface LocalKinesisOptions {
  streams: LocalStreamDefinition[];
  subscriptions?: LocalStreamSubscription[];
  /** Accepted signing credentials (acceptedCredentials). */
  credentials: readonly SigV4Credentials[];
  /** IAM's answer for a function's request. @default none checked */
  authorise?: Authorise;
  log?(message: string): void;
  /** How often each shard is polled when it had nothing (Lambda polls a shard once a second). @default 1000 */
  pollIntervalMs?: number;
  /** Milliseconds before a failed batch is retried, 0–2147483647 (retry-delay.ts). @default 1000 */
  retryDelayMs?: number;
  /** The clock records' ages are read with (maximumRecordAgeInSeconds). @default Date.now */
  now?(): number;
  /**
   * Milliseconds a connection may stay silent (before its first bytes say HTTP/1.1 or HTTP/2, or between requests)
   * before the endpoint closes it, so a client that connects and stalls holds nothing until `stop()`; also the deadline
   * for each HTTP/1.1 request to arrive whole (from the accept or the previous response), and for an HTTP/2 client's
   * SETTINGS, so a client trickling a byte at a time is closed too. @default 60000
   */
  idleTimeoutMs?: number;
  /** A SubscribeToShard subscription's life (AWS: 5 minutes). @default 300000 */
  subscriptionLifetimeMs?: number;
  /**
   * How often a SubscribeToShard subscription reads its shard when it had nothing new and no put woke it (every put
   * through this endpoint wakes its shard's subscriptions; this is the fallback for any other write). @default 1000
   */
  subscriptionPollIntervalMs?: number;
  /** An idle SubscribeToShard subscription's empty event at least this often. @default 5000 */
  subscriptionHeartbeatMs?: number;
}

export interface LocalKinesis {
  endpoint: string;
  /** Starts polling every subscription's shards (`npm start`: once every service has started). */
  start(): void;
  /** Resolves once every record put so far was delivered to each subscription (or given up on). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalKinesis(options: LocalKinesisOptions): Promise<LocalKinesis> {
  const log = options.log ?? (() => {});
  // Refused before anything is left running (local/retry-delay.ts).
  const retryDelayMs = retryDelayOf(options.retryDelayMs, "local Kinesis");
  // Loaded here: a program without a DataStream never loads kinesalite (nor its cbor and level modules). No typings.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kinesalite = require("kinesalite") as (options: Record<string, unknown>) => Server;
  const store = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100_000 });
  await new Promise<void>((resolve) => store.listen(0, "127.0.0.1", resolve));
  const internal = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
  // Records of more than kinesalite's 1 MiB of data, on a stream whose maximum record size is larger (LargeRecords):
  // every read through `admin` (the mappings' polls, SubscribeToShard) gets their data back.
  const large = new LargeRecords();
  const stopSweeping = large.sweepEvery(LARGE_RECORD_SWEEP_MS);
  const admin = large.reading(adminClient(internal));
  // Each stream's maximum record size in KiB, by name as kinesalite keeps streams: the program's, then CreateStream's
  // and UpdateMaxRecordSize's (checkMaxRecordSize).
  const recordSizes = new Map(options.streams.map((s) => [s.name, s.maxRecordSizeInKib ?? DATA_STREAM_LIMITS.maxRecordSizeInKib.default]));
  const iterators = new Map<string, string>();
  // Enhanced fan-out, which kinesalite lacks (local/kinesis-consumers.ts): the program's consumers exist at the start.
  const consumers = new ConsumerRegistry(options.now);
  for (const stream of options.streams) for (const consumer of stream.consumers ?? []) consumers.define(stream.arn, consumer.name, consumer.arn);
  const subscriptions = new Subscriptions({ admin, pollIntervalMs: options.subscriptionPollIntervalMs ?? 1000, lifetimeMs: options.subscriptionLifetimeMs, heartbeatMs: options.subscriptionHeartbeatMs, now: options.now, log });
  const fanOut = { consumers, subscriptions };
  // The regions a request may be signed for: its streams'.
  const regions = new Set(options.streams.map((s) => s.region));
  const front = serveHttp1AndHttp2(options.idleTimeoutMs ?? 60_000, (request, response) => {
    answer(request, response, internal, options, iterators, regions, fanOut, large, recordSizes).catch((error) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String((error as Error).message));
    });
  });
  const pollers: ShardPoller[] = [];
  // Each subscription's shards through resharding (ShardLineage): which poller reads for which subscription.
  const lineages = new Map<ShardPoller, ShardLineage<ShardPoller>>();
  try {
    for (const stream of options.streams) {
      await admin("CreateStream", { StreamName: stream.name, ShardCount: stream.shardCount });
      while ((await admin("DescribeStreamSummary", { StreamName: stream.name })).StreamDescriptionSummary.StreamStatus !== "ACTIVE") await new Promise((resolve) => setImmediate(resolve));
      if (stream.retentionHours > 24) await admin("IncreaseStreamRetentionPeriod", { StreamName: stream.name, RetentionPeriodHours: stream.retentionHours });
      large.retain(stream.name, stream.retentionHours);
    }
    for (const subscription of options.subscriptions ?? []) {
      const stream = options.streams.find((s) => s.name === subscription.streamName)!;
      const lineage: ShardLineage<ShardPoller> = new ShardLineage(admin, stream.name, (shardId, child) => {
        const poller = new ShardPoller(admin, stream, shardId, subscription, log, retryDelayMs, options.now ?? Date.now, () => large.retentionOf(stream.name), child);
        lineages.set(poller, lineage);
        return poller;
      });
      pollers.push(...(await lineage.discover()));
    }
    await new Promise<void>((resolve) => front.server.listen(0, "127.0.0.1", resolve));
  } catch (error) {
    stopSweeping();
    await new Promise((resolve) => store.close(resolve));
    throw error;
  }
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let started = false;
  const interval = options.pollIntervalMs ?? 1000;
  const later = (poller: ShardPoller) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      loop(poller);
    }, interval);
    timers.add(timer);
  };
  const loop = (poller: ShardPoller) => {
    if (stopped) return;
    void poller.pass().finally(() => {
      if (stopped) return;
      // A closed shard read to its end is polled no more: its children are read instead. A listing that failed (follow
      // forgot it) is made again at the next poll.
      if (poller.closed) return void follow(poller).then(() => (following.has(poller) ? undefined : later(poller)));
      later(poller);
    });
  };
  /** Each closed shard's following (below), made once: drained() and the polling loop wait on the same one. */
  const following = new Map<ShardPoller, Promise<void>>();
  /**
   * A shard read to its end (closed by a split or merge made through the endpoint): its subscription's shards now
   * ready — the children whose parents are all finished — get pollers, polled from then on. Resolves once they are added.
   * The shards are listed once per closed shard (again only after a listing failed).
   */
  const follow = (closed: ShardPoller): Promise<void> => {
    let followed = following.get(closed);
    if (!followed) following.set(closed, (followed = followChildren(closed)));
    return followed;
  };
  const followChildren = async (closed: ShardPoller): Promise<void> => {
    const lineage = lineages.get(closed)!;
    lineage.finish(closed.shardId);
    let ready: ShardPoller[];
    try {
      ready = await lineage.discover();
    } catch (error) {
      following.delete(closed);
      return log(`local Kinesis: the children of ${closed.shardId} could not be listed: ${(error as Error).message}`);
    }
    if (stopped) return;
    pollers.push(...ready);
    if (started) ready.forEach(loop);
  };
  return {
    endpoint: `http://127.0.0.1:${(front.server.address() as AddressInfo).port}`,
    start: () => {
      started = true;
      pollers.forEach(loop);
    },
    // Until no shard is left to follow: each pass reads a closed shard to its end, its ready children are read next.
    async drained() {
      for (;;) {
        const known = pollers.length;
        await Promise.all(pollers.map((p) => p.pass()));
        await Promise.all(pollers.filter((p) => p.closed).map(follow));
        if (pollers.length === known || stopped) return;
      }
    },
    async stop() {
      stopped = true;
      stopSweeping();
      subscriptions.stopAll();
      for (const timer of timers) clearTimeout(timer);
      for (const poller of pollers) poller.stop();
      await Promise.all(pollers.map((p) => p.idle()));
      await front.close();
      await new Promise((resolve) => store.close(resolve));
    },
  };
}

export type Admin = (operation: string, body: Record<string, unknown>) => Promise<any>;

/** kinesalite's own API, for the runtime (it checks that a request carries a SigV4 header, not the signature). */
function adminClient(endpoint: string): Admin {
  return async (operation, body) => {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `${TARGET_PREFIX}${operation}`,
        "x-amz-date": date,
        authorization: `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=local`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : {};
    if (!response.ok) {
      // kinesalite answers some errors with `Message` (SerializationException), most with `message`.
      const reason = String(parsed.message ?? parsed.Message ?? text);
      throw new KinesisError(String(parsed.__type ?? "InternalFailure"), `${operation}: ${parsed.__type}: ${reason}`, response.status, reason);
    }
    return parsed;
  };
}

type Handler = (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => void;

/**
 * One port for HTTP/1.1 and HTTP/2 cleartext: each connection's first bytes say which (the HTTP/2 preface, sent by a
 * client with prior knowledge, as @smithy/node-http2-handler does against an http:// endpoint), and the connection is
 * handed to that server. (Node's `http2.createServer({ allowHTTP1: true })` falls back to HTTP/1 over TLS only, by
 * ALPN: on cleartext an HTTP/1.1 request gets a protocol error.)
 */
function serveHttp1AndHttp2(idleTimeoutMs: number, handler: Handler): { server: NetServer; close(): Promise<void> } {
  // The servers are never listened on, so Node's header and request timeouts, checked for listening servers, never
  // run: each server's socket timeout closes idle and half-sent connections instead. An idle timeout restarts on
  // every byte, so a connection also has a deadline of idleTimeoutMs: from its accept to the client's SETTINGS
  // (HTTP/2), and for each HTTP/1.1 request from the connection's accept or the previous response to the request's
  // last byte. A client trickling a byte at a time is closed too.
  const deadlines = new Map<Socket, NodeJS.Timeout>();
  const arrived = (socket: Socket) => {
    clearTimeout(deadlines.get(socket));
    deadlines.delete(socket);
  };
  const awaitRequest = (socket: Socket) => {
    arrived(socket);
    deadlines.set(socket, setTimeout(() => socket.destroy(), idleTimeoutMs));
  };
  const http1 = createServer(handler);
  http1.setTimeout(idleTimeoutMs, (socket) => socket.destroy());
  http1.on("request", (request: IncomingMessage, response: ServerResponse) => {
    request.once("end", () => arrived(request.socket));
    response.once("finish", () => {
      if (!request.socket.destroyed) awaitRequest(request.socket);
    });
  });
  const http2 = createHttp2Server(handler);
  // With no "timeout" listener, Node destroys a session idle for that long (http2 core sessionOnTimeout).
  http2.setTimeout(idleTimeoutMs);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    awaitRequest(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      arrived(socket);
    });
    // Until it is handed over, a reset connection is only closed.
    socket.on("error", () => socket.destroy());
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < HTTP2_PREFACE_START.length && HTTP2_PREFACE_START.subarray(0, head.length).equals(head)) return;
      socket.off("data", onData);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(head);
      if (head.subarray(0, HTTP2_PREFACE_START.length).equals(HTTP2_PREFACE_START)) {
        // The server makes the connection's session as it is handed over (session.socket is a proxy, not this socket).
        http2.once("session", (session) => session.once("remoteSettings", () => arrived(socket)));
        http2.emit("connection", socket);
      } else {
        http1.emit("connection", socket);
      }
      // The HTTP/1 server reads the socket's 'data' once it flows again (the HTTP/2 session reads what is buffered
      // itself); as httpolyglot does it.
      process.nextTick(() => socket.resume());
    };
    socket.on("data", onData);
  });
  return {
    server,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      // Clients keep connections (an HTTP/2 session, keep-alive) open: the endpoint ends them.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** A Kinesis stream's ARN's parts, `arn:<partition>:kinesis:<region>:<account>:stream/<name>`. */
function parseStreamArn(arn: string): { region: string; account: string; name: string } | undefined {
  const match = /^arn:[^:]+:kinesis:([^:]*):([^:]*):stream\/([^/]+)$/.exec(arn);
  return match ? { region: match[1], account: match[2], name: match[3] } : undefined;
}

/**
 * The resource IAM authorises a request's action on (the Service Authorization Reference's resource types for
 * Kinesis): the named stream, the consumer named by ConsumerARN, the stream of GetRecords' shard iterator (as this
 * endpoint handed it out; an iterator it did not is authorised on `*`), or `*` for an action that names none
 * (ListStreams, DescribeLimits: account-level actions).
 */
function resourceOf(operation: string, input: Record<string, unknown>, stream: { arn: string } | undefined, iterators: Map<string, string>): string {
  if (typeof input.ConsumerARN === "string") return input.ConsumerARN;
  if (stream) return stream.arn;
  if (operation === "GetRecords" && typeof input.ShardIterator === "string") return iterators.get(input.ShardIterator) ?? "*";
  return "*";
}

/** Remembers an iterator's stream, at most REMEMBERED_ITERATORS of them (the oldest forgotten first). */
function remember(iterators: Map<string, string>, iterator: unknown, streamArn: string): void {
  if (typeof iterator !== "string") return;
  iterators.set(iterator, streamArn);
  if (iterators.size > REMEMBERED_ITERATORS) iterators.delete(iterators.keys().next().value!);
}

/**
 * Requests kinesalite would throw on inside its own callbacks — an uncaught exception that ends the whole runtime (and
 * leaves the stream's lock held) — answered here instead, as Kinesis answers them:
 * - PutRecords with a `null` entry in Records (kinesalite's validation passes it, putRecords.js reads
 *   `record.ExplicitHashKey` of it): the JSON protocol's "Member must not be null" ValidationException, as kinesalite
 *   answers an entry's null PartitionKey or Data (AWS's wording for a null entry is not confirmed).
 * - (ListShards by NextToken alone, on which listShards.js looks the stream up by an undefined name, never reaches it:
 *   the endpoint answers ListShards itself, local/kinesis-list-shards.ts.)
 * - AddTagsToStream with a `null` tag value (kinesalite's validation reads its length): "Member must not be null", as
 *   the JSON protocol answers a null member (AWS's wording for a null map value is not confirmed).
 */
function refuseWhatCrashesKinesalite(operation: string, input: Record<string, unknown>): void {
  if (operation === "PutRecords" && Array.isArray(input.Records)) {
    const index = input.Records.findIndex((entry) => entry === null);
    if (index >= 0) throw new KinesisError("ValidationException", `1 validation error detected: Value null at 'records.${index + 1}.member' failed to satisfy constraint: Member must not be null`);
  }
  if (operation === "AddTagsToStream" && input.Tags !== null && typeof input.Tags === "object") {
    const key = Object.keys(input.Tags).find((k) => (input.Tags as Record<string, unknown>)[k] === null);
    if (key !== undefined) throw new KinesisError("ValidationException", `1 validation error detected: Value null at 'tags.${key}' failed to satisfy constraint: Member must not be null`);
  }
}

/**
 * PutRecords: "Each PutRecords request can support up to 500 records. Each record in the request can be as large as 10
 * MiB, up to a limit of 10 MiB for the entire request, including partition keys" (API_PutRecords, and the API model's
 * documentation in @aws-sdk/client-kinesis 3.1143 and botocore 1.43: Kinesis raised the request's limit from 5 MiB to
 * 10 MiB when it took records of up to 10 MiB, a stream's MaxRecordSizeInKiB, 1 MiB by default). kinesalite checks the
 * count and each Data's size (ValidationException, at its model's 1 MiB) but not the total. Kinesis answered the 5 MiB
 * limit with 400 InvalidArgumentException "Records size exceeds 5 MB limit" (quoted in snowplow/enrich#685 and
 * aws/amazon-kinesis-streams-for-fluent-bit#21); its answer over 10 MiB is taken to be the same with 10 (the code is
 * what Kinesis answers a request's size with; the wording over 10 MiB is not confirmed). Counted as Kinesis counts a
 * record (recordBytes: its data, decoded, and its partition key), for a request kinesalite's validation passes (a list of
 * at most 500 entries, each record within the stream's maximum record size: refuseOverRecordSize), so their
 * refusals still come first.
 */
const PUT_RECORDS_LARGEST_TOTAL_BYTES = 10 * 1024 * 1024;
const PUT_RECORDS_MOST_RECORDS = 500;
/** The most data kinesalite stores in a record (its model's Data: lengthLessThanOrEqual 1048576, validations/putRecord.js). */
const KINESALITE_LARGEST_DATA_BYTES = 1024 * 1024;
/** The most data one GetRecords answers (SubscribeToShard's events are cut to the same: local/kinesis-consumers.ts). */
const GET_RECORDS_LARGEST_BYTES = EVENT_MAX_BYTES;

function refuseOverPutRecordsTotal(operation: string, input: Record<string, unknown>, largestRecord: number): void {
  if (operation !== "PutRecords" || !Array.isArray(input.Records) || input.Records.length > PUT_RECORDS_MOST_RECORDS) return;
  let total = 0;
  for (const entry of input.Records as unknown[]) {
    const { Data, PartitionKey } = (entry ?? {}) as { Data?: unknown; PartitionKey?: unknown };
    if (typeof Data !== "string" || typeof PartitionKey !== "string") return;
    const bytes = recordBytes({ Data, PartitionKey });
    if (bytes > largestRecord) return;
    total += bytes;
  }
  if (total > PUT_RECORDS_LARGEST_TOTAL_BYTES) throw new KinesisError("InvalidArgumentException", `Records size exceeds ${PUT_RECORDS_LARGEST_TOTAL_BYTES / 1024 / 1024} MB limit`);
}

/** The records a PutRecord or PutRecords puts (those with a string Data and PartitionKey), each with its member's path. */
function putEntries(operation: string, input: Record<string, unknown>): Array<{ entry: { Data: string; PartitionKey: string }; path: string }> {
  const entries = operation === "PutRecord" ? [input] : operation === "PutRecords" && Array.isArray(input.Records) && input.Records.length <= PUT_RECORDS_MOST_RECORDS ? (input.Records as unknown[]) : [];
  return entries.flatMap((entry, index) => {
    const { Data, PartitionKey } = (entry ?? {}) as { Data?: unknown; PartitionKey?: unknown };
    if (typeof Data !== "string" || typeof PartitionKey !== "string") return [];
    return [{ entry: { Data, PartitionKey }, path: operation === "PutRecord" ? "data" : `records.${index + 1}.member.data` }];
  });
}

/**
 * The stream's maximum record size (MaxRecordSizeInKiB, 1 MiB unless raised: "The default maximum record size for
 * existing, and newly created streams is set to 1 MiB", https://docs.aws.amazon.com/streams/latest/dev/large-records.html),
 * which counts the data and the partition key: "When the data blob (the payload before base64-encoding) is added to the
 * partition key size, the total size must not exceed the maximum record size" (API_PutRecord and API_PutRecords, Data).
 * - Data alone over it: the JSON protocol's ValidationException on the member, as Kinesis answers a 1 MiB stream ("1
 *   validation error detected: Value at 'records.1.member.data' failed to satisfy constraint: Member must have length
 *   less than or equal to 1048576", quoted from Kinesis in awslabs/amazon-kinesis-producer#680); on a 1 MiB stream
 *   kinesalite answers it so itself. With a raised maximum the same wording with the stream's maximum is assumed (not
 *   confirmed).
 * - Data within it but data and key over it: refused whole with InvalidArgumentException, the code Kinesis answers a
 *   parameter over its restrictions with ("A specified parameter exceeds its restrictions", API_PutRecord Errors), as
 *   for the request's total; the code and wording Kinesis gives this case are not documented (not confirmed).
 */
function refuseOverRecordSize(operation: string, input: Record<string, unknown>, largestRecord: number): void {
  const entries = putEntries(operation, input);
  const overData = entries.filter(({ entry }) => Buffer.byteLength(entry.Data, "base64") > largestRecord);
  if (overData.length > 0) {
    if (largestRecord <= KINESALITE_LARGEST_DATA_BYTES) return;
    const errors = overData.map(({ path }) => `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${largestRecord}`);
    throw new KinesisError("ValidationException", `${errors.length} validation error${errors.length === 1 ? "" : "s"} detected: ${errors.join("; ")}`);
  }
  const over = entries.find(({ entry }) => recordBytes(entry) > largestRecord);
  if (over) {
    const where = operation === "PutRecords" ? ` of ${over.path.replace(/\.member\.data$/, "")}` : "";
    throw new KinesisError("InvalidArgumentException", `Record size${where} (data and partition key) of ${recordBytes(over.entry)} bytes exceeds the stream's maximum record size of ${largestRecord} bytes (MaxRecordSizeInKiB ${largestRecord / 1024})`);
  }
}

/** kinesalite's shard iterator's stream and shard: base64 of 8 bytes, then AES of "<time>/<stream>/<shard>/<sequence>/<pad>" (kinesalite db/index.js createShardIterator, read back so in actions/getRecords.js). */
function iteratorShard(iterator: unknown): { streamName: string; shardId: string } | undefined {
  if (typeof iterator !== "string") return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const db = require("kinesalite/db") as { ITERATOR_PWD_KEY: Buffer; ITERATOR_PWD_IV: Buffer };
  try {
    const decipher = createDecipheriv("aes-256-cbc", db.ITERATOR_PWD_KEY, db.ITERATOR_PWD_IV);
    const pieces = Buffer.concat([decipher.update(Buffer.from(iterator, "base64").subarray(8)), decipher.final()]).toString("utf8").split("/");
    return pieces.length === 5 ? { streamName: pieces[1], shardId: pieces[2] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A large record's Data checked as kinesalite checks a small one's before it stores it (validations/index.js, type Blob:
 * base64, else the JSON protocol's SerializationException): its token would pass instead.
 */
function checkBlob(data: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validations = require("kinesalite/validations") as { checkTypes(data: unknown, types: unknown): unknown };
  try {
    validations.checkTypes({ Data: data }, { Data: { type: "Blob" } });
  } catch (error) {
    const refusal = error as { statusCode?: number; body?: { __type?: string; Message?: string } };
    if (!refusal.statusCode || !refusal.body?.__type) throw error;
    throw new KinesisError(refusal.body.__type, String(refusal.body.Message), refusal.statusCode);
  }
}

/**
 * Records of more than kinesalite's 1 MiB of data, which a stream with a raised maximum record size takes (up to 10
 * MiB): kinesalite refuses their Data (its model's 1 MiB) and reads no body over 7 MiB (index.js MAX_REQUEST_BYTES, not
 * configurable), which a 10 MiB record is as base64 JSON. Each such record is put with a token as its data, a unique
 * value the endpoint keeps the data under, and every GetRecords answer (the client's, the mappings' and
 * SubscribeToShard's reads through `admin`: `read`) gets the data back in place of its token: the record keeps its
 * shard, sequence number and order. kinesalite keeps its streams in memory only (no `path`: memdown), so the data is too,
 * for as long as kinesalite can answer its record: until the stream is deleted (`forgetStream`), or the record is older
 * than the stream's retention (kinesalite leaves such records out of GetRecords, actions/getRecords.js), swept at each
 * large put, each GetRecords answer and once a minute (`sweep`).
 */
export class LargeRecords {
  /**
   * Each stream's large records' data by token, in the order they came (a Map iterates in insertion order), so a sweep
   * stops at a stream's first record still within its retention: at each GetRecords answer (the mappings poll every
   * shard each second) it reads only what it drops, not every record held.
   */
  private readonly streams = new Map<string, Map<string, { data: string; at: number }>>();
  /** Each stream's retention in hours, as the endpoint last set it (none: kinesalite's 24, CreateStream's default). */
  private readonly retention = new Map<string, number>();

  /** @param now the clock kinesalite dates records with (Date.now) */
  constructor(private readonly now: () => number = Date.now) {}

  /** The large records' data held. */
  get size(): number {
    let size = 0;
    for (const held of this.streams.values()) size += held.size;
    return size;
  }

  /** The stream's retention period (at its creation, and after each change through the endpoint). */
  retain(stream: string, hours: number): void {
    this.retention.set(stream, hours);
  }

  /** The stream's retention period in hours as it is now (the local mappings' bound on a record's retries too). */
  retentionOf(stream: string): number {
    return this.retention.get(stream) ?? 24;
  }

  /** The stream is deleted: its records' data goes with it, and its retention (a stream created again under the name has its own). */
  forgetStream(stream: string): void {
    this.streams.delete(stream);
    this.retention.delete(stream);
  }

  /** The data held under `token`, whichever stream's it is (none for data of another length than a token's: every record's is looked up at each GetRecords answer). */
  private held(token: string): { data: string; at: number } | undefined {
    if (token.length !== LARGE_RECORD_TOKEN_BASE64_LENGTH) return undefined;
    for (const held of this.streams.values()) {
      const found = held.get(token);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * The request as kinesalite takes it (a copy, each large record's data a token), and `forget` for a refused one. On a
   * stream of at most 1 MiB records the request is kinesalite's as it is (its ValidationException refuses larger data).
   */
  stand(operation: string, input: Record<string, unknown>, largestRecord: number, stream: string): { input: Record<string, unknown>; forget(): void } {
    const tokens: string[] = [];
    if (largestRecord <= KINESALITE_LARGEST_DATA_BYTES) return { input, forget: () => {} };
    const at = this.now();
    const held = this.streams.get(stream) ?? new Map<string, { data: string; at: number }>();
    this.streams.set(stream, held);
    const token = (entry: unknown) => {
      const { Data } = (entry ?? {}) as { Data?: unknown };
      if (typeof Data !== "string" || Buffer.byteLength(Data, "base64") <= KINESALITE_LARGEST_DATA_BYTES) return entry;
      checkBlob(Data);
      const stood = Buffer.from(`${LARGE_RECORD_TOKEN}${randomUUID()}`).toString("base64");
      held.set(stood, { data: Data, at });
      tokens.push(stood);
      return { ...(entry as object), Data: stood };
    };
    const forget = () => tokens.forEach((t) => held.delete(t));
    let stood: Record<string, unknown>;
    try {
      stood = operation === "PutRecord" ? (token(input) as Record<string, unknown>) : operation === "PutRecords" && Array.isArray(input.Records) ? { ...input, Records: input.Records.map(token) } : input;
    } catch (error) {
      forget();
      throw error;
    }
    if (tokens.length > 0) this.sweep();
    return { input: stood, forget };
  }

  /**
   * Drops the data of records older than their stream's retention as it is now (a minute later than kinesalite, whose
   * clock is the same: kinesalite dates a record when it stores it, after `stand` took `at`, so a record whose data is
   * dropped is one kinesalite no longer answers; it leaves out of GetRecords a record older than the retention it has
   * at the read, a lowered one included). Each stream's records are read oldest first up to the first one still kept:
   * records come in order of `at`, and should the clock step back, a record kept past its time is dropped at a later
   * sweep, none too early. Run at each large put, at each GetRecords answer read (`read`), and every
   * LARGE_RECORD_SWEEP_MS by `sweepEvery`, so an endpoint nobody writes to or reads from frees it too.
   */
  sweep(): void {
    const now = this.now();
    for (const [stream, held] of this.streams) {
      const kept = this.retentionOf(stream) * 3_600_000 + 60_000;
      for (const [token, record] of held) {
        if (now - record.at <= kept) break;
        held.delete(token);
      }
    }
  }

  /**
   * Sweeps every `ms` on a timer that keeps no process alive (unref: `npm start`'s servers do; a test's endpoint left
   * unstopped does not hang). `schedule` is setInterval unless a test gives its own. Returns the timer's stop.
   */
  sweepEvery(ms: number, schedule: (run: () => void, ms: number) => { unref(): unknown } = setInterval): () => void {
    const timer = schedule(() => this.sweep(), ms);
    timer.unref();
    return () => clearInterval(timer as NodeJS.Timeout);
  }

  /**
   * A GetRecords answer as Kinesis gives it: each large record's data back, and at most GET_RECORDS_LARGEST_BYTES of
   * records ("GetRecords can retrieve up to 10 MiB of data per call from a single shard", API_GetRecords; kinesalite
   * caps by count only, and counts a token as its few bytes), at least one; the records left out are read from
   * NextShardIterator on (after the last answered: GetShardIterator AFTER_SEQUENCE_NUMBER on the iterator's shard), and
   * MillisBehindLatest says the answer is behind the tip. `admin` is kinesalite's. An answer none of this changes (no
   * large record's token in it, and within the cap: any answer of a stream without large records, unless over 10 MiB)
   * is left as it came, its Records not copied; whether it changed is answered.
   */
  async read(answer: { Records?: unknown; NextShardIterator?: string; MillisBehindLatest?: number }, iterator: unknown, admin: Admin): Promise<boolean> {
    if (!Array.isArray(answer?.Records)) return false;
    this.sweep();
    // A token whose data is gone is a record past its retention that kinesalite answers again: it reads a stream's
    // records against the retention it has at the read, so an IncreaseStreamRetentionPeriod after the record expired
    // brings it back, where Kinesis "does not make previous, expired data (older than the stream's previous retention
    // period) accessible" (API_IncreaseStreamRetentionPeriod). Left out, as Kinesis leaves it (kinesalite's own records
    // of at most 1 MiB come back all the same).
    const answered = answer.Records as Array<{ Data?: unknown; PartitionKey?: unknown; SequenceNumber?: unknown; ApproximateArrivalTimestamp?: unknown }>;
    const expired = (record: (typeof answered)[number]) =>
      typeof record?.Data === "string" && record.Data.length === LARGE_RECORD_TOKEN_BASE64_LENGTH && this.held(record.Data) === undefined && Buffer.from(record.Data, "base64").toString("latin1").startsWith(LARGE_RECORD_TOKEN);
    const records = answered.some(expired) ? answered.filter((record) => !expired(record)) : answered;
    let changed = records !== answered;
    if (changed) answer.Records = records;
    let bytes = 0;
    let kept = 0;
    for (const record of records) {
      const held = typeof record?.Data === "string" ? this.held(record.Data) : undefined;
      if (held !== undefined) {
        record.Data = held.data;
        changed = true;
      }
      const size = typeof record?.Data === "string" && typeof record.PartitionKey === "string" ? recordBytes({ Data: record.Data, PartitionKey: record.PartitionKey }) : 0;
      if (kept > 0 && bytes + size > GET_RECORDS_LARGEST_BYTES) break;
      bytes += size;
      kept += 1;
    }
    const last = records[kept - 1];
    const shard = kept < records.length ? iteratorShard(iterator) : undefined;
    if (!shard || typeof last?.SequenceNumber !== "string") return changed;
    const next = await admin("GetShardIterator", { StreamName: shard.streamName, ShardId: shard.shardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: last.SequenceNumber });
    records.length = kept;
    answer.NextShardIterator = next.ShardIterator;
    const arrived = typeof last.ApproximateArrivalTimestamp === "number" ? last.ApproximateArrivalTimestamp * 1000 : this.now();
    answer.MillisBehindLatest = Math.max(1, Math.round(this.now() - arrived));
    return true;
  }

  /** A GetRecords answer's JSON, `read`: the text as it came when that changes nothing. */
  async readText(text: string, iterator: unknown, admin: Admin): Promise<string> {
    const answer = JSON.parse(text) as { Records?: unknown };
    return (await this.read(answer, iterator, admin)) ? JSON.stringify(answer) : text;
  }

  /** `admin`, its GetRecords answers `read`. */
  reading(admin: Admin): Admin {
    return async (operation, body) => {
      const answer = await admin(operation, body);
      if (operation === "GetRecords") await this.read(answer, body.ShardIterator, admin);
      return answer;
    };
  }
}

/**
 * MaxRecordSizeInKiB as CreateStream (optional) and UpdateMaxRecordSize (required) take it: "Valid Range: Minimum value
 * of 1024. Maximum value of 10240" (API_CreateStream, API_UpdateMaxRecordSize: "If you specify a value that is out of
 * this range, UpdateMaxRecordSize sends back an ValidationException message"), in the JSON protocol's wording (AWS's
 * exact message is not confirmed); kinesalite knows neither (it drops the member, and UpdateMaxRecordSize).
 */
function checkMaxRecordSize(value: unknown, required: boolean): number | undefined {
  const { min, max } = DATA_STREAM_LIMITS.maxRecordSizeInKib;
  const invalid = (constraint: string) => new KinesisError("ValidationException", `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value).slice(0, 64)}'`} at 'maxRecordSizeInKiB' failed to satisfy constraint: ${constraint}`);
  if (value === undefined || value === null) {
    if (required) throw invalid("Member must not be null");
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) throw new KinesisError("SerializationException", "MaxRecordSizeInKiB must be an integer");
  if (value < min) throw invalid(`Member must have value greater than or equal to ${min}`);
  if (value > max) throw invalid(`Member must have value less than or equal to ${max}`);
  return value;
}

/** A DescribeStreamSummary answer with the stream's MaxRecordSizeInKiB. */
function withMaxRecordSize(text: string, maxRecordSizeInKib: number): string {
  const answer = JSON.parse(text) as { StreamDescriptionSummary?: Record<string, unknown> };
  if (!answer.StreamDescriptionSummary) return text;
  answer.StreamDescriptionSummary.MaxRecordSizeInKiB = maxRecordSizeInKib;
  return JSON.stringify(answer);
}

/** The operations the endpoint answers itself (kinesalite lacks them): enhanced fan-out's. */
const CONSUMER_OPERATIONS = new Set(["RegisterStreamConsumer", "DescribeStreamConsumer", "ListStreamConsumers", "DeregisterStreamConsumer", "SubscribeToShard"]);

async function answer(request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse, internal: string, options: LocalKinesisOptions, iterators: Map<string, string>, regions: ReadonlySet<string>, fanOut: { consumers: ConsumerRegistry; subscriptions: Subscriptions }, large: LargeRecords, recordSizes: Map<string, number>): Promise<void> {
  const reply = (status: number, body: string, contentType = "application/x-amz-json-1.1") => {
    response.writeHead(status, { "content-type": contentType, "x-amzn-requestid": randomUUID() });
    response.end(body);
  };
  try {
    const body = await readBody(request as IncomingMessage, LARGEST_REQUEST_BYTES);
    if (body.length > LARGEST_REQUEST_BYTES) throw new KinesisError("SerializationException", `The request is larger than ${LARGEST_REQUEST_BYTES} bytes`, 413);
    // Over HTTP/2 the SDK signs the :authority pseudo-header instead of Host (@aws-sdk/middleware-host-header).
    const verdict = await verifySignedHeaders({ method: request.method, url: request.url, headers: request.headers, httpVersionMajor: request.httpVersionMajor }, body, { service: "kinesis", credentials: options.credentials, servesRegion: (region) => regions.has(region) });
    if (!verdict.ok) {
      const failure = jsonProtocolFailure(verdict.failure);
      throw new KinesisError(failure.code, failure.message, failure.status);
    }
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
    if (!String(request.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) {
      throw new KinesisError("SerializationException", "The local Kinesis endpoint reads JSON (application/x-amz-json-1.1); an SDK that sends CBOR must turn it off (AWS_CBOR_DISABLE=true)");
    }
    let input: Record<string, unknown> | null;
    try {
      input = JSON.parse(body.toString("utf8"));
    } catch {
      throw new KinesisError("SerializationException", "The request body is not JSON");
    }
    input ??= {};
    if (typeof input !== "object") throw new KinesisError("SerializationException", "The request body is not a JSON object");
    const region = verdict.signer.region;
    // The stream the request names, as this endpoint serves it: by StreamARN (its account and region must be the
    // served stream's, as in Kinesis, where another account's or region's stream of that name is another stream), or by
    // StreamName in the signer's region.
    let stream: { arn: string; name: string } | undefined;
    const fanOutOperation = CONSUMER_OPERATIONS.has(operation);
    // A member of the wrong JSON type is the JSON protocol's SerializationException, as AWS answers it: checked here for
    // the operations the endpoint answers itself (kinesalite checks the others'; ListShards' MaxResults, ExclusiveStartShardId
    // and StreamCreationTimestamp too, local/kinesis-list-shards.ts), before the members name a stream to authorise on.
    const stringMembers = fanOutOperation ? ["StreamARN", "ConsumerARN", "ConsumerName", "NextToken"] : operation === "ListShards" ? ["StreamName", "StreamARN", "NextToken"] : [];
    for (const member of stringMembers) {
      if (input[member] != null && typeof input[member] !== "string") throw new KinesisError("SerializationException", `${member} must be a string`);
    }
    if (fanOutOperation && input.MaxResults != null && typeof input.MaxResults !== "number") throw new KinesisError("SerializationException", "MaxResults must be a number");
    // A consumer's operation names its stream by the ConsumerARN's (as AWS reads it: the ARN's stream part).
    const consumerArn = fanOutOperation && typeof input.ConsumerARN === "string" ? input.ConsumerARN : undefined;
    const consumerStream = consumerArn === undefined ? undefined : parseConsumerArn(consumerArn);
    if (consumerArn !== undefined && !consumerStream) {
      throw new KinesisError("InvalidArgumentException", `ConsumerARN ${consumerArn} is not a consumer ARN (arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<creation timestamp>).`);
    }
    if (consumerStream && typeof input.StreamARN === "string" && input.StreamARN !== consumerStream.streamArn) {
      throw new KinesisError("InvalidArgumentException", `StreamARN ${input.StreamARN} conflicts with ConsumerARN ${String(input.ConsumerARN)}: the consumer is registered with ${consumerStream.streamArn}.`);
    }
    const streamArnNamed = consumerStream?.streamArn ?? input.StreamARN;
    if (typeof streamArnNamed === "string") {
      const named = parseStreamArn(streamArnNamed);
      const served = named && options.streams.find((s) => s.name === named.name);
      const servedArn = served && parseStreamArn(served.arn);
      if (!named || !served || !servedArn || servedArn.account !== named.account || servedArn.region !== named.region) {
        throw new KinesisError("ResourceNotFoundException", `Stream ${named?.name ?? streamArnNamed} under account ${named?.account ?? MOCK_ACCOUNT_ID} not found.`);
      }
      stream = { arn: served.arn, name: served.name };
    } else if (typeof input.StreamName === "string") {
      const served = options.streams.find((s) => s.name === input.StreamName && s.region === region);
      stream = { arn: served?.arn ?? `arn:aws:kinesis:${region}:${MOCK_ACCOUNT_ID}:stream/${input.StreamName}`, name: input.StreamName };
    } else if (operation === "ListShards" && input.NextToken != null) {
      // ListShards by NextToken alone acts on the stream its token lists (IAM authorises kinesis:ListShards on the
      // stream: the Service Authorization Reference's resource type for it); a token this endpoint cannot read names none.
      const named = listShardsTokenStream(input.NextToken);
      const served = named === undefined ? undefined : options.streams.find((s) => s.name === named && s.region === region);
      if (named !== undefined) stream = { arn: served?.arn ?? `arn:aws:kinesis:${region}:${MOCK_ACCOUNT_ID}:stream/${named}`, name: named };
    }
    // An iterator this endpoint did not hand out, or no longer remembers (the oldest of REMEMBERED_ITERATORS go, as
    // Kinesis's expire after 5 minutes), names no stream to authorise GetRecords on: answered as an expired one, which
    // a consumer handles by getting a new iterator (GetShardIterator, authorised on its stream).
    if (options.authorise && operation === "GetRecords" && typeof input.ShardIterator === "string" && !iterators.has(input.ShardIterator)) {
      throw new KinesisError("ExpiredIteratorException", "Iterator expired or not issued by this endpoint. Get a new one with GetShardIterator.");
    }
    if (options.authorise) {
      // Describe and Deregister by StreamARN and ConsumerName act on the consumer (its ARN when it is registered).
      const named = typeof input.ConsumerName === "string" && operation !== "RegisterStreamConsumer" ? fanOut.consumers.find(input, stream?.arn) : undefined;
      const resource = named?.ConsumerARN ?? resourceOf(operation, input, stream, iterators);
      const refused = options.authorise(verdict.signer.accessKeyId, `kinesis:${operation}`, resource);
      if (refused) throw new KinesisError("AccessDeniedException", `User: ${refused.caller} is not authorized to perform: kinesis:${operation} on resource: ${resource} ${refused.reason}`);
    }
    if (fanOutOperation) {
      // Consumer operations name their stream by ARN (StreamARN, or the ConsumerARN's), never by StreamName.
      const consumerStreamArn = typeof input.StreamARN === "string" || consumerStream ? stream?.arn : undefined;
      // RegisterStreamConsumer and ListStreamConsumers require StreamARN itself (API_RegisterStreamConsumer,
      // API_ListStreamConsumers: "Required: Yes"); a ConsumerARN does not stand for it.
      const needStream = () => {
        if (typeof input.StreamARN !== "string") throw new KinesisError("ValidationException", "1 validation error detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null");
        return stream!.arn;
      };
      switch (operation) {
        case "RegisterStreamConsumer":
          return reply(200, JSON.stringify({ Consumer: fanOut.consumers.register(needStream(), input.ConsumerName) }));
        case "DescribeStreamConsumer":
          return reply(200, JSON.stringify(fanOut.consumers.describe(input, consumerStreamArn)));
        case "ListStreamConsumers":
          return reply(200, JSON.stringify(fanOut.consumers.list(needStream(), input)));
        case "DeregisterStreamConsumer": {
          const consumer = fanOut.consumers.get(input, consumerStreamArn);
          fanOut.consumers.deregister(consumer);
          fanOut.subscriptions.endConsumer(consumer.ConsumerARN);
          return reply(200, "{}");
        }
        default: {
          if (typeof input.ConsumerARN !== "string") throw new KinesisError("ValidationException", "1 validation error detected: Value null at 'consumerARN' failed to satisfy constraint: Member must not be null");
          const consumer = fanOut.consumers.getActive(input);
          return await fanOut.subscriptions.subscribe(consumer, stream!.name, input, response);
        }
      }
    }
    // "If this parameter is unset (null) or if you set it to false, and the stream has registered consumers, the call to
    // DeleteStream fails with a ResourceInUseException" (API_DeleteStream, EnforceConsumerDeletion); kinesalite knows no
    // consumers, so the endpoint answers it, and forgets the consumers once kinesalite has deleted the stream
    // (kinesalite drops parameters it does not know, EnforceConsumerDeletion among them: validations/index.js).
    let deletedConsumers = false;
    if (operation === "DeleteStream" && stream && fanOut.consumers.hasConsumers(stream.arn)) {
      if (input.EnforceConsumerDeletion !== true) throw new KinesisError("ResourceInUseException", `Stream ${stream.arn} has registered consumers: deregister them first, or set EnforceConsumerDeletion to delete them with it.`);
      deletedConsumers = true;
    }
    // ShardFilter, paging and NextToken, which kinesalite lacks, over kinesalite's listing (local/kinesis-list-shards.ts).
    if (operation === "ListShards") return reply(200, JSON.stringify(await listShards(adminClient(internal), input, stream?.name, (options.now ?? Date.now)())));
    refuseWhatCrashesKinesalite(operation, input);
    if (operation === "UpdateMaxRecordSize") {
      const size = checkMaxRecordSize(input.MaxRecordSizeInKiB, true)!;
      if (!stream) throw new KinesisError("ValidationException", "1 validation error detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null");
      // A stream kinesalite does not have (deleted): its ResourceNotFoundException.
      await adminClient(internal)("DescribeStreamSummary", { StreamName: stream.name });
      recordSizes.set(stream.name, size);
      return reply(200, "{}");
    }
    const createdSize = operation === "CreateStream" ? checkMaxRecordSize(input.MaxRecordSizeInKiB, false) : undefined;
    // The stream's maximum record size (data and partition key), 1 MiB unless raised.
    const largestRecord = (recordSizes.get(String(stream?.name)) ?? DATA_STREAM_LIMITS.maxRecordSizeInKib.default) * 1024;
    refuseOverRecordSize(operation, input, largestRecord);
    refuseOverPutRecordsTotal(operation, input, largestRecord);
    // kinesalite takes streams by name only.
    if (stream && input.StreamARN !== undefined) {
      delete input.StreamARN;
      input.StreamName = stream.name;
    }
    const headers = { "content-type": "application/x-amz-json-1.1", "x-amz-target": target, "x-amz-date": String(request.headers["x-amz-date"] ?? ""), authorization: String(request.headers.authorization) };
    const stood = large.stand(operation, input, largestRecord, String(stream?.name));
    const forwarded = await forward(internal, headers, operation, stood.input);
    if (!forwarded.ok) stood.forget();
    // GetRecords: the large records' data back in place of their tokens, at most 10 MiB of records (LargeRecords.read).
    // DescribeStreamSummary: the stream's maximum record size, which kinesalite does not know (StreamDescriptionSummary.MaxRecordSizeInKiB: "The maximum record
    // size of a single record in kibibyte (KiB) that you can write to, and read from a stream", the SDK's model).
    const text =
      forwarded.ok && operation === "GetRecords"
        ? await large.readText(forwarded.text, input.ShardIterator, adminClient(internal))
        : forwarded.ok && operation === "DescribeStreamSummary"
          ? withMaxRecordSize(forwarded.text, largestRecord / 1024)
          : forwarded.text;
    if (forwarded.ok && stream && (operation === "PutRecord" || operation === "PutRecords")) {
      // The newest record of each shard, for SubscribeToShard's continuation before its first record.
      const put = JSON.parse(text) as { ShardId?: string; SequenceNumber?: string; Records?: Array<{ ShardId?: string; SequenceNumber?: string }> };
      // Each record's size (the records asked for, in the answer's order), for the subscriptions' read budget.
      const asked = (operation === "PutRecords" ? input.Records : [input]) as Array<{ Data?: unknown; PartitionKey?: unknown }> | undefined;
      const size = (r: { Data?: unknown; PartitionKey?: unknown } | undefined) => (typeof r?.Data === "string" && typeof r.PartitionKey === "string" ? recordBytes({ Data: r.Data, PartitionKey: r.PartitionKey }) : 0);
      (put.Records ?? [put]).forEach((r, index) => fanOut.subscriptions.notePut(stream.name, r.ShardId, r.SequenceNumber, size(Array.isArray(asked) ? asked[index] : undefined)));
    }
    // A stream deleted or created (again) under its name: the old stream's newest records are no continuation of it.
    if (forwarded.ok && stream && (operation === "DeleteStream" || operation === "CreateStream")) fanOut.subscriptions.forgetStream(stream.name);
    // Its large records' data goes with it; a retention changed through the endpoint is what their data is kept for.
    if (forwarded.ok && stream && operation === "DeleteStream") large.forgetStream(stream.name);
    if (forwarded.ok && stream && operation === "DeleteStream") recordSizes.delete(stream.name);
    if (forwarded.ok && stream && operation === "CreateStream") recordSizes.set(stream.name, createdSize ?? DATA_STREAM_LIMITS.maxRecordSizeInKib.default);
    if (forwarded.ok && stream && (operation === "IncreaseStreamRetentionPeriod" || operation === "DecreaseStreamRetentionPeriod") && typeof input.RetentionPeriodHours === "number") large.retain(stream.name, input.RetentionPeriodHours);
    // Its consumers are deleted with it (their subscriptions ended), so a stream created again under the name has none.
    if (forwarded.ok && stream && deletedConsumers) for (const consumer of fanOut.consumers.forgetStream(stream.arn)) fanOut.subscriptions.endConsumer(consumer.ConsumerARN);
    // A split or merge closes shards: their subscriptions read their last event (ChildShards) at once.
    if (forwarded.ok && stream && (operation === "SplitShard" || operation === "MergeShards")) fanOut.subscriptions.wake(stream.name);
    if (forwarded.ok && (operation === "GetShardIterator" || operation === "GetRecords")) {
      // The stream of each iterator handed out, for GetRecords' authorisation.
      const streamArn = operation === "GetRecords" ? iterators.get(String(input.ShardIterator)) : stream?.arn;
      const answered = JSON.parse(text) as { ShardIterator?: string; NextShardIterator?: string };
      if (streamArn) remember(iterators, answered.ShardIterator ?? answered.NextShardIterator, streamArn);
    }
    reply(forwarded.status, text, forwarded.contentType);
  } catch (error) {
    const failure = error instanceof KinesisError ? error : new KinesisError("InternalFailure", (error as Error).message, 500);
    // An error after an event stream opened is the stream's to answer (Subscriptions ends it).
    if (response.headersSent) return;
    reply(failure.status, JSON.stringify({ __type: failure.code, message: failure.reason }));
  }
}

/**
 * The request to kinesalite, and its answer. A PutRecords whose body is larger than kinesalite reads (up to 10 MiB of
 * records is over 13 MiB as JSON) is checked whole by kinesalite's own validation first — so its refusal leaves nothing
 * stored, as for any other request — then put in parts of at most half kinesalite's body each, one after the other,
 * their answers joined in the records' order ("The response Records array always includes the same number of records as
 * the request array", API_PutRecords; PutRecords puts records in no guaranteed order across shards either way).
 */
async function forward(internal: string, headers: Record<string, string>, operation: string, input: Record<string, unknown>): Promise<{ ok: boolean; status: number; text: string; contentType: string }> {
  const send = async (body: Record<string, unknown>) => {
    const response = await fetch(internal, { method: "POST", headers, body: JSON.stringify(body) });
    return { ok: response.ok, status: response.status, text: await response.text(), contentType: response.headers.get("content-type") ?? "application/x-amz-json-1.1" };
  };
  const records = input.Records;
  if (operation !== "PutRecords" || !Array.isArray(records) || Buffer.byteLength(JSON.stringify(input), "utf8") <= KINESALITE_LARGEST_BODY) return send(input);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validations = require("kinesalite/validations") as { checkTypes(data: unknown, types: unknown): unknown; checkValidations(data: unknown, types: unknown, custom: unknown, operation: string): void };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const putRecords = require("kinesalite/validations/putRecords") as { types: unknown; custom?: unknown };
  try {
    // checkTypes deletes the members it does not know: a copy.
    validations.checkValidations(validations.checkTypes(structuredClone(input), putRecords.types), putRecords.types, putRecords.custom, operation);
  } catch (error) {
    const refusal = error as { statusCode?: number; body?: { __type?: string; message?: string; Message?: string } };
    if (!refusal.statusCode) throw error;
    return { ok: false, status: refusal.statusCode, text: JSON.stringify(refusal.body), contentType: "application/x-amz-json-1.1" };
  }
  const parts: unknown[][] = [[]];
  let partBytes = 0;
  for (const record of records) {
    const bytes = Buffer.byteLength(JSON.stringify(record), "utf8") + 1;
    if (partBytes + bytes > KINESALITE_LARGEST_BODY / 2 && parts[parts.length - 1].length > 0) {
      parts.push([]);
      partBytes = 0;
    }
    parts[parts.length - 1].push(record);
    partBytes += bytes;
  }
  let joined: { FailedRecordCount: number; Records: unknown[] } & Record<string, unknown> = { FailedRecordCount: 0, Records: [] };
  let contentType = "application/x-amz-json-1.1";
  for (const part of parts) {
    const answer = await send({ ...input, Records: part });
    // A refusal of a later part (the stream deleted meanwhile) is the request's answer, as Kinesis may fail a request after storing some of it.
    if (!answer.ok) return answer;
    const put = JSON.parse(answer.text) as { FailedRecordCount?: number; Records?: unknown[] };
    joined = { ...put, ...joined, FailedRecordCount: joined.FailedRecordCount + (put.FailedRecordCount ?? 0), Records: [...joined.Records, ...(put.Records ?? [])] };
    contentType = answer.contentType;
  }
  return { ok: true, status: 200, text: JSON.stringify(joined), contentType };
}

interface KinesaliteRecord {
  SequenceNumber: string;
  PartitionKey: string;
  Data: string;
  ApproximateArrivalTimestamp: number;
}

interface ListedShard {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
}

/**
 * One subscription's shards through resharding, as Lambda follows it (it processes a parent shard's records first, then
 * the child shards': the Lambda Kinesis page's resharding note, wording not confirmed here; the Kinesis developer
 * guide's "Complete the resharding action") — a closed shard (a split's parent, a merge's two parents) is read to its end, and a
 * child is read, from TRIM_HORIZON, only once each of its parents (ParentShardId, AdjacentParentShardId: ListShards,
 * which kinesalite answers as Kinesis does) is finished, so each key's records arrive in order. A parent no longer
 * listed (past retention) counts as finished.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (resharding);
 * https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-after-resharding.html
 */
export class ShardLineage<Poller> {
  private readonly started = new Set<string>();
  private readonly finished = new Set<string>();
  private discovering: Promise<unknown> = Promise.resolve();
  private first = true;

  /** @param create a poller of a shard (`child`: a shard found after the start, read from TRIM_HORIZON) */
  constructor(
    private readonly admin: Admin,
    private readonly streamName: string,
    private readonly create: (shardId: string, child: boolean) => Poller,
  ) {}

  /** The shard is read to its end (and its last records handled). */
  finish(shardId: string): void {
    this.finished.add(shardId);
  }

  /** Pollers of the shards now ready (not yet read, every parent finished); one discovery at a time. */
  discover(): Promise<Poller[]> {
    const next = this.discovering.then(async () => {
      const { Shards } = (await this.admin("ListShards", { StreamName: this.streamName })) as { Shards: ListedShard[] };
      const listed = new Set(Shards.map((s) => s.ShardId));
      const ready = Shards.filter((s) => !this.started.has(s.ShardId) && [s.ParentShardId, s.AdjacentParentShardId].every((p) => !p || this.finished.has(p) || !listed.has(p)));
      for (const shard of ready) this.started.add(shard.ShardId);
      const child = !this.first;
      this.first = false;
      return ready.map((s) => this.create(s.ShardId, child));
    });
    this.discovering = next.catch(() => {});
    return next;
  }
}

/**
 * One subscription's reader of one shard: from the starting position, each pass reads what the shard has, a batch at
 * a time, and delivers each batch (with its retries) before reading the next. Passes run one at a time. A closed shard
 * read to its end (GetRecords answers no NextShardIterator) is `closed`: its passes read nothing more.
 */
class ShardPoller {
  private iterator?: string;
  /** The last record handled (delivered or given up on): where a new iterator starts. */
  private checkpoint?: string;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Aborted at stop: ends a retry's wait at once (deliverStreamBatch's pause clears its timer), so stop waits for no timer. */
  private readonly stopping = new AbortController();
  /** The shard is closed and every record of it was handled. */
  closed = false;

  /** @param child a shard found after the start (a split's or merge's child): read from TRIM_HORIZON, as Lambda does */
  constructor(
    private readonly admin: Admin,
    private readonly stream: LocalStreamDefinition,
    readonly shardId: string,
    private readonly subscription: LocalStreamSubscription,
    private readonly log: (message: string) => void,
    private readonly retryDelayMs: number,
    private readonly now: () => number,
    /** The stream's retention in hours now: a record past it is given up on whatever the mapping's maximum age. */
    private readonly retentionHours: () => number,
    private readonly child = false,
  ) {}

  /** Reads and delivers everything the shard has now, after any pass under way. */
  pass(): Promise<void> {
    const next = this.running.then(() => (this.closed ? undefined : this.readAll())).catch((error) => this.log(`local Kinesis: ${this.subscription.id} on ${this.shardId}: ${(error as Error).message}`));
    this.running = next;
    return next;
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
  }

  idle(): Promise<void> {
    return this.running;
  }

  /** AT_TIMESTAMP's time in seconds (what GetShardIterator's Timestamp takes). */
  private startingTime(): number | undefined {
    const { spec } = this.subscription;
    return spec.startingPosition === "AT_TIMESTAMP" ? Date.parse(spec.startingPositionTimestamp!) / 1000 : undefined;
  }

  private async newIterator(): Promise<string> {
    const at = this.startingTime();
    // The streams are new at every start (kinesalite in memory), so LATEST reads from the shard's start: a record put as
    // the mapping starts is never skipped by a race with the iterator's time. A time still to come reads from the start
    // too (kinesalite refuses a Timestamp after its clock; Kinesis reads from the next record): readAll skips the
    // records before it.
    const position =
      this.checkpoint !== undefined
        ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: this.checkpoint }
        : at !== undefined && at * 1000 <= Date.now() && !this.child
          ? { ShardIteratorType: "AT_TIMESTAMP", Timestamp: at }
          : { ShardIteratorType: "TRIM_HORIZON" };
    return (await this.admin("GetShardIterator", { StreamName: this.stream.name, ShardId: this.shardId, ...position })).ShardIterator;
  }

  private async readAll(): Promise<void> {
    const { spec } = this.subscription;
    const at = this.startingTime();
    // Whether the last answer had no records: one more read tells a closed shard's end (below).
    let empty = false;
    while (!this.stopped) {
      this.iterator ??= await this.newIterator();
      let answer: { Records: KinesaliteRecord[]; NextShardIterator?: string };
      try {
        answer = await this.admin("GetRecords", { ShardIterator: this.iterator, Limit: spec.batchSize });
      } catch (error) {
        if ((error as KinesisError).code !== "ExpiredIteratorException") throw error;
        this.iterator = undefined;
        continue;
      }
      if (answer.Records.length === 0) {
        // "If set to null, the shard has been closed and the requested iterator does not return any more data"
        // (API_GetRecords, NextShardIterator): every record of it was handled (each batch is before the next read).
        if (!answer.NextShardIterator) {
          this.closed = true;
          this.iterator = undefined;
          return;
        }
        this.iterator = answer.NextShardIterator;
        // kinesalite answers a closed shard's end only to an iterator taken after the shard closed, which an empty
        // answer's next iterator is (its position is the answer's time): one more read, then the pass ends.
        if (empty) return;
        empty = true;
        continue;
      }
      empty = false;
      const records = at === undefined ? answer.Records : answer.Records.filter((r) => r.ApproximateArrivalTimestamp >= at);
      // "Lambda passes all of the records in the batch to the function in a single call, up to the payload limit for
      // synchronous invocation (6 MB)" (API_CreateEventSourceMapping, BatchSize): records that would not fit one event
      // come in the next, in order (the local function refuses a larger event, as Lambda does).
      // Each record's event is built once; deliverStreamBatch cuts the events and delivers (and retries) them as they are.
      // The iterator and checkpoint pass an event's records only once they were handled (delivered, or given up on to
      // the on-failure destination): a pass that fails or stops before reads them again, from the last handled event on.
      let handled = false;
      const delivered = await this.deliver(
        records.map((r) => this.event(r)),
        (event) => {
          handled = true;
          this.checkpoint = event[event.length - 1].kinesis.sequenceNumber;
        },
      );
      if (!delivered) {
        if (handled) this.iterator = undefined;
        return;
      }
      this.iterator = answer.NextShardIterator;
      this.checkpoint = answer.Records[answer.Records.length - 1].SequenceNumber;
    }
  }

  /** Delivers a batch of events with Lambda's retries, cut to the payload limit (`handled`: each cut once handled); false when the emulator stopped first. */
  private deliver(records: KinesisEventRecord[], handled: (event: KinesisEventRecord[]) => void): Promise<boolean> {
    const { spec } = this.subscription;
    // Records older than maximumRecordAgeInSeconds are not delivered, checked before each try: their description goes to
    // the on-failure destination. So are records past the stream's retention, whatever the maximum age (-1 included):
    // "-1 means infinite: Lambda doesn't discard records (Kinesis Data Streams data retention settings still apply)"
    // (services-kinesis-parameters.html); Lambda "retries until the records expire or exceed the maximum age", then
    // "discards the records and continues processing batches from the stream" (kinesis-on-failure-destination.html).
    // The on-failure record's condition for an expired record (RecordAgeExceeded here) is not confirmed.
    return deliverStreamBatch(records, {
      settings: spec,
      invoke: (batch) => this.subscription.invoke({ Records: batch }),
      sequenceOf: (r) => r.kinesis.sequenceNumber,
      // The retention as it is at each check (IncreaseStreamRetentionPeriod, DecreaseStreamRetentionPeriod).
      expired: (r) => this.now() / 1000 - r.kinesis.approximateArrivalTimestamp > maximumAgeSeconds(spec.maximumRecordAgeInSeconds, this.retentionHours() * 3600),
      failed: (error) => this.log(`local Kinesis: ${this.subscription.id} failed on ${this.shardId}: ${error.message}`),
      giveUp: (batch, attempts, condition, error) => this.giveUp(batch, attempts, condition, error),
      retryDelayMs: this.retryDelayMs,
      stopped: () => this.stopped,
      signal: this.stopping.signal,
      handled,
    });
  }

  private event(record: KinesaliteRecord): KinesisEventRecord {
    return {
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: record.PartitionKey, sequenceNumber: record.SequenceNumber, data: record.Data, approximateArrivalTimestamp: record.ApproximateArrivalTimestamp },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${this.shardId}:${record.SequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: this.subscription.roleArn,
      awsRegion: this.stream.region,
      eventSourceARN: this.stream.arn,
    };
  }

  /** Lambda's on-failure record for a stream: the batch's description (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html). */
  private async giveUp(records: KinesisEventRecord[], attempts: number, condition: GiveUpCondition, error?: Error): Promise<void> {
    const at = (r: KinesisEventRecord) => new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString();
    const [first, last] = [records[0].kinesis, records[records.length - 1].kinesis];
    await this.subscription.onFailure({
      // The batch's invocations: the first try and its retries (records that expire are given up on before the next try).
      requestContext: { requestId: randomUUID(), functionArn: this.subscription.functionArn, condition, approximateInvokeCount: condition === "RecordAgeExceeded" ? attempts : attempts + 1 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", ...(error ? { functionError: "Unhandled" } : {}) },
      version: "1.0",
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId: this.shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: at(records[0]),
        approximateArrivalOfLastRecord: at(records[records.length - 1]),
        batchSize: records.length,
        streamArn: this.stream.arn,
      },
    });
    this.log(`local Kinesis: ${this.subscription.id} gave up on ${records.length} record(s) of ${this.shardId} (${condition}); their description went to the on-failure destination`);
  }
}
