/**
 * A local stand-in for API Gateway's WebSocket APIs (RealtimeApi), built from their registered
 * specs, on one loopback server that plays `execute-api` for every such API, path-style:
 *
 * - `ws://<host>/<api-id>/<stage>` is the API's `wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>`:
 *   the upgrade runs the $connect authorizer (REQUEST event; a missing identity source is 401 without
 *   calling it, as AWS does) and the $connect route (a non-2xx answer refuses the upgrade); each
 *   message picks its route with the route selection expression (else `$default`, else AWS's
 *   "Forbidden" message); closing runs `$disconnect`. Events carry the shapes Lambda gets from
 *   API Gateway: `requestContext.connectionId`, `routeKey`, `eventType`, `domainName`, `stage`, …
 * - `<host>/<api-id>/<stage>/@connections/<id>` is the management API (POST a message, GET its
 *   info, DELETE to close it), which `@aws-sdk/client-apigatewaymanagementapi` reaches with
 *   `endpoint` set (components/realtime-api/connections.ts managementEndpoint). An id that is not
 *   connected answers 410 GoneException. Signatures are not checked locally.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { RealtimeApiSpec } from "../components/realtime-api/spec";
import { authorizerOutput, policyAllows, type AuthorizerOutput } from "./api-gateway";
import { readBody, unsendable } from "./http";
import { requestTime } from "./http-api-event";
import { MOCK_ACCOUNT_ID } from "./offline/mocks";
import { LambdaInvokeError } from "./lambda-runtime";

/**
 * API Gateway's WebSocket limits (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html):
 * frame 32 KB and message payload 128 KB ("a message larger than 32 KB must be split into multiple frames, each 32 KB or
 * smaller […] If a larger message (or larger frame size) is received, the connection is closed with code 1009");
 * idle connection timeout 10 minutes; connection duration 2 hours.
 */
const MAX_FRAME_BYTES = 32 * 1024;
const MAX_MESSAGE_BYTES = 128 * 1024;
/**
 * How much may wait to reach a client that reads slower than the backend posts before a post answers 429
 * LimitExceededException, which AWS answers when "the WebSocket client side buffer is full"
 * (https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/com/amazonaws/services/apigatewaymanagementapi/model/LimitExceededException.html).
 * AWS does not say how large its buffer is: this bound (8 messages of the largest size, past what the operating system
 * holds) is local only, and keeps a client that stops reading from growing the local runtime's memory without end.
 */
const MAX_UNSENT_BYTES = 8 * MAX_MESSAGE_BYTES;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;
/** The close code a connection API Gateway ends (idle, or at its duration) gets: 1001 Going Away (not confirmed against AWS). */
const GOING_AWAY = 1001;
const UNSUPPORTED_DATA = 1003;
const MESSAGE_TOO_BIG = 1009;

export interface LocalRealtimeApi {
  spec: RealtimeApiSpec;
  /** The API id the program resolved (the deployed URL's host label). */
  apiId: string;
  /**
   * The API's execution ARN as the program recorded it (`arn:aws:execute-api:<region>:<account>:<api id>`), which the
   * `$connect` authorizer's `methodArn` starts with. @default in the options' region and the mocks' account
   */
  executionArn?: string;
}

export interface RealtimeGatewayOptions {
  apis: LocalRealtimeApi[];
  region: string;
  /** Runs one of the API's functions (by resource name) with an event; resolves with its result. */
  invoke(api: LocalRealtimeApi, functionName: string, event: unknown): Promise<unknown>;
  log?(message: string): void;
  /** How long a connection may go without a message from its client before it is closed. @default 10 minutes, API Gateway's */
  idleTimeoutMs?: number;
  /** How long a connection may last. @default 2 hours, API Gateway's */
  maxConnectionMs?: number;
}

export interface RealtimeGateway {
  /** `http://127.0.0.1:<port>`: the management origin (AWS_ENDPOINT_URL_EXECUTE_API); WebSockets on its `ws:` form. */
  origin: string;
  /** Open connection ids of an API. */
  connections(apiId: string): string[];
  close(): Promise<void>;
}

interface Connection {
  id: string;
  api: LocalRealtimeApi;
  socket: WebSocket;
  connectedAt: number;
  /**
   * When a message last went either way (GetConnection's "when the connection was last active",
   * https://docs.aws.amazon.com/cli/latest/reference/apigatewaymanagementapi/get-connection.html): the activity
   * the idle timer counts, so the two cannot disagree. Whether AWS's moves on a backend post is not confirmed.
   */
  lastActiveAt: number;
  /** Closes the connection once it has gone the idle timeout without a message either way; refreshed by each (`active`). */
  idle: NodeJS.Timeout;
  /** How many of the client's messages reach a route: all, until a frame over 32 KB ends the connection (watchFrameSizes). */
  routesUntil: number;
  identity: { sourceIp: string; userAgent: string | null };
  authorizer?: Record<string, unknown>;
}

/** A connection id shaped like API Gateway's (base64 of random bytes: may hold `+`, `/` and `=`). */
function connectionId(): string {
  return randomBytes(11).toString("base64");
}

/** A connection id from the management path (the SDK percent-encodes `+`, `/`, `=`); one that does not decode names no connection. */
function decodedConnectionId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/**
 * Watches the frames a client sends on `socket` (the raw stream `ws` reads too) and calls `tooBig` once with the size of
 * the first data frame whose payload is over `limit` bytes, and how many messages the client finished before that
 * frame (`ws` may deliver them after this call: they came first and still count). `ws` checks the size of whole
 * messages only and shows no frames, so this reads each frame's header (RFC 6455 §5.2) and skips its payload.
 * Prepended to the socket's listeners, it sees a frame's header before `ws` can have delivered that frame's message.
 */
export function watchFrameSizes(socket: Duplex, limit: number, tooBig: (bytes: number, messagesBefore: number) => void): void {
  let header: Buffer = Buffer.alloc(0);
  let payloadLeft = 0;
  let messagesFinished = 0;
  const onData = (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      if (payloadLeft > 0) {
        const skipped = Math.min(payloadLeft, chunk.length - at);
        payloadLeft -= skipped;
        at += skipped;
        continue;
      }
      // A header is 2–14 bytes and may end in a later chunk: `header` keeps the bytes of it seen so far.
      const seen = header.length;
      // Most headers lie whole in one chunk: a view of it, copied only when one spans two chunks.
      header = seen === 0 ? chunk.subarray(at, at + 14) : Buffer.concat([header, chunk.subarray(at, at + 14 - seen)]);
      if (header.length < 2) return;
      const length7 = header[1] & 0x7f;
      const lengthBytes = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
      const headerBytes = 2 + lengthBytes + (header[1] & 0x80 ? 4 : 0);
      if (header.length < headerBytes) return;
      const length = lengthBytes === 0 ? length7 : lengthBytes === 2 ? header.readUInt16BE(2) : Number(header.readBigUInt64BE(2));
      // Opcodes below 8 are data frames (continuation, text, binary); control frames carry 125 bytes at most.
      const isData = (header[0] & 0x0f) < 0x08;
      if (isData && length > limit) {
        socket.removeListener("data", onData);
        return tooBig(length, messagesFinished);
      }
      // A data frame with FIN set ends its message (§5.4: control frames may come between a message's frames).
      if (isData && header[0] & 0x80) messagesFinished++;
      at += headerBytes - seen;
      header = Buffer.alloc(0);
      payloadLeft = length;
    }
  };
  socket.prependListener("data", onData);
}

/** The value `$request.body.a.b` names in a message, or undefined (not JSON, or not there). */
export function selectRouteKey(expression: string, body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const step of expression.replace(/^\$request\.body\./, "").split(".")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

/** `wss://<id>.execute-api.<region>.amazonaws.com/` in `text` → the local server's `ws://<host>/<id>/`. */
export function localiseRealtimeUrls(text: string, localOrigin: string | undefined): string {
  if (!localOrigin) return text;
  const ws = localOrigin.replace(/^http/, "ws").replace(/\/$/, "");
  return text.replace(/wss:\/\/([A-Za-z0-9-]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com\//g, (_, id: string) => `${ws}/${id}/`);
}

export async function startRealtimeGateway(options: RealtimeGatewayOptions): Promise<RealtimeGateway> {
  const log = options.log ?? (() => {});
  const open = new Map<string, Connection>();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const server: Server = createServer((request, response) => {
    manage(request, response).catch((error: unknown) => {
      // A body the client abandoned mid-way: nobody is left to answer.
      log(`  realtime management error: ${(error as Error).message}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  server.on("upgrade", (request, socket, head) => void upgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** `/<api-id>/<stage>[/rest]` → the API and stage it names, if served. */
  function locate(url: string): { api: LocalRealtimeApi; rest: string } | undefined {
    // A target Node's parser let through but that is no URL (`http://[`) names no API either.
    if (!URL.canParse(url, origin)) return undefined;
    const [, apiId, stage, ...rest] = new URL(url, origin).pathname.split("/");
    const api = options.apis.find((a) => a.apiId === apiId && a.spec.stage === stage);
    return api && { api, rest: rest.join("/") };
  }

  function domainName(api: LocalRealtimeApi): string {
    // The deployed host, so a handler that builds the @connections endpoint from the event gets the one AWS has.
    return `${api.apiId}.execute-api.${options.region}.amazonaws.com`;
  }

  function requestContext(api: LocalRealtimeApi, connection: Pick<Connection, "id" | "connectedAt" | "identity" | "authorizer">, routeKey: string, eventType: string, extra: Record<string, unknown> = {}) {
    const now = Date.now();
    return {
      routeKey,
      eventType,
      extendedRequestId: randomUUID(),
      requestTime: requestTime(now),
      messageDirection: "IN",
      stage: api.spec.stage,
      connectedAt: connection.connectedAt,
      requestTimeEpoch: now,
      identity: connection.identity,
      requestId: randomUUID(),
      domainName: domainName(api),
      connectionId: connection.id,
      apiId: api.apiId,
      ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
      ...extra,
    };
  }

  function route(api: LocalRealtimeApi, key: string) {
    return api.spec.routes.find((r) => r.key === key);
  }

  function headersOf(request: IncomingMessage) {
    // Keyed by the client's names: without a prototype, `__proto__` is a name like any other (with one, the header was
    // lost and `multiValueHeaders.__proto__ ??= []` found Object.prototype, which has no push: a 500 refusal).
    const byName = <T>() => Object.create(null) as Record<string, T>;
    const headers = byName<string>();
    const multiValueHeaders = byName<string[]>();
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      headers[request.rawHeaders[i]] = request.rawHeaders[i + 1];
      (multiValueHeaders[request.rawHeaders[i]] ??= []).push(request.rawHeaders[i + 1]);
    }
    const url = new URL(request.url ?? "/", origin);
    const query = byName<string>();
    const multiQuery = byName<string[]>();
    for (const [name, value] of url.searchParams) {
      query[name] = value;
      (multiQuery[name] ??= []).push(value);
    }
    const hasQuery = Object.keys(query).length > 0;
    return { headers, multiValueHeaders, queryStringParameters: hasQuery ? query : undefined, multiValueQueryStringParameters: hasQuery ? multiQuery : undefined };
  }

  function refuse(socket: Duplex, status: number, message: string): void {
    socket.end(`HTTP/1.1 ${status} ${message}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message })}`);
  }

  /** The authorizer's decision: its context (with principalId) or the status to refuse with. */
  async function authorise(api: LocalRealtimeApi, request: IncomingMessage, connection: Pick<Connection, "id" | "connectedAt" | "identity">): Promise<Record<string, unknown> | number> {
    const authorizer = api.spec.authorizer!;
    const parts = headersOf(request);
    const lowerHeaders = Object.fromEntries(Object.entries(parts.headers).map(([k, v]) => [k.toLowerCase(), v]));
    // "If a specified identity source is missing, null, or empty, API Gateway returns a 401 Unauthorized response without calling the authorizer Lambda function."
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
    for (const source of authorizer.identitySources) {
      const [, where, name] = /^route\.request\.(header|querystring)\.(.+)$/.exec(source)!;
      const value = where === "header" ? lowerHeaders[name.toLowerCase()] : parts.queryStringParameters?.[name];
      if (!value) return 401;
    }
    const methodArn = `${api.executionArn ?? `arn:aws:execute-api:${options.region}:${MOCK_ACCOUNT_ID}:${api.apiId}`}/${api.spec.stage}/$connect`;
    const event = { type: "REQUEST", methodArn, ...parts, stageVariables: {}, requestContext: requestContext(api, connection, "$connect", "CONNECT") };
    let output: AuthorizerOutput | { problem: string };
    try {
      output = authorizerOutput(await options.invoke(api, authorizer.functionName, event));
    } catch (error) {
      if (error instanceof LambdaInvokeError && /Unauthorized$/.test(error.message)) return 401;
      if ((error as Error).message === "Unauthorized") return 401;
      output = { problem: (error as Error).message };
    }
    if ("problem" in output) {
      log(`  ${api.spec.name} authorizer failed: ${output.problem}`);
      return 500;
    }
    if (!policyAllows(output.statements, methodArn)) return 403;
    return { ...output.context, principalId: output.principalId };
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Node's server stops listening for the socket's errors once it hands it over for an upgrade, and `ws` listens only
    // from handleUpgrade on: a client that resets while the authorizer or $connect runs (a write to it, the refusal,
    // fails) would otherwise throw its error and end the local runtime.
    socket.on("error", (error) => log(`  realtime upgrade: the client's connection failed: ${error.message}`));
    try {
      const located = locate(request.url ?? "/");
      if (!located || located.rest) return refuse(socket, 404, "Not Found");
      const { api } = located;
      const connection = {
        id: connectionId(),
        connectedAt: Date.now(),
        identity: { sourceIp: request.socket.remoteAddress ?? "127.0.0.1", userAgent: request.headers["user-agent"] ?? null },
        authorizer: undefined as Record<string, unknown> | undefined,
      };
      if (api.spec.authorizer) {
        const decision = await authorise(api, request, connection);
        if (typeof decision === "number") return refuse(socket, decision, decision === 401 ? "Unauthorized" : decision === 403 ? "Forbidden" : "Internal Server Error");
        connection.authorizer = decision;
      }
      const connect = route(api, "$connect");
      if (connect) {
        const event = { ...headersOf(request), requestContext: requestContext(api, connection, "$connect", "CONNECT"), isBase64Encoded: false };
        let status = 200;
        try {
          const result = (await options.invoke(api, connect.functionName, event)) as { statusCode?: unknown } | null | undefined;
          const answered = result?.statusCode ?? 200;
          // A status no HTTP response can carry ("ok", 42) is the function's fault, as a throw is: 500, not a
          // connection (the comparisons below are false for NaN) nor a malformed status line. Nor can a 1xx refuse:
          // it is no final response (a client reads 100 as "go on" and 101 as the switch), so it is 500 as well.
          const problem = unsendable(answered, {}) ?? (Number(answered) < 200 ? `informational status ${Number(answered)}` : undefined);
          if (problem) throw new Error(`its statusCode cannot answer the upgrade: ${problem}`);
          status = Number(answered);
        } catch (error) {
          log(`  ${api.spec.name} $connect failed: ${(error as Error).message}`);
          status = 500;
        }
        if (status < 200 || status > 299) return refuse(socket, status, "Connection refused");
      }
      sockets.handleUpgrade(request, socket, head, (ws) => {
        // `ws` closes a message over MAX_MESSAGE_BYTES with 1009 itself (maxPayload); frames are this watch's.
        const accepted = accept(api, ws, connection);
        watchFrameSizes(socket, MAX_FRAME_BYTES, (bytes, messagesBefore) => {
          // Closing already for another reason (a binary frame, a timeout), what comes now reaches no route anyway.
          if (ws.readyState !== ws.OPEN) return;
          log(`  ${api.spec.name} closed ${connection.id} with 1009: a frame of ${bytes} bytes (API Gateway takes ${MAX_FRAME_BYTES} at most)`);
          accepted.routesUntil = messagesBefore;
          ws.close(MESSAGE_TOO_BIG);
        });
      });
    } catch (error) {
      log(`  realtime upgrade error: ${(error as Error).stack ?? error}`);
      refuse(socket, 500, "Internal Server Error");
    }
  }

  function accept(api: LocalRealtimeApi, socket: WebSocket, base: Omit<Connection, "api" | "socket" | "lastActiveAt" | "idle" | "routesUntil">): Connection {
    // API Gateway ends a connection that outlives its duration or goes idle; $disconnect runs as for any close.
    // Idle is no message either way: a message the backend posts counts too (manage's POST refreshes the timer).
    const end = (why: string) => () => socket.close(GOING_AWAY, why);
    const lifetime = setTimeout(end("Connection duration exceeded"), options.maxConnectionMs ?? MAX_CONNECTION_MS).unref();
    const idle = setTimeout(end("Idle timeout"), options.idleTimeoutMs ?? IDLE_TIMEOUT_MS).unref();
    const connection: Connection = { ...base, api, socket, lastActiveAt: Date.now(), idle, routesUntil: Infinity };
    open.set(connection.id, connection);
    // Messages of one connection run in order, as the page sent them.
    let queue = Promise.resolve();
    let received = 0;
    socket.on("message", (data, isBinary) => {
      // `ws` still hands over frames that arrive after the gateway began closing (a binary frame's 1003, a timeout):
      // the connection is ending, so they reach no route. Those the client finished before a frame over 32 KB came
      // first, and do: the watch closes on that frame's header, before `ws` has read what was sent ahead of it.
      received++;
      if (received > connection.routesUntil) return;
      if (socket.readyState !== socket.OPEN && connection.routesUntil === Infinity) return;
      // "If a client app sends a binary frame, API Gateway rejects it and disconnects the client with code 1003."
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-binary-media-types.html
      if (isBinary) return socket.close(UNSUPPORTED_DATA, "Binary frames are not supported");
      active(connection);
      queue = queue.then(() => message(connection, Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)));
    });
    // What `ws` found wrong in the client's frames (a message over MAX_MESSAGE_BYTES, bad UTF-8, …): it closes the
    // connection itself with the matching code; unheard, the error would end the local runtime.
    socket.on("error", (error) => log(`  ${api.spec.name} connection ${connection.id}: ${error.message}`));
    socket.on("close", (code, reason) => {
      clearTimeout(lifetime);
      clearTimeout(idle);
      open.delete(connection.id);
      queue = queue.then(() => disconnect(connection, code, reason.toString()));
    });
    return connection;
  }

  /** A message went between the client and the server, either way. */
  function active(connection: Connection): void {
    connection.lastActiveAt = Date.now();
    connection.idle.refresh();
  }

  /** A text message: its route's function gets it. */
  async function message(connection: Connection, data: Buffer): Promise<void> {
    const { api } = connection;
    const body = data.toString("utf8");
    const selected = selectRouteKey(api.spec.routeSelectionExpression, body);
    const target = (selected !== undefined && !selected.startsWith("$") ? route(api, selected) : undefined) ?? route(api, "$default");
    const context = requestContext(api, connection, target?.key ?? "$default", "MESSAGE", { messageId: randomBytes(11).toString("base64") });
    if (!target) {
      // What API Gateway sends when no route matches and there is no $default route.
      connection.socket.send(JSON.stringify({ message: "Forbidden", connectionId: connection.id, requestId: context.requestId }));
      return;
    }
    try {
      await options.invoke(api, target.functionName, { requestContext: context, body, isBase64Encoded: false });
    } catch (error) {
      log(`  ${api.spec.name} ${target.key} failed: ${(error as Error).message}`);
      connection.socket.send(JSON.stringify({ message: "Internal server error", connectionId: connection.id, requestId: context.requestId }));
    }
  }

  async function disconnect(connection: Connection, code: number, reason: string): Promise<void> {
    const target = route(connection.api, "$disconnect");
    if (!target) return;
    const event = { headers: {}, multiValueHeaders: {}, requestContext: requestContext(connection.api, connection, "$disconnect", "DISCONNECT", { disconnectStatusCode: code, disconnectReason: reason }), isBase64Encoded: false };
    try {
      await options.invoke(connection.api, target.functionName, event);
    } catch (error) {
      log(`  ${connection.api.spec.name} $disconnect failed: ${(error as Error).message}`);
    }
  }

  async function manage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const located = locate(request.url ?? "/");
    const match = located && /^@connections\/(.+)$/.exec(located.rest);
    if (!located || !match) return send(404, { message: "Not Found" });
    const id = decodedConnectionId(match[1]);
    const connection = id === undefined ? undefined : open.get(id);
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
    const gone = () => send(410, { message: null }, { "x-amzn-errortype": "GoneException" });
    if (!connection || connection.api !== located.api || connection.socket.readyState !== connection.socket.OPEN) return gone();
    switch (request.method) {
      case "POST": {
        const body = await readBody(request, MAX_MESSAGE_BYTES + 1);
        if (body.length > MAX_MESSAGE_BYTES) return send(413, { message: "Request Too Long" }, { "x-amzn-errortype": "PayloadTooLargeException" });
        // The connection may have closed while the body arrived: `ws` drops a send to a closed socket without a word.
        if (connection.socket.readyState !== connection.socket.OPEN) return gone();
        if (connection.socket.bufferedAmount > MAX_UNSENT_BYTES) return send(429, { message: "Limit exceeded" }, { "x-amzn-errortype": "LimitExceededException" });
        connection.socket.send(body.toString("utf8"));
        active(connection);
        return send(200);
      }
      case "GET":
        return send(200, { connectedAt: new Date(connection.connectedAt).toISOString(), identity: connection.identity, lastActiveAt: new Date(connection.lastActiveAt).toISOString() });
      case "DELETE":
        // The $disconnect AWS sends after DeleteConnection: "disconnectStatusCode": 1000, "disconnectReason":
        // "Connection Closed Normally" (its execution log in https://github.com/boto/boto3/issues/3789). The reason in
        // the close frame the client gets is not confirmed: locally it is the same text.
        connection.socket.close(1000, "Connection Closed Normally");
        return send(204);
      default:
        return send(405, { message: "Method Not Allowed" });
    }
  }

  return {
    origin,
    connections: (apiId) => [...open.values()].filter((c) => c.api.apiId === apiId).map((c) => c.id),
    async close() {
      for (const connection of open.values()) connection.socket.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
