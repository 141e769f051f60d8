/**
 * A Workflow under `npm start`, end to end: the program's real Workflow component, recorded and served by the local
 * runtime (startLocalApp), started by a handler through the ARN `workflow.environment()` gives it and the permission
 * `workflow.grants.start()` gives its role, its Task states invoking the program's functions in their sandboxes.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaFunction } from "../../components/lambda/function";
import { Workflow } from "../../components/workflow";
import { startLocalApp, type LocalApp } from "../../local/start";

const entry = "tests/fixtures/handlers/workflow-steps.ts";
const dir = mkdtempSync(join(tmpdir(), "sf-workflow-program-"));
let app: LocalApp;
let outputs: { workflowArn: string };

const invoke = (name: string, event: Record<string, unknown>) => app.context.lambda(app.context.run.specs.find((s) => s.name === name)!.spec as never).invoke<Record<string, unknown>>(event);

beforeAll(async () => {
  const program = () => {
    const double = new LambdaFunction("wfp-double", { entry, timeout: 10 });
    const increment = new LambdaFunction("wfp-increment", { entry, timeout: 10 });
    const workflow = new Workflow("wfp-chain", {
      type: "EXPRESS",
      definition: {
        StartAt: "Double",
        States: {
          Double: { Type: "Task", Resource: double, Parameters: { step: "double", "n.$": "$.n" }, Next: "Increment" },
          Increment: { Type: "Task", Resource: increment, End: true },
        },
      },
    });
    new LambdaFunction("wfp-starter", { entry, timeout: 10, permissions: workflow.grants.start(), environment: workflow.environment("WORKFLOW_ARN") });
    new LambdaFunction("wfp-outsider", { entry, timeout: 10, environment: workflow.environment("WORKFLOW_ARN") });
    return { workflowArn: workflow.stateMachineArn };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  outputs = app.context.run.outputs as typeof outputs;
});
afterAll(async () => {
  await app?.stop();
});

describe("a Workflow under npm start", () => {
  it("has the ARN Step Functions gives a state machine", () => {
    expect(outputs.workflowArn).toMatch(/^arn:aws:states:us-east-1:\d{12}:stateMachine:wfp-chain-state-machine-[A-Za-z0-9_-]{7}$/);
  });

  it("runs for a handler granted grants.start(), through the ARN environment() gives it: each Task a function of the program", async () => {
    expect(await invoke("wfp-starter", { step: "start-sync", input: { n: 20 } })).toEqual({ status: "SUCCEEDED", output: { n: 41 } });
  });

  it("refuses a handler whose role was not granted it, as IAM does", async () => {
    expect(await invoke("wfp-outsider", { step: "start-sync", input: { n: 1 }, reportErrors: true })).toEqual({
      error: "AccessDeniedException",
      message: expect.stringMatching(/is not authorized to perform: states:StartSyncExecution on resource: arn:aws:states:us-east-1:\d{12}:stateMachine:wfp-chain-state-machine-/),
    });
  });
});
