/**
 * The sign-in flows Cognito has and the emulator does not emulate (USER_SRP_AUTH, CUSTOM_AUTH, USER_AUTH) and
 * AdminInitiateAuth's legacy ADMIN_NO_SRP_AUTH, which cognito-local answered HTTP 500 "Unsupported" on every client: a
 * client that does not enable the flow gets Cognito's InvalidParameterException, one that enables a flow the emulator
 * lacks gets UnsupportedOperationException (400) naming the local gap, and ADMIN_NO_SRP_AUTH signs in as
 * ADMIN_USER_PASSWORD_AUTH, which replaced it.
 */
import { AdminInitiateAuthCommand, type AuthFlowType, type ExplicitAuthFlowsType, InitiateAuthCommand, UpdateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, expect, it } from "vitest";
import { confirmedUser, quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_Flows1";
const password = "Chosen-horse-99";
const username = "ann@example.com";
/** App clients by the ExplicitAuthFlows they list (none: the client sets no list). */
const clients = {
  passwordOnly: { id: "flowsclient0000000000000a", flows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"] },
  everything: { id: "flowsclient0000000000000b", flows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"] },
  none: { id: "flowsclient0000000000000c", flows: undefined },
  legacyAdmin: { id: "flowsclient0000000000000d", flows: ["ADMIN_NO_SRP_AUTH"] },
} satisfies Record<string, { id: string; flows: ExplicitAuthFlowsType[] | undefined }>;
const local = quietCognitoForFile("flows");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "flows" });
  for (const { id, flows } of Object.values(clients)) {
    await local.emulator.ensureClient(userPoolId, id, id);
    if (flows) await local.sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: id, ExplicitAuthFlows: flows }));
  }
  await confirmedUser(local.sdk, userPoolId, clients.passwordOnly.id, username, password);
});

/** An answer's outcome: "tokens", the challenge's name, or its error as `name (status): message`. */
const outcome = (answer: Promise<{ AuthenticationResult?: unknown; ChallengeName?: string }>) =>
  answer.then(
    (result) => (result.AuthenticationResult ? "tokens" : String(result.ChallengeName)),
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => `${error.name} (${error.$metadata?.httpStatusCode}): ${error.message}`,
  );
const initiate = (clientId: string, flow: AuthFlowType) =>
  outcome(local.sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: flow, AuthParameters: { USERNAME: username, SRP_A: "abcd", PASSWORD: password } })));
const adminInitiate = (clientId: string, flow: AuthFlowType, pass = password) =>
  outcome(local.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: userPoolId, ClientId: clientId, AuthFlow: flow, AuthParameters: { USERNAME: username, SRP_A: "abcd", PASSWORD: pass } })));
const unemulated = (flow: string) =>
  `UnsupportedOperationException (400): ${flow} is not emulated by the local Cognito (npm start); sign in with USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH locally (docs/local-vs-aws.md)`;

it("refuses SRP, custom and choice-based sign-in on a client that does not enable them, in Cognito's words", async () => {
  const { id } = clients.passwordOnly;
  expect(await initiate(id, "USER_SRP_AUTH")).toBe("InvalidParameterException (400): USER_SRP_AUTH is not enabled for the client.");
  expect(await initiate(id, "CUSTOM_AUTH")).toBe("InvalidParameterException (400): CUSTOM_AUTH flow not enabled for this client");
  expect(await initiate(id, "USER_AUTH")).toBe("InvalidParameterException (400): USER_AUTH flow not enabled for this client");
  expect(await adminInitiate(id, "USER_SRP_AUTH")).toBe("InvalidParameterException (400): USER_SRP_AUTH is not enabled for the client.");
  // A client without a list has SRP and custom authentication (AWS's default), not USER_AUTH.
  expect(await initiate(clients.none.id, "USER_AUTH")).toBe("InvalidParameterException (400): USER_AUTH flow not enabled for this client");
});

it("answers a flow the client enables but the emulator lacks with a named 400, never an HTTP 500", async () => {
  for (const flow of ["USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"] as const) {
    expect(await initiate(clients.everything.id, flow)).toBe(unemulated(flow));
    expect(await adminInitiate(clients.everything.id, flow)).toBe(unemulated(flow));
  }
  expect(await initiate(clients.none.id, "USER_SRP_AUTH")).toBe(unemulated("USER_SRP_AUTH"));
  expect(await initiate(clients.none.id, "CUSTOM_AUTH")).toBe(unemulated("CUSTOM_AUTH"));
});

it("signs in with AdminInitiateAuth's ADMIN_NO_SRP_AUTH as ADMIN_USER_PASSWORD_AUTH where the client enables either name", async () => {
  expect(await adminInitiate(clients.passwordOnly.id, "ADMIN_NO_SRP_AUTH")).toBe("tokens");
  expect(await adminInitiate(clients.legacyAdmin.id, "ADMIN_NO_SRP_AUTH")).toBe("tokens");
  expect(await adminInitiate(clients.legacyAdmin.id, "ADMIN_USER_PASSWORD_AUTH")).toBe("tokens");
  expect(await adminInitiate(clients.passwordOnly.id, "ADMIN_NO_SRP_AUTH", "Wrong-horse-99")).toBe("NotAuthorizedException (400): Incorrect username or password.");
  expect(await adminInitiate(clients.everything.id, "ADMIN_NO_SRP_AUTH")).toBe("InvalidParameterException (400): ADMIN_NO_SRP_AUTH flow not enabled for this client");
});
