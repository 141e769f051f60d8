/**
 * A table named by its ARN. DynamoDB takes a table's ARN wherever a request names a table in `TableName` ("The name
 * of the table … You can also provide the Amazon Resource Name (ARN) of the table in this parameter": the API
 * reference's TableName of GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, DescribeTable, …, as the SDKs' docs
 * repeat it, e.g. https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/dynamodb/aws.sdk.kotlin.services.dynamodb.model/-scan-request/table-name.html).
 * dynalite 4 predates that: its TableName pattern `[a-zA-Z0-9_.-]+` refused every ARN with a ValidationException.
 *
 * So a request's `TableName` that is a table's ARN (`arn:<partition>:dynamodb:<region>:<account>:table/<name>`, not an
 * index's or a stream's) is read as the name in it, before dynalite's checks: dynalite's request handler calls
 * `checkTypes` on its `dynalite/validations` module object at each request, so wrapping it is enough (once per
 * process). The stream proxy reads the same name (./streams.ts), so a streamed table's write made so is recorded.
 *
 * BatchGetItem and BatchWriteItem take a table's ARN as a RequestItems key too ("A map of one or more table names or
 * table ARNs", BatchGetItem's and BatchWriteItem's RequestItems in the API reference, e.g.
 * https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/com/amazonaws/services/dynamodbv2/model/BatchGetItemRequest.html).
 * dynalite's key pattern refuses them as it refused TableName, and its answer is keyed by the keys it was given, so
 * those two operations are served through `serveTableArns`: a request keyed by an ARN reaches dynalite keyed by
 * the names in them, and its answer goes back keyed as the caller keyed it — Responses ("A map of table name or table
 * ARN to a list of items"), UnprocessedKeys and UnprocessedItems ("in the same form as RequestItems, so the value can
 * be provided directly to a subsequent" call), and ConsumedCapacity's TableName ("If you had specified the Amazon
 * Resource Name (ARN) of a table in the input, you'll see the table ARN in the response",
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html). That Responses and the
 * Unprocessed maps repeat the ARN rather than the name is read from those descriptions, not confirmed by a capture.
 * A batch that names one table twice (by its name and its ARN, or by two ARNs) is refused 400 ValidationException
 * (DynamoDB's answer is not documented: "Each table name or ARN can be used only once per BatchGetItem request").
 *
 * The operations that name one table in TableName and answer one ConsumedCapacity (GetItem, PutItem, UpdateItem,
 * DeleteItem, Query, Scan) are answered the same way: a request that gave a table's ARN gets that ARN back as
 * ConsumedCapacity's TableName, where dynalite would put the name (API_ConsumedCapacity.html, as above). dynalite
 * still reads the name (checkTypes, above); only its successful answer is rewritten. These are the hot path (every
 * GetItem, PutItem and Query of every handler, issue 15), so they reach dynalite as they came, their body watched on
 * the way (watchInFront), and the body is parsed only when its bytes hold both `arn:` and `ReturnConsumedCapacity`:
 * dynalite answers a ConsumedCapacity only when ReturnConsumedCapacity is TOTAL or INDEXES (its db.capacity callers),
 * as DynamoDB does (Query's ConsumedCapacity "is only returned if the ReturnConsumedCapacity parameter was specified",
 * and NONE: "No ConsumedCapacity details are included in the response", the API reference as the SDKs' docs repeat it,
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/dynamodb/aws.sdk.kotlin.services.dynamodb.model/-query-response/-builder/consumed-capacity.html
 * and …/-return-consumed-capacity), so without it there is nothing to rename and dynalite's answer goes out as written.
 *
 * Not reproduced: the region and account in the ARN are not checked against the request's (one local endpoint serves
 * one region's tables; the role check, ./authorise.ts, authorises the ARN as given, so a function's request naming
 * another account's or region's table is refused AccessDeniedException unless its role names that ARN).
 */
import type { Server, ServerResponse } from "node:http";
import { crc32 } from "node:zlib";
import { sendJson, serveInFront, watchInFront } from "./replayed-request";

/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships no typings. */
type Check = (data: unknown, ...rest: unknown[]) => unknown;
const validations = require("dynalite/validations") as { checkTypes: Check; __tableArns?: true };
/* eslint-enable @typescript-eslint/no-require-imports */

/** A table's ARN, the name in it captured (a table name's own pattern and length: 3–255 of `[a-zA-Z0-9_.-]`). */
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([a-zA-Z0-9_.-]{3,255})$/;

/** The table `name` names: the name in a table's ARN, or `name` itself. */
export function tableNamed<T>(name: T): T | string {
  const match = typeof name === "string" ? TABLE_ARN.exec(name) : null;
  return match ? match[1] : name;
}

export function patchDynaliteTableArns(): void {
  if (validations.__tableArns) return;
  const checkTypes = validations.checkTypes;
  validations.checkTypes = (data, ...rest) => {
    if (data !== null && typeof data === "object" && "TableName" in data) {
      const request = data as { TableName: unknown };
      request.TableName = tableNamed(request.TableName);
    }
    return checkTypes(data, ...rest);
  };
  validations.__tableArns = true;
}

const BATCH_OPERATIONS: ReadonlySet<string> = new Set(["BatchGetItem", "BatchWriteItem"]);
/** The operations dynalite serves that name one table in TableName and answer one ConsumedCapacity. */
const SINGLE_TABLE_OPERATIONS: ReadonlySet<string> = new Set(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"]);

/**
 * Serves requests naming tables by their ARNs on `server` (a dynalite server): BatchGetItem and BatchWriteItem keyed by
 * ARNs are given to dynalite's listeners keyed by the tables' names, and their answer is keyed back as the caller keyed
 * it (serveInFront); a single-table operation goes to those listeners as it came, and its answer names the ARN it was
 * given in ConsumedCapacity (watchInFront). Every other request goes to those listeners as before.
 */
export function serveTableArns(server: Server): void {
  serveInFront(server, BATCH_OPERATIONS, (_operation, _req, res, body, pass) => {
    const named = byNames(body);
    if (!named) return pass(body);
    if ("refusal" in named) return sendJson(res, 400, { __type: "com.amazonaws.dynamodb.v20120810#ValidationException", message: named.refusal });
    answerWithCallerKeys(res, named.callerKeys);
    pass(named.body);
  });
  watchInFront(server, SINGLE_TABLE_OPERATIONS, (_operation, body, res) => {
    const arn = consumedTableArn(body);
    if (arn !== undefined) answerWithCallerKeys(res, new Map([[tableNamed(arn), arn]]));
  });
}

const ARN_BYTES = Buffer.from("arn:");
const RETURN_CONSUMED_CAPACITY_BYTES = Buffer.from('"ReturnConsumedCapacity"');

/**
 * The table's ARN a single-table request's TableName gives when its answer will carry a ConsumedCapacity
 * (ReturnConsumedCapacity TOTAL or INDEXES), or undefined: decided from the bytes first, parsed only when they hold
 * both (dynalite answers any body it cannot read itself). Not reproduced: a body that spells either with JSON escapes
 * (`"arn\u003a…"`), which no SDK writes, is answered the name.
 */
function consumedTableArn(body: Buffer): string | undefined {
  if (!body.includes(ARN_BYTES) || !body.includes(RETURN_CONSUMED_CAPACITY_BYTES)) return undefined;
  try {
    const { TableName: tableName, ReturnConsumedCapacity: returned } = (JSON.parse(body.toString()) as { TableName?: unknown; ReturnConsumedCapacity?: unknown } | null) ?? {};
    if (returned !== "TOTAL" && returned !== "INDEXES") return undefined;
    return typeof tableName === "string" && tableNamed(tableName) !== tableName ? tableName : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `body` keyed by tables' names, and each name's key as the caller sent it; undefined when no RequestItems key is a
 * table's ARN (or the body is not one dynalite would read: its own answer to it stands).
 */
function byNames(body: Buffer): { body: Buffer; callerKeys: Map<string, string> } | { refusal: string } | undefined {
  if (!body.includes(ARN_BYTES)) return undefined;
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body.toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const requestItems = input?.RequestItems;
  if (typeof requestItems !== "object" || requestItems === null || Array.isArray(requestItems)) return undefined;
  const callerKeys = new Map<string, string>();
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(requestItems)) {
    const name = tableNamed(key);
    const earlier = callerKeys.get(name);
    if (earlier !== undefined) return { refusal: `The local DynamoDB serves one table named ${name}: RequestItems names it twice, as ${earlier} and as ${key}. Each table name or ARN can be used only once per request` };
    callerKeys.set(name, key);
    renamed[name] = value;
  }
  if ([...callerKeys].every(([name, key]) => name === key)) return undefined;
  try {
    return { body: Buffer.from(JSON.stringify({ ...input, RequestItems: renamed })), callerKeys };
  } catch {
    // Nested too deep for JSON.stringify: dynalite's own answer (the nesting limit, ./dynalite-validations.ts) stands.
    return undefined;
  }
}

/**
 * dynalite's successful answer, its tables named as the caller named them (`callerKeys`: name to key): a batch's
 * Responses, Unprocessed maps and ConsumedCapacity list, a single-table operation's ConsumedCapacity.
 */
export function withCallerKeys(text: string, callerKeys: ReadonlyMap<string, string>): string {
  const answer = JSON.parse(text) as Record<string, unknown>;
  const keyed = (map: unknown) => (map && typeof map === "object" ? Object.fromEntries(Object.entries(map).map(([name, value]) => [callerKeys.get(name) ?? name, value])) : map);
  for (const member of ["Responses", "UnprocessedKeys", "UnprocessedItems"]) if (member in answer) answer[member] = keyed(answer[member]);
  const consumed = answer.ConsumedCapacity;
  for (const entry of (Array.isArray(consumed) ? consumed : [consumed]) as Array<{ TableName?: string } | undefined>) {
    if (entry && typeof entry === "object" && entry.TableName) entry.TableName = callerKeys.get(entry.TableName) ?? entry.TableName;
  }
  return JSON.stringify(answer);
}

/** Rewrites the answer dynalite ends `res` with (its sendData: headers set, then `res.end(body)`) when it is a 200. */
function answerWithCallerKeys(res: ServerResponse, callerKeys: ReadonlyMap<string, string>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (res.statusCode !== 200 || typeof chunk !== "string") return end(chunk, ...rest);
    const text = withCallerKeys(chunk, callerKeys);
    // The SDK checks the body against x-amz-crc32.
    res.setHeader("Content-Length", Buffer.byteLength(text));
    res.setHeader("x-amz-crc32", String(crc32(text)));
    return end(text, ...rest);
  }) as ServerResponse["end"];
}
