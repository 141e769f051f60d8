/**
 * UserAuth signing users in with phone numbers: the pool is created (Cognito takes UsernameAttributes phone_number
 * without an SMS configuration), auto-verifying email only, and the component warns that no SMS is sent and phone
 * numbers stay unverified. In no MFA mode does it set smsConfiguration or smsAuthenticationMessage, so its MFA is
 * never SMS (deploy rule CognitoMfaMethod on how the provider turns an SMS configuration into SMS MFA).
 */
import { describe, expect, it } from "vitest";
import { UserAuth, type UserAuthArgs } from "../../components/user-auth";
import { resource } from "../harness/mocks";
import { recordWarnings } from "../harness/warnings";

const base: UserAuthArgs = { callbackUrls: ["https://gallery.example.com/"], identityPool: { enabled: false } };

describe("UserAuth with phone-number sign-in", () => {
  it("creates the pool auto-verifying email only, and warns that Cognito sends no SMS, so phone numbers stay unverified", async () => {
    const { graph, warned } = await recordWarnings(() => new UserAuth("phone", { ...base, usernameAttributes: ["phone_number"] }));
    const pool = resource(graph, "aws:cognito/userPool:UserPool", "phone-pool");
    expect(pool.inputs).toMatchObject({ usernameAttributes: ["phone_number"], autoVerifiedAttributes: ["email"] });
    expect(pool.inputs.smsConfiguration).toBeUndefined();
    expect(warned.filter((m) => m.includes("usernameAttributes"))).toEqual([
      expect.stringMatching(/^UserAuth "phone": usernameAttributes \["phone_number"\] lets users sign in with a phone number, but UserAuth gives the pool no SMS configuration and auto-verifies email only, so Cognito sends no SMS and never verifies those phone numbers .*\. Use \["email"\] \(the default\), or verify phone numbers yourself/),
    ]);
  });

  it("gives the pool no SMS settings in any MFA mode, so neither SMS MFA nor its refused SMS-off shape can arise", async () => {
    const { graph } = await recordWarnings(() => {
      for (const mfa of ["ON", "OPTIONAL", "OFF"] as const) new UserAuth(`p-${mfa.toLowerCase()}`, { ...base, mfa, usernameAttributes: ["phone_number"] });
    });
    for (const name of ["p-on-pool", "p-optional-pool", "p-off-pool"]) {
      const pool = resource(graph, "aws:cognito/userPool:UserPool", name);
      expect(pool.inputs.smsConfiguration).toBeUndefined();
      expect(pool.inputs.smsAuthenticationMessage).toBeUndefined();
      expect(pool.inputs.autoVerifiedAttributes).toEqual(["email"]);
    }
    expect(resource(graph, "aws:cognito/userPool:UserPool", "p-on-pool").inputs).toMatchObject({ mfaConfiguration: "ON", softwareTokenMfaConfiguration: { enabled: true } });
  });

  it("warns of nothing for email sign-in (the default) or a separate user name", async () => {
    const { warned } = await recordWarnings(() => {
      new UserAuth("mail", base);
      new UserAuth("named", { ...base, usernameAttributes: [] });
    });
    expect(warned.filter((m) => m.includes("usernameAttributes"))).toEqual([]);
  });
});
