/** The front door runs a behaviour's functions in CloudFront's order, with CloudFront's short-circuits. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEventType } from "../../components/edge-logic/associations";
import { normalise } from "../../components/static-site/spec";
import { createOriginResponseHandler } from "../../handlers/edge/origin-response";
import { lambdaEvent, responseFromLambda } from "../../local/edge-events";
import { EdgeFunctionError, type BehaviourRunners, type EdgeRequest, type EdgeResponse, type EdgeRunner } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";
import { openDoor, type OpenDoor } from "../harness/front-door";

const trace: string[] = [];
const logged: string[] = [];

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

let base = "";
let runners: BehaviourRunners = {};
let routeRunners: BehaviourRunners = {};
let door: OpenDoor;

beforeAll(async () => {
  const spec = { ...normalise("order", { path: "site/dist", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] }), edge: [] };
  const api = (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ method: request.method, url: request.url, body, tagged: request.headers["x-viewer-request"] ?? null }));
    });
  };
  door = await openDoor(createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => (pattern === "default" ? runners : pattern === "/api/*" ? routeRunners : {}) }, log: (line) => void logged.push(line) }));
  base = door.base;
});
afterAll(() => door.close());

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

  it("viewer-response does not run when the origin answered 400 or more, as CloudFront", async () => {
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html#function-restrictions-status-codes
    const response = await run("/missing.html", { "viewer-response": runner("viewer-response") });
    expect(trace).toEqual([]);
    expect(response.status).toBe(404);
    expect(response.headers.get("x-viewer-response")).toBeNull();
    // The response headers policy still applies.
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("with routes and no error-document function, a site 404 is S3's own (no distribution-wide rule to serve the page)", async () => {
    const response = await run("/missing.html", {});
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("NoSuchKey");
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

  it("a failing function answers 503, as CloudFront does, with a generic body (the details go to the log)", async () => {
    logged.length = 0;
    const response = await run("/", { "viewer-request": runner("viewer-request", { fail: true }) });
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(body).toBe("503 ERROR\nThe request could not be satisfied.\n");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(logged.join("\n")).toContain("viewer-request (viewer-request): boom");
  });

  it("a function result HTTP cannot carry answers 502 (CloudFront's validation error), and the door keeps serving", async () => {
    // Issue 11: a redirect carrying a decoded CR LF threw "Invalid character in header content" and ended npm start.
    const invalid: EdgeResponse[] = [
      { status: 301, headers: { location: ["/about?q=\r\nSet-Cookie: x=1"] } },
      { status: 301, headers: { "bad name": ["x"] } },
      { status: 1000, headers: {} },
      { status: 200, statusDescription: "OK\r\nX: y", headers: {} },
    ];
    for (const generate of invalid) {
      logged.length = 0;
      const response = await run("/", { "viewer-request": runner("viewer-request", { generate }) });
      expect(response.status).toBe(502);
      expect(await response.text()).toBe("502 ERROR\nThe request could not be satisfied.\n");
      expect(logged.join("\n")).toContain("InvalidEdgeResult");
    }
    expect((await run("/about.html", {})).status).toBe(200);
  });
});

/** An origin-response runner over the reference app's real handler, with Lambda@Edge's event shapes. */
function realOriginResponse(errorDocument?: string): EdgeRunner {
  const handler = createOriginResponseHandler({ noindexPrefixes: [], defaultCacheControl: "no-cache", errorCacheControl: "max-age=10", errorDocument });
  return {
    name: "origin-response",
    kind: "lambda",
    eventType: "origin-response",
    onRequest: async (request) => ({ request }),
    async onResponse(request, response, host) {
      trace.push(`origin-response ${response.status}`);
      const result = await handler(lambdaEvent("origin-response", request, response, host, false) as never);
      const changed = responseFromLambda(result);
      return { ...changed, body: (result as { body?: string }).body === undefined ? response.body : changed.body };
    },
  };
}

const notFoundJson = (_request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
  response.statusCode = 404;
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ message: "album not found" }));
};

describe("front door error documents, as CloudFront serves them", () => {
  it("without routes: the distribution's custom error response serves the error document (origin-response runs on both fetches)", async () => {
    const plain = normalise("plain", { path: "site/dist" });
    const door = await openDoor(createFrontDoor(plain, new Map(), { edge: { behaviour: () => ({ "origin-response": runner("origin-response") }) }, log: () => {} }));
    try {
      trace.length = 0;
      const response = await fetch(`${door.base}/missing.html`);
      expect(trace).toEqual(["origin-response 404", "origin-response 200"]);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain("Page not found");
    } finally {
      await door.close();
    }
  });

  it("with routes: the API's 404 JSON passes through; the site's 404 gets the error document from origin-response", async () => {
    const routes = [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }];
    const errorPages = { pathPattern: "default", eventType: "origin-response" as const, kind: "lambda" as const, edgeLogic: "edge", key: "origin-response", arn: "x", servesErrorDocument: true };
    const spec = normalise("errors", { path: "site/dist", routes, edge: [errorPages] });
    const errorDocument = "<!doctype html><h1>Page not found</h1>";
    const door = await openDoor(createFrontDoor(spec, new Map([["api", notFoundJson]]), {
      edge: { behaviour: (pattern) => (pattern === "default" ? { "origin-response": realOriginResponse(errorDocument) } : {}) },
      log: () => {},
    }));
    try {
      const api = await fetch(`${door.base}/api/albums/nope`);
      expect(api.status).toBe(404);
      expect(api.headers.get("content-type")).toBe("application/json");
      expect(await api.json()).toEqual({ message: "album not found" });

      trace.length = 0;
      const page = await fetch(`${door.base}/no/such/page.html`);
      expect(trace).toEqual(["origin-response 404"]);
      expect(page.status).toBe(404);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await page.text()).toBe(errorDocument);
    } finally {
      await door.close();
    }
  });
});
