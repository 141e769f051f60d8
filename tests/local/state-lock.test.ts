import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockStateDir, StateInUseError } from "../../local/state-lock";

const folder = () => mkdtempSync(join(tmpdir(), "sf-lock-"));

describe("one npm start per state folder", () => {
  it("refuses a folder another live process holds, saying which and what to do", () => {
    const dir = folder();
    writeFileSync(join(dir, "npm-start.pid"), String(process.ppid));
    expect(() => lockStateDir(dir)).toThrow(StateInUseError);
    expect(() => lockStateDir(dir)).toThrow(new RegExp(`Another npm start \\(pid ${process.ppid}\\) is using .*Stop it first .*kill ${process.ppid}`));
  });

  it("takes over a stale lock and lets the folder go on release", () => {
    const dir = folder();
    const lockFile = join(dir, "npm-start.pid");
    writeFileSync(lockFile, "2147483646");
    const release = lockStateDir(dir);
    expect(readFileSync(lockFile, "utf8")).toBe(String(process.pid));
    release();
    expect(existsSync(lockFile)).toBe(false);
  });
});
