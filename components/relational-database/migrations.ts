/**
 * Schema migrations: a folder of `.sql` files (readMigrations, at plan time) applied in name order through the RDS
 * Data API (applyMigrations, by the SchemaMigrations dynamic resource from the deployer's machine, and by the local
 * runtime against its emulator). Each applied migration is a row of `schema_migrations` with its file's SHA-256, so
 * a file changed or removed after it was applied is refused instead of silently diverging from the database.
 *
 * applyMigrations is bundled into the dynamic provider: it imports only npm packages and pure neighbours. It loads the
 * Data API's SDK on first use, so a program that only declares resources never loads an AWS SDK client
 * (tests/offline-register.test.ts).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ExecuteStatementCommandOutput, Field, RDSDataClient, SqlParameter } from "@aws-sdk/client-rds-data";
import type { ArgFailure } from "../errors";
import type { DataApiTarget, Migration } from "./contract";
import { splitSqlStatements, SqlSplitError, type SqlStatement } from "./sql-statements";

/**
 * A migration's file name: a number, `_`, a description of letters, digits, `_` or `-`, and `.sql`:
 * `0001_create_albums.sql`, `20261205_add_photo_index.sql`. Every number in a folder has as many digits, so name
 * order (what the contract and schema_migrations go by) is number order.
 */
export const MIGRATION_NAME = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;

/** Files a migrations folder may hold besides migrations: notes, and editor and VCS droppings (dotfiles). */
const IGNORED_FILE = /^(\..*|readme(\.[a-z]+)?|.*\.md)$/i;

/**
 * Largest statement sent: the Data API refuses a request over 4 MiB, headers and JSON included
 * (https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_BatchExecuteStatement.html, "the maximum size
 * of the HTTP request submitted through the Data API is 4 MiB"); 3 MiB leaves room for the JSON escaping.
 */
export const MAX_STATEMENT_BYTES = 3 * 1024 * 1024;

/**
 * Statements a migration may not hold, with why: each migration runs in one transaction that applyMigrations opens
 * and commits, and PostgreSQL refuses these inside a transaction block ("cannot run inside a transaction block":
 * https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY, sql-vacuum.html,
 * sql-createdatabase.html, sql-altersystem.html, sql-discard.html, sql-cluster.html for CLUSTER without a table,
 * sql-reindex.html for REINDEX SYSTEM and DATABASE) or they would end ours.
 */
const REFUSED_STATEMENTS: Array<{ pattern: RegExp; problem: string; fix: string }> = [
  {
    pattern: /^(begin|start\s+transaction|commit|end|abort|rollback(?!\s+(work\s+|transaction\s+)?to\b)|prepare\s+transaction|commit\s+prepared|rollback\s+prepared)\b/i,
    problem: "controls the transaction, but each migration already runs in one transaction, committed when the whole file succeeded",
    fix: "Remove the statement; to apply part of the file on its own, move that part to its own migration file.",
  },
  {
    pattern:
      /^(create\s+(unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|reindex\b.*\bconcurrently|reindex\s+(\([^)]*\)\s*)?(system|database)\b|vacuum|create\s+database|drop\s+database|create\s+tablespace|drop\s+tablespace|alter\s+system|discard\s+all\b|cluster(\s*\([^)]*\))?(\s+verbose)?\s*$)/is,
    problem: "cannot run inside a transaction block, and each migration runs in one transaction",
    fix: "Use the plain form (e.g. CREATE INDEX without CONCURRENTLY), or run it outside migrations.",
  },
];

/**
 * Reads the migrations of `directory` (the value of argument `argument`, relative to the working directory):
 * its `*.sql` files in name order, each with the SHA-256 of its bytes. Refuses, naming the argument, value and fix:
 * a missing folder, a file or folder that is neither a migration nor a note, a name outside MIGRATION_NAME, numbers
 * of different widths, two files of one number, an empty file, a file that cannot be split into statements, and
 * statements a migration's transaction cannot hold.
 */
export function readMigrations(fail: ArgFailure, argument: string, directory: string): Migration[] {
  const root = resolve(directory);
  const stat = statSync(root, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    fail(argument, directory, stat ? "is not a folder" : "does not exist", `Point it at the folder of .sql migration files (e.g. "migrations"), relative to ${process.cwd()}.`);
  }
  const entries = readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const migrations: Migration[] = [];
  const byNumber = new Map<string, string>();
  let width: { digits: number; name: string } | undefined;
  for (const entry of entries) {
    const at = `${argument} (${entry.name})`;
    if (IGNORED_FILE.test(entry.name) && !entry.name.toLowerCase().endsWith(".sql")) continue;
    if (!entry.isFile()) {
      fail(at, join(directory, entry.name), "is not a migration file: migrations are the folder's own .sql files, and subfolders are not read", "Move it out of the migrations folder, or its .sql files up into it.");
    }
    const name = MIGRATION_NAME.exec(entry.name);
    if (!name) {
      const fix = entry.name.toLowerCase().endsWith(".sql")
        ? 'Name it <number>_<description>.sql, e.g. "0001_create_albums.sql" (letters, digits, _ and - after the number).'
        : "Only .sql migrations (and notes such as README.md) belong in the migrations folder: move it elsewhere.";
      fail(at, entry.name, "is not a migration file name", fix);
    }
    const [, number] = name;
    if (width && number.length !== width.digits) {
      fail(at, entry.name, `has a ${number.length}-digit number but ${width.name} has ${width.digits} digits, so name order (the order migrations apply in) would not be number order`, `Give every migration's number ${Math.max(width.digits, number.length)} digits, padded with zeros (e.g. "${number.padStart(Math.max(width.digits, number.length), "0")}_…").`);
    }
    width ??= { digits: number.length, name: entry.name };
    const same = byNumber.get(number);
    if (same) fail(at, entry.name, `has the same number as ${same}: two migrations of one number have no defined order`, "Renumber one of them after the last migration.");
    byNumber.set(number, entry.name);
    const bytes = readFileSync(join(root, entry.name));
    const sql = bytes.toString("utf8");
    let statements: SqlStatement[];
    try {
      statements = splitSqlStatements(sql);
    } catch (error) {
      if (!(error instanceof SqlSplitError)) throw error;
      fail(at, entry.name, `cannot be split into statements: ${error.message}`, error.fix);
    }
    if (statements.length === 0) fail(at, entry.name, "holds no SQL statement (it is empty, or only comments)", "Write the migration's SQL in it, or delete the file.");
    for (const statement of statements) {
      const refused = REFUSED_STATEMENTS.find((r) => r.pattern.test(statement.sql));
      if (refused) fail(at, firstLine(statement.sql), `(line ${statement.line}) ${refused.problem}`, refused.fix);
      if (Buffer.byteLength(statement.sql) > MAX_STATEMENT_BYTES) {
        fail(at, firstLine(statement.sql), `(line ${statement.line}) is over ${MAX_STATEMENT_BYTES / 1024 / 1024} MiB, more than one Data API request carries (4 MiB)`, "Split it into smaller statements, e.g. one INSERT per batch of rows.");
      }
    }
    migrations.push({ name: entry.name, sha256: createHash("sha256").update(bytes).digest("hex"), sql });
  }
  return migrations;
}

function firstLine(sql: string): string {
  const line = sql.split("\n", 1)[0];
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/**
 * The table recording applied migrations (created when missing), schema-qualified: a migration may change the
 * session's search_path (`SET search_path TO app`, common in pg_dump output), and a plain `SET` outlives its
 * transaction on that session, so an unqualified name would send the record, and the next deploy's read, to another
 * schema's table (or none). `public` is PostgreSQL's default schema, where the first deploys created it unqualified.
 */
export const MIGRATIONS_TABLE = "public.schema_migrations";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;

/**
 * The advisory lock every applier takes in each of its transactions, so two deploys (or a deploy and `npm start`)
 * never interleave: one 64-bit key, the first 8 bytes of sha256("serverless-fullstack schema_migrations") as a signed
 * bigint. Tried, never waited on (pg_try_advisory_xact_lock answers at once,
 * https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS): a blocking
 * pg_advisory_xact_lock would wait inside one ExecuteStatement call, for as long as the other deploy's migration
 * runs, and the Data API cancels an operation that does not finish within 45 seconds ("By default, the Data API cancels
 * an operation and returns a timeout error if the operation doesn't finish processing within 45 seconds",
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api-timeouts.html). A busy lock ends the transaction, then
 * waits (lockDelay) and begins again, LOCK_RETRIES times before giving up with a MigrationError.
 */
export const MIGRATIONS_LOCK_KEY = createHash("sha256").update("serverless-fullstack schema_migrations").digest().readBigInt64BE(0).toString();
const TRY_LOCK = `SELECT pg_try_advisory_xact_lock(${MIGRATIONS_LOCK_KEY}) AS locked`;

/** Tries of a busy lock before giving up: waits of 1, 2, 4, 8, then 15 s each, about 5 minutes in all. */
export const LOCK_RETRIES = 24;

export function lockDelay(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 15_000);
}

export interface ApplyOptions {
  /** Progress lines ("apply 0002_add_photos.sql (3 statements)"). @default none */
  log?: (line: string) => void;
  /**
   * How to wait before retrying: a call refused with DatabaseResumingException (resumingDelay: 1, 2, 4, 8, 8… s), or
   * a transaction that found the migrations' lock busy (lockDelay: 1, 2, 4, 8, 15… s). Tests pass one that does not
   * sleep.
   */
  sleep?: (ms: number) => Promise<void>;
}

/** What a transaction that found the lock busy answers: nothing was done, try again later. */
const BUSY = Symbol("lock busy");

/** A migration failed, or the folder and the database disagree: the message names the migration and the fix. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order, each in its own Data API transaction
 * (BeginTransaction, the advisory lock, its statements one ExecuteStatement each, the record, CommitTransaction;
 * RollbackTransaction on any failure), so a failing migration leaves the database at the last good one.
 * Refuses before applying anything when an applied migration's file changed (its SHA-256 differs), is missing from
 * `migrations`, or when a new migration sorts before the last applied one. Returns the names it applied.
 */
export async function applyMigrations(client: RDSDataClient, target: DataApiTarget, migrations: Migration[], options: ApplyOptions = {}): Promise<{ applied: string[] }> {
  const data = new DataApi(client, target, options.sleep ?? defaultSleep);
  const log = options.log ?? (() => {});
  await data.locked(`Creating ${MIGRATIONS_TABLE}`, async (tx) => {
    await tx.execute(CREATE_TABLE);
  });
  const recorded = await data.recorded();
  const pending = pendingMigrations(migrations, recorded);
  const applied: string[] = [];
  if (pending.length === 0) log(`schema migrations: ${migrations.length} applied, none pending`);
  for (const migration of pending) {
    const statements = splitSqlStatements(migration.sql);
    const done = await data.locked(`Migration ${migration.name}`, async (tx) => {
      // What the database records now, under the lock: another applier may have applied this migration, or others
      // (another branch's folder), while we read without it; the same checks as before, against that.
      const now = await data.recorded(tx);
      const sha = now.get(migration.name);
      if (sha !== undefined) {
        if (sha !== migration.sha256) throw changedError(migration.name, sha, migration.sha256);
        return false;
      }
      const next = pendingMigrations(migrations, now)[0];
      if (next?.name !== migration.name) {
        throw new MigrationError(`Migration ${migration.name}: ${next ? `${next.name} is` : "nothing is"} pending before it in ${MIGRATIONS_TABLE} now (another applier changed it while this deploy ran); deploy again.`);
      }
      log(`schema migrations: apply ${migration.name} (${statements.length} statement${statements.length === 1 ? "" : "s"})`);
      for (const [index, statement] of statements.entries()) {
        try {
          await tx.execute(statement.sql);
        } catch (error) {
          throw new MigrationError(
            `Migration ${migration.name} failed at statement ${index + 1} of ${statements.length} (line ${statement.line}): ${(error as Error).message}. ` +
              `It was rolled back, so the database is at the migration before it; fix the file (it was never applied, so it may change) and deploy again.`,
            { cause: error },
          );
        }
      }
      await tx.execute(`INSERT INTO ${MIGRATIONS_TABLE} (name, sha256) VALUES (:name, :sha256)`, [text("name", migration.name), text("sha256", migration.sha256)]);
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return { applied };
}

/**
 * The migrations to apply given what `schema_migrations` records (name → SHA-256), in order; throws MigrationError
 * when the folder and the records disagree. Pure: the dynamic provider's diff uses it against its state.
 */
export function pendingMigrations<M extends Pick<Migration, "name" | "sha256">>(migrations: readonly M[], recorded: ReadonlyMap<string, string>): M[] {
  const names = new Set(migrations.map((m) => m.name));
  for (const migration of migrations) {
    const sha = recorded.get(migration.name);
    if (sha !== undefined && sha !== migration.sha256) throw changedError(migration.name, sha, migration.sha256);
  }
  const missing = [...recorded.keys()].filter((name) => !names.has(name)).sort();
  if (missing.length > 0) {
    throw new MigrationError(
      `Migration ${missing.join(", ")} ${missing.length === 1 ? "was" : "were"} applied to the database but ${missing.length === 1 ? "is" : "are"} no longer in the migrations folder. ` +
        `Applied migrations are history: restore the file${missing.length === 1 ? "" : "s"} unchanged, and to undo ${missing.length === 1 ? "it" : "them"}, add a new migration instead.`,
    );
  }
  const last = [...recorded.keys()].sort().pop();
  const pending = migrations.filter((m) => !recorded.has(m.name));
  const early = pending.filter((m) => last !== undefined && m.name < last);
  if (early.length > 0) {
    throw new MigrationError(
      `Migration ${early.map((m) => m.name).join(", ")} sorts before ${last}, which is already applied, so it would run after migrations that come after it. ` +
        `Renumber it after ${last} (e.g. a branch merged after another's migrations were deployed).`,
    );
  }
  return pending;
}

function changedError(name: string, applied: string, now: string): MigrationError {
  return new MigrationError(
    `Migration ${name} changed after it was applied (applied SHA-256 ${applied.slice(0, 12)}…, the file's now ${now.slice(0, 12)}…). ` +
      `An applied migration is never run again: restore the file as it was applied, and add a new migration instead.`,
  );
}

function text(name: string, value: string): SqlParameter {
  return { name, value: { stringValue: value } };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries of a call refused with DatabaseResumingException: "A request was cancelled because the Aurora Serverless
 * v2 DB instance was paused. The Data API request automatically resumes the DB instance. Wait a few seconds and try
 * again." (RDS Data API reference, DatabaseResumingException). A resume takes about 15 seconds (AWS Database Blog,
 * "Introducing scaling to 0 capacity with Amazon Aurora Serverless v2"); backing off 1, 2, 4, then 8 s per retry,
 * 10 retries wait 63 s in all before giving up. No other error is retried.
 */
export const RESUMING_RETRIES = 10;

export function resumingDelay(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 8000);
}

interface Transaction {
  execute(sql: string, parameters?: SqlParameter[]): Promise<ExecuteStatementCommandOutput>;
}

/** The Data API's commands, loaded on first use. */
function dataApiSdk(): typeof import("@aws-sdk/client-rds-data") {
  return require("@aws-sdk/client-rds-data") as typeof import("@aws-sdk/client-rds-data");
}

/** Data API calls for one target, each retried while the database resumes. */
class DataApi {
  constructor(
    private readonly client: RDSDataClient,
    private readonly target: DataApiTarget,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /**
   * Runs `work` in one Data API transaction: committed when it returns, rolled back when it throws. `what` names the
   * work in errors ("Migration 0002_add_photos.sql").
   */
  async transaction<T>(what: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const { resourceArn, secretArn, database } = this.target;
    const { BeginTransactionCommand, CommitTransactionCommand, ExecuteStatementCommand, RollbackTransactionCommand } = dataApiSdk();
    const begun = await this.send<{ transactionId?: string }>(() => new BeginTransactionCommand({ resourceArn, secretArn, database }));
    const transactionId = begun.transactionId;
    if (!transactionId) throw new MigrationError(`the Data API began no transaction on ${resourceArn} (no transactionId in its answer)`);
    const tx: Transaction = {
      execute: (sql, parameters) => this.send<ExecuteStatementCommandOutput>(() => new ExecuteStatementCommand({ resourceArn, secretArn, database, sql, transactionId, ...(parameters ? { parameters } : {}) })),
    };
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      try {
        await this.send(() => new RollbackTransactionCommand({ resourceArn, secretArn, transactionId }));
      } catch (rollback) {
        // A statement's error ends its transaction ("Transaction <ID> isn't found … aborted due to an error from a
        // previous call", Data API troubleshooting): the rollback finds nothing to undo, and the work is undone.
        if ((rollback as { name?: string }).name === "TransactionNotFoundException") throw error;
        // The transaction ends anyway: the Data API rolls back a transaction not committed within 3 minutes of its last call.
        const message = (error as Error).message;
        throw new MigrationError(`${message.startsWith(what) ? "" : `${what}: `}${message} (and its rollback failed: ${(rollback as Error).message}; the Data API rolls it back once it expires)`, { cause: error });
      }
      throw error;
    }
    try {
      await this.send(() => new CommitTransactionCommand({ resourceArn, secretArn, transactionId }));
    } catch (error) {
      // The call may have failed before the commit, during it, or after it (a lost answer): the client cannot tell.
      throw new MigrationError(
        `${what}: its CommitTransaction failed (${(error as Error).name}: ${(error as Error).message}), so whether it was committed is unknown. ` +
          `Deploy again: ${MIGRATIONS_TABLE} decides, since a committed migration is recorded there in the same transaction and is skipped, and one that was not committed is applied again.`,
        { cause: error },
      );
    }
    return result;
  }

  /**
   * Runs `work` in a transaction holding the migrations' lock (TRY_LOCK): when another applier holds it, ends the
   * transaction, waits lockDelay and begins again, and gives up after LOCK_RETRIES with a MigrationError saying so.
   */
  async locked<T>(what: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const result = await this.transaction<T | typeof BUSY>(what, async (tx) => {
        const lock = await tx.execute(TRY_LOCK);
        if (lock.records?.[0]?.[0]?.booleanValue !== true) return BUSY;
        return work(tx);
      });
      if (result !== BUSY) return result;
      if (attempt > LOCK_RETRIES) {
        throw new MigrationError(
          `${what}: another deploy (or \`npm start\`) has been applying migrations to database ${this.target.database} of ${this.target.resourceArn} for over ${Math.round(waited / 1000)} s ` +
            `(it holds the migrations' advisory lock, key ${MIGRATIONS_LOCK_KEY}). Let it finish, then deploy again; nothing of this deploy's was applied in this step.`,
        );
      }
      const delay = lockDelay(attempt);
      waited += delay;
      await this.sleep(delay);
    }
  }

  /** What schema_migrations records: name → SHA-256 (in `tx` when given). */
  async recorded(tx?: Transaction): Promise<Map<string, string>> {
    const { resourceArn, secretArn, database } = this.target;
    const { ExecuteStatementCommand } = dataApiSdk();
    const sql = `SELECT name, sha256 FROM ${MIGRATIONS_TABLE} ORDER BY name`;
    const out = tx ? await tx.execute(sql) : await this.send<ExecuteStatementCommandOutput>(() => new ExecuteStatementCommand({ resourceArn, secretArn, database, sql }));
    return new Map((out.records ?? []).map((row: Field[]) => [row[0]?.stringValue ?? "", row[1]?.stringValue ?? ""]));
  }

  // A fresh command per attempt: a sent command carries its middleware state.
  private async send<T>(command: () => object): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.client.send(command() as never)) as T;
      } catch (error) {
        if ((error as { name?: string }).name !== "DatabaseResumingException" || attempt > RESUMING_RETRIES) throw error;
        await this.sleep(resumingDelay(attempt));
      }
    }
  }
}
