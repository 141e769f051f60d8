// The gallery API (same origin, /api/*) with the signed-in user's id token, and its errors
// turned into messages a person can act on.
import type { Album, AlbumInput, FieldErrors, Page, Photo, PhotoUpload } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: FieldErrors = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The JSON error bodies the API answers with (handlers/shared): a message, and per-field problems for a 400. */
interface ErrorBody {
  message?: string;
  errors?: FieldErrors;
}

const MESSAGES: Record<number, string> = {
  401: "You are not signed in, or your session has expired. Please sign in again.",
  403: "You are not allowed to do that.",
  404: "That album or photo does not exist (it may have been deleted).",
  413: "That is too large for the gallery.",
  // API Gateway's throttle (stage or usage-plan limits) answers 429 with its own terse "Too Many Requests".
  429: "The gallery is busy right now. Please try again in a moment.",
};

/** What a request that got no answer says (the browser's own "Failed to fetch" tells a person nothing). */
export const UNREACHABLE_MESSAGE = "The gallery could not be reached. Please check your connection and try again.";

/**
 * What an upload to storage that got no answer says: besides the network, the browser gives no answer when the
 * bucket's CORS rules refuse the page's origin, so it does not blame the connection alone.
 */
export const UPLOAD_UNSENT_MESSAGE = "The photo could not be sent to the gallery's storage (the connection failed, or the storage refused this page). Please try again.";

/** fetch, with a network failure (no answer at all: offline, DNS, a dropped connection, CORS) told as `unanswered`. */
async function fetchOrExplain(url: string, init: RequestInit, unanswered = UNREACHABLE_MESSAGE): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    // No status: the processing poll tries such a look again (main.ts, pollProcessing).
    throw new Error(unanswered);
  }
}

/** The message to show for a failed response: ours for the common statuses, the API's otherwise. */
export function messageFor(status: number, body: ErrorBody | undefined): string {
  if (status === 400) return body?.errors ? "Please correct the highlighted fields." : (body?.message ?? "The request was not valid.");
  if (status === 409) return `That conflicts with the gallery's current state: ${body?.message ?? "please reload and try again"}.`;
  if (status === 413) return body?.message ? `${MESSAGES[413]} (${body.message})` : MESSAGES[413];
  return MESSAGES[status] ?? (status >= 500 ? "The gallery had a problem. Please try again in a moment." : (body?.message ?? `The request failed (${status}).`));
}

export type Api = ReturnType<typeof createApi>;

export function createApi(token: () => string | undefined) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const idToken = token();
    if (idToken) headers.authorization = idToken;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetchOrExplain(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const result: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = result as ErrorBody | undefined;
      throw new ApiError(response.status, messageFor(response.status, error), error?.errors ?? {});
    }
    return result as T;
  }

  const albumPath = (albumId: string) => `/albums/${encodeURIComponent(albumId)}`;
  const photoPath = (albumId: string, photoId: string) => `${albumPath(albumId)}/photos/${encodeURIComponent(photoId)}`;

  return {
    listAlbums: () => call<Page<Album>>("GET", "/albums"),
    createAlbum: (album: AlbumInput) => call<Album>("POST", "/albums", album),
    getAlbum: (albumId: string) => call<Album>("GET", albumPath(albumId)),
    /** Undefined when the album is gone (204); `{ deletion: "deleting" }` when its photos are being deleted first (202). */
    deleteAlbum: (albumId: string) => call<{ deletion: "deleting" } | undefined>("DELETE", albumPath(albumId)),
    listPhotos: (albumId: string) => call<Page<Photo>>("GET", `${albumPath(albumId)}/photos`),
    getPhoto: (albumId: string, photoId: string) => call<Photo>("GET", photoPath(albumId, photoId)),
    deletePhoto: (albumId: string, photoId: string) => call<void>("DELETE", photoPath(albumId, photoId)),

    /**
     * Presigned upload: a pending photo and its URL, then the PUT of the file. The photo becomes
     * ready (or failed) when the gallery has made its thumbnails; the page polls the album for that.
     */
    async uploadPhoto(albumId: string, file: File, title: string | undefined): Promise<Photo> {
      const { photo, upload } = await call<PhotoUpload>("POST", `${albumPath(albumId)}/photos`, { contentType: file.type, size: file.size, ...(title ? { title } : {}) });
      const put = await fetchOrExplain(upload.url, { method: upload.method ?? "PUT", headers: upload.headers ?? {}, body: file }, UPLOAD_UNSENT_MESSAGE);
      if (!put.ok) throw new ApiError(put.status, put.status === 403 ? "The upload link was refused or has expired. Please try again." : `The upload failed (${put.status}).`);
      return photo;
    },
  };
}
