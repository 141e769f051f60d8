/**
 * `npm run docs`: regenerates the generated parts of docs/ (tests/docs.test.ts checks they are current):
 * - the config table of docs/configuration.md, from Pulumi.yaml and the stack files;
 * - docs/reference/, the argument reference, by TypeDoc from the TSDoc of the package's exports, and
 *   docs/reference-stamp.json, what it was made from (scripts/docs/reference-stamp.ts);
 * - the argument and output tables of each docs/components/ page (a page for each new component), and the
 *   component list of docs/README.md, from that reference;
 * - the diagrams of docs/architecture.md, from the recorded graph of each stack.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { runMain } from "./exit";
import { ensureLambdaNative } from "../local/lambda-native";
import { architectureBlock, withArchitecture } from "./docs/architecture";
import { configTable, stackNames, withConfigTable } from "./docs/config-table";
import { componentIndex, componentPages, withComponentIndex } from "./docs/component-pages";
import { generateReference, readTree, REFERENCE_DIR } from "./docs/reference";
import { referenceStamp, STAMP_FILE, stampText } from "./docs/reference-stamp";
import { runProgramOffline } from "../local/offline/program";
import type { Graph } from "../local/offline/graph";

const projectDir = resolve(__dirname, "..");

/** Each stack's recorded graph. index.ts registers its resources when first loaded, so each stack loads the program afresh. */
async function stackGraphs(stacks: readonly string[]): Promise<Array<{ stack: string; graph: Graph }>> {
  const graphs = [];
  for (const stack of stacks) {
    for (const file of Object.keys(require.cache)) {
      if (file.startsWith(projectDir + sep) && !file.includes(`${sep}node_modules${sep}`)) delete require.cache[file];
    }
    const run = await runProgramOffline({ stack, projectDir, load: () => require(join(projectDir, "index.ts")) });
    graphs.push({ stack, graph: run.resources });
  }
  return graphs;
}

async function main(): Promise<number> {
  ensureLambdaNative(projectDir);
  const configDoc = join(projectDir, "docs", "configuration.md");
  writeFileSync(configDoc, withConfigTable(readFileSync(configDoc, "utf8"), configTable(projectDir)));
  console.log("docs/configuration.md: config table regenerated");

  await generateReference(projectDir, join(projectDir, REFERENCE_DIR));
  writeFileSync(join(projectDir, STAMP_FILE), stampText(referenceStamp(projectDir)));
  console.log(`${REFERENCE_DIR}/: argument reference regenerated (${STAMP_FILE}: its sources)`);
  const pages = componentPages(projectDir, readTree(join(projectDir, REFERENCE_DIR)));
  for (const page of pages) writeFileSync(join(projectDir, page.path), page.text);
  const index = join(projectDir, "docs", "README.md");
  writeFileSync(index, withComponentIndex(readFileSync(index, "utf8"), componentIndex(pages)));
  console.log(`docs/components/: argument tables of ${pages.map((p) => p.component).join(", ")} regenerated; docs/README.md lists them`);

  const stacks = stackNames(projectDir);
  const architectureDoc = join(projectDir, "docs", "architecture.md");
  writeFileSync(architectureDoc, withArchitecture(readFileSync(architectureDoc, "utf8"), architectureBlock(await stackGraphs(stacks))));
  console.log(`docs/architecture.md: diagrams of ${stacks.join(", ")} regenerated`);
  return 0;
}

runMain(main);
