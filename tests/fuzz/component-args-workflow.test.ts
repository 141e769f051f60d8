/**
 * The component-argument fuzz (./component-args.test.ts, docs/testing.md) for Workflow: for arguments a user might
 * plausibly write (type, log level, retention, tracing, key, region, and a definition of Task, Pass, Choice, Parallel
 * and Map states naming LambdaFunctions of the workflow's region or another, sometimes broken), construction must
 * EITHER refuse with a ComponentArgError naming Workflow, the argument and a fix, OR record a plan that every deploy
 * rule and every security rule passes. Seeded and short; explore with
 * `FUZZ_SEED=7 FUZZ_RUNS=500 npx vitest run tests/fuzz/component-args-workflow.test.ts`.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { AWS_REGION_NAME } from "../../components/names";
import { Workflow, type WorkflowArgs, type WorkflowState } from "../../components/workflow";
import { componentName, region } from "./component-args-arbitraries";
import { SEED, useComponentFuzz } from "./component-args-harness";
import { ENTRY, mostly } from "./component-args-misc-arbitraries";

const { fuzzComponent } = useComponentFuzz();

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** How a state ends: the next state, the end, or (rarely) neither, or a state that does not exist. */
const ending = fc.oneof({ weight: 8, arbitrary: fc.constant("next" as const) }, { weight: 1, arbitrary: fc.constant("none" as const) }, { weight: 1, arbitrary: fc.constant("dangling" as const) });
/** A state's kind; `task` names a function, `elsewhere` a function of eu-west-1. */
const kind = fc.constantFrom("task", "task", "pass", "choice", "parallel", "map", "elsewhere");

const workflowCase = fc.record(
  {
    args: fc.record(
      {
        type: mostly(fc.constantFrom("STANDARD", "EXPRESS"), fc.constantFrom("standard", "SYNC")),
        logLevel: mostly(fc.constantFrom("ALL", "ERROR", "FATAL", "OFF"), fc.constantFrom("DEBUG", "off")),
        includeExecutionData: fc.boolean(),
        logRetentionDays: mostly(fc.constantFrom(1, 14, 30, 365), fc.constantFrom(0, 10, 400.5)),
        tracing: fc.boolean(),
        kmsKeyId: mostly(fc.constant(KEY), fc.constantFrom("alias/workflows", "1234abcd-12ab-34cd-56ef-1234567890ab")),
        region,
      },
      { requiredKeys: [] },
    ),
    states: fc.array(fc.record({ kind, ending }), { minLength: 1, maxLength: 5 }),
  },
  { requiredKeys: ["args", "states"] },
);

type Case = { args: Partial<Record<keyof WorkflowArgs, unknown>>; states: Array<{ kind: string; ending: "next" | "none" | "dangling" }> };

/** The definition the drawn states make: each state leads to the next (the last ends), unless drawn otherwise. */
function build(name: string, drawn: Case): Workflow {
  const placed = typeof drawn.args.region === "string" && AWS_REGION_NAME.test(drawn.args.region) ? drawn.args.region : undefined;
  const fn = (i: number, elsewhere = false) => new LambdaFunction(`workflow-step-${i}`, { entry: ENTRY, region: elsewhere ? "eu-west-1" : placed });
  const names = drawn.states.map((_, i) => `S${i}`);
  const states: Record<string, WorkflowState> = {};
  drawn.states.forEach((state, i) => {
    const last = i === drawn.states.length - 1;
    const flow = state.ending === "none" ? {} : state.ending === "dangling" ? { Next: "Missing" } : last ? { End: true } : { Next: names[i + 1] };
    const task = (j: number): WorkflowState => ({ Type: "Task", Resource: fn(j), End: true });
    switch (state.kind) {
      case "task":
        states[names[i]] = { Type: "Task", Resource: fn(i), ...flow };
        break;
      case "elsewhere":
        states[names[i]] = { Type: "Task", Resource: fn(i, true), ...flow };
        break;
      case "pass":
        states[names[i]] = { Type: "Pass", ...flow };
        break;
      case "choice":
        // A Choice has no End: its default leads on, or to a Succeed state of its own.
        states[names[i]] = { Type: "Choice", Choices: [{ Variable: "$.go", BooleanEquals: true, Next: last || state.ending !== "next" ? `${names[i]}Done` : names[i + 1] }], Default: `${names[i]}Done` };
        states[`${names[i]}Done`] = { Type: "Succeed" };
        break;
      case "parallel":
        states[names[i]] = { Type: "Parallel", Branches: [{ StartAt: "B", States: { B: task(100 + i) } }], ...flow };
        break;
      default:
        states[names[i]] = { Type: "Map", ItemProcessor: { StartAt: "M", States: { M: task(200 + i) } }, ...flow };
    }
  });
  return new Workflow(name, { ...(drawn.args as WorkflowArgs), definition: { StartAt: names[0], States: states } });
}

describe(`component arguments are refused with a fix or deploy cleanly (seed ${SEED}): Workflow`, () => {
  it("Workflow", async () => {
    await fuzzComponent("Workflow", workflowCase as fc.Arbitrary<Case>, build, 25);
  });
});
