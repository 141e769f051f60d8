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
 * Where: SERVERLESS_FULLSTACK_CACHE_DIR (`off` disables the disk), else
 * `node_modules/.cache/serverless-fullstack` in the working directory (the Pulumi
 * project), else the OS temp folder. Writes are atomic and best effort; at most
 * MAX_ENTRIES bundles are kept, least recently used first out.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import type { BuildOptions } from "esbuild";
import { FileHashes, markUsed, pruneOldest, writeAtomically } from "../file-hashes";
import type { Bundle } from "./bundle";

export { writeAtomically };

/** Bumped when the entry layout or what a key covers changes. */
const FORMAT = 1;
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

/** Per file: content hash (null: the file must not exist) and the stat fingerprint it was hashed at (null: racy). */
type InputRecord = [hash: string | null, fingerprint: string | null];

interface Entry {
  format: number;
  key: string;
  options: BundleRequest["options"];
  inputs: Record<string, InputRecord>;
  bundle: Bundle;
}

export interface BundleCacheStats {
  builds: number;
  diskHits: number;
  memoryHits: number;
}

export class BundleCache {
  readonly stats: BundleCacheStats = { builds: 0, diskHits: 0, memoryHits: 0 };
  private readonly memory = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Bundle>>();
  private readonly requested = new Map<string, BundleRequest>();
  /** This process's view of each file: the fingerprint last seen and its content hash. */
  private readonly seen = new FileHashes();
  /** Entries whose dependency inputs all checked out in this process, with their inputs outside node_modules. */
  private readonly projectInputs = new WeakMap<Entry, Array<[string, InputRecord]>>();
  private readonly esbuildVersion: string;

  /** `dir` undefined: memory only. */
  constructor(readonly dir: string | undefined = defaultCacheDir()) {
    this.esbuildVersion = (require("esbuild/package.json") as { version: string }).version;
  }

  /** The bundle for `request`, from memory, disk, or `build` (synchronous). */
  get(request: BundleRequest, build: (options: BundleRequest["options"]) => BuildOutput): Bundle {
    const key = this.key(request);
    this.requested.set(key, request);
    const hit = this.lookup(key);
    if (hit) return hit;
    this.stats.builds++;
    return this.store(key, request, build(request.options));
  }

  /** As `get`, building with `build` asynchronously; concurrent requests for one key share a build. */
  getAsync(request: BundleRequest, build: (options: BundleRequest["options"]) => Promise<BuildOutput>): Promise<Bundle> {
    const key = this.key(request);
    this.requested.set(key, request);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const hit = this.lookup(key);
    if (hit) return Promise.resolve(hit);
    this.stats.builds++;
    const promise = build(request.options)
      .then((built) => this.store(key, request, built))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /** Records the distinct builds this process asked for under `label`, for `prewarm` in a later run. */
  remember(label: string): void {
    if (!this.dir) return;
    writeAtomically(join(this.dir, "runs", `${digest(label)}.json`), JSON.stringify([...this.requested.values()]));
  }

  /**
   * Checks every build the last run labelled `label` asked for, and rebuilds the stale ones
   * in parallel with `build`, so the run that follows finds them all cached. Failures are
   * left for that run to report (with the component's own error).
   */
  async prewarm(label: string, build: (options: BundleRequest["options"]) => Promise<BuildOutput>): Promise<void> {
    if (!this.dir) return;
    let requests: BundleRequest[];
    try {
      requests = JSON.parse(readFileSync(join(this.dir, "runs", `${digest(label)}.json`), "utf8")) as BundleRequest[];
    } catch {
      return; // first run under this label
    }
    await Promise.allSettled(requests.map((request) => this.getAsync(request, build)));
  }

  private key(request: BundleRequest): string {
    return digest(JSON.stringify([FORMAT, this.esbuildVersion, request.options]));
  }

  private lookup(key: string): Bundle | undefined {
    const inMemory = this.memory.get(key);
    if (inMemory && this.valid(inMemory)) {
      this.stats.memoryHits++;
      return inMemory.bundle;
    }
    if (!this.dir) return undefined;
    const file = this.entryFile(key);
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
    } catch {
      return undefined; // absent, or a torn or foreign file: build anew
    }
    if (entry.format !== FORMAT || entry.key !== key || !this.valid(entry)) return undefined;
    this.memory.set(key, entry);
    this.stats.diskHits++;
    markUsed(file);
    return entry.bundle;
  }

  private valid(entry: Entry): boolean {
    // Dependencies do not change under a running process: once an entry's have all checked out, only the project's
    // own files are checked again (a plan asks for the same ~10 bundles ~20 times, each with ~2,000 dependency inputs).
    const inputs = this.projectInputs.get(entry) ?? Object.entries(entry.inputs);
    for (const [path, record] of inputs) if (!this.unchanged(path, record)) return false;
    if (!this.projectInputs.has(entry)) this.projectInputs.set(entry, inputs.filter(([path]) => !isDependency(path)));
    return true;
  }

  /** Whether the file still hashes to `hash` (null: still absent), re-hashing only when its fingerprint moved. */
  private unchanged(path: string, [hash, fingerprint]: InputRecord): boolean {
    const known = this.seen.peek(path);
    // Dependencies do not change under a running process; the project's own files may.
    if (known && isDependency(path)) return known.hash === hash;
    // The entry's record is trusted when it hashed this very file state.
    return this.seen.current(path, { hash, fingerprint }).hash === hash;
  }

  private store(key: string, request: BundleRequest, built: BuildOutput): Bundle {
    const entry: Entry = {
      format: FORMAT,
      key,
      options: request.options,
      inputs: this.inputRecords(request, built.inputs),
      bundle: {
        entry: request.options.entryPoints[0],
        code: built.code,
        sourceMap: built.sourceMap,
        exports: built.exports,
        zippedBytes: built.zippedBytes,
        unzippedBytes: Buffer.byteLength(built.code) + Buffer.byteLength(built.sourceMap),
        hash: createHash("sha256").update(built.code).digest("hex"),
      },
    };
    this.memory.set(key, entry);
    if (this.dir) {
      writeAtomically(this.entryFile(key), JSON.stringify(entry));
      this.prune();
    }
    return entry.bundle;
  }

  /** Every file the build read, and the folder config files around them, with hashes taken now. */
  private inputRecords(request: BundleRequest, inputs: string[]): Record<string, InputRecord> {
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
    const records: Record<string, InputRecord> = {};
    for (const file of [...files].sort()) {
      const { hash, fingerprint } = this.seen.current(file);
      records[file] = [hash, fingerprint];
    }
    return records;
  }

  private entryFile(key: string): string {
    return join(this.dir!, "bundles", `${key}.json`);
  }

  private prune(): void {
    pruneOldest(join(this.dir!, "bundles"), ".json", MAX_ENTRIES);
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
