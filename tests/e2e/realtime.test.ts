/**
 * Live updates in a real browser against `npm start`: the signed-in page connects to the local
 * WebSocket API (id token checked by the $connect authorizer); while connected it does not poll, so
 * a photo that turns ready got there by the thumbnail function's push. A page without WebSocket
 * still sees its photo become ready, by polling.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
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

async function signInAndOpenAlbum(context: BrowserContext, album: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(app.urls.site);
  await page.locator("#signin-email").fill(demo.email);
  await page.locator("#signin-password").fill(demo.password);
  await page.locator("#signin-form button[type=submit]").click();
  await eventually(() => page.locator("#albums").isVisible()).toBe(true);
  await page.locator("#album-title-input").fill(album);
  await page.locator("#album-form button[type=submit]").click();
  await page.locator("#album-list button", { hasText: album }).click();
  await eventually(() => page.locator("#album-title").textContent()).toBe(album);
  return page;
}

async function uploadPng(page: Page, title: string): Promise<void> {
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#457b9d" } }).png().toBuffer();
  await uploadPhoto(page, { name: `${title}.png`, mimeType: "image/png", buffer: png }, title);
}

describe.skipIf(!hasChromium)("live updates in Chromium against npm start", () => {
  beforeAll(async () => {
    ({ app, browser, stop } = await startAppInBrowser());
  });
  afterAll(() => stop?.());

  it("connects with the id token and updates the grid from the pushed 'photo ready' message, without polling", async () => {
    const context = await browser.newContext();
    const page = await signInAndOpenAlbum(context, "Live");
    await eventually(() => page.locator("html").getAttribute("data-live")).toBe("connected");
    // Count the album reads from here on: with the live connection there is no poll, only the reads the page makes itself.
    const reads: string[] = [];
    page.on("request", (request) => {
      if (/\/api\/albums\/[^/]+\/photos$/.test(new URL(request.url()).pathname) && request.method() === "GET") reads.push(request.url());
    });
    await uploadPng(page, "pushed");
    await eventually(() => page.locator("#photo-list li").first().getAttribute("data-status")).toBe("ready");
    await eventually(() => page.locator("#photo-list li img").count()).toBe(1);
    // The list after the upload, and the one the push caused: the 1.5 s poll (80 times) would have made many more.
    expect(reads.length).toBeLessThanOrEqual(3);
    expect(await page.locator("html").getAttribute("data-live")).toBe("connected");
    await context.close();
  });

  it("still shows the photo ready without WebSocket (the page falls back to polling)", async () => {
    const context = await browser.newContext();
    // A browser (or a network) without WebSocket.
    await context.addInitScript("delete window.WebSocket;");
    const page = await signInAndOpenAlbum(context, "No live");
    expect(await page.locator("html").getAttribute("data-live")).toBe("off");
    await uploadPng(page, "polled");
    await eventually(() => page.locator("#photo-list li").first().getAttribute("data-status")).toBe("ready");
    await context.close();
  });
});
