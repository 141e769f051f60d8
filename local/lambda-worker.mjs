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
    const result = await handler(event, lambdaContext);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({
      id,
      ok: false,
      error: { errorType: error?.name ?? "Error", errorMessage: error?.message ?? String(error), stack: error?.stack },
    });
  }
});
