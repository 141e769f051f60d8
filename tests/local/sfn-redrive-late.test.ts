/**
 * RedriveExecution on the local Step Functions runtime (local/sfn-server.ts), driven in-process: what an attempt
 * before leaves behind (a Task still under way when the execution timed out), what a redrive reuses of a Map that
 * failed for its data's size, and what a closed execution keeps for a redrive.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { LocalStepFunctions, type TaskFunction } from "../../local/sfn-server";
import { fnArn, localMachine as machine, machineArn } from "./sfn-helpers";

afterEach(() => {
  vi.useRealTimers();
});

type Events = { events: Array<Record<string, any>> };

describe("RedriveExecution, the attempt before", () => {
  it("records nothing of a Task the timed-out attempt left under way, when it returns during the redrive", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const finish: Array<(value: unknown) => void> = [];
    let called!: () => void;
    let calls = new Promise<void>((resolve) => (called = resolve));
    const hang: TaskFunction = () => new Promise((resolve) => (finish.push(resolve), called()));
    const sfn = new LocalStepFunctions([machine("slow", { TimeoutSeconds: 5, StartAt: "Call", States: { Call: { Type: "Task", Resource: fnArn("hang"), End: true } } }, { hang })]);
    const { executionArn } = await sfn.start({ stateMachineArn: machineArn("slow"), input: "{}" }, false);
    // Its timer is set once the run has begun (the library loads first).
    await calls;
    calls = new Promise<void>((resolve) => (called = resolve));
    await vi.advanceTimersByTimeAsync(5000);
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "TIMED_OUT" });
    await sfn.redriveExecution({ executionArn });
    await calls;
    expect(finish).toHaveLength(2);
    // The first attempt's call returns while the redrive's is under way: no part of the history.
    finish[0]({ late: true });
    await vi.advanceTimersByTimeAsync(0);
    finish[1]({ second: true });
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED", output: JSON.stringify({ second: true }) });
    const { events } = sfn.getExecutionHistory({ executionArn }) as Events;
    expect(events.map((event) => event.type)).toEqual([
      "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "ExecutionTimedOut",
      "ExecutionRedriven", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]);
    expect(events.filter((event) => event.type === "LambdaFunctionSucceeded").map((event) => event.lambdaFunctionSucceededEventDetails.output)).toEqual([JSON.stringify({ second: true })]);
  });

  it("redrives a Map the execution timed out in: the iteration that had returned keeps its result, the one under way runs again, its late return ignored", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const finish: Array<(value: unknown) => void> = [];
    const ran: unknown[] = [];
    let called!: () => void;
    let calls = new Promise<void>((resolve) => (called = resolve));
    const item: TaskFunction = (event) => {
      ran.push(event);
      if (event === 1) return Promise.resolve("one");
      return new Promise((resolve) => (finish.push(resolve), called()));
    };
    const definition = { TimeoutSeconds: 5, StartAt: "Each", States: { Each: { Type: "Map", ItemProcessor: { StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("item"), End: true } } }, End: true } } };
    const sfn = new LocalStepFunctions([machine("slow-map", definition, { item })]);
    const { executionArn } = await sfn.start({ stateMachineArn: machineArn("slow-map"), input: "[1, 2]" }, false);
    await calls;
    calls = new Promise<void>((resolve) => (called = resolve));
    await vi.advanceTimersByTimeAsync(5000);
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "TIMED_OUT" });
    await sfn.redriveExecution({ executionArn });
    await calls;
    // The first attempt's second iteration returns while the redrive's runs: not its result, nor in its history.
    finish[0]("late");
    await vi.advanceTimersByTimeAsync(0);
    finish[1]("two");
    await sfn.drained();
    expect(ran).toEqual([1, 2, 2]);
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED", output: JSON.stringify(["one", "two"]) });
    const { events } = sfn.getExecutionHistory({ executionArn }) as Events;
    const redriven = events.findIndex((event) => event.type === "ExecutionRedriven");
    expect(events.slice(redriven).filter((event) => event.type === "LambdaFunctionSucceeded").map((event) => event.lambdaFunctionSucceededEventDetails.output)).toEqual(['"two"']);
  }, 10_000);
});

describe("RedriveExecution of a Map or Parallel", () => {
  it("runs every iteration again when the Map failed with States.DataLimitExceeded, as AWS does", async () => {
    let big = true;
    const ran: unknown[] = [];
    const item: TaskFunction = async (event) => (ran.push(event), big ? "x".repeat(100_000) : `small ${String(event)}`);
    const definition = { StartAt: "Each", States: { Each: { Type: "Map", ItemProcessor: { StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("item"), End: true } } }, End: true } } };
    const sfn = new LocalStepFunctions([machine("big-map", definition, { item })]);
    const { executionArn } = await sfn.start({ stateMachineArn: machineArn("big-map"), input: "[1, 2, 3]" }, false);
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "FAILED", error: "States.DataLimitExceeded" });
    big = false;
    ran.length = 0;
    await sfn.redriveExecution({ executionArn });
    await sfn.drained();
    expect(ran).toEqual([1, 2, 3]);
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED", output: JSON.stringify(["small 1", "small 2", "small 3"]) });
  });

  it("keeps no iteration results or variables for a redrive once the execution succeeded", async () => {
    const item: TaskFunction = async (event) => `done ${String(event)}`;
    const definition = { StartAt: "Note", States: { Note: { Type: "Pass", Assign: { big: "x" }, Next: "Each" }, Each: { Type: "Map", ItemProcessor: { StartAt: "Work", States: { Work: { Type: "Task", Resource: fnArn("item"), End: true } } }, End: true } } };
    const sfn = new LocalStepFunctions([machine("kept", definition, { item })]);
    const { executionArn } = await sfn.start({ stateMachineArn: machineArn("kept"), input: "[1, 2]" }, false);
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED" });
    // Not redrivable: nothing kept for one (white-box: the execution's record).
    const execution = (sfn as unknown as { executions: Map<string, { stopped?: unknown }> }).executions.get(executionArn as string);
    expect(execution).toBeDefined();
    expect(execution!.stopped).toBeUndefined();
  });
});

describe("RedriveExecution's client token", () => {
  it("answers the same token sent twice at once with the one redrive, not ExecutionNotRedrivable", async () => {
    const sfn = new LocalStepFunctions([machine("fails", { StartAt: "Stop", States: { Stop: { Type: "Fail", Error: "Stopped" } } })]);
    const { executionArn } = await sfn.start({ stateMachineArn: machineArn("fails"), input: "{}" }, false);
    await sfn.drained();
    const [first, second] = await Promise.all([sfn.redriveExecution({ executionArn, clientToken: "once" }), sfn.redriveExecution({ executionArn, clientToken: "once" })]);
    expect(second).toEqual(first);
    await sfn.drained();
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: "FAILED", redriveCount: 1 });
  });
});
