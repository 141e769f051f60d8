import { DynamoDBClient, ExportTableToPointInTimeCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../handlers/data/export";

const dynamodb = mockClient(DynamoDBClient);
const gallery = "arn:aws:dynamodb:us-east-1:123456789012:table/data-gallery-e24d1702";
const prefs = "arn:aws:dynamodb:us-east-1:123456789012:table/data-preferences-6c30fc7a";
const saved = { ...process.env };
const EXPORT_KEYS = ["EXPORT_BUCKET_NAME", "EXPORT_PREFIX", "EXPORT_FORMAT", "TABLE_ARNS"] as const;

beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(ExportTableToPointInTimeCommand).callsFake((input) => ({ ExportDescription: { ExportArn: `${input.TableArn}/export/1`, ExportStatus: "IN_PROGRESS" } }));
  Object.assign(process.env, { EXPORT_BUCKET_NAME: "data-export-c36b2431", EXPORT_PREFIX: "exports/", EXPORT_FORMAT: "DYNAMODB_JSON", TABLE_ARNS: JSON.stringify([gallery, prefs]) });
});
afterAll(() => {
  // In place: replacing process.env with a plain object would cut it off from the process's real environment.
  for (const key of EXPORT_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  dynamodb.restore();
});

const scheduled = { version: "0", id: "e1", "detail-type": "Scheduled Event", source: "aws.events", time: "2026-11-21T03:00:00Z", region: "us-east-1", resources: [], detail: {} };

describe("data export handler", () => {
  it("starts one point-in-time export per table into the bucket, by table and day, SSE-S3", async () => {
    const result = await handler(scheduled);
    const calls = dynamodb.commandCalls(ExportTableToPointInTimeCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      expect.objectContaining({ TableArn: gallery, S3Bucket: "data-export-c36b2431", S3Prefix: "exports/data-gallery-e24d1702/2026-11-21", S3SseAlgorithm: "AES256", ExportFormat: "DYNAMODB_JSON", ExportTime: new Date(scheduled.time) }),
      expect.objectContaining({ TableArn: prefs, S3Prefix: "exports/data-preferences-6c30fc7a/2026-11-21" }),
    ]);
    expect(result.exports).toEqual([
      { tableArn: gallery, exportArn: `${gallery}/export/1`, status: "IN_PROGRESS", s3Prefix: "exports/data-gallery-e24d1702/2026-11-21" },
      { tableArn: prefs, exportArn: `${prefs}/export/1`, status: "IN_PROGRESS", s3Prefix: "exports/data-preferences-6c30fc7a/2026-11-21" },
    ]);
  });

  it("uses a client token per table and schedule time, so a retried invocation does not export twice", async () => {
    await handler(scheduled);
    await handler(scheduled);
    await handler({ ...scheduled, time: "2026-11-22T03:00:00Z" });
    const tokens = dynamodb.commandCalls(ExportTableToPointInTimeCommand).map((c) => c.args[0].input.ClientToken);
    expect(tokens[0]).toBe(tokens[2]);
    expect(new Set(tokens).size).toBe(4);
    expect(tokens.every((t) => typeof t === "string" && t.length <= 64)).toBe(true);
  });

  it("exports now (no ExportTime) when invoked by hand, and honours the ION format", async () => {
    process.env.EXPORT_FORMAT = "ION";
    await handler({});
    const input = dynamodb.commandCalls(ExportTableToPointInTimeCommand)[0].args[0].input;
    expect(input.ExportTime).toBeUndefined();
    expect(input.ExportFormat).toBe("ION");
  });

  it("fails loudly on a missing bucket or bad TABLE_ARNS, and when DynamoDB refuses (so the async retry and DLQ apply)", async () => {
    delete process.env.EXPORT_BUCKET_NAME;
    await expect(handler(scheduled)).rejects.toThrow(/EXPORT_BUCKET_NAME/);
    process.env.EXPORT_BUCKET_NAME = "b-b-b";
    process.env.TABLE_ARNS = JSON.stringify(["not-an-arn"]);
    await expect(handler(scheduled)).rejects.toThrow(/TABLE_ARNS must be a JSON list of table ARNs/);
    process.env.TABLE_ARNS = JSON.stringify([gallery]);
    dynamodb.on(ExportTableToPointInTimeCommand).rejects(Object.assign(new Error("Point in time recovery is not enabled"), { name: "PointInTimeRecoveryUnavailableException" }));
    await expect(handler(scheduled)).rejects.toThrow(/Point in time recovery is not enabled/);
  });
});
