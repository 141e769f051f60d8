/**
 * Photos of the signed-in user's albums. Creating a photo records it `pending` and
 * answers with a presigned S3 PUT URL for the original; PATCH `{ "status": "ready" }`
 * confirms the upload once the object is there (TTL removes photos never confirmed).
 */
import { CreatePhoto, UpdatePhoto } from "../shared/gallery-schemas";
import { createPhoto, deletePhoto, getPhotoItem, listPhotos, toPublicPhoto, updatePhoto } from "../shared/gallery-store";
import { conflict, json, noContent, ownerOf, parseBody, pathParam, queryParam, route } from "../shared/api-http";
import { limitParam } from "./albums";

/** Seconds a presigned URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

/** S3 (handlers/shared/photo-objects.ts) loads on first use: listing photos never evaluates the S3 SDK. */
const objects = () => import("../shared/photo-objects.js");

function bucket(): string {
  const name = process.env.UPLOAD_BUCKET_NAME;
  if (!name) throw new Error("UPLOAD_BUCKET_NAME is not set");
  return name;
}

/** GET /albums/{albumId}/photos */
export const list = route("listPhotos", async (event) => {
  const page = await listPhotos(ownerOf(event), pathParam(event, "albumId"), limitParam(queryParam(event, "limit"), 100), queryParam(event, "cursor"));
  return json(200, page);
});

/** GET /albums/{albumId}/photos/{photoId}: the photo, with a short-lived download URL once it is ready. */
export const get = route("getPhoto", async (event) => {
  const item = await getPhotoItem(ownerOf(event), pathParam(event, "albumId"), pathParam(event, "photoId"));
  const downloadUrl = item.status === "ready" ? await (await objects()).downloadUrl(bucket(), item.objectKey, UPLOAD_URL_TTL_SECONDS) : undefined;
  return json(200, { ...toPublicPhoto(item), ...(downloadUrl ? { downloadUrl } : {}) });
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

/** PATCH /albums/{albumId}/photos/{photoId}: retitle, or confirm the upload with `{ "status": "ready" }`. */
export const update = route("updatePhoto", async (event) => {
  const owner = ownerOf(event);
  const albumId = pathParam(event, "albumId");
  const photoId = pathParam(event, "photoId");
  const input = parseBody(event, UpdatePhoto);
  if (input.status === "ready") {
    const item = await getPhotoItem(owner, albumId, photoId);
    if (item.status === "pending") await checkUploaded(item.objectKey, item.size);
  }
  return json(200, toPublicPhoto(await updatePhoto(owner, albumId, photoId, input)));
});

async function checkUploaded(key: string, size: number): Promise<void> {
  const actual = await (await objects()).objectSize(bucket(), key);
  if (actual === undefined) throw conflict("The original has not been uploaded yet");
  if (actual !== size) throw conflict(`The uploaded object is ${actual} bytes, not the ${size} declared`);
}

/** DELETE /albums/{albumId}/photos/{photoId}: the item, then the original. */
export const remove = route("deletePhoto", async (event) => {
  const item = await deletePhoto(ownerOf(event), pathParam(event, "albumId"), pathParam(event, "photoId"));
  await (await objects()).deleteObject(bucket(), item.objectKey);
  return noContent();
});
