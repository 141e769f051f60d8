/**
 * Local RDS Data API (`npm start`): each RelationalDatabase's Aurora PostgreSQL cluster is a PGlite (PostgreSQL in
 * WebAssembly, in its own worker thread: a long or huge statement stalls or exhausts only that worker, which is ended
 * and reopened, see DatabaseWorker) persisted under its own directory, behind one endpoint that speaks the Data API's
 * REST-JSON protocol as @aws-sdk/client-rds-data sends it — POST /Execute (ExecuteStatement), /BatchExecute,
 * /BeginTransaction, /CommitTransaction, /RollbackTransaction — signed with SigV4 for `rds-data` (local/sigv4-verify.ts)
 * and, for a function's request, authorised by its role (local/function-roles.ts) as the Data API authorises: the
 * operation (`rds-data:ExecuteStatement`, …) on the cluster's ARN, and `secretsmanager:GetSecretValue` on the secret the
 * request names (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.access.html).
 *
 * A PGlite serves one connection, so each database runs one statement at a time: a call waits for the one before it,
 * and a Data API transaction (BeginTransaction … CommitTransaction/RollbackTransaction) holds its database until it
 * ends; other calls wait for it (in Aurora each call gets its own connection). The waits are bounded by the Data API's
 * own limits: a call answers StatementTimeoutException after 45 seconds ("a call times out if it's not finished
 * processing within 45 seconds", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html; with
 * continueAfterTimeout the statement still runs once its turn comes), and a transaction no call used for three
 * minutes, or older than 24 hours, is rolled back ("A transaction times out if no calls use its transaction ID in three
 * minutes … A transaction can run for a maximum of 24 hours", BeginTransaction in the API reference), which frees its
 * database. A call in a transaction while another call of it runs is refused at once ("DatabaseErrorException:
 * Transaction is still running a query", data-api.troubleshooting.html), and a statement that fails in a transaction
 * ends it ("The transaction was aborted due to an error from a previous call", same page): later calls with its ID get
 * TransactionNotFoundException.
 *
 * Errors are the Data API's (names and statuses from @aws-sdk/client-rds-data 3.1143.0's models): a statement's
 * PostgreSQL error as DatabaseErrorException "ERROR: <message>; SQLState: <code>" (Aurora Serverless v2 and
 * provisioned clusters answer SQL errors so; BadRequestException "only appears in calls from Aurora Serverless v1
 * databases", the API reference; aws/aws-cli#8577 shows `ERROR: database "…" does not exist; SQLState: 3D000`), a
 * request the endpoint cannot take as BadRequestException, an unknown resourceArn or secretArn as NotFoundException, an
 * unknown (or ended) transaction as TransactionNotFoundException, a result over 1 MiB as UnsupportedResultException
 * ("The response size limit is 1 MiB", data-api.limitations; UnsupportedResultException "The size was too large").
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { defaultCacheDir } from "../components/lambda/bundle-cache";
import type { DataApiTarget } from "../components/relational-database/contract";
import type { Authorise } from "./function-roles";
import { readBody } from "./http";
import { bindParameters, columnMetadata, DataApiError, jsonValue, pgType, toField, type ResultSetOptions, type SqlParameter } from "./rds-data-sql";
import { restJsonFailure, verifySignedHeaders, type SigV4Credentials } from "./sigv4-verify";
import { thrownText } from "./thrown-text.cjs";
import { workerModuleUrl } from "./worker-module-url";

export { DataApiError };

/** The Data API's limits the endpoint keeps (each documented where it is used); tests may shorten the timeouts. */
export interface DataApiLimits {
  /** A call's answer comes within this, or is StatementTimeoutException (45 s). */
  statementTimeoutMs: number;
  /** A transaction no call used for this long is rolled back (3 minutes). */
  transactionIdleMs: number;
  /** A transaction older than this is rolled back (24 hours). */
  transactionMaxMs: number;
  /**
   * Calls that may wait for one database at once; one more is refused with ServiceUnavailableError (503, which the
   * SDK retries). Local only: Aurora gives each call a connection (max_connections bounds them), here each waiter
   * holds its SQL and parameters (up to 4 MiB) until its turn.
   */
  maxWaiting: number;
  /**
   * The JavaScript heap (MB) of a database's worker, which holds a statement's rows as PGlite reads them: a statement
   * that needs more ends the worker (not the runtime) and is answered DatabaseErrorException "out of memory" (53200).
   * Read when the worker (re)opens; at least WORKER_HEAP_FLOOR_MB.
   */
  workerHeapMb: number;
}

export const DATA_API_LIMITS: Readonly<DataApiLimits> = { statementTimeoutMs: 45_000, transactionIdleMs: 3 * 60_000, transactionMaxMs: 24 * 60 * 60_000, maxWaiting: 100, workerHeapMb: 512 };

/**
 * The smallest heap (MB) a database's worker may be given: in less, PGlite with its 22 extensions does not open.
 * Measured (PGlite 0.5.17, under the suite's --single-threaded-gc, also with another process opening at once): opening
 * a folder's database or a cached template needs 16 MB (14 ran out every time), making a cluster by initdb (template
 * cache off) 24 (20 ran out once in 3). A floor, not a safe size: on a loaded machine a collection comes late, and a
 * whole-suite run once failed an open at 32 (its test gives 64); npm start gives 512 (DATA_API_LIMITS).
 */
export const WORKER_HEAP_FLOOR_MB = 32;

/**
 * The limits a running endpoint keeps (LocalDataApi.limits): DATA_API_LIMITS until a test changes them. Each is read
 * where it applies, so a change holds from the next call on. The worker heap alone is checked as it is set: it is read
 * only when a database's worker (re)opens, maybe long after, where too little would fail the reopen with PGlite's own
 * error instead of naming the limit.
 */
class LimitsInForce implements DataApiLimits {
  statementTimeoutMs = DATA_API_LIMITS.statementTimeoutMs;
  transactionIdleMs = DATA_API_LIMITS.transactionIdleMs;
  transactionMaxMs = DATA_API_LIMITS.transactionMaxMs;
  maxWaiting = DATA_API_LIMITS.maxWaiting;
  #workerHeapMb = DATA_API_LIMITS.workerHeapMb;

  get workerHeapMb(): number {
    return this.#workerHeapMb;
  }

  set workerHeapMb(mb: number) {
    if (!Number.isInteger(mb) || mb < WORKER_HEAP_FLOOR_MB) {
      throw new RangeError(`local RDS Data API: limits.workerHeapMb ${mb} is not a whole number of MB from ${WORKER_HEAP_FLOOR_MB}, the least heap a database's worker was measured to open PGlite in (WORKER_HEAP_FLOOR_MB): give it ${WORKER_HEAP_FLOOR_MB} or more (more on a loaded machine).`);
    }
    this.#workerHeapMb = mb;
  }
}

/**
 * PGlite's contrib extensions that Aurora PostgreSQL also offers (CREATE EXTENSION works for them locally as in Aurora;
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/AuroraPostgreSQL.Extensions.html). Each
 * loads only when a database runs CREATE EXTENSION for it. Not available locally: postgis, pgvector (vector),
 * pg_cron, pg_partman, aws_s3, aws_lambda, aws_commons, pglogical, plv8, pg_hint_plan, orafce and other non-contrib
 * extensions (docs/local-vs-aws.md).
 */
const EXTENSIONS = ["bloom", "btree_gin", "btree_gist", "citext", "cube", "dict_int", "earthdistance", "fuzzystrmatch", "hstore", "intarray", "isn", "lo", "ltree", "pg_trgm", "pgcrypto", "seg", "tablefunc", "tcn", "tsm_system_rows", "tsm_system_time", "unaccent", "uuid_ossp"];

/** Node's WebAssembly global, as used here: this project's types (ES2023, @types/node 20) declare none. */
declare const WebAssembly: { Module: new (bytes: Uint8Array) => object };

/** The installed PGlite's dist folder (its package.json is not exported: found from the entry point). */
const pgliteDist = () => dirname(require.resolve("@electric-sql/pglite"));

/** The installed PGlite's version, read once: the templates are named after it. */
let pgliteVersion: string | undefined;

/**
 * PostgreSQL's WebAssembly (pglite.wasm, 9 MB), compiled once per process and handed to every database's worker
 * (PGlite's pgliteWasmModule): an open takes about 30 % less CPU than in a worker that compiled its own, where V8
 * compiled and optimised the same code again. A compiled module is shared with worker threads, not copied.
 */
let pgliteModule: object | undefined;
function compiledPglite(): object {
  // Synchronous and cheap: V8 compiles WebAssembly functions lazily, on their first call.
  pgliteModule ??= new WebAssembly.Module(readFileSync(join(pgliteDist(), "pglite.wasm")));
  return pgliteModule;
}

/**
 * The tarballs a worker makes a new cluster from (local/rds-data-worker.mjs): PGlite's initdb, made once per PGlite
 * version, and the cluster with a master user and database, made once per version, user and database from it. Kept
 * beside the bundle cache (none when that is off) until unused for 30 days (the worker's sweepTemplates).
 */
export function pgliteTemplateFiles(username: string, database: string): { initdb: string; cluster: string } | undefined {
  const cache = defaultCacheDir();
  if (!cache) return undefined;
  pgliteVersion ??= (JSON.parse(readFileSync(join(dirname(pgliteDist()), "package.json"), "utf8")) as { version: string }).version;
  const pair = createHash("sha256").update(JSON.stringify([username, database])).digest("hex").slice(0, 16);
  const file = (kind: string) => join(cache, "pglite", `pglite-${pgliteVersion}-${kind}.tar`);
  return { initdb: file("initdb"), cluster: file(`cluster-${pair}`) };
}

/** "The maximum size of the HTTP request submitted through the Data API is 4 MiB" (BatchExecuteStatement, API reference). */
const LARGEST_REQUEST_BYTES = 4 * 1024 * 1024;
/** "The response size limit is 1 MiB. If the call returns more than 1 MiB of response data, the call is terminated." */
const LARGEST_RESPONSE_BYTES = 1024 * 1024;
/** ExecuteStatement's `sql`: "Length Constraints: Minimum length of 0. Maximum length of 65536." */
const LONGEST_SQL = 65_536;
/** The longest ARN IAM takes (a policy's Resource, https://docs.aws.amazon.com/IAM/latest/APIReference/API_Policy.html: Arn 20–2048). */
const LONGEST_ARN = 2048;

/** One database the endpoint serves: a RelationalDatabase's cluster, as functions name it. */
export interface LocalDatabaseDefinition {
  /** The RelationalDatabase's name, for logs. */
  name: string;
  /** The cluster's ARN (resourceArn), as the program recorded it. */
  clusterArn: string;
  /** The master user secret's ARN (secretArn). */
  secretArn: string;
  /** The database created with the cluster: the only one `database` may name. */
  databaseName: string;
  /** The secret's user, PostgreSQL's default database name when a call names none. */
  masterUsername: string;
  /** Aurora PostgreSQL's version the cluster runs in AWS (spec.engineVersion), compared at start with PGlite's. */
  engineVersion?: string;
  region: string;
  /** Where PGlite keeps the database (created when absent); undefined: in memory. */
  dataDir?: string;
}

export interface LocalDataApiOptions {
  databases: LocalDatabaseDefinition[];
  /** Accepted signing credentials (acceptedCredentials). */
  credentials: readonly SigV4Credentials[];
  /** IAM's answer for a function's request. @default none checked */
  authorise?: Authorise;
  log?(message: string): void;
  /** The clock transactions' idle and total times are read with. @default Date.now */
  now?(): number;
  /**
   * Milliseconds a connection may stay silent (before a request's headers, or between requests) and a request may
   * take to arrive whole, before the endpoint closes it. @default 60000
   */
  idleTimeoutMs?: number;
}

export interface LocalDataApi {
  endpoint: string;
  /** Each database's Data API target (resourceArn, secretArn, database), by RelationalDatabase name. */
  targets: Record<string, DataApiTarget>;
  /**
   * What an internal caller (the runtime applying migrations at start) signs with: credentials this endpoint accepts
   * and never checks against a role. `new RDSDataClient({ endpoint, region, credentials: adminCredentials })`.
   */
  adminCredentials: SigV4Credentials;
  /** The limits in force (DATA_API_LIMITS); tests shorten them. */
  limits: DataApiLimits;
  stop(): Promise<void>;
}

type Operation = "ExecuteStatement" | "BatchExecuteStatement" | "BeginTransaction" | "CommitTransaction" | "RollbackTransaction";

/** The operations by path (@aws-sdk/client-rds-data's `http` traits). ExecuteSql is not served: "This operation isn't supported for Aurora PostgreSQL Serverless v2 and provisioned DB clusters". */
const OPERATIONS: Record<string, Operation> = {
  "/Execute": "ExecuteStatement",
  "/BatchExecute": "BatchExecuteStatement",
  "/BeginTransaction": "BeginTransaction",
  "/CommitTransaction": "CommitTransaction",
  "/RollbackTransaction": "RollbackTransaction",
};

export async function startLocalDataApi(options: LocalDataApiOptions): Promise<LocalDataApi> {
  const log = options.log ?? (() => {});
  const limits = new LimitsInForce();
  const now = options.now ?? Date.now;
  const databases: LocalDatabase[] = [];
  try {
    // Each database's PGlite runs in its own worker thread (local/rds-data-worker.mjs), all opened at once.
    for (const definition of options.databases) {
      if (definition.dataDir) mkdirSync(definition.dataDir, { recursive: true });
      databases.push(new LocalDatabase(definition, limits, now, log));
    }
    const opened = await Promise.allSettled(databases.map((database) => database.open()));
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    for (const { definition, version } of databases) {
      const aurora = definition.engineVersion;
      if (aurora && aurora.split(".")[0] !== version.split(".")[0]) {
        log(`RelationalDatabase "${definition.name}": Aurora PostgreSQL ${aurora} in AWS, PostgreSQL ${version} locally (PGlite): SQL of a newer version than ${aurora.split(".")[0]} works only locally.`);
      }
    }
  } catch (error) {
    await Promise.all(databases.map((d) => d.close()));
    throw error;
  }
  const adminCredentials: SigV4Credentials = { accessKeyId: `LOCALADMIN${randomBytes(5).toString("hex").toUpperCase()}`, secretAccessKey: randomBytes(30).toString("base64") };
  const credentials = [...options.credentials, adminCredentials];
  const regions = new Set(options.databases.map((d) => d.region));
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const server = createServer((request, response) => {
    // The idle deadline is for a silent connection, not for a statement being answered: off while it runs.
    request.socket.setTimeout(0);
    response.once("finish", () => request.socket.setTimeout(idleTimeoutMs));
    answer(request, response, { databases, credentials, regions, authorise: options.authorise, admin: adminCredentials.accessKeyId }).catch((error) => {
      // Never reached (answer answers every failure), but a request must not crash the runtime.
      log(`local RDS Data API: ${thrownText(error)}`);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  // The server listens itself, so Node's own deadlines apply: the headers, the whole request, and idle keep-alive.
  server.headersTimeout = idleTimeoutMs;
  server.requestTimeout = idleTimeoutMs;
  server.keepAliveTimeout = Math.min(5000, idleTimeoutMs);
  server.setTimeout(idleTimeoutMs, (socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets: Object.fromEntries(options.databases.map((d) => [d.name, { resourceArn: d.clusterArn, secretArn: d.secretArn, database: d.databaseName }])),
    adminCredentials,
    limits,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(databases.map((d) => d.close()));
    },
  };
}

interface Context {
  databases: LocalDatabase[];
  credentials: readonly SigV4Credentials[];
  regions: ReadonlySet<string>;
  authorise?: Authorise;
  admin: string;
}

async function answer(request: IncomingMessage, response: ServerResponse, context: Context): Promise<void> {
  /** Answers `text`, the body's JSON (serialised once: a result's is measured against the 1 MiB limit first). */
  const reply = (status: number, text: string, errorType?: string) => {
    const headers: Record<string, string> = { "content-type": "application/json", "x-amzn-requestid": randomUUID() };
    if (errorType) headers["x-amzn-errortype"] = errorType;
    response.writeHead(status, headers);
    response.end(text);
  };
  // The caller went away (closed its connection) before its answer: a waiting call leaves the queue, and a
  // transaction begun for it is rolled back (no one holds its ID).
  const gone = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) gone.abort();
  });
  try {
    const body = await readBody(request, LARGEST_REQUEST_BYTES);
    if (body.length > LARGEST_REQUEST_BYTES) throw new DataApiError("BadRequestException", `The request is larger than the Data API's ${LARGEST_REQUEST_BYTES} bytes.`, 413);
    const verdict = await verifySignedHeaders(request, body, { service: "rds-data", credentials: context.credentials, servesRegion: (region) => context.regions.has(region) });
    if (!verdict.ok) {
      // The Data API's front end answers a refused signature as REST-JSON services do.
      const { code, message, status } = restJsonFailure(verdict.failure);
      throw new DataApiError(code, message, status);
    }
    const path = (request.url ?? "/").split("?")[0];
    const operation = request.method === "POST" ? OPERATIONS[path] : undefined;
    if (!operation) throw new DataApiError("UnknownOperationException", `${String(request.method).slice(0, 10)} ${path.slice(0, 100)} is not a Data API operation this endpoint serves (ExecuteSql isn't supported for Aurora PostgreSQL Serverless v2).`, 404);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString("utf8") || "{}");
    } catch {
      throw new DataApiError("SerializationException", "The request body is not JSON.");
    }
    if (input === null || typeof input !== "object" || Array.isArray(input)) throw new DataApiError("SerializationException", "The request body is not a JSON object.");
    const result = await perform(operation, input, verdict.signer.accessKeyId === context.admin ? undefined : verdict.signer.accessKeyId, context, gone.signal);
    const text = JSON.stringify(result);
    if (Buffer.byteLength(text) > LARGEST_RESPONSE_BYTES) throw new DataApiError("UnsupportedResultException", "Database response exceeded size limit: the Data API answers at most 1 MiB. Return fewer rows (LIMIT) or smaller values.");
    reply(200, text);
  } catch (error) {
    const failure = error instanceof DataApiError ? error : new DataApiError("InternalServerErrorException", thrownText(error), 500);
    reply(failure.status, JSON.stringify({ message: failure.message, ...(failure.code === "StatementTimeoutException" ? { dbConnectionId: 0 } : {}) }), failure.code);
  }
}

/** A required string member of the request (the API reference's length constraints), or a validation failure. */
function required(input: Record<string, unknown>, name: string, max: number, min = 0): string {
  const value = input[name];
  if (typeof value !== "string") throw new DataApiError("BadRequestException", `1 validation error detected: Value ${value === undefined ? "null" : "of the wrong type"} at '${name}' failed to satisfy constraint: Member must not be null and must be a string`);
  if (value.length < min || value.length > max) throw new DataApiError("BadRequestException", `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must have length between ${min} and ${max}`);
  return value;
}

function optionalString(input: Record<string, unknown>, name: string, max: number): string | undefined {
  return input[name] === undefined || input[name] === null ? undefined : required(input, name, max);
}

async function perform(operation: Operation, input: Record<string, unknown>, caller: string | undefined, context: Context, gone: AbortSignal): Promise<unknown> {
  // resourceArn and secretArn: the API reference says "Minimum length of 11. Maximum length of 100.", but the Data API
  // serves longer ARNs: an RDS-managed master user secret (`…:secret:rds!cluster-<uuid>-XXXXXX`) is 108 characters in
  // us-east-1 and a cluster of a 63-character identifier 106, and AWS answers calls naming them (a client enforcing 100
  // refused a 101-character cluster ARN AWS serves, soto-project/soto#471, which raised its limit to an ARN's 2048,
  // soto#473; @aws-sdk/client-rds-data checks no length). So only the minimum and an ARN's 2048 are kept.
  const resourceArn = required(input, "resourceArn", LONGEST_ARN, 11);
  const secretArn = required(input, "secretArn", LONGEST_ARN, 11);
  // IAM first, as AWS answers an unauthorised caller before saying whether the resource exists.
  const refuse = (action: string, resource: string) => {
    const refused = caller === undefined ? undefined : context.authorise?.(caller, action, resource);
    if (refused) throw new DataApiError("AccessDeniedException", `User: ${refused.caller} is not authorized to perform: ${action} on resource: ${resource} ${refused.reason}`, 403);
  };
  // Each operation is its own IAM action: rds-data:<Operation>.
  refuse(`rds-data:${operation}`, resourceArn);
  const database = context.databases.find((d) => d.definition.clusterArn === resourceArn);
  if (!database) throw new DataApiError("NotFoundException", `Cluster ${resourceArn} not found: this endpoint serves ${context.databases.map((d) => d.definition.clusterArn).join(", ")}.`, 404);
  // The Data API reads the secret with the caller's credentials.
  refuse("secretsmanager:GetSecretValue", secretArn);
  if (secretArn !== database.definition.secretArn) throw new DataApiError("NotFoundException", `Secret ${secretArn} not found: the cluster's secret is ${database.definition.secretArn}.`, 404);
  if (input.schema !== undefined && input.schema !== null) throw new DataApiError("BadRequestException", "The schema parameter isn't supported.");
  switch (operation) {
    case "CommitTransaction":
    case "RollbackTransaction": {
      // transactionId: "Length Constraints: Minimum length of 0. Maximum length of 192."
      const id = required(input, "transactionId", 192);
      return database.end(id, operation === "CommitTransaction");
    }
    case "BeginTransaction":
      database.checkDatabase(optionalString(input, "database", 64));
      return database.begin(gone);
    case "ExecuteStatement":
    case "BatchExecuteStatement": {
      database.checkDatabase(optionalString(input, "database", 64));
      const sql = required(input, "sql", LONGEST_SQL);
      const transactionId = optionalString(input, "transactionId", 192);
      const continueAfterTimeout = input.continueAfterTimeout === true;
      if (operation === "BatchExecuteStatement") {
        const sets = input.parameterSets ?? [];
        if (!Array.isArray(sets) || sets.some((set) => !Array.isArray(set))) throw new DataApiError("BadRequestException", "parameterSets must be a list of lists of parameters.");
        return database.batch(sql, sets as SqlParameter[][], transactionId, continueAfterTimeout, gone);
      }
      const parameters = input.parameters ?? [];
      if (!Array.isArray(parameters)) throw new DataApiError("BadRequestException", "parameters must be a list.");
      const format = input.formatRecordsAs;
      if (format !== undefined && format !== null && format !== "NONE" && format !== "JSON") throw new DataApiError("BadRequestException", "formatRecordsAs must be NONE or JSON.");
      return database.execute(sql, parameters as SqlParameter[], {
        transactionId,
        continueAfterTimeout,
        includeResultMetadata: input.includeResultMetadata === true,
        json: format === "JSON",
        resultSetOptions: resultSetOptions(input.resultSetOptions),
        gone,
      });
    }
  }
}

function resultSetOptions(value: unknown): ResultSetOptions {
  if (value === undefined || value === null) return {};
  const options = value as Record<string, unknown>;
  if (typeof value !== "object" || (options.decimalReturnType !== undefined && !["STRING", "DOUBLE_OR_LONG"].includes(options.decimalReturnType as string)) || (options.longReturnType !== undefined && !["LONG", "STRING"].includes(options.longReturnType as string))) {
    throw new DataApiError("BadRequestException", "resultSetOptions: decimalReturnType is STRING or DOUBLE_OR_LONG, longReturnType LONG or STRING.");
  }
  return options as ResultSetOptions;
}

interface ExecuteOptions {
  transactionId?: string;
  continueAfterTimeout: boolean;
  includeResultMetadata: boolean;
  json: boolean;
  resultSetOptions: ResultSetOptions;
  /** Aborted when the caller closed its connection before its answer. */
  gone: AbortSignal;
}

interface Transaction {
  id: string;
  started: number;
  lastUsed: number;
  /** A call of the transaction is running. */
  busy: boolean;
  timer?: NodeJS.Timeout;
}

/** A PostgreSQL error as PGlite throws it. */
interface PgError {
  message: string;
  code?: string;
  position?: string;
  severity?: string;
}

const isPgError = (error: unknown): error is PgError => typeof error === "object" && error !== null && typeof (error as PgError).code === "string" && typeof (error as PgError).severity === "string";

/** A statement's PostgreSQL error as the Data API answers it; a cancelled statement (57014) as StatementTimeoutException. */
function databaseError(error: unknown): DataApiError {
  if (!isPgError(error)) return error instanceof DataApiError ? error : new DataApiError("InternalServerErrorException", thrownText(error), 500);
  if (error.code === "57014") return new DataApiError("StatementTimeoutException", `${error.message}`);
  const position = error.position ? `\n  Position: ${error.position}` : "";
  return new DataApiError("DatabaseErrorException", `${error.severity ?? "ERROR"}: ${error.message}${position}; SQLState: ${error.code}`);
}

/** One database: its PGlite, the one statement or transaction that holds it, and the calls waiting their turn. */
class LocalDatabase {
  private held = false;
  private readonly waiters: Array<{ grant(): void; fail(error: Error): void }> = [];
  /** The transaction that holds the database, if any. */
  private holder?: Transaction;
  private readonly transactions = new Map<string, Transaction>();
  private readonly typeNames = new Map<number, string>();
  private closed = false;
  /** The database's worker, once `open` has started it. */
  private worker?: DatabaseWorker;
  /** The local PostgreSQL's version (`SHOW server_version`), once open. */
  version = "";

  constructor(
    readonly definition: LocalDatabaseDefinition,
    private readonly limits: DataApiLimits,
    private readonly now: () => number,
    private readonly log: (message: string) => void,
  ) {}

  /** Opens the database's worker (its PGlite in the data directory). */
  async open(): Promise<void> {
    this.worker = new DatabaseWorker(this.definition, this.limits, (why) => this.lost(why));
    this.version = await this.worker.ready;
  }

  /** The open database's worker (statements are taken only after `open`). */
  private get db(): DatabaseWorker {
    if (!this.worker) throw new Error(`RelationalDatabase "${this.definition.name}": a statement before its database opened`);
    return this.worker;
  }

  /**
   * The worker was ended (a statement ran past the statement timeout, or past its memory) and reopened on the data
   * directory: what was committed is there, the open transaction is gone (rolled back, as PostgreSQL recovers it), and
   * the database is free. An in-memory database starts empty again.
   */
  private lost(why: string): void {
    for (const tx of [...this.transactions.values()]) {
      this.transactions.delete(tx.id);
      clearTimeout(tx.timer);
      this.log(`local RDS Data API: ${this.definition.name}: transaction ${tx.id.slice(0, 12)}… rolled back (${why})`);
      if (this.holder === tx) {
        this.holder = undefined;
        this.release();
      }
    }
    this.typeNames.clear();
  }

  /** The database a call names: the cluster's, or with none PostgreSQL's default, the user's own name. */
  checkDatabase(name: string | undefined): void {
    const named = name === undefined || name === "" ? this.definition.masterUsername : name;
    if (named !== this.definition.databaseName) throw new DataApiError("DatabaseErrorException", `ERROR: database "${named}" does not exist; SQLState: 3D000`);
  }

  /**
   * Waits until the database is free (the transaction that holds it ends, or is rolled back as idle), at most the
   * statement timeout; with continueAfterTimeout the turn is still taken later and `late` runs in it. A call whose
   * caller went away (`gone`) leaves the queue, unless it asked to continue after a timeout; a call over the queue's
   * bound (limits.maxWaiting) is refused.
   */
  private acquire(continueAfterTimeout: boolean, gone: AbortSignal, late?: () => Promise<unknown>): Promise<void> {
    this.expireHolder();
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    if (this.waiters.length >= this.limits.maxWaiting) {
      return Promise.reject(new DataApiError("ServiceUnavailableError", `${this.waiters.length} calls already wait for this database (the local one runs one transaction or statement at a time): try again later.`, 503));
    }
    if (this.holder) this.log(`local RDS Data API: ${this.definition.name}: a call waits for transaction ${this.holder.id.slice(0, 12)}… to end (a PGlite serves one connection; Aurora would run it alongside)`);
    return new Promise<void>((resolve, reject) => {
      let timedOut = false;
      const leave = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
      };
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          if (!timedOut) return resolve();
          // Timed out with continueAfterTimeout: the statement runs in its turn, its answer long given.
          void (late ?? (() => Promise.resolve()))()
            .catch((error) => this.log(`local RDS Data API: ${this.definition.name}: a statement that continued after its timeout failed: ${thrownText(error)}`))
            .finally(() => this.release());
        },
        fail: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const left = () => {
        if (continueAfterTimeout || this.waiters.indexOf(waiter) < 0) return;
        clearTimeout(timer);
        leave();
        this.log(`local RDS Data API: ${this.definition.name}: a waiting call left the queue: its caller closed the connection`);
        reject(new DataApiError("BadRequestException", "The caller closed the connection.", 400));
      };
      gone.addEventListener("abort", left, { once: true });
      const timer = setTimeout(() => {
        timedOut = true;
        if (!continueAfterTimeout) leave();
        reject(new DataApiError("StatementTimeoutException", `Request timed out: the statement waited ${this.limits.statementTimeoutMs / 1000} s for transaction ${this.holder?.id.slice(0, 12) ?? ""}… to end (the local database runs one transaction at a time).`));
      }, this.limits.statementTimeoutMs);
      this.waiters.push(waiter);
      if (gone.aborted) left();
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next && !this.closed) next.grant();
    else this.held = false;
  }

  /** Runs `work` in its turn (a call without a transaction), then frees the database. */
  private async inTurn<T>(continueAfterTimeout: boolean, gone: AbortSignal, work: () => Promise<T>): Promise<T> {
    await this.acquire(continueAfterTimeout, gone, work);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Rolls back the holding transaction when it went unused past the idle limit or is older than the limit. */
  private expireHolder(): void {
    const tx = this.holder;
    if (tx && !tx.busy && this.expired(tx)) void this.abandon(tx, "expired");
  }

  private expired(tx: Transaction): boolean {
    const at = this.now();
    return at - tx.lastUsed >= this.limits.transactionIdleMs || at - tx.started >= this.limits.transactionMaxMs;
  }

  /** Ends a transaction the client no longer can: rolled back, forgotten, its database freed. */
  private async abandon(tx: Transaction, why: string): Promise<void> {
    if (this.transactions.get(tx.id) !== tx) return;
    this.transactions.delete(tx.id);
    clearTimeout(tx.timer);
    await this.quietly("ROLLBACK");
    if (this.holder === tx) this.holder = undefined;
    this.log(`local RDS Data API: ${this.definition.name}: transaction ${tx.id.slice(0, 12)}… rolled back (${why})`);
    this.release();
  }

  /**
   * Re-arms the idle deadline of a transaction after each use (`lastUsed` now), so an abandoned one frees its
   * database; when the deadline finds the clock says not yet (tests move it), it looks again from the same `lastUsed`.
   */
  private touch(tx: Transaction, lastUsed = this.now()): void {
    tx.lastUsed = lastUsed;
    clearTimeout(tx.timer);
    const remaining = Math.min(this.limits.transactionIdleMs, tx.started + this.limits.transactionMaxMs - tx.lastUsed);
    tx.timer = setTimeout(() => {
      if (!tx.busy && this.expired(tx)) void this.abandon(tx, "no call used it for 3 minutes, or it ran 24 hours");
      else if (!tx.busy) this.touch(tx, tx.lastUsed);
    }, Math.max(remaining, 0));
    tx.timer.unref?.();
  }

  /** A transaction by ID, for a call in it: unknown, ended or expired is TransactionNotFoundException; a running call of it refuses this one. */
  private transaction(id: string): Transaction {
    const tx = this.transactions.get(id);
    if (tx && !tx.busy && this.expired(tx)) void this.abandon(tx, "expired");
    if (!tx || !this.transactions.has(id)) {
      throw new DataApiError("TransactionNotFoundException", `Transaction ${id.slice(0, 192)} isn't found: it may have expired (each call of a transaction must come within 3 minutes of the previous one), ended with CommitTransaction or RollbackTransaction, or been aborted by an error of a previous call.`, 404);
    }
    if (tx.busy) throw new DataApiError("DatabaseErrorException", "Transaction is still running a query");
    return tx;
  }

  async begin(gone: AbortSignal): Promise<{ transactionId: string }> {
    await this.acquire(false, gone);
    try {
      await this.db.query("BEGIN", [], {}, this.limits.statementTimeoutMs);
    } catch (error) {
      this.release();
      throw databaseError(error);
    }
    const started = this.now();
    const tx: Transaction = { id: randomBytes(48).toString("base64"), started, lastUsed: started, busy: false };
    this.transactions.set(tx.id, tx);
    this.holder = tx;
    this.touch(tx);
    // Its answer cannot be delivered: no one can use or end it, so it would hold the database for 3 minutes.
    if (gone.aborted) {
      await this.abandon(tx, "its caller closed the connection before receiving its ID");
      throw new DataApiError("BadRequestException", "The caller closed the connection.", 400);
    }
    return { transactionId: tx.id };
  }

  async end(id: string, commit: boolean): Promise<{ transactionStatus: string }> {
    const tx = this.transaction(id);
    tx.busy = true;
    this.transactions.delete(id);
    clearTimeout(tx.timer);
    try {
      await this.db.query(commit ? "COMMIT" : "ROLLBACK", [], {}, this.limits.statementTimeoutMs);
    } catch (error) {
      await this.quietly("ROLLBACK");
      throw databaseError(error);
    } finally {
      this.holder = undefined;
      this.release();
    }
    return { transactionStatus: commit ? "Transaction Committed" : "Rollback Complete" };
  }

  /**
   * Runs `work` in a transaction's turn (the transaction holds the database) or in a call's own (autocommit: PGlite
   * runs the statement in its own implicit transaction, committed as it ends or rolled back when it fails, and the
   * worker commits a transaction the SQL itself opened with BEGIN, `settle`, so the next call starts clean). A failure
   * in a transaction ends it, as the Data API ends it.
   */
  private async run<T>(transactionId: string | undefined, continueAfterTimeout: boolean, gone: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (transactionId === undefined) {
      return this.inTurn(continueAfterTimeout, gone, async () => {
        try {
          return await work();
        } catch (error) {
          throw databaseError(error);
        }
      });
    }
    const tx = this.transaction(transactionId);
    tx.busy = true;
    try {
      return await work();
    } catch (error) {
      // A statement that failed in the database aborts the transaction; a request refused before it ran does not.
      if (isPgError(error) || (error instanceof DataApiError && error.code === "DatabaseErrorException")) {
        tx.busy = false;
        await this.abandon(tx, "a statement in it failed");
      }
      throw databaseError(error);
    } finally {
      if (this.transactions.has(tx.id)) {
        tx.busy = false;
        this.touch(tx);
      }
    }
  }

  /** A statement whose only outcome that matters is that it ran (COMMIT/ROLLBACK with maybe nothing to end). */
  private async quietly(sql: string): Promise<void> {
    if (this.closed) return;
    try {
      await this.db.query(sql, [], {}, this.limits.statementTimeoutMs);
    } catch (error) {
      this.log(`local RDS Data API: ${this.definition.name}: ${sql}: ${thrownText(error)}`);
    }
  }

  /** A call's statement; `settle`: it is the whole of an autocommit call (the worker ends a transaction it opened). */
  private async query(sql: string, parameters: readonly SqlParameter[], continueAfterTimeout: boolean, settle = false) {
    const bound = bindParameters(sql, parameters);
    // A statement past the statement timeout is ended with its worker, unless the call asked it to continue.
    return this.db.query(bound.text, bound.values, { rowMode: "array", text: true, paramTypes: bound.types, settle }, continueAfterTimeout ? undefined : this.limits.statementTimeoutMs);
  }

  /** Names of result types the mapping does not know (enums, domains, extensions'), for columnMetadata's typeName. */
  private async learnTypeNames(oids: number[]): Promise<void> {
    const unknown = [...new Set(oids)].filter((oid) => !this.typeNames.has(oid) && pgType(oid).name === "unknown");
    if (unknown.length === 0) return;
    const { rows } = await this.db.query(`SELECT oid::int AS oid, typname FROM pg_type WHERE oid IN (${unknown.join(",")})`, [], {}, this.limits.statementTimeoutMs);
    for (const row of rows as unknown as Array<{ oid: number; typname: string }>) this.typeNames.set(row.oid, row.typname);
  }

  execute(sql: string, parameters: readonly SqlParameter[], options: ExecuteOptions): Promise<unknown> {
    return this.run(options.transactionId, options.continueAfterTimeout, options.gone, async () => {
      const result = await this.query(sql, parameters, options.continueAfterTimeout, options.transactionId === undefined);
      // Rows a DML statement changed (RETURNING or not); 0 for a query or DDL.
      const updated = ["INSERT", "UPDATE", "DELETE", "MERGE"].includes(result.command ?? "") ? (result.rowCount ?? result.affectedRows ?? 0) : 0;
      const answer: Record<string, unknown> = { numberOfRecordsUpdated: updated, generatedFields: [] };
      if (result.fields.length === 0) return answer;
      if (options.includeResultMetadata) await this.learnTypeNames(result.fields.map((f) => f.dataTypeID));
      const types = result.fields.map((f) => pgType(f.dataTypeID, this.typeNames));
      const records = (result.rows as Array<Array<string | null>>).map((row) => row.map((value, i) => toField(value, types[i], options.resultSetOptions)));
      if (options.json) {
        answer.formattedRecords = JSON.stringify(records.map((record) => Object.fromEntries(record.map((field, i) => [result.fields[i].name, jsonValue(field)]))));
      } else {
        answer.records = records;
      }
      if (options.includeResultMetadata) answer.columnMetadata = result.fields.map((f, i) => columnMetadata(f, types[i]));
      return answer;
    });
  }

  /** The statement once per parameter set, all or nothing (one transaction, the call's own or the one named). */
  batch(sql: string, sets: SqlParameter[][], transactionId: string | undefined, continueAfterTimeout: boolean, gone: AbortSignal): Promise<unknown> {
    return this.run(transactionId, continueAfterTimeout, gone, async () => {
      const own = transactionId === undefined;
      if (own) await this.db.query("BEGIN", [], {}, this.limits.statementTimeoutMs);
      try {
        for (const [index, set] of sets.entries()) {
          try {
            await this.query(sql, set, continueAfterTimeout);
          } catch (error) {
            if (!isPgError(error)) throw error;
            const failure = databaseError(error);
            throw new DataApiError(failure.code, `Batch entry ${index} was aborted: ${failure.message}`);
          }
        }
      } catch (error) {
        // Nothing of the batch stays: its own transaction is rolled back (a named one is ended by run).
        if (own) await this.quietly("ROLLBACK");
        throw error;
      }
      // The batch's own transaction commits here: deferred constraints are checked at COMMIT, and a COMMIT that fails
      // fails the call (DatabaseErrorException), as Aurora answers it; nothing of the batch stays.
      if (own) await this.db.query("COMMIT", [], {}, this.limits.statementTimeoutMs);
      return { updateResults: sets.map(() => ({ generatedFields: [] })) };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.fail(new DataApiError("ServiceUnavailableError", "The local RDS Data API is stopping.", 503));
    for (const tx of this.transactions.values()) clearTimeout(tx.timer);
    this.transactions.clear();
    // A start that failed before this database's turn to open (its folder could not be made) has no worker to close.
    if (!this.worker) return;
    try {
      await this.worker.close();
    } catch (error) {
      this.log(`local RDS Data API: ${this.definition.name}: closing: ${thrownText(error)}`);
    }
  }
}

/** A statement's result as the worker sends it. */
interface WorkerResult {
  rows: unknown[];
  fields: Array<{ name: string; dataTypeID: number }>;
  command?: string;
  rowCount?: number;
  affectedRows?: number;
}

/** What the worker tried when it could not make a new cluster (local/rds-data-worker.mjs, NewClusterError). */
interface NewClusterFacts {
  /** Made from the templates (else by PGlite's initdb: the template cache is off). */
  templates: boolean;
  /** The templates made anew after a cached one did not load. */
  remade: string[];
  /** The last error, when it differs from the first (the one reported). */
  last?: string;
}

interface WorkerReply {
  id?: number;
  ok?: boolean;
  ready?: boolean;
  version?: string;
  result?: WorkerResult;
  error?: PgError & { tooLarge?: boolean };
  /** With `ready: false`: the open failed making a new cluster. */
  newCluster?: NewClusterFacts;
}

/**
 * What a refusal to open a database suggests. A folder that holds a database (PG_VERSION) but does not open: deleting
 * it begins the database anew. A new one that could not be made: its folder held no database and was emptied before
 * each try, and a cached template that did not load was made anew and tried again (local/rds-data-worker.mjs,
 * newCluster), so neither deleting the folder nor the templates helps: what is left is the folder's disk (no room, not
 * writable) and the PGlite installation. The templates are named, as what was loaded.
 */
function openFix(dataDir: string | undefined, templates: { initdb: string; cluster: string } | undefined, made: NewClusterFacts | undefined): string {
  if (!made) return dataDir ? ` Delete ${dataDir} (the database's own directory) to begin this database empty; --fresh empties the whole state directory.` : "";
  const check = `${dataDir ? `${dataDir} held no database and is emptied before each try, so deleting it does not help: check that it is writable and that its disk has room, and ` : "Check "}that @electric-sql/pglite is installed whole (npm ci).`;
  if (!made.templates || !templates) return ` A new database is made by PGlite's initdb (the template cache is off). ${check}`;
  const files = `${basename(templates.cluster)}, made from ${basename(templates.initdb)}, in ${dirname(templates.cluster)}`;
  if (made.remade.length === 0) return ` A new database is loaded from PGlite's templates (${files}), none of them cached: they failed as they were made for it, or loaded. ${check}`;
  const last = made.last ? ` (${made.last})` : "";
  return ` A new database is loaded from PGlite's templates (${files}): made anew (${made.remade.map((file) => basename(file)).join(", ")}) after the cached one failed, they failed too${last}, so making them again does not help. ${check}`;
}

/**
 * A database's PGlite in a worker thread (local/rds-data-worker.mjs), one statement at a time: the main thread (every
 * other emulator) stays responsive while it runs. A statement that outlasts its timeout, or the worker's heap, ends the
 * worker; the statement's caller is answered (StatementTimeoutException, or DatabaseErrorException "out of memory"),
 * and the worker reopens on the data directory, losing only the open transaction (`lost`).
 */
class DatabaseWorker {
  private worker!: Worker;
  /** The PostgreSQL version once the worker is open; rejects when PGlite cannot open the directory. */
  ready!: Promise<string>;
  private readonly pending = new Map<number, { resolve(result: WorkerResult): void; reject(error: unknown): void; timer?: NodeJS.Timeout }>();
  private nextId = 0;
  private closing = false;
  /** The current worker opened its database. */
  private opened = false;
  /** The cluster templates a new database starts from (the same for each reopen). */
  private readonly templates: { initdb: string; cluster: string } | undefined;

  constructor(
    private readonly definition: LocalDatabaseDefinition,
    private readonly limits: DataApiLimits,
    private readonly lost: (why: string) => void,
  ) {
    this.templates = pgliteTemplateFiles(definition.masterUsername, definition.databaseName);
    this.start();
  }

  private start(): void {
    const { name, dataDir } = this.definition;
    const templates = this.templates;
    const worker = new Worker(workerModuleUrl(__dirname, "rds-data-worker.mjs"), {
      workerData: { dataDir, largestResultBytes: LARGEST_RESPONSE_BYTES, extensions: EXTENSIONS, username: this.definition.masterUsername, database: this.definition.databaseName, templates, pgliteModule: compiledPglite() },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.workerHeapMb },
    });
    this.worker = worker;
    this.ready = new Promise<string>((resolve, reject) => {
      const first = (message: WorkerReply) => {
        if (message.ready === undefined) return;
        worker.off("message", first);
        if (message.ready) {
          this.opened = true;
          resolve(message.version ?? "");
        }
        else {
          void worker.terminate();
          reject(new Error(`RelationalDatabase "${name}": PGlite could not open ${dataDir ?? "an in-memory database"} (${message.error?.message}).${openFix(dataDir, templates, message.newCluster)}`));
        }
      };
      worker.on("message", first);
      // A worker's uncaught throw arrives as it was thrown: not always an Error.
      worker.once("error", (error: unknown) => reject(new Error(`RelationalDatabase "${name}": its PGlite worker failed: ${thrownText(error)}`)));
      // A worker that ends without an error (process.exit in PGlite, a crash of its WebAssembly) before it opened.
      worker.once("exit", (code) => reject(new Error(`RelationalDatabase "${name}": its PGlite worker stopped (exit code ${code}) before it opened ${dataDir ?? "its database"}.`)));
    });
    // A failed open is reported by whoever awaits `ready`, not as an unhandled rejection.
    this.ready.catch(() => {});
    worker.on("message", (message: WorkerReply) => {
      if (message.id === undefined) return;
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.ok) call.resolve(message.result!);
      else if (message.error?.tooLarge) call.reject(new DataApiError("UnsupportedResultException", `Database response exceeded size limit: the Data API answers at most 1 MiB (${message.error.message}). Return fewer rows (LIMIT) or smaller values.`));
      else {
        const error: unknown = message.error;
        call.reject(isPgError(error) ? error : new Error((error as { message?: string } | undefined)?.message));
      }
    });
    worker.on("exit", (code) => {
      // An open worker that ends on its own (not terminated by restart or close, which replace or retire it first):
      // the calls it held are answered and the database reopens, as after an error.
      if (worker !== this.worker || this.closing || !this.opened) return;
      this.restart(new DataApiError("InternalServerErrorException", `The local database's worker stopped (exit code ${code}).`, 500), "the database's worker stopped and reopened");
    });
    worker.on("error", (error: { code?: string } | undefined) => {
      // Before it opened, `ready` reports the failure: reopening would only fail again.
      if (worker !== this.worker || this.closing || !this.opened) return;
      const outOfMemory = error?.code === "ERR_WORKER_OUT_OF_MEMORY";
      // PostgreSQL's own answer to a statement that runs out of memory: out_of_memory, SQLState 53200.
      this.restart(
        outOfMemory ? new DataApiError("DatabaseErrorException", `ERROR: out of memory (the local database's worker needed more than its ${this.limits.workerHeapMb} MB heap; return fewer rows or smaller values); SQLState: 53200`) : new DataApiError("InternalServerErrorException", `The local database's worker failed: ${thrownText(error)}`, 500),
        outOfMemory ? "its statement ran out of memory and the database reopened" : "the database's worker failed and reopened",
      );
    });
  }

  /** Ends the worker, answers every pending statement with `failure`, and reopens the data directory. */
  private restart(failure: Error, why: string): void {
    const old = this.worker;
    for (const [id, call] of this.pending) {
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(failure);
    }
    void old.terminate();
    this.opened = false;
    this.start();
    this.lost(why);
  }

  /** Runs one statement; past `timeoutMs` (undefined: none) the worker is ended and the call answered StatementTimeoutException. */
  async query(sql: string, params: unknown[], options: { rowMode?: "array"; text?: boolean; paramTypes?: number[]; settle?: boolean }, timeoutMs: number | undefined): Promise<WorkerResult> {
    await this.ready;
    const id = this.nextId++;
    return new Promise<WorkerResult>((resolve, reject) => {
      const call: { resolve(result: WorkerResult): void; reject(error: unknown): void; timer?: NodeJS.Timeout } = { resolve, reject };
      if (timeoutMs !== undefined) {
        call.timer = setTimeout(() => {
          this.restart(new DataApiError("StatementTimeoutException", `Request timed out: the statement ran longer than the Data API's ${timeoutMs / 1000} s and was cancelled (pass continueAfterTimeout to let it finish).`), "a statement in it ran past the statement timeout and the database reopened");
        }, timeoutMs);
      }
      this.pending.set(id, call);
      this.worker.postMessage({ id, op: "query", sql, params, options });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      if (!(await this.ready.then(() => true, () => false))) return;
      const id = this.nextId++;
      await new Promise<unknown>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ id, op: "close" });
      });
    } finally {
      await this.worker.terminate();
    }
  }
}
