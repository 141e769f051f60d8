/**
 * Step Functions' optimized service integrations a Workflow's Task states may name, and how the component names their
 * targets: the program's own component stands where the integration's parameters name the target, and the component
 * puts the target's name, URL or ARN there and grants the role exactly the integration's action on exactly that target.
 *
 * | Resource                                           | Field (in Parameters or Arguments) | Component            | Grant |
 * | `arn:aws:states:::lambda:invoke[.waitForTaskToken]` | FunctionName                       | LambdaFunction       | lambda:InvokeFunction on the function and its versions and aliases |
 * | `arn:aws:states:::dynamodb:getItem` (putItem, updateItem, deleteItem) | TableName         | a DataTier's table   | dynamodb:GetItem (PutItem, UpdateItem, DeleteItem) on the table |
 * | `arn:aws:states:::sqs:sendMessage[.waitForTaskToken]` | QueueUrl                         | MessageQueue         | sqs:SendMessage on the queue (grants.send()) |
 * | `arn:aws:states:::sns:publish[.waitForTaskToken]`  | TopicArn                           | Topic                | sns:Publish on the topic (grants.publish(): and its key) |
 * | `arn:aws:states:::events:putEvents[.waitForTaskToken]` | Entries[i].EventBusName        | EventBus             | events:PutEvents on the bus (grants.put()) |
 *
 * and the AWS SDK integrations of SDK_INTEGRATIONS (`aws-sdk:dynamodb:query`, `aws-sdk:sqs:sendMessageBatch`, …), each
 * granted the IAM action of its API action in the same way.
 *
 * The actions are those of Step Functions' own generated policies: "IAM policies for AWS Lambda"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html: lambda:InvokeFunction on the function and
 * `<function>:*`), "IAM policies for Amazon DynamoDB" (https://docs.aws.amazon.com/step-functions/latest/dg/dynamo-iam.html:
 * GetItem, PutItem, UpdateItem, DeleteItem on `table/<name>`; here only the ones the definition calls), "IAM policies for
 * Amazon SQS" (https://docs.aws.amazon.com/step-functions/latest/dg/sqs-iam.html: sqs:SendMessage on the queue), "IAM
 * policies for Amazon SNS" (https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html: sns:Publish on the topic),
 * and for EventBridge events:PutEvents on the bus (https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-iam.html).
 *
 * A target given as a plain value (an ARN, a name, an Output, a JSONPath `Field.$` or a JSONata expression) is the
 * caller's to grant, through `permissions` or outside the component (a policy attached to `workflow.role`, the
 * target's resource policy): the deploy rule StatesServiceTasks checks a literal one against the role's grants, and
 * Workflow warns of one the role policy it builds does not grant (literalTargets, statementsAllow).
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../iam";
import { actionMatches, arnComponents, iamActionOf, resourceMatches, TRANSACTION_ITEM_ACTIONS } from "../iam-match";
import { registeredSpecs } from "../spec-registry";

/** The kind of component an integration's target field takes. */
export type IntegrationTargetKind = "LambdaFunction" | "DataTable" | "MessageQueue" | "Topic" | "EventBus";

export interface OptimizedIntegration {
  /** `lambda:invoke`, `dynamodb:putItem`, … (the Resource without `arn:<partition>:states:::` and the pattern suffix). */
  api: string;
  /** The IAM action the role needs on the target. */
  action: string;
  /** Where the target stands in Parameters/Arguments: a top-level field, or `Entries[].EventBusName`. */
  field: string;
  kind: IntegrationTargetKind;
  /** Which patterns Step Functions offers for it (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html). */
  patterns: ReadonlyArray<"" | ".waitForTaskToken">;
  /** A DynamoDB read that may name an IndexName (Query, Scan): the action is then authorised on the index's ARN. */
  indexed?: boolean;
}

/**
 * The optimized integrations the component grants for (and `npm start` runs). DynamoDB's take no callback pattern
 * ("Wait for a Callback with Task Token integration pattern is not supported",
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html).
 */
export const OPTIMIZED_INTEGRATIONS: readonly OptimizedIntegration[] = [
  { api: "lambda:invoke", action: "lambda:InvokeFunction", field: "FunctionName", kind: "LambdaFunction", patterns: ["", ".waitForTaskToken"] },
  { api: "dynamodb:getItem", action: "dynamodb:GetItem", field: "TableName", kind: "DataTable", patterns: [""] },
  { api: "dynamodb:putItem", action: "dynamodb:PutItem", field: "TableName", kind: "DataTable", patterns: [""] },
  { api: "dynamodb:updateItem", action: "dynamodb:UpdateItem", field: "TableName", kind: "DataTable", patterns: [""] },
  { api: "dynamodb:deleteItem", action: "dynamodb:DeleteItem", field: "TableName", kind: "DataTable", patterns: [""] },
  { api: "sqs:sendMessage", action: "sqs:SendMessage", field: "QueueUrl", kind: "MessageQueue", patterns: ["", ".waitForTaskToken"] },
  { api: "sns:publish", action: "sns:Publish", field: "TopicArn", kind: "Topic", patterns: ["", ".waitForTaskToken"] },
  { api: "events:putEvents", action: "events:PutEvents", field: "Entries[].EventBusName", kind: "EventBus", patterns: ["", ".waitForTaskToken"] },
];

/**
 * "AWS SDK integrations: Request Response (Standard and Express), Wait for Callback (.waitForTaskToken, Standard), no
 * Run a Job (.sync)" (https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html, "Integration pattern support").
 */
const SDK_PATTERNS = ["", ".waitForTaskToken"] as const;

/**
 * An SDK service name whose IAM service prefix differs: EventBridge's SDK service is `eventbridge`, its actions
 * `events:*`; Step Functions' is `sfn`, its actions `states:*` (the Service Authorization Reference's prefixes).
 */
const SDK_IAM_PREFIX: Readonly<Record<string, string>> = { eventbridge: "events", sfn: "states" };

/**
 * The AWS SDK integrations (`arn:<partition>:states:::aws-sdk:<service>:<apiAction>`) whose request may name one of
 * the program's components, in the member whose value the API reads as that resource: the same member, value and
 * component as the optimized form (a table's name in TableName, a queue's URL in QueueUrl, a topic's ARN in TopicArn,
 * a bus's name in each entry's EventBusName, a function's ARN in FunctionName: each API takes that form, its API
 * reference's request syntax), each granted its sdkIamAction (a batch IAM authorises as its single action: SQS
 * sendMessageBatch as sqs:SendMessage; SNS PublishBatch as sns:Publish, which is not confirmed in AWS's own words here:
 * public IAM policies and emulator tests record "AWS authorizes PublishBatch through sns:Publish", "there is no
 * sns:PublishBatch action"). Query and Scan on an index are authorised on the index's ARN `table/<name>/index/<index>`
 * (indexNamed; the DynamoDB policy example "grant access to a specific DynamoDB table and its indexes" names
 * `table/Books/index/*` beside the table,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-specific-table-indexes.html;
 * local/dynamodb/authorise.ts authorises the same).
 *
 * Not here, and refused when they name a component: a table as a key of BatchGetItem/BatchWriteItem `RequestItems` (a
 * component cannot be an object's key: the definition is written with the table's name there, and granted through
 * `permissions`), TransactWriteItems/TransactGetItems (each item is authorised as its own action), and any other
 * SDK action (its IAM action and resource are the caller's to grant).
 */
export const SDK_INTEGRATIONS: readonly OptimizedIntegration[] = (
  [
    ...(["getItem", "putItem", "updateItem", "deleteItem", "query", "scan"] as const).map((call) => ({
      api: `aws-sdk:dynamodb:${call}`,
      field: "TableName",
      kind: "DataTable" as const,
      indexed: call === "query" || call === "scan",
    })),
    { api: "aws-sdk:sqs:sendMessage", field: "QueueUrl", kind: "MessageQueue" },
    { api: "aws-sdk:sqs:sendMessageBatch", field: "QueueUrl", kind: "MessageQueue" },
    { api: "aws-sdk:sns:publish", field: "TopicArn", kind: "Topic" },
    { api: "aws-sdk:sns:publishBatch", field: "TopicArn", kind: "Topic" },
    { api: "aws-sdk:eventbridge:putEvents", field: "Entries[].EventBusName", kind: "EventBus" },
    { api: "aws-sdk:lambda:invoke", field: "FunctionName", kind: "LambdaFunction" },
  ] as Array<Omit<OptimizedIntegration, "action" | "patterns">>
).map((integration) => ({ ...integration, action: sdkIamAction(integration.api)!, patterns: SDK_PATTERNS }));

/** The API operation a Resource's camelCase action names (`putItem` → `PutItem`): its IAM action's and its wire target's name. */
export function apiOperation(action: string): string {
  return `${action[0].toUpperCase()}${action.slice(1)}`;
}

/**
 * The IAM action an AWS SDK Task runs with, from its Resource (`arn:<partition>:states:::aws-sdk:<service>:<apiAction>`,
 * with or without its pattern) or its api (`aws-sdk:<service>:<apiAction>`): `<prefix>:<ApiAction>`, "the IAM action of
 * the API action" (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), with the SDK
 * service's IAM prefix (SDK_IAM_PREFIX) and an operation IAM authorises under another action's name under that one (iamActionOf:
 * a batch as its single action, Lambda's invoke as InvokeFunction, …; DynamoDB transactions and PartiQL keep their
 * own name, which no policy grants: their items are authorised one by one).
 * Undefined for a Resource that is not an AWS SDK integration, or asks for `.sync`. The one mapping Workflow, the
 * rules and the local runtime's SDK Tasks use.
 */
export function sdkIamAction(resource: unknown): string | undefined {
  const task = sdkTask(typeof resource === "string" && resource.startsWith("aws-sdk:") ? `arn:aws:states:::${resource}` : resource);
  if (!task || task.pattern.startsWith(".sync")) return undefined;
  const operation = apiOperation(task.action);
  return `${SDK_IAM_PREFIX[task.service] ?? task.service}:${iamActionOf(task.service, operation)}`;
}

/** A service integration Task's Resource as taskResource reads it. */
export interface TaskResource {
  /** `lambda:invoke`, `aws-sdk:dynamodb:query`: the Resource without `arn:<partition>:states:::` and the pattern (OptimizedIntegration.api). */
  api: string;
  /** An AWS SDK integration (`aws-sdk:` before the service). */
  sdk: boolean;
  /** `dynamodb`, `sqs`, … */
  service: string;
  /** The API action as the ARN spells it (`query`, `sendMessage`: camelCase). */
  action: string;
  /** `""` (Request Response), `.waitForTaskToken`, `.sync` or `.sync:2`. */
  pattern: string;
}

/**
 * A service integration Task's Resource, optimized (`arn:<partition>:states:::<service>:<apiAction><pattern>`) or AWS
 * SDK (`arn:<partition>:states:::aws-sdk:<service>:<apiAction><pattern>`), read as its api, service, action and
 * pattern; undefined for any other Resource (a function's or an activity's ARN, a deploy-time value). The one reading
 * of a Task's Resource: sdkTask, optimizedIntegration and grantedIntegration read it through this.
 */
export function taskResource(resource: unknown): TaskResource | undefined {
  const match = typeof resource === "string" ? /^arn:[a-z-]+:states:::((aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+))(\.sync(?::2)?|\.waitForTaskToken)?$/.exec(resource) : null;
  return match ? { api: match[1], sdk: match[2] !== undefined, service: match[3], action: match[4], pattern: match[5] ?? "" } : undefined;
}

/**
 * An AWS SDK integration Task's Resource (`arn:<partition>:states:::aws-sdk:<service>:<apiAction><pattern>`) read as
 * its service (`dynamodb`), its API action as the ARN spells it (`query`, camelCase) and its pattern (`""`,
 * `.waitForTaskToken`, `.sync`, `.sync:2`); undefined for any other Resource. sdkIamAction, and the local runtime's
 * localSdkTask and callbackTaskResource (local/sfn-integrations.ts), read an SDK Resource through it.
 */
export function sdkTask(resource: unknown): { service: string; action: string; pattern: string } | undefined {
  const task = taskResource(resource);
  return task?.sdk ? { service: task.service, action: task.action, pattern: task.pattern } : undefined;
}

/**
 * The IAM actions a DynamoDB transaction Task's items are authorised as (TRANSACTION_ITEM_ACTIONS): those its
 * `TransactItems` name, or, when a path or an expression gives them at run time, every action a transaction of its
 * kind may hold (TransactWriteItems: Put, Update, Delete, ConditionCheck; TransactGetItems: Get). Empty for any other
 * Task.
 */
export function transactionItemActions(resource: unknown, payload: unknown): string[] {
  const action = sdkIamAction(resource);
  const kinds = action === "dynamodb:TransactWriteItems" ? ["Put", "Update", "Delete", "ConditionCheck"] : action === "dynamodb:TransactGetItems" ? ["Get"] : [];
  if (kinds.length === 0) return [];
  const items = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>).TransactItems : undefined;
  const named = Array.isArray(items)
    ? kinds.filter((kind) => items.some((item) => typeof item === "object" && item !== null && kind in item))
    : kinds;
  return named.map((kind) => TRANSACTION_ITEM_ACTIONS[kind]);
}

/**
 * A JSONata expression (a string `{% … %}`, https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html):
 * a value known only at run time.
 */
function isJsonata(value: unknown): boolean {
  return typeof value === "string" && /^\{%[\s\S]*%\}$/.test(value.trim());
}

/**
 * The index a Query's or Scan's request names: its IndexName when that is a literal, `*` when a JSONPath `IndexName.$`,
 * a JSONata expression or a deploy-time value names it (known only at run time), undefined when it names none. Query
 * and Scan on an index are authorised on the index's ARN `table/<name>/index/<index>` (SDK_INTEGRATIONS).
 */
export function indexNamed(request: Record<string, unknown>): string | undefined {
  const name = request.IndexName;
  if (typeof name === "string" && !isJsonata(name)) return name;
  return name !== undefined || request["IndexName.$"] !== undefined ? "*" : undefined;
}

/** The integration of `among` a Task's Resource names (taskResource), with the pattern it asks for, if the integration offers that pattern. */
function integrationNamed(among: readonly OptimizedIntegration[], resource: unknown): { integration: OptimizedIntegration; pattern: string } | undefined {
  const task = taskResource(resource);
  const integration = task && among.find((candidate) => candidate.api === task.api);
  if (!task || !integration || !(integration.patterns as readonly string[]).includes(task.pattern)) return undefined;
  return { integration, pattern: task.pattern };
}

/** The optimized integration a Task's Resource names, if it is one of OPTIMIZED_INTEGRATIONS. */
export function optimizedIntegration(resource: unknown): { integration: OptimizedIntegration; pattern: string } | undefined {
  return integrationNamed(OPTIMIZED_INTEGRATIONS, resource);
}

/** The integration a Task's Resource names whose target may be a component: one of OPTIMIZED_INTEGRATIONS or SDK_INTEGRATIONS. */
export function grantedIntegration(resource: unknown): { integration: OptimizedIntegration; pattern: string } | undefined {
  return integrationNamed(OPTIMIZED_INTEGRATIONS, resource) ?? integrationNamed(SDK_INTEGRATIONS, resource);
}

/** Where a target named without its account or region (a table's or a bus's name) is: the state machine's partition, region and account. */
export interface TargetContext {
  partition: string;
  region: string;
  account: string;
}

/** The ARN of an integration's target, and whether its account was the context's (the value named none) or the value's own. */
export interface TargetArn {
  arn: string;
  /** The account is the state machine's (a table's or a bus's name, the `default` bus), not one the value names. */
  accountFromContext: boolean;
}

/**
 * The ARN IAM sees for the value an integration's target field holds (a literal; a JSONPath `Field.$` or a JSONata
 * expression names it only at run time): a table by name (`table/<name>` of the state machine's region and account)
 * or ARN; a queue by URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`, or a local endpoint's
 * `<endpoint>/<account>/<name>` in the state machine's region) → `arn:<partition>:sqs:<region>:<account>:<name>`; a
 * topic by ARN; a bus by name (`event-bus/<name>`, `default` when the entry names none) or ARN. The resource types
 * of the Service Authorization Reference that Step Functions' generated policies name (dynamo-iam.html,
 * sqs-iam.html, sns-iam.html, eventbridge-iam.html). Undefined when the value is not one of these forms.
 */
export function targetArn(kind: Exclude<IntegrationTargetKind, "LambdaFunction">, value: string | undefined, where: TargetContext): TargetArn | undefined {
  const { partition, region, account } = where;
  if (value?.startsWith("arn:")) return { arn: value, accountFromContext: false };
  switch (kind) {
    case "DataTable":
      return value ? { arn: `arn:${partition}:dynamodb:${region}:${account}:table/${value}`, accountFromContext: true } : undefined;
    case "MessageQueue": {
      const match = /^https?:\/\/([^/]+)\/(\d{12})\/([^/?#]+)$/.exec(value ?? "");
      if (!match) return undefined;
      // sqs.<region>.amazonaws.com (and .com.cn), or the legacy <region>.queue.amazonaws.com.
      const queueRegion = /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(match[1])?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$/.exec(match[1])?.[1] ?? region;
      return { arn: `arn:${partition}:sqs:${queueRegion}:${match[2]}:${match[3]}`, accountFromContext: false };
    }
    case "Topic":
      return undefined;
    case "EventBus":
      return { arn: `arn:${partition}:events:${region}:${account}:event-bus/${value || "default"}`, accountFromContext: true };
  }
}

/**
 * `resource` with `account` in its account field (an ARN's fifth), to read a grant as if made in that account; a
 * resource that is not an ARN of six fields or more (`*`) as it is. Workflow's warning and the deploy rule
 * StatesServiceTasks judge a target named without its account (TargetArn `accountFromContext`) against grants so read:
 * the account the plan sees is the mocked one offline, and a grant on the same name in any account is taken as its.
 */
export function arnInAccount(resource: string, account: string): string {
  const fields = resource.startsWith("arn:") ? arnComponents(resource) : undefined;
  if (!fields) return resource;
  fields[4] = account;
  return fields.join(":");
}

/** A target a Task's request names as a literal: the value written (undefined: a putEvents entry naming no bus, the account's `default` bus), and the index a Query or Scan names. */
export interface LiteralTarget {
  value: string | undefined;
  index?: string;
}

/**
 * The targets an integration's request (a Task's Parameters or Arguments, as written) names as literals: each
 * putEvents entry's bus on its own, a Query's or Scan's table with the index a literal IndexName names. A JSONPath
 * `Field.$`, a JSONata expression or a deploy-time value names a target only at run time (and so does a path or an
 * expression naming the index), and a component is granted by Workflow itself: neither is one. Empty for a Lambda
 * integration (its literal function ARNs are the deploy rule StatesLambdaTasks').
 */
export function literalTargets(integration: OptimizedIntegration, payload: unknown): LiteralTarget[] {
  const plain = (value: unknown): value is Record<string, unknown> => isObject(value) && !Array.isArray(value) && !pulumi.Output.isInstance(value) && !pulumi.Resource.isInstance(value);
  if (integration.kind === "LambdaFunction" || !plain(payload)) return [];
  const literal = (value: unknown): value is string => typeof value === "string" && !isJsonata(value);
  if (integration.kind !== "EventBus") {
    const value = payload[integration.field];
    const index = integration.indexed ? indexNamed(payload) : undefined;
    if (!literal(value) || index === "*") return [];
    return [index === undefined ? { value } : { value, index }];
  }
  if (!Array.isArray(payload.Entries)) return [];
  return payload.Entries.flatMap((entry: unknown) => {
    if (!plain(entry) || "EventBusName.$" in entry) return [];
    const bus = entry.EventBusName;
    return bus === undefined || literal(bus) ? [{ value: bus }] : [];
  });
}

/**
 * The ARN a literal target's action is authorised on (targetArn; a Query's or Scan's index's); undefined for a value of
 * no form a target takes. Workflow's warning and the deploy rule StatesServiceTasks both read targets through it.
 */
export function literalTargetArn(kind: Exclude<IntegrationTargetKind, "LambdaFunction">, target: LiteralTarget, where: TargetContext): TargetArn | undefined {
  const found = targetArn(kind, target.value, where);
  return found && target.index !== undefined ? { ...found, arn: `${found.arn}/index/${target.index}` } : found;
}

/**
 * Whether `statements` may allow `action` on `resource`: one whose actions cover it (actionMatches) and one of whose
 * resources may match it (resourceMatches, "lenient": a warning that rests on no guess). Conditions are not read: a
 * grant under a condition may allow it. The question the deploy rule StatesServiceTasks asks of a role's policies.
 */
export function statementsAllow(statements: ReadonlyArray<{ actions: readonly string[]; resources: readonly string[] }>, action: string, resource: string): boolean {
  return statements.some((statement) => statement.actions.some((pattern) => actionMatches(pattern, action)) && statement.resources.some((pattern) => resourceMatches(pattern, resource, "lenient")));
}

/** A DataTier's table as `data.tables.<key>` gives it (duck-typed: a library consumer may load two copies of a class). */
export interface DataTableLike {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  table: pulumi.Resource;
}
export interface MessageQueueLike {
  queueUrl: pulumi.Output<string>;
  queueArn: pulumi.Output<string>;
  grants: { send(): PolicyStatement[] };
}
export interface TopicLike {
  topicArn: pulumi.Output<string>;
  grants: { publish(): PolicyStatement[] };
}
export interface EventBusLike {
  busName: pulumi.Output<string>;
  busArn: pulumi.Output<string>;
  grants: { put(): PolicyStatement[] };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isOutput = (value: unknown) => pulumi.Output.isInstance(value);

export function isDataTable(value: unknown): value is DataTableLike {
  return isObject(value) && !pulumi.Resource.isInstance(value) && isOutput(value.name) && isOutput(value.arn) && pulumi.Resource.isInstance(value.table) && isObject(value.grants);
}
export function isMessageQueue(value: unknown): value is MessageQueueLike {
  return isObject(value) && isOutput(value.queueUrl) && isOutput(value.queueArn) && typeof (value.grants as Record<string, unknown> | undefined)?.send === "function";
}
export function isTopic(value: unknown): value is TopicLike {
  return isObject(value) && isOutput(value.topicArn) && typeof (value.grants as Record<string, unknown> | undefined)?.publish === "function";
}
export function isEventBus(value: unknown): value is EventBusLike {
  return isObject(value) && isOutput(value.busArn) && isOutput(value.busName) && typeof (value.grants as Record<string, unknown> | undefined)?.put === "function";
}

/** The kind of integration target `value` is, if it is one. LambdaFunctions are told by definition.ts's isLambdaFunction. */
export function targetKind(value: unknown): Exclude<IntegrationTargetKind, "LambdaFunction"> | undefined {
  if (isDataTable(value)) return "DataTable";
  if (isMessageQueue(value)) return "MessageQueue";
  if (isTopic(value)) return "Topic";
  if (isEventBus(value)) return "EventBus";
  return undefined;
}

/** Where a target component's resource is created: its component's `region` (absent: the provider's), the resource, its type, and how to name it. */
export interface TargetPlacement {
  own: string | undefined;
  resource: pulumi.Resource;
  type: string;
  label: string;
}

/**
 * Where a target component is created, for the comparison with the workflow's region: a MessageQueue's, Topic's or
 * EventBus's own spec.region and resource; a DataTier table's DataTier (found by the table's name among the
 * registered DataTiers: the table itself does not carry its DataTier's region). Undefined when it cannot be told (a
 * copy of a component this module does not know): not checked then.
 */
export function targetPlacement(kind: Exclude<IntegrationTargetKind, "LambdaFunction">, value: unknown): TargetPlacement | undefined {
  const component = value as { spec?: { name?: unknown; region?: unknown }; queue?: unknown; topic?: unknown; bus?: unknown };
  const region = typeof component.spec?.region === "string" && component.spec.region ? component.spec.region : undefined;
  const named = (what: string, resource: unknown, type: string): TargetPlacement | undefined =>
    pulumi.Resource.isInstance(resource) && typeof component.spec?.name === "string" ? { own: region, resource, type, label: `the ${what} "${component.spec.name}"` } : undefined;
  switch (kind) {
    case "DataTable": {
      const table = value as DataTableLike;
      for (const { name, spec } of registeredSpecs<{ region?: string; tableNames?: Record<string, unknown> }>("DataTier")) {
        const key = Object.entries(spec.tableNames ?? {}).find(([, tableName]) => tableName === table.name)?.[0];
        if (key !== undefined) return { own: spec.region || undefined, resource: table.table, type: "aws:dynamodb/table:Table", label: `the DataTier "${name}"'s table "${key}"` };
      }
      return undefined;
    }
    case "MessageQueue":
      return named("MessageQueue", component.queue, "aws:sqs/queue:Queue");
    case "Topic":
      return named("Topic", component.topic, "aws:sns/topic:Topic");
    case "EventBus":
      return named("EventBus", component.bus, "aws:cloudwatch/eventBus:EventBus");
  }
}

/** What stands in the deployed definition for a target component: the value its field takes. */
export function deployedTarget(kind: Exclude<IntegrationTargetKind, "LambdaFunction">, value: unknown): pulumi.Output<string> {
  switch (kind) {
    case "DataTable":
      return (value as DataTableLike).name;
    case "MessageQueue":
      return (value as MessageQueueLike).queueUrl;
    case "Topic":
      return (value as TopicLike).topicArn;
    case "EventBus":
      // EventBusName takes a bus's name or ARN (API_PutEventsRequestEntry); the name is what the console writes.
      return (value as EventBusLike).busName;
  }
}

/** What stands for a target component in the definition checked before the deploy (asl-validator reads field values as text). */
export function plannedTarget(kind: Exclude<IntegrationTargetKind, "LambdaFunction">, region: string | undefined): string {
  const where = region ?? "us-east-1";
  switch (kind) {
    case "DataTable":
      return "table-0000000";
    case "MessageQueue":
      return `https://sqs.${where}.amazonaws.com/123456789012/queue-0000000`;
    case "Topic":
      return `arn:aws:sns:${where}:123456789012:topic-0000000`;
    case "EventBus":
      return "bus-0000000";
  }
}

/** A Task state naming one of OPTIMIZED_INTEGRATIONS or SDK_INTEGRATIONS, where it stands, and the component it names (if any). */
export interface DefinitionIntegration {
  /** Where the Task state stands (`definition.States.Save`). */
  path: string;
  integration: OptimizedIntegration;
  /** The target components its field names (several for putEvents' Entries); empty when the target is a plain value. */
  targets: Array<{ kind: IntegrationTargetKind; value: unknown }>;
  /** The Task names `Credentials`: it acts as the role it assumes, so the workflow's role is granted nothing for it. */
  assumed: boolean;
  /** A Query or Scan naming an IndexName: that index (its literal name), or `*` (a path or expression names it at run time). */
  index?: string;
}

/**
 * The role's statements for the definition's integrations with components: exactly each integration's action on
 * exactly its target (one statement per target, its actions together), but for a Task with `Credentials` (it acts as
 * the role it assumes). LambdaFunctions are granted with the direct
 * Tasks' functions (index.ts, InvokeFunctions).
 */
export function integrationStatements(integrations: readonly DefinitionIntegration[]): PolicyStatement[] {
  /** Each table's actions, by the resource under its ARN they are on (`` for the table, `/index/<index>`). */
  const tables = new Map<DataTableLike, Map<string, Set<string>>>();
  const others = new Set<unknown>();
  const statements: PolicyStatement[] = [];
  for (const { integration, targets, assumed, index } of integrations) {
    if (assumed) continue;
    for (const { kind, value } of targets) {
      if (kind === "DataTable") {
        const table = tables.get(value as DataTableLike) ?? new Map<string, Set<string>>();
        const under = index === undefined ? "" : `/index/${index}`;
        table.set(under, (table.get(under) ?? new Set<string>()).add(integration.action));
        tables.set(value as DataTableLike, table);
      } else if (kind !== "LambdaFunction" && !others.has(value)) {
        others.add(value);
        if (kind === "MessageQueue") statements.push(...(value as MessageQueueLike).grants.send());
        if (kind === "Topic") statements.push(...(value as TopicLike).grants.publish());
        if (kind === "EventBus") statements.push(...(value as EventBusLike).grants.put());
      }
    }
  }
  for (const [table, resources] of tables) {
    for (const [under, actions] of resources) statements.unshift({ actions: [...actions].sort(), resources: [under ? pulumi.interpolate`${table.arn}${under}` : table.arn] });
  }
  // A component's grant may carry a sid (grants are written for a function's role): the workflow's policy holds
  // several, so each keeps only what IAM needs (no sid: two statements of one Sid are refused, MalformedPolicyDocument).
  return statements.map(({ sid: _sid, ...statement }) => statement);
}

