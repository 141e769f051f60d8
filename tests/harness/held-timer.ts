import { vi } from "vitest";

/**
 * Runs `run` with the first timer of exactly `ms` that a frame named `from` sets (its stack's text, e.g.
 * "LocalLambda.invoke") held rather than set, and fires it as soon as it is set: a timeout the code under test sets is
 * taken at once instead of waited out (issue 15), while every other timer, the test's own included, runs as it is. A
 * timer of another length, or from elsewhere, is not held, so a test still fails when the code sets a different one.
 * Resolves with what `run` resolves with (also when no such timer was set before it settled).
 */
export async function withHeldTimer<T>(ms: number, from: string, run: () => Promise<T>): Promise<T> {
  const setTimer = globalThis.setTimeout;
  let fire: (() => void) | undefined;
  const timers = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, delay?: number, ...rest: unknown[]) => {
    if (fire || delay !== ms || !new Error().stack?.includes(from)) return Reflect.apply(setTimer, globalThis, [callback, delay, ...rest]);
    fire = callback;
    return setTimer(() => undefined, 0);
  }) as typeof setTimeout);
  try {
    let settled = false;
    const result = run();
    // A handler from the start: a rejection while the loop below waits is this function's to answer (await result),
    // not an unhandled one.
    const settle = () => (settled = true);
    result.then(settle, settle);
    // Polled on the real clock: until the timer is set (a cold sandbox bundles its handler first) or `run` has settled.
    while (!fire && !settled) await new Promise((resolve) => setTimer(resolve, 5));
    timers.mockRestore();
    fire?.();
    return await result;
  } finally {
    timers.mockRestore();
  }
}
