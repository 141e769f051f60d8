/**
 * StaticSite's `build` at `pulumi up` (update-mode mocks): the command runs before the manifest is made, with an
 * environment that may hold stack outputs, in the background while the program goes on; its output folder is what gets
 * hashed and published once it has exited; failures name the command, its exit code and its last output lines, and
 * fail the program run. (Preview: static-site-build-preview.test.ts.)
 */
import * as childProcess from "node:child_process";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { chmodSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { StaticSite } from "../../components/static-site";
import { GROUP_POLL_MS, type BuiltSite, type NormalisedBuild } from "../../components/static-site/build";
import { registeredSpecs } from "../../components/spec-registry";
import { record, resource } from "../harness/mocks";
import { runMain } from "../../scripts/exit";
import { filesOf, makeSite, removeSite } from "./helpers";


const PUBLISHER = "pulumi-nodejs:dynamic/serverless-fullstack:SitePublisher";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const sites: string[] = [];
const site = (files: Record<string, string>) => {
  const root = makeSite(files);
  sites.push(root);
  return root;
};

// The suite sets STATIC_SITE_SKIP_BUILD=1 (tests/setup/site-build.ts); these tests run their builds.
const skip = process.env.STATIC_SITE_SKIP_BUILD;
beforeAll(() => {
  delete process.env.STATIC_SITE_SKIP_BUILD;
});
afterEach(() => {
  delete process.env.STATIC_SITE_SKIP_BUILD;
});
afterAll(() => {
  process.env.STATIC_SITE_SKIP_BUILD = skip;
  // Releases the processes a timed-out build left reading \`never\` (a FIFO opened read-write does not wait).
  for (const pipe of [never, sameFolder, gate]) closeSync(openSync(pipe, "r+"));
  for (const root of sites) removeSite(root);
});

/**
 * Named pipes, made once for the file: a build that reads one waits until someone writes it (and a writer for a
 * reader), which orders a build against the program, or against another build, without timing anything.
 */
const pipes = mkdtempSync(join(tmpdir(), "site-build-pipes-"));
sites.push(pipes);
const [afterConstruction, handoff, never, sameFolder, gate, pidPipe, detached, member] = ["after-construction", "handoff", "never", "same-folder", "gate", "pid", "detached", "member"].map((name) => join(pipes, name));
execFileSync("mkfifo", [afterConstruction, handoff, never, sameFolder, gate, pidPipe, detached, member]);

/**
 * `record` of a program whose site build fails: the run rejects with the failure. Pulumi reports a registration whose
 * input rejected as unhandled rejections (one per awaiter), which the run takes (local/offline/mocks.ts `settle`):
 * vitest's own listeners, which would count them against the file, are set aside meanwhile.
 */
async function recordFailing(build: () => unknown): Promise<never> {
  const runner = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  try {
    await record(build);
  } finally {
    for (const listener of runner) process.on("unhandledRejection", listener);
  }
  throw new Error("the run did not fail");
}

/**
 * Whether the process runs: an orphan that ended stays a zombie under an init that reaps no children (a container's),
 * which `kill(pid, 0)` still finds; on Linux its state in /proc tells.
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
  if (process.platform !== "linux") return true;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

/** A build's timeout held by the test: a build with this timeoutSeconds times out when the test fires its timer. */
const HELD_TIMEOUT_SECONDS = 3600;

/**
 * Watches the builds started until `restore`: the child processes spawned (a build's spawn is synchronous, when it
 * starts; seen through Node's own module object, which build.ts's import reads once the ES exports are synced with it)
 * and the timeouts of builds with `heldSeconds` (HELD_TIMEOUT_SECONDS unless given), held rather than set, to fire when
 * the test says.
 */
function watchBuilds(heldSeconds = HELD_TIMEOUT_SECONDS) {
  const childProcessModule = createRequire(__filename)("node:child_process") as typeof childProcess;
  const spawn = vi.spyOn(childProcessModule, "spawn");
  syncBuiltinESMExports();
  const setTimer = globalThis.setTimeout;
  const held: Array<() => void> = [];
  const timer = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number, ...rest: unknown[]) => {
    if (ms !== heldSeconds * 1000) return Reflect.apply(setTimer, globalThis, [callback, ms, ...rest]);
    held.push(callback);
    return setTimer(() => undefined, 0);
  }) as typeof setTimeout);
  return {
    commands: () => spawn.mock.calls.map(([command]) => String(command)),
    children: () => spawn.mock.results.map((result) => result.value as childProcess.ChildProcess),
    held,
    restore() {
      spawn.mockRestore();
      timer.mockRestore();
      syncBuiltinESMExports();
    },
  };
}

/**
 * Holds the polls of a build's process group (setInterval every GROUP_POLL_MS) until `restore`, to run when the test
 * says, and watches the signals sent to process groups from `watchSignals` on.
 */
function holdGroupPolls() {
  const setTimer = globalThis.setInterval;
  const held: Array<() => void> = [];
  const interval = vi.spyOn(globalThis, "setInterval").mockImplementation(((callback: () => void, ms?: number, ...rest: unknown[]) => {
    if (ms !== GROUP_POLL_MS) return Reflect.apply(setTimer, globalThis, [callback, ms, ...rest]);
    held.push(callback);
    return setTimer(() => undefined, 2 ** 31 - 1).unref();
  }) as typeof setInterval);
  let kill: MockInstance<typeof process.kill> | undefined;
  return {
    held,
    watchSignals() {
      kill = vi.spyOn(process, "kill");
    },
    /** The signals sent to the group (`kill(-group, …)`, the probe 0 included) since `watchSignals`. */
    signalsTo: (group: number) => (kill?.mock.calls ?? []).filter(([pid]) => pid === -group).map(([, signal]) => signal),
    restore() {
      interval.mockRestore();
      kill?.mockRestore();
    },
  };
}

/**
 * Constructs a site whose build has a held timeout, waits until the build has printed its first output (and, with
 * `exited`, until its shell has exited), runs `beforeTimeout` with the build's shell, then fires the timeout (of
 * `heldSeconds`: the build's timeoutSeconds).
 */
async function timeOut(make: () => StaticSite, exited: boolean, beforeTimeout?: (child: childProcess.ChildProcess) => Promise<void> | void, heldSeconds = HELD_TIMEOUT_SECONDS): Promise<StaticSite> {
  const builds = watchBuilds(heldSeconds);
  let site: StaticSite;
  let child: childProcess.ChildProcess;
  try {
    site = make();
    [child] = builds.children();
  } finally {
    builds.restore();
  }
  await Promise.all([once(child.stdout!, "data"), exited ? once(child, "exit") : undefined]);
  try {
    await beforeTimeout?.(child);
  } finally {
    // Even after a failed check: a build left running would hold up the runs of the tests after it.
    expect(builds.held).toHaveLength(1);
    builds.held[0]();
  }
  return site;
}

/**
 * A node program that runs `prelude`, then a build (runCommand) whose shell started a background process, which
 * ignores SIGINT (POSIX: asynchronous lists without job control); resolved once that process runs.
 */
async function buildingProgram(prelude: string) {
  const source = site({ "package.json": "{}" });
  const command = `sh -c 'cat ${never} > /dev/null' & echo $! > ${pidPipe}; wait`;
  const build: NormalisedBuild = { command, cwd: source, outputDir: join(source, "dist"), environmentNames: [], timeoutSeconds: 600, stopGraceSeconds: 0.2 };
  const script = `${prelude}\nrequire("./components/static-site/build").runCommand(${JSON.stringify(build)}, {});`;
  const program = childProcess.spawn(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: join(__dirname, "../.."), stdio: ["ignore", "pipe", "ignore"] });
  let output = "";
  program.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = once(program, "exit");
  // The shell writes the pid once it runs: the program has been listening for the signals since it started the build.
  const grandchild = Number(await readFile(pidPipe, "utf8"));
  expect(running(grandchild)).toBe(true);
  return { program, exited, grandchild, output: () => output };
}

/** Waits until the process has ended: signalled before its program ended, its end is its own: bounded (10 s), not timed. */
async function expectGone(pid: number): Promise<void> {
  for (let polls = 0; polls < 200 && running(pid); polls++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(running(pid)).toBe(false);
}

/**
 * A build whose shell runs `then`, and exits once a daemon it started (a session of its own, out of the group) holds
 * its output open: the timeout fails it. `emptied` runs after the shell's exit with the group's held polls, and must
 * leave the group empty and seen so: from then on no signal may go to the group's number.
 */
async function daemonHeldBuild(name: string, then: string, emptied: (polls: Array<() => void>) => Promise<void> | void): Promise<void> {
  const source = site({ "package.json": "{}" });
  // The shell goes on once the daemon has left the group.
  const command = `mkdir -p dist; setsid sh -c 'echo > ${detached}; exec cat ${never}' & read x < ${detached}; ${then}echo started`;
  const groups = holdGroupPolls();
  let group = 0;
  try {
    const make = () => new StaticSite(name, { path: source, build: { command, outputDir: "dist", timeoutSeconds: HELD_TIMEOUT_SECONDS } });
    await expect(recordFailing(() => timeOut(make, true, async (child) => {
      group = child.pid!;
      await emptied(groups.held);
      groups.watchSignals();
    }))).rejects.toThrow(new RegExp(`StaticSite "${name}": build.command ".*" failed in .*: exited with code 0, but a process it started kept its output open past build.timeoutSeconds \\(3600 s\\)\\.`));
    expect(groups.signalsTo(group)).toEqual([]);
  } finally {
    groups.restore();
  }
}

describe("StaticSite build", () => {
  it("runs the build first and publishes its output", async () => {
    const source = site({ "src/page.html": "<p>built</p>" });
    const graph = await record(() => new StaticSite("built", { path: source, build: { command: "mkdir -p dist && cp src/page.html dist/index.html && echo built", outputDir: "dist" } }));
    const files = filesOf(resource(graph, PUBLISHER, "built-publish").inputs as never);
    expect(Object.keys(files)).toEqual(["index.html"]);
    expect(files["index.html"].sha256).toBe(sha256("<p>built</p>"));
  });

  it("finds the binaries of node_modules/.bin in the site's folder and the folders above it, as npm run does", async () => {
    // A project's own tool (vite, say) named without npx: here a script in the site's parent folder's node_modules/.bin.
    const project = site({ "node_modules/.bin/make-page": '#!/bin/sh\nmkdir -p dist && printf "%s" "$1" > dist/index.html\n', "web/src.txt": "x" });
    chmodSync(join(project, "node_modules/.bin/make-page"), 0o755);
    const graph = await record(() => new StaticSite("bin", { path: join(project, "web"), build: { command: "make-page from-bin", outputDir: "dist" } }));
    expect(filesOf(resource(graph, PUBLISHER, "bin-publish").inputs as never)["index.html"].sha256).toBe(sha256("from-bin"));
  });

  it("waits for environment values that are stack outputs, and hashes what the build wrote with them", async () => {
    const source = site({ "package.json": "{}" });
    const graph = await record(() => {
      const api = new aws.s3.Bucket("api-bucket", { bucket: "gallery-api-bucket" });
      return new StaticSite("env", {
        path: source,
        build: {
          command: 'mkdir -p out/assets && printf "%s|%s" "$API_BUCKET" "$MODE" > out/index.html && printf x > out/assets/app.1a2b3c4d.js',
          outputDir: "out",
          environment: { API_BUCKET: api.bucket, MODE: pulumi.output("production") },
        },
      });
    });
    const files = filesOf(resource(graph, PUBLISHER, "env-publish").inputs as never);
    expect(files["index.html"].sha256).toBe(sha256("gallery-api-bucket|production"));
    expect(files["assets/app.1a2b3c4d.js"]).toMatchObject({ cacheControl: "public, max-age=31536000, immutable", fingerprinted: true });
    // Registered for the local runtime's rebuilds, with the values the build ran with.
    const built = registeredSpecs<BuiltSite>("StaticSiteBuild").find((s) => s.name === "env")!.spec;
    expect(built).toMatchObject({ command: expect.stringContaining("printf"), cwd: source, outputDir: join(source, "out"), environment: { API_BUCKET: "gallery-api-bucket", MODE: "production" } });
    expect(built.environmentNames).toEqual(["API_BUCKET", "MODE"]);
  });

  it("starts the build at construction and goes on while it runs: only the publisher's files wait for it, until it has exited", async () => {
    const source = site({ "package.json": "{}" });
    const graph = await record(async () => {
      const built = new StaticSite("background", {
        path: source,
        build: { command: `mkdir -p dist && printf '<p>started' > dist/index.html && cat ${afterConstruction} >> dist/index.html`, outputDir: "dist", timeoutSeconds: 60 },
      });
      // The constructor has returned while the build waits for what the program writes next: a build run at
      // construction would still be waiting, for a writer that never came.
      const after = new aws.s3.Bucket("declared-after-the-site", { bucket: "declared-after" });
      await writeFile(afterConstruction, " and finished</p>");
      return [built, after];
    });
    // The manifest was made from the whole page, once the build had exited, not from what it had written first.
    expect(filesOf(resource(graph, PUBLISHER, "background-publish").inputs as never)["index.html"].sha256).toBe(sha256("<p>started and finished</p>"));
    expect(resource(graph, "aws:s3/bucket:Bucket", "declared-after-the-site").inputs.bucket).toBe("declared-after");
    expect(registeredSpecs<BuiltSite>("StaticSiteBuild").some((s) => s.name === "background")).toBe(true);
  });

  it("runs two sites' builds at once, each published from its own finished output", async () => {
    const root = site({ "first/package.json": "{}", "second/package.json": "{}" });
    const graph = await record(() => [
      // The first build can only end once the second is running: it reads what the second writes.
      new StaticSite("first", { path: join(root, "first"), build: { command: `mkdir -p dist && cat ${handoff} > dist/index.html`, outputDir: "dist", timeoutSeconds: 60 } }),
      new StaticSite("second", { path: join(root, "second"), build: { command: `mkdir -p dist && printf from-second > ${handoff} && printf second > dist/index.html`, outputDir: "dist", timeoutSeconds: 60 } }),
    ]);
    expect(filesOf(resource(graph, PUBLISHER, "first-publish").inputs as never)["index.html"].sha256).toBe(sha256("from-second"));
    expect(filesOf(resource(graph, PUBLISHER, "second-publish").inputs as never)["index.html"].sha256).toBe(sha256("second"));
  });

  it("fails the run with the build's output when it fails, and says when the output folder is missing", async () => {
    const source = site({ "package.json": "{}" });
    await expect(recordFailing(() => new StaticSite("broken", { path: source, build: { command: "echo compiling; echo 'error TS2304: Cannot find name x' >&2; exit 2", outputDir: "dist" } }))).rejects.toThrow(
      /StaticSite "broken": build.command ".*" failed in .*: exited with code 2\. Fix the build and run again\. Its output \(last 40 lines\):\ncompiling\nerror TS2304: Cannot find name x/,
    );
    await expect(recordFailing(() => new StaticSite("nodist", { path: source, build: { command: "true", outputDir: "dist" } }))).rejects.toThrow(/StaticSite "nodist": build.outputDir "dist" does not exist after the build/);
  });

  it("stops a build that runs past timeoutSeconds, and says so", async () => {
    const source = site({ "package.json": "{}" });
    // Waits for a writer that never comes: only the timeout ends it. Its 0.5 s timer held and fired once the build has
    // printed, not waited out (and a loaded machine cannot fire it before "waiting" is in the output).
    await expect(recordFailing(() => timeOut(() => new StaticSite("slow", { path: source, build: { command: `echo waiting; exec cat ${never}`, outputDir: "dist", timeoutSeconds: 0.5 } }), false, undefined, 0.5))).rejects.toThrow(
      /StaticSite "slow": build.command "echo waiting; exec cat .*never" failed in .*: was stopped after 0.5 s \(build.timeoutSeconds\)\. Make the build finish sooner, or raise build.timeoutSeconds \(0\.5 s now\), and run again\. Its output \(last 40 lines\):\nwaiting/,
    );
  });

  it("kills a timed-out build that ignores SIGTERM after the grace period, without waiting for its output to close", async () => {
    const source = site({ "package.json": "{}" });
    // The shell ignores the signal, and so does its \`cat\` (an ignored signal is inherited), waiting on \`never\`: SIGKILL ends them.
    const command = `trap "" TERM; echo waiting; cat ${never}`;
    // A short grace keeps the suite quick; the default's 5 s is the same path.
    await expect(recordFailing(() => timeOut(() => new StaticSite("stubborn", { path: source, build: { command, outputDir: "dist", timeoutSeconds: HELD_TIMEOUT_SECONDS, stopGraceSeconds: 0.2 } }), false))).rejects.toThrow(
      /StaticSite "stubborn": build.command ".*" failed in .*: was stopped after 3600 s \(build.timeoutSeconds\)\. Make the build finish sooner, or raise build.timeoutSeconds \(3600 s now\), and run again\. Its output \(last 40 lines\):\nwaiting/,
    );
  });

  it("gives a stopped build's processes stopGraceSeconds after SIGTERM, and none with 0 (SIGKILL at once)", async () => {
    const source = site({ "package.json": "{}" });
    // The shell's trap writes the file and exits, once SIGTERM interrupts its `wait`; SIGKILL leaves no time for it.
    const stopped = (grace: number) => join(source, `stopped-${grace}`);
    const build = (grace: number) => () =>
      new StaticSite(`grace-${grace}`, { path: source, build: { command: `trap 'echo > ${stopped(grace)}; exit 1' TERM; cat ${never} & echo waiting; wait`, outputDir: "dist", timeoutSeconds: HELD_TIMEOUT_SECONDS, stopGraceSeconds: grace } });
    // The failure comes once none of the group runs: the trap has run by then, or never will.
    await expect(recordFailing(() => timeOut(build(1), false))).rejects.toThrow(/StaticSite "grace-1": build.command ".*" failed in .*: was stopped after 3600 s/);
    expect(existsSync(stopped(1))).toBe(true);
    await expect(recordFailing(() => timeOut(build(0), false))).rejects.toThrow(/StaticSite "grace-0": build.command ".*" failed in .*: was stopped after 3600 s/);
    expect(existsSync(stopped(0))).toBe(false);
  });

  it("fails a timed-out build whose process group refuses the signals (EPERM: a process of another user) instead of hanging, and says so", async () => {
    const source = site({ "package.json": "{}" });
    // As root the suite cannot make a group it may not signal: process.kill refuses the group's SIGTERM and SIGKILL.
    const realKill = process.kill;
    let group = 0;
    const refuse = (child: childProcess.ChildProcess) => {
      group = child.pid!;
      vi.spyOn(process, "kill").mockImplementation((pid: number, signal?: string | number) => {
        if (pid === -group && signal !== 0) throw Object.assign(new Error("kill EPERM"), { code: "EPERM", errno: -1, syscall: "kill" });
        return realKill.call(process, pid, signal);
      });
    };
    try {
      await expect(recordFailing(() => timeOut(() => new StaticSite("refused", { path: source, build: { command: `echo waiting; exec cat ${never}`, outputDir: "dist", timeoutSeconds: HELD_TIMEOUT_SECONDS, stopGraceSeconds: 0.2 } }), false, refuse))).rejects.toThrow(
        /StaticSite "refused": build.command ".*" failed in .*: was stopped after 3600 s \(build.timeoutSeconds\) \(its process group \d+ refused the signal \(EPERM: a process of it runs as another user, under sudo say\) and may still run\)\. Make the build finish sooner/,
      );
    } finally {
      vi.mocked(process.kill).mockRestore();
    }
    process.kill(-group, "SIGKILL");
  });

  it("ends a build whose command exited but left a process holding its output open, at the timeout, and says so", async () => {
    const source = site({ "package.json": "{}" });
    // The shell exits 0 at once; the \`cat\` it started in the background keeps the output pipes open (until afterAll).
    const command = `mkdir -p dist; cat ${never} & echo started`;
    await expect(recordFailing(() => timeOut(() => new StaticSite("lingering", { path: source, build: { command, outputDir: "dist", timeoutSeconds: HELD_TIMEOUT_SECONDS } }), true))).rejects.toThrow(
      /StaticSite "lingering": build.command ".*" failed in .*: exited with code 0, but a process it started kept its output open past build.timeoutSeconds \(3600 s\)\. Fix the build and run again\. Its output \(last 40 lines\):\nstarted/,
    );
  });

  it("signals no process group once the build's has emptied, though a daemon it started holds its output open (the number may be reused)", async () => {
    await daemonHeldBuild("daemon", "", (polls) => {
      // Seen empty at the shell's exit: no poll needed.
      expect(polls).toHaveLength(0);
    });
  });

  it("retires the build's process group once a poll finds it empty, after its shell exited while the output stays open", async () => {
    const pidFile = join(pipes, "member.pid");
    // A member of the group without the pipes, waiting on `member`, outlives the shell.
    await daemonHeldBuild("member", `sh -c 'read x < ${member}' > /dev/null 2>&1 & echo $! > ${pidFile}; `, async (polls) => {
      // Not empty at the exit: polled.
      expect(polls).toHaveLength(1);
      const pid = Number(readFileSync(pidFile, "utf8"));
      await writeFile(member, "go\n");
      await expectGone(pid);
      polls[0]();
    });
  });

  it("stops what a timed-out build started too, before it fails: nothing of it writes outputDir afterwards", async () => {
    const source = site({ "package.json": "{}" });
    const pidFile = join(source, "grandchild.pid");
    // The shell waits on a background shell whose `cat` waits on `gate`, then writes dist/late.html: what a build tool
    // under `sh -c` would write after the build gave up, if the timeout stopped the shell alone.
    const command = `mkdir -p dist; sh -c 'cat ${gate} > /dev/null; echo late > dist/late.html' & echo $! > ${pidFile}; echo waiting; wait`;
    await expect(recordFailing(() => timeOut(() => new StaticSite("spawner", { path: source, build: { command, outputDir: "dist", timeoutSeconds: HELD_TIMEOUT_SECONDS } }), false))).rejects.toThrow(
      /StaticSite "spawner": build.command ".*" failed in .*: was stopped after 3600 s \(build.timeoutSeconds\)\. Make the build finish sooner, or raise build.timeoutSeconds \(3600 s now\), and run again\./,
    );
    // The shell wrote the pid before its first output, on which the timeout fired; the failure came once none ran.
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(grandchild).toBeGreaterThan(0);
    expect(running(grandchild)).toBe(false);
    // Nothing reads `gate` any more (its `cat` is gone too): a non-blocking writer finds no reader.
    expect(() => openSync(gate, constants.O_WRONLY | constants.O_NONBLOCK)).toThrow(expect.objectContaining({ code: "ENXIO" }));
    expect(existsSync(join(source, "dist", "late.html"))).toBe(false);
  });

  it("passes the program's Ctrl-C on to the build's process group, and the program still ends by it", async () => {
    const { program, exited, grandchild } = await buildingProgram("");
    program.kill("SIGINT");
    expect(await exited).toEqual([null, "SIGINT"]);
    await expectGone(grandchild);
  });

  it("leaves a program's own Ctrl-C handler (npm start's process.once) to end it, after its shutdown, and its exit stops the build", async () => {
    // As local/start.ts: registered before the build starts, its shutdown takes a while, then exits 0.
    const { program, exited, grandchild, output } = await buildingProgram(`process.once("SIGINT", () => setTimeout(() => { console.log("shut down"); process.exit(0); }, 100));`);
    program.kill("SIGINT");
    expect(await exited).toEqual([0, null]);
    expect(output()).toBe("shut down\n");
    await expectGone(grandchild);
  });

  it("names the site and the command when the build cannot be started at all", async () => {
    const source = site({ "package.json": "{}" });
    // spawn refuses an environment value holding a NUL byte, synchronously.
    await expect(recordFailing(() => new StaticSite("unstartable", { path: source, build: { command: "true", outputDir: "dist", environment: { BAD: "a\0b" } } }))).rejects.toThrow(
      /StaticSite "unstartable": build.command "true" failed in .*: could not be started: .*options\.env\['BAD'\]/,
    );
  });

  it("refuses a timeoutSeconds longer than a timer can wait (setTimeout would fire at once)", async () => {
    const source = site({ "package.json": "{}" });
    await expect(recordFailing(() => new StaticSite("forever", { path: source, build: { command: "true", outputDir: "dist", timeoutSeconds: 30 * 24 * 3600 } }))).rejects.toThrow(
      /StaticSite "forever": build\.timeoutSeconds 2592000 is outside a timer's range of 0\.001–2147483 seconds; the build's timer waits from 1 ms to 2\^31 − 1 ms \(about 24 days\)\. Use e\.g\. 600 \(the default\)\./,
    );
  });

  it("runs builds into the same outputDir one after another, and builds into other folders at once", async () => {
    const root = site({ "a/package.json": "{}", "b/package.json": "{}" });
    const builds = watchBuilds();
    let atConstruction: string[] = [];
    let started: string[] = [];
    let graph;
    try {
      graph = await record(async () => {
        // Two sites of one folder (one site published twice, say): the first build waits for the program.
        const sites = [
          new StaticSite("same-first", { path: join(root, "a"), build: { command: `mkdir -p dist && cat ${sameFolder} > dist/index.html`, outputDir: "dist", timeoutSeconds: 60 } }),
          new StaticSite("same-second", { path: join(root, "a"), build: { command: "mkdir -p dist && printf second >> dist/index.html", outputDir: "dist", timeoutSeconds: 60 } }),
          new StaticSite("other-folder", { path: join(root, "b"), build: { command: "mkdir -p dist && printf other > dist/index.html", outputDir: "dist", timeoutSeconds: 60 } }),
        ];
        atConstruction = builds.commands();
        await writeFile(sameFolder, "first,");
        return sites;
      });
      started = builds.commands();
    } finally {
      builds.restore();
    }
    // Started at construction: the first build and the other folder's, not the second build into the first's folder.
    expect(atConstruction).toEqual([expect.stringContaining(sameFolder), expect.stringContaining("printf other")]);
    expect(started).toHaveLength(3);
    // Each manifest was made before the next build into the folder ran.
    expect(filesOf(resource(graph, PUBLISHER, "same-first-publish").inputs as never)["index.html"].sha256).toBe(sha256("first,"));
    expect(filesOf(resource(graph, PUBLISHER, "same-second-publish").inputs as never)["index.html"].sha256).toBe(sha256("first,second"));
    expect(filesOf(resource(graph, PUBLISHER, "other-folder-publish").inputs as never)["index.html"].sha256).toBe(sha256("other"));
  });

  it("prints a failed build as its message under the CLIs (runMain), as the plan prints other argument errors", async () => {
    const source = site({ "package.json": "{}" });
    const printed = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const exited = new Promise<unknown>((resolve) => vi.spyOn(process, "exit").mockImplementationOnce(resolve as never));
    try {
      // The error the program run rejects with: Pulumi attaches the input's rejected `promise` to it, and names the
      // publisher's input that waited for the build (runtime/rpc.js serializeFilteredProperties).
      runMain(() => recordFailing(() => new StaticSite("cli", { path: source, build: { command: "echo 'error TS2304' >&2; exit 2", outputDir: "dist" } })));
      expect(await exited).toBe(1);
      expect(printed.mock.calls).toEqual([[expect.stringMatching(/^error serializing property "files": StaticSite "cli": build\.command ".*" failed in .*: exited with code 2\. Fix the build and run again\. Its output \(last 40 lines\):\nerror TS2304$/)]]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("publishes outputDir as it is with STATIC_SITE_SKIP_BUILD=1, and says so when it is missing", async () => {
    const source = site({ "dist/index.html": "prebuilt" });
    process.env.STATIC_SITE_SKIP_BUILD = "1";
    const graph = await record(() => new StaticSite("prebuilt", { path: source, build: { command: "exit 1", outputDir: "dist" } }));
    expect(filesOf(resource(graph, PUBLISHER, "prebuilt-publish").inputs as never)["index.html"].sha256).toBe(sha256("prebuilt"));
    expect(() => new StaticSite("unbuilt", { path: source, build: { command: "exit 1", outputDir: "out" } })).toThrow(
      /build.outputDir "out" does not exist after the build \(the build was skipped: STATIC_SITE_SKIP_BUILD=1\)/,
    );
  });

  it("checks the size of the error document the edge serves in what the build wrote, not in what was there before", async () => {
    // No dist/ before the build: the page only exists once the build has run.
    const source = site({ "package.json": "{}" });
    const errorPages = {
      pathPattern: "default", eventType: "origin-response" as const, kind: "lambda" as const, edgeLogic: "edge", key: "origin-response",
      arn: "arn:aws:lambda:us-east-1:123456789012:function:errors:1", servesErrorDocument: true,
    };
    const command = "mkdir -p dist && echo ok > dist/index.html && head -c 1100000 /dev/zero | tr '\\0' x > dist/error.html";
    await expect(recordFailing(() => new StaticSite("bigerror", { path: source, edge: [errorPages], build: { command, outputDir: "dist" } }))).rejects.toThrow(
      /StaticSite "bigerror": errorDocument "error.html" is 1100000 bytes; an origin-response function may generate at most \d+ bytes of body/,
    );
  });
});
