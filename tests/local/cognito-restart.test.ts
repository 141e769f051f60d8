/** npm start keeps auth state between runs (until --fresh): provisioning again changes nothing a user relies on. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient, InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { describe, expect, it, vi } from "vitest";
import { UserAuth } from "../../components/user-auth";
import { createTokenVerifier } from "../../handlers/shared/jwt";
import { startLocalApp } from "../../local/start";

const stateDir = mkdtempSync(join(tmpdir(), "sf-cognito-restart-"));
// A program function (not index.ts, which a test file can only import once) so each start runs it again.
const program = () => {
  new UserAuth("auth", {
    callbackUrls: ["http://localhost:3000/"],
    mfa: "OPTIONAL",
    groups: [{ name: "admin" }],
    localDemoUser: { email: "demo@example.com", password: "Local-demo-pass-1", groups: ["admin"] },
  });
  return {};
};

async function demoSignIn() {
  const app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir, load: program });
  const env = app.context.environment;
  const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    const result = await sdk.send(
      new InitiateAuthCommand({ ClientId: env.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "demo@example.com", PASSWORD: "Local-demo-pass-1" } }),
    );
    return await createTokenVerifier({ issuer: env.COGNITO_ISSUER, clientId: env.USER_POOL_CLIENT_ID, tokenUse: "id" }).verify(result.AuthenticationResult!.IdToken!);
  } finally {
    sdk.destroy();
    await app.stop();
  }
}

describe("auth state across npm start runs", () => {
  it("keeps the demo user (same sub, still in admin) when started again on the same state", async () => {
    const first = await demoSignIn();
    const second = await demoSignIn();
    expect(second.sub).toBe(first.sub);
    expect(second["cognito:groups"]).toEqual(["admin"]);
  });

  it("provisions a kept pool, its client, groups and demo user with no SDK client (the first request of one is ≈40 ms of the ready path, issue 15)", async () => {
    await demoSignIn();
    const send = vi.spyOn(CognitoIdentityProviderClient.prototype, "send");
    try {
      const app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir, load: program });
      await app.stop();
      expect(send).not.toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
    expect((await demoSignIn())["cognito:groups"]).toEqual(["admin"]);
  });
});
