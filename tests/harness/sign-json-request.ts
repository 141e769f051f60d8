/**
 * A JSON-protocol request signed as an AWS SDK signs it (SigV4, Authorization header): POST / with the JSON 1.0
 * content type and `X-Amz-Target`, for tests that call the local endpoints as a client would (the runtime's own calls
 * use local/aws-service-calls.ts signedFetch; tests that only send use tests/harness/signed-fetch.ts). Returned unsent,
 * so a test can change it after signing.
 */
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";

export interface JsonRequestSigning {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** The signing name, e.g. "sqs", "states". */
  service: string;
  /** @default now */
  signingDate?: Date;
  /** Headers sent and signed besides host, content-type and x-amz-target. */
  headers?: Record<string, string>;
}

export interface SignedJsonRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The request, signed; fetch sets Host itself (to the same value), so it is left out of `headers`. */
export async function signJsonRequest(endpoint: string, target: string | undefined, body: string, signing: JsonRequestSigning): Promise<SignedJsonRequest> {
  const url = new URL("/", endpoint);
  const signer = new SignatureV4({ credentials: signing.credentials, region: signing.region, service: signing.service, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      query: {},
      headers: { host: url.host, "content-type": "application/x-amz-json-1.0", ...(target ? { "x-amz-target": target } : {}), ...signing.headers },
      body,
    },
    { signingDate: signing.signingDate },
  );
  const { host: _host, ...headers } = signed.headers;
  return { url: url.toString(), headers, body };
}
