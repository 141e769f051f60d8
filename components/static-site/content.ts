/**
 * What each site file is served as: S3 key, Content-Type and Cache-Control.
 * The publisher uses it to set object metadata, and the local server uses it
 * to answer requests, so a file has the same headers locally as in AWS.
 */
import { existsSync, readdirSync, readlinkSync, realpathSync, statSync, type Dirent, type Stats } from "node:fs";
import { sep } from "node:path";
import mime from "mime";
import picomatch from "picomatch";

/** Cache-Control for the site's files whose keys match a glob. */
export interface CacheRule {
  /** Glob over the S3 key (path relative to the site folder), e.g. `"assets/**"` or `"**\/*.html"`. */
  pattern: string;
  /** The Cache-Control value for matching files; CloudFront's TTL follows it. */
  cacheControl: string;
}

export const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
export const CACHE_REVALIDATE = "no-cache";

// Text types get an explicit charset so browsers never guess.
const TEXT_TYPES = /^(text\/|application\/(javascript|json|xml|manifest\+json|ld\+json)|image\/svg\+xml)/;

export function contentTypeFor(key: string): string {
  // mime decides by the extension alone when the name has one (a dot past its first character): one lookup per extension.
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || name.includes("\\")) return typeOf(key);
  const extension = name.slice(dot + 1).toLowerCase();
  let type = typeByExtension.get(extension);
  if (type === undefined) typeByExtension.set(extension, (type = typeOf(key)));
  return type;
}

const typeByExtension = new Map<string, string>();

function typeOf(key: string): string {
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
  return cacheRuleMatcher(rules)(key);
}

/** cacheControlFor with `rules` compiled once (picomatch compiles a glob on every isMatch: 20-30 µs a file). */
export function cacheRuleMatcher(rules: readonly CacheRule[]): (key: string) => string {
  const compiled = rules.map((rule) => ({ matches: globMatcher(rule.pattern), cacheControl: rule.cacheControl }));
  return (key) => {
    for (const rule of compiled) if (rule.matches(key)) return rule.cacheControl;
    return isFingerprinted(key) ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
  };
}

/**
 * What decides a file's headers here: the code of the rules above and the `mime` release (its type
 * table). Derived data kept across runs (the site manifest) is valid only under the same signature,
 * so changing a rule or upgrading `mime` invalidates it without anyone remembering to.
 */
export function headerRulesSignature(): string {
  const mimeVersion = (require("mime/package.json") as { version: string }).version;
  return [mimeVersion, TEXT_TYPES.source, contentTypeFor, typeOf, isFingerprinted, cacheRuleMatcher].map(String).join("\n");
}

const globs = new Map<string, (key: string) => boolean>();

function globMatcher(pattern: string): (key: string) => boolean {
  let matcher = globs.get(pattern);
  if (!matcher) globs.set(pattern, (matcher = picomatch(pattern, { dot: true })));
  return matcher;
}

/** A problem with the site folder found while listing it, with the fix; StaticSite reports it as a bad `path`. */
export class SiteFolderError extends Error {
  constructor(readonly problem: string, readonly fix: string) {
    super(`${problem}. ${fix}`);
    this.name = "SiteFolderError";
  }
}

export interface SiteFile {
  /** S3 key: the path relative to the site folder, with forward slashes. */
  key: string;
  /** Absolute path on disk. */
  path: string;
}

/** S3 keys are at most 1,024 bytes of UTF-8; control characters and undecodable names cannot be listed back through S3's XML API. */
export function keyProblem(key: string): string | undefined {
  // A UTF-16 unit is at most 3 bytes of UTF-8: a key of 341 units or fewer fits, uncounted (every file of a big site is checked).
  const bytes = key.length > 341 ? Buffer.byteLength(key, "utf8") : 0;
  if (bytes > 1024) return `is ${bytes} bytes long; S3 keys are at most 1024 bytes`;
  if (/[\u0000-\u001f\u007f]/.test(key)) return "contains a control character, which S3 cannot return in XML listings";
  if (key.includes("\ufffd")) return "is not valid UTF-8, so S3 cannot store the name as written";
  return undefined;
}

/**
 * Files under `root`, sorted by key. Dotfiles and dot-folders are skipped unless
 * asked for. Symlinks are followed; a link back into its own ancestors, a dangling
 * link, something that is not a regular file or folder, an unreadable folder, or a key
 * S3 cannot store throws a SiteFolderError naming the file (an unreadable file fails
 * the manifest's hashing, also naming it).
 */
export function walkSiteFolder(root: string, options: { includeDotfiles?: boolean } = {}): SiteFile[] {
  const files: SiteFile[] = [];
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new SiteFolderError(`${root} is not a folder`, "Point path at the folder with the site's files (or set build.output to where the build writes them)");
  }
  // `prefix` is the folder's key prefix ("" or "a/b/"); `ancestors` the real paths of the folders above,
  // to catch a symlink leading back into them. Only symlinks and odd entries are stat-ed.
  const walk = (dir: string, prefix: string, ancestors: string[]) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw new SiteFolderError(`folder ${dir} cannot be read (${(error as NodeJS.ErrnoException).code})`, "Fix its permissions or remove it from the site");
    }
    for (const entry of entries) {
      if (!options.includeDotfiles && entry.name.startsWith(".")) continue;
      const full = dir + sep + entry.name;
      const key = prefix + entry.name;
      if (entry.isFile()) {
        addFile(key, full);
        continue;
      }
      if (entry.isDirectory()) {
        walk(full, `${key}/`, [...ancestors, ancestors[ancestors.length - 1] + sep + entry.name]);
        continue;
      }
      let stats: Stats;
      try {
        stats = statSync(full);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ELOOP") throw new SiteFolderError(`"${key}" is a symlink loop`, "Point the link at a real file or folder, or remove it");
        if (code === "ENOENT") throw new SiteFolderError(`"${key}" is a symlink to nothing (${readlinkSafe(full)})`, "Fix or remove the dangling link");
        throw new SiteFolderError(`"${key}" cannot be read (${code})`, "Fix its permissions or remove it from the site");
      }
      if (stats.isDirectory()) {
        const real = realpathSync(full);
        if (ancestors.includes(real)) throw new SiteFolderError(`"${key}" is a symlink loop: it leads back to ${real}`, "Point the link somewhere outside its own parent folders, or remove it");
        walk(full, `${key}/`, [...ancestors, real]);
        continue;
      }
      if (!stats.isFile()) throw new SiteFolderError(`"${key}" is not a regular file`, "Remove sockets, pipes and devices from the site folder");
      addFile(key, full);
    }
  };
  const addFile = (key: string, path: string) => {
    const problem = keyProblem(key);
    if (problem) throw new SiteFolderError(`file "${key}" ${problem}`, "Rename the file");
    files.push({ key, path });
  };
  walk(root, "", [realpathSync(root)]);
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "?";
  }
}

/** Keys of the files under `root`, sorted (see walkSiteFolder). */
export function listSiteKeys(root: string, options: { includeDotfiles?: boolean } = {}): string[] {
  return walkSiteFolder(root, options).map((file) => file.key);
}
