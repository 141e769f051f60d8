/**
 * DynamoDB Streams for dynalite, which has none: a small HTTP proxy in front of
 * dynalite sees every write to a table with a stream, reads the item before and
 * after it (writes to those tables, TransactWriteItems among them, are serialised so the images are exact), and
 * appends a record in DynamoDB's stream record shape. A pump per subscription
 * delivers records in order, in batches, honouring partial batch responses and
 * retries as Lambda's event source mapping does.
 */
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isDeepStrictEqual } from "node:util";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { StreamViewType } from "../../components/data-tier/spec";
import type { StreamSubscriptionSpec } from "../../components/data-tier/stream";
import type { LocalTable } from "./tables";
import { readBody } from "../http";
import { tableStreamArn } from "../offline/mocks";
import type { Authorise } from "../function-roles";
import { dynamoPermissions, dynamoRefusal, signer } from "./authorise";
import { tableNamed } from "./dynalite-table-arns";
import { DYNALITE_MAX_REQUEST_BYTES, replayed } from "./replayed-request";
import { deliverStreamBatch, maximumAgeSeconds } from "../stream-batches";
import { retryDelayOf } from "../retry-delay";

type Item = Record<string, AttributeValue>;

/** A before-image dynalite would not read: the write's key is one it refuses. */
const unreadable = Symbol("unreadable");

/** dynalite's answer to a read the proxy made, when not 200. */
class ReadRefused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** DynamoDB's answer to its own faults (the SDK retries it); an empty 500 reads as "UnknownError" in the SDK. */
const INTERNAL_ERROR = JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "Internal server error (the local DynamoDB's stream proxy: see its log)" });

function internalError(res: ServerResponse): void {
  res.writeHead(500, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() }).end(INTERNAL_ERROR);
}

export interface StreamRecord {
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  eventVersion: "1.1";
  eventSource: "aws:dynamodb";
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    OldImage?: Item;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  eventSourceARN: string;
  /** Present on deletions made by TTL, as in DynamoDB. */
  userIdentity?: { type: "Service"; principalId: "dynamodb.amazonaws.com" };
}

/** Header the TTL sweeper sets so its deletions carry TTL's userIdentity. */
export const TTL_DELETE_HEADER = "x-local-ttl-delete";

export interface StreamSubscriber {
  spec: StreamSubscriptionSpec;
  tableName: string;
  /** Invokes the subscribed function with `{ Records }`; resolves with its response. */
  invoke(event: { Records: StreamRecord[] }): Promise<unknown>;
}

export interface StreamProxyOptions {
  /** Where dynalite listens, e.g. http://127.0.0.1:41234. */
  target: string;
  region: string;
  tables: LocalTable[];
  subscribers: StreamSubscriber[];
  log(message: string): void;
  /**
   * dynalite's own request listener, in this process: requests that write nothing (queries,
   * reads, describes) are handed to it as they came instead of forwarded over another HTTP
   * hop — one hop fewer on every local read (issue 15).
   * @default every request is forwarded to `target`
   */
  direct?: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * The program's functions' roles (local/function-roles.ts): a request a function signs is answered DynamoDB's 400
   * AccessDeniedException unless its role allows every action it is authorised as (./authorise.ts).
   * @default no request is checked
   */
  roles?: { governs(accessKeyId: string): boolean; authorise: Authorise };
  /** Milliseconds before a failed batch is retried (retry-delay.ts RETRY_DELAY_MS; 0–2147483647), as the local Kinesis mapping's option. @default 1000 */
  retryDelayMs?: number;
}

const WRITE_TARGETS = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);

/** A TransactWriteItems request's writes (its Put, Update and Delete; a ConditionCheck writes nothing): table and key. */
function transactionWrites(input: Record<string, any>): Array<{ tableName: string; item: Item }> {
  const items: unknown = input.TransactItems;
  if (!Array.isArray(items)) return [];
  return items.flatMap((action) => {
    if (action?.Put) return [{ tableName: tableNamed(action.Put.TableName), item: action.Put.Item }];
    const write = action?.Update ?? action?.Delete;
    return write ? [{ tableName: tableNamed(write.TableName), item: write.Key }] : [];
  });
}

export class StreamProxy {
  private server?: Server;
  private sequence = 0n;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly streamed = new Map<string, LocalTable>();
  private readonly pumps: SubscriptionPump[];
  endpoint = "";

  constructor(private readonly options: StreamProxyOptions) {
    const subscribedTables = new Set(options.subscribers.map((s) => s.tableName));
    for (const table of options.tables) {
      if (table.spec.stream && subscribedTables.has(table.tableName)) this.streamed.set(table.tableName, table);
    }
    const retryDelayMs = retryDelayOf(options.retryDelayMs, "local DynamoDB streams");
    this.pumps = options.subscribers.map((s) => new SubscriptionPump(s, options.log, retryDelayMs));
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        this.options.log(`local DynamoDB proxy: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(502).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async close(): Promise<void> {
    // The writes under way are recorded; deliveries end (a batch being retried, for its records' maximum age, would
    // hold the stop as long), as the local Kinesis mapping's do.
    await this.writes;
    for (const pump of this.pumps) pump.stop();
    await Promise.all(this.pumps.map((p) => p.idle()));
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Resolves once every write so far is recorded and every record delivered (or given up on). */
  async drained(): Promise<void> {
    await this.writes;
    await Promise.all(this.pumps.map((p) => p.idle()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    let body: Buffer | undefined;
    let parsed: Record<string, any> | undefined;
    // Only a function's request is read here before dynalite: the tools' and tests' pass as they came. A body is held up
    // to dynalite's limit and a byte (./replayed-request.ts): past it dynalite answers 413 to what was read.
    const caller = this.options.roles ? signer(req.headers.authorization) : undefined;
    if (caller && this.options.roles!.governs(caller.accessKeyId)) {
      body = await readBody(req, DYNALITE_MAX_REQUEST_BYTES);
      parsed = safeJson(body);
      const refusal = parsed && dynamoRefusal(this.options.roles!.authorise, caller.accessKeyId, dynamoPermissions(operation, parsed, caller.region));
      if (refusal) {
        res.writeHead(refusal.status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() });
        return void res.end(refusal.body);
      }
    }
    if (this.options.direct && !WRITE_TARGETS.has(operation)) return this.options.direct(body ? replayed(req, body) : req, res);
    if (!body) {
      body = await readBody(req, DYNALITE_MAX_REQUEST_BYTES);
      if (WRITE_TARGETS.has(operation)) parsed = safeJson(body);
    }
    const input = WRITE_TARGETS.has(operation) ? parsed : undefined;
    const tables = input ? this.touchedTables(operation, input) : [];
    if (tables.length === 0) {
      // A write to a table without a subscribed stream has no images to read: dynalite takes it in this process.
      if (this.options.direct) return this.options.direct(replayed(req, body), res);
      const answer = await forward(this.options.target, req, body);
      return reply(res, answer);
    }
    // One write at a time to streamed tables: the before/after reads then see exactly this write.
    const done = this.writes.then(() => this.recordWrite(operation, input!, req, body, res));
    this.writes = done.catch(() => undefined);
    await done.catch((error) => {
      this.options.log(`local DynamoDB streams: ${(error as Error).message}`);
      if (!res.headersSent) internalError(res);
    });
  }

  private touchedTables(operation: string, input: Record<string, any>): string[] {
    const names =
      operation === "BatchWriteItem" ? Object.keys(input.RequestItems ?? {}).map(tableNamed) : operation === "TransactWriteItems" ? transactionWrites(input).map((w) => w.tableName) : [tableNamed(input.TableName)];
    return names.filter((n) => this.streamed.has(n));
  }

  private async recordWrite(operation: string, input: Record<string, any>, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const keys = this.keysOf(operation, input);
    // Only dynalite's 400 means the key is one it refuses; any other failure is answered 500 before the write is sent,
    // so the SDK's retry both writes and records.
    const before = keys && (await Promise.all(keys.map(({ table, key }) => this.getItem(req, table, key).catch((error) => {
      if (error instanceof ReadRefused && error.status === 400) return unreadable;
      throw error;
    }))));
    const answer = await forward(this.options.target, req, body);
    reply(res, answer);
    if (answer.status !== 200) return;
    // A write whose keys could not be read (or named) is one dynalite refuses as it refuses the read — a key over
    // DynamoDB's size limit, a key attribute missing — and its 400 has just been relayed; one it took anyway
    // has no images to record.
    if (!keys || !before || before.includes(unreadable)) {
      this.options.log(`local DynamoDB streams: ${operation} succeeded but its items could not be read, so it has no stream record`);
      return;
    }
    const after = await Promise.all(keys.map(({ table, key }) => this.getItem(req, table, key)));
    const byTtl = req.headers[TTL_DELETE_HEADER] === "1";
    keys.forEach(({ table }, i) => this.append(table, before[i] as Item | undefined, after[i], byTtl));
  }

  /** The keys the write names, or undefined when its shape names none (dynalite then answers its ValidationException). */
  private keysOf(operation: string, input: Record<string, any>): Array<{ table: LocalTable; key: Item }> | undefined {
    try {
      return this.keysNamed(operation, input);
    } catch {
      return undefined;
    }
  }

  private keysNamed(operation: string, input: Record<string, any>): Array<{ table: LocalTable; key: Item }> {
    const keyOf = (table: LocalTable, item: Item): Item => {
      const key: Item = { [table.spec.partitionKey]: keyValue(item[table.spec.partitionKey]) };
      if (table.spec.sortKey) key[table.spec.sortKey] = keyValue(item[table.spec.sortKey]);
      return key;
    };
    if (operation === "BatchWriteItem") {
      return Object.entries(input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>)
        .filter(([key]) => this.streamed.has(tableNamed(key)))
        .flatMap(([key, requests]) => {
          const table = this.streamed.get(tableNamed(key))!;
          return requests.map((r) => ({ table, key: keyOf(table, r.PutRequest?.Item ?? r.DeleteRequest!.Key) }));
        });
    }
    if (operation === "TransactWriteItems") {
      // Its writes are made together (./transactions.ts) or not at all: a cancelled one is not 200 and records nothing.
      return transactionWrites(input)
        .filter(({ tableName }) => this.streamed.has(tableName))
        .map(({ tableName, item }) => ({ table: this.streamed.get(tableName)!, key: keyOf(this.streamed.get(tableName)!, item) }));
    }
    const table = this.streamed.get(tableNamed(input.TableName))!;
    return [{ table, key: keyOf(table, operation === "PutItem" ? input.Item : input.Key) }];
  }

  private async getItem(req: IncomingMessage, table: LocalTable, key: Item): Promise<Item | undefined> {
    const body = Buffer.from(JSON.stringify({ TableName: table.tableName, Key: key, ConsistentRead: true }));
    const answer = await forward(this.options.target, req, body, "DynamoDB_20120810.GetItem");
    if (answer.status !== 200) throw new ReadRefused(answer.status, `GetItem on ${table.tableName} failed (${answer.status}): ${answer.body.toString()}`);
    return (JSON.parse(answer.body.toString()) as { Item?: Item }).Item;
  }

  private append(table: LocalTable, oldImage: Item | undefined, newImage: Item | undefined, byTtl: boolean): void {
    const image = newImage ?? oldImage;
    if (!image) return;
    if (oldImage && newImage && isDeepStrictEqual(oldImage, newImage)) return; // DynamoDB writes no record for a no-op.
    const view = table.spec.stream!;
    // The key as the table stores it (an N as dynalite normalised it, no member but the key's type), not as requested.
    const keys: Item = { [table.spec.partitionKey]: image[table.spec.partitionKey] };
    if (table.spec.sortKey) keys[table.spec.sortKey] = image[table.spec.sortKey];
    this.sequence += 1n;
    const record: StreamRecord = {
      eventID: randomUUID().replace(/-/g, ""),
      eventName: !oldImage ? "INSERT" : !newImage ? "REMOVE" : "MODIFY",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: this.options.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: keys,
        ...(newImage && (view === "NEW_IMAGE" || view === "NEW_AND_OLD_IMAGES") ? { NewImage: newImage } : {}),
        ...(oldImage && (view === "OLD_IMAGE" || view === "NEW_AND_OLD_IMAGES") ? { OldImage: oldImage } : {}),
        SequenceNumber: this.sequence.toString().padStart(21, "0"),
        SizeBytes: Buffer.byteLength(JSON.stringify(keys)) + Buffer.byteLength(JSON.stringify(image)),
        StreamViewType: view,
      },
      // The stream's ARN, the one the program's `streamArn` resolved to (what a handler given it compares with).
      eventSourceARN: table.streamArn ?? tableStreamArn(this.options.region, table.tableName),
      ...(byTtl && !newImage ? { userIdentity: { type: "Service" as const, principalId: "dynamodb.amazonaws.com" as const } } : {}),
    };
    for (const pump of this.pumps) if (pump.tableName === table.tableName) pump.push(record);
  }
}

/**
 * A stream record's lifetime: "All data in DynamoDB Streams is subject to a 24-hour lifetime"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html). A record older is given up on whatever
 * the mapping's maximum age, -1 included ("failed records are retried until the record expires", MaximumRetryAttempts).
 */
const STREAM_RECORD_LIFETIME_SECONDS = 24 * 3600;

/** Delivers one subscription's records in order, in batches, with Lambda's retry semantics. */
class SubscriptionPump {
  private readonly queue: StreamRecord[] = [];
  private running?: Promise<void>;
  /** Aborted by stop(): no batch is tried after it, a retry's wait ends at once. */
  private readonly stopping = new AbortController();
  readonly tableName: string;

  constructor(
    private readonly subscriber: StreamSubscriber,
    private readonly log: (message: string) => void,
    private readonly retryDelayMs: number,
  ) {
    this.tableName = subscriber.tableName;
  }

  push(record: StreamRecord): void {
    this.queue.push(record);
    // Start on the next turn, so the records of one write (e.g. a BatchWriteItem) share a batch.
    this.running ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run())
      .finally(() => (this.running = undefined));
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Ends the deliveries: the batch under way ends after its current try, no retry waits, later records stay unsent. */
  stop(): void {
    this.stopping.abort();
  }

  private async run(): Promise<void> {
    const { spec } = this.subscriber;
    const maxAge = maximumAgeSeconds(spec.maximumRecordAgeInSeconds, STREAM_RECORD_LIFETIME_SECONDS);
    const { signal } = this.stopping;
    while (this.queue.length > 0 && !signal.aborted) {
      const batch = this.queue.slice(0, spec.batchSize);
      const handled = await deliverStreamBatch(batch, {
        settings: spec,
        invoke: (records) => this.subscriber.invoke({ Records: records }),
        sequenceOf: (record) => record.dynamodb.SequenceNumber,
        // Checked before each try, as Lambda does (ApproximateCreationDateTime: seconds).
        expired: (record) => Date.now() / 1000 - record.dynamodb.ApproximateCreationDateTime > maxAge,
        failed: (error) => this.log(`local DynamoDB streams: ${spec.name} failed: ${error.message}`),
        giveUp: (records, attempts, condition) =>
          this.log(`local DynamoDB streams: ${spec.name} gave up on ${records.length} record(s) ${condition === "RecordAgeExceeded" ? `older than ${maxAge} s` : `after ${attempts} retries`} (in AWS they go to the dead-letter queue)`),
        retryDelayMs: this.retryDelayMs,
        stopped: () => signal.aborted,
        signal,
      });
      if (!handled) return;
      // The records leave the queue once handled (delivered or given up on).
      this.queue.splice(0, batch.length);
    }
  }
}


/**
 * A key attribute's value as dynalite reads it, for the proxy's own reads: its `S`, `N` or `B` member. dynalite's type
 * check drops members it does not know and null ones (`{"S": "a", "x": 1}` is the key "a"), and a value with two types
 * it refuses, as it refuses the write; anything with no string S, N or B names no item (a map nested 100,000 levels
 * deep, which JSON.stringify could not even write), and dynalite refuses the write.
 */
function keyValue(value: unknown): AttributeValue {
  if (typeof value === "object" && value !== null) {
    for (const type of ["S", "N", "B"] as const) {
      const member = (value as Record<string, unknown>)[type];
      if (typeof member === "string") return { [type]: member } as unknown as AttributeValue;
    }
  }
  throw new Error("not a key value");
}

function safeJson(body: Buffer): Record<string, any> | undefined {
  try {
    return JSON.parse(body.toString());
  } catch {
    return undefined;
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends the request (or a rewritten body/target with the same credentials) to dynalite. */
function forward(target: string, req: IncomingMessage, body: Buffer, amzTarget?: string): Promise<Answer> {
  const url = new URL(target);
  const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: url.host, "content-length": String(body.length) };
  if (amzTarget) headers["x-amz-target"] = amzTarget;
  delete headers[TTL_DELETE_HEADER];
  return new Promise((resolve, reject) => {
    const out = httpRequest({ hostname: url.hostname, port: url.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    out.on("error", reject);
    out.end(body);
  });
}

function reply(res: ServerResponse, answer: Answer): void {
  const headers = { ...answer.headers };
  delete headers["content-length"];
  delete headers["transfer-encoding"];
  delete headers.connection;
  res.writeHead(answer.status, { ...headers, "content-length": String(answer.body.length) });
  res.end(answer.body);
}
