/**
 * API Gateway's limit on a request's head (10,240 bytes, counted per kind as AWS's quota pages word it): a request
 * just over it is refused before routing, one just at it is served. Requests go out on a raw socket, so every byte of
 * the head is the test's own and the count is exact.
 */
import { connect } from "node:net";
import type { Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { ApiKind } from "../../components/serverless-api/args";
import { normalise } from "../../components/serverless-api/spec";
import { MAX_REQUEST_HEAD_BYTES, createLocalGateway } from "../../local/api-gateway";
import { normalise as normaliseSite } from "../../components/static-site/spec";
import { createFrontDoor, listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((done) => server.close(done)))));

const context = { log: () => undefined, run: { config: { region: "us-east-1" } } } as unknown as LocalContext;

/** The gateway of an API of `kind` on its own port, or behind a front door (a site routing /api/* to it). */
async function gateway(kind: ApiKind, behindFrontDoor = false): Promise<number> {
  const spec = normalise("api", { kind, basePath: "api", defaultAuth: "none", routes: { "GET /me": { integration: { type: "mock", body: { ok: true } } } } });
  const api = createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => undefined });
  const site = normaliseSite("site", { path: "site/dist", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] });
  const { server } = await listen(behindFrontDoor ? createFrontDoor(site, new Map([["api", api]]), { log: () => undefined }) : api, 0);
  servers.push(server);
  return (server.address() as { port: number }).port;
}

/** Sends the head exactly as given and resolves with the answer's status line and body. */
function send(port: number, head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(head, "latin1"));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.on("error", reject);
  });
}

const REQUEST_LINE = "GET /api/me HTTP/1.1";
const OTHER_HEADERS: Array<[string, string]> = [["Host", "localhost"], ["Connection", "close"]];

/** A request whose bearer token is padded so that the bytes AWS counts for the kind come to exactly `total`. */
function headOf(kind: ApiKind, total: number): string {
  const counted = (token: string) => {
    const headers: Array<[string, string]> = [...OTHER_HEADERS, ["Authorization", `Bearer ${token}`]];
    // REST: "all header values, including header names, values, any line terminators, and whitespaces";
    // HTTP: "request line and header values".
    return kind === ApiKind.Http
      ? REQUEST_LINE.length + headers.reduce((sum, [, value]) => sum + value.length, 0)
      : headers.reduce((sum, [name, value]) => sum + `${name}: ${value}\r\n`.length, 0);
  };
  const token = "a".repeat(total - counted(""));
  expect(counted(token)).toBe(total);
  return `${REQUEST_LINE}\r\n${[...OTHER_HEADERS, ["Authorization", `Bearer ${token}`]].map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
}

describe.each([
  [ApiKind.Rest, false],
  [ApiKind.Http, false],
  // CloudFront's own limit is higher (front-door.ts MAX_REQUEST_BYTES): the API's answer is what the viewer gets.
  [ApiKind.Rest, true],
  [ApiKind.Http, true],
])("%s API (behind the front door: %s): request head limit", (kind, behindFrontDoor) => {
  it(`serves a request whose head is ${MAX_REQUEST_HEAD_BYTES} bytes and refuses one a byte over with 431`, async () => {
    const port = await gateway(kind, behindFrontDoor);
    expect(await send(port, headOf(kind, MAX_REQUEST_HEAD_BYTES))).toEqual({ status: 200, body: JSON.stringify({ ok: true }) });
    const refused = await send(port, headOf(kind, MAX_REQUEST_HEAD_BYTES + 1));
    expect(refused.status).toBe(431);
    expect(JSON.parse(refused.body)).toEqual({ message: "Request Header Fields Too Large" });
  });
});
