// Gallery front end: TypeScript modules bundled by Vite, no framework. Reads GET /api/config (public),
// signs in (auth module), then lists, creates, opens and deletes albums and uploads photos (api module).
import { createApi, type Api } from "./api";
import { createAuth, sameOriginPath, type Auth } from "./auth";
import { connectLive, type Live } from "./live";
import type { Album, FieldErrors, GalleryConfig, Photo } from "./types";
import { PROCESSING_POLL_LIMIT, PROCESSING_POLL_MS } from "./polling";
// The API's own request schemas: the page checks a form with them before sending, so a field the API would refuse is
// marked next to it. The API's gateway refuses such a body before the handler, with one sentence for the whole form.
import { CreateAlbum, CreatePhoto, fieldErrors } from "../../handlers/shared/gallery-schemas";

/** The page's element for `selector`; the pages are static, so a missing one is a bug in the HTML. */
function $<T extends Element = HTMLElement>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`The page has no ${selector}`);
  return element;
}
const status = $("#status");
const message = $("#message");

let config: GalleryConfig;
let auth: Auth;
let api: Api;
let openAlbumId: string | undefined;
/** The live connection (live.ts): photo ready/failed pushed by the thumbnail function; off without WebSocket. */
let live: Live | undefined;

/** What UI actions throw: ApiError, AuthError, or a check of the page's own with the fields to mark. */
interface ActionError {
  message?: string;
  status?: number;
  fieldErrors?: FieldErrors;
}

function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

/** The message line shows why a refresh nobody clicked for failed: the next one that works takes it away. */
let backgroundFailureShown = false;

function say(text: string | undefined, kind = "error"): void {
  message.textContent = text ?? "";
  message.dataset.kind = kind;
  show(message, Boolean(text));
  backgroundFailureShown = false;
}

type Attributes = Record<string, string | ((event: Event) => void)>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Array<Node | string | undefined>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

/** Runs a UI action the user took: the last message goes, and its errors become the message (a 401 also signs the page out). */
async function attempt(action: () => unknown, form?: HTMLFormElement): Promise<void> {
  say("");
  if (form) clearFieldErrors(form);
  await reportingErrors(action, form);
}

/**
 * Runs a refresh nobody clicked for (a live push, the processing poll): the user's last message ("Photo uploaded.")
 * stays unless the refresh fails, and a failure's message goes once a later refresh works. Resolves with the error.
 */
async function inBackground(action: () => unknown): Promise<ActionError | undefined> {
  const error = await reportingErrors(action);
  if (error) backgroundFailureShown = true;
  else if (backgroundFailureShown) say("");
  return error;
}

async function reportingErrors(action: () => unknown, form?: HTMLFormElement): Promise<ActionError | undefined> {
  try {
    await action();
    return undefined;
  } catch (caught) {
    const error = caught as ActionError;
    if (form && error.fieldErrors) showFieldErrors(form, error.fieldErrors);
    say(error.message);
    if (error.status === 401) {
      auth.clear();
      render();
    }
    return error;
  }
}

function clearFieldErrors(form: HTMLFormElement): void {
  for (const node of form.querySelectorAll("[data-error-for]")) node.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function showFieldErrors(form: HTMLFormElement, errors: FieldErrors): void {
  for (const [field, problems] of Object.entries(errors)) {
    const slot = form.querySelector(`[data-error-for="${field}"]`) ?? form.querySelector('[data-error-for="(body)"]');
    if (slot) slot.textContent = `${field === "(body)" ? "" : `${field} `}${problems.join("; ")}`.trim();
    (form.elements.namedItem(field) as Element | null)?.setAttribute("aria-invalid", "true");
  }
}

// ------------------------------------------------------------------ signed in or not

function render(): void {
  const user = auth.user();
  show($("#signed-in"), Boolean(user));
  show($("#signin"), !user && auth.mode === "password");
  show($("#hosted-signin"), !user && auth.mode === "hosted-ui");
  show($("#no-signin"), !user && auth.mode !== "password" && auth.mode !== "hosted-ui");
  show($("#albums"), Boolean(user) && !openAlbumId);
  show($("#album"), Boolean(user) && Boolean(openAlbumId));
  $("#user").textContent = user ?? "";
  if (!user) openAlbumId = undefined;
}

// ------------------------------------------------------------------ ?next= (where the edge sent the browser to sign in)

const NEXT_KEY = "gallery.next";
const FOLLOWED_KEY = "gallery.next-followed";

/** The page to go to after sign-in: this address's ?next=, or the one kept across the hosted UI's round trip. */
function pendingNext(): string | undefined {
  return sameOriginPath(new URLSearchParams(location.search).get("next") ?? sessionStorage.getItem(NEXT_KEY) ?? undefined, location.origin);
}

/**
 * Goes to `next` once signed in (the edge cookie is set by then). Arriving back here with the same `next` right
 * after following it means the edge refused this session: sign out instead of bouncing between the two pages.
 */
function followNext(justSignedIn: boolean): boolean {
  const next = pendingNext();
  sessionStorage.removeItem(NEXT_KEY);
  if (!next) return false;
  const last = JSON.parse(sessionStorage.getItem(FOLLOWED_KEY) ?? "null") as { next: string; at: number } | null;
  if (!justSignedIn && last?.next === next && Date.now() - last.at < 10_000) {
    sessionStorage.removeItem(FOLLOWED_KEY);
    auth.clear();
    say("Please sign in again to open that page.");
    return false;
  }
  sessionStorage.setItem(FOLLOWED_KEY, JSON.stringify({ next, at: Date.now() }));
  location.replace(next);
  return true;
}

async function signedIn(): Promise<void> {
  render();
  startLive();
  await attempt(loadAlbums);
}

function startLive(): void {
  if (live || !config.realtime?.url) return;
  live = connectLive({
    url: config.realtime.url,
    token: () => auth.idToken(),
    onMessage: (message) => {
      if (message.type === "photo" && message.albumId === openAlbumId) void inBackground(() => loadPhotos());
    },
    // Pushes sent while disconnected are lost: catch up once connected again.
    onState: (state) => {
      if (state === "connected" && openAlbumId) void inBackground(() => loadPhotos());
    },
  });
}

// ------------------------------------------------------------------ albums

async function loadAlbums(): Promise<void> {
  const { items } = await api.listAlbums();
  const list = $("#album-list");
  list.replaceChildren(
    ...items.map((album) =>
      el(
        "li",
        { "data-album-id": album.albumId },
        el("h3", {}, el("button", { type: "button", className: "link", onclick: () => attempt(() => openAlbum(album.albumId)) }, album.title)),
        album.description ? el("p", {}, album.description) : undefined,
        el("p", { className: "meta" }, `${album.photoCount ?? 0} photo${album.photoCount === 1 ? "" : "s"}${deletionNote(album)}`),
      ),
    ),
  );
  show($("#no-albums"), items.length === 0);
}

/** A form's text field by name. */
function field(form: HTMLFormElement, name: string): HTMLInputElement {
  return form.elements.namedItem(name) as HTMLInputElement;
}

/**
 * Throws the fields to mark when `schema` refuses `body`: the API would answer 400 for it. `fieldOf` names the form
 * field a body property comes from where they differ (an upload's `contentType` and `size` are its file's).
 */
function checkBeforeSending(schema: typeof CreateAlbum | typeof CreatePhoto, body: unknown, fieldOf: Record<string, string> = {}): void {
  const result = schema.safeParse(body);
  if (result.success) return;
  const errors: FieldErrors = {};
  for (const [property, problems] of Object.entries(fieldErrors(result.error))) (errors[fieldOf[property] ?? property] ??= []).push(...problems);
  throw Object.assign(new Error("Please correct the highlighted fields."), { fieldErrors: errors });
}

async function createAlbum(form: HTMLFormElement): Promise<void> {
  const title = field(form, "title").value;
  const description = field(form, "description").value;
  const album = { title, ...(description ? { description } : {}) };
  checkBeforeSending(CreateAlbum, album);
  await api.createAlbum(album);
  form.reset();
  say("Album created.", "info");
  await loadAlbums();
}

async function openAlbum(albumId: string): Promise<void> {
  const album = await api.getAlbum(albumId);
  openAlbumId = album.albumId;
  $("#album-title").textContent = album.title;
  $("#album-description").textContent = album.description ?? "";
  render();
  await loadPhotos();
}

async function closeAlbum(): Promise<void> {
  clearTimeout(processingPoll);
  openAlbumId = undefined;
  render();
  await loadAlbums();
}

/** What the listing says of an album being deleted (or whose deletion failed: deleting it again retries). */
function deletionNote(album: Album): string {
  if (album.deletion?.state === "deleting") return " · being deleted";
  if (album.deletion?.state === "failed") return " · deletion failed, delete it again";
  return "";
}

async function deleteAlbum(): Promise<void> {
  if (!openAlbumId || !confirm("Delete this album and its photos?")) return;
  const answer = await api.deleteAlbum(openAlbumId);
  say(answer?.deletion === "deleting" ? "Deleting the album and its photos…" : "Album deleted.", "info");
  await closeAlbum();
}

// ------------------------------------------------------------------ photos

let processingPoll: ReturnType<typeof setTimeout> | undefined;

/** The thumbnail, sized by the browser from the srcset (320 px and 1280 px WebP); the original only on demand. */
function photoImage(photo: Photo & { thumbnails: NonNullable<Photo["thumbnails"]> }): HTMLImageElement {
  const thumbnails = photo.thumbnails;
  const smallest = thumbnails[0];
  return el("img", {
    alt: photo.title ?? "Photo",
    loading: "lazy",
    decoding: "async",
    src: smallest.url,
    srcset: thumbnails.map((t) => `${t.url} ${t.width}w`).join(", "),
    sizes: "(max-width: 40rem) 100vw, 20rem",
    width: String(smallest.width),
    height: String(smallest.height),
  });
}

function photoBody(photo: Photo): HTMLElement {
  if (photo.status === "ready" && photo.thumbnails?.length) return photoImage({ ...photo, thumbnails: photo.thumbnails });
  if (photo.status === "failed") return el("span", { className: "meta failed", role: "status" }, `Could not be processed: ${photo.failureReason ?? "unknown reason"}`);
  return el("span", { className: "meta processing", role: "status" }, "Processing…");
}

async function openOriginal(photoId: string): Promise<void> {
  if (!openAlbumId) return;
  const photo = await api.getPhoto(openAlbumId, photoId);
  if (!photo.downloadUrl) throw new Error("The original is not available yet.");
  window.open(photo.downloadUrl, "_blank", "noopener");
}

async function loadPhotos(polls = 0): Promise<void> {
  clearTimeout(processingPoll);
  const albumId = openAlbumId;
  if (!albumId) return;
  const { items } = await api.listPhotos(albumId);
  if (albumId !== openAlbumId) return;
  const list = $("#photo-list");
  list.replaceChildren(
    ...items.map((photo) =>
      el(
        "li",
        { "data-photo-id": photo.photoId, "data-status": photo.status },
        photoBody(photo),
        el("p", {}, photo.title ?? "Untitled"),
        photo.status === "ready" ? el("button", { type: "button", className: "link", onclick: () => attempt(() => openOriginal(photo.photoId)) }, "Original") : undefined,
        el("button", { type: "button", className: "danger", onclick: () => attempt(() => deletePhoto(photo.photoId)) }, "Delete"),
      ),
    ),
  );
  show($("#no-photos"), items.length === 0);
  // Thumbnails are made after the upload (S3 event → thumbnail function): the live connection says when;
  // without one, look again until none is pending.
  if (items.some((p) => p.status === "pending") && !live?.connected()) pollProcessing(polls);
}

/**
 * Looks at the open album's photos again soon. A look that failed on the way (the network, a 429 or 5xx) is tried again;
 * an answer about the request itself (401, 403, 404: signed out, not allowed, the album is gone) ends the polling.
 */
function pollProcessing(polls: number): void {
  // One chain of polls: a reload the user started meanwhile may have scheduled the next look already.
  clearTimeout(processingPoll);
  if (polls >= PROCESSING_POLL_LIMIT) return;
  processingPoll = setTimeout(async () => {
    const failure = await inBackground(() => loadPhotos(polls + 1));
    if (failure && (failure.status === undefined || failure.status === 429 || failure.status >= 500) && openAlbumId) pollProcessing(polls + 1);
  }, PROCESSING_POLL_MS);
}

async function uploadPhoto(form: HTMLFormElement): Promise<void> {
  const file = field(form, "file").files?.[0];
  if (!file) throw Object.assign(new Error("Choose an image to upload."), { fieldErrors: { file: ["is required"] } });
  if (!config.imageTypes.includes(file.type)) {
    throw Object.assign(new Error(`The gallery accepts ${config.imageTypes.join(", ")}; this file is ${file.type || "of an unknown type"}.`), { fieldErrors: { file: ["is not a supported image type"] } });
  }
  if (file.size > config.maxImageBytes) {
    throw Object.assign(new Error(`That image is too large: at most ${Math.floor(config.maxImageBytes / 1024 / 1024)} MB.`), { status: 413, fieldErrors: { file: ["is too large"] } });
  }
  const albumId = openAlbumId;
  if (!albumId) return;
  const title = field(form, "title").value.trim();
  checkBeforeSending(CreatePhoto, { contentType: file.type, size: file.size, ...(title ? { title } : {}) }, { contentType: "file", size: "file" });
  const button = $<HTMLButtonElement>("#upload-form button[type=submit]");
  button.disabled = true;
  try {
    await api.uploadPhoto(albumId, file, title || undefined);
  } finally {
    button.disabled = false;
  }
  form.reset();
  say("Photo uploaded.", "info");
  await loadPhotos();
}

async function deletePhoto(photoId: string): Promise<void> {
  if (!openAlbumId) return;
  await api.deletePhoto(openAlbumId, photoId);
  say("Photo deleted.", "info");
  await loadPhotos();
}

// ------------------------------------------------------------------ start

function onSubmit(selector: string, action: (form: HTMLFormElement) => Promise<void>): void {
  const form = $<HTMLFormElement>(selector);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void attempt(() => action(form), form);
  });
}

async function checkHealth(): Promise<void> {
  try {
    const response = await fetch("/api/health", { headers: { accept: "application/json" } });
    status.textContent = response.ok ? "The gallery API is up." : `The gallery API answered ${response.status}.`;
  } catch (error) {
    status.textContent = `The gallery API is not reachable: ${(error as Error).message}`;
  }
}

async function main(): Promise<void> {
  await checkHealth();
  const response = await fetch("/api/config", { headers: { accept: "application/json" } });
  if (!response.ok) return say(`The gallery's settings could not be loaded (${response.status}).`);
  config = (await response.json()) as GalleryConfig;
  auth = createAuth(config);
  api = createApi(() => auth.idToken());
  field($<HTMLFormElement>("#upload-form"), "file").accept = config.imageTypes.join(",");

  onSubmit("#signin-form", async (form) => {
    await auth.signInWithPassword(field(form, "email").value.trim(), field(form, "password").value);
    form.reset();
    if (!followNext(true)) await signedIn();
  });
  $("#hosted-signin-button").addEventListener("click", () =>
    attempt(() => {
      // The hosted UI returns to this site's root, without ?next=: keep it for the way back.
      const next = pendingNext();
      if (next) sessionStorage.setItem(NEXT_KEY, next);
      return auth.beginHostedSignIn();
    }),
  );
  $("#signout").addEventListener("click", () => {
    auth.signOut();
    live?.close();
    live = undefined;
    say("");
    render();
  });
  onSubmit("#album-form", createAlbum);
  onSubmit("#upload-form", uploadPhoto);
  $("#back").addEventListener("click", () => attempt(closeAlbum));
  $("#delete-album").addEventListener("click", () => attempt(deleteAlbum));

  let justSignedIn = false;
  await attempt(async () => {
    justSignedIn = await auth.handleCallback();
  });
  if (auth.user() && followNext(justSignedIn)) return;
  if (auth.user()) await signedIn();
  else render();
}

void main();
