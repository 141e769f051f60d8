import { expect } from "vitest";
import { ComponentArgError } from "../../components/errors";

/**
 * What a refusal names, as a test pins it beside its message: the component (and its resource name), the argument,
 * the bad value and the fix (components/errors.ts). A test table's row carries it; `value` is left out only where the
 * table's value is not one a test can write back (an Output).
 */
export type RefusalContract = Pick<ComponentArgError, "component" | "resourceName" | "argument" | "fix"> & { value?: unknown };

/**
 * The ComponentArgError `build` throws at construction; the test fails, saying `tookWhat`, when `build` throws nothing
 * or something else. The one helper for "this component refuses these arguments" tests.
 */
export function refusalOf(build: () => unknown, tookWhat: string): ComponentArgError {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, tookWhat).toBeInstanceOf(ComponentArgError);
  return thrown as ComponentArgError;
}

/**
 * The ComponentArgError `pending` rejects with: a refusal made when an Output resolves, which `record` (a program's
 * run) rejects with as `pulumi up` fails. The test fails, saying `tookWhat`, when it resolves or rejects otherwise.
 */
export async function rejectionOf(pending: Promise<unknown>, tookWhat: string): Promise<ComponentArgError> {
  const thrown = await pending.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown, tookWhat).toBeInstanceOf(ComponentArgError);
  return thrown as ComponentArgError;
}

/** The ComponentArgError `run` throws, or undefined when it throws nothing; any other error is thrown on (fails the test). */
export function refusalIfAny(run: () => unknown): ComponentArgError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ComponentArgError) return error;
    throw error;
  }
  return undefined;
}
