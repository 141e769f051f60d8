/**
 * The manifest of a site folder, made at plan time: every file's key, SHA-256,
 * size, Content-Type and Cache-Control (rules from content.ts, the same the local
 * server answers with). Files are hashed in 1 MiB chunks, so memory stays flat
 * however big the site or its files are.
 *
 * Each hash is kept on disk with the file's stat fingerprint (components/file-hashes.ts, the
 * store the Lambda bundle cache uses too), one store per site folder in the project's cache
 * folder: a run over an unchanged site stats its files and reads none. A file whose
 * fingerprint moved (any write, rename or `touch`), or that was written within the racy
 * window before its last hashing, is read and hashed again; a store that is missing, torn or
 * unwritable only costs the hashing.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { FileHashes, markUsed, pruneOldest } from "../../file-hashes";
import { defaultCacheDir } from "../../lambda/bundle-cache";
import { cacheRuleMatcher, contentTypeFor, headerRulesSignature, isFingerprinted, walkSiteFolder, type CacheRule, type SiteFile } from "../content";
import { encodeManifest, type EncodedManifest } from "./encoding";
import type { FileEntry, Manifest } from "./types";

export interface ManifestOptions {
  cacheRules?: readonly CacheRule[];
  includeDotfiles?: boolean;
  /**
   * Where hashes are kept with their fingerprints.
   * @default the site folder's store, kept on disk across runs (siteHashStoreFile); without a folder, a fresh store (every file hashed)
   */
  hashes?: FileHashes;
}

export interface SiteManifest {
  root: string;
  /** The listing, made synchronously so folder problems surface when the component is constructed. */
  files: SiteFile[];
  /** Resolves to the manifest once every file is hashed; rejects naming the file that could not be read. */
  manifest: Promise<Manifest>;
}

export function buildManifest(root: string, options: ManifestOptions = {}): SiteManifest {
  const files = walkSiteFolder(root, { includeDotfiles: options.includeDotfiles });
  return { root, files, manifest: hashFiles(files, options, root) };
}

/**
 * As buildManifest, encoded as SitePublisher carries it (encodeManifest). When every file is as the
 * site's store last recorded it (same files, same fingerprints) and the header rules and options are
 * the same, the encoding saved with those records is reused whole: an unchanged site costs its listing
 * and a stat per file. Anything else builds and encodes the manifest anew, and saves it.
 */
export function buildEncodedManifest(root: string, options: Omit<ManifestOptions, "hashes"> = {}): { root: string; files: SiteFile[]; encoded: Promise<EncodedManifest> } {
  const files = walkSiteFolder(root, { includeDotfiles: options.includeDotfiles });
  return { root, files, encoded: encodeSite(root, files, options) };
}

async function encodeSite(root: string, files: readonly SiteFile[], options: Omit<ManifestOptions, "hashes">): Promise<EncodedManifest> {
  const hashes = siteHashes(root);
  const file = siteHashStoreFile(root);
  const paths = files.map((f) => f.path);
  const signature = createHash("sha256")
    .update(JSON.stringify([ENCODING_FORMAT, options.cacheRules ?? [], options.includeDotfiles ?? false, headerRulesSignature(), String(declaredImmutable)]))
    .digest("hex");
  const saved = file ? (hashes.attachment(file) as Partial<SavedEncoding> | undefined) : undefined;
  // The saved encoding holds when it was made under the same rules, from exactly these files, each as recorded.
  if (
    file &&
    saved?.signature === signature &&
    typeof saved.files === "string" &&
    Array.isArray(saved.contentTypes) &&
    Array.isArray(saved.cacheControls) &&
    hashes.unchangedSince(file, paths) &&
    (await allAsRecorded(files, hashes))
  ) {
    return { files: saved.files, contentTypes: saved.contentTypes, cacheControls: saved.cacheControls };
  }
  const contents = await hashAll(files, hashes);
  const encoded = encodeManifest(manifestOf(files, contents, options));
  if (file) saveStore(hashes, file, root, paths, { signature, ...encoded } satisfies SavedEncoding);
  return encoded;
}

/** Bumped when what the saved encoding holds changes. */
const ENCODING_FORMAT = 1;

/** The encoded manifest saved with the records it was made from, and what else it depends on. */
interface SavedEncoding extends EncodedManifest {
  /** The cache rules, options and header rules (code and `mime` release) it was made under. */
  signature: string;
}

/**
 * Hashes each file that changed since the store last saw it (all of them with a fresh store),
 * reading it in 1 MiB chunks into one reused buffer. Reads are synchronous — a thread-pool
 * round trip per small file costs 3-4x more, and a worker thread measured slower on 2 cores —
 * but the work yields to the event loop every few milliseconds, so registrations keep flowing.
 * `root`: the folder the files were listed from, whose store on disk is used and updated.
 */
export async function hashFiles(files: readonly SiteFile[], options: ManifestOptions = {}, root?: string): Promise<Manifest> {
  const hashes = options.hashes ?? (root === undefined ? new FileHashes() : siteHashes(root));
  const manifest = manifestOf(files, await hashAll(files, hashes), options);
  if (root !== undefined && options.hashes === undefined) {
    const file = siteHashStoreFile(root);
    if (file) saveStore(hashes, file, root, files.map((f) => f.path));
  }
  return manifest;
}

type Content = { sha256: string; size: number };

/** Whether every file is a regular file whose stat fingerprint is the store's record's, a slice at a time. */
async function allAsRecorded(files: readonly SiteFile[], hashes: FileHashes): Promise<boolean> {
  for (let next = 0; next < files.length; ) {
    next = checkSlice(files, hashes, next);
    if (next < 0) return false;
    if (next < files.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

/** As hashSlice, only looking: returns -1 at the first file not as recorded. */
function checkSlice(files: readonly SiteFile[], hashes: FileHashes, start: number): number {
  const started = performance.now();
  for (let i = start; i < files.length; i++) {
    const stat = statSync(files[i].path, { throwIfNoEntry: false });
    if (!stat?.isFile() || !hashes.matches(files[i].path, stat)) return -1;
    if (i % 16 === 15 && performance.now() - started > YIELD_EVERY_MS) return i + 1;
  }
  return files.length;
}

/** Each file's hash and size, a slice of the files at a time, yielding between slices. */
async function hashAll(files: readonly SiteFile[], hashes: FileHashes): Promise<Content[]> {
  const contents: Content[] = new Array(files.length);
  for (let next = 0; next < files.length; ) {
    next = hashSlice(files, hashes, contents, next);
    if (next < files.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return contents;
}

/**
 * Hashes files from `start` for about YIELD_EVERY_MS, and returns where it stopped. A plain function,
 * not the async loop itself: V8 optimises a hot loop in a function it can replace on the stack, which
 * an async function's resumable loop is not.
 */
function hashSlice(files: readonly SiteFile[], hashes: FileHashes, contents: Content[], start: number): number {
  const started = performance.now();
  for (let i = start; i < files.length; i++) {
    contents[i] = hashFileSync(files[i], hashes);
    // Checked every few files: an unchanged file costs a stat, about as much as reading the clock.
    if (i % 16 === 15 && performance.now() - started > YIELD_EVERY_MS) return i + 1;
  }
  return files.length;
}

/** The manifest of `files` with their contents' hashes and sizes: Content-Type and Cache-Control by the rules of content.ts. */
function manifestOf(files: readonly SiteFile[], contents: readonly Content[], options: Pick<ManifestOptions, "cacheRules">): Manifest {
  const cacheControlFor = cacheRuleMatcher(options.cacheRules ?? []);
  const immutable = new Map<string, boolean>();
  const manifest: Manifest = {};
  for (let i = 0; i < files.length; i++) {
    const key = files[i].key;
    const cacheControl = cacheControlFor(key);
    let declared = immutable.get(cacheControl);
    if (declared === undefined) immutable.set(cacheControl, (declared = declaredImmutable(cacheControl)));
    const entry: FileEntry = { sha256: contents[i].sha256, size: contents[i].size, contentType: contentTypeFor(key), cacheControl };
    if (declared || isFingerprinted(key)) entry.fingerprinted = true;
    manifest[key] = entry;
  }
  return manifest;
}

function saveStore(hashes: FileHashes, file: string, root: string, paths: readonly string[], attachment?: SavedEncoding): void {
  const fresh = !existsSync(file);
  hashes.save(file, root, paths, attachment);
  if (fresh) pruneOldest(dirname(file), ".json", MAX_SITE_STORES);
}

/**
 * A cache rule that serves a file `immutable` says its name never gets other content: the name is a fingerprint
 * whatever it looks like (e.g. Vite's default `index-B-x_3kZa.js`, which isFingerprinted's name heuristic can miss),
 * so the file is kept for open pages once removed, as a recognised fingerprint is.
 */
function declaredImmutable(cacheControl: string): boolean {
  return /(^|[\s,])immutable($|[\s,])/i.test(cacheControl);
}

const YIELD_EVERY_MS = 20;

/** SHA-256 (hex) and size of one site file as it is now: from `hashes` while its fingerprint holds, else read. */
export function hashFileSync(file: Pick<SiteFile, "key" | "path">, hashes: FileHashes = new FileHashes()): { sha256: string; size: number } {
  try {
    const stat = statSync(file.path);
    if (!stat.isFile()) throw new Error("it is no longer a regular file");
    const { hash, size } = hashes.current(file.path, undefined, stat);
    if (hash === null) throw new Error("it is gone");
    return { sha256: hash, size };
  } catch (error) {
    throw new Error(`Site file "${file.key}" (${file.path}) cannot be read: ${(error as Error).message}`);
  }
}

/** Each site folder's store, loaded from disk once per process. */
const storesByRoot = new Map<string, FileHashes>();

function siteHashes(root: string): FileHashes {
  let store = storesByRoot.get(root);
  if (!store) {
    store = new FileHashes();
    const file = siteHashStoreFile(root);
    if (file) {
      store.load(file, root);
      markUsed(file);
    }
    storesByRoot.set(root, store);
  }
  return store;
}

/** Where the hashes of the files under `root` are kept (undefined: the cache is off, SERVERLESS_FULLSTACK_CACHE_DIR=off). */
export function siteHashStoreFile(root: string): string | undefined {
  const dir = defaultCacheDir();
  return dir && join(dir, "site-hashes", `${createHash("sha256").update(resolve(root)).digest("hex")}.json`);
}

/** Site stores kept (one per site folder; test suites make one per temporary site), least recently used first out. */
const MAX_SITE_STORES = 128;
