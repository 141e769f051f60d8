"use strict";
/**
 * A thrown value as text, for the local RDS Data API's refusals and answers (local/rds-data-server.ts), its worker's
 * replies (local/rds-data-worker.mjs) and the local SNS's fan-out log (local/services/topics.ts). CommonJS (types in
 * thrown-text.d.cts) because the worker imports it too: it is plain JavaScript, loaded without the TypeScript loader.
 */
const { inspect } = require("node:util");

/** Longest text a rendered value gives: it ends up in one line of a refusal or an HTTP answer. */
const LONGEST = 1000;

/**
 * An Error's message, or any object's `message` when it is a string: PGlite rejects with plain objects too (its file
 * system's emscripten ErrnoError is a class of its own, `{ name: "ErrnoError", errno }`, no Error and no message),
 * which `String(value)` and a template literal render as "[object Object]". Such a value is rendered as util.inspect
 * shows it, on one line (its class and fields: `ErrnoError { name: 'ErrnoError', errno: 44 }`); an Error with an empty
 * message as its name.
 * @param {unknown} value
 * @returns {string}
 */
function thrownText(value) {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    let message;
    try {
      message = value.message;
    } catch {
      // A getter that throws, a revoked proxy: rendered below.
    }
    if (typeof message === "string" && message !== "") return message;
    if (value instanceof Error) return value.name || "Error";
  }
  let text;
  try {
    text = inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > LONGEST ? `${text.slice(0, LONGEST)}…` : text;
}

module.exports = { thrownText };
