/**
 * One `npm start` per state folder: the emulators keep their data there (dynalite's
 * LevelDB, cognito-local's files), and a second process on the same folder would fail
 * deep inside them. The lock is a file holding the owner's pid; a lock whose process
 * is gone is stale and taken over.
 *
 * Taking the lock is atomic: the lock file is written under a name of its own, then linked in place with link(2),
 * which fails with EEXIST when the name exists ("If newpath exists it will not be overwritten", link(2); O_EXCL's
 * guarantee, without O_EXCL's window in which the file exists but is still empty). Of two starts at the same moment
 * one links and the other reads a complete pid. (link needs hard links: FAT/exFAT have none and fail it with EPERM.)
 *
 * Taking over a stale lock needs "replace the file if it still names the dead pid", which no filesystem call does
 * atomically: unlink-then-create lets a late taker unlink the lock a quicker taker has just made, and both
 * run (the race of proper-lockfile's rmdir+mkdir takeover, moxystudio/node-proper-lockfile#121, and of npm/lockfile#4).
 * So takeovers are serialised by per-process claim files (`npm-start.takeover.<pid>.<random>`), each written and
 * removed only by its own process, or removed by anyone once that process is dead (a dead process never acts again):
 *
 *   takeover by T:  1. create T's claim   2. list the folder: another live taker's claim → give up (StateInUseError
 *   naming it); a dead taker's claim → remove it   3. re-read the lock: gone → start over; live owner → StateInUseError;
 *   still a dead owner's → rename(2) T's complete lock file over it (atomic: the name always exists, holding the old
 *   lock or the new)   4. remove T's claim.
 *
 * Interleavings, for takers T and U of one stale lock S:
 * - T's step 2 does not see U's claim: then U's claim was not there when T's listing began, so it was created after
 *   T's claim, and U's listing (after its own claim) sees T's claim (a file there throughout a readdir is listed; only
 *   files added or removed meanwhile may be missed: POSIX readdir) unless T has removed it at step 4, done. Either U
 *   gives up, or U's step 3 finds T's lock, whose owner runs (StateInUseError), or (T gave up) still S, which U, now
 *   the only taker, replaces. Never both.
 * - Both see each other's claim: both give up. The folder stays locked by S, a dead pid, and the next start takes it.
 *   Safe; the price is a rare second try.
 * - Between T's step 3 read and its rename, the lock file cannot change: `link` fails on an existing file, S's owner
 *   is dead so it does not release, and other takers are held off by T's claim.
 * - A taker that dies holding a claim: its claim names a dead pid and the next taker removes it; its half-written
 *   temporary file is never the lock (the lock only ever appears whole, by link or rename).
 * - The owner releasing while someone reads the lock: the reader finds no file and starts over, linking afresh.
 * A lock file names its owner's pid and a random token of the process that wrote it: a later process that happens to
 * get the same pid (pid reuse) finds a token that is not its own, so it treats that lock as stale rather than its own.
 * What pid reuse still can do: a lock or a left claim whose dead pid now belongs to an unrelated process reads as in
 * use until that process ends (or the file is deleted), as with any pid file.
 *
 * Left files: a process killed (kill -9, a crash: no `finally`) between writing its temporary lock file
 * (`npm-start.pid.<pid>.<random>.tmp`) and removing it, or while holding a claim, leaves that file behind, and `--fresh`
 * keeps the lock's own files (`npm-start.*`). Each start that holds the lock removes those naming a dead pid, or its own
 * pid (a dead process's that had it: lockStateDir runs through synchronously, so none of its own is open then). A live
 * process's is never removed: it may be linking its lock (and will remove the file itself) or giving up its takeover;
 * and a dead process never acts again, so removing its file races with no one. (A left file whose dead pid now belongs
 * to an unrelated process stays until that process ends, as above.) Removing them is housekeeping: a left file is never
 * the lock, so one that cannot be removed stays and the start goes on.
 *
 * Pids are those of this pid namespace: `npm start`s in two containers sharing one folder (a bind mount) see each
 * other's pids as dead or as unrelated processes, so neither the lock nor the rules above keep them apart (either may
 * take the other's lock over, or remove its files mid-start), as with any pid file. Run one per folder there.
 *
 * Why not proper-lockfile: it judges staleness by the lock's mtime, which its owner must keep touching on a timer
 * (a suspended laptop or a long GC pause makes a live lock look stale, and `npm start` runs for hours), and its stale
 * takeover has the race above. Here the owner is alive exactly while its pid runs, checked with `kill(pid, 0)`, which is
 * what matters for a folder only one local process should open.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, linkSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";

const LOCK_FILE = "npm-start.pid";
/** A takeover claim, naming its process's pid (parsePid: a name whose pid is none is no claim). */
const CLAIM = /^npm-start\.takeover\.(\d+)\.[0-9a-f]+$/;
/** A temporary lock file (publish), or a claim: what a killed process leaves, naming its pid (parsePid). */
const LEFT = /^npm-start\.(?:pid\.(\d+)\.[0-9a-f]+\.tmp|takeover\.(\d+)\.[0-9a-f]+)$/;
/** This process's token, written after its pid: tells its own lock from a dead process's that had the same pid. */
const PROCESS_TOKEN = randomBytes(8).toString("hex");

export class StateInUseError extends Error {
  constructor(readonly stateDir: string, readonly pid: number) {
    super(
      `Another npm start (pid ${pid}) is using ${stateDir}. Stop it first (Ctrl+C in its terminal, or kill ${pid}), ` +
        "or run this one for another stack (npm start -- --stack prod).",
    );
    this.name = "StateInUseError";
  }
}

/** What can stand at the lock's path instead of a regular file ("not a regular file": a kind Node does not name). */
export type NotAFile =
  | "a directory"
  | "a symbolic link to nothing"
  | "a named pipe (FIFO)"
  | "a socket"
  | "a character device"
  | "a block device"
  | "not a regular file";

export class StateLockNotAFileError extends Error {
  constructor(
    readonly stateDir: string,
    readonly lockFile: string,
    /** What is there instead of a file. */
    readonly found: NotAFile,
  ) {
    super(
      `npm start cannot lock ${stateDir}: ${lockFile} is ${found}, where npm start keeps the file naming the npm start ` +
        "that uses the folder (npm start never makes one there). Move or remove it, or keep the state elsewhere: " +
        "npm start -- --state-dir <folder>.",
    );
    this.name = "StateLockNotAFileError";
  }
}

/**
 * link(2)'s answers when the filesystem has no hard links: "EPERM The filesystem containing oldpath and newpath does not
 * support the creation of hard links" (Linux link(2): FAT/exFAT/vfat); EOPNOTSUPP/ENOTSUP and ENOSYS from other
 * systems' filesystems (what macOS's msdos and Windows' FAT answer through libuv is not confirmed).
 */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

export class StateFolderUnsupportedError extends Error {
  constructor(readonly stateDir: string, readonly code: string) {
    super(
      `npm start cannot lock ${stateDir}: its filesystem has no hard links (link failed with ${code}; FAT/exFAT drives have none), ` +
        "which the lock that keeps a second npm start off the folder needs. Keep the state on another drive: " +
        "npm start -- --state-dir <folder on it>.",
    );
    this.name = "StateFolderUnsupportedError";
  }
}

/**
 * The pid a lock file or a left file's name gives, as npm start writes it: a decimal number from 1 to 2^31-1 (kill(2)'s
 * pid_t), without leading zeros; undefined for anything else, which no process wrote and which names no process. Not 0
 * or less: kill(2) "If pid equals 0, then sig is sent to every process in the process group of the calling process",
 * -1 to every process it may signal, less than -1 to the group -pid, so kill(0, 0) answers for this process's own group
 * and such a "pid" would read as running for ever. The one parser of pids in file names and in the lock file.
 */
export function parsePid(text: string | undefined): number | undefined {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return undefined;
  const pid = Number(text);
  return pid <= 0x7fffffff ? pid : undefined;
}

/**
 * Whether process `pid` runs (EPERM: it does, as another user's). A pid that is not a positive integer names no process
 * (parsePid): false, never kill(2) on a process group.
 */
export function processRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The release of each lock this process holds, run on exit: one listener for all, however many locks are taken. Kept
 * on globalThis (Symbol.for), so that it stays one when this module is evaluated again in the process (a shared vitest
 * worker evaluates this repository's modules afresh for each file: tests/setup/shared-process.ts).
 */
const HELD = Symbol.for("serverless-fullstack.state-lock.held");
const held: Set<() => void> = ((globalThis as unknown as Record<symbol, Set<() => void> | undefined>)[HELD] ??= exitHook(new Set()));

/**
 * Releases `locks` on process exit. 'exit' comes on process.exit and after an uncaught exception, not on a signal's
 * default action (the CLI handles SIGINT/SIGTERM); a lock left by a killed process names a dead pid, and the next start
 * takes it over.
 */
function exitHook(locks: Set<() => void>): Set<() => void> {
  process.on("exit", () => {
    for (const release of [...locks]) release();
  });
  return locks;
}

/** Places where another process may act in the middle of lockStateDir; tests run one there. */
export type LockStep = "lock-exists" | "stale" | "claimed" | "alone";

export interface LockOptions {
  /** The locking process. @default process.pid, with this process's token */
  pid?: number;
  token?: string;
  /** @default processRunning */
  running?: (pid: number) => boolean;
  /** Called at each LockStep (tests: simulates another process acting there). */
  step?: (step: LockStep) => void;
  /** link(2). @default linkSync (tests: a filesystem without hard links) */
  link?: (existing: string, created: string) => void;
  /** Removes a left file (removeLeftFiles). @default rmSync, force (tests: a file that cannot be removed) */
  removeLeft?: (path: string) => void;
}

interface Owner {
  /** None: a damaged lock's (parsePid), no process's. */
  pid: number | undefined;
  token: string | undefined;
}

/** This process (or a simulated one): the pid and token its lock files name. */
interface Me {
  pid: number;
  token: string;
}

/**
 * Takes the folder's lock for this process; returns the release function, which removes the lock only while it is
 * still this process's (also run on process exit, should the caller not get to it).
 */
export function lockStateDir(stateDir: string, options: LockOptions = {}): () => void {
  const me: Me = { pid: options.pid ?? process.pid, token: options.token ?? PROCESS_TOKEN };
  const running = options.running ?? processRunning;
  const step = options.step ?? (() => {});
  const link = options.link ?? linkSync;
  const linkOrRefuse = (temporary: string, created: string) => {
    try {
      link(temporary, created);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code && NO_HARD_LINKS.has(code)) throw new StateFolderUnsupportedError(stateDir, code);
      throw error;
    }
  };
  const file = join(stateDir, LOCK_FILE);
  const release = () => {
    held.delete(release);
    try {
      if (isOwner(readOwner(file), me)) rmSync(file, { force: true });
    } catch (error) {
      // Never thrown: release runs in the exit hook (a throw there ends the process with a stack trace and skips the other
      // locks' releases) and after a failure whose error is the one the caller must see. What it could not do is said;
      // a lock left behind names this process, which is gone once it ends, and the next start takes it over (or refuses
      // a path that is no longer a file, saying what to do).
      console.error(`npm start could not release its lock on ${stateDir}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  let reentrant = false;
  for (;;) {
    if (publish(stateDir, me, (temporary) => linkOrRefuse(temporary, file))) break;
    step("lock-exists");
    const owner = readOwner(file);
    if (owner === undefined) continue; // released since: link again
    if (isOwner(owner, me)) {
      reentrant = true;
      break;
    }
    if (live(owner, me, running)) throw new StateInUseError(stateDir, owner.pid);
    step("stale");
    if (takeOver(stateDir, file, me, running, step)) break;
  }
  held.add(release);
  try {
    removeLeftFiles(stateDir, me, running, options.removeLeft ?? ((path) => rmSync(path, { force: true })));
  } catch (error) {
    // The caller gets no release function to call: let go of a lock this call took. A lock this process held already
    // (re-entrant) stays its earlier caller's, who releases it.
    if (!reentrant) release();
    throw error;
  }
  return release;
}

/**
 * The temporary lock files and claims of dead processes (the header's "Left files"); run while holding the lock.
 * Housekeeping: only files (npm start makes nothing else by those names), and one that cannot be removed is left as it
 * was before this start, never a reason to refuse the start: a left file is never the lock. (EPERM/EACCES: another
 * user's file in a shared sticky folder; on Windows, another program holding it open: isaacs/node-graceful-fs retries
 * renames that fail with EACCES/EPERM "likely because antivirus software has locked the directory"; what unlink answers
 * then is not confirmed here.)
 */
function removeLeftFiles(stateDir: string, me: Me, running: (pid: number) => boolean, remove: (path: string) => void): void {
  for (const entry of readdirSync(stateDir, { withFileTypes: true })) {
    const left = LEFT.exec(entry.name);
    if (!left || !entry.isFile()) continue;
    const pid = parsePid(left[1] ?? left[2]);
    if (pid === undefined || (pid !== me.pid && running(pid))) continue; // no pid: not a file npm start makes
    try {
      remove(join(stateDir, entry.name));
    } catch {
      // left as it was (above)
    }
  }
}


/**
 * `--fresh`: empties the locked folder, all but the lock's own files (`npm-start.*`), so that the lock is taken before
 * anything is deleted and holds while the folder is emptied.
 */
export function emptyStateDir(stateDir: string): void {
  for (const name of readdirSync(stateDir)) {
    if (!name.startsWith("npm-start.")) rmSync(join(stateDir, name), { recursive: true, force: true });
  }
}

/** Steps 1–4 of the header: whether this process now holds the lock; false to start over. */
function takeOver(stateDir: string, file: string, me: Me, running: (pid: number) => boolean, step: (step: LockStep) => void): boolean {
  const claimName = `npm-start.takeover.${me.pid}.${randomBytes(8).toString("hex")}`;
  const claim = join(stateDir, claimName);
  writeFileSync(claim, "", { flag: "wx" });
  try {
    step("claimed");
    for (const name of readdirSync(stateDir)) {
      const pid = parsePid(CLAIM.exec(name)?.[1]);
      if (pid === undefined || name === claimName) continue; // no pid (npm-start.takeover.0.…): no process's claim
      // Our own pid on a claim not ours: a dead process's that had it (lockStateDir runs through, synchronously).
      if (pid !== me.pid && running(pid)) throw new StateInUseError(stateDir, pid);
      rmSync(join(stateDir, name), { force: true });
    }
    step("alone");
    const owner = readOwner(file);
    if (owner === undefined) return false;
    if (live(owner, me, running)) throw new StateInUseError(stateDir, owner.pid);
    return publish(stateDir, me, (temporary) => renameSync(temporary, file));
  } finally {
    rmSync(claim, { force: true });
  }
}

/**
 * Writes this process's lock to a temporary file and puts it in place with `place` (link: fails if a lock exists;
 * rename: replaces it), so that the lock file is never seen half-written. False when a lock exists already.
 */
function publish(stateDir: string, me: Me, place: (temporary: string) => void): boolean {
  const temporary = join(stateDir, `npm-start.pid.${me.pid}.${randomBytes(8).toString("hex")}.tmp`);
  writeFileSync(temporary, `${me.pid} ${me.token}\n`, { flag: "wx" });
  try {
    place(temporary);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * The lock's owner; undefined when there is no lock. A lock not naming a pid (damaged) names none (parsePid): no process.
 * Anything at the lock path but a regular file is refused, naming what it is: never removed (a directory may hold
 * someone's files), never read. A named pipe (FIFO) would block the read for ever: open(2) of a FIFO for reading waits
 * for a writer, unless O_NONBLOCK ("open() for reading-only shall return without delay", POSIX open), and a read then
 * waits for data. So the path is opened with O_NONBLOCK and what was opened is judged by fstat(2) before any read: the
 * file judged is the file read, whatever replaces the name meanwhile. (O_NONBLOCK does not change reading a regular
 * file: "this flag has no effect for regular files and block devices", Linux open(2). Where fs.constants has no
 * O_NONBLOCK, as on Windows (not confirmed here), there are no FIFOs among files to open.) A socket cannot be opened:
 * ENXIO, "The file is a UNIX domain socket" (Linux open(2)). A symbolic link to nothing is refused too: reading it
 * finds no file (ENOENT) while link(2) finds the name taken (EEXIST: link does not follow a symbolic link at newpath),
 * so "released since: link again" would go round for ever.
 */
function readOwner(file: string): Owner | undefined {
  const refuse = (found: NotAFile) => new StateLockNotAFileError(dirname(file), file, found);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) throw refuse("a symbolic link to nothing");
      return undefined;
    }
    if (code === "EISDIR") throw refuse("a directory"); // where opening a directory fails (Linux opens it; fstat names it)
    // ENXIO: a socket (or a device with no driver). Only names what is there: a file now there is not what failed.
    const found = code === "ENXIO" ? notAFile(statSync(file, { throwIfNoEntry: false })) : undefined;
    if (found) throw refuse(found);
    throw error;
  }
  let text: string;
  try {
    const found = notAFile(fstatSync(fd));
    if (found) throw refuse(found);
    text = readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
  const [pid, token] = text.trim().split(/\s+/);
  return { pid: parsePid(pid), token };
}

/** What `stats` is when it is not a regular file (nor missing). */
function notAFile(stats: Stats | undefined): NotAFile | undefined {
  if (!stats || stats.isFile()) return undefined;
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "not a regular file";
}

function isOwner(owner: Owner | undefined, me: Me): boolean {
  // A lock written before tokens (pid only) by this pid is this process's, as it was then.
  return owner !== undefined && owner.pid === me.pid && (owner.token === undefined || owner.token === me.token);
}

/** Whether the lock's owner still runs: our own pid with another token is a dead process's lock (pid reuse). */
function live(owner: Owner, me: Me, running: (pid: number) => boolean): owner is Owner & { pid: number } {
  if (owner.pid === undefined) return false; // a damaged lock: no process (never kill(0) or kill(-1): parsePid)
  if (owner.pid === me.pid) return false;
  return running(owner.pid);
}
