/**
 * What the local Cognito lacks answers as a clear refusal a client can tell from a server fault: an action of Cognito's it
 * does not emulate, or a feature of an action it does, is HTTP 501 UnsupportedOperationException naming the action (not
 * cognito-local's HTTP 500 `CognitoLocal#Unsupported`, which AWS SDKs send again as a passing server fault), and an
 * action that is not Cognito's is UnknownOperationException (HTTP 400), the AWS JSON protocols' answer.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminSetUserSettingsCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { beforeAll, describe, expect, it } from "vitest";
import { quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_NotEmul1";
const local = quietCognitoForFile("not-emulated");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "not-emulated" });
});

async function api(target: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(local.emulator.url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The SDK's error for `command`: its name, message, HTTP status and how many times it was sent. */
async function sdkError(command: AdminSetUserSettingsCommand | InitiateAuthCommand): Promise<{ name: string; message: string; status?: number; attempts?: number }> {
  const error: any = await local.sdk.send(command as InitiateAuthCommand).then(
    () => ({ name: "ok" }),
    (e) => e,
  );
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode, attempts: error.$metadata?.attempts };
}

describe("an action of Cognito's the local Cognito does not emulate", () => {
  it("is HTTP 501 UnsupportedOperationException naming the action, in the JSON 1.1 error shape", async () => {
    for (const [action, body] of [
      ["AdminSetUserSettings", { UserPoolId: userPoolId, Username: "ann", MFAOptions: [] }],
      ["AdminSetUserMFAPreference", { UserPoolId: userPoolId, Username: "ann" }],
      ["AdminListDevices", { UserPoolId: userPoolId, Username: "ann" }],
      ["GetSigningCertificate", { UserPoolId: userPoolId }],
    ] as const) {
      const answer = await api(action, body);
      expect(answer.status, action).toBe(501);
      expect(answer.body, action).toEqual({ __type: "UnsupportedOperationException", message: `${action} is not emulated by the local Cognito (npm start); docs/local-vs-aws.md lists what is` });
    }
  });

  it("is thrown by the SDK as UnsupportedOperationException after one attempt (a 500 was sent three times)", async () => {
    const error = await sdkError(new AdminSetUserSettingsCommand({ UserPoolId: userPoolId, Username: "ann", MFAOptions: [] }));
    expect(error).toEqual({
      name: "UnsupportedOperationException",
      message: "AdminSetUserSettings is not emulated by the local Cognito (npm start); docs/local-vs-aws.md lists what is",
      status: 501,
      attempts: 1,
    });
  });

  it("is refused only once the request is valid: the model's validation comes first", async () => {
    const answer = await api("AdminSetUserSettings", { UserPoolId: userPoolId });
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe("InvalidParameterException");
  });
});

it("answers a feature of an emulated action it lacks (SMS_MFA for a user without an SMS MFA option) with 501 naming the action, not a 500", async () => {
  await local.sdk.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, MfaConfiguration: "OPTIONAL" }));
  const client = await local.sdk.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "mfa", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }));
  const ClientId = client.UserPoolClient!.ClientId!;
  await local.sdk.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: "mfa-user", MessageAction: "SUPPRESS" }));
  await local.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: "mfa-user", Password: "Correct-horse-9", Permanent: true }));
  const signIn = new InitiateAuthCommand({ AuthFlow: "USER_PASSWORD_AUTH", ClientId, AuthParameters: { USERNAME: "mfa-user", PASSWORD: "Correct-horse-9" } });
  const { AuthenticationResult } = await local.sdk.send(signIn);
  await local.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: AuthenticationResult!.AccessToken, SMSMfaSettings: { Enabled: true } }));
  expect(await sdkError(signIn)).toEqual({
    name: "UnsupportedOperationException",
    message: "InitiateAuth: SMS_MFA without SMS MFAOption is not emulated by the local Cognito (npm start)",
    status: 501,
    attempts: 1,
  });
});

it("answers an action that is not Cognito's with UnknownOperationException (HTTP 400), as AWS answers an unknown X-Amz-Target", async () => {
  for (const action of ["NoSuchAction", "adminGetUser", "constructor", "__proto__", "$"]) {
    const answer = await api(action, {});
    expect({ status: answer.status, type: answer.body.__type }, action).toEqual({ status: 400, type: "UnknownOperationException" });
  }
});

it("still answers the actions it emulates, with dates as epoch seconds", async () => {
  const answer = await api("DescribeUserPool", { UserPoolId: userPoolId });
  expect(answer.status).toBe(200);
  expect(answer.body.UserPool.Id).toBe(userPoolId);
  expect(typeof answer.body.UserPool.CreationDate).toBe("number");
});
