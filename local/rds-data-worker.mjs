// One database of the local RDS Data API (local/rds-data-server.ts): its PGlite, in a worker thread. PGlite is
// PostgreSQL compiled to WebAssembly and runs synchronously: on the main thread a long statement froze every other
// emulator and a huge result ended the whole process (JavaScript heap out of memory). Here a statement can only
// stall or exhaust this worker (resourceLimits), which the server terminates and reopens.
// Plain JavaScript so the worker needs no TypeScript loader.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parentPort, threadId, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const { dataDir, largestResultBytes, extensions, username, database, templates } = workerData;
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

const quote = (identifier) => `"${identifier.replaceAll('"', '""')}"`;

/** Adds the master user's role and database to a cluster opened as PGlite's bootstrap superuser, unless there. */
async function addMasterUser(admin) {
  if ((await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [username])).rows.length === 0) await admin.query(`CREATE ROLE ${quote(username)} LOGIN CREATEROLE CREATEDB`);
  if ((await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])).rows.length === 0) await admin.query(`CREATE DATABASE ${quote(database)} OWNER ${quote(username)}`);
}

/** Writes a tarball aside and renames it: another worker making the same template never reads half a file. */
async function keep(file, tarball) {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}-${threadId}`;
  writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
  renameSync(partial, file);
}

/** A cluster as PGlite's initdb makes it, made once per PGlite version (the costly part: an initdb). */
async function initdbTemplate(options) {
  const file = templates.initdb;
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const fresh = await PGlite.create({ ...options, dataDir: undefined });
  const tarball = await fresh.dumpDataDir("none");
  await fresh.close();
  await keep(file, tarball);
  return tarball;
}

/**
 * A new cluster with the master user's role and database, as a data-directory tarball (`templates.cluster`, named
 * by the server after the PGlite version, master user and database; local/rds-data-server.ts, pgliteTemplateFiles):
 * made once from the initdb template, and loaded for every new database after that. Loading it costs a fraction of an
 * initdb and the role and database it adds, which every new local database (and every test that starts one) would
 * otherwise pay. Only with a cache folder (`templates`).
 */
async function clusterTemplate(options) {
  const file = templates.cluster;
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  // Made in memory from the initdb template: the database's own folder is loaded from the tarball next.
  const fresh = await PGlite.create({ ...options, dataDir: undefined, loadDataDir: await initdbTemplate(options) });
  await addMasterUser(fresh);
  const tarball = await fresh.dumpDataDir("none");
  await fresh.close();
  await keep(file, tarball);
  return tarball;
}

/**
 * A new cluster, opened as the master user: from the templates (a template that does not load is made again, from
 * initdb up), else by initdb.
 */
async function newCluster(options) {
  if (templates) {
    const fromTemplate = async () => PGlite.create({ ...options, loadDataDir: await clusterTemplate(options), username, database });
    // A template that does not load is made again: first this pair's, then (if that fails too) the initdb one it is
    // made from. Other databases' templates, which other workers may be reading, stay.
    for (const broken of [templates.cluster, templates.initdb]) {
      try {
        return await fromTemplate();
      } catch {
        rmSync(broken, { force: true });
        // The folder was new (no PG_VERSION): what the failed load left in it goes before the next load.
        if (options.dataDir) rmSync(options.dataDir, { recursive: true, force: true });
      }
    }
    return fromTemplate();
  }
  const admin = await PGlite.create(options);
  await addMasterUser(admin);
  if (options.dataDir) {
    await admin.close();
    return PGlite.create({ ...options, username, database });
  }
  // In memory: the prepared cluster is carried over as a dump.
  const dump = await admin.dumpDataDir("none");
  await admin.close();
  return PGlite.create({ ...options, loadDataDir: dump, username, database });
}

/**
 * The session Aurora gives the Data API's caller: the master user (a role of that name, not a superuser: it owns the
 * cluster's database, may create roles and databases, and creates the trusted extensions, as Aurora's rds_superuser
 * member does) in the cluster's database. PGlite's own bootstrap superuser is `postgres`: a master user of that name
 * stays a superuser. A new folder starts as newCluster makes it; a folder that lacks the master user's database (made
 * before it was, or for another databaseName or masterUsername) is opened as `postgres` and the role and database are
 * added to what it holds.
 */
async function open(options) {
  const made = dataDir !== undefined && existsSync(join(dataDir, "PG_VERSION"));
  if (!made) return newCluster({ ...options, ...(dataDir ? { dataDir } : {}) });
  let asMasterUser;
  try {
    return await PGlite.create({ ...options, dataDir, username, database });
  } catch (error) {
    asMasterUser = error;
  }
  let admin;
  try {
    admin = await PGlite.create({ ...options, dataDir });
  } catch (error) {
    throw new Error(`${error?.message ?? error} (opened as the master user: ${asMasterUser?.message ?? asMasterUser})`);
  }
  await addMasterUser(admin);
  await admin.close();
  return PGlite.create({ ...options, dataDir, username, database });
}

let db;
/**
 * The parsers and serializers that keep every value PostgreSQL's text (asText), made once: PGlite fills db.parsers
 * and db.serializers when it opens (its types and their arrays) and changes them after only on refreshArrayTypes(),
 * which nothing here calls; a type they lack passes as text anyway.
 */
let textCodecs;
try {
  db = await open({ extensions: await loadExtensions() });
  textCodecs = { parsers: asText(db.parsers), serializers: asText(db.serializers) };
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
    let result;
    try {
      result = await db.query(sql, params ?? [], {
        rowMode: options?.rowMode,
        paramTypes: options?.paramTypes,
        onNotice: () => {},
        ...(text ? textCodecs : {}),
      });
    } catch (error) {
      // An autocommit call's statement that failed: PostgreSQL rolled back its implicit transaction; one still open
      // (none should be) goes too.
      if (options?.settle && db.isInTransaction()) await db.exec("ROLLBACK").catch(() => {});
      throw error;
    }
    // An autocommit call (`settle`) whose SQL opened a transaction itself (BEGIN): committed here, so the next call
    // starts clean, in the same round trip. A statement outside a block ran in its own implicit transaction, already
    // committed; isInTransaction is PGlite's synchronous IsTransactionBlock().
    if (options?.settle && db.isInTransaction()) await db.exec("COMMIT");
    if (text) {
      // A result whose values alone pass the Data API's 1 MiB answer is refused here, before it is copied out. The
      // limit is on the answer's bytes: a value counts its UTF-8 bytes (Buffer.byteLength; `length` counts UTF-16 units,
      // and a row of multibyte text over 1 MiB in bytes would pass as under it).
      let bytes = 0;
      for (const row of result.rows) for (const value of row) bytes += typeof value === "string" ? Buffer.byteLength(value) : 4;
      if (bytes > largestResultBytes) return parentPort.postMessage({ id, ok: false, error: { tooLarge: true, message: `${bytes} bytes of values` } });
    }
    parentPort.postMessage({ id, ok: true, result: { rows: result.rows, fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })), command: result.command, rowCount: result.rowCount, affectedRows: result.affectedRows } });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: failure(error) });
  }
});
