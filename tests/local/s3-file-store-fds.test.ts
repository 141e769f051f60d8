/**
 * The local S3's file store keeps no object file open after an answer: every path of GetObject/HeadObject (a client
 * gone mid-body, HEAD, 304, 412, 416, an empty object) closes the file it opened. Counted in /proc/self/fd (Linux).
 * And a write that fails leaves no temporary file behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FileObjectStore, startLocalS3 } from "../../local/s3-server";
import { signS3 } from "../harness/s3-local";

const objectFds = (root: string) =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
    } catch {
      return false;
    }
  }).length;

describe.runIf(process.platform === "linux")("open files of the file store", () => {
  it("closes each object file on every path of a read", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-fds-"));
    const store = new FileObjectStore(root);
    const big = Buffer.alloc(8 * 2 ** 20, 1);
    const md5 = (b: Buffer) => `"${createHash("md5").update(b).digest("hex")}"`;
    store.put("b", { key: "big", body: big, etag: md5(big), contentType: "application/octet-stream", metadata: {}, lastModified: new Date("2024-05-01T10:00:00Z") });
    store.put("b", { key: "empty", body: Buffer.alloc(0), etag: md5(Buffer.alloc(0)), contentType: "text/plain", metadata: {}, lastModified: new Date("2024-05-01T10:00:00Z") });
    const server = await startLocalS3({ store });
    const statuses: number[] = [];
    const url = (key: string) => new URL(`/b/${key}`, server.endpoint);
    const send = async (method: string, key: string, headers: Record<string, string>, abort: boolean) => {
      const { host: _h, ...signed } = await signS3(method, url(key), { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers });
      await new Promise<void>((resolve) => {
        const req = request(url(key), { method, headers: signed, agent: false }, (res) => {
          statuses.push(res.statusCode ?? 0);
          if (abort) {
            res.once("data", () => {
              req.destroy();
              resolve();
            });
            res.once("end", resolve);
          } else {
            res.resume();
            res.on("end", resolve);
          }
        });
        req.on("error", () => resolve());
        req.end();
      });
    };
    try {
      for (let i = 0; i < 50; i++) {
        await send("GET", "big", {}, true);
        await send("GET", "big", { range: "bytes=10-" }, true);
        await send("HEAD", "big", {}, false);
        await send("GET", "big", { "if-none-match": md5(big) }, false);
        await send("GET", "big", { "if-match": '"0"' }, false);
        await send("GET", "big", { range: `bytes=${big.length}-` }, false);
        await send("GET", "empty", {}, false);
        await send("HEAD", "empty", {}, false);
      }
    } finally {
      await server.close();
    }
    for (let i = 0; i < 100 && objectFds(root) > 0; i++) await new Promise((r) => setImmediate(r));
    expect(new Set(statuses)).toEqual(new Set([200, 206, 304, 412, 416]));
    expect(objectFds(root)).toBe(0);
  });

  it("closes the source's file on every path of a copy (CopyObject, UploadPartCopy: copied, refused, conditions failed)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-fds-"));
    const store = new FileObjectStore(root);
    const big = Buffer.alloc(2 * 2 ** 20, 1);
    const md5 = (b: Buffer) => `"${createHash("md5").update(b).digest("hex")}"`;
    for (const [key, body] of [["big", big], ["empty", Buffer.alloc(0)]] as const) {
      store.put("b", { key, body, etag: md5(body), contentType: "application/octet-stream", metadata: {}, lastModified: new Date("2024-05-01T10:00:00Z") });
    }
    const server = await startLocalS3({ store });
    const statuses: number[] = [];
    const send = async (path: string, headers: Record<string, string>) => {
      const url = new URL(path, server.endpoint);
      const { host: _h, ...signed } = await signS3("PUT", url, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers });
      const response = await fetch(url, { method: "PUT", headers: signed });
      await response.arrayBuffer();
      statuses.push(response.status);
    };
    try {
      const created = await fetch(new URL("/b/joined?uploads", server.endpoint), { method: "POST", headers: (({ host: _h, ...h }) => h)(await signS3("POST", new URL("/b/joined?uploads", server.endpoint), { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" })) });
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())?.[1];
      const part = `/b/joined?partNumber=1&uploadId=${uploadId}`;
      for (let i = 0; i < 20; i++) {
        await send("/b/copy", { "x-amz-copy-source": "b/big" });
        await send("/b/copy", { "x-amz-copy-source": "b/empty" });
        await send("/b/copy", { "x-amz-copy-source": "b/big", "x-amz-copy-source-if-match": '"0"' });
        await send("/b/big", { "x-amz-copy-source": "b/big" }); // onto itself, changing nothing: 400
        await send("/b/copy", { "x-amz-copy-source": "b/big", "if-none-match": "*" }); // the destination exists: 412 once read
        await send(part, { "x-amz-copy-source": "b/big", "x-amz-copy-source-range": "bytes=0-1023" });
        await send(part, { "x-amz-copy-source": "b/big", "x-amz-copy-source-range": `bytes=0-${big.length}` });
        await send(part, { "x-amz-copy-source": "b/empty" });
      }
    } finally {
      await server.close();
    }
    for (let i = 0; i < 100 && objectFds(root) > 0; i++) await new Promise((r) => setImmediate(r));
    expect(new Set(statuses)).toEqual(new Set([200, 400, 412]));
    expect(objectFds(root)).toBe(0);
  });
});

describe("a write of the file store that fails", () => {
  it("leaves no temporary file (one of the running process stayed until the next start) and is answered 500", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-tmp-"));
    const store = new FileObjectStore(root);
    const body = Buffer.from("x");
    const put = () => store.put("b", { key: "k", body, etag: `"${createHash("md5").update(body).digest("hex")}"`, contentType: "text/plain", metadata: {}, lastModified: new Date("2024-05-01T10:00:00Z") });
    put();
    const folder = join(root, ".objects", "b");
    const [name] = readdirSync(folder);
    // A folder, not empty, where the object's file goes: the rename over it fails (EISDIR on Linux, EPERM elsewhere).
    const file = join(folder, name);
    rmSync(file);
    mkdirSync(file);
    writeFileSync(join(file, "inside"), "");
    expect(put).toThrow();
    expect(readdirSync(folder)).toEqual([name]);
    const server = await startLocalS3({ store });
    try {
      const url = new URL("/b/k", server.endpoint);
      const { host: _h, ...signed } = await signS3("PUT", url, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" });
      const response = await fetch(url, { method: "PUT", headers: signed, body: "y" });
      expect(response.status).toBe(500);
      expect(readdirSync(folder)).toEqual([name]);
    } finally {
      await server.close();
    }
  });
});
