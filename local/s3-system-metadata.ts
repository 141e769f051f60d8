/**
 * The system metadata an upload may set, besides Content-Type, that S3 keeps with the object and serves back as the
 * same headers on GetObject and HeadObject: "Cache-Control, Content-Disposition, Content-Encoding, Content-Language,
 * Expires" among the system-defined metadata "that you can modify" with PutObject, CopyObject (REPLACE),
 * CreateMultipartUpload or a POST form (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html,
 * "System-defined object metadata"; API_PutObject.html's request headers, API_GetObject.html's response headers).
 */
export interface StoredHeaders {
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
}

/** Each stored header's name on the wire (a request's, a form's field lower-cased, an answer's). */
export const STORED_HEADER_NAMES: Readonly<Record<keyof StoredHeaders, string>> = {
  cacheControl: "cache-control",
  contentDisposition: "content-disposition",
  contentEncoding: "content-encoding",
  contentLanguage: "content-language",
  expires: "expires",
};

const FIELDS = Object.keys(STORED_HEADER_NAMES) as Array<keyof StoredHeaders>;

/**
 * The stored headers `valueOf` gives by wire name (a request's headers, a form's fields), each absent when it gives none.
 * Content-Encoding without `aws-chunked`: that is how a streaming-signed request's body is sent (sigv4-streaming.html,
 * "Content-Encoding: aws-chunked"; "you can specify your custom content-encoding when using Signature Version 4
 * streaming API", `aws-chunked,gzip`, https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html), not how the
 * object is encoded, and S3 does not keep it: "Amazon S3 stores the resulting object without the aws-chunked value in
 * the content-encoding header. If aws-chunked is the only value that you pass in the content-encoding header, S3
 * considers the content-encoding header empty and does not return this header" (the same page, as adobe/S3Mock#2218
 * quotes it; the sentence was not read on AWS's page itself). LocalStack removes it too (its test of it is marked
 * only_localstack, resting on an AWS SDK maintainer's word, aws/aws-sdk-java-v2#5769), as does Ceph's RGW
 * (ceph/ceph#65219). A value without aws-chunked is kept as sent, its spacing too ("gzip, br" was served "gzip,br").
 * Not confirmed: how S3 spaces what is left when it takes aws-chunked out (joined here by ",", each coding trimmed).
 * Expires is kept as it is sent, a date or not: S3 serves
 * values no SDK can parse as a date, which is why the SDKs added ExpiresString (aws/aws-sdk-ruby#1216, "If Amazon S3
 * responds with `Expires: abc`"; aws/aws-sdk-js#4577).
 */
export function storedHeadersFrom(valueOf: (name: string) => string | undefined): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const field of FIELDS) {
    let value = valueOf(STORED_HEADER_NAMES[field]);
    if (value !== undefined && field === "contentEncoding" && hasAwsChunked(value)) {
      const named = codingsOf(value).filter((coding) => coding !== "" && !isAwsChunked(coding));
      value = named.length > 0 ? named.join(",") : undefined;
    }
    if (value !== undefined) stored[field] = value;
  }
  return stored;
}

/** An object's stored headers, member by member (a copy to another object, an upload's to its object). */
export function storedHeadersOf(from: StoredHeaders): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const field of FIELDS) if (from[field] !== undefined) stored[field] = from[field];
  return stored;
}

/** Whether each stored header of a record read back (JSON from the file store) is absent or a string. */
export function storedHeadersFine(record: Partial<Record<keyof StoredHeaders, unknown>>): boolean {
  return FIELDS.every((field) => record[field] === undefined || typeof record[field] === "string");
}

/** The stored headers as an answer's, by wire name, each value through `served` (absent and empty ones left out, as an empty Cache-Control always was). */
export function storedHeadersAnswer(stored: StoredHeaders, served: (value: string) => string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = stored[field];
    if (value) headers[STORED_HEADER_NAMES[field]] = served(value);
  }
  return headers;
}

/** A Content-Encoding's codings, each trimmed: "Content-Encoding = #content-coding" (https://www.rfc-editor.org/rfc/rfc9110#section-8.4). */
function codingsOf(contentEncoding: string): string[] {
  return contentEncoding.split(",").map((coding) => coding.trim());
}

/** Whether a coding is aws-chunked: "All content codings are case-insensitive" (https://www.rfc-editor.org/rfc/rfc9110#section-8.4.1). */
function isAwsChunked(coding: string): boolean {
  return coding.toLowerCase() === "aws-chunked";
}

/**
 * Whether a Content-Encoding (undefined: none) lists aws-chunked among its codings, in any case (sigv4-streaming.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html): the one test of a request's body being sent in
 * it (s3-server.ts, isAwsChunked) and of its being left out of the stored header (storedHeadersFrom). The body's test
 * matched the text anywhere, in one case: "AWS-Chunked" was not decoded though it was left out of the stored header,
 * and another coding holding the text was decoded.
 */
export function hasAwsChunked(contentEncoding: string | undefined): boolean {
  return contentEncoding !== undefined && codingsOf(contentEncoding).some(isAwsChunked);
}
