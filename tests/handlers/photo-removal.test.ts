/**
 * The photo-removals queue's consumer (handlers/photo-removal) against dynalite and the local S3 server, with SQS
 * events as Lambda's event source mapping sends them: a removal whose photo item is gone deletes the objects; one whose
 * item is still there, one naming keys that are not that photo's, and one that is not a removal fail (partial batch
 * response), deleting nothing.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newId, originalKey, photoItem, thumbnailKey } from "../../handlers/shared/gallery-keys";
import type { PhotoRemoval } from "../../handlers/shared/photo-removals";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "../../local/s3-server";
import { lambdaContext, startGalleryTable } from "./gallery-table";

const BUCKET = "uploads";
const ALICE = "alice-sub";
const BOB = "bob-sub";
const ALBUM = "01ALBUMALBUMALBUMALBUMALBU";
let table: Awaited<ReturnType<typeof startGalleryTable>>;
let s3: LocalS3;
let doc: DynamoDBDocumentClient;
let removal: typeof import("../../handlers/photo-removal/index.js");

beforeAll(async () => {
  table = await startGalleryTable();
  s3 = await startLocalS3({ buckets: [BUCKET] });
  Object.assign(process.env, {
    TABLE_NAME: "gallery",
    UPLOAD_BUCKET_NAME: BUCKET,
    MAX_RECEIVES: "5",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    POWERTOOLS_LOG_LEVEL: "ERROR",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }), { marshallOptions: { removeUndefinedValues: true } });
  removal = await import("../../handlers/photo-removal/index.js");
});
afterAll(async () => {
  doc?.destroy();
  await s3?.close();
  await table?.stop();
});
beforeEach(() => {
  s3.resetRequests();
  s3.fail(undefined);
});

/** A photo's objects in the bucket (an original and two thumbnails), its item only if `stored`. */
async function photo(sub: string, stored: boolean): Promise<PhotoRemoval> {
  const photoId = newId();
  const objectKeys = [originalKey(sub, ALBUM, photoId, "image/png"), thumbnailKey(sub, ALBUM, photoId, 320), thumbnailKey(sub, ALBUM, photoId, 1280)];
  for (const key of objectKeys) s3.store.put(BUCKET, { key, body: Buffer.from("x"), etag: '"1"', contentType: "image/png", metadata: {}, lastModified: new Date() });
  if (stored) await doc.send(new PutCommand({ TableName: "gallery", Item: photoItem({ sub, albumId: ALBUM, photoId, objectKey: objectKeys[0], contentType: "image/png", size: 1 }) }));
  return { sub, albumId: ALBUM, photoId, objectKeys };
}

const exists = (key: string) => s3.store.get(BUCKET, key) !== undefined;

let sequence = 0;
function record(body: unknown, receiveCount = 1): SQSRecord {
  sequence += 1;
  return {
    messageId: `m-${sequence}`,
    receiptHandle: `r-${sequence}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: "0", SenderId: "AIDA", ApproximateFirstReceiveTimestamp: "0" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:photo-removals-queue",
    awsRegion: "us-east-1",
  };
}
const run = (...records: SQSRecord[]) => removal.handler({ Records: records } satisfies SQSEvent, lambdaContext);

describe("photo-object-removal", () => {
  it("deletes the original and thumbnails of a photo whose item is gone, and a redelivery changes nothing", async () => {
    const gone = await photo(ALICE, false);
    const message = record(gone);
    expect(await run(message)).toEqual({ batchItemFailures: [] });
    expect(s3.deletedKeys().sort()).toEqual([...gone.objectKeys].sort());
    expect(gone.objectKeys.filter(exists)).toEqual([]);
    // S3's DeleteObject answers 204 for a key that is already gone: the same message again succeeds.
    expect(await run(message)).toEqual({ batchItemFailures: [] });
  });

  it("deletes every thumbnail the photo may have, also those the message does not name (read before they were recorded)", async () => {
    const gone = await photo(ALICE, false);
    // The sender read the item while it was pending (another region's replica had no thumbnails yet): only the original.
    expect(await run(record({ ...gone, objectKeys: [gone.objectKeys[0]] }))).toEqual({ batchItemFailures: [] });
    expect(gone.objectKeys.filter(exists)).toEqual([]);
  });

  it("fails the record while the photo's item still exists (the API's delete has not happened, or failed), deleting nothing", async () => {
    const kept = await photo(ALICE, true);
    const message = record(kept);
    expect(await run(message)).toEqual({ batchItemFailures: [{ itemIdentifier: message.messageId }] });
    expect(s3.count("DeleteObject")).toBe(0);
    expect(kept.objectKeys.every(exists)).toBe(true);
  });

  it("drops a removal sent from its own region whose photo still exists on its last receive (MAX_RECEIVES) instead of dead-lettering it, deleting nothing", async () => {
    const kept = { ...(await photo(ALICE, true)), region: "us-east-1" };
    const refused = record(kept, 4);
    const last = record(kept, 5);
    expect(await run(refused, last)).toEqual({ batchItemFailures: [{ itemIdentifier: refused.messageId }] });
    expect(s3.count("DeleteObject")).toBe(0);
    expect(kept.objectKeys.every(exists)).toBe(true);
    // Only a photo that exists: a refused key still fails on the last receive, into the dead-letter queue.
    const gone = await photo(ALICE, false);
    const foreign = record({ ...gone, objectKeys: ["site/index.html"] }, 5);
    expect(await run(foreign)).toEqual({ batchItemFailures: [{ itemIdentifier: foreign.messageId }] });
  });

  it("dead-letters, not drops, a removal from another region (or naming none) whose photo still exists on its last receive: its delete may not have replicated yet", async () => {
    const kept = await photo(ALICE, true);
    const fromWest = record({ ...kept, region: "us-west-2" }, 5);
    const unnamed = record(kept, 5);
    // In the order the records finished (Powertools processes them concurrently), which Lambda does not depend on.
    const { batchItemFailures } = await run(fromWest, unnamed);
    expect(batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([fromWest.messageId, unnamed.messageId].sort());
    expect(s3.count("DeleteObject")).toBe(0);
    expect(kept.objectKeys.every(exists)).toBe(true);
    await expect(removal.removePhotoObjects(record({ ...kept, region: "us-west-2" }, 5))).rejects.toThrow(/still exists on the removal's last receive, sent from us-west-2: its delete may not have replicated here yet/);
  });

  it("refuses keys that are not that photo's objects, and messages that are not removals", async () => {
    const gone = await photo(ALICE, false);
    const bobs = await photo(BOB, false);
    const refused = [
      // Another user's objects, named under Alice's photo.
      { ...gone, objectKeys: [gone.objectKeys[0], bobs.objectKeys[0]] },
      // Another photo of hers, and a key outside originals/ and thumbnails/.
      { ...gone, objectKeys: [originalKey(ALICE, ALBUM, newId(), "image/png")] },
      { ...gone, objectKeys: ["site/index.html"] },
      // Keys in the photo's folders that the gallery never makes (gallery-keys: a lowercase extension, THUMBNAIL_WIDTHS).
      { ...gone, objectKeys: [`originals/${ALICE}/${ALBUM}/${gone.photoId}.jp2`] },
      { ...gone, objectKeys: [`thumbnails/${ALICE}/${ALBUM}/${gone.photoId}/640.webp`] },
      // Keys that `fetch` would resolve to another one ("a/../b" is "b").
      { ...gone, objectKeys: [`thumbnails/${ALICE}/${ALBUM}/${gone.photoId}/../../../../${BOB}/${ALBUM}/${bobs.photoId}/320.webp`] },
      { ...gone, sub: "..", objectKeys: [`originals/../${ALBUM}/${gone.photoId}.png`] },
      { ...gone, objectKeys: [] },
      { ...gone, extra: true },
      { ...gone, region: "us-east-1/../x" },
      "not json",
      { albumId: ALBUM },
    ].map(record);
    const response = await run(...refused);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(refused.map((r) => r.messageId).sort());
    expect(s3.count("DeleteObject")).toBe(0);
    expect([...gone.objectKeys, ...bobs.objectKeys].every(exists)).toBe(true);
  });

  it("reports only the failed records of a batch (partial batch response), S3's failures among them", async () => {
    const [gone, kept, failing] = [await photo(ALICE, false), await photo(ALICE, true), await photo(BOB, false)];
    s3.fail((request) => request.operation === "DeleteObject" && request.key === failing.objectKeys[1]);
    const records = [record(gone), record(kept), record("{"), record(failing)];
    const response = await run(...records);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([records[1], records[2], records[3]].map((r) => r.messageId).sort());
    expect(gone.objectKeys.filter(exists)).toEqual([]);
    expect(kept.objectKeys.every(exists)).toBe(true);
    // The failing photo's other deletes were finished, not left on their way, when the function returned.
    expect(failing.objectKeys.filter(exists)).toEqual([failing.objectKeys[1]]);
  });
});
