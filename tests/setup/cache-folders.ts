/**
 * The type check's build info and the test run's shared records, as small functions tests/setup/cache-folders.test.ts
 * pins (the transform cache's are in transform-cache.mts, which vitest.config.mts loads as ES modules): a cache is
 * best effort (a folder it cannot write costs time, never a failure), and a shared record is the first writer's for
 * everyone.
 */
import { createHash, randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Whether files can be made in `folder` (made first if missing): a probe file, since a read-only mount or a full disk passes a permission check. */
export function writableFolder(folder: string): boolean {
  try {
    mkdirSync(folder, { recursive: true });
    const probe = join(folder, `.probe-${process.pid}-${randomUUID()}`);
    writeFileSync(probe, "");
    unlinkSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * tsc's arguments for an incremental check of `project` (an absolute path) with the caches' folder `cache`
 * (undefined: SERVERLESS_FULLSTACK_CACHE_DIR=off). tsc fails the whole check (TS5033) when it cannot write its build
 * info, so where the folder is not writable the check runs without one.
 */
export function incrementalArgs(cache: string | undefined, project: string, writable: (folder: string) => boolean = writableFolder): string[] {
  if (!cache) return [];
  const folder = join(cache, "tsc");
  if (!writable(folder)) return [];
  const name = createHash("sha256").update(project).digest("hex").slice(0, 16);
  return ["--incremental", "--tsBuildInfoFile", join(folder, `${name}.tsbuildinfo`)];
}

/** tsc's output without its complaint that it could not write the build info (a disk filled during the check): that is no type error. */
export function withoutBuildInfoErrors(output: string): string {
  return output
    .split("\n")
    .filter((line) => !/^error TS5033: Could not write file '.*\.tsbuildinfo'/.test(line.trim()))
    .join("\n")
    .trim();
}

/**
 * `text` recorded at `file` unless another writer got there first, and the record's text either way: written whole
 * under a name of its own, then linked to `file` (link fails with EEXIST rather than replacing, unlike rename), so the
 * first whole record wins and every writer gets that one (read back only by those that lost). Where it cannot be
 * written (no folder, a full disk), `text` itself.
 */
export function recordFirst(file: string, text: string): string {
  const partial = `${file}.${process.pid}.${randomUUID()}`;
  try {
    writeFileSync(partial, text);
    linkSync(partial, file);
    return text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return text;
  } finally {
    rmSync(partial, { force: true });
  }
  return readFileSync(file, "utf8");
}

/** `resources` in URN order: a run's registration order differs between a cold and a warm bundle cache (audit review 56), its URNs do not. */
export function byUrn<T extends { urn: string }>(resources: readonly T[]): T[] {
  return [...resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}
