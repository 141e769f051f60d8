/**
 * ListShards on the local Kinesis endpoint as API_ListShards and API_ShardFilter describe it: ShardFilter's types,
 * MaxResults (at most 1000 a page) and NextToken (which carries the stream and the filter, cannot come with StreamName,
 * ExclusiveStartShardId or StreamCreationTimestamp, and expires after 300 seconds), StreamCreationTimestamp and
 * StreamARN; a request by NextToken alone is authorised on the token's stream. The stream has 3 shards, then shard 0 is split (0 closed; 3 and 4 its children). Raw signed requests, as an
 * SDK would not build some of them; the clock is the endpoint's `now`, moved by the test (no waiting).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Authorise } from "../../local/function-roles";
import { startLocalKinesis, type LocalKinesis } from "../../local/kinesis-server";
import { CREDENTIALS, REGION, signedKinesisCall } from "./kinesis-helpers";

const ARN = `arn:aws:kinesis:${REGION}:123456789012:stream/listed`;
let server: LocalKinesis;
let offsetMs = 0;

const call = (operation: string, body: unknown) => signedKinesisCall(server.endpoint, operation, body);
const ids = (body: Record<string, any>) => (body.Shards as Array<{ ShardId: string }>).map((s) => Number(s.ShardId.slice("shardId-".length)));
const list = async (body: Record<string, unknown>) => {
  const answer = await call("ListShards", body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return { ids: ids(answer.body), next: answer.body.NextToken as string | undefined };
};
const stream = { StreamName: "listed" };
/** IAM as for a caller granted kinesis:ListShards on the stream alone (every other action allowed). */
const authorise: Authorise = (_key, action, resource) => (action === "kinesis:ListShards" && resource !== ARN ? { caller: "arn:aws:sts::123456789012:assumed-role/lister/lister", reason: "because no identity-based policy allows the kinesis:ListShards action" } : undefined);

beforeAll(async () => {
  server = await startLocalKinesis({ streams: [{ name: "listed", arn: ARN, region: REGION, shardCount: 3, retentionHours: 24 }], credentials: [CREDENTIALS], authorise, now: () => Date.now() + offsetMs });
  const { body } = await call("ListShards", stream);
  const first = body.Shards[0];
  const middle = ((BigInt(first.HashKeyRange.StartingHashKey) + BigInt(first.HashKeyRange.EndingHashKey)) / 2n).toString();
  expect((await call("SplitShard", { ...stream, ShardToSplit: first.ShardId, NewStartingHashKey: middle })).status).toBe(200);
  while ((await call("DescribeStreamSummary", stream)).body.StreamDescriptionSummary.StreamStatus !== "ACTIVE");
});

afterAll(async () => {
  offsetMs = 0;
  await server?.stop();
});

describe("ListShards' ShardFilter", () => {
  it("lists each type's shards: the open ones (AT_LATEST), the first ones (AT_TRIM_HORIZON), all kept (FROM_TRIM_HORIZON, the default), after a shard (AFTER_SHARD_ID)", async () => {
    expect((await list(stream)).ids).toEqual([0, 1, 2, 3, 4]);
    expect((await list({ ...stream, ShardFilter: { Type: "FROM_TRIM_HORIZON" } })).ids).toEqual([0, 1, 2, 3, 4]);
    expect((await list({ ...stream, ShardFilter: { Type: "AT_LATEST" } })).ids).toEqual([1, 2, 3, 4]);
    expect((await list({ ...stream, ShardFilter: { Type: "AT_TRIM_HORIZON" } })).ids).toEqual([0, 1, 2]);
    expect((await list({ ...stream, ShardFilter: { Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000001" } })).ids).toEqual([2, 3, 4]);
  });

  it("lists by time: AT_TIMESTAMP the shards open then, FROM_TIMESTAMP those open then or since (an early time read as the trim horizon)", async () => {
    const later = Date.now() / 1000 + 3600;
    expect((await list({ ...stream, ShardFilter: { Type: "AT_TIMESTAMP", Timestamp: later } })).ids).toEqual([1, 2, 3, 4]);
    expect((await list({ ...stream, ShardFilter: { Type: "AT_TIMESTAMP", Timestamp: 1 } })).ids).toEqual([]);
    const created = (await call("DescribeStreamSummary", stream)).body.StreamDescriptionSummary.StreamCreationTimestamp as number;
    expect((await list({ ...stream, ShardFilter: { Type: "AT_TIMESTAMP", Timestamp: created } })).ids).toEqual([0, 1, 2]);
    expect((await list({ ...stream, ShardFilter: { Type: "FROM_TIMESTAMP", Timestamp: later } })).ids).toEqual([1, 2, 3, 4]);
    expect((await list({ ...stream, ShardFilter: { Type: "FROM_TIMESTAMP", Timestamp: 1 } })).ids).toEqual([0, 1, 2, 3, 4]);
  });

  it("does not list a shard closed longer ago than the retention period (\"does not list expired shards\")", async () => {
    offsetMs = 25 * 3600 * 1000;
    try {
      expect((await list(stream)).ids).toEqual([1, 2, 3, 4]);
      expect((await list({ ...stream, ShardFilter: { Type: "AT_TRIM_HORIZON" } })).ids).toEqual([1, 2, 3, 4]);
      // The stream's creation, now before the trim horizon: the shards open then, but the expired one.
      const created = (await call("DescribeStreamSummary", stream)).body.StreamDescriptionSummary.StreamCreationTimestamp as number;
      expect((await list({ ...stream, ShardFilter: { Type: "AT_TIMESTAMP", Timestamp: created } })).ids).toEqual([1, 2]);
    } finally {
      offsetMs = 0;
    }
  });

  it("refuses a filter without the member its type takes, or with one it does not, and a type Kinesis lacks", async () => {
    expect(await call("ListShards", { ...stream, ShardFilter: { Type: "AFTER_SHARD_ID" } })).toMatchObject({ status: 400, body: { __type: "InvalidArgumentException" } });
    expect(await call("ListShards", { ...stream, ShardFilter: { Type: "AT_TIMESTAMP" } })).toMatchObject({ status: 400, body: { __type: "InvalidArgumentException" } });
    expect(await call("ListShards", { ...stream, ShardFilter: { Type: "AT_LATEST", ShardId: "shardId-000000000001" } })).toMatchObject({ status: 400, body: { __type: "InvalidArgumentException" } });
    expect(await call("ListShards", { ...stream, ShardFilter: { Type: "LATEST" } })).toMatchObject({
      status: 400,
      body: { __type: "ValidationException", message: expect.stringContaining("Value 'LATEST' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set") },
    });
  });
});

describe("ListShards' pages", () => {
  it("answers MaxResults shards and a NextToken that lists the rest under the same filter", async () => {
    const first = await list({ ...stream, MaxResults: 2 });
    expect(first.ids).toEqual([0, 1]);
    const second = await list({ NextToken: first.next, MaxResults: 2 });
    expect(second.ids).toEqual([2, 3]);
    const third = await list({ NextToken: second.next });
    expect(third).toEqual({ ids: [4], next: undefined });
    const open = await list({ ...stream, MaxResults: 3, ShardFilter: { Type: "AT_LATEST" } });
    expect(open.ids).toEqual([1, 2, 3]);
    expect(await list({ NextToken: open.next })).toEqual({ ids: [4], next: undefined });
    // With StreamARN beside the token (the KCL sends the token alone, KinesisShardDetector; the StreamARN its first page).
    expect((await list({ NextToken: first.next, StreamARN: ARN })).ids).toEqual([2, 3, 4]);
    // ExclusiveStartShardId still starts after its shard.
    expect((await list({ ...stream, ExclusiveStartShardId: "shardId-000000000002", MaxResults: 1 })).ids).toEqual([3]);
  });

  it("refuses MaxResults outside 1-10000, and a NextToken with StreamName, ExclusiveStartShardId or StreamCreationTimestamp", async () => {
    for (const MaxResults of [0, 10_001]) expect(await call("ListShards", { ...stream, MaxResults })).toMatchObject({ status: 400, body: { __type: "ValidationException" } });
    const { next } = await list({ ...stream, MaxResults: 1 });
    expect(await call("ListShards", { NextToken: next, StreamName: "listed" })).toMatchObject({ status: 400, body: { __type: "InvalidArgumentException", message: "NextToken and StreamName cannot be provided together." } });
    expect(await call("ListShards", { NextToken: next, ExclusiveStartShardId: "shardId-000000000000" })).toMatchObject({ status: 400, body: { __type: "InvalidArgumentException" } });
    expect(await call("ListShards", { NextToken: next, StreamCreationTimestamp: 1 })).toMatchObject({ status: 400, body: { __type: "InvalidArgumentException" } });
  });

  it("refuses a StreamName, NextToken or ShardFilter.ShardId of another JSON type as the protocol's SerializationException, and an empty ShardId as its ValidationException", async () => {
    const { next } = await list({ ...stream, MaxResults: 1 });
    for (const wrong of [5, true, {}, ["listed"]]) {
      expect(await call("ListShards", { StreamName: wrong }), JSON.stringify(wrong)).toMatchObject({ status: 400, body: { __type: "SerializationException" } });
      expect(await call("ListShards", { NextToken: wrong }), JSON.stringify(wrong)).toMatchObject({ status: 400, body: { __type: "SerializationException" } });
    }
    // ShardId: "Length Constraints: Minimum length of 1 … Pattern: [a-zA-Z0-9_.-]+" (API_ShardFilter).
    for (const ShardId of ["", "shard id", "x".repeat(129)]) {
      expect(await call("ListShards", { ...stream, ShardFilter: { Type: "AFTER_SHARD_ID", ShardId } }), ShardId).toMatchObject({ status: 400, body: { __type: "ValidationException", message: expect.stringContaining("shardFilter.shardId") } });
    }
    expect((await list({ NextToken: next })).ids).toEqual([1, 2, 3, 4]);
  });

  it("answers a NextToken 300 seconds old with ExpiredNextTokenException", async () => {
    const { next } = await list({ ...stream, MaxResults: 1 });
    offsetMs = 299_000;
    try {
      expect((await list({ NextToken: next })).ids).toEqual([1, 2, 3, 4]);
      offsetMs = 300_000;
      expect(await call("ListShards", { NextToken: next })).toMatchObject({ status: 400, body: { __type: "ExpiredNextTokenException" } });
    } finally {
      offsetMs = 0;
    }
  });
});

it("lists by StreamCreationTimestamp only the stream created then (another time names no stream)", async () => {
  const created = (await call("DescribeStreamSummary", stream)).body.StreamDescriptionSummary.StreamCreationTimestamp as number;
  expect((await list({ ...stream, StreamCreationTimestamp: created })).ids).toEqual([0, 1, 2, 3, 4]);
  expect(await call("ListShards", { ...stream, StreamCreationTimestamp: created - 60 })).toMatchObject({ status: 400, body: { __type: "ResourceNotFoundException" } });
});
