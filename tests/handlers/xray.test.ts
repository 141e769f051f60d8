/**
 * The handlers' X-Ray subsegments (handlers/shared/xray.ts), which replaced the Powertools
 * Tracer's `captureAWSv3Client` and its X-Ray SDK: each SDK call (and each signed S3 request)
 * is sent to the daemon's UDP address as a subsegment of Lambda's function segment, and the
 * call carries the trace header with the subsegment as its parent.
 */
import { createSocket, type Socket } from "node:dgram";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { daemonAddress, parseTraceHeader, traceClient } from "../../handlers/shared/xray";
import { startLocalS3, type LocalS3 } from "../../local/s3-server";
import { startGalleryTable } from "./gallery-table";

const ROOT = "1-5759e988-bd862e3fe1be46a994272793";
const PARENT = "53995c3f42cd8ad8";

let daemon: Socket;
const received: string[] = [];
let table: Awaited<ReturnType<typeof startGalleryTable>>;
let s3: LocalS3;

beforeAll(async () => {
  daemon = createSocket("udp4");
  daemon.on("message", (message) => received.push(message.toString()));
  await new Promise<void>((resolve) => daemon.bind(0, "127.0.0.1", resolve));
  table = await startGalleryTable();
  s3 = await startLocalS3({ buckets: ["uploads"] });
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
  });
});
afterEach(() => {
  received.length = 0;
  delete process.env._X_AMZN_TRACE_ID;
  delete process.env.POWERTOOLS_TRACE_ENABLED;
});
afterAll(async () => {
  daemon?.close();
  await table?.stop();
  await s3?.close();
  delete process.env.AWS_XRAY_DAEMON_ADDRESS;
});

async function datagrams(count: number): Promise<Array<Record<string, any>>> {
  for (let i = 0; i < 200 && received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return received.map((message) => {
    const [header, body] = message.split("\n");
    expect(JSON.parse(header)).toEqual({ format: "json", version: 1 });
    return JSON.parse(body);
  });
}

/** A DynamoDB client that remembers the trace header each request went out with. */
function tracedDynamoDB(headers: Array<string | undefined>): DynamoDBClient {
  const client = traceClient(new DynamoDBClient({ endpoint: table.endpoint }));
  client.middlewareStack.add(
    (next) => async (args) => {
      headers.push((args.request as { headers: Record<string, string> }).headers["X-Amzn-Trace-Id"]);
      return next(args);
    },
    { step: "finalizeRequest" },
  );
  return client;
}

describe("X-Ray subsegments without the X-Ray SDK", () => {
  it("parses the trace header and the daemon address Lambda sets", () => {
    expect(parseTraceHeader(`Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=a:1`)).toEqual({ root: ROOT, parent: PARENT, sampled: true, rest: ["Lineage=a:1"] });
    expect(parseTraceHeader(undefined)).toBeUndefined();
    expect(daemonAddress("169.254.79.129:2000")).toEqual({ host: "169.254.79.129", port: 2000 });
    expect(daemonAddress("tcp:127.0.0.1:2000 udp:127.0.0.2:2001")).toEqual({ host: "127.0.0.2", port: 2001 });
  });

  it("sends a subsegment of the function's segment for each SDK call, and links the call to it", async () => {
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=a:1`;
    const headers: Array<string | undefined> = [];
    await tracedDynamoDB(headers).send(new ListTablesCommand({}));
    const [subsegment] = await datagrams(1);
    expect(subsegment).toMatchObject({ type: "subsegment", trace_id: ROOT, parent_id: PARENT, name: "DynamoDB", namespace: "aws", aws: { operation: "ListTables", region: "us-east-1" }, http: { response: { status: 200 } } });
    expect(subsegment.id).toMatch(/^[0-9a-f]{16}$/);
    expect(subsegment.end_time).toBeGreaterThanOrEqual(subsegment.start_time);
    expect(headers).toEqual([`Root=${ROOT};Parent=${subsegment.id};Sampled=1;Lineage=a:1`]);
  });

  it("records S3 calls with bucket and key, errors flagged by status", async () => {
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${PARENT};Sampled=1`;
    const objects = await import("../../handlers/shared/photo-objects.js");
    expect(await objects.objectSize("uploads", "missing.png")).toBeUndefined();
    s3.fail((request) => request.operation === "DeleteObject");
    await expect(objects.deleteObject("uploads", "a.png")).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    s3.fail(undefined);
    const [head, remove] = await datagrams(2);
    expect(head).toMatchObject({ name: "S3", parent_id: PARENT, aws: { operation: "HeadObject", bucket_name: "uploads", key: "missing.png" }, http: { response: { status: 404 } }, error: true });
    expect(remove).toMatchObject({ name: "S3", aws: { operation: "DeleteObject" }, http: { response: { status: 403 } }, error: true, cause: { exceptions: [{ type: "AccessDenied" }] } });
  });

  it("sends nothing for an unsampled request, without a trace, or with POWERTOOLS_TRACE_ENABLED=false (the header still propagates)", async () => {
    const headers: Array<string | undefined> = [];
    const client = tracedDynamoDB(headers);
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${PARENT};Sampled=0`;
    await client.send(new ListTablesCommand({}));
    delete process.env._X_AMZN_TRACE_ID;
    await client.send(new ListTablesCommand({}));
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${PARENT};Sampled=1`;
    process.env.POWERTOOLS_TRACE_ENABLED = "false";
    await client.send(new ListTablesCommand({}));
    // A sampled call afterwards arrives alone: nothing else was queued before it.
    delete process.env.POWERTOOLS_TRACE_ENABLED;
    await client.send(new ListTablesCommand({}));
    const sent = await datagrams(1);
    expect(sent).toHaveLength(1);
    expect(headers[0]).toMatch(new RegExp(`^Root=${ROOT};Parent=[0-9a-f]{16};Sampled=0$`));
    expect(headers.slice(1, 3)).toEqual([undefined, undefined]);
  });
});
