/**
 * Thumbnails in a real browser against `npm start`: the demo user uploads a PNG and a JPEG; each
 * shows "Processing…" until the S3 event has run the thumbnail function (sharp), then its WebP
 * thumbnail with a 320w/1280w srcset; a file that is not an image shows why it failed; the
 * original opens only on demand.
 */
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { LocalApp } from "../../local/start";
import { eventually, hasChromium, startAppInBrowser, uploadPhoto } from "./browser";

const devConfig = parse(readFileSync("Pulumi.dev.yaml", "utf8")).config as Record<string, string>;
const demo = { email: devConfig["serverless-fullstack:localDemoUser"], password: devConfig["serverless-fullstack:localDemoPassword"] };

let app: LocalApp;
let browser: Browser;
let stop: (() => Promise<void>) | undefined;

describe.skipIf(!hasChromium)("thumbnails in Chromium against npm start", () => {
  beforeAll(async () => {
    ({ app, browser, stop } = await startAppInBrowser());
  });
  afterAll(() => stop?.());

  it("shows processing, then the thumbnail with its srcset, for a PNG and a JPEG; and the reason for a file that is not an image", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(app.urls.site);
    await page.locator("#signin-email").fill(demo.email);
    await page.locator("#signin-password").fill(demo.password);
    await page.locator("#signin-form button[type=submit]").click();
    await eventually(() => page.locator("#albums").isVisible()).toBe(true);
    await page.locator("#album-title-input").fill("Thumbnails");
    await page.locator("#album-form button[type=submit]").click();
    await page.locator("#album-list button", { hasText: "Thumbnails" }).click();
    await eventually(() => page.locator("#album-title").textContent()).toBe("Thumbnails");

    const png = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: "#2a6f97" } }).png().toBuffer();
    const jpeg = await sharp({ create: { width: 1000, height: 1500, channels: 3, background: "#e76f51" } }).jpeg().toBuffer();
    await uploadPhoto(page, { name: "wide.png", mimeType: "image/png", buffer: png }, "Wide");
    const first = page.locator("#photo-list li").first();
    // Right after the upload the photo is pending, unless its thumbnails were made before the list came back.
    const status = await first.getAttribute("data-status");
    if (status === "pending") expect(await first.locator(".processing").textContent()).toBe("Processing…");
    await uploadPhoto(page, { name: "tall.jpg", mimeType: "image/jpeg", buffer: jpeg }, "Tall");
    await uploadPhoto(page, { name: "fake.png", mimeType: "image/png", buffer: Buffer.from("this is not a PNG") }, "Fake");

    const items = page.locator("#photo-list li");
    await expect.poll(() => items.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-status"))), { timeout: 60_000 }).toEqual(["ready", "ready", "failed"]);
    for (const [index, [width, height]] of [[320, 213], [320, 480]].entries()) {
      const img = items.nth(index).locator("img");
      expect(await img.getAttribute("srcset")).toMatch(/^\S+ 320w, \S+ (1280|1000)w$/);
      expect([await img.getAttribute("width"), await img.getAttribute("height")]).toEqual([String(width), String(height)]);
      await eventually(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    }
    expect(await items.nth(2).locator(".failed").textContent()).toMatch(/^Could not be processed: The file is not an image the gallery can read/);

    // The original only on demand: a new tab on its presigned URL.
    const [original] = await Promise.all([context.waitForEvent("page"), items.nth(0).locator("button", { hasText: "Original" }).click()]);
    await original.waitForLoadState();
    expect(original.url()).toContain("/originals/");
    await context.close();
  }, 120_000);
});
