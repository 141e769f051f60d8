/**
 * The signed-in user's albums: list (newest first), get, create, update, delete.
 * One module, one export per route; ServerlessApi makes each route its own function
 * with its own least-privilege role.
 */
import { CreateAlbum, UpdateAlbum } from "../shared/gallery-schemas";
import { executionState, requestAlbumDeletion } from "../shared/album-events";
import { createAlbum, createAlbumOnce, deleteAlbum, failAlbumDeletion, getAlbum, listAlbums, restartAlbumDeletion, UNCLAIMED_DELETION_MS, updateAlbum, type AlbumRemoval } from "../shared/gallery-store";
import type { AlbumDeletion } from "../shared/gallery-keys";
import { badRequest, headerParam, json, limitParam, noContent, ownerOf, parseBody, pathParam, queryParam, route } from "../shared/api-http";

/** GET /albums?limit=&cursor= */
export const list = route("listAlbums", async (event) => {
  const page = await listAlbums(ownerOf(event), limitParam(queryParam(event, "limit"), 50), queryParam(event, "cursor"));
  return json(200, page);
});

/** GET /albums/{albumId} */
export const get = route("getAlbum", async (event) => json(200, await getAlbum(ownerOf(event), pathParam(event, "albumId"))));

/** Idempotency-Key: 1–255 visible ASCII characters (a UUID, say), chosen by the client per album it means to create. */
function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) throw badRequest("Invalid header", { "Idempotency-Key": ["must be 1–255 visible ASCII characters"] });
  return value;
}

/**
 * POST /albums. With an `Idempotency-Key` header the create happens once per key: a retry answers the same 201 with
 * the same album (and `idempotent-replayed: true`), in either region (docs/multi-region.md).
 */
export const create = route("createAlbum", async (event) => {
  const owner = ownerOf(event);
  const input = parseBody(event, CreateAlbum);
  const key = idempotencyKey(headerParam(event, "idempotency-key"));
  const { album, replayed } = key ? await createAlbumOnce(owner, input, key) : { album: await createAlbum(owner, input), replayed: false };
  return json(201, album, { location: `${event.path.replace(/\/$/, "")}/${album.albumId}`, ...(replayed ? { "idempotent-replayed": "true" } : {}) });
});

/** PATCH /albums/{albumId} */
export const update = route("updateAlbum", async (event) => {
  const owner = ownerOf(event);
  const albumId = pathParam(event, "albumId");
  return json(200, await updateAlbum(owner, albumId, parseBody(event, UpdateAlbum)));
});

/**
 * Whether a deletion marked `deleting` has nothing running it: its execution ended at least UNCLAIMED_DELETION_MS ago,
 * or none claimed it in that time. Not as soon as it ended: an execution that handed the album on (Handoff) has
 * succeeded moments before the next one claims it, and a DELETE in that gap would start a needless run. Whether
 * something newer claimed it meanwhile is restartAlbumDeletion's condition (the mark still names this execution).
 */
async function abandoned(deletion: AlbumDeletion): Promise<boolean> {
  if (!deletion.execution) return Date.now() - Date.parse(deletion.requestedAt) >= UNCLAIMED_DELETION_MS;
  const execution = await executionState(deletion.execution);
  return !execution.running && Date.now() - execution.stoppedAt >= UNCLAIMED_DELETION_MS;
}

/**
 * DELETE /albums/{albumId}: an empty album goes at once (204). One with photos is marked deleting and answered 202: the
 * AlbumDeletionRequested event starts the album-deletion workflow (index.ts), which removes each photo as DELETE of a
 * photo does, then the album. A DELETE while it is deleting answers 202 again and starts nothing while the deletion
 * runs (or when Step Functions cannot say whether it runs); one whose execution ended without deleting the album
 * (stopped, failed at the top level, its hand-off never started) at least 10 minutes ago, or that no execution claimed
 * in 10 minutes, starts over, as after a failed deletion. An album whose look for photos or delete failed after its mark
 * is handed to the workflow as one with photos (202: deleteAlbum). When the event cannot be put, the deletion is
 * marked failed (nothing would run it) and the answer is 500.
 */
export const remove = route("deleteAlbum", async (event) => {
  const owner = ownerOf(event);
  const albumId = pathParam(event, "albumId");
  let removal: AlbumRemoval = await deleteAlbum(owner, albumId);
  if (removal.outcome === "deleted") return noContent();
  if (removal.outcome === "deleting" && (await abandoned(removal.deletion))) removal = await restartAlbumDeletion(owner, albumId, removal.deletion);
  if (removal.outcome === "started") {
    try {
      await requestAlbumDeletion({ sub: owner, albumId, requestedAt: removal.deletion.requestedAt });
    } catch (error) {
      // The original error is the answer's; a mark that fails too leaves the album deleting (reported in the logs by route).
      await failAlbumDeletion(owner, albumId, removal.deletion, "The deletion could not be started; delete the album again").catch(() => undefined);
      throw error;
    }
  }
  return json(202, { albumId, deletion: "deleting", message: "The album and its photos are being deleted" });
});
