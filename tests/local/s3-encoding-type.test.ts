/**
 * The local S3 server's listings under `encoding-type=url` (ListObjectsV2, ListObjects, ListMultipartUploads): the
 * key-like elements URL-encoded and `<EncodingType>url</EncodingType>` sent, as S3 does, so that a client decoding them
 * the way the SDKs do (botocore's unquote_plus, Go's url.QueryUnescape) gets the exact key; another value refused.
 */
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS, type LocalS3 } from "../../local/s3-server";
import { signS3, startLocalS3WithClient } from "../harness/s3-local";
import { expectNoRawNonChars } from "./s3-xml10";

let s3: LocalS3;
let client: S3Client;
beforeAll(async () => {
  ({ server: s3, client } = await startLocalS3WithClient({ buckets: ["photos"] }));
  for (const key of KEYS) await client.send(new PutObjectCommand({ Bucket: "photos", Key: key, Body: "x" }));
});
afterAll(() => s3.close());

/** Keys holding a space, a `+`, non-ASCII, a control character and `/`, in S3's (code point) order. */
const KEYS = ["enc/a b.txt", "enc/a+b.txt", "enc/c\x01d", "enc/run books/x.txt", "enc/ü/€.txt"];

async function list(query: Record<string, string>): Promise<{ status: number; text: string }> {
  // Each value percent-encoded as the SDKs write it (a space as %20, not URLSearchParams' `+`).
  return listRaw(Object.entries(query).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&"));
}

/** A signed GET of the bucket with `search` as the query string, exactly as written. */
async function listRaw(search: string): Promise<{ status: number; text: string }> {
  const url = new URL(`/photos?${search}`, s3.endpoint);
  const { host: _host, ...headers } = await signS3("GET", url, { "x-amz-content-sha256": createHash("sha256").update("").digest("hex") });
  const response = await fetch(url, { headers });
  return { status: response.status, text: await response.text() };
}

/** Every value of `<name>` in `xml` (not XML-unescaped: the encoded values are plain ASCII). */
const all = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1]);
const one = (xml: string, name: string) => all(xml, name)[0];
/** How botocore decodes a listing it asked to be encoded (decode_list_object: urllib.parse.unquote_plus). */
const unquotePlus = (value: string) => decodeURIComponent(value.replace(/\+/g, " "));

describe("local S3: listings under encoding-type=url as S3 encodes them", () => {
  it("ListObjectsV2 encodes Key, CommonPrefixes' Prefix, Prefix and Delimiter, and says EncodingType url", async () => {
    const { status, text } = await list({ "list-type": "2", "encoding-type": "url", prefix: "enc/", delimiter: "/" });
    expect(status).toBe(200);
    expectNoRawNonChars(text);
    expect(one(text, "EncodingType")).toBe("url");
    expect(all(text, "Key")).toEqual(["enc/a+b.txt", "enc/a%2Bb.txt", "enc/c%01d"]);
    expect(all(text, "Prefix")).toEqual(["enc/", "enc/run+books/", "enc/%C3%BC/"]);
    expect(one(text, "Delimiter")).toBe("/");
    expect(all(text, "Key").map(unquotePlus)).toEqual(["enc/a b.txt", "enc/a+b.txt", "enc/c\x01d"]);
    expect(all(text, "Prefix").slice(1).map(unquotePlus)).toEqual(["enc/run books/", "enc/ü/"]);
  });

  it("encodes the echoed Prefix, Delimiter and StartAfter when they hold such characters", async () => {
    const { text } = await list({ "list-type": "2", "encoding-type": "url", prefix: "enc/ü", delimiter: "€", "start-after": "enc/a b.txt" });
    expect(one(text, "Prefix")).toBe("enc/%C3%BC");
    expect(one(text, "Delimiter")).toBe("%E2%82%AC");
    expect(one(text, "StartAfter")).toBe("enc/a+b.txt");
    expect(all(text, "Prefix").slice(1)).toEqual(["enc/%C3%BC/%E2%82%AC"]);
  });

  it("pages through such keys with continuation tokens and after StartAfter, each key once and exact when decoded", async () => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const { text } = await list({ "list-type": "2", "encoding-type": "url", prefix: "enc/", "max-keys": "1", ...(token ? { "continuation-token": token } : {}) });
      expect(one(text, "EncodingType")).toBe("url");
      keys.push(...all(text, "Key").map(unquotePlus));
      token = one(text, "NextContinuationToken");
    } while (token);
    expect(keys).toEqual(KEYS);
    const after = await list({ "list-type": "2", "encoding-type": "url", prefix: "enc/", "start-after": "enc/a b.txt" });
    expect(all(after.text, "Key").map(unquotePlus)).toEqual(KEYS.slice(1));
  });

  it("ListObjects (v1) encodes Key, Prefix, Delimiter, Marker and NextMarker; a client continuing from the decoded NextMarker lists each once", async () => {
    const first = await list({ "encoding-type": "url", prefix: "enc/", delimiter: "/", "max-keys": "3", marker: "enc/a b.txt" });
    expect(first.status).toBe(200);
    expect(one(first.text, "EncodingType")).toBe("url");
    expect(one(first.text, "Marker")).toBe("enc/a+b.txt");
    expect(all(first.text, "Key")).toEqual(["enc/a%2Bb.txt", "enc/c%01d"]);
    expect(one(first.text, "NextMarker")).toBe("enc/run+books/");
    const rest = await list({ "encoding-type": "url", prefix: "enc/", delimiter: "/", marker: unquotePlus(one(first.text, "NextMarker")) });
    expect(all(rest.text, "Prefix").slice(1).map(unquotePlus)).toEqual(["enc/ü/"]);
    expect(all(rest.text, "Key")).toEqual([]);
  });

  it("ListMultipartUploads encodes Key, KeyMarker, NextKeyMarker, Prefix and Delimiter", async () => {
    const keys = ["up/a b+ü\x01", "up/z z"];
    const ids: string[] = [];
    for (const key of keys) ids.push((await client.send(new CreateMultipartUploadCommand({ Bucket: "photos", Key: key }))).UploadId!);
    try {
      const first = await list({ uploads: "", "encoding-type": "url", prefix: "up/", "max-uploads": "1" });
      expect(first.status).toBe(200);
      expectNoRawNonChars(first.text);
      expect(one(first.text, "EncodingType")).toBe("url");
      expect(all(first.text, "Key")).toEqual(["up/a+b%2B%C3%BC%01"]);
      expect(one(first.text, "NextKeyMarker")).toBe("up/a+b%2B%C3%BC%01");
      const rest = await list({ uploads: "", "encoding-type": "url", prefix: "up/", delimiter: " ", "key-marker": unquotePlus(one(first.text, "NextKeyMarker")) });
      expect(one(rest.text, "KeyMarker")).toBe("up/a+b%2B%C3%BC%01");
      expect(one(rest.text, "Delimiter")).toBe("+");
      expect(all(rest.text, "Prefix")).toEqual(["up/", "up/z+"]);
    } finally {
      for (const [i, key] of keys.entries()) await client.send(new AbortMultipartUploadCommand({ Bucket: "photos", Key: key, UploadId: ids[i] }));
    }
  });

  it("sends no EncodingType and raw keys without encoding-type", async () => {
    const { text } = await list({ "list-type": "2", prefix: "enc/a" });
    expect(text).not.toContain("<EncodingType>");
    expect(all(text, "Key")).toEqual(["enc/a b.txt", "enc/a+b.txt"]);
  });

  it.each([
    ["ListObjectsV2", { "list-type": "2" }],
    ["ListObjects", {}],
    ["ListMultipartUploads", { uploads: "" }],
  ])("%s refuses another encoding-type as S3 does (400 InvalidArgument)", async (_operation, query) => {
    const { status, text } = await list({ ...query, "encoding-type": "base64" });
    expect([status, one(text, "Code"), one(text, "Message"), one(text, "ArgumentName"), one(text, "ArgumentValue")]).toEqual([400, "InvalidArgument", "Invalid Encoding Method specified in Request", "encoding-type", "base64"]);
  });
});

describe("local S3: encoding-type=url with awkward keys and clients", () => {
  /** A `%`, a `+` beside a space, the API reference's `test_file(3).png`, and U+FFFD (three UTF-8 bytes), in S3's order. */
  const ODD = ["odd/100%.csv", "odd/a+b c", "odd/test_file(3).png", "odd/\uFFFD"];
  beforeAll(async () => {
    for (const key of ODD) await client.send(new PutObjectCommand({ Bucket: "photos", Key: key, Body: key }));
  });

  it("encodes `%`, `+`, space, parentheses and U+FFFD so each decodes back to the key, and GetObject of the decoded key finds it", async () => {
    const { text } = await list({ "list-type": "2", "encoding-type": "url", prefix: "odd/" });
    // API_ListObjectsV2.html (EncodingType): "the object test_file(3).png will appear as test_file%283%29.png".
    expect(all(text, "Key")).toEqual(["odd/100%25.csv", "odd/a%2Bb+c", "odd/test_file%283%29.png", "odd/%EF%BF%BD"]);
    const decoded = all(text, "Key").map(unquotePlus);
    expect(decoded).toEqual(ODD);
    for (const key of decoded) expect(await (await client.send(new GetObjectCommand({ Bucket: "photos", Key: key }))).Body!.transformToString()).toBe(key);
  });

  it("@aws-sdk/client-s3 sending EncodingType url gets the encoded keys and EncodingType back (the JS SDK does not decode them)", async () => {
    const v2 = await client.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "odd/", EncodingType: "url", MaxKeys: 2 }));
    expect([v2.EncodingType, v2.Contents?.map((o) => o.Key)]).toEqual(["url", ["odd/100%25.csv", "odd/a%2Bb+c"]]);
    const rest = await client.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "odd/", EncodingType: "url", ContinuationToken: v2.NextContinuationToken }));
    expect(rest.Contents?.map((o) => o.Key)).toEqual(["odd/test_file%283%29.png", "odd/%EF%BF%BD"]);
    // ListObjects (v1) continues from the decoded NextMarker, the key itself, as S3 reads `marker`.
    const v1 = await client.send(new ListObjectsCommand({ Bucket: "photos", Prefix: "odd/", Delimiter: "/", EncodingType: "url", MaxKeys: 1 }));
    expect([v1.EncodingType, v1.Contents?.map((o) => o.Key), v1.NextMarker]).toEqual(["url", ["odd/100%25.csv"], "odd/100%25.csv"]);
    const after = await client.send(new ListObjectsCommand({ Bucket: "photos", Prefix: "odd/", EncodingType: "url", Marker: unquotePlus(v1.NextMarker!) }));
    expect([after.Marker, after.Contents?.map((o) => o.Key)]).toEqual(["odd/100%25.csv", ["odd/a%2Bb+c", "odd/test_file%283%29.png", "odd/%EF%BF%BD"]]);
    const plain = await client.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "odd/" }));
    expect([plain.EncodingType, plain.Contents?.map((o) => o.Key)]).toEqual([undefined, ODD]);
  });

  it.each([
    ["an empty value", "list-type=2&encoding-type=", "InvalidArgument"],
    ["the value in upper case", "list-type=2&encoding-type=URL", "InvalidArgument"],
    ["no value at all", "list-type=2&encoding-type", "InvalidArgument"],
    ["a ListMultipartUploads with an empty value", "uploads&encoding-type=", "InvalidArgument"],
    // Refused before the listing reads it, as a query that is not UTF-8 is.
    ["a percent-encoded non-UTF-8 value", "encoding-type=%FF", "InvalidURI"],
  ])("answers %s (%s) with a 400, not a crash", async (_case, search, code) => {
    const response = await listRaw(search);
    expect([response.status, one(response.text, "Code")]).toEqual([400, code]);
  });

  it.each([
    ["url twice", ["url", "url"], 200],
    ["url then another value", ["url", "base64"], 200],
    ["another value then url", ["base64", "url"], 400],
  ])("answers encoding-type given %s (the first one counts) without crashing", async (_case, values, status) => {
    // The first value counts, as the server reads any repeated parameter (param); what S3 answers is not confirmed.
    // Signed with the repeated parameter itself (signS3 keeps one value per name), as an SDK would sign it.
    const url = new URL(`/photos?list-type=2&prefix=odd%2F&${values.map((v) => `encoding-type=${v}`).join("&")}`, s3.endpoint);
    const signer = new SignatureV4({ credentials: LOCAL_CREDENTIALS, region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({
      method: "GET", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname,
      query: { "list-type": "2", prefix: "odd/", "encoding-type": values },
      headers: { host: url.host, "x-amz-content-sha256": createHash("sha256").update("").digest("hex") },
    });
    const { host: _host, ...headers } = signed.headers as Record<string, string>;
    const response = await fetch(url, { headers });
    const text = await response.text();
    expect([response.status, status === 200 ? one(text, "EncodingType") : one(text, "Code")]).toEqual([status, status === 200 ? "url" : "InvalidArgument"]);
  });
});
