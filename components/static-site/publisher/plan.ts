/**
 * What a deploy must do, from what the bucket holds (the resource's state) and the
 * new manifest: pure functions, shared by `check` (the preview summary), `diff`
 * and `update`. Serialised with the provider, so they reference nothing but
 * their arguments.
 */
import type { Deployed, FileEntry, Manifest, PublishOptions, RetainedEntry } from "./types";

export interface PublishPlan {
  /** Deploy number this publish will record. */
  deploy: number;
  added: string[];
  changed: string[];
  /** Keys to upload: non-HTML files first, HTML last, so pages never reference assets not yet uploaded. */
  uploads: string[];
  /** Keys to delete now (after every upload succeeded). */
  deletes: string[];
  /** Removed fingerprinted assets kept in the bucket after this deploy. */
  retained: Record<string, RetainedEntry>;
  /** Keys newly kept by this deploy. */
  newlyRetained: string[];
  /** Viewer paths whose cached copies are stale after this deploy (changed + deleted + pending), before collapsing. */
  invalidate: string[];
}

/** What the bucket holds before the first deploy. */
export function emptyDeployed(): Deployed {
  return { files: {}, retained: {}, deploy: 0, pendingInvalidation: [] };
}

export function sameObject(a: FileEntry, b: FileEntry): boolean {
  return a.sha256 === b.sha256 && a.contentType === b.contentType && a.cacheControl === b.cacheControl;
}

export function planPublish(
  deployed: Deployed,
  manifest: Manifest,
  options: Pick<PublishOptions, "keepRemovedAssetsFor">,
  indexDocument: string,
): PublishPlan {
  const deploy = (deployed.deploy ?? 0) + 1;
  const files = deployed.files ?? {};
  const previouslyRetained = deployed.retained ?? {};
  const added: string[] = [];
  const changed: string[] = [];
  for (const key of Object.keys(manifest)) {
    const before = files[key] ?? previouslyRetained[key];
    if (!before) added.push(key);
    else if (!sameObject(before, manifest[key])) changed.push(key);
  }

  const retained: Record<string, RetainedEntry> = {};
  const newlyRetained: string[] = [];
  const deletes: string[] = [];
  const keep = Math.max(0, options.keepRemovedAssetsFor ?? 0);
  for (const key of Object.keys(files)) {
    if (key in manifest) continue;
    if (keep > 0 && files[key].fingerprinted) {
      retained[key] = { ...files[key], removedAt: deploy };
      newlyRetained.push(key);
    } else deletes.push(key);
  }
  for (const [key, entry] of Object.entries(previouslyRetained)) {
    if (key in manifest || key in files) continue;
    if (deploy - entry.removedAt < keep) retained[key] = entry;
    else deletes.push(key);
  }

  const isHtml = (key: string) => manifest[key].contentType.startsWith("text/html");
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const uploads = [...added, ...changed].sort(byKey);
  uploads.sort((a, b) => Number(isHtml(a)) - Number(isHtml(b)));

  const invalidate = new Set(deployed.pendingInvalidation ?? []);
  for (const key of [...changed, ...deletes]) for (const path of viewerPaths(key, indexDocument)) invalidate.add(path);
  return { deploy, added, changed, uploads, deletes: deletes.sort(byKey), retained, newlyRetained, invalidate: [...invalidate].sort(byKey) };
}

/**
 * The paths viewers request a key under: `/a%20b.html`, plus `/docs/` for
 * `docs/index.html` (CloudFront caches the folder URL separately).
 */
export function viewerPaths(key: string, indexDocument: string): string[] {
  const path = "/" + key.split("/").map(encodePathSegment).join("/");
  if (key === indexDocument) return [path, "/"];
  if (key.endsWith(`/${indexDocument}`)) return [path, path.slice(0, path.length - encodePathSegment(indexDocument).length)];
  return [path];
}

/** RFC 3986 unreserved characters and sub-delims stay; everything else (and `*`, a wildcard to CloudFront) is percent-encoded. */
function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/\*/g, "%2A");
}

/** One line for `pulumi preview` and the deploy log. */
export function summarise(plan: Pick<PublishPlan, "added" | "changed" | "deletes" | "newlyRetained">, manifest: Manifest): string {
  const bytes = [...plan.added, ...plan.changed].reduce((sum, key) => sum + (manifest[key]?.size ?? 0), 0);
  const parts = [`${plan.added.length} added`, `${plan.changed.length} changed`, `${plan.deletes.length} deleted`];
  if (plan.newlyRetained.length > 0) parts.push(`${plan.newlyRetained.length} removed but kept for open sessions`);
  const upload = plan.added.length + plan.changed.length > 0 ? ` (${formatBytes(bytes)} to upload)` : "";
  return `${parts.join(", ")}${upload}; ${Object.keys(manifest).length} files in the site`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
