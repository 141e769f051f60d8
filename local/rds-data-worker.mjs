// One database of the local RDS Data API (local/rds-data-server.ts): its PGlite, in a worker thread. PGlite is
// PostgreSQL compiled to WebAssembly and runs synchronously: on the main thread a long statement froze every other
// emulator and a huge result ended the whole process (JavaScript heap out of memory). Here a statement can only
// stall or exhaust this worker (resourceLimits), which the server terminates and reopens.
// Plain JavaScript so the worker needs no TypeScript loader.
import { randomBytes } from "node:crypto";
import { closeSync, futimesSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { thrownText } from "./thrown-text.cjs";

const { dataDir, largestResultBytes, extensions, username, database, templates, pgliteModule } = workerData;
const identity = (value) => value;
/** Every type PGlite would parse or serialize passes as text: the Data API's mapping works from PostgreSQL's text. */
const asText = (codecs) => Object.fromEntries(Object.keys(codecs ?? {}).map((oid) => [oid, identity]));

/**
 * A PostgreSQL error keeps its fields (the server answers DatabaseErrorException from them); another, its text
 * (thrownText: PGlite also rejects with objects that are no Error).
 */
const failure = (error) => ({ message: thrownText(error), code: error?.code, position: error?.position, severity: error?.severity });

/**
 * Not an extension: sets emscripten's `noWasmDecoding`, so PGlite writes each extension's library (.so) into its file
 * system without compiling it at open, and PostgreSQL compiles one when a statement first needs it (CREATE EXTENSION,
 * or a function of an installed one). Compiling all 22 at every open cost ≈170 ms of CPU, 40 % of opening a database.
 */
const compileLibrariesOnFirstUse = { name: "compile-libraries-on-first-use", setup: async (_pg, emscriptenOptions) => ({ emscriptenOpts: { ...emscriptenOptions, noWasmDecoding: true } }) };

async function loadExtensions() {
  // First: PGlite passes the options each setup returns on to the next, and reads them when it loads the libraries.
  const loaded = { [compileLibrariesOnFirstUse.name]: compileLibrariesOnFirstUse };
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

/**
 * How old (since its last write) an aside file of a template must be to be another writer's leftover: a worker killed
 * between writing it and renaming it. A live writer renames its own right after writing it whole, in one call (up to
 * ≈50 MB: seconds at most, even on a slow disk), so one untouched for 10 minutes has no writer left; the margin also
 * covers the clocks of other machines or containers sharing the cache folder differing by minutes.
 */
const STALE_PARTIAL_MS = 10 * 60_000;
/** An aside file's name for `file` (keep): random, as processes of other machines or containers may share the folder. */
const asideName = (file) => `${file}.${randomBytes(8).toString("hex")}.partial`;
/**
 * Whether a folder entry is an aside file (asideName) of a template: of any template, as the templates' folder holds
 * nothing else (local/rds-data-server.ts, pgliteTemplateFiles), so another PGlite version's are recognised too. Every
 * template is a tarball (`.tar`).
 */
const isAside = (entry) => /^.+\.tar\.[0-9a-f]{16}\.partial$/.test(entry);

/**
 * Writes a tarball aside and renames it: another worker reading the same template never reads half a file. The aside
 * name is random (processes of other machines or containers may share the cache folder), and removed if the write fails.
 */
async function keep(file, tarball) {
  mkdirSync(dirname(file), { recursive: true });
  const partial = asideName(file);
  try {
    writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * How long a template may go unused (neither made nor read: each read touches its mtime, as atime is not kept on
 * relatime or noatime mounts) before a new database's sweep removes it. The initdb template is ≈40 MB, each cluster
 * template ≈50 MB, and no later run reads an older PGlite version's, nor the cluster template of a master user and
 * database the project no longer has: without a bound each upgrade left ≈90 MB or more behind for good. Every new
 * local database (a first `npm start`, --fresh, each test run's) reads the templates it needs; a database reopened
 * from its folder reads none. A sweep never removes the templates of the database it runs for (sweepTemplates), so
 * what the bound costs is a cluster template of another master user and database unused for 30 days made again when
 * next needed (from the initdb template: a fraction of an initdb); an upgrade's leftovers go 30 days after. The bound
 * is far beyond the clocks of machines or containers sharing the folder differing.
 */
const UNUSED_TEMPLATE_MS = 30 * 24 * 60 * 60_000;
/** Whether a folder entry is a template (local/rds-data-server.ts, pgliteTemplateFiles) of any PGlite version. */
const isTemplate = (entry) => /^pglite-.+\.tar$/.test(entry);

/**
 * Removes from a templates' folder what no worker will read again: aside files (keep) untouched for STALE_PARTIAL_MS,
 * a killed writer's, and templates unused for UNUSED_TEMPLATE_MS, of this PGlite version or another (no later run
 * reads an older version's, so only this sweep removes them). Never `own`, the templates this database is about to
 * read (and so touch) or make. A template another worker opened before its removal is still read whole: removing a
 * file removes its name, and its content stays until the last open descriptor closes (POSIX unlink; over NFS a
 * reader on another machine may fail instead, and that worker makes the template again). A worker that finds it gone
 * makes it. At each new database; best effort: a folder that cannot be read, or a file another worker removes first,
 * leaves the folder as it is.
 */
function sweepTemplates(folder, own) {
  let entries;
  try {
    entries = readdirSync(folder);
  } catch {
    return;
  }
  for (const entry of entries) {
    const bound = isAside(entry) ? STALE_PARTIAL_MS : isTemplate(entry) && !own.has(entry) ? UNUSED_TEMPLATE_MS : undefined;
    if (bound === undefined) continue;
    try {
      if (Date.now() - statSync(join(folder, entry)).mtimeMs > bound) rmSync(join(folder, entry), { force: true });
    } catch {
      // Gone meanwhile (another worker removing it too).
    }
  }
}

/**
 * A cached template's contents, or undefined when it cannot be opened (none yet, or removed by a sweep: made again).
 * Opened before anything else, so a sweep that removes it afterwards leaves this read whole (sweepTemplates), and
 * touched, so that no sweep takes it for unused. A failed touch (a cache folder of another user) is ignored: the
 * template is then made again once UNUSED_TEMPLATE_MS after it was made. A failed read throws: the template's.
 */
function readCached(file) {
  let fd;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    try {
      const now = new Date();
      futimesSync(fd, now, now);
    } catch {
      // Not ours to touch.
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's bytes as the tarball PGlite's loadDataDir takes: it reads only `arrayBuffer()` and `type` (a gzip type
 * would be decompressed first). Not a Blob: `new Blob([bytes])` copied the ≈50 MB template into the Blob's storage,
 * and PGlite's `arrayBuffer()` read it back in chunks and joined them — two more copies of every new database's
 * template and ≈0.1–0.25 CPU-second of its open, measured (with the garbage they left).
 */
function asTarball(bytes) {
  // readFileSync gives a file this size a buffer of its own; a pooled one (a tiny file) is copied out.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { type: "", size: bytes.byteLength, arrayBuffer: async () => whole };
}

/**
 * A template's tarball: the cached file, or, when it is missing or `remake` says so, made by `make` and kept; `read`
 * collects the files that came from the cache. A cached template is replaced only by a newly made one (other workers
 * may be reading it), and removed only once unused for UNUSED_TEMPLATE_MS (sweepTemplates). Two workers that find none make it both (the second rename wins, and
 * each database opens from its own): a lock making one wait for the other would save seconds of CPU once per PGlite
 * version on a cold cache, but a holder that died or stalls (killed, stopped in a debugger, in another container whose
 * pids mean nothing here) would hold every start back until the lock is taken for stale, a bound above the slowest
 * initdb on a loaded machine (minutes).
 */
async function template(file, remake, read, make) {
  if (!remake) {
    read.add(file);
    const cached = readCached(file);
    if (cached) return asTarball(cached);
    read.delete(file);
  }
  const tarball = await make();
  try {
    await keep(file, tarball);
  } catch {
    // Not kept (a full or read-only cache folder): this database opens from the one in memory, the next makes it again.
  }
  return tarball;
}

/** A cluster as PGlite's initdb makes it (the costly part), made once per PGlite version. */
async function initdbTarball(options) {
  const fresh = await PGlite.create({ ...options, dataDir: undefined });
  try {
    return await fresh.dumpDataDir("none");
  } finally {
    await fresh.close();
  }
}

/**
 * A new cluster with the master user's role and database, as a data-directory tarball (`templates.cluster`, named
 * by the server after the PGlite version, master user and database; local/rds-data-server.ts, pgliteTemplateFiles):
 * made once from the initdb template (`templates.initdb`), and loaded for every new database after that. Loading it
 * costs a fraction of an initdb and the role and database it adds, which every new local database (and every test
 * that starts one) would otherwise pay. `remake`: the templates to make again rather than read.
 */
function clusterTemplate(options, remake, read) {
  return template(templates.cluster, remake.has(templates.cluster), read, async () => {
    const initdb = await template(templates.initdb, remake.has(templates.initdb), read, () => initdbTarball(options));
    // Made in memory from the initdb template: the database's own folder is loaded from the tarball next.
    const fresh = await PGlite.create({ ...options, dataDir: undefined, loadDataDir: initdb });
    try {
      await addMasterUser(fresh);
      return await fresh.dumpDataDir("none");
    } finally {
      await fresh.close();
    }
  });
}

/**
 * What a PostgreSQL data folder holds at its top, by name: what PGlite's initdb template holds, and postmaster.opts.
 * Exact names, so a user's `pg_backups` is never taken for one.
 */
const DATA_FOLDER_ENTRIES = new Set([
  "PG_VERSION", "base", "global", "pg_commit_ts", "pg_dynshmem", "pg_hba.conf", "pg_ident.conf", "pg_logical", "pg_multixact", "pg_notify", "pg_replslot",
  "pg_serial", "pg_snapshots", "pg_stat", "pg_stat_tmp", "pg_subtrans", "pg_tblspc", "pg_twophase", "pg_wal", "pg_xact", "postgresql.auto.conf",
  "postgresql.conf", "postmaster.opts", "postmaster.pid",
]);
/** Left where they are, never a reason to refuse: a mount point's lost+found, a desktop's dot-files (.DS_Store). */
const LEFT_IN_PLACE = (entry) => entry === "lost+found" || entry.startsWith(".");

/**
 * Empties a new database's folder of what a load that failed part-way left there, keeping the folder (it may be a
 * mount point or a link the user made). Only a data folder's own entries: a folder that holds anything else is not one
 * this runtime made, and is refused rather than emptied.
 */
function empty(folder) {
  mkdirSync(folder, { recursive: true });
  const entries = readdirSync(folder).filter((entry) => !LEFT_IN_PLACE(entry));
  const foreign = entries.filter((entry) => !DATA_FOLDER_ENTRIES.has(entry));
  if (foreign.length > 0) {
    throw new Error(`${folder} holds no PG_VERSION but other files (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}): not a database folder this runtime made, so nothing in it was removed; move those files away, or delete the folder to begin this database empty`);
  }
  for (const entry of entries) rmSync(join(folder, entry), { recursive: true, force: true });
}

/**
 * A new cluster that could not be made (newCluster): `first`, its first error, is the one reported; `facts` tell the
 * server's refusal what was tried, so that it suggests what can help (deleting a folder that held no database cannot):
 * `templates`, whether it was made from the templates; `remade`, the templates made anew after a cached one did not
 * load; `last`, the last error's text when it differs from the first's.
 */
class NewClusterError extends Error {
  constructor(first, facts) {
    super(thrownText(first));
    this.first = first;
    this.facts = facts;
  }
}

/**
 * A new cluster, opened as the master user: from the templates, else by initdb. Its folder (when it has one) holds
 * nothing of a database (no PG_VERSION) and is emptied (empty) before each load of a template, or the initdb: what an
 * earlier load left would fail it, and a failed load may leave a PG_VERSION, which makes PGlite refuse the next
 * ("Database already exists"). A load that still fails is taken for the template's (a full or read-only disk too: it
 * then fails again, after the remakes): a database that does not open from a cached template is tried again from
 * templates made anew (the cluster's, then also the initdb one it is made from), which replace the cached ones. When
 * neither helps, a NewClusterError reports the first error.
 */
async function newCluster(options) {
  if (templates) {
    const own = new Set([basename(templates.cluster), basename(templates.initdb)]);
    for (const folder of new Set([dirname(templates.cluster), dirname(templates.initdb)])) sweepTemplates(folder, own);
    let first;
    let remake = new Set();
    for (;;) {
      if (options.dataDir) empty(options.dataDir);
      const read = new Set();
      try {
        const tarball = await clusterTemplate(options, remake, read);
        return await PGlite.create({ ...options, loadDataDir: tarball, username, database });
      } catch (error) {
        first ??= error;
        if (read.has(templates.cluster)) remake = new Set([templates.cluster]);
        else if (read.has(templates.initdb)) remake = new Set([templates.cluster, templates.initdb]);
        else {
          const last = thrownText(error);
          throw new NewClusterError(first, { templates: true, remade: [...remake], ...(last !== thrownText(first) ? { last } : {}) });
        }
      }
    }
  }
  if (options.dataDir) empty(options.dataDir);
  try {
    const admin = await PGlite.create(options);
    await addMasterUser(admin);
    if (options.dataDir) {
      await admin.close();
      return await PGlite.create({ ...options, username, database });
    }
    // In memory: the prepared cluster is carried over as a dump.
    const dump = await admin.dumpDataDir("none");
    await admin.close();
    return await PGlite.create({ ...options, loadDataDir: dump, username, database });
  } catch (error) {
    throw new NewClusterError(error, { templates: false, remade: [] });
  }
}

/**
 * Whether a folder holds PG_VERSION, made by an earlier open. Only "no such file" means no: another error (a mount
 * that does not answer, no permission) is thrown, since a folder taken for a new one is emptied.
 */
function hasVersionFile(folder) {
  try {
    statSync(join(folder, "PG_VERSION"));
    return true;
  } catch (error) {
    if (error?.code === "ENOENT") return false;
    throw error;
  }
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
  const made = dataDir !== undefined && hasVersionFile(dataDir);
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
    throw new Error(`${thrownText(error)} (opened as the master user: ${thrownText(asMasterUser)})`);
  }
  await addMasterUser(admin);
  await admin.close();
  return PGlite.create({ ...options, dataDir, username, database });
}

/**
 * PGlite's own, with 32 MB of shared buffers instead of the 128 MB initdb sets: PostgreSQL's shared memory is zeroed as
 * it is mapped in WebAssembly, so every open touched all 128 MB (39,000 page faults, ≈75 ms of system CPU); 32 MB holds
 * a local database's working set, and PostgreSQL reads the rest from the data directory through the OS's page cache.
 */
const START_PARAMETERS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"];

let db;
/**
 * The parsers and serializers that keep every value PostgreSQL's text (asText), made once: PGlite fills db.parsers
 * and db.serializers when it opens (its types and their arrays) and changes them after only on refreshArrayTypes(),
 * which nothing here calls; a type they lack passes as text anyway.
 */
let textCodecs;
try {
  // The server's compiled pglite.wasm, shared by every database's worker (local/rds-data-server.ts, compiledPglite).
  db = await open({ extensions: await loadExtensions(), pgliteWasmModule: pgliteModule, startParams: START_PARAMETERS });
  textCodecs = { parsers: asText(db.parsers), serializers: asText(db.serializers) };
  // Aurora's session settings the results are formatted in: UTC, ISO dates, hex bytea.
  await db.exec("SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, MDY'; SET bytea_output TO 'hex'; SET IntervalStyle TO 'postgres'");
  const { rows } = await db.query("SHOW server_version");
  parentPort.postMessage({ ready: true, version: rows[0].server_version });
} catch (error) {
  // A new cluster's failure comes with what was tried, for the server's refusal.
  const made = error instanceof NewClusterError ? error : undefined;
  parentPort.postMessage({ ready: false, error: failure(made ? made.first : error), newCluster: made?.facts });
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
