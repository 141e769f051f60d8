"use strict";
/**
 * `@pulumi/pulumi` requires `@npmcli/arborist` and TypeScript (through its typescript-shim) at
 * import, for closure serialisation (`runtime.serializeFunction`): ≈1.4 s of CPU on a loaded
 * machine in every process that loads the SDK (issue 15). Offline runs serialise nothing once
 * the site publisher's provider is cached (components/static-site/publisher/load-provider.ts),
 * and most test files never do. Here those two requires, when made from inside the Pulumi
 * SDK, return a module object that loads the real module on first use. So does the SDK's
 * Automation API (`pulumi.automation`: execa, cross-spawn, ≈80 modules), which programs do not use, and
 * its closure serialiser's own dependencies (fdir, normalize-package-data, …).
 *
 * Used by the offline TypeScript loader (register.cjs: `npm start`, `npm run plan`, benches)
 * and by the test setup (tests/setup/lazy-modules.ts). `pulumi up` is unchanged.
 */
const Module = require("node:module");
const path = require("node:path");

const PULUMI_SDK_DIR = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
let installed = false;

function deferPulumiSerialisationModules() {
  if (installed) return;
  installed = true;
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    const fromPulumi = parent && typeof parent.filename === "string" && parent.filename.includes(PULUMI_SDK_DIR);
    if (fromPulumi && (request === "@npmcli/arborist" || request.endsWith("/typescript-shim") || isAutomationApi(request, parent))) {
      return lazyModule(() => originalLoad.call(this, request, parent, isMain));
    }
    const closureExports = fromPulumi && closureModuleExports(request, parent);
    if (closureExports) return lazyFunctions(closureExports, () => originalLoad.call(this, request, parent, isMain));
    return originalLoad.call(this, request, parent, isMain);
  };
}

/** `@pulumi/pulumi`'s index requires its Automation API for `pulumi.automation`. */
function isAutomationApi(request, parent) {
  return request === "./automation" && parent.filename.endsWith(`${PULUMI_SDK_DIR}index.js`);
}

/**
 * `@pulumi/pulumi/runtime`'s index copies closure serialisation's functions onto its exports at import
 * (`exports.serializeFunction = serializeClosure_1.serializeFunction`), which loads fdir, normalize-package-data and
 * the SPDX lists (≈15 ms of a plan). The SDK's dynamic providers require the module themselves when they serialise.
 */
const CLOSURE_MODULE_EXPORTS = new Map([
  ["./closure/serializeClosure", ["serializeFunctionAsync", "serializeFunction"]],
  ["./closure/codePaths", ["computeCodePaths"]],
]);

function closureModuleExports(request, parent) {
  return parent.filename.endsWith(`${PULUMI_SDK_DIR}runtime${path.sep}index.js`) ? CLOSURE_MODULE_EXPORTS.get(request) : undefined;
}

/**
 * A module object whose functions `names` load the module when first called; any other property loads it when read
 * (a later SDK that copies more of the module's exports gets them as they are).
 */
function lazyFunctions(names, load) {
  let real;
  const target = () => (real ??= load());
  const functions = new Map(names.map((name) => [name, function (...args) { return target()[name].apply(this, args); }]));
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" && real === undefined ? true : functions.get(key) ?? Reflect.get(target(), key)),
      has: (_, key) => functions.has(key) || key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

/**
 * A module object that loads the module on first use. It says it is an ES module until then,
 * so TypeScript's `__importStar`/`__importDefault` helpers keep it as it is instead of copying
 * (and so loading) its properties at import.
 */
function lazyModule(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" && real === undefined ? true : Reflect.get(target(), key)),
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

module.exports = { deferPulumiSerialisationModules };
