/**
 * SMS and MFA on a user pool, as the AWS provider sends them: an smsConfiguration is SMS MFA whenever MFA is ON or
 * OPTIONAL (SetUserPoolMfaConfig's SmsMfaConfiguration), so Cognito's "Can't turn off SMS_MFA when SMS configuration is
 * set for the user pool" shape is never sent, an smsAuthenticationMessage alone is no factor, and the fix
 * CognitoPhoneVerificationSms asks for (an smsConfiguration) says that it turns SMS MFA on.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../local/offline/mocks";
import { checkDeployRules, COGNITO_MFA_METHOD, COGNITO_PHONE_VERIFICATION_SMS } from "../../testing/deploy-rules";
import { devContext, handBuilt } from "./fixture";

const POOL = "aws:cognito/userPool:UserPool";
const SMS = { snsCallerArn: "arn:aws:iam::123456789012:role/pool-sms", externalId: "pool-sms" };
const pool = (inputs: Record<string, any>) => handBuilt(POOL, "pool", { emailConfiguration: { emailSendingAccount: "COGNITO_DEFAULT" }, ...inputs });
const check = (graph: RecordedResource[], rule = COGNITO_MFA_METHOD) => checkDeployRules(graph, devContext, [rule]);

describe("CognitoMfaMethod and SMS", () => {
  it("counts an smsConfiguration as the SMS factor, alone or beside TOTP, in either MFA mode", () => {
    for (const mode of ["ON", "OPTIONAL"]) {
      expect(check([pool({ mfaConfiguration: mode, smsConfiguration: SMS })])).toEqual([]);
      expect(check([pool({ mfaConfiguration: mode, smsConfiguration: SMS, softwareTokenMfaConfiguration: { enabled: true }, autoVerifiedAttributes: ["phone_number"] })])).toEqual([]);
    }
  });

  it("says that an smsAuthenticationMessage without an smsConfiguration is no factor, and how to configure SMS MFA", () => {
    const [only] = check([pool({ mfaConfiguration: "OPTIONAL", smsAuthenticationMessage: "Your code is {####}" })]);
    expect(only.problem).toBe(
      "has MFA OPTIONAL but no factor (no software token, SMS or email MFA configuration); smsAuthenticationMessage alone does not turn SMS MFA on: the provider sends SMS MFA only with an smsConfiguration",
    );
    expect(only.fix).toMatch(/configure SMS MFA \(smsConfiguration \{ snsCallerArn, externalId \}/);
    const [bare] = check([pool({ mfaConfiguration: "ON" })]);
    expect(bare.problem).toBe("has MFA ON but no factor (no software token, SMS or email MFA configuration)");
  });

  it("reports nothing with MFA OFF, whatever SMS settings the pool has", () => {
    expect(check([pool({ mfaConfiguration: "OFF", smsAuthenticationMessage: "Your code is {####}", smsConfiguration: SMS })])).toEqual([]);
    expect(check([pool({ smsAuthenticationMessage: "Your code is {####}" })])).toEqual([]);
  });
});

describe("CognitoPhoneVerificationSms's fix and SMS MFA", () => {
  const phone = (inputs: Record<string, any>) => check([pool({ autoVerifiedAttributes: ["email", "phone_number"], ...inputs })], COGNITO_PHONE_VERIFICATION_SMS);

  it("tells a pool with MFA ON or OPTIONAL that the smsConfiguration it asks for makes SMS an MFA factor, which Cognito will not let it leave out", () => {
    for (const mode of ["ON", "OPTIONAL"]) {
      const [found] = phone({ mfaConfiguration: mode, softwareTokenMfaConfiguration: { enabled: true } });
      expect(found.fix).toBe(
        `give the pool smsConfiguration { snsCallerArn: <role Cognito assumes to publish with SNS>, externalId }, or auto-verify "email" only; with MFA ${mode} that also makes SMS one of the pool's MFA factors (the provider sends smsConfiguration as SMS MFA, and Cognito refuses an SMS configuration with SMS MFA off: "Can't turn off SMS_MFA when SMS configuration is set for the user pool"), so to keep SMS out of MFA auto-verify "email" only`,
      );
    }
  });

  it("tells a pool with MFA OFF (or unset) that turning MFA on later brings SMS MFA with it", () => {
    for (const inputs of [{ mfaConfiguration: "OFF" }, {}]) {
      const [found] = phone(inputs);
      expect(found.fix).toMatch(/; should mfaConfiguration later be ON or OPTIONAL, SMS then becomes one of its MFA factors too \(Cognito refuses an SMS configuration on a pool whose MFA is on but leaves SMS out\)$/);
    }
  });
});
