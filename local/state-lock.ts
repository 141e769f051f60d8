/**
 * One `npm start` per state folder: the emulators keep their data there (dynalite's
 * LevelDB, cognito-local's files), and a second process on the same folder would fail
 * deep inside them. The lock is a file holding the owner's pid; a lock whose process
 * is gone is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class StateInUseError extends Error {
  constructor(readonly stateDir: string, readonly pid: number) {
    super(
      `Another npm start (pid ${pid}) is using ${stateDir}. Stop it first (Ctrl+C in its terminal, or kill ${pid}), ` +
        "or run this one for another stack (npm start -- --stack prod).",
    );
    this.name = "StateInUseError";
  }
}

/** Whether process `pid` runs (EPERM: it does, as another user's). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the folder's lock for this process; returns the release function. */
export function lockStateDir(stateDir: string): () => void {
  const file = join(stateDir, "npm-start.pid");
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(file, "utf8").trim());
  } catch {
    owner = undefined;
  }
  if (owner && owner !== process.pid && processRunning(owner)) throw new StateInUseError(stateDir, owner);
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}
