/**
 * A header the viewer names `__proto__` is a header like any other (a token, RFC 9110 §5.1), which CloudFront passes on:
 * the front door and its edge functions take it as such, rather than answering 502 for a TypeError or losing it.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LambdaFunctionSpec } from "../../components/lambda/function";
import { normalise } from "../../components/static-site/spec";
import { lambdaEdgeRunner, type BehaviourRunners } from "../../local/edge-runtime";
import { createFrontDoor } from "../../local/front-door";
import { openDoor, type OpenDoor } from "../harness/front-door";

/** The request headers each viewer-request event showed. */
const shown: Array<Record<string, unknown>> = [];
/** A Lambda@Edge viewer-request function that returns the request as it came. */
const passingLambda = () => ({
  invoke: async <T,>(event: unknown) => {
    const request = (event as { Records: Array<{ cf: { request: { headers: Record<string, unknown> } } }> }).Records[0].cf.request;
    shown.push(request.headers);
    return request as T;
  },
});

const byPattern: Record<string, BehaviourRunners> = {
  "/api/*": { "viewer-request": lambdaEdgeRunner("site-api", "viewer-request", {} as LambdaFunctionSpec, passingLambda, false) },
};

let door: OpenDoor;
beforeAll(async () => {
  const spec = { ...normalise("proto", { path: "site/dist", routes: [{ pathPattern: "/api/*", originId: "api", domainName: "api.example.com" }] }), edge: [] };
  // Answers with the values of the headers it got named __proto__.
  const api = (request: IncomingMessage, response: ServerResponse) => {
    const values = request.rawHeaders.filter((_, i) => i % 2 === 1 && request.rawHeaders[i - 1].toLowerCase() === "__proto__");
    response.end(JSON.stringify(values));
  };
  door = await openDoor(createFrontDoor(spec, new Map([["api", api]]), { edge: { behaviour: (pattern) => byPattern[pattern] ?? {} }, log: () => {} }));
});
afterAll(() => door.close());

function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${door.base}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on("error", reject);
    }).on("error", reject).end();
  });
}

describe("front door: a viewer header named __proto__", () => {
  it("reaches a Lambda@Edge function's event and, returned as it came, the origin", async () => {
    shown.length = 0;
    // JSON.parse: in an object literal `__proto__` would set the prototype, not name a header.
    const answer = await get("/api/a", JSON.parse('{ "__proto__": "v" }') as Record<string, string>);
    expect(answer).toEqual({ status: 200, body: '["v"]' });
    expect(Object.hasOwn(shown[0], "__proto__")).toBe(true);
  });
});
