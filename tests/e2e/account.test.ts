/**
 * Issue 11: /account/ was unreachable for a signed-in user (the page kept the id token in sessionStorage and
 * never set the cookie the edge auth check reads; the home page ignored ?next=). In Chromium against
 * `npm start`: the edge sends an anonymous visitor to sign in with ?next=, the demo user signs in and lands
 * on the protected page, the cookie is Secure, SameSite=Lax, scoped to /account/ and expires with the token
 * (on http://localhost, a secure context), signing out clears it, and ?next= never leaves the site.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalApp } from "../../local/start";
import { hasChromium, startAppInBrowser } from "./browser";

const devConfig = parse(readFileSync("Pulumi.dev.yaml", "utf8")).config as Record<string, string>;
const demo = { email: devConfig["serverless-fullstack:localDemoUser"], password: devConfig["serverless-fullstack:localDemoPassword"] };

let app: LocalApp;
let browser: Browser;
let stop: (() => Promise<void>) | undefined;

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

async function signIn(page: Page) {
  await page.locator("#signin-email").fill(demo.email);
  await page.locator("#signin-password").fill(demo.password);
  await page.locator("#signin-form button[type=submit]").click();
}

async function edgeCookie(context: BrowserContext) {
  return (await context.cookies(`${app.urls.site}/account/`)).find((c) => c.name === "gallery-id-token");
}

describe.skipIf(!hasChromium)("the signed-in area (/account/) in Chromium against npm start", () => {
  beforeAll(async () => {
    ({ app, browser, stop } = await startAppInBrowser());
  });
  afterAll(() => stop?.());

  it("sends an anonymous visitor to sign in, then to /account/ with the edge cookie set; sign-out clears it", async () => {
    const { context, page } = await newPage();
    const site = app.urls.site;
    await page.goto(`${site}/account/`);
    expect(page.url()).toBe(`${site}/?next=%2Faccount%2F`);
    await page.locator("#signin").waitFor({ state: "visible" });

    await signIn(page);
    await page.waitForURL(`${site}/account/`);
    expect(await page.locator("h1").textContent()).toBe("Your account");

    const cookie = await edgeCookie(context);
    expect(cookie).toMatchObject({ path: "/account/", secure: true, sameSite: "Lax", httpOnly: false });
    // Expires with the id token (cognito-local: an hour), not at the end of the session.
    const lifetime = cookie!.expires - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(3000);
    expect(lifetime).toBeLessThanOrEqual(3600);
    // Scoped: not sent with the site's other requests.
    expect((await context.cookies(`${site}/`)).find((c) => c.name === "gallery-id-token")).toBeUndefined();

    // A reload of the protected page is served by the edge from the cookie.
    const again = await page.goto(`${site}/account/`);
    expect(again?.status()).toBe(200);

    await page.goto(site);
    await page.locator("#signout").click();
    await page.locator("#signin").waitFor({ state: "visible" });
    expect(await edgeCookie(context)).toBeUndefined();
    await page.goto(`${site}/account/`);
    expect(page.url()).toBe(`${site}/?next=%2Faccount%2F`);
    await context.close();
  });

  it("an already signed-in visitor sent to sign in goes straight on to ?next=", async () => {
    const { context, page } = await newPage();
    const site = app.urls.site;
    await page.goto(site);
    await signIn(page);
    await page.locator("#albums").waitFor({ state: "visible" });
    expect(page.url()).toBe(`${site}/`);
    await page.goto(`${site}/?next=%2Faccount%2F`);
    await page.waitForURL(`${site}/account/`);
    expect(await page.locator("h1").textContent()).toBe("Your account");
    await context.close();
  });

  it("does not follow ?next= off the site (the cases: tests/site/next-path.test.ts)", async () => {
    const { context, page } = await newPage();
    const site = app.urls.site;
    await page.goto(`${site}/?next=${encodeURIComponent("//evil.example/")}`);
    await signIn(page);
    await page.locator("#albums").waitFor({ state: "visible" });
    expect(new URL(page.url()).origin).toBe(site);
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();
  });
});
