/**
 * Review-118 #7: the page's session and the edge cookie carrying the id token last as long as the id token (`exp - iat`),
 * not Cognito's ExpiresIn, which is the access token's lifetime: UserAuth's tokenValidity sets the two apart. Review-119
 * #4: counted from the browser's own clock, so a clock skewed from Cognito's neither ends the session at once nor keeps
 * an expired token. Runs the
 * page's own sign-in (site/src/auth.ts, password mode as under `npm start`) against a stubbed Cognito, sessionStorage
 * and document.cookie.
 */
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

/** The part of site/src/auth.ts's createAuth this file drives. */
type CreateAuth = (config: typeof CONFIG) => { signInWithPassword(username: string, password: string): Promise<void>; idToken(): string | undefined };
let createAuth: CreateAuth;

beforeAll(async () => {
  // Imported by path (so untyped here): the module is browser code, type-checked by tsc -p site (DOM lib), not by this project's tsc.
  ({ createAuth } = (await import(join(process.cwd(), "site/src/auth.ts"))) as { createAuth: CreateAuth });
});

const NOW = Date.UTC(2026, 11, 7, 0, 0, 0);
const CONFIG = {
  imageTypes: [],
  maxImageBytes: 0,
  auth: { mode: "password", clientId: "client", cognitoEndpoint: "http://cognito.local/", cookie: { name: "gallery-id", paths: ["/account/"] } },
};

/** An unsigned JWT with these claims (the page does not verify; the API does). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", kid: "test" })}.${part(claims)}.signature`;
}

let cookies: string[];
/** The stubbed sessionStorage's entries. */
let storage: Map<string, string>;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  cookies = [];
  storage = new Map<string, string>();
  vi.stubGlobal("sessionStorage", {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => void storage.set(key, value),
    removeItem: (key: string) => void storage.delete(key),
  });
  vi.stubGlobal("document", {
    set cookie(value: string) {
      cookies.push(value);
    },
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** Signs in through the page with Cognito answering these tokens and ExpiresIn. */
async function signIn(idToken: string, expiresIn: number) {
  vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ AuthenticationResult: { IdToken: idToken, AccessToken: jwt({ token_use: "access" }), ExpiresIn: expiresIn } }), { status: 200 }));
  const auth = createAuth(CONFIG);
  await auth.signInWithPassword("ann@example.com", "pw");
  return auth;
}

describe("the id token's cookie and session", () => {
  it("last the id token's lifetime (exp - iat) when it is shorter than ExpiresIn (the access token's lifetime)", async () => {
    const idToken = jwt({ email: "ann@example.com", iat: NOW / 1000, exp: NOW / 1000 + 5 * 60 });
    const auth = await signIn(idToken, 60 * 60);
    expect(cookies).toEqual([`gallery-id=${idToken}; Path=/account/; Max-Age=300; Secure; SameSite=Lax`]);
    expect(auth.idToken()).toBe(idToken);
    vi.setSystemTime(NOW + 5 * 60 * 1000);
    expect(auth.idToken()).toBeUndefined();
  });

  it("last the id token's lifetime (exp - iat) when it is longer than ExpiresIn", async () => {
    const idToken = jwt({ email: "ann@example.com", iat: NOW / 1000, exp: NOW / 1000 + 2 * 60 * 60 });
    await signIn(idToken, 60 * 60);
    expect(cookies).toEqual([`gallery-id=${idToken}; Path=/account/; Max-Age=7200; Secure; SameSite=Lax`]);
  });

  it("fall back to ExpiresIn for an id token without exp or without iat", async () => {
    for (const idToken of [jwt({ email: "ann@example.com", iat: NOW / 1000 }), jwt({ email: "ann@example.com", exp: NOW / 1000 + 5 * 60 })]) {
      storage.clear();
      cookies = [];
      await signIn(idToken, 600);
      expect(cookies).toEqual([`gallery-id=${idToken}; Path=/account/; Max-Age=600; Secure; SameSite=Lax`]);
    }
  });

  it("last the id token's lifetime on a browser clock an hour fast or an hour slow (iat and exp are on Cognito's clock)", async () => {
    // Issued at NOW by Cognito, valid 5 minutes.
    const idToken = jwt({ email: "ann@example.com", iat: NOW / 1000, exp: NOW / 1000 + 5 * 60 });
    for (const skew of [60 * 60 * 1000, -60 * 60 * 1000]) {
      storage.clear();
      cookies = [];
      vi.setSystemTime(NOW + skew);
      const auth = await signIn(idToken, 60 * 60);
      expect(cookies).toEqual([`gallery-id=${idToken}; Path=/account/; Max-Age=300; Secure; SameSite=Lax`]);
      vi.setSystemTime(NOW + skew + 5 * 60 * 1000 - 1000);
      expect(auth.idToken()).toBe(idToken);
      vi.setSystemTime(NOW + skew + 5 * 60 * 1000);
      expect(auth.idToken()).toBeUndefined();
    }
  });
});
