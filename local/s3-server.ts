/**
 * A small S3 server on loopback for tests, benchmarks and the local runtime: the
 * REST calls the site publisher and the app's handlers make (path-style), over a
 * pluggable object store (in memory by default). Every request is recorded by
 * operation so tests can count them, and `fail` injects errors to exercise
 * failure part-way through a publish.
 *
 * Supported: CreateBucket, HeadBucket, PutObject, GetObject, HeadObject, DeleteObject,
 * DeleteObjects, ListObjectsV2, ListObjects (v1), CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads, CopyObject, UploadPartCopy, and POST Object (a browser's upload with a SigV4 POST policy,
 * local/s3-post-policy.ts); GetObject and HeadObject take a Range or `?partNumber=N` (a multipart object's part sizes
 * are kept at completion, partRangeOf). Bodies in `aws-chunked` encoding
 * (what SDK v3 sends for streams with trailing checksums) are decoded as they arrive, each chunk's signature checked
 * as it completes when the request signs its chunks (ChunkSignatures, local/s3-auth.ts).
 *
 * Uploads stream: PutObject's body, POST Object's file and UploadPart's part go into the store as they arrive
 * (ObjectStore.putStream, putPart; the file store writes them to disk), checked on the way and at their end, so an
 * upload of up to 5 GiB is never held whole; CompleteMultipartUpload streams the parts one after another into the
 * object. CopyObject and UploadPartCopy stream the source from its open file into putStream or putPart the same way.
 * Only the small bodies of DeleteObjects and CompleteMultipartUpload are read whole.
 *
 * It checks requests as S3 does for a private bucket (local/s3-auth.ts): SigV4 — header or
 * presigned URL, expiry included — against the credentials it is given, then the body against
 * the signed length, payload hash, Content-MD5 and x-amz-checksum-*, and IAM for the signer (`authorise`: a function's
 * role with the bucket's policy, for a presigned URL as for a header-signed request: "The credentials used by the
 * presigned URL are those of the AWS Identity and Access Management (IAM) principal who generated the URL",
 * using-presigned-url.html); browsers get CORS only as the bucket's CORS rules say (local/s3-cors.ts). docs/local-s3.md
 * lists what still differs.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { closeSync, createReadStream, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmdirSync, rmSync, writeFileSync, type Dirent } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative, resolve, sep } from "node:path";
import { PassThrough, Readable, type Duplex } from "node:stream";
import { pipeline } from "node:stream/promises";
import { TextDecoder } from "node:util";
import { authenticate, BodyDigests, ChunkSignatures, decodeUriPart, header, isChecksumAlgorithm, lengthMismatch, noSuchBucket, parseQuery, S3Error, verifyBody, type Authenticated, type ReceivedBody, type S3Credentials, type SignableRequest } from "./s3-auth";
import { LOCAL_CREDENTIALS } from "./sigv4-verify";
import { copySourcePreconditions, readPreconditions, writePreconditions } from "./s3-conditions";
import { isPostObject, MAX_POST_PRE_DATA, readMultipartForm, verifyPostPolicy, type AcceptedPost } from "./s3-post-policy";
import { corsHeaders, preflight, type CorsRulesOf } from "./s3-cors";
import type { ObjectEvent } from "./s3-events";
import { s3UrlEncodeKey } from "./s3-key-encoding";
import type { Authorise } from "./function-roles";
import { parsePid, processRunning } from "./state-lock";
import { bucketNameProblem } from "../components/autoname";
import { escapeXml, MalformedXml, unescapeXml, xmlDocument, xmlElements, xmlValues } from "./xml";
import { bytesDelivered, closeAfterAnswer, onFirstRead, writeHeadWhole } from "./http";
import { hasAwsChunked, STORED_HEADER_NAMES, storedHeadersAnswer, storedHeadersFine, storedHeadersFrom, storedHeadersOf, type StoredHeaders } from "./s3-system-metadata";

/** An object as stored: its body, ETag, Content-Type, the other system metadata it was given (StoredHeaders), user metadata. */
export interface StoredObject extends StoredHeaders {
  key: string;
  body: Buffer;
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: Date;
  /**
   * A multipart upload's part sizes in part order, kept at CompleteMultipartUpload so that GetObject and HeadObject can
   * serve `?partNumber=N` as that part (partRangeOf); absent for an object not uploaded in parts.
   */
  partSizes?: number[];
}

/** Where the server keeps buckets and objects; swap in a filesystem-backed one if persistence is needed. */
export interface ObjectStore {
  createBucket(bucket: string): void;
  hasBucket(bucket: string): boolean;
  put(bucket: string, object: StoredObject): void;
  /**
   * An object written from its body as it arrives (PutObject, POST Object), never held whole by a store that keeps
   * objects elsewhere than in memory; its ETag is the body's MD5, as S3's for a single-part upload. `beforeCommit` is
   * called with the object once its whole body is stored, just before it replaces the one under its key, with nothing
   * awaited in between (a conditional write's check). A `source` that fails part-way (the client gone, a body check
   * failed at its end) or a `beforeCommit` that throws leaves the previous object as it was, and nothing of the new one.
   */
  putStream(bucket: string, object: NewObject, source: AsyncIterable<Uint8Array>, beforeCommit?: (object: ListedObject) => void): Promise<ListedObject>;
  /**
   * A multipart upload begun (CreateMultipartUpload): its record kept until removeUpload, across restarts by a store that
   * keeps objects across them (the file store), as S3 keeps an upload until it is completed or aborted.
   */
  createUpload(uploadId: string, upload: UploadRecord): void;
  /**
   * The uploads in progress the store keeps (asked once, when the server starts), each with its record and its parts
   * read when first asked for: the server asks when the upload is first used (or listed, ListMultipartUploads), so that
   * its start reads neither (10,000 uploads' records took ~0.45 s to read; an upload may have 10,000 parts). And the
   * uploads whose completion stopped after their object was stored (a crash before their record and parts were removed:
   * completeUpload), settled now: removed, and told as completed.
   */
  keptUploads(): { inProgress: KeptUpload[]; completed: CompletedUpload[] };
  /**
   * A multipart upload's part (UploadPart) written from its body as it arrives, as putStream writes an object: never
   * held whole by a store that keeps objects elsewhere than in memory; its ETag is the part's MD5, as S3's. It replaces
   * the upload's part of the same number only once whole: a `source` that fails part-way leaves the earlier one.
   */
  putPart(uploadId: string, partNumber: number, source: AsyncIterable<Uint8Array>): Promise<StoredPart>;
  /**
   * A part as it is now: its ETag and size, and its bytes as a stream (CompleteMultipartUpload reads the parts in order
   * into putStream, never whole, and checks each is the part it listed: one uploaded again meanwhile is another). Throws
   * when the upload has no such part (removed meanwhile).
   */
  readPart(uploadId: string, partNumber: number): { part: StoredPart; body: Readable };
  /** An upload's record and parts removed (AbortMultipartUpload). */
  removeUpload(uploadId: string): void;
  /**
   * CompleteMultipartUpload: the object written from the upload's parts (`source`) as putStream writes one, `beforeCommit`
   * called just before it replaces the previous object, then the upload's record and parts removed. It throws only when
   * the object was not stored (the upload is then as it was, to be completed again); once the object is stored the
   * completion has happened, whatever follows: a store that keeps uploads across restarts makes sure that a crash
   * between storing the object and removing the upload leaves an upload that is settled as completed when the store is
   * next read (keptUploads), never one that is listed, completed again or lost.
   */
  completeUpload(uploadId: string, bucket: string, object: NewObject, source: AsyncIterable<Uint8Array>, beforeCommit: (object: ListedObject) => void): Promise<ListedObject>;
  /** An object with its whole body (tests, tools); the server reads objects through `head` and `open`. */
  get(bucket: string, key: string): StoredObject | undefined;
  /** An object's metadata and size, its body unread (a conditional write's validators). */
  head(bucket: string, key: string): ListedObject | undefined;
  /**
   * An object's metadata and size, its body unread until `read` asks for part of it (GetObject, HeadObject): a HEAD, a
   * 304 or 412, and a ranged GET read none of the body, or only the range.
   */
  open(bucket: string, key: string): OpenedObject | undefined;
  delete(bucket: string, key: string): void;
  /** Objects whose key starts with `prefix`, in S3's key order (compareKeys): their metadata and size, not their bodies. */
  list(bucket: string, prefix: string): ListedObject[];
}

/**
 * An object to be written from a stream (ObjectStore.putStream): its size is the body's, and so is its ETag (the body's
 * MD5) unless it brings one (a multipart upload's, `"<MD5 of the parts' MD5s>-<parts>"`).
 */
export type NewObject = Omit<StoredObject, "body" | "etag"> & { etag?: string };

/**
 * A multipart upload in progress as a store keeps it (createUpload): its bucket and key, the object's metadata from
 * CreateMultipartUpload's headers, and when it began (ListMultipartUploads' Initiated).
 */
export interface UploadRecord extends StoredHeaders {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  initiated: Date;
}

/** A part of an upload in progress: its ETag (its bytes' MD5, quoted), size, and when it was stored (ListParts). */
export interface StoredPart {
  etag: string;
  size: number;
  lastModified: Date;
}

/**
 * An upload a store keeps (keptUploads): its record, and its parts by number, each read when called (at most once by the
 * server); a record that cannot be read is undefined (the upload answers NoSuchUpload).
 */
export interface KeptUpload {
  uploadId: string;
  upload: () => UploadRecord | undefined;
  parts: () => Map<number, StoredPart>;
}

/** A completed upload (keptUploads): a retried CompleteMultipartUpload of it is answered as the first was. */
export interface CompletedUpload {
  uploadId: string;
  bucket: string;
  key: string;
  /** The object's multipart ETag, quoted. */
  etag: string;
}

/** An object as a listing names it (ListObjectsV2's Contents: Key, LastModified, ETag, Size): no body is read for it. */
export type ListedObject = Omit<StoredObject, "body"> & { size: number };

/** An object opened for reading (ObjectStore.open): exactly one of `read` and `close` is called, once. */
export interface OpenedObject extends ListedObject {
  /** Bytes `start` to `end` (inclusive; `end` < `start` for none) of the body as it was when opened, as a stream that lets the object go when it ends. */
  read(start: number, end: number): Readable;
  /** Lets the object go without reading its body. */
  close(): void;
}

/**
 * S3's key order: "List results are always returned in UTF-8 binary order"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ListingKeysUsingAPIs.html). UTF-8 bytes sort as code points;
 * JavaScript's `<` compares UTF-16 code units, which differs past U+FFFF (a surrogate, D800-DFFF, sorts before
 * E000-FFFF). Mapping each unit as ICU's code-point-order comparison does fixes that without encoding the keys.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

function codePointOrder(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

/** A stored object as a listing names it (written out member by member: a rest copy is several times slower). */
function listedOf(o: StoredObject): ListedObject {
  return { key: o.key, etag: o.etag, contentType: o.contentType, cacheControl: o.cacheControl, contentDisposition: o.contentDisposition, contentEncoding: o.contentEncoding, contentLanguage: o.contentLanguage, expires: o.expires, metadata: o.metadata, lastModified: o.lastModified, partSizes: o.partSizes, size: o.body.length };
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
  /** Buffered: this store holds every body in memory anyway. */
  async putStream(bucket: string, meta: NewObject, source: AsyncIterable<Uint8Array>, beforeCommit?: (object: ListedObject) => void): Promise<ListedObject> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of source) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const object: StoredObject = { ...meta, body, etag: meta.etag ?? `"${md5(body)}"` };
    beforeCommit?.(listedOf(object));
    this.put(bucket, object);
    return listedOf(object);
  }
  /** Uploads in progress, kept as long as this store (a server started again on it finds them). */
  private readonly uploads = new Map<string, UploadRecord>();
  private readonly parts = new Map<string, Map<number, { part: StoredPart; body: Buffer }>>();
  createUpload(uploadId: string, upload: UploadRecord): void {
    this.uploads.set(uploadId, upload);
  }
  keptUploads(): { inProgress: KeptUpload[]; completed: CompletedUpload[] } {
    const inProgress = [...this.uploads].map(([uploadId, upload]) => ({ uploadId, upload: () => upload, parts: () => new Map([...(this.parts.get(uploadId) ?? [])].map(([n, { part }]) => [n, part])) }));
    return { inProgress, completed: [] };
  }
  /** The object put, then the upload removed: nothing in memory outlives a crash, so there is no window to close. */
  async completeUpload(uploadId: string, bucket: string, meta: NewObject, source: AsyncIterable<Uint8Array>, beforeCommit: (object: ListedObject) => void): Promise<ListedObject> {
    const object = await this.putStream(bucket, meta, source, beforeCommit);
    this.removeUpload(uploadId);
    return object;
  }
  /** Buffered, as putStream. */
  async putPart(uploadId: string, partNumber: number, source: AsyncIterable<Uint8Array>): Promise<StoredPart> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of source) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const part = { etag: `"${md5(body)}"`, size: body.length, lastModified: new Date() };
    const parts = this.parts.get(uploadId) ?? new Map<number, { part: StoredPart; body: Buffer }>();
    this.parts.set(uploadId, parts.set(partNumber, { part, body }));
    return part;
  }
  readPart(uploadId: string, partNumber: number): { part: StoredPart; body: Readable } {
    const kept = this.parts.get(uploadId)?.get(partNumber);
    if (!kept) throw new Error(`local S3: no part ${partNumber} of upload ${uploadId}`);
    return { part: kept.part, body: streamOf(kept.body) };
  }
  removeUpload(uploadId: string): void {
    this.uploads.delete(uploadId);
    this.parts.delete(uploadId);
  }
  get(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }
  head(bucket: string, key: string): ListedObject | undefined {
    const object = this.get(bucket, key);
    return object && listedOf(object);
  }
  open(bucket: string, key: string): OpenedObject | undefined {
    const object = this.get(bucket, key);
    return object && { ...listedOf(object), read: (start, end) => streamOf(object.body.subarray(start, end + 1)), close: () => {} };
  }
  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }
  list(bucket: string, prefix: string): ListedObject[] {
    return [...(this.buckets.get(bucket)?.values() ?? [])]
      .filter((o) => o.key.startsWith(prefix))
      .sort((a, b) => compareKeys(a.key, b.key))
      .map(listedOf);
  }
}

/**
 * Objects as files, so the local runtime's uploads survive restarts like its data does. Every bucket exists: a bucket
 * is a folder, made on first write.
 *
 * S3 keys are flat: "The object key name is a sequence of Unicode characters with UTF-8 encoding of up to 1,024
 * bytes long. Object key names are case sensitive"; "The Amazon S3 data model is a flat structure … There is no
 * hierarchy of subbuckets or subfolders" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html),
 * so `a` and `a/b`, `dir` and `dir/`,
 * `a//b`, `../x` and `./x` are different objects, and a segment can be longer than a file name may be (255 bytes).
 * A key is therefore never a path here: each object is one file, `root/.objects/<bucket>/<name>.obj`, named by the
 * SHA-256 of its key (after a readable, shortened copy of the key's safe characters), holding a line of JSON metadata
 * (the key and the body's size among it) and then the body. No key reaches the file system as a path, so none can
 * leave `root`, and two keys that differ only in case stay two files on a case-insensitive disk. A bucket's folder is
 * its name when that is made of a bucket name's characters (lower-case letters, digits, dots, hyphens; starting with a
 * letter or digit), else `~` and the name's hash. Each write goes to a temporary file renamed over the object, so a
 * reader never sees half an object. A reader opens the file once: HEAD, a 304 or 412 read its metadata line alone, a
 * GET streams its body (or the range asked for) from that open file, so an object replaced meanwhile is served whole
 * as it was.
 *
 * Durability: the temporary file is not fsync'd before the rename. After a power cut (not a crash or kill of the
 * process: the kernel still writes what it was given) a file written shortly before may come back empty or cut short:
 * "writes to the file system are not guaranteed to be on-disk unless the program issues an fsync() call afterwards"
 * (Red Hat's ext4 chapter; ext4's auto_da_alloc protects only a rename over an existing file, commit afd4672d). An
 * fsync cost 0.3–1.5 ms a PUT on the machine this was written on (200 PUTs of 2 KiB: 15–80 ms without, 73–600 ms with;
 * its directory's fsync, needed for the rename to last, as much again), and on macOS Node's fsync is a full flush of
 * the drive's cache (F_FULLFSYNC, libuv/libuv#1124), slower still; the store's neighbours make the same choice (the
 * local database runs with fsync off, the queues' state is written and renamed). Instead a file that did not survive
 * is told from a whole one — no metadata line, or a body of another size than its line records — and is then not
 * served (404, left out of listings, a new write of its key replaces it) and reported once through `log`.
 *
 * The first layout kept `root/<bucket>/<key>` with `<key>.__meta.json` beside it. Its objects are moved into this
 * one when the store opens (the key from the metadata, which is what was written); a file without readable metadata
 * is left where it is and not served. `.objects` is no valid bucket name, so no old bucket folder is mistaken for it.
 * Two runtimes opening the same folder at once both move: a file or folder the other one moved first is passed over.
 */
export class FileObjectStore implements ObjectStore {
  private static readonly OBJECTS = ".objects";
  /**
   * Multipart uploads in progress (like `.objects`, no valid bucket name): each one's record, `.uploads/<uploadId>.json`
   * (its bucket, key, the object's metadata, when it began), and its parts, `.uploads/<uploadId>/<partNumber>.part`, each
   * a line of JSON (its ETag, size and time) then its bytes, as an object's file is. Each is written to a temporary file
   * renamed over it, so an upload survives a restart as objects do, and a reader never sees half of one. While an upload
   * is being completed, `.uploads/<uploadId>.completing.json` names the object it is becoming (completeUpload).
   */
  private static readonly UPLOADS = ".uploads";
  /**
   * The temporary files this process writes (objects', parts', upload records'), across its stores
   * (removeAbandonedWrites), by absolute path: one of this process's id that is not among them was left by an earlier
   * process that had the same id.
   */
  private static readonly writing = new Set<string>();
  private static readonly SUFFIX = ".obj";
  private readonly objects: string;
  private readonly uploads: string;
  private readonly log: (message: string) => void;
  /** Object files reported as not served (each once, until its key is written again). */
  private readonly reported = new Set<string>();
  constructor(
    private readonly root: string,
    options: { log?: (message: string) => void } = {},
  ) {
    this.objects = join(root, FileObjectStore.OBJECTS);
    this.uploads = join(root, FileObjectStore.UPLOADS);
    this.log = options.log ?? ((message) => console.warn(message));
    mkdirSync(this.objects, { recursive: true });
    this.removeAbandonedWrites();
    this.removeAbandonedUploads();
    this.moveFirstLayout();
  }
  createBucket(bucket: string): void {
    mkdirSync(this.folder(bucket), { recursive: true });
  }
  hasBucket(_bucket: string): boolean {
    return true;
  }
  put(bucket: string, object: StoredObject): void {
    const folder = this.folder(bucket);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, fileNameOf(object.key));
    const { body, ...meta } = object;
    const line: ObjectLine = { ...meta, size: body.length };
    this.writeWhole(file, Buffer.concat([Buffer.from(`${JSON.stringify(line)}\n`), body]));
    this.reported.delete(file);
  }
  /**
   * `file` replaced by `bytes` at once: written to a temporary file renamed over it. Not fsync'd: see the class's comment
   * (a file a power cut tore is detected when read). A write or rename that failed (a full disk, a folder where the file
   * goes) leaves no temporary file behind: removeAbandonedWrites passes over this running process's files, so it would
   * stay until the next start.
   */
  private writeWhole(file: string, bytes: Uint8Array): void {
    const temporary = this.temporaryFile(file);
    try {
      writeFileSync(temporary, bytes);
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    } finally {
      FileObjectStore.writing.delete(temporary);
    }
  }
  /**
   * Written to the temporary file as the body arrives, hashed on the way, and renamed over the object at the end, its
   * metadata line written over the room kept for it (writeLined).
   */
  async putStream(bucket: string, meta: NewObject, source: AsyncIterable<Uint8Array>, beforeCommit?: (object: ListedObject) => void): Promise<ListedObject> {
    const folder = this.folder(bucket);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, fileNameOf(meta.key));
    const lineOf = (etag: string, size: number) => Buffer.from(JSON.stringify({ ...meta, etag, size } satisfies ObjectLine));
    const room = lineOf(meta.etag ?? `"${"0".repeat(32)}"`, Number.MAX_SAFE_INTEGER).length + 1;
    const temporary = this.temporaryFile(file);
    try {
      const write = (handle: FileHandle) =>
        writeLined(handle, source, room, ({ etag, size }): ListedObject => ({ ...meta, etag: meta.etag ?? etag, size }), (object) => lineOf(object.etag, object.size));
      // Not fsync'd: see the class's comment.
      return await writeTemporary(temporary, write, (object) => {
        beforeCommit?.(object);
        renameSync(temporary, file);
        this.reported.delete(file);
      });
    } finally {
      FileObjectStore.writing.delete(temporary);
    }
  }
  /**
   * A file's temporary file, `<file>.<pid>.<random>.tmp`, by its absolute path (another store of this process may name
   * the same folder otherwise, by a relative root), named as this process's while it writes it (removeAbandonedWrites).
   */
  private temporaryFile(file: string): string {
    const temporary = resolve(`${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    FileObjectStore.writing.add(temporary);
    return temporary;
  }
  /** The upload's record, `.uploads/<uploadId>.json`, written whole (writeWhole) before CreateMultipartUpload answers. */
  createUpload(uploadId: string, upload: UploadRecord): void {
    mkdirSync(this.uploads, { recursive: true });
    this.writeWhole(this.recordFile(uploadId), Buffer.from(JSON.stringify(upload)));
  }
  /**
   * The uploads whose records are in `.uploads` (by their names, none read: keptRecord, when asked), each with the parts
   * whose files are whole (keptParts, when asked). A part file that is not whole is reported, when its upload's parts are
   * read, and left out: ListParts does not list it, and a completion naming it is InvalidPart until it is uploaded again.
   */
  keptUploads(): { inProgress: KeptUpload[]; completed: CompletedUpload[] } {
    const completed = this.settleCompletions();
    const kept: KeptUpload[] = [];
    for (const entry of entriesOf(this.uploads)) {
      const uploadId = /^([A-Za-z0-9-]{1,64})\.json$/.exec(entry.name)?.[1];
      if (uploadId === undefined || !entry.isFile()) continue;
      kept.push({ uploadId, upload: () => this.keptRecord(uploadId), parts: () => this.keptParts(uploadId) });
    }
    return { inProgress: kept, completed };
  }
  /**
   * An upload's record, read. One that cannot be read (a power cut soon after it was written, an edit) is reported and
   * undefined: its upload answers NoSuchUpload, its files stay.
   */
  private keptRecord(uploadId: string): UploadRecord | undefined {
    const file = this.recordFile(uploadId);
    let upload: UploadRecord | undefined;
    let fault = "is no upload record";
    try {
      upload = uploadRecordOf(JSON.parse(readFileSync(file, "utf8")));
    } catch (error) {
      fault = error instanceof SyntaxError ? "is not JSON (cut short?)" : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    if (!upload) this.log(`local S3: ${relative(this.root, file)} ${fault}, so multipart upload ${uploadId} is not resumed (NoSuchUpload); its files are left as they are`);
    return upload;
  }
  /**
   * CompleteMultipartUpload made safe against a crash part-way. Its steps: (1) a completion file,
   * `.uploads/<uploadId>.completing.json`, naming the object the upload becomes (bucket, key, ETag, LastModified), written
   * whole; (2) the object written from the parts to a temporary file and renamed over the previous one (putStream): the
   * completion happens at this rename; (3) the upload's record and parts removed (removeUpload); (4) the completion file
   * removed. A crash before (2)'s rename leaves the upload as it was, the completion file naming an object that is not
   * there (the next start, settleCompletions, removes the file: the upload can be completed again). A crash after it
   * leaves the object whole and the completion file naming it: the next start removes what is left of the upload and
   * tells the server it was completed, so it is not listed, a retried completion is answered as the first was (not
   * written again over an object put since), and no part is lost before the object holds it. A removal that fails once
   * the object is stored (3, 4) is reported and left to the next start, the completion file then marked committed (the
   * object it names may be replaced meanwhile), not thrown: the completion happened.
   */
  async completeUpload(uploadId: string, bucket: string, meta: NewObject, source: AsyncIterable<Uint8Array>, beforeCommit: (object: ListedObject) => void): Promise<ListedObject> {
    const file = this.completionFile(uploadId);
    const completion: CompletionLine = { bucket, key: meta.key, etag: meta.etag ?? "", lastModified: meta.lastModified.toISOString() };
    mkdirSync(this.uploads, { recursive: true });
    this.writeWhole(file, Buffer.from(JSON.stringify(completion)));
    let object: ListedObject;
    try {
      object = await this.putStream(bucket, meta, source, beforeCommit);
    } catch (error) {
      rmSync(file, { force: true });
      throw error;
    }
    try {
      this.removeUpload(uploadId);
      rmSync(file, { force: true });
    } catch (error) {
      this.log(`local S3: multipart upload ${uploadId} is completed (its object ${JSON.stringify(meta.key)} stored) but its files could not all be removed (${(error as NodeJS.ErrnoException).code ?? String(error)}); the next start removes them`);
      try {
        this.writeWhole(file, Buffer.from(JSON.stringify({ ...completion, committed: true } satisfies CompletionLine)));
      } catch {
        // Left as written: the next start finds the object it names, unless it is replaced before then.
      }
    }
    return object;
  }
  /**
   * The completions a crash stopped (see completeUpload), read from their completion files: one whose object was stored
   * (the object under its key is the one it names, or it is marked committed) has what is left of its upload removed and
   * is returned as completed; one whose object was not has only its completion file removed (the upload stays, to be
   * completed again). A completion file that cannot be read was cut short before the object's write began: removed.
   */
  private settleCompletions(): CompletedUpload[] {
    const completed: CompletedUpload[] = [];
    for (const entry of entriesOf(this.uploads)) {
      const uploadId = /^([A-Za-z0-9-]{1,64})\.completing\.json$/.exec(entry.name)?.[1];
      if (uploadId === undefined || !entry.isFile()) continue;
      const file = join(this.uploads, entry.name);
      let completion: CompletionLine | undefined;
      try {
        completion = completionLineOf(JSON.parse(readFileSync(file, "utf8")));
      } catch {
        // cut short: the object's write had not begun
      }
      const object = completion && this.head(completion.bucket, completion.key);
      const stored = completion !== undefined && (completion.committed === true || (object !== undefined && object.etag === completion.etag && object.lastModified.getTime() === Date.parse(completion.lastModified)));
      if (stored) {
        this.removeUpload(uploadId);
        completed.push({ uploadId, bucket: completion!.bucket, key: completion!.key, etag: completion!.etag });
      }
      rmSync(file, { force: true });
    }
    return completed;
  }
  /** An upload's whole parts by number (see keptUploads). */
  private keptParts(uploadId: string): Map<number, StoredPart> {
    const parts = new Map<number, StoredPart>();
    const folder = this.uploadFolder(uploadId);
    const entries = entriesOf(folder);
    // The upload's abandoned temporary files, which the store's start leaves to this first use (removeAbandonedWrites).
    this.removeAbandonedWritesIn(folder, entries);
    for (const entry of entries) {
      const number = /^(\d{1,5})\.part$/.exec(entry.name)?.[1];
      if (number === undefined) continue;
      const file = join(folder, entry.name);
      const read = readPartFile(file);
      if (typeof read === "string") {
        this.log(`local S3: ${relative(this.root, file)} ${read}, so part ${number} of multipart upload ${uploadId} is left out (not listed; upload it again)`);
        continue;
      }
      closeSync(read.fd);
      parts.set(Number(number), read.part);
    }
    return parts;
  }
  /**
   * A part as a file of a line of JSON (its ETag, size and time, PartLine) then its bytes, written as putStream writes an
   * object (writeLined) to a temporary file renamed over the part: a part that fails part-way leaves the earlier one of
   * its number, and no temporary file.
   */
  async putPart(uploadId: string, partNumber: number, source: AsyncIterable<Uint8Array>): Promise<StoredPart> {
    const file = this.partFile(uploadId, partNumber);
    mkdirSync(this.uploadFolder(uploadId), { recursive: true });
    const temporary = this.temporaryFile(file);
    try {
      const write = (handle: FileHandle) => writeLined(handle, source, PART_LINE_ROOM, (body): StoredPart => ({ ...body, lastModified: new Date() }), (part) => Buffer.from(JSON.stringify(part)));
      return await writeTemporary(temporary, write, () => renameSync(temporary, file));
    } finally {
      FileObjectStore.writing.delete(temporary);
    }
  }
  /** The part's line, and its bytes after it, from the file opened now (a part replaced meanwhile is read as it was). */
  readPart(uploadId: string, partNumber: number): { part: StoredPart; body: Readable } {
    const read = readPartFile(this.partFile(uploadId, partNumber));
    if (typeof read === "string") throw new Error(`local S3: part ${partNumber} of upload ${uploadId} ${read}`);
    return { part: read.part, body: createReadStream("", { fd: read.fd, start: read.offset }) };
  }
  /** The record first, so that an abort or completion stopped part-way leaves a folder no record names (removeAbandonedUploads). */
  removeUpload(uploadId: string): void {
    rmSync(this.recordFile(uploadId), { force: true });
    rmSync(this.uploadFolder(uploadId), { recursive: true, force: true });
  }
  /** A part's file, in its upload's folder. */
  private partFile(uploadId: string, partNumber: number): string {
    if (!Number.isSafeInteger(partNumber)) throw new Error(`local S3: no such upload part ${uploadId} ${partNumber}`);
    return join(this.uploadFolder(uploadId), `${partNumber}.part`);
  }
  /** An upload's record, beside its folder. */
  private recordFile(uploadId: string): string {
    return `${this.uploadFolder(uploadId)}.json`;
  }
  /** An upload's completion file while it is being completed (completeUpload), beside its record. */
  private completionFile(uploadId: string): string {
    return `${this.uploadFolder(uploadId)}.completing.json`;
  }
  /** An upload's folder of parts. */
  private uploadFolder(uploadId: string): string {
    // The server names uploads (newUploadId) and serves only those it named; anything else never reaches the disk.
    if (!/^[A-Za-z0-9-]{1,64}$/.test(uploadId)) throw new Error(`local S3: no such upload ${uploadId}`);
    return join(this.uploads, uploadId);
  }
  get(bucket: string, key: string): StoredObject | undefined {
    const opened = this.openFile(bucket, key);
    if (!opened) return undefined;
    const { fd, offset, object } = opened;
    try {
      const { size, ...meta } = object;
      return { ...meta, body: readAt(fd, offset, size) };
    } finally {
      closeSync(fd);
    }
  }
  head(bucket: string, key: string): ListedObject | undefined {
    const opened = this.openFile(bucket, key);
    if (opened) closeSync(opened.fd);
    return opened?.object;
  }
  open(bucket: string, key: string): OpenedObject | undefined {
    const opened = this.openFile(bucket, key);
    if (!opened) return undefined;
    const { fd, offset, object } = opened;
    const read = (start: number, end: number): Readable => {
      if (end < start) {
        closeSync(fd);
        return streamOf(Buffer.alloc(0));
      }
      // From the file already open (the object as it was when opened); the stream closes it when done or destroyed.
      return createReadStream("", { fd, start: offset + start, end: offset + end });
    };
    return { ...object, read, close: () => closeSync(fd) };
  }
  delete(bucket: string, key: string): void {
    const file = join(this.folder(bucket), fileNameOf(key));
    rmSync(file, { force: true });
    this.reported.delete(file);
  }
  list(bucket: string, prefix: string): ListedObject[] {
    const folder = this.folder(bucket);
    // A file's name starts with its key's readable part, made character by character, so a key under `prefix` is in a
    // file whose name starts with the prefix's readable part: only those files are opened.
    const readablePrefix = readablePartOf(prefix);
    let names: string[];
    try {
      names = readdirSync(folder).filter((name) => name.endsWith(FileObjectStore.SUFFIX) && name.startsWith(readablePrefix));
    } catch {
      return [];
    }
    // Each file's metadata line and size, never its body: a listing of large objects reads a few KiB of each.
    const listed = names.flatMap((name) => {
      const opened = this.openPath(join(folder, name));
      if (opened) closeSync(opened.fd);
      return opened !== undefined && opened.object.key.startsWith(prefix) ? [opened.object] : [];
    });
    return listed.sort((a, b) => compareKeys(a.key, b.key));
  }
  /** A bucket's folder: its name when made of a bucket name's characters (so never `.` or `..`), else its hash. */
  private folder(bucket: string): string {
    return join(this.objects, /^[a-z0-9][a-z0-9.-]{0,254}$/.test(bucket) ? bucket : `~${sha256(bucket)}`);
  }
  /** The open file of `key`'s object, its metadata and where its body starts; undefined when there is none to serve. */
  private openFile(bucket: string, key: string): OpenFile | undefined {
    const opened = this.openPath(join(this.folder(bucket), fileNameOf(key)));
    if (opened?.object.key === key) return opened;
    if (opened) closeSync(opened.fd); // another key's file of the same name: a SHA-256 collision, never seen
    return undefined;
  }
  /**
   * An object file opened, its metadata line read (never its body) and its body's size checked against the one the
   * line records; undefined, and reported once, for a file that is not whole (see the class's comment), and undefined
   * for a missing one.
   */
  private openPath(file: string): OpenFile | undefined {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch {
      return undefined; // none (or unreadable: as none)
    }
    const read = readLined(fd, parseObjectLine);
    if (!("fault" in read)) return { fd, offset: read.offset, object: { ...read.meta, size: read.size } };
    closeSync(fd);
    const fault = read.meta ? `${read.fault} (key ${JSON.stringify(read.meta.key)})` : read.fault;
    if (!this.reported.has(file)) {
      this.reported.add(file);
      this.log(`local S3: ${relative(this.root, file)} ${fault}, so it is not served (404, not listed) until its key is written again; a power cut soon after a write leaves a file so (the store does not fsync)`);
    }
    return undefined;
  }
  /**
   * Temporary files (`<file>.<pid>.<random>.tmp`: objects', upload records') of a process that stopped between writing one
   * and renaming it (a crash, a kill), in the buckets' folders and `.uploads`: removed, as no rename will ever come. A
   * part's, in its upload's folder, is removed when that upload is first used (keptParts), or with the folder when the
   * upload is aborted or completed: a start does not list every upload's folder (10,000 uploads took ~0.6 s to list).
   */
  private removeAbandonedWrites(): void {
    const folders = [...readdirSync(this.objects).map((bucket) => join(this.objects, bucket)), this.uploads];
    for (const folder of folders) this.removeAbandonedWritesIn(folder, entriesOf(folder));
  }
  /**
   * The abandoned temporary files among a folder's `entries` removed (see removeAbandonedWrites). One of a process still
   * running (another runtime on the same folder) is left to it. One of this process's own id is left only if this process
   * writes it (writing): a container's processes start in the same order each time, so an earlier run's may have had the
   * same id.
   */
  private removeAbandonedWritesIn(folder: string, entries: Dirent[]): void {
    for (const entry of entries) {
      const pid = parsePid(/\.(?:obj|part|json)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(entry.name)?.[1]);
      if (pid === undefined) continue; // no pid (0, leading zeros, past 2^31-1): no process wrote it, left alone
      const path = resolve(folder, entry.name);
      const running = pid === process.pid ? FileObjectStore.writing.has(path) : processRunning(pid);
      if (!running) rmSync(path, { force: true });
    }
  }
  /**
   * Upload folders no record names, which no request can reach: an abort or completion stopped between removing the
   * record and removing the parts (a crash, a kill). And folders of the layout before uploads were kept,
   * `<pid>.<uploadId>`, whose uploads lived in their server's memory and ended with it: removed unless another process
   * still running (a runtime of that version on the same folder) writes them. Records are looked for among the names of
   * the one listing of `.uploads`, and only a folder whose record is not among them is looked for again on its own (a
   * record written by another runtime after the listing began), not every folder's.
   */
  private removeAbandonedUploads(): void {
    const entries = entriesOf(this.uploads);
    const names = new Set(entries.map((entry) => entry.name));
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const pid = parsePid(/^(\d+)\./.exec(entry.name)?.[1]);
      const record = `${entry.name}.json`;
      const abandoned = pid !== undefined ? pid === process.pid || !processRunning(pid) : !names.has(record) && !existsSync(join(this.uploads, record));
      if (abandoned) rmSync(join(this.uploads, entry.name), { recursive: true, force: true });
    }
  }
  /**
   * The first layout's objects, `root/<bucket>/<key>` and `<key>.__meta.json`, put into this one and removed. Another
   * runtime opening the same folder at the same time moves them too: a folder it emptied and removed, or a file it
   * moved, between this one's listing and its reading, is passed over (they threw ENOENT and stopped the runtime).
   */
  private moveFirstLayout(): void {
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === FileObjectStore.OBJECTS || entry.name === FileObjectStore.UPLOADS) continue;
      const top = join(this.root, entry.name);
      const walk = (folder: string): void => {
        for (const inner of entriesOf(folder)) {
          const full = join(folder, inner.name);
          if (inner.isDirectory()) {
            walk(full);
            removeIfEmpty(full);
          } else if (inner.name.endsWith(FIRST_LAYOUT_META)) {
            this.moveFirstLayoutObject(entry.name, top, full);
          }
        }
      };
      walk(top);
      removeIfEmpty(top);
    }
  }
  /** One object of the first layout, by its metadata file: put into this layout, then its two files removed. */
  private moveFirstLayoutObject(bucket: string, top: string, metaFile: string): void {
    const bodyFile = metaFile.slice(0, -FIRST_LAYOUT_META.length);
    let meta: ObjectLine | undefined;
    try {
      const written = JSON.parse(readFileSync(metaFile, "utf8")) as Partial<ObjectLine> | null;
      const key = typeof written?.key === "string" && written.key !== "" ? written.key : relative(top, bodyFile).split(sep).join("/");
      meta = objectLineOf({ ...written, key, size: undefined });
    } catch {
      // unreadable, or gone (moved by another runtime): nothing to move
    }
    if (!meta) return; // left where it is
    let body: Buffer;
    try {
      body = readFileSync(bodyFile);
    } catch (error) {
      // Gone: another runtime moved it and is about to remove this metadata file, or an earlier start was stopped
      // between the two removals. Once the key is in this layout the metadata file is left over; otherwise it stays.
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && this.head(bucket, meta.key)) rmSync(metaFile, { force: true });
      return;
    }
    this.put(bucket, { ...meta, body });
    rmSync(bodyFile, { force: true });
    rmSync(metaFile, { force: true });
  }
}

/** What the first layout kept beside each body: `<key>.__meta.json`. */
const FIRST_LAYOUT_META = ".__meta.json";

/** An object file's first line: the object's metadata and its body's size (absent in files written before it was recorded). */
type ObjectLine = Omit<StoredObject, "body"> & { size?: number };

/**
 * A completion file (FileObjectStore.completeUpload): the object an upload is becoming, by its bucket, key, ETag and
 * LastModified (which together tell it from an object put under the key since), and, once it was stored but the upload
 * could not be removed, `committed`.
 */
interface CompletionLine {
  bucket: string;
  key: string;
  etag: string;
  lastModified: string;
  committed?: true;
}

/** A completion file's JSON, checked field by field. */
function completionLineOf(value: unknown): CompletionLine | undefined {
  const line = value as Partial<Record<keyof CompletionLine, unknown>> | null;
  const fine = typeof line?.bucket === "string" && typeof line.key === "string" && typeof line.etag === "string" && typeof line.lastModified === "string" && (line.committed === undefined || line.committed === true);
  return fine ? (line as CompletionLine) : undefined;
}

/** An object file opened for reading: its descriptor, the offset of its body, its metadata and body size. */
interface OpenFile {
  fd: number;
  offset: number;
  object: ListedObject;
}

/**
 * A stream of one buffer, in pieces the size of a file's read stream's (64 KiB), as the file store's bytes come: an
 * answer takes them a piece at a time, so that its progress shows (watchStalledAnswer; Node counts a write as done only
 * once all of it is, local/http.ts), and holds no more than a piece waiting for a slow client: Readable.from's
 * highWaterMark is one object (Node 20's lib/internal/streams/from.js sets `highWaterMark: 1`, not object mode's usual
 * 16), held by the test of it in tests/local/s3-answer-headers.test.ts.
 */
function streamOf(bytes: Buffer): Readable {
  return Readable.from((function* () {
    for (let at = 0; at < bytes.length; at += MEMORY_PIECE) yield bytes.subarray(at, at + MEMORY_PIECE);
  })());
}
const MEMORY_PIECE = 64 * 1024;

/** A folder's entries; none when it is gone (or is no folder). */
function entriesOf(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Removes a folder the first layout left empty; one that still holds a file (or is gone already) stays as it is. */
function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // not empty, or gone
  }
}

/** An object's file name: up to 64 of the key's characters a file name may hold, then the key's SHA-256 (unique). */
function fileNameOf(key: string): string {
  return `${readablePartOf(key)}~${sha256(key)}.obj`;
}

/** A key's readable part: each UTF-16 unit a file name may hold kept, any other `_`, the first 64 of them. */
function readablePartOf(key: string): string {
  return key.slice(0, 64).replace(/[^A-Za-z0-9._-]/g, "_");
}

/** An object file's metadata line, if it is one: JSON of the fields the server reads, each of its type. */
function parseObjectLine(line: string): ObjectLine | undefined {
  try {
    return objectLineOf(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** Metadata as written (JSON), checked field by field so that no answer or listing fails on a damaged one. */
function objectLineOf(value: unknown): ObjectLine | undefined {
  const meta = value as Partial<Record<keyof ObjectLine, unknown>> | null;
  const lastModified = new Date(meta?.lastModified as string);
  const metadata = meta?.metadata;
  const fine =
    typeof meta?.key === "string" &&
    typeof meta.etag === "string" &&
    typeof meta.contentType === "string" &&
    storedHeadersFine(meta) &&
    (meta.size === undefined || Number.isSafeInteger(meta.size)) &&
    (meta.partSizes === undefined || (Array.isArray(meta.partSizes) && meta.partSizes.every((n) => Number.isSafeInteger(n) && n >= 0))) &&
    !Number.isNaN(lastModified.getTime()) &&
    isStringRecord(metadata);
  return fine ? ({ ...(meta as ObjectLine), lastModified } satisfies ObjectLine) : undefined;
}

/**
 * The longest metadata line read. The longest the server writes: a POST's form before its file (MAX_POST_PRE_DATA,
 * 20,480 bytes) as its Content-Type or other system metadata (StoredHeaders), control characters each escaped to six (`\u0001`), about
 * 123 KB; a PUT's headers are at most S3's 8 KB (checkHeaderSection). 64 KiB left such a POST's object answered 204 and never served.
 */
const MAX_LINE = 256 * 1024;

/** The bytes of an open file up to and including its first newline (read in 4 KiB steps, not the whole body; at most MAX_LINE). */
function firstLine(fd: number): Buffer {
  const chunks: Buffer[] = [];
  for (let position = 0; position < MAX_LINE; ) {
    const chunk = Buffer.alloc(4096);
    const read = readSync(fd, chunk, 0, chunk.length, position);
    const newline = chunk.subarray(0, read).indexOf(0x0a);
    chunks.push(chunk.subarray(0, newline < 0 ? read : newline + 1));
    if (newline >= 0 || read === 0) break;
    position += read;
  }
  return Buffer.concat(chunks);
}

/**
 * A file of a line of JSON metadata then a body written as it arrives (an object's, putStream; a part's, putPart), the
 * metadata known only at the body's end (its ETag and size). Room for the line is kept first, `room` bytes of spaces
 * ending in a newline, the body written after it, hashed on the way (writeHashed), and the line (`lineOf` of what
 * `described` makes of the body's ETag and size) written over the room last, padded with spaces (whitespace JSON.parse
 * ignores), so the body is written once and never copied. A file whose line was never written over the room (a power cut
 * may leave the first page as it was first flushed) starts with a line of spaces, no metadata: it is not served, and the
 * body's own first line is never read as the metadata.
 */
async function writeLined<T>(handle: FileHandle, source: AsyncIterable<Uint8Array>, room: number, described: (body: { etag: string; size: number }) => T, lineOf: (value: T) => Buffer): Promise<T> {
  const placeholder = Buffer.alloc(room, " ");
  placeholder[room - 1] = 0x0a;
  await writeAll(handle, placeholder, 0);
  const value = described(await writeHashed(handle, source, room));
  const line = Buffer.alloc(room, " ");
  lineOf(value).copy(line);
  line[room - 1] = 0x0a;
  await writeAll(handle, line, 0);
  return value;
}

/** The room a part's line takes (writeLined): its longest ETag, size and time (an ISO date of years 0 to 9999 is 24 characters), and the newline. */
const PART_LINE_ROOM = JSON.stringify({ etag: `"${"0".repeat(32)}"`, size: Number.MAX_SAFE_INTEGER, lastModified: new Date(0) } satisfies StoredPart).length + 1;

/**
 * A part's file opened and its line read (its bytes unread): the descriptor, where its bytes start, and the part; or why
 * it is not whole (a power cut soon after it was written: no line, or fewer bytes than the line records).
 */
function readPartFile(file: string): { fd: number; offset: number; part: StoredPart } | string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  const read = readLined(fd, parsePartLine);
  if (!("fault" in read)) return { fd, offset: read.offset, part: read.meta };
  closeSync(fd);
  return read.fault;
}

/** A part's line as written (writeLined in putPart), checked field by field; undefined when it is not one. */
function parsePartLine(line: string): StoredPart | undefined {
  let part: Partial<Record<keyof StoredPart, unknown>> | null;
  try {
    part = JSON.parse(line) as typeof part;
  } catch {
    return undefined;
  }
  const lastModified = new Date(part?.lastModified as string);
  return typeof part?.etag === "string" && Number.isSafeInteger(part.size) && !Number.isNaN(lastModified.getTime()) ? { etag: part.etag, size: part.size as number, lastModified } : undefined;
}

/**
 * The line of a file of a line of JSON then a body (writeLined: an object's, a part's) read from `fd`, the body unread:
 * where the body starts, its size, and what `parse` makes of the line; or why the file is not whole — a power cut soon
 * after it was written leaves it empty, with no line, or with fewer bytes than the line's `size` (then `meta` too).
 */
function readLined<T extends { size?: number }>(fd: number, parse: (line: string) => T | undefined): { offset: number; size: number; meta: T } | { fault: string; meta?: T } {
  try {
    const fileSize = fstatSync(fd).size;
    const line = firstLine(fd);
    const meta = line.at(-1) === 0x0a ? parse(line.subarray(0, -1).toString("utf8")) : undefined;
    const size = fileSize - line.length;
    if (meta && (meta.size === undefined || meta.size === size)) return { offset: line.length, size, meta };
    return fileSize === 0 ? { fault: "is empty" } : !meta ? { fault: "has no readable metadata line" } : { fault: `holds ${size} of its ${meta.size} bytes`, meta };
  } catch (error) {
    return { fault: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}

/** An upload's record as written (JSON), checked field by field (as objectLineOf checks an object's line). */
function uploadRecordOf(value: unknown): UploadRecord | undefined {
  const record = value as Partial<Record<keyof UploadRecord, unknown>> | null;
  const initiated = new Date(record?.initiated as string);
  const fine =
    typeof record?.bucket === "string" &&
    typeof record.key === "string" &&
    typeof record.contentType === "string" &&
    storedHeadersFine(record) &&
    isStringRecord(record.metadata) &&
    !Number.isNaN(initiated.getTime());
  return fine ? { ...(record as UploadRecord), initiated } : undefined;
}

/** Whether `value` is an object of string values (user metadata as written). */
function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string");
}

/** All of `bytes` written at `position` (a write may take fewer than it was given). */
async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * A new file `temporary` written (`write`), closed, then committed (`commit`: renamed over the file it replaces), with
 * nothing awaited between the close and the commit; a write, close or commit that fails leaves no file behind (it is
 * closed, a second close doing nothing, and removed). An object's (putStream) and a part's (putPart).
 */
async function writeTemporary<T>(temporary: string, write: (handle: FileHandle) => Promise<T>, commit: (written: T) => void): Promise<T> {
  const handle = await open(temporary, "w");
  try {
    const written = await write(handle);
    await handle.close();
    commit(written);
    return written;
  } catch (error) {
    await handle.close().catch(() => {});
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * A body written to an open file from `position` as it arrives, hashed on the way: its MD5 ETag (quoted, as S3 sends it)
 * and size. An object's (putStream) and a part's (putPart) alike.
 */
async function writeHashed(handle: FileHandle, source: AsyncIterable<Uint8Array>, position: number): Promise<{ etag: string; size: number }> {
  const hash = createHash("md5");
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    await writeAll(handle, chunk, position + size);
    size += chunk.length;
  }
  return { etag: `"${hash.digest("hex")}"`, size };
}

/** `size` bytes of an open file from `offset` (fewer if it ends first). */
function readAt(fd: number, offset: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let done = 0;
  for (let read = -1; done < size && read !== 0; done += read) read = readSync(fd, bytes, done, size - done, offset + done);
  return bytes.subarray(0, done);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export type S3Operation =
  | "CreateBucket"
  | "HeadBucket"
  | "PutObject"
  | "PostObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "DeleteObjects"
  | "ListObjectsV2"
  | "ListObjects"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListParts"
  | "ListMultipartUploads"
  | "CopyObject"
  | "UploadPartCopy"
  | "Unsupported";

export interface S3Request {
  operation: S3Operation;
  bucket: string;
  key: string;
  /** Keys named in a DeleteObjects body. */
  keys?: string[];
}

export { LOCAL_CREDENTIALS };

export interface LocalS3Options {
  store?: ObjectStore;
  /** Buckets created at start. */
  buckets?: string[];
  /** @default 0 (any free port) */
  port?: number;
  /**
   * The credentials requests must be signed with (SigV4, header or presigned URL); anything else is refused as S3 refuses it.
   * @default [LOCAL_CREDENTIALS]
   */
  credentials?: readonly S3Credentials[];
  /**
   * The region a bucket is in: a signature scoped to another region is refused, as S3 does.
   * @default any region is accepted
   */
  bucketRegion?: (bucket: string) => string | undefined;
  /**
   * Each bucket's CORS rules, read at every request. Without rules a bucket answers no browser
   * (preflights get 403), as S3 does for a bucket without a CORS configuration.
   * @default no bucket has CORS rules
   */
  cors?: CorsRulesOf;
  /**
   * Told of every object written (ObjectCreated:Put, :Post, :Copy, :CompleteMultipartUpload) or deleted
   * (ObjectRemoved:Delete) once the request succeeded: the program's bucket notifications
   * (local/s3-events.ts). Called without waiting, as S3 notifies asynchronously.
   * @default no notifications
   */
  onObjectEvent?: (event: ObjectEvent) => void;
  /**
   * IAM for signed requests, header-signed or presigned alike: why the signer may not perform `action` on `resource`, or
   * undefined when it may (local/function-roles.ts: the program's functions, by their roles and the bucket's policy,
   * local/resource-policies.ts). A refusal is S3's 403 AccessDenied with that
   * message. DeleteObjects is authorised key by key, as S3 does (each refused key is an AccessDenied in the result),
   * and a GET or HEAD of a missing key also needs s3:ListBucket on the bucket: "If you don't have the s3:ListBucket
   * permission, Amazon S3 returns an HTTP status code 403 Forbidden error"
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, API_GetObject.html).
   * @default every signed request is allowed
   */
  authorise?: Authorise;
  /**
   * How long the server waits for more of a request's body: a body that stops arriving for that long (no byte read from
   * the connection) is answered S3's 400 RequestTimeout and its connection closed; one that keeps arriving, however
   * slowly, never times out, nor one the server has not read yet (its store slow to take it). S3's timeout is an idle one too: "Your socket connection to the server was not read from or
   * written to within the timeout period. Idle connections will be closed." (ErrorResponses.html, RequestTimeout). The
   * body is checked a quarter of this at a time (idleClock), so it is closed after between this and 1.25 times this
   * without a byte. Headers must all arrive within 60 s, or within this if less (Node's server.headersTimeout,
   * https://nodejs.org/api/http.html#serverheaderstimeout), also with 0, which turns the body's timeout off. An object's
   * answer the client stops reading is closed after as long without a byte written (watchStalledAnswer).
   * @default 20000: S3 closes a connection "after 20 seconds" without data, as AWS's knowledge-center article on the
   * error says (quoted in Seagate/cortx-prvsnr#1960: "20sec idle results in the S3 server closing the connection with
   * the error 400 RequestTimeout"; also ncri/s3_uploader_example#3, from AWS's forums); not on AWS's documentation pages
   */
  idleTimeoutMs?: number;
  /**
   * The repeating timer the idle timeout checks on: `every(ms, check)` calls `check` every `ms` until the function it
   * returns is called. Tests pass one they run themselves, so that no test waits on the wall clock.
   * @default Node's setInterval, not keeping the process alive
   */
  idleClock?: IdleClock;
}

/** A repeating timer (LocalS3Options.idleClock): `check` called every `ms` until the returned function is called. */
export type IdleClock = (ms: number, check: () => void) => () => void;

/** S3's idle timeout as reported (see LocalS3Options.idleTimeoutMs). */
const S3_IDLE_TIMEOUT = 20_000;
/** Node's longest server.headersTimeout by default: 60 s (https://nodejs.org/api/http.html#serverheaderstimeout). */
const NODE_HEADERS_TIMEOUT = 60_000;
/** Node's longest timer delay (nodeIdleClock). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;
/** The idle checks a timeout takes (LocalS3Options.idleTimeoutMs): a body is closed after this many finding no new byte. */
const IDLE_CHECKS = 4;

/**
 * Node's setInterval, unref'd: a server's idle checks never keep the process alive. A period longer than Node's longest
 * delay, 2^31 - 1 ms (~24.8 days), is that longest: Node runs a longer one, Infinity too, every 1 ms ("When delay is
 * larger than 2147483647 or less than 1, the delay will be set to 1",
 * https://nodejs.org/api/timers.html#setintervalcallback-delay-args), which timed a body out after 4 ms.
 */
const nodeIdleClock: IdleClock = (ms, check) => {
  const timer = setInterval(check, Math.min(ms, MAX_TIMER_DELAY));
  timer.unref();
  return () => clearInterval(timer);
};

export interface LocalS3 {
  /** e.g. http://127.0.0.1:49152 — use with `forcePathStyle: true`. */
  endpoint: string;
  store: ObjectStore;
  /**
   * Every request that passed authentication and the body checks, in order (an upload refused on its headers, IAM or a
   * missing bucket, before its body is read, is not among them).
   */
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

/**
 * A multipart upload in progress: its record (the object's metadata), and its parts' ETags and sizes; both are kept by
 * the store too (ObjectStore.createUpload, putPart: the file store's files), which has the parts' bytes, never held here.
 */
interface MultipartUpload extends UploadRecord {
  parts: Map<number, StoredPart>;
}

/**
 * An upload the store kept, resumed once its record is read: its parts read from the store when first used (`parts`, a
 * getter), not when the server starts (ObjectStore.keptUploads). A listing of uploads reads the record's fields only.
 */
function resumedUpload(upload: UploadRecord, parts: () => Map<number, StoredPart>): MultipartUpload {
  let read: Map<number, StoredPart> | undefined;
  return {
    ...upload,
    get parts() {
      return (read ??= parts());
    },
  };
}

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const store = options.store ?? new MemoryObjectStore();
  for (const bucket of options.buckets ?? []) store.createBucket(bucket);
  const requests: S3Request[] = [];
  // The uploads the store kept (a restart of the local runtime resumes them, as S3 keeps an upload until it is completed
  // or aborted: "you must either complete or abort the multipart upload" to stop paying for its parts, mpuoverview.html).
  // Their records are read when each is first used (resumed), or all of them at the first listing of uploads.
  const kept = store.keptUploads();
  const uploads = new Map<string, MultipartUpload>();
  const unread = new Map<string, KeptUpload>(kept.inProgress.map((upload) => [upload.uploadId, upload]));
  /** The upload in progress of this id, the store's record of it read if it was kept and not read yet. */
  function uploadIn(uploadId: string): MultipartUpload | undefined {
    const keptUpload = unread.get(uploadId);
    if (keptUpload) {
      unread.delete(uploadId);
      const record = keptUpload.upload();
      if (record) uploads.set(uploadId, resumedUpload(record, keptUpload.parts));
    }
    return uploads.get(uploadId);
  }
  // Uploads completed (by this server, or settled by the store after a crash part-way), for a retried completion:
  // S3 answers one as it answered the first (completedAgain). The latest MAX_COMPLETED_KEPT only, in memory.
  const completed = new Map<string, CompletedUpload>(kept.completed.map((upload) => [upload.uploadId, upload]));
  // The completions being written, by upload (completeUpload: one at a time), each settled when its write is, never failed.
  const completing = new Map<string, Promise<void>>();
  let failing: ((request: S3Request) => boolean) | undefined;
  let sequence = 0;
  const notify = (eventName: string, bucket: string, key: string, object?: ListedObject) =>
    options.onObjectEvent?.({
      eventName,
      bucket,
      key,
      size: object?.size,
      eTag: object?.etag.replace(/"/g, ""),
      sequencer: (Date.now() * 1000 + (sequence++ % 1000)).toString(16).toUpperCase().padStart(16, "0"),
      time: new Date(),
    });

  const credentials = options.credentials ?? [LOCAL_CREDENTIALS];

  const idleTimeout = options.idleTimeoutMs ?? S3_IDLE_TIMEOUT;
  const idleClock = options.idleClock ?? nodeIdleClock;
  // Headers must all arrive within 60 s, or the idle timeout if less (0 turns off the body's timeout, not theirs).
  const headersTimeout = Math.min(NODE_HEADERS_TIMEOUT, idleTimeout || NODE_HEADERS_TIMEOUT);
  // Node looks for requests whose headers timed out every connectionsCheckingInterval (30 s by default): no less often.
  const connectionsCheckingInterval = Math.min(30_000, headersTimeout);
  // Node's requestTimeout, a whole request's (300 s by default, https://nodejs.org/api/http.html#serverrequesttimeout),
  // is off: a body times out only when idle (watchIdle), as S3's does. Headers past Node's own limit would be answered
  // by Node (431, no S3 error): S3's answer instead (headerOverflow).
  // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 section 6.3): nothing to time out, no timer.
  const watchBody = (req: IncomingMessage, res: ServerResponse): void => {
    if (idleTimeout > 0 && (req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined)) watchIdle(req, res, idleTimeout, idleClock);
  };
  // `bodyWatched`: false for a request awaiting 100 Continue, whose body is watched from its first read (checkContinue).
  const onRequest = (req: IncomingMessage, res: ServerResponse, bodyWatched = true): void => {
    if (bodyWatched) watchBody(req, res);
    // "Response headers returned by all operations: x-amz-request-id … x-amz-id-2" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingRESTError.html).
    res.setHeader("x-amz-request-id", randomBytes(8).toString("hex").toUpperCase());
    res.setHeader("x-amz-id-2", randomBytes(48).toString("base64"));
    handle(req, res).catch((error: unknown) => {
      // A body refused part-way (its stream let go, not destroyed: bodyOf) drains unread, so the answer reaches the client
      // and the connection serves the next request. An iterator left suspended, not returned (a POST's form refused before
      // its file is read: readMultipartForm's), still listens for 'readable', and resume() does not flow a stream while one
      // does: it is removed first.
      req.removeAllListeners("readable");
      req.resume();
      const headOnly = req.method === "HEAD";
      const refusal = error instanceof MalformedXml ? malformedXml() : error;
      if (refusal instanceof UploadTooLarge) closeAfterAnswer(res);
      if (refusal instanceof S3Error) return sendError(res, refusal.status, refusal.code, refusal.message, headOnly, refusal.details);
      // Never a stack trace or a local path in an answer.
      sendError(res, 500, "InternalError", "We encountered an internal error. Please try again.", headOnly);
    });
  };
  const server = createServer({ maxHeaderSize: MAX_NODE_HEADER_SECTION, requestTimeout: 0, headersTimeout, connectionsCheckingInterval }, onRequest);
  // A request with `Expect: 100-continue` comes here instead of to onRequest (without this listener Node answers 100
  // Continue at once, before any check): its 100 Continue waits for the body's first read (continueOnFirstRead), and so
  // does the watch for a stalled body, as the client sends nothing before it (the idle checks timed a client out for the
  // server's own wait, its checks before the body was read).
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    continueOnFirstRead(req, res, () => watchBody(req, res));
    onRequest(req, res, false);
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    // Node's own answers otherwise, as it gives them without a listener (https://nodejs.org/api/http.html#event-clienterror).
    // Answered already (headerOverflow): the parser, left in its error state, reports each later piece of the request
    // again; destroying the socket then reset it with the answer unread, so the rest is left to drain instead.
    if (socket.writableEnded) return;
    if (!socket.writable) return void socket.destroy();
    if (error.code === "HPE_HEADER_OVERFLOW") return headerOverflow(socket);
    // A request whose headers have not all arrived in time (headersTimeout): S3's answer, not Node's 408 (timedOut).
    if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return timedOut(socket);
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });

  // S3 words a refusal with the resource in quotes: … on resource: "arn:aws:s3:::bucket/key" because … (troubleshoot-403-errors.html).
  function refusalOf(accessKeyId: string, action: string, resource: string): string | undefined {
    const refused = options.authorise?.(accessKeyId, action, resource);
    return refused ? `User: ${refused.caller} is not authorized to perform: ${action} on resource: "${resource}" ${refused.reason}` : undefined;
  }

  /**
   * POST Object (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html): the form's policy checked
   * (local/s3-post-policy.ts), then the upload authorised as s3:PutObject for the policy's signer — as a presigned
   * PUT is authorised for whoever presigned it — and stored as PutObject stores, with an ObjectCreated:Post event.
   * The file may be as large as a PUT's body (5 GiB); it alone is sized, never the whole body, whose other parts
   * (the form's fields, at most MAX_POST_PRE_DATA before the file) do not count. A body that cannot hold a file within
   * the limit is refused by its declared length before it is read.
   *
   * The file streams into the store as it arrives (ObjectStore.putStream), as PutObject's body does; the form before
   * it is read first. The policy is checked then, all but its content-length-range, so that the object's key and
   * metadata are known — and again once the file has ended, its size known, with the checks that followed it, so a
   * refusal is the answer the whole form read first got, and the object replaces the previous one only when none came.
   * A form the policy refuses before the file is read to its end (not stored) and then answered.
   */
  async function postObject(req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
    const declared = Number(header(req.headers, "content-length") ?? 0);
    if (declared > MAX_POST_BODY) throw new UploadTooLarge(declared);
    const form = await readMultipartForm(atMost(req, MAX_POST_BODY, () => new UploadTooLarge(MAX_POST_BODY + 1)), header(req.headers, "content-type") ?? "", { maxFileBytes: MAX_SINGLE_UPLOAD });
    const { filename } = form.file;
    const policyOptions = { bucket, credentials, region: options.bucketRegion?.(bucket), bucketExists: store.hasBucket(bucket) };
    /** The policy checked with the file's size, then what follows it; the upload accepted, or the S3Error thrown. */
    const admitted = async (size: number): Promise<AcceptedPost> => {
      const accepted = await verifyPostPolicy({ fields: form.fields, file: { filename, size } }, policyOptions);
      checkKeyLength(accepted.key);
      admit(accepted.accessKeyId, { operation: "PostObject", bucket, key: accepted.key });
      return accepted;
    };
    let size = 0;
    const sized = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of form.file.body) {
        size += chunk.length;
        yield chunk;
      }
    };
    let accepted: AcceptedPost;
    try {
      accepted = await verifyPostPolicy({ fields: form.fields, file: { filename } }, policyOptions);
    } catch (refusal) {
      for await (const _ of sized());
      await admitted(size);
      throw refusal;
    }
    const { key } = accepted;
    // Kept as the header bytes a PUT would carry (headerBytes), so that both are measured and served alike.
    const metadata = Object.fromEntries(Object.entries(accepted.metadata).map(([name, value]) => [headerBytes(name), headerBytes(value)]));
    checkMetadataSize(metadata);
    const checked = async function* (): AsyncGenerator<Buffer> {
      yield* sized();
      await admitted(size);
    };
    // A form's fields are text: kept as S3 serves them (systemHeaderValue), in ISO-8859-1.
    const stored = storedHeadersOf(accepted);
    for (const field of Object.keys(stored) as Array<keyof StoredHeaders>) stored[field] = systemHeaderValue(stored[field]!);
    const meta: NewObject = { key, contentType: accepted.contentType === undefined ? "binary/octet-stream" : systemHeaderValue(accepted.contentType), ...stored, metadata, lastModified: new Date() };
    const object = await store.putStream(bucket, meta, checked());
    const location = `${(req.headers.host ? `http://${req.headers.host}` : "")}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, "/")}`;
    const headers = { etag: object.etag, location };
    if (accepted.successRedirect) {
      // "Amazon S3 appends the bucket, key, and etag values as query parameters to the URL" (RESTObjectPOST.html).
      const target = new URL(accepted.successRedirect);
      for (const [name, value] of [["bucket", bucket], ["key", key], ["etag", object.etag]]) target.searchParams.set(name, value);
      send(res, 303, "", { ...headers, location: target.toString() });
    } else if (accepted.successStatus === 201) {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(object.etag)}</ETag></PostResponse>`;
      send(res, 201, xml, { ...headers, "content-type": "application/xml" });
    } else {
      send(res, accepted.successStatus, "", headers);
    }
    notify("ObjectCreated:Post", bucket, key, object);
  }

  /** IAM for the signer (403 AccessDenied, thrown): decided on the request's headers, before its body is read. */
  function authorise(accessKeyId: string, request: S3Request): void {
    const permission = s3Permission(request.operation, request.bucket, request.key);
    const refused = permission && refusalOf(accessKeyId, permission.action, permission.resource);
    if (refused) throw new S3Error(403, "AccessDenied", refused);
  }

  /** A request past its body's checks recorded (`requests`), then a failure injected by `fail` (403 AccessDenied, thrown). */
  function record(request: S3Request): void {
    requests.push(request);
    if (failing?.(request)) throw new S3Error(403, "AccessDenied", `Injected failure for ${request.operation} ${request.key}`);
  }

  /** A request whose body was read whole and checked (a POST's form: its policy) let in: authorised, then recorded. */
  function admit(accessKeyId: string, request: S3Request): void {
    authorise(accessKeyId, request);
    record(request);
  }

  /**
   * An upload's body (PutObject, UploadPart) as it arrives, checked on the way and at its end as any body is
   * (verifyBody), then recorded. Its signer is authorised and its bucket looked up before (uploadStarted), on the headers
   * alone: S3 answers those without the body, as its Expect: 100-continue support shows — "If the message is rejected
   * based on the headers, the body of the message is not sent" (RESTObjectPUT.html, the Expect header).
   */
  async function* uploadBody(req: IncomingMessage, signable: SignableRequest, auth: Authenticated, received: ReceivedBody, request: S3Request): AsyncGenerator<Buffer> {
    yield* objectBytes(req, received);
    await verifyBody(signable, auth, received);
    record(request);
  }

  /** What an upload (PutObject, UploadPart) is refused on its headers, before a byte of its body is read or stored. */
  function uploadStarted(auth: Authenticated, request: S3Request): void {
    authorise(auth.accessKeyId, request);
    if (!store.hasBucket(request.bucket)) throw noSuchBucket(request.bucket);
  }

  /**
   * PutObject, its body streamed into the store (ObjectStore.putStream) as it arrives, never held whole: refused on
   * its headers first (uploadStarted: IAM, the bucket), checked on the way and at its end (uploadBody), and the
   * conditional write decided (local/s3-conditions.ts) just before the object replaces the previous one. Any failure
   * leaves the previous object as it was.
   */
  async function putObject(req: IncomingMessage, res: ServerResponse, written: NewObject, signable: SignableRequest, auth: Authenticated, received: ReceivedBody, request: S3Request): Promise<void> {
    const { bucket, key } = request;
    uploadStarted(auth, request);
    const body = uploadBody(req, signable, auth, received, request);
    const object = await store.putStream(bucket, written, body, () => writePreconditions(req.headers, () => store.head(bucket, key)));
    send(res, 200, "", { etag: object.etag });
    notify("ObjectCreated:Put", bucket, key, object);
  }

  /**
   * UploadPart, its body streamed into the store (ObjectStore.putPart) as PutObject's is: refused on its headers first
   * (IAM, the bucket, the upload, the part number), checked as it arrives (uploadBody). A part whose upload was
   * aborted or completed while it arrived is removed, and answered NoSuchUpload.
   */
  async function uploadPart(req: IncomingMessage, res: ServerResponse, query: Query, signable: SignableRequest, auth: Authenticated, received: ReceivedBody, request: S3Request): Promise<void> {
    uploadStarted(auth, request);
    const uploadId = param(query, "uploadId") ?? "";
    const upload = uploadOf(uploadId, request);
    const partNumber = partNumberOf(query);
    const part = await storePart(uploadId, upload, partNumber, uploadBody(req, signable, auth, received, request));
    send(res, 200, "", { etag: part.etag });
  }

  /**
   * A part of an upload in progress written from `source` (UploadPart's body, UploadPartCopy's source range) and kept.
   * Aborted or completed while the part arrived: its folder may be gone under the part's write (which then fails), or
   * the part written after its upload's parts were removed; either way it is removed, and the answer is NoSuchUpload.
   */
  async function storePart(uploadId: string, upload: MultipartUpload, partNumber: number, source: AsyncIterable<Uint8Array>): Promise<StoredPart> {
    const gone = () => uploads.get(uploadId) !== upload;
    const written = await store.putPart(uploadId, partNumber, source).catch((error: unknown) => {
      throw gone() ? noSuchUpload() : error;
    });
    if (gone()) {
      store.removeUpload(uploadId);
      throw noSuchUpload();
    }
    upload.parts.set(partNumber, written);
    return written;
  }

  /**
   * A copy's source (CopyObject, UploadPartCopy): its x-amz-copy-source read (copySourceOf), the caller authorised for
   * s3:GetObject on it — "you must have read access to the source object and write access to the destination bucket"
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html; the destination's s3:PutObject is the
   * request's own authorisation, s3Permission) — its bucket looked up (404 NoSuchBucket) and the object opened (404
   * NoSuchKey, or 403 without s3:ListBucket on its bucket), then its x-amz-copy-source-if-* conditions checked (412, local/s3-conditions.ts). The opened object is
   * the caller's to read or close; it is closed here when a check fails.
   */
  function copySource(req: IncomingMessage, refusal: (action: string, resource: string) => string | undefined): { bucket: string; key: string; object: OpenedObject } {
    const source = copySourceOf(req);
    const refused = refusal("s3:GetObject", `arn:aws:s3:::${source.bucket}/${source.key}`);
    if (refused) throw new S3Error(403, "AccessDenied", refused);
    if (!store.hasBucket(source.bucket)) throw noSuchBucket(source.bucket);
    const object = store.open(source.bucket, source.key);
    // A missing source is 403 to a caller who may not list its bucket, as for a GET: "If source key (file) does not
    // exist in the bucket, API throws … AccessDenied: User: … is not authorized to perform: s3:ListBucket on resource"
    // (aws/aws-sdk-js-v3#6523, CopyObject against S3).
    const unlisted = !object && refusal("s3:ListBucket", `arn:aws:s3:::${source.bucket}`);
    if (unlisted) throw new S3Error(403, "AccessDenied", unlisted);
    if (!object) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.", { Key: source.key });
    try {
      copySourcePreconditions(req.headers, object);
    } catch (error) {
      object.close();
      throw error;
    }
    return { ...source, object };
  }

  /**
   * CopyObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html): the source (copySource) streamed
   * from its open file into the destination (putStream), never held whole, as the object was when opened. Its metadata
   * — Content-Type, Cache-Control, x-amz-meta-* — is the source's with `x-amz-metadata-directive: COPY` (the default:
   * "If this header isn't specified, COPY is the default behavior"), or the request's with REPLACE ("Specifies whether
   * the metadata is copied from the source object or replaced with metadata that's provided in the request"). Refused:
   * a source over 5 GB, "You create a copy of your object up to 5 GB in size in a single atomic action using this API.
   * However, to copy an object greater than 5 GB, you must use the multipart upload Upload Part - Copy
   * (UploadPartCopy) API" (400 InvalidRequest with S3's message, as AWS answered it: rclone/rclone#2375, a 400 from
   * `Server: AmazonS3`, and hashicorp/terraform-provider-aws#38102); an object copied onto itself without REPLACE, 400 InvalidRequest "This
   * copy request is illegal because it is trying to copy an object to itself without changing the object's metadata,
   * storage class, website redirect location or encryption attributes." (S3's answer as quoted in peak/s5cmd#711 and
   * minio/minio-java#1418). The destination's If-None-Match / If-Match are a conditional write, as PutObject's
   * (sdk-for-kotlin CopyObjectRequest.ifNoneMatch: "Copies the object only if the object key name at the destination
   * does not already exist … Otherwise, Amazon S3 returns a 412 Precondition Failed error"). The answer is
   * `<CopyObjectResult>` with the new object's ETag (the MD5 of its bytes, as a PutObject's) and LastModified; no
   * x-amz-copy-source-version-id, as there are no versions here (copySourceOf refuses a versionId). Then
   * ObjectCreated:Copy, the event S3 sends for it (local/s3-events.ts).
   *
   * Not confirmed: S3 lets an object be copied onto itself when only its storage class, website redirect location or
   * encryption changes; this emulator keeps none of them, so such a self-copy (x-amz-storage-class,
   * x-amz-website-redirect-location or x-amz-server-side-encryption present) is let through and changes nothing but its
   * LastModified. S3 may also answer a copy that fails part-way with an error inside a 200; here it is an error status.
   *
   * A presigned CopyObject URL is a copy only with x-amz-copy-source signed as a header (unhoistableHeaders): the SDK's
   * presigner otherwise moves it into the query, and a PUT without the header is PutObject, of an empty body, as S3
   * answers it too (aws/aws-sdk-php#1275: 200 and the empty object's ETag "d41d8cd98f00b204e9800998ecf8427e").
   */
  async function copyObject(req: IncomingMessage, res: ServerResponse, request: S3Request, replaced: NewObject | undefined, refusal: (action: string, resource: string) => string | undefined): Promise<void> {
    const { bucket, key } = request;
    // Tags are not kept, as a PutObject's x-amz-tagging is not: with REPLACE the request's x-amz-tagging is dropped as
    // PutObject drops it (both accepted), with COPY there are none to copy. Only the directive's value is checked.
    directiveOf(req, "tagging");
    checkCopyChecksumAlgorithm(req);
    const source = copySource(req, refusal);
    const { object: opened } = source;
    await readingCopySource(opened, async (read) => {
      if (opened.size > MAX_SINGLE_UPLOAD) {
        throw new S3Error(400, "InvalidRequest", `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_SINGLE_UPLOAD}`);
      }
      const changesOther = ["x-amz-storage-class", "x-amz-website-redirect-location", "x-amz-server-side-encryption"].some((name) => req.headers[name] !== undefined);
      if (source.bucket === bucket && source.key === key && !replaced && !changesOther) {
        throw new S3Error(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
      }
      // REPLACE: the request's (read once from its headers, fromHeaders in handle); COPY: the source's.
      const meta: NewObject = replaced ?? { key, contentType: opened.contentType, ...storedHeadersOf(opened), metadata: opened.metadata, lastModified: new Date() };
      const object = await store.putStream(bucket, meta, read(0, opened.size - 1) as AsyncIterable<Uint8Array>, () => writePreconditions(req.headers, () => store.head(bucket, key)));
      sendXml(res, `<CopyObjectResult><ETag>${escapeXml(object.etag)}</ETag><LastModified>${object.lastModified.toISOString()}</LastModified></CopyObjectResult>`);
      notify("ObjectCreated:Copy", bucket, key, object);
    });
  }

  /**
   * UploadPartCopy (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html): a part of an upload in
   * progress written from the source (copySource) as UploadPart writes one from its body (storePart), the whole source
   * or the range `x-amz-copy-source-range: bytes=first-last` ("The range value must use the form bytes=first-last, where
   * the first and last are the zero-based byte offsets to copy", API_UploadPartCopy.html), streamed from the open file.
   * The answer is `<CopyPartResult>` with the part's ETag (its bytes' MD5) and LastModified; CompleteMultipartUpload
   * then takes the part as any other. A range that is not of that form is 400 InvalidArgument, one starting past the
   * source's end 400 InvalidRequest, one ending past it 400 InvalidArgument: codes and messages as LocalStack answers
   * them (localstack/services/s3/utils.py parse_copy_source_range_header), not confirmed against S3.
   *
   * Not enforced: "You can copy a range only if the source object is greater than 5 MB" (API_UploadPartCopy.html,
   * x-amz-copy-source-range): not confirmed that S3 refuses a smaller one. A part's 5 GiB limit (qfacts.html) is not
   * checked against the range either.
   */
  async function uploadPartCopy(req: IncomingMessage, res: ServerResponse, query: Query, request: S3Request, refusal: (action: string, resource: string) => string | undefined): Promise<void> {
    const uploadId = param(query, "uploadId") ?? "";
    const upload = uploadOf(uploadId, request);
    const partNumber = partNumberOf(query);
    const { object: opened } = copySource(req, refusal);
    await readingCopySource(opened, async (read) => {
      const { start, end } = copyRangeOf(header(req.headers, "x-amz-copy-source-range"), opened.size);
      const part = await storePart(uploadId, upload, partNumber, read(start, end) as AsyncIterable<Uint8Array>);
      sendXml(res, `<CopyPartResult><ETag>${escapeXml(part.etag)}</ETag><LastModified>${part.lastModified.toISOString()}</LastModified></CopyPartResult>`);
    });
  }

  /** The upload in progress of this id, for this bucket and key; else 404 NoSuchUpload. */
  function uploadOf(uploadId: string, request: S3Request): MultipartUpload {
    const upload = uploadIn(uploadId);
    if (!upload || upload.bucket !== request.bucket || upload.key !== request.key) throw noSuchUpload();
    return upload;
  }

  /**
   * CompleteMultipartUpload: the parts listed checked as S3 checks them, then streamed one after another from the store
   * (readPart) into the object (ObjectStore.completeUpload, as putStream), never held whole, with the multipart ETag —
   * the MD5 of the parts' binary MD5s, then `-` and their count — and the conditional write decided just before it
   * replaces the previous object. Then the upload's parts are removed. A failed completion leaves the upload and its
   * parts as they were, to be completed again: a failure after the upload was claimed (the object's rename) gives it
   * back (it was answered NoSuchUpload, the upload lost until a restart). A crash part-way is the store's to settle
   * (FileObjectStore.completeUpload). A listed part uploaded again while the parts are read is no longer the part
   * listed: 400 InvalidPart ("the specified entity tag may not match the part's entity tag"), not an object whose bytes
   * are not its ETag's (how S3 settles this race is not documented). A completion of an upload completed already is
   * answered as the first was (completedAgain); one of an upload being completed waits for that first (how S3 orders
   * two completions at once is not documented).
   */
  async function completeUpload(req: IncomingMessage, res: ServerResponse, query: Query, body: Buffer, request: S3Request): Promise<void> {
    const uploadId = param(query, "uploadId") ?? "";
    // One completion of an upload at a time. A later one (a client's retry of a completion still being written, after its
    // first attempt timed out, as the SDKs retry) waits for it, then is answered as a retry (completedAgain) or, if it
    // failed, completes the upload itself: it was answered NoSuchUpload once the first claimed the upload, and the file
    // store's completion file (FileObjectStore.completeUpload), written again by it, named its LastModified instead of
    // the first's (a crash after the first's object was stored then left the upload listed and completable again) and
    // was removed by its failure (the crash left no completion file at all).
    for (let running = completing.get(uploadId); running; running = completing.get(uploadId)) await running;
    const done = uploadIn(uploadId) ? undefined : completed.get(uploadId);
    if (done) return completedAgain(res, body, request, done);
    const upload = uploadOf(uploadId, request);
    const parts = listedParts(body.toString("utf8"), upload);
    const etag = multipartEtag(parts.map((p) => p.etag));
    async function* concatenated(): AsyncGenerator<Buffer> {
      for (const listed of parts) {
        const { part, body } = store.readPart(uploadId, listed.partNumber);
        if (part.etag !== listed.etag || part.size !== listed.size) {
          body.destroy();
          throw invalidPart();
        }
        yield* body as AsyncIterable<Buffer>;
      }
    }
    const meta: NewObject = { key: upload.key, etag, contentType: upload.contentType, ...storedHeadersOf(upload), metadata: upload.metadata, lastModified: new Date(), partSizes: parts.map((p) => p.size) };
    // Completed or aborted by another request while this one read the parts: as S3, one completion only. Its parts may
    // be gone under the read (which then fails): the answer is NoSuchUpload either way.
    const gone = () => uploads.get(uploadId) !== upload;
    let claimed = false;
    const write = store.completeUpload(uploadId, upload.bucket, meta, concatenated(), () => {
      writePreconditions(req.headers, () => store.head(upload.bucket, upload.key));
      if (gone()) throw noSuchUpload();
      uploads.delete(uploadId);
      claimed = true;
    });
    const running = write.then(
      () => {},
      () => {},
    );
    completing.set(uploadId, running);
    let object: ListedObject;
    try {
      object = await write.catch((error: unknown) => {
        // Claimed, then not stored (the store throws only then): the upload is as it was, to be completed again.
        if (claimed && !uploads.has(uploadId)) uploads.set(uploadId, upload);
        throw !(error instanceof S3Error) && gone() ? noSuchUpload() : error;
      });
      completed.set(uploadId, { uploadId, bucket: upload.bucket, key: upload.key, etag });
      for (const oldest of completed.keys()) {
        if (completed.size <= MAX_COMPLETED_KEPT) break;
        completed.delete(oldest);
      }
    } finally {
      if (completing.get(uploadId) === running) completing.delete(uploadId);
    }
    sendXml(res, completionXml(upload.bucket, upload.key, etag));
    notify("ObjectCreated:CompleteMultipartUpload", upload.bucket, upload.key, object);
  }

  /**
   * A CompleteMultipartUpload of an upload completed already, for the same bucket and key and listing the same parts (the
   * ETag they make is the object's): answered 200 as the first completion was, nothing written again and no event. S3
   * answers a retried completion so: run against S3, "the CompleteMultipartUpload API is idempotent when called multiple
   * times with the same parameters" (adobe/S3Mock#2586), and a second completion "fails with Minio, succeeds with S3"
   * (minio/minio#13318). Any other listing is 404 NoSuchUpload, as before (S3's answer to that is not confirmed), and so
   * is a retry once the upload is no longer among the MAX_COMPLETED_KEPT latest, or after a restart (S3 keeps answering
   * for some hours, minio/minio#2250, not confirmed; a completion a crash stopped is kept across the restart).
   */
  function completedAgain(res: ServerResponse, body: Buffer, request: S3Request, done: CompletedUpload): void {
    const listed = partsListed(body.toString("utf8"), (partNumber, etag) => ({ partNumber, etag }));
    if (done.bucket !== request.bucket || done.key !== request.key || multipartEtag(listed.map((p) => p.etag)) !== done.etag) throw noSuchUpload();
    sendXml(res, completionXml(done.bucket, done.key, done.etag));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkHeaderSection(req);
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    const queryAt = target.indexOf("?");
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = parseQuery(queryAt < 0 ? "" : target.slice(queryAt + 1));
    const [rawBucket = "", ...rest] = path.slice(1).split("/");
    const bucket = decodeUriPart(rawBucket);
    const key = rest.map(decodeUriPart).join("/");
    const rules = options.cors?.(bucket);
    // Preflights are not signed; the bucket's CORS rules alone decide.
    if (method === "OPTIONS") return send(res, 200, "", preflight(rules, req.headers));
    for (const [name, value] of Object.entries(corsHeaders(rules, method, req.headers))) res.setHeader(name, value);

    // A browser's POST Object carries its signature in the form, not in a header (local/s3-post-policy.ts).
    if (isPostObject(method, key, query, header(req.headers, "content-type"))) return postObject(req, res, bucket);

    // Who is asking first: an unsigned request is refused before its body is read.
    const signable = { method, path, query, headers: req.headers };
    const auth = await authenticate(signable, { credentials, region: options.bucketRegion?.(bucket) });
    const operation = operationOf(method, query, bucket, key, req.headers["x-amz-copy-source"] !== undefined);
    // The object a PutObject, CreateMultipartUpload or CopyObject with REPLACE writes from its headers: read once, its
    // metadata's size checked (checkLimits) and then written.
    const fromHeaders = operation === "PutObject" || operation === "CreateMultipartUpload" || (operation === "CopyObject" && directiveOf(req, "metadata") === "REPLACE") ? newObject(key, req) : undefined;
    checkLimits(operation, key, req, fromHeaders);
    const chunked = isAwsChunked(req, auth);
    // An upload states its length: Content-Length, or x-amz-decoded-content-length for aws-chunked
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, .../sigv4-streaming.html). Decided on the
    // headers, before the body is read: one sent without a length was read whole, however long, to be refused.
    const declaredLength = chunked ? req.headers["x-amz-decoded-content-length"] : req.headers["content-length"];
    if ((operation === "PutObject" || operation === "UploadPart") && declaredLength === undefined) {
      throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    }
    const received: ReceivedBody = { digests: new BodyDigests(signable, auth), trailers: {}, chunked, chunkSignatures: ChunkSignatures.of(auth) };
    const request: S3Request = { operation, bucket, key };
    if (operation === "PutObject") return putObject(req, res, fromHeaders!, signable, auth, received, request);
    if (operation === "UploadPart") return uploadPart(req, res, query, signable, auth, received, request);
    // Every other body is a document.
    const body = await readS3Body(req, received, MAX_DOCUMENT_BODY);
    await verifyBody(signable, auth, received);

    // DeleteObjects' body, a well-formed <Delete> (xmlDocument; API_DeleteObjects.html's request syntax).
    let deletion = "";
    if (operation === "DeleteObjects") {
      deletion = xmlDocument(body.toString("utf8"), "Delete");
      request.keys = xmlValues(deletion, "Key");
      // "You can specify up to 1,000 keys" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).
      // Object and its Key are required (API_DeleteObjects.html): none, or an empty Key, does not validate. An empty key was a 500 on the file store.
      if (request.keys.length === 0 || request.keys.length > 1000 || request.keys.includes("")) {
        throw malformedXml();
      }
    }
    const refusal = (action: string, resource: string) => refusalOf(auth.accessKeyId, action, resource);
    admit(auth.accessKeyId, request);
    if (operation === "Unsupported") return sendError(res, 501, "NotImplemented", notServed(method, path, query, bucket, key), method === "HEAD");
    if (operation === "CreateBucket") {
      // A name S3's naming rules refuse (components/autoname.ts, the one reading of them): S3's answer, quoted in
      // ceph/s3-tests (test_bucket_create_naming_good_long_60's note) and recorded with its BucketName in public client
      // tests; the code is ErrorResponses.html's. Any name was made before, `Upper_Case` and `a` too.
      if (bucketNameProblem(request.bucket) !== undefined) throw new S3Error(400, "InvalidBucketName", "The specified bucket is not valid.", { BucketName: request.bucket });
      store.createBucket(request.bucket);
      return send(res, 200, "");
    }
    if (!store.hasBucket(request.bucket)) throw noSuchBucket(request.bucket);
    switch (operation) {
      case "HeadBucket":
        return send(res, 200, "");
      case "GetObject":
      case "HeadObject": {
        const partNumber = "partNumber" in query ? partNumberOf(query) : undefined;
        // A part and a range at once are refused (partRangeOf).
        if (partNumber !== undefined && req.headers.range !== undefined) {
          throw new S3Error(400, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
        }
        // The response-* parameters are validated here, with partNumber, before the object and its preconditions are
        // looked at: a bad one is 400 InvalidArgument whatever the object's state. It was read in the 304's answer and
        // the 200's, after the preconditions: 400 beside an If-None-Match that matched, 412 beside an If-Match that did
        // not. Not confirmed: S3's order (API_GetObject.html does not give one).
        const overrides = responseOverrides(query);
        // Opened, not read: its metadata and size now, its body (or the range asked for) only once it is sent.
        const object = store.open(request.bucket, key);
        const unlisted = !object && refusal("s3:ListBucket", `arn:aws:s3:::${bucket}`);
        if (unlisted) return sendError(res, 403, "AccessDenied", unlisted, operation === "HeadObject");
        if (!object) return sendError(res, 404, "NoSuchKey", "The specified key does not exist.", operation === "HeadObject");
        let reading = false;
        try {
          // Preconditions before the range (local/s3-conditions.ts); a failed one is thrown as 412 PreconditionFailed.
          if (readPreconditions(req.headers, object) === "not-modified") {
            // 304 without a body. "The server generating a 304 response MUST generate any of the following header fields
            // that would have been sent in a 200 (OK) response to the same request: Content-Location, Date, ETag, and
            // Vary; Cache-Control and Expires", and "SHOULD NOT generate representation metadata other than the above
            // listed fields unless said metadata exists for the purpose of guiding cache updates (e.g., Last-Modified
            // might be useful …)" (https://www.rfc-editor.org/rfc/rfc9110#section-15.4.5). So the 200's Cache-Control
            // and Expires, a response-* parameter's over the stored one (the stored ones were sent whatever the request
            // asked), and its validators, ETag and Last-Modified, as S3 sends them (jamhall/s3rver#61: "the production
            // AWS behavior which is to return these headers with the 304 response"); Date is Node's, and S3 sends no
            // Content-Location, nor a Vary but CORS's (set before). Not confirmed: that S3 applies response-* to a 304.
            const { "cache-control": cacheControl, expires } = { ...storedHeadersAnswer(object, systemHeaderValue), ...overrides };
            const kept: Record<string, string> = { etag: object.etag, "last-modified": object.lastModified.toUTCString() };
            if (cacheControl) kept["cache-control"] = cacheControl;
            if (expires) kept.expires = expires;
            writeHeadWhole(res, 304, kept);
            res.end();
            return;
          }
          const headers: Record<string, string> = {
            "content-type": systemHeaderValue(object.contentType),
            etag: object.etag,
            "last-modified": object.lastModified.toUTCString(),
            "accept-ranges": "bytes",
            ...metadataHeaders(object.metadata),
            ...storedHeadersAnswer(object, systemHeaderValue),
            ...overrides,
          };
          if (partNumber !== undefined && object.partSizes) headers["x-amz-mp-parts-count"] = String(object.partSizes.length);
          const range = partNumber !== undefined ? partRangeOf(object, partNumber) : byteRange(header(req.headers, "range"), object.size);
          if (range === "unsatisfiable") {
            res.setHeader("content-range", `bytes */${object.size}`);
            throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable", { RangeRequested: String(req.headers.range), ActualObjectSize: String(object.size) });
          }
          const { start, end } = range ?? { start: 0, end: object.size - 1 };
          if (range) headers["content-range"] = `bytes ${start}-${end}/${object.size}`;
          // Content-Length last: Node writes a Content-Disposition that follows a Content-Length as its latin1 bytes read
          // back as UTF-8 (nodejs/node#58240), so a response-content-disposition's `é` (E9) reached the client as U+FFFD's
          // low byte, FD. One before it is written as it is.
          writeHeadWhole(res, range ? 206 : 200, { ...headers, "content-length": String(end - start + 1) });
          if (operation === "HeadObject") return void res.end();
          reading = true;
          if (idleTimeout > 0 && end - start + 1 > res.writableHighWaterMark) watchStalledAnswer(res, idleTimeout, idleClock);
          // A failure part-way (the client gone, the file unreadable) ends the answer short: its length says so.
          await pipeline(object.read(start, end), res);
        } finally {
          if (!reading) object.close();
        }
        return;
      }
      case "DeleteObject":
        store.delete(request.bucket, key);
        send(res, 204, "");
        return notify("ObjectRemoved:Delete", request.bucket, key);
      case "DeleteObjects": {
        const results: string[] = [];
        if (xmlValues(deletion, "VersionId").length > 0) throw new S3Error(501, "NotImplemented", `DeleteObjects of an object version (VersionId) ${NO_VERSIONS}`);
        const quiet = isQuiet(xmlValues(deletion, "Quiet")[0]);
        for (const k of request.keys ?? []) {
          const keyRefused = refusal("s3:DeleteObject", `arn:aws:s3:::${bucket}/${k}`);
          if (keyRefused) {
            results.push(`<Error><Key>${escapeXml(k)}</Key><Code>AccessDenied</Code><Message>${escapeXml(keyRefused)}</Message></Error>`);
            continue;
          }
          store.delete(request.bucket, k);
          notify("ObjectRemoved:Delete", request.bucket, k);
          if (!quiet) results.push(`<Deleted><Key>${escapeXml(k)}</Key></Deleted>`);
        }
        return sendXml(res, `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${results.join("")}</DeleteResult>`);
      }
      case "ListObjectsV2":
        return sendXml(res, listXml(request.bucket, query));
      case "ListObjects":
        return sendXml(res, listV1Xml(request.bucket, query));
      case "ListMultipartUploads":
        return sendXml(res, listUploadsXml(request.bucket, query));
      case "CreateMultipartUpload": {
        const { uploadId, initiated } = newUploadId();
        const template = fromHeaders!;
        const upload: UploadRecord = { bucket: request.bucket, key, contentType: template.contentType, ...storedHeadersOf(template), metadata: template.metadata, initiated };
        store.createUpload(uploadId, upload);
        uploads.set(uploadId, { ...upload, parts: new Map() });
        return sendXml(res, `<InitiateMultipartUploadResult><Bucket>${escapeXml(request.bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
      }
      case "CompleteMultipartUpload":
        return completeUpload(req, res, query, body, request);
      case "CopyObject":
        return copyObject(req, res, request, fromHeaders, refusal);
      case "UploadPartCopy":
        return uploadPartCopy(req, res, query, request, refusal);
      case "ListParts": {
        const uploadId = param(query, "uploadId") ?? "";
        return sendXml(res, listPartsXml(uploadId, uploadOf(uploadId, request), query));
      }
      case "AbortMultipartUpload": {
        const uploadId = param(query, "uploadId") ?? "";
        uploadOf(uploadId, request);
        uploads.delete(uploadId);
        store.removeUpload(uploadId);
        return send(res, 204, "");
      }
    }
  }

  /**
   * One page of a bucket's listing after `after` (exclusive), as both list calls page them, and its XML. With a
   * delimiter, keys that hold it after the prefix are "rolled up into a single result element in the CommonPrefixes
   * collection … Each rolled-up result counts as only one return against the MaxKeys value"
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html, API_ListObjects.html). A page ends on its
   * last key or common prefix. The position is exclusive: S3 "starts listing after this specified key" (StartAfter), in
   * lexicographical key order, and a common prefix "is filtered out from results if it is not lexicographically greater
   * than the StartAfter value" (API_ListObjectsV2.html, Delimiter). So listing after a common prefix (the V2 token, the
   * V1 NextMarker) skips every key under it, while a "folder marker" key equal to the prefix (`a/` under prefix `a/`,
   * what the console's "Create folder" writes) is an ordinary key whose followers are listed (review-118: they were
   * skipped). A key never equals a common prefix of the same listing (it would have been rolled up), so the page's last
   * entry alone says where the next page starts.
   */
  function listPage(bucket: string, query: Query, after: string, encoded: ListEncoding) {
    const { encode, element } = encoded;
    const prefix = param(query, "prefix") ?? "";
    const delimiter = param(query, "delimiter") || undefined;
    const maxKeys = Math.min(countParam(query, "max-keys") ?? 1000, 1000);
    const keys = store.list(bucket, prefix).filter((o) => compareKeys(o.key, after) > 0);
    const { items: objects, prefixes, last, truncated } = rolledUp(keys, prefix, delimiter, maxKeys, after);
    const contents = objects
      .map((o) => `<Contents><Key>${escapeXml(encode(o.key))}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
      .join("");
    const common = prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(encode(p))}</Prefix></CommonPrefixes>`).join("");
    const head = `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(encode(prefix))}</Prefix>${delimiter ? `<Delimiter>${escapeXml(encode(delimiter))}</Delimiter>` : ""}${element}`;
    // With max-keys 0 nothing is returned and there is nothing to continue after.
    return { head, maxKeys, count: objects.length + prefixes.length, last, truncated, xml: contents + common };
  }

  /**
   * ListMultipartUploads (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html): the bucket's
   * uploads in progress (those kept across a restart too), "sorted by key … in ascending order within each key by the
   * upload initiation time", after `key-marker` ("only the keys lexicographically greater than the specified key-marker")
   * or, with `upload-id-marker`, also that key's uploads "that have upload IDs lexicographically greater than the
   * specified upload-id-marker"; `prefix`, `delimiter` (CommonPrefixes, rolled up as a listing's) and `max-uploads`
   * (default and most 1,000) as the page says. Not sent: Initiator, Owner, ChecksumAlgorithm.
   */
  function listUploadsXml(bucket: string, query: Query): string {
    const { encode, element } = listEncoding(query);
    const prefix = param(query, "prefix") ?? "";
    const delimiter = param(query, "delimiter") || undefined;
    const keyMarker = param(query, "key-marker") ?? "";
    // "If key-marker is not specified, the upload-id-marker parameter is ignored" (the page's upload-id-marker): not
    // used and not echoed (UploadIdMarker empty, as when none is sent).
    const uploadIdMarker = keyMarker ? param(query, "upload-id-marker") : undefined;
    const maxUploads = Math.min(countParam(query, "max-uploads") ?? 1000, 1000);
    for (const uploadId of [...unread.keys()]) uploadIn(uploadId);
    const listed = [...uploads]
      .map(([uploadId, { bucket, key, initiated }]) => ({ uploadId, bucket, key, initiated }))
      .filter(({ bucket: of, key, uploadId }) => of === bucket && key.startsWith(prefix) && (compareKeys(key, keyMarker) > 0 || (uploadIdMarker !== undefined && key === keyMarker && uploadId > uploadIdMarker)))
      .sort((a, b) => compareKeys(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() || (a.uploadId < b.uploadId ? -1 : 1));
    const page = rolledUp(listed, prefix, delimiter, maxUploads, keyMarker);
    const lastUpload = page.items.at(-1);
    const nextKeyMarker = page.truncated ? `<NextKeyMarker>${escapeXml(encode(page.last))}</NextKeyMarker>` : "";
    const nextUploadIdMarker = page.truncated && lastUpload && lastUpload.key === page.last ? `<NextUploadIdMarker>${escapeXml(lastUpload.uploadId)}</NextUploadIdMarker>` : "";
    const items = page.items
      .map((u) => `<Upload><Key>${escapeXml(encode(u.key))}</Key><UploadId>${escapeXml(u.uploadId)}</UploadId><StorageClass>STANDARD</StorageClass><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`)
      .join("");
    const common = page.prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(encode(p))}</Prefix></CommonPrefixes>`).join("");
    // The elements in the order of S3's model (ListMultipartUploadsOutput, as @aws-sdk/client-s3 carries it).
    const markers = `<KeyMarker>${escapeXml(encode(keyMarker))}</KeyMarker><UploadIdMarker>${escapeXml(uploadIdMarker ?? "")}</UploadIdMarker>${nextKeyMarker}`;
    const echoed = `<Prefix>${escapeXml(encode(prefix))}</Prefix>${delimiter ? `<Delimiter>${escapeXml(encode(delimiter))}</Delimiter>` : ""}${nextUploadIdMarker}`;
    return `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(bucket)}</Bucket>${markers}${echoed}<MaxUploads>${maxUploads}</MaxUploads><IsTruncated>${page.truncated}</IsTruncated>${items}${common}${element}</ListMultipartUploadsResult>`;
  }

  function listXml(bucket: string, query: Query): string {
    const token = param(query, "continuation-token");
    const startAfter = param(query, "start-after");
    const after = token !== undefined ? continuationKey(token) : startAfter ?? "";
    const encoded = listEncoding(query);
    const page = listPage(bucket, query, after, encoded);
    const next = page.truncated ? `<NextContinuationToken>${Buffer.from(page.last).toString("base64")}</NextContinuationToken>` : "";
    const echoed = (token !== undefined ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : "") + (startAfter ? `<StartAfter>${escapeXml(encoded.encode(startAfter))}</StartAfter>` : "");
    return `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${page.head}<KeyCount>${page.count}</KeyCount><MaxKeys>${page.maxKeys}</MaxKeys>${echoed}<IsTruncated>${page.truncated}</IsTruncated>${page.xml}${next}</ListBucketResult>`;
  }

  /**
   * ListObjects (v1): paged by `marker`, the key to list after. NextMarker "is returned only if you have the delimiter
   * request parameter specified" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html); without one a
   * client continues after the last key of the page, as the SDKs do.
   */
  function listV1Xml(bucket: string, query: Query): string {
    const marker = param(query, "marker") ?? "";
    const encoded = listEncoding(query);
    const page = listPage(bucket, query, marker, encoded);
    const next = page.truncated && param(query, "delimiter") ? `<NextMarker>${escapeXml(encoded.encode(page.last))}</NextMarker>` : "";
    return `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${page.head}<Marker>${escapeXml(encoded.encode(marker))}</Marker>${next}<MaxKeys>${page.maxKeys}</MaxKeys><IsTruncated>${page.truncated}</IsTruncated>${page.xml}</ListBucketResult>`;
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const keysOf = (ops: S3Operation[]) => requests.filter((r) => ops.includes(r.operation)).flatMap((r) => r.keys ?? [r.key]);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    store,
    requests,
    count: (operation) => requests.filter((r) => r.operation === operation).length,
    uploadedKeys: () => keysOf(["PutObject", "PostObject", "CompleteMultipartUpload", "CopyObject"]),
    deletedKeys: () => keysOf(["DeleteObject", "DeleteObjects"]),
    resetRequests: () => void (requests.length = 0),
    fail: (predicate) => void (failing = predicate),
    close: () =>
      new Promise<void>((resolve) => {
        // The uploads in progress stay in the store, for a server started again on it (as S3 keeps them).
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Query = Record<string, string | string[]>;

/** The time and sequence number of the last upload id this process made (newUploadId). */
let lastUploadId = { ms: 0, sequence: 0 };

/**
 * A new multipart upload's id and when it began (CreateMultipartUpload). ListMultipartUploads lists a key's uploads
 * "in ascending order within each key by the upload initiation time" and continues after `upload-id-marker` with those
 * "that have upload IDs lexicographically greater" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html):
 * for the two orders to agree, so that paging lists each upload once, an id starts with its initiation time and a
 * sequence number for uploads begun in the same millisecond (hex of fixed width: it sorts as they do), then a random
 * UUID. The time is never earlier than the last id's in this process (a clock set back); the initiation time is the
 * id's, so after a restart too the two orders agree. S3's own upload ids are opaque; this form is the local server's.
 */
function newUploadId(): { uploadId: string; initiated: Date } {
  const now = Date.now();
  lastUploadId = now > lastUploadId.ms ? { ms: now, sequence: 0 } : { ms: lastUploadId.ms, sequence: lastUploadId.sequence + 1 };
  const uploadId = `${lastUploadId.ms.toString(16).padStart(12, "0")}${lastUploadId.sequence.toString(16).padStart(8, "0")}-${randomUUID()}`;
  return { uploadId, initiated: new Date(lastUploadId.ms) };
}

/**
 * One page of a listing in key order (objects, ListObjects/V2; uploads, ListMultipartUploads): at most `max` entries, a
 * key holding `delimiter` after `prefix` rolled up into its common prefix, counted once, and left out when that prefix
 * is not after `after` (see listPage). `last` is the page's last key or common prefix; `truncated` whether more follow.
 */
function rolledUp<T extends { key: string }>(sorted: T[], prefix: string, delimiter: string | undefined, max: number, after: string): { items: T[]; prefixes: string[]; last: string; truncated: boolean } {
  const items: T[] = [];
  const prefixes: string[] = [];
  let last = "";
  let i = 0;
  while (i < sorted.length && items.length + prefixes.length < max) {
    const key = sorted[i].key;
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (at < 0) {
      items.push(sorted[i++]);
      last = key;
      continue;
    }
    const common = key.slice(0, at + delimiter!.length);
    while (i < sorted.length && sorted[i].key.startsWith(common)) i++;
    if (compareKeys(common, after) <= 0) continue;
    prefixes.push(common);
    last = common;
  }
  // With max 0 nothing is returned and there is nothing to continue after.
  return { items, prefixes, last, truncated: i < sorted.length && last !== "" };
}

/** S3's answer for a completion naming a part the upload does not have, or not with that ETag (API_CompleteMultipartUpload.html, InvalidPart). */
function invalidPart(): S3Error {
  return new S3Error(400, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
}

/** S3's answer for a request's XML body it cannot read or that does not validate (ErrorResponses.html, MalformedXML). */
function malformedXml(): S3Error {
  return new S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
}

/**
 * S3's answer for an upload id it does not know (never started, aborted or completed), ErrorResponses.html; its message
 * as S3 words it, quoted from an AbortMultipartUpload answer in OpenMined/courses#442.
 */
function noSuchUpload(): S3Error {
  return new S3Error(404, "NoSuchUpload", "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
}

/**
 * A copy's x-amz-copy-source: "Specifies the source object for the copy operation. The value must be URL-encoded … the
 * name of the source bucket and the key of the source object, separated by a slash (/). For example, to copy the
 * object reports/january.pdf from the bucket awsexamplebucket, use awsexamplebucket/reports/january.pdf"; a leading
 * slash is taken too (the API reference's own examples send `/bucketname/sourceobjectkey`, Paws::S3::UploadPartCopy,
 * and S3's SDKs accept both), and "To copy a specific version of an object, append ?versionId=<version-id> to the value"
 * (API_CopyObject.html, API_UploadPartCopy.html: CopySource). Without a bucket or a key, or not decodable, 400
 * InvalidArgument "Copy Source must mention the source bucket and key: sourcebucket/sourcekey" (S3's wording as MinIO,
 * Swift's s3api and Garage answer it; not confirmed against S3 itself). A `+` sent unencoded is a space, as in a form's
 * query: S3 answers NoSuchKey for a key with a plus unless it comes as `%2B` ("S3 expects it to be foo%2B%2Bbar.txt",
 * aws/aws-cli#614; aws/aws-sdk-js#1821, aws/aws-sdk-php#236), so a copy whose source key is not encoded fails here as
 * it does on AWS (that S3 reads the `+` as a space is inferred, not confirmed). This emulator keeps no versions: a versionId is
 * 501 NotImplemented, not a copy of the current object that S3 would not have made (S3 copies `?versionId=null` of an
 * unversioned bucket's object, it seems; not confirmed, so refused too).
 */
function copySourceOf(req: IncomingMessage): { bucket: string; key: string } {
  const value = header(req.headers, "x-amz-copy-source") ?? "";
  const invalid = () => new S3Error(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", { ArgumentName: "x-amz-copy-source", ArgumentValue: value });
  const queryAt = value.indexOf("?");
  const path = queryAt < 0 ? value : value.slice(0, queryAt);
  if (queryAt >= 0 && param(parseQuery(value.slice(queryAt + 1)), "versionId") !== undefined) {
    throw new S3Error(501, "NotImplemented", `x-amz-copy-source with a versionId ${NO_VERSIONS}`);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent((path.startsWith("/") ? path.slice(1) : path).replaceAll("+", " "));
  } catch {
    throw invalid();
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) throw invalid();
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

/**
 * CopyObject's x-amz-metadata-directive and x-amz-tagging-directive: "Valid Values: COPY | REPLACE", COPY when absent
 * (API_CopyObject.html: "If this header isn't specified, COPY is the default behavior", for each). Any other value is
 * 400 InvalidArgument "Unknown metadata directive." / "Unknown tagging directive." (S3's wording as Garage and MinIO
 * answer the first, MinIO the second; not confirmed against S3).
 */
function directiveOf(req: IncomingMessage, of: "metadata" | "tagging"): "COPY" | "REPLACE" {
  const name = `x-amz-${of}-directive`;
  const value = header(req.headers, name) ?? "COPY";
  if (value === "COPY" || value === "REPLACE") return value;
  throw new S3Error(400, "InvalidArgument", `Unknown ${of} directive.`, { ArgumentName: name, ArgumentValue: value });
}

/**
 * CopyObject's x-amz-checksum-algorithm, one of the checksum algorithms S3 computes (isChecksumAlgorithm, local/s3-auth.ts,
 * the one list of them): "Indicates the algorithm that you want Amazon S3 to use to create the checksum for the object …
 * Unrecognized or unsupported values will respond with the HTTP status code 400 Bad Request" (API_CopyObject.html). This
 * server stores no checksums (docs/local-s3.md), so a known one is accepted and nothing computed; any other is 400
 * InvalidRequest (the code and message are this server's: S3 documents only the status).
 */
function checkCopyChecksumAlgorithm(req: IncomingMessage): void {
  const value = header(req.headers, "x-amz-checksum-algorithm");
  if (value !== undefined && !isChecksumAlgorithm(value.toLowerCase())) {
    throw new S3Error(400, "InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid.", { ArgumentName: "x-amz-checksum-algorithm", ArgumentValue: value });
  }
}

/**
 * A copy's source (CopyObject, UploadPartCopy) used by `use`, which reads it at most once through `read`; then let go
 * exactly once, as OpenedObject asks: a stream never read to its end (the write refused or failed) is destroyed, which
 * lets the file go; with no stream made (a check failed first) the object is closed.
 */
async function readingCopySource(opened: OpenedObject, use: (read: (start: number, end: number) => Readable) => Promise<void>): Promise<void> {
  let body = undefined as Readable | undefined;
  try {
    await use((start, end) => (body = opened.read(start, end)));
  } finally {
    if (body) body.destroy();
    else opened.close();
  }
}

/**
 * The bytes an UploadPartCopy copies (see uploadPartCopy): all of the source without x-amz-copy-source-range, else
 * `bytes=first-last` exactly (no open end, no suffix, unlike a GET's Range), inclusive and within the source.
 */
function copyRangeOf(value: string | undefined, size: number): { start: number; end: number } {
  if (value === undefined) return { start: 0, end: size - 1 };
  const match = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  if (!match || Number(match[1]) > Number(match[2])) {
    throw new S3Error(400, "InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy", { ArgumentName: "x-amz-copy-source-range", ArgumentValue: value });
  }
  const [start, end] = [Number(match[1]), Number(match[2])];
  if (start >= size) throw new S3Error(400, "InvalidRequest", "The specified copy range is invalid for the source object size");
  if (end >= size) throw new S3Error(400, "InvalidArgument", `Range specified is not valid for source object of size: ${size}`, { ArgumentName: "x-amz-copy-source-range", ArgumentValue: value });
  return { start, end };
}

/** A multipart upload's parts at most, and its part numbers: 1 to 10,000 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
const MAX_PARTS = 10_000;
/** A part's least size, but the last one's: 5 MiB (qfacts.html: "5 MiB to 5 GiB. There is no minimum size limit on the last part"). */
const MIN_PART_SIZE = 5 * 1024 ** 2;

/**
 * UploadPart's partNumber: "Part number of part being uploaded. This is a positive integer between 1 and 10,000"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html); any other 400 InvalidArgument. The message and
 * details are S3's as other emulators answer them (not confirmed against S3 itself).
 */
function partNumberOf(query: Query): number {
  const text = param(query, "partNumber") ?? "";
  const number = Number(text);
  if (!/^\d{1,5}$/.test(text) || number < 1 || number > MAX_PARTS) {
    throw new S3Error(400, "InvalidArgument", `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`, { ArgumentName: "partNumber", ArgumentValue: text });
  }
  return number;
}

/**
 * GetObject's and HeadObject's `?partNumber=N`: "Part number of the object being read … Effectively performs a 'ranged'
 * GET request for the part specified" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, partNumber;
 * HeadObject: "a 'ranged' HEAD request"), so the answer is a 206 with that part's Content-Range, and
 * x-amz-mp-parts-count, "The count of parts this object has. This value is only returned if you specify partNumber in
 * your request and the object was uploaded as a multipart upload" (API_GetObject.html, PartsCount). An object not
 * uploaded in parts is one part, the whole object: S3 answers its part 1 206 with `Content-Range: bytes 0-9/10`, the
 * object's ETag and no x-amz-mp-parts-count (a response from `Server: AmazonS3` quoted in versitygw/versitygw#2074).
 * A part past the last: 416 InvalidPartNumber, "The requested partnumber is not satisfiable" (the code and message
 * MinIO and other emulators answer; not confirmed against S3, and Apache Ozone answers 400 InvalidPart, HDDS-15740). A
 * part with a Range header is 400 InvalidRequest "Cannot specify both Range header and partNumber query parameter"
 * (MinIO's and LocalStack's answer; not confirmed against S3). An empty part (an empty last part, or an empty object)
 * is served as no range, 200: what S3 answers for it is not confirmed.
 */
function partRangeOf(object: ListedObject, partNumber: number): { start: number; end: number } | undefined {
  const sizes = object.partSizes ?? [object.size];
  if (partNumber > sizes.length) throw new S3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable");
  const start = sizes.slice(0, partNumber - 1).reduce((sum, size) => sum + size, 0);
  const end = start + sizes[partNumber - 1] - 1;
  return end < start || end >= object.size ? undefined : { start, end };
}

/**
 * The parts a CompleteMultipartUpload body lists, checked as S3 checks them (API_CompleteMultipartUpload.html, Special
 * errors; ErrorResponses.html): none is 400 MalformedXML; part numbers not ascending, 400 InvalidPartOrder; a part not
 * uploaded, or whose ETag is not the one given, 400 InvalidPart; a part but the last under 5 MiB, 400 EntityTooSmall.
 */
function listedParts(xml: string, upload: MultipartUpload): Array<{ partNumber: number; etag: string; size: number }> {
  const parts = partsListed(xml, (partNumber, etag) => {
    const part = upload.parts.get(partNumber);
    // The ETag as the client lists it, quoted or not (the SDKs send it quoted, as UploadPart answered it).
    if (!part || bareEtag(part.etag) !== bareEtag(etag)) {
      throw invalidPart();
    }
    return { partNumber, ...part };
  });
  const small = parts.slice(0, -1).find((part) => part.size < MIN_PART_SIZE);
  if (small) {
    throw new S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", { ProposedSize: String(small.size), MinSizeAllowed: String(MIN_PART_SIZE), PartNumber: String(small.partNumber), ETag: small.etag });
  }
  return parts;
}

/**
 * A CompleteMultipartUpload body's parts, each passed to `partOf` (its number, and its ETag as listed) in the order
 * listed once it is known to follow the one before: a body not a well-formed <CompleteMultipartUpload> (xmlDocument;
 * API_CompleteMultipartUpload.html's request syntax), no part or more than 10,000, or a PartNumber that is no integer,
 * is 400 MalformedXML; part numbers not ascending, 400 InvalidPartOrder (see listedParts).
 */
function partsListed<T>(xml: string, partOf: (partNumber: number, etag: string) => T): T[] {
  const listed = xmlElements(xmlDocument(xml, "CompleteMultipartUpload"), "Part").map((part) => ({ number: xmlValues(part, "PartNumber")[0] ?? "", etag: xmlValues(part, "ETag")[0] ?? "" }));
  if (listed.length === 0 || listed.length > MAX_PARTS) {
    throw malformedXml();
  }
  // PartNumber is an Integer in S3's model (API_CompletedPart.html): one that is not (1.0, 1e0, +1, none) does not
  // validate against the schema, 400 MalformedXML; Number() read `1.0` and `0x1` as part 1.
  const numbers = listed.map(({ number }) => int32Of(number));
  if (numbers.some((n) => n === undefined)) throw malformedXml();
  return listed.map(({ etag }, at) => {
    const partNumber = numbers[at]!;
    if (at > 0 && !(partNumber > numbers[at - 1]!)) {
      throw new S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.");
    }
    return partOf(partNumber, etag);
  });
}

/** An ETag without its quotes and the white space around it (as a completion may list it). */
function bareEtag(etag: string): string {
  return etag.trim().replace(/"/g, "");
}

/** A multipart object's ETag, quoted: the MD5 of its parts' binary MD5s (their ETags), then `-` and their count. */
function multipartEtag(partEtags: string[]): string {
  return `"${md5(Buffer.concat(partEtags.map((etag) => Buffer.from(bareEtag(etag), "hex"))))}-${partEtags.length}"`;
}

/** CompleteMultipartUpload's answer. */
function completionXml(bucket: string, key: string, etag: string): string {
  return `<CompleteMultipartUploadResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`;
}

/** The completed uploads a server keeps for retried completions (completedAgain): the latest 10,000. */
const MAX_COMPLETED_KEPT = 10_000;

/**
 * ListParts (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html): the upload's parts in part-number
 * order after `part-number-marker`, at most `max-parts` (default and most 1,000, qfacts.html), with NextPartNumberMarker
 * and IsTruncated for the next page. max-parts and part-number-marker are read as a listing's max-keys is (countParam).
 * Not sent: Initiator, Owner.
 */
function listPartsXml(uploadId: string, upload: MultipartUpload, query: Query): string {
  const maxParts = Math.min(countParam(query, "max-parts") ?? 1000, 1000);
  const marker = countParam(query, "part-number-marker") ?? 0;
  const after = [...upload.parts].filter(([number]) => number > marker).sort(([a], [b]) => a - b);
  const page = after.slice(0, maxParts);
  // max-parts=0 asks for no parts: an empty page with nothing to continue after, not truncated (it was, with the
  // marker as NextPartNumberMarker, so an SDK paginator asked again for the same page forever).
  const truncated = maxParts > 0 && after.length > page.length;
  // An empty page's NextPartNumberMarker is 0, as S3's: "When IsTruncated is true and NextPartNumberMarker is greater
  // than the actual number of parts, the results of that request is an empty page with NextPartNumberMarker set to "0""
  // (aws/aws-sdk-go-v2#1100); "ListParts instead sets the final next token as 0" (smithy-lang/smithy-rs#3679). S3 ends a
  // listing with IsTruncated=false, not with an empty marker: the SDKs for Go, Rust, Swift and Kotlin page ListParts on
  // IsTruncated for that reason (aws-sdk-go-v2#1141, smithy-rs#3679, aws-sdk-swift#1245, aws-sdk-kotlin#928).
  const next = page.length > 0 ? page[page.length - 1][0] : 0;
  const parts = page
    .map(([number, part]) => `<Part><PartNumber>${number}</PartNumber><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>${escapeXml(part.etag)}</ETag><Size>${part.size}</Size></Part>`)
    .join("");
  return `<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(upload.bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key><UploadId>${escapeXml(uploadId)}</UploadId><StorageClass>STANDARD</StorageClass><PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${next}</NextPartNumberMarker><MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts}</ListPartsResult>`;
}

/** S3's integer parameters and XML integers (API model type Integer): a 32-bit signed integer's largest value. */
const MAX_INT32 = 2_147_483_647;

/**
 * A whole number of at most MAX_INT32 written in decimal digits (XML Schema's int, whose surrounding whitespace is
 * collapsed, https://www.w3.org/TR/xmlschema-2/#decimal: `whiteSpace` fixed to collapse); else undefined: `1.0`, `1e0`,
 * `+1`, `0x1`, an empty value. A leading minus is read (negative) so that callers can tell it apart.
 */
function int32Of(text: string): number | undefined {
  const match = /^(-?)(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[2]);
  if (value > MAX_INT32) return undefined;
  return match[1] ? -value : value;
}

/**
 * A count or marker query parameter (ListObjects/V2's max-keys, ListParts' max-parts and part-number-marker): absent,
 * or 0 to 2,147,483,647; callers cap it (1,000). Else 400 InvalidArgument, with the messages moto's tests hold S3 to
 * for max-parts and part-number-marker (getmoto/moto tests/test_s3/test_s3_multipart.py,
 * test_multipart_list_parts_invalid_argument: -42 → "Argument max-parts must be an integer between 0 and 2147483647",
 * 2147483647 + 42 → "Provided max-parts not an integer or within integer range"); the same for max-keys is not
 * confirmed (the "Provided … not an integer" one is what this server answered before).
 */
function countParam(query: Query, name: string): number | undefined {
  const text = param(query, name);
  if (text === undefined) return undefined;
  const value = /^-?\d+$/.test(text) ? int32Of(text) : undefined;
  if (value === undefined) throw new S3Error(400, "InvalidArgument", `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: text });
  if (value < 0) throw new S3Error(400, "InvalidArgument", `Argument ${name} must be an integer between 0 and ${MAX_INT32}`, { ArgumentName: name, ArgumentValue: text });
  return value;
}

/**
 * The key a ListObjectsV2 continuation token continues after: the token is the base64 of that key's UTF-8, as
 * listXml writes NextContinuationToken. One this server did not write (not base64 of UTF-8 that encodes back to it) is
 * S3's 400 InvalidArgument, "The continuation token provided is incorrect", ArgumentName continuation-token and no
 * ArgumentValue (S3's answer as recorded against it in versity/versitygw#993): Buffer's lenient base64 read any text as some key, and the page
 * after it was answered 200. An empty token is one too (`continuation-token=`, S3's same 400 as measured in
 * brekkylab/backlot#205): it was read as no token, the first page.
 */
function continuationKey(token: string): string {
  const key = Buffer.from(token, "base64").toString("utf8");
  if (token === "" || Buffer.from(key, "utf8").toString("base64") !== token) {
    throw new S3Error(400, "InvalidArgument", "The continuation token provided is incorrect", { ArgumentName: "continuation-token" });
  }
  return key;
}

function param(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** ListMultipartUploads' query parameters served here (API_ListMultipartUploads.html). */
const LIST_UPLOADS_PARAMETERS = new Set(["uploads", "prefix", "delimiter", "key-marker", "upload-id-marker", "max-uploads", "encoding-type"]);

/** ListObjects' query parameters served here (API_ListObjects.html). */
const LIST_V1_PARAMETERS = new Set(["prefix", "marker", "max-keys", "delimiter", "encoding-type"]);

/** How a listing writes its key-like values (listEncoding): `encode` each one, and `element` the EncodingType it adds. */
type ListEncoding = { encode: (value: string) => string; element: string };

/**
 * A listing's `encoding-type` (ListObjectsV2, ListObjects, ListMultipartUploads; https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html:
 * "Encoding type used by Amazon S3 to encode object keys in the response … If using url, non-ASCII characters used in
 * an object's key name will be URL encoded"; the one value is `url`). With it the response says
 * `<EncodingType>url</EncodingType>` and URL-encodes the elements those pages list as encoded: Delimiter, Prefix, Key and
 * StartAfter (V2), Delimiter, Marker, NextMarker, Prefix and Key (V1), Delimiter, KeyMarker, NextKeyMarker, Prefix and
 * Key (ListMultipartUploads), and CommonPrefixes' Prefix in each (as measured against S3, brekkylab/backlot#178, and
 * ceph/s3-tests test_bucket_list_encoding_basic); not the V2 continuation tokens (opaque) nor UploadIdMarker. Another
 * value is refused as S3 refuses it: 400 InvalidArgument "Invalid Encoding Method specified in Request", ArgumentName
 * encoding-type (a recorded S3 answer to `?versions&encoding-type=invalid`; openstack/swift's s3api answers the same).
 * The encoding itself is local/s3-key-encoding.ts's, the one S3 event notifications' keys use too.
 */
function listEncoding(query: Query): ListEncoding {
  const type = param(query, "encoding-type");
  if (type === undefined) return { encode: (value) => value, element: "" };
  if (type !== "url") throw new S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request", { ArgumentName: "encoding-type", ArgumentValue: type });
  return { encode: s3UrlEncodeKey, element: "<EncodingType>url</EncodingType>" };
}

/**
 * The IAM action and resource an operation is authorised as
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html): the object writes and
 * multipart calls s3:PutObject, GetObject and HeadObject s3:GetObject, DeleteObject s3:DeleteObject, AbortMultipartUpload
 * s3:AbortMultipartUpload, ListParts s3:ListMultipartUploadParts, on `arn:aws:s3:::bucket/key` (CopyObject and
 * UploadPartCopy s3:PutObject on the destination here, s3:GetObject on the source in copySource); listings and HeadBucket s3:ListBucket, CreateBucket
 * s3:CreateBucket, ListMultipartUploads s3:ListBucketMultipartUploads, on `arn:aws:s3:::bucket`. DeleteObjects is authorised per key; Unsupported is not served.
 */
function s3Permission(operation: S3Operation, bucket: string, key: string): { action: string; resource: string } | undefined {
  const object = `arn:aws:s3:::${bucket}/${key}`;
  switch (operation) {
    case "PutObject":
    case "PostObject":
    case "CreateMultipartUpload":
    case "UploadPart":
    case "CompleteMultipartUpload":
    case "CopyObject":
    case "UploadPartCopy":
      return { action: "s3:PutObject", resource: object };
    case "GetObject":
    case "HeadObject":
      return { action: "s3:GetObject", resource: object };
    case "DeleteObject":
      return { action: "s3:DeleteObject", resource: object };
    case "AbortMultipartUpload":
      return { action: "s3:AbortMultipartUpload", resource: object };
    case "ListParts":
      return { action: "s3:ListMultipartUploadParts", resource: object };
    case "HeadBucket":
    case "ListObjects":
    case "ListObjectsV2":
      return { action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}` };
    case "CreateBucket":
      return { action: "s3:CreateBucket", resource: `arn:aws:s3:::${bucket}` };
    case "ListMultipartUploads":
      return { action: "s3:ListBucketMultipartUploads", resource: `arn:aws:s3:::${bucket}` };
    default:
      return undefined;
  }
}

/**
 * The subresources of an object S3 serves that this server does not (it keeps no tags, ACLs, retention, legal holds,
 * archived copies, checksums to list, torrents), by the query parameter each request names
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/: API_PutObjectTagging.html, API_GetObjectTagging.html and
 * API_DeleteObjectTagging.html `/{Key+}?tagging`; API_PutObjectAcl.html, API_GetObjectAcl.html `?acl`;
 * API_PutObjectRetention.html, API_GetObjectRetention.html `?retention`; API_PutObjectLegalHold.html,
 * API_GetObjectLegalHold.html `?legal-hold`; API_GetObjectAttributes.html `?attributes`; API_RestoreObject.html
 * `?restore`; API_SelectObjectContent.html `?select&select-type=2`; API_GetObjectTorrent.html `?torrent`;
 * API_RenameObject.html `?renameObject`; and, read from the model @aws-sdk/client-s3 3.1169 is generated from, not
 * from AWS's pages: Put/Get/DeleteObjectAnnotation and ListObjectAnnotations `?annotation`, UpdateObjectEncryption
 * `?encryption`).
 */
const OBJECT_SUBRESOURCES = ["tagging", "acl", "retention", "legal-hold", "attributes", "restore", "select", "torrent", "renameObject", "annotation", "encryption"];

/**
 * A request's operation by its method, key and subresources. A PUT with x-amz-copy-source is CopyObject, or with an
 * uploadId UploadPartCopy (API_CopyObject.html, API_UploadPartCopy.html: both are `PUT /Key` with the header; the part
 * copy takes `?partNumber=&uploadId=` as UploadPart does). A request for one of an object's subresources this server
 * does not keep (OBJECT_SUBRESOURCES) is Unsupported: taken as the object's own PutObject, GetObject or DeleteObject,
 * PutObjectTagging stored its XML as the object, PutObjectAcl emptied it and DeleteObjectTagging deleted it.
 */
function operationOf(method: string, query: Query, bucket: string, key: string, copy: boolean): S3Operation {
  const has = (name: string) => name in query;
  // `/` names no bucket: `GET /` is ListBuckets (API_ListBuckets.html), which this server does not serve (notServed). It
  // was read as a request of a bucket named "": ListObjects of it (200, an empty listing, on the file store, where every
  // bucket exists), and a PUT created it.
  if (bucket === "") return "Unsupported";
  if (key !== "" && OBJECT_SUBRESOURCES.some(has)) return "Unsupported";
  // A version of an object (notServed): read as the object itself, GetObject answered the current object and DeleteObject deleted it.
  if (key !== "" && has("versionId") && VERSIONED_OPERATIONS[method] !== undefined) return "Unsupported";
  if (key === "") {
    // CreateBucket is `PUT /{Bucket}` with no subresource (API_CreateBucket.html); a PUT of one (?policy, ?cors,
    // ?tagging, ?notification, ...) was taken as CreateBucket: 200, the setting dropped, a missing bucket made. The
    // query of a presigned one holds its X-Amz-* signature and hoisted x-amz-* headers.
    if (method === "PUT") return Object.keys(query).every((name) => name.toLowerCase().startsWith("x-amz-") || name === "x-id") ? "CreateBucket" : "Unsupported";
    if (method === "HEAD") return "HeadBucket";
    if (method === "POST" && has("delete")) return "DeleteObjects";
    if (method === "GET" && param(query, "list-type") === "2") return "ListObjectsV2";
    // ListMultipartUploads is `GET /{Bucket}?uploads` (API_ListMultipartUploads.html).
    if (method === "GET" && has("uploads")) return Object.keys(query).every((name) => LIST_UPLOADS_PARAMETERS.has(name)) ? "ListMultipartUploads" : "Unsupported";
    // A GET of the bucket with none of the subresources a listing does not take (?cors, ?policy, ...) is ListObjects v1.
    if (method === "GET" && Object.keys(query).every((name) => LIST_V1_PARAMETERS.has(name))) return "ListObjects";
    return "Unsupported";
  }
  if (method === "PUT") return has("uploadId") ? (copy ? "UploadPartCopy" : "UploadPart") : copy ? "CopyObject" : "PutObject";
  if (method === "POST") return has("uploads") ? "CreateMultipartUpload" : has("uploadId") ? "CompleteMultipartUpload" : "Unsupported";
  if (method === "DELETE") return has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
  if (method === "GET") return has("uploadId") ? "ListParts" : "GetObject";
  if (method === "HEAD") return "HeadObject";
  return "Unsupported";
}

/**
 * The object operations S3 serves for one version of an object, by method: GetObject, HeadObject and DeleteObject take
 * `?versionId=` (API_GetObject.html, API_HeadObject.html, API_DeleteObject.html: "VersionId used to reference a
 * specific version of the object").
 */
const VERSIONED_OPERATIONS: Record<string, string | undefined> = { GET: "GetObject", HEAD: "HeadObject", DELETE: "DeleteObject" };

/** Why the object version calls are not served (notServed; DeleteObjects' VersionId; copySourceOf's versionId). */
const NO_VERSIONS = "is not supported by the local S3 server: it keeps no object versions";

/**
 * An Unsupported request's 501 message, naming the operation where it is one of S3's: ListBuckets, `GET /`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html; the server knows only the buckets it is given
 * and those made since), and those that need versions the server does not keep: ListObjectVersions, `GET /{Bucket}?versions` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html),
 * and a version of an object (VERSIONED_OPERATIONS); S3's 501 NotImplemented is "A header you provided implies
 * functionality that is not implemented" (ErrorResponses.html). The program's buckets may be versioned in AWS (the
 * components turn versioning on), but neither the app nor the publisher lists or reads versions, and the local server
 * gives no version ids (no x-amz-version-id), so a client has none of its own to ask for. S3 serves `versionId=null`
 * as the object of an unversioned bucket; refused here too, as a copy source's is (copySourceOf).
 */
function notServed(method: string, path: string, query: Query, bucket: string, key: string): string {
  if (bucket === "" && key === "" && method === "GET") return "ListBuckets is not supported by the local S3 server";
  if (key === "" && method === "GET" && "versions" in query) return `ListObjectVersions ${NO_VERSIONS}`;
  const versioned = VERSIONED_OPERATIONS[method];
  if (key !== "" && "versionId" in query && versioned !== undefined && !OBJECT_SUBRESOURCES.some((name) => name in query)) return `${versioned} of an object version (versionId) ${NO_VERSIONS}`;
  return `${method} ${path} is not supported by the local S3 server`;
}

/** S3's largest object in one PUT, and largest part: 5 GiB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html, qfacts.html). */
const MAX_SINGLE_UPLOAD = 5 * 1024 ** 3;
/**
 * A POST Object's body at most: the file's 5 GiB, the form before it (MAX_POST_PRE_DATA) and 1 MiB for the closing
 * boundary and any parts after the file, which S3 ignores (a local allowance: S3 documents no number for them).
 */
const MAX_POST_BODY = MAX_SINGLE_UPLOAD + MAX_POST_PRE_DATA + 1024 ** 2;

/**
 * What S3 refuses before it reads an upload's body: a key over 1,024 bytes of UTF-8, 400 KeyTooLongError ("The key
 * name … is up to 1,024 bytes long", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html;
 * ErrorResponses.html), and a PutObject or UploadPart over 5 GiB by its declared length, 400 EntityTooLarge.
 */
function checkLimits(operation: S3Operation, key: string, req: IncomingMessage, fromHeaders: NewObject | undefined): void {
  if (fromHeaders) checkMetadataSize(fromHeaders.metadata);
  if (operation === "CopyObject" || operation === "UploadPartCopy") return checkKeyLength(key);
  if (operation !== "PutObject" && operation !== "UploadPart" && operation !== "CreateMultipartUpload") return;
  checkKeyLength(key);
  if (operation === "CreateMultipartUpload") return;
  const declared = Number(header(req.headers, "x-amz-decoded-content-length") ?? header(req.headers, "content-length") ?? 0);
  if (declared > MAX_SINGLE_UPLOAD) throw new UploadTooLarge(declared);
}

/**
 * An upload over S3's 5 GiB, 400 EntityTooLarge, refused by the length it declares (or, a POST's without one, once it
 * is past the limit): the rest of its body, up to gigabytes, is not worth reading to keep the connection, so the answer
 * carries `Connection: close` and the connection is closed once the answer is written (the server's catch), as HTTP lets
 * a server do with a body too large: "the server MAY close the connection" (RFC 9110 section 15.5.14). Node closes it
 * once the answer is written: the answer is on the wire ahead of the close, but a client still sending when its bytes
 * meet the closed socket gets a reset, which RFC 9112 section 9.6 warns may cost it the answer (its staged close, reading
 * on until the client closes, would read what closing is meant to spare); a client that sent `Expect: 100-continue`
 * (the SDKs do with large bodies) is refused before it sends a byte (continueOnFirstRead). Not confirmed: that S3
 * closes the connection on this refusal (clients report broken pipes on refused uploads, not on which refusals). Other
 * refusals part-way drain the rest of a body instead, so the connection serves the next request.
 */
class UploadTooLarge extends S3Error {
  constructor(size: number) {
    super(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", { ProposedSize: String(size), MaxSizeAllowed: String(MAX_SINGLE_UPLOAD) });
  }
}

/**
 * User metadata over 2 KB is 400 MetadataTooLarge: "Within the PUT request header, the user-defined metadata is limited
 * to 2 KB in size. The size of user-defined metadata is measured by taking the sum of the number of bytes in the UTF-8
 * encoding of each key and value" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html; the code,
 * ErrorResponses.html). Not confirmed: whether 2 KB is 2,048 bytes (taken here) or 2,000, whether the x-amz-meta-
 * prefix counts (taken: not, "each key"), and whether a PUT's RFC 2047-encoded value counts as sent or decoded (taken:
 * decoded, as stored, decodeEncodedWords: "the UTF-8 encoding of each key and value" reads as of the text, and lakeFS's
 * S3 gateway counts the decoded value too, treeverse/lakeFS#9909, though what it compared with S3 was a plain value,
 * treeverse/lakeFS#9728). Without the limit a POST's form could make a metadata line the file store
 * cannot read back (MAX_LINE): answered 204, then never served.
 */
function checkMetadataSize(metadata: Record<string, string>): void {
  let size = 0;
  // Names and values as received, their bytes one character each (headerBytes): counted in UTF-8 they were counted
  // twice over for each byte past ASCII (1,500 bytes of é as 3,000).
  for (const [name, value] of Object.entries(metadata)) size += Buffer.byteLength(name, "latin1") + Buffer.byteLength(value, "latin1");
  if (size > MAX_USER_METADATA) throw new S3Error(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", { Size: String(size), MaxSizeAllowed: String(MAX_USER_METADATA) });
}
const MAX_USER_METADATA = 2048;

/**
 * S3's limit on a request's headers: "The PUT request header is limited to 8 KB in size. Within the PUT request header,
 * the user-defined metadata is limited to 2 KB in size" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
 * Past it S3 answers 400 RequestHeaderSectionTooLarge, "Your request header section exceeds the maximum allowed size.",
 * with MaxSizeAllowed 8192 — S3's answers as quoted in department-of-veterans-affairs/va.gov-team#89412 (a GET) and
 * versity/versitygw#2180; the code is not in ErrorResponses.html. Applied to every request, as those answers show S3
 * does. Not confirmed: how S3 counts the section; taken here as each field's `name: value` and its CRLF (the request
 * line not counted). The Cookie header is left out: a browser sends the cookies of the app's own local servers to this
 * one, on the same host (cookies "do not provide isolation by port", RFC 6265 §8.5), which S3, on its own host, never
 * gets.
 */
const MAX_HEADER_SECTION = 8192;
/** Node's limit on a request's head (request line and headers), raised above S3's so that S3's answer is what a client sees; past it, headerOverflow. */
const MAX_NODE_HEADER_SECTION = 64 * 1024;
const HEADER_SECTION_TOO_LARGE = { code: "RequestHeaderSectionTooLarge", message: "Your request header section exceeds the maximum allowed size.", details: { MaxSizeAllowed: String(MAX_HEADER_SECTION) } };

function checkHeaderSection(req: IncomingMessage): void {
  let size = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    // rawHeaders are the bytes as sent, one character each (latin1).
    if (req.rawHeaders[i].toLowerCase() !== "cookie") size += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
  }
  if (size > MAX_HEADER_SECTION) throw new S3Error(400, HEADER_SECTION_TOO_LARGE.code, HEADER_SECTION_TOO_LARGE.message, HEADER_SECTION_TOO_LARGE.details);
}

/**
 * A request whose head is past even Node's limit (MAX_NODE_HEADER_SECTION): Node never hands it to the server, so S3's
 * answer is written on the socket, which then closes (the rest of the request cannot be parsed), as Node's own 431 would.
 */
function headerOverflow(socket: Duplex): void {
  // The rest of what the client sends is read and dropped, never left unread: a socket closed with unread bytes is reset
  // (TCP RST), and the client might lose the answer to it.
  socket.resume();
  socket.end(rawErrorAnswer(HEADER_SECTION_TOO_LARGE));
}

/**
 * S3's answer to a request it stopped waiting on: "RequestTimeout: Your socket connection to the server was not read
 * from or written to within the timeout period", 400 Bad Request (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList;
 * as SDKs report it, aws/aws-sdk-js#4573: statusCode 400, code RequestTimeout).
 */
const REQUEST_TIMEOUT = { code: "RequestTimeout", message: "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.", details: {} };

/**
 * A connection the server stopped waiting on: S3's answer (REQUEST_TIMEOUT), not Node's 408, written on the socket, which
 * is then destroyed, as Node does without a listener (lib/_http_server.js, socketOnError: the 408 written, then
 * `this.destroy(e)`): a request's body then fails, so an upload it was streaming lets its temporary file go at once, not
 * when the client closes its connection, which a stalled client may never do. One already answered (its body refused
 * and drained, then stalled) is only closed.
 */
function timedOut(socket: Duplex, answered = false): void {
  if (answered || socket.writableEnded) return void socket.destroy();
  socket.end(rawErrorAnswer(REQUEST_TIMEOUT), () => socket.destroy());
}

/**
 * S3's idle timeout on a request's body (LocalS3Options.idleTimeoutMs): checked every quarter of `timeout` (`clock`)
 * until the body has all arrived or the request is closed; IDLE_CHECKS checks in a row finding no byte read from the
 * connection since the one before time it out (timedOut). Bytes read are what counts, as S3 counts them ("not read from
 * or written to"), however few: a slow but steady upload never times out. Nor does a body the server is not reading
 * (its store slow to take the bytes: the request's buffer holds bytes the server has not read, and the connection is
 * paused once that buffer is full): the wait is the server's, not the client's, so a check that finds bytes unread in
 * the request's buffer is not idle.
 */
function watchIdle(req: IncomingMessage, res: ServerResponse, timeout: number, clock: IdleClock): void {
  const { socket } = req;
  let read = socket.bytesRead;
  let idle = 0;
  const stop = clock(timeout / IDLE_CHECKS, () => {
    if (req.complete || socket.destroyed) return stop();
    if (socket.bytesRead !== read || req.readableLength > 0) {
      read = socket.bytesRead;
      idle = 0;
      return;
    }
    if (++idle < IDLE_CHECKS) return;
    stop();
    timedOut(socket, res.headersSent);
  });
  req.once("close", stop);
}

/**
 * S3's idle timeout on an answer's body (LocalS3Options.idleTimeoutMs), as on a request's: "Your socket connection to the
 * server was not read from or written to within the timeout period. Idle connections will be closed."
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, RequestTimeout). A client that stops reading an
 * object held its connection, the file's descriptor and the bytes waiting for it for as long as it stayed connected.
 * Checked every quarter of `timeout` until the answer has all gone out or the connection is closed; IDLE_CHECKS checks
 * in a row finding bytes waiting for the client and none of them written since the one before destroy the connection
 * (an answer part-way can only be cut short; its Content-Length tells the client so). Bytes waiting for the server (its
 * store slow to read) are not the client's idling: a check that finds none waiting is not idle. Only for a body larger
 * than the answer's buffer (writableHighWaterMark): a smaller one is handed to the socket whole at once, holding no more
 * than that, and a GET of it starts no timer, as it starts none for the request's body it does not have.
 */
function watchStalledAnswer(res: ServerResponse, timeout: number, clock: IdleClock): void {
  const { socket } = res;
  // An answer queued behind another on its connection (pipelined requests) is held, bounded by its buffer, until Node
  // hands it the connection once those are done ('socket'): watched from then, as a stall before is the other's.
  if (!socket) return void res.once("socket", () => watchStalledAnswer(res, timeout, clock));
  const written = () => bytesDelivered(socket);
  let last = written();
  let idle = 0;
  const stop = clock(timeout / IDLE_CHECKS, () => {
    if (res.writableFinished || socket.destroyed) return stop();
    if (socket.writableLength === 0 || written() !== last) {
      last = written();
      idle = 0;
      return;
    }
    if (++idle < IDLE_CHECKS) return;
    stop();
    socket.destroy();
  });
  res.once("close", stop);
}

/**
 * `Expect: 100-continue` honoured as S3 honours it: "When your application uses 100-continue, it does not send the
 * request body until it receives an acknowledgment. If the message is rejected based on the headers, the body of the
 * message is not sent" (the Expect request header, https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPUT.html).
 * 100 Continue is written when the handler first asks the body for bytes (onFirstRead, and local/http.ts's note on Node's
 * accounting), never once the answer has begun: an upload's (PutObject, UploadPart) after its signature, IAM, bucket and
 * limits are checked; a document's (DeleteObjects, a completion) or a POST's form after the signature's or the length's
 * checks only, as IAM and the bucket are checked once it is read. A refusal before is the final answer, which Node marks
 * `Connection: close` (the same note), so a body sent anyway (a client tired of waiting) is not read as the next request.
 * A body sent without waiting is read as it comes; one that had all arrived before it was read needs no 100, and its
 * answer closes the connection the same way. `thenWatch` starts the watch for a stalled body, from the same moment.
 */
function continueOnFirstRead(req: IncomingMessage, res: ServerResponse, thenWatch: () => void): void {
  onFirstRead(req, () => {
    if (!res.headersSent) res.writeContinue();
    thenWatch();
  });
}

/** A 400 error answer as raw HTTP, for a socket Node did not hand to the server as a request (clientError). */
function rawErrorAnswer({ code, message, details }: { code: string; message: string; details: Record<string, string> }): string {
  const xml = errorXml(code, message, details, "", randomBytes(8).toString("hex").toUpperCase(), randomBytes(48).toString("base64"));
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\nx-amz-error-code: ${code}\r\nContent-Length: ${Buffer.byteLength(xml)}\r\nConnection: close\r\n\r\n${xml}`;
}

/**
 * Whether DeleteObjects' `<Quiet>` value (unescaped; undefined without one) asks for quiet mode: "Element to enable
 * quiet mode for the request. When you add this element, you must set its value to true" (Type: Boolean,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Delete.html). Read as XML Schema reads a boolean, white space
 * around it collapsed (https://www.w3.org/TR/xmlschema-2/#boolean), and in any case: AWS S3 takes `True`, which
 * minio-py sends (minio/minio-py#1185). A `<Quiet> true </Quiet>` was read as not quiet. Not confirmed: what S3 does
 * with `1`, which XML Schema allows, or with a value that is no boolean (taken here: not quiet, as any value but true).
 */
function isQuiet(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

/** A key over 1,024 bytes of UTF-8 is 400 KeyTooLongError (see checkLimits). */
function checkKeyLength(key: string): void {
  const keyBytes = Buffer.byteLength(key, "utf8");
  if (keyBytes > 1024) throw new S3Error(400, "KeyTooLongError", "Your key is too long", { Size: String(keyBytes), MaxSizeAllowed: "1024" });
}

/**
 * The one byte range of a `Range: bytes=first-last | first- | -suffix` header over an object of `size` bytes, as S3
 * serves it: "Amazon S3 doesn't support retrieving multiple ranges of data per GET request"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, Range, which points to RFC 9110 section 14.2).
 * A header that is not one such range is ignored (the whole object, 200), as RFC 9110 says; a range that starts past
 * the end is unsatisfiable (S3's 416 InvalidRange); a last position past the end is clipped.
 */
export function byteRange(value: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(value?.trim() ?? "");
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] !== "" && Number(match[2]) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  const end = match[2] === "" ? size - 1 : Number(match[2]);
  return { start, end: Math.min(end, size - 1) };
}

/**
 * A form field's value (POST Object: user metadata) as the bytes a PUT's header would carry it in, its UTF-8: Node
 * gives a header's value as its bytes, one character each (latin1), and the object keeps the value so; a form's field
 * is text. Kept so, every stored value is one headerValue can serve.
 */
function headerBytes(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/**
 * A PUT's user metadata value (its bytes, one character each) with its RFC 2047 encoded words decoded, as S3 stores it:
 * "Values of such headers are character decoded as per RFC 2047 before storing"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). LocalStack's test recorded against AWS
 * (test_user_metadata_rfc2047_encoded, localstack/localstack tests/aws/services/s3/test_s3.py) sent
 * `=?UTF-8?Q?actually-ascii?=` and `=?UTF-8?B?YWJj?=` and got back `actually-ascii` and `abc`; they were stored and
 * served encoded. Each word's bytes are read in its charset (TextDecoder's labels; a word in one it does not know, or
 * with none, ENCODED_WORD, is left as it is), a character that is not valid there as U+FFFD, and kept as their UTF-8 (headerBytes), the form every
 * stored value has. White space between two encoded words is dropped (RFC 2047 section 6.2). A `B` word that is not
 * base64 is decoded as S3 answered `=?UTF-8?B?=GGG?=`: "\uFFFDa\uFFFD" (test_user_metadata_rfc2047_bad_b64_encoded), the
 * bytes FC 61 86, each character outside base64's alphabet taken as six 1 bits — a rule read from that one answer,
 * not confirmed further. Not confirmed either: words in charsets other than UTF-8, and words amid other text (decoded
 * here, as RFC 2047 has them). A POST's form fields are not decoded: S3 served a form's `=?UTF-8?Q?actually-ascii?=`
 * as it was sent (test_post_object_with_unicode_metadata, the same tests).
 */
function decodeEncodedWords(value: string): string {
  if (!value.includes("=?")) return value;
  let decoded = "";
  let after = 0;
  let afterWord = false;
  for (const match of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(after, match.index);
    const [whole, charset, encoding, text] = match;
    const word = decodedWord(charset, encoding, text);
    decoded += afterWord && word !== undefined && /^[ \t]+$/.test(between) ? "" : between;
    decoded += word ?? whole;
    afterWord = word !== undefined;
    after = match.index + whole.length;
  }
  return decoded + value.slice(after);
}

/**
 * An RFC 2047 encoded word: `=?charset?encoding?text?=`, the charset perhaps followed by an RFC 2231 language
 * (`*en`, left aside). A charset is required: `=?*en?Q?a?=` is no word and is kept as sent (a second pattern that
 * read the parts again found no charset there and threw, 500 InternalError). Each part stops at the next `?` or
 * white space, so a search costs time linear in the value however many `=?` it holds.
 */
const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=/g;

/**
 * An encoded word's text (ENCODED_WORD's parts) as header bytes (headerBytes), or undefined when its charset is not one
 * TextDecoder knows. TextDecoder takes ISO-8859-1's names (latin1, l1 and its other aliases) and US-ASCII's as labels
 * of windows-1252 (https://encoding.spec.whatwg.org/#names-and-labels), and Node's decodes windows-1252 as ISO-8859-1
 * since 20.18.3 and 22.13.0 (nodejs/node#60888: 80 gives U+0080, not the euro sign), so neither is left to it:
 * - a MIME charset named ISO-8859-1 (or US-ASCII: a byte past 7F is none of ASCII's, and each is then its Latin-1
 *   character) is ISO-8859-1, each byte the code point of its value, 80-9F the C1 controls
 *   (https://www.iana.org/assignments/character-sets); a C1 control so stored is Unicode's category C, served as a B
 *   word (headerValue), as the bytes 00-03 are;
 * - one named windows-1252 is windows-1252 (windows1252), 80-9F its own characters, on any Node.
 * Not confirmed: how S3 decodes an ISO-8859-1 or windows-1252 word, and what it serves for a C1 control.
 */
function decodedWord(charset: string, encoding: string, text: string): string | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    return undefined;
  }
  const bytes = encoding.toUpperCase() === "B" ? base64Bytes(text) : quotedBytes(text);
  if (decoder.encoding !== "windows-1252") return headerBytes(decoder.decode(bytes));
  return headerBytes(WINDOWS_1252_NAMES.has(charset.toLowerCase()) ? windows1252(bytes) : bytes.toString("latin1"));
}

/** windows-1252's own labels among those TextDecoder reads as windows-1252 (the others name ISO-8859-1 or US-ASCII). */
const WINDOWS_1252_NAMES = new Set(["windows-1252", "cp1252", "x-cp1252"]);

/**
 * windows-1252's characters for the bytes 80-9F, in order (WHATWG's index-windows-1252,
 * https://encoding.spec.whatwg.org/index-windows-1252.txt: 81, 8D, 8F, 90 and 9D are the C1 controls of their value).
 */
const WINDOWS_1252_80_TO_9F = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Bytes as windows-1252 text: ISO-8859-1's characters but for 80-9F (WINDOWS_1252_80_TO_9F). */
function windows1252(bytes: Buffer): string {
  return bytes.toString("latin1").replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_80_TO_9F[c.charCodeAt(0) - 0x80]);
}

/** A `Q` word's bytes (RFC 2047 section 4.2): `_` a space, `=XX` the byte XX, any other character its own byte. */
function quotedBytes(text: string): Buffer {
  const latin1 = text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(latin1, "latin1");
}

/** A `B` word's bytes: base64, or, when it is not (decodeEncodedWords), each character outside the alphabet as 63. */
function base64Bytes(text: string): Buffer {
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return Buffer.from(text, "base64");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const bytes: number[] = [];
  let bits = 0;
  let held = 0;
  for (const char of text) {
    const sextet = alphabet.indexOf(char);
    bits = (bits << 6) | (sextet === -1 ? 63 : sextet);
    held += 6;
    if (held >= 8) {
      held -= 8;
      bytes.push((bits >> held) & 0xff);
      bits &= (1 << held) - 1;
    }
  }
  return Buffer.from(bytes);
}

/**
 * A stored user metadata value (its bytes, one character each: headerBytes) as an answer carries it: as it is when it
 * is US-ASCII a header may hold (visible characters, space, tab), else RFC 2047's encoded word of its UTF-8, as S3
 * returns user metadata: "Values of such headers are character decoded as per RFC 2047 before storing and encoded as per
 * RFC 2047 to make them mail-safe before returning. If the string contains only US-ASCII characters, it is presented
 * as is" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). Node refuses to write a control
 * character or one past U+00FF in a header: a POST's form, whose fields are not headers, stored an object every GET and
 * HEAD of which was 500. The word is S3's: `Q` for printable text, `B` for text with a control or other unprintable
 * character (Unicode's category C) or bytes that are not UTF-8 — "ÄMÄZÕÑ S3" came back "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?="
 * and bytes 00-04 "=?UTF-8?B?AAECAwQ=?=" (LocalStack's test recorded against AWS, test_post_object_with_unicode_metadata
 * in localstack/localstack tests/aws/services/s3/test_s3.py; every word was `B` here). Not confirmed: S3's word for
 * bytes that are not UTF-8 (a PUT's header; the SDKs refuse to send such metadata). For user metadata only: a
 * Content-Type or other system metadata (StoredHeaders) is served as systemHeaderValue writes it.
 */
function headerValue(stored: string): string {
  if (/^[\x20-\x7e\t]*$/.test(stored)) return stored;
  const bytes = Buffer.from(stored, "latin1");
  const text = bytes.toString("utf8");
  if (text.includes("\uFFFD") || /\p{C}/u.test(text)) return `=?UTF-8?B?${bytes.toString("base64")}?=`;
  // Q keeps printable US-ASCII but `=`, `?` and `_`, and writes a space as `_` (RFC 2047 section 4.2); a tab is a
  // control character, which took B above.
  const word = [...bytes].map((byte) => (byte === 0x20 ? "_" : byte > 0x20 && byte < 0x7f && byte !== 0x3d && byte !== 0x3f && byte !== 0x5f ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`));
  return `=?UTF-8?Q?${word.join("")}?=`;
}

/**
 * A Content-Type, Cache-Control or other stored system header (StoredHeaders: Content-Disposition, Content-Encoding,
 * Content-Language, Expires) as S3 keeps and serves it: in ISO-8859-1, each character a header cannot carry as a
 * space, never RFC 2047-encoded as user metadata is. For a POST's form field, the text: S3 served a form's Cache-Control
 * "non-ascii-%E2%80%94_—_é_" as "non-ascii-%E2%80%94_ _é_", é its byte E9 and the dash (past U+00FF) a space; and a
 * PUT's header, its bytes as sent: a Cache-Control of UTF-8 "ÄMÄZÕÑ S3" came back as those bytes (LocalStack's tests
 * recorded against AWS, test_post_object_with_unicode_metadata and test_system_metadata_with_unicode in
 * localstack/localstack tests/aws/services/s3/test_s3.py; UsingMetadata.html documents RFC 2047 for user metadata only,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). Both were served RFC 2047-encoded. Not
 * confirmed: what S3 does with a control character (a space here; Node refuses to write one in a header, and a PUT's
 * header cannot hold one). Applied when a form's value is stored, and again when served, where it changes only a control
 * character an object stored before held.
 */
function systemHeaderValue(value: string): string {
  return value.replace(NOT_HEADER_TEXT, " ");
}

/** A character a header value cannot carry as ISO-8859-1 text (a control character, or one past U+00FF). */
const NOT_HEADER_TEXT = /[^\t\x20-\x7e\x80-\xff]/g;

/** The headers a signed GetObject may override with `response-<header>`: Content-Type and the stored ones. */
const OVERRIDABLE_HEADERS = ["content-type", ...Object.values(STORED_HEADER_NAMES)].sort();

/**
 * An object's user metadata as an answer's headers (GetObject, HeadObject): `x-amz-meta-<name>`, each value as
 * headerValue writes it. A name no header may have (a POST's field `x-amz-meta-日付`; a PUT's are headers already) is
 * left out and counted in x-amz-missing-meta, as S3 answers metadata "whose values are not legal HTTP headers": "This is
 * set to the number of metadata entries not returned in x-amz-meta headers" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
 * MissingMeta). Node refuses such a name (the answer was 500).
 */
function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  let missing = 0;
  for (const [name, value] of Object.entries(metadata)) {
    // RFC 9110's token, a field name's characters.
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) headers[`x-amz-meta-${name}`] = headerValue(value);
    else missing++;
  }
  if (missing > 0) headers["x-amz-missing-meta"] = String(missing);
  return headers;
}

/**
 * The headers GetObject's and HeadObject's response-* parameters set in a 200 or 206 answer, over the object's:
 * "You can override values for a set of response headers … response-cache-control, response-content-disposition,
 * response-content-encoding, response-content-language, response-content-type, response-expires"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html; API_HeadObject.html takes them too). They were
 * ignored: a presigned download URL's Content-Disposition never came. A value with a character ISO-8859-1 does not
 * have (or a control character, which no header may hold) is refused as S3 refuses it, 400 InvalidArgument "Header
 * value cannot be represented using ISO-8859-1." naming the parameter and its value (S3's answers as users quote them for
 * response-content-disposition, e.g. a filename in Japanese); a value within ISO-8859-1 is set as it is, each
 * character its byte (`é` as E9; the GetObject answer writes Content-Length last, for Node's sake). Not confirmed: S3's
 * answer to a control character. Every request here is signed (authenticate refuses an anonymous one 403), as S3 asks
 * of these parameters.
 */
function responseOverrides(query: Query): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of OVERRIDABLE_HEADERS) {
    const value = param(query, `response-${name}`);
    if (value === undefined) continue;
    if (value.search(NOT_HEADER_TEXT) >= 0) {
      throw new S3Error(400, "InvalidArgument", "Header value cannot be represented using ISO-8859-1.", { ArgumentName: `response-${name}`, ArgumentValue: value });
    }
    headers[name] = value;
  }
  return headers;
}

/** A PutObject's, CreateMultipartUpload's or CopyObject (REPLACE)'s object, from its headers (storedHeadersFrom: its system metadata). */
function newObject(key: string, req: IncomingMessage): NewObject {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith("x-amz-meta-") && typeof value === "string") metadata[name.slice("x-amz-meta-".length)] = decodeEncodedWords(value);
  }
  return {
    key,
    contentType: req.headers["content-type"] ?? "binary/octet-stream",
    ...storedHeadersFrom((name) => header(req.headers, name)),
    metadata,
    lastModified: new Date(),
  };
}

/**
 * Whether the body comes `aws-chunked` (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html), as the
 * signature says: a STREAMING-* payload hash it signs (header-signed, x-amz-content-sha256; presigned, the query's
 * X-Amz-Content-Sha256) is decoded, its chunk signatures checked, whatever Content-Encoding says. Otherwise
 * an aws-chunked coding in Content-Encoding decides (hasAwsChunked, the test the stored header's takes it out by). A header claiming signed chunks (STREAMING-AWS4-*) that the signature does not
 * cover (a presigned URL signed UNSIGNED-PAYLOAD) is refused, as its chunks could not be checked: 403
 * SignatureDoesNotMatch (what S3 answers a payload hash header that differs from the presigned one is not confirmed).
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER claims no signatures and is decoded.
 */
function isAwsChunked(req: IncomingMessage, auth: Authenticated): boolean {
  if (auth.payloadHash.startsWith("STREAMING-")) return true;
  const claimed = header(req.headers, "x-amz-content-sha256");
  if (claimed?.startsWith("STREAMING-AWS4-")) {
    throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", { AWSAccessKeyId: auth.accessKeyId });
  }
  return hasAwsChunked(header(req.headers, "content-encoding")) || claimed === "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
}

/**
 * A request's body as it arrives. Left part-way (a check failed), the request is not destroyed, as a plain `for await`
 * would (it closes the connection before the answer is written): the server's error answer drains the rest.
 */
function bodyOf(req: IncomingMessage): AsyncIterable<Buffer> {
  return req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** A request's body as it arrives, refused with `tooLarge()` once it is over `maxBytes`. */
async function* atMost(req: IncomingMessage, maxBytes: number, tooLarge: () => S3Error): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of bodyOf(req)) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    yield chunk;
  }
}

/**
 * The request's body read whole (the calls whose bodies are small documents), checked by verifyBody as an upload's is
 * (objectBytes), and refused 400 MaxMessageLengthExceeded as soon as more than `maxBytes` (decoded, if it came
 * aws-chunked) have arrived: a body with no length (HTTP's chunked transfer coding) was held whole however long it grew.
 */
async function readS3Body(req: IncomingMessage, received: ReceivedBody, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of objectBytes(req, received)) {
    size += chunk.length;
    if (size > maxBytes) throw new S3Error(400, "MaxMessageLengthExceeded", "Your request was too big.");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The largest document body (DeleteObjects, CompleteMultipartUpload, CreateBucket's configuration, any other call's
 * body) read: past it, 400 MaxMessageLengthExceeded, "Your request was too big." (S3's error code list,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). S3 documents no number for it; this is a local
 * bound above any valid request of those calls, written as S3's SDKs write them:
 * - DeleteObjects: at most 1,000 objects (API_DeleteObjects.html). An `<Object>` holds a `<Key>` of up to 1,024 bytes
 *   (object-keys.html), at most 6,144 escaped (`&quot;` is 6 bytes for 1), a `<VersionId>` (taken as at most 1,024
 *   bytes, 6,144 escaped: not confirmed) and ETag, LastModifiedTime and Size (well under 1 KiB with their tags): under
 *   16 KiB an object, 16 MiB the 1,000.
 * - CompleteMultipartUpload: at most 10,000 parts (qfacts.html). A `<Part>` holds a PartNumber, a quoted ETag and up to
 *   the five checksums in base64 (SHA256's 44 characters the longest): under 1 KiB a part, 10 MiB the 10,000.
 * The larger, with 64 KiB for the envelope. XML may pad a document further (white space, character references with
 * leading zeros), which no finite bound admits; the SDKs do not.
 */
export const MAX_DOCUMENT_BODY = 1000 * 16 * 1024 + 64 * 1024;

/**
 * The object's bytes of a request's body as they arrive, decoded from `aws-chunked` when it came so (its trailers put
 * in `received.trailers`), each byte fed to `received.digests` on its way. More object bytes than the request declares
 * (x-amz-decoded-content-length, which S3 requires with aws-chunked) is IncompleteBody, the answer verifyBody gives for
 * a length that differs, as soon as it is so: a body is never stored past what it declared.
 */
async function* objectBytes(req: IncomingMessage, received: ReceivedBody): AsyncGenerator<Buffer> {
  const { digests } = received;
  // As verifyBody decides it: an aws-chunked body that declares a length (PutObject and UploadPart must: 411 otherwise).
  const declaredHeader = header(req.headers, "x-amz-decoded-content-length");
  const declared = received.chunked && declaredHeader !== undefined ? Number(declaredHeader) : undefined;
  const fed = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of bodyOf(req)) {
      digests.raw(chunk);
      yield chunk;
    }
  };
  for await (const chunk of received.chunked ? decodeAwsChunked(fed(), received.trailers, received.chunkSignatures) : fed()) {
    digests.body(chunk);
    // Not `length > declared`: a declared length that is no number (NaN) refuses the first byte, not none.
    if (declared !== undefined && !(digests.length <= declared)) throw lengthMismatch();
    yield chunk;
  }
}

/** A chunk's size line at most (`<hex size>;chunk-signature=<64 hex>` is about 90 bytes), and the trailers at most. */
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILERS = 64 * 1024;

/**
 * `<hex size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n<name>:<value>\r\n...\r\n`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html), decoded as it arrives: each chunk's data is
 * passed on as it comes, never a whole body held; the trailers after the last chunk are put in `trailers`. A body that
 * does not parse, or ends before its last chunk, is S3's 400 IncompleteBody. With `signatures` (a signed body), each
 * chunk's signature is checked once the chunk has all arrived, and the trailer's after the trailers: a bad one throws
 * 403 SignatureDoesNotMatch there, before the body ends, so the upload fails and its object is never stored.
 */
export async function* decodeAwsChunked(raw: AsyncIterable<Buffer>, trailers: Record<string, string>, signatures?: ChunkSignatures): AsyncGenerator<Buffer> {
  const incomplete = () => new S3Error(400, "IncompleteBody", "The request body terminated unexpectedly");
  let pending: Buffer = Buffer.alloc(0);
  // Bytes left of the current chunk, its closing CRLF included; -1 while a size line is read.
  let left = -1;
  let ended = false;
  for await (const chunk of raw) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (!ended && pending.length > 0) {
      if (left < 0) {
        // Searched for only as far as a size line may go: a longer one is refused whether it arrives in pieces or in
        // one read (it was taken whole when its CRLF came in the same read).
        const lineEnd = pending.subarray(0, MAX_CHUNK_LINE + 2).indexOf("\r\n");
        if (lineEnd < 0) {
          if (pending.length > MAX_CHUNK_LINE) throw incomplete();
          break;
        }
        const sizeLine = pending.subarray(0, lineEnd).toString("latin1");
        const sizeText = sizeLine.split(";")[0].trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw incomplete();
        const size = parseInt(sizeText, 16);
        pending = pending.subarray(lineEnd + 2);
        signatures?.begin(sizeLine);
        if (size === 0) {
          ended = true;
          signatures?.end();
        } else left = size + 2;
        continue;
      }
      const taken = Math.min(left, pending.length);
      const data = pending.subarray(0, Math.min(taken, Math.max(left - 2, 0)));
      // The chunk's data ends with CRLF: anything else (more data than its size says, or less) does not parse.
      for (let at = data.length; at < taken; at++) if (pending[at] !== (left - at === 2 ? 0x0d : 0x0a)) throw incomplete();
      signatures?.update(data);
      if (data.length > 0) yield data;
      pending = pending.subarray(taken);
      left -= taken;
      if (left === 0) {
        left = -1;
        signatures?.end();
      }
    }
    if (ended && pending.length > MAX_TRAILERS) throw incomplete();
  }
  if (!ended) throw incomplete();
  for (const line of pending.toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  signatures?.trailer(trailers);
}

function md5(body: Buffer): string {
  return createHash("md5").update(body).digest("hex");
}

/**
 * An answer of `body` (text, sent as UTF-8) with its length, as S3 sends one, rather than an empty chunked body. Header
 * values are written as their bytes, a character up to U+00FF one byte, also beside a body: the body goes as bytes, for
 * Node writes the header section with a string body as one UTF-8 string (a 201's Location whose Host held é, E9, went
 * out as C3 A9); and Content-Length last, as GetObject writes it, where one before a value past ASCII had Node send
 * that value's é as FD (nodejs/node#58240).
 */
function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, "utf8");
  writeHeadWhole(res, status, { ...headers, "content-length": String(bytes.length) });
  res.end(bytes);
}

function sendXml(res: ServerResponse, xml: string): void {
  send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>${xml}`, { "content-type": "application/xml" });
}

/**
 * S3's error document (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: Code, Message, Resource,
 * RequestId; S3 adds HostId, the x-amz-id-2), the resource being the path asked for; HEAD answers carry no body.
 */
function sendError(res: ServerResponse, status: number, code: string, message: string, headOnly = false, details: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const requestId = String(res.getHeader("x-amz-request-id") ?? "");
  const hostId = String(res.getHeader("x-amz-id-2") ?? "");
  const resource = (res.req?.url ?? "/").split("?")[0];
  res.writeHead(status, { "content-type": "application/xml", "x-amz-error-code": code });
  res.end(headOnly ? undefined : errorXml(code, message, details, resource, requestId, hostId));
}

/**
 * The codes whose error document carries no Resource. SignatureDoesNotMatch: S3's answers end
 * `…<CanonicalRequestBytes>…</CanonicalRequestBytes><RequestId>…` (a header-signed PUT, rahim/fog-s3-issue README.md,
 * 2023-09-22) and `…<StringToSignBytes>…</StringToSignBytes><RequestId>…` (SigV2 answers of 2009 and 2016 quoted in
 * client code, and a POST-policy answer of 2015), never a `<Resource>`;
 * ErrorResponses.html lists Resource ("The bucket or object that is involved in the error") without saying every
 * code carries it. The other codes keep theirs (NoSuchKey's and NoSuchBucket's are in answers of S3's).
 */
const WITHOUT_RESOURCE = new Set(["SignatureDoesNotMatch"]);

/** S3's error document (see sendError); without a Resource when there is none (a request never parsed) or S3 sends none. */
function errorXml(code: string, message: string, details: Record<string, string>, resource: string, requestId: string, hostId: string): string {
  const extra = Object.entries(details).map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join("");
  const at = resource && !WITHOUT_RESOURCE.has(code) ? `<Resource>${escapeXml(resource)}</Resource>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${extra}${at}<RequestId>${requestId}</RequestId><HostId>${escapeXml(hostId)}</HostId></Error>`;
}
