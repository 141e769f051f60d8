/**
 * The local stand-in for a StaticSite's CloudFront distribution: one HTTP server
 * that picks a behaviour by path pattern (in the distribution's order: routes, then
 * edge-only site behaviours, then the default), runs the behaviour's edge functions
 * in CloudFront's order — viewer-request, then (every request is a cache miss locally)
 * origin-request, the origin, origin-response, and viewer-response — fetches from the
 * S3 site origin or from a local origin (the API), serves the error document the way the
 * distribution does (spec.errorDocumentServer: a custom error response only when the site is
 * the only origin), and adds the response headers policy's headers (security headers override
 * the origin's, custom headers do not). As CloudFront, it runs no viewer-response function on
 * responses of 400 or more. The functions (StaticSite's own SPA fallback or folder-index function
 * included) run in the local edge runtime (local/edge-runtime.ts).
 *
 * Hostile input gets CloudFront's answers, never a crash: behaviours match the path with dot segments and
 * repeated slashes resolved (behaviourPath) while functions and origins get the raw path and the query string as
 * sent, a URL
 * over CloudFront's 8,192 bytes or a request (target and headers) over its 20,480 bytes is 413 (the connection closed), a function that throws is 503 and one that returns what
 * CloudFront would refuse (a header value with CR/LF, a bad status, an edge function's disallowed or read-only header) is 502. Every request is answered
 * through one guard; error bodies are generic and the details go to the log (docs/local-vs-aws.md).
 */
import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { DEFAULT_BEHAVIOUR } from "../components/edge-logic/associations";
import { CACHED_METHODS, siteRequestFunction } from "../components/static-site/distribution";
import { customHeaderValues, securityHeaderValues } from "../components/static-site/headers";
import { ErrorDocumentServer, edgeSiteBehaviours, type StaticSiteSpec } from "../components/static-site/spec";
import {
  byName, CloudFrontFunctionSandbox, EdgeFunctionError, InvalidEdgeResult, cloudFrontFunctionRunner, type BehaviourRunners, type EdgeRequest, type EdgeResponse, type EdgeRuntime,
} from "./edge-runtime";
import { createSiteOrigin, SITE_ORIGIN_HEADER_NAMES, type OriginRequestHeaders } from "./s3-site-origin";
import { FRAMING_HEADERS, MAX_PAYLOAD_BYTES, pathPatternMatcher, readBody, unsendable } from "./http";
import { createLocalWaf } from "./waf";

const DEFAULT_BEHAVIOUR_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** "Maximum length of a URL: 8,192 bytes": https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-general */
export const MAX_URL_BYTES = 8192;

/**
 * "The maximum length of a request, including the path, the query string (if any), and headers, is 20,480 bytes. [...]
 * If a request or a URL exceeds these maximums, CloudFront returns HTTP status code 413, Request Entity Too Large, to
 * the viewer, and then terminates the TCP connection to the viewer"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html#RequestCustomMaxRequestStringLength).
 * Counted as the request target plus each header line (`name: value` CRLF), the bytes as sent. The API behind a route
 * has its own, lower limit (api-gateway.ts MAX_REQUEST_HEAD_BYTES), which its local gateway enforces.
 */
export const MAX_REQUEST_BYTES = 20480;

/** The bytes of `request` CloudFront counts against MAX_REQUEST_BYTES (rawHeaders and the target are latin1, a byte a character). */
function viewerRequestBytes(request: IncomingMessage): number {
  let bytes = (request.url ?? "").length;
  for (let i = 0; i < request.rawHeaders.length; i += 2) bytes += request.rawHeaders[i].length + 2 + request.rawHeaders[i + 1].length + 2;
  return bytes;
}

/**
 * Node's own ceiling on a request's head for the local servers (its default, 16 KiB, is below CloudFront's 20,480
 * bytes): under it, CloudFront's and API Gateway's own answers are what a client gets; past it, Node's 431.
 */
const NODE_MAX_HEADER_BYTES = 64 * 1024;

/**
 * A function result CloudFront would not accept (a header name or value HTTP cannot carry, a status outside
 * 100–599, a Lambda or function validation error) is InvalidEdgeResult, answered 502
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-lambda-validation-error.html);
 * a function that throws is 503 (EdgeFunctionError; http-503-function-execution-error.html on the same guide).
 */
export { InvalidEdgeResult };

/** A request target CloudFront cannot route (not an origin-form path). */
class BadRequestTarget extends Error {}

/** The path and query string as the viewer sent them (what functions and origins get): nothing decoded, no dot segment resolved. */
export function viewerTarget(target: string): { path: string; querystring: string } | undefined {
  if (!target.startsWith("/")) return undefined;
  const at = target.indexOf("?");
  return at === -1 ? { path: target, querystring: "" } : { path: target.slice(0, at), querystring: target.slice(at + 1) };
}

/**
 * The path CloudFront compares with path patterns: "CloudFront normalizes URI paths consistent with RFC 3986 and then
 * matches the path with the correct cache behavior. Once the cache behavior is matched, CloudFront sends the raw URI
 * path to the origin." (Path pattern, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#path-normalization).
 * Here: runs of slashes collapsed and dot segments removed (RFC 3986 §5.2.4), the two cases that sentence is known
 * to cover. Percent-escapes stay as sent: AWS does not say whether its normalisation decodes escaped unreserved
 * characters (`%61`), and the default behaviour's function refuses or redirects those spellings anyway (docs/edge.md).
 */
export function behaviourPath(path: string): string {
  const segments = path.replace(/\/{2,}/g, "/").split("/").slice(1);
  const kept: string[] = [];
  segments.forEach((segment, index) => {
    if (segment === "." || segment === "..") {
      if (segment === "..") kept.pop();
      // A final dot segment leaves its directory: `/a/b/..` is `/a/`.
      if (index === segments.length - 1) kept.push("");
      return;
    }
    kept.push(segment);
  });
  return `/${kept.join("/")}`;
}

/**
 * The site's CSP with `origins` added to connect-src and img-src (default-src when a directive
 * is missing). Locally the browser reaches cognito-local and the S3 stand-in on loopback http
 * origins that the deployed policy (`https:` only) rightly refuses; only those exact origins
 * are added, and only by the local front door. The deployed policy is never changed.
 */
export function withLocalOrigins(csp: string, origins: readonly string[]): string {
  if (origins.length === 0) return csp;
  const directives = csp.split(";").map((d) => d.trim()).filter(Boolean);
  const fallback = directives.find((d) => d.startsWith("default-src "))?.slice("default-src ".length) ?? "'self'";
  for (const name of ["connect-src", "img-src"]) {
    const index = directives.findIndex((d) => d.split(/\s+/)[0] === name);
    if (index === -1) directives.push(`${name} ${fallback} ${origins.join(" ")}`);
    else directives[index] = `${directives[index]} ${origins.join(" ")}`;
  }
  return directives.join("; ");
}

export interface FrontDoorOptions {
  /** The site's edge functions (from EdgeLogic specs); StaticSite's own viewer-request function is added here. */
  edge?: EdgeRuntime;
  log?: (message: string) => void;
  /** Loopback origins of local emulators the page calls directly (withLocalOrigins). */
  localOrigins?: readonly string[];
}

/**
 * The front door's request handler; `close` stops the loopback servers it started for routes with edge functions, and
 * the worker thread of StaticSite's own viewer-request function.
 */
export type FrontDoor = RequestListener & { close?: () => Promise<void> };

export function createFrontDoor(spec: StaticSiteSpec, origins: ReadonlyMap<string, RequestListener>, options: FrontDoorOptions = {}): FrontDoor {
  const fetchFromSite = createSiteOrigin(spec);
  // Patterns are compiled once, not on every request.
  const routes = spec.routes.map((route) => ({ route, matches: pathPatternMatcher(route.pathPattern) }));
  const headers = securityHeaderValues(spec.securityHeaders);
  const policy: ResponseHeadersPolicy = {
    overriding: { ...headers, "content-security-policy": withLocalOrigins(headers["content-security-policy"], options.localOrigins ?? []) },
    defaults: customHeaderValues(spec.securityHeaders),
  };
  const log = options.log ?? ((message: string) => console.error(message));
  const siteBehaviours = edgeSiteBehaviours(spec).map((pattern) => ({ pattern, matches: pathPatternMatcher(pattern) }));
  const { runnersFor, ownSandbox } = behaviourRunners(spec, options.edge);
  // The policy's headers in the order a direct origin gets them, built once.
  const directPolicyHeaders = Object.entries({ ...policy.defaults, ...policy.overriding });
  const hops = new LoopbackHops();
  const waf = createLocalWaf(spec.waf, { log });

  /** Every request goes through here: whatever goes wrong is logged and answered, and the process carries on. */
  const listener: FrontDoor = (request: IncomingMessage, response: ServerResponse) => {
    // A URL or a request over CloudFront's maximums: refused before the WAF or any function sees it, and the connection
    // closes after the answer ("If a request or a URL exceeds these maximums, CloudFront returns HTTP status code 413").
    if ((request.url ?? "/").length > MAX_URL_BYTES || viewerRequestBytes(request) > MAX_REQUEST_BYTES) {
      response.shouldKeepAlive = false;
      send(response, request, errorResponse(413));
      return;
    }
    if (waf?.(request, response)) return;
    let answered: ReturnType<typeof respond>;
    try {
      answered = respond(request, response);
    } catch (error) {
      fail(request, response, error);
      return;
    }
    // A local origin that answered the viewer itself (no edge functions): nothing left to do here.
    if (answered === undefined) return;
    Promise.resolve(answered)
      .then((result) => result && send(response, request, result))
      .catch((error) => fail(request, response, error));
  };

  function fail(request: IncomingMessage, response: ServerResponse, error: unknown) {
    const status = error instanceof BadRequestTarget ? 400 : error instanceof EdgeFunctionError ? 503 : 502;
    if (status !== 400) log(`front door: ${request.method} ${String(request.url).slice(0, 200)} answered ${status}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    try {
      send(response, request, errorResponse(status));
    } catch (unexpected) {
      log(`front door: could not answer: ${String(unexpected)}`);
      response.destroy();
    }
  }

  /** CloudFront's generic error, with the response headers policy: no function name, path or stack in the body. */
  function errorResponse(status: number): EdgeResponse {
    return withPolicy({ status, headers: { "content-type": ["text/plain; charset=utf-8"], "cache-control": ["no-store"] }, body: Buffer.from(`${status} ERROR\nThe request could not be satisfied.\n`) }, policy);
  }

  /** The answer to one request; undefined when a local origin answered the viewer directly. */
  function respond(request: IncomingMessage, response: ServerResponse): Promise<EdgeResponse | undefined> | EdgeResponse | undefined {
    const rawTarget = request.url ?? "/";
    const target = viewerTarget(rawTarget);
    if (!target) throw new BadRequestTarget(rawTarget);

    // The behaviour is picked on the normalised path; functions and origins still get target.path, the raw one.
    const matchedPath = behaviourPath(target.path);
    const route = routes.find((r) => r.matches(matchedPath))?.route;
    if (route) {
      const origin = origins.get(route.originId);
      if (!origin) {
        log(`front door: no local origin runs "${route.originId}" (route ${route.pathPattern})`);
        return errorResponse(502);
      }
      const runners = runnersFor(route.pathPattern);
      // Without edge functions the local origin answers the viewer directly (streaming, as before).
      if (Object.keys(runners).length === 0) {
        // Set before the origin writes: its own value of a custom header wins (override: false).
        for (const [name, value] of directPolicyHeaders) response.setHeader(name, value);
        if (route.cached) narrowViewerRequest(request, cachedRouteOriginRequest(edgeRequest(request, target)));
        origin(request, response);
        return undefined;
      }
      return withViewerBody(request, edgeRequest(request, target)).then((viewerRequest) => serveRoute(runners, origin, viewerRequest, hostOf(request), route.cached === true));
    }

    const method = request.method ?? "GET";
    if (!DEFAULT_BEHAVIOUR_METHODS.has(method)) {
      return withPolicy({ status: 403, headers: { "content-type": ["text/plain; charset=utf-8"] }, body: Buffer.from("This distribution is not configured to allow the HTTP request method that was used for this request.\n") }, policy);
    }
    const behaviour = siteBehaviours.find((b) => b.matches(matchedPath))?.pattern ?? DEFAULT_BEHAVIOUR;
    return serveSite(runnersFor(behaviour), edgeRequest(request, target), hostOf(request));
  }
  listener.close = async () => {
    await hops.close();
    // After the hops: no request is left to invoke the function whose thread this terminates.
    await ownSandbox?.close();
  };
  return listener;

  /** CloudFront's order for one request on a site-origin behaviour. */
  async function serveSite(runners: BehaviourRunners, viewerRequest: EdgeRequest, host: string): Promise<EdgeResponse> {
    let current = viewerRequest;
    if (runners["viewer-request"]) {
      const outcome = await runners["viewer-request"].onRequest(current, host);
      // A response generated at viewer-request goes straight back; viewer-response does not run on it.
      if (outcome.response) return withPolicy(outcome.response, policy);
      current = outcome.request;
    }
    // defaultRootObject: CloudFront asks the origin for the index document when the URI is still "/".
    if (current.uri === "/" && spec.hosting === "oac") current = { ...current, uri: `/${spec.indexDocument}` };

    let result: EdgeResponse | undefined;
    if (runners["origin-request"]) {
      const outcome = await runners["origin-request"].onRequest(current, host);
      if (outcome.response) result = outcome.response;
      else current = outcome.request;
    }
    result ??= await fromOrigin(runners, current, host, originHeaders(current));
    // The distribution's custom error response, when it has one (no routes). Otherwise the website endpoint or
    // an origin-response function already served the error document, or nothing does (spec.ts ErrorDocumentServer).
    if (result.status === 404 && spec.errorDocumentServer === ErrorDocumentServer.Distribution) {
      const page = await fromOrigin(runners, { ...current, uri: `/${spec.errorDocument}` }, host);
      if (page.status === 200) result = { ...page, status: 404 };
    }
    return viewerResponse(runners, current, withPolicy(result, policy), host);
  }

  /** A route's behaviour with edge functions: the same order, with the local origin reached over a loopback hop so its response can be handed to the response-side functions. */
  async function serveRoute(runners: BehaviourRunners, origin: RequestListener, viewerRequest: EdgeRequest, host: string, cached: boolean): Promise<EdgeResponse> {
    let current = viewerRequest;
    for (const eventType of ["viewer-request", "origin-request"] as const) {
      // The viewer-request function sees the viewer's request; what goes on towards the origin is what the cache policy forwards.
      if (eventType === "origin-request" && cached) current = cachedRouteOriginRequest(current);
      const runner = runners[eventType];
      if (!runner) continue;
      const outcome = await runner.onRequest(current, host);
      if (outcome.response) {
        if (eventType === "viewer-request") return withPolicy(outcome.response, policy);
        return finish(outcome.response);
      }
      current = outcome.request;
    }
    let result = await hops.call(origin, current);
    if (runners["origin-response"]) result = await runners["origin-response"].onResponse(current, result, host);
    return finish(result);

    async function finish(response: EdgeResponse): Promise<EdgeResponse> {
      return viewerResponse(runners, current, withPolicy(response, policy), host);
    }
  }

  /**
   * "CloudFront doesn't invoke edge functions for viewer response events when the origin returns HTTP status
   * code 400 or higher": https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html
   */
  async function viewerResponse(runners: BehaviourRunners, request: EdgeRequest, response: EdgeResponse, host: string): Promise<EdgeResponse> {
    const runner = runners["viewer-response"];
    return runner && response.status < 400 ? runner.onResponse(request, response, host) : response;
  }

  async function fromOrigin(runners: BehaviourRunners, request: EdgeRequest, host: string, headers?: OriginRequestHeaders): Promise<EdgeResponse> {
    const fetched = fetchFromSite(request.uri, headers);
    const fetchedHeaders = Object.fromEntries(Object.entries(fetched.headers).map(([k, v]) => [k, [v]]));
    let result: EdgeResponse = { status: fetched.status, headers: fetchedHeaders, headerNames: SITE_ORIGIN_HEADER_NAMES, body: fetched.body };
    if (runners["origin-response"]) result = await runners["origin-response"].onResponse(request, result, host);
    return result;
  }
}

/**
 * Each behaviour's runners: the site's EdgeLogic associations, plus StaticSite's own viewer-request function (the SPA
 * fallback, or folder index documents) on the behaviours the distribution attaches it to — the same code, from the same
 * description (distribution.ts siteRequestFunction). spec.ts keeps it off behaviours whose viewer-request an edge
 * association takes; a runtime given other runners than the spec's associations keeps its own. `ownSandbox` is that
 * function's sandbox, whose worker thread the door's close() terminates.
 */
function behaviourRunners(spec: StaticSiteSpec, edge: EdgeRuntime | undefined): { runnersFor: (pathPattern: string) => BehaviourRunners; ownSandbox?: CloudFrontFunctionSandbox } {
  const own = siteRequestFunction(spec);
  const name = own?.resourceName ?? "";
  const ownSandbox = own && new CloudFrontFunctionSandbox(own.code, { name });
  const runner = ownSandbox && cloudFrontFunctionRunner(name, "viewer-request", ownSandbox);
  const runnersFor = (pathPattern: string) => {
    const runners = { ...(edge?.behaviour(pathPattern) ?? {}) };
    if (runner && own.behaviours.includes(pathPattern)) runners["viewer-request"] ??= runner;
    return runners;
  };
  return { runnersFor, ownSandbox };
}

function hostOf(request: IncomingMessage): string {
  return request.headers.host ?? "localhost";
}

function edgeRequest(request: IncomingMessage, target: { path: string; querystring: string }): EdgeRequest {
  const headers = byName<string[]>();
  // Each name as the viewer first spelled it, for Lambda@Edge's header keys.
  const headerNames = byName<string>();
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i].toLowerCase();
    (headers[name] ??= []).push(request.rawHeaders[i + 1]);
    headerNames[name] ??= request.rawHeaders[i];
  }
  return { method: request.method ?? "GET", uri: target.path, querystring: target.querystring, headers, headerNames, clientIp: request.socket.remoteAddress ?? "127.0.0.1" };
}

/**
 * Headers a cached route still passes on: the body's framing and type, which any request with a body needs, the
 * viewer's address (CloudFront adds or appends X-Forwarded-For on every origin request: "Client IP addresses",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html),
 * Accept-Encoding (the site's cache policy sets EnableAcceptEncodingGzip and EnableAcceptEncodingBrotli, which put it
 * in the cache key and the origin request), and Host (the local gateway reads no Host; CloudFront sends the origin's).
 */
const CACHED_ROUTE_HEADERS: ReadonlySet<string> = new Set(["host", "content-length", "content-type", "content-encoding", "transfer-encoding", "accept-encoding", "x-forwarded-for"]);

/**
 * What CloudFront sends the origin of a `cached: true` route: that behaviour has the site's cache policy, whose
 * query strings, cookies and headers are all `none`, and no origin request policy (components/static-site/distribution.ts).
 * "none – No query strings in viewer requests are included in the cache key or in requests that CloudFront sends to
 * the origin" (CachePolicyQueryStringsConfig; CachePolicyCookiesConfig and CachePolicyHeadersConfig say the same of
 * cookies and headers: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyHeadersConfig.html).
 * Authorization on reads included: CloudFront forwards it only when a cache policy names it
 * (https://repost.aws/knowledge-center/cloudfront-authorization-header): its request-header table
 * (RequestAndResponseBehaviorCustomOrigin.html, the same table in the Lightsail guide's
 * amazon-lightsail-distribution-request-and-response) removes Authorization from GET and HEAD requests, and from
 * OPTIONS only when OPTIONS responses are cached (the site caches GET and HEAD), and keeps it on DELETE, PATCH, POST
 * and PUT (the same judgement as the CloudFrontCachedAuthorisedApi warning). The body and method are kept. Caching
 * itself is not emulated: every request still reaches the origin.
 */
function cachedRouteOriginRequest(request: EdgeRequest): EdgeRequest {
  const keepsAuthorization = !AUTHORIZATION_STRIPPED_METHODS.has(request.method.toUpperCase());
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => CACHED_ROUTE_HEADERS.has(name) || (keepsAuthorization && name === "authorization")));
  return { ...request, querystring: "", headers };
}

/**
 * The methods whose Authorization CloudFront removes on a `cached: true` route: GET and HEAD always, OPTIONS only when
 * cached; the site caches exactly CACHED_METHODS (GET and HEAD).
 */
const AUTHORIZATION_STRIPPED_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", ...CACHED_METHODS]);

/** Narrows a viewer request in place to `forwarded` (its URL and headers), for an origin handed the request itself. */
function narrowViewerRequest(request: IncomingMessage, forwarded: EdgeRequest): void {
  request.url = forwarded.uri + (forwarded.querystring ? `?${forwarded.querystring}` : "");
  const rawHeaders: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (forwarded.headers[request.rawHeaders[i].toLowerCase()]) rawHeaders.push(request.rawHeaders[i], request.rawHeaders[i + 1]);
  }
  request.rawHeaders = rawHeaders;
  for (const name of Object.keys(request.headers)) if (!forwarded.headers[name]) delete request.headers[name];
}

/**
 * The viewer headers S3 acts on: conditional GETs and byte ranges. Locally every request is a cache miss that
 * reaches the S3 stand-in; on AWS CloudFront answers them from its cache with the same outcome (docs/local-vs-aws.md).
 */
function originHeaders(request: EdgeRequest): OriginRequestHeaders {
  const first = (name: string) => request.headers[name]?.[0];
  return { range: first("range"), "if-none-match": first("if-none-match"), "if-modified-since": first("if-modified-since") };
}

/**
 * The most of a viewer's body held for a route's origin: the largest limit of any origin a route reaches. Those are
 * local API gateways (local/services/api.ts), directly or through a DnsRouting router (local/services/routing.ts),
 * whose limit is MAX_PAYLOAD_BYTES. One byte past it is kept, so the origin still sees a body too big and answers as
 * it does (API Gateway's 413); the rest is drained unheld. CloudFront's quotas
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html) name no request-body
 * limit of their own that was found to set a lower one.
 */
const LARGEST_ORIGIN_BODY_BYTES = MAX_PAYLOAD_BYTES;

/**
 * The viewer's request with its body, none when it has none (as CloudFront's events have it). A body cut past
 * LARGEST_ORIGIN_BODY_BYTES goes on with the length of what was kept, so the origin reads it to its end.
 */
async function withViewerBody(request: IncomingMessage, edge: EdgeRequest): Promise<EdgeRequest> {
  const body = await readBody(request, LARGEST_ORIGIN_BODY_BYTES, { answerEarly: true });
  if (body.length === 0) return edge;
  if (body.length <= LARGEST_ORIGIN_BODY_BYTES || !edge.headers["content-length"]) return { ...edge, body };
  return { ...edge, body, headers: { ...edge.headers, "content-length": [String(body.length)] } };
}

/** Local origins are request listeners; to see their responses whole, each gets a loopback server on first use. */
class LoopbackHops {
  private readonly servers = new Map<RequestListener, Promise<{ server: Server; port: number }>>();

  async call(origin: RequestListener, request: EdgeRequest): Promise<EdgeResponse> {
    let started = this.servers.get(origin);
    if (!started) {
      started = new Promise((resolve) => {
        const server = createServer(origin);
        server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
        server.unref();
      });
      this.servers.set(origin, started);
    }
    const { port } = await started;
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, values]) => [name, values.length === 1 ? values[0] : values]));
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: "127.0.0.1", port, method: request.method, path: request.uri + (request.querystring ? `?${request.querystring}` : ""), headers }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const responseHeaders = byName<string[]>();
          // Each name as the origin first spelt it (EdgeResponse.headerNames).
          const headerNames = byName<string>();
          for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
            const name = incoming.rawHeaders[i].toLowerCase();
            if (name === "content-length" || name === "transfer-encoding" || name === "connection" || name === "keep-alive" || name === "date") continue;
            (responseHeaders[name] ??= []).push(incoming.rawHeaders[i + 1]);
            headerNames[name] ??= incoming.rawHeaders[i];
          }
          resolve({ status: incoming.statusCode ?? 502, statusDescription: incoming.statusMessage, headers: responseHeaders, headerNames, body: Buffer.concat(chunks) });
        });
        incoming.on("error", reject);
      });
      outgoing.on("error", reject);
      outgoing.end(request.body);
    });
  }

  async close(): Promise<void> {
    const servers = await Promise.all(this.servers.values());
    this.servers.clear();
    await Promise.all(servers.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  }
}

/** The response headers policy: security headers override the origin's; custom headers only fill in what it did not send. */
interface ResponseHeadersPolicy {
  overriding: Record<string, string>;
  defaults: Record<string, string>;
}

function withPolicy(result: EdgeResponse, policy: ResponseHeadersPolicy): EdgeResponse {
  const lists = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  return { ...result, headers: { ...lists(policy.defaults), ...result.headers, ...lists(policy.overriding) } };
}

/**
 * Writes a result; throws InvalidEdgeResult (before writing anything) when it holds what HTTP cannot carry, so
 * the guard answers 502 instead of Node throwing mid-response.
 */
function send(response: ServerResponse, request: IncomingMessage, result: EdgeResponse) {
  const description = result.statusDescription;
  const problem = unsendable(result.status, result.headers, description);
  if (problem) throw new InvalidEdgeResult(problem);
  const status = Number(result.status);
  const headers: Array<[string, string | string[]]> = [];
  for (const [name, values] of Object.entries(result.headers)) {
    // Spelt as EdgeResponse.headerNames has them (an edge function's as CloudFront writes them, a local origin's as it did); the rest lower-case.
    if (!FRAMING_HEADERS.has(name)) headers.push([result.headerNames?.[name] ?? name, values.length === 1 && name !== "set-cookie" ? values[0] : values]);
  }
  for (const name of response.getHeaderNames()) response.removeHeader(name);
  response.statusCode = status;
  if (description) response.statusMessage = description;
  for (const [name, value] of headers) response.setHeader(name, value);
  const body = status === 204 || status === 304 ? Buffer.alloc(0) : (result.body ?? Buffer.alloc(0));
  if (status !== 204 && status !== 304) response.setHeader("content-length", String(body.length));
  response.end(request.method === "HEAD" ? undefined : body);
}

export async function listen(listener: RequestListener, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer({ maxHeaderSize: NODE_MAX_HEADER_BYTES }, listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`Port ${port} is in use. Stop what runs there or pick another: npm start -- --port ${port + 1}`) : error),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return { server, url: `http://localhost:${actualPort}` };
}
