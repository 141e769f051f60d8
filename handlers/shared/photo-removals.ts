/**
 * What DELETE /albums/{albumId}/photos/{photoId} and the scheduled clean-up hand the photo-object-removal function
 * through the photo-removals MessageQueue (index.ts): the photo's item (by owner, album and photo) and the object keys
 * to delete once that item is gone. The API sends the message before it deletes the item, so objects are never
 * orphaned by a failure between the two; the clean-up sends it after its conditional delete (handlers/photo-cleanup
 * says why). The consumer (handlers/photo-removal) deletes them only once the item is gone, and only keys of that very
 * photo.
 */
import * as z from "zod/mini";
import { en } from "zod/locales";
import { ORIGINALS_PREFIX, THUMBNAILS_PREFIX } from "./gallery-keys";

z.config(en());

/**
 * One path segment of a key (a user's sub, an album or photo id): no slash, and not `.` or `..`, which `fetch`'s URL
 * parsing would resolve away, addressing another key than the one checked.
 */
const segment = z.string().check(
  z.minLength(1),
  z.maxLength(128),
  z.refine((value) => !value.includes("/") && value !== "." && value !== "..", { message: "must be one path segment" }),
);

export const PhotoRemoval = z.strictObject({
  sub: segment,
  albumId: segment,
  photoId: segment,
  /** The original and its thumbnails; S3 keys are at most 1,024 bytes (Amazon S3 User Guide, "Naming Amazon S3 objects"). */
  objectKeys: z.array(z.string().check(z.minLength(1), z.maxLength(1024))).check(z.minLength(1), z.maxLength(16)),
});

export type PhotoRemoval = z.infer<typeof PhotoRemoval>;

/**
 * The photo-removals queue (index.ts) and its region, which every send is signed for: not always the function's, as
 * RegionalApis runs the API in other regions too, whose functions send to the home region's queue.
 */
export function removalsQueue(): { url: string; region: string } {
  const url = process.env.PHOTO_REMOVALS_QUEUE_URL;
  if (!url) throw new Error("PHOTO_REMOVALS_QUEUE_URL is not set");
  const region = process.env.PHOTO_REMOVALS_QUEUE_REGION || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("AWS_REGION is not set");
  return { url, region };
}

const EXTENSION = /^[a-z0-9]+$/;
const THUMBNAIL = /^[0-9]+\.webp$/;

/**
 * Whether `key` is one of this photo's objects: its original (`originals/<sub>/<albumId>/<photoId>.<ext>`,
 * gallery-keys originalKey) or one of its thumbnails (`thumbnails/<sub>/<albumId>/<photoId>/<width>.webp`,
 * thumbnailKey). Anything else, another user's objects included, is refused.
 */
export function isPhotoObjectKey(removal: Pick<PhotoRemoval, "sub" | "albumId" | "photoId">, key: string): boolean {
  const original = `${ORIGINALS_PREFIX}${removal.sub}/${removal.albumId}/${removal.photoId}.`;
  const thumbnails = `${THUMBNAILS_PREFIX}${removal.sub}/${removal.albumId}/${removal.photoId}/`;
  if (key.startsWith(original)) return EXTENSION.test(key.slice(original.length));
  if (key.startsWith(thumbnails)) return THUMBNAIL.test(key.slice(thumbnails.length));
  return false;
}
