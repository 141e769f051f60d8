/** Debian's Chromium driven by playwright-core (no browser download): the flags keep it off this machine's closed network. */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Playwright's default action timeout: every click and fill already waits up to this long for
 * its element. A ceiling, not a timing assertion.
 */
const PAGE_WAIT_MS = 30_000;

/**
 * Waits for the page to reach a state (a text, a visibility, a count) under the same ceiling as
 * Playwright's actions, then asserts on it; a failure shows the last value read.
 *
 * Not expect.poll's default of 1 s: that asserted the local stack answers within a second, and
 * the first call of each API function (a fresh worker importing its bundle and the AWS SDK)
 * takes seconds on a loaded machine, so a different browser test failed from run to run.
 */
export function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: PAGE_WAIT_MS });
}

/** Uploads a file through the open album's upload form and waits for the page to confirm it. */
export async function uploadPhoto(page: Page, file: { name: string; mimeType: string; buffer: Buffer }, title: string): Promise<void> {
  await page.locator("#upload-file").setInputFiles(file);
  await page.locator("#upload-title").fill(title);
  await page.locator("#upload-form button[type=submit]").click();
  await eventually(() => page.locator("#message").textContent()).toBe("Photo uploaded.");
}
