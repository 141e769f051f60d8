/**
 * The service calls of ServerlessApi's non-S3 AWS-service integrations under `npm start`: API Gateway's request to the
 * service, sent to the local emulator local functions reach it through (AWS_ENDPOINT_URL_<SERVICE>, set by
 * local/services/*), SigV4-signed with the runtime's credentials once the integration role allowed it (as for S3). What API Gateway sends, by the integration URI
 * (`arn:aws:apigateway:<region>:<service>:action/<Action>` or `path/<path>`):
 *
 * - JSON-protocol services (kinesis, dynamodb, states, events), action-style: a POST of the rendered body with
 *   `X-Amz-Target: <prefix>.<Action>` for Kinesis, DynamoDB and Step Functions (LocalStack, which checks its API
 *   Gateway against AWS, adds it for these: `SERVICES_AUTO_TARGET = ["dynamodb", "kinesis", "ssm", "stepfunctions"]`,
 *   localstack-core/localstack/services/apigateway/next_gen/execute_api/integrations/aws.py), while EventBridge needs the
 *   route to map `integration.request.header.X-Amz-Target` ('AWSEvents.PutEvents') itself ("we know `events` needs the
 *   user to manually add the header", same file). The Content-Type is the mapped one (ServerlessApi maps the protocol's
 *   for Kinesis and DynamoDB), else the client's.
 * - Query-protocol services (sqs, sns): form fields — the integration's query string (mapped `querystring` parameters,
 *   and `Action=<Action>` for an action-style URI: "Action passes the `Action` query string parameter", same file) and
 *   the rendered form body (`Action=SendMessage&MessageBody=…`) — to the queue's path (`path/<account>/<queue>`) or the
 *   service. The local SQS server speaks SQS's JSON protocol only, so SendMessage is translated to it; SNS Publish is
 *   sent as the form. AWS answers these JSON-wrapped (`{"SendMessageResponse":{"SendMessageResult":…,
 *   "ResponseMetadata":{"RequestId":…}}}`), which is what a response template reads; so is the answer here.
 *
 * A refusal by the role (local/function-roles.ts: its recorded policies with the target's resource policy) is the
 * service's AccessDenied answer (Kinesis, DynamoDB, Step Functions and EventBridge: 400 AccessDeniedException; SQS 403
 * AccessDenied; SNS 403 AuthorizationError), which the route's integration responses turn into 400 "Bad request" as in
 * AWS (local/aws-service-integration.ts methodResponse).
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Refusal } from "./function-roles";
import { MAX_PAYLOAD_BYTES, readBody } from "./http";
import { header, type SigV4Credentials } from "./sigv4-verify";

/** A call of one request, as the integration request built it. */
export interface ServiceCall {
  service: string;
  /** The URI's action (action-style), or undefined for a path-style call. */
  action?: string;
  /** The URI's path with its `{name}` filled (path-style). */
  path?: string;
  /** The rendered (or passed-through) body. */
  body: Buffer;
  /** The integration request's headers (mapped, and the client's Content-Type), lower-cased names. */
  headers: Record<string, string>;
  /** The integration request's query string parameters (mapped). */
  query: Record<string, string>;
  region: string;
  account: string;
  environment: Record<string, string | undefined>;
  credentials: SigV4Credentials;
  /** IAM's refusal of `action` on `resource` to the integration role, or undefined when it may. */
  authorise(action: string, resource: string): Promise<Refusal | undefined>;
  /** Aborted when the gateway gives the request up (its integration timeout): the call to the emulator is abandoned. */
  signal?: AbortSignal;
}

/** What the service answered (or, for a refusal by the role, what the service would answer). */
export interface ServiceResult {
  status: number;
  contentType: string | null;
  body: Buffer;
  /** A line for the terminal: the service's error, or the role's refusal. */
  problem?: string;
}

interface JsonService {
  endpoint: string;
  signingName: string;
  /** The X-Amz-Target prefix API Gateway adds; undefined: the route maps X-Amz-Target itself. */
  targetPrefix?: string;
  /** The IAM resources one call is authorised on (each must be allowed). */
  resources(input: Record<string, unknown>, action: string, where: { region: string; account: string }): string[];
}

/** A resource a call names by ARN or by name: the ARN as given, else `build(name)`; undefined when it names none. Step Functions' SDK Tasks read theirs so too (local/sfn-integrations.ts). */
export const arnOf = (value: unknown, build: (name: string) => string) => (typeof value === "string" && value !== "" ? (value.startsWith("arn:") ? value : build(value)) : undefined);
/** The resources a call names (strings, deduplicated), or `*` when it names none. */
export const namedResources = (values: readonly unknown[]): string[] => {
  const resources = [...new Set(values.filter((v): v is string => typeof v === "string" && v !== ""))];
  return resources.length ? resources : ["*"];
};
const record = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * The JSON-protocol services, with where their local emulators are and what IAM authorises a call on
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/): a Kinesis stream
 * (`arn:aws:kinesis:<region>:<account>:stream/<name>`), a DynamoDB table or index (`…:table/<name>[/index/<index>]`),
 * a state machine or execution (the ARN the call names), an event bus (`…:event-bus/<name>`, `default` when unnamed).
 */
const JSON_SERVICES: Record<string, JsonService> = {
  kinesis: {
    endpoint: "AWS_ENDPOINT_URL_KINESIS",
    signingName: "kinesis",
    targetPrefix: "Kinesis_20131202",
    // Both fields when both are given: the role must allow every stream the call names, whichever of them the
    // emulator acts on (local/kinesis-server.ts prefers StreamName; what AWS does with two different streams is not
    // confirmed here).
    resources: (input, _, { region, account }) => namedResources([arnOf(input.StreamARN, () => ""), arnOf(input.StreamName, (name) => `arn:aws:kinesis:${region}:${account}:stream/${name}`)]),
  },
  dynamodb: {
    endpoint: "AWS_ENDPOINT_URL_DYNAMODB",
    signingName: "dynamodb",
    targetPrefix: "DynamoDB_20120810",
    resources: (input, _, { region, account }) => {
      const table = (name: unknown) => arnOf(name, (n) => `arn:aws:dynamodb:${region}:${account}:table/${n}`);
      const tables = [
        table(input.TableName),
        ...Object.keys(record(input.RequestItems)).map(table),
        ...(Array.isArray(input.TransactItems) ? input.TransactItems.flatMap((item) => Object.values(record(item)).map((op) => table(record(op).TableName))) : []),
      ].filter((t): t is string => t !== undefined);
      const index = typeof input.IndexName === "string" && tables.length === 1 ? [`${tables[0]}/index/${input.IndexName}`] : [];
      return index.length ? index : tables.length ? tables : ["*"];
    },
  },
  states: {
    endpoint: "AWS_ENDPOINT_URL_SFN",
    signingName: "states",
    targetPrefix: "AWSStepFunctions",
    // Every ARN the call names (a DescribeExecution carrying a stateMachineArn too is authorised on both).
    resources: (input) => namedResources([input.stateMachineArn, input.executionArn]),
  },
  events: {
    endpoint: "AWS_ENDPOINT_URL_EVENTBRIDGE",
    signingName: "events",
    resources: (input, _, { region, account }) => {
      const entries = Array.isArray(input.Entries) ? input.Entries.map(record) : [];
      const buses = entries.map((entry) => arnOf(entry.EventBusName || "default", (name) => `arn:aws:events:${region}:${account}:event-bus/${name}`)!);
      return buses.length ? [...new Set(buses)] : ["*"];
    },
  },
};

/**
 * How each service refuses a caller IAM does not allow (its status and error code), by its IAM prefix: what an
 * integration's call answers here and what a Step Functions Task's refusal is named after (local/sfn-integrations.ts).
 */
export const ACCESS_DENIED = {
  kinesis: { status: 400, code: "AccessDeniedException" },
  dynamodb: { status: 400, code: "AccessDeniedException" },
  states: { status: 400, code: "AccessDeniedException" },
  events: { status: 400, code: "AccessDeniedException" },
  secretsmanager: { status: 400, code: "AccessDeniedException" },
  lambda: { status: 403, code: "AccessDeniedException" },
  sqs: { status: 403, code: "AccessDenied" },
  sns: { status: 403, code: "AuthorizationError" },
} as const satisfies Record<string, { status: number; code: string }>;

/** The services whose calls `npm start` sends to a local emulator (S3 is local/aws-service-integration.ts's own). */
const LOCAL_INTEGRATION_SERVICES: readonly string[] = ["s3", ...Object.keys(JSON_SERVICES), "sqs", "sns"];

/**
 * Why `npm start` cannot make this integration's call, known from the route alone (501), or undefined. Other services
 * have no local emulator; JSON-protocol services take action-style calls only (their APIs are a POST to `/`); S3's
 * action-style calls are not emulated.
 */
export function serviceCallNotEmulated(service: string, action: string | undefined): string | undefined {
  if (!LOCAL_INTEGRATION_SERVICES.includes(service)) {
    return `AWS service integrations with ${service} are not emulated locally: npm start has no local ${service} (it emulates ${LOCAL_INTEGRATION_SERVICES.join(", ")}); deploy to try the route, or call the service from a Lambda handler`;
  }
  if (service === "s3" && action !== undefined) return `S3 action-style integrations (s3:${action}) are not emulated locally; use a path-style call (path: "bucket/{key}")`;
  if (JSON_SERVICES[service] && action === undefined) return `path-style integrations with ${service} are not emulated locally; ${service} takes action-style calls (action: "PutRecord")`;
  return undefined;
}

function denied(service: string, action: string, resource: string, refusal: Refusal): ServiceResult {
  const { status, code } = ACCESS_DENIED[service as keyof typeof ACCESS_DENIED];
  const message = `User: ${refusal.caller} is not authorized to perform: ${action} on resource: ${resource} ${refusal.reason}`;
  return { status, contentType: "application/json", body: Buffer.from(JSON.stringify({ __type: code, message })), problem: `${message} (${service} answers ${status} ${code})` };
}

/** A request to sign with SigV4 for a local emulator. */
export interface SigningRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  credentials: SigV4Credentials;
  region: string;
  service: string;
  /** S3 signs the path as sent, encoded once (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html). */
  uriEscapePath?: boolean;
  /** @default now */
  signingDate?: Date;
  /** Aborts the request once sent (not part of what is signed). */
  signal?: AbortSignal;
}

/** The request signed as an AWS SDK signs it, unsent: the headers to send (fetch and http.request set Host themselves, to the same value, so it is left out). */
export async function signRequest(request: SigningRequest): Promise<{ headers: Record<string, string> }> {
  const { url } = request;
  const signer = new SignatureV4({ credentials: request.credentials, region: request.region, service: request.service, sha256: Sha256, uriEscapePath: request.uriEscapePath ?? true });
  const query = url.search ? Object.fromEntries(url.searchParams) : undefined;
  const signed = await signer.sign({ method: request.method, protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query, headers: { ...request.headers, host: url.host }, body: request.body }, { signingDate: request.signingDate });
  const { host: _host, ...headers } = signed.headers;
  return { headers };
}

/** One SigV4-signed request to a local emulator, its answer read whole (Step Functions' Tasks, EventBridge's targets). */
export async function signedFetch(request: SigningRequest): Promise<Response> {
  const { headers } = await signRequest(request);
  return fetch(request.url, { method: request.method, headers, body: request.body, signal: request.signal });
}

const send = (call: ServiceCall, signingName: string, endpoint: string, headers: Record<string, string>, body: string): Promise<ServiceResult> =>
  integrationCall({ url: new URL(endpoint), method: "POST", headers, body, credentials: call.credentials, region: call.region, service: signingName, signal: call.signal });

/** An integration's answer past API Gateway's payload limit (integrationCall): the gateway's 500, as for an integration it cannot run. */
export class AnswerTooLarge extends Error {
  constructor(service: string) {
    super(`the ${service} answer is larger than API Gateway's ${MAX_PAYLOAD_BYTES}-byte payload limit`);
    this.name = "AnswerTooLarge";
  }
}

/**
 * One SigV4-signed call of an API Gateway integration (S3's path-style calls, and the JSON- and query-protocol
 * services' here), whose answer's body is read as sent, and throws AnswerTooLarge once it is past API Gateway's payload
 * limit ("Payload size: 10 MB", REST API quotas, https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html;
 * MAX_PAYLOAD_BYTES, as the gateway takes a request's), read no further: the connection is closed there, so an answer
 * of gigabytes is never held, and one that declares its length past the limit is not read at all. Every service's
 * answer the integration reads is capped so, not only S3's (DynamoDB's, Kinesis's GetRecords, SQS's and SNS's were read
 * whole). Not confirmed: what API Gateway answers an integration response over 10 MB (no AWS page says; the
 * INTEGRATION_FAILURE gateway response defaults to 504, supported-gateway-response-types.html, but no page ties it to
 * this), and whether its 10 MB is 10,485,760 bytes (taken) or 10,000,000. Read as sent, not through fetch, which
 * decodes a body by its Content-Encoding: an object S3 keeps with `Content-Encoding: gzip` reached the integration
 * decompressed (or, its bytes not gzip, as a 500), where API Gateway passes the service's bytes through as they are.
 */
export async function integrationCall(request: SigningRequest): Promise<ServiceResult> {
  const { headers } = await signRequest(request);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  // Not signed, as fetch adds it after signing too; S3 refuses a PUT without it (411 MissingContentLength).
  if (body) headers["content-length"] = String(body.length);
  const transport = request.url.protocol === "https:" ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = transport(request.url, { method: request.method, headers, signal: request.signal }, resolve);
    outgoing.on("error", reject);
    outgoing.end(body);
  });
  // A HEAD's answer, a 204 and a 304 have no body, whatever their Content-Length says (RFC 9110 sections 8.6 and 9.3.2,
  // https://www.rfc-editor.org/rfc/rfc9110#section-8.6): HeadObject's is the object's size.
  const bodiless = request.method === "HEAD" || response.statusCode === 204 || response.statusCode === 304;
  const declared = bodiless ? 0 : Number(response.headers["content-length"] ?? 0);
  // Read here, not in the answer's listeners: what throws while the answer is made a result (a body too long for a
  // string) rejects this call, where a listener's throw was an uncaught exception that stopped the local runtime.
  const bytes = declared > MAX_PAYLOAD_BYTES ? undefined : await readBody(response, MAX_PAYLOAD_BYTES, { answerEarly: true });
  if (!bytes || bytes.length > MAX_PAYLOAD_BYTES) {
    response.destroy();
    throw new AnswerTooLarge(request.service);
  }
  return resultOf(response.statusCode ?? 500, (name) => header(response.headers, name) ?? null, bytes);
}

/** An answer's status, headers (by lower-case name) and body as a result, with a problem line naming its error code (JSON `__type`, XML `<Code>`, or S3's x-amz-error-code). */
function resultOf(status: number, header: (name: string) => string | null, body: Buffer): ServiceResult {
  const text = body.toString("utf8");
  const code = /"__type"\s*:\s*"(?:[^"#]*#)?([^"]*)"/.exec(text)?.[1] ?? /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? header("x-amz-error-code") ?? "";
  const problem = status >= 300 ? `answered ${status} ${code}`.trimEnd() : undefined;
  return { status, contentType: header("content-type"), body, problem };
}

/** A result that is not the service's: `npm start` cannot make this call (the gateway answers 501). */
export class CallNotEmulated extends Error {}

/**
 * Makes one call; throws CallNotEmulated for what the local emulators do not take, AnswerTooLarge for an answer past
 * the payload limit, and the request's error (ECONNREFUSED, ...) when the emulator is down.
 */
export async function callService(call: ServiceCall): Promise<ServiceResult> {
  const json = JSON_SERVICES[call.service];
  const endpointName = json?.endpoint ?? (call.service === "sqs" ? "AWS_ENDPOINT_URL_SQS" : "AWS_ENDPOINT_URL_SNS");
  const endpoint = call.environment[endpointName];
  if (!endpoint) throw new CallNotEmulated(`the program defines no ${call.service} resource for npm start to emulate (${endpointName} is not set)`);
  if (json) return callJsonService(call, json, endpoint);
  return callQueryService(call, endpoint);
}

async function callJsonService(call: ServiceCall, service: JsonService, endpoint: string): Promise<ServiceResult> {
  const action = call.action!;
  const text = call.body.toString("utf8");
  let input: Record<string, unknown>;
  try {
    input = record(JSON.parse(text));
  } catch {
    // Answered here, not sent: a body the role check cannot read never reaches the emulator (each of these services
    // answers a body that is not JSON with 400 SerializationException).
    const message = "Start of structure or map found where not expected, or the body is not JSON";
    return { status: 400, contentType: "application/x-amz-json-1.1", body: Buffer.from(JSON.stringify({ __type: "SerializationException", message })), problem: `the integration request's body is not JSON (${call.service} answers 400 SerializationException)` };
  }
  // Each of these services' IAM prefix is its subdomain (kinesis:, dynamodb:, states:, events:).
  const iamAction = `${call.service}:${action}`;
  for (const resource of service.resources(input, action, call)) {
    const refusal = await call.authorise(iamAction, resource);
    if (refusal) return denied(call.service, iamAction, resource, refusal);
  }
  const headers: Record<string, string> = { ...call.headers };
  if (service.targetPrefix) headers["x-amz-target"] = `${service.targetPrefix}.${action}`;
  return send(call, service.signingName, endpoint, headers, text);
}

/** Form fields of a query-protocol call: the query string (with the URI's Action), then the body's. */
function formFields(call: ServiceCall): URLSearchParams {
  const fields = new URLSearchParams(call.query);
  if (call.action !== undefined) fields.set("Action", call.action);
  const contentType = call.headers["content-type"] ?? "";
  if (call.body.length > 0 && (contentType === "" || contentType.startsWith("application/x-www-form-urlencoded"))) {
    for (const [name, value] of new URLSearchParams(call.body.toString("utf8"))) fields.set(name, value);
  }
  return fields;
}

/** `{"<Action>Response":{"<Action>Result":{...},"ResponseMetadata":{"RequestId":...}}}`: a query-protocol answer as AWS gives it JSON. */
function wrapped(action: string, result: Record<string, unknown>, requestId: string): ServiceResult {
  return { status: 200, contentType: "application/json", body: Buffer.from(JSON.stringify({ [`${action}Response`]: { [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } } })) };
}

async function callQueryService(call: ServiceCall, endpoint: string): Promise<ServiceResult> {
  const fields = formFields(call);
  const action = fields.get("Action") ?? "";
  if (call.service === "sqs") {
    if (action !== "SendMessage") throw new CallNotEmulated(`SQS ${action || "(no Action)"} through an integration is not emulated locally (SendMessage is)`);
    // The queue: the URI's path (`<account>/<queue>`) or the QueueUrl field.
    const [account, name] = (call.path ?? new URL(fields.get("QueueUrl") ?? "http://x/").pathname).split("/").filter(Boolean).slice(-2);
    const resource = `arn:aws:sqs:${call.region}:${account ?? call.account}:${name ?? ""}`;
    const refusal = await call.authorise("sqs:SendMessage", resource);
    if (refusal) return denied("sqs", "sqs:SendMessage", resource, refusal);
    const attributes: Record<string, Record<string, string>> = {};
    for (const [field, value] of fields) {
      const match = /^MessageAttribute\.(\d+)\.Name$/.exec(field);
      if (!match) continue;
      const at = `MessageAttribute.${match[1]}.Value`;
      attributes[value] = Object.fromEntries(["DataType", "StringValue", "BinaryValue"].filter((k) => fields.has(`${at}.${k}`)).map((k) => [k, fields.get(`${at}.${k}`)!]));
    }
    const input: Record<string, unknown> = { QueueUrl: `${endpoint.replace(/\/$/, "")}/${account}/${name}`, MessageBody: fields.get("MessageBody") ?? undefined };
    if (fields.has("DelaySeconds")) input.DelaySeconds = Number(fields.get("DelaySeconds"));
    for (const field of ["MessageGroupId", "MessageDeduplicationId"]) if (fields.has(field)) input[field] = fields.get(field);
    if (Object.keys(attributes).length) input.MessageAttributes = attributes;
    const result = await send(call, "sqs", endpoint, { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" }, JSON.stringify(input));
    if (result.status !== 200) return result;
    const sent = record(JSON.parse(result.body.toString("utf8")));
    return wrapped("SendMessage", { MD5OfMessageAttributes: sent.MD5OfMessageAttributes ?? null, MD5OfMessageBody: sent.MD5OfMessageBody ?? null, MD5OfMessageSystemAttributes: null, MessageId: sent.MessageId ?? null, SequenceNumber: sent.SequenceNumber ?? null }, randomUUID());
  }
  // SNS
  if (action !== "Publish") throw new CallNotEmulated(`SNS ${action || "(no Action)"} through an integration is not emulated locally (Publish is)`);
  const topic = fields.get("TopicArn") ?? fields.get("TargetArn") ?? "*";
  const refusal = await call.authorise("sns:Publish", topic);
  if (refusal) return denied("sns", "sns:Publish", topic, refusal);
  const result = await send(call, "sns", endpoint, { "content-type": "application/x-www-form-urlencoded" }, fields.toString());
  if (result.status !== 200) return result;
  const xml = result.body.toString("utf8");
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? null;
  return wrapped("Publish", { MessageId: tag("MessageId"), SequenceNumber: tag("SequenceNumber") }, tag("RequestId") ?? randomUUID());
}
