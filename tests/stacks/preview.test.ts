/**
 * `pulumi preview` runs the program in dry-run mode. Every stack must declare the same
 * resources in a preview as in an update, so what CI previews is what deploys. Each run
 * is its own process (Pulumi's mock settings are process-wide and index.ts runs once per process).
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { withoutNodeWarnings } from "../harness/process";

function tree(stack: string, preview: boolean): string[] {
  const args = ["-r", "./local/offline/register.cjs", "scripts/plan.ts", "--stack", stack, ...(preview ? ["--preview"] : [])];
  const result = spawnSync(process.execPath, args, { cwd: `${__dirname}/../..`, encoding: "utf8", timeout: 120_000 });
  expect(withoutNodeWarnings(result.stderr)).toBe("");
  expect(result.status).toBe(0);
  return result.stdout.split("\n").filter((line) => line.startsWith(" +   "));
}

describe("preview mode", () => {
  it.each(["dev", "prod"])("%s: a preview declares the same resources as an update", (stack) => {
    const preview = tree(stack, true);
    expect(preview.length).toBeGreaterThan(20);
    expect([...preview].sort()).toEqual([...tree(stack, false)].sort());
  });
});
