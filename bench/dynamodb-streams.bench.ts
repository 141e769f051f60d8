/**
 * What local stream emulation costs a write: PutItem + UpdateItem straight to dynalite
 * (baseline) vs through the stream proxy (a read before and after each write, plus
 * delivery to a subscriber that does nothing). Same process, same run, ratios only.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TableSpec } from "../components/data-tier/spec";
import type { StreamSubscriptionSpec } from "../components/data-tier/stream";
import { startLocalDynamo } from "../local/dynamodb";
import type { Benchmark } from "./run";

const WRITES = 300;

const spec: TableSpec = {
  key: "items", attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk", globalIndexes: [], localIndexes: [],
  billing: "on-demand", stream: "NEW_AND_OLD_IMAGES", pointInTimeRecovery: true, replicaRegions: [], replicaKmsKeyArns: {}, tableClass: "STANDARD",
};

async function writes(endpoint: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" } }));
  const started = performance.now();
  for (let i = 0; i < WRITES; i++) {
    await doc.send(new PutCommand({ TableName: "items", Item: { pk: `p${i % 20}`, sk: String(i), n: 0 } }));
    await doc.send(new UpdateCommand({ TableName: "items", Key: { pk: `p${i % 20}`, sk: String(i) }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": 1 } }));
  }
  doc.destroy();
  return (performance.now() - started) / (WRITES * 2);
}

export const run: Benchmark = async () => {
  let delivered = 0;
  const dynamo = await startLocalDynamo({
    tables: [{ id: "bench.items", tableName: "items", spec }],
    subscribers: [{ spec: { name: "noop", batchSize: 100, maximumRetryAttempts: 0 } as StreamSubscriptionSpec, tableName: "items", invoke: async (e) => void (delivered += e.Records.length) }],
    region: "us-east-1",
  });
  try {
    await writes(dynamo.dynaliteEndpoint); // warm-up
    const direct = await writes(dynamo.dynaliteEndpoint);
    const proxied = await writes(dynamo.endpoint);
    await dynamo.drained();
    return [
      {
        title: `local DynamoDB writes with stream emulation (${WRITES * 2} writes, in-memory dynalite)`,
        columns: ["path", "ms/write", "ratio"],
        rows: [
          ["dynalite directly (baseline)", direct, 1],
          ["through the stream proxy", proxied, proxied / direct],
        ],
        notes: [`${delivered} stream records delivered (expected ${WRITES * 2}); target: under 4x the baseline — ${proxied / direct < 4 ? "met" : "NOT met"}`],
      },
    ];
  } finally {
    await dynamo.stop();
  }
};
