/**
 * `npm run plan -- --stack dev|prod`: the stand-in for `pulumi preview` where there is
 * no cloud. Runs index.ts under mocks with the stack's config and prints the resource
 * tree as `pulumi preview` would, a count by type, the outputs, and any config errors,
 * then the findings of the deploy rules (testing/deploy-rules: what AWS would reject at
 * `pulumi up`). Exits 1 when the config or the program is wrong, or a deploy rule fails.
 */
import { parseArgs } from "node:util";
import { countByType } from "../local/offline/graph";
import type { RecordedResource } from "../local/offline/mocks";
import { runProgramOffline } from "../local/offline/program";
import { StackConfigError } from "../local/offline/config";
import { checkDeployRules, formatFinding, planOf, type DeployFinding } from "../testing/deploy-rules";

/** `aws:s3/bucket:Bucket` → `aws:s3:Bucket`, as the Pulumi CLI prints types. */
export function displayType(type: string): string {
  const [pkg, module, name] = type.split(":");
  return module && name ? `${pkg}:${module.split("/")[0]}:${name}` : type;
}

export function renderTree(stackName: string, resources: readonly RecordedResource[]): string[] {
  const rows: Array<[string, string]> = [["pulumi:pulumi:Stack", stackName]];
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) {
    const parent = r.parent && resources.some((p) => p.urn === r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, index) => {
      const last = index === list.length - 1;
      rows.push([`${prefix}${last ? "└─ " : "├─ "}${displayType(r.type)}`, r.name]);
      walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(undefined, "");
  const width = Math.max(...rows.map(([t]) => t.length)) + 2;
  return [`     ${"Type".padEnd(width)}Name`, ...rows.map(([t, n]) => ` +   ${t.padEnd(width)}${n}`)];
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { stack: { type: "string", default: "dev" }, preview: { type: "boolean", default: false } } });
  const stack = values.stack!;
  console.log(`Previewing update (${stack}) offline, with Pulumi mocks${values.preview ? " in dry-run mode" : ""} and Pulumi.${stack}.yaml:\n`);
  let run;
  try {
    run = await runProgramOffline({ stack, preview: values.preview });
  } catch (error) {
    if (error instanceof StackConfigError) {
      console.error(`Config errors:\n${error.errors.map((e) => `  - ${e}`).join("\n")}`);
    } else {
      console.error(`The program failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
  const resources = run.resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
  for (const line of renderTree(`serverless-fullstack-${stack}`, resources)) console.log(line);

  console.log("\nResources by type:");
  for (const [type, count] of countByType(resources)) console.log(`  ${String(count).padStart(4)}  ${displayType(type)}`);
  console.log(`\nResources:\n    + ${resources.length + 1} to create`);

  console.log("\nOutputs:");
  for (const [key, value] of Object.entries(run.outputs)) console.log(`    ${key}: ${JSON.stringify(value)}`);
  for (const warning of run.config.warnings) console.log(`\nwarning: ${warning}`);

  // Deploy rules read resolved values; a dry run leaves outputs unknown, so they only run on the full plan.
  if (values.preview) return 0;
  const plan = planOf(run, isProductionStack(stack));
  return reportDeployFindings(checkDeployRules(plan.graph, plan.context), console.log);
}

/** Prints each deploy-rule finding (rule, resource, problem, fix); 1 when there is any, else 0. */
export function reportDeployFindings(findings: readonly DeployFinding[], print: (line: string) => void): number {
  if (findings.length === 0) {
    print("\nDeploy rules: no findings.");
    return 0;
  }
  print(`\nDeploy rules: ${findings.length} finding(s) AWS would reject or break at \`pulumi up\`:`);
  for (const f of findings) print(`  - ${formatFinding(f)}`);
  return 1;
}

/** The stacks this project deploys as production (stricter deploy rules, e.g. the Cognito email sender). */
export function isProductionStack(stack: string): boolean {
  return stack === "prod";
}

if (require.main === module) {
  main().then(
    // Exit once stdout is flushed: piped output (CI, tests) is written asynchronously, and process.exit drops what is still queued.
    (code) => process.stdout.write("", () => process.exit(code)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
