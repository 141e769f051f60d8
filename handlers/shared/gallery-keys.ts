/**
 * The gallery's single-table design (one table `gallery`, GSI `gsi1`): key builders and
 * item types, shared by every handler that reads or writes it. `sub` is the signed-in
 * user's Cognito user-pool `sub`; ids are ULID-like, time-sortable strings.
 */
import { randomBytes } from "node:crypto";

export const GSI1 = "gsi1";
export const PROFILE_SK = "PROFILE";

export interface Key {
  pk: string;
  sk: string;
}

export const userPk = (sub: string): string => `USER#${sub}`;
export const profileKey = (sub: string): Key => ({ pk: userPk(sub), sk: PROFILE_SK });
export const albumKey = (sub: string, albumId: string): Key => ({ pk: userPk(sub), sk: `ALBUM#${albumId}` });
export const photoKey = (sub: string, albumId: string, photoId: string): Key => ({ pk: userPk(sub), sk: `PHOTO#${albumId}#${photoId}` });
/** Every photo of an album sorts under this prefix in the owner's partition. */
export const photoSkPrefix = (albumId: string): string => `PHOTO#${albumId}#`;

/** gsi1: a user's albums, newest first. */
export const albumGsi1 = (sub: string, createdAt: string) => ({ gsi1pk: userPk(sub), gsi1sk: `ALBUM#${createdAt}` });
/** gsi1: an album's photos, in upload order. */
export const photoGsi1 = (albumId: string, createdAt: string, photoId: string) => ({ gsi1pk: `ALBUM#${albumId}`, gsi1sk: `PHOTO#${createdAt}#${photoId}` });

export interface ProfileItem extends Key {
  email: string;
  displayName: string;
  albumCount: number;
  createdAt: string;
}

export interface AlbumItem extends Key {
  gsi1pk: string;
  gsi1sk: string;
  albumId: string;
  title: string;
  description?: string;
  photoCount: number;
  createdAt: string;
  updatedAt: string;
}

export type PhotoStatus = "pending" | "ready";

export interface PhotoItem extends Key {
  gsi1pk: string;
  gsi1sk: string;
  photoId: string;
  albumId: string;
  title: string;
  objectKey: string;
  contentType: string;
  size: number;
  status: PhotoStatus;
  createdAt: string;
  /** Epoch seconds; only on pending photos, so TTL removes abandoned uploads. */
  expiresAt?: number;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID-like id: 10 characters of millisecond time, then 16 random ones; sorts by creation time. */
export function newId(now: number = Date.now()): string {
  let time = "";
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  const random = Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join("");
  return time + random;
}
