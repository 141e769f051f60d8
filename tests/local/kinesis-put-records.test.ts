/**
 * PutRecords' whole-request limit on the local Kinesis endpoint: "up to a limit of 5 MiB for the entire request,
 * including partition keys" (API_PutRecords), answered as Kinesis does (InvalidArgumentException, nothing stored). Raw
 * signed requests, so the sizes are exact.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalKinesis, type LocalKinesis } from "../../local/kinesis-server";
import { signedFetch } from "../harness/signed-fetch";
import { CREDENTIALS, REGION } from "./kinesis-helpers";

let server: LocalKinesis;

beforeAll(async () => {
  const stream = { name: "sized", arn: `arn:aws:kinesis:${REGION}:123456789012:stream/sized`, region: REGION, shardCount: 1, retentionHours: 24 };
  server = await startLocalKinesis({ streams: [stream], credentials: [CREDENTIALS] });
});

afterAll(async () => {
  await server?.stop();
});

const call = async (operation: string, body: unknown) => {
  const response = await signedFetch(`${server.endpoint}/`, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Kinesis_20131202.${operation}` }, body: JSON.stringify(body) }, { credentials: CREDENTIALS, region: REGION, service: "kinesis" });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};

const MIB = 1024 * 1024;
/** A record of `dataBytes` of data under the one-byte key "k". */
const record = (dataBytes: number) => ({ PartitionKey: "k", Data: Buffer.alloc(dataBytes, 1).toString("base64") });

it("takes a PutRecords of exactly 5 MiB, partition keys included, and refuses one a byte over with InvalidArgumentException, storing none of it", async () => {
  // Five records of 1 MiB - 1 byte of data and a 1-byte key: 5 MiB in all.
  const exact = await call("PutRecords", { StreamName: "sized", Records: Array.from({ length: 5 }, () => record(MIB - 1)) });
  expect(exact).toMatchObject({ status: 200, body: { FailedRecordCount: 0 } });
  // The same and a sixth record of no data: its 1-byte key is the byte over (each record within 1 MiB, key included).
  const over = await call("PutRecords", { StreamName: "sized", Records: [...Array.from({ length: 5 }, () => record(MIB - 1)), record(0)] });
  expect(over).toEqual({ status: 400, body: { __type: "InvalidArgumentException", message: "Records size exceeds 5 MB limit" } });
  // Only the five records of the first request are stored.
  const { body: iterator } = await call("GetShardIterator", { StreamName: "sized", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
  let count = 0;
  let next = iterator.ShardIterator as string;
  for (;;) {
    const { body } = await call("GetRecords", { ShardIterator: next, Limit: 10 });
    count += (body.Records as unknown[]).length;
    if ((body.Records as unknown[]).length === 0) break;
    next = body.NextShardIterator as string;
  }
  expect(count).toBe(5);
});

it("leaves a record over 1 MiB of data to the JSON protocol's ValidationException, as before", async () => {
  const response = await call("PutRecords", { StreamName: "sized", Records: [record(MIB + 1)] });
  expect(response).toMatchObject({ status: 400, body: { __type: "ValidationException" } });
});
