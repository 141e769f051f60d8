/**
 * AdminCreateUser with MessageAction RESEND, which cognito-local refuses for every user ("Unsupported"): for a user
 * still in FORCE_CHANGE_PASSWORD it sends the invitation again with a new temporary password, whose
 * TemporaryPasswordValidityDays run from then; any other user is refused with UnsupportedUserStateException, an
 * unknown one with UserNotFoundException. On a clock the test moves.
 */
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CognitoEmulator } from "../../local/cognito-emulator";
import { freshCognitoDir, localCognitoClient, passwordSignIn, startQuietCognito } from "../harness/cognito-users";

const userPoolId = "us-east-1_Resend001";
const clientId = "resendclient000000000000a";
const DAY = 24 * 60 * 60 * 1000;
const clock = { now: Date.now(), get: () => new Date(clock.now) };
let emulator: CognitoEmulator;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  emulator = await startQuietCognito(freshCognitoDir("resend"), clock);
  sdk = localCognitoClient(emulator.url);
  await emulator.ensureUserPool({ Id: userPoolId, Name: "resend" });
  await emulator.ensureClient(userPoolId, clientId, "resend");
  await sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] }));
});
afterAll(async () => {
  sdk?.destroy();
  await emulator?.stop();
});

const invite = (username: string, more: { MessageAction?: "RESEND"; TemporaryPassword?: string } = {}) =>
  sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: username,
      DesiredDeliveryMediums: ["EMAIL"],
      ...(more.MessageAction ? {} : { UserAttributes: [{ Name: "email", Value: `${username}@example.com` }] }),
      ...more,
    }),
  );
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name: string; message: string }) => ({ name: error.name, message: error.message }),
  );

describe("AdminCreateUser MessageAction RESEND", () => {
  it("sends a new temporary password to a user past the old one's validity, which then signs in; the old one no longer does", async () => {
    await invite("bob", { TemporaryPassword: "First-temp-9" });
    expect(emulator.lastCode("bob@example.com")).toBe("First-temp-9");
    clock.now += 8 * DAY; // past the default TemporaryPasswordValidityDays, 7
    expect(await failure(passwordSignIn(sdk, clientId, "bob", "First-temp-9"))).toMatchObject({ name: "NotAuthorizedException" });

    const resent = await invite("bob", { MessageAction: "RESEND" });
    expect(resent.User).toMatchObject({ Username: "bob", UserStatus: "FORCE_CHANGE_PASSWORD", Enabled: true });
    const second = emulator.lastCode("bob@example.com")!;
    expect(second).not.toBe("First-temp-9");
    expect((await passwordSignIn(sdk, clientId, "bob", second)).ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(await failure(passwordSignIn(sdk, clientId, "bob", "First-temp-9"))).toEqual({ name: "NotAuthorizedException", message: "Incorrect username or password." });

    clock.now += 6 * DAY; // within the new password's seven days
    expect((await passwordSignIn(sdk, clientId, "bob", second)).ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  });

  it("takes the TemporaryPassword given with RESEND", async () => {
    await invite("cat", { TemporaryPassword: "First-temp-9" });
    await invite("cat", { MessageAction: "RESEND", TemporaryPassword: "Second-temp-9" });
    expect(emulator.lastCode("cat@example.com")).toBe("Second-temp-9");
    expect((await passwordSignIn(sdk, clientId, "cat", "Second-temp-9")).ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  });

  it("refuses a user who is no longer in FORCE_CHANGE_PASSWORD (UnsupportedUserStateException), and an unknown one (UserNotFoundException)", async () => {
    await invite("dan", { TemporaryPassword: "First-temp-9" });
    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: "dan", Password: "Correct-horse-9", Permanent: true }));
    expect(await failure(invite("dan", { MessageAction: "RESEND" }))).toEqual({ name: "UnsupportedUserStateException", message: "Resend not possible. dan status is not FORCE_CHANGE_PASSWORD" });
    expect(await failure(invite("nobody", { MessageAction: "RESEND" }))).toMatchObject({ name: "UserNotFoundException" });
  });

  it("answers an AdminCreateUser (RESEND or not) without a Username as Cognito's validation does, and takes a null TemporaryPassword as none (no HTTP 500)", async () => {
    const raw = async (body: object) => {
      const response = await fetch(emulator.url, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.AdminCreateUser" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { __type?: string; message?: string } };
    };
    // Without RESEND too: cognito-local stored a user without a Username.
    for (const body of [{ MessageAction: "RESEND" }, { MessageAction: "RESEND", Username: null }, {}, { Username: null, MessageAction: "SUPPRESS" }]) {
      expect(await raw({ UserPoolId: userPoolId, ...body })).toEqual({
        status: 400,
        body: { __type: "InvalidParameterException", message: "1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null" },
      });
    }
    await invite("eve", { TemporaryPassword: "First-temp-9" });
    const resent = await raw({ UserPoolId: userPoolId, Username: "eve", MessageAction: "RESEND", TemporaryPassword: null, DesiredDeliveryMediums: ["EMAIL"] });
    expect(resent.status).toBe(200);
    const second = emulator.lastCode("eve@example.com")!;
    expect(second).not.toBe("First-temp-9");
    expect((await passwordSignIn(sdk, clientId, "eve", second)).ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  });
});
