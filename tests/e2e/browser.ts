/** Debian's Chromium driven by playwright-core (no browser download): the flags keep it off this machine's closed network. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";
import { startLocalApp, type LocalApp } from "../../local/start";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** The reference app as `npm start` runs the dev stack, in a state folder of its own, and Chromium. */
export interface AppInBrowser {
  app: LocalApp;
  browser: Browser;
  /** Closes the browser, stops the app and removes its state folder. */
  stop(): Promise<void>;
}

/** For a browser test file's beforeAll; its afterAll calls `stop`. */
export async function startAppInBrowser(): Promise<AppInBrowser> {
  const stateDir = mkdtempSync(join(tmpdir(), "sf-e2e-"));
  const app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir, load: () => import("../../index.js") });
  const browser = await launchBrowser();
  return {
    app,
    browser,
    stop: async () => {
      await browser.close();
      await app.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
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
