/**
 * The local S3 server with an SDK v3 client pointed at it (path-style, the local credentials), and SigV4 signing of a
 * raw S3 request, for the tests that call the server as a client or a terminal would.
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { Sha256 } from "@aws-sdk/checksums/sha";
import { SignatureV4 } from "@smithy/signature-v4";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3, type LocalS3Options } from "../../local/s3-server";

/** An SDK v3 S3 client of the local server at `endpoint` (us-east-1, path-style, LOCAL_CREDENTIALS), with `config` over that. */
export const localS3Client = (endpoint: string, config: S3ClientConfig = {}) =>
  new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS, ...config });

/** A local S3 server (startLocalS3 with `options`) and a client of it (localS3Client); close the server after. */
export async function startLocalS3WithClient(options: LocalS3Options): Promise<{ server: LocalS3; client: S3Client }> {
  const server = await startLocalS3(options);
  return { server, client: localS3Client(server.endpoint) };
}

/**
 * The headers of an S3 request to `url` once signed as an SDK signs it (Authorization, X-Amz-Date, and `headers`, which
 * carry x-amz-content-sha256), Host included.
 */
export async function signS3(method: string, url: URL, headers: Record<string, string>, credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_CREDENTIALS): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false });
  const signed = await signer.sign({
    method,
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...headers },
  });
  return signed.headers as Record<string, string>;
}
