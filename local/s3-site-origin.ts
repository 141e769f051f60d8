/**
 * The site origin as CloudFront sees it: S3's REST endpoint through Origin Access
 * Control (exact keys, 404 for a missing key) or S3's website endpoint (folder
 * index documents, redirect to the slash form, error document with 404) — over the
 * site folder, with each file's Content-Type and Cache-Control from the same rules
 * the publisher writes into object metadata.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { cacheControlFor, contentTypeFor } from "../components/static-site/content";
import type { StaticSiteSpec } from "../components/static-site/spec";

export interface OriginResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function createSiteOrigin(spec: StaticSiteSpec) {
  /** The file behind a key, or undefined: one stat per lookup, and hidden paths are never served. */
  const fileOf = (key: string) => {
    if (key === "" || key.includes("..") || key.split("/").some((part) => part.startsWith("."))) return undefined;
    const file = join(spec.path, key);
    const stats = statSync(file, { throwIfNoEntry: false });
    return stats?.isFile() ? { file, stats } : undefined;
  };
  const object = (key: string): OriginResponse | undefined => {
    const found = fileOf(key);
    if (!found) return undefined;
    const body = readFileSync(found.file);
    return {
      status: 200,
      headers: {
        "content-type": contentTypeFor(key),
        "cache-control": cacheControlFor(key, spec.cacheRules),
        etag: `"${createHash("md5").update(body).digest("hex")}"`,
        "last-modified": found.stats.mtime.toUTCString(),
      },
      body,
    };
  };
  const notFound = (): OriginResponse => ({ status: 404, headers: { "content-type": "application/xml" }, body: Buffer.from("<Error><Code>NoSuchKey</Code></Error>") });

  /** `uri` is CloudFront's request URI (after any viewer-request function), e.g. "/assets/app.js". */
  return function fetchFromOrigin(uri: string): OriginResponse {
    const key = decodeURIComponent(uri).replace(/^\//, "");
    if (spec.hosting === "oac") return object(key) ?? notFound();

    // S3 website endpoint semantics.
    const indexKey = key === "" || key.endsWith("/") ? `${key}${spec.indexDocument}` : undefined;
    if (indexKey) return object(indexKey) ?? websiteError();
    const found = object(key);
    if (found) return found;
    if (fileOf(`${key}/${spec.indexDocument}`)) return { status: 302, headers: { location: `/${key}/` }, body: Buffer.alloc(0) };
    return websiteError();

    function websiteError(): OriginResponse {
      const page = object(spec.errorDocument);
      return page ? { ...page, status: 404 } : notFound();
    }
  };
}
