/**
 * The local stand-in for a StaticSite's web ACL (StaticSite `waf`, components/web-acl): the two rules
 * this project writes itself, applied by the front door before anything else runs, as WAF runs before
 * CloudFront's behaviours. The rate-based rule blocks a client IP once it has sent more than `rateLimit`
 * requests in the last `rateWindowSeconds` (WAF blocks "additional requests" past the limit until the rate
 * drops; it counts blocked requests too); the size rule blocks a request whose body is larger than
 * `maxBodyBytes`, read from Content-Length (WAF also sees chunked bodies; the browser's fetch sends a length).
 * AWS managed rule groups have no local equivalent. A blocked request gets WAF's default block response, 403.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebAclSpec } from "../components/web-acl/spec";

export interface LocalWafOptions {
  /** Milliseconds since the epoch; tests pass a fake clock. @default Date.now */
  now?: () => number;
  log?: (message: string) => void;
}

/** Answers (403) and returns true when the web ACL would block the request; false lets it through. */
export type LocalWaf = (request: IncomingMessage, response: ServerResponse) => boolean;

export function createLocalWaf(spec: WebAclSpec | undefined, options: LocalWafOptions = {}): LocalWaf | undefined {
  if (!spec) return undefined;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.error(message));
  const windowMs = spec.rateWindowSeconds * 1000;
  const seen = new Map<string, number[]>();

  return (request, response) => {
    const ip = request.socket.remoteAddress ?? "unknown";
    const at = now();
    const recent = (seen.get(ip) ?? []).filter((t) => t > at - windowMs);
    recent.push(at);
    seen.set(ip, recent);
    const length = Number(request.headers["content-length"] ?? 0);
    const blocked = recent.length > spec.rateLimit
      ? `rate limit: ${recent.length} requests from ${ip} in ${spec.rateWindowSeconds} s (limit ${spec.rateLimit})`
      : length > spec.maxBodyBytes
        ? `body size: ${length} bytes (limit ${spec.maxBodyBytes})`
        : undefined;
    if (!blocked) return false;
    log(`waf ${spec.name}: blocked ${request.method} ${request.url} (${blocked})`);
    // The body is not read: close the connection after answering rather than drain a large upload.
    response.writeHead(403, { "content-type": "text/plain; charset=utf-8", connection: "close" });
    response.end("Forbidden: blocked by the web ACL (local stand-in, see docs/operations.md).\n");
    return true;
  };
}
