/**
 * applyMigrations through a real RDSDataClient against the local RDS Data API emulator on PGlite
 * (./relational-database-migrations-data-api.ts):
 * pending migrations apply in order, each in its own transaction; a failing one rolls back and leaves the database at
 * the last good one; changed or missing applied migrations are refused before anything runs; a resuming cluster is
 * waited for; two appliers at once apply each migration once.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Migration } from "../../components/relational-database/contract";
import { applyMigrations, LOCK_RETRIES, lockDelay, MIGRATIONS_LOCK_KEY, MigrationError, RESUMING_RETRIES, resumingDelay } from "../../components/relational-database/migrations";
import { migration, TEST_TARGET as TARGET, useLocalDataApi, type SentCall } from "./relational-database-migrations-data-api";

const ALBUMS = migration("0001_create_albums.sql", "CREATE TABLE albums (id text PRIMARY KEY, title text NOT NULL);\nINSERT INTO albums VALUES ('a1', 'First; album');");
const PHOTOS = migration(
  "0002_create_photos.sql",
  "CREATE TABLE photos (id text PRIMARY KEY, album text REFERENCES albums (id));\n" +
    "CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.id := lower(NEW.id); RETURN NEW; END; $$ LANGUAGE plpgsql;\n" +
    "CREATE TRIGGER photos_touch BEFORE INSERT ON photos FOR EACH ROW EXECUTE FUNCTION touch();",
);
const BROKEN = migration("0003_add_cover.sql", "ALTER TABLE albums ADD COLUMN cover text;\nALTER TABLE nowhere ADD COLUMN x int;");

const database = useLocalDataApi();
const noSleep: number[] = [];
const apply = (migrations: Migration[], log?: (line: string) => void) =>
  applyMigrations(database.client, TARGET, migrations, { log, sleep: async (ms) => void noSleep.push(ms) });
const recorded = async () => (await database.query("SELECT name, sha256 FROM schema_migrations ORDER BY name")).map(([name, sha]) => `${String(name)} ${String(sha).slice(0, 8)}`);
const tables = () => database.tables();

beforeEach(() => {
  noSleep.length = 0;
});

describe("applyMigrations", () => {

  it("creates schema_migrations, applies pending migrations in order and records them; a second run applies nothing", async () => {
    const lines: string[] = [];
    expect(await apply([ALBUMS, PHOTOS], (line) => lines.push(line))).toEqual({ applied: [ALBUMS.name, PHOTOS.name] });
    expect(await tables()).toEqual(["albums", "photos", "schema_migrations"]);
    expect(await recorded()).toEqual([`${ALBUMS.name} ${ALBUMS.sha256.slice(0, 8)}`, `${PHOTOS.name} ${PHOTOS.sha256.slice(0, 8)}`]);
    expect(await database.query("SELECT title FROM albums")).toEqual([["First; album"]]);
    expect(lines).toEqual([`schema migrations: apply ${ALBUMS.name} (2 statements)`, `schema migrations: apply ${PHOTOS.name} (3 statements)`]);
    // The trigger's dollar-quoted body arrived whole.
    await database.query("INSERT INTO photos VALUES ('P1', 'a1')");
    expect(await database.query("SELECT id FROM photos")).toEqual([["p1"]]);

    expect(await apply([ALBUMS, PHOTOS])).toEqual({ applied: [] });
    const third = migration("0003_index.sql", "CREATE INDEX photos_album ON photos (album);");
    expect(await apply([ALBUMS, PHOTOS, third])).toEqual({ applied: [third.name] });
  });

  it("runs each migration in its own transaction: statements one call each, with the advisory lock first and the record last", async () => {
    await apply([ALBUMS]);
    const calls = database.calls.map((c) => `${c.command.replace("Command", "")}${c.sql ? ` ${c.sql.split(/\s/, 3).join(" ")}` : ""}`);
    expect(calls).toEqual([
      "BeginTransaction",
      "ExecuteStatement SELECT pg_try_advisory_xact_lock(-4245924183792584501) AS",
      "ExecuteStatement CREATE TABLE IF",
      "CommitTransaction",
      "ExecuteStatement SELECT name, sha256",
      "BeginTransaction",
      "ExecuteStatement SELECT pg_try_advisory_xact_lock(-4245924183792584501) AS",
      "ExecuteStatement SELECT name, sha256",
      "ExecuteStatement CREATE TABLE albums",
      "ExecuteStatement INSERT INTO albums",
      "ExecuteStatement INSERT INTO public.schema_migrations",
      "CommitTransaction",
    ]);
    expect(database.calls[1].sql).toMatch(/^SELECT pg_try_advisory_xact_lock\(-?\d+\) AS locked$/);
    // Each transaction's statements, commit included, named the transaction the BeginTransaction before them began.
    const [setup, migrationTx] = database.calls.filter((c) => c.command === "BeginTransactionCommand").map((c) => c.began);
    expect(setup).toEqual(expect.any(String));
    expect(migrationTx).toEqual(expect.any(String));
    expect(setup).not.toBe(migrationTx);
    expect(database.calls.slice(1, 4).map((c) => c.transactionId)).toEqual([setup, setup, setup]);
    expect(database.calls[4].transactionId).toBeUndefined();
    expect(database.calls.slice(6).map((c) => c.transactionId)).toEqual(Array(6).fill(migrationTx));
  });

  it("rolls a failing migration back, leaving the database at the last good one, and names the statement", async () => {
    const error = await apply([ALBUMS, BROKEN, PHOTOS]).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain(`Migration ${BROKEN.name} failed at statement 2 of 2 (line 2)`);
    expect(error.message).toContain('relation "nowhere" does not exist');
    expect(error.message).toContain("rolled back");
    // The statement's error ended the transaction (as the Data API does), so the rollback finding none is not reported.
    expect(error.message).not.toContain("rollback failed");
    expect(database.calls.at(-1)?.command).toBe("RollbackTransactionCommand");
    expect(await recorded()).toEqual([`${ALBUMS.name} ${ALBUMS.sha256.slice(0, 8)}`]);
    // The first statement of the failed migration was undone too; the one after it never ran.
    expect(await database.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'albums' ORDER BY ordinal_position")).toEqual([["id"], ["title"]]);
    expect(await tables()).toEqual(["albums", "schema_migrations"]);
  });

  it("refuses, before applying anything, an applied migration whose file changed or is gone, or a new one sorting before the last applied", async () => {
    await apply([ALBUMS, PHOTOS]);
    const later = migration("0003_later.sql", "CREATE TABLE later (id int);");
    const changed = migration(ALBUMS.name, `${ALBUMS.sql}\n-- edited`);
    let error = await apply([changed, PHOTOS, later]).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain(`Migration ${ALBUMS.name} changed after it was applied`);
    expect(error.message).toContain("add a new migration instead");

    error = await apply([PHOTOS, later]).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error.message).toContain(`Migration ${ALBUMS.name} was applied to the database but is no longer in the migrations folder`);
    expect(error.message).toContain("restore the file unchanged");

    const early = migration("0001_a_early.sql", "CREATE TABLE early (id int);");
    error = await apply([ALBUMS, early, PHOTOS, later]).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error.message).toContain(`Migration ${early.name} sorts before ${PHOTOS.name}, which is already applied`);
    expect(await tables()).toEqual(["albums", "photos", "schema_migrations"]);
  });

  it("waits for a resuming cluster with bounded backoff, and gives up after the last retry", async () => {
    database.resumingFor = 3;
    expect(await apply([ALBUMS])).toEqual({ applied: [ALBUMS.name] });
    expect(noSleep).toEqual([1000, 2000, 4000]);
    expect(database.calls.slice(0, 4).map((c) => c.command)).toEqual(["BeginTransactionCommand", "BeginTransactionCommand", "BeginTransactionCommand", "BeginTransactionCommand"]);

    await database.reset();
    noSleep.length = 0;
    database.resumingFor = RESUMING_RETRIES + 1;
    const error = await apply([ALBUMS]).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error.name).toBe("DatabaseResumingException");
    expect(noSleep).toEqual(Array.from({ length: RESUMING_RETRIES }, (_, i) => resumingDelay(i + 1)));
    expect(noSleep.reduce((a, b) => a + b, 0)).toBe(63_000);
  });

  it("retries nothing else: a statement error fails at once", async () => {
    await apply([ALBUMS, BROKEN]).catch(() => undefined);
    expect(noSleep).toEqual([]);
    expect(database.calls.filter((c) => c.sql?.startsWith("ALTER TABLE nowhere"))).toHaveLength(1);
  });

  /*
   * Two appliers at once (two deploys, or a deploy and `npm start`), each with its own client. Both are held until
   * both have read schema_migrations (nothing recorded), so both try every migration. Then the second sends its first
   * migration's BeginTransaction once the first's has begun, and the first's transaction is held open until the
   * emulator logs that BeginTransaction waiting for it (nothing else is in flight then, so the order is certain).
   *
   * What this proves locally: the emulator serialises Data API transactions on its database (the second
   * BeginTransaction waits for the first's commit), and applyMigrations, re-reading schema_migrations under the lock
   * inside its transaction, then skips what the other recorded, so each migration applies exactly once with no error.
   * What it cannot prove: that pg_advisory_xact_lock makes a second *connection* wait on Aurora. PGlite is one
   * connection, where the emulator's turn-taking, not the lock, orders the transactions (and a session's own advisory
   * locks never block it); that the lock statement is sent first in every transaction is pinned by the call-order test.
   */
  it("applies each migration once when two deploys run at once: the second waits for the first's transaction, then sees what it recorded", async () => {
    let readRecords = 0;
    let bothRead!: () => void;
    const bothHaveRead = new Promise<void>((resolve) => (bothRead = resolve));
    let firstBegan!: () => void;
    const firstHasBegun = new Promise<void>((resolve) => (firstBegan = resolve));
    let secondWaits: Promise<string> | undefined;
    let waited = false;
    let secondBegan!: () => void;
    const secondHasBegun = new Promise<never>((_, reject) => (secondBegan = () => reject(new Error("the second's BeginTransaction was answered while the first's transaction held the database"))));
    secondHasBegun.catch(() => {});
    const applier = (role: "first" | "second") => {
      let held = false;
      const sent: SentCall[] = [];
      const client = database.clientFor({
        before: async (call) => {
          sent.push(call);
          if (readRecords < 2 || held) return;
          if (role === "second" && call.command === "BeginTransactionCommand") {
            held = true;
            await firstHasBegun;
          } else if (role === "first" && call.transactionId !== undefined) {
            // The first statement of the first's first migration transaction, which holds the database.
            held = true;
            await Promise.race([secondWaits, secondHasBegun]);
          }
        },
        after: async (call) => {
          if (readRecords === 2 && call.command === "BeginTransactionCommand") (role === "first" ? firstBegan : secondBegan)();
          if (!call.sql?.startsWith("SELECT name, sha256")) return;
          if (++readRecords === 2) {
            // Armed before either applier sends its first migration's BeginTransaction.
            secondWaits = database.logged((line) => line.includes("a call waits for transaction"));
            void secondWaits.then(() => (waited = true));
            bothRead();
          }
          await bothHaveRead;
        },
      });
      return { sent, run: () => applyMigrations(client, TARGET, [ALBUMS, PHOTOS], { sleep: async () => {} }) };
    };
    const [first, second] = [applier("first"), applier("second")];
    const [one, two] = await Promise.all([first.run(), second.run()]);
    expect(one.applied).toContain(ALBUMS.name);
    expect(two.applied).not.toContain(ALBUMS.name);
    expect([...one.applied, ...two.applied].sort()).toEqual([ALBUMS.name, PHOTOS.name]);
    expect(await recorded()).toEqual([`${ALBUMS.name} ${ALBUMS.sha256.slice(0, 8)}`, `${PHOTOS.name} ${PHOTOS.sha256.slice(0, 8)}`]);
    expect(waited).toBe(true);
    // Both tried each migration: each checked schema_migrations under the lock, in its transaction, for both.
    for (const { sent } of [first, second]) expect(sent.filter((c) => c.sql?.startsWith("SELECT name, sha256") && c.transactionId !== undefined).length).toBe(2);
    expect(await database.query("SELECT count(*) FROM albums")).toEqual([[1]]);
  });

  /*
   * Two deploys of different branches: each adds its own 0002. The second read schema_migrations (0001 only, no
   * lock) before the first applied its 0002, so only the check redone under the lock, in the second's transaction,
   * sees the first's 0002. The first runs, whole, in the second's hook before the second's migration transaction.
   */
  it("refuses a migration when, under the lock, the database holds another deploy's migration this folder lacks", async () => {
    await apply([ALBUMS]);
    const ours = migration("0002_add_cover.sql", "ALTER TABLE albums ADD COLUMN cover text;");
    const theirs = migration("0002_add_rating.sql", "ALTER TABLE albums ADD COLUMN rating int;");
    let begins = 0;
    const second = database.clientFor({
      before: async (call) => {
        if (call.command === "BeginTransactionCommand" && ++begins === 2) await applyMigrations(database.client, TARGET, [ALBUMS, theirs], { sleep: async () => {} });
      },
    });
    const error = await applyMigrations(second, TARGET, [ALBUMS, ours], { sleep: async () => {} }).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain(`Migration ${theirs.name} was applied to the database but is no longer in the migrations folder`);
    expect(await recorded()).toEqual([`${ALBUMS.name} ${ALBUMS.sha256.slice(0, 8)}`, `${theirs.name} ${theirs.sha256.slice(0, 8)}`]);
    expect(await database.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'albums' AND column_name = 'cover'")).toEqual([]);
  });

  /*
   * A lock another session holds. PGlite is one session, where a session's own advisory locks never block it, so the
   * lock's answer is made "busy" by this client's middleware, after the real call: `busy` times, then the real one.
   */
  const busyLockClient = (busy: number) => {
    const client = database.clientFor({});
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const sql = (args.input as { sql?: string }).sql ?? "";
        if (busy > 0 && sql.includes("pg_try_advisory_xact_lock(")) {
          busy--;
          (result.output as { records?: unknown }).records = [[{ booleanValue: false }]];
        }
        return result;
      },
      { step: "initialize", name: "busyLock" },
    );
    return client;
  };

  it("tries the lock, never waits on it in a call: a busy lock ends the transaction and is tried again after a back-off", async () => {
    const slept: number[] = [];
    const result = await applyMigrations(busyLockClient(3), TARGET, [ALBUMS], { sleep: async (ms) => void slept.push(ms) });
    expect(result).toEqual({ applied: [ALBUMS.name] });
    expect(slept).toEqual([lockDelay(1), lockDelay(2), lockDelay(3)]);
    expect(slept).toEqual([1000, 2000, 4000]);
  });

  it("gives up on a lock held too long with an error saying another deploy holds it, having applied nothing", async () => {
    const slept: number[] = [];
    const error = await applyMigrations(busyLockClient(Infinity), TARGET, [ALBUMS], { sleep: async (ms) => void slept.push(ms) }).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain("another deploy (or `npm start`) has been applying migrations to database gallery");
    expect(error.message).toContain(MIGRATIONS_LOCK_KEY);
    expect(error.message).toContain("for over 315 s");
    expect(slept).toHaveLength(LOCK_RETRIES);
    expect(await tables()).toEqual([]);
  });
});
