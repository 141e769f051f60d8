/**
 * The offline runs' TypeScript loader (local/offline/register.cjs): transpiles each file to
 * CommonJS with the project's tsconfig, caches the output on disk, and maps stack traces
 * to the TypeScript lines.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const FIXTURE = join(__dirname, "fixtures", "register", "thrower.ts");

function run(script: string, cacheDir: string) {
  const result = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], {
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
});
