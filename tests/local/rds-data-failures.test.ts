/**
 * What the local RDS Data API says when a database does not open, and what it does to a new database's folder first,
 * without any PGlite work: each case starts the real server in a child process (`node -r register.cjs`) whose
 * database workers find PGlite.create replaced, by an --import preload (worker threads inherit it), with one that fails
 * as the case needs. No cluster is made or loaded: no case costs an initdb or a template's load, and the templates are
 * the case's own, in a cache folder of its own. (Real opens: tests/local/rds-data-open.test.ts.)
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { pgliteTemplateFiles, type LocalDatabaseDefinition } from "../../local/rds-data-server";
import { thrownText } from "../../local/thrown-text.cjs";

const PROJECT = join(__dirname, "..", "..");
const DATABASE: LocalDatabaseDefinition = {
  name: "failing",
  clusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:failing-cluster",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:failing-AbCdEf",
  databaseName: "app",
  masterUsername: "failing_admin",
  region: "us-east-1",
};

/** PGlite's ES module, as the worker imports it (its package's `import` export): the one the preload patches. */
function pgliteModuleUrl(): string {
  const root = dirname(dirname(require.resolve("@electric-sql/pglite")));
  const exported = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { import: { default: string } }> }).exports["."].import.default;
  return pathToFileURL(join(root, exported)).href;
}

/** Emscripten's file-system error as PGlite's build defines it: a class of its own, no Error, no message. */
const ERRNO_ERROR = `class ErrnoError { name = "ErrnoError"; constructor(errno) { this.errno = errno; } }`;

/**
 * Starts the local RDS Data API on `database` in a child process whose workers' `PGlite.create(options)` runs `create`
 * (the body of an async function: it throws), with `cache` as the cache folder ("off": none). Its refusal's text.
 */
function refusal(create: string, cache: string, database: LocalDatabaseDefinition = DATABASE): Promise<string> {
  const preload = `import { readdirSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
if (!isMainThread) {
  const { PGlite } = await import(${JSON.stringify(pgliteModuleUrl())});
  ${ERRNO_ERROR}
  let call = 0;
  PGlite.create = async (options) => { call++; ${create} };
}`;
  const script = `require("./local/rds-data-server").startLocalDataApi({ databases: [JSON.parse(process.env.RDS_DATABASE)], credentials: [] })
  .then((api) => api.stop().then(() => "opened"), (error) => error.message)
  .then((text) => process.stdout.write(text));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-r", "./local/offline/register.cjs", "--import", `data:text/javascript,${encodeURIComponent(preload)}`, "-e", script],
      { cwd: PROJECT, env: { ...process.env, SERVERLESS_FULLSTACK_CACHE_DIR: cache, RDS_DATABASE: JSON.stringify(database) }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

const cacheFolder = () => mkdtempSync(join(tmpdir(), "rds-failing-cache-"));

describe("thrownText", () => {
  it("gives a thrown value's message, else renders it: never [object Object]", () => {
    const thrown = (value: unknown) => {
      try {
        throw value;
      } catch (error) {
        return thrownText(error);
      }
    };
    const cyclic: Record<string, unknown> = { code: "XX000" };
    cyclic.self = cyclic;
    expect([
      thrown(new TypeError("a real error")),
      thrown({ message: "a message field", code: "ENOENT" }),
      thrown(new (class ErrnoError {
        name = "ErrnoError";
        errno: number;
        constructor(errno: number) {
          this.errno = errno;
        }
      })(44)),
      thrown({ message: { nested: true } }),
      thrown(new RangeError("")),
      thrown(cyclic),
      thrown("a string"),
      thrown(undefined),
      thrown(10n),
    ]).toEqual([
      "a real error",
      "a message field",
      "ErrnoError { name: 'ErrnoError', errno: 44 }",
      "{ message: { nested: true } }",
      "RangeError",
      "<ref *1> { code: 'XX000', self: [Circular *1] }",
      "a string",
      "undefined",
      "10n",
    ]);
    // A huge value ends up in one line of a refusal: cut.
    expect(thrown({ rows: Array.from({ length: 10 }, () => "x".repeat(200)) })).toHaveLength(1001);
  });
});

describe("a database that does not open", () => {
  it("is refused with its error readable when PGlite throws an object that is no Error, also when reopening a folder", async () => {
    const cache = cacheFolder();
    // In memory, a new cluster: made from the templates (none cached: made first, by PGlite.create).
    const inMemory = await refusal("throw new ErrnoError(44);", cache);
    expect(inMemory).toContain(`RelationalDatabase "failing": PGlite could not open an in-memory database (ErrnoError { name: 'ErrnoError', errno: 44 }).`);
    // A folder that holds a database: opened as the master user, then as PGlite's superuser, each failing its way.
    const folder = mkdtempSync(join(tmpdir(), "rds-failing-"));
    writeFileSync(join(folder, "PG_VERSION"), "17\n");
    const reopened = await refusal(`throw options.username ? { message: "as the master user", code: "ENOENT" } : new ErrnoError(2);`, cache, { ...DATABASE, dataDir: folder });
    expect(reopened).toBe(
      `RelationalDatabase "failing": PGlite could not open ${folder} (ErrnoError { name: 'ErrnoError', errno: 2 } (opened as the master user: as the master user)). Delete ${folder} (the database's own directory) to begin this database empty; --fresh empties the whole state directory.`,
    );
    expect(inMemory + reopened).not.toContain("[object Object]");
  });

  it("made from cached templates that fail again when made anew is refused naming the templates, not by suggesting to delete its folder", async () => {
    const cache = cacheFolder();
    // Cached templates of this master user and database, named as in the project's cache folder (any content:
    // PGlite.create fails every load here).
    const templates = join(cache, "pglite");
    mkdirSync(templates);
    const [cluster, initdb] = (["cluster", "initdb"] as const).map((kind) => basename(pgliteTemplateFiles(DATABASE.masterUsername, DATABASE.databaseName)![kind]));
    for (const file of [cluster, initdb]) writeFileSync(join(templates, file), "a cached template");
    const folder = mkdtempSync(join(tmpdir(), "rds-failing-"));
    // Each try fails its own way: the cached cluster template's load, the cluster template made from the cached
    // initdb one, then the initdb made anew.
    const text = await refusal(`throw { try: call };`, cache, { ...DATABASE, dataDir: folder });
    expect(text).toBe(
      `RelationalDatabase "failing": PGlite could not open ${folder} ({ try: 1 }). A new database is loaded from PGlite's templates (${cluster}, made from ${initdb}, in ${templates}): made anew (${cluster}, ${initdb}) after the cached one failed, they failed too ({ try: 3 }), so making them again does not help. ${folder} held no database and is emptied before each try, so deleting it does not help: check that it is writable and that its disk has room, and that @electric-sql/pglite is installed whole (npm ci).`,
    );
  });

  it("removes templates unused for 30 days, of any PGlite version, but never its own, which it touches as it reads them", async () => {
    const cache = cacheFolder();
    const folder = join(cache, "pglite");
    mkdirSync(folder);
    const own = pgliteTemplateFiles(DATABASE.masterUsername, DATABASE.databaseName)!;
    const [cluster, initdb] = [basename(own.cluster), basename(own.initdb)];
    // This version's cluster template of a master user and database no database has any more, and an older version's.
    const otherPair = basename(pgliteTemplateFiles("gone_admin", "gone")!.cluster);
    const [olderInitdb, olderCluster] = ["pglite-0.0.1-initdb.tar", "pglite-0.0.1-cluster-0123456789abcdef.tar"];
    // Days since each was last made or read (its mtime); a file that is no template is left whatever its age.
    const days: Array<[string, number]> = [[cluster, 40], [initdb, 40], [otherPair, 31], [olderInitdb, 40], [olderCluster, 29], ["notes.txt", 40]];
    for (const [file, age] of days) {
      writeFileSync(join(folder, file), "a cached template");
      const at = (Date.now() - age * 24 * 60 * 60_000) / 1000;
      utimesSync(join(folder, file), at, at);
    }
    const started = Date.now();
    // Every load fails: the database reads its cached cluster template, then the initdb one, makes neither anew.
    expect(await refusal(`throw { try: call };`, cache)).toContain(`RelationalDatabase "failing": PGlite could not open an in-memory database ({ try: 1 }).`);
    expect(readdirSync(folder).sort()).toEqual([olderCluster, "notes.txt", cluster, initdb].sort());
    // Read as they were (none made anew), and touched: no later sweep takes them for unused.
    for (const file of [cluster, initdb]) {
      expect(readFileSync(join(folder, file), "utf8")).toBe("a cached template");
      expect(statSync(join(folder, file)).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    }
  });

  it("with the template cache off empties its new folder before PGlite's initdb, leaving lost+found and dot-files", async () => {
    const folder = mkdtempSync(join(tmpdir(), "rds-failing-"));
    // What a load that failed part-way leaves (a data folder's own entries, no PG_VERSION), and what stays.
    writeFileSync(join(folder, "base"), "not a directory");
    mkdirSync(join(folder, "global"));
    writeFileSync(join(folder, "global", "pg_control"), "");
    writeFileSync(join(folder, "postgresql.conf"), "");
    mkdirSync(join(folder, "lost+found"));
    writeFileSync(join(folder, ".DS_Store"), "");
    // The initdb (PGlite.create on the folder) reports what the folder holds as it starts.
    const text = await refusal(`throw new Error("the folder held " + JSON.stringify(readdirSync(options.dataDir).sort()));`, "off", { ...DATABASE, dataDir: folder });
    expect(text).toBe(
      `RelationalDatabase "failing": PGlite could not open ${folder} (the folder held [".DS_Store","lost+found"]). A new database is made by PGlite's initdb (the template cache is off). ${folder} held no database and is emptied before each try, so deleting it does not help: check that it is writable and that its disk has room, and that @electric-sql/pglite is installed whole (npm ci).`,
    );
  });
});
