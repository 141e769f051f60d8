import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { changesFor, handler } from "../../handlers/data/counters";
import { albumItem, albumKey, photoItem, profileKey } from "../../handlers/shared/gallery-keys";

const doc = mockClient(DynamoDBDocumentClient);
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

beforeEach(() => {
  doc.reset();
  doc.on(UpdateCommand).resolves({});
  process.env.TABLE_NAME = "gallery-table";
});
afterAll(() => doc.restore());

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

describe("counters handler", () => {
  it("adds each delta to the existing item only, in order", async () => {
    const event: DynamoDBStreamEvent = { Records: [streamRecord("INSERT", undefined, album), streamRecord("MODIFY", pending, ready)] };
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(doc.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: "gallery-table",
        Key: profileKey(sub),
        UpdateExpression: "ADD #counter :delta",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#counter": "albumCount" },
        ExpressionAttributeValues: { ":delta": 1 },
      },
      expect.objectContaining({ Key: albumKey(sub, "ALB1"), ExpressionAttributeNames: { "#counter": "photoCount" } }),
    ]);
  });

  it("skips counters whose album or profile no longer exists", async () => {
    doc.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} }));
    expect(await handler({ Records: [streamRecord("REMOVE", ready, undefined)] })).toEqual({ batchItemFailures: [] });
  });

  it("reports the first failing record and stops, so Lambda retries from it without double counting", async () => {
    const records = [streamRecord("INSERT", undefined, album), streamRecord("INSERT", undefined, ready), streamRecord("REMOVE", album, undefined)];
    doc.on(UpdateCommand, { ExpressionAttributeNames: { "#counter": "photoCount" } }).rejects(new Error("ProvisionedThroughputExceeded"));
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [{ itemIdentifier: records[1].dynamodb!.SequenceNumber }] });
    expect(doc.commandCalls(UpdateCommand)).toHaveLength(2);
  });
});
