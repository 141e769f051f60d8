/**
 * Recording harness for tests over the mock monitor (local/offline/mocks.ts): install once per
 * test file (vitest isolates files, and Pulumi's mock settings are process-global), then
 * `record(() => new Component(...))` returns exactly what that construction registered.
 */
import { installRecordingMocks, type MockOptions, type RecordedResource, type RecordingMocks } from "../local/offline/mocks";

let mocks: RecordingMocks | undefined;
let mockOptions: MockOptions = {};

/**
 * Installs the mocks for this file; call from `beforeAll` to choose preview mode, otherwise `record` installs update-mode
 * mocks. `record` installs them again, with these options, when other mocks replaced them (a whole-program run): the
 * object an earlier call returned then records nothing more. Pulumi's config is the process's, not the mocks': after a
 * whole-program run it holds that stack's config until the file sets its own.
 */
export async function useMocks(options: MockOptions = {}): Promise<RecordingMocks> {
  mockOptions = options;
  mocks = await installRecordingMocks(options);
  return mocks;
}

/**
 * Runs `build`, waits for every registration it caused, and returns those registrations. Each call is one program run:
 * a URN registered twice within it is refused as the engine refuses it, one registered by an earlier call is not.
 */
export async function record(build: () => unknown): Promise<RecordedResource[]> {
  const active = mocks?.installed() ? mocks : await useMocks(mockOptions);
  await active.startProgram();
  const start = active.resources.length;
  await active.settle(build);
  return active.resources.slice(start);
}

/**
 * A copy of a recorded graph with the one resource `pick` finds replaced by `change`'s result
 * (or removed when it returns undefined). For rule tests: break exactly one thing. `change` must not mutate.
 */
export function mutate(
  graph: readonly RecordedResource[],
  pick: (r: RecordedResource) => boolean,
  change: (r: RecordedResource) => RecordedResource | undefined,
): RecordedResource[] {
  const copy = [...graph];
  const index = copy.findIndex(pick);
  if (index < 0) throw new Error("mutate: no resource matched");
  const changed = change(copy[index]);
  if (changed) copy[index] = changed;
  else copy.splice(index, 1);
  return copy;
}

export const byName = (name: string) => (r: RecordedResource) => r.name === name;
