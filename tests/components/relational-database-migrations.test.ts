/**
 * Schema migrations, read at plan time: the folder's rules (readMigrations) and how a file becomes the statements
 * the Data API runs one at a time (splitSqlStatements).
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { argFailer, ComponentArgError } from "../../components/errors";
import { readMigrations } from "../../components/relational-database/migrations";
import { splitSqlStatements, SqlSplitError } from "../../components/relational-database/sql-statements";

const sqls = (script: string) => splitSqlStatements(script).map((s) => s.sql);

describe("splitSqlStatements", () => {
  it("splits on semicolons, trims, drops empty statements and keeps each statement's line", () => {
    expect(splitSqlStatements("CREATE TABLE a (id int);\n\n  INSERT INTO a VALUES (1);;\nSELECT 1")).toEqual([
      { sql: "CREATE TABLE a (id int)", line: 1 },
      { sql: "INSERT INTO a VALUES (1)", line: 3 },
      { sql: "SELECT 1", line: 4 },
    ]);
  });

  it("ignores semicolons in comments, nested block comments included, and drops comment-only text", () => {
    const script = "-- a; b\nSELECT 1; /* x; /* nested; */ still; */ SELECT /* in; it */ 2 -- and; this\n;\n-- trailing; comment\n/* only; */";
    // A statement starts at its first character that is not a comment; comments inside it stay.
    expect(sqls(script)).toEqual(["SELECT 1", "SELECT /* in; it */ 2 -- and; this"]);
  });

  it("ignores semicolons in strings, E'' strings with backslash escapes and quoted identifiers", () => {
    const script = `INSERT INTO t VALUES ('a;''b'); SELECT E'it\\'s; fine'; SELECT "we""ird;col" FROM t; SELECT 'c:\\'; SELECT 2`;
    expect(sqls(script)).toEqual([`INSERT INTO t VALUES ('a;''b')`, `SELECT E'it\\'s; fine'`, `SELECT "we""ird;col" FROM t`, `SELECT 'c:\\'`, "SELECT 2"]);
  });

  it("ignores semicolons in dollar-quoted bodies, tagged or not, but not in $1 parameters or identifiers with $", () => {
    const fn = "CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  NEW.x := 'a;$$'; RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql";
    const script = `${fn};\nDO $$ BEGIN PERFORM 1; END $$;\nPREPARE p AS SELECT $1; SELECT a$b$c FROM t;SELECT 3`;
    expect(sqls(script)).toEqual([fn, "DO $$ BEGIN PERFORM 1; END $$", "PREPARE p AS SELECT $1", "SELECT a$b$c FROM t", "SELECT 3"]);
  });

  it("keeps a SQL-standard function body (BEGIN ATOMIC … END, with CASE … END inside) as one statement, as psql does", () => {
    const fn = "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT x;\nEND";
    expect(splitSqlStatements(`BEGIN;\n${fn};\nSELECT 1;`)).toEqual([
      { sql: "BEGIN", line: 1 },
      { sql: fn, line: 2 },
      { sql: "SELECT 1", line: 6 },
    ]);
  });

  it("counts lines inside strings, comments and dollar quotes", () => {
    expect(splitSqlStatements("SELECT 'a\nb';\n/* c\nd */\nSELECT $$\n$$;\nSELECT 3").map((s) => s.line)).toEqual([1, 5, 7]);
  });

  it("refuses an unterminated string, identifier, comment or dollar quote, with the line it opens on", () => {
    for (const [script, line, what] of [
      ["SELECT 1;\nSELECT 'open", 2, "string"],
      ['SELECT "open', 1, "identifier"],
      ["SELECT 1;\n\n/* open /* nested */", 3, "comment"],
      ["SELECT 1;\nDO $x$ BEGIN END $y$", 2, "$x$"],
    ] as const) {
      const error = (() => {
        try {
          splitSqlStatements(script);
        } catch (e) {
          return e as SqlSplitError;
        }
        return undefined;
      })();
      expect(error, script).toBeInstanceOf(SqlSplitError);
      expect(error!.line, script).toBe(line);
      expect(error!.message, script).toContain(what);
    }
  });
});

describe("readMigrations", () => {
  let dir: string;
  const fail = argFailer("RelationalDatabase", "gallery");
  const read = (folder = dir) => readMigrations(fail, "migrations", folder);
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const refusal = (folder = dir): ComponentArgError => {
    try {
      read(folder);
    } catch (error) {
      expect(error).toBeInstanceOf(ComponentArgError);
      return error as ComponentArgError;
    }
    throw new Error("readMigrations accepted the folder");
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "migrations-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the .sql files in name order with the SHA-256 of their bytes, skipping notes and dotfiles", () => {
    write("0002_add_photos.sql", "ALTER TABLE albums ADD COLUMN cover text;\n");
    write("0001_create_albums.sql", "CREATE TABLE albums (id text PRIMARY KEY);\n");
    write("README.md", "# how we migrate\n");
    write(".DS_Store", "junk");
    write("notes.md", "x");
    expect(read()).toEqual([
      { name: "0001_create_albums.sql", sha256: createHash("sha256").update("CREATE TABLE albums (id text PRIMARY KEY);\n").digest("hex"), sql: "CREATE TABLE albums (id text PRIMARY KEY);\n" },
      { name: "0002_add_photos.sql", sha256: createHash("sha256").update("ALTER TABLE albums ADD COLUMN cover text;\n").digest("hex"), sql: "ALTER TABLE albums ADD COLUMN cover text;\n" },
    ]);
  });

  it("takes an empty folder (no migrations yet)", () => {
    expect(read()).toEqual([]);
  });

  it("refuses a missing folder, or a file given as the folder", () => {
    const missing = refusal(join(dir, "nope"));
    expect(missing.argument).toBe("migrations");
    expect(missing.message).toContain("does not exist");
    expect(missing.fix).toContain("folder of .sql migration files");
    write("0001_a.sql", "SELECT 1;");
    expect(refusal(join(dir, "0001_a.sql")).message).toContain("is not a folder");
  });

  it("refuses names outside <number>_<description>.sql, other files and subfolders, naming the file and the fix", () => {
    write("create_albums.sql", "SELECT 1;");
    let error = refusal();
    expect(error.argument).toBe("migrations (create_albums.sql)");
    expect(error.fix).toContain('"0001_create_albums.sql"');
    rmSync(join(dir, "create_albums.sql"));

    write("0001_a.sql", "SELECT 1;");
    write("seed.csv", "a,b");
    error = refusal();
    expect(error.value).toBe("seed.csv");
    expect(error.fix).toContain("Only .sql migrations");
    rmSync(join(dir, "seed.csv"));

    mkdirSync(join(dir, "0002_more"));
    error = refusal();
    expect(error.message).toContain("subfolders are not read");
  });

  it("refuses two migrations of one number, and numbers of different widths", () => {
    write("0001_a.sql", "SELECT 1;");
    write("0001_b.sql", "SELECT 2;");
    let error = refusal();
    expect(error.message).toContain("same number as 0001_a.sql");
    expect(error.fix).toContain("Renumber");
    rmSync(join(dir, "0001_b.sql"));

    write("02_b.sql", "SELECT 2;");
    error = refusal();
    expect(error.value).toBe("02_b.sql");
    expect(error.message).toContain("has a 2-digit number but 0001_a.sql has 4 digits");
    expect(error.fix).toContain('4 digits, padded with zeros (e.g. "0002_…")');
  });

  it("refuses an empty or comment-only file, and one with an unterminated quote", () => {
    write("0001_a.sql", "  \n-- nothing yet\n");
    expect(refusal().message).toContain("holds no SQL statement");
    write("0001_a.sql", "SELECT 1;\nSELECT 'open;");
    const error = refusal();
    expect(error.message).toContain("line 2");
    expect(error.fix).toBe("Close the quote or comment.");
  });

  it("refuses transaction control and statements PostgreSQL cannot run in a transaction, with their line", () => {
    for (const [statement, problem] of [
      ["BEGIN", "controls the transaction"],
      ["COMMIT", "controls the transaction"],
      ["start transaction isolation level serializable", "controls the transaction"],
      ["CREATE INDEX CONCURRENTLY photos_album ON photos (album)", "cannot run inside a transaction block"],
      ["vacuum analyze photos", "cannot run inside a transaction block"],
      ["DISCARD ALL", "cannot run inside a transaction block"],
      ["CLUSTER", "cannot run inside a transaction block"],
      ["cluster verbose", "cannot run inside a transaction block"],
      ["REINDEX (VERBOSE) SYSTEM app", "cannot run inside a transaction block"],
      ["reindex database app", "cannot run inside a transaction block"],
    ]) {
      write("0001_a.sql", `SELECT 1;\n${statement};\n`);
      const error = refusal();
      expect(error.message, statement).toContain(problem);
      expect(error.message, statement).toContain("(line 2)");
    }
    // A savepoint's rollback, and a function body's BEGIN … END, stay inside the migration's transaction.
    write("0001_a.sql", "SAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCLUSTER photos USING photos_pkey;\nREINDEX TABLE photos;\nDISCARD TEMP;\n");
    expect(read()).toHaveLength(1);
  });
});
