/**
 * The gallery table's single-table design (README "DataTier: table design"): key
 * builders and item types. Every handler that reads or writes the `gallery` table
 * builds its keys here, so the access patterns in the README hold everywhere.
 *
 * | item    | pk            | sk                           | gsi1pk          | gsi1sk                          |
 * | ------- | ------------- | ---------------------------- | --------------- | ------------------------------- |
 * | profile | `USER#<sub>`  | `PROFILE`                    |                 |                                 |
 * | album   | `USER#<sub>`  | `ALBUM#<albumId>`            | `USER#<sub>`    | `ALBUM#<createdAt>`             |
 * | photo   | `USER#<sub>`  | `PHOTO#<albumId>#<photoId>`  | `ALBUM#<albumId>` | `PHOTO#<createdAt>#<photoId>` |
 */
import { createHash, randomBytes } from "node:crypto";

/**
 * The source and detail-type of the gallery's AlbumDeletionRequested event (handlers/shared/album-events.ts puts it;
 * index.ts subscribes the album-deletion workflow to exactly these, and the workflow's hand-off puts it too). Here, not
 * in album-events.ts, so that the Pulumi program reads them without the signing and X-Ray code.
 */
export const ALBUM_EVENTS_SOURCE = "gallery.albums";
export const ALBUM_DELETION_REQUESTED = "AlbumDeletionRequested";

/** Name of the gallery table's only global secondary index. */
export const GSI1 = "gsi1";
/** Attribute DynamoDB's TTL reads (epoch seconds). */
export const TTL_ATTRIBUTE = "expiresAt";

export interface TableKey {
  pk: string;
  sk: string;
}

/** The same as TableKey, under the name some handlers use. */
export type Key = TableKey;

export interface Gsi1Key {
  gsi1pk: string;
  gsi1sk: string;
}

/** pending: created, upload awaited; ready: thumbnails made (handlers/thumbnail); failed: the upload is not an image the gallery can show. */
export type PhotoStatus = "pending" | "ready" | "failed";

/** One WebP rendition under `thumbnails/`, made by handlers/thumbnail. */
export interface Thumbnail {
  /** Object key in the upload bucket. */
  key: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ProfileItem extends TableKey {
  /** Item kind; set by the builders below (the sort key says the same, see itemType). */
  type?: "profile";
  email: string;
  displayName: string;
  albumCount: number;
  createdAt: string;
}

export interface AlbumItem extends TableKey, Gsi1Key {
  /** Item kind; set by the builders below (the sort key says the same, see itemType). */
  type?: "album";
  albumId: string;
  title: string;
  description?: string;
  photoCount: number;
  createdAt: string;
  updatedAt: string;
  /** Set while the album-deletion workflow removes its photos (DELETE of an album with photos; index.ts "album deletion"). */
  deletion?: AlbumDeletion;
}

/**
 * An album's deletion under way (`deleting`), or the one that failed (`failed`, with the workflow's error; photos not
 * yet removed are still there, and DELETE starts it again). `execution` is the Step Functions execution that claimed it.
 * `requestedAt` names the deletion: written anew each time DELETE starts one, and carried by its AlbumDeletionRequested
 * event, so that the workflow tells a duplicate delivery of that event from a later DELETE's (index.ts SameRequest).
 */
export interface AlbumDeletion {
  state: "deleting" | "failed";
  requestedAt: string;
  execution?: string;
  error?: string;
}

export interface PhotoItem extends TableKey, Gsi1Key {
  /** Item kind; set by the builders below (the sort key says the same, see itemType). */
  type?: "photo";
  photoId: string;
  albumId: string;
  title?: string;
  objectKey: string;
  contentType: string;
  size: number;
  status: PhotoStatus;
  createdAt: string;
  /** Epoch seconds; only pending photos have it, so TTL removes abandoned uploads (the scheduled clean-up removes them, with their objects, sooner). */
  expiresAt?: number;
  /** Set when the original was read (ready): its pixel size, after EXIF rotation, and its decoded format. */
  width?: number;
  height?: number;
  format?: string;
  /** The renditions, smallest first (ready). */
  thumbnails?: Thumbnail[];
  /** Why the original could not be used (failed). */
  failureReason?: string;
  /** When the thumbnail function finished with the photo (ready or failed). */
  processedAt?: string;
}

export type GalleryItem = ProfileItem | AlbumItem | PhotoItem;

// ------------------------------------------------------------------ keys

export const userPk = (sub: string): string => `USER#${sub}`;
export const PROFILE_SK = "PROFILE";
export const ALBUM_PREFIX = "ALBUM#";
export const PHOTO_PREFIX = "PHOTO#";
export const albumSk = (albumId: string): string => `${ALBUM_PREFIX}${albumId}`;
/** Widths of the thumbnails made for every photo (px); the front end's srcset lists them. */
export const THUMBNAIL_WIDTHS = [320, 1280] as const;
export const ORIGINALS_PREFIX = "originals/";
export const THUMBNAILS_PREFIX = "thumbnails/";

/** Object key of an original: under the owner's prefix, so S3 keys never mix users either. */
export function originalKey(sub: string, albumId: string, photoId: string, contentType: string): string {
  const extension = contentType.split("/")[1]?.replace("jpeg", "jpg") ?? "bin";
  return `${ORIGINALS_PREFIX}${sub}/${albumId}/${photoId}.${extension}`;
}

/** The photo an original's key belongs to, or undefined for keys the gallery did not make. */
export function parseOriginalKey(key: string): { sub: string; albumId: string; photoId: string } | undefined {
  const match = /^originals\/([^/]+)\/([^/]+)\/([0-9A-Z]{26})\.[a-z]+$/.exec(key);
  return match ? { sub: match[1], albumId: match[2], photoId: match[3] } : undefined;
}

/** Object key of one thumbnail rendition. */
export function thumbnailKey(sub: string, albumId: string, photoId: string, width: number): string {
  return `${THUMBNAILS_PREFIX}${sub}/${albumId}/${photoId}/${width}.webp`;
}

/** Prefix of every photo sort key of one album (`begins_with` lists the album's photos by id). */
export const albumPhotosPrefix = (albumId: string): string => `${PHOTO_PREFIX}${albumId}#`;
export const photoSk = (albumId: string, photoId: string): string => `${albumPhotosPrefix(albumId)}${photoId}`;

export const profileKey = (sub: string): TableKey => ({ pk: userPk(sub), sk: PROFILE_SK });
export const albumKey = (sub: string, albumId: string): TableKey => ({ pk: userPk(sub), sk: albumSk(albumId) });
export const photoKey = (sub: string, albumId: string, photoId: string): TableKey => ({ pk: userPk(sub), sk: photoSk(albumId, photoId) });

/** gsi1 of an album: the user's albums, newest first. */
export const albumGsi1 = (sub: string, createdAt: string): Gsi1Key => ({ gsi1pk: userPk(sub), gsi1sk: `${ALBUM_PREFIX}${createdAt}` });
/** gsi1 of a photo: the album's photos in upload order. */
export const albumPhotosGsi1pk = (albumId: string): string => `${ALBUM_PREFIX}${albumId}`;
export const photoGsi1 = (albumId: string, createdAt: string, photoId: string): Gsi1Key => ({
  gsi1pk: albumPhotosGsi1pk(albumId),
  gsi1sk: `${PHOTO_PREFIX}${createdAt}#${photoId}`,
});

/** Which item a key belongs to, from its sort key. */
export function itemType(sk: string): "profile" | "album" | "photo" | undefined {
  if (sk === PROFILE_SK) return "profile";
  if (sk.startsWith(ALBUM_PREFIX)) return "album";
  if (sk.startsWith(PHOTO_PREFIX)) return "photo";
  return undefined;
}

/** The user-pool `sub` in a `USER#<sub>` partition key. */
export function subOf(pk: string): string {
  if (!pk.startsWith("USER#")) throw new Error(`not a user partition key: ${pk}`);
  return pk.slice("USER#".length);
}

// ------------------------------------------------------------------ items

/** Seconds a pending upload may wait for confirmation before TTL removes its photo item. */
export const PENDING_PHOTO_TTL_SECONDS = 24 * 60 * 60;

export function profileItem(input: { sub: string; email: string; displayName: string; createdAt?: string }): ProfileItem {
  return { ...profileKey(input.sub), type: "profile", email: input.email, displayName: input.displayName, albumCount: 0, createdAt: input.createdAt ?? new Date().toISOString() };
}

export function albumItem(input: { sub: string; title: string; description?: string; albumId?: string; createdAt?: string }): AlbumItem {
  const createdAt = input.createdAt ?? new Date().toISOString();
  const albumId = input.albumId ?? newId();
  return {
    ...albumKey(input.sub, albumId),
    ...albumGsi1(input.sub, createdAt),
    type: "album",
    albumId,
    title: input.title,
    ...(input.description !== undefined ? { description: input.description } : {}),
    photoCount: 0,
    createdAt,
    updatedAt: createdAt,
  };
}

/** A new photo is `pending` (with a TTL) until its upload is confirmed. */
export function photoItem(input: {
  sub: string;
  albumId: string;
  objectKey: string;
  contentType: string;
  size: number;
  title?: string;
  photoId?: string;
  createdAt?: string;
  status?: PhotoStatus;
}): PhotoItem {
  const createdAt = input.createdAt ?? new Date().toISOString();
  const photoId = input.photoId ?? newId();
  const status = input.status ?? "pending";
  return {
    ...photoKey(input.sub, input.albumId, photoId),
    ...photoGsi1(input.albumId, createdAt, photoId),
    type: "photo",
    photoId,
    albumId: input.albumId,
    ...(input.title !== undefined ? { title: input.title } : {}),
    objectKey: input.objectKey,
    contentType: input.contentType,
    size: input.size,
    status,
    createdAt,
    ...(status === "pending" ? { expiresAt: Math.floor(Date.parse(createdAt) / 1000) + PENDING_PHOTO_TTL_SECONDS } : {}),
  };
}

// ------------------------------------------------------------------ ids

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID: 10 characters of millisecond time then 16 random, so ids sort by creation time. */
/**
 * The id a client's idempotency key names (26 Crockford characters of sha256(seed), the shape of `newId`): a retried
 * create computes the same item key in whichever region it lands, so under global tables' last-writer-wins the
 * retry and the original are one item, never two (docs/multi-region.md).
 */
export function idFromKey(seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  let id = "";
  for (let i = 0; i < 26; i++) id += CROCKFORD[digest[i] % 32];
  return id;
}

export function newId(now: number = Date.now()): string {
  let time = "";
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  const random = randomBytes(16);
  let tail = "";
  for (let i = 0; i < 16; i++) tail += CROCKFORD[random[i] % 32];
  return time + tail;
}
