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

/** Answers (403; 400 for a malformed Content-Length) and returns true when the web ACL would block the request; false lets it through. */
export type LocalWaf = (request: IncomingMessage, response: ServerResponse) => boolean;

export function createLocalWaf(spec: WebAclSpec | undefined, options: LocalWafOptions = {}): LocalWaf | undefined {
  if (!spec) return undefined;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.error(message));
  const rate = new RateWindow(spec.rateWindowSeconds * 1000, spec.rateLimit);

  return (request, response) => {
    const ip = request.socket.remoteAddress ?? "unknown";
    const declared = request.headers["content-length"]?.trim();
    // Content-Length is 1*DIGIT (RFC 9110 section 8.6); "If a message is received without Transfer-Encoding and with an
    // invalid Content-Length header field, then the message framing is invalid and the recipient MUST treat it as an
    // unrecoverable error ... the server MUST respond with a 400 (Bad Request) status code and then close the
    // connection" (RFC 9112 section 6.3). The front door's server (Node's parser) answers such a request so before the
    // WAF runs; this is the same answer for one that reaches the WAF another way, where Number() read `abc` as NaN (let
    // through whatever its size) and `1e3` as 1000.
    if (declared !== undefined && !/^\d+$/.test(declared)) {
      log(`waf ${spec.name}: refused ${request.method} ${request.url} (Content-Length ${JSON.stringify(declared.slice(0, 40))} is not a number of bytes)`);
      response.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      response.end("Bad Request: the Content-Length header is not a number of bytes.\n");
      return true;
    }
    const length = Number(declared ?? 0);
    const blocked = rate.overLimit(ip, now())
      ? `rate limit: more than ${spec.rateLimit} requests from ${ip} in ${spec.rateWindowSeconds} s`
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

/**
 * The rate-based rule's count: requests per client IP in the last `windowMs`, blocked ones included. Only whether an
 * IP has sent more than `limit` matters, so it holds an IP's newest `limit + 1` request times and no more, and forgets
 * IPs whose requests have all left the window (checked at most once a window): a flood, or many clients each sending
 * once, does not grow the local front door's memory without end.
 */
export class RateWindow {
  private readonly times = new Map<string, number[]>();
  private sweptAt = -Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly limit: number,
  ) {}

  /** Counts a request from `ip` at `at`; true when it makes more than `limit` in the window. */
  overLimit(ip: string, at: number): boolean {
    this.forgetIdle(at);
    const recent = (this.times.get(ip) ?? []).filter((t) => t > at - this.windowMs);
    recent.push(at);
    if (recent.length > this.limit + 1) recent.shift();
    this.times.set(ip, recent);
    return recent.length > this.limit;
  }

  /** Drops the IPs whose newest request has left the window, once per window: amortised, not a scan per request. */
  private forgetIdle(at: number): void {
    if (at - this.sweptAt < this.windowMs) return;
    this.sweptAt = at;
    for (const [ip, times] of this.times) if (times[times.length - 1] <= at - this.windowMs) this.times.delete(ip);
  }

  /** How many client IPs have request times held. */
  get trackedIps(): number {
    return this.times.size;
  }

  /** How many request times are held for `ip`. */
  heldTimes(ip: string): number {
    return this.times.get(ip)?.length ?? 0;
  }
}
