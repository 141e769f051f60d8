/**
 * Issue 11: /account/ was unreachable for a signed-in user (the page kept the id token in sessionStorage and
 * never set the cookie the edge auth check reads; the home page ignored ?next=). In Chromium against
 * `npm start`: the edge sends an anonymous visitor to sign in with ?next=, the demo user signs in and lands
 * on the protected page, the cookie is Secure, SameSite=Lax, scoped to /account/ and expires with the token
 * (on http://localhost, a secure context), signing out clears it, and ?next= never leaves the site.
 */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { demoUser, fillSignIn, newContext, sharedApp } from "./browser";

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext();
  return { context, page: await context.newPage() };
}

async function edgeCookie(context: BrowserContext) {
  return (await context.cookies(`${sharedApp().app.urls.site}/account/`)).find((c) => c.name === "gallery-id-token");
}

export function accountSuite(): void {
  // The demo user only signs in here: the gallery suite owns their albums (browser.ts, demoUser).
  describe("the signed-in area (/account/)", () => {
    it("sends an anonymous visitor to sign in, then to /account/ with the edge cookie set; sign-out clears it", async () => {
      const { context, page } = await newPage();
      const site = sharedApp().app.urls.site;
      await page.goto(`${site}/account/`);
      expect(page.url()).toBe(`${site}/?next=%2Faccount%2F`);
      await page.locator("#signin").waitFor({ state: "visible" });

      await fillSignIn(page, demoUser);
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
    });

    it("an already signed-in visitor sent to sign in goes straight on to ?next=", async () => {
      const { page } = await newPage();
      const site = sharedApp().app.urls.site;
      await page.goto(site);
      await fillSignIn(page, demoUser);
      await page.locator("#albums").waitFor({ state: "visible" });
      expect(page.url()).toBe(`${site}/`);
      await page.goto(`${site}/?next=%2Faccount%2F`);
      await page.waitForURL(`${site}/account/`);
      expect(await page.locator("h1").textContent()).toBe("Your account");
    });

    it("does not follow ?next= off the site (the cases: tests/site/next-path.test.ts)", async () => {
      const { page } = await newPage();
      const site = sharedApp().app.urls.site;
      await page.goto(`${site}/?next=${encodeURIComponent("//evil.example/")}`);
      await fillSignIn(page, demoUser);
      await page.locator("#albums").waitFor({ state: "visible" });
      expect(new URL(page.url()).origin).toBe(site);
      expect(new URL(page.url()).pathname).toBe("/");
    });
  });
}
