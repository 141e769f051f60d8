/**
 * Photos of the signed-in user's albums. Creating a photo records it `pending` and
 * answers with a presigned S3 PUT URL for the original; PATCH `{ "status": "ready" }`
 * confirms the upload once the object is there (TTL removes photos never confirmed).
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { CreatePhoto, UpdatePhoto } from "../shared/gallery-schemas";
import { createPhoto, deletePhoto, getPhotoItem, listPhotos, toPublicPhoto, updatePhoto } from "../shared/gallery-store";
import { conflict, json, noContent, ownerOf, parseBody, pathParam, queryParam, route, tracer } from "../shared/api-http";
import { limitParam } from "./albums";

/** Seconds a presigned URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

let s3Client: S3Client | undefined;
function s3(): S3Client {
  // Emulators are addressed path-style (http://localhost:port/bucket/key).
  s3Client ??= tracer.captureAWSv3Client(new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) }));
  return s3Client;
}

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
  const downloadUrl =
    item.status === "ready" ? await getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket(), Key: item.objectKey }), { expiresIn: UPLOAD_URL_TTL_SECONDS }) : undefined;
  return json(200, { ...toPublicPhoto(item), ...(downloadUrl ? { downloadUrl } : {}) });
});

/** POST /albums/{albumId}/photos: a pending photo and the presigned URL to PUT the original to. */
export const create = route("createPhoto", async (event) => {
  const owner = ownerOf(event);
  const albumId = pathParam(event, "albumId");
  const input = parseBody(event, CreatePhoto);
  const item = await createPhoto(owner, albumId, input);
  const url = await getSignedUrl(
    s3(),
    new PutObjectCommand({ Bucket: bucket(), Key: item.objectKey, ContentType: input.contentType, ContentLength: input.size }),
    { expiresIn: UPLOAD_URL_TTL_SECONDS, signableHeaders: new Set(["content-type", "content-length"]) },
  );
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
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    if (head.ContentLength !== undefined && head.ContentLength !== size) {
      throw conflict(`The uploaded object is ${head.ContentLength} bytes, not the ${size} declared`);
    }
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name === "NotFound" || status === 404) throw conflict("The original has not been uploaded yet");
    throw error;
  }
}

/** DELETE /albums/{albumId}/photos/{photoId}: the item, then the original. */
export const remove = route("deletePhoto", async (event) => {
  const item = await deletePhoto(ownerOf(event), pathParam(event, "albumId"), pathParam(event, "photoId"));
  await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: item.objectKey }));
  return noContent();
});
