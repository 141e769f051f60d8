/**
 * The SQL side of the local RDS Data API (local/rds-data-server.ts): the Data API's `:name` placeholders turned into
 * PostgreSQL's `$n`, its typed parameters into PostgreSQL text values and types, and PostgreSQL's results (as text)
 * into the Data API's `Field` unions, `formattedRecords` JSON and `columnMetadata`, as the Data API maps PostgreSQL's
 * types (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.calling.html): integers and `oid` as
 * longValue, `float4`/`float8` as doubleValue, `bool` as booleanValue, `bytea` as blobValue, `numeric` as stringValue
 * (decimalReturnType STRING, the default), dates, times and timestamps as their text ("YYYY-MM-DD HH:MM:SS[.ffffff]",
 * timestamptz in UTC, the session's time zone, without its offset), `json`/`jsonb`/`uuid`/enums and every other type as
 * stringValue, one-dimensional arrays as arrayValue; a multidimensional array is UnsupportedResultException.
 */

/** A Data API `Field` (@aws-sdk/client-rds-data's union), as JSON carries it. */
export type Field =
  | { isNull: true }
  | { booleanValue: boolean }
  | { longValue: number }
  | { doubleValue: number }
  | { stringValue: string }
  | { blobValue: string }
  | { arrayValue: ArrayValue };

export type ArrayValue = { booleanValues: boolean[] } | { longValues: number[] } | { doubleValues: number[] } | { stringValues: string[] } | { arrayValues: ArrayValue[] };

/** A failure the endpoint answers with a Data API error: its code (`__type`), message and status. */
export class DataApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The PostgreSQL types whose OIDs the Data API maps (pg_type.dat), with their name and java.sql.Types code (pgjdbc's TypeInfoCache). */
interface PgType {
  name: string;
  jdbc: number;
  kind: "bool" | "long" | "double" | "decimal" | "blob" | "string" | "timestamptz";
  /** For an array type: its element type's OID. */
  element?: number;
}

const JDBC = { BIT: -7, BIGINT: -5, BINARY: -2, CHAR: 1, NUMERIC: 2, INTEGER: 4, SMALLINT: 5, REAL: 7, DOUBLE: 8, VARCHAR: 12, DATE: 91, TIME: 92, TIMESTAMP: 93, OTHER: 1111, SQLXML: 2009, ARRAY: 2003 } as const;

const SCALARS: Record<number, PgType> = {
  16: { name: "bool", jdbc: JDBC.BIT, kind: "bool" },
  17: { name: "bytea", jdbc: JDBC.BINARY, kind: "blob" },
  18: { name: "char", jdbc: JDBC.CHAR, kind: "string" },
  19: { name: "name", jdbc: JDBC.VARCHAR, kind: "string" },
  20: { name: "int8", jdbc: JDBC.BIGINT, kind: "long" },
  21: { name: "int2", jdbc: JDBC.SMALLINT, kind: "long" },
  23: { name: "int4", jdbc: JDBC.INTEGER, kind: "long" },
  25: { name: "text", jdbc: JDBC.VARCHAR, kind: "string" },
  26: { name: "oid", jdbc: JDBC.BIGINT, kind: "long" },
  114: { name: "json", jdbc: JDBC.OTHER, kind: "string" },
  142: { name: "xml", jdbc: JDBC.SQLXML, kind: "string" },
  700: { name: "float4", jdbc: JDBC.REAL, kind: "double" },
  701: { name: "float8", jdbc: JDBC.DOUBLE, kind: "double" },
  1042: { name: "bpchar", jdbc: JDBC.CHAR, kind: "string" },
  1043: { name: "varchar", jdbc: JDBC.VARCHAR, kind: "string" },
  1082: { name: "date", jdbc: JDBC.DATE, kind: "string" },
  1083: { name: "time", jdbc: JDBC.TIME, kind: "string" },
  1114: { name: "timestamp", jdbc: JDBC.TIMESTAMP, kind: "string" },
  1184: { name: "timestamptz", jdbc: JDBC.TIMESTAMP, kind: "timestamptz" },
  1186: { name: "interval", jdbc: JDBC.OTHER, kind: "string" },
  1266: { name: "timetz", jdbc: JDBC.TIME, kind: "string" },
  1700: { name: "numeric", jdbc: JDBC.NUMERIC, kind: "decimal" },
  2950: { name: "uuid", jdbc: JDBC.OTHER, kind: "string" },
  3802: { name: "jsonb", jdbc: JDBC.OTHER, kind: "string" },
};

/** Array types (pg_type.dat's typarray of each scalar above). */
const ARRAYS: Record<number, number> = {
  1000: 16, 1001: 17, 1002: 18, 1003: 19, 1016: 20, 1005: 21, 1007: 23, 1009: 25, 1028: 26, 199: 114, 143: 142, 1021: 700, 1022: 701,
  1014: 1042, 1015: 1043, 1182: 1082, 1183: 1083, 1115: 1114, 1185: 1184, 1187: 1186, 1270: 1266, 1231: 1700, 2951: 2950, 3807: 3802,
};

/** A result column's type: a known one, else (enums, domains, extensions' types) text under the name pg_type gives it. */
export function pgType(oid: number, names: ReadonlyMap<number, string> = new Map()): PgType {
  const scalar = SCALARS[oid];
  if (scalar) return scalar;
  const element = ARRAYS[oid];
  if (element !== undefined) return { name: `_${SCALARS[element].name}`, jdbc: JDBC.ARRAY, kind: "string", element };
  const name = names.get(oid) ?? "unknown";
  return name.startsWith("_") ? { name, jdbc: JDBC.ARRAY, kind: "string", element: 25 } : { name, jdbc: JDBC.OTHER, kind: "string" };
}

export interface ResultSetOptions {
  decimalReturnType?: "STRING" | "DOUBLE_OR_LONG";
  longReturnType?: "LONG" | "STRING";
}

/** One column value (PostgreSQL's text output, or null) as the Data API's Field. */
export function toField(text: string | null, type: PgType, options: ResultSetOptions = {}): Field {
  if (text === null) return { isNull: true };
  if (type.element !== undefined) return { arrayValue: toArrayValue(parseArrayLiteral(text), pgType(type.element), options) };
  return scalarField(text, type.kind, options);
}

function scalarField(text: string, kind: PgType["kind"], options: ResultSetOptions): Field {
  switch (kind) {
    case "bool":
      return { booleanValue: text === "t" || text === "true" };
    case "long":
      return options.longReturnType === "STRING" ? { stringValue: text } : { longValue: Number(text) };
    case "double": {
      const value = Number(text);
      // JSON has no NaN or Infinity: those come as their text.
      return Number.isFinite(value) ? { doubleValue: value } : { stringValue: text };
    }
    case "decimal": {
      if (options.decimalReturnType !== "DOUBLE_OR_LONG") return { stringValue: text };
      const value = Number(text);
      if (!Number.isFinite(value)) return { stringValue: text };
      return /^-?\d+$/.test(text) ? { longValue: value } : { doubleValue: value };
    }
    case "blob":
      return { blobValue: byteaToBase64(text) };
    case "timestamptz":
      return { stringValue: text.replace(/\+00(?::00)?$/, "") };
    default:
      return { stringValue: text };
  }
}

/** `\x0102` (bytea_output hex, PostgreSQL's default) as base64, the JSON form of a blob. */
function byteaToBase64(text: string): string {
  return text.startsWith("\\x") ? Buffer.from(text.slice(2), "hex").toString("base64") : Buffer.from(text, "latin1").toString("base64");
}

type ArrayItem = string | null | ArrayItem[];

/** A one-dimensional array's elements as the Data API's ArrayValue (by the element type's kind); nested arrays are refused. */
function toArrayValue(items: ArrayItem[], element: PgType, options: ResultSetOptions): ArrayValue {
  if (items.some((item) => Array.isArray(item))) throw new DataApiError("UnsupportedResultException", "The result contains a multidimensional array, which isn't supported.");
  const values = items as Array<string | null>;
  // An array with NULL elements: the Data API's typed lists have no null; their text stands in a string list.
  if (values.some((v) => v === null)) return { stringValues: values.map((v) => v ?? "NULL") };
  switch (element.kind) {
    case "bool":
      return { booleanValues: values.map((v) => v === "t" || v === "true") };
    case "long":
      return options.longReturnType === "STRING" ? { stringValues: values as string[] } : { longValues: values.map(Number) };
    case "double":
      return values.every((v) => Number.isFinite(Number(v))) ? { doubleValues: values.map(Number) } : { stringValues: values as string[] };
    default:
      return { stringValues: values.map((v) => (element.kind === "timestamptz" ? v!.replace(/\+00(?::00)?$/, "") : v!)) };
  }
}

/** PostgreSQL's array text output (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`) as nested lists of element texts. */
export function parseArrayLiteral(text: string): ArrayItem[] {
  let at = text.startsWith("[") ? text.indexOf("=") + 1 : 0; // `[0:1]={…}`: explicit bounds
  const parse = (): ArrayItem[] => {
    const items: ArrayItem[] = [];
    at++; // {
    while (at < text.length && text[at] !== "}") {
      if (text[at] === "{") items.push(parse());
      else if (text[at] === '"') {
        let value = "";
        at++;
        while (at < text.length && text[at] !== '"') {
          if (text[at] === "\\") at++;
          value += text[at++];
        }
        at++;
        items.push(value);
      } else {
        let end = at;
        while (end < text.length && text[end] !== "," && text[end] !== ";" && text[end] !== "}") end++;
        const raw = text.slice(at, end);
        items.push(raw === "NULL" ? null : raw);
        at = end;
      }
      if (text[at] === "," || text[at] === ";") at++;
    }
    at++; // }
    return items;
  };
  return text[at] === "{" ? parse() : [];
}

/** A column's metadata as the Data API gives it (ColumnMetadata), from what the result says of it. */
export function columnMetadata(field: { name: string; dataTypeID: number }, type: PgType) {
  return {
    name: field.name,
    label: field.name,
    type: type.jdbc,
    typeName: type.name,
    schemaName: "",
    tableName: "",
    isAutoIncrement: false,
    isSigned: type.kind === "long" || type.kind === "double" || type.kind === "decimal",
    isCurrency: false,
    isCaseSensitive: type.kind === "string" && type.jdbc !== JDBC.OTHER,
    // columnNullableUnknown (java.sql.ResultSetMetaData): a result column's nullability is not in PostgreSQL's answer.
    nullable: 2,
    precision: 0,
    scale: 0,
    arrayBaseColumnType: type.element !== undefined ? pgType(type.element).jdbc : 0,
  };
}

/** One Field as a value of `formattedRecords` JSON. */
export function jsonValue(field: Field): unknown {
  if ("isNull" in field) return null;
  if ("arrayValue" in field) return arrayJson(field.arrayValue);
  return Object.values(field)[0];
}

function arrayJson(value: ArrayValue): unknown[] {
  return "arrayValues" in value ? value.arrayValues.map(arrayJson) : (Object.values(value)[0] as unknown[]);
}

/** A Data API parameter (SqlParameter), as the request carries it. */
export interface SqlParameter {
  name?: unknown;
  value?: unknown;
  typeHint?: unknown;
}

/** The PostgreSQL type (OID) a typeHint sends a stringValue as (SqlParameter.typeHint's values). */
const TYPE_HINTS: Record<string, number> = { DATE: 1082, TIME: 1083, TIMESTAMP: 1114, DECIMAL: 1700, JSON: 114, UUID: 2950 };

/**
 * The formats the Data API takes a typed stringValue in (SqlParameter.typeHint, API reference): DATE "YYYY-MM-DD",
 * TIME "HH:MM:SS[.FFF]", TIMESTAMP "YYYY-MM-DD HH:MM:SS[.FFF]" (no `T`, no zone: `new Date().toISOString()` is
 * refused, as a live endpoint refuses it, "Parse Error for TimeStamp: input contains invalid characters",
 * sbalmt/ez4#64, koxudaxi/local-data-api#85), DECIMAL a decimal number. PostgreSQL would take far more (`tomorrow`,
 * `2026-07-14T10:11:12Z`), so these are checked here; UUID and JSON are left to PostgreSQL's own input checks.
 */
const HINT_FORMATS: Record<string, { pattern: RegExp; format: string }> = {
  DATE: { pattern: /^\d{4}-\d{2}-\d{2}$/, format: "YYYY-MM-DD" },
  TIME: { pattern: /^\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/, format: "HH:MM:SS[.FFF]" },
  TIMESTAMP: { pattern: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/, format: "YYYY-MM-DD HH:MM:SS[.FFF]" },
  DECIMAL: { pattern: /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, format: "a decimal number such as 12.50" },
};

/** A parameter's value as PostgreSQL text and the type it is sent as (0: left to PostgreSQL, for NULL). */
export function parameterValue(parameter: SqlParameter, index: number): { text: string | null; oid: number } {
  const where = `parameters.${index + 1}`;
  const field = parameter.value;
  if (field === null || typeof field !== "object" || Array.isArray(field)) throw new DataApiError("BadRequestException", `${where}: a parameter needs a value (one of isNull, booleanValue, longValue, doubleValue, stringValue, blobValue).`);
  const members = Object.entries(field as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
  if (members.length !== 1) throw new DataApiError("BadRequestException", `${where}: a parameter's value must set exactly one member.`);
  const [member, value] = members[0];
  const hint = parameter.typeHint;
  if (hint !== undefined && hint !== null && (typeof hint !== "string" || !(hint in TYPE_HINTS))) {
    throw new DataApiError("BadRequestException", `${where}: typeHint must be one of ${Object.keys(TYPE_HINTS).join(", ")}.`);
  }
  if (hint && member !== "stringValue" && member !== "isNull") throw new DataApiError("BadRequestException", `${where}: typeHint ${String(hint)} applies to a stringValue only.`);
  switch (member) {
    case "isNull":
      if (value !== true) throw new DataApiError("BadRequestException", `${where}: isNull must be true.`);
      return { text: null, oid: hint ? TYPE_HINTS[hint as string] : 0 };
    case "booleanValue":
      if (typeof value !== "boolean") throw new DataApiError("BadRequestException", `${where}: booleanValue must be a boolean.`);
      return { text: value ? "true" : "false", oid: 16 };
    case "longValue":
      if (typeof value !== "number" || !Number.isInteger(value)) throw new DataApiError("BadRequestException", `${where}: longValue must be an integer.`);
      return { text: BigInt(value).toString(), oid: 20 };
    case "doubleValue":
      if (typeof value !== "number") throw new DataApiError("BadRequestException", `${where}: doubleValue must be a number.`);
      return { text: String(value), oid: 701 };
    case "stringValue":
      if (typeof value !== "string") throw new DataApiError("BadRequestException", `${where}: stringValue must be a string.`);
      if (hint && HINT_FORMATS[hint as string] && !HINT_FORMATS[hint as string].pattern.test(value)) {
        throw new DataApiError("BadRequestException", `${where}: "${value.slice(0, 40)}" is not a ${String(hint)} value: with typeHint ${String(hint)} the Data API takes ${HINT_FORMATS[hint as string].format}.`);
      }
      if (value.includes("\u0000")) throw new DataApiError("DatabaseErrorException", `ERROR: invalid byte sequence for encoding "UTF8": 0x00; SQLState: 22021`);
      // A stringValue goes as varchar (PostgreSQL answers "column … is of type uuid but expression is of type
      // character varying" for one without the UUID hint); a typeHint sends it as that type.
      return { text: value, oid: hint ? TYPE_HINTS[hint as string] : 1043 };
    case "blobValue": {
      if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new DataApiError("BadRequestException", `${where}: blobValue must be base64.`);
      return { text: `\\x${Buffer.from(value, "base64").toString("hex")}`, oid: 17 };
    }
    case "arrayValue":
      // "Array parameters are not supported." (ExecuteStatement's and BatchExecuteStatement's `parameters`).
      throw new DataApiError("BadRequestException", "Array parameters are not supported.");
    default:
      throw new DataApiError("BadRequestException", `${where}: unknown value member ${member.slice(0, 40)}.`);
  }
}

/** SQL with its `:name` placeholders as `$n`, and the parameters' values and types in `$n` order. */
export interface BoundStatement {
  text: string;
  values: Array<string | null>;
  types: number[];
}

/**
 * Replaces the Data API's `:name` placeholders with `$1`, `$2`, … (the same name, the same number), outside string
 * literals ('…', E'…', $tag$…$tag$), quoted identifiers and comments, and not in a `::type` cast. A placeholder
 * without a parameter of its name is refused; parameters the SQL does not name are ignored.
 */
export function bindParameters(sql: string, parameters: readonly SqlParameter[]): BoundStatement {
  const byName = new Map<string, { parameter: SqlParameter; index: number }>();
  parameters.forEach((parameter, index) => {
    if (typeof parameter?.name !== "string" || parameter.name === "") throw new DataApiError("BadRequestException", `parameters.${index + 1}: a parameter needs a name.`);
    byName.set(parameter.name, { parameter, index });
  });
  const numbers = new Map<string, number>();
  const values: Array<string | null> = [];
  const types: number[] = [];
  let out = "";
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || ((c === "E" || c === "e") && next === "'" && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? ""))) {
      const escapes = c !== "'";
      let end = escapes ? i + 2 : i + 1;
      while (end < n) {
        if (escapes && sql[end] === "\\") end += 2;
        else if (sql[end] === "'" && sql[end + 1] === "'") end += 2;
        else if (sql[end] === "'") break;
        else end++;
      }
      out += sql.slice(i, end + 1);
      i = end + 1;
    } else if (c === '"') {
      let end = i + 1;
      while (end < n && !(sql[end] === '"' && sql[end + 1] !== '"')) end += sql[end] === '"' ? 2 : 1;
      out += sql.slice(i, end + 1);
      i = end + 1;
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      let end = i + 2;
      while (end < n && depth > 0) {
        if (sql[end] === "/" && sql[end + 1] === "*") (depth++, (end += 2));
        else if (sql[end] === "*" && sql[end + 1] === "/") (depth--, (end += 2));
        else end++;
      }
      out += sql.slice(i, end);
      i = end;
    } else if (c === "$" && /[A-Za-z_$]/.test(next ?? "") && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? "")) {
      const tag = /^\$[A-Za-z_][A-Za-z0-9_]*\$|^\$\$/.exec(sql.slice(i, i + 64))?.[0];
      if (!tag) {
        out += c;
        i++;
        continue;
      }
      const close = sql.indexOf(tag, i + tag.length);
      const stop = close < 0 ? n : close + tag.length;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === ":" && next === ":") {
      out += "::";
      i += 2;
    } else if (c === ":" && /[A-Za-z_]/.test(next ?? "")) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      const given = byName.get(name);
      if (!given) throw new DataApiError("DatabaseErrorException", `No value specified for parameter ${name}.`);
      let number = numbers.get(name);
      if (number === undefined) {
        const { text, oid } = parameterValue(given.parameter, given.index);
        values.push(text);
        types.push(oid);
        number = values.length;
        numbers.set(name, number);
      }
      out += `$${number}`;
      i += 1 + name.length;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, values, types };
}
