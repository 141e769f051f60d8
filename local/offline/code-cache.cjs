"use strict";
/**
 * V8's code cache for the CommonJS modules of an offline run (`npm run plan`, `npm start`, benches), as Node 22's
 * `module.enableCompileCache()` keeps it (Node 20 has none): compiling the ≈1,000 modules of a run — the Pulumi
 * SDKs, the components, index.ts — is ≈15 % of a warm prod plan's CPU (issue 15). Each module is compiled with
 * the data V8 produced for it last time, functions compiled lazily during that run included.
 *
 * One file per entry script and working directory (a plan and `npm start` load different modules), in the offline
 * caches' folder (`<cache>/v8/`); read once at start, rewritten at exit when a module was new or changed. An entry
 * is used only for the exact source it was made from (sha1 of the text: V8 itself checks only its length), and V8
 * rejects data made by another version or with other flags. Modules are compiled as Node compiles them, wrapped
 * in the CommonJS function, with the same `require`; stack positions are unchanged. Not used under the inspector
 * (`--inspect-brk` stops on a module's first line through Node's own compile), nor in worker threads.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const FORMAT = 1;
/** Files kept (one per entry script, folder and node flags), the least recently written out first: each is ≈8 MB. */
const MAX_FILES = 16;
const WRAPPER_PREFIX = Module.wrapper[0];
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** Installs the cache under `root` (the offline caches' folder; undefined: none). */
function installCodeCache(root) {
  // Worker threads (npm start's functions) inherit the preload but not the main thread's modules: one writer per file.
  if (!root || !require("node:worker_threads").isMainThread || process.execArgv.some((flag) => flag.startsWith("--inspect")) || typeof vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER !== "symbol") return;
  const label = JSON.stringify([FORMAT, process.version, process.arch, process.execArgv, process.argv[1], process.cwd()]);
  const file = path.join(root, "v8", `${crypto.createHash("sha256").update(label).digest("hex")}.bin`);
  const known = readEntries(file);
  /** The entries this run used, by file: reused data, or the script to take new data from at exit. */
  const used = new Map();
  let changed = false;
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename, format) {
    if (format !== undefined && format !== "commonjs") return compile.apply(this, arguments);
    // Node (seen on 20.20) loses a script's dynamic-import callback when V8 accepts its cached data: `import()` in such
    // a module then throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING (e.g. `await import("typedoc")` on `npm run docs`'s
    // second run). Node compiles those modules itself; a mention in a comment or string only costs that module its cache.
    if (DYNAMIC_IMPORT.test(content)) return compile.apply(this, arguments);
    const hash = digest(content);
    const entry = known.get(filename);
    const cachedData = entry && entry.hash === hash ? entry.data : undefined;
    let script;
    try {
      script = new vm.Script(Module.wrap(content), {
        filename,
        cachedData,
        columnOffset: -WRAPPER_PREFIX.length,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch {
      // Not a CommonJS script (an ES module Node loads through require) or a syntax error: Node's own compile says which.
      return compile.apply(this, arguments);
    }
    if (cachedData && !script.cachedDataRejected) {
      used.set(filename, { hash, data: cachedData });
    } else {
      used.set(filename, { hash, script });
      changed = true;
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
  process.once("exit", () => {
    if (changed) writeEntries(file, used);
  });
}

/** The `require` Node gives a module (makeRequireFunction). */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Layout: uint32 length of a JSON index `[[file, sha1, bytes], ...]`, the index, then each entry's data in order. */
function readEntries(file) {
  const entries = new Map();
  try {
    const blob = fs.readFileSync(file);
    const indexBytes = blob.readUInt32LE(0);
    let at = 4 + indexBytes;
    for (const [filename, hash, bytes] of JSON.parse(blob.subarray(4, at).toString("utf8"))) {
      entries.set(filename, { hash, data: blob.subarray(at, at + bytes) });
      at += bytes;
    }
  } catch {
    entries.clear(); // absent, torn or foreign: compile everything anew
  }
  return entries;
}

function writeEntries(file, used) {
  // Best effort and atomic: a read-only or full disk only costs the next run its compiles.
  try {
    const index = [];
    const data = [];
    for (const [filename, entry] of used) {
      const bytes = entry.data ?? entry.script.createCachedData();
      index.push([filename, entry.hash, bytes.length]);
      data.push(bytes);
    }
    const indexBuffer = Buffer.from(JSON.stringify(index));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(indexBuffer.length);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, Buffer.concat([head, indexBuffer, ...data]));
    fs.renameSync(temporary, file);
    prune(path.dirname(file));
  } catch {
    /* the next run compiles anew */
  }
}

function prune(folder) {
  const files = fs.readdirSync(folder).filter((name) => name.endsWith(".bin"));
  if (files.length <= MAX_FILES) return;
  const byAge = files.map((name) => ({ name, at: fs.statSync(path.join(folder, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.at - b.at);
  for (const { name } of byAge.slice(0, files.length - MAX_FILES)) fs.rmSync(path.join(folder, name), { force: true });
}

function digest(text) {
  return crypto.hash ? crypto.hash("sha1", text, "base64") : crypto.createHash("sha1").update(text).digest("base64");
}

module.exports = { installCodeCache };
