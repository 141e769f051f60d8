/**
 * The front door with a Lambda@Edge function on a route: a replaced body reaches the origin, a Lambda validation
 * error answers 502 with the function, header and rule in the log, and the event's header keys are the viewer's.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { normalise } from "../../components/static-site/spec";
import { lambdaEdgeRunner, type BehaviourRunners } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";
import { openDoor, type OpenDoor } from "../harness/front-door";

type Cf = { request: Record<string, any> };
let handler: (cf: Cf) => unknown = ({ request }) => request;
const seen: Cf[] = [];
const logged: string[] = [];
const host = () => ({
  invoke: async <T,>(event: unknown) => {
    const cf = JSON.parse(JSON.stringify(event)).Records[0].cf as Cf;
    seen.push(cf);
    return handler(cf) as T;
  },
});
const routeRunners: BehaviourRunners = { "origin-request": lambdaEdgeRunner("forms-origin-request", "origin-request", {} as LambdaFunctionSpec, host, true) };

/** The API: echoes what reached it. */
const api = (request: IncomingMessage, response: ServerResponse) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ body: Buffer.concat(chunks).toString(), length: request.headers["content-length"] ?? null }));
  });
};

let door: OpenDoor;
beforeAll(async () => {
  const spec = { ...normalise("forms", { path: "site/dist", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] }), edge: [] };
  door = await openDoor(createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => (pattern === "/api/*" ? routeRunners : {}) }, log: (line) => void logged.push(line) }));
});
afterAll(() => door.close());

/** A POST sent with node:http, so header names go out exactly as written. */
function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${door.base}${path}`, { method: "POST", headers: { "content-type": "text/plain", ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

describe("front door: Lambda@Edge origin-request results", () => {
  it("sends the origin the body a function replaced, with its length", async () => {
    handler = ({ request }) => ({ ...request, body: { ...request.body, action: "replace", encoding: "text", data: "redacted=true" } });
    const answer = await post("/api/forms", "card=4111111111111111");
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { body: "redacted=true", length: "13" }]);
  });

  it("answers 502 for a read-only header changed, and logs the function, the header and the rule", async () => {
    logged.length = 0;
    handler = ({ request }) => ({ ...request, headers: { ...request.headers, "content-length": [{ key: "Content-Length", value: "1" }] } });
    const answer = await post("/api/forms", "a=1");
    expect([answer.status, answer.body]).toEqual([502, "502 ERROR\nThe request could not be satisfied.\n"]);
    expect(logged.join("\n")).toContain("forms-origin-request (origin-request): Lambda validation error: the function added, changed or removed the header content-length, read-only in origin-request events");
  });

  it("gives the function each header's key as the viewer spelled it", async () => {
    seen.length = 0;
    handler = ({ request }) => request;
    await post("/api/forms", "a=1", { "x-tRaCe-id": "7" });
    const headers = seen[0].request.headers as Record<string, Array<{ key: string; value: string }>>;
    expect(headers["x-trace-id"]).toEqual([{ key: "x-tRaCe-id", value: "7" }]);
  });
});
