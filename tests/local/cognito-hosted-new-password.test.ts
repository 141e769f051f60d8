/**
 * The embedded Cognito emulator's hosted UI (its sign-in form, POST /oauth2/authorize) asks a user who signs in with a
 * temporary password (AdminCreateUser: FORCE_CHANGE_PASSWORD) for a new password before it hands out an authorization
 * code, as Cognito's managed login does; the API's NEW_PASSWORD_REQUIRED challenge, through forms. The new password
 * meets the pool's policy and is typed twice; the form's session is good once, for its user and app client, for three
 * minutes. Browser-less: the forms are posted as a browser would post them, on a clock the test moves.
 */
import { createHash, randomBytes } from "node:crypto";
import { AdminCreateUserCommand, AdminDeleteUserCommand, AdminGetUserCommand, type CognitoIdentityProviderClient, DeleteUserPoolCommand, UpdateUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizationCodeStore } from "cognito-local/lib/oauth2/authorizationCodeStore";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { freshCognitoDir, hostedUiClient, localCognitoClient, passwordSignIn, startQuietCognito, temporaryUser } from "../harness/cognito-users";

const userPoolId = "us-east-1_NewPass1";
const clientId = "newpassclient0000000000a";
const otherClientId = "newpassclient0000000000b";
/** A pool that signs in with email, any case (UserAuth's defaults): a user's Username is its sub. */
const emailPoolId = "us-east-1_NewPass2";
const emailClientId = "newpassclient0000000000c";
/** A client whose challenge sessions last ten minutes (AuthSessionValidity 10). */
const longClientId = "newpassclient0000000000e";
const callback = "http://localhost:5173/";
const temporary = "Temporary-horse-9";
const chosen = "Chosen-horse-99";
const clock = { now: Date.now(), get: () => new Date(clock.now) };
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("newpass"), clock);
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "newpass" });
  await sdk.send(
    new UpdateUserPoolCommand({
      UserPoolId: userPoolId,
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false } },
    }),
  );
  await emulator.ensureUserPool({ Id: emailPoolId, Name: "newpass-email", UsernameAttributes: ["email"], UsernameConfiguration: { CaseSensitive: false } });
  for (const [pool, id] of [[userPoolId, clientId], [userPoolId, otherClientId], [emailPoolId, emailClientId]]) {
    await hostedUiClient(emulator, sdk, pool, id, [callback], { PreventUserExistenceErrors: "ENABLED" });
  }
  await hostedUiClient(emulator, sdk, userPoolId, longClientId, [callback], { PreventUserExistenceErrors: "ENABLED", AuthSessionValidity: 10 });
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

let users = 0;
const nextEmail = () => `user${++users}@example.com`;

const status = async (email: string) => (await sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserStatus;

/** A page's error line, its form's hidden `session`, and whether it asks for a new password. */
function pageOf(html: string) {
  return {
    error: /<p style="color:red">([^<]*)<\/p>/.exec(html)?.[1],
    session: /name="session" value="([^"]*)"/.exec(html)?.[1],
    asksNewPassword: html.includes('name="new_password"') && html.includes('name="confirm_password"'),
  };
}

type Answer = { status: number; code?: string; state?: string; page: ReturnType<typeof pageOf>; body: string };
async function post(form: Record<string, string | string[]>): Promise<Answer> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
  const answer = await fetch(`${emulator.url}/oauth2/authorize`, { method: "POST", body, redirect: "manual" });
  const text = await answer.text();
  const location = answer.status === 302 ? new URL(answer.headers.get("location") ?? "", callback) : undefined;
  return { status: answer.status, code: location?.searchParams.get("code") ?? undefined, state: location?.searchParams.get("state") ?? undefined, page: pageOf(text), body: text };
}

/** The sign-in form posted for `client` (a PKCE challenge of a fresh verifier); its answer and the verifier. */
async function signIn(username: string, password: string, client = clientId) {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const answer = await post({ client_id: client, redirect_uri: callback, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", scope: "openid email", state: "st", username, password });
  return { answer, verifier };
}

/** The new-password form posted with `session`. */
const newPassword = (session: string, password: string, confirm = password, client = clientId) => post({ client_id: client, session, new_password: password, confirm_password: confirm });

describe("the hosted UI and a temporary password", () => {
  it("asks for a new password after the right temporary one, sets it, and only then redirects with a code that gives tokens", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const page = await fetch(`${emulator.url}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: callback, response_type: "code", code_challenge: "x".repeat(43), code_challenge_method: "S256" })}`);
    expect(page.status).toBe(200);

    const { answer, verifier } = await signIn(email, temporary);
    expect(answer.status).toBe(200);
    expect(answer.code).toBeUndefined();
    expect(answer.page.asksNewPassword).toBe(true);
    expect(answer.page.session).toMatch(/^[\w-]{40,}$/);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");

    const done = await newPassword(answer.page.session!, chosen);
    expect(done.status).toBe(302);
    expect(done.state).toBe("st");
    expect(await status(email)).toBe("CONFIRMED");
    const exchanged = await fetch(`${emulator.url}/oauth2/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "authorization_code", code: done.code!, redirect_uri: callback, client_id: clientId, code_verifier: verifier }),
    });
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as { access_token: string; id_token: string };
    expect(JSON.parse(Buffer.from(tokens.id_token.split(".")[1], "base64url").toString())).toMatchObject({ email, "cognito:username": expect.any(String) });
    expect(JSON.parse(Buffer.from(tokens.access_token.split(".")[1], "base64url").toString()).scope).toBe("openid email");

    // The new password is the password now, and the temporary one is no longer.
    expect((await passwordSignIn(sdk, clientId, email, chosen)).AuthenticationResult?.AccessToken).toBeDefined();
    expect((await signIn(email, temporary)).answer.page.error).toBe("Incorrect username or password.");
    expect((await signIn(email, chosen)).answer.code).toBeDefined();
  });

  it("does the same in a pool that signs in with email (UserAuth's default), where the user's name is its sub", async () => {
    const email = await temporaryUser(sdk, emailPoolId, `emailpool${++users}@example.com`, temporary);
    const { answer, verifier } = await signIn(email.toUpperCase(), temporary, emailClientId);
    expect(answer.page.asksNewPassword).toBe(true);
    const done = await newPassword(answer.page.session!, chosen, chosen, emailClientId);
    expect(done.code).toBeDefined();
    expect((await sdk.send(new AdminGetUserCommand({ UserPoolId: emailPoolId, Username: email }))).UserStatus).toBe("CONFIRMED");
    const exchanged = await fetch(`${emulator.url}/oauth2/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "authorization_code", code: done.code!, redirect_uri: callback, client_id: emailClientId, code_verifier: verifier }),
    });
    expect(exchanged.status).toBe(200);
    expect((await passwordSignIn(sdk, emailClientId, email, chosen)).AuthenticationResult?.AccessToken).toBeDefined();
  });

  it("refuses a new password the pool's policy rejects, and one not typed the same twice: the form again, with a new session", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const first = (await signIn(email, temporary)).answer.page.session!;

    const weak = await newPassword(first, "short9A");
    expect(weak.status).toBe(200);
    expect(weak.page.error).toBe("Password did not conform with policy: Password not long enough");
    expect(weak.page.asksNewPassword).toBe(true);
    const noNumber = await newPassword(weak.page.session!, "Chosen-horse-nine");
    expect(noNumber.page.error).toBe("Password did not conform with policy: Password must have numeric characters");

    const mismatched = await newPassword(noNumber.page.session!, chosen, `${chosen}x`);
    expect(mismatched.status).toBe(200);
    expect(mismatched.page.error).toBe("Passwords do not match.");
    expect(mismatched.page.asksNewPassword).toBe(true);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");

    // Each refusal used its session up: only the last form's works.
    for (const used of [first, weak.page.session!, noNumber.page.session!]) expect((await newPassword(used, chosen)).status).toBe(400);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");
    expect((await newPassword(mismatched.page.session!, chosen)).code).toBeDefined();
    expect(await status(email)).toBe("CONFIRMED");
  });

  it("refuses an attribute over AttributeType's 2048 characters as the API does: the form again, nothing set", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const first = (await signIn(email, temporary)).answer.page.session!;
    const long = await post({ client_id: clientId, session: first, new_password: chosen, confirm_password: chosen, "userAttributes.name": "x".repeat(2049) });
    expect(long.status).toBe(200);
    expect(long.page.error).toBe(
      "1 validation error detected: Value at &apos;userAttributes.name&apos; failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
    expect(long.page.asksNewPassword).toBe(true);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");
    expect((await newPassword(long.page.session!, chosen)).code).toBeDefined();
  });

  it("refuses an attribute not in the pool's schema as the API does: the form again, nothing set", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const first = (await signIn(email, temporary)).answer.page.session!;
    const unknown = await post({ client_id: clientId, session: first, new_password: chosen, confirm_password: chosen, "userAttributes.custom:unknown": "x" });
    expect(unknown.status).toBe(200);
    expect(unknown.page.error).toBe("user.custom:unknown: Attribute does not exist in the schema.\n");
    expect(unknown.page.asksNewPassword).toBe(true);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");
    expect((await newPassword(unknown.page.session!, chosen)).code).toBeDefined();
  });

  it("takes a session once: a replayed one sets nothing and hands out no code", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const session = (await signIn(email, temporary)).answer.page.session!;
    expect((await newPassword(session, chosen)).code).toBeDefined();
    const replayed = await newPassword(session, "Another-horse-99");
    expect(replayed.status).toBe(400);
    expect(replayed.code).toBeUndefined();
    expect(replayed.body).toContain("Invalid session for the user, session is expired.");
    expect((await passwordSignIn(sdk, clientId, email, chosen)).AuthenticationResult?.AccessToken).toBeDefined();
  });

  it("refuses a forged session, one of another app client, one three minutes old, and one of a user since deleted", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    expect((await newPassword(randomBytes(32).toString("base64url"), chosen)).status).toBe(400);
    expect((await newPassword("", chosen)).status).toBe(400);

    const session = (await signIn(email, temporary)).answer.page.session!;
    expect((await newPassword(session, chosen, chosen, otherClientId)).status).toBe(400);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");

    const late = (await signIn(email, temporary)).answer.page.session!;
    clock.now += 3 * 60 * 1000;
    expect((await newPassword(late, chosen)).status).toBe(400);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");

    // Another user under the same name (deleted and created again) is not the session's.
    const before = (await signIn(email, temporary)).answer.page.session!;
    await sdk.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
    await temporaryUser(sdk, userPoolId, email, temporary);
    expect((await newPassword(before, chosen)).status).toBe(400);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");

    // The temporary password still starts it again.
    const again = (await signIn(email, temporary)).answer.page.session!;
    expect((await newPassword(again, chosen)).code).toBeDefined();
  });

  it("keeps a form's session for the app client's AuthSessionValidity when it sets one (ten minutes here)", async () => {
    const early = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const kept = (await signIn(early, temporary, longClientId)).answer.page.session!;
    clock.now += 10 * 60 * 1000 - 1000;
    expect((await newPassword(kept, chosen, chosen, longClientId)).code).toBeDefined();
    expect(await status(early)).toBe("CONFIRMED");

    const late = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const expired = (await signIn(late, temporary, longClientId)).answer.page.session!;
    clock.now += 10 * 60 * 1000 + 1000;
    const refused = await newPassword(expired, chosen, chosen, longClientId);
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 400, code: undefined });
    expect(refused.body).toContain("Invalid session for the user, session is expired.");
    expect(await status(late)).toBe("FORCE_CHANGE_PASSWORD");
  });

  it("refuses the session of a pool deleted since (nothing to set), not with an HTTP 500", async () => {
    const pool = "us-east-1_NewPass3";
    const client = "newpassclient0000000000d";
    await emulator.ensureUserPool({ Id: pool, Name: "newpass-deleted" });
    await hostedUiClient(emulator, sdk, pool, client, [callback]);
    await sdk.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: "gone@example.com", TemporaryPassword: temporary, MessageAction: "SUPPRESS" }));
    const session = (await signIn("gone@example.com", temporary, client)).answer.page.session!;
    expect(session).toBeDefined();
    await sdk.send(new DeleteUserPoolCommand({ UserPoolId: pool }));
    const answer = await newPassword(session, chosen, chosen, client);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: expect.stringContaining("Invalid session for the user") });
  });

  it("counts a wrong temporary password towards the lockout, and asks nothing during one", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    for (let i = 0; i < 5; i++) expect((await signIn(email, "Wrong-horse-99")).answer.page.error).toBe("Incorrect username or password.");
    const locked = (await signIn(email, temporary)).answer;
    expect(locked.page.error, locked.body).toBe("Password attempts exceeded");
    expect(locked.page.asksNewPassword).toBe(false);
    clock.now += 1000;
    expect((await signIn(email, temporary)).answer.page.asksNewPassword).toBe(true);
  });

  it("takes a form opened before a lockout (the temporary password was right), and keeps the user's failures: setting the password is no sign-in", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const session = (await signIn(email, temporary)).answer.page.session!;
    for (let i = 0; i < 5; i++) expect((await signIn(email, "Wrong-horse-99")).answer.page.error).toBe("Incorrect username or password.");
    expect((await newPassword(session, chosen)).code).toBeDefined();
    expect(await status(email)).toBe("CONFIRMED");
    // Still locked out: the new password too is refused until the lockout ends.
    expect((await signIn(email, chosen)).answer.page.error).toBe("Password attempts exceeded");
    await expect(passwordSignIn(sdk, clientId, email, chosen)).rejects.toThrow("Password attempts exceeded");
  });

  it("answers forms of the wrong shape without failing", async () => {
    const email = await temporaryUser(sdk, userPoolId, nextEmail(), temporary);
    const session = (await signIn(email, temporary)).answer.page.session!;
    const forms: Array<Record<string, string | string[]>> = [
      { client_id: clientId, session: [session, session], new_password: chosen, confirm_password: chosen },
      { client_id: clientId, session, new_password: [chosen, chosen], confirm_password: chosen },
      { client_id: [clientId, clientId], session, new_password: chosen, confirm_password: chosen },
      { session },
      { client_id: clientId, session: "x".repeat(5000), new_password: chosen },
      { client_id: clientId, session, password: temporary, new_password: chosen, confirm_password: chosen },
    ];
    for (const form of forms) {
      const answer = await post(form);
      expect(answer.status, JSON.stringify(form).slice(0, 100)).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
    const bad = await fetch(`${emulator.url}/oauth2/authorize`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ session, new_password: chosen }) });
    expect(bad.status).toBeLessThan(500);
    // Not a form: refused (formBodiedRequests), the session untouched by it.
    const fresh = (await signIn(email, temporary)).answer.page.session!;
    const json = { client_id: clientId, session: fresh, new_password: chosen, confirm_password: chosen };
    const amz = await fetch(`${emulator.url}/oauth2/authorize`, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify(json) });
    expect(amz.status).toBe(400);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");
    // The emulator still answers, and the session is still good.
    expect((await newPassword(fresh, chosen)).code).toBeDefined();
  });
});

describe("the hosted UI's memory", () => {
  it("forgets an authorization code never exchanged once it has expired (cognito-local kept each one for good)", () => {
    // cognito-local's store, as its POST /oauth2/authorize hands out codes from it (the emulator's module is loaded).
    const store = new AuthorizationCodeStore() as unknown as { codes: Map<string, { expiresAt: number }>; create: AuthorizationCodeStore["create"] };
    const data = { clientId, userPoolId, username: "ann", redirectUri: callback, codeChallenge: "x".repeat(43), scope: "", state: undefined };
    const old = [store.create(data), store.create(data), store.create(data)];
    for (const code of old) store.codes.get(code)!.expiresAt = Date.now() - 1;
    const live = store.create(data);
    const newest = store.create(data);
    expect([...store.codes.keys()]).toEqual([live, newest]);
  });
});
