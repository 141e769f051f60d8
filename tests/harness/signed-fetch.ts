/**
 * fetch, signed with SigV4 as an AWS SDK or the AWS CLI signs a request, for tests that call a local service's HTTP API
 * the way a terminal would (`aws lambda invoke --endpoint-url …` with the local credentials): the runtime's own signer
 * (local/aws-service-calls.ts signRequest, signedFetch) with a test's defaults. signRequest returns the headers unsent,
 * for a test that changes the request after signing it.
 */
import { signedFetch as runtimeSignedFetch, signRequest as runtimeSignRequest, type SigningRequest } from "../../local/aws-service-calls";
import { LOCAL_CREDENTIALS, type SigV4Credentials } from "../../local/sigv4-verify";

export interface SigningOptions {
  /** The signing name: "lambda", "states", "sqs", … */
  service: string;
  /** @default "us-east-1" */
  region?: string;
  /** @default LOCAL_CREDENTIALS */
  credentials?: SigV4Credentials;
  /** @default now */
  signingDate?: Date;
}

type RequestInit = { method?: string; headers?: Record<string, string>; body?: string | Uint8Array };

function signing(url: string, init: RequestInit, options: SigningOptions): SigningRequest {
  const body = init.body === undefined || typeof init.body === "string" ? init.body : Buffer.from(init.body);
  return { url: new URL(url), method: init.method ?? "POST", headers: init.headers ?? {}, body, credentials: options.credentials ?? LOCAL_CREDENTIALS, region: options.region ?? "us-east-1", service: options.service, signingDate: options.signingDate };
}

export function signedFetch(url: string, init: RequestInit, options: SigningOptions): Promise<Response> {
  return runtimeSignedFetch(signing(url, init, options));
}

/** The headers `init` is sent with once signed (its own and SigV4's, without Host, which fetch sets to the same value). */
export async function signRequest(url: string, init: RequestInit, options: SigningOptions): Promise<Record<string, string>> {
  return (await runtimeSignRequest(signing(url, init, options))).headers;
}
