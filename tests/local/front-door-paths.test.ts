/**
 * The front door picks a behaviour on the normalised path and hands the raw one on (review 13, finding 8):
 * "CloudFront normalizes URI paths consistent with RFC 3986 and then matches the path with the correct cache
 * behavior. Once the cache behavior is matched, CloudFront sends the raw URI path to the origin."
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalise } from "../../components/static-site/spec";
import type { EdgeRequest } from "../../local/edge-runtime";
import { behaviourPath, createFrontDoor } from "../../local/front-door";
import { openDoor, type OpenDoor } from "../harness/front-door";

let port = 0;
let door: OpenDoor;

beforeAll(async () => {
  const spec = {
    ...normalise("paths", { path: "site/dist", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] }),
    edge: [{ pathPattern: "/account/*" }] as never,
  };
  // The API origin says which path it was sent.
  const api = (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ origin: "api", url: request.url }));
  };
  // The protected behaviour's viewer-request check answers 401 and says which URI it was given.
  const guard = {
    name: "guard",
    kind: "lambda" as const,
    eventType: "viewer-request" as const,
    onRequest: async (request: EdgeRequest) => ({ response: { status: 401, headers: { "content-type": ["text/plain"] }, body: Buffer.from(`guard saw ${request.uri}`) } }),
    onResponse: async () => {
      throw new Error("not used");
    },
  };
  door = await openDoor(createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => (pattern === "/account/*" ? { "viewer-request": guard } : {}) }, log: () => undefined }));
  port = door.port;
});

afterAll(() => door.close());

/** A request with the path exactly as given (fetch would resolve dot segments itself). */
function raw(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("front door path matching", () => {
  it("normalises as CloudFront matches: dot segments removed, runs of slashes collapsed, escapes left as sent", () => {
    expect(behaviourPath("//api/albums")).toBe("/api/albums");
    expect(behaviourPath("/x/../api/albums")).toBe("/api/albums");
    expect(behaviourPath("/api/./albums/")).toBe("/api/albums/");
    expect(behaviourPath("/a/b/..")).toBe("/a/");
    expect(behaviourPath("/../..")).toBe("/");
    expect(behaviourPath("/")).toBe("/");
    expect(behaviourPath("/%61pi/%2e%2e/x")).toBe("/%61pi/%2e%2e/x");
  });

  it("sends //api/albums and /x/../api/albums to the API's behaviour, with the raw path", async () => {
    for (const path of ["//api/albums", "/x/../api/albums", "/api/./albums?x=1"]) {
      const answer = await raw(path);
      expect(answer.status, path).toBe(200);
      expect(JSON.parse(answer.body), path).toEqual({ origin: "api", url: path });
    }
  });

  it("runs the /account/* behaviour's check on /x/../account/ and //account/, which gets the raw URI", async () => {
    for (const path of ["/x/../account/index.html", "//account/index.html"]) {
      const answer = await raw(path);
      expect(answer.status, path).toBe(401);
      expect(answer.body, path).toBe(`guard saw ${path}`);
    }
  });
});
