/**
 * tests/harness/held-timer.ts: what `run` rejects with reaches the test through withHeldTimer, and only there (not as
 * an unhandled rejection while it waits for the timer, which fails a whole vitest run beside the test).
 */
import { afterEach, describe, expect, it } from "vitest";
import { withHeldTimer } from "./held-timer";

const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);

afterEach(() => {
  process.off("unhandledRejection", record);
  unhandled.length = 0;
});

describe("withHeldTimer", () => {
  it("rejects with what `run` rejects with, no unhandled rejection on the way", async () => {
    process.on("unhandledRejection", record);
    await expect(withHeldTimer(1000, "nowhere", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    // One more turn of the event loop, by which Node reports a rejection left unhandled.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });

  it("fires the held timer at once, and resolves with what `run` resolves with", async () => {
    const fired = await withHeldTimer(60_000, "waitLong", function waitLong() {
      return new Promise<string>((resolve) => setTimeout(() => resolve("fired"), 60_000));
    });
    expect(fired).toBe("fired");
  });
});
