/**
 * A ServerlessApi route's AWS-service integration with S3 (`integration: { type: "aws", service: "s3", method, path,
 * permissions, requestParameters }`), served by the local gateway (local/api-gateway.ts) against the local S3 server
 * (local/s3-server.ts, at AWS_ENDPOINT_URL_S3, the endpoint local functions' SDK clients use) as the deployed REST
 * integration answers (components/serverless-api/routes.ts: type AWS, `arn:aws:apigateway:<region>:s3:path/<path>`,
 * credentials a role with `permissions`, passthroughBehavior WHEN_NO_MATCH, the AWS_SERVICE_RESPONSES):
 *
 * 1. The integration request: `requestParameters` mapped from the method request (path, query string, headers, a
 *    'static value', context and stage variables); `{name}` in `path` filled from `integration.request.path.name`.
 * 2. The integration role: the S3 action the request is (s3:PutObject, s3:GetObject, ...) on the object's or bucket's
 *    ARN, decided as IAM decides for the role the plan records as the integration's `credentials`, assumed by API
 *    Gateway (integrationRoleAuthorise: its policies, as the component writes `permissions` into them, with the
 *    target's resource policy); otherwise S3's 403 AccessDenied, as S3 answers a role IAM refuses.
 * 3. The call: the route's method, the mapped headers and the client's bytes (passthrough), SigV4-signed with the
 *    local credentials, as API Gateway signs with the role's.
 * 4. The integration response, selected by S3's status: 2xx → 200 with S3's Content-Type and body; 4xx → 400
 *    `{"message":"Bad request","requestId":...}`; anything else → 500 `{"message":"Internal server error",...}`.
 *
 * Mapping templates (`requestTemplates`, `responseTemplates`) are rendered as API Gateway renders them (local/vtl.ts):
 * the request template picked by the client's Content-Type and the route's passthroughBehavior (415 Unsupported Media
 * Type when it refuses), the 200's response template by the client's Accept. Action-style calls and the other services
 * (SQS, SNS, Kinesis, DynamoDB, EventBridge, Step Functions) go to their local emulators (local/aws-service-calls.ts).
 * Services without one answer 501 (awsServiceNotEmulated).
 */
import { createHash } from "node:crypto";
import { validateHeaderName, validateHeaderValue } from "node:http";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { bodyMappingPath } from "../components/serverless-api/args";
import { integrationRoleName, routeSlug } from "../components/serverless-api/routes";
import type { RouteSpec } from "../components/serverless-api/spec";
import { assumedRoleAuthorise, roleRefusal, serviceCaller, type Refusal } from "./function-roles";
import type { IamStatement } from "./iam-policy";
import { resolveValue } from "./offline/program";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import type { RecordedPlan } from "./resource-policies";
import { AnswerTooLarge, CallNotEmulated, callService, integrationCall, serviceCallNotEmulated, type ServiceResult } from "./aws-service-calls";
import { LOCAL_CREDENTIALS } from "./sigv4-verify";
import { jsonPath, MappingTemplateError, renderMappingTemplate, selectRequestTemplate, selectResponseTemplate, type MappingTemplateInput } from "./vtl";

export type AwsServiceIntegrationSpec = Extract<RouteSpec["integration"], { type: "aws" }>;

/**
 * Why `npm start` cannot answer an AWS-service route as API Gateway would (the gateway answers 501 with it), or
 * undefined for the routes it serves: services with a local emulator (aws-service-calls.ts LOCAL_INTEGRATION_SERVICES),
 * path-style on S3 and action-style on the JSON-protocol services.
 */
export function awsServiceNotEmulated(integration: AwsServiceIntegrationSpec): string | undefined {
  return serviceCallNotEmulated(integration.service, integration.action);
}

export interface AwsServiceRequest {
  route: RouteSpec;
  integration: AwsServiceIntegrationSpec;
  /** The method request as the gateway read it: path parameters (decoded), query, headers, stage variables, requestId. */
  event: APIGatewayProxyEvent;
  /** The client's bytes as read. */
  body: Buffer;
  /** The API's region: the integration URI's, which API Gateway signs the S3 request for. */
  region: string;
  /** The API's account (its execution ARN's): the account of resources a call names by name (a table, a stream). */
  account?: string;
  /** The local runtime's environment: AWS_ENDPOINT_URL_S3 and the local credentials. */
  environment: Record<string, string | undefined>;
  /** IAM for the integration role (integrationRoleAuthorise). */
  authorise: IntegrationAuthorise;
  log(message: string): void;
  /** Aborted when the gateway gives the request up (its integration timeout, or the client's disconnect): the call to the service is abandoned. */
  signal?: AbortSignal;
}

export interface AwsServiceAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
  /** Answered by API Gateway itself (415, 501), not through the integration responses. */
  gateway?: boolean;
}

/** What the integration request parameters resolve to for one request. */
export interface MappedRequest {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

/**
 * `requestParameters` (target ← source) for one request. Sources as API Gateway reads them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html):
 * `method.request.{path,querystring,multivaluequerystring,header,multivalueheader}.<name>`, `method.request.body`,
 * `method.request.body.<JSONPath>` (read as `$.<JSONPath>` by the templates' JSONPath, local/vtl.ts), a
 * 'static value', `context.<variable>`, `stageVariables.<name>`. A source with no value maps nothing (LocalStack, which
 * checks its API Gateway against AWS, does the same: `if value: request_data_mapping[...][param_name] = value`,
 * localstack-core/localstack/services/apigateway/next_gen/execute_api/parameters_mapping.py). Header names match
 * whatever their case (Node has lower-cased them already).
 */
export function mapRequestParameters(requestParameters: Record<string, string>, event: APIGatewayProxyEvent, body: Buffer): MappedRequest {
  const mapped: MappedRequest = { path: {}, querystring: {}, header: {} };
  // Parsed at the first body mapping and shared by the rest: a 10 MB body is read once per request, not once per mapping.
  let document: { value: unknown } | undefined;
  const bodyDocument = () => (document ??= { value: jsonBody(body) }).value;
  for (const [target, source] of Object.entries(requestParameters)) {
    const parsedTarget = /^integration\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(target);
    if (!parsedTarget) continue;
    let value: string | undefined;
    try {
      value = sourceValue(source, event, body, bodyDocument);
    } catch (error) {
      throw new Error(`requestParameters ${JSON.stringify(target)} ← ${JSON.stringify(source)}: ${(error as Error).message}`);
    }
    if (value === undefined || value === "") continue;
    const location = parsedTarget[1] === "multivaluequerystring" ? "querystring" : parsedTarget[1] === "multivalueheader" ? "header" : (parsedTarget[1] as keyof MappedRequest);
    mapped[location][parsedTarget[2]] = value;
  }
  return mapped;
}

function sourceValue(source: string, event: APIGatewayProxyEvent, body: Buffer, bodyDocument: () => unknown): string | undefined {
  const staticValue = /^'(.*)'$/s.exec(source);
  if (staticValue) return staticValue[1];
  if (source === "method.request.body") return body.toString("utf8");
  const bodyPath = bodyMappingPath(source);
  if (bodyPath !== undefined) return bodyField(bodyDocument(), bodyPath);
  const method = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(source);
  if (method) {
    const [, location, name] = method;
    switch (location) {
      case "path":
        return event.pathParameters?.[name] ?? undefined;
      case "querystring":
        return event.multiValueQueryStringParameters?.[name]?.at(-1);
      case "multivaluequerystring":
        return event.multiValueQueryStringParameters?.[name]?.join(",");
      case "header":
        return headerValues(event, name)?.at(-1);
      case "multivalueheader":
        return headerValues(event, name)?.join(",");
    }
  }
  const stageVariable = /^stageVariables\.(.+)$/.exec(source);
  if (stageVariable) return event.stageVariables?.[stageVariable[1]] ?? undefined;
  const context = /^context\.(.+)$/.exec(source);
  if (context) {
    let value: unknown = event.requestContext;
    for (const part of context[1].split(".")) value = value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
    return value === undefined || value === null ? undefined : String(value);
  }
  return undefined;
}

/** The body as JSON, or undefined when it is empty or not JSON (which maps nothing). */
function jsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * A field of a JSON body, by `method.request.body.<JSONPath>` (the path bodyMappingPath reads): a string as it is,
 * another value as JSON. An empty body, or one that is not JSON, maps nothing.
 */
function bodyField(document: unknown, path: string): string | undefined {
  if (document === undefined) return undefined;
  const value = jsonPath(document, path);
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function headerValues(event: APIGatewayProxyEvent, name: string): string[] | undefined {
  const wanted = name.toLowerCase();
  const values = Object.entries(event.multiValueHeaders ?? {}).filter(([header]) => header.toLowerCase() === wanted).flatMap(([, v]) => v ?? []);
  return values.length > 0 ? values : undefined;
}

/**
 * The integration path with `{name}` filled from `integration.request.path.name`, each value percent-encoded as one
 * path segment (encodeURIComponent). AWS's S3 proxy tutorial has the client encode a key's slash ("When accessing
 * objects whose object key includes / or any other special character, the character needs to be URL encoded. For
 * example, test/test.txt should be encoded to test%2Ftest.txt",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-s3.html): the method
 * request's path parameter is the decoded key, and it reaches S3 as that key, so it is sent encoded again. S3 decodes
 * `%2F` and `/` to the same key. A placeholder nothing maps stays as written, as LocalStack leaves it
 * (render_uri_with_path_parameters replaces only the mapped names).
 */
export function integrationPath(path: string, mappedPath: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (placeholder, name: string) => (name in mappedPath ? encodeURIComponent(mappedPath[name]) : placeholder));
}

/** An S3 request: bucket, key (decoded) and query, as the local S3 server (and S3, path-style) reads its URL. */
interface S3Target {
  bucket: string;
  key: string;
  query: URLSearchParams;
}

function s3Target(pathAndQuery: string): S3Target {
  const queryAt = pathAndQuery.indexOf("?");
  const path = (queryAt < 0 ? pathAndQuery : pathAndQuery.slice(0, queryAt)).replace(/^\/+/, "");
  const [bucket = "", ...rest] = path.split("/").map((segment) => decodeURIComponent(segment));
  return { bucket, key: rest.join("/"), query: new URLSearchParams(queryAt < 0 ? "" : pathAndQuery.slice(queryAt + 1)) };
}

/**
 * The IAM action and resource an S3 request is authorised as
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html): PutObject (and the
 * multipart upload calls) s3:PutObject, GetObject and HeadObject s3:GetObject, DeleteObject s3:DeleteObject, on
 * `arn:aws:s3:::bucket/key`; a bucket's GET (ListObjects) and HEAD (HeadBucket) s3:ListBucket, PUT s3:CreateBucket,
 * DELETE s3:DeleteBucket, on `arn:aws:s3:::bucket`. Undefined for requests the local S3 server does not serve either.
 */
export function s3Authorisation(method: string, target: S3Target): { action: string; resource: string } | undefined {
  const object = `arn:aws:s3:::${target.bucket}/${target.key}`;
  const bucket = `arn:aws:s3:::${target.bucket}`;
  if (target.key === "") {
    if (method === "GET" || method === "HEAD") return { action: "s3:ListBucket", resource: bucket };
    if (method === "PUT") return { action: "s3:CreateBucket", resource: bucket };
    if (method === "DELETE") return { action: "s3:DeleteBucket", resource: bucket };
    if (method === "POST" && target.query.has("delete")) return { action: "s3:DeleteObject", resource: `${bucket}/*` };
    return undefined;
  }
  if (method === "PUT" || method === "POST") return { action: "s3:PutObject", resource: object };
  if (method === "GET" || method === "HEAD") return { action: "s3:GetObject", resource: object };
  if (method === "DELETE") return { action: target.query.has("uploadId") ? "s3:AbortMultipartUpload" : "s3:DeleteObject", resource: object };
  return undefined;
}

/** IAM's refusal of `action` on `resource` to an integration role, or undefined when it may. */
export type IntegrationAuthorise = (action: string, resource: string) => Promise<Refusal | undefined>;

/**
 * The session API Gateway calls as once it has assumed an integration's role: `BackplaneAssumeRoleSession`, the name
 * AWS's own records show for it (an SQS message's SenderId `AROA…:BackplaneAssumeRoleSession`, S3 events'
 * `AWS:AROA…:BackplaneAssumeRoleSession`) and LocalStack gives it (`session_name="BackplaneAssumeRoleSession"`,
 * localstack-core/localstack/services/apigateway/next_gen/execute_api/integrations/aws.py); AWS's pages do not name it.
 */
export const API_GATEWAY_SESSION = "BackplaneAssumeRoleSession";

/**
 * IAM for the route's integration role as IAM decides for it in AWS: the role the plan records as the route's
 * integration `credentials` (ServerlessApi's `<api>-integration-<slug>` and its `<api>-integration-role-<slug>`,
 * components/serverless-api/routes.ts), with its recorded policies and the target's resource policy, the caller API
 * Gateway's session of it (local/function-roles.ts assumedRoleAuthorise; API_GATEWAY_SESSION) — so a queue's, topic's,
 * bus's, table's or bucket's policy grants or denies the route as it does in AWS. A role whose policies are not all known offline
 * (an AWS managed policy attached) is refused only by an explicit Deny. For a route outside a program run (no recorded integration), the
 * route's `permissions` stand for the role's policy, as the component writes them, under the role's unsuffixed name.
 */
export async function integrationRoleAuthorise(plan: RecordedPlan, apiName: string, route: RouteSpec, integration: AwsServiceIntegrationSpec, account: string): Promise<IntegrationAuthorise> {
  const slug = routeSlug(route.method, route.fullPath);
  const recorded = plan.graph.find((r) => r.type === "aws:apigateway/integration:Integration" && r.name === `${apiName}-integration-${slug}`);
  const roleArn = recorded?.state.credentials ?? recorded?.inputs.credentials;
  if (typeof roleArn === "string" && plan.graph.some((r) => r.type === "aws:iam/role:Role" && r.state.arn === roleArn)) {
    const authorise = assumedRoleAuthorise(plan, roleArn, API_GATEWAY_SESSION);
    return async (action, resource) => authorise?.(action, resource);
  }
  // The component writes every statement as Allow (components/iam.ts policyJson).
  const statements: IamStatement[] = await Promise.all(
    integration.permissions.map(async (statement) => ({
      effect: "Allow" as const,
      actions: statement.actions,
      resources: (await Promise.all(statement.resources.map((r) => resolveValue<string>(r)))).map(String),
      conditional: statement.conditions !== undefined,
    })),
  );
  const roleName = integrationRoleName(apiName, slug);
  const caller = serviceCaller(`arn:aws:iam::${account}:role/${roleName}`, roleName, API_GATEWAY_SESSION);
  return async (action, resource) => roleRefusal(plan, statements, caller, action, resource);
}

/**
 * The integration's answer as the component's method responses shape it (routes.ts AWS_SERVICE_RESPONSES and
 * awsServiceResponses). "For all other HTTP and AWS back ends, the HTTP status code is matched" against each integration
 * response's selectionPattern (IntegrationResponse.selectionPattern in the API Gateway API reference, as the SDK docs carry it:
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/apigateway/aws.sdk.kotlin.services.apigateway.model/-integration-response/selection-pattern.html):
 * 2\d{2} → 200, 4\d{2} → 400, and the response without a pattern (the default) → 500 for everything else. The 200
 * maps method.response.header.Content-Type ← integration.response.header.Content-Type and, without response templates,
 * passes the body through (with no Content-Type from the service, API Gateway's default, application/json); with
 * them, the template picked by the client's Accept renders the service's body, and may override the status and headers
 * through `$context.responseOverride`. A refusal of the integration role is the service's AccessDenied (400 or 403), so
 * it takes the 400, as any other client error of the service does; the refusal's words stay in the problem logged.
 */
function methodResponse(status: number, contentType: string | null, body: Buffer, requestId: string, templated?: { templates: Record<string, string>; accept: string | undefined; input: MappingTemplateInput }): AwsServiceAnswer {
  if (status >= 200 && status <= 299) {
    const selected = templated && selectResponseTemplate(templated.templates, templated.accept);
    if (!selected) return { status: 200, headers: { "content-type": contentType ?? "application/json" }, body };
    const rendered = renderMappingTemplate(selected.template, { ...templated.input, body: body.toString("utf8") });
    const headers: Record<string, string> = { "content-type": selected.contentType };
    for (const [name, value] of Object.entries(rendered.responseOverride.header)) headers[name.toLowerCase()] = value;
    return { status: rendered.responseOverride.status ?? 200, headers, body: rendered.output };
  }
  if (status >= 400 && status <= 499) return { status: 400, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Bad request", requestId }) };
  return internalError(requestId);
}

function internalError(requestId: string): AwsServiceAnswer {
  return { status: 500, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Internal server error", requestId }) };
}

/** S3's answer to a request its caller's IAM policy does not allow (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
const ACCESS_DENIED_STATUS = 403;

/**
 * Request headers API Gateway sends an AWS integration: the mapped ones, and the client's Content-Type when the
 * method carries a body. "Only Content-Type header is being passed to the integration request" (an AWS-service
 * integration with passthrough, https://repost.aws/questions/QUKKPMq8TeQ5OTeuhAnu8G5g); LocalStack likewise adds the
 * client's Content-Type by default unless the method is OPTIONS, GET or HEAD and never passes other unmapped headers
 * (integration_request.py, `_apply_header_transforms`: `default_headers["Content-Type"] = content_type`). A mapping
 * of Content-Type wins over the client's.
 */
function integrationHeaders(method: string, event: APIGatewayProxyEvent, mapped: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  const clientContentType = headerValues(event, "content-type")?.at(-1);
  if (clientContentType && !["GET", "HEAD", "OPTIONS"].includes(method)) headers["content-type"] = clientContentType;
  for (const [name, value] of Object.entries(mapped)) headers[name.toLowerCase()] = value;
  return headers;
}

/** What a mapping template reads of the method request: its parameters, context and stage variables. */
function templateInput(event: APIGatewayProxyEvent, body: string): MappingTemplateInput {
  const last = (values: Record<string, string[] | undefined> | null) => Object.fromEntries(Object.entries(values ?? {}).map(([name, v]) => [name, v?.at(-1) ?? ""]));
  return {
    body,
    params: { path: { ...(event.pathParameters ?? {}) } as Record<string, string>, querystring: last(event.multiValueQueryStringParameters), header: last(event.multiValueHeaders) },
    context: { ...event.requestContext, authorizer: event.requestContext.authorizer ?? {} } as unknown as Record<string, unknown>,
    stageVariables: { ...(event.stageVariables ?? {}) } as Record<string, string>,
  };
}

/**
 * API Gateway's UNSUPPORTED_MEDIA_TYPE gateway response: 415 `{"message":"Unsupported Media Type"}`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html, "The gateway
 * response for an unsupported media type error, if the passthrough behavior is enforced"; the default template of a
 * gateway response is `{"message":$context.error.messageString}`).
 */
function unsupportedMediaType(): AwsServiceAnswer {
  return { status: 415, headers: { "content-type": "application/json", "x-amzn-errortype": "UnsupportedMediaTypeException" }, body: JSON.stringify({ message: "Unsupported Media Type" }), gateway: true };
}

/**
 * Serves one request of an AWS-service integration route; throws only the reason of `request.signal`, once the gateway
 * has given the request up (what else goes wrong is logged and answered 500, as API Gateway answers an integration it
 * cannot run).
 */
export async function invokeAwsServiceIntegration(request: AwsServiceRequest): Promise<AwsServiceAnswer> {
  const { route, integration, event, log } = request;
  const requestId = event.requestContext.requestId;
  const contentType = headerValues(event, "content-type")?.at(-1);
  const selection = selectRequestTemplate(integration.requestTemplates, contentType, integration.passthroughBehavior);
  if (selection === "unsupported") {
    log(`  ${route.key}: no request template for Content-Type ${contentType ?? "(none: application/json)"} and passthroughBehavior ${integration.passthroughBehavior}: 415`);
    return unsupportedMediaType();
  }
  try {
    const input = templateInput(event, request.body.toString("utf8"));
    const rendered = selection === "passthrough" ? undefined : renderMappingTemplate(selection.template, input);
    const body = rendered ? Buffer.from(rendered.output, "utf8") : request.body;
    // The integration request's parameters: the mapped ones, then what the template overrode, which wins
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html).
    const mapped = mapRequestParameters(integration.requestParameters, event, request.body);
    for (const location of ["header", "querystring", "path"] as const) Object.assign(mapped[location], rendered?.requestOverride[location]);
    const result = integration.service === "s3" ? await callS3(request, body, mapped) : await callAction(request, body, mapped);
    if (result.problem) log(`  ${route.key}: ${integration.service} ${result.problem}`);
    const templated = Object.keys(integration.responseTemplates).length > 0 ? { templates: integration.responseTemplates, accept: headerValues(event, "accept")?.at(-1), input } : undefined;
    return methodResponse(result.status, result.contentType, result.body, requestId, templated);
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    if (error instanceof CallNotEmulated) return { status: 501, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: `${route.key}: ${error.message}` }), gateway: true };
    // A template that fails, a path that does not decode, an Output that failed, an emulator that is down: API
    // Gateway's 500, never a crash.
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    log(`  ${route.key}: AWS-service integration failed: ${error instanceof MappingTemplateError ? `mapping template: ${error.message}` : (cause?.code ?? (error as Error).message)}`);
    return internalError(requestId);
  }
}

/** The runtime's own credentials, which every local endpoint accepts (the role was asked before). */
function runtimeCredentials(environment: Record<string, string | undefined>) {
  return { accessKeyId: environment.AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: environment.AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey };
}

/** A non-S3 call (aws-service-calls.ts), with the integration request's headers, query string and path. */
async function callAction(request: AwsServiceRequest, body: Buffer, mapped: MappedRequest): Promise<ServiceResult> {
  const { integration, event, environment } = request;
  const path = integration.path === undefined ? undefined : integrationPath(String(await resolveValue<string>(integration.path)), mapped.path).split("?")[0];
  return callService({
    service: integration.service,
    action: integration.action,
    path,
    body,
    headers: integrationHeaders("POST", event, mapped.header),
    query: mapped.querystring,
    region: request.region,
    account: request.account ?? MOCK_ACCOUNT_ID,
    environment,
    credentials: runtimeCredentials(environment),
    authorise: request.authorise,
    signal: request.signal,
  });
}

/** A path-style S3 call: the integration path, mapped headers and `body` (the client's, or the rendered template's). */
async function callS3(request: AwsServiceRequest, body: Buffer, mapped: MappedRequest): Promise<ServiceResult> {
  const { integration, event, environment } = request;
  const endpoint = environment.AWS_ENDPOINT_URL_S3;
  if (!endpoint) throw new Error("no local S3 server is running (AWS_ENDPOINT_URL_S3 is not set)");
  const pathAndQuery = integrationPath(String(await resolveValue<string>(integration.path)), mapped.path);
  const query = s3Target(pathAndQuery).query;
  for (const [name, value] of Object.entries(mapped.querystring)) query.set(name, value);
  const method = integration.method.toUpperCase() === "ANY" ? event.httpMethod : integration.method.toUpperCase();

  // Path-style, as the integration URI's `path/<bucket>/<key>` addresses S3, at the local server. The URL resolves
  // `.` and `..` segments (a mapped value may be one), so the request authorised is the one built here and sent.
  const url = new URL(`/${pathAndQuery.split("?")[0].replace(/^\/+/, "")}`, endpoint);
  url.search = query.toString();
  const authorisation = s3Authorisation(method, s3Target(`${url.pathname}${url.search}`));
  const refusal = authorisation && (await request.authorise(authorisation.action, authorisation.resource));
  if (authorisation && refusal) {
    return { status: ACCESS_DENIED_STATUS, contentType: null, body: Buffer.alloc(0), problem: `User: ${refusal.caller} is not authorized to perform: ${authorisation.action} on resource: ${authorisation.resource} ${refusal.reason} (S3 answers ${ACCESS_DENIED_STATUS} AccessDenied)` };
  }

  const sentBody = ["GET", "HEAD", "OPTIONS"].includes(method) ? undefined : body;
  const headers = integrationHeaders(method, event, mapped.header);
  // A mapped value is the client's (a body's field, a query string's): one a header cannot carry (a line break, a
  // character past U+00FF) makes Node refuse the request before it is sent, which read as the server being unreachable.
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw new Error(`the integration request's header ${JSON.stringify(name)} cannot be sent: ${(error as Error).message}`);
    }
  }
  try {
    return await integrationCall({
      url,
      method,
      headers: { ...headers, "x-amz-content-sha256": createHash("sha256").update(sentBody ?? Buffer.alloc(0)).digest("hex") },
      body: sentBody,
      credentials: runtimeCredentials(environment),
      region: request.region,
      service: "s3",
      uriEscapePath: false,
      signal: request.signal,
    });
  } catch (error) {
    if (error instanceof AnswerTooLarge) throw error;
    // Not only a server out of reach: also an answer cut short or one that could not be read.
    throw new Error(`the call to the local S3 server at ${endpoint} failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
