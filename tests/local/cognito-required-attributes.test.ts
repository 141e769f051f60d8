/**
 * The NEW_PASSWORD_REQUIRED challenge of the embedded Cognito emulator asks for the pool's required attributes the user
 * lacks, as Cognito does: `requiredAttributes` lists them (`userAttributes.<name>`), the answer must give them (else
 * InvalidParameterException "Invalid attributes given, <name> is missing") and they are set with the new password;
 * the hosted UI's new-password form asks for them too. The pool's schema comes from ensureUserPool (the program's).
 */
import { createHash, randomBytes } from "node:crypto";
import {
  AdminGetUserCommand,
  DescribeUserPoolCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, describe, expect, it } from "vitest";
import { attributesOf, hostedUiClient, passwordSignIn, quietCognitoForFile, temporaryUser } from "../harness/cognito-users";

const userPoolId = "us-east-1_Required1";
const clientId = "requiredclient0000000000a";
const callback = "http://localhost:5173/";
const temporary = "Temporary-horse-9";
const chosen = "Chosen-horse-99";
/** A username pool (no usernameAttributes) that requires email, as UserAuth's schema does, and name. */
const schema = [
  { Name: "email", AttributeDataType: "String" as const, Required: true, Mutable: true },
  { Name: "name", AttributeDataType: "String" as const, Required: true, Mutable: true },
];
const local = quietCognitoForFile("required");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "required", Schema: schema });
  await hostedUiClient(local.emulator, local.sdk, userPoolId, clientId, [callback], { PreventUserExistenceErrors: "ENABLED" });
});

let users = 0;
/** A new user AdminCreateUser made with `attributes` only, and the temporary password. */
const userWith = (attributes: Record<string, string> = {}) => temporaryUser(local.sdk, userPoolId, `user${++users}`, temporary, attributes);


const respond = (username: string, session: string, responses: Record<string, string>) =>
  local.sdk.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: session, ChallengeResponses: { USERNAME: username, NEW_PASSWORD: chosen, ...responses } }));

describe("required attributes at a new password", () => {
  it("keeps the schema ensureUserPool is given, on a kept pool too", async () => {
    const required = async () => ((await local.sdk.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool?.SchemaAttributes ?? []).filter((a) => a.Required).map((a) => a.Name);
    expect(await required()).toEqual(["sub", "name", "email"]);
    await local.emulator.ensureUserPool({ Id: userPoolId, Name: "required", Schema: [...schema, { Name: "family_name", Required: true }] });
    expect(await required()).toEqual(["sub", "name", "family_name", "email"]);
    await local.emulator.ensureUserPool({ Id: userPoolId, Name: "required", Schema: schema.map((a) => ({ ...a })).concat([{ Name: "family_name", AttributeDataType: "String", Required: false, Mutable: true }]) });
    expect(await required()).toEqual(["sub", "name", "email"]);
  });

  it("lists the ones the user lacks in the challenge, refuses an answer without them, and sets them with the password", async () => {
    const username = await userWith({ name: "Ann" });
    const challenge = await passwordSignIn(local.sdk, clientId, username, temporary);
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(JSON.parse(challenge.ChallengeParameters!.requiredAttributes)).toEqual(["userAttributes.email"]);

    await expect(respond(username, challenge.Session!, {})).rejects.toThrow(expect.objectContaining({ name: "InvalidParameterException", message: "Invalid attributes given, email is missing" }));
    expect((await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }))).UserStatus).toBe("FORCE_CHANGE_PASSWORD");

    // The refused answer left the session: the same one, now with the email (and a verified flag it does not set).
    const done = await respond(username, challenge.Session!, { "userAttributes.email": "ann@example.com", "userAttributes.email_verified": "true" });
    const claims = JSON.parse(Buffer.from(done.AuthenticationResult!.IdToken!.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ email: "ann@example.com", email_verified: false });
    expect(await attributesOf(local.sdk, userPoolId, username)).toMatchObject({ name: "Ann", email: "ann@example.com" });
    expect((await attributesOf(local.sdk, userPoolId, username)).email_verified).toBeUndefined();
  });

  it("refuses an answer that changes a required attribute the user has (NotAuthorizedException), setting nothing; the session is left", async () => {
    const username = await userWith({ name: "Dee", email: "dee@example.com" });
    const challenge = await passwordSignIn(local.sdk, clientId, username, temporary);
    await expect(respond(username, challenge.Session!, { "userAttributes.email": "mallory@example.com" })).rejects.toThrow(
      expect.objectContaining({ name: "NotAuthorizedException", message: "Cannot modify an already provided email" }),
    );
    expect(await attributesOf(local.sdk, userPoolId, username)).toMatchObject({ email: "dee@example.com", name: "Dee" });
    expect((await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }))).UserStatus).toBe("FORCE_CHANGE_PASSWORD");
    expect((await respond(username, challenge.Session!, {})).AuthenticationResult?.IdToken).toBeDefined();
  });

  it("never sets sub from an answer; refuses a name outside the schema or __proto__; a value of the wrong JSON type is refused before anything", async () => {
    const username = await userWith({ name: "Eve" });
    const before = await attributesOf(local.sdk, userPoolId, username);
    const challenge = await passwordSignIn(local.sdk, clientId, username, temporary);
    const raw = (responses: Record<string, unknown>) =>
      fetch(local.emulator.url, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.RespondToAuthChallenge" },
        body: JSON.stringify({ ClientId: clientId, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: challenge.Session, ChallengeResponses: { USERNAME: username, NEW_PASSWORD: chosen, ...responses } }),
      }).then(async (r) => ({ status: r.status, body: JSON.parse(await r.text()) }));
    expect(await raw({ "userAttributes.email": ["eve@example.com"] })).toMatchObject({ status: 400, body: { __type: "SerializationException" } });
    // Names outside the pool's schema are refused as UpdateUserAttributes refuses them, the session kept for the next answer.
    expect(await raw({ "userAttributes.email": "eve@example.com", "userAttributes.__proto__": "x", "userAttributes.nickname2": "x", "userAttributes.": "x" })).toEqual({
      status: 400,
      body: { __type: "InvalidParameterException", message: "user.__proto__: Attribute does not exist in the schema.\nuser.nickname2: Attribute does not exist in the schema.\nuser.: Attribute does not exist in the schema.\n" },
    });
    expect(await attributesOf(local.sdk, userPoolId, username)).toEqual(before);
    const done = await raw({ "userAttributes.email": "eve@example.com", "userAttributes.sub": "someone-else" });
    expect(done.status).toBe(200);
    expect(await attributesOf(local.sdk, userPoolId, username)).toEqual({ ...before, email: "eve@example.com" });
  });

  it("names every missing one in the refusal, joined by \"and\" as Cognito's message names two", async () => {
    const username = await userWith();
    const challenge = await passwordSignIn(local.sdk, clientId, username, temporary);
    expect(JSON.parse(challenge.ChallengeParameters!.requiredAttributes)).toEqual(["userAttributes.name", "userAttributes.email"]);
    await expect(respond(username, challenge.Session!, {})).rejects.toThrow("Invalid attributes given, name and email is missing");
  });

  it("lists none for a user who has them all", async () => {
    const username = await userWith({ email: "bob@example.com", name: "Bob" });
    const challenge = await passwordSignIn(local.sdk, clientId, username, temporary);
    expect(challenge.ChallengeParameters?.requiredAttributes).toBe("[]");
    expect((await respond(username, challenge.Session!, {})).AuthenticationResult?.IdToken).toBeDefined();
  });

  it("asks for them in the hosted UI's new-password form, and sets them", async () => {
    const username = await userWith({ email: "cy@example.com" });
    const post = async (form: Record<string, string>) => {
      const answer = await fetch(`${local.emulator.url}/oauth2/authorize`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
      const html = await answer.text();
      return {
        status: answer.status,
        error: /<p style="color:red">([^<]*)<\/p>/.exec(html)?.[1],
        session: /name="session" value="([^"]*)"/.exec(html)?.[1],
        asks: [...html.matchAll(/name="(userAttributes\.[^"]*)"/g)].map((m) => m[1]),
      };
    };
    const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
    const signIn = await post({ client_id: clientId, redirect_uri: callback, response_type: "code", code_challenge: challenge, code_challenge_method: "S256", scope: "openid email", state: "st", username, password: temporary });
    expect(signIn.asks).toEqual(["userAttributes.name"]);

    const without = await post({ client_id: clientId, session: signIn.session!, new_password: chosen, confirm_password: chosen });
    expect(without).toMatchObject({ status: 200, error: "Invalid attributes given, name is missing", asks: ["userAttributes.name"] });
    expect((await local.sdk.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }))).UserStatus).toBe("FORCE_CHANGE_PASSWORD");

    const done = await post({ client_id: clientId, session: without.session!, new_password: chosen, confirm_password: chosen, "userAttributes.name": "Cy", "userAttributes.email": "not-asked@example.com" });
    expect(done.status).toBe(302);
    expect(await attributesOf(local.sdk, userPoolId, username)).toMatchObject({ email: "cy@example.com", name: "Cy" });
  });
});
