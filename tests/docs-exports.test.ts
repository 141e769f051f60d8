/**
 * Everything the docs import from the package is exported by it: every `import { … } from "serverless-fullstack…"`
 * in README.md and docs/, checked against what the package's entry points export at runtime (as a consumer loads them),
 * and every constant the generated reference names as a value (TypeDoc prints an initializer as written, so a limit
 * built from a module-private constant shows a name the reader cannot import).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const entries: Record<string, string> = {
  "serverless-fullstack": "entry/index.js",
  "serverless-fullstack/testing": "entry/testing.js",
  "serverless-fullstack/local": "entry/local.js",
};

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? markdownFiles(join(dir, entry.name)) : entry.name.endsWith(".md") ? [join(dir, entry.name)] : [],
  );
}

/** `[module, name, file]` for each value (not `type`) import from the package. */
function documentedImports(): Array<[string, string, string]> {
  const found: Array<[string, string, string]> = [];
  for (const file of [join(root, "README.md"), ...markdownFiles(join(root, "docs"))]) {
    for (const match of readFileSync(file, "utf8").matchAll(/import\s*\{([^}]*)\}\s*from\s*"(serverless-fullstack(?:\/\w+)?)"/g)) {
      for (const raw of match[1].split(",")) {
        const name = raw.trim().split(/\s+as\s+/)[0];
        if (name && !name.startsWith("type ")) found.push([match[2], name, file.slice(root.length + 1)]);
      }
    }
  }
  return found;
}

describe("the docs use only what the package exports", () => {
  it("finds every documented import in the entry point's exports", () => {
    const load = createRequire(__filename);
    const imports = documentedImports();
    expect(imports.length).toBeGreaterThan(10);
    const missing = imports.filter(([module, name]) => {
      expect(entries[module], `${module} is not an entry point of the package`).toBeDefined();
      return !(name in (load(join(root, entries[module])) as Record<string, unknown>));
    });
    expect(missing).toEqual([]);
  });

  it("names, as a reference table's value, only constants the package exports", () => {
    const load = createRequire(__filename);
    const exported = new Set(Object.values(entries).flatMap((entry) => Object.keys(load(join(root, entry)) as Record<string, unknown>)));
    const named: Array<[string, string]> = [];
    for (const file of markdownFiles(join(root, "docs", "reference"))) {
      // A table row's value column: `| name | type | value | … |`, the value an UPPER_SNAKE name (or a member of one).
      for (const match of readFileSync(file, "utf8").matchAll(/^\|[^|\n]*\|[^|\n]*\| `([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:\.\w+)*` \|/gm)) {
        named.push([match[1], file.slice(root.length + 1)]);
      }
    }
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter(([name]) => !exported.has(name))).toEqual([]);
  });
});
