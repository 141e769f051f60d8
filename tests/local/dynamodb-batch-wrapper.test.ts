/**
 * serveTableArns (local/dynamodb/dynalite-table-arns.ts) in front of a listener that records what reaches it:
 * a batch's body is held only up to dynalite's own limit (dynalite answers 413 past it), other requests pass unread;
 * and the local DynamoDB answers every body past that limit 413, transactions too.
 */
import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startLocalDynamo } from "../../local/dynamodb";
import { serveTableArns } from "../../local/dynamodb/dynalite-table-arns";
import { DYNALITE_MAX_REQUEST_BYTES } from "../../local/dynamodb/replayed-request";
import { streamSubscriptionSpec } from "../harness/stream-subscription";
import { tableSpec } from "./dynamodb-helpers";

async function withRecordingServer(run: (port: number, received: Array<{ target: string; bytes: number; replayed: boolean }>) => Promise<void>) {
  const received: Array<{ target: string; bytes: number; replayed: boolean }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let bytes = 0;
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => {
      received.push({ target: String(req.headers["x-amz-target"]), bytes, replayed: !("socket" in req) || req.socket === undefined });
      res.writeHead(bytes > DYNALITE_MAX_REQUEST_BYTES ? 413 : 200, { "content-length": "0" });
      res.end();
    });
  });
  serveTableArns(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await run((server.address() as AddressInfo).port, received);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function post(port: number, target: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers: { "x-amz-target": `DynamoDB_20120810.${target}`, "content-length": String(body.length) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the table-ARN wrapper's reading of bodies", () => {
  it("holds a batch's body only up to dynalite's limit and a byte (a 40 MB batch was held whole), so dynalite still answers 413", async () => {
    await withRecordingServer(async (port, received) => {
      const body = Buffer.concat([Buffer.from('{"RequestItems":{"arn:aws:dynamodb:eu-west-1:123456789012:table/t":['), Buffer.alloc(40 * 2 ** 20, 0x20), Buffer.from("]}}")]);
      expect(await post(port, "BatchWriteItem", body)).toBe(413);
      expect(received).toEqual([{ target: "DynamoDB_20120810.BatchWriteItem", bytes: DYNALITE_MAX_REQUEST_BYTES + 1, replayed: true }]);
    });
  });

  it("gives a batch keyed by an ARN whose body is one byte past dynalite's limit to dynalite as it came (it answers 413), not renamed and so shorter", async () => {
    await withRecordingServer(async (port, received) => {
      const head = Buffer.from('{"RequestItems":{"arn:aws:dynamodb:eu-west-1:123456789012:table/items":[');
      const tail = Buffer.from("]}}");
      const body = Buffer.concat([head, Buffer.alloc(DYNALITE_MAX_REQUEST_BYTES + 1 - head.length - tail.length, 0x20), tail]);
      expect(JSON.parse(body.toString())).toBeTruthy(); // whole, and JSON: the wrapper could read and rename it
      expect(await post(port, "BatchWriteItem", body)).toBe(413);
      expect(received).toEqual([{ target: "DynamoDB_20120810.BatchWriteItem", bytes: DYNALITE_MAX_REQUEST_BYTES + 1, replayed: true }]);
    });
  });

  it("gives other requests to the listener as they came, not read first", async () => {
    await withRecordingServer(async (port, received) => {
      expect(await post(port, "DescribeTable", Buffer.from('{"TableName":"t"}'))).toBe(200);
      expect(received).toEqual([{ target: "DynamoDB_20120810.DescribeTable", bytes: 17, replayed: false }]);
    });
  });
});

describe("bodies past dynalite's limit on the local DynamoDB", () => {
  it.each([
    ["without a stream proxy in front", false],
    ["with the stream proxy in front (a subscribed stream: it reads writes first)", true],
  ])("are answered 413 by every operation, as dynalite answers PutItem (TransactWriteItems was read whole and parsed), %s", async (_, streamed) => {
    const subscribers = streamed ? [{ spec: streamSubscriptionSpec(), tableName: "items-local", invoke: async () => {} }] : [];
    const dynamo = await startLocalDynamo({ tables: [{ id: "t.items", tableName: "items-local", spec: tableSpec() }], region: "eu-west-1", subscribers });
    try {
      const statuses: Record<string, number> = {};
      for (const [operation, head] of [
        ["PutItem", '{"TableName":"items-local","Item":{"pk":{"S":"'],
        ["BatchWriteItem", '{"RequestItems":{"arn:aws:dynamodb:eu-west-1:123456789012:table/items-local":[{"PutRequest":{"Item":{"pk":{"S":"'],
        ["TransactWriteItems", '{"TransactItems":[{"Put":{"TableName":"items-local","Item":{"pk":{"S":"'],
      ]) {
        const body = Buffer.concat([Buffer.from(head), Buffer.alloc(DYNALITE_MAX_REQUEST_BYTES + 1024, 0x61), Buffer.from('"}}}}]}')]);
        const response = await fetch(dynamo.endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": `DynamoDB_20120810.${operation}`,
            "x-amz-date": "20261206T000000Z",
            authorization: "AWS4-HMAC-SHA256 Credential=l/20261206/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
          },
          body,
        });
        await response.arrayBuffer();
        statuses[operation] = response.status;
      }
      expect(statuses).toEqual({ PutItem: 413, BatchWriteItem: 413, TransactWriteItems: 413 });
    } finally {
      await dynamo.stop();
    }
  });
});
