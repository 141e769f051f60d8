/**
 * The generated parts of docs/ are current: run `npm run docs` after changing Pulumi.yaml, a stack file,
 * the TSDoc or exports of the package, or what index.ts builds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { architectureBlock, withArchitecture } from "../scripts/docs/architecture";
import { configTable, stackNames, withConfigTable } from "../scripts/docs/config-table";
import { freshReference, readTree, REFERENCE_DIR } from "../scripts/docs/reference";
import { runStacks } from "./stacks/run-stack";

const root = join(__dirname, "..");
const STALE = "is stale: run `npm run docs` and commit the result";

describe("generated docs", () => {
  it("docs/configuration.md lists every config key with its current type, default and per-stack value", () => {
    const doc = readFileSync(join(root, "docs", "configuration.md"), "utf8");
    expect(doc, `docs/configuration.md ${STALE}`).toBe(withConfigTable(doc, configTable(root)));
  });

  it("docs/reference/ is what TypeDoc makes of the current exports and their TSDoc", async () => {
    const fresh = await freshReference(root);
    const committed = readTree(join(root, REFERENCE_DIR));
    expect([...committed.keys()].sort(), `the pages of ${REFERENCE_DIR}/ ${STALE}`).toEqual([...fresh.keys()].sort());
    for (const [page, text] of fresh) expect(committed.get(page), `${REFERENCE_DIR}/${page} ${STALE}`).toBe(text);
    // A page per component, linked from the index, so the component pages can link to it.
    expect(fresh.get("components/classes/StaticSite.md")).toContain("StaticSiteArgs.md");
  });

  it("docs/architecture.md has the diagram of each stack's current graph", async () => {
    const stacks = stackNames(root);
    const runs = await runStacks(stacks);
    const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");
    const block = architectureBlock(stacks.map((stack) => ({ stack, graph: runs.get(stack)!.resources })));
    expect(doc, `docs/architecture.md ${STALE}`).toBe(withArchitecture(doc, block));
  });

  it("every doc the README links to exists", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(() => readFileSync(join(root, link)), link).not.toThrow();
  });
});
