/**
 * SignUp without a password (Password left out, or blank) creates a passwordless user only in a pool whose sign-in
 * policy allows passwordless sign-in (AllowedFirstAuthFactors with EMAIL_OTP or SMS_OTP); in a pool that allows PASSWORD
 * only (no policy: UserAuth's pools) it is InvalidParameterException and no user. cognito-local stored a user without a
 * password in any pool.
 */
import { SignUpCommand, UpdateUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { attributeList, attributesOf, outcome, quietCognitoForFile } from "../harness/cognito-users";

const passwordPool = "us-east-1_Passwords1";
const passwordlessPool = "us-east-1_Passwordless1";
const passwordClient = "passwordsclient0000000000";
const passwordlessClient = "passwordlessclient0000000";
const PASSWORD_REQUIRED =
  "InvalidParameterException: Password is required: this user pool's sign-in policy allows no passwordless sign-in (AllowedFirstAuthFactors without EMAIL_OTP or SMS_OTP).";
const local = quietCognitoForFile("passwordless");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: passwordPool, Name: "passwords" });
  await local.emulator.ensureUserPool({ Id: passwordlessPool, Name: "passwordless" });
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: passwordlessPool, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } } }));
  await local.emulator.ensureClient(passwordPool, passwordClient, "passwords");
  await local.emulator.ensureClient(passwordlessPool, passwordlessClient, "passwordless");
});

const signUp = (clientId: string, email: string, password?: string) =>
  outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: attributeList({ email }) })));

it("refuses SignUp without a password, or with a blank one, in a pool that allows password sign-in only, and creates no user", async () => {
  for (const [email, password] of [["ann@example.com", undefined], ["bob@example.com", ""]] as const) {
    expect(await signUp(passwordClient, email, password)).toBe(PASSWORD_REQUIRED);
    expect(await outcome(attributesOf(local.sdk, passwordPool, email))).toBe("UserNotFoundException: User does not exist.");
  }
  expect(await signUp(passwordClient, "ann@example.com", "Chosen-horse-99")).toBe("ok");
});

it("creates a passwordless user in a pool that allows sign-in by email one-time password", async () => {
  expect(await signUp(passwordlessClient, "cy@example.com")).toBe("ok");
  expect(await signUp(passwordlessClient, "dee@example.com", "")).toBe("ok");
  expect(await attributesOf(local.sdk, passwordlessPool, "dee@example.com")).toMatchObject({ email: "dee@example.com" });
});
