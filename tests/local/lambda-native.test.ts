import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureLambdaNative, lambdaNativeInstallArgs, lambdaNativeInstalled, type NpmRunner } from "../../local/lambda-native";

const LOCKED = {
  "": { dependencies: { sharp: "1.0.0" } },
  "node_modules/sharp": { version: "1.0.0" },
  "node_modules/@img/sharp-linux-arm64": { version: "1.0.0", optional: true, os: ["linux"], cpu: ["arm64"], libc: ["glibc"] },
  "node_modules/@img/sharp-linux-x64": { version: "1.0.0", optional: true, os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
  "node_modules/@img/sharp-darwin-arm64": { version: "1.0.0", optional: true, os: ["darwin"], cpu: ["arm64"] },
  "node_modules/@img/sharp-wasm32": { version: "1.0.0", optional: true },
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

/** Stands in for `npm ci`: installs the lockfile's packages for `platform` (by their os/cpu), each as a folder. */
function fakeNpm(calls: { args: string[]; cwd: string }[], platform = { os: "linux", cpu: "arm64" }): NpmRunner {
  return (args, cwd) => {
    calls.push({ args, cwd });
    const locked = (JSON.parse(readFileSync(join(cwd, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string; os?: string[]; cpu?: string[] }> }).packages;
    const installed = Object.fromEntries(
      Object.entries(locked).filter(([path, pkg]) => path !== "" && (!pkg.os || pkg.os.includes(platform.os)) && (!pkg.cpu || pkg.cpu.includes(platform.cpu))),
    );
    for (const [path, pkg] of Object.entries(installed)) {
      mkdirSync(join(cwd, path), { recursive: true });
      writeFileSync(join(cwd, path, "package.json"), JSON.stringify({ name: path.slice("node_modules/".length), version: pkg.version }));
    }
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

  it("keeps the last good tree when npm fails part-way, and goes on with it, saying what to run by hand", () => {
    const { dir, folder } = project();
    ensureLambdaNative(dir, quiet, fakeNpm([]));
    writeFileSync(join(folder, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { ...LOCKED, "node_modules/sharp": { version: "2.0.0" } } }));
    const offline: NpmRunner = (_args, cwd) => {
      mkdirSync(join(cwd, "node_modules", "sharp"), { recursive: true }); // a half-written tree
      return { status: 1, output: "npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/sharp failed" };
    };
    const messages: string[] = [];
    expect(ensureLambdaNative(dir, (message) => messages.push(message), offline)).toEqual([]);
    expect(messages.join("\n")).toMatch(
      /lambda-native\/linux-arm64: npm ci --os=linux --cpu=arm64 --libc=glibc --no-audit --no-fund failed \(exit 1\); run it by hand: npm ci --prefix lambda-native\/linux-arm64 --os=linux[\s\S]*ENOTFOUND[\s\S]*going on with the packages installed before/,
    );
    expect(JSON.parse(readFileSync(join(folder, "node_modules", "sharp", "package.json"), "utf8")).version).toBe("1.0.0");
    expect(readdirSync(folder).sort()).toEqual(["node_modules", "package-lock.json", "package.json"]);
  });

  it("fails, naming the command, when npm fails and there is no tree to go on with", () => {
    const { dir, folder } = project();
    const offline: NpmRunner = () => ({ status: 1, output: "npm error code ENOTFOUND" });
    expect(() => ensureLambdaNative(dir, quiet, offline)).toThrow(/lambda-native\/linux-arm64: npm ci .* failed \(exit 1\); run it by hand: npm ci --prefix lambda-native\/linux-arm64 [\s\S]*ENOTFOUND/);
    expect(readdirSync(folder).sort()).toEqual(["package-lock.json", "package.json"]);
  });

  it("reinstalls a tree installed for another platform (a plain npm ci on a Mac: darwin builds of the locked versions)", () => {
    const { dir, folder } = project();
    fakeNpm([], { os: "darwin", cpu: "arm64" })(["ci"], folder); // `npm ci --prefix lambda-native/linux-arm64` on a Mac
    expect(existsSync(join(folder, "node_modules", "@img", "sharp-darwin-arm64", "package.json"))).toBe(true);
    expect(lambdaNativeInstalled(folder)).toBe(false);
    expect(ensureLambdaNative(dir, quiet, fakeNpm([]))).toEqual([folder]);
    expect(existsSync(join(folder, "node_modules", "@img", "sharp-linux-arm64", "package.json"))).toBe(true);
    expect(existsSync(join(folder, "node_modules", "@img", "sharp-darwin-arm64"))).toBe(false);
  });

  it("reinstalls a tree whose platform package folder is gone though npm's hidden lockfile still lists it", () => {
    const { dir, folder } = project();
    ensureLambdaNative(dir, quiet, fakeNpm([]));
    rmSync(join(folder, "node_modules", "@img", "sharp-linux-arm64"), { recursive: true });
    expect(lambdaNativeInstalled(folder)).toBe(false);
    expect(ensureLambdaNative(dir, quiet, fakeNpm([]))).toEqual([folder]);
  });

  it("takes over the lock of a command that died holding it, and puts back the tree it had moved aside", () => {
    const { dir, folder } = project();
    ensureLambdaNative(dir, quiet, fakeNpm([]));
    // Killed between its two renames: its lock, its staging folder and the old tree moved aside, no node_modules.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(join(folder, ".install.lock"), String(dead));
    mkdirSync(join(folder, `.installing-${dead}`));
    renameSync(join(folder, "node_modules"), join(folder, `.previous-${dead}`));
    const calls: { args: string[]; cwd: string }[] = [];
    expect(ensureLambdaNative(dir, quiet, fakeNpm(calls))).toEqual([]);
    expect(calls).toEqual([]); // the tree put back matches the lockfile: nothing to install
    expect(lambdaNativeInstalled(folder)).toBe(true);
    expect(readdirSync(folder).sort()).toEqual(["node_modules", "package-lock.json", "package.json"]);
  });

  it("reads a lock's pid as state-lock's parsePid does: one with leading zeros names no process, and is taken over once a minute old", () => {
    const { dir, folder } = project();
    // "0<pid of a running process>" is no pid this module writes (String(process.pid)); read as a number it named the
    // test runner, which runs: the install waited for ever. Run in a process of its own: the wait blocks its thread.
    const lock = join(folder, ".install.lock");
    writeFileSync(lock, `0${process.ppid}`);
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    const script = `
      const { mkdirSync, readFileSync, writeFileSync } = require("node:fs");
      const { join } = require("node:path");
      require("./local/lambda-native").ensureLambdaNative(${JSON.stringify(dir)}, () => {}, (args, cwd) => {
        const locked = JSON.parse(readFileSync(join(cwd, "package-lock.json"), "utf8")).packages;
        const installed = { "node_modules/sharp": locked["node_modules/sharp"], "node_modules/@img/sharp-linux-arm64": locked["node_modules/@img/sharp-linux-arm64"] };
        for (const path of Object.keys(installed)) { mkdirSync(join(cwd, path), { recursive: true }); writeFileSync(join(cwd, path, "package.json"), "{}"); }
        writeFileSync(join(cwd, "node_modules", ".package-lock.json"), JSON.stringify({ packages: installed }));
        return { status: 0, output: "" };
      });
    `;
    // The timeout only ends a process that would wait for ever (the failure this test pins); it passes in about a second.
    const run = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: resolve(__dirname, "..", ".."), stdio: "inherit", timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(lambdaNativeInstalled(folder)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  }, 40_000);

  it("installs once when two commands start at once: the second waits for the first's lock, then finds the tree", async () => {
    const { dir, folder } = project();
    const log = join(dir, "npm-runs.log");
    // Each process runs the real module with a slow stand-in for npm that notes each run.
    const script = `
      const { appendFileSync, mkdirSync, readFileSync, writeFileSync } = require("node:fs");
      const { join } = require("node:path");
      const { ensureLambdaNative } = require("./local/lambda-native");
      ensureLambdaNative(${JSON.stringify(dir)}, () => {}, (args, cwd) => {
        appendFileSync(${JSON.stringify(log)}, process.pid + "\\n");
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
        const locked = JSON.parse(readFileSync(join(cwd, "package-lock.json"), "utf8")).packages;
        const installed = { "node_modules/sharp": locked["node_modules/sharp"], "node_modules/@img/sharp-linux-arm64": locked["node_modules/@img/sharp-linux-arm64"] };
        for (const path of Object.keys(installed)) { mkdirSync(join(cwd, path), { recursive: true }); writeFileSync(join(cwd, path, "package.json"), "{}"); }
        writeFileSync(join(cwd, "node_modules", ".package-lock.json"), JSON.stringify({ packages: installed }));
        return { status: 0, output: "" };
      });
    `;
    const run = () =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: resolve(__dirname, "..", ".."), stdio: "inherit" });
        child.on("exit", done);
      });
    expect(await Promise.all([run(), run(), run()])).toEqual([0, 0, 0]);
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(1);
    expect(lambdaNativeInstalled(folder)).toBe(true);
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
