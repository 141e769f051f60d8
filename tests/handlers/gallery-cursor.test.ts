/**
 * Page cursors against an embedded dynalite: a cursor works only for the user and list it was
 * issued for, and anything else (crafted, edited, another user's) is a 400 naming the cursor —
 * never a DynamoDB ValidationException surfacing as a 500 (issue 11's crafted-cursor reproduction).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiEvent, lambdaContext, startGalleryTable, useGalleryApiEnvironment, type EventInput } from "./gallery-table";

let table: Awaited<ReturnType<typeof startGalleryTable>>;
let albums: typeof import("../../handlers/api/albums.js");
let photos: typeof import("../../handlers/api/photos.js");

beforeAll(async () => {
  table = await startGalleryTable();
  useGalleryApiEnvironment(table);
  albums = await import("../../handlers/api/albums.js");
  photos = await import("../../handlers/api/photos.js");
});
afterAll(() => table?.stop());

type Handler = (event: APIGatewayProxyEvent, context: typeof lambdaContext) => Promise<APIGatewayProxyResult>;
async function call(handler: Handler, input: EventInput) {
  const response = await handler(apiEvent(input), lambdaContext);
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
}

const ALBUMS = "/api/albums";
const PHOTOS = "/api/albums/{albumId}/photos";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function albumsOf(sub: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await call(albums.create, { method: "POST", resource: ALBUMS, body: { title: `album ${i}` }, sub });
    expect(created.status).toBe(201);
    ids.push(created.body.albumId);
  }
  return ids;
}

describe("album list cursors", () => {
  it("page through every album exactly once", async () => {
    const ids = await albumsOf("pager-sub", 5);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(albums.list, { method: "GET", resource: ALBUMS, query: { limit: "2", ...(cursor ? { cursor } : {}) }, sub: "pager-sub" });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((a: { albumId: string }) => a.albumId));
      cursor = page.body.next;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it.each([
    ["a crafted key in the caller's own partition", b64({ gsi1pk: "USER#crafty-sub" })],
    ["an unsigned full key", b64({ gsi1pk: "USER#crafty-sub", gsi1sk: "ALBUM#x", pk: "USER#crafty-sub", sk: "ALBUM#x" })],
    ["not base64 at all", "%%%"],
    ["an empty signature", `${b64({ a: 1 })}.`],
  ])("refuse %s with 400", async (_, cursor) => {
    await albumsOf("crafty-sub", 1);
    const response = await call(albums.list, { method: "GET", resource: ALBUMS, query: { cursor }, sub: "crafty-sub" });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/cursor/);
  });

  it("refuse an edited cursor and another user's cursor with 400", async () => {
    await albumsOf("owner-sub", 2);
    const page = await call(albums.list, { method: "GET", resource: ALBUMS, query: { limit: "1" }, sub: "owner-sub" });
    const cursor: string = page.body.next;
    const [payload, signature] = cursor.split(".");
    const key = JSON.parse(Buffer.from(payload, "base64url").toString());
    const edited = `${b64({ ...key, gsi1sk: "ALBUM#0" })}.${signature}`;
    expect((await call(albums.list, { method: "GET", resource: ALBUMS, query: { cursor: edited }, sub: "owner-sub" })).status).toBe(400);
    expect((await call(albums.list, { method: "GET", resource: ALBUMS, query: { cursor }, sub: "thief-sub" })).status).toBe(400);
  });
});

describe("photo list cursors", () => {
  it("refuse a cursor issued for another album of the same user", async () => {
    const [first, second] = await albumsOf("photo-sub", 2);
    for (let i = 0; i < 2; i++) {
      const created = await call(photos.create, { method: "POST", resource: PHOTOS, pathParameters: { albumId: first }, body: { contentType: "image/png", size: 10 }, sub: "photo-sub" });
      expect(created.status).toBe(201);
    }
    const page = await call(photos.list, { method: "GET", resource: PHOTOS, pathParameters: { albumId: first }, query: { limit: "1" }, sub: "photo-sub" });
    expect(page.status).toBe(200);
    expect(page.body.next).toBeTypeOf("string");
    const next = await call(photos.list, { method: "GET", resource: PHOTOS, pathParameters: { albumId: first }, query: { limit: "1", cursor: page.body.next }, sub: "photo-sub" });
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
    const elsewhere = await call(photos.list, { method: "GET", resource: PHOTOS, pathParameters: { albumId: second }, query: { cursor: page.body.next }, sub: "photo-sub" });
    expect(elsewhere.status).toBe(400);
  });
});
