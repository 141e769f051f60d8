import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isOutputLike } from "./outputs";

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
    super(`${component} "${resourceName}": ${argument} ${formatArgValue(value)} ${problem}. ${fix}`);
    this.name = "ComponentArgError";
  }
}

/**
 * Why `key` cannot be a key of a map a resource takes as one input (its `tags`, a stage's `variables`), or undefined,
 * though AWS takes both keys below:
 * - `toString`: @pulumi/pulumi renders every top-level input with `${value}` when it registers a resource
 *   (runtime/rpc.js `safeToString`), which throws "TypeError: Cannot convert object to primitive value" for an object
 *   whose own `toString` is a string: the program stops with that message, naming neither the resource nor the key.
 * - `__proto__`: copying the map (a spread, an assignment) sets the copy's prototype instead of a key, so the entry is
 *   dropped without a word.
 */
export function unsendableMapKeyProblem(key: string): string | undefined {
  if (key === "toString") {
    return `is a key Pulumi's SDK cannot send in an input map: registering the resource fails with "TypeError: Cannot convert object to primitive value" (@pulumi/pulumi runtime/rpc.js safeToString), though AWS takes it`;
  }
  if (key === "__proto__") return "is a key a JavaScript object does not keep when it is copied (it sets the copy's prototype), so the entry would be dropped silently, though AWS takes it";
  return undefined;
}

export type ArgFailure = (argument: string, value: unknown, problem: string, fix: string) => never;

/** Returns a thrower bound to one component instance: `fail("bucketName", v, "is too long", "Use ...")`. */
export function argFailer(component: string, resourceName: string): ArgFailure {
  return (argument, value, problem, fix) => {
    throw new ComponentArgError(component, resourceName, argument, value, problem, fix);
  };
}

/**
 * A bad value as a message shows it: JSON (a string quoted, an object or array cut at 120 characters), except that a
 * number JSON cannot write (NaN, Infinity, -Infinity, which JSON.stringify writes as `null`) reads as itself, alone or
 * inside an object or array, and a value known only at deploy (an Output or a promise, such as `[auth.clientId]`'s
 * element) reads as "(Output)", as EventBus shows one in a pattern, instead of the text of Output's toJSON;
 * `(not set)` for undefined, and String(value) for what JSON cannot hold (a bigint).
 */
export function formatArgValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "(not set)";
  if (isOutputLike(value)) return JSON.stringify(OUTPUT_SHOWN);
  try {
    const text = jsonWithNonFiniteNumbers(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * JSON.stringify(value), with each non-finite number written bare (`NaN`, `Infinity`, `-Infinity`) where JSON writes
 * `null`: the replacer marks it with a string of a tag found nowhere in the plain JSON, and the marked strings are
 * then unquoted. Without a `null` in the plain JSON there is no non-finite number to mark.
 */
function jsonWithNonFiniteNumbers(value: unknown): string {
  const shown = outputsShown(value, new Set());
  const plain = JSON.stringify(shown);
  if (!plain.includes("null")) return plain;
  let tag = "~non-finite~";
  while (plain.includes(tag)) tag += "~";
  const marked = JSON.stringify(shown, (_key, item: unknown) => (typeof item === "number" && !Number.isFinite(item) ? `${tag}${item}` : item));
  return marked.replaceAll(new RegExp(`"${tag}(NaN|-?Infinity)"`, "g"), "$1");
}

/** How formatArgValue shows a value known only at deploy. */
const OUTPUT_SHOWN = "(Output)";

/**
 * `value` with each Output or promise in it, in arrays and plain objects at any depth, replaced by OUTPUT_SHOWN (a copy
 * where one is; `value` itself when none is). Done before JSON.stringify, not in a replacer: JSON.stringify calls an
 * entry's toJSON before the replacer sees it, and an Output's toJSON throws under Pulumi's PULUMI_ERROR_OUTPUT_STRING
 * (@pulumi/pulumi output.js). A value holding itself is left for JSON.stringify to refuse (`within`: the holders above).
 */
function outputsShown(value: unknown, within: Set<unknown>): unknown {
  if (isOutputLike(value)) return OUTPUT_SHOWN;
  if (typeof value !== "object" || value === null || within.has(value)) return value;
  const prototype = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return value;
  within.add(value);
  const entries: [string, unknown][] = Array.isArray(value) ? Array.from(value, (item, i) => [String(i), item]) : Object.entries(value);
  const shown = entries.map(([key, item]) => [key, outputsShown(item, within)] as const);
  within.delete(value);
  if (shown.every(([, item], i) => item === entries[i][1])) return value;
  return Array.isArray(value) ? shown.map(([, item]) => item) : Object.fromEntries(shown);
}

/** Fails unless `path` (relative to the working directory, the Pulumi project) names a file. `fix` says what to point it at. */
export function checkSourceFile(fail: ArgFailure, argument: string, path: string | undefined, fix: string): void {
  const file = resolve(path ?? "");
  if (!path || !existsSync(file) || !statSync(file).isFile()) fail(argument, path, "is not a file", `${fix}, relative to ${process.cwd()}.`);
}

/**
 * How a component names the arguments it gives a child LambdaFunction (a route's or an authorizer's function), so that
 * the function's refusal reads as the component's, under the argument the user wrote rather than one of a
 * LambdaFunction the user never constructed.
 */
export interface ChildFunctionArguments {
  /** The component that made the function, and its resource name: "ServerlessApi", "gallery". */
  component: string;
  resourceName: string;
  /**
   * Where the function is declared: `routes["GET /"]`, `authorizers.jwt`, `authorizer`. Unless `renames` says
   * otherwise, the function's `handler` (the exported name) is `<where>.export`, its `entry` `<where>.handler`, its
   * `name` `<where>` (its name is made from the route key or authorizer key), the rest `<where>.function.<argument>`.
   */
  where: string;
  /** LambdaFunction arguments the component sets from another of its arguments, e.g. `{ region: "region" }`. */
  renames?: Record<string, string>;
}

/** A child LambdaFunction's refusal as its component's (see ChildFunctionArguments); any other error unchanged. */
export function asComponentError(error: unknown, owner: ChildFunctionArguments): unknown {
  if (!(error instanceof ComponentArgError) || error.component !== "LambdaFunction") return error;
  const { where } = owner;
  const argumentOf = (argument: string): string =>
    owner.renames?.[argument] ??
    (argument === "handler" ? `${where}.export` : argument === "entry" ? `${where}.handler` : argument === "name" ? where : `${where}.function.${argument}`);
  const argument = argumentOf(error.argument);
  // LambdaFunction's fix for a missing export says "set handler", its own argument: name the component's instead, or,
  // where the component has no export argument (the export comes with the file), only the export the file needs.
  const fix =
    error.argument !== "handler"
      ? error.fix
      : argument === argumentOf("entry")
        ? `Export a function named ${String(error.value)} from it.`
        : `Export a function named ${String(error.value)}, or set ${argument} to the exported name.`;
  return new ComponentArgError(owner.component, owner.resourceName, argument, error.value, error.problem, fix);
}
