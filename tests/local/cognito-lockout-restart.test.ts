/**
 * A user's sign-in lockout outlives a restart of the emulator (`npm start` again on the same state), as it outlives
 * nothing in Cognito, which does not restart: the failures are kept in the state folder with the pools.
 */
import { type CognitoIdentityProviderClient, SignUpCommand, UpdateUserPoolClientCommand, type UpdateUserPoolClientCommandInput } from "@aws-sdk/client-cognito-identity-provider";
import { expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { confirmedUser, freshCognitoDir, localCognitoClient, passwordSignIn, startQuietCognito } from "../harness/cognito-users";

/** A state folder (`sf-cognito-<name>-…`) and a clock the test moves: `start` starts an emulator on them, again after each stop. */
function restartable(name: string) {
  const dataDir = freshCognitoDir(name);
  const clock = { now: Date.now(), get: () => new Date(clock.now) };
  return { clock, start: () => startQuietCognito(dataDir, clock) };
}

/** Pool `userPoolId` and its app client `clientId`, allowed USER_PASSWORD_AUTH (and `more`). */
async function poolAndClient(emulator: CognitoEmulator, sdk: CognitoIdentityProviderClient, userPoolId: string, clientId: string, more: Partial<UpdateUserPoolClientCommandInput> = {}): Promise<void> {
  await emulator.ensureUserPool({ Id: userPoolId, Name: "restart" });
  await emulator.ensureClient(userPoolId, clientId, "restart");
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], ...more }));
}

/** Ann's USER_PASSWORD_AUTH sign-in through `clientId`, as a line: "signed in" or the error's message. */
const attempt = (sdk: CognitoIdentityProviderClient, clientId: string, pass: string) =>
  passwordSignIn(sdk, clientId, "ann@example.com", pass).then(
    () => "signed in",
    (error: Error) => error.message,
  );

it("keeps a user's failures and lockout across a restart on the same state", async () => {
  const { clock, start } = restartable("lockout-restart");
  const userPoolId = "us-east-1_Restart01";
  const clientId = "restartclient000000000000a";
  const password = "Correct-horse-9";
  const signIn = async (url: string, pass: string) => {
    const sdk = localCognitoClient(url);
    try {
      return await attempt(sdk, clientId, pass);
    } finally {
      sdk.destroy();
    }
  };

  const first = await start();
  const sdk = localCognitoClient(first.url);
  await poolAndClient(first, sdk, userPoolId, clientId, { PreventUserExistenceErrors: "ENABLED" });
  await confirmedUser(sdk, userPoolId, clientId, "ann@example.com", password);
  sdk.destroy();
  for (let i = 0; i < 4; i++) expect(await signIn(first.url, "Wrong-horse-9")).toBe("Incorrect username or password.");
  await first.stop();

  // The fifth failure after a restart still locks her out: the first four were kept.
  const second = await start();
  expect(await signIn(second.url, "Wrong-horse-9")).toBe("Incorrect username or password.");
  await second.stop();

  const third = await start();
  try {
    expect(await signIn(third.url, password)).toBe("Password attempts exceeded");
    clock.now += 1000;
    expect(await signIn(third.url, password)).toBe("signed in");
    expect(third.signInFailuresInMemory()).toBe(0);
  } finally {
    await third.stop();
  }
});

it("keeps every user's failures from sign-ins made at the same time (no write loses another's)", async () => {
  const { start } = restartable("lockout-concurrent");
  const userPoolId = "us-east-1_Restart02";
  const clientId = "restartclient000000000000b";
  const users = ["ann@example.com", "bob@example.com", "cid@example.com", "dee@example.com"];

  const first = await start();
  const sdk = localCognitoClient(first.url);
  try {
    await poolAndClient(first, sdk, userPoolId, clientId);
    for (const user of users) await confirmedUser(sdk, userPoolId, clientId, user, "Correct-horse-9");
    const failures = await Promise.allSettled(users.flatMap((user) => [1, 2].map(() => passwordSignIn(sdk, clientId, user, "Wrong-horse-9"))));
    expect(failures.every((f) => f.status === "rejected")).toBe(true);
    expect(first.signInFailuresInMemory()).toBe(users.length);
  } finally {
    sdk.destroy();
    await first.stop();
  }
  const second = await start();
  const again = localCognitoClient(second.url);
  try {
    expect(second.signInFailuresInMemory()).toBe(users.length);
    // Each user's two failures were kept, not one: three more are her fifth, and lock her out.
    for (const user of users) {
      for (let i = 0; i < 3; i++) await expect(passwordSignIn(again, clientId, user, "Wrong-horse-9")).rejects.toThrow("Incorrect username or password.");
      await expect(passwordSignIn(again, clientId, user, "Correct-horse-9")).rejects.toThrow("Password attempts exceeded");
    }
  } finally {
    again.destroy();
    await second.stop();
  }
});

it("keeps the time of an attempt that ended in another error across a restart: the quiet 15 minutes run from it", async () => {
  const { clock, start } = restartable("lockout-ended");
  const userPoolId = "us-east-1_Restart03";
  const clientId = "restartclient000000000000c";
  const password = "Correct-horse-9";

  const first = await start();
  const sdk = localCognitoClient(first.url);
  try {
    await poolAndClient(first, sdk, userPoolId, clientId);
    await sdk.send(new SignUpCommand({ ClientId: clientId, Username: "ann@example.com", Password: password, UserAttributes: [{ Name: "email", Value: "ann@example.com" }] }));
    for (let i = 0; i < 4; i++) expect(await attempt(sdk, clientId, "Wrong-horse-9")).toBe("Incorrect username or password.");
    // Ten minutes on, the right password of a user not yet confirmed: neither a failure nor tokens. Its time is written.
    clock.now += 10 * 60_000;
    expect(await attempt(sdk, clientId, password)).toBe("User is not confirmed.");
  } finally {
    sdk.destroy();
    await first.stop();
  }
  // Twenty minutes after the failures, ten after that attempt: not quiet, so the fifth failure locks her out.
  clock.now += 10 * 60_000;
  const second = await start();
  const again = localCognitoClient(second.url);
  try {
    expect(await attempt(again, clientId, "Wrong-horse-9")).toBe("Incorrect username or password.");
    expect(await attempt(again, clientId, password)).toBe("Password attempts exceeded");
  } finally {
    again.destroy();
    await second.stop();
  }
});
