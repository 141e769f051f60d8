/**
 * CloudFront Function code: read from a plain JavaScript file, with the function's
 * configuration baked in as `var CONFIG = {...};` (CloudFront Functions have no
 * environment). The deployed code and the code the local sandbox runs are the same
 * string, and its byte count is what CloudFront's 10 KB limit applies to.
 */
import { readFileSync } from "node:fs";
import { Script } from "node:vm";

/** `import cf from 'cloudfront';` — the one module import cloudfront-js-2.0 offers (the KeyValueStore helpers). */
const CLOUDFRONT_IMPORT = /^\s*import\s+([A-Za-z_$][\w$]*)\s+from\s+(['"])cloudfront\2\s*;?[ \t]*$/m;

/** The deployable code: the file, with `var CONFIG = <json>;` after its `cloudfront` import (if any). */
export function cloudFrontFunctionCode(source: string, config: Record<string, unknown>): string {
  const configLine = `var CONFIG = ${JSON.stringify(config)};\n`;
  const match = CLOUDFRONT_IMPORT.exec(source);
  if (!match) return configLine + source;
  const importLine = match[0].trim();
  return `${importLine}\n${configLine}${source.slice(0, match.index)}${source.slice(match.index + match[0].length)}`;
}

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
