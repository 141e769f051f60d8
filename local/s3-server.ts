/**
 * A small S3 server on loopback for tests, benchmarks and the local runtime: the
 * REST calls the site publisher and the app's handlers make (path-style), over a
 * pluggable object store (in memory by default). Every request is recorded by
 * operation so tests can count them, and `fail` injects errors to exercise
 * failure part-way through a publish.
 *
 * Supported: CreateBucket, HeadBucket, PutObject, GetObject, HeadObject, DeleteObject,
 * DeleteObjects, ListObjectsV2, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload. Bodies in `aws-chunked` encoding
 * (what SDK v3 sends for streams with trailing checksums) are decoded. Presigned URLs
 * are accepted until they expire (their signature is not checked).
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, relative, resolve, sep } from "node:path";
import { readBody } from "./http";

export interface StoredObject {
  key: string;
  body: Buffer;
  etag: string;
  contentType: string;
  cacheControl?: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

/** Where the server keeps buckets and objects; swap in a filesystem-backed one if persistence is needed. */
export interface ObjectStore {
  createBucket(bucket: string): void;
  hasBucket(bucket: string): boolean;
  put(bucket: string, object: StoredObject): void;
  get(bucket: string, key: string): StoredObject | undefined;
  delete(bucket: string, key: string): void;
  /** Objects whose key starts with `prefix`, sorted by key. */
  list(bucket: string, prefix: string): StoredObject[];
}

export class MemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }
  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }
  put(bucket: string, object: StoredObject): void {
    this.buckets.get(bucket)?.set(object.key, object);
  }
  get(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }
  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }
  list(bucket: string, prefix: string): StoredObject[] {
    return [...(this.buckets.get(bucket)?.values() ?? [])].filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/**
 * Objects as files under `root/<bucket>/<key>` (metadata beside each in `<key>.__meta.json`), so the
 * local runtime's uploads survive restarts like its data does. Every bucket exists: a bucket is
 * just a folder, made on first write.
 */
export class FileObjectStore implements ObjectStore {
  private static readonly META = ".__meta.json";
  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }
  createBucket(bucket: string): void {
    mkdirSync(this.path(bucket, ""), { recursive: true });
  }
  hasBucket(): boolean {
    return true;
  }
  put(bucket: string, object: StoredObject): void {
    const file = this.path(bucket, object.key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, object.body);
    const { body: _body, ...meta } = object;
    writeFileSync(`${file}${FileObjectStore.META}`, JSON.stringify(meta));
  }
  get(bucket: string, key: string): StoredObject | undefined {
    if (key.endsWith(FileObjectStore.META)) return undefined;
    const file = this.path(bucket, key);
    try {
      const meta = JSON.parse(readFileSync(`${file}${FileObjectStore.META}`, "utf8")) as Omit<StoredObject, "body">;
      return { ...meta, lastModified: new Date(meta.lastModified), body: readFileSync(file) };
    } catch {
      return undefined;
    }
  }
  delete(bucket: string, key: string): void {
    const file = this.path(bucket, key);
    rmSync(file, { force: true });
    rmSync(`${file}${FileObjectStore.META}`, { force: true });
  }
  list(bucket: string, prefix: string): StoredObject[] {
    const dir = this.path(bucket, "");
    const keys: string[] = [];
    const walk = (folder: string) => {
      let entries;
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (!entry.name.endsWith(FileObjectStore.META)) keys.push(relative(dir, full).split(sep).join("/"));
      }
    };
    walk(dir);
    return keys.filter((k) => k.startsWith(prefix)).sort().flatMap((k) => this.get(bucket, k) ?? []);
  }
  /** The file of a key, refusing keys that would leave the store's folder. */
  private path(bucket: string, key: string): string {
    const file = resolve(this.root, bucket, key);
    if (!file.startsWith(resolve(this.root) + sep)) throw new Error(`key ${bucket}/${key} leaves the store`);
    return file;
  }
}

export type S3Operation =
  | "CreateBucket"
  | "HeadBucket"
  | "PutObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "DeleteObjects"
  | "ListObjectsV2"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "Unsupported";

export interface S3Request {
  operation: S3Operation;
  bucket: string;
  key: string;
  /** Keys named in a DeleteObjects body. */
  keys?: string[];
}

export interface LocalS3Options {
  store?: ObjectStore;
  /** Buckets created at start. */
  buckets?: string[];
  /** @default 0 (any free port) */
  port?: number;
  /**
   * Answer browsers too: CORS headers and preflights, for pages that PUT to presigned URLs.
   * @default false
   */
  browserAccess?: boolean;
}

export interface LocalS3 {
  /** e.g. http://127.0.0.1:49152 — use with `forcePathStyle: true`. */
  endpoint: string;
  store: ObjectStore;
  /** Every request received, in order. */
  requests: S3Request[];
  /** Requests of one operation (DeleteObjects counts as one request). */
  count(operation: S3Operation): number;
  /** Keys written by PutObject or CompleteMultipartUpload since the last reset. */
  uploadedKeys(): string[];
  /** Keys removed by DeleteObject(s) since the last reset. */
  deletedKeys(): string[];
  resetRequests(): void;
  /** Answer matching requests with 403 AccessDenied (not retried by the SDK) until `fail(undefined)`. */
  fail(predicate: ((request: S3Request) => boolean) | undefined): void;
  close(): Promise<void>;
}

interface MultipartUpload {
  bucket: string;
  key: string;
  contentType: string;
  cacheControl?: string;
  metadata: Record<string, string>;
  parts: Map<number, { body: Buffer; etag: string }>;
}

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const store = options.store ?? new MemoryObjectStore();
  for (const bucket of options.buckets ?? []) store.createBucket(bucket);
  const requests: S3Request[] = [];
  const uploads = new Map<string, MultipartUpload>();
  let failing: ((request: S3Request) => boolean) | undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => sendError(res, 500, "InternalError", error.message));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (options.browserAccess) {
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader("access-control-allow-methods", "GET,PUT,HEAD,DELETE");
      res.setHeader("access-control-allow-headers", "*");
      res.setHeader("access-control-expose-headers", "etag");
      if (req.method === "OPTIONS") return send(res, 204, "");
    }
    const [bucket = "", ...rest] = url.pathname.slice(1).split("/");
    const key = rest.map(decodeURIComponent).join("/");
    const body = await readS3Body(req);
    const operation = operationOf(req.method ?? "GET", url.searchParams, key);
    const request: S3Request = { operation, bucket: decodeURIComponent(bucket), key };
    if (operation === "DeleteObjects") request.keys = xmlValues(body.toString("utf8"), "Key");
    requests.push(request);
    if (failing?.(request)) return sendError(res, 403, "AccessDenied", `Injected failure for ${operation} ${key}`);
    if (presignedExpired(url)) return sendError(res, 403, "AccessDenied", "Request has expired");
    if (operation === "Unsupported") return sendError(res, 501, "NotImplemented", `${req.method} ${url.pathname}${url.search} is not supported by the local S3 server`);
    if (operation === "CreateBucket") {
      store.createBucket(request.bucket);
      return send(res, 200, "");
    }
    if (!store.hasBucket(request.bucket)) return sendError(res, 404, "NoSuchBucket", `The bucket ${request.bucket} does not exist`);
    switch (operation) {
      case "HeadBucket":
        return send(res, 200, "");
      case "PutObject": {
        const object = newObject(key, body, req);
        store.put(request.bucket, object);
        return send(res, 200, "", { etag: object.etag });
      }
      case "GetObject":
      case "HeadObject": {
        const object = store.get(request.bucket, key);
        if (!object) return sendError(res, 404, "NoSuchKey", "The specified key does not exist.", operation === "HeadObject");
        const headers: Record<string, string> = {
          "content-type": object.contentType,
          "content-length": String(object.body.length),
          etag: object.etag,
          "last-modified": object.lastModified.toUTCString(),
          ...Object.fromEntries(Object.entries(object.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
        };
        if (object.cacheControl) headers["cache-control"] = object.cacheControl;
        res.writeHead(200, headers);
        res.end(operation === "GetObject" ? object.body : undefined);
        return;
      }
      case "DeleteObject":
        store.delete(request.bucket, key);
        return send(res, 204, "");
      case "DeleteObjects": {
        for (const k of request.keys ?? []) store.delete(request.bucket, k);
        const quiet = /<Quiet>true<\/Quiet>/.test(body.toString("utf8"));
        const deleted = quiet ? "" : (request.keys ?? []).map((k) => `<Deleted><Key>${escapeXml(k)}</Key></Deleted>`).join("");
        return sendXml(res, `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted}</DeleteResult>`);
      }
      case "ListObjectsV2":
        return sendXml(res, listXml(request.bucket, url.searchParams));
      case "CreateMultipartUpload": {
        const uploadId = randomUUID();
        const template = newObject(key, Buffer.alloc(0), req);
        uploads.set(uploadId, { bucket: request.bucket, key, contentType: template.contentType, cacheControl: template.cacheControl, metadata: template.metadata, parts: new Map() });
        return sendXml(res, `<InitiateMultipartUploadResult><Bucket>${escapeXml(request.bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
      }
      case "UploadPart": {
        const upload = uploads.get(url.searchParams.get("uploadId") ?? "");
        if (!upload) return sendError(res, 404, "NoSuchUpload", "The specified upload does not exist.");
        const etag = `"${md5(body)}"`;
        upload.parts.set(Number(url.searchParams.get("partNumber")), { body, etag });
        return send(res, 200, "", { etag });
      }
      case "CompleteMultipartUpload": {
        const uploadId = url.searchParams.get("uploadId") ?? "";
        const upload = uploads.get(uploadId);
        if (!upload) return sendError(res, 404, "NoSuchUpload", "The specified upload does not exist.");
        const numbers = xmlValues(body.toString("utf8"), "PartNumber").map(Number);
        const parts = numbers.map((n) => upload.parts.get(n));
        if (parts.some((p) => !p)) return sendError(res, 400, "InvalidPart", "One or more of the specified parts could not be found.");
        const etag = `"${md5(Buffer.concat(parts.map((p) => Buffer.from(p!.etag.slice(1, -1), "hex"))))}-${parts.length}"`;
        store.put(upload.bucket, {
          key: upload.key,
          body: Buffer.concat(parts.map((p) => p!.body)),
          etag,
          contentType: upload.contentType,
          cacheControl: upload.cacheControl,
          metadata: upload.metadata,
          lastModified: new Date(),
        });
        uploads.delete(uploadId);
        return sendXml(res, `<CompleteMultipartUploadResult><Bucket>${escapeXml(upload.bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`);
      }
      case "AbortMultipartUpload":
        uploads.delete(url.searchParams.get("uploadId") ?? "");
        return send(res, 204, "");
    }
  }

  function listXml(bucket: string, params: URLSearchParams): string {
    const prefix = params.get("prefix") ?? "";
    const maxKeys = Math.min(Number(params.get("max-keys") ?? 1000), 1000);
    const after = params.get("continuation-token") ? Buffer.from(params.get("continuation-token")!, "base64").toString("utf8") : params.get("start-after") ?? "";
    const all = store.list(bucket, prefix).filter((o) => o.key > after);
    const page = all.slice(0, maxKeys);
    const truncated = all.length > page.length;
    const contents = page
      .map((o) => `<Contents><Key>${escapeXml(o.key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
      .join("");
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1].key).toString("base64")}</NextContinuationToken>` : "";
    return `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const keysOf = (ops: S3Operation[]) => requests.filter((r) => ops.includes(r.operation)).flatMap((r) => r.keys ?? [r.key]);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    store,
    requests,
    count: (operation) => requests.filter((r) => r.operation === operation).length,
    uploadedKeys: () => keysOf(["PutObject", "CompleteMultipartUpload"]),
    deletedKeys: () => keysOf(["DeleteObject", "DeleteObjects"]),
    resetRequests: () => void (requests.length = 0),
    fail: (predicate) => void (failing = predicate),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function operationOf(method: string, params: URLSearchParams, key: string): S3Operation {
  if (key === "") {
    if (method === "PUT") return "CreateBucket";
    if (method === "HEAD") return "HeadBucket";
    if (method === "POST" && params.has("delete")) return "DeleteObjects";
    if (method === "GET" && params.get("list-type") === "2") return "ListObjectsV2";
    return "Unsupported";
  }
  if (method === "PUT") return params.has("uploadId") ? "UploadPart" : "PutObject";
  if (method === "POST") return params.has("uploads") ? "CreateMultipartUpload" : params.has("uploadId") ? "CompleteMultipartUpload" : "Unsupported";
  if (method === "DELETE") return params.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
  if (method === "GET") return "GetObject";
  if (method === "HEAD") return "HeadObject";
  return "Unsupported";
}

/** A presigned URL past `X-Amz-Date` + `X-Amz-Expires`. */
function presignedExpired(url: URL): boolean {
  const date = url.searchParams.get("X-Amz-Date");
  const expires = Number(url.searchParams.get("X-Amz-Expires"));
  if (!date || !expires) return false;
  const signedAt = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  return Date.now() > signedAt + expires * 1000;
}

function newObject(key: string, body: Buffer, req: IncomingMessage): StoredObject {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith("x-amz-meta-") && typeof value === "string") metadata[name.slice("x-amz-meta-".length)] = value;
  }
  return {
    key,
    body,
    etag: `"${md5(body)}"`,
    contentType: req.headers["content-type"] ?? "binary/octet-stream",
    cacheControl: req.headers["cache-control"],
    metadata,
    lastModified: new Date(),
  };
}

/** The body, decoded from `aws-chunked` when the SDK streamed it that way. */
async function readS3Body(req: IncomingMessage): Promise<Buffer> {
  const raw = await readBody(req);
  const chunked = String(req.headers["content-encoding"] ?? "").includes("aws-chunked") || String(req.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-");
  return chunked ? decodeAwsChunked(raw) : raw;
}

/** `<hex size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n<trailers>\r\n\r\n` */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf("\r\n", offset);
    if (lineEnd < 0) break;
    const size = parseInt(raw.subarray(offset, lineEnd).toString("latin1").split(";")[0], 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function md5(body: Buffer): string {
  return createHash("md5").update(body).digest("hex");
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => unescapeXml(m[1]));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function unescapeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendXml(res: ServerResponse, xml: string): void {
  send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>${xml}`, { "content-type": "application/xml" });
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headOnly = false): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/xml", "x-amz-error-code": code });
  res.end(headOnly ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);
}
