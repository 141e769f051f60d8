/**
 * What the browser suites share: Debian's Chromium driven by playwright-core (no browser download; the flags
 * keep it off this machine's closed network), the one local app they all run against, the users they sign in
 * as, and the waits they use.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient, ConfirmSignUpCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import { chromium, type Browser, type BrowserContext, type Page, type Request } from "playwright-core";
import { expect, onTestFinished } from "vitest";
import { parse } from "yaml";
import type { LocalCognito } from "../../local/services/cognito";
import { startLocalApp, type LocalApp } from "../../local/start";
import { devAppRun } from "../setup/dev-app";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/**
 * The Chromium features Playwright switches off (playwright-core's chromiumSwitches.ts, its own `--disable-features`).
 * Chromium reads only the last `--disable-features` on its command line (base::CommandLine keeps one value a switch;
 * puppeteer/puppeteer#10883, "the second instance wipes out the first"), so ours repeats them: launchBrowser checks
 * that it does (chromiumFeaturesKept), and names what Playwright added after an upgrade.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "ThirdPartyStoragePartitioning",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "TcpPortRandomizationWin",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
  "msForceBrowserSignIn",
  "msEdgeUpdateLaunchServicesPreferredVersion",
];

/**
 * Browser UI that headless Chromium (156) still builds for every window, and so for every browser context (each
 * test's newContext): the address bar's suggestion popups, two WebUI pages (chrome://omnibox-popup.top-chrome/ and
 * its omnibox_popup_aim.html) preloaded in a renderer process of their own. No test page can reach them. They were
 * about half of Chromium's CPU in browser.test.ts (issue 15, three paired runs, Chromium's processes read from /proc:
 * 26–30 CPU-seconds with them, 13–15 without, of the file's 42–49). browser.test.ts checks that none is open (browserUiPages).
 */
const BROWSER_UI_FEATURES = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"];

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...BROWSER_UI_FEATURES].join(",")}`,
    ],
  });
  try {
    chromiumFeaturesKept();
  } catch (error) {
    await browser.close();
    throw error;
  }
  return browser;
}

/**
 * Throws unless the last `--disable-features` of every Chromium this process started (the one Chromium reads)
 * names every feature an earlier one names (Playwright's own): otherwise launchBrowser would switch Playwright's
 * features back on. Reads the command lines from /proc (`proc`), Linux's: the process this one started, whatever its
 * name (Debian's /usr/bin/chromium is a script that execs /usr/lib/chromium/chromium; a wrapper that does not exec is
 * checked by its own command line, which holds Playwright's arguments). Without /proc (macOS, Windows, with
 * CHROMIUM_PATH) nothing is checked: Linux (CI) checks it.
 */
export function chromiumFeaturesKept(proc = "/proc"): void {
  if (!existsSync(proc)) return;
  const children = readdirSync(proc).filter((pid) => /^\d+$/.test(pid) && parentPid(proc, pid) === process.pid);
  const chromiums = children.map((pid) => readProc(proc, pid, "cmdline").split("\0")).filter((argv) => argv.includes("--remote-debugging-pipe"));
  if (chromiums.length === 0) throw new Error(`tests/e2e/browser.ts: found no Chromium process started by this process (pid ${process.pid}) in ${proc} to check its --disable-features (a wrapper that starts it in a process of its own, not by exec? set CHROMIUM_PATH to the browser's binary)`);
  for (const argv of chromiums) {
    const lists = argv.filter((arg) => arg.startsWith("--disable-features=")).map((arg) => arg.slice("--disable-features=".length).split(","));
    const read = new Set(lists.at(-1));
    const dropped = lists.flat().filter((feature) => !read.has(feature));
    if (dropped.length > 0) throw new Error(`tests/e2e/browser.ts: Chromium reads only the last --disable-features, and ours leaves out ${[...new Set(dropped)].join(", ")} (Playwright's own, after an upgrade?): add them to PLAYWRIGHT_DISABLED_FEATURES`);
  }
}

function readProc(proc: string, pid: string, file: string): string {
  try {
    return readFileSync(join(proc, pid, file), "utf8");
  } catch {
    return ""; // the process has ended
  }
}

/** A process's parent pid, from /proc/<pid>/stat (its 4th field, after the command name in parentheses). */
function parentPid(proc: string, pid: string): number | undefined {
  const stat = readProc(proc, pid, "stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return stat ? Number(fields[1]) : undefined;
}

/**
 * The browser-UI pages (chrome:// WebUI outside any tab: the omnibox popups above) open in Chromium, with their
 * addresses: browser.test.ts expects none.
 */
export async function browserUiPages(browser: Browser): Promise<string[]> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send("Target.getTargets", { filter: [{}] })) as { targetInfos: Array<{ type: string; url: string }> };
    return targetInfos.filter((target) => target.type === "browser_ui").map((target) => target.url);
  } finally {
    await cdp.detach();
  }
}

/** The reference app as `npm start` runs the dev stack, in a state folder of its own, and Chromium. */
export interface AppInBrowser {
  app: LocalApp;
  browser: Browser;
  /** Closes the browser, stops the app and removes its state folder. */
  stop(): Promise<void>;
}

/**
 * Starts the app (from the test run's one recorded run of index.ts, tests/setup/dev-app.ts), then Chromium. A start
 * that fails half-way undoes what it started (the app, the state folder) before it throws: a running app would keep
 * the test worker alive after the failure is reported.
 */
export async function startAppInBrowser(): Promise<AppInBrowser> {
  const stateDir = mkdtempSync(join(tmpdir(), "sf-e2e-"));
  const removeState = () => rmSync(stateDir, { recursive: true, force: true });
  let app: LocalApp;
  try {
    app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir, recordedRun: await devAppRun() });
  } catch (error) {
    removeState();
    throw error;
  }
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await app.stop();
    removeState();
    throw error;
  }
  return {
    app,
    browser,
    stop: async () => {
      try {
        await browser.close();
      } finally {
        try {
          await app.stop();
        } finally {
          removeState();
        }
      }
    },
  };
}

let shared: AppInBrowser | undefined;

/**
 * browser.test.ts's beforeAll: the one app and Chromium that every browser suite runs against (starting them
 * is most of a suite's cost). Returns what its afterAll calls.
 */
export async function startSharedApp(): Promise<() => Promise<void>> {
  const started = await startAppInBrowser();
  shared = started;
  return async () => {
    shared = undefined;
    await started.stop();
  };
}

/** The app and browser that browser.test.ts started, for a suite's tests (not at import: it starts in beforeAll). */
export function sharedApp(): AppInBrowser {
  if (!shared) throw new Error("The browser suites' app is not running: browser.test.ts's beforeAll failed (its error is reported with the first test) or this suite was run outside browser.test.ts.");
  return shared;
}

/**
 * A browser context of the current test's own (no cookies or storage from another test), closed when the
 * test ends, passed or failed, so no page of it keeps polling or holds a live connection into the next test.
 */
export async function newContext(): Promise<BrowserContext> {
  const context = await sharedApp().browser.newContext();
  const traffic = recordTraffic(context);
  onTestFinished(async ({ task }) => {
    if (task.result?.state === "fail") console.error(`Browser context up to this failure:\n${[...(await pageStates(context)), ...traffic()].join("\n")}`);
    await context.close();
  });
  return context;
}

/**
 * Every request a context's pages made, with its status, its failure or how long it has been pending: for a
 * failing test's report, where a wait that ran out is most often a request that failed or never came back.
 */
function recordTraffic(context: BrowserContext): () => string[] {
  const started = Date.now();
  const requests: Array<{ request: Request; at: number; status?: number; outcome?: string }> = [];
  const entry = (request: Request) => requests.find((r) => r.request === request);
  const settle = (request: Request, outcome: string) => {
    const found = entry(request);
    if (found) found.outcome = `${outcome} after ${Date.now() - found.at} ms`;
  };
  context.on("request", (request) => requests.push({ request, at: Date.now() }));
  context.on("response", (response) => {
    const found = entry(response.request());
    if (found) found.status = response.status();
  });
  context.on("requestfinished", (request) => settle(request, String(entry(request)?.status ?? "finished")));
  context.on("requestfailed", (request) => settle(request, `failed (${request.failure()?.errorText ?? "unknown"})`));
  const siteOrigin = new URL(sharedApp().app.urls.site).origin;
  return () =>
    requests.map(({ request, at, status, outcome }) => {
      const url = new URL(request.url());
      const waiting = Date.now() - at;
      const state = outcome ?? (status === undefined ? `no answer for ${waiting} ms` : `${status}, its body unread for ${waiting} ms`);
      return `  at ${at - started} ms: ${request.method()} ${url.origin === siteOrigin ? url.pathname + url.search : url.href} → ${state}`;
    });
}

/** Each open page's address and what its status and message lines say. */
async function pageStates(context: BrowserContext): Promise<string[]> {
  return Promise.all(
    context.pages().map(async (page) => {
      const text = (selector: string) => page.locator(selector).textContent({ timeout: 1000 }).catch(() => "(unreadable)");
      return `  page ${page.url()}: status "${await text("#status")}", message "${await text("#message")}"`;
    }),
  );
}

export interface User {
  email: string;
  password: string;
}

const devConfig = parse(readFileSync("Pulumi.dev.yaml", "utf8")).config as Record<string, string>;

/**
 * The dev stack's seeded demo user. The suites share one app, so they share its data: only the gallery suite
 * writes as the demo user (it checks that their album list starts empty); the others sign in as them without
 * writing, or write as a user of their own (`signUpUser`).
 */
export const demoUser: User = { email: devConfig["serverless-fullstack:localDemoUser"], password: devConfig["serverless-fullstack:localDemoPassword"] };

/**
 * A new user of the app's pool, signed up and confirmed through the app client as a visitor does (which runs
 * the post-confirmation trigger that creates their profile): albums, photos and live pushes of their own.
 * `label` names the suite in the address, for the handler logs.
 */
export async function signUpUser(app: LocalApp, label: string): Promise<User> {
  const user = { email: `${label}-${randomUUID().slice(0, 8)}@example.com`, password: "Browser-suite-pass-1" };
  const env = app.context.environment;
  const cognito = app.services.find((s) => s.name === "cognito") as LocalCognito;
  const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: user.email, Password: user.password, UserAttributes: [{ Name: "email", Value: user.email }] }));
    await sdk.send(new ConfirmSignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: user.email, ConfirmationCode: cognito.emulator.lastCode(user.email)! }));
  } finally {
    sdk.destroy();
  }
  return user;
}

/**
 * Playwright's default action timeout: every click and fill already waits up to this long for
 * its element. A ceiling, not a timing assertion.
 */
export const PAGE_WAIT_MS = 30_000;

/**
 * Waits for the page to reach a state (a text, a visibility, a count) under the same ceiling as
 * Playwright's actions, then asserts on it; a failure shows the last value read.
 *
 * Not expect.poll's default of 1 s: that asserted the local stack answers within a second, and
 * the first call of each API function (a fresh worker importing its bundle and the AWS SDK)
 * takes seconds on a loaded machine, so a different browser test failed from run to run.
 *
 * Reads every LOOK_INTERVAL_MS, not expect.poll's default 50 ms: the suite waited out most of an interval on most
 * of its waits, with a core idle (issue 15); a read is one round trip to the page, so not much more often either.
 */
export function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: PAGE_WAIT_MS, interval: LOOK_INTERVAL_MS });
}

/** How long `eventually` waits between two reads of the page. */
export const LOOK_INTERVAL_MS = 20;

/** Signs in with the home page's password form (the page must show it). */
export async function fillSignIn(page: Page, user: User): Promise<void> {
  await page.locator("#signin-email").fill(user.email);
  await page.locator("#signin-password").fill(user.password);
  await page.locator("#signin-form button[type=submit]").click();
}

/**
 * Signs in on the home page, creates an album and opens it. Each step waits for the page's own request
 * to finish before the next acts: the album list loads on sign-in and the photo list on opening, and a
 * late response to either would render a stale list over the one the next step asked for.
 */
export async function signInAndOpenNewAlbum(page: Page, user: User, album: string): Promise<void> {
  await page.goto(sharedApp().app.urls.site);
  await fillSignIn(page, user);
  await eventually(() => page.locator("#no-albums").isVisible()).toBe(true);
  await page.locator("#album-title-input").fill(album);
  await page.locator("#album-form button[type=submit]").click();
  await page.locator("#album-list button", { hasText: album }).click();
  await eventually(() => page.locator("#album-title").textContent()).toBe(album);
  await eventually(() => page.locator("#no-photos").isVisible()).toBe(true);
}

/**
 * Records every text that the page's message line (#message) shows from now on, in `window.__messages`.
 * The page clears that line whenever the user acts, and a background reload that works clears a failed
 * background reload's message (site/src/main.ts, `attempt` and `inBackground`): a test's next step can take a
 * message away before a poll of the line reads it. Watching the line's changes sees each text it showed,
 * however briefly.
 */
const RECORD_MESSAGES = `
  window.__messageObserver?.disconnect();
  window.__messages = [];
  window.__messageObserver = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) window.__messages.push(node.textContent);
  });
  window.__messageObserver.observe(document.querySelector("#message"), { childList: true });
`;

/** Runs `act` on a signed-in page and waits until the page's message line has shown `expected` (the whole text, or a match). */
export async function expectMessage(page: Page, act: () => Promise<unknown>, expected: string | RegExp): Promise<void> {
  await page.evaluate(RECORD_MESSAGES);
  await act();
  const shown = eventually(() => page.evaluate("window.__messages") as Promise<string[]>);
  await (typeof expected === "string" ? shown.toContain(expected) : shown.toContainEqual(expect.stringMatching(expected)));
}

/** Uploads a file through the open album's upload form and waits for the page to confirm it. */
export async function uploadPhoto(page: Page, file: { name: string; mimeType: string; buffer: Buffer }, title: string): Promise<void> {
  await page.locator("#upload-file").setInputFiles(file);
  await page.locator("#upload-title").fill(title);
  await expectMessage(page, () => page.locator("#upload-form button[type=submit]").click(), "Photo uploaded.");
}
