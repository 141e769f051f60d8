/**
 * The HTTP kind's JWT authorizer as API Gateway v2 applies it (review 13, finding 7): id or access tokens whose
 * `aud` (or, without `aud`, `client_id`) is in the configured audience; routes with scopes need a token carrying one
 * of them; array claims reach the function as `[a b]`; refusals carry `www-authenticate` and `apigw-requestid`.
 */
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiKind } from "../../components/serverless-api/args";
import { gatewaySpec } from "../harness/api-spec";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";
import { startTestIssuer, type TestIssuer } from "../harness/test-issuer";

let issuer: TestIssuer;
let server: Server;
let url: string;
const events: any[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  const spec = gatewaySpec("api", {
    kind: ApiKind.Http,
    basePath: "api",
    authorizers: { users: { type: "cognito", userPoolArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/pool"], audience: ["web-client"] } },
    routes: {
      "GET /me": { handler: "tests/fixtures/handlers/echo.ts", auth: { authorizer: "users" } },
      "GET /photos": { handler: "tests/fixtures/handlers/echo.ts", auth: { authorizer: "users", scopes: ["photos/read", "photos/admin"] } },
    },
  });
  const context = {
    log: () => undefined,
    run: { config: { region: "us-east-1" } },
    lambda: () => ({ invoke: async (event: unknown) => (events.push(event), { statusCode: 200, body: "ok" }) }),
  } as unknown as LocalContext;
  ({ server, url } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: (id) => (id === "pool" ? issuer.issuer("pool") : undefined) }), 0));
});

afterAll(async () => {
  server?.close();
  await issuer?.stop();
});

const get = (path: string, token?: string) => fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const token = (options: { clientId?: string; tokenUse?: "id" | "access"; scope?: string; groups?: string[]; expiresIn?: number } = {}) =>
  issuer.token({ sub: "alice", poolId: "pool", clientId: options.clientId ?? "web-client", tokenUse: options.tokenUse, scope: options.scope, groups: options.groups, expiresIn: options.expiresIn });

describe("local HTTP API JWT authorizer", () => {
  it("accepts an id or an access token of a client in the audience on a route without scopes", async () => {
    expect((await get("/api/me", token({ tokenUse: "id" }))).status).toBe(200);
    expect((await get("/api/me", token({ tokenUse: "access" }))).status).toBe(200);
  });

  it("refuses tokens of another app client with 401, www-authenticate naming the audience and apigw-requestid", async () => {
    for (const tokenUse of ["id", "access"] as const) {
      const response = await get("/api/me", token({ clientId: "other-client", tokenUse }));
      expect(response.status, tokenUse).toBe(401);
      expect(await response.json()).toEqual({ message: "Unauthorized" });
      expect(response.headers.get("www-authenticate")).toBe('Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"');
      expect(response.headers.get("apigw-requestid")).toEqual(expect.any(String));
      expect(response.headers.get("x-amzn-errortype")).toBeNull();
    }
    const missing = await get("/api/me");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("apigw-requestid")).toEqual(expect.any(String));
  });

  it("on a route with scopes, needs a token carrying one of them: 403 insufficient_scope otherwise", async () => {
    expect((await get("/api/photos", token({ tokenUse: "access", scope: "openid photos/admin" }))).status).toBe(200);
    for (const refused of [token({ tokenUse: "access", scope: "openid" }), token({ tokenUse: "id" })]) {
      const response = await get("/api/photos", refused);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: "Forbidden" });
      expect(response.headers.get("www-authenticate")).toBe('Bearer scope="photos/read photos/admin" error="insufficient_scope" error_description="expected scopes: [photos/read photos/admin]"');
      expect(response.headers.get("apigw-requestid")).toEqual(expect.any(String));
    }
  });

  it("hands the function array claims as API Gateway v2 formats them: [a b]", async () => {
    events.length = 0;
    expect((await get("/api/me", token({ groups: ["admins", "editors"] }))).status).toBe(200);
    expect(events[0].requestContext.authorizer.jwt.claims["cognito:groups"]).toBe("[admins editors]");
    expect(events[0].requestContext.authorizer.jwt.claims.sub).toBe("alice");
  });

  it("hands the function one token's claims, built once, on every request while the token is valid; refuses it once it expired", async () => {
    // Only Date is faked: the clock the authorizer cache and the signature check read. The sockets and the JWKS fetch run for real.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });
    try {
      const shortLived = token({ tokenUse: "access", groups: ["admins"], expiresIn: 60 });
      events.length = 0;
      for (let i = 0; i < 3; i++) expect((await get("/api/me", shortLived)).status).toBe(200);
      const claims = events.map((event) => event.requestContext.authorizer.jwt.claims);
      expect(claims[0]).toMatchObject({ sub: "alice", client_id: "web-client", "cognito:groups": "[admins]", exp: String(Date.parse("2026-01-01T00:01:00Z") / 1000) });
      // The claims the cache built when it verified the token, not rebuilt per request.
      expect(claims[1]).toBe(claims[0]);
      expect(claims[2]).toBe(claims[0]);

      vi.setSystemTime(new Date("2026-01-01T00:01:01Z"));
      const expired = await get("/api/me", shortLived);
      expect(expired.status).toBe(401);
      expect(expired.headers.get("www-authenticate")).toBe('Bearer scope="" error="invalid_token" error_description="the token is not valid"');
      expect(events).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
