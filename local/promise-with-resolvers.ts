/**
 * Promise.withResolvers (ES2024, https://tc39.es/ecma262/#sec-promise.withResolvers) for Node 20, which lacks it (V8
 * ships it from Node 22). aws-local-stepfunctions 3.0.0, which runs the program's Workflows under `npm start`
 * (local/sfn-server.ts), calls it for every Task state and declares `engines.node >= 22`; the local runtime runs on
 * Node 20. Installed in one place, right before that library is loaded (local/sfn-server.ts loadStepFunctionsLibrary),
 * and only where the method is missing: Node 22's own is left alone.
 *
 * As the spec defines it: `this` is the constructor (NewPromiseCapability(C): a non-constructor is a TypeError; the
 * executor may be called once; the resolve and reject it receives must be callable), so a Promise subclass gets its
 * own instances; the property is writable, configurable and not enumerable, as built-in methods are, named
 * "withResolvers" with length 0. Defined as a method, it is not a constructor and has no `prototype`, as built-in
 * methods (`new Promise.withResolvers()` is a TypeError).
 */
type Capability<T> = { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };

function isConstructor(value: unknown): value is PromiseConstructor {
  if (typeof value !== "function") return false;
  try {
    // IsConstructor(value): Reflect.construct throws a TypeError when its newTarget is not a constructor. It constructs
    // a String, so `value`'s own code (or a Proxy's construct trap) never runs; but it reads `value.prototype` for the
    // new object's prototype, which a Proxy's get trap can observe (the spec's IsConstructor reads nothing).
    Reflect.construct(String, [], value);
    return true;
  } catch {
    return false;
  }
}

const methods = {
  // A method (not a `function`): not a constructor, no `prototype` property, as a built-in method.
  withResolvers<T>(this: unknown): Capability<T> {
    if (!isConstructor(this)) throw new TypeError("Promise.withResolvers called on a non-constructor");
    let resolve: Capability<T>["resolve"] | undefined;
    let reject: Capability<T>["reject"] | undefined;
    const promise = new this<T>((res, rej) => {
      if (resolve !== undefined || reject !== undefined) throw new TypeError("Promise executor has already been invoked with non-undefined arguments");
      resolve = res;
      reject = rej;
    });
    if (typeof resolve !== "function" || typeof reject !== "function") throw new TypeError("Promise resolve or reject function is not callable");
    return { promise, resolve, reject };
  },
};

export const withResolvers = methods.withResolvers;

/** Installs withResolvers on Promise when the runtime has none (Node 20); returns whether it did. */
export function installPromiseWithResolvers(target: PromiseConstructor = Promise): boolean {
  if (typeof (target as { withResolvers?: unknown }).withResolvers === "function") return false;
  Object.defineProperty(target, "withResolvers", { value: withResolvers, writable: true, configurable: true, enumerable: false });
  return true;
}
