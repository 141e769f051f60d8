/**
 * The counters: which stream records change which counter (pure), and the handler against an
 * embedded dynalite with the idempotency table — each record counted once however often Lambda
 * delivers it, and a failing record reported for retry without double counting the others.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { albumItem, albumKey, photoItem, profileItem, profileKey } from "../../handlers/shared/gallery-keys";
import { IDEMPOTENCY_TABLE_NAME, lambdaContext, startGalleryTable } from "./gallery-table";

let table: Awaited<ReturnType<typeof startGalleryTable>>;
let counters: typeof import("../../handlers/data/counters.js");
let doc: DynamoDBDocumentClient;
const changesFor = (record: DynamoDBRecord) => counters.changesFor(record);

beforeAll(async () => {
  table = await startGalleryTable();
  Object.assign(process.env, {
    TABLE_NAME: "gallery",
    IDEMPOTENCY_TABLE_NAME,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    POWERTOOLS_DEV: "true",
    POWERTOOLS_LOG_LEVEL: "ERROR",
  });
  counters = await import("../../handlers/data/counters.js");
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
});
afterAll(async () => {
  doc?.destroy();
  await table?.stop();
});

const sub = "u-1";
const album = albumItem({ sub, title: "A", albumId: "ALB1", createdAt: "2026-01-01T00:00:00.000Z" });
const pending = photoItem({ sub, albumId: "ALB1", photoId: "PH1", objectKey: "k", contentType: "image/jpeg", size: 1, createdAt: "2026-01-01T00:00:00.000Z" });
const ready = { ...pending, status: "ready" as const, expiresAt: undefined };

let sequence = 0;
function streamRecord(eventName: DynamoDBRecord["eventName"], oldImage?: object, newImage?: object): DynamoDBRecord {
  const item = (newImage ?? oldImage) as { pk: string; sk: string };
  sequence += 1;
  return {
    eventID: `e${sequence}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:aws:dynamodb:us-east-1:123456789012:table/gallery/stream/2026",
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      ...(oldImage ? { OldImage: marshall(oldImage, { removeUndefinedValues: true }) as never } : {}),
      ...(newImage ? { NewImage: marshall(newImage, { removeUndefinedValues: true }) as never } : {}),
      SequenceNumber: String(sequence).padStart(21, "0"),
      SizeBytes: 100,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}

describe("counters: which records change which counter", () => {
  it.each([
    ["album created", streamRecord("INSERT", undefined, album), [{ key: profileKey(sub), attribute: "albumCount", delta: 1 }]],
    ["album deleted", streamRecord("REMOVE", album, undefined), [{ key: profileKey(sub), attribute: "albumCount", delta: -1 }]],
    ["album renamed", streamRecord("MODIFY", album, { ...album, title: "B" }), []],
    ["pending photo added", streamRecord("INSERT", undefined, pending), []],
    ["upload confirmed", streamRecord("MODIFY", pending, ready), [{ key: albumKey(sub, "ALB1"), attribute: "photoCount", delta: 1 }]],
    ["ready photo added", streamRecord("INSERT", undefined, ready), [{ key: albumKey(sub, "ALB1"), attribute: "photoCount", delta: 1 }]],
    ["ready photo deleted", streamRecord("REMOVE", ready, undefined), [{ key: albumKey(sub, "ALB1"), attribute: "photoCount", delta: -1 }]],
    ["pending photo expired by TTL", streamRecord("REMOVE", pending, undefined), []],
    ["profile changed", streamRecord("MODIFY", { pk: "USER#u-1", sk: "PROFILE", albumCount: 1 }, { pk: "USER#u-1", sk: "PROFILE", albumCount: 2 }), []],
  ])("%s", (_, record, changes) => {
    expect(changesFor(record)).toEqual(changes);
  });
});

const count = async (key: { pk: string; sk: string }, attribute: string) => (await doc.send(new GetCommand({ TableName: "gallery", Key: key }))).Item?.[attribute];

describe("counters handler", () => {
  // The profile and album every test counts on (in any order: each checks the change it makes).
  beforeAll(async () => {
    await doc.send(new PutCommand({ TableName: "gallery", Item: profileItem({ sub, email: "u@example.com", displayName: "U" }) }));
    await doc.send(new PutCommand({ TableName: "gallery", Item: album }));
  });

  it("adds each record's delta to the existing album and profile", async () => {
    const albums = await count(profileKey(sub), "albumCount");
    const photos = await count(albumKey(sub, "ALB1"), "photoCount");
    const event: DynamoDBStreamEvent = { Records: [streamRecord("INSERT", undefined, album), streamRecord("MODIFY", pending, ready)] };
    expect(await counters.handler(event, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await count(profileKey(sub), "albumCount")).toBe(albums + 1);
    expect(await count(albumKey(sub, "ALB1"), "photoCount")).toBe(photos + 1);
  });

  it("changes nothing when Lambda delivers the same batch again", async () => {
    const before = await count(albumKey(sub, "ALB1"), "photoCount");
    const batch: DynamoDBStreamEvent = { Records: [streamRecord("INSERT", undefined, { ...ready, sk: "PHOTO#ALB1#PH2", photoId: "PH2" })] };
    expect(await counters.handler(batch, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await count(albumKey(sub, "ALB1"), "photoCount")).toBe(before + 1);
    expect(await counters.handler(structuredClone(batch), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await count(albumKey(sub, "ALB1"), "photoCount")).toBe(before + 1);
  });

  it("skips counters whose album or profile no longer exists (and never creates them)", async () => {
    const gone = { ...ready, albumId: "GONE", sk: "PHOTO#GONE#PH1" };
    expect(await counters.handler({ Records: [streamRecord("REMOVE", gone, undefined)] }, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect((await doc.send(new GetCommand({ TableName: "gallery", Key: albumKey(sub, "GONE") }))).Item).toBeUndefined();
  });

  it("reports a failing record; the redelivery from it counts every record exactly once", async () => {
    // A counter DynamoDB cannot ADD to (a string) makes that record fail.
    const broken = albumItem({ sub, title: "B", albumId: "ALB2", createdAt: "2026-01-02T00:00:00.000Z" });
    await doc.send(new PutCommand({ TableName: "gallery", Item: { ...broken, photoCount: "x" } }));
    const photo = (photoId: string, albumId: string) => ({ ...ready, albumId, photoId, sk: `PHOTO#${albumId}#${photoId}` });
    const records = [streamRecord("INSERT", undefined, photo("P3", "ALB1")), streamRecord("INSERT", undefined, photo("P4", "ALB2")), streamRecord("INSERT", undefined, photo("P5", "ALB1"))];
    const before = await count(albumKey(sub, "ALB1"), "photoCount");
    expect(await counters.handler({ Records: records }, lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: records[1].dynamodb!.SequenceNumber }] });
    expect(await count(albumKey(sub, "ALB1"), "photoCount")).toBe(before + 2);

    await doc.send(new UpdateCommand({ TableName: "gallery", Key: albumKey(sub, "ALB2"), UpdateExpression: "SET photoCount = :zero", ExpressionAttributeValues: { ":zero": 0 } }));
    // Lambda retries the stream from the failed record: it and the records after it come again.
    expect(await counters.handler({ Records: records.slice(1) }, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await count(albumKey(sub, "ALB1"), "photoCount")).toBe(before + 2);
    expect(await count(albumKey(sub, "ALB2"), "photoCount")).toBe(1);
  });
});
