/**
 * A `cached: true` route has the site's cache policy (query strings, cookies and headers all `none`) and no origin
 * request policy (components/static-site/distribution.ts), so CloudFront sends its origin no query string, no cookies
 * and no Authorization on GET and HEAD (review 105, finding 1; review 115). The front door sends the local origin the same, with or without edge
 * functions; a viewer-request function still sees the viewer's whole request, and an uncached route gets everything.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalise } from "../../components/static-site/spec";
import type { EdgeRequest } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";
import { openDoor, type OpenDoor } from "../harness/front-door";

let base = "";
let door: OpenDoor;
const seenByViewerFunction: EdgeRequest[] = [];

beforeAll(async () => {
  const spec = normalise("cached", {
    path: "site/dist",
    routes: [
      { pathPattern: "/cached/*", originId: "api", domainName: "api.example.com", cached: true },
      { pathPattern: "/edge-cached/*", originId: "api", domainName: "api.example.com", cached: true },
      { pathPattern: "/api/*", originId: "api", domainName: "api.example.com" },
    ],
  });
  // The API origin says what it was sent.
  const api = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      response.setHeader("content-type", "application/json");
      // A HEAD response has no body, so what the origin was sent rides in a header too.
      response.setHeader("x-origin-saw", encodeURIComponent(JSON.stringify({ method: request.method, url: request.url, headers: request.headers })));
      response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, rawHeaders: request.rawHeaders, body: Buffer.concat(chunks).toString("utf8") }));
    });
  };
  const viewerFunction = {
    name: "look",
    kind: "lambda" as const,
    eventType: "viewer-request" as const,
    onRequest: async (request: EdgeRequest) => {
      seenByViewerFunction.push(request);
      return { request };
    },
    onResponse: async () => {
      throw new Error("not used");
    },
  };
  door = await openDoor(createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => (pattern === "/edge-cached/*" ? { "viewer-request": viewerFunction } : {}) }, log: () => undefined }));
  base = door.base;
});

afterAll(() => door.close());

const viewer = { authorization: "Bearer token", cookie: "ab=b; session=s", "x-custom": "1", accept: "application/json", "content-type": "application/json", "accept-encoding": "gzip", "x-forwarded-for": "203.0.113.9" };

async function sent(path: string, init: RequestInit = {}): Promise<{ method: string; url: string; headers: Record<string, string>; rawHeaders: string[]; body: string }> {
  const response = await fetch(`${base}${path}`, { headers: viewer, ...init });
  expect(response.status).toBe(200);
  return (await response.json()) as { method: string; url: string; headers: Record<string, string>; rawHeaders: string[]; body: string };
}

describe("a cached route's origin request", () => {
  it("carries no query string, cookies, Authorization or other viewer headers (origin answers the viewer directly)", async () => {
    const got = await sent("/cached/items?limit=5");
    expect(got.url).toBe("/cached/items");
    for (const name of ["authorization", "cookie", "x-custom", "accept"]) expect(got.headers[name]).toBeUndefined();
    expect(got.rawHeaders.map((h) => h.toLowerCase())).not.toContain("authorization");
    // What the cache policy and CloudFront still pass on (CACHED_ROUTE_HEADERS): Accept-Encoding, X-Forwarded-For.
    expect(got.headers).toMatchObject({ "accept-encoding": "gzip", "x-forwarded-for": "203.0.113.9" });
  });

  it("keeps the method, body and its content type", async () => {
    const got = await sent("/cached/items?x=1", { method: "POST", body: '{"a":1}' });
    expect(got).toMatchObject({ method: "POST", url: "/cached/items", body: '{"a":1}' });
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers.cookie).toBeUndefined();
  });

  it("keeps Authorization on the writes and OPTIONS (CloudFront removes it from GET and HEAD, and OPTIONS only when cached)", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      const got = await sent("/cached/items", { method, ...(method === "OPTIONS" ? {} : { body: "{}" }) });
      expect([method, got.headers.authorization]).toEqual([method, "Bearer token"]);
    }
  });

  // CloudFront caches GET and HEAD on a cached route (CACHED_METHODS) and removes Authorization from both
  // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html,
  // "HTTP request headers and CloudFront behavior": Authorization; "For GET and HEAD requests ... CloudFront removes
  // the Authorization header" in its older edition), so a HEAD is narrowed as its GET is: the method kept (the front
  // door forwards the viewer's method), no query string, cookies, Authorization or other viewer headers.
  it.each(["/cached/items?limit=5", "/edge-cached/items?limit=5"])("narrows a HEAD as its GET, Authorization included (%s)", async (path) => {
    const response = await fetch(`${base}${path}`, { method: "HEAD", headers: viewer });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    const head = JSON.parse(decodeURIComponent(response.headers.get("x-origin-saw") ?? "null")) as { method: string; url: string; headers: Record<string, string> };
    const get = await sent(path);
    expect(head.method).toBe("HEAD");
    expect(head.url).toBe(get.url);
    expect(head.url).toBe(path.split("?")[0]);
    for (const name of ["authorization", "cookie", "x-custom", "accept"]) expect([name, head.headers[name]]).toEqual([name, undefined]);
    expect(head.headers).toMatchObject({ "accept-encoding": "gzip", "x-forwarded-for": "203.0.113.9" });
    // The same headers as the GET, no more: the cache policy forwards nothing else on either.
    expect(Object.keys(head.headers).sort()).toEqual(Object.keys(get.headers).sort());
  });

  it("is stripped the same way behind an edge function, which still sees the viewer's whole request", async () => {
    const got = await sent("/edge-cached/items?limit=5");
    expect(got.url).toBe("/edge-cached/items");
    for (const name of ["authorization", "cookie", "x-custom"]) expect(got.headers[name]).toBeUndefined();
    const seen = seenByViewerFunction.at(-1)!;
    expect(seen.querystring).toBe("limit=5");
    expect(seen.headers.authorization).toEqual(["Bearer token"]);
    expect(seen.headers.cookie).toEqual(["ab=b; session=s"]);
  });

  it("an uncached route (all viewer headers but Host) still gets the whole request", async () => {
    const got = await sent("/api/items?limit=5");
    expect(got.url).toBe("/api/items?limit=5");
    expect(got.headers).toMatchObject({ authorization: "Bearer token", cookie: "ab=b; session=s", "x-custom": "1" });
  });
});
