/**
 * What fails inside the local Cognito without being one of Cognito's errors (a bug, a disk that cannot be written) is
 * answered as Cognito answers its own internal failures: HTTP 500 `{"__type":"InternalErrorException","message":...}`,
 * the error every action of the API lists ("This exception is thrown when Amazon Cognito encounters an internal
 * error", HTTP 500: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminGetUser.html#API_AdminGetUser_Errors),
 * not cognito-local's HTTP 500 with the error object as the body (`{}`), which an SDK reads as an `Unknown` error.
 */
import { CreateUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { Clock } from "cognito-local/lib/services";
import { afterEach, expect, it } from "vitest";
import { quietCognitoForFile } from "../harness/cognito-users";

/** The wall clock, until `broken`: then reading it throws, an error that is not one of Cognito's. */
let broken = false;
const clock: Clock = {
  get() {
    if (broken) throw new Error("the clock is broken");
    return new Date();
  },
};
const local = quietCognitoForFile("internal-error", clock);

afterEach(() => {
  broken = false;
});

it("answers an error that is not Cognito's as HTTP 500 InternalErrorException with its message, in the JSON 1.1 error shape", async () => {
  broken = true;
  const response = await fetch(local.emulator.url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.CreateUserPool" },
    body: JSON.stringify({ PoolName: "broken-clock" }),
  });
  expect(response.status).toBe(500);
  expect(response.headers.get("content-type")).toMatch(/^application\/x-amz-json-1\.1/);
  expect(await response.json()).toEqual({ __type: "InternalErrorException", message: "CreateUserPool failed in the local Cognito (npm start): the clock is broken" });
});

it("is thrown by the SDK as InternalErrorException", async () => {
  broken = true;
  const error = await local.sdk.send(new CreateUserPoolCommand({ PoolName: "broken-clock" })).then(
    () => undefined,
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
  );
  expect({ name: error?.name, status: error?.$metadata?.httpStatusCode }).toEqual({ name: "InternalErrorException", status: 500 });
});

it("answers the same action as usual once nothing fails", async () => {
  const created = await local.sdk.send(new CreateUserPoolCommand({ PoolName: "working-clock" }));
  expect(created.UserPool?.Name).toBe("working-clock");
});
