/** npm start keeps auth state between runs (until --fresh): provisioning again changes nothing a user relies on. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminGetUserCommand, AdminListGroupsForUserCommand, CognitoIdentityProviderClient, InitiateAuthCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
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

describe("a demo user whose seeding a start did not finish", () => {
  it("is confirmed, verified and put in its groups by the next start when a start stopped after signing it up (it was UNCONFIRMED for good)", async () => {
    const interruptedState = mkdtempSync(join(tmpdir(), "sf-cognito-interrupted-"));
    // The state a start killed between SignUp and AdminConfirmSignUp leaves: the pool and client, the user signed up.
    const withoutDemoUser = () => {
      new UserAuth("auth", { callbackUrls: ["http://localhost:3000/"], mfa: "OPTIONAL", groups: [{ name: "admin" }] });
      return {};
    };
    const first = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: interruptedState, load: withoutDemoUser });
    const env = first.context.environment;
    const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: "demo@example.com", Password: "Local-demo-pass-1", UserAttributes: [{ Name: "email", Value: "demo@example.com" }] }));
      expect((await sdk.send(new AdminGetUserCommand({ UserPoolId: env.USER_POOL_ID, Username: "demo@example.com" }))).UserStatus).toBe("UNCONFIRMED");
    } finally {
      sdk.destroy();
      await first.stop();
    }

    const app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: interruptedState, load: program });
    const again = new CognitoIdentityProviderClient({ endpoint: app.context.environment.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      const user = await again.send(new AdminGetUserCommand({ UserPoolId: app.context.environment.USER_POOL_ID, Username: "demo@example.com" }));
      expect(user.UserStatus).toBe("CONFIRMED");
      expect(user.UserAttributes).toContainEqual({ Name: "email_verified", Value: "true" });
      const result = await again.send(
        new InitiateAuthCommand({ ClientId: app.context.environment.USER_POOL_CLIENT_ID, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "demo@example.com", PASSWORD: "Local-demo-pass-1" } }),
      );
      const claims = await createTokenVerifier({ issuer: app.context.environment.COGNITO_ISSUER, clientId: app.context.environment.USER_POOL_CLIENT_ID, tokenUse: "id" }).verify(result.AuthenticationResult!.IdToken!);
      expect(claims["cognito:groups"]).toEqual(["admin"]);
    } finally {
      again.destroy();
      await app.stop();
    }
  });

  it("leaves an UNCONFIRMED user of that name alone when its password is not the demo user's (one signed up by hand, not by a start)", async () => {
    const state = mkdtempSync(join(tmpdir(), "sf-cognito-by-hand-"));
    const withoutDemoUser = () => {
      new UserAuth("auth", { callbackUrls: ["http://localhost:3000/"], mfa: "OPTIONAL", groups: [{ name: "admin" }] });
      return {};
    };
    const first = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: state, load: withoutDemoUser });
    const env = first.context.environment;
    const sdk = new CognitoIdentityProviderClient({ endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      await sdk.send(new SignUpCommand({ ClientId: env.USER_POOL_CLIENT_ID, Username: "demo@example.com", Password: "Someone-elses-9", UserAttributes: [{ Name: "email", Value: "demo@example.com" }] }));
    } finally {
      sdk.destroy();
      await first.stop();
    }

    const app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: state, load: program });
    const again = new CognitoIdentityProviderClient({ endpoint: app.context.environment.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      const user = await again.send(new AdminGetUserCommand({ UserPoolId: app.context.environment.USER_POOL_ID, Username: "demo@example.com" }));
      expect(user.UserStatus).toBe("UNCONFIRMED");
      expect(user.UserAttributes).not.toContainEqual({ Name: "email_verified", Value: "true" });
      const groups = await again.send(new AdminListGroupsForUserCommand({ UserPoolId: app.context.environment.USER_POOL_ID, Username: "demo@example.com" }));
      expect(groups.Groups).toEqual([]);
    } finally {
      again.destroy();
      await app.stop();
    }
  });
});
