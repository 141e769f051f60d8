/**
 * The embedded Cognito emulator answers as Cognito does where a client notices: sign-in errors and user existence
 * (PreventUserExistenceErrors), error wording, and sign-out. cognito-local alone answers differently; each case
 * names where.
 */
import { createRequire } from "node:module";
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { confirmedUser, freshCognitoDir, localCognitoClient, passwordSignIn, startQuietCognito } from "../harness/cognito-users";

// cognito-local's signer and key, to make a token that has expired without waiting for one to.
const fromCognitoLocal = createRequire(require.resolve("cognito-local"));
const jwt = fromCognitoLocal("jsonwebtoken") as { sign(payload: object, key: string, options: object): string };
const privateKey = fromCognitoLocal("cognito-local/lib/keys/cognitoLocal.private.json") as { pem: string };

const userPoolId = "us-east-1_Fidelity1";
const hiding = "fidelityhidingclient0000a"; // PreventUserExistenceErrors ENABLED, as UserAuth sets it
const legacy = "fidelitylegacyclient0000a"; // the API's default, LEGACY
const srpOnly = "fidelitysrponlyclient000a"; // ExplicitAuthFlows without USER_PASSWORD_AUTH
const rotating = "fidelityrotatingclient00a"; // refresh token rotation ENABLED, as UserAuth's default
const rotatingToo = "fidelityrotatingclient00b"; // the same, kept ENABLED throughout
const password = "Correct-horse-9";
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("fidelity"));
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "fidelity", UsernameConfiguration: { CaseSensitive: false } });
  await emulator.ensureClient(userPoolId, hiding, "hiding");
  await emulator.ensureClient(userPoolId, legacy, "legacy");
  await emulator.ensureClient(userPoolId, srpOnly, "srp-only");
  await emulator.ensureClient(userPoolId, rotating, "rotating");
  await emulator.ensureClient(userPoolId, rotatingToo, "rotating-too");
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: rotating, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 } }));
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: rotatingToo, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 } }));
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: srpOnly, ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }));
  await sdk.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, AutoVerifiedAttributes: ["email"] }));
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: hiding, PreventUserExistenceErrors: "ENABLED", EnableTokenRevocation: true, AccessTokenValidity: 60, IdTokenValidity: 60, TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes" } }));
  await confirmedUser(sdk, userPoolId, hiding, "ann@example.com", password);
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

const signIn = (clientId: string, username: string, secret: string) => passwordSignIn(sdk, clientId, username, secret);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }),
  );

describe("sign-in errors and user existence", () => {
  it("answers a wrong password with NotAuthorizedException 'Incorrect username or password.' (cognito-local: InvalidPasswordException)", async () => {
    expect(await failure(signIn(hiding, "ann@example.com", "Wrong-horse-9"))).toEqual({ name: "NotAuthorizedException", message: "Incorrect username or password.", status: 400 });
  });

  it("answers an unknown user the same way with PreventUserExistenceErrors ENABLED, and UserNotFoundException with LEGACY", async () => {
    expect(await failure(signIn(hiding, "nobody@example.com", password))).toEqual({ name: "NotAuthorizedException", message: "Incorrect username or password.", status: 400 });
    expect(await failure(signIn(legacy, "nobody@example.com", password))).toEqual({ name: "UserNotFoundException", message: "User does not exist.", status: 400 });
  });

  it("refuses USER_PASSWORD_AUTH on a client whose ExplicitAuthFlows do not enable it (cognito-local signs in)", async () => {
    expect(await failure(signIn(srpOnly, "ann@example.com", password))).toEqual({ name: "InvalidParameterException", message: "USER_PASSWORD_AUTH flow not enabled for this client", status: 400 });
  });

  it("answers ForgotPassword for an unknown user with a simulated delivery when ENABLED, and ConfirmForgotPassword with CodeMismatchException", async () => {
    const forgot = await sdk.send(new ForgotPasswordCommand({ ClientId: hiding, Username: "nobody@example.com" }));
    expect(forgot.CodeDeliveryDetails).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "n***@e***" });
    expect(await failure(sdk.send(new ForgotPasswordCommand({ ClientId: legacy, Username: "nobody@example.com" })))).toMatchObject({ name: "UserNotFoundException" });
    expect(await failure(sdk.send(new ConfirmForgotPasswordCommand({ ClientId: hiding, Username: "nobody@example.com", ConfirmationCode: "123456", Password: password })))).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
      status: 400,
    });
  });

  it("words a wrong confirmation code as Cognito does", async () => {
    await sdk.send(new SignUpCommand({ ClientId: hiding, Username: "bob@example.com", Password: password, UserAttributes: [{ Name: "email", Value: "bob@example.com" }] }));
    const wrong = emulator.lastCode("bob@example.com") === "000000" ? "111111" : "000000";
    expect(await failure(sdk.send(new ConfirmSignUpCommand({ ClientId: hiding, Username: "bob@example.com", ConfirmationCode: wrong })))).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
      status: 400,
    });
  });

  it("verifies the email the code went to on ConfirmSignUp: email_verified 'true', and true in the ID token (cognito-local leaves it unset)", async () => {
    await sdk.send(new SignUpCommand({ ClientId: hiding, Username: "cat@example.com", Password: password, UserAttributes: [{ Name: "email", Value: "cat@example.com" }] }));
    await sdk.send(new ConfirmSignUpCommand({ ClientId: hiding, Username: "cat@example.com", ConfirmationCode: emulator.lastCode("cat@example.com")! }));
    const user = await sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: "cat@example.com" }));
    expect(user.UserAttributes).toContainEqual({ Name: "email_verified", Value: "true" });
    const idToken = (await signIn(hiding, "cat@example.com", password)).AuthenticationResult!.IdToken!;
    expect(JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString("utf8"))).toMatchObject({ email: "cat@example.com", email_verified: true });
  });

  it("puts email_verified false in the ID token for an unverified address (cognito-local: Boolean(\"false\"), true)", async () => {
    const attributes = [{ Name: "email", Value: "dan@example.com" }, { Name: "email_verified", Value: "false" }];
    await sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: "dan@example.com", UserAttributes: attributes, MessageAction: "SUPPRESS" }));
    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: "dan@example.com", Password: password, Permanent: true }));
    const idToken = (await signIn(hiding, "dan@example.com", password)).AuthenticationResult!.IdToken!;
    expect(JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString("utf8"))).toMatchObject({ email: "dan@example.com", email_verified: false });
  });

  it("answers an unknown refresh token with NotAuthorizedException 'Invalid Refresh Token'", async () => {
    const refresh = sdk.send(new InitiateAuthCommand({ ClientId: hiding, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: "not-a-token" } }));
    expect(await failure(refresh)).toEqual({ name: "NotAuthorizedException", message: "Invalid Refresh Token", status: 400 });
  });

  it("matches usernames in any case, as a pool with CaseSensitive false does (UserAuth's): sign-in, and sign-up of the same address", async () => {
    expect((await signIn(hiding, "Ann@Example.COM", password)).AuthenticationResult?.AccessToken).toBeTruthy();
    const again = sdk.send(new SignUpCommand({ ClientId: hiding, Username: "ANN@example.com", Password: password, UserAttributes: [{ Name: "email", Value: "ANN@example.com" }] }));
    expect(await failure(again)).toEqual({ name: "UsernameExistsException", message: "User already exists", status: 400 });
  });

  it("keeps usernames apart by case in a pool created without UsernameConfiguration, Cognito's default (CaseSensitive true)", async () => {
    const sensitivePoolId = "us-east-1_CaseSens1";
    const sensitive = "fidelitycasesensitive000a";
    await emulator.ensureUserPool({ Id: sensitivePoolId, Name: "case-sensitive" });
    await emulator.ensureClient(sensitivePoolId, sensitive, "case-sensitive");
    for (const username of ["Ann", "ann"]) {
      await sdk.send(new SignUpCommand({ ClientId: sensitive, Username: username, Password: password, UserAttributes: [{ Name: "email", Value: `${username}@example.com` }] }));
      await sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: sensitivePoolId, Username: username }));
    }
    const subOf = async (username: string) => (await sdk.send(new AdminGetUserCommand({ UserPoolId: sensitivePoolId, Username: username }))).UserAttributes?.find((a) => a.Name === "sub")?.Value;
    expect(await subOf("Ann")).not.toBe(await subOf("ann"));
    expect(await failure(sdk.send(new AdminGetUserCommand({ UserPoolId: sensitivePoolId, Username: "ANN" })))).toMatchObject({ name: "UserNotFoundException" });
  });

  it("still signs the user in with the right password, with ExpiresIn and TokenType, and refreshes without a new refresh token", async () => {
    const tokens = (await signIn(hiding, "ann@example.com", password)).AuthenticationResult!;
    expect(tokens.IdToken).toBeTruthy();
    // cognito-local leaves out ExpiresIn and TokenType; the client's access tokens last 60 minutes.
    expect(tokens).toMatchObject({ ExpiresIn: 3600, TokenType: "Bearer" });
    const refreshed = await sdk.send(new InitiateAuthCommand({ ClientId: hiding, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }));
    expect(refreshed.AuthenticationResult).toMatchObject({ ExpiresIn: 3600, TokenType: "Bearer" });
    expect(refreshed.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
  });
});

describe("sign-out and access tokens", () => {
  const tokensOf = async (username: string) => (await signIn(hiding, username, password)).AuthenticationResult!;
  const getUser = (accessToken: string) => sdk.send(new GetUserCommand({ AccessToken: accessToken }));
  const revoked = { name: "NotAuthorizedException", message: "Access Token has been revoked", status: 400 };

  it("GlobalSignOut revokes the user's access tokens and refresh tokens; a new sign-in works (cognito-local: HTTP 500 Unsupported)", async () => {
    const first = await tokensOf("ann@example.com");
    const second = await tokensOf("ann@example.com");
    expect((await getUser(first.AccessToken!)).Username).toBeTruthy();
    await sdk.send(new GlobalSignOutCommand({ AccessToken: first.AccessToken! }));
    expect(await failure(getUser(first.AccessToken!))).toEqual(revoked);
    expect(await failure(getUser(second.AccessToken!))).toEqual(revoked);
    expect(await failure(sdk.send(new GlobalSignOutCommand({ AccessToken: second.AccessToken! })))).toEqual(revoked);
    const refresh = sdk.send(new InitiateAuthCommand({ ClientId: hiding, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: second.RefreshToken! } }));
    expect(await failure(refresh)).toMatchObject({ name: "NotAuthorizedException" });
    const again = await tokensOf("ann@example.com");
    expect((await getUser(again.AccessToken!)).Username).toBeTruthy();
  });

  it("AdminUserGlobalSignOut revokes the named user's tokens", async () => {
    const tokens = await tokensOf("ann@example.com");
    await sdk.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: "ann@example.com" }));
    expect(await failure(getUser(tokens.AccessToken!))).toEqual(revoked);
  });

  it("RevokeToken revokes the access tokens issued with and from the refresh token, not others", async () => {
    const tokens = await tokensOf("ann@example.com");
    const other = await tokensOf("ann@example.com");
    const refreshed = await sdk.send(new InitiateAuthCommand({ ClientId: hiding, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }));
    await sdk.send(new RevokeTokenCommand({ ClientId: hiding, Token: tokens.RefreshToken! }));
    expect(await failure(getUser(tokens.AccessToken!))).toEqual(revoked);
    expect(await failure(getUser(refreshed.AuthenticationResult!.AccessToken!))).toEqual(revoked);
    expect((await getUser(other.AccessToken!)).Username).toBeTruthy();
  });

  it("refuses an access token it did not sign, and an ID token, as 'Invalid Access Token' (cognito-local only decodes it)", async () => {
    const tokens = await tokensOf("ann@example.com");
    const [header, payload] = tokens.AccessToken!.split(".");
    const forged = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
    const invalid = { name: "NotAuthorizedException", message: "Invalid Access Token", status: 400 };
    expect(await failure(getUser(forged))).toEqual(invalid);
    expect(await failure(getUser(tokens.IdToken!))).toEqual(invalid);
  });

  it("refuses an expired access token as 'Access Token has expired'", async () => {
    const claims = JSON.parse(Buffer.from((await tokensOf("ann@example.com")).AccessToken!.split(".")[1], "base64url").toString("utf8"));
    const expired = jwt.sign({ ...claims, iat: 1_000_000_000, exp: 1_000_003_600 }, privateKey.pem, { algorithm: "RS256", keyid: "CognitoLocal" });
    expect(await failure(getUser(expired))).toEqual({ name: "NotAuthorizedException", message: "Access Token has expired", status: 400 });
  });
});

describe("refresh token rotation", () => {
  it("refuses REFRESH_TOKEN_AUTH on a client with rotation ENABLED (cognito-local drops the setting); GetTokensFromRefreshToken refreshes", async () => {
    expect((await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: rotating }))).UserPoolClient?.RefreshTokenRotation).toEqual({ Feature: "ENABLED", RetryGracePeriodSeconds: 0 });
    const tokens = (await signIn(rotating, "ann@example.com", password)).AuthenticationResult!;
    for (const flow of ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"] as const) {
      const refresh = sdk.send(new InitiateAuthCommand({ ClientId: rotating, AuthFlow: flow, AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }));
      expect(await failure(refresh)).toEqual({ name: "InvalidParameterException", message: `${flow} flow not enabled for this client`, status: 400 });
    }
    expect((await sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating, RefreshToken: tokens.RefreshToken! }))).AuthenticationResult?.RefreshToken).toBeTruthy();
    // An update without RefreshTokenRotation sets Cognito's default, DISABLED: REFRESH_TOKEN_AUTH works again.
    await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: rotating, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }));
    expect((await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: rotating }))).UserPoolClient?.RefreshTokenRotation).toBeUndefined();
    const fresh = (await signIn(rotating, "ann@example.com", password)).AuthenticationResult!;
    const refreshed = await sdk.send(new InitiateAuthCommand({ ClientId: rotating, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: fresh.RefreshToken! } }));
    expect(refreshed.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("GetTokensFromRefreshToken on a rotating client issues new tokens and a new refresh token, and retires the old one: RefreshTokenReuseException (cognito-local: HTTP 500 Unsupported)", async () => {
    const tokens = (await signIn(rotatingToo, "ann@example.com", password)).AuthenticationResult!;
    const rotated = (await sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotatingToo, RefreshToken: tokens.RefreshToken! }))).AuthenticationResult!;
    expect(rotated).toMatchObject({ TokenType: "Bearer", ExpiresIn: expect.any(Number) });
    expect(rotated.RefreshToken).toBeTruthy();
    expect(rotated.RefreshToken).not.toBe(tokens.RefreshToken);
    expect((await sdk.send(new GetUserCommand({ AccessToken: rotated.AccessToken! }))).Username).toBeTruthy();
    const reuse = sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotatingToo, RefreshToken: tokens.RefreshToken! }));
    expect(await failure(reuse)).toMatchObject({ name: "RefreshTokenReuseException", status: 400 });
    const unknown = sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotatingToo, RefreshToken: "not-a-token" }));
    expect(await failure(unknown)).toEqual({ name: "NotAuthorizedException", message: "Invalid Refresh Token", status: 400 });
    expect((await sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotatingToo, RefreshToken: rotated.RefreshToken! }))).AuthenticationResult?.IdToken).toBeTruthy();
  });

  it("GetTokensFromRefreshToken on a client with rotation off issues ID and access tokens only, and the refresh token keeps working", async () => {
    expect((await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: hiding }))).UserPoolClient?.RefreshTokenRotation).toBeUndefined();
    const tokens = (await signIn(hiding, "ann@example.com", password)).AuthenticationResult!;
    for (let i = 0; i < 2; i++) {
      const refreshed = (await sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: hiding, RefreshToken: tokens.RefreshToken! }))).AuthenticationResult!;
      expect(refreshed).toMatchObject({ IdToken: expect.any(String), AccessToken: expect.any(String), TokenType: "Bearer" });
      expect(refreshed.RefreshToken).toBeUndefined();
      expect((await sdk.send(new GetUserCommand({ AccessToken: refreshed.AccessToken! }))).Username).toBeTruthy();
    }
    const viaAuthFlow = await sdk.send(new InitiateAuthCommand({ ClientId: hiding, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }));
    expect(viaAuthFlow.AuthenticationResult?.AccessToken).toBeTruthy();
  });
});

describe("discovery", () => {
  it("serves the pool's openid-configuration with the tokens' issuer and a JWKS that has the tokens' kid (cognito-local: localhost:9229)", async () => {
    const idToken = (await signIn(hiding, "ann@example.com", password)).AuthenticationResult!.IdToken!;
    const [header, payload] = idToken.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
    const discovery = (await (await fetch(`${emulator.issuer(userPoolId)}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    expect(discovery.issuer).toBe(payload.iss);
    expect(discovery.issuer).toBe(emulator.issuer(userPoolId));
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
  });
});
