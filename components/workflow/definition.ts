/**
 * A Workflow's definition: LambdaFunctions found where Task states name them (Parallel `Branches` and Map
 * `ItemProcessor`/`Iterator` included), the JSON deployed (each function as its ARN), and the check of that JSON as
 * Amazon States Language at plan time, with each function and each deploy-time value replaced by a placeholder.
 */
import * as pulumi from "@pulumi/pulumi";
import { IAM_ROLE_ARN } from "../arn";
import type { ArgFailure } from "../errors";
import { installCompiledAslSchemaCheck } from "./asl-schema-check";
import { digest } from "../lambda/bundle-cache";
import type { LambdaFunction } from "../lambda/function";
import { deployedTarget, grantedIntegration, indexNamed, plannedTarget, targetKind, type DefinitionIntegration, type IntegrationTargetKind } from "./integrations";
import type { WorkflowDefinition } from "./spec";

/**
 * Step Functions' limits on what the component creates:
 * - the definition: "Maximum size of state machine definition: 1 MB" (hard quota,
 *   https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); CreateStateMachine `definition` takes
 *   at most 1048576 characters (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html)
 *   and terraform-provider-aws refuses a longer one at preview (internal/service/sfn/state_machine.go:
 *   `validation.StringLenBetween(0, 1024*1024)`, Go's byte length). Measured here in UTF-8 bytes, the stricter of the two.
 * - the name: "State machine, execution, and activity names must be 1–80 characters" (service-quotas.html); the
 *   provider takes `^[0-9A-Za-z_-]+$` only ("the name should only contain 0-9, A-Z, a-z, - and _", state_machine.go),
 *   which is also what CloudWatch Logs logging takes.
 * - the log destination: CloudWatchLogsLogGroup `logGroupArn` has "Length Constraints: Minimum length of 1. Maximum
 *   length of 256" and "must end with :*" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CloudWatchLogsLogGroup.html).
 */
export const STATES_LIMITS = {
  definitionBytes: 1024 * 1024,
  nameLength: 80,
  logDestinationLength: 256,
} as const;

/** A Task state naming a LambdaFunction, where it stands in the definition (`States.Resize`, `States.Fan.Branches[0].States.Thumb`). */
export interface DefinitionFunction {
  path: string;
  fn: LambdaFunction;
  /** The Task names `Credentials`: it runs under the role it assumes, not the workflow's (which needs no grant for it). */
  assumed: boolean;
}

/** What the definition walk found: the functions its Tasks name, the tree to deploy, and the tree to validate now. */
export interface WalkedDefinition {
  functions: DefinitionFunction[];
  /** The Task states naming a service integration (optimized or AWS SDK) the component grants for (integrations.ts), with their targets. */
  integrations: DefinitionIntegration[];
  /** Where the Map states in Distributed mode stand (`ItemProcessor.ProcessorConfig.Mode` "DISTRIBUTED"): each runs child executions of the state machine. */
  distributedMaps: string[];
  /** The definition with each LambdaFunction as its ARN (an Output), deploy-time values kept: `pulumi.jsonStringify` it. */
  deployed: unknown;
  /** The definition as plain JSON: each LambdaFunction as a placeholder ARN of its region, each deploy-time value as a placeholder. */
  planned: unknown;
}

/** Fields whose value ASL requires to be a number: a deploy-time value there is validated as a number. */
const NUMERIC_FIELDS: ReadonlySet<string> = new Set([
  "TimeoutSeconds", "HeartbeatSeconds", "Seconds", "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage",
  "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
]);

/** An account id in placeholder ARNs: the definition's check sees an ARN of the same form and length as the real one. */
const PLACEHOLDER_ACCOUNT = "123456789012";
/** What stands for a deploy-time `Resource`: an ARN of the form ASL takes. */
const PLACEHOLDER_RESOURCE = "arn:aws:states:::placeholder:deploy-time-value";
/** What stands for any other deploy-time value. */
const PLACEHOLDER_VALUE = "<deploy-time value>";
/**
 * What stands for a deploy-time value where ASL takes a path: a `*Path` field (`TimeoutSecondsPath`, `ItemsPath`,
 * `ResultPath`, a Choice rule's `StringEqualsPath`), a Choice rule's `Variable`, and a payload template's `"key.$"`
 * field ("If the value of a field is a path, the field's name must end in .$", https://states-language.net/spec.html#payload-template).
 * asl-validator 3.16.0 refuses `<deploy-time value>` there ("must match format asl_ref_path", "asl_payload_template").
 */
const PLACEHOLDER_PATH = "$.deployTime";
/** What stands for a deploy-time Wait `Timestamp` (or a Choice rule's `Timestamp*` value): "an ISO-8601 extended offset date-time" (spec, Wait State). */
const PLACEHOLDER_TIMESTAMP = "2000-01-01T00:00:00Z";
/** Choice rule fields whose value ASL requires to be a boolean (spec, Choice Rules: BooleanEquals and the Is* tests). */
const BOOLEAN_FIELDS: ReadonlySet<string> = new Set(["BooleanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"]);
/** Choice rule fields whose value ASL requires to be a number (spec, Choice Rules: the Numeric* comparisons with a literal). */
const NUMERIC_COMPARISONS: ReadonlySet<string> = new Set(["NumericEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "NumericLessThan", "NumericLessThanEquals"]);

/**
 * The placeholder a deploy-time value is checked as, by the field that holds it, so that asl-validator takes every
 * definition AWS would: an ARN for a `Resource`, a number, boolean, path or timestamp where ASL requires one, text otherwise.
 */
export function placeholderFor(key: string): unknown {
  if (key === "Resource") return PLACEHOLDER_RESOURCE;
  if (NUMERIC_FIELDS.has(key) || NUMERIC_COMPARISONS.has(key)) return 1;
  if (BOOLEAN_FIELDS.has(key)) return true;
  if (key.endsWith("Path") || key.endsWith(".$") || key === "Variable") return PLACEHOLDER_PATH;
  if (key === "Timestamp" || /^Timestamp(Equals|GreaterThan|GreaterThanEquals|LessThan|LessThanEquals)$/.test(key)) return PLACEHOLDER_TIMESTAMP;
  return PLACEHOLDER_VALUE;
}

/** Duck-typed, as the other components take a LambdaFunction (a library consumer may load two copies of the class). */
export function isLambdaFunction(value: unknown): value is LambdaFunction {
  const candidate = value as Partial<LambdaFunction> | undefined;
  return typeof candidate === "object" && candidate !== null && typeof candidate.spec?.name === "string" && typeof candidate.spec?.handler === "string" && pulumi.Output.isInstance(candidate.arn);
}

/** Where a walked value stands: a Task's Resource, or a service integration's target field (integrations.ts). */
type Slot = { kind: "Resource"; assumed: boolean } | { kind: IntegrationTargetKind; record: DefinitionIntegration };

const TARGET_FIX: Record<Exclude<IntegrationTargetKind, "LambdaFunction">, string> = {
  DataTable:
    'a DataTier\'s table stands only as the TableName of a Task whose Resource is "arn:aws:states:::dynamodb:getItem" (putItem, updateItem, deleteItem) or "arn:aws:states:::aws-sdk:dynamodb:query" (scan, getItem, putItem, updateItem, deleteItem); a BatchWriteItem\'s or BatchGetItem\'s RequestItems are keyed by the table\'s name, and a transaction\'s items are each authorised as their own action: write the table\'s name there and grant those actions through permissions',
  MessageQueue: 'a MessageQueue stands only as the QueueUrl of a Task whose Resource is "arn:aws:states:::sqs:sendMessage", "arn:aws:states:::aws-sdk:sqs:sendMessage" or "arn:aws:states:::aws-sdk:sqs:sendMessageBatch"',
  Topic: 'a Topic stands only as the TopicArn of a Task whose Resource is "arn:aws:states:::sns:publish", "arn:aws:states:::aws-sdk:sns:publish" or "arn:aws:states:::aws-sdk:sns:publishBatch"',
  EventBus: 'an EventBus stands only as an entry\'s EventBusName in the Entries of a Task whose Resource is "arn:aws:states:::events:putEvents" or "arn:aws:states:::aws-sdk:eventbridge:putEvents"',
};

/**
 * Walks the definition: a LambdaFunction is taken as a Task state's `Resource`, or as the `FunctionName` of a
 * `lambda:invoke` (or `aws-sdk:lambda:invoke`) Task's Parameters (JSONPath) or Arguments (JSONata); a DataTier's table,
 * a MessageQueue, a Topic or an EventBus as the target of the optimized or AWS SDK integration that takes it
 * (integrations.ts OPTIMIZED_INTEGRATIONS, SDK_INTEGRATIONS) — anywhere else each would be
 * serialised as a Pulumi resource object. Outputs and Promises anywhere, plain JSON otherwise. `region` is the region
 * a placeholder ARN names (the workflow's, when known).
 */
export function walkDefinition(fail: ArgFailure, definition: WorkflowDefinition, region: string | undefined): WalkedDefinition {
  const functions: DefinitionFunction[] = [];
  const integrations: DefinitionIntegration[] = [];
  const distributedMaps: string[] = [];
  /** lambda:invoke Tasks whose FunctionName is an Output: each may be a walked function's `arn`. */
  const functionArns: Array<{ record: DefinitionIntegration; arn: pulumi.Output<unknown> }> = [];
  const placeholderArn = (fn: LambdaFunction) => `arn:aws:lambda:${region ?? "us-east-1"}:${PLACEHOLDER_ACCOUNT}:function:${fn.spec.name}-function-0000000`;
  const walk = (value: unknown, path: string, key: string, slot?: Slot): { deployed: unknown; planned: unknown } => {
    if (isLambdaFunction(value)) {
      if (slot?.kind !== "Resource" && slot?.kind !== "LambdaFunction") {
        fail(
          "definition",
          path,
          `holds the LambdaFunction "${value.spec.name}" where only a Task state's Resource, or the FunctionName of a lambda:invoke (or aws-sdk:lambda:invoke) Task's Parameters or Arguments, may name one`,
          `Make it a Task state's Resource ({ Type: "Task", Resource: ${value.spec.name}, ... }) or { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: ${value.spec.name}, "Payload.$": "$" } }, or pass its ARN (fn.arn) and grant lambda:InvokeFunction through permissions.`,
        );
      }
      functions.push({ path, fn: value, assumed: slot.kind === "Resource" ? slot.assumed : slot.record.assumed });
      if (slot.kind === "LambdaFunction") slot.record.targets.push({ kind: "LambdaFunction", value });
      return { deployed: value.arn, planned: placeholderArn(value) };
    }
    const kind = targetKind(value);
    if (kind) {
      if (slot?.kind !== kind) {
        fail("definition", path, `holds a ${kind} where it cannot stand: ${TARGET_FIX[kind]}`, `Move it there (the component then grants the workflow's role exactly that action on it), or pass one of its outputs and grant the action through permissions.`);
      }
      slot.record.targets.push({ kind, value });
      return { deployed: deployedTarget(kind, value), planned: plannedTarget(kind, region) };
    }
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
      return { deployed: value, planned: placeholderFor(key) };
    }
    if (Array.isArray(value)) {
      const items = value.map((item, i) => walk(item, `${path}[${i}]`, key));
      return { deployed: items.map((item) => item.deployed), planned: items.map((item) => item.planned) };
    }
    if (typeof value === "object" && value !== null) {
      if (pulumi.Resource.isInstance(value)) {
        fail("definition", path, "holds a Pulumi resource, which a definition cannot serialise", "Use one of its outputs (e.g. its arn) instead, or a LambdaFunction as a Task state's Resource.");
      }
      const object = value as Record<string, unknown>;
      const isTask = object.Type === "Task";
      const processor = object.ItemProcessor as { ProcessorConfig?: { Mode?: unknown } } | undefined;
      if (object.Type === "Map" && processor?.ProcessorConfig?.Mode === "DISTRIBUTED") distributedMaps.push(path);
      const integration = isTask ? grantedIntegration(object.Resource) : undefined;
      // "Credentials: … a target role the state machine's execution role must assume before invoking the specified
      // Resource" (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html): the Task acts as that role, and
      // the workflow's role needs only sts:AssumeRole on it (the component's AssumeTaskRoles, taskCredentialRoles).
      const assumed = isTask && object.Credentials !== undefined;
      const record: DefinitionIntegration | undefined = integration ? { path, integration: integration.integration, targets: [], assumed } : undefined;
      const deployed: Record<string, unknown> = {};
      const planned: Record<string, unknown> = {};
      for (const [field, inner] of Object.entries(object)) {
        if (inner === undefined) continue;
        const each =
          record && (field === "Parameters" || field === "Arguments")
            ? walkPayload(inner, `${path}.${field}`, field, record)
            : walk(inner, `${path}.${field}`, field, isTask && field === "Resource" ? { kind: "Resource", assumed } : undefined);
        deployed[field] = each.deployed;
        planned[field] = each.planned;
      }
      if (record) integrations.push(record);
      return { deployed, planned };
    }
    if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
      fail("definition", path, `holds a ${typeof value}, which JSON cannot carry`, "Give plain JSON values (strings, numbers, booleans, null, arrays, objects), Outputs, or a LambdaFunction as a Task state's Resource.");
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      fail("definition", path, `holds ${value}, which JSON cannot carry`, "Give a finite number.");
    }
    return { deployed: value, planned: value };
  };
  /** A service integration's (optimized or AWS SDK) Parameters or Arguments: its target field may hold the component it takes. */
  const walkPayload = (payload: unknown, path: string, key: string, record: DefinitionIntegration): { deployed: unknown; planned: unknown } => {
    const { field, kind } = record.integration;
    const plain = typeof payload !== "object" || payload === null || Array.isArray(payload) || pulumi.Resource.isInstance(payload) || pulumi.Output.isInstance(payload) || targetKind(payload) !== undefined;
    if (plain) return walk(payload, path, key);
    const object = payload as Record<string, unknown>;
    const deployed: Record<string, unknown> = {};
    const planned: Record<string, unknown> = {};
    if (record.integration.indexed) record.index = indexNamed(object);
    for (const [name, inner] of Object.entries(object)) {
      if (inner === undefined) continue;
      let each: { deployed: unknown; planned: unknown };
      if (name === field && kind === "LambdaFunction" && pulumi.Output.isInstance(inner)) functionArns.push({ record, arn: inner });
      if (name === field) {
        each = walk(inner, `${path}.${name}`, name, { kind, record });
      } else if (kind === "EventBus" && name === "Entries" && Array.isArray(inner)) {
        // Each entry's EventBusName may be an EventBus; an entry without one goes to the default bus (the caller's to grant).
        const entries = inner.map((entry, i) => {
          const at = `${path}.Entries[${i}]`;
          if (typeof entry !== "object" || entry === null || Array.isArray(entry) || pulumi.Resource.isInstance(entry) || pulumi.Output.isInstance(entry)) return walk(entry, at, name);
          const out: { deployed: Record<string, unknown>; planned: Record<string, unknown> } = { deployed: {}, planned: {} };
          for (const [entryField, value] of Object.entries(entry as Record<string, unknown>)) {
            if (value === undefined) continue;
            const walked = walk(value, `${at}.${entryField}`, entryField, entryField === "EventBusName" ? { kind, record } : undefined);
            out.deployed[entryField] = walked.deployed;
            out.planned[entryField] = walked.planned;
          }
          return out;
        });
        each = { deployed: entries.map((e) => e.deployed), planned: entries.map((e) => e.planned) };
      } else {
        each = walk(inner, `${path}.${name}`, name);
      }
      deployed[name] = each.deployed;
      planned[name] = each.planned;
    }
    return { deployed, planned };
  };
  if (typeof definition !== "object" || definition === null || Array.isArray(definition)) {
    fail("definition", definition, "is not an object", 'Give the state machine in Amazon States Language, e.g. { StartAt: "Resize", States: { Resize: { Type: "Task", Resource: resize, End: true } } }.');
  }
  const { deployed, planned } = walk(definition, "definition", "");
  // A lambda:invoke whose FunctionName is the `arn` of a function a Task names: that function, which the component grants.
  for (const { record, arn } of functionArns) {
    const named = functions.find(({ fn }) => fn.arn === arn);
    if (!named) continue;
    record.targets.push({ kind: "LambdaFunction", value: named.fn });
    functions.push({ path: record.path, fn: named.fn, assumed: record.assumed });
  }
  return { functions, integrations, distributedMaps, deployed, planned };
}

/** A state of a definition, where it stands, and the Parallel and Map states it runs in (outermost first). */
export interface DefinitionState {
  name: string;
  /** `definition.States.Fan.Branches[0].States.Thumb`. */
  path: string;
  state: Record<string, any>;
  within: ReadonlyArray<Record<string, any>>;
}

/**
 * Every state of a definition (or of a Parallel branch or Map processor given as one), Parallel `Branches` and Map
 * `ItemProcessor`/`Iterator` states included, each after the state that holds it: the one walk of a definition's
 * states that the component's checks, the deploy and security rules and the local runtime share.
 */
export function* definitionStates(definition: unknown, path = "definition"): Generator<DefinitionState> {
  const visit = function* (states: unknown, at: string, within: ReadonlyArray<Record<string, any>>): Generator<DefinitionState> {
    if (typeof states !== "object" || states === null || Array.isArray(states)) return;
    for (const [name, state] of Object.entries(states as Record<string, unknown>)) {
      if (typeof state !== "object" || state === null || Array.isArray(state)) continue;
      const here = `${at}.${name}`;
      const record = state as Record<string, any>;
      yield { name, path: here, state: record, within };
      const inner = [...within, record];
      for (const [i, branch] of (Array.isArray(record.Branches) ? record.Branches : []).entries()) yield* visit(branch?.States, `${here}.Branches[${i}].States`, inner);
      for (const field of ["ItemProcessor", "Iterator"]) yield* visit(record[field]?.States, `${here}.${field}.States`, inner);
    }
  };
  yield* visit((definition as { States?: unknown } | undefined)?.States, `${path}.States`, []);
}

/** A Task that assumes a role: the role's ARN when the definition names it (a string or a deploy-time value), else undefined. */
export interface TaskCredentialRole {
  name: string;
  path: string;
  /** `Credentials.RoleArn` as the definition holds it: an IAM role ARN string, an Output or Promise (e.g. `role.arn`); undefined when the execution gives it (`RoleArn.$` JSONPath, a `{% … %}` JSONata expression) or it is no role ARN. */
  roleArn: unknown;
}

/**
 * Each Task state with `Credentials` ("Credentials: … a target role the state machine's execution role must assume
 * before invoking the specified Resource", https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html),
 * Parallel branches and Map processors included, with the role it names. `RoleArn` is a literal or, per query
 * language, `"RoleArn.$": "<path>"` (JSONPath) or `"RoleArn": "{% … %}"` (JSONata): those two are known only in an
 * execution and yield no roleArn.
 */
export function* taskCredentialRoles(definition: unknown): Generator<TaskCredentialRole> {
  for (const { name, path, state } of definitionStates(definition)) {
    if (state.Type !== "Task" || typeof state.Credentials !== "object" || state.Credentials === null) continue;
    const given = (state.Credentials as Record<string, unknown>).RoleArn;
    const known = pulumi.Output.isInstance(given) || given instanceof Promise || (typeof given === "string" && IAM_ROLE_ARN.test(given));
    yield { name, path: `${path}.Credentials.RoleArn`, roleArn: known ? given : undefined };
  }
}

/** Every Task state of a definition (Parallel branches and Map processors included), with its name. */
export function* taskStates(definition: unknown): Generator<[string, Record<string, any>]> {
  for (const { name, state } of definitionStates(definition)) if (state.Type === "Task") yield [name, state];
}

/** The UTF-8 size of a definition's JSON. */
export function definitionBytes(json: string): number {
  return Buffer.byteLength(json, "utf8");
}

/**
 * The characters a backslash escapes in an intrinsic function's quoted argument: "The literal string `\'` represents
 * `'`", and likewise `\{`, `\}` and `\\` (the AWS Step Functions developer guide, intrinsic functions page, "Reserved
 * characters in intrinsic functions"). No other escape is listed, and AWS refuses `\"` there when the state machine is
 * created: InvalidDefinition "SCHEMA_VALIDATION_FAILED: The value for the field 'parsed.$' must be a valid JSONPath or
 * a valid intrinsic function call at /States/IntrinsicEscape/Parameters" (LocalStack's AWS-recorded snapshot
 * test_base_scenarios.py test_illegal_escapes, ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION and _2, 2025-02-02). What
 * it answers for any other escaped character (`\n`, `\d`) is not recorded: those are not refused (no finding on a guess;
 * if AWS refuses one, CreateStateMachine says so at `pulumi up`). INTRINSIC_REFUSED holds the recorded refusals only.
 */
const INTRINSIC_REFUSED = '"';

/**
 * Reads the quoted arguments of an intrinsic function invocation as AWS does: the escapes AWS refuses in them (the
 * characters after each backslash, in order), and the invocation with each of their escapes written `\{`, which
 * asl-path-validator 0.16.1 takes as one escaped character, as AWS reads each escape it takes. Its grammar
 * (src/aslPaths.pegjs: `escaped = "\\" allchars`, `allchars = $[^\\n]`) refuses `\\`, which AWS takes, takes `\"`, which
 * AWS refuses, and refuses `\n`, which AWS is not recorded refusing: so the escapes are judged here and it is left the rest. Only `'…'` arguments are read: what stands in
 * brackets (a path's `['name']`) or in double quotes is a path's or the validator's to judge, their escapes kept.
 */
function intrinsicLiteralEscapes(invocation: string): { refused: string[]; checked: string } {
  const refused: string[] = [];
  let checked = "";
  let quote: string | undefined;
  let brackets = 0;
  for (let at = 0; at < invocation.length; at++) {
    const char = invocation[at];
    if (quote && char === "\\" && at + 1 < invocation.length) {
      const escaped = invocation[++at];
      const literal = quote === "'" && brackets === 0;
      if (literal && INTRINSIC_REFUSED.includes(escaped)) refused.push(escaped);
      checked += literal ? "\\{" : char + escaped;
      continue;
    }
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "[") brackets++;
    else if (char === "]" && brackets > 0) brackets--;
    checked += char;
  }
  return { refused, checked };
}

/** A payload template field's place in its state: `Parameters.body["message.$"]`, `ItemSelector.list[0]["id.$"]`. */
const fieldAt = (at: string, key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`);

/** How to write what a refused escape meant: the character alone, or a backslash kept before it. */
function escapeFix(char: string): string {
  return `write '${char}' without the backslash, or \\\\${char} (${JSON.stringify(`\\\\${char}`)} in the definition's JSON) for a backslash before it`;
}

/**
 * Field `field` of state `state`, an intrinsic function invocation `invocation` whose quoted arguments escape
 * `refused`: the problem (`answer` quotes CreateStateMachine's words where recorded; `refuses` says how AWS is known to
 * refuse it, recorded or inferred) and its fix, apart, for a warning's finding to carry each in its place.
 */
function escapeProblem(state: string, field: string, invocation: string, refused: readonly string[], answer: string, refuses = "which Step Functions refuses"): { problem: string; fix: string } {
  const chars = [...new Set(refused)];
  return {
    problem: `state ${JSON.stringify(state)} field ${field} ${JSON.stringify(invocation)} escapes ${chars.map((c) => `'${c}'`).join(", ")} with a backslash in a quoted argument, ${refuses}: only \\', \\{, \\} and \\\\ are escapes in an intrinsic function's quoted argument${answer}`,
    fix: chars.map(escapeFix).join("; "),
  };
}

/** Why a Fail state's path escape is a warning: AWS's refusal there is not recorded (see intrinsicEscapeProblems). */
const FAIL_PATH_REFUSAL =
  "which Step Functions is inferred to refuse (its refusal of \\\" is recorded for a payload template's intrinsic function, and a Fail state's path is read by the same intrinsic function parser; not recorded here)";

/**
 * The escapes AWS refuses in the quoted arguments of the intrinsic functions of `definition`'s JSONPath payload
 * templates (every `"key.$"` string that starts with `States.`, at any depth of a state's Parameters, ResultSelector,
 * ItemSelector, Assign, Credentials, ItemReader, ItemBatcher or ResultWriter), one problem per field; each field's
 * invocation is rewritten in `definition` as asl-path-validator should see it (intrinsicLiteralEscapes). A Pass state's
 * Result is data, never evaluated: AWS took `"not_an_intrinsic_function.$": "States.StringToJson('…\\"…')"` there
 * (LocalStack's AWS-recorded test_escape_sequence_parsing, ESCAPE_SEQUENCES_STRING_LITERALS). A JSONata state's
 * `.$` keys are plain keys. A Fail state's ErrorPath and CausePath are failPathEscapeWarnings'.
 */
function intrinsicEscapeProblems(definition: unknown): string[] {
  const problems: string[] = [];
  const defaultLanguage = (definition as { QueryLanguage?: unknown } | undefined)?.QueryLanguage ?? "JSONPath";
  const visit = (value: unknown, at: string, state: string): void => {
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, `${at}[${i}]`, state));
    if (typeof value !== "object" || value === null) return;
    const template = value as Record<string, unknown>;
    for (const [key, inner] of Object.entries(template)) {
      const field = fieldAt(at, key);
      if (!key.endsWith(".$") || typeof inner !== "string" || !inner.startsWith("States.")) {
        visit(inner, field, state);
        continue;
      }
      const { refused, checked } = intrinsicLiteralEscapes(inner);
      template[key] = checked;
      if (refused.length === 0) continue;
      const { problem, fix } = escapeProblem(state, field, inner, refused, ` (CreateStateMachine answers "SCHEMA_VALIDATION_FAILED: The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call")`);
      problems.push(`${problem}; ${fix}`);
    }
  };
  for (const { name, state } of definitionStates(definition)) {
    if ((state.QueryLanguage ?? defaultLanguage) === "JSONata") continue;
    for (const [field, value] of Object.entries(state)) {
      // Result is data; the states of Branches and processors are visited as states of their own.
      if (field !== "Result" && field !== "Branches" && field !== "ItemProcessor" && field !== "Iterator") visit(value, field, name);
    }
  }
  return problems;
}

/**
 * The escapes of `definition`'s JSONPath Fail states' ErrorPath and CausePath intrinsic functions that AWS is inferred,
 * not recorded, to refuse: the warnings of StatesFailPathEscape. "You can also specify CausePath using an intrinsic
 * function that returns a string" (States.Format, States.JsonToString, …; the same for ErrorPath, state-fail.html), so
 * their quoted arguments are an intrinsic function's, but no AWS-recorded test has an escape there, so it is a warning,
 * never a refusal. Reads the states alone, not their payload templates (intrinsicEscapeProblems', refused by aslProblems).
 */
export function failPathEscapeWarnings(definition: unknown): Array<{ problem: string; fix: string }> {
  const defaultLanguage = (definition as { QueryLanguage?: unknown } | undefined)?.QueryLanguage ?? "JSONPath";
  return [...definitionStates(definition)].flatMap(({ name, state }) => {
    if (state.Type !== "Fail" || (state.QueryLanguage ?? defaultLanguage) === "JSONata") return [];
    return ["ErrorPath", "CausePath"].flatMap((field) => {
      const path = state[field];
      const refused = typeof path === "string" && path.startsWith("States.") ? intrinsicLiteralEscapes(path).refused : [];
      return refused.length > 0 ? [escapeProblem(name, field, path as string, refused, "", FAIL_PATH_REFUSAL)] : [];
    });
  });
}

/**
 * The states that set `QueryLanguage: "JSONPath"` in a definition whose own QueryLanguage is "JSONata", in Parallel
 * branches and Map processors too, which asl-validator 3.16.0 takes: "You cannot revert a top-level JSONata-based state
 * machine to a mix of JSONata and JSONPath states" (statemachine-structure.html), and AWS answers such a Pass state with
 * SCHEMA_VALIDATION_FAILED "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine" at
 * /States/Pass (LocalStack's AWS-recorded test_sfn_api_validation.py INVALID_DOWNGRADE_QUERY_LANGUAGE, 2025-10-19,
 * ValidateStateMachineDefinition, severity ERROR). A nested state is taken to be refused alike ("for whole state
 * machine"; not recorded). A state's JSONata under a JSONPath definition is the documented way to convert, and taken.
 */
export function queryLanguageDowngrades(definition: unknown): DefinitionState[] {
  if ((definition as { QueryLanguage?: unknown } | undefined)?.QueryLanguage !== "JSONata") return [];
  return [...definitionStates(definition)].filter(({ state }) => state.QueryLanguage === "JSONPath");
}

/** What CreateStateMachine answers for a downgrade of queryLanguageDowngrades, and its fix. */
export const QUERY_LANGUAGE_DOWNGRADE = {
  problem: `sets QueryLanguage "JSONPath", but the state machine's QueryLanguage is "JSONata", and a JSONata state machine may not hold JSONPath states (CreateStateMachine answers "SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")`,
  fix: 'write the state in JSONata (Arguments and Output instead of Parameters, ResultSelector and the paths) and drop its QueryLanguage, or leave the state machine\'s QueryLanguage out (JSONPath) and set QueryLanguage "JSONata" on each JSONata state',
};

/**
 * What a Distributed Map's `Label` may hold. The label names its Map Runs (`mapRun:<stateMachineName>/<label>:<id>`,
 * state-map-distributed.html, Label) and Step Functions checks it at CreateStateMachine: ValidateStateMachineDefinition
 * lists the errors INVALID_LABEL_NAME ("You have provided an invalid label name") and DUPLICATE_LABEL_NAME ("A label
 * name appears more than once") (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html).
 * The rule itself: at most 40 characters, none of them whitespace, a wildcard (`? *`), a bracket (`< > { } [ ]`), one
 * of `: ; , \ | ^ ~ $ # % & \` "` or a control character (U+0000–001F, U+007F–009F): AWS CDK's DistributedMap refuses
 * exactly these ("label must be 40 characters or less", "label cannot contain any whitespace or special characters",
 * aws-cdk-lib aws-stepfunctions/lib/states/distributed-map.ts validateState), and LocalStack's Label
 * (stepfunctions/asl/component/state/state_execution/state_map/label.py) the same 40 and the same characters but for
 * whitespace: of that it refuses the space and the control characters only, where CDK's `\s` (kept here) also refuses
 * U+00A0, U+1680, U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF (AWS's answer to those is not
 * confirmed). The guide's own sentence was not at hand to quote (not confirmed in AWS's words); nor is AWS's answer to
 * an empty Label (LocalStack refuses it, CDK writes none): not refused here; nor to a `/`, which the Map Run's ARN
 * uses as a separator (`stateMachine:<name>/<label>`) and execution names may not hold, but neither CDK nor LocalStack
 * refuses: taken here. Characters are counted as code points, as LocalStack counts them (CDK counts UTF-16 code
 * units: a label of astral characters, e.g. emoji, over 20 of them, CDK refuses and this takes).
 */
export const MAP_LABEL_LIMITS = { length: 40 } as const;
const MAP_LABEL_REFUSED = /[\s?*<>{}[\]:;,\\|^~$#%&`"\u0000-\u001f\u007f-\u009f]/u;

/** A Distributed Map Label AWS refuses (mapLabelProblems): its Map state, the Label's path, what is wrong and the fix. */
export interface MapLabelProblem {
  name: string;
  /** `definition.States.Fan.Label`. */
  path: string;
  /** ValidateStateMachineDefinition's code for it. */
  code: "INVALID_LABEL_NAME" | "DUPLICATE_LABEL_NAME";
  problem: string;
  fix: string;
}

/**
 * The `Label`s of `definition`'s Map states in Distributed mode (Parallel branches and Map processors included) that
 * CreateStateMachine refuses (MAP_LABEL_LIMITS): one over 40 characters, one with a character it does not take, one
 * that another Distributed Map of the definition has already ("A label name appears more than once"). A Label that
 * is no string is the schema's (asl-validator: `type: string`), a deploy-time one (its placeholder) is not known yet,
 * and an Inline Map's is left alone (Label is a Distributed Map field: whether AWS checks it there is not confirmed).
 * aslProblems refuses each; the local runtime's CreateStateMachine too (local/sfn-server.ts).
 */
export function mapLabelProblems(definition: unknown): MapLabelProblem[] {
  const problems: MapLabelProblem[] = [];
  const seen = new Map<string, string>();
  for (const { name, path, state } of definitionStates(definition)) {
    const label = state.Label;
    if (state.Type !== "Map" || (state.ItemProcessor ?? state.Iterator)?.ProcessorConfig?.Mode !== "DISTRIBUTED") continue;
    if (typeof label !== "string" || label === PLACEHOLDER_VALUE) continue;
    const at = `${path}.Label`;
    const length = [...label].length;
    const refused = MAP_LABEL_REFUSED.exec(label)?.[0];
    if (length > MAP_LABEL_LIMITS.length) {
      problems.push({ name, path: at, code: "INVALID_LABEL_NAME", problem: `is ${length} characters long, over the ${MAP_LABEL_LIMITS.length} a Distributed Map's Label takes (CreateStateMachine answers InvalidDefinition, INVALID_LABEL_NAME)`, fix: `Shorten the Label to ${MAP_LABEL_LIMITS.length} characters or fewer, or leave it out (Step Functions then makes one).` });
    }
    if (refused !== undefined) {
      const shown = /[\s\u0000-\u001f\u007f-\u009f]/u.test(refused) ? `U+${refused.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : `'${refused}'`;
      problems.push({ name, path: at, code: "INVALID_LABEL_NAME", problem: `holds ${shown}, which a Distributed Map's Label may not: no whitespace, wildcard (? *), bracket (< > { } [ ]), special (: ; , \\ | ^ ~ $ # % & \` ") or control character (CreateStateMachine answers InvalidDefinition, INVALID_LABEL_NAME)`, fix: "Write the Label with letters, digits, - and _ (e.g. \"resize-photos\")." });
    }
    const first = seen.get(label);
    if (first !== undefined) {
      problems.push({ name, path: at, code: "DUPLICATE_LABEL_NAME", problem: `is ${JSON.stringify(label)}, the Label of ${first} too, and Labels are unique within a state machine (CreateStateMachine answers InvalidDefinition, DUPLICATE_LABEL_NAME)`, fix: "Give each Distributed Map a Label of its own, or leave one out." });
    } else seen.set(label, `the Map state "${name}" (${path})`);
  }
  return problems;
}

/** An ItemBatcher's limits: "An ItemBatcher Configuration MUST contain at least one of" them (the States Language, Batching Items). */
const BATCH_LIMITS = ["MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"] as const;

/** What an ItemBatcher warning says of AWS: the States Language refuses it, AWS's answer at CreateStateMachine is not recorded. */
const BATCHER_UNRECORDED = "AWS's answer at CreateStateMachine is not recorded (it may refuse the definition, or take it and batch otherwise)";

/** An ItemBatcher problem (itemBatcherWarnings): its Map state, the field's path, what is wrong and the fix. */
export interface ItemBatcherWarning {
  name: string;
  /** `definition.States.Fan.ItemBatcher.MaxItemsPerBatch`. */
  path: string;
  problem: string;
  fix: string;
}

/**
 * The ItemBatcher fields of `definition`'s Map states (Parallel branches and Map processors included) that the States
 * Language or the Step Functions guide rules out but asl-validator 3.16.0's schema, and so aslProblems, takes; what
 * AWS answers for each at CreateStateMachine is not recorded (no AWS-recorded validation test has one), so they are
 * warnings (the Workflow component's and the StatesItemBatcher deploy rule's), never refusals:
 * - ItemBatcher in an Inline Map (ItemProcessor.ProcessorConfig.Mode absent or "INLINE"): ItemBatcher is listed among
 *   the "Distributed Map state fields" alone (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html#map-state-distributed-additional-fields);
 * - none of MaxItemsPerBatch, MaxItemsPerBatchPath, MaxInputBytesPerBatch, MaxInputBytesPerBatchPath: "An ItemBatcher
 *   Configuration MUST contain at least one of" them (https://states-language.net/spec.html#batching-items); AWS CDK's
 *   ItemBatcher refuses it too (validateItemBatcher);
 * - MaxItemsPerBatch or MaxInputBytesPerBatch 0: "whose value MUST be a positive integer" (same section); asl-validator's
 *   schema has `minimum: 0`, AWS's amazon-states-language-service schema (the editors' linter) `minimum: 1`;
 * - MaxItemsPerBatchPath or MaxInputBytesPerBatchPath in a JSONata state: "A JSONPath Map State MAY have" them, and
 *   "A JSONata Map State MAY specify JSONata strings for the "MaxItemsPerBatch" or "MaxInputBytesPerBatch" fields"
 *   (same section); asl-validator's JSONata ItemBatcher allows other fields.
 * What the schema already refuses (a limit and its path both, a limit that is no integer or below 0,
 * MaxInputBytesPerBatch over 262144 — "up to 256 KiB", input-output-itembatcher.html) is aslProblems', not here.
 * The local runtime checks a definition with this function when an execution starts and fails it (local/sfn-server.ts prepare).
 */
export function itemBatcherWarnings(definition: unknown): ItemBatcherWarning[] {
  const defaultLanguage = (definition as { QueryLanguage?: unknown } | undefined)?.QueryLanguage ?? "JSONPath";
  const warnings: ItemBatcherWarning[] = [];
  for (const { name, path, state } of definitionStates(definition)) {
    const batcher = state.ItemBatcher;
    if (state.Type !== "Map" || batcher === undefined) continue;
    const mode = (state.ItemProcessor ?? state.Iterator)?.ProcessorConfig?.Mode;
    if (mode !== "DISTRIBUTED") {
      warnings.push({
        name,
        path,
        problem: `sets ItemBatcher in Inline mode (ItemProcessor.ProcessorConfig.Mode ${mode === undefined ? "not set" : JSON.stringify(mode)}), where Step Functions batches only a Distributed Map's items (ItemBatcher is a Distributed Map state field); ${BATCHER_UNRECORDED}`,
        fix: 'Set ItemProcessor.ProcessorConfig to { Mode: "DISTRIBUTED", ExecutionType: … }, or take ItemBatcher out.',
      });
    }
    // Not an object: asl-validator's schema refuses it.
    if (typeof batcher !== "object" || batcher === null || Array.isArray(batcher)) continue;
    const fields = batcher as Record<string, unknown>;
    const at = `${path}.ItemBatcher`;
    if (!BATCH_LIMITS.some((field) => field in fields)) {
      warnings.push({
        name,
        path: at,
        problem: `sets no limit: the States Language's "An ItemBatcher Configuration MUST contain at least one of" ${BATCH_LIMITS.join(", ")}; ${BATCHER_UNRECORDED}`,
        fix: "Set MaxItemsPerBatch or MaxInputBytesPerBatch (in a JSONPath state, or their …Path).",
      });
    }
    for (const field of ["MaxItemsPerBatch", "MaxInputBytesPerBatch"]) {
      if (fields[field] !== 0) continue;
      warnings.push({
        name,
        path: `${at}.${field}`,
        problem: `is 0, where the States Language takes a positive integer ("whose value MUST be a positive integer"); ${BATCHER_UNRECORDED}`,
        fix: `Set a limit of 1 or more, or leave ${field} out.`,
      });
    }
    if ((state.QueryLanguage ?? defaultLanguage) !== "JSONata") continue;
    for (const field of ["MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"]) {
      if (!(field in fields)) continue;
      const plain = field.replace(/Path$/, "");
      warnings.push({
        name,
        path: `${at}.${field}`,
        problem: `sets ${field}, a JSONPath field, in a JSONata state, where the States Language takes ${plain} as a JSONata string ("{% … %}") instead; ${BATCHER_UNRECORDED}`,
        fix: `Give ${plain} a JSONata expression instead (e.g. "{% $states.input.limit %}").`,
      });
    }
  }
  return warnings;
}

/** What asl-validator returns (asl-validator 3.16.0, dist/src/validator.js). */
interface AslResult {
  isValid: boolean;
  errors: Array<{ "Error code"?: string; Message?: string }>;
}
type AslValidator = (definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }) => AslResult;

let aslValidator: AslValidator | undefined;

/**
 * How many definitions' answers aslProblems keeps, by their JSON text (its SHA-256: a definition may be up to 1 MB): a
 * Workflow checks its definition when it is constructed and the StatesDefinition deploy rule checks the recorded one
 * again; a test file checks the same ones over and over. The least recently asked is dropped first. Each answer is a
 * function of the JSON text alone (the validator is given a copy parsed from it), so a kept one is the answer a new
 * check gives.
 */
export const ASL_PROBLEMS_CACHE_ENTRIES = 64;
const aslAnswers = new Map<string, readonly string[]>();

/**
 * How many answers aslProblems keeps now (at most ASL_PROBLEMS_CACHE_ENTRIES), for its tests.
 * @internal
 */
export function aslProblemsCached(): number {
  return aslAnswers.size;
}

/**
 * The problems asl-validator finds in a definition (its schema, transitions, terminal states, paths and Resource
 * ARNs), or [] when it is valid Amazon States Language. The validator is what aws-local-stepfunctions validates with;
 * it is loaded on the first call (a program without a Workflow never pays for it), with its schema check compiled
 * once (asl-schema-check.ts, which also takes the JSONPath Assign array items and the JSONata Output and Condition
 * literals AWS takes and asl-validator refuses), and validates a copy (it writes each state's default QueryLanguage into
 * what it is given). A JSONPath state in a JSONata state machine, which asl-validator takes, is refused here
 * (queryLanguageDowngrades), and so is a Distributed Map Label CreateStateMachine refuses (mapLabelProblems).
 * Answers are kept by the definition's JSON text (ASL_PROBLEMS_CACHE_ENTRIES of them), and each call returns an array
 * of its own.
 */
export function aslProblems(definition: unknown): string[] {
  const text = JSON.stringify(definition);
  // JSON.parse(undefined) throws below, as it did before answers were kept.
  const key = text === undefined ? undefined : digest(text);
  const known = key === undefined ? undefined : aslAnswers.get(key);
  if (known) {
    // Most recently asked last: the first key is the one to drop.
    aslAnswers.delete(key!);
    aslAnswers.set(key!, known);
    return [...known];
  }
  const problems = validateAsl(JSON.parse(text) as unknown);
  aslAnswers.set(key!, problems);
  if (aslAnswers.size > ASL_PROBLEMS_CACHE_ENTRIES) aslAnswers.delete(aslAnswers.keys().next().value!);
  return [...problems];
}

/** aslProblems' check of `copy`, a definition of its own (asl-validator and intrinsicEscapeProblems write into it). */
function validateAsl(copy: unknown): string[] {
  if (!aslValidator) {
    installCompiledAslSchemaCheck();
    aslValidator = require("asl-validator") as AslValidator;
  }
  const escapes = [
    ...queryLanguageDowngrades(copy).map(({ name, path }) => `state ${JSON.stringify(name)} (${path}) ${QUERY_LANGUAGE_DOWNGRADE.problem}; ${QUERY_LANGUAGE_DOWNGRADE.fix}`),
    ...intrinsicEscapeProblems(copy),
    ...mapLabelProblems(copy).map(({ name, path, problem, fix }) => `state ${JSON.stringify(name)} (${path}) ${problem}; ${fix}`),
  ];
  const result = aslValidator(copy, { checkPaths: true, checkArn: true });
  if (result.isValid) return escapes;
  return [...escapes, ...result.errors.map((error) => error.Message ?? error["Error code"] ?? JSON.stringify(error))];
}
