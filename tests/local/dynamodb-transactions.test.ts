/**
 * The local DynamoDB's transactions (local/dynamodb/transactions.ts): TransactWriteItems and TransactGetItems through
 * the AWS SDK v3's document client, as a DataTier user's handler sends them.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactGetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalDynamo, type LocalDynamo, type LocalTable } from "../../local/dynamodb";
import { tableSpec } from "./dynamodb-helpers";

const TableName = "items-local";
const table = (): LocalTable => ({ id: "t.items", tableName: TableName, spec: tableSpec({ stream: undefined }) });

const running: LocalDynamo[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
});

async function start(options: Partial<Parameters<typeof startLocalDynamo>[0]> = {}) {
  const dynamo = await startLocalDynamo({ tables: [table()], region: "us-east-1", ...options });
  running.push(dynamo);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" }, maxAttempts: 1 }));
  return { dynamo, doc };
}

describe("local DynamoDB TransactWriteItems", () => {
  it("applies Put, Update, Delete and ConditionCheck together", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 1 } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "b", sk: "1" } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "c", sk: "1", open: true } }));
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: "new", sk: "1", v: "x" }, ConditionExpression: "attribute_not_exists(pk)" } },
          { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = n + :one", ExpressionAttributeValues: { ":one": 1 } } },
          { Delete: { TableName, Key: { pk: "b", sk: "1" } } },
          { ConditionCheck: { TableName, Key: { pk: "c", sk: "1" }, ConditionExpression: "#o = :t", ExpressionAttributeNames: { "#o": "open" }, ExpressionAttributeValues: { ":t": true } } },
        ],
      }),
    );
    const get = async (pk: string) => (await doc.send(new GetCommand({ TableName, Key: { pk, sk: "1" } }))).Item;
    expect(await get("new")).toEqual({ pk: "new", sk: "1", v: "x" });
    expect(await get("a")).toEqual({ pk: "a", sk: "1", n: 2 });
    expect(await get("b")).toBeUndefined();
    expect(await get("c")).toEqual({ pk: "c", sk: "1", open: true });
  });
});
