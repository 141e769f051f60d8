/**
 * The gallery API's handlers with real REST proxy events against an embedded dynalite
 * (a local S3 server, and a local SQS server for the photo-removals queue): each route's success and failure codes,
 * and that one user never sees or changes another user's items.
 */
import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { albumKey, albumPhotosPrefix, photoKey, userPk, type AlbumItem } from "../../handlers/shared/gallery-keys";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import type { PhotoRemoval } from "../../handlers/shared/photo-removals";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "../../local/s3-server";
import { SfnError, startLocalSfn, type LocalSfnServer } from "../../local/sfn-server";
import type { LocalSqsServer } from "../../local/sqs-server";
import { apiEvent, GALLERY_BUS, lambdaContext, REMOVALS_QUEUE, removalsSent as removalsFrom, startGalleryEventBus, startGalleryTable, startRemovalsQueue, useGalleryApiEnvironment, type EventInput } from "./gallery-table";

let table: Awaited<ReturnType<typeof startGalleryTable>>;
let albums: typeof import("../../handlers/api/albums.js");
let photos: typeof import("../../handlers/api/photos.js");
let health: typeof import("../../handlers/api/health.js");
let s3: LocalS3;
let sqs: LocalSqsServer;
let bus: Awaited<ReturnType<typeof startGalleryEventBus>>;
let sfn: LocalSfnServer;

beforeAll(async () => {
  table = await startGalleryTable();
  useGalleryApiEnvironment(table);
  // The photo routes sign their S3 requests themselves (handlers/shared/photo-objects.ts): a local S3 checks the signatures.
  s3 = await startLocalS3({ buckets: ["uploads", "uploads-replica"] });
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  // DELETE of a photo sends its objects to the photo-removals queue (handlers/shared/queue-messages.ts).
  sqs = await startRemovalsQueue();
  // DELETE of an album with photos puts AlbumDeletionRequested on the gallery bus (handlers/shared/album-events.ts).
  bus = await startGalleryEventBus();
  // DELETE of an album already deleting asks Step Functions whether the execution marked on it still runs.
  sfn = await startLocalSfn({ stateMachines: [DELETION_MACHINE] });
  process.env.AWS_ENDPOINT_URL_SFN = sfn.endpoint;
  process.env.ALBUM_DELETION_STATE_MACHINE_ARN = DELETION_MACHINE.arn;
  albums = await import("../../handlers/api/albums.js");
  photos = await import("../../handlers/api/photos.js");
  health = await import("../../handlers/api/health.js");
});
afterAll(async () => {
  await table?.stop();
  await s3?.close();
  await sqs?.stop();
  await bus?.stop();
  await sfn?.stop();
});
beforeEach(async () => {
  s3.resetRequests();
  s3.fail(undefined);
  await removalsSent(); // what an earlier test left
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env.PHOTO_REMOVALS_QUEUE_URL = sqs.queueUrl(REMOVALS_QUEUE);
  process.env.EVENT_BUS_NAME = GALLERY_BUS;
  bus.events.length = 0;
});

/** The removals DELETE sent since the test began (or since the last call), in order; taken off the queue. */
const removalsSent = (): Promise<PhotoRemoval[]> => removalsFrom(sqs);

type Handler = (event: APIGatewayProxyEvent, context: typeof lambdaContext) => Promise<APIGatewayProxyResult>;
async function call(handler: Handler, input: EventInput): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const response = await handler(apiEvent(input), lambdaContext);
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined, headers: response.headers ?? {} };
}

/** A stand-in for the album-deletion workflow whose executions run until the server stops. */
const DELETION_MACHINE = {
  arn: "arn:aws:states:us-east-1:123456789012:stateMachine:album-deletion",
  name: "album-deletion",
  type: "STANDARD" as const,
  definition: JSON.stringify({ StartAt: "Busy", States: { Busy: { Type: "Wait", Seconds: 3600, End: true } } }),
  roleArn: "arn:aws:iam::123456789012:role/album-deletion-role",
  logLevel: "OFF" as const,
  includeExecutionData: false,
  tracing: false,
  functions: new Map(),
};

const ALICE = "alice-sub";
const BOB = "bob-sub";
const ALBUMS = "/api/albums";
const ALBUM = "/api/albums/{albumId}";
const PHOTOS = "/api/albums/{albumId}/photos";
const PHOTO = "/api/albums/{albumId}/photos/{photoId}";

/** Query parameters of a presigned URL that ask S3 to check (or return) a flexible checksum. */
function checksumParams(url: URL): string[] {
  return [...url.searchParams.keys()].filter((name) => /^x-amz-(checksum-|sdk-checksum-algorithm)/i.test(name));
}

/** What the thumbnail function leaves on a photo it finished (handlers/thumbnail). */
async function readyPhoto(sub: string, albumId: string, photoId: string, thumbnails: Array<{ key: string; width: number; height: number; bytes: number }>) {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
  await doc.send(
    new UpdateCommand({
      TableName: "gallery",
      Key: photoKey(sub, albumId, photoId),
      UpdateExpression: "SET #status = :ready, width = :w, height = :h, #format = :f, thumbnails = :t REMOVE expiresAt",
      ExpressionAttributeNames: { "#status": "status", "#format": "format" },
      ExpressionAttributeValues: { ":ready": "ready", ":w": 2560, ":h": 1280, ":f": "png", ":t": thumbnails },
    }),
  );
  doc.destroy();
}

async function newAlbum(sub: string, title = "Holiday") {
  const created = await call(albums.create, { method: "POST", resource: ALBUMS, body: { title }, sub });
  expect(created.status).toBe(201);
  return created.body as { albumId: string; updatedAt: string };
}

/** The document client's own send: what a spy on it falls through to, and what a test's own reads use past the spy. */
const send = DynamoDBDocumentClient.prototype.send as (this: DynamoDBDocumentClient, command: unknown) => Promise<any>;

/** The album's photo items as stored (a strongly consistent Query of the owner's partition, past any spy). */
async function photosLeft(albumId: string, sub = ALICE): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
  try {
    const query = new QueryCommand({ TableName: "gallery", KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)", ExpressionAttributeValues: { ":pk": userPk(sub), ":prefix": albumPhotosPrefix(albumId) }, ConsistentRead: true });
    return (await send.call(doc, query)).Items ?? [];
  } finally {
    doc.destroy();
  }
}

/** The command that writes a photo's item as POST makes it: its transaction (or, before it had one, its put). */
function writesPhoto(command: unknown): boolean {
  return command instanceof TransactWriteCommand ? command.input.TransactItems?.some((item) => item.Put?.Item?.type === "photo") === true : command instanceof PutCommand && command.input.Item?.type === "photo";
}

/**
 * Runs `before` once, just before the first command a handler sends that `matches`: a race that lands there, or (when
 * it throws) a failure of that command. Undone by afterEach; `happened` says whether it ran.
 */
function beforeCommand(matches: (command: unknown) => boolean, before: () => Promise<unknown>): { happened: () => boolean } {
  let happened = false;
  vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown) {
    if (!happened && matches(command)) {
      happened = true;
      await before();
    }
    return send.call(this, command);
  } as never);
  return { happened: () => happened };
}

describe("GET /health", () => {
  it("answers 200 with the stage alias that served it", async () => {
    const response = await call(health.handler, { method: "GET", resource: "/api/health", stage: "prod" });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "ok", stage: "prod", alias: "prod" });
  });
});

describe("albums", () => {
  it("creates (201 + Location), gets, lists newest first, updates and deletes (204)", async () => {
    const first = await newAlbum(ALICE, "First");
    await new Promise((r) => setTimeout(r, 5));
    const second = await newAlbum(ALICE, "Second");
    const got = await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: first.albumId }, sub: ALICE });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ albumId: first.albumId, title: "First", photoCount: 0 });
    expect(got.body.pk).toBeUndefined();

    const list = await call(albums.list, { method: "GET", resource: ALBUMS, sub: ALICE });
    expect(list.status).toBe(200);
    const ids = list.body.items.map((a: { albumId: string }) => a.albumId);
    expect(ids.indexOf(second.albumId)).toBeLessThan(ids.indexOf(first.albumId));

    const updated = await call(albums.update, { method: "PATCH", resource: ALBUM, pathParameters: { albumId: first.albumId }, body: { title: "Renamed" }, sub: ALICE });
    expect(updated.status).toBe(200);
    expect(updated.body.title).toBe("Renamed");

    const removed = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: second.albumId }, sub: ALICE });
    expect(removed.status).toBe(204);
    expect((await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: second.albumId }, sub: ALICE })).status).toBe(404);
  });

  it("pages with limit and an opaque cursor; 400 for a bad limit", async () => {
    await newAlbum("pager", "a");
    await newAlbum("pager", "b");
    await newAlbum("pager", "c");
    const page1 = await call(albums.list, { method: "GET", resource: ALBUMS, query: { limit: "2" }, sub: "pager" });
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.next).toBeTypeOf("string");
    const page2 = await call(albums.list, { method: "GET", resource: ALBUMS, query: { limit: "2", cursor: page1.body.next }, sub: "pager" });
    expect(page2.body.items).toHaveLength(1);
    const bad = await call(albums.list, { method: "GET", resource: ALBUMS, query: { limit: "0" }, sub: "pager" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({ limit: ["must be a whole number from 1 to 50"] });
  });

  it("400 with field errors for invalid bodies and malformed JSON, never 500", async () => {
    const empty = await call(albums.create, { method: "POST", resource: ALBUMS, body: { title: "" }, sub: ALICE });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ message: "Request body is invalid", errors: { title: ["must not be empty"] } });
    const extra = await call(albums.create, { method: "POST", resource: ALBUMS, body: { title: "x", owner: BOB }, sub: ALICE });
    expect(extra.status).toBe(400);
    expect(Object.keys(extra.body.errors)).toEqual(["(body)"]);
    const wrongType = await call(albums.create, { method: "POST", resource: ALBUMS, body: { title: 42 }, sub: ALICE });
    expect(wrongType.body.errors.title[0]).toMatch(/string/);
    const broken = await call(albums.create, { method: "POST", resource: ALBUMS, body: "{not json", sub: ALICE });
    expect(broken).toMatchObject({ status: 400, body: { message: "Request body is not valid JSON" } });
    const nothing = await call(albums.update, { method: "PATCH", resource: ALBUM, pathParameters: { albumId: "01HZZZZZZZZZZZZZZZZZZZZZZZ" }, body: {}, sub: ALICE });
    expect(nothing.status).toBe(400);
  });

  it("413 for oversized bodies, 415 for non-JSON ones", async () => {
    const big = await call(albums.create, { method: "POST", resource: ALBUMS, body: { title: "x", description: "y".repeat(20_000) }, sub: ALICE });
    expect(big.status).toBe(413);
    const text = await call(albums.create, { method: "POST", resource: ALBUMS, body: "title=x", headers: { "content-type": "text/plain" }, sub: ALICE });
    expect(text.status).toBe(415);
  });

  it("401 without verified claims", async () => {
    const response = await call(albums.list, { method: "GET", resource: ALBUMS });
    expect(response).toMatchObject({ status: 401, body: { message: "Unauthorized" } });
  });

  it("404 for unknown or malformed ids", async () => {
    expect((await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: "01HZZZZZZZZZZZZZZZZZZZZZZZ" }, sub: ALICE })).status).toBe(404);
    expect((await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: "../../etc" }, sub: ALICE })).status).toBe(404);
    expect((await call(albums.update, { method: "PATCH", resource: ALBUM, pathParameters: { albumId: "01HZZZZZZZZZZZZZZZZZZZZZZZ" }, body: { title: "x" }, sub: ALICE })).status).toBe(404);
    expect((await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: "01HZZZZZZZZZZZZZZZZZZZZZZZ" }, sub: ALICE })).status).toBe(404);
  });

  it("409 on a stale update (conditional write)", async () => {
    const album = await newAlbum(ALICE);
    const stale = await call(albums.update, { method: "PATCH", resource: ALBUM, pathParameters: { albumId: album.albumId }, body: { title: "x", expectedUpdatedAt: "2000-01-01T00:00:00.000Z" }, sub: ALICE });
    expect(stale.status).toBe(409);
    const fresh = await call(albums.update, { method: "PATCH", resource: ALBUM, pathParameters: { albumId: album.albumId }, body: { title: "x", expectedUpdatedAt: album.updatedAt }, sub: ALICE });
    expect(fresh.status).toBe(200);
  });

  it("202 for an album with photos: marked deleting, one AlbumDeletionRequested put, 202 again without a second, no new uploads", async () => {
    const album = await newAlbum(ALICE);
    const photo = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
    expect(photo.status).toBe(201);
    const deleting = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    expect(deleting).toMatchObject({ status: 202, body: { albumId: album.albumId, deletion: "deleting", message: "The album and its photos are being deleted" } });
    // Shown in the album and the listing as deleting (the workflow's execution ARN is not the client's).
    const got = await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    expect(got.body.deletion).toEqual({ state: "deleting", requestedAt: expect.any(String) });
    // The event names the very mark it asks to run: the workflow ends a duplicate delivery of it at once.
    expect(bus.events.map((e) => [e.source, e["detail-type"], e.detail])).toEqual([["gallery.albums", "AlbumDeletionRequested", { sub: ALICE, albumId: album.albumId, requestedAt: got.body.deletion.requestedAt }]]);
    const listed = await call(albums.list, { method: "GET", resource: ALBUMS, sub: ALICE });
    expect(listed.body.items.find((a: { albumId: string }) => a.albumId === album.albumId).deletion.state).toBe("deleting");

    const again = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    expect(again).toMatchObject({ status: 202, body: { deletion: "deleting" } });
    expect(bus.events).toHaveLength(1);
    const upload = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
    expect(upload).toMatchObject({ status: 409, body: { message: "The album is being deleted" } });
    // The photos are the workflow's to remove: the API deleted nothing.
    expect((await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: { albumId: album.albumId, photoId: photo.body.photo.photoId }, sub: ALICE })).status).toBe(200);
    expect((await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: BOB })).status).toBe(404);
  });

  it("in a second region, puts AlbumDeletionRequested on the home region's bus (EVENT_BUS_REGION), not on one of its own region", async () => {
    const album = await newAlbum(ALICE);
    await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
    // The function runs in us-west-2 (RegionalApis' second region); the bus is in us-east-1, as index.ts sets it. The
    // local EventBridge looks a named bus up in the region the call is signed for: us-west-2 has no gallery bus.
    const previous = { AWS_REGION: process.env.AWS_REGION, EVENT_BUS_REGION: process.env.EVENT_BUS_REGION };
    Object.assign(process.env, { AWS_REGION: "us-west-2", EVENT_BUS_REGION: "us-east-1" });
    try {
      const deleting = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
      expect(deleting).toMatchObject({ status: 202, body: { albumId: album.albumId, deletion: "deleting" } });
    } finally {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(bus.events.map((e) => [e.region, e.detail])).toEqual([["us-east-1", { sub: ALICE, albumId: album.albumId, requestedAt: expect.any(String) }]]);
  });

  it("puts the album's key and mark alone in AlbumDeletionRequested: the workflow's page figures are left to its defaults", async () => {
    const { requestAlbumDeletion } = await import("../../handlers/shared/album-events.js");
    // A caller's wider object (TypeScript lets one through) with figures past the workflow's bounds.
    const request = { sub: ALICE, albumId: "01ALBUM", requestedAt: "2026-12-06T00:00:00.000Z", pageSize: 10_000, pagesPerExecution: 500 };
    await requestAlbumDeletion(request);
    expect(bus.events.map((e) => e.detail)).toEqual([{ sub: ALICE, albumId: "01ALBUM", requestedAt: "2026-12-06T00:00:00.000Z" }]);
  });

  it("starts a failed deletion again; one whose event cannot be put answers 500 and is marked failed, not left deleting", async () => {
    const album = await newAlbum(ALICE);
    await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
    process.env.EVENT_BUS_NAME = "no-such-bus";
    const refused = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    expect(refused.status).toBe(500);
    const got = await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    expect(got.body.deletion).toMatchObject({ state: "failed", error: "The deletion could not be started; delete the album again" });
    process.env.EVENT_BUS_NAME = GALLERY_BUS;
    const retried = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    expect(retried.status).toBe(202);
    expect(bus.events.map((e) => e.detail)).toEqual([{ sub: ALICE, albumId: album.albumId, requestedAt: expect.any(String) }]);
    expect((await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE })).body.deletion).toEqual({ state: "deleting", requestedAt: expect.any(String) });
  });

  it("hands an album to the workflow when its look for photos or its delete fails after the mark: 202 and the event, never left deleting with nothing to run it", async () => {
    const throttled = () => Promise.reject(Object.assign(new Error("Rate of requests exceeds the allowed throughput"), { name: "ProvisionedThroughputExceededException" }));
    const failures = [
      { step: "the Query", matches: (albumId: string, command: unknown) => command instanceof QueryCommand && command.input.ExpressionAttributeValues?.[":prefix"] === albumPhotosPrefix(albumId) },
      { step: "the delete", matches: (albumId: string, command: unknown) => command instanceof DeleteCommand && command.input.Key?.sk === albumKey(ALICE, albumId).sk },
    ];
    for (const { step, matches } of failures) {
      // Empty: before, DELETE would have deleted it at once (204); now its own failure is the workflow's to get past.
      const album = await newAlbum(ALICE);
      bus.events.length = 0;
      const failing = beforeCommand((command) => matches(album.albumId, command), throttled);
      const answered = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
      vi.restoreAllMocks();
      expect(failing.happened(), step).toBe(true);
      expect(answered, step).toMatchObject({ status: 202, body: { albumId: album.albumId, deletion: "deleting" } });
      expect(bus.events.map((e) => e.detail), step).toEqual([{ sub: ALICE, albumId: album.albumId, requestedAt: expect.any(String) }]);
      expect((await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE })).body.deletion, step).toEqual({ state: "deleting", requestedAt: expect.any(String) });
    }
  });

  it("starts over a deletion whose execution ended 10 minutes ago or more, or that none claimed in 10 minutes; leaves one that runs, ended just now, cannot be asked about, or is fresh", async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
    const mark = (albumId: string, deletion: { requestedAt: string; execution?: string }) =>
      doc.send(new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, albumId), UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": { state: "deleting", ...deletion } } }));
    const deletionOf = async (albumId: string) => ((await doc.send(new GetCommand({ TableName: "gallery", Key: albumKey(ALICE, albumId), ConsistentRead: true }))).Item as AlbumItem).deletion;
    const client = new SFNClient({ endpoint: sfn.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
    const describe = sfn.sfn.describeExecution.bind(sfn.sfn);
    try {
      const start = async () => (await client.send(new StartExecutionCommand({ stateMachineArn: DELETION_MACHINE.arn }))).executionArn!;
      const running = await start();
      // Ended (as an execution that handed the album on ends) moments ago, and one ended 11 minutes ago.
      const endedNow = await start();
      const endedLongAgo = await start();
      for (const executionArn of [endedNow, endedLongAgo]) await client.send(new StopExecutionCommand({ executionArn }));
      const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
      vi.spyOn(sfn.sfn, "describeExecution").mockImplementation((input) => {
        // As IAM answers for an ARN outside the function's grant (this machine's executions alone).
        if (!String(input.executionArn).startsWith(`${DELETION_MACHINE.arn.replace(":stateMachine:", ":execution:")}:`)) throw new SfnError("AccessDeniedException", "not authorized to perform: states:DescribeExecution");
        const described = describe(input);
        return input.executionArn === endedLongAgo ? { ...described, stopDate: (described.stopDate as number) - 11 * 60 } : described;
      });
      const cases: Array<{ deletion: { requestedAt: string; execution?: string }; restarted: boolean; refused?: string }> = [
        { deletion: { requestedAt: minutesAgo(30), execution: running }, restarted: false },
        // The hand-off's gap: the next execution is about to claim it.
        { deletion: { requestedAt: minutesAgo(30), execution: endedNow }, restarted: false },
        { deletion: { requestedAt: minutesAgo(30), execution: endedLongAgo }, restarted: true },
        { deletion: { requestedAt: minutesAgo(30), execution: `${DELETION_MACHINE.arn.replace(":stateMachine:", ":execution:")}:stopped-long-ago` }, restarted: true },
        // Of a state machine since replaced: outside the function's grant, and not to be asked.
        { deletion: { requestedAt: minutesAgo(30), execution: "arn:aws:states:us-east-1:123456789012:execution:album-deletion-old:x" }, restarted: true },
        // Step Functions cannot say (throttled past the retries, or refused): taken as running, answered 202.
        { deletion: { requestedAt: minutesAgo(30), execution: running }, restarted: false, refused: "AccessDeniedException" },
        { deletion: { requestedAt: minutesAgo(11) }, restarted: true },
        { deletion: { requestedAt: minutesAgo(2) }, restarted: false },
      ];
      for (const { deletion, restarted, refused } of cases) {
        const album = await newAlbum(ALICE);
        await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
        await mark(album.albumId, deletion);
        bus.events.length = 0;
        if (refused) vi.mocked(sfn.sfn.describeExecution).mockImplementationOnce(() => { throw new SfnError(refused, "not authorized to perform: states:DescribeExecution"); });
        const answered = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
        expect(answered, JSON.stringify(deletion)).toMatchObject({ status: 202, body: { deletion: "deleting" } });
        // Started over: marked anew, claimed by none yet, and the event names the new mark; left: the mark as it was.
        const now = await deletionOf(album.albumId);
        expect(bus.events.map((e) => e.detail), JSON.stringify(deletion)).toEqual(restarted ? [{ sub: ALICE, albumId: album.albumId, requestedAt: now!.requestedAt }] : []);
        if (restarted) expect(now).toEqual({ state: "deleting", requestedAt: expect.any(String) });
        else expect(now).toEqual({ state: "deleting", ...deletion });
        if (restarted) expect(Date.parse(now!.requestedAt)).toBeGreaterThan(Date.parse(deletion.requestedAt));
      }
    } finally {
      client.destroy();
      doc.destroy();
    }
  });

  it("marks a deletion whose event could not be put failed only while no execution has claimed it, and only that deletion", async () => {
    const { failAlbumDeletion } = await import("../../handlers/shared/gallery-store.js");
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
    try {
      const album = await newAlbum(ALICE);
      const deletion = { state: "deleting" as const, requestedAt: new Date().toISOString() };
      // PutEvents timed out after EventBridge took the event, and the execution has claimed the album since.
      await doc.send(new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": { ...deletion, execution: "arn:running" } } }));
      // The execution's ARN is the workflow's, not the client's.
      expect((await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE })).body.deletion).toEqual(deletion);
      await failAlbumDeletion(ALICE, album.albumId, deletion, "could not be started");
      const read = async () => ((await doc.send(new GetCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), ConsistentRead: true }))).Item as AlbumItem).deletion;
      expect(await read()).toEqual({ ...deletion, execution: "arn:running" });
      await doc.send(new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), UpdateExpression: "REMOVE deletion.#e", ExpressionAttributeNames: { "#e": "execution" } }));
      // An earlier DELETE's failure leaves the deletion started since alone.
      await failAlbumDeletion(ALICE, album.albumId, { ...deletion, requestedAt: "2000-01-01T00:00:00.000Z" }, "could not be started");
      expect(await read()).toEqual(deletion);
      await failAlbumDeletion(ALICE, album.albumId, deletion, "could not be started");
      expect(await read()).toEqual({ ...deletion, state: "failed", error: "could not be started" });
    } finally {
      doc.destroy();
    }
  });

  it("starts a deletion over only while its mark is still the one judged: a newer claim or a newer request stays", async () => {
    const { restartAlbumDeletion } = await import("../../handlers/shared/gallery-store.js");
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
    try {
      const read = async (albumId: string) => ((await doc.send(new GetCommand({ TableName: "gallery", Key: albumKey(ALICE, albumId), ConsistentRead: true }))).Item as AlbumItem).deletion;
      const requestedAt = "2026-01-01T00:00:00.000Z";
      const judged = [
        // Judged ended, but a newer execution claimed the album meanwhile.
        { found: { state: "deleting" as const, requestedAt, execution: "arn:newer" }, stale: { state: "deleting" as const, requestedAt, execution: "arn:ended" } },
        // Judged unclaimed, but it was claimed meanwhile.
        { found: { state: "deleting" as const, requestedAt, execution: "arn:newer" }, stale: { state: "deleting" as const, requestedAt } },
        // Judged unclaimed, but another DELETE marked it anew meanwhile.
        { found: { state: "deleting" as const, requestedAt: "2026-01-01T00:20:00.000Z" }, stale: { state: "deleting" as const, requestedAt } },
      ];
      for (const { found, stale } of judged) {
        const album = await newAlbum(ALICE);
        await doc.send(new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": found } }));
        expect(await restartAlbumDeletion(ALICE, album.albumId, stale), JSON.stringify(found)).toEqual({ outcome: "deleting", deletion: stale });
        expect(await read(album.albumId), JSON.stringify(found)).toEqual(found);
      }
      const album = await newAlbum(ALICE);
      await doc.send(new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": { state: "deleting", requestedAt } } }));
      expect(await restartAlbumDeletion(ALICE, album.albumId, { state: "deleting", requestedAt })).toEqual({ outcome: "started", deletion: { state: "deleting", requestedAt: expect.any(String) } });
      expect(Date.parse((await read(album.albumId))!.requestedAt)).toBeGreaterThan(Date.parse(requestedAt));
    } finally {
      doc.destroy();
    }
  });

  it("retries an event EventBridge refused with a retryable entry error (ThrottlingException, InternalFailure); answers 500 for another", async () => {
    // withRetries' jittered pause (up to 200 ms after a first attempt) taken without sleeping: which entry errors are
    // retried is what this test is about, not how long the pause is (tests/handlers/retries.test.ts draws those).
    const { realBackoff } = await import("../../handlers/shared/retries.js");
    const pause = vi.spyOn(realBackoff, "sleep").mockResolvedValue();
    onTestFinished(() => pause.mockRestore());
    for (const ErrorCode of ["ThrottlingException", "InternalFailure"]) {
      const album = await newAlbum(ALICE);
      await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
      bus.events.length = 0;
      // PutEvents answers 200 with the entry's error (API_PutEventsResultEntry): once, then the real answer.
      const putEvents = vi.spyOn(bus.eventBridge, "putEvents").mockReturnValueOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode, ErrorMessage: "Try again" }] });
      const answered = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
      expect(answered.status, ErrorCode).toBe(202);
      expect(putEvents, ErrorCode).toHaveBeenCalledTimes(2);
      // Paused once, between the refused attempt and the next.
      expect(pause, ErrorCode).toHaveBeenCalledTimes(1);
      pause.mockClear();
      expect(bus.events.map((e) => e.detail)).toEqual([{ sub: ALICE, albumId: album.albumId, requestedAt: expect.any(String) }]);
      putEvents.mockRestore();
    }
    const album = await newAlbum(ALICE);
    await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
    const putEvents = vi.spyOn(bus.eventBridge, "putEvents").mockReturnValue({ FailedEntryCount: 1, Entries: [{ ErrorCode: "MalformedDetail", ErrorMessage: "The JSON provided is not valid" }] });
    expect((await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE })).status).toBe(500);
    expect(putEvents).toHaveBeenCalledTimes(1);
    expect(pause).not.toHaveBeenCalled();
  });

  it("a user never sees or changes another user's albums", async () => {
    const album = await newAlbum(ALICE, "Private");
    const asBob = { pathParameters: { albumId: album.albumId }, sub: BOB };
    expect((await call(albums.get, { method: "GET", resource: ALBUM, ...asBob })).status).toBe(404);
    expect((await call(albums.update, { method: "PATCH", resource: ALBUM, body: { title: "pwned" }, ...asBob })).status).toBe(404);
    expect((await call(albums.remove, { method: "DELETE", resource: ALBUM, ...asBob })).status).toBe(404);
    const bobList = await call(albums.list, { method: "GET", resource: ALBUMS, sub: BOB });
    expect(bobList.body.items.map((a: { albumId: string }) => a.albumId)).not.toContain(album.albumId);
    // Alice's cursor does not open Alice's partition for Bob: it is refused outright.
    const aliceList = await call(albums.list, { method: "GET", resource: ALBUMS, query: { limit: "1" }, sub: ALICE });
    const stolen = await call(albums.list, { method: "GET", resource: ALBUMS, query: { cursor: aliceList.body.next }, sub: BOB });
    expect(stolen.status).toBe(400);
    expect((await call(albums.get, { method: "GET", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE })).body.title).toBe("Private");
  });
});

describe("photos", () => {
  it("creates a pending photo with a presigned PUT URL for the original (201)", async () => {
    const album = await newAlbum(ALICE);
    const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { title: "Beach", contentType: "image/jpeg", size: 1234 }, sub: ALICE });
    expect(created.status).toBe(201);
    const { photo, upload } = created.body;
    expect(photo).toMatchObject({ albumId: album.albumId, status: "pending", contentType: "image/jpeg", size: 1234, title: "Beach" });
    expect(photo.objectKey).toBe(`originals/${ALICE}/${album.albumId}/${photo.photoId}.jpg`);
    expect(photo.expiresAt).toBeUndefined();
    const url = new URL(upload.url);
    expect(url.pathname).toContain(`originals/${ALICE}/${album.albumId}/${photo.photoId}.jpg`);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    // The browser must send exactly the declared type and length (S3 refuses any other with SignatureDoesNotMatch).
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    // No checksum of the (empty) body the URL was signed with: S3 would answer the real file with 400 BadDigest.
    expect(checksumParams(url)).toEqual([]);
    expect(upload).toMatchObject({ method: "PUT", headers: { "content-type": "image/jpeg" } });
    expect(created.headers.location).toBe(`/api/albums/${album.albumId}/photos/${photo.photoId}`);
  });

  it("refuses a photo whose album is marked deleting, or is gone, when its put would land: 409 or 404, no upload URL, no photo item left behind", async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
    onTestFinished(() => doc.destroy());
    const races = [
      { answer: { status: 409, body: { message: "The album is being deleted" } }, race: (albumId: string) => new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, albumId), UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": { state: "deleting", requestedAt: new Date().toISOString() } } }) },
      // DELETE of the album while it was still empty.
      { answer: { status: 404, body: { message: "album not found" } }, race: (albumId: string) => new DeleteCommand({ TableName: "gallery", Key: albumKey(ALICE, albumId) }) },
    ];
    for (const { answer, race } of races) {
      const album = await newAlbum(ALICE);
      // The DELETE lands just before the photo's write (whatever the POST read of the album before it).
      const racing = beforeCommand(writesPhoto, () => send.call(doc, race(album.albumId)));
      const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
      vi.restoreAllMocks();
      expect(racing.happened()).toBe(true);
      expect(created).toMatchObject(answer);
      expect(created.body.upload).toBeUndefined();
      // Checked with the put, in one transaction: nothing for a deletion page, the clean-up or a TTL to remove.
      expect(await photosLeft(album.albumId)).toEqual([]);
    }
  });

  it("creates a photo in a live album, or one whose deletion failed; refuses a missing album or another user's (404) with no photo item left", async () => {
    const album = await newAlbum(ALICE);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
    onTestFinished(() => doc.destroy());
    await send.call(doc, new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": { state: "failed", requestedAt: new Date().toISOString(), error: "x" } } }));
    const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
    expect(created.status).toBe(201);
    expect(await photosLeft(album.albumId)).toEqual([expect.objectContaining({ photoId: created.body.photo.photoId, status: "pending" })]);
    const missing = "01HZZZZZZZZZZZZZZZZZZZZZZZ";
    expect(await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: missing }, body: { contentType: "image/png", size: 10 }, sub: ALICE })).toMatchObject({ status: 404, body: { message: "album not found" } });
    expect(await photosLeft(missing)).toEqual([]);
    expect((await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: BOB })).status).toBe(404);
    expect(await photosLeft(album.albumId, BOB)).toEqual([]);
  });

  it("answers 409 for a photo id already taken (the put's own condition), the item there left as it was", async () => {
    const album = await newAlbum(ALICE);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
    onTestFinished(() => doc.destroy());
    const taken = { title: "first" };
    // An item at the very key the POST writes, put just before it.
    let racing = false;
    vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown) {
      if (!racing && writesPhoto(command)) {
        racing = true;
        const item = (command as TransactWriteCommand).input.TransactItems!.find((action) => action.Put)!.Put!.Item;
        await send.call(doc, new PutCommand({ TableName: "gallery", Item: { ...item, ...taken } }));
      }
      return send.call(this, command);
    } as never);
    const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
    vi.restoreAllMocks();
    expect(racing).toBe(true);
    expect(created).toMatchObject({ status: 409, body: { message: "A photo with this id already exists" } });
    expect(await photosLeft(album.albumId)).toEqual([expect.objectContaining(taken)]);
  });

  it("tries the transaction again when another request on the album cancelled it (TransactionConflict), at most PHOTO_PUT_ATTEMPTS times, then 409", async () => {
    const { PHOTO_PUT_ATTEMPTS, photoPutRetry } = await import("../../handlers/shared/gallery-store.js");
    const conflicted = () => new TransactionCanceledException({ message: "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]", $metadata: {}, CancellationReasons: [{ Code: "TransactionConflict", Message: "Transaction is ongoing for the item" }, { Code: "None" }] });
    for (const conflicts of [1, PHOTO_PUT_ATTEMPTS]) {
      const album = await newAlbum(ALICE);
      let sent = 0;
      vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown) {
        if (writesPhoto(command) && ++sent <= conflicts) throw conflicted();
        return send.call(this, command);
      } as never);
      // The jittered pause between attempts, taken without sleeping: once after each cancelled attempt but the last.
      const pause = vi.spyOn(photoPutRetry, "pause").mockResolvedValue();
      const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
      expect(pause.mock.calls).toEqual(Array.from({ length: Math.min(conflicts, PHOTO_PUT_ATTEMPTS - 1) }, (_, i) => [i + 1]));
      vi.restoreAllMocks();
      if (conflicts < PHOTO_PUT_ATTEMPTS) {
        expect(sent).toBe(conflicts + 1);
        expect(created.status).toBe(201);
        expect(await photosLeft(album.albumId)).toEqual([expect.objectContaining({ photoId: created.body.photo.photoId })]);
      } else {
        expect(sent).toBe(PHOTO_PUT_ATTEMPTS);
        expect(created).toMatchObject({ status: 409, body: { message: "The album was being changed; try again" } });
        expect(await photosLeft(album.albumId)).toEqual([]);
      }
    }
  });

  it("tries the transaction again when capacity cancelled it (ThrottlingError, ProvisionedThroughputExceeded), which the SDK does not; the last refusal is a 500, not a 409", async () => {
    const { PHOTO_PUT_ATTEMPTS, photoPutRetry } = await import("../../handlers/shared/gallery-store.js");
    for (const code of ["ThrottlingError", "ProvisionedThroughputExceeded"]) {
      const throttled = () => new TransactionCanceledException({ message: `Transaction cancelled, please refer cancellation reasons for specific reasons [None, ${code}]`, $metadata: {}, CancellationReasons: [{ Code: "None" }, { Code: code, Message: "Throughput exceeds the current capacity of your table or index." }] });
      for (const refusals of [1, PHOTO_PUT_ATTEMPTS]) {
        const album = await newAlbum(ALICE);
        let sent = 0;
        vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown) {
          if (writesPhoto(command) && ++sent <= refusals) throw throttled();
          return send.call(this, command);
        } as never);
        vi.spyOn(photoPutRetry, "pause").mockResolvedValue();
        const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
        vi.restoreAllMocks();
        expect({ code, refusals, sent, status: created.status }).toEqual({ code, refusals, sent: Math.min(refusals + 1, PHOTO_PUT_ATTEMPTS), status: refusals < PHOTO_PUT_ATTEMPTS ? 201 : 500 });
        expect((await photosLeft(album.albumId)).length).toBe(refusals < PHOTO_PUT_ATTEMPTS ? 1 : 0);
      }
    }
  });

  it("answers a cancellation whose reasons are all None or of a code it does not know with a 500, at once", async () => {
    const { photoPutRetry } = await import("../../handlers/shared/gallery-store.js");
    for (const reasons of [[{ Code: "None" }, { Code: "None" }], [{ Code: "None" }, { Code: "ValidationError" }], [{ Code: "SomethingNew" }, { Code: "None" }]]) {
      const album = await newAlbum(ALICE);
      let sent = 0;
      vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown) {
        if (writesPhoto(command) && ++sent === 1) throw new TransactionCanceledException({ message: "Transaction cancelled", $metadata: {}, CancellationReasons: reasons });
        return send.call(this, command);
      } as never);
      const pause = vi.spyOn(photoPutRetry, "pause").mockResolvedValue();
      const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE });
      expect({ reasons, sent, pauses: pause.mock.calls.length, status: created.status }).toEqual({ reasons, sent: 1, pauses: 0, status: 500 });
      vi.restoreAllMocks();
    }
  });

  it("decides the race between a photo's POST and its album's DELETE with one transaction and one strongly consistent read (the local table cannot show an eventually consistent read)", async () => {
    const album = await newAlbum(ALICE);
    const sent: Array<{ command: string; consistent?: unknown }> = [];
    vi.spyOn(DynamoDBDocumentClient.prototype, "send").mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown) {
      if (command instanceof GetCommand || command instanceof QueryCommand) sent.push({ command: command.constructor.name, consistent: command.input.ConsistentRead });
      if (command instanceof TransactWriteCommand || command instanceof PutCommand) sent.push({ command: command.constructor.name });
      return send.call(this, command);
    } as never);
    // The POST's transaction (no read of the album before or after it); the DELETE's look for photos, after its mark.
    expect((await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE })).status).toBe(201);
    expect((await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE })).status).toBe(202);
    vi.restoreAllMocks();
    expect(sent).toEqual([{ command: "TransactWriteCommand" }, { command: "QueryCommand", consistent: true }]);
  });

  it("DELETE of an album it finds empty leaves no photo made meanwhile: one POSTed between its look for photos and its delete is refused", async () => {
    const album = await newAlbum(ALICE);
    let created: Awaited<ReturnType<typeof call>> | undefined;
    // The POST runs whole after DELETE found no photo, before DELETE deletes the album item.
    beforeCommand(
      (command) => command instanceof DeleteCommand && command.input.Key?.sk === albumKey(ALICE, album.albumId).sk,
      async () => (created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 10 }, sub: ALICE })),
    );
    const deleted = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    vi.restoreAllMocks();
    expect(deleted.status).toBe(204);
    expect(created).toMatchObject({ status: 409, body: { message: "The album is being deleted" } });
    // Refused by its transaction's check of the album, which sees the mark: nothing was put.
    expect(await photosLeft(album.albumId)).toEqual([]);
    expect(bus.events).toEqual([]);
  });

  it("DELETE of an album it finds empty deletes it only while the mark is still its own: one marked anew meanwhile stays, answered 202 with no event", async () => {
    const album = await newAlbum(ALICE);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint }));
    onTestFinished(() => doc.destroy());
    const anew = { state: "deleting", requestedAt: "2099-01-01T00:00:00.000Z", execution: "arn:aws:states:us-east-1:123456789012:execution:album-deletion:other" };
    // Another deletion's mark lands after DELETE found no photo, before it deletes the album item.
    const racing = beforeCommand(
      (command) => command instanceof DeleteCommand && command.input.Key?.sk === albumKey(ALICE, album.albumId).sk,
      () => send.call(doc, new UpdateCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), UpdateExpression: "SET deletion = :d", ExpressionAttributeValues: { ":d": anew } })),
    );
    const deleted = await call(albums.remove, { method: "DELETE", resource: ALBUM, pathParameters: { albumId: album.albumId }, sub: ALICE });
    vi.restoreAllMocks();
    expect(racing.happened()).toBe(true);
    expect(deleted).toMatchObject({ status: 202, body: { albumId: album.albumId, deletion: "deleting" } });
    // The other deletion's to finish: its mark stands, and this DELETE put no event of its own.
    expect((await send.call(doc, new GetCommand({ TableName: "gallery", Key: albumKey(ALICE, album.albumId), ConsistentRead: true }))).Item?.deletion).toEqual(anew);
    expect(bus.events).toEqual([]);
  });

  it("400 for a type or size the upload does not allow; 404 for another user's or a missing album", async () => {
    const album = await newAlbum(ALICE);
    const bad = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "application/pdf", size: 0 }, sub: ALICE });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["contentType", "size"]);
    const bobs = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 1 }, sub: BOB });
    expect(bobs.status).toBe(404);
    expect((await call(photos.list, { method: "GET", resource: PHOTOS, pathParameters: { albumId: album.albumId }, sub: BOB })).status).toBe(404);
  });

  it("refuses a status from the client (400): only the thumbnail function makes a photo ready", async () => {
    const album = await newAlbum(ALICE);
    const { photo } = (await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 100 }, sub: ALICE })).body;
    const params = { albumId: album.albumId, photoId: photo.photoId };
    const refused = await call(photos.update, { method: "PATCH", resource: PHOTO, pathParameters: params, body: { status: "ready" }, sub: ALICE });
    expect(refused.status).toBe(400);
    expect((await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: params, sub: ALICE })).body).toMatchObject({ status: "pending" });
    expect(s3.count("HeadObject")).toBe(0);
  });

  it("lists ready photos with presigned thumbnail URLs (never object keys), and gives the original's URL only for one photo", async () => {
    const album = await newAlbum(ALICE);
    const { photo } = (await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 100 }, sub: ALICE })).body;
    const params = { albumId: album.albumId, photoId: photo.photoId };
    const thumbnails = [320, 1280].map((w) => ({ key: `thumbnails/${ALICE}/${album.albumId}/${photo.photoId}/${w}.webp`, width: w, height: w / 2, bytes: 10 }));
    await readyPhoto(ALICE, album.albumId, photo.photoId, thumbnails);
    const list = await call(photos.list, { method: "GET", resource: PHOTOS, pathParameters: { albumId: album.albumId }, sub: ALICE });
    const [listed] = list.body.items;
    expect(listed).toMatchObject({ photoId: photo.photoId, status: "ready", width: 2560, height: 1280, format: "png" });
    expect(listed.downloadUrl).toBeUndefined();
    expect(listed.thumbnails.map((t: { width: number; height: number }) => [t.width, t.height])).toEqual([[320, 160], [1280, 640]]);
    for (const [i, t] of listed.thumbnails.entries()) {
      expect(new URL(t.url).pathname).toContain(thumbnails[i].key);
      expect(checksumParams(new URL(t.url))).toEqual([]);
      expect(t.key).toBeUndefined();
    }
    const got = await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: params, sub: ALICE });
    expect(got.body.downloadUrl).toContain(photo.objectKey);
    expect(checksumParams(new URL(got.body.downloadUrl))).toEqual([]);
    expect((await call(photos.remove, { method: "DELETE", resource: PHOTO, pathParameters: params, sub: ALICE })).status).toBe(204);
    // The objects go to the photo-removals queue, for handlers/photo-removal to delete once the item is gone.
    expect(await removalsSent()).toEqual([{ sub: ALICE, albumId: album.albumId, photoId: photo.photoId, objectKeys: [photo.objectKey, ...thumbnails.map((t) => t.key)], region: "us-east-1" }]);
    expect(s3.deletedKeys()).toEqual([]);
  });

  it("in a second region with the originals replicated there, serves the original from the replica once it has arrived, else from the home bucket", async () => {
    const album = await newAlbum(ALICE);
    const { photo } = (await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 100 }, sub: ALICE })).body;
    const params = { albumId: album.albumId, photoId: photo.photoId };
    await readyPhoto(ALICE, album.albumId, photo.photoId, []);
    Object.assign(process.env, { ORIGINALS_REPLICA_BUCKET: "uploads-replica", ORIGINALS_REPLICA_REGION: "us-west-2" });
    try {
      const bucketOf = async () => new URL((await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: params, sub: ALICE })).body.downloadUrl).pathname.split("/")[1];
      // Not replicated yet: the home bucket's copy.
      expect(await bucketOf()).toBe("uploads");
      s3.store.put("uploads-replica", { key: photo.objectKey, body: Buffer.from("png"), etag: '"1"', contentType: "image/png", metadata: {}, lastModified: new Date() });
      const url = new URL((await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: params, sub: ALICE })).body.downloadUrl);
      expect(url.pathname).toBe(`/uploads-replica/${photo.objectKey}`);
      // Signed for the replica's region, and S3 (the local server checks the signature) serves it.
      expect(url.searchParams.get("X-Amz-Credential")).toMatch(/\/us-west-2\/s3\/aws4_request$/);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      delete process.env.ORIGINALS_REPLICA_BUCKET;
      delete process.env.ORIGINALS_REPLICA_REGION;
    }
  });

  it("retitles (200), deletes the item and sends the original's removal (204), then 404", async () => {
    const album = await newAlbum(ALICE);
    const { photo } = (await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/webp", size: 5 }, sub: ALICE })).body;
    const params = { albumId: album.albumId, photoId: photo.photoId };
    const retitled = await call(photos.update, { method: "PATCH", resource: PHOTO, pathParameters: params, body: { title: "Sunset" }, sub: ALICE });
    expect(retitled).toMatchObject({ status: 200, body: { title: "Sunset", status: "pending" } });
    expect((await call(photos.remove, { method: "DELETE", resource: PHOTO, pathParameters: params, sub: BOB })).status).toBe(404);
    expect((await call(photos.remove, { method: "DELETE", resource: PHOTO, pathParameters: params, sub: ALICE })).status).toBe(204);
    expect(await removalsSent()).toEqual([{ sub: ALICE, albumId: album.albumId, photoId: photo.photoId, objectKeys: [photo.objectKey], region: "us-east-1" }]);
    expect(s3.count("DeleteObject")).toBe(0);
    expect((await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: params, sub: ALICE })).status).toBe(404);
    // Gone: 404, and nothing more is sent.
    expect((await call(photos.remove, { method: "DELETE", resource: PHOTO, pathParameters: params, sub: ALICE })).status).toBe(404);
    expect(await removalsSent()).toEqual([]);
  });

  it("names the thumbnails that arrived between its read and its delete: the changed photo is read and sent again", async () => {
    const album = await newAlbum(ALICE);
    const { photo } = (await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 5 }, sub: ALICE })).body;
    const thumbnails = [320, 1280].map((w) => ({ key: `thumbnails/${ALICE}/${album.albumId}/${photo.photoId}/${w}.webp`, width: w, height: w, bytes: 1 }));
    // The thumbnail function finishes the photo while the first message is on its way.
    const send = globalThis.fetch;
    let raced = false;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      if (!raced && String(input).startsWith(sqs.endpoint)) {
        raced = true;
        await readyPhoto(ALICE, album.albumId, photo.photoId, thumbnails);
      }
      return send(input, init);
    });
    const removed = await call(photos.remove, { method: "DELETE", resource: PHOTO, pathParameters: { albumId: album.albumId, photoId: photo.photoId }, sub: ALICE });
    expect(removed.status).toBe(204);
    const ids = { sub: ALICE, albumId: album.albumId, photoId: photo.photoId, region: "us-east-1" };
    expect(await removalsSent()).toEqual([{ ...ids, objectKeys: [photo.objectKey] }, { ...ids, objectKeys: [photo.objectKey, ...thumbnails.map((t) => t.key)] }]);
    expect((await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: { albumId: album.albumId, photoId: photo.photoId }, sub: ALICE })).status).toBe(404);
  });

  it("answers 500 without details only for our own failures", async () => {
    const album = await newAlbum(ALICE);
    const { photo } = (await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: album.albumId }, body: { contentType: "image/png", size: 1 }, sub: ALICE })).body;
    // The removal cannot be sent (here: the queue is gone): 500, and the photo is still there, objects and all.
    process.env.PHOTO_REMOVALS_QUEUE_URL = sqs.queueUrl("no-such-queue");
    const params = { albumId: album.albumId, photoId: photo.photoId };
    const failed = await call(photos.remove, { method: "DELETE", resource: PHOTO, pathParameters: params, sub: ALICE });
    expect(failed).toMatchObject({ status: 500, body: { message: "Internal server error" } });
    expect(JSON.stringify(failed.body)).not.toMatch(/queue|QueueDoesNotExist/i);
    expect((await call(photos.get, { method: "GET", resource: PHOTO, pathParameters: params, sub: ALICE })).body).toMatchObject({ photoId: photo.photoId, status: "pending" });
    expect(s3.count("DeleteObject")).toBe(0);
  });
});
