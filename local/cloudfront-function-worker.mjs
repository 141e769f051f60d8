// Runs one CloudFront Function in a `node:vm` context of this worker thread's own; local/edge-runtime.ts
// (CloudFrontFunctionSandbox) is the other side. Plain JavaScript that loads node built-ins only.
//
// The caller waits for each answer synchronously: it sets `signal[0]` to RUNNING, posts the event on `port`, and
// sleeps in Atomics.wait until this thread has posted its reply and set ANSWERED; it reads the reply with
// receiveMessageOnPort. The caller's wait is also what stops runaway code: when no answer comes within the runaway
// timeout it terminates this thread (and compiles the function in a fresh one for the next invocation). When this
// thread ends first (its memory limit), the caller is woken through `lifeline`, which this thread holds and never
// uses: node closes it as the thread ends, and a watcher thread holding its other end tells the caller. So no vm
// timeout runs here: node's vm timeout starts a watchdog thread on every call (most of an invocation's cost), and
// where promise hooks are on, one that fires inside a microtask of the context's own queue aborts the process
// (nodejs/node#38503).
import { Script, createContext } from "node:vm";
import { workerData } from "node:worker_threads";

const RUNNING = 1;
const ANSWERED = 2;

/** Runs inside the context before the function: console, require('cloudfront') and the JSON bridge. */
const PRELUDE = `
var __logs = [];
var console = (function () {
  function write() { var parts = []; for (var i = 0; i < arguments.length; i++) parts.push(typeof arguments[i] === "string" ? arguments[i] : JSON.stringify(arguments[i])); __logs.push(parts.join(" ")); }
  return { log: write, info: write, warn: write, error: write, debug: write };
})();
var __kvsData = JSON.parse(__kvsJson);
var require = function (name) {
  if (name !== "cloudfront") throw new Error("Cannot find module '" + name + "': cloudfront-js-2.0 has no module '" + name + "' (only 'cloudfront')");
  return {
    kvs: function () {
      if (__kvsData === null) throw new Error("No KeyValueStore is associated with this function");
      function lookup(key) {
        if (!Object.prototype.hasOwnProperty.call(__kvsData, key)) throw new Error("Key " + key + " not found");
        return __kvsData[key];
      }
      return {
        get: function (key, options) {
          return new Promise(function (resolve) {
            var value = lookup(key);
            var format = options && options.format;
            resolve(format === "json" ? JSON.parse(value) : value);
          });
        },
        exists: function (key) { return Promise.resolve(Object.prototype.hasOwnProperty.call(__kvsData, key)); },
        meta: function () { return Promise.resolve({ creationDateTime: "1970-01-01T00:00:00Z", lastUpdatedDateTime: "1970-01-01T00:00:00Z", keyCount: Object.keys(__kvsData).length }); },
      };
    },
  };
};
`;

const INVOKE = `
__outcome = undefined; __logs = [];
(function () {
  function settle(ok, value) { __outcome = JSON.stringify({ ok: ok, value: ok ? value : String(value && value.stack || value) }); }
  try {
    var result = handler(JSON.parse(__event));
    if (result && typeof result.then === "function") result.then(function (v) { settle(true, v); }, function (e) { settle(false, e); });
    else settle(true, result);
  } catch (e) { settle(false, e); }
})();
`;

// `lifeline` is held here (as workerData is) until the thread ends: see above.
const { name, filename, source, kvsJson, signal: signalBuffer, port, lifeline } = workerData;
const signal = new Int32Array(signalBuffer);

/** Milliseconds of CPU this thread (or, on Node versions without `process.threadCpuUsage`, this process) has used. */
function cpuTimeMs() {
  const usage = typeof process.threadCpuUsage === "function" ? process.threadCpuUsage() : process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function answer(reply) {
  port.postMessage(reply);
  Atomics.store(signal, 0, ANSWERED);
  Atomics.notify(signal, 0);
}

/** An error thrown in the context, as its name and message (the caller rebuilds it). */
function describe(error) {
  try {
    if (error !== null && typeof error === "object" && typeof error.message === "string") return { name: String(error.name), message: error.message };
    return { name: "Error", message: String(error) };
  } catch {
    return { name: "Error", message: "threw a value that cannot be turned into a string" };
  }
}

// A null-prototype global: nothing in the context leads back to the host's Function constructor.
const sandboxGlobal = Object.create(null);
sandboxGlobal.__kvsJson = kvsJson;
// afterEvaluate: the context's own microtask queue, drained before runInContext returns, so an async handler has
// settled (or never will) when the reply is posted.
const context = createContext(sandboxGlobal, { codeGeneration: { strings: false, wasm: false }, name, microtaskMode: "afterEvaluate" });
const invokeScript = new Script(INVOKE, { filename: "cloudfront-invoke.js" });

Atomics.store(signal, 0, RUNNING);
Atomics.notify(signal, 0);
let compiled = false;
try {
  new Script(PRELUDE, { filename: "cloudfront-prelude.js" }).runInContext(context);
  delete sandboxGlobal.__kvsJson;
  new Script(source, { filename }).runInContext(context);
  if (new Script("typeof handler").runInContext(context) !== "function") answer({ error: { name: "Error", message: `${name}: the code defines no handler function` } });
  else compiled = true;
} catch (error) {
  answer({ error: describe(error) });
}

if (compiled) {
  answer({});
  port.on("message", (event) => {
    const cpuBefore = cpuTimeMs();
    let error;
    try {
      // Inside the try: the function's code can define a setter for the bridge's globals that throws.
      sandboxGlobal.__event = event;
      invokeScript.runInContext(context);
    } catch (thrown) {
      error = describe(thrown);
    }
    const computeMs = cpuTimeMs() - cpuBefore;
    // The function's code can also redefine the globals read back (a getter that answers differently each time, or
    // throws): each is read once, and what cannot cross is left out rather than lost with this thread (an exception
    // here would end it, and the caller would wait out the runaway timeout and blame an endless loop).
    let outcome;
    let logs = [];
    try {
      const settled = sandboxGlobal.__outcome;
      if (typeof settled === "string") outcome = settled;
      const logged = sandboxGlobal.__logs;
      if (Array.isArray(logged)) logs = logged;
    } catch (thrown) {
      error ??= describe(thrown);
    }
    try {
      answer({ outcome, logs, computeMs, error });
    } catch {
      answer({ outcome, logs: [], computeMs, error });
    }
  });
}
