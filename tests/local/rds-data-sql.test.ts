/**
 * The local RDS Data API's SQL side (local/rds-data-sql.ts): `:name` placeholders found only in SQL proper (not in
 * strings, quoted identifiers, comments, dollar-quoted bodies or `::` casts), and PostgreSQL's array text read back.
 */
import { describe, expect, it } from "vitest";
import { bindParameters, parameterValue, parseArrayLiteral } from "../../local/rds-data-sql";

const text = (name: string, value: string) => ({ name, value: { stringValue: value } });

describe("bindParameters", () => {
  it("numbers each name once, in order of first use, and leaves strings, identifiers, comments, dollar quotes and casts alone", () => {
    const sql = `SELECT :b, ':a', E'\\\\' || :a, "col:a", /* :a /* nested :a */ :a */ $fn$ :a $fn$, $$:a$$, :a::text, x[1:2], :b -- :a\n`;
    expect(bindParameters(sql, [text("a", "A"), text("b", "B")])).toEqual({
      text: `SELECT $1, ':a', E'\\\\' || $2, "col:a", /* :a /* nested :a */ :a */ $fn$ :a $fn$, $$:a$$, $2::text, x[1:2], $1 -- :a\n`,
      values: ["B", "A"],
      types: [1043, 1043],
    });
  });

  it("refuses a placeholder without a parameter, and a parameter without a name", () => {
    expect(() => bindParameters("SELECT :missing", [])).toThrow("No value specified for parameter missing.");
    expect(() => bindParameters("SELECT 1", [{ value: { longValue: 1 } }])).toThrow("a parameter needs a name");
  });
});

describe("parameterValue", () => {
  const hinted = (typeHint: string, stringValue: string) => () => parameterValue({ name: "a", value: { stringValue }, typeHint }, 0);
  it("takes a typed stringValue only in the Data API's format for its typeHint", () => {
    expect(hinted("DATE", "2026-07-14")()).toEqual({ text: "2026-07-14", oid: 1082 });
    expect(hinted("TIME", "10:11:12.345")()).toEqual({ text: "10:11:12.345", oid: 1083 });
    expect(hinted("TIMESTAMP", "2026-07-14 10:11:12")()).toEqual({ text: "2026-07-14 10:11:12", oid: 1114 });
    expect(hinted("TIMESTAMP", "2026-07-14 10:11:12.804")()).toEqual({ text: "2026-07-14 10:11:12.804", oid: 1114 });
    expect(hinted("DECIMAL", "-12.50")()).toEqual({ text: "-12.50", oid: 1700 });
    // new Date().toISOString(), PostgreSQL's special words, a time zone: refused, as the Data API refuses them.
    expect(hinted("TIMESTAMP", "2026-07-14T10:11:12.804Z")).toThrow(/is not a TIMESTAMP value: with typeHint TIMESTAMP the Data API takes YYYY-MM-DD HH:MM:SS\[\.FFF\]/);
    expect(hinted("DATE", "tomorrow")).toThrow(/takes YYYY-MM-DD/);
    expect(hinted("TIME", "10:11:12+02")).toThrow(/takes HH:MM:SS/);
    expect(hinted("DECIMAL", "NaN")).toThrow(/is not a DECIMAL value/);
    expect(hinted("DATE", "tomorrow")).toThrow(expect.objectContaining({ code: "BadRequestException" }));
  });
});

describe("parseArrayLiteral", () => {
  it("reads quoted, escaped, NULL and nested elements", () => {
    expect(parseArrayLiteral('{1,NULL,"a b","c\\"d","NULL"}')).toEqual(["1", null, "a b", 'c"d', "NULL"]);
    expect(parseArrayLiteral("{{1,2},{3,4}}")).toEqual([["1", "2"], ["3", "4"]]);
    expect(parseArrayLiteral("[0:1]={7,8}")).toEqual(["7", "8"]);
    expect(parseArrayLiteral("{}")).toEqual([]);
  });
});
