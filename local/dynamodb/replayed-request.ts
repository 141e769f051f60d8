/**
 * Requests dynalite's listener is given after a body was read in front of it, or as they came with their body watched
 * on the way: the one wrapper of a dynalite server's listeners for the operations served in front of it
 * (./transactions.ts, ./dynalite-table-arns.ts), the replayed request, and a JSON answer as DynamoDB sends one.
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
  // The headers copied only when the Content-Length they give is not the body's (the body as read, its usual case, is).
  const length = req.headers["content-length"];
  const headers = length === undefined || length === String(body.length) ? req.headers : { ...req.headers, "content-length": String(body.length) };
  return Object.assign(replay, { headers, method: req.method, url: req.url });
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type ServeInFront = (operation: string, req: IncomingMessage, res: ServerResponse, toListeners: Listener) => void;

/** Each server's operations served in front of its listeners (inFront), by X-Amz-Target's operation. */
const servedInFront = new WeakMap<Server, Map<string, ServeInFront>>();

/** The prefix of every X-Amz-Target of DynamoDB's API (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html). */
const TARGET_PREFIX = "DynamoDB_20120810.";

/**
 * X-Amz-Target's operation (`DynamoDB_20120810.Query`: `Query`), or "" for any other target (another prefix, more than
 * an operation, none): such a request is dynalite's to refuse (UnknownOperationException), not an operation's to serve.
 */
function operationOf(target: string | string[] | undefined): string {
  // A string whenever it is there: Node joins a repeated X-Amz-Target with ", " (not one of the headers it keeps apart).
  if (typeof target !== "string" || !target.startsWith(TARGET_PREFIX)) return "";
  const operation = target.slice(TARGET_PREFIX.length);
  return operation.includes(".") ? "" : operation;
}

/**
 * Puts `serve` in front of `server`'s listeners (a dynalite server's) for `operations` (X-Amz-Target's operation, on a
 * POST), with those listeners to hand the request to; every other request goes to them as it came, unread.
 * One listener per server reads the operation and picks whose it is, however many call this (transactions, batches,
 * single-table operations): every request went through one wrapper per call before, each reading the operation again
 * (issue 15). So an operation is served in front by one `serve` only; a second is refused.
 */
function inFront(server: Server, operations: ReadonlySet<string>, serve: ServeInFront): void {
  let served = servedInFront.get(server);
  if (!served) {
    const listeners = server.listeners("request") as Listener[];
    server.removeAllListeners("request");
    const toListeners: Listener = listeners.length === 1 ? listeners[0] : (req, res) => listeners.forEach((listener) => listener(req, res));
    const byOperation = new Map<string, ServeInFront>();
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const operation = req.method === "POST" ? operationOf(req.headers["x-amz-target"]) : "";
      const serveIt = byOperation.get(operation);
      if (!serveIt) return toListeners(req, res);
      serveIt(operation, req, res, toListeners);
    });
    servedInFront.set(server, (served = byOperation));
  }
  for (const operation of operations) {
    if (served.has(operation)) throw new Error(`local DynamoDB: ${operation} is already served in front of this server`);
  }
  for (const operation of operations) served.set(operation, serve);
}

/**
 * Serves `operations` in front of `server`'s listeners (a dynalite server's): such a request's body is read, up to
 * dynalite's limit and a byte, and given to `handle` with `pass`, which hands the request, with that body or another in
 * its place, to those listeners. A body past the limit goes to them as read (dynalite answers it 413), and every other
 * request goes to them as it came, unread. For operations whose body is only looked at, not changed, `watchInFront`.
 */
export function serveInFront(server: Server, operations: ReadonlySet<string>, handle: (operation: string, req: IncomingMessage, res: ServerResponse, body: Buffer, pass: (body: Buffer) => void) => void): void {
  inFront(server, operations, (operation, req, res, toListeners) => {
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

/**
 * Hands `operations` to `server`'s listeners (a dynalite server's) as they came, not read first nor replayed, and gives
 * `watch` the body those listeners read, with the response, once it has all arrived: before those listeners see its
 * end, so before they answer (their `end` listener runs after this one). A body past dynalite's limit is not given
 * (dynalite answers it 413, and stops listening, this listener too). At most dynalite's limit of it is held here (the
 * chunks themselves, beside dynalite's own copy), and let go with the request: when dynalite answers 413 (it removes
 * every listener of the request) or the client hangs up mid-body (`end` never comes).
 * The cheap way in front of dynalite for the operations that are answered differently only now and then (issue 15:
 * every GetItem, PutItem and Query was read and replayed before dynalite read it again).
 */
export function watchInFront(server: Server, operations: ReadonlySet<string>, watch: (operation: string, body: Buffer, res: ServerResponse) => void): void {
  inFront(server, operations, (operation, req, res, toListeners) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length <= DYNALITE_MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (length <= DYNALITE_MAX_REQUEST_BYTES) watch(operation, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length), res);
    });
    toListeners(req, res);
  });
}

/**
 * dynalite's request listener listens for its request's errors with `throw err`: a client that hung up mid-body (the
 * request's "aborted" error, or a chunked body whose framing breaks mid-body) stopped the whole process, `npm start` with
 * it. So the error listeners it adds are taken off again: a request with no error listener is not given its error
 * (Node's IncomingMessage, lib/_http_incoming.js `_destroy`/`onError`: "An error is emitted only if there are listeners
 * attached to the event"). Such a request never ends, so dynalite answers nothing and what it read of the body goes
 * with the request. Called on dynalite's server before anything is put in front of it.
 */
export function dropDynaliteRequestErrors(server: Server): void {
  const listeners = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  for (const listener of listeners) {
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const before = req.listenerCount("error");
      listener(req, res);
      for (const added of req.listeners("error").slice(before)) req.removeListener("error", added as (error: Error) => void);
    });
  }
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
