/**
 * vitest globalSetup: one temporary folder per test run, removed when the run ends. TMPDIR points into it before
 * any worker starts, so every `mkdtempSync(join(tmpdir(), …))` of a test — and of the processes tests start
 * (plans, esbuild, Chromium's profiles) — lands there; a test need not remember to remove its folders, and the
 * thousands a suite makes no longer pile up in the OS's temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const folder = mkdtempSync(join(tmpdir(), "sf-test-run-"));
  process.env.TMPDIR = folder;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(folder, { recursive: true, force: true });
  };
}
