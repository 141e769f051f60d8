"use strict";
/**
 * `node -r ./local/offline/register.cjs file.ts`: loads TypeScript for the offline runs
 * (`npm start`, `npm run plan`, `npm run bench`) at a fraction of ts-node's cost.
 *
 * Each `.ts` file is transpiled on its own by esbuild (already a dependency: it bundles the
 * Lambda code) to CommonJS, with the project's tsconfig.json — the module semantics
 * ts-node gives `pulumi up`, minus type checking, which stays in `npm test`
 * (`tsc --noEmit`), as with `ts-node/register/transpile-only`. The output is cached on
 * disk by content (SERVERLESS_FULLSTACK_CACHE_DIR, `off` for none; else
 * node_modules/.cache/serverless-fullstack), so a warm run starts no esbuild at all.
 *
 * Stack traces point at the TypeScript lines: each frame in a transpiled file is mapped,
 * as it is formatted, through that file's source map (parsed on first use) — no
 * source-map-support, which under ts-node re-read and re-mapped every frame of the
 * ~15,000 traces Pulumi captures in a run, and no `--enable-source-maps`, which parses the
 * maps of every JavaScript module loaded. The traces Pulumi takes of each resource's
 * construction site (`Resource.callsites`, for the engine's source positions, which the
 * mocks ignore) keep V8's positions.
 *
 * Two of `@pulumi/pulumi`'s imports load only when first used (lazy-modules.cjs), and every CommonJS module is
 * compiled with V8's code cache of the last run of the same script (code-cache.cjs).
 */
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const { SourceMap } = require("node:module");
const path = require("node:path");
const { installCodeCache } = require("./code-cache.cjs");
const { transpileTypeScript } = require("./transpile-ts.cjs");

const CACHE_FORMAT = 1;
const SOURCE_MAP_COMMENT = "\n//# sourceMappingURL=data:application/json;base64,";
/** Pulumi's construction-site traces (see above). */
const PULUMI_BOOKKEEPING = new Set(["callsites"]);

const cacheRoot = resolveCacheRoot();
const cacheDir = cacheRoot && path.join(cacheRoot, "ts");
const tsconfig = readTsconfig();
const optionsKey = JSON.stringify([CACHE_FORMAT, require("esbuild/package.json").version, tsconfig]);
/** Transpiled code by file, for its source map; parsed maps once a trace needs them. */
const compiled = new Map();
const sourceMaps = new Map();

function resolveCacheRoot() {
  const configured = process.env.SERVERLESS_FULLSTACK_CACHE_DIR;
  if (configured === "off") return undefined;
  return configured ? path.resolve(configured) : path.join(process.cwd(), "node_modules", ".cache", "serverless-fullstack");
}

/** The project's tsconfig.json as text: esbuild reads what matters to a lone file (target, class fields, decorators). */
function readTsconfig() {
  try {
    return fs.readFileSync(path.join(process.cwd(), "tsconfig.json"), "utf8");
  } catch {
    return "{}";
  }
}

function transpile(source, filename) {
  const key = createHash("sha256").update(optionsKey).update("\0").update(filename).update("\0").update(source).digest("hex");
  const cached = cacheDir && readCached(key);
  if (cached !== undefined) return cached;
  // esbuild loads on the first miss only.
  const code = transpileTypeScript(source, filename, tsconfig);
  if (cacheDir) writeCached(key, code);
  return code;
}

function readCached(key) {
  try {
    return fs.readFileSync(path.join(cacheDir, key.slice(0, 2), `${key}.js`), "utf8");
  } catch {
    return undefined;
  }
}

function writeCached(key, code) {
  // Best effort: a read-only or full disk only costs the next run a transpile.
  try {
    const dir = path.join(cacheDir, key.slice(0, 2));
    fs.mkdirSync(dir, { recursive: true });
    const temporary = path.join(dir, `${key}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, path.join(dir, `${key}.js`));
  } catch {
    /* cache write failed: nothing else depends on it */
  }
}

require("./lazy-modules.cjs").deferPulumiSerialisationModules();
installCodeCache(cacheRoot);

require.extensions[".ts"] = function loadTypeScript(module, filename) {
  const code = transpile(fs.readFileSync(filename, "utf8"), filename);
  compiled.set(filename, code);
  module._compile(code, filename);
};

Error.prepareStackTrace = function prepareStackTrace(error, callSites) {
  const bookkeeping = callSites.length > 0 && PULUMI_BOOKKEEPING.has(callSites[0].getFunctionName());
  let text = errorHeader(error);
  for (const site of callSites) text += `\n    at ${bookkeeping ? site : mappedCallSite(site)}`;
  return text;
};

function errorHeader(error) {
  try {
    return String(error);
  } catch {
    return "Error";
  }
}

function mappedCallSite(site) {
  const text = String(site);
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const map = file && line && column ? sourceMapOf(file) : undefined;
  const entry = map?.findEntry(line - 1, column - 1);
  if (!entry || entry.originalLine === undefined) return text;
  return text.replace(`${file}:${line}:${column}`, `${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
}

function sourceMapOf(file) {
  if (!sourceMaps.has(file)) {
    const code = compiled.get(file);
    const at = code === undefined ? -1 : code.lastIndexOf(SOURCE_MAP_COMMENT);
    let map;
    try {
      if (at >= 0) map = new SourceMap(JSON.parse(Buffer.from(code.slice(at + SOURCE_MAP_COMMENT.length).trim(), "base64").toString("utf8")));
    } catch {
      map = undefined; // a map esbuild did not write: leave the frame as V8 gave it
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}
