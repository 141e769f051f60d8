/**
 * The generated parts of docs/ are current: run `npm run docs` after changing Pulumi.yaml, a stack file,
 * the TSDoc or exports of the package, or what index.ts builds. The API reference and the component pages,
 * which TypeDoc makes from the project's program, are checked with the type check (tests/typecheck.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, readProjectFile, STALE } from "./harness/docs";
import { architectureBlock, withArchitecture } from "../scripts/docs/architecture";
import { configTable, stackNames, withConfigTable } from "../scripts/docs/config-table";
import { runStacks } from "./stacks/run-stack";


describe("generated docs", () => {
  it("docs/configuration.md lists every config key with its current type, default and per-stack value", () => {
    const doc = readFileSync(join(PROJECT_ROOT, "docs", "configuration.md"), "utf8");
    expect(doc, `docs/configuration.md ${STALE}`).toBe(withConfigTable(doc, configTable(PROJECT_ROOT)));
  });

  it("docs/architecture.md has the diagram of each stack's current graph", async () => {
    const stacks = stackNames(PROJECT_ROOT);
    const runs = await runStacks(stacks);
    const doc = readFileSync(join(PROJECT_ROOT, "docs", "architecture.md"), "utf8");
    const block = architectureBlock(stacks.map((stack) => ({ stack, graph: runs.get(stack)!.resources })));
    expect(doc, `docs/architecture.md ${STALE}`).toBe(withArchitecture(doc, block));
  });

  it("every relative link of a hand-written or component page of docs/ leads to a file", () => {
    const pages = [
      ...readdirSync(join(PROJECT_ROOT, "docs")).filter((file) => file.endsWith(".md")),
      ...readdirSync(join(PROJECT_ROOT, "docs", "components")).map((file) => posix.join("components", file)),
    ];
    for (const page of pages) {
      const text = readProjectFile(posix.join("docs", page)).replace(/```[\s\S]*?```/g, "");
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const file = posix.join("docs", posix.dirname(page), target);
        expect(existsSync(join(PROJECT_ROOT, file)), `docs/${page} links ${target}, which does not exist`).toBe(true);
      }
    }
  });

  it("every doc the README links to exists", () => {
    const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(() => readFileSync(join(PROJECT_ROOT, link)), link).not.toThrow();
  });
});
