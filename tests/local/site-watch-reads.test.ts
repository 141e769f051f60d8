/**
 * How often `npm start`'s site watcher reads a site's import graph while a rebuild waits for another build into its
 * output folder: a change made then needs its imports read before the rebuild's command runs, but the changes made
 * while one read has not started yet all need only that read (it reads the sources as they are when it starts), and a
 * change made while a read runs needs one more after it. The reads are counted at the watcher's one in-process use of
 * esbuild (the graph; the site's own command is another process), and held there, so the test says which read runs
 * when. The settle timer of the watcher is faked: each change is handed to the watcher when the test runs that timer,
 * once the change's file event has set it, so the count does not rest on how fs.watch splits or merges events.
 * A read held after esbuild answered shows a file created, or newly imported and written, while its result waits to be applied.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, utimesSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import { queueFolderBuild } from "../../components/static-site/build";
import { watchSiteBuild, type SiteWatcher } from "../../local/site-watch";

/** The graph reads started, and those held (each waits for its release), before esbuild reads or after. */
const reads = vi.hoisted(() => ({ started: 0, holding: false, holdingAfter: false, held: [] as Array<() => void> }));

vi.mock("esbuild", async (importOriginal) => {
  const actual = await importOriginal<typeof import("esbuild")>();
  return {
    ...actual,
    build: async (options: Parameters<typeof actual.build>[0]) => {
      reads.started += 1;
      if (reads.holding) await new Promise<void>((release) => reads.held.push(release));
      const result = await actual.build(options);
      if (reads.holdingAfter) await new Promise<void>((release) => reads.held.push(release));
      return result;
    },
  };
});

/** A ceiling for the watcher to answer (a file event, an esbuild read). Not a timing assertion. */
const WAIT_MS = 30_000;
let project: string;
let watcher: SiteWatcher | undefined;
let letGo: (() => void) | undefined;

afterEach(async () => {
  reads.started = 0;
  reads.holding = false;
  reads.holdingAfter = false;
  for (const release of reads.held.splice(0)) release();
  letGo?.();
  await watcher?.close();
  watcher = undefined;
  vi.useRealTimers();
  rmSync(project, { recursive: true, force: true });
});

it("reads the import graph once for the changes made while a read waits to start, and once more for a change made while one runs", async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  project = realpathSync(mkdtempSync(join(tmpdir(), "sf-site-reads-")));
  const site = join(project, "site");
  mkdirSync(join(site, "src"), { recursive: true });
  const main = join(site, "src", "main.ts");
  writeFileSync(main, 'document.title = "0";\n');
  const logged: string[] = [];
  watcher = watchSiteBuild({ site: "reads", command: "mkdir -p dist", cwd: site, outputDir: join(site, "dist"), environment: {}, environmentNames: [], timeoutSeconds: 60, stopGraceSeconds: 5 }, (message) => logged.push(message));
  // The watcher's first read, of the sources as StaticSite built them.
  await expect.poll(() => reads.started, { timeout: WAIT_MS }).toBe(1);

  /** An edit, handed to the watcher once its file event has set the settle timer. */
  let edits = 0;
  const edit = async () => {
    writeFileSync(main, `document.title = "${++edits}";\n`);
    await expect.poll(() => vi.getTimerCount(), { timeout: WAIT_MS }).toBeGreaterThan(0);
    vi.runOnlyPendingTimers();
  };
  const release = () => reads.held.shift()!();

  // Another build holds dist/ (another site's, StaticSite's own at start) until the test lets it go.
  const other = queueFolderBuild(join(site, "dist"), () => new Promise<void>((resolve) => (letGo = resolve)));
  reads.holding = true;
  await edit();
  // The rebuild waits for dist/, and its own read of the graph runs (held).
  expect(logged).toContain('site "reads": its rebuild waits for the build into dist that is running');
  await expect.poll(() => reads.started, { timeout: WAIT_MS }).toBe(2);
  // Two changes while that read runs: one read after it, for both.
  await edit();
  await edit();
  release();
  await expect.poll(() => reads.started, { timeout: WAIT_MS }).toBe(3);
  // Two more while that one runs: again one after it.
  await edit();
  await edit();
  reads.holding = false;
  release();
  letGo!();
  await other;
  await expect.poll(() => !watcher!.rebuilding && watcher!.builds === 1, { timeout: WAIT_MS }).toBe(true);
  expect(reads.started).toBe(4);
});

/**
 * A site importing lib/extra.ts (lib/ also holding `lib`'s other files); `main.ts` is rewritten to `after`, its read is
 * held once esbuild has answered, `file` in lib/ is written with `content` and its event let in, then the read is applied:
 * the rebuild for the edit, and one for `file`, read the graph a third time.
 */
async function rebuildsForFileWrittenWhileApplied(label: string, lib: Record<string, string>, after: string, file: string, content: string): Promise<void> {
  project = realpathSync(mkdtempSync(join(tmpdir(), `sf-site-${label}-`)));
  const site = join(project, "site");
  mkdirSync(join(site, "src"), { recursive: true });
  mkdirSync(join(project, "lib"));
  for (const [name, text] of Object.entries({ "extra.ts": 'export const extra = "x";\n', ...lib })) writeFileSync(join(project, "lib", name), text);
  const main = join(site, "src", "main.ts");
  writeFileSync(main, 'import { extra } from "../../lib/extra";\ndocument.title = extra;\n');
  watcher = watchSiteBuild({ site: label, command: "mkdir -p dist", cwd: site, outputDir: join(site, "dist"), environment: {}, environmentNames: [], timeoutSeconds: 60, stopGraceSeconds: 5 }, () => {});
  await expect.poll(() => watcher!.watched().includes(join(project, "lib")), { timeout: WAIT_MS }).toBe(true);
  await expect.poll(() => reads.started, { timeout: WAIT_MS }).toBe(1);

  reads.holdingAfter = true;
  writeFileSync(main, after);
  // The rebuild's read has answered and waits to be applied.
  await expect.poll(() => reads.held.length, { timeout: WAIT_MS }).toBe(1);
  reads.holdingAfter = false;
  // The file, once its event is in: node reads every fs.watch of a process from one inotify queue, so this watcher's
  // event and lib/'s watcher's are handed out in the same turn of the loop.
  const heard = new Promise<void>((resolve) => {
    const own = watch(join(project, "lib"), (_event, name) => {
      if (name?.toString() !== file) return;
      own.close();
      setImmediate(resolve);
    });
  });
  writeFileSync(join(project, "lib", file), content);
  await heard;
  reads.held.shift()!();
  // Its rebuild, and the one for the file: a third read of the graph.
  await expect.poll(() => reads.started, { timeout: WAIT_MS }).toBe(3);
  await expect.poll(() => !watcher!.rebuilding && watcher!.builds === 2, { timeout: WAIT_MS }).toBe(true);
}

it("rebuilds for a missing import's file created while the read that found it missing was still being applied", async () => {
  // The build fails on `../../lib/later` at once, while the graph read beside it still runs: a user creating
  // later.ts then (CI, 2026-12-06) saw no rebuild, the file's event reaching lib/'s watcher before the read made
  // `later` a name it listens for.
  const after = 'import { extra } from "../../lib/extra";\nimport { later } from "../../lib/later";\ndocument.title = extra + later;\n';
  await rebuildsForFileWrittenWhileApplied("unheard", {}, after, "later.ts", 'export const later = "y";\n');
});

it("rebuilds for a file newly imported and written while the read that found it was still being applied", async () => {
  // other.ts exists, unimported: lib/'s watcher does not listen for it, and drops its write. Applying the read makes
  // other.ts relevant, and its write, newer than the read's start, is a change of its own.
  const after = 'import { extra } from "../../lib/extra";\nimport { other } from "../../lib/other";\ndocument.title = extra + other;\n';
  await rebuildsForFileWrittenWhileApplied("unheard-write", { "other.ts": 'export const other = "y";\n' }, after, "other.ts", 'export const other = "z";\n');
});

it("does not rebuild for the files the first read finds, nor for a file newly imported that was not written while the read that found it ran", async () => {
  project = realpathSync(mkdtempSync(join(tmpdir(), "sf-site-unwritten-")));
  const site = join(project, "site");
  mkdirSync(join(site, "src"), { recursive: true });
  mkdirSync(join(project, "lib"));
  writeFileSync(join(project, "lib", "extra.ts"), 'export const extra = "x";\n');
  // Unimported until the edit, and written long before any read (beyond the mtime tick the watcher allows).
  const other = join(project, "lib", "other.ts");
  writeFileSync(other, 'export const other = "y";\n');
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(other, hourAgo, hourAgo);
  const main = join(site, "src", "main.ts");
  writeFileSync(main, 'import { extra } from "../../lib/extra";\ndocument.title = extra;\n');
  watcher = watchSiteBuild({ site: "unwritten", command: "mkdir -p dist", cwd: site, outputDir: join(site, "dist"), environment: {}, environmentNames: [], timeoutSeconds: 60, stopGraceSeconds: 5 }, () => {});
  await expect.poll(() => watcher!.watched().includes(join(project, "lib")), { timeout: WAIT_MS }).toBe(true);
  await expect.poll(() => reads.started, { timeout: WAIT_MS }).toBe(1);
  // The first read makes every name it finds relevant, extra.ts just written among them: StaticSite's build at
  // construction read the sources as they were, so that is no change.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(reads.started).toBe(1);
  expect(watcher.builds).toBe(0);

  writeFileSync(main, 'import { extra } from "../../lib/extra";\nimport { other } from "../../lib/other";\ndocument.title = extra + other;\n');
  await expect.poll(() => !watcher!.rebuilding && watcher!.builds === 1, { timeout: WAIT_MS }).toBe(true);
  // Long enough for a change the applied read reported to settle and start a rebuild of its own.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(reads.started).toBe(2);
  expect(watcher.builds).toBe(1);
});
