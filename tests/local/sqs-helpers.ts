/**
 * Helpers for tests of the local SQS server: a queue definition, and a request signed (SigV4, Authorization header) as
 * @aws-sdk/client-sqs signs it, with the credentials, region, service, date and headers a test needs — the local
 * server checks signatures as SQS does.
 */
import { signRequest } from "../harness/signed-fetch";
import { LOCAL_CREDENTIALS } from "../../local/sigv4-verify";
import type { LocalQueueDefinition } from "../../local/sqs-server";

/** A standard queue with SQS's defaults (4 days' retention, 1 MiB messages), in `region`. */
export const queueDefinition = (name: string, region = "eu-west-1"): LocalQueueDefinition => ({
  name,
  fifo: false,
  contentBasedDeduplication: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345_600,
  delaySeconds: 0,
  maximumMessageBytes: 1_048_576,
  region,
});

export interface SignOptions {
  /** @default LOCAL_CREDENTIALS */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** @default "eu-west-1" */
  region?: string;
  /** @default "sqs" */
  service?: string;
  /** @default now */
  signingDate?: Date;
  /** Headers sent and signed besides host, content-type and x-amz-target. */
  headers?: Record<string, string>;
}

/** A signed request, unsent, so a test can change it after signing (fetch sets Host itself: not in `headers`). */
export interface SignedSqsRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The request an SDK would send: POST / with the JSON 1.0 content type and `X-Amz-Target: <target>`, signed. */
export async function signSqsRequest(endpoint: string, target: string | undefined, body: string, options: SignOptions = {}): Promise<SignedSqsRequest> {
  const url = new URL("/", endpoint).toString();
  const headers = { "content-type": "application/x-amz-json-1.0", ...(target ? { "x-amz-target": target } : {}), ...options.headers };
  return { url, headers: await signRequest(url, { method: "POST", headers, body }, { credentials: options.credentials ?? LOCAL_CREDENTIALS, region: options.region ?? "eu-west-1", service: options.service ?? "sqs", signingDate: options.signingDate }), body };
}

export function send(request: SignedSqsRequest): Promise<Response> {
  return fetch(request.url, { method: "POST", headers: request.headers, body: request.body });
}

export async function signedSqsFetch(endpoint: string, target: string | undefined, body: string, options: SignOptions = {}): Promise<Response> {
  return send(await signSqsRequest(endpoint, target, body, options));
}
