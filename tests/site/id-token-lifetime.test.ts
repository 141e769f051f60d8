/**
 * Review-118 #7: the page's session and the edge cookie carrying the id token last as long as the id token (its `exp`),
 * not Cognito's ExpiresIn, which is the access token's lifetime: UserAuth's tokenValidity sets the two apart. Runs the
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

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  cookies = [];
  const storage = new Map<string, string>();
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
  it("last until the id token's exp when it is shorter than ExpiresIn (the access token's lifetime)", async () => {
    const idToken = jwt({ email: "ann@example.com", exp: NOW / 1000 + 5 * 60 });
    const auth = await signIn(idToken, 60 * 60);
    expect(cookies).toEqual([`gallery-id=${idToken}; Path=/account/; Max-Age=300; Secure; SameSite=Lax`]);
    expect(auth.idToken()).toBe(idToken);
    vi.setSystemTime(NOW + 5 * 60 * 1000);
    expect(auth.idToken()).toBeUndefined();
  });

  it("last until the id token's exp when it is longer than ExpiresIn", async () => {
    const idToken = jwt({ email: "ann@example.com", exp: NOW / 1000 + 2 * 60 * 60 });
    await signIn(idToken, 60 * 60);
    expect(cookies).toEqual([`gallery-id=${idToken}; Path=/account/; Max-Age=7200; Secure; SameSite=Lax`]);
  });

  it("fall back to ExpiresIn for an id token without exp", async () => {
    const idToken = jwt({ email: "ann@example.com" });
    await signIn(idToken, 600);
    expect(cookies).toEqual([`gallery-id=${idToken}; Path=/account/; Max-Age=600; Secure; SameSite=Lax`]);
  });
});
