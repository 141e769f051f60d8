/**
 * A worker thread's module file as the URL `new Worker` takes: pathToFileURL encodes what a URL reads otherwise (a
 * project folder with `#` or `%` in its path; `new URL(file, "file://" + folder + "/")` took `#…` for a fragment and
 * `%xx` for an escape, and the worker did not start).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export function workerModuleUrl(folder: string, file: string): URL {
  return pathToFileURL(join(folder, file));
}
