/** The front door runs a behaviour's functions in CloudFront's order, with CloudFront's short-circuits. */
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEventType } from "../../components/edge-logic/associations";
import { normalise } from "../../components/static-site/spec";
import { EdgeFunctionError, type BehaviourRunners, type EdgeRequest, type EdgeResponse, type EdgeRunner } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";

const trace: string[] = [];

function runner(eventType: EdgeEventType, behaviour: { generate?: EdgeResponse; fail?: boolean } = {}): EdgeRunner {
  return {
    name: eventType,
    kind: "lambda",
    eventType,
    async onRequest(request: EdgeRequest) {
      trace.push(`${eventType} ${request.uri}`);
      if (behaviour.fail) throw new EdgeFunctionError(eventType, eventType, "boom");
      if (behaviour.generate) return { response: behaviour.generate };
      return { request: { ...request, uri: eventType === "viewer-request" ? "/about.html" : request.uri } };
    },
    async onResponse(_request: EdgeRequest, response: EdgeResponse) {
      trace.push(`${eventType} ${response.status}`);
      return { ...response, headers: { ...response.headers, [`x-${eventType}`]: ["1"] } };
    },
  };
}

let server: Server;
let base = "";
let runners: BehaviourRunners = {};
let routeRunners: BehaviourRunners = {};
let door: ReturnType<typeof createFrontDoor>;

beforeAll(async () => {
  const spec = { ...normalise("order", { path: "site", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] }), edge: [] };
  const api = (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ method: request.method, url: request.url, body, tagged: request.headers["x-viewer-request"] ?? null }));
    });
  };
  door = createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => (pattern === "default" ? runners : pattern === "/api/*" ? routeRunners : {}) }, log: () => {} });
  server = createServer(door);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await door.close?.();
});

async function run(path: string, next: BehaviourRunners) {
  trace.length = 0;
  runners = next;
  return fetch(`${base}${path}`, { redirect: "manual" });
}

describe("front door edge order", () => {
  it("viewer-request → origin-request → origin → origin-response → viewer-response", async () => {
    const response = await run("/about", {
      "viewer-request": runner("viewer-request"), "origin-request": runner("origin-request"),
      "origin-response": runner("origin-response"), "viewer-response": runner("viewer-response"),
    });
    expect(trace).toEqual(["viewer-request /about", "origin-request /about.html", "origin-response 200", "viewer-response 200"]);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<title>About · Gallery</title>");
    expect([response.headers.get("x-origin-response"), response.headers.get("x-viewer-response")]).toEqual(["1", "1"]);
    // The response headers policy is applied before viewer-response, which sees (and may change) it.
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("a response generated at viewer-request goes straight back", async () => {
    const response = await run("/x", {
      "viewer-request": runner("viewer-request", { generate: { status: 302, headers: { location: ["/signin"] } } }),
      "origin-request": runner("origin-request"), "viewer-response": runner("viewer-response"),
    });
    expect(trace).toEqual(["viewer-request /x"]);
    expect([response.status, response.headers.get("location")]).toEqual([302, "/signin"]);
  });

  it("a response generated at origin-request skips the origin and origin-response, not viewer-response", async () => {
    const response = await run("/x", {
      "origin-request": runner("origin-request", { generate: { status: 200, headers: { "content-type": ["text/plain"] }, body: Buffer.from("edge") } }),
      "origin-response": runner("origin-response"), "viewer-response": runner("viewer-response"),
    });
    expect(trace).toEqual(["origin-request /x", "viewer-response 200"]);
    expect(await response.text()).toBe("edge");
  });

  it("origin-response also runs on the error document fetched for a 404", async () => {
    const response = await run("/missing.html", { "origin-response": runner("origin-response") });
    expect(trace).toEqual(["origin-response 404", "origin-response 200"]);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });

  it("runs a route's functions around its local origin, request body included", async () => {
    trace.length = 0;
    routeRunners = {
      "viewer-request": {
        ...runner("viewer-request"),
        async onRequest(request: EdgeRequest) {
          trace.push(`viewer-request ${request.uri}`);
          return { request: { ...request, headers: { ...request.headers, "x-viewer-request": ["seen"] } } };
        },
      },
      "origin-response": runner("origin-response"),
      "viewer-response": runner("viewer-response"),
    };
    const response = await fetch(`${base}/api/albums?limit=2`, { method: "POST", body: '{"title":"Trip"}', headers: { "content-type": "application/json" } });
    expect(trace).toEqual(["viewer-request /api/albums", "origin-response 200", "viewer-response 200"]);
    expect(await response.json()).toEqual({ method: "POST", url: "/api/albums?limit=2", body: '{"title":"Trip"}', tagged: "seen" });
    expect([response.headers.get("x-origin-response"), response.headers.get("x-viewer-response"), response.headers.get("x-frame-options")]).toEqual(["1", "1", "DENY"]);
    routeRunners = {};
    const direct = await fetch(`${base}/api/albums`);
    expect(((await direct.json()) as { tagged: unknown }).tagged).toBeNull();
  });

  it("a failing function answers 503, as CloudFront does", async () => {
    const response = await run("/", { "viewer-request": runner("viewer-request", { fail: true }) });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("viewer-request (viewer-request): boom");
  });
});
