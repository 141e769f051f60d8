/**
 * Cognito's temporary lockout after failed password sign-ins, which cognito-local lacks:
 *
 * "After five failed unauthenticated or IAM-authorized sign-in attempts with a password, Amazon Cognito locks out your
 * user for one second. The lockout duration then doubles after each additional one failed attempt, up to a maximum of
 * approximately 15 minutes. Attempts made during a lockout period generate a Password attempts exceeded exception, and
 * don't affect the duration of subsequent lockout periods. For a cumulative number of failed sign-in attempts n, not
 * including Password attempts exceeded exceptions, Amazon Cognito locks out your user for 2^(n-5) seconds. To reset the
 * lockout to its n=0 initial state, your user must either sign in successfully after a lockout period expires, or not
 * initiate any sign-in attempts for 15 consecutive minutes at any time after a lockout. This behavior is subject to
 * change." (Lockout behavior for failed sign-in attempts,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html#authentication-flow-lockout-behavior;
 * the older guide: "Attempts during a temporary lockout period are ignored", awsdocs/amazon-cognito-developer-guide
 * `doc_source/amazon-cognito-user-pools-authentication-flow.md`). The exception is NotAuthorizedException with the
 * message "Password attempts exceeded" (as the service answers it, amazon-archives/amazon-cognito-identity-js#479,
 * aws-amplify/amplify-js#1234).
 *
 * Read here as: the cap is 900 s ("approximately 15 minutes"); a refused attempt during a lockout does not count but
 * is an attempt, so it restarts the 15 quiet minutes; the quiet reset applies before a first lockout too (the guide
 * names it "after a lockout" only; before one, failures are otherwise kept until a successful sign-in). None of these
 * three readings is confirmed.
 *
 * Kept in memory, per user, and written through to `persist` (the emulator's state folder, so a restart of `npm start`
 * keeps a user's failures and lockout; `--fresh` forgets them with the rest of the state). Memory stays flat as TokenRevocation's does (issue 15): a
 * record is dropped once its user has been quiet for 15 minutes, when it no longer matters, swept when one is added,
 * at most once every SWEEP_EVERY_SECONDS of the emulator's clock, never on a timer.
 */
import { NotAuthorizedError } from "cognito-local/lib/errors";
import type { Clock } from "cognito-local/lib/services";

/** Failed attempts before the first lockout. */
export const FREE_FAILURES = 5;
/** The longest lockout: "up to a maximum of approximately 15 minutes". */
export const MAX_LOCKOUT_SECONDS = 15 * 60;
/** Quiet time after which a user's failures are forgotten: "not initiate any sign-in attempts for 15 consecutive minutes". */
export const QUIET_RESET_SECONDS = 15 * 60;
/** How often, at most, the records are swept of quiet users (seconds of the emulator's clock). */
const SWEEP_EVERY_SECONDS = 60;

/** Cognito's answer to a sign-in during a lockout. */
export const PASSWORD_ATTEMPTS_EXCEEDED = "Password attempts exceeded";

/** The lockout after the `failures`-th failed attempt, in seconds: 2^(n-5), at most MAX_LOCKOUT_SECONDS. */
export function lockoutSeconds(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(2 ** (failures - FREE_FAILURES), MAX_LOCKOUT_SECONDS);
}

export interface Failures {
  /** Failed attempts counted (not those refused during a lockout). */
  count: number;
  /** Until when (ms, the emulator's clock) attempts are refused. */
  lockedUntil: number;
  /** The last attempt (ms), refused ones included: the quiet time runs from here. */
  lastAttempt: number;
}

/** Where the records are kept across restarts: read once at start, written whole after each change. */
export interface LockoutPersistence {
  load(): Array<[string, Failures]>;
  save(records: Array<[string, Failures]>): void;
}

/**
 * One sign-in attempt is one write of the records at most: `check` at its start changes them in memory only (the
 * attempt's time, a quiet user dropped), and the attempt's end writes them once — `failed`, `succeeded`, or `ended` for
 * an attempt that did neither (another error, a challenge) — unless `check` refuses it, which is its end. Nothing
 * changed, nothing written: a successful sign-in of a user without failures touches no file.
 */
export class SignInLockout {
  /** The user's key (the emulator's lockoutKey: `<pool id>/<sub>`, its username for a user without one) → its failures. */
  private readonly byUser: Map<string, Failures>;
  private nextSweep = 0;
  /** Whether the records in memory differ from those last written. */
  private unsaved = false;

  constructor(
    private readonly clock: Clock,
    private readonly persist?: LockoutPersistence,
  ) {
    this.byUser = new Map(persist?.load() ?? []);
  }

  /**
   * The start of a password attempt of `user`: refused during the user's lockout, NotAuthorizedException "Password
   * attempts exceeded" (written at once: the attempt ends here). Otherwise the attempt goes on, and must be ended with
   * `failed`, `succeeded` or `ended`, which write what this changed.
   */
  check(user: string): void {
    const now = this.clock.get().getTime();
    const entry = this.current(user, now);
    if (!entry) return;
    entry.lastAttempt = now;
    this.unsaved = true;
    if (now < entry.lockedUntil) {
      this.save();
      throw new NotAuthorizedError(PASSWORD_ATTEMPTS_EXCEEDED);
    }
  }

  /** A wrong password for `user` (outside a lockout): counted, and from the fifth on, a lockout. */
  failed(user: string): void {
    const now = this.clock.get().getTime();
    const entry = this.current(user, now) ?? { count: 0, lockedUntil: 0, lastAttempt: now };
    entry.count += 1;
    entry.lastAttempt = now;
    entry.lockedUntil = now + lockoutSeconds(entry.count) * 1000;
    this.byUser.set(user, entry);
    this.unsaved = true;
    this.sweep(now);
    this.save();
  }

  /** A successful sign-in of `user` (only possible outside a lockout): back to no failures. */
  succeeded(user: string): void {
    if (this.byUser.delete(user)) this.unsaved = true;
    this.save();
  }

  /** An attempt that neither failed nor succeeded (its `check` passed): what `check` changed is written. */
  ended(): void {
    this.save();
  }

  /** How many users' failures are kept. */
  size(): number {
    return this.byUser.size;
  }

  /** `user`'s failures, unless they are quiet long enough to be forgotten (then dropped). */
  private current(user: string, now: number): Failures | undefined {
    const entry = this.byUser.get(user);
    if (entry && quiet(entry, now)) {
      this.byUser.delete(user);
      this.unsaved = true;
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY_SECONDS * 1000;
    for (const [user, entry] of this.byUser) if (quiet(entry, now)) this.byUser.delete(user);
  }

  /** Writes the records, if they changed since the last write. */
  private save(): void {
    if (!this.unsaved) return;
    this.persist?.save([...this.byUser]);
    this.unsaved = false;
  }
}

/** Whether `entry`'s user has made no attempt for QUIET_RESET_SECONDS (and any lockout is over). */
function quiet(entry: Failures, now: number): boolean {
  return now - entry.lastAttempt >= QUIET_RESET_SECONDS * 1000 && now >= entry.lockedUntil;
}
