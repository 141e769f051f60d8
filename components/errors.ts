import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Errors for bad component arguments. Every message names the component, the
 * resource name, the argument, the bad value and the fix, so a user reading
 * `pulumi preview` output knows what to change without reading our source.
 */
export class ComponentArgError extends Error {
  constructor(
    readonly component: string,
    readonly resourceName: string,
    readonly argument: string,
    readonly value: unknown,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${component} "${resourceName}": ${argument} ${formatValue(value)} ${problem}. ${fix}`);
    this.name = "ComponentArgError";
  }
}

export type ArgFailure = (argument: string, value: unknown, problem: string, fix: string) => never;

/** Returns a thrower bound to one component instance: `fail("bucketName", v, "is too long", "Use ...")`. */
export function argFailer(component: string, resourceName: string): ArgFailure {
  return (argument, value, problem, fix) => {
    throw new ComponentArgError(component, resourceName, argument, value, problem, fix);
  };
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "(not set)";
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

/** Fails unless `path` (relative to the working directory, the Pulumi project) names a file. `fix` says what to point it at. */
export function checkSourceFile(fail: ArgFailure, argument: string, path: string | undefined, fix: string): void {
  const file = resolve(path ?? "");
  if (!path || !existsSync(file) || !statSync(file).isFile()) fail(argument, path, "is not a file", `${fix}, relative to ${process.cwd()}.`);
}
