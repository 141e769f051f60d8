/**
 * CopyObject and UploadPartCopy on the local S3 server, called as the SDK calls them: the copy source (URL-encoded,
 * with or without its leading slash; no versions), the metadata directive, the source's conditions, a copy onto itself,
 * the 5 GB limit, a part's byte range, IAM on both ends, the events, and the bytes streamed from the source's file.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { FileObjectStore, MemoryObjectStore, startLocalS3, type ListedObject, type LocalS3, type LocalS3Options, type OpenedObject } from "../../local/s3-server";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { localS3Client } from "../harness/s3-local";
import { WatchedStore } from "./s3-watched-store";

const md5 = (text: string | Buffer) => `"${createHash("md5").update(text).digest("hex")}"`;

let server: LocalS3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: LocalS3Options = {}): Promise<{ client: S3Client; events: string[] }> {
  const events: string[] = [];
  server = await startLocalS3({ buckets: ["b", "other"], onObjectEvent: (e) => void events.push(`${e.eventName} ${e.bucket}/${e.key} ${e.size}`), ...options });
  return { client: localS3Client(server.endpoint), events };
}

/** The S3 error code and status of a call that fails. */
async function failure(call: Promise<unknown>): Promise<[number | undefined, string, string]> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata: { httpStatusCode?: number } } | undefined;
  if (!error) throw new Error("the call succeeded");
  return [error.$metadata.httpStatusCode, error.name, error.message];
}

describe("local S3: CopyObject", () => {
  it("copies the source's bytes and metadata to another key and bucket, answers CopyObjectResult, and tells ObjectCreated:Copy", async () => {
    const { client, events } = await start();
    const key = "dir/a b+é.txt";
    await client.send(new PutObjectCommand({ Bucket: "b", Key: key, Body: "the source's bytes", ContentType: "text/plain", CacheControl: "max-age=60", Metadata: { owner: "alice" } }));
    events.length = 0;
    // URL-encoded, with and without the leading slash.
    const copied = await client.send(new CopyObjectCommand({ Bucket: "other", Key: "copy", CopySource: `b/${encodeURIComponent(key)}` }));
    expect(copied.CopyObjectResult?.ETag).toBe(md5("the source's bytes"));
    expect(copied.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    expect(copied.CopySourceVersionId).toBeUndefined();
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "copy 2", CopySource: `/b/${encodeURIComponent(key)}` }));
    for (const [bucket, k] of [["other", "copy"], ["b", "copy 2"]]) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      expect([await got.Body?.transformToString(), got.ContentType, got.CacheControl, got.Metadata, got.ETag]).toEqual(["the source's bytes", "text/plain", "max-age=60", { owner: "alice" }, md5("the source's bytes")]);
    }
    expect(events).toEqual(["ObjectCreated:Copy other/copy 18", "ObjectCreated:Copy b/copy 2 18"]);
    expect(server!.uploadedKeys()).toContain("copy");
  });

  it("replaces Content-Type, Cache-Control and user metadata with the request's under x-amz-metadata-directive: REPLACE", async () => {
    const { client } = await start();
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: "x", ContentType: "text/plain", CacheControl: "max-age=60", Metadata: { owner: "alice" } }));
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "r", CopySource: "b/s", MetadataDirective: "REPLACE", ContentType: "image/png", Metadata: { size: "small" } }));
    const head = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "r" }));
    expect([head.ContentType, head.CacheControl, head.Metadata]).toEqual(["image/png", undefined, { size: "small" }]);
    // REPLACE without a Content-Type stores S3's default, not the source's (AWS as MinIO's mint tests found it:
    // minio/minio#7238, "default to binary/octet-stream, as long as a new content-type is not passed").
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "bare", CopySource: "b/s", MetadataDirective: "REPLACE" }));
    const bare = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "bare" }));
    expect([bare.ContentType, bare.CacheControl, bare.Metadata]).toEqual(["binary/octet-stream", undefined, {}]);
    // Under COPY (the default) the request's metadata is not used.
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/s", ContentType: "image/png", Metadata: { size: "small" } }));
    const kept = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "c" }));
    expect([kept.ContentType, kept.Metadata]).toEqual(["text/plain", { owner: "alice" }]);
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/s", MetadataDirective: "MOVE" as "COPY" })))).toEqual([400, "InvalidArgument", "Unknown metadata directive."]);
  });

  it("answers x-amz-tagging-directive as S3 reads it (COPY or REPLACE, else 400) and REPLACE's x-amz-tagging as PutObject's (accepted, not kept); x-amz-checksum-algorithm one of S3's, else 400", async () => {
    const { client } = await start();
    // Tags are not emulated: a PutObject's are accepted and dropped, and so are a copy's under REPLACE.
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: "x", Tagging: "a=b" }));
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "r", CopySource: "b/s", TaggingDirective: "REPLACE", Tagging: "c=d" }));
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/s", TaggingDirective: "COPY" }));
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/s", TaggingDirective: "MOVE" as "COPY" })))).toEqual([400, "InvalidArgument", "Unknown tagging directive."]);
    // "Unrecognized or unsupported values will respond with the HTTP status code 400 Bad Request" (API_CopyObject.html).
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "sum", CopySource: "b/s", ChecksumAlgorithm: "SHA256" }));
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "sum", CopySource: "b/s", ChecksumAlgorithm: "MD5" as "SHA256" })))).toEqual([400, "InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid."]);
    const copied = await client.send(new GetObjectCommand({ Bucket: "b", Key: "sum" }));
    expect(await copied.Body?.transformToString()).toBe("x");
  });

  it("refuses a copy of an object onto itself that changes nothing (400 InvalidRequest), and makes one that replaces its metadata", async () => {
    const { client, events } = await start();
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: "x", Metadata: { v: "1" } }));
    events.length = 0;
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "s", CopySource: "b/s" })))).toEqual([
      400,
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    ]);
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "s", CopySource: "/b/s", MetadataDirective: "REPLACE", Metadata: { v: "2" } }));
    const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "s" }));
    expect([await got.Body?.transformToString(), got.Metadata]).toEqual(["x", { v: "2" }]);
    expect(events).toEqual(["ObjectCreated:Copy b/s 1"]);
  });

  it("answers a missing source 404 NoSuchKey (or NoSuchBucket), a source without a key 400 InvalidArgument, and a versionId 501", async () => {
    const { client } = await start({ store: new MemoryObjectStore() });
    server!.store.createBucket("b");
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: "x" }));
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/missing" })))).toEqual([404, "NoSuchKey", "The specified key does not exist."]);
    expect((await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "nobucket/s" }))))[1]).toBe("NoSuchBucket");
    expect((await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b" }))))[1]).toBe("InvalidArgument");
    expect((await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/%E0%A4%A" }))))[1]).toBe("InvalidArgument");
    expect((await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/s?versionId=abc" }))))[0]).toBe(501);
    expect(server!.store.head("b", "c")).toBeUndefined();
    // A `+` sent unencoded is not a plus: S3 answers NoSuchKey for a key with one (aws/aws-cli#614, aws/aws-sdk-js#1821),
    // so a copy source that works here without encoding its key works on AWS too. `%2B` is the plus.
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "a+b", Body: "plus" }));
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/a+b" })))).toEqual([404, "NoSuchKey", "The specified key does not exist."]);
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/a%2Bb" }));
    expect(server!.store.get("b", "c")?.body.toString()).toBe("plus");
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "a b", Body: "space" }));
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "d", CopySource: "b/a+b" }));
    expect(server!.store.get("b", "d")?.body.toString()).toBe("space");
  });

  it("copies only when the x-amz-copy-source-if-* conditions hold (412 PreconditionFailed otherwise), and honours the destination's If-None-Match", async () => {
    const { client } = await start();
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: "x" }));
    const { ETag, LastModified } = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "s" }));
    const before = new Date(LastModified!.getTime() - 60_000);
    const after = new Date(LastModified!.getTime() + 1000);
    const copy = (conditions: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]>) => client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/s", ...conditions }));
    for (const failing of [{ CopySourceIfMatch: '"0123"' }, { CopySourceIfNoneMatch: ETag }, { CopySourceIfUnmodifiedSince: before }, { CopySourceIfModifiedSince: LastModified }]) {
      expect((await failure(copy(failing))).slice(0, 2)).toEqual([412, "PreconditionFailed"]);
    }
    expect(server!.store.head("b", "c")).toBeUndefined();
    // If-Match that holds wins over a failing If-Unmodified-Since, as S3 documents.
    await copy({ CopySourceIfMatch: ETag, CopySourceIfUnmodifiedSince: before });
    await copy({ CopySourceIfNoneMatch: '"0123"', CopySourceIfModifiedSince: before, CopySourceIfUnmodifiedSince: after });
    expect((await failure(copy({ IfNoneMatch: "*" }))).slice(0, 2)).toEqual([412, "PreconditionFailed"]);
  });

  it("authorises s3:GetObject on the source and s3:PutObject on the destination", async () => {
    const calls: string[] = [];
    let refused = "";
    const { client } = await start({
      authorise: (_key, action, resource) => {
        calls.push(`${action} ${resource}`);
        return `${action} ${resource}` === refused ? { caller: "arn:aws:sts::000000000000:assumed-role/fn/fn", reason: `because no identity-based policy allows the ${action} action` } : undefined;
      },
    });
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: "x" }));
    calls.length = 0;
    await client.send(new CopyObjectCommand({ Bucket: "other", Key: "c", CopySource: "b/s" }));
    expect(calls).toEqual(["s3:PutObject arn:aws:s3:::other/c", "s3:GetObject arn:aws:s3:::b/s"]);
    for (const refusal of ["s3:GetObject arn:aws:s3:::b/s", "s3:PutObject arn:aws:s3:::other/d"]) {
      refused = refusal;
      const [status, code, message] = await failure(client.send(new CopyObjectCommand({ Bucket: "other", Key: "d", CopySource: "b/s" })));
      expect([status, code]).toEqual([403, "AccessDenied"]);
      expect(message).toContain(`not authorized to perform: ${refusal.split(" ")[0]}`);
    }
    expect(server!.store.head("other", "d")).toBeUndefined();
    // A missing source is 403, not 404, to a caller who may not list its bucket (as S3 answers; aws/aws-sdk-js-v3#6523).
    refused = "s3:ListBucket arn:aws:s3:::b";
    const [status, code, message] = await failure(client.send(new CopyObjectCommand({ Bucket: "other", Key: "d", CopySource: "b/missing" })));
    expect([status, code]).toEqual([403, "AccessDenied"]);
    expect(message).toContain("not authorized to perform: s3:ListBucket");
    refused = "";
    expect((await failure(client.send(new CopyObjectCommand({ Bucket: "other", Key: "d", CopySource: "b/missing" }))))[1]).toBe("NoSuchKey");
  });

  it("streams the copy from the source's file into the destination's, never holding the object whole", async () => {
    const store = new WatchedStore(mkdtempSync(join(tmpdir(), "sf-s3-copy-")));
    const { client } = await start({ store });
    const body = Buffer.alloc(2 * 1024 * 1024, "z");
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "big", Body: body }));
    store.reset();
    const copied = await client.send(new CopyObjectCommand({ Bucket: "b", Key: "copy", CopySource: "b/big" }));
    expect(copied.CopyObjectResult?.ETag).toBe(md5(body));
    expect(store.received).toBe(body.length);
    expect(store.largestChunk).toBeLessThanOrEqual(64 * 1024);
    expect(store.get("b", "copy")?.body.equals(body)).toBe(true);
  });

  it("copies the source as it was when the copy began, whole, when it is overwritten or deleted while its bytes stream", async () => {
    // A file store whose write of a `copy-` key stops after its first chunk until the test lets it go on (promises, no timing).
    class PausedStore extends FileObjectStore {
      reading = Promise.resolve();
      private started = () => {};
      private goOn = () => {};
      private proceed = Promise.resolve();
      pause(): void {
        this.reading = new Promise((resolve) => (this.started = resolve));
        this.proceed = new Promise((resolve) => (this.goOn = resolve));
      }
      resume(): void {
        this.goOn();
      }
      override putStream(...[bucket, object, source, beforeCommit]: Parameters<FileObjectStore["putStream"]>): Promise<ListedObject> {
        if (!object.key.startsWith("copy-")) return super.putStream(bucket, object, source, beforeCommit);
        const [started, proceed] = [this.started, this.proceed];
        const paused = async function* () {
          let first = true;
          for await (const chunk of source) {
            yield chunk;
            if (first) {
              first = false;
              started();
              await proceed;
            }
          }
        };
        return super.putStream(bucket, object, paused(), beforeCommit);
      }
    }
    const store = new PausedStore(mkdtempSync(join(tmpdir(), "sf-s3-copy-")));
    const { client } = await start({ store });
    const old = Buffer.alloc(1024 * 1024, "o");
    for (const then of ["overwritten", "deleted"] as const) {
      await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: old }));
      store.pause();
      const copying = client.send(new CopyObjectCommand({ Bucket: "b", Key: `copy-${then}`, CopySource: "b/s" }));
      await store.reading; // the copy has read its first chunk of the source's file
      if (then === "overwritten") await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: Buffer.alloc(old.length, "n") }));
      else await client.send(new DeleteObjectCommand({ Bucket: "b", Key: "s" }));
      store.resume();
      expect((await copying).CopyObjectResult?.ETag).toBe(md5(old));
      expect(store.get("b", `copy-${then}`)?.body.equals(old)).toBe(true);
    }
  });

  it("copies through a presigned URL that signs x-amz-copy-source as a header; one whose header the SDK hoisted into the query is a PutObject of nothing, as on S3", async () => {
    const { client, events } = await start();
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: "x" }));
    events.length = 0;
    const command = () => new CopyObjectCommand({ Bucket: "other", Key: "c", CopySource: "b/s" });
    const signed = await getSignedUrl(client, command(), { expiresIn: 60, unhoistableHeaders: new Set(["x-amz-copy-source"]) });
    expect((await fetch(signed, { method: "PUT", headers: { "x-amz-copy-source": "b/s" } })).status).toBe(200);
    expect(server!.store.get("other", "c")?.body.toString()).toBe("x");
    const hoisted = await getSignedUrl(client, command(), { expiresIn: 60 });
    expect(new URL(hoisted).searchParams.get("x-amz-copy-source")).toBe("b/s");
    // aws/aws-sdk-php#1275: S3 answers such a URL 200 and stores an empty object.
    expect((await fetch(hoisted, { method: "PUT" })).status).toBe(200);
    expect(server!.store.get("other", "c")?.body.length).toBe(0);
    expect(events).toEqual(["ObjectCreated:Copy other/c 1", "ObjectCreated:Put other/c 0"]);
  });

  it("refuses a source over 5 GB (400 InvalidRequest), which only UploadPartCopy may copy", async () => {
    const store = new MemoryObjectStore();
    const huge = 5 * 1024 ** 3 + 1;
    // A source that says it is over 5 GB, its bytes never read.
    const open = store.open.bind(store);
    store.open = (bucket, key): OpenedObject | undefined => {
      const object = open(bucket, key);
      return object && key === "huge" ? { ...object, size: huge, read: () => Promise.reject(new Error("read")) as never } : object;
    };
    const { client } = await start({ store });
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "huge", Body: "x" }));
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: "b", Key: "c", CopySource: "b/huge" })))).toEqual([400, "InvalidRequest", "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"]);
  });
});

describe("local S3: UploadPartCopy", () => {
  it("copies a byte range (or the whole source) into a part, answers CopyPartResult, and the completed upload tells ObjectCreated:CompleteMultipartUpload", async () => {
    const { client, events } = await start();
    const source = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < source.length; i++) source[i] = i % 251;
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "src", Body: source }));
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "tail", Body: "the end" }));
    events.length = 0;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "other", Key: "joined" }));
    const first = source.subarray(0, 5 * 1024 * 1024);
    const one = await client.send(new UploadPartCopyCommand({ Bucket: "other", Key: "joined", UploadId, PartNumber: 1, CopySource: "b/src", CopySourceRange: `bytes=0-${first.length - 1}` }));
    expect(one.CopyPartResult?.ETag).toBe(md5(first));
    expect(one.CopyPartResult?.LastModified).toBeInstanceOf(Date);
    const two = await client.send(new UploadPartCopyCommand({ Bucket: "other", Key: "joined", UploadId, PartNumber: 2, CopySource: "/b/tail" }));
    expect(two.CopyPartResult?.ETag).toBe(md5("the end"));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: "other", Key: "joined", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.CopyPartResult!.ETag }, { PartNumber: 2, ETag: two.CopyPartResult!.ETag }] } }));
    const joined = Buffer.concat([first, Buffer.from("the end")]);
    expect(server!.store.get("other", "joined")?.body.equals(joined)).toBe(true);
    expect(events).toEqual([`ObjectCreated:CompleteMultipartUpload other/joined ${joined.length}`]);
  });

  it("refuses a range not of the form bytes=first-last, or past the source's end (400), and a source the caller may not read (403)", async () => {
    let refusing = false;
    const { client } = await start({ authorise: (_key, action) => (refusing && action === "s3:GetObject" ? { caller: "arn:aws:sts::000000000000:assumed-role/fn/fn", reason: "because no identity-based policy allows the s3:GetObject action" } : undefined) });
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "src", Body: "0123456789" }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: "k" }));
    const part = (range?: string) => client.send(new UploadPartCopyCommand({ Bucket: "b", Key: "k", UploadId, PartNumber: 1, CopySource: "b/src", CopySourceRange: range }));
    for (const range of ["bytes=3-", "bytes=-3", "bytes=5-2", "3-5"]) expect((await failure(part(range))).slice(0, 2)).toEqual([400, "InvalidArgument"]);
    expect((await failure(part("bytes=10-12"))).slice(0, 2)).toEqual([400, "InvalidRequest"]);
    expect(await failure(part("bytes=2-10"))).toEqual([400, "InvalidArgument", "Range specified is not valid for source object of size: 10"]);
    expect((await failure(client.send(new UploadPartCopyCommand({ Bucket: "b", Key: "k", UploadId, PartNumber: 1, CopySource: "b/src", CopySourceIfMatch: '"0123"' })))).slice(0, 2)).toEqual([412, "PreconditionFailed"]);
    refusing = true;
    expect((await failure(part("bytes=2-4"))).slice(0, 2)).toEqual([403, "AccessDenied"]);
    refusing = false;
    expect((await part("bytes=2-4")).CopyPartResult?.ETag).toBe(md5("234"));
    expect((await part("bytes=0-0")).CopyPartResult?.ETag).toBe(md5("0"));
    expect((await part("bytes=9-9")).CopyPartResult?.ETag).toBe(md5("9"));
    // A 0-byte source: copied whole (a part, an object), but no range lies within it.
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "empty", Body: "" }));
    const empty = (range?: string) => client.send(new UploadPartCopyCommand({ Bucket: "b", Key: "k", UploadId, PartNumber: 2, CopySource: "b/empty", CopySourceRange: range }));
    expect((await empty()).CopyPartResult?.ETag).toBe(md5(""));
    expect((await failure(empty("bytes=0-0"))).slice(0, 2)).toEqual([400, "InvalidRequest"]);
    expect((await client.send(new CopyObjectCommand({ Bucket: "b", Key: "empty copy", CopySource: "b/empty" }))).CopyObjectResult?.ETag).toBe(md5(""));
    expect(server!.store.get("b", "empty copy")?.body.length).toBe(0);
  });
});
