/** Shared set-up for the publisher tests: a generated site folder, the local S3 server and the CloudFront stub. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decodeManifest, encodeManifest } from "../../components/static-site/publisher/encoding";
import { buildManifest } from "../../components/static-site/publisher/manifest";
import { DEFAULT_PUBLISH_OPTIONS, type PublisherInputs, type PublishOptions } from "../../components/static-site/publisher/types";
import { startCloudFrontStub, type CloudFrontStub } from "../../local/cloudfront-stub";
import { startLocalS3, type LocalS3 } from "../../local/s3-server";

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

export async function startCloud(): Promise<Cloud> {
  const s3 = await startLocalS3({ buckets: [BUCKET] });
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
export const filesOf = (encoded: { files: Record<string, string>; contentTypes: string[]; cacheControls: string[] }) => decodeManifest(encoded);
