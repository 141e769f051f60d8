/**
 * The chunk signatures of a signed aws-chunked body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) are checked as S3
 * checks them: each chunk as it completes, chained from the request's own signature, and the trailer's last; a bad one
 * is 403 SignatureDoesNotMatch and the object is not stored. Pinned to the examples on AWS's pages
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html, .../sigv4-streaming-trailers.html), byte for
 * byte with the signatures they print, so the local verifier is held to AWS and not to a signer of its own. The chunk
 * signatures the server tests send are computed here from the documented string to sign with node's HMAC.
 */
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, ListPartsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { authenticate, ChunkSignatures, S3Error, type ChunkSeed } from "../../local/s3-auth";
import { decodeAwsChunked, FileObjectStore, MemoryObjectStore, startLocalS3, type LocalS3, type ObjectStore } from "../../local/s3-server";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import { localS3Client, signS3 } from "../harness/s3-local";
import { expectNoRawNonChars } from "./s3-xml10";
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

// ---------------------------------------------------------------------------------------------
// AWS's examples

const DOC_CREDENTIALS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const DOC_SCOPE = { date: "20130524", region: "us-east-1", service: "s3", terminator: "aws4_request" };
const DOC_DATA = Buffer.alloc(66_560, "a");

/** The PUT of sigv4-streaming.html's example: 66,560 bytes of `a` in chunks of 64 KiB, 1 KiB and 0. */
const DOC_HEADERS = {
  host: "s3.amazonaws.com",
  "x-amz-date": "20130524T000000Z",
  "x-amz-storage-class": "REDUCED_REDUNDANCY",
  authorization:
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
  "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "content-encoding": "aws-chunked",
  "x-amz-decoded-content-length": "66560",
  "content-length": "66824",
};
const DOC_SIGNATURES = [
  "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
  "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
  "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];

/** The documented body, its three chunks signed `signatures`, then `after` (a trailer section, or the final CRLF). */
function docBody(signatures: string[], after = "\r\n"): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    DOC_DATA.subarray(0, 65_536),
    Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
    DOC_DATA.subarray(65_536),
    Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n${after}`),
  ]);
}

async function* pieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

/** Decodes `body` in pieces of `size` bytes with the chunk signatures of `seed`: the bytes and trailers, or the S3Error. */
async function decode(body: Buffer, seed: ChunkSeed, size = 1000): Promise<{ bytes: Buffer; trailers: Record<string, string> } | { status: number; code: string }> {
  const trailers: Record<string, string> = {};
  const out: Buffer[] = [];
  try {
    for await (const data of decodeAwsChunked(pieces(body, size), trailers, new ChunkSignatures(seed))) out.push(data);
  } catch (error) {
    if (error instanceof S3Error) return { status: error.status, code: error.code };
    throw error;
  }
  return { bytes: Buffer.concat(out), trailers };
}

/** One hex character of `signature` changed. */
const changed = (signature: string) => `${signature.slice(0, 63)}${signature.endsWith("0") ? "1" : "0"}`;

describe("chunk signatures: AWS's documented examples", () => {
  it("authenticates the documented request (its seed signature) and decodes its body chunk by chunk, however it is split", async () => {
    const auth = await authenticate(
      { method: "PUT", path: "/examplebucket/chunkObject.txt", query: {}, headers: DOC_HEADERS },
      { credentials: [DOC_CREDENTIALS], region: "us-east-1", now: new Date("2013-05-24T00:00:30Z") },
    );
    expect(auth.chunkSeed).toMatchObject({ signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", longDate: "20130524T000000Z", trailer: false });
    const body = docBody(DOC_SIGNATURES);
    expect(body.length).toBe(66_824); // the documented Content-Length
    // One byte at a time too: every size line, chunk-ending CR and LF, and signature split across reads.
    for (const size of [1, 2, 1000, 65_536 + 90, body.length]) {
      const decoded = await decode(body, auth.chunkSeed!, size);
      expect("bytes" in decoded && decoded.bytes.equals(DOC_DATA)).toBe(true);
    }
  });

  it("refuses the documented body with any one chunk signature changed, its chunks swapped, or a byte of its data changed (403 SignatureDoesNotMatch)", async () => {
    const seed: ChunkSeed = { signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", longDate: "20130524T000000Z", scope: DOC_SCOPE, credentials: DOC_CREDENTIALS, trailer: false };
    const refused = { status: 403, code: "SignatureDoesNotMatch" };
    for (let i = 0; i < 3; i++) {
      const signatures = [...DOC_SIGNATURES];
      signatures[i] = changed(signatures[i]);
      expect(await decode(docBody(signatures), seed)).toEqual(refused);
    }
    // Each signature right for its own chunk's data is not enough: the chain orders them.
    expect(await decode(docBody([DOC_SIGNATURES[0], DOC_SIGNATURES[2], DOC_SIGNATURES[1]]), seed)).toEqual(refused);
    const tampered = docBody(DOC_SIGNATURES);
    tampered[1000] = 0x62;
    expect(await decode(tampered, seed)).toEqual(refused);
    // A chunk without a signature in a signed body (S3's answer to that is not confirmed).
    expect(await decode(Buffer.from(docBody(DOC_SIGNATURES).toString("latin1").replace(`;chunk-signature=${DOC_SIGNATURES[1]}`, ""), "latin1"), seed)).toEqual(refused);
  });

  it("names what it signed in the refusal of a bad chunk signature, as S3's SignatureDoesNotMatch does: the chunk's string to sign, the signature sent, the string's bytes", async () => {
    const seed: ChunkSeed = { signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", longDate: "20130524T000000Z", scope: DOC_SCOPE, credentials: DOC_CREDENTIALS, trailer: false };
    const signatures = [DOC_SIGNATURES[0], changed(DOC_SIGNATURES[1]), DOC_SIGNATURES[2]];
    const refusal = await (async (): Promise<S3Error | undefined> => {
      try {
        for await (const _ of decodeAwsChunked(pieces(docBody(signatures), 1000), {}, new ChunkSignatures(seed)));
      } catch (error) {
        return error as S3Error;
      }
      return undefined;
    })();
    // The second chunk's string to sign (sigv4-streaming.html): chained from the first chunk's signature.
    const stringToSign = ["AWS4-HMAC-SHA256-PAYLOAD", "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", DOC_SIGNATURES[0], sha256(""), sha256(DOC_DATA.subarray(65_536))].join("\n");
    expect(refusal).toBeInstanceOf(S3Error);
    expect([refusal!.status, refusal!.code]).toEqual([403, "SignatureDoesNotMatch"]);
    expect(Object.entries(refusal!.details)).toEqual([
      ["AWSAccessKeyId", DOC_CREDENTIALS.accessKeyId],
      ["StringToSign", stringToSign],
      ["SignatureProvided", signatures[1]],
      ["StringToSignBytes", [...Buffer.from(stringToSign)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ")],
    ]);
  });

  it("refuses the documented body ending early, wherever it ends (400 IncompleteBody): in a size line, a chunk's data, its CRLF, or before the final chunk", async () => {
    const seed: ChunkSeed = { signature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", longDate: "20130524T000000Z", scope: DOC_SCOPE, credentials: DOC_CREDENTIALS, trailer: false };
    const body = docBody(DOC_SIGNATURES);
    const firstChunkEnd = body.indexOf("\r\n400;");
    for (const end of [0, 10, 1000, firstChunkEnd + 1, firstChunkEnd + 2, body.indexOf("\r\n0;") + 2]) {
      expect(await decode(body.subarray(0, end), seed)).toEqual({ status: 400, code: "IncompleteBody" });
    }
  });

  it("checks the signed trailer of sigv4-streaming-trailers.html's example: `name:value\\n`, chained from the final chunk", async () => {
    // The example's seed is taken as the page prints it; its chunk and trailer signatures are the page's too.
    const seed: ChunkSeed = { signature: "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e", longDate: "20130524T000000Z", scope: DOC_SCOPE, credentials: DOC_CREDENTIALS, trailer: true };
    const signatures = ["b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2", "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7", "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"];
    const trailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";
    const trailer = (value: string, signature?: string) => `x-amz-checksum-crc32c:${value}\r\n${signature === undefined ? "" : `x-amz-trailer-signature:${signature}\r\n`}\r\n`;
    const decoded = await decode(docBody(signatures, trailer("sOO8/Q==", trailerSignature)), seed, 777);
    expect(decoded).toMatchObject({ trailers: { "x-amz-checksum-crc32c": "sOO8/Q==" } });
    expect("bytes" in decoded && decoded.bytes.equals(DOC_DATA)).toBe(true);
    const refused = { status: 403, code: "SignatureDoesNotMatch" };
    expect(await decode(docBody(signatures, trailer("sOO8/A==", trailerSignature)), seed)).toEqual(refused);
    expect(await decode(docBody(signatures, trailer("sOO8/Q==", changed(trailerSignature))), seed)).toEqual(refused);
    expect(await decode(docBody(signatures, trailer("sOO8/Q==")), seed)).toEqual(refused);
  });
});

// ---------------------------------------------------------------------------------------------
// The local server

/** What the server answers a request whose body may still be on its way: status and error code. */
function answerOf(req: ClientRequest): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    req.on("response", (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve({ status: res.statusCode!, code: /<Code>(\w+)</.exec(Buffer.concat(parts).toString())?.[1] }));
    });
    req.on("error", reject);
  });
}

/**
 * A signed aws-chunked PUT of `chunks` (each one chunk) to `path`: its headers signed as the SDK signs (the seed), and
 * its body framed with chunk signatures computed here from sigv4-streaming.html's string to sign; `corrupt` (a chunk's
 * index) sends that chunk with another signature; `sizeLine` writes each size line (default
 * `<hex size>;chunk-signature=<signature>`). Returns the request, its framed chunks (size line, data, CRLF; the
 * final chunk last, then the trailer section) and the answer.
 */
async function signedChunkedPut(endpoint: string, path: string, chunks: Buffer[], options: { trailer?: { name: string; value: string }; corrupt?: number; sizeLine?: (size: string, signature: string) => string } = {}) {
  const url = new URL(path, endpoint);
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  // The framed length, known before signing: each size line with its 64-hex signature, data and CRLFs.
  const all = [...chunks, Buffer.alloc(0)];
  const trailerText = (signature: string) => (options.trailer ? `${options.trailer.name}:${options.trailer.value}\r\nx-amz-trailer-signature:${signature}\r\n\r\n` : "\r\n");
  const sizeLine = (chunk: Buffer, signature: string) => options.sizeLine?.(chunk.length.toString(16), signature) ?? `${chunk.length.toString(16)};chunk-signature=${signature}`;
  const framedLength = all.reduce((sum, chunk) => sum + sizeLine(chunk, "0".repeat(64)).length + 2 + chunk.length + (chunk.length > 0 ? 2 : 0), 0) + trailerText("0".repeat(64)).length;
  const mode = options.trailer ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" : "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  const headers = await signS3("PUT", url, {
    "x-amz-content-sha256": mode,
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": String(length),
    "content-length": String(framedLength),
    ...(options.trailer && { "x-amz-trailer": options.trailer.name }),
  });
  const framed = signedChunks(all, headers["x-amz-date"], /Signature=([0-9a-f]{64})/.exec(headers.authorization)![1], { ...options, sizeLine, trailerText });
  const req = request(url, { method: "PUT", headers });
  return { req, framed, answer: answerOf(req) };
}

/**
 * `all` (the final empty chunk last) framed with chunk signatures chained from `seed` (the request's own signature, from
 * its Authorization header or its presigned query) at `longDate`, then the trailer section `trailerText` makes.
 */
function signedChunks(all: Buffer[], longDate: string, seed: string, options: { trailer?: { name: string; value: string }; corrupt?: number; sizeLine: (chunk: Buffer, signature: string) => string; trailerText: (signature: string) => string }): Buffer[] {
  const scope = `${longDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${LOCAL_CREDENTIALS.secretAccessKey}`, longDate.slice(0, 8)), "us-east-1"), "s3"), "aws4_request");
  let previous = seed;
  const framed = all.map((chunk, index) => {
    previous = hmac(key, ["AWS4-HMAC-SHA256-PAYLOAD", longDate, scope, previous, sha256(""), sha256(chunk)].join("\n")).toString("hex");
    const sent = index === options.corrupt ? changed(previous) : previous;
    return Buffer.concat([Buffer.from(`${options.sizeLine(chunk, sent)}\r\n`), chunk, Buffer.from(chunk.length > 0 ? "\r\n" : "")]);
  });
  const trailerHash = options.trailer ? sha256(`${options.trailer.name}:${options.trailer.value}\n`) : "";
  framed.push(Buffer.from(options.trailerText(hmac(key, ["AWS4-HMAC-SHA256-TRAILER", longDate, scope, previous, trailerHash].join("\n")).toString("hex"))));
  return framed;
}

/**
 * A PUT of `chunks` framed aws-chunked, with chunk signatures seeded from its presigned signature (as ChunkSignatures.of
 * seeds them), to a URL presigned as @aws-sdk/s3-request-presigner presigns (X-Amz-Content-Sha256 hoisted into the
 * query) for the payload hash `signed`, x-amz-decoded-content-length signed as a header; sent with `headers` besides.
 */
async function presignedChunkedPut(endpoint: string, path: string, chunks: Buffer[], signed: string, headers: Record<string, string>, options: { corrupt?: number } = {}) {
  const url = new URL(path, endpoint);
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const signer = new SignatureV4({ credentials: LOCAL_CREDENTIALS, region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false });
  const presigned = await signer.presign(
    { method: "PUT", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { host: url.host, "X-Amz-Content-Sha256": signed, "x-amz-decoded-content-length": String(length) } },
    { expiresIn: 60, unhoistableHeaders: new Set(["x-amz-decoded-content-length"]) },
  );
  const query = presigned.query as Record<string, string>;
  const framed = signedChunks([...chunks, Buffer.alloc(0)], query["X-Amz-Date"], query["X-Amz-Signature"], {
    ...options,
    sizeLine: (chunk, signature) => `${chunk.length.toString(16)};chunk-signature=${signature}`,
    trailerText: () => "\r\n",
  });
  const body = Buffer.concat(framed);
  const target = new URL(`${url.pathname}?${new URLSearchParams(query)}`, endpoint);
  const req = request(target, { method: "PUT", headers: { "x-amz-decoded-content-length": String(length), "content-length": String(body.length), ...headers } });
  return { req, body, answer: answerOf(req) };
}

describe("chunk signatures: the local server", () => {
  let server: LocalS3 | undefined;
  afterEach(() => server?.close());
  const chunks = [Buffer.alloc(8192, "x"), Buffer.alloc(8192, "y"), Buffer.from("the end")];

  it("stores a signed aws-chunked PutObject whose chunks and trailer are signed right", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const plain = await signedChunkedPut(server.endpoint, "/b/plain", chunks);
    plain.req.end(Buffer.concat(plain.framed));
    expect(await plain.answer).toEqual({ status: 200, code: undefined });
    expect(server.store.get("b", "plain")?.body.equals(Buffer.concat(chunks))).toBe(true);
    const { Crc32 } = await import("@aws-sdk/checksums/crc");
    const crc = new Crc32();
    crc.update(Buffer.concat(chunks));
    const value = Buffer.from(await crc.digest()).toString("base64");
    const trailed = await signedChunkedPut(server.endpoint, "/b/trailed", chunks, { trailer: { name: "x-amz-checksum-crc32", value } });
    trailed.req.end(Buffer.concat(trailed.framed));
    expect(await trailed.answer).toEqual({ status: 200, code: undefined });
    expect(server.store.get("b", "trailed")?.body.equals(Buffer.concat(chunks))).toBe(true);
  });

  it("refuses a bad chunk signature as soon as that chunk has arrived (403 SignatureDoesNotMatch), keeping the previous object", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    await server.store.putStream("b", { key: "k", contentType: "text/plain", metadata: {}, lastModified: new Date() }, Readable.from([Buffer.from("previous")]));
    const { req, framed, answer } = await signedChunkedPut(server.endpoint, "/b/k", chunks, { corrupt: 1 });
    // The first two chunks only: the answer comes while the rest of the body has not been sent.
    req.write(Buffer.concat(framed.slice(0, 2)));
    expect(await answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    req.destroy();
    expect(server.store.get("b", "k")?.body.toString()).toBe("previous");
    expect(server.count("PutObject")).toBe(0);
  });

  it("refuses a chunk-signature holding control characters with a SignatureDoesNotMatch naming them as numeric references", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const { req, framed, answer } = await signedChunkedPut(server.endpoint, "/b/controls", chunks, { sizeLine: (size, signature) => `${size};chunk-signature=${signature.slice(0, 62)}\x01\x1f` });
    const text = new Promise<string>((resolve) => req.on("response", (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve(Buffer.concat(parts).toString()));
    }));
    req.end(Buffer.concat(framed));
    expect(await answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    const xml = await text;
    expectNoRawNonChars(xml);
    expect(/<SignatureProvided>([^<]*)<\/SignatureProvided>/.exec(xml)?.[1]).toMatch(/^[0-9a-f]{62}&#x1;&#x1F;$/);
    expect(xml).not.toContain("<Resource>");
  });

  it("refuses a bad final-chunk or trailer signature, storing nothing", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const final = await signedChunkedPut(server.endpoint, "/b/final", chunks, { corrupt: chunks.length });
    final.req.end(Buffer.concat(final.framed));
    expect(await final.answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    const trailed = await signedChunkedPut(server.endpoint, "/b/trailed", chunks, { trailer: { name: "x-amz-checksum-crc32", value: "AAAAAA==" } });
    const last = trailed.framed.length - 1;
    trailed.framed[last] = Buffer.from(trailed.framed[last].toString("latin1").replace(/trailer-signature:([0-9a-f]{64})/, (_, signature: string) => `trailer-signature:${changed(signature)}`), "latin1");
    trailed.req.end(Buffer.concat(trailed.framed));
    // The trailer's signature is checked before its checksum (which is wrong too: 400 BadDigest otherwise).
    expect(await trailed.answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    expect(server.store.get("b", "final")).toBeUndefined();
    expect(server.store.get("b", "trailed")).toBeUndefined();
  });

  it("refuses an UploadPart whose chunk signature is bad, keeping no part; takes it signed right", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const client = localS3Client(server.endpoint);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: "big" }));
    const path = `/b/big?partNumber=1&uploadId=${encodeURIComponent(UploadId!)}`;
    const bad = await signedChunkedPut(server.endpoint, path, chunks, { corrupt: 0 });
    bad.req.end(Buffer.concat(bad.framed));
    expect(await bad.answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    expect((await client.send(new ListPartsCommand({ Bucket: "b", Key: "big", UploadId }))).Parts ?? []).toEqual([]);
    const good = await signedChunkedPut(server.endpoint, path, chunks);
    good.req.end(Buffer.concat(good.framed));
    expect(await good.answer).toEqual({ status: 200, code: undefined });
    const parts = (await client.send(new ListPartsCommand({ Bucket: "b", Key: "big", UploadId }))).Parts ?? [];
    expect(parts.map((part) => [part.PartNumber, part.Size])).toEqual([[1, Buffer.concat(chunks).length]]);
  });

  it.each<[string, () => ObjectStore]>([
    ["memory store", () => new MemoryObjectStore()],
    ["file store", () => new FileObjectStore(mkdtempSync(join(tmpdir(), "sf-s3-chunk-part-")))],
  ])("a part uploaded again with a bad chunk signature leaves the part uploaded before it, which the object is made of (%s)", async (_, store) => {
    server = await startLocalS3({ buckets: ["b"], store: store() });
    const client = localS3Client(server.endpoint);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: "big" }));
    const path = `/b/big?partNumber=1&uploadId=${encodeURIComponent(UploadId!)}`;
    const first = await signedChunkedPut(server.endpoint, path, [Buffer.from("the first part")]);
    first.req.end(Buffer.concat(first.framed));
    expect(await first.answer).toEqual({ status: 200, code: undefined });
    // Refused at its second chunk, its first already written; and refused at its final chunk, all its data written.
    for (const corrupt of [1, chunks.length]) {
      const again = await signedChunkedPut(server.endpoint, path, chunks, { corrupt });
      again.req.end(Buffer.concat(again.framed));
      expect(await again.answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    }
    const parts = (await client.send(new ListPartsCommand({ Bucket: "b", Key: "big", UploadId }))).Parts ?? [];
    expect(parts.map((part) => [part.PartNumber, part.Size, part.ETag])).toEqual([[1, 14, `"${createHash("md5").update("the first part").digest("hex")}"`]]);
    await client.send(new CompleteMultipartUploadCommand({ Bucket: "b", Key: "big", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: parts[0].ETag }] } }));
    expect(await (await client.send(new GetObjectCommand({ Bucket: "b", Key: "big" }))).Body!.transformToString()).toBe("the first part");
  });

  it("finds the chunk-signature among other chunk extensions, with spaces around them", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const lines: Array<(size: string, signature: string) => string> = [
      (size, signature) => `${size};ext=1;chunk-signature=${signature}`,
      (size, signature) => `${size};chunk-signature=${signature};ext=1`,
      (size, signature) => `${size} ; chunk-signature=${signature} `,
    ];
    for (const [index, sizeLine] of lines.entries()) {
      const put = await signedChunkedPut(server.endpoint, `/b/ext-${index}`, chunks, { sizeLine });
      put.req.end(Buffer.concat(put.framed));
      expect(await put.answer).toEqual({ status: 200, code: undefined });
      expect(server.store.get("b", `ext-${index}`)?.body.equals(Buffer.concat(chunks))).toBe(true);
    }
  });

  it("refuses a body that does not parse (400 IncompleteBody), storing nothing and answering the next request", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const refused = { status: 400, code: "IncompleteBody" };
    // A size past any number (parseInt gives Infinity): refused once its data runs past the declared length.
    const huge = await signedChunkedPut(server.endpoint, "/b/huge", chunks, { sizeLine: (size, signature) => `${size === "0" ? "0" : "f".repeat(400)};chunk-signature=${signature}` });
    huge.req.end(Buffer.concat(huge.framed));
    expect(await huge.answer).toEqual(refused);
    // A size line longer than the decoder reads (MAX_CHUNK_LINE, 4096 bytes), arriving whole: refused as one arriving in
    // pieces is (it was taken).
    const long = await signedChunkedPut(server.endpoint, "/b/long", chunks, { sizeLine: (size, signature) => `${size};ext=${"x".repeat(5000)};chunk-signature=${signature}` });
    long.req.end(Buffer.concat(long.framed));
    expect(await long.answer).toEqual(refused);
    for (const key of ["huge", "long"]) expect(server.store.get("b", key)).toBeUndefined();
    const after = await signedChunkedPut(server.endpoint, "/b/after", chunks);
    after.req.end(Buffer.concat(after.framed));
    expect(await after.answer).toEqual({ status: 200, code: undefined });
  });

  it("decodes a presigned PUT whose query signs STREAMING-AWS4-HMAC-SHA256-PAYLOAD as aws-chunked, checking its chunk signatures, with or without Content-Encoding", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const signed = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    for (const [key, headers] of [["bare", {}], ["encoded", { "content-encoding": "aws-chunked" }]] as const) {
      const put = await presignedChunkedPut(server.endpoint, `/b/${key}`, chunks, signed, headers);
      put.req.end(put.body);
      expect(await put.answer).toEqual({ status: 200, code: undefined });
      // The object's bytes, not its chunk framing.
      expect(server.store.get("b", key)?.body.equals(Buffer.concat(chunks))).toBe(true);
    }
    const bad = await presignedChunkedPut(server.endpoint, "/b/bad", chunks, signed, {}, { corrupt: 1 });
    bad.req.end(bad.body);
    expect(await bad.answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    expect(server.store.get("b", "bad")).toBeUndefined();
  });

  it("refuses a presigned UNSIGNED-PAYLOAD PUT whose x-amz-content-sha256 header claims signed chunks its signature does not cover (403 SignatureDoesNotMatch), storing nothing", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    for (const mode of ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"]) {
      const put = await presignedChunkedPut(server.endpoint, "/b/claimed", chunks, "UNSIGNED-PAYLOAD", { "x-amz-content-sha256": mode, "content-encoding": "aws-chunked" });
      put.req.end(put.body);
      expect(await put.answer).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
    }
    expect(server.store.get("b", "claimed")).toBeUndefined();
  });

  it("the SDK v3 client sends a stream unsigned (STREAMING-UNSIGNED-PAYLOAD-TRAILER) over http too: no chunk signatures to check", async () => {
    server = await startLocalS3({ buckets: ["b"] });
    const client = localS3Client(server.endpoint);
    const sent: string[] = [];
    client.middlewareStack.add((next) => async (args) => {
      sent.push(String((args.request as { headers: Record<string, string> }).headers["x-amz-content-sha256"]));
      return next(args);
    }, { step: "finalizeRequest", priority: "low" });
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "sdk", Body: Readable.from([Buffer.from("hel"), Buffer.from("lo")]), ContentLength: 5 }));
    expect(sent).toEqual(["STREAMING-UNSIGNED-PAYLOAD-TRAILER"]);
    expect(server.store.get("b", "sdk")?.body.toString()).toBe("hello");
  });
});
