/**
 * ServerlessApi's normalised spec: plain data the rest of the component — and the local
 * API emulator (local/services/api.ts) — works from. Arguments live in args.ts, checks in validate.ts.
 */
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../iam";
import { serialisedWhenKnown } from "../outputs";
import type { LambdaFunctionSpec } from "../lambda/function";
import { mergeApiFunctionArgs } from "./api-function";
import { ApiKind, declaredStages, DEFAULT_API_DOMAIN_IP_ADDRESS_TYPE, stageCanary, authorizerFunctionName, joinPath, routeFunctionName, type ApiCors, type ApiDomainIpAddressType, type ApiFunctionArgs, type ApiResourcePolicy, type ApiRoute, type ApiRouteAuth, type ApiThrottle, type ApiUsagePlan, type HttpApiVpcLink, type HttpMethod, type RestVpcLink, type ServerlessApiArgs } from "./args";

import { JSON_PROTOCOL_CONTENT_TYPES } from "./service-actions";

export * from "./args";
export { validateArgs, API_INTEGRATION_TIMEOUT_SECONDS } from "./validate";

// ------------------------------------------------------------------ spec

export type IntegrationSpec =
  | { type: "lambda"; functionName: string; entry: string; export: string }
  /** `body` is a plain string unless the route's body held Outputs (see mockBody). */
  | { type: "mock"; statusCode: number; body: pulumi.Input<string> }
  /** `vpcLink`: a private integration in AWS; `npm start` proxies to `uri` all the same (an http route). */
  | { type: "http"; uri: string; method: string; timeoutMs: number; vpcLink?: RestVpcLink | HttpApiVpcLink }
  /**
   * Exactly one of `path` (path-style, `path/<path>`) and `action` (action-style, `action/<action>`). `method` is POST for
   * an action unless set; `requestParameters` hold the JSON protocol's Content-Type on Kinesis and DynamoDB actions
   * (service-actions.ts). Templates are empty maps when not set.
   */
  | {
      type: "aws";
      service: string;
      method: string;
      path?: pulumi.Input<string>;
      action?: string;
      permissions: PolicyStatement[];
      requestParameters: Record<string, string>;
      requestTemplates: Record<string, string>;
      responseTemplates: Record<string, string>;
      passthroughBehavior: "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";
    };

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
  | { name: string; type: "cognito"; userPoolArns: pulumi.Input<string>[]; identitySource: string; /** App client ids (the HTTP kind's JWT audience); empty on REST. */ audience: pulumi.Input<string>[]; /** The HTTP kind's JWT issuer when given; else derived from userPoolArns[0]. */ issuer?: pulumi.Input<string> }
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
  kind: ApiKind;
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
  domain?: { name: string; certificateArn: pulumi.Input<string>; stage: string; basePath: string; ipAddressType: ApiDomainIpAddressType };
  region?: string;
  /** Specs of the route and authorizer functions by resource name, filled in once they exist (the local runtime runs them). */
  functions: Record<string, LambdaFunctionSpec>;
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
  const mergeFunction = (own: ApiFunctionArgs | undefined) => {
    const merged = mergeApiFunctionArgs(defaults, own);
    return {
      ...merged,
      // Lambda proxy responses carry their own headers: handlers add CORS_ALLOW_ORIGIN to theirs.
      environment: { ...(cors ? { CORS_ALLOW_ORIGIN: cors.allowOrigins[0] } : {}), ...merged.environment },
      logRetentionDays: defaults.logRetentionDays ?? 30,
    };
  };
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
      ? { name: authorizerName, type: "cognito", userPoolArns: a.userPoolArns, identitySource: a.identitySource ?? "method.request.header.Authorization", audience: a.audience ?? [], ...(a.issuer !== undefined ? { issuer: a.issuer } : {}) }
      : {
          name: authorizerName,
          type: a.type,
          functionName: authorizerFunctionName(name, authorizerName),
          entry: resolve(a.handler),
          // Outside any VPC: it fetches the issuer's JWKS from the internet (RealtimeApi's authorizer alike).
          function: { ...mergeFunction(a.function), vpc: undefined },
          identitySource: a.identitySource ?? "method.request.header.Authorization",
          resultTtlSeconds: a.resultTtlSeconds ?? 300,
        },
  );
  const stages: StageSpec[] = Object.entries(declaredStages(args.stages)).map(([stageName, stage]) => {
    const canary = stageCanary(args, stageName);
    return {
      name: stageName,
      variables: { ...(stage.variables ?? {}), alias: stageName },
      throttle: stage.throttle ?? args.throttle ?? { rateLimit: 100, burstLimit: 200 },
      canary: canary && {
        percentTraffic: canary.canary.percentTraffic,
        alias: canary.alias,
        stageVariableOverrides: { ...(canary.canary.stageVariableOverrides ?? {}), alias: canary.alias },
      },
    };
  });
  return {
    name,
    kind: args.kind ?? ApiKind.Rest,
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
    accountCloudWatchRole: args.accountCloudWatchRole ?? false,
    domain: args.domain && {
      name: args.domain.name,
      certificateArn: args.domain.certificateArn,
      stage: args.domain.stage ?? stages[0].name,
      basePath: args.domain.basePath ?? "",
      ipAddressType: args.domain.ipAddressType ?? DEFAULT_API_DOMAIN_IP_ADDRESS_TYPE,
    },
    region: args.region,
    functions: {},
  };
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
      return { type: "mock", statusCode: integration.statusCode ?? 200, body: mockBody(integration.body) };
    case "http":
      return {
        type: "http",
        uri: integration.uri,
        method: integration.method ?? (method === "ANY" ? "ANY" : method),
        timeoutMs: integration.timeoutMs ?? 29000,
        ...(integration.vpcLink ? { vpcLink: integration.vpcLink } : {}),
      };
    case "aws":
      return awsServiceIntegrationSpec(integration);
  }
}

/**
 * An AWS-service route as deployed: an action is called with POST unless the route says otherwise (JSON-protocol services
 * take nothing else), and with the protocol's Content-Type on Kinesis and DynamoDB unless the route maps one itself
 * (header names are case-insensitive, so any spelling of Content-Type counts).
 */
function awsServiceIntegrationSpec(integration: Extract<NonNullable<ApiRoute["integration"]>, { type: "aws" }>): IntegrationSpec {
  const requestParameters = { ...(integration.requestParameters ?? {}) };
  const contentType = integration.action !== undefined ? JSON_PROTOCOL_CONTENT_TYPES[integration.service] : undefined;
  const mapsContentType = Object.keys(requestParameters).some((target) => target.toLowerCase() === "integration.request.header.content-type");
  if (contentType && !mapsContentType) requestParameters["integration.request.header.Content-Type"] = `'${contentType}'`;
  return {
    type: "aws",
    service: integration.service,
    method: integration.method ?? "POST",
    ...(integration.path !== undefined ? { path: integration.path } : {}),
    ...(integration.action !== undefined ? { action: integration.action } : {}),
    permissions: integration.permissions,
    requestParameters,
    requestTemplates: integration.requestTemplates ?? {},
    responseTemplates: integration.responseTemplates ?? {},
    // With templates, a request of another content type is refused with 415 instead of reaching the service as the
    // client wrote it (a body naming another table or stream) unless the route asks otherwise.
    passthroughBehavior: integration.passthroughBehavior ?? (Object.keys(integration.requestTemplates ?? {}).length > 0 ? "WHEN_NO_TEMPLATES" : "WHEN_NO_MATCH"),
  };
}

/**
 * A mock body as the integration response's JSON: a plain string when the body is plain
 * data, otherwise an Output that resolves every `pulumi.Input` inside it first.
 */
export function mockBody(body: unknown): pulumi.Input<string> {
  return serialisedWhenKnown(body, (value) => (typeof value === "string" ? value : JSON.stringify(value)));
}
