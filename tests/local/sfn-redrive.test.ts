/**
 * RedriveExecution on the local Step Functions server (local/sfn-server.ts), through @aws-sdk/client-sfn: a failed
 * STANDARD execution restarts from its failed state with that state's input, its successful states not run again
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html).
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LambdaInvokeError } from "../../local/lambda-runtime";
import { startLocalSfn, type LocalSfnServer } from "../../local/sfn-server";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { ACCOUNT, fnArn, localMachine, REGION } from "./sfn-helpers";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const machine = localMachine;

/** How often each function ran, and whether `flaky` fails (the test fixes it between attempts). */
const calls = { prepare: 0, flaky: 0 };
let broken = true;
const seen: unknown[] = [];
/** The held Task's first attempt never ends (the test stops the execution once it has begun); its second returns. */
let reached!: () => void;
const heldReached = new Promise<void>((resolve) => (reached = resolve));
let holds = 0;
/** The Map items, Parallel branches and variable reads each attempt ran, and which fail until the test fixes them. */
const ran: string[] = [];
const failing = new Set(["item:2", "branch:b", "noted", "jsonata", "twice:2", "twice:3", "caught:1", "after:b"]);
const runOrFail = (what: string, result: unknown) => {
  ran.push(what);
  if (failing.has(what)) throw new LambdaInvokeError(what, "Down", `${what} is down`, "Down: down");
  return result;
};

let server: LocalSfnServer;
let client: SFNClient;
beforeAll(async () => {
  server = await startLocalSfn({
    stateMachines: [
      machine(
        "order",
        {
          StartAt: "Prepare",
          States: {
            Prepare: { Type: "Task", Resource: fnArn("prepare"), ResultPath: "$.prepared", Next: "Charge" },
            Charge: { Type: "Task", Resource: fnArn("flaky"), ResultPath: "$.charged", Next: "Done" },
            Done: { Type: "Pass", End: true },
          },
        },
        {
          prepare: async () => ++calls.prepare,
          flaky: async (event) => {
            calls.flaky += 1;
            seen.push(event);
            if (broken) throw new LambdaInvokeError("flaky", "PaymentDown", "the payment service is down", "PaymentDown: down");
            return { ok: true };
          },
        },
      ),
      machine(
        "held",
        { StartAt: "Start", States: { Start: { Type: "Pass", Result: { step: 1 }, Next: "Hold" }, Hold: { Type: "Task", Resource: fnArn("hold"), End: true } } },
        {
          hold: async (event) => {
            holds += 1;
            if (holds === 1) {
              reached();
              return new Promise(() => {});
            }
            return { resumed: event };
          },
        },
      ),
      machine("passes", { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } }, {}),
      machine("fails", { StartAt: "Stop", States: { Stop: { Type: "Fail", Error: "Stopped" } } }, {}),
      // A definition the local runtime does not run (AWS refuses it at CreateStateMachine): its executions fail before their first state.
      machine("unloaded", { QueryLanguage: "JSONata", StartAt: "Done", States: { Done: { Type: "Pass", QueryLanguage: "JSONPath", End: true } } }, {}),
      machine(
        "mapped",
        {
          StartAt: "Before",
          States: {
            Before: { Type: "Task", Resource: fnArn("before"), ResultPath: "$.before", Next: "Each" },
            // One iteration at a time: the first succeeds, the second fails, the third is never started.
            Each: { Type: "Map", ItemsPath: "$.items", MaxConcurrency: 1, ItemProcessor: { StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("item"), End: true } } }, ResultPath: "$.done", End: true },
          },
        },
        { before: async () => runOrFail("before", 1), item: async (event) => runOrFail(`item:${String(event)}`, `done ${String(event)}`) },
      ),
      machine(
        "mapped-twice",
        {
          StartAt: "Base",
          States: {
            Base: { Type: "Pass", Assign: { base: 10 }, Next: "Each" },
            Each: {
              Type: "Map",
              ItemsPath: "$.items",
              MaxConcurrency: 1,
              // Each iteration reads the outer scope's variable, restored by a redrive.
              ItemSelector: { "item.$": "$$.Map.Item.Value", "base.$": "$base" },
              ItemProcessor: { StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("twice"), End: true } } },
              End: true,
            },
          },
        },
        { twice: async (event) => runOrFail(`twice:${(event as { item: number }).item}`, (event as { item: number; base: number }).item + (event as { base: number }).base) },
      ),
      machine(
        "assigned-jsonata",
        {
          QueryLanguage: "JSONata",
          StartAt: "Note",
          States: {
            Note: { Type: "Pass", Assign: { x: 1 }, Next: "Bump" },
            Bump: { Type: "Pass", Assign: { x: "{% $x + 1 %}" }, Next: "Use" },
            Use: { Type: "Task", Resource: fnArn("jsonata"), Arguments: { x: "{% $x %}" }, Output: "{% {'x': $x, 'result': $states.result} %}", End: true },
          },
        },
        { jsonata: async (event) => runOrFail("jsonata", event) },
      ),
      machine(
        "caught-then-branched",
        {
          StartAt: "Each",
          States: {
            // Its first iteration fails while the second is under way: the Map is caught, the rest started after it failed.
            Each: { Type: "Map", MaxConcurrency: 2, ItemProcessor: { StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("caught"), End: true } } }, Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: null, Next: "Both" }], Next: "Both" },
            Both: {
              Type: "Parallel",
              Branches: [
                { StartAt: "A", States: { A: { Type: "Task", Resource: fnArn("afterA"), End: true } } },
                { StartAt: "B", States: { B: { Type: "Task", Resource: fnArn("afterB"), End: true } } },
              ],
              End: true,
            },
          },
        },
        {
          caught: async (event) => runOrFail(`caught:${String(event)}`, event),
          afterA: async () => runOrFail("after:a", "a"),
          afterB: async () => runOrFail("after:b", "b"),
        },
      ),
      machine(
        "branched",
        {
          StartAt: "Both",
          States: {
            Both: {
              Type: "Parallel",
              Branches: [
                { StartAt: "A", States: { A: { Type: "Task", Resource: fnArn("branchA"), End: true } } },
                { StartAt: "B", States: { B: { Type: "Task", Resource: fnArn("branchB"), End: true } } },
              ],
              End: true,
            },
          },
        },
        { branchA: async () => runOrFail("branch:a", "a"), branchB: async () => runOrFail("branch:b", "b") },
      ),
      machine(
        "assigned",
        {
          StartAt: "Note",
          States: {
            Note: { Type: "Pass", Assign: { noted: 1, kept: "k" }, Next: "Renote" },
            Renote: { Type: "Pass", Assign: { noted: 2 }, Next: "Use" },
            // Its Assign is applied only as it exits: a redrive must not see `noted` 3 in the Task's Parameters.
            Use: { Type: "Task", Resource: fnArn("noted"), Parameters: { "noted.$": "$noted", "kept.$": "$kept" }, Assign: { noted: 3 }, Next: "After" },
            After: { Type: "Pass", Parameters: { "noted.$": "$noted", "result.$": "$" }, End: true },
          },
        },
        { noted: async (event) => runOrFail("noted", { seen: event }) },
      ),
    ],
    credentials: [LOCAL_CREDENTIALS, { accessKeyId: "AKIADENIED", secretAccessKey: "denied" }],
    authorise: (accessKeyId, action) => (accessKeyId === "AKIADENIED" && action === "states:RedriveExecution" ? { caller: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/s`, reason: "because no identity-based policy allows the states:RedriveExecution action" } : undefined),
  });
  client = new SFNClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey } });
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  client.destroy();
  await server.stop();
});

const arnOf = (name: string, execution: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${name}:${execution}`;

/** Starts the execution `name` of the state machine `machine` and waits until it has settled: its ARN. */
async function settled(machine: string, name: string, input?: string): Promise<string> {
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machine}`, name, input }));
  await server.sfn.drained();
  return executionArn!;
}

/** Redrives the execution, waits until it has settled again, and describes it. */
async function redriven(executionArn: string) {
  await client.send(new RedriveExecutionCommand({ executionArn }));
  await server.sfn.drained();
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

describe("RedriveExecution", () => {
  it("restarts a failed execution from its failed Task with that Task's input; the states before it are not run again", async () => {
    const executionArn = await settled("order", "o1", JSON.stringify({ id: 7 }));
    const failed = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(failed).toMatchObject({ status: "FAILED", error: "PaymentDown", redriveCount: 0, redriveStatus: "REDRIVABLE" });

    broken = false;
    const redriven = await client.send(new RedriveExecutionCommand({ executionArn, clientToken: "token-1" }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    // The same client token again: the same answer, and no second redrive.
    const again = await client.send(new RedriveExecutionCommand({ executionArn, clientToken: "token-1" }));
    expect(again.redriveDate).toEqual(redriven.redriveDate);
    await server.sfn.drained();

    const done = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1, redriveStatus: "NOT_REDRIVABLE", redriveStatusReason: "Execution is SUCCEEDED and cannot be redriven" });
    expect(done.redriveDate).toEqual(redriven.redriveDate);
    const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:order`;
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn, redriveFilter: "REDRIVEN" }));
    expect(listed.executions).toEqual([expect.objectContaining({ executionArn, status: "SUCCEEDED", redriveCount: 1, redriveDate: redriven.redriveDate })]);
    expect((await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn, redriveFilter: "NOT_REDRIVEN" }))).executions).toEqual([]);
    expect(JSON.parse(done.output!)).toEqual({ id: 7, prepared: 1, charged: { ok: true } });
    expect(calls).toEqual({ prepare: 1, flaky: 2 });
    expect(seen[1]).toEqual(seen[0]);

    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "ExecutionStarted")).toHaveLength(1);
    const at = types.indexOf("ExecutionRedriven");
    expect(types.slice(0, at)).toContain("ExecutionFailed");
    expect(events[at]).toMatchObject({ id: at + 1, previousEventId: at, executionRedrivenEventDetails: { redriveCount: 1 } });
    expect(types.slice(at + 1)).toContain("ExecutionSucceeded");
    expect(types.slice(at + 1)).not.toContain("ExecutionStarted");
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    // The failed Task runs again after ExecutionRedriven, with the input it had.
    expect(events[at + 1]).toMatchObject({ type: "TaskStateEntered", previousEventId: at + 1, stateEnteredEventDetails: { name: "Charge", input: JSON.stringify({ id: 7, prepared: 1 }) } });
  });

  it("refuses a succeeded execution (ExecutionNotRedrivable) and one that does not exist", async () => {
    // Its own execution, so the test does not depend on the order the file's tests run in (vitest --sequence.shuffle).
    const executionArn = await settled("passes", "p1");
    await expect(client.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({ name: "ExecutionNotRedrivable", message: expect.stringContaining("SUCCEEDED") });
    await expect(client.send(new RedriveExecutionCommand({ executionArn: arnOf("passes", "none") }))).rejects.toMatchObject({ name: "ExecutionDoesNotExist" });
    // ClientToken: "Length Constraints: Minimum length of 1. Maximum length of 64." (API_RedriveExecution).
    await expect(client.send(new RedriveExecutionCommand({ executionArn, clientToken: "x".repeat(65) }))).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("'clientToken'") });
  });

  it("redrives only the Map iterations that failed or never started, the others keeping their results", async () => {
    const executionArn = await settled("mapped", "m1", JSON.stringify({ items: [1, 2, 3] }));
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "FAILED", error: "Down", redriveStatus: "REDRIVABLE" });
    expect(ran.filter((what) => what.startsWith("item:") || what === "before")).toEqual(["before", "item:1", "item:2"]);

    failing.delete("item:2");
    ran.length = 0;
    const done = await redriven(executionArn);
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    // The succeeded iteration's result is the one it had; the failed one and the one never started ran, in order.
    expect(JSON.parse(done.output!)).toEqual({ items: [1, 2, 3], before: 1, done: ["done 1", "done 2", "done 3"] });
    expect(ran.filter((what) => what.startsWith("item:") || what === "before")).toEqual(["item:2", "item:3"]);
    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const at = events.findIndex((e) => e.type === "ExecutionRedriven");
    expect(events[at + 1]).toMatchObject({ type: "MapStateEntered", stateEnteredEventDetails: { name: "Each" } });
    expect(events.slice(at).filter((e) => e.type === "MapIterationStarted").map((e) => e.mapIterationStartedEventDetails?.index)).toEqual([1, 2]);
  });

  it("keeps the iterations each attempt completed over several redrives, with the outer variables they read", async () => {
    const executionArn = await settled("mapped-twice", "t1", JSON.stringify({ items: [1, 2, 3] }));
    const twice = () => ran.filter((what) => what.startsWith("twice:"));
    expect(twice()).toEqual(["twice:1", "twice:2"]);

    // The first redrive completes the second iteration and fails in the third.
    failing.delete("twice:2");
    ran.length = 0;
    expect(await redriven(executionArn)).toMatchObject({ status: "FAILED", redriveCount: 1 });
    expect(twice()).toEqual(["twice:2", "twice:3"]);

    // The second runs the third alone: the first two keep what they returned in the attempts before.
    failing.delete("twice:3");
    ran.length = 0;
    const done = await redriven(executionArn);
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 2 });
    expect(twice()).toEqual(["twice:3"]);
    expect(JSON.parse(done.output!)).toEqual([11, 12, 13]);
  });

  it("redrives only the Parallel branches that failed, the others keeping their results", async () => {
    const executionArn = await settled("branched", "b1");
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "FAILED", error: "Down" });
    expect(ran.filter((what) => what.startsWith("branch:")).sort()).toEqual(["branch:a", "branch:b"]);

    failing.delete("branch:b");
    ran.length = 0;
    const done = await redriven(executionArn);
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    expect(JSON.parse(done.output!)).toEqual(["a", "b"]);
    expect(ran.filter((what) => what.startsWith("branch:"))).toEqual(["branch:b"]);
  });

  it("redrives an aborted execution from the Task it was stopped in", async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:held`, name: "h1" }));
    await heldReached;
    await client.send(new StopExecutionCommand({ executionArn, error: "Operator" }));
    await server.sfn.drained();
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "ABORTED", redriveStatus: "REDRIVABLE" });
    const done = await redriven(executionArn!);
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1, output: JSON.stringify({ resumed: { step: 1 } }) });
    expect(done.error).toBeUndefined();
    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const types = events.map((e) => e.type);
    expect(types.indexOf("ExecutionAborted")).toBeLessThan(types.indexOf("ExecutionRedriven"));
    expect(types.filter((t) => t === "PassStateEntered")).toHaveLength(1);
    expect(holds).toBe(2);
  });

  it("redrives the Parallel state it stopped in after a caught Map, only its failed branch", async () => {
    const executionArn = await settled("caught-then-branched", "c1", JSON.stringify([1, 2, 3, 4]));
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "FAILED", error: "Down" });
    expect(ran.filter((what) => what.startsWith("after:")).sort()).toEqual(["after:a", "after:b"]);
    failing.delete("after:b");
    ran.length = 0;
    const done = await redriven(executionArn);
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    expect(JSON.parse(done.output!)).toEqual(["a", "b"]);
    expect(ran.filter((what) => what.startsWith("after:") || what.startsWith("caught:"))).toEqual(["after:b"]);
  });

  it("redrives with the workflow variables as they were when the failed state entered", async () => {
    const executionArn = await settled("assigned", "a1");
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "FAILED", error: "Down" });

    failing.delete("noted");
    const done = await redriven(executionArn);
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    // The Task read the values Note and Renote had assigned (not run again); its own Assign applied as it exited.
    expect(JSON.parse(done.output!)).toEqual({ noted: 3, result: { seen: { noted: 2, kept: "k" } } });
    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    expect(events.filter((e) => e.type === "PassStateEntered").map((e) => e.stateEnteredEventDetails?.name)).toEqual(["Note", "Renote", "After"]);
  });

  it("restores the variables of a JSONata definition too", async () => {
    const executionArn = await settled("assigned-jsonata", "j1");
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "FAILED", error: "Down" });
    failing.delete("jsonata");
    const done = await redriven(executionArn);
    expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    expect(JSON.parse(done.output!)).toEqual({ x: 2, result: { x: 2 } });
  });

  it("redrives an execution that failed before its first state from its StartAt", async () => {
    const executionArn = await settled("unloaded", "u1");
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "FAILED", error: "States.Runtime", redriveStatus: "REDRIVABLE" });
    await client.send(new RedriveExecutionCommand({ executionArn }));
    await server.sfn.drained();
    // Run again from the start, it fails again as it did (its definition is the same).
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "FAILED", error: "States.Runtime", redriveCount: 1 });
    const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    expect(events.map((e) => e.type)).toEqual(["ExecutionFailed", "ExecutionRedriven", "ExecutionFailed"]);
  });

  it("refuses an execution that closed more than 14 days ago, in AWS's words", async () => {
    const executionArn = await settled("fails", "f1");
    const { stopDate } = await client.send(new DescribeExecutionCommand({ executionArn }));
    // The clock read straight, not through HTTP (a request signed 14 days off would be refused for its skew).
    const days = (n: number) => n * 24 * 60 * 60 * 1000;
    const now = vi.spyOn(Date, "now").mockReturnValue(stopDate!.getTime() + days(14));
    expect(server.sfn.describeExecution({ executionArn })).toMatchObject({ status: "FAILED", redriveStatus: "REDRIVABLE" });
    now.mockReturnValue(stopDate!.getTime() + days(14) + 1);
    expect(server.sfn.describeExecution({ executionArn })).toMatchObject({ redriveStatus: "NOT_REDRIVABLE", redriveStatusReason: "Execution redrivable period exceeded" });
    await expect(server.sfn.redriveExecution({ executionArn })).rejects.toMatchObject({ name: "ExecutionNotRedrivable", message: expect.stringContaining("Execution redrivable period exceeded") });
    expect(server.sfn.describeExecution({ executionArn })).toMatchObject({ status: "FAILED", redriveCount: 0 });
  });

  it("is authorised as states:RedriveExecution on the execution's ARN", async () => {
    const denied = new SFNClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: "AKIADENIED", secretAccessKey: "denied" } });
    await expect(denied.send(new RedriveExecutionCommand({ executionArn: arnOf("mapped", "m1") }))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(`not authorized to perform: states:RedriveExecution on resource: ${arnOf("mapped", "m1")}`),
    });
    denied.destroy();
  });
});
