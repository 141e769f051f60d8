/**
 * How the local RDS Data API makes new databases (local/rds-data-worker.mjs): side by side, each from the cluster
 * template in the cache folder, which is made again when it does not load; one that cannot open stops the start and
 * leaves no worker running. (Reopening a folder made for another databaseName: tests/local/rds-data.test.ts.)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
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

const second: LocalDatabaseDefinition = { ...definition("app"), name: "second", clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:second-cluster-abc1234" };

/**
 * A tarball holding a PG_VERSION and nothing else (ustar, as PGlite's untar reads it): it loads, and leaves a folder
 * PGlite then refuses to load into again ("Database already exists") and cannot start.
 */
function versionOnlyTarball(): Buffer {
  const data = Buffer.from("17\n");
  const header = Buffer.alloc(512);
  header.write("PG_VERSION", 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("0", 156);
  header.write("ustar\u000000", 257);
  // The checksum is the header's bytes summed with its own field as spaces.
  header.write("        ", 148);
  header.write(`${header.reduce((sum, byte) => sum + byte, 0).toString(8).padStart(6, "0")}\0 `, 148);
  return Buffer.concat([header, data, Buffer.alloc(512 - data.length), Buffer.alloc(1024)]);
}

/**
 * The files the templates are, by inode: one made anew is a new file renamed over the cached one (local/rds-data-worker.mjs,
 * keep), while a read only touches its mtime.
 */
const madeFiles = (template: { initdb: string; cluster: string }) => [statSync(template.initdb).ino, statSync(template.cluster).ino];

// The first test makes this file's cluster template (open_admin/app), which the next two read as it was: in this
// order, also with --sequence.shuffle (on a clean cache the template would not exist yet).
describe("opening local databases", { shuffle: false }, () => {
  it("starts new clusters side by side from the cached template, making the template again when it does not load, and removes stale partial writes of any template", async () => {
    // The project's cache folder, where every test's databases find the initdb template: this master user and
    // database are this file's alone, so the cluster template it breaks is one no other test reads.
    const template = pgliteTemplateFiles("open_admin", "app")!.cluster;
    mkdirSync(dirname(template), { recursive: true });
    writeFileSync(template, versionOnlyTarball());
    // Aside files of template writers (local/rds-data-worker.mjs, keep): one a killed writer left an hour ago, past the
    // 10 minutes a live writer could still own it, and one written now, as a live writer's would be; the same of
    // another PGlite version's template, which no later run uses; and that template itself, as old, which is no
    // aside file.
    const otherVersion = join(dirname(template), "pglite-0.0.1-initdb.tar");
    const [stale, fresh, otherStale, otherFresh] = [template, otherVersion].flatMap((file) => ["0", "f"].map((digit) => `${file}.${digit.repeat(16)}.partial`));
    for (const [file, minutes] of [[stale, 60], [fresh, 0], [otherStale, 60], [otherFresh, 0], [otherVersion, 60]] as const) {
      writeFileSync(file, "half a tarball");
      const at = (Date.now() - minutes * 60_000) / 1000;
      utimesSync(file, at, at);
    }
    // One database in memory, the other in a folder: the template's failed load leaves a PG_VERSION there.
    const folder = mkdtempSync(join(tmpdir(), "rds-remade-"));
    const api = await startLocalDataApi({ databases: [definition("app"), { ...second, dataDir: folder }], credentials: [] });
    const client = new RDSDataClient({ region: "us-east-1", endpoint: api.endpoint, credentials: api.adminCredentials, maxAttempts: 1 });
    try {
      for (const name of ["open", "second"]) {
        const session = await client.send(new ExecuteStatementCommand({ ...api.targets[name], sql: "SELECT current_database(), current_user" }));
        expect(session.records).toEqual([[{ stringValue: "app" }, { stringValue: "open_admin" }]]);
        // Each database its own cluster: a table made in one is not in the other.
        await client.send(new ExecuteStatementCommand({ ...api.targets[name], sql: `CREATE TABLE only_in_${name} (id int)` }));
        const out = await client.send(new ExecuteStatementCommand({ ...api.targets[name], sql: "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_name LIKE 'only_in_%'" }));
        expect(out.records).toEqual([[{ stringValue: `only_in_${name}` }]]);
      }
    } finally {
      client.destroy();
      await api.stop();
    }
    // Made again, whole: a PGlite tarball, not the broken file.
    expect(statSync(template).size).toBeGreaterThan(1024 * 1024);
    // The stale aside files removed as the new databases were made, of either version; the others left, to their
    // writer or as no aside file.
    const left = [stale, fresh, otherStale, otherFresh, otherVersion].map((file) => existsSync(file));
    for (const file of [fresh, otherFresh, otherVersion]) rmSync(file, { force: true });
    expect(left).toEqual([false, true, false, true, true]);
  });

  it("makes a new database in a folder that holds other files (no PG_VERSION) by emptying it, from the cached templates as they were", async () => {
    const folder = mkdtempSync(join(tmpdir(), "rds-cluttered-"));
    // A file where the template's tarball makes a directory: a load into the folder as it is would fail. A mount
    // point's lost+found and a dot-file are left where they are.
    writeFileSync(join(folder, "base"), "not a directory");
    mkdirSync(join(folder, "lost+found"));
    writeFileSync(join(folder, ".DS_Store"), "");
    const template = pgliteTemplateFiles("open_admin", "app")!;
    const made = madeFiles(template);
    const api = await startLocalDataApi({ databases: [{ ...definition("app"), dataDir: folder }], credentials: [] });
    const client = new RDSDataClient({ region: "us-east-1", endpoint: api.endpoint, credentials: api.adminCredentials, maxAttempts: 1 });
    try {
      const session = await client.send(new ExecuteStatementCommand({ ...api.targets.open, sql: "SELECT current_database(), current_user" }));
      expect(session.records).toEqual([[{ stringValue: "app" }, { stringValue: "open_admin" }]]);
    } finally {
      client.destroy();
      await api.stop();
    }
    expect(statSync(join(folder, "PG_VERSION")).isFile()).toBe(true);
    expect([existsSync(join(folder, "lost+found")), existsSync(join(folder, ".DS_Store"))]).toEqual([true, true]);
    // The folder was emptied before the load, so the load did not fail: neither template was made again. (With the
    // cache off, the same emptying precedes the initdb: tests/local/rds-data-failures.test.ts, without an initdb.)
    expect(madeFiles(template)).toEqual(made);
  });

  it("refuses a new database's folder that holds files a database folder does not, removing none of them", async () => {
    const folder = mkdtempSync(join(tmpdir(), "rds-foreign-"));
    // No PG_VERSION: not a database yet, but not the remains of a load either (a folder linked to the wrong place).
    writeFileSync(join(folder, "notes.txt"), "mine");
    mkdirSync(join(folder, "pg_backups"));
    writeFileSync(join(folder, "base"), "not a directory");
    writeFileSync(join(folder, ".DS_Store"), "");
    await expect(startLocalDataApi({ databases: [{ ...definition("app"), dataDir: folder }], credentials: [] })).rejects.toThrow(
      `RelationalDatabase "open": PGlite could not open ${folder} (${folder} holds no PG_VERSION but other files (notes.txt, pg_backups): not a database folder this runtime made, so nothing in it was removed; move those files away, or delete the folder to begin this database empty).`,
    );
    expect(readdirSync(folder).sort()).toEqual([".DS_Store", "base", "notes.txt", "pg_backups"]);
  });

  it("stops the start when one database cannot open, naming it, and closes the others", async () => {
    // A folder PGlite cannot open (a PG_VERSION and nothing else).
    const broken = mkdtempSync(join(tmpdir(), "rds-broken-"));
    writeFileSync(join(broken, "PG_VERSION"), "18\n");
    const workers = () => (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((kind) => kind === "MessagePort").length;
    const before = workers();
    const template = pgliteTemplateFiles("open_admin", "app")!;
    const made = madeFiles(template);
    await expect(startLocalDataApi({ databases: [definition("app"), { ...second, dataDir: broken }], credentials: [] })).rejects.toThrow(`RelationalDatabase "second": PGlite could not open ${broken}`);
    // The database that opened did so from the cached templates, as they were: neither was made again.
    expect(madeFiles(template)).toEqual(made);
    // A folder that cannot be made (under a file): the start fails with the file system's error before any worker
    // starts, and closing the databases made so far logs nothing (they have no worker yet).
    const logged: string[] = [];
    const underAFile = join(broken, "PG_VERSION", "data");
    await expect(startLocalDataApi({ databases: [definition("app"), { ...second, dataDir: underAFile }], credentials: [], log: (line) => logged.push(line) })).rejects.toThrow(/ENOTDIR/);
    expect(logged).toEqual([]);
    // At most as many as before: a worker an earlier file of this shared process left ending may go meanwhile; one this start left would stay.
    expect(workers()).toBeLessThanOrEqual(before);
  });
});
