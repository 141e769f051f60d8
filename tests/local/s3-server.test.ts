/** The local S3 server answers the SDK v3 client the way S3 does for the calls the app and the publisher make. */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileObjectStore, startLocalS3, type LocalS3 } from "../../local/s3-server";

let s3: LocalS3;
let client: S3Client;
beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ["photos"] });
  client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});
afterAll(() => s3.close());

describe("local S3 server", () => {
  it("stores objects with headers and metadata, and serves them back", async () => {
    await client.send(new PutObjectCommand({ Bucket: "photos", Key: "a b/ü.txt", Body: "hello", ContentType: "text/plain", CacheControl: "no-cache", Metadata: { sha256: "abc" } }));
    const head = await client.send(new HeadObjectCommand({ Bucket: "photos", Key: "a b/ü.txt" }));
    expect(head).toMatchObject({ ContentType: "text/plain", CacheControl: "no-cache", ContentLength: 5, Metadata: { sha256: "abc" } });
    const got = await client.send(new GetObjectCommand({ Bucket: "photos", Key: "a b/ü.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello");
  });

  it("lists with prefixes and continuation tokens", async () => {
    for (const key of ["list/1", "list/2", "list/3", "other/4"]) await client.send(new PutObjectCommand({ Bucket: "photos", Key: key, Body: key }));
    const first = await client.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "list/", MaxKeys: 2 }));
    expect(first.Contents?.map((o) => o.Key)).toEqual(["list/1", "list/2"]);
    expect(first.IsTruncated).toBe(true);
    const second = await client.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "list/", ContinuationToken: first.NextContinuationToken }));
    expect(second.Contents?.map((o) => o.Key)).toEqual(["list/3"]);
    expect(second.IsTruncated).toBe(false);
  });

  it("answers missing keys and buckets as S3 does, and counts requests", async () => {
    s3.resetRequests();
    await client.send(new DeleteObjectCommand({ Bucket: "photos", Key: "list/1" }));
    await expect(client.send(new HeadObjectCommand({ Bucket: "photos", Key: "list/1" }))).rejects.toMatchObject({ name: "NotFound" });
    await expect(client.send(new GetObjectCommand({ Bucket: "photos", Key: "list/1" }))).rejects.toMatchObject({ name: "NoSuchKey" });
    await expect(client.send(new PutObjectCommand({ Bucket: "nope", Key: "x", Body: "x" }))).rejects.toMatchObject({ name: "NoSuchBucket" });
    expect(s3.requests.map((r) => r.operation)).toEqual(["DeleteObject", "HeadObject", "GetObject", "PutObject"]);
    expect(s3.deletedKeys()).toEqual(["list/1"]);
  });

  it("injects failures that the SDK does not retry", async () => {
    s3.resetRequests();
    s3.fail((r) => r.key === "blocked");
    await expect(client.send(new PutObjectCommand({ Bucket: "photos", Key: "blocked", Body: "x" }))).rejects.toMatchObject({ name: "AccessDenied" });
    s3.fail(undefined);
    expect(s3.count("PutObject")).toBe(1);
  });
});

describe("local S3 server for npm start (files, browsers, presigned URLs)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sf-s3-files-"));
  const clientFor = (endpoint: string) =>
    new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "local", secretAccessKey: "local" } });

  it("keeps objects on disk across restarts, listable with their metadata", async () => {
    const first = await startLocalS3({ store: new FileObjectStore(dataDir) });
    await clientFor(first.endpoint).send(new PutObjectCommand({ Bucket: "uploads", Key: "originals/a/1.png", Body: "png", ContentType: "image/png" }));
    await first.close();
    const second = await startLocalS3({ store: new FileObjectStore(dataDir) });
    try {
      const client = clientFor(second.endpoint);
      const head = await client.send(new HeadObjectCommand({ Bucket: "uploads", Key: "originals/a/1.png" }));
      expect(head).toMatchObject({ ContentType: "image/png", ContentLength: 3 });
      const listed = await client.send(new ListObjectsV2Command({ Bucket: "uploads", Prefix: "originals/" }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(["originals/a/1.png"]);
    } finally {
      await second.close();
    }
  });

  it("answers browser preflights only when asked, and refuses expired presigned URLs", async () => {
    const browser = await startLocalS3({ store: new FileObjectStore(dataDir), browserAccess: true });
    try {
      const preflight = await fetch(`${browser.endpoint}/uploads/x.png`, { method: "OPTIONS" });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
      const expired = await fetch(`${browser.endpoint}/uploads/x.png?X-Amz-Date=20200101T000000Z&X-Amz-Expires=60`, { method: "PUT", body: "x" });
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain("Request has expired");
    } finally {
      await browser.close();
    }
    const plain = await fetch(`${s3.endpoint}/photos/x.png`, { method: "OPTIONS" });
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });
});
