/**
 * Requests the embedded Cognito emulator refuses as Cognito does, where cognito-local took them:
 *  - a user attribute outside AttributeType's constraints (Name 1–32 characters of [\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ], Value
 *    at most 2048 characters) in SignUp, AdminCreateUser, UpdateUserAttributes, AdminUpdateUserAttributes and a
 *    NEW_PASSWORD_REQUIRED answer's `userAttributes.<name>`: InvalidParameterException "1 validation error detected:
 *    ...", nothing stored;
 *  - then a user attribute not in the pool's schema (standard ones are in every pool's): "Attributes did not conform to
 *    the schema: <name>: Attribute does not exist in the schema.\n..." (SignUp, AdminCreateUser), "user.<name>: ..."
 *    ((Admin)UpdateUserAttributes, a new-password answer), every one named, nothing stored;
 *  - an attribute name outside the same name constraints in AdminDeleteUserAttributes, DeleteUserAttributes,
 *    VerifyUserAttribute and GetUserAttributeVerificationCode;
 *  - a request naming a UserPoolId and a ClientId (AdminInitiateAuth, AdminRespondToAuthChallenge, ...) whose pool is
 *    unknown ("User pool <id> does not exist.") or whose client is not of that pool ("User pool client <id> does not
 *    exist."), both ResourceNotFoundException; cognito-local took the pool from the client.
 */
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminDeleteUserAttributesCommand,
  AdminUpdateUserAttributesCommand,
  DeleteUserAttributesCommand,
  DescribeUserPoolClientCommand,
  GetUserAttributeVerificationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, describe, expect, it } from "vitest";
import { confirmedUser, hostedUiClient, outcome, passwordSignIn, quietCognitoForFile, temporaryUser } from "../harness/cognito-users";

const userPoolId = "us-east-1_Limits1";
const otherPoolId = "us-east-1_Limits2";
const clientId = "limitsclient000000000000a";
const otherClientId = "limitsclient000000000000b";
const password = "Chosen-horse-99";
const temporary = "Temporary-horse-9";
const LONG = "x".repeat(2049);
const valueTooLong = (at: string) => `InvalidParameterException: 1 validation error detected: Value at '${at}' failed to satisfy constraint: Member must have length less than or equal to 2048`;
const local = quietCognitoForFile("limits");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "limits" });
  await local.emulator.ensureUserPool({ Id: otherPoolId, Name: "limits-other" });
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, ["http://localhost:5173/"], { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"] });
  await hostedUiClient(local.emulator, local.sdk, otherPoolId, otherClientId, ["http://localhost:5173/"], { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"] });
});

let users = 0;
const nextEmail = () => `user${++users}@example.com`;
const nameOf = async (email: string) => (await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserAttributes?.find((a) => a.Name === "name")?.Value;
/** A temporary user signed in with AdminInitiateAuth (NEW_PASSWORD_REQUIRED) and a way to answer with the new password plus `extra` responses. */
async function newPasswordChallenge() {
  const email = await temporaryUser(local.sdk, userPoolId, nextEmail(), temporary);
  const started = await local.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: temporary } }));
  const answer = (extra: Record<string, string>) =>
    outcome(
      local.sdk.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: userPoolId,
          ClientId: clientId,
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          Session: started.Session!,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password, ...extra },
        }),
      ),
    );
  return { email, started, answer };
}

describe("user attributes (AttributeType: Name 1–32 characters, Value at most 2048)", () => {
  it("SignUp and AdminCreateUser refuse a value over 2048 characters, naming where it is; 2048 is taken", async () => {
    const email = nextEmail();
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }, { Name: "name", Value: LONG }] })))).toBe(
      valueTooLong("userAttributes.2.member.value"),
    );
    expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))).toBe("UserNotFoundException: User does not exist.");
    expect(local.emulator.lastCode(email)).toBeUndefined(); // no confirmation code sent either
    expect(
      await outcome(local.sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, TemporaryPassword: temporary, MessageAction: "SUPPRESS", UserAttributes: [{ Name: "name", Value: LONG }] }))),
    ).toBe(valueTooLong("userAttributes.1.member.value"));
    expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))).toBe("UserNotFoundException: User does not exist.");
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }, { Name: "name", Value: "x".repeat(2048) }] })))).toBe("ok");
    expect(await nameOf(email)).toHaveLength(2048);
  });

  it("counts characters, not UTF-16 units: 2048 emoji are taken", async () => {
    const email = nextEmail();
    expect(await outcome(local.sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, TemporaryPassword: temporary, MessageAction: "SUPPRESS", UserAttributes: [{ Name: "name", Value: "😀".repeat(2048) }] })))).toBe("ok");
  });

  it("refuses a name over 32 characters or outside the pattern, every problem counted", async () => {
    const email = nextEmail();
    const name = `custom:${"n".repeat(26)}`;
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: name, Value: "v" }] })))).toBe(
      `InvalidParameterException: 1 validation error detected: Value '${name}' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32`,
    );
    const pattern = "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+";
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "my\u0000name", Value: LONG }] })))).toBe(
      `InvalidParameterException: 2 validation errors detected: Value 'my\u0000name' at 'userAttributes.1.member.name' failed to satisfy constraint: ${pattern}; ` +
        "Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
    // A space, tab or line break is in the pattern of a pool created since May 2024 (API_AttributeType.html): only the value is refused.
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "my name\t\r\n", Value: LONG }] })))).toBe(
      valueTooLong("userAttributes.1.member.value"),
    );
    // One name breaking both: the pattern's problem first, as the service lists them (aws-amplify/amplify-flutter#3125).
    const both = `custom:${"n\u0000".repeat(13)}`;
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: both, Value: "v" }] })))).toBe(
      `InvalidParameterException: 2 validation errors detected: Value '${both}' at 'userAttributes.1.member.name' failed to satisfy constraint: ${pattern}; ` +
        `Value '${both}' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32`,
    );
    expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))).toBe("UserNotFoundException: User does not exist.");
  });

  it("AdminUpdateUserAttributes and UpdateUserAttributes refuse a value over 2048 characters, the user's left as it was", async () => {
    const email = nextEmail();
    await confirmedUser(local.sdk, userPoolId, clientId, email, password);
    await local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: [{ Name: "name", Value: "before" }] }));
    expect(await outcome(local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: [{ Name: "name", Value: LONG }] })))).toBe(valueTooLong("userAttributes.1.member.value"));
    const signedIn = await passwordSignIn(local.sdk, clientId, email, password);
    const accessToken = signedIn.AuthenticationResult!.AccessToken!;
    expect(await outcome(local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: accessToken, UserAttributes: [{ Name: "locale", Value: "en" }, { Name: "name", Value: LONG }] })))).toBe(
      valueTooLong("userAttributes.2.member.value"),
    );
    expect(await nameOf(email)).toBe("before");
  });

  it("a NEW_PASSWORD_REQUIRED answer's userAttributes.<name> over 2048 characters is refused, the password not changed", async () => {
    const { email, started, answer } = await newPasswordChallenge();
    expect(started.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(await answer({ "userAttributes.name": LONG })).toBe(valueTooLong("challengeResponses.userAttributes.name"));
    expect((await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    expect(await answer({ "userAttributes.name": "Ann" })).toBe("ok");
    expect(await nameOf(email)).toBe("Ann");
  });
});

describe("attribute names without values (AttributeNameType: 1–32 characters of AttributeType's name pattern)", () => {
  it("AdminDeleteUserAttributes, DeleteUserAttributes, VerifyUserAttribute and GetUserAttributeVerificationCode refuse a name outside it, the user's left as it was", async () => {
    const email = nextEmail();
    await confirmedUser(local.sdk, userPoolId, clientId, email, password);
    await local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: [{ Name: "name", Value: "kept" }] }));
    const long = `custom:${"n".repeat(26)}`;
    const tooLong = (at: string) => `InvalidParameterException: 1 validation error detected: Value '${long}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to 32`;
    const pattern = "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+";
    expect(await outcome(local.sdk.send(new AdminDeleteUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributeNames: ["name", long] })))).toBe(tooLong("userAttributeNames.2.member"));
    expect(await outcome(local.sdk.send(new AdminDeleteUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributeNames: ["name", ""] })))).toBe(
      "InvalidParameterException: 1 validation error detected: Value '' at 'userAttributeNames.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const accessToken = (await passwordSignIn(local.sdk, clientId, email, password)).AuthenticationResult!.AccessToken!;
    expect(await outcome(local.sdk.send(new DeleteUserAttributesCommand({ AccessToken: accessToken, UserAttributeNames: ["na\u0000me"] })))).toBe(
      `InvalidParameterException: 1 validation error detected: Value 'na\u0000me' at 'userAttributeNames.1.member' failed to satisfy constraint: ${pattern}`,
    );
    expect(await nameOf(email)).toBe("kept");
    expect(await outcome(local.sdk.send(new VerifyUserAttributeCommand({ AccessToken: accessToken, AttributeName: long, Code: "123456" })))).toBe(tooLong("attributeName"));
    expect(await outcome(local.sdk.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: accessToken, AttributeName: long })))).toBe(tooLong("attributeName"));
    expect(await outcome(local.sdk.send(new AdminDeleteUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributeNames: ["name"] })))).toBe("ok");
    expect(await nameOf(email)).toBeUndefined();
  });
});

describe("user attributes not in the pool's schema", () => {
  const notInSchema = (...names: string[]) => names.map((n) => `${n}: Attribute does not exist in the schema.\n`).join("");
  it("SignUp and AdminCreateUser refuse every unknown name (Attributes did not conform to the schema), nothing stored; standard ones are taken undeclared", async () => {
    const email = nextEmail();
    const unknown = [{ Name: "名前", Value: "v" }, { Name: "custom:unknown", Value: "v" }, { Name: "custom:unknown", Value: "w" }];
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }, ...unknown] })))).toBe(
      `InvalidParameterException: Attributes did not conform to the schema: ${notInSchema("名前", "custom:unknown")}`,
    );
    expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))).toBe("UserNotFoundException: User does not exist.");
    expect(local.emulator.lastCode(email)).toBeUndefined();
    expect(await outcome(local.sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, TemporaryPassword: temporary, MessageAction: "SUPPRESS", UserAttributes: [{ Name: "nickname2", Value: "v" }] })))).toBe(
      `InvalidParameterException: Attributes did not conform to the schema: ${notInSchema("nickname2")}`,
    );
    expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))).toBe("UserNotFoundException: User does not exist.");
    // ValidationData is for the triggers, not the user's attributes: any name goes. (A birthdate is 10 characters, the
    // standard attribute's MinLength and MaxLength in every pool's schema.)
    const standard = ["name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "address"];
    expect(
      await outcome(
        local.sdk.send(
          new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }, ...standard.map((Name) => ({ Name, Value: Name === "birthdate" ? "1990-01-01" : "v" }))], ValidationData: [{ Name: "custom:unknown", Value: "v" }] }),
        ),
      ),
    ).toBe("ok");
  });

  it("SignUp and AdminCreateUser refuse a caller's own sub (Cognito generates it), nothing stored", async () => {
    const email = nextEmail();
    const withSub = [{ Name: "email", Value: email }, { Name: "sub", Value: "chosen-sub" }];
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: withSub })))).toBe(
      "NotAuthorizedException: A client attempted to write unauthorized attribute",
    );
    expect(await outcome(local.sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, TemporaryPassword: temporary, MessageAction: "SUPPRESS", UserAttributes: withSub })))).toBe(
      "NotAuthorizedException: A client attempted to write unauthorized attribute",
    );
    expect(await outcome(local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email })))).toBe("UserNotFoundException: User does not exist.");
  });

  it("the AttributeType limits come first", async () => {
    expect(await outcome(local.sdk.send(new SignUpCommand({ ClientId: clientId, Username: nextEmail(), Password: password, UserAttributes: [{ Name: "custom:unknown", Value: LONG }] })))).toBe(valueTooLong("userAttributes.1.member.value"));
  });

  it("AdminUpdateUserAttributes and UpdateUserAttributes refuse an unknown name (user.<name>), the user's left as it was", async () => {
    const email = nextEmail();
    await confirmedUser(local.sdk, userPoolId, clientId, email, password);
    await local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: [{ Name: "name", Value: "before" }] }));
    expect(await outcome(local.sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: [{ Name: "name", Value: "after" }, { Name: "custom:unknown", Value: "v" }] })))).toBe(
      `InvalidParameterException: ${notInSchema("user.custom:unknown")}`,
    );
    const accessToken = (await passwordSignIn(local.sdk, clientId, email, password)).AuthenticationResult!.AccessToken!;
    expect(await outcome(local.sdk.send(new UpdateUserAttributesCommand({ AccessToken: accessToken, UserAttributes: [{ Name: "name", Value: "after" }, { Name: "名前", Value: "v" }, { Name: "team", Value: "v" }] })))).toBe(
      `InvalidParameterException: ${notInSchema("user.名前", "user.team")}`,
    );
    expect(await nameOf(email)).toBe("before");
  });

  it("a NEW_PASSWORD_REQUIRED answer's unknown userAttributes.<name> is refused, the password not changed", async () => {
    const { email, answer: respond } = await newPasswordChallenge();
    const answer = (attribute: string) => respond({ [`userAttributes.${attribute}`]: "Ann" });
    expect(await answer("custom:unknown")).toBe(`InvalidParameterException: ${notInSchema("user.custom:unknown")}`);
    expect((await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    expect(await answer("name")).toBe("ok");
  });

  it("a pool's declared custom attribute is taken as custom:<name>", async () => {
    const poolId = "us-east-1_Limits3";
    await local.emulator.ensureUserPool({ Id: poolId, Name: "limits-custom", Schema: [{ Name: "team", AttributeDataType: "String", Mutable: true }] });
    const ok = (name: string) => outcome(local.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: nextEmail(), MessageAction: "SUPPRESS", TemporaryPassword: temporary, UserAttributes: [{ Name: name, Value: "v" }] })));
    expect(await ok("custom:team")).toBe("ok");
    expect(await ok("team")).toBe(`InvalidParameterException: Attributes did not conform to the schema: ${notInSchema("team")}`);
  });
});

describe("a request's UserPoolId and ClientId (the client must be of that pool)", () => {
  it("AdminInitiateAuth refuses an unknown pool, and a client of another pool", async () => {
    const email = nextEmail();
    await confirmedUser(local.sdk, userPoolId, clientId, email, password);
    const signIn = (poolId: string, client: string) =>
      outcome(local.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: client, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } })));
    expect(await signIn("us-east-1_Unknown9", clientId)).toBe("ResourceNotFoundException: User pool us-east-1_Unknown9 does not exist.");
    expect(await signIn(otherPoolId, clientId)).toBe(`ResourceNotFoundException: User pool client ${clientId} does not exist.`);
    expect(await signIn(userPoolId, otherClientId)).toBe(`ResourceNotFoundException: User pool client ${otherClientId} does not exist.`);
    expect(await signIn(userPoolId, clientId)).toBe("ok");
  });

  it("AdminRespondToAuthChallenge refuses a client of another pool, the session kept for the right request", async () => {
    const email = await temporaryUser(local.sdk, userPoolId, nextEmail(), temporary);
    const started = await local.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: temporary } }));
    const answer = (poolId: string) =>
      outcome(
        local.sdk.send(
          new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId: clientId, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: started.Session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password } }),
        ),
      );
    expect(await answer("us-east-1_Unknown9")).toBe("ResourceNotFoundException: User pool us-east-1_Unknown9 does not exist.");
    expect(await answer(otherPoolId)).toBe(`ResourceNotFoundException: User pool client ${clientId} does not exist.`);
    expect(await answer(userPoolId)).toBe("ok");
  });

  it("DescribeUserPoolClient answers a client of another pool in the same words", async () => {
    expect(await outcome(local.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: otherPoolId, ClientId: clientId })))).toBe(`ResourceNotFoundException: User pool client ${clientId} does not exist.`);
  });
});
