/**
 * tests/harness/held-timer.ts: what `run` rejects with reaches the test through withHeldTimer, and only there (not as
 * an unhandled rejection while it waits for the timer, which fails a whole vitest run beside the test). The held
 * timer's handle is a timer as node's setTimeout returns it: cancelling it cancels the held callback, and refresh, ref,
 * unref and hasRef work on it.
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

  /** One turn of the timers phase: a 0 ms timer set now runs after any timer already due (same list, set earlier). */
  const timersTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

  it.each<[string, (timer: NodeJS.Timeout) => void]>([
    ["clearTimeout(handle)", (timer) => clearTimeout(timer)],
    ["clearTimeout(its number)", (timer) => clearTimeout(Number(timer))],
    ["handle.close()", (timer) => timer.close()],
  ])("does not fire a held timer the code cancelled (%s), then or later", async (_, cancel) => {
    // What LocalLambda.invoke does when the handler answers first: clearTimeout before the timer is due. A held timer
    // that fired anyway would time out an invocation that had answered.
    let fired = false;
    const answered = await withHeldTimer(60_000, "answersFirst", async function answersFirst() {
      const timer = setTimeout(() => (fired = true), 60_000);
      cancel(timer);
      return "answered";
    });
    await timersTurn();
    expect(answered).toBe("answered");
    expect(fired).toBe(false);
  });

  it("calls the held callback with setTimeout's extra arguments, as node does", async () => {
    const got = await withHeldTimer(60_000, "withArguments", function withArguments() {
      return new Promise<unknown[]>((resolve) => setTimeout((...args: unknown[]) => resolve(args), 60_000, "a", 2));
    });
    expect(got).toEqual(["a", 2]);
  });

  it("hands back node's Timeout: unref, ref and hasRef as on any timer, and refresh re-arms the held timer", async () => {
    const fires = await withHeldTimer(60_000, "refreshesItself", function refreshesItself() {
      return new Promise<number>((resolve) => {
        let count = 0;
        const timer = setTimeout(() => {
          // A timer that has called its callback is re-armed by refresh() (node's timers docs); held, it fires at once
          // again, before a 0 ms timer set after the refresh.
          if (++count > 1) return;
          timer.refresh();
          setTimeout(() => resolve(count), 0);
        }, 60_000);
        expect(timer.unref()).toBe(timer);
        expect(timer.hasRef()).toBe(false);
        expect(timer.ref()).toBe(timer);
        expect(timer.hasRef()).toBe(true);
        expect(timer.refresh()).toBe(timer);
      });
    });
    expect(fires).toBe(2);
  });

  it("an unref'd held timer still fires", async () => {
    const fired = await withHeldTimer(60_000, "unrefs", function unrefs() {
      return new Promise<string>((resolve) => setTimeout(() => resolve("fired"), 60_000).unref());
    });
    expect(fired).toBe("fired");
  });
});
