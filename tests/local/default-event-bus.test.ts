/**
 * The default event bus under `npm start`, end to end: a program's UploadBucket with EventBridge on, a DefaultEventBus
 * rule with the bucket's objectCreated pattern (a key prefix) and a rule of a custom source, recorded and served by
 * the local runtime (startLocalApp). A PUT through @aws-sdk/client-s3 to the local S3 server reaches the Lambda target
 * as S3's "Object Created" EventBridge event; a key outside the prefix reaches nothing. PutEvents to the default bus
 * (@aws-sdk/client-eventbridge) reaches its rule, and a source of AWS's own ("aws.s3") is refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiKind, ServerlessApi } from "../../components";
import { DefaultEventBus } from "../../components/event-bus";
import { LambdaFunction } from "../../components/lambda/function";
import { UploadBucket } from "../../components/upload-bucket";
import { MOCK_ACCOUNT_ID } from "../../local/offline/mocks";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { startLocalApp, type LocalApp } from "../../local/start";

const REGION = "us-east-1";
const dir = mkdtempSync(join(tmpdir(), "sf-default-bus-"));
const recordFile = join(dir, "events.jsonl");
let app: LocalApp | undefined;
let bucket: string;

const recorded = () => readFileSync(recordFile, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);

beforeAll(async () => {
  writeFileSync(recordFile, "");
  const program = () => {
    // The local S3 server runs beside an API (the API service starts it).
    new ServerlessApi("dbl-api", { kind: ApiKind.Http, basePath: "api", stages: { dev: {} }, routes: { "GET /plain": { handler: "tests/fixtures/handlers/v2-event.ts", export: "plain", auth: "none" } } });
    const uploads = new UploadBucket("dbl-up", {});
    const events = uploads.notify({}, { eventBridge: true });
    const recorder = new LambdaFunction("dbl-rec", { entry: "tests/fixtures/handlers/record-trigger.ts", timeout: 5, environment: { RECORD_FILE: recordFile } });
    const bus = new DefaultEventBus("dbl", {});
    bus.subscribe("originals", recorder, { pattern: events.objectCreated({ prefix: "originals/" }) });
    bus.subscribe("custom", recorder, { pattern: { source: ["gallery.test"] } });
    return { bucket: uploads.bucketName };
  };
  app = await startLocalApp({ stack: "dev", port: 0, quiet: true, stateDir: join(dir, "state"), load: program });
  bucket = (app.context.run.outputs as { bucket: string }).bucket;
});
afterAll(async () => {
  await app?.stop();
});

describe("the default event bus under npm start", () => {
  it("delivers S3's Object Created event of a key under the prefix to the rule's function, and nothing for another key", async () => {
    const s3 = new S3Client({ endpoint: app!.context.environment.AWS_ENDPOINT_URL_S3, region: REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "thumbnails/skip.png", Body: "no" }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "originals/a b.png", Body: "abc" }));
    s3.destroy();
    // The function runs asynchronously: wait for its record, then stop the app, which drains every delivery.
    await vi.waitFor(() => expect(recorded()).toHaveLength(1), { timeout: 10_000, interval: 20 });
    await app!.stop();
    app = undefined;
    const events = recorded();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      version: "0",
      "detail-type": "Object Created",
      source: "aws.s3",
      account: MOCK_ACCOUNT_ID,
      region: REGION,
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: "0",
        bucket: { name: bucket },
        object: { key: "originals/a b.png", size: 3, etag: "900150983cd24fb0d6963f7d28e17f72", sequencer: expect.any(String) },
        "request-id": expect.any(String),
        requester: MOCK_ACCOUNT_ID,
        "source-ip-address": expect.any(String),
        reason: "PutObject",
      },
    });
  });
});

describe("PutEvents to the default bus", () => {
  let local: LocalApp;
  const file = join(dir, "put.jsonl");
  beforeAll(async () => {
    writeFileSync(file, "");
    local = await startLocalApp({
      stack: "dev",
      port: 0,
      quiet: true,
      stateDir: join(dir, "state-put"),
      load: () => {
        const fn = new LambdaFunction("dbp-rec", { entry: "tests/fixtures/handlers/record-trigger.ts", timeout: 5, environment: { RECORD_FILE: file } });
        new DefaultEventBus("dbp", {}).subscribe("custom", fn, { pattern: { source: ["gallery.test"] } });
        return {};
      },
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("reaches the default bus's rules (EventBusName omitted), and refuses a source of AWS's own", async () => {
    const events = new EventBridgeClient({ region: REGION, endpoint: local.urls.eventbridge, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "gallery.test", DetailType: "Tested", Detail: JSON.stringify({ n: 1 }) },
          { EventBusName: "default", Source: "aws.s3", DetailType: "Object Created", Detail: "{}" },
        ],
      }),
    );
    events.destroy();
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries![1]).toEqual({ ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." });
    await vi.waitFor(() => expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ id: put.Entries![0].EventId, source: "gallery.test", "detail-type": "Tested", detail: { n: 1 } });
  });
});
