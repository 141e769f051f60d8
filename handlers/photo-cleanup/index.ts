/**
 * Scheduled clean-up (LambdaFunction `schedule`): photos still `pending` (their upload never
 * arrived, or was never processed) or `failed` more than CLEANUP_AGE_HOURS after they were created
 * are removed — the item first, conditionally, so a photo that became ready meanwhile stays; then
 * its original and thumbnails. Ready photos are never touched. A Scan with a filter: the job runs
 * rarely and reads keys and a few attributes only.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteCommand, DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { PHOTO_PREFIX, type PhotoItem } from "../shared/gallery-keys";

const logger = new Logger();
let clients: { s3: S3Client; db: DynamoDBDocumentClient } | undefined;

function aws() {
  clients ??= {
    s3: new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3), requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }),
    db: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  };
  return clients;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export interface CleanupResult {
  /** Photos removed, with their objects. */
  removed: string[];
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

/** Removes pending and failed photos older than CLEANUP_AGE_HOURS at `now`, with their objects. */
export async function cleanUpStalePhotos(now: Date): Promise<CleanupResult> {
  const tableName = env("TABLE_NAME");
  const bucket = env("UPLOAD_BUCKET_NAME");
  const ageHours = Number(env("CLEANUP_AGE_HOURS"));
  if (!(ageHours > 0)) throw new Error(`CLEANUP_AGE_HOURS is ${process.env.CLEANUP_AGE_HOURS}, not a positive number of hours`);
  const cutoff = new Date(now.getTime() - ageHours * 3600_000).toISOString();
  const { db, s3 } = aws();
  const result: CleanupResult = { removed: [], kept: [] };
  const pages = paginateScan(
    { client: db },
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
      try {
        await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: photo.pk, sk: photo.sk },
            ConditionExpression: "#status = :status AND createdAt = :createdAt",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: { ":status": photo.status, ":createdAt": photo.createdAt },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as Error).name === "ConditionalCheckFailedException") {
          result.kept.push(id);
          continue;
        }
        throw error;
      }
      const keys = [photo.objectKey, ...(photo.thumbnails ?? []).map((t) => t.key)];
      await Promise.all(keys.map((key) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))));
      result.removed.push(id);
    }
  }
  logger.info("clean-up done", { cutoff, removed: result.removed.length, kept: result.kept.length });
  return result;
}
