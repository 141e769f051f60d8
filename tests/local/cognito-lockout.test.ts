/**
 * The embedded Cognito emulator locks a user out after failed password sign-ins, as Cognito does: five failures free,
 * then 2^(n-5) seconds after the n-th, up to about 15 minutes; attempts during a lockout are refused with
 * NotAuthorizedException "Password attempts exceeded" (the right password too) and do not count; a sign-in after the
 * lockout, or 15 quiet minutes, starts again from nothing. On a clock the test moves: no waiting.
 */
import { createHash, randomBytes } from "node:crypto";
import { AdminConfirmSignUpCommand, AdminCreateUserCommand, AdminDeleteUserCommand, AdminInitiateAuthCommand, SignUpCommand, type CognitoIdentityProviderClient, UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { confirmedUser, freshCognitoDir, hostedUiClient, localCognitoClient, passwordSignIn, startQuietCognito } from "../harness/cognito-users";

const userPoolId = "us-east-1_Lockout1";
const clientId = "lockoutclient00000000000a"; // PreventUserExistenceErrors ENABLED, as UserAuth sets it
/** A pool that signs in with email (UserAuth's default usernameAttributes): a user's Username is its sub. */
const emailPoolId = "us-east-1_Lockout2";
const emailClientId = "lockoutclient00000000000b";
const password = "Correct-horse-9";
const callback = "http://localhost:5173/";
const clock = { now: Date.now(), get: () => new Date(clock.now) };
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;

const INCORRECT = "NotAuthorizedException: Incorrect username or password.";
const EXCEEDED = "NotAuthorizedException: Password attempts exceeded";
const SIGNED_IN = "signed in";

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("lockout"), clock);
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "lockout", UsernameConfiguration: { CaseSensitive: false } });
  await hostedUiClient(emulator, sdk, userPoolId, clientId, [callback], { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"], PreventUserExistenceErrors: "ENABLED" });
});
beforeAll(async () => {
  await emulator.ensureUserPool({ Id: emailPoolId, Name: "lockout-email", UsernameAttributes: ["email"], UsernameConfiguration: { CaseSensitive: false } });
  await emulator.ensureClient(emailPoolId, emailClientId, "lockout-email");
  await sdk.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: emailPoolId,
      ClientId: emailClientId,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
    }),
  );
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

/** The answer to a USER_PASSWORD_AUTH sign-in, as a line: "signed in" or "<exception>: <message>". */
const signIn = (username: string, pass: string) =>
  passwordSignIn(sdk, clientId, username, pass).then(
    (answer) => (answer.AuthenticationResult?.AccessToken ? SIGNED_IN : "no tokens"),
    (error: Error) => `${error.name}: ${error.message}`,
  );
const adminSignIn = (username: string, pass: string) =>
  sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: pass } })).then(
    (answer) => (answer.AuthenticationResult?.AccessToken ? SIGNED_IN : "no tokens"),
    (error: Error) => `${error.name}: ${error.message}`,
  );
/** The hosted UI's sign-in form posted: "signed in" (a redirect with a code) or the error line of the form it answers with. */
async function hostedUiSignIn(username: string, pass: string): Promise<string> {
  const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
  const form = { client_id: clientId, redirect_uri: callback, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", scope: "openid email", state: "s", username, password: pass };
  const answer = await fetch(`${emulator.url}/oauth2/authorize`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
  if (answer.status === 302 && new URL(answer.headers.get("location") ?? "", callback).searchParams.get("code")) return SIGNED_IN;
  const page = await answer.text();
  return /<p style="color:red">([^<]*)<\/p>/.exec(page)?.[1] ?? `HTTP ${answer.status}`;
}
const pass = (seconds: number) => {
  clock.now += seconds * 1000;
};
let users = 0;
/** A new confirmed user (each test its own, so no lockout carries over). */
async function newUser(): Promise<string> {
  const email = `user${++users}@example.com`;
  await confirmedUser(sdk, userPoolId, clientId, email, password);
  return email;
}
/** `n` wrong passwords, each answered as a wrong password (none during a lockout). */
async function failures(email: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect(await signIn(email, "Wrong-horse-9")).toBe(INCORRECT);
}

describe("sign-in lockout", () => {
  it("refuses every attempt, the right password too, for a second after five failures", async () => {
    const ann = await newUser();
    await failures(ann, 5);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    expect(await signIn(ann, "Wrong-horse-9")).toBe(EXCEEDED);
    pass(0.999);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    pass(0.001);
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
  });

  it("doubles the lockout after each further failure; attempts during a lockout do not count", async () => {
    const ann = await newUser();
    await failures(ann, 5); // 1 s
    pass(1);
    await failures(ann, 1); // the 6th: 2 s
    for (let i = 0; i < 10; i++) expect(await signIn(ann, "Wrong-horse-9")).toBe(EXCEEDED);
    pass(1.999);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    pass(0.001);
    await failures(ann, 1); // the 7th: 4 s
    pass(3.999);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    pass(0.001);
    await failures(ann, 1); // the 8th: 8 s
    pass(7.999);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    pass(0.001);
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
  });

  it("stops doubling at 15 minutes", async () => {
    const ann = await newUser();
    await failures(ann, 5);
    // The 6th to the 14th failure, each once the last lockout is over: 2 s ... 512 s.
    for (let n = 6; n <= 14; n++) {
      pass(2 ** (n - 6));
      await failures(ann, 1);
    }
    pass(512);
    await failures(ann, 1); // the 15th: 2^10 s, more than 15 minutes: 900 s
    pass(899.999);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    pass(0.001);
    await failures(ann, 1); // the 16th: 900 s again, not 2^11
    pass(899.999);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    pass(0.001);
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
  });

  it("starts again from nothing after a successful sign-in", async () => {
    const ann = await newUser();
    await failures(ann, 4);
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
    await failures(ann, 4);
    expect(await signIn(ann, password)).toBe(SIGNED_IN); // without the reset the 5th failure above would have locked
  });

  it("starts again from nothing after a sign-in once a lockout is over", async () => {
    const ann = await newUser();
    await failures(ann, 5);
    pass(1);
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
    await failures(ann, 4); // counted from 0: four more are free
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
  });

  it("starts again from nothing after 15 minutes without an attempt", async () => {
    const ann = await newUser();
    await failures(ann, 5);
    pass(1);
    await failures(ann, 1); // the 6th: 2 s
    pass(15 * 60);
    await failures(ann, 4); // counted from 0 (else the first would lock for 4 s)
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
  });

  it("locks the user, not the name typed: any letter case, and ADMIN_USER_PASSWORD_AUTH too", async () => {
    const ann = await newUser();
    await failures(ann, 3);
    expect(await adminSignIn(ann, "Wrong-horse-9")).toBe(INCORRECT);
    await failures(ann.toUpperCase(), 1);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    expect(await adminSignIn(ann, password)).toBe(EXCEEDED);
    expect(await signIn(ann.toUpperCase(), password)).toBe(EXCEEDED);
  });

  it("counts the hosted UI's sign-in form with the API, and refuses it during a lockout", async () => {
    const ann = await newUser();
    await failures(ann, 3);
    expect(await hostedUiSignIn(ann, "Wrong-horse-9")).toBe("Incorrect username or password.");
    expect(await hostedUiSignIn(ann.toUpperCase(), "Wrong-horse-9")).toBe("Incorrect username or password."); // the 5th: 1 s
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    expect(await hostedUiSignIn(ann, password)).toBe("Password attempts exceeded");
    pass(1);
    expect(await hostedUiSignIn(ann, password)).toBe(SIGNED_IN);
    await failures(ann, 4); // counted from 0 after the form's sign-in
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
  });

  it("locks the user, not the name: a user deleted and signed up again under the same name starts from nothing", async () => {
    const ann = await newUser();
    await failures(ann, 5);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    await sdk.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: ann }));
    await confirmedUser(sdk, userPoolId, clientId, ann, password);
    expect(await signIn(ann, password)).toBe(SIGNED_IN);
  });

  it("counts a user's email and user name (the sub) as one, in a pool that signs in with email", async () => {
    const email = "carol@example.com";
    await confirmedUser(sdk, emailPoolId, emailClientId, email, password);
    const sub = (await passwordSignIn(sdk, emailClientId, email, password)).AuthenticationResult?.IdToken?.split(".")[1];
    const username = JSON.parse(Buffer.from(sub!, "base64url").toString())["cognito:username"] as string;
    expect(username).not.toBe(email);
    const emailSignIn = (name: string, pass: string) =>
      passwordSignIn(sdk, emailClientId, name, pass).then(
        () => SIGNED_IN,
        (error: Error) => `${error.name}: ${error.message}`,
      );
    for (const name of [email, username, email.toUpperCase(), username, email]) expect(await emailSignIn(name, "Wrong-horse-9")).toBe(INCORRECT);
    expect(await emailSignIn(username, password)).toBe(EXCEEDED);
    expect(await emailSignIn(email, password)).toBe(EXCEEDED);
    pass(1);
    expect(await emailSignIn(email, password)).toBe(SIGNED_IN);
  });

  it("does not count the hosted UI form's refusal of an unconfirmed user's right password (the API answers UserNotConfirmedException, no failure)", async () => {
    const dan = `user${++users}@example.com`;
    await sdk.send(new SignUpCommand({ ClientId: clientId, Username: dan, Password: password, UserAttributes: [{ Name: "email", Value: dan }] }));
    for (let i = 0; i < 5; i++) expect(await hostedUiSignIn(dan, password)).toBe("Incorrect username or password."); // cognito-local's form words it so
    expect(await signIn(dan, password)).toBe("UserNotConfirmedException: User is not confirmed.");
    await sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: dan }));
    expect(await signIn(dan, password)).toBe(SIGNED_IN);
  });

  it("checks a temporary password (a user AdminCreateUser made): a wrong one is a failure that counts, only the right one is the new-password challenge", async () => {
    const email = `temporary${++users}@example.com`;
    await sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, TemporaryPassword: "Temporary-horse-9", MessageAction: "SUPPRESS" }));
    const challenge = (pass: string) =>
      passwordSignIn(sdk, clientId, email, pass).then(
        (answer) => answer.ChallengeName ?? "no challenge",
        (error: Error) => `${error.name}: ${error.message}`,
      );
    for (let i = 0; i < 5; i++) expect(await challenge("Wrong-horse-9")).toBe(INCORRECT);
    expect(await challenge("Temporary-horse-9")).toBe(EXCEEDED);
    pass(1);
    expect(await challenge("Temporary-horse-9")).toBe("NEW_PASSWORD_REQUIRED");
  });

  it("leaves other users alone", async () => {
    const ann = await newUser();
    const bob = await newUser();
    await failures(ann, 5);
    expect(await signIn(ann, password)).toBe(EXCEEDED);
    expect(await signIn(bob, password)).toBe(SIGNED_IN);
    await failures(bob, 4);
    expect(await signIn(bob, password)).toBe(SIGNED_IN);
  });

  it("keeps no record for a name that is no user's", async () => {
    const before = emulator.signInFailuresInMemory();
    for (let i = 0; i < 8; i++) expect(await signIn("nobody@example.com", "Wrong-horse-9")).toBe(INCORRECT);
    expect(emulator.signInFailuresInMemory()).toBe(before);
  });

  it("forgets failures 15 minutes after a user's last attempt (memory stays flat)", async () => {
    pass(15 * 60); // the earlier tests' records are quiet now
    const many = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    for (const email of many) await failures(email, 1);
    expect(emulator.signInFailuresInMemory()).toBeGreaterThanOrEqual(20);
    pass(15 * 60);
    const last = await newUser();
    await failures(last, 1); // a record added sweeps the quiet ones
    expect(emulator.signInFailuresInMemory()).toBe(1);
  });
});
