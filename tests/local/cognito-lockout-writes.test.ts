/**
 * SignInLockout writes its records once per sign-in attempt at most (lockout.json is rewritten whole each time): the
 * attempt's start (`check`) changes them in memory, its end writes them; nothing changed, nothing written.
 */
import { expect, it } from "vitest";
import { QUIET_RESET_SECONDS, SignInLockout, type Failures } from "../../local/cognito-lockout";

function lockoutWithWrites(records: Array<[string, Failures]> = []) {
  const clock = { now: 1_000_000, get: () => new Date(clock.now) };
  const writes: Array<Array<[string, Failures]>> = [];
  const lockout = new SignInLockout(clock, { load: () => records, save: (r) => writes.push(structuredClone(r)) });
  return { clock, writes, lockout };
}

it("writes a failed sign-in once, with the failure and the attempt's time", () => {
  const { clock, writes, lockout } = lockoutWithWrites();
  for (let i = 1; i <= 3; i++) {
    clock.now += 1000;
    lockout.check("pool/ann");
    lockout.failed("pool/ann");
    expect(writes).toHaveLength(i);
    expect(writes.at(-1)).toEqual([["pool/ann", { count: i, lockedUntil: clock.now, lastAttempt: clock.now }]]);
  }
});

it("writes an attempt refused during a lockout once, with its time (the quiet time runs from it)", () => {
  const { clock, writes, lockout } = lockoutWithWrites([["pool/ann", { count: 6, lockedUntil: 1_002_000, lastAttempt: 1_000_000 }]]);
  clock.now += 1000;
  expect(() => lockout.check("pool/ann")).toThrow("Password attempts exceeded");
  expect(writes).toEqual([[["pool/ann", { count: 6, lockedUntil: 1_002_000, lastAttempt: 1_001_000 }]]]);
});

it("writes an attempt of a user with failures that neither failed nor succeeded once; a success of a user without failures not at all", () => {
  const { clock, writes, lockout } = lockoutWithWrites([["pool/ann", { count: 2, lockedUntil: 1_000_000, lastAttempt: 1_000_000 }]]);
  clock.now += 1000;
  lockout.check("pool/ann");
  lockout.ended();
  expect(writes).toEqual([[["pool/ann", { count: 2, lockedUntil: 1_000_000, lastAttempt: 1_001_000 }]]]);
  lockout.check("pool/bob");
  lockout.succeeded("pool/bob");
  lockout.check("pool/bob");
  lockout.ended();
  expect(writes).toHaveLength(1);
  lockout.check("pool/ann");
  lockout.succeeded("pool/ann");
  expect(writes).toEqual([expect.anything(), []]);
});

it("writes a failure after the quiet time once: the forgotten record and the new failure together", () => {
  const { clock, writes, lockout } = lockoutWithWrites([["pool/ann", { count: 4, lockedUntil: 1_000_000, lastAttempt: 1_000_000 }]]);
  clock.now += QUIET_RESET_SECONDS * 1000;
  lockout.check("pool/ann");
  lockout.failed("pool/ann");
  expect(writes).toEqual([[["pool/ann", { count: 1, lockedUntil: clock.now, lastAttempt: clock.now }]]]);
});
