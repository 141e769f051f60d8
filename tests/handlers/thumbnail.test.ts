/**
 * The thumbnail function with real images (made with sharp), S3 events in S3's shape (from the local
 * event builder), the local S3 server and dynalite with the idempotency table: PNG, JPEG (EXIF
 * rotated) and WebP get 320/1280 px WebP renditions and become ready with their size and format;
 * unreadable uploads become failed with a reason; a redelivered event changes nothing.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { S3Event } from "aws-lambda";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { albumItem, newId, originalKey, photoItem, photoKey, type PhotoItem } from "../../handlers/shared/gallery-keys";
import { s3EventRecord } from "../../local/s3-events";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "../../local/s3-server";
import type { LocalSqsServer } from "../../local/sqs-server";
import { IDEMPOTENCY_TABLE_NAME, lambdaContext, removalsSent, startGalleryTable, startRemovalsQueue } from "./gallery-table";

const BUCKET = "uploads";
const SUB = "0f1e2d3c-aaaa-bbbb-cccc-123456789abc";
let table: Awaited<ReturnType<typeof startGalleryTable>>;
let s3server: LocalS3;
let sqs: LocalSqsServer;
let s3: S3Client;
let doc: DynamoDBDocumentClient;
let thumbnail: typeof import("../../handlers/thumbnail/index.js");
const album = albumItem({ sub: SUB, title: "Test" });

beforeAll(async () => {
  table = await startGalleryTable();
  s3server = await startLocalS3({ buckets: [BUCKET] });
  // A gone photo's objects are handed to the photo-removals queue.
  sqs = await startRemovalsQueue();
  Object.assign(process.env, {
    TABLE_NAME: "gallery",
    IDEMPOTENCY_TABLE_NAME,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
    POWERTOOLS_DEV: "true",
    POWERTOOLS_LOG_LEVEL: "ERROR",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  s3 = new S3Client({ forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS, endpoint: s3server.endpoint });
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }), { marshallOptions: { removeUndefinedValues: true } });
  await doc.send(new PutCommand({ TableName: "gallery", Item: album }));
  thumbnail = await import("../../handlers/thumbnail/index.js");
});
afterAll(async () => {
  s3?.destroy();
  doc?.destroy();
  await s3server?.close();
  await sqs?.stop();
  await table?.stop();
});

afterEach(() => vi.restoreAllMocks());

/** Deletes `photo`'s item just before the thumbnail function's final (conditional) write of it: that write then fails. */
function deleteBeforeFinalWrite(photo: PhotoItem): void {
  const send = DynamoDBDocumentClient.prototype.send as (this: DynamoDBDocumentClient, ...args: unknown[]) => Promise<unknown>;
  vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown, ...rest: unknown[]) {
    if (this !== doc && command instanceof UpdateCommand && command.input.Key?.sk === photo.sk) {
      await send.call(doc, new DeleteCommand({ TableName: "gallery", Key: { pk: photo.pk, sk: photo.sk } }));
    }
    return send.call(this, command, ...rest);
  } as typeof DynamoDBDocumentClient.prototype.send);
}

/** A gradient image in `format`, `width`×`height`, optionally tagged with an EXIF orientation. */
async function image(format: "png" | "jpeg" | "webp", width: number, height: number, orientation?: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels[i] = (i / 3) % 256;
  let pipeline = sharp(pixels, { raw: { width, height, channels: 3 } }).toFormat(format);
  if (orientation) pipeline = pipeline.withMetadata({ orientation });
  return pipeline.toBuffer();
}

/** A pending photo whose original `body` has just been uploaded; the S3 event for it. */
async function upload(body: Buffer, contentType: string, time = new Date()): Promise<{ photo: PhotoItem; event: S3Event }> {
  const draft = photoItem({ sub: SUB, albumId: album.albumId, objectKey: "", contentType, size: body.length, photoId: newId() });
  const photo = { ...draft, objectKey: originalKey(SUB, album.albumId, draft.photoId, contentType) };
  await doc.send(new PutCommand({ TableName: "gallery", Item: photo }));
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: photo.objectKey, Body: body, ContentType: contentType }));
  const record = s3EventRecord(
    { eventName: "ObjectCreated:Put", bucket: BUCKET, key: photo.objectKey, size: body.length, eTag: put.ETag!.replace(/"/g, ""), sequencer: `00${Date.now().toString(16)}`, time },
    { region: "us-east-1", configurationId: "thumbnails" },
  );
  return { photo, event: { Records: [record] } };
}

const stored = async (photo: PhotoItem) => (await doc.send(new GetCommand({ TableName: "gallery", Key: photoKey(SUB, photo.albumId, photo.photoId), ConsistentRead: true }))).Item as PhotoItem | undefined;
const object = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());

describe("thumbnail function", () => {
  it.each([
    ["PNG", "png", "image/png", 2000, 1000, undefined, [[320, 160], [1280, 640]]],
    ["JPEG rotated by EXIF (orientation 6)", "jpeg", "image/jpeg", 1600, 1200, 6, [[320, 427], [1200, 1600]]],
    ["WebP narrower than the large rendition", "webp", "image/webp", 800, 600, undefined, [[320, 240], [800, 600]]],
  ] as const)("makes WebP thumbnails of a %s and marks the photo ready with its size and format", async (_, format, contentType, width, height, orientation, sizes) => {
    const { photo, event } = await upload(await image(format, width, height, orientation), contentType);
    expect(await thumbnail.handler(event, lambdaContext)).toEqual(["ready"]);
    const item = (await stored(photo))!;
    const [shownWidth, shownHeight] = orientation === 6 ? [height, width] : [width, height];
    expect(item).toMatchObject({ status: "ready", width: shownWidth, height: shownHeight, format });
    expect(item.expiresAt).toBeUndefined();
    expect(item.processedAt).toBeDefined();
    expect(item.thumbnails!.map((t) => [t.width, t.height])).toEqual(sizes);
    for (const t of item.thumbnails!) {
      expect(t.key).toMatch(new RegExp(`^thumbnails/${SUB}/${album.albumId}/${photo.photoId}/(320|1280)\\.webp$`));
      const meta = await sharp(await object(t.key)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", t.width, t.height]);
      expect(t.bytes).toBe((await object(t.key)).length);
    }
  });

  it("makes one rendition of an image smaller than both widths", async () => {
    const { photo, event } = await upload(await image("png", 40, 30), "image/png");
    expect(await thumbnail.handler(event, lambdaContext)).toEqual(["ready"]);
    expect((await stored(photo))!.thumbnails!.map((t) => [t.width, t.height, t.key.split("/").pop()])).toEqual([[40, 30, "320.webp"]]);
  });

  it.each([
    ["a truncated PNG", async () => (await image("png", 300, 300)).subarray(0, 120), /^The (file is not an image the gallery can read|image could not be decoded)/],
    ["a text file", async () => Buffer.from("hello, not an image"), /^The file is not an image the gallery can read/],
    ["a TIFF (not a gallery format)", async () => sharp({ create: { width: 10, height: 10, channels: 3, background: "red" } }).tiff().toBuffer(), /^The file is TIFF, not JPEG, PNG, WebP or GIF$/],
  ])("marks the photo failed with the reason for %s, and writes no thumbnail", async (_, body, reason) => {
    const { photo, event } = await upload(await body(), "image/png");
    s3server.resetRequests();
    expect(await thumbnail.handler(event, lambdaContext)).toEqual(["failed"]);
    const item = (await stored(photo))!;
    expect(item.status).toBe("failed");
    expect(item.failureReason).toMatch(reason);
    expect(item.expiresAt).toBeUndefined();
    expect(s3server.count("PutObject")).toBe(0);
  });

  it("changes nothing when S3 delivers the same event again", async () => {
    const { photo, event } = await upload(await image("jpeg", 900, 600), "image/jpeg");
    expect(await thumbnail.handler(event, lambdaContext)).toEqual(["ready"]);
    const first = await stored(photo);
    s3server.resetRequests();
    expect(await thumbnail.handler(structuredClone(event), lambdaContext)).toEqual(["ready"]);
    expect(s3server.count("PutObject")).toBe(0);
    expect(s3server.count("GetObject")).toBe(0);
    expect(await stored(photo)).toEqual(first);
  });

  it("hands the original of a photo deleted while its upload was in flight to the photo-removals queue, and makes no thumbnail", async () => {
    // An event a retry later: a young one might be of a photo not replicated yet (below).
    const { photo, event } = await upload(await image("png", 400, 400), "image/png", new Date(Date.now() - 2 * 60_000));
    await removalsSent(sqs);
    // DELETE of the pending photo: its item is gone, and its removal (which ran before the PUT arrived) found no object.
    await doc.send(new DeleteCommand({ TableName: "gallery", Key: photoKey(SUB, photo.albumId, photo.photoId) }));
    expect(await thumbnail.handler(event, lambdaContext)).toEqual(["photo-gone"]);
    expect(await removalsSent(sqs)).toEqual([{ sub: SUB, albumId: album.albumId, photoId: photo.photoId, objectKeys: [photo.objectKey], region: "us-east-1" }]);
    expect(s3server.store.list(BUCKET, `thumbnails/${SUB}/${album.albumId}/${photo.photoId}/`)).toEqual([]);
  });

  it("throws on a young event whose photo has no item yet (created in another region, not replicated), sending nothing; the retry makes it ready", async () => {
    const { photo, event } = await upload(await image("png", 400, 400), "image/png");
    await removalsSent(sqs);
    await doc.send(new DeleteCommand({ TableName: "gallery", Key: photoKey(SUB, photo.albumId, photo.photoId) }));
    await expect(thumbnail.handler(event, lambdaContext)).rejects.toThrow(thumbnail.PhotoNotVisibleYet);
    expect(await removalsSent(sqs)).toEqual([]);
    expect(s3server.store.list(BUCKET, `thumbnails/${SUB}/${album.albumId}/${photo.photoId}/`)).toEqual([]);
    // The item replicates; Lambda's retry of the same event is not answered from the idempotency record.
    await doc.send(new PutCommand({ TableName: "gallery", Item: photo }));
    expect(await thumbnail.handler(structuredClone(event), lambdaContext)).toEqual(["ready"]);
    expect((await stored(photo))!.status).toBe("ready");
  });

  it("counts a missing item as gone from PHOTO_VISIBLE_AFTER_SECONDS after the event on", async () => {
    const version = { bucket: BUCKET, key: originalKey(SUB, album.albumId, newId(), "image/png"), version: "v" };
    const eventTime = "2026-06-01T12:00:00.000Z";
    const at = (seconds: number) => Date.parse(eventTime) + seconds * 1000;
    await removalsSent(sqs);
    await expect(thumbnail.processObject(version, { eventTime, now: at(thumbnail.PHOTO_VISIBLE_AFTER_SECONDS - 1) })).rejects.toThrow(/no item yet for photo .* 59 s after its upload/);
    expect(await removalsSent(sqs)).toEqual([]);
    expect(await thumbnail.processObject(version, { eventTime, now: at(thumbnail.PHOTO_VISIBLE_AFTER_SECONDS) })).toBe("photo-gone");
    expect((await removalsSent(sqs)).map((r) => r.objectKeys)).toEqual([[version.key]]);
  });

  it("hands the original and the thumbnails it made to the photo-removals queue when the photo is deleted while they are made", async () => {
    const { photo, event } = await upload(await image("png", 2000, 1000), "image/png");
    await removalsSent(sqs);
    s3server.resetRequests();
    deleteBeforeFinalWrite(photo);
    expect(await thumbnail.handler(event, lambdaContext)).toEqual(["photo-gone"]);
    const thumbnails = [320, 1280].map((width) => `thumbnails/${SUB}/${album.albumId}/${photo.photoId}/${width}.webp`);
    expect(await removalsSent(sqs)).toEqual([{ sub: SUB, albumId: album.albumId, photoId: photo.photoId, objectKeys: [photo.objectKey, ...thumbnails], region: "us-east-1" }]);
    // Written before the hand-over, and deleted only by the queue's consumer (the function has no s3:DeleteObject).
    expect(s3server.store.list(BUCKET, `thumbnails/${SUB}/${album.albumId}/${photo.photoId}/`).map((o) => o.key).sort()).toEqual([...thumbnails].sort());
    expect(s3server.count("DeleteObject")).toBe(0);
    expect(await stored(photo)).toBeUndefined();
  });

  it("hands only the original of an unusable upload to the photo-removals queue when the photo is deleted meanwhile", async () => {
    const { photo, event } = await upload(Buffer.from("hello, not an image"), "image/png");
    await removalsSent(sqs);
    s3server.resetRequests();
    deleteBeforeFinalWrite(photo);
    expect(await thumbnail.handler(event, lambdaContext)).toEqual(["photo-gone"]);
    expect(await removalsSent(sqs)).toEqual([{ sub: SUB, albumId: album.albumId, photoId: photo.photoId, objectKeys: [photo.objectKey], region: "us-east-1" }]);
    expect(s3server.count("PutObject")).toBe(0);
    expect(s3server.count("DeleteObject")).toBe(0);
  });

  it("leaves a photo that is no longer pending alone", async () => {
    const other = await upload(await image("png", 400, 400), "image/png");
    await doc.send(new PutCommand({ TableName: "gallery", Item: { ...other.photo, status: "ready", expiresAt: undefined } }));
    expect(await thumbnail.handler(other.event, lambdaContext)).toEqual(["already-processed"]);
  });

  it("ignores objects that are not gallery originals, and decodes S3's URL-encoded keys", async () => {
    const record = s3EventRecord({ eventName: "ObjectCreated:Put", bucket: BUCKET, key: "originals/some one/notes 1.txt", size: 1, eTag: "x", sequencer: "01", time: new Date() }, { region: "us-east-1", configurationId: "t" });
    expect(record.s3.object.key).toBe("originals/some+one/notes+1.txt");
    expect(thumbnail.decodeEventKey(record.s3.object.key)).toBe("originals/some one/notes 1.txt");
    expect(thumbnail.decodeEventKey("originals/a%2Bb%3D/c.png")).toBe("originals/a+b=/c.png");
    expect(await thumbnail.handler({ Records: [record] }, lambdaContext)).toEqual(["not-a-gallery-object"]);
  });

  it("throws on an event that is not S3's (Lambda retries it, then sends it to the failure queue)", async () => {
    await expect(thumbnail.handler({ Records: [{ not: "s3" }] } as never, lambdaContext)).rejects.toThrow(TypeError);
  });
});
