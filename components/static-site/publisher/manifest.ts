/**
 * The manifest of a site folder, made at plan time: every file's key, SHA-256,
 * size, Content-Type and Cache-Control (rules from content.ts, the same the local
 * server answers with). Hashes are streamed a bounded number of files at a time,
 * so memory stays flat however big the site is.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { cacheControlFor, contentTypeFor, isFingerprinted, walkSiteFolder, type CacheRule, type SiteFile } from "../content";
import type { Manifest } from "./types";

export interface ManifestOptions {
  cacheRules?: readonly CacheRule[];
  includeDotfiles?: boolean;
  /** Files hashed at once. @default 16 */
  concurrency?: number;
}

/** Files below this size are read in one call; bigger ones are streamed in 1 MiB chunks. */
const STREAM_ABOVE_BYTES = 1024 * 1024;

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

export async function hashFiles(files: readonly SiteFile[], options: ManifestOptions = {}): Promise<Manifest> {
  const hashes = new Array<string>(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      hashes[index] = await sha256File(files[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, Math.max(files.length, 1)) }, worker));
  const manifest: Manifest = {};
  for (const [index, file] of files.entries()) {
    manifest[file.key] = {
      sha256: hashes[index],
      size: file.size,
      contentType: contentTypeFor(file.key),
      cacheControl: cacheControlFor(file.key, options.cacheRules ?? []),
      ...(isFingerprinted(file.key) ? { fingerprinted: true } : {}),
    };
  }
  return manifest;
}

export async function sha256File(file: Pick<SiteFile, "key" | "path" | "size">): Promise<string> {
  try {
    if (file.size < STREAM_ABOVE_BYTES) return createHash("sha256").update(await readFile(file.path)).digest("hex");
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file.path, { highWaterMark: STREAM_ABOVE_BYTES })) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } catch (error) {
    throw new Error(`Site file "${file.key}" (${file.path}) cannot be read: ${(error as Error).message}`);
  }
}
