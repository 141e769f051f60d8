/**
 * The project's Lambda-platform packages (`lambda-native/linux-<arch>/`: sharp's prebuilt linux-arm64 build for the
 * thumbnail function), installed when missing or when their lockfile changed, so `npm start`, `npm test` and
 * `npm run plan` work right after `npm ci` on any machine. LambdaFunction's `nativeModules` ships these folders in
 * the function's zip and refuses to plan without them (components/lambda/native-modules.ts).
 *
 * Why not a `postinstall`: install scripts do not run everywhere (`--ignore-scripts`, hardened npm configs), and a
 * consumer's `npm ci` would run ours. The commands that run the program call this once, before anything else (the
 * start and plan CLIs, the test run's global setup, the benches), never the exported runProgramOffline, so a
 * consumer's tests never reach the registry. It does nothing when the installed tree already matches the lockfile.
 *
 * A new tree is installed beside the old one and swapped in by renames under a lock, so an install that fails part-way
 * (no registry, a full disk) leaves the last good tree in place (and the command goes on with it, with a warning),
 * and two commands started at once install once.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lambdaNativeInstallCommand, lambdaNativeInstallFlags, NATIVE_MODULES_DIR, runsOnLambda, type PlatformFields } from "../components/lambda/native-modules";
import { parsePid, processRunning } from "./state-lock";

/** Runs `npm` with `args` in `cwd`; the exit status and what it printed. */
export type NpmRunner = (args: string[], cwd: string) => { status: number | null; output: string };

interface LockedPackage extends PlatformFields {
  version?: string;
  optional?: boolean;
}

/** Lambda's CPU of a folder name: `linux-arm64` → arm64. */
const cpuOf = (platform: string) => platform.slice("linux-".length);

/** `npm ci` of one folder (run inside it) for Lambda's platform, with the flags of the command LambdaFunction's refusal names. */
export function lambdaNativeInstallArgs(platform: string): string[] {
  return ["ci", ...lambdaNativeInstallFlags(cpuOf(platform)), "--no-audit", "--no-fund"];
}

const runNpm: NpmRunner = (args, cwd) => {
  // npm is npm.cmd on Windows, which Node runs only through a shell.
  const result = spawnSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
  return { status: result.status, output: `${result.error?.message ?? ""}${result.stdout ?? ""}${result.stderr ?? ""}` };
};

/** The folders `lambda-native/linux-<arch>` of the project that carry a package.json and a lockfile. */
export function lambdaNativeFolders(projectDir: string): string[] {
  const root = join(projectDir, NATIVE_MODULES_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^linux-[a-z0-9]+$/.test(entry.name))
    .map((entry) => join(root, entry.name))
    .filter((folder) => existsSync(join(folder, "package.json")) && existsSync(join(folder, "package-lock.json")))
    .sort();
}

function lockedPackages(file: string): Record<string, LockedPackage> | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { packages?: Record<string, LockedPackage> }).packages;
  } catch {
    return undefined;
  }
}

const platformOf = (folder: string) => folder.split(/[\\/]/).pop()!;

/**
 * Whether `folder/node_modules` holds what its lockfile pins for Lambda's platform: every package npm must install
 * there (the non-optional ones, and the optional ones built for that platform) present on disk at its locked version,
 * and nothing built for another platform (a plain `npm ci` on a Mac installs darwin builds of the same versions).
 * Optional packages that name no platform (wasm fallbacks) may be there or not.
 */
export function lambdaNativeInstalled(folder: string, platform = platformOf(folder)): boolean {
  const locked = lockedPackages(join(folder, "package-lock.json"));
  const installed = lockedPackages(join(folder, "node_modules", ".package-lock.json"));
  if (!locked || !installed) return false;
  const cpu = cpuOf(platform);
  const names = (pkg: LockedPackage) => pkg.os !== undefined || pkg.cpu !== undefined;
  const forTarget = (pkg: LockedPackage) => runsOnLambda(pkg, cpu);
  const required = Object.entries(locked).filter(([path, pkg]) => path !== "" && (pkg.optional !== true || (names(pkg) && forTarget(pkg))));
  return (
    required.every(([path, pkg]) => installed[path]?.version === pkg.version && existsSync(join(folder, path, "package.json"))) &&
    Object.entries(installed).every(([path, pkg]) => locked[path] !== undefined && locked[path].version === pkg.version && forTarget(locked[path]))
  );
}

/** Blocks the thread for `ms` (the install is synchronous: it runs before the program, in commands that wait for it). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `work` holding `folder`'s install lock: a file created exclusively, holding the holder's pid. A lock whose
 * process is gone (a crash, Ctrl+C during npm) is taken over; one with no pid yet (parsePid, the one parser of pids in
 * files) is being written and is waited for, unless it has stayed so for a minute.
 */
function withInstallLock<T>(folder: string, work: () => T): T {
  const lock = join(folder, ".install.lock");
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: number | undefined;
    let age = 0;
    try {
      holder = parsePid(readFileSync(lock, "utf8").trim()); // none: being written, or not a pid this module writes
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    if (holder !== undefined ? !processRunning(holder) : age > 60_000) {
      // Taken over by a rename, which one waiter wins: a second waiter that saw the same stale lock then finds the
      // new holder's lock, not a gap to take.
      try {
        renameSync(lock, `${lock}.stale-${process.pid}`);
        rmSync(`${lock}.stale-${process.pid}`, { force: true });
      } catch {
        // another waiter took it over first
      }
    } else sleep(200);
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Puts back what a command killed part-way through an install left (under the lock, so no install is running): the
 * tree it had moved aside when the new one had not replaced it yet, and its staging folders.
 */
function recoverInterruptedInstall(folder: string): void {
  const current = join(folder, "node_modules");
  for (const entry of readdirSync(folder)) {
    if (entry.startsWith(".previous-") && !existsSync(current)) renameSync(join(folder, entry), current);
    else if (entry.startsWith(".previous-") || entry.startsWith(".installing-")) rmSync(join(folder, entry), { recursive: true, force: true });
  }
}

/** Installs one folder's tree beside it and swaps it in; throws (the old tree in place) when npm fails. */
function installFolder(folder: string, npm: NpmRunner): void {
  const platform = platformOf(folder);
  const args = lambdaNativeInstallArgs(platform);
  // In the same folder, so the swap is a rename on one file system; .gitignore leaves these out.
  const staging = join(folder, `.installing-${process.pid}`);
  const current = join(folder, "node_modules");
  const previous = join(folder, `.previous-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(folder, file), join(staging, file));
    const result = npm(args, staging);
    if (result.status !== 0 || !lambdaNativeInstalled(staging, platform)) {
      throw new Error(
        `${NATIVE_MODULES_DIR}/${platform}: npm ${args.join(" ")} failed (${result.status === null ? "did not run" : result.status === 0 ? "exit 0, but the tree does not match the lockfile" : `exit ${result.status}`}); ` +
          `run it by hand: ${lambdaNativeInstallCommand(cpuOf(platform))}` +
          `${result.output.trim() ? `\n${result.output.trim().split("\n").slice(-15).join("\n")}` : ""}`,
      );
    }
    const moved = existsSync(current);
    if (moved) renameSync(current, previous);
    try {
      renameSync(join(staging, "node_modules"), current);
    } catch (error) {
      if (moved) renameSync(previous, current);
      throw error;
    }
    rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Installs every `lambda-native/linux-<arch>` folder of `projectDir` whose tree does not match its lockfile; returns
 * the folders it installed. When npm fails, a folder that still has a tree keeps it (with a warning: the program plans
 * with the packages it has); a folder without one throws, naming the folder, npm's output and the command to run.
 */
export function ensureLambdaNative(projectDir: string, log: (message: string) => void = (message) => console.error(message), npm: NpmRunner = runNpm): string[] {
  const installed: string[] = [];
  for (const folder of lambdaNativeFolders(projectDir)) {
    if (lambdaNativeInstalled(folder)) continue;
    withInstallLock(folder, () => {
      recoverInterruptedInstall(folder);
      // Another command may have installed it while this one waited for the lock.
      if (lambdaNativeInstalled(folder)) return;
      const platform = platformOf(folder);
      log(`${NATIVE_MODULES_DIR}/${platform}: installing the ${platform} packages Lambda functions ship (npm ${lambdaNativeInstallArgs(platform).join(" ")}), once per lockfile change...`);
      try {
        installFolder(folder, npm);
        installed.push(folder);
      } catch (error) {
        if (!existsSync(join(folder, "node_modules"))) throw error;
        log(`${(error as Error).message}\n${NATIVE_MODULES_DIR}/${platform}: going on with the packages installed before, which no longer match the lockfile.`);
      }
    });
  }
  return installed;
}
