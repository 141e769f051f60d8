/**
 * The manifest as the resource carries it: one short string per file instead of an
 * object, with the (few) distinct Content-Type and Cache-Control values in tables.
 * Pulumi serialises 10,000 strings about 15x faster than 10,000 objects, and
 * `pulumi preview --diff` still shows one line per added, changed or removed file:
 *   ~ "about.html": "e3b0c442…b855 18 0 1" => "5d41402a…7592 20 0 1"
 * Pure: serialised with the provider.
 */
import type { FileEntry, Manifest } from "./types";

export interface EncodedManifest {
  /** key → "<sha256> <size> <content type index> <cache-control index>[ f]" (f: fingerprinted). */
  files: Record<string, string>;
  contentTypes: string[];
  cacheControls: string[];
}

export function encodeManifest(manifest: Manifest): EncodedManifest {
  const contentTypes: string[] = [];
  const cacheControls: string[] = [];
  const indexOf = (table: string[], value: string) => {
    const found = table.indexOf(value);
    return found >= 0 ? found : table.push(value) - 1;
  };
  const files: Record<string, string> = {};
  for (const [key, entry] of Object.entries(manifest)) {
    files[key] = `${entry.sha256} ${entry.size} ${indexOf(contentTypes, entry.contentType)} ${indexOf(cacheControls, entry.cacheControl)}${entry.fingerprinted ? " f" : ""}`;
  }
  return { files, contentTypes, cacheControls };
}

export function decodeManifest(encoded: Partial<EncodedManifest>): Manifest {
  const manifest: Manifest = {};
  for (const [key, line] of Object.entries(encoded.files ?? {})) {
    const [sha256, size, type, cache, flag] = line.split(" ");
    const entry: FileEntry = { sha256, size: Number(size), contentType: encoded.contentTypes?.[Number(type)] ?? "", cacheControl: encoded.cacheControls?.[Number(cache)] ?? "" };
    if (flag === "f") entry.fingerprinted = true;
    manifest[key] = entry;
  }
  return manifest;
}
