/**
 * Photos of the signed-in user's albums. Creating a photo records it `pending` and
 * answers with a presigned S3 PUT URL for the original; PATCH `{ "status": "ready" }`
 * confirms the upload once the object is there (TTL removes photos never confirmed).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { CreatePhoto, UpdatePhoto } from "../shared/gallery-schemas";
import { createPhoto, deletePhoto, getPhotoItem, listPhotos, toPublicPhoto, updatePhoto } from "../shared/gallery-store";
import { conflict, json, noContent, ownerOf, parseBody, pathParam, queryParam, route, tracer } from "../shared/api-http";
import { limitParam } from "./albums";

/** Seconds a presigned URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

/**
 * The S3 client and presigner load on first use: listing photos never touches S3, so that
 * route's cold start does not evaluate the S3 SDK (bench/cold-start.bench.ts).
 */
let s3Module: Promise<{ client: S3Client; sdk: typeof import("@aws-sdk/client-s3"); getSignedUrl: typeof import("@aws-sdk/s3-request-presigner").getSignedUrl }> | undefined;
function s3() {
  s3Module ??= Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/s3-request-presigner")]).then(([sdk, presigner]) => ({
    sdk,
    getSignedUrl: presigner.getSignedUrl,
    // Emulators are addressed path-style (http://localhost:port/bucket/key).
    client: tracer.captureAWSv3Client(new sdk.S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) })),
  }));
  return s3Module;
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
  let downloadUrl: string | undefined;
  if (item.status === "ready") {
    const { client, sdk, getSignedUrl } = await s3();
    downloadUrl = await getSignedUrl(client, new sdk.GetObjectCommand({ Bucket: bucket(), Key: item.objectKey }), { expiresIn: UPLOAD_URL_TTL_SECONDS });
  }
  return json(200, { ...toPublicPhoto(item), ...(downloadUrl ? { downloadUrl } : {}) });
});

/** POST /albums/{albumId}/photos: a pending photo and the presigned URL to PUT the original to. */
export const create = route("createPhoto", async (event) => {
  const owner = ownerOf(event);
  const albumId = pathParam(event, "albumId");
  const input = parseBody(event, CreatePhoto);
  const item = await createPhoto(owner, albumId, input);
  const { client, sdk, getSignedUrl } = await s3();
  const url = await getSignedUrl(
    client,
    new sdk.PutObjectCommand({ Bucket: bucket(), Key: item.objectKey, ContentType: input.contentType, ContentLength: input.size }),
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
    const { client, sdk } = await s3();
    const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket(), Key: key }));
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
  const { client, sdk } = await s3();
  await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket(), Key: item.objectKey }));
  return noContent();
});
