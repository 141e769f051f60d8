/**
 * The Step Functions service's start, when it fails: it leaves nothing of its own running and no endpoint in the
 * functions' environment (local/start.ts stops only the services whose start returned, so a server the failed start
 * had opened would be left listening, unreachable by `stop`).
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { WorkflowSpec } from "../../components/workflow/spec";
import { registerSpec } from "../../components/spec-registry";
import { FunctionRoles } from "../../local/function-roles";
import type { LocalContext } from "../../local/services/types";
import { workflowsService, type LocalWorkflowsService } from "../../local/services/workflows";
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { REGION } from "./sfn-helpers";

const pass = { StartAt: "Done", States: { Done: { Type: "Pass", End: true } } };
const registry = () => (globalThis as unknown as Record<symbol, Array<{ spec: unknown }>>)[Symbol.for("serverless-fullstack.spec-registry")];
const registered: WorkflowSpec[] = [];

function register(name: string, stateMachineName: string, definition: object): void {
  const spec: WorkflowSpec = { name, stateMachineName, type: "EXPRESS", definition: JSON.stringify(definition), functions: [], logLevel: "OFF", includeExecutionData: false, logRetentionDays: 30, tracing: false, encryption: "aws-owned", permissions: [], region: REGION };
  registerSpec("Workflow", name, spec);
  registered.push(spec);
}

afterEach(() => {
  for (const spec of registered.splice(0)) registry().splice(registry().findIndex((entry) => entry.spec === spec), 1);
});

/** A context whose environment records every endpoint set on it, and whose log is `log`. */
function contextWith(log: (message: string) => void) {
  const endpoints: string[] = [];
  const environment = new Proxy<Record<string, string>>(
    { AWS_REGION: REGION },
    {
      set(target, key, value) {
        if (key === "AWS_ENDPOINT_URL_SFN") endpoints.push(value);
        target[key as string] = value;
        return true;
      },
    },
  );
  const context = { environment, run: { resources: [] }, functionRoles: new FunctionRoles([]), log, lambda: () => { throw new Error("no function runs here"); } } as unknown as LocalContext;
  return { context, endpoints };
}

/** Whether anything listens at `endpoint`: a connection refused is false; any answer is true. */
function listening(endpoint: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: "POST", agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNREFUSED" ? resolve(false) : reject(error)));
    req.end("{}");
  });
}

describe("local Step Functions, a failed start", () => {
  it("stops the server it opened and takes its endpoint back when starting fails after the server listens", async () => {
    register("svc", "svc-machine", pass);
    const failure = new Error("the log is gone");
    const { context, endpoints } = contextWith((message) => {
      if (message.includes("svc-machine")) throw failure;
    });
    await expect(workflowsService.start(context)).rejects.toBe(failure);
    expect(endpoints).toHaveLength(1);
    expect(await listening(endpoints[0])).toBe(false);
    expect(context.environment.AWS_ENDPOINT_URL_SFN).toBeUndefined();
  });

  it("refuses two Workflows of one state machine name and different definitions (StateMachineAlreadyExists) before opening a server", async () => {
    register("first", "shared-machine", pass);
    register("second", "shared-machine", { StartAt: "Other", States: { Other: { Type: "Pass", End: true } } });
    const { context, endpoints } = contextWith(() => {});
    await expect(workflowsService.start(context)).rejects.toThrow(/^State Machine Already Exists: '.*:stateMachine:shared-machine' .*give each Workflow its own stateMachineName/);
    expect(endpoints).toEqual([]);
    expect(context.environment.AWS_ENDPOINT_URL_SFN).toBeUndefined();
  });
});

describe("local Step Functions, the started service's drained()", () => {
  it("resolves only once the executions under way, and those they start, have ended", async () => {
    // parent's Task (held until released) starts child and ends: the child starts after drained() is called. child's
    // Task is held until released.
    const deferred = () => {
      let resolve!: (value: unknown) => void;
      return { promise: new Promise<unknown>((r) => (resolve = r)), resolve };
    };
    const starterCalled = deferred();
    const starterReleased = deferred();
    const childCalled = deferred();
    const childReleased = deferred();
    const fnArn = (name: string) => `arn:aws:lambda:${REGION}:123456789012:function:${name}`;
    const machineArn = (name: string) => `arn:aws:states:${REGION}:123456789012:stateMachine:${name}`;
    let client: SFNClient | undefined;
    const invoke: Record<string, (event: unknown) => Promise<unknown>> = {
      starter: async () => {
        starterCalled.resolve(undefined);
        await starterReleased.promise;
        const { executionArn } = await client!.send(new StartExecutionCommand({ stateMachineArn: machineArn("child-machine"), input: "{}" }));
        return { child: executionArn };
      },
      held: async (event) => {
        childCalled.resolve(undefined);
        await childReleased.promise;
        return { held: event };
      },
    };
    const fn = (name: string) => ({ name }) as never;
    for (const [name, fnName] of [["parent", "starter"], ["child", "held"]]) {
      const definition = { StartAt: "Run", States: { Run: { Type: "Task", Resource: fnArn(fnName), End: true } } };
      const spec: WorkflowSpec = { name, stateMachineName: `${name}-machine`, type: "STANDARD", definition: JSON.stringify(definition), functions: [fn(fnName)], logLevel: "OFF", includeExecutionData: false, logRetentionDays: 30, tracing: false, encryption: "aws-owned", permissions: [], region: REGION };
      registerSpec("Workflow", name, spec);
      registered.push(spec);
    }
    const { context } = contextWith(() => {});
    context.lambda = ((spec: { name: string }) => ({ invoke: (event: unknown) => invoke[spec.name](event), arn: () => fnArn(spec.name) })) as unknown as LocalContext["lambda"];
    const started = (await workflowsService.start(context)) as LocalWorkflowsService;
    client = new SFNClient({ endpoint: context.environment.AWS_ENDPOINT_URL_SFN, region: REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn("parent-machine"), input: "{}" }));
      await starterCalled.promise;
      let settled = false;
      const drained = started.drained().then(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      starterReleased.resolve(undefined);
      await childCalled.promise;
      // Once the parent has ended (what drained() was called with), the child's Task is still held: not drained. (Each
      // read is a round trip on the server's own turn, no timer; the parent ends once its Task has returned.)
      while ((await client.send(new DescribeExecutionCommand({ executionArn }))).status === "RUNNING");
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      childReleased.resolve(undefined);
      await drained;
      const parent = await client.send(new DescribeExecutionCommand({ executionArn }));
      expect(parent.status).toBe("SUCCEEDED");
      const child = await client.send(new DescribeExecutionCommand({ executionArn: (JSON.parse(parent.output!) as { child: string }).child }));
      expect([child.status, child.output]).toEqual(["SUCCEEDED", JSON.stringify({ held: {} })]);
    } finally {
      client.destroy();
      await started.stop();
    }
  });
});
