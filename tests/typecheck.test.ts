/**
 * The type check: TypeScript 7's native compiler (the `typescript-native` dev dependency, `tsc --noEmit` as `npm run
 * typecheck` runs it) over the project and over the front end (site/, DOM lib), each a program of its own.
 *
 * The API reference: docs/reference/ must be what TypeDoc makes of the current exports. TypeDoc needs TypeScript 5's
 * compiler API and a program of the whole project (≈15 CPU-seconds); docs/reference-stamp.json, written by `npm run
 * docs`, records what the committed pages were made from, and while every source it lists is unchanged the committed
 * pages are the fresh ones (scripts/docs/reference-stamp.ts). Otherwise TypeDoc runs and its pages are compared.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, posix } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { defaultCacheDir } from "../components/lambda/bundle-cache";
import { componentIndex, componentPages, withComponentIndex } from "../scripts/docs/component-pages";
import { freshReference, readTree, REFERENCE_DIR } from "../scripts/docs/reference";
import { committedReferenceIsCurrent } from "../scripts/docs/reference-stamp";
import { PROJECT_ROOT, readProjectFile, STALE } from "./harness/docs";
import { incrementalArgs, withoutBuildInfoErrors } from "./setup/cache-folders";

const NATIVE_TSC = join(PROJECT_ROOT, "node_modules", "typescript-native", "bin", "tsc");

/**
 * What `tsc --noEmit -p <project>` prints: empty when the project type-checks. Single-threaded: the suite keeps both
 * cores busy, and the native compiler's parallel checkers cost about a third more CPU for the same check (5 vs 6.7
 * CPU-seconds on this project, measured alone).
 */
async function typeErrors(project: string): Promise<string> {
  try {
    await promisify(execFile)(process.execPath, [NATIVE_TSC, "--noEmit", "--pretty", "false", "--singleThreaded", ...incremental(project), "-p", project], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
    return "";
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    const output = `${stdout ?? ""}${stderr ?? ""}`.trim();
    return output ? withoutBuildInfoErrors(output) : message;
  }
}

/**
 * With the offline caches' folder (SERVERLESS_FULLSTACK_CACHE_DIR; `off`: none), an incremental check: tsc keeps each
 * file's hash, its dependencies and its diagnostics in a build-info file there, one per checkout and project, and the
 * next run checks again only what the changed files can affect, reporting the kept diagnostics of the rest (the
 * project: ≈6.3 CPU-seconds checked afresh, ≈3.1 with nothing changed; issue 15). A build info of other options or
 * another compiler version, or one it cannot read, makes tsc check everything and write it anew; a folder it could
 * not write to would fail the check, so there the check is a full one (incrementalArgs).
 */
function incremental(project: string): string[] {
  return incrementalArgs(defaultCacheDir(), join(PROJECT_ROOT, project));
}

let reference: Promise<Map<string, string>> | undefined;
const fresh = () => (reference ??= committedReferenceIsCurrent(PROJECT_ROOT) ? Promise.resolve(readTree(join(PROJECT_ROOT, REFERENCE_DIR))) : freshReference(PROJECT_ROOT));

describe("type check", () => {
  it("tsc --noEmit -p . (the project) reports no errors", async () => {
    expect(await typeErrors("."), "tsc --noEmit -p .").toBe("");
  });

  it("tsc --noEmit -p site (the front end) reports no errors", async () => {
    expect(await typeErrors("site"), "tsc --noEmit -p site").toBe("");
  });
});

describe("API reference", () => {
  it("docs/reference/ is what TypeDoc makes of the current exports and their TSDoc", async () => {
    const generated = await fresh();
    const committed = readTree(join(PROJECT_ROOT, REFERENCE_DIR));
    expect([...committed.keys()].sort(), `the pages of ${REFERENCE_DIR}/ ${STALE}`).toEqual([...generated.keys()].sort());
    for (const [page, text] of generated) expect(committed.get(page), `${REFERENCE_DIR}/${page} ${STALE}`).toBe(text);
    expect(generated.get("components/classes/StaticSite.md")).toContain("StaticSiteArgs.md");
  });

  it("every exported component has a page under docs/components with every argument, default and output", async () => {
    const pages = componentPages(PROJECT_ROOT, await fresh());
    expect(pages.map((p) => p.component)).toEqual(expect.arrayContaining(["StaticSite", "EdgeLogic", "ServerlessApi", "DataTier", "UserAuth", "LambdaFunction"]));
    for (const page of pages) {
      expect(() => readProjectFile(page.path), `${page.path} is missing ${STALE}`).not.toThrow();
      expect(readProjectFile(page.path), `${page.path} ${STALE}`).toBe(page.text);
    }
    expect(readProjectFile("docs/components/lambda-function.md")).toMatch(/\| `memorySize\?` \| `number` \| `512` \| Memory in MB/);
  });

  it("docs/README.md lists every component and links every other page of docs/", async () => {
    const index = readProjectFile("docs/README.md");
    expect(index, `docs/README.md ${STALE}`).toBe(withComponentIndex(index, componentIndex(componentPages(PROJECT_ROOT, await fresh()))));
    const links = new Set([...index.matchAll(/\]\(([^)#]+\.md)/g)].map((m) => posix.normalize(m[1])));
    const topics = readdirSync(join(PROJECT_ROOT, "docs")).filter((file) => file.endsWith(".md") && file !== "README.md");
    for (const topic of topics) expect(links.has(topic), `docs/README.md does not link docs/${topic}: add it to a section`).toBe(true);
    for (const link of links) expect(() => readProjectFile(posix.join("docs", link)), `docs/README.md links ${link}`).not.toThrow();
  });
});
