/**
 * checkPlanTransition on a DataStream's shard count: a PROVISIONED stream scaled past double or below half the
 * deployed count in one update (one UpdateShardCount, which Kinesis refuses by default), an ON_DEMAND stream made
 * PROVISIONED past double or half of the 4 shards it is created with, and the steps that pass.
 */
import { describe, expect, it } from "vitest";
import { DataStream } from "../../components/data-stream";
import { record as recordProgram } from "../../testing/harness";
import { formatFinding } from "../../testing/deploy-rules";
import { rules, saved, transition } from "./fixture";

const STREAM = "aws:kinesis/stream:Stream";
const stream = (args: ConstructorParameters<typeof DataStream>[1]) => recordProgram(() => new DataStream("ks", args));

describe("TransitionKinesisShardScaling: a provisioned stream's shards past double or half in one update", () => {
  it("finds 2 → 5 and 8 → 3, also through a saved plan", async () => {
    const two = await stream({ mode: "PROVISIONED", shardCount: 2 });
    const up = transition(two, await stream({ mode: "PROVISIONED", shardCount: 5 }));
    expect(up.map((f) => [f.rule, f.resource])).toEqual([["TransitionKinesisShardScaling", `${STREAM} ks-stream`]]);
    expect(up[0].problem).toBe("changes shardCount 2 → 5; one UpdateShardCount goes to at most 4 (double) of the deployed count, so Kinesis refuses it (LimitExceededException) and the update stops at the stream");
    expect(up[0].fix).toMatch(/^change shardCount in steps of at most double or half \(2 → 4 first\)/);
    const down = transition(await stream({ mode: "PROVISIONED", shardCount: 8 }), await stream({ mode: "PROVISIONED", shardCount: 3 }));
    expect(down.map((f) => f.problem)).toEqual([expect.stringMatching(/^changes shardCount 8 → 3; one UpdateShardCount goes to at least 4 \(half\)/)]);
    expect(rules(saved(two), await stream({ mode: "PROVISIONED", shardCount: 5 }))).toEqual([["TransitionKinesisShardScaling", `${STREAM} ks-stream`]]);
  });

  it("finds ON_DEMAND → PROVISIONED past double or half of the 4 shards an on-demand stream is created with", async () => {
    const onDemand = await stream({});
    const up = transition(onDemand, await stream({ mode: "PROVISIONED", shardCount: 40 }));
    expect(up.map((f) => [f.rule, f.resource])).toEqual([["TransitionKinesisShardScaling", `${STREAM} ks-stream`]]);
    expect(up[0].problem).toBe("switches from ON_DEMAND (created with 4 shards, more if Kinesis scaled it) to PROVISIONED with shardCount 40; one UpdateShardCount goes to at most 8 (double) of the stream's open shards, so Kinesis refuses it (LimitExceededException) and the update stops at the stream");
    expect(up[0].fix).toMatch(/^switch to PROVISIONED with a shardCount from 2 to 8 /);
    expect(transition(onDemand, await stream({ mode: "PROVISIONED", shardCount: 1 })).map((f) => f.problem)).toEqual([expect.stringMatching(/shardCount 1; one UpdateShardCount goes to at least 2 \(half\)/)]);
  });

  it("passes doubling, halving, a switch to ON_DEMAND, and ON_DEMAND → PROVISIONED with 2 to 8 shards", async () => {
    const four = await stream({ mode: "PROVISIONED", shardCount: 4 });
    expect(transition(four, await stream({ mode: "PROVISIONED", shardCount: 8 })).map(formatFinding)).toEqual([]);
    expect(transition(four, await stream({ mode: "PROVISIONED", shardCount: 2 })).map(formatFinding)).toEqual([]);
    expect(transition(four, await stream({})).map(formatFinding)).toEqual([]);
    for (const shardCount of [2, 4, 8]) expect(transition(await stream({}), await stream({ mode: "PROVISIONED", shardCount })).map(formatFinding)).toEqual([]);
  });
});
