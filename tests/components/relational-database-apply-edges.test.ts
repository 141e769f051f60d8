/**
 * applyMigrations at its edges, through the real local RDS Data API (local/rds-data-server.ts on an in-memory PGlite,
 * a real RDSDataClient signing with the server's admin credentials):
 * - a migration that changes the session's search_path still gets its record in public.schema_migrations, and the
 *   next deploy (whose session keeps that search_path) reads it there;
 * - a CommitTransaction that fails is reported with the migration's name and that the outcome is unknown.
 */
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DataApiTarget, Migration } from "../../components/relational-database/contract";
import { applyMigrations, MigrationError } from "../../components/relational-database/migrations";
import { startLocalDataApi, type LocalDataApi } from "../../local/rds-data-server";
import { migration } from "./relational-database-migrations-data-api";

const REGION = "us-east-1";
const DATABASE = {
  name: "edges",
  clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:edges-db",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-edges-AbCdEf",
  // The master user and database of the other RDS tests: new databases share one cluster template (local/rds-data-worker.mjs).
  databaseName: "gallery",
  masterUsername: "gallery_admin",
  region: REGION,
};

let api: LocalDataApi;
let client: RDSDataClient;
let target: DataApiTarget;

beforeEach(async () => {
  api = await startLocalDataApi({ databases: [DATABASE], credentials: [] });
  client = new RDSDataClient({ region: REGION, endpoint: api.endpoint, credentials: api.adminCredentials, maxAttempts: 1 });
  target = api.targets[DATABASE.name];
});

afterEach(async () => {
  client.destroy();
  await api.stop();
});

const apply = (migrations: Migration[]) => applyMigrations(client, target, migrations, { sleep: async () => {} });

async function rows(sql: string): Promise<string[]> {
  const out = await client.send(new ExecuteStatementCommand({ ...target, sql }));
  return (out.records ?? []).map((row) => row.map((field) => String(field.stringValue ?? field.longValue ?? field.isNull)).join(" "));
}

describe("applyMigrations through the local Data API", () => {
  it("records a migration that sets search_path in public.schema_migrations, and the next deploy reads it there", async () => {
    const first = migration("0001_app_schema.sql", "CREATE SCHEMA app;\nSET search_path TO app;\nCREATE TABLE albums (id text PRIMARY KEY);");
    const second = migration("0002_photos.sql", "CREATE TABLE photos (id text PRIMARY KEY);");
    expect(await apply([first, second])).toEqual({ applied: [first.name, second.name] });
    expect(await rows("SELECT name FROM public.schema_migrations ORDER BY name")).toEqual([first.name, second.name]);
    // The SET outlived its transaction on the session: the second migration's table went to app as well.
    expect(await rows("SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('app', 'public') ORDER BY 1")).toEqual([
      "app.albums",
      "app.photos",
      "public.schema_migrations",
    ]);
    // A second deploy, on a session whose search_path is app, finds both applied.
    expect(await apply([first, second])).toEqual({ applied: [] });
  });

  it("reports a failed CommitTransaction with the migration's name and an unknown outcome, and a deploy again decides", async () => {
    const good = migration("0001_albums.sql", "CREATE TABLE albums (id text PRIMARY KEY);");
    // A deferred constraint is checked at COMMIT: the commit itself fails.
    const deferred = migration(
      "0002_photos.sql",
      "CREATE TABLE photos (id text PRIMARY KEY, album text REFERENCES albums (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO photos VALUES ('p1', 'no-such-album');",
    );
    const error = await apply([good, deferred]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationError);
    const message = (error as MigrationError).message;
    expect(message).toMatch(/^Migration 0002_photos\.sql: its CommitTransaction failed \(DatabaseErrorException: .*foreign key constraint.*\), so whether it was committed is unknown\. /);
    expect(message).toContain("Deploy again: public.schema_migrations decides");
    expect((error as MigrationError).cause).toMatchObject({ name: "DatabaseErrorException" });
    // Here it was not committed: nothing of it is recorded or left, and the next deploy applies it again (and fails again).
    expect(await rows("SELECT name FROM public.schema_migrations ORDER BY name")).toEqual([good.name]);
    expect(await rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'photos'")).toEqual(["0"]);
    await expect(apply([good, deferred])).rejects.toThrow(/^Migration 0002_photos\.sql: its CommitTransaction failed/);
  });
});
