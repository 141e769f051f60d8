/**
 * Helpers for tests of the local Step Functions runtime (local/sfn-server.ts): the region and account its tests use,
 * and a state machine definition as the local runtime takes it, its Task functions keyed by their Lambda ARN.
 */
import { lambdaFunctionArn } from "../../local/offline/mocks";
import type { LocalStateMachineDefinition, TaskFunction } from "../../local/sfn-server";

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";

export const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
export const fnArn = (name: string) => lambdaFunctionArn(REGION, name);

/** The state machine `name` running `definition`, its Task functions `functions` (by function name). */
export function localMachine(
  name: string,
  definition: object,
  functions: Record<string, TaskFunction> = {},
  { type = "STANDARD", logLevel = "ERROR" }: Partial<Pick<LocalStateMachineDefinition, "type" | "logLevel">> = {},
): LocalStateMachineDefinition {
  return {
    arn: machineArn(name),
    name,
    type,
    definition: JSON.stringify(definition),
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}-role`,
    logLevel,
    includeExecutionData: false,
    tracing: false,
    functions: new Map(Object.entries(functions).map(([fn, run]) => [fnArn(fn), run])),
  };
}

/**
 * A DISTRIBUTED Map's ItemProcessor (STANDARD child executions): an item `{ n, fail }` fails with Boom ("item failed")
 * when `fail` is true, else answers its `n`.
 */
export const failingItemProcessor = {
  ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
  StartAt: "Check",
  States: {
    Check: { Type: "Choice", Choices: [{ Variable: "$.fail", BooleanEquals: true, Next: "Boom" }], Default: "Ok" },
    Boom: { Type: "Fail", Error: "Boom", Cause: "item failed" },
    Ok: { Type: "Pass", OutputPath: "$.n", End: true },
  },
};
