/**
 * Requests dynalite's listener is given after a body was read in front of it: the one wrapper of a dynalite server's
 * listeners for the operations served in front of it (./transactions.ts, ./dynalite-table-arns.ts), the replayed
 * request, and a JSON answer as DynamoDB sends one.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import { readBody } from "../http";

/**
 * The most of a request's body dynalite reads (its index.js MAX_REQUEST_BYTES): past it, it answers 413 without
 * reading on. A body read here first keeps one byte more than this, so dynalite still answers 413, and no more is held.
 */
export const DYNALITE_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * `req` again with `body` (the body read from it, or another in its place): what dynalite's listener reads
 * (`data`/`end`, headers, method, url). A body in another's place gets its own Content-Length.
 */
export function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from(body.length > 0 ? [body] : []) as unknown as IncomingMessage;
  const headers = req.headers["content-length"] === undefined ? req.headers : { ...req.headers, "content-length": String(body.length) };
  return Object.assign(replay, { headers, method: req.method, url: req.url });
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves `operations` (X-Amz-Target's operation, on a POST) in front of `server`'s listeners (a dynalite server's):
 * such a request's body is read, up to dynalite's limit and a byte, and given to `handle` with `pass`, which hands the
 * request, with that body or another in its place, to those listeners. A body past the limit goes to them as read
 * (dynalite answers it 413), and every other request goes to them as it came, unread.
 */
export function serveInFront(server: Server, operations: ReadonlySet<string>, handle: (operation: string, req: IncomingMessage, res: ServerResponse, body: Buffer, pass: (body: Buffer) => void) => void): void {
  const listeners = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  const toListeners: Listener = (req, res) => listeners.forEach((listener) => listener(req, res));
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    if (req.method !== "POST" || !operations.has(operation)) return toListeners(req, res);
    readBody(req, DYNALITE_MAX_REQUEST_BYTES).then(
      (body) => {
        const pass = (given: Buffer) => toListeners(replayed(req, given), res);
        if (body.length > DYNALITE_MAX_REQUEST_BYTES) return pass(body);
        handle(operation, req, res, body, pass);
      },
      (error: Error) => res.destroy(error),
    );
  });
}

/** A JSON answer as DynamoDB sends one (the SDK checks the body against x-amz-crc32). */
export function sendJson(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.0",
    "content-length": String(Buffer.byteLength(text)),
    "x-amzn-requestid": randomUUID(),
    "x-amz-crc32": String(crc32(text)),
  });
  res.end(text);
}
