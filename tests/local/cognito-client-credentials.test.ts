/**
 * Resource servers and the token endpoint's client_credentials grant in the embedded Cognito emulator, as Cognito has
 * them: a confidential client allowed the grant gets an access token whose `scope` lists `<identifier>/<scope>` (all its
 * custom scopes when it asks for none), which aws-jwt-verify verifies against the emulator's JWKS and an HTTP API's JWT
 * authorizer checks against a route's scopes; an unknown client or wrong secret is invalid_client, a client without the
 * grant unauthorized_client, a scope the client is not allowed invalid_scope. Clients may only be allowed scopes a
 * resource server of the pool defines.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateResourceServerCommand,
  DeleteResourceServerCommand,
  CreateUserPoolClientCommand,
  DescribeResourceServerCommand,
  GetTokensFromRefreshTokenCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListResourceServersCommand,
  RevokeTokenCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  type UpdateUserPoolClientCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKind } from "../../components/serverless-api/args";
import { createLocalGateway } from "../../local/api-gateway";
import { listen } from "../../local/front-door";
import type { LocalContext } from "../../local/services/types";
import { createTokenVerifier } from "../../handlers/shared/jwt";
import { gatewaySpec } from "../harness/api-spec";
import { confirmedUser, localCognitoClient, quietCognitoForFile, startQuietCognito } from "../harness/cognito-users";

const userPoolId = "us-east-1_Scopes001";
const machineId = "machineclient0000000000000";
const machineSecret = "machine-secret-0123456789";
/** Confidential, but allowed the code flow only. */
const webId = "webclient00000000000000000";
const webSecret = "web-secret-0123456789";
const clock = { now: Date.now(), get: () => new Date(clock.now) };
const local = quietCognitoForFile("m2m", clock);
let gateway: Server;
let gatewayUrl: string;

/** A confidential client of the pool (`secret`) allowed OAuth flows (`oauth`: its flows, scopes, and the rest). */
async function oauthClient(clientId: string, name: string, secret: string, oauth: Omit<UpdateUserPoolClientCommandInput, "UserPoolId" | "ClientId" | "AllowedOAuthFlowsUserPoolClient">): Promise<void> {
  await local.emulator.ensureClient(userPoolId, clientId, name, { secret });
  await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, AllowedOAuthFlowsUserPoolClient: true, ...oauth }));
}

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "scopes" });
  await local.sdk.send(
    new CreateResourceServerCommand({
      UserPoolId: userPoolId,
      Identifier: "gallery",
      Name: "Gallery API",
      Scopes: [
        { ScopeName: "read", ScopeDescription: "Read the gallery" },
        { ScopeName: "write", ScopeDescription: "Change the gallery" },
      ],
    }),
  );
  await local.sdk.send(new CreateResourceServerCommand({ UserPoolId: userPoolId, Identifier: "https://reports.example.com", Name: "Reports", Scopes: [{ ScopeName: "export", ScopeDescription: "Export reports" }] }));
  await oauthClient(machineId, "machine", machineSecret, {
    AllowedOAuthFlows: ["client_credentials"],
    AllowedOAuthScopes: ["gallery/read", "gallery/write"],
    AccessTokenValidity: 15,
    TokenValidityUnits: { AccessToken: "minutes" },
  });
  await oauthClient(webId, "web", webSecret, { AllowedOAuthFlows: ["code"], AllowedOAuthScopes: ["openid", "gallery/read"], CallbackURLs: ["http://localhost:5173/"] });
  const spec = gatewaySpec("api", {
    kind: ApiKind.Http,
    basePath: "api",
    authorizers: { machines: { type: "cognito", userPoolArns: [`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${userPoolId}`], audience: [machineId] } },
    routes: {
      "GET /photos": { handler: "tests/fixtures/handlers/echo.ts", auth: { authorizer: "machines", scopes: ["gallery/read"] } },
      "POST /reports": { handler: "tests/fixtures/handlers/echo.ts", auth: { authorizer: "machines", scopes: ["https://reports.example.com/export"] } },
    },
  });
  const context = {
    log: () => undefined,
    run: { config: { region: "us-east-1" } },
    lambda: () => ({ invoke: async () => ({ statusCode: 200, body: "ok" }) }),
  } as unknown as LocalContext;
  ({ server: gateway, url: gatewayUrl } = await listen(createLocalGateway({ spec, stage: spec.stages[0], context, issuerFor: (id) => (id === userPoolId ? local.emulator.issuer(userPoolId) : undefined) }), 0));
});

afterAll(async () => {
  gateway?.close();
});

/** POST /oauth2/token with grant_type=client_credentials; `basic`: the client's id and secret in the Authorization header. */
async function tokenRequest(options: { basic?: [string, string]; body?: Record<string, string> }) {
  const response = await fetch(`${local.emulator.url}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(options.basic ? { authorization: `Basic ${Buffer.from(options.basic.join(":")).toString("base64")}` } : {}),
    },
    body: new URLSearchParams({ grant_type: "client_credentials", ...options.body }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as Record<string, any>;

describe("resource servers", () => {
  it("are created, described, listed and updated in the pool", async () => {
    const described = (await local.sdk.send(new DescribeResourceServerCommand({ UserPoolId: userPoolId, Identifier: "gallery" }))).ResourceServer;
    expect(described).toEqual({ UserPoolId: userPoolId, Identifier: "gallery", Name: "Gallery API", Scopes: [{ ScopeName: "read", ScopeDescription: "Read the gallery" }, { ScopeName: "write", ScopeDescription: "Change the gallery" }] });
    expect((await local.sdk.send(new ListResourceServersCommand({ UserPoolId: userPoolId, MaxResults: 50 }))).ResourceServers?.map((s) => s.Identifier)).toEqual(["gallery", "https://reports.example.com"]);
    await expect(local.sdk.send(new CreateResourceServerCommand({ UserPoolId: userPoolId, Identifier: "gallery", Name: "Again", Scopes: [] }))).rejects.toThrow(/already exists/);
    await expect(local.sdk.send(new DescribeResourceServerCommand({ UserPoolId: userPoolId, Identifier: "nope" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(local.sdk.send(new UpdateResourceServerCommand({ UserPoolId: userPoolId, Identifier: "nope", Name: "x", Scopes: [] }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("refuse a request outside the API's constraints (InvalidParameterException) and keep nothing of it", async () => {
    const before = (await local.sdk.send(new ListResourceServersCommand({ UserPoolId: userPoolId, MaxResults: 50 }))).ResourceServers;
    const scope = (name: string) => ({ ScopeName: name, ScopeDescription: `Scope ${name}` });
    for (const [what, request] of [
      ["an empty identifier", { Identifier: "", Name: "Empty", Scopes: [scope("read")] }],
      ["an identifier with a space", { Identifier: "my api", Name: "Spaced", Scopes: [scope("read")] }],
      ["a name with /", { Identifier: "names", Name: "Gallery/API", Scopes: [scope("read")] }],
      ["no name", { Identifier: "nameless", Scopes: [scope("read")] }],
      ["a scope without a name", { Identifier: "unnamed", Name: "Unnamed", Scopes: [{ ScopeDescription: "No name" }] }],
      ["a scope name with /", { Identifier: "slashed", Name: "Slashed", Scopes: [scope("read/all")] }],
      ["a scope without a description", { Identifier: "undescribed", Name: "Undescribed", Scopes: [{ ScopeName: "read" }] }],
      ["101 scopes", { Identifier: "many", Name: "Many", Scopes: Array.from({ length: 101 }, (_, i) => scope(`s${i}`)) }],
    ] as const) {
      await expect(local.sdk.send(new CreateResourceServerCommand({ UserPoolId: userPoolId, ...request } as any)), what).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/validation errors? detected: Value .* failed to satisfy constraint/) });
    }
    await expect(local.sdk.send(new UpdateResourceServerCommand({ UserPoolId: userPoolId, Identifier: "gallery", Name: "Gallery API", Scopes: [{ ScopeDescription: "No name" }] } as any))).rejects.toMatchObject({ name: "InvalidParameterException" });
    expect((await local.sdk.send(new ListResourceServersCommand({ UserPoolId: userPoolId, MaxResults: 50 }))).ResourceServers).toEqual(before);
    // The limits themselves are taken: 256 characters, 100 scopes.
    const longest = "x".repeat(256);
    await local.sdk.send(new CreateResourceServerCommand({ UserPoolId: userPoolId, Identifier: longest, Name: longest, Scopes: Array.from({ length: 100 }, (_, i) => ({ ScopeName: `${i}`.padEnd(256, "y"), ScopeDescription: longest })) }));
    await local.sdk.send(new UpdateResourceServerCommand({ UserPoolId: userPoolId, Identifier: longest, Name: "Longest" }));
    // Gone again, so the pool's list is the one the other tests expect whatever their order.
    await local.sdk.send(new DeleteResourceServerCommand({ UserPoolId: userPoolId, Identifier: longest }));
    expect((await local.sdk.send(new ListResourceServersCommand({ UserPoolId: userPoolId, MaxResults: 50 }))).ResourceServers).toEqual(before);
  });

  it("define the custom scopes an app client may be allowed: another is ScopeDoesNotExistException", async () => {
    await expect(
      local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: webId, AllowedOAuthFlows: ["code"], AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ["openid", "gallery/delete"], CallbackURLs: ["http://localhost:5173/"] })),
    ).rejects.toMatchObject({ name: "ScopeDoesNotExistException", message: "Invalid scope requested: gallery/delete" });
  });

  it("the client_credentials flow needs a client secret", async () => {
    await expect(
      local.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "public", AllowedOAuthFlows: ["client_credentials"], AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ["gallery/read"] })),
    ).rejects.toMatchObject({ name: "InvalidOAuthFlowException" });
    const created = await local.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "confidential", GenerateSecret: true, AllowedOAuthFlows: ["client_credentials"], AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ["gallery/read"] }));
    expect(created.UserPoolClient?.ClientSecret).toEqual(expect.any(String));
  });
});

describe("the token endpoint's client_credentials grant", () => {
  it("issues an access token with the scopes asked for, which aws-jwt-verify verifies against the emulator's JWKS", async () => {
    const { status, body } = await tokenRequest({ basic: [machineId, machineSecret], body: { scope: "gallery/read" } });
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.any(String), expires_in: 900, token_type: "Bearer" });
    expect(body.id_token).toBeUndefined();
    expect(body.refresh_token).toBeUndefined();
    const verified = await createTokenVerifier({ issuer: local.emulator.issuer(userPoolId), clientId: machineId, tokenUse: "access" }).verify(body.access_token);
    expect(verified).toMatchObject({ sub: machineId, client_id: machineId, token_use: "access", scope: "gallery/read", iss: local.emulator.issuer(userPoolId), version: 2 });
    expect(verified.exp! - verified.iat!).toBe(900);
    expect(verified.username).toBeUndefined();
  });

  it("grants every custom scope the client is allowed when it asks for none; takes the secret in the body too", async () => {
    const { status, body } = await tokenRequest({ body: { client_id: machineId, client_secret: machineSecret } });
    expect(status).toBe(200);
    expect(claimsOf(body.access_token).scope).toBe("gallery/read gallery/write");
  });

  it("takes a scope list with repeated, leading and trailing spaces, and a scope named twice once", async () => {
    const { status, body } = await tokenRequest({ basic: [machineId, machineSecret], body: { scope: "  gallery/read   gallery/write gallery/read " } });
    expect(status).toBe(200);
    expect(claimsOf(body.access_token).scope).toBe("gallery/read gallery/write");
  });

  it("refuses an unknown client, a wrong or missing secret: invalid_client", async () => {
    expect(await tokenRequest({ basic: ["noclient0000000000000000000", machineSecret] })).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    expect(await tokenRequest({ basic: [machineId, "wrong-secret"] })).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    expect(await tokenRequest({ body: { client_id: machineId } })).toMatchObject({ status: 400, body: { error: "invalid_client" } });
  });

  it("refuses a Basic header without a colon (no id:secret pair) invalid_client, whatever the body holds", async () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    for (const authorization of [`Basic ${b64(machineId)}`, `Basic ${b64(`${machineId}${machineSecret}`)}`, "Basic !!!", "Basic ", "Basic"]) {
      const response = await fetch(`${local.emulator.url}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: machineId, client_secret: machineSecret }).toString(),
      });
      expect({ status: response.status, body: await response.json() }, authorization).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    }
  });

  it("answers a body that is not a form invalid_request (Content-Type must be application/x-www-form-urlencoded), not a 500", async () => {
    for (const [contentType, body] of [
      ["application/json", JSON.stringify({ grant_type: "client_credentials", client_id: machineId, client_secret: machineSecret })],
      // The API's JSON, which the emulator parses (for its actions): refused still, not acted on.
      ["application/x-amz-json-1.1", JSON.stringify({ grant_type: "client_credentials", client_id: machineId, client_secret: machineSecret })],
      ["text/plain", `grant_type=client_credentials&client_id=${machineId}&client_secret=${machineSecret}`],
      [undefined, undefined],
    ] as const) {
      const response = await fetch(`${local.emulator.url}/oauth2/token`, { method: "POST", headers: contentType ? { "content-type": contentType } : {}, body });
      expect(response.status, contentType).toBe(400);
      expect(await response.json()).toEqual({ error: "invalid_request" });
    }
  });

  it("refuses a client not allowed the grant: unauthorized_client", async () => {
    expect(await tokenRequest({ basic: [webId, webSecret], body: { scope: "gallery/read" } })).toMatchObject({ status: 400, body: { error: "unauthorized_client" } });
  });

  it("refuses a scope the client is not allowed, and Cognito's own scopes: invalid_scope", async () => {
    for (const scope of ["https://reports.example.com/export", "gallery/read gallery/delete", "openid"]) {
      expect(await tokenRequest({ basic: [machineId, machineSecret], body: { scope } }), scope).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    }
  });

  it("the token passes an HTTP API JWT authorizer's route that asks for one of its scopes, and not one that asks for another (403)", async () => {
    const token = (await tokenRequest({ basic: [machineId, machineSecret], body: { scope: "gallery/read" } })).body.access_token as string;
    const call = (method: string, path: string) => fetch(`${gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    expect((await call("GET", "/api/photos")).status).toBe(200);
    const refused = await call("POST", "/api/reports");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });
});

describe("the hosted UI's authorization code grant", () => {
  let users = 0;
  /** Signs a new user in through the sign-in form asking for `scope`, and exchanges the code: the access token's `scope`. */
  async function codeGrantScope(scope: string, options: { incompleteFirst?: boolean } = {}): Promise<string> {
    return claimsOf((await codeGrant(scope, options)).access_token).scope;
  }

  /** Signs a new user in through the sign-in form asking for `scope`, and exchanges the code: the tokens. */
  async function codeGrant(scope: string, options: { incompleteFirst?: boolean } = {}): Promise<{ access_token: string; refresh_token: string }> {
    const email = `user${++users}@example.com`;
    await confirmedUser(local.sdk, userPoolId, webId, email, "Correct-horse-9");
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const redirectUri = "http://localhost:5173/";
    const form = { client_id: webId, redirect_uri: redirectUri, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", scope, state: "s", username: email, password: "Correct-horse-9" };
    const signedIn = await fetch(`${local.emulator.url}/oauth2/authorize`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
    const code = new URL(signedIn.headers.get("location") ?? "", redirectUri).searchParams.get("code")!;
    if (options.incompleteFirst) {
      // Without the code_verifier: refused before the code is used, so it can still be exchanged.
      const incomplete = await fetch(`${local.emulator.url}/oauth2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: webId }) });
      expect(await incomplete.json()).toMatchObject({ error: "invalid_request" });
    }
    const exchanged = await fetch(`${local.emulator.url}/oauth2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: webId, code_verifier: verifier }) });
    const body = (await exchanged.json()) as { access_token: string; refresh_token: string };
    await createTokenVerifier({ issuer: local.emulator.issuer(userPoolId), clientId: webId, tokenUse: "access" }).verify(body.access_token);
    return body;
  }

  /** The verified claims of a refreshed access token. */
  const verifiedAccess = async (token: string | undefined, on = local.emulator) =>
    (await createTokenVerifier({ issuer: on.issuer(userPoolId), clientId: webId, tokenUse: "access" }).verify(String(token))) as Record<string, any>;

  it("keeps the sign-in's scopes in the access tokens of its refreshes: the token endpoint's refresh_token grant, REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken", async () => {
    const { refresh_token: refreshToken } = await codeGrant("openid gallery/read");
    const refreshed = await fetch(`${local.emulator.url}/oauth2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: webId }) });
    expect(refreshed.status).toBe(200);
    expect((await verifiedAccess(((await refreshed.json()) as { access_token: string }).access_token)).scope).toBe("openid gallery/read");
    const initiated = await local.sdk.send(new InitiateAuthCommand({ ClientId: webId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: refreshToken } }));
    expect((await verifiedAccess(initiated.AuthenticationResult?.AccessToken)).scope).toBe("openid gallery/read");
    const fromRefresh = await local.sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: webId, ClientSecret: webSecret, RefreshToken: refreshToken }));
    expect((await verifiedAccess(fromRefresh.AuthenticationResult?.AccessToken)).scope).toBe("openid gallery/read");
  });

  it("keeps them across a restart, and through a rotation to the new refresh token", async () => {
    const { refresh_token: refreshToken } = await codeGrant("gallery/read");
    const again = await startQuietCognito(local.dataDir, clock);
    const sdkAgain = localCognitoClient(again.url);
    try {
      const initiated = await sdkAgain.send(new InitiateAuthCommand({ ClientId: webId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: refreshToken } }));
      expect((await verifiedAccess(initiated.AuthenticationResult?.AccessToken, again)).scope).toBe("gallery/read");
      await sdkAgain.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: webId, RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 } }));
      const rotated = await sdkAgain.send(new GetTokensFromRefreshTokenCommand({ ClientId: webId, ClientSecret: webSecret, RefreshToken: refreshToken }));
      expect(rotated.AuthenticationResult?.RefreshToken).toBeDefined();
      const next = await sdkAgain.send(new GetTokensFromRefreshTokenCommand({ ClientId: webId, ClientSecret: webSecret, RefreshToken: rotated.AuthenticationResult?.RefreshToken }));
      expect((await verifiedAccess(next.AuthenticationResult?.AccessToken, again)).scope).toBe("gallery/read");
    } finally {
      await sdkAgain.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: webId, RefreshTokenRotation: { Feature: "DISABLED" } }));
      sdkAgain.destroy();
      await again.stop();
    }
  });

  it("forgets the scopes of a refresh token that is revoked (RevokeToken) or signed out (GlobalSignOut): nothing kept for a token no longer any use", async () => {
    const file = join(local.dataDir, "emulator", "refresh-token-scopes.json");
    const kept = (token: string) => (JSON.parse(readFileSync(file, "utf8")) as Array<[string, unknown]>).some(([key]) => key === createHash("sha256").update(token).digest("hex"));
    const revoked = await codeGrant("gallery/read");
    const signedOut = await codeGrant("openid gallery/read");
    expect(kept(revoked.refresh_token) && kept(signedOut.refresh_token)).toBe(true);
    await local.sdk.send(new RevokeTokenCommand({ ClientId: webId, ClientSecret: webSecret, Token: revoked.refresh_token }));
    expect(kept(revoked.refresh_token)).toBe(false);
    expect(kept(signedOut.refresh_token)).toBe(true);
    await local.sdk.send(new GlobalSignOutCommand({ AccessToken: signedOut.access_token }));
    expect(kept(signedOut.refresh_token)).toBe(false);
  });

  it("gives the user's access token the scopes asked for that the client is allowed, custom ones too", async () => {
    expect(await codeGrantScope("openid gallery/read gallery/write")).toBe("openid gallery/read");
  });

  it("keeps the scopes asked for when the code's first exchange was refused for a missing field (the code is not used up by it)", async () => {
    expect(await codeGrantScope("gallery/read", { incompleteFirst: true })).toBe("gallery/read");
  });

  it("gives every scope the client is allowed when the sign-in asked for none", async () => {
    expect(await codeGrantScope("")).toBe("openid gallery/read");
  });
});
