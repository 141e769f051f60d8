/** A request whose body was read already, given again to a listener that reads it (dynalite's). */
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

/**
 * `req` again with `body` (the body read from it, or another in its place): what dynalite's listener reads
 * (`data`/`end`, headers, method, url). A body in another's place gets its own Content-Length.
 */
export function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from(body.length > 0 ? [body] : []) as unknown as IncomingMessage;
  const headers = req.headers["content-length"] === undefined ? req.headers : { ...req.headers, "content-length": String(body.length) };
  return Object.assign(replay, { headers, method: req.method, url: req.url });
}
