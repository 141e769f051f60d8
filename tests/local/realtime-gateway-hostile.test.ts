/**
 * The local WebSocket gateway against clients that go away at awkward moments: none of them may end the local runtime
 * (an 'error' event nobody listens to is thrown, and ends the process).
 */
import { describe, expect, it } from "vitest";
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { normalise } from "../../components/realtime-api/spec";
import { startRealtimeGateway } from "../../local/realtime-gateway";

const handlerFile = "handlers/realtime/connections.ts";
const spec = normalise("hostile", {
  connectionsTable: { name: "connections", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections" },
  stage: "dev",
  routes: { $connect: { handler: handlerFile, export: "connect" }, $default: { handler: handlerFile, export: "message" } },
});

const upgradeRequest = "GET /hostile1/dev HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

describe("local WebSocket gateway, hostile clients", () => {
  it.each([
    ["refuses", 403],
    ["accepts", 200],
  ])("carries on when a client resets its connection while $connect runs, and $connect then %s it", async (_, statusCode) => {
    let connecting: ((answer: unknown) => void) | undefined;
    let called!: () => void;
    const connectCalled = new Promise<void>((resolve) => (called = resolve));
    const gateway = await startRealtimeGateway({
      apis: [{ spec, apiId: "hostile1" }],
      region: "us-east-1",
      invoke: async (_api, _name, event) => {
        if ((event as { requestContext: { eventType: string } }).requestContext.eventType !== "CONNECT") return undefined;
        // The first client's $connect waits for the test; later ones are let in at once.
        if (connecting) return { statusCode: 200 };
        called();
        return new Promise((resolve) => (connecting = resolve));
      },
    });
    const errors: unknown[] = [];
    const onUncaught = (error: unknown) => errors.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const socket: Socket = connect(Number(new URL(gateway.origin).port), "127.0.0.1");
      socket.write(upgradeRequest);
      await connectCalled;
      const closed = new Promise((resolve) => socket.once("close", resolve));
      // A TCP reset (RST), as a client that crashed or a network that dropped it sends.
      socket.resetAndDestroy();
      await closed;
      connecting!({ statusCode });
      // The gateway still serves: a new client connects (and by then the reset socket has been written to and failed).
      const next = new WebSocket(`${gateway.origin.replace(/^http/, "ws")}/hostile1/dev`);
      const answered = new Promise<number | string>((resolve) => {
        next.once("open", () => resolve("open"));
        next.once("unexpected-response", (_req, response) => resolve(response.statusCode!));
      });
      expect(await answered).toBe("open");
      next.terminate();
      expect(errors).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      await gateway.close();
    }
  });
});

describe("local WebSocket gateway, names a client chooses", () => {
  it("takes a header and a query parameter named __proto__ as any other, into $connect's event (was a 500 refusal)", async () => {
    const connects: Array<Record<string, any>> = [];
    const gateway = await startRealtimeGateway({
      apis: [{ spec, apiId: "hostile1" }],
      region: "us-east-1",
      invoke: async (_api, _name, event) => {
        if ((event as { requestContext: { eventType: string } }).requestContext.eventType === "CONNECT") connects.push(event as Record<string, any>);
        return undefined;
      },
    });
    try {
      // JSON.parse: in an object literal `__proto__` would set the prototype, not name a header.
      const socket = new WebSocket(`${gateway.origin.replace(/^http/, "ws")}/hostile1/dev?__proto__=q&__proto__=r`, { headers: JSON.parse('{ "__proto__": "v" }') as Record<string, string> });
      const answered = await new Promise<number | string>((resolve) => {
        socket.once("open", () => resolve("open"));
        socket.once("unexpected-response", (_req, response) => resolve(response.statusCode!));
      });
      expect(answered).toBe("open");
      socket.terminate();
      expect(Object.hasOwn(connects[0].headers, "__proto__")).toBe(true);
      expect(connects[0].headers.__proto__).toBe("v");
      expect(connects[0].multiValueQueryStringParameters.__proto__).toEqual(["q", "r"]);
    } finally {
      await gateway.close();
    }
  });
});
