/** The generated parts of docs/ are current: run `npm run docs` after changing Pulumi.yaml or a stack file. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configTable, withConfigTable } from "../scripts/docs/config-table";

const root = join(__dirname, "..");

describe("generated docs", () => {
  it("docs/configuration.md lists every config key with its current type, default and per-stack value", () => {
    const doc = readFileSync(join(root, "docs", "configuration.md"), "utf8");
    expect(doc, "docs/configuration.md is stale: run `npm run docs`").toBe(withConfigTable(doc, configTable(root)));
  });

  it("every doc the README links to exists", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(() => readFileSync(join(root, link)), link).not.toThrow();
  });
});
