/**
 * SHA-256 of files, each kept with the stat fingerprint it was taken at (size, mtime, ctime,
 * inode — what git's index keeps), so an unchanged file is never read twice: the Lambda
 * bundle cache checks the ~2,000 inputs of its bundles with it (components/lambda/bundle-cache.ts),
 * and StaticSite the files of its site folder (components/static-site/publisher/manifest.ts).
 *
 * An unchanged fingerprint means unchanged content, any change means re-hashing. As in git,
 * a file whose timestamps are within RACY_MS of the moment it was hashed is "racy": another
 * write in the same timestamp tick (1 s on HFS+ and ext3, 2 s on FAT, a jiffy on Linux
 * before multigrain timestamps) would leave its fingerprint as it was, so its record keeps
 * no fingerprint and the next look re-hashes it.
 *
 * Records live in memory for the process; `load`/`save` keep them on disk across runs
 * (best effort: a missing, torn or foreign file is an empty store, a failed write costs the
 * next run its hashing, never a wrong hash).
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, type Stats } from "node:fs";
import { dirname, join, sep } from "node:path";

/** A file whose timestamps are this close to the moment it was hashed may change again unseen (timestamps are coarse). */
export const RACY_MS = 2_000;
/** Bumped when the saved layout changes. */
const FORMAT = 1;
const CHUNK_BYTES = 1024 * 1024;
/** A SHA-256 in hex. */
const HASH_CHARS = 64;

/** A file's content hash (null: the file is absent or not a regular file) and the fingerprint it was taken at (null: racy, or absent). */
export interface HashRecord {
  hash: string | null;
  fingerprint: string | null;
}

/** A file as it is now: its record, and its size (0 when absent). */
export interface FileState extends HashRecord {
  size: number;
}

export function fingerprintOf(stat: Stats): string {
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
}

/** Modified so recently that another change within the timestamps' granularity would leave them as they are. */
export function isRacy(stat: Stats, now = Date.now()): boolean {
  return now - Math.max(stat.mtimeMs, stat.ctimeMs) < RACY_MS;
}

export class FileHashes {
  /** Files hashed, and files whose stored hash was reused, by this store. */
  readonly stats = { hashed: 0, reused: 0 };
  private readonly records = new Map<string, HashRecord>();
  /** Whether a record changed since the last `load` or `save` (so `save` has something to write). */
  private changed = false;
  /** Records each store file held when loaded or saved. */
  private readonly savedCount = new Map<string, number>();
  /** Loaded files' records ("<hash> <fingerprint>"), by path relative to their base: read in place, one line per lookup. */
  private readonly saved: Array<{ prefix: string; records: Record<string, unknown> }> = [];
  /** What the caller saved with each file's records (see `save`). */
  private readonly attachments = new Map<string, unknown>();

  /** What the store holds for `path`, without looking at the file. */
  peek(path: string): HashRecord | undefined {
    const known = this.records.get(path);
    if (known) return known;
    const line = this.savedLine(path);
    return line === undefined ? undefined : { hash: line.slice(0, HASH_CHARS), fingerprint: line.slice(HASH_CHARS + 1) };
  }

  /**
   * Whether `stat` (of the regular file at `path`) has the fingerprint the store's record was taken at:
   * the record's hash is the file's. Looks only, records nothing, allocates no record.
   */
  matches(path: string, stat: Stats): boolean {
    const now = fingerprintOf(stat);
    const known = this.records.get(path);
    if (known) return known.fingerprint === now;
    const line = this.savedLine(path);
    return line !== undefined && line.length === HASH_CHARS + 1 + now.length && line.endsWith(now);
  }

  /**
   * The file as it is now. Its stored hash is reused when its fingerprint is the one the store
   * saw, or, when the store knows nothing of it, the one `claimed` (a record from elsewhere, e.g.
   * a bundle cache entry) was taken at; otherwise the file is read and hashed.
   * `stat`: the file's stat, when the caller has it.
   */
  current(path: string, claimed?: HashRecord, stat: Stats | undefined = statSync(path, { throwIfNoEntry: false })): FileState {
    if (!stat?.isFile()) {
      this.set(path, { hash: null, fingerprint: null });
      return { hash: null, fingerprint: null, size: 0 };
    }
    const now = fingerprintOf(stat);
    const known = this.records.get(path);
    if (known) {
      if (known.fingerprint === now) return this.reuse(known.hash, now, stat.size);
    } else {
      // A saved record is "<hash> <fingerprint>": compared as it is, since most runs find every file unchanged.
      const line = this.savedLine(path);
      if (line !== undefined) {
        if (line.length === HASH_CHARS + 1 + now.length && line.endsWith(now)) return this.reuse(line.slice(0, HASH_CHARS), now, stat.size);
      } else if (claimed?.fingerprint === now) {
        this.set(path, claimed);
        return this.reuse(claimed.hash, now, stat.size);
      }
    }
    const { hash, stat: hashed } = sha256OfFile(path);
    this.stats.hashed++;
    // The fingerprint of the file as it was opened: a write after the stat above moved it.
    const record = { hash, fingerprint: isRacy(hashed) ? null : fingerprintOf(hashed) };
    this.set(path, record);
    return { ...record, size: hashed.size };
  }

  /**
   * Adds the records saved in `file` for files under `base` (absolute); keys on disk are
   * relative to `base`, and the file names its `base`, so another folder's records never apply.
   */
  load(file: string, base: string): this {
    let saved: { format?: number; base?: string; records?: Record<string, string>; attachment?: unknown };
    try {
      saved = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      return this; // first run, or a torn or foreign file
    }
    if (saved.format !== FORMAT || saved.base !== base || typeof saved.records !== "object" || saved.records === null) return this;
    // Kept as parsed and read in place: most runs look at every file once, and most find it unchanged.
    this.saved.push({ prefix: base + sep, records: saved.records });
    this.savedCount.set(file, Object.keys(saved.records).length);
    if (saved.attachment !== undefined) this.attachments.set(file, saved.attachment);
    return this;
  }

  /**
   * Whether `paths` are exactly the files whose records `file` holds, each still as recorded: no
   * record changed since `load` (every path was looked up with `current`) and none is missing.
   */
  unchangedSince(file: string, paths: readonly string[]): boolean {
    return !this.changed && paths.length === this.savedCount.get(file);
  }

  /** What `save` attached to `file`'s records, as loaded or last saved. */
  attachment(file: string): unknown {
    return this.attachments.get(file);
  }

  /**
   * Writes the records of `paths` (absolute, under `base`) to `file`, when one changed since `load`
   * or the file holds records of files gone since; racy and absent files are left out.
   * `attachment`: data derived from exactly these records, written with them in one file (so the two
   * never disagree), and always written; without it, a save drops the file's attachment.
   */
  save(file: string, base: string, paths: readonly string[], attachment?: unknown): void {
    // Unchanged, and no file gone since: nothing to write (every path was looked up, so each has a record or a saved line).
    if (attachment === undefined && this.unchangedSince(file, paths)) return;
    const prefix = base + sep;
    const records: Record<string, string> = {};
    let count = 0;
    for (const path of paths) {
      const record = this.peek(path);
      if (!record?.hash || !record.fingerprint || !path.startsWith(prefix)) continue;
      records[path.slice(prefix.length)] = `${record.hash} ${record.fingerprint}`;
      count++;
    }
    writeAtomically(file, JSON.stringify({ format: FORMAT, base, records, attachment }));
    this.savedCount.set(file, count);
    if (attachment === undefined) this.attachments.delete(file);
    else this.attachments.set(file, attachment);
    this.changed = false;
  }

  private reuse(hash: string | null, fingerprint: string, size: number): FileState {
    this.stats.reused++;
    return { hash, fingerprint, size };
  }

  /** The saved "<hash> <fingerprint>" of `path`, from the files `load` read. */
  private savedLine(path: string): string | undefined {
    // Indexed, not for-of: this runs once per file of a site on every run.
    for (let i = 0; i < this.saved.length; i++) {
      const { prefix, records } = this.saved[i];
      if (!path.startsWith(prefix)) continue;
      const line = records[path.slice(prefix.length)];
      if (typeof line === "string" && line.charCodeAt(HASH_CHARS) === 32) return line;
    }
    return undefined;
  }

  private set(path: string, record: HashRecord): void {
    const known = this.peek(path);
    if (known?.hash === record.hash && known?.fingerprint === record.fingerprint) return;
    this.records.set(path, record);
    this.changed = true;
  }
}

/**
 * SHA-256 (hex) of a file, read in 1 MiB chunks into one reused buffer (memory stays flat
 * whatever the file's size), and the file's stat as opened. Reads exactly the size fstat
 * reports; a file that shrinks meanwhile is an error.
 */
export function sha256OfFile(path: string, buffer: Buffer = sharedBuffer()): { hash: string; stat: Stats } {
  const fd = openSync(path, "r");
  try {
    const stat = fstatSync(fd);
    const hash = createHash("sha256");
    for (let left = stat.size; left > 0; ) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, left), null);
      if (read === 0) throw new Error(`it shrank while being read (${stat.size - left} of ${stat.size} bytes)`);
      hash.update(buffer.subarray(0, read));
      left -= read;
    }
    return { hash: hash.digest("hex"), stat };
  } finally {
    closeSync(fd);
  }
}

let chunkBuffer: Buffer | undefined;
/** One read buffer for the process: hashing is synchronous, so no two reads share it at once. */
function sharedBuffer(): Buffer {
  return (chunkBuffer ??= Buffer.allocUnsafe(CHUNK_BYTES));
}

/** Writes `content` to `file` whole or not at all (readers never see a torn file); best effort. */
export function writeAtomically(file: string, content: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch {
    /* best effort: a read-only or full disk costs the next run its work */
  }
}

/** Marks a cache entry used now: the caches prune by modification time (pruneOldest), least recently used first out. */
export function markUsed(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    /* not written yet, or pruned meanwhile */
  }
}

/** Keeps the `keep` most recently used files of `folder` ending in `extension` (by modification time; markUsed). */
export function pruneOldest(folder: string, extension: string, keep: number): void {
  try {
    const files = readdirSync(folder).filter((name) => name.endsWith(extension));
    if (files.length <= keep) return;
    const byAge = files.map((name) => ({ name, at: statSync(join(folder, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.at - b.at);
    for (const { name } of byAge.slice(0, files.length - keep)) unlinkSync(join(folder, name));
  } catch {
    /* another process pruned the same files */
  }
}
