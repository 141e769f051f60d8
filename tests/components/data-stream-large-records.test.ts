/**
 * DataStream with a maximum record above what one Lambda event carries (DATA_STREAM_LIMITS.lambdaDeliverableRecordKib,
 * 4607 KiB: the 6 MB synchronous payload with the data base64-encoded): `subscribe` warns, naming the component, the
 * argument, its value and the fix; at 4607 KiB and below it is silent. The stream and mapping are created either way
 * (Kinesis and Lambda accept them), and the deploy rule KinesisLambdaRecordSize warns on the mapping.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DataStream, DATA_STREAM_LIMITS } from "../../components/data-stream";
import { LambdaFunction } from "../../components/lambda/function";
import { checkDeployRules, checkDeployWarnings } from "../../testing/deploy-rules";
import { resource, useMocks } from "../harness/mocks";
import { recordWarnings } from "../harness/warnings";

const entry = "tests/fixtures/handlers/echo.ts";
const context = { stack: "dev", production: false, region: "us-east-1" };

beforeAll(() => useMocks());

const subscribed = (maxRecordSizeInKib: number, enhancedFanOut = false) => () => new DataStream("big", { maxRecordSizeInKib }).subscribe("read", new LambdaFunction("big-fn", { entry }), { enhancedFanOut });

describe("DataStream records larger than a Lambda event", () => {
  it("puts the deliverable record at 4607 KiB: (6,291,455 bytes less 1 KiB of envelope) × 3/4", () => {
    expect(DATA_STREAM_LIMITS.lambdaDeliverableRecordKib).toBe(Math.floor(((6_291_456 - 1 - 1024) * 3) / 4 / 1024));
  });

  it.each([4608, 10_240])("warns at subscribe when maxRecordSizeInKib is %i, and still creates the stream and mapping", async (size) => {
    const { graph, warned } = await recordWarnings(subscribed(size));
    expect(resource(graph, "aws:kinesis/stream:Stream", "big-stream").inputs.maxRecordSizeInKib).toBe(size);
    resource(graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "big-read-mapping");
    expect(warned).toEqual([
      `DataStream "big": maxRecordSizeInKib ${size} lets producers write records above 4607 KiB, but subscribe("read") reads the stream with a Lambda function, and Lambda's guide gives a batch at most 6 MB (the synchronous invocation payload) with each record's data base64-encoded (4 bytes for every 3): such a record, base64-encoded with the rest of its event (about 1 KiB), can be over that, so it may not reach the function (what Lambda then does is not documented: for a mapping that cannot invoke its function, Lambda's guide says it retries until the records are older than maximumRecordAgeInSeconds (86400) or expire, holding up the shard, then sends them to the on-failure destination, the subscription's dead-letter queue); Kinesis asks that consumers be checked before the maximum is raised ("verify that all downstream applications can handle larger records"). Set maxRecordSizeInKib to 4607 or less, or keep large payloads in S3 and put their keys on the stream.`,
    ]);
    expect(checkDeployRules(graph, context)).toEqual([]);
    expect(checkDeployWarnings(graph, context).map((f) => `${f.rule} ${f.resource}`)).toEqual(["KinesisLambdaRecordSize aws:lambda/eventSourceMapping:EventSourceMapping big-read-mapping"]);
  });

  it("names the subscription's maximumRecordAgeInSeconds, and -1 as no age limit, in the warning and the deploy rule's finding", async () => {
    const aged = (maximumRecordAgeInSeconds: number) => () => new DataStream("big", { maxRecordSizeInKib: 4608 }).subscribe("read", new LambdaFunction("big-fn", { entry }), { maximumRecordAgeInSeconds });
    const short = await recordWarnings(aged(600));
    expect(short.warned).toEqual([expect.stringContaining("retries until the records are older than maximumRecordAgeInSeconds (600) or expire, holding up the shard")]);
    expect(checkDeployWarnings(short.graph, context).map((f) => f.problem)).toEqual([expect.stringMatching(/may not reach the function \(what Lambda then does is not documented: .* retries until the records are older than maximumRecordAgeInSeconds \(600\) or expire, holding up the shard, then sends them to the on-failure destination\)$/)]);
    const unlimited = await recordWarnings(aged(-1));
    expect(unlimited.warned).toEqual([expect.stringContaining("retries until the records expire from the stream (maximumRecordAgeInSeconds -1: no age limit)")]);
  });

  it("warns once for each Lambda subscription, each naming its own", async () => {
    const { graph, warned } = await recordWarnings(() => {
      const stream = new DataStream("big", { maxRecordSizeInKib: 4608 });
      stream.subscribe("read", new LambdaFunction("big-fn", { entry }));
      stream.subscribe("fan", new LambdaFunction("big-fan-fn", { entry }), { enhancedFanOut: true });
    });
    expect(warned.map((m) => m.match(/subscribe\("(\w+)"\)/)?.[1])).toEqual(["read", "fan"]);
    expect(checkDeployWarnings(graph, context).map((f) => `${f.rule} ${f.resource}`)).toEqual([
      "KinesisLambdaRecordSize aws:lambda/eventSourceMapping:EventSourceMapping big-read-mapping",
      "KinesisLambdaRecordSize aws:lambda/eventSourceMapping:EventSourceMapping big-fan-mapping",
    ]);
  });

  it("warns for an enhanced fan-out subscription too (its mapping reads the consumer of the stream)", async () => {
    const { graph, warned } = await recordWarnings(subscribed(4608, true));
    expect(warned).toHaveLength(1);
    expect(checkDeployWarnings(graph, context).map((f) => f.rule)).toEqual(["KinesisLambdaRecordSize"]);
  });

  it.each([1024, 4607])("is silent at maxRecordSizeInKib %i, and so is the deploy rule", async (size) => {
    const { graph, warned } = await recordWarnings(subscribed(size));
    expect(warned).toEqual([]);
    expect(checkDeployWarnings(graph, context).filter((f) => f.rule === "KinesisLambdaRecordSize")).toEqual([]);
  });

  it("does not warn for a stream nothing subscribes to", async () => {
    const { warned } = await recordWarnings(() => new DataStream("unread", { maxRecordSizeInKib: 10_240 }));
    expect(warned).toEqual([]);
  });
});
