/**
 * asl-validator's own JSON-schema check, run as it is, but compiled once per set of options in the test process (issue 15).
 *
 * asl-validator 3.16.0's check (dist/src/checks/json-schema-errors.js) builds a new Ajv on every call, gives it its
 * formats for the options, and compiles its whole schema in `ajv.validate` (≈0.2–0.45 s of CPU each time). `onceCompiled`
 * runs that same function — its own schemas, formats, `ajv.validate` and choice of errors — but while it runs, the Ajv
 * constructor it calls (`ajv.default`, looked up on the module at each call) hands back, from the second call with the
 * same options on, the Ajv that the first call built and compiled: the check's setup calls on it (ajv-formats' keywords,
 * `addFormat`) are skipped, its `validate` finds the schema compiled, and its `errors` are that run's.
 * Skipping the setup is only sound if it is the same setup: each call's constructor options (the same schema objects)
 * and formats (name and source of each function, in order) are compared with the first call's, and a difference throws.
 * The constructor is replaced only during a call of the wrapped check: Ajv stays itself for everything else (the
 * project's compiled check included).
 */
import { createRequire } from "node:module";

interface CheckOptions {
  checkPaths?: boolean;
  checkArn?: boolean;
}
type SchemaErrors<E> = (definition: unknown, options: CheckOptions) => E[];
type AjvClass = new (options: Record<string, unknown>) => object;

interface Compiled {
  ajv: object;
  constructorOptions: Record<string, unknown>;
  setup: string[];
}

/** How many Ajv the wrapped checks built (each compiles the schema once), and how many calls reused one. */
export const onceCompiledStats = { builds: 0, reuses: 0 };

/** The `ajv` module as asl-validator's check requires it (its `default` is the constructor the check calls). */
const ajvModule = () => createRequire(require.resolve("asl-validator/dist/src/checks/json-schema-errors"))("ajv") as { default: AjvClass };

/**
 * Each setup call as text: the format's name and its function's source. The check's closures hold module constants,
 * and asl-path-validator's its Ajv (for a log line it does not write: `silent`), so the same source is the same format.
 */
const describeCall = (method: string, args: unknown[]): string =>
  JSON.stringify([method, ...args.map((arg) => (typeof arg === "function" ? arg.toString() : arg instanceof RegExp ? String(arg) : arg))]);

function sameConstructorOptions(first: Record<string, unknown>, other: Record<string, unknown>): boolean {
  const keys = Object.keys(first);
  if (keys.join() !== Object.keys(other).join()) return false;
  return keys.every((key) => {
    const [a, b] = [first[key], other[key]];
    // The schemas: a new array on each call, of the very objects `require` returned.
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
    return a === b;
  });
}

/** `check` (asl-validator's own, from aslValidatorSchemaErrors), compiling its schema once per set of options. */
export function onceCompiled<E>(check: SchemaErrors<E>): SchemaErrors<E> {
  const compiled = new Map<string, Compiled>();
  return (definition, options) => {
    const key = JSON.stringify(options);
    const module = ajvModule();
    const RealAjv = module.default;
    const setup: string[] = [];
    let reused: Compiled | undefined;
    let built: Compiled | undefined;
    function OnceAjv(constructorOptions: Record<string, unknown>): object {
      const first = compiled.get(key);
      if (!first) {
        onceCompiledStats.builds += 1;
        const ajv = new RealAjv(constructorOptions) as Record<string, (...args: unknown[]) => unknown>;
        // Record the setup the check gives its first Ajv, to compare later calls' with.
        for (const method of ["addFormat", "addKeyword"]) {
          const real = ajv[method]!;
          ajv[method] = function (this: unknown, ...args: unknown[]) {
            setup.push(describeCall(method, args));
            return real.apply(ajv, args);
          };
        }
        built = { ajv, constructorOptions, setup };
        return ajv;
      }
      if (!sameConstructorOptions(first.constructorOptions, constructorOptions)) throw new Error("onceCompiled: asl-validator's check built its Ajv with other options than its first call's");
      onceCompiledStats.reuses += 1;
      reused = first;
      const facade: object = new Proxy(first.ajv, {
        get(target, property) {
          if (property === "addFormat" || property === "addKeyword") {
            return (...args: unknown[]) => {
              setup.push(describeCall(property, args));
              return facade;
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
        set(target, property, value) {
          return Reflect.set(target, property, value, target);
        },
      });
      return facade;
    }
    module.default = OnceAjv as unknown as AjvClass;
    let answer: E[];
    try {
      answer = check(definition, options);
    } finally {
      module.default = RealAjv;
    }
    if (built) {
      // Restore the instance's own methods (the recording was for the first call only).
      delete (built.ajv as Record<string, unknown>).addFormat;
      delete (built.ajv as Record<string, unknown>).addKeyword;
      compiled.set(key, built);
    }
    if (reused && setup.join("\n") !== reused.setup.join("\n")) {
      throw new Error(`onceCompiled: asl-validator's check set up its Ajv otherwise than on its first call with ${key}`);
    }
    return answer;
  };
}
