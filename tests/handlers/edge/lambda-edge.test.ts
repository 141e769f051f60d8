import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAuthHandler, withLocalPool, type EdgeAuthConfig } from "../../../handlers/edge/auth";
import { createOriginResponseHandler } from "../../../handlers/edge/origin-response";
import { createTokenVerifier } from "../../../handlers/shared/jwt";
import { lambdaOriginResponse, lambdaRequest } from "./events";

const config: EdgeAuthConfig = {
  issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TESTPOOL",
  clientId: "galleryclient",
  cookie: "gallery-id-token",
  signInPath: "/",
};

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function token(key: { kid: string; privateKey: KeyObject }, claims: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: "8f1c-user", iss: config.issuer, aud: config.clientId, token_use: "id", auth_time: now, iat: now, exp: now + 3600, email: "ada@example.com",
    ...claims,
  };
  const input = `${b64({ alg: "RS256", kid: key.kid, typ: "JWT" })}.${b64(payload)}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(key.privateKey).toString("base64url")}`;
}

const pool = keyPair("pool-key-1");
const attacker = keyPair("pool-key-1"); // same kid, different key: a forged signature
const verifier = createTokenVerifier({ ...config, tokenUse: "id" });
// The pool's JWKS, cached up front: no network in tests (Lambda@Edge would fetch it once per container).
verifier.cacheJwks({ keys: [pool.jwk as any] });
const auth = createAuthHandler(config, verifier);

const request = (cookieToken?: string, accept?: string) =>
  lambdaRequest("/account/", { cookie: cookieToken ? `theme=dark; gallery-id-token=${cookieToken}` : "theme=dark", accept, querystring: "tab=photos" });

describe("Lambda@Edge viewer-request auth (Cognito id token from a cookie, aws-jwt-verify)", () => {
  let logs: string[] = [];
  beforeEach(() => {
    logs = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void logs.push(line));
  });
  afterEach(() => vi.restoreAllMocks());
  const refusedFor = () => JSON.parse(logs.at(-1) ?? "{}").reason as string;

  it("lets a valid token through and maps the folder URL to its index document", async () => {
    const result: any = await auth(request(token(pool)));
    expect(result.uri).toBe("/account/index.html");
    expect(result.headers.host[0].value).toBe("d111111abcdef8.cloudfront.net");
  });

  it.each<[string, string | undefined, RegExp]>([
    ["missing", undefined, /^no token$/],
    ["expired", token(pool, { exp: Math.floor(Date.now() / 1000) - 60, iat: Math.floor(Date.now() / 1000) - 3660 }), /^Token expired/],
    ["forged (signed with another key)", token(attacker), /^Invalid signature$/],
    ["for another app client (wrong audience)", token(pool, { aud: "someoneelse" }), /^Audience not allowed: someoneelse/],
    ["from another pool (wrong issuer)", token(pool, { iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER" }), /^Issuer not allowed/],
    ["an access token instead of an id token", token(pool, { token_use: "access" }), /^token_use is access, expected id$/],
    ["not a JWT", "not.a.jwt", /^Invalid JWT/],
  ])("sends a browser with a %s token to sign in, without caching", async (_, bad, reason) => {
    const result: any = await auth(request(bad));
    expect(refusedFor()).toMatch(reason);
    expect(result.status).toBe("302");
    expect(result.headers.location[0].value).toBe("/?next=%2Faccount%2F%3Ftab%3Dphotos");
    expect(result.headers["cache-control"][0].value).toBe("no-store");
  });

  it.each(["%zz", "%", "%E0%A4%A", "a%00b"])("treats a malformed cookie value (%s) as a bad token: sign-in redirect or 401, never an error (issue 11: was a URIError, 503)", async (value) => {
    const page: any = await auth(lambdaRequest("/account/", { cookie: `gallery-id-token=${value}` }));
    expect(page.status).toBe("302");
    expect(page.headers.location[0].value).toBe("/?next=%2Faccount%2F");
    const api: any = await auth(lambdaRequest("/account/", { cookie: `gallery-id-token=${value}`, accept: "application/json" }));
    expect(api.status).toBe("401");
  });

  it("answers API-style clients 401 instead of a redirect", async () => {
    const result: any = await auth(request(token(pool, { aud: "someoneelse" }), "application/json"));
    expect(result.status).toBe("401");
    expect(result.headers["www-authenticate"][0].value).toContain("invalid_token");
    expect(JSON.parse(result.body)).toEqual({ message: "Unauthorized" });
  });
});

describe("Lambda@Edge auth without a known app client (site on the CloudFront domain)", () => {
  const anyClient = createTokenVerifier({ ...config, clientId: null, tokenUse: "id" });
  anyClient.cacheJwks({ keys: [pool.jwk as any] });
  const open = createAuthHandler({ ...config, clientId: null }, anyClient);
  beforeEach(() => void vi.spyOn(console, "log").mockImplementation(() => {}));
  afterEach(() => vi.restoreAllMocks());

  it("accepts an id token of any client of the pool, and still refuses other pools, expired, forged and access tokens", async () => {
    expect(((await open(request(token(pool, { aud: "anotherclient" })))) as any).uri).toBe("/account/index.html");
    for (const bad of [
      token(pool, { iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER" }),
      token(pool, { exp: Math.floor(Date.now() / 1000) - 60 }),
      token(attacker),
      token(pool, { token_use: "access" }),
    ]) expect(((await open(request(bad))) as any).status).toBe("302");
  });
});

describe("Lambda@Edge auth configuration", () => {
  it("uses the baked pool, unless npm start publishes that pool's local issuer", () => {
    const local = { COGNITO_ISSUER: "http://127.0.0.1:9229/us-east-1_TESTPOOL", USER_POOL_ID: "us-east-1_TESTPOOL", USER_POOL_CLIENT_ID: "galleryclient" };
    expect(withLocalPool(config, {})).toBe(config);
    expect(withLocalPool({ ...config, jwksUri: "https://x/jwks" }, local)).toEqual({ ...config, issuer: local.COGNITO_ISSUER, jwksUri: undefined });
    // Another pool's local issuer is never trusted in its place.
    expect(withLocalPool(config, { ...local, USER_POOL_ID: "us-east-1_OTHER" })).toBe(config);
  });
});

describe("Lambda@Edge origin-response", () => {
  const handler = createOriginResponseHandler({ noindexPrefixes: ["/variants/", "/account/"], defaultCacheControl: "public, max-age=300", errorCacheControl: "max-age=10" });

  it("keeps crawlers off variant and account pages", async () => {
    const variant: any = await handler(lambdaOriginResponse("/variants/b/index.html", "200", { "Cache-Control": "no-cache" }));
    expect(variant.headers["x-robots-tag"]).toEqual([{ key: "X-Robots-Tag", value: "noindex, nofollow" }]);
    expect(variant.headers["cache-control"][0].value).toBe("no-cache");
    const page: any = await handler(lambdaOriginResponse("/about.html", "200", { "Cache-Control": "no-cache" }));
    expect(page.headers["x-robots-tag"]).toBeUndefined();
  });

  it("gives objects without Cache-Control a default, and errors a short one", async () => {
    expect(((await handler(lambdaOriginResponse("/photo.jpg", "200"))) as any).headers["cache-control"][0].value).toBe("public, max-age=300");
    expect(((await handler(lambdaOriginResponse("/missing", "404"))) as any).headers["cache-control"][0].value).toBe("max-age=10");
  });
});

describe("Lambda@Edge origin-response serves the site's error document (no distribution-wide custom error response)", () => {
  const errorDocument = "<!doctype html><title>Not found</title><h1>Page not found</h1>";
  const handler = createOriginResponseHandler({ noindexPrefixes: [], defaultCacheControl: "public, max-age=300", errorCacheControl: "max-age=10", errorDocument });
  const s3NotFound = { "Content-Type": "application/xml", "Content-Length": "243", "x-amz-request-id": "R1" };

  it.each(["404", "403"])("answers the site origin's %s with the error document and 404, briefly cached", async (status) => {
    const result: any = await handler(lambdaOriginResponse("/no/such/page.html", status, s3NotFound));
    expect(result.status).toBe("404");
    expect(result.statusDescription).toBe("Not Found");
    expect(result.body).toBe(errorDocument);
    expect(result.bodyEncoding).toBe("text");
    expect(result.headers["content-type"]).toEqual([{ key: "Content-Type", value: "text/html; charset=utf-8" }]);
    // S3's length belonged to its XML body; CloudFront sets the generated body's own.
    expect(result.headers["content-length"]).toBeUndefined();
    expect(result.headers["cache-control"][0].value).toBe("max-age=10");
  });

  it("passes every other response through untouched: objects, redirects, server errors", async () => {
    for (const status of ["200", "304", "301", "500", "503"]) {
      const result: any = await handler(lambdaOriginResponse("/about.html", status, { "Content-Type": "text/html; charset=utf-8" }));
      expect(result.status, status).toBe(status);
      expect(result.body, status).toBeUndefined();
      expect(result.headers["content-type"][0].value, status).toBe("text/html; charset=utf-8");
    }
  });

  it("without an error document, lets the origin's 404 through", async () => {
    const plain = createOriginResponseHandler({ noindexPrefixes: [], defaultCacheControl: "no-cache", errorCacheControl: "max-age=10" });
    const result: any = await plain(lambdaOriginResponse("/missing", "404", s3NotFound));
    expect([result.status, result.body, result.headers["content-type"][0].value]).toEqual(["404", undefined, "application/xml"]);
  });
});
