import { vi } from "vitest";

/**
 * Runs `run` with the first timer of exactly `ms` that a frame named `from` sets (its stack's text, e.g.
 * "LocalLambda.invoke") held rather than set, and fires it as soon as it is set: a timeout the code under test sets is
 * taken at once instead of waited out (issue 15), while every other timer, the test's own included, runs as it is. A
 * timer of another length, or from elsewhere, is not held, so a test still fails when the code sets a different one.
 * Resolves with what `run` resolves with (also when no such timer was set before it settled).
 *
 * The held timer is node's own: the same callback and arguments, set for 0 ms instead of `ms`, so the handle the code
 * gets is a real Timeout. Cancelling it (clearTimeout on it or on its number, close()) cancels the callback, as the
 * code under test expects when its work answers first; unref, ref and hasRef are node's; refresh() re-arms it for
 * 0 ms again (held, not waited out).
 */
export async function withHeldTimer<T>(ms: number, from: string, run: () => Promise<T>): Promise<T> {
  const setTimer = globalThis.setTimeout;
  let held = false;
  const timers = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: (...args: unknown[]) => void, delay?: number, ...rest: unknown[]) => {
    if (held || delay !== ms || !new Error().stack?.includes(from)) return Reflect.apply(setTimer, globalThis, [callback, delay, ...rest]);
    held = true;
    return Reflect.apply(setTimer, globalThis, [callback, 0, ...rest]);
  }) as typeof setTimeout);
  try {
    let settled = false;
    const result = run();
    // A handler from the start: a rejection while the loop below waits is this function's to answer (await result),
    // not an unhandled one.
    const settle = () => (settled = true);
    result.then(settle, settle);
    // Polled on the real clock: until the timer is held (a cold sandbox bundles its handler first) or `run` has
    // settled; then no later timer of that length is held (the spy is gone).
    while (!held && !settled) await new Promise((resolve) => setTimer(resolve, 5));
    timers.mockRestore();
    return await result;
  } finally {
    timers.mockRestore();
  }
}
