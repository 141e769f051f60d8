/**
 * StaticSite's `build`: a command (e.g. `vite build`) that writes the site into `outputDir` before the
 * manifest is made, with an environment that may hold stack outputs (the API's URL, pool ids).
 *
 * When it runs:
 * - every environment value is a plain string: it starts at construction, in the background (a child process the
 *   program does not wait for): the constructor returns at once and the rest of the program (other components, the
 *   functions' bundles) is declared while it runs. Only the manifest, and so the SitePublisher's files, waits for it.
 * - some are Outputs: it starts once they resolve. At `pulumi up` (and `npm start`, under mocks) they always do.
 *   At `pulumi preview` a value of a resource not created yet is unknown: the build does not run, the
 *   publisher's files show as unknown, and the build runs at `pulumi up`. Later previews know the values
 *   from the state and build and diff the files exactly.
 * Either way the manifest (content hashes, content types, Cache-Control) is made from what the build wrote, once the
 * command has exited (its files are complete) and `outputDir` is there.
 *
 * A failed build (its exit code or signal, or its timeout, with its last lines of output; or no `outputDir` after it)
 * is a ComponentArgError that rejects the manifest, so the SitePublisher's registration fails with it and the program
 * fails, as Pulumi fails a program on any input that rejects: once the command ends rather than at construction.
 * Under the mocks (`npm run plan`, `npm start`, the tests' `record`) that is before the run is reported, and the error
 * is the run's (runProgramOffline's settle); at `pulumi up` the preview that comes first runs the build too, so a
 * build that always fails stops there, before anything is created. Not so, and resources declared while it ran may
 * already be created when it fails (as with any error found at deploy time): when its environment holds values
 * unknown at preview (it runs only at the update), when it fails only at the update (a flaky build, another
 * environment), or with `--skip-preview`. With STATIC_SITE_SKIP_BUILD=1 nothing runs, and a missing `outputDir` fails
 * the component at construction.
 *
 * Builds into different folders run at once; builds into one `outputDir` (one site published twice, say) run one
 * after another, each with its manifest made before the next starts, since a build such as `vite build` empties its
 * folder first. `npm start`'s rebuilds (local/site-watch.ts) run through the same runner and the same queue.
 *
 * The build runs in a process group of its own (POSIX): at `timeoutSeconds` the whole group gets SIGTERM (the shell and
 * what it started: `npm run build`'s `vite`, the `b` of `a && b`, a background process), then SIGKILL after
 * `stopGraceSeconds` for what is left (with 0, SIGKILL alone), and the build fails once none of them runs any more, so
 * nothing goes on writing `outputDir` after the failure; a group that refuses the signals (EPERM: a process of another
 * user, under sudo say) fails it at once, saying so. A shell that had exited but left a process holding the output
 * pipes (`cmd &`) fails the build the same way, saying so; a process the command left running without the pipes is
 * stopped the same way when the build ends. A process that made a session of its own (a daemon) is not the build's and
 * is left alone; once the group is seen empty (at the shell's exit, then every GROUP_POLL_MS while such a daemon holds
 * the pipes) no signal goes to its number any more, which a new group may take.
 * In its own group the build no longer gets the terminal's Ctrl-C (SIGINT to the foreground group): while a build runs,
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to its group, and the program still ends by them as it would have
 * (the listener re-raises the signal when no other listener was there when it came, a `process.once` one included;
 * the group gets SIGTERM too, which a shell's background processes do not ignore as they do SIGINT), and a program
 * that exits stops the groups with SIGKILL.
 * A program killed with SIGKILL leaves its build running. On Windows the build is one process as before: at the
 * timeout the shell alone is signalled and what it started runs on until it ends by itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { checkNumberInRange } from "../ranges";
import { registerSpec } from "../spec-registry";

/** A build that writes the site's files, run before the manifest is made (at preview, `pulumi up` and `npm start`), while the rest of the program is declared. */
export interface StaticSiteBuild {
  /**
   * Shell command, run in the site's `path`, e.g. `"vite build"`: as under `npm run`, the `node_modules/.bin` folders of
   * `path` and the folders above it are on the PATH. Its last lines of output are shown if it fails.
   */
  command: string;
  /**
   * Folder the build writes, relative to `path`, e.g. `"dist"`: this is what gets published (and served by
   * `npm start`). It must be inside `path` or the project, and must not be `path` itself or a folder above it.
   */
  outputDir: string;
  /**
   * Environment variables for the command, on top of this process's: plain strings or stack outputs,
   * e.g. `{ VITE_API_URL: api.url }` (Vite exposes `VITE_*` to the page as `import.meta.env`). A value
   * that is unknown at `pulumi preview` (its resource is not created yet) postpones the build to `pulumi up`.
   * @default none
   */
  environment?: Record<string, pulumi.Input<string>>;
  /** Seconds before the build is stopped, at most 2147483 (about 24 days: the longest a timer waits). @default 600 */
  timeoutSeconds?: number;
  /**
   * Seconds a stopped build's processes get to end after SIGTERM (to remove temporary files, say) before SIGKILL,
   * from 0 (SIGKILL at once) to 300. @default 5
   */
  stopGraceSeconds?: number;
}

/** The build as the spec holds it: absolute folders, plain data. */
export interface NormalisedBuild {
  command: string;
  /** Where the command runs: the `path` argument. */
  cwd: string;
  /** Absolute path of `outputDir`. */
  outputDir: string;
  /** Names of the environment variables the build gets (the values may be Outputs; see BuiltSite). */
  environmentNames: string[];
  timeoutSeconds: number;
  stopGraceSeconds: number;
}

/**
 * A build that ran, with its resolved environment: registered (kind "StaticSiteBuild") once it has run, so the local
 * runtime can run the same command again when a source file changes.
 */
export interface BuiltSite extends NormalisedBuild {
  site: string;
  environment: Record<string, string>;
}

/**
 * Set to `1` to publish `outputDir` as it is, without running the command: for a CI job that built (and tested)
 * the site in an earlier step, and for the test suite, which builds the reference site once (tests/setup/site-build.ts).
 */
export const SKIP_BUILD_VARIABLE = "STATIC_SITE_SKIP_BUILD";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OUTPUT_LINES = 40;
/** A build's output is kept up to this many characters (its end), of which a failure shows the last lines. */
const OUTPUT_KEPT = 256 * 1024;
/**
 * A build's timeout in seconds: setTimeout waits from 1 ms to 2^31 - 1 ms, about 24.8 days, and sets a delay outside
 * that to 1 ms, firing at once (Node.js docs, timers: setTimeout); up to the whole seconds under the most, as the TSDoc
 * of timeoutSeconds states it.
 */
const BUILD_TIMEOUT_SECONDS = { min: 0.001, max: Math.floor((2 ** 31 - 1) / 1000) } as const;
const DEFAULT_STOP_GRACE_SECONDS = 5;
const BUILD_STOP_GRACE_SECONDS = { min: 0, max: 300 } as const;

export function validateBuildArgs(fail: ArgFailure, path: string | undefined, build: StaticSiteBuild | undefined): void {
  if (build === undefined) return;
  if ("output" in build) fail("build.output", (build as { output?: unknown }).output, "is not an argument of StaticSite's build", "Rename it to build.outputDir.");
  if (typeof build.command !== "string" || build.command.trim() === "") fail("build.command", build.command, "is empty", 'Give the shell command that builds the site, e.g. "vite build".');
  const out = build.outputDir;
  if (typeof out !== "string" || out.trim() === "" || isAbsolute(out)) {
    fail("build.outputDir", out, "is not a folder relative to path", 'Give the folder the build writes, relative to path, e.g. "dist".');
  }
  const project = process.cwd();
  const source = resolve(path ?? "");
  const target = resolve(source, out);
  if (target === source || isInside(target, source)) {
    fail("build.outputDir", out, `is ${target === source ? "path itself" : "a folder above path"}, so the site's sources would be published (and a build that empties its output would delete them)`,
      'Use a folder of its own, e.g. "dist".');
  }
  // Inside path, or elsewhere in the project: never somewhere a relative path happens to reach on this machine.
  if (!isInside(source, target) && !isInside(project, target)) {
    fail("build.outputDir", out, `resolves to ${target}, outside path and the project (${project})`, 'Write the build inside the project, e.g. "dist" (path/dist).');
  }
  for (const [key, value] of Object.entries(build.environment ?? {})) {
    if (!ENV_NAME.test(key)) fail(`build.environment.${key}`, key, "is not an environment variable name", "Use letters, digits and _, not starting with a digit, e.g. VITE_API_URL.");
    if (typeof value !== "string" && !pulumi.Output.isInstance(value) && !(value instanceof Promise)) {
      fail(`build.environment.${key}`, value, "is not a string or an Output of one", "Pass a string, e.g. String(port), or a stack output such as api.url.");
    }
  }
  // A fraction is a valid timeout (tests stop builds after 0.5 s): the range is of numbers, from the timer's 1 ms.
  checkNumberInRange(fail, "build.timeoutSeconds", build.timeoutSeconds, BUILD_TIMEOUT_SECONDS, {
    limit: "a timer's range",
    unit: "seconds",
    reason: "the build's timer waits from 1 ms to 2^31 − 1 ms (about 24 days)",
    fix: "Use e.g. 600 (the default).",
  });
  checkNumberInRange(fail, "build.stopGraceSeconds", build.stopGraceSeconds, BUILD_STOP_GRACE_SECONDS, {
    limit: "StaticSite's range",
    unit: "seconds",
    reason: "a stopped build's processes get this long after SIGTERM before SIGKILL; longer would hold a failed deploy",
    fix: `Use e.g. ${DEFAULT_STOP_GRACE_SECONDS} (the default).`,
  });
}

export function normaliseBuild(path: string, build: StaticSiteBuild): NormalisedBuild {
  const cwd = resolve(path);
  return {
    command: build.command,
    cwd,
    outputDir: resolve(cwd, build.outputDir),
    environmentNames: Object.keys(build.environment ?? {}).sort(),
    timeoutSeconds: build.timeoutSeconds ?? 600,
    stopGraceSeconds: build.stopGraceSeconds ?? DEFAULT_STOP_GRACE_SECONDS,
  };
}

/** True when every environment value is a plain string, so the build can run now. */
export function environmentKnown(environment: Record<string, pulumi.Input<string>> | undefined): environment is Record<string, string> | undefined {
  return Object.values(environment ?? {}).every((value) => typeof value === "string");
}

/**
 * The last build queued for each output folder (absolute `outputDir`), settled once its work (the build and what the
 * caller makes of its output) is done: builds into one folder run one after another, since a build such as `vite build`
 * empties its folder first; builds into other folders run at once.
 */
const folderQueues = new Map<string, Promise<void>>();

/**
 * Runs `work` (a build into `outputDir`, and what its caller reads of the output) once the work queued before it for
 * that folder has settled, or at once (synchronously) if there is none: StaticSite's builds at construction and
 * `npm start`'s rebuilds alike. Resolves or rejects as `work` does; a failure does not hold up the work after it.
 */
export function queueFolderBuild<T>(outputDir: string, work: () => Promise<T>): Promise<T> {
  const before = folderQueues.get(outputDir);
  const result = before ? before.then(work) : work();
  const settled = result.then(() => undefined, () => undefined);
  folderQueues.set(outputDir, settled);
  void settled.then(() => folderQueues.get(outputDir) === settled && folderQueues.delete(outputDir));
  return result;
}

/**
 * Starts the build in its `cwd` (unless STATIC_SITE_SKIP_BUILD=1) and returns at once: once the command has exited
 * and `outputDir` is there, the build is registered for the local runtime and the promise resolves with what
 * `afterBuild` (making the manifest) resolves with. A build into a folder that another build is writing, or whose
 * output another build's `afterBuild` is reading, starts once those are done. A failure rejects with the command, its
 * exit code, signal or timeout and its last lines of output; a missing output folder says so.
 * Skipped, nothing runs: the folder is checked now (a missing one throws) and the result is undefined.
 */
export function runBuild<T>(fail: ArgFailure, site: string, build: NormalisedBuild, environment: Record<string, string>, afterBuild: () => Promise<T>): Promise<T> | undefined {
  const finish = (output: string) => {
    checkOutputDir(fail, build, output);
    registerSpec<BuiltSite>("StaticSiteBuild", site, { ...build, site, environment });
  };
  if (process.env[SKIP_BUILD_VARIABLE] === "1") {
    finish("");
    return undefined;
  }
  const work = () =>
    runCommand(build, environment).then(({ failure, timedOut, output }) => {
      const fix = timedOut ? `Make the build finish sooner, or raise build.timeoutSeconds (${build.timeoutSeconds} s now), and run again.` : "Fix the build and run again.";
      if (failure) fail("build.command", build.command, `failed in ${build.cwd}: ${failure}`, `${fix} Its output (last ${OUTPUT_LINES} lines):\n${output || "(none)"}`);
      finish(output);
      return afterBuild();
    });
  return queueFolderBuild(build.outputDir, work);
}

/**
 * Runs the command as a child process the program does not wait for; resolves (never rejects) once it has exited and
 * its output pipes are closed, with why it failed, if it did, and the last lines of its output (stdout and stderr as
 * they came). At `timeoutSeconds` the build's process group is stopped (see the header) and the build fails without
 * waiting for its pipes to close: a shell still running was stopped; one that exited already left a process (`cmd &`)
 * holding its output open. Either way the pipes are destroyed once no process of the group runs.
 * `failure` reads after the command (`vite build exited with code 2`): StaticSite's error and `npm start`'s rebuild
 * message (local/site-watch.ts) both say it so. Not queued: callers run it through `queueFolderBuild`.
 */
export function runCommand(build: NormalisedBuild, environment: Record<string, string>): Promise<{ failure?: string; /** Still running at build.timeoutSeconds (and stopped). */ timedOut?: boolean; output: string }> {
  return new Promise((done) => {
    const options = buildProcessOptions(build, environment);
    // Listening before the spawn: the shell may run, and a Ctrl-C come, before spawn returns. Node hands the program a
    // signal only between two runs of its code, so the listener then sees the group this one adds.
    if (PROCESS_GROUPS) listenForSignals();
    let child: ChildProcess;
    try {
      child = spawn(build.command, { ...options, stdio: ["ignore", "pipe", "pipe"], detached: PROCESS_GROUPS });
    } catch (error) {
      stopListeningIfIdle();
      // spawn throws for some inputs (an environment value holding a NUL byte) rather than emitting "error".
      done({ failure: couldNotStart(build, error), output: "" });
      return;
    }
    // The group's number is the build's only while a process of it runs: once it is seen empty it is retired, and no
    // signal goes to it any more (a new group may take the number while a daemon the build started holds its pipes).
    let group = PROCESS_GROUPS && child.pid !== undefined ? child.pid : undefined;
    if (group !== undefined) liveGroups.add(group);
    else stopListeningIfIdle();
    let poll: NodeJS.Timeout | undefined;
    const retireIfEmpty = () => {
      if (group === undefined || groupRunning(group)) return;
      unwatchGroup(group);
      group = undefined;
      clearInterval(poll);
    };
    let output = "";
    let failure: string | undefined;
    let ended = false;
    let timedOut = false;
    const end = (why: string | undefined) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      clearInterval(poll);
      // What the command left running (without the pipes, or holding them past the timeout) stops with the build.
      const stopping = group === undefined ? Promise.resolve(undefined) : stopGroup(group, build.stopGraceSeconds * 1000);
      void stopping.catch((error: unknown) => `its process group ${group} could not be stopped: ${error instanceof Error ? error.message : String(error)}`).then((unstopped) => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        const reason = failure ?? why;
        done({ failure: reason && (unstopped ? `${reason} (${unstopped})` : reason), timedOut, output: lastLines(output) });
      });
    };
    const keep = (chunk: string) => {
      output += chunk;
      if (output.length > 2 * OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding("utf8");
      stream.on("data", keep);
    }
    const timer = setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null) {
        end(`${exitStatus(child.exitCode, child.signalCode)}, but a process it started kept its output open past build.timeoutSeconds (${build.timeoutSeconds} s)`);
        return;
      }
      timedOut = true;
      if (group === undefined) child.kill("SIGTERM");
      end(`was stopped after ${build.timeoutSeconds} s (build.timeoutSeconds)`);
    }, build.timeoutSeconds * 1000);
    child.on("error", (error) => {
      if (child.pid === undefined) return end(couldNotStart(build, error)); // never started: no close follows for certain
      failure ??= error.message;
    });
    child.on("exit", () => {
      if (ended) return; // stopped at the timeout: stopGroup sees the group out
      retireIfEmpty();
      // Something the shell started runs on: the pipes' close (or the timeout) ends the build, and meanwhile the group
      // is looked at now and then, so that it is retired if it empties while a daemon holds the pipes.
      if (group !== undefined) poll = setInterval(retireIfEmpty, GROUP_POLL_MS).unref();
    });
    child.on("close", (code, signal) => end(code === 0 ? undefined : exitStatus(code, signal)));
  });
}

/** Builds run in process groups of their own, stopped as a whole; Windows has no process groups to signal (`process.kill(-pid)`). */
const PROCESS_GROUPS = process.platform !== "win32";
/** How long processes get to be gone after SIGKILL (one in uninterruptible sleep, on a hung network mount, may take longer). */
const STOP_WAIT_MS = 5000;
const POLL_MS = 50;
/** How often the group of a build whose shell has exited, but whose pipes are still open, is looked at (exported for the tests). */
export const GROUP_POLL_MS = 1000;

/** The process groups of the builds running now: the signals the program gets are passed on to them. */
const liveGroups = new Set<number>();
const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/** Whether forwardSignal and killGroupsAtExit are registered: from just before a build's spawn until no group is live. */
let listening = false;

function listenForSignals(): void {
  if (listening) return;
  listening = true;
  // First among the listeners, so that forwardSignal sees them all: Node takes a `once` listener (local/start.ts's
  // shutdown) off before it calls it, and one that ran before would no longer count (a listener prepended later still
  // runs first: none in this project is).
  for (const signal of FORWARDED) process.prependListener(signal, forwardSignal);
  process.on("exit", killGroupsAtExit);
}

function stopListeningIfIdle(): void {
  if (!listening || liveGroups.size > 0) return;
  listening = false;
  for (const signal of FORWARDED) process.removeListener(signal, forwardSignal);
  process.removeListener("exit", killGroupsAtExit);
}

function unwatchGroup(group: number): void {
  if (liveGroups.delete(group)) stopListeningIfIdle();
}

function forwardSignal(signal: NodeJS.Signals): void {
  for (const group of liveGroups) signalGroup(group, signal);
  // A listener keeps the signal from ending the program: alone, it steps aside and raises it again, so the program
  // ends by it as it did before a build ran (another listener, the local runtime's say, decides for itself). Ended by a
  // signal, the program runs no exit handler: the groups get SIGTERM now as well, since a shell's background processes
  // ignore SIGINT and SIGQUIT (POSIX, asynchronous lists without job control). The count is of the listeners the
  // signal found: forwardSignal runs first (listenForSignals), before a `once` listener has taken itself off.
  if (process.listenerCount(signal) === 1) {
    for (const group of [...liveGroups]) {
      if (signal !== "SIGTERM") signalGroup(group, "SIGTERM");
      unwatchGroup(group);
    }
    stopListeningIfIdle(); // already, unless no group was left: the signal raised again must find no listener
    process.kill(process.pid, signal);
  }
}

/** An exiting program cannot wait for a grace period: what its builds left running is killed outright. */
function killGroupsAtExit(): void {
  for (const group of liveGroups) signalGroup(group, "SIGKILL");
}

/**
 * Sends the signal to the group; false if it reached none of its processes for want of permission (EPERM: they run as
 * another user, under sudo say), which no later signal mends. None left (ESRCH) is no failure: nothing was to stop.
 * Never throws: it runs in signal and exit listeners, and in a stop whose end the build waits for.
 */
function signalGroup(group: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-group, signal);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "EPERM";
  }
  return true;
}

/**
 * Stops what runs of the build's process group: SIGTERM, then SIGKILL after `graceMs` (with 0, SIGKILL alone);
 * resolves once none of its processes runs (at once if none does) with nothing, or with why some may still run: the
 * group refused the signals, or some still ran STOP_WAIT_MS after SIGKILL. The group is watched until then, so a
 * Ctrl-C meanwhile still reaches it.
 */
async function stopGroup(group: number, graceMs: number): Promise<string | undefined> {
  const refused = `its process group ${group} refused the signal (EPERM: a process of it runs as another user, under sudo say) and may still run`;
  try {
    if (!groupRunning(group)) return undefined;
    if (graceMs > 0) {
      if (!signalGroup(group, "SIGTERM")) return refused;
      if (await groupGone(group, graceMs)) return undefined;
    }
    if (!signalGroup(group, "SIGKILL")) return refused;
    return (await groupGone(group, STOP_WAIT_MS)) ? undefined : `processes of its group ${group} still ran ${STOP_WAIT_MS / 1000} s after SIGKILL`;
  } finally {
    unwatchGroup(group);
  }
}

/** Polls until no process of the group runs, up to `ms`: nothing tells a parent when its grandchildren end. */
async function groupGone(group: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!groupRunning(group)) return true;
  }
  return !groupRunning(group);
}

/**
 * True while a process of the group runs. A process whose parent ended is reparented to init, and an init that reaps
 * no children (a container's, often) leaves it a zombie once it ends: still a member for `kill(-group, 0)`, though it
 * runs no more. On Linux the group's members are read from /proc and zombies do not count.
 */
function groupRunning(group: number): boolean {
  try {
    process.kill(-group, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    if (code !== "EPERM") throw error;
  }
  if (process.platform !== "linux") return true;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true;
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      return false; // ended meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so the fields are read after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(pgrp) === group && state !== "Z";
  });
}

/**
 * Why the command could not be started. A `cwd` that is gone (`npm start` rebuilding a site whose folder was removed)
 * makes Node name the shell (`spawn /bin/sh ENOENT`), not the folder: the folder is named first.
 */
function couldNotStart(build: Pick<NormalisedBuild, "cwd">, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `could not be started: ${existsSync(build.cwd) ? message : `its folder ${build.cwd} does not exist (${message})`}`;
}

function exitStatus(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was stopped by ${signal}` : `exited with code ${code}`;
}

function checkOutputDir(fail: ArgFailure, build: NormalisedBuild, output: string): void {
  if (existsSync(build.outputDir) && statSync(build.outputDir).isDirectory()) return;
  const outputDirArg = relative(build.cwd, build.outputDir) || ".";
  const skipped = process.env[SKIP_BUILD_VARIABLE] === "1" ? ` (the build was skipped: ${SKIP_BUILD_VARIABLE}=1)` : "";
  fail("build.outputDir", outputDirArg, `does not exist after the build${skipped} (${build.outputDir})`,
    `Make the build write the site into ${outputDirArg}, or set build.outputDir to where it writes. Build output:\n${output || "(none)"}`);
}

/**
 * How the build's command runs, for StaticSite and for the local runtime's rebuilds alike. As under `npm run`, the
 * `node_modules/.bin` folders of `cwd` and of each folder above it come first on the PATH, so a command can name a
 * dependency's binary (`vite build`) without `npx`, whose own start costs about half a second.
 */
export function buildProcessOptions(build: Pick<NormalisedBuild, "cwd">, environment: Record<string, string>) {
  const env: Record<string, string | undefined> = { ...process.env, ...environment };
  const pathKey = Object.keys(env).find((key) => key.toUpperCase() === "PATH") ?? "PATH";
  env[pathKey] = [...binFolders(build.cwd), env[pathKey]].filter(Boolean).join(delimiter);
  return { cwd: build.cwd, shell: true, env };
}

/** `node_modules/.bin` of `folder` and of every folder above it, nearest first (npm run's order). */
function binFolders(folder: string): string[] {
  const folders: string[] = [];
  for (let at = resolve(folder); ; at = dirname(at)) {
    folders.push(join(at, "node_modules", ".bin"));
    if (dirname(at) === at) return folders;
  }
}

/** The end of a build's output: what a failure shows. */
function lastLines(text: string): string {
  return text.trim().split("\n").slice(-OUTPUT_LINES).join("\n");
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}
