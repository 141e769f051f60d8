/**
 * What each site file is served as: S3 key, Content-Type and Cache-Control.
 * The publisher uses it to set object metadata, and the local server uses it
 * to answer requests, so a file has the same headers locally as in AWS.
 */
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import mime from "mime";
import picomatch from "picomatch";

export interface CacheRule {
  /** Glob over the S3 key (path relative to the site folder), e.g. `"assets/**"` or `"**\/*.html"`. */
  pattern: string;
  /** The Cache-Control value for matching files; with seed 000, CloudFront's TTL follows it. */
  cacheControl: string;
}

export const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
export const CACHE_REVALIDATE = "no-cache";

// Text types get an explicit charset so browsers never guess.
const TEXT_TYPES = /^(text\/|application\/(javascript|json|xml|manifest\+json|ld\+json)|image\/svg\+xml)/;

export function contentTypeFor(key: string): string {
  const type = mime.getType(key) ?? "application/octet-stream";
  return TEXT_TYPES.test(type) ? `${type}; charset=utf-8` : type;
}

/**
 * Build tools put a content hash in file names (`app.3f9a12bc.js`, `index-BxT3k9aZ.css`).
 * A hash segment is 8+ word characters with at least one digit, after a `.` or `-`.
 */
export function isFingerprinted(key: string): boolean {
  const file = key.slice(key.lastIndexOf("/") + 1);
  return /[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\.[A-Za-z0-9]+$/.test(file);
}

/** User rules first (first match wins), then: fingerprinted files immutable for a year, everything else revalidated. */
export function cacheControlFor(key: string, rules: readonly CacheRule[]): string {
  for (const rule of rules) {
    if (picomatch.isMatch(key, rule.pattern, { dot: true })) return rule.cacheControl;
  }
  return isFingerprinted(key) ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
}

/** Files under `root` as S3 keys (forward slashes), sorted; dotfiles and dot-folders are skipped unless asked for. */
export function listSiteKeys(root: string, options: { includeDotfiles?: boolean } = {}): string[] {
  const keys: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!options.includeDotfiles && entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) keys.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  return keys.sort();
}
