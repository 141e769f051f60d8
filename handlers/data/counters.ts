/**
 * Keeps the gallery's counters from the table's stream (dynalite has no transactions):
 * `album.photoCount` counts the album's *ready*
 * photos, `profile.albumCount` the user's albums.
 *
 * Records go through Powertools' BatchProcessor: a record that fails is reported
 * (partial batch response) and Lambda retries the stream from the first failed record,
 * so records after it arrive again — as does a whole batch when the function fails or
 * times out. Each record is applied once, keyed on its eventID (Powertools idempotency,
 * DataTier's idempotency table): a redelivered record changes nothing. Counter updates
 * are conditional on the item existing, so a counter never resurrects a deleted album
 * or profile.
 */
import { ConditionalCheckFailedException, DynamoDBClient, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { albumKey, itemType, profileKey, subOf } from "../shared/gallery-keys";
import { idempotent } from "../shared/idempotency";

const logger = new Logger();
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

type Image = Record<string, unknown> | undefined;

export interface CounterChange {
  key: { pk: string; sk: string };
  attribute: "photoCount" | "albumCount";
  delta: number;
}

/** The counter changes one stream record implies (pure, so it is tested without a table). */
export function changesFor(record: Pick<DynamoDBRecord, "eventName" | "dynamodb">): CounterChange[] {
  const oldImage = image(record.dynamodb?.OldImage);
  const newImage = image(record.dynamodb?.NewImage);
  const keys = record.dynamodb?.Keys ? unmarshall(record.dynamodb.Keys as Record<string, AttributeValue>) : (newImage ?? oldImage);
  const pk = String(keys?.pk ?? "");
  const sk = String(keys?.sk ?? "");
  const type = itemType(sk);
  if (!pk.startsWith("USER#")) return [];
  const sub = subOf(pk);

  if (type === "album") {
    const delta = (newImage ? 1 : 0) - (oldImage ? 1 : 0);
    return delta === 0 ? [] : [{ key: profileKey(sub), attribute: "albumCount", delta }];
  }
  if (type === "photo") {
    const ready = (i: Image) => (i?.status === "ready" ? 1 : 0);
    const delta = ready(newImage) - ready(oldImage);
    const albumId = String((newImage ?? oldImage)?.albumId ?? sk.split("#")[1]);
    return delta === 0 ? [] : [{ key: albumKey(sub, albumId), attribute: "photoCount", delta }];
  }
  return [];
}

/** Applies one record's changes; the eventID is the record's identity across redeliveries. */
const applyOnce = idempotent(
  async (record: DynamoDBRecord): Promise<number> => {
    const changes = changesFor(record);
    for (const change of changes) await apply(tableName(), change);
    return changes.length;
  },
  { eventKeyJmesPath: "eventID" },
);

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export async function handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  tableName();
  applyOnce.context(context);
  // Counter additions commute, so records may be applied in parallel; the stream's order only matters for retries, which Lambda keeps.
  return processPartialResponse(event, (record: DynamoDBRecord) => applyOnce.run(record), processor, { context });
}

function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error("TABLE_NAME is not set");
  return name;
}

async function apply(tableName: string, change: CounterChange): Promise<void> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: change.key,
        UpdateExpression: "ADD #counter :delta",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#counter": change.attribute },
        ExpressionAttributeValues: { ":delta": change.delta },
      }),
    );
    logger.debug("counter updated", { ...change.key, attribute: change.attribute, delta: change.delta });
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException") {
      // The album or profile is gone (deleted, or never created): nothing to count.
      logger.info("counter target does not exist; skipped", { ...change.key, attribute: change.attribute });
      return;
    }
    throw error;
  }
}

function image(raw: unknown): Image {
  return raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;
}
