/**
 * Shared set-up for the publisher tests: a generated site folder, the local S3 server and the
 * CloudFront stub, plus an STS stub and a recorder of who signed each S3 request (credentials tests).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decodeManifest, encodeManifest, manifestKeys } from "../../components/static-site/publisher/encoding";
import { buildManifest } from "../../components/static-site/publisher/manifest";
import { DEFAULT_PUBLISH_OPTIONS, type PublisherInputs, type PublishOptions } from "../../components/static-site/publisher/types";
import { startCloudFrontStub, type CloudFrontStub } from "../../local/cloudfront-stub";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "../../local/s3-server";

export const BUCKET = "site-bucket";
export const DISTRIBUTION = "E2EXAMPLE12345";

export function makeSite(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), "publish-site-"));
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [key, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, key)), { recursive: true });
    writeFileSync(join(root, key), body);
  }
}

export function removeSite(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export interface Cloud {
  s3: LocalS3;
  cloudfront: CloudFrontStub;
  reset(): void;
  /** Removes every object from the bucket. */
  empty(): void;
  close(): Promise<void>;
}

/**
 * The identities the credentials tests publish as, besides the local one: the `deploy` and `sandbox` profiles,
 * static keys, and the roles the STS stub hands out (ASIA<ROLE> / <role>-secret). The local S3
 * server verifies every signature against this list, as S3 verifies against IAM.
 */
export const TEST_IDENTITIES = [
  LOCAL_CREDENTIALS,
  { accessKeyId: "AKIADEPLOY", secretAccessKey: "deploy-secret" },
  { accessKeyId: "AKIASTATIC", secretAccessKey: "static-secret" },
  { accessKeyId: "AKIASANDBOX", secretAccessKey: "sandbox-secret" },
  { accessKeyId: "ASIAHUB", secretAccessKey: "hub-secret" },
  { accessKeyId: "ASIAPUBLISHER", secretAccessKey: "publisher-secret" },
];

export async function startCloud(): Promise<Cloud> {
  const s3 = await startLocalS3({ buckets: [BUCKET], credentials: TEST_IDENTITIES });
  const cloudfront = await startCloudFrontStub();
  return {
    s3,
    cloudfront,
    reset() {
      s3.resetRequests();
      cloudfront.reset();
      s3.fail(undefined);
      cloudfront.failing = false;
    },
    close: async () => {
      await s3.close();
      await cloudfront.close();
    },
    empty() {
      for (const object of s3.store.list(BUCKET, "")) s3.store.delete(BUCKET, object.key);
    },
  };
}

/** The publisher's inputs for the folder as it is now, pointed at the local cloud. */
export async function inputsFor(root: string, cloud: Cloud, options: Partial<PublishOptions> = {}): Promise<PublisherInputs> {
  return {
    bucket: BUCKET,
    region: "us-east-1",
    distributionId: DISTRIBUTION,
    root,
    ...encodeManifest(await buildManifest(root).manifest),
    indexDocument: "index.html",
    options: { ...DEFAULT_PUBLISH_OPTIONS, concurrency: 4, ...options },
    endpoints: { s3: cloud.s3.endpoint, cloudfront: cloud.cloudfront.endpoint },
  };
}

export const SITE: Record<string, string> = {
  "index.html": '<html><script src="/assets/app.3f9a12bc.js"></script></html>',
  "about.html": "<html>about</html>",
  "error.html": "<html>oops</html>",
  "robots.txt": "User-agent: *",
  "assets/app.3f9a12bc.js": "console.log(1)",
  "assets/style.5e1c9a07.css": "body{}",
  "docs/index.html": "<html>docs</html>",
};

/** The files of inputs or a state, decoded (encodings may number their header tables differently). */
export const filesOf = (encoded: { files: string | Record<string, string>; contentTypes: string[]; cacheControls: string[] }) => decodeManifest(encoded);

/** The keys of inputs or a state, in the manifest's order. */
export const keysOf = (encoded: { files: string | Record<string, string> }) => manifestKeys(encoded);

/** The encoded line of one file of inputs or a state ("<sha256> <size> <content type #> <cache-control #>[ f]"). */
export const lineOf = (encoded: { files: string | Record<string, string> }, key: string): string | undefined =>
  (typeof encoded.files === "string" ? (JSON.parse(encoded.files) as Record<string, string>) : encoded.files)[key];

/** Who signed a request: the access key, region and service of its SigV4 credential scope. */
export interface Signer {
  key: string;
  region: string;
  service: string;
  /** The x-amz-security-token header, for temporary credentials. */
  token?: string;
}

function signerOf(headers: IncomingHttpHeaders): Signer {
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(headers.authorization ?? ""));
  const token = headers["x-amz-security-token"];
  return { key: scope?.[1] ?? "(unsigned)", region: scope?.[2] ?? "", service: scope?.[3] ?? "", ...(token ? { token: String(token) } : {}) };
}

export interface SigningRecorder {
  /** Point the publisher's S3 endpoint here: requests are recorded, then passed to the local S3 server. */
  endpoint: string;
  signers: Signer[];
  close(): Promise<void>;
}

/** A pass-through in front of the local S3 server that records who signed each request. */
export async function startSigningRecorder(target: string): Promise<SigningRecorder> {
  const signers: Signer[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    signers.push(signerOf(req.headers));
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", (error) => res.destroy(error));
    req.pipe(forward);
  });
  return { endpoint: await listen(server), signers, close: () => close(server) };
}

export interface AssumeRoleCall {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  signer: Signer;
}

export interface StsStub {
  endpoint: string;
  calls: AssumeRoleCall[];
  close(): Promise<void>;
}

/**
 * STS's AssumeRole (Query protocol) on loopback. The credentials it hands out name the
 * role: `arn:aws:iam::…:role/hub` gets access key `ASIAHUB`, secret `hub-secret`, token `hub-token`.
 */
export async function startStsStub(): Promise<StsStub> {
  const calls: AssumeRoleCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      if (params.get("Action") !== "AssumeRole") {
        res.writeHead(400, { "content-type": "text/xml" }).end(`<ErrorResponse><Error><Code>InvalidAction</Code><Message>${params.get("Action")}</Message></Error></ErrorResponse>`);
        return;
      }
      const roleArn = params.get("RoleArn") ?? "";
      const externalId = params.get("ExternalId") ?? undefined;
      calls.push({ roleArn, sessionName: params.get("RoleSessionName") ?? "", ...(externalId ? { externalId } : {}), signer: signerOf(req.headers) });
      const role = roleArn.split("/").at(-1) ?? "";
      const expires = new Date(Date.now() + 3600_000).toISOString();
      res.writeHead(200, { "content-type": "text/xml" }).end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
          `<AccessKeyId>ASIA${role.toUpperCase()}</AccessKeyId><SecretAccessKey>${role}-secret</SecretAccessKey><SessionToken>${role}-token</SessionToken><Expiration>${expires}</Expiration>` +
          `</Credentials><AssumedRoleUser><AssumedRoleId>AROA${role.toUpperCase()}:${params.get("RoleSessionName")}</AssumedRoleId><Arn>${roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/${params.get("RoleSessionName")}</Arn></AssumedRoleUser>` +
          `</AssumeRoleResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  return { endpoint: await listen(server), calls, close: () => close(server) };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
