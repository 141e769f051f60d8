/**
 * Local Kinesis Data Streams (`npm start`): kinesalite in memory (its streams made from the program's DataStreams), behind
 * a front endpoint that checks what Kinesis checks first — a SigV4 signature of a known credential, scoped to `kinesis`
 * and a served region (local/sigv4-verify.ts) — and, for a function's request, its role: `kinesis:<Operation>` on the
 * stream's ARN (local/function-roles.ts), answered with Kinesis's AccessDeniedException. A stream named by its ARN
 * (StreamARN) is handed to kinesalite by name, which is all it takes.
 *
 * Lambda's side: each subscription polls each shard of its stream from its starting position and invokes the
 * function with Kinesis's event (Records[].kinesis.{kinesisSchemaVersion, partitionKey, sequenceNumber, data (base64),
 * approximateArrivalTimestamp}, eventSource "aws:kinesis", eventID "<shard id>:<sequence number>", ...), one batch of a
 * shard after the other, with partial batch responses, bisection and retries (local/stream-batches.ts); a batch given
 * up on (retries exhausted, or records older than maximumRecordAgeInSeconds) goes to the on-failure destination as
 * Lambda describes it there (KinesisBatchInfo, not the records).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DataStreamSubscriptionSpec } from "../components/data-stream/spec";
import type { Authorise } from "./function-roles";
import { readBody } from "./http";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import { deliverStreamBatch } from "./stream-batches";
import { jsonProtocolFailure, verifySignedHeaders, type SigV4Credentials } from "./sigv4-verify";


const TARGET_PREFIX = "Kinesis_20131202.";
/** Kinesis's largest request (PutRecords: "up to 5 MiB" of records, plus the JSON around them); kinesalite's 7 MB. */
const LARGEST_REQUEST_BYTES = 7 * 1024 * 1024;

export interface LocalStreamDefinition {
  /** The stream's physical name. */
  name: string;
  /** Its ARN as the program recorded it (what grants and events name). */
  arn: string;
  region: string;
  /** kinesalite's shards: a PROVISIONED stream's count, or 4 for an ON_DEMAND one (Kinesis starts one with 4). */
  shardCount: number;
  retentionHours: number;
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
  /** Sends Lambda's on-failure record to the subscription's dead-letter queue. */
  onFailure(record: unknown): void;
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
  /** Milliseconds before a failed batch is retried. @default 1000 */
  retryDelayMs?: number;
}

export interface LocalKinesis {
  endpoint: string;
  /** Starts polling every subscription's shards (`npm start`: once every service has started). */
  start(): void;
  /** Resolves once every record put so far was delivered to each subscription (or given up on). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

class KinesisError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

export async function startLocalKinesis(options: LocalKinesisOptions): Promise<LocalKinesis> {
  const log = options.log ?? (() => {});
  // Loaded here: a program without a DataStream never loads kinesalite (nor its cbor and level modules). No typings.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kinesalite = require("kinesalite") as (options: Record<string, unknown>) => Server;
  const store = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100_000 });
  await new Promise<void>((resolve) => store.listen(0, "127.0.0.1", resolve));
  const internal = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
  const admin = adminClient(internal);
  const front = createServer((request, response) => {
    answer(request, response, internal, options).catch((error) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String((error as Error).message));
    });
  });
  const pollers: ShardPoller[] = [];
  try {
    for (const stream of options.streams) {
      await admin("CreateStream", { StreamName: stream.name, ShardCount: stream.shardCount });
      while ((await admin("DescribeStreamSummary", { StreamName: stream.name })).StreamDescriptionSummary.StreamStatus !== "ACTIVE") await new Promise((resolve) => setImmediate(resolve));
      if (stream.retentionHours > 24) await admin("IncreaseStreamRetentionPeriod", { StreamName: stream.name, RetentionPeriodHours: stream.retentionHours });
    }
    for (const subscription of options.subscriptions ?? []) {
      const stream = options.streams.find((s) => s.name === subscription.streamName)!;
      const { Shards } = await admin("ListShards", { StreamName: stream.name });
      for (const { ShardId } of Shards as Array<{ ShardId: string }>) {
        pollers.push(new ShardPoller(admin, stream, ShardId, subscription, log, options.retryDelayMs ?? 1000));
      }
    }
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  } catch (error) {
    await new Promise((resolve) => store.close(resolve));
    throw error;
  }
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const interval = options.pollIntervalMs ?? 1000;
  const loop = (poller: ShardPoller) => {
    if (stopped) return;
    void poller.pass().finally(() => {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        loop(poller);
      }, interval);
      timers.add(timer);
    });
  };
  return {
    endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    start: () => pollers.forEach(loop),
    drained: async () => void (await Promise.all(pollers.map((p) => p.pass()))),
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      for (const poller of pollers) poller.stop();
      await Promise.all(pollers.map((p) => p.idle()));
      await new Promise((resolve) => front.close(resolve));
      await new Promise((resolve) => store.close(resolve));
    },
  };
}

type Admin = (operation: string, body: Record<string, unknown>) => Promise<any>;

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
    if (!response.ok) throw new KinesisError(String(parsed.__type ?? "InternalFailure"), `${operation}: ${parsed.__type}: ${parsed.message ?? text}`);
    return parsed;
  };
}

/** The stream a request names, by StreamName or StreamARN (`arn:…:kinesis:<region>:<account>:stream/<name>`). */
function streamOf(input: Record<string, unknown>): string | undefined {
  if (typeof input.StreamName === "string") return input.StreamName;
  if (typeof input.StreamARN === "string") return /:stream\/([^/]+)$/.exec(input.StreamARN)?.[1];
  return undefined;
}

async function answer(request: IncomingMessage, response: ServerResponse, internal: string, options: LocalKinesisOptions): Promise<void> {
  const reply = (status: number, body: string, contentType = "application/x-amz-json-1.1") => {
    response.writeHead(status, { "content-type": contentType, "x-amzn-requestid": randomUUID() });
    response.end(body);
  };
  try {
    const body = await readBody(request, LARGEST_REQUEST_BYTES);
    if (body.length > LARGEST_REQUEST_BYTES) throw new KinesisError("SerializationException", `The request is larger than ${LARGEST_REQUEST_BYTES} bytes`, 413);
    const regions = new Set(options.streams.map((s) => s.region));
    const verdict = await verifySignedHeaders(request, body, { service: "kinesis", credentials: options.credentials, servesRegion: (region) => regions.has(region) });
    if (!verdict.ok) {
      const failure = jsonProtocolFailure(verdict.failure);
      throw new KinesisError(failure.code, failure.message, failure.status);
    }
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
    if (!String(request.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) {
      throw new KinesisError("SerializationException", "The local Kinesis endpoint reads JSON (application/x-amz-json-1.1); an SDK that sends CBOR must turn it off (AWS_CBOR_DISABLE=true)");
    }
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString("utf8"));
    } catch {
      throw new KinesisError("SerializationException", "The request body is not JSON");
    }
    const name = streamOf(input ?? {});
    if (name !== undefined && options.authorise) {
      const arn = `arn:aws:kinesis:${verdict.signer.region}:${MOCK_ACCOUNT_ID}:stream/${name}`;
      const refused = options.authorise(verdict.signer.accessKeyId, `kinesis:${operation}`, arn);
      if (refused) throw new KinesisError("AccessDeniedException", `User: ${refused.caller} is not authorized to perform: kinesis:${operation} on resource: ${arn} ${refused.reason}`);
    }
    // kinesalite takes streams by name only.
    if (name !== undefined && input.StreamARN !== undefined) {
      delete input.StreamARN;
      input.StreamName = name;
    }
    const forwarded = await fetch(internal, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target, "x-amz-date": String(request.headers["x-amz-date"] ?? ""), authorization: String(request.headers.authorization) },
      body: JSON.stringify(input),
    });
    reply(forwarded.status, await forwarded.text(), forwarded.headers.get("content-type") ?? "application/x-amz-json-1.1");
  } catch (error) {
    const failure = error instanceof KinesisError ? error : new KinesisError("InternalFailure", (error as Error).message, 500);
    reply(failure.status, JSON.stringify({ __type: failure.code, message: failure.message }));
  }
}

interface KinesaliteRecord {
  SequenceNumber: string;
  PartitionKey: string;
  Data: string;
  ApproximateArrivalTimestamp: number;
}

/**
 * One subscription's reader of one shard: from the starting position, each pass reads what the shard has, a batch at
 * a time, and delivers each batch (with its retries) before reading the next. Passes run one at a time.
 */
class ShardPoller {
  private iterator?: string;
  /** The last record handled (delivered or given up on): where a new iterator starts. */
  private checkpoint?: string;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly admin: Admin,
    private readonly stream: LocalStreamDefinition,
    private readonly shardId: string,
    private readonly subscription: LocalStreamSubscription,
    private readonly log: (message: string) => void,
    private readonly retryDelayMs: number,
  ) {}

  /** Reads and delivers everything the shard has now, after any pass under way. */
  pass(): Promise<void> {
    const next = this.running.then(() => this.readAll()).catch((error) => this.log(`local Kinesis: ${this.subscription.id} on ${this.shardId}: ${(error as Error).message}`));
    this.running = next;
    return next;
  }

  stop(): void {
    this.stopped = true;
  }

  idle(): Promise<void> {
    return this.running;
  }

  private async newIterator(): Promise<string> {
    const { spec } = this.subscription;
    // The streams are new at every start (kinesalite in memory), so LATEST reads from the shard's start: a record put as
    // the mapping starts is never skipped by a race with the iterator's time.
    const position =
      this.checkpoint !== undefined
        ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: this.checkpoint }
        : spec.startingPosition === "AT_TIMESTAMP"
          ? { ShardIteratorType: "AT_TIMESTAMP", Timestamp: Date.parse(spec.startingPositionTimestamp!) / 1000 }
          : { ShardIteratorType: "TRIM_HORIZON" };
    return (await this.admin("GetShardIterator", { StreamName: this.stream.name, ShardId: this.shardId, ...position })).ShardIterator;
  }

  private async readAll(): Promise<void> {
    const { spec } = this.subscription;
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
      this.iterator = answer.NextShardIterator;
      if (answer.Records.length === 0) return;
      await this.deliver(answer.Records);
      this.checkpoint = answer.Records[answer.Records.length - 1].SequenceNumber;
    }
  }

  private async deliver(records: KinesaliteRecord[]): Promise<void> {
    const { spec } = this.subscription;
    // Records older than maximumRecordAgeInSeconds are not delivered: they go to the on-failure destination.
    const maxAge = spec.maximumRecordAgeInSeconds;
    const tooOld = (r: KinesaliteRecord) => maxAge >= 0 && Date.now() / 1000 - r.ApproximateArrivalTimestamp > maxAge;
    const expired = records.filter(tooOld);
    if (expired.length > 0) this.giveUp(expired, 0, "RecordAgeExceeded");
    await deliverStreamBatch(records.filter((r) => !tooOld(r)), {
      settings: spec,
      invoke: (batch) => this.subscription.invoke({ Records: batch.map((r) => this.event(r)) }),
      sequenceOf: (r) => r.SequenceNumber,
      failed: (error) => this.log(`local Kinesis: ${this.subscription.id} failed on ${this.shardId}: ${error.message}`),
      giveUp: (batch, attempts, error) => this.giveUp(batch, attempts, "RetryAttemptsExhausted", error),
      retryDelayMs: this.retryDelayMs,
      stopped: () => this.stopped,
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
  private giveUp(records: KinesaliteRecord[], attempts: number, condition: "RetryAttemptsExhausted" | "RecordAgeExceeded", error?: Error): void {
    const at = (r: KinesaliteRecord) => new Date(r.ApproximateArrivalTimestamp * 1000).toISOString();
    const [first, last] = [records[0], records[records.length - 1]];
    this.subscription.onFailure({
      requestContext: { requestId: randomUUID(), functionArn: this.subscription.functionArn, condition, approximateInvokeCount: attempts + (condition === "RecordAgeExceeded" ? 0 : 1) },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", ...(error ? { functionError: "Unhandled" } : {}) },
      version: "1.0",
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId: this.shardId,
        startSequenceNumber: first.SequenceNumber,
        endSequenceNumber: last.SequenceNumber,
        approximateArrivalOfFirstRecord: at(first),
        approximateArrivalOfLastRecord: at(last),
        batchSize: records.length,
        streamArn: this.stream.arn,
      },
    });
    this.log(`local Kinesis: ${this.subscription.id} gave up on ${records.length} record(s) of ${this.shardId} (${condition}); their description went to the on-failure destination`);
  }
}
