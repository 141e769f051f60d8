/**
 * UpdateUserPoolClient sets every member of the app client, as Cognito's: "If you don't provide a value for an
 * attribute, Amazon Cognito sets it to its default value"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolClient.html); "When
 * you submit an update request with just one parameter, Amazon Cognito sets that parameter to the value of your choosing
 * and sets all others to a default value" (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html).
 * cognito-local kept every member the request left out.
 */
import { CreateUserPoolClientCommand, DescribeUserPoolClientCommand, UpdateUserPoolClientCommand, type UpdateUserPoolClientCommandInput, type UserPoolClientType } from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_ClientUpd1";
const local = quietCognitoForFile("client-update");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "client-update" });
});

/** Every setting UpdateUserPoolClient takes, none of them its default. */
const SETTINGS = {
  ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  CallbackURLs: ["https://app.example.com/callback"],
  DefaultRedirectURI: "https://app.example.com/callback",
  LogoutURLs: ["https://app.example.com/"],
  AllowedOAuthFlows: ["code"],
  AllowedOAuthScopes: ["openid", "email"],
  AllowedOAuthFlowsUserPoolClient: true,
  SupportedIdentityProviders: ["COGNITO"],
  ReadAttributes: ["email", "email_verified", "name"],
  WriteAttributes: ["email", "name"],
  AccessTokenValidity: 5,
  IdTokenValidity: 6,
  RefreshTokenValidity: 7,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
  PreventUserExistenceErrors: "ENABLED",
  EnableTokenRevocation: false,
  AuthSessionValidity: 10,
  RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 30 },
} satisfies Omit<UpdateUserPoolClientCommandInput, "UserPoolId" | "ClientId">;

/** The members UpdateUserPoolClient sets that are not settings: they name or identify the client, or say when. */
const IDENTITY = ["UserPoolId", "ClientId", "ClientName", "ClientSecret", "CreationDate", "LastModifiedDate"];
const settingsOf = (client: UserPoolClientType | undefined) => Object.fromEntries(Object.entries(client ?? {}).filter(([member, value]) => !IDENTITY.includes(member) && value !== undefined));

it("sets every member an update leaves out to its default (none set; the token units to the API's), keeping the client's name, id and secret", async () => {
  const created = (await local.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "full", GenerateSecret: true, ...SETTINGS }))).UserPoolClient!;
  const clientId = created.ClientId!;
  expect(settingsOf((await local.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))).UserPoolClient)).toEqual(SETTINGS);

  const answer = (await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ClientName: "renamed" }))).UserPoolClient!;
  const described = (await local.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))).UserPoolClient!;
  // The API's default units ("The default AccessTokenValidity time unit is hours" ..., API_TokenValidityUnitsType.html).
  const defaults = { TokenValidityUnits: { AccessToken: "hours", IdToken: "hours", RefreshToken: "days" } };
  expect(settingsOf(described)).toEqual(defaults);
  expect(settingsOf(answer)).toEqual(defaults);
  expect([described.ClientName, described.ClientSecret, described.CreationDate]).toEqual(["renamed", created.ClientSecret, created.CreationDate]);
});

it("sets what an update gives and resets only the rest", async () => {
  const clientId = (await local.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "partly", ...SETTINGS }))).UserPoolClient!.ClientId!;
  await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH"], ReadAttributes: ["email"], AccessTokenValidity: 2 }));
  const described = (await local.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))).UserPoolClient!;
  expect(settingsOf(described)).toEqual({
    ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    ReadAttributes: ["email"],
    AccessTokenValidity: 2,
    TokenValidityUnits: { AccessToken: "hours", IdToken: "hours", RefreshToken: "days" },
  });
  expect(described.ClientName).toBe("partly");
});
