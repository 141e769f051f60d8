/**
 * What DELETE /albums/{albumId}/photos/{photoId}, the scheduled clean-up and the thumbnail function hand the photo-object-removal function
 * through the photo-removals MessageQueue (index.ts): the photo's item (by owner, album and photo) and the object keys
 * to delete once that item is gone. The API sends the message before it deletes the item, so a failure between the two
 * orphans no object; the clean-up sends it after its conditional delete (handlers/photo-cleanup says why). The consumer
 * (handlers/photo-removal) deletes them only once the item is gone, and only keys of that very photo — with every
 * thumbnail key the photo may have, named or not. What several regions leave open: docs/events.md ("Several regions").
 * The thumbnail function is a third sender: it hands over the original (and any thumbnails it made) of a photo whose
 * item it found gone. Each sender names its own region (`region`), so the consumer knows whether a photo it still
 * finds may be one whose delete has not replicated to the home region yet.
 */
import * as z from "zod/mini";
import { en } from "zod/locales";
import { parseOriginalKey, THUMBNAIL_WIDTHS, thumbnailKey } from "./gallery-keys";
import { regionOr } from "./regions";

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
  /**
   * The region of the function that sent it (its AWS_REGION; photoRemoval sets it). Optional: messages queued before
   * it existed stay valid (the consumer treats them as from another region).
   */
  region: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,50}$/, { message: "must be a region name" }))),
});

export type PhotoRemoval = z.infer<typeof PhotoRemoval>;

/**
 * The photo-removals queue (index.ts) and its region, which every send is signed for: not always the function's, as
 * RegionalApis runs the API in other regions too, whose functions send to the home region's queue.
 */
export function removalsQueue(): { url: string; region: string } {
  const url = process.env.PHOTO_REMOVALS_QUEUE_URL;
  if (!url) throw new Error("PHOTO_REMOVALS_QUEUE_URL is not set");
  return { url, region: regionOr(process.env.PHOTO_REMOVALS_QUEUE_REGION) };
}

type PhotoRef = Pick<PhotoRemoval, "sub" | "albumId" | "photoId">;

/** The removal of `photo`'s `objectKeys` as a sender in this function's region sends it: `region` is its AWS_REGION. */
export function photoRemoval({ sub, albumId, photoId }: PhotoRef, objectKeys: string[]): PhotoRemoval {
  const region = process.env.AWS_REGION;
  return { sub, albumId, photoId, objectKeys, ...(region ? { region } : {}) };
}

/** Every thumbnail key the gallery makes for a photo (gallery-keys thumbnailKey, one per THUMBNAIL_WIDTHS). */
export function photoThumbnailKeys({ sub, albumId, photoId }: PhotoRef): string[] {
  return THUMBNAIL_WIDTHS.map((width) => thumbnailKey(sub, albumId, photoId, width));
}

/**
 * Whether `key` is one of this photo's objects, by gallery-keys' own key grammar: its original (parseOriginalKey names
 * this very photo) or one of its thumbnails (photoThumbnailKeys). Anything else, another user's objects included, is
 * refused.
 */
export function isPhotoObjectKey(removal: PhotoRef, key: string): boolean {
  const original = parseOriginalKey(key);
  if (original) return original.sub === removal.sub && original.albumId === removal.albumId && original.photoId === removal.photoId;
  return photoThumbnailKeys(removal).includes(key);
}

/** A photo item's objects: its original and the thumbnails it records. */
export function photoObjectKeys(item: { objectKey: string; thumbnails?: Array<{ key: string }> }): string[] {
  return [item.objectKey, ...(item.thumbnails ?? []).map((t) => t.key)];
}

/**
 * `value` as a PhotoRemoval naming only that photo's objects, or why not: what the consumer accepts, checked by a
 * sender too so a message the consumer would refuse is never sent.
 */
export function checkRemoval(value: unknown): { removal: PhotoRemoval } | { problem: string } {
  const parsed = PhotoRemoval.safeParse(value);
  if (!parsed.success) return { problem: `the message is not a photo removal: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"} ${i.message}`).join("; ")}` };
  const foreign = parsed.data.objectKeys.filter((key) => !isPhotoObjectKey(parsed.data, key));
  if (foreign.length > 0) return { problem: `the message names keys that are not this photo's objects: ${foreign.slice(0, 3).join(", ")}` };
  return { removal: parsed.data };
}
