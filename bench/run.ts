/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line)
 * and prints each as a table. Each benchmark measures its baseline in the same run and
 * reports ratios against it; nothing here asserts timings.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureLambdaNative } from "../local/lambda-native";

export interface BenchTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Lines printed under the table: targets and whether they were met. */
  notes?: string[];
}

export type Benchmark = () => Promise<BenchTable[]>;

export function formatTable(table: BenchTable): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : cell)))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => String(row[i] ?? "").length)));
  const line = (row: Array<string | number>) => row.map((cell, i) => String(cell).padEnd(widths[i])).join("  ");
  return [`## ${table.title}`, line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line), ...(table.notes ?? []).map((n) => `  ${n}`)].join("\n");
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

async function main(): Promise<void> {
  // Lambda runs Node 22; only these Node 20 processes would print the AWS SDK's version notice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // Before the benches start programs, several at a time.
  ensureLambdaNative(process.cwd());
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
    .sort();
  if (files.length === 0) throw new Error(`No benchmarks match ${only.join(", ")}. Available: ${readdirSync(__dirname).filter((f) => f.endsWith(".bench.ts")).join(", ")}`);
  for (const file of files) {
    console.log(`\n# ${file}`);
    const { run } = require(join(__dirname, file)) as { run: Benchmark };
    for (const table of await run()) console.log(`\n${formatTable(table)}`);
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
