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
import { workflowsService } from "../../local/services/workflows";
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
