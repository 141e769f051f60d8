/**
 * An expired refresh token is refused on every refresh path of the embedded Cognito emulator — REFRESH_TOKEN_AUTH,
 * GetTokensFromRefreshToken, the hosted UI's refresh_token grant — even while cognito-local still stores it with its
 * user; and the hosted UI's refreshed access tokens are revoked with their refresh token. On a clock the test moves.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { confirmedUser, freshCognitoDir, hostedUiClient, localCognitoClient, passwordSignIn, startQuietCognito } from "../harness/cognito-users";

const userPoolId = "us-east-1_Expiry1";
const plain = "expiryplainclient0000000a"; // rotation DISABLED, hosted UI; refresh tokens for 60 minutes (Cognito's least)
const rotating = "expiryrotatingclient0000a"; // rotation ENABLED, no grace period; refresh tokens for 60 minutes
const callback = "http://localhost:5173/";
const password = "Correct-horse-9";
const validity = 60 * 60 * 1000;
const clock = { now: Date.now(), get: () => new Date(clock.now) };
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("expiry"), clock);
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "expiry" });
  const shortLived = { RefreshTokenValidity: 60, TokenValidityUnits: { AccessToken: "hours", IdToken: "hours", RefreshToken: "minutes" }, EnableTokenRevocation: true } as const;
  await hostedUiClient(emulator, sdk, userPoolId, plain, [callback], { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], ...shortLived });
  await emulator.ensureClient(userPoolId, rotating, rotating);
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: rotating, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 }, ...shortLived }));
  await confirmedUser(sdk, userPoolId, plain, "ann@example.com", password);
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

const signIn = async (clientId: string) =>
  (await passwordSignIn(sdk, clientId, "ann@example.com", password)).AuthenticationResult!;
const refreshAuth = (refreshToken: string) => sdk.send(new InitiateAuthCommand({ ClientId: plain, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: refreshToken } }));
const refresh = (clientId: string, refreshToken: string) => sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => `${error.name}: ${error.message}`,
  );

/** Signs in through the hosted UI (authorization code with PKCE) and answers the token endpoint's tokens. */
async function hostedUiSignIn(): Promise<{ access_token: string; refresh_token: string }> {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const form = { client_id: plain, redirect_uri: callback, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", scope: "openid email", state: "s" };
  const signedIn = await fetch(`${emulator.url}/oauth2/authorize`, { method: "POST", body: new URLSearchParams({ ...form, username: "ann@example.com", password }), redirect: "manual" });
  const code = new URL(signedIn.headers.get("location") ?? "", callback).searchParams.get("code");
  expect(code).toBeTruthy();
  const tokens = await tokenEndpoint({ grant_type: "authorization_code", client_id: plain, code: code!, redirect_uri: callback, code_verifier: verifier });
  expect(tokens.status).toBe(200);
  return tokens.body as { access_token: string; refresh_token: string };
}
async function tokenEndpoint(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}/oauth2/token`, { method: "POST", body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("an expired refresh token", () => {
  it("is refused by REFRESH_TOKEN_AUTH with NotAuthorizedException, though still stored with its user", async () => {
    const tokens = await signIn(plain);
    clock.now += validity - 1000;
    expect((await refreshAuth(tokens.RefreshToken!)).AuthenticationResult?.AccessToken).toBeTruthy();
    clock.now += 1000;
    expect(await failure(refreshAuth(tokens.RefreshToken!))).toBe("NotAuthorizedException: Refresh Token has expired");
  });

  it("is refused by GetTokensFromRefreshToken with NotAuthorizedException, with rotation or without", async () => {
    const kept = await signIn(plain);
    const rotated = await signIn(rotating);
    clock.now += validity;
    expect(await failure(refresh(plain, kept.RefreshToken!))).toBe("NotAuthorizedException: Refresh Token has expired");
    expect(await failure(refresh(rotating, rotated.RefreshToken!))).toBe("NotAuthorizedException: Refresh Token has expired");
  });

  it("is refused by the hosted UI's refresh_token grant with 400 invalid_grant", async () => {
    const tokens = await hostedUiSignIn();
    clock.now += validity;
    expect(await tokenEndpoint({ grant_type: "refresh_token", client_id: plain, refresh_token: tokens.refresh_token })).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "Refresh Token has expired" },
    });
  });
});

describe("the hosted UI's refresh_token grant", () => {
  it("answers with an access token that RevokeToken revokes with its refresh token", async () => {
    const tokens = await hostedUiSignIn();
    const refreshed = await tokenEndpoint({ grant_type: "refresh_token", client_id: plain, refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const accessToken = String(refreshed.body.access_token);
    expect((await sdk.send(new GetUserCommand({ AccessToken: accessToken }))).Username).toBeTruthy();
    await sdk.send(new RevokeTokenCommand({ ClientId: plain, Token: tokens.refresh_token }));
    expect(await failure(sdk.send(new GetUserCommand({ AccessToken: accessToken })))).toBe("NotAuthorizedException: Access Token has been revoked");
  });
});
