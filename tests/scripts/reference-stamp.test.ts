/**
 * docs/reference-stamp.json (scripts/docs/reference-stamp.ts): the docs test takes the committed reference as fresh
 * only while everything TypeDoc's output depends on is unchanged. A fixture project in a temporary folder, stamped as
 * `npm run docs` stamps; each test changes one thing and expects the stamp to say so, or not.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { committedReferenceIsCurrent, referenceStamp, STAMP_FILE, stampText } from "../../scripts/docs/reference-stamp";

let project: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(project, path)), { recursive: true });
  writeFileSync(join(project, path), text);
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "sf-reference-stamp-"));
  write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "node20", moduleResolution: "node16", strict: true, paths: { "aws-sdk": ["./local/types/aws-sdk.d.ts"] } }, include: ["components/**/*.ts", "testing/**/*.ts", "tests/**/*.ts", "local/**/*.ts"] }));
  write("package-lock.json", '{ "lockfileVersion": 3 }\n');
  write("package.json", '{ "devDependencies": { "typedoc": "0.28.20" } }\n');
  write("node_modules/typedoc/package.json", '{ "name": "typedoc", "version": "0.28.20" }\n');
  write("components/index.ts", 'export { Site } from "./site";\nexport type Shape = import("./shape").Shape;\n');
  write("components/site.ts", "/** A site. */\nexport class Site {}\n");
  write("components/shape.ts", "export interface Shape { width: number }\n");
  write("components/unused.ts", "export const unused = 1;\n");
  write("testing/index.ts", 'import type { Api } from "aws-sdk";\nexport type Client = Api;\n');
  write("local/types/aws-sdk.d.ts", "export interface Api { call(): void }\n");
  write("tests/site.test.ts", 'import { Site } from "../components";\nnew Site();\n');
  write("docs/reference/README.md", "# Reference\n");
  write(STAMP_FILE, stampText(referenceStamp(project)));
});

describe("the reference stamp", () => {
  it("holds while nothing changed, and lists the entry points' imports (import types and `paths` included), not the other files", () => {
    expect(committedReferenceIsCurrent(project)).toBe(true);
    const sources = Object.keys(referenceStamp(project).sources);
    expect(sources).toEqual(expect.arrayContaining(["components/index.ts", "components/site.ts", "components/shape.ts", "testing/index.ts", "local/types/aws-sdk.d.ts", "tsconfig.json", "package-lock.json", "scripts/docs/reference.ts"]));
    expect(sources).not.toContain("components/unused.ts");
    expect(sources).not.toContain("tests/site.test.ts");
  });

  it.each([
    ["a module an entry point imports", "components/site.ts", "/** A site, documented anew. */\nexport class Site {}\n"],
    ["a module behind an import type", "components/shape.ts", "export interface Shape { width: number; height: number }\n"],
    ["a declaration file reached through tsconfig paths", "local/types/aws-sdk.d.ts", "export interface Api { call(): Promise<void> }\n"],
    ["a file elsewhere that declares globals", "tests/globals.ts", "declare global { interface Window { site: string } }\nexport {};\n"],
    ["the lockfile (TypeDoc's and every typed package's version)", "package-lock.json", '{ "lockfileVersion": 3, "packages": {} }\n'],
    ["the tsconfig", "tsconfig.json", JSON.stringify({ compilerOptions: { strict: false }, include: ["components/**/*.ts"] })],
    ["a committed page", "docs/reference/README.md", "# Reference, edited by hand\n"],
    ["a script elsewhere (no import or export: its declarations are global)", "tests/window.ts", "interface Window { site: string }\n"],
    ["package.json (TypeDoc's typedocOptions)", "package.json", '{ "devDependencies": { "typedoc": "0.28.20" }, "typedocOptions": { "excludePrivate": false } }\n'],
    ["a typedoc.json", "typedoc.json", '{ "excludePrivate": false }\n'],
    ["the installed version of a package (node_modules apart from the lockfile)", "node_modules/typedoc/package.json", '{ "name": "typedoc", "version": "0.28.21" }\n'],
  ])("is stale after a change to %s", (_what, path, text) => {
    write(path, text);
    expect(committedReferenceIsCurrent(project)).toBe(false);
  });

  it("still holds after a change to a file TypeDoc does not read (a test, a module no entry point imports)", () => {
    write("tests/site.test.ts", 'import { Site } from "../components";\nnew Site();\nnew Site();\n');
    write("components/unused.ts", "export const unused = 2;\n");
    expect(committedReferenceIsCurrent(project)).toBe(true);
  });

  it("is stale when the entry points import a new module", () => {
    write("components/extra.ts", "export const extra = 1;\n");
    expect(committedReferenceIsCurrent(project)).toBe(true);
    write("components/index.ts", 'export { Site } from "./site";\nexport type Shape = import("./shape").Shape;\nexport { extra } from "./extra";\n');
    expect(committedReferenceIsCurrent(project)).toBe(false);
  });

  it("is stale without a stamp", () => {
    const bare = mkdtempSync(join(tmpdir(), "sf-reference-stamp-bare-"));
    mkdirSync(join(bare, "docs", "reference"), { recursive: true });
    expect(committedReferenceIsCurrent(bare)).toBe(false);
  });
});
