/**
 * DynamoDB transactions for dynalite, which has none (its request handler answers TransactWriteItems and
 * TransactGetItems 400 UnknownOperationException, and its list of operations is not reachable from outside): the
 * dynalite server's request listener is wrapped, and those two operations are served here, in this process, on
 * dynalite's own store and with dynalite's own code — its request validation (checkTypes/checkValidations with the
 * PutItem, UpdateItem, DeleteItem and GetItem type descriptions, so every patch this folder makes to them applies:
 * nesting, nulls, table ARNs, ReturnValuesOnConditionCheckFailure, key sizes), its condition evaluation
 * (`checkConditional`), and its PutItem/UpdateItem/DeleteItem actions themselves, run against a staging view of the
 * store that records their writes instead of making them.
 *
 * TransactWriteItems (API reference, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html,
 * as the SDKs' docs repeat it, e.g. paws.database dynamodb_transact_write_items): "a synchronous write operation that groups up to
 * 100 action requests … no two actions can target the same item"; each item one of ConditionCheck, Put, Update or
 * Delete; "a single all-or-nothing operation … You can't target the same item with multiple operations within the
 * same transaction", with serializable isolation between transactions and between a transaction and single-item
 * operations (developer guide, "Amazon DynamoDB Transactions: How it works",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html). Here:
 * - the request is validated first (1–100 TransactItems, one action each, each action as dynalite validates that
 *   write; ConditionCheck needs a ConditionExpression), then every item's table is read and its key checked, and two
 *   actions on one item are refused 400 ValidationException "Transaction request cannot include multiple operations
 *   on one item";
 * - every item's lock (dynalite's per-table item locks, the ones its PutItem/UpdateItem/DeleteItem take) is taken, in
 *   one order, so no other write to those items runs until the transaction ends;
 * - each action is then evaluated against the items as they are: conditions, update expressions and the checks
 *   dynalite makes on a write's result (item size, index keys). Nothing is written yet;
 * - if any failed, nothing is written and the answer is 400 TransactionCanceledException with one CancellationReason
 *   per action in request order: `{"Code":"None"}`, `{"Code":"ConditionalCheckFailed","Message":"The conditional
 *   request failed"}` (with `Item` when its ReturnValuesOnConditionCheckFailure is ALL_OLD and there was an item) or
 *   `{"Code":"ValidationError","Message":…}`, and the Message "Transaction cancelled, please refer cancellation reasons
 *   for specific reasons [None, ConditionalCheckFailed]" (the shape DynamoDB answers, as client traces record it:
 *   pynamodb/PynamoDB#1144, boto/boto3#2657, aws/aws-sdk-net#1292 for ValidationError);
 * - otherwise every write (items and their index entries) is made in one LevelDB batch: a read sees all of the
 *   transaction or none of it.
 * ClientRequestToken: "If you submit a request with the same client token but a change in other parameters within
 * the 10-minute idempotency window, DynamoDB returns an IdempotentParameterMismatch exception"; "A client request
 * token is valid for 10 minutes after the first request that uses it is completed" (TransactWriteItemsInput's
 * ClientRequestToken). A token that completed a transaction here is remembered for 10 minutes with its request (all
 * members but the token and ReturnConsumedCapacity, whose answer may differ): the same request again is answered
 * 200 without writing; another request is 400 IdempotentParameterMismatchException. The AWS SDK v3 fills in a token
 * for each call and keeps it across its retries.
 *
 * TransactGetItems (API reference, TransactGetItemsOutput.Responses: "An ordered array of up to 100 ItemResponse
 * objects, each of which corresponds to the TransactGetItem object in the same position in the TransactItems
 * array"): each Get validated as dynalite validates GetItem (ProjectionExpression and all), two Gets of one item
 * refused as TransactWriteItems refuses two actions on one item, the items' locks taken (so no write lands between
 * two of its reads), each read consistently, and `{}` for an item not there (the reference says "Null"; an
 * ItemResponse without Item, which the SDK reads as `Item: undefined`).
 *
 * ReturnConsumedCapacity TOTAL or INDEXES: "DynamoDB performs two underlying reads or writes of every item in the
 * transaction: one to prepare the transaction and one to commit the transaction" (developer guide, transaction-apis.html,
 * "Capacity management for transactions"), so each action costs twice what dynalite counts for the single-item
 * operation it is (db.capacityUnits: a write 1 unit per KB of the larger of the item before and after, a read 1 unit
 * per 4 KB of the whole item read consistently, 1 for an item not there), a ConditionCheck as a write on the item it
 * reads. The answer's ConsumedCapacity has one entry per table, in the order the request first names it ("The values
 * of the list are ordered according to the ordering of the TransactItems request parameter", TransactWriteItemsOutput
 * and TransactGetItemsOutput), its TableName as the request gave it (a table's ARN if it gave one, API_ConsumedCapacity:
 * "If you had specified the Amazon Resource Name (ARN) of a table in the input, you'll see the table ARN in the
 * response"): `{TableName, CapacityUnits, WriteCapacityUnits}` for TransactWriteItems, `{…, ReadCapacityUnits}` for
 * TransactGetItems, and under INDEXES a `Table` with the same two. That shape — one entry per table, the Read/Write
 * member beside CapacityUnits, a ConditionCheck sized on the item it reads — is as a third-party emulator records it
 * from captures against DynamoDB (nubo-db/dynoxide, src/types.rs transactional_write_capacity and
 * transactional_read_capacity, src/actions/index_capacity.rs); the API reference does not spell it out.
 *
 * Not reproduced: conflicts (a concurrent write to an item of a running transaction waits here; DynamoDB cancels one
 * of them, TransactionConflict), ConsumedCapacity's index entries (GlobalSecondaryIndexes, LocalSecondaryIndexes: as
 * dynalite's single-item operations, only the table's units are counted) and a repeated ClientRequestToken's
 * ConsumedCapacity (answered without one), ItemCollectionMetrics, the 4 MB aggregate size limit, and the wording of
 * DynamoDB's validation messages for a member inside TransactItems (dynalite's, naming the member without its
 * `transactItems.N.member.put.` path).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import { sendJson, serveInFront } from "./replayed-request";

/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships no typings. */
type Callback<T = unknown> = (error: DynaliteError | null | undefined, value?: T) => void;
interface DynaliteError extends Error {
  statusCode?: number;
  body?: Record<string, unknown>;
}
type Item = Record<string, unknown>;
interface TableDescription {
  TableName: string;
  KeySchema: unknown[];
}
interface SubDb {
  get(key: string, callback: Callback<Item>): void;
  put(key: string, value: unknown, callback: Callback): void;
  del(key: string, callback: Callback): void;
  lock(key: string, exec: (release: (done: Callback) => Callback) => void): void;
}
/** What of dynalite's store (node_modules/dynalite/db/index.js `create`) is used here. */
interface TransactionStore {
  options: { maxItemSize: number };
  db: { batch(operations: unknown[], callback: (error?: Error | null) => void): void };
  getTable(name: string, callback: Callback<TableDescription>): void;
  getItemDb(name: string): SubDb;
  getIndexDb(indexType: string, tableName: string, indexName: string): SubDb;
}
type Action = (store: unknown, data: Item, cb: Callback) => void;
interface ActionValidation {
  types: Record<string, unknown>;
  custom: unknown;
}
const validations = require("dynalite/validations") as { checkTypes(data: unknown, types: unknown): Item; checkValidations(data: Item, types: unknown, custom: unknown, store: unknown): void };
const dynaliteDb = require("dynalite/db") as {
  validateKey(key: unknown, table: TableDescription): DynaliteError | undefined;
  validateItem(item: unknown, table: TableDescription): DynaliteError | undefined;
  validateKeyPaths(paths: unknown, table: TableDescription): DynaliteError | undefined;
  createKey(item: unknown, table: TableDescription): string;
  checkConditional(data: Item, existing: Item | undefined): DynaliteError | null | undefined;
  capacityUnits(item: Item | undefined, isRead: boolean, isConsistent?: boolean): number;
  mapPaths(paths: unknown, item: Item): Item;
  validationError(message: string): DynaliteError;
};
const WRITES: Record<string, { validation: ActionValidation; action?: Action }> = {
  Put: { validation: require("dynalite/validations/putItem"), action: require("dynalite/actions/putItem") },
  Update: { validation: require("dynalite/validations/updateItem"), action: require("dynalite/actions/updateItem") },
  Delete: { validation: require("dynalite/validations/deleteItem"), action: require("dynalite/actions/deleteItem") },
  // A ConditionCheck is DeleteItem's shape (TableName, Key, a condition and its names and values), checked, not run.
  ConditionCheck: { validation: require("dynalite/validations/deleteItem") },
};
const GET = require("dynalite/validations/getItem") as ActionValidation;
/* eslint-enable @typescript-eslint/no-require-imports */

/** "An ordered array of up to 100 TransactWriteItem objects" (and as many TransactGetItem objects). */
export const MAX_TRANSACTION_ITEMS = 100;
/** How long a ClientRequestToken is remembered after its transaction completed. */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

export const TRANSACTION_OPERATIONS: ReadonlySet<string> = new Set(["TransactWriteItems", "TransactGetItems"]);

/** "two underlying reads or writes of every item in the transaction". */
const TRANSACTIONAL_FACTOR = 2;

/** What one action consumed: its table (by name, and as the request named it) and its single-item units. */
interface Consumption {
  tableName: string;
  asked: unknown;
  units: number;
}

/**
 * A transaction's ConsumedCapacity when `mode` asks for it (TOTAL, INDEXES): one entry per table in the order the
 * request first names it, twice its actions' units, `axis` (WriteCapacityUnits, ReadCapacityUnits) beside CapacityUnits.
 */
function consumedCapacity(mode: unknown, consumed: readonly Consumption[], axis: "WriteCapacityUnits" | "ReadCapacityUnits"): object[] | undefined {
  if (mode !== "TOTAL" && mode !== "INDEXES") return undefined;
  const tables = new Map<string, { TableName: unknown; units: number }>();
  for (const { tableName, asked, units } of consumed) {
    const table = tables.get(tableName) ?? { TableName: asked, units: 0 };
    table.units += TRANSACTIONAL_FACTOR * units;
    tables.set(tableName, table);
  }
  return [...tables.values()].map(({ TableName, units }) => ({
    TableName,
    CapacityUnits: units,
    [axis]: units,
    ...(mode === "INDEXES" ? { Table: { CapacityUnits: units, [axis]: units } } : {}),
  }));
}

interface Answer {
  status: number;
  body: object;
}

function dynamoError(type: string, message: string, extra: object = {}): DynaliteError {
  return Object.assign(new Error(message), { statusCode: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra } });
}

/**
 * Serves TransactWriteItems and TransactGetItems on `server` (a dynalite server) from `store` (its store); every other
 * request goes to dynalite's own listener as before. `log` gets this runtime's own faults (answered 500); `now` is the
 * clock the ClientRequestToken window reads.
 */
export function serveTransactions(server: Server, store: object | undefined, { log = () => {}, now = Date.now }: { log?: (message: string) => void; now?: () => number } = {}): void {
  // dynaliteStoreOf (./dynalite-store.ts) has it once patchDynaliteStore ran before the server was created.
  if (!store) throw new Error("local DynamoDB: dynalite's store was not kept (patchDynaliteStore must run before the server is created)");
  const transactions = new Transactions(store as TransactionStore, now);
  serveInFront(server, TRANSACTION_OPERATIONS, (operation, req, res, body) => {
    transactions.answer(operation, req, body).then(
      (answer) => sendJson(res, answer.status, answer.body),
      (error: unknown) => {
        // Not a request's fault: DynamoDB's answer to its own (the SDK retries it), and the stack in the log.
        log(`local DynamoDB: internal error answering ${operation} (500 InternalServerError): ${(error as Error)?.stack ?? String(error)}`);
        sendJson(res, 500, { __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: `Internal server error (the local DynamoDB's transactions: ${(error as Error)?.message})` });
      },
    );
  });
}

/** One item a transaction names: its table, its key as dynalite stores it, and the item lock that guards it. */
interface Target {
  table: TableDescription;
  key: string;
  itemDb: SubDb;
}

interface Remembered {
  /** The request's SHA-256 (base64), without its ClientRequestToken and ReturnConsumedCapacity. */
  request: string;
  completedAt: number;
}

class Transactions {
  private readonly tokens = new Map<string, Remembered>();
  /** Transactions with a ClientRequestToken under way, by token. */
  private readonly running = new Map<string, Promise<object>>();

  constructor(
    private readonly store: TransactionStore,
    private readonly now: () => number,
  ) {}

  /** The answer to `req`, whose `body` was read already. */
  async answer(operation: string, req: IncomingMessage, body: Buffer): Promise<Answer> {
    // dynalite's own checks of a request, in its order: a signature of the right shape, then a body that is JSON.
    const authorization = req.headers.authorization;
    if (!authorization || authorization.trim().slice(0, 5) !== "AWS4-") {
      return { status: 400, body: { __type: "com.amazon.coral.service#MissingAuthenticationTokenException", message: "Request is missing Authentication Token" } };
    }
    let input: unknown;
    try {
      input = JSON.parse(body.toString());
    } catch {
      return { status: 400, body: { __type: "com.amazon.coral.service#SerializationException" } };
    }
    try {
      if (typeof input !== "object" || input === null || Array.isArray(input)) throw dynaliteDb.validationError("The request body must be a JSON object");
      return { status: 200, body: operation === "TransactWriteItems" ? await this.write(input as Item) : await this.get(input as Item) };
    } catch (error) {
      const e = error as DynaliteError;
      if (e?.statusCode && e.body) return { status: e.statusCode, body: e.body };
      throw error;
    }
  }

  private async write(input: Item): Promise<object> {
    const items = transactItems(input, "TransactWriteItem");
    const token = input.ClientRequestToken;
    if (token !== undefined && (typeof token !== "string" || token.length < 1 || token.length > 36)) {
      throw dynaliteDb.validationError(`1 validation error detected: Value '${String(token)}' at 'clientRequestToken' failed to satisfy constraint: Member must have length between 1 and 36`);
    }
    const actions = items.map((item, i) => {
      const kinds = Object.keys(item).filter((k) => item[k] != null);
      if (kinds.length !== 1 || !(kinds[0] in WRITES)) throw dynaliteDb.validationError("TransactItems can only contain one of Check, Put, Update or Delete");
      const kind = kinds[0];
      // The table as the request named it (validation reads a table's ARN as its name).
      const asked = (item[kind] as Item | undefined)?.TableName;
      const data = validated(item[kind], WRITES[kind].validation, this.store);
      if (kind === "ConditionCheck" && typeof data.ConditionExpression !== "string") {
        throw dynaliteDb.validationError(`1 validation error detected: Value null at 'transactItems.${i + 1}.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null`);
      }
      return { kind, data, asked };
    });
    if (typeof token !== "string") return this.transact(actions, input.ReturnConsumedCapacity);
    // The request as validated (no value nested past DynamoDB's limit is left to overflow JSON.stringify).
    // Kept as its SHA-256, not its text: a window's tokens would otherwise hold every request (up to 100 items of 400 KB).
    const request = createHash("sha256").update(JSON.stringify({ ...input, ClientRequestToken: undefined, ReturnConsumedCapacity: undefined })).digest("base64");
    // One request with a token at a time: a retry sent while the first is still running waits for its outcome.
    for (let running = this.running.get(token); running; running = this.running.get(token)) await running.catch(() => undefined);
    this.forgetExpiredTokens();
    const found = this.tokens.get(token);
    const remembered = found && this.now() - found.completedAt <= IDEMPOTENCY_WINDOW_MS ? found : undefined;
    if (remembered && remembered.request === request) return {};
    if (remembered) throw dynamoError("IdempotentParameterMismatchException", "The request uses the same client token as a previous, but non-identical request.");
    const done = this.transact(actions, input.ReturnConsumedCapacity).finally(() => this.running.delete(token));
    this.running.set(token, done);
    const answer = await done;
    // Remembered once completed, from then on for the window ("valid for 10 minutes after the first request that uses it is completed").
    this.tokens.delete(token); // an expired entry of this token: the new one goes last, in completion order
    this.tokens.set(token, { request, completedAt: this.now() });
    return answer;
  }

  /** The transaction itself, its actions validated: its items read and checked, and written, or refused or cancelled with nothing written. */
  private async transact(actions: Array<{ kind: string; data: Item; asked: unknown }>, returnConsumedCapacity: unknown): Promise<object> {
    const targets: Target[] = [];
    for (const { kind, data } of actions) {
      const table = await this.table(String(data.TableName));
      const refusal = kind === "Put" ? dynaliteDb.validateItem(data.Item, table) : dynaliteDb.validateKey(data.Key, table);
      if (refusal) throw refusal;
      targets.push({ table, key: dynaliteDb.createKey(kind === "Put" ? data.Item : data.Key, table), itemDb: this.store.getItemDb(table.TableName) });
    }
    const named = new Set(targets.map(identity));
    if (named.size !== targets.length) throw dynaliteDb.validationError("Transaction request cannot include multiple operations on one item");

    return this.holding(targets, async () => {
      const staged: unknown[] = [];
      const reasons = [];
      const consumed: Consumption[] = [];
      for (const [i, { kind, data, asked }] of actions.entries()) {
        const { reason, units } = await this.evaluate(kind, data, targets[i], staged);
        reasons.push(reason);
        consumed.push({ tableName: targets[i].table.TableName, asked, units });
      }
      if (reasons.some((r) => r.Code !== "None")) {
        const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`;
        throw dynamoError("TransactionCanceledException", message, { message: undefined, Message: message, CancellationReasons: reasons });
      }
      if (staged.length > 0) await new Promise<void>((resolve, reject) => this.store.db.batch(staged, (error) => (error ? reject(error) : resolve())));
      const ConsumedCapacity = consumedCapacity(returnConsumedCapacity, consumed, "WriteCapacityUnits");
      return ConsumedCapacity ? { ConsumedCapacity } : {};
    });
  }

  /**
   * One action's cancellation reason, its writes added to `staged` (LevelDB batch operations) when it has none, and the
   * write units it consumed as the single-item operation it is (a ConditionCheck: a write on the item it reads).
   */
  private async evaluate(kind: string, data: Item, target: Target, staged: unknown[]): Promise<{ reason: { Code: string; Message?: string; Item?: unknown }; units: number }> {
    let failure: DynaliteError | null | undefined;
    let units = 0;
    if (kind === "ConditionCheck") {
      const existing = await new Promise<Item | undefined>((resolve, reject) => target.itemDb.get(target.key, (error, item) => (error && error.name !== "NotFoundError" ? reject(error) : resolve(item ?? undefined))));
      failure = dynaliteDb.checkConditional(data, existing);
      units = dynaliteDb.capacityUnits(existing, false);
    } else {
      const writes: unknown[] = [];
      // dynalite's action counts its units (db.addConsumedCapacity) when asked to.
      const asking = { ...data, ReturnConsumedCapacity: "TOTAL" };
      failure = await new Promise<DynaliteError | null | undefined>((resolve) =>
        WRITES[kind].action!(staging(this.store, writes), asking, (error, answer) => {
          units = (answer as { ConsumedCapacity?: { CapacityUnits: number } } | undefined)?.ConsumedCapacity?.CapacityUnits ?? 0;
          resolve(error);
        }),
      );
      if (!failure) staged.push(...writes);
    }
    return { reason: this.reason(failure), units };
  }

  /** An action's cancellation reason: `failure`, dynalite's answer to it, or none. */
  private reason(failure: DynaliteError | null | undefined): { Code: string; Message?: string; Item?: unknown } {
    if (!failure) return { Code: "None" };
    if (!failure.statusCode || !failure.body) throw failure;
    const { __type, message, Item: item } = failure.body as { __type: string; message: string; Item?: unknown };
    if (__type.endsWith("#ConditionalCheckFailedException")) return { Code: "ConditionalCheckFailed", Message: message, ...(item ? { Item: item } : {}) };
    return { Code: "ValidationError", Message: message };
  }

  private async get(input: Item): Promise<object> {
    const items = transactItems(input, "TransactGetItem");
    const gets: Array<{ data: Item; asked: unknown; target: Target }> = [];
    for (const item of items) {
      if (Object.keys(item).some((k) => k !== "Get" && item[k] != null) || item.Get == null) throw dynaliteDb.validationError("TransactItems can only contain Get");
      const asked = (item.Get as Item).TableName;
      const data = validated(item.Get, GET, this.store);
      const table = await this.table(String(data.TableName));
      const refusal = dynaliteDb.validateKey(data.Key, table) ?? dynaliteDb.validateKeyPaths((data._projection as { nestedPaths?: unknown } | undefined)?.nestedPaths, table);
      if (refusal) throw refusal;
      gets.push({ data, asked, target: { table, key: dynaliteDb.createKey(data.Key, table), itemDb: this.store.getItemDb(table.TableName) } });
    }
    // As TransactWriteItems refuses it; DynamoDB's answer for gets is as truora/minidyn#127's review reports it (not confirmed by a capture here).
    if (new Set(gets.map(({ target }) => identity(target))).size !== gets.length) throw dynaliteDb.validationError("Transaction request cannot include multiple operations on one item");
    // The items' locks held, so no write lands between two of the reads.
    const read = await this.holding(gets.map(({ target }) => target), () =>
      Promise.all(
        gets.map(
          ({ data, target }) =>
            new Promise<{ response: object; units: number }>((resolve, reject) =>
              target.itemDb.get(target.key, (error, item) => {
                if (error && error.name !== "NotFoundError") return reject(error);
                // A consistent read of the whole item (or of none: 1 unit), as dynalite counts GetItem's.
                const units = dynaliteDb.capacityUnits(item ?? undefined, true, true);
                if (!item) return resolve({ response: {}, units });
                const paths = (data._projection as { paths?: unknown } | undefined)?.paths;
                resolve({ response: { Item: paths ? dynaliteDb.mapPaths(paths, item) : item }, units });
              }),
            ),
        ),
      ),
    );
    const consumed = read.map(({ units }, i) => ({ tableName: gets[i].target.table.TableName, asked: gets[i].asked, units }));
    const ConsumedCapacity = consumedCapacity(input.ReturnConsumedCapacity, consumed, "ReadCapacityUnits");
    return { Responses: read.map(({ response }) => response), ...(ConsumedCapacity ? { ConsumedCapacity } : {}) };
  }

  private table(name: string): Promise<TableDescription> {
    return new Promise((resolve, reject) => this.store.getTable(name, (error, table) => (error ? reject(error) : resolve(table!))));
  }

  /** Runs `body` holding every target's item lock, taken one at a time in one order (table, key): two transactions never wait on each other. */
  private async holding<T>(targets: Target[], body: () => Promise<T>): Promise<T> {
    const ordered = [...targets].sort((a, b) => (identity(a) < identity(b) ? -1 : identity(a) > identity(b) ? 1 : 0));
    const releases: Array<() => void> = [];
    try {
      for (const { itemDb, key } of ordered) {
        releases.push(await new Promise<() => void>((resolve) => itemDb.lock(key, (release) => resolve(release(() => undefined) as () => void))));
      }
      return await body();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Tokens are remembered in the order their transactions completed, so the expired ones are the first few. */
  private forgetExpiredTokens(): void {
    const now = this.now();
    for (const [token, { completedAt }] of this.tokens) {
      if (now - completedAt <= IDEMPOTENCY_WINDOW_MS) return;
      this.tokens.delete(token);
    }
  }
}

/** A target's identity: its table and key (dynalite's key string). */
function identity({ table, key }: Target): string {
  return `${table.TableName}\u0000${key}`;
}

/** The request's TransactItems, 1 to 100 objects, or its refusal. */
function transactItems(input: Item, member: string): Item[] {
  const items = input.TransactItems;
  if (items == null) throw dynaliteDb.validationError("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(items) || items.some((item) => typeof item !== "object" || item === null || Array.isArray(item))) {
    throw Object.assign(new Error("SerializationException"), { statusCode: 400, body: { __type: "com.amazon.coral.service#SerializationException" } });
  }
  if (items.length < 1 || items.length > MAX_TRANSACTION_ITEMS) {
    // As DynamoDB words it (getmoto/moto#2017 reproduces it from a capture): the items as Java's toString writes them.
    const listed = items.map((_, i) => `com.amazonaws.dynamodb.v20120810.${member}@${(0x10000001 + i).toString(16)}`).join(", ");
    const bound = items.length < 1 ? "greater than or equal to 1" : `less than or equal to ${MAX_TRANSACTION_ITEMS}`;
    throw dynaliteDb.validationError(`1 validation error detected: Value '[${listed}]' at 'transactItems' failed to satisfy constraint: Member must have length ${bound}`);
  }
  return items as Item[];
}

/** `data` as dynalite's request validation leaves it for the action (expressions parsed into `_condition`, `_updates`, `_projection`), or its refusal thrown. */
function validated(data: unknown, validation: ActionValidation, store: TransactionStore): Item {
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw Object.assign(new Error("SerializationException"), { statusCode: 400, body: { __type: "com.amazon.coral.service#SerializationException" } });
  const checked = validations.checkTypes(data, validation.types);
  validations.checkValidations(checked, validation.types, validation.custom, store);
  return checked;
}

/**
 * The store as a dynalite action sees it, whose writes are recorded in `writes` (as LevelDB batch operations on the
 * store's one database, under the keys dynalite's sub-databases give them: `<name>~<key>`, node_modules/dynalite/db/
 * index.js getSubDb) instead of made. Its item locks are taken already (Transactions.holding), so taking one is a
 * no-op here; its reads are the store's.
 */
function staging(store: TransactionStore, writes: unknown[]): unknown {
  const recording = (name: string, db: SubDb): SubDb => ({
    get: (key, callback) => db.get(key, callback),
    put: (key, value, callback) => {
      writes.push({ type: "put", key: `${name}~${key}`, value });
      queueMicrotask(() => callback(null));
    },
    del: (key, callback) => {
      writes.push({ type: "del", key: `${name}~${key}` });
      queueMicrotask(() => callback(null));
    },
    lock: (_key, exec) => exec((done) => done),
  });
  return {
    ...store,
    getItemDb: (name: string) => recording(`item-${name}`, store.getItemDb(name)),
    getIndexDb: (indexType: string, tableName: string, indexName: string) => recording(`index-${indexType.toLowerCase()}~${tableName}~${indexName}`, store.getIndexDb(indexType, tableName, indexName)),
  };
}
