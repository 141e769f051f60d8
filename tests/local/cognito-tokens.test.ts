/**
 * The claims of the emulator's ID and access tokens, as Cognito's: the ID token carries every attribute the user has
 * that the app client may read (its ReadAttributes; all when unset) with Cognito's JSON types, `cognito:username`,
 * `origin_jti`, `event_id`, `aud`; the access token `client_id`, `scope`, `username`, `origin_jti`, `version` and no
 * `aud`. cognito-local's ID token carried only `email`, `email_verified` and custom attributes. A pre token generation
 * trigger's overrides still apply, after the attributes.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCognitoEmulator, type CognitoEmulator } from "../../local/cognito-emulator";
import { freshCognitoDir, localCognitoClient, passwordSignIn } from "../harness/cognito-users";

const userPoolId = "us-east-1_Tokens001";
const allAttributes = "tokensallattributes00000a"; // ReadAttributes unset: every attribute
const someAttributes = "tokenssomeattributes0000a"; // ReadAttributes email and name
const rotating = "tokensrotatingclient0000a"; // refresh token rotation ENABLED
const password = "Correct-horse-9";
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;
/** The claims the next PreTokenGeneration trigger answers with (claimsOverrideDetails); undefined: the event back. */
let overrides: Record<string, unknown> | undefined;
/** The emulator's clock, moved by the refresh tests. */
const clock = { now: Date.now(), get: () => new Date(clock.now) };

beforeAll(async () => {
  emulator = await startCognitoEmulator({
    dataDir: freshCognitoDir("tokens"),
    triggers: ["PreTokenGeneration"],
    invokeTrigger: async (_pool, _trigger, event) => (overrides ? { ...(event as object), response: { claimsOverrideDetails: overrides } } : undefined),
    log: () => {},
    clock,
  });
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "tokens", Schema: [{ Name: "team", AttributeDataType: "String", Mutable: true }] }); // custom:team, as AWS takes only attributes in the schema
  await emulator.ensureClient(userPoolId, allAttributes, "all");
  await emulator.ensureClient(userPoolId, someAttributes, "some");
  await emulator.ensureClient(userPoolId, rotating, "rotating");
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: rotating, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 } }));
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: allAttributes, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] }));
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: someAttributes, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], ReadAttributes: ["email", "name"] }));
  await sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: "jane",
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: "jane@example.com" },
        { Name: "email_verified", Value: "true" },
        { Name: "name", Value: "Jane Doe" },
        { Name: "given_name", Value: "Jane" },
        { Name: "family_name", Value: "Doe" },
        { Name: "phone_number", Value: "+15555550100" },
        { Name: "phone_number_verified", Value: "false" },
        { Name: "address", Value: "1 Main St" },
        { Name: "updated_at", Value: "1700000000" },
        { Name: "custom:team", Value: "blue" },
      ],
    }),
  );
  await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: "jane", Password: password, Permanent: true }));
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

const claims = (token: string | undefined): Record<string, any> => JSON.parse(Buffer.from(String(token).split(".")[1], "base64url").toString("utf8"));
const signIn = async (clientId: string) => (await passwordSignIn(sdk, clientId, "jane", password)).AuthenticationResult!;

describe("ID token", () => {
  it("carries every attribute the user has, with Cognito's types, and Cognito's own claims (ReadAttributes unset)", async () => {
    const tokens = await signIn(allAttributes);
    const id = claims(tokens.IdToken);
    const sub = id.sub;
    expect(typeof sub).toBe("string");
    expect(id).toEqual({
      sub,
      aud: allAttributes,
      iss: emulator.issuer(userPoolId),
      token_use: "id",
      "cognito:username": "jane",
      email: "jane@example.com",
      email_verified: true,
      name: "Jane Doe",
      given_name: "Jane",
      family_name: "Doe",
      phone_number: "+15555550100",
      phone_number_verified: false,
      address: { formatted: "1 Main St" },
      updated_at: 1700000000,
      "custom:team": "blue",
      auth_time: expect.any(Number),
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      origin_jti: expect.any(String),
      event_id: expect.any(String),
    });
    const access = claims(tokens.AccessToken);
    expect(access).toEqual({
      sub,
      iss: emulator.issuer(userPoolId),
      client_id: allAttributes,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      username: "jane",
      version: 2,
      auth_time: id.auth_time,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      origin_jti: id.origin_jti,
      event_id: id.event_id,
    });
    expect(access.jti).not.toBe(id.jti);
  });

  it("carries only the attributes in the client's ReadAttributes (sub always)", async () => {
    const id = claims((await signIn(someAttributes)).IdToken);
    expect(id).toMatchObject({ email: "jane@example.com", name: "Jane Doe", aud: someAttributes, "cognito:username": "jane" });
    for (const unreadable of ["email_verified", "given_name", "family_name", "phone_number", "phone_number_verified", "address", "updated_at", "custom:team"]) {
      expect(id, unreadable).not.toHaveProperty([unreadable]);
    }
  });

  it("applies a pre token generation trigger's overrides after the attributes: added, overridden, suppressed", async () => {
    overrides = { claimsToAddOrOverride: { name: "J. Doe", plan: "pro" }, claimsToSuppress: ["given_name", "email"] };
    try {
      const id = claims((await signIn(allAttributes)).IdToken);
      expect(id).toMatchObject({ name: "J. Doe", plan: "pro", family_name: "Doe" });
      expect(id).not.toHaveProperty("given_name");
      expect(id).not.toHaveProperty("email");
    } finally {
      overrides = undefined;
    }
  });
});

describe("refreshed tokens", () => {
  /** The claims a refresh keeps from the sign-in, of both tokens. */
  const origin = (tokens: { IdToken?: string; AccessToken?: string }) => {
    const [id, access] = [claims(tokens.IdToken), claims(tokens.AccessToken)];
    return { id: { auth_time: id.auth_time, origin_jti: id.origin_jti }, access: { auth_time: access.auth_time, origin_jti: access.origin_jti } };
  };

  it("keep the sign-in's auth_time and origin_jti (REFRESH_TOKEN_AUTH, the token endpoint's refresh_token grant), with a new iat and jti", async () => {
    const signedIn = await signIn(allAttributes);
    const first = origin(signedIn);
    expect(first.access).toEqual(first.id);
    clock.now += 10 * 60 * 1000;
    const refreshed = (await sdk.send(new InitiateAuthCommand({ ClientId: allAttributes, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: signedIn.RefreshToken! } }))).AuthenticationResult!;
    expect(origin(refreshed)).toEqual(first);
    expect(claims(refreshed.IdToken).iat).toBe(claims(signedIn.IdToken).iat + 600);
    expect(claims(refreshed.IdToken).jti).not.toBe(claims(signedIn.IdToken).jti);

    clock.now += 10 * 60 * 1000;
    const response = await fetch(`${emulator.url}/oauth2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: signedIn.RefreshToken!, client_id: allAttributes }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id_token: string; access_token: string };
    expect(origin({ IdToken: body.id_token, AccessToken: body.access_token })).toEqual(first);
  });

  it("keep them through a rotation: the rotated refresh token refreshes to the same sign-in (GetTokensFromRefreshToken)", async () => {
    const signedIn = await signIn(rotating);
    const first = origin(signedIn);
    clock.now += 60 * 1000;
    const rotated = (await sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating, RefreshToken: signedIn.RefreshToken! }))).AuthenticationResult!;
    expect(origin(rotated)).toEqual(first);
    clock.now += 60 * 1000;
    const again = (await sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating, RefreshToken: rotated.RefreshToken! }))).AuthenticationResult!;
    expect(origin(again)).toEqual(first);
  });

  it("a new sign-in has a new origin_jti", async () => {
    expect(claims((await signIn(allAttributes)).IdToken).origin_jti).not.toBe(claims((await signIn(allAttributes)).IdToken).origin_jti);
  });
});

describe("token lifetimes of an app client that sets none", () => {
  it("are Cognito's defaults: access and ID tokens 60 minutes, refresh tokens 30 days (cognito-local's: 24 hours, 7 days)", async () => {
    const tokens = await signIn(allAttributes);
    expect(tokens.ExpiresIn).toBe(3600);
    const lifetime = (token: string | undefined) => claims(token).exp - claims(token).iat;
    expect([lifetime(tokens.AccessToken), lifetime(tokens.IdToken), lifetime(tokens.RefreshToken)]).toEqual([3600, 3600, 30 * 86400]);

    // The refresh token still refreshes after cognito-local's 7 days, and no longer after 30.
    clock.now += 8 * 86400 * 1000;
    const refresh = () => sdk.send(new InitiateAuthCommand({ ClientId: allAttributes, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }));
    expect((await refresh()).AuthenticationResult?.ExpiresIn).toBe(3600);
    clock.now += 23 * 86400 * 1000;
    await expect(refresh()).rejects.toMatchObject({ name: "NotAuthorizedException" });
  });
});
