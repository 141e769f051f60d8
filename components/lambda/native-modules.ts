/**
 * Packages with native code (e.g. `sharp`, whose prebuilt libvips is a `.node` addon and a shared
 * library) cannot be bundled by esbuild: they are marked external and shipped as files in the
 * function's zip under `node_modules/`, built for the function's architecture — Lambda runs
 * Amazon Linux (glibc) on arm64 or x86_64, whatever the machine that deploys.
 *
 * A package and its dependencies are looked up first in `lambda-native/linux-<arch>/node_modules`
 * (installed for that platform: `npm ci --prefix lambda-native/linux-arm64 --os=linux --cpu=arm64
 * --libc=glibc`, which `npm run lambda-native` does), then in the project's `node_modules`.
 * Platform packages (those whose package.json names `os`/`cpu`/`libc`) for another platform are
 * left out, and every `.node` file shipped is checked to be an ELF object for the function's
 * architecture, so a zip built on x86_64 never carries an x86_64 addon to an arm64 function.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { defaultCacheDir, writeAtomically } from "./bundle-cache";

export interface NativeModuleFile {
  /** Path inside the zip, e.g. `node_modules/sharp/dist/index.cjs`. */
  path: string;
  /** The file on this machine. */
  source: string;
  bytes: number;
}

export interface NativeModules {
  /** `linux-arm64` or `linux-x64`. */
  platform: string;
  packages: string[];
  files: NativeModuleFile[];
  unzippedBytes: number;
  zippedBytes: number;
}

/** Where packages for a Lambda platform are installed, relative to the project. */
export const NATIVE_MODULES_DIR = "lambda-native";

const ELF_MACHINE: Record<string, number> = { arm64: 0xb7, x86_64: 0x3e };
const NODE_ARCH: Record<string, string> = { arm64: "arm64", x86_64: "x64" };
// Type declarations and docs are not code; leaving them out keeps the zip (and cold start) smaller.
const SKIPPED = /\.d\.(ts|mts|cts)$|\.md$/i;

/** A package's platform fields, as its package.json (and npm's lockfile entry for it) declare them. */
export interface PlatformFields {
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** Whether a package built for `pkg`'s platforms runs on Lambda's linux `cpu` (Amazon Linux: glibc). */
export function runsOnLambda(pkg: PlatformFields, cpu: string): boolean {
  return (!pkg.os || pkg.os.includes("linux")) && (!pkg.cpu || pkg.cpu.includes(cpu)) && (!pkg.libc || pkg.libc.includes("glibc"));
}

/** `npm ci`'s flags that install packages for Lambda's linux `cpu` (glibc), whatever this machine's platform. */
export function lambdaNativeInstallFlags(cpu: string): string[] {
  return ["--os=linux", `--cpu=${cpu}`, "--libc=glibc"];
}

/** The command that installs `lambda-native/linux-<cpu>` for Lambda. */
export function lambdaNativeInstallCommand(cpu: string): string {
  return `npm ci --prefix ${NATIVE_MODULES_DIR}/linux-${cpu} ${lambdaNativeInstallFlags(cpu).join(" ")}`;
}

interface PackageJson extends PlatformFields {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Resolves `packages` and their dependency closure for Lambda on `architecture`, or fails naming the
 * missing package and the command that installs it. `projectDir` is the Pulumi project (the working directory).
 */
export function resolveNativeModules(fail: ArgFailure, packages: string[], architecture: "arm64" | "x86_64", projectDir = process.cwd()): NativeModules {
  const arch = NODE_ARCH[architecture];
  const platform = `linux-${arch}`;
  const roots = [join(projectDir, NATIVE_MODULES_DIR, platform, "node_modules"), join(projectDir, "node_modules")].filter(existsSync);
  const install = `${lambdaNativeInstallCommand(arch)} (npm run lambda-native)`;
  const included = new Map<string, string>(); // package dir → zip path


  /** Node's lookup from a package's folder upward, within one root at a time, as the zip's layout will answer it. */
  const locate = (name: string, fromDir: string | undefined): { dir: string; root: string } | undefined => {
    for (const root of roots) {
      const candidates: string[] = [];
      for (let dir = fromDir; dir && dir.startsWith(root + sep); dir = dirname(dir)) {
        if (basename(dir) !== "node_modules") candidates.push(join(dir, "node_modules", name));
      }
      candidates.push(join(root, name));
      const dir = candidates.find((c) => existsSync(join(c, "package.json")));
      if (dir) return { dir, root };
    }
    return undefined;
  };

  const visit = (name: string, fromDir: string | undefined, optional: boolean, requiredBy: string): void => {
    const found = locate(name, fromDir);
    if (!found) {
      if (optional) return;
      fail("nativeModules", name, `is not installed for ${platform} (needed by ${requiredBy})`, `Install it: ${install}.`);
      return;
    }
    if (included.has(found.dir)) return;
    const pkg = JSON.parse(readFileSync(join(found.dir, "package.json"), "utf8")) as PackageJson;
    if (!runsOnLambda(pkg, arch)) {
      if (optional) return;
      fail("nativeModules", name, `is installed for another platform than Lambda's ${platform}`, `Install it for Lambda: ${install}.`);
    }
    included.set(found.dir, `node_modules/${relative(found.root, found.dir).split(sep).join("/")}`);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, found.dir, false, pkg.name);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, found.dir, true, pkg.name);
  };
  for (const name of packages) visit(name, undefined, false, "the function");

  const files = [...included].flatMap(([dir, zipDir]) => packageFiles(dir, zipDir));
  const addons = files.filter((f) => f.path.endsWith(".node"));
  if (addons.length === 0) fail("nativeModules", packages, `include no prebuilt addon (.node) for ${platform}`, `Install the platform packages: ${install}.`);
  for (const addon of addons) {
    const machine = elfMachine(addon.source);
    if (machine !== ELF_MACHINE[architecture]) {
      fail("nativeModules", addon.path, `is not a linux ${architecture} binary (ELF machine ${machine === undefined ? "none" : `0x${machine.toString(16)}`})`, `Install the package for Lambda: ${install}.`);
    }
  }
  const zippedBytes = files.reduce((sum, f) => sum + deflatedSize(f.source), 0);
  saveSizes();
  return {
    platform,
    packages,
    files,
    unzippedBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    zippedBytes,
  };
}

function packageFiles(dir: string, zipDir: string): NativeModuleFile[] {
  const files: NativeModuleFile[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(folder, entry.name);
      // Nested node_modules are dependencies, included (or not) on their own.
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
      } else if (entry.isFile() && !SKIPPED.test(entry.name)) {
        files.push({ path: `${zipDir}/${relative(dir, full).split(sep).join("/")}`, source: full, bytes: statSync(full).size });
      }
    }
  };
  walk(dir);
  return files;
}

/** e_machine of an ELF file, or undefined when it is not one. */
function elfMachine(file: string): number | undefined {
  const header = Buffer.alloc(20);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
}

/** Deflated sizes by file, kept on disk across runs (native-sizes.json in the bundle cache folder). */
interface SizeEntry {
  fingerprint: string;
  size: number;
  /** Measured within 2 s of a change: kept for this process only. */
  racy?: boolean;
}
let deflated: Map<string, SizeEntry> | undefined;
const SIZES_FILE = "native-sizes.json";

function sizes(): Map<string, SizeEntry> {
  if (deflated) return deflated;
  deflated = new Map();
  const dir = defaultCacheDir();
  if (dir) {
    try {
      deflated = new Map(Object.entries(JSON.parse(readFileSync(join(dir, SIZES_FILE), "utf8")) as Record<string, SizeEntry>));
    } catch {
      /* no cache yet, or unreadable: sizes are recomputed */
    }
  }
  return deflated;
}

/**
 * Deflated size of a file (what it costs against Lambda's zipped limit), cached by path and
 * stat fingerprint, in memory and on disk: sharp's libvips alone is ≈1.4 s of deflate at every
 * run otherwise (issue 15, `npm start`). A file changed within 2 s of being measured is not
 * remembered on disk (as the bundle cache's racy rule).
 */
function deflatedSize(file: string): number {
  const stat = statSync(file);
  const path = resolve(file);
  const fingerprint = `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
  const known = sizes().get(path);
  if (known?.fingerprint === fingerprint) return known.size;
  const size = deflateRawSync(readFileSync(file)).length;
  const racy = Date.now() - Math.max(stat.mtimeMs, stat.ctimeMs) < 2000;
  sizes().set(path, { fingerprint, size, ...(racy ? { racy } : {}) });
  if (!racy) sizesChanged = true;
  return size;
}
let sizesChanged = false;

/**
 * Writes the sizes measured so far, without the files that are gone: entries are by path, so each copy of a native
 * package measured once (a lambda-native/ installed in another folder, or each checkout sharing one node_modules and
 * its cache) stayed for good, and every run read them all (issue 15: 26,000 entries, 4 MB, of which 800 files existed).
 */
function saveSizes(): void {
  const dir = defaultCacheDir();
  if (!sizesChanged || !dir) return;
  sizesChanged = false;
  writeAtomically(join(dir, SIZES_FILE), JSON.stringify(Object.fromEntries([...sizes()].filter(([path, entry]) => !entry.racy && existsSync(path)))));
}

/** The function's code archive with the native packages added under `node_modules/`. */
export function withNativeModules(code: pulumi.Input<pulumi.asset.AssetArchive>, native: NativeModules | undefined): pulumi.Input<pulumi.asset.AssetArchive> {
  if (!native || native.files.length === 0) return code;
  const files = Object.fromEntries(native.files.map((f) => [f.path, new pulumi.asset.FileAsset(f.source)]));
  return pulumi.output(code).apply(async (archive) => new pulumi.asset.AssetArchive({ ...(await archive.assets), ...files }));
}
