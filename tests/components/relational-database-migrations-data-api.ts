/**
 * A minimal RDS Data API over PGlite for the schema-migrations tests: BeginTransaction, ExecuteStatement (named
 * `:name` parameters, string values), CommitTransaction and RollbackTransaction, answered by a real PostgreSQL
 * (PGlite), so migrations' SQL, transactions and the advisory lock run for real.
 *
 * A stand-in until the local Data API emulator (local/, branch rds-local) lands: the tests should then send these
 * calls through a real RDSDataClient pointed at the emulator's endpoint instead (see the report of rds-migrations).
 *
 * PGlite is one connection, so transactions take turns: BeginTransaction waits until the transaction before it ended,
 * as a second applier waits on pg_advisory_xact_lock on Aurora. A statement outside a transaction waits too.
 */
import { createHash } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { DatabaseErrorException, DatabaseResumingException, type Field, type RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { DataApiTarget, Migration } from "../../components/relational-database/contract";

export const TEST_TARGET: DataApiTarget = {
  resourceArn: "arn:aws:rds:eu-west-1:123456789012:cluster:gallery",
  secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gallery-AbCdEf",
  database: "gallery",
};

/** A migration as readMigrations makes it from a file of `name` holding `sql`. */
export const migration = (name: string, sql: string): Migration => ({ name, sql, sha256: createHash("sha256").update(sql).digest("hex") });

/** One PGlite Data API for the file (PGlite starts in about a second), emptied before each test. */
export function usePgliteDataApi(): { readonly api: PgliteDataApi; tables(): Promise<unknown[]> } {
  let api: PgliteDataApi | undefined;
  beforeAll(() => {
    api = new PgliteDataApi();
  });
  afterAll(async () => {
    await api?.db.close();
  });
  beforeEach(async () => {
    await api!.reset();
  });
  return {
    get api() {
      return api!;
    },
    async tables() {
      return (await api!.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).map(([t]) => t);
    },
  };
}

export interface SentCall {
  command: string;
  sql?: string;
  transactionId?: string;
}

export class PgliteDataApi {
  readonly calls: SentCall[] = [];
  /** Calls still to refuse with DatabaseResumingException (a paused cluster resuming). */
  resumingFor = 0;
  private turn: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  private current: string | undefined;
  private next = 0;

  constructor(readonly db: PGlite = new PGlite()) {}

  /** The adapter as the RDSDataClient applyMigrations takes. */
  get client(): RDSDataClient {
    return { send: (command: unknown) => this.send(command) } as unknown as RDSDataClient;
  }

  /** Empties the database between tests. */
  async reset(): Promise<void> {
    await this.db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    this.calls.length = 0;
    this.resumingFor = 0;
  }

  async query(sql: string): Promise<unknown[][]> {
    return (await this.db.query<unknown[]>(sql, [], { rowMode: "array" })).rows;
  }

  private async send(command: unknown): Promise<unknown> {
    const input = (command as { input: Record<string, unknown> }).input;
    // By name: the code under test loads the SDK with require, which may be another copy than this module's import.
    const name = (command as object).constructor.name;
    this.calls.push({ command: name, ...(typeof input.sql === "string" ? { sql: input.sql } : {}), ...(typeof input.transactionId === "string" ? { transactionId: input.transactionId } : {}) });
    if (this.resumingFor > 0) {
      this.resumingFor--;
      throw new DatabaseResumingException({ message: "Database is resuming. Please try again.", $metadata: {} });
    }
    if (name === "BeginTransactionCommand") {
      await this.take();
      await this.db.exec("BEGIN");
      this.current = `tx-${++this.next}`;
      return { transactionId: this.current, $metadata: {} };
    }
    if (name === "CommitTransactionCommand" || name === "RollbackTransactionCommand") {
      this.own(input.transactionId);
      await this.db.exec(name === "CommitTransactionCommand" ? "COMMIT" : "ROLLBACK");
      this.end();
      return { transactionStatus: name === "CommitTransactionCommand" ? "Transaction Committed" : "Rollback Complete", $metadata: {} };
    }
    if (name === "ExecuteStatementCommand") {
      const outside = input.transactionId === undefined;
      if (outside) await this.take();
      else this.own(input.transactionId);
      try {
        return await this.execute(input.sql as string, (input.parameters ?? []) as Array<{ name: string; value: { stringValue?: string } }>);
      } finally {
        if (outside) this.end();
      }
    }
    throw new Error(`the test Data API does not answer ${name}`);
  }

  private async execute(sql: string, parameters: Array<{ name: string; value: { stringValue?: string } }>) {
    const values: unknown[] = [];
    const text =
      parameters.length === 0
        ? sql
        : sql.replace(/(?<!:):([A-Za-z_]\w*)/g, (_, key: string) => {
            const parameter = parameters.find((p) => p.name === key);
            if (!parameter) throw new Error(`no parameter ${key}`);
            values.push(parameter.value.stringValue ?? null);
            return `$${values.length}`;
          });
    try {
      const result = await this.db.query<unknown[]>(text, values, { rowMode: "array" });
      return { records: result.rows.map((row) => row.map(field)), numberOfRecordsUpdated: result.affectedRows ?? 0, $metadata: {} };
    } catch (error) {
      // What the Data API answers a statement PostgreSQL refused.
      throw new DatabaseErrorException({ message: `ERROR: ${(error as Error).message}`, $metadata: {} });
    }
  }

  private async take(): Promise<void> {
    const before = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((resolve) => (release = resolve));
    await before;
    this.release = release;
  }

  private end(): void {
    this.current = undefined;
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private own(transactionId: unknown): void {
    if (transactionId !== this.current) throw new Error(`transaction ${String(transactionId)} is not the open one (${String(this.current)})`);
  }
}

function field(value: unknown): Field {
  if (value === null || value === undefined) return { isNull: true };
  if (typeof value === "boolean") return { booleanValue: value };
  if (typeof value === "number") return Number.isInteger(value) ? { longValue: value } : { doubleValue: value };
  if (value instanceof Date) return { stringValue: value.toISOString() };
  return { stringValue: String(value) };
}
