// Runs one bundled Lambda handler inside a worker thread, like one Lambda sandbox:
// the module is loaded once (cold start) and reused for later invocations (warm).
// Plain JavaScript so the worker needs no TypeScript loader.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";

let handlerPromise;

function loadHandler() {
  handlerPromise ??= import(pathToFileURL(workerData.file).href).then((mod) => {
    const fn = mod[workerData.handler];
    if (typeof fn !== "function") throw new Error(`${workerData.file} does not export a function named ${workerData.handler}`);
    return fn;
  });
  return handlerPromise;
}

/** Whether `text` is over `limit` bytes in UTF-8; counts the bytes only when its length cannot tell (≤ 3 bytes a UTF-16 unit). */
function overBytes(text, limit) {
  if (text.length > limit) return true;
  return text.length * 3 > limit && Buffer.byteLength(text) > limit;
}

const failure = (id, errorType, errorMessage, stack) => parentPort.postMessage({ id, ok: false, error: { errorType, errorMessage, stack } });

// Events and results cross as JSON text, as they do between Lambda and its callers: the event (measured before it
// was sent, lambda-runtime.ts) is parsed here, and the result is serialised once, as the Node.js runtime serialises
// it (undefined → null, toJSON, undefined properties dropped), then measured against Lambda's synchronous response limit.
parentPort.on("message", async ({ id, event, context }) => {
  const deadline = Date.now() + context.timeoutMs;
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {}, fail() {}, succeed() {},
  };
  try {
    const handler = await loadHandler();
    const result = await handler(JSON.parse(event), lambdaContext);
    let json;
    try {
      // A function or symbol serialises to undefined: nothing, like undefined.
      json = JSON.stringify(result === undefined ? null : result) ?? "null";
    } catch {
      failure(id, "Error", "Unable to stringify response body");
      return;
    }
    if (overBytes(json, workerData.largestResponseBytes)) {
      failure(id, "Function.ResponseSizeTooLarge", `Response payload size exceeded maximum allowed payload size (${workerData.largestResponseBytes} bytes).`);
      return;
    }
    parentPort.postMessage({ id, ok: true, json });
  } catch (error) {
    failure(id, error?.name ?? "Error", error?.message ?? String(error), error?.stack);
  }
});
