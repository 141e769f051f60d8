/**
 * ForgotPassword sends its code to a verified email address or phone number, in the order of the pool's
 * AccountRecoverySetting (none: SMS first, Cognito's legacy order): a user with a phone number and no email address
 * (cognito-local: HTTP 500 "ForgotPassword without email on user") gets it by SMS (captured locally as an email code
 * is); a user with nothing verified, or only what the pool's recovery does not use, is Cognito's
 * InvalidParameterException (cognito-local sent to any email address, verified or not, and always to the email).
 * The answer's Destination is masked, as Cognito's is (cognito-delivery-destinations.test.ts).
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  SetUserMFAPreferenceCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { attributeList, hostedUiClient, outcome, passwordSignIn, quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_Phones1";
const emailOnlyPoolId = "us-east-1_Phones2";
const emailFirstPoolId = "us-east-1_Phones3";
const clientId = "phonesclient0000000000000a";
const emailOnlyClientId = "phonesclient0000000000000b";
const emailFirstClientId = "phonesclient0000000000000c";
const NO_CONTACT = "InvalidParameterException: Cannot reset password for the user as there is no registered/verified email or phone_number";
const local = quietCognitoForFile("phones");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "phones" });
  await local.emulator.ensureUserPool({ Id: emailOnlyPoolId, Name: "phones-email-recovery" });
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: emailOnlyPoolId, AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] } }));
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, ["http://localhost:5173/"]);
  await hostedUiClient(local.emulator, local.sdk, emailOnlyPoolId, emailOnlyClientId, ["http://localhost:5173/"]);
  await local.emulator.ensureUserPool({ Id: emailFirstPoolId, Name: "phones-email-first" });
  const emailFirst = [{ Name: "verified_phone_number" as const, Priority: 2 }, { Name: "verified_email" as const, Priority: 1 }];
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: emailFirstPoolId, AccountRecoverySetting: { RecoveryMechanisms: emailFirst } }));
  await hostedUiClient(local.emulator, local.sdk, emailFirstPoolId, emailFirstClientId, ["http://localhost:5173/"]);
});

/** A confirmed user of `poolId` with `attributes` (the verified flags among them, as an administrator sets them). */
async function userWith(poolId: string, username: string, attributes: Record<string, string>): Promise<void> {
  await local.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: "SUPPRESS", UserAttributes: attributeList(attributes) }));
  await local.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: "Chosen-horse-99", Permanent: true }));
}

/** Where ForgotPassword sent `username`'s code (its CodeDeliveryDetails), or its error. */
const forgot = (clientId: string, username: string) =>
  local.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username })).then(
    (answer) => answer.CodeDeliveryDetails,
    (error: Error) => `${error.name}: ${error.message}`,
  );

/** A confirmed user of `poolId` with `phoneNumber` and no email address, its number verified or not. */
async function phoneUser(poolId: string, username: string, phoneNumber: string, verified: boolean): Promise<void> {
  await local.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: "SUPPRESS", UserAttributes: attributeList({ phone_number: phoneNumber }) }));
  await local.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: "Chosen-horse-99", Permanent: true }));
  if (verified) await local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: username, UserAttributes: attributeList({ phone_number: phoneNumber, phone_number_verified: "true" }) }));
}

it("sends the code for a verified phone number by SMS, and the code resets the password", async () => {
  await phoneUser(userPoolId, "ann", "+15550100001", true);
  const answer = await local.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: "ann" }));
  expect(answer.CodeDeliveryDetails).toEqual({ AttributeName: "phone_number", DeliveryMedium: "SMS", Destination: "+*******0001" });
  const code = local.emulator.lastCode("+15550100001");
  expect(code).toMatch(/^\d+$/);
  await local.sdk.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: "ann", ConfirmationCode: code, Password: "Another-horse-77" }));
  expect(await outcome(passwordSignIn(local.sdk, clientId, "ann", "Another-horse-77"))).toBe("ok");
});

it("refuses an unverified phone number, or a pool that recovers accounts by email only, with Cognito's InvalidParameterException", async () => {
  await phoneUser(userPoolId, "bob", "+15550100002", false);
  expect(await outcome(local.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: "bob" })))).toBe(NO_CONTACT);
  await phoneUser(emailOnlyPoolId, "cy", "+15550100003", true);
  expect(await outcome(local.sdk.send(new ForgotPasswordCommand({ ClientId: emailOnlyClientId, Username: "cy" })))).toBe(NO_CONTACT);
  expect(local.emulator.lastCode("+15550100002")).toBeUndefined();
  expect(local.emulator.lastCode("+15550100003")).toBeUndefined();
});

it("refuses a user whose email address is not verified, and sends nothing (cognito-local sent the code)", async () => {
  await userWith(emailOnlyPoolId, "dee", { email: "dee@example.com" });
  await userWith(userPoolId, "eli", { email: "eli@example.com", email_verified: "false", phone_number: "+15550100005" });
  expect(await forgot(emailOnlyClientId, "dee")).toBe(NO_CONTACT);
  expect(await forgot(clientId, "eli")).toBe(NO_CONTACT);
  expect(local.emulator.lastCode("dee@example.com")).toBeUndefined();
  expect(local.emulator.lastCode("eli@example.com")).toBeUndefined();
});

it("sends to the first verified destination in the pool's recovery order: SMS first without a setting, else by Priority", async () => {
  const both = (email: string, phoneNumber: string) => ({ email, email_verified: "true", phone_number: phoneNumber, phone_number_verified: "true" });
  await userWith(userPoolId, "fay", both("fay@example.com", "+15550100006"));
  expect(await forgot(clientId, "fay")).toEqual({ AttributeName: "phone_number", DeliveryMedium: "SMS", Destination: "+*******0006" });
  await userWith(emailFirstPoolId, "gus", both("gus@example.com", "+15550100007"));
  expect(await forgot(emailFirstClientId, "gus")).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "g***@e***" });
  expect(local.emulator.lastCode("gus@example.com")).toMatch(/^\d+$/);
  expect(local.emulator.lastCode("+15550100007")).toBeUndefined();
  // The first mechanism the user cannot use is passed over for the next.
  await userWith(emailFirstPoolId, "hal", { email: "hal@example.com", phone_number: "+15550100008", phone_number_verified: "true" });
  expect(await forgot(emailFirstClientId, "hal")).toEqual({ AttributeName: "phone_number", DeliveryMedium: "SMS", Destination: "+*******0008" });
  await userWith(userPoolId, "ivy", { email: "ivy@example.com", email_verified: "true", phone_number: "+15550100009" });
  expect(await forgot(clientId, "ivy")).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "i***@e***" });
});

it("passes over SMS for a user with SMS MFA in a pool with a recovery setting", async () => {
  await userWith(emailFirstPoolId, "jo", { email: "jo@example.com", email_verified: "false", phone_number: "+15550100010", phone_number_verified: "true" });
  const token = (await passwordSignIn(local.sdk, emailFirstClientId, "jo", "Chosen-horse-99")).AuthenticationResult!.AccessToken!;
  await local.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: token, SMSMfaSettings: { Enabled: true } }));
  expect(await forgot(emailFirstClientId, "jo")).toBe(NO_CONTACT);
});
