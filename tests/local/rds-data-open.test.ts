/**
 * How the local RDS Data API makes a new database (local/rds-data-worker.mjs): from the cluster template in the cache
 * folder, which is made again when it does not load. (Reopening a folder made for another databaseName:
 * tests/local/rds-data.test.ts.)
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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
  it("starts a new cluster from the cached template, and makes the template again when it does not load", async () => {
    // A cache folder of its own: the test corrupts the template in it.
    process.env.SERVERLESS_FULLSTACK_CACHE_DIR = cacheDir;
    onTestFinished(() => {
      if (previousCache === undefined) delete process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
      else process.env.SERVERLESS_FULLSTACK_CACHE_DIR = previousCache;
    });
    // The template the workers look for (named after the installed PGlite's version…), written broken.
    const { version } = JSON.parse(readFileSync(join(dirname(dirname(require.resolve("@electric-sql/pglite"))), "package.json"), "utf8")) as { version: string };
    // …and after the master user and database it holds.
    const key = createHash("sha256").update(JSON.stringify(["open_admin", "app"])).digest("hex").slice(0, 16);
    const template = join(cacheDir, "pglite", `pglite-${version}-cluster-${key}.tar`);
    mkdirSync(dirname(template), { recursive: true });
    writeFileSync(template, "not a tarball");
    expect(await run("app", undefined, "SELECT current_database(), current_user")).toEqual([["app", "open_admin"]]);
    // Made again, whole: a PGlite tarball, not the broken file.
    expect(statSync(template).size).toBeGreaterThan(1024 * 1024);
  });
});
