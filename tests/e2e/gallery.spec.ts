/**
 * The gallery in a real browser against `npm start`'s local stack: the seeded demo user
 * signs in with the password form (cognito-local), creates an album, uploads a PNG through
 * a presigned URL and sees it listed; a second user (signed up and confirmed through
 * cognito-local) does not see the first user's album. All under the site's CSP.
 */
import { createHash } from "node:crypto";
import { CognitoIdentityProviderClient, InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { UPLOAD_UNSENT_MESSAGE } from "../../site/src/api";
import { demoUser as demo, eventually, expectMessage, fillSignIn, newContext, sharedApp, signInAndOpenNewAlbum, signUpUser, uploadPhoto, type User } from "./browser";

/** A 1×1 transparent PNG (a valid one: the thumbnail function decodes it strictly). */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADUlEQVQImWNgYGBgAAAABQABh6FO1AAAAABJRU5ErkJggg==", "base64");

/** Every page's console errors over the suite: the last test checks that none was a CSP violation. */
const consoleErrors: string[] = [];

async function newPage(): Promise<Page> {
  const page = await (await newContext()).newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  return page;
}

async function signIn(page: Page, user: User) {
  await page.goto(sharedApp().app.urls.site);
  await fillSignIn(page, user);
  await eventually(() => page.locator("#user").textContent()).toBe(user.email);
}

async function albumTitles(page: Page): Promise<string[]> {
  return page.locator("#album-list li h3").allTextContents();
}

export function gallerySuite(): void {
  // The one suite that writes as the demo user (browser.ts, demoUser): its album list starts empty. Steps of one
  // story (sign in and upload, then delete what was uploaded): in this order, also with --sequence.shuffle.
  describe("the gallery", { shuffle: false }, () => {
    it("tells the page how to sign in locally: the deployed pool ids, password mode, cognito-local's endpoint", async () => {
      const { app } = sharedApp();
      const config = (await (await fetch(`${app.urls.site}/api/config`)).json()) as { auth: Record<string, unknown>; maxImageBytes: number };
      const env = app.context.environment;
      expect(config.auth).toMatchObject({ mode: "password", userPoolId: app.context.run.outputs.userPoolId, clientId: app.context.run.outputs.userPoolClientId, region: "us-east-1", cognitoEndpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER });
      expect(config.maxImageBytes).toBeGreaterThan(0);
    });

    it("signs the demo user in, creates an album, uploads a PNG and lists it", async () => {
      const page = await newPage();
      await signIn(page, demo);
      // The album list has loaded (the demo user has none yet): the page's own first request is done
      // before the test acts, so it cannot land after the create below and render a stale list.
      await eventually(() => page.locator("#no-albums").isVisible()).toBe(true);

      // The page checks the form with the API's own schema before sending: the field the API would refuse is marked,
      // and nothing is sent.
      const albumPosts: string[] = [];
      page.on("request", (request) => void (request.method() === "POST" && new URL(request.url()).pathname === "/api/albums" && albumPosts.push(request.url())));
      await expectMessage(page, () => page.locator("#album-form button[type=submit]").click(), "Please correct the highlighted fields.");
      await eventually(() => page.locator('#album-form [data-error-for="title"]').textContent()).toBe("title must not be empty");
      expect(await page.locator("#album-title-input").getAttribute("aria-invalid")).toBe("true");
      expect(albumPosts).toEqual([]);

      await page.locator("#album-title-input").fill("Holidays");
      await page.locator("#album-description-input").fill("Sea and sun");
      await page.locator("#album-form button[type=submit]").click();
      await eventually(() => albumTitles(page)).toEqual(["Holidays"]);
      expect(albumPosts).toHaveLength(1);

      await page.locator("#album-list button", { hasText: "Holidays" }).click();
      await eventually(() => page.locator("#album-title").textContent()).toBe("Holidays");
      // Its photo list has loaded (empty) before the upload, for the same reason.
      await eventually(() => page.locator("#no-photos").isVisible()).toBe(true);
      // An empty file: the API's schema refuses its size, and the page marks the file field, not the whole form.
      await page.locator("#upload-file").setInputFiles({ name: "empty.png", mimeType: "image/png", buffer: Buffer.alloc(0) });
      await expectMessage(page, () => page.locator("#upload-form button[type=submit]").click(), "Please correct the highlighted fields.");
      await eventually(() => page.locator('#upload-form [data-error-for="file"]').textContent()).toBe("file must be at least 1 byte");
      await uploadPhoto(page, { name: "dot.png", mimeType: "image/png", buffer: PNG }, "A dot");
      const photo = page.locator("#photo-list li");
      await eventually(() => photo.count()).toBe(1);
      // Ready once the thumbnail function has processed the upload's S3 event; the page polls until then.
      await eventually(() => photo.getAttribute("data-status")).toBe("ready");
      expect(await photo.locator("p").textContent()).toBe("A dot");
      // The thumbnail loads from its presigned URL (the local S3 stand-in). Its srcset says "1w" for a 320 px slot, so the
      // browser reports the 1-pixel image's natural width scaled by that density: check that it loaded, not its size.
      await eventually(() => photo.locator("img").evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);

      // Files the API would refuse are stopped with a clear message before any request.
      await page.locator("#upload-file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
      // Checked through the message line's history (browser.ts, expectMessage), as every message in these suites is.
      await expectMessage(page, () => page.locator("#upload-form button[type=submit]").click(), /^The gallery accepts image\/jpeg, image\/png/);
    });

    it("says an upload could not be sent when storage gives the browser no answer (the network, or CORS)", async () => {
      const user = await signUpUser(sharedApp().app, "gallery-unsent");
      const page = await newPage();
      await signInAndOpenNewAlbum(page, user, "Unsent");
      // The presigned PUT to storage is the page's only PUT: cut it off as a dropped connection or a CORS refusal would.
      await page.route(() => true, (route) => (route.request().method() === "PUT" ? route.abort("failed") : route.continue()));
      await page.locator("#upload-file").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: PNG });
      await expectMessage(page, () => page.locator("#upload-form button[type=submit]").click(), UPLOAD_UNSENT_MESSAGE);
    });

    it("does not show the first user's album to a second user", async () => {
      const second = await signUpUser(sharedApp().app, "gallery-second");
      const page = await newPage();
      await signIn(page, second);
      await eventually(() => page.locator("#no-albums").isVisible()).toBe(true);
      expect(await albumTitles(page)).toEqual([]);

      await page.locator("#signout").click();
      await eventually(() => page.locator("#signin").isVisible()).toBe(true);
    });

    it("deletes a photo and then the album", async () => {
      const page = await newPage();
      await signIn(page, demo);
      await eventually(() => albumTitles(page)).toEqual(["Holidays"]);
      await page.locator("#album-list button", { hasText: "Holidays" }).click();
      await eventually(() => page.locator("#photo-list li").count()).toBe(1);
      await page.locator("#photo-list li button", { hasText: "Delete" }).click();
      await eventually(() => page.locator("#no-photos").isVisible()).toBe(true);
      page.once("dialog", (dialog) => void dialog.accept());
      await expectMessage(page, () => page.locator("#delete-album").click(), "Album deleted.");
      await eventually(() => page.locator("#no-albums").isVisible()).toBe(true);
    });

    it("walks the hosted-UI path (authorization code + PKCE) as in AWS, with Cognito's endpoints stubbed", async () => {
      const { app } = sharedApp();
      const env = app.context.environment;
      const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      const tokens = (await sdk.send(new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: demo.email, PASSWORD: demo.password } }))).AuthenticationResult!;
      sdk.destroy();
      const page = await newPage();
      const site = app.urls.site;
      let hostedUiUrl = "";
      let authorize: URLSearchParams | undefined;
      let tokenRequest: URLSearchParams | undefined;
      // The config as deployed: the hosted UI (the local API switches it to password mode).
      await page.route(`${site}/api/config`, async (route) => {
        const config = await (await route.fetch()).json();
        hostedUiUrl = config.auth.hostedUiUrl;
        await route.fulfill({ json: { ...config, auth: { ...config.auth, mode: "hosted-ui" } } });
      });
      await page.route(/amazoncognito\.com\/oauth2\/authorize/, async (route) => {
        authorize = new URL(route.request().url()).searchParams;
        await route.fulfill({ status: 302, headers: { location: `${site}/?code=the-code&state=${authorize.get("state")}` } });
      });
      await page.route(/amazoncognito\.com\/oauth2\/token/, async (route) => {
        tokenRequest = new URLSearchParams(route.request().postData() ?? "");
        await route.fulfill({ json: { id_token: tokens.IdToken, access_token: tokens.AccessToken, expires_in: 3600, token_type: "Bearer" }, headers: { "access-control-allow-origin": site } });
      });
      await page.goto(site);
      await page.locator("#hosted-signin-button").click();
      await eventually(() => page.locator("#user").textContent()).toBe(demo.email);
      expect(hostedUiUrl).toBe(app.context.run.outputs.hostedUiUrl);
      expect(Object.fromEntries(authorize!)).toMatchObject({ response_type: "code", client_id: env.USER_POOL_CLIENT_ID, redirect_uri: `${site}/`, scope: "openid email profile", code_challenge_method: "S256" });
      expect(Object.fromEntries(tokenRequest!)).toMatchObject({ grant_type: "authorization_code", client_id: env.USER_POOL_CLIENT_ID, code: "the-code", redirect_uri: `${site}/` });
      expect(createHash("sha256").update(tokenRequest!.get("code_verifier")!).digest("base64url")).toBe(authorize!.get("code_challenge"));
      expect(page.url()).toBe(`${site}/`);
      await eventually(() => page.locator("#albums").isVisible()).toBe(true);
    });

    it("shows a clear message for a wrong password, and no CSP violations happened", async () => {
      const { app } = sharedApp();
      const page = await newPage();
      await page.goto(app.urls.site);
      await page.locator("#signin-email").fill(demo.email);
      await page.locator("#signin-password").fill("Wrong-password-1");
      await page.locator("#signin-form button[type=submit]").click();
      await eventually(() => page.locator("#message").textContent()).toMatch(/password/i);
      expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    });
  });
}
