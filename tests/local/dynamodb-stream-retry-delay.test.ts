/**
 * startLocalDynamo's retryDelayMs (the stream pump's pause before a failed batch is tried again) is refused unless it
 * is milliseconds Node's timers keep: a negative, NaN or over-2^31-1 delay would be 1 ms (setTimeout) or none (NaN),
 * a retry loop holding a core until the records' maximum age. Refused before anything is left running.
 */
import { expect, it } from "vitest";
import { startLocalDynamo } from "../../local/dynamodb";
import { streamSubscriptionSpec } from "../harness/stream-subscription";
import { tableSpec } from "./dynamodb-helpers";

const start = (retryDelayMs: number) =>
  startLocalDynamo({
    tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec({ stream: "NEW_IMAGE" }) }],
    subscribers: [{ spec: streamSubscriptionSpec({}), tableName: "items-local", invoke: async () => undefined }],
    region: "us-east-1",
    retryDelayMs,
  });

it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])("refuses retryDelayMs %s", async (retryDelayMs) => {
  await expect(start(retryDelayMs)).rejects.toThrow(/retryDelayMs must be .*milliseconds/);
});

it("takes 0 and a whole hour", async () => {
  for (const retryDelayMs of [0, 3_600_000]) await (await start(retryDelayMs)).stop();
});

it("refuses a wrong retryDelayMs with no stream subscribers too, before dynalite starts", async () => {
  await expect(startLocalDynamo({ tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec({}) }], region: "us-east-1", retryDelayMs: -1 })).rejects.toThrow(/^local DynamoDB streams: retryDelayMs must be .*milliseconds/);
});
