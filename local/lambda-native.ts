/**
 * The project's Lambda-platform packages (`lambda-native/linux-<arch>/`: sharp's prebuilt linux-arm64 build for the
 * thumbnail function), installed when missing or when their lockfile changed, so `npm start`, `npm test` and
 * `npm run plan` work right after `npm ci` on any machine. LambdaFunction's `nativeModules` ships these folders in
 * the function's zip and refuses to plan without them (components/lambda/native-modules.ts).
 *
 * Why not a `postinstall`: install scripts do not run everywhere (`--ignore-scripts`, hardened npm configs), and a
 * consumer's `npm ci` would run ours. The commands that run the program call this instead; it does nothing when the
 * installed tree already matches the lockfile (two small JSON reads).
 *
 * A new tree is installed beside the old one and swapped in by renames, so an install that fails part-way (no
 * registry, a full disk) leaves the last good tree in place, and two commands started at once cannot interleave
 * their files.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { NATIVE_MODULES_DIR } from "../components/lambda/native-modules";

/** Runs `npm` with `args` in `cwd`; the exit status and what it printed. */
export type NpmRunner = (args: string[], cwd: string) => { status: number | null; output: string };

interface LockedPackage {
  version?: string;
  optional?: boolean;
}

/** `npm ci` of one folder for Lambda's platform, whatever this machine's: `linux-arm64` → `--os=linux --cpu=arm64 --libc=glibc`. */
export function lambdaNativeInstallArgs(platform: string): string[] {
  const [os, cpu] = platform.split("-");
  return ["ci", `--os=${os}`, `--cpu=${cpu}`, "--libc=glibc", "--no-audit", "--no-fund"];
}

const runNpm: NpmRunner = (args, cwd) => {
  const result = spawnSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
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

/**
 * Whether `folder/node_modules` holds what its lockfile pins: every package npm installed (its hidden lockfile) at the
 * locked version, and every non-optional locked package installed. Optional ones are other platforms' builds, which
 * `--os/--cpu` leave out.
 */
export function lambdaNativeInstalled(folder: string): boolean {
  const locked = lockedPackages(join(folder, "package-lock.json"));
  const installed = lockedPackages(join(folder, "node_modules", ".package-lock.json"));
  if (!locked || !installed) return false;
  const lockedEntries = Object.entries(locked).filter(([path]) => path !== "");
  return (
    Object.entries(installed).every(([path, pkg]) => locked[path]?.version === pkg.version) &&
    lockedEntries.every(([path, pkg]) => pkg.optional === true || installed[path]?.version === pkg.version)
  );
}

/**
 * Installs every `lambda-native/linux-<arch>` folder of `projectDir` whose tree does not match its lockfile; returns
 * the folders it installed. Throws naming the folder, npm's output and the command to run by hand when npm fails.
 */
export function ensureLambdaNative(projectDir: string, log: (message: string) => void = (message) => console.error(message), npm: NpmRunner = runNpm): string[] {
  const installed: string[] = [];
  for (const folder of lambdaNativeFolders(projectDir)) {
    if (lambdaNativeInstalled(folder)) continue;
    const platform = folder.split(/[\\/]/).pop()!;
    const args = lambdaNativeInstallArgs(platform);
    log(`${NATIVE_MODULES_DIR}/${platform}: installing the ${platform} packages Lambda functions ship (npm ${args.join(" ")}), once per lockfile change...`);
    // Dot-named so nothing (git, the zip's resolver) takes it for a platform folder.
    const staging = join(folder, `.installing-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    try {
      for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(folder, file), join(staging, file));
      const result = npm(args, staging);
      if (result.status !== 0 || !lambdaNativeInstalled(staging)) {
        throw new Error(
          `${NATIVE_MODULES_DIR}/${platform}: npm ${args.join(" ")} failed (${result.status === null ? "did not run" : `exit ${result.status}`}); ` +
            `the packages LambdaFunction's nativeModules ship are not installed. Run it by hand: npm ci --prefix ${NATIVE_MODULES_DIR}/${platform} ${args.slice(1).join(" ")}` +
            `${result.output.trim() ? `\n${result.output.trim().split("\n").slice(-15).join("\n")}` : ""}`,
        );
      }
      const current = join(folder, "node_modules");
      const previous = join(folder, `.previous-${process.pid}`);
      if (existsSync(current)) renameSync(current, previous);
      try {
        renameSync(join(staging, "node_modules"), current);
      } catch (error) {
        if (existsSync(previous)) renameSync(previous, current);
        throw error;
      }
      rmSync(previous, { recursive: true, force: true });
      installed.push(folder);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return installed;
}
