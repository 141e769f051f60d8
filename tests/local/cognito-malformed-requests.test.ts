/**
 * Requests cognito-local's body parsers refuse answer as Cognito's endpoints answer, not with express's HTML error page:
 * a token request over the parsers' limit is a JSON OAuth error, a body that is not JSON to the API (an admin action)
 * is Cognito's JSON SerializationException.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("the model's validation (InvalidParameterException, HTTP 400) before anything is acted on", () => {
  const pool = "us-east-1_Malformed1";
  const notNull = (member: string) => `Value null at '${member}' failed to satisfy constraint: Member must not be null`;
  const refused = (problems: string[]) => ({
    status: 400,
    body: { __type: "InvalidParameterException", message: `${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}` },
  });

  it("refuses a request without a required member, naming every one missing, where cognito-local answered a 500 or stored it", async () => {
    const groups = async () => (await api("ListGroups", { UserPoolId: pool })).body.Groups.length;
    const before = await groups();
    for (const [target, body, missing] of [
      ["AdminAddUserToGroup", { UserPoolId: pool, Username: "ann" }, ["groupName"]],
      ["AdminAddUserToGroup", {}, ["userPoolId", "username", "groupName"]],
      ["AddCustomAttributes", { UserPoolId: pool }, ["customAttributes"]],
      ["DescribeUserPoolClient", {}, ["userPoolId", "clientId"]],
      ["AdminInitiateAuth", { UserPoolId: pool, ClientId: "malformedclient00000000000", AuthParameters: { USERNAME: "ann", PASSWORD: "x" } }, ["authFlow"]],
      ["CreateGroup", { UserPoolId: pool }, ["groupName"]],
      ["CreateGroup", { UserPoolId: pool, GroupName: null }, ["groupName"]],
      ["GetUser", {}, ["accessToken"]],
      // Required members of the structures in a list: AttributeType's Name, ResourceServerScopeType's two.
      ["SignUp", { ClientId: "malformedclient00000000000", Username: "ann", UserAttributes: [{ Name: "name", Value: "Ann" }, { Value: "x" }] }, ["userAttributes.2.member.name"]],
      ["CreateResourceServer", { UserPoolId: pool, Identifier: "api", Name: "Api", Scopes: [{ ScopeName: "read" }] }, ["scopes.1.member.scopeDescription"]],
    ] as const) {
      expect(await api(target, body), `${target} ${JSON.stringify(body)}`).toEqual(refused(missing.map(notNull)));
    }
    expect(await groups()).toBe(before);
    expect((await api("ListResourceServers", { UserPoolId: pool })).body.ResourceServers).toEqual([]);
  });

  it("refuses a UserPoolId, ClientId or Username outside its length and pattern, the username's value left out", async () => {
    const longPool = `us-east-1_${"a".repeat(46)}`;
    expect(await api("AdminGetUser", { UserPoolId: longPool, Username: "u".repeat(129) })).toEqual(
      refused([`Value '${longPool}' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55`, "Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"]),
    );
    expect(await api("ListUsers", { UserPoolId: "nopool" })).toEqual(refused(["Value 'nopool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"]));
    expect(await api("SignUp", { ClientId: "", Username: "", Password: "Correct-horse-9" })).toEqual(
      refused(["Value '' at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1", "Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1"]),
    );
    const longClient = "c".repeat(129);
    expect(await api("InitiateAuth", { ClientId: `${longClient}-`, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: {} })).toEqual(
      refused([
        `Value '${longClient}-' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+`,
        `Value '${longClient}-' at 'clientId' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]),
    );
  });

  it("answers a missing member and an attribute over AttributeType's limits in one answer", async () => {
    const answer = await api("AdminCreateUser", { UserPoolId: pool, UserAttributes: [{ Name: "n".repeat(33), Value: "v" }] });
    expect(answer).toEqual(refused([notNull("username"), `Value '${"n".repeat(33)}' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32`]));
  });

  it("refuses an AuthFlow, ChallengeName or MessageAction outside its enumeration, not with cognito-local's 500", async () => {
    const clientId = "malformedclient00000000000";
    await emulator.ensureClient(pool, clientId, "malformed");
    const flows = "ADMIN_NO_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH, CUSTOM_AUTH, REFRESH_TOKEN, REFRESH_TOKEN_AUTH, USER_AUTH, USER_PASSWORD_AUTH, USER_SRP_AUTH";
    const enumProblem = (value: string, member: string, values: string) => `Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${values}]`;
    expect(await api("InitiateAuth", { ClientId: clientId, AuthFlow: "NO_SUCH_FLOW", AuthParameters: {} })).toEqual(refused([enumProblem("NO_SUCH_FLOW", "authFlow", flows)]));
    expect(await api("AdminInitiateAuth", { UserPoolId: pool, ClientId: clientId, AuthFlow: "user_password_auth" })).toEqual(refused([enumProblem("user_password_auth", "authFlow", flows)]));
    const challenge = await api("RespondToAuthChallenge", { ClientId: clientId, ChallengeName: "NO_SUCH_CHALLENGE", Session: "s", ChallengeResponses: {} });
    expect(challenge.status).toBe(400);
    expect(challenge.body.message).toMatch(/^1 validation error detected: Value 'NO_SUCH_CHALLENGE' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set: \[ADMIN_NO_SRP_AUTH, .*NEW_PASSWORD_REQUIRED, .*\]$/);
    const before = (await api("ListUsers", { UserPoolId: pool })).body.Users.length;
    expect(await api("AdminCreateUser", { UserPoolId: pool, Username: "loud", MessageAction: "LOUD" })).toEqual(refused([enumProblem("LOUD", "messageAction", "RESEND, SUPPRESS")]));
    expect((await api("ListUsers", { UserPoolId: pool })).body.Users.length).toBe(before);
  });

  it("refuses an app client's TokenValidityUnits, ExplicitAuthFlows or AllowedOAuthFlows outside their enumerations; a unit stored so failed every later sign-in with a 500", async () => {
    const created = await api("CreateUserPoolClient", { UserPoolId: pool, ClientName: "units", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] });
    const clientId: string = created.body.UserPoolClient.ClientId;
    const units = "days, hours, minutes, seconds";
    expect(await api("UpdateUserPoolClient", { UserPoolId: pool, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], TokenValidityUnits: { AccessToken: "weeks" } })).toEqual(
      refused([`Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [${units}]`]),
    );
    const flows = await api("CreateUserPoolClient", { UserPoolId: pool, ClientName: "flows", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "PASSWORD"], AllowedOAuthFlows: ["code", "device"] });
    expect(flows.status).toBe(400);
    expect(flows.body.message).toMatch(/^2 validation errors detected: Value '\[ALLOW_USER_PASSWORD_AUTH, PASSWORD\]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[ADMIN_NO_SRP_AUTH, .*\]\]; Value '\[code, device\]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[client_credentials, code, implicit\]\]$/);
    // The client kept its settings: a password sign-in is answered (an unknown user), not with an HTTP 500.
    const signIn = await api("InitiateAuth", { ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "nobody", PASSWORD: "Correct-horse-9" } });
    expect(signIn.status).toBe(400);
    expect(signIn.body.__type).toBe("UserNotFoundException");
  });

  it("refuses the other sign-in action's password flow: InitiateAuth ADMIN_USER_PASSWORD_AUTH, AdminInitiateAuth USER_PASSWORD_AUTH", async () => {
    const clientId = "malformedclient00000000000";
    await emulator.ensureClient(pool, clientId, "malformed");
    const notSupported = { status: 400, body: { __type: "InvalidParameterException", message: "Initiate Auth method not supported" } };
    const parameters = { USERNAME: "ann", PASSWORD: "Correct-horse-9" };
    for (const flow of ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]) expect(await api("InitiateAuth", { ClientId: clientId, AuthFlow: flow, AuthParameters: parameters }), flow).toEqual(notSupported);
    expect(await api("AdminInitiateAuth", { UserPoolId: pool, ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: parameters })).toEqual(notSupported);
  });
});

describe("names that are Object.prototype members, and a pool without groups (the emulator's store finds only what was stored)", () => {
  const pool = "us-east-1_Malformed1";
  const clientId = "malformedclient00000000000";

  it("answers a group of a pool that has none yet as not found, not with an HTTP 500", async () => {
    await emulator.ensureUserPool({ Id: "us-east-1_NoGroups1", Name: "no-groups" });
    for (const target of ["GetGroup", "AdminAddUserToGroup", "AdminRemoveUserFromGroup"]) {
      const answer = await api(target, { UserPoolId: "us-east-1_NoGroups1", Username: "ann", GroupName: "admins" });
      expect(answer, target).toEqual({ status: 400, body: { __type: "ResourceNotFoundException", message: "Group not found" } });
    }
  });

  it("finds no user, group or client named constructor, toString or __proto__ that no one created, and signs such a name up", async () => {
    await emulator.ensureClient(pool, clientId, "malformed");
    for (const name of ["constructor", "toString", "__proto__"]) {
      expect(await api("AdminGetUser", { UserPoolId: pool, Username: name }), name).toEqual({ status: 400, body: { __type: "UserNotFoundException", message: "User does not exist." } });
      expect((await api("GetGroup", { UserPoolId: pool, GroupName: name })).body.__type, name).toBe("ResourceNotFoundException");
    }
    for (const name of ["constructor", "toString"]) {
      expect((await api("SignUp", { ClientId: clientId, Username: name, Password: "Correct-horse-9" })).status, name).toBe(200);
      expect((await api("AdminGetUser", { UserPoolId: pool, Username: name })).body.Username, name).toBe(name);
    }
    // One named __proto__ cannot be kept by the emulator's store: refused, not lost.
    expect((await api("SignUp", { ClientId: clientId, Username: "__proto__", Password: "Correct-horse-9" })).body.__type).toBe("InvalidParameterException");
    expect((await api("ListUsers", { UserPoolId: pool })).body.Users.map((u: { Username: string }) => u.Username)).not.toContain("__proto__");
  });
});

it("answers ForgotPassword for a user without an email address or phone number with Cognito's InvalidParameterException, not an HTTP 500", async () => {
  const pool = "us-east-1_Malformed1";
  const clientId = "malformedclient00000000000";
  await emulator.ensureClient(pool, clientId, "malformed");
  expect((await api("AdminCreateUser", { UserPoolId: pool, Username: "nocontact", TemporaryPassword: "Temporary-horse-9", MessageAction: "SUPPRESS" })).status).toBe(200);
  expect(await api("ForgotPassword", { ClientId: clientId, Username: "nocontact" })).toEqual({
    status: 400,
    body: { __type: "InvalidParameterException", message: "Cannot reset password for the user as there is no registered/verified email or phone_number" },
  });
});

it("answers an unknown ClientId or UserPoolId in Cognito's words, whichever action names it", async () => {
  const clientGone = { status: 400, body: { __type: "ResourceNotFoundException", message: "User pool client nosuchclient does not exist." } };
  const poolGone = { status: 400, body: { __type: "ResourceNotFoundException", message: "User pool us-east-1_Nope does not exist." } };
  expect(await api("SignUp", { ClientId: "nosuchclient", Username: "ann", Password: "Correct-horse-9" })).toEqual(clientGone);
  expect(await api("InitiateAuth", { ClientId: "nosuchclient", AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "ann", PASSWORD: "x" } })).toEqual(clientGone);
  expect(await api("ForgotPassword", { ClientId: "nosuchclient", Username: "ann" })).toEqual(clientGone);
  expect(await api("AdminGetUser", { UserPoolId: "us-east-1_Nope", Username: "ann" })).toEqual(poolGone);
  expect(await api("DescribeUserPool", { UserPoolId: "us-east-1_Nope" })).toEqual(poolGone);
});
