/**
 * API Gateway's per-API quotas that one ServerlessApi's arguments can pass, so that mocks and `pulumi preview` pass and
 * `pulumi up` fails part-way (review 28, findings 5 and 6). Quotas API Gateway does not raise are refused at
 * construction (validateApiCounts, called by validate.ts validateArgs); default quotas an API's owner may have raised are
 * warnings (apiQuotaWarnings, which index.ts logs), as for the REST integration timeout: the program cannot read the
 * quota, and a stack deployed under a raised one keeps deploying. "If the quota is per-API, it can only be increased on
 * specific APIs, not for all the APIs in an account" (both pages below).
 */
import type { ArgFailure } from "../errors";
import { ApiKind, type ApiRouteAuth, type ServerlessApiArgs } from "./args";
import { resourcePolicyDocument } from "./policy";
import { resourcePaths } from "./routes";
import type { ServerlessApiSpec } from "./spec";

const HTTP_QUOTAS_PAGE = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html";
const REST_QUOTAS_PAGE = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html";

/**
 * "Quotas for configuring and running an HTTP API in API Gateway" (HTTP_QUOTAS_PAGE), Resource or operation | Default
 * quota | Can be increased:
 * - "Integrations per API | 300 | No": the HTTP kind creates one integration per route (http-api.ts), so more than 300
 *   routes fail even where "Routes per API | 300 | Yes" was raised;
 * - "Scopes per route | 10 | No" (a route's authorizationScopes: its `auth.scopes`, or defaultAuth's);
 * - "Audiences per authorizer | 50 | No" (a JWT authorizer's audiences: `authorizers.<name>.audience`);
 * - "Authorizers per API | 10 | Yes — To increase this quota, contact the AWS Support Center" and "Stages per API | 10 |
 *   Yes": warnings.
 */
export const HTTP_API_QUOTAS = { integrations: 300, scopesPerRoute: 10, audiencesPerAuthorizer: 50, authorizers: 10, stages: 10 } as const;

/**
 * "Quotas for configuring and running a REST API in API Gateway" (REST_QUOTAS_PAGE): "Resources per API | 300 | Yes",
 * "Authorizers per API (AWS Lambda and Amazon Cognito) | 10 | Yes — To increase this quota, contact the AWS Support
 * Center", "Stages per API | 10 | Yes", "Length, in characters, of API Gateway resource policy | 8192 | Yes": all
 * adjustable, so all warnings.
 */
export const REST_API_QUOTAS = { resources: 300, authorizers: 10, stages: 10, resourcePolicyCharacters: 8192 } as const;

/** The HTTP kind's counts API Gateway does not raise: routes (one integration each), scopes per route, audiences per authorizer. */
export function validateApiCounts(fail: ArgFailure, args: ServerlessApiArgs): void {
  if (args.kind !== ApiKind.Http) return;
  const { integrations, scopesPerRoute, audiencesPerAuthorizer } = HTTP_API_QUOTAS;
  const routeCount = Object.keys(args.routes ?? {}).length;
  if (routeCount > integrations) {
    fail(
      "routes",
      `${routeCount} routes`,
      `make ${routeCount} integrations: the HTTP kind gives every route its own integration, and an HTTP API takes at most ${integrations} ("Integrations per API | ${integrations} | No", a quota API Gateway does not raise, even when its routes quota is raised)`,
      `Split the routes over two APIs (e.g. by path prefix), or use kind: ApiKind.Rest, whose quota counts distinct path prefixes (${REST_API_QUOTAS.resources} resources per API, raised on request).`,
    );
  }
  const checkScopes = (argument: string, auth: ApiRouteAuth | undefined) => {
    const scopes = typeof auth === "object" && auth !== null ? auth.scopes : undefined;
    if (!Array.isArray(scopes) || scopes.length <= scopesPerRoute) return;
    fail(
      `${argument}.scopes`,
      scopes,
      `has ${scopes.length} scopes; an HTTP API route takes at most ${scopesPerRoute} ("Scopes per route | ${scopesPerRoute} | No", a quota API Gateway does not raise)`,
      `Keep at most ${scopesPerRoute} scopes on a route: grant broader scopes in the resource server (e.g. one "gallery/admin" scope) and check finer ones in the handler.`,
    );
  };
  checkScopes("defaultAuth", args.defaultAuth);
  for (const [key, route] of Object.entries(args.routes ?? {})) checkScopes(`routes["${key}"].auth`, route?.auth);
  for (const [authorizerName, authorizer] of Object.entries(args.authorizers ?? {})) {
    // The array's length is known at construction even when its ids are Outputs (e.g. [auth.clientId]).
    const audience = (authorizer as { audience?: unknown[] }).audience;
    if (!Array.isArray(audience) || audience.length <= audiencesPerAuthorizer) continue;
    fail(
      `authorizers.${authorizerName}.audience`,
      `${audience.length} app client ids`,
      `is over an HTTP API JWT authorizer's ${audiencesPerAuthorizer} audiences ("Audiences per authorizer | ${audiencesPerAuthorizer} | No", a quota API Gateway does not raise)`,
      `Use at most ${audiencesPerAuthorizer} app clients per authorizer: declare a second authorizer for the others and name it on their routes.`,
    );
  }
}

/**
 * A warning for each default per-API quota the API passes: authorizers and stages on both kinds, and on the REST kind
 * its resources (counted by routes.ts `resourcePaths`, which createResourceTree creates one resource per) and its
 * resource policy's length. `apiRegion`: the API's region when known at construction, for the policy's execute-api ARN.
 */
export function apiQuotaWarnings(name: string, spec: ServerlessApiSpec, apiRegion: string | undefined): string[] {
  const http = spec.kind === ApiKind.Http;
  const quotas = http ? HTTP_API_QUOTAS : REST_API_QUOTAS;
  const page = http ? HTTP_QUOTAS_PAGE : REST_QUOTAS_PAGE;
  const over = (subject: string, quota: number, quotaName: string, raisedThrough: string, refused: string, fix: string) =>
    `ServerlessApi "${name}": ${subject}, over API Gateway's default quota of ${quota} "${quotaName}" (${page}). ` +
    `Unless this API's quota was raised (${raisedThrough}), API Gateway refuses ${refused} part-way through pulumi up. Ask for the increase before deploying, ${fix}.`;
  const warnings: string[] = [];
  const authorizers = spec.authorizers.length;
  if (authorizers > quotas.authorizers) {
    warnings.push(over(`authorizers has ${authorizers} authorizers`, quotas.authorizers, "Authorizers per API", "AWS Support Center", `the ${ordinal(quotas.authorizers + 1)} authorizer`, "or share authorizers between routes"));
  }
  const stages = spec.stages.length;
  if (stages > quotas.stages) {
    warnings.push(over(`stages has ${stages} stages`, quotas.stages, "Stages per API", "Service Quotas, Amazon API Gateway", `the ${ordinal(quotas.stages + 1)} stage`, "or split the stages over two APIs"));
  }
  if (http) return warnings;
  const { resources: resourceQuota, resourcePolicyCharacters } = REST_API_QUOTAS;
  const resources = resourcePaths(spec.routes).length;
  if (resources > resourceQuota) {
    warnings.push(
      over(`routes make ${resources} API Gateway resources (one per distinct path prefix, the base path included)`, resourceQuota, "Resources per API", "Service Quotas, Amazon API Gateway",
        `the ${ordinal(resourceQuota + 1)} resource`, "share path prefixes between routes, or split the routes over two APIs"),
    );
  }
  const policyLength = resourcePolicyLength(spec, apiRegion);
  if (policyLength !== undefined && policyLength > resourcePolicyCharacters) {
    warnings.push(
      over(`resourcePolicy makes a resource policy of about ${policyLength} characters (its JSON without white space)`, resourcePolicyCharacters, "Length, in characters, of API Gateway resource policy",
        "Service Quotas, Amazon API Gateway", "the policy", "or merge the IP ranges into fewer, wider CIDR blocks"),
    );
  }
  return warnings;
}

/**
 * The length of the resource policy policy.ts writes, as the minified JSON pulumi.jsonStringify sends, or undefined when
 * the API has none. How API Gateway counts the policy's 8,192 characters (the JSON as sent, or with or without white
 * space) is not documented, so this is an estimate: the API's execute-api ARN (`arn:aws:execute-api:<region>:<account>:
 * <api id>`, the id 10 characters) is unknown until it exists and is stood in for by one of its length (a 14-character
 * region when the region is unknown), and a VPC endpoint id that is an Output by one of 22 characters.
 */
function resourcePolicyLength(spec: ServerlessApiSpec, apiRegion: string | undefined): number | undefined {
  const executionArn = `arn:aws:execute-api:${apiRegion ?? "ap-southeast-2"}:123456789012:a1b2c3d4e5`;
  const vpcEndpointIds = spec.vpcEndpointIds.map((id) => (typeof id === "string" ? id : "vpce-0123456789abcdef0"));
  const document = resourcePolicyDocument({ ...spec, vpcEndpointIds }, `${executionArn}/*`);
  return document && JSON.stringify(document).length;
}

/** 11 → "11th", 301 → "301st". */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}
