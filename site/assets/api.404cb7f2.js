// The gallery API (same origin, /api/*) with the signed-in user's id token, and its errors
// turned into messages a person can act on.

export class ApiError extends Error {
  constructor(status, message, fieldErrors = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

const MESSAGES = {
  401: "You are not signed in, or your session has expired. Please sign in again.",
  403: "You are not allowed to do that.",
  404: "That album or photo does not exist (it may have been deleted).",
  413: "That is too large for the gallery.",
};

/** The message to show for a failed response: ours for the common statuses, the API's otherwise. */
export function messageFor(status, body) {
  if (status === 400) return body?.errors ? "Please correct the highlighted fields." : (body?.message ?? "The request was not valid.");
  if (status === 409) return `That conflicts with the gallery's current state: ${body?.message ?? "please reload and try again"}.`;
  if (status === 413) return body?.message ? `${MESSAGES[413]} (${body.message})` : MESSAGES[413];
  return MESSAGES[status] ?? (status >= 500 ? "The gallery had a problem. Please try again in a moment." : (body?.message ?? `The request failed (${status}).`));
}

export function createApi(token) {
  async function call(method, path, body) {
    const headers = { accept: "application/json" };
    const idToken = token();
    if (idToken) headers.authorization = idToken;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const result = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (!response.ok) throw new ApiError(response.status, messageFor(response.status, result), result?.errors ?? {});
    return result;
  }

  const albumPath = (albumId) => `/albums/${encodeURIComponent(albumId)}`;
  const photoPath = (albumId, photoId) => `${albumPath(albumId)}/photos/${encodeURIComponent(photoId)}`;

  return {
    listAlbums: () => call("GET", "/albums"),
    createAlbum: (album) => call("POST", "/albums", album),
    getAlbum: (albumId) => call("GET", albumPath(albumId)),
    deleteAlbum: (albumId) => call("DELETE", albumPath(albumId)),
    listPhotos: (albumId) => call("GET", `${albumPath(albumId)}/photos`),
    getPhoto: (albumId, photoId) => call("GET", photoPath(albumId, photoId)),
    deletePhoto: (albumId, photoId) => call("DELETE", photoPath(albumId, photoId)),

    /**
     * Presigned upload: a pending photo and its URL, then the PUT of the file. The photo becomes
     * ready (or failed) when the gallery has made its thumbnails; the page polls the album for that.
     */
    async uploadPhoto(albumId, file, title) {
      const { photo, upload } = await call("POST", `${albumPath(albumId)}/photos`, { contentType: file.type, size: file.size, ...(title ? { title } : {}) });
      const put = await fetch(upload.url, { method: upload.method ?? "PUT", headers: upload.headers ?? {}, body: file });
      if (!put.ok) throw new ApiError(put.status, put.status === 403 ? "The upload link was refused or has expired. Please try again." : `The upload failed (${put.status}).`);
      return photo;
    },
  };
}
