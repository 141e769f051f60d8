/**
 * splitSqlStatements ends a statement where psql does (src/fe_utils/psqlscan.l): never at a `;` inside parentheses,
 * and inside BEGIN … END only in a CREATE [OR REPLACE] FUNCTION|PROCEDURE statement; and it refuses, with the line and
 * the fix, input only psql understands (meta-commands, COPY … FROM STDIN, psql variables), as readMigrations does at
 * plan time, naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { argFailer, ComponentArgError } from "../../components/errors";
import { readMigrations } from "../../components/relational-database/migrations";
import { splitSqlStatements, SqlSplitError } from "../../components/relational-database/sql-statements";

const sqls = (script: string) => splitSqlStatements(script).map((s) => s.sql);

function splitError(script: string): SqlSplitError {
  try {
    splitSqlStatements(script);
  } catch (error) {
    expect(error, script).toBeInstanceOf(SqlSplitError);
    return error as SqlSplitError;
  }
  throw new Error(`split without an error: ${script}`);
}

describe("splitSqlStatements ends statements where psql does", () => {
  it("treats begin, case and end as plain words outside CREATE FUNCTION|PROCEDURE (a column named begin)", () => {
    expect(splitSqlStatements("CREATE TABLE bookings (id int, begin date);\nCREATE TABLE other (id int);")).toEqual([
      { sql: "CREATE TABLE bookings (id int, begin date)", line: 1 },
      { sql: "CREATE TABLE other (id int)", line: 2 },
    ]);
    expect(sqls("ALTER TABLE t RENAME COLUMN a TO begin; SELECT 1;")).toEqual(["ALTER TABLE t RENAME COLUMN a TO begin", "SELECT 1"]);
    expect(sqls("SELECT begin, case when begin > 0 then 1 end FROM t; SELECT 2")).toEqual(["SELECT begin, case when begin > 0 then 1 end FROM t", "SELECT 2"]);
  });

  it("never ends a statement at a ; inside parentheses (a rule with several actions)", () => {
    const rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))";
    expect(splitSqlStatements(`${rule};\nSELECT 1;`)).toEqual([
      { sql: rule, line: 1 },
      { sql: "SELECT 1", line: 2 },
    ]);
  });

  it("keeps BEGIN ATOMIC … END whole in CREATE [OR REPLACE] FUNCTION|PROCEDURE; counts CASE only inside it, and nothing inside parentheses", () => {
    const fn = "create or replace function g(x int) returns int language sql\nbegin atomic\n  select case when x > 0 then 1 else 0 end;\n  select x;\nend";
    const proc = "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END";
    expect(sqls(`${fn};\n${proc};\nSELECT 3;`)).toEqual([fn, proc, "SELECT 3"]);
    // RETURN CASE … END outside a body: CASE opens nothing, so END closes nothing and the ; ends the statement.
    const ret = "CREATE FUNCTION s(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END";
    // A parameter named begin (in parentheses) opens no block.
    const param = "CREATE FUNCTION h(begin int) RETURNS int LANGUAGE sql RETURN 1";
    expect(sqls(`${ret};\n${param};\nSELECT 4`)).toEqual([ret, param, "SELECT 4"]);
    // Only the first words count: in CREATE TEMP TABLE, begin is a plain word.
    expect(sqls("CREATE TEMP TABLE begin_t (begin int); SELECT 5")).toEqual(["CREATE TEMP TABLE begin_t (begin int)", "SELECT 5"]);
  });
});

describe("splitSqlStatements refuses psql-only input with the line and the fix", () => {
  it("refuses COPY … FROM STDIN (and its data, which is not SQL), and COPY … TO STDOUT", () => {
    const copy = splitError("CREATE TABLE t (a int, b text);\nCOPY t (a, b) FROM stdin;\n1\tit's\n\\.\n");
    expect(copy.line).toBe(2);
    expect(copy.message).toContain("COPY … FROM STDIN");
    expect(copy.fix).toContain("INSERT … VALUES");
    expect(splitError("COPY (SELECT 1) TO STDOUT").message).toContain("COPY … TO STDOUT");
  });

  it("refuses a psql meta-command, naming it", () => {
    const set = splitError("-- setup\n\\set ON_ERROR_STOP on\nCREATE TABLE x (id int);");
    expect(set.line).toBe(2);
    expect(set.message).toBe("line 2: \\set is a psql meta-command, not SQL: the Data API runs SQL only");
    expect(set.fix).toContain("ON_ERROR_STOP");
    expect(splitError("SELECT 1;\n\\connect other").message).toContain("\\connect is a psql meta-command");
  });

  it("refuses psql variables in each form, and keeps casts, :=, array slices and what is quoted or commented", () => {
    for (const [script, variable] of [
      ["SELECT :'v'", ":'v'"],
      ["SELECT * FROM t WHERE id = :id", ":id"],
      ['GRANT SELECT ON t TO :"role"', ':"role"'],
      ["SELECT :{?flag}", ":{?flag}"],
    ] as const) {
      const error = splitError(script);
      expect(error.message, script).toBe(`line 1: ${variable} is a psql variable, which only psql fills in; the Data API would receive it as it is`);
      expect(error.fix, script).toContain("Write the value into the SQL");
    }
    // What only looks like psql is kept: casts, :=, array slices, and backslashes or colons in strings and comments.
    const script = "SELECT x::text, a[1:n], a[lo:hi], f(a := 1) FROM t; SELECT E'\\\\set', 'c:\\', $$ \\x :v $$ /* \\set :v */ -- \\i :x\n;SELECT 3";
    expect(sqls(script)).toEqual(["SELECT x::text, a[1:n], a[lo:hi], f(a := 1) FROM t", "SELECT E'\\\\set', 'c:\\', $$ \\x :v $$ /* \\set :v */ -- \\i :x", "SELECT 3"]);
  });
});

describe("readMigrations refuses psql-only input at plan time", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sql-statements-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const refusal = (file: string, text: string): ComponentArgError => {
    writeFileSync(join(dir, file), text);
    try {
      readMigrations(argFailer("RelationalDatabase", "gallery"), "migrations", dir);
    } catch (error) {
      expect(error).toBeInstanceOf(ComponentArgError);
      return error as ComponentArgError;
    }
    throw new Error("readMigrations accepted the folder");
  };

  it("names the file, the line and the fix for COPY … FROM stdin pasted from pg_dump", () => {
    const error = refusal("0001_seed.sql", "CREATE TABLE t (a int, b text);\n\nCOPY public.t (a, b) FROM stdin;\n1\tit's\n\\.\n");
    expect(error.argument).toBe("migrations (0001_seed.sql)");
    expect(error.problem).toContain("cannot be split into statements: line 3: COPY … FROM STDIN");
    expect(error.fix).toBe("Write the rows as INSERT … VALUES statements (pg_dump --inserts, or --column-inserts, writes them).");
  });

  it("names the file, the line and the fix for a meta-command", () => {
    const error = refusal("0001_init.sql", "\\set ON_ERROR_STOP on\nCREATE TABLE x (id int);\n");
    expect(error.argument).toBe("migrations (0001_init.sql)");
    expect(error.message).toContain("line 1: \\set is a psql meta-command");
    expect(error.fix).toContain("Remove it");
  });
});
