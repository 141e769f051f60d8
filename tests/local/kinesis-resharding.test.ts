/**
 * Local Kinesis event source mappings follow resharding, as Lambda does: a split or merge made through the endpoint
 * closes shards; each mapping reads a closed shard to its end, then its children, a child only once all its parents are
 * finished, so each key's records reach the function in order (the parent's first). Keys are placed on shards by
 * ExplicitHashKey. Functions are fakes; no sleeps: each test waits on drained() or on the deliveries themselves.
 */
import { DescribeStreamSummaryCommand, ListShardsCommand, MergeShardsCommand, PutRecordCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { describe, expect, it, vi } from "vitest";
import { ShardLineage, startLocalKinesis, type Admin, type KinesisEventRecord, type LocalStreamSubscription } from "../../local/kinesis-server";
import { CREDENTIALS, kinesisClient, REGION } from "./kinesis-helpers";

/** Hash keys: the lowest, the highest, and the middle of the range (2^127), where the split is made. */
const LOW = "0";
const HIGH = (2n ** 128n - 1n).toString();
const MIDDLE = (2n ** 127n).toString();

async function reshardable(shardCount: number, options: { background?: boolean } = {}) {
  const received: KinesisEventRecord[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const subscription: LocalStreamSubscription = {
    id: "resharded-sub",
    streamName: "resharded",
    spec: { batchSize: 10, bisectBatchOnFunctionError: false, maximumRetryAttempts: 0, maximumRecordAgeInSeconds: -1, startingPosition: "TRIM_HORIZON" },
    functionArn: `arn:aws:lambda:${REGION}:123456789012:function:resharded`,
    roleArn: "arn:aws:iam::123456789012:role/resharded",
    invoke: async (event) => {
      received.push(...event.Records);
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
      return {};
    },
    onFailure: () => {},
  };
  const logs: string[] = [];
  const stream = { name: "resharded", arn: `arn:aws:kinesis:${REGION}:123456789012:stream/resharded`, region: REGION, shardCount, retentionHours: 24 };
  const server = await startLocalKinesis({ streams: [stream], subscriptions: [subscription], credentials: [CREDENTIALS], retryDelayMs: 0, pollIntervalMs: 5, log: (m) => logs.push(m) });
  if (options.background) server.start();
  const kinesis = kinesisClient(server.endpoint);
  const put = async (key: string, hashKey: string, data: string) => void (await kinesis.send(new PutRecordCommand({ StreamName: "resharded", PartitionKey: key, ExplicitHashKey: hashKey, Data: Buffer.from(data) })));
  /**
   * Resolves once the stream is ACTIVE again after a split or merge: until then the children are not made (records put
   * go to the parent) and kinesalite, as Kinesis, refuses another split or merge.
   */
  const active = async () => {
    while ((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "resharded" }))).StreamDescriptionSummary!.StreamStatus !== "ACTIVE");
  };
  /** Resolves once the function has received `count` records in all. */
  const delivered = (count: number) => new Promise<void>((resolve) => (received.length >= count ? resolve() : waiters.push({ count, resolve })));
  const ofKey = (key: string) => received.filter((r) => r.kinesis.partitionKey === key).map((r) => ({ data: Buffer.from(r.kinesis.data, "base64").toString(), shard: r.eventID.split(":")[0] }));
  const stop = async () => {
    kinesis.destroy();
    await server.stop();
  };
  return { server, kinesis, put, active, delivered, ofKey, received, logs, stop };
}

describe("local Kinesis mappings follow resharding", () => {
  it("reads a split shard to its end, then both children: each key's records arrive, the parent's first", async () => {
    const s = await reshardable(1);
    await s.put("low", LOW, "low-1");
    await s.put("high", HIGH, "high-1");
    await s.kinesis.send(new SplitShardCommand({ StreamName: "resharded", ShardToSplit: "shardId-000000000000", NewStartingHashKey: MIDDLE }));
    await s.active();
    await s.put("low", LOW, "low-2");
    await s.put("high", HIGH, "high-2");
    await s.server.drained();
    await s.stop();
    expect(s.ofKey("low")).toEqual([
      { data: "low-1", shard: "shardId-000000000000" },
      { data: "low-2", shard: "shardId-000000000001" },
    ]);
    expect(s.ofKey("high")).toEqual([
      { data: "high-1", shard: "shardId-000000000000" },
      { data: "high-2", shard: "shardId-000000000002" },
    ]);
    expect(s.logs).toEqual([]);
  });

  it("follows a split of a split (grandchildren) while polling in the background, waiting on the deliveries", async () => {
    const s = await reshardable(1, { background: true });
    await s.put("high", HIGH, "high-1");
    await s.kinesis.send(new SplitShardCommand({ StreamName: "resharded", ShardToSplit: "shardId-000000000000", NewStartingHashKey: MIDDLE }));
    await s.active();
    await s.put("high", HIGH, "high-2");
    // shardId-000000000002 holds the upper half: split it again at three quarters.
    await s.kinesis.send(new SplitShardCommand({ StreamName: "resharded", ShardToSplit: "shardId-000000000002", NewStartingHashKey: (3n * 2n ** 126n).toString() }));
    await s.active();
    await s.put("high", HIGH, "high-3");
    await s.delivered(3);
    await s.stop();
    expect(s.ofKey("high")).toEqual([
      { data: "high-1", shard: "shardId-000000000000" },
      { data: "high-2", shard: "shardId-000000000002" },
      { data: "high-3", shard: "shardId-000000000004" },
    ]);
  });

  it("reads both merged shards to their ends before the merged child: each key's records arrive, the parents' first", async () => {
    const s = await reshardable(2, { background: true });
    await s.put("low", LOW, "low-1");
    await s.put("high", HIGH, "high-1");
    await s.kinesis.send(new MergeShardsCommand({ StreamName: "resharded", ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001" }));
    await s.active();
    await s.put("low", LOW, "low-2");
    await s.put("high", HIGH, "high-2");
    await s.delivered(4);
    await s.server.drained();
    await s.stop();
    expect(s.ofKey("low")).toEqual([
      { data: "low-1", shard: "shardId-000000000000" },
      { data: "low-2", shard: "shardId-000000000002" },
    ]);
    expect(s.ofKey("high")).toEqual([
      { data: "high-1", shard: "shardId-000000000001" },
      { data: "high-2", shard: "shardId-000000000002" },
    ]);
    // The merged child was read only after both parents were finished: every parent record came before every child one.
    const shards = s.received.map((r) => r.eventID.split(":")[0]);
    expect(shards.lastIndexOf("shardId-000000000000")).toBeLessThan(shards.indexOf("shardId-000000000002"));
    expect(shards.lastIndexOf("shardId-000000000001")).toBeLessThan(shards.indexOf("shardId-000000000002"));
    expect(s.received).toHaveLength(4);
  });
});

describe("drained() after resharding", () => {
  it("lists the stream's shards once for each closed shard, not again at each later drained()", async () => {
    const s = await reshardable(1);
    await s.put("low", LOW, "low-1");
    await s.kinesis.send(new SplitShardCommand({ StreamName: "resharded", ShardToSplit: "shardId-000000000000", NewStartingHashKey: MIDDLE }));
    await s.active();
    await s.put("low", LOW, "low-2");
    // The runtime asks kinesalite with fetch: its ListShards requests are counted.
    const listings = vi.fn();
    const fetched = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const target = new Headers(init?.headers).get("x-amz-target");
      if (target === "Kinesis_20131202.ListShards") listings();
      return fetched(input, init);
    });
    try {
      await s.server.drained();
      // The split's parent was read to its end and its children found: one listing.
      expect(listings).toHaveBeenCalledTimes(1);
      await s.server.drained();
      await s.server.drained();
      expect(listings).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    await s.put("low", LOW, "low-3");
    await s.server.drained();
    await s.stop();
    expect(s.ofKey("low").map((r) => r.data)).toEqual(["low-1", "low-2", "low-3"]);
    expect(s.logs).toEqual([]);
  });
});

describe("a closed shard's children, when listing them failed", () => {
  it("lists them again at the next poll while polling in the background, without a drained() call", async () => {
    const s = await reshardable(1, { background: true });
    await s.put("high", HIGH, "high-1");
    await s.delivered(1);
    // The runtime's first ListShards after the split fails, as kinesalite's answer may (its next ones are answered).
    let failures = 0;
    const fetched = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      if (new Headers(init?.headers).get("x-amz-target") === "Kinesis_20131202.ListShards" && failures++ === 0) {
        return Promise.resolve(new Response(JSON.stringify({ __type: "InternalFailure", message: "listing failed once" }), { status: 500 }));
      }
      return fetched(input, init);
    });
    try {
      await s.kinesis.send(new SplitShardCommand({ StreamName: "resharded", ShardToSplit: "shardId-000000000000", NewStartingHashKey: MIDDLE }));
      await s.active();
      await s.put("high", HIGH, "high-2");
      await s.delivered(2);
    } finally {
      spy.mockRestore();
    }
    await s.stop();
    expect(s.ofKey("high")).toEqual([
      { data: "high-1", shard: "shardId-000000000000" },
      { data: "high-2", shard: "shardId-000000000002" },
    ]);
    expect(s.logs).toEqual([expect.stringContaining("the children of shardId-000000000000 could not be listed")]);
  }, 15_000);
});

describe("ShardLineage (which shards a mapping reads next)", () => {
  it("readies a merge's child only once both parents are finished, a split's children once their parent is", async () => {
    const s = await reshardable(2);
    // The endpoint answers ListShards over kinesalite (every shard kept, none filtered): the lineage reads what the runtime's own client gets.
    const admin: Admin = (operation, body) => s.kinesis.send(new ListShardsCommand(body as { StreamName: string }));
    const lineage = new ShardLineage(admin, "resharded", (shardId, child) => ({ shardId, child }));
    expect(await lineage.discover()).toEqual([
      { shardId: "shardId-000000000000", child: false },
      { shardId: "shardId-000000000001", child: false },
    ]);
    await s.kinesis.send(new MergeShardsCommand({ StreamName: "resharded", ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001" }));
    await s.active();
    lineage.finish("shardId-000000000000");
    // One parent finished: the merged child waits for the other.
    expect(await lineage.discover()).toEqual([]);
    lineage.finish("shardId-000000000001");
    expect(await lineage.discover()).toEqual([{ shardId: "shardId-000000000002", child: true }]);
    // Read once only.
    expect(await lineage.discover()).toEqual([]);
    await s.kinesis.send(new SplitShardCommand({ StreamName: "resharded", ShardToSplit: "shardId-000000000002", NewStartingHashKey: MIDDLE }));
    await s.active();
    expect(await lineage.discover()).toEqual([]);
    lineage.finish("shardId-000000000002");
    expect(await lineage.discover()).toEqual([
      { shardId: "shardId-000000000003", child: true },
      { shardId: "shardId-000000000004", child: true },
    ]);
    await s.stop();
  });
});
