/**
 * The type check of `npm test`: `tsc --noEmit` over the project (index.ts, components, handlers, local runtime,
 * scripts, benches, tests) and over the front end (site/, DOM lib). A test file of its own rather than a step
 * before vitest, so that tsc (≈18 s on one core) runs beside the other test files instead of ahead of them all.
 * `npm run typecheck` runs the same two commands on their own.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function tsc(project: string): Promise<{ status: number | null; diagnostics: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSC, "--noEmit", "--pretty", "false", "-p", project], { cwd: ROOT });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, diagnostics: output.trim() }));
  });
}

describe("type check", () => {
  it.each([
    [".", "the project"],
    ["site", "the front end"],
  ])("tsc --noEmit -p %s (%s) reports no errors", async (project) => {
    const result = await tsc(project);
    expect(result.diagnostics, `tsc --noEmit -p ${project}`).toBe("");
    expect(result.status).toBe(0);
  });
});
