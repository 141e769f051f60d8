/**
 * `npm start`'s rebuilds: watches the sources of a StaticSite that has a `build` (its `path`, without the output
 * folder, node_modules and dot-entries) and runs the same command again, with the same environment, when a file
 * changes. The front door reads the output folder on every request, so the next page load gets the new build,
 * with its new content-hashed asset names. One build at a time; changes while its command runs trigger one more. The
 * command runs as StaticSite ran it (components/static-site/build.ts `runCommand`: the same environment, PATH and
 * `timeoutSeconds`), in the same queue per output folder: a rebuild into a folder another build is writing (another
 * site's with the same `outputDir`, or StaticSite's own) says so and starts once that build is done, and holds the
 * folder meanwhile. Changes while it waits need no rebuild of their own: its command has not read the sources yet.
 *
 * A site's code also imports files outside its folder (the reference site's src/main.ts imports the API's zod
 * schemas from handlers/shared): those files are found by esbuild (`watchImports`) and their folders watched too,
 * each without its subfolders, for those files only. The import graph is read again with every rebuild, so a new
 * import is watched from the build that follows it. Folders that are created later, or removed and created again
 * (a generator's output, a `git checkout`), are watched when they appear, the site's own and the imported ones.
 */
import { readdirSync, realpathSync, statSync, watch, type Dirent, type FSWatcher } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import * as esbuild from "esbuild";
import { queueFolderBuild, runCommand, type BuiltSite } from "../components/static-site/build";

export interface SiteWatcher {
  /** Builds finished since the watch began (successful or not), each counted once the import graph beside it is read too. */
  readonly builds: number;
  /** Whether a rebuild is running or waiting for its folder; not whether a change is still settling (SETTLE_MS). */
  readonly rebuilding: boolean;
  /** Folders watched: the site's own, then those of the files outside it that its sources import. */
  watched(): string[];
  close(): Promise<void>;
}

/** Editors write a file in bursts (truncate, write, rename): one build for the burst. */
const SETTLE_MS = 100;

export function watchSiteBuild(build: BuiltSite, log: (message: string) => void): SiteWatcher {
  const outputDir = relative(build.cwd, build.outputDir);
  let builds = 0;
  let running: Promise<void> | undefined;
  /** The running rebuild waits in its folder's queue: its command has not started. */
  let waiting = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const ignored = (file: string) => {
    const path = join(build.cwd, file);
    return path === build.outputDir || path.startsWith(build.outputDir + sep) || file.split(sep).some((part) => part === "node_modules" || part.startsWith("."));
  };
  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(start, SETTLE_MS);
  };
  log(`site "${build.site}": rebuilding ${outputDir} with "${build.command}" when ${build.cwd} or a file its sources import changes`);
  const sources = watchSources(build.cwd, ignored, changed);
  const imports = watchImports(build, { ignored, entries: () => scriptsAndStyles(sources.watched(), build.cwd, ignored), changed, log });
  // The build that StaticSite ran at construction read the sources as they are now: read their imports once.
  let refreshing = imports.refresh();

  function start(): void {
    if (running) {
      // A command not started yet reads this change; the import graph it is counted with is read again for it (a
      // read asked for already and not started yet is that read: watchImports' refresh).
      if (waiting) refreshing = imports.refresh();
      else again = true;
      return;
    }
    running = rebuild().finally(() => {
      running = undefined;
      if (again && !closed) {
        again = false;
        start();
      }
    });
  }

  /**
   * The command, in its folder's queue, and the import graph read again beside it (a change to either, once the command
   * has started, asks for another round). The command's result is said when it ends; the build counts once the graph is
   * read too, the last read a change while it waited asked for (each refresh runs after those before it). A rebuild
   * still waiting when the watcher closes does not run its command.
   */
  async function rebuild(): Promise<void> {
    refreshing = imports.refresh();
    waiting = true;
    const command = queueFolderBuild(build.outputDir, async () => {
      waiting = false;
      if (closed) return false;
      await runAndSay();
      return true;
    });
    // queueFolderBuild starts the work at once when the folder is free.
    if (waiting) log(`site "${build.site}": its rebuild waits for the build into ${outputDir} that is running`);
    const ran = await command;
    await refreshing;
    if (ran) builds += 1;
  }

  /** Runs the command once and says how it went (never rejects, as runCommand). */
  async function runAndSay(): Promise<void> {
    const started = Date.now();
    const { failure, output } = await runCommand(build, build.environment);
    if (failure === undefined) log(`site "${build.site}": rebuilt ${outputDir} in ${Date.now() - started} ms`);
    else log(`site "${build.site}": ${build.command} ${failure}; serving what is in ${outputDir}. Its output:\n${output || "(none)"}`);
  }

  return {
    get builds() {
      return builds;
    },
    get rebuilding() {
      return running !== undefined;
    },
    watched: () => [...sources.watched(), ...imports.watched()],
    async close() {
      closed = true;
      clearTimeout(timer);
      sources.close();
      imports.close();
      await Promise.all([running, refreshing]);
    },
  };
}

/** What esbuild can read of a site's sources: scripts and stylesheets (not HTML, images or framework files). */
const SCRIPT_OR_STYLE = /\.(?:[cm]?[jt]sx?|css)$/;

/**
 * The site's scripts and stylesheets, in the folders the site watcher watches: every one is an entry of the import
 * graph, not only those the pages name, so no bundler's notion of an entry (Vite's HTML, a framework's routes) has
 * to be known; a file nothing uses only adds its own imports, which are the site's too.
 */
function scriptsAndStyles(folders: string[], root: string, ignored: (file: string) => boolean): string[] {
  const files: string[] = [];
  for (const folder of folders) {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue; // removed since it was watched
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isFile() && SCRIPT_OR_STYLE.test(entry.name) && !ignored(relative(root, path))) files.push(path);
    }
  }
  return files.sort();
}

interface ImportGraph {
  /** Every file the entries import, directly or not, as absolute paths (packages excluded). */
  files: string[];
  /** Relative imports that resolve to no file yet (`../lib/later`), as absolute paths without the extension they may get. */
  missing: string[];
}

/** An onResolve call's marker for the resolve it makes itself, so it does not handle that one again. */
const OWN_RESOLVE = Symbol("site-watch resolve");

/**
 * The site's import graph, from an esbuild bundle that is never written: packages external (node_modules is never
 * watched), every file that is not a script or stylesheet loaded as empty (images, fonts, `?raw` imports: their
 * contents do not matter, only that they are imported), and an import esbuild cannot resolve left external
 * instead of failing the whole graph (Vite's root-relative `/src/main.ts`, its aliases, a file not created yet).
 * A syntax error in a source still fails it.
 */
async function importGraph(cwd: string, entries: string[]): Promise<ImportGraph> {
  if (entries.length === 0) return { files: [], missing: [] };
  const missing = new Set<string>();
  const result = await esbuild.build({
    // Named e0, e1, ...: two entries whose outputs would share a name (App.tsx importing App.css, and App.css) would fail the bundle.
    entryPoints: Object.fromEntries(entries.map((entry, index) => [`e${index}`, entry])),
    absWorkingDir: cwd,
    bundle: true,
    write: false,
    metafile: true,
    packages: "external",
    // ESM: a module with top-level await is refused in the default IIFE format.
    format: "esm",
    // JSX in .js files (Create React App's style) fails the default loader; "jsx" reads plain JavaScript too.
    loader: { ".js": "jsx" },
    outdir: join(cwd, ".site-watch-graph"), // required with several entries; nothing is written
    logLevel: "silent",
    plugins: [
      {
        name: "site-watch-imports",
        setup(graph) {
          graph.onResolve({ filter: /.*/ }, async (args) => {
            if (args.pluginData === OWN_RESOLVE || args.kind === "entry-point") return undefined;
            const resolved = await graph.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: OWN_RESOLVE });
            if (resolved.errors.length === 0) return resolved;
            // `../lib/later.js` may name a later.ts too (TypeScript's ESM style): the stem is `later`.
            if (/^\.\.?(?:\/|$)/.test(args.path)) missing.add(resolve(args.resolveDir, args.path.replace(/[?#].*$/, "").replace(/\.[cm]?jsx?$/, "")));
            return { path: args.path, external: true };
          });
          graph.onLoad({ filter: /.*/ }, (args) => (SCRIPT_OR_STYLE.test(args.path) ? undefined : { contents: "", loader: "empty" }));
        },
      },
    ],
  });
  // The metafile names inputs relative to absWorkingDir, with "/" on every platform.
  return { files: Object.keys(result.metafile.inputs).map((input) => resolve(cwd, input)), missing: [...missing] };
}

/** The names a folder outside the site is watched for: imported files, and missing imports' stems. */
interface FolderNames {
  files: Set<string>;
  missing: Set<string>;
}

interface ImportsOptions {
  /** The site watcher's rule: a file under the site's folder it ignores (output, node_modules, dot-entries). */
  ignored: (file: string) => boolean;
  /** The graph's entries, read at each refresh. */
  entries: () => string[];
  changed: () => void;
  log: (message: string) => void;
}

/**
 * Watches the files outside the site's folder (and in its dot-folders) that the site's sources import, found by
 * `importGraph` at each `refresh`: a watcher per folder of such files, without its subfolders (watchSources with
 * every other name ignored), that reports a change of those files only, and of a file a relative import names that
 * does not exist yet (`../lib/later` is `later.ts` once created), in a folder that may not exist yet either
 * (`../newlib/x`: watchSources watches newlib/ once it appears). Never node_modules or the build's output.
 * When the graph cannot be read (a syntax error while a file is edited), the folders found before stay watched, so
 * saving the fix rebuilds; if it never could, only the site's folder is watched. Said once per run of failures.
 */
function watchImports(build: BuiltSite, { ignored, entries, changed, log }: ImportsOptions) {
  const roots = [...new Set([build.cwd, realpathOr(build.cwd)])];
  const outputs = [...new Set([build.outputDir, realpathOr(build.outputDir)])];
  const folders = new Map<string, { names: FolderNames; watcher: ReturnType<typeof watchSources> }>();
  let queue: Promise<void> = Promise.resolve();
  /** The read queued behind a running one, not started yet. */
  let pending: Promise<void> | undefined;
  let failing = false;
  let closed = false;

  /** Whether `path` needs no watcher of its own: the site watcher covers it, or it is never watched. */
  const skip = (path: string) => {
    const root = roots.find((r) => isUnder(r, path));
    const never = relative(root ?? build.cwd, path).split(sep).includes("node_modules") || outputs.some((o) => isUnder(o, path));
    return never || (root !== undefined && !ignored(relative(root, path)));
  };

  /**
   * Watches the folders of `graph` (read from `readStartedAt`) for its names. A name a folder's watcher was not
   * listening for until now may have been written while the graph was read: its event, if any, came before this
   * made the name relevant and was dropped (the import of a missing `../lib/later` fails the build, and `later.ts` is
   * created before the read that found it missing is applied). So a change is reported for a newly relevant name
   * that exists: a missing import's file (the graph found none, so it came since), or an imported file written since
   * the read began. Not at the first read: StaticSite's build at construction read the sources as they were.
   */
  function apply(graph: ImportGraph, readStartedAt: number, first: boolean): void {
    const wanted = new Map<string, FolderNames>();
    const want = (path: string, kind: "files" | "missing") => {
      if (skip(path)) return;
      const folder = dirname(path);
      if (!wanted.has(folder)) wanted.set(folder, { files: new Set(), missing: new Set() });
      wanted.get(folder)![kind].add(basename(path));
    };
    for (const file of graph.files) want(file, "files");
    for (const file of graph.missing) want(file, "missing");
    for (const [folder, entry] of folders) {
      if (wanted.has(folder)) continue;
      entry.watcher.close();
      folders.delete(folder);
    }
    let unheard = false;
    for (const [folder, names] of wanted) {
      const existing = folders.get(folder);
      if (!first && writtenUnheard(folder, names, existing?.names, readStartedAt)) unheard = true;
      if (existing) {
        existing.names.files = names.files;
        existing.names.missing = names.missing;
        existing.watcher.recheck(); // its events brought it back if it was created or replaced; this is in case one was lost
        continue;
      }
      folders.set(folder, { names, watcher: watchSources(folder, (name) => !relevantName(names, name), changed) });
    }
    if (unheard) changed();
  }

  /** Never rejects: a rebuild awaits it, and a watcher must not bring `npm start` down. */
  let reads = 0;
  async function refresh(): Promise<void> {
    const readStartedAt = Date.now();
    const first = reads++ === 0;
    try {
      const graph = await importGraph(build.cwd, entries());
      if (!closed) apply(graph, readStartedAt, first);
      failing = false;
    } catch (error) {
      if (!failing && !closed) {
        const reason = (error instanceof Error ? error.message : String(error)).split("\n").slice(0, 3).join("\n");
        const fallback = folders.size > 0 ? "the folders found before stay watched" : `only ${build.cwd} is watched`;
        log(`site "${build.site}": could not read the imports of its sources, so ${fallback}:\n${reason}`);
      }
      failing = true;
    }
  }

  return {
    /**
     * Reads the graph again, after any refresh still running (its result would be older). A read that has not started
     * yet reads the sources as they are when it starts, so it serves every change made before then: asked for again
     * meanwhile (each change while a rebuild waits for its folder asks), it is that read, not one more.
     */
    refresh(): Promise<void> {
      if (pending) return pending;
      const read = queue.then(() => {
        if (pending === read) pending = undefined;
        return refresh();
      });
      pending = queue = read;
      return read;
    },
    watched: () => [...folders.values()].flatMap(({ watcher }) => watcher.watched()),
    close() {
      closed = true;
      for (const { watcher } of folders.values()) watcher.close();
      folders.clear();
    },
  };
}

/** A name counts if the graph holds it, or it is a missing import's with an extension (later → later.ts). */
function relevantName(names: FolderNames, name: string): boolean {
  return names.files.has(name) || [...names.missing].some((stem) => name === stem || name.startsWith(`${stem}.`));
}

/**
 * A file system may stamp a write a clock tick before `Date.now()` read the time it follows (Linux's coarse clock:
 * a few milliseconds); one older than this before the read began is not taken as written during it.
 */
const MTIME_TICK_MS = 50;

/** Whether a name `names` holds and `before` did not is a file in `folder` that the read begun at `since` did not see. */
function writtenUnheard(folder: string, names: FolderNames, before: FolderNames | undefined, since: number): boolean {
  const newly: FolderNames = {
    files: new Set([...names.files].filter((name) => !before?.files.has(name))),
    missing: new Set([...names.missing].filter((stem) => !before?.missing.has(stem))),
  };
  if (newly.files.size === 0 && newly.missing.size === 0) return false;
  let present: string[];
  try {
    present = readdirSync(folder);
  } catch {
    return false; // not there (yet): its watcher reports it when it appears
  }
  return present.some((name) => {
    if (!relevantName(newly, name)) return false;
    if (!newly.files.has(name)) return true; // a missing import's file: the graph found none
    try {
      return statSync(join(folder, name)).mtimeMs >= since - MTIME_TICK_MS;
    } catch {
      return false;
    }
  });
}

function isUnder(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Watches `root` and its folders except the ignored ones, each folder with a watcher of its own. Not `fs.watch`'s
 * `recursive`: on Linux, Node 20 implements it by walking every subfolder (the output folder too) and throws an
 * uncaught ENOENT when a folder disappears during the walk, which a build emptying its output folder makes happen.
 *
 * Folders come and go: a folder created later is watched from its parent's event. A folder removed, or removed and
 * created again (a code generator wiping its output, a `git checkout`), has its watcher replaced: on Linux a
 * watcher emits no `error` when its own folder is removed and stays open, deaf to the folder created in its place,
 * so the parent's event for that name (and the watcher's own `rename` event, once its folder is gone or another
 * one) closes it, and those of its subfolders, and watches the folder again if it exists. `root` has no watched
 * parent: the nearest folder above it that exists is watched for the next name on the way to `root` (not listed in
 * `watched()`), so a `root` that does not exist yet, or is removed and re-created, is watched once it appears, and
 * its appearing counts as a change. A watcher that cannot be made is left out, never thrown: a watcher must not
 * bring `npm start` down.
 */
export function watchSources(root: string, ignored: (file: string) => boolean, changed: () => void): { watched(): string[]; recheck(): void; close(): void } {
  /** Each watched folder's watcher, and which folder it is (a re-created folder is another one at the same path). */
  const watchers = new Map<string, { watcher: FSWatcher; identity: string }>();
  /** The nearest existing folder above `root`, watched for the next name on the way to `root`. */
  let anchor: { dir: string; identity: string; watcher: FSWatcher } | undefined;
  let closed = false;

  function add(dir: string): void {
    const identity = folderIdentity(dir);
    const existing = watchers.get(dir);
    if (existing && existing.identity === identity) return;
    forget(dir); // gone, or another folder now: its watcher (and those of its subfolders) hear nothing
    if (closed || identity === undefined) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (event, name) => {
        if (watchers.get(dir) !== entry) return; // an event that was on its way when this watcher was replaced
        if (event === "rename" && folderIdentity(dir) !== identity) {
          // This folder was removed (or replaced): watch what is there now, if anything.
          forget(dir);
          if (dir === root) ensureRoot();
          else if (!ignored(relative(root, dir))) add(dir);
          return changed();
        }
        if (!name) return;
        const path = join(dir, name.toString());
        if (ignored(relative(root, path))) return;
        // A rename of a subfolder's name is its creation, removal or move: its old watcher (if any) is of no use.
        if (event === "rename") forget(path);
        if (isDirectory(path)) add(path);
        changed();
      });
    } catch {
      return; // gone before it could be watched
    }
    const entry = { watcher, identity };
    watcher.on("error", () => {
      if (watchers.get(dir) === entry) forget(dir);
    });
    watchers.set(dir, entry);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return forget(dir);
    }
    for (const dirent of entries) {
      const path = join(dir, dirent.name);
      if (dirent.isDirectory() && !ignored(relative(root, path))) add(path);
    }
  }

  /** Closes the watchers of `dir` and of every folder under it. */
  function forget(dir: string): void {
    for (const [path, { watcher }] of [...watchers]) {
      if (!isUnder(dir, path)) continue;
      watcher.close();
      watchers.delete(path);
    }
  }

  /**
   * Watches `root` if it exists and is not watched yet (or was replaced), and the nearest existing folder above it
   * for what comes next. Looks again after moving that watcher: a folder created between the look and the watch
   * would otherwise be missed. Each look that finds more goes at least one folder deeper, hence the bound.
   */
  function ensureRoot(): void {
    for (let look = 0; look < 32 && !closed; look++) {
      add(root);
      const above = nearestFolder(dirname(root));
      anchorAt(above);
      if (watchers.has(root) === isDirectory(root) && nearestFolder(dirname(root)) === above) return;
    }
  }

  function anchorAt(dir: string | undefined): void {
    const identity = dir === undefined ? undefined : folderIdentity(dir);
    if (anchor && anchor.dir === dir && anchor.identity === identity) return;
    anchor?.watcher.close();
    anchor = undefined;
    if (closed || dir === undefined || identity === undefined || dir === root) return;
    try {
      const watcher = watch(dir, (event, name) => {
        if (anchor?.watcher !== watcher) return;
        const path = name ? join(dir, name.toString()) : undefined;
        // Only a name on the way to `root`, or this folder itself going (its own event names no child of it).
        if (path !== undefined && !isUnder(path, root) && folderIdentity(dir) === identity) return;
        const before = watchers.get(root);
        if (event === "rename" && path === root) forget(root); // removed, created or moved: watch what is there now
        ensureRoot();
        if (watchers.get(root) !== before) changed();
      });
      watcher.on("error", () => {
        if (anchor?.watcher === watcher) anchor = undefined;
        watcher.close();
      });
      anchor = { dir, identity, watcher };
    } catch {
      // Not watchable (permissions, the system's limit of watchers): `recheck` tries again.
    }
  }

  ensureRoot();
  return {
    watched: () => [...watchers.keys()],
    /** Watches `root` again if it appeared or was replaced unseen (an event lost to a full queue). */
    recheck: ensureRoot,
    close() {
      closed = true;
      forget(root);
      anchor?.watcher.close();
      anchor = undefined;
    },
  };
}

function isDirectory(path: string): boolean {
  return folderIdentity(path) !== undefined;
}

/** A folder's device and inode: the same path holds another folder once it is removed and created again. */
function folderIdentity(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/** `path` if it is a folder, else the nearest folder above it that exists. */
function nearestFolder(path: string): string | undefined {
  for (let dir = path; ; dir = dirname(dir)) {
    if (isDirectory(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
