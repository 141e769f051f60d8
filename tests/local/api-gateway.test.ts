/** The local gateway's routing and authorizer-policy rules, as API Gateway applies them. */
import { describe, expect, it, vi } from "vitest";
import { normalise } from "../../components/serverless-api/spec";
import { compileRoutes, createLocalGateway, matchRoute, policyAllows } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";
import { startTestIssuer } from "../harness/test-issuer";

// Counts signature verifications of the gateway's Cognito authorizer (the real verifier underneath).
const verifications = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../handlers/shared/jwt", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../handlers/shared/jwt")>();
  return {
    ...actual,
    createTokenVerifier: (config: Parameters<typeof actual.createTokenVerifier>[0]) => {
      const verifier = actual.createTokenVerifier(config);
      return { ...verifier, verify: (token: string) => (verifications.count++, verifier.verify(token)) };
    },
  };
});

const echo = "tests/fixtures/handlers/echo.ts";
const spec = normalise("api", {
  basePath: "api",
  routes: {
    "GET /albums/{albumId}": { handler: echo },
    "GET /albums/recent": { handler: echo },
    "ANY /albums/{albumId}": { handler: echo },
    "GET /files/{path+}": { handler: echo },
  },
});
const routes = compileRoutes(spec.routes);
const key = (method: string, path: string) => {
  const match = matchRoute(routes, method, path);
  return "route" in match ? `${match.route.key} ${JSON.stringify(match.pathParameters)}` : `none (path matched: ${match.pathMatched})`;
};

describe("local API Gateway routing", () => {
  it("prefers literal segments over parameters, the exact method over ANY, and decodes parameters", () => {
    expect(key("GET", "/api/albums/recent")).toBe("GET /albums/recent {}");
    expect(key("GET", "/api/albums/01ABC")).toBe('GET /albums/{albumId} {"albumId":"01ABC"}');
    expect(key("DELETE", "/api/albums/01ABC")).toBe('ANY /albums/{albumId} {"albumId":"01ABC"}');
    expect(key("GET", "/api/albums/a%20b")).toBe('GET /albums/{albumId} {"albumId":"a b"}');
    expect(key("GET", "/api/files/a/b/c.txt")).toBe('GET /files/{path+} {"path":"a/b/c.txt"}');
  });

  it("matches nothing outside the base path or for a method the path lacks", () => {
    expect(key("GET", "/albums/recent")).toBe("none (path matched: false)");
    expect(key("POST", "/api/files/x")).toBe("none (path matched: true)");
  });

  it("applies a Lambda authorizer's policy like IAM: an explicit Deny wins, wildcards match", () => {
    const arn = "arn:aws:execute-api:us-east-1:123456789012:local/dev/GET/api/albums";
    expect(policyAllows([{ Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:local/dev/*/*" }], arn)).toBe(true);
    expect(policyAllows([{ Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:local/prod/*/*" }], arn)).toBe(false);
    expect(policyAllows([{ Effect: "Allow", Resource: "*" }, { Effect: "Deny", Resource: [arn] }], arn)).toBe(false);
    expect(policyAllows([], arn)).toBe(false);
  });
});

describe("local API Gateway Cognito authorizer", () => {
  it("caches a verified token like API Gateway's authorizer cache (issue 15): one signature check per token, never past its exp, forged tokens still refused", async () => {
    const issuer = await startTestIssuer();
    const api = normalise("api", {
      basePath: "api",
      authorizers: { users: { type: "cognito", userPoolArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/pool"] } },
      routes: { "GET /me": { integration: { type: "mock", body: { ok: true } }, auth: { authorizer: "users" } } },
    });
    const context = { log: () => undefined, run: { config: { region: "us-east-1" } } } as unknown as LocalContext;
    const gateway = createLocalGateway({ spec: api, stage: api.stages[0], context, issuerFor: (id) => (id === "pool" ? issuer.issuer("pool") : undefined) });
    const { server, url } = await listen(gateway, 0);
    const get = (token: string) => fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    try {
      const token = issuer.token({ sub: "alice", poolId: "pool", clientId: "client" });
      expect([await get(token), await get(token), await get(token)]).toEqual([200, 200, 200]);
      expect(verifications.count).toBe(1);
      const [header, payload] = token.split(".");
      expect(await get(`${header}.${payload}.${Buffer.from("forged").toString("base64url")}`)).toBe(401);
      // Expires in seconds: cached until then at most, then refused as expired. The clock (Date only: the server's
      // sockets keep real timers) moves past the expiry instead of the test waiting for it.
      const shortLived = issuer.token({ sub: "bob", poolId: "pool", clientId: "client", expiresIn: 4 });
      expect(await get(shortLived)).toBe(200);
      const checkedOnce = verifications.count;
      // Set from the token's own exp (whole seconds, rounded down at issue), not from the time of issue.
      const expiresAtMs = (JSON.parse(Buffer.from(shortLived.split(".")[1], "base64url").toString()) as { exp: number }).exp * 1000;
      vi.useFakeTimers({ toFake: ["Date"], now: expiresAtMs - 1_000 });
      expect(await get(shortLived), "1 s before its exp: cached").toBe(200);
      expect(verifications.count).toBe(checkedOnce);
      vi.setSystemTime(expiresAtMs + 1_000);
      expect(await get(shortLived), "1 s past its exp").toBe(401);
    } finally {
      vi.useRealTimers();
      server.close();
      await issuer.stop();
    }
  });
});
