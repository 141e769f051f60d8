/**
 * The schema-migrations tests' database: the local RDS Data API emulator (local/rds-data-server.ts, what `npm start`
 * serves) with one in-memory PGlite database, reached through a real RDSDataClient (@aws-sdk/client-rds-data: REST-JSON,
 * SigV4), so migrations' SQL, transactions and the advisory lock run in a real PostgreSQL through the real protocol.
 * One emulator per test file (PGlite starts in about a second), its database emptied before each test.
 *
 * Calls are recorded, and a paused cluster's DatabaseResumingException injected, by the client's own middleware
 * stack (step "initialize", before the SDK's retries and the request), never by a second, fake, server.
 */
import { createHash } from "node:crypto";
import { DatabaseResumingException, ExecuteStatementCommand, RDSDataClient, type Field } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { DataApiTarget, Migration } from "../../components/relational-database/contract";
import { startLocalDataApi, type LocalDataApi } from "../../local/rds-data-server";

export const TEST_TARGET: DataApiTarget = {
  resourceArn: "arn:aws:rds:eu-west-1:123456789012:cluster:gallery",
  secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gallery-AbCdEf",
  database: "gallery",
};
const REGION = "eu-west-1";

/** What the emulator accepts: what the provider's client signs with when its inputs name an endpoint (localCredentials). */
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** A migration as readMigrations makes it from a file of `name` holding `sql`. */
export const migration = (name: string, sql: string): Migration => ({ name, sql, sha256: createHash("sha256").update(sql).digest("hex") });

/** One Data API call as the client sent it (and, for BeginTransaction, the transaction it began). */
export interface SentCall {
  /** The SDK's command name, e.g. "ExecuteStatementCommand". */
  command: string;
  sql?: string;
  transactionId?: string;
  /** BeginTransaction's answer. */
  began?: string;
}

/** What a middleware of `clientFor` may do around a call: record it, refuse it, hold it. */
export type CallHook = (call: SentCall) => Promise<void> | void;

export interface TestDataApi {
  /** The emulator's endpoint. */
  readonly endpoint: string;
  /** The calls `client` sent since the test began. */
  readonly calls: SentCall[];
  /** Calls of `client` still to refuse with DatabaseResumingException (a paused cluster resuming). */
  resumingFor: number;
  /** What the emulator logged since the test began. */
  readonly log: string[];
  /** Resolves once the emulator logs a line (from now on) that `matches`. */
  logged(matches: (line: string) => boolean): Promise<string>;
  /** The file's client (recording into `calls`, refusing while `resumingFor`). */
  readonly client: RDSDataClient;
  /** Another client of the emulator; `before` runs before each of its calls is sent, `after` once it is answered. */
  clientFor(hooks: { before?: CallHook; after?: CallHook }): RDSDataClient;
  /** Runs `sql` outside any transaction (not recorded), answering its rows as plain values. */
  query(sql: string): Promise<unknown[][]>;
  /** The tables of schema public, by name. */
  tables(): Promise<unknown[]>;
  /** Empties the database and forgets the calls. */
  reset(): Promise<void>;
}

/** The file's emulator: started before its tests, stopped after them, emptied before each test. */
export function useLocalDataApi(): TestDataApi {
  let dataApi: LocalDataApi | undefined;
  const clients: RDSDataClient[] = [];
  const calls: SentCall[] = [];
  const log: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let admin: RDSDataClient | undefined;
  let recording: RDSDataClient | undefined;

  const newClient = (hooks: { before?: CallHook; after?: CallHook }) => {
    const client = new RDSDataClient({ region: REGION, endpoint: dataApi!.endpoint, credentials: CREDENTIALS });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { sql?: unknown; transactionId?: unknown };
        const call: SentCall = {
          command: context.commandName ?? "",
          ...(typeof input.sql === "string" ? { sql: input.sql } : {}),
          ...(typeof input.transactionId === "string" ? { transactionId: input.transactionId } : {}),
        };
        await hooks.before?.(call);
        const result = await next(args);
        const began = (result.output as { transactionId?: unknown }).transactionId;
        if (typeof began === "string") call.began = began;
        await hooks.after?.(call);
        return result;
      },
      { step: "initialize", name: "migrationsTestHooks" },
    );
    clients.push(client);
    return client;
  };

  const api: TestDataApi = {
    get endpoint() {
      return dataApi!.endpoint;
    },
    calls,
    resumingFor: 0,
    log,
    logged(matches) {
      return new Promise((resolve) => {
        const listener = (line: string) => {
          if (!matches(line)) return;
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
      });
    },
    get client() {
      return recording!;
    },
    clientFor: newClient,
    async query(sql) {
      const out = await admin!.send(new ExecuteStatementCommand({ ...TEST_TARGET, sql }));
      return (out.records ?? []).map((row) => row.map(value));
    },
    async tables() {
      return (await api.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).map(([t]) => t);
    },
    async reset() {
      await api.query("DROP SCHEMA public CASCADE");
      await api.query("CREATE SCHEMA public");
      calls.length = 0;
      log.length = 0;
      listeners.clear();
      api.resumingFor = 0;
    },
  };

  beforeAll(async () => {
    // In memory (no dataDir): nothing outlives the file.
    dataApi = await startLocalDataApi({
      databases: [{ name: "gallery", clusterArn: TEST_TARGET.resourceArn, secretArn: TEST_TARGET.secretArn, databaseName: TEST_TARGET.database, masterUsername: "gallery_admin", region: REGION }],
      credentials: [CREDENTIALS],
      log: (line) => {
        log.push(line);
        for (const listener of [...listeners]) listener(line);
      },
    });
    admin = newClient({});
    recording = newClient({
      before(call) {
        calls.push(call);
        if (api.resumingFor > 0) {
          api.resumingFor--;
          // What the Data API answers while a paused Aurora Serverless v2 instance resumes.
          throw new DatabaseResumingException({ message: "Database is resuming. Please try again.", $metadata: { httpStatusCode: 400 } });
        }
      },
    });
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await dataApi?.stop();
  });
  beforeEach(async () => {
    await api.reset();
  });
  return api;
}

/** A Field's plain value. */
function value(field: Field): unknown {
  if (field.isNull) return null;
  return field.stringValue ?? field.longValue ?? field.doubleValue ?? field.booleanValue ?? field.blobValue ?? field.arrayValue;
}
