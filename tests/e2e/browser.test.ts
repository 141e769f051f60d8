/**
 * The browser tests: Chromium against the reference app as `npm start` runs it (dev stack, a fresh state
 * folder). One app and one Chromium for every suite, started here once: starting them is most of a suite's
 * cost. The suites share the app's data, so none depends on what another writes (browser.ts: demoUser,
 * signUpUser), and each test opens a browser context of its own (newContext).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accountSuite } from "./account.spec";
import { browserUiPages, chromiumFeaturesKept, hasChromium, newContext, sharedApp, startSharedApp } from "./browser";
import { gallerySuite } from "./gallery.spec";
import { realtimeSuite } from "./realtime.spec";
import { siteSuite } from "./site.spec";
import { thumbnailsSuite } from "./thumbnails.spec";

// Where there is no /proc (macOS, Windows, with CHROMIUM_PATH) the check cannot read Chromium's command line: it is
// Linux's (CI's), and launchBrowser must not fail elsewhere for want of it.
it("checks Chromium's --disable-features only where there is a /proc to read them from", () => {
  expect(() => chromiumFeaturesKept(join(tmpdir(), "no-proc-here"))).not.toThrow();
});

describe.skipIf(!hasChromium)("the reference app in Chromium against npm start (apt-get install chromium; .ci/run installs it)", () => {
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    stop = await startSharedApp();
  });
  afterAll(() => stop?.());
  // Every test starts from a browser without contexts: no earlier test's page (a poll, a live connection, cookies)
  // is still there. A context left open fails the next test once and is closed, so the tests after it run clean.
  beforeEach(async () => {
    const leftOpen = sharedApp().browser.contexts();
    await Promise.all(leftOpen.map((context) => context.close()));
    expect(leftOpen.length, "browser contexts an earlier test left open (now closed): open them with newContext() (browser.ts)").toBe(0);
  });

  // Each context is a window of its own in headless Chromium: browser UI built for every window costs every test.
  it("builds no browser-UI pages beside a context's page (the omnibox popups: browser.ts, BROWSER_UI_FEATURES)", async () => {
    const page = await (await newContext()).newPage();
    await page.goto(sharedApp().app.urls.site);
    expect(await browserUiPages(sharedApp().browser)).toEqual([]);
  });

  siteSuite();
  accountSuite();
  gallerySuite();
  realtimeSuite();
  thumbnailsSuite();
});
