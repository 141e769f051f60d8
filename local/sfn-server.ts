/**
 * Step Functions for `npm start`: the program's Workflows (their deployed definitions) run by aws-local-stepfunctions,
 * served over the AWS JSON 1.0 protocol @aws-sdk/client-sfn speaks (a POST to `/` whose `X-Amz-Target:
 * AWSStepFunctions.<Operation>` names the operation, errors as `{"__type", "message"}` with 400), so a handler's
 * SFNClient reaches it through AWS_ENDPOINT_URL_SFN unchanged. Every request must be signed (SigV4, service `states`,
 * local/sigv4-verify.ts) and is authorised by the signer's role (local/function-roles.ts) as IAM would.
 *
 * Operations: StartExecution, StartSyncExecution (EXPRESS), DescribeExecution, StopExecution, ListExecutions and
 * GetExecutionHistory (STANDARD), DescribeStateMachine, SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat for
 * Wait for Callback Tasks, and ListMapRuns, DescribeMapRun and UpdateMapRun for a DISTRIBUTED Map's Map Runs
 * (local/sfn-map-runs.ts, MapRunTracker). Task states whose Resource is one of the workflow's functions (its ARN, or
 * `arn:aws:states:::lambda:invoke` naming it) invoke it synchronously in the local Lambda runtime; the optimized
 * service integrations, and the AWS SDK integrations of the services with a local emulator (local/sfn-integrations.ts),
 * run against the local emulators, and their `.waitForTaskToken` forms (optimized and SDK alike) then wait for their
 * token; any other Task fails the execution with States.Runtime, saying so (docs/local-vs-aws.md). JSONata states,
 * which the library does not read, run around it (runJsonataState, local/sfn-jsonata.ts).
 *
 * Error codes and messages are AWS's as LocalStack's snapshot tests recorded them against AWS
 * (localstack/localstack tests/aws/services/stepfunctions/v2/*.snapshot.json: "State Machine Does Not Exist: '…'",
 * "Execution Already Exists: '…'", "Invalid Name: '…'", "Invalid State Machine Execution Input: '…'", "Invalid Arn:
 * 'Resource type not valid in this context: express'", "This operation is not supported by this type of state machine").
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { installCompiledAslSchemaCheck } from "../components/workflow/asl-schema-check";
import { definitionStates, itemBatcherWarnings, mapLabelProblems } from "../components/workflow/definition";
import { optimizedIntegration, taskResource } from "../components/workflow/integrations";
import type { Authorise } from "./function-roles";
import { readBody } from "./http";
import { jsonDepth } from "./json-depth";
import { executedVersion, functionNotFound, invokeTarget, QUALIFIER_CONFLICT, qualifierInvalid, type FunctionVersions, type InvokeTarget } from "./lambda-function-name";
import type { InvocationTarget } from "./lambda-runtime";
import { OPERATION_PERMISSIONS, SFN_LIMITS, tokenIssuer, type OperationResource } from "./sfn-permissions";
import { childEnded, childStarted, describeMapRun, endMapRun, epoch, mapRunListItem, redriveMapRun, startMapRun, type Json, type MapRun, type MapRunSettings } from "./sfn-map-runs";
import { callbackTaskResource, deniedTaskFailure, lambdaTaskFailure, LOCAL_CALLBACK_TASKS, LOCAL_SDK_SERVICES, LOCAL_SERVICE_TASKS, localSdkTask, localServiceTask, sdkMetadata, ServiceTaskFailure, type RoleRefusal, type ServiceTaskContext } from "./sfn-integrations";
import { installPromiseWithResolvers, withResolvers } from "./promise-with-resolvers";
import { jsonProtocolFailure, LOCAL_CREDENTIALS, verifySignedHeaders, type SigV4Credentials } from "./sigv4-verify";
import { parseJsonPath } from "../components/serverless-api/jsonpath";
import { jsonPath } from "./vtl";
import { assignedValues as jsonataAssigned, evaluateField, type Bindings, isExpression, releaseBindings, isWaitTimestamp, jsonType, QueryEvaluationFailure, unexpectedResultType } from "./sfn-jsonata";

type Definition = { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number; [key: string]: unknown };

/**
 * A function a Task state may invoke: resolves with its result, or rejects with Lambda's `{ errorType, message }`
 * (LambdaInvokeError). `target`: the qualifier and version lambda:invoke resolved (the sandbox's, as the Invoke API's).
 */
export type TaskFunction = (event: unknown, target?: InvocationTarget) => Promise<unknown>;

export interface LocalStateMachineDefinition {
  /** `arn:aws:states:<region>:<account>:stateMachine:<name>`. */
  arn: string;
  name: string;
  type: "STANDARD" | "EXPRESS";
  /** The definition as deployed (JSON): Task Resources are function ARNs. */
  definition: string;
  /** The state machine's role (DescribeStateMachine's roleArn; the ExecutionStarted event's). */
  roleArn: string;
  logLevel: "ALL" | "ERROR" | "FATAL" | "OFF";
  includeExecutionData: boolean;
  tracing: boolean;
  /** The functions its Task states may invoke, by unqualified ARN. */
  functions: ReadonlyMap<string, TaskFunction>;
  /**
   * Their published version and aliases, by unqualified ARN, as the local Invoke API knows them (local/services/lambda.ts
   * recordedVersions): a qualified lambda:invoke, or a qualified function ARN as a Task's Resource, runs the version
   * Invoke would, and fails on a qualifier the function has not. @default none published and no alias: only `$LATEST`
   * (or no qualifier) is invoked
   */
  versions?: ReadonlyMap<string, FunctionVersions>;
  createdAt?: Date;
  /**
   * IAM for the state machine's role (its policies as recorded): a lambda:invoke or service Task whose action the
   * role is refused fails with the service's AccessDenied error. @default everything is allowed
   */
  authorise?: (action: string, resource: string) => RoleRefusal | undefined;
  /**
   * Runs an optimized service integration (`dynamodb:putItem`, `sqs:sendMessage`, …: local/sfn-integrations.ts)
   * against the local emulators; resolves with the Task's result or rejects with its Error (name) and Cause (message).
   * @default none: such Tasks fail the execution, saying the local runtime cannot run them
   */
  serviceTasks?: (api: string, parameters: unknown, context: ServiceTaskContext) => Promise<unknown>;
}

/** A Step Functions error as the JSON protocol answers it. */
export class SfnError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
    this.name = type;
  }
}


/**
 * The deepest JSON an execution's input or a Task's output may nest. aws-local-stepfunctions copies and walks data
 * recursively: nested some thousands deep it overflows the stack mid-run, failing the execution with "Maximum call
 * stack size exceeded" after the request that gave the data was accepted. Refused at the request instead, at the
 * default of Jackson (StreamReadConstraints.DEFAULT_MAX_DEPTH, 1000), the JSON parser of AWS's Java services; what
 * Step Functions itself refuses is not confirmed.
 */
const JSON_NESTING_LIMIT = 1000;

/** Closed STANDARD executions kept per state machine (the oldest go first): memory stays bounded however long `npm start` runs. */
const CLOSED_EXECUTIONS_KEPT = 1000;

/**
 * The longest wait a Node timer takes (2^31 - 1 ms, about 24.8 days): a longer one fires at once. A Task state without
 * TimeoutSeconds has no timeout of its own in AWS ("If something goes wrong and the TimeoutSeconds field isn't
 * specified for an Activity or Task state, an execution is stuck waiting for a response that will never come",
 * https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html), but 60 s in aws-local-stepfunctions
 * (the States Language spec's default), so every timeout the definition gives or leaves out is set to at most this.
 */
const LONGEST_TIMER_SECONDS = Math.floor(2_147_483_647 / 1000);

/**
 * An execution name's characters: none of white space, brackets `< > { } [ ]`, wildcards `? *`, the special
 * characters `" # % \ ^ | ~ \` $ & , ; : /`, nor control characters U+0000–001F and U+007F–009F (API_StartExecution
 * `name`).
 */
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/**
 * The ARN a request names, checked as Step Functions checks it before looking it up (LocalStack's snapshots recorded
 * against AWS, test_sfn_api.snapshot.json), after the model's length constraint (ValidationException, as any member's
 * length: a state machine's or an execution's ARN 1–256 characters, an `Arn`; a Map Run's 1–2000, a `LongArn`;
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html, API_DescribeMapRun, and
 * the service model, botocore's stepfunctions 2016-11-23 service-2.json): not an ARN at all is InvalidArn "Invalid
 * Arn: 'Invalid ARN prefix: …'";
 * a resource type the operation does not take is InvalidArn "Invalid Arn: 'Resource type not valid in this context:
 * express'" (an Express execution's, the one recorded; others by analogy); a well-formed ARN of nothing (a state
 * machine version or alias too: the local runtime serves none) is the operation's DoesNotExist error.
 */
function checkArn(arn: unknown, field: string, type: "stateMachine" | "execution" | "mapRun"): string {
  if (arn === undefined || arn === null) throw new SfnError("ValidationException", `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  if (typeof arn !== "string") throw wrongType(field, arn, "string");
  checkLength(field, arn, 1, type === "mapRun" ? 2000 : 256);
  if (!arn.startsWith("arn:")) throw new SfnError("InvalidArn", `Invalid Arn: 'Invalid ARN prefix: ${arn.slice(0, 256)}'`);
  const parts = arn.split(":");
  if (parts.length < 7 || parts[2] !== "states") throw new SfnError("InvalidArn", `Invalid Arn: '${arn.slice(0, 256)}'`);
  if (parts[5] !== type) throw new SfnError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${parts[5].toLowerCase().slice(0, 40)}'`);
  return arn;
}

/**
 * Whether `arn` is of another region than `region`, the one a request was signed for: one local endpoint serves every
 * region's state machines, and a resource of another region does not exist in the request's (its operation's
 * DoesNotExist error, InvalidToken for a task token; which error AWS gives is not confirmed). No region (a call from
 * within the runtime, not a request): none is another.
 */
function ofOtherRegion(arn: string, region: string | undefined): boolean {
  return region !== undefined && arn.split(":")[3] !== region;
}

/**
 * A string member's length constraint (the API's model): ValidationException outside `min`–`max`, the value quoted
 * whole, as AWS quotes it (a nextToken of 1025 and of 3097 characters, in LocalStack's test_sfn_api snapshot recorded
 * against AWS; the request's size bounds it, LARGEST_REQUEST_BYTES). A `sensitive` member's (the model's sensitive
 * trait: TaskToken, SensitiveError, SensitiveCause) is not echoed: "Value at '<member>' failed to satisfy constraint",
 * as AWS words it for one (Cognito's sensitive password: "1 validation error detected: Value at 'password' failed to
 * satisfy constraint: Member must have length greater than or equal to 6", quoted from the live API by many clients;
 * Step Functions' own wording for it is not confirmed).
 */
function checkLength(field: string, value: string, min: number, max: number, sensitive = false): void {
  if (value.length >= min && value.length <= max) return;
  const bound = value.length < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
  throw new SfnError("ValidationException", `1 validation error detected: Value ${sensitive ? "" : `'${value}' `}at '${field}' failed to satisfy constraint: Member must have length ${bound}`);
}

/** An enum member's value (the API's model): ValidationException for any other (quoted, cut to 40 characters); none is none. */
function checkEnum(field: string, value: unknown, values: readonly string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string") throw wrongType(field, value, "string");
  if (!values.includes(value)) throw new SfnError("ValidationException", `1 validation error detected: Value '${value.slice(0, 40)}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(", ")}]`);
}

/** IncludedData's values: DescribeExecution's, DescribeStateMachine's and StartSyncExecution's includedData (API_DescribeExecution). */
const INCLUDED_DATA = ["ALL_DATA", "METADATA_ONLY"] as const;

/** StartExecution's and StartSyncExecution's traceHeader: 0–256 characters matching `\p{ASCII}*` (API_StartExecution traceHeader, TraceHeader). */
function checkTraceHeader(value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string") throw wrongType("traceHeader", value, "string");
  checkLength("traceHeader", value, 0, 256);
  if (!/^[\u0000-\u007f]*$/.test(value)) throw new SfnError("ValidationException", `1 validation error detected: Value '${value.slice(0, 100)}' at 'traceHeader' failed to satisfy constraint: Member must satisfy regular expression pattern: \\p{ASCII}*`);
}

/**
 * The JSON type of each request member an operation takes (the Step Functions API reference's request syntax:
 * API_StartExecution, API_StartSyncExecution, API_DescribeExecution, API_StopExecution, API_ListExecutions,
 * API_GetExecutionHistory, API_DescribeStateMachine, API_SendTaskSuccess, API_SendTaskFailure, API_SendTaskHeartbeat,
 * API_ListMapRuns, API_DescribeMapRun, API_UpdateMapRun). Unknown members are ignored, as the JSON protocol does.
 */
type MemberType = "string" | "integer" | "long" | "number" | "boolean";
const MEMBER_TYPES: Record<string, Record<string, MemberType>> = {
  StartExecution: { stateMachineArn: "string", name: "string", input: "string", traceHeader: "string" },
  StartSyncExecution: { stateMachineArn: "string", name: "string", input: "string", traceHeader: "string", includedData: "string" },
  DescribeExecution: { executionArn: "string", includedData: "string" },
  StopExecution: { executionArn: "string", error: "string", cause: "string" },
  RedriveExecution: { executionArn: "string", clientToken: "string" },
  ListExecutions: { stateMachineArn: "string", statusFilter: "string", maxResults: "integer", nextToken: "string", mapRunArn: "string", redriveFilter: "string" },
  GetExecutionHistory: { executionArn: "string", maxResults: "integer", reverseOrder: "boolean", nextToken: "string", includeExecutionData: "boolean" },
  DescribeStateMachine: { stateMachineArn: "string", includedData: "string" },
  SendTaskSuccess: { taskToken: "string", output: "string" },
  SendTaskFailure: { taskToken: "string", error: "string", cause: "string" },
  SendTaskHeartbeat: { taskToken: "string" },
  // API_ListMapRuns, API_DescribeMapRun, API_UpdateMapRun (toleratedFailureCount a Long, toleratedFailurePercentage a Float).
  ListMapRuns: { executionArn: "string", maxResults: "integer", nextToken: "string" },
  DescribeMapRun: { mapRunArn: "string" },
  UpdateMapRun: { mapRunArn: "string", maxConcurrency: "integer", toleratedFailureCount: "long", toleratedFailurePercentage: "number" },
};

/** The JSON type of a value as Jackson names it in a SerializationException (STRING_VALUE, NUMBER_VALUE, …). */
function jsonTypeName(value: unknown): string {
  if (typeof value === "string") return "STRING_VALUE";
  if (typeof value === "number" || typeof value === "bigint") return "NUMBER_VALUE";
  if (typeof value === "boolean") return value ? "VALUE_TRUE" : "VALUE_FALSE";
  return Array.isArray(value) ? "START_ARRAY" : "START_OBJECT";
}

const TYPE_NAMES: Record<MemberType, string> = { string: "a String", integer: "an Integer", long: "a Long", number: "a Float", boolean: "a Boolean" };

/** 400 SerializationException for a member of the wrong JSON type (Jackson's wording; AWS's exact text not confirmed). */
const wrongType = (member: string, value: unknown, type: MemberType) => new SfnError("SerializationException", `${jsonTypeName(value)} can not be converted to ${TYPE_NAMES[type]} (member '${member}')`);

/**
 * A member of the wrong JSON type (an object for a string, a string for an integer, …) is refused before the service
 * looks at the request, with 400 SerializationException, as the JSON protocol refuses a body it cannot read: never a
 * 500, which the SDK would retry. null is an absent member.
 */
export function checkMemberTypes(operation: string, input: Record<string, unknown>): void {
  for (const [member, type] of Object.entries(MEMBER_TYPES[operation] ?? {})) {
    const value = Object.hasOwn(input, member) ? input[member] : undefined;
    if (value === undefined || value === null) continue;
    // A Long is read from the request's digits (exactLongs: a bigint), or is a whole number (its range is checked by the operation: LONG_MAX).
    const ok = type === "string" ? typeof value === "string" : type === "boolean" ? typeof value === "boolean" : type === "number" ? typeof value === "number" : type === "long" ? typeof value === "bigint" || Number.isInteger(value) : Number.isSafeInteger(value);
    if (!ok) throw wrongType(member, value, type);
  }
}

/**
 * An operation's answer: JSON, and a Long member past 2^53 as a bigint (answerText writes its digits: a double would
 * be written rounded, 2^60 as 1152921504606847000, and 2^63−1 as 9223372036854776000, past the Long).
 */
type Answer = Record<string, Json | bigint>;

/** `answer` as the JSON text the response carries, each bigint member as its digits (JSON.stringify refuses a bigint). */
function answerText(answer: Answer): string {
  const members = Object.entries(answer).filter(([, value]) => value !== undefined);
  return `{${members.map(([name, value]) => `${JSON.stringify(name)}:${typeof value === "bigint" ? String(value) : JSON.stringify(value)}`).join(",")}}`;
}

/**
 * A whole number read as a double (a definition's, or its path's, JSON parsed) as the Long it stands for: the whole
 * number that double is, at most LONG_MAX (2^63−1 reads as 2^63).
 */
function longOf(value: number): bigint {
  const exact = BigInt(value);
  return exact > LONG_MAX ? LONG_MAX : exact;
}

/** The JSON tokens of a valid JSON text: a string, a structural character, or a literal (number, true, false, null). */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+/g;

/**
 * The operation's Long members (MEMBER_TYPES) given as whole numbers, read again from the request's JSON `text` as
 * bigints: JSON.parse reads a number as a double, which past 2^53 is not the number sent (2^63 and 2^63−1 both read as
 * 2^63). Only the members of the top-level object are read (a request's), the last of a repeated name (as JSON.parse
 * keeps); a Long written with a fraction or an exponent is left as JSON.parse read it.
 */
function exactLongs(operation: string, fields: Record<string, unknown>, text: string): void {
  const longs = Object.entries(MEMBER_TYPES[operation] ?? {}).filter(([, type]) => type === "long").map(([member]) => member);
  if (longs.length === 0) return;
  // Each top-level member's value, when it is a whole number's digits.
  const digits = new Map<string, string | undefined>();
  let depth = 0;
  let [before, last] = ["", ""];
  for (const [token] of text.matchAll(JSON_TOKEN)) {
    // In the top-level object, a value follows its name and a colon.
    if (depth === 1 && last === ":") digits.set(JSON.parse(before) as string, /^-?\d+$/.test(token) ? token : undefined);
    if (token === "{" || token === "[") depth++;
    else if (token === "}" || token === "]") depth--;
    [before, last] = [last, token];
  }
  for (const member of longs) {
    const given = digits.get(member);
    if (given !== undefined) fields[member] = BigInt(given);
  }
}

/** A client's value quoted in a message: a string cut to `max`, anything else as JSON; never throws. */
function quoted(value: unknown, max: number): string {
  if (typeof value === "string" || typeof value === "bigint") return String(value).slice(0, max);
  try {
    return String(JSON.stringify(value)).slice(0, max);
  } catch {
    return typeof value;
  }
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

interface Execution {
  arn: string;
  name: string;
  machine: LocalStateMachineDefinition;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  abort?(): void;
  done: Promise<void>;
  /** Times redriven (RedriveExecution), and when last (DescribeExecution's redriveCount and redriveDate). */
  redriveCount: number;
  redriveDate?: Date;
  /** The client tokens of the last redrives (at most REDRIVE_TOKENS_KEPT), each with the redrive's date: a repeat answers the same. */
  redriveTokens: { token: string; date: Date }[];
  /** The top-level state last entered, with its input and its type as the definition wrote it: where a redrive restarts. */
  entered?: { name: string; type: string; input: unknown };
  /** The same state as the run entered it (synchronously, StoppedAt): what else a redrive from it needs. */
  stopped?: StoppedAt;
  /** The Map Runs its DISTRIBUTED Map states started, in start order (trackMapRuns; a STANDARD execution's only). */
  mapRuns: MapRun[];
}

/**
 * What a redrive needs of the top-level state an execution last entered, kept as the run goes (RunHooks.entered,
 * startsWithin, succeededWithin): the workflow variables as the state entered, and for a Map or Parallel state the
 * iterations or branches of its last start that succeeded, with their results.
 */
interface StoppedAt {
  state: string;
  variables?: VariableSnapshot;
  /** The state's last start (its runs' group), how many runs within it started, and the results of those that succeeded, by index. */
  group?: object;
  started: number;
  succeeded: Map<number, unknown>;
  /** A redrive's first state: the runs within that succeeded in the attempt before, for its first start (then cleared). */
  reuse?: Map<number, unknown>;
}

/** What a run needs of aws-local-stepfunctions (loaded on first use: only a program with a Workflow loads it). */
type Library = typeof import("aws-local-stepfunctions");

let library: Promise<Library> | undefined;
let jsonPathPlus: typeof import("jsonpath-plus").JSONPath | undefined;
/**
 * aws-local-stepfunctions, loaded once, on the first execution: a program without a Workflow never loads it. It calls
 * Promise.withResolvers, which Node 20 lacks: the polyfill goes in first (local/promise-with-resolvers.ts).
 */
export function loadStepFunctionsLibrary(): Promise<Library> {
  installPromiseWithResolvers();
  // The library validates each definition with asl-validator, which otherwise compiles its schema on every call.
  installCompiledAslSchemaCheck();
  // jsonpath-plus as the library loads it: its ES module build with the library's, its CommonJS one otherwise.
  library ??= Promise.all([import("aws-local-stepfunctions"), import("jsonpath-plus")]).then(([loaded, jsonPathModule]) => {
    const jsonPath = createRequire(require.resolve("aws-local-stepfunctions"))("jsonpath-plus") as typeof import("jsonpath-plus");
    for (const build of [jsonPathModule, jsonPath]) selectWholeFalsyDocuments(build);
    // The library's own copy (mapItemCount reads paths as the library does).
    jsonPathPlus ??= jsonPath.JSONPath;
    instrumentRuns(loaded);
    readIntrinsicLiteralsAsAws(loaded);
    return loaded;
  });
  return library;
}

/** Marks a JSONPath class selectWholeFalsyDocuments has already taught (a module re-evaluated, as under vitest, finds it). */
const WHOLE_FALSY = Symbol.for("local Step Functions: `$` selects a falsy document whole");

/**
 * Has jsonpath-plus select a document of 0, false, "" or null whole by the path `$`, as AWS does (a `$` path "selects
 * the whole input", and Step Functions takes any JSON value as input: `"Parameters": {"value.$": "$"}` over 0 is
 * `{"value": 0}`). jsonpath-plus 10.4.0 answers nothing for any path in a falsy document (`… || !json) return
 * undefined`, JSONPath.prototype.evaluate), which aws-local-stepfunctions 3.0.0 fails ("Path expression '$' does not
 * point to a value", its jsonPathQuery, which every path of a state goes through: InputPath, Parameters, ItemsPath,
 * ResultSelector, OutputPath, a Choice's Variable, an intrinsic function's argument). The library's binding to the
 * JSONPath function cannot be replaced (an ES module's import, when the library is loaded as one), but the function
 * evaluates through its prototype's `evaluate`, which is taught here, in both of the package's builds (the library
 * loads one or the other, as its importer is an ES or a CommonJS module); node_modules is left as installed. Only an
 * evaluation of the path `$`, unwrapped and of values (the library's only form), over such a document is answered
 * here (JSONPath returns an evaluation's primitive result as it is: its NewError); any other, a path into such a
 * document too (which selects nothing, as in AWS), is jsonpath-plus's own. asl-validator, the one other reader of the
 * package, evaluates no falsy document.
 */
function selectWholeFalsyDocuments(jsonPath: typeof import("jsonpath-plus")): void {
  type Evaluation = { wrap?: unknown; resultType?: unknown; callback?: unknown };
  const prototype = (jsonPath.JSONPath as unknown as { prototype: { evaluate: (this: Evaluation, ...args: unknown[]) => unknown; [WHOLE_FALSY]?: true } }).prototype;
  if (prototype[WHOLE_FALSY]) return;
  prototype[WHOLE_FALSY] = true;
  const evaluate = prototype.evaluate;
  prototype.evaluate = function (...args) {
    const [expr] = args as [{ path?: unknown; json?: unknown } | undefined];
    const whole = args.length === 1 && typeof expr === "object" && expr !== null && expr.path === "$" && "json" in expr;
    if (whole && this.wrap === false && this.resultType === "value" && !this.callback && (expr.json === 0 || expr.json === false || expr.json === "" || expr.json === null)) return expr.json;
    return evaluate.apply(this, args);
  };
}

/**
 * The run options that make a run of the library the local runtime's (instrumentRuns): LOCAL_EXECUTION, the
 * execution's RunHooks, set by LocalStepFunctions.run and handed on as they are to the runs within (a Map's
 * iterations, a Parallel's branches: the library starts them with its run's options); WITHIN_RUN, set for the runs
 * within (absent: the execution's own run).
 */
const LOCAL_EXECUTION = Symbol("local Step Functions execution");
const WITHIN_RUN = Symbol("local Step Functions run within");
/** The run a run within was started by (its Map's or Parallel's): set for the runs within, as WITHIN_RUN. */
const PARENT_RUN = Symbol("local Step Functions parent run");

/** One run of the library (the execution's, a Map iteration, a Parallel branch): its identity only. */
type LibraryRun = object;

/** The run each run within was started by (the execution's run has none): the history chains its events (eventChain). */
const runParents = new WeakMap<LibraryRun, LibraryRun>();
/** The states each run runs (its definition's States): a Map's, by its run and name, for its Map Run (trackMapRuns). */
const runStates = new WeakMap<LibraryRun, Definition["States"]>();

/** What an execution hands each of its runs (LOCAL_EXECUTION). */
interface RunHooks {
  /** Each Task state's local handler, by state name, told which run calls it. */
  handlers: Record<string, (input: unknown, run: LibraryRun) => Promise<unknown>>;
  /** The library aborted `run` (its Map or Parallel failed; the execution stopped or timed out). */
  aborted(run: LibraryRun): void;
  /** A fault of the local runtime's own that it keeps from the library (which would not survive it). */
  log(message: string): void;
  /** Present only for a definition that uses workflow variables (LocalRun.variables). */
  variables?: VariableUse;
  /**
   * The execution's own run entered the state `name`, its workflow variables (a definition that uses them) as they
   * are then: what a redrive restores (StoppedAt). Called synchronously, as the state's StateEntered is dispatched.
   */
  entered(name: string, variables: VariableSnapshot | undefined): void;
  /**
   * A run within a Map or Parallel state of the execution's own run starts (`group`: that state's start, runGroup):
   * its index (a Map's item's, a Parallel's branch's; the library starts them in that order), and, in a redrive's first
   * start of the state it stopped in, the result it had when it succeeded before (it is not run again).
   */
  startsWithin(group: object): { index: number; saved?: { result: unknown } };
  /** The run `index` of `group` (startsWithin) succeeded with `result`. */
  succeededWithin(group: object, index: number, result: unknown): void;
  /** The execution's own run's workflow variables to start with (a redrive's: as they were when its state entered). */
  restoredVariables?: VariableSnapshot;
  /** Waits `ms` on the runtime's clock (LocalStepFunctions' `clock`), or until `signal` aborts: a Retry's interval. */
  wait(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** The JSONPath Task states whose Retry intervals are waited on the runtime's clock, not the library's (LocalRun.clockRetries). */
  clockRetries: ReadonlySet<string>;
  /** Every Retry waits this long instead of its IntervalSeconds and backoff (held to MaxDelaySeconds). */
  retryIntervalMs?: number;
  /** `task`, or the library's States.Timeout after the state's TimeoutSeconds on the runtime's clock (LocalRun.timeLimits). */
  timeLimit<T>(task: Promise<T>, seconds: number): Promise<T>;
  /** The Task states' TimeoutSeconds waited on the runtime's clock (LocalRun.timeLimits). */
  timeLimits: ReadonlyMap<string, number>;
  /** The Map Run under way of the DISTRIBUTED Map `name` of `run` (a STANDARD execution's: MapRunTracker), for its ChildGate. */
  mapRun?(run: LibraryRun, name: string): MapRun | undefined;
}

/** A run's workflow variables at one point: each variable's value, and its JSON size (VariableScope). */
interface VariableSnapshot {
  values: Record<string, unknown>;
  sizes: ReadonlyMap<string, number>;
}

/**
 * What the history reads of each StateEntered, StateExited, StateFailed and StateRetried event beyond the library's
 * own fields, tagged as the run's own logger builds it (instrumentRuns), before the library forwards it as the same
 * object to the loggers of the runs it is within: the run whose loop reported it; the JSON of the state's data, as
 * measured when the state entered or left (measureStateData: the history does not serialise it again); a Map's item
 * count as it entered (mapItemCount), for its MapStateStarted.
 */
interface EventFacts {
  run: LibraryRun;
  json?: string;
  length?: number;
  /** A StateExited's workflow variables its state assigned, each as JSON (trackVariables). */
  assigned?: Record<string, string>;
  /** A StateFailed's JSONata field whose expression failed (QueryEvaluationFailure): its EvaluationFailed's location. */
  location?: string;
  /** A JSONata Map's MapStateStarted: the MaxConcurrency it evaluated (its Map Run's, trackMapRuns). */
  maxConcurrency?: number;
}
const eventFacts = new WeakMap<object, EventFacts>();

/**
 * The runs one start of a Map or Parallel state queues (runGroup) one of which failed, which fails the state: the runs
 * still queued for a slot (a Map's MaxConcurrency; the 40 branches the library runs at once) start nothing.
 */
const failedGroups = new WeakSet<object>();

/** Each Parallel branch definition, as one start of its state read it (ownBranchesPerStart), to that start's group. */
const branchGroups = new WeakMap<object, object>();

/**
 * The group of runs a run within belongs to: for a Map iteration, its iterator (the StateMachine the library builds at
 * each start of the Map: MapStateAction.execute); for a Parallel branch, the start of its state that queued it
 * (ownBranchesPerStart). The library builds a StateMachine for each branch as it leaves the queue, from the same
 * branch definition at every start (a retry's too), so neither tells a start's branches apart.
 */
function runGroup(stateMachine: { definition: object }): object {
  return branchGroups.get(stateMachine.definition) ?? stateMachine;
}

/**
 * Has a Parallel state's Branches read as copies, one set per read, all of one group (runGroup): the library reads them
 * once per start of the state (ParallelStateAction.execute, its retry's too), synchronously, then queues a run for each.
 * The copies are shallow: a branch's States are the definition's own.
 */
function ownBranchesPerStart(state: Record<string, unknown>): void {
  const branches = state.Branches;
  if (!Array.isArray(branches)) return;
  Object.defineProperty(state, "Branches", {
    enumerable: true,
    get() {
      const group = {};
      return branches.map((branch: object) => {
        const copy = { ...branch };
        branchGroups.set(copy, group);
        return copy;
      });
    },
  });
}

/**
 * What instrumentRuns reaches of aws-local-stepfunctions 3.0.0's StateMachine.execute, which it does not export. Pinned
 * (package.json; sfn-server.test.ts fails on another version): on an upgrade, re-check StateMachine.run and execute
 * (the options and cleanup they pass, the run's context), EventLogger's dispatch…Event methods, getEvents and close,
 * MapStateAction (an iterator per entry of the Map, its queue, its reading of InputPath and ItemsPath: mapItemCount),
 * and MapStateAction's and ParallelStateAction's forwarding of each run's log (settledOnceForwarded).
 */
interface LibraryRunInternals {
  runOptions?: Record<PropertyKey, unknown>;
  eventLogger: LibraryRunLogger;
  /** Aborted with the run, or with a run it is within (the library chains them: AbortSignal.any). */
  abortSignal?: AbortSignal;
}

/**
 * The run's EventLogger: its loop (StateMachine.execute, StateExecutor.execute) reports its states' entries, exits,
 * failures and retries, and its own abort (StateMachine.run), through the dispatch…Event methods below; dispatch
 * queues an event (its own, or one of the runs within it forwards) unless the logger is closed.
 */
interface LibraryRunLogger {
  isLoggerClosed?: boolean;
  dispatch(event: LibraryEvent): void;
  dispatchStateEnteredEvent(stateName: string, stateType: string, input: unknown): void;
  dispatchStateExitedEvent(stateName: string, stateType: string, input: unknown, output: unknown): void;
  dispatchStateFailedEvent(stateName: string, stateType: string, input: unknown, error: Error & { cause?: unknown }): void;
  dispatchStateRetriedEvent(stateName: string, stateType: string, input: unknown, retrier: unknown, retryAttempt: number): void;
  /** A Catcher (`catcher`, the definition's own object) took the state's failure; its exit follows. */
  dispatchStateCaughtEvent(stateName: string, stateType: string, input: unknown, catcher: unknown): void;
  dispatchExecutionAbortedEvent(): void;
  dispatchExecutionStartedEvent(input: unknown): void;
  dispatchExecutionSucceededEvent(output: unknown): void;
  dispatchExecutionFailedEvent(error: Error): void;
  dispatchMapIterationStartedEvent(event: LibraryEvent, ...rest: unknown[]): void;
  dispatchMapIterationSucceededEvent(event: LibraryEvent, ...rest: unknown[]): void;
  dispatchMapIterationFailedEvent(event: LibraryEvent, ...rest: unknown[]): void;
  /** The run's event log, read once (StateMachine.run), by the Map or Parallel the run is within or by LocalStepFunctions.run. */
  getEvents(): AsyncGenerator<LibraryEvent>;
  close(): void;
}

/**
 * Data bounded before it became a state's output, which the state's exit does not measure again: a Task's result as
 * taskResultSized measured it (its JSON, written once), a token's output, which SendTaskSuccess bounded as sent (null:
 * serialised for the history only; re-written, numbers sent with exponents may take more bytes than were sent).
 */
const boundedData = new WeakMap<object, Serialised | null>();

/** JSON over the quota ("Maximum input or output size for a task, state, or execution: 256 KiB", service-quotas.html). */
const overQuota = (data: Serialised): boolean => "json" in data && Buffer.byteLength(data.json) > SFN_LIMITS.inputBytes;

/**
 * A Map state whose results go to S3: a ResultWriter with a Resource ("The Amazon S3 API action that Step Functions
 * invokes to export the execution results"; Resource and Parameters "to save the results to Amazon S3", WriterConfig
 * alone only formats the output: input-output-resultwriter.html). In AWS its output is then no longer the results (the
 * export's metadata: not confirmed here in AWS's words). The local runtime does not emulate ResultWriter
 * (docs/local-vs-aws.md): the library gathers every result into the output, which is therefore not measured.
 */
function writesResults(state: unknown): boolean {
  const { Type, ResultWriter } = (state ?? {}) as { Type?: unknown; ResultWriter?: { Resource?: unknown } };
  return Type === "Map" && typeof ResultWriter?.Resource === "string";
}

/** The EventLogger methods the hooks replace or call (instrumentRuns, measureStateData, trackVariables, settledOnceForwarded). */
const LOGGER_METHODS = [
  "dispatch",
  "dispatchStateEnteredEvent",
  "dispatchStateExitedEvent",
  "dispatchStateFailedEvent",
  "dispatchStateRetriedEvent",
  "dispatchStateCaughtEvent",
  "dispatchExecutionStartedEvent",
  "dispatchExecutionSucceededEvent",
  "dispatchExecutionFailedEvent",
  "dispatchExecutionAbortedEvent",
  "dispatchMapIterationStartedEvent",
  "dispatchMapIterationSucceededEvent",
  "dispatchMapIterationFailedEvent",
  "getEvents",
  "close",
] as const satisfies ReadonlyArray<keyof LibraryRunLogger>;

type LoggerMethod = (typeof LOGGER_METHODS)[number];

/**
 * The one way a hook takes the place of one of a run's logger's methods: `hook` is called with the method it
 * replaced (`previous`) and the arguments the library passed. Hooks of one method nest in the order they were placed,
 * the last outermost. `previous`'s `on` (the logger itself, or one dispatchingThrough its own dispatch) reaches the
 * library's own method only: when `previous` is an earlier hook, that hook ignores it and calls its own `previous` on
 * the logger it names. So a hook that must choose the logger is placed first, innermost (measureStateData, whose
 * enter names the run's `own` reporter, before trackVariables: instrumentRuns); placed last, its choice would be lost
 * silently.
 */
function hookLogger<M extends LoggerMethod>(
  logger: LibraryRunLogger,
  method: M,
  hook: (previous: (on: LibraryRunLogger, ...args: Parameters<LibraryRunLogger[M]>) => ReturnType<LibraryRunLogger[M]>, ...args: Parameters<LibraryRunLogger[M]>) => ReturnType<LibraryRunLogger[M]>,
): void {
  const replaced = logger[method] as (...args: Parameters<LibraryRunLogger[M]>) => ReturnType<LibraryRunLogger[M]>;
  const previous = (on: LibraryRunLogger, ...args: Parameters<LibraryRunLogger[M]>) => replaced.apply(on, args);
  logger[method] = ((...args: Parameters<LibraryRunLogger[M]>) => hook(previous, ...args)) as LibraryRunLogger[M];
}

/**
 * The hooks the local runtime needs in each run of the library, which has none: its StateMachine.execute, which every
 * run and every run within (a Map iteration, a Parallel branch) goes through with the run's options, gets each run of
 * LocalStepFunctions.run (LOCAL_EXECUTION among its options, which the library hands on to the runs within) an
 * identity (LibraryRun), which names the state events its own logger builds (eventFacts), is told when the library
 * aborts the run (RunHooks.aborted), and is handed to each Task handler the run calls: the run's options carry its own
 * taskResourceLocalHandlers, the execution's handlers of the run's own Task states bound to it (the library reads a
 * Task's handler from its run's options, and calls it with the Task's input alone; a Map iteration of one Task in a
 * workflow of many binds one). Its states' data is measured too (measureStateData). Nothing wraps the logger's
 * dispatch, which every event of every run within passes through once per run it is within. Installed
 * once per copy of the library (a module re-evaluated, as under vitest, adds a wrapper that passes every run straight
 * through: its LOCAL_EXECUTION is another symbol).
 */
function instrumentRuns(loaded: Library): void {
  type Execute = (this: { definition: Definition }, input: unknown, options: LibraryRunInternals, cleanup: () => void) => Promise<unknown>;
  const prototype = loaded.StateMachine.prototype as unknown as { execute: Execute; [LOCAL_EXECUTION]?: true };
  if (prototype[LOCAL_EXECUTION]) return;
  prototype[LOCAL_EXECUTION] = true;
  installJsonataHandler();
  const execute = prototype.execute;
  let loggerChecked = false;
  prototype.execute = function (input, options, cleanup) {
    if (!options.runOptions?.[LOCAL_EXECUTION]) return execute.call(this, input, options, cleanup);
    // A child of a DISTRIBUTED Map starts once its Map Run's maxConcurrency lets it (ChildGate): all it does, its
    // count among the runs within included, waits till then. Its events are read as soon as the library asks for
    // them, which it does as this returns (StateMachine.run: settledOnceForwarded hooks that here, not as it starts),
    // and its slot is free once they are, as the library's own queue frees one.
    const gate = options.runOptions?.[WITHIN_RUN] === true ? childGates.get(options.runOptions[PARENT_RUN] as LibraryRun)?.get(this.definition) : undefined;
    if (!gate) return begin.call(this, input, options, cleanup, false);
    const started = withResolvers.call(Promise) as { promise: Promise<unknown>; resolve: (value: unknown) => void };
    const outcome = settledOnceForwarded(options.eventLogger, started.promise);
    return gate.admit(() => {
      try {
        started.resolve(begin.call(this, input, options, cleanup, true));
      } catch (error) {
        started.resolve(Promise.reject(error));
      }
      return outcome;
    });
  };
  /** The run, as the library's execute runs it with the hooks; `forwarded`: its events' reading is awaited already (a gated child). */
  const begin = function (this: { definition: Definition }, input: unknown, options: LibraryRunInternals, cleanup: () => void, forwarded: boolean): Promise<unknown> {
    const hooks = options.runOptions![LOCAL_EXECUTION] as RunHooks;
    const logger = options.eventLogger;
    // Outside the version the hooks were written against, a renamed method would leave a hook unplaced, or throw in
    // the middle of a run: checked at the first run of each copy of the library instead, as the run starts.
    if (!loggerChecked) {
      const missing = LOGGER_METHODS.filter((method) => typeof logger?.[method] !== "function");
      if (missing.length > 0) throw new Error(`aws-local-stepfunctions' EventLogger has no ${missing.join(", ")}, which 3.0.0 has: re-check instrumentRuns (local/sfn-server.ts) against the installed version.`);
      loggerChecked = true;
    }
    const within = options.runOptions?.[WITHIN_RUN] === true;
    // Aborted with the run, or with a run it is within: read as a run within starts, and as each Task is called.
    const signal = options.abortSignal;
    // The library queues a Map's iterations (MaxConcurrency) and a Parallel's branches (40 at once) and, when one
    // fails, aborts those under way only: the rest would start after the Map or Parallel failed, with a signal nobody
    // aborts. AWS starts no iteration once its Map failed (one failed iteration fails the Map; a tolerating
    // DISTRIBUTED Map, its threshold exceeded: toleratingFailures), no branch once its Parallel failed ("If any branch
    // fails … the entire Parallel state is considered to have failed and all its branches are stopped",
    // state-parallel.html), nor any run within once its own run was aborted. The run ends before its first event:
    // nothing is recorded (its logger, closed, forwards nothing), no handler is called; the Map or Parallel that
    // started it has already settled.
    const group = within ? runGroup(this) : undefined;
    const parent = options.runOptions?.[PARENT_RUN] as LibraryRun | undefined;
    // A run within a Map or Parallel state of the execution's own run (its parent has none): counted, every one, in
    // the order the library starts them, so that its index is its item's or branch's (RedriveExecution).
    const top = group && parent && !runParents.get(parent) ? hooks.startsWithin(group) : undefined;
    if (group && (failedGroups.has(group) || signal?.aborted)) {
      logger.close();
      cleanup();
      return Promise.reject(new loaded.ExecutionError(new Error("Not started: its Map or Parallel state had failed, or its run was aborted.") as never));
    }
    // A redrive's iteration or branch that succeeded before: not run again, its result the one it had ("reschedules
    // and redrives only the iterations and branches that failed or aborted", API_RedriveExecution). It records nothing.
    if (top?.saved) {
      hooks.succeededWithin(group!, top.index, top.saved.result);
      logger.close();
      cleanup();
      return Promise.resolve(top.saved.result);
    }
    const run: LibraryRun = {};
    if (parent) runParents.set(run, parent);
    runStates.set(run, this.definition.States);
    // An iteration of a DISTRIBUTED Map that tolerates failed items (toleratingFailures): the threshold its Map read as it entered.
    const tolerance = group && parent ? tolerances.get(parent)?.get(this.definition) : undefined;
    // The variables this run's states assigned as its next StateExited reports them (trackVariables).
    let assigned: Record<string, string> | undefined;
    const own = (event: LibraryEvent, json?: string, length?: number, location?: string) => {
      if (logger.isLoggerClosed) return;
      eventFacts.set(event, { run, json, length, ...(event.type === "StateExited" && assigned ? { assigned } : {}), ...(location !== undefined ? { location } : {}) });
      logger.dispatch(event);
    };
    // The library's own builders, their events dispatched as the run's (own), so none is copied here. An iteration's
    // start and outcome are its own too (the library's MapIteration… events copy them): EventChain.
    const owning = dispatchingThrough(logger, own);
    for (const method of ["dispatchStateRetriedEvent", "dispatchExecutionStartedEvent", "dispatchExecutionSucceededEvent"] as const) {
      hookLogger(logger, method, (build, ...args) => build(owning, ...args));
    }
    // The event keeps the error's name and cause only: a JSONata expression's failure is told by the error's class.
    hookLogger(logger, "dispatchStateFailedEvent", (build, name, type, input, error) => {
      const location = error instanceof QueryEvaluationFailure ? error.location : undefined;
      build(location === undefined ? owning : dispatchingThrough(logger, (event) => own(event, undefined, undefined, location)), name, type, input, error);
    });
    hookLogger(logger, "dispatchExecutionFailedEvent", (build, error) => {
      // A tolerating Map's iteration fails its Map only over the threshold (toleratingFailures).
      if (group && !tolerance) failedGroups.add(group);
      build(owning, error);
    });
    // The MapIteration… events the library builds of an iteration's start and outcome name the iteration's run.
    for (const method of ["dispatchMapIterationStartedEvent", "dispatchMapIterationSucceededEvent", "dispatchMapIterationFailedEvent"] as const) {
      hookLogger(logger, method, (build, event, ...rest) => {
        const facts = eventFacts.get(event);
        build(dispatchingThrough(logger, (built) => (facts && eventFacts.set(built, facts), logger.dispatch(built))), event, ...rest);
      });
    }
    // Called in the library's abort listener (an EventTarget's), where a throw would be an uncaught exception, and
    // would leave the run unsettled (its ExecutionAborted never dispatched).
    hookLogger(logger, "dispatchExecutionAbortedEvent", (build) => {
      try {
        hooks.aborted(run);
      } catch (error) {
        hooks.log(`a run's abort left its Tasks' history unsettled (${error instanceof Error ? error.message : String(error)})`);
      } finally {
        build(logger);
      }
    });
    const states = this.definition.States;
    // The context object the library reads this run's `$$` paths against; a definition that uses workflow variables
    // finds the run's there (runVariables), and one that uses none runs with it untouched.
    const outer = options.runOptions?.context as RunContext | undefined;
    // The execution's own run of a redrive starts with the variables as they were when its first state entered before.
    const variables = hooks.variables && runVariables(outer, within ? undefined : hooks.restoredVariables);
    const context = variables?.context ?? outer;
    // As the library completes it (StateMachine.execute: Execution.Input is the run's own input, an iteration's or a
    // branch's too), which is AWS's for an Assign too (AWS-recorded BASE_PATHS: StartTime the execution's start).
    const runContext = { ...context, Execution: { ...context?.Execution, Input: input } };
    const measured = measureStateData(logger, own, states, within, runContext);
    // Installed after measureStateData: its exit, around that of measureStateData, tells `own` what the state assigned.
    if (variables) trackVariables(logger, states, variables, runContext, (assigning) => (assigned = assigning));
    // The execution's own run tells each state it enters, with the variables as they are as it enters (its Assign is
    // applied as it exits, trackVariables), which a redrive from it restores.
    if (!within) {
      hookLogger(logger, "dispatchStateEnteredEvent", (enter, name, type, input) => {
        hooks.entered(name, variables ? (variables.local.e ??= { values: Object.assign(Object.create(null), variables.scope.values), sizes: new Map(variables.scope.sizes) }) : undefined);
        enter(logger, name, type, input);
      });
    }
    // A JSONPath DISTRIBUTED Map reads its tolerated failure threshold (none: 0) as it enters, for its iterations.
    hookLogger(logger, "dispatchStateEnteredEvent", (enter, name, type, input) => {
      enter(logger, name, type, input);
      // A JSONata Map reads its own, once its Items are known (runJsonataState).
      const processor = type === "Map" && !jsonataStates.has(states[name]) ? distributedProcessor(states[name]) : undefined;
      // Its item count as measureStateData read it for its MapStateStarted, as the Map entered (the hook within this one).
      const tolerance = processor && !logger.isLoggerClosed ? toleranceAt(name, states[name], input, runContext, measured.itemCount() ?? 0) : undefined;
      if (tolerance) toleratesFailures(run, processor!, tolerance);
    });
    // Placed last (outermost): once every other hook has seen the entry, the JSONata state's handler lookup, which the
    // library makes next, synchronously, is the state's (jsonataState).
    hookLogger(logger, "dispatchStateEnteredEvent", (enter, name, type, input) => {
      // Still armed, the library did not look the last JSONata state's handler up as 3.0.0 does: disarmed, not thrown,
      // since this entry may be another execution's. jsonataSelfTest refuses JSONata definitions on such a library.
      armed = undefined;
      // Likewise a Pass state's falsy Result left armed (its InputPath failed before its action read it).
      falsyResultArmed = undefined;
      enter(logger, name, type, input);
      if (jsonataStates.has(states[name]) || routesMap(states[name], input, runContext) || routesWait(states[name], input, runContext)) armed = states[name];
      else if (falsyResults.has(states[name])) falsyResultArmed = states[name];
    });
    // The Retry intervals of this run's JSONPath Tasks that the library does not wait (LocalRun.clockRetries), by
    // state: waited on the runtime's clock as the attempt they precede calls its handler (`called`).
    const retryWaits = new Map<string, number>();
    hookLogger(logger, "dispatchStateRetriedEvent", (retried, name, type, input, retrier, attempt) => {
      retried(logger, name, type, input, retrier, attempt);
      if (hooks.clockRetries.has(name)) retryWaits.set(name, retryDelayMs(retrier as Retrier, attempt - 1, hooks.retryIntervalMs));
      // A batching Map's retry looks its handler up again, straight after its StateRetried (StateExecutor.execute).
      if (routesMap(states[name], input, runContext)) armed = states[name];
    });
    // A Task waiting in its Retry interval when its run (or one it is within) is aborted has its wait ended, and the
    // library runs it again, though nobody reads the outcome: AWS starts no attempt in an aborted iteration, branch or
    // execution, so none is started here either. The failure is States.Runtime, which no Retry or Catch takes: the
    // run's loop ends at once, its events unrecorded (its logger is closed), its result already settled by the abort.
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const state in states) {
      const handler = hooks.handlers[state];
      if (!handler) continue;
      const limit = hooks.timeLimits.get(state);
      const called = async (input: unknown) => {
        const wait = retryWaits.get(state);
        if (wait !== undefined) {
          retryWaits.delete(state);
          await hooks.wait(wait, signal);
        }
        if (signal?.aborted) throw new ServiceTaskFailure("States.Runtime", `The Task state '${state}' was not run again: its run was aborted.`);
        return limit === undefined ? handler(input, run) : hooks.timeLimit(handler(input, run), limit);
      };
      // The result an Assign of the Task reads as `$` (trackVariables): the Task's own, before ResultSelector.
      const results = variables?.taskResults;
      handlers[state] = results && hooks.variables!.resultsRead.has(state) ? (input) => called(input).then((result) => (results.set(state, result), result)) : called;
    }
    const overrides = { ...(options.runOptions?.overrides as object | undefined), taskResourceLocalHandlers: handlers };
    const settled = execute.call(this, input, { ...options, runOptions: { ...options.runOptions, ...(variables ? { context } : {}), overrides, [WITHIN_RUN]: true, [PARENT_RUN]: run } }, cleanup);
    // A succeeded run within a top-level Map or Parallel: its result kept for a redrive. An aborted run's loop ends
    // and settles with the output it had: not a success.
    if (top) settled.then((result) => signal?.aborted || hooks.succeededWithin(group!, top.index, result), () => {});
    // The run's variables as its JSONata states read them, let go in the evaluation worker as it ends.
    if (variables) {
      const release = () => releaseVariables(variables.local);
      settled.then(release, release);
    }
    // A batch's failure is its items' (toleratingFailures).
    const items = tolerance?.batched && typeof input === "object" && input !== null && Array.isArray((input as { Items?: unknown }).Items) ? (input as { Items: unknown[] }).Items.length : 1;
    const outcome = tolerance ? toleratingFailures(settled, group!, tolerance, signal, loaded, items) : settled;
    return within && !forwarded ? settledOnceForwarded(logger, outcome) : outcome;
  };
}

/**
 * Where a run's context object holds what the local runtime adds to run workflow variables
 * (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html), which aws-local-stepfunctions 3.0.0
 * does not know: the run's variables (`v`: each `$name` read in a path the library resolves is rewritten as the context
 * path `$$.StateMachine.<LOCAL_CONTEXT>.v.name`, variableReads) and the Choice rules' markers (`c`: choiceRulesTold).
 * Only a definition that uses variables has it (runVariables). Its key is made anew by each process, so no definition
 * can name it (`$$.__…` selects nothing, as in AWS, where the context object has no such field). A non-enumerable
 * field of `StateMachine`, which the library hands on as it is (it copies the context's own fields and Execution's,
 * enumerable ones only): a path names it, but JSONPath's `*` and `..` (jsonpath-plus walks Object.keys) and JSON do
 * not see it, so `$$.*`, `$$..x` and a whole `$$` written out (`"ctx.$": "$$"`, a Lambda's Payload,
 * `States.JsonToString($$)`, an Assign of `$$`) give the context object as AWS gives it.
 */
const LOCAL_CONTEXT = `__local${randomBytes(6).toString("hex")}`;
const VARIABLES_PATH = `$$.StateMachine.${LOCAL_CONTEXT}.v.`;
const CHOICE_RULES_PATH = `$$.StateMachine.${LOCAL_CONTEXT}.c.`;

/** A run's context object as the local runtime hands it to the library (the execution's, or a run's it is within). */
interface RunContext {
  Execution?: object;
  StateMachine?: object;
  [key: string]: unknown;
}

/** What the local runtime keeps in a run's context object (LOCAL_CONTEXT). */
interface LocalContext {
  v: Record<string, unknown>;
  /** The JSON size of each of `v`'s variables (VariableScope.sizes), for the execution's 10 MiB of variables. */
  s: Map<string, number>;
  c: object;
  /** What the JSONata state under way assigns as it exits (runJsonataState evaluated it; trackVariables applies it). */
  j?: Record<string, unknown>;
  /** `v` as the JSONata states read it, a copy made once for each change (Bindings: the worker holds it by identity). */
  f?: Record<string, unknown>;
  /**
   * The run this one is within (a Map iteration's, a Parallel branch's), until this one assigns: till then its `v`
   * equals that run's, so its JSONata states read that run's `f` (jsonataVariables), which the worker holds once for
   * all its iterations.
   */
  o?: LocalContext;
  /**
   * `v` and `s` as the execution's own run's states enter with them (RunHooks.entered, what a redrive restores): a
   * copy made once for each change (trackVariables lets it go), not at every state's entry; nothing changes it.
   */
  e?: VariableSnapshot;
}

/** A run's variables as its JSONata states read them (LocalContext.f): its own copy, or its outer run's while it has assigned nothing. */
function jsonataVariables(local: LocalContext): Record<string, unknown> {
  return (local.f ??= local.o ? jsonataVariables(local.o) : { ...local.v });
}

/** Lets a run's `f` go in the evaluation worker (releaseBindings) once it is replaced or the run ends: unless it is its outer run's. */
function releaseVariables(local: LocalContext): void {
  if (local.f !== undefined && local.f !== local.o?.f) releaseBindings(local.f);
  local.f = undefined;
}

/**
 * A run's workflow variables, for a definition that uses them: the context it runs with (`context`: its variables,
 * those of the run it is within to read, variableScope; its Choice rules' markers), and the results of its Tasks whose
 * Assign reads `$` (filled as each Task's handler settles, instrumentRuns), for trackVariables.
 */
function runVariables(outer: RunContext | undefined, restored?: VariableSnapshot) {
  const within = (outer?.StateMachine as Record<string, LocalContext | undefined> | undefined)?.[LOCAL_CONTEXT];
  const scope = variableScope(within?.v, within?.s);
  // The execution's own run, redriven: its variables as they were (its own, none of an outer scope's).
  if (restored) {
    Object.assign(scope.values, restored.values);
    for (const [variable, bytes] of restored.sizes) scope.sizes.set(variable, bytes);
  }
  const choice: ChoiceMatch = {};
  // A copy of the outer run's StateMachine (its spread leaves the outer LOCAL_CONTEXT out) holding this run's own.
  const local: LocalContext = { v: scope.values, s: scope.sizes, c: choiceRules(choice), ...(within ? { o: within } : {}) };
  const own: RunContext = { ...outer, StateMachine: Object.defineProperty({ ...outer?.StateMachine }, LOCAL_CONTEXT, { value: local, enumerable: false }) };
  return {
    scope,
    choice,
    local,
    taskResults: new Map<string, unknown>(),
    context: own,
  };
}

/** The rule of the Choice state under way in a run that matched (none: its Default). */
interface ChoiceMatch {
  rule?: number;
}

/** The context's Choice rule markers (CHOICE_RULES_PATH): `r<index>` is present, and reading it records that rule as `choice`'s match. */
function choiceRules(choice: ChoiceMatch): object {
  const rule = (key: string | symbol) => (typeof key === "string" && /^r\d+$/.test(key) ? Number(key.slice(1)) : undefined);
  return new Proxy(
    {},
    {
      getOwnPropertyDescriptor: (_, key) => (rule(key) === undefined ? undefined : { value: true, writable: false, enumerable: true, configurable: true }),
      get: (_, key) => {
        const index = rule(key);
        if (index === undefined) return undefined;
        choice.rule = index;
        return true;
      },
    },
  );
}

/**
 * A Choice state whose rules or Default assign variables, rewritten in place so that the run learns which rule
 * matched (CHOICE_RULES_PATH): each rule's condition, then the marker, under an `And` (the library reads an And's rules in
 * order and stops at the first false one, and the Choice's rules in order up to the first that matches). The rule
 * keeps its Next, and its Assign for trackVariables (the library reads no Assign).
 */
function choiceRulesTold(state: Record<string, unknown>): void {
  const rules = state.Choices;
  if (state.Type !== "Choice" || !Array.isArray(rules) || (state.Assign === undefined && !rules.some((rule) => rule?.Assign !== undefined))) return;
  state.Choices = rules.map((rule: Record<string, unknown>, i) => {
    const { Next, Assign, ...condition } = rule;
    return { And: [condition, { Variable: `${CHOICE_RULES_PATH}r${i}`, IsPresent: true }], Next, ...(Assign !== undefined ? { Assign } : {}) };
  });
}

/** The Choice rule operators that test the Variable's type or presence, whose value says whether it must hold. */
const TYPE_TESTS = ["IsPresent", "IsNull", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"];

/**
 * A Choice state's type tests with `false` (`"IsPresent": false`) rewritten in place as the Not of the test with
 * `true`: aws-local-stepfunctions 3.0.0 returns `<value> && <the test>` for them, so one with `false` never matches,
 * where the States Language's `IsPresent: false` holds for a Variable that is absent (an AWS-recorded run with the
 * field absent is not at hand: LocalStack's test_assign_in_choice_state has such a rule, its field present). A missing
 * Variable still fails the other tests as the library fails them with `true`.
 */
function typeTestsNegated(state: Record<string, unknown>): void {
  const negate = (rule: unknown): unknown => {
    if (typeof rule !== "object" || rule === null) return rule;
    const { And, Or, Not, ...fields } = rule as Record<string, unknown>;
    const test = TYPE_TESTS.find((operator) => fields[operator] === false);
    const inner = { ...fields, ...(Array.isArray(And) ? { And: And.map(negate) } : {}), ...(Array.isArray(Or) ? { Or: Or.map(negate) } : {}), ...(Not !== undefined ? { Not: negate(Not) } : {}) };
    if (!test) return inner;
    // The rule's Next and Assign stay on the rule; the test goes under the Not.
    const { Next, Assign, Comment, ...condition } = inner as Record<string, unknown>;
    return { Not: { ...condition, [test]: true }, ...(Next !== undefined ? { Next } : {}), ...(Assign !== undefined ? { Assign } : {}), ...(Comment !== undefined ? { Comment } : {}) };
  };
  if (state.Type === "Choice" && Array.isArray(state.Choices)) state.Choices = state.Choices.map(negate);
}

/** A run's workflow variables: those it assigned, and those of the runs it is within (`outer`), which it only reads. */
interface VariableScope {
  values: Record<string, unknown>;
  outer: ReadonlySet<string>;
  /** Each variable's size as JSON (its value's, as assignedVariables records it), for SFN_LIMITS.variablesBytes. */
  sizes: Map<string, number>;
}

/**
 * The variables of a run within a Map iteration or Parallel branch: "variables assigned in the outer scope" are
 * readable in its states, and those it assigns are its own, gone when it ends (LocalStack's AWS-recorded
 * test_assign_base BASE_SCOPE_MAP, BASE_SCOPE_PARALLEL; test_assign_reference_variables
 * BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE). A copy: the outer run waits in its Map or Parallel meanwhile, so nothing
 * changes there.
 */
function variableScope(outer: Record<string, unknown> | undefined, outerSizes: ReadonlyMap<string, number> | undefined): VariableScope {
  // Without a prototype, a variable named `__proto__` is one like any other.
  return { values: Object.assign(Object.create(null), outer), outer: new Set(Object.keys(outer ?? {})), sizes: new Map(outerSizes) };
}

/**
 * A state's `Assign`, evaluated and applied as it exits (its ResultSelector, ResultPath and OutputPath done: in AWS a
 * state's own paths read the variables as they were when it entered, LocalStack's AWS-recorded
 * BASE_EVALUATION_ORDER_PASS_STATE, where OutputPath `$answer` reads 42 in the state that assigns `answer`), and only
 * when it succeeded (a caught state's exit assigns its Catcher's Assign instead, one that reads no `$`: what `$` is
 * there is not recorded against AWS for JSONPath, variablesUnsupported); a Choice state's is its matching rule's, or
 * its own when it goes to its Default (LocalStack's AWS-recorded test_assign_in_choice_state INCORRECT, and
 * CONDITION_TRUE in JSONata, where the state's own is not assigned when a rule matched). Its `$` is the state's result
 * (BASE_ASSIGN_FROM_RESULT: a Pass state's Result; BASE_ASSIGN_FROM_LAMBDA_TASK_RESULT: a Task's, `$.Payload` of
 * lambda:invoke's answer, before its OutputPath): a Task's handler's result (without a ResultSelector), a Pass state's
 * Result, a Map's or Parallel's gathered results (its output, without ResultSelector, ResultPath and OutputPath), else
 * the state's effective input (BASE_ASSIGN_FROM_PARAMETERS: past its InputPath and Parameters), which is its output
 * when it has InputPath or Parameters (without ResultPath and OutputPath), else its input; variablesUnsupported
 * refuses an Assign that reads `$` anywhere else. Every value is evaluated before any is set, then all are set at once; the StateExited event records
 * them (`reported`), each as its JSON, as AWS records `assignedVariables`. A name the run only reads (an outer
 * scope's, as assigned when the run started) fails the execution with States.Runtime (LocalStack's
 * IllegalOuterScopeWrite; whether AWS refuses such a definition when it is created instead is not confirmed). So does an
 * Assign over 256 KiB of JSON (its documented limit; AWS's error name not documented), and either failure, as a path
 * that selects nothing, records no event of the state's own (no StateExited): AWS's recording of a JSONPath that
 * selects nothing (LocalStack's test_base_scenarios INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH). So does an Assign that
 * takes the variables past the 10 MiB an execution may hold in all (SFN_LIMITS.variablesBytes): measured as the
 * Assign check measures (each variable's JSON, names left out) over the variables a run can see, its own and its
 * outer scopes'. Those of Map iterations or Parallel branches under way at once are not added together (how AWS counts
 * them is not documented). AWS's error for it is not documented either: States.Runtime, as for an Assign over 256 KiB.
 */
function trackVariables(logger: LibraryRunLogger, states: Definition["States"], { scope, choice, local, taskResults }: ReturnType<typeof runVariables>, context: RunContext, reported: (assigned: Record<string, string> | undefined) => void): void {
  let entered: unknown;
  // The Catcher that took the state's failure, whose Assign applies instead of the state's. A failed state exits only
  // when caught (StateExecutor.execute: a retry runs it again, anything else fails its run), so it is what tells a
  // failed state's exit from a succeeded one's.
  let catcher: { Assign?: unknown } | undefined;
  hookLogger(logger, "dispatchStateEnteredEvent", (enter, name, type, input) => {
    entered = input;
    catcher = undefined;
    choice.rule = undefined;
    enter(logger, name, type, input);
  });
  hookLogger(logger, "dispatchStateCaughtEvent", (caught, name, type, input, taking) => {
    catcher = taking as typeof catcher;
    caught(logger, name, type, input, taking);
  });
  hookLogger(logger, "dispatchStateExitedEvent", (exit, name, type, input, output) => {
    const state = states[name] as Record<string, unknown> & { Assign?: unknown; Choices?: Array<{ Assign?: unknown }> };
    // Kept only until its state exits, however it exits: a result may be 256 KiB.
    const taskResult = taskResults.get(name);
    taskResults.delete(name);
    // A caught state assigns its Catcher's Assign; a Choice state its matching rule's, or its own on its Default.
    const failed = catcher !== undefined;
    // A JSONata state's Assign (its Catcher's, its Choice rule's) was evaluated as it ran (runJsonataState).
    const jsonata = jsonataStates.has(state);
    const evaluated = local.j;
    local.j = undefined;
    const assign = jsonata ? evaluated : failed ? catcher!.Assign : type === "Choice" && choice.rule !== undefined ? state?.Choices?.[choice.rule]?.Assign : state?.Assign;
    if (logger.isLoggerClosed || typeof assign !== "object" || assign === null) return exit(logger, name, type, input, output);
    const result = failed ? undefined : type === "Task" ? taskResult : type === "Pass" && "Result" in state ? state.Result : type === "Map" || type === "Parallel" || "InputPath" in state || "Parameters" in state ? output : entered;
    const values = jsonata ? (assign as Record<string, unknown>) : assignedValues(name, assign as Record<string, unknown>, result, context);
    const written = Object.keys(values).find((variable) => scope.outer.has(variable));
    if (written) throw new ServiceTaskFailure("States.Runtime", `The state '${name}' assigns the variable '${written}', which belongs to an outer scope: a Map iteration or Parallel branch may read it, not assign it.`);
    const assignedJson = Object.entries(values).map(([variable, value]) => [variable, JSON.stringify(value)] as const);
    const sizes = assignedJson.map(([variable, json]) => [variable, Buffer.byteLength(json)] as const);
    // "The maximum combined size for all variables in a single Assign field is also 256Kib" (workflow-variables.html,
    // Limits), which bounds each variable too (its single-variable limit is the same). Measured as the JSON
    // assignedVariables records, names left out; AWS's error for it is not documented: States.Runtime, as for the rest.
    const size = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
    if (size > SFN_LIMITS.inputBytes) throw new ServiceTaskFailure("States.Runtime", `The Assign of the state '${name}' assigns ${size} bytes of JSON, over the ${SFN_LIMITS.inputBytes} (256 KiB) Step Functions allows one Assign: keep large data out of variables (in S3, say) or split it over the Assigns of several states.`);
    // A reassigned variable counts with its new value only.
    let total = 0;
    for (const [variable, bytes] of scope.sizes) if (!Object.hasOwn(values, variable)) total += bytes;
    total += size;
    if (total > SFN_LIMITS.variablesBytes) throw new ServiceTaskFailure("States.Runtime", `The Assign of the state '${name}' takes the execution's variables to ${total} bytes of JSON, over the ${SFN_LIMITS.variablesBytes} (10 MiB) Step Functions allows an execution: keep large data out of variables (in S3, say), or assign null to variables no longer needed.`);
    reported(Object.fromEntries(assignedJson));
    try {
      exit(logger, name, type, input, output);
    } finally {
      reported(undefined);
    }
    Object.assign(scope.values, values);
    // The copy the JSONata states read is made anew, and the run no longer reads its outer run's.
    releaseVariables(local);
    local.o = undefined;
    for (const [variable, bytes] of sizes) scope.sizes.set(variable, bytes);
    local.e = undefined;
  });
}

/**
 * An Assign's values: a key ending in `.$` takes what its path selects from the state's result (`$`, `$.a`), the
 * context object (`$$…`) or a variable (`$name…`, read as variableReads rewrote it); any other value is taken as
 * written, literal strings that look like paths too (LocalStack's AWS-recorded BASE_VAR: `"constant_str_var":
 * "$noSuchVar"` assigns that text); objects and arrays are read the same way within (as Parameters are). A path that
 * selects nothing fails the execution with States.Runtime (AWS's cause for it is not recorded). Read with the
 * library's own JSONPath reader (jsonpath-plus), as the library reads every other path of the state.
 */
function assignedValues(stateName: string, template: Record<string, unknown>, result: unknown, context: unknown): Record<string, unknown> {
  const resolve = (value: unknown, at: string): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => resolve(item, `${at}[${i}]`));
    if (typeof value !== "object" || value === null) return value;
    // Without a prototype, a key `__proto__` is set like any other.
    const resolved: Record<string, unknown> = Object.create(null);
    for (const [key, field] of Object.entries(value)) {
      if (!key.endsWith(".$") || typeof field !== "string") {
        resolved[key] = resolve(field, `${at}.${key}`);
        continue;
      }
      // `$` is the result whole, 0, false, "" or null too (selectWholeFalsyDocuments).
      const selected = readPath(field, result, context);
      if (selected === undefined) throw new ServiceTaskFailure("States.Runtime", `The Assign of the state '${stateName}' (${at}.${key}) selects nothing: ${readableVariables(field)}`);
      resolved[key.slice(0, -2)] = JSON.parse(JSON.stringify(selected));
    }
    return resolved;
  };
  return resolve(template, "Assign") as Record<string, unknown>;
}

/** A JSONata state's own: its type, and its Retry and Catch, which runJsonataState applies (the library sees none). */
interface JsonataState {
  type: string;
  /** A Task's TimeoutSeconds expression (localRun then gives the state the longest timer the library waits). */
  timeoutSeconds?: string;
  /** A callback Task's HeartbeatSeconds expression (its wait's, as a literal one is: the library has no heartbeat). */
  heartbeatSeconds?: string;
  retry?: Array<Record<string, any>>;
  catch?: Array<Record<string, any>>;
}
const jsonataStates = new WeakMap<object, JsonataState>();

/** The type a JSONata state gives the library's handler lookup that follows its entry (jsonataState). */
const JSONATA_STATE = Symbol("local Step Functions JSONata state");
/** The JSONata state whose entry the run's logger just reported (instrumentRuns), until the library looks its handler up. */
let armed: object | undefined;
/** The JSONata state whose Type last read JSONATA_STATE: the one the handler that lookup found must be called for. */
let lookedUp: object | undefined;

/**
 * A JSONata state made one the library runs through runJsonataState, in place. The library picks a state's handler
 * by its Type from a plain object (StateExecutor.stateHandlers), synchronously after it reports the state's entry (a
 * JSONata state has no InputPath or Parameters, so nothing reads its Type between): the entry arms the state
 * (instrumentRuns), and its Type then reads JSONATA_STATE once, which the handler table finds on Object.prototype
 * (installJsonataHandler); every other read is the state's type (the history's, Retry's States.TaskFailed). Its
 * Retry and Catch are taken out of the library's sight: a Catcher's Output and Assign read `$states.errorOutput`,
 * which JSONata evaluates asynchronously, where the library's Catch is synchronous. Pinned (package.json;
 * sfn-server.test.ts fails on another version), and checked at each runtime's first JSONata definition
 * (jsonataSelfTest): on an upgrade, re-check StateExecutor.execute and processInput.
 */
function jsonataState(state: Record<string, unknown>): void {
  const type = state.Type as string;
  jsonataStates.set(state, { type, ...(isExpression(state.TimeoutSeconds) ? { timeoutSeconds: state.TimeoutSeconds } : {}), ...(isExpression(state.HeartbeatSeconds) ? { heartbeatSeconds: state.HeartbeatSeconds } : {}), ...(Array.isArray(state.Retry) ? { retry: state.Retry } : {}), ...(Array.isArray(state.Catch) ? { catch: state.Catch } : {}) });
  delete state.Retry;
  delete state.Catch;
  routedByType(state, type);
}

/**
 * `state`'s Type made the lookup of the local runtime's own handler (installJsonataHandler) once its entry armed it
 * (instrumentRuns): a JSONata state's (jsonataState), a JSONPath Map's in Distributed mode (routedMap).
 */
function routedByType(state: Record<string, unknown>, type: string): void {
  Object.defineProperty(state, "Type", {
    enumerable: true,
    get() {
      if (armed !== state) return type;
      armed = undefined;
      lookedUp = state;
      return JSONATA_STATE;
    },
  });
}

/** The library's state handlers, by type (StateExecutor.stateHandlers), as runJsonataState calls them. */
type StateHandler = (state: object, rawInput: unknown, input: unknown, context: RunContext, stateName: string, options: StateOptions) => Promise<StateOutcome>;
interface StateOutcome {
  stateResult: unknown;
  nextState: string;
  isEndState: boolean;
}
interface StateOptions {
  stateMachineOptions?: unknown;
  runOptions?: { overrides?: { retryIntervalOverrides?: Record<string, number | number[]> }; context?: RunContext; [PARENT_RUN]?: LibraryRun; [LOCAL_EXECUTION]?: RunHooks };
  abortSignal?: AbortSignal;
  eventLogger: LibraryRunLogger;
}

/** The handler every JSONata state's lookup finds (jsonataState): a symbol's, not enumerable, so no object shows it. */
function installJsonataHandler(): void {
  if (Object.hasOwn(Object.prototype, JSONATA_STATE)) return;
  Object.defineProperty(Object.prototype, JSONATA_STATE, {
    value(this: Record<string, StateHandler>, state: Record<string, any>, rawInput: unknown, input: unknown, context: RunContext, stateName: string, options: StateOptions) {
      // Called as 3.0.0 calls a state's handler: on the handler table, for the state whose Type the lookup read. Any
      // other call (a library that read Type elsewhere first) fails this state, not another execution's.
      const called = lookedUp === state && typeof this?.Pass === "function" && typeof this?.Task === "function";
      lookedUp = undefined;
      if (!called) return Promise.reject(new ServiceTaskFailure("States.Runtime", `${LIBRARY_CHANGED} (the JSONata state '${stateName}' was not looked up as its handler is called).`));
      if (routedMaps.has(state)) return runRoutedMap(this, state, rawInput, input, context, stateName, options);
      if (routedWaits.has(state)) return waitInPieces(this, state, waitMs(state, input, context), rawInput, input, context, stateName, options);
      return runJsonataState(this, state, rawInput, context, stateName, options);
    },
  });
}

/**
 * Whether a Retrier's or Catcher's ErrorEquals takes `error` in a state of `type`, as the library matches them
 * (StateExecutor.shouldRetry, catchError), but for States.Timeout told by its name, where the library tells it by its
 * class (StatesTimeoutError): a Lambda raising errorType "States.Timeout" is no States.TaskFailed here, and is one in a
 * JSONPath state. With the retry loop of runJsonataState, mirrors 3.0.0: re-check both on an upgrade.
 */
function takes(errors: unknown, error: Error & { isRetryable?: boolean }, type: string): boolean {
  return Array.isArray(errors) && errors.some((name) => name === error.name || name === "States.ALL" || (name === "States.TaskFailed" && type === "Task" && error.name !== "States.Timeout"));
}

/** A Retrier, as runJsonataState and retryDelayMs read it. */
interface Retrier {
  ErrorEquals?: unknown;
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/**
 * How long `retrier` waits before its retry after `retries` earlier ones, as the library waits it
 * (StateExecutor.shouldRetry): IntervalSeconds times BackoffRate to the power of the retries, or the runtime's
 * `overrideMs`, at most MaxDelaySeconds (0 is none, as the library's clamp takes it); FULL jitter a random part of it
 * (not an override's).
 */
function retryDelayMs(retrier: Retrier, retries: number, overrideMs: number | undefined): number {
  const wait = Math.min(overrideMs !== undefined ? overrideMs / 1000 : (retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, retries), retrier.MaxDelaySeconds || Infinity) * 1000;
  return retrier.JitterStrategy === "FULL" && overrideMs === undefined ? Math.random() * wait : wait;
}

/**
 * Waits `ms` on `clock` (at most the longest a Node timer takes), or until `signal` aborts; no wait for 0, as the
 * library's sleep. Its abort listener is dropped as it ends: none is left per retry on the run's signal.
 */
function clockWait(clock: TaskClock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clock.clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = clock.setTimeout(done, Math.min(ms, LONGEST_TIMER_SECONDS * 1000));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** `task`, or the failure `timeout()` gives once `seconds` (at most LONGEST_TIMER_SECONDS) passed on `clock`. */
function clockTimeLimit<T>(clock: TaskClock, task: Promise<T>, seconds: number, timeout: () => Promise<Error>): Promise<T> {
  let timer: unknown;
  const timedOut = new Promise<never>((_, reject) => (timer = clock.setTimeout(() => void timeout().then(reject, reject), Math.min(seconds, LONGEST_TIMER_SECONDS) * 1000)));
  return Promise.race([task, timedOut]).finally(() => clock.clearTimeout(timer));
}

/**
 * A JSONata state's run (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html): its fields'
 * `{% … %}` evaluated with `$states` (`input`, `context`, a Task's, Map's or Parallel's `result`, a Catcher's
 * `errorOutput`) and the run's variables; the library's own handler of its type runs with what they gave (a Task's
 * `Arguments`, its input without them; a Wait's `Seconds` or `Timestamp`; a Map's `Items` each through its
 * `ItemSelector`, with `$states.context.Map.Item`; a Parallel's `Arguments`); its `Output` (default: a Task's, Map's
 * or Parallel's result, a Catcher's error output, else its input) is its output, and its `Assign` (a matching Choice
 * rule's, a Catcher's) is applied as it exits (trackVariables, local.j). A Choice goes to its first rule whose
 * `Condition` is true, else its Default; a Fail state fails with its `Error` and `Cause`. Retry and Catch are
 * applied here as the library applies them (StateExecutor.shouldRetry, catchError: ErrorEquals, MaxAttempts,
 * IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy, the runtime's retry interval override), and reported
 * through the run's logger as the library reports them; an uncaught failure is the library's to report.
 */
async function runJsonataState(handlers: Record<string, StateHandler>, state: Record<string, any>, rawInput: unknown, context: RunContext, stateName: string, options: StateOptions): Promise<StateOutcome> {
  // Every `$states` the state's expressions read, let go in the evaluation worker once the state has run (Bindings).
  const read = new Set<object>();
  try {
    return await attemptJsonataState(handlers, state, rawInput, context, stateName, options, read);
  } finally {
    for (const states of read) releaseBindings(states);
  }
}

/** runJsonataState's attempts (its Retry), each `$states` its expressions read added to `read`. */
async function attemptJsonataState(handlers: Record<string, StateHandler>, state: Record<string, any>, rawInput: unknown, context: RunContext, stateName: string, options: StateOptions, read: Set<object>): Promise<StateOutcome> {
  const { type, timeoutSeconds, heartbeatSeconds, retry = [], catch: catchers = [] } = jsonataStates.get(state)!;
  const local = (context.StateMachine as Record<string, LocalContext>)[LOCAL_CONTEXT];
  const hooks = options.runOptions![LOCAL_EXECUTION]!;
  // The context object as AWS gives it: the execution's StartTime and Input (the library's are its run's: a Map
  // iteration's Input is its item), a token for a callback Task only (minted for each attempt, which the Task's wait
  // takes up: held as its handler is called).
  const { Task: task, Map: _item, ...shown } = context;
  const execution = options.runOptions?.context?.Execution as { StartTime?: string; Input?: unknown } | undefined;
  if (execution?.StartTime !== undefined) shown.Execution = { ...shown.Execution, StartTime: execution.StartTime };
  if (execution && "Input" in execution) shown.Execution = { ...shown.Execution, Input: execution.Input };
  const callback = type === "Task" && callbackTaskResource(state.Resource) !== undefined && task !== undefined;
  const enteredTime = new Date().toISOString();
  const attempts = retry.map(() => 0);
  const next = (stateResult: unknown): StateOutcome => ({ stateResult, nextState: typeof state.Next === "string" ? state.Next : "", isEndState: state.End === true || type === "Succeed" });
  for (let retryCount = 0; ; retryCount++) {
    // Minted, not read: a read token stays pending across the evaluations' awaits, where a concurrent iteration's or
    // branch's Task would read the same one. HOLD_TOKEN makes it pending only as the handler is called.
    const token = callback ? (task as { [MINT_TOKEN](): string })[MINT_TOKEN]() : undefined;
    let states: Record<string, unknown> = { input: rawInput, context: JSON.parse(JSON.stringify({ ...shown, State: { EnteredTime: enteredTime, Name: stateName, RetryCount: retryCount }, ...(token ? { Task: { Token: token } } : {}) })) };
    // The variables copied once until the next Assign, and `states` replaced, not changed (Bindings).
    const variables = jsonataVariables(local);
    const bindings = (): Bindings => (read.add(states), { variables, states });
    const output = (result: unknown) => ("Output" in state ? evaluateField(state.Output, "Output", bindings()) : Promise.resolve(result));
    try {
      let outcome: StateOutcome;
      let assign: unknown = state.Assign;
      switch (type) {
        case "Pass":
        case "Succeed":
          outcome = next(await output(rawInput));
          break;
        case "Task":
        case "Parallel": {
          let input = "Arguments" in state ? await evaluateField(state.Arguments, "Arguments", bindings()) : rawInput;
          const limit = async (text: string | undefined, field: "TimeoutSeconds" | "HeartbeatSeconds") => {
            if (text === undefined) return undefined;
            const seconds = await evaluateField(text, field, bindings());
            if (!(Number.isSafeInteger(seconds) && (seconds as number) >= 1)) throw unexpectedResultType(text, field, "a positive integer", seconds);
            return seconds as number;
          };
          const seconds = await limit(timeoutSeconds, "TimeoutSeconds");
          const heartbeat = await limit(heartbeatSeconds, "HeartbeatSeconds");
          // A callback Task's limits are its token's wait's, which closes the token as it times out: handed to its
          // handler with its input, as a JSONPath Task's limit paths are (limitPathsAsParameters, jsonataLimits).
          if (callback && (seconds !== undefined || heartbeat !== undefined)) input = { TimeoutSecondsPath: seconds, HeartbeatSecondsPath: heartbeat, parameters: input };
          if (token) (task as { [HOLD_TOKEN](token: string): void })[HOLD_TOKEN](token);
          const handled = handlers[type](state, rawInput, input, context, stateName, options);
          // Any other Task's limit is timed on the runtime's clock (the library's own timer waits the longest it can).
          const { stateResult } = await (seconds !== undefined && !callback ? hooks.timeLimit(handled, seconds) : handled);
          states = { ...states, result: stateResult };
          outcome = next(await output(stateResult));
          break;
        }
        case "Map": {
          // MaxConcurrency first, as AWS evaluates it: a MaxConcurrencyPath that gives no valid number fails the Map
          // with no MapStateStarted (LocalStack's AWS-recorded test_base_scenarios test_max_concurrency_path, an
          // invalid value: ExecutionStarted, MapStateEntered, ExecutionFailed; its state_map.py evaluates
          // MaxConcurrency "as a state level field" before Items). Taken to hold for a JSONata MaxConcurrency too.
          const maxConcurrency = isExpression(state.MaxConcurrency) ? await evaluateField(state.MaxConcurrency, "MaxConcurrency", bindings()) : state.MaxConcurrency;
          if (!(maxConcurrency === undefined || (Number.isSafeInteger(maxConcurrency) && (maxConcurrency as number) >= 0))) throw unexpectedResultType(state.MaxConcurrency, "MaxConcurrency", "a non-negative integer", maxConcurrency);
          const items = "Items" in state ? await evaluateField(state.Items, "Items", bindings()) : rawInput;
          if ("Items" in state && !Array.isArray(items)) throw unexpectedResultType(state.Items, "Items", "'array'", items);
          // Without Items, its input ("Default: The state input as is", the CDK's MapBaseJsonataOptions): failed as
          // Items are, not with the library's cause, which names ItemsPath. The wording is the runtime's, AWS's unknown.
          if (!Array.isArray(items)) throw new QueryEvaluationFailure("Items", `The Map state has no field 'Items', so it iterates over its input, which is no array. Expected 'array', but was '${jsonType(items)}' for value: ${JSON.stringify(items)}`);
          // A DISTRIBUTED Map's tolerated failure threshold, for its iterations (toleratingFailures): literal or an
          // expression, evaluated once its items are known (where AWS evaluates it is not recorded).
          const processor = distributedProcessor(state);
          if (processor) {
            const value = async (field: keyof typeof TOLERANCE_VALUES) => {
              const read = isExpression(state[field]) ? await evaluateField(state[field], field, bindings()) : (state[field] ?? 0);
              const threshold = toleranceValue(field, read);
              if (threshold === undefined) throw unexpectedResultType(state[field], field, TOLERANCE_VALUES[field].what, read);
              return threshold;
            };
            const count = await value("ToleratedFailureCount");
            const percentage = await value("ToleratedFailurePercentage");
            toleratesFailures(options.runOptions?.[PARENT_RUN] as LibraryRun, processor, { state: stateName, total: items.length, count: longOf(count), percentage, batched: "ItemBatcher" in state, set: thresholdDeclared(state) });
          }
          // Its MapStateStarted, which a JSONPath Map's entry carries (mapItemCount), once its items are known: before
          // its iterations' events, as AWS records it, where Items that fail have none (LocalStack's AWS-recorded
          // test_map_state_items_eval_jsonata_fail). And before its ItemSelector, so that a selector that fails
          // follows it: assumed, not recorded (no AWS recording of a failing ItemSelector is at hand; LocalStack's own
          // runtime evaluates the selector within each iteration, after MapStateStarted). Whether AWS records a
          // MapIterationStarted/Failed around a failing selector is not known either: the local runtime records none.
          // Its children's gate, in place before the history reads the Map's start (MapRunTracker.recorded).
          const concurrency = gateChildren(state, stateName, maxConcurrency, options);
          const started: LibraryEvent = { type: "MapStateStarted", timestamp: Date.now(), state: { name: stateName, type: "Map", input: rawInput } };
          eventFacts.set(started, { run: options.runOptions?.[PARENT_RUN] as LibraryRun, length: items.length, ...(typeof maxConcurrency === "number" ? { maxConcurrency } : {}) });
          options.eventLogger.dispatch(started);
          let selected = items;
          if ("ItemSelector" in state) {
            selected = [];
            for (const [index, value] of items.entries()) {
              // The item is sent on its own (Bindings.item): the Map's $states is copied to the worker once.
              const item = { ...bindings(), item: { Index: index, Value: value } };
              (selected as unknown[]).push(await evaluateField(state.ItemSelector, "ItemSelector", item));
            }
          }
          // Batched (batchesOf): its ItemBatcher's fields literal or expressions, BatchInput a JSONata template.
          const { Items: _items, ItemSelector: _selector, ItemBatcher: batcher, ...map } = state;
          if (batcher !== undefined) {
            const config = (typeof batcher === "object" && batcher !== null ? batcher : {}) as Record<string, unknown>;
            const field = (name: string) => (name in config ? evaluateField(config[name], `ItemBatcher/${name}`, bindings()) : undefined);
            // A limit an expression gave that is none fails as another expression's wrong type does (States.QueryEvaluationError).
            const refused = (name: string, value: unknown, what: string) => unexpectedResultType(config[name], `ItemBatcher/${name}`, what, value);
            selected = batchesOf(stateName, selected, await field("MaxItemsPerBatch"), await field("MaxInputBytesPerBatch"), await field("BatchInput"), refused);
          }
          map.MaxConcurrency = concurrency;
          const { stateResult } = await handlers.Map({ ...map, Type: "Map" }, rawInput, selected, context, stateName, options);
          states = { ...states, result: stateResult };
          outcome = next(await output(stateResult));
          break;
        }
        case "Wait": {
          const field = "Seconds" in state ? "Seconds" : "Timestamp";
          const value = await evaluateField(state[field], field, bindings());
          if (field === "Seconds" && !(Number.isSafeInteger(value) && (value as number) >= 0)) throw unexpectedResultType(state.Seconds, "Seconds", "a non-negative integer", value);
          // The library's Wait takes a date it cannot read as one already past: it would not wait at all.
          if (field === "Timestamp" && !isWaitTimestamp(value)) throw unexpectedResultType(state.Timestamp, "Timestamp", "a timestamp conforming to the RFC3339 profile of ISO 8601", value);
          const ms = field === "Seconds" ? (value as number) * 1000 : Date.parse(value as string) - Date.now();
          await waitInPieces(handlers, { Type: "Wait", [field]: value, ...(state.Next ? { Next: state.Next } : { End: true }) }, ms, rawInput, rawInput, context, stateName, options);
          outcome = next(await output(rawInput));
          break;
        }
        case "Choice": {
          let rule: Record<string, any> | undefined;
          for (const [i, candidate] of ((state.Choices ?? []) as Array<Record<string, any>>).entries()) {
            const holds = await evaluateField(candidate.Condition, `Choices[${i}]/Condition`, bindings());
            if (typeof holds !== "boolean") throw unexpectedResultType(candidate.Condition, `Choices[${i}]/Condition`, "'boolean'", holds);
            if (holds) {
              rule = candidate;
              break;
            }
          }
          if (!rule && typeof state.Default !== "string") throw new ServiceTaskFailure("States.NoChoiceMatched", "States.NoChoiceMatched", { terminal: false });
          // A matching rule assigns its own Assign, not the state's (LocalStack's AWS-recorded CONDITION_TRUE).
          if (rule) assign = rule.Assign;
          const chosen = rule && "Output" in rule ? await evaluateField(rule.Output, "Output", bindings()) : await output(rawInput);
          outcome = { stateResult: chosen, nextState: rule ? rule.Next : state.Default, isEndState: false };
          break;
        }
        case "Fail": {
          // AWS takes a string for each (state-fail.html); String() would make an object "[object Object]".
          const text = async (field: "Error" | "Cause") => {
            if (state[field] === undefined) return undefined;
            const value = await evaluateField(state[field], field, bindings());
            if (typeof value !== "string") throw unexpectedResultType(state[field], field, "'string'", value);
            return value;
          };
          throw taskFailure(await text("Error"), await text("Cause"));
        }
        default:
          throw new ServiceTaskFailure("States.Runtime", `The local runtime does not run JSONata ${type} states.`);
      }
      local.j = await jsonataAssigned(assign, bindings());
      return outcome;
    } catch (thrown) {
      const error = thrown as Error & { isRetryable?: boolean; isCatchable?: boolean };
      const r = error.isRetryable === false ? -1 : retry.findIndex((retrier) => takes(retrier.ErrorEquals, error, type));
      if (r >= 0 && attempts[r] < (retry[r].MaxAttempts ?? 3)) {
        const retrier = retry[r];
        const override = options.runOptions?.overrides?.retryIntervalOverrides?.[stateName];
        const overridden = typeof override === "number" ? override : Array.isArray(override) && override[r] !== undefined && override[r] >= 0 ? override[r] : undefined;
        const wait = retryDelayMs(retrier, attempts[r], overridden);
        attempts[r]++;
        options.eventLogger.dispatchStateFailedEvent(stateName, type, rawInput, error);
        await hooks.wait(wait, options.abortSignal);
        if (options.abortSignal?.aborted) throw new ServiceTaskFailure("States.Runtime", `The state '${stateName}' was not run again: its run was aborted.`);
        options.eventLogger.dispatchStateRetriedEvent(stateName, type, rawInput, retrier, attempts[r]);
        continue;
      }
      const catcher = error.isCatchable === false ? undefined : catchers.find((candidate) => takes(candidate.ErrorEquals, error, type));
      if (!catcher) throw error;
      // The failure is reported before the Catcher's Output and Assign are evaluated: where one of them fails, its
      // EvaluationFailed follows the failure it was catching (a TaskFailed, an EvaluationFailed), which stays in the
      // history. AWS's record of a Catcher whose expression fails is not known (none in LocalStack's snapshots).
      options.eventLogger.dispatchStateFailedEvent(stateName, type, rawInput, error);
      const errorOutput = { Error: error.name, Cause: error.message };
      const caught = { variables, states: { ...states, errorOutput } };
      read.add(caught.states);
      const stateResult = "Output" in catcher ? await evaluateField(catcher.Output, "Output", caught) : errorOutput;
      const assigned = await jsonataAssigned(catcher.Assign, caught);
      options.eventLogger.dispatchStateCaughtEvent(stateName, type, rawInput, catcher);
      local.j = assigned;
      return { stateResult, nextState: catcher.Next, isEndState: false };
    }
  }
}

/** Text naming a variable as the definition wrote it (`$name`), not as variableReads rewrote it. */
const readableVariables = (text: string) => text.split(VARIABLES_PATH).join("$");

/**
 * A run within's outcome, settled only once its Map or Parallel has forwarded every event of the run to its own run's
 * logger. The library forwards them after the fact, reading the run's event log in a loop nobody awaits
 * (MapStateAction and ParallelStateAction forwardEventsToRootEventLogger), one event per turn of that loop, and settles
 * the Map or Parallel on its runs' outcomes alone. Left so, the events of a Map within an iteration, forwarded twice,
 * reach the execution's log after those of the next iteration (which starts on this one's outcome), and after the
 * execution's log closed (its success closes it) the last iteration's outcome is dropped. Settled once forwarded, each
 * run's events are in its parent's log before its outcome lets the parent go on, at every depth, so the execution's
 * log has every event of a run before anything that run's outcome led to (AWS's order: LocalStack's AWS-recorded
 * test_map_state_nested). The run's logger is closed as its loop ends (its success, failure or abort closes it), so
 * the forwarding ends; its end is the end of the log the library reads (getEvents, read by the library right after
 * execute returns), whether the log was read to its end or the reading stopped.
 */
function settledOnceForwarded(logger: LibraryRunLogger, settled: Promise<unknown>): Promise<unknown> {
  const forwarded = withResolvers.call(Promise);
  hookLogger(logger, "getEvents", async function* (events) {
    try {
      yield* events(logger);
    } finally {
      forwarded.resolve(undefined);
    }
  });
  return settled.then(
    (output) => forwarded.promise.then(() => output),
    (error: unknown) => forwarded.promise.then(() => Promise.reject(error)),
  );
}

/**
 * `logger` dispatching through `dispatch`: the library's own event builders, called on it, build their event as
 * they do and hand it to `dispatch` (which names the run it is of). Closing it closes the logger itself (a run's
 * success and failure close it).
 */
function dispatchingThrough(logger: LibraryRunLogger, dispatch: (event: LibraryEvent) => void): LibraryRunLogger {
  return Object.create(logger, { dispatch: { value: dispatch }, close: { value: () => logger.close() } }) as LibraryRunLogger;
}

/**
 * Every state's output as it leaves, and the input a Map iteration or Parallel branch (a run `within`) starts with as
 * its first state enters (after the ItemSelector or the Parallel's Parameters), within the quota ("This quota affects
 * … state or execution output, and input data when … entering a state", service-quotas.html), else the execution fails
 * with States.DataLimitExceeded (dataLimitExceeded, terminal: the local model, which LocalStack's has too, its size
 * check past the state's Catch; not confirmed against AWS). Not measured again: an output that is the state's input as
 * it entered (a pass-through state: the library returns the same value), a Task's result or a token's output left as
 * the output (boundedData), a Map's results written to S3 (writesResults); nor a state's input other than a run
 * within's first: it is the output the state before left with, or the execution's input (bounded as sent by
 * StartExecution).
 *
 * Measured by the run's logger (instrumentRuns), whose dispatchStateEnteredEvent and dispatchStateExitedEvent are
 * called by the run's own loop only (after the state's ResultSelector, ResultPath and OutputPath, within the loop's
 * try: a throw fails the run, past the state's Retry and Catch), never for the events of runs within the library
 * forwards to a parent (through dispatch, in a loop nobody awaits, where a throw would end the process). An exit (or
 * entry) over the quota is not reported. A logger closed (the run stopped or timed out) reports nothing more, and
 * measures nothing. Data JSON cannot hold (a BigInt) is left as it is (the history then leaves its event out).
 * Answers the item count of the Map state that entered last (mapItemCount, read once per entry: its MapStateStarted's
 * length, and a tolerating Map's total, toleranceAt), until a state exits.
 */
function measureStateData(logger: LibraryRunLogger, own: (event: LibraryEvent, json?: string, length?: number) => void, states: Definition["States"], within: boolean, context: unknown): { itemCount(): number | undefined } {
  // The output the last state left with (the next state's input), and the input the state under way entered with.
  let left: Serialised | undefined;
  let entered: Serialised | undefined;
  // The library's own builders report the event as the run's (`own`), with its data's JSON and a Map's item count.
  let reported: Serialised | undefined;
  let length: number | undefined;
  const reporter = dispatchingThrough(logger, (event) => own(event, reported && "json" in reported ? reported.json : undefined, length));
  hookLogger(logger, "dispatchStateEnteredEvent", (enter, name, type, input) => {
    if (logger.isLoggerClosed) return;
    const data = left && left.value === input ? left : serialised(input);
    // The first state of the root run enters with the execution's input, bounded as sent.
    if (data !== left && within && overQuota(data)) throw dataLimitExceeded(name, "input", true);
    entered = data;
    reported = data;
    length = type === "Map" ? mapItemCount(states[name], input, context) : undefined;
    enter(reporter, name, type, input);
  });
  hookLogger(logger, "dispatchStateExitedEvent", (exit, name, type, input, output) => {
    if (logger.isLoggerClosed) return;
    const bounded = output === input ? entered : typeof output === "object" && output !== null ? boundedData.get(output) : undefined;
    const data = bounded ?? serialised(output);
    if (bounded === undefined && !writesResults(states[name]) && overQuota(data)) throw dataLimitExceeded(name, "result", true);
    left = data;
    reported = data;
    length = undefined;
    exit(reporter, name, type, input, output);
  });
  return { itemCount: () => length };
}

/** One of aws-local-stepfunctions 3.0.0's intrinsic functions (its BaseIntrinsicFunction subclasses). */
interface IntrinsicFunction {
  funcDefinition: { name: string };
  execute(...args: unknown[]): unknown;
  /** Its arguments as the library split them from the invocation: a quoted literal, a path, a JSON value. */
  call(input: unknown, context: unknown, ...args: string[]): unknown;
}

/** Marks the library's intrinsic functions as read as AWS reads them (readIntrinsicLiteralsAsAws), for every copy of this module. */
const AWS_LITERALS = Symbol.for("local Step Functions intrinsic literals");
/** A function name no definition has, which the probe below answers to. */
const INTRINSIC_PROBE = "States.LocalRuntimeProbe";

/**
 * Has aws-local-stepfunctions 3.0.0's intrinsic functions read their quoted literal arguments, and return their
 * results, as AWS does. The library keeps a literal's escapes as written and removes every backslash from every string
 * a function returns (BaseIntrinsicFunction.call: how it unescapes States.Format's template once its `{}` are found),
 * so a backslash that a path selected, or that JSON needs, is lost: States.JsonToString of a string holding `"` or `\`
 * gives invalid JSON, in States.Format too. AWS reads `\'`, `\{`, `\}` and `\\` in a literal as `'`, `{`, `}` and `\`
 * ("Reserved characters in intrinsic functions", the AWS Step Functions developer guide's intrinsic functions page),
 * and no other escape: it refuses a definition with one (InvalidDefinition: LocalStack's AWS-recorded
 * test_illegal_escapes), which locally fails the execution with States.Runtime. So each function is handed its
 * literal arguments unescaped (States.Format its template's `{}` and escapes told apart), and its result is what it
 * returned. The library exports none of this: its function table is the plain object its evaluator indexes by the
 * name in the invocation, which a getter on Object.prototype, there for one synchronous probe run only, reads (the
 * library evaluates a first Pass state's Parameters before it first awaits). States.MathAdd rounds its arguments first,
 * as AWS does; States.StringToJson reads an empty or blank string as null, as AWS does. Pinned (package.json; sfn-server.test.ts
 * fails on another version): on an upgrade, re-check BaseIntrinsicFunction.call, parseArguments, StatesFormat and
 * evaluateIntrinsicFunction.
 */
function readIntrinsicLiteralsAsAws(loaded: Library): void {
  let table: Record<string, IntrinsicFunction> | undefined;
  Object.defineProperty(Object.prototype, INTRINSIC_PROBE, {
    configurable: true,
    get(this: Record<string, IntrinsicFunction>) {
      table = this;
      return { call: () => null };
    },
  });
  try {
    const probe = new loaded.StateMachine({ StartAt: "P", States: { P: { Type: "Pass", Parameters: { "probe.$": `${INTRINSIC_PROBE}()` }, End: true } } } as never, { validationOptions: { noValidate: true } });
    probe.run({} as never).result.catch(() => {});
  } finally {
    delete (Object.prototype as Record<string, unknown>)[INTRINSIC_PROBE];
  }
  const format = table?.["States.Format"];
  const base = format && (Object.getPrototypeOf(Object.getPrototypeOf(format)) as IntrinsicFunction & { [AWS_LITERALS]?: true });
  if (!format || typeof base?.call !== "function") throw new Error("aws-local-stepfunctions' intrinsic functions are not where 3.0.0 has them: re-check readIntrinsicLiteralsAsAws (local/sfn-server.ts).");
  if (base[AWS_LITERALS]) return;
  base[AWS_LITERALS] = true;
  // The library's States.Runtime (StatesRuntimeError, not exported), which no Retry or Catch takes: a template's
  // placeholders and arguments that do not match throw it.
  let runtimeError: (new (message: string) => Error) | undefined;
  try {
    format.execute("{}");
  } catch (error) {
    runtimeError = (error as Error).constructor as typeof runtimeError;
  }
  if (runtimeError?.name !== "StatesRuntimeError") throw new Error("aws-local-stepfunctions' States.Format does not throw its StatesRuntimeError on a missing argument as 3.0.0 does: re-check readIntrinsicLiteralsAsAws (local/sfn-server.ts).");
  /** The character `\` escapes at `at` in a literal argument of `fn`. */
  const escaped = (text: string, at: number, fn: IntrinsicFunction): string => {
    const char = text[at + 1];
    if (char !== undefined && "'{}\\".includes(char)) return char;
    throw new runtimeError(`The intrinsic function ${fn.funcDefinition.name} has an argument '${text}' with an escape of ${char === undefined ? "nothing" : `'${char}'`}: only \\', \\{, \\} and \\\\ are escapes in a quoted argument (AWS refuses such a definition).`);
  };
  const unescaped = (text: string, fn: IntrinsicFunction): string => {
    let out = "";
    for (let at = 0; at < text.length; at++) out += text[at] === "\\" ? escaped(text, at++, fn) : text[at];
    return out;
  };
  /** States.Format: each `{}` of the template (a literal's escaped braces are none) replaced by its argument, as the library renders it. */
  const formatted = ([template, ...values]: unknown[], literal: boolean): string => {
    const text = template as string;
    const pieces = [""];
    for (let at = 0; at < text.length; at++) {
      if (literal && text[at] === "\\") pieces[pieces.length - 1] += escaped(text, at++, format);
      else if (!text.startsWith("{}", at)) pieces[pieces.length - 1] += text[at];
      else {
        pieces.push("");
        at++;
      }
    }
    if (pieces.length - 1 !== values.length) throw new runtimeError(`Number of arguments in ${format.funcDefinition.name} do not match the occurrences of {}`);
    return pieces.reduce((out, piece, i) => out + String(values[i - 1]) + piece);
  };
  // States.MathAdd adds its arguments each rounded to the nearest integer ("If you specify a non-integer value for one or
  // both the arguments, Step Functions will round it off to the nearest integer": the intrinsic functions page), a half
  // up and, below 0, toward 0 (Java's rounding, which Math.round is: LocalStack's AWS-recorded test_math_add, where
  // -1.5 + -1.51 is -3); the library adds them as they are, so a check that adding 0 leaves a figure whole passes 2.5.
  const mathAdd = table!["States.MathAdd"];
  if (typeof mathAdd?.execute !== "function") throw new Error("aws-local-stepfunctions' States.MathAdd is not where 3.0.0 has it: re-check readIntrinsicLiteralsAsAws (local/sfn-server.ts).");
  // States.StringToJson of an empty or blank string is null (LocalStack's AWS-recorded test_string_to_json,
  // test_json_manipulation.snapshot.json: "" and " " give null; other JSON white space is taken as blank too, not
  // confirmed); the library's JSON.parse threw, failing the state with a JavaScript "SyntaxError".
  const stringToJson = table!["States.StringToJson"];
  if (typeof stringToJson?.execute !== "function") throw new Error("aws-local-stepfunctions' States.StringToJson is not where 3.0.0 has it: re-check readIntrinsicLiteralsAsAws (local/sfn-server.ts).");
  const blank = (value: unknown) => typeof value === "string" && /^[ \t\n\r]*$/.test(value);
  const libraryCall = base.call;
  base.call = function (this: IntrinsicFunction, input, context, ...args) {
    // The library's own call (its parsing and checks of the arguments), its execute handed the literals unescaped.
    const literal = args.map((arg) => arg[0] === "'");
    let result: unknown;
    const execute = (...parsed: unknown[]) => {
      if (this === format) result = formatted(parsed, literal[0]);
      else if (this === mathAdd) result = this.execute(...parsed.map((value) => Math.round(value as number)));
      else {
        const values = parsed.map((value, i) => (literal[i] ? unescaped(value as string, this) : value));
        result = this === stringToJson && blank(values[0]) ? null : this.execute(...values);
      }
    };
    libraryCall.call(Object.create(this, { execute: { value: execute } }) as IntrinsicFunction, input, context, ...args);
    return result;
  };
}

/**
 * A function's failure as Step Functions reports a Lambda task's: the errorType as the Error (so Retry and Catch on it,
 * or on States.TaskFailed, match), and as the Cause the function's error payload, `{"errorType","errorMessage","trace"}`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html; the Node.js runtime's payload).
 */
function functionFailure(error: unknown): ServiceTaskFailure {
  const { errorType, message, errorStack, functionName } = error as { errorType?: unknown; message?: unknown; errorStack?: unknown; functionName?: unknown };
  const type = typeof errorType === "string" ? errorType : "Error";
  // LambdaInvokeError's message is "<function>: <errorType>: <errorMessage>"; the payload carries the handler's own.
  const text = typeof message === "string" ? message : String(error);
  const prefix = `${String(functionName)}: ${type}: `;
  const errorMessage = text.startsWith(prefix) ? text.slice(prefix.length) : text;
  const trace = typeof errorStack === "string" ? errorStack.split("\n") : [];
  return new ServiceTaskFailure(type, JSON.stringify({ errorType: type, errorMessage, trace }), { terminal: false });
}

/**
 * The workflow's function a Task's Resource names by its ARN, read as Invoke reads a FunctionName (invokeTarget, so a
 * qualified ARN runs as lambda:invoke with that Qualifier does), and only a full ARN: a name or partial ARN is no
 * Resource. `target` is undefined for one of the function's ARNs with more after it that Invoke reads as no ARN
 * (`…:function:f:a:b`, `…:function:f:v.1`), which taskHandler refuses with the definition.
 */
function directFunction(machine: LocalStateMachineDefinition, resource: unknown): { run: TaskFunction; target?: InvokeTarget } | undefined {
  if (typeof resource !== "string") return undefined;
  const [, partition, , region, account] = machine.arn.split(":");
  const target = invokeTarget(resource, undefined, { partition, region, account });
  if (target) {
    const run = resource.startsWith(target.unqualifiedArn) ? machine.functions.get(target.unqualifiedArn) : undefined;
    return run && { run, target };
  }
  const arn = [...machine.functions.keys()].find((known) => resource.startsWith(`${known}:`));
  return arn === undefined ? undefined : { run: machine.functions.get(arn)! };
}

/** The execution a Task runs in. */
export interface TaskExecution {
  arn: string;
  /** Its callback Tasks' tokens (absent: the Task cannot wait for one). */
  callbacks?: ExecutionCallbacks;
  /** The history events of this run of the Task (absent: none are recorded: TaskJournal). */
  attempt?: TaskAttempt;
  /** The context object (`$$`) a callback Task reads its `$$` limit paths against (readLimitPaths). */
  context?: unknown;
}

/**
 * The timers the runtime waits on (tests fire them by hand, or move them on): callback Tasks' TimeoutSeconds and
 * HeartbeatSeconds, other Tasks' TimeoutSeconds (but a JSONPath TimeoutSecondsPath's), the Retry intervals of
 * Task states and of every JSONata state (LocalRun.clockRetries, timeLimits), and every Wait state (waitInPieces).
 * Node's by default.
 */
export interface TaskClock {
  setTimeout(fire: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const NODE_CLOCK: TaskClock = { setTimeout: (fire, ms) => setTimeout(fire, ms), clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>) };

/** A callback Task's wait: settled by SendTaskSuccess / SendTaskFailure, its timeouts, or the execution's end. */
interface Waiter {
  outcome: Promise<unknown>;
  succeed(output: unknown): void;
  fail(failure: Error): void;
  heartbeat(): void;
}

/**
 * The task tokens of the callback Tasks (`.waitForTaskToken`), for every execution of the server. A token is
 * `<state machine ARN and a nonce, base64url>.<HMAC>` under a key of this server: one it never issued is told from one
 * whose Task closed without remembering closed Tasks (AWS's InvalidToken "Invalid Token: 'Invalid token'" for the
 * first, as LocalStack's snapshot recorded against AWS, test_aws_sdk_task_service test_sfn_send_task_outcome_with_no_such_token;
 * TaskTimedOut "Task Timed Out: 'Provided task does not exist anymore'" for the second, as AWS answers a token whose
 * Task timed out, andybalham/blog-task-tokens; API_SendTaskSuccess: "The task token has either expired or the task
 * associated with the token has already been closed"), and it names the state machine IAM evaluates the call on.
 */
class TaskTokens {
  private readonly key = randomBytes(32);
  private readonly waiting = new Map<string, Waiter>();

  constructor(private readonly clock: TaskClock) {}

  mint(machineArn: string): string {
    const body = Buffer.from(JSON.stringify([machineArn, randomUUID()])).toString("base64url");
    return `${body}.${this.sign(body)}`;
  }

  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }

  /** The state machine whose execution issued `token`; InvalidToken for a token this server did not issue. */
  machineOf(token: string): string {
    const [body, signature, ...rest] = token.split(".");
    const expected = Buffer.from(this.sign(body ?? ""));
    const given = Buffer.from(signature ?? "");
    if (rest.length === 0 && given.length === expected.length && timingSafeEqual(given, expected)) {
      return tokenIssuer(token)!;
    }
    throw new SfnError("InvalidToken", "Invalid Token: 'Invalid token'");
  }

  /**
   * The wait of a Task under way; TaskTimedOut once it closed (succeeded, failed, timed out, or its execution ended);
   * InvalidToken for a token issued in another region than `region`, the request's (ofOtherRegion).
   */
  waiter(token: string, region?: string): Waiter {
    // A waiting token is one this server issued: only a missing one needs its signature read (InvalidToken or TaskTimedOut).
    const waiter = this.waiting.get(token);
    if (waiter && !ofOtherRegion(tokenIssuer(token)!, region)) return waiter;
    if (ofOtherRegion(this.machineOf(token), region)) throw new SfnError("InvalidToken", "Invalid Token: 'Invalid token'");
    throw new SfnError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
  }

  /** Registers a wait for `token`: it times out after `timeoutSeconds`, or `heartbeatSeconds` without a heartbeat. */
  wait(token: string, limits: CallbackLimits, timeout: () => Error, close: () => void): Waiter {
    const { promise, resolve, reject } = withResolvers.call(Promise);
    const timers: { timeout?: unknown; heartbeat?: unknown } = {};
    const settle = (then: () => void) => {
      if (!this.waiting.delete(token)) return;
      this.clock.clearTimeout(timers.timeout);
      this.clock.clearTimeout(timers.heartbeat);
      close();
      then();
    };
    const waiter: Waiter = {
      outcome: promise,
      succeed: (output) => settle(() => resolve(output)),
      fail: (failure) => settle(() => reject(failure)),
      heartbeat: () => {
        if (limits.heartbeatSeconds === undefined) return;
        this.clock.clearTimeout(timers.heartbeat);
        timers.heartbeat = this.clock.setTimeout(() => waiter.fail(timeout()), limits.heartbeatSeconds * 1000);
      },
    };
    this.waiting.set(token, waiter);
    if (limits.timeoutSeconds !== undefined) timers.timeout = this.clock.setTimeout(() => waiter.fail(timeout()), limits.timeoutSeconds * 1000);
    waiter.heartbeat();
    return waiter;
  }
}

/** A callback Task's own limits: TimeoutSeconds and HeartbeatSeconds (as declared; its timers wait at most LONGEST_TIMER_SECONDS). */
interface CallbackLimits {
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

/** `limits` as Node's timers can wait them: the history records the declared ones, as AWS does (TaskScheduled). */
function timerLimits(limits: CallbackLimits): CallbackLimits {
  return Object.fromEntries(Object.entries(limits).map(([field, seconds]) => [field, Math.min(seconds, LONGEST_TIMER_SECONDS)]));
}

/** The context object's `Task` method (not enumerable: no path or JSON sees it) that holds a token read before an await (ExecutionCallbacks.hold). */
const HOLD_TOKEN = Symbol("local Step Functions task token held");
/** A fresh token, not left pending: a JSONata Task's, read before its Arguments' await (runJsonataState). */
const MINT_TOKEN = Symbol("local Step Functions task token minted");

/**
 * One execution's callback Tasks. The context object's `Task` is read by the library when it resolves a state's
 * Parameters (`"token.$": "$$.Task.Token"`, in a path or an intrinsic function alike: every ASL rule is the library's
 * own): reading `Token` mints the token, which the callback Task's handler takes up — the library calls the handler
 * with no await after resolving the Parameters, so no other state's read comes between. A token read by any other
 * state (nothing takes it up by the next microtask) is forgotten: no Task waits on it.
 */
export class ExecutionCallbacks {
  private pending?: string;
  private readonly open = new Set<Waiter>();
  /** The context object's `Task` (`$$.Task`). */
  readonly task: { readonly Token: string };

  constructor(
    private readonly tokens: TaskTokens,
    private readonly machineArn: string,
    private readonly timeout: () => Error,
  ) {
    this.task = Object.defineProperties({}, { Token: { enumerable: true, get: () => this.read() }, [HOLD_TOKEN]: { value: (token: string) => this.hold(token) }, [MINT_TOKEN]: { value: () => this.tokens.mint(this.machineArn) } }) as { readonly Token: string };
  }

  /** `token`, read before an await (a JSONata Task's, runJsonataState), is again the one the next callback Task takes up. */
  private hold(token: string): void {
    this.pending = token;
    queueMicrotask(() => {
      if (this.pending === token) this.pending = undefined;
    });
  }

  private read(): string {
    if (this.pending === undefined) {
      const token = (this.pending = this.tokens.mint(this.machineArn));
      queueMicrotask(() => {
        if (this.pending === token) this.pending = undefined;
      });
    }
    return this.pending;
  }

  /** The wait of the callback Task whose Parameters were just resolved (a fresh token if they named none: AWS still waits). */
  wait(limits: CallbackLimits): Waiter {
    const token = this.pending ?? this.tokens.mint(this.machineArn);
    this.pending = undefined;
    const waiter = this.tokens.wait(token, limits, this.timeout, () => this.open.delete(waiter));
    this.open.add(waiter);
    return waiter;
  }

  /** The execution ended (or was stopped): its Tasks still waiting close, their tokens answer TaskTimedOut, their timers stop. */
  release(): void {
    for (const waiter of [...this.open]) waiter.fail(new ServiceTaskFailure("States.Runtime", "The execution ended while the Task waited for its token."));
  }
}

/** The start of the cause of a JSONata execution on a library that does not run JSONata states as 3.0.0 does. */
const LIBRARY_CHANGED = "aws-local-stepfunctions does not run a JSONata state through the local runtime as 3.0.0 does: re-check jsonataState (local/sfn-server.ts) against the installed version";

/** The machine jsonataSelfTest runs: not itself checked. */
const SELF_TEST_MACHINE: LocalStateMachineDefinition = {
  arn: "arn:aws:states:us-east-1:000000000000:stateMachine:jsonata-self-test",
  name: "jsonata-self-test",
  type: "STANDARD",
  definition: JSON.stringify({ QueryLanguage: "JSONata", StartAt: "P", States: { P: { Type: "Pass", Output: "{% $states.input.n + 1 %}", End: true } } }),
  roleArn: "arn:aws:iam::000000000000:role/jsonata-self-test",
  logLevel: "OFF",
  includeExecutionData: false,
  tracing: false,
  functions: new Map(),
};

/**
 * Whether the installed library runs a JSONata state through runJsonataState (jsonataState), checked once per runtime,
 * before its first JSONata definition runs: a one-state JSONata Pass whose Output only runJsonataState evaluates (the
 * library's own Pass would give its input). Where it does not, JSONata definitions are refused at their executions'
 * start (prepare), and nothing else is: the version pin (sfn-server.test.ts) is the first protection, this the second.
 */
async function jsonataSelfTest(): Promise<void> {
  const sfn = new LocalStepFunctions([SELF_TEST_MACHINE], { retryIntervalMs: 0 });
  const { executionArn } = await sfn.start({ stateMachineArn: SELF_TEST_MACHINE.arn, input: '{"n":1}' }, false);
  await sfn.drained();
  const { status, output, cause } = sfn.describeExecution({ executionArn });
  if (status !== "SUCCEEDED" || output !== "2") throw new Error(`${LIBRARY_CHANGED}: its self-test gave ${status} ${output ?? cause ?? ""}.`);
}

/**
 * aws-local-stepfunctions' StatesTimeoutError, which it does not export: Retry and Catch tell a Task's timeout from
 * its other failures by this class (States.TaskFailed matches every error but States.Timeout), so a callback Task's
 * timeouts must be of it, and so must a Task's time limit's (clockTimeLimit). Taken from a Task the library times out
 * itself (1 ms; validation off, which would refuse the fraction), on the library's timers (Node's global ones): kept
 * once taken, and taken again by the next call while it is not, since a test's fake timers, put back before they fired
 * it, leave a probe pending for good.
 */
let statesTimeoutError: (new () => Error) | undefined;
async function libraryTimeoutError(library: Library): Promise<new () => Error> {
  if (statesTimeoutError) return statesTimeoutError;
  const probe = new library.StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:000000000000:function:probe", TimeoutSeconds: 0.001, End: true } } } as never, { validationOptions: { noValidate: true } });
  const { result } = probe.run({} as never, { overrides: { taskResourceLocalHandlers: { T: () => new Promise(() => {}) } } as never });
  const failure = (await result.then(() => undefined, (error: unknown) => error)) as { cause?: Error } | undefined;
  if (failure?.cause?.name !== "States.Timeout") throw new Error(`aws-local-stepfunctions did not time out a Task as expected (${String(failure?.cause?.name)}): callback Tasks cannot run locally.`);
  return (statesTimeoutError = failure.cause.constructor as new () => Error);
}

/**
 * A Wait for Callback Task: calls its integration as the request-response form does, and waits for its token
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token): its result is
 * SendTaskSuccess' output; SendTaskFailure fails it with that error and cause (Retry and Catch match them); TimeoutSeconds,
 * or HeartbeatSeconds without a SendTaskHeartbeat, fails it with States.Timeout ("If the waiting task doesn't receive
 * a valid task token within that 10 minute period, the task fails with a States.Timeout error name"). A failed call
 * fails the Task with the integration's error, and its token closes.
 *
 * The Task is its wait from the start, not once the call returns: a function handed the token may answer it (or the
 * Task may time out, or the execution stop) while it still runs, and the Task ends then. Waiting for the call first
 * left the wait's rejection unhandled in that window, which ends the process (`npm start`) under Node's default.
 */
function callbackHandler(stateName: string, call: TaskHandler, limits: CallbackLimits, paths?: LimitPaths): TaskHandler {
  return async (input, execution) => {
    const task = paths ? resolvedLimits(stateName, input, limits, paths, execution?.context) : { parameters: input, limits };
    const parameters = taskInputSized(task.parameters, stateName);
    // Taken before anything is awaited: the token the library's Parameters just read (ExecutionCallbacks).
    const waiter = execution?.callbacks?.wait(timerLimits(task.limits));
    if (!waiter) throw new ServiceTaskFailure("States.Runtime", "A callback Task ran outside an execution: it has no task token.");
    execution?.attempt?.scheduled(parameters, task.limits);
    // A call that fails once the Task has ended changes nothing: fail() on a closed wait does nothing. Neither step
    // throws (submitted() records safely; fail() takes any reason), so this chain, whose result nobody awaits, cannot
    // leave an unhandled rejection.
    call(task.parameters, execution).then(
      (output) => execution?.attempt?.submitted(output),
      (error: unknown) => waiter.fail(error as Error),
    );
    return waiter.outcome;
  };
}

/** A Task's local handler; `execution` absent (a caller of localRun's handlers outside a run): the execution's ARN is unknown. */
type TaskHandler = (input: unknown, execution?: TaskExecution) => Promise<unknown>;

export interface LocalRun {
  definition: Definition;
  /** Each Task state's local handler, by state name (the library's, once bound to an execution). */
  handlers: Record<string, TaskHandler>;
  /** The states with a Retry. */
  retried: string[];
  /**
   * The JSONPath Task states with a Retry: the library waits none of their intervals (overridden to 0), each is waited
   * on the runtime's clock before the attempt it precedes calls its handler (instrumentRuns). A JSONata state's are
   * its own (runJsonataState); a Map's or Parallel's the library's, on Node's timers.
   */
  clockRetries: Set<string>;
  /**
   * The literal TimeoutSeconds of the Task states that are not callback Tasks, timed on the runtime's clock
   * (instrumentRuns; the library's own timer waits the longest it can). A TimeoutSecondsPath is the library's, on
   * Node's timers; a JSONata expression's is timed by runJsonataState; a callback Task's are its token's wait's.
   */
  timeLimits: Map<string, number>;
  /** The Wait for Callback Task states (`.waitForTaskToken`). */
  callbacks: Set<string>;
  /** The Fail states, which run as Tasks (failStateAsTask): their history events are still a Fail state's. */
  failStates: Set<string>;
  /** The Task states whose scheduling and outcome the history records (TaskJournal), by state name. */
  tasks: Map<string, TaskRecord>;
  /**
   * What a Task state's States.DataLimitExceeded cause names (taskResultSized), by state name; a callback Task has none:
   * SendTaskSuccess already refused an output over the quota as sent, and its result is that output.
   */
  resultNames: Map<string, string>;
  /**
   * Present only for a definition that uses workflow variables (an Assign anywhere, a `$name` read): its runs alone
   * take the local runtime's variable paths (runVariables, trackVariables), so a definition without variables runs,
   * and reads `$$`, exactly as before they were run.
   */
  variables?: VariableUse;
}

/** How a definition uses workflow variables, as its runs need to know it. */
interface VariableUse {
  /** The Task states whose Assign reads their result (`$`), whose results are kept for it. */
  resultsRead: ReadonlySet<string>;
}

/**
 * What a Task's history events name: a Task whose Resource is a function's ARN has Lambda events
 * (LambdaFunctionScheduled with `resource` the ARN; API_LambdaFunctionScheduledEventDetails), an optimized integration
 * Task events whose `resourceType` and `resource` split its Resource after `arn:<partition>:states:::` (`sqs`,
 * `sendMessage.waitForTaskToken`: LocalStack's AWS-recorded test_heartbeats; `lambda`, `invoke`); an AWS SDK
 * integration's `aws-sdk:<service>` and its action.
 */
export interface TaskRecord {
  /** The function's ARN, for a Task that invokes it directly. */
  lambda?: string;
  resourceType: string;
  resource: string;
  /** The state's TimeoutSeconds (a callback Task's handler records its own limits). */
  timeoutSeconds?: number;
  callback: boolean;
  /** Its handler may be called after an await (TaskJournal.place): a JSONata Task's, a retried JSONPath Task's (its Retry interval: LocalRun.clockRetries). */
  calledLate?: true;
}

/**
 * How a definition runs locally: its Task states' local handlers (by state name, as the library takes them), every
 * timeout at most LONGEST_TIMER_SECONDS (Task states without one get that, AWS's default being longer; a callback
 * Task's own are its handler's), an EXPRESS machine's whole run at most 5 minutes, and its Fail states as Tasks
 * (failStateAsTask).
 */
export function localRun(machine: LocalStateMachineDefinition, log: (message: string) => void): LocalRun {
  const definition = JSON.parse(machine.definition) as Definition;
  const handlers: Record<string, TaskHandler> = {};
  const resources = new Map<string, unknown>();
  const retried: string[] = [];
  const clockRetries = new Set<string>();
  const timeLimits = new Map<string, number>();
  const callbacks = new Set<string>();
  const failStates = new Set<string>();
  const tasks = new Map<string, TaskRecord>();
  const resultNames = new Map<string, string>();
  let usesVariables = false;
  const resultsRead = new Set<string>();
  for (const { name, state } of definitionStates(definition)) {
    // A JSONata state runs as runJsonataState runs it: none of the JSONPath rewrites below are its. Its variables are
    // the run's, which JSONPath states of the definition read too.
    const jsonata = (state.QueryLanguage ?? definition.QueryLanguage) === "JSONata";
    const reads = !jsonata && variableReads(state);
    if (jsonata || reads || assigns(state)) usesVariables = true;
    if (!jsonata && state.Type === "Task" && readsResult(state.Assign)) resultsRead.add(name);
    if (!jsonata) {
      typeTestsNegated(state);
      choiceRulesTold(state);
      wholeResultPathsDropped(state);
      if (state.Type === "Pass") falsyResultRead(state);
      if (state.Type === "Map" && (state.ItemBatcher !== undefined || distributedProcessor(state))) routedMap(state);
      routedWait(state);
    }
    if (Array.isArray(state.Retry)) retried.push(name);
    if (state.Type === "Parallel") ownBranchesPerStart(state);
    if (state.Type === "Fail" && !jsonata) {
      failStateAsTask(state);
      failStates.add(name);
    }
    if (jsonata) jsonataState(state);
    if (state.Type !== "Task") continue;
    const callback = callbackTaskResource(state.Resource);
    // A callback Task keeps its TimeoutSeconds and HeartbeatSeconds, literal or by path, to itself: its wait for the
    // token times out, and the token closes with it. The library's own timer then stays out of the way.
    const limits: CallbackLimits = {
      ...(typeof state.TimeoutSeconds === "number" ? { timeoutSeconds: state.TimeoutSeconds } : {}),
      ...(typeof state.HeartbeatSeconds === "number" ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
    };
    const paths = callback ? (jsonata ? jsonataLimits(state) : limitPathsAsParameters(state)) : undefined;
    if (typeof state.TimeoutSeconds === "number" && !callback) timeLimits.set(name, state.TimeoutSeconds);
    if (state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = LONGEST_TIMER_SECONDS;
    if (!jsonata && Array.isArray(state.Retry)) clockRetries.add(name);
    const resource = state.Resource;
    if (resources.has(name) && resources.get(name) !== resource) {
      // The library names a Task's handler by its state's name only: two Tasks of one name cannot be told apart.
      tasks.delete(name);
      handlers[name] = async () => {
        throw new ServiceTaskFailure("States.Runtime", `The local runtime cannot tell apart the Task states named '${name}' in ${machine.name}: give them distinct names.`);
      };
      continue;
    }
    resources.set(name, resource);
    if (resource === FAIL_STATE_RESOURCE) {
      handlers[name] = failStateHandler(name);
      continue;
    }
    const direct = directFunction(machine, resource) !== undefined;
    const sdk = localSdkTask(resource);
    // The integration of any partition (arn:aws-cn:, arn:aws-us-gov: as arn:aws:), its callback form's too.
    const integration = optimizedIntegration(callback ?? resource)?.integration;
    const runs = callback !== undefined || integration?.kind === "LambdaFunction" || ((localServiceTask(resource) ?? sdk) !== undefined && machine.serviceTasks !== undefined);
    // An optimized integration's events name its service and its API, with the pattern (`sqs`,
    // `sendMessage.waitForTaskToken`); an AWS SDK integration's `aws-sdk:<service>` and the action (LocalStack's
    // AWS-recorded test_aws_sdk.snapshot.json: resourceType "aws-sdk:secretsmanager", resource "createSecret").
    const sdkResource = sdk ? taskResource(resource) : undefined;
    const [resourceType, action] = direct ? ["lambda", ""] : sdkResource ? [`aws-sdk:${sdkResource.service}`, sdkResource.action] : integration ? integration.api.split(":") : [String(resource), ""];
    // A function's Task names its ARN, lambda:invoke `lambda` (LocalStack's AWS-recorded test_states_errors); another
    // integration its resourceType, as LocalStack's service and SDK Tasks do (_verify_size_quota: not AWS-recorded).
    if (!callback) resultNames.set(name, direct ? String(resource) : resourceType);
    if (direct || runs) tasks.set(name, { ...(direct ? { lambda: resource } : {}), resourceType, resource: action + (callback ? ".waitForTaskToken" : ""), ...(limits.timeoutSeconds !== undefined ? { timeoutSeconds: limits.timeoutSeconds } : {}), callback: callback !== undefined, ...(jsonata || clockRetries.has(name) ? { calledLate: true as const } : {}) });
    if (callback) {
      handlers[name] = callbackHandler(name, taskHandler(machine, name, callback, log, state.Credentials !== undefined), limits, paths);
      callbacks.add(name);
      continue;
    }
    handlers[name] = taskHandler(machine, name, resource, log, state.Credentials !== undefined);
  }
  const cap = machine.type === "EXPRESS" ? SFN_LIMITS.expressSeconds : LONGEST_TIMER_SECONDS;
  definition.TimeoutSeconds = Math.min(definition.TimeoutSeconds ?? cap, cap);
  return { definition, handlers, retried, clockRetries, timeLimits, callbacks, failStates, tasks, resultNames, ...(usesVariables ? { variables: { resultsRead } } : {}) };
}

/**
 * A JSONPath state's `"ResultPath": "$"`, and a Catcher's, taken out: "If you don't specify a ResultPath, the default
 * behavior is as if you had specified "ResultPath": "$". The state will replace the entire state input with the
 * result" (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html#input-output-resultpath-default).
 * aws-local-stepfunctions 3.0.0 reads `$` as a field name instead (processResultPath: `"$".replace("$.", "")` is
 * `$`, set on the input as a key), and refuses an input that is no object (0, false, "", null, an array, a string)
 * with States.ResultPathMatchFailure; without the field it takes the result whole, whatever it is, as AWS does.
 */
function wholeResultPathsDropped(state: Record<string, unknown>): void {
  for (const holder of [state, ...(Array.isArray(state.Catch) ? (state.Catch as unknown[]) : [])]) {
    if (typeof holder === "object" && holder !== null && (holder as Record<string, unknown>).ResultPath === "$") delete (holder as Record<string, unknown>).ResultPath;
  }
}

/** The JSONPath Pass states whose Result is 0, false, "" or null (falsyResultRead). */
const falsyResults = new WeakSet<object>();
/** The one of them whose entry the run's logger just reported (instrumentRuns), until its Pass action reads its Result. */
let falsyResultArmed: object | undefined;

/**
 * A JSONPath Pass state's Result of 0, false, "" or null made its result, in place. "Result (Optional): Refers to the
 * output of a virtual task that is passed on to the next state" (https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html),
 * and a state's result is any JSON value. aws-local-stepfunctions 3.0.0 passes the state's input on instead
 * (PassStateAction.execute: `if (this.stateDefinition.Result) … else input`), synchronously after it reports the
 * state's entry (StateMachine.execute, StateExecutor.execute: processInput reads no Result). The entry arms the state
 * (instrumentRuns), and its Result then reads `true` once, the library's test, then the value for its result; every
 * other read (trackVariables' for an Assign) is the value. Pinned with the library (package.json); on an upgrade,
 * re-check PassStateAction.execute (tests/local/sfn-server.test.ts fails if it no longer reads Result so).
 */
function falsyResultRead(state: Record<string, unknown>): void {
  if (!("Result" in state) || state.Result) return;
  const value = state.Result;
  falsyResults.add(state);
  Object.defineProperty(state, "Result", {
    enumerable: true,
    get() {
      if (falsyResultArmed !== state) return value;
      falsyResultArmed = undefined;
      return true;
    },
  });
}

/** A value with its JSON (`null` for undefined, as the history records it), or the error JSON gave (a BigInt). */
type Serialised = { value: unknown; json: string } | { value: unknown; error: unknown };

function serialised(value: unknown): Serialised {
  try {
    return { value, json: JSON.stringify(value ?? null) };
  } catch (error) {
    return { value, error };
  }
}

/**
 * States.DataLimitExceeded for data of `name` (a state, or a Task's resource) over the quota: its `result` (a Task's,
 * a state's output) with AWS's cause, as LocalStack's tests recorded it against AWS for a function's Task, lambda:invoke
 * (cause naming `lambda`) and a Pass state's Result (test_states_errors.snapshot.json test_start_large_input: the state's
 * name); an `input` (a Task's effective input, a state's input as it enters) with the local runtime's cause, in the
 * same words: AWS's is not recorded. `terminal`: no Retry or Catch takes it, not even one naming the error (the local
 * model for a state's data, measureStateData and taskInputSized: AWS's error page says only that States.ALL cannot
 * catch it; whether a Catch naming it takes a state's output or input over the quota in AWS is not recorded).
 */
function dataLimitExceeded(name: string, data: "result" | "input", terminal: boolean): ServiceTaskFailure {
  const what = data === "result" ? "returned a result" : "received an input";
  return new ServiceTaskFailure("States.DataLimitExceeded", `The state/task '${name}' ${what} with a size exceeding the maximum number of bytes service limit.`, { terminal });
}

/**
 * A Task's effective input (after InputPath and Parameters), serialised once (its TaskScheduled event records the same
 * JSON), within the quota ("input data when scheduling a task", service-quotas.html; "the input of a state is larger
 * than payload size quota, after Parameters processing", concepts-error-handling.html), else the execution fails with
 * States.DataLimitExceeded, terminal as for every state's data (measureStateData): the Task is not run, and has no
 * events of its own. Terminal, and these events, are the local model: nothing recorded against AWS shows what a Catch
 * naming the error does with a Task's input over the quota (LocalStack does not measure it), nor what AWS records.
 */
function taskInputSized(input: unknown, stateName: string): Serialised {
  const data = serialised(input);
  if (overQuota(data)) throw dataLimitExceeded(stateName, "input", true);
  return data;
}

/**
 * A Task's result within Step Functions' quota ("Maximum input or output size for a task, state, or execution:
 * 256 KiB", service-quotas.html; 262144 bytes of JSON), else States.DataLimitExceeded ("the output of a connector is
 * larger than payload size quota", concepts-error-handling.html) with AWS's cause (dataLimitExceeded), as LocalStack's
 * tests recorded it against AWS for a function's Task and lambda:invoke (test_states_errors.snapshot.json): a
 * TaskFailed (a function's LambdaFunctionFailed) that a Catch on the error, or on States.ALL, takes — though the error
 * page calls it terminal. A Retry matching it (by name, States.TaskFailed or States.ALL) retries it as any Task
 * failure: no source says what Retry does with it, and AWS's Catch treats it as an ordinary one (LocalStack retries it
 * too, its Retry and Catch matching errors alike: ErrorEqualsDecl). Serialised once: the history records the same JSON
 * (TaskAttempt.settles). A result JSON cannot hold (a BigInt) is left as it is: the history leaves its outcome out.
 */
function taskResultSized(result: unknown, name: string): Serialised {
  const data = serialised(result);
  if (overQuota(data)) throw dataLimitExceeded(name, "result", false);
  if (typeof result === "object" && result !== null) boundedData.set(result, data);
  return data;
}

const LIMIT_PATHS = ["TimeoutSecondsPath", "HeartbeatSecondsPath"] as const;

/** A callback Task's TimeoutSecondsPath and HeartbeatSecondsPath, as limitPathsAsParameters hands them to its handler. */
interface LimitPaths {
  TimeoutSecondsPath?: string;
  HeartbeatSecondsPath?: string;
  /** The library resolves its `$` paths in the Task's Parameters; false: the handler reads them (readLimitPaths). `$$` paths the handler reads always. */
  inParameters: boolean;
}

/**
 * A callback Task's TimeoutSecondsPath and HeartbeatSecondsPath, taken out of the state, in place, for its handler,
 * which alone knows them (the library's own TimeoutSecondsPath would read the resolved Parameters, not the state's
 * input). AWS reads them "from the state input" (the CDK's Timeout.at; LocalStack's AWS-recorded
 * test_heartbeat_path_timeout reads a field its Parameters leave out); after InputPath, as here, or before it, is not
 * confirmed. A Task with Parameters gets them moved into its Parameters, which the library resolves before it calls
 * the handler (the only input a handler is given): `{"parameters": <the Parameters>, "TimeoutSecondsPath.$": <path>,
 * …}`, each `$` path read from the state's input as the Parameters are. A `$$` path stays the handler's to read
 * (readLimitPaths): the library's context in a Map iteration has the item as `Execution.Input`. A Task without
 * Parameters is handed its effective input as it is, `false`, `0`, `""` and `null` included, and its handler
 * reads the paths. A path that selects nothing fails the execution with States.Runtime, as AWS fails it (LocalStack's
 * AWS-recorded test_invalid_jsonpath[INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH]: ExecutionFailed, States.Runtime "Invalid
 * path … No results for path"); the cause is AWS's (noResultsCause) where the handler reads the path, the library's
 * where it resolves it in the Parameters. Undefined when the state has neither.
 */
function limitPathsAsParameters(state: Record<string, unknown>): LimitPaths | undefined {
  const paths: LimitPaths = { inParameters: state.Parameters !== undefined };
  for (const field of LIMIT_PATHS) {
    if (typeof state[field] === "string") paths[field] = state[field] as string;
    delete state[field];
  }
  if (paths.TimeoutSecondsPath === undefined && paths.HeartbeatSecondsPath === undefined) return undefined;
  // The paths first: the library resolves the keys in order, so a path that selects nothing is the one its error names.
  if (paths.inParameters) state.Parameters = { ...Object.fromEntries(LIMIT_PATHS.filter((field) => paths[field] !== undefined && !paths[field]!.startsWith("$$")).map((field) => [`${field}.$`, paths[field]])), parameters: state.Parameters };
  return paths;
}

/**
 * A JSONata callback Task's TimeoutSeconds and HeartbeatSeconds expressions, as limit paths its handler reads from its
 * input (inParameters): runJsonataState evaluates them and hands their values with the Task's Arguments, as the
 * library hands a JSONPath Task's limit paths' (limitPathsAsParameters). The expression stands for the path in a cause.
 */
function jsonataLimits(state: Record<string, unknown>): LimitPaths | undefined {
  const paths: LimitPaths = { inParameters: true };
  if (isExpression(state.TimeoutSeconds)) paths.TimeoutSecondsPath = state.TimeoutSeconds;
  if (isExpression(state.HeartbeatSeconds)) paths.HeartbeatSecondsPath = state.HeartbeatSeconds;
  return paths.TimeoutSecondsPath === undefined && paths.HeartbeatSecondsPath === undefined ? undefined : paths;
}

/**
 * A callback Task's limit paths its handler reads (limitPathsAsParameters): from its effective `input` (`$…`, a Task
 * without Parameters) or the context object (`$$…`, any Task), with the Jayway reader API Gateway's paths are read with
 * (local/vtl.ts; Step Functions' JSONPath is Jayway's too): a path into `0` or `false` selects nothing, as into any
 * value that is no object. `context` is the one the library resolves Parameters against (LocalStepFunctions.run), but
 * for `Execution.Input`, the execution's input in a Map iteration too, as in AWS (the library gives the iteration's
 * item there).
 */
function readLimitPaths(input: unknown, context: unknown, paths: LimitPaths): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const field of LIMIT_PATHS) {
    const path = paths[field];
    if (path === undefined || (paths.inParameters && !path.startsWith("$$"))) continue;
    const [root, relative] = path.startsWith("$$") ? [context ?? null, path.slice(1)] : [input, path];
    const value = jsonPath(root, relative);
    if (value === undefined) throw new ServiceTaskFailure("States.Runtime", noResultsCause(root, path, relative));
    found[field] = value;
  }
  return found;
}

/**
 * AWS's cause for a reference path that selects nothing, Jayway's PathNotFoundException message after AWS's prefix
 * (LocalStack's AWS-recorded test_base_scenarios: "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path:
 * $['NoSuchTimeoutSecondsPath']" for TimeoutSecondsPath; "Invalid path '$.no.such.result.path' : Missing property in
 * path $['no']" for an OutputPath whose first name is absent, as Jayway's PathToken.handleObjectProperty words a
 * missing name before the last). AWS's leading "An error occurred while executing the state '…' (entered at the event
 * id #…)." is left out: the handler does not know the event's id. Jayway's path is written from `relative`'s names and
 * indexes (`$$` paths as from their `$`: how AWS writes those is not recorded); a path through an index, or into a
 * value that is no object, is "No results" (Jayway words some of those otherwise: not confirmed).
 */
function noResultsCause(root: unknown, path: string, relative: string): string {
  const steps = parseJsonPath(relative).steps;
  const written = steps.map((step) => (step.kind === "name" ? `['${step.name}']` : step.kind === "index" ? `[${step.indexes.join(",")}]` : ""));
  let value = root;
  for (const [at, step] of steps.entries()) {
    if (step.kind !== "name" || typeof value !== "object" || value === null || Array.isArray(value)) break;
    if (!Object.hasOwn(value, step.name)) {
      if (at < steps.length - 1) return `Invalid path '${path}' : Missing property in path $${written.slice(0, at + 1).join("")}`;
      break;
    }
    value = (value as Record<string, unknown>)[step.name];
  }
  return `Invalid path '${path}' : No results for path: $${written.join("")}`;
}

/**
 * A callback Task's limits with those its paths selected (limitPathsAsParameters), as selected, and its own Parameters
 * (or effective input). A value that is not a positive integer (the path "must select a field whose value is a positive
 * integer": the Step Functions Data Science SDK's Task; the CDK's Timeout.at alike) fails the execution with
 * States.Runtime: what AWS fails it with is not documented.
 */
function resolvedLimits(stateName: string, input: unknown, limits: CallbackLimits, paths: LimitPaths, context: unknown): { parameters: unknown; limits: CallbackLimits } {
  const { parameters, ...selected } = { ...(paths.inParameters ? (input as Record<string, unknown>) : { parameters: input }), ...readLimitPaths(input, context, paths) };
  const resolved = { ...limits };
  for (const [field, limit] of [["TimeoutSecondsPath", "timeoutSeconds"], ["HeartbeatSecondsPath", "heartbeatSeconds"]] as const) {
    if (paths[field] === undefined) continue;
    const value = selected[field];
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new ServiceTaskFailure("States.Runtime", `The ${field} '${paths[field]}' of the Task state '${stateName}' selected ${String(JSON.stringify(value)).slice(0, 100)}, not a positive integer.`);
    }
    resolved[limit] = value as number;
  }
  return { parameters, limits: resolved };
}

/** The Resource of a Fail state run as a Task: no AWS resource, so no Task of the definition shares it. */
const FAIL_STATE_RESOURCE = "local:fail-state";

/**
 * A Fail state rewritten, in place, as the Task the local runtime runs instead: its Parameters resolve the Error and
 * Cause (static, or ErrorPath and CausePath: reference paths or intrinsic functions, from the state's input), and
 * failStateHandler fails with them. aws-local-stepfunctions' own Fail state does not do what AWS does: an absent Error
 * is "FailStateError" and an absent Cause "Execution failed because of a Fail state" there, where AWS has none
 * (LocalStack's snapshots recorded against AWS: test_base test_state_fail_empty, test_base_scenarios
 * test_parallel_state_fail), and it reads ErrorPath and CausePath as paths only, where AWS takes "an intrinsic function
 * that returns a string" too (https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html; test_state_fail_intrinsic).
 * The paths are handed on as well, for failStateHandler to name. A Fail state has no Retry or Catch ("only allows the
 * use of Type and Comment fields from the set of common state fields"): the definition is validated as written.
 */
function failStateAsTask(state: Record<string, any>): void {
  const parameters: Record<string, unknown> = {};
  for (const field of ["Error", "Cause"] as const) {
    if (state[field] !== undefined) parameters[field] = state[field];
    if (state[`${field}Path`] !== undefined) Object.assign(parameters, { [`${field}.$`]: state[`${field}Path`], [`${field}Path`]: state[`${field}Path`] });
  }
  for (const field of Object.keys(state)) delete state[field];
  Object.assign(state, { Type: "Task", Resource: FAIL_STATE_RESOURCE, Parameters: parameters, End: true });
}

/**
 * A Fail state's Task (failStateAsTask): fails with the error and cause its Parameters resolved, the absent ones absent
 * (taskFailure). A path that selects no string fails the execution with States.Runtime: "When resolved, the reference
 * path must select a field that contains a string value" (state-fail.html).
 */
function failStateHandler(stateName: string): TaskHandler {
  return async (input) => {
    const { Error: error, ErrorPath, Cause: cause, CausePath } = input as Record<string, unknown>;
    for (const [field, path, value] of [["ErrorPath", ErrorPath, error], ["CausePath", CausePath, cause]] as const) {
      if (path !== undefined && typeof value !== "string") throw new ServiceTaskFailure("States.Runtime", `The ${field} '${String(path)}' of the Fail state '${stateName}' selected ${JSON.stringify(value)}, not a string.`);
    }
    throw taskFailure(error as string | undefined, cause as string | undefined);
  };
}

/**
 * What a Task state does locally: invoke one of the workflow's functions (directly, or through lambda:invoke), run a
 * service integration, or fail saying why not. A Task with `Credentials` (`assumed`) acts in AWS as the role it
 * assumes, which the local runtime does not evaluate: nothing is refused it.
 */
function taskHandler(machine: LocalStateMachineDefinition, stateName: string, resource: unknown, log: (message: string) => void, assumed: boolean): TaskHandler {
  const authorise = assumed ? undefined : machine.authorise;
  /**
   * The role asked about the ARN invoked, qualified when the Task is, before the function runs: a function ARN as the
   * Resource and lambda:invoke alike need lambda:InvokeFunction on it (https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html).
   */
  const authoriseInvoke = (invoked: string): void => {
    const refused = authorise?.("lambda:InvokeFunction", invoked);
    // Lambda's IAM refusal: Lambda.AWSLambdaException, AccessDeniedException with 403 in the cause.
    if (refused) throw deniedTaskFailure("lambda", "lambda:InvokeFunction", invoked, refused);
  };
  const [, partition, , region, account] = machine.arn.split(":");
  const direct = directFunction(machine, resource);
  if (direct) {
    // A qualified function ARN as the Resource (`…:function:f:live`, `…:function:f:1`) runs as lambda:invoke with that
    // Qualifier does (invokedVersion).
    const { run, target } = direct;
    // One of the function's ARNs with more after it (`…:function:f:a:b`, `…:function:f:v.1`) is no function ARN Invoke
    // reads, so no Lambda call could be made: refused with the definition (prepare), not at each run with an invented
    // Lambda answer. Whether AWS refuses it at CreateStateMachine instead is not confirmed.
    if (!target) {
      throw new Error(`The local runtime (npm start) does not run ${machine.name}: state '${stateName}' names the Resource ${String(resource)}, which is no function ARN Lambda's Invoke reads. Name the function's ARN, optionally with one version or alias (…:function:<name>:<qualifier>, the qualifier letters, digits, - and _).`);
    }
    return async (input) => {
      authoriseInvoke(target.arn);
      const version = invokedVersion(machine, target);
      try {
        return await run(input, { qualifier: target.qualifier, version });
      } catch (error) {
        throw functionFailure(error);
      }
    };
  }
  // The optimised integration (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html): Parameters'
  // FunctionName and Payload; the result is Invoke's answer, the function's result under Payload, with the SDK's
  // metadata (ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode).
  if (optimizedIntegration(resource)?.integration.kind === "LambdaFunction") {
    return async (input) => {
      const { FunctionName, Payload, Qualifier } = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown; Qualifier?: unknown };
      // FunctionName and Qualifier read as Invoke reads them (invokeTarget, shared with aws-sdk:lambda:invoke and the
      // local Invoke API): a name, partial ARN or ARN, in the state machine's partition, region and account unless it
      // names its own; IAM is asked about the ARN invoked, qualified when the Task is.
      const target = typeof FunctionName === "string" ? invokeTarget(FunctionName, Qualifier, { partition, region, account }) : undefined;
      if (!target) throw unsupportedTask(machine, stateName, `lambda:invoke of ${String(FunctionName)}, which is no FunctionName Lambda's Invoke reads`);
      // Invoke's refusals before IAM, as the local Invoke API's: a Qualifier outside its pattern (ValidationException,
      // no class of the Java SDK: Lambda.AWSLambdaException, not confirmed), a FunctionName's own qualifier and another.
      const invalid = qualifierInvalid(target.qualifier);
      if (invalid) throw lambdaTaskFailure("ValidationException", invalid, 400);
      if (target.conflict) throw lambdaTaskFailure("InvalidParameterValueException", QUALIFIER_CONFLICT, 400);
      authoriseInvoke(target.arn);
      const fn = machine.functions.get(target.unqualifiedArn);
      if (!fn) {
        // AWS fails it Lambda.ResourceNotFoundException, which a Catch can take (functionNotFound). A function outside
        // the program may exist in AWS: the local runtime runs the workflow's functions only.
        log(`  ${machine.name}: state '${stateName}' invokes ${target.arn}, which is not one of the workflow's functions (${[...machine.functions.keys()].join(", ") || "none"}): it fails Lambda.ResourceNotFoundException`);
        throw lambdaTaskFailure("ResourceNotFoundException", functionNotFound(target), 404);
      }
      const version = invokedVersion(machine, target);
      let result: unknown;
      try {
        result = await fn(Payload, { qualifier: target.qualifier, version });
      } catch (error) {
        throw functionFailure(error);
      }
      const requestId = randomUUID();
      const headers = { "Content-Type": "application/json", "X-Amz-Executed-Version": version, "x-amzn-RequestId": requestId };
      return {
        ExecutedVersion: version,
        Payload: result ?? null,
        ...sdkMetadata(200, headers, requestId),
        StatusCode: 200,
      };
    };
  }
  const api = localServiceTask(resource) ?? localSdkTask(resource);
  if (api && machine.serviceTasks) {
    const run = machine.serviceTasks;
    return (input, execution) =>
      run(api, input, { region, account, executionArn: execution?.arn ?? "", stateMachineArn: machine.arn, ...(authorise ? { authorise } : {}) });
  }
  log(`  ${machine.name}: Task state '${stateName}' (${String(resource)}) is not one the local runtime runs: it fails locally`);
  return async () => {
    throw unsupportedTask(machine, stateName, String(resource));
  };
}

/**
 * The version a Task invoking `target` runs, as the Invoke API runs it (executedVersion); a qualifier the function has
 * not is Lambda's ResourceNotFoundException, which Step Functions names Lambda.ResourceNotFoundException with Lambda's
 * message (functionNotFound). For a direct function-ARN Task, the history event (LambdaFunctionFailed here) and the
 * error are not confirmed: AWS's recording is of lambda:invoke's (TaskFailed).
 */
function invokedVersion(machine: LocalStateMachineDefinition, target: InvokeTarget): string {
  const version = executedVersion(machine.versions?.get(target.unqualifiedArn) ?? UNPUBLISHED, target.qualifier);
  if (version === undefined) throw lambdaTaskFailure("ResourceNotFoundException", functionNotFound(target), 404);
  return version;
}

/** A function of which the program published no version and defines no alias (LocalStateMachineDefinition.versions' default). */
const UNPUBLISHED: FunctionVersions = { version: "$LATEST", aliases: new Map() };

function unsupportedTask(machine: LocalStateMachineDefinition, stateName: string, what: string): ServiceTaskFailure {
  return new ServiceTaskFailure(
    "States.Runtime",
    `The local runtime (npm start) runs Task states that invoke the workflow's LambdaFunctions (as their Resource, or through arn:aws:states:::lambda:invoke) and the optimized integrations ${LOCAL_SERVICE_TASKS.join(", ")} against the local emulators, the AWS SDK integrations (arn:aws:states:::aws-sdk:<service>:<action>, and their .waitForTaskToken forms) of ${LOCAL_SDK_SERVICES.join(", ")}, and the .waitForTaskToken forms of ${LOCAL_CALLBACK_TASKS.join(", ")}; state '${stateName}' of ${machine.name} names ${what}, which it cannot run. See docs/local-vs-aws.md.`,
  );
}

/**
 * Each field of a JSONPath state the library reads as a path or an intrinsic function: a key ending in `.$`
 * (Parameters, ResultSelector, ItemSelector, Assign; at any depth), the state's own fields ending in `Path`
 * (InputPath, OutputPath, ItemsPath, SecondsPath, …; not ResultPath, which names where data goes, and reads no
 * variable), its ItemReader's, ReaderConfig's and ItemBatcher's (MaxItemsPerBatchPath, MaxInputBytesPerBatchPath) and
 * its Choice rules' `Variable` and `…Path` comparators. Elsewhere a string is data (a Pass state's
 * `Result`, a literal `"FilePath": "$HOME"` in Parameters). Nested states (Branches, ItemProcessor) are states of
 * their own (definitionStates).
 */
function forEachPathField(state: Record<string, unknown>, visit: (holder: Record<string, unknown>, key: string, where: string) => void): void {
  // `own`: the fields are the state's, or its Choice rules' (within Choices, And, Or, Not), its ReaderConfig's or ItemBatcher's.
  const walk = (value: unknown, at: string, own: boolean): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${at}[${i}]`, own));
    if (typeof value !== "object" || value === null) return;
    for (const [key, field] of Object.entries(value)) {
      if (at === "" && ["Result", "Branches", "ItemProcessor", "Iterator"].includes(key)) continue;
      const here = at ? `${at}.${key}` : key;
      if (typeof field === "string" && (key.endsWith(".$") || (own && ((key.endsWith("Path") && key !== "ResultPath") || key === "Variable")))) visit(value as Record<string, unknown>, key, here);
      else walk(field, here, own && ["Choices", "And", "Or", "Not", "ItemReader", "ReaderConfig", "ItemBatcher"].includes(key));
    }
  };
  walk(state, "", true);
}

/**
 * A workflow variable's name as a path reads it after its `$`. AWS's naming rules are not confirmed here (only
 * excerpts of its page were at hand): a Unicode identifier is read, and no name is refused locally but the reserved
 * `states` (variablesUnsupported).
 */
const NAME = String.raw`[\p{ID_Start}_]\p{ID_Continue}*`;
/** A variable read that starts a path, or one of an intrinsic function's arguments. */
const PATH_VARIABLE = new RegExp(String.raw`^\$(${NAME})`, "u");
const ARGUMENT_VARIABLE = new RegExp(String.raw`(?<=^|[(,]\s*)\$(${NAME})`, "gu");
/** A path's (or intrinsic function's) quoted text, and what lies between. */
const QUOTED = /('(?:[^'\\]|\\.)*')/;

/** A filter expression's text (`[?(…)]`), and a filter's quoted text (its script takes either quote). */
const FILTER = /\[\?\((.*?)\)\]/gs;
const FILTER_QUOTED = /('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/;
/**
 * A variable read as a filter operand: a `$limit` that starts a value. Not `$.`, `$[`, `$$` (no name follows the
 * `$`), nor a `$`-named member (`@.$type`, `@.a.$b`, `@[0].$c`), which the script reads from the item.
 */
const FILTER_VARIABLE = new RegExp(String.raw`(?<![\p{ID_Continue}$@.\]])\$(${NAME})`, "u");

/**
 * The variable a path's filter expression reads (`$.items[?(@.x == $limit)]`: `limit`), outside its quoted text;
 * undefined for none. The library's JSONPath evaluates a filter as a script, where `$limit` is no variable, so it fails
 * at run time: the definition is refused before it runs (variablesUnsupported). Whether AWS reads a variable in a
 * filter is not confirmed (workflow-variables.html shows none there).
 */
function filterVariable(text: string): string | undefined {
  const unquoted = text.split(FILTER_QUOTED).filter((_, i) => i % 2 === 0).join("''");
  for (const [, body] of unquoted.matchAll(FILTER)) {
    const read = FILTER_VARIABLE.exec(body);
    if (read) return read[1];
  }
  return undefined;
}

/**
 * The variables a path or intrinsic function reads (`$name`, `$name.a`, `$name[0]`): a `$name` that starts the path,
 * or one of an intrinsic function's arguments, outside its quoted text (`'$5'` is text). A `$` within a path
 * (`$.a.$b`, `$["$b"]`) is no variable's; a filter's `$max` is refused before the run (filterVariable). Each read's `$` is replaced by what `read` gives for it.
 */
function variableTokens(text: string, read: (name: string) => string): string {
  const start = text.startsWith("States.") ? ARGUMENT_VARIABLE : PATH_VARIABLE;
  return text
    .split(QUOTED)
    .map((part, i) => (i % 2 === 0 ? part.replace(start, (_, name: string) => read(name)) : part))
    .join("");
}

/** The first variable `path` reads (`$name`), if any. */
function variableRead(path: string): string | undefined {
  let first: string | undefined;
  variableTokens(path, (name) => (first ??= `$${name}`));
  return first;
}

/**
 * `state`'s variable reads (in its fields that hold paths: forEachPathField) as the context paths the library
 * resolves against the run's variables (VARIABLES_PATH), in place; whether it reads any.
 */
function variableReads(state: Record<string, unknown>): boolean {
  let reads = false;
  forEachPathField(state, (holder, key) => {
    holder[key] = variableTokens(holder[key] as string, (name) => ((reads = true), `${VARIABLES_PATH}${name}`));
  });
  return reads;
}

/** A state's Assigns, by where each is: its own (`Assign`), its Choice rules' and its Catchers' (`Catch[0].Assign`). */
function assignTemplates(state: Record<string, unknown>): Record<string, unknown> {
  const templates: Record<string, unknown> = { Assign: state.Assign };
  for (const field of ["Choices", "Catch"]) {
    if (Array.isArray(state[field])) (state[field] as Array<{ Assign?: unknown }>).forEach((item, i) => (templates[`${field}[${i}].Assign`] = item?.Assign));
  }
  return templates;
}

/** Whether a state assigns variables: its own Assign, a Choice rule's or a Catcher's. */
function assigns(state: Record<string, unknown>): boolean {
  return Object.values(assignTemplates(state)).some((template) => template !== undefined);
}

/** Whether an Assign reads the state's result (`$`, `$.a`, `$[0]`: not `$$…` nor `$name…`), anywhere within. */
function readsResult(template: unknown): boolean {
  if (Array.isArray(template)) return template.some(readsResult);
  if (typeof template !== "object" || template === null) return false;
  return Object.entries(template).some(([key, value]) => (key.endsWith(".$") && typeof value === "string" ? value.startsWith("$") && !value.startsWith("$$") && variableRead(value) === undefined : readsResult(value)));
}

/**
 * What of workflow variables the local runtime does not run, where a definition uses it (undefined: it runs all it
 * uses). aws-local-stepfunctions 3.0.0 knows no variables: the local runtime reads them (variableReads) and assigns
 * them (trackVariables) around it, but cannot see a state's result where the library alone holds it, nor a
 * Catcher's error output: a Catcher's Assign that reads `$`, an Assign that reads `$` where trackVariables cannot tell
 * the state's result (or where AWS's is not recorded: a Task's beside its ResultSelector), an Assign value that is an
 * intrinsic function (the library's evaluator is not exported), and a variable in a callback Task's
 * TimeoutSecondsPath or HeartbeatSecondsPath (its handler reads `$$` paths itself, from the execution's context:
 * readLimitPaths). Run as the library alone runs them, they would be wrong silently (an Assign ignored, a Choice
 * rule's `IsPresent` false): such a definition fails every execution instead. So does one that assigns `$states`,
 * which AWS reserves (whether AWS refuses it when the machine is created instead is not confirmed).
 */
function variablesUnsupported(definition: Definition): string | undefined {
  for (const { name, state } of definitionStates(definition)) {
    const at = (what: string, where: string) => `${what} in state '${name}' (${where})`;
    const assigns = assignTemplates(state);
    const caught = Object.keys(assigns).find((where) => where.startsWith("Catch[") && readsResult(assigns[where]));
    if (caught) return at("assigns from its error output ($) in a Catcher", caught);
    let intrinsic: string | undefined;
    forEachPathField(assigns, (holder, key, where) => {
      if (!(holder[key] as string).startsWith("$")) intrinsic ??= where;
    });
    if (intrinsic) return at("assigns an intrinsic function's value", intrinsic);
    // "Reserved variable: $states" (workflow-variables.html).
    for (const [where, template] of Object.entries(assigns)) {
      const reserved = typeof template === "object" && template !== null && !Array.isArray(template) ? Object.keys(template).find((key) => key.replace(/\.\$$/, "") === "states") : undefined;
      if (reserved) return at("assigns $states, the variable Step Functions reserves", `${where}.${reserved}`);
    }
    if (readsResult(assigns)) {
      // ResultPath "$" is the default, which hands the result on whole (wholeResultPathsDropped): nothing past it.
      const present = (...fields: string[]) => fields.filter((field) => field in state && !(field === "ResultPath" && state.ResultPath === "$"));
      // AWS reads an Assign's `$` from a Task's result before its ResultPath and OutputPath (BASE_ASSIGN_FROM_LAMBDA_TASK_RESULT);
      // whether before or after its ResultSelector is not recorded.
      if (state.Type === "Task" && "ResultSelector" in state) return at("assigns from its result ($) beside a ResultSelector (which of the two AWS applies first is not recorded)", "Assign");
      // The library alone holds a Map's or Parallel's results past these, and a Pass, Wait or Choice state's effective
      // input (past InputPath and Parameters: BASE_ASSIGN_FROM_PARAMETERS) past its ResultPath and OutputPath.
      const past = state.Type === "Map" || state.Type === "Parallel" ? present("ResultSelector", "ResultPath", "OutputPath") : ["Pass", "Wait", "Choice"].includes(state.Type as string) && !("Result" in state) && present("InputPath", "Parameters").length > 0 ? present("ResultPath", "OutputPath") : [];
      if (past.length > 0) return at(`assigns from its ${state.Type === "Map" || state.Type === "Parallel" ? "result" : "effective input"} ($) past its ${past.join(" and ")}`, "Assign");
    }
    let filtered: string | undefined;
    forEachPathField(state, (holder, key, where) => {
      const read = filterVariable(holder[key] as string);
      if (read && !filtered) filtered = at(`reads $${read} in a JSONPath filter expression (whether AWS reads a variable there is not confirmed)`, where);
    });
    if (filtered) return filtered;
    if (state.Type === "Task" && callbackTaskResource(state.Resource)) {
      const field = LIMIT_PATHS.find((path) => typeof state[path] === "string" && variableRead(state[path]));
      if (field) return at(`reads ${variableRead(state[field])} in a callback Task's limit path`, field);
    }
  }
  return undefined;
}

/** Step Functions' executions of the program's state machines, without HTTP (tests use it directly). */
export class LocalStepFunctions {
  private readonly machines = new Map<string, LocalStateMachineDefinition>();
  /** STANDARD executions by ARN, in start order (a Map keeps insertion order): running ones, and the latest closed ones. */
  private readonly executions = new Map<string, Execution>();
  /** Each state machine's closed STANDARD executions by ARN, oldest closed first (a Set keeps insertion order). */
  private readonly closed = new Map<LocalStateMachineDefinition, Set<string>>();
  /** The Map Runs of the executions kept (Execution.mapRuns), by ARN: dropped with their execution. */
  private readonly mapRuns = new Map<string, MapRun>();
  /** EXPRESS executions under way (not kept once closed: AWS keeps no record of them either). */
  private readonly running = new Set<Execution>();
  private readonly prepared = new Map<LocalStateMachineDefinition, ReturnType<LocalStepFunctions["prepare"]>>();
  /** jsonataSelfTest's outcome, once this runtime first runs a JSONata definition. */
  private jsonataChecked?: Promise<void>;
  private readonly tokens: TaskTokens;
  /** The timers the runtime waits on (TaskClock). */
  private readonly clock: TaskClock;

  constructor(
    machines: LocalStateMachineDefinition[],
    private readonly options: { log?(message: string): void; retryIntervalMs?: number; clock?: TaskClock } = {},
  ) {
    for (const machine of machines) this.createStateMachine(machine);
    this.clock = options.clock ?? NODE_CLOCK;
    this.tokens = new TaskTokens(this.clock);
  }

  /**
   * Defines `machine` as CreateStateMachine would, and answers the ARN of the machine by its name: "CreateStateMachine
   * is an idempotent API. Subsequent requests won't create a duplicate resource if it was already created.
   * CreateStateMachine's idempotency check is based on the state machine name, definition, type, LoggingConfiguration,
   * and TracingConfiguration. … If a following request has a different roleArn or tags, Step Functions will ignore these
   * differences and treat it as an idempotent request of the previous. In this case, roleArn and tags will not be
   * updated" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html): a machine of
   * the same ARN (its name, in its region and account) and the same definition (its JSON text, as deployed), type, log
   * level, execution data and tracing keeps the first, its role too. Any other difference is StateMachineAlreadyExists,
   * which the app's config meets at start (two Workflows of one name). The exception's own reference reads "the same name
   * but a different definition or role ARN" (API_CreateStateMachine, Errors): the role is taken as the operation's text
   * above says. Not confirmed: AWS's message text (LocalStack's "State Machine Already Exists: '<arn>'" is used), and
   * whether AWS compares definitions as text or as parsed JSON (text here: the deployed JSON of one program is one text).
   * CreateStateMachine's publish and versionDescription are not modelled (the local runtime runs no versions of a state
   * machine). A Distributed Map Label AWS refuses (mapLabelProblems: over 40 characters, a character it does not take,
   * one two Maps share) is InvalidDefinition, as CreateStateMachine and UpdateStateMachine answer it (the
   * ValidateStateMachineDefinition codes INVALID_LABEL_NAME, DUPLICATE_LABEL_NAME; the message's wording is not
   * confirmed). The Workflow component refuses it first, at plan time (aslProblems). Any other check of the definition
   * is made as an execution starts (prepare).
   */
  createStateMachine(machine: LocalStateMachineDefinition): string {
    const labels = mapLabelProblems(parsedOrUndefined(machine.definition));
    if (labels.length > 0) {
      const [{ name, path, code, problem, fix }] = labels;
      throw new SfnError("InvalidDefinition", `Invalid State Machine Definition: '${code}: the Map state '${name}' (${path}) ${problem}' (${machine.name}). ${fix}`);
    }
    const existing = this.machines.get(machine.arn);
    if (!existing) {
      this.machines.set(machine.arn, machine);
      return machine.arn;
    }
    const differs = (["definition", "type", "logLevel", "includeExecutionData", "tracing"] as const).filter((field) => existing[field] !== machine[field]);
    if (differs.length === 0) return existing.arn;
    throw new SfnError("StateMachineAlreadyExists", `State Machine Already Exists: '${machine.arn}' (another state machine of the name ${machine.name} has a different ${differs.join(", ")}; Step Functions keeps one state machine per name in a region and account: give each Workflow its own stateMachineName).`);
  }

  arns(): string[] {
    return [...this.machines.keys()];
  }

  /** A state machine by its ARN (checkArn); StateMachineDoesNotExist for none, or one of another region than `region` (ofOtherRegion). */
  machine(value: unknown, region?: string): LocalStateMachineDefinition {
    const arn = checkArn(value, "stateMachineArn", "stateMachine");
    const machine = ofOtherRegion(arn, region) ? undefined : this.machines.get(arn);
    if (!machine) throw new SfnError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(value: unknown, region?: string): Execution {
    // Express executions are not kept, and these operations do not take them (DescribeExecution: "Executions of an
    // EXPRESS state machine aren't supported"): InvalidArn, as AWS answers (LocalStack's snapshot, test_sfn_api_express).
    const arn = checkArn(value, "executionArn", "execution");
    const execution = ofOtherRegion(arn, region) ? undefined : this.executions.get(arn);
    if (!execution) throw new SfnError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /**
   * StartExecution (any type) and StartSyncExecution (EXPRESS): validates, starts, and for a sync start waits for the
   * end. `region`, here and in each operation, is the one the request was signed for (ofOtherRegion); none from
   * within the runtime.
   */
  async start(input: Record<string, unknown>, sync: boolean, region?: string): Promise<Record<string, Json>> {
    // The model's constraints first, answered before the service's own checks ("1 validation error detected: Value
    // 'xxx' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80",
    // wolfeidau/buildkite-serverless-agent#37): the name's length, the input's (in bytes; input is sensitive, so the
    // value is not echoed: unconfirmed wording), the traceHeader's (API_StartExecution), StartSyncExecution's includedData.
    const name = input.name === undefined || input.name === null ? randomUUID() : input.name;
    if (typeof name !== "string") throw wrongType("name", name, "string");
    checkLength("name", name, 1, SFN_LIMITS.nameLength);
    // The name's characters too are a rule of the request, not of the state machine it names (API_StartExecution
    // name): refused before the lookup, for a state machine that does not exist too.
    if (INVALID_NAME.test(name)) throw new SfnError("InvalidName", `Invalid Name: '${name}'`);
    const text = input.input === undefined || input.input === null ? "{}" : input.input;
    if (typeof text !== "string") throw wrongType("input", text, "string");
    if (Buffer.byteLength(text) > SFN_LIMITS.inputBytes) {
      throw new SfnError("ValidationException", `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${SFN_LIMITS.inputBytes}`);
    }
    checkTraceHeader(input.traceHeader);
    if (sync) checkEnum("includedData", input.includedData, INCLUDED_DATA);
    const machine = this.machine(input.stateMachineArn, region);
    // "StartSyncExecution is not available for STANDARD workflows" (API_StartSyncExecution).
    if (sync && machine.type !== "EXPRESS") throw new SfnError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch (error) {
      throw new SfnError("InvalidExecutionInput", `Invalid State Machine Execution Input: '${(error as Error).message}'`);
    }
    if (jsonDepth(text) > JSON_NESTING_LIMIT) throw new SfnError("InvalidExecutionInput", `Invalid State Machine Execution Input: 'nested deeper than ${JSON_NESTING_LIMIT} levels'`);
    const [, , , machineRegion, account] = machine.arn.split(":");
    if (machine.type === "EXPRESS") {
      // `arn:aws:states:<region>:<account>:express:<state machine>:<execution name>:<id>` (an Express execution's ARN; LocalStack's stepfunctions_express_execution_arn).
      const arn = `arn:aws:states:${machineRegion}:${account}:express:${machine.name}:${name}:${randomUUID()}`;
      const execution = this.run(machine, arn, name, text, parsed);
      this.running.add(execution);
      void execution.done.finally(() => this.running.delete(execution));
      if (!sync) return { executionArn: arn, startDate: epoch(execution.startDate) };
      await execution.done;
      // Express is billed in 64 MB and 100 ms steps (https://aws.amazon.com/step-functions/pricing/); nothing is billed locally.
      return { ...describe(execution), billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil(((execution.stopDate?.getTime() ?? 0) - execution.startDate.getTime()) / 100) * 100) } };
    }
    const arn = `arn:aws:states:${machineRegion}:${account}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      // "StartExecution is idempotent for STANDARD workflows … with the same name and input as a running execution, the
      // call succeeds and return the same response as the original request. If the execution is closed or if the input
      // is different, it returns a 400 ExecutionAlreadyExists error." (API_StartExecution)
      if (existing.status === "RUNNING" && existing.input === text) return { executionArn: arn, startDate: epoch(existing.startDate) };
      throw new SfnError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
    }
    const execution = this.run(machine, arn, name, text, parsed);
    this.executions.set(arn, execution);
    void execution.done.then(() => this.forgetOldest(execution));
    return { executionArn: arn, startDate: epoch(execution.startDate) };
  }

  /** Records `execution` as closed, and drops its machine's oldest closed executions beyond CLOSED_EXECUTIONS_KEPT (constant time each). */
  private forgetOldest(execution: Execution): void {
    let closed = this.closed.get(execution.machine);
    if (!closed) this.closed.set(execution.machine, (closed = new Set()));
    closed.add(execution.arn);
    for (const arn of closed) {
      if (closed.size <= CLOSED_EXECUTIONS_KEPT) break;
      closed.delete(arn);
      for (const mapRun of this.executions.get(arn)?.mapRuns ?? []) this.mapRuns.delete(mapRun.arn);
      this.executions.delete(arn);
    }
  }

  /**
   * A machine's definition as the library runs it, made once (at its first execution). A definition the library
   * cannot run fails each execution with States.Runtime and the reason: a use of workflow variables the local runtime
   * does not run (variablesUnsupported), or one its validator (asl-validator) refuses (a JSONata state with a JSONPath
   * field, Parameters or ResultPath: AWS refuses it at CreateStateMachine). ARNs are not checked: AWS checked them at
   * the deploy.
   */
  private prepare(machine: LocalStateMachineDefinition): Promise<LocalRun & { stateMachine: InstanceType<Library["StateMachine"]>; timeout?: new () => Error }> {
    let prepared = this.prepared.get(machine);
    if (!prepared) {
      prepared = (async () => {
        // The definition as written is checked (a Fail state's QueryLanguage, or its Retry or Catch, which the library
        // refuses); the local one, its Fail states Tasks (failStateAsTask), runs.
        const written = JSON.parse(machine.definition) as Definition;
        const downgraded = written.QueryLanguage === "JSONata" ? [...definitionStates(written)].find(({ state }) => state.QueryLanguage === "JSONPath") : undefined;
        if (downgraded) {
          // AWS's refusal (LocalStack's AWS-recorded test_sfn_api_validation INVALID_DOWNGRADE_QUERY_LANGUAGE); asl-validator takes it.
          throw new Error(`The local runtime (npm start) does not run ${machine.name}: its state '${downgraded.name}' sets QueryLanguage "JSONPath" under the definition's "JSONata", which AWS refuses at CreateStateMachine ("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"). Leave the top level JSONPath (its default) and set "JSONata" on the states that use it.`);
        }
        const variables = variablesUnsupported(written);
        if (variables) {
          throw new Error(`The local runtime (npm start) does not run this use of workflow variables: ${machine.name} ${variables}. See docs/local-vs-aws.md.`);
        }
        // An ItemBatcher the States Language rules out (an Inline Map's, none of the limits, a limit of 0, a …Path limit
        // in a JSONata state): the Workflow component's and StatesItemBatcher's warnings (definition.ts
        // itemBatcherWarnings), which the local runtime cannot run as written. Batched as it is, an Inline Map's items
        // would be batched where Step Functions batches only a Distributed Map's; no limit, one batch of every item; a
        // …Path limit in a JSONata state, left unread; and a limit of 0 batches nothing (batchesOf fails the Map there).
        const batchers = itemBatcherWarnings(written);
        if (batchers.length > 0) {
          throw new Error(`The local runtime (npm start) does not run ${machine.name}: ${batchers.map(({ name, path, problem, fix }) => `its Map state '${name}' (${path}) ${problem}. ${fix}`).join(" And ")}`);
        }
        // A Distributed (or batching) Map, and a Wait, are routed to their handler as a JSONata state is
        // (routedByType): checked likewise, but for a Wait the library can wait itself (waitMayOverflow), which, were
        // the routing not to take it, still waits, on the library's timer.
        if (machine !== SELF_TEST_MACHINE && [...definitionStates(written)].some(({ state }) => (state.QueryLanguage ?? written.QueryLanguage) === "JSONata" || (state.Type === "Map" && (state.ItemBatcher !== undefined || distributedProcessor(state))) || waitMayOverflow(state))) await (this.jsonataChecked ??= jsonataSelfTest());
        const local = localRun(machine, this.options.log ?? (() => {}));
        const library = await loadStepFunctionsLibrary();
        new library.StateMachine(written as never, { validationOptions: { checkArn: false } });
        const stateMachine = new library.StateMachine(local.definition as never, { validationOptions: { noValidate: true } });
        // The library's States.Timeout: a callback Task's wait fails with it, and so does a time limit (timeLimit) once
        // it runs out. Taken now, on the timers of the machine's first start (a test's fake ones advance it with theirs).
        const timeout = libraryTimeoutError(library);
        timeout.catch(() => {});
        return { ...local, stateMachine, ...(local.callbacks.size > 0 ? { timeout: await timeout } : {}) };
      })();
      this.prepared.set(machine, prepared);
    }
    return prepared;
  }

  /**
   * Runs an execution: a new one from its definition's StartAt with its input, or (`redriven`, RedriveExecution) a closed
   * one again from the top-level state it stopped in, with that state's input, its history going on after an
   * ExecutionRedriven event in place of ExecutionStarted.
   */
  private run(machine: LocalStateMachineDefinition, arn: string, name: string, text: string, input: Json, redriven?: Execution): Execution {
    const execution: Execution = redriven ?? { arn, name, machine, input: text, status: "RUNNING", startDate: new Date(), history: [], done: Promise.resolve(), redriveCount: 0, redriveTokens: [], mapRuns: [] };
    const from = redriven?.entered;
    // Which attempt this is (RedriveExecution counted it before it ran this).
    const attemptNumber = execution.redriveCount;
    // What the attempt before kept of the state it stopped in: its variables, its succeeded iterations or branches.
    const stopped = from && redriven?.stopped?.state === from.name ? redriven.stopped : undefined;
    execution.stopped = undefined;
    // A redrive's first state follows its ExecutionRedriven (recorded next).
    const chain = new EventChain(redriven ? execution.history.length + 1 : 0);
    const record = (type: string, details: Record<string, unknown> = {}, at = Date.now(), run?: LibraryRun) => {
      // At most the quota's events are kept (the execution goes on; see docs/local-vs-aws.md).
      if (execution.history.length >= SFN_LIMITS.historyEvents) return;
      const id = execution.history.length + 1;
      execution.history.push({ id, previousEventId: chain.previous(id, type, run), timestamp: new Date(at), type, ...details });
    };
    // API_ExecutionRedrivenEventDetails: "redriveCount: The number of times you've redriven an execution."
    if (redriven) record("ExecutionRedriven", { executionRedrivenEventDetails: { redriveCount: execution.redriveCount } }, execution.redriveDate?.getTime());
    const close = (status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }) => {
      if (execution.status !== "RUNNING") return;
      Object.assign(execution, { status, stopDate: new Date(), ...fields });
      // A succeeded execution is not redriven: what a redrive would need (variables, a Map's results) is let go. One
      // whose state failed with States.DataLimitExceeded is: "the Parallel state is rerun, including the branches that
      // were successful in the original execution attempt" (likewise an Inline Map's iterations, redrive-executions.html).
      if (status === "SUCCEEDED") execution.stopped = undefined;
      else if (fields.error === "States.DataLimitExceeded" && execution.stopped) execution.stopped.succeeded = new Map();
    };
    execution.done = (async () => {
      try {
        const { stateMachine: fromStart, definition, handlers, retried, clockRetries, timeLimits, callbacks: callbackStates, failStates, tasks, resultNames, variables, timeout } = await this.prepare(machine);
        // A redrive runs the same (local) definition from the state it stopped in (from its StartAt, with the
        // execution's input, if it stopped before its first state).
        const stateMachine = from ? new (await loadStepFunctionsLibrary()).StateMachine({ ...(definition as object), StartAt: from.name } as never, { validationOptions: { noValidate: true } }) : fromStart;
        const callbacks = timeout ? new ExecutionCallbacks(this.tokens, machine.arn, () => new timeout()) : undefined;
        // Open while this attempt runs: a Task of an attempt before that returns during a redrive (a timed-out
        // execution's top-level Task is not aborted, TaskJournal.abort, its call still under way) is no part of it.
        const journal = new TaskJournal(record, () => execution.status === "RUNNING" && execution.redriveCount === attemptNumber, machine.arn.split(":")[3], tasks, (error) =>
          this.options.log?.(`local Step Functions: ${arn}: a Task's history event left out (${error instanceof Error ? error.message : String(error)})`),
        );
        // Each handler told which execution it runs in (putEvents names it in each entry's Resources), given its
        // callback Tasks' tokens, and the run's history events (a callback Task records its own scheduling, from the
        // limits its paths selected). The attempt is queued here, synchronously, under the run (a Map iteration, a
        // Parallel branch, the execution's own) that called the handler (instrumentRuns): see TaskJournal. Every Task's
        // effective input passes the size quota here, before it is queued (a callback Task's in its handler: its input
        // may carry its limit paths too), and its result (a function's, an integration's) after; a token's output
        // passed it in SendTaskSuccess.
        const bound: RunHooks["handlers"] = Object.fromEntries(
          Object.entries(handlers).map(([state, handler]) => [
            state,
            (input: unknown, libraryRun: LibraryRun) => {
              // Stopped while the library loaded: the run reaches its first Task before it can be aborted.
              if (execution.status !== "RUNNING") return Promise.reject(new ServiceTaskFailure("States.Runtime", `The Task state '${state}' was not run: the execution had ended.`));
              // A Fail state's Task (failStateAsTask) is no Task of the definition's: its error and cause are no input.
              const parameters = callbackStates.has(state) || failStates.has(state) ? undefined : taskInputSized(input, state);
              const task = tasks.get(state);
              const attempt = task && journal.attempt(libraryRun, state, task);
              if (attempt && parameters) attempt.scheduled(parameters, task.timeoutSeconds !== undefined ? { timeoutSeconds: task.timeoutSeconds } : {});
              const name = resultNames.get(state);
              const handled = handler(input, { arn, context: pathContext, ...(callbacks ? { callbacks } : {}), ...(attempt ? { attempt } : {}) });
              if (name === undefined && !attempt) return handled;
              const measured = handled.then((result) => (name === undefined ? serialised(result) : taskResultSized(result, name)));
              attempt?.settles(measured, handled);
              return measured.then(({ value }) => value);
            },
          ]),
        );
        // The library waits no Retry interval of a JSONPath Task (instrumentRuns waits it on the runtime's clock).
        const { retryIntervalMs } = this.options;
        const intervals = retried.flatMap((state) => (clockRetries.has(state) ? [[state, 0]] : retryIntervalMs !== undefined ? [[state, retryIntervalMs]] : []));
        const overrides = intervals.length > 0 ? { retryIntervalOverrides: Object.fromEntries(intervals) } : {};
        // The starts of Map and Parallel states (their run groups) that have settled.
        const ended = new WeakSet<object>();
        // A STANDARD execution's Map Runs (an EXPRESS one is not kept, nor are they), read as its history is.
        const mapRuns = machine.type === "STANDARD" ? new MapRunTracker(execution, (mapRun) => this.mapRuns.set(mapRun.arn, mapRun), from?.name) : undefined;
        const hooks: RunHooks = {
          mapRun: (libraryRun, state) => mapRuns?.opened(libraryRun, state),
          handlers: bound,
          aborted: (libraryRun) => journal.abort(libraryRun),
          log: (message) => this.options.log?.(`local Step Functions: ${arn}: ${message}`),
          wait: (ms, signal) => clockWait(this.clock, ms, signal),
          clockRetries,
          ...(retryIntervalMs !== undefined ? { retryIntervalMs } : {}),
          // The library's States.Timeout, taken (libraryTimeoutError) only once a limit runs out.
          timeLimit: (task, seconds) => clockTimeLimit(this.clock, task, seconds, async () => new (await libraryTimeoutError(await loadStepFunctionsLibrary()))()),
          timeLimits,
          ...(variables ? { variables } : {}),
          ...(stopped?.variables ? { restoredVariables: stopped.variables } : {}),
          entered: (state, values) => {
            if (execution.stopped?.group) ended.add(execution.stopped.group);
            // A redrive's first state is the one it stopped in: its first start reuses what succeeded within it before.
            const reuse = from && !execution.stopped ? stopped?.succeeded : undefined;
            execution.stopped = { state, ...(values ? { variables: values } : {}), started: 0, succeeded: new Map(), ...(reuse ? { reuse } : {}) };
          },
          startsWithin: (group) => {
            const at = execution.stopped;
            // A run an earlier start queued, started (and at once ended: its group failed) after that start settled.
            if (!at || ended.has(group)) return { index: -1 };
            // A new start of the state (the first, or a Retry's): its runs counted afresh, and only the first reuses.
            if (at.group !== group) {
              if (at.group) ended.add(at.group);
              Object.assign(at, { group, started: 0, succeeded: new Map(), reuse: at.group === undefined ? at.reuse : undefined });
            }
            const index = at.started++;
            return { index, ...(at.reuse?.has(index) ? { saved: { result: at.reuse.get(index) } } : {}) };
          },
          succeededWithin: (group, index, result) => {
            if (execution.stopped?.group === group) execution.stopped.succeeded.set(index, result);
          },
        };
        // AWS's context object (LocalStack's AWS-recorded BASE_PATHS; RedriveCount and, once redriven, RedriveTime). The library replaces
        // StartTime for its own `$$` paths with the time its run started; the handlers' (readLimitPaths) and an
        // Assign's (trackVariables) keep the execution's.
        const context = { Execution: { Id: arn, Name: name, RoleArn: machine.roleArn, StartTime: execution.startDate.toISOString(), RedriveCount: execution.redriveCount, ...(execution.redriveDate ? { RedriveTime: execution.redriveDate.toISOString() } : {}) }, StateMachine: { Id: machine.arn, Name: machine.name }, ...(callbacks ? { Task: callbacks.task } : {}) };
        // As the library completes it for its own `$$` paths (Execution.Input), for the handlers' (readLimitPaths). Its
        // run is given it too: the library replaces Input with each run's own (an iteration's item), and the options it
        // hands every nested run keep the execution's, which a JSONata state reads (runJsonataState).
        const pathContext = { ...context, Execution: { ...context.Execution, Input: input } };
        const run = stateMachine.run((from ? from.input : input) as never, { overrides, context: pathContext as never, noThrowOnAbort: true, [LOCAL_EXECUTION]: hooks } as never);
        execution.abort = run.abort;
        // Stopped while the library loaded: the run ends at once.
        if (execution.status !== "RUNNING") run.abort();
        // Read as the run goes; a failure here leaves the history short, never an unhandled rejection (the runtime goes on).
        const history = (async () => {
          const outcomes = new CompositeOutcomes();
          for await (const logged of run.eventLogs) {
            const event = logged as LibraryEvent;
            // A redrive's ExecutionRedriven stands for its start.
            if (redriven && event.type === "ExecutionStarted") continue;
            const eventRun = eventFacts.get(event)?.run;
            // The top level's (a Map iteration's or Parallel branch's run has a parent run).
            if (event.type === "StateEntered" && event.state && eventRun && !runParents.get(eventRun)) {
              execution.entered = { name: event.state.name, type: failStates.has(event.state.name) ? "Fail" : event.state.type, input: event.state.input };
            }
            if (!mapRuns) {
              historyEvent(event, execution, failStates, record, journal, outcomes);
              continue;
            }
            const recordOf: RecordEvent = (type, details, on = eventFacts.get(event)?.run) => record(type, details, event.timestamp, on);
            mapRuns.before(event, recordOf);
            historyEvent(event, execution, failStates, (type, details, at, on) => (record(type, details, at, on), mapRuns.recorded(event, type, details, on, recordOf)), journal, outcomes);
          }
        })().catch((error: unknown) => this.options.log?.(`local Step Functions: ${arn}: history incomplete (${(error as Error).message})`));
        try {
          const output = await run.result;
          close("SUCCEEDED", { output: JSON.stringify(output) });
        } catch (error) {
          const failure = error as Error & { cause?: Error & { cause?: unknown } };
          if (failure.name === "ExecutionTimeoutError") close("TIMED_OUT", { error: "States.Timeout", cause: "The execution timed out" });
          else if (!failure.cause) close("FAILED", { error: "States.Runtime", cause: failure.message });
          else close("FAILED", failedWith(failure.cause.name, typeof failure.cause.cause === "string" ? failure.cause.cause : failure.cause.message));
        } finally {
          // Ended, timed out or stopped: a Task still waiting (an aborted branch's too) waits no more.
          callbacks?.release();
        }
        await history;
        // Any left under way (the history's reading stopped short) end with the execution.
        mapRuns?.abortAll(execution.stopDate ?? new Date());
      } catch (error) {
        // The definition did not load (the library refused it): the execution fails, the runtime goes on.
        record("ExecutionFailed", { executionFailedEventDetails: { error: "States.Runtime", cause: (error as Error).message } });
        close("FAILED", { error: "States.Runtime", cause: (error as Error).message });
      }
    })();
    return execution;
  }

  /** DescribeExecution: StartSyncExecution's fields (describe) and the redrive ones, which only this answer has. */
  describeExecution(input: Record<string, unknown>, region?: string): Record<string, Json> {
    // No data is encrypted locally (no KMS): METADATA_ONLY answers what ALL_DATA does.
    checkEnum("includedData", input.includedData, INCLUDED_DATA);
    const execution = this.execution(input.executionArn, region);
    return { ...describe(execution), ...redriveFields(execution) };
  }

  /**
   * RedriveExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html): a
   * FAILED, TIMED_OUT or ABORTED STANDARD execution runs again "from the unsuccessful step and uses the same input",
   * the steps before it not run again, under the same ARN (its status RUNNING, redriveCount one more, redriveDate now);
   * the answer is `redriveDate`. "The API will return idempotent responses for the last 10 client tokens used to
   * successfully redrive the execution" (clientToken): the same token again answers the same redriveDate and runs
   * nothing. "For workflows that include an Inline Map or Parallel state, RedriveExecution API action reschedules and
   * redrives only the iterations and branches that failed or aborted": an execution that stopped in a top-level Map or
   * Parallel state runs it again with the results its succeeded iterations or branches had (StoppedAt), the others
   * run again from their start; all of them run again when the state failed with States.DataLimitExceeded ("the
   * Inline Map state is rerun, including the iterations that were successful", redrive-executions.html#redrive-behavior-states),
   * and so do the iterations and branches of a Map or Parallel nested within one (only the top-level state's are
   * kept). Its workflow variables are those its states had assigned when the state it stopped in
   * entered (what the states before it assigned is kept, since they are not run again). An execution that stopped
   * before its first state runs from its StartAt. One that closed over 14 days before is refused (redriveRefusal). Not
   * reproduced: the 15 minutes a client token is valid, the history quota and the execution's maximum time (AWS's other
   * NOT_REDRIVABLE reasons), and ExecutionLimitExceeded.
   */
  async redriveExecution(input: Record<string, unknown>, region?: string): Promise<Record<string, Json>> {
    const token = input.clientToken ?? undefined;
    if (token !== undefined && typeof token !== "string") throw wrongType("clientToken", token, "string");
    // ClientToken: "Length Constraints: Minimum length of 1. Maximum length of 64. Pattern: [!-~]+" (API_RedriveExecution),
    // a model constraint: checked before the execution is looked up.
    if (token !== undefined) {
      checkLength("clientToken", token, 1, 64);
      if (!/^[!-~]+$/.test(token)) throw new SfnError("ValidationException", `1 validation error detected: Value '${token}' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [!-~]+`);
    }
    const execution = this.execution(input.executionArn, region);
    const repeated = () => (token === undefined ? undefined : execution.redriveTokens.find((t) => t.token === token));
    const before = repeated();
    if (before) return { redriveDate: epoch(before.date) };
    const notRedrivable = (reason: string) => new SfnError("ExecutionNotRedrivable", `Execution '${execution.arn}' cannot be redriven: ${reason}`);
    const closed = redriveRefusal(execution);
    if (closed) throw notRedrivable(closed);
    // Closed, its history read to the end (done), before it goes on; checked again after the wait, as the execution
    // may have been redriven meanwhile (while its history was read), by a request with the same token too.
    await execution.done;
    const meanwhile = repeated();
    if (meanwhile) return { redriveDate: epoch(meanwhile.date) };
    const refusal = redriveRefusal(execution);
    if (refusal) throw notRedrivable(refusal);
    const date = new Date();
    Object.assign(execution, { status: "RUNNING", redriveCount: execution.redriveCount + 1, redriveDate: date, stopDate: undefined, output: undefined, error: undefined, cause: undefined, abort: undefined });
    if (token !== undefined) execution.redriveTokens = [...execution.redriveTokens, { token, date }].slice(-REDRIVE_TOKENS_KEPT);
    // Running again: not among the closed executions forgetOldest may drop; it joins them again when it closes.
    this.closed.get(execution.machine)?.delete(execution.arn);
    this.run(execution.machine, execution.arn, execution.name, execution.input, JSON.parse(execution.input) as Json, execution);
    void execution.done.then(() => this.forgetOldest(execution));
    return { redriveDate: epoch(date) };
  }

  /** StopExecution: a running STANDARD execution is ABORTED with the error and cause given; a closed one is left as it is. */
  stopExecution(input: Record<string, unknown>, region?: string): Record<string, Json> {
    // The model's constraints on error and cause first, before the execution is looked up.
    const { error, cause } = errorAndCause(input);
    const execution = this.execution(input.executionArn, region);
    abort(execution, error, cause);
    return { stopDate: epoch(execution.stopDate ?? new Date()) };
  }

  /** The state machine whose execution issued a task token (IAM evaluates SendTask* on it); InvalidToken for another. */
  taskTokenMachine(input: Record<string, unknown>): string {
    return this.tokens.machineOf(taskToken(input));
  }

  /** SendTaskSuccess: the waiting Task's result is `output` (JSON of at most 262144 bytes). */
  sendTaskSuccess(input: Record<string, unknown>, region?: string): Record<string, Json> {
    const token = taskToken(input);
    const output = input.output ?? undefined;
    if (output === undefined) throw new SfnError("ValidationException", "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null");
    if (typeof output !== "string") throw wrongType("output", output, "string");
    // Sensitive (SensitiveData): the value is not echoed.
    if (Buffer.byteLength(output) > SFN_LIMITS.inputBytes) throw new SfnError("ValidationException", `1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to ${SFN_LIMITS.inputBytes}`);
    const waiter = this.tokens.waiter(token, region);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch (error) {
      // "The provided JSON output data is not valid" (API_SendTaskSuccess); the wording is InvalidExecutionInput's, unconfirmed.
      throw new SfnError("InvalidOutput", `Invalid Output: '${(error as Error).message}'`);
    }
    if (jsonDepth(output) > JSON_NESTING_LIMIT) throw new SfnError("InvalidOutput", `Invalid Output: 'nested deeper than ${JSON_NESTING_LIMIT} levels'`);
    if (typeof parsed === "object" && parsed !== null) boundedData.set(parsed, null);
    waiter.succeed(parsed);
    return {};
  }

  /** SendTaskFailure: the waiting Task fails with `error` and `cause` (both optional: null in the Catch's error output then). */
  sendTaskFailure(input: Record<string, unknown>, region?: string): Record<string, Json> {
    const token = taskToken(input);
    const { error, cause } = errorAndCause(input);
    this.tokens.waiter(token, region).fail(taskFailure(error, cause));
    return {};
  }

  /** SendTaskHeartbeat: the waiting Task's HeartbeatSeconds start again (a Task without them goes on waiting). */
  sendTaskHeartbeat(input: Record<string, unknown>, region?: string): Record<string, Json> {
    this.tokens.waiter(taskToken(input), region).heartbeat();
    return {};
  }

  listExecutions(input: Record<string, unknown>, region?: string): Record<string, Json> {
    // "You can specify either a mapRunArn or a stateMachineArn, but not both" (API_ListExecutions mapRunArn). The local
    // runtime runs a Distributed Map's children as iterations within its execution, not as child executions, so it has
    // none to list: a Map Run's is refused saying so, rather than answered with an empty list (AWS's answer is the list).
    // Listing them as AWS does would take child executions of their own, not items: each child's ExecutionListItem
    // (its executionArn and name, stateMachineArn `<machine>/<label>` as ListMapRuns answers it, status, dates, and the
    // two fields only a mapRunArn listing has, itemCount and mapRunArn: API_ExecutionListItem), DescribeExecution,
    // GetExecutionHistory (each child's own events, "Each child workflow execution has its own, separate execution
    // history", concepts-asl-use-map-state-distributed.html, where the local runtime keeps them in the parent's) and
    // DescribeStateMachineForExecution (its label and mapRunArn) answering that ARN, and StopExecution and redrive on
    // it. The form of a child's executionArn is not in AWS's reference (an EXPRESS child's would be an `express:` ARN,
    // which ListExecutions does not list for a state machine): not confirmed, so not invented here.
    const page = pager(input, 3096);
    // In the order AWS's message lists them ("Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, …]": LocalStack's
    // test_sfn_api snapshot list_executions_filter_exc, recorded against AWS).
    const statuses = ["SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"];
    checkEnum("statusFilter", input.statusFilter, statuses);
    const filter = (input.statusFilter ?? undefined) as string | undefined;
    // "redriveFilter: Sets a filter to list executions based on whether or not they have been redriven … Valid Values:
    // REDRIVEN | NOT_REDRIVEN" (API_ListExecutions); each item's redriveCount and redriveDate (API_ExecutionListItem).
    checkEnum("redriveFilter", input.redriveFilter, ["REDRIVEN", "NOT_REDRIVEN"]);
    const redrive = (input.redriveFilter ?? undefined) as string | undefined;
    if ((input.mapRunArn ?? undefined) !== undefined) {
      if ((input.stateMachineArn ?? undefined) !== undefined) throw new SfnError("ValidationException", "Only one of stateMachineArn or mapRunArn may be given: you can specify either a mapRunArn or a stateMachineArn, but not both.");
      const mapRun = this.mapRun(input.mapRunArn, region);
      throw new SfnError("ValidationException", `The local runtime (npm start) runs the child workflows of Map Run ${mapRun.arn} as iterations of its execution, not as child executions, so ListExecutions by mapRunArn lists none; DescribeMapRun gives their counts (docs/local-vs-aws.md).`);
    }
    const machine = this.machine(input.stateMachineArn, region);
    // "This API action is not supported by EXPRESS state machines" (API_ListExecutions).
    if (machine.type !== "STANDARD") throw new SfnError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
    // Newest first.
    const matching = [...this.executions.values()]
      .filter((e) => e.machine === machine && (filter === undefined || e.status === filter) && (redrive === undefined || (e.redriveCount > 0) === (redrive === "REDRIVEN")))
      .reverse();
    const { items, nextToken } = page(matching);
    return {
      executions: items.map((e) => ({
        executionArn: e.arn,
        stateMachineArn: machine.arn,
        name: e.name,
        status: e.status,
        startDate: epoch(e.startDate),
        ...(e.stopDate ? { stopDate: epoch(e.stopDate) } : {}),
        redriveCount: e.redriveCount,
        ...(e.redriveDate ? { redriveDate: epoch(e.redriveDate) } : {}),
      })),
      ...nextToken,
    };
  }

  /**
   * ListMapRuns (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListMapRuns.html): "Lists all Map
   * Runs that were started by a given state machine execution", each a MapRunListItem, paged as ListExecutions is
   * (maxResults 0–1000, 0 the default of 100). In the order they started (AWS's order is not documented).
   */
  listMapRuns(input: Record<string, unknown>, region?: string): Record<string, Json> {
    const page = pager(input, 1024);
    const execution = this.execution(input.executionArn, region);
    const { items, nextToken } = page(execution.mapRuns);
    return { mapRuns: items.map(mapRunListItem), ...nextToken };
  }

  /** A Map Run by its ARN (checkArn); ResourceNotFound for none, or one of another region than `region` (ofOtherRegion). */
  private mapRun(value: unknown, region?: string): MapRun {
    const arn = checkArn(value, "mapRunArn", "mapRun");
    const found = ofOtherRegion(arn, region) ? undefined : this.mapRuns.get(arn);
    if (!found) throw mapRunNotFound(arn);
    return found;
  }

  /** DescribeMapRun (API_DescribeMapRun): its status, settings and item and child counts as its iterations have gone so far. */
  describeMapRun(input: Record<string, unknown>, region?: string): Answer {
    return describeMapRun(this.mapRun(input.mapRunArn, region));
  }

  /**
   * UpdateMapRun (https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html): "Updates an
   * in-progress Map Run's configuration": maxConcurrency (Integer, from 0), toleratedFailureCount (Long, from 0),
   * toleratedFailurePercentage (Float, 0–100), each optional; the answer is empty. A toleratedFailureCount is taken up
   * to the Long's 9223372036854775807 (LONG_MAX), compared and kept exactly (a bigint, as the request's digits:
   * exactLongs): DescribeMapRun answers the count given, and the Map's threshold is that count.
   * The children not yet started start under the new maxConcurrency (ChildGate: raised, those that now fit start at
   * once; lowered, those under way go on). The new tolerated failure
   * threshold is read at the Map's next failed item (toleratingFailures), a Map that declared none too (until then it
   * fails on its first failed item, with that item's error; after, over the threshold, with
   * States.ExceedToleratedFailureThreshold). A Map Run no longer in progress is refused with ValidationException
   * (AWS's error for it is not confirmed).
   */
  updateMapRun(input: Record<string, unknown>, region?: string): Record<string, Json> {
    // The model's ranges first, before the Map Run is looked up (as for every other operation); bounds and values
    // compared as numbers or bigints alike: JavaScript compares the two exactly.
    const ranges = { maxConcurrency: [0, 2_147_483_647], toleratedFailureCount: [0, LONG_MAX], toleratedFailurePercentage: [0, 100] } as const;
    const settings: Partial<MapRunSettings> = {};
    for (const [member, [min, max]] of Object.entries(ranges) as Array<[keyof typeof ranges, readonly [number, number | bigint]]>) {
      const value = input[member] ?? undefined;
      if (value === undefined) continue;
      if ((typeof value !== "number" && typeof value !== "bigint") || value < min || value > max) {
        const bound = (typeof value === "number" || typeof value === "bigint") && value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
        throw new SfnError("ValidationException", `1 validation error detected: Value '${quoted(value, 40)}' at '${member}' failed to satisfy constraint: Member must have value ${bound}`);
      }
      if (member === "toleratedFailureCount") {
        // A whole number (checkMemberTypes: a Long's fraction is refused before), kept exactly.
        if (typeof value === "number" && !Number.isInteger(value)) throw wrongType(member, value, "long");
        settings[member] = typeof value === "bigint" ? value : BigInt(value);
      } else settings[member] = Number(value);
    }
    const run = this.mapRun(input.mapRunArn, region);
    if (run.status !== "RUNNING") throw new SfnError("ValidationException", `Map Run ${run.arn} is not in progress (${run.status}): UpdateMapRun updates a running Map Run only.`);
    Object.assign(run, settings);
    run.update?.(settings);
    return {};
  }

  getExecutionHistory(input: Record<string, unknown>, region?: string): Record<string, Json> {
    const page = pager(input, 1024);
    const execution = this.execution(input.executionArn, region);
    const events = input.reverseOrder === true ? [...execution.history].reverse() : execution.history;
    const includeData = input.includeExecutionData !== false;
    const { items, nextToken } = page(events);
    return { events: items.map((event) => ({ ...(includeData ? event : withoutData(event)), timestamp: epoch(event.timestamp) }) as unknown as Json), ...nextToken };
  }

  describeStateMachine(input: Record<string, unknown>, region?: string): Record<string, Json> {
    // No definition is encrypted locally (no KMS): METADATA_ONLY answers what ALL_DATA does.
    checkEnum("includedData", input.includedData, INCLUDED_DATA);
    const machine = this.machine(input.stateMachineArn, region);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: "ACTIVE",
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: epoch(machine.createdAt ?? new Date(0)),
      loggingConfiguration: { level: machine.logLevel, includeExecutionData: machine.includeExecutionData },
      tracingConfiguration: { enabled: machine.tracing },
    };
  }

  /** Waits for every execution under way (each ends, fails or times out on its own; nothing is aborted). */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.executions.values(), ...this.running].map((e) => e.done));
  }

  /** Aborts every running execution (the local runtime stops). */
  stopAll(): void {
    for (const execution of [...this.executions.values(), ...this.running]) abort(execution);
  }
}

/** `text` parsed as JSON, or undefined when it is none (what refuses that is the caller's). */
function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** DescribeMapRun's and UpdateMapRun's refusal of a Map Run that does not exist (API_DescribeMapRun Errors: ResourceNotFound, 400; AWS's message not confirmed). */
function mapRunNotFound(arn: string): SfnError {
  return new SfnError("ResourceNotFound", `Map Run Does Not Exist: '${arn.slice(0, 2000)}'`);
}

/**
 * StopExecution's and SendTaskFailure's error and cause: "error … Maximum length of 256", "cause … Maximum length of
 * 32768" (API_StopExecution, API_SendTaskFailure); both are sensitive (SensitiveError, SensitiveCause), so the value
 * is not echoed.
 */
function errorAndCause(input: Record<string, unknown>): { error?: string; cause?: string } {
  const found: { error?: string; cause?: string } = {};
  for (const [member, limit] of [["error", SFN_LIMITS.stopErrorLength], ["cause", SFN_LIMITS.stopCauseLength]] as const) {
    const value = input[member] ?? undefined;
    if (value === undefined) continue;
    if (typeof value !== "string") throw wrongType(member, value, "string");
    checkLength(member, value, 0, limit, true);
    found[member] = value;
  }
  return found;
}

/** A SendTask* request's taskToken: required, 1–2048 characters (API_SendTaskSuccess "Length Constraints"), sensitive (TaskToken): not echoed. */
function taskToken(input: Record<string, unknown>): string {
  const token = input.taskToken ?? undefined;
  if (token === undefined) throw new SfnError("ValidationException", "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null");
  if (typeof token !== "string") throw wrongType("taskToken", token, "string");
  checkLength("taskToken", token, 1, SFN_LIMITS.taskTokenLength, true);
  return token;
}

/** A running execution ABORTED (StopExecution's error and cause, when given); a closed one is left as it is. */
function abort(execution: Execution, error?: string, cause?: string): void {
  if (execution.status !== "RUNNING") return;
  Object.assign(execution, { status: "ABORTED", stopDate: new Date(), ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
  execution.abort?.();
}

/**
 * The paging a ListExecutions, GetExecutionHistory or ListMapRuns request asks for, checked before the operation looks
 * anything up (as the model's constraints are): maxResults 0–1000 (0 or none: 100), and a nextToken of 1 to `tokenMax`
 * characters (ListExecutions' ListExecutionsPageToken 3096, the others' PageToken 1024: API_ListExecutions,
 * API_GetExecutionHistory, API_ListMapRuns), else ValidationException. Answers how to page the items: one page, and a
 * nextToken (opaque: where this page stopped) while more remain; a nextToken this runtime did not give is InvalidToken
 * there, once the operation has found what it lists (AWS's order for that is not confirmed).
 */
function pager(input: Record<string, unknown>, tokenMax: number): <T>(items: T[]) => { items: T[]; nextToken: { nextToken?: string } } {
  const given = input.maxResults ?? undefined;
  if (given !== undefined && !Number.isSafeInteger(given)) throw wrongType("maxResults", given, "integer");
  const max = given === undefined || given === 0 ? SFN_LIMITS.defaultResults : (given as number);
  if (max < 0 || max > SFN_LIMITS.maxResults) {
    const bound = max < 0 ? "greater than or equal to 0" : `less than or equal to ${SFN_LIMITS.maxResults}`;
    throw new SfnError("ValidationException", `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value ${bound}`);
  }
  if (typeof input.nextToken === "string") checkLength("nextToken", input.nextToken, 1, tokenMax);
  return (items) => {
    const from = typeof input.nextToken === "string" ? Number.parseInt(Buffer.from(input.nextToken, "base64url").toString("utf8"), 10) : 0;
    // AWS's words for a paging token it did not give, the token not echoed (ListStateMachineAliases' nextToken
    // "InvalidToken" in LocalStack's test_sfn_api_aliasing snapshot, recorded against AWS; other operations' by analogy).
    if (!Number.isInteger(from) || from < 0) throw new SfnError("InvalidToken", "Invalid Token: 'Invalid token'");
    return { items: items.slice(from, from + max), nextToken: from + max < items.length ? { nextToken: Buffer.from(String(from + max)).toString("base64url") } : {} };
  };
}


function describe(execution: Execution): Record<string, Json> {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    name: execution.name,
    status: execution.status,
    startDate: epoch(execution.startDate),
    ...(execution.stopDate ? { stopDate: epoch(execution.stopDate) } : {}),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

/**
 * DescribeExecution's redrive fields as AWS gives them for a STANDARD execution never redriven: `redriveCount` 0;
 * `redriveStatus` NOT_REDRIVABLE with `redriveStatusReason` "Execution is RUNNING and cannot be redriven" (or
 * SUCCEEDED) for a running or succeeded one, REDRIVABLE and no reason for a failed, aborted or timed out one ("When
 * redriveStatus is NOT_REDRIVABLE, redriveStatusReason specifies the reason", API_DescribeExecution; the reasons
 * without the reference's closing period, as AWS CLI describe-execution outputs quote them; a FAILED execution's
 * `"redriveStatus": "REDRIVABLE"` with no reason, as an execution status event quotes it). REDRIVABLE says what AWS
 * would allow, and RedriveExecution redrives them. `redriveCount` and `redriveDate`
 * (the last redrive's) as RedriveExecution set them. AWS's reasons (API_DescribeExecution redriveStatusReason) also
 * include "Execution history event limit exceeded" and "Execution has exceeded the max execution time", not reproduced
 * (a history over 24,999 events, an execution past its maximum time); "Execution redrivable period exceeded" is (redriveRefusal).
 */
function redriveFields(execution: Execution): Record<string, Json> {
  const count = { redriveCount: execution.redriveCount, ...(execution.redriveDate ? { redriveDate: epoch(execution.redriveDate) } : {}) };
  const reason = redriveRefusal(execution);
  return reason ? { ...count, redriveStatus: "NOT_REDRIVABLE", redriveStatusReason: reason } : { ...count, redriveStatus: "REDRIVABLE" };
}

/**
 * Why AWS would not redrive this execution (DescribeExecution's redriveStatusReason, in its words), if it would not: it
 * is running or succeeded, or it closed more than 14 days ago ("Restarts unsuccessful executions of Standard workflows
 * that didn't complete successfully in the last 14 days", API_RedriveExecution; "Execution redrivable period
 * exceeded", API_DescribeExecution redriveStatusReason).
 */
function redriveRefusal(execution: Execution): string | undefined {
  if (execution.status === "RUNNING" || execution.status === "SUCCEEDED") return `Execution is ${execution.status} and cannot be redriven`;
  if (execution.stopDate && Date.now() - execution.stopDate.getTime() > REDRIVABLE_PERIOD_MS) return "Execution redrivable period exceeded";
  return undefined;
}

/** How long after it closed an unsuccessful execution can be redriven: 14 days (API_RedriveExecution). */
const REDRIVABLE_PERIOD_MS = 14 * 24 * 60 * 60 * 1000;

/** "The API will return idempotent responses for the last 10 client tokens used to successfully redrive the execution" (API_RedriveExecution, clientToken). */
const REDRIVE_TOKENS_KEPT = 10;

/**
 * A Task's failure with the error and cause given (SendTaskFailure's, a Fail state's), retried and caught as any
 * other. An absent one is null in a Catch's error output ({"Error": null, "Cause": null}, as LocalStack's snapshot
 * recorded against AWS for a SendTaskFailure without them: test_callback test_sqs_failure_in_wait_for_task_tok_no_error_field),
 * and failedWith leaves it out of the history and DescribeExecution.
 */
function taskFailure(error: string | undefined, cause: string | undefined): ServiceTaskFailure {
  return Object.assign(new ServiceTaskFailure("", "", { terminal: false }), { name: error ?? null, message: cause ?? null });
}

/**
 * An execution's (or a Task's) error and cause, each left out when null: a SendTaskFailure without them fails the Task
 * with neither, and the failure carries none on to the execution. AWS records such a TaskFailed event's details without
 * `error` and `cause` (LocalStack's snapshot recorded against AWS, test_callback
 * test_sqs_failure_in_wait_for_task_tok_no_error_field), and an execution failed without them with
 * `executionFailedEventDetails: {}` and a DescribeExecution without `error` and `cause` (test_base test_state_fail_empty);
 * an uncaught Task failure's error and cause become the execution's (test_callback test_sqs_failure_in_wait_for_task_token).
 */
function failedWith(error: string | null | undefined, cause: unknown): { error?: string; cause?: string } {
  // A library's message names a variable's path as variableReads rewrote it.
  return { ...(error != null ? { error } : {}), ...(cause != null ? { cause: readableVariables(typeof cause === "string" ? cause : JSON.stringify(cause)) } : {}) };
}

/**
 * An event without its execution data (includeExecutionData false): the members the SDK's model marks sensitive,
 * `input` and `output` (SensitiveData), and TaskScheduled's `parameters` (ConnectorParameters, sensitive too:
 * @aws-sdk/client-sfn's schema; "The JSON data passed to the resource", a callback Task's token among it).
 */
function withoutData(event: HistoryEvent): HistoryEvent {
  const copy: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith("EventDetails") && value && typeof value === "object") {
      const { input: _input, output: _output, parameters: _parameters, ...rest } = value as Record<string, unknown>;
      copy[key] = rest;
    }
  }
  return copy;
}

type LibraryEvent = {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  index?: number;
};

/**
 * "If you use batching, Step Functions adds the items to an Items array. It then passes the array as input to each
 * child workflow execution", with the ItemBatcher's BatchInput beside them: `{"BatchInput": {…}, "Items": […]}`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html). aws-local-stepfunctions 3.0.0
 * reads no ItemBatcher: the items are grouped here and the library iterates the batches, one child run each (its
 * MapIteration events, the Map's output: one result per batch). The items are the Map's, each through its ItemSelector
 * first (as AWS selects each item, then batches). A batch takes the next item while it holds fewer than
 * MaxItemsPerBatch and its JSON (`{"Items": […], "BatchInput": …}`, UTF-8) stays within MaxInputBytesPerBatch, at
 * most 256 KiB ("up to 256 KiB", input-output-itembatcher.html; with neither field, that alone). Not confirmed:
 * whether AWS counts BatchInput and the `{"Items": …}` wrapping in the bytes (counted here: the child's input is what
 * the 256 KiB quota holds), and how AWS fails an item larger than the limit on its own (here: the Map fails with
 * States.Runtime, which no Catch takes, naming the item). A limit that is no positive integer (0, a fraction, a
 * string, over 256 KiB for the bytes) fails the Map with States.Runtime too, or as `refused` makes it (a JSONata
 * expression's: States.QueryEvaluationError); AWS's error for a path's is not recorded.
 */
function batchesOf(stateName: string, items: unknown[], maxItems: unknown, maxBytes: unknown, batchInput: unknown, refused?: (field: string, value: unknown, what: string) => Error): Array<{ Items: unknown[]; BatchInput?: unknown }> {
  const limit = (field: string, value: unknown, most: number): number => {
    if (value === undefined) return most;
    if (Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= most) return value as number;
    const what = `an integer from 1${most === Infinity ? "" : ` to ${most}`}`;
    throw refused?.(field, value, what) ?? new ServiceTaskFailure("States.Runtime", `The Map state '${stateName}': its ItemBatcher's ${field} is ${JSON.stringify(value) ?? "nothing"}, where it takes ${what}.`);
  };
  const itemsPerBatch = limit("MaxItemsPerBatch", maxItems, Infinity);
  const bytesPerBatch = limit("MaxInputBytesPerBatch", maxBytes, SFN_LIMITS.inputBytes);
  const input = batchInput === undefined ? "" : `,"BatchInput":${JSON.stringify(batchInput)}`;
  // {"Items":[ + the items, comma-separated + ] + the BatchInput + }
  const wrapping = Buffer.byteLength(`{"Items":[]${input}}`);
  const batches: Array<{ Items: unknown[]; BatchInput?: unknown }> = [];
  let batch: unknown[] = [];
  let bytes = wrapping;
  for (const [index, item] of items.entries()) {
    const size = Buffer.byteLength(JSON.stringify(item) ?? "null");
    if (wrapping + size > bytesPerBatch) {
      throw new ServiceTaskFailure("States.Runtime", `The Map state '${stateName}': its item ${index} (${size} bytes, in a batch of ${wrapping + size} bytes with its wrapping) does not fit its ItemBatcher's limit of ${bytesPerBatch} bytes per batch.`);
    }
    if (batch.length > 0 && (batch.length >= itemsPerBatch || bytes + 1 + size > bytesPerBatch)) {
      batches.push({ Items: batch, ...(batchInput === undefined ? {} : { BatchInput: batchInput }) });
      batch = [];
      bytes = wrapping;
    }
    bytes += (batch.length > 0 ? 1 : 0) + size;
    batch.push(item);
  }
  if (batch.length > 0) batches.push({ Items: batch, ...(batchInput === undefined ? {} : { BatchInput: batchInput }) });
  return batches;
}

/**
 * The JSONPath Map states in Distributed mode (routedMap), those that batch their items among them; a JSONata one
 * batches, and gates its children, in runJsonataState.
 */
const routedMaps = new WeakSet<object>();

/**
 * A JSONPath Map state in Distributed mode (or with an ItemBatcher) made one the library runs through runRoutedMap, in
 * place: its Type routed as a JSONata state's is (routedByType). A Map's `Parameters` is its ItemSelector's older name
 * (the library reads `ItemSelector ?? Parameters`): moved to ItemSelector, since the library's processInput reads a
 * state's Type when it has Parameters, which would spend the routing before the handler lookup.
 */
function routedMap(state: Record<string, unknown>): void {
  if ("Parameters" in state) {
    if (!("ItemSelector" in state)) state.ItemSelector = state.Parameters;
    delete state.Parameters;
  }
  routedMaps.add(state);
  routedByType(state, state.Type as string);
}

/**
 * Whether a routed Map (routedMap) entering with `input` is routed to runRoutedMap: not when its InputPath selects
 * nothing, which the library fails before its handler lookup, reading the state's Type for the failure's event (which
 * would spend the routing there).
 */
function routesMap(state: object | undefined, input: unknown, context: unknown): boolean {
  return state !== undefined && routedMaps.has(state) && effectiveInput(state as Record<string, unknown>, input, context) !== undefined;
}

/** The JSONPath Wait states routedWait routed. */
const routedWaits = new WeakSet<object>();

/**
 * A JSONPath Wait state made one the library runs through waitInPieces, in place (routedByType, as routedMap), so that
 * every Wait waits on the runtime's clock, as a JSONata Wait does (runJsonataState), whatever its length. Its Type is
 * read by no one between its entry and its handler's lookup: a Wait state has no Parameters.
 */
function routedWait(state: Record<string, unknown>): void {
  if (state.Type !== "Wait") return;
  routedWaits.add(state);
  routedByType(state, "Wait");
}

/**
 * Whether a JSONPath state is a Wait that may wait longer than a Node timer takes (LONGEST_TIMER_SECONDS, about 24.8
 * days: its Seconds over that, or a Timestamp, SecondsPath or TimestampPath, known only as it runs), which the
 * library's own timer would end at once.
 */
function waitMayOverflow(state: Record<string, unknown>): boolean {
  return state.Type === "Wait" && ((typeof state.Seconds === "number" && state.Seconds > LONGEST_TIMER_SECONDS) || ["Timestamp", "SecondsPath", "TimestampPath"].some((field) => field in state));
}

/** Whether a routed Wait (routedWait) entering with `input` is routed: not when its InputPath selects nothing (routesMap's reason). */
function routesWait(state: object | undefined, input: unknown, context: unknown): boolean {
  return state !== undefined && routedWaits.has(state) && effectiveInput(state as Record<string, unknown>, input, context) !== undefined;
}

/**
 * How long a JSONPath Wait state waits with its effective `input` (its Seconds or SecondsPath's, or until its Timestamp
 * or TimestampPath's), as the library reads them (WaitStateAction); undefined for a value the library refuses, which
 * is left to it.
 */
function waitMs(state: Record<string, unknown>, input: unknown, context: unknown): number | undefined {
  if ("Seconds" in state || "SecondsPath" in state) {
    const seconds = "SecondsPath" in state ? readPath(state.SecondsPath, input, context) : state.Seconds;
    return Number.isSafeInteger(seconds) && (seconds as number) >= 0 ? (seconds as number) * 1000 : undefined;
  }
  const timestamp = "TimestampPath" in state ? readPath(state.TimestampPath, input, context) : state.Timestamp;
  return isWaitTimestamp(timestamp) ? Date.parse(timestamp) - Date.now() : undefined;
}

/**
 * The library's Wait handler for `state`, which waits `ms`: waited here, on the runtime's clock (the one its Task
 * timeouts and Retry intervals run on, which a test fires), in pieces a Node timer takes, until the run is aborted,
 * and the library's handler then given the state with nothing left to wait (its Next or End kept). The library's own
 * wait is a Node timer of its own, which no runtime clock moves, and which fires at once for a wait past 2^31−1 ms
 * (about 24.8 days; Node's TimeoutOverflowWarning), where AWS waits any Wait within the execution's time (a STANDARD
 * execution's year: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). A Timestamp's `ms` is
 * measured from the wall clock (Date.now): the timestamp is wall-clock time, and the runtime's clock is a source of
 * timers, not of the time. A value the library refuses (`ms` undefined) is left to its handler, which fails the state.
 */
async function waitInPieces(handlers: Record<string, StateHandler>, state: Record<string, unknown>, ms: number | undefined, rawInput: unknown, input: unknown, context: RunContext, stateName: string, options: StateOptions): Promise<StateOutcome> {
  const piece = LONGEST_TIMER_SECONDS * 1000;
  if (ms === undefined) return handlers.Wait(state, rawInput, input, context, stateName, options);
  const hooks = options.runOptions?.[LOCAL_EXECUTION];
  for (let left = ms; left > 0 && !options.abortSignal?.aborted; left -= piece) {
    await (hooks ? hooks.wait(Math.min(left, piece), options.abortSignal) : clockWait(NODE_CLOCK, Math.min(left, piece), options.abortSignal));
  }
  return handlers.Wait({ Type: "Wait", ...(state.Next ? { Next: state.Next } : { End: true }) }, rawInput, input, context, stateName, options);
}

/** A Map's iterations that only hand their input back (runBatchingMap's selection pass). */
const HANDED_BACK = { StartAt: "Item", States: { Item: { Type: "Pass", End: true } } };

/**
 * A JSONPath Map in Distributed mode (routedMap), as the library's handler is called for it with its effective input:
 * its MaxConcurrencyPath read here first, from the effective input, as the library reads it (AWS evaluates
 * MaxConcurrency before the items: runJsonataState), its children then started through its ChildGate (gateChildren),
 * which honours an UpdateMapRun's maxConcurrency; the library's own Map runs them all at once. Without an ItemBatcher,
 * the library's Map reads its items as ever. With one, its
 * items (ItemsPath, else the input), each through its ItemSelector by the library itself (a pass of the library's Map
 * over iterations that hand their input back, outside the run: nothing recorded, no handler called); its BatchInput, a
 * payload template over the Map's effective input and `$$`, evaluated once by another such pass over one item that is
 * none, since "within the Map State's "ItemSelector" (or deprecated "Parameters") field, the Context Object will have
 * an object field named "Map"" and nowhere else said (the States Language, Processing Items: a `$$.Map.Item.Value` in
 * it selects nothing, as the JSONata form's does; `$$.Map.Item.Index` reads 0: what AWS gives there is not recorded); then the
 * library's Map over their batches (batchesOf), its MaxConcurrencyPath read here, from the effective input, as the
 * library reads it. Its ResultSelector, ResultPath, OutputPath, Retry and Catch stay the library's.
 */
async function runRoutedMap(handlers: Record<string, StateHandler>, state: Record<string, any>, rawInput: unknown, input: unknown, context: RunContext, stateName: string, options: StateOptions): Promise<StateOutcome> {
  const { ItemsPath: itemsPath, ItemSelector: selector, ItemBatcher: batcher, MaxConcurrencyPath: concurrencyPath, Parameters: _parameters, ...map } = state;
  // A path that selects nothing fails as the library fails any path of the state (its jsonPathQuery's words).
  const read = (path: unknown) => {
    const value = readPath(path, input, context);
    if (value === undefined) throw new ServiceTaskFailure("States.Runtime", `Path expression '${String(path)}' does not point to a value`);
    return value;
  };
  let maxConcurrency = map.MaxConcurrency;
  if (concurrencyPath !== undefined) {
    maxConcurrency = read(concurrencyPath);
    // LocalStack's causes (MaxConcurrencyPath, max_concurrency.py; AWS's own text not confirmed). LocalStack takes a
    // number in a string and truncates a fraction (int()): refused here, as the library refuses them for an Inline Map.
    const shown = typeof maxConcurrency === "string" ? maxConcurrency : JSON.stringify(maxConcurrency);
    if (!Number.isSafeInteger(maxConcurrency)) throw new ServiceTaskFailure("States.Runtime", `The MaxConcurrencyPath field refers to value "${shown}" which is not a valid integer: ${String(concurrencyPath)}`);
    if (maxConcurrency < 0) throw new ServiceTaskFailure("States.Runtime", `Expected non-negative integer for MaxConcurrency, got '${shown}' instead.`);
  }
  // Before any await: the gate is in place before the history reads the Map's start (MapRunTracker.recorded).
  const concurrency = gateChildren(state, stateName, maxConcurrency, options);
  const limited = concurrency === undefined ? {} : { MaxConcurrency: concurrency };
  if (batcher === undefined) return handlers.Map({ ...map, ...(itemsPath === undefined ? {} : { ItemsPath: itemsPath }), ...(selector === undefined ? {} : { ItemSelector: selector }), Type: "Map", ...limited }, rawInput, input, context, stateName, options);
  const items = itemsPath === undefined ? input : read(itemsPath);
  if (!Array.isArray(items)) throw new ServiceTaskFailure("States.Runtime", "Input of Map state must be an array or ItemsPath property must point to an array");
  const config = (typeof batcher === "object" && batcher !== null ? batcher : {}) as Record<string, unknown>;
  // Each of `values` through `template` by the library's Map (the values by the context's Map.Item.Value: the path any
  // ItemsPath reads them by is the state's, already read).
  const selectEach = async (values: unknown[], template: unknown): Promise<unknown[]> => {
    const selecting = { Type: "Map", ItemsPath: "$$.Map.Item.Value", ItemSelector: template === undefined ? { "selected.$": "$$.Map.Item.Value" } : { selected: template }, ItemProcessor: HANDED_BACK, End: true };
    const selectionContext = Object.assign(Object.create(Object.getPrototypeOf(context)), context, { Map: { Item: { Value: values } } }) as RunContext;
    const { stateResult } = await handlers.Map(selecting, rawInput, input, selectionContext, stateName, { stateMachineOptions: options.stateMachineOptions, runOptions: {}, eventLogger: undefined as never });
    return (stateResult as Array<{ selected: unknown }>).map(({ selected }) => selected);
  };
  const selected = await selectEach(items, selector);
  // Only where there is a batch to hand it to.
  const batchInput = "BatchInput" in config && selected.length > 0 ? (await selectEach([undefined], config.BatchInput))[0] : undefined;
  const maxItems = "MaxItemsPerBatchPath" in config ? read(config.MaxItemsPerBatchPath) : config.MaxItemsPerBatch;
  const maxBytes = "MaxInputBytesPerBatchPath" in config ? read(config.MaxInputBytesPerBatchPath) : config.MaxInputBytesPerBatch;
  const batches = batchesOf(stateName, selected, maxItems, maxBytes, batchInput);
  return handlers.Map({ ...map, Type: "Map", ...limited }, rawInput, batches, context, stateName, options);
}

/**
 * aws-local-stepfunctions' DEFAULT_MAX_CONCURRENCY: how many children a Map that sets no MaxConcurrency (or 0, "no
 * limit") runs at once locally, as before the local runtime gated them itself (AWS runs up to 10,000 child workflow
 * executions of a Distributed Map: docs/local-vs-aws.md).
 */
const UNSET_MAP_CONCURRENCY = 40;

/**
 * The children of one start of a DISTRIBUTED Map (its iterations, or batches): each starts once fewer than the Map
 * Run's maxConcurrency are under way, in the order the library queues them, so that an UpdateMapRun's maxConcurrency
 * holds for the children not yet started ("Updates an in-progress Map Run's configuration to include changes to the
 * settings that control maximum concurrency", API_UpdateMapRun): raised, those waiting that now fit start at once;
 * lowered, no child starts until fewer than the new limit run (those under way are not stopped). The limit is the Map
 * Run's (its maxConcurrency, which UpdateMapRun changes), or the Map's own MaxConcurrency while it has no Map Run (an
 * EXPRESS execution's Map, or before the history read its start); 0 or none: UNSET_MAP_CONCURRENCY.
 */
class ChildGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    /** The MaxConcurrency the Map read as it started (its Map Run's first maxConcurrency). */
    readonly initial: number | undefined,
    private readonly mapRun: () => MapRun | undefined,
  ) {}

  private limit(): number {
    return (this.mapRun()?.maxConcurrency ?? this.initial) || UNSET_MAP_CONCURRENCY;
  }

  /** `start`ed now when under the limit and none waits, else once it fits (pump); the child's slot is free as it settles. */
  admit<T>(start: () => Promise<T>): Promise<T> {
    const go = (): Promise<T> => {
      this.running++;
      let started: Promise<T>;
      try {
        started = start();
      } catch (error) {
        started = Promise.reject(error);
      }
      const free = () => {
        this.running--;
        this.pump();
      };
      started.then(free, free);
      return started;
    };
    if (this.waiting.length === 0 && this.running < this.limit()) return go();
    return new Promise<T>((resolve, reject) => this.waiting.push(() => void go().then(resolve, reject)));
  }

  /** Starts the waiting children that fit under the limit (a child ended, or UpdateMapRun raised it). */
  pump(): void {
    while (this.waiting.length > 0 && this.running < this.limit()) this.waiting.shift()!();
  }
}

/** The ChildGate of the latest start of each DISTRIBUTED Map, by the run the Map is in and its ItemProcessor (what its iterations run). */
const childGates = new WeakMap<LibraryRun, Map<object, ChildGate>>();

/**
 * A DISTRIBUTED Map's start (`state`, named `stateName`, with the MaxConcurrency it read): its children's ChildGate
 * put in place, and the MaxConcurrency the library's Map is to run with, Infinity (the gate limits them). Any other
 * Map's MaxConcurrency is returned as it is. Called before the start's first await.
 */
function gateChildren(state: Record<string, unknown>, stateName: string, maxConcurrency: unknown, options: StateOptions): number | undefined {
  const processor = distributedProcessor(state);
  const given = typeof maxConcurrency === "number" ? maxConcurrency : undefined;
  const parent = options.runOptions?.[PARENT_RUN];
  if (!processor || !parent) return given;
  const hooks = options.runOptions?.[LOCAL_EXECUTION];
  let gates = childGates.get(parent);
  if (!gates) childGates.set(parent, (gates = new Map()));
  gates.set(processor, new ChildGate(given, () => hooks?.mapRun?.(parent, stateName)));
  return Infinity;
}

/**
 * How many items a Map state that entered with `input` iterates, for its MapStateStarted (API_HistoryEvent:
 * mapStateStartedEventDetails.length): read as the library reads them (MapStateAction.execute after
 * StateExecutor.processInput: InputPath, null for `{}`; then ItemsPath, when set; jsonPathQuery: its own jsonpath-plus,
 * unwrapped, a `$$` path from the run's context object, a path that selects nothing an error), so it is the number of
 * iterations the library starts. Undefined when that is no array: the library fails the state (States.Runtime) and AWS
 * records no MapStateStarted then (LocalStack's StateMap raises before it).
 */
function mapItemCount(state: Record<string, unknown> | undefined, input: unknown, context: unknown): number | undefined {
  // A JSONata Map's items are its Items expression's, evaluated after its entry: it reports its count itself (runJsonataState).
  if (state && jsonataStates.has(state)) return undefined;
  try {
    const effective = effectiveInput(state, input, context);
    const items = effective !== undefined && state?.ItemsPath ? readPath(state.ItemsPath, effective, context) : effective;
    return Array.isArray(items) ? items.length : undefined;
  } catch {
    return undefined;
  }
}

/** What `path` selects in `json` (a `$$` path: in the run's context object), read as the library reads it; undefined: nothing. */
function readPath(path: unknown, json: unknown, context: unknown): unknown {
  if (typeof path !== "string" || !jsonPathPlus) return undefined;
  return path.startsWith("$$") ? jsonPathPlus({ path: path.slice(1), json: (context ?? null) as never, wrap: false }) : jsonPathPlus({ path, json: json as never, wrap: false });
}

/** A JSONPath state's effective input (past its InputPath, null for `{}`), as the library reads it (StateExecutor.processInput). */
function effectiveInput(state: Record<string, unknown> | undefined, input: unknown, context: unknown): unknown {
  return state && "InputPath" in state ? (state.InputPath === null ? {} : readPath(state.InputPath, input, context)) : input;
}

/** A DISTRIBUTED Map's tolerated failure threshold, as one entry of the state read it (toleranceAt). */
interface FailureTolerance {
  state: string;
  /** The items the Map iterates. */
  total: number;
  /** ToleratedFailureCount (a Long, exactly: UpdateMapRun's as given), ToleratedFailurePercentage (or their paths' values); 0 when absent. */
  count: bigint;
  percentage: number;
  /** Its iterations are batches (batchesOf): a failed one fails each of its items. */
  batched: boolean;
  /**
   * A threshold was set: the Map declares one (thresholdDeclared), or an UpdateMapRun gave one since. Without, the Map
   * fails on its first failed item with that item's error, as before UpdateMapRun could give it one.
   */
  set: boolean;
}

/** Per run, the tolerance each of its DISTRIBUTED Map states read as it entered, by the Map's ItemProcessor (its iterations' definition). */
const tolerances = new WeakMap<LibraryRun, Map<object, FailureTolerance>>();
/** The iterations of one start of a tolerating Map (runGroup) that failed so far. */
const groupFailures = new WeakMap<object, number>();

/**
 * The largest tolerated failure count: a Long's, 2^63−1. UpdateMapRun's toleratedFailureCount is "Type: Long. Valid
 * Range: Minimum value of 0" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html),
 * and so is DescribeMapRun's; the ASL field's bound is not documented, taken to be the same (asl-validator: an
 * integer from 0, no maximum). UpdateMapRun's is compared and kept exactly (the request's digits, exactLongs). A
 * definition's, or its path's, is a double (its JSON parsed): 2^63−1 reads as 2^63, so there a count up to 2^63 (and
 * any text JSON.parse rounds to it) is taken, as 2^63−1 (longOf). Not confirmed: AWS's answer to a count past the
 * Long's range.
 */
const LONG_MAX = 9223372036854775807n;

const TOLERANCE_FIELDS = ["ToleratedFailureCount", "ToleratedFailurePercentage", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"] as const;

/** What each tolerated failure threshold takes (a JSONPath Map's value or path's, a JSONata Map's value or expression's). */
const TOLERANCE_VALUES = {
  ToleratedFailureCount: { valid: (n: number) => Number.isInteger(n) && n >= 0 && n <= Number(LONG_MAX), what: `an integer from 0 to ${LONG_MAX}` },
  ToleratedFailurePercentage: { valid: (n: number) => n >= 0 && n <= 100, what: "a number from 0 to 100" },
} as const;

/** `read` as the threshold `field` (TOLERANCE_VALUES), or undefined when it is not one. */
function toleranceValue(field: keyof typeof TOLERANCE_VALUES, read: unknown): number | undefined {
  return typeof read === "number" && TOLERANCE_VALUES[field].valid(read) ? read : undefined;
}

/**
 * Whether a Map state declares a tolerated failure threshold (ToleratedFailureCount, ToleratedFailurePercentage or their
 * paths; a JSONata Map's, literal or expressions, runJsonataState reads). A DISTRIBUTED Map that declares none tolerates
 * none (0), until an UpdateMapRun gives it a threshold (FailureTolerance.set).
 */
function thresholdDeclared(state: Record<string, unknown>): boolean {
  return TOLERANCE_FIELDS.some((field) => state[field] !== undefined);
}

/** The ItemProcessor (or Iterator) of a Map state in Distributed mode (its ProcessorConfig's Mode "DISTRIBUTED"); undefined for any other state. */
function distributedProcessor(state: Record<string, unknown> | undefined): object | undefined {
  if (!state || state.Type !== "Map") return undefined;
  const processor = (state.ItemProcessor ?? state.Iterator) as { ProcessorConfig?: { Mode?: unknown } } | undefined;
  return processor?.ProcessorConfig?.Mode === "DISTRIBUTED" ? processor : undefined;
}

/** `run`'s tolerating Map whose iterations run `processor` tolerates failures up to `tolerance`, from the Map's start on. */
function toleratesFailures(run: LibraryRun, processor: object, tolerance: FailureTolerance): void {
  let read = tolerances.get(run);
  if (!read) tolerances.set(run, (read = new Map()));
  read.set(processor, tolerance);
}

/**
 * A tolerating JSONPath Map's threshold as it enters with `input` (its paths read from its effective input, as its
 * MaxConcurrencyPath is), and how many items it iterates. A path that selects no integer from 0 (a count) or no
 * number from 0 to 100 (a percentage) fails the execution with States.Runtime (AWS's error and cause for it are not
 * recorded). Undefined when its InputPath selects nothing: the library then fails the state for it, as any other.
 * `total`: the items it iterates (mapItemCount, as its entry read it).
 */
function toleranceAt(name: string, state: Record<string, unknown>, input: unknown, context: unknown, total: number): FailureTolerance | undefined {
  const effective = effectiveInput(state, input, context);
  if (effective === undefined) return undefined;
  const value = (field: keyof typeof TOLERANCE_VALUES): number => {
    const path = state[`${field}Path`];
    const read = path === undefined ? (state[field] ?? 0) : readPath(path, effective, context);
    const threshold = toleranceValue(field, read);
    if (threshold !== undefined) return threshold;
    const source = path === undefined ? field : `${field}Path '${String(path)}' selects`;
    throw new ServiceTaskFailure("States.Runtime", `The Map state '${name}': its ${source} ${JSON.stringify(read) ?? "nothing"}, where it takes ${TOLERANCE_VALUES[field].what}.`);
  };
  return { state: name, total, count: longOf(value("ToleratedFailureCount")), percentage: value("ToleratedFailurePercentage"), batched: state.ItemBatcher !== undefined, set: thresholdDeclared(state) };
}

/**
 * Whether `failed` of a Map's items exceed its tolerated failure threshold ("The maximum number of failed items before
 * the Map Run fails", "The maximum percentage of failed items before the Map Run fails": API_UpdateMapRun's
 * toleratedFailureCount and toleratedFailurePercentage; state-map-distributed.html#maprun-fail-threshold): more than
 * ToleratedFailureCount, or more than ToleratedFailurePercentage of the items; with both, whichever is exceeded first.
 * A field of 0 (its default) sets no threshold of its own; with both 0 the first failure exceeds it. Equal is within
 * it: 1 of 4 items within 25 %. These edges are as a third party recorded Distributed Map runs in AWS, not confirmed
 * here in AWS's own words.
 */
function exceedsTolerance(failed: number, { total, count, percentage }: FailureTolerance): boolean {
  if (failed === 0) return false;
  if (count === 0n && percentage === 0) return true;
  return (count > 0n && failed > count) || (percentage > 0 && (failed * 100) / Math.max(total, 1) > percentage);
}

/**
 * An iteration of a DISTRIBUTED Map (distributedProcessor), settled as its Map reads it: its failure, counted as its
 * `items` (a batch's items, batchesOf; else 1), is its result while the failures are within the threshold (exceedsTolerance), else the Map fails with
 * States.ExceedToleratedFailureThreshold (with the item's own error when no threshold was ever set: FailureTolerance.set), catchable and retryable as a Map's failure is, and the Map's iterations
 * still queued start nothing (failedGroups). A tolerated failure's result is `{"Status": "FAILED", "Error", "Cause"}`
 * in the Map's output, at its item's place (not confirmed in AWS's documentation: as a third party recorded it). An
 * iteration that was aborted (its Map or execution ended), and a failure no Catch may take (the local runtime's own:
 * what it cannot run, a data limit), fail the Map as they are. With batches, the threshold is read per item, as the
 * failure threshold is documented ("the maximum number of failed items", "the maximum percentage of failed items",
 * state-map-distributed.html#maprun-fail-threshold; MapRunItemCounts.failed: "The total number of items processed in
 * child workflow executions that have failed", API_MapRunItemCounts): a failed batch fails each of its items. How
 * AWS's DescribeMapRun toleratedFailureCount meets batches is not confirmed.
 */
function toleratingFailures(settled: Promise<unknown>, group: object, tolerance: FailureTolerance, signal: AbortSignal | undefined, library: Library, items: number): Promise<unknown> {
  return settled.catch((error: unknown) => {
    const failure = (error instanceof library.ExecutionError ? (error as { cause?: unknown }).cause : error) as { name?: unknown; message?: unknown; isCatchable?: unknown } | undefined;
    if (signal?.aborted || failure?.isCatchable === false) throw error;
    const failed = (groupFailures.get(group) ?? 0) + items;
    groupFailures.set(group, failed);
    if (exceedsTolerance(failed, tolerance)) {
      failedGroups.add(group);
      if (!tolerance.set) throw error;
      const threshold = [tolerance.count > 0n ? `ToleratedFailureCount ${tolerance.count}` : "", tolerance.percentage > 0 ? `ToleratedFailurePercentage ${tolerance.percentage}` : ""].filter(Boolean).join(", ");
      throw new ServiceTaskFailure("States.ExceedToleratedFailureThreshold", `The Map state '${tolerance.state}' failed: ${failed} of its ${tolerance.total} items failed, over its tolerated failure threshold (${threshold || "none tolerated"}).`);
    }
    const name = typeof failure?.name === "string" ? failure.name : "";
    const cause = typeof failure?.message === "string" ? failure.message : "";
    return { Status: "FAILED", ...(name ? { Error: name } : {}), ...(cause ? { Cause: cause } : {}) };
  });
}

/** Records a history event of `run` (EventChain), by default the run of the library's event being read. */
type RecordEvent = (type: string, details: Record<string, unknown>, run?: LibraryRun) => void;
/** Records a history event at `at`, of `run` (EventChain; none: ExecutionAborted, ExecutionTimedOut). */
type RecordEventAt = (type: string, details: Record<string, unknown>, at: number, run?: LibraryRun) => void;

/**
 * Each history event's previousEventId: the event that led to it, as AWS records it (LocalStack's AWS-recorded
 * test_base_scenarios: test_map_state, test_map_state_nested, test_map_state_catch, test_map_state_retry,
 * test_parallel_state_fail, test_parallel_state_retry, test_parallel_state_nested, test_lambda_invoke_with_retry_base;
 * test_sfn_api: test_stop_execution), not the event before. Events chain within their run (the execution's, a Map
 * iteration, a Parallel branch: each event's run, eventFacts). A run's next event follows the latest read of its own
 * and of its runs within's: a Map's or Parallel's failure, or its retry's start, follows the latest event read of its
 * iterations or branches, which is the failed one's last event when they run one at a time (AWS's choice among runs
 * under way at once is not recorded). A branch's first state follows its Parallel's start (the run's own latest
 * event); a MapIterationStarted the latest of the Map's run and its runs within (a queued iteration starts as one
 * ends: after that one's last state). ExecutionStarted, the first state's entry and ExecutionAborted (test_stop_execution)
 * follow none (0). An iteration's outcome (MapIterationSucceeded/Failed) is no event a later one follows, but for a
 * Map's success (MapStateSucceeded: after the last outcome), which no later event follows either (the state's exit
 * follows what its success followed); a Parallel records no outcome of its branches, so its success follows the
 * latest event of its branches. ExecutionTimedOut, of no run, follows the event before: no AWS recording shows one.
 * Events are chained in the order they are read: a run's events are read before anything its outcome led to
 * (settledOnceForwarded), but for runs under way at once not always in the order they happened
 * (docs/local-vs-aws.md). Not recorded by AWS (LocalStack masks the ids of branches under way at once): which event
 * the first events of branches or iterations started at once follow.
 */
class EventChain {
  /** Each run's latest event, its own or its runs within's, iteration outcomes left out (those of its own kept). */
  private readonly latest = new WeakMap<LibraryRun, number>();
  /** Each run's latest event, iteration outcomes included. */
  private readonly latestOfAll = new WeakMap<LibraryRun, number>();
  /** Each run's own latest event (a Parallel's start): what its branches start after. */
  private readonly own = new WeakMap<LibraryRun, number>();

  /** `start`: the event the run's first event follows (a redrive's ExecutionRedriven; none, 0, for a start). */
  constructor(private readonly start = 0) {}

  /** The previousEventId of event `id`, of `type`, of `run`, and the chain past it. */
  previous(id: number, type: string, run: LibraryRun | undefined): number {
    if (type === "ExecutionStarted" || type === "ExecutionAborted") return 0;
    if (!run) return id - 1;
    const parent = runParents.get(run);
    const succeeded = type === "MapStateSucceeded" || type === "ParallelStateSucceeded";
    const outcome = type === "MapIterationSucceeded" || type === "MapIterationFailed";
    const first = parent && (type === "MapIterationStarted" ? this.latest : this.own).get(parent);
    const previous = (succeeded ? this.latestOfAll.get(run) : this.latest.get(run)) ?? first ?? this.start;
    for (let at: LibraryRun | undefined = run; at; at = runParents.get(at)) {
      this.latestOfAll.set(at, id);
      if (at !== run && outcome) continue;
      this.latest.set(at, succeeded ? Math.max(this.latest.get(at) ?? 0, previous) : id);
    }
    if (!outcome) this.own.set(run, id);
    return previous;
  }
}

/**
 * aws-local-stepfunctions' events as Step Functions' history events (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html):
 * ExecutionStarted/Succeeded/Failed/Aborted/TimedOut, `<Type>StateEntered` and `<Type>StateExited` for each state,
 * a Map's MapStateStarted, MapIterationStarted/Succeeded/Failed and MapStateSucceeded/Failed, a Parallel's
 * ParallelStateStarted/Succeeded/Failed (CompositeOutcomes), and each Task's own events in their place (TaskJournal):
 * a Task's scheduling, start and outcome, as the local runtime's handlers record them, in a Map iteration or Parallel
 * branch too (each event's run: eventFacts). A Parallel branch has no history event (API_HistoryEvent has no type for
 * one): of the library's ParallelBranchStarted/Succeeded/Failed, only a branch's failure is read (CompositeOutcomes).
 */
function historyEvent(
  event: LibraryEvent,
  execution: Pick<Execution, "machine" | "error" | "cause">,
  failStates: LocalRun["failStates"],
  recordAt: RecordEventAt,
  journal: TaskJournal,
  outcomes: CompositeOutcomes,
): void {
  // What the run's logger measured of it (eventFacts), read before a Fail state's entry is copied below.
  const { machine } = execution;
  const facts = eventFacts.get(event);
  const run = facts?.run;
  // When the library saw it (events are read from its log after the fact), in its run (EventChain).
  const record: RecordEvent = (type, details, on = run) => recordAt(type, details, event.timestamp, on);
  // A Fail state runs as a Task (failStateAsTask); AWS records its entry, and nothing more before the execution (or the
  // branch) fails (test_state_fail: FailStateEntered, then ExecutionFailed).
  if (event.state && failStates.has(event.state.name)) {
    if (event.type !== "StateEntered") return;
    event = { ...event, state: { ...event.state, type: "Fail" } };
  }
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const composite = event.state?.type === "Map" || event.state?.type === "Parallel" ? event.state.type : undefined;
  // A Map or Parallel that failed uncaught fails before the execution (test_map_state_catch_empty_fail,
  // test_parallel_state_fail: MapStateFailed or ParallelStateFailed, then ExecutionFailed). One stopped or timed out
  // while it waited in its Retry interval did not fail: nothing is settled then.
  if (event.type === "ExecutionFailed") outcomes.settle(record);
  switch (event.type) {
    case "ExecutionStarted":
      return record("ExecutionStarted", { executionStartedEventDetails: { input: json(event.input), inputDetails: { truncated: false }, roleArn: machine.roleArn } });
    case "ExecutionSucceeded":
      return record("ExecutionSucceeded", { executionSucceededEventDetails: { output: json(event.output), outputDetails: { truncated: false } } });
    case "ExecutionFailed":
      return record("ExecutionFailed", { executionFailedEventDetails: failedWith(event.Error, event.Cause) });
    case "ExecutionAborted": {
      const { error, cause } = execution;
      // StopExecution's error and cause, each when given (API_ExecutionAbortedEventDetails: both optional), as
      // DescribeExecution has them: abort sets them before the run is stopped, so they are there when this is read.
      return record("ExecutionAborted", { executionAbortedEventDetails: { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) } });
    }
    case "ExecutionTimeout":
      return record("ExecutionTimedOut", { executionTimedOutEventDetails: { error: "States.Timeout" } });
    case "StateEntered": {
      record(`${event.state!.type}StateEntered`, { stateEnteredEventDetails: { name: event.state!.name, input: facts?.json ?? json(event.state!.input), inputDetails: { truncated: false } } });
      const length = facts?.length;
      // AWS records it next, before the first iteration (LocalStack's AWS-recorded test_base_scenarios, test_map_*).
      if (length !== undefined) record("MapStateStarted", { mapStateStartedEventDetails: { length } });
      // As a Parallel's, before its branches' first states (test_parallel_state: ParallelStateEntered, ParallelStateStarted).
      if (composite === "Parallel") record("ParallelStateStarted", {});
      if (composite) outcomes.entered(run, event.state!.name, length);
      return journal.place(run, event.state!.name);
    }
    case "StateRetried":
      // A Map or Parallel retried starts again, with no entry of its own (test_map_state_retry, test_parallel_state_retry):
      // the failure it retries is no MapStateFailed or ParallelStateFailed.
      if (composite) outcomes.retried(run, event.state!.name, composite, record);
      return journal.place(run, event.state!.name);
    case "StateExited": {
      journal.leave(run, event.state!.name);
      // A Map or Parallel that failed and was caught exits after its MapStateFailed or ParallelStateFailed
      // (test_map_state_catch, test_parallel_state_catch); else it succeeded, just before it exits (test_map_state).
      if (composite && !outcomes.exited(run, event.state!.name, record)) record(`${composite}StateSucceeded`, {});
      // The variables it assigned, each as its JSON (LocalStack's AWS-recorded test_assign_base: assignedVariables,
      // assignedVariablesDetails), only when it assigned some.
      const assigned = facts?.assigned ? { assignedVariables: facts.assigned, assignedVariablesDetails: { truncated: false } } : {};
      return record(`${event.state!.type}StateExited`, { stateExitedEventDetails: { ...assigned, name: event.state!.name, output: facts?.json ?? json(event.state!.output), outputDetails: { truncated: false } } });
    }
    case "StateFailed": {
      // A JSONata expression's failure: AWS records EvaluationFailed (no TaskFailed: the Task it fails was not
      // scheduled), then the execution's failure (LocalStack's AWS-recorded BASE_UNDEFINED_OUTPUT, BASE_UNDEFINED_ARGUMENTS).
      const location = facts?.location;
      if (location !== undefined) record("EvaluationFailed", { evaluationFailedEventDetails: { ...failedWith(event.Error, event.Cause), location, state: event.state!.name } });
      // Whether a Retry or Catch takes it, the library tells later (StateRetried, StateExited, its run's failure).
      if (composite) return outcomes.failed(run, event.state!.name, composite);
      if (location !== undefined) return;
      if (event.state!.type !== "Task") return;
      // The handler recorded the Task's failure; one the library gave it (its timer) is a timeout; a Task that failed
      // before it was scheduled (its Parameters) has no event of its own, as AWS records none (test_heartbeats' order):
      // the journal tells them apart (TaskJournal.leave).
      if (journal.follows(event.state!.name)) return journal.leave(run, event.state!.name, event);
      return record("TaskFailed", { taskFailedEventDetails: failedWith(event.Error, event.Cause) });
    }
    case "MapStateStarted":
      // A JSONata Map's, reported once its Items were evaluated (runJsonataState).
      return record("MapStateStarted", { mapStateStartedEventDetails: { length: facts?.length } });
    case "MapIterationStarted":
    case "MapIterationSucceeded":
      return record(event.type, { [`m${event.type.slice(1)}EventDetails`]: { name: event.parentState?.name, index: event.index } });
    case "MapIterationFailed":
      record(event.type, { [`m${event.type.slice(1)}EventDetails`]: { name: event.parentState?.name, index: event.index } });
      // The iteration failed, so did a Map or Parallel within it that failed uncaught (held since its StateFailed):
      // recorded after the iteration's failure, as the library forwards them (AWS's order for a nested Map is not
      // recorded). Not the Map of this iteration: its StateFailed comes later.
      return outcomes.settle(record);
    case "ParallelBranchFailed":
      // Not recorded (AWS records no branch events), but the branch failed: so did a Map or Parallel within it that
      // failed uncaught, before the Parallel's own failure (caught, the Parallel's exit would not settle it).
      return outcomes.settle(record);
    default:
      return;
  }
}

/**
 * The outcome of each Map and Parallel state under way (API_HistoryEvent: MapStateSucceeded/Failed,
 * ParallelStateSucceeded/Failed; where LocalStack's AWS-recorded test_base_scenarios places them). The library reports a
 * state's failure (StateFailed) before it decides on it: a Retry runs it again (StateRetried), a Catch leaves it
 * (StateExited with the error output), else its run fails (ExecutionFailed, or a Map iteration's or Parallel branch's
 * failure forwarded to the run it is within). So a failure is held until one of those, by run and state name.
 */
class CompositeOutcomes {
  /** Failures not yet settled, in the order they were reported; `recorded` once their event is in the history. */
  private readonly failures: Array<{ run: LibraryRun | undefined; name: string; type: "Map" | "Parallel"; recorded: boolean }> = [];
  /** Each Map's item count as it entered, by run and name: a retry starts it again with as many (MapStateStarted). */
  private readonly lengths = new Map<LibraryRun | undefined, Map<string, number>>();

  private take(run: LibraryRun | undefined, name: string) {
    const at = this.failures.findIndex((failure) => failure.run === run && failure.name === name);
    return at < 0 ? undefined : this.failures.splice(at, 1)[0];
  }

  entered(run: LibraryRun | undefined, name: string, length: number | undefined): void {
    this.take(run, name);
    if (length === undefined) return;
    const lengths = this.lengths.get(run) ?? new Map<string, number>();
    this.lengths.set(run, lengths.set(name, length));
  }

  failed(run: LibraryRun | undefined, name: string, type: "Map" | "Parallel"): void {
    this.take(run, name);
    this.failures.push({ run, name, type, recorded: false });
  }

  /** Retried: its failure was none; it starts again. */
  retried(run: LibraryRun | undefined, name: string, type: "Map" | "Parallel", record: RecordEvent): void {
    this.take(run, name);
    const length = this.lengths.get(run)?.get(name);
    if (type === "Parallel") record("ParallelStateStarted", {});
    else if (type === "Map" && length !== undefined) record("MapStateStarted", { mapStateStartedEventDetails: { length } });
  }

  /** It exits: caught (true, its failure recorded now if it was not yet) or succeeded (false). */
  exited(run: LibraryRun | undefined, name: string, record: RecordEvent): boolean {
    const failure = this.take(run, name);
    if (failure && !failure.recorded) record(`${failure.type}StateFailed`, {});
    return failure !== undefined;
  }

  /**
   * A run failed: every failure held stands (an iteration's or branch's failure, as the library forwards it, names no
   * run, so none is told apart). So a Map or Parallel waiting in its Retry interval when another run's failure aborts
   * it is recorded as failed (AWS's record of it then is not known here).
   */
  settle(record: RecordEvent): void {
    for (const failure of this.failures) {
      if (failure.recorded) continue;
      failure.recorded = true;
      record(`${failure.type}StateFailed`, {}, failure.run);
    }
  }
}

/** The Map Runs of Maps among an execution's own states (not within an iteration or a branch), by their Map's name: what a redrive redrives. */
const topLevelMapRuns = new WeakMap<MapRun, string>();

/**
 * The Map Runs of one STANDARD execution's DISTRIBUTED Map states (local/sfn-map-runs.ts), kept as its history is read:
 * one starts with each MapStateStarted of such a Map (its entry, and each Retry's start: "When you retry a Map state,
 * it creates a new Map Run", state-map-distributed.html), recorded as MapRunStarted with its ARN
 * (API_MapRunStartedEventDetails) after the MapStateStarted; its iterations move its counts (MapIterationStarted,
 * MapIterationSucceeded, MapIterationFailed: a batch's items each, API_MapRunItemCounts); it ends as its Map fails
 * (MapRunFailed with the Map's error and cause, API_MapRunFailedEventDetails, before the Map's failure is settled) or
 * exits (MapRunSucceeded, before MapStateSucceeded), or as the execution ends with it under way (MapRunAborted, its
 * children under way aborted). The events' names are API_HistoryEvent's (MapRunStarted, MapRunSucceeded,
 * MapRunFailed, MapRunAborted); their place among the Map's own events is as a third party recorded AWS runs (LocalStack's
 * test_map_state distributed snapshots: MapStateStarted, MapRunStarted, …, MapRunSucceeded, MapStateSucceeded), not
 * confirmed in AWS's own words, and MapRunAborted's is not recorded at all. AWS records a Distributed Map's children
 * in their own executions' histories: the local runtime keeps their events in the parent's (no child execution is made).
 */
class MapRunTracker {
  /** The Map Run under way of each DISTRIBUTED Map, by the Map's run and name. */
  private readonly open = new Map<LibraryRun | undefined, Map<string, MapRun>>();
  /** The Map a redrive starts from has started in this attempt (a Retry's start after that makes a new Map Run). */
  private restarted = false;

  constructor(
    private readonly execution: Execution,
    private readonly started: (mapRun: MapRun) => void,
    /** The state a redrive runs from (Execution.entered), for this attempt of a redriven execution. */
    private readonly redriveFrom?: string,
  ) {}

  /** The state `name` of `run` when it is a Map in Distributed mode (read without its Type: a routed state's Type is armed, routedByType). */
  private distributed(run: LibraryRun | undefined, name: string | undefined): Record<string, unknown> | undefined {
    const state = run && name !== undefined ? runStates.get(run)?.[name] : undefined;
    const processor = (state?.ItemProcessor ?? state?.Iterator) as { ProcessorConfig?: { Mode?: unknown } } | undefined;
    return processor?.ProcessorConfig?.Mode === "DISTRIBUTED" ? state : undefined;
  }

  /** The Map Run under way of the DISTRIBUTED Map `name` of `run`, if its start has been read. */
  opened(run: LibraryRun, name: string): MapRun | undefined {
    return this.open.get(run)?.get(name);
  }

  private take(run: LibraryRun | undefined, name: string | undefined): MapRun | undefined {
    const runs = this.open.get(run);
    const found = name === undefined ? undefined : runs?.get(name);
    if (found) runs!.delete(name!);
    return found;
  }

  /** The history recorded `type` for `event` (of `run`): a DISTRIBUTED Map's MapStateStarted starts its Map Run. */
  recorded(event: LibraryEvent, type: string, details: Record<string, unknown>, run: LibraryRun | undefined, record: RecordEvent): void {
    if (type !== "MapStateStarted") return;
    const name = event.state?.name;
    const state = this.distributed(run, name);
    if (!state || name === undefined) return;
    const items = (details.mapStateStartedEventDetails as { length?: number } | undefined)?.length ?? 0;
    // Its threshold as the Map read it (toleranceAt, runJsonataState): the object its iterations' failures are read against.
    const processor = (state.ItemProcessor ?? state.Iterator) as object;
    const tolerance = tolerances.get(run!)?.get(processor);
    const facts = eventFacts.get(event);
    // The gate of its children (gateChildren), in place since the start began: the MaxConcurrency it read.
    const gate = childGates.get(run!)?.get(processor);
    const concurrency = gate ? gate.initial : facts?.maxConcurrency ?? (typeof state.MaxConcurrencyPath === "string" ? readPath(state.MaxConcurrencyPath, effectiveInput(state, event.state?.input, undefined), undefined) : state.MaxConcurrency);
    const at = new Date(event.timestamp);
    const settings = {
      // API_DescribeMapRun maxConcurrency: 0 for a Map that sets none (as MaxConcurrency's own default, "no limit"; AWS's answer there is not confirmed).
      maxConcurrency: Number.isSafeInteger(concurrency) ? (concurrency as number) : 0,
      toleratedFailureCount: tolerance?.count ?? 0n,
      toleratedFailurePercentage: tolerance?.percentage ?? 0,
    };
    // The redrive's first start of the Map it starts from, one of the execution's own states (not within an iteration
    // or a branch): the Map Run the attempt before left unsuccessful is redriven (redriveMapRun), MapRunRedriven
    // (API_MapRunRedrivenEventDetails) in place of MapRunStarted. Its settings are as the Map reads them again (whether
    // AWS keeps an UpdateMapRun's across a redrive is not confirmed). Any other start makes a new Map Run.
    const topLevel = run !== undefined && !runParents.get(run);
    const redriven = topLevel && name === this.redriveFrom && !this.restarted ? this.execution.mapRuns.findLast((earlier) => topLevelMapRuns.get(earlier) === name) : undefined;
    if (name === this.redriveFrom && topLevel) this.restarted = true;
    const reused = redriven && (redriven.status === "FAILED" || redriven.status === "ABORTED") ? redriven : undefined;
    if (reused) redriveMapRun(reused, at, settings);
    const mapRun =
      reused ??
      startMapRun({
        executionArn: this.execution.arn,
        stateMachineArn: this.execution.machine.arn,
        label: state.Label,
        at,
        items,
        ...(state.ItemBatcher === undefined ? { children: items } : {}),
        ...settings,
      });
    if (topLevel) topLevelMapRuns.set(mapRun, name);
    // UpdateMapRun: its threshold, read at the next failed item (set: a Map that declared none tolerates it too); its maxConcurrency, by
    // the gate of the Map's latest start, which reads it from the Map Run (ChildGate), for the children not yet started.
    mapRun.update = ({ maxConcurrency, toleratedFailureCount, toleratedFailurePercentage }) => {
      if (tolerance && toleratedFailureCount !== undefined) Object.assign(tolerance, { count: toleratedFailureCount, set: true });
      if (tolerance && toleratedFailurePercentage !== undefined) Object.assign(tolerance, { percentage: toleratedFailurePercentage, set: true });
      if (maxConcurrency !== undefined) childGates.get(run!)?.get(processor)?.pump();
    };
    // A Map started again before its last Map Run ended (not expected: its failure ended it) ends that one.
    const stale = this.take(run, name);
    if (stale) endMapRun(stale, "ABORTED", at);
    const runs = this.open.get(run) ?? new Map<string, MapRun>();
    this.open.set(run, runs.set(name, mapRun));
    if (reused) return record("MapRunRedriven", { mapRunRedrivenEventDetails: { mapRunArn: mapRun.arn, redriveCount: mapRun.redriveCount } }, run);
    this.execution.mapRuns.push(mapRun);
    this.started(mapRun);
    record("MapRunStarted", { mapRunStartedEventDetails: { mapRunArn: mapRun.arn } }, run);
  }

  /** `event`, before the history records it (historyEvent): an iteration's start or outcome, a Map's failure or exit, the execution's end. */
  before(event: LibraryEvent, record: RecordEvent): void {
    const run = eventFacts.get(event)?.run;
    const at = new Date(event.timestamp);
    switch (event.type) {
      case "MapIterationStarted":
      case "MapIterationSucceeded":
      case "MapIterationFailed": {
        const parent = run && runParents.get(run);
        const mapRun = this.open.get(parent)?.get(event.parentState?.name ?? "");
        if (!mapRun || event.index === undefined) return;
        if (event.type !== "MapIterationStarted") return childEnded(mapRun, event.index, event.type === "MapIterationSucceeded" ? "succeeded" : "failed");
        // A batch's items (batchesOf: `{"Items": [...]}`), else one item.
        const input = event.input as { Items?: unknown } | undefined;
        const batched = mapRun.countedAsStarted && typeof input === "object" && input !== null && Array.isArray(input.Items);
        return childStarted(mapRun, event.index, batched ? (input.Items as unknown[]).length : 1);
      }
      case "StateFailed": {
        const mapRun = event.state?.type === "Map" ? this.take(run, event.state.name) : undefined;
        if (!mapRun) return;
        endMapRun(mapRun, "FAILED", at);
        return record("MapRunFailed", { mapRunFailedEventDetails: failedWith(event.Error, event.Cause) }, run);
      }
      case "StateExited": {
        const mapRun = event.state?.type === "Map" ? this.take(run, event.state.name) : undefined;
        if (!mapRun) return;
        endMapRun(mapRun, "SUCCEEDED", at);
        return record("MapRunSucceeded", {}, run);
      }
      case "ExecutionSucceeded":
      case "ExecutionFailed":
      case "ExecutionAborted":
      case "ExecutionTimeout":
        if (run && runParents.get(run)) return;
        return this.abortAll(at, record);
      default:
        return;
    }
  }

  /** The execution ended (or its history stopped being read): every Map Run under way is aborted. */
  abortAll(at: Date, record?: RecordEvent): void {
    for (const [run, runs] of this.open) {
      for (const mapRun of runs.values()) {
        endMapRun(mapRun, "ABORTED", at);
        record?.("MapRunAborted", {}, run);
      }
    }
    this.open.clear();
  }
}

/**
 * One run of a Task (a first attempt or a retry): its history events, recorded as its handler gets that far
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html). A request-response Task
 * records TaskScheduled and TaskStarted, then TaskSucceeded, TaskFailed or TaskTimedOut; a callback Task TaskSubmitted
 * (its call's result) between (LocalStack's AWS-recorded test_heartbeats: TaskStateEntered, TaskScheduled, TaskStarted,
 * TaskSubmitted, TaskTimedOut); a Task invoking a function directly LambdaFunctionScheduled, LambdaFunctionStarted, then
 * LambdaFunctionSucceeded, LambdaFunctionFailed or LambdaFunctionTimedOut.
 */
class TaskAttempt {
  private buffered: Array<[string, Record<string, unknown>, number]> = [];
  private placed = false;
  private closed = false;
  /** scheduled() ran: a callback Task that failed in resolvedLimits never did, and records no outcome. */
  private scheduledYet = false;
  /** Its outcome was recorded, or it has none (never scheduled): the handler settled. */
  ended = false;

  constructor(
    private readonly journal: TaskJournal,
    private readonly task: TaskRecord,
    /** The run that called its handler: its events are that run's (EventChain). */
    private readonly run: LibraryRun,
  ) {}

  /**
   * An event of this run, at `at`. `late`: the library's own event (its timer's timeout), read after the fact, so it
   * is recorded even if the execution ended since; the handler's events are dropped once it did.
   */
  private add(type: string, details: Record<string, unknown>, { at = Date.now(), late = false }: { at?: number; late?: boolean } = {}): void {
    // What happens once the library left the state (its timer), or the execution ended, is no part of the history.
    if (this.closed || (!late && !this.journal.open())) return;
    if (this.placed) this.journal.record(type, details, at, this.run);
    else this.buffered.push([type, details, at]);
  }

  /**
   * Runs `step`, which records from what a handler gave. Its outcome settles in a chain nobody awaits, where a throw
   * (a result JSON cannot hold, a BigInt; a rejection that is no Error) would be an unhandled rejection, which ends
   * `npm start` under Node's default: the history is left short instead, and says so in the log.
   */
  private safely(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.journal.lost(error);
    }
  }

  private named(): Record<string, unknown> {
    return { resourceType: this.task.resourceType, resource: this.task.resource };
  }

  /** The JSON of data measured against the quota; JSON could not hold it: thrown, for safely() to log. */
  private static json(data: Serialised): string {
    if ("error" in data) throw data.error;
    return data.json;
  }

  /** The Task is scheduled and started with `parameters` (as taskInputSized measured them) and its limits (as declared). */
  scheduled(parameters: Serialised, limits: CallbackLimits): void {
    this.scheduledYet = true;
    this.safely(() => {
      const { lambda } = this.task;
      const timeout = limits.timeoutSeconds !== undefined ? { timeoutInSeconds: limits.timeoutSeconds } : {};
      if (lambda !== undefined) {
        this.add("LambdaFunctionScheduled", { lambdaFunctionScheduledEventDetails: { resource: lambda, input: TaskAttempt.json(parameters), inputDetails: { truncated: false }, ...timeout } });
        return this.add("LambdaFunctionStarted", {});
      }
      const heartbeat = limits.heartbeatSeconds !== undefined ? { heartbeatInSeconds: limits.heartbeatSeconds } : {};
      this.add("TaskScheduled", { taskScheduledEventDetails: { ...this.named(), region: this.journal.region, parameters: TaskAttempt.json(parameters), ...timeout, ...heartbeat } });
      this.add("TaskStarted", { taskStartedEventDetails: this.named() });
    });
  }

  /**
   * A callback Task's call returned `output`: it now waits for its token. A token answered (or timed out) before the
   * call returned ended the Task first: no TaskSubmitted then, rather than one after its outcome.
   */
  submitted(output: unknown): void {
    if (this.ended) return;
    this.safely(() => this.add("TaskSubmitted", { taskSubmittedEventDetails: { ...this.named(), output: JSON.stringify(output ?? null), outputDetails: { truncated: false } } }));
  }

  /**
   * Records the Task's outcome when `outcome` (its result as measured: taskResultSized) settles (if it was scheduled: a
   * callback Task may fail before). It ended when `handled` (the handler's promise, which `outcome` measures a
   * microtask later) settled: a callback Task's call returning in between submits nothing.
   */
  settles(outcome: Promise<Serialised>, handled: Promise<unknown>): void {
    const ended = () => void (this.ended = true);
    handled.then(ended, ended);
    outcome.then(
      (output) => {
        this.ended = true;
        if (!this.scheduledYet) return;
        this.safely(() => {
          const details = { output: TaskAttempt.json(output), outputDetails: { truncated: false } };
          if (this.task.lambda !== undefined) this.add("LambdaFunctionSucceeded", { lambdaFunctionSucceededEventDetails: details });
          else this.add("TaskSucceeded", { taskSucceededEventDetails: { ...this.named(), ...details } });
        });
      },
      (reason: unknown) => {
        this.ended = true;
        if (!this.scheduledYet) return;
        // Any reason: an integration may reject with no Error at all.
        const error = reason as Partial<Error & { cause: unknown }> | null | undefined;
        this.failed(error?.name, error?.cause ?? error?.message);
      },
    );
  }

  /** The Task failed with `error` (States.Timeout: it timed out) and `cause`; `by`: the library's event that says so. */
  failed(error: string | null | undefined, cause: unknown, by?: LibraryEvent): void {
    this.ended = true;
    this.safely(() => {
      const timedOut = error === "States.Timeout";
      const [type, key] = OUTCOME_EVENTS[this.task.lambda !== undefined ? "lambda" : "task"][timedOut ? "timedOut" : "failed"];
      // A timeout's cause is the library's placeholder: AWS records the error only (test_heartbeats).
      const details = timedOut ? { error } : failedWith(error, cause);
      this.add(type, { [key]: this.task.lambda !== undefined ? details : { ...this.named(), ...details } }, by ? { at: by.timestamp, late: true } : {});
    });
  }

  /** The library entered (or retried) its state: what it recorded so far goes in now, the rest as it comes. */
  place(): void {
    this.placed = true;
    for (const [type, details, at] of this.buffered) this.journal.record(type, details, at, this.run);
    this.buffered = [];
  }

  /** It was placed under an entry not its own (TaskJournal.leave): what comes next waits for its own entry. */
  unplace(): void {
    this.placed = false;
  }

  /** The library left its state (or aborted its run: TaskJournal.abort): nothing more of this attempt goes in. */
  close(): void {
    this.closed = true;
  }
}

/** A failed or timed-out run's event type and details key: a function's, or a service integration's. */
const OUTCOME_EVENTS = {
  lambda: { failed: ["LambdaFunctionFailed", "lambdaFunctionFailedEventDetails"], timedOut: ["LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails"] },
  task: { failed: ["TaskFailed", "taskFailedEventDetails"], timedOut: ["TaskTimedOut", "taskTimedOutEventDetails"] },
} as const;

/**
 * An execution's Task attempts, each put in the history between the library's events of its state. The library calls
 * a Task's handler at once (no await) after it reports entering (or retrying) the state, but the history reads its
 * events after the fact: an attempt's events wait until its entry is read, and go in as they come after that. Each run
 * of the library (the execution's, a Map iteration, a Parallel branch: LibraryRun) runs one state at a time, so each
 * entry of a state in a run is that run's next attempt of it: the handler is told its run (instrumentRuns), and so is
 * each event read (eventFacts). Iterations and branches under way at once interleave in the history as they are read,
 * each attempt's events after its own entry and before its own exit. An entry that fails before the handler is called
 * (its InputPath or Parameters) has no attempt: when that failure is States.Runtime, the execution ends; when a Catch
 * takes it (the library's own errors in Parameters, such as States.StringToJson of no JSON, are catchable) back into
 * the same state before the history read the entry, the next attempt was put under it: leave() hands that attempt on
 * to the next entry, whose events recorded so far stay one entry early.
 */
class TaskJournal {
  /**
   * Each run's attempts: waiting for the history to read their entry, and under way (placed), by state name; and the
   * JSONata Tasks whose entry (or retry) was read before their attempt was queued (`entered`): one calls its handler
   * once its Arguments are evaluated, after an await (runJsonataState), so the history may read its entry first; its
   * attempt is placed as it is queued.
   */
  private readonly runs = new WeakMap<LibraryRun, { waiting: Map<string, TaskAttempt[]>; current: Map<string, TaskAttempt>; entered: Set<string> }>();

  constructor(
    readonly record: RecordEventAt,
    /** Whether the execution is still running: a Task's outcome once it ended (stopped, timed out) is not recorded. */
    readonly open: () => boolean,
    readonly region: string,
    private readonly tasks: ReadonlyMap<string, TaskRecord>,
    /** A Task's events that could not be recorded (TaskAttempt.safely). */
    readonly lost: (error: unknown) => void,
  ) {}

  /**
   * An attempt of `state`'s Task in `run`, starting now. Queued at once, before the library's next microtask: place()
   * pairs the run's queued attempts, first in first out, with the entries the history reads later.
   */
  attempt(run: LibraryRun, state: string, task: TaskRecord): TaskAttempt {
    const attempt = new TaskAttempt(this, task, run);
    let attempts = this.runs.get(run);
    if (!attempts) this.runs.set(run, (attempts = { waiting: new Map(), current: new Map(), entered: new Set() }));
    if (attempts.entered.delete(state)) {
      attempts.current.set(state, attempt);
      attempt.place();
      return attempt;
    }
    let queue = attempts.waiting.get(state);
    if (!queue) attempts.waiting.set(state, (queue = []));
    queue.push(attempt);
    return attempt;
  }

  /** Whether `state`'s Task attempts are recorded here (TaskRecord): its failures are then the handler's to record. */
  follows(state: string): boolean {
    return this.tasks.has(state);
  }

  /** `run` entered or retried `state`: its next attempt (none: the state is not followed, or failed before its Task ran). */
  place(run: LibraryRun | undefined, state: string): void {
    let attempts = run && this.runs.get(run);
    const attempt = attempts?.waiting.get(state)?.shift();
    if (!attempt) {
      if (run && this.tasks.get(state)?.calledLate) {
        if (!attempts) this.runs.set(run, (attempts = { waiting: new Map(), current: new Map(), entered: new Set() }));
        attempts.entered.add(state);
      }
      return;
    }
    attempts!.current.set(state, attempt);
    attempt.place();
  }

  /**
   * `run` left `state`; `failed`: its StateFailed. An attempt whose handler has not settled failed by the library's
   * timer when that says States.Timeout; otherwise the entry failed before its handler was called, and the attempt is
   * the next entry's (a Catch loop-back read late: see the class).
   */
  leave(run: LibraryRun | undefined, state: string, failed?: LibraryEvent): void {
    const attempts = run && this.runs.get(run);
    attempts?.entered.delete(state);
    const attempt = attempts?.current.get(state);
    if (!attempt) return;
    attempts!.current.delete(state);
    if (failed && !attempt.ended) {
      if (failed.Error !== "States.Timeout") {
        attempt.unplace();
        attempts!.waiting.get(state)!.unshift(attempt);
        return;
      }
      attempt.failed(failed.Error, failed.Cause, failed);
    }
    attempt.close();
  }

  /**
   * The library aborted `run` (a sibling iteration or branch failed its Map or Parallel; the execution stopped or timed
   * out): its Tasks' handlers settle later, and AWS records no outcome of an aborted iteration's Task (it ends with a
   * TaskStateAborted, which the local runtime does not record: LocalStack's AWS-recorded test_service_lambda_map_timeout),
   * so each of its attempts closes now. What they recorded before goes in when their entries are read.
   */
  abort(run: LibraryRun): void {
    const attempts = this.runs.get(run);
    for (const attempt of attempts ? [...attempts.current.values(), ...[...attempts.waiting.values()].flat()] : []) attempt.close();
  }
}

export interface LocalSfnServer {
  endpoint: string;
  sfn: LocalStepFunctions;
  stop(): Promise<void>;
}

export interface LocalSfnServerOptions {
  stateMachines: LocalStateMachineDefinition[];
  /** The credentials requests must be signed with (SigV4). @default [LOCAL_CREDENTIALS] */
  credentials?: readonly SigV4Credentials[];
  /**
   * IAM for signed requests (local/function-roles.ts): StartExecution and StartSyncExecution as states:StartExecution /
   * states:StartSyncExecution on the state machine's ARN, ListExecutions on the state machine's (or the Map Run's it
   * names) and DescribeStateMachine on the state machine's, DescribeExecution, StopExecution and GetExecutionHistory on the execution's, SendTaskSuccess,
   * SendTaskFailure and SendTaskHeartbeat on the state machine's whose execution issued the token, ListMapRuns on the
   * execution's, DescribeMapRun and UpdateMapRun on the Map Run's
   * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html). A refusal is
   * AccessDeniedException, "User: … is not authorized to perform: states:StartExecution on resource: … because no
   * identity-based policy allows the states:StartExecution action".
   * @default every signed request is allowed
   */
  authorise?: Authorise;
  /** Every Retry waits this long instead of its IntervalSeconds and backoff (tests). @default the definition's */
  retryIntervalMs?: number;
  /** The timers Task timeouts and Retry intervals run on (TaskClock; tests). @default Node's */
  clock?: TaskClock;
  log?(message: string): void;
}

const JSON_10 = "application/x-amz-json-1.0";
/** Larger than any valid request (an input of 256 KiB, escaped in JSON, with the ARN and name). */
const LARGEST_REQUEST_BYTES = 2 * 1024 * 1024;

/** An operation run for a request signed for `region` (ofOtherRegion: a resource of another region is none). */
type Operation = (sfn: LocalStepFunctions, input: Record<string, unknown>, region: string) => Answer | Promise<Answer>;

// Each operation's run; what it is authorised as is OPERATION_PERMISSIONS' (local/sfn-permissions.ts), one key set.
const RUNS: Record<keyof typeof OPERATION_PERMISSIONS, Operation> = {
  StartExecution: (sfn, input, region) => sfn.start(input, false, region),
  StartSyncExecution: (sfn, input, region) => sfn.start(input, true, region),
  DescribeExecution: (sfn, input, region) => sfn.describeExecution(input, region),
  StopExecution: (sfn, input, region) => sfn.stopExecution(input, region),
  RedriveExecution: (sfn, input, region) => sfn.redriveExecution(input, region),
  ListExecutions: (sfn, input, region) => sfn.listExecutions(input, region),
  GetExecutionHistory: (sfn, input, region) => sfn.getExecutionHistory(input, region),
  DescribeStateMachine: (sfn, input, region) => sfn.describeStateMachine(input, region),
  SendTaskSuccess: (sfn, input, region) => sfn.sendTaskSuccess(input, region),
  SendTaskFailure: (sfn, input, region) => sfn.sendTaskFailure(input, region),
  SendTaskHeartbeat: (sfn, input, region) => sfn.sendTaskHeartbeat(input, region),
  ListMapRuns: (sfn, input, region) => sfn.listMapRuns(input, region),
  DescribeMapRun: (sfn, input, region) => sfn.describeMapRun(input, region),
  UpdateMapRun: (sfn, input, region) => sfn.updateMapRun(input, region),
};
const OPERATIONS: Record<string, { run: Operation; action: string; resource: OperationResource }> = Object.fromEntries(
  Object.entries(OPERATION_PERMISSIONS).map(([name, permission]) => [name, { ...permission, run: RUNS[name as keyof typeof RUNS] }]),
);

export async function startLocalSfn(options: LocalSfnServerOptions): Promise<LocalSfnServer> {
  const sfn = new LocalStepFunctions(options.stateMachines, { log: options.log, retryIntervalMs: options.retryIntervalMs, ...(options.clock ? { clock: options.clock } : {}) });
  const credentials = options.credentials ?? [LOCAL_CREDENTIALS];
  const regions = new Set(options.stateMachines.map((m) => m.arn.split(":")[3]));
  const server = createServer((request, response) => {
    handle(sfn, { credentials, regions, authorise: options.authorise }, request, response).catch((error: unknown) => {
      // Nothing a client sends may stop the runtime: an unexpected failure is a 500 in the JSON error shape.
      options.log?.(`local Step Functions: ${(error as Error).message}`);
      if (!response.headersSent) reply(response, new SfnError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sfn,
    async stop() {
      sfn.stopAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await sfn.drained();
    },
  };
}

async function handle(
  sfn: LocalStepFunctions,
  { credentials, regions, authorise }: { credentials: readonly SigV4Credentials[]; regions: ReadonlySet<string>; authorise?: Authorise },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, LARGEST_REQUEST_BYTES);
  if (body.length > LARGEST_REQUEST_BYTES) return reply(response, new SfnError("RequestEntityTooLarge", `The request is larger than ${LARGEST_REQUEST_BYTES} bytes.`, 413));
  // Authenticated before the body is read as JSON (AWS authenticates a request before acting on it).
  const verdict = await verifySignedHeaders(request, body, { service: "states", credentials, servesRegion: (region) => regions.size === 0 || regions.has(region) });
  if (!verdict.ok) {
    const failure = jsonProtocolFailure(verdict.failure);
    return reply(response, new SfnError(failure.code, failure.message, failure.status));
  }
  const target = request.headers["x-amz-target"];
  const [service, name] = typeof target === "string" ? target.split(".") : [];
  // Own properties only: `AWSStepFunctions.toString` or `__proto__` name no operation.
  const operation = service === "AWSStepFunctions" && name !== undefined && Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (request.method !== "POST" || !operation) {
    return reply(response, new SfnError("UnknownOperationException", `The local Step Functions server does not support ${String(target ?? request.method).slice(0, 100)}; it answers ${Object.keys(OPERATIONS).join(", ")}.`));
  }
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    return reply(response, new SfnError("SerializationException", "Start of structure or map found where not expected."));
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) return reply(response, new SfnError("SerializationException", "The request body must be a JSON object."));
  const fields = input as Record<string, unknown>;
  exactLongs(name, fields, body.toString("utf8"));
  try {
    checkMemberTypes(name, fields);
  } catch (error) {
    return reply(response, error as SfnError);
  }
  // ListExecutions names a state machine or a Map Run ("You can specify either a mapRunArn or a stateMachineArn",
  // API_ListExecutions), and is authorised on the one it names (Service Authorization Reference, AWS Step Functions:
  // ListExecutions, resource types maprun* or statemachine*).
  const named: OperationResource = name === "ListExecutions" && (fields.stateMachineArn ?? undefined) === undefined && (fields.mapRunArn ?? undefined) !== undefined ? "mapRunArn" : operation.resource;
  let resource = fields[named];
  if (named === "taskToken") {
    try {
      resource = sfn.taskTokenMachine(fields);
    } catch (error) {
      // A token refused (missing, of a length the model does not take, or not this server's) has no state machine to
      // authorise on: the operation refuses it, after the model's checks of its other members (output, error, cause).
      if (!(error instanceof SfnError)) throw error;
      resource = undefined;
    }
  }
  // A resource of another region than the request was signed for is none (ofOtherRegion): not authorised on, and
  // refused as missing by its operation's lookup, after the operation's checks of the request's members (AWS
  // validates a request before acting on it).
  if (typeof resource === "string" && !(/^arn:/.test(resource) && ofOtherRegion(resource, verdict.signer.region))) {
    // AccessDeniedException with 400, as Step Functions refuses (a Lambda's StartExecution refused with statusCode 400:
    // FormidableLabs/aws-lambda-serverless-reference#31; "… because no session policy allows the states:ListExecutions
    // action": aws/aws-sdk-js-v3#3262).
    const refused = authorise?.(verdict.signer.accessKeyId, operation.action, resource);
    if (refused) return reply(response, new SfnError("AccessDeniedException", `User: ${refused.caller} is not authorized to perform: ${operation.action} on resource: ${resource} ${refused.reason}`));
  }
  try {
    const output = await operation.run(sfn, fields, verdict.signer.region);
    if (response.destroyed) return;
    response.writeHead(200, { "content-type": JSON_10, "x-amzn-requestid": randomUUID() });
    response.end(answerText(output));
  } catch (error) {
    if (!(error instanceof SfnError)) throw error;
    if (!response.destroyed) reply(response, error);
  }
}

function reply(response: ServerResponse, error: SfnError): void {
  response.writeHead(error.status, { "content-type": JSON_10, "x-amzn-requestid": randomUUID() });
  response.end(JSON.stringify({ __type: error.type, message: error.message }));
}
