/**
 * The gallery's S3 calls on original images. photos.ts imports this module on first use,
 * so routes that never touch S3 (listing) never evaluate the S3 SDK, and the named imports
 * keep only the commands used in the bundle.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { tracer } from "./api-http";

let client: S3Client | undefined;
function s3(): S3Client {
  client ??= tracer.captureAWSv3Client(
    new S3Client({
      // Emulators are addressed path-style (http://localhost:port/bucket/key).
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3),
      // Since 3.729 the SDK adds flexible checksums to every operation that supports them. A presigned
      // PutObject would then carry the CRC32 of the empty body it was signed with
      // (x-amz-checksum-crc32=AAAAAA==) and S3 refuses the user's real file with 400 BadDigest; presigned
      // GETs would carry x-amz-checksum-mode. Checksums only where an operation requires them.
      // https://docs.aws.amazon.com/sdkref/latest/guide/feature-dataintegrity.html
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
  );
  return client;
}

/** A URL the browser PUTs the original to: the content type and length are signed, so it must send exactly those. */
export function uploadUrl(bucket: string, key: string, contentType: string, size: number, expiresIn: number): Promise<string> {
  return getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: size }), {
    expiresIn,
    signableHeaders: new Set(["content-type", "content-length"]),
  });
}

export function downloadUrl(bucket: string, key: string, expiresIn: number): Promise<string> {
  return getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
}

/** The object's size, or undefined when there is no such object. */
export async function objectSize(bucket: string, key: string): Promise<number | undefined> {
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name === "NotFound" || status === 404) return undefined;
    throw error;
  }
}

export async function deleteObject(bucket: string, key: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
