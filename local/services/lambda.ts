/**
 * Lambda's Invoke API for the program's functions under `npm start` (local/lambda-invoke-server.ts): a handler's
 * `LambdaClient` reaches it through AWS_ENDPOINT_URL_LAMBDA, a terminal through `aws lambda invoke --endpoint-url`.
 * Functions are named as the program sees them in this run: the physical name `fn.functionName` resolves to (what the
 * recorded aws:lambda/function:Function was given), or its ARN (`fn.arn`), with `$LATEST`, the published version
 * or an alias the program defines as qualifier. Every name runs the same local sandbox as the function's other
 * triggers; Event invocations take the asynchronous path of S3 events and schedules (local/async-invoke.ts).
 */
import { FUNCTION_NAME_SUFFIX, type LambdaFunctionSpec } from "../../components/lambda/function";
import { registeredSpecs } from "../../components/spec-registry";
import type { Graph } from "../offline/graph";
import type { FunctionVersions } from "../lambda-function-name";
import { startLocalLambdaApi, type InvocableFunction, type LocalLambdaApi } from "../lambda-invoke-server";
import type { LocalService, StartedService } from "./types";
import { acceptedCredentials } from "./credentials";
import { asyncInvocation } from "./deliveries";

const FUNCTION_TYPE = "aws:lambda/function:Function";
const ALIAS_TYPE = "aws:lambda/alias:Alias";

export interface LocalLambdaService extends StartedService {
  api: LocalLambdaApi;
  functions: InvocableFunction[];
}

/** A graph's functions by resource name, and its aliases in graph order (functionIndex). */
interface FunctionIndex {
  functions: Map<string, Graph[number][]>;
  aliases: Graph[number][];
}

const functionIndexes = new WeakMap<Graph, FunctionIndex>();

/**
 * A graph's functions and aliases, gathered in one pass and kept with the graph (read-only, the run's record): start-up
 * asks about each function (the sandbox, the Invoke API, each workflow's Tasks), which scanned the whole graph each time.
 */
function functionIndex(graph: Graph): FunctionIndex {
  let index = functionIndexes.get(graph);
  if (index) return index;
  index = { functions: new Map(), aliases: [] };
  for (const r of graph) {
    if (r.type === FUNCTION_TYPE) (index.functions.get(r.name) ?? index.functions.set(r.name, []).get(r.name)!).push(r);
    else if (r.type === ALIAS_TYPE) index.aliases.push(r);
  }
  functionIndexes.set(graph, index);
  return index;
}

/**
 * The recorded function of a LambdaFunction: the child it creates as `<name>-function` (FUNCTION_NAME_SUFFIX); when
 * two components' children share that name, the one whose parent is the LambdaFunction of that name.
 */
export function recordedFunction(graph: Graph, name: string): Graph[number] | undefined {
  const candidates = functionIndex(graph).functions.get(`${name}${FUNCTION_NAME_SUFFIX}`) ?? [];
  if (candidates.length <= 1) return candidates[0];
  return candidates.find((r) => r.parent?.endsWith(`serverless-fullstack:index:LambdaFunction::${name}`));
}

/**
 * A LambdaFunction's name and ARN as the program resolved them in this run (`fn.functionName`, `fn.arn`: the recorded
 * function's physical name and ARN), with the region its ARN names and the version it published (`fn.version`: "1"
 * with `publish`, else "$LATEST"); undefined for a name the run did not record.
 * The local sandbox (start.ts) and the Invoke API both name a function by these.
 */
export function recordedIdentity(graph: Graph, name: string): { functionName: string; arn: string; region: string; version: string } | undefined {
  const state = recordedFunction(graph, name)?.state;
  if (typeof state?.name !== "string" || typeof state.arn !== "string") return undefined;
  return { functionName: state.name, arn: state.arn, region: state.arn.split(":")[3], version: String(state.version ?? "$LATEST") };
}

/**
 * A LambdaFunction's recorded identity (recordedIdentity) with the aliases the program defines on it (alias name → the
 * version it points at): what Invoke knows of it, for the local Invoke API and Step Functions' Tasks alike.
 */
export function recordedVersions(graph: Graph, name: string): (NonNullable<ReturnType<typeof recordedIdentity>> & FunctionVersions) | undefined {
  const identity = recordedIdentity(graph, name);
  if (!identity) return undefined;
  const { functionName, arn } = identity;
  // An alias names its function by name or ARN (aws:lambda/alias:Alias functionName); it points at functionVersion.
  const aliases = new Map<string, string>();
  // In graph order: a later alias of one name wins.
  for (const alias of functionIndex(graph).aliases) {
    if (![functionName, arn].includes(alias.inputs.functionName)) continue;
    if (typeof alias.inputs.name === "string") aliases.set(alias.inputs.name, String(alias.inputs.functionVersion ?? "$LATEST"));
  }
  return { ...identity, aliases };
}

/** Each LambdaFunction of the program with the names, ARN, version and aliases Invoke may give it. */
export function invocableFunctions(graph: Graph, specs: { name: string; spec: LambdaFunctionSpec }[], invoke: (spec: LambdaFunctionSpec) => InvocableFunction["invoke"]): InvocableFunction[] {
  const functions: InvocableFunction[] = [];
  for (const { name, spec } of specs) {
    const known = recordedVersions(graph, name);
    if (!known) continue;
    const { functionName, arn, version, aliases } = known;
    functions.push({ name, functionName, arn, version, aliases, spec, invoke: invoke(spec) });
  }
  return functions;
}

export const lambdaService: LocalService = {
  name: "Lambda Invoke API",
  async start(context) {
    const specs = registeredSpecs<LambdaFunctionSpec>("LambdaFunction");
    if (specs.length === 0) return undefined;
    const region = context.environment.AWS_REGION ?? "us-east-1";
    const functions = invocableFunctions(context.run.resources, specs, (spec) => (event, target) => context.lambda(spec).invoke(event, target));
    const api = await startLocalLambdaApi({
      functions,
      // The events service's queues: an Event invocation's destination records land beside those of S3 events and schedules.
      async: asyncInvocation(context, region),
      region,
      // Signed as Lambda's are, and each function authorised by its role (lambda:InvokeFunction on what it names).
      credentials: acceptedCredentials(context),
      authorise: context.functionRoles.authorise,
    });
    context.environment.AWS_ENDPOINT_URL_LAMBDA = api.endpoint;
    for (const f of functions) context.log(`  ${f.functionName} (LambdaFunction "${f.name}")${f.aliases.size > 0 ? `, aliases ${[...f.aliases.keys()].join(", ")}` : ""}`);
    const started: LocalLambdaService = { name: "lambda", urls: { lambda: api.endpoint }, api, functions, stop: () => api.stop() };
    return started;
  },
};
