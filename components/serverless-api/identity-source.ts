/**
 * An authorizer's identity source: where API Gateway reads the caller's identity from. One parser for the three
 * readers that must agree — ServerlessApi's construction check (validate.ts), the deploy rule for hand-built
 * authorizers (testing/deploy-rules/api-authorizers.ts) and `npm start` (local/api-gateway.ts), so the local gateway
 * never reads a value AWS refuses.
 *
 * AWS's forms, by authorizer:
 * - REST TOKEN and COGNITO_USER_POOLS: exactly one `method.request.header.<name>`. CreateAuthorizer `identitySource`:
 *   "For a TOKEN or COGNITO_USER_POOLS authorizer, this is required and specifies the request header mapping expression
 *   for the custom header holding the authorization token submitted by the client. For example, if the token header name
 *   is Auth, the header mapping expression is method.request.header.Auth."
 *   (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html); API Gateway's refusal of anything else
 *   (quoted in aws/aws-cdk#6330, serverless/serverless#4428): "Invalid token source expression: … The source must be a
 *   method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'."
 * - REST REQUEST: "a comma-separated string of one or more mapping expressions of the specified request parameters. For
 *   example, … method.request.header.Auth, method.request.querystring.Name … required when authorization caching is
 *   enabled … verifying all of the identity-related request parameters are present, not null and non-empty. Only when
 *   this is true does the authorizer invoke the authorizer Lambda function, otherwise, it returns a 401 Unauthorized
 *   response" (same page). The four kinds of parameter (headers, query strings, stage variables, context variables, as
 *   `stageVariables.<name>` and `context.<name>`) are the ones AWS SAM's `LambdaRequestAuthorizationIdentity` and CDK's
 *   `IdentitySource` write (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-lambdarequestauthorizationidentity.html).
 *   The other method request parameter mapping expressions — `method.request.multivalueheader.<name>`,
 *   `method.request.multivaluequerystring.<name>` and `method.request.path.<name>`, listed beside header and query string
 *   on https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html — are
 *   taken too (reviews 95/96 F6): CreateAuthorizer says only "mapping expressions of the specified request parameters",
 *   and no AWS text or report of a refusal of them was found (searched: AWS API/CloudFormation/SAM/CDK docs, terraform,
 *   serverless, SAM and LocalStack issues). Not confirmed either way, so not refused. Refused are only strings that are
 *   no REST mapping expression at all (a bare name, an HTTP API `$` spelling, an empty element), which the
 *   documented "comma-separated string of … mapping expressions" excludes.
 * - HTTP API JWT: "For JWT, a single entry that specifies where to extract the JSON Web Token (JWT) from inbound
 *   requests. Currently only header-based and query parameter-based selections are supported, for example
 *   $request.header.Authorization." (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html)
 *   ServerlessApi's HTTP kind also takes the REST spelling and rewrites `method.request.` to `$request.` (http-api.ts).
 */

/** Where an identity source reads from, and the parameter's name. */
export interface IdentitySourcePart {
  location: "header" | "querystring" | "multivalueheader" | "multivaluequerystring" | "path" | "stageVariables" | "context";
  name: string;
}

/** AWS's own pattern for a TOKEN/Cognito authorizer's source (the refusal message above). */
export const REST_TOKEN_IDENTITY_SOURCE = /^method\.request\.header\.[a-zA-Z0-9._-]+$/;

const REST_REQUEST_PART = /^(?:method\.request\.(header|querystring|multivalueheader|multivaluequerystring|path)|(stageVariables|context))\.([^\s,]+)$/;
const HTTP_JWT_PART = /^\$request\.(header|querystring)\.([^\s,]+)$/;

/**
 * One REST mapping expression (`method.request.header.Auth`, `method.request.multivaluequerystring.tag`,
 * `method.request.path.id`, `stageVariables.x`, `context.y`), or undefined.
 */
export function restIdentitySourcePart(expression: string): IdentitySourcePart | undefined {
  const match = REST_REQUEST_PART.exec(expression.trim());
  if (!match) return undefined;
  return { location: (match[1] ?? match[2]) as IdentitySourcePart["location"], name: match[3] };
}

/** The expressions of a REST REQUEST authorizer's comma-separated identity source ("" gives none). */
export function restIdentitySourceList(source: string): string[] {
  return source.trim() === "" ? [] : source.split(",").map((s) => s.trim());
}

/** An HTTP API JWT source (`$request.header.Authorization`), or undefined. */
export function httpIdentitySourcePart(source: string): IdentitySourcePart | undefined {
  const match = HTTP_JWT_PART.exec(source.trim());
  return match ? { location: match[1] as "header" | "querystring", name: match[2] } : undefined;
}

/** REST's `method.request.header.Authorization` → HTTP's `$request.header.Authorization` (the HTTP kind takes both). */
export function httpIdentitySource(source: string): string {
  return source.replace(/^method\.request\./, "$request.");
}

/**
 * The REST mapping expression a user meant by `part` of a REQUEST authorizer's list: a bare name is a header (the
 * console's wording); HTTP API spellings (`$request.header.X`, `$request.querystring.X`, `$stageVariables.X`,
 * `$context.X`) lose their `$` form. Undefined when nothing can be read from it.
 */
function restSpellingOf(part: string): string | undefined {
  if (/^[A-Za-z0-9_-]+$/.test(part)) return `method.request.header.${part}`;
  const http = httpIdentitySourcePart(part);
  if (http) return `method.request.${http.location}.${http.name}`;
  const variable = /^\$(stageVariables|context)\.([^\s,]+)$/.exec(part);
  return variable ? `${variable[1]}.${variable[2]}` : undefined;
}

/** The kinds of authorizer whose identity source is checked, as ServerlessApi and the deploy rule name them. */
export type IdentitySourceKind = "token" | "cognito" | "request" | "jwt";

/**
 * Why API Gateway refuses `source` on an authorizer of `kind` (undefined: it takes it), with the fix. `cachingOn`: a
 * REST REQUEST authorizer's result TTL is above 0, so a source is required.
 */
export function identitySourceProblem(kind: IdentitySourceKind, source: string, cachingOn = true): { problem: string; fix: string } | undefined {
  // The name the user meant: the last part of another kind's spelling, or a bare header name (the console's wording).
  const header = /^(?:(?:\$request|method\.request)\.(?:header|querystring)\.)?([A-Za-z0-9_-]+)$/.exec(source.trim())?.[1];
  if (kind === "token" || kind === "cognito") {
    if (REST_TOKEN_IDENTITY_SOURCE.test(source)) return undefined;
    return {
      problem:
        `is not a header mapping expression; a ${kind === "token" ? "TOKEN" : "Cognito"} authorizer reads its token from one request header, written method.request.header.<name> ` +
        `(API Gateway refuses anything else at pulumi up: "The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'")`,
      fix: `write "method.request.header.${header ?? "Authorization"}"`,
    };
  }
  if (kind === "request") {
    const parts = restIdentitySourceList(source);
    if (parts.length === 0) {
      return cachingOn
        ? { problem: "is empty, and a REQUEST authorizer that caches its results (a result TTL above 0) needs at least one identity source (its cache key)", fix: 'name the caller\'s identity, e.g. "method.request.header.Authorization", or set the result TTL to 0' }
        : undefined;
    }
    const bad = parts.find((p) => !restIdentitySourcePart(p));
    if (bad === undefined) return undefined;
    // Rewrite only the bad element: the others stay in the cache key and in the "present and non-empty" rule.
    const meant = restSpellingOf(bad);
    return {
      problem: `has "${bad}", which is not a REST mapping expression; a REQUEST authorizer takes a comma-separated list of method.request.<header|querystring|multivalueheader|multivaluequerystring|path>.<name>, stageVariables.<name> or context.<name>`,
      fix: meant === undefined
        ? `replace "${bad}" with one of those forms, keeping the other sources`
        : `replace "${bad}" with "${meant}", giving "${parts.map((p) => (p === bad ? meant : p)).join(", ")}"`,
    };
  }
  if (httpIdentitySourcePart(httpIdentitySource(source))) return undefined;
  return {
    problem: "is not one header or query string selection; an HTTP API JWT authorizer reads its token from a single $request.header.<name> or $request.querystring.<name>",
    fix: `write "$request.header.${header ?? "Authorization"}"`,
  };
}
