/**
 * SigV4 signers for the requests the gallery's functions sign themselves and send with `fetch` (S3 in
 * photo-objects.ts; SQS SendMessage, EventBridge PutEvents and Step Functions DescribeExecution through aws-json.ts)
 * instead of bringing an SDK client per service: the SHA-256
 * the signer asks for over node:crypto, the function's credentials from the SDK's default provider chain, and one
 * signer per service, region and option set.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";

/** The SHA-256 (and HMAC) the signer asks for, over node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

export interface SignerOptions {
  /** false for S3, which signs the path as sent (no second URI encoding). @default true */
  uriEscapePath?: boolean;
  /** false for S3's UNSIGNED-PAYLOAD requests, whose payload hash is the x-amz-content-sha256 header. @default true */
  applyChecksum?: boolean;
}

let credentials: ReturnType<typeof fromNodeProviderChain> | undefined;
const signers = new Map<string, SignatureV4>();

/** The signer for `service` in `region` (cached: the credentials provider caches the role's credentials until they expire). */
export function signerFor(service: string, region: string, options: SignerOptions = {}): SignatureV4 {
  const uriEscapePath = options.uriEscapePath ?? true;
  const applyChecksum = options.applyChecksum ?? true;
  const id = `${service}/${region}/${uriEscapePath}/${applyChecksum}`;
  let signer = signers.get(id);
  if (!signer) {
    credentials ??= fromNodeProviderChain();
    signer = new SignatureV4({ service, region, credentials, sha256: Sha256, uriEscapePath, applyChecksum });
    signers.set(id, signer);
  }
  return signer;
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
