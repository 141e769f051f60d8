/**
 * Step Functions' optimized service integrations under `npm start`: a Task state whose Resource is
 * `arn:aws:states:::dynamodb:getItem` (putItem, updateItem, deleteItem), `sqs:sendMessage`, `sns:publish` or
 * `events:putEvents` calls the local emulator of that service (local/dynamodb, local/sqs-server.ts, local/sns-server.ts,
 * local/eventbridge-server.ts) over its own wire protocol, at the endpoint local functions reach it through
 * (AWS_ENDPOINT_URL_<SERVICE>), signed with the runtime's own credentials — after the workflow's role was asked, as IAM
 * asks it for the state machine's role: a role without the action fails the Task as AWS does.
 *
 * What AWS answers, and so what this answers:
 * - The result is the service API's response, with the SDK's `SdkHttpMetadata` and `SdkResponseMetadata` (the
 *   optimized integrations' output: "SdkHttpMetadata … HttpStatusCode … SdkResponseMetadata … RequestId",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html#input-output-resultselector);
 *   putEvents' is `{ Entries, FailedEntryCount }` alone, as LocalStack's StateTaskServiceEvents returns it (it drops the
 *   response metadata; localstack services/stepfunctions/.../state_task_service_events.py).
 * - A service error is the Task's error `<Service>.<exception>`: the service's modeled exception class in AWS's Java
 *   SDK (DynamoDB.ConditionalCheckFailedException, DynamoDB.ResourceNotFoundException, SQS.QueueDoesNotExistException),
 *   else its base exception (DynamoDB.AmazonDynamoDBException, SQS.AmazonSQSException, SNS.AmazonSNSException,
 *   EventBridge.AmazonEventBridgeException), with the cause `<message> (Service: <service>; Status Code: <status>;
 *   Error Code: <code>; Request ID: <id>; Proxy: null)` — as LocalStack's snapshot tests recorded them against AWS
 *   (localstack tests/aws/services/stepfunctions/v2/error_handling/test_task_service_dynamodb.snapshot.json:
 *   "DynamoDB.ResourceNotFoundException", "DynamoDB.AmazonDynamoDBException" for a ValidationException;
 *   test_task_service_sqs.snapshot.json: "SQS.AmazonSQSException" … "Error Code: MissingParameter"). The optimized
 *   DynamoDB prefix is "DynamoDB" ("For optimized integrations, the exception prefix will be DynamoDB (uppercase DB)",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html).
 * - An IAM refusal is the service's AccessDenied error in that form (DynamoDB's AccessDeniedException through
 *   DynamoDB.AmazonDynamoDBException, SNS's AuthorizationError as SNS.AuthorizationErrorException, …), so Retry and
 *   Catch on the error name, on States.TaskFailed or on States.ALL match it.
 * - putEvents: each entry's Resources get the state machine's ARN and then the execution's, LocalStack's order (AWS's
 *   own is not confirmed: "The execution ARN and the state machine ARN are automatically appended to the Resources
 *   field of each PutEventsRequestEntry" names no order), and a response with a FailedEntryCount fails the Task with
 *   EventBridge.FailedEntry (https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html).
 * - JSON in SQS's MessageBody, SNS's Message and EventBridge's Detail is sent as its JSON text, as Step Functions sends it.
 */
import { randomUUID } from "node:crypto";
import { apiOperation, OPTIMIZED_INTEGRATIONS, optimizedIntegration, sdkIamAction, sdkTask, targetArn, type TargetContext } from "../components/workflow/integrations";
import { ACCESS_DENIED, arnOf, namedResources, signedFetch } from "./aws-service-calls";
import { dynamoPermissions, PARTIQL_OPERATIONS } from "./dynamodb/authorise";
import { invokeTarget, qualifierText } from "./lambda-function-name";
import { sfnPermission } from "./sfn-permissions";
import type { SigV4Credentials } from "./sigv4-verify";
import { unescapeXml, xmlElements } from "./xml";

/**
 * A Task's failure as Step Functions names it (a service Task's here, a function's in local/sfn-server.ts): `name` is
 * the Error Retry and Catch match, `message` the Cause. A terminal one — by default States.Runtime, what the local
 * runtime cannot run — is neither retried nor caught, as in AWS (the library reads isRetryable and isCatchable).
 */
export class ServiceTaskFailure extends Error {
  constructor(error: string, cause: string, { terminal = error === "States.Runtime" }: { terminal?: boolean } = {}) {
    super(cause);
    this.name = error;
    if (terminal) Object.assign(this, { isRetryable: false, isCatchable: false });
  }
}

/** The role's refusal of an action, as local/function-roles.ts words it. */
export interface RoleRefusal {
  caller: string;
  reason: string;
}

/** What a service Task runs in: where the execution is, and what the workflow's role allows. */
export interface ServiceTaskContext {
  region: string;
  account: string;
  executionArn: string;
  stateMachineArn: string;
  /** IAM for the workflow's role; undefined: everything is allowed (a role the runtime does not know). */
  authorise?: (action: string, resource: string) => RoleRefusal | undefined;
}

export interface ServiceIntegrationOptions {
  /** The local endpoints, read when a Task runs (the services set them as they start). */
  endpoints(): { dynamodb?: string; sqs?: string; sns?: string; eventbridge?: string; kinesis?: string; secretsmanager?: string; sfn?: string; lambda?: string };
  /** The runtime's own credentials, which every local endpoint accepts and no role restricts. */
  credentials: SigV4Credentials;
  /** The local address standing for a deployed one (a queue's recorded URL → its URL on the local SQS server). */
  localAddress?(deployed: string): string | undefined;
}

/** The service Tasks the local runtime runs: the optimized integrations of components/workflow/integrations.ts beside lambda:invoke (which local/sfn-server.ts runs itself). */
export const LOCAL_SERVICE_TASKS: readonly string[] = OPTIMIZED_INTEGRATIONS.filter((integration) => integration.kind !== "LambdaFunction").map((integration) => integration.api);

/** A Task's service API (`dynamodb:putItem`) from its Resource, when the local runtime runs it (request-response only); undefined otherwise. */
export function localServiceTask(resource: unknown): string | undefined {
  const found = optimizedIntegration(resource);
  return found && found.pattern === "" && found.integration.kind !== "LambdaFunction" ? found.integration.api : undefined;
}

/**
 * The optimized integrations whose Wait for Callback form (`<api>.waitForTaskToken`) the local runtime runs: those
 * components/workflow/integrations.ts offers it for (an SDK integration's callback form runs too: callbackTaskResource).
 */
export const LOCAL_CALLBACK_TASKS: readonly string[] = OPTIMIZED_INTEGRATIONS.filter((integration) => integration.patterns.includes(".waitForTaskToken")).map((integration) => integration.api);

/**
 * The Resource a Wait for Callback Task (`arn:aws:states:::sqs:sendMessage.waitForTaskToken`) calls before it waits
 * for its token: the request-response form the local runtime runs (LOCAL_CALLBACK_TASKS); undefined for any other Resource.
 */
export function callbackTaskResource(resource: unknown): string | undefined {
  const found = optimizedIntegration(resource);
  if (found?.pattern === ".waitForTaskToken") return (resource as string).slice(0, -found.pattern.length);
  // An AWS SDK integration's Wait for Callback form runs as its request-response call, then waits for the token, as
  // the optimized ones do (supported-services-awssdk.html offers .waitForTaskToken for the SDK integrations).
  return sdkTask(resource)?.pattern === ".waitForTaskToken" ? (resource as string).slice(0, -".waitForTaskToken".length) : undefined;
}

interface Service {
  /** The Step Functions error prefix (`DynamoDB.`) and the Java SDK's service name in a cause. */
  prefix: string;
  serviceName: string;
  /** The base exception class: the error of any code not modeled. */
  base: string;
  /** Error codes modeled as their own exception class (the code → the class). */
  modeled: Record<string, string>;
  /** How AWS's Java SDK reports the service's IAM refusal: its code and status. */
  denied: { code: string; status: number };
}

const SERVICES: Record<string, Service> = {
  dynamodb: {
    prefix: "DynamoDB",
    serviceName: "AmazonDynamoDBv2",
    base: "AmazonDynamoDBException",
    // Two wire codes lack the class's "Exception" (aws-java-sdk-dynamodb's AmazonDynamoDBClient error metadata:
    // "RequestLimitExceeded" → RequestLimitExceededException, "InternalServerError" → InternalServerErrorException).
    modeled: {
      ...Object.fromEntries(
        ["ConditionalCheckFailedException", "ResourceNotFoundException", "ProvisionedThroughputExceededException", "ItemCollectionSizeLimitExceededException", "TransactionConflictException"].map((code) => [code, code]),
      ),
      RequestLimitExceeded: "RequestLimitExceededException",
      InternalServerError: "InternalServerErrorException",
    },
    denied: ACCESS_DENIED.dynamodb,
  },
  sqs: {
    prefix: "SQS",
    serviceName: "AmazonSQS",
    base: "AmazonSQSException",
    modeled: {
      "AWS.SimpleQueueService.NonExistentQueue": "QueueDoesNotExistException",
      InvalidMessageContents: "InvalidMessageContentsException",
      "AWS.SimpleQueueService.UnsupportedOperation": "UnsupportedOperationException",
    },
    denied: ACCESS_DENIED.sqs,
  },
  sns: {
    prefix: "SNS",
    serviceName: "AmazonSNS",
    base: "AmazonSNSException",
    modeled: { AuthorizationError: "AuthorizationErrorException", NotFound: "NotFoundException", InvalidParameter: "InvalidParameterException", InvalidParameterValue: "InvalidParameterValueException" },
    denied: ACCESS_DENIED.sns,
  },
  // lambda:invoke runs in local/sfn-server.ts; its refusals are worded here (deniedTaskFailure, lambdaTaskFailure). Both
  // are classes of AWS's Java SDK for Lambda (aws-java-sdk-lambda …/lambda/model/).
  lambda: {
    prefix: "Lambda",
    serviceName: "AWSLambda",
    base: "AWSLambdaException",
    modeled: { ResourceNotFoundException: "ResourceNotFoundException", InvalidParameterValueException: "InvalidParameterValueException" },
    denied: ACCESS_DENIED.lambda,
  },
  events: {
    prefix: "EventBridge",
    serviceName: "AmazonEventBridge",
    base: "AmazonEventBridgeException",
    modeled: { ResourceNotFoundException: "ResourceNotFoundException", InternalException: "InternalException" },
    denied: ACCESS_DENIED.events,
  },
};

/**
 * A Task's AWS SDK integration (`aws-sdk:dynamodb:query`) from its Resource `arn:aws:states:::aws-sdk:<service>:<action>`
 * (or its `.waitForTaskToken` form, which runs the same call), whatever the service: run() fails one it has no emulator for with States.Runtime, naming it.
 */
export function localSdkTask(resource: unknown): string | undefined {
  const task = sdkTask(resource);
  // Request-response or Wait for Callback (callbackTaskResource); `.sync` is not run locally.
  return task && !task.pattern.startsWith(".sync") ? `aws-sdk:${task.service}:${task.action}` : undefined;
}

type Endpoints = ReturnType<ServiceIntegrationOptions["endpoints"]>;

/**
 * An AWS SDK integration's service, as its local emulator speaks it. Step Functions sends the Task's Parameters as the
 * API's request (PascalCase members, which `request` respells where the API's differ; the action, camelCase in the
 * ARN, is the API's operation) and returns the API's response as the result
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), without the SDK's response
 * metadata (LocalStack drops it: state_task_service_aws_sdk.py, `response.pop("ResponseMetadata")`).
 */
interface SdkService {
  /**
   * The Error's prefix: "ServiceName.ErrorName … both in Pascal case" (supported-services-awssdk.html), the SDK's
   * service id without spaces (`SecretsManager`), with Step Functions' own spellings `DynamoDb` and `Sfn`
   * (LocalStack's _SERVICE_ERROR_NAMES; AWS-recorded "DynamoDb.DynamoDbException", "SecretsManager.SecretsManagerException"
   * in localstack tests/aws/services/stepfunctions/v2/error_handling/test_aws_sdk.snapshot.json).
   */
  error: string;
  endpoint: keyof Endpoints;
  signingName: string;
  /**
   * How its emulator is spoken to: the JSON protocol's X-Amz-Target prefix and version (each service's API reference,
   * "Common parameters"), or Lambda's REST JSON (lambdaInvoke) or SNS's query protocol (publish, publishBatch).
   */
  protocol: { target: string; version: "1.0" | "1.1" } | "lambda-rest" | "sns-query";
  /** The operations its emulator serves, where not all (the others fail with States.Runtime before IAM is asked), and who serves them, for that message. */
  serves?: { by: string; operations: readonly string[] };
  /** The error codes the service's API reference lists as its actions' errors: they keep their name; any other is `<error>.<error>Exception`. */
  modeled: readonly string[];
  /** How the service answers a caller IAM refuses (local/aws-service-calls.ts ACCESS_DENIED). */
  denied: { code: string; status: number };
  /**
   * The IAM actions and resources a call is authorised as; resource `*` where the call names none the runtime can read.
   * `iamAction` is the Task's own (integrations.ts sdkIamAction), which a service whose calls IAM reads differently
   * (DynamoDB's transactions and PartiQL, Step Functions' SendTask*) decides itself. `call`: what runSdk read of the
   * call once for all its steps.
   */
  permissions(action: string, input: Record<string, unknown>, where: TargetContext, iamAction: string, call: SdkCall): Array<{ action: string; resource: string }>;
  /** The Parameters as the API's request, where Step Functions' spelling differs from the API's; the API's response as the Task's result. */
  request?(input: Record<string, unknown>): Record<string, unknown>;
  response?(output: Record<string, unknown>): Record<string, unknown>;
}

/** What runSdk reads of an SDK Task's call once, for its IAM check and its request alike. */
interface SdkCall {
  /** The Parameters as the API's request (SdkService.request). */
  request: Record<string, unknown>;
  /** The queue an SQS call's QueueUrl names. */
  queue?: { arn: string };
}

/** Every member name of a JSON value (nested too) with its first letter passed through `first`. */
const recased = (value: unknown, first: (letter: string) => string): unknown =>
  Array.isArray(value)
    ? value.map((item) => recased(item, first))
    : typeof value === "object" && value !== null
      ? Object.fromEntries(Object.entries(value).map(([name, item]) => [first(name.slice(0, 1)) + name.slice(1), recased(item, first)]))
      : value;

/**
 * DynamoDB AttributeValue type names as Step Functions spells them, each to the API's: the SDK integrations and the
 * optimized ones return `Bool` and `Nul` where the API has `BOOL` and `NULL` (aws/aws-sdk-js#4294 "BOOL is returned as
 * Bool"; aws/aws-sdk-js-v3#4948 "Nul … returned by the Dynamodb query call when integrated with the step function"; the
 * Step Functions team, as the SDK team quoted it in aws/aws-sdk-js#4294: "expected behavior … present in both our
 * optimized integrations for DDB as well as our AWS SDK integrations"; aws/aws-sdk-js-v3#5423), and take both spellings (the optimized
 * ones take BOOL as the CDK's DynamoAttributeValue writes it; Bool as the SDK ones do: not confirmed for them).
 * The renaming is inside `M` and `L` values only: an item's own attributes keep BOOL and NULL (boto/boto3#4253, an
 * aws-sdk:dynamodb:scan: "`NULL` is `Nul` and `BOOL` is `Bool` within a nested map. Top level attributes do however use
 * the more standard `NULL` and `BOOL`", the one report that tells the depths apart; #4294's top-level "Bool" example
 * reads hand-simplified, and no report covers the optimized Tasks' depth, which follow the same rule: docs/local-vs-aws.md).
 * `Ss`, `Ns`, `Bs` follow the same rule (the Java SDK v2 member names, PascalCased) but no AWS text shows them: they
 * are accepted in requests, and results keep the API's SS, NS, BS. LocalStack's AWS-recorded DynamoDB Tasks
 * (test_dynamodb_task_service, test_aws_sdk_task_service) hold string attributes only.
 */
const ATTRIBUTE_TYPES_IN: Record<string, string> = { Bool: "BOOL", Nul: "NULL", Ss: "SS", Ns: "NS", Bs: "BS" };
const ATTRIBUTE_TYPES_OUT: Record<string, string> = { BOOL: "Bool", NULL: "Nul" };
const BOOLEAN_TYPES = new Set(["Bool", "Nul", "BOOL", "NULL"]);

/**
 * A JSON value with each AttributeValue's type renamed by `names`: an object of one member so named, whose value is
 * that type's (a boolean for Bool/Nul, an array for the sets). An Item's attribute of such a name holds an object, so
 * it is never taken for one. `nestedOnly`: only the AttributeValues inside an `M` or `L` value, the ones outside them
 * as they are (boto/boto3#4253); an `M` is told from an item's attribute named M by its value, a map of
 * AttributeValues (objects), where the attribute holds one AttributeValue (`{"BOOL": true}`).
 */
function retyped(value: unknown, names: Record<string, string>, nestedOnly = false): unknown {
  if (Array.isArray(value)) return value.map((item) => retyped(item, names, nestedOnly));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[name, item]] = entries;
    if (nestedOnly) {
      const map = name === "M" && typeof item === "object" && item !== null && !Array.isArray(item) && Object.values(item).every((member) => typeof member === "object" && member !== null);
      if (map || (name === "L" && Array.isArray(item))) return { [name]: retyped(item, names) };
    } else if (names[name] !== undefined && (BOOLEAN_TYPES.has(name) ? typeof item === "boolean" : Array.isArray(item))) return { [names[name]]: item };
  }
  return Object.fromEntries(entries.map(([name, item]) => [name, retyped(item, names, nestedOnly)]));
}

/** A DynamoDB request's attribute values with their types as the API spells them (either spelling taken). */
const apiAttributeTypes = (request: Record<string, unknown>) => retyped(request, ATTRIBUTE_TYPES_IN) as Record<string, unknown>;
/** A DynamoDB answer's attribute values with their types as Step Functions spells them (BOOL → Bool, NULL → Nul inside M and L). */
const stepFunctionsAttributeTypes = (answered: Record<string, unknown>) => retyped(answered, ATTRIBUTE_TYPES_OUT, true) as Record<string, unknown>;

/**
 * What an aws-sdk:lambda:invoke Task names (invokeTarget, the local Invoke API's own reading): its FunctionName in
 * the state machine's partition, region and account unless it names its own, with its Qualifier (a non-string one
 * as its JSON text, checked and sent alike); undefined for a FunctionName of no form Invoke takes.
 */
const invoked = (input: Record<string, unknown>, where: TargetContext) => (typeof input.FunctionName === "string" ? invokeTarget(input.FunctionName, input.Qualifier, where) : undefined);

/** The Task's IAM action on each ARN the call names, else on `*` (as an API Gateway integration's call: local/aws-service-calls.ts namedResources). */
const onNamed =
  (arns: (input: Record<string, unknown>, where: TargetContext, action: string, call: SdkCall) => Array<string | undefined>): SdkService["permissions"] =>
  (action, input, where, iamAction, call) =>
    namedResources(arns(input, where, action, call)).map((resource) => ({ action: iamAction, resource }));

/** The services with a local emulator speaking AWS's JSON protocol, by their name in `aws-sdk:<name>` (supported-services-awssdk.html's list). */
const SDK_SERVICES: Record<string, SdkService> = {
  dynamodb: {
    error: "DynamoDb",
    endpoint: "dynamodb",
    signingName: "dynamodb",
    protocol: { target: "DynamoDB_20120810", version: "1.0" },
    modeled: [...Object.keys(SERVICES.dynamodb.modeled), "TransactionCanceledException", "TransactionInProgressException", "ResourceInUseException", "LimitExceededException", "IdempotentParameterMismatchException", "DuplicateItemException"],
    denied: SERVICES.dynamodb.denied,
    // DynamoDB's own authorisation (a transaction's items each as their action on their table): local/dynamodb/authorise.ts.
    // PartiQL's statements each ask their own action, so one naming none asks nothing (DynamoDB refuses it as malformed).
    permissions: (action, input, where) => {
      const found = dynamoPermissions(action, input, where.region);
      return found.length || PARTIQL_OPERATIONS.has(action) ? found : [{ action: `dynamodb:${action}`, resource: "*" }];
    },
    request: apiAttributeTypes,
    response: stepFunctionsAttributeTypes,
  },
  sqs: {
    error: "SQS",
    endpoint: "sqs",
    signingName: "sqs",
    protocol: { target: "AmazonSQS", version: "1.0" },
    // The JSON protocol's __type names the modeled shape (QueueDoesNotExist, not the query code AWS.SimpleQueueService.NonExistentQueue).
    modeled: ["QueueDoesNotExist", "InvalidMessageContents", "UnsupportedOperation", "QueueDeletedRecently", "QueueNameExists", "ReceiptHandleIsInvalid", "MessageNotInflight", "OverLimit", "PurgeQueueInProgress", "BatchEntryIdsNotDistinct", "BatchRequestTooLong", "EmptyBatchRequest", "InvalidBatchEntryId", "TooManyEntriesInBatchRequest", "InvalidAttributeName", "InvalidAttributeValue", "InvalidIdFormat", "RequestThrottled", "InvalidAddress", "InvalidSecurity", "ResourceNotFoundException"],
    denied: SERVICES.sqs.denied,
    permissions: onNamed((_input, _where, _action, call) => [call.queue?.arn]),
  },
  eventbridge: {
    error: "EventBridge",
    endpoint: "eventbridge",
    signingName: "events",
    protocol: { target: "AWSEvents", version: "1.1" },
    modeled: [...Object.keys(SERVICES.events.modeled), "ConcurrentModificationException", "LimitExceededException", "ResourceAlreadyExistsException", "InvalidEventPatternException", "ManagedRuleException", "OperationDisabledException", "IllegalStatusException"],
    denied: SERVICES.events.denied,
    // PutEvents on each entry's bus, a bus's own operations (…EventBus) on the bus their Name names, a rule's on the
    // rule (`rule/<name>` on the default bus, `rule/<bus>/<name>` on another: the service authorization reference's
    // rule ARN), anything else on the bus its EventBusName names.
    permissions: onNamed((input, where, action) => {
      const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
      const bus = text(input.EventBusName);
      const busName = bus?.startsWith("arn:") ? bus.split("/").pop() : bus;
      const rule = !action.endsWith("EventBus") && text(input.Name) && !text(input.Name)!.startsWith("arn:") ? `arn:${where.partition}:events:${where.region}:${where.account}:rule/${busName && busName !== "default" ? `${busName}/` : ""}${input.Name as string}` : undefined;
      return [
        ...(Array.isArray(input.Entries) ? input.Entries.map((entry) => targetArn("EventBus", text(record(entry).EventBusName), where)?.arn) : []),
        action.endsWith("EventBus") ? (text(input.Name) && targetArn("EventBus", text(input.Name), where)?.arn) : rule ?? (bus && targetArn("EventBus", bus, where)?.arn),
      ];
    }),
  },
  kinesis: {
    error: "Kinesis",
    endpoint: "kinesis",
    signingName: "kinesis",
    protocol: { target: "Kinesis_20131202", version: "1.1" },
    modeled: ["ResourceNotFoundException", "ResourceInUseException", "LimitExceededException", "InvalidArgumentException", "ProvisionedThroughputExceededException", "ExpiredIteratorException", "ExpiredNextTokenException", "AccessDeniedException", "ValidationException", "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException", "KMSNotFoundException", "KMSOptInRequired", "KMSThrottlingException"],
    denied: ACCESS_DENIED.kinesis,
    // The stream a call names (as local/kinesis-server.ts authorises it); a consumer's ARN for the consumer operations.
    permissions: onNamed((input, where) => [
      arnOf(input.StreamARN, () => ""),
      arnOf(input.StreamName, (name) => `arn:${where.partition}:kinesis:${where.region}:${where.account}:stream/${name}`),
      arnOf(input.ConsumerARN, () => ""),
    ]),
  },
  secretsmanager: {
    error: "SecretsManager",
    endpoint: "secretsmanager",
    signingName: "secretsmanager",
    protocol: { target: "secretsmanager", version: "1.1" },
    modeled: ["ResourceNotFoundException", "InvalidParameterException", "InvalidRequestException", "InvalidNextTokenException", "DecryptionFailure", "EncryptionFailure", "InternalServiceError", "LimitExceededException", "ResourceExistsException", "MalformedPolicyDocumentException", "PreconditionNotMetException", "PublicPolicyException"],
    denied: ACCESS_DENIED.secretsmanager,
    // A secret named by name is the ARN local/secrets-server.ts gives a secret it knows no ARN of (`secret:<name>-local0`),
    // which a policy's `secret:<name>-*` matches as the deployed ARN's random suffix.
    permissions: onNamed((input, where) => [arnOf(input.SecretId, (name) => `arn:${where.partition}:secretsmanager:${where.region}:${where.account}:secret:${name}-local0`)]),
  },
  sfn: {
    error: "Sfn",
    endpoint: "sfn",
    signingName: "states",
    protocol: { target: "AWSStepFunctions", version: "1.0" },
    modeled: ["ExecutionDoesNotExist", "StateMachineDoesNotExist", "ExecutionAlreadyExists", "ExecutionLimitExceeded", "InvalidArn", "InvalidExecutionInput", "InvalidName", "InvalidToken", "InvalidOutput", "TaskDoesNotExist", "TaskTimedOut", "StateMachineDeleting", "StateMachineTypeNotSupported", "ValidationException", "ResourceNotFound"],
    denied: ACCESS_DENIED.states,
    // As the local Step Functions server authorises its callers (SendTask* on the state machine that issued the token);
    // a call naming nothing it reads is the server's to refuse (ValidationException, InvalidToken, UnknownOperation).
    permissions: (action, _input, _where, _iamAction, call) => {
      const found = sfnPermission(action, call.request);
      return found ? [found] : [];
    },
    // "Parameters in Step Functions are expressed in PascalCase, even if the native service API is in camelCase … you
    // could use the Step Functions API action startSyncExecution and specify its parameter as StateMachineArn"
    // (supported-services-awssdk.html): the API's camelCase members on the way out, PascalCase on the way back.
    request: (input) => recased(input, (letter) => letter.toLowerCase()) as Record<string, unknown>,
    response: (output) => recased(output, (letter) => letter.toUpperCase()) as Record<string, unknown>,
  },
  lambda: {
    error: "Lambda",
    endpoint: "lambda",
    signingName: "lambda",
    protocol: "lambda-rest",
    serves: { by: "The local Lambda API", operations: ["Invoke"] },
    // API_Invoke's "Errors" the local Invoke API answers, named alike in the API and the Java SDK v2 classes Step
    // Functions' SDK integrations name errors by (LambdaException is the base). The others (EC2AccessDeniedException,
    // KMS*, …) are spelled otherwise in SDK v2 (Ec2AccessDeniedException, KmsAccessDeniedException, …); Step Functions'
    // spelling of them is not confirmed and the local API never answers them. Its RequestEntityTooLargeException (the
    // code Lambda sends for a payload over 6 MB) matches no modeled name, so it is Lambda.LambdaException (not confirmed).
    modeled: ["InvalidParameterValueException", "InvalidRequestContentException", "ResourceNotFoundException", "ServiceException", "TooManyRequestsException"],
    denied: ACCESS_DENIED.lambda,
    permissions: onNamed((input, where) => [invoked(input, where)?.arn]),
  },
  sns: {
    error: "SNS",
    endpoint: "sns",
    signingName: "sns",
    protocol: "sns-query",
    serves: { by: "The local SNS server", operations: ["Publish", "PublishBatch"] },
    modeled: Object.keys(SERVICES.sns.modeled),
    denied: SERVICES.sns.denied,
    permissions: onNamed((input) => [input.TopicArn, input.TargetArn].map((arn) => (typeof arn === "string" ? arn : undefined))),
  },
};

/**
 * An AWS SDK integration's failure: `<error>.<code>` for a code the service models, suffixed `Exception` where the code
 * has none ("always add the Exception suffix … S3.BucketAlreadyExistsException", supported-services-awssdk.html), else
 * `<error>.<error>Exception` (the SDK's base exception: "DynamoDb.DynamoDbException" for a ValidationException, AWS-recorded
 * in LocalStack's test_aws_sdk.snapshot.json); the cause `<message> (Service: <error>, Status Code: <status>, Request ID: <id>)`,
 * as recorded there. Both are what Retry and Catch match, and States.TaskFailed and States.ALL match them too.
 */
function sdkFailure(service: SdkService, code: string, message: string, status: number, requestId: string): ServiceTaskFailure {
  const name = service.modeled.includes(code) ? (code.endsWith("Exception") ? code : `${code}Exception`) : `${service.error}Exception`;
  return new ServiceTaskFailure(`${service.error}.${name}`, `${message} (Service: ${service.error}, Status Code: ${status}, Request ID: ${requestId})`);
}

/** The services an AWS SDK integration runs against locally, for messages. */
export const LOCAL_SDK_SERVICES: readonly string[] = Object.keys(SDK_SERVICES);

/** A service's error as the Task's: `<prefix>.<exception>` and `<message> (Service: …; Status Code: …; Error Code: …; Request ID: …; Proxy: null)`. */
function serviceFailure(service: Service, code: string, message: string, status: number, requestId: string): ServiceTaskFailure {
  return new ServiceTaskFailure(`${service.prefix}.${service.modeled[code] ?? service.base}`, `${message} (Service: ${service.serviceName}; Status Code: ${status}; Error Code: ${code}; Request ID: ${requestId}; Proxy: null)`);
}

function deniedFailure(service: Service, action: string, resource: string, refusal: RoleRefusal): ServiceTaskFailure {
  return serviceFailure(service, service.denied.code, `User: ${refusal.caller} is not authorized to perform: ${action} on resource: ${resource} ${refusal.reason}`, service.denied.status, randomUUID());
}

/** The role's refusal of `action` on `resource` as a Task of `serviceId` (`lambda`, `dynamodb`, …) fails with it. */
export function deniedTaskFailure(serviceId: "lambda", action: string, resource: string, refusal: RoleRefusal): ServiceTaskFailure {
  return deniedFailure(SERVICES[serviceId], action, resource, refusal);
}

/** Lambda's refusal of an optimized lambda:invoke (local/sfn-server.ts) as the Task fails with it: `Lambda.<exception>`, the cause as other optimized integrations word theirs. */
export function lambdaTaskFailure(code: string, message: string, status: number): ServiceTaskFailure {
  return serviceFailure(SERVICES.lambda, code, message, status, randomUUID());
}

/** The SDK's response metadata Step Functions adds to an optimized integration's result (lambda:invoke's too, local/sfn-server.ts). */
export function sdkMetadata(status: number, headers: Record<string, string>, requestId: string): Record<string, unknown> {
  const all = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  return { SdkHttpMetadata: { AllHttpHeaders: all, HttpHeaders: headers, HttpStatusCode: status }, SdkResponseMetadata: { RequestId: requestId } };
}

/** An emulator's answer's metadata: its headers, and its request id (a fresh one when it names none). */
const responseMetadata = (response: Response) =>
  sdkMetadata(response.status, Object.fromEntries(response.headers), response.headers.get("x-amzn-requestid") ?? response.headers.get("x-amz-request-id") ?? randomUUID());

const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
const record = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * Runs the service Tasks of a workflow locally: `run(api, parameters, context)` resolves with what the Task's result
 * is in AWS, or rejects with a ServiceTaskFailure (the Task's Error and Cause).
 */
export function localServiceIntegrations(options: ServiceIntegrationOptions) {
  /** A signed POST to the endpoint (at `path`, a REST API's: Lambda's); an endpoint missing, not a URL or not answering is the runtime's failure. */
  const signed = async (service: string, signingName: string, endpoint: string | undefined, region: string, headers: Record<string, string>, body: string, path = "") => {
    if (!endpoint) throw new ServiceTaskFailure("States.Runtime", `The local runtime has no ${service} endpoint: the program defines no ${service} resource for npm start to emulate.`);
    let target: URL;
    try {
      target = new URL(path, endpoint);
    } catch {
      throw new ServiceTaskFailure("States.Runtime", `The local ${service} endpoint ${JSON.stringify(endpoint)} is not a URL.`);
    }
    try {
      return await signedFetch({ url: target, method: "POST", headers, body, credentials: options.credentials, region, service: signingName });
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause;
      throw new ServiceTaskFailure("States.Runtime", `The local ${service} endpoint (${target.origin}) did not answer: ${cause?.code ?? (error as Error).message}.`);
    }
  };

  /** The body of an emulator's answer; a connection lost while reading it is the runtime's failure (States.Runtime). */
  const answer = async (service: string, response: Response): Promise<string> => {
    try {
      return await response.text();
    } catch (error) {
      throw new ServiceTaskFailure("States.Runtime", `The local ${service} endpoint's answer could not be read: ${(error as Error).message}.`);
    }
  };

  /** How a call's failure is named: the optimized integrations' (serviceFailure) or the SDK integrations' (sdkFailure). */
  interface Naming {
    label: string;
    fail(code: string, message: string, status: number, requestId: string): ServiceTaskFailure;
    /** SQS's query-compatible code (x-amzn-query-error), which AWS's Java SDK v1 reads, before the JSON __type. */
    queryCode: boolean;
  }
  const optimized = (service: Service): Naming => ({ label: service.prefix, fail: (...args) => serviceFailure(service, ...args), queryCode: true });
  const sdk = (service: SdkService): Naming => ({ label: service.error, fail: (...args) => sdkFailure(service, ...args), queryCode: false });

  /**
   * An answer's JSON body (none: `{}`). One that is not JSON is not the service's (a proxy's page, another server on
   * the port): the runtime's failure, not a catchable Task error.
   */
  const jsonAnswer = (label: string, status: number, text: string): Record<string, unknown> => {
    try {
      return record(text ? JSON.parse(text) : {});
    } catch {
      throw new ServiceTaskFailure("States.Runtime", `The local ${label} endpoint answered ${status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 200))}.`);
    }
  };
  /** An error answer's code (the header naming it, else the body's __type; without a `<namespace>#` or a `:<url>`) and message. */
  const answeredError = (body: Record<string, unknown>, text: string, named: string | undefined) => ({
    code: (named ?? String(body.__type ?? "UnknownError")).split("#").pop()!.split(":")[0],
    message: String(body.message ?? body.Message ?? text),
  });

  /** A JSON-protocol call (DynamoDB and SQS: 1.0, EventBridge: 1.1); a failure answered as `{__type, message}` becomes the Task's error. */
  const json = async (
    naming: Naming,
    signingName: string,
    endpoint: string | undefined,
    region: string,
    target: string,
    version: "1.0" | "1.1",
    input: unknown,
    /** `metadata`: the SDK's response metadata added (the optimized integrations'); `read`: the answer as the Task's result. */
    { metadata = true, read = (answered) => answered }: { metadata?: boolean; read?: (answered: Record<string, unknown>) => Record<string, unknown> } = {},
  ) => {
    const response = await signed(naming.label, signingName, endpoint, region, { "content-type": `application/x-amz-json-${version}`, "x-amz-target": target }, JSON.stringify(input));
    const text = await answer(naming.label, response);
    const requestId = response.headers.get("x-amzn-requestid") ?? randomUUID();
    const parsed = jsonAnswer(naming.label, response.status, text);
    if (!response.ok) {
      const { code, message } = answeredError(parsed, text, naming.queryCode ? response.headers.get("x-amzn-query-error")?.split(";")[0] : undefined);
      throw naming.fail(code, message, response.status, requestId);
    }
    const result = read(parsed);
    return metadata ? { ...result, ...responseMetadata(response) } : result;
  };

  /** The deployed QueueUrl a Task names, as the local SQS server serves it (`<endpoint>/<account>/<name>`), for a JSON call to the endpoint. */
  const localQueueUrl = (queueUrl: string, queueArn: string, endpoint: string | undefined) => {
    const [account, name] = queueArn.split(":").slice(4);
    return options.localAddress?.(queueUrl) ?? (endpoint ? `${endpoint}/${account}/${name}` : queueUrl);
  };

  /**
   * An AWS SDK integration Task (`aws-sdk:<service>:<action>`): the role asked for `<iam>:<Action>` on what the call
   * names, then the Parameters sent as the API's request to the service's local emulator, and its answer the result.
   */
  const runSdk = async (api: string, input: Record<string, unknown>, context: ServiceTaskContext): Promise<unknown> => {
    const [, serviceName, action] = api.split(":");
    const service = SDK_SERVICES[serviceName];
    if (!service) {
      throw new ServiceTaskFailure("States.Runtime", `The local runtime has no emulator for the AWS SDK integration ${api}: it runs AWS SDK integrations with ${LOCAL_SDK_SERVICES.join(", ")}. Deploy to run it, or call the service from a Lambda function.`);
    }
    const operation = apiOperation(action);
    // What the local emulator cannot serve fails before IAM is asked: a terminal States.Runtime, never a catchable 403.
    if (service.serves && !service.serves.operations.includes(operation)) {
      throw new ServiceTaskFailure("States.Runtime", `${service.serves.by} takes ${service.serves.operations.join(" and ")} only; ${api} runs in AWS alone.`);
    }
    const where: TargetContext = { partition: context.stateMachineArn.split(":")[1] || "aws", region: context.region, account: context.account };
    const queue = serviceName === "sqs" && input.QueueUrl !== undefined ? targetArn("MessageQueue", typeof input.QueueUrl === "string" ? input.QueueUrl : undefined, where) : undefined;
    if (serviceName === "sqs" && input.QueueUrl !== undefined && !queue) {
      // As the optimized sqs Task refuses it: a URL of no queue's form is never forwarded (the emulator would find a queue by its last segment).
      throw sdkFailure(service, "QueueDoesNotExist", `The specified queue does not exist or you do not have access to it. (QueueUrl ${JSON.stringify(String(input.QueueUrl).slice(0, 200))})`, 400, randomUUID());
    }
    const call: SdkCall = { request: service.request ? service.request(input) : input, ...(queue ? { queue } : {}) };
    for (const { action: iamAction, resource } of service.permissions(operation, input, where, sdkIamAction(api)!, call)) {
      const refused = context.authorise?.(iamAction, resource);
      if (refused) throw sdkFailure(service, service.denied.code, `User: ${refused.caller} is not authorized to perform: ${iamAction} on resource: ${resource} ${refused.reason}`, service.denied.status, randomUUID());
    }
    const endpoints = options.endpoints();
    const naming = sdk(service);
    let result: Record<string, unknown>;
    const { protocol } = service;
    if (protocol === "lambda-rest") result = await lambdaInvoke(naming, input, context, endpoints.lambda);
    else if (protocol === "sns-query") {
      if (operation === "PublishBatch") result = await publishBatch(naming, input, context, endpoints.sns);
      else {
        const { MessageId, SequenceNumber } = await publish(naming, input, context, endpoints.sns);
        result = { MessageId, ...(SequenceNumber ? { SequenceNumber } : {}) };
      }
    } else {
      const body = queue ? { ...call.request, QueueUrl: localQueueUrl(input.QueueUrl as string, queue.arn, endpoints.sqs) } : call.request;
      result = await json(naming, service.signingName, endpoints[service.endpoint], context.region, `${protocol.target}.${operation}`, protocol.version, body, { metadata: false, read: service.response });
    }
    return result;
  };

  const run = async (api: string, parameters: unknown, context: ServiceTaskContext): Promise<unknown> => {
    const input = record(parameters);
    if (api.startsWith("aws-sdk:")) return runSdk(api, input, context);
    const endpoints = options.endpoints();
    const [serviceId, action] = api.split(":");
    const service = SERVICES[serviceId];
    const operation = apiOperation(action);
    const iamAction = `${serviceId}:${operation}`;
    const check = (resource: string) => {
      const refused = context.authorise?.(iamAction, resource);
      if (refused) throw deniedFailure(service, iamAction, resource, refused);
    };
    const where: TargetContext = { partition: context.stateMachineArn.split(":")[1] || "aws", region: context.region, account: context.account };
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    switch (serviceId) {
      case "dynamodb": {
        // A Task without a TableName is DynamoDB's to refuse (a validation error).
        const table = targetArn("DataTable", text(input.TableName), where);
        if (table) check(table.arn);
        // The optimized Tasks spell BOOL and NULL as the SDK integrations do (ATTRIBUTE_TYPES_IN; results retyped nestedOnly).
        return json(optimized(service), "dynamodb", endpoints.dynamodb, context.region, `DynamoDB_20120810.${operation}`, "1.0", apiAttributeTypes(input), { read: stepFunctionsAttributeTypes });
      }
      case "sqs": {
        const queueUrl = text(input.QueueUrl) ?? "";
        const queueArn = targetArn("MessageQueue", queueUrl, where)?.arn;
        // A URL of no queue's form names no queue the role could be checked on: refused as SQS refuses an unknown
        // queue, never forwarded unchecked (the emulator would find a queue by the URL's last segment).
        if (!queueArn) throw serviceFailure(service, "AWS.SimpleQueueService.NonExistentQueue", `The specified queue does not exist or you do not have access to it. (QueueUrl ${JSON.stringify(queueUrl.slice(0, 200))})`, 400, randomUUID());
        check(queueArn);
        // The deployed URL names the queue; a JSON call goes to the endpoint with the local URL in its body.
        const local = localQueueUrl(queueUrl, queueArn, endpoints.sqs);
        const body = { ...input, QueueUrl: local, ...(input.MessageBody !== undefined ? { MessageBody: asText(input.MessageBody) } : {}) };
        return json(optimized(service), "sqs", endpoints.sqs, context.region, "AmazonSQS.SendMessage", "1.0", body);
      }
      case "sns": {
        check(String(input.TopicArn ?? input.TargetArn ?? "") || "*");
        const { MessageId, SequenceNumber, response } = await publish(optimized(service), input, context, endpoints.sns);
        return { MessageId, ...(SequenceNumber ? { SequenceNumber } : {}), ...responseMetadata(response) };
      }
      case "events": {
        const entries = Array.isArray(input.Entries) ? input.Entries.map(record) : [];
        for (const entry of entries) check(targetArn("EventBus", text(entry.EventBusName), where)!.arn);
        const sent = entries.map((entry) => ({
          ...entry,
          ...(entry.Detail !== undefined ? { Detail: asText(entry.Detail) } : {}),
          Resources: [...(Array.isArray(entry.Resources) ? entry.Resources : []), context.stateMachineArn, context.executionArn].filter(Boolean),
        }));
        const result = await json(optimized(service), "events", endpoints.eventbridge, context.region, "AWSEvents.PutEvents", "1.1", { ...input, Entries: sent }, { metadata: false });
        if (typeof result.FailedEntryCount === "number" && result.FailedEntryCount > 0) {
          throw new ServiceTaskFailure("EventBridge.FailedEntry", JSON.stringify({ Entries: result.Entries, FailedEntryCount: result.FailedEntryCount }));
        }
        return result;
      }
      default:
        throw new ServiceTaskFailure("States.Runtime", `The local runtime does not run ${api}.`);
    }
  };

  /**
   * Lambda's Invoke (aws-sdk:lambda:invoke) on the local Lambda API (local/lambda-invoke-server.ts: the program's
   * functions by name, ARN, version or alias; RequestResponse, Event and DryRun), its REST request
   * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) made of the Task's Parameters. The Payload blob is
   * sent as its JSON text, whatever its JSON type (a string too, quoted): Step Functions' SDK integrations write a blob
   * so, as LocalStack's AWS-recorded test_s3_put_object shows for S3's Body ("text data" stored as `"text data"`,
   * 11 bytes; {"Dict": "Value"} as `{"Dict":"Value"}`), LocalStack's _to_boto_request_value. The result is Invoke's
   * response as the SDK integration returns it: StatusCode, FunctionError, LogResult, Payload and ExecutedVersion, the
   * Payload the answer's text, not parsed ("The Payload field of the response is parsed from escaped Json to Json" is
   * what the optimized integration does differently, https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html;
   * a blob answered as text, as test_s3_get_object recorded Body), and a function's error is no Task failure: the
   * result carries FunctionError and the error document ("If the response contains the field FunctionError … the task
   * fails" is, again, the optimized integration's difference). Lambda's own errors are `Lambda.<Exception>`, a function
   * (or qualifier) the program does not define too (Lambda.ResourceNotFoundException, as the optimized lambda:invoke's):
   * one outside the program may exist in AWS, where it runs.
   */
  const lambdaInvoke = async (naming: Naming, input: Record<string, unknown>, context: ServiceTaskContext, endpoint: string | undefined) => {
    const functionName = typeof input.FunctionName === "string" ? input.FunctionName : "";
    if (!functionName) throw naming.fail("ValidationException", "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null", 400, randomUUID());
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const [member, header] of [["InvocationType", "x-amz-invocation-type"], ["LogType", "x-amz-log-type"], ["ClientContext", "x-amz-client-context"]] as const) {
      if (input[member] !== undefined) headers[header] = asText(input[member]);
    }
    // Read as `invoked` reads it for IAM: the qualifier checked is the one invoked.
    const qualifier = qualifierText(input.Qualifier);
    const query = qualifier !== undefined ? `?Qualifier=${encodeURIComponent(qualifier)}` : "";
    const body = input.Payload === undefined ? "" : JSON.stringify(input.Payload);
    const response = await signed("Lambda", "lambda", endpoint, context.region, headers, body, `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations${query}`);
    const text = await answer("Lambda", response);
    const header = (name: string) => response.headers.get(name) ?? undefined;
    if (!response.ok) {
      // REST JSON names the error in x-amzn-ErrorType, else in the body's __type; a `:<url>` after the code is no part of
      // it (smithy-rs aws_smithy_schema::error_envelope sanitize_error_code strips it).
      const { code, message } = answeredError(jsonAnswer("Lambda", response.status, text), text, header("x-amzn-errortype"));
      throw naming.fail(code, message, response.status, header("x-amzn-requestid") ?? randomUUID());
    }
    const optional = (member: string, value: string | undefined) => (value === undefined ? {} : { [member]: value });
    return {
      StatusCode: response.status,
      ...optional("FunctionError", header("x-amz-function-error")),
      ...optional("LogResult", header("x-amz-log-result")),
      Payload: text,
      ...optional("ExecutedVersion", header("x-amz-executed-version")),
    };
  };

  /** A message's form fields, as Publish takes them and each PublishBatch entry under its `prefix`. */
  const messageFields = (form: URLSearchParams, input: Record<string, unknown>, prefix: string, fields: readonly string[]) => {
    for (const field of fields) if (typeof input[field] === "string") form.set(`${prefix}${field}`, input[field] as string);
    if (input.Message !== undefined) form.set(`${prefix}Message`, asText(input.Message));
    Object.entries(record(input.MessageAttributes)).forEach(([name, raw], i) => {
      const attribute = record(raw);
      const at = `${prefix}MessageAttributes.entry.${i + 1}`;
      form.set(`${at}.Name`, name);
      for (const field of ["DataType", "StringValue", "BinaryValue"]) if (typeof attribute[field] === "string") form.set(`${at}.Value.${field}`, attribute[field] as string);
    });
  };
  const MESSAGE_FIELDS = ["Subject", "MessageStructure", "MessageGroupId", "MessageDeduplicationId"] as const;
  /** The first `<name>` element's content, as written (xmlElements). */
  const tagIn = (text: string, name: string): string | undefined => xmlElements(text, name)[0];

  /** A call in SNS's query protocol (form fields, an XML answer); an error answer is the Task's failure. */
  const snsQuery = async (naming: Naming, form: URLSearchParams, context: ServiceTaskContext, endpoint: string | undefined) => {
    const response = await signed("SNS", "sns", endpoint, context.region, { "content-type": "application/x-www-form-urlencoded" }, form.toString());
    const text = await answer("SNS", response);
    const requestId = tagIn(text, "RequestId") ?? randomUUID();
    if (!response.ok) throw naming.fail(tagIn(text, "Code") ?? "InternalError", unescapeXml(tagIn(text, "Message") ?? text), response.status, requestId);
    return { text, response };
  };

  /** SNS Publish. */
  const publish = async (naming: Naming, input: Record<string, unknown>, context: ServiceTaskContext, endpoint: string | undefined) => {
    const form = new URLSearchParams({ Action: "Publish", Version: "2010-03-31" });
    messageFields(form, input, "", ["TopicArn", "TargetArn", "PhoneNumber", ...MESSAGE_FIELDS]);
    const { text, response } = await snsQuery(naming, form, context, endpoint);
    return { MessageId: tagIn(text, "MessageId"), SequenceNumber: tagIn(text, "SequenceNumber"), response };
  };

  /** SNS PublishBatch (API_PublishBatch): the entries as `PublishBatchRequestEntries.member.N.*`, the answer's Successful and Failed members as the API's response. */
  const publishBatch = async (naming: Naming, input: Record<string, unknown>, context: ServiceTaskContext, endpoint: string | undefined) => {
    const form = new URLSearchParams({ Action: "PublishBatch", Version: "2010-03-31" });
    if (typeof input.TopicArn === "string") form.set("TopicArn", input.TopicArn);
    (Array.isArray(input.PublishBatchRequestEntries) ? input.PublishBatchRequestEntries : []).forEach((raw, i) => messageFields(form, record(raw), `PublishBatchRequestEntries.member.${i + 1}.`, ["Id", ...MESSAGE_FIELDS]));
    const { text } = await snsQuery(naming, form, context, endpoint);
    const members = (list: string) => xmlElements(tagIn(text, list) ?? "", "member");
    const field = (member: string, name: string) => {
      const value = tagIn(member, name);
      return value === undefined ? {} : { [name]: unescapeXml(value) };
    };
    return {
      Successful: members("Successful").map((member) => ({ ...field(member, "Id"), ...field(member, "MessageId"), ...field(member, "SequenceNumber") })),
      Failed: members("Failed").map((member) => ({ ...field(member, "Id"), ...field(member, "Code"), ...field(member, "Message"), SenderFault: tagIn(member, "SenderFault") === "true" })),
    };
  };

  return { run };
}

export type LocalServiceIntegrations = ReturnType<typeof localServiceIntegrations>;
