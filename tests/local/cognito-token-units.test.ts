/**
 * An app client's TokenValidityUnits take the API's defaults where a request leaves a unit out: "The default
 * AccessTokenValidity time unit is hours", "The default IdTokenValidity time unit is hours", "The default
 * RefreshTokenValidity time unit is days"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_TokenValidityUnitsType.html), and
 * UpdateUserPoolClient sets a member it is not given to its default ("If you don't provide a value for an attribute,
 * Amazon Cognito sets it to its default value",
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolClient.html).
 * cognito-local made an unstated ID token unit minutes: an IdTokenValidity of 1 gave one-minute ID tokens.
 */
import { CreateUserPoolClientCommand, DescribeUserPoolClientCommand, UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { cognitoApi, provisionOtherClients, type CognitoApi } from "../../local/services/cognito";
import type { LocalContext } from "../../local/services/types";
import { confirmedUser, passwordSignIn, quietCognitoForFile } from "../harness/cognito-users";

const local = quietCognitoForFile("token-units");
const userPoolId = "us-east-1_TokenUnits1";
beforeAll(() => local.emulator.ensureUserPool({ Id: userPoolId, Name: "token-units" }));

const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as { iat: number; exp: number };
const unitsOf = async (clientId: string) => (await local.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))).UserPoolClient?.TokenValidityUnits;

it("makes a unit a request leaves out the API's default (hours, hours, days): an IdTokenValidity of 2 is two hours", async () => {
  const { UserPoolClient } = await local.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "web", IdTokenValidity: 2, AccessTokenValidity: 2, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }));
  const clientId = UserPoolClient!.ClientId!;
  expect(UserPoolClient!.TokenValidityUnits).toEqual({ AccessToken: "hours", IdToken: "hours", RefreshToken: "days" });
  await confirmedUser(local.sdk, userPoolId, clientId, "units@example.com", "Units-pass-123");
  const { IdToken, AccessToken } = (await passwordSignIn(local.sdk, clientId, "units@example.com", "Units-pass-123")).AuthenticationResult!;
  expect([claims(IdToken!).exp - claims(IdToken!).iat, claims(AccessToken!).exp - claims(AccessToken!).iat]).toEqual([7200, 7200]);

  // UpdateUserPoolClient sets what it is given, and a unit left out to its default (not what the client had).
  await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, IdTokenValidity: 30, TokenValidityUnits: { IdToken: "minutes", RefreshToken: "hours" } }));
  expect(await unitsOf(clientId)).toEqual({ AccessToken: "hours", IdToken: "minutes", RefreshToken: "hours" });
  await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, TokenValidityUnits: { AccessToken: "minutes" } }));
  expect(await unitsOf(clientId)).toEqual({ AccessToken: "minutes", IdToken: "hours", RefreshToken: "days" });
});

it("resets a validity UpdateUserPoolClient leaves out to Cognito's default lifetime, not the old number in the default unit", async () => {
  const { UserPoolClient } = await local.sdk.send(
    new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "short", IdTokenValidity: 5, AccessTokenValidity: 5, TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes" }, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
  );
  const clientId = UserPoolClient!.ClientId!;
  await confirmedUser(local.sdk, userPoolId, clientId, "short@example.com", "Short-pass-123");
  const lifetimes = async () => {
    const { IdToken, AccessToken } = (await passwordSignIn(local.sdk, clientId, "short@example.com", "Short-pass-123")).AuthenticationResult!;
    return [claims(IdToken!).exp - claims(IdToken!).iat, claims(AccessToken!).exp - claims(AccessToken!).iat];
  };
  expect(await lifetimes()).toEqual([300, 300]);
  // An update that names neither validity nor unit sets both to their defaults: tokens of one hour
  // (UserPoolClientType: "your access tokens are valid for one hour", the same for ID tokens), not of five hours.
  await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ClientName: "short", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }));
  expect(await lifetimes()).toEqual([3600, 3600]);
});

it("provisions a program's client whose tokenValidityUnits leave units out with their defaults, and updates it no more at the next start", async () => {
  const api = cognitoApi(local.emulator.url);
  const clientId = "unitsmachine0000000000000a";
  const graph = [
    { type: "aws:cognito/userPoolClient:UserPoolClient", name: "partial-units", urn: "urn:pulumi:dev::app::aws:cognito/userPoolClient:UserPoolClient::partial-units", custom: true, id: clientId, inputs: { userPoolId, idTokenValidity: 1, tokenValidityUnits: { accessToken: "minutes" } }, state: { userPoolId }, protect: false, retainOnDelete: false },
  ] as unknown as RecordedResource[];
  const context = { log: () => {}, run: { resources: graph } } as unknown as LocalContext;
  const sent: string[] = [];
  const send = ((action, input) => (sent.push(action), api.send(action, input))) as CognitoApi;
  try {
    await provisionOtherClients(context, local.emulator, send, userPoolId, "none", new Set());
    expect(await unitsOf(clientId)).toEqual({ AccessToken: "minutes", IdToken: "hours", RefreshToken: "days" });
    sent.length = 0;
    await provisionOtherClients(context, local.emulator, send, userPoolId, "none", new Set());
    expect(sent).toEqual(["DescribeUserPoolClient"]);
  } finally {
    api.destroy();
  }
});
