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
});
