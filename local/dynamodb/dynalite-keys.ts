/**
 * DynamoDB's key size limits where dynalite misses them: "The minimum length of a partition key value is 1 byte. The
 * maximum length is 2048 bytes"; a sort key's 1024 bytes (developer guide, "Constraints in Amazon DynamoDB",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html).
 *
 * dynalite checks them on GetItem, PutItem, UpdateItem, DeleteItem, BatchGetItem and BatchWriteItem with AWS's
 * answers (node_modules/dynalite/db/index.js checkKeySize), but
 * - measures a string key in UTF-16 code units, not bytes: 1,500 "é" (3,000 bytes) passed as a partition key. AWS
 *   measures UTF-8 bytes (ExtendDB and floci, which reproduce AWS's answers, measure them so: ExtendDB/extenddb#194,
 *   floci-io/floci#3354);
 * - does not check a Query's partition key value: it answered 200 with no items where DynamoDB answers 400
 *   ValidationException "...Size of hashkey has exceeded the maximum size limit of2048 bytes" for the Query
 *   operation (facebook/ThreatExchange#1324, a boto3 trace).
 * The messages are AWS's as clients recorded them — "of2048" without a space (amazon-archives/
 * dynamodb-janusgraph-storage-backend#296, status 400, ValidationException); the sort key's "Aggregated size of all
 * range keys has exceeded the size limit of 1024 bytes" (formkiq/formkiq-core#271, praetorian-inc/chariot-ui#241)
 * — the same as dynalite's own;
 * - takes an empty string (or binary) as a secondary index key value, which DynamoDB refuses (architect/dynalite#164,
 *   #184, open; emptyIndexKey), checked where the index size below is;
 * - does not check a global secondary index's partition key value in a written item (architect/dynalite#35, open):
 *   DynamoDB answers "One or more parameter values were invalid: Size limit exceeded for Index Key <attribute> Actual
 *   Size: <n> bytes Max Size: 2048 bytes IndexName: <index>" (wellcomecollection/platform#2285, 400
 *   ValidationException; the same wording in dynalite#35; what "Actual Size" counts — the value's bytes, as here, or
 *   more — is not confirmed).
 *   Checked once: on PutItem and BatchWriteItem's puts where dynalite validates the item, and on UpdateItem's result
 *   (the item as the update leaves it, `if_not_exists` and all): the index cannot hold the value, and AWS checks index keys on UpdateItem's result
 *   (ExtendDB/extenddb#275), but its wording for UpdateItem is not recorded, so PutItem's is used.
 * A Query's sort key condition, an index's sort key and a Query on a global index are left as dynalite has them: what
 * AWS answers for those is not confirmed here. A Query on a local index is checked as one on the table: its partition
 * key is the table's.
 *
 * dynalite's actions call `validateKey`, `validateItem` and `updateIndexes` on its `dynalite/db` module object, and its request
 * validation reads `custom` from `dynalite/validations/query` at each request, so wrapping those exports is enough;
 * once per process. The Query check needs the table's key schema before dynalite reads the table: the store keeps
 * the last description it saw (./dynalite-store.ts `describedTable`); a table none was seen of yet (never read or
 * written by this process) is left to dynalite.
 */
import { deepenedAttributes, refuseDeepItem, type ValidatedUpdate } from "./dynalite-validations";

/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships no typings. */
type AttributeValue = Record<string, unknown>;
interface KeyElement {
  AttributeName: string;
}
interface IndexDescription {
  IndexName: string;
  KeySchema: KeyElement[];
}
interface TableDescription {
  KeySchema: KeyElement[];
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
  LocalSecondaryIndexes?: Array<{ IndexName: string }>;
}
type Callback = (error?: Error | null) => void;
type Visitor = (attr: string, type: string, isHash: boolean) => Error | undefined;
const dynaliteDb = require("dynalite/db") as {
  validateKey(key: Record<string, AttributeValue>, table: TableDescription, keySchema?: KeyElement[]): Error | undefined;
  validateItem(item: Record<string, AttributeValue>, table: TableDescription): Error | undefined;
  traverseKey(table: TableDescription, keySchema: KeyElement[] | Visitor, visit?: Visitor): Error | undefined;
  traverseIndexes(table: TableDescription, visit: (attr: string, type: string, index: IndexDescription, isGlobal: boolean) => Error | undefined): Error | undefined;
  updateIndexes(store: unknown, table: TableDescription, oldItem: object | undefined, item: Record<string, AttributeValue> | undefined, cb: Callback): void;
  checkConditional(data: ValidatedUpdate & { Key?: object }, existing: object | undefined): Error | undefined;
  validationError(message: string): Error;
  __patchedKeySizes?: true;
};
const queryValidation = require("dynalite/validations/query") as {
  custom(data: QueryData, store: { describedTable?(name: string): unknown }): string | undefined;
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface QueryData {
  TableName: string;
  IndexName?: string;
  KeyConditions?: Record<string, { AttributeValueList?: AttributeValue[] }>;
}

const HASH_KEY_TOO_LARGE = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes";
const RANGE_KEY_TOO_LARGE = "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes";

/** AWS's message when `value` (of key type `type`) is over its key's limit. */
function keySizeRefusal(value: unknown, type: string, isHash: boolean): string | undefined {
  const bytes = keyBytes(value, type);
  if (bytes === undefined) return undefined;
  if (isHash) return bytes > 2048 ? HASH_KEY_TOO_LARGE : undefined;
  return bytes > 1024 ? RANGE_KEY_TOO_LARGE : undefined;
}

/**
 * A string or binary key value's size as DynamoDB counts it; undefined for a value of another type (dynalite refuses
 * it) and for a number: numbers count toward the limits too, but at most 38 significant digits take about 21 bytes,
 * which never reach 1,024.
 */
function keyBytes(value: unknown, type: string): number | undefined {
  if (typeof value !== "string" || (type !== "S" && type !== "B")) return undefined;
  return type === "S" ? Buffer.byteLength(value, "utf8") : Buffer.from(value, "base64").length;
}

/**
 * A written item's secondary index key value DynamoDB refuses: an empty string (or binary) in any index key attribute,
 * global or local, partition or sort; a global index partition key value over 2,048 bytes.
 */
function indexKeyRefusal(item: Record<string, AttributeValue>, table: TableDescription): Error | undefined {
  return dynaliteDb.traverseIndexes(table, (attr, type, index, isGlobal) => {
    if (item[attr]?.[type] === "" && (type === "S" || type === "B")) return dynaliteDb.validationError(emptyIndexKey(attr, type, index.IndexName));
    if (!isGlobal || index.KeySchema[0]?.AttributeName !== attr) return undefined;
    const bytes = keyBytes(item[attr]?.[type], type);
    if (bytes === undefined || bytes <= 2048) return undefined;
    return dynaliteDb.validationError(`One or more parameter values were invalid: Size limit exceeded for Index Key ${attr} Actual Size: ${bytes} bytes Max Size: 2048 bytes IndexName: ${index.IndexName}`);
  });
}

/**
 * DynamoDB's refusal of an empty index key value. Empty strings and binaries are allowed in non-key attributes only
 * ("Amazon DynamoDB now supports empty values for non-key String and Binary attributes", AWS What's New, 2020-05-18);
 * an index key's is refused 400 ValidationException with this wording, as clients recorded it from DynamoDB for a
 * global index on PutItem (architect/dynalite#184) and BatchWriteItem (danishi/dynamodb-csv#41), and as a conformance
 * suite captured it for global and local index keys (paritysuite/dynamodb-conformance#44). Not confirmed: the wording
 * for an empty binary ("binary" here, as DynamoDB words a table key's), and for UpdateItem (PutItem's here).
 */
function emptyIndexKey(attr: string, type: string, indexName: string): string {
  return `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${type === "S" ? "string" : "binary"} value. IndexName: ${indexName}, IndexKey: ${attr}`;
}

function checkKey(item: Record<string, AttributeValue>, table: TableDescription, keySchema: KeyElement[] = table.KeySchema): Error | undefined {
  return dynaliteDb.traverseKey(table, keySchema, (attr, type, isHash) => {
    const refusal = keySizeRefusal(item[attr]?.[type], type, isHash);
    return refusal ? dynaliteDb.validationError(refusal) : undefined;
  });
}

export function patchDynaliteKeySizes(): void {
  if (dynaliteDb.__patchedKeySizes) return;
  // dynalite's own checks first (missing keys, wrong types, its size check), so their answers and order stay.
  const validateKey = dynaliteDb.validateKey;
  dynaliteDb.validateKey = (key, table, keySchema) => validateKey(key, table, keySchema) ?? checkKey(key, table, keySchema);
  // Items validateItem passed (PutItem's, BatchWriteItem's puts): their index keys are checked there, before the
  // item's lock and its condition, so updateIndexes does not check them again.
  const validated = new WeakSet<object>();
  const validateItem = dynaliteDb.validateItem;
  dynaliteDb.validateItem = (item, table) => {
    const refusal = validateItem(item, table) ?? checkKey(item, table) ?? indexKeyRefusal(item, table);
    if (!refusal) validated.add(item);
    return refusal;
  };
  // Every write calls it inside the item's lock with the item as the write leaves it (null for a delete); for
  // UpdateItem (its result is a new object, never validated) that is the first point where the result is known: its
  // index keys and its nesting (./dynalite-validations.ts refuseDeepItem) are checked here. Answering through `cb`
  // releases the lock.
  // Only what an update can have deepened is walked for depth (a 650 kB item took ~1.2 ms each UpdateItem): dynalite's
  // updateItem calls checkConditional(data, oldItem) and, in the same turn, updateIndexes(…, oldItem, item), where item
  // is data.Key when there was no oldItem; the update is found by that object. One not found is walked whole.
  const updates = new WeakMap<object, ValidatedUpdate>();
  const checkConditional = dynaliteDb.checkConditional;
  dynaliteDb.checkConditional = (data, existing) => {
    const at = existing ?? data.Key;
    if (at && data._updates) updates.set(at, data);
    else if (at && (data as { AttributeUpdates?: unknown }).AttributeUpdates) updates.set(at, {});
    return checkConditional(data, existing);
  };
  const updateIndexes = dynaliteDb.updateIndexes;
  dynaliteDb.updateIndexes = (store, table, oldItem, item, cb) => {
    const update = item && updates.get(oldItem ?? item);
    const refusal = item && !validated.has(item) ? (indexKeyRefusal(item, table) ?? refuseDeepItem(item, update && deepenedAttributes(update))) : undefined;
    if (refusal) return cb(refusal);
    updateIndexes(store, table, oldItem, item, cb);
  };
  const custom = queryValidation.custom;
  queryValidation.custom = (data, store) => custom(data, store) ?? queryKeyRefusal(data, store.describedTable?.(data.TableName) as TableDescription | undefined);
  dynaliteDb.__patchedKeySizes = true;
}

/** The table's partition key value (a local index's too) in a Query's key conditions (dynalite has turned a KeyConditionExpression into them by now), checked against its limit. */
function queryKeyRefusal(data: QueryData, table: TableDescription | undefined): string | undefined {
  if (!table || (data.IndexName !== undefined && !table.LocalSecondaryIndexes?.some((i) => i.IndexName === data.IndexName))) return undefined;
  const hash = table.KeySchema[0]?.AttributeName;
  const type = table.AttributeDefinitions.find((d) => d.AttributeName === hash)?.AttributeType;
  if (!hash || !type) return undefined;
  return keySizeRefusal(data.KeyConditions?.[hash]?.AttributeValueList?.[0]?.[type], type, true);
}
