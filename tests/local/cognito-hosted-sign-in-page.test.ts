/**
 * The embedded Cognito emulator's hosted sign-in page (GET /oauth2/authorize, and POST /oauth2/authorize's answer to a
 * failed sign-in) writes the request's values into its HTML escaped: a crafted `state`, `scope`, `code_challenge` or
 * `redirect_uri` carrying markup (`"><script>`) is never in an answer as markup (cognito-local wrote them as they came:
 * reflected XSS on the emulator's origin), and a real sign-in through the page still redirects with the app's `state`
 * as it was sent, whatever its characters. Browser-less: the page's hidden fields are read back and posted as a browser
 * would post them.
 */
import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { unescapeXml } from "../../local/xml";
import { confirmedUser, hostedUiClient, quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_SignInPg1";
const clientId = "signinpageclient00000000a";
const callback = "http://localhost:5173/";
/** A registered callback URL with characters an attribute value must escape (`&`, `'`). */
const callbackWithQuery = "http://localhost:5173/cb?a=1&b='x'";
const password = "Correct-horse-9";
const markup = `"><script>alert(document.domain)</script><x a='`;
const local = quietCognitoForFile("signinpage");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "signinpage" });
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, [callback, callbackWithQuery]);
});

let users = 0;
async function newUser(): Promise<string> {
  const email = `user${++users}@example.com`;
  await confirmedUser(local.sdk, userPoolId, clientId, email, password);
  return email;
}

const challenge = () => createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");

/** The page's hidden fields, their values read back as a browser reads them (entities decoded). */
function hiddenFields(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)" \/>/g)].map((m) => [m[1], unescapeXml(m[2])]));
}

/** No `<script` element and no attribute broken out of: what the crafted values carried is not in the page as markup. */
function expectNoMarkupFrom(body: string) {
  expect(body).not.toContain("<script");
  expect(body).not.toContain(`"><`);
  expect(body).not.toContain("<x a=");
}

const getPage = (params: Record<string, string>, path = "/oauth2/authorize") => fetch(`${local.emulator.url}${path}?${new URLSearchParams(params)}`);
const post = (form: Record<string, string>) => fetch(`${local.emulator.url}/oauth2/authorize`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });

describe("the hosted sign-in page", () => {
  it("writes a crafted state, scope and code_challenge escaped into the page GET /oauth2/authorize answers, read back as sent", async () => {
    const params = { client_id: clientId, redirect_uri: callback, response_type: "code", code_challenge: `abc${markup}`, code_challenge_method: "S256", scope: `openid${markup}`, state: `st${markup}` };
    const page = await getPage(params);
    expect(page.status).toBe(200);
    const body = await page.text();
    expectNoMarkupFrom(body);
    expect(hiddenFields(body)).toEqual({ ...params });
  });

  it("writes them escaped into the page a failed sign-in (POST) answers with, with its error line", async () => {
    const email = await newUser();
    const form = { client_id: clientId, redirect_uri: callback, response_type: "code", code_challenge: `abc${markup}`, code_challenge_method: "S256", scope: `openid${markup}`, state: `st${markup}` };
    const answer = await post({ ...form, username: email, password: "Wrong-horse-9" });
    expect(answer.status).toBe(200);
    const body = await answer.text();
    expectNoMarkupFrom(body);
    expect(/<p style="color:red">([^<]*)<\/p>/.exec(body)?.[1]).toBe("Incorrect username or password.");
    expect(hiddenFields(body)).toEqual(form);
  });

  it("refuses a redirect_uri that is not a callback URL of the client (GET and POST), without writing it back", async () => {
    const email = await newUser();
    const params = { client_id: clientId, redirect_uri: `${callback}${markup}`, response_type: "code", code_challenge: challenge(), code_challenge_method: "S256", state: "s" };
    for (const answer of [await getPage(params), await post({ ...params, username: email, password: "Wrong-horse-9" })]) {
      expect(answer.status).toBe(400);
      const body = await answer.text();
      expect(body).not.toContain("<script");
      expect(JSON.parse(body)).toMatchObject({ error: "invalid_request" });
    }
  });

  it("answers GET /login (no such route) without the crafted query as markup", async () => {
    const answer = await getPage({ client_id: clientId, redirect_uri: callback, state: markup, scope: markup }, "/login");
    expectNoMarkupFrom(await answer.text());
  });

  it("signs in through the page it served: the redirect carries the app's state as it was sent, markup and all", async () => {
    const email = await newUser();
    const state = `{"return":"/photos?id=1&x=2"}${markup} é`;
    for (const redirectUri of [callback, callbackWithQuery]) {
      const page = await getPage({ client_id: clientId, redirect_uri: redirectUri, response_type: "code", code_challenge: challenge(), code_challenge_method: "S256", scope: "openid email", state });
      const fields = hiddenFields(await page.text());
      expect(fields.redirect_uri).toBe(redirectUri);
      const signedIn = await post({ ...fields, username: email, password });
      expect(signedIn.status).toBe(302);
      const location = new URL(signedIn.headers.get("location") ?? "");
      expect(`${location.origin}${location.pathname}`).toBe(new URL(redirectUri).origin + new URL(redirectUri).pathname);
      expect(location.searchParams.get("code")).toBeTruthy();
      expect(location.searchParams.get("state")).toBe(state);
    }
  });
});
