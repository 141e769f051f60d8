/**
 * The photo-removals queue's consumer (MessageQueue "photo-removals", index.ts): deletes a deleted photo's original
 * and thumbnails. DELETE /albums/{albumId}/photos/{photoId} (handlers/api/photos.ts) sends the message before it
 * deletes the photo's item, so for each message this function first reads the item (strongly consistent):
 * - still there: the API's delete has not happened yet, or failed (the user got a 500 and still has the photo); or the
 *   thumbnail function handed the objects over after its final write found the photo changed, and another event of
 *   the same key had made it ready meanwhile; or the delete (or the create) happened in another region and has not
 *   replicated here yet. The record fails and SQS hands it out again after the visibility timeout — except on its last
 *   receive (SQS's ApproximateReceiveCount reaches MAX_RECEIVES, the queue's maxReceiveCount) when the message was
 *   sent from this function's own region (its `region`): then the message is dropped (reported as processed, logged
 *   at info) rather than moved to the alarmed dead-letter queue. The home replica is the one the sender wrote, so the
 *   photo really exists: nothing is orphaned, and deleting it again sends a new message. A message from another region
 *   (or from before messages named one) is not dropped — its delete may only be late in replicating — and goes to the
 *   dead-letter queue as any failure. Throttled deliveries use up receives too, so a message may reach the
 *   dead-letter queue before this function sees its last receive;
 * - gone: each object is deleted, and every thumbnail key the photo may have (THUMBNAIL_WIDTHS) with them, named in the
 *   message or not (S3's DeleteObject answers 204 whether or not the object exists, so a redelivered message, or a
 *   thumbnail never made, is harmless too).
 * Only the photo's own keys are deleted — its original under `originals/<sub>/<albumId>/<photoId>.` and its
 * thumbnails under `thumbnails/<sub>/<albumId>/<photoId>/` — whatever the message says (the role is also limited to
 * those two prefixes); a message naming any other key, or not a removal at all, fails and ends in the dead-letter queue.
 * Records go through Powertools' BatchProcessor: only the failed ones are reported (partial batch response), also when
 * every record of a batch failed.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { photoKey } from "../shared/gallery-keys";
import { deleteObjects } from "../shared/photo-objects";
import { checkRemoval, type PhotoRemoval, photoThumbnailKeys } from "../shared/photo-removals";
import { traceClient } from "../shared/xray";

const logger = new Logger();
let documents: DynamoDBDocumentClient | undefined;
const db = () => (documents ??= DynamoDBDocumentClient.from(traceClient(new DynamoDBClient({}))));

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** A record that cannot succeed as it is, or not yet: reported as a batch item failure. */
export class RemovalRefused extends Error {
  override name = "RemovalRefused";
}

/** What became of one message: the keys deleted, or dropped on its last receive because its photo still exists. */
export type RemovalOutcome = { removed: string[] } | { dropped: "photo-still-exists" };

/** The queue's maxReceiveCount (index.ts passes MessageQueue's): the receive after which SQS would dead-letter a failure. */
function maxReceives(): number {
  const value = Number(env("MAX_RECEIVES"));
  if (!Number.isInteger(value) || value < 1) throw new Error(`MAX_RECEIVES is ${process.env.MAX_RECEIVES}, not a positive whole number`);
  return value;
}

/** Parses and checks one message: a PhotoRemoval naming only that photo's objects. */
export function parseRemoval(body: string): PhotoRemoval {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RemovalRefused("the message is not JSON");
  }
  const checked = checkRemoval(json);
  if ("problem" in checked) throw new RemovalRefused(checked.problem);
  return checked.removal;
}

/** Deletes one removal's objects once its photo item is gone. */
export async function removePhotoObjects(record: SQSRecord): Promise<RemovalOutcome> {
  const removal = parseRemoval(record.body);
  const { sub, albumId, photoId } = removal;
  const item = await db().send(new GetCommand({ TableName: env("TABLE_NAME"), Key: photoKey(sub, albumId, photoId), ConsistentRead: true, ProjectionExpression: "pk" }));
  if (item.Item) {
    const lastReceive = Number(record.attributes.ApproximateReceiveCount) >= maxReceives();
    // Dropped only when sent from here: the sender's write (or failed delete) is then on this very replica.
    if (lastReceive && removal.region !== undefined && removal.region === process.env.AWS_REGION) {
      logger.info("photo still exists on the removal's last receive: message dropped, objects kept (its DELETE failed, or it was made ready meanwhile; deleting the photo again sends a new removal)", { messageId: record.messageId, albumId, photoId, receiveCount: record.attributes.ApproximateReceiveCount });
      return { dropped: "photo-still-exists" };
    }
    const from = removal.region ? `sent from ${removal.region}` : "sent without a region";
    throw new RemovalRefused(
      lastReceive
        ? `photo ${albumId}/${photoId} still exists on the removal's last receive, ${from}: its delete may not have replicated here yet, so the message goes to the dead-letter queue (redrive it once the item is gone)`
        : `photo ${albumId}/${photoId} still exists; its objects stay until its item is deleted`,
    );
  }
  const bucket = env("UPLOAD_BUCKET_NAME");
  // Every thumbnail the photo may have, not only those the message names: the sender read the item before its
  // thumbnails were recorded there (another region's replica, a DELETE racing the thumbnail function). Thumbnails can
  // still be written after this (the thumbnail function read the photo pending and was still in sharp): its final
  // write then finds the item gone, and it hands those over itself.
  const keys = [...new Set([...removal.objectKeys, ...photoThumbnailKeys(removal)])];
  await deleteObjects(bucket, keys);
  logger.info("photo objects removed", { albumId, photoId, objects: keys.length });
  return { removed: keys };
}

/** One record: its outcome, or its failure logged (with how often SQS has handed it out) and rethrown for the batch response. */
async function processRecord(record: SQSRecord): Promise<RemovalOutcome> {
  try {
    return await removePhotoObjects(record);
  } catch (error) {
    logger.warn("photo removal failed", { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, error: (error as Error).message });
    throw error;
  }
}

const processor = new BatchProcessor(EventType.SQS);

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  // Configuration errors fail the whole batch at once (every message comes back) instead of each record.
  env("TABLE_NAME");
  env("UPLOAD_BUCKET_NAME");
  maxReceives();
  // A batch whose every record failed is answered like any other (all of them listed), not thrown: a photo whose item
  // is still there is expected now and then, and must not count as a Lambda error (the Errors alarm) nor be logged as one.
  return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false });
}
