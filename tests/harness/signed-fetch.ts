/**
 * fetch, signed with SigV4 as an AWS SDK or the AWS CLI signs a request, for tests that call a local service's HTTP API
 * the way a terminal would (`aws lambda invoke --endpoint-url …` with the local credentials): the runtime's own signer
 * (local/aws-service-calls.ts signedFetch) with a test's defaults.
 */
import { signedFetch as runtimeSignedFetch } from "../../local/aws-service-calls";
import { LOCAL_CREDENTIALS, type SigV4Credentials } from "../../local/sigv4-verify";

export interface SigningOptions {
  /** The signing name: "lambda", "states", "sqs", … */
  service: string;
  /** @default "us-east-1" */
  region?: string;
  /** @default LOCAL_CREDENTIALS */
  credentials?: SigV4Credentials;
}

export function signedFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array }, options: SigningOptions): Promise<Response> {
  const body = init.body === undefined || typeof init.body === "string" ? init.body : Buffer.from(init.body);
  return runtimeSignedFetch({ url: new URL(url), method: init.method ?? "POST", headers: init.headers ?? {}, body, credentials: options.credentials ?? LOCAL_CREDENTIALS, region: options.region ?? "us-east-1", service: options.service });
}
