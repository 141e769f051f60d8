/**
 * A local stand-in for one stage of a ServerlessApi's REST API, built from its
 * registered spec: it matches the request to a route as API Gateway does (literal
 * segments before parameters, then ANY), answers CORS preflights, checks API keys,
 * runs the route's authorizer (Cognito: the token verified against the local issuer
 * with handlers/shared/jwt.ts; Lambda: the authorizer function in its local sandbox;
 * IAM: a SigV4 header must be present — signatures are not checked locally), builds
 * the REST proxy event (path, query, headers, body, stage variables, authorizer
 * context) and runs the route's bundled handler with its timeout enforced. An AWS-service route calls the local
 * emulator of its service (S3, SQS, SNS, Kinesis, DynamoDB, EventBridge, Step Functions) as its integration role, its
 * mapping templates rendered as API Gateway renders them (local/aws-service-integration.ts, local/vtl.ts); a service
 * without a local emulator answers 501.
 */
import { randomUUID } from "node:crypto";
import { BlockList, isIPv4 } from "node:net";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { AuthorizerSpec, RouteSpec, ServerlessApiSpec, StageSpec } from "../components/serverless-api/spec";
import { corsHeaderValues } from "../components/serverless-api/routes";
import { API_INTEGRATION_TIMEOUT_SECONDS } from "../components/serverless-api/validate";
import { ApiKind, functionIntegrationTimeoutMs, substituteUriStageVariables } from "../components/serverless-api/args";
import { fromHttpApiResult, givenButNotAnObject, httpApiClaims, toHttpApiEvent } from "./http-api-event";
import { bearerToken, createTokenVerifier, type CognitoClaims } from "../handlers/shared/jwt";
import { REST_TOKEN_IDENTITY_SOURCE, httpIdentitySource, type IdentitySourcePart, httpIdentitySourcePart, restIdentitySourceList, restIdentitySourcePart } from "../components/serverless-api/identity-source";
import { LAMBDA_REFUSAL_STATUS, LambdaInvokeError } from "./lambda-runtime";
import { resolveValue } from "./offline/program";
import { awsServiceNotEmulated, integrationRoleAuthorise, invokeAwsServiceIntegration, type AwsServiceIntegrationSpec, type IntegrationAuthorise } from "./aws-service-integration";
import type { LocalContext } from "./services/types";
import { requestModelProblem } from "./request-model";
import { FRAMING_HEADERS, hasBody, MAX_PAYLOAD_BYTES, readBody, unsendable } from "./http";
import { resourceMatches, type ResourceReading } from "../components/iam-match";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";

/**
 * API Gateway's limit on a request's head, per kind, neither of which can be raised:
 * - REST: "Total combined size of all header values, including header names, values, any line terminators, and
 *   whitespaces: 10240 Bytes" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html);
 * - HTTP: "Total combined size of request line and header values: 10240 bytes"
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
 * Each is counted as its page words it (requestHeadBytes). Locally the limit applies to the request as the gateway gets
 * it, whether straight on its own port or through the front door (which adds no headers; CloudFront adds a few).
 */
export const MAX_REQUEST_HEAD_BYTES = 10240;

/** The bytes API Gateway counts against MAX_REQUEST_HEAD_BYTES for a request to an API of this kind. */
export function requestHeadBytes(kind: ApiKind, request: IncomingMessage): number {
  // rawHeaders are the bytes as sent, one character each (latin1), as is the request target.
  let bytes = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    bytes += kind === ApiKind.Http ? request.rawHeaders[i + 1].length : request.rawHeaders[i].length + 2 + request.rawHeaders[i + 1].length + 2;
  }
  return kind === ApiKind.Http ? bytes + `${request.method} ${request.url} HTTP/${request.httpVersion}`.length : bytes;
}
const LOCAL_API_ID = "local";
/** How long API Gateway waits for an AWS-service integration: the default, as ServerlessApi sets none (see integrate). */
const AWS_INTEGRATION_TIMEOUT_MS = API_INTEGRATION_TIMEOUT_SECONDS * 1000;
/** Lambda refusing the invocation (an event over the payload limit, a throttle), which API Gateway answers 500. */
const LAMBDA_REFUSALS: ReadonlySet<string> = new Set(Object.keys(LAMBDA_REFUSAL_STATUS));
const NO_BODY = Buffer.alloc(0);

interface CompiledRoute {
  route: RouteSpec;
  pattern: RegExp;
  parameterNames: string[];
  literalSegments: number;
}

interface HttpResult {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
  /** Answered by API Gateway itself (json()), not by the integration: what CORS treats differently (withCors). */
  gateway?: boolean;
}

type AuthorizerContext = Record<string, unknown> | null;

/** A token a Cognito authorizer verified, until when it stays accepted, and the claims it hands the function. */
interface VerifiedToken {
  expires: number;
  claims: CognitoClaims;
  context: { claims: Record<string, string> };
}

export interface LocalGatewayOptions {
  spec: ServerlessApiSpec;
  stage: StageSpec;
  context: LocalContext;
  /** The local issuer URL for a user pool id (from the local Cognito service). */
  issuerFor(userPoolId: string): string | undefined;
  /** Rewrites a mock integration's (resolved) body for the local stack, e.g. to point a browser at local emulators. */
  localiseMockBody?(body: string): string;
  /**
   * The API's execution ARN as the program recorded it (`arn:aws:execute-api:<region>:<account>:<api id>`, the
   * ServerlessApi's `executionArn`): its region, account and id are the ones authorizers' `methodArn`, the events'
   * `requestContext.accountId` and `apiId`, and resource-policy denials name, as in AWS.
   * @default `arn:aws:execute-api:<the stack's region>:<the mocks' account>:local`, for an API outside a program run
   */
  executionArn?: string;
}

export function compileRoutes(routes: RouteSpec[]): CompiledRoute[] {
  return routes
    .map((route) => {
      const parameterNames: string[] = [];
      const source = route.fullPath
        .split("/")
        .map((segment) => {
          const parameter = /^\{([^}+]+)(\+?)\}$/.exec(segment);
          if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          parameterNames.push(parameter[1]);
          return parameter[2] ? "(.+)" : "([^/]+)";
        })
        .join("/");
      return { route, pattern: new RegExp(`^${source || "/"}/?$`), parameterNames, literalSegments: route.fullPath.split("/").filter((s) => s && !s.startsWith("{")).length };
    })
    .sort((a, b) => b.literalSegments - a.literalSegments || b.route.fullPath.split("/").length - a.route.fullPath.split("/").length);
}

/** The route API Gateway would pick for `method path`, with its path parameters. */
export function matchRoute(
  compiled: CompiledRoute[],
  method: string,
  path: string,
): { route: RouteSpec; pathParameters: Record<string, string> } | { pathMatched: boolean; malformed?: boolean } {
  let pathMatched = false;
  for (const candidate of compiled) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    const sameResource = compiled.filter((c) => c.route.fullPath === candidate.route.fullPath);
    const chosen = sameResource.find((c) => c.route.method === method) ?? sameResource.find((c) => c.route.method === "ANY");
    if (!chosen) continue;
    const values = chosen.parameterNames.map((name, i) => [name, decodePathParameter(match[i + 1])] as const);
    if (values.some(([, value]) => value === undefined)) return { pathMatched, malformed: true };
    return { route: chosen.route, pathParameters: Object.fromEntries(values) as Record<string, string> };
  }
  return { pathMatched };
}

/** `%zz` or a lone `%` is not a path parameter API Gateway can hand a function: the caller gets a 400, not our URIError. */
function decodePathParameter(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** API Gateway's default authorizer result TTL (authorizerResultTtlInSeconds), which Cognito authorizers here keep. */
const COGNITO_RESULT_TTL_SECONDS = 300;
/** Verified tokens kept at most (oldest out first): memory stays bounded however many users sign in. */
const VERIFIED_TOKENS_MAX = 10_000;

export function createLocalGateway(options: LocalGatewayOptions): RequestListener {
  const { spec, stage, context } = options;
  const executionArn = options.executionArn ?? `arn:aws:execute-api:${context.run.config.region}:${MOCK_ACCOUNT_ID}:${LOCAL_API_ID}`;
  const [, , , apiRegion, accountId, apiId] = executionArn.split(":");
  const compiled = compileRoutes(spec.routes);
  // Each AWS-service route's integration role, read from the recorded plan at the route's first call (asked within the
  // call, so a failure is the integration's 500, as any other).
  const integrationRoles = new Map<string, Promise<IntegrationAuthorise>>();
  const integrationRole = (route: RouteSpec, integration: AwsServiceIntegrationSpec) => {
    let authorise = integrationRoles.get(route.key);
    if (!authorise) integrationRoles.set(route.key, (authorise = integrationRoleAuthorise({ graph: context.run.resources, stackRegion: context.run.config.region }, spec.name, route, integration, accountId)));
    return authorise;
  };
  // The resource policy's IP ranges, compiled once (the HTTP kind has no resource policy: validate.ts refuses one).
  const sourceIps = spec.kind === ApiKind.Http ? {} : { allowed: ipRanges(spec.resourcePolicy?.allowSourceIps), denied: ipRanges(spec.resourcePolicy?.denySourceIps) };
  const allowedOrigin = originMatcher(spec.cors?.allowOrigins ?? []);
  const verifiers = new Map<string, ReturnType<typeof createTokenVerifier>>();
  const authorizerCache = new Map<string, { expires: number; context: AuthorizerContext; policy: "allow" | "deny" | "none" }>();
  // Tokens a Cognito authorizer verified: signature checks were most of an authenticated request's cost.
  // With the claims as the authorizer hands them on (strings), built once per token.
  const verifiedTokens = new Map<string, VerifiedToken>();
  // REST's Cognito authorizer hands Lambda proxies the claims as strings, lists comma-joined; the HTTP kind's JWT
  // authorizer formats them its own way (httpApiClaims). The kind is fixed for the gateway's life.
  const handedOnClaims = spec.kind === ApiKind.Http ? httpApiClaims : (claims: CognitoClaims) => Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]));
  // A Cognito authorizer's pools are fixed for the life of the stack: resolve their ids once.
  const poolIdsOf = new Map<string, Promise<string[]>>();
  const poolIds = (authorizer: Extract<AuthorizerSpec, { type: "cognito" }>) => {
    let ids = poolIdsOf.get(authorizer.name);
    if (!ids) {
      ids = Promise.all(authorizer.userPoolArns.map((arn) => resolveValue<string>(arn))).then((arns) => arns.map((arn) => String(arn).split("/").pop()!));
      poolIdsOf.set(authorizer.name, ids);
    }
    return ids;
  };

  /**
   * The claims of a token a Cognito authorizer accepts for `use`: REST's, the id token or (a method with scopes) the
   * access token; the HTTP kind's JWT authorizer, either ("any"). `context` is what the authorizer hands the function.
   */
  async function cognitoClaims(authorizer: Extract<AuthorizerSpec, { type: "cognito" }>, token: string, use: "id" | "access" | "any"): Promise<VerifiedToken | undefined> {
    // A token verified for this authorizer and use within its TTL: none of the checks below can answer
    // otherwise (the issuers and the verifier are fixed for the life of the stack), so look it up first.
    const cacheKey = `${authorizer.name}|${use}|${token}`;
    const cached = verifiedTokens.get(cacheKey);
    if (cached && cached.expires > Date.now()) return cached;
    const payload = decodePayload(token);
    if (!payload) return undefined;
    const issuers = (await poolIds(authorizer)).map((id) => options.issuerFor(id)).filter((i): i is string => Boolean(i));
    if (!issuers.includes(String(payload.iss))) return undefined;
    // Like API Gateway's Cognito authorizer: any app client of the pool; without scopes on the method
    // only an id token, with scopes only an access token carrying one of them (AWS: "Integrate a REST
    // API with an Amazon Cognito user pool" — the token is treated as an identity token unless OAuth
    // scopes are set on the method).
    const tokenUse = payload.token_use === "access" ? "access" : "id";
    if (use !== "any" && tokenUse !== use) return undefined;
    const clientId = String(tokenUse === "id" ? payload.aud : payload.client_id);
    const key = `${payload.iss}|${clientId}|${tokenUse}`;
    let verifier = verifiers.get(key);
    if (!verifier) {
      // handlers/shared/jwt.ts fetches a loopback http JWKS (the local issuer) itself.
      verifier = createTokenVerifier({ issuer: String(payload.iss), clientId, tokenUse });
      verifiers.set(key, verifier);
    }
    let claims: CognitoClaims;
    try {
      claims = await verifier.verify(token);
    } catch {
      return undefined;
    }
    // API Gateway caches a Cognito authorizer's result for the authorizer's TTL (300 s unless
    // set: the authorizer's authorizerResultTtlInSeconds, which ServerlessApi leaves at its
    // default), keyed by the token. A cached token is never used past its own `exp`.
    // https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html
    const expires = Math.min(Date.now() + COGNITO_RESULT_TTL_SECONDS * 1000, typeof claims.exp === "number" ? claims.exp * 1000 : 0);
    const verified = { expires, claims, context: { claims: handedOnClaims(claims) } };
    if (expires > Date.now()) {
      if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.delete(verifiedTokens.keys().next().value!);
      verifiedTokens.set(cacheKey, verified);
    }
    return verified;
  }

  async function lambdaAuthorizer(authorizer: Extract<AuthorizerSpec, { type: "token" | "request" }>, request: IncomingMessage, event: APIGatewayProxyEvent, methodArn: string): Promise<HttpResult | AuthorizerContext> {
    const identity = identityValues(authorizer, spec.kind, request, event);
    if (!identity) return unauthorized();
    // "For an authorization-enabled method ARN … the maximum length is 1600 bytes. The path parameter values … can cause
    // the ARN length to exceed the limit. When this happens, the API client will receive a 414 Request URI too long
    // response." https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
    if (Buffer.byteLength(methodArn) > METHOD_ARN_MAX_BYTES) return json(414, { message: "Request URI too long" });
    const cacheKey = `${authorizer.name}|${identity.join("\n")}`;
    const cached = authorizerCache.get(cacheKey);
    let decision = cached && cached.expires > Date.now() ? cached : undefined;
    if (!decision) {
      const fn = spec.functions[authorizer.functionName];
      const authEvent =
        authorizer.type === "token"
          ? { type: "TOKEN", authorizationToken: identity[0], methodArn }
          : { type: "REQUEST", methodArn, resource: event.resource, path: event.path, httpMethod: event.httpMethod, headers: event.headers, multiValueHeaders: event.multiValueHeaders, queryStringParameters: event.queryStringParameters, multiValueQueryStringParameters: event.multiValueQueryStringParameters, pathParameters: event.pathParameters, stageVariables: event.stageVariables, requestContext: event.requestContext };
      let output: AuthorizerOutput | { problem: string };
      try {
        output = authorizerOutput(await context.lambda(fn).invoke(authEvent));
      } catch (error) {
        if (error instanceof LambdaInvokeError && error.message.endsWith(": Unauthorized")) return unauthorized();
        output = { problem: (error as Error).message };
      }
      if ("problem" in output) {
        context.log(`  authorizer ${authorizer.name} failed: ${output.problem}`);
        return json(500, { message: null }, { "x-amzn-errortype": "AuthorizerConfigurationException" });
      }
      decision = {
        expires: Date.now() + authorizer.resultTtlSeconds * 1000,
        context: { ...output.context, principalId: output.principalId },
        policy: policyDecision(output.statements, methodArn),
      };
      if (authorizer.resultTtlSeconds > 0) authorizerCache.set(cacheKey, decision);
    }
    // API Gateway's AUTHORIZER_FAILURE message names an explicit Deny only when there is one; an Allow that does not
    // cover the method ARN (or no statement at all) is plain "not authorized".
    if (decision.policy !== "allow") return json(403, { Message: `User is not authorized to access this resource${decision.policy === "deny" ? " with an explicit deny" : ""}` }, { "x-amzn-errortype": "AccessDeniedException" });
    return decision.context;
  }

  // A JWT authorizer's audience (app client ids) is fixed for the life of the stack: resolve it once.
  const audienceOf = new Map<string, Promise<string[]>>();
  const audience = (authorizer: Extract<AuthorizerSpec, { type: "cognito" }>) => {
    let ids = audienceOf.get(authorizer.name);
    if (!ids) {
      ids = Promise.all(authorizer.audience.map((id) => resolveValue<string>(id))).then((values) => values.map(String));
      audienceOf.set(authorizer.name, ids);
    }
    return ids;
  };

  /**
   * The HTTP kind's native JWT authorizer, in AWS's order (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
   * signature, `iss`, `exp`; then "aud or client_id — Must match one of the audience entries that's configured for
   * the authorizer"; then "scope or scp — The token must include at least one of the scopes in the route's
   * authorizationScopes". Nothing ties it to one kind of token: an id token (`aud`) or an access token (`client_id`)
   * of a client in the audience passes a route without scopes. "API Gateway validates client_id only if aud is not
   * present" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html).
   */
  async function jwtAuthorizer(authorizer: Extract<AuthorizerSpec, { type: "cognito" }>, scopes: string[], request: IncomingMessage, event: APIGatewayProxyEvent): Promise<HttpResult | AuthorizerContext> {
    const requestId = event.requestContext.requestId;
    const token = bearerToken(identityValues(authorizer, spec.kind, request, event)?.[0]);
    if (!token) return jwtRefusal(401, requestId);
    // cognitoClaims checks the signature, issuer and expiry with the client the token names; the audience is checked next.
    const verified = await cognitoClaims(authorizer, token, "any");
    if (!verified) return jwtRefusal(401, requestId, { scopes, error: "invalid_token", description: "the token is not valid" });
    const presented = verified.claims.aud ?? verified.claims.client_id;
    const allowed = await audience(authorizer);
    if (!(Array.isArray(presented) ? presented : [presented]).some((id) => allowed.includes(String(id)))) {
      // The troubleshooting page's example answer, word for word.
      return jwtRefusal(401, requestId, { scopes: [], error: "invalid_token", description: "the token does not have a valid audience" });
    }
    if (scopes.length > 0) {
      const granted = verified.claims.scope ?? (verified.claims as Record<string, unknown>).scp;
      const held = Array.isArray(granted) ? granted.map(String) : String(granted ?? "").split(" ");
      if (!scopes.some((s) => held.includes(s))) return jwtRefusal(403, requestId, { scopes, error: "insufficient_scope", description: `expected scopes: [${scopes.join(" ")}]` });
    }
    return verified.context;
  }

  async function authorise(route: RouteSpec, request: IncomingMessage, event: APIGatewayProxyEvent): Promise<HttpResult | AuthorizerContext> {
    const auth = route.auth;
    if (auth.type === "none") return null;
    if (auth.type === "iam") {
      // SigV4 signatures cannot be checked without AWS credentials; require one to be present.
      return /^AWS4-HMAC-SHA256 /.test(headerOf(request, "authorization") ?? "") ? { principalId: "iam-caller" } : json(403, { message: "Missing Authentication Token" }, { "x-amzn-errortype": "MissingAuthenticationTokenException" });
    }
    const authorizer = spec.authorizers.find((a) => a.name === auth.authorizer)!;
    const methodArn = `${executionArn}/${stage.name}/${route.method === "ANY" ? event.httpMethod : route.method}${event.path}`;
    if (authorizer.type !== "cognito") return lambdaAuthorizer(authorizer, request, event, methodArn);
    if (spec.kind === ApiKind.Http) return jwtAuthorizer(authorizer, auth.scopes, request, event);
    const token = bearerToken(identityValues(authorizer, spec.kind, request, event)?.[0]);
    if (!token) return unauthorized();
    const verified = await cognitoClaims(authorizer, token, auth.scopes.length > 0 ? "access" : "id");
    if (!verified) return unauthorized();
    if (auth.scopes.length > 0 && !auth.scopes.some((s) => String(verified.claims.scope ?? "").split(" ").includes(s))) return unauthorized();
    return verified.context;
  }

  /**
   * `lambdaEvent`: what a Lambda proxy gets (the HTTP kind's payload 2.0), `event` otherwise; `client`: what an HTTP
   * proxy passes on as the client sent it.
   */
  async function integrate(route: RouteSpec, event: APIGatewayProxyEvent, client: ClientRequest, lambdaEvent: unknown = event): Promise<HttpResult> {
    const integration = route.integration;
    switch (integration.type) {
      case "mock": {
        const body = await resolveValue<string>(integration.body);
        return { status: integration.statusCode, headers: { "content-type": "application/json" }, body: options.localiseMockBody ? options.localiseMockBody(body) : body };
      }
      case "http":
        return httpProxy(route, integration, event, client);
      case "aws": {
        const notEmulated = awsServiceNotEmulated(integration);
        if (notEmulated) return json(501, { message: notEmulated });
        // API Gateway waits 29 s for an AWS-service integration as for any other ("Integration timeout: 50 milliseconds
        // - 29 seconds for all integration types, including ... AWS integrations",
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html),
        // 29,000 ms when the integration sets none (timeoutInMillis, https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html),
        // as the component deploys it (routes.ts); then it answers its timeout (integrationTimedOut), and the call is
        // abandoned. A client that disconnects first abandons it too (throwing ClientGone), as an HTTP proxy's request.
        const abandon = integrationAbandonment(AWS_INTEGRATION_TIMEOUT_MS, client.gone);
        try {
          return await invokeAwsServiceIntegration({ route, integration, event, body: client.body, region: spec.region ?? context.run.config.region, account: accountId, environment: context.environment, authorise: (action, resource) => integrationRole(route, integration).then((authorise) => authorise(action, resource)), log: context.log, signal: abandon.signal });
        } catch (error) {
          if (error instanceof ClientGone) context.log(`  ${route.key}: the client disconnected; abandoned the call to ${integration.service}`);
          if (!(error instanceof IntegrationTimeout)) throw error;
          context.log(`  ${route.key}: ${error.message}, waiting for ${integration.service}`);
          return integrationTimedOut();
        } finally {
          abandon.end();
        }
      }
      case "lambda": {
        const fn = spec.functions[integration.functionName];
        // The deployed integration waits functionIntegrationTimeoutMs. So the function's own timeout ends first — a
        // function error, 502 — unless the 29 s cap leaves it no extra second: then API Gateway gives up first
        // (integrationTimedOut: REST's 504, the HTTP kind's 503).
        const integrationTimeoutMs = functionIntegrationTimeoutMs(fn.timeout);
        const gatewayGivesUpFirst = integrationTimeoutMs <= fn.timeout * 1000;
        let result: unknown;
        try {
          const invocation = context.lambda(fn).invoke(lambdaEvent);
          result = await (gatewayGivesUpFirst ? withinIntegrationTimeout(invocation, integrationTimeoutMs) : invocation);
        } catch (error) {
          context.log(`  ${route.key}: ${(error as Error).message}`);
          const errorType = error instanceof LambdaInvokeError ? error.errorType : undefined;
          if (error instanceof IntegrationTimeout || (gatewayGivesUpFirst && errorType === "Sandbox.Timedout")) return integrationTimedOut();
          // "If the Lambda API rejects the invocation request, API Gateway returns a 500 error code. If the function
          // runs but returns an error, or returns a response in the wrong format, API Gateway returns a 502."
          // (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html)
          return internalError(errorType !== undefined && LAMBDA_REFUSALS.has(errorType) ? 500 : 502);
        }
        const answer = spec.kind === ApiKind.Http ? fromHttpApiResult(result) : proxyResult(result);
        const problem = "problem" in answer ? answer.problem : unsendable(answer.status, answer.headers);
        if (!problem) return answer as HttpResult;
        context.log(`  ${route.key}: malformed Lambda proxy response: ${problem}`);
        return internalError(502);
      }
    }
  }

  /**
   * API Gateway's answer when Lambda refuses the invocation (500: LAMBDA_REFUSALS) or the function fails (502): REST's body, or the
   * HTTP kind's, which answers every such error 500 `{"message":"Internal Server Error"}`
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html).
   */
  function internalError(restStatus: 500 | 502): HttpResult {
    return spec.kind === ApiKind.Http ? json(500, { message: "Internal Server Error" }) : json(restStatus, { message: "Internal server error" });
  }

  /**
   * An HTTP route's HTTP_PROXY integration: the client's method (for ANY), headers, query string and bytes go to the
   * backend, and its status, headers and body come back as they are ("With a proxy integration, API Gateway passes the
   * backend response through to the method response automatically",
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-response.html), a
   * redirect included. API Gateway waits `integration.timeoutMs`, the value the component deploys
   * (`timeoutInMillis` / `timeoutMilliseconds`, spec.ts's 29,000 when not given), for the whole answer; then it gives
   * the request up (integrationTimedOut) and so does the local gateway, aborting the backend request. A client that
   * disconnects first aborts it too (throwing ClientGone): with REST's timeouts of up to 300,000 ms, a closed tab would
   * otherwise hold the backend request open for minutes.
   */
  async function httpProxy(route: RouteSpec, integration: Extract<RouteSpec["integration"], { type: "http" }>, event: APIGatewayProxyEvent, client: ClientRequest): Promise<HttpResult> {
    const { search } = client;
    // Stage variables first (the request's stage's, a canary's overrides included: event.stageVariables): their `${…}`
    // holds braces the path parameters' `{name}` would otherwise match.
    const path = substituteUriStageVariables(integration.uri, event.stageVariables).replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(event.pathParameters?.[name] ?? ""));
    const uri = search ? `${path}${path.includes("?") ? "&" : "?"}${search.slice(1)}` : path;
    const method = integration.method === "ANY" ? event.httpMethod : integration.method;
    const headers = new Headers();
    for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
      if (PROXY_DROPPED_REQUEST_HEADERS.has(name.toLowerCase())) continue;
      for (const value of values ?? []) headers.append(name, value);
    }
    // The client's bytes as read, not rebuilt from the event, whose textual body is decoded as UTF-8: "API Gateway
    // passes the entire request and response between the frontend and the backend"
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html; REST:
    // "simply passes the entire request and response", api-gateway-set-up-simple-proxy.html).
    const body = client.body.length === 0 || method === "GET" || method === "HEAD" ? undefined : client.body;
    const abandon = integrationAbandonment(integration.timeoutMs, client.gone);
    try {
      const response = await fetch(uri, { method, headers, body, redirect: "manual", signal: abandon.signal });
      const answer = Buffer.from(await response.arrayBuffer());
      const passed: Record<string, string | string[]> = {};
      for (const [name, value] of response.headers) {
        // fetch has already decoded a compressed body: the client gets it as identity, not labelled gzip.
        if (name === "set-cookie" || name === "content-encoding" || FRAMING_HEADERS.has(name)) continue;
        passed[name] = value;
      }
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) passed["set-cookie"] = cookies;
      return { status: response.status, headers: passed, body: answer };
    } catch (error) {
      if (abandon.signal.reason instanceof ClientGone) {
        context.log(`  ${route.key}: the client disconnected; abandoned the request to ${integration.uri}`);
        throw abandon.signal.reason;
      }
      if (abandon.signal.aborted && abandon.signal.reason instanceof IntegrationTimeout) {
        context.log(`  ${route.key}: ${abandon.signal.reason.message}, waiting for ${integration.uri}`);
        return integrationTimedOut();
      }
      // Connection refused, a name that does not resolve, a reset: API Gateway's 500 (API_CONFIGURATION_ERROR, as
      // LocalStack answers an HTTP_PROXY whose backend refuses the connection: localstack-core/localstack/services/
      // apigateway/next_gen/execute_api/integrations/http.py, `except requests.exceptions.ConnectionError: raise
      // ApiConfigurationError("Internal server error")`); the HTTP kind's own 500 body. Neither is in AWS's pages.
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      context.log(`  ${route.key}: could not reach ${integration.uri}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      return internalError(500);
    } finally {
      abandon.end();
    }
  }

  /**
   * API Gateway stopped waiting for the integration. REST: the INTEGRATION_TIMEOUT gateway response, 504 "Endpoint
   * request timed out" (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
   * HTTP kind: 503 `{"message":"Service Unavailable"}`, as deployed HTTP APIs were seen to answer (an HTTP_PROXY route,
   * cortexlabs/cortex#1225: "HTTP/2 503 ... apigw-requestid ... {"message":"Service Unavailable"}"; a Lambda route,
   * serverless/serverless#11222: "the API Gateway sent back a 503"); AWS's pages do not give the body.
   */
  function integrationTimedOut(): HttpResult {
    return spec.kind === ApiKind.Http ? json(503, { message: "Service Unavailable" }) : json(504, { message: "Endpoint request timed out" });
  }

  /**
   * Every request is answered through here: whatever goes wrong is logged and answered, and `npm start` carries on. A
   * client that has disconnected gets nothing: its connection is closed, so nothing is written to it.
   */
  return (request: IncomingMessage, response: ServerResponse) => {
    // The response's "close" before it finished is the client going away. Not the request's "close": Node emits that
    // once the request body has been read, however long the client then waits.
    const gone = new AbortController();
    response.once("close", () => {
      if (!response.writableFinished) gone.abort(new ClientGone());
    });
    // One id per request: the function's event has it (requestContext.requestId) and every answer carries it.
    const requestId = randomUUID();
    handle(request, gone.signal, requestId)
      .catch((error: unknown) => {
        if (error instanceof ClientGone) return undefined;
        context.log(`  local API error: ${(error as Error).stack ?? error}`);
        return internalError(500);
      })
      .then((result) => {
        if (result && !gone.signal.aborted) send(response, request, withRequestId(result, requestId));
      })
      .catch((error: unknown) => fail(response, request, error));
  };

  /** Writing the answer threw (results are checked before, so this is a bug): answer 500 if nothing was sent yet. */
  function fail(response: ServerResponse, request: IncomingMessage, error: unknown): void {
    context.log(`  local API could not answer ${request.method} ${String(request.url).slice(0, 200)}: ${(error as Error).stack ?? error}`);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    try {
      for (const name of response.getHeaderNames()) response.removeHeader(name);
      send(response, request, internalError(500));
    } catch {
      response.destroy();
    }
  }

  async function handle(request: IncomingMessage, gone: AbortSignal, requestId: string): Promise<HttpResult> {
    return withCors(request, await answer(request, gone, requestId));
  }

  /**
   * The request id on every answer, the gateway's own errors included, under the header each kind sends. REST:
   * `x-amzn-requestid`, seen on a REST API's MissingAuthenticationTokenException answer ("x-amzn-requestid:
   * 68c4fad4-…", "x-amzn-errortype: MissingAuthenticationTokenException": awsdocs/amazon-api-gateway-developer-guide#71).
   * HTTP kind: `apigw-requestid`, on AWS's JWT 401 example (http-api-troubleshooting-jwt.html) and a deployed HTTP
   * API's 503 (cortexlabs/cortex#1225). The gateway's value replaces one a function set under the same name.
   */
  function withRequestId(result: HttpResult, requestId: string): HttpResult {
    return { ...result, headers: { ...result.headers, [spec.kind === ApiKind.Http ? "apigw-requestid" : "x-amzn-requestid"]: requestId } };
  }

  /**
   * CORS headers as API Gateway adds them with `cors` set.
   * REST: the component's DEFAULT_4XX and DEFAULT_5XX gateway responses add `Access-Control-Allow-Origin:
   * allowOrigins[0]` to every 4xx/5xx the gateway answers itself (components/serverless-api/routes.ts,
   * createGatewayResponses); a function's own answer keeps the headers it set.
   * HTTP kind: "For a CORS request, API Gateway adds the configured CORS headers to the response from an
   * integration" and "If you configure CORS for an API, API Gateway ignores CORS headers returned from your backend
   * integration" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html); "To return CORS
   * headers, your request must contain an origin header" (same page). The gateway's own answers are left alone: the
   * page says nothing of them.
   */
  function withCors(request: IncomingMessage, result: HttpResult): HttpResult {
    if (!spec.cors) return result;
    if (spec.kind !== ApiKind.Http) {
      return result.gateway && result.status >= 400 ? { ...result, headers: { ...result.headers, "Access-Control-Allow-Origin": spec.cors.allowOrigins[0] } } : result;
    }
    if (result.gateway) return result;
    const headers = Object.fromEntries(Object.entries(result.headers).filter(([name]) => !name.toLowerCase().startsWith("access-control-")));
    const origin = allowedOrigin(headerOf(request, "origin"));
    return { ...result, headers: origin ? { ...headers, "access-control-allow-origin": origin } : headers };
  }

  /**
   * The resource policy's source IP conditions (components/serverless-api/policy.ts): its explicit Deny for a caller
   * outside `allowSourceIps` (NotIpAddress) or inside `denySourceIps` (IpAddress), on every method, preflights included,
   * before any authorizer ("API Gateway first evaluates the policy and checks for any explicit denials. If found, the
   * caller is denied access immediately", https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html).
   * The answer is AWS's for a resource-policy denial, {"Message":"User: anonymous is not authorized to perform:
   * execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********…"} (masked account, then the API, stage,
   * method and path; apigateway-resource-policies-create-attach.html), the account masked but its last four digits, as
   * deployed APIs answer (serverless/serverless#5071: "on resource: arn:aws:execute-api:us-east-1:********5212:…"); " with an explicit deny", as IAM words a denial by a Deny statement, is not shown on AWS's page. The VPC
   * endpoint condition of a PRIVATE API is not checked (no request arrives through one locally).
   */
  function sourceIpDenial(request: IncomingMessage, method: string, path: string): HttpResult | undefined {
    if (!sourceIps.allowed && !sourceIps.denied) return undefined;
    const address = clientAddress(request);
    const outside = sourceIps.allowed !== undefined && !inRanges(sourceIps.allowed, address);
    if (!outside && !(sourceIps.denied !== undefined && inRanges(sourceIps.denied, address))) return undefined;
    const resource = `arn:aws:execute-api:${apiRegion}:********${accountId.slice(-4)}:${apiId}/${stage.name}/${method}${path}`;
    return json(403, { Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${resource} with an explicit deny` }, { "x-amzn-errortype": "AccessDeniedException" });
  }

  /**
   * A preflight the gateway answers itself: REST has an OPTIONS mock on every resource without an OPTIONS route
   * (routes.ts, createCorsPreflights skips only that resource); the HTTP kind "automatically sends a response to
   * preflight OPTIONS requests, even if there isn't an OPTIONS route configured" (http-api-cors.html), naming the
   * allowed origin the request came from. An explicit OPTIONS route answers its own path.
   */
  function preflight(request: IncomingMessage, path: string): HttpResult | undefined {
    const resource = compiled.find((c) => c.pattern.test(path))?.route.fullPath;
    const methods = spec.routes.filter((r) => r.fullPath === resource).map((r) => r.method);
    if (methods.length === 0 || methods.includes("OPTIONS")) return undefined;
    const headers: Record<string, string> = corsHeaderValues(spec, methods);
    if (spec.kind === ApiKind.Http) {
      const origin = headerOf(request, "access-control-request-method") ? allowedOrigin(headerOf(request, "origin")) : undefined;
      if (!origin) return { status: 204, headers: {}, body: "", gateway: true };
      headers["Access-Control-Allow-Origin"] = origin;
    }
    return { status: 204, headers, body: "", gateway: true };
  }

  async function answer(request: IncomingMessage, gone: AbortSignal, requestId: string): Promise<HttpResult> {
    // Refused before anything else looks at the request. The status and body are not in AWS's pages: 431 is RFC 6585's
    // for it (and Node's own past its limit); one public report quotes AWS's error text as "HTTP header is larger than
    // 10240 bytes." (ntsblog.homedev.com.au, 2021), without the status.
    if (requestHeadBytes(spec.kind, request) > MAX_REQUEST_HEAD_BYTES) return json(431, { message: "Request Header Fields Too Large" });
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    const deniedByPolicy = sourceIpDenial(request, method, url.pathname);
    if (deniedByPolicy) return deniedByPolicy;
    if (method === "OPTIONS" && spec.cors) {
      const answered = preflight(request, url.pathname);
      if (answered) return answered;
    }
    const matched = matchRoute(compiled, method, url.pathname);
    if ("malformed" in matched) return json(400, { message: "Bad Request: the path has an invalid percent-encoding" });
    if (!("route" in matched)) {
      // HTTP APIs answer an unknown route 404; REST APIs 403 "Missing Authentication Token".
      if (spec.kind === ApiKind.Http) return json(404, { message: "Not Found" });
      return json(403, { message: "Missing Authentication Token" }, { "x-amzn-errortype": "MissingAuthenticationTokenException" });
    }
    const { route, pathParameters } = matched;

    const body = hasBody(request) ? await readBody(request, MAX_PAYLOAD_BYTES) : NO_BODY;
    if (body.length > MAX_PAYLOAD_BYTES) return json(413, { message: "Request Too Long" });
    if (route.apiKeyRequired && !headerOf(request, "x-api-key")) return json(403, { message: "Forbidden" }, { "x-amzn-errortype": "ForbiddenException" });

    const canary = stage.canary && Math.random() * 100 < stage.canary.percentTraffic;
    const event = proxyEvent(request, url, route, pathParameters, body, canary ? { ...stage.variables, ...stage.canary!.stageVariableOverrides } : stage.variables, requestId);
    const authorised = await authorise(route, request, event);
    if (authorised && "status" in authorised && "body" in authorised) return authorised as HttpResult;
    event.requestContext.authorizer = authorised as APIGatewayProxyEvent["requestContext"]["authorizer"];
    // The request validator runs after the authorizer, before the integration; the component's BAD_REQUEST_BODY
    // gateway response (routes.ts createGatewayResponses) shapes the answer.
    const invalid = route.requestSchema && requestModelProblem(route.requestSchema, headerOf(request, "content-type"), body);
    if (invalid) return json(400, { message: "Request body is invalid", errors: { "(body)": [invalid] } }, { "x-amzn-errortype": "BadRequestException" });
    const result = await integrate(route, event, { search: url.search, body, gone }, spec.kind === ApiKind.Http ? toHttpApiEvent(event, route, url.search.slice(1), request.rawHeaders) : event);
    return canary ? { ...result, headers: { ...result.headers, "x-local-canary": "true" } } : result;
  }

  function proxyEvent(request: IncomingMessage, url: URL, route: RouteSpec, pathParameters: Record<string, string>, body: Buffer, stageVariables: Record<string, string>, requestId: string): APIGatewayProxyEvent {
    // Keyed by the client's names, so without a prototype: a header or parameter named `__proto__` is one like any
    // other (on a plain object its `??= []` found Object.prototype, and the request was a 500), `constructor` too.
    const headers: Record<string, string> = Object.create(null);
    const multiValueHeaders: Record<string, string[]> = Object.create(null);
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      const [name, value] = [request.rawHeaders[i], request.rawHeaders[i + 1]];
      headers[name] = value;
      (multiValueHeaders[name] ??= []).push(value);
    }
    const query: Record<string, string> = Object.create(null);
    const multiQuery: Record<string, string[]> = Object.create(null);
    for (const [name, value] of url.searchParams) {
      query[name] = value;
      (multiQuery[name] ??= []).push(value);
    }
    const contentType = headerOf(request, "content-type") ?? "";
    const textual = body.length === 0 || /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/i.test(contentType);
    const hasQuery = Object.keys(query).length > 0;
    return {
      resource: route.fullPath,
      path: url.pathname,
      httpMethod: request.method ?? "GET",
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiQuery : null,
      pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
      stageVariables,
      body: body.length === 0 ? null : textual ? body.toString("utf8") : body.toString("base64"),
      isBase64Encoded: !textual,
      requestContext: {
        accountId,
        apiId,
        authorizer: null,
        domainName: headerOf(request, "host") ?? "localhost",
        domainPrefix: "localhost",
        httpMethod: request.method ?? "GET",
        identity: { sourceIp: request.socket.remoteAddress ?? "127.0.0.1", userAgent: headerOf(request, "user-agent") ?? null, apiKey: headerOf(request, "x-api-key") ?? null } as APIGatewayProxyEvent["requestContext"]["identity"],
        path: `/${stage.name}${url.pathname}`,
        protocol: `HTTP/${request.httpVersion}`,
        requestId,
        requestTimeEpoch: Date.now(),
        resourceId: "local",
        resourcePath: route.fullPath,
        stage: stage.name,
      } as APIGatewayProxyEvent["requestContext"],
    };
  }
}

/** CIDR ranges (or single addresses) as a BlockList, or undefined when none are given. */
function ipRanges(cidrs: readonly string[] | undefined): BlockList | undefined {
  if (!cidrs?.length) return undefined;
  const ranges = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split("/");
    const type = isIPv4(address) ? "ipv4" : "ipv6";
    ranges.addSubnet(address, prefix === undefined ? (type === "ipv4" ? 32 : 128) : Number(prefix), type);
  }
  return ranges;
}

/** The caller's address as aws:SourceIp reads it: an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is its IPv4 one. */
function clientAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? "127.0.0.1";
  return address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function inRanges(ranges: BlockList, address: string): boolean {
  return ranges.check(address, isIPv4(address) ? "ipv4" : "ipv6");
}

/**
 * The values of an authorizer's identity sources in a request, read where API Gateway reads them
 * (components/serverless-api/identity-source.ts: a REST TOKEN/Cognito authorizer one header, a REQUEST authorizer each
 * header, query string, multi-value header or query string, path parameter, stage variable or context variable listed,
 * the HTTP kind's JWT authorizer one header or query string); undefined when one is missing or empty, which API Gateway
 * answers 401 without calling the authorizer. A multi-value source reads as all its values joined by commas (what AWS
 * puts in its cache key is not documented; only presence is, and that is what decides 401 here). The
 * component refuses any other spelling at construction, so none reaches here (a part that does not parse reads as
 * missing, never as a header of that name).
 */
function identityValues(authorizer: AuthorizerSpec, kind: ApiKind, request: IncomingMessage, event: APIGatewayProxyEvent): string[] | undefined {
  const parts =
    kind === ApiKind.Http
      ? [httpIdentitySourcePart(httpIdentitySource(authorizer.identitySource))]
      : authorizer.type === "request"
        ? restIdentitySourceList(authorizer.identitySource).map(restIdentitySourcePart)
        : [REST_TOKEN_IDENTITY_SOURCE.test(authorizer.identitySource) ? restIdentitySourcePart(authorizer.identitySource) : undefined];
  const values: string[] = [];
  for (const part of parts) {
    const value = part === undefined ? undefined : identityValue(part, request, event);
    if (value === undefined || value === null || String(value) === "") return undefined;
    values.push(String(value));
  }
  return values;
}

/** The value of one identity source part in a request (undefined when absent). */
function identityValue(part: IdentitySourcePart, request: IncomingMessage, event: APIGatewayProxyEvent): unknown {
  switch (part.location) {
    case "header":
      return headerOf(request, part.name);
    case "querystring":
      return event.queryStringParameters?.[part.name];
    case "multivalueheader":
      return request.headersDistinct[part.name.toLowerCase()]?.join(",");
    case "multivaluequerystring":
      return event.multiValueQueryStringParameters?.[part.name]?.join(",");
    case "path":
      return event.pathParameters?.[part.name];
    case "stageVariables":
      return event.stageVariables?.[part.name];
    case "context":
      return part.name.split(".").reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), event.requestContext);
  }
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function decodePayload(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The longest method ARN a Lambda authorizer is called with (API Gateway answers 414 beyond it). */
export const METHOD_ARN_MAX_BYTES = 1600;

/** What API Gateway takes from a Lambda authorizer's answer (REST and WebSocket $connect). */
export interface AuthorizerOutput {
  principalId: string;
  statements: Array<{ Effect: string; Resource: string | string[] }>;
  context: Record<string, string | number | boolean>;
}

/**
 * A Lambda authorizer's answer as API Gateway reads it, or why API Gateway would fail the request with 500
 * AuthorizerConfigurationException instead: the output "must include the principal identifier (principalId) and a
 * policy document (policyDocument) containing a list of policy statements", and its context holds key-value pairs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html). A null
 * answer is reported as "Could not parse policy" (ExpanseLLC/lambda_authorizer#1), a context value that is an object
 * or a list as "Invalid JSON in response" (the request never reaches the integration).
 */
export function authorizerOutput(result: unknown): AuthorizerOutput | { problem: string } {
  if (!result || typeof result !== "object" || Array.isArray(result)) return { problem: "its answer is not an object with principalId and policyDocument" };
  const output = result as { principalId?: unknown; policyDocument?: { Statement?: unknown }; context?: unknown };
  if (typeof output.principalId !== "string" && typeof output.principalId !== "number") return { problem: "its answer has no principalId" };
  const statement = output.policyDocument && typeof output.policyDocument === "object" ? output.policyDocument.Statement : undefined;
  // IAM's grammar takes one statement or a list of them.
  const statements = Array.isArray(statement) ? statement : statement && typeof statement === "object" ? [statement] : undefined;
  if (!statements) return { problem: "its answer has no policyDocument with a Statement" };
  const context: Record<string, string | number | boolean> = {};
  if (output.context !== undefined && output.context !== null) {
    if (typeof output.context !== "object" || Array.isArray(output.context)) return { problem: "its context is not an object" };
    for (const [key, value] of Object.entries(output.context)) {
      if (value === null || !["string", "number", "boolean"].includes(typeof value)) return { problem: `its context value ${JSON.stringify(key.slice(0, 60))} is not a string, number or boolean` };
      context[key] = value as string | number | boolean;
    }
  }
  return { principalId: String(output.principalId), statements: statements as AuthorizerOutput["statements"], context };
}

/**
 * An authorizer policy's answer for the method ARN: an explicit Deny covering it wins, else an Allow covering it,
 * else none. Resources match as an IAM policy's Resource does (components/iam-match.ts resourceMatches): a Deny's
 * strictly and an Allow's leniently where AWS's pages leave it open (a `*` before a colon of the path, as in
 * `/items/urn:isbn:1/reviews`), so a local 403 is one AWS would answer too.
 */
export function policyDecision(statements: Array<{ Effect: string; Resource: string | string[] }>, methodArn: string): "allow" | "deny" | "none" {
  const covers = (s: { Resource: string | string[] }, reading: ResourceReading) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).some((r) => resourceMatches(r, methodArn, reading));
  if (statements.some((s) => s.Effect === "Deny" && covers(s, "strict"))) return "deny";
  return statements.some((s) => s.Effect === "Allow" && covers(s, "lenient")) ? "allow" : "none";
}

export function policyAllows(statements: Array<{ Effect: string; Resource: string | string[] }>, methodArn: string): boolean {
  return policyDecision(statements, methodArn) === "allow";
}

/**
 * A Lambda proxy (1.0) result as API Gateway reads it, or why it is "a response in the wrong format" (502).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 * `result` is the JSON the function returned, parsed (local/lambda-runtime.ts); its status and headers are checked
 * by the caller (unsendable), as the front door checks edge results.
 */
function proxyResult(result: unknown): HttpResult | { problem: string } {
  if (!result || typeof result !== "object" || Array.isArray(result)) return { problem: "not an object" };
  const proxy = result as Partial<Record<keyof APIGatewayProxyResult, unknown>>;
  if (proxy.body !== undefined && proxy.body !== null && typeof proxy.body !== "string") return { problem: "its body is not a string" };
  if (givenButNotAnObject(proxy.headers)) return { problem: "its headers are not an object" };
  if (givenButNotAnObject(proxy.multiValueHeaders)) return { problem: "its multiValueHeaders are not an object" };
  // No prototype: a result header named `__proto__` (JSON.parse keeps it as a key) is a header, not the map's prototype.
  const headers: Record<string, string | string[]> = Object.create(null);
  // API Gateway gives a result without Content-Type `application/json`; a function stops that with a null Content-Type
  // (AWS's own Amazon.Lambda.AspNetCoreServer does, for a 204: aws/aws-sam-cli#1218, "If a lambda function does not set
  // the Content-Type response header, then the API Gateway will default it to application/json ... This works fine
  // when the function is deployed to AWS"; an empty 200 gets it too: aws/aws-lambda-dotnet#283; LocalStack's
  // AWS_PROXY integration starts from `{"Content-Type": APPLICATION_JSON}`, localstack/localstack#6170). AWS's pages
  // do not say it. Any status gets it: the 204 above is the case that library guards against.
  let contentTypeSet = false;
  for (const [name, value] of Object.entries(proxy.headers ?? {})) {
    const key = name.toLowerCase();
    if (key === "content-type") {
      contentTypeSet = true;
      if (value === null) continue;
    }
    headers[key] = String(value);
  }
  // "If you specify values for both headers and multiValueHeaders, API Gateway merges them into a single list. If the
  // same key-value pair is specified in both, only the values from multiValueHeaders will appear in the merged list."
  // (the output format section of the page above): one list per name, each value once.
  for (const [name, values] of Object.entries(proxy.multiValueHeaders ?? {})) {
    if (!Array.isArray(values)) return { problem: `multiValueHeaders ${JSON.stringify(name.slice(0, 60))} is not a list` };
    const key = name.toLowerCase();
    headers[key] = [...new Set([...[headers[key] ?? []].flat(), ...values.map(String)])];
    if (key === "content-type") contentTypeSet = true;
  }
  if (!contentTypeSet) headers["content-type"] = "application/json";
  const body = proxy.body ?? "";
  return { status: Number(proxy.statusCode), headers, body: proxy.isBase64Encoded ? Buffer.from(body, "base64") : body };
}

/**
 * Request headers an HTTP proxy does not pass to the backend: the hop's own framing and connection headers, which
 * API Gateway drops before any integration ("These headers are not making it to the invocation requests. Even Proxy
 * integrations are not sending them": LocalStack's DROPPED_FROM_REQUEST_COMMON, localstack-core/localstack/services/
 * apigateway/next_gen/execute_api/header_utils.py), and Host, which names the API, not the backend (fetch sets the
 * backend's; LocalStack's HTTP_PROXY pops it: `request_headers.pop("Host", None)`).
 */
const PROXY_DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  "host", "connection", "keep-alive", "proxy-connection", "content-length", "content-md5", "expect", "max-forwards",
  "proxy-authenticate", "server", "te", "transfer-encoding", "trailer", "upgrade", "www-authenticate",
]);

/**
 * What the client sent, as an HTTP proxy passes it on: `search`, the query string as the client wrote it (`?a=1`, or
 * empty); `body`, its bytes as read, the one source of them (the proxy event decodes a textual body as UTF-8, which
 * would turn ISO-8859-1 into U+FFFD); `gone`, aborted with ClientGone when the client disconnects before it is answered.
 */
interface ClientRequest {
  search: string;
  body: Buffer;
  gone: AbortSignal;
}

/** The client disconnected before its answer was sent (a closed tab): nothing is left to answer. */
class ClientGone extends Error {
  constructor() {
    super("the client disconnected before it was answered");
    this.name = "ClientGone";
  }
}

/**
 * One way to give an integration's call up, with why: the integration's timeout after `timeoutMs` (IntegrationTimeout)
 * or the client's disconnect (`gone`'s reason, ClientGone), whichever comes first. `end()` once the call is over, so
 * neither outlives it.
 */
function integrationAbandonment(timeoutMs: number, gone: AbortSignal): { signal: AbortSignal; end(): void } {
  const abandon = new AbortController();
  const timer = setTimeout(() => abandon.abort(new IntegrationTimeout(timeoutMs)), timeoutMs);
  const clientGone = () => abandon.abort(gone.reason);
  if (gone.aborted) clientGone();
  else gone.addEventListener("abort", clientGone, { once: true });
  return {
    signal: abandon.signal,
    end() {
      clearTimeout(timer);
      gone.removeEventListener("abort", clientGone);
    },
  };
}

/** API Gateway stopped waiting for the integration (its timeout, not the function's). */
class IntegrationTimeout extends Error {
  constructor(ms: number) {
    super(`Endpoint request timed out after ${ms} ms (the integration's timeout)`);
    this.name = "IntegrationTimeout";
  }
}

/** `invocation`, or IntegrationTimeout after `ms`; the function carries on, as it does in AWS. */
function withinIntegrationTimeout<T>(invocation: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new IntegrationTimeout(ms)), ms)));
  return Promise.race([invocation, timeout]).finally(() => clearTimeout(timer));
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), gateway: true };
}

/**
 * Which `allowOrigins` entry admits an origin, as the Access-Control-Allow-Origin to send: the origin itself, or `*`.
 * HTTP APIs take "https://www.example.com", "*" and prefixes such as "https://*"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html). Compiled once per gateway.
 */
function originMatcher(allowOrigins: readonly string[]): (origin: string | undefined) => string | undefined {
  const entries = allowOrigins.map((entry) => (entry === "*" ? "*" : new RegExp(`^${entry.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`)));
  return (origin) => {
    if (!origin) return undefined;
    for (const entry of entries) {
      if (entry === "*") return "*";
      if (entry.test(origin)) return origin;
    }
    return undefined;
  };
}

/**
 * An HTTP API's JWT authorizer refusal: `{"message":"Unauthorized"}` (401) or `{"message":"Forbidden"}` (403, scopes),
 * with `www-authenticate` and `apigw-requestid` instead of REST's `x-amzn-errortype`. AWS's example: "www-authenticate:
 * Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"" and
 * "apigw-requestid: Mc7UVioPPHcEKPA=" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html).
 * The 403 for a missing scope (`error="insufficient_scope" error_description="expected scopes: [a b]"`) is as a
 * deployed HTTP API was seen to answer; AWS's pages do not show it. Without a token, a bare `Bearer` challenge
 * (RFC 6750 §3: no error code when the request carries no credentials).
 */
function jwtRefusal(status: 401 | 403, requestId: string, reason?: { scopes: string[]; error: string; description: string }): HttpResult {
  const challenge = reason ? `Bearer scope="${reason.scopes.join(" ")}" error="${reason.error}" error_description="${reason.description}"` : "Bearer";
  return json(status, { message: status === 401 ? "Unauthorized" : "Forbidden" }, { "www-authenticate": challenge, "apigw-requestid": requestId });
}

function unauthorized(): HttpResult {
  return json(401, { message: "Unauthorized" }, { "x-amzn-errortype": "UnauthorizedException" });
}

function send(response: ServerResponse, request: IncomingMessage, result: HttpResult): void {
  const body = Buffer.isBuffer(result.body) ? result.body : Buffer.from(result.body);
  response.statusCode = result.status;
  for (const [name, value] of Object.entries(result.headers)) {
    if (FRAMING_HEADERS.has(name.toLowerCase())) continue;
    response.setHeader(name, value);
  }
  response.setHeader("content-length", String(body.length));
  response.end(request.method === "HEAD" ? undefined : body);
}
