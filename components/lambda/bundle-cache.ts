/**
 * A content-addressed cache of esbuild bundles, in memory for the process and on disk
 * across runs (`pulumi up`, `npm run plan`, `npm start` and the tests share it).
 *
 * Key: the esbuild version and the complete build options (entry, externals, defines,
 * working directory). Entry: the outputs and the sha256 of every file the build read —
 * the metafile's inputs, and the `package.json` / `tsconfig.json` files (present or
 * absent) in each input's folders, which steer how esbuild resolves and compiles them
 * (a dependency's new version changes its `package.json`). A hit is served only when all
 * of them still hash the same, so an edited import, an upgraded package or a new
 * `package.json` rebuilds.
 *
 * Hashing the ~2,000 inputs of the reference app on every run would add about 0.1 s, so each
 * hash is stored with the file's stat fingerprint and trusted while it holds, racy files
 * re-hashed (components/file-hashes.ts, which StaticSite's manifest uses too). Within one
 * process the project's own files are re-checked on every call and `node_modules` once.
 *
 * On disk an entry is one file, `bundles/<key>.bundle`: a first line (ENTRY_MAGIC, the format and the byte lengths
 * of the three parts, and the sha256 of code and map together), the entry's metadata as JSON (options, inputs,
 * exports, sizes, hash), then the code and the source map as they are. A lookup reads only the first line and the
 * metadata: whether an entry is still valid, and what the checks at construction need (exports, sizes), cost no
 * reading or parsing of the code (a plan's 17 entries are ≈10 MB, 8 of it code and maps). The code and the map are
 * read when first used, from the same file, and only when its first line still names the same body (another
 * process may have replaced or pruned the entry meanwhile); when it does not, or the read fails, the bundle is
 * built again, as on a miss.
 *
 * Where: SERVERLESS_FULLSTACK_CACHE_DIR (`off` disables the disk), else
 * `node_modules/.cache/serverless-fullstack` in the working directory (the Pulumi
 * project), else the OS temp folder. Writes are atomic (temporary file, then rename) and best effort; at most
 * MAX_ENTRIES bundles are kept, least recently used first out. Entries of format 1 (`bundles/<key>.json`, the
 * code inside the JSON) are never read: another format's key is another file. Nor are they pruned by the rule above
 * (it counts `.bundle` files), so the first cache a process opens on a folder deletes them (removeFormat1Entries):
 * one listing of `bundles/`, and an 84-byte read of each `.json` there (and of each temporary file a format-1 write
 * left, its process stopped before the rename), which is deleted only when it begins as format 1 wrote its own
 * entries. No process of format 2 reads or writes those files, so one that runs beside (npm start and a plan) loses
 * nothing; a process of format 1 on the same folder (another project's older install, SERVERLESS_FULLSTACK_CACHE_DIR
 * or the OS temp folder shared) builds again what it finds gone, and a write of its own in progress fails its rename,
 * which it takes as the best-effort write it is.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import type { BuildOptions } from "esbuild";
import { FileHashes, markUsed, pruneOldest, writeAtomically } from "../file-hashes";
import type { Bundle } from "./bundle";

export { writeAtomically };

/** Bumped when the entry layout or what a key covers changes. */
const FORMAT = 2;
/** The start of every entry file's first line. */
const ENTRY_MAGIC = "serverless-fullstack-bundle";
/** The first line is shorter than this (magic, format, three lengths, a sha256). */
const FIRST_LINE_MAX = 256;
const ENTRY_EXTENSION = ".bundle";
const MAX_ENTRIES = 128;
/** Folder files that change how esbuild resolves or compiles the files below them. */
const FOLDER_CONFIG_FILES = ["package.json", "tsconfig.json"];

export interface BundleRequest {
  /** Complete esbuild options, with an absolute entry and working directory. */
  options: BuildOptions & { entryPoints: string[] };
}

/** What a build produces. */
export interface BuildOutput {
  code: string;
  sourceMap: string;
  exports: string[];
  zippedBytes: number;
  /** The metafile's inputs, relative to the build's working directory. */
  inputs: string[];
}

/**
 * Per file: its path, content hash (null: the file must not exist) and the stat fingerprint it was hashed at (null:
 * racy). A list, not an object by path: a lookup parses ~2,000 of them per entry, and walks them in order.
 */
type InputRecord = [path: string, hash: string | null, fingerprint: string | null];

/** A bundle's facts without its code and map: what validity checks and the checks at construction read. */
type BundleFacts = Omit<Bundle, "code" | "sourceMap">;

/** The metadata part of an entry file. */
interface Entry {
  format: number;
  key: string;
  options: BundleRequest["options"];
  inputs: InputRecord[];
  bundle: BundleFacts;
}

/** An entry file's first line: where its parts are, and which body (code and map) it holds. */
interface FirstLine {
  bytes: number;
  metadataBytes: number;
  codeBytes: number;
  mapBytes: number;
  /** sha256 of the code and then the map. */
  body: string;
}

/** An entry in memory: its metadata, and its code and map once read (or built). */
interface Held {
  entry: Entry;
  /** The file's first line when read from disk, for reading the body later. */
  firstLine?: FirstLine;
  body?: { code: string; sourceMap: string };
  /** Builds the entry again (synchronously) when its body cannot be read: the builder of the last `get` that gave `failed` (else of the last). */
  rebuild?: () => BuildOutput;
  /** The bundle handed out: its code and map are read on first use. */
  bundle: Bundle;
}

export interface BundleCacheStats {
  builds: number;
  diskHits: number;
  memoryHits: number;
}

export class BundleCache {
  readonly stats: BundleCacheStats = { builds: 0, diskHits: 0, memoryHits: 0 };
  private readonly memory = new Map<string, Held>();
  private readonly inFlight = new Map<string, Promise<Held>>();
  private readonly requested = new Map<string, BundleRequest>();
  /** This process's view of each file: the fingerprint last seen and its content hash. */
  private readonly seen = new FileHashes();
  /** Entries whose dependency inputs all checked out in this process, with their inputs outside node_modules. */
  private readonly projectInputs = new WeakMap<Entry, InputRecord[]>();
  private readonly esbuildVersion: string;

  /** `dir` undefined: memory only. */
  constructor(readonly dir: string | undefined = defaultCacheDir()) {
    this.esbuildVersion = (require("esbuild/package.json") as { version: string }).version;
    if (dir && !swept.has(resolve(dir))) {
      swept.add(resolve(dir));
      removeFormat1Entries(join(dir, "bundles"));
    }
  }

  /**
   * The bundle for `request`, from memory, disk, or `build` (synchronous). Its code and map are read from disk on first
   * use, and built again then when the file no longer holds them. `failed`, when given, is what a failed build throws,
   * now or at that later rebuild (outside the caller's try/catch): the caller's own error either way.
   */
  get(request: BundleRequest, build: (options: BundleRequest["options"]) => BuildOutput, failed?: (error: unknown) => never): Bundle {
    const key = this.key(request);
    this.requested.set(key, request);
    const attempt = () => {
      try {
        return build(request.options);
      } catch (error) {
        if (failed) failed(error);
        throw error;
      }
    };
    const hit = this.lookup(key);
    if (hit) {
      // A caller without its own error (EdgeLogic's size check) leaves the one another caller of this bundle gave.
      if (failed || !hit.rebuild) hit.rebuild = attempt;
      return hit.bundle;
    }
    this.stats.builds++;
    return this.store(key, request, attempt()).bundle;
  }

  /**
   * As `get`, building with `build` asynchronously; concurrent requests for one key share a build. A bundle from
   * disk comes with its code and map read (there is no synchronous builder to fall back on later).
   */
  getAsync(request: BundleRequest, build: (options: BundleRequest["options"]) => Promise<BuildOutput>): Promise<Bundle> {
    return this.getAsyncHeld(request, build, true).then((held) => held.bundle);
  }

  /** Records the distinct builds this process asked for under `label`, for `prewarm` in a later run. */
  remember(label: string): void {
    if (!this.dir) return;
    writeAtomically(join(this.dir, "runs", `${digest(label)}.json`), JSON.stringify([...this.requested.values()]));
  }

  /**
   * Checks every build the last run labelled `label` asked for, and rebuilds the stale ones
   * in parallel with `build`, so the run that follows finds them all cached. Failures are
   * left for that run to report (with the component's own error). Reads no code.
   */
  async prewarm(label: string, build: (options: BundleRequest["options"]) => Promise<BuildOutput>): Promise<void> {
    if (!this.dir) return;
    let requests: BundleRequest[];
    try {
      requests = JSON.parse(readFileSync(join(this.dir, "runs", `${digest(label)}.json`), "utf8")) as BundleRequest[];
    } catch {
      return; // first run under this label
    }
    await Promise.allSettled(requests.map((request) => this.getAsyncHeld(request, build, false)));
  }

  private getAsyncHeld(request: BundleRequest, build: (options: BundleRequest["options"]) => Promise<BuildOutput>, withBody: boolean): Promise<Held> {
    const key = this.key(request);
    this.requested.set(key, request);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const hit = this.lookup(key);
    if (hit && (!withBody || this.readBody(hit))) return Promise.resolve(hit);
    this.stats.builds++;
    const promise = build(request.options)
      .then((built) => this.store(key, request, built))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private key(request: BundleRequest): string {
    return digest(JSON.stringify([FORMAT, this.esbuildVersion, request.options]));
  }

  private lookup(key: string): Held | undefined {
    const inMemory = this.memory.get(key);
    if (inMemory && this.valid(inMemory.entry)) {
      this.stats.memoryHits++;
      return inMemory;
    }
    if (!this.dir) return undefined;
    const file = this.entryFile(key);
    const read = readMetadata(file);
    // Absent, torn or foreign: build anew.
    if (!read || read.entry.format !== FORMAT || read.entry.key !== key || !Array.isArray(read.entry.inputs) || !this.valid(read.entry)) return undefined;
    const held = this.hold(key, read.entry, { firstLine: read.firstLine });
    this.stats.diskHits++;
    markUsed(file);
    return held;
  }

  /** Keeps `entry` in memory, with a bundle whose code and map come from `body` or, on first use, from disk. */
  private hold(key: string, entry: Entry, state: Pick<Held, "firstLine" | "body">): Held {
    const held: Held = { entry, ...state, bundle: undefined as unknown as Bundle };
    const body = () => (held.body ?? this.loadBody(key, held)) as { code: string; sourceMap: string };
    held.bundle = Object.defineProperties({ ...entry.bundle } as Bundle, {
      code: { enumerable: true, get: () => body().code },
      sourceMap: { enumerable: true, get: () => body().sourceMap },
    });
    this.memory.set(key, held);
    return held;
  }

  /** Whether `held`'s code and map are in memory, reading them from its file if need be. */
  private readBody(held: Held): boolean {
    if (held.body) return true;
    if (held.firstLine) held.body = readBody(this.entryFile(held.entry.key), held.firstLine);
    return held.body !== undefined;
  }

  /** The code and map of `held`: read from its file, else built again (the file was replaced, pruned or damaged). */
  private loadBody(key: string, held: Held): { code: string; sourceMap: string } {
    if (this.readBody(held)) return held.body!;
    if (!held.rebuild) throw new Error(`The bundle of ${held.entry.bundle.entry} was read from the cache (${this.entryFile(key)}) without a builder to rebuild it: use BundleCache.get.`);
    this.stats.builds++;
    const rebuilt = this.store(key, { options: held.entry.options }, held.rebuild());
    // Later readers of this bundle see the new build whole: its facts with its code.
    Object.assign(held.bundle, rebuilt.entry.bundle);
    held.entry = rebuilt.entry;
    held.body = rebuilt.body;
    return held.body!;
  }

  private valid(entry: Entry): boolean {
    // Dependencies do not change under a running process: once an entry's have all checked out, only the project's
    // own files are checked again (a plan asks for the same ~10 bundles ~20 times, each with ~2,000 dependency inputs).
    const inputs = this.projectInputs.get(entry) ?? entry.inputs;
    for (const record of inputs) if (!this.unchanged(record)) return false;
    if (!this.projectInputs.has(entry)) this.projectInputs.set(entry, inputs.filter(([path]) => !isDependency(path)));
    return true;
  }

  /** Whether the file still hashes to `hash` (null: still absent), re-hashing only when its fingerprint moved. */
  private unchanged([path, hash, fingerprint]: InputRecord): boolean {
    const known = this.seen.peek(path);
    // Dependencies do not change under a running process; the project's own files may.
    if (known && isDependency(path)) return known.hash === hash;
    // The entry's record is trusted when it hashed this very file state.
    return this.seen.current(path, { hash, fingerprint }).hash === hash;
  }

  private store(key: string, request: BundleRequest, built: BuildOutput): Held {
    const entry: Entry = {
      format: FORMAT,
      key,
      options: request.options,
      inputs: this.inputRecords(request, built.inputs),
      bundle: {
        entry: request.options.entryPoints[0],
        exports: built.exports,
        zippedBytes: built.zippedBytes,
        unzippedBytes: Buffer.byteLength(built.code) + Buffer.byteLength(built.sourceMap),
        hash: createHash("sha256").update(built.code).digest("hex"),
      },
    };
    const held = this.hold(key, entry, { body: { code: built.code, sourceMap: built.sourceMap } });
    if (this.dir) {
      writeAtomically(this.entryFile(key), entryFileText(entry, built.code, built.sourceMap));
      this.prune();
    }
    return held;
  }

  /** Every file the build read, and the folder config files around them, with hashes taken now. */
  private inputRecords(request: BundleRequest, inputs: string[]): InputRecord[] {
    const workingDir = request.options.absWorkingDir ?? process.cwd();
    const files = new Set<string>();
    const folders = new Set<string>();
    for (const input of inputs) {
      // Virtual inputs (e.g. "(disabled):fs", "<define:...>") are not files.
      if (/^[(<]/.test(input)) continue;
      const file = resolve(workingDir, input);
      files.add(file);
      for (let folder = dirname(file); !folders.has(folder); folder = dirname(folder)) {
        folders.add(folder);
        if (dirname(folder) === folder) break;
      }
    }
    for (const folder of folders) for (const name of FOLDER_CONFIG_FILES) files.add(join(folder, name));
    return [...files].sort().map((file) => {
      const { hash, fingerprint } = this.seen.current(file);
      return [file, hash, fingerprint];
    });
  }

  private entryFile(key: string): string {
    return join(this.dir!, "bundles", `${key}${ENTRY_EXTENSION}`);
  }

  private prune(): void {
    pruneOldest(join(this.dir!, "bundles"), ENTRY_EXTENSION, MAX_ENTRIES);
  }
}

/** The cache folders whose format-1 entries this process has removed (once each: no other version writes them now). */
const swept = new Set<string>();

/**
 * Deletes the entries format 1 left in `folder`: `<key>.json`, `key` 64 hex digits, and its write's temporary file
 * `<key>.json.<pid>.<random>.tmp` (writeAtomically), whose text begins `{"format":1,"key":"<key>"` (JSON.stringify of
 * its entry, format and key first). Any other file is left alone, a format-2 write's temporary file too (another
 * process may be writing it now). Best effort: another process may delete the same files meanwhile.
 */
function removeFormat1Entries(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return; // no entries yet
  }
  for (const name of names) {
    const key = /^([0-9a-f]{64})\.json(?:\.\d+\.[0-9a-z]*\.tmp)?$/.exec(name)?.[1];
    if (!key) continue;
    const file = join(folder, name);
    const start = `{"format":1,"key":"${key}"`;
    try {
      if (withFile(file, (fd) => readExactly(fd, 0, start.length)) === start) unlinkSync(file);
    } catch {
      /* gone meanwhile, or unreadable: left as it is */
    }
  }
}

export function defaultCacheDir(): string | undefined {
  const configured = process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
  if (configured === "off") return undefined;
  if (configured) return resolve(configured);
  const modules = join(process.cwd(), "node_modules");
  return existsSync(modules) ? join(modules, ".cache", "serverless-fullstack") : join(tmpdir(), "serverless-fullstack-cache");
}

function isDependency(path: string): boolean {
  return path.includes(`${sep}node_modules${sep}`);
}

export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** An entry file's text: the first line, the metadata, the code, the map. */
function entryFileText(entry: Entry, code: string, sourceMap: string): string {
  const metadata = JSON.stringify(entry);
  const body = createHash("sha256").update(code).update(sourceMap).digest("hex");
  const firstLine = `${ENTRY_MAGIC} ${FORMAT} ${Buffer.byteLength(metadata)} ${Buffer.byteLength(code)} ${Buffer.byteLength(sourceMap)} ${body}\n`;
  return firstLine + metadata + code + sourceMap;
}

/** The first line and the metadata of an entry file, without reading its code and map; undefined when absent, torn or foreign. */
function readMetadata(file: string): { firstLine: FirstLine; entry: Entry } | undefined {
  try {
    return withFile(file, (fd) => {
      const firstLine = readFirstLine(fd);
      if (!firstLine) return undefined;
      const metadata = readExactly(fd, firstLine.bytes, firstLine.metadataBytes);
      return metadata === undefined ? undefined : { firstLine, entry: JSON.parse(metadata) as Entry };
    });
  } catch {
    return undefined;
  }
}

/** The code and map of an entry file, when its first line still names the body `expected` does; else undefined. */
function readBody(file: string, expected: FirstLine): { code: string; sourceMap: string } | undefined {
  try {
    return withFile(file, (fd) => {
      const firstLine = readFirstLine(fd);
      // Replaced by another process since (another build, another body), or not an entry any more.
      if (!firstLine || firstLine.body !== expected.body || firstLine.codeBytes !== expected.codeBytes || firstLine.mapBytes !== expected.mapBytes) return undefined;
      const at = firstLine.bytes + firstLine.metadataBytes;
      const code = readExactly(fd, at, firstLine.codeBytes);
      const sourceMap = readExactly(fd, at + firstLine.codeBytes, firstLine.mapBytes);
      return code === undefined || sourceMap === undefined ? undefined : { code, sourceMap };
    });
  } catch {
    return undefined; // pruned meanwhile, or unreadable
  }
}

function withFile<T>(file: string, read: (fd: number) => T): T {
  const fd = openSync(file, "r");
  try {
    return read(fd);
  } finally {
    closeSync(fd);
  }
}

function readFirstLine(fd: number): FirstLine | undefined {
  const start = readExactly(fd, 0, FIRST_LINE_MAX, true);
  const end = start?.indexOf("\n") ?? -1;
  if (end < 0) return undefined;
  const [magic, format, ...rest] = start!.slice(0, end).split(" ");
  const [metadataBytes, codeBytes, mapBytes] = rest.slice(0, 3).map(Number);
  const body = rest[3];
  if (magic !== ENTRY_MAGIC || format !== String(FORMAT) || rest.length !== 4 || ![metadataBytes, codeBytes, mapBytes].every((n) => Number.isSafeInteger(n) && n >= 0) || !/^[0-9a-f]{64}$/.test(body)) return undefined;
  return { bytes: end + 1, metadataBytes, codeBytes, mapBytes, body };
}

/** `length` bytes at `position` as UTF-8 text; undefined when the file ends before (`upTo`: as many as there are). */
function readExactly(fd: number, position: number, length: number, upTo = false): string | undefined {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, buffer, filled, length - filled, position + filled);
    if (read === 0) break;
    filled += read;
  }
  if (filled < length && !upTo) return undefined;
  return buffer.toString("utf8", 0, filled);
}
