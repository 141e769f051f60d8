/**
 * What npm start's program cache (local/offline/program-cache.ts) takes as the run's inputs, in process: a file the
 * program read under /dev/shm (a tmpfs of regular files, where a project or a temporary folder may live) is one,
 * though the kernel's /dev around it is left out. (The cache on a whole project: tests/offline-program-cache.test.ts.)
 */
import fs, { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { cachedProgramRun, recordProgramRun } from "../../local/offline/program-cache";

const SHARED_MEMORY = "/dev/shm";
/** Folders under /dev/shm, outside the run's temporary folder (which removes the others). */
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A folder under /dev/shm, removed after the suite. */
const sharedMemoryFolder = () => folders[folders.push(mkdtempSync(join(SHARED_MEMORY, "sf-program-cache-"))) - 1];
/** A cache key of its own: a fresh project folder and program cache. */
const freshKey = () => ({ stack: "dev", projectDir: mkdtempSync(join(tmpdir(), "sf-program-cache-project-")), cacheDir: mkdtempSync(join(tmpdir(), "sf-program-cache-dir-")) });
/** A program's run with nothing in it but `outputs`. */
const runWith = (outputs: Record<string, unknown>): OfflineRun => ({
  config: { project: "shm", stack: "dev", values: {}, objectKeys: [], secretKeys: [], region: "us-east-1", errors: [], warnings: [] },
  resources: [],
  specs: [],
  outputs,
});
/**
 * Runs `start` while Date.now() is a minute ahead of the clock the kernel stamps files with (Linux: its coarse clock,
 * up to a jiffy behind), by more than a change during the run takes: a start read from Date.now() would take the
 * change's stamp as before the run.
 */
async function withDateAhead<T>(start: () => Promise<T>): Promise<T> {
  const now = Date.now.bind(Date);
  const ahead = vi.spyOn(Date, "now").mockImplementation(() => now() + 60_000);
  try {
    return await start();
  } finally {
    ahead.mockRestore();
  }
}

describe.skipIf(!existsSync(SHARED_MEMORY))("npm start's program cache", () => {
  it("runs the program again when a file it read under /dev/shm changed", async () => {
    const note = join(sharedMemoryFolder(), "note.txt");
    const key = freshKey();
    // Through node:fs's module object, as a program's CommonJS modules call it (the cache records by hooking it).
    const program = async (): Promise<OfflineRun> => {
      return runWith({ note: fs.readFileSync(note, "utf8") });
    };
    const start = () => cachedProgramRun(key, program, () => {});
    writeFileSync(note, "first");
    expect((await start()).cached).toBe(false);
    expect(await start()).toMatchObject({ cached: true, run: { outputs: { note: "first" } } });
    writeFileSync(note, "second, longer");
    expect(await start()).toMatchObject({ cached: false, run: { outputs: { note: "second, longer" } } });
  });

  it("runs the program again after a run during which a folder it listed gained an entry (it may have listed it before)", async () => {
    const folder = sharedMemoryFolder();
    const key = freshKey();
    let addDuringRun = true;
    const program = async (): Promise<OfflineRun> => {
      const listed = fs.readdirSync(folder).sort();
      // Something else (an editor, a build) adds a file after the program listed the folder, before the run ends.
      if (addDuringRun) writeFileSync(join(folder, "late.txt"), "late");
      return runWith({ listed });
    };
    const start = () => cachedProgramRun(key, program, () => {});
    writeFileSync(join(folder, "early.txt"), "early");
    expect(await start()).toMatchObject({ cached: false, run: { outputs: { listed: ["early.txt"] } } });
    addDuringRun = false;
    expect(await start()).toMatchObject({ cached: false, run: { outputs: { listed: ["early.txt", "late.txt"] } } });
    expect(await start()).toMatchObject({ cached: true, run: { outputs: { listed: ["early.txt", "late.txt"] } } });
  });

  it("runs the program again after a run during which a folder it listed gained an entry stamped before the run started (file times come from a coarse clock)", async () => {
    const folder = sharedMemoryFolder();
    const key = freshKey();
    let addDuringRun = true;
    const program = async (): Promise<OfflineRun> => {
      const listed = fs.readdirSync(folder, { withFileTypes: true }).map((entry) => entry.name).sort();
      if (addDuringRun) writeFileSync(join(folder, "late.txt"), "late");
      return runWith({ listed });
    };
    writeFileSync(join(folder, "early.txt"), "early");
    expect(await withDateAhead(() => cachedProgramRun(key, program, () => {}))).toMatchObject({ cached: false, run: { outputs: { listed: ["early.txt"] } } });
    addDuringRun = false;
    expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: false, run: { outputs: { listed: ["early.txt", "late.txt"] } } });
    expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: true, run: { outputs: { listed: ["early.txt", "late.txt"] } } });
  });

  it("runs the program again after a run during which a file it read was rewritten, however far the run's clock is ahead of the file clock", async () => {
    const note = join(sharedMemoryFolder(), "note.txt");
    const key = freshKey();
    let rewriteDuringRun = true;
    const program = async (): Promise<OfflineRun> => {
      const read = fs.readFileSync(note, "utf8");
      // An editor saves the file after the program read it, before the run ends.
      if (rewriteDuringRun) writeFileSync(note, "saved during the run");
      return runWith({ note: read });
    };
    writeFileSync(note, "before");
    expect(await withDateAhead(() => cachedProgramRun(key, program, () => {}))).toMatchObject({ cached: false, run: { outputs: { note: "before" } } });
    rewriteDuringRun = false;
    expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: false, run: { outputs: { note: "saved during the run" } } });
    expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: true, run: { outputs: { note: "saved during the run" } } });
  });

  // The same, for the callback API, its callback second (with or without an argument after it, which Node ignores) or third.
  for (const [how, args] of [
    ["its callback second", []],
    ["its callback second and an argument after it", [undefined]],
  ] as const) {
    it(`sees a folder listed with fs.readdir, ${how}, gain an entry during the run, however coarse the file clock`, async () => {
      const folder = sharedMemoryFolder();
      const key = freshKey();
      let addDuringRun = true;
      const program = async (): Promise<OfflineRun> => {
        const names = await new Promise<string[]>((resolve, reject) => (fs.readdir as (...args: unknown[]) => void)(folder, (error: Error | null, found: string[]) => (error ? reject(error) : resolve(found)), ...args));
        if (addDuringRun) writeFileSync(join(folder, "late.txt"), "late");
        return runWith({ listed: names.sort() });
      };
      writeFileSync(join(folder, "early.txt"), "early");
      expect(await withDateAhead(() => cachedProgramRun(key, program, () => {}))).toMatchObject({ cached: false, run: { outputs: { listed: ["early.txt"] } } });
      addDuringRun = false;
      expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: false, run: { outputs: { listed: ["early.txt", "late.txt"] } } });
    });
  }

  // Node takes readdir's callback second or third (`typeof options === "function" ? options : callback`), so it need
  // not be the last argument; and it answers names in the encoding asked for. Neither listing is a change of the folder.
  for (const [how, list] of [
    ["with its callback second and an argument after it", (folder: string) => new Promise<string[]>((resolve, reject) => (fs.readdir as (...args: unknown[]) => void)(folder, (error: Error | null, names: string[]) => (error ? reject(error) : resolve(names)), undefined))],
    ["in hex", (folder: string) => Promise.resolve(fs.readdirSync(folder, "hex").map((name) => Buffer.from(name, "hex").toString()))],
    ["in base64, through fs.promises", async (folder: string) => (await fs.promises.readdir(folder, { encoding: "base64" })).map((name) => Buffer.from(name, "base64").toString())],
  ] as const) {
    it(`keeps the run of a program that lists an unchanged folder ${how}`, async () => {
      const folder = sharedMemoryFolder();
      const key = freshKey();
      const program = async (): Promise<OfflineRun> => {
        const listed = (await list(folder)).sort();
        return runWith({ listed });
      };
      writeFileSync(join(folder, "only.txt"), "only");
      expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: false, run: { outputs: { listed: ["only.txt"] } } });
      expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: true, run: { outputs: { listed: ["only.txt"] } } });
    });
  }
});

describe("npm start's program cache where it cannot write", () => {
  it("runs the program, uncached, when the cache folder is a file (a cache it cannot write does not stop the start)", async () => {
    const notAFolder = join(mkdtempSync(join(tmpdir(), "sf-program-cache-dir-")), "file");
    writeFileSync(notAFolder, "not a folder");
    const key = { stack: "dev", projectDir: mkdtempSync(join(tmpdir(), "sf-program-cache-project-")), cacheDir: notAFolder };
    const program = async (): Promise<OfflineRun> => runWith({ ran: true });
    // Before the fix the run-start marker's removal (rmSync under a file: ENOTDIR) threw, and the start failed with it.
    expect(await cachedProgramRun(key, program, () => {})).toMatchObject({ cached: false, run: { outputs: { ran: true } } });
  });

  it("leaves no run-start marker in the cache folder while it waits for the file clock's tick (a start killed then leaves none)", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "sf-program-cache-dir-"));
    const key = { stack: "dev", projectDir: mkdtempSync(join(tmpdir(), "sf-program-cache-project-")), cacheDir };
    const program = async (): Promise<OfflineRun> => runWith({});
    // The timers held: the start stops at its first wait for the tick, where a killed start would stop for good.
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    try {
      const recording = recordProgramRun(key, program);
      // Before the fix `.run-start-<pid>` was there, removed only once the wait was over.
      expect(readdirSync(join(cacheDir, "program")).filter((name) => name.startsWith(".run-start-"))).toEqual([]);
      await vi.runAllTimersAsync();
      await recording;
    } finally {
      vi.useRealTimers();
    }
    expect(readdirSync(join(cacheDir, "program")).filter((name) => name.startsWith(".run-start-"))).toEqual([]);
  });
});
