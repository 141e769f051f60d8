/**
 * The browser tests: Chromium against the reference app as `npm start` runs it (dev stack, a fresh state
 * folder). One app and one Chromium for every suite, started here once: starting them is most of a suite's
 * cost. The suites share the app's data, so none depends on what another writes (browser.ts: demoUser,
 * signUpUser), and each test opens a browser context of its own (newContext).
 */
import { afterAll, beforeAll, describe } from "vitest";
import { accountSuite } from "./account.spec";
import { hasChromium, startSharedApp } from "./browser";
import { gallerySuite } from "./gallery.spec";
import { realtimeSuite } from "./realtime.spec";
import { siteSuite } from "./site.spec";
import { thumbnailsSuite } from "./thumbnails.spec";

describe.skipIf(!hasChromium)("the reference app in Chromium against npm start (apt-get install chromium; .ci/run installs it)", () => {
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    stop = await startSharedApp();
  });
  afterAll(() => stop?.());

  siteSuite();
  accountSuite();
  gallerySuite();
  realtimeSuite();
  thumbnailsSuite();
});
