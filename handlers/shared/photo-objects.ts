/**
 * The gallery's S3 calls on original images: presigned PUT/GET URLs, HEAD and DELETE.
 *
 * Signed with SigV4 (`@smithy/signature-v4`, which the DynamoDB client already brings; ./sigv4.ts) and
 * sent with `fetch`, instead of `@aws-sdk/client-s3` + `@aws-sdk/s3-request-presigner`: those
 * are ≈125 KB of the photos bundle for four requests (docs/performance.md). What they did
 * that matters here is kept: virtual-hosted addressing (path-style for the emulator's
 * endpoint and for bucket names with dots, as the SDK does), `UNSIGNED-PAYLOAD` presigned
 * URLs with the upload's content type and length signed, no flexible checksums (a presigned
 * PUT must not carry the CRC32 of the empty body it was signed with), the function's
 * credentials from the SDK's default chain, the SDK's retries (with a time limit per attempt), and an X-Ray subsegment
 * per call.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
import type { HttpRequest as SignableRequest } from "@smithy/types";
import { AwsServiceError, withRetries, type AwsMetadata } from "./retries";
import { regionOr } from "./regions";
import { encode, signerFor } from "./sigv4";
import { traceCall } from "./xray";

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/**
 * The upload bucket's region, which every request and presigned URL is signed for and addressed to. It is not always
 * the function's: RegionalApis runs the API in other regions too, whose functions still use the home region's bucket
 * (`UPLOAD_BUCKET_REGION`), and S3 refuses a signature scoped to another region (AuthorizationHeaderMalformed).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 */
export function bucketRegion(): string {
  return regionOr(process.env.UPLOAD_BUCKET_REGION);
}

/** S3 signs the path as sent (no second URI encoding) and takes the payload hash from x-amz-content-sha256. */
const s3Signer = (region: string) => signerFor("s3", region, { uriEscapePath: false, applyChecksum: false });

/** The request for `key` in `bucket`: the emulator's endpoint path-style, AWS virtual-hosted. */
function objectRequest(method: string, bucket: string, key: string, region: string, headers: Record<string, string> = {}): SignableRequest {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const encodedKey = key.split("/").map(encode).join("/");
  let base: URL;
  let path: string;
  if (endpoint) {
    base = new URL(endpoint);
    path = `${base.pathname.replace(/\/$/, "")}/${encode(bucket)}/${encodedKey}`;
  } else if (bucket.includes(".")) {
    // A dotted name breaks the *.s3 wildcard certificate: the SDK addresses those path-style too.
    base = new URL(`https://s3.${region}.amazonaws.com`);
    path = `/${bucket}/${encodedKey}`;
  } else {
    base = new URL(`https://${bucket}.s3.${region}.amazonaws.com`);
    path = `/${encodedKey}`;
  }
  return {
    method,
    protocol: base.protocol,
    hostname: base.hostname,
    ...(base.port ? { port: Number(base.port) } : {}),
    path,
    query: {},
    headers: { host: base.host, "x-amz-content-sha256": UNSIGNED_PAYLOAD, ...headers },
  };
}

function urlOf(request: SignableRequest): string {
  const query = Object.entries(request.query ?? {})
    .map(([name, value]) => `${encode(name)}=${encode(String(value))}`)
    .join("&");
  return `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ""}${request.path}${query ? `?${query}` : ""}`;
}

/** A presigned URL; `signed` are the headers the browser must send exactly (the rest of the request is in the query). */
async function presign(request: SignableRequest, region: string, expiresIn: number, signed: string[] = []): Promise<string> {
  const presigned = await s3Signer(region).presign(request, { expiresIn, signableHeaders: new Set(signed) });
  return urlOf(presigned);
}

/** A URL the browser PUTs the original to: the content type and length are signed, so it must send exactly those. */
export function uploadUrl(bucket: string, key: string, contentType: string, size: number, expiresIn: number): Promise<string> {
  const region = bucketRegion();
  return presign(objectRequest("PUT", bucket, key, region, { "content-type": contentType, "content-length": String(size) }), region, expiresIn, ["content-type", "content-length"]);
}

/** A presigned GET of `key` in `bucket`, which is in `region` (a replica's is not the upload bucket's). */
export function downloadUrl(bucket: string, key: string, expiresIn: number, region = bucketRegion()): Promise<string> {
  return presign(objectRequest("GET", bucket, key, region), region, expiresIn);
}

interface Sent {
  status: number;
  headers: Headers;
  $metadata: AwsMetadata;
}

/**
 * Signs and sends a request without a body, retried and time-limited per attempt as the SDK's standard retry mode
 * (./retries.ts; HEAD and DELETE are idempotent), with an X-Ray subsegment as the SDK's instrumented client had.
 */
function send(operation: string, method: string, bucket: string, key: string, region = bucketRegion()): Promise<Sent> {
  return traceCall(
    { service: "S3", operation, input: { Bucket: bucket, Key: key }, region: async () => region },
    (traceHeader) =>
      withRetries(async (signal) => {
        const request = objectRequest(method, bucket, key, region, traceHeader ? { "x-amzn-trace-id": traceHeader } : {});
        const signed = await s3Signer(region).sign(request);
        const response = await fetch(urlOf(signed), { method, headers: signed.headers, signal });
        const $metadata = { httpStatusCode: response.status, requestId: response.headers.get("x-amz-request-id") ?? undefined, extendedRequestId: response.headers.get("x-amz-id-2") ?? undefined };
        const body = await response.text();
        if (response.status >= 300 && !(method === "HEAD" && response.status === 404)) {
          const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `S3 ${response.status}`;
          const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? `${operation} ${bucket}/${key} failed`;
          throw new AwsServiceError(code, message, $metadata);
        }
        return { status: response.status, headers: response.headers, $metadata };
      }),
    (sent) => sent.$metadata,
  );
}

/** The object's size, or undefined when there is no such object. */
export async function objectSize(bucket: string, key: string, region = bucketRegion()): Promise<number | undefined> {
  const head = await send("HeadObject", "HEAD", bucket, key, region);
  if (head.status === 404) return undefined;
  return Number(head.headers.get("content-length") ?? 0);
}

/** Deletes the object (S3 answers 204 whether or not it existed). */
export async function deleteObject(bucket: string, key: string): Promise<void> {
  await send("DeleteObject", "DELETE", bucket, key);
}

/** Some of deleteObjects' keys that were not deleted, with the first failure as the cause. */
export class ObjectsNotDeleted extends Error {
  constructor(
    readonly bucket: string,
    readonly keys: readonly string[],
    cause: Error,
  ) {
    super(`${keys.length} object(s) not deleted from ${bucket} (${cause.name}: ${cause.message}): ${keys.join(", ")}`, { cause });
    this.name = "ObjectsNotDeleted";
  }
}

/**
 * Deletes every key, each to the end even when another fails, then rejects with ObjectsNotDeleted naming those that
 * failed. Settling all first: a function that returned on the first failure would be frozen with deletes still on
 * their way, and could not say which keys are left.
 */
export async function deleteObjects(bucket: string, keys: readonly string[]): Promise<void> {
  const deletes = await Promise.allSettled(keys.map((key) => deleteObject(bucket, key)));
  const failed = keys.filter((_, i) => deletes[i].status === "rejected");
  if (failed.length === 0) return;
  throw new ObjectsNotDeleted(bucket, failed, (deletes.find((d) => d.status === "rejected") as PromiseRejectedResult).reason as Error);
}
