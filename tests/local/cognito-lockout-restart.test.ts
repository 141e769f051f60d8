/**
 * A user's sign-in lockout outlives a restart of the emulator (`npm start` again on the same state), as it outlives
 * nothing in Cognito, which does not restart: the failures are kept in the state folder with the pools.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignUpCommand, UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { expect, it } from "vitest";
import { startCognitoEmulator } from "../../local/cognito-emulator";
import { confirmedUser, localCognitoClient, passwordSignIn } from "../harness/cognito-users";

it("keeps a user's failures and lockout across a restart on the same state", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sf-cognito-lockout-restart-"));
  const clock = { now: Date.now(), get: () => new Date(clock.now) };
  const userPoolId = "us-east-1_Restart01";
  const clientId = "restartclient000000000000a";
  const password = "Correct-horse-9";
  const start = () => startCognitoEmulator({ dataDir, triggers: [], invokeTrigger: async () => undefined, log: () => {}, clock });
  const signIn = async (url: string, pass: string) => {
    const sdk = localCognitoClient(url);
    try {
      return await passwordSignIn(sdk, clientId, "ann@example.com", pass).then(
        () => "signed in",
        (error: Error) => error.message,
      );
    } finally {
      sdk.destroy();
    }
  };

  const first = await start();
  const sdk = localCognitoClient(first.url);
  await first.ensureUserPool({ Id: userPoolId, Name: "restart" });
  await first.ensureClient(userPoolId, clientId, "restart");
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], PreventUserExistenceErrors: "ENABLED" }));
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
  const dataDir = mkdtempSync(join(tmpdir(), "sf-cognito-lockout-concurrent-"));
  const clock = { now: Date.now(), get: () => new Date(clock.now) };
  const userPoolId = "us-east-1_Restart02";
  const clientId = "restartclient000000000000b";
  const users = ["ann@example.com", "bob@example.com", "cid@example.com", "dee@example.com"];
  const start = () => startCognitoEmulator({ dataDir, triggers: [], invokeTrigger: async () => undefined, log: () => {}, clock });

  const first = await start();
  const sdk = localCognitoClient(first.url);
  try {
    await first.ensureUserPool({ Id: userPoolId, Name: "restart" });
    await first.ensureClient(userPoolId, clientId, "restart");
    await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] }));
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
  const dataDir = mkdtempSync(join(tmpdir(), "sf-cognito-lockout-ended-"));
  const clock = { now: Date.now(), get: () => new Date(clock.now) };
  const userPoolId = "us-east-1_Restart03";
  const clientId = "restartclient000000000000c";
  const password = "Correct-horse-9";
  const start = () => startCognitoEmulator({ dataDir, triggers: [], invokeTrigger: async () => undefined, log: () => {}, clock });
  const attempt = (sdk: ReturnType<typeof localCognitoClient>, pass: string) =>
    passwordSignIn(sdk, clientId, "ann@example.com", pass).then(
      () => "signed in",
      (error: Error) => error.message,
    );

  const first = await start();
  const sdk = localCognitoClient(first.url);
  try {
    await first.ensureUserPool({ Id: userPoolId, Name: "restart" });
    await first.ensureClient(userPoolId, clientId, "restart");
    await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] }));
    await sdk.send(new SignUpCommand({ ClientId: clientId, Username: "ann@example.com", Password: password, UserAttributes: [{ Name: "email", Value: "ann@example.com" }] }));
    for (let i = 0; i < 4; i++) expect(await attempt(sdk, "Wrong-horse-9")).toBe("Incorrect username or password.");
    // Ten minutes on, the right password of a user not yet confirmed: neither a failure nor tokens. Its time is written.
    clock.now += 10 * 60_000;
    expect(await attempt(sdk, password)).toBe("User is not confirmed.");
  } finally {
    sdk.destroy();
    await first.stop();
  }
  // Twenty minutes after the failures, ten after that attempt: not quiet, so the fifth failure locks her out.
  clock.now += 10 * 60_000;
  const second = await start();
  const again = localCognitoClient(second.url);
  try {
    expect(await attempt(again, "Wrong-horse-9")).toBe("Incorrect username or password.");
    expect(await attempt(again, password)).toBe("Password attempts exceeded");
  } finally {
    again.destroy();
    await second.stop();
  }
});
