/**
 * The generated parts of docs/ are current: run `npm run docs` after changing Pulumi.yaml, a stack file,
 * the TSDoc or exports of the package, or what index.ts builds.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { architectureBlock, withArchitecture } from "../scripts/docs/architecture";
import { componentIndex, componentPages, withComponentIndex } from "../scripts/docs/component-pages";
import { configTable, stackNames, withConfigTable } from "../scripts/docs/config-table";
import { freshReference, readTree, REFERENCE_DIR } from "../scripts/docs/reference";
import { runStacks } from "./stacks/run-stack";

const root = join(__dirname, "..");
const STALE = "is stale: run `npm run docs` and commit the result";
const read = (path: string) => readFileSync(join(root, path), "utf8");

// TypeDoc takes seconds: one fresh reference for the tests that compare against it.
let reference: Promise<Map<string, string>> | undefined;
const fresh = () => (reference ??= freshReference(root));

describe("generated docs", () => {
  it("docs/configuration.md lists every config key with its current type, default and per-stack value", () => {
    const doc = readFileSync(join(root, "docs", "configuration.md"), "utf8");
    expect(doc, `docs/configuration.md ${STALE}`).toBe(withConfigTable(doc, configTable(root)));
  });

  it("docs/reference/ is what TypeDoc makes of the current exports and their TSDoc", async () => {
    const generated = await fresh();
    const committed = readTree(join(root, REFERENCE_DIR));
    expect([...committed.keys()].sort(), `the pages of ${REFERENCE_DIR}/ ${STALE}`).toEqual([...generated.keys()].sort());
    for (const [page, text] of generated) expect(committed.get(page), `${REFERENCE_DIR}/${page} ${STALE}`).toBe(text);
    expect(generated.get("components/classes/StaticSite.md")).toContain("StaticSiteArgs.md");
  });

  it("every exported component has a page under docs/components with every argument, default and output", async () => {
    const pages = componentPages(root, await fresh());
    expect(pages.map((p) => p.component)).toEqual(expect.arrayContaining(["StaticSite", "EdgeLogic", "ServerlessApi", "DataTier", "UserAuth", "LambdaFunction"]));
    for (const page of pages) {
      expect(() => read(page.path), `${page.path} is missing ${STALE}`).not.toThrow();
      expect(read(page.path), `${page.path} ${STALE}`).toBe(page.text);
    }
    expect(read("docs/components/lambda-function.md")).toMatch(/\| `memorySize\?` \| `number` \| `512` \| Memory in MB/);
  });

  it("docs/README.md lists every component and links every other page of docs/", async () => {
    const index = read("docs/README.md");
    expect(index, `docs/README.md ${STALE}`).toBe(withComponentIndex(index, componentIndex(componentPages(root, await fresh()))));
    const links = new Set([...index.matchAll(/\]\(([^)#]+\.md)/g)].map((m) => posix.normalize(m[1])));
    const topics = readdirSync(join(root, "docs")).filter((file) => file.endsWith(".md") && file !== "README.md");
    for (const topic of topics) expect(links.has(topic), `docs/README.md does not link docs/${topic}: add it to a section`).toBe(true);
    for (const link of links) expect(() => read(posix.join("docs", link)), `docs/README.md links ${link}`).not.toThrow();
  });

  it("docs/architecture.md has the diagram of each stack's current graph", async () => {
    const stacks = stackNames(root);
    const runs = await runStacks(stacks);
    const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");
    const block = architectureBlock(stacks.map((stack) => ({ stack, graph: runs.get(stack)!.resources })));
    expect(doc, `docs/architecture.md ${STALE}`).toBe(withArchitecture(doc, block));
  });

  it("every relative link of a hand-written or component page of docs/ leads to a file", () => {
    const pages = [
      ...readdirSync(join(root, "docs")).filter((file) => file.endsWith(".md")),
      ...readdirSync(join(root, "docs", "components")).map((file) => posix.join("components", file)),
    ];
    for (const page of pages) {
      const text = read(posix.join("docs", page)).replace(/```[\s\S]*?```/g, "");
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const file = posix.join("docs", posix.dirname(page), target);
        expect(existsSync(join(root, file)), `docs/${page} links ${target}, which does not exist`).toBe(true);
      }
    }
  });

  it("every doc the README links to exists", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(() => readFileSync(join(root, link)), link).not.toThrow();
  });
});
