/** Small HTTP helpers shared by the local emulators. */
import type { IncomingMessage } from "node:http";

/**
 * A request's whole body. With `maxBytes`, keeps at most one byte past it — so a body over the
 * limit always comes back longer than `maxBytes` and the caller can answer 413 — and drains the
 * rest unbuffered, so the socket stays usable for that answer.
 */
export async function readBody(request: IncomingMessage, maxBytes = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of request) {
    const room = maxBytes + 1 - kept;
    if (room <= 0) continue;
    const part = (chunk as Buffer).length > room ? (chunk as Buffer).subarray(0, room) : (chunk as Buffer);
    chunks.push(part);
    kept += part.length;
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
