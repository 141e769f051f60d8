/** Small HTTP helpers shared by the local emulators. */
import type { IncomingMessage } from "node:http";

/**
 * A request's whole body. With `maxBytes`, stops reading one byte past it, so a caller can
 * answer "too large" (413) without buffering an unbounded upload.
 */
export async function readBody(request: IncomingMessage, maxBytes = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes + 1) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
