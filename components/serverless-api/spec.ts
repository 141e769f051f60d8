/**
 * ServerlessApi's arguments, their validation, and the normalised spec the rest of
 * the component — and the local API emulator (local/services/api.ts) — works from.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ArgFailure } from "../errors";
import { assertLeastPrivilege, type PolicyStatement } from "../iam";
import type { LambdaFunctionSpec } from "../lambda/function";
import { VALID_RETENTION_DAYS } from "../lambda/function";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
const BODY_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "ANY"]);

/** Settings of a route's (or an authorizer's) Lambda function; see LambdaFunctionArgs. */
export interface ApiFunctionArgs {
  /** @default 512 */
  memorySize?: number;
  /** Seconds, 1–29 (API Gateway's integration timeout). @default 10 */
  timeout?: number;
  /** Environment variables on top of `functionDefaults.environment`. */
  environment?: Record<string, pulumi.Input<string>>;
  /** The function's own least-privilege statements (e.g. a DataTier grant), on top of `functionDefaults.permissions`. */
  permissions?: PolicyStatement[];
}

/** How a route is authorised. */
export type ApiRouteAuth =
  /** Public: no authorisation. Only for routes meant for anyone (security rule APIG4 lists them). */
  | "none"
  /** AWS_IAM: SigV4-signed requests from principals IAM allows `execute-api:Invoke`. */
  | "iam"
  /** One of `authorizers`, by name; `scopes` only for Cognito access tokens. */
  | { authorizer: string; scopes?: string[] };

/** A static response from API Gateway itself (no backend), e.g. a config or maintenance route. */
export interface MockIntegration {
  type: "mock";
  /** @default 200 */
  statusCode?: number;
  /** JSON body (objects are serialised). */
  body: unknown;
}

/** Proxy to an HTTP backend (EC2, Beanstalk, another API). */
export interface HttpIntegration {
  type: "http";
  /** Backend URL; path parameters as `{name}`, e.g. `https://legacy.example.com/items/{id}`. */
  uri: string;
  /** @default the route's method */
  method?: string;
  /** @default 29000 */
  timeoutMs?: number;
}

/** Call an AWS service API directly (seed 000: "AWS Service, e.g. S3 PUT") with a role holding exactly `permissions`. */
export interface AwsServiceIntegration {
  type: "aws";
  /** Service subdomain, e.g. `"s3"`, `"sqs"`, `"dynamodb"`. */
  service: string;
  /** HTTP method of the service call, e.g. `"PUT"`. */
  method: string;
  /** Path-style action: `path/<path>` in the URI, e.g. `"my-bucket/{key}"`. */
  path: pulumi.Input<string>;
  /** What the integration's role may do; exact actions and resources. */
  permissions: PolicyStatement[];
  /** Integration request parameters, e.g. `{ "integration.request.path.key": "method.request.path.key" }`. */
  requestParameters?: Record<string, string>;
}

export interface ApiRoute {
  /** Lambda entry file for a proxy integration, e.g. `"handlers/api/albums.ts"`. Exactly one of handler and integration. */
  handler?: string;
  /** Exported function name in `handler`. @default "handler" */
  export?: string;
  /** The route's function; merged over `functionDefaults`. */
  function?: ApiFunctionArgs;
  /** A non-Lambda integration instead of `handler`. */
  integration?: MockIntegration | HttpIntegration | AwsServiceIntegration;
  /** @default the API's `defaultAuth` */
  auth?: ApiRouteAuth;
  /** Callers must send an API key of a usage plan (for quotas, not authentication). @default false */
  apiKeyRequired?: boolean;
  /** JSON Schema (draft 4) the body must match; API Gateway refuses other bodies with 400. */
  requestSchema?: Record<string, unknown>;
  /** Resource name of the route's function (≤ 47 characters with the API's name). @default derived from the route */
  name?: string;
}

export type ApiAuthorizer =
  | {
      /** Cognito user pool authorizer: API Gateway verifies the pool's id (or access) token itself. */
      type: "cognito";
      userPoolArns: pulumi.Input<string>[];
      /** @default "method.request.header.Authorization" */
      identitySource?: string;
    }
  | {
      /** Lambda authorizer: TOKEN gets the header value, REQUEST the whole request. */
      type: "token" | "request";
      /** Entry file, e.g. `"handlers/api/authorizer.ts"`. */
      handler: string;
      function?: ApiFunctionArgs;
      /** @default "method.request.header.Authorization" */
      identitySource?: string;
      /** Seconds API Gateway caches a decision (0–3600). @default 300 */
      resultTtlSeconds?: number;
    };

export interface ApiCanary {
  /** Percent of the stage's traffic sent to the canary, 0–100 (seed 000: 5–10). */
  percentTraffic: number;
  /**
   * Stage variables the canary overrides. `alias` defaults to `<stage>-canary`, an alias
   * that follows the newest function version while the stage's own alias stays put.
   */
  stageVariableOverrides?: Record<string, string>;
}

export interface ApiStage {
  /** Stage variables (seed 001). `alias` is set for you: the function alias the stage calls. */
  variables?: Record<string, string>;
  /** Overrides the API's default throttling for this stage. */
  throttle?: ApiThrottle;
  /** Canary release settings; remove (or set percentTraffic 0 and remove) to promote. */
  canary?: ApiCanary;
}

export interface ApiThrottle {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Burst bucket size. */
  burstLimit: number;
}

export interface ApiUsagePlan {
  /** Requests per period. */
  quota?: { limit: number; period: "DAY" | "WEEK" | "MONTH" };
  throttle?: ApiThrottle;
  /** Names of API keys to create and attach to this plan. */
  apiKeys?: string[];
  /** @default every stage */
  stages?: string[];
}

export interface ApiResourcePolicy {
  /** Only these CIDR ranges may call the API. */
  allowSourceIps?: string[];
  /** These CIDR ranges may not call the API. */
  denySourceIps?: string[];
  /** Only through these VPC endpoints (required for PRIVATE endpoints). */
  allowVpcEndpoints?: pulumi.Input<string>[];
  /** Only IAM principals of these accounts (use with `auth: "iam"` routes). */
  allowAccounts?: string[];
}

export interface ApiCors {
  /** Origins allowed to call the API from a browser, e.g. `["https://gallery.example.com"]`. */
  allowOrigins: string[];
  /** @default ["Authorization", "Content-Type", "X-Api-Key"] */
  allowHeaders?: string[];
  /** @default 600 */
  maxAgeSeconds?: number;
}

export interface ServerlessApiArgs {
  /** Routes as data: `"GET /albums/{albumId}": { handler: "handlers/api/albums.ts", export: "get" }`. */
  routes: Record<string, ApiRoute>;
  /**
   * Path prefix of every route, e.g. `"api"` so CloudFront's `/api/*` behaviour (which
   * forwards the full path) reaches `/api/albums`. @default "" (routes at the root)
   */
  basePath?: string;
  /** Stages by name (seed 001: dev/test/prod), each with its stage variables and canary. @default { prod: {} } */
  stages?: Record<string, ApiStage>;
  /**
   * A canary on one stage, as flat stack config gives it (`apiCanaryStage`, `apiCanaryPercent`);
   * the same as setting `stages[stage].canary`.
   */
  canary?: ApiCanary & { stage: string };
  /** Authorizers routes refer to by name. */
  authorizers?: Record<string, ApiAuthorizer>;
  /** Authorisation of routes that set none. Secure by default. @default "iam" */
  defaultAuth?: ApiRouteAuth;
  /** Settings every route function gets (a route's own `function` wins). */
  functionDefaults?: ApiFunctionArgs & {
    /** @default 30 */
    logRetentionDays?: number;
  };
  /** @default "REGIONAL" */
  endpointType?: "REGIONAL" | "EDGE" | "PRIVATE";
  /** VPC endpoints a PRIVATE API is reachable through. */
  vpcEndpointIds?: pulumi.Input<string>[];
  /** Resource policy: restrict callers by IP, VPC endpoint or account. */
  resourcePolicy?: ApiResourcePolicy;
  /** CORS preflight (OPTIONS) routes and headers; not needed behind the site's CloudFront (same origin). */
  cors?: ApiCors;
  /** Usage plans with API keys: quotas and throttling per client — not authentication (seed 000). */
  usagePlans?: Record<string, ApiUsagePlan>;
  /** Default stage throttling. @default { rateLimit: 100, burstLimit: 200 } */
  throttle?: ApiThrottle;
  /** Days to keep access logs. @default 30 */
  logRetentionDays?: number;
  /** Execution logging level of every method (security rule APIG6). @default "ERROR" */
  executionLogLevel?: "ERROR" | "INFO";
  /** X-Ray tracing of stages. @default true */
  tracing?: boolean;
  /**
   * Create the account-level role API Gateway writes execution logs with
   * (`aws.apigateway.Account`, one per account and region). Set false when another
   * stack already manages it. @default true
   */
  accountCloudWatchRole?: boolean;
  /** Custom domain with a regional ACM certificate; DNS records come from elsewhere. */
  domain?: { name: string; certificateArn: pulumi.Input<string>; /** @default the first stage */ stage?: string; /** @default "" */ basePath?: string };
  /** Region of the API and its functions. @default the provider's region */
  region?: string;
}

// ------------------------------------------------------------------ spec

export type IntegrationSpec =
  | { type: "lambda"; functionName: string; entry: string; export: string }
  | { type: "mock"; statusCode: number; body: string }
  | { type: "http"; uri: string; method: string; timeoutMs: number }
  | { type: "aws"; service: string; method: string; path: pulumi.Input<string>; permissions: PolicyStatement[]; requestParameters: Record<string, string> };

export type AuthSpec = { type: "none" } | { type: "iam" } | { type: "authorizer"; authorizer: string; scopes: string[] };

export interface RouteSpec {
  key: string;
  method: HttpMethod;
  /** Path as declared, e.g. `/albums/{albumId}`. */
  path: string;
  /** Path API Gateway (and CloudFront) sees, with the base path, e.g. `/api/albums/{albumId}`. */
  fullPath: string;
  integration: IntegrationSpec;
  function?: ApiFunctionArgs & { logRetentionDays: number };
  auth: AuthSpec;
  apiKeyRequired: boolean;
  requestSchema?: Record<string, unknown>;
}

export type AuthorizerSpec =
  | { name: string; type: "cognito"; userPoolArns: pulumi.Input<string>[]; identitySource: string }
  | { name: string; type: "token" | "request"; functionName: string; entry: string; function: ApiFunctionArgs & { logRetentionDays: number }; identitySource: string; resultTtlSeconds: number };

export interface StageSpec {
  name: string;
  /** Stage variables, `alias` included. */
  variables: Record<string, string>;
  throttle: ApiThrottle;
  canary?: { percentTraffic: number; alias: string; stageVariableOverrides: Record<string, string> };
}

export interface ServerlessApiSpec {
  name: string;
  basePath: string;
  routes: RouteSpec[];
  authorizers: AuthorizerSpec[];
  stages: StageSpec[];
  endpointType: "REGIONAL" | "EDGE" | "PRIVATE";
  vpcEndpointIds: pulumi.Input<string>[];
  resourcePolicy?: ApiResourcePolicy;
  cors?: Required<ApiCors>;
  usagePlans: Array<{ name: string; quota?: ApiUsagePlan["quota"]; throttle?: ApiThrottle; apiKeys: string[]; stages: string[] }>;
  throttle: ApiThrottle;
  logRetentionDays: number;
  executionLogLevel: "ERROR" | "INFO";
  tracing: boolean;
  accountCloudWatchRole: boolean;
  domain?: { name: string; certificateArn: pulumi.Input<string>; stage: string; basePath: string };
  region?: string;
  /** sha256 of everything a deployment snapshots (routes, integrations, auth, models, CORS, policy): the redeploy trigger. */
  deploymentHash: string;
  /** Specs of the route and authorizer functions by resource name, filled in once they exist (the local runtime runs them). */
  functions: Record<string, LambdaFunctionSpec>;
}

/** API Gateway waits at most 29 s for an integration. */
export const API_INTEGRATION_TIMEOUT_SECONDS = 29;
const ROUTE_KEY = /^([A-Z]+) (\/.*)$/;
const PATH_SEGMENT = /^(\{[A-Za-z_][A-Za-z0-9_]*\+?\}|[A-Za-z0-9._~-]+)$/;
const NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
const STAGE_NAME = /^[A-Za-z0-9_]{1,128}$/;
const STAGE_VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{1,512}$/;

export function validateArgs(fail: ArgFailure, name: string, args: ServerlessApiArgs): void {
  if (!args.routes || Object.keys(args.routes).length === 0) fail("routes", args.routes, "is empty", 'Declare at least one route, e.g. { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } }.');
  if (args.basePath !== undefined && !/^([A-Za-z0-9._~-]+)(\/[A-Za-z0-9._~-]+)*$|^$/.test(args.basePath)) {
    fail("basePath", args.basePath, "is not a path prefix", 'Use segments without leading or trailing slashes, e.g. "api".');
  }
  const stageNames = Object.keys(args.stages ?? { prod: {} });
  if (stageNames.length === 0) fail("stages", args.stages, "is empty", "Declare at least one stage, e.g. { prod: {} }.");
  for (const stage of stageNames) validateStage(fail, stage, args.stages?.[stage] ?? {});
  if (args.canary) {
    if (!stageNames.includes(args.canary.stage)) {
      fail("canary.stage", args.canary.stage, "is not a stage of this API, so there is nothing to run a canary on", `Use one of ${stageNames.join(", ")}, or add the stage.`);
    }
    if (args.stages?.[args.canary.stage]?.canary) {
      fail("canary.stage", args.canary.stage, "already has stages." + args.canary.stage + ".canary", "Set the canary in one place.");
    }
    validateStage(fail, args.canary.stage, { canary: args.canary });
  }
  const authorizers = args.authorizers ?? {};
  for (const [authorizerName, authorizer] of Object.entries(authorizers)) validateAuthorizer(fail, authorizerName, authorizer);
  if (args.defaultAuth !== undefined) validateAuth(fail, "defaultAuth", args.defaultAuth, authorizers);
  const seen = new Map<string, string>();
  const names = new Set<string>();
  for (const [key, route] of Object.entries(args.routes ?? {})) {
    const parsed = parseRouteKey(fail, key);
    const normalisedKey = `${parsed.method} ${parsed.path.replace(/\{[^}]+\}/g, "{}")}`;
    const twin = seen.get(normalisedKey);
    if (twin !== undefined) {
      fail(`routes["${key}"]`, key, `duplicates route "${twin}" (same method and path)`, "Declare each method and path once; path parameters at the same place are the same route.");
    }
    seen.set(normalisedKey, key);
    validateRoute(fail, name, key, parsed.method, route ?? {}, authorizers);
    const functionName = route?.handler ? routeFunctionName(name, key, route) : undefined;
    if (functionName) {
      if (names.has(functionName)) fail(`routes["${key}"].name`, functionName, "is the function name of another route", "Give the route a distinct name.");
      names.add(functionName);
    }
  }
  if (args.endpointType !== undefined && !["REGIONAL", "EDGE", "PRIVATE"].includes(args.endpointType)) {
    fail("endpointType", args.endpointType, "is not an API Gateway endpoint type", 'Use "REGIONAL" (default), "EDGE" or "PRIVATE".');
  }
  if (args.endpointType === "PRIVATE" && !(args.vpcEndpointIds?.length || args.resourcePolicy?.allowVpcEndpoints?.length)) {
    fail("vpcEndpointIds", args.vpcEndpointIds, "is empty for a PRIVATE API, which nothing could then reach", "Pass the execute-api VPC endpoint ids (they are also allowed in the resource policy).");
  }
  for (const cidr of [...(args.resourcePolicy?.allowSourceIps ?? []), ...(args.resourcePolicy?.denySourceIps ?? [])]) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(cidr)) fail("resourcePolicy", cidr, "is not an IP address or CIDR range", 'Use e.g. "203.0.113.0/24".');
  }
  for (const account of args.resourcePolicy?.allowAccounts ?? []) {
    if (!/^\d{12}$/.test(account)) fail("resourcePolicy.allowAccounts", account, "is not a 12-digit AWS account id", "Use the account number.");
  }
  if (args.cors) {
    if (!args.cors.allowOrigins?.length) fail("cors.allowOrigins", args.cors.allowOrigins, "is empty", 'List the browser origins, e.g. ["https://gallery.example.com"].');
    if (args.cors.allowOrigins.length > 1) {
      fail("cors.allowOrigins", args.cors.allowOrigins, "has more than one origin; a response's Access-Control-Allow-Origin names exactly one", "Serve the API behind the site's CloudFront (same origin) or pick one origin.");
    }
  }
  for (const [planName, plan] of Object.entries(args.usagePlans ?? {})) {
    for (const stage of plan.stages ?? []) {
      if (!stageNames.includes(stage)) fail(`usagePlans.${planName}.stages`, stage, "is not a stage of this API", `Use one of ${stageNames.join(", ")}.`);
    }
    if (plan.quota && (!Number.isInteger(plan.quota.limit) || plan.quota.limit < 1 || !["DAY", "WEEK", "MONTH"].includes(plan.quota.period))) {
      fail(`usagePlans.${planName}.quota`, plan.quota, "is not a quota", 'Use { limit: <whole number ≥ 1>, period: "DAY" | "WEEK" | "MONTH" }.');
    }
    if (plan.throttle) validateThrottle(fail, `usagePlans.${planName}.throttle`, plan.throttle);
  }
  const keyRoutes = Object.entries(args.routes ?? {}).filter(([, r]) => r?.apiKeyRequired);
  if (keyRoutes.length > 0 && Object.values(args.usagePlans ?? {}).every((p) => !p.apiKeys?.length)) {
    fail(`routes["${keyRoutes[0][0]}"].apiKeyRequired`, true, "needs an API key, but no usage plan has apiKeys; every call would be refused", "Add a usage plan with apiKeys, or drop apiKeyRequired.");
  }
  if (args.throttle) validateThrottle(fail, "throttle", args.throttle);
  if (args.logRetentionDays !== undefined && !VALID_RETENTION_DAYS.has(args.logRetentionDays)) {
    fail("logRetentionDays", args.logRetentionDays, "is not a retention CloudWatch Logs offers", `Use one of ${[...VALID_RETENTION_DAYS].join(", ")}.`);
  }
  if (args.executionLogLevel !== undefined && !["ERROR", "INFO"].includes(args.executionLogLevel)) {
    fail("executionLogLevel", args.executionLogLevel, "is not an execution logging level that logs", 'Use "ERROR" (default) or "INFO".');
  }
  if (args.domain) {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(args.domain.name ?? "")) {
      fail("domain.name", args.domain.name, "is not a lowercase DNS host name", 'Use e.g. "api.gallery.example.com".');
    }
    if (args.endpointType === "PRIVATE") fail("domain", args.domain.name, "is set on a PRIVATE API", "Drop the domain or use a REGIONAL endpoint.");
    if (typeof args.domain.certificateArn === "string" && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+/.test(args.domain.certificateArn)) {
      fail("domain.certificateArn", args.domain.certificateArn, "is not an ACM certificate ARN", "Request or import a certificate in the API's region.");
    }
    if (args.domain.stage !== undefined && !stageNames.includes(args.domain.stage)) {
      fail("domain.stage", args.domain.stage, "is not a stage of this API", `Use one of ${stageNames.join(", ")}.`);
    }
  }
  for (const [argument, statements] of [["functionDefaults.permissions", args.functionDefaults?.permissions ?? []]] as const) {
    assertLeastPrivilege(fail, argument, statements);
  }
}

function parseRouteKey(fail: ArgFailure, key: string): { method: HttpMethod; path: string } {
  const match = ROUTE_KEY.exec(key);
  if (!match) fail(`routes["${key}"]`, key, 'is not "METHOD /path"', 'Write the key as e.g. "GET /albums/{albumId}".');
  const method = match![1] as HttpMethod;
  if (!HTTP_METHODS.includes(method)) fail(`routes["${key}"]`, match![1], "is not an HTTP method API Gateway supports", `Use one of ${HTTP_METHODS.join(", ")}.`);
  const path = match![2];
  const segments = path === "/" ? [] : path.slice(1).split("/");
  for (const [index, segment] of segments.entries()) {
    if (!PATH_SEGMENT.test(segment)) fail(`routes["${key}"]`, segment, "is not a valid path segment", 'Use letters, digits, ._~- or a parameter such as "{albumId}" (no trailing slash).');
    if (segment.endsWith("+}") && index !== segments.length - 1) fail(`routes["${key}"]`, segment, "is a greedy parameter before the end of the path", "Put {proxy+} last.");
  }
  return { method, path };
}

function validateRoute(fail: ArgFailure, apiName: string, key: string, method: HttpMethod, route: ApiRoute, authorizers: Record<string, ApiAuthorizer>): void {
  const where = `routes["${key}"]`;
  if (!route.handler === !route.integration) {
    fail(where, Object.keys(route), "needs exactly one of handler and integration", 'Set handler: "handlers/api/<name>.ts" for a Lambda route, or an integration (mock, http, aws).');
  }
  if (route.handler !== undefined) checkEntry(fail, `${where}.handler`, route.handler);
  if (route.export !== undefined && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(route.export)) fail(`${where}.export`, route.export, "is not an identifier", "Name the exported function.");
  if (route.function) validateFunction(fail, `${where}.function`, route.function);
  if (route.handler) {
    const fnName = routeFunctionName(apiName, key, route);
    if (!NAME.test(fnName)) fail(`${where}.name`, route.name, "is not a resource name", "Use letters, digits and hyphens, starting with a letter.");
    if (fnName.length > 47) {
      fail(`${where}.name`, fnName, "makes a function resource name over 47 characters (Lambda names stop at 64 with Pulumi's suffix)", "Set a shorter name on the route.");
    }
  }
  if (route.auth !== undefined) validateAuth(fail, `${where}.auth`, route.auth, authorizers);
  if (route.requestSchema !== undefined) {
    if (typeof route.requestSchema !== "object" || route.requestSchema === null || Array.isArray(route.requestSchema)) {
      fail(`${where}.requestSchema`, route.requestSchema, "is not a JSON Schema object", "Pass a JSON Schema (draft 4), e.g. requestModel(zodSchema) from handlers/shared/gallery-schemas.ts.");
    }
    if (!BODY_METHODS.has(method)) fail(`${where}.requestSchema`, method, "is set on a method without a body", "Only POST, PUT, PATCH (and ANY) routes take a request schema.");
  }
  const integration = route.integration;
  if (integration?.type === "http" && !/^https?:\/\//.test(integration.uri ?? "")) {
    fail(`${where}.integration.uri`, integration.uri, "is not an http(s) URL", 'Use e.g. "https://backend.example.com/items/{id}".');
  }
  if (integration?.type === "aws") {
    if (!/^[a-z0-9-]+$/.test(integration.service ?? "")) fail(`${where}.integration.service`, integration.service, "is not an AWS service subdomain", 'Use e.g. "s3" or "sqs".');
    if (!integration.permissions?.length) fail(`${where}.integration.permissions`, integration.permissions, "is empty; the integration's role could do nothing", 'Grant the exact action, e.g. { actions: ["s3:PutObject"], resources: [`${bucketArn}/uploads/*`] }.');
    assertLeastPrivilege(fail, `${where}.integration.permissions`, integration.permissions ?? []);
  }
  if (integration && !["mock", "http", "aws"].includes(integration.type)) {
    fail(`${where}.integration.type`, (integration as { type: string }).type, "is not an integration type", 'Use "mock", "http" or "aws" (or handler for Lambda).');
  }
}

function validateAuth(fail: ArgFailure, argument: string, auth: ApiRouteAuth, authorizers: Record<string, ApiAuthorizer>): void {
  if (auth === "none" || auth === "iam") return;
  if (typeof auth !== "object" || !auth.authorizer) fail(argument, auth, "is not an authorisation", 'Use "none", "iam" or { authorizer: "<name>" }.');
  if (!authorizers[auth.authorizer]) {
    fail(argument, auth.authorizer, "is not one of the API's authorizers", `Declare it under authorizers, or use one of: ${Object.keys(authorizers).join(", ") || "(none declared)"}.`);
  }
  if (auth.scopes?.length && authorizers[auth.authorizer].type !== "cognito") fail(`${argument}.scopes`, auth.scopes, "only apply to Cognito authorizers", "Drop scopes or use a Cognito authorizer.");
}

function validateAuthorizer(fail: ArgFailure, name: string, authorizer: ApiAuthorizer): void {
  const where = `authorizers.${name}`;
  if (!NAME.test(name)) fail(where, name, "is not an authorizer name", "Use letters, digits and hyphens.");
  if (authorizer.type === "cognito") {
    if (!authorizer.userPoolArns?.length) fail(`${where}.userPoolArns`, authorizer.userPoolArns, "is empty", "Pass the user pool ARN(s), e.g. [auth.userPoolArn].");
    return;
  }
  if (authorizer.type !== "token" && authorizer.type !== "request") fail(`${where}.type`, (authorizer as { type: string }).type, "is not an authorizer type", 'Use "cognito", "token" or "request".');
  checkEntry(fail, `${where}.handler`, authorizer.handler);
  if (authorizer.function) validateFunction(fail, `${where}.function`, authorizer.function);
  if (authorizer.resultTtlSeconds !== undefined && (!Number.isInteger(authorizer.resultTtlSeconds) || authorizer.resultTtlSeconds < 0 || authorizer.resultTtlSeconds > 3600)) {
    fail(`${where}.resultTtlSeconds`, authorizer.resultTtlSeconds, "is outside API Gateway's 0–3600 seconds", "Use a whole number of seconds up to 3600.");
  }
}

function validateStage(fail: ArgFailure, name: string, stage: ApiStage): void {
  const where = `stages.${name}`;
  if (!STAGE_NAME.test(name)) fail("stages", name, "is not a stage name", "Use letters, digits and underscores, e.g. dev, test, prod.");
  for (const [key, value] of Object.entries({ ...(stage.variables ?? {}), ...(stage.canary?.stageVariableOverrides ?? {}) })) {
    if (!/^[A-Za-z0-9_]+$/.test(key)) fail(`${where}.variables`, key, "is not a stage variable name", "Use letters, digits and underscores.");
    if (!STAGE_VARIABLE_VALUE.test(value)) fail(`${where}.variables.${key}`, value, "has characters stage variables do not allow, or is empty/too long", "Use 1–512 of A-Z a-z 0-9 - . _ ~ : / ? # & = ,");
  }
  if (stage.throttle) validateThrottle(fail, `${where}.throttle`, stage.throttle);
  if (stage.canary) {
    const percent = stage.canary.percentTraffic;
    if (typeof percent !== "number" || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      fail(`${where}.canary.percentTraffic`, percent, "is outside 0–100", "Use a percentage such as 10 (seed 000 suggests 5–10 %).");
    }
  }
}

function validateThrottle(fail: ArgFailure, argument: string, throttle: ApiThrottle): void {
  if (!(throttle.rateLimit > 0) || !Number.isInteger(throttle.burstLimit) || throttle.burstLimit < 1) {
    fail(argument, throttle, "is not a throttle", "Use { rateLimit: <requests/second > 0>, burstLimit: <whole number ≥ 1> }.");
  }
}

function validateFunction(fail: ArgFailure, argument: string, fn: ApiFunctionArgs): void {
  if (fn.timeout !== undefined && (!Number.isInteger(fn.timeout) || fn.timeout < 1 || fn.timeout > API_INTEGRATION_TIMEOUT_SECONDS)) {
    fail(`${argument}.timeout`, fn.timeout, `is more than API Gateway waits (${API_INTEGRATION_TIMEOUT_SECONDS} s)`, `Use 1–${API_INTEGRATION_TIMEOUT_SECONDS} seconds, or hand long work to a queue.`);
  }
  assertLeastPrivilege(fail, `${argument}.permissions`, fn.permissions ?? []);
}

function checkEntry(fail: ArgFailure, argument: string, entry: string | undefined): void {
  const file = resolve(entry ?? "");
  if (!entry || !existsSync(file) || !statSync(file).isFile()) {
    fail(argument, entry, "is not a file", `Point it at the handler's source file, relative to ${process.cwd()}.`);
  }
}

/** `GET /albums/{albumId}` → `<api>-get-albums-albumid`, unless the route names itself. */
export function routeFunctionName(apiName: string, key: string, route: ApiRoute): string {
  if (route.name) return `${apiName}-${route.name}`;
  const slug = key
    .toLowerCase()
    .replace(/[{}+]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${apiName}-${slug}`;
}

// ------------------------------------------------------------------ normalise

export function normalise(name: string, args: ServerlessApiArgs): ServerlessApiSpec {
  const basePath = args.basePath ?? "";
  const defaults = args.functionDefaults ?? {};
  const cors = args.cors && {
    allowOrigins: args.cors.allowOrigins,
    allowHeaders: args.cors.allowHeaders ?? ["Authorization", "Content-Type", "X-Api-Key"],
    maxAgeSeconds: args.cors.maxAgeSeconds ?? 600,
  };
  const mergeFunction = (own: ApiFunctionArgs | undefined) => ({
    memorySize: own?.memorySize ?? defaults.memorySize,
    timeout: own?.timeout ?? defaults.timeout,
    // Lambda proxy responses carry their own headers: handlers add CORS_ALLOW_ORIGIN to theirs.
    environment: { ...(cors ? { CORS_ALLOW_ORIGIN: cors.allowOrigins[0] } : {}), ...(defaults.environment ?? {}), ...(own?.environment ?? {}) },
    permissions: [...(defaults.permissions ?? []), ...(own?.permissions ?? [])],
    logRetentionDays: defaults.logRetentionDays ?? 30,
  });
  const defaultAuth = toAuthSpec(args.defaultAuth ?? "iam");
  const routes: RouteSpec[] = Object.entries(args.routes).map(([key, route]) => {
    const [method, path] = key.split(" ") as [HttpMethod, string];
    return {
      key,
      method,
      path,
      fullPath: joinPath(basePath, path),
      integration: toIntegrationSpec(name, key, route, method),
      function: route.handler ? mergeFunction(route.function) : undefined,
      auth: route.auth !== undefined ? toAuthSpec(route.auth) : defaultAuth,
      apiKeyRequired: route.apiKeyRequired ?? false,
      requestSchema: route.requestSchema,
    };
  });
  const authorizers: AuthorizerSpec[] = Object.entries(args.authorizers ?? {}).map(([authorizerName, a]) =>
    a.type === "cognito"
      ? { name: authorizerName, type: "cognito", userPoolArns: a.userPoolArns, identitySource: a.identitySource ?? "method.request.header.Authorization" }
      : {
          name: authorizerName,
          type: a.type,
          functionName: `${name}-auth-${authorizerName}`,
          entry: resolve(a.handler),
          function: mergeFunction(a.function),
          identitySource: a.identitySource ?? "method.request.header.Authorization",
          resultTtlSeconds: a.resultTtlSeconds ?? 300,
        },
  );
  const stageArgs: Record<string, ApiStage> = { ...(args.stages ?? { prod: {} }) };
  if (args.canary) {
    const { stage, ...canary } = args.canary;
    stageArgs[stage] = { ...stageArgs[stage], canary };
  }
  const stages: StageSpec[] = Object.entries(stageArgs).map(([stageName, stage]) => ({
    name: stageName,
    variables: { ...(stage.variables ?? {}), alias: stageName },
    throttle: stage.throttle ?? args.throttle ?? { rateLimit: 100, burstLimit: 200 },
    canary: stage.canary && {
      percentTraffic: stage.canary.percentTraffic,
      alias: stage.canary.stageVariableOverrides?.alias ?? `${stageName}-canary`,
      stageVariableOverrides: { alias: `${stageName}-canary`, ...(stage.canary.stageVariableOverrides ?? {}) },
    },
  }));
  const spec: Omit<ServerlessApiSpec, "deploymentHash"> = {
    name,
    basePath,
    routes,
    authorizers,
    stages,
    endpointType: args.endpointType ?? "REGIONAL",
    vpcEndpointIds: args.vpcEndpointIds ?? [],
    resourcePolicy: args.resourcePolicy,
    cors,
    usagePlans: Object.entries(args.usagePlans ?? {}).map(([planName, plan]) => ({
      name: planName,
      quota: plan.quota,
      throttle: plan.throttle,
      apiKeys: plan.apiKeys ?? [],
      stages: plan.stages ?? stages.map((s) => s.name),
    })),
    throttle: args.throttle ?? { rateLimit: 100, burstLimit: 200 },
    logRetentionDays: args.logRetentionDays ?? 30,
    executionLogLevel: args.executionLogLevel ?? "ERROR",
    tracing: args.tracing ?? true,
    accountCloudWatchRole: args.accountCloudWatchRole ?? true,
    domain: args.domain && { name: args.domain.name, certificateArn: args.domain.certificateArn, stage: args.domain.stage ?? stages[0].name, basePath: args.domain.basePath ?? "" },
    region: args.region,
    functions: {},
  };
  return { ...spec, deploymentHash: deploymentHash(spec) };
}

function toAuthSpec(auth: ApiRouteAuth): AuthSpec {
  if (auth === "none") return { type: "none" };
  if (auth === "iam") return { type: "iam" };
  return { type: "authorizer", authorizer: auth.authorizer, scopes: auth.scopes ?? [] };
}

function toIntegrationSpec(apiName: string, key: string, route: ApiRoute, method: HttpMethod): IntegrationSpec {
  if (route.handler) return { type: "lambda", functionName: routeFunctionName(apiName, key, route), entry: resolve(route.handler), export: route.export ?? "handler" };
  const integration = route.integration!;
  switch (integration.type) {
    case "mock":
      return { type: "mock", statusCode: integration.statusCode ?? 200, body: typeof integration.body === "string" ? integration.body : JSON.stringify(integration.body) };
    case "http":
      return { type: "http", uri: integration.uri, method: integration.method ?? (method === "ANY" ? "ANY" : method), timeoutMs: integration.timeoutMs ?? 29000 };
    case "aws":
      return { type: "aws", service: integration.service, method: integration.method, path: integration.path, permissions: integration.permissions, requestParameters: integration.requestParameters ?? {} };
  }
}

export function joinPath(basePath: string, path: string): string {
  const joined = `/${[basePath, path.replace(/^\//, "")].filter(Boolean).join("/")}`;
  return joined === "/" ? "/" : joined.replace(/\/$/, "");
}

/**
 * What a deployment snapshots: routes, integrations (but not function code — versions
 * and aliases carry that), authorisation, models, CORS and the resource policy.
 * Outputs (ARNs known at deploy time) are left out; their resources change instead.
 */
function deploymentHash(spec: Omit<ServerlessApiSpec, "deploymentHash">): string {
  const plain = (value: unknown) => (typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined);
  const snapshot = {
    basePath: spec.basePath,
    endpointType: spec.endpointType,
    routes: spec.routes.map((r) => ({
      key: r.key,
      integration: r.integration.type === "aws" ? { ...r.integration, path: plain(r.integration.path), permissions: undefined } : r.integration,
      auth: r.auth,
      apiKeyRequired: r.apiKeyRequired,
      requestSchema: r.requestSchema,
    })),
    authorizers: spec.authorizers.map((a) => ({ name: a.name, type: a.type, identitySource: a.identitySource })),
    cors: spec.cors,
    resourcePolicy: spec.resourcePolicy && { ...spec.resourcePolicy, allowVpcEndpoints: spec.resourcePolicy.allowVpcEndpoints?.map(plain) },
  };
  return createHash("sha256").update(JSON.stringify(snapshot)).digest("hex");
}
