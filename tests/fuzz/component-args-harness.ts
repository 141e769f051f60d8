/**
 * The component-argument fuzz's harness (tests/fuzz/component-args*.test.ts): one set of recording mocks per file,
 * `construct` (one component, refused or recorded, its leftovers settled, a hang caught), the property
 * `refusedOrDeployable` (or, for a case known to plan a finding, the plan with exactly the findings expected), the must-accept property `accepted` (tests/fuzz/component-accept*.test.ts: no refusal, a clean
 * plan), fast-check's parameters from FUZZ_SEED / FUZZ_RUNS, and a tally printed when exploring.
 * Call `useComponentFuzz()` once at the top of a test file: it registers the file's hooks.
 */
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { afterAll, beforeAll, expect } from "vitest";
import type { DataTierArgs } from "../../components/data-tier";
import { ComponentArgError } from "../../components/errors";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import type { RecordedResource, RecordingMocks } from "../../local/offline/mocks";
import { checkDeployRules, formatFinding, type DeployRuleContext } from "../../testing/deploy-rules";
import { record, useMocks } from "../../testing/harness";
import { checkSecurityRules } from "../../testing/security-rules";
import { componentName, STACK_REGION } from "./component-args-arbitraries";

export const SEED = Number(process.env.FUZZ_SEED ?? 20260611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 0);
/** A ceiling for one construction, so a hang (an Output that never resolves) fails the run instead of the file; not a timing assertion. */
const RUN_CEILING_MS = Number(process.env.FUZZ_RUN_CEILING_MS ?? 60_000);
export const context: DeployRuleContext = { stack: "test", production: false, region: STACK_REGION };

export type Outcome = { refused: ComponentArgError } | { graph: RecordedResource[] };

/**
 * Security findings a documented opt-out asks for (`<rule> <type> <name>` of the resource): the user chose them, and the
 * security rules rightly report them. Deploy rules have no such list: AWS refuses what they find, whatever was chosen.
 */
export type OptedOut = Set<string>;

/** `pointInTimeRecovery: false` is the user's opt-out of DDB3 (docs/testing.md). */
export const dataTierOptOuts = (name: string, args: DataTierArgs): OptedOut =>
  new Set([
    ...Object.entries(args.tables).filter(([, t]) => t.pointInTimeRecovery === false).map(([key]) => `DDB3 aws:dynamodb/table:Table ${name}-${key}`),
    ...(args.idempotency?.pointInTimeRecovery === false ? [`DDB3 aws:dynamodb/table:Table ${name}-idempotency`] : []),
  ]);

/**
 * A case `refusedOrDeployable` expects to be planned with findings (a deploy rule the component cannot check at
 * construction): the plan's findings must be these, not none; `refused` asks more of a refusal.
 */
export interface ExpectedFindings {
  /** What `planFindings` must equal (matchers allowed). */
  findings: unknown[];
  refused?(error: ComponentArgError): void;
}

export interface ComponentFuzz {
  /** Constructs one component and says how it ended. */
  construct(build: () => unknown, label?: string): Promise<Outcome>;
  /**
   * The property: a refusal that names component, argument and fix, or a plan without deploy-rule or security findings
   * (with exactly `expected.findings` when given). Each call is counted once in the exploring tally.
   */
  refusedOrDeployable(component: string | readonly string[], build: () => unknown, optedOut?: OptedOut, label?: string, expected?: ExpectedFindings): Promise<void>;
  /** numRuns per component: modest by default (a file within a few seconds on two cores), FUZZ_RUNS for more. */
  parameters(runs: number): fc.Parameters<any>;
  /**
   * The property for one component built from a component name and `args`: `runs` runs of `refusedOrDeployable`.
   * `optedOut` names the security findings the drawn arguments ask for; `label` prints a run (default: its JSON).
   */
  fuzzComponent<A>(component: string, args: fc.Arbitrary<A>, build: (name: string, args: A) => unknown, runs: number, options?: { optedOut?: (name: string, args: A) => OptedOut; label?: (name: string, args: A) => string }): Promise<void>;
  /**
   * The must-accept property (tests/fuzz/component-accept*.test.ts): for arguments AWS documents as valid, construction
   * does NOT refuse (a refusal there is a false refusal: the tool won't let a user do a valid thing) AND the plan passes
   * every deploy rule and every security rule but those `optedOut` names.
   */
  accepted(component: string | readonly string[], build: () => unknown, optedOut?: OptedOut, label?: string): Promise<RecordedResource[]>;
  /** `runs` runs of `accepted` for one component, its names drawn from `names` (valid for it, unlike the harness's `componentName`). */
  acceptComponent<A>(
    component: string,
    names: fc.Arbitrary<string>,
    args: fc.Arbitrary<A>,
    build: (name: string, args: A) => unknown,
    runs: number,
    options?: { optedOut?: (name: string, args: A) => OptedOut; label?: (name: string, args: A) => string; recorded?: (graph: RecordedResource[], name: string, args: A) => void },
  ): Promise<void>;
}

/** A plan's deploy-rule findings and its security findings but those `optedOut` asks for, worded for a failing test. */
export function planFindings(graph: RecordedResource[], optedOut: OptedOut = new Set()): string[] {
  const deploy = checkDeployRules(graph, context).map(formatFinding);
  const security = checkSecurityRules(graph, context)
    .filter((f) => !optedOut.has(`${f.rule} ${f.resource}`))
    .map((f) => `[${f.rule}] ${f.resource}: ${f.problem}`);
  return [...deploy, ...security];
}

export function useComponentFuzz(): ComponentFuzz {
  let mocks: RecordingMocks;
  beforeAll(async () => {
    // One set of mocks for every run: installing them per run would cost more than the runs.
    mocks = await useMocks({ stack: context.stack, region: STACK_REGION });
    // A stack names its region (Pulumi.<stack>.yaml's aws:region), the one the mocks report: components compare regions
    // against it at construction (components/region.ts regionWhereCreated), so every fuzz runs as a stack would.
    pulumi.runtime.setConfig("aws:region", STACK_REGION);
  });

  // Each case once: planned clean (accepted), planned with the findings it expected (withExpectedFindings), or refused (by argument).
  const tallies: Record<string, { accepted: number; withExpectedFindings: number; refused: Record<string, string[]> }> = {};
  // Printed when exploring (a seed or run count of your own), so the suite stays quiet: how many runs each component took, and refused by argument.
  afterAll(
    () =>
      (process.env.FUZZ_SEED || process.env.FUZZ_RUNS) &&
      console.log(
        JSON.stringify(
          Object.fromEntries(
            Object.entries(tallies).map(([k, t]) => [
              k,
              { accepted: t.accepted, ...(t.withExpectedFindings ? { withExpectedFindings: t.withExpectedFindings } : {}), refused: Object.fromEntries(Object.entries(t.refused).map(([a, m]) => [a, m.length])) },
            ]),
          ),
          null,
          1,
        ),
      ),
  );

  /** A construction that never settled: its registrations would hold up every later `record`. */
  let hung: string | undefined;

  /** `work`, or a rejection once RUN_CEILING_MS have passed (which marks the harness as hung). */
  async function withinCeiling<T>(work: Promise<T>, label: string): Promise<T> {
    let ceiling: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      ceiling = setTimeout(() => reject(new Error((hung = `${label} did not settle within ${RUN_CEILING_MS / 1000} s`))), RUN_CEILING_MS);
    });
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(ceiling);
    }
  }

  /** A refusal's leftovers (the component registered before its validation threw) settle here, so the next run records only its own. */
  async function construct(build: () => unknown, label = "a counterexample test"): Promise<Outcome> {
    if (hung) throw new Error(`an earlier run never settled (${hung}); later runs cannot be recorded`);
    clearRegisteredSpecs();
    try {
      return { graph: await withinCeiling(record(build), `the construction of ${label}`) };
    } catch (error) {
      if (hung) throw error;
      await withinCeiling(mocks.settle(), `what the refused construction of ${label} registered`);
      if (error instanceof ComponentArgError) return { refused: error };
      throw new Error(`the constructor threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}, not a ComponentArgError`, { cause: error });
    }
  }

  /** `component`: the component built, or the components built together (a refusal names whichever refused). */
  async function refusedOrDeployable(component: string | readonly string[], build: () => unknown, optedOut: OptedOut = new Set(), label = "", expected?: ExpectedFindings): Promise<void> {
    const outcome = await construct(build, label);
    const components = typeof component === "string" ? [component] : component;
    const tally = (tallies[components.join("+")] ??= { accepted: 0, withExpectedFindings: 0, refused: {} });
    if ("refused" in outcome) {
      const error = outcome.refused;
      const at = error.argument.replace(/\[[^\]]*\]/g, "").replace(/^tables\.[^.]+/, "tables.*").replace(/(Indexes)\.[^.]+/, "$1.*");
      (tally.refused[at] ??= []).push(error.message.slice(0, 160));
      expect(components).toContain(error.component);
      expect(error.message).toContain(error.component);
      expect(error.message).toContain(error.argument);
      expect(error.fix.trim()).not.toBe("");
      expected?.refused?.(error);
      return;
    }
    if (expected) tally.withExpectedFindings++;
    else tally.accepted++;
    expect(planFindings(outcome.graph, optedOut)).toEqual(expected?.findings ?? []);
  }

  const parameters = (runs: number): fc.Parameters<any> => ({ seed: SEED, numRuns: RUNS || runs, endOnFailure: false });
  const fuzzComponent: ComponentFuzz["fuzzComponent"] = (component, args, build, runs, options = {}) =>
    fc.assert(
      fc.asyncProperty(componentName, args, (name, drawn) =>
        refusedOrDeployable(component, () => build(name, drawn), options.optedOut?.(name, drawn), options.label?.(name, drawn) ?? JSON.stringify([name, drawn])),
      ),
      parameters(runs),
    );
  /** The accepted construction's recorded graph, once its plan has no findings. */
  async function accepted(component: string | readonly string[], build: () => unknown, optedOut: OptedOut = new Set(), label = ""): Promise<RecordedResource[]> {
    const outcome = await construct(build, label);
    const components = typeof component === "string" ? [component] : component;
    const tally = (tallies[`${components.join("+")} (must accept)`] ??= { accepted: 0, withExpectedFindings: 0, refused: {} });
    if ("refused" in outcome) {
      const error = outcome.refused;
      (tally.refused[error.argument] ??= []).push(error.message.slice(0, 160));
      // The message in full: it names the argument and value AWS would have taken.
      expect.fail(`a false refusal: ${components.join(" + ")} refused arguments AWS documents as valid: ${error.message}`);
    }
    tally.accepted++;
    const { graph } = outcome as { graph: RecordedResource[] };
    expect(planFindings(graph, optedOut)).toEqual([]);
    return graph;
  }
  const acceptComponent: ComponentFuzz["acceptComponent"] = (component, names, args, build, runs, options = {}) =>
    fc.assert(
      fc.asyncProperty(names, args, async (name, drawn) => {
        const graph = await accepted(component, () => build(name, drawn), options.optedOut?.(name, drawn), options.label?.(name, drawn) ?? JSON.stringify([name, drawn]));
        options.recorded?.(graph, name, drawn);
      }),
      parameters(runs),
    );
  return { construct, refusedOrDeployable, parameters, fuzzComponent, accepted, acceptComponent };
}
