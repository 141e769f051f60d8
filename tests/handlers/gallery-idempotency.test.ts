/**
 * POST /albums with an Idempotency-Key, against dynalite: a retry (same key, same body) answers the same album once
 * created — the region-failure drill's clients rely on it — and the same key with another body is refused.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idFromKey, newId } from "../../handlers/shared/gallery-keys";
import { apiEvent, lambdaContext, startGalleryTable, useGalleryApiEnvironment, type EventInput } from "./gallery-table";

let table: Awaited<ReturnType<typeof startGalleryTable>>;
let albums: typeof import("../../handlers/api/albums.js");

beforeAll(async () => {
  table = await startGalleryTable();
  useGalleryApiEnvironment(table);
  albums = await import("../../handlers/api/albums.js");
});
afterAll(() => table?.stop());

type Handler = (event: APIGatewayProxyEvent, context: typeof lambdaContext) => Promise<APIGatewayProxyResult>;
async function call(handler: Handler, input: EventInput) {
  const response = await handler(apiEvent(input), lambdaContext);
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined, headers: response.headers ?? {} };
}
const create = (sub: string, title: string, key?: string) =>
  call(albums.create, { method: "POST", resource: "/api/albums", body: { title }, sub, headers: key ? { "Idempotency-Key": key } : {} });

describe("POST /albums with an Idempotency-Key", () => {
  it("creates the album once: the retry answers 201 with the same album, marked replayed", async () => {
    const first = await create("idem-alice", "Trip", "key-1");
    const retry = await create("idem-alice", "Trip", "key-1");
    expect(first.status).toBe(201);
    expect(retry).toMatchObject({ status: 201, body: first.body, headers: { "idempotent-replayed": "true" } });
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    const list = await call(albums.list, { method: "GET", resource: "/api/albums", sub: "idem-alice" });
    expect(list.body.items.map((a: { albumId: string }) => a.albumId)).toEqual([first.body.albumId]);
  });

  it("keeps keys per owner, and refuses a key reused for another album", async () => {
    const alice = await create("idem-bob-1", "Same key", "shared");
    const bob = await create("idem-bob-2", "Same key", "shared");
    expect(alice.body.albumId).not.toBe(bob.body.albumId);
    expect(await create("idem-bob-1", "Other title", "shared")).toMatchObject({ status: 409 });
  });

  it("refuses keys that are not 1–255 visible ASCII characters", async () => {
    expect(await create("idem-carol", "x", "has space")).toMatchObject({ status: 400, body: { errors: { "Idempotency-Key": [expect.any(String)] } } });
  });

  it("derives ids of newId's shape, so every route accepts them", () => {
    expect(idFromKey("alice\nkey-1")).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(idFromKey("alice\nkey-1")).toBe(idFromKey("alice\nkey-1"));
    expect(newId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
