/**
 * Requests cognito-local's body parsers refuse answer as Cognito's endpoints answer, not with express's HTML error page:
 * a token request over the parsers' limit is a JSON OAuth error, a body that is not JSON to the API (an admin action)
 * is Cognito's JSON SerializationException.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { freshCognitoDir, startQuietCognito } from "../harness/cognito-users";

let emulator: CognitoEmulator;

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("malformed"));
  await emulator.ensureUserPool({ Id: "us-east-1_Malformed1", Name: "malformed" });
});

afterAll(async () => {
  await emulator?.stop();
});

it("answers a token request body over the limit with a JSON OAuth error (413), not an HTML page", async () => {
  const response = await fetch(`${emulator.url}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: "x", scope: "a".repeat(200_000) }).toString(),
  });
  expect(response.status).toBe(413);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await response.json()).toMatchObject({ error: "invalid_request" });
});

it("answers an API request whose body is not JSON with Cognito's SerializationException (JSON, 400), not an HTML page", async () => {
  for (const body of ['{"UserPoolId": "us-east-1_Malformed1", "Username": ', "not json"]) {
    const response = await fetch(emulator.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.AdminGetUser" },
      body,
    });
    expect(response.status, body).toBe(400);
    expect(response.headers.get("content-type"), body).toMatch(/^application\/x-amz-json-1\.1/);
    expect(await response.json(), body).toEqual({ __type: "SerializationException", Message: expect.any(String) });
  }
});

it("answers an API request body over the limit with JSON (413), not an HTML page", async () => {
  const response = await fetch(emulator.url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.AdminGetUser" },
    body: JSON.stringify({ UserPoolId: "us-east-1_Malformed1", Username: "a".repeat(200_000) }),
  });
  expect(response.status).toBe(413);
  expect(response.headers.get("content-type")).toMatch(/^application\/x-amz-json-1\.1/);
  expect(await response.json()).toHaveProperty("message");
});

it("answers the parsers' other refusals (a body whose content encoding does not decode, an unknown charset) with JSON too, the parsers' status kept", async () => {
  const target = "AWSCognitoIdentityProviderService.AdminGetUser";
  for (const [headers, status] of [
    [{ "content-type": "application/x-amz-json-1.1", "content-encoding": "gzip" }, 400],
    [{ "content-type": "application/x-amz-json-1.1", "content-encoding": "compress" }, 415],
    [{ "content-type": "application/x-amz-json-1.1; charset=klingon" }, 415],
  ] as const) {
    const api = await fetch(emulator.url, { method: "POST", headers: { ...headers, "x-amz-target": target }, body: "{}" });
    expect(api.status, JSON.stringify(headers)).toBe(status);
    expect(api.headers.get("content-type"), JSON.stringify(headers)).toMatch(/^application\/x-amz-json-1\.1/);
    expect(await api.json(), JSON.stringify(headers)).toHaveProperty("message");
    const token = await fetch(`${emulator.url}/oauth2/token`, {
      method: "POST",
      headers: { ...headers, "content-type": headers["content-type"].replace("application/x-amz-json-1.1", "application/x-www-form-urlencoded") },
      body: "grant_type=client_credentials",
    });
    expect(token.status, JSON.stringify(headers)).toBe(status);
    expect(await token.json(), JSON.stringify(headers)).toMatchObject({ error: "invalid_request" });
  }
});

it("answers a refresh token whose payload is JSON but no object (null) as an invalid one, not with an HTTP 500", async () => {
  const clientId = "malformedclient00000000000";
  await emulator.ensureClient("us-east-1_Malformed1", clientId, "malformed");
  const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from("null").toString("base64url")}.c2ln`;
  for (const [target, body] of [
    ["InitiateAuth", { ClientId: clientId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: token } }],
    ["GetTokensFromRefreshToken", { ClientId: clientId, RefreshToken: token }],
  ] as const) {
    const response = await fetch(emulator.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${target}` },
      body: JSON.stringify(body),
    });
    expect(response.status, target).toBe(400);
    expect(await response.json(), target).toMatchObject({ __type: "NotAuthorizedException", message: "Invalid Refresh Token" });
  }
  const response = await fetch(`${emulator.url}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", client_id: clientId, refresh_token: token }).toString(),
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: "invalid_grant" });
});

/** An API request with `body` as is (the SDK would not send a member of the wrong type). */
async function api(target: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(emulator.url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

it("refuses a member of the wrong JSON type with SerializationException (400) for any action, and acts on nothing of it", async () => {
  const pool = "us-east-1_Malformed1";
  const created = await api("CreateUserPoolClient", { UserPoolId: pool, ClientName: "typed" });
  expect(created.status).toBe(200);
  const clientId: string = created.body.UserPoolClient.ClientId;
  const clients = async () => (await api("ListUserPoolClients", { UserPoolId: pool, MaxResults: 60 })).body.UserPoolClients.length;
  const before = await clients();
  for (const [target, body, member] of [
    ["UpdateUserPoolClient", { UserPoolId: pool, ClientId: clientId, AllowedOAuthScopes: "openid" }, "AllowedOAuthScopes"],
    ["UpdateUserPoolClient", { UserPoolId: pool, ClientId: clientId, AllowedOAuthScopes: ["openid", 7] }, "AllowedOAuthScopes[1]"],
    ["UpdateUserPoolClient", { UserPoolId: pool, ClientId: clientId, ClientName: "renamed", AccessTokenValidity: "60" }, "AccessTokenValidity"],
    ["UpdateUserPoolClient", { UserPoolId: pool, ClientId: clientId, AllowedOAuthFlowsUserPoolClient: "true" }, "AllowedOAuthFlowsUserPoolClient"],
    ["UpdateUserPoolClient", { UserPoolId: pool, ClientId: clientId, TokenValidityUnits: { AccessToken: 1 } }, "TokenValidityUnits.AccessToken"],
    ["CreateUserPoolClient", { UserPoolId: pool, ClientName: "scoped", AllowedOAuthScopes: "openid" }, "AllowedOAuthScopes"],
    ["ListResourceServers", { UserPoolId: pool, MaxResults: "50" }, "MaxResults"],
    ["CreateResourceServer", { UserPoolId: pool, Identifier: "typed", Name: "Typed", Scopes: "read" }, "Scopes"],
    ["CreateResourceServer", { UserPoolId: pool, Identifier: "typed", Name: "Typed", Scopes: [{ ScopeName: 1, ScopeDescription: "One" }] }, "Scopes[0].ScopeName"],
    ["CreateResourceServer", { UserPoolId: pool, Identifier: "typed", Name: "Typed", Scopes: [null] }, "Scopes[0]"],
    ["AdminGetUser", { UserPoolId: pool, Username: ["a"] }, "Username"],
    ["AdminCreateUser", { UserPoolId: pool, Username: "typed", ClientMetadata: { source: null } }, "ClientMetadata.source"],
    ["AdminCreateUser", { UserPoolId: pool, Username: "typed", UserAttributes: [{ Name: "email", Value: true }] }, "UserAttributes[0].Value"],
    ["AdminGetUser", [pool], "The request body"],
  ] as const) {
    const answer = await api(target, body);
    const what = `${target} ${JSON.stringify(body)}`;
    expect(answer.status, what).toBe(400);
    // Cognito's SerializationException body names its text "Message" (aws-amplify/amplify-js#4738, floci-io/floci#2869),
    // as the body parsers' one here does, not cognito-local's "message".
    expect(answer.body, what).toEqual({ __type: "SerializationException", Message: expect.stringContaining(`${member}: expected`) });
  }
  expect(await clients()).toBe(before);
  const client = (await api("DescribeUserPoolClient", { UserPoolId: pool, ClientId: clientId })).body.UserPoolClient;
  expect(client.ClientName).toBe("typed");
  expect(client.AllowedOAuthScopes).toBeUndefined();
  expect((await api("ListResourceServers", { UserPoolId: pool })).body.ResourceServers).toEqual([]);
  // The right types, and null for an absent member, go through.
  expect((await api("UpdateUserPoolClient", { UserPoolId: pool, ClientId: clientId, ClientName: "typed", AllowedOAuthScopes: ["openid"], AccessTokenValidity: 60, LogoutURLs: null })).status).toBe(200);
  expect((await api("ListResourceServers", { UserPoolId: pool, MaxResults: 50 })).status).toBe(200);
});

it("answers an AuthFlow or action named as an object's built-in member (constructor, __proto__, toString) as any unknown one, not with a bare 500", async () => {
  const pool = "us-east-1_Malformed1";
  const created = await api("CreateUserPoolClient", { UserPoolId: pool, ClientName: "flows", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] });
  const clientId: string = created.body.UserPoolClient.ClientId;
  const signIn = (AuthFlow: string) => api("InitiateAuth", { AuthFlow, ClientId: clientId, AuthParameters: { USERNAME: "ann", PASSWORD: "Correct-horse-9" } });
  const unknown = await signIn("NO_SUCH_FLOW");
  for (const flow of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    const answer = await signIn(flow);
    expect({ status: answer.status, type: answer.body.__type }, flow).toEqual({ status: unknown.status, type: unknown.body.__type });
  }
  expect(unknown.body.__type).toBeDefined();
  // An action so named is any unknown action too.
  const action = await api("NoSuchAction", {});
  for (const target of ["constructor", "__proto__"]) expect((await api(target, {})).body.__type, target).toBe(action.body.__type);
});
