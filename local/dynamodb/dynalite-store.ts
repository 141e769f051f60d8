/**
 * Changes to the store each dynalite server creates, made from our side (node_modules is
 * not ours to edit): iterators are closed and read in batches, table descriptions are read
 * from memory, and new tables' ARNs name the program's region and account. Each server's store
 * is also kept, by the options object it was created with (`dynaliteStoreOf`): transactions are
 * served on it (./transactions.ts).
 *
 * Closing the LevelDB iterators dynalite opens for every Query and Scan:
 * dynalite 4 turns `db.values()`/`db.keys()` iterators into Readable streams whose destroy
 * calls `iterator.return()` (node_modules/dynalite/db/index.js, createValueStream); the
 * abstract-level 3 iterators it gets have `close()` and no `return()`, so no stream ever
 * closes its iterator — neither one read to its end nor one a `Limit` stopped early — and
 * abstract-level keeps each open iterator (with its key buffers and callbacks) in the
 * database's resources until the database closes. That was the `npm start` process growing
 * ≈1.2 KB per listed page (issue 15, docs/performance.md).
 *
 * dynalite reads `db.create` from its `dynalite/db` module object at each server's creation,
 * so wrapping that export gives every store's iterators a `return()` that closes them. Once
 * per process; a dynalite that ships `return()` itself is left alone.
 *
 * Table ARNs: dynalite names a new table's ARN (and its indexes') with the process's AWS_REGION and AWS_ACCOUNT_ID,
 * else us-east-1 and 000000000000, which are not the program's: a server created with `awsRegion` and `awsAccountId`
 * names them so (a table persisted before keeps the ARN it was created with).
 *
 * Table descriptions: every request reads its table's description from LevelDB (`getTable`,
 * a native round trip and a JSON decode) — ≈20 % of the main thread's time per local API
 * request (issue 15). They change only through the table store's `put`/`del` (create, update,
 * delete, status changes), so the store keeps the last one read as JSON text, forgets it on
 * any write to it, and hands each reader its own parsed copy (dynalite mutates and re-puts
 * descriptions).
 */
import type { TableDescription } from "@aws-sdk/client-dynamodb";

// dynalite ships no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynaliteDb = require("dynalite/db") as { create: (options: Record<string, unknown>) => DynaliteStore; __patchedStore?: true; __stores?: WeakMap<object, DynaliteStore> };

interface LevelIterator {
  next(): Promise<unknown>;
  nextv(size: number): Promise<unknown[]>;
  close(): Promise<void>;
  return?: () => Promise<unknown>;
}

type Callback = (error: Error | null, value?: unknown) => void;

interface TableStore {
  get(key: string, callback: Callback): void;
  put(key: string, value: unknown, callback?: Callback): void;
  del(key: string, callback?: Callback): void;
  batch?(operations: unknown[], callback?: Callback): void;
}

interface DynaliteStore {
  db: { values(options?: unknown): LevelIterator; keys(options?: unknown): LevelIterator };
  /** awsRegion and awsAccountId: what CreateTable writes into a table's and its indexes' ARNs. */
  tableDb: TableStore & { awsRegion?: string; awsAccountId?: string };
  /** dynalite's read of a table's description (what DescribeTable answers), `checkStatus` false: whatever its status. */
  getTable(name: string, checkStatus: boolean, callback: Callback): void;
  /** The table's description as last read or written, synchronously (a table's keys never change while it exists); undefined before either or after its deletion. */
  describedTable?(name: string): unknown;
}

function closable(iterator: LevelIterator): LevelIterator {
  if (typeof iterator.return !== "function") iterator.return = () => iterator.close();
  return batched(iterator);
}

/** Entries the first read of an iterator asks LevelDB for; later reads ask for LATER_BATCH. */
const FIRST_BATCH = 64;
const LATER_BATCH = 1000;

/**
 * dynalite reads its iterators one `next()` at a time. classic-level answers the first `next()` with one
 * entry and the second with up to 1,000, each a round trip through libuv's thread pool, so a Query that
 * finds one item (a user's album list, say) made two, and one that finds none still made one plus the
 * end. Here `next()` is served from `nextv()` batches: the first asks for FIRST_BATCH entries, so a small
 * result is one round trip (classic-level then knows it reached the end and answers the next read without
 * one). Reading a few entries more than a `Limit` stops at costs LevelDB work on the pool, not the main thread.
 */
function batched(iterator: LevelIterator): LevelIterator {
  let buffer: unknown[] = [];
  let position = 0;
  let size = FIRST_BATCH;
  iterator.next = async () => {
    if (position < buffer.length) return buffer[position++];
    buffer = await iterator.nextv(size);
    size = LATER_BATCH;
    position = 0;
    return position < buffer.length ? buffer[position++] : undefined;
  };
  return iterator;
}

/**
 * Table descriptions served from memory; any put or del of a table forgets it (and any read in flight then).
 * The last description seen of each table is also kept for `describedTable`: request validations that run before
 * dynalite reads the table (./dynalite-keys.ts) need its key schema synchronously.
 */
function cacheTableDescriptions(store: DynaliteStore): void {
  const { tableDb } = store;
  const get = tableDb.get.bind(tableDb);
  const put = tableDb.put.bind(tableDb);
  const del = tableDb.del.bind(tableDb);
  const known = new Map<string, string>();
  const seen = new Map<string, unknown>();
  store.describedTable = (name) => seen.get(name);
  let version = 0;
  tableDb.get = (key, callback) => {
    const text = known.get(key);
    if (text !== undefined) {
      queueMicrotask(() => callback(null, JSON.parse(text)));
      return;
    }
    const readAt = version;
    get(key, (error, value) => {
      // A read that overlapped a put or del may hold the older description: the write has recorded the newer one.
      if (!error && value && typeof value === "object" && readAt === version) {
        const text = JSON.stringify(value);
        seen.set(key, JSON.parse(text));
        known.set(key, text);
      }
      callback(error, value);
    });
  };
  // A write forgets the key when it starts and again when it completes: a read that ran
  // while the write was in flight may have seen either value, so it is not remembered.
  const forget = (key?: string) => {
    version++;
    if (key === undefined) known.clear();
    else known.delete(key);
  };
  const settled = (key: string | undefined, callback?: Callback): Callback => (error, value) => {
    forget(key);
    callback?.(error, value);
  };
  tableDb.put = (key, value, callback) => {
    forget(key);
    if (value && typeof value === "object") seen.set(key, JSON.parse(JSON.stringify(value)));
    put(key, value, settled(key, callback));
  };
  tableDb.del = (key, callback) => {
    forget(key);
    seen.delete(key);
    del(key, settled(key, callback));
  };
  const batch = tableDb.batch?.bind(tableDb);
  if (batch) {
    tableDb.batch = (operations, callback) => {
      forget();
      seen.clear();
      batch(operations, settled(undefined, callback));
    };
  }
}

/**
 * Each server's store, by the options object the server was created with (dynalite hands it to `db.create` as is);
 * kept on dynalite's module object, as the patch is made once per process (this module may be loaded again).
 */
const stores = (dynaliteDb.__stores ??= new WeakMap<object, DynaliteStore>());

/**
 * The store of the dynalite server created with `options` (./transactions.ts works on it, and says what of it it
 * reads), once patchDynaliteStore ran.
 */
export function dynaliteStoreOf(options: object): object | undefined {
  return stores.get(options);
}

/**
 * A table's description read from `store` (a dynaliteStoreOf) as dynalite's DescribeTable reads it, without a request:
 * undefined when there is no such table.
 */
export function describeStoredTable(store: object, name: string): Promise<TableDescription | undefined> {
  return new Promise((resolve, reject) =>
    (store as DynaliteStore).getTable(name, false, (error, table) => {
      if (!error) resolve(table as TableDescription);
      else if (error.name === "NotFoundError") resolve(undefined);
      else reject(error);
    }),
  );
}

export function patchDynaliteStore(): void {
  if (dynaliteDb.__patchedStore) return;
  const create = dynaliteDb.create;
  dynaliteDb.create = (options) => {
    const store = create(options);
    const { db } = store;
    const values = db.values.bind(db);
    const keys = db.keys.bind(db);
    db.values = (iteratorOptions) => closable(values(iteratorOptions));
    db.keys = (iteratorOptions) => closable(keys(iteratorOptions));
    cacheTableDescriptions(store);
    // The region and account new tables' ARNs name (TableArn, IndexArn), when the server is given them: dynalite takes
    // them from the process's AWS_REGION and AWS_ACCOUNT_ID (else us-east-1 and 000000000000).
    if (typeof options.awsRegion === "string") store.tableDb.awsRegion = options.awsRegion;
    if (typeof options.awsAccountId === "string") store.tableDb.awsAccountId = options.awsAccountId;
    stores.set(options, store);
    return store;
  };
  dynaliteDb.__patchedStore = true;
}
