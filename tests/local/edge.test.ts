import { CognitoIdentityProviderClient, InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";

let app: LocalApp;
let base: string;

beforeAll(async () => {
  app = await startDevApp("sf-edge-");
  base = app.urls.site;
});
afterAll(() => app?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: "manual" });

describe("npm start runs the stack's edge logic in CloudFront's order", () => {
  it("takes its functions from the EdgeLogic spec index.ts registered", () => {
    const edge = app.context.run.specs.find((s) => s.kind === "EdgeLogic");
    expect(edge?.name).toBe("edge");
  });

  it("viewer-request CloudFront Function: clean URLs and KeyValueStore redirects", async () => {
    const about = await get("/about");
    expect(about.status).toBe(200);
    expect(await about.text()).toContain("<title>About · Gallery</title>");
    const moved = await get("/about-us?ref=old");
    expect(moved.status).toBe(301);
    expect(moved.headers.get("location")).toBe("/about?ref=old");
  });

  it("A/B test: a new visitor gets a sticky variant cookie; the cookie picks the page", async () => {
    const first = await get("/");
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toMatch(/^gallery-ab-home=(a|b); Path=\/; Max-Age=2592000; Secure; SameSite=Lax$/);
    const b = await get("/", { cookie: "gallery-ab-home=b" });
    expect(await b.text()).toContain('data-variant="b"');
    expect(b.headers.get("set-cookie")).toBeNull();
    const a = await get("/", { cookie: "gallery-ab-home=a" });
    expect(await a.text()).not.toContain("data-variant");
  });

  it("the response headers policy's custom headers reach every behaviour, /account/* (Lambda@Edge only) included", async () => {
    for (const path of ["/about", "/account/", "/no/such/page"]) {
      const page = await get(path, { accept: "text/html" });
      expect(page.headers.get("permissions-policy"), path).toContain("camera=()");
      expect(page.headers.get("cross-origin-opener-policy"), path).toBe("same-origin");
      expect(page.headers.get("cross-origin-resource-policy"), path).toBe("same-origin");
      expect(page.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("origin-response Lambda@Edge serves the error document for a missing page; the API's own errors pass through", async () => {
    const page = await get("/no/such/page", { accept: "text/html" });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("max-age=10");
    expect(await page.text()).toContain("Page not found");
    // API Gateway's JSON answer for an unknown resource is what the browser gets, not error.html.
    const api = await get("/api/no-such-resource", { accept: "application/json" });
    expect(api.status).toBe(403);
    expect(await api.json()).toEqual({ message: "Missing Authentication Token" });
  });

  it("origin-response Lambda@Edge (in the local Lambda runtime) keeps a dev stack out of search indexes", async () => {
    // dev sets no searchIndexing: every origin response is marked; prod only marks protected paths.
    for (const path of ["/about", "/", "/variants/b/index.html"]) expect((await get(path)).headers.get("x-robots-tag"), path).toBe("noindex, nofollow");
    // A/B variants point search engines at the page under test instead.
    expect(await (await get("/", { cookie: "gallery-ab-home=b" })).text()).toMatch(/<link rel="canonical" href="\/" ?>/);
  });

  it("viewer-request Lambda@Edge guards /account/*: browsers go to sign in, other clients get 401", async () => {
    const page = await get("/account/", { accept: "text/html" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/?next=%2Faccount%2F");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const api = await get("/account/", { accept: "application/json", cookie: "gallery-id-token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln" });
    expect(api.status).toBe(401);
    // A response generated at viewer-request goes straight back: no A/B cookie from a viewer-response function.
    expect(api.headers.get("set-cookie")).toBeNull();
  });

  it("lets the demo user's id token (signed in on the local user pool) into /account/", async () => {
    const env = app.context.environment;
    const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      const signIn = await sdk.send(new InitiateAuthCommand({
        ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "demo@example.com", PASSWORD: "Local-demo-pass-1" },
      }));
      const page = await get("/account/", { accept: "text/html", cookie: `gallery-id-token=${signIn.AuthenticationResult!.IdToken}` });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>Account · Gallery</title>");
      // The access token is not an id token: refused.
      const wrong = await get("/account/", { accept: "text/html", cookie: `gallery-id-token=${signIn.AuthenticationResult!.AccessToken}` });
      expect(wrong.status).toBe(302);
    } finally {
      sdk.destroy();
    }
  });
});
