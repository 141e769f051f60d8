/**
 * An app client that lists WriteAttributes writes only those (UserPoolClientType's WriteAttributes): SignUp through it
 * and UpdateUserAttributes with its access token giving another attribute are NotAuthorizedException "A client attempted
 * to write unauthorized attribute", nothing stored; a client without the list may write any attribute but the verified
 * flags (email_verified, phone_number_verified), and the administrator's actions are not held to it. cognito-local kept
 * the list and never read it.
 */
import { AdminGetUserCommand, AdminUpdateUserAttributesCommand, SignUpCommand, UpdateUserAttributesCommand, UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { attributeList, attributesOf, confirmedUser, outcome, passwordSignIn, quietCognitoForFile, temporaryUser } from "../harness/cognito-users";

const userPoolId = "us-east-1_Writes1";
const limitedClient = "writesclient000000000000a";
const openClient = "writesclient000000000000b";
const verifyingClient = "writesclient000000000000c";
const password = "Chosen-horse-99";
const UNAUTHORIZED = "NotAuthorizedException: A client attempted to write unauthorized attribute";
const local = quietCognitoForFile("writes");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "writes" });
  for (const clientId of [limitedClient, openClient]) await local.emulator.ensureClient(userPoolId, clientId, clientId);
  await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: limitedClient, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"], WriteAttributes: ["email", "name"] }));
  await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: openClient, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] }));
  await local.emulator.ensureClient(userPoolId, verifyingClient, verifyingClient);
  const verifying = { UserPoolId: userPoolId, ClientId: verifyingClient, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH" as const], WriteAttributes: ["email", "email_verified"] };
  await local.sdk.send(new UpdateUserPoolClientCommand(verifying));
});

it("refuses SignUp through a client giving an attribute outside its WriteAttributes, and creates no user", async () => {
  const signUp = (username: string, clientId: string, attributes: Record<string, string>) =>
    outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: username, Password: password, UserAttributes: attributeList(attributes) })));
  expect(await signUp("ann@example.com", limitedClient, { email: "ann@example.com", nickname: "Annie" })).toBe(UNAUTHORIZED);
  expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: "ann@example.com" })))).toBe("UserNotFoundException: User does not exist.");
  expect(await signUp("ann@example.com", limitedClient, { email: "ann@example.com", name: "Ann" })).toBe("ok");
  expect(await signUp("bob@example.com", openClient, { email: "bob@example.com", nickname: "Bobby" })).toBe("ok");
});

it("refuses UpdateUserAttributes with the client's access token for an attribute outside its WriteAttributes; the administrator is not held to it", async () => {
  const email = "cy@example.com";
  await confirmedUser(local.sdk, userPoolId, limitedClient, email, password);
  const update = async (clientId: string, attributes: Record<string, string>) => {
    const token = (await passwordSignIn(local.sdk, clientId, email, password)).AuthenticationResult!.AccessToken!;
    return outcome(local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: attributeList(attributes) })));
  };
  expect(await update(limitedClient, { name: "Cy", nickname: "C" })).toBe(UNAUTHORIZED);
  expect(await attributesOf(local.sdk, userPoolId, email)).not.toHaveProperty("name");
  expect(await update(limitedClient, { name: "Cy" })).toBe("ok");
  expect(await update(openClient, { nickname: "C" })).toBe("ok");
  await local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: [{ Name: "website", Value: "https://example.com" }] }));
  expect(await attributesOf(local.sdk, userPoolId, email)).toMatchObject({ name: "Cy", nickname: "C", website: "https://example.com" });
});

it("refuses the verified flags from a client without WriteAttributes (its default is the standard attributes without them); the administrator sets them", async () => {
  const email = "dee@example.com";
  const signUp = outcome(
    local.sdk.send(new SignUpCommand({ ClientId: openClient, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }, { Name: "email_verified", Value: "true" }] })),
  );
  expect(await signUp).toBe(UNAUTHORIZED);
  expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))).toBe("UserNotFoundException: User does not exist.");
  await confirmedUser(local.sdk, userPoolId, openClient, email, password);
  const token = (await passwordSignIn(local.sdk, openClient, email, password)).AuthenticationResult!.AccessToken!;
  for (const flag of ["email_verified", "phone_number_verified"]) {
    const update = local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: flag, Value: "true" }] }));
    expect(await outcome(update)).toBe(UNAUTHORIZED);
  }
  expect(await attributesOf(local.sdk, userPoolId, email)).not.toHaveProperty("phone_number_verified");
  await local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: [{ Name: "email", Value: email }, { Name: "email_verified", Value: "true" }] }));
  expect(await attributesOf(local.sdk, userPoolId, email)).toMatchObject({ email_verified: "true" });
});

it("answers SignUp through an unknown client that there is no such client, whatever attributes it gives", async () => {
  const signUp = local.sdk.send(
    new SignUpCommand({ ClientId: "nosuchclient", Username: "eve@example.com", Password: password, UserAttributes: [{ Name: "email", Value: "eve@example.com" }, { Name: "email_verified", Value: "true" }] }),
  );
  expect(await outcome(signUp)).toBe("ResourceNotFoundException: User pool client nosuchclient does not exist.");
});

it("lets the administrator mark a user's email address verified with email_verified alone, as Cognito does (cognito-local wanted the address sent again)", async () => {
  const email = "eve@example.com";
  await temporaryUser(local.sdk, userPoolId, email, "Temporary-horse-9");
  expect(await attributesOf(local.sdk, userPoolId, email)).not.toHaveProperty("email_verified");
  const adminUpdate = (attributes: Record<string, string>) => outcome(local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: attributeList(attributes) })));
  expect(await adminUpdate({ email_verified: "true", name: "Eve" })).toBe("ok");
  expect(await attributesOf(local.sdk, userPoolId, email)).toMatchObject({ email, email_verified: "true", name: "Eve" });
  expect(await adminUpdate({ email_verified: "false" })).toBe("ok");
  expect(await attributesOf(local.sdk, userPoolId, email)).toMatchObject({ email, email_verified: "false" });
  // A flag for an attribute the user lacks is still refused (Cognito's answer there not confirmed).
  expect(await adminUpdate({ phone_number_verified: "true" })).toBe("InvalidParameterException: Phone Number is required to verify/un-verify a phone number");
});

it("lets a user mark their own email address verified with email_verified alone through a client whose WriteAttributes list it", async () => {
  const email = "fay@example.com";
  await confirmedUser(local.sdk, userPoolId, verifyingClient, email, password);
  expect(await attributesOf(local.sdk, userPoolId, email)).not.toHaveProperty("email_verified");
  const token = (await passwordSignIn(local.sdk, verifyingClient, email, password)).AuthenticationResult!.AccessToken!;
  const update = (attributes: Record<string, string>) => outcome(local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: attributeList(attributes) })));
  expect(await update({ email_verified: "true" })).toBe("ok");
  expect(await attributesOf(local.sdk, userPoolId, email)).toMatchObject({ email, email_verified: "true" });
  // A flag the client does not list is refused before, as ever.
  expect(await update({ phone_number_verified: "true" })).toBe(UNAUTHORIZED);
});
