/**
 * TTL for dynalite, which has none: scan each table whose TTL is on and
 * delete the items whose attribute is a number of epoch seconds in the past — the
 * same rule DynamoDB applies (non-numbers and missing values never expire). The
 * deletes go through the stream proxy marked as TTL's, so subscribers see REMOVE
 * records with TTL's userIdentity, as in AWS.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import type { LocalTable } from "./tables";
import { TTL_DELETE_HEADER } from "./streams";

export interface TtlSweeper {
  /** Deletes every expired item now; resolves with how many went. */
  sweep(now?: number): Promise<number>;
  stop(): void;
}

export function startTtlSweeper(options: { endpoint: string; region: string; tables: LocalTable[]; intervalMs: number; log(message: string): void }): TtlSweeper {
  const client = new DynamoDBClient({ endpoint: options.endpoint, region: options.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  client.middlewareStack.add((next) => (args) => {
    const request = args.request as { headers: Record<string, string> };
    request.headers[TTL_DELETE_HEADER] = "1";
    return next(args);
  }, { step: "build", name: "markTtlDeletes" });
  // A table whose TTL was turned off (ttlEnabled: false) keeps its ttlAttribute; DynamoDB no longer expires its items.
  const tables = options.tables.filter((t) => t.spec.ttlEnabled);

  async function sweepTable(table: LocalTable, now: number): Promise<number> {
    const attribute = table.spec.ttlAttribute!;
    const keyNames = [table.spec.partitionKey, table.spec.sortKey].filter(Boolean) as string[];
    let deleted = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table.tableName,
          FilterExpression: "#ttl < :now",
          ExpressionAttributeNames: { "#ttl": attribute },
          ExpressionAttributeValues: { ":now": { N: String(now) } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const key = Object.fromEntries(keyNames.map((k) => [k, item[k]]));
        try {
          // Only if it is still expired: a write since the scan may have extended or removed the TTL.
          await client.send(
            new DeleteItemCommand({
              TableName: table.tableName,
              Key: key,
              ConditionExpression: "#ttl < :now",
              ExpressionAttributeNames: { "#ttl": attribute },
              ExpressionAttributeValues: { ":now": { N: String(now) } },
            }),
          );
          deleted += 1;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== "ConditionalCheckFailedException") throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  let running: Promise<number> | undefined;
  const sweep = async (now = Math.floor(Date.now() / 1000)): Promise<number> => {
    while (running) await running.catch(() => undefined);
    running = (async () => {
      let total = 0;
      for (const table of tables) total += await sweepTable(table, now);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => {
    sweep().then(
      (n) => n > 0 && options.log(`local DynamoDB TTL: deleted ${n} expired item(s)`),
      (error) => options.log(`local DynamoDB TTL sweep failed: ${(error as Error).message}`),
    );
  }, options.intervalMs);
  timer.unref();
  return {
    sweep,
    stop: () => {
      clearInterval(timer);
      client.destroy();
    },
  };
}
