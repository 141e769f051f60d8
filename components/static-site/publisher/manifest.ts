/**
 * The manifest of a site folder, made at plan time: every file's key, SHA-256,
 * size, Content-Type and Cache-Control (rules from content.ts, the same the local
 * server answers with). Files are hashed in 1 MiB chunks, so memory stays flat
 * however big the site or its files are.
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { cacheControlFor, contentTypeFor, isFingerprinted, walkSiteFolder, type CacheRule, type SiteFile } from "../content";
import type { Manifest } from "./types";

export interface ManifestOptions {
  cacheRules?: readonly CacheRule[];
  includeDotfiles?: boolean;
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
  return { root, files, manifest: hashFiles(files, options) };
}

/**
 * Hashes each file by reading it in 1 MiB chunks into one reused buffer: memory is
 * one buffer whatever the sizes. Reads are synchronous — a thread-pool round trip per
 * small file costs 3-4x more, and a worker thread measured slower on 2 cores — but the
 * loop yields to the event loop every few milliseconds, so registrations keep flowing.
 */
export async function hashFiles(files: readonly SiteFile[], options: ManifestOptions = {}): Promise<Manifest> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const manifest: Manifest = {};
  let sliceStarted = performance.now();
  for (const file of files) {
    const { sha256, size } = hashFileSync(file, buffer);
    const cacheControl = cacheControlFor(file.key, options.cacheRules ?? []);
    manifest[file.key] = {
      sha256,
      size,
      contentType: contentTypeFor(file.key),
      cacheControl,
      ...(isFingerprinted(file.key) || declaredImmutable(cacheControl) ? { fingerprinted: true } : {}),
    };
    if (performance.now() - sliceStarted > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
  }
  return manifest;
}

/**
 * A cache rule that serves a file `immutable` says its name never gets other content: the name is a fingerprint
 * whatever it looks like (e.g. Vite's default `index-B-x_3kZa.js`, which isFingerprinted's name heuristic can miss),
 * so the file is kept for open pages once removed, as a recognised fingerprint is.
 */
function declaredImmutable(cacheControl: string): boolean {
  return /(^|[\s,])immutable($|[\s,])/i.test(cacheControl);
}

const CHUNK_BYTES = 1024 * 1024;
const YIELD_EVERY_MS = 20;

/** SHA-256 (hex) and size of one file, read in chunks into `buffer`. */
export function hashFileSync(file: Pick<SiteFile, "key" | "path">, buffer = Buffer.allocUnsafe(CHUNK_BYTES)): { sha256: string; size: number } {
  let fd: number | undefined;
  try {
    fd = openSync(file.path, "r");
    const hash = createHash("sha256");
    // Read exactly the size fstat reports: cheaper than one more read to find the end.
    const size = fstatSync(fd).size;
    for (let left = size; left > 0; ) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, left), null);
      if (read === 0) throw new Error(`it shrank while being read (${size - left} of ${size} bytes)`);
      hash.update(buffer.subarray(0, read));
      left -= read;
    }
    return { sha256: hash.digest("hex"), size };
  } catch (error) {
    throw new Error(`Site file "${file.key}" (${file.path}) cannot be read: ${(error as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
