/**
 * CloudFront's limit on a request (path, query string and headers: 20,480 bytes; 413 past it, connection closed) at the
 * front door as `npm start` listens (local/front-door.ts listen), in front of an API whose own gateway refuses a
 * head over API Gateway's 10,240 bytes: each limit answers from its own layer. Requests go out on a raw socket, so
 * every byte counted is the test's own.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalise } from "../../components/static-site/spec";
import { MAX_REQUEST_BYTES, createFrontDoor, listen } from "../../local/front-door";

let server: Server;
let port = 0;
let door: ReturnType<typeof createFrontDoor>;

beforeAll(async () => {
  const spec = normalise("limits", { path: "site/dist", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] });
  const api = (_request: IncomingMessage, response: ServerResponse) => response.end("origin");
  door = createFrontDoor(spec, new Map([["api", api]]), { log: () => undefined });
  ({ server } = await listen(door, 0));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  await door.close?.();
});

/**
 * Sends the head as given (keep-alive); resolves with the status and whether the server closed the connection after
 * answering: the origin's answer (its body, "origin") leaves it open, so the test closes it then.
 */
function send(head: string): Promise<{ status: number; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(head, "latin1"));
    let text = "";
    const status = () => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (text.endsWith("\r\n\r\norigin")) {
        socket.destroy();
        resolve({ status: status(), closed: false });
      }
    });
    socket.on("end", () => resolve({ status: status(), closed: true }));
    socket.on("error", reject);
  });
}

const TARGET = "/api/me";
const OTHER_HEADERS = "Host: localhost\r\nConnection: keep-alive\r\n";

/** A request whose target and header lines come to exactly `total` bytes, padded in its Authorization header. */
function headOf(total: number): string {
  const fixed = TARGET.length + OTHER_HEADERS.length + "Authorization: Bearer \r\n".length;
  const headers = `${OTHER_HEADERS}Authorization: Bearer ${"a".repeat(total - fixed)}\r\n`;
  expect(TARGET.length + headers.length).toBe(total);
  return `GET ${TARGET} HTTP/1.1\r\n${headers}\r\n`;
}

describe("front door: CloudFront's 20,480-byte request limit", () => {
  it(`passes a request of ${MAX_REQUEST_BYTES} bytes on to the origin (over Node's default 16 KiB head)`, async () => {
    expect(await send(headOf(MAX_REQUEST_BYTES))).toEqual({ status: 200, closed: false });
  });

  it("answers one a byte over 413 and closes the connection", async () => {
    expect(await send(headOf(MAX_REQUEST_BYTES + 1))).toEqual({ status: 413, closed: true });
  });
});
