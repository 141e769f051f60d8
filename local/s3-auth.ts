/**
 * What S3 checks before it acts on a request, for the local S3 server (local/s3-server.ts):
 * the SigV4 signature — Authorization header or presigned query — against the local
 * credentials, expiry and clock skew, `x-amz-*` headers nobody signed, and then the body
 * against everything the request declares about it (x-amz-content-sha256, the aws-chunked
 * chunk signatures, decoded length and trailer, Content-MD5, x-amz-checksum-*). Every failure is an `S3Error`
 * carrying the status, code and message S3 answers with.
 *
 * The SigV4 pieces every service shares (the Authorization header, the credential scope, the
 * signature computed with the SDK's own signer) are local/sigv4-verify.ts's; what is here is S3's.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Crc32, Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import { Md5 } from "@aws-sdk/checksums/md5";
import { Sha1, Sha256 } from "@aws-sdk/checksums/sha";
import { MAX_PRESIGNED_TTL, UNSIGNED_PAYLOAD } from "@smithy/signature-v4";
import {
  ALGORITHM_IDENTIFIER,
  authorizationFields,
  computeSignature,
  dateHeaderAsLongDate,
  header,
  isLongDate,
  MAX_CLOCK_SKEW_MS,
  parseCredential as parseCredentialScope,
  parseLongDate,
  sameSignature,
  scopeSigner,
  scopeText,
  unsignedRequiredHeaders,
  type CredentialScope,
  type SignableRequest,
  type SignatureClaim,
  type SigV4Credentials,
} from "./sigv4-verify";

export { header, type SignableRequest };

/** An error response as S3 writes it: `<Error><Code>…</Code><Message>…</Message>{details}…</Error>`. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements S3 puts in the error document, e.g. `{ HeadersNotSigned: "x-amz-acl" }`. */
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * S3's answer to a request for a bucket that does not exist, any operation's: "NoSuchBucket: The specified bucket does
 * not exist", 404 (ErrorResponses.html), with the bucket's name in `<BucketName>` as S3 sends it (electron/apps#2157
 * quotes one).
 */
export function noSuchBucket(bucket: string): S3Error {
  return new S3Error(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket });
}

/**
 * S3's answer to a signature that is not the one it calculates: 403 SignatureDoesNotMatch with what it signed, in the
 * order S3 sends it — AWSAccessKeyId, StringToSign, SignatureProvided, StringToSignBytes, then CanonicalRequest and
 * CanonicalRequestBytes when there is a canonical request — each `…Bytes` the string's UTF-8 bytes as two-digit hex
 * separated by spaces. That order and form are from an answer of `Server: AmazonS3` to a header-signed PUT quoted in
 * full in rahim/fog-s3-issue (README.md, 2023-09-22), which has no Resource after them (s3-server.ts errorXml leaves
 * it out for this code). A chunk's or a trailer's signature (aws-chunked) and a POST
 * policy's have no canonical request: their answers carry the first four (the string to sign being the chunk's
 * `AWS4-HMAC-SHA256-PAYLOAD…` or the policy); not confirmed against S3, which may word those answers otherwise.
 */
export function signatureDoesNotMatch(accessKeyId: string, stringToSign: string, signatureProvided: string, canonicalRequest?: string): S3Error {
  const bytes = (text: string) => [...Buffer.from(text, "utf8")].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  return new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", {
    AWSAccessKeyId: accessKeyId,
    StringToSign: stringToSign,
    SignatureProvided: signatureProvided,
    StringToSignBytes: bytes(stringToSign),
    ...(canonicalRequest !== undefined && { CanonicalRequest: canonicalRequest, CanonicalRequestBytes: bytes(canonicalRequest) }),
  });
}

export type S3Credentials = SigV4Credentials;

export interface Authenticated {
  accessKeyId: string;
  presigned: boolean;
  /** The payload hash the signature covers: a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* mode. */
  payloadHash: string;
  /** What a signed aws-chunked body's chunk signatures chain from (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] only). */
  chunkSeed?: ChunkSeed;
}

/** The request's own signature and what it was signed with: the first link of its chunk signatures (ChunkSignatures). */
export interface ChunkSeed {
  signature: string;
  longDate: string;
  scope: CredentialScope;
  credentials: S3Credentials;
  /** Whether a signed trailer (x-amz-trailer-signature) follows the last chunk. */
  trailer: boolean;
}

export interface VerifyOptions {
  credentials: readonly S3Credentials[];
  /** The bucket's region; a signature scoped to another region is refused. Undefined: any region. */
  region?: string;
  now?: Date;
}

const ACCESS_DENIED = () => new S3Error(403, "AccessDenied", "Access Denied");
// Signature Version 2 is not accepted by buckets created since 2020 (https://docs.aws.amazon.com/AmazonS3/latest/API/specify-signature-version.html#UsingAWSSDK-sig2-deprecation).
const UNSUPPORTED_MECHANISM = () => new S3Error(400, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
// Header-signed requests may be at most 15 minutes off the server's clock
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html).
/** x-amz-content-sha256 values other than a hex digest (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html). */
const PAYLOAD_MODES = new Set([
  UNSIGNED_PAYLOAD,
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
]);

/**
 * The payload modes whose chunks carry HMAC signatures (ChunkSignatures), and whether a signed trailer follows. The
 * ECDSA (SigV4a) modes are not among them: their chunks are decoded unchecked, and an `AWS4-ECDSA-P256-SHA256`
 * Authorization header is refused anyway (UNSUPPORTED_MECHANISM).
 */
const SIGNED_CHUNKS: Record<string, "chunks" | "trailer" | undefined> = {
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": "chunks",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": "trailer",
};

/**
 * Verifies the request's SigV4 signature, header or presigned, as S3 does
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html);
 * throws the S3Error S3 answers with. The buckets this server stands in for are private, so an
 * anonymous request is AccessDenied.
 */
export async function authenticate(request: SignableRequest, options: VerifyOptions): Promise<Authenticated> {
  const authorization = header(request.headers, "authorization");
  const presigned = "X-Amz-Algorithm" in request.query || "X-Amz-Signature" in request.query;
  if ("Signature" in request.query && "AWSAccessKeyId" in request.query) throw UNSUPPORTED_MECHANISM();
  if (authorization && presigned) {
    throw new S3Error(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
  }
  if (!authorization && !presigned) throw ACCESS_DENIED();
  const signed = authorization ? parseAuthorizationHeader(authorization, request.headers) : parsePresignedQuery(request.query);

  const credentials = options.credentials.find((c) => c.accessKeyId === signed.accessKeyId);
  if (!credentials) throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", { AWSAccessKeyId: signed.accessKeyId });
  if (signed.scope.service !== "s3") throw signed.malformed(`incorrect service "${signed.scope.service}". This endpoint belongs to "s3".`);
  if (signed.scope.terminator !== "aws4_request") throw signed.malformed(`incorrect terminal "${signed.scope.terminator}". This endpoint uses "aws4_request".`);
  if (options.region && signed.scope.region !== options.region) throw signed.malformed(`the region '${signed.scope.region}' is wrong; expecting '${options.region}'`);
  if (signed.scope.date !== signed.longDate.slice(0, 8)) throw signed.malformed("Invalid credential date. Date is not the same as X-Amz-Date.");

  const now = options.now ?? new Date();
  const signedAt = parseLongDate(signed.longDate);
  if (signed.expires !== undefined) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html: X-Amz-Expires is 1 to 604800 seconds.
    if (!Number.isInteger(signed.expires) || signed.expires < 0) throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires should be a number");
    if (signed.expires > MAX_PRESIGNED_TTL) throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 7 days");
    if (now.getTime() > signedAt.getTime() + signed.expires * 1000) {
      throw new S3Error(403, "AccessDenied", "Request has expired", {
        "X-Amz-Expires": String(signed.expires),
        Expires: new Date(signedAt.getTime() + signed.expires * 1000).toISOString(),
        ServerTime: now.toISOString(),
      });
    }
  } else if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", {
      RequestTime: signed.longDate,
      ServerTime: now.toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_CLOCK_SKEW_MS),
    });
  }

  // Every x-amz-* header must be signed, and host always
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html, "SignedHeaders").
  const unsigned = unsignedRequiredHeaders(request.headers, signed.signedHeaders, ["x-amz-content-sha256"]);
  if (unsigned.length > 0) throw new S3Error(403, "AccessDenied", "There were headers present in the request which were not signed", { HeadersNotSigned: unsigned.join(", ") });

  // S3 signs the path as sent (uriEscapePath false), as the SDK's S3 client does: no normalising, no double encoding.
  const expected = await computeSignature(request, signed, credentials, { payloadHash: signed.payloadHash, uriEscapePath: false });
  if (!sameSignature(expected.signature, signed.signature)) {
    throw signatureDoesNotMatch(signed.accessKeyId, expected.stringToSign, signed.signature, expected.canonicalRequest);
  }
  const chunked = SIGNED_CHUNKS[signed.payloadHash];
  const chunkSeed = chunked && { signature: signed.signature, longDate: signed.longDate, scope: signed.scope, credentials, trailer: chunked === "trailer" };
  return { accessKeyId: signed.accessKeyId, presigned: signed.expires !== undefined, payloadHash: signed.payloadHash, ...(chunkSeed && { chunkSeed }) };
}

interface SignedParts extends SignatureClaim {
  payloadHash: string;
  /** Seconds a presigned URL is valid; undefined for header-signed requests. */
  expires?: number;
  /** The error S3 gives for a malformed credential of this kind of request. */
  malformed(reason: string): S3Error;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=…` */
function parseAuthorizationHeader(authorization: string, headers: IncomingHttpHeaders): SignedParts {
  const malformed = (reason: string) => new S3Error(400, "AuthorizationHeaderMalformed", `The authorization header is malformed; ${reason}`);
  const fields = authorizationFields(authorization);
  if (!fields) throw UNSUPPORTED_MECHANISM();
  if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) throw malformed("the Credential, SignedHeaders and Signature parts are required.");
  const longDate = header(headers, "x-amz-date") ?? dateHeaderAsLongDate(header(headers, "date"));
  if (!longDate) throw new S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  const payloadHash = header(headers, "x-amz-content-sha256");
  if (!payloadHash) throw new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  if (!PAYLOAD_MODES.has(payloadHash) && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new S3Error(400, "InvalidArgument", `x-amz-content-sha256 must be ${[...PAYLOAD_MODES].join(", ")} or a valid sha256 value.`);
  }
  return {
    ...parseCredential(fields.Credential, malformed),
    longDate: validLongDate(longDate, () => new S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")),
    signedHeaders: fields.SignedHeaders.split(";"),
    signature: fields.Signature,
    payloadHash,
    malformed,
  };
}

/** `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Date=…&X-Amz-Expires=…&X-Amz-SignedHeaders=…&X-Amz-Signature=…` */
function parsePresignedQuery(query: SignableRequest["query"]): SignedParts {
  const malformed = (reason: string) => new S3Error(400, "AuthorizationQueryParametersError", `Error parsing the X-Amz-Credential parameter; ${reason}`);
  const get = (name: string) => single(query[name]);
  const [algorithm, credential, longDate, expires, signedHeaders, signature] = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"].map(get);
  if (!algorithm || !credential || !longDate || expires === undefined || !signedHeaders || !signature) {
    throw new S3Error(400, "AuthorizationQueryParametersError", "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
  }
  if (algorithm !== ALGORITHM_IDENTIFIER) throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  return {
    ...parseCredential(credential, malformed),
    longDate: validLongDate(longDate, () => new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")),
    signedHeaders: signedHeaders.split(";"),
    signature,
    // A presigned URL cannot know the body: the SDKs sign UNSIGNED-PAYLOAD, which the SDK also puts in the query.
    payloadHash: get("X-Amz-Content-Sha256") ?? UNSIGNED_PAYLOAD,
    expires: /^\d+$/.test(expires) ? Number(expires) : Number.NaN,
    malformed,
  };
}

function parseCredential(credential: string, malformed: (reason: string) => S3Error): Pick<SignedParts, "accessKeyId" | "scope"> {
  const parsed = parseCredentialScope(credential);
  if (!parsed) throw malformed(`a non-empty Access Key (AKID) must be provided in the credential.`);
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// The body

/** Flexible checksum algorithms and their digest sizes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html). */
const CHECKSUMS = {
  crc32: { name: "CRC32", bytes: 4, create: (): Checksum => new Crc32() },
  crc32c: { name: "CRC32C", bytes: 4, create: (): Checksum => new Crc32c() },
  crc64nvme: { name: "CRC64NVME", bytes: 8, create: (): Checksum => new Crc64Nvme() },
  sha1: { name: "SHA1", bytes: 20, create: (): Checksum => new Sha1() },
  sha256: { name: "SHA256", bytes: 32, create: (): Checksum => new Sha256() },
} as const;
type ChecksumAlgorithm = keyof typeof CHECKSUMS;
/** Whether `name` (lower case: `crc32`, as in `x-amz-checksum-crc32`) is one of S3's checksum algorithms (CHECKSUMS). */
export const isChecksumAlgorithm = (name: string): name is ChecksumAlgorithm => Object.hasOwn(CHECKSUMS, name);

/**
 * The digests a body is checked against (verifyBody), fed as its bytes arrive so that no body need be held whole: the
 * SHA-256 of the payload as sent when the signature covers one, and of the object bytes (decoded from aws-chunked)
 * the MD5 when Content-MD5 is sent and each flexible checksum the request declares (declaredChecksums). Made from the
 * request's headers, before its body is read.
 */
export class BodyDigests {
  private readonly rawHash?: Checksum;
  private readonly bodyHashes = new Map<"md5" | ChecksumAlgorithm, Checksum>();
  /** The object bytes seen so far. */
  length = 0;
  constructor(request: SignableRequest, auth: Authenticated) {
    if (/^[0-9a-f]{64}$/.test(auth.payloadHash)) this.rawHash = new Sha256();
    if (header(request.headers, "content-md5") !== undefined) this.bodyHashes.set("md5", new Md5());
    for (const name of declaredChecksums(request, auth).declared) {
      const algorithm = name.slice("x-amz-checksum-".length) as ChecksumAlgorithm;
      if (!this.bodyHashes.has(algorithm)) this.bodyHashes.set(algorithm, CHECKSUMS[algorithm].create());
    }
  }
  /** Bytes of the payload as sent. */
  raw(chunk: Uint8Array): void {
    this.rawHash?.update(chunk);
  }
  /** Bytes of the object (the payload itself, or decoded from aws-chunked). */
  body(chunk: Uint8Array): void {
    this.length += chunk.length;
    for (const hash of this.bodyHashes.values()) hash.update(chunk);
  }
  /** The payload's SHA-256, hex (only when the signature covers a payload hash). */
  async rawSha256(): Promise<string> {
    return Buffer.from(await this.rawHash!.digest()).toString("hex");
  }
  /** The object bytes' digest by `algorithm`, base64 (only one the constructor set up). */
  async bodyDigest(algorithm: "md5" | ChecksumAlgorithm): Promise<string> {
    return Buffer.from(await this.bodyHashes.get(algorithm)!.digest()).toString("base64");
  }
  /** Both feeds at once, for a body sent as it is stored (not aws-chunked). */
  both(chunk: Uint8Array): void {
    this.raw(chunk);
    this.body(chunk);
  }
}

/** S3's answer to a body of another length than the request declares. */
export const lengthMismatch = (): S3Error => new S3Error(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header");

export interface ReceivedBody {
  /** The digests of the payload and of the object bytes, fed as they arrived; `length` is the object bytes'. */
  digests: BodyDigests;
  /** Trailing headers of an aws-chunked body, lowercased. */
  trailers: Record<string, string>;
  /** Whether the body came aws-chunked. */
  chunked: boolean;
  /** The chunk signatures to check as the aws-chunked body is decoded, when the request signs its chunks. */
  chunkSignatures?: ChunkSignatures;
}

/** The hex SHA-256 of nothing: what a chunk's string to sign has where a request's would have the headers' hash. */
const EMPTY_SHA256 = createHash("sha256").digest("hex");

/**
 * The chunk signatures of a signed aws-chunked body (x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-PAYLOAD or
 * -PAYLOAD-TRAILER), checked one chunk at a time as the body is decoded (decodeAwsChunked in local/s3-server.ts): each
 * chunk's `chunk-signature` is the HMAC, with the request's signing key, of
 * "AWS4-HMAC-SHA256-PAYLOAD\n" + date + "\n" + scope + "\n" + previous-signature + "\n" + hash("") + "\n" + hash(chunk-data),
 * the previous signature being the request's own (the seed) for the first chunk, and the final zero-length chunk signed
 * like the others (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html). With a trailer, the trailing
 * headers are signed last, x-amz-trailer-signature being the HMAC of
 * "AWS4-HMAC-SHA256-TRAILER\n" + date + "\n" + scope + "\n" + the final chunk's signature + "\n" + hash(trailing headers),
 * those headers written `name:value\n` each (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html;
 * the `\n` form is what reproduces that page's example signature, pinned in tests/local/s3-chunk-signatures.test.ts).
 * A wrong or missing signature is 403 SignatureDoesNotMatch naming the chunk's string to sign (signatureDoesNotMatch; S3's
 * answer to a missing one, and the elements of its answer for a chunk, are not confirmed).
 */
export class ChunkSignatures {
  private previous: string;
  private provided: string | undefined;
  private hash = createHash("sha256");
  /** The request's signing key, derived once for all its chunks and its trailer. */
  private readonly sign: (stringToSign: string) => string;
  constructor(private readonly seed: ChunkSeed) {
    this.previous = seed.signature;
    this.sign = scopeSigner(seed.scope, seed.credentials);
  }

  /** The chunk signatures `auth` asks for, or undefined when its chunks are not HMAC-signed. */
  static of(auth: Authenticated): ChunkSignatures | undefined {
    return auth.chunkSeed && new ChunkSignatures(auth.chunkSeed);
  }

  /** A chunk begins: its size line, `<hex size>;chunk-signature=<signature>`. */
  begin(sizeLine: string): void {
    this.provided = /;\s*chunk-signature=([^;]*)/.exec(sizeLine)?.[1].trim();
    this.hash = createHash("sha256");
  }

  /** Some of the current chunk's data. */
  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  /** The current chunk has all arrived (a zero-length one at its size line): its signature is checked. */
  end(): void {
    this.previous = this.check(["AWS4-HMAC-SHA256-PAYLOAD", EMPTY_SHA256, this.hash.digest("hex")], this.provided);
  }

  /** The trailing headers after the final chunk, lowercased, as sent: checked against x-amz-trailer-signature (trailer modes only). */
  trailer(trailers: Record<string, string>): void {
    if (!this.seed.trailer) return;
    const signed = Object.entries(trailers).filter(([name]) => name !== "x-amz-trailer-signature").map(([name, value]) => `${name}:${value}\n`).join("");
    this.previous = this.check(["AWS4-HMAC-SHA256-TRAILER", createHash("sha256").update(signed).digest("hex")], trailers["x-amz-trailer-signature"]);
  }

  /** The signature of `[algorithm, ...hashes]` chained from the previous one, if it is `provided`; else SignatureDoesNotMatch. */
  private check([algorithm, ...hashes]: string[], provided: string | undefined): string {
    const { longDate, scope, credentials } = this.seed;
    const stringToSign = [algorithm, longDate, scopeText(scope), this.previous, ...hashes].join("\n");
    const expected = this.sign(stringToSign);
    if (provided === undefined || !sameSignature(expected, provided)) {
      throw signatureDoesNotMatch(credentials.accessKeyId, stringToSign, provided ?? "");
    }
    return expected;
  }
}

/**
 * Checks the body against what the request declares, as S3 does before it stores anything:
 * the signed payload hash, the aws-chunked decoded length, Content-MD5, and one flexible checksum
 * (header, presigned query parameter or aws-chunked trailer) with x-amz-sdk-checksum-algorithm.
 */
export async function verifyBody(request: SignableRequest, auth: Authenticated, received: ReceivedBody): Promise<void> {
  const { digests } = received;
  if (/^[0-9a-f]{64}$/.test(auth.payloadHash)) {
    const computed = await digests.rawSha256();
    if (computed !== auth.payloadHash) {
      throw new S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: auth.payloadHash,
        S3ComputedContentSHA256: computed,
      });
    }
  }
  const decodedLength = header(request.headers, "x-amz-decoded-content-length");
  if (received.chunked && decodedLength !== undefined && Number(decodedLength) !== digests.length) throw lengthMismatch();

  const contentMd5 = header(request.headers, "content-md5");
  if (contentMd5 !== undefined) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (Content-MD5): InvalidDigest when malformed, BadDigest when different.
    if (decodedBase64(contentMd5)?.length !== 16) throw new S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.", { "Content-MD5": contentMd5 });
    const calculated = await digests.bodyDigest("md5");
    if (calculated !== contentMd5) throw new S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.", { ExpectedDigest: contentMd5, CalculatedDigest: calculated });
  }

  await verifyChecksum(request, auth, received);
}

/**
 * The flexible checksums a request declares — `x-amz-checksum-*` headers (or, presigned, query parameters) and the
 * one its x-amz-trailer names — and that trailer's name: known from the request line and headers, before the body.
 */
function declaredChecksums(request: SignableRequest, auth: Authenticated): { declared: string[]; trailer: string | undefined } {
  const names = new Set<string>();
  for (const name of Object.keys(request.headers)) names.add(name);
  if (auth.presigned) for (const name of Object.keys(request.query)) names.add(name.toLowerCase());
  const declared = [...names].filter((name) => name.startsWith("x-amz-checksum-") && isChecksumAlgorithm(name.slice("x-amz-checksum-".length)));
  const trailer = header(request.headers, "x-amz-trailer")?.toLowerCase();
  if (trailer !== undefined && trailer.startsWith("x-amz-checksum-") && isChecksumAlgorithm(trailer.slice("x-amz-checksum-".length))) declared.push(trailer);
  return { declared, trailer };
}

async function verifyChecksum(request: SignableRequest, auth: Authenticated, received: ReceivedBody): Promise<void> {
  // A presigned URL carries x-amz-* values as query parameters (the SDK hoists them there).
  const amz = (name: string) => header(request.headers, name) ?? (auth.presigned ? queryValue(request.query, name) : undefined);
  const { declared, trailer } = declaredChecksums(request, auth);

  const sdkAlgorithm = amz("x-amz-sdk-checksum-algorithm")?.toLowerCase();
  if (sdkAlgorithm !== undefined && !isChecksumAlgorithm(sdkAlgorithm)) throw new S3Error(400, "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
  if (declared.length > 1) throw new S3Error(400, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  if (declared.length === 0) {
    if (sdkAlgorithm !== undefined) throw new S3Error(400, "InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
    return;
  }
  const [name] = declared;
  const algorithm = name.slice("x-amz-checksum-".length) as ChecksumAlgorithm;
  if (sdkAlgorithm !== undefined && sdkAlgorithm !== algorithm) throw new S3Error(400, "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
  const value = name === trailer ? received.trailers[name] : amz(name);
  if (value === undefined) throw new S3Error(400, "MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.");
  const spec = CHECKSUMS[algorithm];
  if (decodedBase64(value)?.length !== spec.bytes) throw new S3Error(400, "InvalidRequest", `Value for ${name} header is invalid.`);
  if ((await received.digests.bodyDigest(algorithm)) !== value) throw new S3Error(400, "BadDigest", `The ${spec.name} you specified did not match the calculated checksum.`);
}

/** The Smithy checksum interface every @aws-sdk/checksums algorithm implements. */
interface Checksum {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

/** Strict base64 (what S3 accepts for digests), or undefined. */
function decodedBase64(value: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return undefined;
  return Buffer.from(value, "base64");
}

// ---------------------------------------------------------------------------------------------
// Small parsers

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A query parameter by case-insensitive name (the SDK hoists `x-amz-*` headers under their lowercase names). */
function queryValue(query: SignableRequest["query"], name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : single(query[key]);
}

/**
 * `a=1&b=%2F&b=2` → `{ a: "1", b: ["/", "2"] }`. Unlike URLSearchParams, `+` stays a plus: the
 * signature covers the URI-encoded form, where a space is `%20`. An object without a prototype, so that a parameter
 * named `constructor`, `toString` or `__proto__` is one like any other (a plain object found Object's own members under
 * those names, or took `__proto__` as its prototype: the canonical query differed, 403 SignatureDoesNotMatch).
 */
export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const pair of search.replace(/^\?/, "").split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const name = decodeUriPart(at < 0 ? pair : pair.slice(0, at));
    const value = at < 0 ? "" : decodeUriPart(pair.slice(at + 1));
    const existing = query[name];
    query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

/** decodeURIComponent, as S3's 400 InvalidURI when the encoding is broken. */
export function decodeUriPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
}

function validLongDate(value: string, invalid: () => S3Error): string {
  if (!isLongDate(value)) throw invalid();
  return value;
}
