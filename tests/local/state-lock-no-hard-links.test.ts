/**
 * A state folder on a filesystem without hard links (FAT/exFAT: link(2) fails with EPERM) cannot hold npm start's
 * lock (local/state-lock.ts takes it with link): the start is refused with what to do, not a raw EPERM.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockStateDir, StateFolderUnsupportedError } from "../../local/state-lock";

/** link(2) as a filesystem answers it that fails it with `code` (FAT/exFAT on Linux: EPERM). */
const failingLink = (code: string) => (existing: string, created: string) => {
  throw Object.assign(new Error(`${code}: operation not permitted, link '${existing}' -> '${created}'`), { code });
};

describe("npm start's lock on a filesystem without hard links", () => {
  it.each(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"])("refuses the folder naming the fix, and leaves nothing behind (%s)", (code) => {
    const dir = mkdtempSync(join(tmpdir(), "sf-lock-nolink-"));
    const options = { link: failingLink(code) };
    expect(() => lockStateDir(dir, options)).toThrow(StateFolderUnsupportedError);
    expect(() => lockStateDir(dir, options)).toThrow(new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*hard links.*${code}.*--state-dir`));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("still lets any other link failure through as it is", () => {
    const dir = mkdtempSync(join(tmpdir(), "sf-lock-nolink-"));
    expect(() => lockStateDir(dir, { link: failingLink("EACCES") })).toThrow(expect.objectContaining({ code: "EACCES" }));
  });
});
