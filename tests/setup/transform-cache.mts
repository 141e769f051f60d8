/**
 * vitest.config.mts's transform cache (experimental.fsModuleCache): whether this invocation keeps one, its folder's
 * name, and which folders go. An ES module of its own: the config is one, and this package's .ts files are CommonJS.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Whether vitest keeps its transforms on disk for this invocation: not with SERVERLESS_FULLSTACK_CACHE_DIR=off (the
 * switch for a run with no caches), and not in watch mode, where the folder chosen at start outlives the renames that
 * per-list folders exist for (vitest-dev/vitest#11246) and another run's cleanup could remove it under the session.
 * Vitest watches unless told `run`, `--run`, `--watch=false`/`--no-watch`, or on CI.
 */
export function transformCacheWanted(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (env.SERVERLESS_FULLSTACK_CACHE_DIR === "off") return false;
  if (env.CI && env.CI !== "false" && env.CI !== "0") return true;
  return argv.slice(2).some((arg) => arg === "run" || arg === "--run" || arg === "--watch=false" || arg === "--no-watch");
}

const MODULE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;
/** Never sources at any depth. */
const NEVER_SOURCES = new Set(["node_modules", ".git"]);
/** Not sources, by path from the repository's root (a `components/results/` would be). */
const NOT_SOURCES = ["site/dist", ".local", "lambda-native", "results"];
const TSCONFIG = /^tsconfig.*\.json$/;

/** The module files under `root` (paths from it, `/`-separated, sorted), skipping NOT_SOURCES. */
export function moduleFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const fromRoot = relative(root, path).split(sep).join("/");
      if (entry.isDirectory()) {
        if (!NEVER_SOURCES.has(entry.name) && !NOT_SOURCES.includes(fromRoot)) walk(path);
      } else if (MODULE_FILE.test(entry.name)) found.push(fromRoot);
    }
  };
  walk(root);
  return found.sort();
}

/**
 * The transform-cache folder's name for `root`: the list of its module files (a rename starts a new folder, see
 * vitest.config.mts) and the contents of every tsconfig*.json, which vite's TypeScript transform reads (target,
 * useDefineForClassFields, experimentalDecorators, verbatimModuleSyntax, jsx*) and vitest's own key does not cover.
 * Vitest's key already covers the config file's contents.
 */
export function transformCacheKey(root: string, files: readonly string[] = moduleFiles(root)): string {
  const hash = createHash("sha256").update(files.join("\n"));
  for (const file of files) if (TSCONFIG.test(file.slice(file.lastIndexOf("/") + 1))) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  return hash.digest("hex").slice(0, 16);
}

/**
 * Of the folders (name, last used), those to remove besides `current`: unused for `maxAgeMs`, or beyond the `keep`
 * most recently used and unused for `busyMs`. A run that finds every transform warm writes nothing, so its folder's
 * time stays that of its start: a folder used within `busyMs` may still be read by a run in another worktree sharing
 * node_modules, and vitest reads an entry without checking the file is still there.
 */
export function foldersToRemove(folders: readonly { name: string; usedAt: number }[], current: string, now: number, keep: number, maxAgeMs: number, busyMs = 3600_000): string[] {
  const others = folders.filter((folder) => folder.name !== current).sort((a, b) => b.usedAt - a.usedAt || a.name.localeCompare(b.name));
  // The current folder is one of the `keep`.
  return others.filter((folder, index) => now - folder.usedAt > maxAgeMs || (index >= keep - 1 && now - folder.usedAt > busyMs)).map((folder) => folder.name);
}

const USED_MARK = ".used";

function lastChange(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined; // gone
  }
}

/**
 * This run's transform-cache folder under `caches`, marked used; undefined (no cache) where it cannot be made, as on
 * a read-only disk. Other folders go as foldersToRemove says; one that cannot
 * be removed (another process writing into it, no permission) stays for a later run and costs this one nothing.
 */
export function transformCacheFolder(root: string, caches: string, keep = 4, maxAgeMs = 2 * 24 * 3600_000): string | undefined {
  const name = transformCacheKey(root);
  const folder = join(caches, name);
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, USED_MARK), "");
  } catch {
    return undefined;
  }
  let names: string[] = [];
  try {
    names = readdirSync(caches);
  } catch {
    return folder;
  }
  // A folder's own time changes when vitest renames a new entry into it, and one another run has just made may have no mark yet.
  const folders = names.map((other) => ({ name: other, usedAt: Math.max(lastChange(join(caches, other, USED_MARK)) ?? 0, lastChange(join(caches, other)) ?? 0) }));
  for (const other of foldersToRemove(folders, name, Date.now(), keep, maxAgeMs)) {
    try {
      rmSync(join(caches, other), { recursive: true, force: true });
    } catch {
      // Left for a later run.
    }
  }
  return folder;
}
