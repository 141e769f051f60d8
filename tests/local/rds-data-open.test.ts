/**
 * How the local RDS Data API opens a database's folder (local/rds-data-worker.mjs): a folder made for another
 * databaseName or masterUsername reopens with the new master user's database added beside what it holds, and a new
 * cluster starts from the cached template, which is made again when it does not load.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { startLocalDataApi, type LocalDatabaseDefinition } from "../../local/rds-data-server";

const folder = mkdtempSync(join(tmpdir(), "rds-open-"));
const cacheDir = join(folder, "cache");
const previousCache = process.env.SERVERLESS_FULLSTACK_CACHE_DIR;

afterAll(() => rmSync(folder, { recursive: true, force: true }));

const definition = (databaseName: string, dataDir: string | undefined): LocalDatabaseDefinition => ({
  name: "open",
  clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:open-cluster-abc1234",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-AbCdEf",
  databaseName,
  masterUsername: "open_admin",
  region: "us-east-1",
  dataDir,
});

/** Starts the API on the folder, runs the statements in order, and answers the last one's rows. */
async function run(databaseName: string, dataDir: string | undefined, ...statements: string[]): Promise<unknown[]> {
  const api = await startLocalDataApi({ databases: [definition(databaseName, dataDir)], credentials: [] });
  const client = new RDSDataClient({ region: "us-east-1", endpoint: api.endpoint, credentials: api.adminCredentials, maxAttempts: 1 });
  try {
    let rows: unknown[] = [];
    for (const sql of statements) {
      const out = await client.send(new ExecuteStatementCommand({ ...api.targets.open, sql }));
      rows = (out.records ?? []).map((row) => row.map((field) => field.stringValue ?? field.longValue));
    }
    return rows;
  } finally {
    client.destroy();
    await api.stop();
  }
}

describe("opening a local database's folder", () => {
  it("reopens a folder made for another databaseName, adding the new database beside the old one", async () => {
    const dataDir = join(folder, "renamed");
    await run("first", dataDir, "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (1)");
    // The first database stays beside the new one.
    const databases = "(SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname IN ('first', 'second'))";
    expect(await run("second", dataDir, `SELECT current_database(), current_user, ${databases}`)).toEqual([["second", "open_admin", "first,second"]]);
  });

  it("starts a new cluster from the cached template, and makes the template again when it does not load", async () => {
    // A cache folder of its own: the test corrupts the template in it.
    process.env.SERVERLESS_FULLSTACK_CACHE_DIR = cacheDir;
    onTestFinished(() => {
      if (previousCache === undefined) delete process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
      else process.env.SERVERLESS_FULLSTACK_CACHE_DIR = previousCache;
    });
    const templates = join(cacheDir, "pglite");
    // In memory: the template is what a database on disk starts from as well, at a third of the cost here.
    await run("app", undefined, "SELECT 1");
    const [template] = readdirSync(templates);
    expect(template).toMatch(/^pglite-.+-cluster\.tar$/);
    writeFileSync(join(templates, template), "not a tarball");
    expect(await run("app", undefined, "SELECT current_database()")).toEqual([["app"]]);
    expect(existsSync(join(templates, template))).toBe(true);
  });
});
