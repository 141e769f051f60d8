/** Small HTTP helpers shared by the local emulators. */
import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/**
 * API Gateway's payload limit, "Payload size: 10 MB" (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html),
 * taken as 10 MiB: the most of a request's body the gateway takes (the front door holds a viewer's body for a route up
 * to it and a byte) and of every AWS-service integration's answer it reads, S3's and the other services' alike
 * (local/aws-service-calls.ts integrationCall).
 */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * A request's whole body. With `maxBytes`, keeps at most one byte past it — so a body over the
 * limit always comes back longer than `maxBytes` and the caller can answer 413 — and drains the
 * rest unbuffered, so the socket stays usable for that answer. With `answerEarly`, it returns as soon as it has that
 * byte and drains the rest in the background, so a body that never ends is answered while it is still being sent (the
 * front door, the identity pool, the CloudFront stub); by default it returns at the body's end, so a client is never
 * answered, and its connection closed, while it is still writing (its write would fail with EPIPE: CI saw one
 * uncaught in a test's client of the DynamoDB wrapper).
 */
export async function readBody(request: IncomingMessage, maxBytes = Infinity, { answerEarly = false }: { answerEarly?: boolean } = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  // Not destroyed when the loop stops early: the answer still goes out on this socket.
  for await (const chunk of request.iterator({ destroyOnReturn: false })) {
    const room = maxBytes + 1 - kept;
    if (room <= 0) continue;
    const part = (chunk as Buffer).length > room ? (chunk as Buffer).subarray(0, room) : (chunk as Buffer);
    chunks.push(part);
    kept += part.length;
    if (answerEarly && kept > maxBytes) break;
  }
  if (answerEarly && kept > maxBytes) {
    request.on("error", () => {});
    request.resume();
  }
  return Buffer.concat(chunks);
}

/**
 * Whether a request carries a body at all: only a Content-Length or a Transfer-Encoding announces one
 * ("The presence of a message body in a request is signaled by a Content-Length or Transfer-Encoding
 * header field", https://www.rfc-editor.org/rfc/rfc9112#section-6). A GET without either can skip reading.
 */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * CloudFront path patterns: `*` matches any run of characters (slashes too), `?` one character; case-sensitive. Not
 * for IAM's patterns, whose wildcards differ by element (components/iam-match.ts).
 */
export function pathPatternMatcher(pattern: string): (path: string) => boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return (path) => regex.test(path);
}

/** Headers Node frames the message with itself; a function's or origin's own values would contradict them. */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set(["content-length", "transfer-encoding", "connection", "keep-alive"]);

/**
 * Why HTTP cannot carry this status, status description or these headers (lower-case names; Node would throw
 * mid-response), or undefined when it can. The front door's and the local API gateway's one check of a result
 * before they write it.
 */
export function unsendable(status: unknown, headers: Record<string, string | readonly string[]>, description?: string): string | undefined {
  const code = Number(status);
  if (!Number.isInteger(code) || code < 100 || code > 599) return `invalid status ${String(status).slice(0, 40)}`;
  if (description !== undefined && !/^[\t\x20-\x7e\x80-\xff]*$/.test(description)) return "invalid status description";
  for (const [name, values] of Object.entries(headers)) {
    if (FRAMING_HEADERS.has(name)) continue;
    try {
      validateHeaderName(name);
      for (const value of typeof values === "string" ? [values] : values) validateHeaderValue(name, value);
    } catch {
      return `invalid header ${JSON.stringify(name.slice(0, 60))}`;
    }
  }
  return undefined;
}

/**
 * `res.writeHead(status, headers)`, all or nothing. Once a response has any header set (setHeader: every S3 answer's
 * request ids), Node's writeHead sets an object's headers one at a time (lib/_http_server.js, writeHead), so a value it
 * refuses (ERR_INVALID_CHAR, e.g. a damaged stored ETag) threw with the headers before it already set, and the error
 * answer written next went out with them. Each is checked first, so a refusal leaves the response as it was.
 */
export function writeHeadWhole(res: ServerResponse, status: number, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  }
  res.writeHead(status, headers);
}

/*
 * How Node (20, lib/_http_server.js, lib/_http_incoming.js, lib/net.js) accounts for a connection's reads and writes,
 * which the three helpers below rest on, and which a server watching a client for stalls, or closing on it, must follow:
 * - A request's body is asked of the socket only when the handler first reads it (IncomingMessage's _read resumes the
 *   socket). A client that sent `Expect: 100-continue` sends nothing before its 100 Continue, so until the server has
 *   asked for the body the wait is the server's: neither 100 Continue nor a watch for the client's stalls may come
 *   before that first read (onFirstRead).
 * - A socket counts a write in bytesWritten when it starts it, and in writableLength until all of it is done: the bytes
 *   the kernel took are the one less the other (bytesDelivered), and a write is one piece however large it is.
 * - A response whose headers say `Connection: close` ends its connection once it has been written, reading no more of
 *   the request (its `_last`). The header can only be set before the headers go out (setHeader throws
 *   ERR_HTTP_HEADERS_SENT after), so closeAfterAnswer sets it only then. Node marks a final answer `Connection: close`
 *   itself when the client expected 100 Continue and got none ("Don't keep alive connections where the client expects
 *   100 Continue but we sent a final status; they may put extra bytes on the wire").
 */

/** Calls `first` once, when the handler first asks `req` for its body (see the note above), before the socket is read. */
export function onFirstRead(req: IncomingMessage, first: () => void): void {
  const read = req._read;
  req._read = function (size: number): void {
    req._read = read;
    first();
    read.call(this, size);
  };
}

/** The bytes of a socket's writes the kernel has taken (see the note above): not those still waiting in its buffer. */
export function bytesDelivered(socket: Duplex & { bytesWritten: number }): number {
  return socket.bytesWritten - socket.writableLength;
}

/** Has the connection ended once this response has been written, when its headers have not gone out yet (see the note above). */
export function closeAfterAnswer(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
}
