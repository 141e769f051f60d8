/**
 * A tiny OIDC-like issuer for tests: an RSA key, its JWKS served over HTTP at
 * `<issuer>/.well-known/jwks.json` (as cognito-local serves its), or over HTTPS with a
 * given certificate (as Cognito serves its), and Cognito-shaped id/access tokens signed with it.
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface TestIssuer {
  /** Base URL of the server; issuers live under it as `${origin}/${poolId}`. */
  origin: string;
  issuer(poolId: string): string;
  /** The JWKS it serves (one RS256 key). */
  jwks: { keys: Array<Record<string, unknown>> };
  /** How many times its JWKS was fetched. */
  jwksRequests(): number;
  token(claims: { sub: string; poolId: string; clientId: string; tokenUse?: "id" | "access"; email?: string; groups?: string[]; expiresIn?: number; /** An access token's `scope` claim. @default "aws.cognito.signin.user.admin" */ scope?: string }): string;
  stop(): Promise<void>;
}

const b64url = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");

export interface TestIssuerOptions {
  /** Serve over HTTPS with this key and certificate (PEM), for 127.0.0.1. @default plain HTTP */
  tls?: { key: string; cert: string };
}

export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...(publicKey as KeyObject).export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  let jwksRequests = 0;
  const handle = (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
    if (request.url?.endsWith("/.well-known/jwks.json")) {
      jwksRequests++;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    response.statusCode = 404;
    response.end();
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const origin = `${options.tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = (poolId: string) => `${origin}/${poolId}`;
  return {
    origin,
    issuer,
    jwks: { keys: [jwk as Record<string, unknown>] },
    jwksRequests: () => jwksRequests,
    token({ sub, poolId, clientId, tokenUse = "id", email, groups, expiresIn = 3600, scope = "aws.cognito.signin.user.admin" }) {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        sub,
        iss: issuer(poolId),
        token_use: tokenUse,
        ...(tokenUse === "id" ? { aud: clientId, email: email ?? `${sub}@example.com` } : { client_id: clientId, scope }),
        ...(groups ? { "cognito:groups": groups } : {}),
        auth_time: now,
        iat: now,
        exp: now + expiresIn,
        jti: randomUUID(),
      };
      const unsigned = `${b64url({ alg: "RS256", kid, typ: "JWT" })}.${b64url(payload)}`;
      const signature = createSign("RSA-SHA256").update(unsigned).sign(privateKey);
      return `${unsigned}.${b64url(signature)}`;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
