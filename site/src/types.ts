// The JSON shapes the page reads from the gallery API (handlers/api/) and GET /api/config, as far as
// the page uses them. The page depends on these fields only, so the API may add others freely.

/** `{ "<field>": ["problem", ...] }`; "(body)" for problems with the request as a whole. */
export type FieldErrors = Record<string, string[]>;

export interface Page<T> {
  items: T[];
}

export interface AlbumInput {
  title: string;
  description?: string;
}

export interface Album extends AlbumInput {
  albumId: string;
  photoCount?: number;
  /** Set while the album and its photos are being deleted, or when that failed (DELETE starts it again). */
  deletion?: { state: "deleting" | "failed"; requestedAt: string; error?: string };
}

export interface Thumbnail {
  width: number;
  height: number;
  /** A short-lived presigned GET. */
  url: string;
}

/** pending: uploaded or awaited, thumbnails not made yet; ready: thumbnails made; failed: not an image the gallery can show. */
export type PhotoStatus = "pending" | "ready" | "failed";

export interface Photo {
  photoId: string;
  title?: string;
  status: PhotoStatus;
  failureReason?: string;
  /** Smallest first (320 and 1280 px WebP). */
  thumbnails?: Thumbnail[];
  /** GET of one photo only, once ready: a short-lived URL of the original. */
  downloadUrl?: string;
}

/** POST /albums/{albumId}/photos: the pending photo and where to PUT the file. */
export interface PhotoUpload {
  photo: Photo;
  upload: { url: string; method?: string; headers?: Record<string, string> };
}

/** How the browser signs in (index.ts `BrowserAuthConfig`). */
export interface AuthConfig {
  mode: "hosted-ui" | "password" | "none";
  clientId?: string;
  hostedUiUrl?: string;
  cognitoEndpoint?: string;
  scopes?: string[];
  /** The cookie the edge auth check reads, and the paths it guards. */
  cookie?: { name: string; paths: string[] };
}

/** GET /api/config (public). */
export interface GalleryConfig {
  imageTypes: string[];
  maxImageBytes: number;
  auth?: AuthConfig;
  /** The WebSocket API's URL for live updates (docs/realtime.md); absent when the stack has none. */
  realtime?: { url: string };
}
