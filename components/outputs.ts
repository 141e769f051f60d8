/**
 * Values that may hold Outputs (a bucket's name in an event pattern, a resource's ARN in a mock integration's body):
 * whether they do, and their serialised form, now when every part is known, else an Output once they are. Shared by
 * EventBus.subscribe (event patterns) and ServerlessApi (mock bodies).
 */
import * as pulumi from "@pulumi/pulumi";

/** An Output or a promise (anything awaitable): a value known only at deploy. */
export function isOutputLike(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}

/** True when `value` is, or holds at any depth (in arrays and objects), an Output or a promise. */
export function holdsOutputs(value: unknown): boolean {
  if (isOutputLike(value)) return true;
  if (Array.isArray(value)) return value.some(holdsOutputs);
  return typeof value === "object" && value !== null && Object.values(value).some(holdsOutputs);
}

/**
 * `serialise(value)` now when `value` holds no Output, else an Output of it once every Output inside is known
 * (`pulumi.output` resolves them in place and keeps the objects' key order).
 */
export function serialisedWhenKnown<T>(value: unknown, serialise: (known: unknown) => T): T | pulumi.Output<T> {
  return holdsOutputs(value) ? (pulumi.output(value as pulumi.Input<object>) as pulumi.Output<unknown>).apply(serialise) : serialise(value);
}
