/**
 * The local DynamoDB's requests with tables named by their ARN (local/dynamodb/dynalite-table-arns.ts): BatchGetItem and
 * BatchWriteItem keyed by a table's ARN, answered with the keys as sent, recorded on streams, authorised on the ARN;
 * single-table operations answered with the ARN in ConsumedCapacity.
 */
import { BatchGetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalDynamo, type LocalDynamo, type LocalTable, type StreamRecord } from "../../local/dynamodb";
import { withCallerKeys } from "../../local/dynamodb/dynalite-table-arns";
import { FunctionRoles, functionCredentials } from "../../local/function-roles";
import { MOCK_ACCOUNT_ID, type RecordedResource } from "../../local/offline/mocks";
import { streamSubscriptionSpec } from "../harness/stream-subscription";
import { refusal, tableSpec } from "./dynamodb-helpers";

const region = "eu-west-1";
const items: LocalTable = { id: "t.items", tableName: "items-local", spec: tableSpec() };
const other: LocalTable = { id: "t.other", tableName: "other-local", spec: tableSpec({ key: "other", stream: undefined }) };
const arnOf = (name: string) => `arn:aws:dynamodb:${region}:${MOCK_ACCOUNT_ID}:table/${name}`;

const running: LocalDynamo[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
});

const client = (endpoint: string, credentials = { accessKeyId: "l", secretAccessKey: "l" }) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region, credentials, maxAttempts: 1 }));

async function start(options: Partial<Parameters<typeof startLocalDynamo>[0]> = {}) {
  const dynamo = await startLocalDynamo({ tables: [items, other], region, ...options });
  running.push(dynamo);
  return { dynamo, doc: client(dynamo.endpoint) };
}

describe("local DynamoDB batches keyed by a table's ARN", () => {
  it("writes and reads them, answering Responses and ConsumedCapacity with the keys as the caller sent them", async () => {
    const { doc } = await start();
    const written = await doc.send(
      new BatchWriteCommand({
        RequestItems: { [arnOf("items-local")]: [{ PutRequest: { Item: { pk: "a", sk: "1", n: 1 } } }], "other-local": [{ PutRequest: { Item: { pk: "b", sk: "1" } } }] },
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    expect(written.UnprocessedItems).toEqual({});
    expect(written.ConsumedCapacity?.map((c) => c.TableName).sort()).toEqual([arnOf("items-local"), "other-local"].sort());
    expect((await doc.send(new GetCommand({ TableName: "items-local", Key: { pk: "a", sk: "1" } }))).Item).toEqual({ pk: "a", sk: "1", n: 1 });

    const read = await doc.send(
      new BatchGetCommand({ RequestItems: { [arnOf("items-local")]: { Keys: [{ pk: "a", sk: "1" }] }, [arnOf("other-local")]: { Keys: [{ pk: "b", sk: "1" }], ConsistentRead: true } }, ReturnConsumedCapacity: "INDEXES" }),
    );
    expect(read.Responses).toEqual({ [arnOf("items-local")]: [{ pk: "a", sk: "1", n: 1 }], [arnOf("other-local")]: [{ pk: "b", sk: "1" }] });
    expect(read.ConsumedCapacity?.map((c) => c.TableName).sort()).toEqual([arnOf("items-local"), arnOf("other-local")].sort());

    await doc.send(new BatchWriteCommand({ RequestItems: { [arnOf("items-local")]: [{ DeleteRequest: { Key: { pk: "a", sk: "1" } } }] } }));
    expect((await doc.send(new GetCommand({ TableName: "items-local", Key: { pk: "a", sk: "1" } }))).Item).toBeUndefined();
  });

  it.each([
    ["straight to dynalite", false],
    ["through the stream proxy (a subscribed stream)", true],
  ])("names in a single-table operation's ConsumedCapacity the ARN it was given, or the name (%s)", async (_, streamed) => {
    const subscribers = streamed ? [{ spec: streamSubscriptionSpec(), tableName: "items-local", invoke: async () => {} }] : [];
    const { doc } = await start({ subscribers });
    const arn = arnOf("items-local");
    const key = { pk: "a", sk: "1" };
    const named = async (tableName: string) => [
      (await doc.send(new PutCommand({ TableName: tableName, Item: { ...key, n: 1 }, ReturnConsumedCapacity: "TOTAL" }))).ConsumedCapacity?.TableName,
      (await doc.send(new GetCommand({ TableName: tableName, Key: key, ReturnConsumedCapacity: "TOTAL" }))).ConsumedCapacity?.TableName,
      (await doc.send(new UpdateCommand({ TableName: tableName, Key: key, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": 2 }, ReturnConsumedCapacity: "INDEXES" }))).ConsumedCapacity?.TableName,
      (await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "a" }, ReturnConsumedCapacity: "TOTAL" }))).ConsumedCapacity?.TableName,
      (await doc.send(new ScanCommand({ TableName: tableName, ReturnConsumedCapacity: "TOTAL" }))).ConsumedCapacity?.TableName,
      (await doc.send(new DeleteCommand({ TableName: tableName, Key: key, ReturnConsumedCapacity: "TOTAL" }))).ConsumedCapacity?.TableName,
    ];
    expect(await named(arn)).toEqual([arn, arn, arn, arn, arn, arn]);
    expect(await named("items-local")).toEqual(Array(6).fill("items-local"));
  });

  it("refuses a batch that names one table twice, by its name and by its ARN", async () => {
    const { dynamo } = await start();
    const twice = new BatchGetItemCommand({ RequestItems: { "items-local": { Keys: [{ pk: { S: "a" }, sk: { S: "1" } }] }, [arnOf("items-local")]: { Keys: [{ pk: { S: "b" }, sk: { S: "1" } }] } } });
    expect(await refusal(dynamo.endpoint, twice)).toMatchObject({ status: 400, name: "ValidationException", message: expect.stringContaining(`names it twice, as items-local and as ${arnOf("items-local")}`) });
  });

  it("keys UnprocessedKeys and UnprocessedItems as the caller did, so they can be sent again as they are", () => {
    const keys = new Map([["items-local", arnOf("items-local")]]);
    const answer = { Responses: { "items-local": [] }, UnprocessedKeys: { "items-local": { Keys: [{ pk: { S: "a" } }] } }, UnprocessedItems: { "items-local": [] }, ConsumedCapacity: [{ TableName: "items-local", CapacityUnits: 1 }] };
    expect(JSON.parse(withCallerKeys(JSON.stringify(answer), keys))).toEqual({
      Responses: { [arnOf("items-local")]: [] },
      UnprocessedKeys: { [arnOf("items-local")]: { Keys: [{ pk: { S: "a" } }] } },
      UnprocessedItems: { [arnOf("items-local")]: [] },
      ConsumedCapacity: [{ TableName: arnOf("items-local"), CapacityUnits: 1 }],
    });
  });

  it("records a streamed table's batch writes named by its ARN", async () => {
    const records: StreamRecord[] = [];
    const { dynamo, doc } = await start({ subscribers: [{ spec: streamSubscriptionSpec(), tableName: "items-local", invoke: async (e) => void records.push(...e.Records) }] });
    await doc.send(new BatchWriteCommand({ RequestItems: { [arnOf("items-local")]: [{ PutRequest: { Item: { pk: "a", sk: "1" } } }, { PutRequest: { Item: { pk: "b", sk: "1" } } }] } }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [arnOf("items-local")]: [{ DeleteRequest: { Key: { pk: "a", sk: "1" } } }] } }));
    await dynamo.drained();
    expect(records.map((r) => [r.eventName, r.dynamodb.Keys.pk?.S])).toEqual([
      ["INSERT", "a"],
      ["INSERT", "b"],
      ["REMOVE", "a"],
    ]);
  });

  it("authorises a function's batch on the table's ARN, as a batch keyed by the name is", async () => {
    const roleArn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/fn-role-1a2b`;
    const recorded = (type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}) =>
      ({ type, name, urn: `urn:${type}::${name}`, custom: true, inputs, state: { ...inputs, ...state }, id: String(state.name ?? name), protect: false, retainOnDelete: false, dependencies: [] }) as RecordedResource;
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"], Resource: [arnOf("items-local")] }] };
    const roles = FunctionRoles.fromGraph([
      recorded("aws:iam/role:Role", "fn-role", {}, { name: "fn-role-1a2b", arn: roleArn }),
      recorded("aws:lambda/function:Function", "fn-function", { role: roleArn }, { name: "fn-a1b2" }),
      recorded("aws:iam/rolePolicy:RolePolicy", "fn-policy", { role: "fn-role-1a2b", policy: JSON.stringify(policy) }),
    ]);
    const { dynamo } = await start({ roles });
    const fn = client(dynamo.endpoint, functionCredentials("fn-a1b2"));
    await fn.send(new BatchWriteCommand({ RequestItems: { [arnOf("items-local")]: [{ PutRequest: { Item: { pk: "a", sk: "1" } } }] } }));
    expect((await fn.send(new BatchGetCommand({ RequestItems: { [arnOf("items-local")]: { Keys: [{ pk: "a", sk: "1" }] } } }))).Responses).toEqual({ [arnOf("items-local")]: [{ pk: "a", sk: "1" }] });
    // Another table's ARN, or the table's in another account, is a resource the role is not granted.
    const elsewhere = `arn:aws:dynamodb:${region}:111122223333:table/items-local`;
    for (const arn of [arnOf("other-local"), elsewhere]) {
      await expect(fn.send(new BatchGetCommand({ RequestItems: { [arn]: { Keys: [{ pk: "a", sk: "1" }] } } }))).rejects.toMatchObject({
        name: "AccessDeniedException",
        message: `User: arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/fn-role-1a2b/fn-a1b2 is not authorized to perform: dynamodb:BatchGetItem on resource: ${arn} because no identity-based policy allows the dynamodb:BatchGetItem action`,
      });
    }
  });
});
