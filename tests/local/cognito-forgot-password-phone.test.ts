/**
 * ForgotPassword for a user with a phone number and no email address (cognito-local: HTTP 500 "ForgotPassword without
 * email on user"): a verified number gets the code by SMS (captured locally as an email code is), an unverified one, or
 * a pool whose account recovery does not use the phone, is Cognito's InvalidParameterException.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { attributeList, hostedUiClient, outcome, passwordSignIn, quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_Phones1";
const emailOnlyPoolId = "us-east-1_Phones2";
const clientId = "phonesclient0000000000000a";
const emailOnlyClientId = "phonesclient0000000000000b";
const NO_CONTACT = "InvalidParameterException: Cannot reset password for the user as there is no registered/verified email or phone_number";
const local = quietCognitoForFile("phones");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "phones" });
  await local.emulator.ensureUserPool({ Id: emailOnlyPoolId, Name: "phones-email-recovery" });
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: emailOnlyPoolId, AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] } }));
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, ["http://localhost:5173/"]);
  await hostedUiClient(local.emulator, local.sdk, emailOnlyPoolId, emailOnlyClientId, ["http://localhost:5173/"]);
});

/** A confirmed user of `poolId` with `phoneNumber` and no email address, its number verified or not. */
async function phoneUser(poolId: string, username: string, phoneNumber: string, verified: boolean): Promise<void> {
  await local.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: "SUPPRESS", UserAttributes: attributeList({ phone_number: phoneNumber }) }));
  await local.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: "Chosen-horse-99", Permanent: true }));
  if (verified) await local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: username, UserAttributes: attributeList({ phone_number: phoneNumber, phone_number_verified: "true" }) }));
}

it("sends the code for a verified phone number by SMS, and the code resets the password", async () => {
  await phoneUser(userPoolId, "ann", "+15550100001", true);
  const answer = await local.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: "ann" }));
  expect(answer.CodeDeliveryDetails).toEqual({ AttributeName: "phone_number", DeliveryMedium: "SMS", Destination: "+15550100001" });
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
