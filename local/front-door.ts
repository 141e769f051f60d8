/**
 * The local stand-in for a StaticSite's CloudFront distribution: one HTTP server
 * that picks a behaviour by path pattern (in the spec's order, like CloudFront),
 * applies the site's viewer-request function (SPA fallback), fetches from the S3
 * site origin or from a local origin (the API), maps origin 404s to the error
 * document, and adds the response headers policy's security headers.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { runInNewContext } from "node:vm";
import { spaRewriteCode } from "../components/static-site/distribution";
import { securityHeaderValues } from "../components/static-site/headers";
import type { StaticSiteSpec } from "../components/static-site/spec";
import { createSiteOrigin } from "./s3-site-origin";

const DEFAULT_BEHAVIOUR_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** CloudFront path patterns: `*` matches any run of characters (slashes too), `?` one character; case-sensitive. */
export function matchesPathPattern(pattern: string, path: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(path);
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
  /** Loopback origins of local emulators the page calls directly (withLocalOrigins). */
  localOrigins?: readonly string[];
}

export function createFrontDoor(spec: StaticSiteSpec, origins: ReadonlyMap<string, RequestListener>, options: FrontDoorOptions = {}): RequestListener {
  const fetchFromSite = createSiteOrigin(spec);
  const headers = securityHeaderValues(spec.securityHeaders);
  const securityHeaders = { ...headers, "content-security-policy": withLocalOrigins(headers["content-security-policy"], options.localOrigins ?? []) };
  const spaRewrite = spec.spa ? (runInNewContext(`${spaRewriteCode(spec.indexDocument)}; handler`, {}) as (event: unknown) => { uri: string }) : undefined;
  const errorPage = () => {
    const page = fetchFromSite(`/${spec.errorDocument}`);
    return page.status === 200 ? { ...page, status: 404 } : page;
  };

  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);

    const route = spec.routes.find((r) => matchesPathPattern(r.pathPattern, url.pathname));
    if (route) {
      const origin = origins.get(route.originId);
      if (!origin) return send(response, request, { status: 502, headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from(`No local origin runs "${route.originId}" (route ${route.pathPattern}).\n`) });
      return origin(request, response);
    }

    const method = request.method ?? "GET";
    if (!DEFAULT_BEHAVIOUR_METHODS.has(method)) {
      return send(response, request, { status: 403, headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from("This distribution is not configured to allow the HTTP request method that was used for this request.\n") });
    }
    let uri = url.pathname === "/" && spec.hosting === "oac" ? `/${spec.indexDocument}` : url.pathname;
    if (spaRewrite) uri = spaRewrite({ version: "1.0", request: { method, uri, querystring: {}, headers: {}, cookies: {} } }).uri;

    let result = fetchFromSite(uri);
    // CloudFront's custom error response (OAC); the website endpoint already served its error document.
    if (result.status === 404 && spec.hosting === "oac") result = errorPage();
    if (result.status === 200 && request.headers["if-none-match"] && request.headers["if-none-match"] === result.headers.etag) {
      result = { status: 304, headers: { etag: result.headers.etag, "cache-control": result.headers["cache-control"] }, body: Buffer.alloc(0) };
    }
    send(response, request, result);
  };
}

function send(response: ServerResponse, request: IncomingMessage, result: { status: number; headers: Record<string, string>; body: Buffer }) {
  response.statusCode = result.status;
  for (const [name, value] of Object.entries(result.headers)) response.setHeader(name, value);
  response.setHeader("content-length", String(result.body.length));
  response.end(request.method === "HEAD" ? undefined : result.body);
}

export async function listen(listener: RequestListener, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
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
