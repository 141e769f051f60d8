/**
 * The reference app's album deletion under `npm start` (index.ts "album deletion"): DELETE of an album holding two
 * photos answers 202; its AlbumDeletionRequested event on the gallery EventBus starts the album-deletion Workflow on
 * the local Step Functions, whose Tasks (DynamoDB Query, SQS SendMessage, DynamoDB DeleteItem, SNS Publish) run
 * against the local emulators under the workflow's role. Once the execution has ended (read through the local Step
 * Functions API) the photos and the album are gone, each photo's removal reached the photo-removals queue, and its
 * consumer deleted the objects.
 */
import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand, type DescribeExecutionOutput, type HistoryEvent } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { ALBUM_DELETION_REQUESTED, ALBUM_EVENTS_SOURCE, albumKey, albumPhotosPrefix, photoKey, userPk, type AlbumItem, type PhotoItem } from "../../handlers/shared/gallery-keys";
import { signedInApi } from "./signed-in-api";
import { LOCAL_CREDENTIALS } from "../../local/s3-server";
import { acceptedCredentials } from "../../local/services/credentials";
import type { LocalEvents } from "../../local/services/events";
import type { LocalQueuesService } from "../../local/services/queues";
import type { LocalApp } from "../../local/start";
import { startDevApp } from "../setup/dev-app";
import { QueueClock, untilDrained } from "./queue-clock";
import { StepFunctionsClock } from "./sfn-clock";
import { registeredSpecs } from "../../components/spec-registry";
import type { WorkflowSpec } from "../../components/workflow/spec";
import { localStateMachineDefinitions, type LocalWorkflowsService } from "../../local/services/workflows";
import { localServiceIntegrations } from "../../local/sfn-integrations";
import { startLocalSfn } from "../../local/sfn-server";

let app: LocalApp;
const queueClock = new QueueClock();
const stepFunctionsClock = new StepFunctionsClock();
let doc: DynamoDBDocumentClient;
let s3: S3Client;
let sfn: SFNClient;
let events: EventBridgeClient;

beforeAll(async () => {
  app = await startDevApp("sf-album-deletion-", { queueClock: queueClock.now, stepFunctionsClock });
  Object.assign(app.context.environment, { POWERTOOLS_LOG_LEVEL: "ERROR" });
  const env = app.context.environment;
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS }));
  s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
  const { accessKeyId, secretAccessKey } = acceptedCredentials(app.context)[0];
  sfn = new SFNClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_SFN, credentials: { accessKeyId, secretAccessKey } });
  events = new EventBridgeClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_EVENTBRIDGE, credentials: { accessKeyId, secretAccessKey } });
}, 120_000);
afterAll(async () => {
  doc?.destroy();
  s3?.destroy();
  sfn?.destroy();
  events?.destroy();
  await app?.stop();
});

const outputs = () => app.context.run.outputs as Record<string, string>;
const sqs = () => (app.services.find((service) => service.name === "sqs") as LocalQueuesService).server.sqs;
const bucketEvents = () => (app.services.find((s) => s.name === "events") as LocalEvents).bucketEvents;
/** The workflows service: `drained()` waits for the executions under way, and those they start, to end (issue 15: not polled). */
const workflows = () => app.services.find((s) => s.name === "sfn") as LocalWorkflowsService;
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
    const { owner, api } = await signedInApi(app, "album-deleter@example.com");
    const publish = vi.spyOn(app.context.sns!, "publish");
    onTestFinished(() => publish.mockRestore());
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
      await workflows().drained();
      const ended = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
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
    await untilDrained(app, queueClock, queueName);
    expect(await Promise.all(objectKeys.map(objectExists))).toEqual([false, false, false]);
    expect(empty(outputs().photoRemovalsDeadLetterQueueName)).toBe(true);
    // Told once, by the execution that deleted the album.
    const notices = publish.mock.calls.filter(([topic]) => topic === outputs().albumNoticesTopicArn).map(([, input]) => [input.subject, JSON.parse(input.message)]);
    expect(notices).toEqual([["Album deleted", { event: "AlbumDeleted", sub: owner, albumId: album.albumId }]]);
  }, 180_000);
});

/**
 * A user and their API, and an album of `photos` pending photos (POST only: items, no objects). `user`: an email to sign
 * up, or a user signed up before, for a test of many albums: each album is its own deletion (its executions, its items,
 * its notices are told apart by albumId), and a sign-up (three Cognito calls and the post-confirmation function) per
 * album cost those tests 24 of them (issue 15).
 */
async function albumWithPhotos(user: string | Awaited<ReturnType<typeof signedInApi>>, photos: number) {
  const { owner, api } = typeof user === "string" ? await signedInApi(app, user) : user;
  const { albumId } = (await api("POST", "/albums", { title: "Many" })).body as { albumId: string };
  for (let i = 0; i < photos; i++) expect((await api("POST", `/albums/${albumId}/photos`, { contentType: "image/jpeg", size: 10 })).status).toBe(201);
  return { owner, albumId, api };
}
const albumItem = async (owner: string, albumId: string) =>
  (await doc.send(new GetCommand({ TableName: outputs().galleryTableName, Key: albumKey(owner, albumId), ConsistentRead: true }))).Item as AlbumItem | undefined;
/** The album marked as DELETE marks it (`deletion` on top of the mark: a claim, say). */
const markDeleting = (owner: string, albumId: string, deletion: Record<string, string> = {}) =>
  doc.send(new UpdateCommand({ TableName: outputs().galleryTableName, Key: albumKey(owner, albumId), UpdateExpression: "SET deletion = :deletion", ExpressionAttributeValues: { ":deletion": { state: "deleting", requestedAt: new Date().toISOString(), ...deletion } } }));
const photosLeft = async (owner: string, albumId: string) =>
  (await doc.send(new QueryCommand({ TableName: outputs().galleryTableName, KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)", ExpressionAttributeValues: { ":pk": userPk(owner), ":prefix": albumPhotosPrefix(albumId) }, ConsistentRead: true }))).Items ?? [];
const historyOf = async (executionArn: string) => (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];

/**
 * What a poll knows of each execution: its description once it has ended (which never changes), and while it runs the
 * description first read (for its input, which never changes either). Every poll described every execution of the state
 * machine, the earlier tests' too (issue 15: the file's polls sent hundreds of DescribeExecution calls, each signed,
 * verified and answered over HTTP, most for executions long ended); then every running execution at every poll, each
 * answer carrying the execution's input (up to 256 KB in the tests below): 282 DescribeExecution calls in the file.
 * Now ListExecutions' status (API_ExecutionListItem) tells when to describe a running execution again: once, when it has
 * ended.
 */
const descriptions = new Map<string, DescribeExecutionOutput>();
async function describedExecution(listed: { executionArn?: string; status?: string }): Promise<DescribeExecutionOutput> {
  const known = descriptions.get(listed.executionArn!);
  if (known && (known.status !== "RUNNING" || listed.status === "RUNNING")) return known;
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn: listed.executionArn }));
  descriptions.set(listed.executionArn!, described);
  return described;
}

/** The workflow's executions whose input names `albumId`, described (ListExecutions does not give the input). */
async function executionsFor(albumId: string): Promise<DescribeExecutionOutput[]> {
  const listed = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: outputs().albumDeletionStateMachineArn }))).executions ?? [];
  const described = await Promise.all(listed.map((execution) => describedExecution(execution)));
  return described.filter((execution) => JSON.parse(execution.input ?? "{}").albumId === albumId);
}

/** The execution started for an album, once its history shows ClaimAgain's first attempt refused (Claim's, then ClaimAgain's), or it ended. */
async function refusedByClaimAgain(albumId: string): Promise<{ executionArn: string; history: HistoryEvent[] }> {
  const [running] = await until(() => executionsFor(albumId), (found) => found.length > 0);
  const refused = (events: HistoryEvent[]) => events.filter((event) => event.taskFailedEventDetails?.error === "DynamoDB.ConditionalCheckFailedException").length;
  const entered = (events: HistoryEvent[]) => events.some((event) => event.stateEnteredEventDetails?.name === "ClaimAgain");
  // Or ended before that: the caller's assertions then say how, rather than the test timing out.
  const ended = (events: HistoryEvent[]) => events.some((event) => ["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"].includes(event.type!));
  const history = await until(() => historyOf(running.executionArn!), (events) => (entered(events) && refused(events) >= 2) || ended(events));
  return { executionArn: running.executionArn!, history };
}

/**
 * The workflow's executions whose input names `albumId`, once `count` have started (an event's delivery starts each) and
 * every execution under way, and those they start, has ended: the workflows service's drained(), not polls (issue 15).
 * Every execution of the app is waited for: a test leaves none running that it does not wait for here.
 */
async function endedExecutions(albumId: string, count: number): Promise<Array<Omit<DescribeExecutionOutput, "input"> & { input: Record<string, unknown> }>> {
  // A hand-off's event may still be on its way to start the next (drained() does not wait for events): read again then.
  return until(
    async () => {
      await workflows().drained();
      return (await executionsFor(albumId)).map((execution) => ({ ...execution, input: JSON.parse(execution.input!) as Record<string, unknown> }));
    },
    (executions) => executions.length >= count && executions.every((execution) => execution.status !== "RUNNING"),
  );
}

/** What InvalidSettings' causes say each figure must be. */
const settingsRules =
  "each must be a whole number, pageSize from 1 to 20, pagesPerExecution from 1 to 30, maxHandoffs from 1 to 102, handoffs from 0 to maxHandoffs (the history budget of an execution and the guard against a runaway chain), and continues and requestedAt strings. Delete the album again: DELETE sends none of them, so the defaults apply";
/** InvalidSettings' cause when a figure is a string, an object, an array or a number past ±1e15, whose value it does not quote. */
const unquotedCause = `pageSize, pagesPerExecution, maxHandoffs and handoffs: one is a string, an object, an array or a number past ±1e+15, not quoted here (it may be as long as the event: the execution's input shows it); ${settingsRules}`;

describe("an album deleted across executions", () => {
  it("hands the album on after pagesPerExecution pages: each execution claims it from the one before, and the last deletes it", async () => {
    const { owner, albumId } = await albumWithPhotos("album-handoff@example.com", 5);
    // Marked as DELETE marks it; the event with small pages (the definition's own input fields, defaulted when absent).
    await markDeleting(owner, albumId);
    const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify({ sub: owner, albumId, pageSize: 2, pagesPerExecution: 1 }) }] }));
    expect(put.FailedEntryCount).toBe(0);
    // Pages of 2, one page each: 2 + 2 + 1 photos in three executions, a fourth finds none and deletes the album.
    await until(() => albumItem(owner, albumId), (item) => item === undefined);
    const executions = await endedExecutions(albumId, 4);
    expect(executions.map((execution) => execution.status)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    // Each continues the one before it (its execution ARN, as $$.Execution.Id names it), with the same settings.
    const byArn = new Map(executions.map((execution) => [execution.executionArn, execution]));
    const first = executions.find((execution) => execution.input.continues === undefined)!;
    expect(first.input).toEqual({ sub: owner, albumId, pageSize: 2, pagesPerExecution: 1 });
    const chain = [first];
    for (let next; (next = executions.find((execution) => execution.input.continues === chain.at(-1)!.executionArn)); ) chain.push(next);
    expect(chain).toHaveLength(4);
    // Each counts the hand-offs before it (a chain past maxHandoffs fails: the test below), the largest album's default.
    expect(chain.slice(1).map((execution) => execution.input)).toEqual(
      [1, 2, 3].map((handoffs) => ({ sub: owner, albumId, continues: expect.any(String), handoffs, maxHandoffs: 102, pageSize: 2, pagesPerExecution: 1 })),
    );
    expect(byArn.size).toBe(4);
    expect(await photosLeft(owner, albumId)).toEqual([]);
  }, 120_000);

  it("fails a chain of hand-offs longer than maxHandoffs: the album marked failed with what is left, AlbumDeletionFailed on the topic", async () => {
    const { owner, albumId } = await albumWithPhotos("album-stuck@example.com", 3);
    await markDeleting(owner, albumId);
    const publish = vi.spyOn(app.context.sns!, "publish");
    onTestFinished(() => publish.mockRestore());
    // One photo a page, one page an execution, one hand-off allowed: the second execution may not hand on the third photo.
    const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify({ sub: owner, albumId, pageSize: 1, pagesPerExecution: 1, maxHandoffs: 1 }) }] }));
    expect(put.FailedEntryCount).toBe(0);
    const executions = await endedExecutions(albumId, 2);
    expect(executions.map((execution) => [execution.status, execution.input.handoffs]).sort()).toEqual([["FAILED", 1], ["SUCCEEDED", undefined]]);
    // The execution's own error is the deletion's, as the notice tells it.
    expect(executions.find((execution) => execution.status === "FAILED")).toMatchObject({ error: "AlbumDeletion.TooManyHandoffs", cause: "The album was handed on 1 times and still has photos: a photo that keeps changing? Delete the album again to go on" });
    expect((await albumItem(owner, albumId))?.deletion).toEqual({ state: "failed", requestedAt: expect.any(String), error: "AlbumDeletion.TooManyHandoffs" });
    expect(await photosLeft(owner, albumId)).toHaveLength(1);
    const notices = publish.mock.calls.filter(([topic]) => topic === outputs().albumNoticesTopicArn).map(([, input]) => [input.subject, JSON.parse(input.message)]);
    expect(notices).toEqual([
      [
        "Album deletion failed",
        { event: "AlbumDeletionFailed", sub: owner, albumId, error: "AlbumDeletion.TooManyHandoffs", cause: "The album was handed on 1 times and still has photos: a photo that keeps changing? Delete the album again to go on" },
      ],
    ]);
  }, 120_000);

  it("fails a deletion whose event asks for figures outside their bounds: the album marked failed, the figures and the limits told", async () => {
    const publish = vi.spyOn(app.context.sns!, "publish");
    onTestFinished(() => publish.mockRestore());
    // Past Query's Limit and the history budget, below Query's least Limit, not a number (null, quoted as JSON; and a number's text, a string, which is not quoted), past the runaway
    // guard's default, below 0 hand-offs, past the event's own maxHandoffs; a `continues` and a `requestedAt` that are not strings;
    // a fractional pageSize and handoffs within the bounds (WholeFigures: States.MathAdd of each and 0 rounds it, so Whole tells it apart; each figure is checked, not pageSize alone).
    const settings = [{ pageSize: 10_000 }, { pagesPerExecution: 500 }, { pageSize: 0 }, { pagesPerExecution: null }, { pagesPerExecution: "30" }, { maxHandoffs: 103 }, { handoffs: -1 }, { maxHandoffs: 2, handoffs: 3 }, { continues: 5 }, { requestedAt: 5 }, { pageSize: 2.5 }, { handoffs: 0.5 }, { pageSize: 1e15 }, { handoffs: -1e15 }];
    const figures: Array<string | undefined> = [
      "10000, pagesPerExecution 30, maxHandoffs 102, handoffs 0",
      "20, pagesPerExecution 500, maxHandoffs 102, handoffs 0",
      "0, pagesPerExecution 30, maxHandoffs 102, handoffs 0",
      "20, pagesPerExecution null, maxHandoffs 102, handoffs 0",
      undefined, // a string: not quoted (the next test)
      "20, pagesPerExecution 30, maxHandoffs 103, handoffs 0",
      "20, pagesPerExecution 30, maxHandoffs 102, handoffs -1",
      "20, pagesPerExecution 30, maxHandoffs 2, handoffs 3",
      "20, pagesPerExecution 30, maxHandoffs 102, handoffs 0",
      "20, pagesPerExecution 30, maxHandoffs 102, handoffs 0",
      "2.5, pagesPerExecution 30, maxHandoffs 102, handoffs 0",
      "20, pagesPerExecution 30, maxHandoffs 102, handoffs 0.5",
      // At InvalidSettings' bound (±1e15): quoted, 16 digits.
      "1000000000000000, pagesPerExecution 30, maxHandoffs 102, handoffs 0",
      "20, pagesPerExecution 30, maxHandoffs 102, handoffs -1000000000000000",
    ];
    const user = await signedInApi(app, "album-bounds@example.com");
    const albums = await Promise.all(settings.map(async (asked) => {
      const { owner, albumId } = await albumWithPhotos(user, 1);
      await markDeleting(owner, albumId);
      const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify({ sub: owner, albumId, ...asked }) }] }));
      expect(put.FailedEntryCount).toBe(0);
      return { owner, albumId };
    }));
    for (const [i, { owner, albumId }] of albums.entries()) {
      const asked = JSON.stringify(settings[i]);
      expect((await endedExecutions(albumId, 1)).map((execution) => [execution.status, execution.error]), asked).toEqual([["FAILED", "AlbumDeletion.InvalidSettings"]]);
      // Claimed, then failed before any page: the photo stays, and DELETE starts the deletion again with the defaults.
      // Refused before any claim (`continues`, `requestedAt`): the album is not this execution's to mark, and stays as DELETE marked it.
      const deletion = "continues" in settings[i] || "requestedAt" in settings[i] ? { state: "deleting", requestedAt: expect.any(String) } : { state: "failed", requestedAt: expect.any(String), error: "AlbumDeletion.InvalidSettings" };
      expect((await albumItem(owner, albumId))?.deletion, asked).toEqual(deletion);
      expect(await photosLeft(owner, albumId), asked).toHaveLength(1);
      const notices = publish.mock.calls.filter(([topic, input]) => topic === outputs().albumNoticesTopicArn && JSON.parse(input.message).albumId === albumId).map(([, input]) => JSON.parse(input.message));
      expect(notices, asked).toEqual([
        {
          event: "AlbumDeletionFailed",
          sub: owner,
          albumId,
          error: "AlbumDeletion.InvalidSettings",
          cause: figures[i] === undefined ? unquotedCause : `pageSize ${figures[i]}: ${settingsRules}`,
        },
      ]);
    }
  }, 120_000);

  it("fails a deletion whose figure is a string of half an event, or a number past ±1e15: the album marked failed and the notice sent, the figure not quoted", async () => {
    const publish = vi.spyOn(app.context.sns!, "publish");
    onTestFinished(() => publish.mockRestore());
    // About half of what an event may carry (256 KB, PutEvents): quoted in the cause beside the input that holds it, the
    // state's data would pass Step Functions' 256 KiB and the execution fail with States.DataLimitExceeded, unmarked and untold.
    // A string of quotes doubles as JSON text; an object is no number either; and one beside a `continues` that is not a
    // string, which ClaimKind sends to InvalidSettings before any claim. Numbers past InvalidSettings' bound (±1e15), as
    // doubles: a number of 130,000 digits, whose text AWS may keep whole, cannot be shown here, where it parses to
    // Infinity and is written back as null (docs/local-vs-aws.md).
    const details = [
      { pageSize: "2".repeat(130_000) },
      { handoffs: '"'.repeat(100_000) },
      { maxHandoffs: { many: "x".repeat(130_000) } },
      { continues: 5, pagesPerExecution: "3".repeat(130_000) },
      { pageSize: 1e15 + 1 },
      { handoffs: -1e300 },
    ];
    const user = await signedInApi(app, "album-long-figure@example.com");
    const albums = await Promise.all(details.map(async (asked) => {
      const { owner, albumId } = await albumWithPhotos(user, 1);
      await markDeleting(owner, albumId);
      const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify({ sub: owner, albumId, ...asked }) }] }));
      expect(put.FailedEntryCount).toBe(0);
      return { owner, albumId };
    }));
    for (const [i, { owner, albumId }] of albums.entries()) {
      const asked = details[i];
      const named = `${i}: ${Object.keys(asked).join()}`;
      expect((await endedExecutions(albumId, 1)).map((execution) => [execution.status, execution.error, execution.cause]), named).toEqual([["FAILED", "AlbumDeletion.InvalidSettings", unquotedCause]]);
      // Claimed, then failed in Bounds: marked. Refused before any claim (`continues`): left as DELETE marked it.
      const deletion = "continues" in asked ? { state: "deleting", requestedAt: expect.any(String) } : { state: "failed", requestedAt: expect.any(String), error: "AlbumDeletion.InvalidSettings" };
      expect((await albumItem(owner, albumId))?.deletion, named).toEqual(deletion);
      expect(await photosLeft(owner, albumId), named).toHaveLength(1);
      const notices = publish.mock.calls.filter(([topic, input]) => topic === outputs().albumNoticesTopicArn && JSON.parse(input.message).albumId === albumId).map(([, input]) => JSON.parse(input.message));
      expect(notices, named).toEqual([{ event: "AlbumDeletionFailed", sub: owner, albumId, error: "AlbumDeletion.InvalidSettings", cause: unquotedCause }]);
    }
  }, 120_000);

  it("still fails with States.DataLimitExceeded an event within about 1.4 KB of 256 KiB: what Defaults, UnquotableFigures and FailedNotice add passes the quota", async () => {
    const publish = vi.spyOn(app.context.sns!, "publish");
    onTestFinished(() => publish.mockRestore());
    // The execution's input is the event's detail: up to 262,108 bytes (256 KB less the entry's Source and DetailType).
    // Defaults' `{"input": …, "defaults": …}` adds 151 bytes: a detail over 261,993 fails there, before any claim.
    // Settings adds the defaults' other figures (114) and UnquotableFigures its literal cause ($.error, 590): a detail
    // over 261,440 is claimed and fails there, unmarked. FailedNotice copies the cause into $.notice: a detail some
    // 0.7 KB shorter is marked failed and fails there, untold. Below that the deletion fails as it should, marked and told.
    const sizes = [
      { bytes: 260_000, lastState: "Failed", error: "AlbumDeletion.InvalidSettings", deletion: { state: "failed", error: "AlbumDeletion.InvalidSettings" }, notices: 1 },
      { bytes: 261_400, lastState: "FailedNotice", error: "States.DataLimitExceeded", deletion: { state: "failed", error: "AlbumDeletion.InvalidSettings" }, notices: 0 },
      { bytes: 261_900, lastState: "UnquotableFigures", error: "States.DataLimitExceeded", deletion: { state: "deleting", execution: expect.stringContaining(":execution:") }, notices: 0 },
      { bytes: 262_100, lastState: "Defaults", error: "States.DataLimitExceeded", deletion: { state: "deleting" }, notices: 0 },
    ];
    const user = await signedInApi(app, "album-near-limit@example.com");
    const albums = await Promise.all(sizes.map(async ({ bytes }) => {
      const { owner, albumId } = await albumWithPhotos(user, 1);
      await markDeleting(owner, albumId);
      const shell = JSON.stringify({ sub: owner, albumId, pageSize: "" });
      const Detail = JSON.stringify({ sub: owner, albumId, pageSize: "2".repeat(bytes - shell.length) });
      expect(Buffer.byteLength(Detail)).toBe(bytes);
      const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail }] }));
      expect(put.FailedEntryCount).toBe(0);
      return { owner, albumId };
    }));
    for (const [i, { owner, albumId }] of albums.entries()) {
      const { bytes, lastState, error, deletion, notices } = sizes[i];
      const named = `${bytes} bytes`;
      const [execution] = await endedExecutions(albumId, 1);
      expect([execution.status, execution.error], named).toEqual(["FAILED", error]);
      const entered = (await historyOf(execution.executionArn!)).flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
      expect(entered.at(-1), named).toBe(lastState);
      // Past UnquotableFigures the album is this execution's, still deleting, never marked failed; past Defaults it stays as DELETE marked it.
      expect((await albumItem(owner, albumId))?.deletion, named).toEqual({ requestedAt: expect.any(String), ...deletion });
      expect(await photosLeft(owner, albumId), named).toHaveLength(1);
      expect(publish.mock.calls.filter(([topic, input]) => topic === outputs().albumNoticesTopicArn && JSON.parse(input.message).albumId === albumId), named).toHaveLength(notices);
    }
  }, 120_000);

  it("ends a duplicate of a hand-off's event at its first failed claim, without waiting out Claim's retries", async () => {
    const { owner, albumId } = await albumWithPhotos("album-duplicate-handoff@example.com", 1);
    // What an execution that handed on leaves: the album deleting, claimed by it; its event then delivered twice.
    const previous = `${outputs().albumDeletionStateMachineArn.replace(":stateMachine:", ":execution:")}:handed-on`;
    await markDeleting(owner, albumId, { execution: previous });
    const entry = { EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify({ sub: owner, albumId, continues: previous, handoffs: 1 }) };
    expect((await events.send(new PutEventsCommand({ Entries: [entry, entry] }))).FailedEntryCount).toBe(0);
    const executions = await endedExecutions(albumId, 2);
    expect(executions.map((execution) => execution.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect(await albumItem(owner, albumId)).toBeUndefined();
    const histories = await Promise.all(executions.map(async (execution) => (await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }))).events ?? []));
    const entered = (history: HistoryEvent[]) => history.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
    // One took the album over and deleted it; the other's one claim failed and it ended there: one attempt, no retry.
    const [winner, duplicate] = histories.sort((a, b) => Number(entered(a).includes("NotMine")) - Number(entered(b).includes("NotMine")));
    expect(entered(winner)).toContain("DeleteAlbum");
    expect(entered(duplicate)).toEqual(["Defaults", "Settings", "ClaimKind", "TakeOver", "NotMine"]);
    expect(duplicate.filter((event) => event.type === "TaskScheduled")).toHaveLength(1);
    expect(duplicate.filter((event) => event.type === "TaskFailed").map((event) => event.taskFailedEventDetails?.error)).toEqual(["DynamoDB.ConditionalCheckFailedException"]);
  }, 120_000);

  it("ends a duplicate of DELETE's event at once when another execution claimed its mark; waits out replication for a mark that is not its own", async () => {
    const entered = (history: HistoryEvent[]) => history.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
    const owner = `${outputs().albumDeletionStateMachineArn.replace(":stateMachine:", ":execution:")}:the-owner`;
    const put = (sub: string, albumId: string, requestedAt: string) =>
      events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify({ sub, albumId, requestedAt }) }] }));
    const duplicate = await albumWithPhotos("album-duplicate-delete@example.com", 1);
    const later = await albumWithPhotos("album-later-delete@example.com", 1);
    // The duplicate: DELETE's mark, claimed by the execution its first delivery started, delivered again.
    const requestedAt = new Date().toISOString();
    await markDeleting(duplicate.owner, duplicate.albumId, { requestedAt, execution: owner });
    // Not a duplicate: an older mark claimed by another execution, where a DELETE's own mark (from another region,
    // say) has not arrived yet.
    await markDeleting(later.owner, later.albumId, { requestedAt: "2026-01-01T00:00:00.000Z", execution: owner });
    expect((await put(duplicate.owner, duplicate.albumId, requestedAt)).FailedEntryCount).toBe(0);
    expect((await put(later.owner, later.albumId, requestedAt)).FailedEntryCount).toBe(0);

    // The other is claimed again, with Claim's retries: once its own mark arrives, it claims the album and deletes it.
    // Its own mark arrives only after ClaimAgain's first attempt was refused: the claim that succeeds is a retry.
    const { executionArn } = await refusedByClaimAgain(later.albumId);
    await markDeleting(later.owner, later.albumId, { requestedAt });
    // ClaimAgain's first Retry interval (IntervalSeconds 4, index.ts), fired once the mark is in, not waited out.
    const scheduled = async () => (await historyOf(executionArn)).filter((event) => event.type === "TaskScheduled" && event.taskScheduledEventDetails?.resource === "updateItem").length;
    const before = await scheduled();
    await stepFunctionsClock.fireOnceSet(4000, async () => (await scheduled()) > before);
    const [claimed] = await endedExecutions(later.albumId, 1);
    expect(claimed.status).toBe("SUCCEEDED");
    // (Read once the other has ended: endedExecutions waits for every execution.) The duplicate ends after one refused claim and one read: no retry of the claim, the owner's mark and photo left.
    const [ended] = await endedExecutions(duplicate.albumId, 1);
    expect(ended.status).toBe("SUCCEEDED");
    const history = await historyOf(ended.executionArn!);
    expect(entered(history)).toEqual(["Defaults", "Settings", "ClaimKind", "Claim", "ClaimedBy", "SameRequest", "NotMine"]);
    expect(history.filter((event) => event.type === "TaskFailed").map((event) => event.taskFailedEventDetails?.error)).toEqual(["DynamoDB.ConditionalCheckFailedException"]);
    expect((await albumItem(duplicate.owner, duplicate.albumId))?.deletion).toEqual({ state: "deleting", requestedAt, execution: owner });
    expect(await photosLeft(duplicate.owner, duplicate.albumId)).toHaveLength(1);

    const claimedHistory = await historyOf(claimed.executionArn!);
    expect(entered(claimedHistory).slice(0, 8)).toEqual(["Defaults", "Settings", "ClaimKind", "Claim", "ClaimedBy", "SameRequest", "ClaimAgain", "Bounds"]);
    expect(entered(claimedHistory)).toContain("DeleteAlbum");
    // ClaimAgain's events: refused once, scheduled again, succeeded.
    const claimAgain = claimedHistory.slice(
      claimedHistory.findIndex((event) => event.stateEnteredEventDetails?.name === "ClaimAgain"),
      claimedHistory.findIndex((event) => event.stateExitedEventDetails?.name === "ClaimAgain"),
    );
    expect(claimAgain.filter((event) => ["TaskScheduled", "TaskFailed", "TaskSucceeded"].includes(event.type!)).map((event) => event.taskFailedEventDetails?.error ?? event.type)).toEqual([
      "TaskScheduled",
      "DynamoDB.ConditionalCheckFailedException",
      "TaskScheduled",
      "TaskSucceeded",
    ]);
    expect(await albumItem(later.owner, later.albumId)).toBeUndefined();
    expect(await photosLeft(later.owner, later.albumId)).toEqual([]);
  }, 120_000);

  it("claims again, not ends as a duplicate, when the event's own mark is unclaimed, the album is gone or the mark names no request: ClaimAgain, not NotMine at once", async () => {
    const entered = (history: HistoryEvent[]) => history.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
    const put = (sub: string, albumId: string, requestedAt: string) =>
      events.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs().galleryEventBusName, Source: ALBUM_EVENTS_SOURCE, DetailType: ALBUM_DELETION_REQUESTED, Detail: JSON.stringify({ sub, albumId, requestedAt }) }] }));
    // The event's own mark with no owner (what MarkFailed leaves): Claim refuses it (not deleting), yet the mark is the
    // event's, so only SameRequest's second rule keeps it from ending as a duplicate.
    const failed = await albumWithPhotos("album-own-mark-failed@example.com", 1);
    const requestedAt = new Date().toISOString();
    await markDeleting(failed.owner, failed.albumId, { state: "failed", requestedAt });
    // An album that does not exist (yet, in this region): ClaimedBy reads no Item.
    const gone = { owner: failed.owner, albumId: `${failed.albumId}-absent` };
    // A mark claimed by another execution but naming no request (one written by hand): only SameRequest's first rule
    // keeps its third from comparing a path that is absent, which fails the execution (States.Runtime, no Catch).
    const unnamed = await albumWithPhotos("album-mark-unnamed@example.com", 1);
    const other = `${outputs().albumDeletionStateMachineArn.replace(":stateMachine:", ":execution:")}:another`;
    await doc.send(new UpdateCommand({ TableName: outputs().galleryTableName, Key: albumKey(unnamed.owner, unnamed.albumId), UpdateExpression: "SET deletion = :deletion", ExpressionAttributeValues: { ":deletion": { state: "deleting", execution: other } } }));
    for (const { owner, albumId } of [failed, gone, unnamed]) expect((await put(owner, albumId, requestedAt)).FailedEntryCount).toBe(0);
    for (const { owner, albumId } of [failed, gone, unnamed]) {
      // Seen in ClaimAgain, refused once there: not ended as a duplicate. Its retries (4, 8, 16 s) and the NotMine they
      // end in are the definition's (tests/stacks/album-deletion.test.ts): the execution is stopped here, not waited out.
      const { executionArn, history } = await refusedByClaimAgain(albumId);
      expect(entered(history)).toEqual(["Defaults", "Settings", "ClaimKind", "Claim", "ClaimedBy", "SameRequest", "ClaimAgain"]);
      expect(history.filter((event) => event.type === "TaskFailed").map((event) => event.taskFailedEventDetails?.error)).toEqual(Array(2).fill("DynamoDB.ConditionalCheckFailedException"));
      await sfn.send(new StopExecutionCommand({ executionArn, error: "Test.Stopped", cause: "ClaimAgain seen" }));
    }
    // Each stopped; read once all three are (endedExecutions waits for every execution, the others' retries too).
    for (const { owner, albumId } of [failed, gone, unnamed]) {
      expect((await endedExecutions(albumId, 1)).map((execution) => execution.status)).toEqual(["ABORTED"]);
      expect((await albumItem(owner, albumId))?.deletion).toEqual(albumId === failed.albumId ? { state: "failed", requestedAt } : albumId === unnamed.albumId ? { state: "deleting", execution: other } : undefined);
    }
    expect(await photosLeft(failed.owner, failed.albumId)).toHaveLength(1);
  }, 120_000);

  it("claims again when ClaimedBy's read fails past its retries (its role may not GetItem): a duplicate of DELETE's event is then not told from a later one", async () => {
    // The album-deletion machine as the local runtime defines it (its deployed definition, its role's recorded
    // policies, the service Tasks against this app's emulators), on a server of its own whose role is refused
    // dynamodb:GetItem alone: nothing else makes that read fail once Claim has answered. Retries without their waits.
    const env = app.context.environment;
    const integrations = localServiceIntegrations({
      endpoints: () => ({ dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB, sns: env.AWS_ENDPOINT_URL_SNS, sqs: env.AWS_ENDPOINT_URL_SQS, eventbridge: env.AWS_ENDPOINT_URL_EVENTBRIDGE }),
      credentials: acceptedCredentials(app.context)[0],
      localAddress: (deployed) => app.context.localAddresses.get(deployed),
    });
    const specs = registeredSpecs<WorkflowSpec>("Workflow").map(({ spec }) => spec);
    const machines = await localStateMachineDefinitions(specs, env.AWS_REGION!, app.context.run.resources, { invoke: () => () => Promise.reject(new Error("no function")), arn: () => "" }, integrations.run);
    const machine = machines.find((m) => m.arn === outputs().albumDeletionStateMachineArn)!;
    const roleAllows = machine.authorise!;
    const refusals: string[] = [];
    const authorise = (action: string, resource: string) => {
      if (action !== "dynamodb:GetItem") return roleAllows(action, resource);
      refusals.push(resource);
      return { caller: `${machine.roleArn}/test`, reason: "because no identity-based policy allows the dynamodb:GetItem action" };
    };
    const server = await startLocalSfn({ stateMachines: [{ ...machine, authorise }], retryIntervalMs: 0 });
    const client = new SFNClient({ region: env.AWS_REGION, endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS });
    onTestFinished(async () => {
      client.destroy();
      await server.stop();
    });
    // A duplicate of DELETE's event: the mark it names, claimed by the execution its first delivery started.
    const { owner, albumId } = await albumWithPhotos("album-claimed-by-unread@example.com", 1);
    const requestedAt = new Date().toISOString();
    const claimer = `${machine.arn.replace(":stateMachine:", ":execution:")}:the-owner`;
    await markDeleting(owner, albumId, { requestedAt, execution: claimer });
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine.arn, input: JSON.stringify({ sub: owner, albumId, requestedAt }) }));
    await server.sfn.drained();
    const ended = await client.send(new DescribeExecutionCommand({ executionArn }));
    const history = (await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
    const entered = history.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []));
    const failed = (state: string) => {
      const from = history.findIndex((event) => event.stateEnteredEventDetails?.name === state);
      const to = history.findIndex((event) => event.stateExitedEventDetails?.name === state);
      return history.slice(from, to).flatMap((event) => (event.type === "TaskFailed" ? [event.taskFailedEventDetails!.error] : []));
    };
    // The read refused on every attempt (4 retries): caught, it tells nothing, so the claim is tried again, as for a mark
    // not the event's, rather than the execution ending as a duplicate (which the read would have shown: the test above).
    expect(ended.status).toBe("SUCCEEDED");
    expect(entered).toEqual(["Defaults", "Settings", "ClaimKind", "Claim", "ClaimedBy", "ClaimAgain", "NotMine"]);
    // (The error's name is the local runtime's model of how the optimized integration names an access denial: not pinned here.)
    expect(failed("ClaimedBy")).toHaveLength(5);
    expect(refusals).toHaveLength(5);
    const reads = history.filter((event) => event.type === "TaskFailed" && event.taskFailedEventDetails!.resource === "getItem");
    expect(reads.map((event) => event.taskFailedEventDetails!.cause)).toEqual(Array(5).fill(expect.stringContaining("is not authorized to perform: dynamodb:GetItem")));
    // ClaimAgain refused by the owner's claim on each of its 4 attempts; nothing of the read's failure kept (ResultPath null).
    expect(failed("ClaimAgain")).toEqual(Array(4).fill("DynamoDB.ConditionalCheckFailedException"));
    expect(JSON.parse(ended.output!)).toEqual({ sub: owner, albumId, requestedAt, pageSize: 20, pagesPerExecution: 30, maxHandoffs: 102, continues: "none", handoffs: 0, count: { pages: 0 } });
    // The owner's mark and photo left alone.
    expect((await albumItem(owner, albumId))?.deletion).toEqual({ state: "deleting", requestedAt, execution: claimer });
    expect(await photosLeft(owner, albumId)).toHaveLength(1);
  }, 120_000);

  it("starts a deletion over when DELETE finds it marked by an execution that no longer runs", async () => {
    const { owner, albumId, api } = await albumWithPhotos("album-restart@example.com", 2);
    // What a stopped execution, or one that failed where no Catch applies, leaves: the album deleting, claimed by it.
    // One Step Functions does not know ended long ago (one that ended in the last 10 minutes may have handed on: left).
    const machine = outputs().albumDeletionStateMachineArn;
    const ended = { executionArn: `${machine.replace(":stateMachine:", ":execution:")}:long-gone` };
    await markDeleting(owner, albumId, { execution: ended.executionArn });
    const deleting = await api("DELETE", `/albums/${albumId}`);
    expect(deleting).toMatchObject({ status: 202, body: { albumId, deletion: "deleting" } });
    await until(() => albumItem(owner, albumId), (item) => item === undefined);
    // The event names the new mark (the restart's requestedAt), not the ended execution's.
    expect((await endedExecutions(albumId, 1)).map((execution) => [execution.status, execution.input])).toEqual([["SUCCEEDED", { sub: owner, albumId, requestedAt: expect.any(String) }]]);
    expect(await photosLeft(owner, albumId)).toEqual([]);
  }, 120_000);
});

describe("who may claim an album and mark it failed", () => {
  it("Claim takes an unclaimed album, again for its owner, and from the execution a continuation names; never from another; MarkFailed only for the owner", async () => {
    const { owner, albumId } = await albumWithPhotos("album-claims@example.com", 1);
    await markDeleting(owner, albumId);
    const { definition } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: outputs().albumDeletionStateMachineArn }));
    const states = JSON.parse(definition!).States;
    // The deployed Task's own expressions, with the values its paths would take ($$.Execution.Id, $.continues, $.error.Error).
    const run = (task: { Parameters: Record<string, any> }, values: Record<string, string>) => {
      const { ConditionExpression, UpdateExpression, ExpressionAttributeNames, ExpressionAttributeValues } = task.Parameters;
      const resolved = Object.fromEntries(Object.entries(ExpressionAttributeValues as Record<string, { S?: string }>).map(([name, value]) => [name, { S: value.S ?? values[name] }]));
      expect(Object.values(resolved).every((value) => typeof value.S === "string"), JSON.stringify(resolved)).toBe(true);
      const write = { TableName: outputs().galleryTableName, Key: marshall(albumKey(owner, albumId)), ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues: resolved };
      // An updateItem Task, or DeleteAlbum's deleteItem (no UpdateExpression).
      return dynamodb
        .send(UpdateExpression ? new UpdateItemCommand({ ...write, UpdateExpression }) : new DeleteItemCommand(write))
        .then(() => "done", (error: Error) => (error.name === "ConditionalCheckFailedException" ? "refused" : Promise.reject(error)));
    };
    const env = app.context.environment;
    const dynamodb = new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS });
    onTestFinished(() => dynamodb.destroy());
    const claim = (me: string, continues = "none") => run(states.Claim, { ":me": me, ":continues": continues });
    const markFailed = (me: string) => run(states.MarkFailed, { ":me": me, ":error": "States.TaskFailed" });
    const execution = async () => (await albumItem(owner, albumId))?.deletion?.execution;

    expect(await claim("first")).toBe("done");
    expect(await claim("first")).toBe("done"); // its own retry after a write that succeeded
    expect(await claim("duplicate")).toBe("refused");
    expect(await execution()).toBe("first");
    expect(await claim("second", "first")).toBe("done"); // the hand-off's execution takes it over
    expect(await claim("duplicate of second", "first")).toBe("refused");
    expect(await execution()).toBe("second");
    // Before each page: only the owner goes on; one that lost the album (a DELETE started it over) ends in NotMine.
    const stillMine = (me: string) => run(states.StillMine, { ":me": me });
    expect(await stillMine("first")).toBe("refused");
    expect(await stillMine("second")).toBe("done");
    expect(await execution()).toBe("second");
    // Only the owner deletes the album (and tells it): one that lost it ends in NotMine, the album left to the owner.
    expect(await run(states.DeleteAlbum, { ":me": "first" })).toBe("refused");
    expect(await execution()).toBe("second");
    expect(await markFailed("first")).toBe("refused"); // no longer its album: the owner's mark stays
    expect((await albumItem(owner, albumId))?.deletion).toMatchObject({ state: "deleting", execution: "second" });
    expect(await markFailed("second")).toBe("done");
    expect((await albumItem(owner, albumId))?.deletion).toEqual({ state: "failed", requestedAt: expect.any(String), error: "States.TaskFailed" });
    // A failed deletion is not claimed: DELETE marks it deleting again first.
    expect(await claim("late", "second")).toBe("refused");
  });
});
