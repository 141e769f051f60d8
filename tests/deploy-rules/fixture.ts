/**
 * Failing fixtures for the deploy rules: each is a graph AWS would reject for one reason — a
 * recording of a real component with one thing changed, or (where the rule is about a single
 * resource) a hand-built resource list — and the findings it must produce.
 */
import type { RecordedResource } from "../../local/offline/mocks";
import { checkPlanTransition, readSavedPlan, toSavedPlan, type DeployFinding, type DeployRuleContext, type StackPlan } from "../../testing/deploy-rules";

export interface ExpectedFinding {
  /** `type name`, as findings name resources. */
  resource: string;
  problem: RegExp;
  stack?: string;
  /** How many findings of exactly this kind the fixture produces (1 unless given). */
  count?: number;
}

export interface RuleFixture {
  rule: string;
  title: string;
  context?: Partial<DeployRuleContext>;
  build(): Promise<RecordedResource[]> | RecordedResource[];
  /** Exactly these findings, and nothing by any other rule (see `matches`). */
  expected: ExpectedFinding[];
}

export interface ProjectFixture {
  rule: string;
  title: string;
  build(): Promise<StackPlan[]> | StackPlan[];
  expected: ExpectedFinding[];
}

export const devContext: DeployRuleContext = { stack: "dev", production: false, region: "us-east-1" };

/** A resource as the recording mocks would have registered it, for rules about one resource's inputs. */
export function handBuilt(type: string, name: string, inputs: Record<string, any>, more: Partial<RecordedResource> = {}): RecordedResource {
  const id = more.id ?? `${name}-id`;
  return {
    type,
    name,
    urn: `urn:pulumi:dev::fixture::${type}::${name}`,
    custom: true,
    inputs,
    state: { ...inputs, ...more.state },
    id,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    ...more,
  };
}

/** `r` with `patch` merged into its inputs (recorded resources are shared between fixtures: never mutate them). */
export function withInputs(r: RecordedResource, patch: Record<string, any>): RecordedResource {
  return { ...r, inputs: { ...r.inputs, ...patch } };
}

/** Memoises a recording, so fixtures built on the same component record it once per test file. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= build());
}

/** once for each list of arguments `build` is given (told apart by their JSON), so a file records each arrangement once. */
export function onceEach<A extends unknown[], T>(build: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const made = new Map<string, () => Promise<T>>();
  return (...args) => {
    const key = JSON.stringify(args);
    if (!made.has(key)) made.set(key, once(() => build(...args)));
    return made.get(key)!();
  };
}

export const of = (type: string) => (r: RecordedResource) => r.type === type;

/**
 * `findings` are exactly `expected`: every finding is of `rule`, each expected finding is found as
 * often as its `count` (1 unless given), and no finding of `rule` is left over — so a rule that reports
 * a finding twice, or on a resource the fixture did not name, fails its fixture. Findings are paired
 * with expectations by a maximum matching, so the order of either list does not matter and a broad
 * problem pattern cannot take the finding a narrower one needed.
 */
export function matches(rule: string, findings: DeployFinding[], expected: ExpectedFinding[]): string[] {
  const problems: string[] = [];
  for (const f of findings.filter((x) => x.rule !== rule)) problems.push(`unexpected ${f.rule} finding: ${f.resource}: ${f.problem}`);
  const ofRule = findings.filter((f) => f.rule === rule);
  const slots = expected.flatMap((e) => Array.from({ length: e.count ?? 1 }, () => e));
  const fits = (e: ExpectedFinding, f: DeployFinding) => f.resource === e.resource && e.problem.test(f.problem) && (e.stack === undefined || f.stack === e.stack);
  // Kuhn's augmenting paths: slotOf[finding] is the expected slot the finding fills.
  const slotOf = new Array<number | undefined>(ofRule.length).fill(undefined);
  const place = (slot: number, seen: Set<number>): boolean => {
    for (let i = 0; i < ofRule.length; i++) {
      if (seen.has(i) || !fits(slots[slot], ofRule[i])) continue;
      seen.add(i);
      if (slotOf[i] === undefined || place(slotOf[i]!, seen)) {
        slotOf[i] = slot;
        return true;
      }
    }
    return false;
  };
  const unfilled = slots.filter((_, slot) => !place(slot, new Set()));
  for (const [i, f] of ofRule.entries()) if (slotOf[i] === undefined) problems.push(`unexpected ${rule} finding: ${f.resource}: ${f.problem}`);
  const found = ofRule.map((f) => `${f.resource}: ${f.problem}`).join(" | ") || "(none)";
  for (const e of unfilled) problems.push(`missing ${rule} finding on ${e.resource} matching ${e.problem}; found: ${found}`);
  return problems;
}

/** The context the transition tests compare prod plans in. */
export const transitionContext = { stack: "prod", region: "us-east-1" };
/** The transition findings of an update from the plan `before` to `after`. */
export const transition = (before: RecordedResource[], after: RecordedResource[]) => checkPlanTransition(before, after, transitionContext);
/** Each finding of that update as [rule, resource]. */
export const rules = (before: RecordedResource[], after: RecordedResource[]) => transition(before, after).map((f) => [f.rule, f.resource]);
/** `graph` as `npm run plan -- --save` writes it and `--since` reads it back. */
export const saved = (graph: RecordedResource[]) => readSavedPlan(JSON.stringify(toSavedPlan(graph, transitionContext))).resources;
