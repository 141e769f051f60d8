/**
 * The reference app's album deletion under `npm start` (index.ts "album deletion"): DELETE of an album holding two
 * photos answers 202; its AlbumDeletionRequested event on the gallery EventBus starts the album-deletion Workflow on
 * the local Step Functions, whose Tasks (DynamoDB Query, SQS SendMessage, DynamoDB DeleteItem, SNS Publish) run
 * against the local emulators under the workflow's role. Once the execution has ended (read through the local Step
 * Functions API) the photos and the album are gone, each photo's removal reached the photo-removals queue, and its
 * consumer deleted the objects.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { albumKey, photoKey, type PhotoItem } from "../../handlers/shared/gallery-keys";
import { signUpLocalUser } from "../../local/fuzz";
import { LOCAL_CREDENTIALS } from "../../local/s3-server";
import { acceptedCredentials } from "../../local/services/credentials";
import type { LocalEvents } from "../../local/services/events";
import type { LocalQueuesService } from "../../local/services/queues";
import type { LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";

let app: LocalApp;
let doc: DynamoDBDocumentClient;
let s3: S3Client;
let sfn: SFNClient;

beforeAll(async () => {
  app = await startDevApp("sf-album-deletion-");
  Object.assign(app.context.environment, { POWERTOOLS_LOG_LEVEL: "ERROR" });
  const env = app.context.environment;
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS }));
  s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
  const { accessKeyId, secretAccessKey } = acceptedCredentials(app.context)[0];
  sfn = new SFNClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_SFN, credentials: { accessKeyId, secretAccessKey } });
}, 120_000);
afterAll(async () => {
  doc?.destroy();
  s3?.destroy();
  sfn?.destroy();
  await app?.stop();
});

const outputs = () => app.context.run.outputs as Record<string, string>;
const sqs = () => (app.services.find((service) => service.name === "sqs") as LocalQueuesService).server.sqs;
const bucketEvents = () => (app.services.find((s) => s.name === "events") as LocalEvents).bucketEvents;
const empty = (name: string) => {
  const a = sqs().attributes(name);
  return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0" && a.ApproximateNumberOfMessagesDelayed === "0";
};
/** Polls the local service until `ready` holds: how long it takes is never asserted. */
async function until<T>(read: () => Promise<T> | T, ready: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const objectExists = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: outputs().uploadBucketName, Key: key })).then(() => true, (error: Error) => (error.name === "NotFound" ? false : Promise.reject(error)));

describe("DELETE /albums/{albumId} of an album with photos", () => {
  it("answers 202, and the album-deletion workflow removes both photos through the photo-removals queue, then the album", async () => {
    const user = await signUpLocalUser(app, "album-deleter@example.com");
    const owner = (JSON.parse(Buffer.from(user.idToken.split(".")[1], "base64url").toString("utf8")) as { sub: string }).sub;
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${app.urls.site}/api${path}`, { method, headers: { authorization: user.idToken, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const album = (await api("POST", "/albums", { title: "Holiday" })).body as { albumId: string };
    // One photo uploaded (ready, with thumbnails), one still pending.
    const image = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#7a3" } }).png().toBuffer();
    const uploaded = await api("POST", `/albums/${album.albumId}/photos`, { contentType: "image/png", size: image.length });
    expect((await fetch(uploaded.body.upload.url, { method: "PUT", headers: uploaded.body.upload.headers, body: image })).status).toBe(200);
    await bucketEvents().drained();
    const pending = await api("POST", `/albums/${album.albumId}/photos`, { contentType: "image/jpeg", size: 10 });
    const items = (await Promise.all(
      [uploaded.body.photo.photoId, pending.body.photo.photoId].map((photoId: string) => doc.send(new GetCommand({ TableName: outputs().galleryTableName, Key: photoKey(owner, album.albumId, photoId), ConsistentRead: true }))),
    )).map((read) => read.Item as PhotoItem);
    expect(items.map((item) => item.status)).toEqual(["ready", "pending"]);
    const objectKeys = [items[0].objectKey, ...items[0].thumbnails!.map((t) => t.key)];
    expect(await Promise.all(objectKeys.map(objectExists))).toEqual([true, true, true]);

    const queueName = outputs().photoRemovalsQueueName;
    const sendSpy = vi.spyOn(sqs(), "send");
    let sent: Array<[string, unknown]> = [];
    try {
      const deleting = await api("DELETE", `/albums/${album.albumId}`);
      expect(deleting).toMatchObject({ status: 202, body: { albumId: album.albumId, deletion: "deleting" } });
      // Until the workflow's execution has ended: the rule starts it once the event is delivered.
      const [execution] = await until(
        async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn: outputs().albumDeletionStateMachineArn }))).executions ?? [],
        (executions) => executions.length > 0,
      );
      const ended = await until(() => sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn })), (described) => described.status !== "RUNNING");
      expect(ended.status).toBe("SUCCEEDED");
    } finally {
      sent = sendSpy.mock.calls.filter(([queue]) => queue === queueName).map(([queue, input]) => [queue, JSON.parse(input.body)]);
      sendSpy.mockRestore();
    }

    expect((await api("GET", `/albums/${album.albumId}`)).status).toBe(404);
    const left = await doc.send(new GetCommand({ TableName: outputs().galleryTableName, Key: albumKey(owner, album.albumId), ConsistentRead: true }));
    expect(left.Item).toBeUndefined();
    for (const item of items) {
      expect((await doc.send(new GetCommand({ TableName: outputs().galleryTableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }))).Item).toBeUndefined();
    }
    // What DELETE of a photo sends, from the home region: the consumer accepts it (handlers/shared/photo-removals.ts).
    expect(sent.sort((a, b) => String((a[1] as { photoId: string }).photoId).localeCompare(String((b[1] as { photoId: string }).photoId)))).toEqual(
      items
        .map((item) => [queueName, { sub: owner, albumId: album.albumId, photoId: item.photoId, objectKeys: [item.objectKey], region: app.context.environment.AWS_REGION }])
        .sort((a, b) => String((a[1] as { photoId: string }).photoId).localeCompare(String((b[1] as { photoId: string }).photoId))),
    );
    await until(() => empty(queueName), Boolean);
    expect(await Promise.all(objectKeys.map(objectExists))).toEqual([false, false, false]);
    expect(empty(outputs().photoRemovalsDeadLetterQueueName)).toBe(true);
  }, 180_000);
});
