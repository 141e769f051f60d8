/**
 * Refresh token rotation in the embedded Cognito emulator, on a clock the test moves (no waiting): racing refreshes,
 * the client's retry grace period.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  GlobalSignOutCommand,
  RevokeTokenCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StormDBDataStore } from "cognito-local/lib/services/dataStore/stormDb";
import { startCognitoEmulator, type CognitoEmulator } from "../../local/cognito-emulator";
import { confirmedUser, localCognitoClient, passwordSignIn } from "../harness/cognito-users";

const userPoolId = "us-east-1_Refresh1";
const noGrace = "refreshnograceclient0000a"; // rotation ENABLED, RetryGracePeriodSeconds 0
const grace = "refreshgraceclient000000a"; // rotation ENABLED, RetryGracePeriodSeconds 10 (UserAuth's default)
const plain = "refreshplainclient000000a"; // rotation DISABLED; tokens for 5 minutes, refresh tokens for 60 (Cognito's least)
const password = "Correct-horse-9";
const dataDir = mkdtempSync(join(tmpdir(), "sf-cognito-refresh-"));
const clock = { now: Date.now(), get: () => new Date(clock.now) };
/** Set to make the next PreTokenGeneration trigger fail (once). */
let failTokenGeneration = false;
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startCognitoEmulator({
    dataDir,
    triggers: ["PreTokenGeneration"],
    invokeTrigger: async () => {
      if (!failTokenGeneration) return undefined;
      failTokenGeneration = false;
      throw new Error("token generation failed once");
    },
    log: () => {},
    clock,
  });
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "refresh" });
  for (const [clientId, seconds] of [[noGrace, 0], [grace, 10]] as const) {
    await emulator.ensureClient(userPoolId, clientId, clientId);
    await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], EnableTokenRevocation: true, RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: seconds } }));
  }
  await emulator.ensureClient(userPoolId, plain, plain);
  await sdk.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientId: plain,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      EnableTokenRevocation: true,
      AccessTokenValidity: 5,
      IdTokenValidity: 5,
      RefreshTokenValidity: 60,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "minutes" },
    }),
  );
  await confirmedUser(sdk, userPoolId, noGrace, "ann@example.com", password);
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

const signIn = async (clientId: string) =>
  (await passwordSignIn(sdk, clientId, "ann@example.com", password)).AuthenticationResult!;
const refresh = (clientId: string, refreshToken: string) => sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }));
/**
 * Runs `race` with every read and write of cognito-local's store letting other events in first, as a store on real I/O
 * would: that store reads and changes its data without leaving the event loop's turn, so two requests could not
 * otherwise interleave, and here both are in flight at once.
 */
async function interleaving<T>(race: () => Promise<T>): Promise<T> {
  const { get, getRoot, set } = StormDBDataStore.prototype;
  const yielding = <F extends (...args: any[]) => Promise<unknown>>(read: F) =>
    async function (this: unknown, ...args: unknown[]) {
      await new Promise((resolve) => setImmediate(resolve));
      return read.apply(this, args);
    } as F;
  Object.assign(StormDBDataStore.prototype, { get: yielding(get), getRoot: yielding(getRoot), set: yielding(set) });
  try {
    return await race();
  } finally {
    Object.assign(StormDBDataStore.prototype, { get, getRoot, set });
  }
}
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name: string }) => error.name,
  );

describe("GetTokensFromRefreshToken with rotation", () => {
  it("gives new tokens to one of two racing refreshes with the same token, RefreshTokenReuseException to the other (no grace period)", async () => {
    const tokens = await signIn(noGrace);
    const outcomes = await interleaving(() => Promise.allSettled([refresh(noGrace, tokens.RefreshToken!), refresh(noGrace, tokens.RefreshToken!)]));
    const fulfilled = outcomes.filter((o) => o.status === "fulfilled");
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((o) => (o.reason as Error).name)).toEqual(["RefreshTokenReuseException"]);
    const rotated = fulfilled[0].value.AuthenticationResult!.RefreshToken!;
    expect((await refresh(noGrace, rotated)).AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it("takes the original token again within the client's RetryGracePeriodSeconds, and refuses it after", async () => {
    const tokens = await signIn(grace);
    const first = (await refresh(grace, tokens.RefreshToken!)).AuthenticationResult!;
    clock.now += 9_000;
    const retry = (await refresh(grace, tokens.RefreshToken!)).AuthenticationResult!;
    expect(retry).toMatchObject({ IdToken: expect.any(String), AccessToken: expect.any(String), RefreshToken: expect.any(String) });
    // Both rotated tokens work: a retry does not lose the first answer's.
    expect((await sdk.send(new GetUserCommand({ AccessToken: retry.AccessToken! }))).Username).toBeTruthy();
    expect((await refresh(grace, first.RefreshToken!)).AuthenticationResult?.RefreshToken).toBeTruthy();
    expect((await refresh(grace, retry.RefreshToken!)).AuthenticationResult?.RefreshToken).toBeTruthy();
    clock.now += 1_000;
    expect(await failure(refresh(grace, tokens.RefreshToken!))).toBe("RefreshTokenReuseException");
  });

  it("gives every racing refresh new tokens within the grace period, and keeps every new refresh token", async () => {
    const tokens = await signIn(grace);
    // Three: the first retires the token, and the two retries behind it store their new tokens at the same time.
    const answers = await interleaving(() => Promise.all([0, 1, 2].map(() => refresh(grace, tokens.RefreshToken!))));
    for (const answer of answers) expect((await refresh(grace, answer.AuthenticationResult!.RefreshToken!)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("keeps the token after a refresh that failed (a PreTokenGeneration trigger's error): only a successful one invalidates it", async () => {
    const tokens = await signIn(noGrace);
    failTokenGeneration = true;
    expect(await failure(refresh(noGrace, tokens.RefreshToken!))).toBe("UserLambdaValidationException");
    const rotated = (await refresh(noGrace, tokens.RefreshToken!)).AuthenticationResult!;
    expect(rotated.RefreshToken).toBeTruthy();
    expect(await failure(refresh(noGrace, tokens.RefreshToken!))).toBe("RefreshTokenReuseException");
  });

  it("ends the grace period at sign-out: the original token is then refused", async () => {
    const tokens = await signIn(grace);
    const rotated = (await refresh(grace, tokens.RefreshToken!)).AuthenticationResult!;
    await sdk.send(new GlobalSignOutCommand({ AccessToken: rotated.AccessToken! }));
    expect(await failure(refresh(grace, tokens.RefreshToken!))).toBe("NotAuthorizedException");
  });
});

describe("memory (issue 15)", () => {
  const refreshAuth = (refreshToken: string) => sdk.send(new InitiateAuthCommand({ ClientId: plain, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: refreshToken } }));

  it("records a refresh token only when one is handed out: REFRESH_TOKEN_AUTH adds no record of the token it does not return", async () => {
    const tokens = await signIn(plain);
    const before = emulator.tokensInMemory();
    for (let i = 0; i < 10; i++) await refreshAuth(tokens.RefreshToken!);
    for (let i = 0; i < 10; i++) await refresh(plain, tokens.RefreshToken!);
    expect(emulator.tokensInMemory()).toEqual({ ...before, accessTokens: before.accessTokens + 20 });
    // Those access tokens still go with the refresh token they came from.
    const last = (await refreshAuth(tokens.RefreshToken!)).AuthenticationResult!.AccessToken!;
    await sdk.send(new RevokeTokenCommand({ ClientId: plain, Token: tokens.RefreshToken! }));
    expect(await failure(sdk.send(new GetUserCommand({ AccessToken: last })))).toBe("NotAuthorizedException");
  });

  it("keeps a rotated-out token's user only while a grace period can run (60 seconds at most): its reuse is refused after as before", async () => {
    const tokens = await signIn(grace);
    await refresh(grace, tokens.RefreshToken!);
    const retiring = emulator.tokensInMemory();
    expect(retiring.retrying).toBeGreaterThan(0);
    clock.now += 61_000;
    await signIn(plain);
    expect(emulator.tokensInMemory()).toMatchObject({ retired: retiring.retired, retrying: 0 });
    expect(await failure(refresh(grace, tokens.RefreshToken!))).toBe("RefreshTokenReuseException");
  });

  it("forgets every token record once its token has expired: sign-ins, refreshes, rotations and revocations leave nothing behind", async () => {
    for (let i = 0; i < 20; i++) {
      const tokens = await signIn(plain);
      for (let j = 0; j < 3; j++) await refreshAuth(tokens.RefreshToken!);
      await refresh(plain, tokens.RefreshToken!);
      if (i % 2 === 0) await sdk.send(new RevokeTokenCommand({ ClientId: plain, Token: tokens.RefreshToken! }));
      else if (i % 4 === 1) await sdk.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken! }));
      const rotating = await signIn(noGrace);
      await refresh(noGrace, rotating.RefreshToken!);
    }
    const busy = emulator.tokensInMemory();
    expect(busy.accessTokens).toBeGreaterThan(0);
    expect(busy.revoked).toBeGreaterThan(0);
    expect(busy.retired).toBeGreaterThanOrEqual(20);
    const revoked = (await signIn(plain)).AccessToken!;
    await sdk.send(new GlobalSignOutCommand({ AccessToken: revoked }));

    // Past every token's expiry (Cognito's default refresh token validity, 30 days, for the rotating clients).
    clock.now += 31 * 24 * 3600 * 1000;
    await signIn(plain);
    expect(emulator.tokensInMemory()).toEqual({ accessTokens: 1, refreshTokens: 1, revoked: 0, retired: 0, retrying: 0 });
    // A revoked token forgotten this way is refused all the same, as expired.
    expect(await failure(sdk.send(new GetUserCommand({ AccessToken: revoked })))).toBe("NotAuthorizedException");

    // The stored user, too, keeps only its refresh tokens still valid: cognito-local appends one at every sign-in.
    for (let i = 0; i < 5; i++) await signIn(i % 2 === 0 ? plain : noGrace);
    await refresh(noGrace, (await signIn(noGrace)).RefreshToken!);
    clock.now += 31 * 24 * 3600 * 1000;
    const kept = [(await signIn(plain)).RefreshToken, (await signIn(noGrace)).RefreshToken];
    const stored = JSON.parse(readFileSync(join(dataDir, `${userPoolId}.json`), "utf8")) as { Users: Record<string, { RefreshTokens?: string[] }> };
    expect(Object.values(stored.Users).map((user) => user.RefreshTokens)).toEqual([kept]);
  });
});
