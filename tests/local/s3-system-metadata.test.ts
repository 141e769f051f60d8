/**
 * The system metadata an upload sets besides Content-Type and Cache-Control — Content-Disposition, Content-Encoding,
 * Content-Language and Expires — kept with the object and served by GetObject and HeadObject, as S3 keeps them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html, "System-defined object metadata"); they
 * were dropped. On both stores: the file store writes them in the object's metadata line and the upload's record.
 */
import { CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileObjectStore, MemoryObjectStore, type LocalS3 } from "../../local/s3-server";
import { signS3, startLocalS3WithClient } from "../harness/s3-local";

const sent = {
  ContentDisposition: 'attachment; filename="report.csv"',
  ContentEncoding: "gzip",
  ContentLanguage: "de-DE",
  Expires: new Date("2030-01-01T00:00:00Z"),
};
const served = (answer: { ContentDisposition?: string; ContentEncoding?: string; ContentLanguage?: string; ExpiresString?: string }) => [answer.ContentDisposition, answer.ContentEncoding, answer.ContentLanguage, answer.ExpiresString];
const servedSent = [sent.ContentDisposition, sent.ContentEncoding, sent.ContentLanguage, "Tue, 01 Jan 2030 00:00:00 GMT"];

describe.each([
  ["memory store", () => new MemoryObjectStore()],
  ["file store", () => new FileObjectStore(mkdtempSync(join(tmpdir(), "sf-s3-system-metadata-")))],
])("system metadata on the %s", (_store, makeStore) => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    ({ server: s3, client } = await startLocalS3WithClient({ store: makeStore(), buckets: ["b"] }));
  });
  afterAll(() => s3.close());

  /** GetObject's and HeadObject's answers for `key`. */
  const reads = async (key: string) => [await client.send(new GetObjectCommand({ Bucket: "b", Key: key })), await client.send(new HeadObjectCommand({ Bucket: "b", Key: key }))];

  /** A raw signed PUT of `body` with `headers` (what no SDK call sends as it is). */
  const rawPut = async (key: string, headers: Record<string, string>, body: string) => {
    const url = new URL(`/b/${key}`, s3.endpoint);
    const { host: _host, ...signed } = await signS3("PUT", url, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers });
    return fetch(url, { method: "PUT", headers: signed, body });
  };

  it("serves a PutObject's Content-Disposition, Content-Encoding, Content-Language and Expires on GetObject and HeadObject", async () => {
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "put", Body: "x", ...sent }));
    for (const answer of await reads("put")) expect(served(answer)).toEqual(servedSent);
  });

  it("sets a response-* parameter over the stored header, the others as stored", async () => {
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "override", Body: "x", ...sent }));
    const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "override", ResponseContentLanguage: "fr", ResponseContentDisposition: "inline" }));
    expect(served(got)).toEqual(["inline", sent.ContentEncoding, "fr", servedSent[3]]);
  });

  it("keeps an Expires that is no date as it was sent, as S3 serves one (the SDKs' ExpiresString)", async () => {
    // aws/aws-sdk-ruby#1216 and aws/aws-sdk-js#4577: S3 answers with an Expires the SDK cannot parse, as it was stored.
    expect((await rawPut("odd-expires", { expires: "access plus 1 month" }, "x")).status).toBe(200);
    for (const answer of await reads("odd-expires")) expect([answer.ExpiresString, answer.Expires]).toEqual(["access plus 1 month", undefined]);
  });

  it("does not keep aws-chunked, the request's transfer coding, in the stored Content-Encoding", async () => {
    // "you can specify your custom content-encoding when using Signature Version 4 streaming API" (sigv4-streaming.html);
    // aws-chunked is how this request's body is sent, not how the object is encoded.
    const chunked = (encoding: string) => ({ "content-encoding": encoding, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length": "1" });
    expect((await rawPut("chunked-gzip", chunked("aws-chunked,gzip"), "1\r\nx\r\n0\r\n\r\n")).status).toBe(200);
    expect((await rawPut("chunked-only", chunked("aws-chunked"), "1\r\nx\r\n0\r\n\r\n")).status).toBe(200);
    const gzip = await client.send(new GetObjectCommand({ Bucket: "b", Key: "chunked-gzip" }));
    const plain = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "chunked-only" }));
    expect([await gzip.Body!.transformToString(), gzip.ContentEncoding, plain.ContentEncoding]).toEqual(["x", "gzip", undefined]);
  });

  it("reads aws-chunked as a Content-Encoding token in any case, never as part of another coding's name", async () => {
    // Content-Encoding is a comma-separated list of codings, and "All content codings are case-insensitive"
    // (RFC 9110 sections 8.4 and 8.4.1). "AWS-Chunked" was not decoded (the framing was stored as the object) though
    // the stored header left it out; "x-aws-chunked-z", another coding's name, was decoded as if it were aws-chunked.
    const unsigned = { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-decoded-content-length": "1" };
    expect((await rawPut("upper-chunked", { ...unsigned, "content-encoding": "AWS-Chunked, gzip" }, "1\r\nx\r\n0\r\n\r\n")).status).toBe(200);
    expect((await rawPut("named-like", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-encoding": "x-aws-chunked-z" }, "1\r\nx\r\n0\r\n\r\n")).status).toBe(200);
    const upper = await client.send(new GetObjectCommand({ Bucket: "b", Key: "upper-chunked" }));
    const named = await client.send(new GetObjectCommand({ Bucket: "b", Key: "named-like" }));
    expect([await upper.Body!.transformToString(), upper.ContentEncoding, await named.Body!.transformToString(), named.ContentEncoding]).toEqual(["x", "gzip", "1\r\nx\r\n0\r\n\r\n", "x-aws-chunked-z"]);
  });

  it("keeps a Content-Encoding that holds no aws-chunked as it was sent (\"gzip, br\" was served \"gzip,br\")", async () => {
    // S3 leaves out only the aws-chunked coding (sigv4-streaming.html); a value without it is the object's as sent.
    expect((await rawPut("two-codings", { "content-encoding": "gzip, br" }, "x")).status).toBe(200);
    for (const answer of await reads("two-codings")) expect(answer.ContentEncoding).toBe("gzip, br");
  });

  it("copies them with CopyObject (COPY), and takes the request's with REPLACE", async () => {
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "source", Body: "x", ...sent }));
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "copied", CopySource: "b/source" }));
    for (const answer of await reads("copied")) expect(served(answer)).toEqual(servedSent);
    await client.send(new CopyObjectCommand({ Bucket: "b", Key: "replaced", CopySource: "b/source", MetadataDirective: "REPLACE", ContentLanguage: "en" }));
    for (const answer of await reads("replaced")) expect(served(answer)).toEqual([undefined, undefined, "en", undefined]);
  });

  it("serves a multipart upload's, set at CreateMultipartUpload", async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: "parts", ...sent }));
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: "b", Key: "parts", UploadId, PartNumber: 1, Body: "x" }));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: "b", Key: "parts", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    for (const answer of await reads("parts")) expect(served(answer)).toEqual(servedSent);
  });

  it("takes them from a presigned PUT that signs them, and refuses one sent with another value", async () => {
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: "b", Key: "presigned", Body: "x", ContentDisposition: "attachment", ContentLanguage: "de" }), { expiresIn: 60 });
    const signedHeaders = new URL(url).searchParams.get("X-Amz-SignedHeaders")!.split(";");
    expect(signedHeaders).toEqual(expect.arrayContaining(["content-disposition", "content-language"]));
    const altered = await fetch(url, { method: "PUT", headers: { "content-disposition": "inline", "content-language": "de" }, body: "x" });
    expect([altered.status, /<Code>(\w+)</.exec(await altered.text())?.[1]]).toEqual([403, "SignatureDoesNotMatch"]);
    const put = await fetch(url, { method: "PUT", headers: { "content-disposition": "attachment", "content-language": "de" }, body: "x" });
    expect(put.status).toBe(200);
    for (const answer of await reads("presigned")) expect([answer.ContentDisposition, answer.ContentLanguage]).toEqual(["attachment", "de"]);
  });

  it("repeats Expires in a 304, as it repeats Cache-Control (RFC 9110 section 15.4.5)", async () => {
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "conditional", Body: "x", Expires: sent.Expires }));
    const { ETag } = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "conditional" }));
    const url = new URL("/b/conditional", s3.endpoint);
    const { host: _host, ...signed } = await signS3("GET", url, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "if-none-match": ETag! });
    const answer = await fetch(url, { headers: signed });
    expect([answer.status, answer.headers.get("expires")]).toEqual([304, servedSent[3]]);
  });
});

/**
 * User metadata a PUT sends RFC 2047-encoded is decoded before it is stored: "Values of such headers are character
 * decoded as per RFC 2047 before storing and encoded as per RFC 2047 to make them mail-safe before returning"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). The values and S3's answers are
 * LocalStack's tests recorded against AWS (test_user_metadata_rfc2047_encoded, test_user_metadata_rfc2047_bad_b64_encoded
 * in localstack/localstack tests/aws/services/s3/test_s3.py and its snapshot).
 */
describe("RFC 2047-encoded user metadata", () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    ({ server: s3, client } = await startLocalS3WithClient({ buckets: ["b"] }));
  });
  afterAll(() => s3.close());

  it("decodes a PUT's encoded words before storing them, and serves them as S3 does (they were stored encoded)", async () => {
    const Metadata = {
      "non-ascii": "=?UTF-8?Q?test=5F=E2=80=94=5Ffile%E2%80%94=5F=C3=A9=5F2=3F.pdf?=",
      "non-ascii-2": "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=",
      "non-ascii-binary": "=?UTF-8?B?AAECAw==?=",
      "replacement-chars": "=?UTF-8?B?77+977+977+977+977+977+977+9?=",
      "fake-encoded": "=?UTF-8?Q?actually-ascii?=",
      "asciib64-encoded": "=?UTF-8?B?YWJj?=",
      // Base64 with `=` where a letter should be: S3 answered the bytes FC 61 86 as UTF-8, U+FFFD "a" U+FFFD.
      "bad-b64-encoded": "=?UTF-8?B?=GGG?=",
      // Whitespace between adjacent encoded words is not part of the text (RFC 2047 section 6.2).
      split: "=?UTF-8?Q?caf=C3=A9_?= =?UTF-8?B?b2xl?=",
    };
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "encoded", Body: "", Metadata }));
    const got = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "encoded" }));
    expect(got.Metadata).toEqual({
      "non-ascii": "=?UTF-8?Q?test=5F=E2=80=94=5Ffile%E2%80%94=5F=C3=A9=5F2=3F.pdf?=",
      "non-ascii-2": "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=",
      "non-ascii-binary": "=?UTF-8?B?AAECAw==?=",
      "replacement-chars": "=?UTF-8?B?77+977+977+977+977+977+977+9?=",
      "fake-encoded": "actually-ascii",
      "asciib64-encoded": "abc",
      "bad-b64-encoded": "=?UTF-8?B?77+9Ye+/vQ==?=",
      split: "=?UTF-8?Q?caf=C3=A9_ole?=",
    });
  });

  it("leaves a word with no charset, only an RFC 2231 language, as it was sent (it was 500 InternalError)", async () => {
    const Metadata = { star: "=?*?Q?a?=", language: "=?*en?Q?a?=", "then-a-word": "=?*?Q?a?= =?UTF-8?Q?b?=" };
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "no-charset", Body: "", Metadata }));
    const got = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "no-charset" }));
    expect(got.Metadata).toEqual({ star: "=?*?Q?a?=", language: "=?*en?Q?a?=", "then-a-word": "=?*?Q?a?= b" });
  });

  it("decodes an ISO-8859-1 word as ISO-8859-1, 80-9F as C1 controls (served as a B word), not as windows-1252's euro sign", async () => {
    // TextDecoder's "iso-8859-1" is windows-1252 (WHATWG Encoding), which this Node decodes as ISO-8859-1 anyway
    // (nodejs/node#60888): a decoder that follows the standard, as a newer Node's or the server's own windows1252, reads =80
    // as the euro sign.
    const Metadata = { latin1: "=?ISO-8859-1?Q?caf=E9_=80?=", alias: "=?latin1?Q?=9F?=" };
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "latin1", Body: "", Metadata }));
    const got = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "latin1" }));
    // "café " and U+0080, as UTF-8 63 61 66 C3 A9 20 C2 80: a C1 control is Unicode's category C, so a B word; U+009F alike.
    const utf8 = (text: string) => Buffer.from(text, "utf8").toString("base64");
    expect(got.Metadata).toEqual({ latin1: `=?UTF-8?B?${utf8("caf\u00e9 \u0080")}?=`, alias: `=?UTF-8?B?${utf8("\u009f")}?=` });
  });

  it("decodes a windows-1252 word as windows-1252, 80-9F its own characters (=80 the euro sign), on any Node", async () => {
    // Node's TextDecoder("windows-1252") decodes as ISO-8859-1 since 20.18.3 and 22.13.0 (nodejs/node#60888), as this
    // Node's does: =80 was stored as U+0080 (served as a B word), not "€".
    const Metadata = { euro: "=?windows-1252?Q?=80_5=92?=", alias: "=?CP1252?B?iQ==?=" };
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "windows-1252", Body: "", Metadata }));
    const got = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "windows-1252" }));
    // "€ 5’" (E2 82 AC, space, 5, E2 80 99) and "‰" (89, E2 80 B0), printable: Q words.
    expect(got.Metadata).toEqual({ euro: "=?UTF-8?Q?=E2=82=AC_5=E2=80=99?=", alias: "=?UTF-8?Q?=E2=80=B0?=" });
  });

  it("serves a value that decodes to CR, LF or NUL as a B word, which a header can carry (Node's setHeader refuses the characters)", async () => {
    // S3 served the bytes 00-03 sent encoded as "=?UTF-8?B?AAECAw==?=" (test_user_metadata_rfc2047_encoded above).
    const Metadata = { "line-break": "=?UTF-8?Q?a=0D=0Ab?=", nul: "=?UTF-8?B?AA==?=" };
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "controls", Body: "", Metadata }));
    for (const read of [new GetObjectCommand({ Bucket: "b", Key: "controls" }), new HeadObjectCommand({ Bucket: "b", Key: "controls" })]) {
      expect((await client.send(read as GetObjectCommand)).Metadata).toEqual({ "line-break": "=?UTF-8?B?YQ0KYg==?=", nul: "=?UTF-8?B?AA==?=" });
    }
  });

  it("measures the 2 KB metadata limit on the decoded values", async () => {
    // 1,016 bytes of "é" (508 characters) Q-encoded is 3,048 characters: over 2 KB as sent, 1,016 bytes stored.
    const encoded = `=?UTF-8?Q?${"=C3=A9".repeat(508)}?=`;
    await client.send(new PutObjectCommand({ Bucket: "b", Key: "decoded-size", Body: "", Metadata: { m: encoded } }));
    const got = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "decoded-size" }));
    expect(got.Metadata).toEqual({ m: encoded });
  });
});
