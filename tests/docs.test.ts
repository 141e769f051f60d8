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

  it("every #anchor of a relative link in the README or a hand-written or component page of docs/ names a heading of its target", () => {
    const pages = [
      "README.md",
      ...readdirSync(join(PROJECT_ROOT, "docs")).filter((file) => file.endsWith(".md")).map((file) => posix.join("docs", file)),
      ...readdirSync(join(PROJECT_ROOT, "docs", "components")).map((file) => posix.join("docs", "components", file)),
    ];
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = withoutCode(readProjectFile(page));
      for (const [, target, anchor] of text.matchAll(/\]\(([^)#\s]*)#([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const file = target ? posix.join(posix.dirname(page), target) : page;
        if (!file.endsWith(".md") || !existsSync(join(PROJECT_ROOT, file))) continue;
        checked += 1;
        if (!headingAnchors(readProjectFile(file)).includes(anchor)) broken.push(`${page} links ${target}#${anchor}: ${file} has no such heading`);
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });

  it("every doc the README links to exists", () => {
    const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(() => readFileSync(join(PROJECT_ROOT, link)), link).not.toThrow();
  });
});

/** A page without its fenced code blocks, whose `](…)` and `#` lines are not links or headings. */
const withoutCode = (text: string): string => text.replace(/```[\s\S]*?```/g, "");

/**
 * The anchors of a page: GitHub's for its headings (github-slugger: lowercase, punctuation dropped, spaces to hyphens,
 * repeats numbered) and its explicit `<a id="…">` / `<a name="…">` (TypeDoc's property anchors).
 */
function headingAnchors(text: string): string[] {
  const seen = new Map<string, number>();
  const anchors = [...text.matchAll(/<a (?:id|name)="([^"]+)"/g)].map((match) => match[1]);
  for (const [, heading] of withoutCode(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const rendered = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    const slug = rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.push(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}
