/**
 * What S3 checks before it acts on a request, for the local S3 server (local/s3-server.ts):
 * the SigV4 signature — Authorization header or presigned query — against the local
 * credentials, expiry and clock skew, `x-amz-*` headers nobody signed, and then the body
 * against everything the request declares about it (x-amz-content-sha256, the aws-chunked
 * decoded length and trailer, Content-MD5, x-amz-checksum-*). Every failure is an `S3Error`
 * carrying the status, code and message S3 answers with.
 *
 * Signatures are not computed here: the canonical request and string to sign come from the
 * SDK's own signer (@smithy/signature-v4), fed the request's method, path, query, signed
 * headers and payload hash, and the result is compared with the signature sent.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Crc32, Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import { Md5 } from "@aws-sdk/checksums/md5";
import { Sha1, Sha256 } from "@aws-sdk/checksums/sha";
import { ALGORITHM_IDENTIFIER, getCanonicalHeaders, MAX_PRESIGNED_TTL, SignatureV4, UNSIGNED_PAYLOAD } from "@smithy/signature-v4";

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

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The parts of a request a signature covers. */
export interface SignableRequest {
  method: string;
  /** The path as sent, still percent-encoded: S3 signs it as is (no normalising, no double encoding). */
  path: string;
  /** Query parameters, decoded; repeated names as arrays. */
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
}

export interface Authenticated {
  accessKeyId: string;
  presigned: boolean;
  /** The payload hash the signature covers: a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* mode. */
  payloadHash: string;
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
const MAX_SKEW_MS = 15 * 60 * 1000;
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
  } else if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_SKEW_MS) {
    throw new S3Error(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", {
      RequestTime: signed.longDate,
      ServerTime: now.toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }

  // Every x-amz-* header must be signed, and host always
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html, "SignedHeaders").
  const mustBeSigned = Object.keys(request.headers).filter((name) => name === "host" || (name.startsWith("x-amz-") && name !== "x-amz-content-sha256"));
  const unsigned = mustBeSigned.filter((name) => !signed.signedHeaders.includes(name));
  if (unsigned.length > 0) throw new S3Error(403, "AccessDenied", "There were headers present in the request which were not signed", { HeadersNotSigned: unsigned.join(", ") });

  const expected = await resign(request, signed, credentials);
  if (!sameSignature(expected.signature, signed.signature)) {
    throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", {
      AWSAccessKeyId: signed.accessKeyId,
      StringToSign: expected.stringToSign,
      SignatureProvided: signed.signature,
      CanonicalRequest: expected.canonicalRequest,
    });
  }
  return { accessKeyId: signed.accessKeyId, presigned: signed.expires !== undefined, payloadHash: signed.payloadHash };
}

interface SignedParts {
  accessKeyId: string;
  scope: { date: string; region: string; service: string; terminator: string };
  longDate: string;
  signedHeaders: string[];
  signature: string;
  payloadHash: string;
  /** Seconds a presigned URL is valid; undefined for header-signed requests. */
  expires?: number;
  /** The error S3 gives for a malformed credential of this kind of request. */
  malformed(reason: string): S3Error;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=…` */
function parseAuthorizationHeader(authorization: string, headers: IncomingHttpHeaders): SignedParts {
  const malformed = (reason: string) => new S3Error(400, "AuthorizationHeaderMalformed", `The authorization header is malformed; ${reason}`);
  if (!authorization.startsWith(`${ALGORITHM_IDENTIFIER} `)) throw UNSUPPORTED_MECHANISM();
  const fields = Object.fromEntries(
    authorization
      .slice(ALGORITHM_IDENTIFIER.length + 1)
      .split(",")
      .map((part) => part.trim().split(/=(.*)/s, 2) as [string, string | undefined]),
  );
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
  const parts = credential.split("/");
  if (parts.length !== 5 || parts.some((p) => p === "")) throw malformed(`a non-empty Access Key (AKID) must be provided in the credential.`);
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, scope: { date, region, service, terminator } };
}

/** The signature S3 would compute for this request: the SDK's signer over the same method, path, query, signed headers and payload hash. */
async function resign(request: SignableRequest, signed: SignedParts, credentials: S3Credentials) {
  const signer = new Resigner(credentials, signed.scope.region);
  return signer.resign(request, signed);
}

class Resigner extends SignatureV4 {
  constructor(credentials: S3Credentials, region: string) {
    // S3 signs the path as sent (uriEscapePath false), as the SDK's S3 client does.
    super({ credentials, region, service: "s3", sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  }

  async resign(request: SignableRequest, signed: SignedParts) {
    const headers = Object.fromEntries(signed.signedHeaders.map((name) => [name, header(request.headers, name) ?? ""]));
    const httpRequest = { method: request.method, protocol: "http:", hostname: "", path: request.path, query: request.query, headers };
    // Every header the client listed is canonical, even ones the SDK would never sign itself.
    const canonicalHeaders = getCanonicalHeaders(httpRequest, undefined, new Set(signed.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(httpRequest, canonicalHeaders, signed.payloadHash);
    const scope = [signed.scope.date, signed.scope.region, signed.scope.service, signed.scope.terminator].join("/");
    const stringToSign = await this.createStringToSign(signed.longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    const signature = await this.sign(stringToSign, { signingDate: parseLongDate(signed.longDate), signingRegion: signed.scope.region, signingService: signed.scope.service });
    return { signature, canonicalRequest, stringToSign };
  }
}

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
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
const isChecksumAlgorithm = (name: string): name is ChecksumAlgorithm => Object.hasOwn(CHECKSUMS, name);

export interface ReceivedBody {
  /** The payload as sent. */
  raw: Buffer;
  /** The object bytes (decoded from aws-chunked when it was sent that way). */
  body: Buffer;
  /** Trailing headers of an aws-chunked body, lowercased. */
  trailers: Record<string, string>;
  /** Whether the body came aws-chunked. */
  chunked: boolean;
}

/**
 * Checks the body against what the request declares, as S3 does before it stores anything:
 * the signed payload hash, the aws-chunked decoded length, Content-MD5, and one flexible checksum
 * (header, presigned query parameter or aws-chunked trailer) with x-amz-sdk-checksum-algorithm.
 */
export async function verifyBody(request: SignableRequest, auth: Authenticated, received: ReceivedBody): Promise<void> {
  const { body } = received;
  if (/^[0-9a-f]{64}$/.test(auth.payloadHash)) {
    const computed = (await digest(new Sha256(), received.raw)).toString("hex");
    if (computed !== auth.payloadHash) {
      throw new S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: auth.payloadHash,
        S3ComputedContentSHA256: computed,
      });
    }
  }
  const decodedLength = header(request.headers, "x-amz-decoded-content-length");
  if (received.chunked && decodedLength !== undefined && Number(decodedLength) !== body.length) {
    throw new S3Error(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header");
  }

  const contentMd5 = header(request.headers, "content-md5");
  if (contentMd5 !== undefined) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (Content-MD5): InvalidDigest when malformed, BadDigest when different.
    if (decodedBase64(contentMd5)?.length !== 16) throw new S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.", { "Content-MD5": contentMd5 });
    const calculated = (await digest(new Md5(), body)).toString("base64");
    if (calculated !== contentMd5) throw new S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.", { ExpectedDigest: contentMd5, CalculatedDigest: calculated });
  }

  await verifyChecksum(request, auth, received);
}

async function verifyChecksum(request: SignableRequest, auth: Authenticated, received: ReceivedBody): Promise<void> {
  // A presigned URL carries x-amz-* values as query parameters (the SDK hoists them there).
  const amz = (name: string) => header(request.headers, name) ?? (auth.presigned ? queryValue(request.query, name) : undefined);
  const names = new Set<string>();
  for (const name of Object.keys(request.headers)) names.add(name);
  if (auth.presigned) for (const name of Object.keys(request.query)) names.add(name.toLowerCase());
  const declared = [...names].filter((name) => name.startsWith("x-amz-checksum-") && isChecksumAlgorithm(name.slice("x-amz-checksum-".length)));
  const trailer = header(request.headers, "x-amz-trailer")?.toLowerCase();
  if (trailer !== undefined && trailer.startsWith("x-amz-checksum-") && isChecksumAlgorithm(trailer.slice("x-amz-checksum-".length))) declared.push(trailer);

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
  if ((await digest(spec.create(), received.body)).toString("base64") !== value) throw new S3Error(400, "BadDigest", `The ${spec.name} you specified did not match the calculated checksum.`);
}

/** The Smithy checksum interface every @aws-sdk/checksums algorithm implements. */
interface Checksum {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}
async function digest(hash: Checksum, body: Buffer): Promise<Buffer> {
  hash.update(body);
  return Buffer.from(await hash.digest());
}

/** Strict base64 (what S3 accepts for digests), or undefined. */
function decodedBase64(value: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return undefined;
  return Buffer.from(value, "base64");
}

// ---------------------------------------------------------------------------------------------
// Small parsers

/** A request header's value (Node joins repeated ones with ", "). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

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
 * signature covers the URI-encoded form, where a space is `%20`.
 */
export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
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
  if (!/^\d{8}T\d{6}Z$/.test(value) || Number.isNaN(parseLongDate(value).getTime())) throw invalid();
  return value;
}

/** `20130524T000000Z` → Date. */
function parseLongDate(value: string): Date {
  return new Date(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`);
}

/** A `Date:` header (RFC 7231) as SigV4's long date, when there is no x-amz-date. */
function dateHeaderAsLongDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}
