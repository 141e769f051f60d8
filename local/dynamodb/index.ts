/**
 * Local DynamoDB: embedded dynalite (LevelDB under the stack's state folder, or in
 * memory), the program's tables created from DataTier specs, a stream proxy in front
 * when functions subscribe to streams, and a TTL sweeper.
 */
import { DynamoDBClient, type TableDescription } from "@aws-sdk/client-dynamodb";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { patchDynaliteConditionFailures } from "./dynalite-condition-failure";
import { cacheDynaliteExpressions } from "./dynalite-expressions";
import { patchDynaliteKeySizes } from "./dynalite-keys";
import { describeStoredTable, dynaliteStoreOf, patchDynaliteStore } from "./dynalite-store";
import { patchDynaliteTableArns, serveTableArns } from "./dynalite-table-arns";
import { guardDynaliteValidations } from "./dynalite-validations";
import { dropDynaliteRequestErrors } from "./replayed-request";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { StreamProxy, type StreamProxyOptions, type StreamSubscriber } from "./streams";
import { apiTableCatalog, ensureTables, type LocalTable, type TableCatalog } from "./tables";
import { serveTransactions } from "./transactions";
import { startTtlSweeper, type TtlSweeper } from "./ttl";
import { retryDelayOf } from "../retry-delay";

// dynalite ships no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: Record<string, unknown>) => Server;

/** What startPatchedDynalite takes: the part of LocalDynamoOptions dynalite itself needs. */
export interface PatchedDynaliteOptions {
  /** LevelDB folder; in memory when unset. */
  path?: string;
  /** The region tables' ARNs name (DescribeTable's TableArn, IndexArn, LatestStreamArn), e.g. "us-east-1". */
  region: string;
  /** Told of dynalite's internal errors (answered 500 InternalServerError, ./dynalite-validations.ts). @default not told */
  log?(message: string): void;
}

/** A running startPatchedDynalite. */
export interface PatchedDynalite {
  server: Server;
  /** e.g. http://127.0.0.1:49152 */
  endpoint: string;
  /** A table's description (DescribeTable's `Table`) read from the server's store, without a request; undefined when there is none. */
  describeTable(name: string): Promise<TableDescription | undefined>;
  close(): Promise<void>;
}

export interface LocalDynamoOptions extends PatchedDynaliteOptions {
  tables: LocalTable[];
  subscribers?: StreamSubscriber[];
  /** How often the TTL sweeper runs. @default 5000 */
  ttlIntervalMs?: number;
  /** Milliseconds before a failed stream batch is retried (StreamProxyOptions). @default 1000 */
  retryDelayMs?: number;
  /** The program's functions' roles: their requests are authorised as DynamoDB authorises them (./authorise.ts). @default none checked */
  roles?: StreamProxyOptions["roles"];
}

export interface LocalDynamo {
  /** What handlers get as AWS_ENDPOINT_URL_DYNAMODB (the stream proxy when there is one). */
  endpoint: string;
  /** dynalite itself. */
  dynaliteEndpoint: string;
  created: string[];
  ttl: TtlSweeper;
  /** Waits until every stream record written so far has been delivered. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * dynalite with every patch and every operation served in front of it, as the local runtime runs it; the handler tests
 * start theirs with it too, so they run on the same local DynamoDB as `npm start`.
 */
export async function startPatchedDynalite(options: PatchedDynaliteOptions): Promise<PatchedDynalite> {
  const log = options.log ?? (() => {});
  patchDynaliteStore();
  cacheDynaliteExpressions();
  patchDynaliteKeySizes();
  patchDynaliteConditionFailures();
  patchDynaliteTableArns();
  const unguard = guardDynaliteValidations(log);
  // Tables' ARNs (DescribeTable's TableArn, IndexArn) as the program's: its region, and the account every local ARN names.
  const serverOptions = { path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, awsRegion: options.region, awsAccountId: MOCK_ACCOUNT_ID };
  const server = dynalite(serverOptions);
  // A client hanging up mid-body no longer stops the process (dynalite throws its request's error: ./replayed-request.ts).
  dropDynaliteRequestErrors(server);
  // TransactWriteItems and TransactGetItems, which dynalite does not serve, served on its store (./transactions.ts).
  const store = dynaliteStoreOf(serverOptions);
  serveTransactions(server, store, { log });
  // Requests naming tables by their ARNs: batches keyed by their names for dynalite, and every answer's ConsumedCapacity
  // naming the ARN the request gave (./dynalite-table-arns.ts).
  serveTableArns(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, endpoint, describeTable: (name) => describeStoredTable(store!, name), close: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(unguard) };
}

export async function startLocalDynamo(options: LocalDynamoOptions): Promise<LocalDynamo> {
  const log = options.log ?? (() => {});
  // Refused before anything is left running, subscribers or none (local/retry-delay.ts), as the Kinesis mapping's.
  const retryDelayMs = retryDelayOf(options.retryDelayMs, "local DynamoDB streams");
  const { server, endpoint: dynaliteEndpoint, describeTable, close: closeServer } = await startPatchedDynalite({ path: options.path, region: options.region, log });

  try {
    // Tables are checked in the store, as DescribeTable reads them: an SDK client's first request costs more than all of
    // a start's reads (issue 15). Only a table that is missing is created through the API (CreateTable), as a client would.
    let admin: DynamoDBClient | undefined;
    const catalog: TableCatalog = {
      describe: describeTable,
      create: (input) => apiTableCatalog((admin ??= new DynamoDBClient({ endpoint: dynaliteEndpoint, region: options.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } }))).create(input),
    };
    const { created } = await ensureTables(catalog, options.tables).finally(() => admin?.destroy());

    const subscribers = options.subscribers ?? [];
    const direct = (req: IncomingMessage, res: ServerResponse) => void server.emit("request", req, res);
    // In front of dynalite when a stream has subscribers (it records writes) or functions' roles are checked.
    const proxy = subscribers.length > 0 || options.roles ? new StreamProxy({ target: dynaliteEndpoint, region: options.region, tables: options.tables, subscribers, log, direct, roles: options.roles, retryDelayMs }) : undefined;
    const endpoint = proxy ? await proxy.listen() : dynaliteEndpoint;
    const ttl = startTtlSweeper({ endpoint, region: options.region, tables: options.tables, intervalMs: options.ttlIntervalMs ?? 5000, log });

    return {
      endpoint,
      dynaliteEndpoint,
      created,
      ttl,
      drained: async () => proxy?.drained(),
      async stop() {
        ttl.stop();
        await proxy?.close();
        await closeServer();
      },
    };
  } catch (error) {
    await closeServer();
    throw error;
  }
}

export type { LocalTable } from "./tables";
export type { StreamRecord, StreamSubscriber } from "./streams";
