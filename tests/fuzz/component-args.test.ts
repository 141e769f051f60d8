/**
 * Component arguments against the deploy rules, property-based: the mocks accept any input, so a component that takes
 * arguments AWS would refuse fails only at `pulumi up`. For arguments a user might plausibly write
 * (./component-args-arbitraries.ts), constructing the component under the recording mocks must EITHER refuse with a
 * ComponentArgError naming the component, the argument and a fix, OR record a plan that every deploy rule and every
 * security rule passes. Anything else — a finding on accepted arguments, another kind of error — is a validation gap
 * in the component or a false finding in a rule.
 *
 * Seeded and short so the suite stays fast and never flaky; explore with another seed and more runs:
 * `FUZZ_SEED=7 FUZZ_RUNS=500 npx vitest run tests/fuzz/component-args.test.ts` (docs/testing.md).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataTier, type DataTierArgs } from "../../components/data-tier";
import { ComponentArgError } from "../../components/errors";
import { LambdaFunction } from "../../components/lambda/function";
import { clearRegisteredSpecs } from "../../components/spec-registry";
import { UserAuth } from "../../components/user-auth";
import type { RecordedResource, RecordingMocks } from "../../local/offline/mocks";
import { checkDeployRules, formatFinding, type DeployRuleContext } from "../../testing/deploy-rules";
import { record, useMocks } from "../../testing/harness";
import { checkSecurityRules } from "../../testing/security-rules";
import { componentName, dataTierArgs, lambdaFunctionArgs, STACK_REGION, userAuthArgs } from "./component-args-arbitraries";

const SEED = Number(process.env.FUZZ_SEED ?? 20260611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 0);
/** A ceiling for one construction, so a hang (an Output that never resolves) fails the run instead of the file; not a timing assertion. */
const RUN_CEILING_MS = Number(process.env.FUZZ_RUN_CEILING_MS ?? 60_000);
const context: DeployRuleContext = { stack: "test", production: false, region: STACK_REGION };

let mocks: RecordingMocks;
beforeAll(async () => {
  // One set of mocks for every run: installing them per run would cost more than the runs.
  mocks = await useMocks({ stack: context.stack, region: STACK_REGION });
});

const tallies: Record<string, { accepted: number; refused: Record<string, string[]> }> = {};
// Printed when exploring (a seed or run count of your own), so the suite stays quiet: how many runs each component took, and refused by argument.
afterAll(() => (process.env.FUZZ_SEED || process.env.FUZZ_RUNS) && console.log(JSON.stringify(Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, { accepted: t.accepted, refused: Object.fromEntries(Object.entries(t.refused).map(([a, m]) => [a, m.length])) }])), null, 1)));

type Outcome = { refused: ComponentArgError } | { graph: RecordedResource[] };

/**
 * Constructs one component and says how it ended. A refusal's leftovers (the component registered before its
 * validation threw) settle here, so the next run records only its own registrations.
 */
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

async function construct(build: () => unknown, label = "a counterexample test"): Promise<Outcome> {
  // A construction that never settles leaves registrations every later `record` would wait for: no later run can be trusted.
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

/**
 * Security findings a documented opt-out asks for (`type name` of the resource, rule id): the user chose them, and the
 * security rules rightly report them. Deploy rules have no such list: AWS refuses what they find, whatever was chosen.
 */
type OptedOut = Set<string>;
const dataTierOptOuts = (name: string, args: DataTierArgs): OptedOut =>
  new Set([
    ...Object.entries(args.tables).filter(([, t]) => t.pointInTimeRecovery === false).map(([key]) => `DDB3 aws:dynamodb/table:Table ${name}-${key}`),
    ...(args.idempotency?.pointInTimeRecovery === false ? [`DDB3 aws:dynamodb/table:Table ${name}-idempotency`] : []),
  ]);

/** The property: a refusal that names component, argument and fix, or a plan without deploy-rule or security findings. */
async function refusedOrDeployable(component: string, build: () => unknown, optedOut: OptedOut = new Set(), label = ""): Promise<void> {
  const outcome = await construct(build, label);
  const tally = (tallies[component] ??= { accepted: 0, refused: {} });
  if ("refused" in outcome) {
    const error = outcome.refused;
    const at = error.argument.replace(/\[[^\]]*\]/g, "").replace(/^tables\.[^.]+/, "tables.*").replace(/(Indexes)\.[^.]+/, "$1.*");
    (tally.refused[at] ??= []).push(error.message.slice(0, 160));
    expect(error.component).toBe(component);
    expect(error.message).toContain(component);
    expect(error.message).toContain(error.argument);
    expect(error.fix.trim()).not.toBe("");
    return;
  }
  tally.accepted++;
  const deploy = checkDeployRules(outcome.graph, context).map(formatFinding);
  const security = checkSecurityRules(outcome.graph, context)
    .filter((f) => !optedOut.has(`${f.rule} ${f.resource}`))
    .map((f) => `[${f.rule}] ${f.resource}: ${f.problem}`);
  expect([...deploy, ...security]).toEqual([]);
}

/** numRuns per component: modest by default (the whole file within ~10 s on two cores), FUZZ_RUNS for more. */
const parameters = (runs: number): fc.Parameters<any> => ({ seed: SEED, numRuns: RUNS || runs, endOnFailure: false });

describe(`component arguments are refused with a fix or deploy cleanly (seed ${SEED})`, () => {
  it("DataTier", async () => {
    await fc.assert(
      fc.asyncProperty(componentName, dataTierArgs, (name, args) => refusedOrDeployable("DataTier", () => new DataTier(name, args), dataTierOptOuts(name, args), JSON.stringify([name, args]))),
      parameters(60),
    );
  });

  it("UserAuth", async () => {
    await fc.assert(
      fc.asyncProperty(componentName, userAuthArgs, (name, args) => refusedOrDeployable("UserAuth", () => new UserAuth(name, args), undefined, JSON.stringify([name, args]))),
      parameters(40),
    );
  });

  it("LambdaFunction", async () => {
    await fc.assert(
      fc.asyncProperty(componentName, lambdaFunctionArgs, (name, args) => refusedOrDeployable("LambdaFunction", () => new LambdaFunction(name, args), undefined, JSON.stringify([name, args]))),
      parameters(40),
    );
  });
});

/** What the fuzz found, each shrunk counterexample pinned as a regular test (and the seed that found it). */
describe("counterexamples the fuzz found", () => {
  it('UserAuth refuses the name "Données", whose identity-pool role "Données-authenticated-<suffix>" and app client IAM and Cognito refuse (seed 1)', async () => {
    const outcome = await construct(() => new UserAuth("Données", { callbackUrls: ["https://GALLERY.example.com/"] }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^UserAuth "Données": name "Données" makes the Cognito app client name "Données-client-<random suffix>" hold "é", which Cognito refuses/);
  });

  it("UserAuth refuses a name too long for its identity-pool role, and takes it with the identity pool off", async () => {
    const name = "n".repeat(43);
    const outcome = await construct(() => new UserAuth(name, { callbackUrls: ["https://gallery.example.com/"] }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/makes the IAM role name "n{43}-authenticated-<random suffix>" 65 characters, over IAM's 64\. Use a component name of at most 42 characters\./);
    const off = await construct(() => new UserAuth(name, { callbackUrls: ["https://gallery.example.com/"], identityPool: { enabled: false } }));
    expect("graph" in off && checkDeployRules(off.graph, context).map(formatFinding)).toEqual([]);
  });

  it('LambdaFunction refuses the name "A.", which makes the function name "A.-function-<suffix>" that Lambda refuses (seed 20260611)', async () => {
    const outcome = await construct(() => new LambdaFunction("A.", { entry: "tests/fixtures/handlers/echo.ts" }));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^LambdaFunction "A\.": name "A\." has "\."/);
  });

  it('DataTier refuses the name "A_" with export, whose buckets would be autonamed "a_-export-<suffix>" and "a_-export-logs-<suffix>", which S3 refuses (seed 1)', async () => {
    const args: DataTierArgs = { tables: { gallery: { attributes: { pk: "S" }, partitionKey: "pk" } }, export: { schedule: "rate(1 day)" } };
    const outcome = await construct(() => new DataTier("A_", args));
    expect("refused" in outcome && outcome.refused.message).toMatch(/^DataTier "A_": name "A_" makes the bucket name "a_-export-<random suffix>" hold "_", which S3 refuses/);
  });
});
