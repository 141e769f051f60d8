/**
 * `npm start` keeps watching the folders outside a site that its sources import when those folders come and go: a
 * shared folder created after `npm start` (the import of `../newlib/x` is written first), a generated folder wiped
 * and written again, and a site whose .js files hold JSX (Create React App's style), which esbuild's default .js
 * loader refused, so none of its outside imports were watched. Each project is a site in a temp folder whose build
 * bundles src/main with esbuild, so what the build saw is in dist/main.js; each step waits for that output, not for
 * a number of builds (fs.watch may merge or split events) nor for a time. Then how a rebuild runs: in the queue of its
 * output folder that StaticSite's builds use (a build into the folder while a rebuild wrote it read a half-written
 * folder; one waiting there says so, and changes meanwhile add no rebuild of their own), and with a message naming
 * the site's folder when it was removed.
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { queueFolderBuild } from "../../components/static-site/build";
import { watchSiteBuild, type SiteWatcher } from "../../local/site-watch";
import { esbuildSite } from "../harness/site-build";

/** A ceiling for a rebuild to show up (esbuild takes milliseconds; the machine may be loaded). Not a timing assertion. */
const REBUILD_WAIT_MS = 30_000;
let project: string;
let watcher: SiteWatcher | undefined;
let logged: string[];
/** Named pipes a test made: released after it, passed or failed, before its watcher closes. */
let pipes: string[] = [];

afterEach(async () => {
  // A pipe opened for reading and writing never waits: it releases whoever still waits on either end (a test's read,
  // or the build's shell and `cat`), also after a test that timed out while one was waiting.
  for (const pipe of pipes) if (existsSync(pipe)) closeSync(openSync(pipe, "r+"));
  pipes = [];
  await watcher?.close();
  watcher = undefined;
  rmSync(project, { recursive: true, force: true });
});

const write = (file: string, text: string) => {
  mkdirSync(join(project, file, ".."), { recursive: true });
  writeFileSync(join(project, file), text);
};
const built = () => {
  try {
    return readFileSync(join(project, "site", "dist", "main.js"), "utf8");
  } catch {
    return "";
  }
};
/** Folders watched outside the site's folder, relative to the project. */
const outsideFolders = () => {
  const site = join(project, "site");
  return watcher!
    .watched()
    .filter((dir) => dir !== site && !dir.startsWith(site + sep))
    .map((dir) => dir.slice(project.length + 1))
    .sort();
};

/** A project whose site/ holds `files`, watched with a build that bundles `entry` into dist/main.js. */
function watchSite(files: Record<string, string>, entry: string, buildFlags = ""): SiteWatcher {
  project = realpathSync(mkdtempSync(join(tmpdir(), "sf-site-folders-")));
  logged = [];
  for (const [file, text] of Object.entries(files)) write(file, text);
  const site = join(project, "site");
  watcher = watchSiteBuild(esbuildSite("folders", site, entry, buildFlags), (message) => logged.push(message));
  return watcher;
}

describe("npm start follows the outside folders a site imports as they come and go", () => {
  it("watches a folder the site imports from once it is created, though it did not exist when the import was read", async () => {
    const watcher = watchSite({ "site/src/main.ts": 'import { x } from "../../newlib/x";\ndocument.title = x;\n' }, "src/main.ts");
    // One rebuild (it fails: newlib/x cannot be resolved) reads the import graph: from then on newlib/ is wanted.
    write("site/src/other.ts", "export {};\n");
    await expect.poll(() => watcher.builds, { timeout: REBUILD_WAIT_MS }).toBeGreaterThanOrEqual(1);
    expect(outsideFolders()).toEqual([]);

    write("newlib/x.ts", 'export const x = "newlib-one";\n');
    await expect.poll(built, { timeout: REBUILD_WAIT_MS }).toContain("newlib-one");
    await expect.poll(outsideFolders, { timeout: REBUILD_WAIT_MS }).toEqual(["newlib"]);
    write("newlib/x.ts", 'export const x = "newlib-two";\n');
    await expect.poll(built, { timeout: REBUILD_WAIT_MS }).toContain("newlib-two");
  });

  it("watches an imported outside folder again after it is removed and re-created", async () => {
    watchSite(
      {
        "site/src/main.ts": 'import { value } from "../../shared/value";\ndocument.title = value;\n',
        "shared/value.ts": 'export const value = "value-one";\n',
      },
      "src/main.ts",
    );
    await expect.poll(outsideFolders, { timeout: REBUILD_WAIT_MS }).toEqual(["shared"]);

    // A generator wipes shared/ and writes it again.
    rmSync(join(project, "shared"), { recursive: true });
    write("shared/value.ts", 'export const value = "value-two";\n');
    await expect.poll(built, { timeout: REBUILD_WAIT_MS }).toContain("value-two");
    // An edit in the new folder: only a watcher on the new folder sees it.
    write("shared/value.ts", 'export const value = "value-three";\n');
    await expect.poll(built, { timeout: REBUILD_WAIT_MS }).toContain("value-three");
    expect(outsideFolders()).toEqual(["shared"]);
  });

  it("reads the imports of a site whose .js files hold JSX", async () => {
    watchSite(
      {
        "site/src/main.js": 'import { value } from "../../shared/value";\nexport const App = () => <h1 title={value}>{value}</h1>;\n',
        "shared/value.ts": 'export const value = "jsx-one";\n',
      },
      "src/main.js",
      "--loader:.js=jsx",
    );
    await expect.poll(outsideFolders, { timeout: REBUILD_WAIT_MS }).toEqual(["shared"]);
    write("shared/value.ts", 'export const value = "jsx-two";\n');
    await expect.poll(built, { timeout: REBUILD_WAIT_MS }).toContain("jsx-two");
    expect(logged.filter((line) => line.includes("could not read the imports"))).toEqual([]);
  });
});

describe("npm start runs a rebuild as StaticSite runs its build", () => {
  it("holds the output folder while it rebuilds: another build into that folder (another site's, StaticSite's) waits for it", async () => {
    project = realpathSync(mkdtempSync(join(tmpdir(), "sf-site-folders-")));
    logged = [];
    const site = join(project, "site");
    // Named pipes (outside the watched folder): each end waits for the other, which orders the rebuild against the test.
    const [started, finish] = (pipes = ["started", "finish"].map((name) => join(project, name)));
    execFileSync("mkfifo", [started, finish]);
    write("site/index.html", "<p>one</p>\n");
    // Says it started, then writes dist/ from what the test sends. Only the first rebuild uses the pipes: another (an
    // edit's events split in two) ends at once.
    const command = 'mkdir -p dist && if [ -p "$STARTED" ]; then printf started > "$STARTED" && cat "$FINISH" > dist/index.html; rm -f "$STARTED" "$FINISH"; fi';
    const environment = { STARTED: started, FINISH: finish };
    watcher = watchSiteBuild({ site: "queued", command, cwd: site, outputDir: join(site, "dist"), environment, environmentNames: Object.keys(environment).sort(), timeoutSeconds: 60, stopGraceSeconds: 5 }, (message) => logged.push(message));
    write("site/index.html", "<p>two</p>\n");
    expect(await readFile(started, "utf8")).toBe("started");
    // The rebuild is writing dist/: a build into dist/ queued now runs (here, reads dist/) once the rebuild is done.
    const read = queueFolderBuild(join(site, "dist"), async () => readFileSync(join(site, "dist", "index.html"), "utf8"));
    await writeFile(finish, "rebuilt");
    expect(await read).toBe("rebuilt");
    // The rebuild had said how it went before the folder was let go.
    expect(logged).toContainEqual(expect.stringMatching(/^site "queued": rebuilt dist in \d+ ms$/));
  });

  it("says when a rebuild waits for another build into its folder, and runs it once for every change made meanwhile, with the imports they add", async () => {
    // Each step imports the title from another outside folder, so the folders watched tell which import graph was read
    // last: the watcher's first, the rebuild's, then the one read for a change while the rebuild waits.
    const importing = (folder: string) => `import { title } from "../../${folder}/title";\ndocument.title = title;\n`;
    const titles = Object.fromEntries(["zero", "one", "two"].map((folder) => [`${folder}/title.ts`, `export const title = "${folder}";\n`]));
    watchSite({ ...titles, "site/src/main.ts": importing("zero") }, "src/main.ts");
    await expect.poll(outsideFolders, { timeout: REBUILD_WAIT_MS }).toEqual(["zero"]);
    // Another build holds dist/ (another site's, StaticSite's own at start) until the test lets it go.
    let letGo!: () => void;
    const other = queueFolderBuild(join(project, "site", "dist"), () => new Promise<void>((resolve) => (letGo = resolve)));
    try {
      write("site/src/main.ts", importing("one"));
      await expect.poll(() => logged, { timeout: REBUILD_WAIT_MS }).toContain('site "folders": its rebuild waits for the build into dist that is running');
      await expect.poll(outsideFolders, { timeout: REBUILD_WAIT_MS }).toEqual(["one"]);
      // A change while the rebuild waits: its imports are read (and their folder watched) before the rebuild runs, and the
      // rebuild, whose command has not read the sources yet, needs no other after it.
      write("site/src/main.ts", importing("two"));
      await expect.poll(outsideFolders, { timeout: REBUILD_WAIT_MS }).toEqual(["two"]);
      expect(watcher!.builds).toBe(0);
    } finally {
      // Also when an expectation fails: the rebuild waiting behind it would hold up the watcher's close.
      letGo();
    }
    await other;
    await expect.poll(() => !watcher!.rebuilding && watcher!.builds > 0, { timeout: REBUILD_WAIT_MS }).toBe(true);
    expect(built()).toContain('"two"');
    expect(watcher!.builds).toBe(1);
  });

  it("does not run a rebuild still waiting for its folder when npm start stops", async () => {
    watchSite({ "site/src/main.ts": 'document.title = "one";\n' }, "src/main.ts");
    let letGo!: () => void;
    const other = queueFolderBuild(join(project, "site", "dist"), () => new Promise<void>((resolve) => (letGo = resolve)));
    try {
      write("site/src/main.ts", 'document.title = "two";\n');
      await expect.poll(() => logged, { timeout: REBUILD_WAIT_MS }).toContain('site "folders": its rebuild waits for the build into dist that is running');
    } finally {
      const closed = watcher!.close();
      letGo();
      await Promise.all([other, closed]);
    }
    // The other build wrote nothing here, and the waiting rebuild never ran its command.
    expect(built()).toBe("");
    expect(logged.filter((line) => line.includes("rebuilt"))).toEqual([]);
  });

  it("names the site's folder when it was removed, not the shell Node could not start in it", async () => {
    watchSite({ "site/src/main.ts": 'document.title = "x";\n' }, "src/main.ts");
    rmSync(join(project, "site"), { recursive: true });
    await expect.poll(() => logged.join("\n"), { timeout: REBUILD_WAIT_MS }).toContain(`could not be started: its folder ${join(project, "site")} does not exist (spawn `);
  });
});
