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
 * "withResolvers" with length 0.
 */
type Capability<T> = { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };

function isConstructor(value: unknown): value is PromiseConstructor {
  if (typeof value !== "function") return false;
  try {
    // A Proxy's construct trap runs only for constructors; nothing is constructed.
    Reflect.construct(String, [], value);
    return true;
  } catch {
    return false;
  }
}

export function withResolvers<T>(this: unknown): Capability<T> {
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
}

/** Installs withResolvers on Promise when the runtime has none (Node 20); returns whether it did. */
export function installPromiseWithResolvers(target: PromiseConstructor = Promise): boolean {
  if (typeof (target as { withResolvers?: unknown }).withResolvers === "function") return false;
  Object.defineProperty(target, "withResolvers", { value: withResolvers, writable: true, configurable: true, enumerable: false });
  return true;
}
