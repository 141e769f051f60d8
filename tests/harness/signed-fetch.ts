/**
 * fetch, signed with SigV4 as an AWS SDK or the AWS CLI signs a request (@smithy/signature-v4), for tests that call a
 * local service's HTTP API the way a terminal would (`aws lambda invoke --endpoint-url …` with the local credentials).
 */
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";
import { LOCAL_CREDENTIALS, type SigV4Credentials } from "../../local/sigv4-verify";

export interface SigningOptions {
  /** The signing name: "lambda", "states", "sqs", … */
  service: string;
  /** @default "us-east-1" */
  region?: string;
  /** @default LOCAL_CREDENTIALS */
  credentials?: SigV4Credentials;
}

export async function signedFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array }, options: SigningOptions): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({ credentials: options.credentials ?? LOCAL_CREDENTIALS, region: options.region ?? "us-east-1", service: options.service, sha256: Sha256 });
  const signed = await signer.sign({
    method: init.method ?? "POST",
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port ? Number(target.port) : undefined,
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { ...init.headers, host: target.host },
    body: init.body,
  });
  const { host: _host, ...headers } = signed.headers;
  return fetch(url, { method: init.method ?? "POST", headers, body: init.body });
}
