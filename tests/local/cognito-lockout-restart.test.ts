/**
 * A user's sign-in lockout outlives a restart of the emulator (`npm start` again on the same state), as it outlives
 * nothing in Cognito, which does not restart: the failures are kept in the state folder with the pools.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
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
