"use strict";
/**
 * One TypeScript file to CommonJS, on its own, as `ts-node --transpile-only` would: the esbuild settings shared by
 * the offline runs' loader (register.cjs) and the package's loader (entry/load.js). esbuild loads on first use.
 * register.cjs caches the output on disk: bump its CACHE_FORMAT when these settings change.
 */
let esbuild;

function transpileTypeScript(source, filename, tsconfigRaw) {
  esbuild ??= require("esbuild");
  return esbuild.transformSync(source, {
    loader: "ts",
    format: "cjs",
    target: "node20",
    platform: "node",
    sourcemap: "inline",
    sourcesContent: false,
    sourcefile: filename,
    tsconfigRaw,
    logLevel: "silent",
  }).code;
}

module.exports = { transpileTypeScript };
