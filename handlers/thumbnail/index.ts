/**
 * Thumbnails for uploaded originals (S3 ObjectCreated under `originals/`, asynchronous): reads the
 * original, writes 320 px and 1280 px WebP renditions under `thumbnails/`, and marks the photo
 * `ready` with its size, format and renditions — a conditional write, so only a pending photo for
 * exactly this object changes. An upload sharp cannot read marks the photo `failed` with the
 * reason. Each object version is processed once (Powertools idempotency): a redelivered event
 * changes nothing. Anything else that goes wrong is thrown: Lambda retries (asyncInvoke, at most
 * twice) and then sends the event to the function's failure queue, never retrying forever.
 * Once a photo is ready or failed, its owner's open browser tabs hear of it over the gallery's
 * WebSocket API (RealtimeApi; only when the function has its environment): a message to the owner's
 * connections only, found by the connections table's user index.
 * An original whose photo is gone — deleted while its upload was in flight (the DELETE's removal may have run before
 * the object existed), or while its thumbnails were made — is handed, with any thumbnails made, to the photo-removals
 * queue (handlers/photo-removal deletes them once the item is still gone there); nothing else would ever name them.
 * No item is not yet "gone" while the S3 event is young (PHOTO_VISIBLE_AFTER_SECONDS): a photo created through another
 * region's API writes its item to that region's replica, and the upload's event can arrive here before the item has
 * replicated. Such an event throws PhotoNotVisibleYet, so Lambda retries it (about 1 and 3 minutes later); only an
 * older event that still finds no item hands the object over.
 * A failed send throws: Lambda retries the event, which hands the original over again (and the consumer deletes every
 * thumbnail key of a gone photo, made or not).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, S3Event } from "aws-lambda";
import { parseOriginalKey, photoKey, thumbnailKey, type PhotoItem, type Thumbnail } from "../shared/gallery-keys";
import { idempotent } from "../shared/idempotency";
import { notifyOwner } from "../shared/photo-events";
import { photoRemoval, removalsQueue, type PhotoRemoval } from "../shared/photo-removals";
import { sendMessage } from "../shared/queue-messages";
import { makeThumbnails, UnusableImage } from "./images";

const logger = new Logger();
let clients: { s3: S3Client; db: DynamoDBDocumentClient } | undefined;

function aws() {
  clients ??= {
    // Emulators are addressed path-style (http://localhost:port/bucket/key).
    s3: new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3), requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }),
    db: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  };
  return clients;
}

function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error("TABLE_NAME is not set");
  return name;
}

/** What became of one object; also what the idempotency record stores and a redelivery returns. */
export type Outcome = "ready" | "failed" | "not-a-gallery-object" | "photo-gone" | "already-processed";

export interface ObjectVersion {
  bucket: string;
  key: string;
  /** The version id (versioned bucket), else the ETag: a new upload to the same key is new work. */
  version: string;
}

/** S3 event keys are URL-encoded, spaces as `+` (S3 User Guide, "Event message structure"). */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

/**
 * How old an S3 event must be before a missing photo item counts as deleted. Items written in another region's replica
 * typically replicate within a second (DynamoDB developer guide, global tables), but lag can grow; a younger event
 * throws so that Lambda retries it: S3 invokes asynchronously, and Lambda retries a failed asynchronous invocation
 * twice, after about 1 and then 2 more minutes (Lambda developer guide, "Error handling and automatic retries in
 * Lambda" / asynchronous invocation), so the first retry already sees an older event.
 */
export const PHOTO_VISIBLE_AFTER_SECONDS = 60;

/** No item yet for a young event's photo: maybe not replicated yet from the region that created it. Thrown for a retry. */
export class PhotoNotVisibleYet extends Error {
  override name = "PhotoNotVisibleYet";
}

/** Facts about the event that are not part of the idempotency key. */
export interface EventFacts {
  /** S3's eventTime (ISO 8601). */
  eventTime: string;
  /** Now, in milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
}

const processOnce = idempotent(processObject);

export async function handler(event: S3Event, context: Context): Promise<Outcome[]> {
  processOnce.context(context);
  const outcomes: Outcome[] = [];
  for (const record of event.Records) {
    const object = record.s3.object;
    const version: ObjectVersion = { bucket: record.s3.bucket.name, key: decodeEventKey(object.key), version: object.versionId || object.eTag || object.sequencer };
    // The event time is passed beside the key, not in it: a retried event is the same work.
    const outcome = await processOnce.run(version, { eventTime: record.eventTime });
    logger.info("processed", { key: version.key, outcome });
    outcomes.push(outcome);
  }
  return outcomes;
}

export async function processObject({ bucket, key }: ObjectVersion, facts?: EventFacts): Promise<Outcome> {
  const photo = parseOriginalKey(key);
  if (!photo) return "not-a-gallery-object";
  const { s3, db } = aws();
  const item = (await db.send(new GetCommand({ TableName: tableName(), Key: photoKey(photo.sub, photo.albumId, photo.photoId), ConsistentRead: true }))).Item as PhotoItem | undefined;
  if (!item) {
    // An event without a readable time counts as old: S3 always sends one, and the photo may really be gone.
    const ageMs = facts ? (facts.now ?? Date.now()) - Date.parse(facts.eventTime) : Number.NaN;
    if (ageMs < PHOTO_VISIBLE_AFTER_SECONDS * 1000) {
      throw new PhotoNotVisibleYet(`no item yet for photo ${photo.albumId}/${photo.photoId} ${Math.round(ageMs / 1000)} s after its upload (not replicated yet from the region that created it, or deleted); Lambda retries the event, and an older event that still finds no item hands the object over`);
    }
    await handOver(photo, [key]);
    return "photo-gone";
  }
  if (item.objectKey !== key) return "photo-gone";
  if (item.status !== "pending") return "already-processed";

  let original: Buffer;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    original = Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if (error instanceof NoSuchKey || (error as Error).name === "NoSuchKey") return "photo-gone";
    throw error;
  }

  let made: Awaited<ReturnType<typeof makeThumbnails>>;
  try {
    made = await makeThumbnails(original);
  } catch (error) {
    if (!(error instanceof UnusableImage)) throw error;
    logger.warn("unusable upload", { key, reason: error.message });
    if (!(await finish(item, { status: "failed", failureReason: error.message }))) {
      await handOver(photo, [key]);
      return "photo-gone";
    }
    await notifyOwner(photo.sub, { type: "photo", albumId: photo.albumId, photoId: photo.photoId, status: "failed" });
    return "failed";
  }
  const thumbnails: Thumbnail[] = await Promise.all(
    made.renditions.map(async (r) => {
      const thumbKey = thumbnailKey(photo.sub, photo.albumId, photo.photoId, r.target);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: thumbKey, Body: r.body, ContentType: "image/webp", CacheControl: "private, max-age=31536000, immutable" }));
      return { key: thumbKey, width: r.width, height: r.height, bytes: r.body.length };
    }),
  );
  const marked = await finish(item, { status: "ready", width: made.width, height: made.height, format: made.format, thumbnails });
  if (marked) {
    await notifyOwner(photo.sub, { type: "photo", albumId: photo.albumId, photoId: photo.photoId, status: "ready" });
    return "ready";
  }
  // The photo was deleted (or replaced) while we worked: its thumbnails must not outlive it. Handed over rather than
  // deleted here: the consumer deletes them only once the item is gone, so a photo that another event of the same key
  // made ready meanwhile keeps its thumbnails.
  await handOver(photo, [key, ...thumbnails.map((t) => t.key)]);
  return "photo-gone";
}

/** Hands a gone photo's objects to the photo-removals queue (handlers/shared/photo-removals.ts). */
async function handOver(photo: Pick<PhotoRemoval, "sub" | "albumId" | "photoId">, objectKeys: string[]): Promise<void> {
  const { url, region } = removalsQueue();
  const removal = photoRemoval(photo, objectKeys);
  await sendMessage(url, region, JSON.stringify(removal));
  logger.info("photo gone: objects handed to the photo-removals queue", { albumId: photo.albumId, photoId: photo.photoId, objects: objectKeys.length });
}

/** Sets the outcome on the photo if it is still the pending photo of this object; false when it is not. */
async function finish(item: PhotoItem, fields: Partial<PhotoItem> & { status: "ready" | "failed" }): Promise<boolean> {
  const values: Record<string, unknown> = { ":pending": "pending", ":key": item.objectKey, ":now": new Date().toISOString() };
  const names: Record<string, string> = { "#status": "status", "#processedAt": "processedAt" };
  const sets = ["#processedAt = :now"];
  for (const [field, value] of Object.entries(fields)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  try {
    await aws().db.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: item.pk, sk: item.sk },
        // Ready and failed photos leave TTL's reach: failed ones go with the scheduled clean-up, objects and all.
        UpdateExpression: `SET ${sets.join(", ")} REMOVE expiresAt`,
        ConditionExpression: "#status = :pending AND objectKey = :key",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}
