// One database of the local RDS Data API (local/rds-data-server.ts): its PGlite, in a worker thread. PGlite is
// PostgreSQL compiled to WebAssembly and runs synchronously: on the main thread a long statement froze every other
// emulator and a huge result ended the whole process (JavaScript heap out of memory). Here a statement can only
// stall or exhaust this worker (resourceLimits), which the server terminates and reopens.
// Plain JavaScript so the worker needs no TypeScript loader.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parentPort, threadId, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const { dataDir, largestResultBytes, extensions, username, database } = workerData;
const identity = (value) => value;
/** Every type PGlite would parse or serialize passes as text: the Data API's mapping works from PostgreSQL's text. */
const asText = (codecs) => Object.fromEntries(Object.keys(codecs ?? {}).map((oid) => [oid, identity]));

/** A PostgreSQL error keeps its fields (the server answers DatabaseErrorException from them); another, its message. */
const failure = (error) => ({ message: String(error?.message ?? error), code: error?.code, position: error?.position, severity: error?.severity });

async function loadExtensions() {
  const loaded = {};
  for (const name of extensions ?? []) {
    const module = await import(`@electric-sql/pglite/contrib/${name}`);
    loaded[name] = module[name];
  }
  return loaded;
}

/**
 * A new PostgreSQL cluster as PGlite's initdb makes it, as a data-directory tarball: made once per PGlite version on
 * this machine (in the OS temp folder) and loaded for every new database after that. Loading it takes about a third of
 * an initdb, which every new local database (and every test that starts one) would otherwise pay.
 */
async function pristineCluster(options) {
  const packageDir = dirname(dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite"))));
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const file = join(tmpdir(), `serverless-fullstack-pglite-${version}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const fresh = await PGlite.create(options);
  const dump = await fresh.dumpDataDir("none");
  await fresh.close();
  // Written aside and renamed: another worker making it at the same time never reads half a file.
  const partial = `${file}.${process.pid}-${threadId}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  return dump;
}

const quote = (identifier) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * The session Aurora gives the Data API's caller: the master user (a role of that name, not a superuser: it owns the
 * cluster's database, may create roles and databases, and creates the trusted extensions, as Aurora's rds_superuser
 * member does) in the cluster's database. PGlite's own bootstrap superuser is `postgres`: a master user of that name
 * stays a superuser. Made once, on the first open of a data directory (PGlite cannot open a database that does not
 * exist yet: a directory made before the master user was, fails that open and is prepared as `postgres`).
 */
async function open(options) {
  if (dataDir && existsSync(join(dataDir, "PG_VERSION"))) {
    try {
      return await PGlite.create({ ...options, dataDir, username, database });
    } catch {
      // Not yet made (or unreadable: then the open below fails and says why).
    }
  }
  const admin = await PGlite.create({ ...options, ...(dataDir ? { dataDir } : {}), loadDataDir: await pristineCluster(options) });
  if ((await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [username])).rows.length === 0) await admin.query(`CREATE ROLE ${quote(username)} LOGIN CREATEROLE CREATEDB`);
  if ((await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])).rows.length === 0) await admin.query(`CREATE DATABASE ${quote(database)} OWNER ${quote(username)}`);
  if (dataDir) {
    await admin.close();
    return PGlite.create({ ...options, dataDir, username, database });
  }
  // In memory: the prepared cluster is carried over as a dump.
  const dump = await admin.dumpDataDir("none");
  await admin.close();
  return PGlite.create({ ...options, loadDataDir: dump, username, database });
}

let db;
try {
  db = await open({ extensions: await loadExtensions() });
  // Aurora's session settings the results are formatted in: UTC, ISO dates, hex bytea.
  await db.exec("SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, MDY'; SET bytea_output TO 'hex'; SET IntervalStyle TO 'postgres'");
  const { rows } = await db.query("SHOW server_version");
  parentPort.postMessage({ ready: true, version: rows[0].server_version });
} catch (error) {
  parentPort.postMessage({ ready: false, error: failure(error) });
}

parentPort.on("message", async ({ id, op, sql, params, options }) => {
  try {
    if (op === "close") {
      await db.close();
      return parentPort.postMessage({ id, ok: true });
    }
    const text = options?.text === true;
    const result = await db.query(sql, params ?? [], {
      rowMode: options?.rowMode,
      paramTypes: options?.paramTypes,
      onNotice: () => {},
      ...(text ? { parsers: asText(db.parsers), serializers: asText(db.serializers) } : {}),
    });
    if (text) {
      // A result whose values alone pass the Data API's 1 MiB answer is refused here, before it is copied out.
      let bytes = 0;
      for (const row of result.rows) for (const value of row) bytes += typeof value === "string" ? value.length : 4;
      if (bytes > largestResultBytes) return parentPort.postMessage({ id, ok: false, error: { tooLarge: true, message: `${bytes} characters of values` } });
    }
    parentPort.postMessage({ id, ok: true, result: { rows: result.rows, fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })), command: result.command, rowCount: result.rowCount, affectedRows: result.affectedRows } });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: failure(error) });
  }
});
