/**
 * Scheduled clean-up (LambdaFunction `schedule`): photos still `pending` (their upload never
 * arrived, or was never processed) or `failed` more than CLEANUP_AGE_HOURS after they were created
 * are removed — the item first, conditionally, so a photo that became ready meanwhile stays; then
 * its original and thumbnails go through the photo-removals queue, as a deleted photo's do
 * (handlers/photo-removal deletes them once the item is gone). Ready photos are never touched. A
 * Scan with a filter: the job runs rarely and reads keys and a few attributes only.
 *
 * Why the item goes before the message, when the API (handlers/api/photos.ts) sends first: the API
 * deletes a photo the user asked to delete, and when the item changed between its read and its
 * delete it reads and sends again — the photo still goes, and every message it sent is consumed
 * once the item is gone. The clean-up instead *keeps* a photo that changed since the scan (it became
 * ready: `kept`). A message sent before that conditional delete would name an item that stays: the
 * consumer would fail it on every receive until its last (maxReceiveCount), when it drops it —
 * minutes of useless retries for every race. So the conditional delete comes
 * first (ReturnValues ALL_OLD: the keys are those of the item as deleted), and only a photo whose
 * item is gone gets a message.
 *
 * The window this opens — the item is gone, the message is not sent — is closed in the run itself:
 * a failed send (after queue-messages' own retries) falls back to deleting the objects directly, as
 * the clean-up did before the queue; if that fails too, the run throws at once (no further item is
 * deleted), after logging the keys that may now be orphaned: the run counts as a Lambda error (the
 * Errors alarm), and Lambda runs it again for the photos not reached yet — Scheduler invokes the
 * function asynchronously, and Lambda retries an asynchronous invocation whose function failed twice
 * by default (https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html); the next
 * scheduled run does too. The keys of the photo it stopped at are only in that log and in the error.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { PHOTO_PREFIX, photoKey, subOf, type PhotoItem } from "../shared/gallery-keys";
import { deleteObjects, ObjectsNotDeleted } from "../shared/photo-objects";
import { checkRemoval, photoObjectKeys, type PhotoRemoval, photoRemoval, removalsQueue } from "../shared/photo-removals";
import { sendMessage } from "../shared/queue-messages";

const logger = new Logger();
let documents: DynamoDBDocumentClient | undefined;
const db = () => (documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({})));

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export interface CleanupResult {
  /** Photos removed: their item deleted, their objects handed to the photo-removals queue or deleted directly. */
  removed: string[];
  /** Of `removed`, those whose removal could not be sent, and whose objects the clean-up deleted itself. */
  deletedDirectly: string[];
  /** Photos that changed between the scan and the delete (and were kept). */
  kept: string[];
}

/**
 * The scheduled entry point. The Node.js runtime calls every handler with (event, context, callback), so the clock is
 * not a third parameter here: it was, and in Lambda `now` was the runtime's callback (the clean-up failed every run).
 */
export async function handler(): Promise<CleanupResult> {
  return cleanUpStalePhotos(new Date());
}

/**
 * The removal message of a deleted photo item: its owner, album and photo from its key, and the objects it named. Throws
 * when the item is not one the consumer would accept (a key it did not make, an object key not the photo's own): such a
 * message would only fail into the dead-letter queue, so its objects are deleted directly instead.
 */
function removalOf(item: PhotoItem, objectKeys: string[]): PhotoRemoval {
  const [albumId = "", photoId = ""] = item.sk.slice(PHOTO_PREFIX.length).split("#");
  const checked = checkRemoval(photoRemoval({ sub: subOf(item.pk), albumId, photoId }, objectKeys));
  if ("problem" in checked) throw new Error(checked.problem);
  const key = photoKey(checked.removal.sub, albumId, photoId);
  if (key.pk !== item.pk || key.sk !== item.sk) throw new Error(`${item.pk}/${item.sk} is not a photo key`);
  return checked.removal;
}

/**
 * Hands a deleted photo's objects to the photo-removals queue; failing that, deletes them itself. Resolves with how;
 * throws, naming the keys that may be orphaned, when neither worked.
 */
async function removeObjects(id: string, item: PhotoItem, bucket: string, queue: { url: string; region: string }): Promise<"queued" | "deleted"> {
  const objectKeys = photoObjectKeys(item);
  let notQueued: Error;
  try {
    await sendMessage(queue.url, queue.region, JSON.stringify(removalOf(item, objectKeys)));
    return "queued";
  } catch (error) {
    notQueued = error as Error;
  }
  logger.warn("photo removal not queued; deleting its objects directly", { photo: id, objectKeys, error: notQueued.message });
  try {
    await deleteObjects(bucket, objectKeys);
    return "deleted";
  } catch (error) {
    if (!(error instanceof ObjectsNotDeleted)) throw error;
    const notDeleted = error.cause as Error;
    logger.error("photo item deleted, but its objects were neither queued nor deleted: they may be orphaned", { photo: id, orphanedKeys: error.keys, sendError: notQueued.message, deleteError: notDeleted.message });
    throw new Error(
      `photo ${id} was deleted, but its objects were neither queued for removal (${notQueued.name}: ${notQueued.message}) nor deleted (${notDeleted.name}: ${notDeleted.message}); ` +
        `these may be orphaned in ${bucket}: ${error.keys.join(", ")}`,
      { cause: notDeleted },
    );
  }
}

/** Removes pending and failed photos older than CLEANUP_AGE_HOURS at `now`, with their objects. */
export async function cleanUpStalePhotos(now: Date): Promise<CleanupResult> {
  const tableName = env("TABLE_NAME");
  const bucket = env("UPLOAD_BUCKET_NAME");
  const queue = removalsQueue();
  const ageHours = Number(env("CLEANUP_AGE_HOURS"));
  if (!(ageHours > 0)) throw new Error(`CLEANUP_AGE_HOURS is ${process.env.CLEANUP_AGE_HOURS}, not a positive number of hours`);
  const cutoff = new Date(now.getTime() - ageHours * 3600_000).toISOString();
  const result: CleanupResult = { removed: [], deletedDirectly: [], kept: [] };
  const pages = paginateScan(
    { client: db() },
    {
      TableName: tableName,
      FilterExpression: "begins_with(sk, :photo) AND #status IN (:pending, :failed) AND createdAt < :cutoff",
      ProjectionExpression: "pk, sk, #status, createdAt, objectKey, thumbnails",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":photo": PHOTO_PREFIX, ":pending": "pending", ":failed": "failed", ":cutoff": cutoff },
    },
  );
  for await (const page of pages) {
    for (const photo of (page.Items ?? []) as PhotoItem[]) {
      const id = `${photo.pk}/${photo.sk}`;
      let deleted: PhotoItem;
      try {
        const answer = await db().send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: photo.pk, sk: photo.sk },
            ConditionExpression: "#status = :status AND createdAt = :createdAt",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: { ":status": photo.status, ":createdAt": photo.createdAt },
            ReturnValues: "ALL_OLD",
          }),
        );
        deleted = (answer.Attributes as PhotoItem | undefined) ?? photo;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException") {
          result.kept.push(id);
          continue;
        }
        throw error;
      }
      if ((await removeObjects(id, deleted, bucket, queue)) === "deleted") result.deletedDirectly.push(id);
      result.removed.push(id);
    }
  }
  logger.info("clean-up done", { cutoff, removed: result.removed.length, deletedDirectly: result.deletedDirectly.length, kept: result.kept.length });
  return result;
}
