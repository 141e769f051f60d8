/** ServerlessApi's argument checks: bad specs fail at construction, naming the argument, the value and the fix. */
import { isIP } from "node:net";
import { checkSourceFile, unsendableMapKeyProblem, type ArgFailure } from "../errors";
import { assertLeastPrivilege } from "../iam";
import { FUNCTION_NAME_SUFFIX } from "../lambda/function";
import { validateLogRetention } from "../log-retention";
import { checkNumberInRange, checkWholeNumberInRange } from "../ranges";
import { validateRegionalDomain } from "../regional-domain";
import { AWS_SERVICE_STATUS_CODES, awsServiceResponseSlug, corsPreflightPaths, integrationRoleName, modelResourceName, operationName, resourceSlug, responseNames, routeSlug } from "./routes";
import { identitySourceProblem, type IdentitySourceKind } from "./identity-source";
import { checkUserPoolArn } from "./http-api";
import { accountCloudWatchRoleName, stageResourceNames } from "./stages";
import { usagePlanKeyName } from "./usage-plans";
import {
  API_DOMAIN_IP_ADDRESS_TYPES,
  canaryAlias,
  joinPath,
  ApiKind,
  declaredMethodParameter,
  HTTP_METHODS,
  INTEGRATION_REQUEST_PARAMETER,
  OTHER_MAPPING_SOURCE,
  authorizerFunctionName,
  bodyMappingPath,
  declaredStages,
  authorizerPermissionName,
  routeFunctionName,
  stageCanary,
  uriStageVariables,
  type ApiAuthorizer,
  type ApiCanary,
  type ApiFunctionArgs,
  type ApiRoute,
  type ApiRouteAuth,
  type ApiStage,
  type ApiThrottle,
  type HttpApiVpcLink,
  type HttpMethod,
  type ServerlessApiArgs,
} from "./args";
import { IAM_NAME_SYMBOLS, nameCharacters, validateAutonames, type AutonamedResource } from "../autoname";
import { arnRegion, validateRegionArg } from "../region";
import { LISTENER_ARN, NLB_ARN, isNewHttpApiLink, isRestLinkTarget } from "./vpc-link";
import { validateApiCounts } from "./quotas";
import { jaywayRefusal } from "./jsonpath";
import { validateAwsServiceCall, validateTemplatesOnlyOnAws } from "./service-actions";

const BODY_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "ANY"]);
/** A canary's share of a stage's traffic (validateCanary cites it; the ApiStageCanary deploy rule holds any stage to it). */
export const CANARY_PERCENT_TRAFFIC = { min: 0, max: 100 } as const;
/** API Gateway waits at most 29 s for an integration. */
export const API_INTEGRATION_TIMEOUT_SECONDS = 29;
/**
 * How long API Gateway may wait for an HTTP route's integration (`integration.timeoutMs`), in milliseconds.
 * - REST (Integration.timeoutInMillis): "Custom timeout between 50 and 29,000 milliseconds. The default value is 29,000
 *   milliseconds or 29 seconds. You can increase the default value to longer than 29 seconds for Regional or private
 *   APIs only." (https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html), and "The maximum value is
 *   300,000 when `responseTransferMode` is `BUFFERED` [...] You need to raise a Service Quota Ticket [...] to increase
 *   time beyond 29,000 milliseconds for `BUFFERED` mode." (pulumi-aws 7.48,
 *   node_modules/@pulumi/aws/apigateway/integration.d.ts, `timeoutMilliseconds`). ServerlessApi leaves
 *   `responseTransferMode` unset, which is BUFFERED ("Default to `BUFFERED`", same file).
 * - HTTP: "Maximum integration timeout | 30 seconds | No" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html;
 *   pulumi-aws apigatewayv2/integration.d.ts: "between 50 and 30,000 milliseconds for HTTP APIs").
 * - WebSocket (RealtimeApi sets none): "Integration timeout | 50 milliseconds - 29 seconds ... | No"
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * Deploy rules ApiIntegrationTimeout (REST) and ApiV2IntegrationTimeout (HTTP, WebSocket) check any program's
 * integrations against the same numbers.
 */
export const API_INTEGRATION_TIMEOUT_MS = { min: 50, defaultQuota: 29_000, restMax: 300_000, httpMax: 30_000, websocketMax: 29_000 } as const;
/**
 * The statuses a REST method response takes: PutMethodResponse `status_code` "Pattern: [1-5]\d\d"
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethodResponse.html), the integration response's the same.
 */
const METHOD_RESPONSE_STATUS = { min: 100, max: 599 } as const;
/**
 * A custom domain's API mapping path (`domain.basePath`): "API mappings must contain only letters, numbers, and the
 * following characters: $-_.+!*'()/." and "The maximum length for the path in an API mapping is 300 characters."
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html and http-api-mappings.html,
 * "Restrictions"). The characters of one level; levels are joined with "/". aws-cdk's BasePathMapping checks the same set
 * (`/^[a-zA-Z0-9$_.+!*'()-]+$/`, "A base path may only contain letters, numbers, and one of "$-_.+!*'()"",
 * @aws-cdk/aws-apigateway lib/base-path-mapping.js); CreateBasePathMapping's and CreateApiMapping's API references
 * document no pattern of their own.
 */
const API_MAPPING_CHARACTERS = /[A-Za-z0-9$\-_.+!*'()]/g;
const API_MAPPING_PATH_LENGTH = 300;
const ROUTE_KEY = /^([A-Z]+) (\/.*)$/;
const PATH_SEGMENT = /^(\{[A-Za-z_][A-Za-z0-9_]*\+?\}|[A-Za-z0-9._~-]+)$/;
const NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
/** What a route's `name` may hold: it is part of a Lambda function name (CreateFunction FunctionName `[a-zA-Z0-9-_]+`). */
const LAMBDA_NAME_PART = /^[A-Za-z0-9_-]+$/;
/** CreateStage stageName: "Stage names can only contain alphanumeric characters, hyphens, and underscores. Maximum length is 128 characters." (https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html; API Gateway v2 the same). */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
/**
 * A REST stage's name (and its canary's alias) becomes a Lambda alias name: "Length Constraints: Minimum length of 1.
 * Maximum length of 128. Pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)". https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html
 */
export const LAMBDA_ALIAS_NAME_LENGTH = 128;
export const LAMBDA_ALIAS_NAME = new RegExp(`^(?![0-9]+$)[A-Za-z0-9_-]{1,${LAMBDA_ALIAS_NAME_LENGTH}}$`);
const STAGE_VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{1,512}$/;
/**
 * API Gateway's quotas on a stage's variables, the same for REST and HTTP APIs and not raised on request: "Stage
 * variables per stage | 100 | No" and "Length, in characters, of the key in a stage variable | 64 | No"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html). Deploy rule ApiStageVariables
 * checks any program's stages against the same numbers.
 */
export const API_STAGE_VARIABLE_LIMITS = { perStage: 100, nameLength: 64 } as const;
const { perStage: STAGE_VARIABLES_PER_STAGE, nameLength: STAGE_VARIABLE_NAME_LENGTH } = API_STAGE_VARIABLE_LIMITS;

/** A route key parsed once by validateArgs, with its route, for the checks that compare routes. */
interface ParsedRoute {
  key: string;
  method: HttpMethod;
  /** The path as declared, without the base path. */
  path: string;
  route: ApiRoute;
}

/** The longest preflight cache an HTTP API's CORS configuration takes (API Gateway v2 Cors.MaxAge). */
const CORS_MAX_AGE_SECONDS = 86_400;

/** `apiRegion`: the region the API is created in when known at construction (its `region`, else the stack's). */
export function validateArgs(fail: ArgFailure, name: string, args: ServerlessApiArgs, apiRegion: string | undefined = args.region): void {
  validateRegionArg(fail, "region", args.region);
  if (args.kind !== undefined && !Object.values(ApiKind).includes(args.kind)) {
    fail("kind", args.kind, "is not an API kind", 'Use ApiKind.Rest ("rest", default) or ApiKind.Http ("http").');
  }
  validateHttpKind(fail, args);
  validateApiCounts(fail, args);
  if (!args.routes || Object.keys(args.routes).length === 0) fail("routes", args.routes, "is empty", 'Declare at least one route, e.g. { "GET /health": { handler: "handlers/api/health.ts", auth: "none" } }.');
  if (args.basePath !== undefined && !/^([A-Za-z0-9._~-]+)(\/[A-Za-z0-9._~-]+)*$|^$/.test(args.basePath)) {
    fail("basePath", args.basePath, "is not a path prefix", 'Use segments without leading or trailing slashes, e.g. "api".');
  }
  const stageNames = Object.keys(declaredStages(args.stages));
  if (stageNames.length === 0) fail("stages", args.stages, "is empty", "Declare at least one stage, e.g. { prod: {} }.");
  // Only the REST kind gives every function an alias per stage (and per canary).
  const aliased = args.kind !== ApiKind.Http;
  const aliases = aliasNames(args, stageNames);
  for (const stage of stageNames) validateStage(fail, stage, args.stages?.[stage] ?? {}, aliased, aliases);
  if (args.canary) {
    if (!stageNames.includes(args.canary.stage)) {
      fail("canary.stage", args.canary.stage, "is not a stage of this API, so there is nothing to run a canary on", `Use one of ${stageNames.join(", ")}, or add the stage.`);
    }
    if (args.stages?.[args.canary.stage]?.canary) {
      fail("canary.stage", args.canary.stage, "already has stages." + args.canary.stage + ".canary", "Set the canary in one place.");
    }
    validateCanary(fail, args.canary.stage, args.canary, "canary", aliased, aliases);
  }
  if (aliased) validateCanaryAliases(fail, args, aliases);
  const authorizers = args.authorizers ?? {};
  for (const [authorizerName, authorizer] of Object.entries(authorizers)) validateAuthorizer(fail, authorizerName, authorizer, args.kind ?? ApiKind.Rest);
  if (args.defaultAuth !== undefined) validateAuth(fail, "defaultAuth", args.defaultAuth, authorizers);
  const seen = new Map<string, string>();
  // A Lambda authorizer's function is a LambdaFunction like a route's, under the same parent: one name is one URN.
  const names = new Map<string, string>(
    Object.entries(authorizers).flatMap(([authorizerName, a]) => (a.type === "cognito" ? [] : [[authorizerFunctionName(name, authorizerName), `authorizers.${authorizerName}`] as const])),
  );
  /** Each handler route's key with its function's resource name. */
  const routeFunctions: Array<[key: string, functionName: string]> = [];
  const parsedRoutes: ParsedRoute[] = [];
  for (const [key, route] of Object.entries(args.routes ?? {})) {
    const parsed = parseRouteKey(fail, key);
    parsedRoutes.push({ key, ...parsed, route: route ?? {} });
    const normalisedKey = `${parsed.method} ${parsed.path.replace(/\{[^}]+\}/g, "{}")}`;
    const twin = seen.get(normalisedKey);
    if (twin !== undefined) {
      fail(`routes["${key}"]`, key, `duplicates route "${twin}" (same method and path)`, "Declare each method and path once; path parameters at the same place are the same route.");
    }
    seen.set(normalisedKey, key);
    const functionName = route?.handler ? routeFunctionName(name, key, route) : undefined;
    validateRoute(fail, key, parsed, functionName, route ?? {}, authorizers);
    if (route?.integration?.type === "aws") validateIntegrationRolePath(fail, name, key, parsed, args.basePath ?? "");
    validateHttpIntegrationUri(fail, key, route ?? {});
    validateUriStageVariables(fail, key, route ?? {}, args, stageNames);
    if (args.kind !== ApiKind.Http) validateRestHttpIntegration(fail, key, parsed.path, route ?? {});
    validateIntegrationMethod(fail, key, route ?? {});
    validateIntegrationTimeout(fail, key, route ?? {}, args);
    validateVpcLink(fail, key, parsed.path, route ?? {}, args.kind ?? ApiKind.Rest, apiRegion);
    if (functionName) {
      const owner = names.get(functionName);
      if (owner !== undefined) fail(`routes["${key}"].name`, functionName, `is the function name of ${owner === "route" ? "another route" : `the Lambda authorizer ${owner}`}`, "Give the route a distinct name.");
      names.set(functionName, "route");
      routeFunctions.push([key, functionName]);
    }
  }
  if (aliased) {
    const canaryStages = canaryStageNames(args, stageNames);
    const lambdaAuthorizers = Object.entries(authorizers).filter(([, a]) => a.type !== "cognito").map(([authorizerName]) => authorizerName);
    validateStageResourceNames(fail, name, stageNames, canaryStages, routeFunctions, lambdaAuthorizers);
  }
  // After the stage, canary and route checks: a stage's own refusal (its canary's alias too long) comes before the
  // statement id its alias permission would make.
  validateApiAutonames(fail, name, name, args);
  if (args.kind !== ApiKind.Http) validateVariableSiblings(fail, parsedRoutes);
  validatePathSlugs(fail, name, parsedRoutes, args.basePath ?? "", args.kind !== ApiKind.Http);
  if (args.kind !== ApiKind.Http) {
    validateResponseNames(fail, name, parsedRoutes, args.basePath ?? "", Boolean(args.cors));
    validateModelNames(fail, name, parsedRoutes);
  }
  if (args.endpointType !== undefined && !["REGIONAL", "EDGE", "PRIVATE"].includes(args.endpointType)) {
    fail("endpointType", args.endpointType, "is not an API Gateway endpoint type", 'Use "REGIONAL" (default), "EDGE" or "PRIVATE".');
  }
  validateVpcEndpoints(fail, args);
  for (const list of ["allowSourceIps", "denySourceIps"] as const) {
    for (const cidr of args.resourcePolicy?.[list] ?? []) {
      const problem = sourceIpProblem(cidr);
      if (problem) fail(`resourcePolicy.${list}`, cidr, problem, 'Use an IPv4 or IPv6 address, or a CIDR range such as "203.0.113.0/24" or "2001:db8::/32".');
    }
  }
  for (const account of args.resourcePolicy?.allowAccounts ?? []) {
    if (!/^\d{12}$/.test(account)) fail("resourcePolicy.allowAccounts", account, "is not a 12-digit AWS account id", "Use the account number.");
  }
  validateAllowAccountsMethods(fail, args);
  if (args.cors) {
    if (!args.cors.allowOrigins?.length) fail("cors.allowOrigins", args.cors.allowOrigins, "is empty", 'List the browser origins, e.g. ["https://gallery.example.com"].');
    // A REST API's preflight and gateway responses carry one fixed Access-Control-Allow-Origin; an HTTP API's CORS
    // configuration takes a list and answers with the origin that matched ("AllowOrigins", https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html#apis-apiid-model-cors).
    if (args.cors.allowOrigins.length > 1 && args.kind !== ApiKind.Http) {
      fail("cors.allowOrigins", args.cors.allowOrigins, "has more than one origin; a REST API's responses name exactly one in Access-Control-Allow-Origin", "Serve the API behind the site's CloudFront (same origin), pick one origin, or use kind: ApiKind.Http, whose CORS configuration takes several.");
    }
    // An HTTP API's Cors.MaxAge is IntegerWithLengthBetweenMinus1And86400 in API Gateway v2's API model (CreateApi
    // refuses more), and the provider sends it as it is; a REST API writes it into its responses' Access-Control-Max-Age.
    // -1 (an HTTP API's "do not cache") is refused: the same argument serves a REST API, which would write it as a header value browsers ignore.
    checkWholeNumberInRange(fail, "cors.maxAgeSeconds", args.cors.maxAgeSeconds, { min: 0, max: CORS_MAX_AGE_SECONDS }, {
      limit: "ServerlessApi's range",
      unit: "seconds",
      reason: `an HTTP API's CORS MaxAge takes at most ${CORS_MAX_AGE_SECONDS}, and a REST API writes the value into Access-Control-Max-Age, where a negative one means nothing`,
      fix: "Use e.g. 600 (the default); browsers cap it lower anyway.",
    });
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
  validateUsagePlanKeyNames(fail, name, args);
  validateUsagePlanKeyStages(fail, args, stageNames);
  const keyRoutes = Object.entries(args.routes ?? {}).filter(([, r]) => r?.apiKeyRequired);
  if (keyRoutes.length > 0 && Object.values(args.usagePlans ?? {}).every((p) => !p.apiKeys?.length)) {
    fail(`routes["${keyRoutes[0][0]}"].apiKeyRequired`, true, "needs an API key, but no usage plan has apiKeys; every call would be refused", "Add a usage plan with apiKeys, or drop apiKeyRequired.");
  }
  if (args.throttle) validateThrottle(fail, "throttle", args.throttle);
  validateLogRetention(fail, "logRetentionDays", args.logRetentionDays);
  validateLogRetention(fail, "functionDefaults.logRetentionDays", args.functionDefaults?.logRetentionDays);
  if (args.executionLogLevel !== undefined && !["ERROR", "INFO"].includes(args.executionLogLevel)) {
    fail("executionLogLevel", args.executionLogLevel, "is not an execution logging level that logs", 'Use "ERROR" (default) or "INFO".');
  }
  if (args.domain) {
    validateRegionalDomain(fail, args.domain, apiRegion, "api.gallery.example.com");
    if (args.endpointType === "PRIVATE") fail("domain", args.domain.name, "is set on a PRIVATE API", "Drop the domain or use a REGIONAL endpoint.");
    if (args.domain.stage !== undefined && !stageNames.includes(args.domain.stage)) {
      fail("domain.stage", args.domain.stage, "is not a stage of this API", `Use one of ${stageNames.join(", ")}.`);
    }
    validateDomainIpAddressType(fail, args.domain.ipAddressType);
    if (args.domain.basePath !== undefined) validateDomainBasePath(fail, args.domain.basePath, args.kind ?? ApiKind.Rest);
  }
  for (const [argument, statements] of [["functionDefaults.permissions", args.functionDefaults?.permissions ?? []]] as const) {
    assertLeastPrivilege(fail, argument, statements);
  }
}

/**
 * Every name Pulumi autonames from the API's name and its stages, where `apiName` is the API's name (RegionalApis: the
 * longest of its regional APIs', which add a region code to `name`): the component name against the functions',
 * roles' and log group's names (validateApiName), then the stages against the alias permissions' statement ids
 * (validateAliasPermissionNames, which counts on the function names fitting). One step for ServerlessApi and
 * RegionalApis, which checks its own name with it before it builds a regional API.
 */
export function validateApiAutonames(fail: ArgFailure, name: string, apiName: string, args: ServerlessApiArgs): void {
  validateApiName(fail, name, apiName, args);
  validateAliasPermissionNames(fail, name, apiName, args);
}

/**
 * The component name against every name the API makes from it: its functions', AWS-service routes' roles', access log
 * group's and, when it owns it (`accountCloudWatchRole`), the account-wide CloudWatch role's, where `apiName` is the
 * API's name (RegionalApis: the longest of its regional APIs', which add a region code to `name`). A name too long
 * because of a route's key or name, or an authorizer's name, is refused as that route's or authorizer's
 * (validateAutonames, `part`). Lambda first, when the API has functions: its FunctionName takes fewer characters
 * (letters, digits, "-" and "_") than the role's or the log group's.
 */
function validateApiName(fail: ArgFailure, name: string, apiName: string, args: ServerlessApiArgs): void {
  // The account-wide CloudWatch role only when this API owns it (stages.ts createAccountLogging): REST stages only.
  const accountRole: AutonamedResource[] = args.accountCloudWatchRole && args.kind !== ApiKind.Http ? [{ resource: accountCloudWatchRoleName(apiName), kind: "role" }] : [];
  validateAutonames(fail, name, [...apiFunctionResources(apiName, args), ...integrationRoles(apiName, args), accessLogGroup(apiName), ...accountRole]);
}

/** The API's access log group, autonamed `<api>-access-logs-<7 hex>`. */
function accessLogGroup(apiName: string): AutonamedResource {
  return { resource: `${apiName}-access-logs`, kind: "log-group" };
}

/**
 * The Lambda functions of the API's handler routes and Lambda authorizers (`<function resource name>-function`),
 * with the part of each name the route's key or `name`, or the authorizer's name, gives.
 */
function apiFunctionResources(apiName: string, args: ServerlessApiArgs): AutonamedResource[] {
  const lambdaFunction = (functionName: string, part: NonNullable<AutonamedResource["part"]>): AutonamedResource => ({ resource: `${functionName}${FUNCTION_NAME_SUFFIX}`, kind: "lambda-function", part });
  const routes = Object.entries(args.routes ?? {}).flatMap(([key, route]) => {
    if (!route?.handler) return [];
    const functionName = routeFunctionName(apiName, key, route);
    return [
      route.name
        ? lambdaFunction(functionName, { argument: `routes["${key}"].name`, value: route.name, text: route.name, what: "a route name" })
        : lambdaFunction(functionName, { argument: `routes["${key}"]`, value: key, text: functionName.slice(apiName.length + 1), what: "a route name (its function is named from the method and path without one)" }),
    ];
  });
  const authorizers = Object.entries(args.authorizers ?? {}).flatMap(([authorizerName, authorizer]) =>
    authorizer.type === "cognito" ? [] : [lambdaFunction(authorizerFunctionName(apiName, authorizerName), { argument: `authorizers.${authorizerName}`, value: authorizerName, text: authorizerName, what: "an authorizer name" })],
  );
  return [...routes, ...authorizers];
}

/**
 * The IAM roles of a REST API's AWS-service routes (the HTTP kind refuses these routes and creates no role), with the
 * part of each name the route's method and path, with the base path, give. A key that is not "METHOD /path" makes no
 * role: it is refused as a key.
 */
function integrationRoles(apiName: string, args: ServerlessApiArgs): AutonamedResource[] {
  if (args.kind === ApiKind.Http) return [];
  return Object.entries(args.routes ?? {}).flatMap(([key, route]) => {
    const match = ROUTE_KEY.exec(key);
    if (route?.integration?.type !== "aws" || !match) return [];
    const slug = routeSlug(match[1], joinPath(args.basePath ?? "", match[2]));
    const what = `a role name part (now "${slug}": from the method, base path and path, "/" read as "-")`;
    return [{ resource: integrationRoleName(apiName, slug), kind: "role", part: { argument: `routes["${key}"]`, value: key, text: slug, what } }];
  });
}

/** A custom domain's `ipAddressType`, when set, is one API Gateway takes (RegionalApis checks its own with it). */
export function validateDomainIpAddressType(fail: ArgFailure, ipAddressType: unknown): void {
  if (ipAddressType === undefined || (API_DOMAIN_IP_ADDRESS_TYPES as readonly unknown[]).includes(ipAddressType)) return;
  fail("domain.ipAddressType", ipAddressType, "is not an IP address type of an API Gateway custom domain", 'Use "dualstack" (IPv4 and IPv6, the default) or "ipv4".');
}

const HTTP_API_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html";

/**
 * What REST APIs have and HTTP APIs lack, refused on the HTTP kind with the reason (docs/http-api.md
 * has the table). Everything here is from AWS's comparison, "Choose between REST APIs and HTTP APIs":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html
 */
function validateHttpKind(fail: ArgFailure, args: ServerlessApiArgs): void {
  const cognito = Object.entries(args.authorizers ?? {}).filter(([, a]) => a.type === "cognito");
  if (args.kind !== ApiKind.Http) {
    for (const [authorizerName, authorizer] of cognito) {
      const { audience, issuer } = authorizer as { audience?: unknown[]; issuer?: unknown };
      if (audience !== undefined) {
        fail(`authorizers.${authorizerName}.audience`, audience, "is for the HTTP kind's JWT authorizer; a REST Cognito authorizer accepts any app client of the pool", "Drop audience, or set kind: ApiKind.Http.");
      }
      if (issuer !== undefined) {
        fail(`authorizers.${authorizerName}.issuer`, issuer, "is for the HTTP kind's JWT authorizer; a REST Cognito authorizer takes the pool from userPoolArns and checks its tokens itself", "Drop issuer, or set kind: ApiKind.Http.");
      }
    }
    return;
  }
  const refuse = (argument: string, value: unknown, lacks: string, fix: string) =>
    fail(argument, value, `is set on an HTTP API, which has no ${lacks} (${HTTP_API_DOCS})`, fix);
  if (Object.keys(args.usagePlans ?? {}).length > 0) refuse("usagePlans", Object.keys(args.usagePlans!), "usage plans or API keys", "Drop usagePlans, or use kind: ApiKind.Rest for per-client quotas.");
  if (args.canary) refuse("canary", args.canary, "canary deployments", "Drop the canary, or use kind: ApiKind.Rest.");
  for (const [stage, settings] of Object.entries(args.stages ?? {})) {
    if (settings?.canary) refuse(`stages.${stage}.canary`, settings.canary, "canary deployments", "Drop the canary, or use kind: ApiKind.Rest.");
  }
  if (args.resourcePolicy) refuse("resourcePolicy", args.resourcePolicy, "resource policies", "Restrict callers with an authorizer, or use kind: ApiKind.Rest.");
  if (args.endpointType !== undefined && args.endpointType !== "REGIONAL") refuse("endpointType", args.endpointType, "edge-optimized or private endpoints (regional only)", 'Use "REGIONAL" (put CloudFront in front, as siteRoute() does), or kind: ApiKind.Rest.');
  if (args.vpcEndpointIds?.length) refuse("vpcEndpointIds", args.vpcEndpointIds, "private endpoints", "Drop vpcEndpointIds, or use kind: ApiKind.Rest with endpointType PRIVATE.");
  if (args.executionLogLevel !== undefined) refuse("executionLogLevel", args.executionLogLevel, "execution logging (access logs only)", "Drop executionLogLevel; the stage keeps JSON access logs.");
  if (args.tracing === true) refuse("tracing", true, "X-Ray tracing", "Drop tracing (trace in the functions), or use kind: ApiKind.Rest.");
  for (const [key, route] of Object.entries(args.routes ?? {})) {
    const where = `routes["${key}"]`;
    if (route?.requestSchema) refuse(`${where}.requestSchema`, route.requestSchema, "request validation", "Validate the body in the handler (e.g. with zod), or use kind: ApiKind.Rest.");
    if (route?.apiKeyRequired) refuse(`${where}.apiKeyRequired`, true, "usage plans or API keys", "Drop apiKeyRequired, or use kind: ApiKind.Rest.");
    if (route?.integration?.type === "mock") refuse(`${where}.integration`, "mock", "mock integrations", "Answer from a small Lambda handler, or use kind: ApiKind.Rest.");
    if (route?.integration?.type === "aws") {
      // HTTP APIs call AWS services through "first-class integrations" of a subtype such as SQS-SendMessage or
      // Kinesis-PutRecord, with parameter mapping instead of VTL templates
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services.html);
      // ServerlessApi does not offer those subtypes.
      refuse(`${where}.integration`, "aws", "path- or action-style AWS service integrations nor mapping templates (only first-class subtypes such as SQS-SendMessage or Kinesis-PutRecord, which ServerlessApi does not offer)", "Call the service from a Lambda handler, or use kind: ApiKind.Rest.");
    }
  }
  for (const [authorizerName, authorizer] of Object.entries(args.authorizers ?? {})) {
    if (authorizer.type !== "cognito") {
      fail(
        `authorizers.${authorizerName}.type`,
        authorizer.type,
        "is a Lambda authorizer; the HTTP kind verifies Cognito tokens with API Gateway's native JWT authorizer (issuer + audience) instead",
        'Use { type: "cognito", userPoolArns, audience: [clientId] }, or kind: ApiKind.Rest for Lambda authorizers.',
      );
    }
  }
  for (const [authorizerName, authorizer] of cognito) {
    const { userPoolArns, audience } = authorizer as { userPoolArns: unknown[]; audience?: unknown[] };
    // A JWT authorizer has one issuer: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
    if (userPoolArns?.length !== 1) fail(`authorizers.${authorizerName}.userPoolArns`, userPoolArns, "must name exactly one user pool on an HTTP API (a JWT authorizer has one issuer)", "Declare one authorizer per pool.");
    // An Output is checked once it resolves (http-api.ts issuerOf).
    if (typeof userPoolArns[0] === "string") checkUserPoolArn(fail, authorizerName, userPoolArns[0]);
    if (!audience?.length) {
      fail(`authorizers.${authorizerName}.audience`, audience, "is empty; a JWT authorizer accepts only tokens for its audience", "Pass the app client ids, e.g. [auth.clientId].");
    }
  }
}

/**
 * A private API answers only through VPC endpoints, and AWS will not deploy it without a resource
 * policy ("For a private API, you can't deploy your API without a resource policy"); ServerlessApi
 * writes that policy from `vpcEndpointIds`, so they are required. Endpoint ids on any other endpoint
 * type do nothing: "It is only supported for PRIVATE endpoint type."
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
 * https://docs.aws.amazon.com/apigateway/latest/api/API_EndpointConfiguration.html
 */
function validateVpcEndpoints(fail: ArgFailure, args: ServerlessApiArgs): void {
  const ids = args.vpcEndpointIds ?? [];
  const endpointType = args.endpointType ?? "REGIONAL";
  if (endpointType === "PRIVATE" && ids.length === 0) {
    fail(
      "vpcEndpointIds",
      args.vpcEndpointIds,
      "is empty for a PRIVATE API, which only answers through VPC endpoints",
      'Pass the ids of the execute-api interface VPC endpoints its callers use, e.g. ["vpce-0123456789abcdef0"] (config apiVpcEndpointIds); the resource policy allows only them.',
    );
  }
  if (endpointType !== "PRIVATE" && ids.length > 0) {
    fail("vpcEndpointIds", ids, `is set on a ${endpointType} API; only PRIVATE APIs are reached through VPC endpoints`, 'Set endpointType "PRIVATE", or drop vpcEndpointIds.');
  }
  ids.forEach((id, index) => {
    if (typeof id === "string" && !/^vpce-[0-9a-f]{8,17}$/.test(id)) {
      fail(`vpcEndpointIds[${index}]`, id, "is not a VPC endpoint id", 'Use the interface endpoint\'s id for com.amazonaws.<region>.execute-api, e.g. "vpce-0123456789abcdef0".');
    }
  });
}

/**
 * An AWS-service integration's request parameters: targets API Gateway knows, and sources that are
 * method request parameters (a path parameter must be the route's), the body, a stage or context
 * variable, or a 'static value'. https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html
 */
function validateRequestParameters(fail: ArgFailure, where: string, path: string, parameters: Record<string, string>): void {
  const pathParameters = new Set([...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1]));
  for (const [target, source] of Object.entries(parameters)) {
    if (!INTEGRATION_REQUEST_PARAMETER.test(target)) {
      fail(`${where}.requestParameters`, target, "is not an integration request parameter", "Use integration.request.<path|querystring|header|multivaluequerystring|multivalueheader>.<name>.");
    }
    const declared = declaredMethodParameter(source);
    if (declared?.location === "path" && !pathParameters.has(declared.name)) {
      fail(`${where}.requestParameters["${target}"]`, source, "names a path parameter the route does not have", `Use one of ${[...pathParameters].map((p) => `method.request.path.${p}`).join(", ") || "(the route has none)"}.`);
    }
    if (!declared && !OTHER_MAPPING_SOURCE.test(source)) {
      fail(
        `${where}.requestParameters["${target}"]`,
        source,
        "is not a method request parameter, a 'static value', context. or stageVariables. variable",
        "Use e.g. method.request.path.key, method.request.header.Content-Type, 'application/json' or context.requestId.",
      );
    }
    // Read with the reader npm start evaluates the path with. Only what Jayway cannot parse is refused: a path the local
    // reader alone does not take (a function, several names, …) may be one API Gateway reads. Whether PutIntegration
    // itself refuses an unparsable path is not documented; npm start fails every request of the route on it.
    const bodyPath = bodyMappingPath(source);
    const refusal = bodyPath === undefined ? undefined : jaywayRefusal(bodyPath);
    if (refusal !== undefined) {
      fail(
        `${where}.requestParameters["${target}"]`,
        source,
        `is a JSONPath into the body that Jayway JsonPath (which API Gateway reads JSONPath with) cannot parse: ${refusal}; npm start would answer every request of the route 500`,
        "Write the part after method.request.body. as Jayway reads it, e.g. method.request.body.owner.name, method.request.body.items[0].id or method.request.body.items[?(@.kind == 'photo')].id.",
      );
    }
  }
}

/**
 * The route resources' logical names come from their paths' slugs (resourceSlug: "/" read as "-", braces dropped), so
 * two paths of one slug (`/a-b` and `/a/b`, `/items/{item}` and `/items/item`) would make two resources of one name,
 * which the engine refuses at preview ("Duplicate resource URN"). A REST API makes a resource for every prefix of a
 * path, named by the path alone; an HTTP API names its routes and integrations after the method and the whole path
 * (routeSlug, http-api.ts), so `GET /a-b` beside `POST /a/b` meet nowhere, as API Gateway's routes do not ("Routes
 * consist of two parts: an HTTP method and a resource path", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
 */
function validatePathSlugs(fail: ArgFailure, apiName: string, routes: readonly ParsedRoute[], basePath: string, rest: boolean): void {
  const bySlug = new Map<string, { path: string; key: string }>();
  for (const { key, method, path } of routes) {
    const full = joinPath(basePath, path);
    const segments = full === "/" ? [] : full.slice(1).split("/");
    const named = rest ? segments.map((_, index) => `/${segments.slice(0, index + 1).join("/")}`) : [full];
    for (const candidate of named) {
      const slug = rest ? resourceSlug(candidate) : routeSlug(method, candidate);
      const first = bySlug.get(slug);
      if (!first) bySlug.set(slug, { path: candidate, key });
      else if (first.path !== candidate) {
        const names = rest ? `${apiName}-…${slug}` : `${apiName}-…-${slug}`;
        fail(`routes["${key}"]`, key, `makes resources named "${names}" for the path ${candidate}, as route "${first.key}" does for ${first.path}: names read "/" as "-" and drop braces, and Pulumi refuses two resources of one name`, "Rename a path segment of one of the routes so the two paths differ in letters or digits.");
        break;
      }
    }
  }
}

/** The route (or the CORS preflight of its path) that gives a response a name, and how the error reads it. */
interface ResponseOwner {
  key: string;
  /** What of the route's the response is: "mock response", "AWS-service integration's 400 response", … */
  part: string;
}

/**
 * A non-proxy route's method and integration responses are named after its slug (a mock's, and the CORS preflight of
 * a path without an OPTIONS route) or after its slug and each status it answers with (an AWS-service route's,
 * `get-a-400`: routes.ts responseNames), so a route on `/a/400` or `/a-400` meets the 400 response of an AWS-service
 * route on `/a` of its method, and Pulumi refuses the second MethodResponse of one name ("Duplicate resource URN").
 * API Gateway sees two resources, each with its own method; only the logical names meet, which stay (a deployed stack
 * knows its resources by them): the routes are refused instead, the later one naming the earlier. A Lambda route has
 * no such responses (a proxy integration passes the function's).
 */
function validateResponseNames(fail: ArgFailure, apiName: string, routes: readonly ParsedRoute[], basePath: string, cors: boolean): void {
  const owners = new Map<string, ResponseOwner>();
  const claim = (responseSlug: string, owner: ResponseOwner) => {
    const earlier = owners.get(responseSlug);
    if (earlier && earlier.key !== owner.key) {
      const { method, integration } = responseNames(apiName, responseSlug);
      fail(
        `routes["${owner.key}"]`,
        owner.key,
        `gives its ${owner.part} the resource names "${method}" and "${integration}", which route "${earlier.key}"'s ${earlier.part} also gets: these names join the method, the path with "/" read as "-" and an AWS-service route's status, and Pulumi refuses two resources of one name ("Duplicate resource URN")`,
        `Rename a path segment of route "${owner.key}" or route "${earlier.key}" so the names differ, or answer one of them from a Lambda handler (a proxy integration has no method responses). The names are not changed instead: a deployed stack knows its resources by them.`,
      );
    }
    owners.set(responseSlug, owner);
  };
  for (const { key, method, path, route } of routes) {
    const fullPath = joinPath(basePath, path);
    if (route.handler) continue;
    const slug = routeSlug(method, fullPath);
    if (route.integration?.type === "mock") claim(slug, { key, part: "mock response" });
    if (route.integration?.type === "aws") {
      for (const status of AWS_SERVICE_STATUS_CODES) claim(awsServiceResponseSlug(slug, status), { key, part: `AWS-service integration's ${status} response` });
    }
  }
  // The preflights routes.ts makes, after every route.
  if (!cors) return;
  const placed = routes.map(({ key, method, path }) => ({ key, method, fullPath: joinPath(basePath, path) }));
  for (const [fullPath, { first }] of corsPreflightPaths(placed)) {
    claim(routeSlug("OPTIONS", fullPath), { key: first.key, part: `path's CORS preflight response (OPTIONS ${fullPath}, made because cors is set)` });
  }
}

/**
 * A REST route's body model is named after its operation name (routes.ts modelResourceName: the method and the path's
 * words, whatever separates them), so `POST /a_b`, `POST /a.b` and `POST /aB` meet `POST /a/b` there, and Pulumi
 * refuses the second Model of one name ("Duplicate resource URN"). The names stay (a deployed stack knows its models by
 * them): the later route is refused, naming the earlier. Only routes with a requestSchema have a model.
 */
function validateModelNames(fail: ArgFailure, apiName: string, routes: readonly ParsedRoute[]): void {
  const owners = new Map<string, string>();
  for (const { key, method, path, route } of routes) {
    if (route.requestSchema === undefined) continue;
    const model = modelResourceName(apiName, operationName({ method, path }));
    const earlier = owners.get(model);
    if (earlier !== undefined) {
      fail(
        `routes["${key}"]`,
        key,
        `gives its request body model the resource name "${model}", which route "${earlier}"'s model also gets: a model is named after its route's operation name, the method followed by the path's words (split at every character that is not a letter or digit, each capitalised), and Pulumi refuses two resources of one name ("Duplicate resource URN")`,
        `Rename a path segment of route "${key}" or route "${earlier}" so their words differ. The model names are not changed instead: a deployed stack knows its models by them.`,
      );
    }
    owners.set(model, key);
  }
}

/**
 * A usage plan's key is named `<api>-plan-<plan>-<key>` (usage-plans.ts usagePlanKeyName), and plan and key names may
 * hold "-": plan "pro-eu" with key "mobile" meets plan "pro" with key "eu-mobile", and a key listed twice in one plan
 * meets itself. Pulumi refuses the second UsagePlanKey of one name ("Duplicate resource URN"); the names stay (a
 * deployed stack knows its resources by them), so the later pair is refused, naming the earlier.
 */
function validateUsagePlanKeyNames(fail: ArgFailure, apiName: string, args: ServerlessApiArgs): void {
  const owners = new Map<string, { plan: string; key: string }>();
  for (const [plan, { apiKeys }] of Object.entries(args.usagePlans ?? {})) {
    for (const key of apiKeys ?? []) {
      const name = usagePlanKeyName(apiName, plan, key);
      const earlier = owners.get(name);
      if (earlier?.plan === plan) fail(`usagePlans.${plan}.apiKeys`, key, `is listed twice in usage plan "${plan}"`, "List each key once.");
      if (earlier) {
        fail(
          `usagePlans.${plan}.apiKeys`,
          key,
          `gives the usage plan key of key "${key}" in usage plan "${plan}" the resource name "${name}", which key "${earlier.key}" of usage plan "${earlier.plan}" also gets: the name joins the plan's and the key's names with "-", and Pulumi refuses two resources of one name ("Duplicate resource URN")`,
          `Rename usage plan "${plan}" or "${earlier.plan}", or key "${key}" or "${earlier.key}", e.g. with "_" for "-". The names are not changed instead: a deployed stack knows its resources by them.`,
        );
      }
      owners.set(name, { plan, key });
    }
  }
}

/**
 * "An API key can be associated with more than one usage plan. A usage plan can be associated with more than one stage.
 * However, a given API key can only be associated with one usage plan for each stage of your API."
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-create-usage-plans.html, Note; the same in
 * "Usage plans and API keys for REST APIs"). ServerlessApi shares a key between the plans that list it (usage-plans.ts),
 * and a plan without `stages` covers every stage, so two plans listing one key must cover disjoint stages, or the second
 * CreateUsagePlanKey is refused at pulumi up (as ConflictException by the API reference's error list; the exact message
 * is not confirmed). Plans are checked in declaration order, so the error names the later plan and the earlier one.
 */
function validateUsagePlanKeyStages(fail: ArgFailure, args: ServerlessApiArgs, stageNames: readonly string[]): void {
  /** `<key> <stage>` → the plan that holds the key on the stage. */
  const holders = new Map<string, string>();
  for (const [plan, { apiKeys, stages }] of Object.entries(args.usagePlans ?? {})) {
    for (const key of new Set(apiKeys ?? [])) {
      for (const stage of stages ?? stageNames) {
        const earlier = holders.get(`${key} ${stage}`);
        if (earlier !== undefined && earlier !== plan) {
          fail(
            `usagePlans.${plan}.apiKeys`,
            key,
            `is also in usage plan "${earlier}", and both cover stage "${stage}" (a plan without stages covers every stage); API Gateway associates an API key with one usage plan per stage ("a given API key can only be associated with one usage plan for each stage of your API"), so the second CreateUsagePlanKey is refused at pulumi up`,
            `Give the plans disjoint stages (usagePlans.${plan}.stages and usagePlans.${earlier}.stages), or list key "${key}" in one plan.`,
          );
        }
        holders.set(`${key} ${stage}`, plan);
      }
    }
  }
}

/**
 * A REST API's resource tree has one resource per path, and under one parent at most one child whose path part is a
 * variable (`{id}`, `{proxy+}`): CreateResource of a second is refused with "A sibling ({albumId}) of this resource
 * already has a variable path part -- only one is allowed" (BadRequestException; serverless-nextjs/serverless-next.js#206
 * and #938, where the second is `{proxy+}`), which AWS calls "by design" (amazon-archives/aws-apigateway-importer#202).
 * Routes are checked in declaration order, so the error names the later route and the first one it clashes with.
 * https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html
 */
function validateVariableSiblings(fail: ArgFailure, routes: readonly ParsedRoute[]): void {
  const variableUnder = new Map<string, { part: string; key: string }>();
  for (const { key, path } of routes) {
    const segments = path === "/" ? [] : path.slice(1).split("/");
    for (const [index, part] of segments.entries()) {
      if (!part.startsWith("{")) continue;
      const parent = `/${segments.slice(0, index).join("/")}`;
      const first = variableUnder.get(parent);
      if (!first) {
        variableUnder.set(parent, { part, key });
      } else if (first.part !== part) {
        const name = first.part.replace(/[{}+]/g, "");
        fail(
          `routes["${key}"]`,
          part,
          `is a second variable path part under ${parent}, beside ${first.part} of routes["${first.key}"]; a REST API allows one variable path part per level (CreateResource is refused: "A sibling (${first.part}) of this resource already has a variable path part -- only one is allowed")`,
          `Name the parameter ${first.part} in both routes (the handler reads event.pathParameters.${name}), or put one route under a literal segment, e.g. ${parent === "/" ? "" : parent}/by-id/${part}.`,
        );
      }
    }
  }
}

/** A character IAM refuses in a role name (`nameCharacters(IAM_NAME_SYMBOLS)`: CreateRole's `[\w+=,.@-]+`). */
const IAM_REFUSED_CHARACTER = new RegExp(`[^${nameCharacters(IAM_NAME_SYMBOLS)}]`, "u");

/**
 * An AWS-service route's method and path, with the base path, name its IAM role (integrationRoleName), which
 * validateAutonames checks for length and the component name's characters; the path's characters are the route's or
 * the base path's to fix: API Gateway takes "~" in a path segment, IAM not in a role name (CreateRole: "Pattern:
 * [\w+=,.@-]+", https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html), so it fails at `pulumi up`.
 */
function validateIntegrationRolePath(fail: ArgFailure, apiName: string, key: string, { method, path }: { method: HttpMethod; path: string }, basePath: string): void {
  const roleName = integrationRoleName(apiName, routeSlug(method, joinPath(basePath, path)));
  const odd = resourceSlug(path).match(IAM_REFUSED_CHARACTER)?.[0] ?? basePath.match(IAM_REFUSED_CHARACTER)?.[0];
  if (odd === undefined) return;
  const refused = `makes the IAM role name "${roleName}-<random suffix>" hold "${odd}", which IAM refuses (letters, digits and _+=,.@- only)`;
  if (path.includes(odd)) {
    fail(`routes["${key}"].integration`, "aws", refused, `The route's path names the role: use a path without "${odd}" for an AWS-service route, or call the service from a Lambda handler.`);
  }
  fail("basePath", basePath, `${refused} for route "${key}"`, `Use a base path without "${odd}" (it names the role of every AWS-service route), or call the service from a Lambda handler.`);
}

function isMethodResponseStatus(status: unknown): boolean {
  return typeof status === "number" && Number.isInteger(status) && status >= METHOD_RESPONSE_STATUS.min && status <= METHOD_RESPONSE_STATUS.max;
}

/**
 * The most an HTTP route's `integration.timeoutMs` may be (API_INTEGRATION_TIMEOUT_MS): 30,000 on the HTTP kind, a
 * quota API Gateway does not raise; on the REST kind 29,000 for an EDGE API, whose limit API Gateway does not raise
 * either, and 300,000 for a REGIONAL or PRIVATE one, of which everything above 29,000 needs the account's raised quota:
 * that is a warning (integrationTimeoutQuotaWarnings), not a refusal, since the program cannot read the quota and a
 * stack deployed under a raised one must keep deploying. Lambda routes wait functionIntegrationTimeoutMs (at most
 * 29,000: `function.timeout` is at most 29 s) and AWS-service and mock routes set no timeout (API Gateway's default,
 * 29,000), so only HTTP routes can ask for more.
 */
function validateIntegrationTimeout(fail: ArgFailure, key: string, route: ApiRoute, args: ServerlessApiArgs): void {
  const integration = route.integration;
  if (integration?.type !== "http" || typeof integration.timeoutMs !== "number") return;
  const argument = `routes["${key}"].integration.timeoutMs`;
  const timeoutMs = integration.timeoutMs;
  const { defaultQuota, restMax, httpMax } = API_INTEGRATION_TIMEOUT_MS;
  if (args.kind === ApiKind.Http) {
    // The HTTP kind used to cut a longer timeout down to 29,000 without a word; it is refused instead, so what the
    // user reads is what API Gateway waits.
    if (timeoutMs > httpMax) {
      fail(argument, timeoutMs, `is over ${httpMax} ms, the longest an HTTP API waits for an integration (a quota API Gateway does not raise)`,
        `Use at most ${httpMax}, or kind: ApiKind.Rest with a REGIONAL endpoint, whose integrations may wait up to ${restMax} once the account's quota is raised.`);
    }
    return;
  }
  if (args.endpointType === "EDGE" && timeoutMs > defaultQuota) {
    fail(argument, timeoutMs, `is over ${defaultQuota} ms, the longest an EDGE API's integration waits: API Gateway raises it only for REGIONAL and PRIVATE REST APIs`,
      `Use at most ${defaultQuota}, or endpointType "REGIONAL" with the account's integration timeout quota raised.`);
  }
  if (timeoutMs > restMax) {
    fail(argument, timeoutMs, `is over ${restMax} ms, the longest API Gateway waits for a REST integration, whatever the quota`,
      `Use at most ${restMax} (above ${defaultQuota} only with the account's quota raised), or hand long work to a queue and answer at once.`);
  }
}

/**
 * A warning for each HTTP route of a REGIONAL or PRIVATE REST API that asks API Gateway to wait longer than its default
 * 29,000 ms (validateIntegrationTimeout refuses what no quota allows). The quota is the account's, per region, and
 * adjustable (API_INTEGRATION_TIMEOUT_MS), so, as for ACM's names per certificate (StaticSite), ServerlessApi warns
 * rather than refuses: the program cannot read it, and a stack deployed under a raised one keeps deploying. That
 * raising it "might require a reduction in your account-level throttle quota limit" is AWS's launch note
 * (https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/).
 */
export function integrationTimeoutQuotaWarnings(name: string, args: ServerlessApiArgs): string[] {
  if (args.kind === ApiKind.Http || args.endpointType === "EDGE") return [];
  const { defaultQuota } = API_INTEGRATION_TIMEOUT_MS;
  return Object.entries(args.routes ?? {}).flatMap(([key, route]) => {
    const integration = route?.integration;
    if (integration?.type !== "http" || integration.timeoutMs === undefined || integration.timeoutMs <= defaultQuota) return [];
    return [
      `ServerlessApi "${name}": routes["${key}"].integration.timeoutMs ${integration.timeoutMs} is over API Gateway's default integration timeout, ${defaultQuota} ms. ` +
        `"You can increase the default value to longer than 29 seconds for Regional or private APIs only" (https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html), ` +
        `through the account's quota in the API's region (Service Quotas, Amazon API Gateway): unless it was raised to ${integration.timeoutMs} ms or more, API Gateway refuses the integration. ` +
        `Raise it (a raised timeout may lower the account's throttle quota), or use at most ${defaultQuota}.`,
    ];
  });
}

/**
 * A custom domain's `basePath`, the path the API is mapped under: the characters and length API Gateway takes for an
 * API mapping (API_MAPPING_CHARACTERS), levels without empty ones, and on the REST kind one level. The REST kind maps its
 * domain with a v1 base path mapping (domain.ts), which refuses "/": "API Gateway V1 doesn't support the slash
 * character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2."
 * (CreateBasePathMapping's BadRequestException, quoted in hashicorp/terraform-provider-aws#21986 and aws/aws-cdk#14822);
 * the HTTP kind's API mapping takes several ("To configure API mappings with multiple levels, you must use a Regional
 * custom domain name with the TLS 1.2 security policy", http-api-mappings.html: its domain is one, http-api.ts). An
 * empty level (a leading, trailing or doubled "/") is refused too: AWS documents no such path, and aws-cdk's
 * BasePathMapping refuses it ("A base path cannot start or end with /", "cannot have more than one consecutive /",
 * aws/aws-cdk#23362); whether API Gateway itself refuses it is not confirmed.
 */
function validateDomainBasePath(fail: ArgFailure, basePath: string, kind: ApiKind): void {
  const argument = "domain.basePath";
  if (typeof basePath !== "string") return fail(argument, basePath, "is not a path", 'Use e.g. "v1", or "" to map the API at the root.');
  if (basePath === "") return;
  const levels = basePath.split("/");
  if (levels.some((level) => level === "")) {
    const tidy = levels.filter(Boolean).join("/");
    fail(argument, basePath, 'starts or ends with "/", or has an empty level between two "/"; API Gateway maps a path of levels without them',
      `Write it without leading, trailing or doubled slashes: ${JSON.stringify(tidy)}${tidy === "" ? " (the root)" : ""}.`);
  }
  const refused = [...new Set(levels.join("").replace(API_MAPPING_CHARACTERS, ""))];
  if (refused.length > 0) {
    const between = kind === ApiKind.Http ? ' with "/" between levels' : "";
    fail(argument, basePath, `has characters an API mapping does not take (${refused.map((c) => JSON.stringify(c)).join(", ")}): API Gateway takes letters, digits and $-_.+!*'()${between} (rest-api-mappings.html)`, basePathWithoutRefused(levels, kind));
  }
  if (basePath.length > API_MAPPING_PATH_LENGTH) {
    fail(argument, basePath, `is ${basePath.length} characters long, over the ${API_MAPPING_PATH_LENGTH} API Gateway takes for an API mapping's path`, `Shorten it to at most ${API_MAPPING_PATH_LENGTH} characters.`);
  }
  if (kind !== ApiKind.Http && levels.length > 1) {
    const [first, ...rest] = levels;
    fail(
      argument,
      basePath,
      `has several levels, and a REST API's domain is mapped by a base path mapping (API Gateway v1), which refuses them: "API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2."`,
      `Map one level, e.g. ${JSON.stringify(levels.join("-"))}, or ${JSON.stringify(first)} with the rest in the API's own basePath (routes then answer under /${first}/${rest.join("/")}/…), or use kind: ApiKind.Http, whose API mapping takes several levels.`,
    );
  }
}

/**
 * The fix for a base path with characters an API mapping refuses: the path with them removed, when that is a path this
 * kind maps (levels left non-empty, at most API_MAPPING_PATH_LENGTH; a REST API's levels joined with "-", as the
 * several-levels refusal suggests, its base path mapping taking one level); else an example.
 */
function basePathWithoutRefused(levels: string[], kind: ApiKind): string {
  const kept = levels.map((level) => (level.match(API_MAPPING_CHARACTERS) ?? []).join("")).filter(Boolean);
  const path = kept.join(kind === ApiKind.Http ? "/" : "-");
  if (path === "" || path.length > API_MAPPING_PATH_LENGTH) return 'Use e.g. "v1", or "" to map the API at the root.';
  // The path shown joins a REST API's levels with "-": say so, or "Remove them" misdescribes the change.
  const joined = kind !== ApiKind.Http && kept.length > 1 ? ' and join the levels with "-" (a REST base path mapping takes one level)' : "";
  return `Remove them${joined}: ${JSON.stringify(path)}.`;
}

/**
 * A greedy `{x+}` in an HTTP integration's `uri` is read by no mapping ServerlessApi makes (REST: `{x}` from
 * `method.request.path.x`, routes.ts; the HTTP kind's private integrations: overwritePath; what API Gateway does with
 * the unmapped text is not confirmed), and `npm start` looked up a parameter named "x+" and sent an empty segment; `{x}` is given the route's `{x+}` value,
 * slashes included ("$request.path.proxy [...] will give you the value \"user/add\"",
 * https://repost.aws/questions/QU8_a_LKzJT86VCIV4-J3cpA).
 */
function validateHttpIntegrationUri(fail: ArgFailure, key: string, route: ApiRoute): void {
  const integration = route.integration;
  if (integration?.type !== "http") return;
  for (const [, greedy] of (integration.uri ?? "").matchAll(/\{([A-Za-z0-9_]+)\+\}/g)) {
    fail(`routes["${key}"].integration.uri`, integration.uri, `names the greedy {${greedy}+}, which an HTTP integration's uri does not take: its mapping reads {${greedy}}`,
      `Write {${greedy}}: it is given the route's {${greedy}+} value, slashes included.`);
  }
}

/**
 * `resourcePolicy.allowAccounts` makes the policy's only Allow one for the accounts' principals (policy.ts). A method
 * that is not AWS_IAM has no principal to match it, so every call is denied: "In this workflow, an API Gateway resource
 * policy is attached to the API, but no authentication type is defined for the API. Evaluation of the policy involves
 * seeking an explicit allow based on the inbound criteria of the caller. An implicit denial or any explicit denial
 * results in denying the caller" (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html),
 * and for a policy whose Principal is an AWS principal, "You must use AWS_IAM authorization for every method in your
 * API, or else your API returns the previous error message" ({"Message":"User: anonymous is not authorized to perform:
 * execute-api:Invoke on resource: …"}, https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html).
 * That includes the CORS preflight mocks (routes.ts createCorsPreflights: authorization NONE) on every path without its
 * own OPTIONS route, and Cognito-authorised methods ("an explicit allow is required. A deny or 'neither allow or deny'
 * results in a deny", same page). A Lambda (token or request) authorizer's method is not refused: API Gateway checks the
 * policy for an explicit deny, calls the authorizer, and decides by Table A, where the authorizer's Allow with a policy
 * that neither allows nor denies the caller is Allow; there `allowAccounts` restricts nothing. Refused rather than
 * widened with a `Principal: "*"` Allow on the other methods: the argument promises that only these accounts'
 * principals get in.
 */
function validateAllowAccountsMethods(fail: ArgFailure, args: ServerlessApiArgs): void {
  const accounts = args.resourcePolicy?.allowAccounts;
  if (!accounts?.length || args.kind === ApiKind.Http) return;
  const only = `is the resource policy's only Allow (account principals), so`;
  for (const [key, route] of Object.entries(args.routes ?? {})) {
    const auth = route?.auth ?? args.defaultAuth ?? "iam";
    if (auth === "iam") continue;
    const authorizer = typeof auth === "object" && auth ? args.authorizers?.[auth.authorizer] : undefined;
    if (authorizer && authorizer.type !== "cognito") continue;
    const described = typeof auth === "object" && auth ? `Cognito authorizer ${JSON.stringify(auth.authorizer)}` : `auth ${JSON.stringify(auth)}`;
    return fail("resourcePolicy.allowAccounts", accounts,
      `${only} route "${key}" (${described}), which the policy must explicitly allow, would answer every caller 403 "User: anonymous is not authorized to perform: execute-api:Invoke" (apigateway-authorization-flow.html: "An implicit denial or any explicit denial results in denying the caller")`,
      'Give the route auth: "iam" (or a Lambda authorizer, which decides by itself), or drop allowAccounts and restrict callers with allowSourceIps.');
  }
  if (!args.cors) return;
  const methodsByPath = new Map<string, string[]>();
  for (const key of Object.keys(args.routes ?? {})) {
    const match = ROUTE_KEY.exec(key);
    if (match) methodsByPath.set(match[2], [...(methodsByPath.get(match[2]) ?? []), match[1]]);
  }
  const preflighted = [...methodsByPath].find(([, methods]) => !methods.includes("OPTIONS"));
  if (preflighted) {
    fail("resourcePolicy.allowAccounts", accounts,
      `${only} the CORS preflight (OPTIONS) of ${preflighted[0]}, which API Gateway answers without authorization, would answer every browser 403`,
      "Drop cors (serve the API behind the site's CloudFront, same origin), or drop allowAccounts.");
  }
}

/**
 * Each `${stageVariables.x}` an HTTP integration's `uri` names must be a variable of every stage of the API (the `alias`
 * ServerlessApi sets on each counts; a canary's override alone does not: the stage's other requests lack it). AWS
 * documents the substitution (args.ts uriStageVariables) but not what an undefined name becomes; LocalStack, which
 * follows AWS's URI rendering, renders it empty ("Invalid URL 'https:///xyz-service/…': No host supplied",
 * localstack/localstack#8567), so that stage would call a backend with no host or an empty segment. In an HTTP-kind
 * private integration the uri is read at construction (vpc-link.ts overwritePath, serverNameToVerify), so a stage
 * variable there would reach the backend as literal text.
 */
function validateUriStageVariables(fail: ArgFailure, key: string, route: ApiRoute, args: ServerlessApiArgs, stageNames: readonly string[]): void {
  const integration = route.integration;
  if (integration?.type !== "http" || typeof integration.uri !== "string") return;
  const names = uriStageVariables(integration.uri);
  if (names.length === 0) return;
  const where = `routes["${key}"].integration.uri`;
  if (args.kind === ApiKind.Http && integration.vpcLink !== undefined) {
    return fail(where, integration.uri,
      "names a stage variable in an HTTP API's private integration, whose backend path (overwrite:path) and TLS server name ServerlessApi reads from the uri when it is built, not per stage",
      "Write the backend's host and path into the uri.");
  }
  for (const stage of stageNames) {
    const defined: Record<string, string> = { ...(args.stages?.[stage]?.variables ?? {}), alias: stage };
    for (const name of names) {
      if (defined[name] !== undefined) continue;
      fail(where, integration.uri, `names the stage variable "${name}", which stage "${stage}" does not define: API Gateway would call that stage's backend with an empty value there`,
        `Set stages.${stage}.variables.${name}, or write the value into the uri.`);
    }
  }
}

/**
 * A REST HTTP integration maps each `{x}` of its URI from `method.request.path.x` (routes.ts), and PutIntegration
 * refuses a mapping from a path parameter the method lacks: "Invalid mapping expression specified: Validation Result:
 * warnings : [], errors : [Invalid mapping expression parameter specified: method.request.path.page]" (aws/aws-cdk#17318).
 */
function validateRestHttpIntegration(fail: ArgFailure, key: string, path: string, route: ApiRoute): void {
  const integration = route.integration;
  if (integration?.type !== "http") return;
  const { missing, fix } = uriParametersNotInRoute(path, integration.uri);
  for (const parameter of missing) {
    fail(`routes["${key}"].integration.uri`, integration.uri,
      `maps {${parameter}} from method.request.path.${parameter}, a path parameter the route does not have, which PutIntegration refuses ("Invalid mapping expression parameter specified: method.request.path.${parameter}")`, fix);
  }
}

/**
 * A route's `integration.method` (REST: an HTTP or AWS-service integration's `integrationHttpMethod`; HTTP kind: an
 * HTTP integration's `integrationMethod`) is one of HTTP_METHODS as written: the provider checks both
 * case-sensitively, `validation.StringInSlice([]string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST",
 * "PUT"}, false)` — terraform-provider-aws internal/service/apigateway `validHTTPMethod` on
 * `aws_api_gateway_integration.integration_http_method`, and internal/service/apigatewayv2 `validHTTPMethod` (its own
 * copy, validate.go) on `aws_apigatewayv2_integration.integration_method`, in every stored version of
 * apigatewayv2/integration.go from the SDK v1 one to the aws-sdk-go-v2 one. So `"get"` stops `pulumi preview` (the
 * deploy rules ApiMethodHttpMethod and ApiV2IntegrationMethod find it in a plan). Refused rather than upper-cased, as
 * the REST kind always did: what is written is what is deployed.
 */
function validateIntegrationMethod(fail: ArgFailure, key: string, route: ApiRoute): void {
  const integration = route.integration;
  if ((integration?.type !== "http" && integration?.type !== "aws") || integration.method === undefined) return;
  const methods: readonly string[] = HTTP_METHODS;
  if (methods.includes(integration.method)) return;
  const upper = String(integration.method).toUpperCase();
  fail(`routes["${key}"].integration.method`, integration.method, `is not one of ${HTTP_METHODS.join(", ")} as written; the provider checks an integration's method case-sensitively, so \`pulumi preview\` fails on it`,
    methods.includes(upper) ? `Write "${upper}".` : `Use one of ${HTTP_METHODS.join(", ")}.`);
}

/**
 * The `{name}`s of an HTTP integration's `uri` that are not among the route's path parameters (a route's greedy `{x+}`
 * is the parameter `x`), each read from the route's path (REST: `method.request.path.<name>`, routes.ts; HTTP kind's
 * private integrations: `overwrite:path`, vpc-link.ts), and the fix that lists the route's parameters.
 */
function uriParametersNotInRoute(path: string, uri: string | undefined): { missing: string[]; fix: string } {
  const pathParameters = [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1]);
  const missing = [...(uri ?? "").matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).filter((parameter) => !pathParameters.includes(parameter));
  return { missing, fix: `Use one of the route's path parameters: ${pathParameters.map((p) => `{${p}}`).join(", ") || "(the route has none)"}.` };
}

/**
 * A private integration's `vpcLink`, by kind (vpc-link.ts has the AWS sources). REST: exactly one of `id` (an existing
 * link) and `targetArn`, a Network Load Balancer's ARN: a REST VPC link (v1) targets one NLB, and CreateVpcLink fails
 * for an Application Load Balancer's ARN with "FAILED: NLB ARN is malformed" (hashicorp/terraform-provider-aws#30910).
 * HTTP kind: a listener's ARN ("provide the listener ARN of the load balancer", http-api-develop-integrations-private.html)
 * with an existing link's `id`, or with the subnets (and security groups) of the VPC link v2 to create. A load balancer
 * in another region is refused: a VPC link is created "under the caller's account in a selected region"
 * (API_CreateVpcLink) and "you must have a network load balancer running in the region where you create the VpcLink"
 * (https://docs.aws.amazon.com/apigateway/api-reference/link-relation/vpclink-create/). The account is not checked
 * (ServerlessApi does not know it at construction): "The network load balancer must be owned by the same AWS account of
 * the API owner." `apiRegion` is undefined under an explicit provider, whose region only the deploy rules see.
 */
function validateVpcLink(fail: ArgFailure, key: string, path: string, route: ApiRoute, kind: ApiKind, apiRegion: string | undefined): void {
  const integration = route.integration;
  if (integration?.type !== "http" || integration.vpcLink === undefined) return;
  const where = `routes["${key}"].integration.vpcLink`;
  const link = integration.vpcLink as Record<string, unknown>;
  if (typeof link !== "object" || link === null) {
    return fail(where, link, "is not a VPC link", kind === ApiKind.Http ? "Use { listenerArn, subnetIds, securityGroupIds } or { id, listenerArn }." : 'Use { targetArn: "<NLB ARN>" } or { id: "<VPC link id>" }.');
  }
  const sameRegion = (argument: string, arn: string, what: string) => {
    const region = arnRegion(arn);
    if (apiRegion && region && region !== apiRegion) {
      fail(argument, arn, `is in ${region}, but a VPC link reaches a load balancer in its API's region, ${apiRegion}`, `Use ${what} in ${apiRegion}, or create the API in ${region}.`);
    }
  };
  if (kind !== ApiKind.Http) {
    if (link.listenerArn !== undefined) {
      fail(`${where}.listenerArn`, link.listenerArn, "is the HTTP kind's (a VPC link v2 to a listener); a REST API's VPC link targets a Network Load Balancer", 'Use { targetArn: "<NLB ARN>" } or { id }, or kind: ApiKind.Http.');
    }
    // Read as restVpcLinks reads it (vpc-link.ts): a key holding undefined is absent.
    const existing = link.id !== undefined;
    if (existing === isRestLinkTarget(link)) {
      fail(where, link, "needs exactly one of id (an existing VPC link) and targetArn (a Network Load Balancer ServerlessApi links to)",
        'Pass { targetArn: "arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>" }, or { id } of a link that exists (share one between APIs).');
    }
    if (!isRestLinkTarget(link)) return;
    const targetArn: unknown = link.targetArn;
    if (typeof targetArn !== "string" || !NLB_ARN.test(targetArn)) {
      fail(`${where}.targetArn`, targetArn,
        `is not a Network Load Balancer's ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>), the only target a REST API's VPC link takes (CreateVpcLink fails "NLB ARN is malformed" for an Application Load Balancer)`,
        "Pass the NLB's ARN as a string (a link to an NLB known only at deploy time: create the aws.apigateway.VpcLink and pass { id }); for an Application Load Balancer, put an NLB in front of it, or use kind: ApiKind.Http with { listenerArn, subnetIds, securityGroupIds }.");
    }
    sameRegion(`${where}.targetArn`, targetArn as string, "a Network Load Balancer");
    return;
  }
  if (link.targetArn !== undefined) {
    fail(`${where}.targetArn`, link.targetArn, "is a REST API's (a VPC link v1 to a Network Load Balancer); an HTTP API's private integration targets a listener through a VPC link v2", "Use { listenerArn, subnetIds, securityGroupIds } or { id, listenerArn }.");
  }
  const listenerArn = link.listenerArn;
  if (typeof listenerArn !== "string" || !LISTENER_ARN.test(listenerArn)) {
    fail(`${where}.listenerArn`, listenerArn, "is not a load balancer listener's ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/<app|net>/<name>/<id>/<id>), which an HTTP API's private integration targets",
      `Use the listener's ARN, e.g. aws.lb.Listener's arn.${typeof listenerArn === "string" && listenerArn.includes(":servicediscovery:") ? " Cloud Map services are not supported by ServerlessApi: create the aws.apigatewayv2.Integration yourself." : ""}`);
  }
  sameRegion(`${where}.listenerArn`, listenerArn as string, "a listener");
  // The backend's path is `uri`'s, each `{name}` read from the route's path (vpc-link.ts overwritePath), as the REST
  // kind maps them (validateRestHttpIntegration).
  const { missing, fix } = uriParametersNotInRoute(path, integration.uri);
  for (const parameter of missing) {
    fail(`routes["${key}"].integration.uri`, integration.uri, `names {${parameter}}, which the backend's path (overwrite:path) reads from \${request.path.${parameter}}, a path parameter the route does not have`, fix);
  }
  // overwrite:path replaces the path only, and a query string in `uri` would never reach the backend; `npm start`
  // (local/api-gateway.ts httpProxy) sends it. Refused, so both send the same request.
  const query = (integration.uri ?? "").indexOf("?");
  if (query !== -1) {
    fail(`routes["${key}"].integration.uri`, integration.uri,
      "has a query string, which an HTTP API's private integration does not send: the backend gets only the uri's path (overwrite:path), while npm start would send the query",
      `Remove ${JSON.stringify(integration.uri!.slice(query))}; the client's own query string is passed through.`);
  }
  if (!isNewHttpApiLink(link as HttpApiVpcLink)) {
    if (link.subnetIds !== undefined || link.securityGroupIds !== undefined) {
      fail(where, link, "gives both an existing link's id and the subnets or security groups of a link to create", "Pass { id, listenerArn } to use the link, or { listenerArn, subnetIds, securityGroupIds } to have ServerlessApi create one.");
    }
    return;
  }
  // CreateVpcLink (v2): SubnetIds required; security groups given as this component's argument (pulumi-aws 7.48
  // apigatewayv2 VpcLinkArgs: both required inputs). Strings: one link per distinct set is keyed by them (vpc-link.ts).
  for (const argument of ["subnetIds", "securityGroupIds"] as const) {
    const ids = link[argument];
    if (!Array.isArray(ids) || ids.length === 0) {
      const what = argument === "subnetIds" ? "subnets" : "security groups";
      fail(`${where}.${argument}`, ids, `is empty; a VPC link v2 makes its network interfaces in these ${what}`,
        `List the ${what} ${argument === "subnetIds" ? "the load balancer is reachable from" : "whose rules let the load balancer's listener accept the link's traffic"} as strings, or pass { id, listenerArn } of an existing link.`);
    }
    (ids as unknown[]).forEach((id, index) => {
      const prefix = argument === "subnetIds" ? "subnet-" : "sg-";
      if (typeof id !== "string" || !id.startsWith(prefix)) {
        fail(`${where}.${argument}[${index}]`, id, `is not a ${argument === "subnetIds" ? "subnet" : "security group"} id known at construction`, `Use e.g. "${prefix}0123456789abcdef0"; a link whose ids are Outputs: create the aws.apigatewayv2.VpcLink and pass { id, listenerArn }.`);
      }
    });
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

/** `functionName` is the route's function resource name (routeFunctionName) when it has a handler. */
function validateRoute(
  fail: ArgFailure,
  key: string,
  { method, path }: { method: HttpMethod; path: string },
  functionName: string | undefined,
  route: ApiRoute,
  authorizers: Record<string, ApiAuthorizer>,
): void {
  const where = `routes["${key}"]`;
  if (!route.handler === !route.integration) {
    fail(where, Object.keys(route), "needs exactly one of handler and integration", 'Set handler: "handlers/api/<name>.ts" for a Lambda route, or an integration (mock, http, aws).');
  }
  if (route.handler !== undefined) checkEntry(fail, `${where}.handler`, route.handler);
  if (route.export !== undefined && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(route.export)) fail(`${where}.export`, route.export, "is not an identifier", "Name the exported function.");
  if (route.function) validateFunction(fail, `${where}.function`, route.function);
  if (functionName !== undefined) {
    // The route's own name goes into the function's name too; the whole name's length is checked with the component
    // name's characters (validateAutonames in validateArgs).
    if (route.name !== undefined && !LAMBDA_NAME_PART.test(route.name)) fail(`${where}.name`, route.name, "is not a resource name", 'Use letters, digits, "-" and "_" (Lambda\'s function name characters).');
  }
  if (route.auth !== undefined) validateAuth(fail, `${where}.auth`, route.auth, authorizers);
  if (route.requestSchema !== undefined) {
    if (typeof route.requestSchema !== "object" || route.requestSchema === null || Array.isArray(route.requestSchema)) {
      fail(`${where}.requestSchema`, route.requestSchema, "is not a JSON Schema object", "Pass a JSON Schema (draft 4), e.g. requestModel(zodSchema) (exported by this package).");
    }
    if (!BODY_METHODS.has(method)) fail(`${where}.requestSchema`, method, "is set on a method without a body", "Only POST, PUT, PATCH (and ANY) routes take a request schema.");
  }
  const integration = route.integration;
  if (integration?.type === "http" && !/^https?:\/\//.test(integration.uri ?? "")) {
    fail(`${where}.integration.uri`, integration.uri, "is not an http(s) URL", 'Use e.g. "https://backend.example.com/items/{id}".');
  }
  // The least API Gateway waits, on both kinds (API_INTEGRATION_TIMEOUT_MS); the most depends on the kind and the
  // endpoint type (validateIntegrationTimeout).
  if (integration?.type === "http" && integration.timeoutMs !== undefined && (!Number.isInteger(integration.timeoutMs) || integration.timeoutMs < API_INTEGRATION_TIMEOUT_MS.min)) {
    fail(`${where}.integration.timeoutMs`, integration.timeoutMs, `is not a whole number of milliseconds of at least ${API_INTEGRATION_TIMEOUT_MS.min}, the shortest API Gateway waits for an integration`, "Use e.g. 5000, or drop it for the 29000 default.");
  }
  // The mock's status becomes its method and integration responses' statusCode and the `{"statusCode": …}` its request
  // template selects them by: a status PutMethodResponse refuses fails at `pulumi up` (METHOD_RESPONSE_STATUS), and the
  // local gateway would answer with it (or, under 100, fail to).
  if (integration?.type === "mock" && integration.statusCode !== undefined && !isMethodResponseStatus(integration.statusCode)) {
    fail(`${where}.integration.statusCode`, integration.statusCode, `is not an HTTP status a method response takes (API Gateway's pattern [1-5]\\d\\d: a whole number from ${METHOD_RESPONSE_STATUS.min} to ${METHOD_RESPONSE_STATUS.max})`, "Use e.g. 200, 204 or 503.");
  }
  if (integration?.type === "aws") {
    if (!/^[a-z0-9-]+$/.test(integration.service ?? "")) fail(`${where}.integration.service`, integration.service, "is not an AWS service subdomain", 'Use e.g. "s3" or "sqs".');
    if (!integration.permissions?.length) fail(`${where}.integration.permissions`, integration.permissions, "is empty; the integration's role could do nothing", 'Grant the exact action, e.g. { actions: ["s3:PutObject"], resources: [`${bucketArn}/uploads/*`] }.');
    assertLeastPrivilege(fail, `${where}.integration.permissions`, integration.permissions ?? []);
    validateAwsServiceCall(fail, where, integration);
    validateRequestParameters(fail, `${where}.integration`, path, integration.requestParameters ?? {});
  }
  if (integration) validateTemplatesOnlyOnAws(fail, where, integration as unknown as { type?: string } & Record<string, unknown>);
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

function validateAuthorizer(fail: ArgFailure, name: string, authorizer: ApiAuthorizer, kind: ApiKind): void {
  const where = `authorizers.${name}`;
  if (!NAME.test(name)) fail(where, name, "is not an authorizer name", "Use letters, digits and hyphens.");
  if (authorizer.type === "cognito") {
    if (!authorizer.userPoolArns?.length) fail(`${where}.userPoolArns`, authorizer.userPoolArns, "is empty", "Pass the user pool ARN(s), e.g. [auth.userPoolArn].");
    validateIdentitySource(fail, where, authorizer.identitySource, kind === ApiKind.Http ? "jwt" : "cognito");
    return;
  }
  if (authorizer.type !== "token" && authorizer.type !== "request") fail(`${where}.type`, (authorizer as { type: string }).type, "is not an authorizer type", 'Use "cognito", "token" or "request".');
  // The HTTP kind refuses Lambda authorizers (validateHttpKind), so these are REST's.
  validateIdentitySource(fail, where, authorizer.identitySource, authorizer.type, (authorizer.resultTtlSeconds ?? 300) > 0);
  checkEntry(fail, `${where}.handler`, authorizer.handler);
  if (authorizer.function) validateFunction(fail, `${where}.function`, authorizer.function);
  // AuthorizerResultTtlInSeconds: "If it equals 0, authorization caching is disabled ... The maximum value is 3600, or 1
  // hour." (https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html)
  checkWholeNumberInRange(fail, `${where}.resultTtlSeconds`, authorizer.resultTtlSeconds, { min: 0, max: 3600 }, { limit: "API Gateway's range", unit: "seconds" });
}

/**
 * An authorizer's `identitySource` in the form its kind of authorizer takes (identity-source.ts has AWS's forms and
 * words); unset takes the default, `method.request.header.Authorization`. `npm start` reads the same forms, so a value
 * refused here would otherwise work locally and fail at pulumi up (the console's "Token source" asks for a bare
 * header name).
 */
function validateIdentitySource(fail: ArgFailure, where: string, source: unknown, kind: IdentitySourceKind, cachingOn = true): void {
  if (source === undefined) return;
  if (typeof source !== "string") fail(`${where}.identitySource`, source, "is not a string", 'Write a mapping expression, e.g. "method.request.header.Authorization".');
  const refused = identitySourceProblem(kind, source as string, cachingOn);
  if (refused) fail(`${where}.identitySource`, source, refused.problem, `${refused.fix[0].toUpperCase()}${refused.fix.slice(1)}.`);
}

function validateStage(fail: ArgFailure, name: string, stage: ApiStage, aliased: boolean, aliases: AliasNames): void {
  const where = `stages.${name}`;
  if (!STAGE_NAME.test(name)) fail("stages", name, "is not a stage name", "Use 1–128 letters, digits, hyphens and underscores, e.g. dev, test, prod.");
  if (aliased && !LAMBDA_ALIAS_NAME.test(name)) {
    fail("stages", name, "is all digits, and each stage names a Lambda alias of every route function, which Lambda refuses for all-digit names", "Start the stage name with a letter, e.g. v2024.");
  }
  const variables = stage.variables ?? {};
  validateStageVariables(fail, `${where}.variables`, variables);
  if (variables.alias !== undefined && variables.alias !== name) {
    fail(`${where}.variables.alias`, variables.alias, `is set by ServerlessApi to the stage's name ("${name}"): it names the Lambda alias the stage's routes call, so another value would be replaced`,
      "Remove it, or give your variable another name; a canary calls another alias with canary.stageVariableOverrides.alias.");
  }
  // normalise() adds `alias` to every stage's variables (the REST kind's functions are called through it).
  const variableCount = Object.keys({ ...variables, alias: name }).length;
  if (variableCount > STAGE_VARIABLES_PER_STAGE) {
    fail(
      `${where}.variables`,
      Object.keys(variables).length,
      `variables, with the "alias" variable ServerlessApi adds to every stage, make ${variableCount}, over API Gateway's ${STAGE_VARIABLES_PER_STAGE} stage variables per stage (a quota it does not raise)`,
      `Declare at most ${STAGE_VARIABLES_PER_STAGE - 1} (alias is set for you), e.g. by moving settings into the functions' environment (functionDefaults.environment).`,
    );
  }
  if (stage.throttle) validateThrottle(fail, `${where}.throttle`, stage.throttle);
  if (stage.canary) validateCanary(fail, name, stage.canary, `${where}.canary`, aliased, aliases);
}

/** The Lambda alias names a REST API's stages and canaries take: each stage's name, each canary's alias. */
interface AliasNames {
  stages: readonly string[];
  /** The stages' names and every canary's alias, the top-level canary's included. */
  taken: ReadonlySet<string>;
}

function aliasNames(args: ServerlessApiArgs, stageNames: readonly string[]): AliasNames {
  const canaries = stageNames.flatMap((stage) => stageCanary(args, stage)?.alias ?? []);
  // The top-level canary counts even on a stage that has its own (refused below as "Set the canary in one place").
  const flat = args.canary ? [canaryAlias(args.canary.stage, args.canary)] : [];
  return { stages: stageNames, taken: new Set([...stageNames, ...canaries, ...flat]) };
}

/**
 * A canary alias for stage `stageName` that a refusal can offer as its fix, and that the checks here then accept: a
 * Lambda alias name (LAMBDA_ALIAS_NAME: 1–128 letters, digits, "-" and "_", not all digits; API_CreateAlias) that no
 * stage and no canary has. `<stage>-canary` (the default) when it is one, else `<stage>-next`, else numbered; the
 * stage's part is cut so the name stays within 128 (a stage name is already letters, digits, "-" and "_").
 */
function suggestedCanaryAlias(stageName: string, taken: ReadonlySet<string>): string {
  for (let attempt = 0; ; attempt++) {
    const suffix = attempt === 0 ? "-canary" : attempt === 1 ? "-next" : `-canary${attempt}`;
    const alias = `${stageName.slice(0, LAMBDA_ALIAS_NAME_LENGTH - suffix.length)}${suffix}`;
    if (LAMBDA_ALIAS_NAME.test(alias) && !taken.has(alias)) return alias;
  }
}

/** `, e.g. to "<name>"`: stage `stage` with "_" for "-", when no stage or canary has that name (else nothing). */
function stageRenameExample(stage: string, taken: ReadonlySet<string>): string {
  const renamed = stage.replaceAll("-", "_");
  return taken.has(renamed) ? "" : `, e.g. to "${renamed}"`;
}

/** `e.g. "<alias>"`, saying when the alias is the stage's default canary alias, which dropping the override gives. */
function canaryAliasExample(stageName: string, taken: ReadonlySet<string>): string {
  const alias = suggestedCanaryAlias(stageName, taken);
  return alias === `${stageName}-canary` ? `e.g. "${alias}" (or drop it: that is the default, "<stage>-canary")` : `e.g. "${alias}"`;
}

/**
 * A stage's canary, given on the stage (`where` "stages.<stage>.canary") or by the top-level `canary` argument (`where`
 * "canary"): its refusals name the argument the user wrote. On the REST kind its alias (the `alias` override, or
 * `<stage>-canary`) is a Lambda alias of every route function beside the stages' own.
 */
function validateCanary(fail: ArgFailure, stageName: string, canary: ApiCanary, where: string, aliased: boolean, aliases: AliasNames): void {
  // The argument that names the canary's stage: the top-level canary's `stage`, else the stage's key.
  const stageArgument = where === "canary" ? "canary.stage" : "stages";
  if (aliased) {
    const override = canary.stageVariableOverrides?.alias;
    const alias = canaryAlias(stageName, canary);
    const { stages: stageNames, taken } = aliases;
    if (override !== undefined && !LAMBDA_ALIAS_NAME.test(override)) {
      fail(`${where}.stageVariableOverrides.alias`, override, "names the canary's Lambda alias, and Lambda alias names are 1–128 letters, digits, hyphens and underscores, not all digits", `Use ${canaryAliasExample(stageName, taken)}.`);
    } else if (override !== undefined && stageNames.includes(override)) {
      // Every stage is an alias of every route function: a second alias of the same name fails CreateAlias (ResourceConflictException).
      fail(`${where}.stageVariableOverrides.alias`, override, "is also a stage's name, and each stage already names a Lambda alias of every route function", `Use a name no stage has, ${canaryAliasExample(stageName, taken)}.`);
    } else if (override === undefined && stageNames.includes(alias)) {
      // No override fixes this: the stage's canary and stage <stage>-canary both make the log group
      // `<api>-execution-logs-<stage>-canary` (validateStageResourceNames), whatever the canary's alias.
      fail(stageArgument, stageName, `gives its canary the Lambda alias "${alias}", which stage ${alias} already names (each stage names an alias of every route function); its canary's resources are also named like that stage's (the execution log group "<api>-execution-logs-${alias}"), so no alias override makes the two fit`,
        `Rename stage ${alias}${stageRenameExample(alias, taken)}, or stage ${stageName}.`);
    } else if (!LAMBDA_ALIAS_NAME.test(alias)) {
      fail(stageArgument, stageName, `gives the canary alias "${alias}" (${alias.length} characters), longer than Lambda's 128 for an alias name`, `Shorten the stage name to at most 121 characters, or set ${where}.stageVariableOverrides.alias to a shorter name.`);
    }
  }
  // "Stage variables overridden for a canary release deployment, including new stage variables introduced in the
  // canary" (https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html): stage variables, with their
  // names' and values' rules. No quota on how many a canary may override is documented, so none is checked.
  validateStageVariables(fail, `${where}.stageVariableOverrides`, canary.stageVariableOverrides ?? {});
  // "The percent (0-100) of traffic diverted to a canary deployment", "Type: Double"
  // (https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html): a fraction such as 2.5 is taken.
  const percent = canary.percentTraffic;
  if (percent === undefined) fail(`${where}.percentTraffic`, percent, "is required on a canary", "Use a percentage such as 10 (5–10 % is a common start).");
  checkNumberInRange(fail, `${where}.percentTraffic`, percent, CANARY_PERCENT_TRAFFIC, {
    limit: "API Gateway's range",
    unit: "percent",
    fix: "Use a percentage such as 10 (5–10 % is a common start).",
  });
}

/**
 * Stage variables (`argument` is `stages.<stage>.variables` or a canary's `stageVariableOverrides`): "Variable names
 * can have alphanumeric and underscore characters, and the values must match [A-Za-z0-9-._~:/?#&=,]+"
 * (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html), names of at most 64 characters and values
 * of at most 512 (API Gateway's quotas, STAGE_VARIABLE_NAME_LENGTH).
 */
function validateStageVariables(fail: ArgFailure, argument: string, variables: Record<string, string>): void {
  for (const [key, value] of Object.entries(variables)) {
    if (!/^[A-Za-z0-9_]+$/.test(key)) fail(argument, key, "is not a stage variable name", "Use letters, digits and underscores.");
    const unsendable = unsendableMapKeyProblem(key);
    if (unsendable) fail(argument, key, unsendable, 'Use another name, e.g. "to_string".');
    if (key.length > STAGE_VARIABLE_NAME_LENGTH) {
      fail(argument, key, `is ${key.length} characters long, over API Gateway's ${STAGE_VARIABLE_NAME_LENGTH} for a stage variable name (a quota it does not raise)`, `Shorten it to at most ${STAGE_VARIABLE_NAME_LENGTH} characters.`);
    }
    if (!STAGE_VARIABLE_VALUE.test(value)) fail(`${argument}.${key}`, value, "has characters stage variables do not allow, or is empty/too long", "Use 1–512 of A-Z a-z 0-9 - . _ ~ : / ? # & = ,");
  }
}

/**
 * Every canary of a REST API is a Lambda alias of every route function (its `alias` override, or `<stage>-canary`),
 * so two canaries of one alias make two aliases of one name on each function, under different logical names: preview
 * passes and the second CreateAlias fails at `up` ("ResourceConflictException: The resource already exists, or
 * another operation is in progress", https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html). Two default
 * aliases of distinct stages differ, so one of a pair is an override, which is refused (the later one when both are).
 */
function validateCanaryAliases(fail: ArgFailure, args: ServerlessApiArgs, aliases: AliasNames): void {
  const canaries = aliases.stages.flatMap((stage) => {
    const canary = stageCanary(args, stage);
    if (!canary) return [];
    const argument = canary.canary.stageVariableOverrides?.alias === undefined ? undefined : `${canary.where}.stageVariableOverrides.alias`;
    return [{ stage, alias: canary.alias, argument }];
  });
  canaries.forEach((canary, index) => {
    const earlier = canaries.slice(0, index).find((other) => other.alias === canary.alias);
    if (!earlier) return;
    const [refused, kept] = canary.argument ? [canary, earlier] : [earlier, canary];
    fail(
      refused.argument!,
      refused.alias,
      `is also the Lambda alias of the canary of stage ${kept.stage}${kept.argument ? "" : ` (its default, "<stage>-canary")`}, and each canary names an alias of every route function: the second CreateAlias of one name fails at pulumi up ("ResourceConflictException: The resource already exists")`,
      `Give each canary its own alias, ${canaryAliasExample(refused.stage, aliases.taken)}.`,
    );
  });
}

/**
 * Refuses stages that give two of the REST API's per-stage resources one logical name (stages.ts `stageResourceNames`):
 * the names join the API's or a route function's name and the stage's with "-", which stage and route names hold too
 * (`prod` with a canary and `prod-canary` both make `<api>-execution-logs-prod-canary`; routes `GET /health` and
 * `GET /health/x` with stages `x-prod` and `prod` both make the alias `<api>-get-health-x-prod`). Pulumi refuses a
 * second resource of one type and name under one parent at preview: "Duplicate resource URN '%v'; try giving it a
 * unique name" (pulumi/pulumi pkg/diag/errors.go, raised by pkg/resource/deploy/step_generator.go `generateURN`). The
 * names stay as they are (deployed stacks know their resources by them); a stage is renamed instead. Each alias's
 * Permission is the alias's name plus "-invoke", so it meets another exactly where its alias does: aliases suffice.
 */
function validateStageResourceNames(
  fail: ArgFailure,
  apiName: string,
  stageNames: readonly string[],
  canaryStages: ReadonlySet<string>,
  routeFunctions: ReadonlyArray<readonly [key: string, functionName: string]>,
  lambdaAuthorizers: readonly string[],
): void {
  const made = new Map<string, { stage: string; what: string }>();
  // A Lambda authorizer's invoke permission is "<api>-authorizer-<authorizer>-invoke", which a route named
  // "authorizer" meets through its alias's permission for a stage of the authorizer's name.
  const authorizerPermissions = new Map(lambdaAuthorizers.map((authorizerName) => [authorizerPermissionName(apiName, authorizerName), authorizerName]));
  const claim = (resourceType: string, logicalName: string, stage: string, what: string) => {
    const key = `${resourceType} ${logicalName}`;
    const earlier = made.get(key);
    if (earlier) {
      const hyphenated = [stage, earlier.stage].find((s) => s.includes("-"));
      const stages = stage === earlier.stage ? `stage "${stage}"` : `stage "${stage}" or stage "${earlier.stage}"`;
      fail(
        "stages",
        stage,
        `gives ${what} the resource name "${logicalName}", which ${earlier.what} also gets: these names join the API's or a route function's name and the stage's with "-", and Pulumi refuses two ${resourceType} resources of one name ("Duplicate resource URN")`,
        `Rename ${stages}${hyphenated ? `, e.g. "${hyphenated}" to "${hyphenated.replaceAll("-", "_")}"` : ""}. The resource names are not changed instead: a deployed stack knows its resources by them.`,
      );
    }
    made.set(key, { stage, what });
  };
  for (const stage of stageNames) {
    const canary = canaryStages.has(stage);
    claim("LogGroup", stageResourceNames.executionLogs(apiName, stage), stage, `the execution log group of stage "${stage}"`);
    if (canary) claim("LogGroup", stageResourceNames.canaryExecutionLogs(apiName, stage), stage, `the execution log group of stage "${stage}"'s canary`);
    for (const [key, functionName] of routeFunctions) {
      for (const permission of [false, ...(canary ? [true] : [])].map((c) => stageResourceNames.aliasPermission(functionName, stage, c))) {
        const authorizerName = authorizerPermissions.get(permission);
        if (authorizerName !== undefined) {
          fail(`routes["${key}"]`, key, `gives the permission to invoke its alias for stage "${stage}" the resource name "${permission}", which the invoke permission of the Lambda authorizer ${authorizerName} also gets, and Pulumi refuses two Permission resources of one name ("Duplicate resource URN")`,
            `Give the route another name, or rename stage "${stage}" or authorizer ${authorizerName}.`);
        }
      }
      claim("Lambda Alias", stageResourceNames.alias(functionName, stage, false), stage, `the Lambda alias of route "${key}" for stage "${stage}"`);
      if (canary) claim("Lambda Alias", stageResourceNames.alias(functionName, stage, true), stage, `the Lambda alias of route "${key}" for stage "${stage}"'s canary`);
    }
  }
}

/** The stages that run a canary (stageCanary). */
function canaryStageNames(args: ServerlessApiArgs, stageNames: readonly string[]): Set<string> {
  return new Set(stageNames.filter((stage) => stageCanary(args, stage) !== undefined));
}

/**
 * The component name and stages against a REST API's alias permissions (`<function>-<stage>[-canary]-invoke`,
 * stages.ts), whose statement ids pulumi-aws autonames from those names within 100 characters
 * (LAMBDA_STATEMENT_ID_LENGTH; deploy rule PhysicalNameLimits), where `apiName` is the API's name (RegionalApis: the
 * longest of its regional APIs'). A stage name may be 128 characters long, so the stage is the part to shorten: with a
 * route function's name at most 47 (its own check), a stage of one character always fits. The other permissions are
 * bounded by their functions' names: a Lambda authorizer's `<api>-authorizer-<name>-invoke` is 13 characters longer
 * than its function's resource name `<api>-auth-<name>` (at most 47), and an HTTP route's `<function>-invoke` 7 longer.
 */
function validateAliasPermissionNames(fail: ArgFailure, name: string, apiName: string, args: ServerlessApiArgs): void {
  if (args.kind === ApiKind.Http) return;
  const stageNames = Object.keys(declaredStages(args.stages));
  const canaryStages = canaryStageNames(args, stageNames);
  const functionNames = Object.entries(args.routes ?? {}).flatMap(([key, route]) => (route?.handler ? [routeFunctionName(apiName, key, route)] : []));
  const permissions = stageNames.flatMap((stage) =>
    [false, ...(canaryStages.has(stage) ? [true] : [])].flatMap((canary) =>
      functionNames.map((functionName): AutonamedResource => ({
        resource: stageResourceNames.aliasPermission(functionName, stage, canary),
        kind: "lambda-permission",
        part: { argument: "stages", value: stage, text: stage, what: "a stage name" },
      })),
    ),
  );
  validateAutonames(fail, name, permissions);
}

function validateThrottle(fail: ArgFailure, argument: string, throttle: ApiThrottle): void {
  if (!(throttle.rateLimit > 0) || !Number.isInteger(throttle.burstLimit) || throttle.burstLimit < 1) {
    fail(argument, throttle, "is not a throttle", "Use { rateLimit: <requests/second > 0>, burstLimit: <whole number ≥ 1> }.");
  }
}

function validateFunction(fail: ArgFailure, argument: string, fn: ApiFunctionArgs): void {
  // Lambda's timeout is whole seconds from 1 (CreateFunction Timeout: "Type: Integer", "Minimum value of 1";
  // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html; pulumi-aws lambda.Function timeout is an int,
  // "Valid between 1 and 900"), and API Gateway waits 29 s for a route's: each its own message.
  const timeout = fn.timeout;
  if (timeout !== undefined && !Number.isInteger(timeout)) {
    fail(`${argument}.timeout`, timeout, "is not a whole number of seconds; Lambda's timeout is whole seconds", `Use a whole number of seconds from 1 to ${API_INTEGRATION_TIMEOUT_SECONDS}, e.g. ${Number.isFinite(timeout) ? Math.min(API_INTEGRATION_TIMEOUT_SECONDS, Math.max(1, Math.ceil(timeout))) : 3}.`);
  }
  if (timeout !== undefined && timeout < 1) fail(`${argument}.timeout`, timeout, "is less than Lambda's 1 second", `Use 1–${API_INTEGRATION_TIMEOUT_SECONDS} seconds.`);
  if (timeout !== undefined && timeout > API_INTEGRATION_TIMEOUT_SECONDS) {
    fail(`${argument}.timeout`, timeout, `is more than API Gateway waits (${API_INTEGRATION_TIMEOUT_SECONDS} s)`, `Use 1–${API_INTEGRATION_TIMEOUT_SECONDS} seconds, or hand long work to a queue.`);
  }
  assertLeastPrivilege(fail, `${argument}.permissions`, fn.permissions ?? []);
}

function checkEntry(fail: ArgFailure, argument: string, entry: string | undefined): void {
  checkSourceFile(fail, argument, entry, "Point it at the handler's source file");
}

/**
 * Why `value` is not what `aws:SourceIp` takes (an IPv4 or IPv6 address, or a CIDR range of one: prefix 0–32 or 0–128),
 * or undefined. IAM refuses a policy whose condition holds another value, and npm start compiles these same values into
 * its local check.
 */
export function sourceIpProblem(value: string): string | undefined {
  const [address, prefix, ...rest] = String(value).split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return "is not an IP address or CIDR range";
  if (prefix === undefined) return undefined;
  const longest = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > longest) return `has the prefix /${prefix}; an IPv${version} range takes /0 to /${longest}`;
  return undefined;
}
