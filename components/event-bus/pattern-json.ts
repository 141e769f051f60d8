/**
 * An event pattern as PutRule takes it (JSON), checked before deploy and again once its Outputs are known
 * (EventBus.subscribe). Internal to the components: not exported from the package.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { holdsOutputs, isOutputLike, serialisedWhenKnown } from "../outputs";
import { eventPatternProblem } from "./event-pattern";

/**
 * The pattern without the parts that hold Outputs, to check now what does not depend on them: a field whose value is
 * an Output, and an array element (a value, an operator) holding one, are left out, and so is whatever that empties
 * (an array, an object, a `$or` with a branch of Outputs only). Undefined when nothing is left: all is checked once known.
 * Leaving out never makes a pattern wrong (each check is of a field, an element, a non-empty object or list).
 */
function withoutOutputs(value: unknown): unknown {
  if (isOutputLike(value)) return undefined;
  if (Array.isArray(value)) {
    const kept = value.filter((element) => !holdsOutputs(element));
    return kept.length === 0 && value.length > 0 ? undefined : kept;
  }
  if (typeof value !== "object" || value === null) return value;
  const entries: Array<[string, unknown]> = [];
  for (const [field, inner] of Object.entries(value)) {
    if (field === "$or" && Array.isArray(inner)) {
      const branches = inner.map(withoutOutputs);
      if (!branches.some((branch) => branch === undefined)) entries.push([field, branches]);
      continue;
    }
    const kept = withoutOutputs(inner);
    if (kept !== undefined) entries.push([field, kept]);
  }
  return entries.length === 0 && Object.keys(value).length > 0 ? undefined : Object.fromEntries(entries);
}

/** The pattern as a refusal shows it: the user's, each Output or promise as "(Output)". */
function withOutputsMarked(value: unknown): unknown {
  if (isOutputLike(value)) return "(Output)";
  if (Array.isArray(value)) return value.map(withOutputsMarked);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withOutputsMarked(v)]));
  return value;
}

/** Refuses a pattern EventBridge would refuse (eventPatternProblem), showing `shown` as its value. */
function checkPattern(fail: ArgFailure, argument: string, pattern: unknown, shown: unknown): void {
  const problem = eventPatternProblem(pattern);
  if (problem) fail(argument, shown, problem, 'Fix the pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html), e.g. { source: ["gallery.photos"], "detail-type": ["PhotoUploaded"] }.');
}

/** A known pattern's JSON, checked: what a pattern of Outputs runs once they are known (a refusal then fails `pulumi up` at the rule). */
export function knownPatternJson(fail: ArgFailure, argument: string, pattern: unknown): string {
  checkPattern(fail, argument, pattern, pattern);
  return JSON.stringify(pattern);
}

/**
 * The pattern as PutRule takes it (JSON), checked (eventPatternProblem). A pattern holding Outputs (a bucket's name,
 * e.g. from BucketEvents.objectCreated, or a whole value array) is checked now without them (withoutOutputs: a
 * refusal shows the pattern with its Outputs marked) and again, whole, once they are known (knownPatternJson), so
 * `pulumi up` stops at the rule with the same message.
 */
export function checkedPatternJson(fail: ArgFailure, argument: string, pattern: unknown): pulumi.Input<string> {
  if (holdsOutputs(pattern)) {
    const known = withoutOutputs(pattern);
    if (known !== undefined) checkPattern(fail, argument, known, withOutputsMarked(pattern));
  }
  return serialisedWhenKnown(pattern, (known) => knownPatternJson(fail, argument, known));
}
