/**
 * Multipart uploads stream as PutObject does: each UploadPart's body goes into the store as it arrives (the file store:
 * a file per part, under `.uploads/<uploadId>/`, beside the upload's record `.uploads/<uploadId>.json`),
 * CompleteMultipartUpload streams the parts one after another into the object, the part files go on abort and on
 * completion, and an upload in progress is kept across a restart, as S3 keeps it until it is completed or aborted. Uploads are refused on their headers (IAM, a missing bucket) before their body is read.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileObjectStore, startLocalS3, type LocalS3 } from "../../local/s3-server";
import { escapeXml } from "../../local/xml";
import { sendEndless } from "../harness/endless-body";
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { localS3Client, signS3 } from "../harness/s3-local";
import { WatchedStore } from "./s3-watched-store";

const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest();
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const MiB = 1024 * 1024;
const uploadFolders = (root: string) => (existsSync(join(root, ".uploads")) ? readdirSync(join(root, ".uploads")) : []);
/** The files in the uploads' folders (parts and their temporary files), not the uploads' records beside them. */
const uploadFiles = (root: string) => uploadFolders(root).flatMap((name) => (name.endsWith(".json") ? [] : readdirSync(join(root, ".uploads", name))));

let server: LocalS3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A signed request, its whole body sent: status, S3 error code, ETag header and body text. */
async function call(method: string, path: string, body: Buffer = Buffer.alloc(0), headers: Record<string, string> = {}) {
  const url = new URL(path, server!.endpoint);
  const { host: _host, ...signed } = await signS3(method, url, { "x-amz-content-sha256": sha256(body), ...headers });
  const response = await fetch(url, { method, headers: signed, body: method === "GET" || method === "HEAD" ? undefined : body });
  const text = await response.text();
  return { status: response.status, code: /<Code>(\w+)</.exec(text)?.[1], etag: response.headers.get("etag") ?? undefined, text };
}

/** Starts `server` with bucket `b` on a file store in a new folder that tells the test when an upload's bytes reach it. */
async function startWatched(): Promise<{ root: string; store: WatchedStore }> {
  const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
  const store = new WatchedStore(root);
  server = await startLocalS3({ store, buckets: ["b"] });
  return { root, store };
}

async function createUpload(key: string): Promise<string> {
  const created = await call("POST", `/b/${key}?uploads`);
  return /<UploadId>([^<]+)</.exec(created.text)![1];
}

/** A file store whose streaming object write waits at its first bytes (`reading`) until the test calls `release`. */
class HeldStore extends FileObjectStore {
  private reached!: () => void;
  readonly reading = new Promise<void>((resolve) => (this.reached = resolve));
  release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  override putStream(...[bucket, object, source, beforeCommit]: Parameters<FileObjectStore["putStream"]>): ReturnType<FileObjectStore["putStream"]> {
    const { reached, released } = this;
    async function* held(): AsyncGenerator<Uint8Array> {
      let first = true;
      for await (const chunk of source) {
        if (first) {
          first = false;
          reached();
          await released;
        }
        yield chunk;
      }
    }
    return super.putStream(bucket, object, held(), beforeCommit);
  }
}

const completion = (parts: Array<[number, string]>) =>
  Buffer.from(`<CompleteMultipartUpload>${parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`).join("")}</CompleteMultipartUpload>`);

/**
 * Starts `server` on a HeldStore in a new folder, uploads parts 1 (5 MiB) and 2 ("two") of key `k`, and posts their
 * completion: it is held at its object write's first bytes (`store.reading`) until the test calls `store.release`.
 */
async function startHeldCompletion() {
  const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
  const store = new HeldStore(root);
  server = await startLocalS3({ store, buckets: ["b"] });
  const uploadId = await createUpload("k");
  const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.alloc(5 * MiB, "1"));
  const two = await call("PUT", `/b/k?partNumber=2&uploadId=${uploadId}`, Buffer.from("two"));
  const body = completion([[1, one.etag!], [2, two.etag!]]);
  const completing = call("POST", `/b/k?uploadId=${uploadId}`, body);
  await store.reading;
  return { root, store, uploadId, one, body, completing };
}

/** A signed PUT whose first bytes are sent and the rest left to the test: the request and its answer. */
async function startPut(path: string, first: Buffer, length: number, headers: Record<string, string> = {}): Promise<{ req: ClientRequest; answer: Promise<{ status: number; text: string; etag?: string }> }> {
  const url = new URL(path, server!.endpoint);
  const req = request(url, { method: "PUT", headers: await signS3("PUT", url, { "content-length": String(length), "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers }) });
  const answer = new Promise<{ status: number; text: string; etag?: string }>((resolve, reject) => {
    req.on("response", (res: IncomingMessage) => {
      void res.toArray().then((parts) => resolve({ status: res.statusCode!, text: Buffer.concat(parts).toString(), etag: res.headers.etag }));
    });
    req.on("error", reject);
  });
  req.write(first);
  return { req, answer };
}

describe("local S3: UploadPart streams each part to the store", () => {
  it("writes a part as it arrives (never held whole), and completes by streaming the parts into the object with S3's ETags", async () => {
    const { root, store } = await startWatched();
    const uploadId = await createUpload("big");
    const first = Buffer.alloc(5 * MiB, "a");
    const last = Buffer.from("the last part may be small");
    const { req, answer } = await startPut(`/b/big?partNumber=1&uploadId=${uploadId}`, first.subarray(0, MiB), first.length);
    await store.firstBytes;
    // The part is on disk, in its upload's folder, while the client has not sent the rest.
    expect(store.received).toBeGreaterThan(0);
    expect(store.received).toBeLessThanOrEqual(MiB);
    expect(uploadFiles(root).some((name) => name.endsWith(".tmp"))).toBe(true);
    req.end(first.subarray(MiB));
    const one = await answer;
    expect([one.status, one.etag]).toEqual([200, `"${md5(first).toString("hex")}"`]);
    const two = await call("PUT", `/b/big?partNumber=2&uploadId=${uploadId}`, last);
    expect([two.status, two.etag]).toEqual([200, `"${md5(last).toString("hex")}"`]);
    expect(uploadFiles(root).sort()).toEqual(["1.part", "2.part"]);

    store.reset();
    const done = await call("POST", `/b/big?uploadId=${uploadId}`, completion([[1, one.etag!], [2, two.etag!]]));
    // "<MD5 of the parts' binary MD5s>-<parts>", as S3 (and every SDK that checks it) computes a multipart ETag.
    const etag = `"${md5(Buffer.concat([md5(first), md5(last)])).toString("hex")}-2"`;
    expect([done.status, /<ETag>([^<]+)</.exec(done.text)?.[1]]).toEqual([200, etag.replace(/"/g, "&quot;")]);
    // Streamed into the object a piece at a time, not concatenated in memory first.
    expect(store.received).toBe(first.length + last.length);
    expect(store.largestChunk).toBeLessThan(first.length);
    const object = store.get("b", "big")!;
    expect([object.etag, object.body.equals(Buffer.concat([first, last]))]).toEqual([etag, true]);
    expect(uploadFolders(root)).toEqual([]);
    // Completed: the upload is gone.
    expect((await call("PUT", `/b/big?partNumber=3&uploadId=${uploadId}`, last)).code).toBe("NoSuchUpload");
  });

  it("removes an upload's part files on abort, and at start the folders of the layout that kept uploads in memory", async () => {
    const { root, store } = await startWatched();
    // Aborted while a part is still arriving: the part is answered NoSuchUpload and nothing of it stays.
    const racing = await createUpload("k");
    const { req, answer } = await startPut(`/b/k?partNumber=1&uploadId=${racing}`, Buffer.alloc(MiB, "r"), 2 * MiB);
    await store.firstBytes;
    expect((await call("DELETE", `/b/k?uploadId=${racing}`)).status).toBe(204);
    req.end(Buffer.alloc(MiB, "r"));
    const late = await answer;
    expect([late.status, /<Code>(\w+)</.exec(late.text)?.[1]]).toEqual([404, "NoSuchUpload"]);
    expect(uploadFolders(root)).toEqual([]);

    const aborted = await createUpload("k");
    expect((await call("PUT", `/b/k?partNumber=1&uploadId=${aborted}`, Buffer.from("part"))).status).toBe(200);
    expect(uploadFolders(root).sort()).toEqual([aborted, `${aborted}.json`]);
    expect(uploadFiles(root)).toEqual(["1.part"]);
    expect((await call("DELETE", `/b/k?uploadId=${aborted}`)).status).toBe(204);
    expect(uploadFolders(root)).toEqual([]);
    expect((await call("DELETE", `/b/k?uploadId=${aborted}`)).code).toBe("NoSuchUpload");

    // The layout before uploads were kept: `<pid>.<uploadId>` folders, whose uploads ended with their server. The next
    // store removes them, not a running process's; one of this process's id was an earlier process's (a container's
    // processes start in the same order each time). 2147483646 is no process id Linux or macOS hands out (pid_max is at
    // most 2^22). A folder no record names (an abort stopped between its two removals) goes too.
    const kept = await createUpload("k");
    expect((await call("PUT", `/b/k?partNumber=1&uploadId=${kept}`, Buffer.from("part"))).status).toBe(200);
    const running = process.ppid;
    for (const folder of ["2147483646.dead-upload", `${process.pid}.upload-of-an-earlier-process-with-this-id`, `${running}.a-running-process-upload`, "no-record"]) {
      mkdirSync(join(root, ".uploads", folder), { recursive: true });
      writeFileSync(join(root, ".uploads", folder, "1.part"), "part");
    }
    new FileObjectStore(root);
    expect(uploadFolders(root).sort()).toEqual([`${running}.a-running-process-upload`, kept, `${kept}.json`].sort());
  });

  it("keeps an upload in progress across a restart: ListParts, UploadPart, CompleteMultipartUpload and AbortMultipartUpload answer it after (was NoSuchUpload)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    const uploadId = await createUpload("k");
    const aborted = await createUpload("other");
    const first = Buffer.alloc(5 * MiB, "1");
    const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, first);
    await server.close();
    // A new store on the folder, as `npm start` makes after a restart.
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    const listed = await call("GET", `/b/k?uploadId=${uploadId}`);
    expect(listed.status).toBe(200);
    expect([...listed.text.matchAll(/<PartNumber>(\d+)<\/PartNumber><LastModified>[^<]+<\/LastModified><ETag>([^<]+)<\/ETag><Size>(\d+)</g)].map((m) => m.slice(1))).toEqual([["1", escapeXml(one.etag!), String(first.length)]]);
    const two = await call("PUT", `/b/k?partNumber=2&uploadId=${uploadId}`, Buffer.from("two"), { "content-type": "text/plain" });
    expect(two.status).toBe(200);
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, one.etag!], [2, two.etag!]]))).status).toBe(200);
    const object = server.store.get("b", "k")!;
    expect(object.body.equals(Buffer.concat([first, Buffer.from("two")]))).toBe(true);
    expect(object.partSizes).toEqual([first.length, 3]);
    expect((await call("DELETE", `/b/other?uploadId=${aborted}`)).status).toBe(204);
    expect(uploadFolders(root)).toEqual([]);
  });

  it("leaves an upload's abandoned part writes to its first use, not its start (a start does not list every upload's folder), and then removes them", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    const uploadId = await createUpload("k");
    const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("one"));
    await server.close();
    // A part write a stopped process left (2147483646 is no process id Linux or macOS hands out), and one of a running process.
    const folder = join(root, ".uploads", uploadId);
    const abandoned = "2.part.2147483646.0a1b2c3d.tmp";
    const running = `2.part.${process.ppid}.0a1b2c3d.tmp`;
    for (const name of [abandoned, running]) writeFileSync(join(folder, name), "half");
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    expect(readdirSync(folder).sort()).toEqual(["1.part", abandoned, running].sort());
    const listed = await call("GET", `/b/k?uploadId=${uploadId}`);
    expect([...listed.text.matchAll(/<ETag>([^<]+)</g)].map(([, etag]) => etag)).toEqual([escapeXml(one.etag!)]);
    expect(readdirSync(folder).sort()).toEqual(["1.part", running].sort());
  });

  it("lists the uploads in progress (ListMultipartUploads), those kept across a restart too, in key order, paged and rolled up as S3 pages them (was 501)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b", "other"] });
    const ids: Record<string, string> = {};
    for (const key of ["photos/b.jpg", "photos/a.jpg", "notes.txt", "photos/2024/c.jpg"]) ids[key] = await createUpload(key);
    const elsewhere = await call("POST", "/other/photos/x.jpg?uploads");
    expect(elsewhere.status).toBe(200);
    await server.close();
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b", "other"] });
    const s3 = localS3Client(server.endpoint);
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: "b" }));
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual(["notes.txt", "photos/2024/c.jpg", "photos/a.jpg", "photos/b.jpg"].map((key) => [key, ids[key]]));
    expect(listed.Uploads?.every((u) => u.Initiated instanceof Date)).toBe(true);
    const rolled = await s3.send(new ListMultipartUploadsCommand({ Bucket: "b", Prefix: "photos/", Delimiter: "/" }));
    expect([rolled.Uploads?.map((u) => u.Key), rolled.CommonPrefixes?.map((p) => p.Prefix)]).toEqual([["photos/a.jpg", "photos/b.jpg"], ["photos/2024/"]]);
    const first = await s3.send(new ListMultipartUploadsCommand({ Bucket: "b", MaxUploads: 2 }));
    expect([first.Uploads?.map((u) => u.Key), first.IsTruncated, first.NextKeyMarker, first.NextUploadIdMarker]).toEqual([["notes.txt", "photos/2024/c.jpg"], true, "photos/2024/c.jpg", ids["photos/2024/c.jpg"]]);
    const second = await s3.send(new ListMultipartUploadsCommand({ Bucket: "b", MaxUploads: 2, KeyMarker: first.NextKeyMarker, UploadIdMarker: first.NextUploadIdMarker }));
    expect([second.Uploads?.map((u) => u.Key), second.IsTruncated]).toEqual([["photos/a.jpg", "photos/b.jpg"], false]);
    // Aborted and completed uploads are no longer listed.
    expect((await call("DELETE", `/b/notes.txt?uploadId=${ids["notes.txt"]}`)).status).toBe(204);
    const part = await call("PUT", `/b/photos/a.jpg?partNumber=1&uploadId=${ids["photos/a.jpg"]}`, Buffer.from("a"));
    expect((await call("POST", `/b/photos/a.jpg?uploadId=${ids["photos/a.jpg"]}`, completion([[1, part.etag!]]))).status).toBe(200);
    const left = await s3.send(new ListMultipartUploadsCommand({ Bucket: "b" }));
    expect(left.Uploads?.map((u) => u.Key)).toEqual(["photos/2024/c.jpg", "photos/b.jpg"]);
  });

  it("pages through one key's uploads one at a time, each listed once, in the order they began (NextUploadIdMarker is the last listed)", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const s3 = localS3Client(server.endpoint);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await createUpload("same"));
    const paged: string[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let page = 0; page < 10; page++) {
      const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: "b", MaxUploads: 1, ...markers }));
      paged.push(...(listed.Uploads ?? []).map((u) => u.UploadId!));
      if (!listed.IsTruncated) break;
      markers = { KeyMarker: listed.NextKeyMarker, UploadIdMarker: listed.NextUploadIdMarker };
    }
    // S3 lists a key's uploads "in ascending order … by the upload initiation time" and continues after
    // upload-id-marker with "upload IDs lexicographically greater" (API_ListMultipartUploads.html): both orders agree.
    expect(paged).toEqual(ids);
  });

  it("answers ListMultipartUploads' elements in the order of S3's model (Bucket, KeyMarker, UploadIdMarker, NextKeyMarker, Prefix, Delimiter, NextUploadIdMarker, MaxUploads, IsTruncated, Upload, CommonPrefixes)", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    await createUpload("a/1");
    await createUpload("b");
    await createUpload("c");
    const listed = await call("GET", "/b?uploads&delimiter=%2F&max-uploads=2");
    const names = [...listed.text.replace(/<(Upload|CommonPrefixes)>.*?<\/\1>/g, "<$1/>").matchAll(/<(\w+)(?:\/)?>/g)].map(([, name]) => name);
    expect(names).toEqual(["Bucket", "KeyMarker", "UploadIdMarker", "NextKeyMarker", "Prefix", "Delimiter", "NextUploadIdMarker", "MaxUploads", "IsTruncated", "Upload", "CommonPrefixes"]);
  });

  it("ignores upload-id-marker without key-marker, its answer's UploadIdMarker empty (S3: \"If key-marker is not specified, the upload-id-marker parameter is ignored\")", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const id = await createUpload("k");
    const ignored = await call("GET", `/b?uploads&upload-id-marker=${id}`);
    expect(ignored.text).toContain("<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>");
    expect(ignored.text).toContain(`<UploadId>${id}</UploadId>`);
    // With key-marker it is echoed and used: k's only upload is not after itself.
    const used = await call("GET", `/b?uploads&key-marker=k&upload-id-marker=${id}`);
    expect(used.text).toContain(`<KeyMarker>k</KeyMarker><UploadIdMarker>${id}</UploadIdMarker>`);
    expect(used.text).not.toContain("<Upload>");
  });

  it("refuses ListMultipartUploads without s3:ListBucketMultipartUploads on the bucket (AccessDenied, naming the action and bucket)", async () => {
    const asked: Array<{ action: string; resource: string }> = [];
    server = await startLocalS3({
      buckets: ["b"],
      authorise: (_accessKeyId, action, resource) => {
        asked.push({ action, resource });
        return action === "s3:ListBucketMultipartUploads" ? { caller: "arn:aws:sts::123456789012:assumed-role/r/f", reason: "because no identity-based policy allows the s3:ListBucketMultipartUploads action" } : undefined;
      },
    });
    await createUpload("k");
    const refused = await call("GET", "/b?uploads");
    expect([refused.status, refused.code]).toEqual([403, "AccessDenied"]);
    expect(refused.text).toContain("s3:ListBucketMultipartUploads");
    expect(refused.text).not.toContain("<UploadId>");
    expect(asked.at(-1)).toEqual({ action: "s3:ListBucketMultipartUploads", resource: "arn:aws:s3:::b" });
  });

  it("keeps an upload's metadata across a restart, and starts past a record or part a power cut left torn (reported when the upload is first used or listed, passed over)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    const created = await call("POST", "/b/k?uploads", Buffer.alloc(0), { "content-type": "image/png", "cache-control": "max-age=60", "x-amz-meta-album": "summer" });
    const uploadId = /<UploadId>([^<]+)</.exec(created.text)![1];
    const torn = await createUpload("torn");
    const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.alloc(5 * MiB, "1"));
    const two = await call("PUT", `/b/k?partNumber=2&uploadId=${uploadId}`, Buffer.from("two"));
    await server.close();
    // A record cut short, and a part file holding fewer bytes than its line records.
    writeFileSync(join(root, ".uploads", `${torn}.json`), '{"bucket":"b","ke');
    const part2 = join(root, ".uploads", uploadId, "2.part");
    writeFileSync(part2, readFileSync(part2).subarray(0, -1));
    const logged: string[] = [];
    server = await startLocalS3({ store: new FileObjectStore(root, { log: (message) => logged.push(message) }), buckets: ["b"] });
    // Start reads no record and no part (10,000 uploads' records took ~0.45 s to read; an upload may have 10,000 parts):
    // the first listing reads the records, each once.
    expect(logged).toEqual([]);
    const listing = (await call("GET", "/b?uploads")).text;
    expect([...listing.matchAll(/<UploadId>([^<]+)</g)].map(([, id]) => id)).toEqual([uploadId]);
    expect(logged).toEqual([`local S3: .uploads/${torn}.json is not JSON (cut short?), so multipart upload ${torn} is not resumed (NoSuchUpload); its files are left as they are`]);
    expect((await call("GET", "/b?uploads")).text).toBe(listing);
    expect(logged).toHaveLength(1);
    expect((await call("GET", `/b/torn?uploadId=${torn}`)).code).toBe("NoSuchUpload");
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, one.etag!], [2, two.etag!]]))).code).toBe("InvalidPart");
    expect(logged.slice(1)).toEqual([`local S3: .uploads/${uploadId}/2.part holds 2 of its 3 bytes, so part 2 of multipart upload ${uploadId} is left out (not listed; upload it again)`]);
    const again = await call("PUT", `/b/k?partNumber=2&uploadId=${uploadId}`, Buffer.from("two"));
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, one.etag!], [2, again.etag!]]))).status).toBe(200);
    const object = server.store.head("b", "k")!;
    expect([object.contentType, object.cacheControl, object.metadata]).toEqual(["image/png", "max-age=60", { album: "summer" }]);
  });

  it("reads a kept upload's record when the upload is first used, not at start: a torn one is reported then, alone, and answers NoSuchUpload", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    const used = await createUpload("used");
    const torn = await createUpload("torn");
    await server.close();
    writeFileSync(join(root, ".uploads", `${torn}.json`), '{"bucket":"b","ke');
    const logged: string[] = [];
    server = await startLocalS3({ store: new FileObjectStore(root, { log: (message) => logged.push(message) }), buckets: ["b"] });
    expect((await call("PUT", `/b/used?partNumber=1&uploadId=${used}`, Buffer.from("one"))).status).toBe(200);
    expect(logged).toEqual([]);
    expect((await call("PUT", `/b/torn?partNumber=1&uploadId=${torn}`, Buffer.from("one"))).code).toBe("NoSuchUpload");
    expect(logged).toHaveLength(1);
    expect((await call("GET", `/b/torn?uploadId=${torn}`)).code).toBe("NoSuchUpload");
    expect(logged).toHaveLength(1);
  });

  it("keeps, of two UploadParts of one part number at once, the one that ends last: its bytes and its ETag", async () => {
    const { root, store } = await startWatched();
    const uploadId = await createUpload("k");
    const first = Buffer.alloc(2 * MiB, "f");
    const { req, answer } = await startPut(`/b/k?partNumber=1&uploadId=${uploadId}`, first.subarray(0, MiB), first.length);
    await store.firstBytes;
    const second = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("second, ends first"));
    req.end(first.subarray(MiB));
    const last = await answer;
    expect(last.status).toBe(200);
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, second.etag!]]))).code).toBe("InvalidPart");
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, last.etag!]]))).status).toBe(200);
    expect(store.get("b", "k")?.body.equals(first)).toBe(true);
  });

  it("answers a completion whose upload is aborted while its parts are read NoSuchUpload, and stores nothing (was 500)", async () => {
    // The completion's object write waits at its first bytes until the test has aborted the upload.
    const { root, store, uploadId, completing } = await startHeldCompletion();
    expect((await call("DELETE", `/b/k?uploadId=${uploadId}`)).status).toBe(204);
    store.release();
    const done = await completing;
    expect([done.status, done.code]).toEqual([404, "NoSuchUpload"]);
    expect(store.head("b", "k")).toBeUndefined();
    expect(uploadFolders(root)).toEqual([]);
  });

  it("answers a completion whose listed part is uploaded again while the parts are read 400 InvalidPart, and stores nothing (was 200: bytes that were not the ETag's)", async () => {
    // The completion's object write waits at its first bytes (part 1's) until the test has uploaded part 2 again.
    const { store, uploadId, one, completing } = await startHeldCompletion();
    const again = await call("PUT", `/b/k?partNumber=2&uploadId=${uploadId}`, Buffer.from("second two"));
    expect(again.status).toBe(200);
    store.release();
    const done = await completing;
    expect([done.status, done.code]).toEqual([400, "InvalidPart"]);
    expect(store.head("b", "k")).toBeUndefined();
    // The upload is left as it was, its part 2 the newer one: a completion naming that one stores its bytes.
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, one.etag!], [2, again.etag!]]))).status).toBe(200);
    expect(store.get("b", "k")?.body.subarray(5 * MiB).toString()).toBe("second two");
  });

  it("answers a retry sent while the first completion is still being written 200 as the first, once that is written, writing nothing again (was 404 NoSuchUpload, and its completion file replaced the first's)", async () => {
    const { root, store, uploadId, body, completing } = await startHeldCompletion();
    // The retry is let in (its body read and checked) while the first is held at its object's first bytes.
    let arrived!: () => void;
    const retryIn = new Promise<void>((resolve) => (arrived = resolve));
    server!.fail((request) => {
      if (request.operation === "CompleteMultipartUpload") arrived();
      return false;
    });
    const retry = call("POST", `/b/k?uploadId=${uploadId}`, body);
    await retryIn;
    // The completion file still names the first's object, which a crash after it is stored leaves to the next start.
    const named = JSON.parse(readFileSync(join(root, ".uploads", `${uploadId}.completing.json`), "utf8")).lastModified;
    store.release();
    const [first, again] = await Promise.all([completing, retry]);
    expect([first.status, again.status, again.text]).toEqual([200, 200, first.text]);
    const written = store.head("b", "k")!;
    expect(written.lastModified.toISOString()).toBe(named);
    expect(written.etag).toBe(/<ETag>([^<]+)</.exec(first.text)![1].replace(/&quot;/g, '"'));
    expect(uploadFolders(root)).toEqual([]);
    expect(server!.count("CompleteMultipartUpload")).toBe(2);
  });

  it("refuses part numbers outside 1-10,000, and completions S3 refuses: no parts, out of order, a wrong ETag, a part but the last under 5 MiB", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const uploadId = await createUpload("k");
    for (const partNumber of ["0", "10001", "x", ""]) {
      expect((await call("PUT", `/b/k?partNumber=${partNumber}&uploadId=${uploadId}`, Buffer.from("p"))).code, partNumber).toBe("InvalidArgument");
    }
    // An upload id is looked up, never made a path: one that climbs out of the uploads folder is just unknown.
    for (const id of ["../../x", encodeURIComponent(`../${uploadId}`), `${uploadId}/..`]) {
      expect((await call("PUT", `/b/k?partNumber=1&uploadId=${id}`, Buffer.from("p"))).code, id).toBe("NoSuchUpload");
      expect((await call("DELETE", `/b/k?uploadId=${id}`)).code, id).toBe("NoSuchUpload");
    }
    const small = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("small"));
    const big = await call("PUT", `/b/k?partNumber=2&uploadId=${uploadId}`, Buffer.alloc(5 * MiB, "b"));
    const tail = await call("PUT", `/b/k?partNumber=3&uploadId=${uploadId}`, Buffer.from("tail"));
    const complete = (parts: Array<[number, string]>) => call("POST", `/b/k?uploadId=${uploadId}`, completion(parts));
    expect((await complete([])).code).toBe("MalformedXML");
    expect((await complete([[3, tail.etag!], [2, big.etag!]])).code).toBe("InvalidPartOrder");
    expect((await complete([[2, big.etag!], [3, small.etag!]])).code).toBe("InvalidPart");
    expect((await complete([[2, big.etag!], [4, tail.etag!]])).code).toBe("InvalidPart");
    expect((await complete([[1, small.etag!], [2, big.etag!]])).code).toBe("EntityTooSmall");
    // A failed completion leaves the upload as it was: the same parts complete it (the ETag listed with or without quotes).
    const done = await complete([[2, big.etag!.replace(/"/g, "")], [3, tail.etag!]]);
    expect(done.status).toBe(200);
    expect(server.store.get("b", "k")?.body.length).toBe(5 * MiB + 4);
  });
});

describe("local S3: an upload refused on its headers is answered before its body is read", () => {
  const refuseAll = () => ({ caller: "arn:aws:sts::123456789012:assumed-role/r/f", reason: "because no identity-based policy allows the s3:PutObject action" });

  it("answers PutObject and UploadPart AccessDenied or NoSuchBucket without a byte of the body reaching the store", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    // The file store has every bucket; this one has only `b`, as S3 would.
    const store = new (class extends WatchedStore {
      override hasBucket(bucket: string): boolean {
        return bucket === "b";
      }
    })(root);
    let refusing = false;
    server = await startLocalS3({ store, buckets: ["b"], authorise: () => (refusing ? refuseAll() : undefined) });
    const uploadId = await createUpload("k");
    refusing = true;
    expect((await call("PUT", "/b/k", Buffer.from("body"))).code).toBe("AccessDenied");
    expect((await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("body"))).code).toBe("AccessDenied");
    refusing = false;
    expect((await call("PUT", "/nope/k", Buffer.from("body"))).code).toBe("NoSuchBucket");
    expect((await call("PUT", `/nope/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("body"))).code).toBe("NoSuchBucket");
    expect(store.received).toBe(0);
    expect((await call("PUT", `/b/other?partNumber=1&uploadId=${uploadId}`, Buffer.from("body"))).code).toBe("NoSuchUpload");
    expect(store.received).toBe(0);
    expect([existsSync(join(root, ".objects", "b")) ? readdirSync(join(root, ".objects", "b")) : [], uploadFiles(root)]).toEqual([[], []]);

    // A body that never ends (aws-chunked, one chunk larger than is ever sent) is answered while it is still arriving.
    refusing = true;
    const endless = async (path: string) => {
      const url = new URL(path, server!.endpoint);
      const size = 4 * 1024 ** 3;
      const headers = await signS3("PUT", url, { "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(size), "transfer-encoding": "chunked" });
      const { status, text, answered } = await sendEndless(url, "PUT", headers, 16 * MiB, { opening: `${size.toString(16)}\r\n` });
      return [answered, status, /<Code>(\w+)</.exec(text)?.[1]];
    };
    expect(await endless("/b/k")).toEqual([true, 403, "AccessDenied"]);
    expect(await endless(`/b/k?partNumber=1&uploadId=${uploadId}`)).toEqual([true, 403, "AccessDenied"]);
    refusing = false;
    expect(await endless("/nope/k")).toEqual([true, 404, "NoSuchBucket"]);
    expect(store.received).toBe(0);
  });
});

describe("local S3: S3's 8 KB limit on a request's headers", () => {
  /** A PUT with one more header of `size` bytes, its answer as a client sees it (raw: whatever answers, Node or the server). */
  async function putWith(name: string, size: number): Promise<{ status: number; code?: string; max?: string }> {
    const url = new URL("/b/k", server!.endpoint);
    const headers = await signS3("PUT", url, { "x-amz-content-sha256": sha256(Buffer.from("body")), "content-length": "4" });
    return new Promise((resolve, reject) => {
      const req = request(url, { method: "PUT", headers: { ...headers, [name]: "h".repeat(size) } });
      req.on("response", (res: IncomingMessage) => {
        void res.toArray().then((parts) => {
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode!, code: /<Code>(\w+)</.exec(text)?.[1], max: /<MaxSizeAllowed>(\d+)</.exec(text)?.[1] });
        });
      });
      req.on("error", reject);
      req.end("body");
    });
  }

  it("answers 400 RequestHeaderSectionTooLarge (MaxSizeAllowed 8192) past 8 KB, and past Node's own 16 KiB too; not for cookies", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    expect(await putWith("x-extra", 7000)).toEqual({ status: 200, code: undefined, max: undefined });
    expect(await putWith("x-extra", 9000)).toEqual({ status: 400, code: "RequestHeaderSectionTooLarge", max: "8192" });
    // Past Node's default limit (--max-http-header-size, 16 KiB), and past the server's own raised one.
    expect(await putWith("x-extra", 20_000)).toEqual({ status: 400, code: "RequestHeaderSectionTooLarge", max: "8192" });
    expect(await putWith("x-extra", 100_000)).toEqual({ status: 400, code: "RequestHeaderSectionTooLarge", max: "8192" });
    // A browser's cookies for the app's other local servers (same host, other port) are not S3's to count.
    expect(await putWith("cookie", 9000)).toEqual({ status: 200, code: undefined, max: undefined });
    expect(server.store.get("b", "k")?.body.toString()).toBe("body");
  });

  it("answers a request past Node's limit that goes on sending its body, instead of resetting the connection", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const { port } = new URL(server.endpoint);
    // Raw: the answer as it reaches the socket, and how the connection ended (an http client would stop at the reset).
    const answer = await new Promise<{ text: string; reset: boolean }>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1");
      let text = "";
      let reset = false;
      socket.on("data", (bytes) => (text += bytes));
      socket.on("error", (error: NodeJS.ErrnoException) => (reset ||= error.code === "ECONNRESET"));
      socket.on("close", () => resolve({ text, reset }));
      socket.write(`PUT /b/k HTTP/1.1\r\nhost: x\r\ncontent-length: ${4 * MiB}\r\nx-extra: ${"h".repeat(100_000)}\r\n\r\n`);
      // The body goes on arriving after the head was refused: each piece of it the parser, in its error state, reported.
      let sent = 0;
      const more = () => {
        if (sent >= 4 * MiB || !socket.writable) return;
        sent += 64 * 1024;
        socket.write(Buffer.alloc(64 * 1024, 1), () => setImmediate(more));
      };
      more();
    });
    expect([answer.reset, /<Code>(\w+)</.exec(answer.text)?.[1]]).toEqual([false, "RequestHeaderSectionTooLarge"]);
  });
});

describe("local S3: ListParts, and the copies it does not serve", () => {
  it("lists an upload's parts a page at a time (ListParts), not the object under its key (was answered as GetObject)", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    await call("PUT", "/b/k", Buffer.from("an object already under the upload's key"));
    const uploadId = await createUpload("k");
    const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("one"));
    await call("PUT", `/b/k?partNumber=3&uploadId=${uploadId}`, Buffer.from("first three"));
    // Part 3 again: the later part replaces the earlier one, and is the one listed.
    const three = await call("PUT", `/b/k?partNumber=3&uploadId=${uploadId}`, Buffer.from("three"));
    const client = localS3Client(server.endpoint);
    const all = await client.send(new ListPartsCommand({ Bucket: "b", Key: "k", UploadId: uploadId }));
    expect(all.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size, p.LastModified instanceof Date])).toEqual([
      [1, one.etag, 3, true],
      [3, three.etag, 5, true],
    ]);
    expect([all.UploadId, all.Key, all.IsTruncated]).toEqual([uploadId, "k", false]);
    const first = await client.send(new ListPartsCommand({ Bucket: "b", Key: "k", UploadId: uploadId, MaxParts: 1 }));
    expect([first.Parts?.map((p) => p.PartNumber), first.IsTruncated, first.NextPartNumberMarker]).toEqual([[1], true, "1"]);
    const next = await client.send(new ListPartsCommand({ Bucket: "b", Key: "k", UploadId: uploadId, PartNumberMarker: first.NextPartNumberMarker }));
    expect([next.Parts?.map((p) => p.PartNumber), next.IsTruncated]).toEqual([[3], false]);
    await expect(client.send(new ListPartsCommand({ Bucket: "b", Key: "k", UploadId: "no-such-upload" }))).rejects.toMatchObject({
      name: "NoSuchUpload",
      // S3's wording, as AbortMultipartUpload's answer is quoted in OpenMined/courses#442.
      message: "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    });
  });

  it("takes a part PUT to a presigned UploadPart URL (a browser's upload), and completes with it", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    // Without flexible checksums: by default the SDK presigns the CRC32 of an empty body, which S3 then refuses (BadDigest).
    const client = localS3Client(server.endpoint, { requestChecksumCalculation: "WHEN_REQUIRED" });
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: "k" }));
    const url = await getSignedUrl(client, new UploadPartCommand({ Bucket: "b", Key: "k", UploadId, PartNumber: 1 }), { expiresIn: 60 });
    const part = await fetch(url, { method: "PUT", body: "a part from a browser" });
    expect(part.status).toBe(200);
    await client.send(new CompleteMultipartUploadCommand({ Bucket: "b", Key: "k", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.headers.get("etag")! }] } }));
    expect(server.store.get("b", "k")?.body.toString()).toBe("a part from a browser");
  });
});

describe("local S3 polish: ListParts' and the listings' integer parameters, a completion's part numbers, GetObject ?partNumber", () => {
  it("answers ListParts max-parts=0 with an empty page that is not truncated (a paginator looped forever on it)", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const uploadId = await createUpload("k");
    await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("one"));
    const zero = await call("GET", `/b/k?uploadId=${uploadId}&max-parts=0&part-number-marker=0`);
    expect(zero.status).toBe(200);
    expect(zero.text).not.toContain("<Part>");
    expect(zero.text).toContain("<IsTruncated>false</IsTruncated>");
    expect(zero.text).toContain("<MaxParts>0</MaxParts>");
  });

  it("answers an empty ListParts page NextPartNumberMarker 0, as S3 does, not the marker sent", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const uploadId = await createUpload("k");
    await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("one"));
    const last = await call("GET", `/b/k?uploadId=${uploadId}`);
    expect([/<NextPartNumberMarker>(\d+)</.exec(last.text)?.[1], last.text.includes("<IsTruncated>false</IsTruncated>")]).toEqual(["1", true]);
    for (const query of ["part-number-marker=1", "part-number-marker=7", "max-parts=0&part-number-marker=5"]) {
      const empty = await call("GET", `/b/k?uploadId=${uploadId}&${query}`);
      expect([query, /<NextPartNumberMarker>(\d+)</.exec(empty.text)?.[1], empty.text.includes("<IsTruncated>false</IsTruncated>")]).toEqual([query, "0", true]);
    }
  });

  it("reads max-parts, part-number-marker and max-keys with one parser: 0 to 2147483647, larger lists capped at 1,000", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const uploadId = await createUpload("k");
    await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("one"));
    // Ten digits within S3's integer range: capped, as max-keys is (was 400 past nine digits).
    const big = await call("GET", `/b/k?uploadId=${uploadId}&max-parts=2147483647`);
    expect([big.status, /<MaxParts>(\d+)</.exec(big.text)?.[1]]).toEqual([200, "1000"]);
    const marker = await call("GET", `/b/k?uploadId=${uploadId}&part-number-marker=2147483647`);
    expect([marker.status, marker.text.includes("<Part>")]).toEqual([200, false]);
    for (const [path, name] of [
      [`/b/k?uploadId=${uploadId}&max-parts=`, "max-parts"],
      [`/b/k?uploadId=${uploadId}&max-parts=2147483648`, "max-parts"],
      [`/b/k?uploadId=${uploadId}&part-number-marker=1.5`, "part-number-marker"],
      ["/b?list-type=2&max-keys=2147483648", "max-keys"],
      ["/b?max-keys=99999999999999999999", "max-keys"],
    ]) {
      const refused = await call("GET", path);
      expect([path, refused.status, refused.code, refused.text.includes(`Provided ${name} not an integer or within integer range`)]).toEqual([path, 400, "InvalidArgument", true]);
    }
    for (const [path, name] of [
      [`/b/k?uploadId=${uploadId}&max-parts=-1`, "max-parts"],
      ["/b?list-type=2&max-keys=-1", "max-keys"],
    ]) {
      const refused = await call("GET", path);
      expect([path, refused.status, refused.code, refused.text.includes(`Argument ${name} must be an integer between 0 and 2147483647`)]).toEqual([path, 400, "InvalidArgument", true]);
    }
    const keys = await call("GET", "/b?list-type=2&max-keys=2147483647");
    expect([keys.status, /<MaxKeys>(\d+)</.exec(keys.text)?.[1]]).toEqual([200, "1000"]);
  });

  it("refuses a completion body that is not a well-formed <CompleteMultipartUpload> (unclosed, another root element, a stray close tag) as MalformedXML, and completes the upload after", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const uploadId = await createUpload("k");
    const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("one"));
    const part = `<Part><PartNumber>1</PartNumber><ETag>${one.etag}</ETag></Part>`;
    // S3: "The XML you provided was not well-formed or did not validate against our published schema" (ErrorResponses.html).
    for (const body of [`<CompleteMultipartUpload>${part}`, `<CompleteMultipartUploadX>${part}</CompleteMultipartUploadX>`, `<Delete>${part}</Delete>`, `<CompleteMultipartUpload>${part}</Part></CompleteMultipartUpload>`]) {
      const refused = await call("POST", `/b/k?uploadId=${uploadId}`, Buffer.from(body));
      expect([body, refused.status, refused.code]).toEqual([body, 400, "MalformedXML"]);
    }
    // As the SDK writes it: a declaration and S3's namespace.
    const done = await call("POST", `/b/k?uploadId=${uploadId}`, Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${part}</CompleteMultipartUpload>`));
    expect(done.status).toBe(200);
  });

  it("refuses a completion whose PartNumber is not an integer (1.0, 1e0, +1, empty) as MalformedXML, not part 1", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const uploadId = await createUpload("k");
    const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, Buffer.from("one"));
    for (const number of ["1.0", "1e0", "+1", "0x1", "", "2147483648"]) {
      const body = Buffer.from(`<CompleteMultipartUpload><Part><PartNumber>${number}</PartNumber><ETag>${one.etag}</ETag></Part></CompleteMultipartUpload>`);
      const refused = await call("POST", `/b/k?uploadId=${uploadId}`, body);
      expect([number, refused.status, refused.code]).toEqual([number, 400, "MalformedXML"]);
    }
    // XML Schema's int collapses whitespace (a value's surrounding spaces are not part of it): " 1 " is 1.
    const done = await call("POST", `/b/k?uploadId=${uploadId}`, Buffer.from(`<CompleteMultipartUpload><Part><PartNumber> 1 </PartNumber><ETag>${one.etag}</ETag></Part></CompleteMultipartUpload>`));
    expect(done.status).toBe(200);
  });

  it.each(["memory", "file"])("serves GetObject and HeadObject ?partNumber=N as that part of a multipart object (%s store)", async (kind) => {
    const store = kind === "file" ? new FileObjectStore(mkdtempSync(join(tmpdir(), "s3-part-number-"))) : undefined;
    server = await startLocalS3({ buckets: ["b"], store });
    const uploadId = await createUpload("k");
    const first = Buffer.alloc(5 * MiB, "a");
    const one = await call("PUT", `/b/k?partNumber=1&uploadId=${uploadId}`, first);
    const two = await call("PUT", `/b/k?partNumber=2&uploadId=${uploadId}`, Buffer.from("tail"));
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, one.etag!], [2, two.etag!]]))).status).toBe(200);
    const size = first.length + 4;

    const url = new URL("/b/k?partNumber=2", server.endpoint);
    const { host: _host, ...signed } = await signS3("GET", url, { "x-amz-content-sha256": sha256(Buffer.alloc(0)) });
    const part = await fetch(url, { headers: signed });
    expect([part.status, part.headers.get("content-range"), part.headers.get("content-length"), part.headers.get("x-amz-mp-parts-count"), await part.text()]).toEqual([
      206,
      `bytes ${first.length}-${size - 1}/${size}`,
      "4",
      "2",
      "tail",
    ]);
    const client = localS3Client(server.endpoint);
    const head = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "k", PartNumber: 1 }));
    expect([head.ContentLength, head.ContentRange, head.PartsCount]).toEqual([first.length, `bytes 0-${first.length - 1}/${size}`, 2]);
    const whole = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }));
    expect([whole.ContentLength, whole.PartsCount]).toEqual([size, undefined]);
    const past = await call("GET", "/b/k?partNumber=3");
    expect([past.status, past.code]).toEqual([416, "InvalidPartNumber"]);
    expect((await call("GET", "/b/k?partNumber=0")).code).toBe("InvalidArgument");
  });

  it("serves ?partNumber=1 of an object not uploaded in parts as the whole object, and 416 InvalidPartNumber for any other", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    await call("PUT", "/b/plain", Buffer.from("plain object"));
    const client = localS3Client(server.endpoint);
    const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "plain", PartNumber: 1 }));
    expect([await got.Body?.transformToString(), got.ContentRange, got.PartsCount]).toEqual(["plain object", "bytes 0-11/12", undefined]);
    const other = await call("GET", "/b/plain?partNumber=2");
    expect([other.status, other.code]).toEqual([416, "InvalidPartNumber"]);
    const both = await call("GET", "/b/plain?partNumber=1", Buffer.alloc(0), { range: "bytes=0-1" });
    expect([both.status, both.code]).toEqual([400, "InvalidRequest"]);
  });
});

/**
 * A file store that stops a completion right after its object is stored, as a crash there would: nothing after the
 * object's rename runs (its upload's removal fails, and so does the report of that failure, which would mark the
 * completion committed), so the folder is left as a crash leaves it for the next start.
 */
class CrashAfterObjectStore extends FileObjectStore {
  crashes = false;
  constructor(root: string) {
    super(root, {
      log: (message) => {
        throw new Error(`crashed before reporting: ${message}`);
      },
    });
  }
  override removeUpload(uploadId: string): void {
    if (this.crashes) throw new Error("crash after the object was stored");
    super.removeUpload(uploadId);
  }
}

/** A file store whose next object write fails at its rename, after the commit's checks claimed the upload. */
class FailingRenameStore extends FileObjectStore {
  failNext = false;
  override putStream(...[bucket, object, source, beforeCommit]: Parameters<FileObjectStore["putStream"]>): ReturnType<FileObjectStore["putStream"]> {
    if (!this.failNext) return super.putStream(bucket, object, source, beforeCommit);
    this.failNext = false;
    return super.putStream(bucket, object, source, (written) => {
      beforeCommit?.(written);
      throw Object.assign(new Error("EIO: i/o error, rename"), { code: "EIO" });
    });
  }
}

describe("local S3: a completion stopped part-way leaves the last good state, and a retried completion is answered as S3 answers it", () => {
  /** Parts 1 (5 MiB) and 2 of `key` uploaded to a new upload: its id, and the completion body listing them. */
  async function uploadTwoParts(key: string) {
    const uploadId = await createUpload(key);
    const one = await call("PUT", `/b/${key}?partNumber=1&uploadId=${uploadId}`, Buffer.alloc(5 * MiB, "1"));
    const two = await call("PUT", `/b/${key}?partNumber=2&uploadId=${uploadId}`, Buffer.from("two"));
    return { uploadId, body: completion([[1, one.etag!], [2, two.etag!]]), whole: Buffer.concat([Buffer.alloc(5 * MiB, "1"), Buffer.from("two")]) };
  }
  const listedUploads = async () => [...(await call("GET", "/b?uploads")).text.matchAll(/<UploadId>([^<]+)</g)].map(([, id]) => id);

  it("settles a completion a crash stopped after the object was stored: the object whole, the upload not listed, its files gone, a retry answered 200 without writing again (was listed and written again)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    const crashing = new CrashAfterObjectStore(root);
    server = await startLocalS3({ store: crashing, buckets: ["b"] });
    const { uploadId, body, whole } = await uploadTwoParts("k");
    crashing.crashes = true;
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, body)).status).toBe(500);
    await server.close();
    // The folder as the crash left it: the object stored, the upload's record, parts and completion file still there.
    expect(uploadFolders(root).sort()).toEqual([uploadId, `${uploadId}.completing.json`, `${uploadId}.json`].sort());
    const events: string[] = [];
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"], onObjectEvent: (event) => events.push(event.eventName) });
    const stored = server.store.get("b", "k")!;
    expect(stored.body.equals(whole)).toBe(true);
    expect(uploadFolders(root)).toEqual([]);
    expect(await listedUploads()).toEqual([]);
    // Another object put under the key since: a retried completion answers as the first would have, and writes nothing.
    expect((await call("PUT", "/b/k", Buffer.from("put since"))).status).toBe(200);
    const retried = await call("POST", `/b/k?uploadId=${uploadId}`, body);
    expect([retried.status, /<ETag>([^<]+)</.exec(retried.text)?.[1]]).toEqual([200, escapeXml(stored.etag)]);
    expect(server.store.get("b", "k")?.body.toString()).toBe("put since");
    expect(events).toEqual(["ObjectCreated:Put"]);
    expect((await call("PUT", `/b/k?partNumber=3&uploadId=${uploadId}`, Buffer.from("3"))).code).toBe("NoSuchUpload");
  });

  it("leaves the upload completable when a crash stopped its completion before the object was stored (its completion file names an object that is not there)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    const { uploadId, body, whole } = await uploadTwoParts("k");
    expect((await call("PUT", "/b/k", Buffer.from("previous"))).status).toBe(200);
    await server.close();
    // What a crash while the parts were being read leaves: the completion file, the previous object, the upload whole.
    writeFileSync(join(root, ".uploads", `${uploadId}.completing.json`), JSON.stringify({ bucket: "b", key: "k", etag: '"0123456789abcdef0123456789abcdef-2"', lastModified: new Date().toISOString() }));
    server = await startLocalS3({ store: new FileObjectStore(root), buckets: ["b"] });
    expect(server.store.get("b", "k")?.body.toString()).toBe("previous");
    expect(await listedUploads()).toEqual([uploadId]);
    expect(uploadFolders(root).sort()).toEqual([uploadId, `${uploadId}.json`].sort());
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, body)).status).toBe(200);
    expect(server.store.get("b", "k")?.body.equals(whole)).toBe(true);
  });

  it("gives the upload back when the object's write fails after the upload was claimed (500, then completable again; was NoSuchUpload)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-parts-"));
    const store = new FailingRenameStore(root);
    server = await startLocalS3({ store, buckets: ["b"] });
    const { uploadId, body, whole } = await uploadTwoParts("k");
    store.failNext = true;
    const failed = await call("POST", `/b/k?uploadId=${uploadId}`, body);
    expect([failed.status, failed.code]).toEqual([500, "InternalError"]);
    expect(store.get("b", "k")).toBeUndefined();
    expect(await listedUploads()).toEqual([uploadId]);
    expect(uploadFolders(root).sort()).toEqual([uploadId, `${uploadId}.json`].sort());
    expect((await call("POST", `/b/k?uploadId=${uploadId}`, body)).status).toBe(200);
    expect(store.get("b", "k")?.body.equals(whole)).toBe(true);
  });

  it("answers a retried completion 200 as the first (S3 does: adobe/S3Mock#2586), writing nothing again; another listing or key is NoSuchUpload", async () => {
    const events: string[] = [];
    server = await startLocalS3({ buckets: ["b"], onObjectEvent: (event) => events.push(event.eventName) });
    const { uploadId, body } = await uploadTwoParts("k");
    const first = await call("POST", `/b/k?uploadId=${uploadId}`, body);
    const written = server.store.head("b", "k")!;
    const again = await call("POST", `/b/k?uploadId=${uploadId}`, body);
    expect([again.status, again.text]).toEqual([200, first.text]);
    expect(server.store.head("b", "k")?.lastModified).toEqual(written.lastModified);
    expect(events).toEqual(["ObjectCreated:CompleteMultipartUpload"]);
    const other = await call("POST", `/b/k?uploadId=${uploadId}`, completion([[1, `"${"0".repeat(32)}"`]]));
    expect([other.status, other.code]).toEqual([404, "NoSuchUpload"]);
    expect((await call("POST", `/b/elsewhere?uploadId=${uploadId}`, body)).code).toBe("NoSuchUpload");
    expect((await call("DELETE", `/b/k?uploadId=${uploadId}`)).code).toBe("NoSuchUpload");
  });
});
