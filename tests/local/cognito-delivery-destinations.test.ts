/**
 * CodeDeliveryDetails' Destination is masked as Cognito masks it (jane@example.com answered "j***@e***", as the
 * live API answers; a phone number "+" and its last four digits, the others `*`), in every answer that has one
 * (SignUp, UpdateUserAttributes' list, ForgotPassword): cognito-local answered the address or number itself. The code
 * still goes to the address itself (lastCode).
 */
import { ConfirmSignUpCommand, ForgotPasswordCommand, SignUpCommand, UpdateUserAttributesCommand, UpdateUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { attributeList, hostedUiClient, passwordSignIn, quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_Masked001";
const clientId = "maskedclient00000000000000";
const password = "Chosen-horse-99";
const local = quietCognitoForFile("masked");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "masked" });
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, AutoVerifiedAttributes: ["email"] }));
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, ["http://localhost:5173/"]);
});

it("masks SignUp's, UpdateUserAttributes' and ForgotPassword's destination, and sends the code to the address itself", async () => {
  const signUp = await local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: "jane", Password: password, UserAttributes: attributeList({ email: "jane@example.com" }) }));
  expect(signUp.CodeDeliveryDetails).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "j***@e***" });
  await local.sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: "jane", ConfirmationCode: local.emulator.lastCode("jane@example.com") }));

  // Confirmed, the address is verified: ForgotPassword sends to it.
  const forgot = await local.sdk.send(new ForgotPasswordCommand({ ClientId: clientId, Username: "jane" }));
  expect(forgot.CodeDeliveryDetails).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "j***@e***" });

  const { AuthenticationResult } = await passwordSignIn(local.sdk, clientId, "jane", password);
  const updated = await local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: AuthenticationResult!.AccessToken, UserAttributes: attributeList({ email: "kim@mail.example.org" }) }));
  expect(updated.CodeDeliveryDetailsList).toEqual([{ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "k***@m***" }]);
  expect(local.emulator.lastCode("kim@mail.example.org")).toMatch(/^\d+$/);
});
