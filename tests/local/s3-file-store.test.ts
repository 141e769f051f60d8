/**
 * The local S3's file store (local/s3-server.ts FileObjectStore), what npm start keeps uploads in: reads that open an
 * object's file and read its metadata line, then only the part of the body they send; object files a power cut left
 * empty or cut short, told apart and reported; and the move of the first layout by two runtimes at once.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileObjectStore, startLocalS3, type StoredObject } from "../../local/s3-server";
import { signS3 } from "../harness/s3-local";

/** A signed request to the local S3 at `endpoint`: its status, body and headers. */
async function call(endpoint: string, method: string, path: string, headers: Record<string, string> = {}) {
  const url = new URL(path, endpoint);
  const { host: _host, ...signed } = await signS3(method, url, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers });
  const response = await fetch(url, { method, headers: signed });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, body, code: /<Code>([^<]*)<\/Code>/.exec(body.toString())?.[1], headers: response.headers };
}

const object = (key: string, body: string | Buffer, lastModified = new Date("2024-05-01T10:00:00Z")): StoredObject => {
  const bytes = Buffer.from(body);
  return { key, body: bytes, etag: `"${createHash("md5").update(bytes).digest("hex")}"`, contentType: "text/plain", metadata: { m: "1" }, lastModified };
};

/** The one object file of `bucket` under a store's root. */
const objectFile = (root: string, bucket: string) => {
  const names = readdirSync(join(root, ".objects", bucket)).filter((name) => name.endsWith(".obj"));
  expect(names).toHaveLength(1);
  return join(root, ".objects", bucket, names[0]);
};

describe("reads of the file store: the metadata line, then only the bytes sent", () => {
  it("answers HEAD, 304, 412 and a ranged GET of an object larger than a buffer can hold without reading its body (was 404: the whole file was read)", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-big-"));
    const store = new FileObjectStore(root);
    store.put("big", object("huge.bin", "x"));
    // 3 GiB of body as a sparse file (no disk used): past what one read of a file may return (2 GiB), so any read of
    // the whole body fails. Its metadata line records that size.
    const file = objectFile(root, "big");
    const line = readFileSync(file, "utf8").split("\n")[0];
    const size = 3 * 2 ** 30;
    const newLine = `${JSON.stringify({ ...JSON.parse(line), size })}\n`;
    writeFileSync(file, newLine);
    truncateSync(file, Buffer.byteLength(newLine) + size);
    const etag = String(JSON.parse(line).etag);
    const server = await startLocalS3({ store });
    try {
      const head = await call(server.endpoint, "HEAD", "/big/huge.bin");
      expect([head.status, head.headers.get("content-length"), head.headers.get("etag"), head.headers.get("x-amz-meta-m")]).toEqual([200, String(size), etag, "1"]);
      expect((await call(server.endpoint, "GET", "/big/huge.bin", { "if-none-match": etag })).status).toBe(304);
      expect((await call(server.endpoint, "GET", "/big/huge.bin", { "if-match": '"0"' })).code).toBe("PreconditionFailed");
      expect((await call(server.endpoint, "HEAD", "/big/huge.bin", { "if-modified-since": "Wed, 01 May 2024 10:00:00 GMT" })).status).toBe(304);
      const tail = await call(server.endpoint, "GET", "/big/huge.bin", { range: "bytes=-5" });
      expect([tail.status, tail.headers.get("content-range"), tail.body]).toEqual([206, `bytes ${size - 5}-${size - 1}/${size}`, Buffer.alloc(5)]);
      const past = await call(server.endpoint, "GET", "/big/huge.bin", { range: `bytes=${size}-` });
      expect([past.status, past.code, past.headers.get("content-range")]).toEqual([416, "InvalidRange", `bytes */${size}`]);
      expect(store.list("big", "").map((o) => [o.key, o.size])).toEqual([["huge.bin", size]]);
    } finally {
      await server.close();
    }
  });

  it("serves a range from the file's body, not its metadata line, for bodies with newlines and empty ones", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-range-"));
    const store = new FileObjectStore(root);
    store.put("b", object("lines", "a\nb\nc\n"));
    store.put("b", object("empty", ""));
    const server = await startLocalS3({ store });
    try {
      const part = await call(server.endpoint, "GET", "/b/lines", { range: "bytes=1-3" });
      expect([part.status, part.body.toString(), part.headers.get("content-length")]).toEqual([206, "\nb\n", "3"]);
      const whole = await call(server.endpoint, "GET", "/b/lines");
      expect([whole.status, whole.body.toString()]).toEqual([200, "a\nb\nc\n"]);
      const empty = await call(server.endpoint, "GET", "/b/empty");
      expect([empty.status, empty.body.length, empty.headers.get("content-length")]).toEqual([200, 0, "0"]);
      expect((await call(server.endpoint, "GET", "/b/empty", { range: "bytes=0-" })).code).toBe("InvalidRange");
      // An object opened and then replaced is read as it was opened (its file stays open), the next read the new one.
      const opened = store.open("b", "lines")!;
      store.put("b", object("lines", "new"));
      const chunks: Buffer[] = [];
      for await (const chunk of opened.read(2, opened.size - 1)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe("b\nc\n");
      expect((await call(server.endpoint, "GET", "/b/lines", { range: "bytes=1-" })).body.toString()).toBe("ew");
    } finally {
      await server.close();
    }
  });
});

describe("object files a power cut left empty or cut short (the temporary file is not fsync'd)", () => {
  it("answers 404 for them, leaves them out of listings, reports each once, and serves the key again once it is written", async () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-torn-"));
    const logged: string[] = [];
    const store = new FileObjectStore(root, { log: (message) => logged.push(message) });
    const damage: Record<string, (file: string, line: string) => void> = {
      // What a power cut leaves of a file written shortly before: nothing, or its first blocks.
      empty: (file) => truncateSync(file, 0),
      short: (file, line) => truncateSync(file, Buffer.byteLength(line) + 1 + 3),
      // A line that is JSON but no object's metadata (a date that is none made listings throw: 500).
      baddate: (file, line) => writeFileSync(file, `${JSON.stringify({ ...JSON.parse(line), lastModified: "yesterday" })}\nbody of baddate`),
      // Not a file at all.
      folder: (file) => {
        rmSync(file);
        mkdirSync(file);
      },
    };
    for (const key of ["whole", ...Object.keys(damage)]) {
      store.put(key, object(key, `body of ${key}`));
      if (key === "whole") continue;
      const file = objectFile(root, key);
      damage[key](file, readFileSync(file, "utf8").split("\n")[0]);
    }
    store.put("whole", object("other", "in the same bucket"));
    const server = await startLocalS3({ store });
    try {
      for (let round = 0; round < 2; round++) {
        for (const key of Object.keys(damage)) {
          const answers = [await call(server.endpoint, "GET", `/${key}/${key}`), await call(server.endpoint, "HEAD", `/${key}/${key}`), await call(server.endpoint, "GET", `/${key}/${key}`, { range: "bytes=0-1" })];
          expect([key, answers.map((a) => a.status), answers[0].code]).toEqual([key, [404, 404, 404], "NoSuchKey"]);
          const listed = await call(server.endpoint, "GET", `/${key}?list-type=2`);
          expect([key, listed.status, /<KeyCount>(\d+)</.exec(listed.body.toString())?.[1]]).toEqual([key, 200, "0"]);
        }
      }
      expect((await call(server.endpoint, "GET", "/whole/whole")).body.toString()).toBe("body of whole");
      expect(store.list("whole", "").map((o) => o.key)).toEqual(["other", "whole"]);
      // Each reported once, whatever asked (GET, HEAD, ranged GET, listing, twice over), naming its file and what is wrong.
      expect(logged).toHaveLength(4);
      expect(logged.find((m) => m.includes("/empty/"))).toMatch(/^local S3: \.objects\/empty\/empty~[0-9a-f]{64}\.obj is empty, .*not served/);
      expect(logged.find((m) => m.includes("/short/"))).toMatch(/holds 3 of its 13 bytes \(key "short"\)/);
      expect(logged.find((m) => m.includes("/baddate/"))).toMatch(/has no readable metadata line/);
      expect(logged.find((m) => m.includes("/folder/"))).toMatch(/cannot be read \(EISDIR\)/);
      // A new write of the key replaces the torn file; were it torn again, it would be reported again.
      store.put("short", object("short", "again"));
      expect((await call(server.endpoint, "GET", "/short/short")).body.toString()).toBe("again");
      truncateSync(objectFile(root, "short"), 0);
      expect((await call(server.endpoint, "HEAD", "/short/short")).status).toBe(404);
      expect(logged).toHaveLength(5);
    } finally {
      await server.close();
    }
  });
});

describe("the first layout's move, by two runtimes opening the same folder at once", () => {
  /** Writes an object of the first layout: root/<bucket>/<key> and <key>.__meta.json. */
  const old = (root: string, bucket: string, key: string, body: string) => {
    const file = join(root, bucket, key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
    const { body: _body, ...meta } = object(key, body);
    writeFileSync(`${file}.__meta.json`, JSON.stringify(meta));
  };
  const bodies = { "uploads/originals/a/1.png": "one", "uploads/originals/b/2.png": "two", "uploads/top.txt": "top", "thumbs/t/1.jpg": "thumb", "thumbs/t.txt": "t" };
  const served = (store: FileObjectStore) => Object.keys(bodies).map((path) => store.get(path.split("/")[0], path.split("/").slice(1).join("/"))?.body.toString());

  it("passes over the files and folders the other one moved between its listing and its reading (threw ENOENT)", () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-race-"));
    for (const [path, body] of Object.entries(bodies)) old(root, path.split("/")[0], path.split("/").slice(1).join("/"), body);
    // The first runtime, at its first object's move (its folder listings and that object already read), lets the
    // second runtime move everything: what the first one listed is then gone, a whole bucket's folder included.
    let second: FileObjectStore | undefined;
    class FirstRuntime extends FileObjectStore {
      override put(bucket: string, stored: StoredObject): void {
        second ??= new FileObjectStore(root);
        super.put(bucket, stored);
      }
    }
    const first = new FirstRuntime(root);
    expect(second).toBeDefined();
    expect([served(first), served(second!)]).toEqual([Object.values(bodies), Object.values(bodies)]);
    expect(readdirSync(root)).toEqual([".objects"]);
  });

  it("removes the metadata file a move stopped between its two removals left, once its object is in the new layout", () => {
    const root = mkdtempSync(join(tmpdir(), "sf-s3-half-"));
    new FileObjectStore(root).put("uploads", object("moved.png", "moved"));
    old(root, "uploads", "moved.png", "moved");
    rmSync(join(root, "uploads", "moved.png")); // the body removed, its metadata file not yet
    old(root, "uploads", "lost.png", "lost");
    rmSync(join(root, "uploads", "lost.png")); // a body gone that was never moved: its metadata stays, as before
    const store = new FileObjectStore(root);
    expect([store.get("uploads", "moved.png")?.body.toString(), store.get("uploads", "lost.png")]).toEqual(["moved", undefined]);
    expect(readdirSync(join(root, "uploads"))).toEqual(["lost.png.__meta.json"]);
  });
});
