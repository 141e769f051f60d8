/**
 * The local gateway's HTTP API kind (ServerlessApi `kind: ApiKind.Http`): Lambda proxy payload format
 * 2.0, converted from the REST (1.0) event the gateway builds for the same request, and 2.0 results
 * read back as API Gateway reads them.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { RouteSpec } from "../components/serverless-api/spec";

/**
 * The v2 event for the request `v1` describes; `rawQueryString` as the client sent it (without `?`); `headerLines` the
 * request's header lines as they arrived, name then value (Node's `rawHeaders`).
 */
export function toHttpApiEvent(v1: APIGatewayProxyEvent, route: RouteSpec, rawQueryString: string, headerLines: readonly string[]): APIGatewayProxyEventV2 {
  const routeKey = `${route.method} ${route.fullPath}`;
  // 2.0 lower-cases header names ("All headernames are lowercased") and combines duplicate headers (and query
  // parameters) with commas; cookies get their own field. Names are case-insensitive (RFC 9110 section 5.1), and lines
  // of one name combine "by appending each subsequent field line value to the initial field line value in order"
  // (section 5.3): in the order they arrived, whatever case each spelt its name in. Read from v1's multiValueHeaders,
  // which group them by each line's own spelling, `X-A: 1`, `x-a: 2`, `X-A: 3` was "1,3,2". A Map, as a header may be
  // named `__proto__`.
  const lines = new Map<string, string[]>();
  for (let i = 0; i + 1 < headerLines.length; i += 2) {
    const name = headerLines[i].toLowerCase();
    const values = lines.get(name);
    if (values) values.push(headerLines[i + 1]);
    else lines.set(name, [headerLines[i + 1]]);
  }
  const headers = Object.fromEntries([...lines].filter(([name]) => name !== "cookie").map(([name, values]) => [name, values.join(",")]));
  // Each Cookie line holds `a=1; b=2`: every cookie of every line is one entry.
  const cookies = lines.get("cookie")?.flatMap((line) => line.split(/;\s*/)).filter(Boolean);
  const query = v1.multiValueQueryStringParameters ? Object.fromEntries(Object.entries(v1.multiValueQueryStringParameters).map(([k, v]) => [k, (v ?? []).join(",")])) : undefined;
  const context = v1.requestContext;
  const authorizer = context.authorizer as { claims?: Record<string, string>; principalId?: string } | null;
  const now = context.requestTimeEpoch;
  return {
    version: "2.0",
    routeKey,
    rawPath: v1.path,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(v1.pathParameters ? { pathParameters: v1.pathParameters as Record<string, string> } : {}),
    ...(v1.stageVariables ? { stageVariables: v1.stageVariables as Record<string, string> } : {}),
    ...(v1.body !== null ? { body: v1.body } : {}),
    isBase64Encoded: v1.isBase64Encoded,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      // JWT authorizer: `jwt.claims` and `jwt.scopes`; IAM: `iam`.
      ...(authorizer?.claims ? { authorizer: { jwt: { claims: authorizer.claims, scopes: authorizer.claims.scope ? authorizer.claims.scope.split(" ") : null } } } : {}),
      ...(authorizer && !authorizer.claims && authorizer.principalId ? { authorizer: { iam: { userId: authorizer.principalId } } } : {}),
      domainName: context.domainName ?? "localhost",
      domainPrefix: context.domainPrefix ?? "localhost",
      http: { method: v1.httpMethod, path: v1.path, protocol: context.protocol, sourceIp: context.identity.sourceIp, userAgent: context.identity.userAgent ?? "" },
      requestId: context.requestId,
      routeKey,
      stage: context.stage,
      time: requestTime(now),
      timeEpoch: now,
    } as APIGatewayProxyEventV2["requestContext"],
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `requestContext.time` as API Gateway writes it, in UTC: "12/Mar/2020:19:03:58 +0000" (the 2.0 example event of http-api-develop-integrations-lambda.html). */
export function requestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/**
 * A verified token's claims as the JWT authorizer hands them on in `requestContext.authorizer.jwt.claims`: strings,
 * an array as `[a b]`. AWS's pages show only string claims; the array form is what functions behind HTTP APIs were
 * seen to get ("API Gateway HTTP API JWT authorizer serializes array claims as bracketed space-separated strings",
 * https://github.com/aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock/pull/803), and the
 * form of the scope list in its 403's `www-authenticate` ("expected scopes: [a b]").
 */
export function httpApiClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(" ")}]` : value !== null && typeof value === "object" ? JSON.stringify(value) : String(value)]),
  );
}

export interface GatewayResult {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

/**
 * Whether a Lambda proxy result's map of headers (2.0's and 1.0's `headers`, 1.0's `multiValueHeaders`) is given but is
 * not a JSON object. Both formats write them as one (`"headers": { "headername": "headervalue", ... }`,
 * http-api-develop-integrations-lambda.html; `"headers": {"headerName": "headerValue", ...}`,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format):
 * a string's characters or a list's items are not headers named 0, 1, 2, but a response in the wrong format. Absent or
 * null is none.
 */
export function givenButNotAnObject(headers: unknown): boolean {
  return headers !== undefined && headers !== null && (typeof headers !== "object" || Array.isArray(headers));
}

/**
 * A 2.0 result as API Gateway reads it, or why it cannot (the gateway then answers 500 Internal Server Error).
 * "With the 2.0 format version, API Gateway can infer the response format for you. API Gateway makes the following
 * assumptions if your Lambda function returns valid JSON and doesn't return a statusCode: isBase64Encoded is false.
 * statusCode is 200. content-type is application/json. body is the function's response."
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html, "Lambda
 * function response for format 2.0"). So an object without `statusCode`, a string or a number is a 200; an object
 * with one is a structured response (`cookies` become Set-Cookie headers), whose body must be a string and headers an
 * object. `result` is the JSON the function returned, parsed (local/lambda-runtime.ts); a function that returned
 * nothing gave `null`. The status and headers are checked by the caller, as for REST results.
 */
export function fromHttpApiResult(result: unknown): GatewayResult | { problem: string } {
  // Unconfirmed against AWS: a 2.0 function that returns nothing (the runtime sends `null`) is taken as a failure.
  if (result === null) return { problem: "the function returned nothing" };
  if (typeof result === "object" && "statusCode" in result) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    if (structured.body !== undefined && structured.body !== null && typeof structured.body !== "string") return { problem: "its body is not a string" };
    if (givenButNotAnObject(structured.headers)) return { problem: "its headers are not an object" };
    // No prototype: a result header named `__proto__` (JSON.parse keeps it as a key) is a header, as proxyResult reads it.
    const headers: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (structured.cookies !== undefined && !(Array.isArray(structured.cookies) && structured.cookies.every((c) => typeof c === "string"))) return { problem: "its cookies are not a list of strings" };
    if (structured.cookies?.length) headers["set-cookie"] = structured.cookies;
    const body = structured.isBase64Encoded ? Buffer.from(structured.body ?? "", "base64") : (structured.body ?? "");
    return { status: Number(structured.statusCode), headers, body };
  }
  return { status: 200, headers: { "content-type": "application/json" }, body: typeof result === "string" ? result : JSON.stringify(result) };
}
