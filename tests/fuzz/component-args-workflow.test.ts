/**
 * The component-argument fuzz (./component-args.test.ts, docs/testing.md) for Workflow: for arguments a user might
 * plausibly write (type, log level, retention, tracing, key, region, and a definition of Task, Pass, Choice, Parallel
 * and Map states naming LambdaFunctions of the workflow's region or another, sometimes broken), construction must
 * EITHER refuse with a ComponentArgError naming Workflow, the argument and a fix, OR record a plan that every deploy
 * rule and every security rule passes. The key is one outside the plan (an ARN, an alias, a bare key ID: drawn in
 * `args.kmsKeyId`) or an aws.kms.Key of the plan (`plannedKey`) whose policy does or does not let
 * delivery.logs.amazonaws.com kms:Decrypt: a Workflow that logs under a planned key without that statement is planned
 * (Workflow cannot read the key's policy at construction) and its plan has exactly StatesLogDeliveryKey's finding on the
 * state machine; with the statement, or with logLevel "OFF", the plan is clean. Seeded and short; explore with
 * `FUZZ_SEED=7 FUZZ_RUNS=500 npx vitest run tests/fuzz/component-args-workflow.test.ts`.
 */
import * as aws from "@pulumi/aws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { AWS_REGION_NAME } from "../../components/names";
import { Workflow, type WorkflowArgs, type WorkflowState } from "../../components/workflow";
import { componentName, region } from "./component-args-arbitraries";
import { planFindings, SEED, useComponentFuzz } from "./component-args-harness";
import { ENTRY, mostly } from "./component-args-misc-arbitraries";

const { construct, refusedOrDeployable, parameters } = useComponentFuzz();

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** A planned key's policy: the account administers it (keyPolicyMissing reads only the service statement). */
const ACCOUNT_ADMINISTERS = { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" };
/** The statement StatesLogDeliveryKey (testing/deploy-rules/states.ts) asks of a planned key, as the AWS CDK's StateMachine writes it. */
const DELIVERY_DECRYPTS = { Sid: "LogDeliveryDecrypts", Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "kms:Decrypt*", Resource: "*" };
/** The key: `args.kmsKeyId` as drawn (none, or one outside the plan), or an aws.kms.Key of the plan with or without DELIVERY_DECRYPTS. */
const plannedKey = fc.oneof({ weight: 2, arbitrary: fc.constant("drawn" as const) }, { weight: 1, arbitrary: fc.constant("delivery" as const) }, { weight: 1, arbitrary: fc.constant("noDelivery" as const) });

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
    plannedKey,
  },
  { requiredKeys: ["args", "states", "plannedKey"] },
);

type Case = { args: Partial<Record<keyof WorkflowArgs, unknown>>; states: Array<{ kind: string; ending: "next" | "none" | "dangling" }>; plannedKey: "drawn" | "delivery" | "noDelivery" };

/** Whether StatesLogDeliveryKey should report the drawn case's plan: a planned key without the delivery statement, and logging (ERROR by default) on. */
const missesLogDelivery = (drawn: Case) => drawn.plannedKey === "noDelivery" && drawn.args.logLevel !== "OFF";

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
  // A key of the plan, in the workflow's region (the stack's when none is drawn), passed by its ARN as a program would.
  const statements = drawn.plannedKey === "delivery" ? [ACCOUNT_ADMINISTERS, DELIVERY_DECRYPTS] : [ACCOUNT_ADMINISTERS];
  const key = drawn.plannedKey === "drawn" ? undefined : new aws.kms.Key(`workflow-key`, { description: "workflow data", enableKeyRotation: true, region: placed, policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
  return new Workflow(name, { ...(drawn.args as WorkflowArgs), ...(key ? { kmsKeyId: key.arn } : {}), definition: { StartAt: names[0], States: states } });
}

/**
 * The property for one drawn case: refusedOrDeployable, but for a case that logs under a planned key without the
 * delivery statement, which is either refused for another argument or planned with StatesLogDeliveryKey's finding and
 * no other.
 */
async function refusedOrExpected(name: string, drawn: Case): Promise<void> {
  const label = JSON.stringify([name, drawn]);
  if (!missesLogDelivery(drawn)) return refusedOrDeployable("Workflow", () => build(name, drawn), undefined, label);
  return refusedOrDeployable("Workflow", () => build(name, drawn), undefined, label, {
    findings: [expect.stringMatching(/^test: \[StatesLogDeliveryKey\] aws:sfn\/stateMachine:StateMachine .*-state-machine: logs at level [A-Z]+ under customer managed key workflow-key, whose policy does not allow delivery\.logs\.amazonaws\.com kms:Decrypt: /)],
    // As of any refusal (its message names the component and the argument, with a fix), and never of kmsKeyId: a planned
    // key's ARN is an Output, which Workflow takes unread.
    refused: (error) => expect(error.argument).not.toBe("kmsKeyId"),
  });
}

/** Cases every run draws (fast-check's examples): a plain one-Task workflow under a planned key with and without the statement, and not logging. */
const PLANNED_KEY_EXAMPLES: Array<[string, Case]> = [
  ["keyed", { args: {}, states: [{ kind: "task", ending: "next" }], plannedKey: "delivery" }],
  ["keyed", { args: {}, states: [{ kind: "task", ending: "next" }], plannedKey: "noDelivery" }],
  ["keyed", { args: { logLevel: "ALL", includeExecutionData: true }, states: [{ kind: "pass", ending: "next" }], plannedKey: "noDelivery" }],
  ["keyed", { args: { logLevel: "OFF" }, states: [{ kind: "pass", ending: "next" }], plannedKey: "noDelivery" }],
];

describe(`component arguments are refused with a fix or deploy cleanly (seed ${SEED}): Workflow`, () => {
  it("Workflow", async () => {
    await fc.assert(fc.asyncProperty(componentName, workflowCase as fc.Arbitrary<Case>, refusedOrExpected), { ...parameters(25), examples: PLANNED_KEY_EXAMPLES });
  });

  it("plans a Workflow logging under a planned key without the delivery statement, and StatesLogDeliveryKey alone reports it; with the statement, or not logging, the plan is clean", async () => {
    const findings = async (drawn: Case) => {
      const outcome = await construct(() => build("keyed", drawn));
      if ("refused" in outcome) throw outcome.refused;
      return planFindings(outcome.graph).map((f) => f.slice(f.indexOf("["), f.indexOf("]") + 1));
    };
    const [delivery, noDelivery, , notLogging] = PLANNED_KEY_EXAMPLES.map(([, drawn]) => drawn);
    expect(await findings(delivery)).toEqual([]);
    expect(await findings(noDelivery)).toEqual(["[StatesLogDeliveryKey]"]);
    expect(await findings(notLogging)).toEqual([]);
  });
});
