/**
 * `npm start`'s rebuilds: watches the sources of a StaticSite that has a `build` (its `path`, without the output
 * folder, node_modules and dot-entries) and runs the same command again, with the same environment, when a file
 * changes. The front door reads the output folder on every request, so the next page load gets the new build,
 * with its new content-hashed asset names. One build at a time; changes during a build trigger one more.
 */
import { spawn } from "node:child_process";
import { readdirSync, statSync, watch, type Dirent, type FSWatcher } from "node:fs";
import { join, relative, sep } from "node:path";
import { buildProcessOptions, lastLines, type BuiltSite } from "../components/static-site/build";

export interface SiteWatcher {
  /** Builds finished since the watch began (successful or not). */
  readonly builds: number;
  close(): Promise<void>;
}

/** Editors write a file in bursts (truncate, write, rename): one build for the burst. */
const SETTLE_MS = 100;

export function watchSiteBuild(build: BuiltSite, log: (message: string) => void): SiteWatcher {
  const outputDir = relative(build.cwd, build.outputDir);
  let builds = 0;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const ignored = (file: string) => {
    const path = join(build.cwd, file);
    return path === build.outputDir || path.startsWith(build.outputDir + sep) || file.split(sep).some((part) => part === "node_modules" || part.startsWith("."));
  };
  log(`site "${build.site}": rebuilding ${outputDir} with "${build.command}" when ${build.cwd} changes`);
  const watcher = watchSources(build.cwd, ignored, () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(start, SETTLE_MS);
  });

  function start(): void {
    if (running) {
      again = true;
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

  function rebuild(): Promise<void> {
    const started = Date.now();
    return new Promise((done) => {
      const child = spawn(build.command, { ...buildProcessOptions(build, build.environment), stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("error", (error) => (output += `\n${error.message}`));
      child.on("close", (code, signal) => {
        builds += 1;
        if (code === 0) log(`site "${build.site}": rebuilt ${outputDir} in ${Date.now() - started} ms`);
        else log(`site "${build.site}": ${build.command} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}; serving what is in ${outputDir}. Its output:\n${lastLines(output) || "(none)"}`);
        done();
      });
    });
  }

  return {
    get builds() {
      return builds;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
      await running;
    },
  };
}

/**
 * Watches `root` and its folders except the ignored ones, each folder with a watcher of its own. Not `fs.watch`'s
 * `recursive`: on Linux, Node 20 implements it by walking every subfolder (the output folder too) and throws an
 * uncaught ENOENT when a folder disappears during the walk, which a build emptying its output folder makes happen.
 * A folder created later is watched from its first event; one removed closes its watcher.
 */
export function watchSources(root: string, ignored: (file: string) => boolean, changed: () => void): { watched(): string[]; close(): void } {
  const watchers = new Map<string, FSWatcher>();
  function add(dir: string): void {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (!name) return;
        const path = join(dir, name.toString());
        if (ignored(relative(root, path))) return;
        if (isDirectory(path)) add(path);
        changed();
      });
    } catch {
      return; // gone before it could be watched
    }
    watcher.on("error", () => forget(dir));
    watchers.set(dir, watcher);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return forget(dir);
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !ignored(relative(root, path))) add(path);
    }
  }
  function forget(dir: string): void {
    watchers.get(dir)?.close();
    watchers.delete(dir);
  }
  add(root);
  return {
    watched: () => [...watchers.keys()],
    close() {
      for (const dir of [...watchers.keys()]) forget(dir);
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
