/**
 * The headers of GetObject's answers that are not a plain 200: a 500 after the object's headers could not be written
 * carries none of them; a 304 carries what RFC 9110 section 15.4.5 has it repeat of the 200 it stands for. And the
 * memory store's read stream, which holds one piece at a time as its comment says.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryObjectStore, startLocalS3, type LocalS3, type OpenedObject } from "../../local/s3-server";
import { writeHeadWhole } from "../../local/http";
import { signS3 } from "../harness/s3-local";

let server: LocalS3 | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const EMPTY_HASH = createHash("sha256").update("").digest("hex");

/** A signed GET of `path` (with its query) on the server, with `headers` besides the signed ones. */
async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = new URL(path, server!.endpoint);
  const { host: _host, ...signed } = await signS3("GET", url, { "x-amz-content-sha256": EMPTY_HASH });
  return fetch(url, { headers: { ...signed, ...headers } });
}

/** A memory store whose objects are read back with an ETag no header can hold, as a damaged store could give one. */
class DamagedEtagStore extends MemoryObjectStore {
  override open(bucket: string, key: string): OpenedObject | undefined {
    const object = super.open(bucket, key);
    return object && { ...object, etag: '"0123\n4567"' };
  }
}

describe("local S3: a GetObject whose headers cannot be written", () => {
  it("is a 500 InternalError carrying none of the object's headers", async () => {
    // The ETag is the one header a store gives unchecked, and only Content-Type comes before it, which the 500's own
    // replaces: this held before writeHeadWhole too, and holds whatever order the headers take now.
    server = await startLocalS3({ store: new DamagedEtagStore(), buckets: ["b"] });
    server.store.put("b", { key: "k", body: Buffer.from("body"), etag: '"x"', contentType: "text/csv", contentLanguage: "de", metadata: { m: "1" }, lastModified: new Date("2024-05-01T10:00:00Z") });
    const answer = await get("/b/k");
    const text = await answer.text();
    expect([answer.status, /<Code>(\w+)</.exec(text)?.[1], answer.headers.get("content-type")]).toEqual([500, "InternalError", "application/xml"]);
    const leaked = ["etag", "last-modified", "accept-ranges", "x-amz-meta-m", "content-language"].filter((name) => answer.headers.has(name));
    expect([leaked, answer.headers.get("x-amz-request-id")?.length]).toEqual([[], 16]);
  });
});

describe("writeHeadWhole (local/http.ts)", () => {
  it("sets none of an answer's headers when Node refuses one of them, so the error answer written next carries none", async () => {
    // Node's writeHead, on a response that has a header already, sets an object's headers one by one: those before the
    // refused one stayed set, and went out with the 500 (x-first and x-second, with plain writeHead).
    const http = createServer((_req, res) => {
      res.setHeader("x-amz-request-id", "R");
      try {
        writeHeadWhole(res, 200, { "x-first": "1", "x-second": "2", etag: '"0123\n4567"', "x-last": "3" });
        res.end("object");
      } catch {
        res.writeHead(500, { "content-type": "application/xml" });
        res.end("<Error/>");
      }
    });
    await once(http.listen(0, "127.0.0.1"), "listening");
    try {
      const answer = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
      const set = ["x-first", "x-second", "etag", "x-last"].filter((name) => answer.headers.has(name));
      expect([answer.status, await answer.text(), set, answer.headers.get("x-amz-request-id")]).toEqual([500, "<Error/>", [], "R"]);
    } finally {
      http.close();
    }
  });
});

describe("local S3: a conditional GetObject not modified (304)", () => {
  it("sends the Cache-Control and Expires its 200 would have sent, a response-* override's over the stored one (RFC 9110 section 15.4.5)", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const etag = '"c"';
    server.store.put("b", { key: "k", body: Buffer.from("body"), etag, contentType: "text/plain", cacheControl: "max-age=60", expires: "Tue, 01 Jan 2030 00:00:00 GMT", contentDisposition: "inline", metadata: { m: "1" }, lastModified: new Date("2024-05-01T10:00:00Z") });
    const overridden = await get("/b/k?response-cache-control=no-cache&response-expires=0&response-content-disposition=attachment", { "if-none-match": etag });
    const plain = await get("/b/k", { "if-none-match": etag });
    const headersOf = (answer: Response) => ["cache-control", "expires", "etag", "content-disposition", "content-type", "x-amz-meta-m"].map((name) => answer.headers.get(name));
    // Before the fix the 304 repeated the stored max-age=60 and the stored date, which the 200 to the same request did not send.
    expect([overridden.status, ...headersOf(overridden)]).toEqual([304, "no-cache", "0", etag, null, null, null]);
    expect([plain.status, ...headersOf(plain)]).toEqual([304, "max-age=60", "Tue, 01 Jan 2030 00:00:00 GMT", etag, null, null, null]);
  });
});

describe("local S3: a bad response-* parameter beside preconditions", () => {
  it("is 400 InvalidArgument whatever the preconditions say: beside an If-Match that fails, an If-None-Match that matches, or none", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const etag = '"c"';
    server.store.put("b", { key: "k", body: Buffer.from("body"), etag, contentType: "text/plain", metadata: {}, lastModified: new Date("2024-05-01T10:00:00Z") });
    const bad = `/b/k?response-content-disposition=${encodeURIComponent('attachment; filename="文.txt"')}`;
    const codeOf = async (answer: Response) => [answer.status, /<Code>(\w+)</.exec(await answer.text())?.[1]];
    // Before the fix a failed If-Match was 412 PreconditionFailed here, while a matching If-None-Match was 400.
    expect(await codeOf(await get(bad, { "if-match": '"other"' }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await get(bad, { "if-none-match": etag }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await get(bad, { "if-unmodified-since": "Mon, 01 Jan 2024 00:00:00 GMT" }))).toEqual([400, "InvalidArgument"]);
    expect(await codeOf(await get(bad))).toEqual([400, "InvalidArgument"]);
    // The preconditions still answer for themselves when the parameters are good.
    expect(await codeOf(await get("/b/k?response-content-disposition=attachment", { "if-match": '"other"' }))).toEqual([412, "PreconditionFailed"]);
  });
});

describe("local S3: the memory store's read of an object", () => {
  it("holds one 64 KiB piece waiting for its reader, as streamOf's comment says (Readable.from's highWaterMark is 1 object)", async () => {
    const store = new MemoryObjectStore();
    store.createBucket("b");
    store.put("b", { key: "big", body: Buffer.alloc(4 * 1024 ** 2, "b"), etag: '"b"', contentType: "binary/octet-stream", metadata: {}, lastModified: new Date() });
    const stream = store.open("b", "big")!.read(0, 4 * 1024 ** 2 - 1);
    // Asked for bytes once and not read: what it buffered meanwhile is what a stalled client's answer holds.
    stream.read(0);
    await once(stream, "readable");
    // Node 20's Readable.from sets highWaterMark 1 (object mode's usual default is 16, which would hold 1 MiB here).
    expect(stream.readableLength).toBe(1);
    stream.destroy();
  });
});
