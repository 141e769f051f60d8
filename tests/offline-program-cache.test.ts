/**
 * npm start's cache of the program's run (local/offline/program-cache.ts, issue 15): a start serves the recorded
 * run only while everything the program depended on is unchanged. Each test changes one thing a real program
 * depends on and shows the next start runs the program afresh (and the one after that is served again).
 *
 * The program is a small fixture project in a temporary folder (its own Pulumi.yaml, stack file, index.ts, a
 * component module, a StaticSite folder and a function's handler), run in a child process through the offline
 * loader as `npm start` is.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultCacheDir } from "../components/lambda/bundle-cache";
import { plainRunDigest } from "./fixtures/program-cache/digest";
import { devAppRun } from "./setup/dev-app";

const ROOT = join(__dirname, "..");
const RUNNER = join(__dirname, "fixtures", "program-cache", "run.ts");

interface Printed {
  cached: boolean;
  outputs: Record<string, unknown>;
  specs: string[];
  greeter?: { greeting: unknown; shout: unknown };
  resources: number;
  digest?: string;
}

let project: string;
/** The fixture's own program cache; transpiled modules and bundles come from the suite's usual cache. */
let programCache: string;
/** The suite's usual cache (the same for the child processes, whose working folder is elsewhere). */
const usualCache = { SERVERLESS_FULLSTACK_CACHE_DIR: defaultCacheDir() ?? "off" };

function start(env: Record<string, string> = {}, args = ["dev", "--program-cache", programCache], cwd = project): Printed {
  const result = spawnSync(process.execPath, ["-r", join(ROOT, "local", "offline", "register.cjs"), RUNNER, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...usualCache, ...env },
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`the fixture program failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Printed;
}

function edit(file: string, change: (text: string) => string): void {
  const path = join(project, file);
  writeFileSync(path, change(readFileSync(path, "utf8")));
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "sf-program-cache-"));
  programCache = mkdtempSync(join(tmpdir(), "sf-program-cache-dir-"));
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"));
  cpSync(join(ROOT, "tsconfig.json"), join(project, "tsconfig.json"));
  writeFileSync(join(project, "Pulumi.yaml"), "name: cache-fixture\nruntime: nodejs\nconfig:\n  greeting:\n    type: string\n    description: What the fixture says.\n");
  writeFileSync(join(project, "Pulumi.dev.yaml"), "config:\n  aws:region: us-east-1\n  cache-fixture:greeting: hello\n");
  writeFileSync(
    join(project, "greeter.ts"),
    [
      'import * as pulumi from "@pulumi/pulumi";',
      `import { registerSpec } from ${JSON.stringify(join(ROOT, "components", "spec-registry"))};`,
      "export class Greeter extends pulumi.ComponentResource {",
      "  readonly shout: pulumi.Output<string>;",
      "  constructor(name: string, greeting: pulumi.Input<string>) {",
      '    super("fixture:index:Greeter", name);',
      '    this.shout = pulumi.output(greeting).apply((g) => `${g.toUpperCase()}!`);',
      '    registerSpec("Greeter", name, { greeting: pulumi.output(greeting), shout: this.shout });',
      "    this.registerOutputs({ shout: this.shout });",
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(project, "index.ts"),
    [
      'import * as pulumi from "@pulumi/pulumi";',
      // The two components' own modules, not the package's index: each run that is not served loads what it imports, and
      // the index loads every component (≈0.5 → 0.4 CPU-seconds a run).
      `import { LambdaFunction } from ${JSON.stringify(join(ROOT, "components", "lambda", "function"))};`,
      `import { StaticSite } from ${JSON.stringify(join(ROOT, "components", "static-site"))};`,
      'import { Greeter } from "./greeter";',
      "const config = new pulumi.Config();",
      'const greeter = new Greeter("greeter", config.require("greeting"));',
      'new StaticSite("site", { path: "www" });',
      // Bundled by esbuild in its own process: the program never loads handler.ts, the bundle cache checks it.
      'new LambdaFunction("fn", { entry: "handler.ts" });',
      "export const shout = greeter.shout;",
      'export const mood = process.env.FIXTURE_MOOD ?? "calm";',
      // An editor saving a file the program already read, while it runs.
      'if (process.env.FIXTURE_SAVE_DURING_RUN) { const fs = require("node:fs"); fs.writeFileSync("note.txt", fs.readFileSync("note.txt")); }',
      // A second component of the same type and name: the URN the first one holds, which `pulumi up` refuses.
      'if (process.env.FIXTURE_DUPLICATE) new Greeter("greeter", "again");',
      "",
    ].join("\n"),
  );
  writeFileSync(join(project, "note.txt"), "a note\n");
  writeFileSync(join(project, "handler.ts"), 'export const handler = async () => ({ statusCode: 200, body: "v1" });\n');
  mkdirSync(join(project, "www"));
  writeFileSync(join(project, "www", "index.html"), "<h1>hello</h1>\n");
  writeFileSync(join(project, "www", "error.html"), "<h1>oops</h1>\n");
});

/** Starts until the run is recorded: the next start is served from the cache. */
function recorded(env: Record<string, string> = {}): Printed {
  const printed = start(env);
  if (!printed.cached) expect(start(env).cached).toBe(true);
  return printed;
}

// One fixture project that each test edits in turn (a project per test would cost a run of the program each): the
// first test expects nothing recorded yet, and the expected outputs follow the earlier edits. In this order, also
// with --sequence.shuffle.
// The two tests that leave a run the next start does not serve (another environment, a file saved during the run) are
// last: each test before them finds the last test's run recorded, and its first start is served.
describe("npm start's program cache", { shuffle: false }, () => {
  it("runs the program once, then serves its result as plain data while nothing changed", () => {
    const first = start();
    expect(first.cached).toBe(false);
    expect(first.outputs).toEqual({ shout: "HELLO!", mood: "calm" });
    const second = start();
    expect({ ...second, greeter: undefined }).toEqual({ ...first, greeter: undefined, cached: true });
    // The spec's Outputs were resolved to their values.
    expect(second.greeter).toEqual({ greeting: "hello", shout: "HELLO!" });
    expect(second.specs).toContain("StaticSite:site");
  });

  it("reruns the program when a config value changes", () => {
    recorded();
    edit("Pulumi.dev.yaml", (text) => text.replace(/greeting: \w+/, "greeting: howdy"));
    expect(start()).toMatchObject({ cached: false, outputs: { shout: "HOWDY!" } });
    expect(start()).toMatchObject({ cached: true, outputs: { shout: "HOWDY!" } });
  });

  it("reruns the program when a component's source changes", () => {
    const before = recorded();
    edit("greeter.ts", (text) => text.replace("}!`", "}?`"));
    expect(start()).toMatchObject({ cached: false, outputs: { shout: String(before.outputs.shout).replace(/!$/, "?") } });
  });

  it("reruns the program when a file appears in the site folder StaticSite publishes", () => {
    recorded();
    writeFileSync(join(project, "www", "new-page.html"), "<p>new</p>\n");
    expect(start().cached).toBe(false);
  });

  it("reruns the program when a function's handler (a bundle's input) changes", () => {
    recorded();
    edit("handler.ts", (text) => text.replace(/"v\d+"/, '"v2"'));
    expect(start().cached).toBe(false);
  });

  it("serves the recorded run again when a file is rewritten with the same content (hashed on a new fingerprint)", () => {
    recorded();
    edit("greeter.ts", (text) => text);
    expect(start().cached).toBe(true);
  });

  it("neither records nor serves a run that registers a URN twice: each start fails naming the URN, and the last good run stays", () => {
    recorded();
    const duplicate = { FIXTURE_DUPLICATE: "1" };
    const refusal = "Duplicate resource URN 'urn:pulumi:dev::cache-fixture::fixture:index:Greeter::greeter'; try giving it a unique name";
    // Twice: a run recorded despite the refusal would be served, without error, to the second start.
    expect(() => start(duplicate)).toThrow(refusal);
    expect(() => start(duplicate)).toThrow(refusal);
    expect(start().cached).toBe(true);
  });

  it("reruns the program when an environment variable it read changes, not when another one does", () => {
    recorded();
    expect(start({ UNRELATED_VARIABLE: "1" }).cached).toBe(true);
    expect(start({ FIXTURE_MOOD: "sunny" })).toMatchObject({ cached: false, outputs: { mood: "sunny" } });
  });

  // After the test above, whose last start recorded the run with FIXTURE_MOOD set: that run is served here as the
  // baseline (no start to record another), and this test's runs, which no start serves, come last (a test after it
  // would start once more to record a run first).
  it("does not serve a run during which a file it read was modified (it may have read the old text)", () => {
    const mood = { FIXTURE_MOOD: "sunny" };
    expect(start(mood)).toMatchObject({ cached: true, outputs: { mood: "sunny" } });
    const env = { ...mood, FIXTURE_SAVE_DURING_RUN: "1" };
    expect(start(env).cached).toBe(false);
    expect(start(env).cached).toBe(false);
  });
});

describe("npm start's program cache on the reference app", () => {
  it("serves a run of the dev stack equal, as plain data, to running index.ts afresh", async () => {
    // A program cache of its own, so the first start records; the site is built once for the suite (STATIC_SITE_SKIP_BUILD).
    const own = ["dev", "--digest", "--program-cache", mkdtempSync(join(tmpdir(), "sf-program-cache-app-"))];
    const first = start({}, own, ROOT);
    const served = start({}, own, ROOT);
    expect([first.cached, served.cached]).toEqual([false, true]);
    expect(served.digest).toBe(first.digest);
    expect(served.resources).toBeGreaterThan(100);
    // index.ts run afresh without the cache's recording hooks, in this process (vitest's loader, not the offline one):
    // the run of the dev stack the app's test files share (tests/setup/dev-app.ts), made once per test run, rather than a
    // third child running the whole program for this test alone (issue 15: ≈2.5 CPU-seconds).
    const fresh = await devAppRun();
    expect(fresh.resources).toHaveLength(served.resources);
    expect(plainRunDigest(fresh)).toBe(first.digest);
  });
});
