/** For the tests that compare generated parts of docs/ with what `npm run docs` would write now. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const PROJECT_ROOT = join(__dirname, "..", "..");
/** How a failure says what to do about a stale generated file. */
export const STALE = "is stale: run `npm run docs` and commit the result";
/** A file of the project, by its path from the project's root. */
export const readProjectFile = (path: string): string => readFileSync(join(PROJECT_ROOT, path), "utf8");
