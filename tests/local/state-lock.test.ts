import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { OfflineRun } from "../../local/offline/program";
import { startLocalApp } from "../../local/start";
import { lockStateDir, parsePid, processRunning, StateInUseError, type LockOptions, type LockStep } from "../../local/state-lock";

const folder = () => mkdtempSync(join(tmpdir(), "sf-lock-"));
const lockFile = (dir: string) => join(dir, "npm-start.pid");
const ownerPid = (dir: string) => Number(readFileSync(lockFile(dir), "utf8").trim().split(/\s+/)[0]);
const PROJECT = resolve(__dirname, "..", "..");

/**
 * Simulated processes in this one: each has its pid and token; `alive` says which pids run. `at` runs another
 * process's whole lockStateDir at one step of this one's, the interleaving under test.
 */
function simulation(dead: number[] = []) {
  const gone = new Set(dead);
  const running = (pid: number) => {
    if (pid <= 0) throw new Error(`kill(${pid}) would signal a process group`);
    return !gone.has(pid);
  };
  const as = (pid: number, at?: Partial<Record<LockStep, () => void>>): LockOptions => ({
    pid,
    token: `token-${pid}`,
    running,
    step: (step) => at?.[step]?.(),
  });
  return { as, die: (pid: number) => gone.add(pid) };
}

const DEAD = 2147483646;

describe("pids in the lock's file names and in the lock file", () => {
  it("are decimal numbers from 1 to 2^31-1 as written (parsePid), nothing else", () => {
    for (const [text, pid] of [["1", 1], ["4194304", 4194304], ["2147483647", 2147483647]] as const) expect(parsePid(text)).toBe(pid);
    for (const text of [undefined, "", "0", "00", "01", "-1", "+1", "1.5", "1e3", " 1", "0x10", "2147483648", "99999999999"]) {
      expect(parsePid(text)).toBeUndefined();
    }
  });

  it("a pid that is not a positive integer names no running process (kill(0) and kill(-1) would answer for groups)", () => {
    for (const pid of [0, -1, -process.pid, 1.5, Number.NaN]) expect(processRunning(pid)).toBe(false);
    expect(processRunning(process.pid)).toBe(true);
  });
});

describe("one npm start per state folder", () => {
  it("refuses a folder another live process holds, saying which and what to do", () => {
    const dir = folder();
    writeFileSync(lockFile(dir), String(process.ppid));
    expect(() => lockStateDir(dir)).toThrow(StateInUseError);
    expect(() => lockStateDir(dir)).toThrow(new RegExp(`Another npm start \\(pid ${process.ppid}\\) is using .*Stop it first .*kill ${process.ppid}`));
  });

  it("takes over a stale lock and lets the folder go on release", () => {
    const dir = folder();
    writeFileSync(lockFile(dir), String(DEAD));
    const release = lockStateDir(dir);
    expect(ownerPid(dir)).toBe(process.pid);
    release();
    expect(existsSync(lockFile(dir))).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // no claim or temporary file left
  });

  it("is re-entrant for this process, and the lock of a dead process that had this pid is stale", () => {
    const dir = folder();
    const { as } = simulation();
    lockStateDir(dir, as(100));
    expect(() => lockStateDir(dir, as(100))).not.toThrow();
    // Same pid, another process's token: pid reuse (a container restarted, a reboot): taken over, not "in use".
    const release = lockStateDir(dir, { ...as(100), token: "after-reboot" });
    expect(readFileSync(lockFile(dir), "utf8")).toBe("100 after-reboot\n");
    release();
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it("takes a damaged lock over without signalling pid 0 or -1", () => {
    const { as } = simulation();
    // 2147483648: past kill(2)'s pid_t, no process's (parsePid), never "in use".
    for (const content of ["", "0", "00", "-1", "1.5", "2147483648", "garbage"]) {
      const dir = folder();
      writeFileSync(lockFile(dir), content);
      lockStateDir(dir, as(100));
      expect(ownerPid(dir)).toBe(100);
    }
  });

  it("release removes only this process's lock", () => {
    const dir = folder();
    const { as, die } = simulation();
    const releaseA = lockStateDir(dir, as(100));
    die(100);
    lockStateDir(dir, as(200)); // B takes A's lock over once A is gone
    releaseA(); // A's late release (its exit hook) must not free B's lock
    expect(ownerPid(dir)).toBe(200);
  });

  describe("interleavings (another process runs whole at one step of this one)", () => {
    it("a lock released between our failed link and our read: we link again and hold it", () => {
      const dir = folder();
      const { as } = simulation();
      const releaseA = lockStateDir(dir, as(100));
      lockStateDir(dir, as(200, { "lock-exists": releaseA }));
      expect(ownerPid(dir)).toBe(200);
    });

    it("two takers of one stale lock, the other finishing after we judged it stale: it wins, we are refused", () => {
      // The old read-then-write: both wrote their pid and both ran the emulators on one folder.
      const dir = folder();
      writeFileSync(lockFile(dir), String(DEAD));
      const { as } = simulation([DEAD]);
      expect(() => lockStateDir(dir, as(100, { stale: () => lockStateDir(dir, as(200)) }))).toThrow(
        expect.objectContaining({ name: "StateInUseError", pid: 200 }),
      );
      expect(ownerPid(dir)).toBe(200);
    });

    it.each<LockStep>(["claimed", "alone"])("the other taker coming while we hold the takeover claim (%s): it is refused, we win", (step) => {
      const dir = folder();
      writeFileSync(lockFile(dir), String(DEAD));
      const { as } = simulation([DEAD]);
      let other: unknown;
      lockStateDir(
        dir,
        as(100, {
          [step]: () => {
            try {
              lockStateDir(dir, as(200));
            } catch (error) {
              other = error;
            }
          },
        }),
      );
      expect(other).toMatchObject({ name: "StateInUseError", pid: 100 });
      expect(ownerPid(dir)).toBe(100);
    });

    it("a takeover claim its process died holding is cleared, and the takeover goes on", () => {
      const dir = folder();
      writeFileSync(lockFile(dir), String(DEAD));
      const { as, die } = simulation([DEAD]);
      // 300 dies at its claim, leaving the lock stale and its claim behind.
      expect(() =>
        lockStateDir(
          dir,
          as(300, {
            claimed: () => {
              die(300);
              throw new Error("killed");
            },
          }),
        ),
      ).toThrow("killed");
      writeFileSync(join(dir, "npm-start.takeover.300.0123abcd"), ""); // as a kill -9 would have left it (no finally)
      lockStateDir(dir, as(100));
      expect(ownerPid(dir)).toBe(100);
      expect(readdirSync(dir).sort()).toEqual(["npm-start.pid"]);
    });

    it.each(["0", "00", "007", "2147483648", "99999999999"])(
      "a claim whose name gives no pid (npm-start.takeover.%s.…) is no process's: the takeover goes on and leaves it",
      (pid) => {
        // It was read as pid 0, and kill(0, 0) answers for this process's own group: "pid 0 is using it", every time.
        const dir = folder();
        writeFileSync(lockFile(dir), String(DEAD));
        const claim = `npm-start.takeover.${pid}.0123abcd`;
        writeFileSync(join(dir, claim), "");
        const { as } = simulation([DEAD]);
        lockStateDir(dir, as(100));
        expect(ownerPid(dir)).toBe(100);
        expect(readdirSync(dir).sort()).toEqual([claim, "npm-start.pid"].sort()); // not npm start's: left as it is
      },
    );

    it("a claim named with pid 0 does not stop a takeover with this machine's kill(2) either", () => {
      const dir = folder();
      writeFileSync(lockFile(dir), String(DEAD));
      writeFileSync(join(dir, "npm-start.takeover.0.0123abcd"), "");
      const release = lockStateDir(dir);
      expect(ownerPid(dir)).toBe(process.pid);
      release();
    });

    it("a live taker's claim left by a slower taker: refused, naming it", () => {
      const dir = folder();
      writeFileSync(lockFile(dir), String(DEAD));
      writeFileSync(join(dir, "npm-start.takeover.200.0123abcd"), "");
      const { as } = simulation([DEAD]);
      expect(() => lockStateDir(dir, as(100))).toThrow(expect.objectContaining({ name: "StateInUseError", pid: 200 }));
      expect(ownerPid(dir)).toBe(DEAD); // untouched: the next start takes it
    });
  });

  describe("real processes", () => {
    const child = `
      const { lockStateDir } = require("./local/state-lock");
      const [dir, how] = process.argv.slice(1);
      process.stdin.once("data", () => {
        try { lockStateDir(dir); console.log("won"); } catch (error) { console.log(error.name); }
        if (how === "throw") throw new Error("uncaught");
        if (how === "exit") process.exit(3);
        process.stdin.once("end", () => process.exit(0)); // holds the lock until told to go
      });`;
    const run = (dir: string, how: string) => {
      const process_ = spawn(process.execPath, ["-r", "./local/offline/register.cjs", "-e", child, dir, how], { cwd: PROJECT, stdio: ["pipe", "pipe", "pipe"] });
      const said = new Promise<string>((resolveLine) => process_.stdout.once("data", (data: Buffer) => resolveLine(data.toString().trim())));
      const exited = new Promise<number | null>((resolveExit) => process_.once("exit", resolveExit));
      return { process: process_, said, exited };
    };

    it.each(["throw", "exit"])("a process that ends without releasing (%s) leaves no lock behind", async (how) => {
      const dir = folder();
      const one = run(dir, how);
      one.process.stdin.write("go\n");
      expect(await one.said).toBe("won");
      await one.exited;
      expect(existsSync(lockFile(dir))).toBe(false);
    });

    it("two starts at the same moment, onto an empty folder and onto a stale lock: never both", async () => {
      // One round onto an empty folder, one onto a stale lock: real processes agree through the file system. Which
      // interleavings could let both win is shown step by step above ("interleavings"), not by more rounds of chance
      // timing (each round two node processes: issue 15).
      for (let round = 0; round < 2; round++) {
        const dir = folder();
        const stale = round % 2 === 1 ? String(spawnSync(process.execPath, ["-e", ""]).pid) : undefined;
        if (stale) writeFileSync(lockFile(dir), stale);
        const pair = [run(dir, "hold"), run(dir, "hold")];
        for (const one of pair) one.process.stdin.write("go\n");
        const said = await Promise.all(pair.map((one) => one.said));
        const won = said.filter((line) => line === "won").length;
        expect(won).toBeLessThanOrEqual(1);
        expect(said.filter((line) => line !== "won").every((line) => line === "StateInUseError")).toBe(true);
        if (!stale) expect(won).toBe(1); // link: exactly one
        for (const one of pair) one.process.stdin.end();
        await Promise.all(pair.map((one) => one.exited));
        // The winner let it go on exit; two takers that saw each other's claims both gave up, leaving the stale lock.
        if (won) expect(existsSync(lockFile(dir))).toBe(false);
        else expect(readFileSync(lockFile(dir), "utf8")).toBe(stale);
      }
    }, 60_000);
  });

  it("npm start --fresh on a folder in use deletes nothing", async () => {
    const dir = folder();
    mkdirSync(join(dir, "dynamodb"));
    writeFileSync(join(dir, "dynamodb", "data"), "kept");
    writeFileSync(lockFile(dir), String(process.ppid));
    await expect(startLocalApp({ stateDir: dir, fresh: true, quiet: true, load: () => {} })).rejects.toThrow(StateInUseError);
    expect(readFileSync(join(dir, "dynamodb", "data"), "utf8")).toBe("kept");
  });

  it("npm start --fresh empties the folder once locked, and a failed start lets it go", async () => {
    const dir = folder();
    mkdirSync(join(dir, "dynamodb"));
    writeFileSync(join(dir, "dynamodb", "data"), "old");
    // A writer killed before it put its lock in place (kill -9: no finally): the lock's own name, so --fresh keeps it;
    // it goes because its pid is dead (tests/local/state-lock-leftovers.test.ts).
    writeFileSync(join(dir, `npm-start.pid.${DEAD}.0123abcd.tmp`), `${DEAD} token\n`);
    const failing = startLocalApp({
      stateDir: dir,
      fresh: true,
      quiet: true,
      load: () => {
        expect(readdirSync(dir)).toEqual(["npm-start.pid"]); // emptied, lock kept
        throw new Error("index.ts failed");
      },
    });
    await expect(failing).rejects.toThrow("index.ts failed");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a start failing after the program ran, before any emulator started, lets the folder go", async () => {
    const dir = folder();
    // A run without config.warnings: startLocalApp fails reading it, between the program and the emulators.
    const broken = { config: { stack: "dev" }, specs: [] } as unknown as OfflineRun;
    await expect(startLocalApp({ stateDir: dir, quiet: true, recordedRun: broken })).rejects.toThrow(TypeError);
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it("Ctrl+C while npm start is starting lets the folder go", async () => {
    const dir = folder();
    const cli = spawn(process.execPath, ["-r", "./local/offline/register.cjs", "local/start.ts", "--state-dir", dir, "--port", "0"], { cwd: PROJECT, stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<number | null>((resolveExit) => cli.once("exit", resolveExit));
    // Its first line ("Running index.ts ..." or "index.ts ... unchanged") comes once the folder is locked, before the emulators run.
    await new Promise<void>((resolveLine) => cli.stdout.once("data", () => resolveLine()));
    expect(existsSync(lockFile(dir))).toBe(true);
    cli.kill("SIGINT");
    // 130: stopped while starting (its first line comes seconds before the emulators are up); 0 only if start won.
    expect([130, 0]).toContain(await exited);
    expect(existsSync(lockFile(dir))).toBe(false);
  }, 60_000);
});
