/**
 * `pulumi preview` runs the program in dry-run mode. Every stack must declare the same
 * resources in a preview as in an update, so what CI previews is what deploys. The preview
 * runs in a process of its own (Pulumi's mock settings are process-wide and index.ts runs
 * once per process); the update is the suite's shared run of the stack (runStacks in run-stack.ts).
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { withoutNodeWarnings } from "../harness/process";
import { runStacks } from "./run-stack";

/** The URN of every resource a dry run of the stack declares: its type, name and the chain of parents' types. */
function previewUrns(stack: string): string[] {
  const script = `require("./local/offline/program").runProgramOffline({ stack: ${JSON.stringify(stack)}, preview: true })
    .then((run) => console.log(JSON.stringify(run.resources.map((r) => r.urn))))`;
  const result = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: `${__dirname}/../..`, encoding: "utf8", timeout: 120_000 });
  expect(withoutNodeWarnings(result.stderr)).toBe("");
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as string[];
}

describe("preview mode", () => {
  it.each(["dev", "prod"])("%s: a preview declares the same resources as an update", async (stack) => {
    const preview = previewUrns(stack);
    expect(preview.length).toBeGreaterThan(20);
    const update = (await runStacks([stack])).get(stack)!.resources.map((r) => r.urn);
    expect([...preview].sort()).toEqual([...update].sort());
  });
});
