/**
 * Live updates in a real browser against `npm start`: the signed-in page connects to the local
 * WebSocket API (id token checked by the $connect authorizer); while connected it does not poll, so
 * a photo that turns ready got there by the thumbnail function's push. A page without WebSocket
 * still sees its photo become ready, by polling, also after a poll that failed on the way (a 5xx, a 429, or no
 * answer at all); a poll the
 * API refuses (403, 404) ends the polling.
 */
import type { Page } from "playwright-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { UNREACHABLE_MESSAGE } from "../../site/src/api";
import { PROCESSING_POLL_LIMIT, PROCESSING_POLL_MS } from "../../site/src/polling";
import { eventually, LOOK_INTERVAL_MS, newContext, PAGE_WAIT_MS, sharedApp, signInAndOpenNewAlbum, signUpUser, uploadPhoto } from "./browser";

async function uploadPng(page: Page, title: string): Promise<void> {
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#457b9d" } }).png().toBuffer();
  await uploadPhoto(page, { name: `${title}.png`, mimeType: "image/png", buffer: png }, title);
}

/** The page's read of an album's photo list (GET; the page adds no query, a test's route accepts one). */
const PHOTO_LIST = /\/api\/albums\/[^/]+\/photos(\?|$)/;

/**
 * Counts, in the page, the photo-list reads it starts (its fetch calls): the processing poll's timer calls fetch
 * in the same task, so right after the test has run the page's clock this count is complete, where a count of
 * request events would still have to wait for events that may never come.
 */
const COUNT_PHOTO_LIST_READS = `
  window.__photoListReads = 0;
  const pageFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (method === "GET" && ${PHOTO_LIST}.test(url.pathname + url.search)) window.__photoListReads += 1;
    return pageFetch.apply(this, arguments);
  };
`;

/**
 * A user of its own, signed in with a new album open, in a browser (or a network) without WebSocket.
 * With `pausedClock`, the page's clock stands still from its first script on: its one timer then, the processing
 * poll's, fires only when the test runs the clock (page.clock.runFor), so a test steps through polls without
 * waiting their interval, and a poll that should not come has every chance to. The page also counts its
 * photo-list reads (photoListReadsStarted).
 */
async function pageWithoutWebSocket(label: string, album: string, { pausedClock = false } = {}): Promise<Page> {
  const user = await signUpUser(sharedApp().app, label);
  const context = await newContext();
  await context.addInitScript("delete window.WebSocket;");
  if (pausedClock) {
    await context.addInitScript(COUNT_PHOTO_LIST_READS);
    // Before any page: installed and paused as each page's first script runs.
    const now = Date.now();
    await context.clock.install({ time: now });
    await context.clock.pauseAt(now);
  }
  const page = await context.newPage();
  await signInAndOpenNewAlbum(page, user, album);
  return page;
}

/** How many photo-list reads a page of pageWithoutWebSocket({ pausedClock }) has started. */
function photoListReadsStarted(page: Page): Promise<number> {
  return page.evaluate("window.__photoListReads") as Promise<number>;
}

/** Runs a paused page clock one poll interval on: the poll that is due, if any, looks at the album. */
function runPollInterval(page: Page): Promise<void> {
  return page.clock.runFor(PROCESSING_POLL_MS);
}

/**
 * Runs a paused page clock one poll interval per look until the first photo's status is `status`, for at most the
 * page's PROCESSING_POLL_LIMIT polls (a look runs at most one) and PAGE_WAIT_MS. The looks are spaced in real time,
 * from LOOK_INTERVAL_MS doubling up to PAGE_WAIT_MS / PROCESSING_POLL_LIMIT, so that the page's polls last about as
 * long as the test waits: a thumbnail that a loaded machine makes slowly cannot outlast the page's polling, which
 * would then have stopped, while one made at once is seen at once.
 */
async function pollUntilFirstPhoto(page: Page, status: string): Promise<void> {
  const started = Date.now();
  let pause = LOOK_INTERVAL_MS;
  for (let looks = 1; ; looks++) {
    await runPollInterval(page);
    const seen = await firstPhotoStatus(page);
    const waited = Date.now() - started;
    if (seen === status || looks >= PROCESSING_POLL_LIMIT || waited >= PAGE_WAIT_MS) {
      return void expect(seen, `the first photo's status after ${looks} looks over ${waited} ms (the page polls at most ${PROCESSING_POLL_LIMIT} times)`).toBe(status);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(2 * pause, PAGE_WAIT_MS / PROCESSING_POLL_LIMIT);
  }
}

function firstPhotoStatus(page: Page): Promise<string | null> {
  return page.locator("#photo-list li").first().getAttribute("data-status");
}

/** A poll's answer that is not the photo list: a status with its body, or none at all (the request lost on the network). */
interface PollFailure {
  status: number | "network";
  body?: { message: string };
  /** What the page's message line says for it (site/src/api.ts, messageFor). */
  shows: string;
}

/**
 * A page without WebSocket, its clock paused, with a photo just uploaded: the page's own read after the upload
 * shows the photo processing (as when the thumbnail is not made yet), so a poll is due; that first poll is
 * answered `failure`, and later reads reach the API. Returns the page and how many reads reached the route.
 */
async function pageWhosePollFails(label: string, failure: PollFailure): Promise<{ page: Page; routedReads: () => number }> {
  const page = await pageWithoutWebSocket(label, "Processing", { pausedClock: true });
  let reads = 0;
  await page.route(PHOTO_LIST, async (route) => {
    if (route.request().method() !== "GET") return route.continue();
    reads += 1;
    if (reads === 1) {
      const response = await route.fetch();
      const body = (await response.json()) as { items: Array<{ status: string; thumbnails?: unknown }> };
      return route.fulfill({ response, json: { ...body, items: body.items.map(({ thumbnails: _, ...photo }) => ({ ...photo, status: "pending" })) } });
    }
    if (reads === 2) {
      if (failure.status === "network") return route.abort("internetdisconnected");
      return route.fulfill({ status: failure.status, contentType: "application/json", body: JSON.stringify(failure.body) });
    }
    return route.continue();
  });
  await uploadPng(page, label);
  // Rendered processing: the page has set the poll's timer in the same task.
  await eventually(() => firstPhotoStatus(page)).toBe("pending");
  return { page, routedReads: () => reads };
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
      const page = await pageWithoutWebSocket("realtime-polled", "No live", { pausedClock: true });
      expect(await page.locator("html").getAttribute("data-live")).toBe("off");
      await uploadPng(page, "polled");
      // Each look runs the page's clock one poll interval: the polls, not a push, bring the thumbnail.
      await pollUntilFirstPhoto(page, "ready");
    });
  });

  // Failed on the way (a 5xx, API Gateway's throttling 429): the next look may work, so the page keeps looking.
  // About the request itself (403 not allowed, 404 the album is gone): the next look gets the same, so the page stops.
  describe("a processing poll that fails (without WebSocket)", () => {
    it.each<PollFailure>([
      { status: 503, body: { message: "Service Unavailable" }, shows: "The gallery had a problem. Please try again in a moment." },
      { status: 429, body: { message: "Too Many Requests" }, shows: "The gallery is busy right now. Please try again in a moment." },
      { status: "network", shows: UNREACHABLE_MESSAGE },
    ])("$status: keeps polling, shows why, and takes that message away once a look works", async (failure) => {
      const { page } = await pageWhosePollFails(`realtime-poll-${failure.status}`, failure);
      await runPollInterval(page);
      await eventually(() => page.locator("#message").textContent()).toBe(failure.shows);
      // One interval per look: a look while a poll is on its way fires nothing; the thumbnail may take a few.
      await pollUntilFirstPhoto(page, "ready");
      expect(await page.locator("#message").isVisible()).toBe(false);
    });

    it.each<PollFailure>([
      { status: 401, body: { message: "Unauthorized" }, shows: "You are not signed in, or your session has expired. Please sign in again." },
      { status: 403, body: { message: "Forbidden" }, shows: "You are not allowed to do that." },
      { status: 404, body: { message: "Album not found" }, shows: "That album or photo does not exist (it may have been deleted)." },
    ])("$status: stops polling and says why", async (failure) => {
      const { page, routedReads } = await pageWhosePollFails(`realtime-poll-${failure.status}`, failure);
      await runPollInterval(page);
      await eventually(() => page.locator("#message").textContent()).toBe(failure.shows);
      const readsAtStop = await photoListReadsStarted(page);
      await page.clock.runFor(10 * PROCESSING_POLL_MS);
      expect(await photoListReadsStarted(page), `photo-list reads the page started in the 10 poll intervals after the ${failure.status}`).toBe(readsAtStop);
      expect(routedReads(), "photo-list reads that reached the network: the upload's and the refused poll").toBe(2);
      expect(await page.locator("#message").textContent()).toBe(failure.shows);
      expect(await firstPhotoStatus(page)).toBe("pending");
      // An expired session (401) also signs the page out, so the user can sign in again; the others keep them in.
      expect(await page.locator("#signin").isVisible(), "the sign-in form shows").toBe(failure.status === 401);
    });
  });
}
