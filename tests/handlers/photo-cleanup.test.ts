/**
 * The scheduled clean-up against dynalite, the local S3 server and the local SQS server (the photo-removals queue):
 * photos pending or failed for longer than CLEANUP_AGE_HOURS go — their item deleted, then one removal message each
 * for the photo-removals queue's consumer (handlers/photo-removal), which deletes the original and thumbnails; younger
 * ones, ready ones, other items and other users' objects stay. A photo that changed between the scan and the delete is
 * kept and sends nothing; a removal that cannot be sent falls back to deleting the objects directly; when that fails
 * too the run throws, naming the keys that may be orphaned.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { albumItem, originalKey, photoItem, thumbnailKey, type PhotoItem } from "../../handlers/shared/gallery-keys";
import type { PhotoRemoval } from "../../handlers/shared/photo-removals";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "../../local/s3-server";
import type { LocalSqsServer } from "../../local/sqs-server";
import { REMOVALS_QUEUE, removalsSent as removalsFrom, startGalleryTable, startRemovalsQueue } from "./gallery-table";

const BUCKET = "uploads";
const ALBUM = "01ALBUMALBUMALBUMALBUMALBU";
const NOW = new Date("2026-06-01T12:00:00.000Z");
let table: Awaited<ReturnType<typeof startGalleryTable>>;
let s3server: LocalS3;
let sqs: LocalSqsServer;
let doc: DynamoDBDocumentClient;
let s3: S3Client;

beforeAll(async () => {
  table = await startGalleryTable();
  s3server = await startLocalS3({ buckets: [BUCKET] });
  sqs = await startRemovalsQueue();
  Object.assign(process.env, {
    TABLE_NAME: "gallery",
    UPLOAD_BUCKET_NAME: BUCKET,
    CLEANUP_AGE_HOURS: "6",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
    // The failing runs below log a warning and an error by design.
    POWERTOOLS_LOG_LEVEL: "SILENT",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }), { marshallOptions: { removeUndefinedValues: true } });
  s3 = new S3Client({ forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS, endpoint: s3server.endpoint });
});
afterAll(async () => {
  doc?.destroy();
  s3?.destroy();
  await sqs?.stop();
  await s3server?.close();
  await table?.stop();
});
beforeEach(async () => {
  process.env.PHOTO_REMOVALS_QUEUE_URL = sqs.queueUrl(REMOVALS_QUEUE);
  process.env.UPLOAD_BUCKET_NAME = BUCKET;
  s3server.resetRequests();
  s3server.fail(undefined);
  // What an earlier test left (the clean-up scans the whole table; the first test lists the whole bucket), whichever ran first.
  await removalsSent();
  for (const object of objectsLeft()) s3server.store.delete(BUCKET, object);
  for (const item of (await doc.send(new ScanCommand({ TableName: "gallery" }))).Items ?? []) await doc.send(new DeleteCommand({ TableName: "gallery", Key: { pk: item.pk, sk: item.sk } }));
});
afterEach(() => vi.restoreAllMocks());

const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString();
const id = (p: PhotoItem) => `${p.pk}/${p.sk}`;
const cleanup = async () => (await import("../../handlers/photo-cleanup/index.js")).cleanUpStalePhotos(NOW);

/** The removals sent since the last call, taken off the queue. */
const removalsSent = (): Promise<PhotoRemoval[]> => removalsFrom(sqs);

const removalOf = (p: PhotoItem, sub: string): PhotoRemoval => ({ sub, albumId: ALBUM, photoId: p.photoId, objectKeys: [p.objectKey, ...(p.thumbnails ?? []).map((t) => t.key)], region: "us-east-1" });
const objectsLeft = () => s3server.store.list(BUCKET, "").map((o) => o.key);
const itemOf = async (p: PhotoItem) => (await doc.send(new GetCommand({ TableName: "gallery", Key: { pk: p.pk, sk: p.sk }, ConsistentRead: true }))).Item;

async function photo(sub: string, photoId: string, status: PhotoItem["status"], createdAt: string, uploaded: boolean, thumbnailed = status === "ready"): Promise<PhotoItem> {
  const item = photoItem({ sub, albumId: ALBUM, photoId, objectKey: originalKey(sub, ALBUM, photoId, "image/png"), contentType: "image/png", size: 3, createdAt, status });
  const thumbnails = thumbnailed ? [{ key: thumbnailKey(sub, ALBUM, photoId, 320), width: 1, height: 1, bytes: 1 }] : undefined;
  const stored = { ...item, ...(status === "pending" ? {} : { expiresAt: undefined }), ...(thumbnails ? { thumbnails } : {}) };
  await doc.send(new PutCommand({ TableName: "gallery", Item: stored }));
  if (uploaded) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: item.objectKey, Body: "png" }));
  for (const t of stored.thumbnails ?? []) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: t.key, Body: "webp" }));
  return stored;
}

describe("photo clean-up", () => {
  it("removes only photos pending or failed beyond the age: their items at once, their objects through one photo-removals message each", async () => {
    await doc.send(new PutCommand({ TableName: "gallery", Item: albumItem({ sub: "a", title: "Old album", albumId: ALBUM, createdAt: hoursAgo(100) }) }));
    const neverUploaded = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA1", "pending", hoursAgo(7), false);
    const stuck = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA2", "pending", hoursAgo(30), true);
    const failed = await photo("b", "01AAAAAAAAAAAAAAAAAAAAAAA3", "failed", hoursAgo(8), true, true);
    const young = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA4", "pending", hoursAgo(5), true);
    const youngFailed = await photo("b", "01AAAAAAAAAAAAAAAAAAAAAAA5", "failed", hoursAgo(1), true);
    const ready = await photo("a", "01AAAAAAAAAAAAAAAAAAAAAAA6", "ready", hoursAgo(500), true);

    const result = await cleanup();
    expect(result.removed.sort()).toEqual([neverUploaded, stuck, failed].map(id).sort());
    expect(result).toMatchObject({ kept: [], deletedDirectly: [] });

    const left = ((await doc.send(new ScanCommand({ TableName: "gallery" }))).Items ?? []).map((i) => `${i.pk}/${i.sk}`);
    expect(left.sort()).toEqual([...[young, youngFailed, ready].map(id), `USER#a/ALBUM#${ALBUM}`].sort());
    // The clean-up deleted no object itself: each removed photo's original and thumbnails are in its message.
    expect(s3server.deletedKeys()).toEqual([]);
    const sent = await removalsSent();
    const bySub = (r: PhotoRemoval) => `${r.sub}/${r.photoId}`;
    expect(sent.sort((x, y) => bySub(x).localeCompare(bySub(y)))).toEqual([removalOf(neverUploaded, "a"), removalOf(stuck, "a"), removalOf(failed, "b")]);

    // The queue's consumer finds each item gone and deletes what its message names; everything else stays.
    const { removePhotoObjects } = await import("../../handlers/photo-removal/index.js");
    for (const removal of sent) await removePhotoObjects({ messageId: removal.photoId, body: JSON.stringify(removal) } as SQSRecord);
    expect(objectsLeft().sort()).toEqual([young.objectKey, youngFailed.objectKey, ready.objectKey, ...ready.thumbnails!.map((t) => t.key)].sort());
  });

  it("keeps a photo that changed between the scan and the delete, and sends no removal for it", async () => {
    const racing = await photo("c", "01CCCCCCCCCCCCCCCCCCCCCCC1", "pending", hoursAgo(9), true);
    const stale = await photo("c", "01CCCCCCCCCCCCCCCCCCCCCCC2", "pending", hoursAgo(9), true);
    // The thumbnail function finishes the racing photo just before the clean-up's conditional delete reaches it.
    const send = DynamoDBDocumentClient.prototype.send as (this: DynamoDBDocumentClient, ...args: unknown[]) => Promise<unknown>;
    vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown, ...rest: unknown[]) {
      if (this !== doc && command instanceof DeleteCommand && command.input.Key?.sk === racing.sk) {
        await send.call(doc, new PutCommand({ TableName: "gallery", Item: { ...racing, status: "ready", expiresAt: undefined, thumbnails: [{ key: thumbnailKey("c", ALBUM, racing.photoId, 320), width: 1, height: 1, bytes: 1 }] } }));
      }
      return send.call(this, command, ...rest);
    } as typeof DynamoDBDocumentClient.prototype.send);

    const result = await cleanup();
    expect(result).toEqual({ removed: [id(stale)], kept: [id(racing)], deletedDirectly: [] });
    expect(await itemOf(racing)).toMatchObject({ status: "ready" });
    // Only the removed photo's message: none for the kept one, which would fail into the dead-letter queue.
    expect(await removalsSent()).toEqual([removalOf(stale, "c")]);
    expect(objectsLeft()).toContain(racing.objectKey);
  });

  it("deletes the objects itself when the removal cannot be sent", async () => {
    const stale = await photo("d", "01DDDDDDDDDDDDDDDDDDDDDDD1", "failed", hoursAgo(10), true, true);
    process.env.PHOTO_REMOVALS_QUEUE_URL = sqs.queueUrl("no-such-queue");
    const fetched = vi.spyOn(globalThis, "fetch");
    const result = await cleanup();
    expect(result).toEqual({ removed: [id(stale)], kept: [], deletedDirectly: [id(stale)] });
    // The send was tried first (QueueDoesNotExist is not retried), then each object deleted.
    const calls = fetched.mock.calls.map(([url, init]) => `${init?.method} ${new URL(String(url)).origin}`);
    expect(calls).toEqual([`POST ${sqs.endpoint}`, `DELETE ${s3server.endpoint}`, `DELETE ${s3server.endpoint}`]);
    expect(await itemOf(stale)).toBeUndefined();
    expect(s3server.deletedKeys().sort()).toEqual(removalOf(stale, "d").objectKeys.sort());
    expect(objectsLeft()).not.toEqual(expect.arrayContaining([stale.objectKey]));
  });

  it("fails the run when neither the send nor the deletes work, naming the keys that may be orphaned", async () => {
    const stale = await photo("e", "01EEEEEEEEEEEEEEEEEEEEEEE1", "failed", hoursAgo(10), true, true);
    const [original, thumbnail] = removalOf(stale, "e").objectKeys;
    process.env.PHOTO_REMOVALS_QUEUE_URL = sqs.queueUrl("no-such-queue");
    s3server.fail((request) => request.operation === "DeleteObject" && request.key === thumbnail);

    const run = cleanup();
    await expect(run).rejects.toThrow(new RegExp(`neither queued for removal \\(QueueDoesNotExist: .*\\) nor deleted \\(AccessDenied: .*\\); these may be orphaned in ${BUCKET}: ${thumbnail}$`));
    // The item is gone (the next run cannot find it): the error, and the log, are what is left of the key.
    expect(await itemOf(stale)).toBeUndefined();
    expect(objectsLeft()).toContain(thumbnail);
    expect(objectsLeft()).not.toContain(original);
  });
});
