/**
 * CloudFront's event shapes, both ways: the request/response CloudFront holds between
 * events (EdgeRequest/EdgeResponse), CloudFront Functions' `version 1.0` events
 * (`{ value }` headers, parsed cookies and query strings) and Lambda@Edge's
 * `Records[0].cf` events (`[{ key, value }]` header lists, raw query string).
 */
import type { EdgeEventType } from "../components/edge-logic/associations";

/** A request as CloudFront holds it between events (header names lower-case, query string without `?`). */
export interface EdgeRequest {
  method: string;
  uri: string;
  querystring: string;
  headers: Record<string, string[]>;
  clientIp: string;
  body?: Buffer;
  /**
   * Header names as the viewer spelled them, by lower-case name: a Lambda@Edge event's `key` "contains the
   * case-sensitive name of the header as it appeared in the HTTP request" (Fields in the request object,
   * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html#request-event-fields-request).
   * A name missing here (added by a function or CloudFront) gets Lambda@Edge's capitalised form.
   */
  headerNames?: Record<string, string>;
}

export interface EdgeResponse {
  status: number;
  statusDescription?: string;
  headers: Record<string, string[]>;
  body?: Buffer;
  /**
   * Header names as spelt on the wire, by lower-case name: a local origin's as it wrote them (a Lambda@Edge response
   * event's keys, and what the viewer gets, as when no function runs), a CloudFront Function's with "the first letter of
   * each word in header names [...] capitalized" (functions-event-structure.html#functions-event-structure-response),
   * a Lambda@Edge function's as its `key` spells them (lambda-event-structure.html, Fields in the response object).
   * A name missing here goes to the viewer lower-case, and to a Lambda@Edge event capitalised.
   */
  headerNames?: Record<string, string>;
}


/** A query string, header or cookie as a CloudFront Function sees it; a response's cookies carry their `attributes`. */
type FunctionValue = { value: string; attributes?: string; multiValue?: Array<{ value: string; attributes?: string }> };

/**
 * An object keyed by names a viewer, an origin or a function chooses: without a prototype, so `__proto__` is a name like
 * any other, not Object.prototype (whose `multiValue` a query string `?__proto__=a&__proto__=b` would otherwise set, for
 * every object of the local runtime; a header list `headers.__proto__ ??= []` would be, and have no push).
 */
export const byName = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

function functionValues(entries: Array<[string, string]>): Record<string, FunctionValue> {
  const out = byName<FunctionValue>();
  for (const [name, value] of entries) {
    const existing = out[name];
    if (!existing) out[name] = { value };
    else (existing.multiValue ??= [{ value: existing.value }]).push({ value });
  }
  return out;
}

/**
 * The name/value pairs a function's `querystring`, `headers` or `cookies` object stands for, given the object the event
 * showed (`shown`). A name with duplicates is shown with its first value in `value` and every value in `multiValue`;
 * "If the multiValue array exists and has any modification, then that modification is applied. The first element in
 * the value property is ignored. Otherwise, any modification to the value property is applied, and subsequent values
 * (if they exist) remain unchanged." (Duplicate query strings, headers, and cookies,
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html#functions-event-structure-multivalue).
 * Throws InvalidEdgeResult for a `multiValue` that is not a list of `{ value }` objects (a string would otherwise be
 * read character by character).
 */
function fromFunctionValues(values: Record<string, FunctionValue> | undefined, shown: Record<string, FunctionValue> = {}, field = "headers"): Array<[string, string]> {
  return functionItems(values, shown, field).map(([name, item]) => [name, String(item.value ?? "")]);
}

/** fromFunctionValues' pairs with each item whole: a response cookie's `attributes` go with its value. */
function functionItems(values: Record<string, FunctionValue> | undefined, shown: Record<string, FunctionValue>, field: string): Array<[string, { value?: unknown; attributes?: unknown }]> {
  const out: Array<[string, { value?: unknown; attributes?: unknown }]> = [];
  for (const [name, entry] of Object.entries(values ?? {})) {
    const { multiValue } = entry;
    if (multiValue !== undefined && (!Array.isArray(multiValue) || !multiValue.every((item) => item !== null && typeof item === "object"))) {
      throw new InvalidEdgeResult(`Function validation error: ${field}.${name}.multiValue is not an array of { value } objects`);
    }
    const before = Object.hasOwn(shown, name) ? shown[name] : undefined;
    const keptMultiValue = multiValue !== undefined && before?.multiValue !== undefined && JSON.stringify(multiValue) === JSON.stringify(before.multiValue);
    const items = keptMultiValue ? [{ value: entry.value, attributes: entry.attributes }, ...before!.multiValue!.slice(1)] : (multiValue ?? [entry]);
    for (const item of items) out.push([name, item]);
  }
  return out;
}

/**
 * A query string's parameters as CloudFront Functions get them: split on `&` and the first `=`, names and values
 * as the viewer sent them, still percent-encoded (decoding here turned `?q=%0d%0a` into a raw CR LF that a
 * redirect then wrote into Location, and `?next=%2Fa%26b%3D1` into two parameters).
 */
export function rawQueryPairs(querystring: string): Array<[string, string]> {
  return querystring.split("&").filter(Boolean).map((part): [string, string] => {
    const at = part.indexOf("=");
    return at === -1 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
  });
}

/**
 * The query string a function's request object stands for: a string (cloudfront-js-2.0 allows one) or the object
 * form, values as they are. Left as it was, the viewer's own spelling goes on (`?flag` stays `?flag`, `?y=` stays `?y=`).
 */
function queryFromFunction(querystring: unknown, original: string): string {
  if (typeof querystring === "string") return querystring.replace(/^\?/, "");
  const shown = functionValues(rawQueryPairs(original));
  if (JSON.stringify(querystring) === JSON.stringify(shown)) return original;
  return fromFunctionValues(querystring as Record<string, FunctionValue> | undefined, shown, "querystring").map(([name, value]) => (value === "" ? name : `${name}=${value}`)).join("&");
}

function parseCookies(headers: Record<string, string[]>): Array<[string, string]> {
  return (headers.cookie ?? []).flatMap((line) =>
    line.split(";").map((part) => part.trim()).filter(Boolean).map((part): [string, string] => {
      const at = part.indexOf("=");
      return at === -1 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
    }),
  );
}

/** A request's headers (but Cookie) as a CloudFront Function's event shows them. */
function functionRequestHeaders(request: EdgeRequest): Record<string, FunctionValue> {
  const { cookie: _cookie, ...headers } = exposedHeaders(request.headers);
  return functionHeaderValues(headers);
}

/** A response's headers (but Set-Cookie) as a CloudFront Function's event shows them. */
function functionResponseHeaders(response: EdgeResponse): Record<string, FunctionValue> {
  const { "set-cookie": _setCookies, ...headers } = exposedHeaders(response.headers);
  return functionHeaderValues(headers);
}

function functionHeaderValues(headers: Record<string, string[]>): Record<string, FunctionValue> {
  return functionValues(Object.entries(headers).flatMap(([name, values]) => values.map((v): [string, string] => [name, v])));
}

/**
 * A response's Set-Cookie lines as a CloudFront Function's event shows them: by cookie name, `value` and `attributes`,
 * the lines of a name set more than once (one per Path, say) each in `multiValue` (functions-event-structure.html,
 * Cookie attributes and Example event object).
 */
function functionResponseCookies(response: EdgeResponse): Record<string, FunctionValue> {
  const out = byName<FunctionValue>();
  for (const line of exposedHeaders(response.headers)["set-cookie"] ?? []) {
    const [pair, ...attributes] = line.split(";");
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const cookie = { value: pair.slice(at + 1).trim(), attributes: attributes.join(";").trim() };
    const existing = out[name];
    if (!existing) out[name] = cookie;
    else (existing.multiValue ??= [{ value: existing.value, attributes: existing.attributes }]).push(cookie);
  }
  return out;
}

/** CloudFront Functions event (version 1.0) for a request, and for a response when there is one. */
export function functionEvent(eventType: "viewer-request" | "viewer-response", request: EdgeRequest, response: EdgeResponse | undefined, host: string) {
  const event: Record<string, unknown> = {
    version: "1.0",
    context: { distributionDomainName: host, distributionId: "ELOCAL", eventType, requestId: `local-${Date.now().toString(36)}` },
    viewer: { ip: request.clientIp },
    request: {
      method: request.method,
      uri: request.uri,
      querystring: functionValues(rawQueryPairs(request.querystring)),
      headers: functionRequestHeaders(request),
      cookies: functionValues(parseCookies(request.headers)),
    },
  };
  if (response) {
    event.response = {
      statusCode: response.status,
      statusDescription: response.statusDescription ?? "",
      headers: functionResponseHeaders(response),
      cookies: functionResponseCookies(response),
    };
  }
  return event;
}

/**
 * The request a viewer-request CloudFront Function returned, as CloudFront takes it: `method` is "the only read-only
 * field in the request object" (functions-event-structure.html#functions-event-structure-request), so what a function
 * sets there is not used; the disallowed headers it was not shown go on. Throws InvalidEdgeResult for a disallowed or
 * read-only header (checkHeaders), as for Lambda@Edge: those restrictions apply to all edge functions.
 */
export function requestFromFunction(result: any, original: EdgeRequest): EdgeRequest {
  const headers = returnedHeaders("function", "viewer-request", original.headers, headersFromFunction(result.headers, functionRequestHeaders(original)));
  const cookies = fromFunctionValues(result.cookies, functionValues(parseCookies(original.headers)), "cookies");
  if (cookies.length > 0) headers.cookie = [cookies.map(([name, value]) => `${name}=${value}`).join("; ")];
  return { ...original, uri: String(result.uri ?? original.uri), querystring: queryFromFunction(result.querystring, original.querystring), headers };
}

/** A function result's `headers` as CloudFront holds them (for the ones the event showed): lower-case names, every value of each. */
function headersFromFunction(values: Record<string, FunctionValue> | undefined, shown: Record<string, FunctionValue> = {}): Record<string, string[]> {
  const headers = byName<string[]>();
  for (const [name, value] of fromFunctionValues(values, shown)) (headers[name.toLowerCase()] ??= []).push(value);
  return headers;
}

/**
 * A response a function returned (for `shown`, the response headers and cookies its event showed, at viewer-response):
 * its cookies by the same multiValue rules as headers.
 */
export function responseFromFunction(result: any, shown: { headers?: Record<string, FunctionValue>; cookies?: Record<string, FunctionValue> } = {}): EdgeResponse {
  const headers = headersFromFunction(result.headers, shown.headers);
  for (const [name, cookie] of functionItems(result.cookies, shown.cookies ?? {}, "cookies")) {
    (headers["set-cookie"] ??= []).push(`${name}=${String(cookie.value ?? "")}${cookie.attributes ? `; ${String(cookie.attributes)}` : ""}`);
  }
  // `data` is "The body string" (functions-event-structure.html#functions-event-structure-response): anything else read as
  // a Buffer source could have the front door allocate whatever `{ length }` it claims.
  if (result.body?.data !== undefined && typeof result.body.data !== "string") throw new InvalidEdgeResult("Function validation error: body.data is not a string");
  // "If you specify encoding as base64 but the body is not valid base64, CloudFront returns an error" (the same section).
  const body = typeof result.body === "string" ? Buffer.from(result.body) : result.body?.data !== undefined
    ? decodedBody("Function validation error: body.encoding is base64 but body.data", result.body.data, result.body.encoding === "base64") : undefined;
  const headerNames = Object.fromEntries(Object.keys(headers).map((name) => [name, CANONICAL(name)]));
  return { status: Number(result.statusCode), statusDescription: result.statusDescription, headers, body, headerNames };
}

/** A response a viewer-request CloudFront Function generated; throws InvalidEdgeResult when it adds a disallowed header. */
export function generatedResponseFromFunction(result: any): EdgeResponse {
  const response = responseFromFunction(result);
  checkHeaders("function", "viewer-request", {}, response.headers, false);
  return response;
}

/**
 * The response a viewer-response CloudFront Function returned for `original`, as CloudFront takes it: the body it set,
 * else the original ("If you don't specify the body field in your viewer response function, the original body returned
 * by the CloudFront cache or origin is returned to viewer", functions-event-structure.html#functions-event-structure-response),
 * and the disallowed headers it was not shown. Throws InvalidEdgeResult for a disallowed or read-only header (checkHeaders).
 */
export function changedResponseFromFunction(result: any, original: EdgeResponse): EdgeResponse {
  const shown = { headers: functionResponseHeaders(original), cookies: functionResponseCookies(original) };
  return changedResponse("function", "viewer-response", responseFromFunction(result, shown), result.body !== undefined, original);
}

/**
 * A function result CloudFront refuses: a Lambda (or CloudFront Function) validation error, answered 502
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-lambda-validation-error.html;
 * edge-function-restrictions-all.html for the headers of both kinds), as are
 * results HTTP cannot carry (front-door.ts). A function that throws is 503 instead (EdgeFunctionError).
 */
export class InvalidEdgeResult extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEdgeResult";
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A body an edge function gave as text or, when `base64`, as base64, which CloudFront refuses when it is not valid
 * base64 (Buffer.from would skip the characters it cannot read). `refusal` starts the message: "<kind of error>: <field>".
 */
function decodedBody(refusal: string, data: string, base64: boolean): Buffer {
  if (!base64) return Buffer.from(data, "utf8");
  if (!BASE64.test(data)) throw new InvalidEdgeResult(`${refusal} is not valid base64`);
  return Buffer.from(data, "base64");
}

/** Names CANONICAL has spelt, so a header seen before costs a Map lookup, not a regex run, per event; bounded by CANONICAL_NAMES_KEPT. */
const canonicalNames = new Map<string, string>();
const CANONICAL_NAMES_KEPT = 1000;

/**
 * The key Lambda@Edge inserts for a header a function gives without one: "initial capitalization for each part,
 * separated by hyphens" (lambda-event-structure.html#request-event-fields-request); the same spelling CloudFront
 * Functions give response header names (functions-event-structure.html#functions-event-structure-response).
 */
function CANONICAL(name: string): string {
  let spelt = canonicalNames.get(name);
  if (spelt === undefined) {
    spelt = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    if (canonicalNames.size < CANONICAL_NAMES_KEPT) canonicalNames.set(name, spelt);
  }
  return spelt;
}

const RESTRICTIONS_URL = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html";

/**
 * "The following HTTP headers are not exposed to edge functions, and functions can't add them. If your function adds
 * one of these headers, it fails CloudFront validation and CloudFront returns HTTP status code 502" (Disallowed
 * headers, edge-function-restrictions-all.html#function-restrictions-disallowed-headers).
 */
const DISALLOWED_NAMES = new Set([
  "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "trailer", "upgrade",
  "x-accel-buffering", "x-accel-charset", "x-accel-limit-rate", "x-accel-redirect", "x-amzn-auth", "x-amzn-cf-billing", "x-amzn-cf-id",
  "x-amzn-cf-xff", "x-amzn-errortype", "x-amzn-fle-profile", "x-amzn-header-count", "x-amzn-header-order", "x-amzn-lambda-integration-tag",
  "x-amzn-requestid", "x-cache", "x-forwarded-proto", "x-real-ip",
]);

/** A lower-case header name on the disallowed list (a Set and two prefixes: this runs for every header of every event). */
const isDisallowed = (name: string) => DISALLOWED_NAMES.has(name) || name.startsWith("x-amz-cf-") || name.startsWith("x-edge-");

/**
 * Headers a function can read but not add, change or remove, by event type: "If your function adds or edits a
 * read-only header, the request fails CloudFront validation and CloudFront returns HTTP status code 502" (Read-only
 * headers, edge-function-restrictions-all.html#function-restrictions-read-only-headers). Removing one fails too: CloudFront's
 * message is "The function tried to add, delete, or change a read-only header" (https://github.com/Kludex/mangum/issues/262; "tried to delete read-only header, headerName : Transfer-Encoding", https://github.com/CodeGenieApp/serverless-express/issues/369).
 */
const READ_ONLY_HEADERS: Record<EdgeEventType, readonly string[]> = {
  "viewer-request": ["content-length", "host", "transfer-encoding", "via"],
  "origin-request": ["accept-encoding", "content-length", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "transfer-encoding", "via"],
  "origin-response": ["transfer-encoding", "via"],
  "viewer-response": ["warning", "via"],
};

/** The headers an edge function is shown: all but the disallowed ones (the same object when there are none, as usual). */
function exposedHeaders(headers: Record<string, string[]>): Record<string, string[]> {
  const names = Object.keys(headers);
  if (!names.some(isDisallowed)) return headers;
  return Object.fromEntries(names.filter((name) => !isDisallowed(name)).map((name) => [name, headers[name]]));
}

/** The disallowed headers CloudFront kept from the function; they go on as they were. */
function hiddenHeaders(headers: Record<string, string[]>): Record<string, string[]> {
  const hidden: Record<string, string[]> = {};
  for (const name of Object.keys(headers)) if (isDisallowed(name)) hidden[name] = headers[name];
  return hidden;
}

function sameValues(a: string[] = [], b: string[] = []): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * Refuses the headers an edge function returned (`after`) for the ones it was shown (`before`) as CloudFront does: a
 * disallowed header added, or a read-only header of its event type added, changed or removed, throws InvalidEdgeResult
 * (502). `readOnly` is false for a response generated at a request event, which no read-only list covers. The message
 * starts with what CloudFront's logs call it for the kind of function: a Lambda or a function validation error.
 */
function checkHeaders(kind: "lambda" | "function", eventType: EdgeEventType, before: Record<string, string[]>, after: Record<string, string[]>, readOnly = true): void {
  const error = kind === "lambda" ? "Lambda validation error" : "Function validation error";
  const added = Object.keys(after).find(isDisallowed);
  if (added) throw new InvalidEdgeResult(`${error}: the function added the disallowed header ${added} (${RESTRICTIONS_URL}#function-restrictions-disallowed-headers)`);
  if (!readOnly) return;
  // "CloudFront-Viewer-Country header – If a viewer request function adds this header, it fails validation" (CloudFront
  // headers, lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-cloudfront-headers): CloudFront adds it after that event.
  if (kind === "lambda" && eventType === "viewer-request" && after["cloudfront-viewer-country"] && !before["cloudfront-viewer-country"]) {
    throw new InvalidEdgeResult(`${error}: the function added the header cloudfront-viewer-country, which CloudFront adds after viewer-request events (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-cloudfront-headers)`);
  }
  const changed = READ_ONLY_HEADERS[eventType].find((name) => !sameValues(before[name], after[name]));
  if (changed) throw new InvalidEdgeResult(`${error}: the function added, changed or removed the header ${changed}, read-only in ${eventType} events (${RESTRICTIONS_URL}#function-restrictions-read-only-headers)`);
}

/**
 * The headers a function returned (`returned`) for the ones CloudFront held (`original`), as CloudFront takes them:
 * refused as checkHeaders says, with the disallowed headers the function was not shown put back.
 */
function returnedHeaders(kind: "lambda" | "function", eventType: EdgeEventType, original: Record<string, string[]>, returned: Record<string, string[]>): Record<string, string[]> {
  checkHeaders(kind, eventType, exposedHeaders(original), returned);
  return { ...returned, ...hiddenHeaders(original) };
}

/** A response a function returned at a response event for `original`: its headers as returnedHeaders takes them, and its own body if it set one, else the original's. */
function changedResponse(kind: "lambda" | "function", eventType: EdgeEventType, changed: EdgeResponse, setBody: boolean, original: EdgeResponse): EdgeResponse {
  // The hidden headers returnedHeaders puts back keep the spelling they came with.
  const headerNames = original.headerNames ? { ...original.headerNames, ...changed.headerNames } : changed.headerNames;
  return { ...changed, headers: returnedHeaders(kind, eventType, original.headers, changed.headers), headerNames, body: setBody ? changed.body : original.body };
}

function lambdaHeaders(headers: Record<string, string[]>, names: Record<string, string> = {}) {
  return Object.fromEntries(Object.entries(exposedHeaders(headers)).map(([name, values]) => [name, values.map((value) => ({ key: names[name] ?? CANONICAL(name), value }))]));
}

type LambdaHeaders = Record<string, Array<{ key?: string; value: string }>> | undefined;

/**
 * A function's header lists as CloudFront holds them. Each entry's `key` "contains the case-sensitive name of the
 * header" whose lower-case form names the list (lambda-event-structure.html#request-event-fields-request, and the same
 * for responses): a key that names another header is refused as a Lambda validation error rather than sent under
 * either name (CloudFront's own answer to such a key is not documented).
 */
function fromLambdaHeaders(headers: LambdaHeaders): Record<string, string[]> {
  const out = byName<string[]>();
  for (const [name, values] of Object.entries(headers ?? {})) {
    const lowerName = name.toLowerCase();
    const stray = values.find((v) => v.key !== undefined && String(v.key).toLowerCase() !== lowerName);
    if (stray) throw new InvalidEdgeResult(`Lambda validation error: the header list ${name} holds an entry whose key is ${JSON.stringify(stray.key)}, another header's name`);
    out[lowerName] = values.map((v) => String(v.value));
  }
  return out;
}

/** The spellings a function's header list gives (its keys), by lower-case name. */
function lambdaHeaderNames(headers: LambdaHeaders): Record<string, string> {
  const out = byName<string>();
  for (const [name, values] of Object.entries(headers ?? {})) {
    const key = values.find((v) => typeof v.key === "string")?.key;
    if (key) out[name.toLowerCase()] = key;
  }
  return out;
}

/**
 * How much of a request body Lambda@Edge shows a function with Include Body: "For viewer requests, the body is truncated
 * at 40 KB. For origin requests, the body is truncated at 1 MB." (the rest still goes to the origin)
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-request-body
 */
const REQUEST_BODY_URL = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-request-body";
const VIEWER_REQUEST_BODY_BYTES = 40 * 1024;
const ORIGIN_REQUEST_BODY_BYTES = 1024 * 1024;

/** The `origin` an origin event shows: the local stand-in for the site's S3 origin. */
function eventOrigin(host: string) {
  return { s3: { authMethod: "origin-access-control", customHeaders: {}, domainName: `${host}.local-origin`, path: "" } };
}

/** Lambda@Edge event (`Records[0].cf`) for any of the four trigger points. */
export function lambdaEvent(eventType: EdgeEventType, request: EdgeRequest, response: EdgeResponse | undefined, host: string, includeBody: boolean) {
  const cfRequest: Record<string, unknown> = {
    clientIp: request.clientIp,
    headers: lambdaHeaders(request.headers, request.headerNames),
    method: request.method,
    querystring: request.querystring,
    uri: request.uri,
  };
  if (includeBody && request.body !== undefined) {
    const exposed = request.body.subarray(0, eventType === "viewer-request" ? VIEWER_REQUEST_BODY_BYTES : ORIGIN_REQUEST_BODY_BYTES);
    cfRequest.body = { inputTruncated: exposed.length < request.body.length, action: "read-only", encoding: "base64", data: exposed.toString("base64") };
  }
  if (eventType.startsWith("origin-")) cfRequest.origin = eventOrigin(host);
  const cf: Record<string, unknown> = {
    config: { distributionDomainName: host, distributionId: "ELOCAL", eventType, requestId: `local-${Date.now().toString(36)}` },
    request: cfRequest,
  };
  // Response keys spelt as the origin (or the function before) wrote them: "the case-sensitive name of the header as it
  // appears in an HTTP response" (lambda-event-structure.html, Fields in the response object).
  if (response) cf.response = { status: String(response.status), statusDescription: response.statusDescription ?? "", headers: lambdaHeaders(response.headers, response.headerNames) };
  return { Records: [{ cf }] };
}

export function isLambdaResponse(result: any): boolean {
  return result && typeof result === "object" && "status" in result && !("uri" in result);
}

/**
 * A response a Lambda@Edge function returned. "If you specify bodyEncoding as base64 but the body is not valid base64,
 * CloudFront returns an error" (`bodyEncoding`, Generate HTTP responses in request triggers,
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-generating-http-responses.html#lambda-generating-http-responses-in-requests):
 * InvalidEdgeResult, as for a replaced request body.
 */
export function responseFromLambda(result: any): EdgeResponse {
  const body = result.body === undefined ? undefined : decodedBody("Lambda validation error: bodyEncoding is base64 but body", String(result.body), result.bodyEncoding === "base64");
  const headers = fromLambdaHeaders(result.headers);
  const keys = lambdaHeaderNames(result.headers);
  const headerNames = Object.fromEntries(Object.keys(headers).map((name) => [name, keys[name] ?? CANONICAL(name)]));
  return { status: Number(result.status), statusDescription: result.statusDescription, headers, body, headerNames };
}

/**
 * Lambda@Edge's limit on a response a function generates at a request event, headers and body: "The maximum size of a
 * response that is generated by a Lambda function depends on the event that triggered the function: Viewer request
 * events – 40 KB; Origin request events – 1 MB. If the response is larger than the allowed size, CloudFront returns an
 * HTTP 502 status code" (Restrictions on the size of the generated response,
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-generating-http-responses.html#lambda-generating-http-responses-errors;
 * the same figures in Quotas on Lambda@Edge, cloudfront-limits.html#limits-lambda-at-edge, whose columns also name the
 * response events). A response event's function updates the origin's response rather than generating one
 * (lambda-updating-http-responses), and no page gives a size or an error for what it returns, so it is not refused.
 */
const GENERATED_RESPONSE_BYTES = { "viewer-request": 40 * 1024, "origin-request": 1024 * 1024 };

/** A limit as AWS states it: "40 KB", "1 MB". */
const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`);

/**
 * Refuses a generated response over GENERATED_RESPONSE_BYTES as a Lambda validation error (the 502 the page above
 * states; "your Lambda function response was incorrectly formed or included invalid content",
 * http-502-lambda-validation-error.html). Counted as the function returned it: the body string as given (base64 or
 * text), and each header as a `key: value` line.
 */
function checkResponseSize(result: any, eventType: EdgeEventType): void {
  let bytes = result.body === undefined ? 0 : Buffer.byteLength(String(result.body));
  for (const [name, values] of Object.entries((result.headers ?? {}) as Record<string, Array<{ key?: string; value: string }>>)) {
    for (const entry of values) bytes += Buffer.byteLength(`${entry.key ?? name}: ${entry.value}\r\n`);
  }
  const limit = GENERATED_RESPONSE_BYTES[eventType === "viewer-request" ? "viewer-request" : "origin-request"];
  if (bytes > limit) {
    throw new InvalidEdgeResult(`Lambda validation error: the response the function returned is ${bytes} bytes (headers and body), over Lambda@Edge's ${sizeText(limit)} for ${eventType} events (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-generating-http-responses.html#lambda-generating-http-responses-errors)`);
  }
}

/** A response a viewer-request or origin-request function generated; throws InvalidEdgeResult when it adds a disallowed header or is over the size quota. */
export function generatedResponseFromLambda(result: any, eventType: EdgeEventType): EdgeResponse {
  checkResponseSize(result, eventType);
  const response = responseFromLambda(result);
  checkHeaders("lambda", eventType, {}, response.headers, false);
  return response;
}

/**
 * The response an origin-response or viewer-response function returned for `original`: the origin's body unless it
 * generated one (Lambda@Edge cannot read an origin's body), and the disallowed headers it was not shown. Throws
 * InvalidEdgeResult for a Lambda validation error (checkHeaders); not held to the generated-response size
 * (GENERATED_RESPONSE_BYTES).
 */
export function changedResponseFromLambda(result: any, original: EdgeResponse, eventType: EdgeEventType): EdgeResponse {
  return changedResponse("lambda", eventType, responseFromLambda(result), result.body !== undefined, original);
}


/**
 * The body a request function's result sends on: the viewer's own for `read-only` (the default: "Lambda@Edge ignores
 * any changes to encoding or data"), the function's `data` for `replace`, "base64 (the default) or text"; "If you
 * specify encoding as base64 but the body is not valid base64, CloudFront returns an error" (`body`, Fields in the
 * request object, lambda-event-structure.html#request-event-fields-request). Throws InvalidEdgeResult for what
 * CloudFront refuses. Undefined when the body is kept.
 *
 * A replaced body is cut: "If the Lambda@Edge function returns the body as plain text: For viewer request events, the
 * body is truncated at 40 KB. For origin request events, the body is truncated at 1 MB. [...] as base64 encoded text:
 * [...] 53.2 KB [...] 1.33 MB" (Restrictions on the request body with the include body option,
 * lambda-at-edge-function-restrictions.html#lambda-at-edge-restrictions-request-body). The base64 figures are the base64 length
 * of the same 40 KB and 1 MB, so both cuts are made on the decoded bytes, at the limits that cut what the event shows.
 */
function replacedBody(body: any, eventType: EdgeEventType, notice: EdgeNotice): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  const action = body.action ?? "read-only";
  if (action === "read-only") return undefined;
  if (action !== "replace") throw new InvalidEdgeResult(`Lambda validation error: body.action is ${JSON.stringify(action)}, not "read-only" or "replace"`);
  const encoding = body.encoding ?? "base64";
  if (encoding !== "base64" && encoding !== "text") throw new InvalidEdgeResult(`Lambda validation error: body.encoding is ${JSON.stringify(encoding)}, not "base64" or "text"`);
  if (typeof body.data !== "string") throw new InvalidEdgeResult("Lambda validation error: body.data of a replaced body is not a string");
  const data = decodedBody("Lambda validation error: body.encoding is base64 but body.data", body.data, encoding === "base64");
  const limit = eventType === "viewer-request" ? VIEWER_REQUEST_BODY_BYTES : ORIGIN_REQUEST_BODY_BYTES;
  if (data.length > limit) {
    notice(`the body it replaced is ${data.length} bytes; CloudFront truncates a replaced body at ${sizeText(limit)} in ${eventType} events, so the origin gets its first ${limit} bytes (${REQUEST_BODY_URL})`, "truncated replaced body");
  }
  return data.subarray(0, limit);
}

/**
 * Tells the user of a function result the local runtime takes otherwise than CloudFront, or that CloudFront cut.
 * `onceKey`, when given, names what the message is about: the same key needs telling once (a function that changes
 * the origin, or replaces a body too long, does so on every request).
 */
export type EdgeNotice = (message: string, onceKey?: string) => void;

/**
 * The request a viewer-request or origin-request function returned, as CloudFront takes it. `method` and `clientIp`
 * are read-only (lambda-event-structure.html#request-event-fields-request): what a function sets there is not used.
 * Throws InvalidEdgeResult for a Lambda validation error (checkHeaders, replacedBody). `notice` is told what the user
 * should know of the result: a replaced body CloudFront cut, and an `origin` changed at origin request, which the local
 * runtime does not follow (a function may change the origin at origin request: `origin` in Fields in the request object,
 * lambda-event-structure.html; locally the request still goes to the behaviour's origin). `host` is the distribution's,
 * whose origin the event showed.
 */
export function requestFromLambda(result: any, original: EdgeRequest, eventType: EdgeEventType, includeBody: boolean, notice: EdgeNotice = () => {}, host = ""): EdgeRequest {
  if (eventType === "origin-request" && result.origin !== undefined) {
    const origin = JSON.stringify(result.origin);
    if (origin !== JSON.stringify(eventOrigin(host))) {
      notice(`it changed the request's origin to ${origin}, which the local runtime does not emulate: the request goes to the behaviour's own origin, as it would without the change`, origin);
    }
  }
  const headers = returnedHeaders("lambda", eventType, original.headers, fromLambdaHeaders(result.headers));
  const request: EdgeRequest = {
    ...original,
    uri: String(result.uri ?? original.uri),
    querystring: String(result.querystring ?? ""),
    headers,
    headerNames: { ...original.headerNames, ...lambdaHeaderNames(result.headers) },
  };
  // A function without Include Body was shown no body, and has none to replace.
  const replaced = includeBody ? replacedBody(result.body, eventType, notice) : undefined;
  if (!replaced) return request;
  // Content-Length is read-only to the function: CloudFront's own framing of the body it sends on.
  const { "transfer-encoding": _chunked, ...framed } = headers;
  return { ...request, body: replaced, headers: { ...framed, "content-length": [String(replaced.length)] } };
}

