/**
 * The project's TypeScript program, built once (scripts/docs/program.ts): it type-checks as `tsc --noEmit -p .`
 * would, and the API reference TypeDoc makes of it is the committed one (`npm run docs` regenerates it). One
 * program serves both because most of either's cost is parsing @pulumi/aws's declarations. The front end
 * (site/, DOM lib) is a program of its own. `npm run typecheck` runs tsc itself on both.
 */
import { readdirSync } from "node:fs";
import { join, posix } from "node:path";
import type ts from "typescript";
import { describe, expect, it } from "vitest";
import { componentIndex, componentPages, withComponentIndex } from "../scripts/docs/component-pages";
import { projectProgram, typeErrors } from "../scripts/docs/program";
import { freshReference, readTree, REFERENCE_DIR } from "../scripts/docs/reference";
import { PROJECT_ROOT, readProjectFile, STALE } from "./harness/docs";


let program: ts.Program | undefined;
const projectWide = () => (program ??= projectProgram(PROJECT_ROOT));
let reference: Promise<Map<string, string>> | undefined;
const fresh = () => (reference ??= freshReference(PROJECT_ROOT, projectWide()));

describe("type check", () => {
  it("tsc --noEmit -p . (the project) reports no errors", () => {
    expect(typeErrors(projectWide()), "tsc --noEmit -p .").toBe("");
  });

  it("tsc --noEmit -p site (the front end) reports no errors", () => {
    expect(typeErrors(projectProgram(join(PROJECT_ROOT, "site"))), "tsc --noEmit -p site").toBe("");
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
