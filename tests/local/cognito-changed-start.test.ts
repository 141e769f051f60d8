/**
 * A start updates the pool, its app client and resource servers only where they differ from the program
 * (local/services/cognito.ts changesAnything): a setting the program changed since the last start is applied all the same.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient, DescribeResourceServerCommand, DescribeUserPoolClientCommand, DescribeUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { expect, it } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { startLocalApp } from "../../local/start";

const stateDir = mkdtempSync(join(tmpdir(), "sf-cognito-changed-"));

/** The program, before (`changed` false) and after an edit of index.ts. */
const program = (changed: boolean) => () => {
  new UserAuth("auth", {
    callbackUrls: changed ? ["http://localhost:3000/", "http://localhost:5173/"] : ["http://localhost:3000/"],
    mfa: "OPTIONAL",
    passwordPolicy: { minimumLength: changed ? 14 : 12 },
    tokenValidity: { accessTokenMinutes: changed ? 30 : 60 },
    resourceServers: [{ identifier: "gallery", name: "Gallery API", scopes: changed ? [{ name: "read", description: "Read the gallery" }, { name: "write", description: "Change the gallery" }] : [{ name: "read", description: "Read the gallery" }] }],
    oauthScopes: changed ? ["openid", "email", "gallery/read", "gallery/write"] : ["openid", "email", "gallery/read"],
  });
  return {};
};

async function describeAfterStart(changed: boolean) {
  const app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir, load: program(changed) });
  const env = app.context.environment;
  const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    const client = (await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: env.USER_POOL_ID, ClientId: env.USER_POOL_CLIENT_ID }))).UserPoolClient!;
    const pool = (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: env.USER_POOL_ID }))).UserPool!;
    const server = (await sdk.send(new DescribeResourceServerCommand({ UserPoolId: env.USER_POOL_ID, Identifier: "gallery" }))).ResourceServer!;
    return {
      callbackUrls: client.CallbackURLs,
      scopes: client.AllowedOAuthScopes,
      accessTokenValidity: client.AccessTokenValidity,
      minimumLength: pool.Policies?.PasswordPolicy?.MinimumLength,
      serverScopes: server.Scopes?.map((s) => s.ScopeName),
    };
  } finally {
    sdk.destroy();
    await app.stop();
  }
}

it("applies at the next start what the program changed: a callback URL, a scope and its resource server, the password policy, a token's validity", async () => {
  expect(await describeAfterStart(false)).toEqual({ callbackUrls: ["http://localhost:3000/"], scopes: ["openid", "email", "gallery/read"], accessTokenValidity: 60, minimumLength: 12, serverScopes: ["read"] });
  expect(await describeAfterStart(true)).toEqual({
    callbackUrls: ["http://localhost:3000/", "http://localhost:5173/"],
    scopes: ["openid", "email", "gallery/read", "gallery/write"],
    accessTokenValidity: 30,
    minimumLength: 14,
    serverScopes: ["read", "write"],
  });
  // And back, as a revert of the edit.
  expect(await describeAfterStart(false)).toMatchObject({ callbackUrls: ["http://localhost:3000/"], scopes: ["openid", "email", "gallery/read"], accessTokenValidity: 60, minimumLength: 12, serverScopes: ["read"] });
});
