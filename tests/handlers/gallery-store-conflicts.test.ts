/**
 * gallery-store's client retries a single-item write that a transaction on the same item refused
 * (TransactionConflictException: a photo's POST checks its album in one), and nothing else the SDK would not.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { afterAll, beforeAll, expect, it } from "vitest";
import { retryTransactionConflicts } from "../../handlers/shared/gallery-store";

/** Answers each request with the next of `answers` (the last one again once they run out), and counts them. */
let answers: Array<{ status: number; body: object }> = [];
let requests = 0;
/** Each request's body, as sent. */
let bodies: string[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      const { status, body } = answers[Math.min(requests, answers.length - 1)];
      requests++;
      res.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/**
 * The client as the handlers' (3 attempts), retrying at once: the SDK's backoff (a random wait of up to 0.5 s, doubling,
 * for throttling; test time only, issue 15) is not what these tests are about, which errors are retried is. The
 * standard strategy still decides that (ConfiguredRetryStrategy only computes the delay).
 */
const localClient = () => new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, retryStrategy: new ConfiguredRetryStrategy(3, 0) });

const dynamoError = (type: string, extra: object = {}) => ({ status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: type, ...extra } });
const conflict = dynamoError("TransactionConflictException");
const update = new UpdateItemCommand({ TableName: "gallery", Key: { pk: { S: "USER#a" }, sk: { S: "ALBUM#1" } }, UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": { S: "x" } } });

async function sent(retrying: boolean, given: typeof answers): Promise<{ requests: number; error?: string }> {
  answers = given;
  requests = 0;
  bodies = [];
  const client = localClient();
  if (retrying) retryTransactionConflicts(client);
  try {
    await client.send(update);
    return { requests };
  } catch (error) {
    return { requests, error: (error as Error).name };
  } finally {
    client.destroy();
  }
}

it("retries a write refused with TransactionConflictException, which the SDK alone does not", async () => {
  expect(await sent(false, [conflict, { status: 200, body: {} }])).toEqual({ requests: 1, error: "TransactionConflictException" });
  expect(await sent(true, [conflict, { status: 200, body: {} }])).toEqual({ requests: 2 });
  // Within the client's maxAttempts, as any retried error.
  expect(await sent(true, [conflict])).toEqual({ requests: 3, error: "TransactionConflictException" });
});

it("retries nothing else: a failed condition, or a cancelled transaction, is answered at once", async () => {
  expect(await sent(true, [dynamoError("ConditionalCheckFailedException"), { status: 200, body: {} }])).toEqual({ requests: 1, error: "ConditionalCheckFailedException" });
  const cancelled = dynamoError("TransactionCanceledException", { CancellationReasons: [{ Code: "TransactionConflict" }, { Code: "None" }] });
  expect(await sent(true, [cancelled, { status: 200, body: {} }])).toEqual({ requests: 1, error: "TransactionCanceledException" });
});

/**
 * createPhoto's transaction put again by the SDK after an answer it did not get (a 500 here; a timeout alike) carries
 * the first attempt's ClientRequestToken: the SDK fills the idempotency token once, before its retries. So when the
 * first attempt had committed, DynamoDB answers the retry as a success without writing ("multiple identical calls have
 * the same effect as one single call", TransactWriteItems ClientRequestToken,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html), instead of cancelling it
 * on the photo's own attribute_not_exists: the client sees 201, not a false "A photo with this id already exists".
 */
it("retries a transaction with the same ClientRequestToken, so a committed attempt whose answer was lost is not put again", async () => {
  answers = [{ status: 500, body: { __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "lost" } }, { status: 200, body: {} }];
  requests = 0;
  bodies = [];
  const client = retryTransactionConflicts(localClient());
  try {
    await DynamoDBDocumentClient.from(client).send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: "gallery", Item: { pk: "USER#a", sk: "PHOTO#1" }, ConditionExpression: "attribute_not_exists(pk)" } }] }),
    );
  } finally {
    client.destroy();
  }
  const tokens = bodies.map((body) => (JSON.parse(body) as { ClientRequestToken?: string }).ClientRequestToken);
  expect(tokens).toHaveLength(2);
  expect(tokens[0]).toMatch(/^[\w-]{1,36}$/);
  expect(tokens[1]).toBe(tokens[0]);
});
