/**
 * Closes the LevelDB iterators dynalite opens for every Query and Scan.
 *
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
 */
// dynalite ships no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynaliteDb = require("dynalite/db") as { create: (options: Record<string, unknown>) => DynaliteStore; __closesIterators?: true };

interface LevelIterator {
  close(): Promise<void>;
  return?: () => Promise<unknown>;
}

interface DynaliteStore {
  db: { values(options?: unknown): LevelIterator; keys(options?: unknown): LevelIterator };
}

function closable(iterator: LevelIterator): LevelIterator {
  if (typeof iterator.return !== "function") iterator.return = () => iterator.close();
  return iterator;
}

export function closeDynaliteIterators(): void {
  if (dynaliteDb.__closesIterators) return;
  const create = dynaliteDb.create;
  dynaliteDb.create = (options) => {
    const store = create(options);
    const { db } = store;
    const values = db.values.bind(db);
    const keys = db.keys.bind(db);
    db.values = (iteratorOptions) => closable(values(iteratorOptions));
    db.keys = (iteratorOptions) => closable(keys(iteratorOptions));
    return store;
  };
  dynaliteDb.__closesIterators = true;
}
