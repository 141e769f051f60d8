/**
 * How long the embedded Cognito emulator lets a user finish signing in, as Cognito does: a temporary password
 * (AdminCreateUser's, AdminSetUserPassword's) is good for the pool's TemporaryPasswordValidityDays, then refused
 * (NotAuthorizedException "User account has expired, it must be reset by an administrator."), through the API and the
 * hosted UI's sign-in form; a challenge's Session (NEW_PASSWORD_REQUIRED) is good once, for its app client and user,
 * for the client's AuthSessionValidity (3 minutes by default), then refused (NotAuthorizedException "Invalid session for
 * the user, session is expired."). On a clock the test moves: no waiting.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  AdminInitiateAuthCommand,
  AdminGetUserCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  RespondToAuthChallengeCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, describe, expect, it } from "vitest";
import { hostedUiClient, passwordSignIn, quietCognitoForFile, temporaryUser } from "../harness/cognito-users";

const userPoolId = "us-east-1_Validity1";
const clientId = "validityclient0000000000a";
/** A client whose challenge sessions last ten minutes (AuthSessionValidity 10). */
const longClientId = "validityclient0000000000b";
const callback = "http://localhost:5173/";
const temporary = "Temporary-horse-9";
const EXPIRED = "NotAuthorizedException: User account has expired, it must be reset by an administrator.";
const INCORRECT = "NotAuthorizedException: Incorrect username or password.";
const INVALID_SESSION = "NotAuthorizedException: Invalid session for the user, session is expired.";
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const clock = { now: Date.now(), get: () => new Date(clock.now) };
const local = quietCognitoForFile("validity", clock);

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "validity" });
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, Policies: { PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 2 } } }));
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, [callback], {
    PreventUserExistenceErrors: "ENABLED",
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
  });
  await hostedUiClient(local.emulator, local.sdk, userPoolId, longClientId, [callback], { PreventUserExistenceErrors: "ENABLED", AuthSessionValidity: 10 });
});

let users = 0;
const nextEmail = () => `user${++users}@example.com`;

/** A sign-in's challenge name, or its error as `name: message`. */
const outcome = (answer: Promise<{ ChallengeName?: string; AuthenticationResult?: unknown }>) =>
  answer.then(
    (a) => a.ChallengeName ?? (a.AuthenticationResult ? "signed in" : "nothing"),
    (error: Error) => `${error.name}: ${error.message}`,
  );
const signIn = (email: string, password: string) => outcome(passwordSignIn(local.sdk, clientId, email, password));
const adminSignIn = (email: string, password: string) =>
  outcome(local.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: password } })));

/** The hosted UI's sign-in form posted: its status, error line, whether it asks for a new password, and the code. */
async function hostedSignIn(username: string, password: string) {
  const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
  const body = new URLSearchParams({ client_id: clientId, redirect_uri: callback, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", scope: "openid email", state: "st", username, password });
  const answer = await fetch(`${local.emulator.url}/oauth2/authorize`, { method: "POST", body, redirect: "manual" });
  const html = await answer.text();
  return {
    status: answer.status,
    error: /<p style="color:red">([^<]*)<\/p>/.exec(html)?.[1],
    asksNewPassword: html.includes('name="new_password"'),
    code: answer.status === 302 ? new URL(answer.headers.get("location") ?? "", callback).searchParams.get("code") : undefined,
  };
}

describe("a temporary password's validity (the pool's TemporaryPasswordValidityDays)", () => {
  it("is good for the pool's days, then refused through InitiateAuth and AdminInitiateAuth; a wrong one is still the wrong password", async () => {
    const email = await temporaryUser(local.sdk, userPoolId, nextEmail(), temporary);
    clock.now += 2 * DAY - MINUTE;
    expect(await signIn(email, temporary)).toBe("NEW_PASSWORD_REQUIRED");

    clock.now += 2 * MINUTE;
    expect(await signIn(email, temporary)).toBe(EXPIRED);
    expect(await adminSignIn(email, temporary)).toBe(EXPIRED);
    expect(await signIn(email, "Wrong-horse-9")).toBe(INCORRECT);
  });

  it("runs again from a temporary password AdminSetUserPassword sets (Permanent false)", async () => {
    const email = await temporaryUser(local.sdk, userPoolId, nextEmail(), temporary);
    clock.now += 3 * DAY;
    expect(await signIn(email, temporary)).toBe(EXPIRED);

    await local.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: "Another-horse-9", Permanent: false }));
    clock.now += 2 * DAY - MINUTE;
    expect(await signIn(email, "Another-horse-9")).toBe("NEW_PASSWORD_REQUIRED");
    clock.now += 2 * MINUTE;
    expect(await signIn(email, "Another-horse-9")).toBe(EXPIRED);
  });

  it("is refused by the hosted UI's sign-in form too: the form again with the error, no new-password form, no code", async () => {
    const email = await temporaryUser(local.sdk, userPoolId, nextEmail(), temporary);
    expect(await hostedSignIn(email, temporary)).toMatchObject({ status: 200, asksNewPassword: true, error: undefined });

    clock.now += 2 * DAY + MINUTE;
    expect(await hostedSignIn(email, temporary)).toEqual({ status: 200, error: EXPIRED.replace("NotAuthorizedException: ", ""), asksNewPassword: false, code: undefined });
    expect((await hostedSignIn(email, "Wrong-horse-9")).error).toBe("Incorrect username or password.");
  });
});

/** InitiateAuth's NEW_PASSWORD_REQUIRED session for a new temporary user through `client`. */
async function challenged(client = clientId): Promise<{ email: string; session: string }> {
  const email = await temporaryUser(local.sdk, userPoolId, nextEmail(), temporary);
  const answer = await passwordSignIn(local.sdk, client, email, temporary);
  expect(answer.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
  return { email, session: answer.Session! };
}

/** RespondToAuthChallenge's NEW_PASSWORD answer with `session`, as `outcome` words it. */
const newPassword = (email: string, session: string, password = "Chosen-horse-99", client = clientId) =>
  outcome(local.sdk.send(new RespondToAuthChallengeCommand({ ClientId: client, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password } })));

const status = async (email: string) => (await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }))).UserStatus;

describe("a challenge's session (the app client's AuthSessionValidity)", () => {
  it("comes from AdminInitiateAuth too (NEW_PASSWORD_REQUIRED for a temporary password, not tokens), answered by AdminRespondToAuthChallenge", async () => {
    const email = await temporaryUser(local.sdk, userPoolId, nextEmail(), temporary);
    const started = await local.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: temporary } }));
    expect(started.AuthenticationResult).toBeUndefined();
    expect(started.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(JSON.parse(started.ChallengeParameters!.userAttributes)).toMatchObject({ email });
    const answer = (session: string) =>
      outcome(
        local.sdk.send(
          new AdminRespondToAuthChallengeCommand({ UserPoolId: userPoolId, ClientId: clientId, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: "Chosen-horse-99" } }),
        ),
      );
    clock.now += 3 * MINUTE + 1000;
    expect(await answer(started.Session!)).toBe(INVALID_SESSION);

    const again = await local.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", AuthParameters: { USERNAME: email, PASSWORD: temporary } }));
    expect(await answer(again.Session!)).toBe("signed in");
    expect(await status(email)).toBe("CONFIRMED");
    expect(await adminSignIn(email, "Chosen-horse-99")).toBe("signed in");
  });

  it("is good for three minutes by default, then refused, setting nothing", async () => {
    const early = await challenged();
    clock.now += 3 * MINUTE - 1000;
    expect(await newPassword(early.email, early.session)).toBe("signed in");
    expect(await status(early.email)).toBe("CONFIRMED");

    const late = await challenged();
    clock.now += 3 * MINUTE + 1000;
    expect(await newPassword(late.email, late.session)).toBe(INVALID_SESSION);
    expect(await status(late.email)).toBe("FORCE_CHANGE_PASSWORD");
  });

  it("is set between 3 and 15 minutes: CreateUserPoolClient and UpdateUserPoolClient refuse another, changing nothing", async () => {
    const refused = (AuthSessionValidity: number) =>
      local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: longClientId, AuthSessionValidity })).then(
        () => "updated",
        (error: Error) => `${error.name}: ${error.message}`,
      );
    expect(await refused(2)).toBe("InvalidParameterException: 1 validation error detected: Value '2' at 'authSessionValidity' failed to satisfy constraint: Member must have value greater than or equal to 3");
    expect(await refused(16)).toBe("InvalidParameterException: 1 validation error detected: Value '16' at 'authSessionValidity' failed to satisfy constraint: Member must have value less than or equal to 15");
    await expect(local.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "zero", AuthSessionValidity: 0 }))).rejects.toThrow("Member must have value greater than or equal to 3");
    const described = (await local.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: longClientId }))).UserPoolClient;
    expect(described).toMatchObject({ AuthSessionValidity: 10, CallbackURLs: [callback] });
  });

  it("is good for the client's AuthSessionValidity, which DescribeUserPoolClient answers", async () => {
    expect((await local.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: longClientId }))).UserPoolClient?.AuthSessionValidity).toBe(10);
    const early = await challenged(longClientId);
    clock.now += 10 * MINUTE - 1000;
    expect(await newPassword(early.email, early.session, "Chosen-horse-99", longClientId)).toBe("signed in");

    const late = await challenged(longClientId);
    clock.now += 10 * MINUTE + 1000;
    expect(await newPassword(late.email, late.session, "Chosen-horse-99", longClientId)).toBe(INVALID_SESSION);
  });

  it("is refused forged, used, or another client's or user's; a refused answer leaves it to try again", async () => {
    const { email, session } = await challenged();
    expect(await newPassword(email, "3f0e3a4e-2f7c-4d6f-9a59-7b1c0c1d2e3f")).toBe(INVALID_SESSION);
    expect(await newPassword(email, session, "Chosen-horse-99", longClientId)).toBe(INVALID_SESSION);
    const other = await challenged();
    expect(await newPassword(other.email, session)).toBe(INVALID_SESSION);
    expect(await status(other.email)).toBe("FORCE_CHANGE_PASSWORD");

    expect(await newPassword(email, session, "short")).toBe("InvalidPasswordException: Password did not conform with policy: Password not long enough");
    expect(await newPassword(email, session)).toBe("signed in");
    expect(await newPassword(email, session, "Another-horse-99")).toBe(INVALID_SESSION);
    expect(await signIn(email, "Chosen-horse-99")).toBe("signed in");
  });
  it("is good once for answers sent together: one sets the password and signs in, the others are refused", async () => {
    const { email, session } = await challenged();
    const answers = await Promise.all(["Chosen-horse-11", "Chosen-horse-22", "Chosen-horse-33"].map((password) => newPassword(email, session, password)));
    expect(answers.filter((a) => a === "signed in")).toHaveLength(1);
    expect(answers.filter((a) => a === INVALID_SESSION)).toHaveLength(2);
    const chosen = ["Chosen-horse-11", "Chosen-horse-22", "Chosen-horse-33"][answers.indexOf("signed in")];
    expect(await signIn(email, chosen)).toBe("signed in");
  });

  it("answers only its own challenge: NEW_PASSWORD_REQUIRED's session answered as another challenge is refused, no tokens, and left", async () => {
    const { email, session } = await challenged();
    const as = (ChallengeName: string, responses: Record<string, string>) =>
      outcome(local.sdk.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: ChallengeName as "SMS_MFA", Session: session, ChallengeResponses: { USERNAME: email, ...responses } })));
    // cognito-local's SMS_MFA compares the user's (absent) code with the (absent) answer: tokens for the temporary password.
    expect(await as("SMS_MFA", {})).toBe(INVALID_SESSION);
    expect(await as("SELECT_MFA_TYPE", { ANSWER: "SOFTWARE_TOKEN_MFA" })).toBe(INVALID_SESSION);
    expect(await status(email)).toBe("FORCE_CHANGE_PASSWORD");
    expect(await newPassword(email, session)).toBe("signed in");
  });

  it("is not looked at for an answer without a ChallengeName, refused as Cognito's model validation refuses it, the session left (cognito-local: HTTP 500 Unsupported)", async () => {
    const { email, session } = await challenged();
    const answer = await fetch(local.emulator.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.RespondToAuthChallenge" },
      body: JSON.stringify({ ClientId: clientId, Session: session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: "Chosen-horse-99" } }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ __type: "InvalidParameterException", message: "1 validation error detected: Value null at 'challengeName' failed to satisfy constraint: Member must not be null" });
    expect(await newPassword(email, session)).toBe("signed in");
  });
});
