/**
 * The local runtime's JSONata states ride on how aws-local-stepfunctions 3.0.0 looks a state's handler up
 * (local/sfn-server.ts jsonataState). A library that does otherwise, here one whose runs copy the definition (so no
 * JSONata state's Type reaches its lookup), must refuse JSONata definitions clearly, and those with a batching Map
 * (which rides on the same lookup), and run every other.
 */
import { expect, it } from "vitest";
import { loadStepFunctionsLibrary, LocalStepFunctions, type LocalStateMachineDefinition } from "../../local/sfn-server";

const machine = (name: string, definition: object): LocalStateMachineDefinition => ({
  arn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`,
  name,
  type: "STANDARD",
  definition: JSON.stringify(definition),
  roleArn: "arn:aws:iam::123456789012:role/r",
  logLevel: "OFF",
  includeExecutionData: false,
  tracing: false,
  functions: new Map(),
});

it("refuses a JSONata definition or one whose Map batches its items, and only them, where the library does not run JSONata states as 3.0.0 does", async () => {
  const prototype = (await loadStepFunctionsLibrary()).StateMachine.prototype as unknown as { execute: (this: { definition: unknown }, ...args: unknown[]) => unknown };
  const execute = prototype.execute;
  prototype.execute = function (...args) {
    this.definition = JSON.parse(JSON.stringify(this.definition));
    return execute.apply(this, args);
  };
  try {
    const jsonata = machine("jsonata", { QueryLanguage: "JSONata", StartAt: "P", States: { P: { Type: "Pass", Output: "{% 'ran' %}", End: true } } });
    const jsonPath = machine("jsonpath", { StartAt: "P", States: { P: { Type: "Pass", Result: "ran", End: true } } });
    const sfn = new LocalStepFunctions([jsonata, jsonPath], { retryIntervalMs: 0 });
    const run = async (local: LocalStateMachineDefinition) => {
      const { executionArn } = await sfn.start({ stateMachineArn: local.arn, input: "{}" }, false);
      await sfn.drained();
      return sfn.describeExecution({ executionArn });
    };
    expect(await run(jsonata)).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: expect.stringContaining("aws-local-stepfunctions does not run a JSONata state through the local runtime as 3.0.0 does: re-check jsonataState") });
    expect(await run(jsonPath)).toMatchObject({ status: "SUCCEEDED", output: '"ran"' });
    // A JSONPath Map that batches its items rides on the same lookup (batchingMap): refused likewise, where it would
    // otherwise run its items one by one, unbatched.
    const batching = machine("batching", {
      StartAt: "Fan",
      States: { Fan: { Type: "Map", ItemBatcher: { MaxItemsPerBatch: 2 }, ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "P", States: { P: { Type: "Pass", End: true } } }, End: true } },
    });
    const batched = new LocalStepFunctions([batching], { retryIntervalMs: 0 });
    const { executionArn } = await batched.start({ stateMachineArn: batching.arn, input: "[1, 2, 3]" }, false);
    await batched.drained();
    expect(batched.describeExecution({ executionArn })).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: expect.stringContaining("re-check jsonataState") });
  } finally {
    prototype.execute = execute;
  }
});
