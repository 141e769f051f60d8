/**
 * gallery-store's client retries a single-item write that a transaction on the same item refused
 * (TransactionConflictException: a photo's POST checks its album in one), and nothing else the SDK would not.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, expect, it } from "vitest";
import { retryTransactionConflicts } from "../../handlers/shared/gallery-store";

/** Answers each request with the next of `answers` (the last one again once they run out), and counts them. */
let answers: Array<{ status: number; body: object }> = [];
let requests = 0;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
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

const dynamoError = (type: string, extra: object = {}) => ({ status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: type, ...extra } });
const conflict = dynamoError("TransactionConflictException");
const update = new UpdateItemCommand({ TableName: "gallery", Key: { pk: { S: "USER#a" }, sk: { S: "ALBUM#1" } }, UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": { S: "x" } } });

async function sent(retrying: boolean, given: typeof answers): Promise<{ requests: number; error?: string }> {
  answers = given;
  requests = 0;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 3 });
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
