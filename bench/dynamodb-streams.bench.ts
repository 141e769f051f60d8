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
import { formatSummary, interleaved, machineLoad, pairedRatios, summarise, verdict } from "./stats";

const WRITES = 150;
const TARGET = 4;

const spec: TableSpec = {
  key: "items", attributes: { pk: "S", sk: "S" }, partitionKey: "pk", sortKey: "sk", globalIndexes: [], localIndexes: [],
  billing: "on-demand", stream: "NEW_AND_OLD_IMAGES", ttlEnabled: false, pointInTimeRecovery: true, replicaRegions: [], replicaKmsKeyArns: {}, tableClass: "STANDARD",
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
    // Interleaved rounds (one warm-up round first), so drift on a shared machine hits both paths.
    const runs = await interleaved({ direct: () => writes(dynamo.dynaliteEndpoint), proxied: () => writes(dynamo.endpoint) });
    await dynamo.drained();
    const expected = WRITES * 2 * (runs.proxied.length + 1);
    const ratios = summarise(pairedRatios(runs.proxied, runs.direct));
    return [
      {
        title: `local DynamoDB writes with stream emulation (${runs.direct.length} interleaved rounds of ${WRITES * 2} writes, in-memory dynalite; ${machineLoad()})`,
        columns: ["path", "ms/write min/med/max", "× direct min/med/max"],
        rows: [
          ["dynalite directly (baseline)", formatSummary(summarise(runs.direct)), "1"],
          ["through the stream proxy", formatSummary(summarise(runs.proxied)), formatSummary(ratios)],
        ],
        notes: [
          verdict("a write through the stream proxy vs straight to dynalite, paired", ratios, "<=", TARGET, "×"),
          `${delivered} stream records delivered (expected ${expected})`,
        ],
      },
    ];
  } finally {
    await dynamo.stop();
  }
};
