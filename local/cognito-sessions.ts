/**
 * The open sessions of a sign-in that waits for an answer: the API's challenge sessions (cognito-emulator's
 * challengeSessions) and the hosted UI's new-password forms (hostedUiNewPassword), each good once until it expires.
 *
 * One store for both jobs. A session is taken out before its answer is looked at (`take`, synchronous), so answers sent
 * together with one session get it once: the first, the others find nothing (the emulator's layers await between
 * looking a session up and acting on it). A refused answer puts it back (`put`).
 *
 * Memory stays bounded: sessions nobody answers (InitiateAuth called again and again) are at most `limit`; when a new
 * one would pass it, the expired ones are dropped, then the oldest, down to nine tenths of it (so a flood costs one
 * sweep per tenth of `limit`, not one per session). A session dropped so is refused as an expired one. Cognito
 * documents no such limit; it is the emulator's (MAX_OPEN_SESSIONS), far above what a developer's sign-ins open in a
 * session's lifetime (AuthSessionValidity, at most 15 minutes). Never swept on a timer; kept in memory only (a restart
 * ends every session).
 */
import type { Clock } from "cognito-local/lib/services";

/** The most sessions a store keeps open (see the module's header). */
export const MAX_OPEN_SESSIONS = 10_000;

/** Open sessions by token, each with when it stops being good (`expires`, ms of the emulator's clock). */
export class OpenSessions<T extends { expires: number }> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly clock: Clock,
    private readonly limit = MAX_OPEN_SESSIONS,
  ) {}

  /** How many are kept (expired ones not yet dropped included). */
  get size(): number {
    return this.entries.size;
  }

  /** Keeps `entry` under `token` (a new session, or one `take` gave and its answer was refused). */
  put(token: string, entry: T): void {
    if (!this.entries.has(token) && this.entries.size >= this.limit) {
      const now = this.clock.get().getTime();
      for (const [key, kept] of this.entries) if (kept.expires <= now) this.entries.delete(key);
      const keep = Math.floor(this.limit * 0.9);
      for (const key of this.entries.keys()) {
        if (this.entries.size <= keep) break;
        this.entries.delete(key); // a Map iterates in insertion order: the oldest first
      }
    }
    this.entries.set(token, entry);
  }

  /** Takes the session out (good once): its entry, or undefined when unknown, used or expired. */
  take(token: string): T | undefined {
    const entry = this.entries.get(token);
    this.entries.delete(token);
    return entry && entry.expires > this.clock.get().getTime() ? entry : undefined;
  }
}
