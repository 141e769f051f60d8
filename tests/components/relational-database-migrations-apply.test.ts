/**
 * applyMigrations against a real PostgreSQL (PGlite) behind a minimal Data API (./relational-database-migrations-data-database.api.ts):
 * pending migrations apply in order, each in its own transaction; a failing one rolls back and leaves the database at
 * the last good one; changed or missing applied migrations are refused before anything runs; a resuming cluster is
 * waited for; two appliers at once apply each migration once.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Migration } from "../../components/relational-database/contract";
import { applyMigrations, MigrationError, RESUMING_RETRIES, resumingDelay } from "../../components/relational-database/migrations";
import { migration, TEST_TARGET as TARGET, usePgliteDataApi } from "./relational-database-migrations-data-api";

const ALBUMS = migration("0001_create_albums.sql", "CREATE TABLE albums (id text PRIMARY KEY, title text NOT NULL);\nINSERT INTO albums VALUES ('a1', 'First; album');");
const PHOTOS = migration(
  "0002_create_photos.sql",
  "CREATE TABLE photos (id text PRIMARY KEY, album text REFERENCES albums (id));\n" +
    "CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.id := lower(NEW.id); RETURN NEW; END; $$ LANGUAGE plpgsql;\n" +
    "CREATE TRIGGER photos_touch BEFORE INSERT ON photos FOR EACH ROW EXECUTE FUNCTION touch();",
);
const BROKEN = migration("0003_add_cover.sql", "ALTER TABLE albums ADD COLUMN cover text;\nALTER TABLE nowhere ADD COLUMN x int;");

const database = usePgliteDataApi();
const noSleep: number[] = [];
const apply = (migrations: Migration[], log?: (line: string) => void) =>
  applyMigrations(database.api.client, TARGET, migrations, { log, sleep: async (ms) => void noSleep.push(ms) });
const recorded = async () => (await database.api.query("SELECT name, sha256 FROM schema_migrations ORDER BY name")).map(([name, sha]) => `${String(name)} ${String(sha).slice(0, 8)}`);
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
    expect(await database.api.query("SELECT title FROM albums")).toEqual([["First; album"]]);
    expect(lines).toEqual([`schema migrations: apply ${ALBUMS.name} (2 statements)`, `schema migrations: apply ${PHOTOS.name} (3 statements)`]);
    // The trigger's dollar-quoted body arrived whole.
    await database.api.query("INSERT INTO photos VALUES ('P1', 'a1')");
    expect(await database.api.query("SELECT id FROM photos")).toEqual([["p1"]]);

    expect(await apply([ALBUMS, PHOTOS])).toEqual({ applied: [] });
    const third = migration("0003_index.sql", "CREATE INDEX photos_album ON photos (album);");
    expect(await apply([ALBUMS, PHOTOS, third])).toEqual({ applied: [third.name] });
  });

  it("runs each migration in its own transaction: statements one call each, with the advisory lock first and the record last", async () => {
    await apply([ALBUMS]);
    const calls = database.api.calls.map((c) => `${c.command.replace("Command", "")}${c.sql ? ` ${c.sql.split(/\s/, 3).join(" ")}` : ""}`);
    expect(calls).toEqual([
      "BeginTransaction",
      "ExecuteStatement SELECT 1 AS",
      "ExecuteStatement CREATE TABLE IF",
      "CommitTransaction",
      "ExecuteStatement SELECT name, sha256",
      "BeginTransaction",
      "ExecuteStatement SELECT 1 AS",
      "ExecuteStatement SELECT sha256 FROM",
      "ExecuteStatement CREATE TABLE albums",
      "ExecuteStatement INSERT INTO albums",
      "ExecuteStatement INSERT INTO schema_migrations",
      "CommitTransaction",
    ]);
    expect(database.api.calls[1].sql).toMatch(/pg_advisory_xact_lock\(-?\d+\)/);
    // Every statement of the migration ran in the one transaction.
    const ids = new Set(database.api.calls.slice(6).map((c) => c.transactionId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^tx-/);
  });

  it("rolls a failing migration back, leaving the database at the last good one, and names the statement", async () => {
    const error = await apply([ALBUMS, BROKEN, PHOTOS]).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain(`Migration ${BROKEN.name} failed at statement 2 of 2 (line 2)`);
    expect(error.message).toContain('relation "nowhere" does not exist');
    expect(error.message).toContain("rolled back");
    expect(database.api.calls.at(-1)?.command).toBe("RollbackTransactionCommand");
    expect(await recorded()).toEqual([`${ALBUMS.name} ${ALBUMS.sha256.slice(0, 8)}`]);
    // The first statement of the failed migration was undone too; the one after it never ran.
    expect(await database.api.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'albums' ORDER BY ordinal_position")).toEqual([["id"], ["title"]]);
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
    database.api.resumingFor = 3;
    expect(await apply([ALBUMS])).toEqual({ applied: [ALBUMS.name] });
    expect(noSleep).toEqual([1000, 2000, 4000]);
    expect(database.api.calls.slice(0, 4).map((c) => c.command)).toEqual(["BeginTransactionCommand", "BeginTransactionCommand", "BeginTransactionCommand", "BeginTransactionCommand"]);

    await database.api.reset();
    noSleep.length = 0;
    database.api.resumingFor = RESUMING_RETRIES + 1;
    const error = await apply([ALBUMS]).then(() => new Error("applied"), (e: unknown) => e as Error);
    expect(error.name).toBe("DatabaseResumingException");
    expect(noSleep).toEqual(Array.from({ length: RESUMING_RETRIES }, (_, i) => resumingDelay(i + 1)));
    expect(noSleep.reduce((a, b) => a + b, 0)).toBe(63_000);
  });

  it("retries nothing else: a statement error fails at once", async () => {
    await apply([ALBUMS, BROKEN]).catch(() => undefined);
    expect(noSleep).toEqual([]);
    expect(database.api.calls.filter((c) => c.sql?.startsWith("ALTER TABLE nowhere"))).toHaveLength(1);
  });

  it("applies each migration once when two deploys run at once: the second sees what the first recorded", async () => {
    const [one, two] = await Promise.all([apply([ALBUMS, PHOTOS]), apply([ALBUMS, PHOTOS])]);
    expect([...one.applied, ...two.applied].sort()).toEqual([ALBUMS.name, PHOTOS.name]);
    expect(await recorded()).toHaveLength(2);
  });
});
