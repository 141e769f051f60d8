/**
 * The service-neutral part of checking a SigV4 signature, shared by the local S3 server (local/s3-auth.ts) and the
 * local SQS server (local/sqs-server.ts): reading the Authorization header and its credential scope, the request's
 * date, which headers had to be signed, and the signature a service computes for the request — each service then
 * answers a failure with its own error (S3's XML `S3Error`, SQS's JSON `SqsError`).
 *
 * Signatures are not computed here: the canonical request and string to sign come from the SDK's own signer
 * (@smithy/signature-v4), fed the request's method, path, query, signed headers and payload hash, and the result is
 * compared with the signature sent.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { timingSafeEqual } from "node:crypto";
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
    const scope = [claim.scope.date, claim.scope.region, claim.scope.service, claim.scope.terminator].join("/");
    const stringToSign = await this.createStringToSign(claim.longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    const signature = await this.sign(stringToSign, { signingDate: parseLongDate(claim.longDate), signingRegion: claim.scope.region, signingService: claim.scope.service });
    return { signature, canonicalRequest, stringToSign };
  }
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
