/**
 * withRetries' pause between attempts (handlers/shared/retries.ts), driven through its injected sleep and random
 * source: the delays it draws are seen without waiting any of them out, and production keeps setTimeout and Math.random.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AwsServiceError, MAX_ATTEMPTS, realBackoff, withRetries, type Backoff } from "../../handlers/shared/retries";

const throttled = () => new AwsServiceError("ThrottlingException", "Rate exceeded", { httpStatusCode: 400 });
const refused = () => new AwsServiceError("AccessDenied", "Access Denied", { httpStatusCode: 403 });
const ok = () => ({ $metadata: {} as { attempts?: number } });

/** A backoff that records each pause instead of waiting, drawing `draws` in turn. */
function recordingBackoff(...draws: number[]): Backoff & { pauses: number[] } {
  const pauses: number[] = [];
  return { pauses, sleep: async (ms) => void pauses.push(ms), random: () => draws.shift()! };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("withRetries' backoff", () => {
  it("pauses random · 100 ms · 2ⁿ after failed attempt n (full jitter), and not after the last", async () => {
    const backoff = recordingBackoff(0.5, 0.25);
    const attempt = vi.fn(async () => {
      throw throttled();
    });
    await expect(withRetries(attempt, backoff)).rejects.toMatchObject({ name: "ThrottlingException", $metadata: { attempts: MAX_ATTEMPTS } });
    expect(attempt).toHaveBeenCalledTimes(3);
    // 0.5 · 100 · 2¹ and 0.25 · 100 · 2²: no pause after the third attempt, which is the last.
    expect(backoff.pauses).toEqual([100, 100]);
  });

  it("draws each pause afresh and stops pausing once an attempt succeeds", async () => {
    const backoff = recordingBackoff(0.999);
    let calls = 0;
    const result = await withRetries(async () => {
      if (++calls === 1) throw throttled();
      return ok();
    }, backoff);
    expect(result.$metadata.attempts).toBe(2);
    expect(backoff.pauses).toEqual([199.8]);
  });

  it("does not pause before failing with an error not worth retrying", async () => {
    const backoff = recordingBackoff();
    await expect(withRetries(async () => Promise.reject(refused()), backoff)).rejects.toMatchObject({ name: "AccessDenied", $metadata: { attempts: 1 } });
    expect(backoff.pauses).toEqual([]);
  });

  it("uses setTimeout and Math.random when no backoff is handed in", async () => {
    const random = vi.spyOn(Math, "random").mockReturnValue(0);
    const timer = vi.spyOn(globalThis, "setTimeout");
    let calls = 0;
    await withRetries(async () => {
      if (++calls === 1) throw throttled();
      return ok();
    });
    expect(random).toHaveBeenCalledTimes(1);
    expect(timer).toHaveBeenCalledWith(expect.any(Function), 0);
    // The exported default is the one withRetries uses: real clock, real random source.
    expect(realBackoff.random()).toBe(0);
  });
});
