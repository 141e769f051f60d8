/**
 * `npm start`'s cache of the program's run (issue 15): running index.ts under the mocks is most of the start
 * (≈2.5–4 s of the prod-sized app, with the site's build), and between two starts the program, its config and
 * everything it read are usually unchanged. The run's result — config, recorded resources, registered specs,
 * outputs — is kept on disk as plain data with a record of what it depended on, and served again only while
 * every one of those is unchanged:
 *
 * - every file the run read, listed or checked through `node:fs` (Pulumi.yaml, Pulumi.<stack>.yaml, the bundle
 *   cache's check of each bundle's inputs, the site folder's listing, ...), and every module loaded in the
 *   process (index.ts, the components, the SDKs), with the listing of each project module's folder (a new file
 *   there may change what an import resolves to);
 * - every file under each StaticSite's published folder and each site build's source folder (the build runs in
 *   another process, so its reads are not seen);
 * - the installed packages (package.json, package-lock.json, node_modules/.package-lock.json) and Node's version;
 * - the environment variables the run read, and every variable named like one that steers the program or its
 *   tools (PULUMI_*, AWS_*, VITE_*, NODE_*, ...), present or absent.
 *
 * Files are compared as the bundle cache compares them, through the same store (components/file-hashes.ts): by
 * stat fingerprint, and by content hash when the fingerprint moved or was too recent to trust.
 *
 * The specs hold Pulumi Outputs; they are resolved to plain values first (the local services read them through
 * `resolveValue`, which takes plain values as they are). Asset and archive values in recorded resources (a
 * function's code) are kept as a marker naming their kind: no local service reads them. A run whose result holds
 * anything else that is not data (a resource object, a function) is not cached, and says why.
 *
 * Where: the bundle cache's folder (SERVERLESS_FULLSTACK_CACHE_DIR; `off` disables this cache too).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { FileHashes, fingerprintOf, writeAtomically, type HashRecord } from "../../components/file-hashes";
import { defaultCacheDir, digest } from "../../components/lambda/bundle-cache";
import { clearRegisteredSpecs, registerSpec, type RegisteredSpec } from "../../components/spec-registry";
import type { OfflineRun } from "./program";

/** The module object itself (not an ES-module copy), so that the recording hooks are seen by every caller. */
const fs = require("node:fs") as typeof import("node:fs");

/** Bumped when the entry layout or what the record covers changes. */
const FORMAT = 1;
/** Variables that steer the program, the Pulumi SDK, the AWS SDKs or the site's build, whether read by name or not. */
const STEERING_VARIABLES = /^(PULUMI_|AWS_|VITE_|NODE_|STATIC_SITE_|SERVERLESS_FULLSTACK_|ESBUILD_|TZ$|LANG$|LC_)/;
/** Files that say which package versions are installed. */
const PACKAGE_FILES = ["package.json", "package-lock.json", join("node_modules", ".package-lock.json")];
/** Folders never walked for site files. */
const SKIPPED_FOLDERS = new Set(["node_modules", ".git"]);
/** Stands in for an asset or archive value in a cached run's resources. */
export const ASSET_MARKER = "__serverlessFullstackAsset";

export interface ProgramCacheKey {
  stack: string;
  /** Where Pulumi.yaml, Pulumi.<stack>.yaml and index.ts are. */
  projectDir: string;
  /** The cache's root folder. @default the bundle cache's (SERVERLESS_FULLSTACK_CACHE_DIR) */
  cacheDir?: string;
}

/** What a run depended on: per path, the content hash and fingerprint of a file, the listing hash of a folder, or absence. */
type InputRecord = { file: string; at: string | null } | { folder: string | null } | { absent: true };

interface Entry {
  format: number;
  label: string;
  inputs: Record<string, InputRecord>;
  environment: Record<string, string | null>;
  run: OfflineRun;
}

/** Input files' hashes for this process: a lookup's hashes serve the record of the run that follows a miss. */
const inputHashes = new FileHashes();
/** The inputs of the entry a lookup found stale, by entry file, for the run that replaces it. */
const previousInputs = new Map<string, Record<string, InputRecord>>();

/** Why a run's result could not be kept: it holds something that is not data. */
export class NotCacheableError extends Error {}

/**
 * The recorded result of the last run for `key`, when nothing it depended on changed since; else undefined.
 * On a hit the spec registry holds the run's specs, as the run itself leaves it (the local services read it).
 */
export function lookupProgramRun(key: ProgramCacheKey): OfflineRun | undefined {
  const file = entryFile(key);
  if (!file) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
  } catch {
    return undefined; // absent, or a torn or foreign file
  }
  if (entry.format !== FORMAT || entry.label !== label(key)) return undefined;
  // A miss records the run anew: the files whose fingerprints did not move keep their hashes.
  previousInputs.set(file, entry.inputs);
  for (const [name, value] of Object.entries(entry.environment)) if ((process.env[name] ?? null) !== value) return undefined;
  for (const [path, record] of Object.entries(entry.inputs)) if (!unchanged(path, record)) return undefined;
  return adoptRecordedRun(entry.run);
}

/**
 * A recorded run (plain data, as `toPlain` leaves it) made the current one, as running the program would leave the
 * process: the spec registry holds its specs, and nothing else.
 */
export function adoptRecordedRun(run: OfflineRun): OfflineRun {
  clearRegisteredSpecs();
  for (const { kind, name, spec } of run.specs) registerSpec(kind, name, spec);
  return run;
}

/**
 * The program's run for `key`: the recorded one while nothing it depended on changed, else `program()` run and
 * recorded. `log` says which, and why a run could not be kept.
 */
export async function cachedProgramRun(key: ProgramCacheKey, program: () => Promise<OfflineRun>, log: (message: string) => void): Promise<{ run: OfflineRun; cached: boolean }> {
  const cached = lookupProgramRun(key);
  if (cached) {
    log(`index.ts for stack "${key.stack}": unchanged since its last run, with its config and every file it read; using that run's result.`);
    return { run: cached, cached: true };
  }
  log(`Running index.ts for stack "${key.stack}" under mocks...`);
  const recorded = await recordProgramRun(key, program);
  if (recorded.notCached) log(`  (its result is not kept for the next start: ${recorded.notCached})`);
  return { run: recorded.run, cached: false };
}

export interface RecordedRun {
  run: OfflineRun;
  /** Why the result was not kept, when it was not. */
  notCached?: string;
}

/**
 * Runs `program` (a runProgramOffline call) while recording what it reads, and keeps its result for
 * `lookupProgramRun`. Returns the run as the program produced it (Outputs and all): only later starts see the
 * plain copy. A program that fails is not recorded: among them one that registers a URN twice, which the mocks refuse
 * when the run settles, as `pulumi up` does (local/offline/mocks.ts `engineUrns`).
 */
export async function recordProgramRun(key: ProgramCacheKey, program: () => Promise<OfflineRun>): Promise<RecordedRun> {
  const file = entryFile(key);
  if (!file) return { run: await program() };
  const startedAt = await fileClockStart(dirname(file));
  const recorder = startRecording(excludedRoots(key));
  let run: OfflineRun;
  try {
    run = await program();
  } finally {
    recorder.stop();
  }
  let plainRun: OfflineRun;
  try {
    plainRun = (await toPlain(run, "run", new Set())) as OfflineRun;
  } catch (error) {
    if (error instanceof NotCacheableError) return { run, notCached: error.message };
    throw error;
  }
  for (const folder of siteFolders(run.specs)) walkFolder(folder, recorder);
  for (const module of Object.keys(require.cache)) {
    if (!isAbsolute(module)) continue;
    recorder.touched.add(module);
    if (!module.includes(`${sep}node_modules${sep}`)) recorder.listed.add(resolve(module, ".."));
  }
  for (const name of PACKAGE_FILES) recorder.touched.add(join(key.projectDir, name));
  recorder.touched.add(join(key.projectDir, "Pulumi.yaml"));
  recorder.touched.add(join(key.projectDir, `Pulumi.${key.stack}.yaml`));
  const inputs = inputRecords(recorder, previousInputs.get(file) ?? {}, { startedAt, outputs: buildOutputs(run.specs) });
  previousInputs.delete(file);
  const entry: Entry = { format: FORMAT, label: label(key), inputs, environment: environmentRecord(recorder.variables), run: plainRun };
  writeAtomically(file, JSON.stringify(entry));
  return { run };
}

function label(key: ProgramCacheKey): string {
  return JSON.stringify([resolve(key.projectDir), key.stack, process.version, process.platform, process.arch]);
}

function cacheRoot(key: ProgramCacheKey): string | undefined {
  return key.cacheDir ?? defaultCacheDir();
}

/**
 * The run's start on the clock the kernel stamps files with, for comparing with the times of the files the run read.
 * Linux stamps them from its coarse clock, up to a tick (1 to 10 ms) behind Date.now(): a file rewritten within that
 * tick after a Date.now() start would read as older than the run, and its new content be recorded as what the run read.
 * Files written in the tick before the start carry that tick's stamp too, so the start is the first stamp of the next
 * tick: a marker file is stamped until its stamp moves (a file system whose stamps do not move within
 * MARKER_STAMPS keeps the last one: a file saved in the same stamp before the start then reads as changed during the
 * run, and the next start runs the program again, which is safe). The marker is removed as soon as it is made, and
 * stamped through its open descriptor: a start killed while it waits for the tick leaves no file behind (where the
 * file system keeps an open file's name, Windows, it is removed once closed). A cache folder that cannot be written
 * (read-only, not a folder) gives Date.now(): the entry will not be written either, and the start goes on.
 * The marker is stamped by the cache folder's file system; a project on another one whose clock differs (a network
 * file system stamped by its server) is compared across the two clocks, which this cannot see.
 */
async function fileClockStart(folder: string): Promise<number> {
  const marker = join(folder, `.run-start-${process.pid}`);
  let descriptor: number | undefined;
  try {
    mkdirSync(folder, { recursive: true });
    descriptor = openSync(marker, "w");
    removeMarker(marker);
    const open = descriptor;
    const stamp = () => (writeSync(open, "."), fstatSync(open).mtimeMs);
    const before = stamp();
    let now = before;
    for (let tries = 0; now === before && tries < MARKER_STAMPS; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      now = stamp();
    }
    return now;
  } catch {
    return Date.now();
  } finally {
    if (descriptor !== undefined) {
      closeSync(descriptor);
      removeMarker(marker);
    }
  }
}

/** Removes the run-start marker if it is there; one that cannot be removed (a folder that cannot be written) is no failure of the start. */
function removeMarker(marker: string): void {
  try {
    rmSync(marker, { force: true });
  } catch {
    /* left for the next start of this pid, which writes over it */
  }
}
/** Ticks are 1 to 10 ms (Linux's HZ); a timer of 1 ms takes at least that. */
const MARKER_STAMPS = 20;

function entryFile(key: ProgramCacheKey): string | undefined {
  const root = cacheRoot(key);
  return root && join(root, "program", `${digest(label(key))}.json`);
}

/** Paths whose reads are not inputs: the caches themselves (derived data, checked by their own records) and the kernel's. */
function excludedRoots(key: ProgramCacheKey): string[] {
  // This cache's folder and the bundle cache's (the same one unless `cacheDir` says otherwise): the bundle cache
  // touches its entries on every hit (least recently used), which must not read as a changed input.
  const roots = [cacheRoot(key), defaultCacheDir()].filter((root): root is string => root !== undefined).map((root) => resolve(root));
  return [...new Set(roots), ...KERNEL_ROOTS];
}

/** The kernel's file systems: a read there is not of a file the program depends on. */
const DEVICES_ROOT = "/dev";
const KERNEL_ROOTS = ["/proc", "/sys", DEVICES_ROOT];
/** Under /dev, but a tmpfs of regular files (POSIX shared memory), where a project or its temporary folder may live. */
const SHARED_MEMORY_ROOT = "/dev/shm";

const isUnder = (path: string, root: string) => path === root || path.startsWith(root + sep);

/** Whether a read of `path` is left out of the run's inputs. */
function isExcluded(path: string, excluded: readonly string[]): boolean {
  return excluded.some((root) => isUnder(path, root) && !(root === DEVICES_ROOT && isUnder(path, SHARED_MEMORY_ROOT)));
}

interface Recorder {
  /** Files and folders read or checked. */
  touched: Set<string>;
  /** Folders listed. */
  listed: Set<string>;
  /**
   * Per folder the program listed (readdir, not recursive, names in UTF-8 or Buffers: namesComparable), the names it was
   * answered, or NAMES_DIFFERED when two of its listings differed: the folder changed during the run.
   */
  names: Map<string, string>;
  /** Environment variables read by name. */
  variables: Set<string>;
  stop(): void;
}

const READS = ["readFileSync", "statSync", "lstatSync", "existsSync", "accessSync", "openSync", "realpathSync", "readlinkSync", "readFile", "stat", "lstat", "access", "open", "createReadStream", "realpath", "readlink"] as const;
const LISTS = ["readdirSync", "opendirSync", "readdir", "opendir"] as const;
const PROMISE_READS = ["readFile", "stat", "lstat", "access", "open", "realpath", "readlink"] as const;
const PROMISE_LISTS = ["readdir", "opendir"] as const;

/** Hooks `node:fs` and `process.env` until `stop`: every path the run reads or lists, every variable it reads. */
function startRecording(excluded: string[]): Recorder {
  const recorder: Recorder = { touched: new Set(), listed: new Set(), names: new Map(), variables: new Set(), stop: () => {} };
  const restore: Array<() => void> = [];
  const hook = (target: Record<string, unknown>, name: string, into: Set<string>) => {
    const original = target[name] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof original !== "function") return;
    const listing = name === "readdir" || name === "readdirSync";
    const wrapped = Object.assign(function (this: unknown, ...args: unknown[]) {
      const path = pathOf(args[0]);
      if (!path || isExcluded(path, excluded)) return original.apply(this, args);
      into.add(path);
      if (!listing || !namesComparable(args[1])) return original.apply(this, args);
      const note = (entries: unknown) => noteNames(recorder, path, entries);
      // Where fs.readdir takes its callback from: the second argument when it is a function, else the third (Node's
      // `typeof options === "function" ? options : callback`), whatever follows it.
      const at = typeof args[1] === "function" ? 1 : 2;
      const callback = args[at];
      if (typeof callback === "function") {
        args[at] = function (this: unknown, error: unknown, entries: unknown) {
          if (!error) note(entries);
          return callback.call(this, error, entries);
        };
        return original.apply(this, args);
      }
      const result = original.apply(this, args);
      if (result instanceof Promise) void result.then(note, () => {});
      else note(result);
      return result;
    }, original);
    target[name] = wrapped;
    restore.push(() => {
      if (target[name] === wrapped) target[name] = original;
    });
  };
  const fsModule = fs as unknown as Record<string, unknown>;
  const promises = fs.promises as unknown as Record<string, unknown>;
  for (const name of READS) hook(fsModule, name, recorder.touched);
  for (const name of LISTS) hook(fsModule, name, recorder.listed);
  for (const name of PROMISE_READS) hook(promises, name, recorder.touched);
  for (const name of PROMISE_LISTS) hook(promises, name, recorder.listed);

  // A copy of the whole environment (`{ ...process.env }` for the site's build) reads every variable: that is
  // what STEERING_VARIABLES stands for, so the reads of one copy (the same tick as its key listing) are not noted.
  const environment = process.env;
  let copying = false;
  const noteName = (name: string | symbol) => {
    if (typeof name === "string" && !copying) recorder.variables.add(name);
  };
  process.env = new Proxy(environment, {
    get: (target, name) => (noteName(name), Reflect.get(target, name)),
    has: (target, name) => (noteName(name), Reflect.has(target, name)),
    getOwnPropertyDescriptor: (target, name) => (noteName(name), Reflect.getOwnPropertyDescriptor(target, name)),
    ownKeys: (target) => {
      if (!copying) {
        copying = true;
        queueMicrotask(() => (copying = false));
      }
      return Reflect.ownKeys(target);
    },
  });
  restore.push(() => {
    process.env = environment;
  });
  recorder.stop = () => {
    for (const undo of restore.splice(0).reverse()) undo();
  };
  return recorder;
}

function pathOf(argument: unknown): string | undefined {
  if (typeof argument === "string") return resolve(argument);
  if (argument instanceof URL) return argument.protocol === "file:" ? fileURLToPath(argument) : undefined;
  if (Buffer.isBuffer(argument)) return resolve(argument.toString());
  return undefined;
}

/** The folders StaticSite publishes and its builds read (the build's own reads happen in another process). */
function siteFolders(specs: readonly RegisteredSpec[]): string[] {
  const folders: string[] = [];
  for (const { kind, spec } of specs) {
    const fields = spec as { path?: unknown; cwd?: unknown };
    if (kind === "StaticSite" && typeof fields.path === "string") folders.push(resolve(fields.path));
    if (kind === "StaticSiteBuild" && typeof fields.cwd === "string") folders.push(resolve(fields.cwd));
  }
  return folders;
}

function walkFolder(folder: string, recorder: Recorder): void {
  recorder.listed.add(folder);
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    recorder.touched.add(folder); // gone: recorded as absent
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) walkFolder(path, recorder);
    } else {
      recorder.touched.add(path);
    }
  }
}

/**
 * The record of every path the run read. A file modified after the run started may have been read before the change
 * (a listed folder too: folderRecord): its record matches nothing, so the next start runs the program again — except in
 * a site build's output folder, which the build wrote during the run and the manifest read after.
 */
function inputRecords(recorder: Recorder, previous: Record<string, InputRecord>, run: { startedAt: number; outputs: string[] }): Record<string, InputRecord> {
  const records: Record<string, InputRecord> = {};
  for (const path of [...new Set([...recorder.touched, ...recorder.listed])].sort()) {
    const stat = statSync(path, { throwIfNoEntry: false });
    const output = run.outputs.some((folder) => path === folder || path.startsWith(folder + sep));
    const modifiedSinceStart = (at: Stats | undefined) => !at || (Math.max(at.mtimeMs, at.ctimeMs) >= run.startedAt && !output);
    if (!stat) records[path] = { absent: true };
    else if (stat.isDirectory()) records[path] = { folder: recorder.listed.has(path) ? folderRecord(path, modifiedSinceStart, output ? undefined : recorder.names.get(path)) : null };
    else if (modifiedSinceStart(stat)) records[path] = { file: CHANGED_DURING_RUN, at: null };
    else {
      const record = fileRecord(path, stat, previous[path]);
      // Written between the stat above and the hashing: the hash may be of content the run never read.
      records[path] = modifiedSinceStart(statSync(path, { throwIfNoEntry: false })) ? { file: CHANGED_DURING_RUN, at: null } : record;
    }
  }
  return records;
}

/**
 * A listed folder's entries, or CHANGED_DURING_RUN when an entry was added, removed or renamed since the run started: the
 * program may have listed it before the change. Seen two ways: its names are not those a readdir answered the program
 * (`seen`), which needs no clock; or its mtime moved since the start (POSIX unlink/rename/open; the start is read on
 * the file clock, fileClockStart), for a listing whose names were not seen (opendir, a readdir namesComparable
 * refuses). Stat after listing, so a change between the two is seen too.
 */
function folderRecord(folder: string, modifiedSinceStart: (at: Stats | undefined) => boolean, seen: string | undefined): string | null {
  const listing = listingHash(folder);
  if (seen !== undefined && seen !== currentNames(folder)) return CHANGED_DURING_RUN;
  return modifiedSinceStart(statSync(folder, { throwIfNoEntry: false })) ? CHANGED_DURING_RUN : listing;
}

/** The names `folder` holds now (undefined: it cannot be listed). */
function currentNames(folder: string): string | undefined {
  try {
    return namesOf(readdirSync(folder));
  } catch {
    return undefined;
  }
}

/** Stands for the names of a folder the run listed twice with different answers. */
const NAMES_DIFFERED = "listed differently during the run";

/** The names in a listing (readdir's strings, Buffers or Dirents) as one text, in order. */
function namesOf(entries: readonly unknown[]): string {
  return entries
    .map((entry: unknown) => (typeof entry === "string" ? entry : Buffer.isBuffer(entry) ? entry.toString() : String((entry as { name?: unknown }).name)))
    .sort()
    .join("\n");
}

/** Notes the names a listing of `folder` answered the program (NAMES_DIFFERED once two listings differ). */
function noteNames(recorder: Recorder, folder: string, entries: unknown): void {
  if (!Array.isArray(entries)) return; // not a listing's answer: the callback API's return value
  const names = namesOf(entries);
  const before = recorder.names.get(folder);
  recorder.names.set(folder, before === undefined || before === names ? names : NAMES_DIFFERED);
}

/**
 * Whether a listing with readdir's `options` answers names as currentNames reads them (folderRecord compares the two):
 * not a recursive one (names of the folders within too), nor one in an encoding other than UTF-8 or Buffers (a name in
 * hex or base64 is not the name).
 */
function namesComparable(options: unknown): boolean {
  if (typeof options === "function") return true; // fs.readdir's callback in the options' place: no options
  const { encoding, recursive } = typeof options === "object" && options !== null ? (options as { encoding?: unknown; recursive?: unknown }) : { encoding: options, recursive: false };
  return recursive !== true && (encoding === undefined || encoding === null || ["utf8", "utf-8", "buffer"].includes(String(encoding).toLowerCase()));
}

/** Hashes to nothing: the file changed while the program ran. */
const CHANGED_DURING_RUN = "changed during the run";
/** Hashes to nothing: a FIFO, socket or device, which a later start cannot compare. */
const NOT_A_FILE = "not a regular file";

/** The output folders of the site builds the run made. */
function buildOutputs(specs: readonly RegisteredSpec[]): string[] {
  return specs.flatMap(({ kind, spec }) => {
    const outputDir = (spec as { outputDir?: unknown }).outputDir;
    return kind === "StaticSiteBuild" && typeof outputDir === "string" ? [resolve(outputDir)] : [];
  });
}

/** A file's hash and fingerprint: the last record's hash while the file's (trusted) fingerprint is the same, else hashed now. */
function fileRecord(path: string, stat: Stats, previous: InputRecord | undefined): InputRecord {
  const { hash, fingerprint } = inputHashes.current(path, previous && claimOf(previous), stat);
  return { file: hash ?? NOT_A_FILE, at: fingerprint };
}

/** A file record as the hash store's claim: its hash, good while the file keeps the fingerprint it was taken at. */
function claimOf(record: InputRecord): HashRecord | undefined {
  return "file" in record ? { hash: record.file, fingerprint: record.at } : undefined;
}

function environmentRecord(read: Set<string>): Record<string, string | null> {
  const names = new Set([...read, ...Object.keys(process.env).filter((name) => STEERING_VARIABLES.test(name))]);
  return Object.fromEntries([...names].sort().map((name) => [name, process.env[name] ?? null]));
}

function unchanged(path: string, record: InputRecord): boolean {
  const stat = statSync(path, { throwIfNoEntry: false });
  if ("absent" in record) return stat === undefined;
  if (!stat) return false;
  if ("folder" in record) return stat.isDirectory() && (record.folder === null || listingHash(path) === record.folder);
  if (!stat.isFile()) return false;
  // Most inputs are untouched: a fingerprint recorded (only when not racy) that still holds vouches for the hash, as the
  // hash store would find, without a record made for each of the run's thousands of files. A miss records the run anew
  // with these records as claims (previousInputs).
  if (record.at !== null && record.at === fingerprintOf(stat)) return true;
  return inputHashes.current(path, claimOf(record), stat).hash === record.file;
}

/** A folder's entries (names and whether each is a folder), which is what a listing or an import resolution sees. */
function listingHash(folder: string): string | null {
  try {
    const entries = readdirSync(folder, { withFileTypes: true }).map((entry) => `${entry.isDirectory() ? "d" : "f"}:${entry.name}`);
    return digest(entries.sort().join("\n"));
  } catch {
    return null;
  }
}

/**
 * `value` as plain JSON data: Outputs and promises resolved, assets and archives as markers. Throws
 * NotCacheableError, naming the path, for anything else that is not data.
 */
export async function toPlain(value: unknown, path: string, ancestors: Set<object>): Promise<unknown> {
  if (value === null || typeof value === "string" || typeof value === "boolean" || value === undefined) return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new NotCacheableError(`${path} is ${value}`);
    return value;
  }
  if (typeof value !== "object") throw new NotCacheableError(`${path} is a ${typeof value}`);
  const object = value as Record<string, unknown>;
  if (object.__pulumiOutput === true) return toPlain(await outputValue(object), path, ancestors);
  if (typeof object.then === "function") return toPlain(await (value as PromiseLike<unknown>), path, ancestors);
  if (object.__pulumiAsset === true || object.__pulumiArchive === true) return { [ASSET_MARKER]: value.constructor?.name ?? "asset" };
  if (ancestors.has(object)) throw new NotCacheableError(`${path} refers to itself`);
  const prototype = Object.getPrototypeOf(object);
  const isArray = Array.isArray(object);
  if (!isArray && prototype !== Object.prototype && prototype !== null) {
    throw new NotCacheableError(`${path} is a ${object.__pulumiResource === true ? "resource object" : `${value.constructor?.name ?? "class"} instance`}, not data`);
  }
  ancestors.add(object);
  try {
    if (isArray) {
      const items: unknown[] = [];
      for (let i = 0; i < object.length; i++) {
        const item = await toPlain(object[i], `${path}[${i}]`, ancestors);
        if (item === undefined) throw new NotCacheableError(`${path}[${i}] is undefined`);
        items.push(item);
      }
      return items;
    }
    const plain: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const item = await toPlain(object[key], `${path}.${key}`, ancestors);
      if (item !== undefined) plain[key] = item;
    }
    return plain;
  } finally {
    ancestors.delete(object);
  }
}

/** An Output's value, as the engine would resolve it (the mocks know every value outside a preview). */
function outputValue(output: Record<string, unknown>): Promise<unknown> {
  return new Promise((done) => {
    (output as unknown as { apply(f: (v: unknown) => unknown): unknown }).apply((v) => {
      done(v);
      return v;
    });
  });
}
