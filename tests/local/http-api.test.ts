/** `npm start` serves ServerlessApi's HTTP kind with Lambda proxy payload format 2.0 events and results. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalApp, type LocalApp } from "../../local/start";

let app: LocalApp;
let base: string;

beforeAll(async () => {
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: mkdtempSync(join(tmpdir(), "sf-httpapi-")), load: () => import("../fixtures/http-api-program.js") });
  base = app.urls["httpapi (dev)"];
});

afterAll(async () => {
  await app?.stop();
});

describe("local HTTP API (payload format 2.0)", () => {
  it("hands the function a 2.0 event: routeKey, rawPath, rawQueryString, joined query values, lower-case headers, cookies, path parameters", async () => {
    const response = await fetch(`${base}/api/events/42?x=1&x=2&y=z`, { headers: { cookie: "session=abc; theme=dark", "X-Custom": "Yes" } });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-route")).toBe("GET /api/events/{id}");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const event = (await response.json()) as Record<string, any>;
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /api/events/{id}",
      rawPath: "/api/events/42",
      rawQueryString: "x=1&x=2&y=z",
      queryStringParameters: { x: "1,2", y: "z" },
      cookies: ["session=abc", "theme=dark"],
      pathParameters: { id: "42" },
      isBase64Encoded: false,
      requestContext: { routeKey: "GET /api/events/{id}", stage: "dev", http: { method: "GET", path: "/api/events/42" }, requestId: expect.any(String), timeEpoch: expect.any(Number) },
    });
    expect(event.headers["x-custom"]).toBe("Yes");
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
  });

  it("joins a header sent on several lines, its name spelt in different cases, in the order the lines arrived", async () => {
    // fetch would merge the lines itself: the request is written as it goes on the wire.
    const { hostname, port } = new URL(base);
    const socket = connect(Number(port), hostname);
    // Written, not ended: the server closes the connection once it has answered (Connection: close).
    socket.write(["GET /api/events/7 HTTP/1.1", `Host: ${hostname}`, "X-A: 1", "x-a: 2", "X-A: 3", "Cookie: a=1", "cookie: b=2", "Cookie: c=3", "Connection: close", "", ""].join("\r\n"));
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    const answer = Buffer.concat(chunks).toString("utf8");
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toMatch(/\r\ncontent-length: \d+\r\n/i);
    const event = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { headers: Record<string, string>; cookies: string[] };
    // Before the fix the lines were grouped by spelling: "1,3,2", and the cookies a=1, c=3, b=2.
    expect([event.headers["x-a"], event.cookies]).toEqual(["1,2,3", ["a=1", "b=2", "c=3"]]);
  });

  it("answers a result without statusCode as a 200 JSON body, and an unknown route 404", async () => {
    const plain = await fetch(`${base}/api/plain`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("application/json");
    expect(await plain.json()).toEqual({ version: "2.0", path: "/api/plain" });
    const missing = await fetch(`${base}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "Not Found" });
  });
});
