/**
 * GetUserAttributeVerificationCode sends the code to the attribute it names and answers where it went
 * (CodeDeliveryDetails, masked; API_GetUserAttributeVerificationCode). cognito-local answered `{}` and sent the code to
 * the pool's first auto-verified attribute the user had, whatever the name.
 */
import { ConfirmSignUpCommand, GetUserAttributeVerificationCodeCommand, SignUpCommand, UpdateUserPoolCommand, VerifyUserAttributeCommand } from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { attributeList, attributesOf, hostedUiClient, outcome, passwordSignIn, quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_VerifyCode1";
const clientId = "verifycodeclient0000000000";
const password = "Chosen-horse-99";
const local = quietCognitoForFile("verify-code");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "verify-code" });
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, AutoVerifiedAttributes: ["email"] }));
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, ["http://localhost:5173/"]);
});

it("sends the code to the attribute named and answers where it went; the code verifies that attribute", async () => {
  await local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: "jane", Password: password, UserAttributes: attributeList({ email: "jane@example.com", phone_number: "+15550100001" }) }));
  await local.sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: "jane", ConfirmationCode: local.emulator.lastCode("jane@example.com") }));
  const { AuthenticationResult } = await passwordSignIn(local.sdk, clientId, "jane", password);
  const AccessToken = AuthenticationResult!.AccessToken!;

  // The phone number, though the pool auto-verifies email only: cognito-local sent this one to the email address.
  const phone = await local.sdk.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: "phone_number" }));
  expect(phone.CodeDeliveryDetails).toEqual({ AttributeName: "phone_number", DeliveryMedium: "SMS", Destination: "+*******0001" });
  const code = local.emulator.lastCode("+15550100001");
  expect(code).toMatch(/^\d+$/);
  await local.sdk.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: "phone_number", Code: code }));
  expect(await attributesOf(local.sdk, userPoolId, "jane")).toMatchObject({ phone_number_verified: "true" });

  const email = await local.sdk.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: "email" }));
  expect(email.CodeDeliveryDetails).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "j***@e***" });
});

it("refuses an attribute the user does not have, with InvalidParameterException", async () => {
  await local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: "kim", Password: password, UserAttributes: attributeList({ email: "kim@example.com" }) }));
  await local.sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: "kim", ConfirmationCode: local.emulator.lastCode("kim@example.com") }));
  const { AuthenticationResult } = await passwordSignIn(local.sdk, clientId, "kim", password);
  expect(await outcome(local.sdk.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: AuthenticationResult!.AccessToken, AttributeName: "phone_number" })))).toContain("InvalidParameterException");
});
