/**
 * The manifest as the resource carries it: one string, the JSON of key → one short line per file,
 * with the (few) distinct Content-Type and Cache-Control values in tables.
 *
 * One string, not a map: Pulumi serialises, checks and copies a map value by value (under the
 * mocks, 10,000 entries cost about 0.3 s of a run's CPU; one 1 MB string about 0.01 s), and the
 * engine's state does the same. `pulumi preview --diff` still shows one line per added, changed
 * or removed file, since it diffs a string holding a JSON object as the object
 * (printEncodedValueDiff in pulumi/pulumi's pkg/backend/display/object_diff.go):
 *   ~ files: (json) {
 *       ~ about.html: "e3b0c442…b855 18 0 1" => "5d41402a…7592 20 0 1"
 *     }
 * States written before hold `files` as the map itself; decodeManifest reads both.
 * Pure: serialised with the provider.
 */
import type { FileEntry, Manifest } from "./types";

export interface EncodedManifest {
  /** JSON of key → "<sha256> <size> <content type index> <cache-control index>[ f]" (f: fingerprinted). */
  files: string;
  contentTypes: string[];
  cacheControls: string[];
}

export function encodeManifest(manifest: Manifest): EncodedManifest {
  const contentTypes = new Map<string, number>();
  const cacheControls = new Map<string, number>();
  const indexOf = (table: Map<string, number>, value: string) => {
    let found = table.get(value);
    if (found === undefined) table.set(value, (found = table.size));
    return found;
  };
  const files: Record<string, string> = {};
  for (const key in manifest) {
    const entry = manifest[key];
    files[key] = `${entry.sha256} ${entry.size} ${indexOf(contentTypes, entry.contentType)} ${indexOf(cacheControls, entry.cacheControl)}${entry.fingerprinted ? " f" : ""}`;
  }
  return { files: JSON.stringify(files), contentTypes: [...contentTypes.keys()], cacheControls: [...cacheControls.keys()] };
}

/** `files`: the JSON string, or the map itself (states written before it was a string). */
export function decodeManifest(encoded: { files?: string | Record<string, string>; contentTypes?: string[]; cacheControls?: string[] }): Manifest {
  const manifest: Manifest = {};
  const lines: Record<string, string> = typeof encoded.files === "string" ? JSON.parse(encoded.files) : (encoded.files ?? {});
  for (const [key, line] of Object.entries(lines)) {
    const [sha256, size, type, cache, flag] = line.split(" ");
    const entry: FileEntry = { sha256, size: Number(size), contentType: encoded.contentTypes?.[Number(type)] ?? "", cacheControl: encoded.cacheControls?.[Number(cache)] ?? "" };
    if (flag === "f") entry.fingerprinted = true;
    manifest[key] = entry;
  }
  return manifest;
}

/** The keys of an encoded manifest, in its order. */
export function manifestKeys(encoded: { files?: string | Record<string, string> }): string[] {
  return Object.keys(typeof encoded.files === "string" ? JSON.parse(encoded.files) : (encoded.files ?? {}));
}
