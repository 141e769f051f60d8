/**
 * The local DynamoDB's transactions (local/dynamodb/transactions.ts): TransactWriteItems and TransactGetItems through
 * the AWS SDK v3's document client, as a DataTier user's handler sends them — all or nothing, cancellation reasons in
 * request order, one action per item, at most 100, isolated from other writes, recorded on streams, authorised item by
 * item, idempotent by ClientRequestToken.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactGetCommand, TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalDynamo, type LocalDynamo, type LocalTable, type StreamRecord } from "../../local/dynamodb";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { MOCK_ACCOUNT_ID, type RecordedResource } from "../../local/offline/mocks";
import { dynaliteStoreOf, patchDynaliteStore } from "../../local/dynamodb/dynalite-store";
import { apiTableCatalog, ensureTables } from "../../local/dynamodb/tables";
import { IDEMPOTENCY_WINDOW_MS, serveTransactions } from "../../local/dynamodb/transactions";
import { streamSubscriptionSpec } from "../harness/stream-subscription";
import { tableSpec } from "./dynamodb-helpers";

const TableName = "items-local";
const table = (stream = false): LocalTable => ({ id: "t.items", tableName: TableName, spec: tableSpec(stream ? {} : { stream: undefined }) });

const running: LocalDynamo[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
});

const client = (endpoint: string, credentials = { accessKeyId: "l", secretAccessKey: "l" }) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: "eu-west-1", credentials, maxAttempts: 1 }));

async function start(options: Partial<Parameters<typeof startLocalDynamo>[0]> = {}) {
  const dynamo = await startLocalDynamo({ tables: [table()], region: "eu-west-1", ...options });
  running.push(dynamo);
  return { dynamo, doc: client(dynamo.endpoint) };
}

/** A dynalite server of its own with transactions served on it as startLocalDynamo serves them, with a clock or log the test holds. */
async function ownServer(options: Parameters<typeof serveTransactions>[2]) {
  patchDynaliteStore();
  const serverOptions = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite ships no typings.
  const server = (require("dynalite") as (o: object) => Server)(serverOptions);
  const store = dynaliteStoreOf(serverOptions) as { db: { batch(operations: unknown[], callback: (error?: Error | null) => void): void } };
  serveTransactions(server, store, options);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push({ stop: () => new Promise<void>((resolve) => server.close(() => resolve())) } as LocalDynamo);
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const admin = new DynamoDBClient({ endpoint, region: "eu-west-1", credentials: { accessKeyId: "l", secretAccessKey: "l" } });
  await ensureTables(apiTableCatalog(admin), [table()]).finally(() => admin.destroy());
  return { doc: client(endpoint), store };
}

type Doc = ReturnType<typeof client>;
const get = async (doc: Doc, pk: string) => (await doc.send(new GetCommand({ TableName, Key: { pk, sk: "1" }, ConsistentRead: true }))).Item;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: Record<string, unknown> & { $metadata: { httpStatusCode?: number } }) => ({ name: error.name, message: error.message, status: error.$metadata.httpStatusCode, CancellationReasons: error.CancellationReasons }),
  );

describe("local DynamoDB TransactWriteItems", () => {
  it("applies Put, Update, Delete and ConditionCheck together", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 1 } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "b", sk: "1" } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "c", sk: "1", open: true } }));
    const answer = await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: "new", sk: "1", v: "x" }, ConditionExpression: "attribute_not_exists(pk)" } },
          { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = n + :one", ExpressionAttributeValues: { ":one": 1 } } },
          // A table may be named by its ARN, as in any request.
          { Delete: { TableName: `arn:aws:dynamodb:eu-west-1:${MOCK_ACCOUNT_ID}:table/${TableName}`, Key: { pk: "b", sk: "1" } } },
          { ConditionCheck: { TableName, Key: { pk: "c", sk: "1" }, ConditionExpression: "#o = :t", ExpressionAttributeNames: { "#o": "open" }, ExpressionAttributeValues: { ":t": true } } },
        ],
      }),
    );
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(await get(doc, "new")).toEqual({ pk: "new", sk: "1", v: "x" });
    expect(await get(doc, "a")).toEqual({ pk: "a", sk: "1", n: 2 });
    expect(await get(doc, "b")).toBeUndefined();
    expect(await get(doc, "c")).toEqual({ pk: "c", sk: "1", open: true });
  });

  it("keeps the table's indexes with its items: a committed transaction's writes show in a global index, a cancelled one's do not", async () => {
    const spec = tableSpec({ stream: undefined, attributes: { pk: "S", sk: "S", gpk: "S" }, globalIndexes: [{ name: "byG", partitionKey: "gpk", projection: "ALL" }] });
    const { doc } = await start({ tables: [{ id: "t.items", tableName: TableName, spec }] });
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", gpk: "old" } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "b", sk: "1", gpk: "old" } }));
    const byG = async (gpk: string) =>
      ((await doc.send(new QueryCommand({ TableName, IndexName: "byG", KeyConditionExpression: "gpk = :g", ExpressionAttributeValues: { ":g": gpk } }))).Items ?? []).map((i) => i.pk).sort();
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: "c", sk: "1", gpk: "new" } } },
          { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET gpk = :g", ExpressionAttributeValues: { ":g": "new" } } },
          { Delete: { TableName, Key: { pk: "b", sk: "1" } } },
        ],
      }),
    );
    expect(await byG("new")).toEqual(["a", "c"]);
    expect(await byG("old")).toEqual([]);
    await failure(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: { pk: "d", sk: "1", gpk: "other" } } },
            { ConditionCheck: { TableName, Key: { pk: "b", sk: "1" }, ConditionExpression: "attribute_exists(pk)" } },
          ],
        }),
      ),
    );
    expect(await byG("other")).toEqual([]);
  });

  it("cancels the whole transaction when a condition fails: reasons in request order, the item with ALL_OLD, nothing written", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 1 } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "taken", sk: "1", owner: "x" } }));
    const cancelled = await failure(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": 5 } } },
            { Put: { TableName, Item: { pk: "taken", sk: "1", owner: "y" }, ConditionExpression: "attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
            { Put: { TableName, Item: { pk: "new", sk: "1" } } },
            { ConditionCheck: { TableName, Key: { pk: "absent", sk: "1" }, ConditionExpression: "attribute_exists(pk)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
          ],
        }),
      ),
    );
    expect(cancelled).toEqual({
      name: "TransactionCanceledException",
      status: 400,
      message: "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None, ConditionalCheckFailed]",
      CancellationReasons: [
        { Code: "None" },
        // The SDK hands the reason's Item as it came, in DynamoDB's attribute value form.
        { Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: { pk: { S: "taken" }, sk: { S: "1" }, owner: { S: "x" } } },
        { Code: "None" },
        // No item, nothing to return.
        { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
      ],
    });
    expect(await get(doc, "a")).toEqual({ pk: "a", sk: "1", n: 1 });
    expect(await get(doc, "taken")).toEqual({ pk: "taken", sk: "1", owner: "x" });
    expect(await get(doc, "new")).toBeUndefined();
  });

  it("cancels on an action the item makes invalid (ValidationError), writing nothing", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: "not a number" } }));
    const cancelled = await failure(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: { pk: "new", sk: "1" } } },
            { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = n + :one", ExpressionAttributeValues: { ":one": 1 } } },
          ],
        }),
      ),
    );
    expect(cancelled).toMatchObject({
      name: "TransactionCanceledException",
      CancellationReasons: [{ Code: "None" }, { Code: "ValidationError", Message: "An operand in the update expression has an incorrect data type" }],
    });
    expect(await get(doc, "new")).toBeUndefined();
  });

  it("refuses two actions on one item, and more than 100 actions, 400 ValidationException before anything runs", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 1 } }));
    expect(
      await failure(
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { ConditionCheck: { TableName, Key: { pk: "a", sk: "1" }, ConditionExpression: "attribute_exists(pk)" } },
              { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": 9 } } },
            ],
          }),
        ),
      ),
    ).toMatchObject({ name: "ValidationException", status: 400, message: "Transaction request cannot include multiple operations on one item" });
    const puts = (count: number) => Array.from({ length: count }, (_, i) => ({ Put: { TableName, Item: { pk: `p${i}`, sk: "1" } } }));
    const tooMany = await failure(doc.send(new TransactWriteCommand({ TransactItems: puts(101) })));
    expect(tooMany).toMatchObject({ name: "ValidationException", status: 400 });
    expect((tooMany as { message: string }).message).toMatch(/^1 validation error detected: Value '\[.*\]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100$/);
    expect(await get(doc, "a")).toEqual({ pk: "a", sk: "1", n: 1 });
    expect(await get(doc, "p0")).toBeUndefined();
    // 100 is allowed.
    await doc.send(new TransactWriteCommand({ TransactItems: puts(100) }));
    expect(await get(doc, "p99")).toEqual({ pk: "p99", sk: "1" });
  });

  it("isolates a transaction from concurrent ones: its condition holds until its writes are made", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "from", sk: "1", n: 5 } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "to", sk: "1", n: 0 } }));
    const transfer = () =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName, Key: { pk: "from", sk: "1" }, UpdateExpression: "SET n = n - :one", ConditionExpression: "n >= :one", ExpressionAttributeValues: { ":one": 1 } } },
            { Update: { TableName, Key: { pk: "to", sk: "1" }, UpdateExpression: "SET n = n + :one", ExpressionAttributeValues: { ":one": 1 } } },
          ],
        }),
      );
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, transfer));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(5);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason.name)).toEqual(Array(7).fill("TransactionCanceledException"));
    expect((await get(doc, "from"))?.n).toBe(0);
    expect((await get(doc, "to"))?.n).toBe(5);
  });

  it("is idempotent by ClientRequestToken: the same request again writes nothing more; another request with the token is refused", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 0 } }));
    const increment = (by: number): TransactWriteCommandInput => ({
      ClientRequestToken: "token-1",
      TransactItems: [{ Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = n + :by", ExpressionAttributeValues: { ":by": by } } }],
    });
    await doc.send(new TransactWriteCommand(increment(1)));
    const again = await doc.send(new TransactWriteCommand(increment(1)));
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect((await get(doc, "a"))?.n).toBe(1);
    expect(await failure(doc.send(new TransactWriteCommand(increment(2))))).toMatchObject({ name: "IdempotentParameterMismatchException", status: 400 });
    expect((await get(doc, "a"))?.n).toBe(1);
    // Without a token of its own each call is its own (the SDK fills in a new one).
    await doc.send(new TransactWriteCommand({ ...increment(1), ClientRequestToken: undefined }));
    await doc.send(new TransactWriteCommand({ ...increment(1), ClientRequestToken: undefined }));
    expect((await get(doc, "a"))?.n).toBe(3);
  });

  it("remembers a ClientRequestToken for 10 minutes after its transaction completed, and waits for one still running", async () => {
    let clock = 1_000_000;
    const { doc } = await ownServer({ now: () => clock });
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 0 } }));
    const increment = new TransactWriteCommand({ ClientRequestToken: "t", TransactItems: [{ Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": 1 } } }] });
    // Sent twice at once (a retry while the first runs): applied once.
    await Promise.all([doc.send(increment), doc.send(increment)]);
    expect((await get(doc, "a"))?.n).toBe(1);
    clock += IDEMPOTENCY_WINDOW_MS;
    await doc.send(increment);
    expect((await get(doc, "a"))?.n).toBe(1);
    // Past the window the token is a new one.
    clock += 1;
    await doc.send(increment);
    expect((await get(doc, "a"))?.n).toBe(2);
  });

  it("answers a fault of its own 500 InternalServerError (which the SDK retries), logged, with nothing written and the items released", async () => {
    const logs: string[] = [];
    const { doc, store } = await ownServer({ log: (m) => logs.push(m) });
    const batch = store.db.batch;
    store.db.batch = (_operations, callback) => callback(new Error("disk full"));
    const put = new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: "a", sk: "1" } } }, { Put: { TableName, Item: { pk: "b", sk: "1" } } }] });
    expect(await failure(doc.send(put))).toMatchObject({ name: "InternalServerError", status: 500 });
    expect(logs).toEqual([expect.stringContaining("local DynamoDB: internal error answering TransactWriteItems (500 InternalServerError): Error: disk full")]);
    expect(await get(doc, "a")).toBeUndefined();
    store.db.batch = batch;
    // The items' locks were released: the retry goes through.
    await doc.send(put);
    expect(await get(doc, "b")).toEqual({ pk: "b", sk: "1" });
  });

  it("records a stream record for each write of a committed transaction, in its order, and none for a cancelled one or a ConditionCheck", async () => {
    const records: StreamRecord[] = [];
    const subscription = streamSubscriptionSpec();
    const { dynamo, doc } = await start({ tables: [table(true)], subscribers: [{ spec: subscription, tableName: TableName, invoke: async (e) => void records.push(...e.Records) }] });
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 1 } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "b", sk: "1" } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "c", sk: "1" } }));
    await dynamo.drained();
    records.length = 0;
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: "new", sk: "1" } } },
          { ConditionCheck: { TableName, Key: { pk: "c", sk: "1" }, ConditionExpression: "attribute_exists(pk)" } },
          { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": 2 } } },
          { Delete: { TableName, Key: { pk: "b", sk: "1" } } },
        ],
      }),
    );
    await failure(doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: "other", sk: "1" } } }, { ConditionCheck: { TableName, Key: { pk: "b", sk: "1" }, ConditionExpression: "attribute_exists(pk)" } }] })));
    await dynamo.drained();
    expect(records.map((r) => [r.eventName, r.dynamodb.Keys.pk])).toEqual([
      ["INSERT", { S: "new" }],
      ["MODIFY", { S: "a" }],
      ["REMOVE", { S: "b" }],
    ]);
    expect(records[1].dynamodb).toMatchObject({ OldImage: { n: { N: "1" } }, NewImage: { n: { N: "2" } }, StreamViewType: "NEW_AND_OLD_IMAGES" });
    expect(await get(doc, "other")).toBeUndefined();
  });
});

describe("local DynamoDB TransactGetItems", () => {
  it("answers each Get in request order, consistently read and projected, with an empty entry for an item not there", async () => {
    const { doc } = await start();
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 1, tags: ["x"] } }));
    await doc.send(new PutCommand({ TableName, Item: { pk: "b", sk: "1", n: 2 } }));
    const { Responses } = await doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName, Key: { pk: "b", sk: "1" } } },
          { Get: { TableName, Key: { pk: "absent", sk: "1" } } },
          { Get: { TableName, Key: { pk: "a", sk: "1" }, ProjectionExpression: "#n, tags", ExpressionAttributeNames: { "#n": "n" } } },
        ],
      }),
    );
    expect(Responses).toEqual([{ Item: { pk: "b", sk: "1", n: 2 } }, {}, { Item: { n: 1, tags: ["x"] } }]);
    expect(await failure(doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: { pk: "a", sk: "1" } } }, { Get: { TableName, Key: { pk: "a", sk: "1" } } }] })))).toMatchObject({
      name: "ValidationException",
      message: "Transaction request cannot include multiple operations on one item",
    });
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ Get: { TableName, Key: { pk: `p${i}`, sk: "1" } } }));
    expect(await failure(doc.send(new TransactGetCommand({ TransactItems: tooMany })))).toMatchObject({ name: "ValidationException", status: 400 });
    expect(await failure(doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: "missing-table", Key: { pk: "a", sk: "1" } } }] })))).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
  });
});

describe("local DynamoDB transactions' ConsumedCapacity", () => {
  const other: LocalTable = { id: "t.other", tableName: "other-local", spec: tableSpec({ key: "other", stream: undefined }) };
  const otherArn = `arn:aws:dynamodb:eu-west-1:${MOCK_ACCOUNT_ID}:table/other-local`;
  // 5,012 bytes as DynamoDB sizes items (names and values): 5 write units (1 KB each), 2 read units (4 KB each).
  const big = { pk: "big", sk: "1", data: "x".repeat(5000) };

  it("answers twice each action's single-item units, one entry per table in the order the request names them, TableName as given", async () => {
    const { doc } = await start({ tables: [table(), other] });
    await doc.send(new PutCommand({ TableName, Item: big }));
    const TransactItems: TransactWriteCommandInput["TransactItems"] = [
      { Put: { TableName: otherArn, Item: { pk: "a", sk: "1" } } },
      { Put: { TableName, Item: { pk: "new", sk: "1" } } },
      // A ConditionCheck as a write on the item it reads; a Delete of no item as 1 unit.
      { ConditionCheck: { TableName, Key: { pk: "big", sk: "1" }, ConditionExpression: "attribute_exists(pk)" } },
      { Delete: { TableName, Key: { pk: "gone", sk: "1" } } },
    ];
    const total = await doc.send(new TransactWriteCommand({ TransactItems, ReturnConsumedCapacity: "TOTAL" }));
    expect(total.ConsumedCapacity).toEqual([
      { TableName: otherArn, CapacityUnits: 2, WriteCapacityUnits: 2 },
      { TableName, CapacityUnits: 2 + 10 + 2, WriteCapacityUnits: 14 },
    ]);
    const indexes = await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: { TableName, Key: { pk: "big", sk: "1" }, UpdateExpression: "REMOVE #d", ExpressionAttributeNames: { "#d": "data" } } }], ReturnConsumedCapacity: "INDEXES" }));
    // An update costs the larger of the item before and after it.
    expect(indexes.ConsumedCapacity).toEqual([{ TableName, CapacityUnits: 10, WriteCapacityUnits: 10, Table: { CapacityUnits: 10, WriteCapacityUnits: 10 } }]);
    expect((await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: "c", sk: "1" } } }], ReturnConsumedCapacity: "NONE" }))).ConsumedCapacity).toBeUndefined();
    expect((await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: "d", sk: "1" } } }] }))).ConsumedCapacity).toBeUndefined();
  });

  it("answers TransactGetItems' reads the same way: twice a consistent read of each whole item, 1 unit for one not there", async () => {
    const { doc } = await start({ tables: [table(), other] });
    await doc.send(new PutCommand({ TableName, Item: big }));
    await doc.send(new PutCommand({ TableName: "other-local", Item: { pk: "a", sk: "1" } }));
    const TransactItems = [
      { Get: { TableName, Key: { pk: "big", sk: "1" }, ProjectionExpression: "pk" } },
      { Get: { TableName: otherArn, Key: { pk: "a", sk: "1" } } },
      { Get: { TableName, Key: { pk: "missing", sk: "1" } } },
    ];
    const total = await doc.send(new TransactGetCommand({ TransactItems, ReturnConsumedCapacity: "TOTAL" }));
    expect(total.Responses).toEqual([{ Item: { pk: "big" } }, { Item: { pk: "a", sk: "1" } }, {}]);
    expect(total.ConsumedCapacity).toEqual([
      { TableName, CapacityUnits: 4 + 2, ReadCapacityUnits: 6 },
      { TableName: otherArn, CapacityUnits: 2, ReadCapacityUnits: 2 },
    ]);
    const indexes = await doc.send(new TransactGetCommand({ TransactItems: TransactItems.slice(1, 2), ReturnConsumedCapacity: "INDEXES" }));
    expect(indexes.ConsumedCapacity).toEqual([{ TableName: otherArn, CapacityUnits: 2, ReadCapacityUnits: 2, Table: { CapacityUnits: 2, ReadCapacityUnits: 2 } }]);
    expect((await doc.send(new TransactGetCommand({ TransactItems }))).ConsumedCapacity).toBeUndefined();
  });
});

describe("local DynamoDB transactions, authorised for the functions' roles", () => {
  it("authorises each action as its own item action on its table (dynamodb:PutItem, UpdateItem, ConditionCheckItem, GetItem) before anything runs", async () => {
    const roleArn = "arn:aws:iam::123456789012:role/fn-role-1a2b";
    const tableArn = `arn:aws:dynamodb:eu-west-1:123456789012:table/${TableName}`;
    const recorded = (type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}) =>
      ({ type, name, urn: `urn:${type}::${name}`, custom: true, inputs, state: { ...inputs, ...state }, id: String(state.name ?? name), protect: false, retainOnDelete: false, dependencies: [] }) as RecordedResource;
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:ConditionCheckItem"], Resource: [tableArn] }] };
    const roles = FunctionRoles.fromGraph([
      recorded("aws:iam/role:Role", "fn-role", {}, { name: "fn-role-1a2b", arn: roleArn }),
      recorded("aws:lambda/function:Function", "fn-function", { role: roleArn }, { name: "fn-a1b2" }),
      recorded("aws:iam/rolePolicy:RolePolicy", "fn-policy", { role: "fn-role-1a2b", policy: JSON.stringify(policy) }),
    ]);
    const { dynamo, doc } = await start({ roles });
    const fn = client(dynamo.endpoint, functionCredentials("fn-a1b2"));
    await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: "1", n: 1 } }));
    const refused = await failure(
      fn.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: { pk: "new", sk: "1" } } },
            { Update: { TableName, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": 2 } } },
          ],
        }),
      ),
    );
    expect(refused).toMatchObject({
      name: "AccessDeniedException",
      status: 400,
      message: `User: arn:aws:sts::123456789012:assumed-role/fn-role-1a2b/fn-a1b2 is not authorized to perform: dynamodb:UpdateItem on resource: ${tableArn} because no identity-based policy allows the dynamodb:UpdateItem action`,
    });
    expect(await get(doc, "new")).toBeUndefined();
    // What the role allows runs.
    await fn.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: "new", sk: "1" } } }, { ConditionCheck: { TableName, Key: { pk: "a", sk: "1" }, ConditionExpression: "attribute_exists(pk)" } }] }));
    const { Responses } = await fn.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: { pk: "new", sk: "1" } } }] }));
    expect(Responses).toEqual([{ Item: { pk: "new", sk: "1" } }]);
  });
});
