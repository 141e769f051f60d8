/**
 * The scheduled clean-up against dynalite and the local S3 server: photos pending or failed for
 * longer than CLEANUP_AGE_HOURS go, with their original and thumbnails; younger ones, ready ones,
 * other items and other users' objects stay.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { albumItem, originalKey, photoItem, thumbnailKey, type PhotoItem } from "../../handlers/shared/gallery-keys";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "../../local/s3-server";
import { startGalleryTable } from "./gallery-table";

const BUCKET = "uploads";
const NOW = new Date("2026-06-01T12:00:00.000Z");
let table: Awaited<ReturnType<typeof startGalleryTable>>;
let s3server: LocalS3;
let doc: DynamoDBDocumentClient;
let s3: S3Client;

beforeAll(async () => {
  table = await startGalleryTable();
  s3server = await startLocalS3({ buckets: [BUCKET] });
  Object.assign(process.env, {
    TABLE_NAME: "gallery",
    UPLOAD_BUCKET_NAME: BUCKET,
    CLEANUP_AGE_HOURS: "6",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
    POWERTOOLS_LOG_LEVEL: "ERROR",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }), { marshallOptions: { removeUndefinedValues: true } });
  s3 = new S3Client({ forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS, endpoint: s3server.endpoint });
});
afterAll(async () => {
  doc?.destroy();
  s3?.destroy();
  await s3server?.close();
  await table?.stop();
});

const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString();

async function photo(sub: string, photoId: string, status: PhotoItem["status"], createdAt: string, uploaded: boolean): Promise<PhotoItem> {
  const albumId = "01ALBUMALBUMALBUMALBUMALBU";
  const item = photoItem({ sub, albumId, photoId, objectKey: originalKey(sub, albumId, photoId, "image/png"), contentType: "image/png", size: 3, createdAt, status });
  const thumbnails = status === "ready" || (status === "failed" && uploaded) ? [{ key: thumbnailKey(sub, albumId, photoId, 320), width: 1, height: 1, bytes: 1 }] : undefined;
  const stored = { ...item, ...(status === "pending" ? {} : { expiresAt: undefined }), ...(thumbnails && status === "ready" ? { thumbnails } : {}) };
  await doc.send(new PutCommand({ TableName: "gallery", Item: stored }));
  if (uploaded) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: item.objectKey, Body: "png" }));
  for (const t of stored.thumbnails ?? []) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: t.key, Body: "webp" }));
  return stored;
}

describe("photo clean-up", () => {
  it("removes only photos pending or failed beyond the age, with their objects", async () => {
    await doc.send(new PutCommand({ TableName: "gallery", Item: albumItem({ sub: "a", title: "Old album", createdAt: hoursAgo(100) }) }));
    const neverUploaded = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA1", "pending", hoursAgo(7), false);
    const stuck = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA2", "pending", hoursAgo(30), true);
    const failed = await photo("b", "01AAAAAAAAAAAAAAAAAAAAAAA3", "failed", hoursAgo(8), true);
    const young = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA4", "pending", hoursAgo(5), true);
    const youngFailed = await photo("b", "01AAAAAAAAAAAAAAAAAAAAAAA5", "failed", hoursAgo(1), true);
    const ready = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA6", "ready", hoursAgo(500), true);

    const { cleanUpStalePhotos } = await import("../../handlers/photo-cleanup/index.js");
    const result = await cleanUpStalePhotos(NOW);
    const id = (p: PhotoItem) => `${p.pk}/${p.sk}`;
    expect(result.removed.sort()).toEqual([neverUploaded, stuck, failed].map(id).sort());
    expect(result.kept).toEqual([]);

    const left = ((await doc.send(new ScanCommand({ TableName: "gallery" }))).Items ?? []).map((i) => `${i.pk}/${i.sk}`);
    expect(left.sort()).toEqual([...[young, youngFailed, ready].map(id), "USER#a/" + left.find((k) => k.startsWith("USER#a/ALBUM#"))!.split("/")[1]].sort());
    expect(s3server.store.list(BUCKET, "").map((o) => o.key).sort()).toEqual([young.objectKey, youngFailed.objectKey, ready.objectKey, ...ready.thumbnails!.map((t) => t.key)].sort());
    // Objects of photos that never arrived are not there to delete; deleting them is harmless, as in S3.
    expect(s3server.deletedKeys()).toEqual(expect.arrayContaining([neverUploaded.objectKey, stuck.objectKey, failed.objectKey]));
  });
});
