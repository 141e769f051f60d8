/**
 * `pulumi preview` runs the program in dry-run mode. Every stack must declare the same
 * resources in a preview as in an update, so what CI previews is what deploys. The preview
 * runs index.ts again from a fresh module registry under preview-mode mocks (as runStacks reruns it for an update);
 * the update is the suite's shared run of the stack (runStacks in run-stack.ts).
 */
import { describe, expect, it, vi } from "vitest";
import { withoutNodeWarnings } from "../harness/process";
import { runStacks } from "./run-stack";

/**
 * The URN of every resource a dry run of the stack declares: its type, name and the chain of parents' types. The run
 * must print no warning or error (Pulumi's log writes them to the console under the mocks).
 */
async function previewUrns(stack: string): Promise<string[]> {
  vi.resetModules();
  const { runProgramOffline } = (await import("../../local/offline/program.js")) as typeof import("../../local/offline/program");
  const printed: string[] = [];
  const capture = (...args: unknown[]) => void printed.push(args.join(" "));
  const spies = [vi.spyOn(console, "warn").mockImplementation(capture), vi.spyOn(console, "error").mockImplementation(capture)];
  let run: Awaited<ReturnType<typeof runProgramOffline>>;
  try {
    run = await runProgramOffline({ stack, preview: true, load: () => import("../../index.js") });
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  expect(withoutNodeWarnings(printed.join("\n"))).toBe("");
  return run.resources.map((r) => r.urn);
}

describe("preview mode", () => {
  it.each(["dev", "prod"])("%s: a preview declares the same resources as an update", async (stack) => {
    const preview = await previewUrns(stack);
    expect(preview.length).toBeGreaterThan(20);
    const update = (await runStacks([stack])).get(stack)!.resources.map((r) => r.urn);
    expect([...preview].sort()).toEqual([...update].sort());
  });
});
