/**
 * A RelationalDatabase's schema migrations under `npm start` (local/services/relational-databases.ts,
 * applyLocalMigrations): the runtime applies the migrations folder at start through the local Data API with
 * applyMigrations, the code `pulumi up` runs, so a function sees the migrated tables; a second start on the same state
 * directory applies nothing; an applied migration whose file changed stops the start with applyMigrations' error
 * naming the file and the fix, and the database keeps its data for the start after the fix.
 *
 * One state directory for the file, started four times in order (the tests build on each other, as starts of one
 * project do): one PGlite initialised, then reopened. The migrations are read from a real folder with readMigrations,
 * as RelationalDatabase reads them; the spec is registered directly (the component is built elsewhere).
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { RelationalDatabaseSpec } from "../../components/relational-database/contract";
import { argFailer } from "../../components/errors";
import { LambdaFunction } from "../../components/lambda/function";
import { MigrationError, readMigrations } from "../../components/relational-database/migrations";
import { registerSpec } from "../../components/spec-registry";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { startLocalApp, type LocalApp } from "../../local/start";

const entry = "tests/fixtures/handlers/rds-data.ts";
const NAME = "rdsm-gallery";
const CLUSTER = `arn:aws:rds:us-east-1:${MOCK_ACCOUNT_ID}:cluster:rdsm-gallery-cluster`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${MOCK_ACCOUNT_ID}:secret:rds!cluster-5c8e1f20-7a3b-4d6c-9e81-2f4a6b8c0d1e-AbCdEf`; // the RDS-managed secret's shape, 108 characters
const dir = mkdtempSync(join(tmpdir(), "sf-rds-migrations-"));
const stateDir = join(dir, "state");
const folder = join(dir, "migrations");
const ALBUMS = "0001_create_albums.sql";
const PHOTOS = "0002_create_photos.sql";
const COVERS = "0003_add_cover.sql";

let app: LocalApp | undefined;

/** The program: the database with the folder's migrations as they are now, and a function granted its Data API. */
const program = () => {
  const spec: RelationalDatabaseSpec = {
    name: NAME,
    engine: "aurora-postgresql",
    engineVersion: "16.6",
    databaseName: "gallery",
    masterUsername: "gallery_admin",
    clusterIdentifier: "rdsm-gallery-cluster",
    clusterArn: CLUSTER,
    secretArn: SECRET,
    migrations: readMigrations(argFailer("RelationalDatabase", NAME), "migrations", folder),
    migrationsDirectory: folder,
    minCapacity: 0,
    maxCapacity: 1,
  };
  registerSpec("RelationalDatabase", spec.name, spec);
  new LambdaFunction("rdsm-reader", {
    entry,
    timeout: 10,
    environment: { DATABASE_ARN: CLUSTER, SECRET_ARN: SECRET, DATABASE_NAME: "gallery" },
    permissions: [
      { actions: ["rds-data:ExecuteStatement"], resources: [CLUSTER] },
      { actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] },
    ],
  });
  return {};
};

/** Starts the app on the file's state directory; answers what it logged (not printed). */
async function start(): Promise<string[]> {
  const lines: string[] = [];
  const print = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    app = await startLocalApp({ stack: "dev", port: 0, stateDir, load: program });
  } finally {
    print.mockRestore();
  }
  return lines;
}

/** The database's lines of a start's log. */
const migrationLines = (lines: string[]) => lines.filter((line) => line.startsWith(`  ${NAME}: `));

const sql = async (statement: string) => {
  const answer = await app!.context.lambda(app!.context.run.specs.find((s) => s.name === "rdsm-reader")!.spec as never).invoke<{ records?: Array<Array<Record<string, unknown>>>; updated?: number; error?: string; message?: string }>({ sql: statement });
  expect(answer.error, answer.message).toBeUndefined();
  return answer;
};
const rows = async (statement: string) => ((await sql(statement)).records ?? []).map((row) => row.map((field) => (field.isNull ? null : Object.values(field)[0])));

beforeAll(() => {
  mkdirSync(folder);
  writeFileSync(join(folder, ALBUMS), "CREATE TABLE albums (id text PRIMARY KEY, title text NOT NULL);\nINSERT INTO albums VALUES ('a1', 'First album');\n");
  writeFileSync(join(folder, PHOTOS), "CREATE TABLE photos (id text PRIMARY KEY, album text NOT NULL REFERENCES albums (id));\n");
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

// One state directory through four starts, each test the next start of the story: in this order, also with
// --sequence.shuffle.
describe("schema migrations under npm start", { shuffle: false }, () => {
  it("applies the migrations folder at start, and a function sees the migrated tables", async () => {
    const lines = await start();
    expect(migrationLines(lines)).toEqual([
      `  ${NAME}: schema migrations: apply ${ALBUMS} (2 statements)`,
      `  ${NAME}: schema migrations: apply ${PHOTOS} (1 statement)`,
      `  ${NAME}: applied ${ALBUMS}, ${PHOTOS} (2 migrations)`,
    ]);
    expect(await rows("SELECT id, title FROM albums")).toEqual([["a1", "First album"]]);
    expect((await sql("INSERT INTO photos VALUES ('p1', 'a1')")).updated).toBe(1);
    expect(await rows("SELECT name FROM schema_migrations ORDER BY name")).toEqual([[ALBUMS], [PHOTOS]]);
  });

  it("applies nothing on a second start of the same state directory", async () => {
    const lines = await start();
    expect(migrationLines(lines)).toEqual([`  ${NAME}: schema migrations: 2 applied, none pending`, `  ${NAME}: schema up to date (2 migrations)`]);
    expect(await rows("SELECT id, album FROM photos")).toEqual([["p1", "a1"]]);
  });

  it("stops the start when an applied migration's file changed, naming the file and the fix, and applies nothing", async () => {
    const original = readFileSync(join(folder, ALBUMS), "utf8");
    appendFileSync(join(folder, ALBUMS), "-- renamed the title column later\n");
    writeFileSync(join(folder, COVERS), "ALTER TABLE albums ADD COLUMN cover text REFERENCES photos (id);\n");
    // Servers still listening (a closed server's handle may linger until its close callback; it listens no more).
    const listening = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().filter((handle) => handle instanceof Server && handle.listening).length;
    const before = listening();
    try {
      const error = await start().then(() => new Error("started"), (e: unknown) => e as Error);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error.message).toMatch(/^RelationalDatabase "rdsm-gallery": /);
      expect(error.message).toContain(`Migration ${ALBUMS} changed after it was applied`);
      expect(error.message).toContain("restore the file as it was applied, and add a new migration instead");
      expect(app).toBeUndefined();
      // The refused start stopped what it had started: the local Data API's endpoint no longer listens.
      expect(listening()).toBe(before);
    } finally {
      writeFileSync(join(folder, ALBUMS), original);
    }
  });

  it("keeps the database's data through a refused start: the start after the fix applies the new migration to it", async () => {
    const lines = await start();
    expect(migrationLines(lines)).toEqual([`  ${NAME}: schema migrations: apply ${COVERS} (1 statement)`, `  ${NAME}: applied ${COVERS} (3 migrations)`]);
    expect(await rows("SELECT id, title, cover FROM albums")).toEqual([["a1", "First album", null]]);
    expect(await rows("SELECT id, album FROM photos")).toEqual([["p1", "a1"]]);
  });
});
