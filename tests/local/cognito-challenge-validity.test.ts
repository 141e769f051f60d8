/**
 * How long the embedded Cognito emulator lets a user finish signing in, as Cognito does: a temporary password
 * (AdminCreateUser's, AdminSetUserPassword's) is good for the pool's TemporaryPasswordValidityDays, then refused
 * (NotAuthorizedException "User account has expired, it must be reset by an administrator."), through the API and the
 * hosted UI's sign-in form. On a clock the test moves: no waiting.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { freshCognitoDir, hostedUiClient, localCognitoClient, passwordSignIn, startQuietCognito } from "../harness/cognito-users";

const userPoolId = "us-east-1_Validity1";
const clientId = "validityclient0000000000a";
const callback = "http://localhost:5173/";
const temporary = "Temporary-horse-9";
const EXPIRED = "NotAuthorizedException: User account has expired, it must be reset by an administrator.";
const INCORRECT = "NotAuthorizedException: Incorrect username or password.";
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const clock = { now: Date.now(), get: () => new Date(clock.now) };
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("validity"), clock);
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "validity" });
  await sdk.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, Policies: { PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 2 } } }));
  await hostedUiClient(emulator, sdk, userPoolId, clientId, [callback], {
    PreventUserExistenceErrors: "ENABLED",
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
  });
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

let users = 0;
/** A new user AdminCreateUser made now, with the temporary password (FORCE_CHANGE_PASSWORD). */
async function temporaryUser(): Promise<string> {
  const email = `user${++users}@example.com`;
  await sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, TemporaryPassword: temporary, MessageAction: "SUPPRESS", UserAttributes: [{ Name: "email", Value: email }] }));
  return email;
}

/** A sign-in's challenge name, or its error as `name: message`. */
const outcome = (answer: Promise<{ ChallengeName?: string; AuthenticationResult?: unknown }>) =>
  answer.then(
    (a) => a.ChallengeName ?? (a.AuthenticationResult ? "signed in" : "nothing"),
    (error: Error) => `${error.name}: ${error.message}`,
  );
const signIn = (email: string, password: string) => outcome(passwordSignIn(sdk, clientId, email, password));
const adminSignIn = (email: string, password: string) =>
  outcome(sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } })));

/** The hosted UI's sign-in form posted: its status, error line, whether it asks for a new password, and the code. */
async function hostedSignIn(username: string, password: string) {
  const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
  const body = new URLSearchParams({ client_id: clientId, redirect_uri: callback, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", scope: "openid email", state: "st", username, password });
  const answer = await fetch(`${emulator.url}/oauth2/authorize`, { method: "POST", body, redirect: "manual" });
  const html = await answer.text();
  return {
    status: answer.status,
    error: /<p style="color:red">([^<]*)<\/p>/.exec(html)?.[1],
    asksNewPassword: html.includes('name="new_password"'),
    code: answer.status === 302 ? new URL(answer.headers.get("location") ?? "", callback).searchParams.get("code") : undefined,
  };
}

describe("a temporary password's validity (the pool's TemporaryPasswordValidityDays)", () => {
  it("is good for the pool's days, then refused through InitiateAuth and AdminInitiateAuth; a wrong one is still the wrong password", async () => {
    const email = await temporaryUser();
    clock.now += 2 * DAY - MINUTE;
    expect(await signIn(email, temporary)).toBe("NEW_PASSWORD_REQUIRED");

    clock.now += 2 * MINUTE;
    expect(await signIn(email, temporary)).toBe(EXPIRED);
    expect(await adminSignIn(email, temporary)).toBe(EXPIRED);
    expect(await signIn(email, "Wrong-horse-9")).toBe(INCORRECT);
  });

  it("runs again from a temporary password AdminSetUserPassword sets (Permanent false)", async () => {
    const email = await temporaryUser();
    clock.now += 3 * DAY;
    expect(await signIn(email, temporary)).toBe(EXPIRED);

    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: "Another-horse-9", Permanent: false }));
    clock.now += 2 * DAY - MINUTE;
    expect(await signIn(email, "Another-horse-9")).toBe("NEW_PASSWORD_REQUIRED");
    clock.now += 2 * MINUTE;
    expect(await signIn(email, "Another-horse-9")).toBe(EXPIRED);
  });

  it("is refused by the hosted UI's sign-in form too: the form again with the error, no new-password form, no code", async () => {
    const email = await temporaryUser();
    expect(await hostedSignIn(email, temporary)).toMatchObject({ status: 200, asksNewPassword: true, error: undefined });

    clock.now += 2 * DAY + MINUTE;
    expect(await hostedSignIn(email, temporary)).toEqual({ status: 200, error: EXPIRED.replace("NotAuthorizedException: ", ""), asksNewPassword: false, code: undefined });
    expect((await hostedSignIn(email, "Wrong-horse-9")).error).toBe("Incorrect username or password.");
  });
});
