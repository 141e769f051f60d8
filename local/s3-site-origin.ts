/**
 * The site origin as CloudFront sees it: S3's REST endpoint through Origin Access
 * Control (exact keys, 404 for a missing key) or S3's website endpoint (folder
 * index documents, redirect to the slash form, error document with 404) — over the
 * site folder, with each file's Content-Type and Cache-Control from the same rules
 * the publisher writes into object metadata. As S3 it answers conditional GETs
 * (304) and single byte ranges (206/416), and its errors are S3's short XML: a key
 * that is not valid percent-encoded UTF-8 is 400 InvalidURI, anything the folder
 * cannot hold is simply a missing key. No file-system error reaches the viewer.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { cacheControlFor, contentTypeFor } from "../components/static-site/content";
import type { StaticSiteSpec } from "../components/static-site/spec";
import { S3Error } from "./s3-auth";
import { readPreconditions } from "./s3-conditions";
import { byteRange } from "./s3-server";
import { escapeXml } from "./xml";

export interface OriginResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * How S3 spells, on the wire, each header this origin writes (its keys are lower-case, for reading): as in GetObject's
 * response syntax (ETag, Last-Modified, Content-Type, Cache-Control, Accept-Ranges, Content-Range,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_ResponseSyntax) and a website
 * endpoint's redirect (Location). Shown as such to a Lambda@Edge origin-response event's keys and to the viewer
 * (EdgeResponse.headerNames).
 */
export const SITE_ORIGIN_HEADER_NAMES: Readonly<Record<string, string>> = Object.freeze({
  etag: "ETag",
  "last-modified": "Last-Modified",
  "content-type": "Content-Type",
  "cache-control": "Cache-Control",
  "accept-ranges": "Accept-Ranges",
  "content-range": "Content-Range",
  location: "Location",
});

/** The viewer's headers S3 acts on (lower-case names); a type, so it reads as Node's IncomingHttpHeaders. */
export type OriginRequestHeaders = {
  range?: string;
  "if-none-match"?: string;
  "if-modified-since"?: string;
  "if-match"?: string;
  "if-unmodified-since"?: string;
};

/** S3's longest key, in UTF-8 bytes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
const MAX_KEY_BYTES = 1024;

/**
 * S3's error body, without the key or request ids (nothing the client sent comes back); its message written with the
 * emulators' one escape of element content (escapeXml), as every S3 error document here is.
 */
function s3Error(status: number, code: string, message: string, headers: Record<string, string> = {}): OriginResponse {
  return { status, headers: { "content-type": "application/xml", ...headers }, body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`) };
}

/**
 * A key the publisher can have uploaded from the folder. S3 keys are literal, so an empty or dot segment
 * ("a//b", "a/../b") names an object the folder cannot hold; joining it onto the folder would instead
 * resolve it to another file. Hidden files are never published; NUL and over-long keys cannot exist.
 */
function publishable(key: string): boolean {
  return key !== "" && Buffer.byteLength(key) <= MAX_KEY_BYTES && !key.includes("\0") && key.split("/").every((part) => part !== "" && !part.startsWith("."));
}

export function createSiteOrigin(spec: StaticSiteSpec) {
  /** The file behind a key, or undefined: one stat per lookup; a name the file system refuses (too long, not a folder) is a missing key. */
  const fileOf = (key: string): { file: string; stats: Stats } | undefined => {
    if (!publishable(key)) return undefined;
    const file = join(spec.path, key);
    try {
      const stats = statSync(file, { throwIfNoEntry: false });
      return stats?.isFile() ? { file, stats } : undefined;
    } catch {
      return undefined;
    }
  };
  const object = (key: string): OriginResponse | undefined => {
    const found = fileOf(key);
    if (!found) return undefined;
    let body: Buffer;
    try {
      body = readFileSync(found.file);
    } catch {
      return undefined;
    }
    return {
      status: 200,
      headers: {
        "content-type": contentTypeFor(key),
        "cache-control": cacheControlFor(key, spec.cacheRules),
        etag: `"${createHash("md5").update(body).digest("hex")}"`,
        "last-modified": found.stats.mtime.toUTCString(),
        "accept-ranges": "bytes",
      },
      body,
    };
  };
  const notFound = () => s3Error(404, "NoSuchKey", "The specified key does not exist.");

  /** `uri` is CloudFront's request URI (after any viewer-request function), e.g. "/assets/app.js"; S3 decodes it. */
  return function fetchFromOrigin(uri: string, request: OriginRequestHeaders = {}): OriginResponse {
    const key = decodedKey(uri);
    if (key === undefined) return s3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
    if (spec.hosting === "oac") {
      const found = object(key);
      return found ? answer(found, request) : notFound();
    }

    // S3 website endpoint semantics.
    const indexKey = key === "" || key.endsWith("/") ? `${key}${spec.indexDocument}` : undefined;
    if (indexKey) {
      const found = object(indexKey);
      return found ? answer(found, request) : websiteError();
    }
    const found = object(key);
    if (found) return answer(found, request);
    if (fileOf(`${key}/${spec.indexDocument}`)) return { status: 302, headers: { location: `/${key}/` }, body: Buffer.alloc(0) };
    return websiteError();

    function websiteError(): OriginResponse {
      const page = object(spec.errorDocument);
      return page ? { ...page, status: 404 } : notFound();
    }
  };
}

/** The key S3 reads from a URI, or undefined when its percent-encoding is not valid UTF-8. */
function decodedKey(uri: string): string | undefined {
  try {
    return decodeURIComponent(uri).replace(/^\//, "");
  } catch {
    return undefined;
  }
}

/** A found object as S3 answers this request: 304 when the viewer's copy is current, else the object or the asked-for byte range. */
function answer(found: OriginResponse, request: OriginRequestHeaders): OriginResponse {
  return notModified(found, request) ?? rangeOf(found, request.range) ?? found;
}

/**
 * S3's conditional GET, answered by the local S3 server's own reader of preconditions (local/s3-conditions.ts
 * readPreconditions: HTTP-dates only, a future If-Modified-Since ignored, an ETag with or without its quotes, 412 for a
 * failed If-Match or If-Unmodified-Since). https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * The 304 keeps the validators and Cache-Control and drops the body's own headers.
 */
function notModified(found: OriginResponse, request: OriginRequestHeaders): OriginResponse | undefined {
  const { etag, "last-modified": lastModified, "cache-control": cacheControl } = found.headers;
  try {
    if (readPreconditions(request, { etag, lastModified: new Date(lastModified) }) !== "not-modified") return undefined;
  } catch (error) {
    if (error instanceof S3Error) return s3Error(error.status, error.code, error.message);
    throw error;
  }
  return { status: 304, headers: { etag, "last-modified": lastModified, "cache-control": cacheControl }, body: Buffer.alloc(0) };
}

/**
 * S3's single byte range (s3-server's byteRange, the one parser of a Range header): 206 with Content-Range, 416 when
 * it starts past the end; a header that is not one valid range is ignored and the whole object served (RFC 9110 §14.2).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range)
 */
function rangeOf(found: OriginResponse, header: string | undefined): OriginResponse | undefined {
  const size = found.body.length;
  const range = byteRange(header, size);
  if (range === undefined) return undefined;
  if (range === "unsatisfiable") return s3Error(416, "InvalidRange", "The requested range is not satisfiable", { "content-range": `bytes */${size}` });
  return {
    status: 206,
    headers: { ...found.headers, "content-range": `bytes ${range.start}-${range.end}/${size}` },
    body: found.body.subarray(range.start, range.end + 1),
  };
}
