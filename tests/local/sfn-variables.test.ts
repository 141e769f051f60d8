/**
 * Workflow variables (`Assign`, `$name` reads: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html)
 * in the local Step Functions runtime. aws-local-stepfunctions 3.0.0 knows none: it ignores `Assign` and reads `$x`
 * as a path into the state's input, so a Choice rule's `IsPresent` on `$x` is false where AWS finds the variable. A
 * definition that uses them fails every execution with States.Runtime, saying where, as a JSONata one does.
 */
import { describe, expect, it } from "vitest";
import { LocalStepFunctions, type LocalStateMachineDefinition } from "../../local/sfn-server";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";

function machine(name: string, definition: object): LocalStateMachineDefinition {
  return {
    arn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`,
    name,
    type: "STANDARD",
    definition: JSON.stringify(definition),
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}-role`,
    logLevel: "OFF",
    includeExecutionData: false,
    tracing: false,
    functions: new Map(),
  };
}

/** An execution of `definition` to its end: its status, error, cause and output. */
async function ran(definition: object, input: object = {}) {
  const local = machine("vars", definition);
  const sfn = new LocalStepFunctions([local]);
  const { executionArn } = await sfn.start({ stateMachineArn: local.arn, input: JSON.stringify(input) }, false);
  await sfn.drained();
  const { status, error, cause, output } = sfn.describeExecution({ executionArn });
  return { status, error, cause, output: typeof output === "string" ? JSON.parse(output) : undefined };
}

const unsupported = (what: string) => ({
  status: "FAILED",
  error: "States.Runtime",
  cause: `The local runtime (npm start) does not run workflow variables (Assign, $name references); vars ${what}. See docs/local-vs-aws.md.`,
  output: undefined,
});

describe("local Step Functions, workflow variables", () => {
  it("fails a definition that assigns a variable, rather than take another Choice branch than AWS would", async () => {
    // Run as the library alone runs it, Assign is ignored and IsPresent on $x is false: the output would be "unset".
    const definition = {
      StartAt: "Remember",
      States: {
        Remember: { Type: "Pass", Assign: { x: 1 }, Next: "Check" },
        Check: { Type: "Choice", Choices: [{ Variable: "$x", IsPresent: true, Next: "Set" }], Default: "Unset" },
        Set: { Type: "Pass", Result: "set", End: true },
        Unset: { Type: "Pass", Result: "unset", End: true },
      },
    };
    expect(await ran(definition)).toEqual(unsupported("assigns them in state 'Remember' (Assign)"));
  });

  it("finds an Assign in a Choice rule, and in a Catcher within a Map iteration", async () => {
    const inRule = {
      StartAt: "Check",
      States: { Check: { Type: "Choice", Choices: [{ Not: { Variable: "$.a", IsPresent: true }, Assign: { a: "none" }, Next: "Done" }], Default: "Done" }, Done: { Type: "Pass", End: true } },
    };
    expect(await ran(inRule)).toEqual(unsupported("assigns them in state 'Check' (Choices[0].Assign)"));
    const inCatch = {
      StartAt: "Each",
      States: {
        Each: {
          Type: "Map",
          ItemProcessor: {
            StartAt: "Fails",
            States: {
              Fails: { Type: "Fail", Error: "E" },
              Wrap: { Type: "Parallel", Branches: [{ StartAt: "P", States: { P: { Type: "Pass", End: true } } }], Catch: [{ ErrorEquals: ["States.ALL"], Assign: { failed: true }, Next: "Fails" }], End: true },
            },
          },
          End: true,
        },
      },
    };
    expect(await ran(inCatch, { items: [] })).toEqual(unsupported("assigns them in state 'Wrap' (Catch[0].Assign)"));
  });

  it("fails a definition that reads a variable, in a path or an intrinsic function's argument, with no Assign anywhere", async () => {
    const inIntrinsic = { StartAt: "Say", States: { Say: { Type: "Pass", Parameters: { "greeting.$": "States.Format('Hello {} ({})', $name, $.who)" }, End: true } } };
    expect(await ran(inIntrinsic, { who: "you" })).toEqual(unsupported(`reads $name in state 'Say' (Parameters.greeting.$: "States.Format('Hello {} ({})', $name, $.who)")`));
    const inComparator = {
      StartAt: "Check",
      States: { Check: { Type: "Choice", Choices: [{ And: [{ Variable: "$.a", NumericGreaterThanPath: "$limit.max" }], Next: "Done" }], Default: "Done" }, Done: { Type: "Pass", End: true } },
    };
    expect(await ran(inComparator, { a: 1 })).toEqual(unsupported(`reads $limit in state 'Check' (Choices[0].And[0].NumericGreaterThanPath: "$limit.max")`));
    const inItemsPath = { StartAt: "Each", States: { Each: { Type: "Map", ItemsPath: "$items", ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } }, End: true } } };
    expect(await ran(inItemsPath, { items: [1] })).toEqual(unsupported(`reads $items in state 'Each' (ItemsPath: "$items")`));
  });

  it("runs a definition whose `$` are no variable reads: input and context paths, quoted text, literal data", async () => {
    const definition = {
      StartAt: "Shape",
      States: {
        Shape: {
          Type: "Pass",
          Parameters: {
            "a.$": "$.a",
            "name.$": "$$.Execution.Name",
            "price.$": "States.Format('costs $dollars {}', $['a'])",
            FilePath: "$HOME/file",
            Variable: "$x",
          },
          Next: "Literal",
        },
        Literal: { Type: "Pass", Result: { Assign: { x: 1 }, "v.$": "$x" }, ResultPath: "$.literal", End: true },
      },
    };
    const result = await ran(definition, { a: 5 });
    expect(result).toMatchObject({ status: "SUCCEEDED" });
    expect(result.output).toEqual({ a: 5, name: expect.any(String), price: "costs $dollars 5", FilePath: "$HOME/file", Variable: "$x", literal: { Assign: { x: 1 }, "v.$": "$x" } });
  });
});
