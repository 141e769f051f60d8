/**
 * `npm start`'s auth: the dev stack's UserAuth provisioned in cognito-local. A user signs
 * up, confirms with the emailed code and signs in (USER_PASSWORD_AUTH); the tokens verify
 * with the same verifier the deployed app uses, configured for the local issuer.
 */
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  InvalidPasswordException,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../handlers/shared/jwt";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { localIssuer, type LocalCognito } from "../../local/services/cognito";
import type { LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";

let app: LocalApp;
let cognito: LocalCognito;
let sdk: CognitoIdentityProviderClient;
let env: Record<string, string>;

beforeAll(async () => {
  app = await startDevApp("sf-cognito-");
  cognito = app.services.find((s) => s.name === "cognito") as LocalCognito;
  env = app.context.environment;
  sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});
afterAll(async () => {
  sdk?.destroy();
  await app?.stop();
});

const password = "Correct-horse-9";

async function signIn(username: string, secret: string) {
  const result = await sdk.send(new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: secret } }));
  return result.AuthenticationResult!;
}

// In this order, also with --sequence.shuffle: the token checks use the user the sign-up test signs up.
describe("npm start provisions the stack's user pool in cognito-local", { shuffle: false }, () => {
  it("uses the ids the deployed program reports, and tells handlers where Cognito and its issuer are", () => {
    expect(env.USER_POOL_ID).toBe(app.context.run.outputs.userPoolId);
    expect(env.USER_POOL_CLIENT_ID).toBe(app.context.run.outputs.userPoolClientId);
    expect(env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.COGNITO_ISSUER).toBe(`${env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}/${env.USER_POOL_ID}`);
    expect(env.COGNITO_JWKS_URL).toBe(`${env.COGNITO_ISSUER}/.well-known/jwks.json`);
    expect(localIssuer(String(app.context.run.outputs.authIssuerUrl))).toBe(env.COGNITO_ISSUER);
  });

  it("answers DescribeUserPool with the pool's recorded ARN, and brings a pool kept from an earlier run to it", async () => {
    const pool = app.context.run.resources.find((r) => r.type === "aws:cognito/userPool:UserPool" && r.name === "auth-pool")!;
    const described = async () => (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: env.USER_POOL_ID }))).UserPool?.Arn;
    expect(pool.state.arn).toBe(`arn:aws:cognito-idp:us-east-1:${MOCK_ACCOUNT_ID}:userpool/${env.USER_POOL_ID}`);
    expect(await described()).toBe(pool.state.arn);
    // A pool persisted with another ARN (an earlier release named account 000000000000, region "local") is updated.
    await cognito.emulator.ensureUserPool({ Id: env.USER_POOL_ID, Name: String(pool.state.name), Arn: "arn:aws:cognito-idp:local:000000000000:userpool/x" });
    expect(await described()).toBe("arn:aws:cognito-idp:local:000000000000:userpool/x");
    await cognito.emulator.ensureUserPool({ Id: env.USER_POOL_ID, Name: String(pool.state.name), Arn: pool.state.arn });
    expect(await described()).toBe(pool.state.arn);
  });

  it("deploys the dev stack's pool with optional MFA, no threat protection (no PLUS plan) and the local front door as an extra callback", () => {
    const resources = app.context.run.resources;
    const pool = resources.find((r) => r.type === "aws:cognito/userPool:UserPool" && r.name === "auth-pool")!;
    expect(pool.inputs).toMatchObject({ mfaConfiguration: "OPTIONAL", userPoolTier: "ESSENTIALS", deletionProtection: "INACTIVE" });
    expect(pool.inputs.userPoolAddOns).toBeUndefined();
    const client = resources.find((r) => r.type === "aws:cognito/userPoolClient:UserPoolClient" && r.name === "auth-client")!;
    expect(client.inputs.callbackUrls).toEqual([`${app.context.run.outputs.siteUrl}/`, "http://localhost:3000/"]);
  });

  it("enforces the pool's password policy (cognito-local alone does not)", async () => {
    const weak = sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: "weak@example.com", Password: "Sh0rt!", UserAttributes: [{ Name: "email", Value: "weak@example.com" }] }));
    await expect(weak).rejects.toThrow(InvalidPasswordException);
    await expect(weak).rejects.toThrow("Password did not conform with policy: Password not long enough");
    const noSymbol = sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: "weak@example.com", Password: "Longenoughpassword1" }));
    await expect(noSymbol).rejects.toThrow("Password must have symbol characters");
  });

  it("signs a user up, confirms the emailed code, signs in, and the tokens verify for the local issuer", async () => {
    const email = "alice@example.com";
    const signUp = await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }));
    expect(signUp.UserConfirmed).toBe(false);
    expect(signUp.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: "EMAIL", AttributeName: "email" });
    await expect(signIn(email, password)).rejects.toThrow(/not confirmed/);

    const code = cognito.emulator.lastCode(email);
    expect(code).toMatch(/^\d{6}$/);
    await sdk.send(new ConfirmSignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: email, ConfirmationCode: code }));
    const tokens = await signIn(email, password);

    const access = await createTokenVerifier({ issuer: env.COGNITO_ISSUER, jwksUri: env.COGNITO_JWKS_URL, clientId: env.USER_POOL_CLIENT_ID, tokenUse: "access" }).verify(tokens.AccessToken!);
    expect(access.sub).toBe(signUp.UserSub);
    expect(access.client_id).toBe(env.USER_POOL_CLIENT_ID);
    const id = await createTokenVerifier({ issuer: env.COGNITO_ISSUER, clientId: env.USER_POOL_CLIENT_ID, tokenUse: "id" }).verify(tokens.IdToken!);
    expect(id).toMatchObject({ sub: signUp.UserSub, email, token_use: "id" });
  });

  it("creates the pool with the case sensitivity the program gives it (UserAuth: CaseSensitive false): any case signs in", async () => {
    const pool = app.context.run.resources.find((r) => r.type === "aws:cognito/userPool:UserPool" && r.name === "auth-pool")!;
    expect(pool.inputs.usernameConfiguration).toEqual({ caseSensitive: false });
    expect((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: env.USER_POOL_ID }))).UserPool?.UsernameConfiguration).toEqual({ CaseSensitive: false });
    expect((await signIn("Alice@Example.COM", password)).AccessToken).toBeTruthy();
  });

  it("gives the pool the attributes the program declares (UserAuth: email required), which a new password asks for when missing", async () => {
    const attributes = (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: env.USER_POOL_ID }))).UserPool?.SchemaAttributes ?? [];
    expect(attributes.find((a) => a.Name === "email")).toMatchObject({ Required: true, Mutable: true });
  });

  it("gives the app client the program's refresh token rotation (UserAuth's default, ENABLED): REFRESH_TOKEN_AUTH is refused, GetTokensFromRefreshToken refreshes", async () => {
    const client = app.context.run.resources.find((r) => r.type === "aws:cognito/userPoolClient:UserPoolClient" && r.name === "auth-client")!;
    expect(client.inputs.refreshTokenRotation).toMatchObject({ feature: "ENABLED" });
    const described = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: env.USER_POOL_ID, ClientId: env.USER_POOL_CLIENT_ID }));
    expect(described.UserPoolClient?.RefreshTokenRotation).toEqual({ Feature: "ENABLED", RetryGracePeriodSeconds: client.inputs.refreshTokenRotation.retryGracePeriodSeconds });
    const tokens = await signIn("alice@example.com", password);
    const refresh = sdk.send(new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }));
    await expect(refresh).rejects.toMatchObject({ name: "InvalidParameterException", message: "REFRESH_TOKEN_AUTH flow not enabled for this client" });
    const rotated = await sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: env.USER_POOL_CLIENT_ID, RefreshToken: tokens.RefreshToken! }));
    expect(rotated.AuthenticationResult?.RefreshToken).toBeTruthy();
  });

  it("refuses the same tokens for another client id, another issuer, or the other token use", async () => {
    const tokens = await signIn("alice@example.com", password);
    await expect(createTokenVerifier({ issuer: env.COGNITO_ISSUER, clientId: "someotherclient", tokenUse: "access" }).verify(tokens.AccessToken!)).rejects.toThrow(/client_id not allowed/);
    await expect(createTokenVerifier({ issuer: env.COGNITO_ISSUER, clientId: "someotherclient", tokenUse: "id" }).verify(tokens.IdToken!)).rejects.toThrow(/audience/i);
    await expect(createTokenVerifier({ issuer: String(app.context.run.outputs.authIssuerUrl), jwksUri: env.COGNITO_JWKS_URL, clientId: env.USER_POOL_CLIENT_ID, tokenUse: "access" }).verify(tokens.AccessToken!)).rejects.toThrow(/issuer/i);
    await expect(createTokenVerifier({ issuer: env.COGNITO_ISSUER, clientId: env.USER_POOL_CLIENT_ID, tokenUse: "access" }).verify(tokens.IdToken!)).rejects.toThrow(/token_use/);
  });

  it("seeds the dev stack's demo user, confirmed and in the admin group", async () => {
    const tokens = await signIn("demo@example.com", "Local-demo-pass-1");
    const claims = await createTokenVerifier({ issuer: env.COGNITO_ISSUER, clientId: env.USER_POOL_CLIENT_ID, tokenUse: "id" }).verify(tokens.IdToken!);
    expect(claims).toMatchObject({ email: "demo@example.com", email_verified: true, "cognito:groups": ["admin"] });
  });
});

describe("npm start's auth with the data tier (the dev stack's wiring)", () => {
  const local = { region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };

  it("created the demo user's profile item through the post-confirmation trigger", async () => {
    const tokens = await signIn("demo@example.com", "Local-demo-pass-1");
    const { sub } = await createTokenVerifier({ issuer: env.COGNITO_ISSUER, clientId: env.USER_POOL_CLIENT_ID, tokenUse: "id" }).verify(tokens.IdToken!);
    const dynamodb = new DynamoDBClient({ ...local, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB });
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: String(app.context.run.outputs.galleryTableName), Key: { pk: { S: `USER#${sub}` }, sk: { S: "PROFILE" } } }));
    dynamodb.destroy();
    expect(Item).toMatchObject({ email: { S: "demo@example.com" }, displayName: { S: "demo" }, albumCount: { N: "0" } });
  });

  it("lets a signed-in user reach their own preferences, and only theirs, with identity-pool credentials", async () => {
    const tokens = await signIn("demo@example.com", "Local-demo-pass-1");
    const identity = new CognitoIdentityClient({ ...local, endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY });
    const logins = { [`cognito-idp.us-east-1.amazonaws.com/${env.USER_POOL_ID}`]: tokens.IdToken! };
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: String(app.context.run.outputs.identityPoolId), Logins: logins }));
    const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
    identity.destroy();
    const browser = new DynamoDBClient({
      region: "us-east-1",
      endpoint: cognito.identity!.url,
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken },
    });
    const TableName = String(app.context.run.outputs.preferencesTableName);
    await browser.send(new PutItemCommand({ TableName, Item: { identityId: { S: IdentityId! }, key: { S: "theme" }, value: { S: "dark" } } }));
    const mine = await browser.send(new GetItemCommand({ TableName, Key: { identityId: { S: IdentityId! }, key: { S: "theme" } } }));
    expect(mine.Item?.value).toEqual({ S: "dark" });
    // The denial names the session of the role the program attached, in the account of the program's ARNs.
    const role = app.context.run.resources.find((r) => r.type === "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment")!.inputs.roles.authenticated as string;
    const [, , , , roleAccount, roleResource] = role.split(":");
    await expect(browser.send(new PutItemCommand({ TableName, Item: { identityId: { S: "us-east-1:someone-else" }, key: { S: "theme" } } }))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(`User: arn:aws:sts::${roleAccount}:assumed-role/${roleResource.split("/").pop()}/CognitoIdentityCredentials is not authorized`),
    });
    expect(roleAccount).toBe(MOCK_ACCOUNT_ID);
    // The gallery table is not granted to browsers at all (only the API reaches it).
    await expect(browser.send(new GetItemCommand({ TableName: String(app.context.run.outputs.galleryTableName), Key: { pk: { S: IdentityId! }, sk: { S: "PROFILE" } } }))).rejects.toMatchObject({ name: "AccessDeniedException" });
    browser.destroy();
  });
});

describe("local Cognito emulator loading", () => {
  it("loads without cognito-local's KMS encryption (the v2 aws-sdk), which only a CustomEmailSender trigger needs (issue 15)", async () => {
    const { spawnSync } = await import("node:child_process");
    const script = `require("./local/cognito-emulator.ts"); console.log(Object.keys(require.cache).filter((f) => /[\\\\/](aws-sdk|@aws-crypto)[\\\\/].*\\.js$/.test(f)).length);`;
    const result = spawnSync(process.execPath, ["-r", "./local/offline/register.cjs", "-e", script], { cwd: join(__dirname, "..", ".."), encoding: "utf8", timeout: 60_000 });
    expect(result.stdout.trim()).toBe("0");
  });
});
