/**
 * CORS on the local gateway as each kind's API Gateway adds it (review 13, finding 6): REST's own 4xx/5xx carry the
 * Access-Control-Allow-Origin of the DEFAULT_4XX/DEFAULT_5XX gateway responses ServerlessApi creates; the HTTP kind
 * sets the configured origin on integration responses itself and drops the backend's CORS headers; an explicit
 * OPTIONS route takes over preflights for its own path only.
 */
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ApiKind, type ServerlessApiArgs } from "../../components/serverless-api/args";
import { gatewaySpec } from "../harness/api-spec";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";

const ORIGIN = "https://gallery.example.com";
const handler = "tests/fixtures/handlers/echo.ts";
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A gateway whose Lambda routes answer with `answer(event)` (a thrown error is a function error). */
async function gateway(args: ServerlessApiArgs, answer: (event: any) => unknown = () => ({ statusCode: 200, body: "ok" })): Promise<string> {
  const spec = gatewaySpec("api", args);
  const context = {
    log: () => undefined,
    run: { config: { region: "us-east-1" } },
    lambda: () => ({ invoke: async (event: unknown) => answer(event) }),
  } as unknown as LocalContext;
  const { server, url } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: () => "http://127.0.0.1:1/pool" }), 0);
  servers.push(server);
  return url;
}

const cognito = { users: { type: "cognito" as const, userPoolArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/pool"] } };

describe("REST with cors: the gateway's own 4xx/5xx carry Access-Control-Allow-Origin (DEFAULT_4XX/DEFAULT_5XX)", () => {
  it("on 401 (no token), 403 (unknown path, missing API key) and 502 (function error); the function's own answer is left as it sent it", async () => {
    const url = await gateway(
      {
        basePath: "api",
        cors: { allowOrigins: [ORIGIN] },
        authorizers: cognito,
        routes: {
          "GET /me": { handler, auth: { authorizer: "users" } },
          "GET /keyed": { handler, auth: "none", apiKeyRequired: true },
          "GET /broken": { handler, auth: "none" },
          "GET /own": { handler, auth: "none" },
        },
      },
      (event) => {
        if (event.path === "/api/broken") throw new Error("boom");
        return { statusCode: 404, headers: { "x-own": "yes" }, body: "{}" };
      },
    );
    const headers = { origin: ORIGIN };
    for (const [path, status] of [["/api/me", 401], ["/api/nothing", 403], ["/api/keyed", 403], ["/api/broken", 502]] as const) {
      const response = await fetch(`${url}${path}`, { headers });
      expect(response.status, path).toBe(status);
      expect(response.headers.get("access-control-allow-origin"), path).toBe(ORIGIN);
    }
    const own = await fetch(`${url}/api/own`, { headers });
    expect(own.status).toBe(404);
    expect(own.headers.get("x-own")).toBe("yes");
    expect(own.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("without cors, the gateway's 401 has no CORS header (no DEFAULT_4XX response is created)", async () => {
    const url = await gateway({ basePath: "api", authorizers: cognito, routes: { "GET /me": { handler, auth: { authorizer: "users" } } } });
    const response = await fetch(`${url}/api/me`, { headers: { origin: ORIGIN } });
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("preflights: an explicit OPTIONS route turns off the gateway's answer for its own path only", () => {
  it("answers OPTIONS /api/photos itself while OPTIONS /api/custom goes to its route", async () => {
    const url = await gateway({
      basePath: "api",
      cors: { allowOrigins: [ORIGIN] },
      defaultAuth: "none",
      routes: {
        "GET /photos": { handler },
        "OPTIONS /custom": { integration: { type: "mock", statusCode: 200, body: { custom: true } } },
        "GET /custom": { handler },
      },
    });
    const preflight = { origin: ORIGIN, "access-control-request-method": "GET" };
    const photos = await fetch(`${url}/api/photos`, { method: "OPTIONS", headers: preflight });
    expect(photos.status).toBe(204);
    expect(photos.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(photos.headers.get("access-control-allow-methods")).toBe("GET,OPTIONS");
    const custom = await fetch(`${url}/api/custom`, { method: "OPTIONS", headers: preflight });
    expect(custom.status).toBe(200);
    expect(await custom.json()).toEqual({ custom: true });
  });
});

describe("HTTP kind with cors: API Gateway adds the configured CORS headers to integration responses", () => {
  const httpApi = (allowOrigins: string[]): ServerlessApiArgs => ({
    kind: ApiKind.Http,
    basePath: "api",
    cors: { allowOrigins },
    defaultAuth: "none",
    routes: { "GET /photos": { handler } },
  });
  // The handler sets CORS headers of its own: API Gateway ignores them.
  const answer = () => ({ statusCode: 200, headers: { "Access-Control-Allow-Origin": "https://elsewhere.example", "Access-Control-Allow-Credentials": "true", "x-own": "yes" }, body: "{}" });

  it("sets Access-Control-Allow-Origin for an allowed Origin and drops the function's CORS headers", async () => {
    const url = await gateway(httpApi([ORIGIN]), answer);
    const response = await fetch(`${url}/api/photos`, { headers: { origin: ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("x-own")).toBe("yes");
  });

  it("sends no CORS header for another Origin or none, whatever the function sent", async () => {
    const url = await gateway(httpApi([ORIGIN]), answer);
    for (const headers of [{ origin: "https://evil.example" }, {}] as Array<Record<string, string>>) {
      const response = await fetch(`${url}/api/photos`, { headers });
      expect(response.headers.get("access-control-allow-origin"), JSON.stringify(headers)).toBeNull();
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });

  it("echoes the origin that matches a wildcard entry, on responses and on preflights", async () => {
    const url = await gateway(httpApi(["https://*"]), answer);
    const origin = "https://app.example.org";
    expect((await fetch(`${url}/api/photos`, { headers: { origin } })).headers.get("access-control-allow-origin")).toBe(origin);
    const preflight = await fetch(`${url}/api/photos`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    const refused = await fetch(`${url}/api/photos`, { method: "OPTIONS", headers: { origin: "http://app.example.org", "access-control-request-method": "GET" } });
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });
});
