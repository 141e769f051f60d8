/**
 * The program's Workflows under `npm start`: a local Step Functions endpoint (local/sfn-server.ts) that functions reach
 * through AWS_ENDPOINT_URL_SFN, running each state machine's deployed definition with aws-local-stepfunctions; a Task
 * state naming one of the workflow's functions invokes it synchronously in its local sandbox, as Step Functions invokes
 * a Lambda task (RequestResponse). Started after the data services and before anything that invokes functions, so
 * every function's first invocation sees the endpoint. The library is loaded at the first execution (a program without
 * a Workflow never loads it).
 */
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import type { WorkflowSpec } from "../../components/workflow/spec";
import { ofType, type Graph } from "../offline/graph";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { resolveValue } from "../offline/program";
import { assumedRoleAuthorise } from "../function-roles";
import { localServiceIntegrations } from "../sfn-integrations";
import { startLocalSfn, type LocalStateMachineDefinition, type LocalStepFunctions, type TaskFunction } from "../sfn-server";
import { recordedVersions } from "./lambda";
import type { FunctionVersions } from "../lambda-function-name";
import type { LocalService, StartedService } from "./types";
import { acceptedCredentials } from "./credentials";

const STATE_MACHINE_TYPE = "aws:sfn/stateMachine:StateMachine";

/**
 * The started service, with its endpoint: `drained()` waits for the executions under way to end, and for those they
 * start before they end (a StartExecution Task, as the album-deletion chain hands on), as `kinesis.drained()` and
 * `bucketEvents.drained()` wait for their deliveries. What is yet to start one (an event on its way) is not waited for.
 */
export interface LocalWorkflowsService extends StartedService {
  drained(): Promise<void>;
}

/**
 * LocalStepFunctions.drained() again until no STANDARD execution runs: it waits for those under way when called, and an
 * execution that starts another ends after the other is listed. (EXPRESS executions are not listed: one started by an
 * execution that has ended is not waited for.)
 */
async function drainedWithChildren(sfn: LocalStepFunctions, machines: LocalStateMachineDefinition[]): Promise<void> {
  const running = () =>
    machines.some((m) => m.type === "STANDARD" && ((sfn.listExecutions({ stateMachineArn: m.arn, statusFilter: "RUNNING", maxResults: 1 }).executions as unknown[]).length > 0));
  do await sfn.drained();
  while (running());
}

/**
 * Each Workflow as the local server defines it: the state machine's recorded ARN and role (or, for a spec outside a
 * program run, `arn:aws:states:<region>:<account>:stateMachine:<name>`), its deployed definition, and its functions by
 * the ARNs its Task states name (the recorded function's, and the local sandbox's).
 */
export async function localStateMachineDefinitions(
  specs: WorkflowSpec[],
  defaultRegion: string,
  graph: Graph,
  functions: { invoke(spec: LambdaFunctionSpec): TaskFunction; arn(spec: LambdaFunctionSpec): string },
  /** Runs the optimized service integrations (local/sfn-integrations.ts); without it such Tasks fail, saying so. */
  serviceTasks?: LocalStateMachineDefinition["serviceTasks"],
): Promise<LocalStateMachineDefinition[]> {
  const recorded = ofType(graph, STATE_MACHINE_TYPE);
  const definitions: LocalStateMachineDefinition[] = [];
  for (const spec of specs) {
    const name = await resolveValue<string>(spec.stateMachineName);
    const region = spec.region ?? defaultRegion;
    const machine = recorded.find((r) => r.state.name === name);
    const arn = typeof machine?.state.arn === "string" ? machine.state.arn : `arn:aws:states:${region}:${MOCK_ACCOUNT_ID}:stateMachine:${name}`;
    const roleArn = [machine?.state.roleArn, machine?.inputs.roleArn].find((r): r is string => typeof r === "string") ?? `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}`;
    // Step Functions' session name of the role is not documented: assumedRoleAuthorise makes one up.
    const authorise = assumedRoleAuthorise({ graph, stackRegion: defaultRegion }, roleArn);
    const byArn = new Map<string, TaskFunction>();
    // Each function's published version and aliases as the local Invoke API knows them (recordedVersions), so a
    // qualified lambda:invoke, or a Task whose Resource is a qualified function ARN, runs the version Invoke would.
    const versions = new Map<string, FunctionVersions>();
    for (const fn of spec.functions) {
      const invoke = functions.invoke(fn);
      const known = recordedVersions(graph, fn.name);
      for (const fnArn of [known?.arn, functions.arn(fn)]) {
        if (!fnArn) continue;
        byArn.set(fnArn, invoke);
        if (known) versions.set(fnArn, known);
      }
    }
    definitions.push({
      arn,
      name,
      type: spec.type,
      definition: await resolveValue<string>(spec.definition),
      roleArn,
      logLevel: spec.logLevel,
      includeExecutionData: spec.includeExecutionData,
      tracing: spec.tracing,
      functions: byArn,
      versions,
      ...(authorise ? { authorise } : {}),
      ...(serviceTasks ? { serviceTasks } : {}),
    });
  }
  return definitions;
}

export const workflowsService: LocalService = {
  name: "Step Functions (Workflows)",
  async start(context) {
    const specs = registeredSpecs<WorkflowSpec>("Workflow").map(({ spec }) => spec);
    if (specs.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    // Service Tasks call the local emulators where local functions reach them (read at each call: every service has
    // started by the first execution), signed with the runtime's own credentials; the workflow's role is asked first.
    const integrations = localServiceIntegrations({
      endpoints: () => ({
        dynamodb: context.environment.AWS_ENDPOINT_URL_DYNAMODB,
        sqs: context.environment.AWS_ENDPOINT_URL_SQS,
        sns: context.environment.AWS_ENDPOINT_URL_SNS,
        eventbridge: context.environment.AWS_ENDPOINT_URL_EVENTBRIDGE,
        kinesis: context.environment.AWS_ENDPOINT_URL_KINESIS,
        secretsmanager: context.environment.AWS_ENDPOINT_URL_SECRETS_MANAGER,
        sfn: context.environment.AWS_ENDPOINT_URL_SFN,
        // The Lambda Invoke API (started before the workflows) runs aws-sdk:lambda:invoke.
        lambda: context.environment.AWS_ENDPOINT_URL_LAMBDA,
      }),
      credentials: acceptedCredentials(context)[0],
      localAddress: (deployed) => context.localAddresses.get(deployed),
    });
    const stateMachines = await localStateMachineDefinitions(
      specs,
      region,
      context.run.resources,
      { invoke: (spec) => (event, target) => context.lambda(spec).invoke(event, target), arn: (spec) => context.lambda(spec).arn() },
      integrations.run,
    );
    const server = await startLocalSfn({
      stateMachines,
      credentials: acceptedCredentials(context),
      // Each function may start or read executions where its role allows it (states:StartExecution …), as in AWS.
      authorise: context.functionRoles.authorise,
      log: context.log,
      ...(context.stepFunctionsClock ? { clock: context.stepFunctionsClock } : {}),
    });
    // local/start.ts stops only the services whose start returned: a failure from here on stops this server, and takes
    // its endpoint back from the functions' environment, before it is thrown.
    try {
      context.environment.AWS_ENDPOINT_URL_SFN = server.endpoint;
      for (const machine of stateMachines) context.log(`  ${machine.arn} (${machine.type}, ${machine.functions.size > 0 ? `${new Set(machine.functions.values()).size} function(s)` : "no functions"})`);
    } catch (error) {
      delete context.environment.AWS_ENDPOINT_URL_SFN;
      await server.stop();
      throw error;
    }
    const started: LocalWorkflowsService = {
      name: "sfn",
      urls: { sfn: server.endpoint },
      drained: () => drainedWithChildren(server.sfn, stateMachines),
      stop: () => server.stop(),
    };
    return started;
  },
};
