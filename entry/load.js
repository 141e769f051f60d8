"use strict";
/**
 * How the package runs in a consumer's process: from its TypeScript sources, compiled on `require` by esbuild
 * (already a dependency: it bundles the Lambda code), the same way whether it came from the registry, a tarball
 * or a git URL. npm runs no install scripts for git dependencies any more (npm 11's allowlist), so a `prepare`
 * step cannot be relied on to build a `dist/`; running the sources needs no build at all, and one copy of every
 * module (the components, the spec registry the local runtime reads, the mocks) serves `serverless-fullstack`,
 * `/testing` and `/local` alike. `dist/` (from `npm pack`) holds only the declarations, for editors and `tsc`.
 *
 * The loader takes only this package's own `.ts` files (not its nested node_modules) and hands every other `.ts`
 * file to the loader that was there before — ts-node under `pulumi up`, so the consumer's program is compiled and
 * type-checked as before. Each file is transpiled on its own, as `ts-node --transpile-only` would, with this
 * package's tsconfig.json.
 */
const fs = require("node:fs");
const path = require("node:path");
const { transpileTypeScript } = require("../local/offline/transpile-ts.cjs");

const ROOT = path.resolve(__dirname, "..");
const NESTED_MODULES = path.join(ROOT, "node_modules") + path.sep;
/** One loader per copy of the package in the process (a second copy at another path gets its own). */
const INSTALLED = Symbol.for(`serverless-fullstack:typescript-loader:${ROOT}`);

function isOwnSource(filename) {
  return filename.startsWith(ROOT + path.sep) && !filename.startsWith(NESTED_MODULES);
}

function installTypeScriptLoader() {
  if (globalThis[INSTALLED]) return;
  globalThis[INSTALLED] = true;
  const tsconfigRaw = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
  const previous = require.extensions[".ts"];
  require.extensions[".ts"] = function loadTypeScript(module, filename) {
    if (!isOwnSource(filename)) {
      if (previous) return previous(module, filename);
      throw new Error(`${filename}: no TypeScript loader is registered for it. Run the program as Pulumi does (ts-node), or with \`npx serverless-fullstack start\`.`);
    }
    const code = transpileTypeScript(fs.readFileSync(filename, "utf8"), filename, tsconfigRaw);
    module._compile(code, filename);
  };
}

/** Loads `<package>/<modulePath>.ts` (e.g. "components/index"). */
function load(modulePath) {
  installTypeScriptLoader();
  return require(path.join(ROOT, `${modulePath}.ts`));
}

module.exports = { load, installTypeScriptLoader, ROOT };
