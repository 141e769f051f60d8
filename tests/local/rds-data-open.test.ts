/**
 * How the local RDS Data API makes a new database (local/rds-data-worker.mjs): from the cluster template in the cache
 * folder, which is made again when it does not load. (Reopening a folder made for another databaseName:
 * tests/local/rds-data.test.ts.)
 */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { describe, expect, it } from "vitest";
import { pgliteTemplateFiles, startLocalDataApi, type LocalDatabaseDefinition } from "../../local/rds-data-server";

const definition = (databaseName: string): LocalDatabaseDefinition => ({
  name: "open",
  clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:open-cluster-abc1234",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-AbCdEf",
  databaseName,
  masterUsername: "open_admin",
  region: "us-east-1",
});

/** Starts the API on a new in-memory database, runs the statements in order, and answers the last one's rows. */
async function run(databaseName: string, ...statements: string[]): Promise<unknown[]> {
  const api = await startLocalDataApi({ databases: [definition(databaseName)], credentials: [] });
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
    // The project's cache folder, where every test's databases find the initdb template: this master user and
    // database are this test's alone, so the cluster template it breaks is one no other test reads.
    const template = pgliteTemplateFiles("open_admin", "app")!.cluster;
    mkdirSync(dirname(template), { recursive: true });
    writeFileSync(template, "not a tarball");
    expect(await run("app", "SELECT current_database(), current_user")).toEqual([["app", "open_admin"]]);
    // Made again, whole: a PGlite tarball, not the broken file.
    expect(statSync(template).size).toBeGreaterThan(1024 * 1024);
  });
});

describe("opening several databases", () => {
  it("opens them side by side and serves each; one that cannot open stops the start and closes the others", async () => {
    const second: LocalDatabaseDefinition = { ...definition("app"), name: "second", clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:second-cluster-abc1234" };
    const api = await startLocalDataApi({ databases: [definition("app"), second], credentials: [] });
    const client = new RDSDataClient({ region: "us-east-1", endpoint: api.endpoint, credentials: api.adminCredentials, maxAttempts: 1 });
    try {
      for (const name of ["open", "second"]) {
        await client.send(new ExecuteStatementCommand({ ...api.targets[name], sql: `CREATE TABLE only_in_${name} (id int)` }));
        const out = await client.send(new ExecuteStatementCommand({ ...api.targets[name], sql: "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_name LIKE 'only_in_%'" }));
        expect(out.records).toEqual([[{ stringValue: `only_in_${name}` }]]);
      }
    } finally {
      client.destroy();
      await api.stop();
    }
    // A folder PGlite cannot open (a PG_VERSION and nothing else): the start fails naming it, and nothing is left running.
    const broken = mkdtempSync(join(tmpdir(), "rds-broken-"));
    writeFileSync(join(broken, "PG_VERSION"), "18\n");
    const workers = () => (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((kind) => kind === "MessagePort").length;
    const before = workers();
    await expect(startLocalDataApi({ databases: [definition("app"), { ...second, dataDir: broken }], credentials: [] })).rejects.toThrow(`RelationalDatabase "second": PGlite could not open ${broken}`);
    expect(workers()).toBe(before);
  });
});
