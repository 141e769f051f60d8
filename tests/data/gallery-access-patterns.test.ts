/**
 * Every access pattern the README documents for the gallery and preferences tables,
 * run against dynalite with the tables `npm start` creates from index.ts (dev stack),
 * and the counters function (its real bundle, in the local Lambda sandbox) fed by the
 * local stream emulation.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamSubscriptionSpec } from "../../components/data-tier/stream";
import { registeredSpecs } from "../../components/spec-registry";
import {
  albumItem, albumKey, albumPhotosGsi1pk, albumPhotosPrefix, GSI1, photoItem, photoKey, profileItem, profileKey, userPk,
  type AlbumItem, type PhotoItem, type ProfileItem,
} from "../../handlers/shared/gallery-keys";
import { startLocalDynamo, type LocalDynamo, type LocalTable } from "../../local/dynamodb";
import { LocalLambda } from "../../local/lambda-runtime";
import { resolveValue } from "../../local/offline/program";
import { adoptRecordedRun } from "../../local/offline/program-cache";
import { localTables } from "../../local/services/dynamodb";
import { devAppRun } from "../setup/dev-app";

let dynamo: LocalDynamo;
let tables: LocalTable[];
let doc: DynamoDBDocumentClient;
let gallery: string;
let preferences: string;
const lambdas: LocalLambda[] = [];

beforeAll(async () => {
  // The specs of the run `npm start` would serve (the suite's one recorded dev run), as startLocalApp adopts them.
  adoptRecordedRun(await devAppRun());
  tables = await localTables();
  gallery = tables.find((t) => t.id === "data.gallery")!.tableName;
  preferences = tables.find((t) => t.id === "data.preferences")!.tableName;
  const environment: Record<string, string> = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", POWERTOOLS_DEV: "true" };
  const buildDir = mkdtempSync(join(tmpdir(), "sf-data-"));
  const subscribers = registeredSpecs<StreamSubscriptionSpec>("StreamSubscription").map(({ spec }) => {
    const lambda = new LocalLambda(spec.function, { buildDir, sharedEnvironment: environment });
    lambdas.push(lambda);
    return { spec, tableName: tables.find((t) => t.id === `${spec.dataTier}.${spec.table}`)!.tableName, invoke: (event: unknown) => lambda.invoke(event) };
  });
  dynamo = await startLocalDynamo({ tables, subscribers, region: "us-east-1", ttlIntervalMs: 3_600_000 });
  environment.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
});

afterAll(async () => {
  await dynamo?.stop();
  for (const lambda of lambdas) await lambda.stop();
});

const sub = "3f1c2a9e-0000-4000-8000-000000000001";
const other = "3f1c2a9e-0000-4000-8000-000000000002";

async function get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
  return (await doc.send(new GetCommand({ TableName: gallery, Key: key, ConsistentRead: true }))).Item as T | undefined;
}

describe("local tables match index.ts", () => {
  it("creates the gallery and preferences tables with the declared keys and gsi1, under the names handlers get", async () => {
    const raw = new DynamoDBClient({ endpoint: dynamo.dynaliteEndpoint, region: "us-east-1", credentials: { accessKeyId: "l", secretAccessKey: "l" } });
    const table = (await raw.send(new DescribeTableCommand({ TableName: gallery }))).Table!;
    expect(table.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);
    expect(table.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema, i.Projection])).toEqual([
      ["gsi1", [{ AttributeName: "gsi1pk", KeyType: "HASH" }, { AttributeName: "gsi1sk", KeyType: "RANGE" }], { ProjectionType: "ALL" }],
    ]);
    const prefs = (await raw.send(new DescribeTableCommand({ TableName: preferences }))).Table!;
    expect(prefs.KeySchema).toEqual([{ AttributeName: "identityId", KeyType: "HASH" }, { AttributeName: "key", KeyType: "RANGE" }]);
    const countersSpec = registeredSpecs<StreamSubscriptionSpec>("StreamSubscription")[0].spec;
    expect(await resolveValue(countersSpec.function.environment.TABLE_NAME)).toBe(gallery);
    raw.destroy();
  });
});

// Numbered steps on one user's data, each building on the ones before: in this order, also with --sequence.shuffle.
describe("gallery access patterns (README: DataTier)", { shuffle: false }, () => {
  let album: AlbumItem;
  let older: AlbumItem;
  let photo: PhotoItem;

  it("1. create a profile once (conditional put) and get it by user", async () => {
    const profile = profileItem({ sub, email: "ada@example.com", displayName: "Ada", createdAt: "2026-01-01T00:00:00.000Z" });
    await doc.send(new PutCommand({ TableName: gallery, Item: profile, ConditionExpression: "attribute_not_exists(pk)" }));
    await expect(doc.send(new PutCommand({ TableName: gallery, Item: profile, ConditionExpression: "attribute_not_exists(pk)" }))).rejects.toThrow(/conditional request failed/i);
    expect(await get<ProfileItem>(profileKey(sub))).toMatchObject({ email: "ada@example.com", albumCount: 0 });
    await doc.send(new PutCommand({ TableName: gallery, Item: profileItem({ sub: other, email: "bob@example.com", displayName: "Bob" }) }));
  });

  it("2. create albums and get one by user and album id", async () => {
    older = albumItem({ sub, title: "Older", createdAt: "2026-02-01T00:00:00.000Z" });
    album = albumItem({ sub, title: "Holidays", description: "Summer", createdAt: "2026-03-01T00:00:00.000Z" });
    for (const item of [older, album]) await doc.send(new PutCommand({ TableName: gallery, Item: item, ConditionExpression: "attribute_not_exists(pk)" }));
    await doc.send(new PutCommand({ TableName: gallery, Item: albumItem({ sub: other, title: "Not Ada's" }) }));
    expect(await get<AlbumItem>(albumKey(sub, album.albumId))).toMatchObject({ title: "Holidays", photoCount: 0 });
  });

  it("3. list a user's albums newest first (gsi1)", async () => {
    const result = await doc.send(
      new QueryCommand({
        TableName: gallery,
        IndexName: GSI1,
        KeyConditionExpression: "gsi1pk = :user AND begins_with(gsi1sk, :albums)",
        ExpressionAttributeValues: { ":user": userPk(sub), ":albums": "ALBUM#" },
        ScanIndexForward: false,
      }),
    );
    expect(result.Items?.map((i) => i.title)).toEqual(["Holidays", "Older"]);
  });

  it("4. update an album's title (not its counters)", async () => {
    await doc.send(
      new UpdateCommand({
        TableName: gallery,
        Key: albumKey(sub, album.albumId),
        UpdateExpression: "SET title = :t, updatedAt = :u",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":t": "Summer holidays", ":u": "2026-03-02T00:00:00.000Z" },
      }),
    );
    expect(await get<AlbumItem>(albumKey(sub, album.albumId))).toMatchObject({ title: "Summer holidays", updatedAt: "2026-03-02T00:00:00.000Z" });
  });

  it("5. add a pending photo (with TTL), then confirm the upload: status ready, TTL removed", async () => {
    photo = photoItem({ sub, albumId: album.albumId, objectKey: `uploads/${sub}/a.jpg`, contentType: "image/jpeg", size: 1234, title: "Beach", createdAt: "2026-03-03T00:00:00.000Z" });
    expect(photo).toMatchObject({ status: "pending", expiresAt: Date.parse("2026-03-04T00:00:00.000Z") / 1000 });
    await doc.send(new PutCommand({ TableName: gallery, Item: photo }));
    await doc.send(
      new UpdateCommand({
        TableName: gallery,
        Key: photoKey(sub, album.albumId, photo.photoId),
        UpdateExpression: "SET #status = :ready REMOVE expiresAt",
        ConditionExpression: "#status = :pending",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":ready": "ready", ":pending": "pending" },
      }),
    );
    const confirmed = await get<PhotoItem>(photoKey(sub, album.albumId, photo.photoId));
    expect(confirmed?.status).toBe("ready");
    expect(confirmed?.expiresAt).toBeUndefined();
  });

  it("6. list an album's photos in upload order (gsi1) and by id (table, begins_with)", async () => {
    const second = photoItem({ sub, albumId: album.albumId, objectKey: "k2", contentType: "image/png", size: 1, status: "ready", createdAt: "2026-03-05T00:00:00.000Z" });
    await doc.send(new PutCommand({ TableName: gallery, Item: second }));
    const byUpload = await doc.send(
      new QueryCommand({
        TableName: gallery,
        IndexName: GSI1,
        KeyConditionExpression: "gsi1pk = :album AND begins_with(gsi1sk, :photos)",
        ExpressionAttributeValues: { ":album": albumPhotosGsi1pk(album.albumId), ":photos": "PHOTO#" },
      }),
    );
    expect(byUpload.Items?.map((i) => i.photoId)).toEqual([photo.photoId, second.photoId]);
    const byId = await doc.send(
      new QueryCommand({
        TableName: gallery,
        KeyConditionExpression: "pk = :user AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":user": userPk(sub), ":prefix": albumPhotosPrefix(album.albumId) },
      }),
    );
    expect(byId.Items?.map((i) => i.photoId).sort()).toEqual([photo.photoId, second.photoId].sort());
  });

  it("7. the stream keeps album.photoCount (ready photos) and profile.albumCount", async () => {
    await dynamo.drained();
    expect((await get<AlbumItem>(albumKey(sub, album.albumId)))?.photoCount).toBe(2);
    expect((await get<ProfileItem>(profileKey(sub)))?.albumCount).toBe(2);
    expect((await get<ProfileItem>(profileKey(other)))?.albumCount).toBe(1);
  });

  it("8. a user's whole partition: profile, albums and photos in one query", async () => {
    const everything = await doc.send(new QueryCommand({ TableName: gallery, KeyConditionExpression: "pk = :user", ExpressionAttributeValues: { ":user": userPk(sub) } }));
    expect(everything.Items?.map((i) => i.type).sort()).toEqual(["album", "album", "photo", "photo", "profile"]);
  });

  it("9. TTL removes an abandoned pending upload, and it never counted", async () => {
    const abandoned = photoItem({ sub, albumId: album.albumId, objectKey: "k3", contentType: "image/jpeg", size: 5, createdAt: "2026-01-01T00:00:00.000Z" });
    await doc.send(new PutCommand({ TableName: gallery, Item: abandoned }));
    const fresh = photoItem({ sub, albumId: album.albumId, objectKey: "k4", contentType: "image/jpeg", size: 5 });
    await doc.send(new PutCommand({ TableName: gallery, Item: fresh }));
    expect(await dynamo.ttl.sweep()).toBe(1);
    expect(await get(photoKey(sub, album.albumId, abandoned.photoId))).toBeUndefined();
    expect(await get(photoKey(sub, album.albumId, fresh.photoId))).toBeDefined();
    await dynamo.drained();
    expect((await get<AlbumItem>(albumKey(sub, album.albumId)))?.photoCount).toBe(2);
  });

  it("10. delete a photo and an album: counters follow", async () => {
    await doc.send(new DeleteCommand({ TableName: gallery, Key: photoKey(sub, album.albumId, photo.photoId) }));
    await doc.send(new DeleteCommand({ TableName: gallery, Key: albumKey(sub, older.albumId) }));
    await dynamo.drained();
    expect((await get<AlbumItem>(albumKey(sub, album.albumId)))?.photoCount).toBe(1);
    expect((await get<ProfileItem>(profileKey(sub)))?.albumCount).toBe(1);
  });
});

describe("preferences access patterns (README: DataTier)", () => {
  it("put, get and list a user's settings by identity id", async () => {
    const identityId = "us-east-1:11111111-2222-3333-4444-555555555555";
    await doc.send(new PutCommand({ TableName: preferences, Item: { identityId, key: "theme", value: "dark" } }));
    await doc.send(new PutCommand({ TableName: preferences, Item: { identityId, key: "gridSize", value: 4 } }));
    await doc.send(new PutCommand({ TableName: preferences, Item: { identityId: "us-east-1:other", key: "theme", value: "light" } }));
    expect((await doc.send(new GetCommand({ TableName: preferences, Key: { identityId, key: "theme" } }))).Item?.value).toBe("dark");
    const all = await doc.send(new QueryCommand({ TableName: preferences, KeyConditionExpression: "identityId = :id", ExpressionAttributeValues: { ":id": identityId } }));
    expect(all.Items?.map((i) => i.key)).toEqual(["gridSize", "theme"]);
  });
});
