/**
 * What a crashed `npm start` leaves beside its state folder's lock (local/state-lock.ts), and a lock path that is not a
 * file: a writer killed between writing its temporary lock file (`npm-start.pid.<pid>.<hex>.tmp`) and putting it in
 * place, or a taker killed holding its claim (`npm-start.takeover.<pid>.<hex>`), leaves the file behind; `--fresh`
 * keeps the lock's own files (`npm-start.*`), so they piled up. The next start that holds the lock removes those of
 * dead processes, and never a live one's, which is still at work.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { lockStateDir, StateLockNotAFileError, type LockOptions } from "../../local/state-lock";

const folder = () => mkdtempSync(join(tmpdir(), "sf-lock-left-"));
/** Process `pid` of simulated processes in this one, where those in `dead` do not run. */
const as = (pid: number, dead: number[]): LockOptions => ({ pid, token: `token-${pid}`, running: (other) => !dead.includes(other) });
const leave = (dir: string, ...names: string[]) => names.forEach((name) => writeFileSync(join(dir, name), ""));
const PROJECT = resolve(__dirname, "..", "..");
/** Runs `script` in a node process of its own (argv: its folders), as npm start does: what it printed and how it ended. */
const inProcess = (script: string, ...dirs: string[]) => {
  // A minute is a guard, not a measure: the script takes a second, and one blocked for ever (a FIFO read) is ended, so the
  // test fails rather than hangs (no timer stops a synchronous read in this process).
  const child = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script, ...dirs], { cwd: PROJECT, encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" });
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
};

describe("npm start's lock: files left by crashed processes", () => {
  it("removes a dead writer's temporary lock file and a dead taker's claim once the lock is taken; a live one's stay", () => {
    const dir = folder();
    leave(dir, "npm-start.pid.300.0123abcd.tmp", "npm-start.takeover.300.0123abcd", "npm-start.pid.200.4567cdef.tmp", "npm-start.takeover.200.4567cdef");
    // 200 runs: its files are its work in progress (a start linking its lock, or giving up its takeover), not ours to remove.
    const release = lockStateDir(dir, as(100, [300]));
    expect(readdirSync(dir).sort()).toEqual(["npm-start.pid", "npm-start.pid.200.4567cdef.tmp", "npm-start.takeover.200.4567cdef"]);
    release();
    expect(readdirSync(dir).sort()).toEqual(["npm-start.pid.200.4567cdef.tmp", "npm-start.takeover.200.4567cdef"]);
  });

  it("removes a temporary lock file naming this process's pid: a dead process's that had it (lockStateDir is synchronous)", () => {
    const dir = folder();
    leave(dir, "npm-start.pid.100.0123abcd.tmp");
    lockStateDir(dir, as(100, []));
    expect(readdirSync(dir)).toEqual(["npm-start.pid"]);
  });

  it("a start refused by a live owner removes nothing (the folder is not its own)", () => {
    const dir = folder();
    lockStateDir(dir, as(200, []));
    leave(dir, "npm-start.pid.300.0123abcd.tmp");
    expect(() => lockStateDir(dir, as(100, [300]))).toThrow(expect.objectContaining({ name: "StateInUseError", pid: 200 }));
    expect(readdirSync(dir).sort()).toEqual(["npm-start.pid", "npm-start.pid.300.0123abcd.tmp"]);
  });

  it("a failure while removing them lets the lock go (the caller gets no release function)", () => {
    const dir = folder();
    leave(dir, "npm-start.pid.300.0123abcd.tmp");
    const running = (pid: number) => {
      if (pid === 300) throw new Error("kill(300, 0) failed");
      return true;
    };
    expect(() => lockStateDir(dir, { ...as(100, []), running })).toThrow("kill(300, 0) failed");
    expect(readdirSync(dir)).toEqual(["npm-start.pid.300.0123abcd.tmp"]);
  });

  it("a failure while removing them under a lock this process held already keeps that lock: its first caller's", () => {
    const dir = folder();
    const release = lockStateDir(dir, as(100, []));
    leave(dir, "npm-start.pid.300.0123abcd.tmp");
    const running = (pid: number) => {
      if (pid === 300) throw new Error("kill(300, 0) failed");
      return true;
    };
    expect(() => lockStateDir(dir, { ...as(100, []), running })).toThrow("kill(300, 0) failed");
    expect(readdirSync(dir).sort()).toEqual(["npm-start.pid", "npm-start.pid.300.0123abcd.tmp"]);
    expect(readFileSync(join(dir, "npm-start.pid"), "utf8")).toBe("100 token-100\n");
    release();
    expect(readdirSync(dir)).toEqual(["npm-start.pid.300.0123abcd.tmp"]);
  });

  it("a left file that cannot be removed stays, and the start holds the lock as before it was left", () => {
    const dir = folder();
    leave(dir, "npm-start.pid.300.0123abcd.tmp", "npm-start.takeover.300.4567cdef");
    // EPERM: another user's file in a shared folder, or (Windows) one a virus scanner has open.
    const removeLeft = (path: string) => {
      if (path.endsWith(".tmp")) throw Object.assign(new Error(`EPERM: operation not permitted, unlink '${path}'`), { code: "EPERM" });
      rmSync(path);
    };
    const release = lockStateDir(dir, { ...as(100, [300]), removeLeft });
    expect(readdirSync(dir).sort()).toEqual(["npm-start.pid", "npm-start.pid.300.0123abcd.tmp"]);
    release();
    expect(readdirSync(dir)).toEqual(["npm-start.pid.300.0123abcd.tmp"]);
  });

  it("a directory by a left file's name is not npm start's (it makes only files): kept, and the start goes on", () => {
    const dir = folder();
    mkdirSync(join(dir, "npm-start.pid.300.0123abcd.tmp"));
    writeFileSync(join(dir, "npm-start.pid.300.0123abcd.tmp", "kept"), "");
    const release = lockStateDir(dir, as(100, [300]));
    expect(readdirSync(dir).sort()).toEqual(["npm-start.pid", "npm-start.pid.300.0123abcd.tmp"]);
    expect(readdirSync(join(dir, "npm-start.pid.300.0123abcd.tmp"))).toEqual(["kept"]);
    release();
  });

  it("leaves other files alone, the state's and names only like the lock's", () => {
    const dir = folder();
    // Pid 0 or past 2^31-1: no process's (parsePid), so npm start never wrote them.
    const odd = ["npm-start.pid.300.tmp", "npm-start.pid.300.0123abcd.tmp.bak", "npm-start.notes", "data.tmp", "npm-start.pid.0.0123abcd.tmp", "npm-start.takeover.0.0123abcd", "npm-start.pid.2147483648.0123abcd.tmp"];
    leave(dir, ...odd);
    lockStateDir(dir, as(100, [300]));
    expect(readdirSync(dir).sort()).toEqual([...odd, "npm-start.pid"].sort());
  });
});

describe("npm start's lock path taken by what is not a file", () => {
  it("refuses the folder naming the path and the fix, not a bare EISDIR, and leaves the directory as it is", () => {
    const dir = folder();
    const lock = join(dir, "npm-start.pid");
    mkdirSync(lock);
    writeFileSync(join(lock, "kept"), "");
    expect(() => lockStateDir(dir, as(100, []))).toThrow(StateLockNotAFileError);
    const escaped = lock.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(() => lockStateDir(dir, as(100, []))).toThrow(new RegExp(`${escaped} is a directory.*Move or remove it.*--state-dir`));
    expect(readdirSync(dir)).toEqual(["npm-start.pid"]);
    expect(readdirSync(lock)).toEqual(["kept"]);
  });

  it("refuses a symbolic link to nothing there, rather than going round for ever (link: the name is taken; read: no file)", () => {
    const dir = folder();
    const lock = join(dir, "npm-start.pid");
    symlinkSync(join(dir, "nowhere"), lock);
    let tries = 0;
    // Stops the loop the test would otherwise hang in: no start goes round more than a few times.
    const step = (at: string) => {
      if (at === "lock-exists" && ++tries > 100) throw new Error("went round 100 times");
    };
    expect(() => lockStateDir(dir, { ...as(100, []), step })).toThrow(expect.objectContaining({ name: "StateLockNotAFileError", lockFile: lock, found: "a symbolic link to nothing" }));
    expect(() => lockStateDir(dir, as(100, []))).toThrow(/npm-start\.pid is a symbolic link to nothing.*Move or remove it.*--state-dir/);
    expect(readdirSync(dir)).toEqual(["npm-start.pid"]);
    expect(lstatSync(lock).isSymbolicLink()).toBe(true);
  });

  it.skipIf(process.platform === "win32")("refuses a named pipe (FIFO) there, rather than blocking on it for ever", () => {
    // Opening a FIFO to read waits for a writer, and reading it waits for data: npm start hung before saying anything.
    const dir = folder();
    const lock = join(dir, "npm-start.pid");
    execFileSync("mkfifo", [lock]);
    const child = inProcess(
      `const { lockStateDir } = require("./local/state-lock");
      try { lockStateDir(process.argv[1]); console.log("locked"); } catch (error) { console.log(JSON.stringify({ name: error.name, found: error.found, message: error.message })); }`,
      dir,
    );
    expect(child.signal).toBeNull(); // not ended by the guard: it did not block
    expect(JSON.parse(child.stdout)).toMatchObject({ name: "StateLockNotAFileError", found: "a named pipe (FIFO)", message: expect.stringMatching(/npm-start\.pid is a named pipe \(FIFO\).*Move or remove it/) });
    expect(readdirSync(dir)).toEqual(["npm-start.pid"]);
    expect(lstatSync(lock).isFIFO()).toBe(true);
  }, 90_000);

  it.skipIf(process.platform === "win32")("refuses a socket there, naming it, not a bare ENXIO", async () => {
    const dir = folder();
    const lock = join(dir, "npm-start.pid");
    const server = createServer();
    await new Promise<void>((listening) => server.listen(lock, listening));
    try {
      expect(() => lockStateDir(dir, as(100, []))).toThrow(expect.objectContaining({ name: "StateLockNotAFileError", lockFile: lock, found: "a socket" }));
      expect(lstatSync(lock).isSocket()).toBe(true);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });

  it.skipIf(process.platform === "win32")("refuses a symbolic link to a device there (it was read as an empty lock and replaced)", () => {
    const dir = folder();
    const lock = join(dir, "npm-start.pid");
    symlinkSync("/dev/null", lock);
    expect(() => lockStateDir(dir, as(100, []))).toThrow(expect.objectContaining({ name: "StateLockNotAFileError", found: "a character device" }));
    expect(lstatSync(lock).isSymbolicLink()).toBe(true);
  });
});

describe("npm start's lock path becoming a directory while the lock is held", () => {
  it("release says it could not release the lock and goes on, the directory kept: it never throws", () => {
    const dir = folder();
    const lock = join(dir, "npm-start.pid");
    const release = lockStateDir(dir, as(100, []));
    rmSync(lock);
    mkdirSync(lock);
    writeFileSync(join(lock, "kept"), "");
    const said = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(() => release()).not.toThrow();
      expect(said).toHaveBeenCalledWith(expect.stringMatching(/npm start could not release its lock on .*npm-start\.pid is a directory/));
    } finally {
      said.mockRestore();
    }
    expect(readdirSync(lock)).toEqual(["kept"]);
  });

  it("on exit, the process ends as it meant to and its other locks are released (the exit hook never throws)", () => {
    // A throw in the exit hook ended the process with a stack trace and another exit code, and skipped the other releases.
    const first = folder();
    const second = folder();
    const child = inProcess(
      `const { mkdirSync, rmSync } = require("node:fs");
      const { join } = require("node:path");
      const { lockStateDir } = require("./local/state-lock");
      const [first, second] = process.argv.slice(1);
      lockStateDir(first);
      lockStateDir(second);
      rmSync(join(first, "npm-start.pid"));
      mkdirSync(join(first, "npm-start.pid"));
      process.exit(0);`,
      first,
      second,
    );
    expect(child).toMatchObject({ status: 0, signal: null });
    expect(child.stderr).toMatch(/npm start could not release its lock on .*npm-start\.pid is a directory/);
    expect(lstatSync(join(first, "npm-start.pid")).isDirectory()).toBe(true);
    expect(existsSync(join(second, "npm-start.pid"))).toBe(false);
  }, 90_000);
});
