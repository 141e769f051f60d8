/**
 * local/state-lock.ts releases the locks a process holds on its exit with one 'exit' listener: one per process, also
 * when the module is evaluated again (a shared vitest worker evaluates this repository's modules afresh for each file,
 * tests/setup/shared-process.ts), so a worker running many files that start the app gets no MaxListenersExceededWarning.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

describe("the state lock's exit hook", () => {
  it("is added once per process, however often the module is evaluated", async () => {
    const before = process.listenerCount("exit");
    for (let i = 0; i < 3; i++) {
      vi.resetModules();
      const { lockStateDir } = await import("../../local/state-lock.js");
      lockStateDir(mkdtempSync(join(tmpdir(), "sf-lock-hook-")))();
    }
    expect(process.listenerCount("exit") - before).toBeLessThanOrEqual(1);
  });
});
