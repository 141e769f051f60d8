/** The post-confirmation trigger with Cognito's real event shape, against a mocked DynamoDB. */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { PostConfirmationTriggerEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const dynamo = mockClient(DynamoDBDocumentClient);
const dynamoClient = mockClient(DynamoDBClient);
let handler: (event: PostConfirmationTriggerEvent) => Promise<PostConfirmationTriggerEvent>;

beforeAll(async () => {
  process.env.TABLE_NAME = "gallery";
  process.env.POWERTOOLS_DEV = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  ({ handler } = await import("../../handlers/auth/post-confirmation.js"));
});
afterAll(() => {
  delete process.env.TABLE_NAME;
  // The stubs sit on the SDK's shared client prototypes, which later files in a shared worker use too.
  dynamo.restore();
  dynamoClient.restore();
});
beforeEach(() => dynamo.reset());

function event(triggerSource: PostConfirmationTriggerEvent["triggerSource"], attributes: Record<string, string> = {}): PostConfirmationTriggerEvent {
  return {
    version: "1",
    region: "us-east-1",
    userPoolId: "us-east-1_AbCdEfGhI",
    userName: "3f1e0c9a-8c1a-4d5e-9b1f-6a2b3c4d5e6f",
    callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: "1example23456789" },
    triggerSource,
    request: { userAttributes: { sub: "3f1e0c9a-8c1a-4d5e-9b1f-6a2b3c4d5e6f", email: "carol@example.com", email_verified: "true", "cognito:user_status": "CONFIRMED", ...attributes } },
    response: {},
  };
}

describe("post-confirmation trigger", () => {
  it("creates the profile item under USER#<sub> / PROFILE, once, and returns the event", async () => {
    dynamo.on(PutCommand).resolves({});
    const input = event("PostConfirmation_ConfirmSignUp");
    expect(await handler(input)).toBe(input);
    const put = dynamo.commandCalls(PutCommand)[0].args[0].input;
    expect(put).toMatchObject({
      TableName: "gallery",
      ConditionExpression: "attribute_not_exists(pk)",
      Item: { pk: "USER#3f1e0c9a-8c1a-4d5e-9b1f-6a2b3c4d5e6f", sk: "PROFILE", email: "carol@example.com", displayName: "carol", albumCount: 0 },
    });
    expect(new Date(put.Item!.createdAt).toISOString()).toBe(put.Item!.createdAt);
  });

  it("uses the user's name when they gave one", async () => {
    dynamo.on(PutCommand).resolves({});
    await handler(event("PostConfirmation_ConfirmSignUp", { name: "Carol Danvers" }));
    expect(dynamo.commandCalls(PutCommand)[0].args[0].input.Item).toMatchObject({ displayName: "Carol Danvers" });
  });

  it("keeps an existing profile (Cognito retries triggers)", async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} }));
    const input = event("PostConfirmation_ConfirmSignUp");
    expect(await handler(input)).toBe(input);
  });

  it("does nothing for a confirmed password reset", async () => {
    await handler(event("PostConfirmation_ConfirmForgotPassword"));
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it("fails on an event without the user's sub, and on DynamoDB errors", async () => {
    const bad = event("PostConfirmation_ConfirmSignUp");
    delete bad.request.userAttributes.sub;
    await expect(handler(bad)).rejects.toThrow(/sub/);
    dynamo.on(PutCommand).rejects(new Error("throttled"));
    await expect(handler(event("PostConfirmation_ConfirmSignUp"))).rejects.toThrow("throttled");
  });
});
