/**
 * Workflow variables (`Assign`, `$name` reads: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html)
 * in the local Step Functions runtime. aws-local-stepfunctions 3.0.0 knows none: the local runtime reads and assigns
 * them around it (local/sfn-server.ts variableReads, trackVariables), and fails every execution of a definition that
 * uses them where it cannot (variablesUnsupported), rather than run it wrong. The expected outputs and
 * `assignedVariables` are those LocalStack's tests recorded against AWS (tests/aws/services/stepfunctions/v2/assign/,
 * templates in tests/aws/services/stepfunctions/templates/assign/statemachines/).
 */
import { describe, expect, it } from "vitest";
import { lambdaFunctionArn } from "../../local/offline/mocks";
import { LocalStepFunctions, localRun, type HistoryEvent, type TaskFunction } from "../../local/sfn-server";
import { ACCOUNT, localMachine, REGION } from "./sfn-helpers";

const machine = (name: string, definition: object, functions: Record<string, TaskFunction> = {}) =>
  localMachine(name, definition, functions, { logLevel: "OFF" });

/**
 * An execution of `definition` to its end: its status, error, cause and output, and the variables each state
 * assigned as its StateExited records them (`[state, assignedVariables]`, states that assigned none left out).
 */
async function ran(definition: object, input: unknown = {}, functions: Record<string, TaskFunction> = {}) {
  const local = machine("vars", definition, functions);
  const sfn = new LocalStepFunctions([local], { retryIntervalMs: 0 });
  const { executionArn, startDate } = await sfn.start({ stateMachineArn: local.arn, input: JSON.stringify(input) }, false);
  await sfn.drained();
  const { status, error, cause, output } = sfn.describeExecution({ executionArn });
  const { events } = sfn.getExecutionHistory({ executionArn, maxResults: 1000 }) as unknown as { events: HistoryEvent[] };
  const assigned = events.flatMap((event) => {
    const details = event.stateExitedEventDetails as { name: string; assignedVariables?: Record<string, string>; assignedVariablesDetails?: object } | undefined;
    if (!details?.assignedVariables) return [];
    expect(details.assignedVariablesDetails).toEqual({ truncated: false });
    return [[details.name, details.assignedVariables] as [string, Record<string, string>]];
  });
  return { status, error, cause, output: typeof output === "string" ? JSON.parse(output) : undefined, assigned, events, executionArn: executionArn as string, startTime: new Date(Math.round((startDate as number) * 1000)).toISOString() };
}

const unsupported = (what: string) => ({
  status: "FAILED",
  error: "States.Runtime",
  cause: `The local runtime (npm start) does not run this use of workflow variables: vars ${what}. See docs/local-vs-aws.md.`,
});

describe("local Step Functions, workflow variables", () => {
  it("reads a variable where AWS does: a Choice rule's IsPresent finds it", async () => {
    // Run as the library alone runs it, Assign was ignored and IsPresent on $x false: the output was "unset".
    const definition = {
      StartAt: "Remember",
      States: {
        Remember: { Type: "Pass", Assign: { x: 1 }, Next: "Check" },
        Check: { Type: "Choice", Choices: [{ Variable: "$x", IsPresent: true, Next: "Set" }], Default: "Unset" },
        Set: { Type: "Pass", Result: "set", End: true },
        Unset: { Type: "Pass", Result: "unset", End: true },
      },
    };
    expect(await ran(definition)).toMatchObject({ status: "SUCCEEDED", output: "set", assigned: [["Remember", { x: "1" }]] });
  });

  it("assigns from a Pass state's Result and reads variables in InputPath, OutputPath, Wait's SecondsPath and TimestampPath (AWS-recorded)", async () => {
    // BASE_ASSIGN_FROM_RESULT
    const fromResult = { StartAt: "State0", States: { State0: { Type: "Pass", Result: { answer: 42 }, Assign: { "theAnswer.$": "$.answer" }, End: true } } };
    expect(await ran(fromResult)).toMatchObject({ status: "SUCCEEDED", output: { answer: 42 }, assigned: [["State0", { theAnswer: "42" }]] });
    // BASE_REFERENCE_IN_INPUTPATH
    const inInputPath = { StartAt: "State0", States: { State0: { Type: "Pass", Assign: { theAnswer: 42 }, Next: "State1" }, State1: { Type: "Pass", InputPath: "$theAnswer", End: true } } };
    expect(await ran(inInputPath)).toMatchObject({ status: "SUCCEEDED", output: 42, assigned: [["State0", { theAnswer: "42" }]] });
    // BASE_REFERENCE_IN_OUTPUTPATH
    const inOutputPath = { StartAt: "State0", States: { State0: { Type: "Pass", Result: { answer: 42 }, Assign: { "theAnswer.$": "$.answer" }, Next: "State1" }, State1: { Type: "Pass", OutputPath: "$theAnswer", End: true } } };
    expect(await ran(inOutputPath)).toMatchObject({ status: "SUCCEEDED", output: 42, assigned: [["State0", { theAnswer: "42" }]] });
    // BASE_ASSIGN_IN_WAIT, BASE_REFERENCE_IN_WAIT
    expect(await ran({ StartAt: "WaitState", States: { WaitState: { Type: "Wait", Seconds: 0, Assign: { foo: "oof" }, End: true } } })).toMatchObject({ status: "SUCCEEDED", output: {}, assigned: [["WaitState", { foo: '"oof"' }]] });
    const inWait = {
      StartAt: "Start",
      States: {
        Start: { Type: "Pass", Assign: { waitTime: 0, startAt: "2024-11-06T09:42:03Z" }, Next: "WaitSecondsState" },
        WaitSecondsState: { Type: "Wait", SecondsPath: "$waitTime", Next: "WaitUntilState" },
        WaitUntilState: { Type: "Wait", TimestampPath: "$startAt", End: true },
      },
    };
    expect(await ran(inWait)).toMatchObject({ status: "SUCCEEDED", output: {}, assigned: [["Start", { waitTime: "0", startAt: '"2024-11-06T09:42:03Z"' }]] });
  });

  it("assigns literals as written, and variables, context paths and path-looking text as AWS's BASE_VAR does", async () => {
    const definition = {
      StartAt: "State0",
      States: {
        State0: { Type: "Pass", Assign: { "varname.$": "$.input_value", constant_str_var: "$noSuchVar", constant_lst: [null, 0.1, "$varname", { constant: 0 }], "contextpath.$": "$$.Execution.Name" }, Next: "State1" },
        State1: { Type: "Pass", Assign: { "copy.$": "$varname", "member.$": "$constant_lst[3].constant", "nested": { "again.$": "$constant_str_var" } }, Parameters: { "name.$": "$contextpath" }, End: true },
      },
    };
    const result = await ran(definition, { input_value: "input_value_literal" });
    expect(result).toMatchObject({ status: "SUCCEEDED", output: { name: expect.any(String) } });
    expect(result.assigned).toEqual([
      ["State0", { varname: '"input_value_literal"', constant_str_var: '"$noSuchVar"', constant_lst: '[null,0.1,"$varname",{"constant":0}]', contextpath: JSON.stringify(result.output.name) }],
      ["State1", { copy: '"input_value_literal"', member: "0", nested: '{"again":"$noSuchVar"}' }],
    ]);
  });

  it("assigns a result of 0, false, \"\" or null whole by `$` (jsonpath-plus selects nothing in such a document)", async () => {
    for (const value of [0, false, "", null]) {
      const result = await ran({ StartAt: "P", States: { P: { Type: "Pass", Result: value, Assign: { "whole.$": "$" }, End: true } } });
      expect(result).toMatchObject({ status: "SUCCEEDED", assigned: [["P", { whole: JSON.stringify(value) }]] });
    }
  });

  it("evaluates a state's own paths with the variables it entered with: its Assign applies as it exits", async () => {
    // The OutputPath half of AWS's BASE_EVALUATION_ORDER_PASS_STATE (whose ResultPath into a number the library refuses).
    const definition = {
      StartAt: "State0",
      States: {
        State0: { Type: "Pass", Assign: { answer: 42 }, Next: "State1" },
        State1: { Type: "Pass", OutputPath: "$answer", Assign: { answer: "<omitted>" }, Next: "State2" },
        State2: { Type: "Pass", Parameters: { "before.$": "$", "after.$": "$answer" }, End: true },
      },
    };
    expect(await ran(definition)).toMatchObject({ status: "SUCCEEDED", output: { before: 42, after: "<omitted>" } });
  });

  it("gives a Map iteration and a Parallel branch the outer variables to read, and keeps what they assign to themselves (AWS-recorded)", async () => {
    // BASE_SCOPE_MAP
    const map = {
      StartAt: "State0",
      States: {
        State0: { Type: "Pass", Assign: { x: 42, items: [1, 2, 3] }, Next: "State1" },
        State1: { Type: "Map", ItemsPath: "$items", MaxConcurrency: 1, ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "Inner", States: { Inner: { Type: "Pass", Assign: { "innerX.$": "$x" }, End: true } } }, Next: "State2" },
        State2: { Type: "Pass", Assign: { "final.$": "$x" }, End: true },
      },
    };
    expect(await ran(map, { input_value: "input_value_literal" })).toEqual({
      executionArn: expect.any(String),
      events: expect.any(Array),
      startTime: expect.any(String),
      status: "SUCCEEDED",
      error: undefined,
      cause: undefined,
      output: [1, 2, 3],
      assigned: [["State0", { items: "[1,2,3]", x: "42" }], ["Inner", { innerX: "42" }], ["Inner", { innerX: "42" }], ["Inner", { innerX: "42" }], ["State2", { final: "42" }]],
    });
    // BASE_SCOPE_PARALLEL
    const branch = (name: string) => ({ StartAt: name, States: { [name]: { Type: "Pass", Assign: { "innerX.$": "$x", "value.$": "$" }, End: true } } });
    const parallel = { StartAt: "State0", States: { State0: { Type: "Pass", Assign: { x: 42 }, Next: "State1" }, State1: { Type: "Parallel", End: true, Branches: [branch("Branch1"), branch("Branch21"), branch("Branch31")] } } };
    const result = await ran(parallel);
    expect(result).toMatchObject({ status: "SUCCEEDED", output: [{}, {}, {}] });
    expect(result.assigned.sort()).toEqual([["Branch1", { innerX: "42", value: "{}" }], ["Branch21", { innerX: "42", value: "{}" }], ["Branch31", { innerX: "42", value: "{}" }], ["State0", { x: "42" }]]);
    // A variable an iteration assigns is gone after it; the Map's ItemSelector reads the outer ones.
    const inner = {
      StartAt: "Outer",
      States: {
        Outer: { Type: "Pass", Assign: { prefix: "item-" }, Next: "Each" },
        Each: { Type: "Map", ItemSelector: { "p.$": "$prefix", "v.$": "$$.Map.Item.Value" }, ItemProcessor: { StartAt: "Own", States: { Own: { Type: "Pass", Assign: { mine: "inner" }, Parameters: { "s.$": "States.Format('{}{}', $prefix, $.v)" }, End: true } } }, Next: "After" },
        After: { Type: "Pass", Parameters: { "mine.$": "$mine" }, End: true },
      },
    };
    expect(await ran(inner, [1, 2])).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: "Path expression '$mine' does not point to a value" });
    const { Outer, Each } = inner.States;
    expect(await ran({ ...inner, States: { Outer, Each: { ...Each, End: true, Next: undefined, Assign: { "last.$": "$[1].s" } } } }, [1, 2])).toMatchObject({
      status: "SUCCEEDED",
      output: [{ s: "item-1" }, { s: "item-2" }],
      assigned: [["Outer", { prefix: '"item-"' }], ["Own", { mine: '"inner"' }], ["Own", { mine: '"inner"' }], ["Each", { last: '"item-2"' }]],
    });
  });

  it("assigns a Choice state's matching rule's Assign, or its own when it goes to its Default, and reads variables in its rules (AWS-recorded)", async () => {
    // BASE_ASSIGN_IN_CHOICE, as test_assign_in_choice_state ran it ("42" and "0": neither rule matches a string) and
    // with a number the second rule matches (CHOICE_CONDITION_JSONATA's CONDITION_TRUE: only the rule's Assign).
    const definition = {
      StartAt: "CheckInputState",
      States: {
        CheckInputState: {
          Type: "Choice",
          Choices: [
            { Variable: "$.input_value", IsPresent: false, Assign: { status: "UNKNOWN" }, Next: "FinalState" },
            { Variable: "$.input_value", NumericEquals: 42, Assign: { status: "CORRECT" }, Next: "FinalState" },
          ],
          Assign: { status: "INCORRECT", "guess.$": "$.input_value" },
          Default: "FinalState",
        },
        FinalState: { Type: "Pass", Parameters: { "result.$": "$status" }, End: true },
      },
    };
    for (const guess of ["42", "0"]) {
      expect(await ran(definition, { input_value: guess })).toMatchObject({ status: "SUCCEEDED", output: { result: "INCORRECT" }, assigned: [["CheckInputState", { guess: JSON.stringify(guess), status: '"INCORRECT"' }]] });
    }
    expect(await ran(definition, { input_value: 42 })).toMatchObject({ status: "SUCCEEDED", output: { result: "CORRECT" }, assigned: [["CheckInputState", { status: '"CORRECT"' }]] });
    expect(await ran(definition, {})).toMatchObject({ status: "SUCCEEDED", output: { result: "UNKNOWN" }, assigned: [["CheckInputState", { status: '"UNKNOWN"' }]] });
    // BASE_REFERENCE_IN_CHOICE: a rule compares two variables; the loop's second pass matches.
    const reference = {
      StartAt: "Setup",
      States: {
        Setup: { Type: "Pass", Assign: { guess: "the_guess", answer: "the_answer" }, Next: "CheckAnswer" },
        CheckAnswer: { Type: "Choice", Choices: [{ Variable: "$guess", StringEqualsPath: "$answer", Next: "CorrectAnswer" }], Default: "WrongAnswer" },
        CorrectAnswer: { Type: "Pass", Result: { state: "CORRECT" }, End: true },
        WrongAnswer: { Type: "Pass", Assign: { "guess.$": "$answer" }, Result: { state: "WRONG" }, Next: "CheckAnswer" },
      },
    };
    expect(await ran(reference)).toMatchObject({ status: "SUCCEEDED", output: { state: "CORRECT" }, assigned: [["Setup", { guess: '"the_guess"', answer: '"the_answer"' }], ["WrongAnswer", { guess: '"the_answer"' }]] });
  });

  it("assigns a Task's result, and reads variables in its Parameters and TimeoutSecondsPath (AWS-recorded)", async () => {
    // BASE_ASSIGN_FROM_LAMBDA_TASK_RESULT
    const payloads: unknown[] = [];
    const functions = { hello: async (event: unknown) => (payloads.push(event), "HelloWorld!") };
    const definition = {
      StartAt: "Pass",
      States: {
        Pass: { Type: "Pass", Assign: { "functionName.$": "$.FunctionName", inputData: { foo: "oof", bar: "rab" }, timeout: 300 }, Next: "Task" },
        Task: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", TimeoutSecondsPath: "$timeout", Parameters: { "Payload.$": "$inputData", "FunctionName.$": "$functionName" }, Assign: { "result.$": "$.Payload" }, OutputPath: "$.Payload", Next: "End" },
        End: { Type: "Pass", Assign: { "previousResult.$": "$result", timeout: 150 }, End: true },
      },
    };
    const fn = lambdaFunctionArn(REGION, "hello");
    expect(await ran(definition, { FunctionName: fn, AccountID: ACCOUNT }, functions)).toMatchObject({
      status: "SUCCEEDED",
      output: "HelloWorld!",
      assigned: [["Pass", { functionName: JSON.stringify(fn), inputData: '{"foo":"oof","bar":"rab"}', timeout: "300" }], ["Task", { result: '"HelloWorld!"' }], ["End", { previousResult: '"HelloWorld!"', timeout: "150" }]],
    });
    expect(payloads).toEqual([{ foo: "oof", bar: "rab" }]);
  });

  it("records a failing Assign as AWS records a JSONPath that selects nothing: no event of the state's own after it entered, then ExecutionFailed", async () => {
    // AWS's recording for a JSONPath state (LocalStack's test_base_scenarios INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH, a
    // Pass state's Parameters path): ExecutionStarted, PassStateEntered, ExecutionFailed (States.Runtime). A JSONata
    // Assign's EvaluationFailed (BASE_UNDEFINED_ASSIGN) is JSONata's, which the local runtime does not run.
    const definition = { StartAt: "Keep", States: { Keep: { Type: "Pass", Assign: { "x.$": "$.nope" }, End: true } } };
    const failed = await ran(definition);
    expect(failed).toMatchObject({ status: "FAILED", error: "States.Runtime", assigned: [] });
    expect(failed.events.map((event) => event.type)).toEqual(["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]);
    expect(failed.events[2]).toMatchObject({ previousEventId: 2, executionFailedEventDetails: { error: "States.Runtime", cause: failed.cause } });
  });

  it("fails an Assign over the 256 KiB one Assign may hold (documented), recording it as a failing Assign", async () => {
    // "The maximum combined size for all variables in a single Assign field is also 256Kib" (workflow-variables.html).
    const assigning = (Assign: object) => ({ StartAt: "Keep", States: { Keep: { Type: "Pass", Assign, End: true } } });
    // Counted as each value's JSON, names left out: the local choice (AWS does not say whether the names count, nor how
    // it measures; an AWS that counts `{"big":…}` whole would fail the first at 262,152 bytes). 262142 characters,
    // 262144 bytes as JSON: at the limit. UTF-8 bytes, not characters: "é" is 2 bytes, so 131,071 of them (262,144 bytes
    // with the quotes) fit and 131,072 (131,074 characters, 262,146 bytes) do not.
    expect(await ran(assigning({ big: "x".repeat(262_142) }))).toMatchObject({ status: "SUCCEEDED" });
    expect(await ran(assigning({ big: "é".repeat(131_071) }))).toMatchObject({ status: "SUCCEEDED" });
    for (const Assign of [{ big: "x".repeat(262_143) }, { a: "x".repeat(131_071), b: "x".repeat(131_071) }, { big: "é".repeat(131_072) }]) {
      const over = await ran(assigning(Assign));
      expect(over).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: expect.stringMatching(/^The Assign of the state 'Keep' assigns 26214[56] bytes of JSON, over the 262144 \(256 KiB\) Step Functions allows one Assign: /), assigned: [] });
      expect(over.events.map((event) => event.type)).toEqual(["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]);
    }
  });

  it("fails the Assign that takes an execution's variables past the 10 MiB they may hold in all, in JSONPath and JSONata; a reassigned variable counts once", async () => {
    // "The maximum size of all variables in a single execution is 10 MiB" (workflow-variables.html, Limits; not
    // confirmed against a stored copy of the page). Counted as the Assign check counts: each variable's JSON, names
    // left out. 40 variables of 256,000 bytes (10,240,000) fit; a 41st (10,496,000 > 10,485,760) does not.
    const chain = (count: number, name: (i: number) => string, jsonata = false) => {
      const states: Record<string, object> = {};
      for (let i = 0; i < count; i++) states[`S${i}`] = { Type: "Pass", Assign: { [name(i)]: "x".repeat(255_998) }, ...(i + 1 < count ? { Next: `S${i + 1}` } : { End: true }) };
      return { ...(jsonata ? { QueryLanguage: "JSONata" } : {}), StartAt: "S0", States: states };
    };
    expect(await ran(chain(40, (i) => `v${i}`))).toMatchObject({ status: "SUCCEEDED" });
    expect(await ran(chain(45, () => "same"))).toMatchObject({ status: "SUCCEEDED" });
    for (const jsonata of [false, true]) {
      const over = await ran(chain(41, (i) => `v${i}`, jsonata));
      expect(over).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: expect.stringMatching(/^The Assign of the state 'S40' takes the execution's variables to 10496000 bytes of JSON, over the 10485760 \(10 MiB\) Step Functions allows an execution: /) });
      expect(over.events.map((event) => event.type).slice(-2)).toEqual(["PassStateEntered", "ExecutionFailed"]);
    }
  });

  it("counts a Map iteration's variables with its outer scope's against the 10 MiB, not those of other iterations, and none once the Map is done", async () => {
    // 39 outer variables of 256,000 bytes (9,984,000): one more in an iteration fits (10,240,000), two do not
    // (10,496,000 > 10,485,760); one in each of two iterations is not added together, and both are gone after the Map.
    const big = "x".repeat(255_998);
    const outer: Record<string, object> = {};
    for (let i = 0; i < 39; i++) outer[`S${i}`] = { Type: "Pass", Assign: { [`v${i}`]: big }, Next: i + 1 < 39 ? `S${i + 1}` : "Each" };
    const definition = (iteration: Record<string, object>, after?: object) => ({
      StartAt: "S0",
      States: { ...outer, Each: { Type: "Map", ItemProcessor: { StartAt: "I0", States: iteration }, ResultPath: null, ...(after ? { Next: "After" } : { End: true }) }, ...(after ? { After: after } : {}) },
    });
    const two = await ran(definition({ I0: { Type: "Pass", Assign: { a: big }, Next: "I1" }, I1: { Type: "Pass", Assign: { b: big }, End: true } }), [1]);
    expect(two).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: expect.stringMatching(/^The Assign of the state 'I1' takes the execution's variables to 10496000 bytes of JSON, over the 10485760 \(10 MiB\)/) });
    const eachOne = await ran(definition({ I0: { Type: "Pass", Assign: { a: big }, End: true } }, { Type: "Pass", Assign: { last: big }, End: true }), [1, 2]);
    expect(eachOne).toMatchObject({ status: "SUCCEEDED" });
  });

  it("fails on a variable never assigned, on an Assign into an outer scope, and assigns nothing when its state fails into a Catch", async () => {
    const unknown = { StartAt: "Read", States: { Read: { Type: "Pass", Parameters: { "x.$": "$nope.a" }, End: true } } };
    expect(await ran(unknown)).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: "Path expression '$nope.a' does not point to a value" });
    const outerWrite = {
      StartAt: "Outer",
      States: { Outer: { Type: "Pass", Assign: { total: 0 }, Next: "Each" }, Each: { Type: "Map", ItemProcessor: { StartAt: "Add", States: { Add: { Type: "Pass", Assign: { "total.$": "$" }, End: true } } }, End: true } },
    };
    expect(await ran(outerWrite, [1])).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: "The state 'Add' assigns the variable 'total', which belongs to an outer scope: a Map iteration or Parallel branch may read it, not assign it." });
    const caught = {
      StartAt: "Try",
      States: {
        Try: { Type: "Task", Resource: lambdaFunctionArn(REGION, "boom"), Assign: { done: true }, Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: "Check" }], End: true },
        Check: { Type: "Pass", Parameters: { "done.$": "$done" }, End: true },
      },
    };
    const boom: TaskFunction = async () => {
      throw Object.assign(new Error("boom"), { errorType: "Boom" });
    };
    expect(await ran(caught, {}, { boom })).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: "Path expression '$done' does not point to a value", assigned: [] });
    // The Catcher's own Assign applies instead (one that reads no `$`).
    const catcherAssigns = {
      StartAt: "Setup",
      States: {
        Setup: { Type: "Pass", Assign: { attempt: 1 }, Next: "Try" },
        Try: { ...caught.States.Try, Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Assign: { "failedAttempt.$": "$attempt", "execution.$": "$$.Execution.Name" }, Next: "Check" }] },
        Check: { Type: "Pass", Parameters: { "failedAttempt.$": "$failedAttempt" }, End: true },
      },
    };
    expect(await ran(catcherAssigns, {}, { boom })).toMatchObject({ status: "SUCCEEDED", output: { failedAttempt: 1 }, assigned: [["Setup", { attempt: "1" }], ["Try", { failedAttempt: "1", execution: expect.any(String) }]] });
  });

  it("fails a definition whose use of variables the local runtime does not run, saying where, rather than run it wrong", async () => {
    // A Choice's effective input past its OutputPath; a Pass state's past its ResultPath.
    const choiceOutputPath = {
      StartAt: "Check",
      States: { Check: { Type: "Choice", InputPath: "$.a", OutputPath: "$.b", Choices: [{ Variable: "$", IsPresent: true, Assign: { "a.$": "$" }, Next: "Done" }], Default: "Done" }, Done: { Type: "Pass", End: true } },
    };
    expect(await ran(choiceOutputPath, { a: { b: 1 } })).toMatchObject(unsupported("assigns from its effective input ($) past its OutputPath in state 'Check' (Assign)"));
    const pastResultPath = { StartAt: "Shape", States: { Shape: { Type: "Pass", Parameters: { "a.$": "$.b" }, ResultPath: "$.shaped", Assign: { "a.$": "$.a" }, End: true } } };
    expect(await ran(pastResultPath, { b: 1 })).toMatchObject(unsupported("assigns from its effective input ($) past its ResultPath in state 'Shape' (Assign)"));
    // ResultPath "$" (the default written out) hands the result on whole: a Map's or a Pass state's Assign of `$` runs.
    const wholeResult = {
      StartAt: "Fan",
      States: {
        Fan: { Type: "Map", ItemProcessor: { StartAt: "I", States: { I: { Type: "Pass", End: true } } }, ResultPath: "$", Assign: { "all.$": "$" }, Next: "Shape" },
        Shape: { Type: "Pass", Parameters: { "n.$": "$[0]" }, ResultPath: "$", Assign: { "first.$": "$.n" }, Next: "Done" },
        Done: { Type: "Pass", Parameters: { "all.$": "$all", "first.$": "$first" }, End: true },
      },
    };
    expect(await ran(wholeResult, [1, 2])).toMatchObject({ status: "SUCCEEDED", output: { all: [1, 2], first: 1 } });
    // Which of a Task's ResultSelector and Assign AWS applies first is not recorded.
    const beside = { StartAt: "T", States: { T: { Type: "Task", Resource: lambdaFunctionArn(REGION, "f"), ResultSelector: { "b.$": "$.a" }, Assign: { "r.$": "$" }, End: true } } };
    expect(await ran(beside, {}, { f: async () => ({ a: 1, z: 2 }) })).toMatchObject(unsupported("assigns from its result ($) beside a ResultSelector (which of the two AWS applies first is not recorded) in state 'T' (Assign)"));
    // "Reserved variable: $states".
    const reserved = { StartAt: "S", States: { S: { Type: "Pass", Assign: { states: 1 }, End: true } } };
    expect(await ran(reserved)).toMatchObject(unsupported("assigns $states, the variable Step Functions reserves in state 'S' (Assign.states)"));
    // A Choice rule's and a Catcher's Assign are refused it too.
    const inRule = { StartAt: "C", States: { C: { Type: "Choice", Choices: [{ Variable: "$.a", IsPresent: true, Assign: { "states.$": "$$.Execution.Name" }, Next: "D" }], Default: "D" }, D: { Type: "Pass", End: true } } };
    expect(await ran(inRule, { a: 1 })).toMatchObject(unsupported("assigns $states, the variable Step Functions reserves in state 'C' (Choices[0].Assign.states.$)"));
    const inCatcher = { StartAt: "T", States: { T: { Type: "Task", Resource: lambdaFunctionArn(REGION, "f"), Catch: [{ ErrorEquals: ["States.ALL"], Assign: { states: 1 }, Next: "D" }], End: true }, D: { Type: "Pass", End: true } } };
    expect(await ran(inCatcher, {}, { f: async () => ({}) })).toMatchObject(unsupported("assigns $states, the variable Step Functions reserves in state 'T' (Catch[0].Assign.states)"));
    const inCatch = {
      StartAt: "Each",
      States: {
        Each: {
          Type: "Map",
          ItemProcessor: {
            StartAt: "Wrap",
            States: { Wrap: { Type: "Parallel", Branches: [{ StartAt: "P", States: { P: { Type: "Pass", End: true } } }], Catch: [{ ErrorEquals: ["States.ALL"], Assign: { failed: true }, Next: "P2" }], End: true }, P2: { Type: "Pass", End: true } },
          },
          End: true,
        },
      },
    };
    expect(await ran(inCatch, [])).toMatchObject({ status: "SUCCEEDED", output: [] });
    const fromErrorOutput = { ...inCatch, States: { Each: { ...inCatch.States.Each, ItemProcessor: { ...inCatch.States.Each.ItemProcessor, States: { ...inCatch.States.Each.ItemProcessor.States, Wrap: { ...inCatch.States.Each.ItemProcessor.States.Wrap, Catch: [{ ErrorEquals: ["States.ALL"], Assign: { "error.$": "$.Error" }, Next: "P2" }] } } } } } };
    expect(await ran(fromErrorOutput, [])).toMatchObject(unsupported("assigns from its error output ($) in a Catcher in state 'Wrap' (Catch[0].Assign)"));
    const intrinsicInCatcher = { ...inCatch, States: { Each: { ...inCatch.States.Each, ItemProcessor: { ...inCatch.States.Each.ItemProcessor, States: { ...inCatch.States.Each.ItemProcessor.States, Wrap: { ...inCatch.States.Each.ItemProcessor.States.Wrap, Catch: [{ ErrorEquals: ["States.ALL"], Assign: { "id.$": "States.UUID()" }, Next: "P2" }] } } } } } };
    expect(await ran(intrinsicInCatcher, [])).toMatchObject(unsupported("assigns an intrinsic function's value in state 'Wrap' (Catch[0].Assign.id.$)"));
    // BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE's Summate: an intrinsic function in an Assign.
    const intrinsic = { StartAt: "Summate", States: { Summate: { Type: "Pass", Assign: { "Sum.$": "States.MathAdd($yCurrent, $bias)" }, End: true } } };
    expect(await ran(intrinsic)).toMatchObject(unsupported(`assigns an intrinsic function's value in state 'Summate' (Assign.Sum.$)`));
  });

  it("refuses a JSONPath filter expression that reads a workflow variable, naming the state and field; a quoted `$` or the root `$.` in a filter is no variable", async () => {
    const filtering = (path: string) => ({
      StartAt: "Limit",
      States: { Limit: { Type: "Pass", Assign: { limit: 2 }, Next: "Pick" }, Pick: { Type: "Pass", Parameters: { "small.$": path }, End: true } },
    });
    const items = { items: [{ x: 1, tag: "$limit" }, { x: 2, tag: "b" }] };
    expect(await ran(filtering("$.items[?(@.x == $limit)]"), items)).toMatchObject(unsupported("reads $limit in a JSONPath filter expression (whether AWS reads a variable there is not confirmed) in state 'Pick' (Parameters.small.$)"));
    // In an Assign, a nested state's and an InputPath too.
    const inMap = { StartAt: "Each", States: { Each: { Type: "Map", ItemsPath: "$.items", ItemProcessor: { StartAt: "In", States: { In: { Type: "Pass", InputPath: "$[?(@.x > $min.value)]", End: true } } }, End: true } } };
    expect(await ran(inMap, items)).toMatchObject(unsupported("reads $min in a JSONPath filter expression (whether AWS reads a variable there is not confirmed) in state 'In' (InputPath)"));
    // Text in quotes, and the input's root, are no variable's: the filter runs as before.
    expect(await ran(filtering("$.items[?(@.tag == '$limit')].x"), items)).toMatchObject({ status: "SUCCEEDED", output: { small: [1] } });
    expect(await ran(filtering('$.items[?(@.tag == "$limit")].x'), items)).toMatchObject({ status: "SUCCEEDED", output: { small: [1] } });
    // A `$`-named member (`@.$type`, `@.a.$b`, `.a.$b`) is the item's, no variable's: with or without an Assign in the definition.
    const typed = { items: [{ $type: "a", a: { $b: 1 } }, { $type: "b", a: { $b: 2 } }] };
    expect(await ran(filtering("$.items[?(@.$type == 'a')].a.$b"), typed)).toMatchObject({ status: "SUCCEEDED", output: { small: [1] } });
    expect(await ran(filtering("$.items[?(@.a.$b > 1)]['$type']"), typed)).toMatchObject({ status: "SUCCEEDED", output: { small: ["b"] } });
    // A member whose name holds a `$` after its first character (`@.a$b`, `@.$$c`) is the item's too: each fails if the
    // filter-variable check forgets the name characters or the `$` before a `$`.
    const inner = { items: [{ a$b: 1, $$c: "x" }, { a$b: 2, $$c: "y" }] };
    expect(await ran(filtering("$.items[?(@.a$b > 1)]"), inner)).toMatchObject({ status: "SUCCEEDED", output: { small: [inner.items[1]] } });
    expect(await ran(filtering("$.items[?(@.$$c == 'x')]"), inner)).toMatchObject({ status: "SUCCEEDED", output: { small: [inner.items[0]] } });
    const noVariables = { StartAt: "Pick", States: { Pick: { Type: "Pass", Parameters: { "small.$": "$.items[?(@.$type == 'a')].a.$b" }, End: true } } };
    expect(await ran(noVariables, typed)).toMatchObject({ status: "SUCCEEDED", output: { small: [1] } });
  });

  it("assigns a Pass, Wait or Choice state's effective input past its InputPath and Parameters (AWS-recorded)", async () => {
    // BASE_ASSIGN_FROM_PARAMETERS
    const fromParameters = {
      StartAt: "State0",
      States: { State0: { Type: "Pass", Parameters: { input: "PENDING" }, Assign: { "result.$": "$.input" }, Next: "State1" }, State1: { Type: "Pass", Assign: { result: "SUCCESS", "originalResult.$": "$.input" }, End: true } },
    };
    expect(await ran(fromParameters)).toMatchObject({ status: "SUCCEEDED", output: { input: "PENDING" }, assigned: [["State0", { result: '"PENDING"' }], ["State1", { result: '"SUCCESS"', originalResult: '"PENDING"' }]] });
    const choiceInputPath = {
      StartAt: "Check",
      States: { Check: { Type: "Choice", InputPath: "$.a", Choices: [{ Variable: "$.b", IsPresent: true, Assign: { "a.$": "$" }, Next: "Done" }], Default: "Done" }, Done: { Type: "Pass", End: true } },
    };
    expect(await ran(choiceInputPath, { a: { b: 1 } })).toMatchObject({ status: "SUCCEEDED", output: { b: 1 }, assigned: [["Check", { a: '{"b":1}' }]] });
    const waitInputPath = { StartAt: "W", States: { W: { Type: "Wait", Seconds: 0, InputPath: "$.a", Assign: { "v.$": "$.b" }, End: true } } };
    expect(await ran(waitInputPath, { a: { b: 2 } })).toMatchObject({ status: "SUCCEEDED", output: { b: 2 }, assigned: [["W", { v: "2" }]] });
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
  it("gives a definition without variables the `$$` it had before variables were run, and none of their machinery", async () => {
    const payloads: unknown[] = [];
    const definition = {
      StartAt: "Shape",
      States: {
        Shape: { Type: "Pass", Parameters: { "ctx.$": "$$", "text.$": "States.JsonToString($$)" }, Next: "Call" },
        Call: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: lambdaFunctionArn(REGION, "f"), Payload: { "context.$": "$$" } }, ResultPath: null, Next: "Each" },
        Each: { Type: "Map", ItemsPath: "$$.Execution.Input.items", ItemSelector: { "ctx.$": "$$" }, ItemProcessor: { StartAt: "Own", States: { Own: { Type: "Pass", End: true } } }, ResultPath: "$.each", End: true },
      },
    };
    expect(localRun(machine("vars", definition), () => {}).variables).toBeUndefined();
    const result = await ran(definition, { items: [7] }, { f: async (event: unknown) => (payloads.push(event), {}) });
    // AWS's context object (BASE_PATHS) but `State`, which aws-local-stepfunctions 3.0.0 does not give (docs/local-vs-aws.md).
    const context = {
      Execution: { Id: result.executionArn, Input: { items: [7] }, StartTime: expect.any(String), Name: result.executionArn.split(":").pop(), RoleArn: `arn:aws:iam::${ACCOUNT}:role/vars-role`, RedriveCount: 0 },
      StateMachine: { Id: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:vars`, Name: "vars" },
    };
    expect(result).toMatchObject({ status: "SUCCEEDED" });
    expect(result.output.ctx).toEqual(context);
    expect(JSON.parse(result.output.text)).toEqual(context);
    expect(payloads).toEqual([{ context }]);
    expect(result.output.each).toEqual([{ ctx: { ...context, Map: { Item: { Index: 0, Value: 7 } } } }]);
  });

  it("keeps its own workflow-variable fields out of `$$`, and gives an Assign AWS's `$$` (AWS-recorded BASE_PATHS)", async () => {
    // BASE_PATHS, but its intrinsic function (not run in an Assign locally).
    const definition = {
      StartAt: "State0",
      States: {
        State0: { Type: "Pass", Assign: { "str_path_root.$": "$", "str_path.$": "$.input_value", "str_contextpath_root.$": "$$", "str_contextpath.$": "$$.Execution.Id" }, Next: "Shape" },
        Shape: { Type: "Pass", Parameters: { "ctx.$": "$$", "text.$": "States.JsonToString($$)", "root.$": "$str_contextpath_root" }, End: true },
      },
    };
    const input = { input_value: "input_value_literal" };
    const result = await ran(definition, input);
    const context = {
      Execution: { Id: result.executionArn, Input: input, StartTime: result.startTime, Name: result.executionArn.split(":").pop(), RoleArn: `arn:aws:iam::${ACCOUNT}:role/vars-role`, RedriveCount: 0 },
      StateMachine: { Id: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:vars`, Name: "vars" },
    };
    expect(result).toMatchObject({ status: "SUCCEEDED" });
    expect(result.assigned).toEqual([["State0", { str_path_root: JSON.stringify(input), str_path: '"input_value_literal"', str_contextpath_root: expect.any(String), str_contextpath: JSON.stringify(result.executionArn) }]]);
    expect(JSON.parse(result.assigned[0][1].str_contextpath_root)).toEqual(context);
    expect(result.output).toEqual({ ctx: { ...context, Execution: { ...context.Execution, StartTime: expect.any(String) } }, text: expect.any(String), root: context });
    expect(Object.keys(JSON.parse(result.output.text))).toEqual(["Execution", "StateMachine"]);
    // AWS's context object has no such field: "does not point to a value". The local field's key is made anew by each
    // process (`__local` and random hex), so its prefix alone, or a run's variables under it, name nothing either.
    for (const path of ["$$.__local", "$$.__local.v.str_path", "$$.__local.c.r0", "$$.__workflowVariables"]) {
      const reading = { ...definition, States: { ...definition.States, Shape: { Type: "Pass", Parameters: { "v.$": path }, End: true } } };
      expect(await ran(reading, input)).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: `Path expression '${path}' does not point to a value` });
    }
  });

  it("keeps its own workflow-variable fields out of a wildcard or recursive descent on `$$`, in a state's paths and in an Assign", async () => {
    // A variable named as context fields are, which `$$..Name` would find were the run's variables within `$$`.
    const definition = {
      StartAt: "State0",
      States: {
        State0: { Type: "Pass", Assign: { Name: "variable", "fields.$": "$$.*" }, Next: "Shape" },
        Shape: { Type: "Pass", Parameters: { "fields.$": "$$.*", "names.$": "$$..Name", "assigned.$": "$fields", "sm.$": "$$.StateMachine", "smText.$": "States.JsonToString($$.StateMachine)", "smFields.$": "$$.StateMachine.*" }, End: true },
      },
    };
    const result = await ran(definition, { a: 1 });
    const execution = { Id: result.executionArn, Input: { a: 1 }, StartTime: expect.any(String), Name: result.executionArn.split(":").pop(), RoleArn: `arn:aws:iam::${ACCOUNT}:role/vars-role`, RedriveCount: 0 };
    const stateMachine = { Id: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:vars`, Name: "vars" };
    // toEqual: a field leaked into `$$.StateMachine` (or `$$.Execution`) shows as an extra key.
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({ fields: [execution, stateMachine], names: [execution.Name, "vars"], assigned: [execution, stateMachine], sm: stateMachine, smText: JSON.stringify(stateMachine), smFields: [stateMachine.Id, "vars"] });
    // Within a Map iteration too, where the run's variables still reach the iteration.
    const inMap = {
      StartAt: "State0",
      States: {
        State0: { Type: "Pass", Assign: { Name: "variable" }, Next: "Each" },
        Each: { Type: "Map", ItemsPath: "$.items", ItemProcessor: { StartAt: "In", States: { In: { Type: "Pass", Parameters: { "sm.$": "$$.StateMachine", "smText.$": "States.JsonToString($$.StateMachine)", "smFields.$": "$$.StateMachine.*", "v.$": "$Name" }, End: true } } }, End: true },
      },
    };
    const mapped = await ran(inMap, { items: [1] });
    expect(mapped.status).toBe("SUCCEEDED");
    expect(mapped.output).toEqual([{ sm: stateMachine, smText: JSON.stringify(stateMachine), smFields: [stateMachine.Id, "vars"], v: "variable" }]);
    // Nothing but the context's own fields: `$$..x` of a variable `x` selects nothing.
    const descent = { ...definition, States: { ...definition.States, Shape: { Type: "Pass", Parameters: { "v.$": "$$..fields" }, End: true } } };
    expect(await ran(descent)).toMatchObject({ status: "FAILED", error: "States.Runtime", cause: "Path expression '$$..fields' does not point to a value" });
  });

  it("assigns as a Task succeeds after a Retry, and as a Choice entered again goes to its Default", async () => {
    let calls = 0;
    const flaky: TaskFunction = async () => {
      if (++calls === 1) throw Object.assign(new Error("once"), { errorType: "Flaky" });
      return { ok: 1 };
    };
    const retried = { StartAt: "T", States: { T: { Type: "Task", Resource: lambdaFunctionArn(REGION, "flaky"), Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 1 }], Assign: { "r.$": "$.ok" }, End: true } } };
    expect(await ran(retried, {}, { flaky })).toMatchObject({ status: "SUCCEEDED", assigned: [["T", { r: "1" }]] });
    // The rule matches first; entered again, the Choice goes to its Default and assigns its own Assign.
    const again = {
      StartAt: "Start",
      States: {
        Start: { Type: "Pass", Assign: { n: 0 }, Next: "C" },
        C: { Type: "Choice", Choices: [{ Variable: "$n", NumericEquals: 0, Assign: { seen: "rule" }, Next: "Bump" }], Assign: { seen: "default" }, Default: "Done" },
        Bump: { Type: "Pass", Assign: { n: 1 }, Next: "C" },
        Done: { Type: "Pass", Parameters: { "seen.$": "$seen" }, End: true },
      },
    };
    expect(await ran(again)).toMatchObject({ status: "SUCCEEDED", output: { seen: "default" }, assigned: [["Start", { n: "0" }], ["C", { seen: '"rule"' }], ["Bump", { n: "1" }], ["C", { seen: '"default"' }]] });
  });

  it("reads variables in a Fail state's paths and a Map's ItemsPath (AWS-recorded)", async () => {
    // BASE_REFERENCE_IN_FAIL
    const fail = { StartAt: "Pass", States: { Pass: { Type: "Pass", Assign: { errorVar: "Exception", causeVar: "An Exception was encountered" }, Next: "Fail" }, Fail: { Type: "Fail", CausePath: "$causeVar", ErrorPath: "$errorVar" } } };
    expect(await ran(fail)).toMatchObject({ status: "FAILED", error: "Exception", cause: "An Exception was encountered", assigned: [["Pass", { errorVar: '"Exception"', causeVar: '"An Exception was encountered"' }]] });
    // MAP_STATE_REFERENCE_IN_ITEMS_PATH
    const items = {
      StartAt: "Start",
      States: {
        Start: { Type: "Pass", Assign: { Question: "Who's that Pokemon?", PokemonList: ["Charizard", "Pikachu", "Squirtle"] }, Result: { AnswerTemplate: "It's {}!" }, Next: "MapIterateState" },
        MapIterateState: {
          Type: "Map",
          MaxConcurrency: 1,
          ItemsPath: "$PokemonList",
          ItemSelector: { "AnnouncePokemon.$": "States.Format($.AnswerTemplate, $$.Map.Item.Value)" },
          ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "Pass", States: { Pass: { Type: "Pass", Parameters: { "Question.$": "$Question", "Answer.$": "$.AnnouncePokemon" }, End: true } } },
          End: true,
        },
      },
    };
    expect(await ran(items)).toMatchObject({
      status: "SUCCEEDED",
      output: ["Charizard", "Pikachu", "Squirtle"].map((name) => ({ Answer: `It's ${name}!`, Question: "Who's that Pokemon?" })),
      assigned: [["Start", { PokemonList: '["Charizard","Pikachu","Squirtle"]', Question: '"Who\'s that Pokemon?"' }]],
    });
  });

  it("reads a variable only where a path or an intrinsic function's argument starts, and takes any name as written", async () => {
    // `$b` within a path is a field's name.
    const within = { StartAt: "S", States: { S: { Type: "Pass", Assign: { b: 1 }, Next: "A" }, A: { Type: "Pass", Parameters: { "dotted.$": "$.a.$b", "bracketed.$": '$["$b"]' }, End: true } } };
    expect(await ran(within, { a: { $b: 7 }, $b: 8 })).toMatchObject({ status: "SUCCEEDED", output: { dotted: 7, bracketed: 8 } });
    // A name beyond ASCII, and `__proto__`, are variables like any other.
    // (A computed key: a literal `__proto__:` would set the object's prototype.)
    const names = { StartAt: "S", States: { S: { Type: "Pass", Assign: { été: 1, ["__proto__"]: 2 }, Next: "A" }, A: { Type: "Pass", Parameters: { "v.$": "States.Array($été, $__proto__)" }, End: true } } };
    const result = await ran(names);
    expect(result).toMatchObject({ status: "SUCCEEDED", output: { v: [1, 2] } });
    expect(result.assigned.map(([state, assigned]) => [state, Object.entries(assigned)])).toEqual([["S", [["été", "1"], ["__proto__", "2"]]]]);
  });
});
