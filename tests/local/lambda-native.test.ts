import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureLambdaNative, lambdaNativeInstallArgs, lambdaNativeInstalled, type NpmRunner } from "../../local/lambda-native";

const LOCKED = {
  "": { dependencies: { sharp: "1.0.0" } },
  "node_modules/sharp": { version: "1.0.0" },
  "node_modules/@img/sharp-linux-arm64": { version: "1.0.0", optional: true },
  "node_modules/@img/sharp-linux-x64": { version: "1.0.0", optional: true },
};

/** A project with `lambda-native/linux-arm64` holding a package.json and a lockfile, nothing installed. */
function project(locked: Record<string, object> = LOCKED): { dir: string; folder: string } {
  const dir = mkdtempSync(join(tmpdir(), "lambda-native-"));
  const folder = join(dir, "lambda-native", "linux-arm64");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "native", dependencies: { sharp: "1.0.0" } }));
  writeFileSync(join(folder, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: locked }));
  return { dir, folder };
}

/** Stands in for `npm ci --os=linux --cpu=arm64`: installs the lockfile's packages but other platforms' builds. */
function fakeNpm(calls: { args: string[]; cwd: string }[]): NpmRunner {
  return (args, cwd) => {
    calls.push({ args, cwd });
    const locked = (JSON.parse(readFileSync(join(cwd, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> }).packages;
    const installed = Object.fromEntries(Object.entries(locked).filter(([path]) => path !== "" && !path.endsWith("-x64")));
    mkdirSync(join(cwd, "node_modules", "sharp"), { recursive: true });
    writeFileSync(join(cwd, "node_modules", "sharp", "package.json"), JSON.stringify({ name: "sharp", version: installed["node_modules/sharp"]!.version }));
    writeFileSync(join(cwd, "node_modules", ".package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: installed }));
    return { status: 0, output: "" };
  };
}

const quiet = () => {};

describe("lambda-native: the packages Lambda functions ship, installed by the commands that run the program", () => {
  it("installs a missing tree for Lambda's platform, whatever this machine's, and leaves no staging folder", () => {
    const { dir, folder } = project();
    const calls: { args: string[]; cwd: string }[] = [];
    expect(ensureLambdaNative(dir, quiet, fakeNpm(calls))).toEqual([folder]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual(["ci", "--os=linux", "--cpu=arm64", "--libc=glibc", "--no-audit", "--no-fund"]);
    expect(lambdaNativeInstalled(folder)).toBe(true);
    expect(readdirSync(folder).sort()).toEqual(["node_modules", "package-lock.json", "package.json"]);
  });

  it("does nothing when the installed tree matches the lockfile", () => {
    const { dir } = project();
    const calls: { args: string[]; cwd: string }[] = [];
    ensureLambdaNative(dir, quiet, fakeNpm(calls));
    expect(ensureLambdaNative(dir, quiet, fakeNpm(calls))).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("reinstalls after the lockfile moves to another version (a pulled upgrade of sharp)", () => {
    const { dir, folder } = project();
    const calls: { args: string[]; cwd: string }[] = [];
    ensureLambdaNative(dir, quiet, fakeNpm(calls));
    writeFileSync(join(folder, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { ...LOCKED, "node_modules/sharp": { version: "2.0.0" } } }));
    expect(lambdaNativeInstalled(folder)).toBe(false);
    expect(ensureLambdaNative(dir, quiet, fakeNpm(calls))).toEqual([folder]);
    expect(JSON.parse(readFileSync(join(folder, "node_modules", "sharp", "package.json"), "utf8")).version).toBe("2.0.0");
  });

  it("keeps the last good tree when npm fails part-way, and says what to run by hand", () => {
    const { dir, folder } = project();
    ensureLambdaNative(dir, quiet, fakeNpm([]));
    writeFileSync(join(folder, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { ...LOCKED, "node_modules/sharp": { version: "2.0.0" } } }));
    const offline: NpmRunner = (_args, cwd) => {
      mkdirSync(join(cwd, "node_modules", "sharp"), { recursive: true }); // a half-written tree
      return { status: 1, output: "npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/sharp failed" };
    };
    expect(() => ensureLambdaNative(dir, quiet, offline)).toThrow(
      /lambda-native\/linux-arm64: npm ci --os=linux --cpu=arm64 --libc=glibc --no-audit --no-fund failed \(exit 1\).*Run it by hand: npm ci --prefix lambda-native\/linux-arm64 --os=linux[\s\S]*ENOTFOUND/,
    );
    expect(JSON.parse(readFileSync(join(folder, "node_modules", "sharp", "package.json"), "utf8")).version).toBe("1.0.0");
    expect(readdirSync(folder).sort()).toEqual(["node_modules", "package-lock.json", "package.json"]);
  });

  it("leaves a project without lambda-native folders alone (a consumer's project)", () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-native-none-"));
    const calls: { args: string[]; cwd: string }[] = [];
    expect(ensureLambdaNative(dir, quiet, fakeNpm(calls))).toEqual([]);
    expect(calls).toEqual([]);
    expect(existsSync(join(dir, "lambda-native"))).toBe(false);
  });

  it("installs what the committed lockfile pins with the flags `npm run lambda-native` uses", () => {
    const root = resolve(__dirname, "..", "..");
    const script = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["lambda-native"];
    expect(script).toBe(`npm ${["ci", "--prefix", "lambda-native/linux-arm64", ...lambdaNativeInstallArgs("linux-arm64").slice(1)].join(" ")}`);
  });
});
