/**
 * Test harness over the recording mocks (local/offline/mocks.ts): install once per
 * test file (vitest isolates files, and Pulumi's mock settings are process-global),
 * then `record(() => new Component(...))` returns exactly what that construction registered.
 */
import { installRecordingMocks, type MockOptions, type RecordedResource, type RecordingMocks } from "../../local/offline/mocks";

let mocks: RecordingMocks | undefined;

/** Installs the mocks for this file; call from `beforeAll` to choose preview mode, otherwise `record` installs update-mode mocks. */
export async function useMocks(options: MockOptions = {}): Promise<RecordingMocks> {
  mocks = await installRecordingMocks(options);
  return mocks;
}

/** Runs `build`, waits for every registration it caused, and returns those registrations. */
export async function record(build: () => unknown): Promise<RecordedResource[]> {
  const active = mocks ?? (await useMocks());
  await active.settle();
  const start = active.resources.length;
  await build();
  await active.settle();
  return active.resources.slice(start);
}

export type { RecordedResource };
export * from "../../local/offline/graph";
