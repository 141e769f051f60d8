// Runs one bundled Lambda handler inside a worker thread, like one Lambda sandbox:
// the module is loaded once (cold start) and reused for later invocations (warm).
// Plain JavaScript so the worker needs no TypeScript loader.
import dns from "node:dns";
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";

// Step Functions' StartSyncExecution is sent to the endpoint's host with the prefix "sync-" (the operation's
// `endpoint.hostPrefix` in the SFN model, applied by the SDK to a custom endpoint too), so a handler's SFNClient
// reaching the local server through AWS_ENDPOINT_URL_SFN (http://127.0.0.1:<port>) asks for "sync-127.0.0.1", which
// resolves nowhere. In this sandbox only, that one name resolves as the endpoint's own host: the handler's code runs
// unchanged, as it does against AWS (sync-states.<region>.amazonaws.com).
// A value that is not a URL (a function's own environment may set one) leaves lookups alone, with a line in the
// function's log: the handler still loads, and its SFNClient fails on that endpoint as it would in AWS.
const sfnEndpoint = process.env.AWS_ENDPOINT_URL_SFN;
let sfnHostname;
if (sfnEndpoint) {
  try {
    sfnHostname = new URL(sfnEndpoint).hostname;
  } catch {
    console.error(`local runtime: AWS_ENDPOINT_URL_SFN is not a URL (${JSON.stringify(sfnEndpoint).slice(0, 200)}): the Step Functions "sync-" host prefix is not resolved in this sandbox`);
  }
}
if (sfnHostname) {
  const lookup = dns.lookup;
  // Host names compare without case (RFC 4343); URL already lower-cases the endpoint's.
  dns.lookup = function (host, options, callback) {
    return lookup.call(this, typeof host === "string" && host.toLowerCase() === `sync-${sfnHostname}` ? sfnHostname : host, options, callback);
  };
}

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

/** An error as the runtime reports it (Errors.js toRapidResponse): an Error by its name and message, anything else by its type. */
function describeError(error) {
  const isError = error instanceof Error || (error && typeof error.name === "string" && typeof error.message === "string" && typeof error.stack === "string");
  if (isError) return { errorType: error.name, errorMessage: error.message, stack: error.stack };
  try {
    return { errorType: typeof error, errorMessage: String(error) };
  } catch {
    return { errorType: "handled", errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack" };
  }
}

/** What keeps this thread alive for the runtime, not for the handler: the port to the parent. */
const RUNTIME_RESOURCES = new Set(["MessagePort", "CloseReq"]);

/** Resolves once nothing the handler started (timers, sockets, file reads) keeps the event loop alive. */
function whenEventLoopEmpty() {
  return new Promise((resolve) => {
    const check = () => (process.getActiveResourcesInfo().every((type) => RUNTIME_RESOURCES.has(type)) ? resolve() : setTimeout(check, 10).unref());
    setImmediate(check);
  });
}

/**
 * Runs the handler as the Node.js runtime does (aws-lambda-nodejs-runtime-interface-client, Runtime.js): it is called
 * with (event, context, callback); the invocation ends on the callback, on context.succeed/fail/done, or on the promise
 * the handler returns, whichever comes first. A value returned without a promise is not the result: the runtime answers
 * null once the event loop is empty (callbackWaitsForEmptyEventLoop).
 */
function runHandler(handler, event, lambdaContext) {
  return new Promise((resolve, reject) => {
    let finished = false;
    const succeed = (value) => {
      if (!finished) (finished = true), resolve(value);
    };
    // The runtime fails a call without an error as "handled" (CallbackContext.js: `if (err == null) done('handled')`).
    const fail = (error) => {
      if (!finished) (finished = true), reject(error ?? "handled");
    };
    const callback = (error, value) => (error === undefined || error === null ? succeed(value) : fail(error));
    Object.assign(lambdaContext, { succeed, fail, done: callback });
    let returned;
    try {
      returned = handler(event, lambdaContext, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (returned && typeof returned.then === "function") returned.then(succeed, fail);
    else whenEventLoopEmpty().then(() => succeed(null));
  });
}

// Events and results cross as JSON text, as they do between Lambda and its callers: the event (measured before it
// was sent, lambda-runtime.ts) is parsed here, and the result is serialised once, as the Node.js runtime serialises
// it (undefined → null, toJSON, undefined properties dropped), then measured against Lambda's synchronous response limit.
parentPort.on("message", async ({ id, event, context }) => {
  const deadline = Date.now() + context.timeoutMs;
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const handler = await loadHandler();
    const result = await runHandler(handler, JSON.parse(event), lambdaContext);
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
    const { errorType, errorMessage, stack } = describeError(error);
    failure(id, errorType, errorMessage, stack);
  }
});
