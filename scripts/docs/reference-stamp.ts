/**
 * docs/reference-stamp.json: what the committed docs/reference/ was generated from, written by `npm run docs`. TypeDoc
 * builds the whole TypeScript program (≈15 CPU-seconds, most of it parsing @pulumi/aws's declarations); the stamp lets
 * the docs test skip that when nothing TypeDoc reads has changed, as a build cache skips an unchanged step.
 *
 * Its sources are every project file TypeDoc's output can depend on, by content hash:
 * - the files the entry points import, transitively (imports, `import()` types, triple-slash references), resolved as
 *   the compiler resolves them with the project's tsconfig (its `paths` included), stopping at node_modules;
 * - every project file that can change types from outside that closure: declaration files, files with
 *   `declare global`, `declare module` or `declare namespace`, and scripts (files without an import or export,
 *   whose declarations are global);
 * - tsconfig.json, package.json (TypeDoc reads `typedocOptions` there), typedoc.json and tsdoc.json when present,
 *   package-lock.json, the installed version of every package package.json names (node_modules can differ from the
 *   lockfile), and the generator itself (this folder).
 * The pages are stamped by one hash of their paths and contents. A stamp that matches in every source and in the pages
 * says the committed pages are what `npm run docs` made of these very sources; anything else means generate again.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import ts from "typescript";
import { ENTRY_POINTS, readTree, REFERENCE_DIR } from "./reference";

export const STAMP_FILE = join("docs", "reference-stamp.json");

export interface ReferenceStamp {
  /** Project-relative path (with `/`) → sha256 of its contents. */
  sources: Record<string, string>;
  /** sha256 of the generated pages, paths and contents. */
  pages: string;
}

const GENERATOR_DIR = __dirname;
const ALWAYS = ["tsconfig.json", "package.json", "package-lock.json", "typedoc.json", "tsdoc.json"];
const AMBIENT = /\bdeclare\s+(global|module|namespace)\b/;
/** A module has a top-level import or export; a file without one is a script, whose declarations are global. */
const MODULE_SYNTAX = /^\s*(import|export)\b/m;

/** The stamp of the project's current sources and of the pages in `pagesDir` (docs/reference/ unless given). */
export function referenceStamp(projectDir: string, pagesDir = join(projectDir, REFERENCE_DIR)): ReferenceStamp {
  return { sources: sourceHashes(projectDir), pages: treeHash(readTree(pagesDir)) };
}

/** Whether the committed pages are what the committed stamp says they were generated from, with today's sources. */
export function committedReferenceIsCurrent(projectDir: string): boolean {
  const stampPath = join(projectDir, STAMP_FILE);
  if (!existsSync(stampPath) || !existsSync(join(projectDir, REFERENCE_DIR))) return false;
  const recorded = JSON.parse(readFileSync(stampPath, "utf8")) as ReferenceStamp;
  return sameStamp(recorded, referenceStamp(projectDir));
}

export function sameStamp(a: ReferenceStamp, b: ReferenceStamp): boolean {
  const keys = Object.keys(a.sources);
  return a.pages === b.pages && keys.length === Object.keys(b.sources).length && keys.every((key) => a.sources[key] === b.sources[key]);
}

export function stampText(stamp: ReferenceStamp): string {
  const sources = Object.fromEntries(Object.entries(stamp.sources).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `${JSON.stringify({ sources, pages: stamp.pages }, null, 2)}\n`;
}

function sourceHashes(projectDir: string): Record<string, string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(projectDir, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!parsed) throw new Error(`${join(projectDir, "tsconfig.json")} could not be read`);
  const files = new Set<string>();
  for (const file of importClosure(ENTRY_POINTS.map((entry) => join(projectDir, entry)), parsed.options)) files.add(file);
  for (const file of parsed.fileNames) {
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".d.ts") || AMBIENT.test(text) || !MODULE_SYNTAX.test(text)) files.add(file);
  }
  for (const file of ALWAYS) files.add(join(projectDir, file));
  const hashes: Record<string, string> = {};
  for (const file of files) hashes[relative(projectDir, file).split(sep).join("/")] = existsSync(file) ? sha256(readFileSync(file)) : "absent";
  for (const [name, version] of Object.entries(installedVersions(projectDir))) hashes[`installed:${name}`] = version;
  // The generator, named by its place in this repository (a fixture project's stamp reads the same files).
  for (const file of readdirSync(GENERATOR_DIR)) if (file.endsWith(".ts")) hashes[`scripts/docs/${file}`] = sha256(readFileSync(join(GENERATOR_DIR, file)));
  return hashes;
}

/** The version node_modules holds of each package package.json names ("absent" when not installed). */
function installedVersions(projectDir: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const names = new Set(["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].flatMap((field) => Object.keys(manifest[field] ?? {})));
  const versions: Record<string, string> = {};
  for (const name of [...names].sort()) {
    const installed = join(projectDir, "node_modules", name, "package.json");
    versions[name] = existsSync(installed) ? String((JSON.parse(readFileSync(installed, "utf8")) as { version?: string }).version) : "absent";
  }
  return versions;
}

/** The project files `roots` import, transitively, as the compiler resolves them; packages (node_modules) end the walk. */
function importClosure(roots: string[], options: ts.CompilerOptions): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    const info = ts.preProcessFile(text, true, true);
    for (const { fileName } of info.importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule;
      if (resolved && !resolved.isExternalLibraryImport && !resolved.resolvedFileName.includes(`${sep}node_modules${sep}`)) pending.push(resolved.resolvedFileName);
    }
    for (const { fileName } of info.referencedFiles) pending.push(isAbsolute(fileName) ? fileName : join(dirname(file), fileName));
  }
  return seen;
}

function treeHash(tree: Map<string, string>): string {
  const hash = createHash("sha256");
  for (const [path, text] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path.split(sep).join("/")}\0${text}\0`);
  return hash.digest("hex");
}

function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
