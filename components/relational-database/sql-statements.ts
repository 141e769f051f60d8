/**
 * Splits a PostgreSQL script (a migration file) into its statements, one per Data API ExecuteStatement call: the
 * Data API runs one statement per call (its `sql` is "The SQL statement to run"; a maintainer of the Data API client
 * library confirms multi-statements are not supported: jeremydaly/data-api-client issue #54), and no well-kept
 * npm package does this for Postgres without native code or a WASM parser (libpg-query would; see
 * docs/schema-migrations.md).
 *
 * The lexical rules are PostgreSQL's (src/backend/parser/scan.l) and psql's (src/fe_utils/psqlscan.l), which
 * users' scripts are written for:
 * - `-- …` to the end of the line, and `/* … *\/` comments, which nest;
 * - '…' strings with '' for a quote (standard_conforming_strings, on by default since PostgreSQL 9.1), E'…' strings
 *   where a backslash escapes too, U&'…', B'…', X'…' as standard strings;
 * - "…" quoted identifiers with "" for a quote;
 * - $tag$ … $tag$ dollar quoting (the tag: a letter or _ then letters, digits, _; not after an identifier character,
 *   since `$` may continue an identifier, and never `$1`, a parameter);
 * - a `;` outside all of those ends a statement, as psql decides it (src/fe_utils/psqlscan.l, PostgreSQL 14 and later):
 *   never inside parentheses (`CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT …; INSERT …)`), and never inside a
 *   SQL-standard routine body (`BEGIN ATOMIC … END`). psql counts BEGIN … END blocks only in a statement whose first
 *   words are `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, and only outside parentheses; there BEGIN opens a block, CASE
 *   opens one only inside a block, END closes one. Anywhere else `begin`, `case` and `end` are plain words (a column
 *   named `begin` needs no quotes).
 * Input only psql understands is refused (SqlSplitError, with the fix): the Data API runs SQL, and psql's additions
 * would reach the database as syntax errors at deploy, or stop the split with a misleading error:
 * - a backslash outside quotes and comments: a psql meta-command (`\set`, `\connect`, `\i`, `\.`);
 * - `COPY … FROM STDIN` / `COPY … TO STDOUT`: psql streams the rows after the statement (not SQL) over the COPY
 *   protocol, which the Data API has no call for;
 * - psql variables outside quotes: `:name`, `:'name'`, `:"name"`, `:{?name}` (psqlscan.l's variable rules); `::` (a
 *   cast), `:=` and a `:` inside `[…]` (an array slice, `a[1:n]`) are SQL and kept.
 * Pure: bundled with the schema-migrations provider.
 */

export interface SqlStatement {
  /** The statement's text, trimmed, without its closing `;`. */
  sql: string;
  /** 1-based line of the file where the statement starts (its first character that is not space or comment). */
  line: number;
}

/** A script that cannot be split: an unterminated quote or comment, or input only psql understands; `fix` says what to do. */
export class SqlSplitError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly fix = "Close the quote or comment.",
  ) {
    super(`line ${line}: ${problem}`);
    this.name = "SqlSplitError";
  }
}

/**
 * The first words psql looks for: `create`, `function`, `procedure`, `or`, `replace`, by their first letter (psqlscan.l
 * `identifiers`), "" for any other word. A function, not a module-level Map: this module is bundled into the
 * schema-migrations provider, whose captured values Pulumi's closure serialiser rebuilds from their properties, and a
 * Map rebuilt so has no entries (its `get` then throws "called on incompatible receiver").
 */
function routineWord(lower: string): string {
  switch (lower) {
    case "create":
    case "function":
    case "procedure":
    case "or":
    case "replace":
      return lower[0];
    default:
      return "";
  }
}

/** Whether a statement's first words (letters of routineWord, "" for any other word) are CREATE [OR REPLACE] FUNCTION|PROCEDURE. */
function createsRoutine(first: string[]): boolean {
  if (first[0] !== "c") return false;
  if (first[1] === "f" || first[1] === "p") return true;
  return first[1] === "o" && first[2] === "r" && (first[3] === "f" || first[3] === "p");
}

const COPY_STREAM = /^copy\b[\s\S]*\b(from\s+stdin|to\s+stdout)\b/i;

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;

export function splitSqlStatements(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = -1; // index of the current statement's first significant character
  let startLine = 1;
  let line = 1;
  let first: string[] = []; // the current statement's first four words, as routineWord letters ("" for others)
  let parens = 0; // parentheses open in the current statement
  let brackets = 0; // square brackets open in the current statement
  let depth = 0; // BEGIN/CASE … END blocks open in a CREATE FUNCTION|PROCEDURE statement
  let i = 0;
  const n = script.length;
  const begin = () => {
    if (start < 0) {
      start = i;
      startLine = line;
    }
  };
  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (script.charCodeAt(k) === 10) line++;
  };
  const end = (at: number) => {
    if (start >= 0) {
      const sql = script.slice(start, at).trim();
      if (COPY_STREAM.test(sql)) {
        throw new SqlSplitError(
          startLine,
          `${/\bstdin\b/i.test(sql) ? "COPY … FROM STDIN reads the rows psql sends after the statement" : "COPY … TO STDOUT sends rows to psql"}; those rows are not SQL, and the Data API has no COPY protocol`,
          "Write the rows as INSERT … VALUES statements (pg_dump --inserts, or --column-inserts, writes them).",
        );
      }
      statements.push({ sql, line: startLine });
    }
    start = -1;
    first = [];
    parens = 0;
    brackets = 0;
    depth = 0;
  };
  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
      i++;
    } else if (c === "-" && next === "-") {
      const stop = script.indexOf("\n", i);
      i = stop < 0 ? n : stop;
    } else if (c === "/" && next === "*") {
      const opened = line;
      let nesting = 1;
      let k = i + 2;
      while (k < n && nesting > 0) {
        if (script[k] === "/" && script[k + 1] === "*") {
          nesting++;
          k += 2;
        } else if (script[k] === "*" && script[k + 1] === "/") {
          nesting--;
          k += 2;
        } else k++;
      }
      if (nesting > 0) throw new SqlSplitError(opened, "a /* comment is never closed with */");
      countLines(i, k);
      i = k;
    } else if (c === ";") {
      if (parens > 0 || depth > 0) {
        i++;
      } else {
        end(i);
        i++;
      }
    } else if (c === "\\") {
      const command = /^\\[^\s\\]*/.exec(script.slice(i, i + 40))![0];
      throw new SqlSplitError(
        line,
        `${command} is a psql meta-command, not SQL: the Data API runs SQL only`,
        "Remove it: each migration already stops at its first error and rolls back (no \\set ON_ERROR_STOP needed), and runs on the database SchemaMigrations targets (no \\connect); write the SQL of an included file (\\i) into a migration.",
      );
    } else if (c === ":" && next === ":") {
      begin();
      i += 2;
    } else if (c === ":" && brackets === 0 && /^:(\{\?|'|"|[A-Za-z0-9_\u0080-\uffff])/.test(script.slice(i, i + 3))) {
      const variable = /^:(\{\?[^}\s]*\}?|'[^'\s]*'?|"[^"\s]*"?|[A-Za-z0-9_\u0080-\uffff]+)/.exec(script.slice(i, i + 80))![0];
      throw new SqlSplitError(
        line,
        `${variable} is a psql variable, which only psql fills in; the Data API would receive it as it is`,
        "Write the value into the SQL (a migration is applied as written, with no variables).",
      );
    } else if (c === "(" || c === ")" || c === "[" || c === "]") {
      begin();
      if (c === "(") parens++;
      else if (c === ")") parens = Math.max(0, parens - 1);
      else if (c === "[") brackets++;
      else brackets = Math.max(0, brackets - 1);
      i++;
    } else if (c === "'" || c === '"') {
      begin();
      const from = i;
      i = skipQuoted(script, i, c, false, line);
      countLines(from, i);
    } else if (c === "$" && (i === 0 || !IDENT_CONT.test(script[i - 1])) && dollarTag(script, i) !== undefined) {
      begin();
      const tag = dollarTag(script, i)!;
      const close = script.indexOf(tag, i + tag.length);
      if (close < 0) throw new SqlSplitError(line, `a ${tag} dollar-quoted string is never closed with ${tag}`);
      const from = i;
      i = close + tag.length;
      countLines(from, i);
    } else if (IDENT_START.test(c)) {
      begin();
      let k = i + 1;
      while (k < n && IDENT_CONT.test(script[k])) k++;
      const word = script.slice(i, k);
      // E'…' (backslash escapes), and U&'…', B'…', X'…' (standard strings): a prefix, then the string.
      if (script[k] === "'" && /^[eE]$/.test(word)) {
        const from = k;
        i = skipQuoted(script, k, "'", true, line);
        countLines(from, i);
        continue;
      }
      const lower = word.toLowerCase();
      if (first.length < 4) first.push(routineWord(lower));
      if (parens === 0 && createsRoutine(first)) {
        if (lower === "begin") depth++;
        else if (lower === "case" && depth >= 1) depth++;
        else if (lower === "end" && depth > 0) depth--;
      }
      i = k;
    } else {
      begin();
      i++;
    }
  }
  end(n);
  return statements.filter((s) => s.sql !== "");
}

/**
 * The index after the quoted text opening at `open` (a quote character): a doubled quote is a quote; with
 * `backslashes` (E'…'), a backslash escapes the next character.
 */
function skipQuoted(script: string, open: number, quote: string, backslashes: boolean, line: number): number {
  let k = open + 1;
  while (k < script.length) {
    const c = script[k];
    if (backslashes && c === "\\") {
      k += 2;
    } else if (c === quote) {
      if (script[k + 1] === quote) k += 2;
      else return k + 1;
    } else k++;
  }
  const what = quote === "'" ? "a '…' string" : 'a "…" quoted identifier';
  throw new SqlSplitError(line, `${what} is never closed with ${quote}`);
}

/** The dollar-quote delimiter (`$$`, `$body$`) starting at `at`, if one does. */
function dollarTag(script: string, at: number): string | undefined {
  const match = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(script.slice(at, at + 256));
  return match?.[0];
}
