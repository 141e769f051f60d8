/**
 * Photos of the signed-in user's albums. Creating a photo records it `pending` and answers
 * with a presigned S3 PUT URL for the original; the upload's ObjectCreated event runs the
 * thumbnail function (handlers/thumbnail), which makes the photo `ready` (or `failed`).
 * Listings carry short-lived thumbnail URLs; the original's URL only comes with GET of one photo. Deleting a photo
 * hands its objects to the photo-removals queue (below, `remove`).
 */
import type { PhotoItem } from "../shared/gallery-keys";
import { CreatePhoto, UpdatePhoto } from "../shared/gallery-schemas";
import { photoObjectKeys, photoRemoval, removalsQueue } from "../shared/photo-removals";
import { createPhoto, deletePhotoAsRead, getPhotoItem, listPhotos, toPublicPhoto, updatePhoto, type PublicPhoto } from "../shared/gallery-store";
import { conflict, json, limitParam, noContent, ownerOf, parseBody, pathParam, queryParam, route } from "../shared/api-http";

/** Seconds a presigned URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

/** S3 (handlers/shared/photo-objects.ts) loads on first use: listing photos never evaluates the S3 SDK. */
const objects = () => import("../shared/photo-objects.js");

function bucket(): string {
  const name = process.env.UPLOAD_BUCKET_NAME;
  if (!name) throw new Error("UPLOAD_BUCKET_NAME is not set");
  return name;
}

/** A photo as clients see it: thumbnails as `{ width, height, url }` (presigned GETs), never object keys. */
async function withThumbnailUrls(photo: PublicPhoto): Promise<Omit<PublicPhoto, "thumbnails"> & { thumbnails?: Array<{ width: number; height: number; url: string }> }> {
  const { thumbnails, ...rest } = photo;
  if (!thumbnails?.length) return rest;
  const s3 = await objects();
  return { ...rest, thumbnails: await Promise.all(thumbnails.map(async (t) => ({ width: t.width, height: t.height, url: await s3.downloadUrl(bucket(), t.key, UPLOAD_URL_TTL_SECONDS) }))) };
}

/** GET /albums/{albumId}/photos: thumbnail URLs for ready photos (S3 is loaded only when a page has one). */
export const list = route("listPhotos", async (event) => {
  const page = await listPhotos(ownerOf(event), pathParam(event, "albumId"), limitParam(queryParam(event, "limit"), 100), queryParam(event, "cursor"));
  return json(200, { ...page, items: await Promise.all(page.items.map(withThumbnailUrls)) });
});

/**
 * A presigned GET of the original. Where the API runs in a second region (RegionalApis) with the originals replicated
 * there (`ORIGINALS_REPLICA_BUCKET` in `ORIGINALS_REPLICA_REGION`), the copy in this region is served when it has
 * arrived, so a failed-over API still serves originals while the home region is down; a copy not replicated yet
 * comes from the home bucket.
 */
async function originalUrl(key: string): Promise<string> {
  const s3 = await objects();
  const replica = process.env.ORIGINALS_REPLICA_BUCKET;
  const replicaRegion = process.env.ORIGINALS_REPLICA_REGION;
  if (replica && replicaRegion && (await s3.objectSize(replica, key, replicaRegion)) !== undefined) return s3.downloadUrl(replica, key, UPLOAD_URL_TTL_SECONDS, replicaRegion);
  return s3.downloadUrl(bucket(), key, UPLOAD_URL_TTL_SECONDS);
}

/** GET /albums/{albumId}/photos/{photoId}: the photo with its thumbnails and, once ready, a short-lived URL of the original. */
export const get = route("getPhoto", async (event) => {
  const item: PhotoItem = await getPhotoItem(ownerOf(event), pathParam(event, "albumId"), pathParam(event, "photoId"));
  const downloadUrl = item.status === "ready" ? await originalUrl(item.objectKey) : undefined;
  return json(200, { ...(await withThumbnailUrls(toPublicPhoto(item))), ...(downloadUrl ? { downloadUrl } : {}) });
});

/** POST /albums/{albumId}/photos: a pending photo and the presigned URL to PUT the original to. */
export const create = route("createPhoto", async (event) => {
  const owner = ownerOf(event);
  const albumId = pathParam(event, "albumId");
  const input = parseBody(event, CreatePhoto);
  const item = await createPhoto(owner, albumId, input);
  const url = await (await objects()).uploadUrl(bucket(), item.objectKey, input.contentType, input.size, UPLOAD_URL_TTL_SECONDS);
  return json(
    201,
    { photo: toPublicPhoto(item), upload: { method: "PUT", url, headers: { "content-type": input.contentType }, expiresIn: UPLOAD_URL_TTL_SECONDS } },
    { location: `${event.path.replace(/\/$/, "")}/${item.photoId}` },
  );
});

/** PATCH /albums/{albumId}/photos/{photoId}: retitle. (A photo becomes ready when its thumbnails exist, never by request.) */
export const update = route("updatePhoto", async (event) => {
  const input = parseBody(event, UpdatePhoto);
  const item = await updatePhoto(ownerOf(event), pathParam(event, "albumId"), pathParam(event, "photoId"), input);
  return json(200, await withThumbnailUrls(toPublicPhoto(item)));
});

/** SQS (handlers/shared/queue-messages.ts) loads on first use too: only DELETE sends. */
const queue = () => import("../shared/queue-messages.js");

/** A photo's status changes at most once (pending → ready or failed), so a third read finds it settled or gone. */
const DELETE_PASSES = 3;

/**
 * DELETE /albums/{albumId}/photos/{photoId}: the original and thumbnails are deleted by the photo-object-removal
 * function (handlers/photo-removal), through the photo-removals queue, once the item is gone. The message is sent
 * first, naming the objects of the item as read, then the item is deleted if it is still as read: a failed send
 * answers 500 with the photo still there, and the objects it read are never left without a message to remove them
 * (the consumer also removes every thumbnail key the photo may have, which covers thumbnails this read missed). A photo
 * that changed in between (its thumbnails arrived) is read and sent again; one deleted in between answers 404. Served
 * outside the home region, the read and the delete are that region's replica's: docs/events.md ("Several regions")
 * lists what that leaves open.
 */
export const remove = route("deletePhoto", async (event) => {
  const owner = ownerOf(event);
  const albumId = pathParam(event, "albumId");
  const photoId = pathParam(event, "photoId");
  const { url, region } = removalsQueue();
  for (let pass = 0; pass < DELETE_PASSES; pass++) {
    const item = await getPhotoItem(owner, albumId, photoId, true);
    const removal = photoRemoval({ sub: owner, albumId, photoId }, photoObjectKeys(item));
    await (await queue()).sendMessage(url, region, JSON.stringify(removal));
    if (await deletePhotoAsRead(item)) return noContent();
  }
  throw conflict("The photo keeps changing; try again");
});
