/**
 * Live updates in a real browser against `npm start`: the signed-in page connects to the local
 * WebSocket API (id token checked by the $connect authorizer); while connected it does not poll, so
 * a photo that turns ready got there by the thumbnail function's push. A page without WebSocket
 * still sees its photo become ready, by polling, also after a poll that failed.
 */
import type { Page } from "playwright-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { eventually, newContext, sharedApp, signInAndOpenNewAlbum, signUpUser, uploadPhoto } from "./browser";

async function uploadPng(page: Page, title: string): Promise<void> {
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#457b9d" } }).png().toBuffer();
  await uploadPhoto(page, { name: `${title}.png`, mimeType: "image/png", buffer: png }, title);
}

/** A user of its own, signed in with a new album open, in a browser (or a network) without WebSocket. */
async function pageWithoutWebSocket(label: string, album: string): Promise<Page> {
  const user = await signUpUser(sharedApp().app, label);
  const context = await newContext();
  await context.addInitScript("delete window.WebSocket;");
  const page = await context.newPage();
  await signInAndOpenNewAlbum(page, user, album);
  return page;
}

export function realtimeSuite(): void {
  // Each test signs up a user of its own: pushes go to a user's connections, so no other test's uploads reach this page.
  describe("live updates", () => {
    it("connects with the id token and updates the grid from the pushed 'photo ready' message, without polling", async () => {
      const user = await signUpUser(sharedApp().app, "realtime-live");
      const page = await (await newContext()).newPage();
      await signInAndOpenNewAlbum(page, user, "Live");
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
    });

    it("still shows the photo ready without WebSocket (the page falls back to polling)", async () => {
      const page = await pageWithoutWebSocket("realtime-polled", "No live");
      expect(await page.locator("html").getAttribute("data-live")).toBe("off");
      await uploadPng(page, "polled");
      await eventually(() => page.locator("#photo-list li").first().getAttribute("data-status")).toBe("ready");
    });

    it("keeps polling after a look that fails, shows why, and takes that message away once a look works", async () => {
      const page = await pageWithoutWebSocket("realtime-poll-failure", "Flaky network");
      // From the upload on, the album's photo list: the page's own read after the upload still shows the photo
      // processing (as when the thumbnail is not made yet), the first poll gets a 503, and the next one is held
      // until the test has seen the 503's message, then reaches the API.
      let reads = 0;
      let release!: () => void;
      const messageSeen = new Promise<void>((resolve) => (release = resolve));
      await page.route(/\/api\/albums\/[^/]+\/photos(\?|$)/, async (route) => {
        if (route.request().method() !== "GET") return route.continue();
        reads += 1;
        if (reads === 1) {
          const response = await route.fetch();
          const body = (await response.json()) as { items: Array<{ status: string; thumbnails?: unknown }> };
          return route.fulfill({ response, json: { ...body, items: body.items.map(({ thumbnails: _, ...photo }) => ({ ...photo, status: "pending" })) } });
        }
        if (reads === 2) return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ message: "Service Unavailable" }) });
        if (reads === 3) await messageSeen;
        return route.continue();
      });
      await uploadPng(page, "after-a-failure");
      await eventually(() => page.locator("#message").textContent()).toBe("The gallery had a problem. Please try again in a moment.");
      release();
      await eventually(() => page.locator("#photo-list li").first().getAttribute("data-status")).toBe("ready");
      expect(await page.locator("#message").isVisible()).toBe(false);
    });
  });
}
