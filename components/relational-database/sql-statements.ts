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
 * - a `;` outside all of those ends a statement, except inside a SQL-standard function body (`BEGIN ATOMIC … END`):
 *   as psql does, BEGIN and CASE after a statement's first word open a block and END closes one.
 * Pure: bundled with the schema-migrations provider.
 */

export interface SqlStatement {
  /** The statement's text, trimmed, without its closing `;`. */
  sql: string;
  /** 1-based line of the file where the statement starts (its first character that is not space or comment). */
  line: number;
}

/** A script that cannot be split: an unterminated quote or comment. */
export class SqlSplitError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = "SqlSplitError";
  }
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;

export function splitSqlStatements(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = -1; // index of the current statement's first significant character
  let startLine = 1;
  let line = 1;
  let words = 0; // identifiers seen in the current statement
  let depth = 0; // BEGIN/CASE … END blocks open in the current statement
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
    if (start >= 0) statements.push({ sql: script.slice(start, at).trim(), line: startLine });
    start = -1;
    words = 0;
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
      if (depth > 0) {
        i++;
      } else {
        end(i);
        i++;
      }
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
      words++;
      const lower = word.toLowerCase();
      if (lower === "begin" || lower === "case") {
        if (words > 1) depth++;
      } else if (lower === "end") {
        if (depth > 0) depth--;
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
