/**
 * The offline runs' TypeScript loader (local/offline/register.cjs): transpiles each file to
 * CommonJS with the project's tsconfig, caches the output on disk, and maps stack traces
 * to the TypeScript lines.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultCacheDir } from "../components/lambda/bundle-cache";

const ROOT = join(__dirname, "..");
const FIXTURE = join(__dirname, "fixtures", "register", "thrower.ts");

/**
 * The suite's usual cache, for the checks of what a run loads (not of the cache itself): a new cache folder would
 * transpile the components and compile the SDK without V8's code cache on every such run.
 */
const USUAL_CACHE = defaultCacheDir() ?? "off";

function run(script: string, cacheDir: string, nodeFlags: string[] = []) {
  const result = spawnSync(process.execPath, [...nodeFlags, "-r", "./local/offline/register.cjs", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, SERVERLESS_FULLSTACK_CACHE_DIR: cacheDir },
    timeout: 60_000,
  });
  expect(result.stderr).toBe("");
  return result.stdout.trim();
}

const SCRIPT = `
  const m = require(${JSON.stringify(FIXTURE)});
  let stack = "";
  try { m.fail({ size: 3 }); } catch (error) { stack = error.stack; }
  console.log(JSON.stringify({ folder: m.folder, count: new m.Counter().count, field: Object.keys(new m.Counter()), top: stack.split("\\n").slice(0, 2) }));
`;

/** How many of the modules a pattern names are loaded in the child (`require.cache`), as a script expression. */
const loadedCount = (pattern: RegExp) => `Object.keys(require.cache).filter((f) => ${pattern}.test(f)).length`;

/**
 * What loads when, of the modules @pulumi/pulumi loads on first use (issue 15), seen in one child process for the three
 * tests that read it (each such child loads @pulumi/pulumi and its closure serialiser: a second of CPU). Every module
 * is counted right after `require("@pulumi/pulumi")`, before any use; then a closure is serialised, then the
 * Automation API read last, so neither use precedes the other's "before".
 */
let pulumiLoadsSeen: ReturnType<typeof JSON.parse> | undefined;
function pulumiLoads() {
  const arborist = loadedCount(/[\\/](@npmcli[\\/]arborist|typescript[\\/]lib)[\\/]/);
  const closure = loadedCount(/[\\/](runtime[\\/]closure|normalize-package-data|fdir)[\\/]/);
  const automation = loadedCount(/[\\/]@pulumi[\\/]pulumi[\\/]automation[\\/]/);
  pulumiLoadsSeen ??= JSON.parse(
    run(
      `
      const pulumi = require("@pulumi/pulumi");
      const before = { arborist: ${arborist}, closure: ${closure}, automation: ${automation} };
      const kinds = [typeof pulumi.runtime.serializeFunction, typeof pulumi.runtime.serializeFunctionAsync, typeof pulumi.runtime.computeCodePaths];
      pulumi.runtime.serializeFunction(() => 42).then((s) => {
        const text = s.text.includes("42");
        const arboristOrTypeScript = { before: before.arborist, after: ${arborist} > 0, text };
        const closureSerialiser = { before: before.closure, kinds, after: ${closure} > 0, text };
        const workspace = typeof pulumi.automation.LocalWorkspace.create;
        console.log(JSON.stringify({ arboristOrTypeScript, closureSerialiser, automation: { before: before.automation, after: ${automation} > 0, workspace } }));
      });
    `,
      USUAL_CACHE,
      // Pulumi's closure serialiser reads every Node global, deprecated (`sys`) and experimental (`wasi`) ones included.
      ["--no-warnings"],
    ),
  );
  return pulumiLoadsSeen;
}

describe("offline TypeScript loader", () => {
  it("runs TypeScript as CommonJS, with stack traces at the TypeScript lines", () => {
    const printed = JSON.parse(run(SCRIPT, mkdtempSync(join(tmpdir(), "sf-register-"))));
    expect(printed.folder).toBe(join(__dirname, "fixtures", "register"));
    // ES2022 class fields (tsconfig target): own properties, as tsc emits them.
    expect(printed.field).toEqual(["count"]);
    expect(printed.top[0]).toBe("Error: failed at size 3");
    expect(printed.top[1]).toContain(`${FIXTURE}:15:`);
  });

  it("serves the second run from its disk cache, with the same result", () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "sf-register-"));
    const first = run(SCRIPT, cacheDir);
    const cached = readdirSync(join(cacheDir, "ts"), { recursive: true }).filter((f) => String(f).endsWith(".js"));
    expect(cached).toHaveLength(1);
    expect(run(SCRIPT, cacheDir)).toBe(first);
  });

  it("loads @pulumi/pulumi without @npmcli/arborist and TypeScript, which load on first use: closures still serialise (issue 15)", () => {
    expect(pulumiLoads().arboristOrTypeScript).toEqual({ before: 0, after: true, text: true });
  });

  it("compiles modules with V8's code cache of the last run, and never serves the cache of a changed source (local/offline/code-cache.cjs)", () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "sf-register-"));
    const module = join(mkdtempSync(join(tmpdir(), "sf-code-cache-")), "answer.js");
    const script = `const m = require(${JSON.stringify(module)}); console.log(JSON.stringify([m.answer(), m.line()]));`;
    // The line of a frame inside the module: positions survive the cache.
    const source = (value: number) => `exports.answer = () => ${value};\nexports.line = () => Number(new Error().stack.split("\\n")[1].split(":").at(-2));\n`;
    writeFileSync(module, source(1));
    expect(run(script, cacheDir)).toBe("[1,2]");
    expect(readdirSync(join(cacheDir, "v8")).filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    expect(run(script, cacheDir)).toBe("[1,2]");
    // Same length, other text: V8 only checks a cached script's length, the cache checks its content.
    writeFileSync(module, source(2));
    expect(run(script, cacheDir)).toBe("[2,2]");
  });

  it("runs a module's dynamic import() on every run, the cached ones included (`npm run docs` imports TypeDoc so)", () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "sf-register-"));
    const module = join(mkdtempSync(join(tmpdir(), "sf-code-cache-")), "importer.js");
    writeFileSync(module, 'exports.separator = async () => (await import("node:path")).sep;\n');
    const script = `require(${JSON.stringify(module)}).separator().then((s) => console.log(s), (e) => console.log(e.code));`;
    expect([run(script, cacheDir), run(script, cacheDir)]).toEqual([sep, sep]);
  });

  it("loads @pulumi/pulumi without its closure serialiser (fdir, normalize-package-data, …), which loads on first use: runtime.serializeFunction and runtime.computeCodePaths still work (issue 15)", () => {
    expect(pulumiLoads().closureSerialiser).toEqual({ before: 0, kinds: ["function", "function", "function"], after: true, text: true });
  });

  it("loads @pulumi/pulumi without its Automation API, which loads on first use (issue 15)", () => {
    expect(pulumiLoads().automation).toEqual({ before: 0, after: true, workspace: "function" });
  });

  it("loads the components without the AWS SDK: the SDK clients are for handlers and the site publisher, not for planning (issue 15)", () => {
    const script = `require("./components/index.ts"); console.log(Object.keys(require.cache).filter((f) => /[\\/]@aws-sdk[\\/]/.test(f)).length);`;
    expect(run(script, USUAL_CACHE)).toBe("0");
  });

  it("is in force in test files too (tests/setup/lazy-modules.ts): the SDK is loaded, arborist and TypeScript are not", async () => {
    await import("@pulumi/pulumi");
    const cache = createRequire(__filename).cache;
    expect(Object.keys(cache).some((f) => f.includes(`${sep}@pulumi${sep}pulumi${sep}`))).toBe(true);
    expect(Object.keys(cache).filter((f) => /[\\/](@npmcli[\\/]arborist|typescript[\\/]lib)[\\/]/.test(f))).toEqual([]);
  });
});
