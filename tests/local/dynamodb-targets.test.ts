/**
 * Which requests the local DynamoDB serves in front of dynalite (local/dynamodb/replayed-request.ts): only an
 * X-Amz-Target of DynamoDB's API, `DynamoDB_20120810.<Operation>` (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html);
 * any other target (another prefix, more than an operation, none) goes to dynalite as it came, which answers it
 * UnknownOperationException (400) as it answers every target it does not know, and so acts on nothing. The header's
 * name in any case is the same header.
 */
import { afterEach, expect, it } from "vitest";
import { startPatchedDynalite, type PatchedDynalite } from "../../local/dynamodb";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";

const HEADERS = { "content-type": "application/x-amz-json-1.0", "x-amz-date": "20261206T000000Z", authorization: "AWS4-HMAC-SHA256 Credential=l/20261206/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0" };
const TableName = "items";
const ARN = `arn:aws:dynamodb:eu-west-1:${MOCK_ACCOUNT_ID}:table/${TableName}`;

const running: PatchedDynalite[] = [];
afterEach(async () => {
  for (const dynalite of running.splice(0)) await dynalite.close();
});

async function call(endpoint: string, headers: Record<string, string>, body: object) {
  const res = await fetch(endpoint, { method: "POST", headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { __type?: string; Item?: unknown; Table?: { TableStatus: string } } };
}

async function withTable() {
  const dynalite = await startPatchedDynalite({ region: "eu-west-1" });
  running.push(dynalite);
  const target = (operation: string) => ({ "x-amz-target": `DynamoDB_20120810.${operation}` });
  const created = await call(dynalite.endpoint, target("CreateTable"), {
    TableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  });
  expect(created.status).toBe(200);
  for (let tries = 0; (await call(dynalite.endpoint, target("DescribeTable"), { TableName })).body.Table?.TableStatus !== "ACTIVE"; tries++) {
    if (tries > 1000) throw new Error("the table never became ACTIVE");
    await new Promise((resolve) => setImmediate(resolve));
  }
  const stored = async (pk: string) => (await call(dynalite.endpoint, target("GetItem"), { TableName, Key: { pk: { S: pk } } })).body.Item;
  return { endpoint: dynalite.endpoint, stored };
}

const transactWrite = (pk: string) => ({ TransactItems: [{ Put: { TableName, Item: { pk: { S: pk } } } }] });
const batchWrite = (pk: string) => ({ RequestItems: { [ARN]: [{ PutRequest: { Item: { pk: { S: pk } } } }] } });

it("refuses a transaction or a batch whose X-Amz-Target is not DynamoDB_20120810.<Operation> with UnknownOperationException (400), writing nothing, as dynalite refuses a Query's", async () => {
  const { endpoint, stored } = await withTable();
  const targets = ["Foo.#", "DynamoDB_20120811.#", "dynamodb_20120810.#", "DynamoDB_20120810.#.Extra", ".#", "#"];
  for (const [operation, body] of [["TransactWriteItems", transactWrite], ["BatchWriteItem", batchWrite], ["Query", () => ({ TableName })]] as const) {
    for (const [i, pattern] of targets.entries()) {
      const target = pattern.replace("#", operation);
      const answer = await call(endpoint, { "x-amz-target": target }, body(`${operation}-${i}`));
      expect(answer, target).toEqual({ status: 400, body: { __type: "com.amazon.coral.service#UnknownOperationException" } });
      expect(await stored(`${operation}-${i}`), target).toBeUndefined();
    }
  }
});

it("serves a transaction and a batch keyed by a table's ARN whose X-Amz-Target is DynamoDB_20120810.<Operation>, the header named in any case", async () => {
  const { endpoint, stored } = await withTable();
  for (const name of ["x-amz-target", "X-Amz-Target", "X-AMZ-TARGET"]) {
    expect((await call(endpoint, { [name]: "DynamoDB_20120810.TransactWriteItems" }, transactWrite(`t-${name}`))).status, name).toBe(200);
    expect((await call(endpoint, { [name]: "DynamoDB_20120810.BatchWriteItem" }, batchWrite(`b-${name}`))).status, name).toBe(200);
    expect(await stored(`t-${name}`), name).toEqual({ pk: { S: `t-${name}` } });
    expect(await stored(`b-${name}`), name).toEqual({ pk: { S: `b-${name}` } });
  }
});
