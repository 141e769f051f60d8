/**
 * The local WebSocket gateway with the gallery's real realtime handlers (run in-process), the
 * real $connect authorizer (tokens from a test issuer), the connections table on dynalite and
 * the management endpoint reached through @aws-sdk/client-apigatewaymanagementapi.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { PassThrough } from "node:stream";
import WebSocket from "ws";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { normalise as normaliseDataTier } from "../../components/data-tier/spec";
import { connectionsFromEnvironment, connectionsTableArgs, type Connections } from "../../components/realtime-api/connections";
import { normalise } from "../../components/realtime-api/spec";
import { startLocalDynamo, type LocalDynamo } from "../../local/dynamodb";
import { localiseRealtimeUrls, selectRouteKey, startRealtimeGateway, watchFrameSizes, type RealtimeGateway } from "../../local/realtime-gateway";
import { handler as authorize } from "../../handlers/realtime/authorizer";
import * as handlers from "../../handlers/realtime/connections";
import { eventually } from "../e2e/browser";
import { startTestIssuer, type TestIssuer } from "../harness/test-issuer";

const handlerFile = "handlers/realtime/connections.ts";
const spec = normalise("live", {
  connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" },
  stage: "dev",
  authorizer: { handler: "handlers/realtime/authorizer.ts" },
  routes: {
    $connect: { handler: handlerFile, export: "connect" },
    $disconnect: { handler: handlerFile, export: "disconnect" },
    ping: { handler: handlerFile, export: "ping", postsToConnections: true },
    $default: { handler: handlerFile, export: "message", postsToConnections: true },
  },
});
const apiId = "abc123def4";
const poolId = "us-east-1_TESTPOOL";
const clientId = "galleryclient";

let dynamo: LocalDynamo;
let issuer: TestIssuer;
let gateway: RealtimeGateway;
let connections: Connections;
const events: Array<Record<string, any>> = [];
/** When set, the $connect authorizer's answer instead of the gallery authorizer's. */
let authorizerAnswer: { result: unknown } | undefined;

beforeAll(async () => {
  const table = normaliseDataTier("data", { tables: { connections: connectionsTableArgs() } }).tables.connections;
  dynamo = await startLocalDynamo({ tables: [{ id: "data.connections", tableName: "connections", spec: table }], region: "us-east-1" });
  issuer = await startTestIssuer();
  const exports: Record<string, (event: any) => Promise<unknown>> = { ...handlers };
  gateway = await startRealtimeGateway({
    apis: [{ spec, apiId }],
    region: "us-east-1",
    async invoke(_, functionName, event) {
      events.push(event as Record<string, any>);
      if (functionName === spec.authorizer!.functionName) return authorizerAnswer ? authorizerAnswer.result : authorize(event as never);
      const route = spec.routes.find((r) => r.functionName === functionName)!;
      return exports[route.export](event);
    },
  });
  // What RealtimeApi and `npm start` give the functions.
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    CONNECTIONS_TABLE_NAME: "connections",
    REALTIME_ENDPOINT: `https://${apiId}.execute-api.us-east-1.amazonaws.com/dev`,
    AWS_ENDPOINT_URL_EXECUTE_API: gateway.origin,
    COGNITO_ISSUER: issuer.issuer(poolId),
    USER_POOL_CLIENT_ID: clientId,
  });
  connections = connectionsFromEnvironment();
});

afterAll(async () => {
  await gateway?.close();
  await issuer?.stop();
  await dynamo?.stop();
});

const url = (token?: string) => `${gateway.origin.replace(/^http/, "ws")}/${apiId}/dev${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`;
const tokenOf = (sub: string) => issuer.token({ sub, poolId, clientId });

/** Opens a connection; resolves once the upgrade is accepted, with every message it receives collected. */
function open(token?: string): Promise<{ socket: WebSocket; received: unknown[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url(token));
    const received: unknown[] = [];
    socket.on("message", (data) => received.push(JSON.parse(String(data))));
    socket.once("open", () => resolve({ socket, received }));
    socket.once("unexpected-response", (_, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once("error", reject);
  });
}

const lastEvent = (routeKey: string) => [...events].reverse().find((e) => e.requestContext?.routeKey === routeKey && !e.type);

describe("local WebSocket API", () => {
  it("refuses a connection without a token (401, authorizer not called) or with a bad one (401)", async () => {
    // The authorizer's calls only: another test's $disconnect may still be arriving (a shuffled run under load saw one).
    const authorizerCalls = () => events.filter((e) => e.type === "REQUEST").length;
    const before = authorizerCalls();
    await expect(open()).rejects.toThrow("HTTP 401");
    expect(authorizerCalls()).toBe(before);
    await expect(open("not.a.token")).rejects.toThrow("HTTP 401");
  });

  it("refuses a connection with 500 when the authorizer answers without a policy document or with a nested context", async () => {
    const allow = { principalId: "alice", policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] } };
    try {
      for (const result of [{ principalId: "alice" }, { ...allow, context: { user: { id: 1 } } }, null]) {
        authorizerAnswer = { result };
        await expect(open(tokenOf("alice"))).rejects.toThrow("HTTP 500");
      }
      authorizerAnswer = { result: { ...allow, context: { sub: "alice", admin: true } } };
      const { socket } = await open(tokenOf("alice"));
      socket.close();
    } finally {
      authorizerAnswer = undefined;
    }
  });

  it("gives $connect, messages and $disconnect API Gateway's WebSocket event shapes", async () => {
    const { socket, received } = await open(tokenOf("alice"));
    const authorizerEvent = [...events].reverse().find((e) => e.type === "REQUEST")!;
    expect(authorizerEvent).toMatchObject({ methodArn: `arn:aws:execute-api:us-east-1:123456789012:${apiId}/dev/$connect`, queryStringParameters: { token: expect.any(String) } });
    const connect = lastEvent("$connect")!;
    expect(connect).toMatchObject({
      isBase64Encoded: false,
      // As API Gateway writes it: "13/Dec/2020:10:17:47 +0000" (a $connect event AWS sent, https://gist.github.com/noid11/4aa8933d0b5cdbcc09d377c5d65d28c1).
      requestContext: { requestTime: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/), routeKey: "$connect", eventType: "CONNECT", stage: "dev", apiId, domainName: `${apiId}.execute-api.us-east-1.amazonaws.com`, authorizer: { principalId: "alice", sub: "alice" } },
    });
    const connectionId = connect.requestContext.connectionId as string;
    expect(gateway.connections(apiId)).toContain(connectionId);

    socket.send(JSON.stringify({ action: "ping" }));
    await eventually(() => received).toContainEqual({ type: "pong" });
    expect(lastEvent("ping")).toMatchObject({ body: '{"action":"ping"}', requestContext: { routeKey: "ping", eventType: "MESSAGE", connectionId, messageId: expect.any(String) } });

    socket.send("not json");
    await eventually(() => received).toContainEqual(expect.objectContaining({ type: "error" }));
    expect(lastEvent("$default")).toMatchObject({ body: "not json", requestContext: { routeKey: "$default", eventType: "MESSAGE", connectionId } });

    socket.close(1000, "bye");
    await eventually(() => lastEvent("$disconnect")).toMatchObject({ requestContext: { routeKey: "$disconnect", eventType: "DISCONNECT", connectionId, disconnectStatusCode: 1000, disconnectReason: "bye" } });
    // $disconnect forgot it.
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    await eventually(async () => (await db.send(new GetCommand({ TableName: "connections", Key: { connectionId } }))).Item).toBeUndefined();
  });

  it("pushes to every open connection of one user and to nobody else's", async () => {
    const aliceTab1 = await open(tokenOf("alice"));
    const aliceTab2 = await open(tokenOf("alice"));
    const bob = await open(tokenOf("bob"));
    const result = await connections.postToUser("alice", { type: "photo", photoId: "p1", status: "ready" });
    expect(result.sent).toHaveLength(2);
    await eventually(() => aliceTab1.received).toContainEqual({ type: "photo", photoId: "p1", status: "ready" });
    await eventually(() => aliceTab2.received).toContainEqual({ type: "photo", photoId: "p1", status: "ready" });
    // A round trip on bob's connection after the push: had anything been sent to him, it would have arrived first.
    bob.socket.send(JSON.stringify({ action: "ping" }));
    await eventually(() => bob.received).toContainEqual({ type: "pong" });
    expect(bob.received).toEqual([{ type: "pong" }]);
    for (const { socket } of [aliceTab1, aliceTab2, bob]) socket.close();
  });

  it("forgets a connection API Gateway says is gone (410) when posting to it", async () => {
    // A record whose $disconnect never came (API Gateway delivers it best-effort).
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    await db.send(new PutCommand({ TableName: "connections", Item: { connectionId: "gone+/id=", userId: "carol", expiresAt: Math.floor(Date.now() / 1000) + 600 } }));
    const carol = await open(tokenOf("carol"));
    const result = await connections.postToUser("carol", { type: "photo", photoId: "p2", status: "failed" });
    expect(result.gone).toEqual(["gone+/id="]);
    expect(result.sent).toHaveLength(1);
    expect((await db.send(new GetCommand({ TableName: "connections", Key: { connectionId: "gone+/id=" } }))).Item).toBeUndefined();
    await eventually(() => carol.received).toContainEqual({ type: "photo", photoId: "p2", status: "failed" });
    carol.socket.close();
  });

  it("answers a management request it cannot take with a 4xx instead of failing (an id that is not percent-decodable is not connected)", async () => {
    const base = `${gateway.origin}/${apiId}/dev/@connections`;
    for (const method of ["POST", "GET", "DELETE"]) {
      const response = await fetch(`${base}/%E0%A4%A`, { method, ...(method === "POST" ? { body: "{}" } : {}) });
      expect(response.status).toBe(410);
      expect(response.headers.get("x-amzn-errortype")).toBe("GoneException");
    }
  });

  it("disconnects a client that sends a binary frame with 1003, running no route (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-binary-media-types.html)", async () => {
    const { socket } = await open(tokenOf("dave"));
    const connectionId = lastEvent("$connect")!.requestContext.connectionId as string;
    const before = events.filter((e) => e.requestContext?.eventType === "MESSAGE").length;
    const closed = new Promise<[number, string]>((resolve) => socket.once("close", (code, reason) => resolve([code, String(reason)])));
    socket.send(Buffer.from(JSON.stringify({ action: "ping" })), { binary: true });
    expect(await closed).toEqual([1003, "Binary frames are not supported"]);
    // Its $disconnect ends the connection's work, so none of it reaches the next test.
    await eventually(() => events.some((e) => e.requestContext?.connectionId === connectionId && e.requestContext?.eventType === "DISCONNECT")).toBe(true);
    expect(events.filter((e) => e.requestContext?.eventType === "MESSAGE")).toHaveLength(before);
  });

  it("runs no route for a text frame the client sent after its binary one, once the gateway is closing the connection", async () => {
    const { socket } = await open(tokenOf("erin"));
    const connectionId = lastEvent("$connect")!.requestContext.connectionId as string;
    const routed = () => events.filter((e) => e.requestContext?.connectionId === connectionId && e.requestContext?.eventType === "MESSAGE");
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    // Both frames leave before the gateway's close frame can arrive: the text one reaches a connection already closing.
    socket.send(Buffer.from("binary"), { binary: true });
    socket.send(JSON.stringify({ action: "ping" }));
    expect(await closed).toBe(1003);
    await eventually(() => events.some((e) => e.requestContext?.connectionId === connectionId && e.requestContext?.eventType === "DISCONNECT")).toBe(true);
    expect(routed()).toEqual([]);
  });

  it("answers a request target that is not a URL with 404, on the management API and on an upgrade", async () => {
    const port = Number(new URL(gateway.origin).port);
    const statusLine = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(request));
        let data = "";
        socket.on("data", (chunk) => (data += chunk));
        socket.on("end", () => resolve(data.split("\r\n")[0]));
        socket.on("error", reject);
      });
    expect(await statusLine("GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toBe("HTTP/1.1 404 Not Found");
    const upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    expect(await statusLine(`GET http://[ HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n\r\n`)).toBe("HTTP/1.1 404 Not Found");
  });

  it("reads frame sizes from headers split across chunks (RFC 6455 §5.2 lengths of 7, 16 and 64 bits)", () => {
    /** A masked client frame header: FIN + opcode, then the length in its shortest form, then the mask. */
    const header = (opcode: number, length: number) => {
      const extended = length < 126 ? Buffer.alloc(0) : length < 65536 ? Buffer.alloc(2) : Buffer.alloc(8);
      if (extended.length === 2) extended.writeUInt16BE(length);
      if (extended.length === 8) extended.writeBigUInt64BE(BigInt(length));
      return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | (length < 126 ? length : extended.length === 2 ? 126 : 127)]), extended, Buffer.alloc(4)]);
    };
    const frame = (opcode: number, length: number) => Buffer.concat([header(opcode, length), Buffer.alloc(length)]);
    const sizesSeen = (bytes: Buffer, step: number) => {
      const socket = new PassThrough();
      socket.resume();
      const tooBig: Array<[number, number]> = [];
      watchFrameSizes(socket, 32 * 1024, (size, messagesBefore) => tooBig.push([size, messagesBefore]));
      for (let at = 0; at < bytes.length; at += step) socket.emit("data", bytes.subarray(at, at + step));
      return tooBig;
    };
    // A ping, a 16-bit-length frame and a 32 KB one fit; a 64-bit-length frame after them does not. Two messages (each
    // frame has FIN set; the ping is none) were finished before it.
    const stream = Buffer.concat([frame(0x9, 4), frame(0x1, 300), frame(0x0, 32 * 1024), frame(0x1, 70_000), frame(0x1, 5)]);
    for (const step of [1, 3, 13, stream.length]) expect(sizesSeen(stream, step)).toEqual([[70_000, 2]]);
    expect(sizesSeen(Buffer.concat([frame(0x1, 125), frame(0x1, 32 * 1024 + 1)]), 7)).toEqual([[32 * 1024 + 1, 1]]);
  });

  it("selects routes by the expression and rewrites deployed URLs to the local server", () => {
    expect(selectRouteKey("$request.body.action", '{"action":"ping"}')).toBe("ping");
    expect(selectRouteKey("$request.body.meta.kind", '{"meta":{"kind":"x"}}')).toBe("x");
    expect(selectRouteKey("$request.body.action", "[1]")).toBeUndefined();
    expect(localiseRealtimeUrls('{"url":"wss://abc123def4.execute-api.us-east-1.amazonaws.com/dev"}', "http://127.0.0.1:4000")).toBe('{"url":"ws://127.0.0.1:4000/abc123def4/dev"}');
  });
});

describe("local WebSocket API limits (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html)", () => {
  const limitsSpec = normalise("limits", {
    connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" },
    stage: "dev",
    routes: { $disconnect: { handler: handlerFile, export: "disconnect" }, $default: { handler: handlerFile, export: "message" } },
  });

  /** A gateway whose connections end after the given idle time or duration; resolves with the close code, reason and $disconnect event of one connection. */
  async function closedConnection(limits: { idleTimeoutMs?: number; maxConnectionMs?: number }) {
    const disconnects: Array<Record<string, any>> = [];
    const limited = await startRealtimeGateway({
      apis: [{ spec: limitsSpec, apiId: "limits1" }],
      region: "us-east-1",
      ...limits,
      async invoke(_, __, event) {
        const e = event as Record<string, any>;
        if (e.requestContext.eventType === "DISCONNECT") disconnects.push(e);
        return undefined;
      },
    });
    try {
      const socket = new WebSocket(`${limited.origin.replace(/^http/, "ws")}/limits1/dev`);
      const [code, reason] = await new Promise<[number, string]>((resolve, reject) => {
        socket.once("close", (closeCode, closeReason) => resolve([closeCode, String(closeReason)]));
        socket.once("error", reject);
      });
      await eventually(() => disconnects).toHaveLength(1);
      return { code, reason, disconnect: disconnects[0], open: limited.connections("limits1") };
    } finally {
      await limited.close();
    }
  }

  it("closes a connection that stays idle past the idle timeout (10 minutes on AWS), and runs $disconnect", async () => {
    const closed = await closedConnection({ idleTimeoutMs: 1 });
    expect([closed.code, closed.reason]).toEqual([1001, "Idle timeout"]);
    expect(closed.disconnect.requestContext).toMatchObject({ routeKey: "$disconnect", disconnectStatusCode: 1001 });
    expect(closed.open).toEqual([]);
  });

  it("counts a message the backend posts to the connection as activity: a connection the server keeps talking to is not idle", async () => {
    // "If no messages are sent between the server and client for a 10-minute period, API Gateway closes the connection";
    // a server-sent keep-alive every 9.5 minutes keeps one open to the 2-hour mark (https://hotsock.io/docs/connections/keep-alive).
    // Only setTimeout is faked: sockets and fetch run for real, no test waits for 10 minutes to pass.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const limited = await startRealtimeGateway({ apis: [{ spec: limitsSpec, apiId: "limits1" }], region: "us-east-1", invoke: async () => undefined });
    try {
      const socket = new WebSocket(`${limited.origin.replace(/^http/, "ws")}/limits1/dev`);
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      const [id] = limited.connections("limits1");
      const management = `${limited.origin}/limits1/dev/@connections/${encodeURIComponent(id)}`;
      vi.advanceTimersByTime(9 * 60_000);
      expect((await fetch(management, { method: "POST", body: "keep-alive" })).status).toBe(200);
      // 18 minutes after the client last spoke, 9 after the server did: still open.
      vi.advanceTimersByTime(9 * 60_000);
      expect((await fetch(management)).status).toBe(200);
      vi.advanceTimersByTime(60_000 + 1);
      expect((await fetch(management)).status).toBe(410);
      expect(received).toEqual(["keep-alive"]);
    } finally {
      vi.useRealTimers();
      await limited.close();
    }
  });

  it("answers 410 GoneException to a post whose connection closed while its body was arriving, not 200 for a message nobody gets", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
    const disconnects: string[] = [];
    const limited = await startRealtimeGateway({
      apis: [{ spec: limitsSpec, apiId: "limits1" }],
      region: "us-east-1",
      async invoke(_, __, event) {
        const e = event as Record<string, any>;
        if (e.requestContext.eventType === "DISCONNECT") disconnects.push(e.requestContext.connectionId);
        return undefined;
      },
    });
    try {
      const socket = new WebSocket(`${limited.origin.replace(/^http/, "ws")}/limits1/dev`);
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      const [id] = limited.connections("limits1");
      const body = "still arriving";
      const post = httpRequest(`${limited.origin}/limits1/dev/@connections/${encodeURIComponent(id)}`, {
        method: "POST",
        // Node's server answers 100 Continue as it hands the request over: the gateway has found the connection open.
        headers: { "content-length": String(body.length), expect: "100-continue" },
      });
      const status = new Promise<number | undefined>((resolve, reject) => post.once("response", (response) => resolve(response.resume().statusCode)).once("error", reject));
      await new Promise((resolve) => post.once("continue", resolve));
      post.write(body.slice(0, 5));
      socket.close();
      await eventually(() => disconnects).toEqual([id]);
      post.end(body.slice(5));
      expect(await status).toBe(410);
    } finally {
      await limited.close();
    }
  });

  /** A gateway whose functions record the events they get; `opened` connects a client to it, `next` waits for an event. */
  async function recordingGateway() {
    const events: Array<Record<string, any>> = [];
    const waiting: Array<(event: Record<string, any>) => void> = [];
    const gateway = await startRealtimeGateway({
      apis: [{ spec: limitsSpec, apiId: "limits1" }],
      region: "us-east-1",
      async invoke(_, __, event) {
        events.push(event as Record<string, any>);
        for (const notify of waiting.splice(0)) notify(event as Record<string, any>);
        return undefined;
      },
    });
    const next = (eventType: string): Promise<Record<string, any>> =>
      new Promise((resolve) => {
        const wait = (event: Record<string, any>) => (event.requestContext.eventType === eventType ? resolve(event) : waiting.push(wait));
        waiting.push(wait);
      });
    const opened = async () => {
      const socket = new WebSocket(`${gateway.origin.replace(/^http/, "ws")}/limits1/dev`);
      const closed = new Promise<[number, string]>((resolve) => socket.once("close", (code, reason) => resolve([code, String(reason)])));
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      return { socket, closed };
    };
    const of = (eventType: string) => events.filter((e) => e.requestContext.eventType === eventType);
    return { gateway, opened, of, next };
  }

  /** Sends `text` as one message in frames of `frameBytes`. */
  function sendInFrames(socket: WebSocket, text: string, frameBytes: number) {
    for (let at = 0; at < text.length; at += frameBytes) socket.send(text.slice(at, at + frameBytes), { fin: at + frameBytes >= text.length });
  }

  it("takes a 128 KB message sent in 32 KB frames, and closes with 1009 a connection whose client sends a frame over 32 KB, running no route for it", async () => {
    const { gateway, opened, of, next } = await recordingGateway();
    try {
      const fits = await opened();
      sendInFrames(fits.socket, "a".repeat(128 * 1024), 32 * 1024);
      await eventually(() => of("MESSAGE").map((e) => e.body.length)).toEqual([128 * 1024]);
      fits.socket.close();

      const tooBig = await opened();
      tooBig.socket.send("b".repeat(32 * 1024 + 1));
      // Whichever comes first: the close, or the message reaching its route.
      expect(await Promise.race([tooBig.closed.then(([code]) => code), next("MESSAGE").then(() => "routed")])).toBe(1009);
      await eventually(() => of("DISCONNECT")).toHaveLength(2);
      expect(of("MESSAGE")).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });

  it("closes with 1009 a frame over 32 KB sent with the upgrade request (ws's `head`, or bytes buffered before the handshake ends), routing the message before it", async () => {
    const { gateway, of, next } = await recordingGateway();
    try {
      const socket = connect(Number(new URL(gateway.origin).port), "127.0.0.1");
      const received: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => received.push(chunk));
      // The close frame after the 101's headers: FIN + close, 2 bytes, code 1009.
      const closeFrame = new Promise<string>((resolve) =>
        socket.on("data", () => {
          const bytes = Buffer.concat(received);
          const body = bytes.indexOf("\r\n\r\n") + 4;
          if (body >= 4 && bytes.length >= body + 4) resolve(bytes.subarray(body, body + 4).toString("hex"));
        }),
      );
      const payload = 40_000;
      // Masked text frames, the mask all zeros so the payload goes as it is.
      const frameHeader = Buffer.from([0x81, 0x80 | 126, payload >> 8, payload & 0xff, 0, 0, 0, 0]);
      const first = Buffer.concat([Buffer.from([0x81, 0x80 | 5, 0, 0, 0, 0]), Buffer.from("first")]);
      const upgradeRequest = "GET /limits1/dev HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
      // One write: the frames come with the request (as the upgrade's head) or just after it, before the handshake ends;
      // either way the gateway has them before it watches frames, and must not miss them. The message finished ahead of
      // the frame over 32 KB came first: it reaches its route (in the same chunk, the watch sees the big frame's header
      // before `ws` has delivered "first").
      socket.write(Buffer.concat([Buffer.from(upgradeRequest), first, frameHeader, Buffer.alloc(payload, "x")]));
      // Without the watch the big frame's message is routed too: that ends the wait at once, not a timeout.
      const routedBoth = async () => {
        while (of("MESSAGE").length < 2) await next("MESSAGE");
        return "routed both";
      };
      expect(await Promise.race([closeFrame, routedBoth()])).toBe("880203f1");
      socket.destroy();
      await eventually(() => of("DISCONNECT")).toHaveLength(1);
      expect(of("MESSAGE").map((e) => e.body)).toEqual(["first"]);
    } finally {
      await gateway.close();
    }
  });

  it("closes with 1009 a connection whose message is over 128 KB though each frame fits, and the gateway goes on serving", async () => {
    const { gateway, opened, of } = await recordingGateway();
    try {
      const tooBig = await opened();
      sendInFrames(tooBig.socket, "c".repeat(128 * 1024 + 1), 32 * 1024);
      expect((await tooBig.closed)[0]).toBe(1009);
      await eventually(() => of("DISCONNECT")).toHaveLength(1);
      expect(of("MESSAGE")).toEqual([]);
      const next = await opened();
      next.socket.send("still here");
      await eventually(() => of("MESSAGE").map((e) => e.body)).toEqual(["still here"]);
      next.socket.close();
    } finally {
      await gateway.close();
    }
  });

  it("answers 429 LimitExceededException to a post for a client that stopped reading once its buffer is full, instead of buffering without end", async () => {
    // https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/com/amazonaws/services/apigatewaymanagementapi/model/LimitExceededException.html
    const { gateway, opened } = await recordingGateway();
    try {
      const { socket } = await opened();
      socket.pause();
      const [id] = gateway.connections("limits1");
      const post = () => fetch(`${gateway.origin}/limits1/dev/@connections/${encodeURIComponent(id)}`, { method: "POST", body: "d".repeat(128 * 1024) });
      // The operating system's socket buffers fill first (some MB on loopback); 64 MB is far past them and the bound.
      let response = await post();
      for (let posts = 1; response.status === 200 && posts < 512; posts++) response = await post();
      expect(response.status).toBe(429);
      expect(response.headers.get("x-amzn-errortype")).toBe("LimitExceededException");
      socket.terminate();
    } finally {
      await gateway.close();
    }
  });

  it("refuses a connection with 500 when $connect answers a statusCode that is no HTTP status, as when it throws", async () => {
    const connectSpec = normalise("connecting", { connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" }, stage: "dev", routes: { $connect: { handler: handlerFile, export: "connect" } } });
    let answer: unknown;
    const gateway = await startRealtimeGateway({ apis: [{ spec: connectSpec, apiId: "connect1" }], region: "us-east-1", invoke: async () => answer });
    const status = (statusCode: unknown) =>
      new Promise<number | string>((resolve) => {
        answer = { statusCode };
        const socket = new WebSocket(`${gateway.origin.replace(/^http/, "ws")}/connect1/dev`);
        socket.once("open", () => {
          resolve("open");
          socket.close();
        });
        socket.once("unexpected-response", (_, response) => resolve(response.statusCode!));
        socket.once("error", (error) => resolve(error.message));
      });
    try {
      expect(await status("ok")).toBe(500);
      expect(await status(42)).toBe(500);
      expect(await status(99999)).toBe(500);
      // A 1xx is no final response: written as the refusal, the client would wait on (100) or take it as the switch (101).
      expect(await status(100)).toBe(500);
      expect(await status(101)).toBe(500);
      expect(await status("403")).toBe(403);
      expect(await status(200)).toBe("open");
    } finally {
      await gateway.close();
    }
  });

  it("closes a connection DeleteConnection deletes with 1000 \"Connection Closed Normally\", as AWS's $disconnect reports it", async () => {
    const { gateway, opened, of } = await recordingGateway();
    try {
      const { closed } = await opened();
      const [id] = gateway.connections("limits1");
      expect((await fetch(`${gateway.origin}/limits1/dev/@connections/${encodeURIComponent(id)}`, { method: "DELETE" })).status).toBe(204);
      expect(await closed).toEqual([1000, "Connection Closed Normally"]);
      await eventually(() => of("DISCONNECT")).toHaveLength(1);
      expect(of("DISCONNECT")[0].requestContext).toMatchObject({ disconnectStatusCode: 1000, disconnectReason: "Connection Closed Normally" });
    } finally {
      await gateway.close();
    }
  });

  it("moves GetConnection's lastActiveAt on a message either way, the same activity the idle timer counts", async () => {
    // Only Date is faked: each step is at a time of the test's choosing, none waits for one.
    vi.useFakeTimers({ toFake: ["Date"] });
    const { gateway, opened, of } = await recordingGateway();
    try {
      vi.setSystemTime(Date.parse("2026-01-01T00:00:00.000Z"));
      const { socket } = await opened();
      const [id] = gateway.connections("limits1");
      const management = `${gateway.origin}/limits1/dev/@connections/${encodeURIComponent(id)}`;
      const lastActiveAt = async () => ((await (await fetch(management)).json()) as { lastActiveAt: string }).lastActiveAt;
      expect(await lastActiveAt()).toBe("2026-01-01T00:00:00.000Z");
      vi.setSystemTime(Date.parse("2026-01-01T00:01:00.000Z"));
      socket.send("from the client");
      await eventually(() => of("MESSAGE")).toHaveLength(1);
      expect(await lastActiveAt()).toBe("2026-01-01T00:01:00.000Z");
      vi.setSystemTime(Date.parse("2026-01-01T00:02:00.000Z"));
      expect((await fetch(management, { method: "POST", body: "from the backend" })).status).toBe(200);
      expect(await lastActiveAt()).toBe("2026-01-01T00:02:00.000Z");
      socket.close();
    } finally {
      vi.useRealTimers();
      await gateway.close();
    }
  });

  it("closes a connection at the end of its duration (2 hours on AWS), and runs $disconnect", async () => {
    const closed = await closedConnection({ maxConnectionMs: 1 });
    expect([closed.code, closed.reason]).toEqual([1001, "Connection duration exceeded"]);
    expect(closed.disconnect.requestContext).toMatchObject({ routeKey: "$disconnect", disconnectStatusCode: 1001 });
  });
});
