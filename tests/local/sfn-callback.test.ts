/**
 * Wait for Callback Tasks (`.waitForTaskToken`) under `npm start`: the Task's Parameters read `$$.Task.Token`, its
 * integration is called, and it waits for SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat on the local endpoint,
 * or its TimeoutSeconds / HeartbeatSeconds (on a clock the test fires by hand: nothing here waits for real time).
 */
import { GetExecutionHistoryCommand, type HistoryEvent, SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { policyStatements } from "../../local/iam-policy";
import { lambdaFunctionArn } from "../../local/offline/mocks";
import { startLocalSfn, type LocalSfnServer, type LocalStateMachineDefinition, type TaskClock } from "../../local/sfn-server";
import { LOCAL_CREDENTIALS, type SigV4Credentials } from "../../local/sigv4-verify";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const fnArn = (name: string) => lambdaFunctionArn(REGION, name);

/** What the integration was called with, handed to the test as it comes. */
function inbox<T>() {
  const items: T[] = [];
  const takers: Array<(item: T) => void> = [];
  return {
    put(item: T) {
      const taker = takers.shift();
      if (taker) taker(item);
      else items.push(item);
    },
    next: (): Promise<T> => (items.length > 0 ? Promise.resolve(items.shift()!) : new Promise((resolve) => takers.push(resolve))),
  };
}

/** Timers the test fires: by what they wait (ms). */
const timers = new Map<number, { fire: () => void; ms: number }>();
let timerIds = 0;
const clock: TaskClock = {
  setTimeout(fire, ms) {
    timers.set(++timerIds, { fire, ms });
    return timerIds;
  },
  clearTimeout: (id) => void timers.delete(id as number),
};
function fire(ms: number): void {
  const found = [...timers].find(([, timer]) => timer.ms === ms);
  if (!found) throw new Error(`no ${ms} ms timer is set (${[...timers.values()].map((t) => t.ms).join(", ")})`);
  timers.delete(found[0]);
  found[1].fire();
}

const asked = inbox<any>();
const sent = inbox<any>();

function machine(name: string, ask: Record<string, unknown>): LocalStateMachineDefinition {
  return {
    arn: machineArn(name),
    name,
    type: "STANDARD",
    definition: JSON.stringify({
      StartAt: "Ask",
      States: {
        Ask: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: { FunctionName: fnArn("ask"), Payload: { "token.$": "$$.Task.Token", "note.$": "States.Format('order {} waits on {}', $.order, $$.Task.Token)" } },
          Catch: [
            { ErrorEquals: ["Rejected"], ResultPath: "$.rejected", Next: "Done" },
            { ErrorEquals: ["States.TaskFailed"], ResultPath: "$.failed", Next: "Done" },
            { ErrorEquals: ["States.Timeout"], ResultPath: "$.timedOut", Next: "Done" },
          ],
          Next: "Done",
          ...ask,
        },
        Done: { Type: "Pass", End: true },
      },
    }),
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}-role`,
    logLevel: "OFF",
    includeExecutionData: false,
    tracing: false,
    functions: new Map([[fnArn("ask"), async (event: unknown) => (asked.put(event), { accepted: true })]]),
    serviceTasks: async (api, parameters) => (sent.put({ api, parameters }), { MessageId: "m-1" }),
  };
}

const queued: LocalStateMachineDefinition = {
  ...machine("queued", {}),
  definition: JSON.stringify({
    StartAt: "Send",
    States: { Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", Parameters: { QueueUrl: "q", MessageBody: { "TaskToken.$": "$$.Task.Token" } }, End: true } },
  }),
};

/** A callback Task asking `ask` with the token and `payload`. */
const asking = (payload: Record<string, unknown>) => ({ Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: fnArn("ask"), Payload: { "token.$": "$$.Task.Token", ...payload } }, End: true });
/** Callback Tasks under way at once: in two Parallel branches, and in each iteration of a Map. */
const fanned: LocalStateMachineDefinition = {
  ...machine("fanned", {}),
  definition: JSON.stringify({ StartAt: "Both", States: { Both: { Type: "Parallel", Branches: [{ StartAt: "Left", States: { Left: asking({ side: "left" }) } }, { StartAt: "Right", States: { Right: asking({ side: "right" }) } }], End: true } } }),
};
const mapped: LocalStateMachineDefinition = {
  ...machine("mapped", {}),
  definition: JSON.stringify({ StartAt: "Each", States: { Each: { Type: "Map", ItemsPath: "$.items", Iterator: { StartAt: "One", States: { One: asking({ "side.$": "$" }) } }, End: true } } }),
};

/** TimeoutSecondsPath and HeartbeatSecondsPath read from the state's input (the Parameters leave `limits` out). */
const pathed = machine("pathed", { TimeoutSecondsPath: "$.limits.timeout", HeartbeatSecondsPath: "$.limits.heartbeat" });

/** TimeoutSecondsPath read after InputPath, as the Parameters are. */
const narrowed = machine("narrowed", { InputPath: "$.inner", TimeoutSecondsPath: "$.t" });

/** No Parameters: the integration is handed the effective input (after InputPath), and the path reads it too. */
const bare: LocalStateMachineDefinition = {
  ...machine("bare", {}),
  definition: JSON.stringify({ StartAt: "Send", States: { Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", InputPath: "$.body", TimeoutSecondsPath: "$.t", End: true } } }),
};

/** No Parameters, the limit read from the context object: any effective input, a falsy one too, is handed on. */
const bareContext: LocalStateMachineDefinition = {
  ...machine("bare-context", {}),
  definition: JSON.stringify({ StartAt: "Send", States: { Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", InputPath: "$.body", TimeoutSecondsPath: "$$.Execution.Input.t", End: true } } }),
};

/** A callback Task with Parameters in a Map iteration, its limit read from the context object: the execution's input, not the item. */
const mappedContext: LocalStateMachineDefinition = {
  ...machine("mapped-context", {}),
  definition: JSON.stringify({ StartAt: "Each", States: { Each: { Type: "Map", ItemsPath: "$.items", Iterator: { StartAt: "One", States: { One: { ...asking({ "side.$": "$.side" }), TimeoutSecondsPath: "$$.Execution.Input.limits.t" } } }, End: true } } }),
};

/** No Catch: a SendTaskFailure fails the execution. */
const uncaught = machine("uncaught", { Catch: undefined });
/** As `uncaught`, its output the result's first item and length. */
const selecting = machine("selecting", { Catch: undefined, ResultSelector: { "first.$": "$[0]", "count.$": "States.ArrayLength($)" } });

/** The function of `slow`: hands the test its event, then runs until the test lets it return. */
let letReturn: () => void = () => {};
const slow: LocalStateMachineDefinition = {
  ...machine("slow", { TimeoutSeconds: 300 }),
  functions: new Map([
    [
      fnArn("ask"),
      async (event: unknown) => {
        const running = new Promise<void>((resolve) => (letReturn = resolve));
        asked.put(event);
        await running;
        return { accepted: true };
      },
    ],
  ]),
};

/**
 * Rejections nothing handled while a test ran: under `npm start` (Node's default --unhandled-rejections=throw) each
 * ends the process. Recorded here so the test that leaves one fails by name.
 */
const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => void unhandled.push(reason);

/** Lets the runtime go on until `done` holds (a few turns of the event loop, never a real wait). */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (let turn = 0; turn < 50 && !(await done()); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(await done()).toBe(true);
}

/** Lets the runtime go on until `execution` closes (a few turns of the event loop, never a real wait). */
async function closed(executionArn: string) {
  for (let turn = 0; turn < 50 && server.sfn.describeExecution({ executionArn }).status === "RUNNING"; turn++) await new Promise((resolve) => setImmediate(resolve));
  const { status, output, error } = server.sfn.describeExecution({ executionArn }) as Record<string, any>;
  return { status, output: output && JSON.parse(output), error };
}

const replier = functionCredentials("replier-fn");
const roles = new FunctionRoles([
  {
    functionName: "replier-fn",
    roleName: "replier-role",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/replier-role`,
    callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/replier-role/replier-fn`,
    credentials: replier,
    statements: policyStatements(JSON.stringify({ Statement: [{ Effect: "Allow", Action: "states:SendTaskSuccess", Resource: machineArn("queued") }] })),
    enforced: true,
  },
]);

let server: LocalSfnServer;
beforeAll(async () => {
  server = await startLocalSfn({
    stateMachines: [machine("approve", {}), machine("timed", { TimeoutSeconds: 300, HeartbeatSeconds: 60 }), queued, slow, uncaught, selecting, fanned, mapped, mappedContext, pathed, narrowed, bare, bareContext],
    credentials: [LOCAL_CREDENTIALS, ...roles.credentials()],
    authorise: roles.authorise,
    clock,
  });
});
afterAll(() => server?.stop());
beforeAll(() => void process.on("unhandledRejection", recordUnhandled));
afterAll(() => void process.off("unhandledRejection", recordUnhandled));

const client = (credentials: SigV4Credentials = LOCAL_CREDENTIALS) => new SFNClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });

async function failure(call: Promise<unknown>) {
  const error = (await call.then(() => undefined, (e: unknown) => e)) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return error && { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

async function start(name: string, order: string) {
  const { executionArn } = await client().send(new StartExecutionCommand({ stateMachineArn: machineArn(name), input: JSON.stringify({ order }) }));
  return executionArn!;
}

async function startWith(name: string, input: object) {
  const { executionArn } = await client().send(new StartExecutionCommand({ stateMachineArn: machineArn(name), input: JSON.stringify(input) }));
  return executionArn!;
}

async function finished(executionArn: string) {
  await server.sfn.drained();
  const described = server.sfn.describeExecution({ executionArn }) as Record<string, any>;
  return { status: described.status, output: described.output && JSON.parse(described.output), error: described.error };
}

const gone = { name: "TaskTimedOut", message: "Task Timed Out: 'Provided task does not exist anymore'", status: 400 };

describe("local Step Functions, Wait for Callback Tasks", () => {
  it("hands the function the Task's token in its Parameters (a path and an intrinsic function), and takes SendTaskSuccess' output as the Task's result", async () => {
    const arn = await start("approve", "o-1");
    const event = await asked.next();
    expect(event.token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(event.note).toBe(`order o-1 waits on ${event.token}`);
    expect((await server.sfn.describeExecution({ executionArn: arn })).status).toBe("RUNNING");

    await client().send(new SendTaskSuccessCommand({ taskToken: event.token, output: JSON.stringify({ approved: true }) }));
    expect(await finished(arn)).toEqual({ status: "SUCCEEDED", output: { approved: true }, error: undefined });
    // The Task closed: its token is no longer one a Task waits on.
    expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: event.token, output: "{}" })))).toEqual(gone);
  });

  it("fails the Task with SendTaskFailure's error and cause, which Catch matches by name", async () => {
    const arn = await start("approve", "o-2");
    const { token } = await asked.next();
    await client().send(new SendTaskFailureCommand({ taskToken: token, error: "Rejected", cause: "over budget" }));
    expect(await finished(arn)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-2", rejected: { Error: "Rejected", Cause: "over budget" } } });
  });

  it("refuses a token's output over 262,144 bytes in SendTaskSuccess, and takes one within it as the Task's result however long its JSON is re-written", async () => {
    const arn = await start("uncaught", "o-big");
    const { token } = await asked.next();
    const over = JSON.stringify("é".repeat(131_072));
    expect(Buffer.byteLength(over)).toBe(262_146);
    expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: token, output: over })))).toEqual({
      name: "ValidationException",
      message: "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144",
      status: 400,
    });
    // AWS bounds the output as sent (API_SendTaskSuccess) and nothing says it measures it again: numbers written with
    // exponents, 240,001 bytes here, take 660,001 bytes as the runtime re-writes them, yet the Task's result, its state's
    // output (the result as it is) and the pass-through state after it are not failed for it (measureStateData).
    const output = `[${Array.from({ length: 60_000 }, () => "1e9").join(",")}]`;
    expect(Buffer.byteLength(output)).toBe(240_001);
    await client().send(new SendTaskSuccessCommand({ taskToken: token, output }));
    const taken = await finished(arn);
    expect([taken.status, taken.output.length]).toEqual(["SUCCEEDED", 60_000]);
    const { events } = await client().send(new GetExecutionHistoryCommand({ executionArn: arn }));
    expect(events?.map((event) => event.type).slice(-4)).toEqual(["TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    const kept = await start("selecting", "o-big");
    await client().send(new SendTaskSuccessCommand({ taskToken: (await asked.next()).token, output }));
    const done = await finished(kept);
    expect([done.status, done.output]).toEqual(["SUCCEEDED", { first: 1e9, count: 60_000 }]);
  });

  it("times the Task out after its TimeoutSeconds however many heartbeats come, and after HeartbeatSeconds without one: States.Timeout, which States.TaskFailed does not match", async () => {
    const arn = await start("timed", "o-3");
    const { token } = await asked.next();
    const heartbeatTimer = () => [...timers].find(([, timer]) => timer.ms === 60_000)?.[0];
    const beforeHeartbeat = heartbeatTimer();
    await client().send(new SendTaskHeartbeatCommand({ taskToken: token }));
    // The heartbeat restarts HeartbeatSeconds: its timer is a new one.
    expect([beforeHeartbeat, heartbeatTimer()]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(heartbeatTimer()).not.toBe(beforeHeartbeat);
    fire(300_000);
    expect(await finished(arn)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-3", timedOut: { Error: "States.Timeout" } } });
    expect(await failure(client().send(new SendTaskHeartbeatCommand({ taskToken: token })))).toEqual(gone);

    const silent = await start("timed", "o-4");
    await asked.next();
    fire(60_000);
    expect(await finished(silent)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-4", timedOut: { Error: "States.Timeout" } } });
    expect([...timers.values()]).toEqual([]);
  });

  it("reads TimeoutSecondsPath and HeartbeatSecondsPath from the state's input: the Task times out as with the literal fields, its token closed, at most the longest timer", async () => {
    const arn = await startWith("pathed", { order: "o-p1", limits: { timeout: 300, heartbeat: 60 } });
    const event = await asked.next();
    // The function gets the Task's Parameters only.
    expect(Object.keys(event).sort()).toEqual(["note", "token"]);
    expect([...timers.values()].map((t) => t.ms).sort((a, b) => a - b)).toEqual([60_000, 300_000]);
    await client().send(new SendTaskHeartbeatCommand({ taskToken: event.token }));
    fire(300_000);
    expect(await finished(arn)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-p1", timedOut: { Error: "States.Timeout" } } });
    expect(await failure(client().send(new SendTaskHeartbeatCommand({ taskToken: event.token })))).toEqual(gone);
    expect([...timers.values()]).toEqual([]);

    const silent = await startWith("pathed", { order: "o-p2", limits: { timeout: 99_999_999, heartbeat: 60 } });
    await asked.next();
    expect([...timers.values()].map((t) => t.ms).sort((a, b) => a - b)).toEqual([60_000, 2_147_483_000]);
    fire(60_000);
    expect(await finished(silent)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-p2", timedOut: { Error: "States.Timeout" } } });
    // The history has the limit the path selected, as a Task's literal TimeoutSeconds: not the timer's.
    const { events } = await client().send(new GetExecutionHistoryCommand({ executionArn: silent }));
    expect(events?.find((event) => event.type === "TaskScheduled")?.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: 99_999_999, heartbeatInSeconds: 60 });
    expect([...timers.values()]).toEqual([]);
  });

  it("records the callback Task's scheduling (its limits, the Parameters with the token), start, submission and outcome in the history", async () => {
    const events = async (executionArn: string, includeExecutionData = true) =>
      ((await client().send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData }))).events ?? []).map(({ id, previousEventId, timestamp, ...event }) => event);
    const task = { resourceType: "lambda", resource: "invoke.waitForTaskToken" };
    const timedOut = await startWith("pathed", { order: "o-h1", limits: { timeout: 300, heartbeat: 60 } });
    const { token } = await asked.next();
    // The function had the token before it returned: the Task times out once its call has returned (TaskSubmitted),
    // as a worker's answer comes after that, however many microtasks the runtime takes to see the return.
    await until(async () => (await events(timedOut)).some((event) => event.type === "TaskSubmitted"));
    fire(60_000);
    await finished(timedOut);
    expect(await events(timedOut)).toEqual([
      expect.objectContaining({ type: "ExecutionStarted" }),
      expect.objectContaining({ type: "TaskStateEntered" }),
      {
        type: "TaskScheduled",
        taskScheduledEventDetails: {
          ...task,
          region: REGION,
          parameters: JSON.stringify({ FunctionName: fnArn("ask"), Payload: { token, note: `order o-h1 waits on ${token}` } }),
          timeoutInSeconds: 300,
          heartbeatInSeconds: 60,
        },
      },
      { type: "TaskStarted", taskStartedEventDetails: task },
      { type: "TaskSubmitted", taskSubmittedEventDetails: { ...task, output: expect.stringContaining('"Payload":{"accepted":true}'), outputDetails: { truncated: false } } },
      { type: "TaskTimedOut", taskTimedOutEventDetails: { ...task, error: "States.Timeout" } },
      expect.objectContaining({ type: "TaskStateExited" }),
      expect.objectContaining({ type: "PassStateEntered" }),
      expect.objectContaining({ type: "PassStateExited" }),
      expect.objectContaining({ type: "ExecutionSucceeded" }),
    ]);
    // Without execution data, the submission's output is left out as every event's input and output are.
    expect((await events(timedOut, false))[4]).toEqual({ type: "TaskSubmitted", taskSubmittedEventDetails: { ...task, outputDetails: { truncated: false } } });
    // Its parameters too: they hold the token, which answers the Task (the SDK marks them sensitive).
    expect((await events(timedOut, false))[2]).toEqual({ type: "TaskScheduled", taskScheduledEventDetails: { ...task, region: REGION, timeoutInSeconds: 300, heartbeatInSeconds: 60 } });

    const answered = await start("approve", "o-h2");
    const { token: answer } = await asked.next();
    await client().send(new SendTaskSuccessCommand({ taskToken: answer, output: JSON.stringify({ approved: true }) }));
    await finished(answered);
    expect((await events(answered)).map((event) => event.type)).toEqual(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    expect((await events(answered))[5]).toEqual({ type: "TaskSucceeded", taskSucceededEventDetails: { ...task, output: '{"approved":true}', outputDetails: { truncated: false } } });
  });

  it("fails the execution with States.Runtime when a limit's path selects no positive integer, or nothing", async () => {
    for (const [limits, cause] of [
      [{ timeout: 0, heartbeat: 60 }, "The TimeoutSecondsPath '$.limits.timeout' of the Task state 'Ask' selected 0, not a positive integer."],
      [{ timeout: 300, heartbeat: "60" }, "The HeartbeatSecondsPath '$.limits.heartbeat' of the Task state 'Ask' selected \"60\", not a positive integer."],
      [{ timeout: 1.5, heartbeat: 60 }, "The TimeoutSecondsPath '$.limits.timeout' of the Task state 'Ask' selected 1.5, not a positive integer."],
    ] as const) {
      const arn = await startWith("pathed", { order: "o-p3", limits });
      expect(await finished(arn)).toMatchObject({ status: "FAILED", error: "States.Runtime" });
      expect(server.sfn.describeExecution({ executionArn: arn }).cause).toBe(cause);
    }
    const missing = await startWith("pathed", { order: "o-p4" });
    expect(await finished(missing)).toMatchObject({ status: "FAILED", error: "States.Runtime" });
    // Resolved in the Parameters by the library, whose wording this is (AWS's: "Invalid path … No results for path").
    expect(server.sfn.describeExecution({ executionArn: missing }).cause).toBe("Path expression '$.limits.timeout' does not point to a value");
    // Failed before it was scheduled: no event of the Task's own.
    const { events } = await client().send(new GetExecutionHistoryCommand({ executionArn: missing }));
    expect(events?.map((event) => event.type)).toEqual(["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]);
    expect([...timers.values()]).toEqual([]);
  });

  it("fails the execution with States.DataLimitExceeded, before the Task is scheduled or waits, when its Parameters (its limit paths aside) are over 256 KiB", async () => {
    // The note repeats the order with the token: the Parameters outgrow the input, which StartExecution took.
    const arn = await startWith("pathed", { order: "o".repeat(262_000), limits: { timeout: 300, heartbeat: 60 } });
    expect(await finished(arn)).toMatchObject({ status: "FAILED", error: "States.DataLimitExceeded" });
    expect(server.sfn.describeExecution({ executionArn: arn }).cause).toBe("The state/task 'Ask' received an input with a size exceeding the maximum number of bytes service limit.");
    const { events } = await client().send(new GetExecutionHistoryCommand({ executionArn: arn }));
    expect(events?.map((event) => event.type)).toEqual(["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]);
    expect([...timers.values()]).toEqual([]);
  });

  it("reads a limit's path after InputPath; without Parameters hands the integration the effective input, and a path that selects nothing in a falsy one is named", async () => {
    const arn = await startWith("narrowed", { inner: { order: "o-i1", t: 7 } });
    const event = await asked.next();
    expect(event.note).toBe(`order o-i1 waits on ${event.token}`);
    expect([...timers.values()].map((t) => t.ms)).toEqual([7_000]);
    fire(7_000);
    expect(await finished(arn)).toMatchObject({ status: "SUCCEEDED", output: { inner: { order: "o-i1", t: 7 }, timedOut: { Error: "States.Timeout" } } });

    const sending = await startWith("bare", { body: { QueueUrl: "q", t: 9 } });
    expect(await sent.next()).toEqual({ api: "sqs:sendMessage", parameters: { QueueUrl: "q", t: 9 } });
    expect([...timers.values()].map((t) => t.ms)).toEqual([9_000]);
    fire(9_000);
    expect(await finished(sending)).toMatchObject({ status: "FAILED", error: "States.Timeout" });

    // A path into an effective input that is no object (0, false), or without the name, selects nothing:
    // States.Runtime, with AWS's cause (LocalStack's AWS-recorded test_invalid_jsonpath, less its "An error occurred
    // while executing the state …" prefix).
    for (const body of [0, false, { QueueUrl: "q" }]) {
      const falsy = await startWith("bare", { body });
      expect(await finished(falsy)).toMatchObject({ status: "FAILED", error: "States.Runtime" });
      expect(server.sfn.describeExecution({ executionArn: falsy }).cause).toBe("Invalid path '$.t' : No results for path: $['t']");
    }
  });

  it("hands a Task without Parameters its falsy effective input (false, 0, \"\", null) and reads its limit path from the context object", async () => {
    for (const [body, t] of [[false, 3], [0, 4], ["", 5], [null, 6]] as const) {
      const arn = await startWith("bare-context", { body, t });
      expect(await sent.next()).toEqual({ api: "sqs:sendMessage", parameters: body });
      expect([...timers.values()].map((timer) => timer.ms)).toEqual([t * 1000]);
      fire(t * 1000);
      expect(await finished(arn)).toMatchObject({ status: "FAILED", error: "States.Timeout" });
      const { events } = await client().send(new GetExecutionHistoryCommand({ executionArn: arn }));
      expect(events?.find((event) => event.type === "TaskScheduled")?.taskScheduledEventDetails).toMatchObject({ parameters: JSON.stringify(body), timeoutInSeconds: t });
    }
  });

  it("releases a waiting Task when its execution is stopped: its timers stop and its token answers TaskTimedOut", async () => {
    const arn = await start("timed", "o-5");
    const { token } = await asked.next();
    expect(timers.size).toBe(2);
    await client().send(new StopExecutionCommand({ executionArn: arn }));
    expect((await finished(arn)).status).toBe("ABORTED");
    expect(timers.size).toBe(0);
    expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })))).toEqual(gone);
  });

  it("sends an SQS message with the token through the service integration, then waits for it", async () => {
    const arn = await start("queued", "o-6");
    const { api, parameters } = await sent.next();
    expect(api).toBe("sqs:sendMessage");
    await client(replier).send(new SendTaskSuccessCommand({ taskToken: parameters.MessageBody.TaskToken, output: '"done"' }));
    expect(await finished(arn)).toMatchObject({ status: "SUCCEEDED", output: "done" });
  });

  it("answers tokens and outputs Step Functions refuses with its errors, and a caller IAM does not allow on the issuing state machine with AccessDeniedException", async () => {
    expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: "NoSuchTaskToken", output: "{}" })))).toEqual({ name: "InvalidToken", message: "Invalid Token: 'Invalid token'", status: 400 });
    // The token before the output's JSON: AWS answers InvalidToken for a made-up token with an output that is not JSON
    // (LocalStack's snapshot recorded against AWS, test_sfn_send_task_outcome_with_no_such_token: Output "ParameterOutput").
    expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: "NoSuchTaskToken", output: "ParameterOutput" })))).toEqual({ name: "InvalidToken", message: "Invalid Token: 'Invalid token'", status: 400 });
    expect(await failure(client().send(new SendTaskFailureCommand({ taskToken: "x".repeat(2049) })))).toMatchObject({ name: "ValidationException", status: 400 });

    const arn = await start("approve", "o-7");
    const { token } = await asked.next();
    expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: token, output: "{not json" })))).toMatchObject({ name: "InvalidOutput", status: 400 });
    // Accepted, it would overflow the stack mid-run and fail the execution: refused at the request.
    expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: token, output: `${"[".repeat(1001)}${"]".repeat(1001)}` })))).toEqual({ name: "InvalidOutput", message: "Invalid Output: 'nested deeper than 1000 levels'", status: 400 });
    expect(await failure(client(replier).send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })))).toEqual({
      name: "AccessDeniedException",
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/replier-role/replier-fn is not authorized to perform: states:SendTaskSuccess on resource: ${machineArn("approve")} because no identity-based policy allows the states:SendTaskSuccess action`,
      status: 400,
    });
    await client().send(new SendTaskFailureCommand({ taskToken: token }));
    // No error or cause: null in the error output, and States.TaskFailed matches it.
    expect(await finished(arn)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-7", failed: { Error: null, Cause: null } } });
  });

  it("answers a token issued in another region than the request's InvalidToken, after the checks of the request's other members", async () => {
    const OTHER = "eu-west-2";
    const elsewhere = machine("approve", {});
    elsewhere.arn = elsewhere.arn.replace(`:${REGION}:`, `:${OTHER}:`);
    const local = await startLocalSfn({ stateMachines: [machine("approve", {}), elsewhere], clock });
    try {
      const signedFor = (region: string) => new SFNClient({ endpoint: local.endpoint, region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
      const { executionArn } = await signedFor(OTHER).send(new StartExecutionCommand({ stateMachineArn: elsewhere.arn, input: JSON.stringify({ order: "o-far" }) }));
      const { token } = await asked.next();
      const here = signedFor(REGION);
      // The members' constraints first (API_SendTaskSuccess output, API_SendTaskFailure error), as for any token.
      expect(await failure(here.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify("x".repeat(262_144)) })))).toMatchObject({ name: "ValidationException", message: expect.stringContaining("at 'output'") });
      expect(await failure(here.send(new SendTaskFailureCommand({ taskToken: token, error: "e".repeat(257) })))).toMatchObject({ name: "ValidationException", message: expect.stringContaining("at 'error'") });
      expect(await failure(here.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })))).toEqual({ name: "InvalidToken", message: "Invalid Token: 'Invalid token'", status: 400 });
      expect(await failure(here.send(new SendTaskHeartbeatCommand({ taskToken: token })))).toMatchObject({ name: "InvalidToken" });
      // In its own region the token is the waiting Task's.
      await signedFor(OTHER).send(new SendTaskSuccessCommand({ taskToken: token, output: '"ok"' }));
      await local.sfn.drained();
      expect(local.sfn.describeExecution({ executionArn })).toMatchObject({ status: "SUCCEEDED", output: '"ok"' });
    } finally {
      await local.stop();
    }
  });

  it("hands each callback Task under way at once its own token (Parallel branches, Map iterations) and takes each answer as that Task's result", async () => {
    // Each Task's token is the one its Parameters read: the library runs a Task's handler right after resolving its
    // Parameters, with no await between (ExecutionCallbacks). A library change there would cross the tokens over.
    const answerAll = async (executionArn: string, count: number) => {
      const events = [];
      for (let i = 0; i < count; i++) events.push(await asked.next());
      expect(new Set(events.map((event) => event.token)).size).toBe(count);
      // Answered in the reverse order they were asked.
      for (const event of events.reverse()) await client().send(new SendTaskSuccessCommand({ taskToken: event.token, output: JSON.stringify(event.side) }));
      return finished(executionArn);
    };
    expect(await answerAll(await start("fanned", "o-14"), 2)).toEqual({ status: "SUCCEEDED", output: ["left", "right"], error: undefined });
    const { executionArn } = await client().send(new StartExecutionCommand({ stateMachineArn: machineArn("mapped"), input: JSON.stringify({ items: ["a", "b", "c"] }) }));
    expect(await answerAll(executionArn!, 3)).toEqual({ status: "SUCCEEDED", output: ["a", "b", "c"], error: undefined });
    // Each iteration's Task has its own events, its answer (its item) within the iteration.
    const { events } = await client().send(new GetExecutionHistoryCommand({ executionArn }));
    const types = events!.map((event) => event.type);
    expect(["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"].map((type) => types.filter((found) => found === type).length)).toEqual([3, 3, 3, 3]);
    const at = (find: (event: HistoryEvent) => boolean) => events!.findIndex(find);
    for (const [index, item] of ["a", "b", "c"].entries()) {
      const answered = at((event) => event.taskSucceededEventDetails?.output === JSON.stringify(item));
      expect(at((event) => event.mapIterationStartedEventDetails?.index === index)).toBeLessThan(answered);
      expect(at((event) => event.mapIterationSucceededEventDetails?.index === index)).toBeGreaterThan(answered);
    }
  });

  it("reads a `$$` limit path of a callback Task with Parameters in a Map iteration from the execution's input, not the item", async () => {
    const startMapped = (input: object) => client().send(new StartExecutionCommand({ stateMachineArn: machineArn("mapped-context"), input: JSON.stringify(input) }));
    const { executionArn } = await startMapped({ items: [{ side: "a", limits: { t: 2 } }], limits: { t: 8 } });
    const { token } = await asked.next();
    expect([...timers.values()].map((timer) => timer.ms)).toEqual([8_000]);
    await client().send(new SendTaskSuccessCommand({ taskToken: token, output: '"a"' }));
    expect(await finished(executionArn!)).toEqual({ status: "SUCCEEDED", output: ["a"], error: undefined });
    // Absent from the execution's input, though the item has it: AWS's cause for a name missing before the path's last
    // (Jayway's "Missing property in path", as AWS recorded it for an OutputPath in LocalStack's test_catch_states_runtime).
    const { executionArn: missing } = await startMapped({ items: [{ side: "b", limits: { t: 2 } }] });
    expect(await finished(missing!)).toEqual({ status: "FAILED", output: undefined, error: "States.Runtime" });
    expect(server.sfn.describeExecution({ executionArn: missing }).cause).toBe("Invalid path '$$.Execution.Input.limits.t' : Missing property in path $['Execution']['Input']['limits']");
    expect([...timers.values()]).toEqual([]);
  });

  it("fails the execution with an uncaught SendTaskFailure's error and cause, leaving out those it did not send, as AWS does", async () => {
    const failedBy = async (order: string, answer: { error?: string; cause?: string }) => {
      const arn = await start("uncaught", order);
      const { token } = await asked.next();
      await client().send(new SendTaskFailureCommand({ taskToken: token, ...answer }));
      await server.sfn.drained();
      const { status, error, cause } = server.sfn.describeExecution({ executionArn: arn }) as Record<string, unknown>;
      const { events } = await client().send(new GetExecutionHistoryCommand({ executionArn: arn }));
      const details = (type: string) => events!.filter((event) => event.type === type).map((event) => event.taskFailedEventDetails ?? event.executionFailedEventDetails);
      return { described: { status, error, cause }, taskFailed: details("TaskFailed"), executionFailed: details("ExecutionFailed") };
    };
    const task = { resourceType: "lambda", resource: "invoke.waitForTaskToken" };
    expect(await failedBy("o-11", {})).toEqual({ described: { status: "FAILED", error: undefined, cause: undefined }, taskFailed: [task], executionFailed: [{}] });
    expect(await failedBy("o-12", { error: "Rejected" })).toEqual({ described: { status: "FAILED", error: "Rejected", cause: undefined }, taskFailed: [{ ...task, error: "Rejected" }], executionFailed: [{ error: "Rejected" }] });
    expect(await failedBy("o-13", { error: "Rejected", cause: "over budget" })).toEqual({
      described: { status: "FAILED", error: "Rejected", cause: "over budget" },
      taskFailed: [{ ...task, error: "Rejected", cause: "over budget" }],
      executionFailed: [{ error: "Rejected", cause: "over budget" }],
    });
  });

  describe("a SendTaskFailure, timeout or stop while the integration call runs settles the Task, and the runtime stays up", () => {
    /** Starts `slow`, settles its Task with `settle` while the function still runs, then lets the function return. */
    async function whileRunning(order: string, settle: (executionArn: string, token: string) => Promise<void>) {
      const arn = await start("slow", order);
      const { token } = await asked.next();
      try {
        await settle(arn, token);
      } finally {
        letReturn();
      }
      await server.sfn.drained();
      // A turn for Node to report a rejection the Task's end left unhandled.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    }

    it("SendTaskFailure from the function that still runs: the Task fails at once, caught by name", () =>
      whileRunning("o-8", async (arn, token) => {
        await client().send(new SendTaskFailureCommand({ taskToken: token, error: "Rejected", cause: "sent before returning" }));
        expect(await closed(arn)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-8", rejected: { Error: "Rejected", Cause: "sent before returning" } } });
      }));

    it("TimeoutSeconds while the function runs: the Task times out then, not when the function returns", () =>
      whileRunning("o-9", async (arn) => {
        fire(300_000);
        expect(await closed(arn)).toMatchObject({ status: "SUCCEEDED", output: { order: "o-9", timedOut: { Error: "States.Timeout" } } });
      }));

    it("StopExecution while the function runs: the execution is ABORTED, its token closed", () =>
      whileRunning("o-10", async (arn, token) => {
        await client().send(new StopExecutionCommand({ executionArn: arn }));
        expect((await closed(arn)).status).toBe("ABORTED");
        expect(await failure(client().send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })))).toEqual(gone);
      }));
  });
});
