/** What a component warns of while it is recorded: the tests of plan-time warnings (`pulumi.log.warn`) share it. */
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { record } from "../../testing/harness";

/** The graph `run` records, and the messages given to `pulumi.log.warn` meanwhile that `keep` keeps (all by default). */
export async function recordWarnings(run: () => unknown, keep: (message: string) => boolean = () => true): Promise<{ graph: RecordedResource[]; warned: string[] }> {
  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  try {
    const graph = await record(run);
    return { graph, warned: warn.mock.calls.map(([message]) => String(message)).filter(keep) };
  } finally {
    warn.mockRestore();
  }
}
