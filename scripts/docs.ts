/** `npm run docs`: regenerates the generated parts of docs/ (tests/docs.test.ts checks they are current). */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configTable, withConfigTable } from "./docs/config-table";

const projectDir = resolve(__dirname, "..");
const configDoc = join(projectDir, "docs", "configuration.md");
writeFileSync(configDoc, withConfigTable(readFileSync(configDoc, "utf8"), configTable(projectDir)));
console.log("docs/configuration.md: config table regenerated");
