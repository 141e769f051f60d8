/**
 * The service-neutral part of checking a SigV4 signature, shared by the local S3 server (local/s3-auth.ts) and the
 * local JSON and query servers (SQS, SNS, Step Functions): reading the Authorization header and its credential scope,
 * the request's date, which headers had to be signed, and the signature a service computes for the request. The JSON
 * and query servers check a header-signed request with one function, verifySignedHeaders, and each answers its
 * failure (an AWS error code and message) in its own protocol's error shape (SQS's and Step Functions' JSON
 * `__type`, SNS's XML `<Error>`); S3 has rules of its own (local/s3-auth.ts).
 *
 * Signatures are not computed here: the canonical request and string to sign come from the SDK's own signer
 * (@smithy/signature-v4), fed the request's method, path, query, signed headers and payload hash, and the result is
 * compared with the signature sent.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Sha256 } from "@aws-sdk/checksums/sha";
import { ALGORITHM_IDENTIFIER, getCanonicalHeaders, SignatureV4 } from "@smithy/signature-v4";

export { ALGORITHM_IDENTIFIER };

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * What the local runtime gives functions as AWS credentials (local/start.ts), and the SDK clients of tests sign with:
 * the local S3 and SQS servers accept requests signed with these by default.
 */
export const LOCAL_CREDENTIALS: SigV4Credentials = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * How far a header-signed request's date may be from the server's clock: 15 minutes, for S3
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html) and the other services
 * ("RequestExpired … more than 15 minutes after the date stamp on the request … or the date stamp on the request is
 * more than 15 minutes in the future", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The parts of a request a signature covers. */
export interface SignableRequest {
  method: string;
  /** The path as sent, still percent-encoded. */
  path: string;
  /** Query parameters, decoded; repeated names as arrays. */
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
}

/** A credential scope: `<date>/<region>/<service>/aws4_request`. */
export interface CredentialScope {
  date: string;
  region: string;
  service: string;
  terminator: string;
}

/** A credential scope as a string to sign has it: `date/region/service/aws4_request`. */
export function scopeText(scope: CredentialScope): string {
  return [scope.date, scope.region, scope.service, scope.terminator].join("/");
}

/** What a signed request claims: who signed it, for what scope and when, over which headers. */
export interface SignatureClaim {
  accessKeyId: string;
  scope: CredentialScope;
  /** `20130524T000000Z`. */
  longDate: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * The `name=value` parts of `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=…`;
 * undefined when the header names another algorithm.
 */
export function authorizationFields(authorization: string): { Credential?: string; SignedHeaders?: string; Signature?: string } | undefined {
  if (!authorization.startsWith(`${ALGORITHM_IDENTIFIER} `)) return undefined;
  return Object.fromEntries(
    authorization
      .slice(ALGORITHM_IDENTIFIER.length + 1)
      .split(",")
      .map((part) => part.trim().split(/=(.*)/s, 2) as [string, string | undefined]),
  );
}

/** `AKID/20130524/us-east-1/s3/aws4_request`, or undefined when it is not five non-empty parts. */
export function parseCredential(credential: string): Pick<SignatureClaim, "accessKeyId" | "scope"> | undefined {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts.some((p) => p === "")) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, scope: { date, region, service, terminator } };
}

/** Whether `value` is SigV4's long date (`yyyyMMdd'T'HHmmss'Z'`) of a real instant. */
export function isLongDate(value: string): boolean {
  return /^\d{8}T\d{6}Z$/.test(value) && !Number.isNaN(parseLongDate(value).getTime());
}

/** `20130524T000000Z` → Date. */
export function parseLongDate(value: string): Date {
  return new Date(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`);
}

/** A Date as SigV4's long date. */
export function toLongDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** A `Date:` header (RFC 7231) as SigV4's long date, when there is no x-amz-date. */
export function dateHeaderAsLongDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : toLongDate(date);
}

/**
 * The headers present that S3 requires signed but the claim leaves out: `host`, and every `x-amz-*` header
 * ("The host header must be included … Any x-amz-* headers that you plan to include in your request must also be
 * added", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html; S3 answers
 * "There were headers present in the request which were not signed"), but `exempt` ones. S3's rule only: the local
 * SQS server requires just `host` and `x-amz-date` signed, since nothing shows SQS refuses other unsigned headers.
 */
export function unsignedRequiredHeaders(headers: IncomingHttpHeaders, signedHeaders: readonly string[], exempt: readonly string[] = []): string[] {
  return Object.keys(headers).filter((name) => (name === "host" || name.startsWith("x-amz-")) && !exempt.includes(name) && !signedHeaders.includes(name));
}

export interface ComputedSignature {
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
}

/**
 * The signature a service computes for this request under the claim's scope, date and signed headers: the SDK's signer
 * over the same method, path, query, headers and `payloadHash`. `uriEscapePath` false for S3, which signs the path as
 * sent; true (the SDK's default) for every other service, which encodes it once more.
 */
export async function computeSignature(
  request: SignableRequest,
  claim: Omit<SignatureClaim, "signature" | "accessKeyId">,
  credentials: SigV4Credentials,
  options: { payloadHash: string; uriEscapePath: boolean },
): Promise<ComputedSignature> {
  return new Resigner(credentials, claim.scope, options.uriEscapePath).resign(request, claim, options.payloadHash);
}

class Resigner extends SignatureV4 {
  constructor(credentials: SigV4Credentials, scope: CredentialScope, uriEscapePath: boolean) {
    super({ credentials, region: scope.region, service: scope.service, sha256: Sha256, uriEscapePath, applyChecksum: false });
  }

  async resign(request: SignableRequest, claim: Omit<SignatureClaim, "signature" | "accessKeyId">, payloadHash: string): Promise<ComputedSignature> {
    const headers = Object.fromEntries(claim.signedHeaders.map((name) => [name, header(request.headers, name) ?? ""]));
    const httpRequest = { method: request.method, protocol: "http:", hostname: "", path: request.path, query: request.query, headers };
    // Every header the client listed is canonical, even ones the SDK would never sign itself.
    const canonicalHeaders = getCanonicalHeaders(httpRequest, undefined, new Set(claim.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(httpRequest, canonicalHeaders, payloadHash);
    const stringToSign = await this.createStringToSign(claim.longDate, scopeText(claim.scope), canonicalRequest, ALGORITHM_IDENTIFIER);
    const signature = await this.sign(stringToSign, { signingDate: parseLongDate(claim.longDate), signingRegion: claim.scope.region, signingService: claim.scope.service });
    return { signature, canonicalRequest, stringToSign };
  }
}

/**
 * HMAC-SHA256 of `stringToSign` with the SigV4 signing key of `credentials` for `scope` (kDate, kRegion, kService,
 * kSigning: scopeSigner), hex, for one string. What a browser POST policy is signed with: "the signature is
 * the HMAC-SHA256 of the base64-encoded policy using the signing key"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html, sigv4-authentication-HTTPPOST.html), and
 * what an aws-chunked body's chunk and trailer signatures are, with the request's own signing key (ChunkSignatures in
 * local/s3-auth.ts; sigv4-streaming.html's example signatures come out so).
 */
export async function signStringWithScope(stringToSign: string, scope: CredentialScope, credentials: SigV4Credentials): Promise<string> {
  return scopeSigner(scope, credentials)(stringToSign);
}

/**
 * A signer of strings with the SigV4 signing key of `credentials` for `scope`, the key derived once: kSigning =
 * HMAC-SHA256 chained from "AWS4" + the secret key over the date, the region, the service and "aws4_request"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, "Derive a signing key"; what the SDK's
 * SignatureV4 derives). For a request that signs many strings with one key: an aws-chunked body's chunk signatures
 * (ChunkSignatures, local/s3-auth.ts), one per chunk, which a new SignatureV4 per chunk derived (or looked up) again.
 */
export function scopeSigner(scope: CredentialScope, credentials: SigV4Credentials): (stringToSign: string) => string {
  const key = [scope.date, scope.region, scope.service, "aws4_request"].reduce<Buffer | string>((k, part) => createHmac("sha256", k).update(part).digest(), `AWS4${credentials.secretAccessKey}`);
  return (stringToSign) => createHmac("sha256", key).update(stringToSign).digest("hex");
}

/** Compares signatures in constant time. */
export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A request header's value (Node joins repeated ones with ", "). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * Why a header-signed request to an AWS JSON or query service is refused: the error code and message AWS's front end
 * answers with, and its status. Codes and statuses from the services' common errors
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html,
 * https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html: IncompleteSignature 400, InvalidClientTokenId 403, MissingAuthenticationToken 403); SignatureDoesNotMatch is 403.
 * The messages are the ones AWS answers ("Credential should be scoped to a valid region, not 'us-east-1'. ",
 * aws/aws-sdk-cpp#93; "Signature expired: … is now earlier than … (… - 15 min.)", aws/aws-sdk-php#642; "The request
 * signature we calculated does not match…", boto/boto#1573; "'Host' or ':authority' must be a 'SignedHeader' in the
 * AWS Authorization.", aws/aws-sdk-php#2469), the same for every service behind that front end.
 */
export interface SignatureFailure {
  code: "MissingAuthenticationToken" | "IncompleteSignature" | "SignatureDoesNotMatch" | "InvalidClientTokenId";
  message: string;
  status: 400 | 403;
}

/** Who signed a request that verified: the access key id and the region it was signed for. */
export interface VerifiedSigner {
  accessKeyId: string;
  region: string;
}

export type SignatureVerdict = { ok: true; signer: VerifiedSigner } | { ok: false; failure: SignatureFailure };

export interface VerifyOptions {
  /** The signing name the credential must be scoped to (`sqs`, `sns`, `states`). */
  service: string;
  /** The credentials a request may be signed with; any other access key is InvalidClientTokenId. */
  credentials: readonly SigV4Credentials[];
  /** Whether the credential's region is one this endpoint serves (a wrong one is SignatureDoesNotMatch). @default any */
  servesRegion?(region: string): boolean;
  /** The wall clock clients sign with (not a store's clock that tests move). @default Date.now */
  now?(): number;
}

const incomplete = (message: string): SignatureVerdict => ({ ok: false, failure: { code: "IncompleteSignature", message, status: 400 } });
const mismatch = (message: string): SignatureVerdict => ({ ok: false, failure: { code: "SignatureDoesNotMatch", message, status: 403 } });

/** AWS's answer to a credential scoped to a region the endpoint does not serve (also for a region only the body names). */
export function wrongRegion(region: string): SignatureFailure {
  return { code: "SignatureDoesNotMatch", message: `Credential should be scoped to a valid region, not '${region}'. `, status: 403 };
}

/** A signature failure as the JSON-protocol services (AWS JSON 1.0 and 1.1) name it. */
export interface JsonProtocolSignatureFailure {
  code: "MissingAuthenticationTokenException" | "IncompleteSignatureException" | "InvalidSignatureException" | "UnrecognizedClientException";
  message: string;
  status: 400;
}

const JSON_PROTOCOL_CODES: Record<SignatureFailure["code"], JsonProtocolSignatureFailure["code"]> = {
  MissingAuthenticationToken: "MissingAuthenticationTokenException",
  IncompleteSignature: "IncompleteSignatureException",
  SignatureDoesNotMatch: "InvalidSignatureException",
  InvalidClientTokenId: "UnrecognizedClientException",
};

/**
 * `failure` as a JSON-protocol service (Step Functions, EventBridge; DynamoDB, whose error page lists them) answers it:
 * the same checks under exception names, each with status 400 (MissingAuthenticationTokenException "Missing
 * Authentication Token", IncompleteSignatureException, InvalidSignatureException, UnrecognizedClientException "The
 * security token included in the request is invalid.";
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html). The query services (SNS,
 * and SQS, whose JSON protocol keeps its query error codes) answer `failure` as it is.
 */
export function jsonProtocolFailure(failure: SignatureFailure): JsonProtocolSignatureFailure {
  const code = JSON_PROTOCOL_CODES[failure.code];
  return { code, message: code === "MissingAuthenticationTokenException" ? "Missing Authentication Token" : failure.message, status: 400 };
}

/**
 * `failure` as a REST-JSON service (Lambda, the RDS Data API) answers it: the JSON protocols' exception names
 * (jsonProtocolFailure) with 403, but 400 for IncompleteSignatureException, as Lambda's REST API answers
 * UnrecognizedClientException ("StatusCode: 403 … api error UnrecognizedClientException: The security token included
 * in the request is invalid", iann0036/iamlive#58). The other statuses are not confirmed.
 */
export function restJsonFailure(failure: SignatureFailure): Omit<JsonProtocolSignatureFailure, "status"> & { status: 400 | 403 } {
  const json = jsonProtocolFailure(failure);
  return { ...json, status: json.code === "IncompleteSignatureException" ? 400 : 403 };
}

/**
 * Checks a request's SigV4 Authorization header as AWS's JSON and query services do, in their order: present
 * (MissingAuthenticationToken), well formed with a date (IncompleteSignature), scoped to aws4_request, `service`, a
 * served region and the request's date, within 15 minutes of the wall clock (SignatureDoesNotMatch), a known access
 * key (InvalidClientTokenId), `host` and a sent `x-amz-date` signed (IncompleteSignature), and the signature the SDK's
 * signer computes over the method, path (encoded once more), query, signed headers and the body received
 * (SignatureDoesNotMatch, naming the canonical request and string to sign). The body is only bytes here, hashed.
 * Presigned (query-string) signatures are not taken: these services' SDKs sign headers.
 */
export async function verifySignedHeaders(request: { method?: string; url?: string; headers: IncomingHttpHeaders; httpVersionMajor?: number }, body: Buffer, options: VerifyOptions): Promise<SignatureVerdict> {
  const authorization = header(request.headers, "authorization");
  if (!authorization) {
    return { ok: false, failure: { code: "MissingAuthenticationToken", message: "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.", status: 403 } };
  }
  const fields = authorizationFields(authorization) ?? {};
  const longDate = header(request.headers, "x-amz-date") ?? header(request.headers, "date");
  const missing = [
    ...(["Credential", "Signature", "SignedHeaders"] as const).filter((name) => !fields[name]).map((name) => `Authorization header requires '${name}' parameter.`),
    ...(longDate ? [] : ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]),
  ];
  if (!authorization.startsWith(`${ALGORITHM_IDENTIFIER} `)) missing.unshift(`Unsupported AWS 'algorithm': '${authorization.split(" ")[0].slice(0, 40)}'.`);
  if (missing.length > 0) return incomplete(`${missing.join(" ")} Authorization=${authorization.slice(0, 200)}`);
  const parsed = parseCredential(fields.Credential!);
  if (!parsed) return incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${fields.Credential!.slice(0, 200)}'`);
  // X-Amz-Date must be SigV4's basic format; only the Date header (RFC 7231) is converted, as for S3 (local/s3-auth.ts).
  const amzDate = header(request.headers, "x-amz-date");
  const claimDate = amzDate !== undefined ? (isLongDate(amzDate) ? amzDate : undefined) : dateHeaderAsLongDate(longDate);
  if (!claimDate) return incomplete(`Date must be in ISO-8601 'basic format'. Got '${longDate!.slice(0, 40)}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  const claim: SignatureClaim = { ...parsed, longDate: claimDate, signedHeaders: fields.SignedHeaders!.split(";"), signature: fields.Signature! };

  const { scope } = claim;
  if (scope.terminator !== "aws4_request") return mismatch(`Credential should be scoped with a valid terminator: 'aws4_request', not '${scope.terminator}'. `);
  if (scope.service !== options.service) return mismatch(`Credential should be scoped to correct service: '${options.service}'. `);
  if (options.servesRegion && !options.servesRegion(scope.region)) return { ok: false, failure: wrongRegion(scope.region) };
  if (scope.date !== claimDate.slice(0, 8)) {
    return mismatch(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${claimDate.slice(0, 8)}', from '${claimDate}'.`);
  }
  const now = options.now?.() ?? Date.now();
  const signedAt = parseLongDate(claimDate).getTime();
  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    return mismatch(`Signature expired: ${claimDate} is now earlier than ${toLongDate(new Date(now - MAX_CLOCK_SKEW_MS))} (${toLongDate(new Date(now))} - 15 min.)`);
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    return mismatch(`Signature not yet current: ${claimDate} is still later than ${toLongDate(new Date(now + MAX_CLOCK_SKEW_MS))} (${toLongDate(new Date(now))} + 15 min.)`);
  }

  const secret = options.credentials.find((c) => c.accessKeyId === claim.accessKeyId);
  if (!secret) return { ok: false, failure: { code: "InvalidClientTokenId", message: "The security token included in the request is invalid.", status: 403 } };
  // SigV4 requires `host` signed, and the date header when one is sent (x-amz-date, which every SDK signs). Other
  // unsigned x-amz-* headers are refused by S3 ("There were headers present in the request which were not signed",
  // local/s3-auth.ts) but nothing shows these services refuse them, so they pass here (review 33 F4; unconfirmed).
  // The host message is the one AWS's JSON services answer (aws/aws-sdk-php#2469); the x-amz-date one is local.
  // Over HTTP/2 the SDK signs `:authority` instead (@aws-sdk/middleware-host-header for an h2 handler), as the message says.
  // `:authority` stands for Host only on an HTTP/2 request, which carries it; an HTTP/1.1 request must sign Host.
  const http2 = request.httpVersionMajor === 2 && typeof request.headers[":authority"] === "string";
  if (!claim.signedHeaders.includes("host") && !(http2 && claim.signedHeaders.includes(":authority"))) return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (amzDate !== undefined && !claim.signedHeaders.includes("x-amz-date")) return incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  const target = request.url ?? "/";
  const queryAt = target.indexOf("?");
  const signable = {
    method: request.method ?? "POST",
    path: queryAt < 0 ? target : target.slice(0, queryAt),
    query: Object.fromEntries(new URLSearchParams(queryAt < 0 ? "" : target.slice(queryAt + 1))),
    headers: request.headers,
  };
  // The body received is hashed (x-amz-content-sha256, when sent, is only a header), and the path encoded once more.
  const expected = await computeSignature(signable, claim, secret, { payloadHash: createHash("sha256").update(body).digest("hex"), uriEscapePath: true });
  if (!sameSignature(expected.signature, claim.signature)) {
    return mismatch(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n" +
        `The Canonical String for this request should have been\n'${expected.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${expected.stringToSign}'\n`,
    );
  }
  return { ok: true, signer: { accessKeyId: claim.accessKeyId, region: scope.region } };
}
