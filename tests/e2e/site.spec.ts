/**
 * The reference app in a real browser against `npm start`'s local stack: pages render
 * under the deployed Content-Security-Policy (a violation would show up as a console
 * error), links work, and unknown paths show the error page.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { eventually, newContext, sharedApp } from "./browser";

/** A page of the test's own, and the console errors it logs. */
async function newPage(): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await (await newContext()).newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  return { page, consoleErrors };
}

export function siteSuite(): void {
  describe("the reference site", () => {
    it("renders the gallery home page with its stylesheet and script under the site's CSP", async () => {
      const { app } = sharedApp();
      const { page, consoleErrors } = await newPage();
      await page.goto(app.urls.site);
      expect(await page.title()).toBe("Gallery");
      // The page calls GET /api/health through the local CloudFront front door.
      await eventually(() => page.locator("#status").textContent()).toBe("The gallery API is up.");
      // The function runs in the page, where the DOM exists; typed loosely because this project's lib has no DOM.
      const headingMargin = await page.locator("header h1").evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { marginBottom: string } }).getComputedStyle(el).marginBottom);
      expect(headingMargin).toBe("0px");
      expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    });

    it("follows links between pages and shows the error page for unknown paths", async () => {
      const { app } = sharedApp();
      const { page } = await newPage();
      await page.goto(app.urls.site);
      await page.click("text=About");
      await eventually(() => page.title()).toBe("About · Gallery");
      const response = await page.goto(`${app.urls.site}/albums/does-not-exist`);
      expect(response?.status()).toBe(404);
      expect(await page.locator("h1").textContent()).toBe("Page not found");
    });
  });
}
