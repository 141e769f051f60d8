/**
 * `npm run plan -- --stack dev|prod`: the stand-in for `pulumi preview` where there is
 * no cloud. Runs index.ts under mocks with the stack's config and prints the resource
 * tree as `pulumi preview` would, a count by type, the outputs, and any config errors,
 * then the findings of the deploy rules (testing/deploy-rules: what AWS would reject at
 * `pulumi up`). Exits 1 when the config or the program is wrong, or a deploy rule fails.
 *
 * `--save <file>` also writes the recorded plan (JSON) to a file; `--since <file>` compares a plan saved that way
 * (main's, say) with this one as a second `pulumi up` would apply the difference (checkPlanTransition) and exits 1 on
 * any finding, except those accepted after review with `--accept <Rule>:<urn>` (repeatable; each finding prints its own).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runMain } from "./exit";
import { countByType } from "../local/offline/graph";
import type { RecordedResource } from "../local/offline/mocks";
import { ensureLambdaNative } from "../local/lambda-native";
import { PROJECT_DIR, runProgramOffline } from "../local/offline/program";
import { StackConfigError } from "../local/offline/config";
import { acceptTransitionFindings, checkDeployRules, checkDeployWarnings, checkPlanTransition, checkPlanTransitionWarnings, DEPLOY_RULES, DEPLOY_WARNING_RULES, formatFinding, parseAcceptance, planOf, planUpdate, readSavedPlan, toSavedPlan, type DeployFinding, type SavedPlan, type TransitionFinding } from "../testing/deploy-rules";
import type { StackPlan } from "../testing/deploy-rules/rule";
import { parseAutonaming, rulesUnderAutonaming, warningRulesUnderAutonaming, type AutonamingConfig } from "../testing/deploy-rules/autonaming";

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

export interface PlanOptions {
  stack: string;
  preview: boolean;
  /** Write the recorded plan here (JSON). */
  save?: string;
  /** Compare the plan saved in this file (the deployed one) with this plan. */
  since?: string;
  /** Findings of the comparison accepted after review, `<Rule>:<urn>` each. */
  accept?: string[];
}

/** The command line of `npm run plan`; throws with what to change when it cannot be run as given. */
export function planOptions(args: string[]): PlanOptions {
  const { values } = parseArgs({
    args,
    options: { stack: { type: "string", default: "dev" }, preview: { type: "boolean", default: false }, save: { type: "string" }, since: { type: "string" }, accept: { type: "string", multiple: true } },
  });
  for (const option of ["save", "since"] as const) {
    if (values[option] === "") throw new Error(`--${option} needs a file name: npm run plan -- --stack ${values.stack} --${option} plan-${values.stack}.json`);
    // A dry run leaves outputs (ids, names) unknown, and the comparison reads them.
    if (values[option] !== undefined && values.preview) throw new Error(`--${option} reads resolved values, which --preview leaves unknown: drop --preview`);
  }
  const accept = values.accept ?? [];
  if (accept.length > 0 && !values.since) throw new Error(`--accept accepts findings of --since: npm run plan -- --stack ${values.stack} --since <file> --accept <Rule>:<urn>`);
  for (const entry of accept) parseAcceptance(entry);
  return { stack: values.stack!, preview: values.preview!, ...(values.save ? { save: values.save } : {}), ...(values.since ? { since: values.since } : {}), ...(accept.length > 0 ? { accept } : {}) };
}

async function main(): Promise<number> {
  let options: PlanOptions;
  let saved: SavedPlan | undefined;
  try {
    options = planOptions(process.argv.slice(2));
    // Read the saved plan first: a wrong file fails in a second, not after the program has run.
    if (options.since) saved = savedPlanFor(readFileSync(options.since, "utf8"), options.since, options.stack);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const stack = options.stack;
  console.log(`Previewing update (${stack}) offline, with Pulumi mocks${options.preview ? " in dry-run mode" : ""} and Pulumi.${stack}.yaml:\n`);
  let run;
  try {
    ensureLambdaNative(PROJECT_DIR);
    run = await runProgramOffline({ stack, preview: options.preview });
  } catch (error) {
    if (error instanceof StackConfigError) {
      console.error(`Config errors:\n${error.errors.map((e) => `  - ${e}`).join("\n")}`);
    } else {
      console.error(`The program failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
  // The engine reads pulumi:autonaming before the program runs and refuses a config it cannot read.
  const autonaming = parseAutonaming(run.config);
  if (autonaming.errors.length > 0) {
    console.error(`Config errors:\n${autonaming.errors.map((e) => `  - ${e}`).join("\n")}`);
    return 1;
  }
  const resources = run.resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
  for (const line of renderTree(`serverless-fullstack-${stack}`, resources)) console.log(line);

  console.log("\nResources by type:");
  for (const [type, count] of countByType(resources)) console.log(`  ${String(count).padStart(4)}  ${displayType(type)}`);
  console.log(`\nResources:\n    + ${resources.length + 1} to create`);

  console.log("\nOutputs:");
  // Sorted by name, as the Pulumi CLI prints a stack's outputs.
  for (const [key, value] of Object.entries(run.outputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) console.log(`    ${key}: ${JSON.stringify(value)}`);
  for (const warning of run.config.warnings) console.log(`\nwarning: ${warning}`);

  // Deploy rules read resolved values; a dry run leaves outputs unknown, so they only run on the full plan.
  if (options.preview) return 0;
  const plan = planOf(run, isProductionStack(stack));
  if (options.save) {
    writeFileSync(options.save, `${JSON.stringify(toSavedPlan(plan.graph, plan.context))}\n`);
    console.log(`\nSaved the plan to ${options.save} (compare a later plan with it: --since ${options.save}).`);
  }
  // The names the rules check are those the stack's pulumi:autonaming makes (testing/deploy-rules/autonaming.ts).
  const status = reportDeployFindings(checkDeployRules(plan.graph, plan.context, rulesUnderAutonaming(DEPLOY_RULES, autonaming.config)), console.log);
  reportDeployWarnings(checkDeployWarnings(plan.graph, plan.context, warningRulesUnderAutonaming(DEPLOY_WARNING_RULES, autonaming.config)), console.log);
  if (!saved) return status;
  return Math.max(status, reportSince(saved, plan, autonaming.config, { since: options.since!, accept: options.accept }, console.log));
}

/**
 * `--since`: the update from the `saved` plan (read from `options.since`) to `plan`, judged once (planUpdate: aliases
 * matched, replacements cascaded, and replaced delete-first where the stack's pulumi:autonaming, `naming`, makes the
 * engine do so) for the findings and the warnings; prints both, and returns 1 when a finding is left (not accepted).
 * The saved plan is read under the stack's region it was saved with, the plan under the current one, so a change of the
 * stack's `aws:region` moves every resource of the default provider; a plan saved without its region is read under the
 * current one.
 */
export function reportSince(saved: SavedPlan, plan: StackPlan, naming: AutonamingConfig | undefined, options: { since: string; accept?: string[] }, print: (line: string) => void): number {
  const context = { ...plan.context, deployedRegion: saved.region };
  const update = planUpdate(saved.resources, plan.graph, naming, context);
  const status = reportTransitionFindings(acceptTransitionFindings(checkPlanTransition(saved.resources, plan.graph, context, { update }), options.accept ?? []), options.since, print);
  reportTransitionWarnings(checkPlanTransitionWarnings(saved.resources, plan.graph, context, { update }), options.since, print);
  return status;
}

/** The saved plan in `json` (read from `file`), refused when it is another stack's. */
export function savedPlanFor(json: string, file: string, stack: string): SavedPlan {
  const saved = readSavedPlan(json, file);
  if (saved.stack !== stack) throw new Error(`${file} is the plan of stack ${saved.stack}, not ${stack}: compare plans of one stack (--stack ${saved.stack}, or save ${stack}'s plan with --save)`);
  return saved;
}

/**
 * Prints each finding of the comparison with the saved plan, with the `--accept` that accepts it after review, then the
 * findings accepted and the acceptances that matched none; 1 when a finding is left, else 0.
 */
export function reportTransitionFindings(
  { findings, accepted, unused }: ReturnType<typeof acceptTransitionFindings>,
  file: string,
  print: (line: string) => void,
): number {
  if (findings.length === 0) print(`\nSince ${file}: no findings.`);
  else {
    print(`\nSince ${file}: ${findings.length} finding(s) a \`pulumi up\` from that plan to this one would fail on or break:`);
    for (const f of findings) {
      print(`  - ${formatFinding(f)}`);
      print(`    accept after review: --accept ${f.rule}:${f.urn}`);
    }
  }
  if (accepted.length > 0) {
    print(`Accepted with --accept (${accepted.length}):`);
    for (const f of accepted) print(`  - ${formatFinding(f)}`);
  }
  for (const entry of unused) print(`warning: --accept ${entry} matches no finding of this comparison: drop it`);
  return findings.length > 0 ? 1 : 0;
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

/** Prints each finding of the warning rules (quotas an account may have raised, what can never work); never changes the exit status. */
export function reportDeployWarnings(warnings: readonly DeployFinding[], print: (line: string) => void): void {
  if (warnings.length === 0) return;
  print(`\nDeploy rule warnings (${warnings.length}): AWS refuses these unless the account's quota was raised, or takes them but they can never work; they never fail the plan:`);
  for (const w of warnings) print(`  - warning: ${formatFinding(w)}`);
}

/** Prints each transition warning (what AWS refuses only in a state no plan shows, such as where a database's instances are); never changes the exit status. */
export function reportTransitionWarnings(warnings: readonly DeployFinding[], file: string, print: (line: string) => void): void {
  if (warnings.length === 0) return;
  print(`\nSince ${file}: ${warnings.length} warning(s), what AWS refuses only in a state the plans do not show; they never fail the plan:`);
  for (const w of warnings) print(`  - warning: ${formatFinding(w)}`);
}

/** The stacks this project deploys as production (stricter deploy rules, e.g. the Cognito email sender). */
export function isProductionStack(stack: string): boolean {
  return stack === "prod";
}

if (require.main === module) runMain(main);
