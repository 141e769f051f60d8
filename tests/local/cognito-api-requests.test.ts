/**
 * What the local Cognito's API takes as a request, as the AWS JSON 1.1 protocol has it: a POST of a JSON body with
 * `Content-Type: application/x-amz-json-1.1` and `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`
 * (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html; the service name is the SDK model's). A target of
 * another service, or no target, names no operation of Cognito's (UnknownOperationException, HTTP 400); a body of
 * another content type is not read as the action's input (UnknownOperationException, HTTP 404). Every refusal is a JSON
 * protocol error, `{"__type", "message"}`, so an SDK throws it by its name (not `Unknown`), and nothing is acted on.
 */
import { beforeAll, expect, it } from "vitest";
import { quietCognitoForFile } from "../harness/cognito-users";

const userPoolId = "us-east-1_ApiReq1";
const local = quietCognitoForFile("api-requests");

beforeAll(async () => {
  await local.emulator.ensureUserPool({ Id: userPoolId, Name: "api-requests" });
});

/** POST / with `headers` and `body` as given: the answer's status, content type and JSON body. */
async function post(headers: Record<string, string>, body: string): Promise<{ status: number; type: string | null; body: any }> {
  const response = await fetch(local.emulator.url, { method: "POST", headers, body });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

const JSON_11 = "application/x-amz-json-1.1";
const groupNames = async () =>
  (await post({ "content-type": JSON_11, "x-amz-target": "AWSCognitoIdentityProviderService.ListGroups" }, JSON.stringify({ UserPoolId: userPoolId }))).body.Groups.map((g: { GroupName: string }) => g.GroupName);

it("refuses a target that is not AWSCognitoIdentityProviderService.<Action> (another service's, none, or more than an action) with UnknownOperationException (400), acting on nothing", async () => {
  const createGroup = JSON.stringify({ UserPoolId: userPoolId, GroupName: "never" });
  for (const target of [
    "Foo.CreateGroup",
    "AWSCognitoIdentityService.CreateGroup",
    "CreateGroup",
    "AWSCognitoIdentityProviderService.CreateGroup.x",
    "AWSCognitoIdentityProviderService.CreateGroup, AWSCognitoIdentityProviderService.CreateGroup",
    "AWSCognitoIdentityProviderService",
    "AWSCognitoIdentityProviderService.",
    "",
  ]) {
    const answer = await post({ "content-type": JSON_11, "x-amz-target": target }, createGroup);
    expect(answer, target).toEqual({ status: 400, type: expect.stringMatching(/^application\/x-amz-json-1\.1/), body: { __type: "UnknownOperationException", message: expect.any(String) } });
  }
  const missing = await post({ "content-type": JSON_11 }, createGroup);
  expect(missing, "no X-Amz-Target").toEqual({ status: 400, type: expect.stringMatching(/^application\/x-amz-json-1\.1/), body: { __type: "UnknownOperationException", message: expect.stringContaining("X-Amz-Target") } });
  expect(await groupNames()).toEqual([]);
  // A body that does not parse, without a target, is a JSON protocol error too (express's HTML page before).
  const unparsed = await post({ "content-type": JSON_11 }, "{not json");
  expect(unparsed).toEqual({ status: 400, type: expect.stringMatching(/^application\/x-amz-json-1\.1/), body: { __type: "SerializationException", Message: expect.any(String) } });
  // Another service's name for a reading action is not served as Cognito's either.
  const read = await post({ "content-type": JSON_11, "x-amz-target": "Foo.AdminGetUser" }, JSON.stringify({ UserPoolId: userPoolId, Username: "ann" }));
  expect([read.status, read.body.__type]).toEqual([400, "UnknownOperationException"]);
});

it("refuses a body that is not application/x-amz-json-1.1 (a form, plain JSON, text, none) with UnknownOperationException (404), acting on nothing", async () => {
  const target = { "x-amz-target": "AWSCognitoIdentityProviderService.CreateGroup" };
  for (const [contentType, body] of [
    ["application/x-www-form-urlencoded", `UserPoolId=${userPoolId}&GroupName=form`],
    ["application/x-www-form-urlencoded; charset=klingon", `UserPoolId=${userPoolId}&GroupName=form`],
    ["application/json", JSON.stringify({ UserPoolId: userPoolId, GroupName: "json" })],
    ["application/x-amz-json-1.0", JSON.stringify({ UserPoolId: userPoolId, GroupName: "json10" })],
    ["text/plain", JSON.stringify({ UserPoolId: userPoolId, GroupName: "text" })],
    [undefined, JSON.stringify({ UserPoolId: userPoolId, GroupName: "none" })],
  ] as const) {
    const answer = await post(contentType ? { ...target, "content-type": contentType } : target, body);
    expect(answer, contentType).toEqual({ status: 404, type: expect.stringMatching(/^application\/x-amz-json-1\.1/), body: { __type: "UnknownOperationException", message: expect.stringContaining("application/x-amz-json-1.1") } });
  }
  expect(await groupNames()).toEqual([]);
  // The protocol's content type with a parameter is still it.
  const created = await post({ ...target, "content-type": `${JSON_11}; charset=utf-8` }, JSON.stringify({ UserPoolId: userPoolId, GroupName: "typed" }));
  expect(created.status).toBe(200);
  expect(await groupNames()).toEqual(["typed"]);
  // Media types are case-insensitive (RFC 9110 §8.3.1), and whitespace may stand around a parameter's ";".
  const cased = await post({ ...target, "content-type": "Application/X-Amz-JSON-1.1 ; Charset=UTF-8" }, JSON.stringify({ UserPoolId: userPoolId, GroupName: "cased" }));
  expect(cased.status).toBe(200);
  expect((await groupNames()).sort()).toEqual(["cased", "typed"]);
});

it("answers an action's error (a CognitoError) in the protocol's content type, as its other answers", async () => {
  const answer = await post({ "content-type": JSON_11, "x-amz-target": "AWSCognitoIdentityProviderService.AdminGetUser" }, JSON.stringify({ UserPoolId: userPoolId, Username: "nobody" }));
  expect(answer).toEqual({ status: 400, type: expect.stringMatching(/^application\/x-amz-json-1\.1/), body: { __type: "UserNotFoundException", message: "User does not exist." } });
});
