/**
 * The Promise.withResolvers polyfill the local Step Functions runtime installs on Node 20 before aws-local-stepfunctions
 * loads (local/promise-with-resolvers.ts): the spec's behaviour (ES2024 27.2.4.8), checked on targets of its own so
 * the process's Promise is not touched.
 */
import { describe, expect, it } from "vitest";
import { installPromiseWithResolvers, withResolvers } from "../../local/promise-with-resolvers";

describe("Promise.withResolvers polyfill", () => {
  it("hands out a promise with its resolve and reject, of the constructor it is called on", async () => {
    const resolved = withResolvers.call(Promise) as { promise: Promise<number>; resolve(v: number): void };
    resolved.resolve(7);
    expect(await resolved.promise).toBe(7);
    const rejected = withResolvers.call(Promise) as { promise: Promise<unknown>; reject(e: unknown): void };
    rejected.reject(new Error("no"));
    await expect(rejected.promise).rejects.toThrow("no");
    class Tracked<T> extends Promise<T> {}
    expect(withResolvers.call(Tracked).promise).toBeInstanceOf(Tracked);
  });

  it("throws a TypeError on a non-constructor, and when the constructor's executor misbehaves", () => {
    expect(() => withResolvers.call({})).toThrow(TypeError);
    expect(() => withResolvers.call(() => {})).toThrow(TypeError);
    // A constructor that never calls its executor leaves resolve and reject undefined: NewPromiseCapability throws.
    const Lazy = function (this: unknown) {} as unknown as PromiseConstructor;
    expect(() => withResolvers.call(Lazy)).toThrow(TypeError);
  });

  it("is installed as a built-in method (writable, configurable, not enumerable, length 0) only where missing", () => {
    const target = function () {} as unknown as PromiseConstructor;
    expect(installPromiseWithResolvers(target)).toBe(true);
    const descriptor = Object.getOwnPropertyDescriptor(target, "withResolvers")!;
    expect(descriptor).toMatchObject({ writable: true, configurable: true, enumerable: false });
    expect([(descriptor.value as () => unknown).name, (descriptor.value as () => unknown).length]).toEqual(["withResolvers", 0]);
    const native = () => undefined;
    const modern = Object.assign(function () {}, { withResolvers: native }) as unknown as PromiseConstructor;
    expect(installPromiseWithResolvers(modern)).toBe(false);
    expect((modern as unknown as { withResolvers: unknown }).withResolvers).toBe(native);
  });
});

describe("Promise.withResolvers polyfill, as a built-in method (review 36c)", () => {
  it("is not a constructor and has no prototype of its own, as Node 22's built-in", () => {
    expect(() => new (withResolvers as unknown as new () => unknown)()).toThrow(TypeError);
    expect(Object.hasOwn(withResolvers, "prototype")).toBe(false);
    const target = function () {} as unknown as PromiseConstructor;
    installPromiseWithResolvers(target);
    expect(() => new ((target as unknown as { withResolvers: new () => unknown }).withResolvers)()).toThrow(TypeError);
  });
});
