/**
 * The emulator's open sign-in sessions (local/cognito-sessions): good once, until they expire, and bounded however many
 * are opened and never answered (InitiateAuth again and again). On a clock the test moves: no waiting.
 */
import { describe, expect, it } from "vitest";
import { OpenSessions } from "../../local/cognito-sessions";

const clock = { now: 1_000_000, get: () => new Date(clock.now) };
const MINUTE = 60_000;

describe("OpenSessions", () => {
  it("gives a session once, and nothing once it has expired", () => {
    const sessions = new OpenSessions<{ expires: number; user: string }>(clock);
    sessions.put("a", { expires: clock.now + 3 * MINUTE, user: "ann" });
    sessions.put("b", { expires: clock.now + 3 * MINUTE, user: "bob" });
    expect(sessions.take("a")).toEqual({ expires: clock.now + 3 * MINUTE, user: "ann" });
    expect(sessions.take("a")).toBeUndefined();
    clock.now += 3 * MINUTE;
    expect(sessions.take("b")).toBeUndefined();
    expect(sessions.take("never")).toBeUndefined();
  });

  it("keeps at most its limit, however many are opened and never answered: expired ones go first, then the oldest", () => {
    const sessions = new OpenSessions<{ expires: number }>(clock, 100);
    for (let i = 0; i < 50; i++) sessions.put(`old${i}`, { expires: clock.now + MINUTE });
    clock.now += 2 * MINUTE;
    for (let i = 0; i < 10_000; i++) {
      sessions.put(`s${i}`, { expires: clock.now + 3 * MINUTE });
      expect(sessions.size).toBeLessThanOrEqual(100);
    }
    expect(sessions.take("s9999")).toBeDefined(); // the newest are kept
    expect(sessions.take("s0")).toBeUndefined(); // the oldest dropped: refused as an expired one
  });

  it("puts back a session taken (a refused answer) without dropping another", () => {
    const sessions = new OpenSessions<{ expires: number }>(clock, 2);
    sessions.put("a", { expires: clock.now + MINUTE });
    sessions.put("b", { expires: clock.now + MINUTE });
    const a = sessions.take("a")!;
    sessions.put("a", a);
    expect(sessions.take("b")).toBeDefined();
    expect(sessions.take("a")).toBeDefined();
  });
});
