/**
 * Thumbnails in a real browser against `npm start`: a user uploads a PNG and a JPEG; each
 * shows "Processing…" until the S3 event has run the thumbnail function (sharp), then its WebP
 * thumbnail with a 320w/1280w srcset; a file that is not an image shows why it failed; the
 * original opens only on demand.
 */
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { eventually, newContext, sharedApp, signInAndOpenNewAlbum, signUpUser, uploadPhoto } from "./browser";

export function thumbnailsSuite(): void {
  describe("thumbnails", () => {
    it("shows processing, then the thumbnail with its srcset, for a PNG and a JPEG; and the reason for a file that is not an image", async () => {
      // A user of its own: the photo list below is this test's uploads only.
      const user = await signUpUser(sharedApp().app, "thumbnails");
      const context = await newContext();
      const page = await context.newPage();
      await signInAndOpenNewAlbum(page, user, "Thumbnails");

      const png = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: "#2a6f97" } }).png().toBuffer();
      const jpeg = await sharp({ create: { width: 1000, height: 1500, channels: 3, background: "#e76f51" } }).jpeg().toBuffer();
      await uploadPhoto(page, { name: "wide.png", mimeType: "image/png", buffer: png }, "Wide");
      // Right after the upload the photo is pending, unless its thumbnails were made before the list came back.
      // Status and text are read together: the push that the photo is ready can re-render the list between two reads.
      const first = await page.locator("#photo-list li").first().evaluate((li) => {
        const item = li as unknown as { getAttribute(name: string): string | null; querySelector(selector: string): { textContent: string | null } | null };
        return { status: item.getAttribute("data-status"), processing: item.querySelector(".processing")?.textContent };
      });
      if (first.status === "pending") expect(first.processing).toBe("Processing…");
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
      // The pushes and polls that brought those statuses reloaded the list without taking the upload's message away.
      expect(await page.locator("#message").textContent()).toBe("Photo uploaded.");

      // The original only on demand: a new tab on its presigned URL.
      const [original] = await Promise.all([context.waitForEvent("page"), items.nth(0).locator("button", { hasText: "Original" }).click()]);
      await original.waitForLoadState();
      expect(original.url()).toContain("/originals/");
    }, 120_000);
  });
}
