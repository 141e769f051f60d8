/**
 * CloudFront Function code: read from a plain JavaScript file, minified, with the function's
 * configuration baked in as `var CONFIG = {...};` (CloudFront Functions have no
 * environment). The deployed code and the code the local sandbox runs are the same
 * string, and its byte count is what CloudFront's 10 KB limit applies to.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Script } from "node:vm";
import { transformSync, type TransformOptions } from "esbuild";
import { defaultCacheDir, digest, writeAtomically } from "../lambda/bundle-cache";

/** `import cf from 'cloudfront';` — the one module import cloudfront-js-2.0 offers (the KeyValueStore helpers). */
const CLOUDFRONT_IMPORT = /^\s*import\s+([A-Za-z_$][\w$]*)\s+from\s+(['"])cloudfront\2\s*;?[ \t]*$/m;

/**
 * The deployable code: the file minified, with `var CONFIG = <json>;` after its `cloudfront`
 * import (if any). The source keeps its comments and names for readers; the function ships
 * without them (viewer-request: 3.6 KB → 2 KB, issue 15), as every byte is read at each
 * request and counts towards the 10 KB limit.
 */
export function cloudFrontFunctionCode(source: string, config: Record<string, unknown>): string {
  const configLine = `var CONFIG = ${JSON.stringify(config)};\n`;
  const match = CLOUDFRONT_IMPORT.exec(source);
  if (!match) return configLine + minifyScript(source);
  const importLine = match[0].trim();
  return `${importLine}\n${configLine}${minifyScript(source.slice(0, match.index) + source.slice(match.index + match[0].length))}`;
}

/**
 * Minified as a classic script, so top-level names (`handler`, the functions it calls) stay
 * as written. ES 5.1 syntax plus only what cloudfront-js-2.0 documents beyond it (let/const,
 * async/await, template literals), so the minifier never introduces syntax the runtime lacks:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html
 * Code esbuild cannot parse is returned as it is, for `codeProblem` to report.
 */
function minifyScript(source: string): string {
  const options: TransformOptions = {
    minify: true,
    target: "es5",
    supported: { "async-await": true, "const-and-let": true, "template-literal": true },
    legalComments: "none",
    logLevel: "silent",
  };
  // Cached on disk by content, with the bundles: a warm run then starts no esbuild process at all (≈0.1–0.3 s of
  // wall time before the first transform, issue 15). Code esbuild rejects is not cached: it is retried, and fails.
  const cacheDir = defaultCacheDir();
  const file = cacheDir && join(cacheDir, "minified", `${digest(JSON.stringify([ESBUILD_VERSION, options, source]))}.js`);
  if (file) {
    try {
      return readFileSync(file, "utf8");
    } catch {
      /* not cached yet */
    }
  }
  try {
    const code = transformSync(source, options).code;
    if (file) writeAtomically(file, code);
    return code;
  } catch {
    return source;
  }
}

const ESBUILD_VERSION = (require("esbuild/package.json") as { version: string }).version;

export function readFunctionSource(file: string): string {
  return readFileSync(file, "utf8");
}

/**
 * The code as a classic script for `node:vm`: the `cloudfront` import becomes a call
 * to the sandbox's `require`, which knows no other module. Any other `import` stays
 * and fails to compile, as it would fail to publish.
 */
export function sandboxScriptSource(code: string): string {
  return code.replace(CLOUDFRONT_IMPORT, (_, binding: string) => `var ${binding} = require("cloudfront");`);
}

/** Undefined when the code compiles and defines `handler`; otherwise what is wrong. */
export function codeProblem(code: string): string | undefined {
  try {
    new Script(sandboxScriptSource(code));
  } catch (error) {
    return `does not compile as cloudfront-js-2.0 code: ${(error as Error).message}`;
  }
  if (!/(^|[\s;])(async\s+)?function\s+handler\s*\(/.test(code)) return "defines no top-level `function handler(event)`";
  return undefined;
}

export function codeBytes(code: string): number {
  return Buffer.byteLength(code, "utf8");
}
