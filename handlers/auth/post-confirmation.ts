/**
 * Cognito post-confirmation trigger: once a user confirms their sign-up,
 * create their profile item in the gallery table (pk `USER#<sub>`, sk `PROFILE`).
 * Idempotent: Cognito may retry, and a second confirmation path must not reset counters.
 * Cognito waits at most 5 seconds for a trigger, and a failure fails the confirmation.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { PostConfirmationTriggerEvent } from "aws-lambda";
import * as z from "zod/mini";
import { en } from "zod/locales";
import { profileItem } from "../shared/gallery-keys";

// zod/mini: the same checks as classic zod in a fraction of the bundle (what a cold start parses), with English messages.
z.config(en());

const logger = new Logger();
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const PostConfirmationEvent = z.object({
  triggerSource: z.string(),
  userPoolId: z.string(),
  userName: z.string(),
  request: z.object({
    userAttributes: z.looseObject({ sub: z.string().check(z.minLength(1)), email: z.string().check(z.minLength(3)), name: z.optional(z.string()) }),
  }),
});

export async function handler(event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> {
  const parsed = PostConfirmationEvent.parse(event);
  // A confirmed password reset also fires this trigger; only a confirmed sign-up creates a profile.
  if (parsed.triggerSource !== "PostConfirmation_ConfirmSignUp") return event;
  const { sub, email, name } = parsed.request.userAttributes;
  const item = profileItem({ sub, email, displayName: name ?? email.split("@")[0] });
  try {
    await documents.send(new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: "attribute_not_exists(pk)" }));
    logger.info("profile created", { sub });
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    logger.info("profile already exists", { sub });
  }
  return event;
}

function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error("TABLE_NAME is not set; the post-confirmation trigger needs the gallery table's name.");
  return name;
}
